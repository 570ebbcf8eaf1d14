//! The pieces of the plan's update, each an edit of one kind of line: the endpoint marks, a
//! phase's 测试结果 / 完成时间 lines, its 联调进度表 row, and the 按状态统计 numbers.

use super::parse::Listing;
use super::warnings;
use crate::docs::markdown::replace_cells;
use crate::docs::plan::{mark, Activation, EndpointLine, PhaseSection, PlanDoc, ProgressRow};
use crate::docs::{Doc, Edits};
use crate::progress::verdict::{route_active, verdict, Verdict, BLOCKED, NOT_ACTIVATED};
use crate::report::PhaseState;
use crate::result::{EndpointResult, RunResult, Status};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{4}-\d{2}-\d{2}").expect("static regex"));

/// An endpoint line's mark and note after the update, and whether this run covered it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Marked {
    pub mark: Option<String>,
    pub note: Option<String>,
    /// The line's endpoint has a result in this run.
    pub ran: bool,
}

/// What a line's mark says, for its phase's state and the notes of its 测试结果; in the order
/// the notes list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Failed,
    NotActivated,
    Blocked,
    /// 🔄: checked without a verdict (a request that could not be built), or the team's own 🔄.
    Unfinished,
    /// No mark, or ⏳.
    Untested,
    Skipped,
    Passed,
}

impl Standing {
    const NOT_PASSED: [Standing; 5] = [
        Standing::Failed,
        Standing::NotActivated,
        Standing::Blocked,
        Standing::Unfinished,
        Standing::Untested,
    ];

    /// How the 测试结果 notes name it.
    fn label(self) -> &'static str {
        match self {
            Standing::Failed => "测试失败",
            Standing::NotActivated => NOT_ACTIVATED,
            Standing::Blocked => BLOCKED,
            Standing::Unfinished => "未完成",
            Standing::Untested => "未测试",
            Standing::Skipped => "跳过",
            Standing::Passed => "通过",
        }
    }

    /// A line that says the backend has a problem: the phase has one.
    fn is_problem(self) -> bool {
        matches!(
            self,
            Standing::Failed | Standing::NotActivated | Standing::Blocked
        )
    }
}

impl Marked {
    fn standing(&self) -> Standing {
        let note = self.note.as_deref().unwrap_or_default();
        match self.mark.as_deref() {
            Some(m) if mark::same(m, mark::PASSED) => Standing::Passed,
            Some(m) if mark::same(m, mark::FAILED) && note == NOT_ACTIVATED => {
                Standing::NotActivated
            }
            Some(m) if mark::same(m, mark::FAILED) => Standing::Failed,
            Some(m) if mark::is_skipped(m) && note.starts_with(BLOCKED) => Standing::Blocked,
            Some(m) if mark::is_skipped(m) => Standing::Skipped,
            Some(m) if mark::same(m, mark::IN_PROGRESS) => Standing::Unfinished,
            _ => Standing::Untested,
        }
    }
}

/// The results by endpoint (the first result of an endpoint wins), and which phases they touch.
pub(super) struct RunIndex<'r> {
    by_endpoint: HashMap<&'r str, &'r EndpointResult>,
    /// Phases with results (endpoints or scenarios), the health check's 0 included.
    pub touched: BTreeSet<u8>,
    /// Phases where something failed in the run (scenarios included).
    problem: BTreeSet<u8>,
    /// The note of a line that passed: `已测试通过` after a run, `联调通过` after a proxy session
    /// (the front end exercised the endpoint and every exchange passed).
    passed_note: &'static str,
}

