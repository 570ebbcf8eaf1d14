//! The result model behind `reports/last-run.json`. Versioned: renderers and other tools read it.
//! Bump [`SCHEMA_VERSION`] on any incompatible change and say so in the README.

mod attempts;
mod finding;
pub mod fold;
mod phase;
pub mod proxy;
mod texts;

pub use attempts::{Attempt, NotRun};
pub use finding::{CaseKind, CheckKind, Drift, Finding, Severity, Side};
pub use phase::{ScenarioPhase, END_TO_END};
pub use proxy::ProxyReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub use texts::TextKind;

pub const SCHEMA_VERSION: u32 = 3;

/// Versions this one reads as its own: each only widens the one before (3 added cross-phase
/// scenarios, `"phase": "e2e"`, and the account a step ran as).
const READABLE_VERSIONS: [u32; 2] = [2, SCHEMA_VERSION];

/// Why a result file (`reports/last-run.json`, `--input`, `--results`) cannot be read back, or a
/// result cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ResultFileError {
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not JSON: {source}", path.display())]
    NotJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// Written by an incompatible version of the tool (or not by the tool at all).
    #[error("{}: schema_version {found:?} is not {SCHEMA_VERSION}; re-run to regenerate it", path.display())]
    SchemaVersion { path: PathBuf, found: Option<u64> },
    /// The right version, but not the shape of a result.
    #[error("{}: {source}", path.display())]
    Malformed {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot serialise the result: {0}")]
    Serialise(#[source] serde_json::Error),
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
    NotActivated,
    Blocked,
    Error,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Passed,
        Status::Failed,
        Status::Skipped,
        Status::NotActivated,
        Status::Blocked,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotActivated => "not_activated",
            Status::Blocked => "blocked",
            Status::Error => "error",
        }
    }

    /// The plan's vocabulary.
    pub fn chinese(self) -> &'static str {
        match self {
            Status::Passed => "通过",
            Status::Failed => "失败",
            Status::Skipped => "跳过",
            Status::NotActivated => "未激活",
            Status::Blocked => "阻塞",
            Status::Error => "错误",
        }
    }

    /// Does this status make the run fail?
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Status::Failed | Status::NotActivated | Status::Error | Status::Blocked
        )
    }
}

/// One request of an endpoint check or a scenario, with what was found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    pub name: String,
    pub kind: CaseKind,
    /// The contract this request was checked against.
    pub contract: String,
    /// As the plan spells it: `POST /api/v1/auth/login`.
    pub endpoint: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who a scenario step acted as: a configured account (`primary`, `staff`), or the variable
    /// holding the token it sent (`customer`); absent when it sent no token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Redacted excerpts, kept for cases that did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// A curl command line reproducing the request; secrets are environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointResult {
    pub id: String,
    /// As the plan writes it: `POST /api/v1/auth/login`.
    pub endpoint: String,
    pub method: String,
    /// The plan's path: `/api/v1/auth/login`.
    pub path: String,
    pub phase: u8,
    pub module: String,
    pub name: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Latency of the valid request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    pub cases: Vec<CaseResult>,
    /// How many times it ran (with `--retries`); absent when once.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub attempts: u32,
    /// The attempts before the last, when it was re-run: what each found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_attempts: Vec<Attempt>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub title: String,
    pub phase: ScenarioPhase,
    pub file: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub steps: Vec<CaseResult>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub attempts: u32,
    /// The attempts before the last, when it was re-run: what each found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_attempts: Vec<Attempt>,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl EndpointResult {
    /// Passed, but only on a retry: reported apart, not silently green.
    pub fn flaky(&self) -> bool {
        self.attempts > 1 && !self.status.is_failure()
    }
}

impl ScenarioResult {
    pub fn flaky(&self) -> bool {
        self.attempts > 1 && !self.status.is_failure()
    }
}

impl ScenarioResult {
    pub fn passed_steps(&self) -> usize {
        self.steps
            .iter()
            .filter(|k| k.status == Status::Passed)
            .count()
    }
}

impl CaseResult {
    /// A case that sent nothing (blocked, or the request could not be built): only why.
    pub fn without_request(
        name: &str,
        kind: CaseKind,
        contract: &str,
        endpoint: &str,
        status: Status,
        reason: String,
    ) -> Self {
        CaseResult {
            name: name.to_string(),
            kind,
            contract: contract.to_string(),
            endpoint: endpoint.to_string(),
            status,
            reason: Some(reason),
            account: None,
            latency_ms: None,
            http_status: None,
            code: None,
            findings: vec![],
            request: None,
            response: None,
            curl: None,
        }
    }
}

