//! What a session adds up to, in bounded memory however long it runs: per endpoint the exchanges seen,
//! passed and failed, each distinct finding once (with the first exchange that showed it on its side as
//! the example), a window of recent latencies; per unregistered route a count. No exchange is kept.
//! [`Tally::result`] turns it into the result every report renders.

use super::judge::Verdict;
use super::observed::Observed;
use crate::catalog::Catalog;
use crate::contract::Contract;
use crate::exec::{redact_finding, EXCERPT_CHARS};
use crate::http::Exchange;
use crate::redact::{cut_line, Redactor};
use crate::result::fold::index_free;
use crate::result::proxy::{Coverage, ProxyReport, Suggestion, Unregistered};
use crate::result::{
    percentile, CaseKind, CaseResult, CheckKind, EndpointResult, Finding, RunResult, Side, Status,
};
use std::collections::{HashMap, HashSet, VecDeque};

/// Distinct findings kept per endpoint and side; more are counted.
const DISTINCT_FINDINGS: usize = 20;
/// Latencies kept per endpoint (the most recent), for its p50.
const LATENCY_WINDOW: usize = 512;
/// Unregistered routes listed; requests to more are counted.
const UNREGISTERED_ROUTES: usize = 50;
/// Distinct statuses listed per unregistered route.
const STATUSES_LISTED: usize = 5;
/// Paths in the report are cut here, after masking.
const PATH_CHARS: usize = 200;

/// The sum of a session so far.
pub struct Tally {
    /// The envelope's code field, for the examples' codes.
    code_field: String,
    endpoints: HashMap<String, EndpointTally>,
    unregistered: Vec<Unregistered>,
    unregistered_keys: HashMap<String, usize>,
    unregistered_more: u64,
    exchanges: u64,
    passed: u64,
    failed: u64,
    preflights: u64,
    ignored: u64,
}

#[derive(Default)]
struct EndpointTally {
    exchanges: u64,
    passed: u64,
    failed: u64,
    latencies: VecDeque<f64>,
    front: SideTally,
    back: SideTally,
}

#[derive(Default)]
struct SideTally {
    /// Exchanges with a finding on this side.
    exchanges: u64,
    findings: Vec<Finding>,
    keys: HashSet<String>,
    /// Distinct findings beyond those kept.
    more: u64,
    example: Option<Example>,
}

/// The first exchange with a finding on a side, masked, for the reports.
struct Example {
    request: String,
    response: Option<String>,
    curl: String,
    http_status: Option<u16>,
    code: Option<i64>,
    latency_ms: f64,
}

/// What identifies a finding within one endpoint and side: the check and where, what was due, and
/// for checks about codes what came instead (another code is another problem); otherwise the
/// message's shape (digits stand for any).
fn key(f: &Finding) -> String {
    let actual = match f.check {
        CheckKind::SuccessCode
        | CheckKind::ErrorCode
        | CheckKind::HttpStatus
        | CheckKind::ServerError
        | CheckKind::BadInputAccepted => f.actual.as_deref().unwrap_or_default(),
        _ => "",
    };
    let message: String = if f.expected.is_none() {
        f.message
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect()
    } else {
        String::new()
    };
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{actual}\u{1}{message}",
        f.check.as_str(),
        f.path.as_deref().map(index_free).unwrap_or_default(),
        f.expected.as_deref().unwrap_or_default(),
    )
}

impl SideTally {
    fn add(&mut self, findings: &[&Finding], exchange: &Exchange, cx: (&Redactor, &str)) {
        let (redactor, code_field) = cx;
        if findings.is_empty() {
            return;
        }
        self.exchanges += 1;
        for f in findings {
            let k = key(f);
            if self.keys.contains(&k) {
                continue;
            }
            if self.findings.len() < DISTINCT_FINDINGS {
                self.findings.push(redact_finding(redactor, (*f).clone()));
                self.keys.insert(k);
            } else if self.keys.len() < DISTINCT_FINDINGS * 10 {
                self.keys.insert(k);
                self.more += 1;
            }
        }
        if self.example.is_none() {
            self.example = Some(example(exchange, redactor, code_field));
        }
    }
}

