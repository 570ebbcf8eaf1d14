//! The guard of an environment marked `production = true`: it gets reads only. An endpoint check that
//! would write (the endpoint itself, or a step of its setup) and a scenario with a write step are
//! skipped, each saying why, unless `--allow-writes`; registering test users is refused at login
//! (`session.rs`) and the security checks never run there (`endpoint/security`).

use super::context::Context;
use crate::contract::Contract;
use crate::result::{CaseKind, CaseResult, ScenarioResult, Status};
use crate::scenario::{Scenario, Step};

/// Why an endpoint check would send a write: the endpoint itself, or a setup step that writes.
pub(crate) fn refused_endpoint(cx: &Context<'_>, c: &Contract) -> Option<String> {
    let why = cx.config.refuses_writes()?;
    if c.method != "GET" {
        return Some(why);
    }
    let setup = c.run.iter().flat_map(|r| &r.setup);
    let writes = setup
        .filter_map(|step| Some((step, cx.catalog.contract(&step.endpoint)?)))
        .find(|(_, callee)| callee.method != "GET");
    writes.map(|(step, callee)| {
        let spelling = cx.spelling(callee);
        format!("准备步骤 {} 是写请求 ({spelling}); {why}", step.name)
    })
}

/// On an environment that refuses writes, a scenario with a write step is not run: every step is
/// skipped, each saying why (a write, or a step of a flow that writes).
pub(crate) fn refused_scenario(cx: &Context<'_>, s: &Scenario) -> Option<ScenarioResult> {
    let why = cx.config.refuses_writes()?;
    let method = |step: &Step| {
        cx.catalog
            .contract(&step.endpoint)
            .map(|c| c.method.as_str())
    };
    let first_write = s
        .steps
        .iter()
        .find(|st| method(st).is_some_and(|m| m != "GET"))?;
    let steps = (s.steps.iter())
        .map(|step| {
            let reason = if method(step).is_some_and(|m| m != "GET") {
                why.clone()
            } else {
                format!("场景含写请求 (步骤 {}), 未运行", first_write.name)
            };
            let c = cx.catalog.contract(&step.endpoint);
            let id = c.map_or(step.endpoint.clone(), |c| c.id.clone());
            let spelling = c.map_or(step.endpoint.clone(), |c| cx.spelling(c));
            CaseResult::without_request(
                &step.name,
                CaseKind::Step,
                &id,
                &spelling,
                Status::Skipped,
                reason,
            )
        })
        .collect();
    Some(ScenarioResult {
        name: s.name.clone(),
        title: s.title.clone(),
        phase: s.phase,
        file: s.file.clone(),
        status: Status::Skipped,
        reason: Some(format!("步骤 {} 是写请求; {why}", first_write.name)),
        steps,
        attempts: 1,
        earlier_attempts: vec![],
    })
}
