//! Setup steps of endpoint checks (the requests that fetch real ids first). Many endpoints share the
//! same setup (the city list before every store endpoint): an identical read is sent once per run and
//! every endpoint that needs it takes its values from that one answer. Writes are never shared: each
//! endpoint's setup creates its own records.

use super::context::Context;
use super::scenario::{finish_step, prepare_step, send_step, Flow};
use crate::result::{CaseKind, CaseResult};
use crate::scenario::Step;

/// Runs one setup step. `shared` says the check uses the run's sessions (a check with a fresh session
/// of its own has a token nobody else has, so its reads are not shared).
pub(crate) async fn run_setup_step(
    cx: &Context<'_>,
    flow: &mut Flow<'_>,
    step: &Step,
    shared: bool,
) -> CaseResult {
    let kind = CaseKind::Setup;
    let (c, request) = match prepare_step(cx, flow, step, kind).await {
        Ok(ready) => ready,
        Err(blocked_or_broken) => return blocked_or_broken,
    };
    let sent = if shared && c.method == "GET" {
        // The same request, account and expectation is the same answer; the step's name is part of
        // the key only because the result carries it.
        let key = format!("{}\u{1}{}\u{1}{request:?}", c.id, step.name);
        let slot = cx.setups.slot(key);
        let sessions = flow.sessions;
        slot.get_or_init(|| send_step(cx, sessions, step, c, request, kind))
            .await
            .clone()
    } else {
        send_step(cx, flow.sessions, step, c, request, kind).await
    };
    finish_step(cx, flow, step, sent)
}
