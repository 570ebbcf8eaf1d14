//! What every report shows, computed once from a run's result and, when known, the plan.
//!
//! A renderer formats a [`View`]: what goes together and in which order is decided here, once, so
//! the formats cannot drift apart: the setup steps worth showing, the root causes shared by several
//! endpoints ([`causes`]), and the security findings every format shows first ([`security`]).
//! Groupings still to come (what each terminal output level shows) belong here too, as more fields
//! of the view.

mod alike;
mod causes;
mod coverage;
mod security;
mod timeline;

pub use alike::{alike, CaseGroup};
pub use causes::{names, CauseKind, RootCause, RootCauses, ROOT_CAUSE_LINES};
pub use coverage::{unregistered_nearest, unregistered_request, CoverageView};
pub use security::{security_groups, SecurityGroup, SecurityItem};
pub use timeline::{Timeline, TimelineRow};

use crate::plan::{phase_label, Plan};
use crate::result::{
    percentile, Attempt, CaseResult, Counts, EndpointResult, RunResult, ScenarioPhase,
    ScenarioResult, SetupResult, Status, Summary,
};
use std::collections::BTreeMap;

/// A setup's users are named up to this many, then `…`.
const SETUP_USERS_SHOWN: usize = 5;

/// A run as the reports show it.
pub struct View<'a> {
    /// The run itself, for what a format lists whole (every endpoint, every case, the JSON).
    pub result: &'a RunResult,
    /// contracts/plan.toml: phase and module names, and the phases that did not run.
    pub plan: Option<&'a Plan>,
    /// Every phase of the run (and, with the plan, every phase of the plan), in order.
    pub phases: Vec<PhaseView<'a>>,
    /// Each module's endpoints, by phase and the plan's module order.
    pub modules: Vec<ModuleView>,
    /// Everything that did not pass, in display order: endpoints (in run order), then scenarios.
    pub failures: Vec<Failure<'a>>,
    /// Endpoints that were skipped, in run order (each has its reason).
    pub skipped: Vec<&'a EndpointResult>,
    /// Endpoints, then scenarios, that passed only on a retry: not silently green.
    pub flaky: Vec<Subject<'a>>,
    /// Setup steps that did not pass or found something, each once, in run order (the endpoints
    /// that used them do not repeat them).
    pub setups: Vec<&'a SetupResult>,
    /// 根因汇总: findings and blocked endpoints grouped by cause across the run.
    pub root_causes: RootCauses,
    /// 联调覆盖, after a proxy session or a HAR file: what the front end exercised of the plan.
    pub coverage: Option<CoverageView<'a>>,
    /// Each journey (cross-phase scenario) as a timeline of its steps.
    pub timelines: Vec<Timeline<'a>>,
    /// 安全: the security findings, by check, shown first.
    pub security: Vec<SecurityGroup<'a>>,
}

impl<'a> View<'a> {
    pub fn new(result: &'a RunResult, plan: Option<&'a Plan>) -> View<'a> {
        let endpoints = result.endpoints.iter().map(Subject::Endpoint);
        let scenarios = result.scenarios.iter().map(Subject::Scenario);
        let subjects = || endpoints.clone().chain(scenarios.clone());
        View {
            result,
            plan,
            phases: phase_views(result, plan),
            modules: module_views(result, plan),
            failures: subjects()
                .filter(|s| s.status().is_failure())
                .map(|subject| Failure {
                    subject,
                    cases: subject
                        .cases()
                        .iter()
                        .filter(|k| k.status != Status::Passed)
                        .collect(),
                })
                .collect(),
            skipped: result
                .endpoints
                .iter()
                .filter(|e| e.status == Status::Skipped)
                .collect(),
            flaky: subjects().filter(|s| s.flaky()).collect(),
            setups: result
                .setups
                .iter()
                .filter(|s| s.case.status != Status::Passed || !s.case.findings.is_empty())
                .collect(),
            root_causes: causes::root_causes(result),
            coverage: CoverageView::of(result),
            timelines: timeline::timelines(result),
            security: security_groups(result),
        }
    }

    /// What the run could not do and how to fix it, a line each: the base URL when nearly every route
    /// was unmounted, and each account it needed and did not have (`staff 账号未配置, 需要它的步骤已跳过:
    /// 设置环境变量 …`).
    pub fn warning_lines(&self) -> Vec<String> {
        let route = self.result.route_hint.iter().map(|h| h.line());
        let accounts = (self.result.missing_accounts.iter()).map(|m| {
            format!(
                "{} 账号未配置, 需要它的步骤和检查已跳过: {}",
                m.account, m.how
            )
        });
        let notes = self.result.notes.iter().cloned();
        route.chain(notes).chain(accounts).collect()
    }

    /// The counts of the whole run.
    pub fn summary(&self) -> &'a Summary {
        &self.result.summary
    }

    /// How many security problems the run has (the same finding met again on an endpoint is one).
    pub fn security_findings(&self) -> usize {
        self.security.iter().map(|g| g.items.len()).sum()
    }

    /// True when nothing failed (skips allowed).
    pub fn passed(&self) -> bool {
        self.result.passed()
    }

    /// The run's facts, as the reports' headers list them.
    pub fn facts(&self) -> [(&'static str, String); 7] {
        let r = self.result;
        [
            ("环境", format!("{} ({})", r.env, r.base_url)),
            ("范围", r.selection.clone()),
            ("开始时间", r.started_at.clone()),
            ("结束时间", r.finished_at.clone()),
            ("用时", format!("{:.1} 秒", r.duration_ms / 1000.0)),
            ("响应时间预算", format!("{} ms", r.latency_budget_ms)),
            ("工具", r.tool.clone()),
        ]
    }

    /// The plan's result line of each phase that ran endpoints (see [`PhaseView::result_line`]).
    pub fn phase_lines(&self) -> Vec<String> {
        self.phases
            .iter()
            .filter_map(PhaseView::result_line)
            .collect()
    }

    /// A module as the reports name it: `用户认证模块 (auth)` when the plan knows it, else `auth`.
    pub fn module_label(&self, id: &str) -> String {
        module_label(self.plan.and_then(|p| p.module_name(id)), id)
    }
}

