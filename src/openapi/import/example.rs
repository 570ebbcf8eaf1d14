//! An example value made from a schema, for operations whose document gives none: the schema's own
//! `example`/`examples`/`const`/`default`/`enum` first, else a plausible value for the field's name
//! within the schema's limits. The importer checks the result against the schema and warns when a
//! limit it does not model (a `pattern`, say) is not met.

use crate::import::infer::plausible_string;
use crate::openapi::names::COMPONENTS;
use regex::Regex;
use serde_json::{json, Map, Value};

/// Deeper than this, objects get only their required fields and recursion stops.
const MAX_DEPTH: usize = 8;

pub(super) fn generate(schema: &Value, components: &Map<String, Value>, key: &str) -> Value {
    value_for(schema, components, key, 0)
}

fn value_for(schema: &Value, components: &Map<String, Value>, key: &str, depth: usize) -> Value {
    let Some(o) = schema.as_object() else {
        return json!(plausible_string(key));
    };
    if let Some(v) = given(o) {
        return v;
    }
    if depth > MAX_DEPTH * 2 {
        return Value::Null;
    }
    if let Some(name) = o
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(COMPONENTS))
    {
        let target = components.get(name).cloned().unwrap_or(json!({}));
        return value_for(&target, components, key, depth + 1);
    }
    if let Some(parts) = o.get("allOf").and_then(Value::as_array) {
        return all_of(o, parts, components, key, depth);
    }
    for alternatives in ["oneOf", "anyOf"] {
        if let Some(first) = o
            .get(alternatives)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|s| s.get("type") != Some(&json!("null"))))
        {
            return value_for(first, components, key, depth + 1);
        }
    }
    match type_of(o).as_str() {
        "object" => object(o, components, depth),
        "array" => {
            let item = o.get("items").cloned().unwrap_or(json!({}));
            let n = o
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            Value::Array(
                (0..n.min(3))
                    .map(|_| value_for(&item, components, key, depth + 1))
                    .collect(),
            )
        }
        "integer" => number(o, true),
        "number" => number(o, false),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(string(o, key)),
    }
}

/// A value the schema itself gives.
fn given(o: &Map<String, Value>) -> Option<Value> {
    if let Some(v) = o.get("example") {
        return Some(v.clone());
    }
    if let Some(v) = o
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return Some(v.clone());
    }
    if let Some(v) = o.get("const").or_else(|| o.get("default")) {
        return Some(v.clone());
    }
    o.get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|v| !v.is_null()).or(a.first()))
        .cloned()
}

fn type_of(o: &Map<String, Value>) -> String {
    match o.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ if o.contains_key("properties") => "object".into(),
        _ if o.contains_key("items") => "array".into(),
        _ => "string".into(),
    }
}

fn all_of(
    o: &Map<String, Value>,
    parts: &[Value],
    components: &Map<String, Value>,
    key: &str,
    depth: usize,
) -> Value {
    let mut merged = Map::new();
    let mut last = Value::Null;
    let mut own = o.clone();
    own.remove("allOf");
    let own = Value::Object(own);
    for part in parts.iter().chain(std::iter::once(&own)) {
        match value_for(part, components, key, depth + 1) {
            Value::Object(fields) => merged.extend(fields),
            other => last = other,
        }
    }
    if merged.is_empty() {
        last
    } else {
        Value::Object(merged)
    }
}

fn object(o: &Map<String, Value>, components: &Map<String, Value>, depth: usize) -> Value {
    let required: Vec<&str> = o
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    if let Some(props) = o.get("properties").and_then(Value::as_object) {
        for (k, s) in props {
            if depth > MAX_DEPTH && !required.contains(&k.as_str()) {
                continue;
            }
            out.insert(k.clone(), value_for(s, components, k, depth + 1));
        }
    }
    Value::Object(out)
}

fn number(o: &Map<String, Value>, integer: bool) -> Value {
    let low = o.get("minimum").and_then(Value::as_f64).or_else(|| {
        o.get("exclusiveMinimum")
            .and_then(Value::as_f64)
            .map(|m| m + 1.0)
    });
    let high = o.get("maximum").and_then(Value::as_f64).or_else(|| {
        o.get("exclusiveMaximum")
            .and_then(Value::as_f64)
            .map(|m| m - 1.0)
    });
    let mut n = low.unwrap_or(1.0).max(1.0);
    if let Some(h) = high {
        n = n.min(h);
    }
    if let Some(l) = low {
        n = n.max(l);
    }
    if integer {
        json!(n.ceil() as i64)
    } else {
        json!(n)
    }
}

