//! A journey (a cross-phase scenario) as a timeline: each step a row with who acted, how it ended and
//! how long it took against the latency budget, so where the journey breaks, and what it waited on,
//! shows at a glance.

use crate::report::case_summary;
use crate::result::{CaseResult, RunResult, ScenarioResult, Status};

/// One journey of the run.
#[derive(Debug, Clone)]
pub struct Timeline<'a> {
    pub scenario: &'a ScenarioResult,
    pub rows: Vec<TimelineRow<'a>>,
    /// The run's latency budget, which each step's bar is drawn against.
    pub budget_ms: u64,
    /// The first step that did not pass for a reason of the backend (a skip is not one): where the
    /// journey breaks.
    pub breaks_at: Option<usize>,
    /// The time spent waiting on answers, every step together.
    pub total_ms: f64,
    /// The slowest step, when any was sent.
    pub slowest: Option<usize>,
}

/// One step of a journey.
#[derive(Debug, Clone)]
pub struct TimelineRow<'a> {
    /// 1-based, as the file lists the steps.
    pub number: usize,
    pub step: &'a CaseResult,
    /// Who acted (`customer`, `staff`), `-` when it sent no token.
    pub account: &'a str,
    /// Its latency as a share of the budget (1.0 is the budget), when it was sent.
    pub of_budget: Option<f64>,
    /// The time waited before it: the latencies of the steps before, together.
    pub started_ms: f64,
    /// Why it did not pass, in one line; nothing when it passed.
    pub note: Option<String>,
}

impl Timeline<'_> {
    /// `35 步 · 通过 33 · 跳过 2 · 等待 123 ms · 最慢 create_order 8 ms · 中断于 #22 staff_confirms`.
    pub fn headline(&self) -> String {
        let mut parts = vec![format!("{} 步", self.rows.len())];
        for s in Status::ALL {
            let n = self.rows.iter().filter(|r| r.step.status == s).count();
            if n > 0 {
                parts.push(format!("{} {n}", s.chinese()));
            }
        }
        parts.push(format!("等待 {:.0} ms", self.total_ms));
        if let Some(row) = self.slowest.map(|i| &self.rows[i]) {
            let ms = row.step.latency_ms.unwrap_or_default();
            parts.push(format!("最慢 {} {ms:.0} ms", row.step.name));
        }
        if let Some(row) = self.breaks_at.map(|i| &self.rows[i]) {
            parts.push(format!("中断于 #{} {}", row.number, row.step.name));
        }
        parts.join(" · ")
    }
}

/// The timelines of the run's cross-phase scenarios, in run order.
pub fn timelines(result: &RunResult) -> Vec<Timeline<'_>> {
    (result.scenarios.iter())
        .filter(|s| s.phase.is_end_to_end())
        .map(|s| timeline(s, result.latency_budget_ms))
        .collect()
}

fn timeline(scenario: &ScenarioResult, budget_ms: u64) -> Timeline<'_> {
    let mut started_ms = 0.0;
    let rows: Vec<TimelineRow> = (scenario.steps.iter().enumerate())
        .map(|(i, step)| {
            let latency = step.latency_ms.filter(|l| l.is_finite() && *l >= 0.0);
            let row = TimelineRow {
                number: i + 1,
                step,
                account: step.account.as_deref().unwrap_or("-"),
                of_budget: latency.map(|l| l / budget_ms.max(1) as f64),
                started_ms,
                note: (step.status != Status::Passed).then(|| case_summary(step)),
            };
            started_ms += latency.unwrap_or_default();
            row
        })
        .collect();
    let breaks_at = rows
        .iter()
        .position(|r| r.step.status.is_failure() && !blocked_by_skip(scenario, r.step));
    let slowest = (rows.iter().enumerate())
        .filter_map(|(i, r)| Some((i, r.step.latency_ms?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    Timeline {
        scenario,
        rows,
        budget_ms,
        breaks_at,
        total_ms: started_ms,
        slowest,
    }
}

/// In a journey that was skipped (only skips and what they block kept it from its end), a blocked
/// step waits on a skip, not on the backend.
fn blocked_by_skip(scenario: &ScenarioResult, step: &CaseResult) -> bool {
    scenario.status == Status::Skipped && step.status == Status::Blocked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{CaseKind, ScenarioPhase};

    fn step(name: &str, account: Option<&str>, status: Status, ms: Option<f64>) -> CaseResult {
        let mut k =
            CaseResult::without_request(name, CaseKind::Step, "c", "GET /x", status, "因为".into());
        k.reason = (status != Status::Passed).then(|| format!("{name} 的原因"));
        k.account = account.map(str::to_string);
        k.latency_ms = ms;
        k
    }

    fn journey(status: Status, steps: Vec<CaseResult>) -> ScenarioResult {
        ScenarioResult {
            name: "journey".into(),
            title: "t".into(),
            phase: ScenarioPhase::EndToEnd,
            file: "scenarios/journey.toml".into(),
            status,
            reason: None,
            steps,
            attempts: 1,
            earlier_attempts: vec![],
        }
    }

    #[test]
    fn rows_carry_who_acted_their_share_of_the_budget_and_the_time_waited_before() {
        let s = journey(
            Status::Failed,
            vec![
                step("login", None, Status::Passed, Some(100.0)),
                step("pay", Some("customer"), Status::Passed, Some(500.0)),
                step("confirm", Some("staff"), Status::Failed, Some(3000.0)),
                step("sees", Some("customer"), Status::Blocked, None),
            ],
        );
        let t = timeline(&s, 2000);
        let shown: Vec<(usize, &str, Option<f64>, f64)> = (t.rows.iter())
            .map(|r| (r.number, r.account, r.of_budget, r.started_ms))
            .collect();
        assert_eq!(
            shown,
            [
                (1, "-", Some(0.05), 0.0),
                (2, "customer", Some(0.25), 100.0),
                (3, "staff", Some(1.5), 600.0),
                (4, "customer", None, 3600.0),
            ]
        );
        assert_eq!(t.breaks_at, Some(2));
        assert_eq!(t.slowest, Some(2));
        assert_eq!(t.rows[3].note.as_deref(), Some("sees 的原因"));
        assert_eq!(t.rows[0].note, None);
        assert_eq!(
            t.headline(),
            "4 步 · 通过 2 · 失败 1 · 阻塞 1 · 等待 3600 ms · 最慢 confirm 3000 ms · 中断于 #3 confirm"
        );
    }

    #[test]
    fn a_journey_kept_from_its_end_by_a_skip_does_not_break() {
        let s = journey(
            Status::Skipped,
            vec![
                step("pay", Some("customer"), Status::Passed, Some(5.0)),
                step("confirm", Some("staff"), Status::Skipped, None),
                step("sees", Some("customer"), Status::Blocked, None),
            ],
        );
        let t = timeline(&s, 2000);
        assert_eq!(t.breaks_at, None);
        assert!(!t.headline().contains("中断"), "{}", t.headline());
    }
}
