//! One contract as one operation: identity, parameters, request body, security and extensions.

use super::schema::{schema_in, schema_of, source};
use super::{responses, Sources, BEARER};
use crate::contract::{AuthRequirement, BodyFormat, Contract, SessionMode};
use crate::openapi::OpenApiError;
use serde_json::{json, Map, Value};

/// Keywords a path or query schema may use at its top level and still be a list of parameters.
const PARAMETER_OBJECT_KEYS: [&str; 4] = ["type", "properties", "required", "additionalProperties"];

pub(super) fn operation(c: &Contract, src: &Sources) -> Result<Value, OpenApiError> {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(c.id));
    op.insert("summary".into(), json!(c.name));
    if let Some(reason) = &c.skip {
        op.insert(
            "description".into(),
            json!(format!("Not run by daodao-check: {reason}")),
        );
    }
    op.insert("tags".into(), json!([c.module]));
    let mut parameters = params(c, src, "path")?;
    parameters.extend(params(c, src, "query")?);
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = &c.request.body {
        let media = match c.body_format {
            BodyFormat::Json => "application/json",
            BodyFormat::Multipart => "multipart/form-data",
        };
        let mut content = Map::new();
        content.insert("schema".into(), schema_of(c, "request.body", body)?);
        if let Some(example) = &c.example.request.body {
            content.insert("example".into(), example.clone());
        }
        op.insert(
            "requestBody".into(),
            json!({"required": true, "content": {media: content}}),
        );
    }
    op.insert("responses".into(), responses::responses(c, src)?);
    let security = if c.needs_auth() {
        json!([{ BEARER: [] }])
    } else {
        json!([])
    };
    op.insert("security".into(), security);
    extensions(c, &mut op);
    Ok(Value::Object(op))
}

/// What OpenAPI has no word for, as `x-daodao-*`.
fn extensions(c: &Contract, op: &mut Map<String, Value>) {
    op.insert("x-daodao-phase".into(), json!(c.phase));
    if let Some(reason) = &c.skip {
        op.insert("x-daodao-skip".into(), json!(reason));
    }
    if c.auth == AuthRequirement::Admin {
        op.insert("x-daodao-auth".into(), json!("admin"));
    }
    if c.session == Some(SessionMode::Fresh) {
        op.insert("x-daodao-session".into(), json!("fresh"));
    }
    if let Some(ms) = c.latency_budget_ms {
        op.insert("x-daodao-latency-budget-ms".into(), json!(ms));
    }
}

/// The `in: path` or `in: query` parameters: one per property of the contract's object schema (a
/// `$ref` to a shared object is followed). Every `{name}` of the path is a parameter, even one the
/// schema forgot (as a string).
fn params(c: &Contract, src: &Sources, location: &str) -> Result<Vec<Value>, OpenApiError> {
    let (part, examples, place) = match location {
        "path" => (
            &c.request.path_params,
            &c.example.request.path_params,
            "request.path_params",
        ),
        _ => (&c.request.query, &c.example.request.query, "request.query"),
    };
    let mut out = vec![];
    let mut seen = vec![];
    if let Some(part) = part {
        let (object, base) = parameter_object(c, src, part, place)?;
        let required: Vec<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let empty = Map::new();
        let props = object
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, schema) in props {
            let prop_place = format!("{place}/properties/{}", crate::openapi::pointer_token(name));
            let mut p = Map::new();
            p.insert("name".into(), json!(name));
            p.insert("in".into(), json!(location));
            p.insert(
                "required".into(),
                json!(location == "path" || required.contains(&name.as_str())),
            );
            p.insert("schema".into(), schema_in(c, &prop_place, schema, base)?);
            if let Some(v) = examples.as_ref().and_then(|e| e.get(name)) {
                p.insert("example".into(), v.clone());
            }
            out.push(Value::Object(p));
            seen.push(name.clone());
        }
    }
    if location == "path" {
        for name in c.path_param_names() {
            if !seen.iter().any(|s| s == name) {
                let mut p = json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
                if let Some(v) = examples.as_ref().and_then(|e| e.get(name)) {
                    p["example"] = v.clone();
                }
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// The object schema whose properties are the parameters, and the shared file it lives in when
/// the contract names it by `$ref`.
fn parameter_object<'s>(
    c: &Contract,
    src: &'s Sources,
    part: &'s Value,
    place: &str,
) -> Result<(&'s Value, Option<&'s str>), OpenApiError> {
    let (object, base) = match part.get("$ref").and_then(Value::as_str) {
        Some(r) => src
            .shared
            .resolve(r, None)
            .map(|(v, f)| (v, Some(f)))
            .ok_or_else(|| source(c, place, format!("`$ref: {r}` does not resolve")))?,
        None => (part, None),
    };
    let Some(map) = object.as_object() else {
        return Err(source(c, place, "not an object schema".into()));
    };
    let own = if part.get("$ref").is_some() {
        part
    } else {
        object
    };
    for key in map
        .keys()
        .chain(own.as_object().into_iter().flat_map(|m| m.keys()))
    {
        let allowed = PARAMETER_OBJECT_KEYS.contains(&key.as_str())
            || matches!(key.as_str(), "$ref" | "description" | "title" | "$comment");
        if !allowed {
            return Err(source(
                c,
                &format!("{place}/{key}"),
                format!(
                    "`{key}` cannot be said with OpenAPI parameters (one schema per parameter)"
                ),
            ));
        }
    }
    Ok((object, base))
}
