//! One endpoint's check: its valid request, then the automatic auth and bad-input cases, its error
//! cases, the negative and boundary inputs derived from its request schemas ([`negative`]) and the
//! security cases derived from the contract ([`security`]). Each stage is a method of [`EndpointCheck`]; a stage that cannot go on returns a [`Halt`] that
//! becomes the endpoint's status and reason, with the cases run so far.
//!
//! An endpoint whose data chain broke (a login that failed, a setup step with no usable answer) is
//! blocked, but still gets the checks that need no data: see [`blocked`].

mod blocked;
mod negative;
mod security;

use super::context::Context;
use super::production::refused_endpoint;
use super::request::{error_case, execute, render_each, render_parts, CaseSpec, TokenChoice};
use super::scenario::{is_unusable, unusable_because, Flow};
use super::session::{default_account, skip_reason, Sessions};
use super::setup::run_setup_step;
use crate::check::Expect;
use crate::contract::schema::Compiled;
use crate::contract::{Contract, RequestParts, RunSpec, SessionMode};
use crate::result::{CaseKind, CaseResult, EndpointResult, Severity, Status};
use crate::scenario::template::{referenced_vars, render, Vars};
use serde_json::Value;

/// The token of the forged-token case: well-formed enough to be read, never issued.
const FORGED_TOKEN: &str = "daodao-check.forged.token";

const UNAUTHORIZED: Expect = Expect::Error {
    code: 401,
    http_status: None,
};

/// Why an endpoint's cases stopped before the end.
#[derive(Debug, PartialEq)]
struct Halt {
    status: Status,
    reason: Option<String>,
}

impl Halt {
    fn new(status: Status, reason: impl Into<String>) -> Self {
        Halt {
            status,
            reason: Some(reason.into()),
        }
    }
}

/// Why the endpoint's valid request cannot be made: a value it needs does not exist.
struct Unavailable(String);

/// One endpoint: its cases in order, then its status; and the setup steps it ran (reported by the run,
/// once for every endpoint that shares them).
pub(crate) async fn check(cx: &Context<'_>, c: &Contract) -> (EndpointResult, Vec<CaseResult>) {
    let fresh = Sessions::new();
    let sessions = if c.session == Some(SessionMode::Fresh) {
        &fresh
    } else {
        cx.sessions
    };
    let run_as = c.run.as_ref().and_then(|r| r.account.as_deref());
    let check = EndpointCheck {
        cx,
        sessions,
        contract: c,
        account: run_as.unwrap_or_else(|| default_account(c)),
    };
    let mut cases = vec![];
    let mut setups = vec![];
    let (status, reason) = match check.run(&mut cases, &mut setups).await {
        Ok(()) => (verdict(&cases), None),
        Err(halt) => (halt.status, halt.reason),
    };
    (endpoint_result(cx, c, status, reason, cases), setups)
}

/// An endpoint that ran to the end fails when any case did not pass (blocked cases aside).
fn verdict(cases: &[CaseResult]) -> Status {
    let failing = |s: Status| matches!(s, Status::Failed | Status::Error | Status::NotActivated);
    if cases.iter().any(|k| failing(k.status)) {
        Status::Failed
    } else {
        Status::Passed
    }
}

fn endpoint_result(
    cx: &Context<'_>,
    c: &Contract,
    status: Status,
    reason: Option<String>,
    cases: Vec<CaseResult>,
) -> EndpointResult {
    let latency = cases
        .iter()
        .find(|k| k.kind == CaseKind::Happy)
        .and_then(|k| k.latency_ms);
    EndpointResult {
        id: c.id.clone(),
        endpoint: cx.spelling(c),
        method: c.method.clone(),
        path: format!("{}{}", cx.catalog.plan.prefix, c.path),
        phase: c.phase,
        module: c.module.clone(),
        name: c.name.clone(),
        status,
        reason: reason.map(|r| cx.redactor.line(&r)),
        latency_ms: latency,
        cases,
        attempts: 1,
        earlier_attempts: vec![],
    }
}

