//! The envelope code is the one this case expects: success for valid requests, 401 for requests
//! without a valid token, 400 for bad input, the contract's code for its error cases, and a family of
//! refusals for the security cases (a 4xx for malformed input, 403 or 404 for another's record). A
//! refusal that did not come is reported by the check its case stands for ([`CaseKind::refusal_check`]);
//! so is a derived value inside a bound that was not served (`negative_input`).
//!
//! [`CaseKind::refusal_check`]: crate::result::CaseKind::refusal_check

use super::{CaseKind, Check, CheckInput, CheckKind, Expect, Finding, Refusal};
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
                _ if input.case == CaseKind::NegativeInput => {
                    let what = if resp.status >= 500 {
                        format!(
                            "a value inside the schema caused a server error (HTTP {})",
                            resp.status
                        )
                    } else {
                        format!("a value inside the schema was refused: code {shown}: {message}")
                    };
                    vec![Finding::new(CheckKind::NegativeInput, what)
                        .at(code_field)
                        .expected(success.to_string(), shown)]
                }
                _ => vec![Finding::new(
                    CheckKind::SuccessCode,
                    format!("expected success, got code {shown}: {message}"),
                )
                .at(code_field)
                .expected(success.to_string(), shown)],
            },
            Expect::ServedOrRefused => {
                let fine = code.is_some_and(|c| c == success || Refusal::ClientError.accepts(c));
                if fine {
                    return vec![];
                }
                let kind = input.case.refusal_check();
                let what = if resp.status >= 500 {
                    format!("the request caused a server error (HTTP {})", resp.status)
                } else {
                    format!("expected success or a 4xx refusal, got code {shown}: {message}")
                };
                let expected = format!("{success} 或 4xx");
                vec![Finding::new(kind, what)
                    .at(code_field)
                    .expected(expected, shown)]
            }
            Expect::Error { code: want, .. } => {
                if code == Some(want) {
                    return vec![];
                }
                refused_otherwise(input, resp.status, code, &message, want.to_string())
            }
            Expect::Refused(refusal) => {
                if code.is_some_and(|c| refusal.accepts(c)) {
                    return vec![];
                }
                refused_otherwise(
                    input,
                    resp.status,
                    code,
                    &message,
                    refusal.describe().into(),
                )
            }
        }
    }
}

