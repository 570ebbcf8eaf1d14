//! Schemas of an imported document: OpenAPI 3.0's dialect rewritten as JSON Schema 2020-12, and the
//! team's envelope recognised (and unwrapped to its `data`) in a response schema.

use crate::config::EnvelopeConfig;
use crate::openapi::names::COMPONENTS;
use serde_json::{json, Map, Value};

/// Keywords whose value maps names to schemas (their keys are not keywords).
const BY_NAME: [&str; 5] = [
    "properties",
    "$defs",
    "definitions",
    "patternProperties",
    "dependentSchemas",
];
/// Keywords whose value is data, never a schema.
const DATA: [&str; 5] = ["enum", "const", "default", "example", "examples"];

/// OpenAPI 3.0 → JSON Schema 2020-12: `nullable: true` becomes `type: [T, "null"]` (or an `anyOf` with
/// `{"type": "null"}` when there is no `type`), boolean `exclusiveMinimum`/`exclusiveMaximum` become
/// numbers. Harmless on a 3.1 schema, which has neither.
pub(super) fn normalize(schema: &Value) -> Value {
    walk(schema, false)
}

fn walk(v: &Value, by_name: bool) -> Value {
    match v {
        Value::Object(o) if by_name => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), walk(x, false))).collect())
        }
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, x) in o {
                let value = if DATA.contains(&k.as_str()) {
                    x.clone()
                } else {
                    walk(x, BY_NAME.contains(&k.as_str()))
                };
                out.insert(k.clone(), value);
            }
            exclusive_bounds(&mut out);
            nullable(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, false)).collect()),
        other => other.clone(),
    }
}

fn exclusive_bounds(o: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match o.get(flag) {
            Some(Value::Bool(true)) => {
                let limit = o.remove(bound).unwrap_or(Value::Null);
                if limit.is_null() {
                    o.remove(flag);
                } else {
                    o.insert(flag.into(), limit);
                }
            }
            Some(Value::Bool(false)) => {
                o.remove(flag);
            }
            _ => {}
        }
    }
}

fn nullable(mut o: Map<String, Value>) -> Value {
    match o.remove("nullable") {
        Some(Value::Bool(true)) => {}
        _ => return Value::Object(o),
    }
    if let Some(Value::Array(values)) = o.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    match o.get("type").cloned() {
        Some(Value::String(t)) => {
            o.insert("type".into(), json!([t, "null"]));
            Value::Object(o)
        }
        Some(Value::Array(mut types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            o.insert("type".into(), Value::Array(types));
            Value::Object(o)
        }
        _ => json!({"anyOf": [Value::Object(o), {"type": "null"}]}),
    }
}

/// A response schema that is the envelope: its `data` schema and the components the envelope was
/// read through. `None` when the schema is not shaped like the envelope (no `code` and `data` fields).
pub(super) fn unwrap_envelope(
    schema: &Value,
    components: &Map<String, Value>,
    envelope: &EnvelopeConfig,
) -> Option<(Value, Vec<String>)> {
    let mut fields = Map::new();
    let mut through = vec![];
    collect_fields(schema, components, &mut fields, &mut through, 0);
    if !fields.contains_key(&envelope.code) || !fields.contains_key(&envelope.data) {
        return None;
    }
    let data = fields.remove(&envelope.data).unwrap_or(json!({}));
    Some((data, through))
}

/// The fields an object schema declares through `properties`, `allOf` and component `$ref`s; a field
/// declared more than once keeps its most specific schema (the last that says more than nothing).
fn collect_fields(
    schema: &Value,
    components: &Map<String, Value>,
    fields: &mut Map<String, Value>,
    through: &mut Vec<String>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(COMPONENTS))
    {
        through.push(name.to_string());
        if let Some(target) = components.get(name) {
            collect_fields(target, components, fields, through, depth + 1);
        }
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_fields(part, components, fields, through, depth + 1);
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, s) in props {
            let says_something = s.as_object().is_some_and(|o| {
                o.keys()
                    .any(|k| !matches!(k.as_str(), "description" | "title"))
            });
            if says_something || !fields.contains_key(k) {
                fields.insert(k.clone(), s.clone());
            }
        }
    }
}

/// An example that is already an envelope (has the `code` and `data` fields).
pub(super) fn is_envelope_value(v: &Value, envelope: &EnvelopeConfig) -> bool {
    v.get(&envelope.code).is_some() && v.get(&envelope.data).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type_and_boolean_bounds_become_numbers() {
        let s = json!({"type": "object", "properties": {
            "a": {"type": "string", "nullable": true},
            "b": {"$ref": "#/components/schemas/X", "nullable": true},
            "c": {"type": "string", "enum": ["x"], "nullable": true},
            "d": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
            "nullable": {"type": "integer", "nullable": false}
        }});
        let n = normalize(&s);
        let p = &n["properties"];
        assert_eq!(p["a"], json!({"type": ["string", "null"]}));
        assert_eq!(
            p["b"],
            json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})
        );
        assert_eq!(p["c"]["enum"], json!(["x", null]));
        assert_eq!(p["d"], json!({"type": "number", "exclusiveMinimum": 0}));
        assert_eq!(
            p["nullable"],
            json!({"type": "integer"}),
            "a property may be named nullable"
        );
    }

    #[test]
    fn the_envelope_is_found_through_refs_and_all_of() {
        let components = serde_json::from_value::<Map<String, Value>>(json!({
            "Envelope": {"type": "object", "properties": {"code": {"type": "integer"},
                "message": {"type": "string"}, "data": {"description": "anything"}}}
        }))
        .expect("map");
        let env = EnvelopeConfig::default();
        let s = json!({"allOf": [{"$ref": "#/components/schemas/Envelope"},
            {"properties": {"data": {"type": "string"}}}]});
        let (data, through) = unwrap_envelope(&s, &components, &env).expect("an envelope");
        assert_eq!(data, json!({"type": "string"}));
        assert_eq!(through, vec!["Envelope"]);
        assert!(unwrap_envelope(&json!({"properties": {"id": {}}}), &components, &env).is_none());
    }
}
