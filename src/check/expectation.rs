//! The envelope code is the one this case expects: success for valid requests, 401 for requests
//! without a valid token, 400 for bad input, and the contract's code for its error cases.

use super::{CaseKind, Check, CheckInput, CheckKind, Expect, Finding};

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
            .unwrap_or("")
            .to_string();
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
