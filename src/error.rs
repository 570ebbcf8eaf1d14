//! Errors the user can act on, and the exit codes they map to. Kept in one place so every command agrees.

pub use crate::exit;

pub use crate::catalog::CatalogError;
pub use crate::config::ConfigError;
pub use crate::plan::{PlanError, SelectionError};
pub use crate::result::ResultFileError;
pub use crate::source::TomlError;

/// Everything that stops a command before or instead of a finished run, composed from the errors of
/// each layer. [`Error::exit_code`] is the one place that maps a cause to the process exit code:
///
/// | code | meaning | variants |
/// |------|---------|----------|
/// | 0 | the run passed (skips allowed) | — not an error ([`exit::for_run`]) |
/// | 1 | a check failed or a route is not activated | — not an error: the run finished ([`exit::for_run`]) |
/// | 2 | nothing ran: the command line, the config, the plan, a contract or scenario, a result file, a report spec, a document or the sandbox is wrong, or a file could not be written | `CommandLine`, `Selection`, `Config`, `Plan`, `Catalog`, `ResultFile`, `Sandbox`, `Report`, `Progress`, `Document`, `Import`, `OpenApi`, `Proxy`, `Write`, `Io`, `Run(Client)` |
/// | 3 | the backend could not be reached at all | `Run(Unreachable)` |
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something only the command line gets wrong.
    #[error(transparent)]
    CommandLine(#[from] UsageError),
    /// A name on the command line that the catalogue does not have.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Contracts or scenarios with problems: nothing runs.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// `reports/last-run.json` (or `--input`) cannot be used.
    #[error(transparent)]
    ResultFile(#[from] ResultFileError),
    /// The run could not start: the backend is unreachable, or the client cannot be built.
    #[error(transparent)]
    Run(#[from] crate::exec::RunError),
    /// The embedded sandbox could not be set up or started.
    #[error(transparent)]
    Sandbox(#[from] crate::sandbox::SandboxError),
    /// A report format or a `--report` spec is wrong, or a report cannot be rendered.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// `progress` cannot update the documents.
    #[error(transparent)]
    Progress(#[from] crate::progress::ProgressError),
    /// A document (the plan, the API doc) cannot be read.
    #[error(transparent)]
    Document(#[from] crate::docs::DocFileError),
    /// `import` found nothing to import.
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    /// The validating proxy (or `check-har`) cannot start or finish.
    #[error(transparent)]
    Proxy(#[from] crate::proxy::ProxyError),
    /// An OpenAPI export or import could not be done.
    #[error(transparent)]
    OpenApi(#[from] crate::openapi::OpenApiError),
    /// A file could not be written (or was refused: read-only, half-written by a killed run).
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// What only the command line gets wrong (the catalogue's names are [`SelectionError`]s).
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// `report` without `--input`, where no config says where the last result is.
    #[error("{config}; give the result to render with --input PATH")]
    ReportInputNeeded { config: ConfigError },
    /// `export openapi --out FILE` whose extension names no format, without `--format`.
    #[error("{}: cannot tell the format from the extension; name the file .json, .yaml or .yml, or give --format", path.display())]
    ExportFormatUnknown { path: std::path::PathBuf },
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The process exit code for this cause (the table on [`Error`]). No catch-all arm: a new variant
    /// has to be given its code here.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Run(crate::exec::RunError::Unreachable { .. }) => exit::UNREACHABLE,
            Error::Run(crate::exec::RunError::Client(_))
            | Error::CommandLine(_)
            | Error::Selection(_)
            | Error::Config(_)
            | Error::Plan(_)
            | Error::Catalog(_)
            | Error::ResultFile(_)
            | Error::Sandbox(_)
            | Error::Report(_)
            | Error::Progress(_)
            | Error::Document(_)
            | Error::Import(_)
            | Error::OpenApi(_)
            | Error::Proxy(_)
            | Error::Write(_)
            | Error::Io { .. } => exit::USAGE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::line_col;

    #[test]
    fn every_cause_maps_to_its_exit_code() {
        let io = || std::io::Error::other("disk");
        let usage = [
            Error::from(UsageError::ReportInputNeeded {
                config: ConfigError::NotFound {
                    path: "x.toml".into(),
                },
            }),
            Error::from(SelectionError::UnknownPhase(9)),
            Error::from(ConfigError::EnvStatusPolicy {
                value: "strict".into(),
            }),
            Error::from(PlanError::Unreadable {
                path: "plan.toml".into(),
                source: io(),
            }),
            Error::from(CatalogError { problems: vec![] }),
            Error::from(ResultFileError::SchemaVersion {
                path: "last-run.json".into(),
                found: None,
            }),
            Error::from(crate::docs::DocFileError::NotUtf8 {
                path: "doc.md".into(),
                line: 3,
            }),
            Error::from(crate::report::ReportError::EmptyPath {
                spec: "junit=".into(),
            }),
            Error::from(crate::progress::ProgressError::NoDocument),
            Error::from(crate::import::ImportError::NoEndpoint {
                path: "api.md".into(),
                prefix: "/api/v1".into(),
            }),
            Error::from(crate::exec::RunError::Client(
                crate::exec::RequestError::InvalidBaseUrl {
                    url: "nope".into(),
                    reason: "relative URL without a base".into(),
                },
            )),
            Error::from(crate::atomic::WriteError::Twice {
                path: "doc.md".into(),
            }),
            Error::io("writing", io()),
        ];
        for e in &usage {
            assert_eq!(e.exit_code(), exit::USAGE, "{e:?}");
        }
        let down = Error::from(crate::exec::RunError::Unreachable {
            url: "http://127.0.0.1:9".into(),
            cause: "connection refused".into(),
            hint: "start it",
        });
        assert_eq!(down.exit_code(), exit::UNREACHABLE);
        assert_eq!(exit::for_run(true), exit::OK);
        assert_eq!(exit::for_run(false), exit::FAILED);
    }

    #[test]
    fn a_composed_error_renders_as_its_cause() {
        let e = Error::from(UsageError::ReportInputNeeded {
            config: ConfigError::NotFound {
                path: "x.toml".into(),
            },
        });
        assert_eq!(
            e.to_string(),
            "x.toml: config file not found; give the result to render with --input PATH"
        );
    }

    #[test]
    fn a_toml_error_names_line_and_column_when_toml_knows_them() {
        let text = "a = 1\nb = = 2\n";
        let err = toml::from_str::<toml::Table>(text).expect_err("bad TOML");
        let e = TomlError::new(text, &err);
        assert_eq!(e.line_col, Some((2, 5)));
        assert_eq!(e.place(), "line 2, column 5");
        assert!(e.to_string().starts_with("line 2, column 5: "), "{e}");
        let nowhere = TomlError {
            line_col: None,
            message: "missing field `prefix`".into(),
        };
        assert_eq!(nowhere.place(), "");
        assert_eq!(nowhere.to_string(), "missing field `prefix`");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("名字 = 1\nx", 9), (1, 6));
        assert_eq!(line_col("a\nbc", 3), (2, 2));
        assert_eq!(line_col("a", 99), (1, 2));
    }
}
