//! Steps (of a scenario or of an endpoint's setup): requests in order, whose captures feed later steps and
//! whose assertions check business rules. A step that does not pass poisons the variables it should have
//! captured, and any later step that needs one of them is blocked instead of sent.

use super::cache::Sent;
use super::context::Context;
use super::request::{
    error_case, execute, redact_finding, render_parts, CaseSpec, Outcome, TokenChoice,
    EXCERPT_CHARS,
};
use super::session::{default_account, skip_reason, sms_code_from, Sessions};
use crate::check::{explain_mismatch, explain_missing, find_drifted, Expect};
use crate::config::SmsConfig;
use crate::contract::{Contract, RequestParts};
use crate::redact::SecretKind;
use crate::result::{CaseKind, CaseResult, CheckKind, Finding, Severity, Status};
use crate::scenario::assert::Assertion;
use crate::scenario::path::{lookup, to_pointer};
use crate::scenario::template::Builtins;
use crate::scenario::template::{referenced_vars, render, value_text, TemplateError, Vars};
use crate::scenario::Step;
use serde_json::Value;

mod outcome;
mod poisoned;

pub(crate) use outcome::run;
pub(crate) use poisoned::Poisoned;

/// `准备步骤 cities` / `步骤 创建订单`: how a reason names a step.
pub(crate) fn step_label(kind: CaseKind, name: &str) -> String {
    match kind {
        CaseKind::Setup => format!("准备步骤 {name}"),
        _ => format!("步骤 {name}"),
    }
}

/// Why a step's answer is unusable, in one short line: its reason, or its first hard finding.
/// A case whose answer cannot be used: nothing was sent or answered usefully (blocked, an error, an
/// unmounted route) or a hard finding.
pub(crate) fn is_unusable(case: &CaseResult) -> bool {
    matches!(
        case.status,
        Status::Blocked | Status::Error | Status::NotActivated
    ) || case
        .findings
        .iter()
        .any(|f| f.check.severity() == Severity::Hard)
}

pub(crate) fn unusable_because(case: &CaseResult) -> String {
    let label = step_label(case.kind, &case.name);
    let what = case
        .findings
        .iter()
        .find(|f| f.check.severity() == Severity::Hard)
        .map(hard_finding_in_words)
        .or_else(|| case.reason.clone())
        .unwrap_or_else(|| case.status.chinese().to_string());
    format!("{label} {}", shorten(&what, 60))
}

/// A hard finding as the few words a blocked endpoint's reason needs.
fn hard_finding_in_words(f: &Finding) -> String {
    let actual = f.actual.as_deref().unwrap_or("?");
    match f.check {
        CheckKind::RouteNotActivated => "路由未激活".to_string(),
        CheckKind::ServerError => format!("返回 HTTP {actual}"),
        CheckKind::SuccessCode => match f.message.split_once(": ") {
            Some((_, said)) if !said.trim().is_empty() => {
                format!("返回 code {actual} ({})", said.trim())
            }
            _ => format!("返回 code {actual}"),
        },
        CheckKind::Transport => format!("无响应 ({})", f.message),
        CheckKind::Envelope => format!("响应不是统一格式 ({})", f.message),
        CheckKind::Session => format!("登录失败 ({})", f.message),
        other => format!("{}: {}", other.as_str(), f.message),
    }
}

/// At most `max` characters, with `…` where it was cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// The variables a step refers to: in its request parts, its token and its assertions.
pub(crate) fn step_refs(step: &Step) -> Vec<String> {
    let mut refs = vec![];
    for v in [&step.path_params, &step.query, &step.body]
        .into_iter()
        .flatten()
    {
        referenced_vars(v, &mut refs);
    }
    if let Some(t) = &step.token {
        referenced_vars(&Value::String(t.clone()), &mut refs);
    }
    for a in &step.assert {
        referenced_vars(
            &serde_json::to_value(a.clone_values()).unwrap_or_default(),
            &mut refs,
        );
    }
    refs
}

