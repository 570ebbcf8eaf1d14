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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::Case;
    use crate::exec::http::TransportErrorKind;

    #[test]
    fn an_answer_of_any_status_passes() {
        assert!(Case::new().run(&Transport).is_empty());
        assert!(Case::new()
            .answer_text(502, "text/html", "Bad Gateway")
            .run(&Transport)
            .is_empty());
    }

    #[test]
    fn no_answer_is_a_transport_finding_that_names_the_kind() {
        let findings = Case::new()
            .transport_error(
                TransportErrorKind::Refused,
                "Connection Refused (os error 111)",
            )
            .run(&Transport);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].check, CheckKind::Transport);
        assert_eq!(
            findings[0].message,
            "refused: connection refused (os error 111)"
        );
        assert_eq!(findings[0].path, None);
        let timeout = Case::new()
            .transport_error(TransportErrorKind::Timeout, "after 300 ms")
            .run(&Transport);
        assert_eq!(timeout[0].message, "timeout: after 300 ms");
    }

    #[test]
    fn it_is_a_gate() {
        assert!(Transport.gate());
    }
}
