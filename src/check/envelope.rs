//! The unified envelope `{code, message, data}` (field names from the config), with its types.

use super::{Check, CheckInput, CheckKind, Finding};
use serde_json::Value;

pub struct Envelope;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Check for Envelope {
    fn kind(&self) -> CheckKind {
        CheckKind::Envelope
    }
    fn gate(&self) -> bool {
        true
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        let Ok(resp) = &input.exchange.response else {
            return vec![];
        };
        let names = &input.config.envelope;
        let Some(json) = &resp.json else {
            let ct = resp
                .content_type
                .clone()
                .unwrap_or_else(|| "no content type".into());
            let start: String = resp.text.chars().take(60).collect();
            return vec![Finding::new(
                CheckKind::Envelope,
                if resp.truncated {
                    "the response body is too large to check".to_string()
                } else {
                    format!("the response is not JSON ({ct})")
                },
            )
            .expected("a JSON envelope", format!("{start:?}"))];
        };
        let Some(obj) = json.as_object() else {
            return vec![
                Finding::new(CheckKind::Envelope, "the response is not a JSON object")
                    .at("")
                    .expected("object", type_name(json)),
            ];
        };
        let mut out = vec![];
        let mut field =
            |name: &str, want: &str, ok: fn(&Value) -> bool, required: bool| match obj.get(name) {
                None if required => out.push(
                    Finding::new(
                        CheckKind::Envelope,
                        format!("envelope field `{name}` is missing"),
                    )
                    .at(format!("/{name}"))
                    .expected(want.to_string(), "missing"),
                ),
                Some(v) if !ok(v) => out.push(
                    Finding::new(
                        CheckKind::Envelope,
                        format!("envelope field `{name}` has the wrong type"),
                    )
                    .at(format!("/{name}"))
                    .expected(want.to_string(), type_name(v)),
                ),
                _ => {}
            };
        field(&names.code, "integer", |v| v.as_i64().is_some(), true);
        field(&names.message, "string", Value::is_string, true);
        // `data` may be absent on errors, not on success.
        field(
            &names.data,
            "any JSON value",
            |_| true,
            input.expects_success(),
        );
        out
    }
}
