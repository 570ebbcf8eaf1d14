//! Checks: each is a small unit that takes one exchange and returns findings.
//!
//! They run as a pipeline in a fixed order; a *gate* check that finds something stops the pipeline
//! (there is no point validating `data` of a response that is not JSON). A new check is one file and
//! one line in [`PIPELINE`].

mod envelope;
mod expectation;
mod http_status;
mod latency;
mod route;
mod schema;
mod server_error;
mod transport;

pub use route::RouteFingerprint;

use crate::config::Config;
use crate::contract::schema::Compiled;
use crate::contract::Contract;
use crate::exec::http::Exchange;
use crate::result::{CaseKind, CheckKind, Finding};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Success,
    Error { code: i64, http_status: Option<u16> },
}

pub struct CheckInput<'a> {
    pub exchange: &'a Exchange,
    pub contract: &'a Contract,
    pub compiled: Option<&'a Compiled>,
    pub expect: Expect,
    pub case: CaseKind,
    pub config: &'a Config,
    pub fingerprint: Option<&'a RouteFingerprint>,
}

impl CheckInput<'_> {
    /// The envelope's fields, when the body is a JSON object.
    pub fn body(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.exchange.json().and_then(|v| v.as_object())
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
    &server_error::ServerError,
    &envelope::Envelope,
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
