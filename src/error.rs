//! Errors the user can act on, and the exit codes they map to. Kept in one place so every command agrees.

use std::path::PathBuf;

/// Exit codes, documented in the README; CI gates on them.
pub mod exit {
    /// Everything that ran passed (skips allowed).
    pub const OK: i32 = 0;
    /// Some check failed or an endpoint's route is not activated.
    pub const FAILED: i32 = 1;
    /// Usage, configuration, contract or scenario errors: nothing ran.
    pub const USAGE: i32 = 2;
    /// The backend could not be reached at all.
    pub const UNREACHABLE: i32 = 3;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("backend unreachable at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("{0} problem(s) found; nothing was run")]
    Invalid(usize),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::File {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Unreachable { .. } => exit::UNREACHABLE,
            _ => exit::USAGE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// 1-based line and column of a byte offset, for messages that name the place in a file.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A TOML deserialisation error rendered as `line L, column C: message` (toml gives a byte span).
pub fn toml_message(text: &str, err: &toml::de::Error) -> String {
    let msg = err.message().trim().to_string();
    match err.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            format!("line {l}, column {c}: {msg}")
        }
        None => msg,
    }
}

/// Writes `contents` to `path` atomically: a temp file in the same directory, then a rename, so a reader
/// never sees a half-written file and a crash never loses the previous one. A symlink is written through
/// (its target is replaced); an existing file keeps its permissions, a new one gets 0644.
pub fn write_atomic(path: &std::path::Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::path::Path;
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let perms = std::fs::metadata(&target)
        .ok()
        .map(|m| m.permissions())
        .or_else(new_file_permissions);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(format!("creating a temp file in {}", dir.display()), e))?;
    tmp.write_all(contents)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("writing {}", target.display()), e))?;
    if let Some(p) = perms {
        tmp.as_file()
            .set_permissions(p)
            .map_err(|e| Error::io(format!("setting permissions of {}", target.display()), e))?;
    }
    tmp.persist(&target)
        .map_err(|e| Error::io(format!("replacing {}", target.display()), e.error))?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}