fn example(ex: &Exchange, redactor: &Redactor, code_field: &str) -> Example {
    let resp = ex.response.as_ref().ok();
    Example {
        request: redactor.request_excerpt(&ex.request, EXCERPT_CHARS, true),
        response: resp
            .map(|r| redactor.response_excerpt(r.status, &r.text, r.json.as_ref(), EXCERPT_CHARS)),
        curl: redactor.curl(&ex.request),
        http_status: resp.map(|r| r.status),
        code: ex
            .json()
            .and_then(|j| j.get(code_field))
            .and_then(serde_json::Value::as_i64),
        latency_ms: (ex.elapsed_ms * 10.0).round() / 10.0,
    }
}

impl Tally {
    /// An empty tally; `code_field` is the envelope's code field.
    pub fn new(code_field: &str) -> Tally {
        Tally {
            code_field: code_field.to_string(),
            endpoints: HashMap::new(),
            unregistered: vec![],
            unregistered_keys: HashMap::new(),
            unregistered_more: 0,
            exchanges: 0,
            passed: 0,
            failed: 0,
            preflights: 0,
            ignored: 0,
        }
    }

    /// Adds one judged exchange.
    pub fn add(&mut self, verdict: &Verdict<'_>, o: &Observed, redactor: &Redactor) {
        match verdict {
            Verdict::Preflight => self.preflights += 1,
            Verdict::Ignored => self.ignored += 1,
            Verdict::Unregistered { suggestion } => {
                self.exchanges += 1;
                self.failed += 1;
                self.unregistered(o, suggestion.as_ref(), redactor);
            }
            Verdict::Judged {
                contract,
                findings,
                exchange,
            } => {
                self.exchanges += 1;
                let e = self.endpoints.entry(contract.id.clone()).or_default();
                e.exchanges += 1;
                if findings.is_empty() {
                    self.passed += 1;
                    e.passed += 1;
                } else {
                    self.failed += 1;
                    e.failed += 1;
                }
                if e.latencies.len() == LATENCY_WINDOW {
                    e.latencies.pop_front();
                }
                e.latencies.push_back(o.elapsed_ms);
                let on = |side| -> Vec<&Finding> {
                    findings.iter().filter(|f| f.side == Some(side)).collect()
                };
                let cx = (redactor, self.code_field.as_str());
                e.front.add(&on(Side::Frontend), exchange, cx);
                e.back.add(&on(Side::Backend), exchange, cx);
            }
        }
    }

