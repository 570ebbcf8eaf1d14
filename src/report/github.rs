//! GitHub Actions (when `GITHUB_ACTIONS` is set): the markdown report as the job's step summary, and
//! one `::error` workflow command per endpoint or scenario that did not pass, pointing at its
//! contract or scenario file, so the failures show in the pull request's "Files changed" and the
//! run's annotations.

use super::{case_summary, Failure, Subject, View};
use crate::result::CaseResult;
use std::path::Path;

/// GitHub shows at most 1 MiB of a step's summary; a larger one is cut before this, on a line.
const STEP_SUMMARY_LIMIT: usize = 1000 * 1024;

/// Is this process running as a GitHub Actions step?
pub fn active() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| !v.is_empty())
}

/// One `::error file=…,title=…::…` line per failure of the view; `file_of` gives the file each
/// one is about (relative to the repository), when known.
pub fn annotations(view: &View, file_of: &dyn Fn(Subject) -> Option<String>) -> String {
    let mut out = String::new();
    for Failure { subject, cases } in &view.failures {
        let (what, name) = match subject {
            Subject::Endpoint(e) => (e.endpoint.clone(), e.name.clone()),
            Subject::Scenario(s) => (format!("scenario {}", s.name), s.title.clone()),
        };
        let title = format!("{} {what} ({name})", subject.status().as_str());
        let message = subject
            .reason()
            .map(str::to_string)
            .into_iter()
            .chain(
                cases
                    .iter()
                    .map(|k: &&CaseResult| format!("{}: {}", k.name, case_summary(k))),
            )
            .collect::<Vec<_>>()
            .join("\n");
        let file = file_of(*subject)
            .map(|f| format!("file={},", property(&f)))
            .unwrap_or_default();
        out.push_str(&format!(
            "::error {file}title={}::{}\n",
            property(&title),
            data(&message)
        ));
    }
    out
}

/// Appends `markdown` to the step summary file (`$GITHUB_STEP_SUMMARY`), cut to what GitHub shows.
pub fn append_step_summary(path: &Path, markdown: &str) -> super::Result<()> {
    let mut text = match std::fs::read_to_string(path) {
        Ok(existing) => existing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        // Never replace what earlier steps wrote with ours alone.
        Err(source) => {
            return Err(super::ReportError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    text.push_str(&cut(
        markdown,
        STEP_SUMMARY_LIMIT.saturating_sub(text.len()),
    ));
    Ok(crate::atomic::write(path, text.as_bytes())?)
}

/// `markdown` whole when it fits in `room` bytes, else its first lines and a note.
fn cut(markdown: &str, room: usize) -> String {
    if markdown.len() <= room {
        return markdown.to_string();
    }
    let note = "\n> … cut here: GitHub shows 1 MiB of a step summary; the whole report is in the \
                reports written by the run.\n";
    let mut out = String::new();
    for line in markdown.split_inclusive('\n') {
        if out.len() + line.len() + note.len() > room {
            break;
        }
        out.push_str(line);
    }
    out.push_str(note);
    out
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` escaped.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_github_reads_them() {
        assert_eq!(data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(property("GET /a, b: c"), "GET /a%2C b%3A c");
    }

    #[test]
    fn a_summary_too_large_is_cut_on_a_line_with_a_note() {
        let text = "line\n".repeat(100);
        assert_eq!(cut(&text, 1000), text);
        let cut = cut(&text, 300);
        assert!(cut.len() <= 300, "{}", cut.len());
        assert!(cut.starts_with("line\nline\n") && cut.ends_with("reports written by the run.\n"));
    }
}
