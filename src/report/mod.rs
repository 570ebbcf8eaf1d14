//! Reports: one result, shown in every format.
//!
//! [`View`] computes once, from a [`RunResult`] and, when known, the plan, what every format shows
//! (phase progress, module latencies, failures in display order, skips, flaky items, the setup steps
//! worth showing, the root causes). A format is
//! a [`Renderer`] in its own file, listed once in [`FORMATS`]: the names, `--help`'s possible
//! values, parsing a name and `--report FORMAT=PATH` all come from that list. **Adding a format is
//! one new file and one line in [`FORMATS`].**
//!
//! Every renderer reads only the view of a result: the excerpts in it are already redacted when the
//! run records them, so no format ever sees a secret; HTML and XML output escape everything they
//! print. The terminal format draws colours only when [`RenderOptions::style`] asks; written to a
//! file (`--report terminal=PATH`) it is plain.
//!
//! Beside the formats: [`listing`] (the `list` command's tables), [`bar`] (the progress bar),
//! [`github`] (a GitHub Actions step summary and annotations), [`merge`] (one result from the
//! results of CI shards), and `coverage`, the 联调覆盖 section every format shows after a proxy session.

pub mod bar;
mod coverage;
mod error;
pub mod escape;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod listing;
pub mod markdown;
pub mod merge;
mod style;
mod table;
pub mod terminal;
mod view;

pub use style::{terminal_width, ColorChoice, Stream, Style, FILE_WIDTH};
pub use view::{
    alike, names, security_groups, unregistered_nearest, unregistered_request, used_by, CaseGroup,
    CauseKind, CoverageView, Failure, ModuleView, PhaseState, PhaseView, RootCause, RootCauses,
    SecurityGroup, SecurityItem, Subject, Timeline, TimelineRow, View, ROOT_CAUSE_LINES,
};

pub use error::ReportError;

/// What rendering and writing reports gives.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
use crate::plan::Plan;
use crate::result::{Attempt, CaseResult, Finding, RunResult, Status};
use std::path::{Path, PathBuf};

/// Every report format, in the order `--help` and error messages list them.
pub const FORMATS: &[Format] = &[
    Format(&markdown::Markdown),
    Format(&junit::Junit),
    Format(&html::Html),
    Format(&json::Json),
    Format(&terminal::Terminal),
];

/// One report format: how to name it and how to render a [`View`] in it.
pub trait Renderer: Sync {
    /// The name on the command line (`--format NAME`, `--report NAME=PATH`).
    fn name(&self) -> &'static str;

    /// Other names accepted on the command line.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    fn render(&self, view: &View, options: &RenderOptions) -> Result<String>;
}

/// How to render, beyond the view itself. Only the terminal format reads these; the default is what
/// a file gets: plain, the normal level, [`FILE_WIDTH`] columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Colours, for a terminal; files are written plain.
    pub style: Style,
    /// How much the terminal report shows (`-q`, `-v`, `-vv`).
    pub level: Level,
    /// Columns the tables may take: the terminal's width, or [`FILE_WIDTH`] (`COLUMNS`) when the
    /// output is not a terminal.
    pub width: u16,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            style: Style::PLAIN,
            level: Level::Normal,
            width: FILE_WIDTH,
        }
    }
}

/// How much the terminal report shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `-q`: one line per endpoint or scenario that did not pass, then the verdict.
    Quiet,
    /// Failures grouped (details, 准备步骤, 根因汇总), then the tables and the verdict last.
    #[default]
    Normal,
    /// `-v`: also every passed case, one line each, before the failures.
    Verbose,
    /// `-vv`: every case with its request and response in full (masked).
    VeryVerbose,
}

impl Level {
    /// `-q` and the count of `-v`.
    pub fn from_flags(quiet: bool, verbose: u8) -> Level {
        match (quiet, verbose) {
            (true, _) => Level::Quiet,
            (false, 0) => Level::Normal,
            (false, 1) => Level::Verbose,
            (false, _) => Level::VeryVerbose,
        }
    }
}

/// A format of [`FORMATS`]; parse one from its name or an alias.
#[derive(Clone, Copy)]
pub struct Format(&'static dyn Renderer);

impl Format {
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn aliases(self) -> &'static [&'static str] {
        self.0.aliases()
    }

    pub fn render(self, view: &View, options: &RenderOptions) -> Result<String> {
        self.0.render(view, options)
    }
}

