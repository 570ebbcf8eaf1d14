//! How a document's update is shown: the number of lines it changes and its unified diff.

use std::path::Path;

/// Lines that differ (removed + added), for messages.
pub fn changed_lines(old: &str, new: &str) -> usize {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count()
}

/// A unified diff of a document's update, as `diff -u` / `git diff` print it.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    let (a, b) = if path.is_absolute() {
        (name.clone(), name)
    } else {
        (format!("a/{name}"), format!("b/{name}"))
    };
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_counts_as_removed_and_added() {
        assert_eq!(changed_lines("a\nb\nc\n", "a\nB\nc\n"), 2);
        assert_eq!(changed_lines("a\n", "a\nb\n"), 1);
        assert_eq!(changed_lines("a\n", "a\n"), 0);
    }

    #[test]
    fn the_diff_names_a_relative_file_as_git_does_and_an_absolute_one_as_is() {
        let rel = unified_diff(Path::new("docs/plan.md"), "a\nb\n", "a\nc\n");
        assert!(
            rel.starts_with("--- a/docs/plan.md\n+++ b/docs/plan.md\n@@ -1,2 +1,2 @@\n"),
            "{rel}"
        );
        assert!(rel.contains("\n-b\n+c\n"));
        let abs = unified_diff(Path::new("/tmp/plan.md"), "a\n", "b\n");
        assert!(
            abs.starts_with("--- /tmp/plan.md\n+++ /tmp/plan.md\n"),
            "{abs}"
        );
    }
}