/// What a sequence of steps carries from one step to the next.
pub(crate) struct Flow<'s> {
    pub sessions: &'s Sessions,
    pub vars: Vars,
    pub poisoned: Poisoned,
    /// Steps blocked only because a step they depend on was skipped: no failure of the backend.
    pub blocked_by_skip: Vec<String>,
}

impl<'s> Flow<'s> {
    pub fn new(sessions: &'s Sessions, vars: Vars) -> Self {
        Flow {
            sessions,
            vars,
            poisoned: Poisoned::default(),
            blocked_by_skip: vec![],
        }
    }
}

/// A step's request, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepRequest {
    pub parts: RequestParts,
    pub token: TokenChoice,
    pub expect: Expect,
}

/// One step of a scenario or a setup: blocked when it needs a value a step with an unusable answer did
/// not capture.
pub(crate) async fn run_step(
    cx: &Context<'_>,
    flow: &mut Flow<'_>,
    step: &Step,
    kind: CaseKind,
) -> CaseResult {
    let actor = cx
        .catalog
        .contract(&step.endpoint)
        .and_then(|c| actor(step, c));
    let mut case = match prepare_step(cx, flow, step, kind).await {
        Ok((c, request)) => {
            let sent = send_step(cx, flow.sessions, step, c, request, kind).await;
            finish_step(cx, flow, step, sent)
        }
        Err(not_sent) => not_sent,
    };
    case.account = actor;
    case
}

/// Who a step acts as: the account whose session it uses, or the variable holding the token it sends
/// (`token = "{{customer}}"` → `customer`); nobody when it sends no token.
fn actor(step: &Step, c: &Contract) -> Option<String> {
    match &step.token {
        Some(t) if t.is_empty() => None,
        Some(t) => {
            let inner = t.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
            Some(inner.to_string()).filter(|v| !v.starts_with('$') && !v.contains(' '))
        }
        None => c.needs_auth().then(|| account_of(step, c)),
    }
}

/// The account a step runs as: its own `as`, else the contract's default.
fn account_of(step: &Step, c: &Contract) -> String {
    step.account
        .clone()
        .unwrap_or_else(|| default_account(c).to_string())
}

/// The step's contract and request, ready to send; or its result when it cannot be sent.
pub(crate) async fn prepare_step<'c>(
    cx: &Context<'c>,
    flow: &mut Flow<'_>,
    step: &Step,
    kind: CaseKind,
) -> Result<(&'c Contract, StepRequest), CaseResult> {
    let Some(c) = cx.catalog.contract(&step.endpoint) else {
        let reason = format!("unknown endpoint `{}`", step.endpoint);
        let cause = format!("{} {reason}", step_label(kind, &step.name));
        flow.poisoned.captures_of(step, &cause);
        return Err(CaseResult::without_request(
            &step.name,
            kind,
            &step.endpoint,
            &step.endpoint,
            Status::Error,
            reason,
        ));
    };
    let request = prepare(cx, flow, step, c, kind).await.inspect_err(|case| {
        let cause = unusable_because(case);
        if case.status == Status::Skipped {
            flow.poisoned.captures_of_skipped(step, &cause);
        } else {
            flow.poisoned.captures_of(step, &cause);
        }
    })?;
    Ok((c, request))
}

pub(crate) async fn send_step(
    cx: &Context<'_>,
    sessions: &Sessions,
    step: &Step,
    c: &Contract,
    request: StepRequest,
    kind: CaseKind,
) -> Sent {
    let spec = CaseSpec {
        contract: c,
        parts: &request.parts,
        token: request.token,
        expect: request.expect,
        kind,
        name: &step.name,
        raw: None,
    };
    let Outcome { case, json, hard } = execute(cx, sessions, spec).await;
    Sent {
        hard: hard || case.status != Status::Passed && case.findings.is_empty(),
        case,
        body: json.unwrap_or(Value::Null),
    }
}

