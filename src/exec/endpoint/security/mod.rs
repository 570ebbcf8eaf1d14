//! The security cases of one endpoint, derived from what its contract already knows, after its own
//! cases (README「安全检查」):
//!
//! - `isolation` ([`isolation`]): the secondary account on a record the primary created (read, change,
//!   delete: 403 or 404), and the primary's own list never showing the secondary's record;
//! - `malformed_input` ([`malformed`]): bodies of the wrong shape and absurd values get a 4xx envelope;
//! - `client_controlled` ([`client_controlled`]): fields the server owns, sent by the client, never win;
//! - `session_security` ([`sessions`]): tokens that must no longer work get 401.
//!
//! `leakage` is not here: it is a check of the pipeline, on every exchange (`src/check/leakage.rs`).
//!
//! They send with the run's test accounts only, on records this run created (lists aside, which are
//! only read), and never against an environment marked `production = true`: there each check that
//! would apply is one skipped case saying why.

mod client_controlled;
mod isolation;
mod jwt;
mod malformed;
mod sessions;

use super::{spec, EndpointCheck, Prepared};
use crate::contract::security::SecurityCheck;
use crate::contract::RequestParts;
use crate::exec::request::{execute, note_secrets, CaseSpec, Outcome, TokenChoice};
use crate::exec::scenario::Flow;
use crate::exec::session::Sessions;
use crate::result::{CaseKind, CaseResult, Status};
use crate::short::server_text;
use serde_json::Value;

/// The account whose records the secondary tries.
const PRIMARY: &str = "primary";
/// The other account of the run.
const SECONDARY: &str = "secondary";

