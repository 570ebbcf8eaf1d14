//! The envelope code is the one this case expects: success for valid requests, 401 for requests
//! without a valid token, 400 for bad input, and the contract's code for its error cases.

use super::{CaseKind, Check, CheckInput, CheckKind, Expect, Finding};
use crate::short::{server_text, TEXT_CHARS};

pub struct Expectation;

impl Check for Expectation {
    fn kind(&self) -> CheckKind {
        CheckKind::SuccessCode
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        let Ok(resp) = &input.exchange.response else {
            return vec![];
        };
        let success = input.config.envelope.success;
        let code = input.envelope_code();
        let message = input
            .body()
            .and_then(|b| b.get(&input.config.envelope.message))
            .and_then(|m| m.as_str())
            .map_or(String::new(), |m| server_text(m, TEXT_CHARS));
        let code_field = format!("/{}", input.config.envelope.code);
        let shown = code.map_or("none".to_string(), |c| c.to_string());
        match input.expect {
            Expect::Success => match code {
                Some(c) if c == success => vec![],
                _ => vec![Finding::new(
                    CheckKind::SuccessCode,
                    format!("expected success, got code {shown}: {message}"),
                )
                .at(code_field)
                .expected(success.to_string(), shown)],
            },
            Expect::Error { code: want, .. } => {
                if code == Some(want) {
                    return vec![];
                }
                let kind = match input.case {
                    CaseKind::NoToken | CaseKind::ForgedToken => CheckKind::AuthNotEnforced,
                    CaseKind::MissingRequired => CheckKind::BadInputAccepted,
                    _ => CheckKind::ErrorCode,
                };
                let what = match (kind, code) {
                    (CheckKind::AuthNotEnforced, Some(c)) if c == success => {
                        "the request was served without a valid token".to_string()
                    }
                    (CheckKind::BadInputAccepted, Some(c)) if c == success => {
                        "invalid input was accepted".to_string()
                    }
                    (CheckKind::BadInputAccepted, _) if resp.status >= 500 => {
                        format!("invalid input caused a server error (HTTP {})", resp.status)
                    }
                    _ => format!("expected code {want}, got {shown}: {message}"),
                };
                vec![Finding::new(kind, what)
                    .at(code_field)
                    .expected(want.to_string(), shown)]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use crate::http::TransportErrorKind;
    use serde_json::json;

    fn envelope(code: i64, message: &str) -> serde_json::Value {
        json!({"code": code, "message": message, "data": null})
    }

    #[test]
    fn success_is_the_configured_code() {
        assert!(Case::new().run(&Expectation).is_empty());
        let findings = Case::new()
            .answer(200, envelope(1, "库存不足"))
            .run(&Expectation);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].check, CheckKind::SuccessCode);
        assert_eq!(
            findings[0].message,
            "expected success, got code 1: 库存不足"
        );
        assert_eq!(place(&findings[0]), (Some("/code"), Some("0"), Some("1")));
        let configured = Case::new()
            .config(|c| c.envelope.success = 200)
            .answer(200, envelope(200, "ok"))
            .run(&Expectation);
        assert!(configured.is_empty());
    }

    #[test]
    fn a_missing_code_is_shown_as_none() {
        let findings = Case::new()
            .answer(200, json!({"message": "ok"}))
            .run(&Expectation);
        assert_eq!(
            place(&findings[0]),
            (Some("/code"), Some("0"), Some("none"))
        );
        assert_eq!(findings[0].message, "expected success, got code none: ok");
    }

    #[test]
    fn an_error_case_expects_its_own_code() {
        let case = |code| {
            Case::new()
                .kind(CaseKind::ErrorCase)
                .expect_code(404)
                .answer(400, envelope(code, "参数错误"))
                .run(&Expectation)
        };
        assert!(case(404).is_empty());
        let findings = case(400);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].check, CheckKind::ErrorCode);
        assert_eq!(findings[0].message, "expected code 404, got 400: 参数错误");
        assert_eq!(
            place(&findings[0]),
            (Some("/code"), Some("404"), Some("400"))
        );
    }

    #[test]
    fn a_request_without_a_valid_token_that_is_served_is_auth_not_enforced() {
        for kind in [CaseKind::NoToken, CaseKind::ForgedToken] {
            let served = Case::new()
                .kind(kind)
                .expect_code(401)
                .answer(200, envelope(0, "ok"))
                .run(&Expectation);
            assert_eq!(served.len(), 1, "{kind:?}");
            assert_eq!(served[0].check, CheckKind::AuthNotEnforced);
            assert_eq!(
                served[0].message,
                "the request was served without a valid token"
            );
            assert_eq!(place(&served[0]), (Some("/code"), Some("401"), Some("0")));
            // Refused, but with another code: still the auth check, with the codes spelled out.
            let forbidden = Case::new()
                .kind(kind)
                .expect_code(401)
                .answer(403, envelope(403, "无权限"))
                .run(&Expectation);
            assert_eq!(forbidden[0].check, CheckKind::AuthNotEnforced);
            assert_eq!(forbidden[0].message, "expected code 401, got 403: 无权限");
        }
    }

    #[test]
    fn invalid_input_that_is_accepted_or_crashes_is_bad_input_accepted() {
        let case = |status, code| {
            Case::new()
                .kind(CaseKind::MissingRequired)
                .expect_code(400)
                .answer(status, envelope(code, "m"))
                .run(&Expectation)
        };
        assert!(case(400, 400).is_empty());
        let accepted = case(200, 0);
        assert_eq!(accepted[0].check, CheckKind::BadInputAccepted);
        assert_eq!(accepted[0].message, "invalid input was accepted");
        let crashed = case(500, 500);
        assert_eq!(crashed[0].check, CheckKind::BadInputAccepted);
        assert_eq!(
            crashed[0].message,
            "invalid input caused a server error (HTTP 500)"
        );
        assert_eq!(
            place(&crashed[0]),
            (Some("/code"), Some("400"), Some("500"))
        );
        let other = case(422, 422);
        assert_eq!(other[0].message, "expected code 400, got 422: m");
    }

    #[test]
    fn the_backend_message_is_escaped_and_cut() {
        let message = format!("\u{1b}[31m失败\u{7} {}", "很长的说明 ".repeat(100));
        let f = Case::new()
            .answer(200, envelope(1, &message))
            .run(&Expectation);
        assert!(f[0]
            .message
            .starts_with("expected success, got code 1: \\u{1b}[31m失败\\u{7} "));
        assert!(!f[0].message.contains('\u{1b}'));
        assert!(f[0].message.chars().count() < 250, "{}", f[0].message);
    }

    #[test]
    fn the_code_field_name_comes_from_the_config() {
        let findings = Case::new()
            .config(|c| c.envelope.code = "status".into())
            .answer(200, json!({"status": 7, "message": "m"}))
            .run(&Expectation);
        assert_eq!(place(&findings[0]), (Some("/status"), Some("0"), Some("7")));
    }

    #[test]
    fn without_an_answer_there_is_nothing_to_expect() {
        let findings = Case::new()
            .transport_error(TransportErrorKind::Refused, "refused")
            .run(&Expectation);
        assert!(findings.is_empty());
    }
}
