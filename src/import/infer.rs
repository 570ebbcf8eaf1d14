//! JSON examples as the API doc writes them, turned into JSON Schema plus a literal example.
//!
//! The doc's examples are a mix of real values (`"basePrice": 580`) and type placeholders (`"year": "number"`,
//! `"id": "string"`, `["string"]`, `"MALE|FEMALE|UNKNOWN"`). A placeholder means its type; the example value
//! written into the contract is then a plausible literal of that type, so the example validates against the
//! schema inferred from it.
//!
//! Rules:
//! - every field present is `required` (a placeholder with a note such as `"string (修改时必填)"` or
//!   `"string (可选)"` is not: the note makes it conditional; any other note becomes the `description`);
//! - whole numbers are `integer`, fractions `number` — except fields whose name says money (`price`, `amount`,
//!   `fee`, `income`, `balance`, `cost`, `discount`, …), which are `number` even when the example is whole,
//!   since a price shown as `580` may be `580.5`. The placeholder `"number"` follows the same name rule
//!   (`"year": "number"` → integer), as the doc uses JavaScript's one numeric type name;
//! - strings: RFC 3339 date-times → `"format": "date-time"`, `YYYY-MM-DD` → `"date"`, http(s) URLs → `"uri"`;
//!   `A|B|C` of identifier-like words → an `enum` (example: the first);
//! - arrays take their item schema from the first element, widened by the others so the whole example
//!   validates (fields missing from a later element are no longer required; integer + number → number);
//!   an empty array has no item schema;
//! - `null` is a permissive `{}` (the type is unknown), except as the whole `data`, where it is `"type": "null"`.

use regex::Regex;
use serde_json::{json, Map, Number, Value};
use std::sync::LazyLock;

/// A schema and the literal example that goes with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    pub schema: Value,
    pub example: Value,
    /// The doc marked the field conditional or optional (placeholder note), so it is not `required`.
    pub optional: bool,
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(string|number|integer|int|float|double|boolean|bool|object|array)(?:\s*[(（]\s*(.*?)\s*[)）])?$")
        .expect("static regex")
});
static ENUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_-]+(?:\|[A-Za-z0-9_-]+)+$").expect("static regex"));
static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
        .expect("static regex")
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").expect("static regex"));
static URI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^https?://(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::\d+)?(?:[/?#][^\s]*)?$",
    )
    .expect("static regex")
});

/// Name fragments that make a numeric field `number` even when its example is whole.
const MONEY_WORDS: [&str; 14] = [
    "price",
    "amount",
    "fee",
    "income",
    "balance",
    "cost",
    "discount",
    "deposit",
    "money",
    "expense",
    "revenue",
    "profit",
    "investment",
    "refund",
];

/// Whether a field name says money (case-insensitive substring of [`MONEY_WORDS`]).
pub fn is_money(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    MONEY_WORDS.iter().any(|w| k.contains(w))
}

/// The schema type a numeric field gets from its name alone (`number` for money, else `integer`).
fn whole_number_type(key: &str) -> &'static str {
    if is_money(key) {
        "number"
    } else {
        "integer"
    }
}

/// Infers the schema of the whole `data` of a response example.
pub fn infer_data(value: &Value) -> Inferred {
    match value {
        Value::Null => Inferred {
            schema: json!({ "type": "null" }),
            example: Value::Null,
            optional: false,
        },
        other => infer("data", other),
    }
}

/// Infers the schema of one value; `key` is the field name it sits under (it picks example literals and the
/// integer/number rule).
pub fn infer(key: &str, value: &Value) -> Inferred {
    match value {
        Value::Null => Inferred {
            schema: json!({ "description": "null in the doc's example: type unknown" }),
            example: Value::Null,
            optional: false,
        },
        Value::Bool(b) => plain(json!({ "type": "boolean" }), Value::Bool(*b)),
        Value::Number(n) => {
            let ty = if n.is_f64() {
                "number"
            } else {
                whole_number_type(key)
            };
            plain(json!({ "type": ty }), Value::Number(n.clone()))
        }
        Value::String(s) => infer_string(key, s),
        Value::Array(items) => infer_array(key, items),
        Value::Object(map) => infer_object(map),
    }
}

fn plain(schema: Value, example: Value) -> Inferred {
    Inferred {
        schema,
        example,
        optional: false,
    }
}

