//! What can go wrong reading a document: a place in it that the reader cannot understand.

/// A document that could not be understood, at a line (as people count them, from 1) or as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("{0}")]
    Whole(String),
}

impl DocError {
    /// A problem at `line` (1-based).
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        DocError::Line {
            line,
            message: message.into(),
        }
    }

    /// A problem with the document as a whole (something it lacks, or the results it is read with).
    pub fn whole(message: impl Into<String>) -> Self {
        DocError::Whole(message.into())
    }

    /// The line the problem is on, if it is on one.
    pub fn line(&self) -> Option<usize> {
        match self {
            DocError::Line { line, .. } => Some(*line),
            DocError::Whole(_) => None,
        }
    }
}

/// A document file that cannot be read as text.
#[derive(Debug, thiserror::Error)]
pub enum DocFileError {
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: line {line}: not UTF-8 text", path.display())]
    NotUtf8 {
        path: std::path::PathBuf,
        line: usize,
    },
    /// Read, but not understood (the place in it says where).
    #[error("{}: {source}", path.display())]
    NotUnderstood {
        path: std::path::PathBuf,
        #[source]
        source: DocError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_error_names_its_line_and_a_whole_one_does_not() {
        let e = DocError::at(12, "cannot read this");
        assert_eq!(e.to_string(), "line 12: cannot read this");
        assert_eq!(e.line(), Some(12));
        let w = DocError::whole("no table found");
        assert_eq!(w.to_string(), "no table found");
        assert_eq!(w.line(), None);
    }
}
