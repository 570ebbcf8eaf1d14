//! Reading the team's two Markdown documents, for every command that needs them:
//!
//! - the plan, API对接联调计划.md ([`plan::PlanDoc`]): phase sections, endpoint lines, the
//!   测试结果 / 完成时间 lines, the 联调进度表 and the 按状态统计 / 按模块统计 tables;
//! - the requirement doc, 小程序端API.md ([`api::ApiDoc`]): chapters and sections, `**接口**`
//!   lines, parameter lists, request and response examples, `**联调结果**` fields.
//!
//! Both are read over [`markdown::Doc`], which keeps every line's bytes so that `progress` can
//! edit a document in place, and both write an endpoint the one way [`endpoint`] reads. Every
//! part read carries its line number (1-based); what cannot be read is a [`DocError`] naming the
//! line, or, where the reader can go on, a warning of the section.

pub mod api;
pub mod endpoint;
pub mod error;
pub mod markdown;
pub mod plan;

pub use error::{DocError, DocFileError};
pub use markdown::{Doc, Edits};

use std::path::Path;

/// A document's text; a file that cannot be read, or is not UTF-8 (the line where it stops being
/// so), is an error naming the file.
pub fn read_text(path: &Path) -> Result<String, DocFileError> {
    let bytes = std::fs::read(path).map_err(|source| DocFileError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        DocFileError::NotUtf8 {
            path: path.to_path_buf(),
            line,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_utf8_names_the_file_and_the_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.md");
        std::fs::write(&path, b"# ok\nfine\n\xff bad\n").expect("write");
        let e = read_text(&path).expect_err("not UTF-8");
        assert_eq!(
            e.to_string(),
            format!("{}: line 3: not UTF-8 text", path.display())
        );
        let missing = read_text(&dir.path().join("none.md")).expect_err("missing");
        assert!(
            missing.to_string().contains("none.md: cannot read:"),
            "{missing}"
        );
        std::fs::write(&path, "# 计划\n").expect("write");
        assert_eq!(read_text(&path).expect("reads"), "# 计划\n");
    }
}
