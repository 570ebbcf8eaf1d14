//! One exchange judged against its contract, matched by method and path template.
//!
//! The request first: what it breaks of its contract is a 前端 finding ([`super::request`]). Then the
//! answer, through the run's own check pipeline, as the case the request amounted to:
//! - a valid request is the run's valid request: success is due (envelope, code, `data` schema,
//!   latency, route activation); what breaks that is a 后端 finding. One exception: a 401 to a
//!   request that carried a token says the token is stale or wrong, which is the front end's to fix
//!   (refresh it, or log in again), so it is a 前端 `session` finding;
//! - a request that broke its contract is due a refusal: any non-success code answers it (the front
//!   end is told); success, no code or a 5xx means the backend took what it should have refused:
//!   `auth_not_enforced` for a missing token, `bad_input_accepted` otherwise (后端).
//!
//! A request no contract describes is 未登记接口, with the contract it most likely meant
//! ([`super::suggest`]); a CORS preflight is forwarded and not judged.

use super::har::is_masked;
use super::observed::Observed;
use super::request::{self, Sent};
use super::suggest::Suggester;
use crate::catalog::Catalog;
use crate::check::{self, CheckInput, Expect, RouteFingerprint};
use crate::config::Config;
use crate::contract::Contract;
use crate::http::Exchange;
use crate::result::fold::fold;
use crate::result::proxy::Suggestion;
use crate::result::{CaseKind, CheckKind, Finding, Side};
use crate::sandbox::routing::{below_base, Routes};
use serde_json::Value;

/// Findings of one exchange are cut here (each side), so one broken answer cannot flood a session.
pub const FINDINGS_PER_EXCHANGE: usize = 20;

/// What one exchange was.
#[derive(Debug)]
pub enum Verdict<'c> {
    /// A CORS preflight: forwarded, not judged.
    Preflight,
    /// Outside the API (a HAR's page and assets): not judged.
    Ignored,
    /// No contract describes it.
    Unregistered { suggestion: Option<Suggestion> },
    /// Judged against its contract: the front end's findings first, then the backend's.
    Judged {
        contract: &'c Contract,
        findings: Vec<Finding>,
        exchange: Box<Exchange>,
    },
}

/// Matches exchanges to contracts and judges them.
pub struct Judge<'a> {
    catalog: &'a Catalog,
    config: &'a Config,
    routes: Routes,
    base_path: String,
    suggester: Suggester,
    /// A HAR file holds the page and its assets too: what lies outside the base path and resembles
    /// no contract is ignored rather than reported.
    ignore_outside: bool,
    /// The exchanges come from a recording that masked its secrets: a masked value cannot be told
    /// right or wrong, so what is found about one is left out.
    masked_input: bool,
}

impl<'a> Judge<'a> {
    /// `base_path` is the path the API is served under (`/api/v1`).
    pub fn new(
        catalog: &'a Catalog,
        config: &'a Config,
        base_path: &str,
        ignore_outside: bool,
    ) -> Self {
        let routes = Routes::new(
            catalog
                .contracts
                .iter()
                .map(|c| (c.method.as_str(), c.path.as_str())),
        );
        Judge {
            catalog,
            config,
            routes,
            base_path: base_path.trim_end_matches('/').to_string(),
            suggester: Suggester::new(catalog, base_path),
            ignore_outside,
            masked_input: false,
        }
    }

    /// The exchanges come from a recording that masked its secrets.
    pub fn skip_masked_values(&mut self) {
        self.masked_input = true;
    }

    /// Leaves out what is found about a masked value, when the input was masked.
    fn judgeable(&self, mut findings: Vec<Finding>) -> Vec<Finding> {
        if self.masked_input {
            findings.retain(|f| !f.actual.as_deref().is_some_and(is_masked));
        }
        findings
    }

    /// The contract an exchange is for, its path parameters and its path below the base path.
    fn route(
        &self,
        o: &Observed,
    ) -> Option<(&'a Contract, serde_json::Map<String, Value>, String)> {
        let below = below_base(&self.base_path, &o.path)?;
        let method = o.method.to_ascii_uppercase();
        let (index, params) = self.routes.find(&method, below)?;
        Some((&self.catalog.contracts[index], params, below.to_string()))
    }

