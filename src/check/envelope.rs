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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use crate::check::Expect;
    use serde_json::json;

    #[test]
    fn a_complete_envelope_passes() {
        assert!(Case::new().run(&Envelope).is_empty());
    }

    #[test]
    fn a_body_that_is_not_json_says_its_content_type_and_how_it_starts() {
        let findings = Case::new()
            .answer_text(
                200,
                "text/html",
                "<html><body>Service Unavailable</body></html>",
            )
            .run(&Envelope);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "the response is not JSON (text/html)");
        assert_eq!(
            place(&findings[0]),
            (
                None,
                Some("a JSON envelope"),
                Some("\"<html><body>Service Unavailable</body></html>\"")
            )
        );
        let mut cut = Case::new().answer_text(200, "application/json", "{\"code\": 0, \"data\": [");
        if let Ok(resp) = &mut cut.exchange.response {
            resp.truncated = true;
        }
        assert_eq!(
            cut.run(&Envelope)[0].message,
            "the response body is too large to check"
        );
        let mut untyped = Case::new().answer_text(200, "", "OK");
        if let Ok(resp) = &mut untyped.exchange.response {
            resp.content_type = None;
        }
        assert_eq!(
            untyped.run(&Envelope)[0].message,
            "the response is not JSON (no content type)"
        );
    }

    #[test]
    fn json_that_is_not_an_object_is_named_by_its_type() {
        let findings = Case::new().answer(200, json!([1, 2])).run(&Envelope);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "the response is not a JSON object");
        assert_eq!(
            place(&findings[0]),
            (Some(""), Some("object"), Some("array"))
        );
    }

    #[test]
    fn each_missing_field_is_a_finding_at_its_path() {
        let findings = Case::new().answer(200, json!({"data": {}})).run(&Envelope);
        let places: Vec<_> = findings.iter().map(place).collect();
        assert_eq!(
            places,
            [
                (Some("/code"), Some("integer"), Some("missing")),
                (Some("/message"), Some("string"), Some("missing")),
            ]
        );
        assert_eq!(findings[0].message, "envelope field `code` is missing");
        assert!(findings.iter().all(|f| f.check == CheckKind::Envelope));
    }

    #[test]
    fn fields_of_the_wrong_type_say_what_they_are() {
        let findings = Case::new()
            .answer(200, json!({"code": "0", "message": 7, "data": null}))
            .run(&Envelope);
        let places: Vec<_> = findings.iter().map(place).collect();
        assert_eq!(
            places,
            [
                (Some("/code"), Some("integer"), Some("string")),
                (Some("/message"), Some("string"), Some("integer")),
            ]
        );
        assert_eq!(
            findings[0].message,
            "envelope field `code` has the wrong type"
        );
        let float = Case::new()
            .answer(200, json!({"code": 0.5, "message": "ok", "data": 1}))
            .run(&Envelope);
        assert_eq!(
            place(&float[0]),
            (Some("/code"), Some("integer"), Some("number"))
        );
    }

    #[test]
    fn data_may_be_absent_on_an_error_but_not_on_a_success() {
        let answer = json!({"code": 404, "message": "不存在"});
        let success = Case::new().answer(404, answer.clone()).run(&Envelope);
        assert_eq!(
            place(&success[0]),
            (Some("/data"), Some("any JSON value"), Some("missing"))
        );
        let error = Case::new()
            .expect(Expect::Error {
                code: 404,
                http_status: None,
            })
            .answer(404, answer)
            .run(&Envelope);
        assert!(error.is_empty(), "{error:?}");
    }

    #[test]
    fn the_field_names_come_from_the_config() {
        let renamed = |c: &mut crate::config::Config| {
            c.envelope.code = "status".into();
            c.envelope.message = "msg".into();
            c.envelope.data = "result".into();
        };
        let ok = Case::new()
            .config(renamed)
            .answer(200, json!({"status": 0, "msg": "ok", "result": {}}))
            .run(&Envelope);
        assert!(ok.is_empty(), "{ok:?}");
        let findings = Case::new().config(renamed).run(&Envelope);
        let paths: Vec<_> = findings.iter().map(|f| f.path.as_deref()).collect();
        assert_eq!(paths, [Some("/status"), Some("/msg"), Some("/result")]);
    }
}
