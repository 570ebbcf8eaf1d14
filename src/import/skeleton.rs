//! From one doc endpoint to the request/response schemas and examples of its contract skeleton.

use super::doc_endpoint::{DocEndpoint, Issue, Param, ParamLocation};
use super::infer::{self, object_schema, Inferred};
use regex::Regex;
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

/// A schema with the example that validates against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub schema: Value,
    pub example: Value,
}

/// The schemas and examples of one endpoint.
#[derive(Debug, Clone)]
pub struct Built {
    pub path_params: Option<Part>,
    pub query: Option<Part>,
    pub body: Option<Part>,
    /// The response's `data`; `None` when the doc gives no JSON (resolved later or made permissive).
    pub data: Option<Part>,
    /// `code` and `message` of the doc's response example.
    pub code: Value,
    pub message: Value,
    pub skip: Option<String>,
    /// The body is a multipart/form-data upload.
    pub multipart: bool,
}

/// The file (under fixtures/) an imported upload contract sends.
pub const UPLOAD_FIXTURE: &str = "images/upload.png";

static DEFAULT_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"默认\s*[:：]?\s*(-?\d+(?:\.\d+)?)").expect("static regex"));
static LISTED_VALUES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[:：]\s*([A-Za-z0-9_-]+)(?:\s*[/|]\s*[A-Za-z0-9_-]+)+").expect("static regex")
});

/// Builds what the endpoint's own section says; references (“同…”) are left to the caller.
pub fn build(
    ep: &DocEndpoint,
    prefix: &str,
    warnings: &mut Vec<Issue>,
    notes: &mut Vec<Issue>,
) -> Built {
    let spelling = ep.spelling(prefix);
    let mut note = |line: usize, message: String| {
        notes.push(Issue {
            line,
            message: format!("{spelling}: {message}"),
        })
    };
    let path_params = path_params(ep, warnings);
    let (mut query, mut body) = request_parts(ep, warnings, &mut note);
    for (field, line) in &ep.section.optional_fields {
        let part = if ep.method == "GET" {
            query.as_mut()
        } else {
            body.as_mut()
        };
        if let Some(p) = part {
            if unrequire(&mut p.schema, field) {
                note(*line, format!("`{field}` is optional, as the note says"));
            }
        }
    }
    if ep.section.multipart {
        if let Some(b) = body.as_mut() {
            upload_fields(ep, b);
        }
        note(
            ep.line,
            format!("multipart/form-data upload: file fields are uploaded from fixtures/{UPLOAD_FIXTURE}"),
        );
    }
    let (code, message, data) = response_parts(ep, warnings);
    Built {
        path_params,
        query,
        body,
        data,
        code,
        message,
        skip: None,
        multipart: ep.section.multipart,
    }
}

/// The query and body from the parameter list, and from the JSON request example (a GET's is
/// its query; a body's listed parameters lay their descriptions and optionality over it).
fn request_parts(
    ep: &DocEndpoint,
    warnings: &mut Vec<Issue>,
    note: &mut impl FnMut(usize, String),
) -> (Option<Part>, Option<Part>) {
    let mut query = params_part(ep, ParamLocation::Query);
    let mut body = params_part(ep, ParamLocation::Body);
    let Some(req) = &ep.section.request_json else {
        return (query, body);
    };
    match infer::parse_lenient(&req.text) {
        Ok(Value::Object(map)) => {
            if ep.method == "GET" {
                note(
                    req.line,
                    "the JSON request example of a GET is read as query parameters".into(),
                );
                query = Some(query_from_json(&map));
            } else {
                let inf = infer::infer("body", &Value::Object(map));
                let from_json = Part {
                    schema: inf.schema,
                    example: inf.example,
                };
                body = Some(match body {
                    Some(listed) => overlay_params(from_json, &listed, ep),
                    None => from_json,
                });
            }
        }
        Ok(_) => warnings.push(Issue {
            line: req.line,
            message: "request example is not a JSON object; no request schema from it".into(),
        }),
        Err((l, msg)) => warnings.push(Issue {
            line: req.line + l - 1,
            message: format!("request example is not JSON: {msg}"),
        }),
    }
    (query, body)
}

/// File fields become `"format": "binary"`, their example a file under fixtures/ that the engine uploads.
fn upload_fields(ep: &DocEndpoint, body: &mut Part) {
    for p in ep
        .section
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Body && p.ty == "file")
    {
        body.schema["properties"][&p.name] =
            json!({"type": "string", "format": "binary", "description": p.description});
        body.example[&p.name] = json!(UPLOAD_FIXTURE);
    }
}