/// Why a stage could not give what the next needs.
enum Prepared {
    /// A value does not exist: the endpoint is blocked, and gets the checks that need no data.
    Unavailable(Unavailable),
    /// The check cannot go on at all (a template that cannot render).
    Halt(Halt),
}

/// What every stage of one endpoint's check needs.
struct EndpointCheck<'a> {
    cx: &'a Context<'a>,
    /// The run's sessions, or this check's own when the contract asks for a fresh one.
    sessions: &'a Sessions,
    contract: &'a Contract,
    /// The account it runs as.
    account: &'a str,
}

impl EndpointCheck<'_> {
    /// The stages in order; each pushes its cases, and may halt the check.
    async fn run(
        &self,
        cases: &mut Vec<CaseResult>,
        setups: &mut Vec<CaseResult>,
    ) -> Result<(), Halt> {
        self.ensure_runnable()?;
        let run = self.contract.run.clone().unwrap_or_default();
        let vars = match self.prepare_vars(&run).await {
            Ok(vars) => vars,
            Err(Prepared::Unavailable(why)) => return Err(self.blocked(cases, &why.0).await),
            Err(Prepared::Halt(halt)) => return Err(halt),
        };
        let mut flow = Flow::new(self.sessions, vars);
        if let Some(cause) = self.setup(&run, &mut flow, setups).await {
            return Err(self.blocked(cases, &cause).await);
        }
        let happy = match self.happy_parts(&run, &flow) {
            Ok(parts) => parts,
            Err(Prepared::Unavailable(why)) => return Err(self.blocked(cases, &why.0).await),
            Err(Prepared::Halt(halt)) => return Err(halt),
        };
        let happy_case = self.happy_case(&happy).await;
        // A valid request without a usable answer leaves a derived input nothing to tell.
        let answered = !(happy_case.findings.iter()).any(|f| f.check.severity() == Severity::Hard);
        cases.push(happy_case);
        halt_on_unusable_happy(cases)?;
        if self.contract.needs_auth() {
            cases.extend(self.auth_cases(&happy).await);
        }
        cases.extend(self.missing_required_case(&happy).await);
        cases.extend(self.error_cases(&happy, &flow.vars).await);
        if answered {
            cases.extend(self.negative_cases(&happy, &flow.vars).await);
        }
        cases.extend(self.security_cases(&happy, setups).await);
        Ok(())
    }

    /// The valid request's parts, rendered with what the setup captured.
    fn happy_parts(&self, run: &RunSpec, flow: &Flow<'_>) -> Result<RequestParts, Prepared> {
        let mut refs = vec![];
        for part in [
            &run.request.path_params,
            &run.request.query,
            &run.request.body,
        ]
        .into_iter()
        .flatten()
        {
            referenced_vars(part, &mut refs);
        }
        if let Some(var) = flow.poisoned.blocker(&refs) {
            let cause = flow.poisoned.cause(var).unwrap_or(var).to_string();
            return Err(Prepared::Unavailable(Unavailable(cause)));
        }
        render_parts(
            Some(&self.contract.example.request),
            None,
            &run.request,
            &flow.vars,
            self.cx.builtins,
        )
        .map_err(|e| Prepared::Halt(Halt::new(Status::Error, format!("run.request: {e}"))))
    }

    /// Skipped contracts, writes to an environment that refuses them, and contracts whose account is
    /// not configured send nothing.
    fn ensure_runnable(&self) -> Result<(), Halt> {
        if let Some(reason) = &self.contract.skip {
            return Err(Halt::new(Status::Skipped, reason.clone()));
        }
        if let Some(why) = refused_endpoint(self.cx, self.contract) {
            return Err(Halt::new(Status::Skipped, why));
        }
        match skip_reason(self.cx.config, self.account) {
            Some(reason) => Err(Halt::new(Status::Skipped, reason)),
            None => Ok(()),
        }
    }

    /// The variables of the check: the account's (when it logs in) and the contract's `run.vars`.
    async fn prepare_vars(&self, run: &RunSpec) -> Result<Vars, Prepared> {
        let cx = self.cx;
        let mut vars = cx.base_vars();
        let mut refs = vec![];
        referenced_vars(
            &serde_json::to_value(&run.vars).unwrap_or_default(),
            &mut refs,
        );
        let request = &run.request;
        for part in [&request.path_params, &request.query, &request.body]
            .into_iter()
            .flatten()
        {
            referenced_vars(part, &mut refs);
        }
        if self.contract.needs_auth() || refs.iter().any(|r| r.starts_with("account.")) {
            match self.sessions.get(&cx.login(), self.account).await {
                Ok(s) => s.vars(&mut vars),
                Err(e) => {
                    let why = cx.redactor.text(&format!("登录失败: {e}"));
                    return Err(Prepared::Unavailable(Unavailable(why)));
                }
            }
        }
        for (k, v) in &run.vars {
            let value = render(v, &vars, cx.builtins).map_err(|e| {
                Prepared::Halt(Halt::new(Status::Error, format!("run.vars.{k}: {e}")))
            })?;
            vars.insert(k.clone(), value);
        }
        Ok(vars)
    }

    /// The setup steps, all of them: a step with an unusable answer poisons what it captures, and a
    /// later step (or the valid request) that needs such a value is blocked; soft findings poison
    /// nothing. The setup cases go to the run, not to this endpoint: their problems belong to the
    /// endpoint they call. A step that captures nothing is there for what it does (buy the membership
    /// that cancelling needs): when it got no usable answer, that precondition does not hold, and the
    /// returned cause blocks the endpoint.
    async fn setup(
        &self,
        run: &RunSpec,
        flow: &mut Flow<'_>,
        setups: &mut Vec<CaseResult>,
    ) -> Option<String> {
        let shared = std::ptr::eq(self.sessions, self.cx.sessions);
        let mut precondition_failed = None;
        for step in &run.setup {
            let case = run_setup_step(self.cx, flow, step, shared).await;
            if step.capture.is_empty() && precondition_failed.is_none() && is_unusable(&case) {
                precondition_failed = Some(unusable_because(&case));
            }
            setups.push(case);
        }
        precondition_failed
    }

    /// Runs one case of this endpoint.
    async fn send(
        &self,
        parts: &RequestParts,
        token: TokenChoice,
        expect: Expect,
        kind: CaseKind,
        name: &str,
    ) -> CaseResult {
        let spec = spec(self, parts, token, expect, kind, name);
        execute(self.cx, self.sessions, spec).await.case
    }

    /// The account's token when the endpoint needs one.
    fn account_token(&self) -> TokenChoice {
        if self.contract.needs_auth() {
            TokenChoice::Account(self.account.into())
        } else {
            TokenChoice::None
        }
    }

    async fn happy_case(&self, happy: &RequestParts) -> CaseResult {
        let token = self.account_token();
        self.send(happy, token, Expect::Success, CaseKind::Happy, "正常请求")
            .await
    }

    /// The valid request without a token, and with a forged one: both must be refused with 401.
    async fn auth_cases(&self, parts: &RequestParts) -> Vec<CaseResult> {
        let forged = TokenChoice::Explicit(FORGED_TOKEN.into());
        vec![
            self.send(
                parts,
                TokenChoice::None,
                UNAUTHORIZED,
                CaseKind::NoToken,
                "未携带Token",
            )
            .await,
            self.send(
                parts,
                forged,
                UNAUTHORIZED,
                CaseKind::ForgedToken,
                "伪造Token",
            )
            .await,
        ]
    }

    /// The valid request without its required fields, which must be refused with 400.
    async fn missing_required_case(&self, happy: &RequestParts) -> Option<CaseResult> {
        let compiled = self.cx.catalog.compiled.get(&self.contract.id);
        let parts = missing_required_parts(&self.contract.request, compiled, happy)?;
        let expect = Expect::Error {
            code: 400,
            http_status: None,
        };
        let token = self.account_token();
        Some(
            self.send(
                &parts,
                token,
                expect,
                CaseKind::MissingRequired,
                "缺少必填参数",
            )
            .await,
        )
    }

    /// The requests of the contract's error cases, in order: each replaces the parts it gives in the
    /// valid request (or why its template does not render).
    fn error_requests(
        &self,
        happy: &RequestParts,
        vars: &Vars,
    ) -> Vec<Result<RequestParts, String>> {
        (self.contract.errors.iter())
            .map(|e| {
                let own =
                    render_each(&e.request, vars, self.cx.builtins).map_err(|e| e.to_string())?;
                Ok(RequestParts {
                    path_params: own.path_params.or_else(|| happy.path_params.clone()),
                    query: own.query.or_else(|| happy.query.clone()),
                    body: own.body.or_else(|| happy.body.clone()),
                })
            })
            .collect()
    }

    /// The contract's error cases: each replaces the parts it gives in the valid request.
    async fn error_cases(&self, happy: &RequestParts, vars: &Vars) -> Vec<CaseResult> {
        let mut cases = vec![];
        let requests = self.error_requests(happy, vars);
        for (e, request) in self.contract.errors.iter().zip(requests) {
            let parts = match request {
                Ok(parts) => parts,
                Err(reason) => {
                    let kind = CaseKind::ErrorCase;
                    cases.push(error_case(
                        self.cx,
                        self.contract,
                        &e.name,
                        kind,
                        Status::Error,
                        reason,
                    ));
                    continue;
                }
            };
            let expect = Expect::Error {
                code: e.expect.code,
                http_status: e.expect.http_status,
            };
            let token = self.account_token();
            cases.push(
                self.send(&parts, token, expect, CaseKind::ErrorCase, &e.name)
                    .await,
            );
        }
        cases
    }
}