impl EndpointCheck<'_> {
    /// Every security case that applies to this endpoint, after its own cases.
    pub(super) async fn security_cases(
        &self,
        happy: &RequestParts,
        setups: &mut Vec<CaseResult>,
    ) -> Vec<CaseResult> {
        let applicable = self.applicable_checks(happy);
        if let Some(why) = self.cx.config.refuses_security_checks() {
            return (applicable.iter())
                .map(|check| self.not_run(*check, &why))
                .collect();
        }
        let mut out = vec![];
        for check in applicable {
            match check {
                SecurityCheck::Isolation => {
                    out.extend(self.isolation_cases(happy, setups).await);
                }
                SecurityCheck::MalformedInput => out.extend(self.malformed_cases(happy).await),
                SecurityCheck::ClientControlled => {
                    if let Some(owned) = &self.contract.security.server_owned {
                        out.push(self.client_controlled_case(owned, happy).await);
                    }
                }
                SecurityCheck::SessionSecurity => out.extend(self.session_cases(happy).await),
                SecurityCheck::Leakage => {}
            }
        }
        out
    }

    /// The checks that apply here: switched on in the config, not off in the contract, and with
    /// something to try.
    pub(super) fn applicable_checks(&self, happy: &RequestParts) -> Vec<SecurityCheck> {
        let checks = &self.cx.config.checks;
        let marks = &self.contract.security;
        let on =
            |check: SecurityCheck, enabled: bool| enabled && marks.off_because(check).is_none();
        let mut out = vec![];
        if on(SecurityCheck::Isolation, checks.isolation)
            && (!self.owned_params().is_empty() || marks.own_list.is_some())
        {
            out.push(SecurityCheck::Isolation);
        }
        if on(SecurityCheck::MalformedInput, checks.malformed_input)
            && self.malformed_body(happy).is_some()
        {
            out.push(SecurityCheck::MalformedInput);
        }
        if on(SecurityCheck::ClientControlled, checks.client_controlled)
            && marks.server_owned.is_some()
        {
            out.push(SecurityCheck::ClientControlled);
        }
        if on(SecurityCheck::SessionSecurity, checks.session_security)
            && self.session_role().is_some()
        {
            out.push(SecurityCheck::SessionSecurity);
        }
        out
    }

    /// The skipped case of a check that would apply but does not run here.
    fn not_run(&self, check: SecurityCheck, why: &str) -> CaseResult {
        let kind = match check {
            SecurityCheck::Isolation => CaseKind::Isolation,
            // Leakage sends nothing of its own (it judges every answer), so it is never listed here.
            SecurityCheck::MalformedInput | SecurityCheck::Leakage => CaseKind::MalformedInput,
            SecurityCheck::SessionSecurity => CaseKind::SessionSecurity,
            SecurityCheck::ClientControlled => CaseKind::ClientControlled,
        };
        let name = format!("安全检查 {}", check.as_str());
        self.unsent(&name, kind, Status::Skipped, why)
    }

    /// A case that sent nothing, with why.
    fn unsent(&self, name: &str, kind: CaseKind, status: Status, why: &str) -> CaseResult {
        crate::exec::request::error_case(
            self.cx,
            self.contract,
            name,
            kind,
            status,
            why.to_string(),
        )
    }

    /// The endpoint's valid request made anew, as this check's account: its variables, its setup run
    /// again (so a write acts on a record of its own) and its parts. `Err` says why it cannot be made.
    async fn fresh_request(&self, setups: &mut Vec<CaseResult>) -> Result<RequestParts, String> {
        let run = self.contract.run.clone().unwrap_or_default();
        let why = |p: Prepared| match p {
            Prepared::Unavailable(u) => u.0,
            Prepared::Halt(h) => h.reason.unwrap_or_default(),
        };
        let vars = self.prepare_vars(&run).await.map_err(why)?;
        let mut flow = Flow::new(self.sessions, vars);
        if let Some(cause) = self.setup(&run, &mut flow, setups).await {
            return Err(cause);
        }
        self.happy_parts(&run, &flow).map_err(why)
    }

    /// A request without checks (the logout before a case, a read-back): its answer when it is a
    /// success, else why not, in a few words.
    async fn plain(&self, parts: &RequestParts, token: TokenChoice) -> Result<Value, String> {
        let cx = self.cx;
        let token = match token {
            TokenChoice::None => None,
            TokenChoice::Explicit(t) => Some(t),
            TokenChoice::Account(a) => match self.sessions.get(&cx.login(), &a).await {
                Ok(s) => Some(s.token),
                Err(e) => return Err(cx.redactor.text(&format!("登录失败: {e}"))),
            },
        };
        let request =
            (cx.client.build(self.contract, parts, token.as_deref())).map_err(|e| e.to_string())?;
        let exchange = cx.client.send(request).await;
        note_secrets(cx, &exchange);
        let resp = exchange.response.as_ref().map_err(|e| e.message.clone())?;
        let Some(json) = resp.json.clone() else {
            return Err(format!("HTTP {} 不是 JSON", resp.status));
        };
        let envelope = &cx.config.envelope;
        match json.get(&envelope.code).and_then(Value::as_i64) {
            Some(code) if code == envelope.success => Ok(json),
            code => {
                let message = json.get(&envelope.message).and_then(Value::as_str);
                let said = server_text(message.unwrap_or_default(), 60);
                let code = code.map_or("none".into(), |c| c.to_string());
                Err(cx.redactor.line(&format!("code {code}: {said}")))
            }
        }
    }

    /// Sends one case and keeps its answer too.
    async fn send_keeping(&self, spec: CaseSpec<'_>) -> Outcome {
        execute(self.cx, self.sessions, spec).await
    }

    /// The same check for another contract, account or sessions (a record made by the creating
    /// endpoint of a list, as either account, in sessions of its own).
    fn as_other<'s>(
        &'s self,
        contract: &'s crate::contract::Contract,
        account: &'static str,
        sessions: &'s Sessions,
    ) -> EndpointCheck<'s> {
        EndpointCheck {
            cx: self.cx,
            sessions,
            contract,
            account,
        }
    }
}
