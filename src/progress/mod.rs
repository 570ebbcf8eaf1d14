//! `daodao-check progress`: writes the latest results into the plan (API对接联调计划.md) and the
//! requirement doc (小程序端API.md) in place.
//!
//! Only the lines that carry progress change; every other byte (line endings included) stays as
//! it was. Running it twice with the same results changes nothing the second time. A document it
//! cannot understand is an error naming the line, and no file is touched. What is written where is
//! described in [`plan_doc`] and [`api_doc`]; what a result means for a document, in [`verdict`].
//!
//! This module only orchestrates: it reads the results (refusing a sandbox's unless asked to take
//! them), computes both updates, then writes (or previews) them, and returns what happened for the
//! command line to print.

pub mod api_doc;
pub mod diff;
pub mod plan_doc;
pub mod verdict;

pub use diff::{changed_lines, unified_diff};
pub use verdict::{clean, result_date, short_reason, verdict, Verdict};

use crate::atomic::WriteError;
use crate::config::Config;
use crate::config::ConfigError;
use crate::docs::{DocError, DocFileError};
use crate::exit;
use crate::result::ResultFileError;
use crate::result::RunResult;
use std::path::{Path, PathBuf};

/// What `progress` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The plan document to update (API对接联调计划.md).
    pub doc: Option<PathBuf>,
    /// The requirement doc whose per-endpoint **联调结果** fields to update (小程序端API.md).
    pub api_doc: Option<PathBuf>,
    /// The results to write (default: last-run.json in the configured reports directory).
    pub results: Option<PathBuf>,
    /// 负责人 for the 联调进度表 rows of the phases that ran (else `[progress] owner`, else unchanged).
    pub owner: Option<String>,
    /// Print a unified diff of the changes; write nothing.
    pub dry_run: bool,
    /// Write nothing; exit 1 when a document is out of date with the results.
    pub check: bool,
    /// Accept results from the embedded sandbox (refused otherwise: they say nothing about the
    /// backend).
    pub allow_sandbox: bool,
}

/// A document's new text and what the update noticed.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub text: String,
    /// Things the team should look at (the plan's own numbers disagreeing with its lists,
    /// results that the document does not list), each `line N: …` where there is a line.
    pub warnings: Vec<String>,
}

/// What happened to one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    UpToDate,
    /// With `--dry-run` or `--check`: the lines that would change, and with `--dry-run` the diff.
    WouldChange {
        lines: usize,
        diff: Option<String>,
    },
    /// Written: the lines that changed.
    Updated {
        lines: usize,
    },
    /// Not written: writing the documents failed ([`Report::error`]).
    NotWritten,
}

/// One document's part of a `progress` run.
#[derive(Debug, Clone)]
pub struct DocReport {
    pub path: PathBuf,
    /// What the update noticed (see [`Outcome::warnings`]).
    pub warnings: Vec<String>,
    pub change: Change,
}

/// What `progress` did, document by document (the plan first), and the exit code it means.
#[derive(Debug)]
pub struct Report {
    pub documents: Vec<DocReport>,
    /// What the write noticed beside the documents: what an interrupted run left there, a
    /// document written in place to keep its owner.
    pub notes: Vec<String>,
    pub exit_code: i32,
    /// The documents could not be written: each is [`Change::NotWritten`] unless the error says it
    /// was (see [`crate::atomic::WriteError::written`]).
    pub error: Option<ProgressError>,
}