impl<'r> RunIndex<'r> {
    pub(super) fn of(result: &'r RunResult) -> RunIndex<'r> {
        let endpoints = result.endpoints.iter().map(|e| (e.phase, e.status));
        // A cross-phase scenario belongs to no phase of the plan.
        let scenarios = (result.scenarios.iter()).filter_map(|s| Some((s.phase.plan()?, s.status)));
        let all: Vec<(u8, Status)> = endpoints.chain(scenarios).collect();
        RunIndex {
            by_endpoint: result
                .endpoints
                .iter()
                .rev()
                .map(|e| (e.endpoint.as_str(), e))
                .collect(),
            touched: all.iter().map(|(p, _)| *p).collect(),
            problem: all
                .iter()
                .filter(|(_, s)| s.is_failure())
                .map(|(p, _)| *p)
                .collect(),
            passed_note: if result.proxy.is_some() {
                "联调通过"
            } else {
                "已测试通过"
            },
        }
    }
}

/// Marks every endpoint line from its result; returns every line's mark after the update, by line.
pub(super) fn endpoint_marks(
    doc: &Doc,
    plan: &PlanDoc,
    run: &RunIndex,
    edits: &mut Edits,
) -> HashMap<usize, Marked> {
    let mut marks = HashMap::new();
    for (_, l) in plan.endpoint_lines() {
        let v = run.by_endpoint.get(l.endpoint.as_str()).map(|e| verdict(e));
        let m = marked_as(l, v, run.passed_note);
        let same_mark = match (&m.mark, &l.mark) {
            (Some(a), Some(b)) => mark::same(a, b),
            (None, None) => true,
            _ => false,
        };
        if !(same_mark && m.note == l.note) {
            edits.replace(doc, l.line, endpoint_line_text(l, &m));
        }
        marks.insert(l.line, m);
    }
    marks
}

/// [`marked_as`] after a run.
#[cfg(test)]
fn new_mark(l: &EndpointLine, v: Option<Verdict>) -> Marked {
    marked_as(l, v, "已测试通过")
}

/// What a verdict makes of a line: ✅ keeps the team's note if it was ✅ already, else gets
/// `passed_note`; ❌ says what failed; ⏸️ says why it was skipped (the line's own note when it was a
/// skip and the result gives no reason) or blocked; 🔄 why the request could not be built. No
/// result leaves the line as it is.
fn marked_as(l: &EndpointLine, v: Option<Verdict>, passed_note: &str) -> Marked {
    let with = |mark: &str, note: String| Marked {
        mark: Some(mark.into()),
        note: Some(note),
        ran: true,
    };
    let kept = Marked {
        mark: l.mark.clone(),
        note: l.note.clone(),
        ran: false,
    };
    match v {
        None => kept,
        Some(Verdict::Passed) => Marked {
            mark: Some(mark::PASSED.into()),
            note: if l.mark.as_deref() == Some(mark::PASSED) {
                l.note.clone()
            } else {
                Some(passed_note.into())
            },
            ran: true,
        },
        Some(Verdict::Failed {
            not_activated,
            detail,
        }) => with(
            mark::FAILED,
            if not_activated {
                detail
            } else {
                format!("测试失败: {detail}")
            },
        ),
        Some(Verdict::Skipped(reason)) => {
            let note = reason
                .or_else(|| (kept.standing() == Standing::Skipped).then_some(kept.note)?)
                .unwrap_or_else(|| "跳过".into());
            with(mark::SKIPPED, note)
        }
        Some(Verdict::Blocked(why)) => with(mark::SKIPPED, why),
        Some(Verdict::Unfinished(why)) => with(mark::IN_PROGRESS, why),
    }
}

/// `N. [mark ]body[ (note)]`.
fn endpoint_line_text(l: &EndpointLine, m: &Marked) -> String {
    let mut line = l.prefix.clone();
    if let Some(mark) = &m.mark {
        line.push_str(mark);
        line.push(' ');
    }
    line.push_str(&l.body);
    if let Some(n) = &m.note {
        line.push_str(&format!(" ({n})"));
    }
    line
}

/// A phase's standing after the marks: its state, and its 测试结果 text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PhaseProgress {
    pub state: PhaseState,
    /// `X/Y 接口测试通过 (名称: 原因; N 个后端路由未激活; …)`.
    pub result_text: String,
}

/// A problem when a line says the backend has one (❌, ⏸️ 阻塞) or something of the phase did not
/// pass in the run (scenarios included); done when this run covered every line and every line is
/// ✅ or a skip (at least one ✅); else in progress.
///
/// X counts the ✅ lines: on a run that covered the phase, exactly the endpoints it passed; on a
/// partial run, the lines it did not cover count as their marks say (a line it covered is ✅ only
/// if it passed). The notes say what is not ✅ in a few words: each kind once (`创建支付订单:
/// 后端路由未激活`, or `3 个阻塞` when several), then each skip with its reason.
pub(super) fn phase_progress(
    s: &PhaseSection,
    marks: &HashMap<usize, Marked>,
    run: &RunIndex,
) -> PhaseProgress {
    let marked: Vec<(&EndpointLine, Marked)> = s
        .endpoints
        .iter()
        .map(|l| (l, marks.get(&l.line).cloned().unwrap_or_default()))
        .collect();
    let standings: Vec<Standing> = marked.iter().map(|(_, m)| m.standing()).collect();
    let passed = standings.iter().filter(|s| **s == Standing::Passed).count();
    let problem = run.problem.contains(&s.number) || standings.iter().any(|s| s.is_problem());
    let whole = marked.iter().all(|(_, m)| m.ran);
    let complete = standings
        .iter()
        .all(|s| matches!(s, Standing::Passed | Standing::Skipped));
    let state = if problem {
        PhaseState::Problem
    } else if whole && complete && passed > 0 {
        PhaseState::Done
    } else {
        PhaseState::InProgress
    };
    let mut notes: Vec<String> = Standing::NOT_PASSED
        .iter()
        .filter_map(|kind| {
            let names: Vec<&str> = marked
                .iter()
                .filter(|(_, m)| m.standing() == *kind)
                .map(|(l, _)| l.name.as_str())
                .collect();
            match names[..] {
                [] => None,
                [name] => Some(format!("{name}: {}", kind.label())),
                _ => Some(format!("{} 个{}", names.len(), kind.label())),
            }
        })
        .collect();
    notes.extend(
        marked
            .iter()
            .filter(|(_, m)| m.standing() == Standing::Skipped)
            .map(|(l, m)| match &m.note {
                Some(n) => format!("{}: {n}", l.name),
                None => l.name.clone(),
            }),
    );
    let mut result_text = format!("{passed}/{} 接口测试通过", s.endpoints.len());
    if !notes.is_empty() {
        result_text.push_str(&format!(" ({})", notes.join("; ")));
    }
    PhaseProgress { state, result_text }
}