/// A request that should have been refused with `want` got `code` instead: the finding of the check
/// its case stands for, saying plainly when it was served or crashed the server.
fn refused_otherwise(
    input: &CheckInput,
    status: u16,
    code: Option<i64>,
    message: &str,
    want: String,
) -> Vec<Finding> {
    let success = input.config.envelope.success;
    let shown = code.map_or("none".to_string(), |c| c.to_string());
    let kind = input.case.refusal_check();
    let served = code == Some(success);
    let what = match kind {
        CheckKind::AuthNotEnforced if served => {
            "the request was served without a valid token".to_string()
        }
        CheckKind::BadInputAccepted if served => "invalid input was accepted".to_string(),
        CheckKind::MalformedInput if served => "malformed input was accepted".to_string(),
        CheckKind::NegativeInput if served => "invalid input was accepted".to_string(),
        CheckKind::Isolation if served => {
            "served to an account that does not own the record".to_string()
        }
        CheckKind::SessionSecurity if served => {
            "a token that must no longer work was accepted".to_string()
        }
        CheckKind::BadInputAccepted | CheckKind::MalformedInput | CheckKind::NegativeInput
            if status >= 500 =>
        {
            format!("invalid input caused a server error (HTTP {status})")
        }
        _ => format!("expected code {want}, got {shown}: {message}"),
    };
    let code_field = format!("/{}", input.config.envelope.code);
    vec![Finding::new(kind, what)
        .at(code_field)
        .expected(want, shown)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use crate::http::TransportErrorKind;
    use crate::result::CaseKind;
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
    fn a_family_of_refusals_accepts_any_of_its_codes_and_names_the_cases_check() {
        use crate::check::Refusal;
        let case = |kind, refusal, status, code| {
            Case::new()
                .kind(kind)
                .expect(Expect::Refused(refusal))
                .answer(status, envelope(code, "m"))
                .run(&Expectation)
        };
        for code in [403, 404] {
            assert!(case(
                CaseKind::Isolation,
                Refusal::NotYours,
                code,
                i64::from(code)
            )
            .is_empty());
        }
        let served = case(CaseKind::Isolation, Refusal::NotYours, 200, 0);
        assert_eq!(served[0].check, CheckKind::Isolation);
        assert_eq!(
            served[0].message,
            "served to an account that does not own the record"
        );
        assert_eq!(
            place(&served[0]),
            (Some("/code"), Some("403 或 404"), Some("0"))
        );
        let other = case(CaseKind::Isolation, Refusal::NotYours, 400, 400);
        assert_eq!(other[0].message, "expected code 403 或 404, got 400: m");
        for code in [400, 413, 415, 422] {
            assert!(case(
                CaseKind::MalformedInput,
                Refusal::ClientError,
                code,
                i64::from(code)
            )
            .is_empty());
        }
        let crashed = case(CaseKind::MalformedInput, Refusal::ClientError, 500, 500);
        assert_eq!(crashed[0].check, CheckKind::MalformedInput);
        assert_eq!(
            crashed[0].message,
            "invalid input caused a server error (HTTP 500)"
        );
        let accepted = case(CaseKind::MalformedInput, Refusal::ClientError, 200, 0);
        assert_eq!(accepted[0].message, "malformed input was accepted");
        let kept = Case::new()
            .kind(CaseKind::SessionSecurity)
            .expect_code(401)
            .answer(200, envelope(0, "ok"))
            .run(&Expectation);
        assert_eq!(kept[0].check, CheckKind::SessionSecurity);
        assert_eq!(
            kept[0].message,
            "a token that must no longer work was accepted"
        );
    }

    #[test]
    fn a_derived_input_names_its_check_whether_it_was_due_a_refusal_or_service() {
        let refused = |status, code| {
            Case::new()
                .kind(CaseKind::NegativeInput)
                .expect(Expect::Refused(Refusal::ClientError))
                .answer(status, envelope(code, "ER_BAD_FIELD_ERROR"))
                .run(&Expectation)
        };
        assert!(refused(404, 404).is_empty());
        let crashed = refused(500, 500);
        assert_eq!(crashed[0].check, CheckKind::NegativeInput);
        assert_eq!(
            crashed[0].message,
            "invalid input caused a server error (HTTP 500)"
        );
        assert_eq!(
            place(&crashed[0]),
            (Some("/code"), Some("4xx"), Some("500"))
        );
        assert_eq!(refused(200, 0)[0].message, "invalid input was accepted");
        // A value inside a bound must be served: a refusal or a crash is the same check's finding.
        let inside = |status, code| {
            Case::new()
                .kind(CaseKind::NegativeInput)
                .answer(status, envelope(code, "参数错误"))
                .run(&Expectation)
        };
        assert!(inside(200, 0).is_empty());
        let kept_out = inside(400, 400);
        assert_eq!(kept_out[0].check, CheckKind::NegativeInput);
        assert_eq!(
            kept_out[0].message,
            "a value inside the schema was refused: code 400: 参数错误"
        );
        assert_eq!(place(&kept_out[0]), (Some("/code"), Some("0"), Some("400")));
        assert_eq!(
            inside(500, 500)[0].message,
            "a value inside the schema caused a server error (HTTP 500)"
        );
    }

    #[test]
    fn served_or_refused_takes_either_but_not_a_crash() {
        let case = |status, code| {
            Case::new()
                .kind(CaseKind::ClientControlled)
                .expect(Expect::ServedOrRefused)
                .answer(status, envelope(code, "m"))
                .run(&Expectation)
        };
        assert!(case(200, 0).is_empty());
        assert!(case(400, 400).is_empty());
        let crashed = case(500, 500);
        assert_eq!(crashed[0].check, CheckKind::ClientControlled);
        assert_eq!(
            crashed[0].message,
            "the request caused a server error (HTTP 500)"
        );
        assert_eq!(
            place(&crashed[0]),
            (Some("/code"), Some("0 或 4xx"), Some("500"))
        );
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
