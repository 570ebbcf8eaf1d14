//! Why a report cannot be made: a format or a `--report` spec that is wrong, or a result that cannot be
//! rendered or written.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("unknown report format `{given}` (formats: {known})")]
    UnknownFormat { given: String, known: String },
    #[error("--report `{spec}`: expected FORMAT=PATH, e.g. --report junit=reports/junit.xml (formats: {known})")]
    NoPath { spec: String, known: String },
    #[error("--report `{spec}`: {source}")]
    BadSpec {
        spec: String,
        #[source]
        source: Box<ReportError>,
    },
    #[error("--report `{spec}`: the path after `=` is empty")]
    EmptyPath { spec: String },
    /// Two reports cannot share standard output.
    #[error("--report `{first}` and --report `{second}` both write to standard output (`-`); give one of them a file")]
    TwoToStdout { first: String, second: String },
    #[error("cannot serialise the result: {0}")]
    Serialise(#[source] serde_json::Error),
    #[error("cannot write the JUnit XML: {0}")]
    Junit(String),
    #[error("creating {}: {source}", dir.display())]
    Directory {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file a report is appended to (the GitHub step summary) cannot be read.
    #[error("reading {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
    /// `report merge`: the shards are not one run.
    #[error(transparent)]
    Merge(#[from] super::merge::MergeError),
}
