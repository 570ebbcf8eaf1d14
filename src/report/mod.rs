//! Renderers over the one result model. Each format is one file.
//!
//! Every renderer reads only [`RunResult`]: the excerpts in it are already redacted when the run
//! records them, so no format ever sees a secret; HTML and XML output escape everything they print.

pub mod bar;
pub mod html;
pub mod json;
pub mod junit;
pub mod listing;
pub mod markdown;
pub mod terminal;

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::result::RunResult;
use std::path::{Path, PathBuf};

/// The file formats a report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Chinese Markdown in the plan's vocabulary.
    Markdown,
    /// JUnit XML for CI (GitLab, Jenkins, GitHub).
    Junit,
    /// One self-contained HTML file.
    Html,
    /// The result model itself (what reports/last-run.json holds).
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Junit, Format::Html, Format::Json];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    /// Other names accepted on the command line.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Format::Markdown => &["md"],
            Format::Junit => &["xml"],
            Format::Html | Format::Json => &[],
        }
    }

    fn names() -> String {
        Format::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(Format::Markdown),
            "junit" | "xml" => Ok(Format::Junit),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            other => Err(Error::Usage(format!(
                "unknown report format `{other}` (formats: {})",
                Format::names()
            ))),
        }
    }
}

/// Renders a result in a format. `plan` (contracts/plan.toml) adds phase and module names and
/// the phases that did not run; every format works without it.
pub fn render(result: &RunResult, plan: Option<&Plan>, format: Format) -> Result<String> {
    match format {
        Format::Markdown => Ok(markdown::render(result, plan)),
        Format::Junit => junit::render(result, plan),
        Format::Html => Ok(html::render(result, plan)),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(result)
                .map_err(|e| Error::Usage(format!("cannot serialise the result: {e}")))?;
            text.push('\n');
            Ok(text)
        }
    }
}

/// Parses `--report FORMAT=PATH` specs. Call it before a run, so a typo fails before anything
/// is sent to the backend.
pub fn parse_specs(specs: &[String]) -> Result<Vec<(Format, PathBuf)>> {
    specs
        .iter()
        .map(|spec| {
            let (format, path) = spec.split_once('=').ok_or_else(|| {
                Error::Usage(format!(
                    "--report `{spec}`: expected FORMAT=PATH, e.g. --report junit=reports/junit.xml (formats: {})",
                    Format::names()
                ))
            })?;
            let format: Format = format
                .parse()
                .map_err(|e: Error| Error::Usage(format!("--report `{spec}`: {e}")))?;
            if path.trim().is_empty() {
                return Err(Error::Usage(format!(
                    "--report `{spec}`: the path after `=` is empty"
                )));
            }
            Ok((format, PathBuf::from(path)))
        })
        .collect()
}

/// Renders a result and writes it atomically.
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
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    crate::error::write_atomic(path, text.as_bytes())
}

/// How to draw for a terminal: colours only on a TTY and without `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour when stdout is a terminal and `NO_COLOR` is unset (https://no-color.org).
    pub fn detect(choice: ColorChoice) -> Style {
        use std::io::IsTerminal;
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Style { color }
    }

    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// How far a phase got, in the plan's vocabulary (its 联调进度表 状态 column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseState {
    NotStarted,
    InProgress,
    Done,
    Problem,
}

impl PhaseState {
    /// `⏳ 待开始` / `🔄 进行中` / `✅ 已完成` / `❌ 有问题`.
    pub fn label(self) -> &'static str {
        match self {
            PhaseState::NotStarted => "⏳ 待开始",
            PhaseState::InProgress => "🔄 进行中",
            PhaseState::Done => "✅ 已完成",
            PhaseState::Problem => "❌ 有问题",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            PhaseState::NotStarted => "not-started",
            PhaseState::InProgress => "in-progress",
            PhaseState::Done => "done",
            PhaseState::Problem => "problem",
        }
    }
}

/// One phase as the reports show it.
#[derive(Debug, Clone)]
pub struct PhaseView {
    pub number: u8,
    /// The plan's heading name (核心认证模块), when the plan is known.
    pub name: Option<String>,
    /// Endpoint counts of this run.
    pub endpoints: crate::result::Counts,
    pub scenarios: crate::result::Counts,
    /// Endpoints the plan lists for the phase, when the plan is known.
    pub planned: Option<usize>,
    pub state: PhaseState,
}

