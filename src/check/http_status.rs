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
            Expect::Success if code == Some(input.config.envelope.success) => {
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
            Expect::Error { .. } if input.config.status_policy == StatusPolicy::MustAgree => {
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
