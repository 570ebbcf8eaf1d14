//! A whole scenario: its variables, its steps in order with sessions of its own, and its status.

use super::{run_step, Flow};
use crate::exec::context::Context;
use crate::exec::session::Sessions;
use crate::redact::SecretKind;
use crate::result::{CaseKind, CaseResult, ScenarioResult, Status};
use crate::scenario::template::{render, Vars};
use crate::scenario::Scenario;
use serde_json::Value;

/// A scenario: its own sessions, its steps in order.
pub(crate) async fn run(cx: &Context<'_>, s: &Scenario) -> ScenarioResult {
    let sessions = Sessions::new();
    let mut flow = Flow::new(&sessions, cx.base_vars());
    if let Some(refused) = crate::exec::production::refused_scenario(cx, s) {
        return refused;
    }
    let vars_failure = render_scenario_vars(cx, s, &mut flow.vars);
    let mut steps = vec![];
    if vars_failure.is_none() {
        for step in &s.steps {
            steps.push(run_step(cx, &mut flow, step, CaseKind::Step).await);
        }
    }
    let status = scenario_status(vars_failure.is_some(), &steps, &flow.blocked_by_skip);
    let reason = match status {
        Status::Skipped => skipped_because(&steps, &flow.blocked_by_skip),
        _ => vars_failure,
    };
    ScenarioResult {
        name: s.name.clone(),
        title: s.title.clone(),
        phase: s.phase,
        file: s.file.clone(),
        status,
        reason,
        steps,
        attempts: 1,
        earlier_attempts: vec![],
    }
}

/// Renders the scenario's `vars` (phones and passwords become secrets); the last failure, if any.
fn render_scenario_vars(cx: &Context<'_>, s: &Scenario, vars: &mut Vars) -> Option<String> {
    let mut failure = None;
    for (k, v) in &s.vars {
        match render(v, vars, cx.builtins) {
            Ok(val) => {
                if let Value::String(text) = &val {
                    if k.contains("phone") {
                        cx.redactor.add(text, SecretKind::Phone);
                    }
                    if k.contains("password") {
                        cx.redactor.add(text, SecretKind::Password);
                    }
                }
                vars.insert(k.clone(), val);
            }
            Err(e) => failure = Some(format!("vars.{k}: {e}")),
        }
    }
    failure
}

/// A scenario's status from its steps: a failure says the most, then an unmounted route, an error, a
/// block. A block whose root is a skip is no failure: a scenario whose only gaps are skipped steps
/// (an account that is not configured) and what depends on them is skipped.
pub(super) fn scenario_status(
    vars_failed: bool,
    steps: &[CaseResult],
    blocked_by_skip: &[String],
) -> Status {
    let excused = |k: &CaseResult| k.status == Status::Blocked && blocked_by_skip.contains(&k.name);
    let any = |st: Status| steps.iter().any(|k| k.status == st && !excused(k));
    if vars_failed {
        Status::Error
    } else if any(Status::Failed) {
        Status::Failed
    } else if any(Status::NotActivated) {
        Status::NotActivated
    } else if any(Status::Error) {
        Status::Error
    } else if any(Status::Blocked) {
        Status::Blocked
    } else if any(Status::Skipped) {
        Status::Skipped
    } else {
        Status::Passed
    }
}

/// `2 步跳过, 5 步因此阻塞: 需要 staff 账号: …`: what did not run, and the first skip's reason.
fn skipped_because(steps: &[CaseResult], blocked_by_skip: &[String]) -> Option<String> {
    let skipped: Vec<&CaseResult> = (steps.iter())
        .filter(|k| k.status == Status::Skipped)
        .collect();
    let first = skipped.first()?;
    let blocked = match blocked_by_skip.len() {
        0 => String::new(),
        n => format!(", {n} 步因此阻塞"),
    };
    Some(format!(
        "{} 步跳过{blocked}: {}",
        skipped.len(),
        first.reason.as_deref().unwrap_or_default()
    ))
}
