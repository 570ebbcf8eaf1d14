//! Checks: each is a small unit that takes one exchange and returns findings.
//!
//! They run as a pipeline in a fixed order; a *gate* check that finds something stops the pipeline
//! (there is no point validating `data` of a response that is not JSON). A new check is one file and
//! one line in [`PIPELINE`].

mod content_type;
mod drift;
mod envelope;
mod expectation;
mod http_status;
mod latency;
mod leakage;
mod route;
mod schema;
mod server_error;
#[cfg(test)]
mod test_support;
mod transport;

pub use drift::{explain_mismatch, explain_missing, find_drifted};
pub use route::RouteFingerprint;

use crate::config::Config;
use crate::contract::schema::Compiled;
use crate::contract::Contract;
use crate::http::Exchange;
use crate::result::{CaseKind, CheckKind, Finding};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Success,
    Error {
        code: i64,
        http_status: Option<u16>,
    },
    /// Refused with any code of a family (the backend chooses which, e.g. 403 or 404).
    Refused(Refusal),
    /// Served, or refused with a 4xx: anything but a 5xx (a request whose extra fields a correct
    /// backend may ignore or refuse).
    ServedOrRefused,
}

impl Expect {
    /// The request may be served (a 401 then means the session expired, worth one refresh).
    pub fn may_succeed(self) -> bool {
        matches!(self, Expect::Success | Expect::ServedOrRefused)
    }
}

/// The codes that count as refusing a request, when no single one is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Any 4xx (400 for bad input, 413 for a body too large, 415 for a content type …).
    ClientError,
    /// 403 or 404: not yours, or not there for you (a backend may hide what it will not show).
    NotYours,
}

impl Refusal {
    pub fn accepts(self, code: i64) -> bool {
        match self {
            Refusal::ClientError => (400..500).contains(&code),
            Refusal::NotYours => code == 403 || code == 404,
        }
    }

    /// As a finding's `expected`.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::ClientError => "4xx",
            Refusal::NotYours => "403 或 404",
        }
    }
}

pub struct CheckInput<'a> {
    pub exchange: &'a Exchange,
    pub contract: &'a Contract,
    pub compiled: Option<&'a Compiled>,
    pub expect: Expect,
    pub case: CaseKind,
    pub config: &'a Config,
    pub fingerprint: Option<&'a RouteFingerprint>,
    /// Whose request it was, among the run's test accounts.
    pub people: People<'a>,
}

/// The run's test accounts as the leakage check needs them: their phones, and the caller's.
#[derive(Debug, Clone, Copy, Default)]
pub struct People<'a> {
    /// The phone of the account the request was sent as (none without a token of the run's).
    pub caller: Option<&'a str>,
    /// The phones of every test account the run logged in.
    pub accounts: &'a [String],
}

impl CheckInput<'_> {
    /// The envelope's fields, when the body is a JSON object.
    pub fn body(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.exchange
            .response
            .as_ref()
            .ok()
            .and_then(|r| r.envelope())
            .and_then(|v| v.as_object())
    }
    pub fn envelope_code(&self) -> Option<i64> {
        self.body()
            .and_then(|b| b.get(&self.config.envelope.code))
            .and_then(|c| c.as_i64())
    }
    pub fn expects_success(&self) -> bool {
        self.expect == Expect::Success
    }
}

pub trait Check: Sync {
    fn kind(&self) -> CheckKind;
    fn run(&self, input: &CheckInput) -> Vec<Finding>;
    /// When true and the check found something, later checks do not run.
    fn gate(&self) -> bool {
        false
    }
}

static PIPELINE: &[&dyn Check] = &[
    &transport::Transport,
    &route::Route,
    // Before the gate that stops at a 5xx: a database error in a 500 is a leak besides.
    &leakage::Leakage,
    &server_error::ServerError,
    &envelope::Envelope,
    &content_type::ContentType,
    &http_status::HttpStatus,
    &expectation::Expectation,
    &schema::DataSchema,
    &latency::Latency,
];

/// Runs every check in order, stopping after a gate that found something. A route probe asks only
/// whether the route is mounted: it gets the transport and route checks, nothing else.
pub fn run_all(input: &CheckInput) -> Vec<Finding> {
    let mut out = vec![];
    for check in PIPELINE {
        if input.case == CaseKind::RouteProbe
            && !matches!(
                check.kind(),
                CheckKind::Transport | CheckKind::RouteNotActivated
            )
        {
            continue;
        }
        let findings = check.run(input);
        let stop = check.gate() && !findings.is_empty();
        out.extend(findings);
        if stop {
            break;
        }
    }
    out
}

/// The kinds of check in the pipeline, for documentation and the fault matrix.
pub fn pipeline_kinds() -> Vec<CheckKind> {
    PIPELINE.iter().map(|c| c.kind()).collect()
}

#[cfg(test)]
mod tests {
    use super::test_support::Case;
    use super::*;
    use serde_json::json;

    fn kinds(findings: &[Finding]) -> Vec<CheckKind> {
        findings.iter().map(|f| f.check).collect()
    }

    #[test]
    fn a_valid_exchange_passes_the_whole_pipeline() {
        let findings = run_all(&Case::new().input());
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn a_gate_that_finds_something_stops_the_later_checks() {
        // Not JSON and slow: the envelope gate stops before schema and latency.
        let case = Case::new()
            .answer_text(200, "text/html", "<html></html>")
            .took(9000.0);
        assert_eq!(kinds(&run_all(&case.input())), [CheckKind::Envelope]);
        // A server error stops before the envelope (a 500 page is rarely an envelope).
        let case = Case::new().answer_text(500, "text/html", "oops");
        assert_eq!(kinds(&run_all(&case.input())), [CheckKind::ServerError]);
    }

    #[test]
    fn checks_that_are_not_gates_all_report() {
        let case = Case::new()
            .answer(
                302,
                json!({"code": 0, "message": "ok", "data": {"id": 1, "price": 5}}),
            )
            .took(9000.0);
        assert_eq!(
            kinds(&run_all(&case.input())),
            [CheckKind::HttpStatus, CheckKind::Schema, CheckKind::Latency]
        );
    }

    #[test]
    fn the_pipeline_runs_in_its_documented_order() {
        assert_eq!(
            pipeline_kinds(),
            [
                CheckKind::Transport,
                CheckKind::RouteNotActivated,
                CheckKind::Leakage,
                CheckKind::ServerError,
                CheckKind::Envelope,
                CheckKind::ContentType,
                CheckKind::HttpStatus,
                CheckKind::SuccessCode,
                CheckKind::Schema,
                CheckKind::Latency,
            ]
        );
    }
}