/// `markdown, junit, …`: the formats' names, for messages.
pub fn format_names() -> String {
    FORMATS
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl PartialEq for Format {
    fn eq(&self, other: &Format) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Format {}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Format({})", self.name())
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = ReportError;

    /// A name or an alias of [`FORMATS`], in any case.
    fn from_str(s: &str) -> Result<Format> {
        let wanted = s.trim().to_ascii_lowercase();
        FORMATS
            .iter()
            .copied()
            .find(|f| f.name() == wanted || f.aliases().contains(&wanted.as_str()))
            .ok_or_else(|| ReportError::UnknownFormat {
                given: wanted.clone(),
                known: format_names(),
            })
    }
}

/// Renders a result in a format, plain. `plan` (contracts/plan.toml) adds phase and module names
/// and the phases that did not run; every format works without it.
pub fn render(result: &RunResult, plan: Option<&Plan>, format: Format) -> Result<String> {
    format.render(&View::new(result, plan), &RenderOptions::default())
}

/// The path of `--report FORMAT=-`: standard output.
pub const STDOUT: &str = "-";

/// Does this report path mean standard output?
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new(STDOUT)
}

/// Parses `--report FORMAT=PATH` specs (`PATH` `-` is standard output, for one of them at most).
/// Call it before a run, so a typo fails before anything is sent to the backend.
pub fn parse_specs(specs: &[String]) -> Result<Vec<(Format, PathBuf)>> {
    let to_stdout: Vec<&String> = specs
        .iter()
        .filter(|s| s.split_once('=').is_some_and(|(_, p)| p.trim() == STDOUT))
        .collect();
    if let [first, second, ..] = to_stdout[..] {
        return Err(ReportError::TwoToStdout {
            first: first.clone(),
            second: second.clone(),
        });
    }
    specs
        .iter()
        .map(|spec| {
            let (format, path) = spec.split_once('=').ok_or_else(|| ReportError::NoPath {
                spec: spec.clone(),
                known: format_names(),
            })?;
            let format: Format = format.parse().map_err(|e| ReportError::BadSpec {
                spec: spec.clone(),
                source: Box::new(e),
            })?;
            if path.trim().is_empty() {
                return Err(ReportError::EmptyPath { spec: spec.clone() });
            }
            let path = if path.trim() == STDOUT { STDOUT } else { path };
            Ok((format, PathBuf::from(path)))
        })
        .collect()
}

/// Renders a result plain and writes it atomically.
pub fn write_one(
    result: &RunResult,
    plan: Option<&Plan>,
    format: Format,
    path: &Path,
) -> Result<()> {
    let text = render(result, plan, format)?;
    write_file(path, &text)
}

/// Writes a report atomically, creating its directory; an existing file keeps its permissions.
fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Directory {
            dir: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(crate::atomic::write(path, text.as_bytes())?)
}

/// The plan's marks for a status: `✅`, `⏸️`, `❌`.
pub fn mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "✅",
        Status::Skipped => "⏸️",
        Status::Failed | Status::NotActivated | Status::Blocked | Status::Error => "❌",
    }
}

/// One line saying what went wrong in a case: its reason, or its first finding (with the example
/// value when it stands for several items).
pub fn case_summary(case: &CaseResult) -> String {
    if let Some(f) = case.findings.first() {
        let example = match &f.actual {
            Some(a) if f.count > 1 => format!(" (actual {a})"),
            _ => String::new(),
        };
        let more = if case.findings.len() > 1 {
            format!(" (+{} more)", case.findings.len() - 1)
        } else {
            String::new()
        };
        format!("{}{example}{more}", finding_headline(f))
    } else if let Some(r) = &case.reason {
        r.clone()
    } else {
        case.status.as_str().to_string()
    }
}

/// What an earlier attempt found, in one line: `正常请求: schema at /data/x: …`, else its reason.
pub fn attempt_summary(a: &Attempt) -> String {
    match a.first_finding() {
        Some((k, f)) => format!("{}: {}", k.name, finding_headline(f)),
        None => a
            .reason
            .clone()
            .unwrap_or_else(|| a.status.as_str().to_string()),
    }
}

/// `schema at /data/*/isHot (5 项): value is not of type "boolean"`: the check, where, and what.
pub fn finding_headline(f: &Finding) -> String {
    let at = finding_path(f).map_or(String::new(), |p| format!(" at {p}"));
    format!("{}{at}: {}", f.check.as_str(), f.message)
}

/// `/data/*/isHot (5 项)` for a finding folded over list items, the path alone otherwise.
pub fn finding_path(f: &Finding) -> Option<String> {
    f.path.as_ref().map(|p| format!("{p}{}", items(f)))
}

/// ` (5 项)` when a finding stands for several list items, else nothing.
pub fn items(f: &Finding) -> String {
    if f.count > 1 {
        format!(" ({} 项)", f.count)
    } else {
        String::new()
    }
}

/// ` (第一项)` after the actual value of a folded finding: it is one item's, shown as the example.
pub fn example_mark(f: &Finding) -> &'static str {
    if f.count > 1 {
        " (第一项)"
    } else {
        ""
    }
}

/// `说明: 团队决定 …`: why a finding is a team decision, when it is one.
pub fn decision_line(f: &Finding) -> Option<String> {
    f.decision.as_ref().map(|d| format!("说明: {d}"))
}

/// `12 ms` / `-`.
pub fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.0} ms"))
}

#[cfg(test)]
mod tests;