/// `被 13 个接口使用: stores.list, stores.detail, …`: who used a setup step, names cut after a few.
pub fn used_by(setup: &SetupResult) -> String {
    format!(
        "被 {} 个接口使用: {}",
        setup.used_by.len(),
        names(&setup.used_by, SETUP_USERS_SHOWN)
    )
}

fn module_label(name: Option<&str>, id: &str) -> String {
    name.map_or(id.to_string(), |n| format!("{n} ({id})"))
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

    /// 有问题 when anything in the phase failed; 待开始 when nothing of it ran; 进行中 when fewer
    /// endpoints ran than the plan lists for it; 已完成 otherwise.
    fn of(endpoints: &Counts, scenarios: &Counts, planned: Option<usize>) -> PhaseState {
        if endpoints.total == 0 && scenarios.total == 0 {
            PhaseState::NotStarted
        } else if endpoints.failures() > 0 || scenarios.failures() > 0 {
            PhaseState::Problem
        } else if planned.is_some_and(|n| endpoints.total < n) {
            PhaseState::InProgress
        } else {
            PhaseState::Done
        }
    }
}

/// One phase as the reports show it.
#[derive(Debug, Clone)]
pub struct PhaseView<'a> {
    pub number: u8,
    /// The plan's heading name (核心认证模块), when the plan is known.
    pub name: Option<String>,
    /// Endpoint counts of this run.
    pub endpoints: Counts,
    pub scenarios: Counts,
    /// Endpoints the plan lists for the phase, when the plan is known.
    pub planned: Option<usize>,
    pub state: PhaseState,
    /// The phase's skipped endpoints, in run order.
    pub skipped: Vec<&'a EndpointResult>,
}

impl PhaseView<'_> {
    /// `阶段一 核心认证模块`.
    pub fn title(&self) -> String {
        let label = phase_label(self.number);
        match &self.name {
            Some(n) if *n != label => format!("{label} {n}"),
            _ => label,
        }
    }

    /// The plan's own line, when endpoints of the phase ran:
    /// `阶段一 测试结果: 9/10 接口测试通过 (微信授权登录: 需小程序环境)`.
    pub fn result_line(&self) -> Option<String> {
        if self.endpoints.total == 0 {
            return None;
        }
        let mut line = format!(
            "{} 测试结果: {}/{} 接口测试通过",
            phase_label(self.number),
            self.endpoints.passed,
            self.endpoints.total
        );
        if !self.skipped.is_empty() {
            let reasons: Vec<String> = self
                .skipped
                .iter()
                .map(|e| format!("{}: {}", e.name, e.reason.as_deref().unwrap_or_default()))
                .collect();
            line.push_str(&format!(" ({})", reasons.join("; ")));
        }
        Some(line)
    }
}

#[derive(Default)]
struct PhaseTally<'a> {
    endpoints: Counts,
    scenarios: Counts,
    skipped: Vec<&'a EndpointResult>,
}

