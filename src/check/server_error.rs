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