fn infer_object(map: &Map<String, Value>) -> Inferred {
    let mut required = vec![];
    let mut properties = Map::new();
    let mut example = Map::new();
    for (k, v) in map {
        let inf = infer(k, v);
        if !inf.optional {
            required.push(Value::String(k.clone()));
        }
        properties.insert(k.clone(), inf.schema);
        example.insert(k.clone(), inf.example);
    }
    plain(object_schema(required, properties), Value::Object(example))
}

/// `{"type": "object", "required": [...], "properties": {...}}`, without empty parts.
pub fn object_schema(required: Vec<Value>, properties: Map<String, Value>) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!("object"));
    if !required.is_empty() {
        s.insert("required".into(), Value::Array(required));
    }
    if !properties.is_empty() {
        s.insert("properties".into(), Value::Object(properties));
    }
    Value::Object(s)
}

fn infer_array(key: &str, items: &[Value]) -> Inferred {
    let mut inferred = items.iter().map(|v| infer(key, v));
    let Some(first) = inferred.next() else {
        return plain(json!({ "type": "array" }), json!([]));
    };
    let mut item_schema = first.schema;
    let mut examples = vec![first.example];
    for inf in inferred {
        item_schema = merge(&item_schema, &inf.schema);
        examples.push(inf.example);
    }
    plain(
        json!({ "type": "array", "items": item_schema }),
        Value::Array(examples),
    )
}

/// Widens `a` so that whatever `b` accepts, the result accepts too (used across array elements).
pub fn merge(a: &Value, b: &Value) -> Value {
    if a == b {
        return a.clone();
    }
    let ty = |v: &Value| v.get("type").and_then(Value::as_str).map(str::to_string);
    match (ty(a).as_deref(), ty(b).as_deref()) {
        (Some("object"), Some("object")) => {
            let empty = Map::new();
            let pa = a
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let pb = b
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let mut props = Map::new();
            for (k, sa) in pa {
                let merged = match pb.get(k) {
                    Some(sb) => merge(sa, sb),
                    None => sa.clone(),
                };
                props.insert(k.clone(), merged);
            }
            for (k, sb) in pb {
                if !props.contains_key(k) {
                    props.insert(k.clone(), sb.clone());
                }
            }
            let req = |v: &Value| -> Vec<Value> {
                v.get("required")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let rb = req(b);
            let required = req(a).into_iter().filter(|k| rb.contains(k)).collect();
            let mut out = object_schema(required, props);
            copy_description(a, &mut out);
            out
        }
        (Some("array"), Some("array")) => {
            let mut out = json!({ "type": "array" });
            if let (Some(ia), Some(ib)) = (a.get("items"), b.get("items")) {
                out["items"] = merge(ia, ib);
            }
            copy_description(a, &mut out);
            out
        }
        (Some(x), Some(y)) if is_numeric(x) && is_numeric(y) => {
            let mut out = json!({ "type": if x == "integer" && y == "integer" { "integer" } else { "number" } });
            copy_description(a, &mut out);
            out
        }
        (Some("string"), Some("string")) => {
            let mut out = json!({ "type": "string" });
            if a.get("format").is_some() && a.get("format") == b.get("format") {
                out["format"] = a["format"].clone();
            }
            if let (Some(ea), Some(eb)) = (
                a.get("enum").and_then(Value::as_array),
                b.get("enum").and_then(Value::as_array),
            ) {
                let mut all = ea.clone();
                for v in eb {
                    if !all.contains(v) {
                        all.push(v.clone());
                    }
                }
                out["enum"] = Value::Array(all);
            }
            copy_description(a, &mut out);
            out
        }
        // A `null` element or differing types: the item type is not known.
        _ => json!({ "description": "the doc's example mixes types here" }),
    }
}

fn is_numeric(t: &str) -> bool {
    t == "integer" || t == "number"
}

fn copy_description(from: &Value, to: &mut Value) {
    if let Some(d) = from.get("description") {
        to["description"] = d.clone();
    }
}

fn infer_string(key: &str, s: &str) -> Inferred {
    if let Some(c) = PLACEHOLDER.captures(s) {
        let ty = c.get(1).map_or("string", |m| m.as_str());
        let note = c.get(2).map(|m| m.as_str()).filter(|n| !n.is_empty());
        let mut inf = placeholder(key, ty);
        if let Some(note) = note {
            inf.optional = note_is_optional(note);
            if note != "必填" {
                inf.schema["description"] = Value::String(note.to_string());
            }
        }
        return inf;
    }
    if ENUM.is_match(s) {
        let mut options: Vec<Value> = vec![];
        for o in s.split('|') {
            let v = Value::String(o.to_string());
            if !options.contains(&v) {
                options.push(v);
            }
        }
        let example = options.first().cloned().unwrap_or(Value::Null);
        return plain(json!({ "type": "string", "enum": options }), example);
    }
    match string_format(s) {
        Some(f) => plain(
            json!({ "type": "string", "format": f }),
            Value::String(s.into()),
        ),
        None => plain(json!({ "type": "string" }), Value::String(s.into())),
    }
}

/// Whether a placeholder note (`修改时必填`, `可选`) makes the field optional: `可选`/`选填`, or required only
/// under a condition (`…时必填`).
pub fn note_is_optional(note: &str) -> bool {
    note.contains("可选") || note.contains("选填") || note.contains("时必填")
}

/// The format a literal string is recognised as, if any.
pub fn string_format(s: &str) -> Option<&'static str> {
    if DATE_TIME.is_match(s) && chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        Some("date-time")
    } else if DATE.is_match(s) && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        Some("date")
    } else if URI.is_match(s) {
        Some("uri")
    } else {
        None
    }
}

