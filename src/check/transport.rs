//! The request reached the backend and an answer came back: not a connection failure, and not a
//! refusal to answer now (429, rate limited).

use super::{Check, CheckInput, CheckKind, Finding};
use crate::http::HttpResponse;
use crate::short::server_text;

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
            Ok(resp) if resp.status == 429 => vec![rate_limited(resp, input.config.retries)],
            Ok(_) => vec![],
            Err(e) => vec![Finding::new(
                CheckKind::Transport,
                format!("{:?}: {}", e.kind, e.message).to_lowercase(),
            )],
        }
    }
}

/// A 429 says nothing about the endpoint: say so, with what the backend asked for and what was done.
fn rate_limited(resp: &HttpResponse, retries: u32) -> Finding {
    let asked = resp.retry_after.as_deref().map_or(String::new(), |r| {
        format!(" (Retry-After: {})", server_text(r, 40))
    });
    let done = match (resp.rate_limit_retries, &resp.retry_after) {
        (n @ 1.., _) => format!(", still after waiting it out {n} time(s)"),
        (0, _) if retries == 0 => {
            "; run with --retries N to wait as asked and send it again".to_string()
        }
        (0, Some(_)) => ", and its Retry-After is neither seconds nor a date".to_string(),
        (0, None) => ", with no Retry-After to wait for".to_string(),
    };
    Finding::new(
        CheckKind::Transport,
        format!("rate limited: HTTP 429 Too Many Requests{asked}{done}"),
    )
    .expected("an answer", "HTTP 429")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use crate::http::TransportErrorKind;

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
    fn a_429_is_rate_limiting_and_says_what_to_do_or_what_was_done() {
        let limited = |retries: u32, retry_after: Option<&str>, waited: u32| {
            let f = Case::new()
                .config(|c| c.retries = retries)
                .answer_text(429, "text/plain", "slow down")
                .response(|r| {
                    r.retry_after = retry_after.map(str::to_string);
                    r.rate_limit_retries = waited;
                })
                .run(&Transport);
            assert_eq!(f.len(), 1);
            assert_eq!(place(&f[0]), (None, Some("an answer"), Some("HTTP 429")));
            f[0].message.clone()
        };
        assert_eq!(
            limited(0, Some("5"), 0),
            "rate limited: HTTP 429 Too Many Requests (Retry-After: 5); \
             run with --retries N to wait as asked and send it again"
        );
        assert_eq!(
            limited(2, Some("1"), 2),
            "rate limited: HTTP 429 Too Many Requests (Retry-After: 1), still after waiting it out 2 time(s)"
        );
        assert_eq!(
            limited(1, None, 0),
            "rate limited: HTTP 429 Too Many Requests, with no Retry-After to wait for"
        );
        assert!(limited(1, Some("later\u{1b}[2J"), 0)
            .contains("(Retry-After: later\\u{1b}[2J), and its"));
    }

    #[test]
    fn it_is_a_gate() {
        assert!(Transport.gate());
    }
}
