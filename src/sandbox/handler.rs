//! One request through the sandbox: route → read → authenticate → validate → act → shape → faults.

use super::engine::{self, Ctx};
use super::fault::Faults;
use super::reply::{is_json_type, Outcome, Refusal, Reply};
use super::{auth, json, routing, Sandbox};
use crate::contract::params::{query_fields, text_violations};
use crate::contract::schema::{violations, Violation};
use crate::contract::Contract;
use serde_json::{Map, Value};

pub(crate) use super::reply::Incoming;

pub(crate) fn handle(s: &Sandbox, req: &Incoming) -> Reply {
    let Some((contract, params)) = route(s, req) else {
        return s.unrouted(req);
    };
    let faults = Faults::new(s, contract);
    if let Some(reply) = faults.preempt(req) {
        return reply;
    }
    let reply = serve(s, contract, &faults, req, params).unwrap_or_else(Reply::refused);
    faults.break_reply(reply)
}

fn route<'s>(s: &'s Sandbox, req: &Incoming) -> Option<(&'s Contract, Map<String, Value>)> {
    let below = routing::below_base(&s.options.base_path, req.path)?;
    let (index, params) = s.routes.find(req.method, below)?;
    Some((&s.catalog.contracts[index], params))
}

/// The success answer, or why the request is refused.
fn serve(
    s: &Sandbox,
    contract: &Contract,
    faults: &Faults,
    req: &Incoming,
    mut params: Map<String, Value>,
) -> Result<Reply, Refusal> {
    let mut query = Value::Object(query_fields(req.query));
    let mut body = body_json(req.body, req.content_type)?;
    s.ids.restore(&mut params, &mut query, &mut body);
    let caller = auth::authenticate(s, contract, faults, req.authorization)?;
    let behaviour = s.behaviours.get(&contract.id).cloned().unwrap_or_default();
    // Like an Express role guard: after the token, before the input is read.
    auth::authorize(&caller, &behaviour, faults)?;
    validate(s, contract, &params, &query, &mut body)?;
    let mut ctx = Ctx::new(s, contract, &behaviour, caller, params, query, body);
    if let Some(variant) = engine::variant(&ctx)? {
        ctx.behaviour = variant;
    }
    let mut data = engine::answer(&mut ctx)?;
    faults.break_data(&mut data);
    let message = contract
        .example
        .response
        .get(&s.options.envelope.message)
        .and_then(Value::as_str)
        .unwrap_or("success");
    Ok(Reply::success(
        s.options.envelope.success,
        message.to_string(),
        data,
    ))
}

/// An empty body reads as `{}`. A body declared as anything but JSON is not read, as Express's JSON
/// parser does not read it (the request then misses every field), and is refused.
fn body_json(body: &[u8], content_type: Option<&str>) -> Result<Value, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    if content_type.is_some_and(|ct| !is_json_type(ct)) {
        let message = "请求体必须是 JSON (Content-Type: application/json)";
        return Err(Refusal::at(Outcome::Unreadable, 400, message));
    }
    serde_json::from_slice(body)
        .map_err(|_| Refusal::at(Outcome::Unreadable, 400, "请求体不是合法的 JSON"))
}

/// Checks path parameters, query and body against the contract's request schemas; a 400 names the
/// first bad parameter, or every missing one. Path and query arrive as text and are read as the
/// schema's numbers and booleans; a profile that reads numbers from text does so in the body too.
fn validate(
    s: &Sandbox,
    contract: &Contract,
    params: &Map<String, Value>,
    query: &Value,
    body: &mut Value,
) -> Result<(), Refusal> {
    let Some(compiled) = s.catalog.compiled.get(&contract.id) else {
        return Ok(());
    };
    let params = Value::Object(params.clone());
    let parts = [
        ("path", &compiled.path_params, &params),
        ("query", &compiled.query, query),
    ];
    for (part, validator, value) in parts {
        let Some(validator) = validator else { continue };
        refuse_unless_empty(part, &text_violations(validator, value))?;
    }
    let Some(validator) = &compiled.body else {
        return Ok(());
    };
    let mut errs = violations(validator, body);
    if !errs.is_empty()
        && s.options.profile.reads_numbers_from_text()
        && json::numbers_from_text(body, errs.iter().map(|e| (e.path.as_str(), &*e.expected)))
    {
        errs = violations(validator, body);
    }
    refuse_unless_empty("body", &errs)
}

fn refuse_unless_empty(part: &str, errs: &[Violation]) -> Result<(), Refusal> {
    if errs.is_empty() {
        return Ok(());
    }
    let message = invalid_input_message(part, errs);
    Err(Refusal::at(Outcome::InvalidInput, 400, message))
}

fn invalid_input_message(part: &str, errs: &[Violation]) -> String {
    let name = |path: &str| format!("{part}.{}", path.trim_start_matches('/').replace('/', "."));
    let missing: Vec<String> = errs
        .iter()
        .filter(|e| e.actual == "missing")
        .map(|e| name(&e.path))
        .collect();
    match errs.first() {
        Some(first) if missing.is_empty() => format!(
            "参数错误: {} 不合法 (期望 {}, 实际 {})",
            name(&first.path),
            first.expected,
            first.actual
        ),
        _ => format!("参数错误: 缺少必填参数 {}", missing.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn violation(path: &str, expected: &str, actual: &str) -> Violation {
        Violation {
            path: path.into(),
            message: String::new(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    #[test]
    fn a_bad_value_is_named_with_what_was_expected() {
        let errs = [violation("/user/age", "integer", "string")];
        assert_eq!(
            invalid_input_message("body", &errs),
            "参数错误: body.user.age 不合法 (期望 integer, 实际 string)"
        );
    }

    #[test]
    fn missing_parameters_are_all_named() {
        let errs = [
            violation("/phone", "string", "missing"),
            violation("/age", "integer", "string"),
            violation("/code", "string", "missing"),
        ];
        assert_eq!(
            invalid_input_message("body", &errs),
            "参数错误: 缺少必填参数 body.phone, body.code"
        );
    }

    #[test]
    fn a_blank_body_is_an_empty_object_and_a_broken_one_a_400() {
        assert_eq!(body_json(b" \n", None).unwrap(), json!({}));
        let refused = Reply::refused(body_json(b"{oops", None).unwrap_err());
        assert_eq!(
            (refused.status, refused.outcome),
            (400, Outcome::Unreadable)
        );
    }

    #[test]
    fn a_body_declared_as_something_else_than_json_is_not_read() {
        let json_types = [
            "application/json",
            "application/json; charset=utf-8",
            "application/vnd.x+json",
        ];
        for ct in json_types {
            assert_eq!(
                body_json(b"{\"a\":1}", Some(ct)).unwrap(),
                json!({"a": 1}),
                "{ct}"
            );
        }
        for ct in ["text/plain", "application/x-www-form-urlencoded"] {
            let refused = Reply::refused(body_json(b"{\"a\":1}", Some(ct)).unwrap_err());
            assert_eq!(
                (refused.status, refused.outcome),
                (400, Outcome::Unreadable),
                "{ct}"
            );
        }
    }
}