/// The date a done phase was completed: the one its 完成时间 says, else its 进度表 row's when the
/// row says done, else the results' date. `None` when the phase is not done.
pub(super) fn done_date(
    s: &PhaseSection,
    row: Option<&ProgressRow>,
    state: PhaseState,
    date: &str,
) -> Option<String> {
    (state == PhaseState::Done).then(|| {
        let written = s.time.as_ref().and_then(|t| DATE.find(&t.value));
        let in_row = || {
            row.filter(|r| r.cells[3] == PhaseState::Done.label())
                .and_then(|r| DATE.find(&r.cells[4]))
        };
        written
            .or_else(in_row)
            .map_or_else(|| date.to_string(), |m| m.as_str().to_string())
    })
}

/// 测试结果 and 完成时间 (`-` where a date was and the phase is no longer done). A phase without
/// 测试结果 gets it after its API list, after a blank line; 完成时间 is added after 测试结果 when
/// the phase is done and has none.
pub(super) fn phase_lines(
    doc: &Doc,
    s: &PhaseSection,
    result_text: &str,
    done: Option<&str>,
    edits: &mut Edits,
) {
    if let Some(t) = &s.time {
        edits.replace(doc, t.line, format!("{}{}", t.prefix, done.unwrap_or("-")));
    }
    let time_line = done
        .filter(|_| s.time.is_none())
        .map(|d| format!("**完成时间**: {d}"));
    match &s.result {
        Some(r) => {
            edits.replace(doc, r.line, format!("{}{result_text}", r.prefix));
            if let Some(t) = time_line {
                edits.insert_after(r.line, vec![t]);
            }
        }
        None => {
            let last = s
                .endpoints
                .iter()
                .map(|l| l.line)
                .max()
                .unwrap_or(s.heading_line);
            let mut add = vec![String::new(), format!("**测试结果**: {result_text}")];
            add.extend(time_line);
            edits.insert_after(last, add);
        }
    }
}

/// The phase's 联调进度表 row: 状态, 完成日期 (`-` when not done), and 负责人 when one is given.
pub(super) fn progress_row(
    doc: &Doc,
    row: &ProgressRow,
    state: PhaseState,
    done: Option<&str>,
    owner: Option<&str>,
    edits: &mut Edits,
) {
    let mut changes = BTreeMap::new();
    changes.insert(3, state.label().to_string());
    changes.insert(4, done.unwrap_or("-").to_string());
    if let Some(o) = owner {
        changes.insert(5, o.to_string());
    }
    edits.replace(doc, row.line, replace_cells(doc.text(row.line), &changes));
}

/// 按状态统计: 后端已激活 / 后端待激活 from the results, when they tell every listed endpoint, as
/// its mark does: ✅ and ❌ 测试失败 are active, ❌ 后端路由未激活 pending, a blocked endpoint active
/// when its data-free checks found the route. Otherwise (skipped, error, blocked before the
/// route was found) an endpoint counts as its module does: active when any of the module's routes
/// answered, pending when all that were requested hit the catch-all.
pub(super) fn status_counts(
    doc: &Doc,
    plan: &PlanDoc,
    listing: &Listing,
    result: &RunResult,
    edits: &mut Edits,
    warnings: &mut Vec<String>,
) {
    if plan.status_counts.is_empty() {
        return;
    }
    if result.endpoints.is_empty() {
        warnings.extend(warnings::status_sum(plan));
        return;
    }
    let mut module: HashMap<&str, bool> = HashMap::new();
    for e in &result.endpoints {
        match route_active(e) {
            Some(true) => {
                module.insert(e.module.as_str(), true);
            }
            Some(false) => {
                module.entry(e.module.as_str()).or_insert(false);
            }
            None => {}
        }
    }
    // The last result of an endpoint wins here.
    let by_endpoint: HashMap<&str, &EndpointResult> = result
        .endpoints
        .iter()
        .map(|e| (e.endpoint.as_str(), e))
        .collect();
    let (mut active, mut pending, mut unknown) = (0usize, 0usize, 0usize);
    for endpoint in listing.distinct() {
        let known = by_endpoint
            .get(endpoint)
            .and_then(|e| route_active(e).or_else(|| module.get(e.module.as_str()).copied()));
        match known {
            Some(true) => active += 1,
            Some(false) => pending += 1,
            None => unknown += 1,
        }
    }
    if unknown > 0 {
        warnings.push(format!(
            "按状态统计 not updated: the results do not tell whether {unknown} listed endpoint(s) are activated (run every phase to count them)"
        ));
        warnings.extend(warnings::status_sum(plan));
        return;
    }
    for c in &plan.status_counts {
        let n = match c.kind {
            Activation::Active => active,
            Activation::Pending => pending,
        };
        let t = doc.text(c.line);
        let new = format!("{}{n}{}", &t[..c.span.start], &t[c.span.end..]);
        edits.replace(doc, c.line, new);
    }
}

#[cfg(test)]
mod tests;
