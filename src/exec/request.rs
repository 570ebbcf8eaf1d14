//! One case: its request parts rendered, the request sent (the session refreshed once on a 401), the
//! checks run on the exchange, and its `CaseResult` built with every secret masked.

use super::context::Context;
use super::session::{SessionError, Sessions};
use crate::check::{self, Expect};
use crate::contract::{Contract, RequestParts};
use crate::http::{Exchange, HttpRequest, RequestError};
use crate::redact::{cut_line, Redactor, SecretKind};
use crate::result::fold::{cap, fold};
use crate::result::{CaseKind, CaseResult, CheckKind, Finding, Severity, Status};
use crate::scenario::path::lookup;
use crate::scenario::template::{merge, render, Builtins, TemplateError, Vars};
use serde_json::Value;

/// Excerpts are cut at this many characters.
pub(crate) const EXCERPT_CHARS: usize = 1200;

/// The bearer token a case sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenChoice {
    None,
    /// This exact token (a step's `token`, the forged-token case).
    Explicit(String),
    /// The session token of this account, refreshed once if the backend answers 401.
    Account(String),
}

/// One case to send and judge: which contract, with which parts and token, expecting what.
pub(crate) struct CaseSpec<'a> {
    pub contract: &'a Contract,
    pub parts: &'a RequestParts,
    pub token: TokenChoice,
    pub expect: Expect,
    pub kind: CaseKind,
    pub name: &'a str,
    /// Bytes sent instead of the parts' body, under this content type (a body built to be malformed).
    pub raw: Option<(&'a str, &'a str)>,
}

/// What running one case produced: its result, and the response body for captures and assertions.
pub(crate) struct Outcome {
    pub case: CaseResult,
    pub json: Option<Value>,
    /// The answer is unusable (a hard finding, or nothing was sent): nothing may be captured from it.
    pub hard: bool,
}

/// The request parts: the example (when given), a fixture merged into the body, the overrides merged
/// over both; then every string templated.
pub(crate) fn render_parts(
    example: Option<&RequestParts>,
    fixture: Option<&Value>,
    overrides: &RequestParts,
    vars: &Vars,
    builtins: &Builtins,
) -> Result<RequestParts, TemplateError> {
    let mut parts = example.cloned().unwrap_or_default();
    if let Some(f) = fixture {
        let body = parts
            .body
            .get_or_insert_with(|| Value::Object(Default::default()));
        merge(body, f);
    }
    for (slot, over) in [
        (&mut parts.path_params, &overrides.path_params),
        (&mut parts.query, &overrides.query),
        (&mut parts.body, &overrides.body),
    ] {
        if let Some(o) = over {
            match slot {
                Some(existing) => merge(existing, o),
                None => *slot = Some(o.clone()),
            }
        }
    }
    render_each(&parts, vars, builtins)
}

/// Every part templated; the first error (path parameters, then query, then body) wins.
pub(crate) fn render_each(
    parts: &RequestParts,
    vars: &Vars,
    builtins: &Builtins,
) -> Result<RequestParts, TemplateError> {
    let rendered = |v: &Option<Value>| v.as_ref().map(|v| render(v, vars, builtins)).transpose();
    Ok(RequestParts {
        path_params: rendered(&parts.path_params)?,
        query: rendered(&parts.query)?,
        body: rendered(&parts.body)?,
    })
}