/// A sent step's captures and assertions. An unusable answer poisons everything the step captures; a
/// usable one (even with soft findings: a wrong type, a slow answer) gives its values as they are.
pub(crate) fn finish_step(
    cx: &Context<'_>,
    flow: &mut Flow<'_>,
    step: &Step,
    sent: Sent,
) -> CaseResult {
    let Sent {
        mut case,
        body,
        hard,
    } = sent;
    if hard {
        flow.poisoned.captures_of(step, &unusable_because(&case));
        return case;
    }
    if let Some(c) = cx.catalog.contract(&step.endpoint) {
        learn_sms_code(cx, c, &body, &mut flow.vars);
    }
    let findings = judge(cx, flow, step, case.kind, &body, &case.findings);
    if !findings.is_empty() {
        case.status = Status::Failed;
        if case.request.is_none() {
            case.response = Some(cx.redactor.response_excerpt(
                case.http_status.unwrap_or(0),
                "",
                Some(&body),
                EXCERPT_CHARS,
            ));
        }
        case.findings
            .extend(findings.into_iter().map(|f| redact_finding(cx.redactor, f)));
    }
    case
}

/// The step's request: its variables available, its fixture read, its parts rendered, its token chosen.
/// A step that cannot be sent is returned as its (blocked or error) result.
async fn prepare(
    cx: &Context<'_>,
    flow: &mut Flow<'_>,
    step: &Step,
    c: &Contract,
    kind: CaseKind,
) -> Result<StepRequest, CaseResult> {
    let fail = |status: Status, reason: String| error_case(cx, c, &step.name, kind, status, reason);
    let refs = step_refs(step);
    if let Some(bad) = flow.poisoned.blocker(&refs) {
        // What this step would have captured has no value for the same root cause.
        let cause = flow.poisoned.cause(bad).unwrap_or_default().to_string();
        flow.poisoned.captures_like(step, bad);
        if flow.poisoned.is_skipped(bad) {
            flow.blocked_by_skip.push(step.name.clone());
        }
        let reason = format!("依赖的变量 `{bad}` 没有值 ({cause})");
        return Err(fail(Status::Blocked, reason));
    }
    let account = account_of(step, c);
    let uses_account = step.token.is_none() && c.needs_auth();
    if uses_account || refs.iter().any(|r| r.starts_with("account.")) {
        if let Some(reason) = skip_reason(cx.config, &account) {
            return Err(fail(Status::Skipped, reason));
        }
    }
    if refs.iter().any(|r| r.starts_with("account.")) {
        match flow.sessions.get(&cx.login(), &account).await {
            Ok(s) => s.vars(&mut flow.vars),
            Err(e) => return Err(fail(Status::Blocked, format!("登录失败: {e}"))),
        }
    }
    let fixture = match &step.fixture {
        None => None,
        Some(f) => Some(read_fixture(cx, f).map_err(|reason| fail(Status::Error, reason))?),
    };
    let overrides = RequestParts {
        path_params: step.path_params.clone(),
        query: step.query.clone(),
        body: step.body.clone(),
    };
    let example = step.use_example.then_some(&c.example.request);
    let parts = match render_parts(
        example,
        fixture.as_ref(),
        &overrides,
        &flow.vars,
        cx.builtins,
    ) {
        Ok(p) => p,
        Err(e) => return Err(fail(Status::Error, e.to_string())),
    };
    let token = match &step.token {
        Some(t) => {
            explicit_token(cx, t, &flow.vars).map_err(|e| fail(Status::Error, e.to_string()))?
        }
        None if c.needs_auth() => TokenChoice::Account(account),
        None => TokenChoice::None,
    };
    let expect = match step.expect_code {
        Some(code) if code != cx.config.envelope.success => Expect::Error {
            code,
            http_status: None,
        },
        _ => Expect::Success,
    };
    Ok(StepRequest {
        parts,
        token,
        expect,
    })
}

/// A step's own `token`, templated; `""` sends none.
fn explicit_token(
    cx: &Context<'_>,
    token: &str,
    vars: &Vars,
) -> Result<TokenChoice, TemplateError> {
    Ok(
        match render(&Value::String(token.to_string()), vars, cx.builtins)? {
            Value::String(s) if s.is_empty() => TokenChoice::None,
            v => TokenChoice::Explicit(value_text(&v)),
        },
    )
}