/// An account the run needed and does not have (a staff account without its credentials): what
/// needs it is skipped, and the reports say in one line how to configure it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingAccount {
    pub account: String,
    /// Why it cannot log in.
    pub why: String,
    /// How to configure it, in one line.
    pub how: String,
}

/// Nearly every route of the run answered like a route that does not exist: the base URL is the likely
/// cause, and a route that needs nothing was asked under the likely bases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteHint {
    /// Endpoints whose route was not activated, of the endpoints that ran.
    pub not_activated: usize,
    pub ran: usize,
    /// The base URL the run used.
    pub base_url: String,
    /// The request asked under the other bases (`GET /health`).
    pub probe: String,
    /// The base under which it answered, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers_at: Option<String>,
}

impl RouteHint {
    /// In one line, with what to do.
    pub fn line(&self) -> String {
        let head = format!(
            "{}/{} 个接口路由未激活, base URL {} 可能有误",
            self.not_activated, self.ran, self.base_url
        );
        match &self.answers_at {
            Some(base) => format!(
                "{head}: {} 在 {base} 下有正常应答, 试试 --base-url {base}",
                self.probe
            ),
            None => format!(
                "{head}: {} 在常见的其他 base URL 下也无应答, 请确认后端挂载路由的前缀 (如 /api/v1)",
                self.probe
            ),
        }
    }
}

/// A setup step (a request that fetches what endpoint checks need), reported once for every endpoint
/// that ran it with the same outcome: its problems belong to the endpoint it calls, not to each user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetupResult {
    pub case: CaseResult,
    /// The endpoint checks (contract ids) that ran this step with this outcome, in plan order.
    pub used_by: Vec<String>,
}