/// Sends one request and runs the checks on it; on a 401 for an account's request, refreshes once.
pub(crate) async fn execute(cx: &Context<'_>, sessions: &Sessions, spec: CaseSpec<'_>) -> Outcome {
    let session = match &spec.token {
        TokenChoice::Account(a) => match sessions.get(&cx.login(), a).await {
            Ok(s) => Some(s),
            Err(e) => return session_failed(cx, &spec, &e),
        },
        _ => None,
    };
    let token = match (&spec.token, &session) {
        (TokenChoice::Explicit(t), _) => Some(t.as_str()),
        (_, Some(s)) => Some(s.token.as_str()),
        _ => None,
    };
    let request = match build(cx, &spec, token) {
        Ok(r) => r,
        Err(e) => return build_failed(cx, &spec, &e),
    };
    // A phone number the request's templates generated is masked like any account's.
    for phone in cx.builtins.take_issued_phones() {
        cx.redactor.add(&phone, SecretKind::Phone);
    }
    let mut exchange = cx.client.send(request).await;
    let mut extra = vec![];
    if let (Some(s), TokenChoice::Account(account)) = (&session, &spec.token) {
        if spec.expect.may_succeed() && envelope_code(cx, &exchange) == Some(401) {
            match resend_refreshed(cx, sessions, &spec, account, &s.token).await {
                Ok(Some(retried)) => exchange = retried,
                Ok(None) => {}
                Err(e) => extra.push(refresh_failed(cx.redactor, &e)),
            }
        }
    }
    note_secrets(cx, &exchange);
    let fingerprint = match &session {
        Some(s) if matches!(spec.token, TokenChoice::Account(_)) => {
            let code_field = &cx.config.envelope.code;
            cx.fingerprints
                .with_token(cx.client, code_field, &s.token)
                .await
        }
        _ => cx.fingerprints.anonymous.as_ref(),
    };
    let phones = cx.phones.all();
    // Whose token it was: the account's session, or the account a token sent as it is was issued to.
    let caller = match (&spec.token, &session) {
        (TokenChoice::Account(_), Some(s)) => Some(s.phone.clone()),
        (TokenChoice::Explicit(t), _) => cx.phones.owner_of(t),
        _ => None,
    };
    let input = check::CheckInput {
        exchange: &exchange,
        contract: spec.contract,
        compiled: cx.catalog.compiled.get(&spec.contract.id),
        expect: spec.expect,
        case: spec.kind,
        config: cx.config,
        fingerprint,
        people: check::People {
            caller: caller.as_deref(),
            accounts: &phones,
        },
    };
    let mut findings = check::run_all(&input);
    findings.extend(extra);
    let hard = findings
        .iter()
        .any(|f| f.check.severity() == Severity::Hard);
    Outcome {
        case: case_result(
            cx,
            &spec,
            &exchange,
            cap(fold(findings), cx.config.limits.max_findings_per_case),
        ),
        json: exchange.json().cloned(),
        hard,
    }
}

/// The request again with the account's refreshed token; `None` when it cannot be built.
async fn resend_refreshed(
    cx: &Context<'_>,
    sessions: &Sessions,
    spec: &CaseSpec<'_>,
    account: &str,
    stale: &str,
) -> Result<Option<Exchange>, SessionError> {
    let fresh = sessions.refresh(&cx.login(), account, stale).await?;
    match build(cx, spec, Some(&fresh.token)) {
        Ok(retry) => Ok(Some(cx.client.send(retry).await)),
        Err(_) => Ok(None),
    }
}

/// The case's request: its parts, or its raw bytes in place of the body.
fn build(
    cx: &Context<'_>,
    spec: &CaseSpec<'_>,
    token: Option<&str>,
) -> Result<HttpRequest, RequestError> {
    let mut request = cx.client.build(spec.contract, spec.parts, token)?;
    if let Some((content_type, text)) = spec.raw {
        request.headers.retain(|(k, _)| k != "Content-Type");
        request
            .headers
            .push(("Content-Type".into(), content_type.into()));
        request.body = None;
        request.multipart_files = None;
        request.raw_body = Some(text.into());
    }
    Ok(request)
}

/// The request could not be built (a missing path parameter, a bad base URL): nothing was sent.
fn build_failed(cx: &Context<'_>, spec: &CaseSpec<'_>, e: &RequestError) -> Outcome {
    let message = e.to_string();
    let mut case = error_case(
        cx,
        spec.contract,
        spec.name,
        spec.kind,
        Status::Error,
        message.clone(),
    );
    case.findings
        .push(Finding::new(CheckKind::Request, message));
    Outcome {
        case,
        json: None,
        hard: true,
    }
}

/// The account could not log in: the case is blocked, and says why.
fn session_failed(cx: &Context<'_>, spec: &CaseSpec<'_>, e: &SessionError) -> Outcome {
    let mut case = error_case(
        cx,
        spec.contract,
        spec.name,
        spec.kind,
        Status::Blocked,
        format!("登录失败: {e}"),
    );
    case.findings.push(Finding::new(
        CheckKind::Session,
        cx.redactor.text(&e.to_string()),
    ));
    Outcome {
        case,
        json: None,
        hard: true,
    }
}

