//! A 5xx on a request that should succeed is a server error, whatever the body says.

use super::{CaseKind, Check, CheckInput, CheckKind, Finding};

pub struct ServerError;

impl Check for ServerError {
    fn kind(&self) -> CheckKind {
        CheckKind::ServerError
    }
    fn gate(&self) -> bool {
        true
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        let Ok(resp) = &input.exchange.response else {
            return vec![];
        };
        // On error cases a 5xx is judged by the expectation check, which knows what was expected.
        let judged_here = matches!(
            input.case,
            CaseKind::Happy | CaseKind::Setup | CaseKind::Step
        ) && input.expects_success();
        if judged_here && resp.status >= 500 {
            vec![Finding::new(
                CheckKind::ServerError,
                format!("HTTP {} on a valid request", resp.status),
            )
            .expected("2xx", resp.status.to_string())]
        } else {
            vec![]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};

    fn internal_error() -> serde_json::Value {
        serde_json::json!({"code": 500, "message": "Internal Server Error", "data": null})
    }

    #[test]
    fn a_5xx_on_a_request_that_should_succeed_is_a_server_error() {
        for kind in [CaseKind::Happy, CaseKind::Setup, CaseKind::Step] {
            let findings = Case::new()
                .kind(kind)
                .answer(503, internal_error())
                .run(&ServerError);
            assert_eq!(findings.len(), 1, "{kind:?}");
            assert_eq!(findings[0].check, CheckKind::ServerError);
            assert_eq!(findings[0].message, "HTTP 503 on a valid request");
            assert_eq!(place(&findings[0]), (None, Some("2xx"), Some("503")));
        }
    }

    #[test]
    fn below_500_or_on_requests_expected_to_fail_it_is_not_judged_here() {
        assert!(Case::new().run(&ServerError).is_empty());
        assert!(Case::new()
            .answer(404, serde_json::json!({"code": 404, "message": "x"}))
            .run(&ServerError)
            .is_empty());
        for kind in [
            CaseKind::NoToken,
            CaseKind::ForgedToken,
            CaseKind::MissingRequired,
            CaseKind::ErrorCase,
        ] {
            let findings = Case::new()
                .kind(kind)
                .expect_code(400)
                .answer(500, internal_error())
                .run(&ServerError);
            assert!(findings.is_empty(), "{kind:?}");
        }
        // A scenario step that expects an error code is judged by the expectation check.
        let step = Case::new()
            .kind(CaseKind::Step)
            .expect_code(409)
            .answer(500, internal_error())
            .run(&ServerError);
        assert!(step.is_empty());
    }
}
