//! The request reached the backend and an answer came back.

use super::{Check, CheckInput, CheckKind, Finding};

pub struct Transport;

impl Check for Transport {
    fn kind(&self) -> CheckKind {
        CheckKind::Transport
    }
    fn gate(&self) -> bool {
        true
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        match &input.exchange.response {
            Ok(_) => vec![],
            Err(e) => vec![Finding::new(
                CheckKind::Transport,
                format!("{:?}: {}", e.kind, e.message).to_lowercase(),
            )],
        }
    }
}
