//! The unified envelope `{code, message, data}` (field names from the config), with its types.

use super::{Check, CheckInput, CheckKind, Finding};
use crate::http::{HttpResponse, NotJson, JSON_DEPTH_LIMIT};
use crate::short::{cut_text, server_text, TEXT_CHARS};
use serde_json::Value;

pub struct Envelope;

/// `{errcode, errmsg, result}`: an envelope of other names, when the object is one: an integer field
/// named like a code, a text field named like a message, and at most one other field (its data).
fn other_envelope(obj: &serde_json::Map<String, Value>) -> Option<String> {
    let named = |k: &str, words: &[&str]| {
        let k = k.to_ascii_lowercase();
        words.iter().any(|w| k.contains(w))
    };
    let code = (obj.iter())
        .find(|(k, v)| v.as_i64().is_some() && named(k, &["code", "errno", "status"]))?
        .0;
    let message = (obj.iter())
        .find(|(k, v)| v.is_string() && named(k, &["msg", "message", "error", "desc", "info"]))?
        .0;
    let rest: Vec<&String> = (obj.keys())
        .filter(|k| *k != code && *k != message)
        .collect();
    match rest.as_slice() {
        [] => Some(format!("{{{code}, {message}}}")),
        [data] => Some(format!("{{{code}, {message}, {data}}}")),
        _ => None,
    }
}

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
        let Some(json) = resp.envelope() else {
            let actual = match compressed(resp) {
                Some(encoding) => format!("{} bytes of {encoding} data", resp.body_bytes),
                None => format!("{:?}", cut_text(&resp.text, 60)),
            };
            return vec![Finding::new(
                CheckKind::Envelope,
                no_json(resp, input.config.limits.max_body_bytes),
            )
            .expected("a JSON envelope", actual)];
        };
        let Some(obj) = json.as_object() else {
            return vec![
                Finding::new(CheckKind::Envelope, "the response is not a JSON object")
                    .at("")
                    .expected("object", type_name(json)),
            ];
        };
        // The backend's own envelope (`{errcode, errmsg, result}`) is one finding, not one per field.
        if !obj.contains_key(&names.code) && !obj.contains_key(&names.message) {
            if let Some(theirs) = other_envelope(obj) {
                let ours = format!("{{{}, {}, {}}}", names.code, names.message, names.data);
                return vec![Finding::new(
                    CheckKind::Envelope,
                    format!("信封字段名不同: 后端为 {theirs}, 合约为 {ours} (若以后端为准, 在 daodao-check.toml [envelope] 中配置)"),
                )
                .at("")
                .expected(ours, theirs)];
            }
        }
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

/// Why there is no envelope, in the answer's own terms: its status when it has no body or redirects,
/// the read limit, a compression we never asked for, the parser's depth limit, or the parser's reason.
fn no_json(resp: &HttpResponse, read_limit: usize) -> String {
    let status = resp.status;
    let why = match &resp.not_json {
        Some(NotJson::Truncated) => {
            return format!(
                "the response body is larger than the read limit ({}, [run] max_body_bytes): \
                 reading stopped there",
                bytes(read_limit)
            )
        }
        _ if (300..400).contains(&status) => {
            let to = resp
                .location
                .as_deref()
                .map_or("no Location".to_string(), |l| {
                    format!("to {}", server_text(l, TEXT_CHARS))
                });
            return format!("a redirect (HTTP {status} {to}), which is not followed");
        }
        Some(NotJson::Empty) => {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .map_or(String::new(), |r| format!(" {r}"));
            return format!("the response has no body (HTTP {status}{reason})");
        }
        _ if compressed(resp).is_some() => {
            let encoding = compressed(resp).unwrap_or_default();
            return format!(
                "the body is compressed (Content-Encoding: {encoding}) though the request accepted \
                 no encoding; it is not decoded"
            );
        }
        Some(NotJson::TooDeep) => {
            format!("the JSON is nested too deeply to parse (the parser's recursion limit is {JSON_DEPTH_LIMIT})")
        }
        Some(NotJson::Syntax(reason)) if declares_json(resp) => {
            let ct = server_text(resp.content_type.as_deref().unwrap_or(""), 60);
            format!(
                "the response is not JSON ({ct}): {}",
                server_text(reason, TEXT_CHARS)
            )
        }
        _ => {
            let ct = resp
                .content_type
                .as_deref()
                .map_or("no content type".to_string(), |c| server_text(c, 60));
            format!("the response is not JSON ({ct})")
        }
    };
    match resp.invalid_utf8_at {
        Some(at) => format!("{why}; its bytes are not UTF-8 from offset {at}"),
        None => why,
    }
}

/// The body's `Content-Encoding` (shortened), unless it is `identity`.
fn compressed(resp: &HttpResponse) -> Option<String> {
    resp.content_encoding
        .as_deref()
        .filter(|e| !e.trim().eq_ignore_ascii_case("identity"))
        .map(|e| server_text(e, 40))
}

/// The content type says JSON (`application/json`, `…+json`).
pub(super) fn declares_json(resp: &HttpResponse) -> bool {
    resp.content_type.as_deref().is_some_and(|ct| {
        let media = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        media == "application/json" || media.ends_with("+json")
    })
}