fn refresh_failed(redactor: &Redactor, e: &SessionError) -> Finding {
    Finding::new(
        CheckKind::Session,
        format!(
            "401, and the token refresh failed: {}",
            redactor.text(&e.to_string())
        ),
    )
}

fn envelope_code(cx: &Context<'_>, ex: &Exchange) -> Option<i64> {
    ex.json()
        .and_then(|j| j.get(&cx.config.envelope.code))
        .and_then(Value::as_i64)
}

/// Secrets in any response (the configured token paths, and values under secret keys) become secrets,
/// wherever they later appear.
pub(crate) fn note_secrets(cx: &Context<'_>, ex: &Exchange) {
    if let Some(j) = ex.json() {
        for path in [&cx.config.auth.token, &cx.config.auth.refresh_token] {
            if let Some(Value::String(t)) = lookup(j, path) {
                cx.redactor.add(t, SecretKind::Token);
            }
        }
        cx.redactor.learn(j, LEARN_LIMIT);
    }
}

/// How many values of one answer are looked at for secrets.
const LEARN_LIMIT: usize = 10_000;

/// A case's status from its findings: a route that is not mounted says more than any other finding.
pub(crate) fn case_status(findings: &[Finding]) -> Status {
    if findings
        .iter()
        .any(|f| f.check == CheckKind::RouteNotActivated)
    {
        Status::NotActivated
    } else if findings.is_empty() {
        Status::Passed
    } else {
        Status::Failed
    }
}

/// The result of a case that got an exchange; a case that did not pass (any case, with
/// [`super::Excerpts::All`]) carries the request, the response and a curl line to reproduce it, all
/// masked.
fn case_result(
    cx: &Context<'_>,
    spec: &CaseSpec<'_>,
    ex: &Exchange,
    findings: Vec<Finding>,
) -> CaseResult {
    let status = case_status(&findings);
    let resp = ex.response.as_ref().ok();
    // Cases that did not pass keep their excerpts; with `Excerpts::All` (`-vv`) every case does.
    let keep = status != Status::Passed || cx.excerpts == super::Excerpts::All;
    let redactor = cx.redactor;
    CaseResult {
        name: spec.name.to_string(),
        kind: spec.kind,
        contract: spec.contract.id.clone(),
        endpoint: cx.spelling(spec.contract),
        status,
        reason: None,
        account: None,
        latency_ms: Some((ex.elapsed_ms * 10.0).round() / 10.0),
        http_status: resp.map(|r| r.status),
        code: envelope_code(cx, ex),
        findings: findings
            .into_iter()
            .map(|f| redact_finding(redactor, f))
            .collect(),
        // A request built to be wrong carries the contract's own (public) values: shown as sent.
        request: keep.then(|| {
            redactor.request_excerpt(&ex.request, EXCERPT_CHARS, !spec.kind.built_wrong())
        }),
        response: match (keep, resp) {
            (true, Some(r)) => {
                Some(redactor.response_excerpt(r.status, &r.text, r.json.as_ref(), EXCERPT_CHARS))
            }
            _ => None,
        },
        curl: keep.then(|| redactor.curl(&ex.request)),
    }
}

/// The result of a case that sent nothing (blocked, or its request could not be built).
pub(crate) fn error_case(
    cx: &Context<'_>,
    c: &Contract,
    name: &str,
    kind: CaseKind,
    status: Status,
    reason: String,
) -> CaseResult {
    CaseResult::without_request(
        name,
        kind,
        &c.id,
        &cx.spelling(c),
        status,
        cx.redactor.line(&reason),
    )
}

/// Expected and actual values are cut to this many characters, after masking.
pub(crate) const VALUE_CHARS: usize = 120;