/// The schema a type placeholder stands for, with a plausible example literal.
fn placeholder(key: &str, ty: &str) -> Inferred {
    match ty {
        "number" => {
            let t = whole_number_type(key);
            let example = if t == "number" {
                json!(100)
            } else {
                whole_example(key)
            };
            plain(json!({ "type": t }), example)
        }
        "integer" | "int" => plain(json!({ "type": "integer" }), whole_example(key)),
        "float" | "double" => plain(json!({ "type": "number" }), json!(1.5)),
        "boolean" | "bool" => plain(json!({ "type": "boolean" }), json!(true)),
        "object" => plain(json!({ "type": "object" }), json!({})),
        "array" => plain(json!({ "type": "array" }), json!([])),
        _ => plain(json!({ "type": "string" }), json!(plausible_string(key))),
    }
}

fn whole_example(key: &str) -> Value {
    if key.to_ascii_lowercase().contains("year") {
        json!(2024)
    } else {
        json!(1)
    }
}

/// A plausible literal for a string field, from its name.
pub fn plausible_string(key: &str) -> String {
    let k = key.to_ascii_lowercase();
    let has = |w: &str| k.contains(w);
    if has("phone") || has("mobile") {
        "13800138000".into()
    } else if has("email") {
        "user@example.com".into()
    } else if has("password") {
        "Passw0rd123".into()
    } else if k == "code" || (k.ends_with("code") && !k.contains("invite")) {
        "123456".into()
    } else if has("idcard") {
        "330106199001011234".into()
    } else if has("image")
        || has("avatar")
        || has("icon")
        || has("photo")
        || has("url")
        || has("cover")
        || has("thumbnail")
        || has("gallery")
    {
        format!("https://example.com/{}.jpg", kebab_word(key))
    } else if k == "id" {
        "id_001".into()
    } else if let Some(stem) = key.strip_suffix("Id").filter(|s| !s.is_empty()) {
        format!("{stem}_001")
    } else if has("city") {
        "杭州".into()
    } else if has("keyword") {
        "房车".into()
    } else if has("address") || has("location") {
        "浙江省杭州市西湖区文三路123号".into()
    } else {
        format!("{key}_example")
    }
}

fn kebab_word(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A number as it appears in a `默认N` description, if any.
pub fn number_value(s: &str) -> Option<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::Number(i.into()));
    }
    s.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

/// Parses a JSON block as the doc writes it: `//` and `/* */` comments are stripped and trailing commas
/// dropped first (line structure is kept, so line numbers still point into the block). The error is the
/// 1-based line within the block and serde_json's message.
pub fn parse_lenient(text: &str) -> Result<Value, (usize, String)> {
    let cleaned = strip_comments_and_trailing_commas(text);
    serde_json::from_str(&cleaned).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        (e.line().max(1), msg)
    })
}

fn strip_comments_and_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    let mut in_string = false;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                    i += 1;
                }
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match (c, chars.get(i + 1)) {
            ('"', _) => {
                in_string = true;
                out.push(c);
                i += 1;
            }
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    if chars[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
                i += 2;
            }
            ('}' | ']', _) => {
                // A trailing comma: the last non-blank character emitted (outside any string, as a string
                // always ends in `"`) is a comma.
                if let Some(pos) = out.iter().rposition(|ch| !ch.is_whitespace()) {
                    if out[pos] == ',' {
                        out[pos] = ' ';
                    }
                }
                out.push(c);
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}