    /// Whether a contract describes the exchange's route.
    pub fn matches(&self, o: &Observed) -> bool {
        self.route(o).is_some()
    }

    /// Judges one exchange; `fingerprint` is the backend's answer to a route that does not exist,
    /// for the credentials the request carried, when it is known.
    pub async fn judge(&self, o: &Observed, fingerprint: Option<&RouteFingerprint>) -> Verdict<'a> {
        if o.is_preflight() {
            return Verdict::Preflight;
        }
        let Some((contract, params, below)) = self.route(o) else {
            let suggestion = self.suggester.suggest(&o.method, &o.path);
            let outside = below_base(&self.base_path, &o.path).is_none();
            if self.ignore_outside && outside && suggestion.is_none() {
                return Verdict::Ignored;
            }
            return Verdict::Unregistered { suggestion };
        };
        let literal_slip = self.suggester.literal_slip(&o.method, &below);
        if literal_slip.is_some() {
            return Verdict::Unregistered {
                suggestion: literal_slip,
            };
        }
        let sent = request::read(o, params).await;
        let compiled = self.catalog.compiled.get(&contract.id);
        let mut front = self.judgeable(request::check(contract, compiled, &sent));
        let (body, files) = sent.body.as_json();
        let exchange = o.exchange(&below, body, files);
        let answer = self.answer_code(&exchange);
        let (expect, case, note) = expectation(contract, &sent, &front, answer, self.config);
        let input = CheckInput {
            exchange: &exchange,
            contract,
            compiled,
            expect,
            case,
            config: self.config,
            fingerprint,
            // The proxy knows no test account's phone: it reports secret fields and internal text only.
            people: Default::default(),
        };
        let mut back: Vec<Finding> = self
            .judgeable(check::run_all(&input))
            .into_iter()
            .map(|f| f.on(Side::Backend))
            .collect();
        front.extend(note);
        let mut findings = capped(fold(front));
        back = capped(fold(back));
        findings.append(&mut back);
        Verdict::Judged {
            contract,
            findings,
            exchange: Box::new(exchange),
        }
    }

    /// The HTTP status and envelope code of the answer, when there is one.
    fn answer_code(&self, ex: &Exchange) -> Option<(u16, Option<i64>)> {
        let resp = ex.response.as_ref().ok()?;
        let code = resp
            .json
            .as_ref()
            .and_then(|j| j.get(&self.config.envelope.code))
            .and_then(Value::as_i64);
        Some((resp.status, code))
    }
}

fn capped(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.truncate(FINDINGS_PER_EXCHANGE);
    findings
}

/// Which answer is due, judged as which kind of case, and the front end's own note on a refused
/// token. See the module's documentation.
fn expectation(
    c: &Contract,
    sent: &Sent,
    front: &[Finding],
    answer: Option<(u16, Option<i64>)>,
    config: &Config,
) -> (Expect, CaseKind, Option<Finding>) {
    let success = config.envelope.success;
    let error = |code| Expect::Error {
        code,
        http_status: None,
    };
    let Some((status, code)) = answer else {
        return (Expect::Success, CaseKind::Happy, None);
    };
    let refused_token = code == Some(401) || (code.is_none() && status == 401);
    if front.is_empty() {
        if sent.token.is_some() && c.needs_auth() && refused_token {
            let note = Finding::new(
                CheckKind::Session,
                "后端拒绝了请求携带的令牌 (401): 令牌已过期或无效, 小程序应刷新令牌或重新登录",
            )
            .at("/headers/Authorization")
            .on(Side::Frontend);
            return (error(401), CaseKind::ForgedToken, Some(note));
        }
        return (Expect::Success, CaseKind::Happy, None);
    }
    let only_token_missing = front
        .iter()
        .all(|f| f.path.as_deref() == Some("/headers/Authorization"));
    let kind = if only_token_missing {
        CaseKind::NoToken
    } else {
        CaseKind::MissingRequired
    };
    match code {
        // Refused: whatever the code, the front end was told.
        Some(c) if c != success && !(500..600).contains(&c) && status < 500 => {
            (error(c), kind, None)
        }
        _ if only_token_missing => (error(401), kind, None),
        _ => (error(400), kind, None),
    }
}

#[cfg(test)]
mod tests;