fn phase_views<'a>(result: &'a RunResult, plan: Option<&Plan>) -> Vec<PhaseView<'a>> {
    let mut by: BTreeMap<u8, PhaseTally> = BTreeMap::new();
    for ph in plan.map_or(&[][..], |p| &p.phases) {
        // Phase 0 (the health check) is shown only when it ran.
        if ph.number > 0 {
            by.entry(ph.number).or_default();
        }
    }
    for e in &result.endpoints {
        let tally = by.entry(e.phase).or_default();
        tally.endpoints.add(e.status);
        if e.status == Status::Skipped {
            tally.skipped.push(e);
        }
    }
    // A cross-phase scenario counts in no phase.
    for s in &result.scenarios {
        if let Some(n) = s.phase.plan() {
            by.entry(n).or_default().scenarios.add(s.status);
        }
    }
    by.into_iter()
        .map(|(number, tally)| {
            let phase = plan.and_then(|p| p.phase(number));
            let planned = phase.map(|p| p.endpoints.len());
            PhaseView {
                number,
                name: phase.map(|p| p.name.clone()),
                state: PhaseState::of(&tally.endpoints, &tally.scenarios, planned),
                endpoints: tally.endpoints,
                scenarios: tally.scenarios,
                planned,
                skipped: tally.skipped,
            }
        })
        .collect()
}

/// One module's endpoints of one phase: their statuses and their valid requests' latencies.
#[derive(Debug, Clone)]
pub struct ModuleView {
    pub phase: u8,
    pub module: String,
    /// The plan's module name (用户认证模块), when the plan is known.
    pub name: Option<String>,
    pub endpoints: Counts,
    /// Endpoints with a measured latency.
    pub measured: usize,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

impl ModuleView {
    /// `用户认证模块 (auth)` when the plan knows the module, else `auth`.
    pub fn label(&self) -> String {
        module_label(self.name.as_deref(), &self.module)
    }
}

fn module_views(result: &RunResult, plan: Option<&Plan>) -> Vec<ModuleView> {
    let mut by: BTreeMap<(u8, usize, &str), (Counts, Vec<f64>)> = BTreeMap::new();
    for e in &result.endpoints {
        let order = plan
            .and_then(|p| p.modules.iter().position(|m| m.id == e.module))
            .unwrap_or(usize::MAX);
        let (counts, latencies) = by.entry((e.phase, order, &e.module)).or_default();
        counts.add(e.status);
        latencies.extend(e.latency_ms);
    }
    by.into_iter()
        .map(|((phase, _, module), (endpoints, lat))| ModuleView {
            phase,
            name: plan.and_then(|p| p.module_name(module).map(str::to_string)),
            module: module.to_string(),
            endpoints,
            measured: lat.len(),
            p50: percentile(&lat, 50.0),
            p95: percentile(&lat, 95.0),
            max: lat.iter().copied().reduce(f64::max),
        })
        .collect()
}

/// What a report line is about: an endpoint check or a scenario.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Endpoint(&'a EndpointResult),
    Scenario(&'a ScenarioResult),
}

impl<'a> Subject<'a> {
    pub fn status(self) -> Status {
        match self {
            Subject::Endpoint(e) => e.status,
            Subject::Scenario(s) => s.status,
        }
    }

    pub fn reason(self) -> Option<&'a str> {
        match self {
            Subject::Endpoint(e) => e.reason.as_deref(),
            Subject::Scenario(s) => s.reason.as_deref(),
        }
    }

    pub fn phase(self) -> ScenarioPhase {
        match self {
            Subject::Endpoint(e) => ScenarioPhase::Plan(e.phase),
            Subject::Scenario(s) => s.phase,
        }
    }

    pub fn attempts(self) -> u32 {
        match self {
            Subject::Endpoint(e) => e.attempts,
            Subject::Scenario(s) => s.attempts,
        }
    }

    /// The attempts before the last, when it was re-run (`--retries`).
    pub fn earlier_attempts(self) -> &'a [Attempt] {
        match self {
            Subject::Endpoint(e) => &e.earlier_attempts,
            Subject::Scenario(s) => &s.earlier_attempts,
        }
    }

    /// An endpoint's requests, or a scenario's steps.
    pub fn cases(self) -> &'a [CaseResult] {
        match self {
            Subject::Endpoint(e) => &e.cases,
            Subject::Scenario(s) => &s.steps,
        }
    }

    fn flaky(self) -> bool {
        match self {
            Subject::Endpoint(e) => e.flaky(),
            Subject::Scenario(s) => s.flaky(),
        }
    }
}

/// An endpoint or scenario that did not pass, with its cases (steps) that did not pass, in order.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    pub subject: Subject<'a>,
    pub cases: Vec<&'a CaseResult>,
}

#[cfg(test)]
mod tests;
