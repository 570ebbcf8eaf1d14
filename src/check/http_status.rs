//! HTTP status policy: success needs a 2xx (201 on create is fine); with `must-agree`, an error's
//! HTTP status must equal its envelope code.

use super::{Check, CheckInput, CheckKind, Expect, Finding};
use crate::config::StatusPolicy;

pub struct HttpStatus;

impl Check for HttpStatus {
    fn kind(&self) -> CheckKind {
        CheckKind::HttpStatus
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        let Ok(resp) = &input.exchange.response else {
            return vec![];
        };
        let code = input.envelope_code();
        match input.expect {
            Expect::Success | Expect::ServedOrRefused
                if code == Some(input.config.envelope.success) =>
            {
                if (200..300).contains(&resp.status) {
                    vec![]
                } else {
                    vec![Finding::new(
                        CheckKind::HttpStatus,
                        "a successful envelope came with a non-2xx HTTP status",
                    )
                    .expected("2xx", resp.status.to_string())]
                }
            }
            Expect::Error {
                http_status: Some(want),
                ..
            } if resp.status != want => {
                vec![Finding::new(
                    CheckKind::HttpStatus,
                    "the HTTP status differs from the contract",
                )
                .expected(want.to_string(), resp.status.to_string())]
            }
            Expect::Error { .. } | Expect::Refused(_) | Expect::ServedOrRefused
                if input.config.status_policy == StatusPolicy::MustAgree =>
            {
                match code {
                    Some(c)
                        if c != input.config.envelope.success && i64::from(resp.status) != c =>
                    {
                        vec![Finding::new(
                            CheckKind::HttpStatus,
                            format!(
                                "envelope code {c} came with HTTP {} (status policy: must-agree)",
                                resp.status
                            ),
                        )
                        .expected(c.to_string(), resp.status.to_string())]
                    }
                    _ => vec![],
                }
            }
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use serde_json::json;

    fn must_agree(c: &mut crate::config::Config) {
        c.status_policy = StatusPolicy::MustAgree;
    }

    fn envelope(code: i64) -> serde_json::Value {
        json!({"code": code, "message": "m", "data": null})
    }

    #[test]
    fn a_success_needs_a_2xx_under_either_policy() {
        for policy in [StatusPolicy::EnvelopeOnly, StatusPolicy::MustAgree] {
            let case = |status| {
                Case::new()
                    .config(|c| c.status_policy = policy)
                    .answer(status, json!({"code": 0, "message": "ok", "data": {}}))
                    .run(&HttpStatus)
            };
            assert!(case(201).is_empty(), "{policy:?}: 201 on create is fine");
            let findings = case(302);
            assert_eq!(findings.len(), 1, "{policy:?}");
            assert_eq!(findings[0].check, CheckKind::HttpStatus);
            assert_eq!(
                findings[0].message,
                "a successful envelope came with a non-2xx HTTP status"
            );
            assert_eq!(place(&findings[0]), (None, Some("2xx"), Some("302")));
        }
    }

    #[test]
    fn a_pinned_http_status_must_match_under_either_policy() {
        let pinned = Expect::Error {
            code: 400,
            http_status: Some(400),
        };
        let findings = Case::new()
            .expect(pinned)
            .answer(500, envelope(400))
            .run(&HttpStatus);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the HTTP status differs from the contract"
        );
        assert_eq!(place(&findings[0]), (None, Some("400"), Some("500")));
        assert!(Case::new()
            .expect(pinned)
            .answer(400, envelope(400))
            .run(&HttpStatus)
            .is_empty());
    }

    #[test]
    fn envelope_only_lets_an_error_code_come_with_any_status() {
        let findings = Case::new()
            .expect_code(401)
            .answer(200, envelope(401))
            .run(&HttpStatus);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn must_agree_wants_the_error_code_as_the_http_status() {
        let findings = Case::new()
            .config(must_agree)
            .expect_code(401)
            .answer(200, envelope(401))
            .run(&HttpStatus);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "envelope code 401 came with HTTP 200 (status policy: must-agree)"
        );
        assert_eq!(place(&findings[0]), (None, Some("401"), Some("200")));
        let agreeing = Case::new()
            .config(must_agree)
            .expect_code(401)
            .answer(401, envelope(401))
            .run(&HttpStatus);
        assert!(agreeing.is_empty());
        // A success where an error was expected is the expectation check's finding, not this one's.
        let served = Case::new()
            .config(must_agree)
            .expect_code(401)
            .answer(200, envelope(0))
            .run(&HttpStatus);
        assert!(served.is_empty());
    }
}