/// `8 MiB`, `2.5 MiB`, `512 KiB`, `100 bytes`.
pub(super) fn bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    let unit = |n: usize, u: usize, name: &str| {
        if n.is_multiple_of(u) {
            format!("{} {name}", n / u)
        } else {
            format!("{:.1} {name}", n as f64 / u as f64)
        }
    };
    if n >= MIB {
        unit(n, MIB, "MiB")
    } else if n >= KIB {
        unit(n, KIB, "KiB")
    } else {
        format!("{n} bytes")
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
    fn an_envelope_of_other_names_is_one_finding_naming_both() {
        let theirs = Case::new()
            .answer(
                200,
                json!({"errcode": 0, "errmsg": "ok", "result": {"id": "a"}}),
            )
            .run(&Envelope);
        assert_eq!(theirs.len(), 1);
        assert_eq!(
            place(&theirs[0]),
            (
                Some(""),
                Some("{code, message, data}"),
                Some("{errcode, errmsg, result}")
            )
        );
        // Without a field named like a code, or with more than one other field, it is no envelope of
        // ours or theirs: each missing field is said.
        let unknown = Case::new()
            .answer(200, json!({"ok": true, "errmsg": "ok", "result": 1}))
            .run(&Envelope);
        assert!(unknown.len() >= 2, "{unknown:?}");
        let crowded = Case::new()
            .answer(200, json!({"status": 0, "msg": "ok", "a": 1, "b": 2}))
            .run(&Envelope);
        assert!(crowded.len() >= 2, "{crowded:?}");
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
        if let Ok(resp) = &mut cut.exchange.response {
            resp.not_json = Some(NotJson::Truncated);
        }
        assert_eq!(
            cut.run(&Envelope)[0].message,
            "the response body is larger than the read limit (8 MiB, [run] max_body_bytes): \
             reading stopped there"
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
    fn an_answer_without_a_body_or_a_redirect_says_its_status() {
        let message = |case: Case| case.run(&Envelope)[0].message.clone();
        let no_content = Case::new()
            .answer_text(204, "", "")
            .response(|r| r.content_type = None);
        assert_eq!(
            message(no_content),
            "the response has no body (HTTP 204 No Content)"
        );
        assert_eq!(
            message(Case::new().answer_text(200, "application/json", "")),
            "the response has no body (HTTP 200 OK)"
        );
        let redirect = Case::new()
            .answer_text(302, "", "")
            .response(|r| r.location = Some("https://other.example/login?next=/x".into()));
        assert_eq!(
            message(redirect),
            "a redirect (HTTP 302 to https://other.example/login?next=/x), which is not followed"
        );
        let temporary = Case::new().answer_text(307, "text/html", "<a href=x>moved</a>");
        assert_eq!(
            message(temporary),
            "a redirect (HTTP 307 no Location), which is not followed"
        );
    }

    #[test]
    fn a_body_that_cannot_be_parsed_says_why() {
        let message = |case: Case| case.run(&Envelope)[0].message.clone();
        let deep = format!(
            "{{\"data\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(
            message(Case::new().answer_text(200, "application/json", &deep)),
            "the JSON is nested too deeply to parse (the parser's recursion limit is 128)"
        );
        assert_eq!(
            message(Case::new().answer_text(200, "application/json", "{\"code\": 0, \"data\": [1,")),
            "the response is not JSON (application/json): EOF while parsing a value at line 1 column 23"
        );
        let gzip = Case::new()
            .answer_bytes(
                200,
                "application/json",
                &[0x1f, 0x8b, 8, 0, 0xff],
                Default::default(),
            )
            .response(|r| r.content_encoding = Some("gzip".into()));
        assert_eq!(
            message(gzip),
            "the body is compressed (Content-Encoding: gzip) though the request accepted no \
             encoding; it is not decoded",
            "compressed bytes are never UTF-8: saying so would add nothing"
        );
        let gzip = Case::new()
            .answer_bytes(
                200,
                "application/json",
                &[0x1f, 0x8b, 8, 0, 0xff],
                Default::default(),
            )
            .response(|r| r.content_encoding = Some("gzip".into()))
            .run(&Envelope);
        assert_eq!(gzip[0].actual.as_deref(), Some("5 bytes of gzip data"));
        let latin1 = Case::new().answer_bytes(200, "text/plain", b"caf\xe9 <", Default::default());
        assert_eq!(
            message(latin1),
            "the response is not JSON (text/plain); its bytes are not UTF-8 from offset 3"
        );
    }

    #[test]
    fn what_a_backend_sent_is_cut_and_escaped_in_the_finding() {
        let body = format!("\u{1b}[2J{}", "x ".repeat(1000));
        let f = &Case::new()
            .answer_text(200, "text/html\u{7}", &body)
            .run(&Envelope)[0];
        assert_eq!(f.message, "the response is not JSON (text/html\\u{7})");
        let actual = f.actual.as_deref().unwrap_or_default();
        assert!(actual.starts_with("\"\\u{1b}[2Jx x"), "{actual}");
        assert!(actual.chars().count() < 80, "{actual}");
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
        // The team's own envelope, where the config names another: one finding naming both.
        let findings = Case::new().config(renamed).run(&Envelope);
        assert_eq!(
            findings.iter().map(place).collect::<Vec<_>>(),
            [(
                Some(""),
                Some("{status, msg, result}"),
                Some("{code, message, data}")
            )]
        );
        let findings = Case::new()
            .config(renamed)
            .answer(200, json!({"data": {}}))
            .run(&Envelope);
        let paths: Vec<_> = findings.iter().map(|f| f.path.as_deref()).collect();
        assert_eq!(paths, [Some("/status"), Some("/msg"), Some("/result")]);
    }
}