/// Why `progress` cannot update the documents (every cause exits 2).
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error(
        "progress needs --doc PATH (the plan, API对接联调计划.md) and/or --api-doc PATH (小程序端API.md)"
    )]
    NoDocument,
    #[error("{config}; give the results with --results PATH")]
    ResultsNeeded { config: ConfigError },
    #[error(
        "{}: these results come from the embedded sandbox (profile `{profile}`), not from the \
         backend: they say nothing about its 联调 progress. Run against the backend \
         (`daodao-check phase all`, without --sandbox) to get real results, or pass \
         --allow-sandbox to write these anyway", path.display()
    )]
    SandboxResults { path: PathBuf, profile: String },
    #[error("--owner `{0}`: a table cell cannot hold `|` or control characters")]
    BadOwner(String),
    #[error(transparent)]
    Document(#[from] DocFileError),
    #[error(transparent)]
    Results(#[from] ResultFileError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

type Result<T, E = ProgressError> = std::result::Result<T, E>;

/// A document's text before and after the update.
struct Update {
    path: PathBuf,
    old: String,
    outcome: Outcome,
}

impl Update {
    fn is_stale(&self) -> bool {
        self.old != self.outcome.text
    }

    fn report(self, change: Change) -> DocReport {
        DocReport {
            path: self.path,
            warnings: self.outcome.warnings,
            change,
        }
    }
}

/// Updates the documents (or, with `dry_run`/`check`, says what would change).
/// `config` is optional: with `results` given, progress works outside a project.
pub fn run(config: Result<Config, ConfigError>, args: &Request) -> Result<Report> {
    if args.doc.is_none() && args.api_doc.is_none() {
        return Err(ProgressError::NoDocument);
    }
    let owner = owner(args, config.as_ref().ok())?;
    let results = match &args.results {
        Some(p) => p.clone(),
        None => config
            .map_err(|config| ProgressError::ResultsNeeded { config })?
            .reports_dir
            .join("last-run.json"),
    };
    let result = RunResult::read(&results)?;
    if let (Some(profile), false) = (&result.sandbox, args.allow_sandbox) {
        return Err(ProgressError::SandboxResults {
            path: results,
            profile: profile.clone(),
        });
    }
    // Before the documents are read: one a killed run may have left half-written is refused.
    let docs: Vec<&Path> = [&args.doc, &args.api_doc]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect();
    let notes = crate::atomic::leftovers(&docs)?;
    let updates = compute(args, &result, owner.as_deref())?;
    if args.dry_run || args.check {
        Ok(preview(updates, args, notes))
    } else {
        Ok(write(updates, notes))
    }
}

/// The owner for the 联调进度表: the request's, else the configured one; blank is none.
fn owner(args: &Request, config: Option<&Config>) -> Result<Option<String>> {
    let configured = config.and_then(|c| c.owner.as_deref());
    match args.owner.as_deref().or(configured).map(str::trim) {
        Some("") | None => Ok(None),
        Some(o) if o.contains('|') || o.chars().any(char::is_control) => {
            Err(ProgressError::BadOwner(o.to_string()))
        }
        Some(o) => Ok(Some(o.to_string())),
    }
}

/// Both updates, computed before anything is written: a document that cannot be understood
/// leaves both files untouched.
fn compute(args: &Request, result: &RunResult, owner: Option<&str>) -> Result<Vec<Update>> {
    let mut updates = vec![];
    if let Some(path) = &args.doc {
        let old = crate::docs::read_text(path)?;
        let outcome = plan_doc::update(&old, result, owner).map_err(|e| not_understood(path, e))?;
        updates.push(Update {
            path: path.clone(),
            old,
            outcome,
        });
    }
    if let Some(path) = &args.api_doc {
        let old = crate::docs::read_text(path)?;
        let outcome = api_doc::update(&old, result).map_err(|e| not_understood(path, e))?;
        updates.push(Update {
            path: path.clone(),
            old,
            outcome,
        });
    }
    Ok(updates)
}

fn not_understood(path: &Path, source: DocError) -> ProgressError {
    ProgressError::Document(DocFileError::NotUnderstood {
        path: path.to_path_buf(),
        source,
    })
}

/// `--dry-run` / `--check`: what would change; nothing is written.
fn preview(updates: Vec<Update>, args: &Request, notes: Vec<String>) -> Report {
    let stale = updates.iter().any(Update::is_stale);
    let documents = updates
        .into_iter()
        .map(|u| {
            let change = if u.is_stale() {
                Change::WouldChange {
                    lines: changed_lines(&u.old, &u.outcome.text),
                    diff: args
                        .dry_run
                        .then(|| unified_diff(&u.path, &u.old, &u.outcome.text)),
                }
            } else {
                Change::UpToDate
            };
            u.report(change)
        })
        .collect();
    Report {
        documents,
        notes,
        exit_code: if args.check && stale {
            exit::FAILED
        } else {
            exit::OK
        },
        error: None,
    }
}

/// Writes the documents that changed as a pair ([`crate::atomic::write_together`]): both are
/// staged and synced before either is replaced, then they are replaced back to back; on a failure
/// neither changed, unless the error names the one that did and says how to recover.
fn write(updates: Vec<Update>, mut notes: Vec<String>) -> Report {
    let stale: Vec<(&Path, &[u8])> = updates
        .iter()
        .filter(|u| u.is_stale())
        .map(|u| (u.path.as_path(), u.outcome.text.as_bytes()))
        .collect();
    let (written, error): (Vec<PathBuf>, Option<ProgressError>) = if stale.is_empty() {
        (vec![], None)
    } else {
        match crate::atomic::write_together(&stale) {
            Ok(done) => {
                notes.extend(done.notes);
                (stale.iter().map(|(p, _)| p.to_path_buf()).collect(), None)
            }
            Err(e) => (e.written().to_vec(), Some(e.into())),
        }
    };
    if error.is_none() {
        // A killed run may have replaced a document that is up to date now: with the pair in
        // place, what that run left beside it (its backup) is no longer needed.
        let current: Vec<&Path> = updates
            .iter()
            .filter(|u| !u.is_stale())
            .map(|u| u.path.as_path())
            .collect();
        if let Err(e) = crate::atomic::clear_leftovers(&current) {
            notes.push(format!("could not clear what an interrupted run left: {e}"));
        }
    }
    let documents = updates
        .into_iter()
        .map(|u| {
            let change = if !u.is_stale() {
                Change::UpToDate
            } else if written.contains(&u.path) {
                Change::Updated {
                    lines: changed_lines(&u.old, &u.outcome.text),
                }
            } else {
                Change::NotWritten
            };
            u.report(change)
        })
        .collect();
    Report {
        documents,
        notes,
        exit_code: error.as_ref().map_or(exit::OK, |_| exit::USAGE),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(path: PathBuf, old: &str, new: &str) -> Update {
        Update {
            path,
            old: old.into(),
            outcome: Outcome {
                text: new.into(),
                warnings: vec!["line 1: 注意".into()],
            },
        }
    }

    #[test]
    fn only_changed_documents_are_written_and_a_failed_one_leaves_the_other_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        let same = dir.path().join("same.md");
        let plan = dir.path().join("plan.md");
        std::fs::write(&plan, "a\n").expect("write");
        let api = dir.path().join("api.md");
        std::fs::write(&api, "c\n").expect("write");
        let report = write(
            vec![
                update(same.clone(), "x\n", "x\n"),
                update(plan.clone(), "a\n", "b\n"),
                update(api.clone(), "c\n", "d\n"),
            ],
            vec!["left over".into()],
        );
        let changes: Vec<&Change> = report.documents.iter().map(|d| &d.change).collect();
        assert_eq!(
            changes,
            [
                &Change::UpToDate,
                &Change::Updated { lines: 2 },
                &Change::Updated { lines: 2 }
            ]
        );
        assert!(!same.exists(), "an up-to-date document is not written");
        assert_eq!(std::fs::read_to_string(&plan).expect("read"), "b\n");
        assert_eq!(std::fs::read_to_string(&api).expect("read"), "d\n");
        assert_eq!(report.notes, ["left over"]);
        assert_eq!(report.exit_code, exit::OK);

        // A file where a directory should be: that write fails before anything is replaced, so
        // the plan keeps its text too.
        std::fs::write(dir.path().join("file"), "").expect("write");
        let unwritable = dir.path().join("file").join("api.md");
        let report = write(
            vec![
                update(plan.clone(), "b\n", "e\n"),
                update(unwritable, "a\n", "b\n"),
            ],
            vec![],
        );
        let changes: Vec<&Change> = report.documents.iter().map(|d| &d.change).collect();
        assert_eq!(changes, [&Change::NotWritten, &Change::NotWritten]);
        assert_eq!(std::fs::read_to_string(&plan).expect("read"), "b\n");
        assert_eq!(report.exit_code, exit::USAGE);
        assert!(report.error.is_some());
        assert_eq!(report.documents[1].warnings, ["line 1: 注意"]);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left.len(), 3, "no temp file or backup is left: {left:?}");
    }

    #[test]
    fn a_preview_writes_nothing_and_check_fails_when_stale() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.md");
        let args = Request {
            check: true,
            ..Request::default()
        };
        let report = preview(vec![update(path.clone(), "a\n", "b\n")], &args, vec![]);
        assert_eq!(
            report.documents[0].change,
            Change::WouldChange {
                lines: 2,
                diff: None
            }
        );
        assert_eq!(report.exit_code, exit::FAILED);
        assert!(!path.exists());
        let dry = Request {
            dry_run: true,
            ..Request::default()
        };
        let report = preview(vec![update(path.clone(), "a\n", "b\n")], &dry, vec![]);
        assert_eq!(report.exit_code, exit::OK);
        match &report.documents[0].change {
            Change::WouldChange {
                diff: Some(diff), ..
            } => assert!(diff.contains("\n-a\n+b\n"), "{diff}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_owner_that_would_break_the_table_is_refused_and_blank_is_none() {
        let with = |o: &str| Request {
            owner: Some(o.into()),
            ..Request::default()
        };
        assert_eq!(
            owner(&with("  张三 "), None).expect("ok").as_deref(),
            Some("张三")
        );
        assert_eq!(owner(&with(" "), None).expect("ok"), None);
        assert!(owner(&with("a|b"), None).is_err());
        assert!(owner(&with("a\tb"), None).is_err());
    }
}
