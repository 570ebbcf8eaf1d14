//! The error of a run whose backend gave no answer at all: what went wrong in the user's terms (the
//! name did not resolve, nothing listens there, no answer in time), about the base URL they gave,
//! not the probe's made-up path, and what to do about it.

use super::RunError;
use crate::http::{TransportError, TransportErrorKind};

/// What to try, said after every cause.
const HINT: &str = "start the backend or fix the base URL (--base-url, DAODAO_BASE_URL, [env.NAME] \
                    base_url in daodao-check.toml); add --sandbox to run against the embedded sandbox";

/// The route probe's transport error as the run's error.
pub(crate) fn unreachable(base_url: &str, timeout_ms: u64, e: &TransportError) -> RunError {
    let url = reqwest::Url::parse(base_url).ok();
    let host = url
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or(base_url)
        .to_string();
    let address = match url.as_ref().and_then(|u| u.port_or_known_default()) {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    let cause = match e.kind {
        TransportErrorKind::Dns => format!("the host name `{host}` does not resolve (DNS)"),
        TransportErrorKind::Refused => {
            format!("connection refused: nothing listens on {address}")
        }
        TransportErrorKind::Timeout => {
            format!("no answer from {address} within {timeout_ms} ms (timeout)")
        }
        TransportErrorKind::Tls => format!(
            "the TLS handshake with {address} failed: {}",
            innermost(&e.message)
        ),
        TransportErrorKind::Other => innermost(&e.message).to_string(),
    };
    RunError::Unreachable {
        url: base_url.to_string(),
        cause,
        hint: HINT,
    }
}

/// The last cause of an error chain (`outer: inner: innermost`): the one that says what happened,
/// without the request URL the outer ones name.
fn innermost(chain: &str) -> &str {
    chain.rsplit(": ").next().unwrap_or(chain).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(base: &str, kind: TransportErrorKind, message: &str) -> String {
        let e = TransportError {
            kind,
            message: message.into(),
        };
        unreachable(base, 10_000, &e).to_string()
    }

    #[test]
    fn each_cause_is_said_about_the_base_url_given_with_what_to_do() {
        let probe = "error sending request for url (http://localhost:3001/api/v1/__daodao_check_no_such_route_1)";
        let refused = said(
            "http://localhost:3001/api/v1",
            TransportErrorKind::Refused,
            &format!("{probe}: client error (Connect): tcp connect error: Connection refused (os error 111)"),
        );
        assert!(
            refused.starts_with(
                "backend unreachable at http://localhost:3001/api/v1: connection refused: nothing listens on localhost:3001\n"
            ),
            "{refused}"
        );
        assert!(refused.contains("--sandbox"), "{refused}");
        assert!(!refused.contains("__daodao"), "{refused}");
        let dns = said(
            "http://backend.invalid/api/v1",
            TransportErrorKind::Dns,
            &format!("{probe}: dns error: failed to lookup address information"),
        );
        assert!(
            dns.contains("the host name `backend.invalid` does not resolve (DNS)"),
            "{dns}"
        );
        let timeout = said(
            "https://api.example.com/api/v1",
            TransportErrorKind::Timeout,
            "operation timed out",
        );
        assert!(
            timeout.contains("no answer from api.example.com:443 within 10000 ms (timeout)"),
            "{timeout}"
        );
        let other = said(
            "http://h:1/api",
            TransportErrorKind::Other,
            &format!("{probe}: connection reset by peer"),
        );
        assert!(
            other.contains("at http://h:1/api: connection reset by peer\n"),
            "{other}"
        );
    }
}