fn read_fixture(cx: &Context<'_>, file: &str) -> Result<Value, String> {
    std::fs::read_to_string(cx.config.fixtures_dir.join(file))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .ok_or_else(|| format!("fixture `{file}` is missing or not JSON"))
}

/// When the test backend echoes the SMS code, a passed send-code step makes it `{{sms_code}}`.
fn learn_sms_code(cx: &Context<'_>, c: &Contract, body: &Value, vars: &mut Vars) {
    if c.id != cx.config.auth.send_code {
        return;
    }
    if let SmsConfig::Response { .. } = cx.config.sms {
        if let Ok(code) = sms_code_from(&cx.config.sms, body) {
            cx.redactor.add(&code, SecretKind::SmsCode);
            vars.insert("sms_code".into(), Value::String(code));
        }
    }
}

/// A passed step's assertions, then its captures; a capture that finds nothing poisons its variable.
fn judge(
    cx: &Context<'_>,
    flow: &mut Flow<'_>,
    step: &Step,
    step_kind: CaseKind,
    body: &Value,
    reported: &[Finding],
) -> Vec<Finding> {
    let mut findings = vec![];
    // Assertions see the variables as they were before this step's captures, so a step can
    // assert that a value changed (`data.token` != `{{token}}`) and capture the new one.
    for a in &step.assert {
        match a.check(body, &flow.vars, cx.builtins) {
            Ok(None) => {}
            Ok(Some(f)) => {
                let drift = assertion_drift(a, &f.pointer, body, &flow.vars, cx.builtins);
                let mut finding = Finding::new(
                    CheckKind::Assertion,
                    format!("assertion on `{}` failed", a.path),
                )
                .at(f.pointer)
                .expected(f.expected, f.actual);
                finding.drift = drift;
                findings.push(finding);
            }
            Err(e) => findings.push(Finding::new(
                CheckKind::Assertion,
                format!("assertion on `{}`: {e}", a.path),
            )),
        }
    }
    for (var, path) in &step.capture {
        let pointer = to_pointer(path).unwrap_or_default();
        // A backend that drifted in a common way holds the value elsewhere (`order_id`, `rows`): it is
        // usable, so it is captured, and the drift said once on this step.
        let found = lookup(body, path)
            .map(|v| (v, None))
            .or_else(|| find_drifted(body, &pointer).map(|(v, d)| (v, Some(d))));
        match found {
            Some((v, drift)) => {
                flow.vars.insert(var.clone(), v.clone());
                let Some(drift) = drift else { continue };
                if !(reported.iter().chain(&findings)).any(|f| f.drift == Some(drift)) {
                    let mut finding = Finding::new(
                        CheckKind::Schema,
                        format!(
                            "captured `{var}` where the answer holds it: {}",
                            drift.describe()
                        ),
                    )
                    .at(pointer.clone());
                    finding.drift = Some(drift);
                    findings.push(finding);
                }
            }
            None => {
                let cause = format!("{} 未返回 {path}", step_label(step_kind, &step.name));
                flow.poisoned.insert(var, &cause);
                let mut finding = Finding::new(
                    CheckKind::Capture,
                    format!("capture `{var}`: nothing at `{path}`"),
                )
                .at(pointer.clone());
                finding.drift = explain_missing(body, &pointer);
                findings.push(finding);
            }
        }
    }
    findings
}

/// The common drift that explains a failed assertion: the field is absent because it is in another
/// shape (snake_case, flat pagination), or the comparison met the same value in another type.
fn assertion_drift(
    a: &Assertion,
    pointer: &str,
    body: &Value,
    vars: &Vars,
    builtins: &Builtins,
) -> Option<crate::result::Drift> {
    let Some(actual) = body.pointer(pointer) else {
        return explain_missing(body, pointer);
    };
    let mut compared = a;
    while let Some(inner) = &compared.each {
        compared = inner;
    }
    let expected = compared.equals.as_ref().or(compared.contains.as_ref())?;
    let expected = render(expected, vars, builtins).ok()?;
    explain_mismatch(pointer, &expected, actual)
}

#[cfg(test)]
mod tests;