impl SetupResult {
    /// Merges the setup cases of every endpoint: the same step with the same outcome is one entry.
    pub fn merge(per_endpoint: Vec<(String, Vec<CaseResult>)>) -> Vec<SetupResult> {
        let mut out: Vec<SetupResult> = vec![];
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for (endpoint, cases) in per_endpoint {
            for case in cases {
                let key = format!(
                    "{}\u{1}{}\u{1}{:?}\u{1}{}",
                    case.contract,
                    case.name,
                    case.status,
                    serde_json::to_string(&(&case.findings, &case.reason)).unwrap_or_default()
                );
                match index.get(&key) {
                    Some(&i) => {
                        let used_by = &mut out[i].used_by;
                        if !used_by.contains(&endpoint) {
                            used_by.push(endpoint.clone());
                        }
                    }
                    None => {
                        index.insert(key, out.len());
                        out.push(SetupResult {
                            case,
                            used_by: vec![endpoint.clone()],
                        });
                    }
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_activated: usize,
    pub blocked: usize,
    pub error: usize,
}

impl Counts {
    pub fn add(&mut self, s: Status) {
        self.total += 1;
        *match s {
            Status::Passed => &mut self.passed,
            Status::Failed => &mut self.failed,
            Status::Skipped => &mut self.skipped,
            Status::NotActivated => &mut self.not_activated,
            Status::Blocked => &mut self.blocked,
            Status::Error => &mut self.error,
        } += 1;
    }
    pub fn get(&self, s: Status) -> usize {
        match s {
            Status::Passed => self.passed,
            Status::Failed => self.failed,
            Status::Skipped => self.skipped,
            Status::NotActivated => self.not_activated,
            Status::Blocked => self.blocked,
            Status::Error => self.error,
        }
    }
    pub fn failures(&self) -> usize {
        self.failed + self.not_activated + self.blocked + self.error
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub endpoints: Counts,
    pub scenarios: Counts,
    /// Endpoint counts per phase number.
    pub phases: BTreeMap<u8, Counts>,
    /// Endpoints and scenarios that passed only on a retry.
    #[serde(default)]
    pub flaky: usize,
    /// Endpoints and scenarios that were run more than once (`--retries`), flaky or not.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retried: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResult {
    pub schema_version: u32,
    pub tool: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub env: String,
    pub base_url: String,
    pub selection: String,
    pub latency_budget_ms: u64,
    pub endpoints: Vec<EndpointResult>,
    pub scenarios: Vec<ScenarioResult>,
    /// Setup steps of the endpoint checks, each once (see [`SetupResult`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setups: Vec<SetupResult>,
    pub summary: Summary,
    /// Accounts the selection needs that are not configured: what needs them was skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_accounts: Vec<MissingAccount>,
    /// The embedded sandbox's profile (`clean`) when the run did not talk to a real backend;
    /// absent for a backend. Such results say nothing about the backend: `progress` refuses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<String>,
    /// What the validating proxy (or a HAR file) saw: exchanges, the plan's coverage, unregistered
    /// routes. Absent for runs; `selection` is then `proxy` (or `har`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyReport>,
    /// The CI shard this run was (`hash:1/4`, `slice:2/3`); absent for a whole run or a merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// What was not run because enough had failed (`--fail-fast`, `--max-fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_run: Option<NotRun>,
    /// Nearly every route unmounted: what the base URL likely should be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_hint: Option<RouteHint>,
    /// What the run learnt about the backend and adapted to (a token under another name), each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl RunResult {
    pub fn summarise(endpoints: &[EndpointResult], scenarios: &[ScenarioResult]) -> Summary {
        let mut s = Summary {
            endpoints: Counts::default(),
            scenarios: Counts::default(),
            phases: BTreeMap::new(),
            flaky: endpoints.iter().filter(|e| e.flaky()).count()
                + scenarios.iter().filter(|s| s.flaky()).count(),
            retried: endpoints.iter().filter(|e| e.attempts > 1).count()
                + scenarios.iter().filter(|s| s.attempts > 1).count(),
        };
        for e in endpoints {
            s.endpoints.add(e.status);
            s.phases.entry(e.phase).or_default().add(e.status);
        }
        for sc in scenarios {
            s.scenarios.add(sc.status);
        }
        s
    }

    /// True when nothing failed (skips allowed); after a proxy session, also no request went to a
    /// route that no contract describes.
    pub fn passed(&self) -> bool {
        self.summary.endpoints.failures() == 0
            && self.summary.scenarios.failures() == 0
            && self
                .proxy
                .as_ref()
                .is_none_or(|p| p.unregistered.is_empty())
    }

    /// How many endpoints and scenarios were not run (`--fail-fast`, `--max-fail`).
    pub fn not_run_count(&self) -> usize {
        self.not_run.as_ref().map_or(0, NotRun::count)
    }

    /// Drops the excerpts of cases that passed (kept in memory for `-vv` only), so that the file
    /// written holds excerpts for what did not pass, as always.
    pub fn drop_passed_excerpts(&mut self) {
        let cases = self
            .endpoints
            .iter_mut()
            .flat_map(|e| e.cases.iter_mut())
            .chain(self.scenarios.iter_mut().flat_map(|s| s.steps.iter_mut()))
            .chain(self.setups.iter_mut().map(|s| &mut s.case));
        for k in cases.filter(|k| k.status == Status::Passed) {
            k.request = None;
            k.response = None;
            k.curl = None;
        }
    }

    /// Writes the result atomically (the only failure besides serialising is the file system's).
    pub fn write(&self, path: &Path) -> Result<(), ResultFileError> {
        let mut text = serde_json::to_string_pretty(self).map_err(ResultFileError::Serialise)?;
        text.push('\n');
        Ok(crate::atomic::write(path, text.as_bytes())?)
    }

    pub fn read(path: &Path) -> Result<RunResult, ResultFileError> {
        let path_buf = || path.to_path_buf();
        let text = std::fs::read_to_string(path).map_err(|source| ResultFileError::Unreadable {
            path: path_buf(),
            source,
        })?;
        let found = serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|source| ResultFileError::NotJson {
                path: path_buf(),
                source,
            })?
            .get("schema_version")
            .and_then(|v| v.as_u64());
        if !READABLE_VERSIONS
            .iter()
            .any(|v| found == Some(u64::from(*v)))
        {
            return Err(ResultFileError::SchemaVersion {
                path: path_buf(),
                found,
            });
        }
        let mut result: RunResult =
            serde_json::from_str(&text).map_err(|source| ResultFileError::Malformed {
                path: path_buf(),
                source,
            })?;
        // An older version it widens reads as this one.
        result.schema_version = SCHEMA_VERSION;
        // A file written by the tool has no raw control characters; one edited or made elsewhere
        // might, and every renderer reads what this returns.
        result.texts_mut(&mut |t, kind| {
            *t = match kind {
                TextKind::Block => crate::controls::escape_controls(t),
                TextKind::Line | TextKind::Command => crate::controls::escape_controls_one_line(t),
            }
        });
        Ok(result)
    }
}

/// Percentile (nearest rank) of a set of latencies.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v.get(rank - 1).copied()
}

#[cfg(test)]
mod tests;
