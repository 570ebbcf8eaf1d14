//! An operation's responses: the success as the envelope around the contract's `data`, and one response
//! per HTTP status of its error cases, the listed ones and those the engine derives by itself.

use super::schema::schema_of;
use super::{component_ref, Sources};
use crate::contract::{Contract, RequestParts};
use crate::openapi::names::ENVELOPE;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The derived error cases' names (the engine checks them on every contract that qualifies).
pub const DERIVED_INVALID: &str = "缺少必填参数或参数无效";
pub const DERIVED_NO_TOKEN: &str = "未登录（没有 token 或 token 无效）";
pub const DERIVED_UNKNOWN_ID: &str = "路径中的 id 不存在";

/// One error case as the document shows it.
struct Case<'c> {
    name: String,
    code: i64,
    request: Option<&'c RequestParts>,
    derived: bool,
}

pub(super) fn responses(
    c: &Contract,
    src: &Sources,
) -> Result<Value, crate::openapi::OpenApiError> {
    let e = src.envelope;
    let data = match &c.response.data {
        Some(d) => schema_of(c, "response.data", d)?,
        None => json!({}),
    };
    let mut out = Map::new();
    out.insert(
        "200".into(),
        json!({
            "description": "成功 (success)",
            "content": {"application/json": {
                "schema": {"allOf": [
                    component_ref(ENVELOPE),
                    {"type": "object", "properties": {
                        e.code.clone(): {"const": e.success},
                        e.data.clone(): data
                    }}
                ]},
                "example": c.example.response
            }}
        }),
    );
    for (status, cases) in by_status(c) {
        out.insert(status.to_string(), error_response(status, &cases, src));
    }
    Ok(Value::Object(out))
}

/// The HTTP status of an error case: the one it expects, else its code when that is an HTTP error
/// status, else 400 (as the sandbox answers).
pub fn status_of(code: i64, http_status: Option<u16>) -> u16 {
    match http_status {
        Some(s) => s,
        None if (400..600).contains(&code) => code as u16,
        None => 400,
    }
}

/// Derived cases first (the engine's own), then the contract's, grouped by HTTP status.
fn by_status(c: &Contract) -> BTreeMap<u16, Vec<Case<'_>>> {
    let mut cases = vec![];
    let derived = |name: &str, code: i64| Case {
        name: name.to_string(),
        code,
        request: None,
        derived: true,
    };
    if c.request.query.is_some() || c.request.body.is_some() {
        cases.push((400, derived(DERIVED_INVALID, 400)));
    }
    if c.needs_auth() {
        cases.push((401, derived(DERIVED_NO_TOKEN, 401)));
    }
    if !c.path_param_names().is_empty() {
        cases.push((404, derived(DERIVED_UNKNOWN_ID, 404)));
    }
    for e in &c.errors {
        let case = Case {
            name: e.name.clone(),
            code: e.expect.code,
            request: Some(&e.request),
            derived: false,
        };
        cases.push((status_of(e.expect.code, e.expect.http_status), case));
    }
    let mut out: BTreeMap<u16, Vec<Case>> = BTreeMap::new();
    for (status, case) in cases {
        out.entry(status).or_default().push(case);
    }
    out
}

fn error_response(status: u16, cases: &[Case], src: &Sources) -> Value {
    let e = src.envelope;
    let mut codes: Vec<i64> = cases.iter().map(|c| c.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let code_schema = match codes.as_slice() {
        [one] => json!({"const": one}),
        many => json!({"enum": many}),
    };
    let mut examples = Map::new();
    for case in cases {
        let mut ex = Map::new();
        ex.insert("summary".into(), json!(case.name));
        ex.insert(
            "value".into(),
            json!({e.code.clone(): case.code, e.message.clone(): case.name, e.data.clone(): null}),
        );
        if let Some(request) = case.request.and_then(request_value) {
            ex.insert("x-daodao-request".into(), request);
        }
        if case.derived {
            ex.insert("x-daodao-derived".into(), json!(true));
        }
        let mut key = case.name.clone();
        let mut n = 1;
        while examples.contains_key(&key) {
            n += 1;
            key = format!("{} ({n})", case.name);
        }
        examples.insert(key, Value::Object(ex));
    }
    let description: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let mut response = Map::new();
    response.insert("description".into(), json!(description.join("；")));
    if codes.iter().any(|c| *c != i64::from(status)) {
        let code = match codes.as_slice() {
            [one] => json!(one),
            many => json!(many),
        };
        response.insert("x-daodao-code".into(), code);
    }
    response.insert(
        "content".into(),
        json!({"application/json": {
            "schema": {"allOf": [
                component_ref(ENVELOPE),
                {"type": "object", "properties": {e.code.clone(): code_schema}}
            ]},
            "examples": examples
        }}),
    );
    Value::Object(response)
}

/// An error case's request parts as a JSON object, or `None` when it gives none.
fn request_value(r: &RequestParts) -> Option<Value> {
    let mut m = Map::new();
    for (k, v) in [
        ("path_params", &r.path_params),
        ("query", &r.query),
        ("body", &r.body),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), v.clone());
        }
    }
    (!m.is_empty()).then_some(Value::Object(m))
}
