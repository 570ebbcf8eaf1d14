//! An operation's security and responses as a contract's `auth`, `response.data`, example response and
//! error cases.

use super::example::{first_example, generate};
use super::schema::{normalize, unwrap_envelope};
use super::{Ctx, Envelope};
use crate::openapi::export::responses::status_of;
use crate::openapi::pointer_token;
use serde_json::{json, Map, Value};

/// `none`, `user` or `admin`: the operation's security (or the document's), and `x-daodao-auth`.
pub(super) fn auth(op: &Map<String, Value>, at: &str, ctx: &mut Ctx) -> &'static str {
    let (security, place) = match op.get("security") {
        Some(s) => (Some(s), format!("{at}/security")),
        None => (ctx.doc.get("security"), "/security".to_string()),
    };
    let requirements: Vec<&Map<String, Value>> = security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    if requirements.is_empty() {
        return "none";
    }
    if requirements.iter().any(|r| r.is_empty()) {
        ctx.warn(
            &place,
            "authentication is optional here; the contract says `none` (the engine has no optional-auth mode)".into(),
        );
        return "none";
    }
    for scheme in requirements.iter().flat_map(|r| r.keys()) {
        // Said once per scheme, where the scheme is defined.
        if !ctx.is_bearer(scheme) && ctx.warned_schemes.insert(scheme.clone()) {
            ctx.warn(
                &format!("/components/securitySchemes/{}", pointer_token(scheme)),
                format!("security scheme `{scheme}` is not HTTP bearer; the engine sends `Authorization: Bearer <token>` where an operation needs it"),
            );
        }
    }
    if op.get("x-daodao-auth").and_then(Value::as_str) == Some("admin") {
        "admin"
    } else {
        "user"
    }
}

/// The success answer: the `data` schema, the example response (an envelope) and the components
/// the envelope was read through.
pub(super) struct Success {
    pub data: Value,
    pub example: Value,
    pub envelope_components: Vec<String>,
}

pub(super) fn success(op: &Map<String, Value>, at: &str, ctx: &mut Ctx) -> Success {
    let responses = op.get("responses").and_then(Value::as_object);
    let mut codes: Vec<&String> = responses
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with('2'))
        .collect();
    codes.sort();
    let chosen = codes.first().copied();
    for other in codes.iter().skip(1) {
        ctx.warn(
            &format!("{at}/responses/{other}"),
            format!(
                "only one success is described (`{}`); the `{other}` response is left out",
                chosen.map_or("", |c| c.as_str())
            ),
        );
    }
    let media = chosen
        .and_then(|c| responses.and_then(|r| r.get(c)))
        .and_then(|r| r.get("content"))
        .and_then(Value::as_object)
        .and_then(|c| c.iter().find(|(k, _)| k.contains("json")).map(|(_, v)| v));
    let Some(media) = media else {
        let place = chosen.map_or(format!("{at}/responses"), |c| format!("{at}/responses/{c}"));
        ctx.warn(
            &place,
            "no JSON success answer; the contract's `data` accepts anything".into(),
        );
        return Success {
            data: json!({}),
            example: ctx.envelope.wrap(Value::Null),
            envelope_components: vec![],
        };
    };
    warn_response_extras(chosen, responses, at, ctx);
    let schema = media.get("schema").map(normalize).unwrap_or(json!({}));
    let example = media
        .get("example")
        .cloned()
        .or_else(|| first_example(media));
    let unwrapped = ctx
        .unwrap
        .then(|| unwrap_envelope(&schema, ctx.components, ctx.envelope.config))
        .flatten();
    let was_envelope = unwrapped.is_some();
    let (data, through) = unwrapped.unwrap_or_else(|| (schema.clone(), vec![]));
    let example = match example {
        Some(e) if was_envelope => ctx.envelope.as_success(e),
        Some(e) => ctx.envelope.wrap(e),
        None => ctx.envelope.wrap(generate(&data, ctx.components, "data")),
    };
    Success {
        data,
        example,
        envelope_components: through,
    }
}

fn warn_response_extras(
    chosen: Option<&String>,
    responses: Option<&Map<String, Value>>,
    at: &str,
    ctx: &mut Ctx,
) {
    let Some(r) = chosen.and_then(|c| responses.and_then(|r| r.get(c))) else {
        return;
    };
    let place = format!("{at}/responses/{}", chosen.map_or("", |c| c.as_str()));
    for key in ["headers", "links"] {
        if r.get(key).is_some() {
            ctx.warn(
                &format!("{place}/{key}"),
                format!("response `{key}` are not part of a contract; left out"),
            );
        }
    }
}

/// Error cases: each example of an error response that carries the request provoking it
/// (`x-daodao-request`). Examples the engine derives itself (`x-daodao-derived`) are not listed;
/// an error response with no request is reported, since a case without one cannot be run.
pub(super) fn errors(op: &Map<String, Value>, at: &str, ctx: &mut Ctx) -> Vec<Value> {
    let mut out = vec![];
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return out;
    };
    for (status, response) in responses {
        let place = format!("{at}/responses/{}", pointer_token(status));
        if status.starts_with('2') {
            continue;
        }
        let Some(number) = status
            .parse::<u16>()
            .ok()
            .filter(|s| (400..600).contains(s))
        else {
            ctx.warn(
                &place,
                format!(
                    "`{status}` responses are not modelled (only 2xx and 4xx/5xx codes); left out"
                ),
            );
            continue;
        };
        let examples = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().find(|(k, _)| k.contains("json")).map(|(_, v)| v))
            .and_then(|m| m.get("examples"))
            .and_then(Value::as_object);
        let mut runnable = 0;
        let mut derived = 0;
        for (key, example) in examples.into_iter().flatten() {
            if example.get("x-daodao-derived") == Some(&json!(true)) {
                derived += 1;
            } else if let Some(case) = error_case(key, example, number, response, &ctx.envelope) {
                out.push(case);
                runnable += 1;
            }
        }
        if runnable == 0 && derived == 0 {
            report_unrunnable(number, &place, ctx);
        }
    }
    out
}

fn report_unrunnable(status: u16, place: &str, ctx: &mut Ctx) {
    if status == 400 || status == 401 {
        ctx.note(
            place,
            format!("the {status} answer is not listed as an error case: the engine checks it by itself (missing fields → 400, no token → 401)"),
        );
    } else {
        ctx.warn(
            place,
            format!("the {status} answer gives no request that provokes it (an example with `x-daodao-request`), so it is no error case; add one to the contract's `errors` by hand"),
        );
    }
}

fn error_case(
    key: &str,
    example: &Value,
    status: u16,
    response: &Value,
    envelope: &Envelope,
) -> Option<Value> {
    let request = example.get("x-daodao-request")?;
    let name = example
        .get("summary")
        .and_then(Value::as_str)
        .unwrap_or(key)
        .to_string();
    let code = example
        .get("value")
        .and_then(|v| v.get(&envelope.config.code))
        .and_then(Value::as_i64)
        .or_else(|| response.get("x-daodao-code").and_then(Value::as_i64))
        .unwrap_or(i64::from(status));
    let mut expect = Map::new();
    expect.insert("code".into(), json!(code));
    if status_of(code, None) != status {
        expect.insert("http_status".into(), json!(status));
    }
    Some(json!({"name": name, "request": request, "expect": expect}))
}
