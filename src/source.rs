//! The project's source files (contracts, scenarios, the plan): reading them, and the problems found in
//! them, each with its file and place. Every loader reports through [`Problem`].

use std::path::{Path, PathBuf};

/// A problem found while loading or linting, with the file and the place in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Problem {
    pub file: String,
    /// `line L, column C` or a JSON path such as `example.response.data/list/0/price`.
    pub place: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.place, self.message)
        }
    }
}

pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Reads files in name order, as (path, path as shown to the user, text); unreadable files are problems.
pub fn read_sources(
    root: &Path,
    mut files: Vec<PathBuf>,
) -> (Vec<(PathBuf, String, String)>, Vec<Problem>) {
    files.sort();
    let mut out = vec![];
    let mut problems = vec![];
    for path in files {
        let shown = display_path(root, &path);
        match std::fs::read_to_string(&path) {
            Ok(text) => out.push((path, shown, text)),
            Err(e) => problems.push(Problem {
                file: shown,
                place: String::new(),
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (out, problems)
}

/// A TOML error at its place in the file (`line L, column C: message`): toml gives a byte span, people
/// read lines and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    /// 1-based line and column, when toml knows where.
    pub line_col: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for TomlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line_col {
            Some(_) => write!(f, "{}: {}", self.place(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TomlError {}

impl TomlError {
    /// `err` raised while parsing `text`.
    pub fn new(text: &str, err: &toml::de::Error) -> Self {
        TomlError {
            line_col: err.span().map(|span| line_col(text, span.start)),
            message: err.message().trim().to_string(),
        }
    }

    /// `line L, column C`, or empty when toml does not say where.
    pub fn place(&self) -> String {
        self.line_col
            .map_or(String::new(), |(l, c)| format!("line {l}, column {c}"))
    }
}

/// 1-based line and column of a byte offset, for messages that name the place in a file.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