/// After the valid request: an unmounted route, or a request that was blocked or could not be built,
/// leaves nothing for the other cases to learn.
fn halt_on_unusable_happy(cases: &[CaseResult]) -> Result<(), Halt> {
    let Some(happy) = cases.last() else {
        return Ok(());
    };
    match happy.status {
        Status::NotActivated => Err(Halt::new(Status::NotActivated, "路由未激活")),
        Status::Blocked | Status::Error => Err(Halt {
            status: happy.status,
            reason: happy.reason.clone(),
        }),
        _ => Ok(()),
    }
}

/// The valid request with its required body (or query) fields removed, if it has any: decided by
/// whether an empty object validates against the compiled schema, so `$ref` and `allOf` count too.
/// `schemas` are the contract's request schemas.
fn missing_required_parts(
    schemas: &RequestParts,
    compiled: Option<&Compiled>,
    happy: &RequestParts,
) -> Option<RequestParts> {
    let empty = Value::Object(Default::default());
    let needs = |v: Option<&jsonschema::Validator>| v.is_some_and(|v| !v.is_valid(&empty));
    let compiled = compiled?;
    if schemas.body.is_some() && needs(compiled.body.as_ref()) {
        return Some(RequestParts {
            body: Some(empty),
            ..happy.clone()
        });
    }
    if schemas.query.is_some() && needs(compiled.query.as_ref()) {
        return Some(RequestParts {
            query: None,
            ..happy.clone()
        });
    }
    None
}

#[cfg(test)]
mod tests;

/// A case's spec with the usual defaults: this contract, no raw body.
fn spec<'a>(
    check: &'a EndpointCheck<'a>,
    parts: &'a RequestParts,
    token: TokenChoice,
    expect: Expect,
    kind: CaseKind,
    name: &'a str,
) -> CaseSpec<'a> {
    CaseSpec {
        contract: check.contract,
        parts,
        token,
        expect,
        kind,
        name,
        raw: None,
    }
}