/// `code`, `message` and the `data` part of the JSON response example (`0`, `success` and none
/// when the doc gives no usable example).
fn response_parts(ep: &DocEndpoint, warnings: &mut Vec<Issue>) -> (Value, Value, Option<Part>) {
    let (mut code, mut message) = (json!(0), json!("success"));
    let Some(resp) = &ep.section.response_json else {
        return (code, message, None);
    };
    let envelope = match infer::parse_lenient(&resp.text) {
        Ok(Value::Object(envelope)) => envelope,
        Ok(_) => {
            warnings.push(Issue {
                line: resp.line,
                message: "response example is not a JSON object (an envelope with `data`)".into(),
            });
            return (code, message, None);
        }
        Err((l, msg)) => {
            warnings.push(Issue {
                line: resp.line + l - 1,
                message: format!("response example is not JSON: {msg}"),
            });
            return (code, message, None);
        }
    };
    let Some(d) = envelope.get("data") else {
        warnings.push(Issue {
            line: resp.line,
            message: "response example has no `data` field; data schema left permissive".into(),
        });
        return (code, message, None);
    };
    let inf = infer::infer_data(d);
    if let Some(c) = envelope.get("code") {
        code = c.clone();
    }
    if let Some(m) = envelope.get("message") {
        message = m.clone();
    }
    let data = Part {
        schema: inf.schema,
        example: inf.example,
    };
    (code, message, Some(data))
}