impl PhaseView {
    /// `阶段一 核心认证模块`.
    pub fn title(&self) -> String {
        let label = crate::plan::phase_label(self.number);
        match &self.name {
            Some(n) if *n != label => format!("{label} {n}"),
            _ => label,
        }
    }
}

/// Every phase of the run (and, with the plan, every phase of the plan), in order.
/// A phase is 已完成 when nothing failed and every endpoint the plan lists for it ran;
/// 进行中 when part of it ran without a failure; 有问题 when anything in it failed.
pub fn phase_views(result: &RunResult, plan: Option<&Plan>) -> Vec<PhaseView> {
    use crate::result::Counts;
    use std::collections::BTreeMap;
    let mut by: BTreeMap<u8, (Counts, Counts)> = BTreeMap::new();
    if let Some(p) = plan {
        for ph in &p.phases {
            // Phase 0 (the health check) is shown only when it ran.
            if ph.number > 0 {
                by.entry(ph.number).or_default();
            }
        }
    }
    for e in &result.endpoints {
        by.entry(e.phase).or_default().0.add(e.status);
    }
    for s in &result.scenarios {
        by.entry(s.phase).or_default().1.add(s.status);
    }
    by.into_iter()
        .map(|(number, (endpoints, scenarios))| {
            let phase = plan.and_then(|p| p.phase(number));
            let planned = phase.map(|p| p.endpoints.len());
            let state = if endpoints.total == 0 && scenarios.total == 0 {
                PhaseState::NotStarted
            } else if endpoints.failures() > 0 || scenarios.failures() > 0 {
                PhaseState::Problem
            } else if planned.is_some_and(|n| endpoints.total < n) {
                PhaseState::InProgress
            } else {
                PhaseState::Done
            };
            PhaseView {
                number,
                name: phase.map(|p| p.name.clone()),
                endpoints,
                scenarios,
                planned,
                state,
            }
        })
        .collect()
}

/// Latency of one module's valid requests.
#[derive(Debug, Clone)]
pub struct ModuleLatency {
    pub phase: u8,
    pub module: String,
    /// The plan's module name (用户认证模块), when the plan is known.
    pub name: Option<String>,
    /// Endpoints with a measured latency.
    pub measured: usize,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// p50 / p95 / max of each module's valid-request latencies, by phase and the plan's module order.
pub fn module_latencies(result: &RunResult, plan: Option<&Plan>) -> Vec<ModuleLatency> {
    use crate::result::percentile;
    use std::collections::BTreeMap;
    let mut by: BTreeMap<(u8, usize, String), Vec<f64>> = BTreeMap::new();
    for e in &result.endpoints {
        let order = plan
            .and_then(|p| p.modules.iter().position(|m| m.id == e.module))
            .unwrap_or(usize::MAX);
        let lat = by.entry((e.phase, order, e.module.clone())).or_default();
        lat.extend(e.latency_ms);
    }
    by.into_iter()
        .map(|((phase, _, module), lat)| ModuleLatency {
            phase,
            name: plan.and_then(|p| p.module_name(&module).map(str::to_string)),
            module,
            measured: lat.len(),
            p50: percentile(&lat, 50.0),
            p95: percentile(&lat, 95.0),
            max: lat.iter().copied().reduce(f64::max),
        })
        .collect()
}

/// One line saying what went wrong in a case: its reason, or its first finding.
pub fn case_summary(case: &crate::result::CaseResult) -> String {
    if let Some(f) = case.findings.first() {
        let at = f
            .path
            .as_ref()
            .map_or(String::new(), |p| format!(" at {p}"));
        let more = if case.findings.len() > 1 {
            format!(" (+{} more)", case.findings.len() - 1)
        } else {
            String::new()
        };
        format!("{}{at}: {}{more}", f.check.as_str(), f.message)
    } else if let Some(r) = &case.reason {
        r.clone()
    } else {
        case.status.as_str().to_string()
    }
}

/// `12 ms` / `-`.
pub fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.0} ms"))
}
