//! `daodao-check progress`: writes the latest results into the plan (API对接联调计划.md) and the
//! requirement doc (小程序端API.md) in place.
//!
//! Only the lines that carry progress change; every other byte (line endings included) stays as
//! it was. Running it twice with the same results changes nothing the second time. A document it
//! cannot understand is an error naming the line, and no file is touched. What is written where is
//! described in [`plan_doc`] and [`api_doc`].

pub mod api_doc;
pub mod doc;
pub mod plan_doc;

use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::result::{EndpointResult, RunResult, Status};
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
}

/// A document's new text and what the update noticed.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub text: String,
    /// Things the team should look at (the plan's own numbers disagreeing with its lists,
    /// results that the document does not list), each `line N: …` where there is a line.
    pub warnings: Vec<String>,
}

struct Target {
    path: PathBuf,
    old: String,
    new: String,
}

/// Updates the documents (or, with `dry_run`/`check`, says what would change); returns the exit code.
/// `config` is optional: with `results` given, progress works outside a project.
pub fn run(config: Result<Config>, args: &Request) -> Result<i32> {
    if args.doc.is_none() && args.api_doc.is_none() {
        return Err(Error::Usage(
            "progress needs --doc PATH (the plan, API对接联调计划.md) and/or --api-doc PATH (小程序端API.md)"
                .into(),
        ));
    }
    let configured_owner = config.as_ref().ok().and_then(|c| c.owner.clone());
    let owner = match args
        .owner
        .as_deref()
        .or(configured_owner.as_deref())
        .map(str::trim)
    {
        Some("") | None => None,
        Some(o) if o.contains('|') || o.chars().any(char::is_control) => {
            return Err(Error::Usage(format!(
                "--owner `{o}`: a table cell cannot hold `|` or control characters"
            )))
        }
        Some(o) => Some(o.to_string()),
    };
    let results = match &args.results {
        Some(p) => p.clone(),
        None => config
            .map_err(|e| Error::Usage(format!("{e}; give the results with --results PATH")))?
            .reports_dir
            .join("last-run.json"),
    };
    let result = RunResult::read(&results)?;
    // Everything is computed before anything is written: a document that cannot be understood
    // leaves both files untouched.
    let mut targets = vec![];
    if let Some(p) = &args.doc {
        let old = read_doc(p)?;
        let out = plan_doc::update(&old, &result, owner.as_deref())
            .map_err(|e| Error::file(p, e.to_string()))?;
        warn(p, &out.warnings);
        targets.push(Target {
            path: p.clone(),
            old,
            new: out.text,
        });
    }
    if let Some(p) = &args.api_doc {
        let old = read_doc(p)?;
        let out = api_doc::update(&old, &result).map_err(|e| Error::file(p, e.to_string()))?;
        warn(p, &out.warnings);
        targets.push(Target {
            path: p.clone(),
            old,
            new: out.text,
        });
    }
    let stale: Vec<&Target> = targets.iter().filter(|t| t.old != t.new).collect();
    if args.dry_run || args.check {
        if args.dry_run {
            for t in &stale {
                print!("{}", unified_diff(&t.path, &t.old, &t.new));
            }
        }
        for t in &targets {
            if t.old == t.new {
                eprintln!("{}: up to date", t.path.display());
            } else {
                eprintln!(
                    "{}: {} line(s) would change{}",
                    t.path.display(),
                    changed_lines(&t.old, &t.new),
                    if args.check && !args.dry_run {
                        " (--dry-run shows the diff)"
                    } else {
                        ""
                    }
                );
            }
        }
        return Ok(if args.check && !stale.is_empty() {
            exit::FAILED
        } else {
            exit::OK
        });
    }
    for t in &targets {
        if t.old == t.new {
            eprintln!("{}: up to date", t.path.display());
        } else {
            crate::error::write_atomic(&t.path, t.new.as_bytes())?;
            eprintln!(
                "{}: updated {} line(s)",
                t.path.display(),
                changed_lines(&t.old, &t.new)
            );
        }
    }
    Ok(exit::OK)
}

fn warn(path: &Path, warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
}

fn read_doc(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::file(path, format!("line {line}: not UTF-8 text"))
    })
}

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

/// The date the results were taken (YYYY-MM-DD of `finished_at`, the run's local time).
pub fn result_date(result: &RunResult) -> std::result::Result<String, doc::DocError> {
    for t in [&result.finished_at, &result.started_at] {
        if let Some(d) = t.get(..10) {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() {
                return Ok(d.to_string());
            }
        }
    }
    Err(doc::DocError::whole(format!(
        "the results have no date (finished_at `{}`); re-run to regenerate them",
        result.finished_at
    )))
}

/// What a result says about one endpoint, for the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Failed or not activated, with a short description.
    Failed {
        not_activated: bool,
        detail: String,
    },
    /// Skipped, with the short reason (the part before `:` of the contract's `skip`).
    Skipped(Option<String>),
    /// Not exercised (blocked by a failed login or setup, or a request the run could not build):
    /// the documents keep what they say, the phase is still marked as having a problem.
    NotRun,
}

pub fn verdict(e: &EndpointResult) -> Verdict {
    match e.status {
        Status::Passed => Verdict::Passed,
        Status::NotActivated => Verdict::Failed {
            not_activated: true,
            detail: "后端路由未激活".into(),
        },
        Status::Failed => Verdict::Failed {
            not_activated: false,
            detail: failure_detail(e),
        },
        Status::Skipped => Verdict::Skipped(e.reason.as_deref().map(short_reason)),
        Status::Blocked | Status::Error => Verdict::NotRun,
    }
}

/// `正常请求 schema /data/total 等 3 项`: the first finding, and how many more.
fn failure_detail(e: &EndpointResult) -> String {
    let findings: Vec<_> = e
        .cases
        .iter()
        .filter(|k| k.status != Status::Passed)
        .flat_map(|k| k.findings.iter().map(move |f| (k, f)))
        .collect();
    let text = match findings.first() {
        Some((k, f)) => {
            let at = f.path.as_ref().map_or(String::new(), |p| format!(" {p}"));
            let more = if findings.len() > 1 {
                format!(" 等 {} 项", findings.len())
            } else {
                String::new()
            };
            format!("{} {}{at}{more}", k.name, f.check.as_str())
        }
        None => e
            .reason
            .clone()
            .or_else(|| {
                e.cases
                    .iter()
                    .find(|k| k.status != Status::Passed)
                    .and_then(|k| k.reason.clone())
            })
            .unwrap_or_else(|| "未通过".into()),
    };
    clean(&text, 60)
}

/// The short form of a skip reason: `需小程序环境: 微信授权码 …` → `需小程序环境`.
pub fn short_reason(reason: &str) -> String {
    let head = reason
        .split([':', '：'])
        .next()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or(reason);
    clean(head, 40)
}

/// Text fit for a `(…)` note or a table cell: one line, no ASCII parentheses, pipes or backticks,
/// at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '|' => '/',
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let one = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max).collect::<String>())
    } else {
        one
    }
}