fn string(o: &Map<String, Value>, key: &str) -> String {
    let format = o.get("format").and_then(Value::as_str).unwrap_or("");
    let s = match format {
        "date-time" => "2026-01-01T10:00:00+08:00".to_string(),
        "date" => "2026-01-01".to_string(),
        "time" => "10:00:00+08:00".to_string(),
        "email" => "user@example.com".to_string(),
        "uri" | "url" => "https://example.com/item".to_string(),
        "uuid" => "00000000-0000-4000-8000-000000000001".to_string(),
        "ipv4" => "127.0.0.1".to_string(),
        _ => plausible_string(key),
    };
    let s = match o.get("pattern").and_then(Value::as_str) {
        Some(p) => matching(p, s),
        None => s,
    };
    let min = o.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = o
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut s: String = match max {
        Some(m) => s.chars().take(m).collect(),
        None => s,
    };
    while s.chars().count() < min {
        s.push('x');
    }
    s
}

/// The candidate when it matches `pattern`, else the first of a few common shapes that does.
fn matching(pattern: &str, candidate: String) -> String {
    let Ok(re) = Regex::new(pattern) else {
        return candidate;
    };
    if re.is_match(&candidate) {
        return candidate;
    }
    ["1", "13800138000", "abc", "a1", "2026-01-01", "1.5"]
        .iter()
        .find(|c| re.is_match(c))
        .map(|c| c.to_string())
        .or_else(|| sample(pattern).filter(|s| re.is_match(s)))
        .unwrap_or(candidate)
}

/// The shortest string the pattern's structure gives: each class's first ASCII letter or digit (else
/// its first character), each repetition its minimum but at least once (`*` and `?` give one),
/// each alternation its first branch.
fn sample(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn walk(h: &Hir, out: &mut String) {
        match h.kind() {
            HirKind::Literal(l) => out.push_str(&String::from_utf8_lossy(&l.0)),
            HirKind::Class(Class::Unicode(c)) => {
                let ranges = c.ranges();
                let pick = ranges
                    .iter()
                    .flat_map(|r| (r.start()..=r.end()).take(128))
                    .find(char::is_ascii_alphanumeric)
                    .or_else(|| ranges.first().map(|r| r.start()));
                out.extend(pick);
            }
            HirKind::Class(Class::Bytes(c)) => {
                out.extend(c.ranges().first().map(|r| char::from(r.start())));
            }
            HirKind::Repetition(r) => {
                for _ in 0..r.min.clamp(1, 32) {
                    walk(&r.sub, out);
                }
            }
            HirKind::Capture(c) => walk(&c.sub, out),
            HirKind::Concat(parts) => parts.iter().for_each(|p| walk(p, out)),
            HirKind::Alternation(parts) => {
                if let Some(first) = parts.first() {
                    walk(first, out);
                }
            }
            HirKind::Empty | HirKind::Look(_) => {}
        }
    }
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut out = String::new();
    walk(&hir, &mut out);
    Some(out)
}

/// The value of the first of an `examples` map.
pub(super) fn first_example(holder: &Value) -> Option<Value> {
    holder
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|m| m.values().next())
        .and_then(|e| e.get("value"))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_gets_a_string_that_matches_it() {
        for p in [
            r"^[0-9]+-[0-9]*$",
            r"^(CNY|USD)[1-9][0-9]{2}$",
            r"^\d{4}-\d{2}$",
            "^1[3-9][0-9]{9}$",
        ] {
            let s = string(
                &serde_json::from_value(json!({"pattern": p})).expect("map"),
                "price",
            );
            assert!(Regex::new(p).expect("re").is_match(&s), "{s} for {p}");
        }
    }

    #[test]
    fn values_keep_to_the_schema() {
        let components = Map::new();
        let s = json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer", "format": "int64", "minimum": 10},
            "status": {"type": "string", "enum": ["available", "sold"]},
            "at": {"type": ["string", "null"], "format": "date-time"},
            "tags": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
        }});
        assert_eq!(
            generate(&s, &components, "body"),
            json!({"id": 10, "status": "available", "at": "2026-01-01T10:00:00+08:00",
                   "tags": ["1"], "ratio": 1.0})
        );
    }
}