pub(crate) fn redact_finding(redactor: &Redactor, mut f: Finding) -> Finding {
    f.message = redactor.line(&f.message);
    f.expected = f
        .expected
        .map(|e| cut_line(&redactor.line(&e), VALUE_CHARS));
    f.actual = f.actual.map(|a| cut_line(&redactor.line(&a), VALUE_CHARS));
    f.path = f.path.map(|p| redactor.line(&p));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parts(
        path_params: Option<Value>,
        query: Option<Value>,
        body: Option<Value>,
    ) -> RequestParts {
        RequestParts {
            path_params,
            query,
            body,
        }
    }

    fn vars(pairs: &[(&str, Value)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn overrides_merge_over_the_fixture_which_merges_over_the_example() {
        let example = parts(
            Some(json!({"id": "v_001"})),
            Some(json!({"page": 1, "limit": 10})),
            Some(json!({"name": "example", "seats": 4, "extra": {"a": 1, "b": 2}})),
        );
        let fixture = json!({"name": "fixture", "extra": {"b": 3}});
        let overrides = parts(None, Some(json!({"limit": 50})), Some(json!({"seats": 6})));
        let out = render_parts(
            Some(&example),
            Some(&fixture),
            &overrides,
            &Vars::new(),
            &Builtins::new(1),
        )
        .unwrap();
        assert_eq!(out.path_params, Some(json!({"id": "v_001"})));
        assert_eq!(out.query, Some(json!({"page": 1, "limit": 50})));
        assert_eq!(
            out.body,
            Some(json!({"name": "fixture", "seats": 6, "extra": {"a": 1, "b": 3}}))
        );
    }

    #[test]
    fn without_the_example_only_the_fixture_and_overrides_are_sent() {
        let example = parts(Some(json!({"id": "v_001"})), None, Some(json!({"a": 1})));
        let fixture = json!({"f": true});
        let overrides = parts(Some(json!({"id": "v_002"})), None, None);
        let out = render_parts(
            None,
            Some(&fixture),
            &overrides,
            &Vars::new(),
            &Builtins::new(1),
        )
        .unwrap();
        assert_ne!(out.body, example.body);
        assert_eq!(
            out,
            parts(Some(json!({"id": "v_002"})), None, Some(json!({"f": true})))
        );
        let bare = render_parts(
            None,
            None,
            &RequestParts::default(),
            &Vars::new(),
            &Builtins::new(1),
        )
        .unwrap();
        assert_eq!(bare, RequestParts::default());
    }

    #[test]
    fn every_part_is_templated_and_a_lone_template_keeps_its_type() {
        let overrides = parts(
            Some(json!({"id": "{{order_id}}"})),
            Some(json!({"q": "order {{order_id}}"})),
            Some(json!({"amount": "{{price * 2}}", "list": ["{{price}}"]})),
        );
        let v = vars(&[("order_id", json!("ORD1")), ("price", json!(580))]);
        let out = render_parts(None, None, &overrides, &v, &Builtins::new(1)).unwrap();
        assert_eq!(out.path_params, Some(json!({"id": "ORD1"})));
        assert_eq!(out.query, Some(json!({"q": "order ORD1"})));
        assert_eq!(out.body, Some(json!({"amount": 1160, "list": [580]})));
    }

    #[test]
    fn an_undefined_variable_names_itself_and_path_parameters_are_rendered_first() {
        let overrides = parts(
            Some(json!({"id": "{{order_id}}"})),
            None,
            Some(json!({"x": "{{other}}"})),
        );
        let err = render_parts(None, None, &overrides, &Vars::new(), &Builtins::new(1));
        assert_eq!(err, Err(TemplateError::Missing("order_id".into())));
    }

    fn finding(check: CheckKind) -> Finding {
        Finding::new(check, "m")
    }

    #[test]
    fn a_case_passes_only_without_findings_and_an_unmounted_route_outranks_failures() {
        assert_eq!(case_status(&[]), Status::Passed);
        assert_eq!(case_status(&[finding(CheckKind::Schema)]), Status::Failed);
        assert_eq!(
            case_status(&[
                finding(CheckKind::HttpStatus),
                finding(CheckKind::RouteNotActivated)
            ]),
            Status::NotActivated
        );
    }

    #[test]
    fn findings_are_masked_in_message_expected_and_actual() {
        let redactor = Redactor::new();
        redactor.add("19912345678", SecretKind::Phone);
        let f = Finding::new(CheckKind::Assertion, "phone 19912345678 differs")
            .expected("19912345678", "x19912345678");
        let masked = redact_finding(&redactor, f);
        for text in [
            &masked.message,
            masked.expected.as_ref().unwrap(),
            masked.actual.as_ref().unwrap(),
        ] {
            assert!(!text.contains("19912345678"), "{text}");
        }
    }
}