fn path_params(ep: &DocEndpoint, warnings: &mut Vec<Issue>) -> Option<Part> {
    let names: Vec<&str> = ep
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    for p in ep
        .section
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::PathParams)
    {
        if !names.contains(&p.name.as_str()) {
            warnings.push(Issue {
                line: p.line,
                message: format!("path parameter `{}` is not in `{}`", p.name, ep.path),
            });
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut props = Map::new();
    let mut example = Map::new();
    for n in &names {
        let mut s = json!({ "type": "string", "minLength": 1 });
        if let Some(p) = ep
            .section
            .params
            .iter()
            .find(|p| p.location == ParamLocation::PathParams && p.name == *n)
        {
            if !p.description.is_empty() {
                s["description"] = json!(p.description);
            }
        }
        props.insert(n.to_string(), s);
        example.insert(n.to_string(), json!(path_param_example(n, &ep.path)));
    }
    let required = names.iter().map(|n| json!(n)).collect();
    Some(Part {
        schema: object_schema(required, props),
        example: Value::Object(example),
    })
}

/// `vehicle_001` for `/vehicles/{id}`, `transaction_001` for `{transactionId}`, `orderNo_001` otherwise.
fn path_param_example(name: &str, path: &str) -> String {
    if name == "id" {
        let before = path
            .split('/')
            .take_while(|s| *s != "{id}")
            .filter(|s| !s.is_empty())
            .last()
            .unwrap_or("item");
        let word = super::naming::singular(&super::naming::kebab(before)).replace('-', "_");
        return format!("{word}_001");
    }
    match name.strip_suffix("Id").filter(|s| !s.is_empty()) {
        Some(stem) => format!("{stem}_001"),
        None => format!("{name}_001"),
    }
}

/// The request part made of the listed parameters at `location` (query values are strings on the wire).
fn params_part(ep: &DocEndpoint, location: ParamLocation) -> Option<Part> {
    let params: Vec<&Param> = ep
        .section
        .params
        .iter()
        .filter(|p| p.location == location)
        .collect();
    if params.is_empty() {
        return None;
    }
    let mut required = vec![];
    let mut props = Map::new();
    let mut example = Map::new();
    for p in params {
        let (schema, value) = if location == ParamLocation::Query {
            query_param(p)
        } else {
            body_param(p)
        };
        if p.required {
            required.push(json!(p.name));
        }
        props.insert(p.name.clone(), schema);
        example.insert(p.name.clone(), value);
    }
    Some(Part {
        schema: object_schema(required, props),
        example: Value::Object(example),
    })
}

fn describe(mut schema: Value, p: &Param) -> Value {
    if !p.description.is_empty() {
        schema["description"] = json!(p.description);
    }
    schema
}

fn default_in(description: &str) -> Option<Value> {
    DEFAULT_VALUE
        .captures(description)
        .and_then(|c| infer::number_value(&c[1]))
}

/// An example string for a parameter: the first of listed values (`类型：login/register`), else from its name.
fn string_example(p: &Param) -> String {
    if let Some(c) = LISTED_VALUES.captures(&p.description) {
        return c[1].to_string();
    }
    infer::plausible_string(&p.name)
}

fn body_param(p: &Param) -> (Value, Value) {
    let (schema, value) = match p.ty.as_str() {
        "number" | "float" | "double" => (
            json!({ "type": "number" }),
            default_in(&p.description).unwrap_or(json!(1)),
        ),
        "integer" | "int" => (
            json!({ "type": "integer" }),
            default_in(&p.description).unwrap_or(json!(1)),
        ),
        "boolean" | "bool" => (json!({ "type": "boolean" }), json!(true)),
        "object" => (json!({ "type": "object" }), json!({})),
        "array" => (json!({ "type": "array" }), json!([])),
        t if t.ends_with("[]") || t.starts_with("array<") => (
            json!({ "type": "array", "items": { "type": "string" } }),
            json!([string_example(p)]),
        ),
        "file" => (
            json!({ "type": "string", "minLength": 1 }),
            json!(format!("{}.jpg", p.name)),
        ),
        _ => string_param(p),
    };
    (describe(schema, p), value)
}

fn string_param(p: &Param) -> (Value, Value) {
    let d = &p.description;
    if d.contains("ISO 8601") || d.contains("ISO8601") {
        (
            json!({ "type": "string", "format": "date-time" }),
            json!("2026-01-01T10:00:00+08:00"),
        )
    } else if d.contains("日期") {
        (
            json!({ "type": "string", "format": "date" }),
            json!("2026-01-01"),
        )
    } else {
        (json!({ "type": "string" }), json!(string_example(p)))
    }
}

fn query_param(p: &Param) -> (Value, Value) {
    let number = |pattern: &str, fallback: &str| {
        let v = default_in(&p.description)
            .map(|v| v.to_string())
            .unwrap_or_else(|| fallback.to_string());
        (json!({ "type": "string", "pattern": pattern }), json!(v))
    };
    let (schema, value) = match p.ty.as_str() {
        "number" | "float" | "double" => number(r"^-?[0-9]+(\.[0-9]+)?$", "1"),
        "integer" | "int" => number(r"^-?[0-9]+$", "1"),
        "boolean" | "bool" => (
            json!({ "type": "string", "enum": ["true", "false"] }),
            json!("true"),
        ),
        t if t == "array" || t.ends_with("[]") || t.starts_with("array<") => (
            json!({ "type": "array", "items": { "type": "string" } }),
            json!([string_example(p)]),
        ),
        _ => string_param(p),
    };
    (describe(schema, p), value)
}

/// Query parameters from a JSON example: each value as the string it is on the wire.
fn query_from_json(map: &Map<String, Value>) -> Part {
    let mut props = Map::new();
    let mut example = Map::new();
    let mut required = vec![];
    for (k, v) in map {
        let inf: Inferred = match v {
            Value::String(_) => infer::infer(k, v),
            Value::Number(n) => Inferred {
                schema: json!({ "type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$" }),
                example: json!(n.to_string()),
                optional: false,
            },
            Value::Bool(b) => Inferred {
                schema: json!({ "type": "string", "enum": ["true", "false"] }),
                example: json!(b.to_string()),
                optional: false,
            },
            other => infer::infer(k, other),
        };
        if !inf.optional {
            required.push(json!(k));
        }
        props.insert(k.clone(), inf.schema);
        example.insert(k.clone(), inf.example);
    }
    Part {
        schema: object_schema(required, props),
        example: Value::Object(example),
    }
}

/// A JSON example and a parameter list for the same body: the JSON gives the shape; the list adds
/// descriptions, makes fields it calls optional not required, and adds fields the JSON lacks.
fn overlay_params(mut from_json: Part, listed: &Part, ep: &DocEndpoint) -> Part {
    for p in ep
        .section
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Body)
    {
        let has = from_json
            .schema
            .get("properties")
            .is_some_and(|props| props.get(&p.name).is_some());
        if has {
            if !p.description.is_empty() {
                from_json.schema["properties"][&p.name]["description"] = json!(p.description);
            }
            if !p.required {
                unrequire(&mut from_json.schema, &p.name);
            }
        } else if let (Some(s), Some(v)) = (
            listed.schema.get("properties").and_then(|x| x.get(&p.name)),
            listed.example.get(&p.name),
        ) {
            if from_json.schema.get("properties").is_none() {
                from_json.schema["properties"] = json!({});
            }
            from_json.schema["properties"][&p.name] = s.clone();
            from_json.example[&p.name] = v.clone();
            if p.required {
                match from_json
                    .schema
                    .get_mut("required")
                    .and_then(Value::as_array_mut)
                {
                    Some(r) => r.push(json!(p.name)),
                    None => from_json.schema["required"] = json!([p.name]),
                }
            }
        }
    }
    from_json
}

/// Removes `field` from the schema's `required`; whether it was there.
fn unrequire(schema: &mut Value, field: &str) -> bool {
    let Some(obj) = schema.as_object_mut() else {
        return false;
    };
    let Some(req) = obj.get_mut("required").and_then(Value::as_array_mut) else {
        return false;
    };
    let before = req.len();
    req.retain(|v| v.as_str() != Some(field));
    let removed = req.len() != before;
    if req.is_empty() {
        obj.remove("required");
    }
    removed
}