    fn unregistered(&mut self, o: &Observed, suggestion: Option<&Suggestion>, redactor: &Redactor) {
        let route: String = o
            .path
            .split('/')
            .map(|s| {
                if s.bytes().any(|b| b.is_ascii_digit()) {
                    "*"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let key = format!("{} {route}", o.method.to_ascii_uppercase());
        let status = o.client_status();
        match self.unregistered_keys.get(&key) {
            Some(&i) => {
                let u = &mut self.unregistered[i];
                u.count += 1;
                if !u.statuses.contains(&status) && u.statuses.len() < STATUSES_LISTED {
                    u.statuses.push(status);
                }
            }
            None if self.unregistered.len() < UNREGISTERED_ROUTES => {
                self.unregistered_keys.insert(key, self.unregistered.len());
                self.unregistered.push(Unregistered {
                    method: o.method.to_ascii_uppercase(),
                    path: cut_line(&redactor.line(&o.path), PATH_CHARS),
                    count: 1,
                    statuses: vec![status],
                    suggestion: suggestion.cloned(),
                });
            }
            None => self.unregistered_more += 1,
        }
    }

    /// The result of the session: the endpoints the front end exercised (plan order), each with its
    /// sides' findings, and the proxy section (counts, coverage of the plan, unregistered routes).
    pub fn result(&self, catalog: &Catalog, meta: Meta) -> RunResult {
        let prefix = &catalog.plan.prefix;
        let ordered = catalog.ordered_contracts();
        let endpoints: Vec<EndpointResult> = ordered
            .iter()
            .filter_map(|c| Some(endpoint(c, prefix, self.endpoints.get(&c.id)?)))
            .collect();
        let coverage = ordered
            .iter()
            .map(|c| {
                let t = self.endpoints.get(&c.id);
                Coverage {
                    id: c.id.clone(),
                    endpoint: c.plan_spelling(prefix),
                    phase: c.phase,
                    module: c.module.clone(),
                    name: c.name.clone(),
                    exchanges: t.map_or(0, |t| t.exchanges),
                    passed: t.map_or(0, |t| t.passed),
                    failed: t.map_or(0, |t| t.failed),
                }
            })
            .collect();
        let mut unregistered = self.unregistered.clone();
        // Most frequent first; the order first seen among equals (the sort is stable).
        unregistered.sort_by_key(|u| std::cmp::Reverse(u.count));
        let summary = RunResult::summarise(&endpoints, &[]);
        RunResult {
            schema_version: crate::result::SCHEMA_VERSION,
            tool: format!("daodao-check {}", env!("CARGO_PKG_VERSION")),
            started_at: meta.started_at,
            finished_at: meta.finished_at,
            duration_ms: meta.duration_ms,
            env: meta.env,
            base_url: meta.base_url,
            selection: meta.selection,
            latency_budget_ms: meta.latency_budget_ms,
            endpoints,
            scenarios: vec![],
            setups: vec![],
            missing_accounts: vec![],
            summary,
            sandbox: meta.sandbox,
            partition: None,
            not_run: None,
            route_hint: None,
            notes: vec![],
            proxy: Some(ProxyReport {
                source: meta.source,
                exchanges: self.exchanges,
                passed: self.passed,
                failed: self.failed,
                preflights: self.preflights,
                ignored: self.ignored,
                coverage,
                unregistered,
                unregistered_more: self.unregistered_more,
            }),
        }
    }
}

/// What the result says besides the tally: when, where from, against what.
pub struct Meta {
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub env: String,
    pub base_url: String,
    /// `proxy`, or `har`.
    pub selection: String,
    pub latency_budget_ms: u64,
    pub sandbox: Option<String>,
    /// The upstream URL, or the HAR file.
    pub source: String,
}

fn endpoint(c: &Contract, prefix: &str, t: &EndpointTally) -> EndpointResult {
    let spelling = c.plan_spelling(prefix);
    let mut cases = vec![];
    for (name, what, side) in [
        ("前端请求", "请求", &t.front),
        ("后端响应", "响应", &t.back),
    ] {
        if let Some(case) = side_case(c, &spelling, name, what, side, t.exchanges) {
            cases.push(case);
        }
    }
    let latencies: Vec<f64> = t.latencies.iter().copied().collect();
    let latency = percentile(&latencies, 50.0).map(|l| (l * 10.0).round() / 10.0);
    if cases.is_empty() {
        let mut case = CaseResult::without_request(
            "联调交换",
            CaseKind::Exchange,
            &c.id,
            &spelling,
            Status::Passed,
            format!("{} 次交换全部通过", t.exchanges),
        );
        case.latency_ms = latency;
        cases.push(case);
    }
    let status = if cases.iter().any(|k| k.status == Status::NotActivated) {
        Status::NotActivated
    } else if t.failed > 0 {
        Status::Failed
    } else {
        Status::Passed
    };
    EndpointResult {
        id: c.id.clone(),
        endpoint: spelling,
        method: c.method.clone(),
        path: format!("{prefix}{}", c.path),
        phase: c.phase,
        module: c.module.clone(),
        name: c.name.clone(),
        status,
        reason: None,
        latency_ms: latency,
        cases,
        attempts: 1,
        earlier_attempts: vec![],
    }
}

/// One side's case: its distinct findings and its example exchange; none when the side found nothing.
fn side_case(
    c: &Contract,
    spelling: &str,
    name: &str,
    what: &str,
    side: &SideTally,
    total: u64,
) -> Option<CaseResult> {
    let example = side.example.as_ref()?;
    let mut reason = format!("{total} 次交换中 {} 次{what}不符合合约", side.exchanges);
    if side.more > 0 {
        reason.push_str(&format!("; 另有 {} 个不同问题未列出", side.more));
    }
    let not_activated = side
        .findings
        .iter()
        .any(|f| f.check == CheckKind::RouteNotActivated);
    Some(CaseResult {
        name: name.to_string(),
        kind: CaseKind::Exchange,
        contract: c.id.clone(),
        endpoint: spelling.to_string(),
        status: if not_activated {
            Status::NotActivated
        } else {
            Status::Failed
        },
        reason: Some(reason),
        latency_ms: Some(example.latency_ms),
        http_status: example.http_status,
        code: example.code,
        findings: side.findings.clone(),
        request: Some(example.request.clone()),
        response: example.response.clone(),
        curl: Some(example.curl.clone()),
        account: None,
    })
}

#[cfg(test)]
mod tests;
