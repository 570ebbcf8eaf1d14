//! Execution: scheduling the endpoint checks and scenarios of a run, `jobs` at a time, with retries.
//!
//! [`endpoint`] runs one endpoint's cases, [`scenario`] the steps of a flow, [`request`] one case,
//! [`session`] the logins they share, [`http`] the wire.

mod cache;
mod context;
mod endpoint;
mod phones;
mod production;
mod request;
mod route_probe;
mod scenario;
pub mod session;
mod setup;

pub use crate::http::RequestError;
pub use session::SessionError;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::contract::Contract;
use crate::http::Client;
use crate::plan::Selection;
use crate::redact::Redactor;
use crate::result::{
    CaseResult, EndpointResult, RunResult, ScenarioResult, SetupResult, Status, TextKind,
};
use crate::scenario::template::Builtins;
use crate::scenario::Scenario;
use cache::SetupCache;
use context::Context;
use futures::StreamExt;
use route_probe::Fingerprints;
use session::{AccountPhones, Sessions};
use std::sync::Arc;

/// Told as the run goes; the terminal reporter draws a progress bar with it.
pub trait Observer: Send + Sync {
    fn start(&self, total: usize);
    fn done(&self, label: &str, status: Status);
    fn finish(&self);
}

/// An observer that shows nothing (no terminal, tests).
pub struct SilentObserver;
impl Observer for SilentObserver {
    fn start(&self, _: usize) {}
    fn done(&self, _: &str, _: Status) {}
    fn finish(&self) {}
}

pub struct Runner {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub redactor: Arc<Redactor>,
    client: Client,
    builtins: Builtins,
    fingerprints: Fingerprints,
    sessions: Sessions,
    setups: SetupCache,
    phones: AccountPhones,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The HTTP client could not be built for the configured base URL.
    #[error(transparent)]
    Client(#[from] RequestError),
    /// The route probe got no answer at all: nothing can be checked.
    #[error("backend unreachable at {url}: {message}")]
    Unreachable { url: String, message: String },
}

/// A finished unit of the run, with its place in the plan (an endpoint with the setup steps it ran).
enum Done {
    Endpoint(usize, EndpointResult, Vec<CaseResult>),
    Scenario(usize, ScenarioResult),
}

impl Runner {
    pub fn new(config: Arc<Config>, catalog: Arc<Catalog>) -> Result<Runner, RunError> {
        let client = Client::for_config(&config)?;
        Ok(Runner {
            config,
            catalog,
            redactor: Arc::new(Redactor::new()),
            client,
            builtins: Builtins::from_entropy(),
            fingerprints: Fingerprints::default(),
            sessions: Sessions::new(),
            setups: SetupCache::default(),
            phones: AccountPhones::default(),
        })
    }

    fn context(&self) -> Context<'_> {
        Context {
            config: &self.config,
            catalog: &self.catalog,
            redactor: &self.redactor,
            client: &self.client,
            builtins: &self.builtins,
            fingerprints: &self.fingerprints,
            sessions: &self.sessions,
            setups: &self.setups,
            phones: &self.phones,
        }
    }

    /// Learns how the backend answers a route that cannot exist. Fails when the backend is unreachable.
    pub async fn probe(&mut self) -> Result<(), RunError> {
        let code_field = &self.config.envelope.code;
        self.fingerprints = Fingerprints::learn(&self.client, code_field)
            .await
            .map_err(|e| RunError::Unreachable {
                url: self.config.base_url.clone(),
                message: format!("{:?}: {}", e.kind, e.message).to_lowercase(),
            })?;
        Ok(())
    }

    /// One endpoint: its valid request, then the automatic auth and bad-input cases and its error cases.
    pub async fn check_endpoint(&self, c: &Contract) -> EndpointResult {
        endpoint::check(&self.context(), c).await.0
    }

    /// A scenario: its own sessions, its steps in order.
    pub async fn run_scenario(&self, s: &Scenario) -> ScenarioResult {
        scenario::run(&self.context(), s).await
    }

    /// Runs the selection: endpoint checks and scenarios, `jobs` at a time; results in plan order.
    pub async fn run(
        &mut self,
        selection: &Selection,
        observer: &dyn Observer,
    ) -> Result<RunResult, RunError> {
        let started = chrono::Local::now();
        let clock = std::time::Instant::now();
        self.probe().await?;
        let this = &*self;
        let (contracts, scenarios) = this.select(selection);
        observer.start(contracts.len() + scenarios.len());
        let endpoint_futs = contracts.iter().enumerate().map(|(i, c)| {
            futures::future::Either::Left(async move {
                let (r, setups) = this.check_endpoint_with_retries(c).await;
                observer.done(&r.endpoint, r.status);
                Done::Endpoint(i, r, setups)
            })
        });
        let scenario_futs = scenarios.iter().enumerate().map(|(i, s)| {
            futures::future::Either::Right(async move {
                let r = this.run_scenario_with_retries(s).await;
                observer.done(&format!("scenario {}", r.name), r.status);
                Done::Scenario(i, r)
            })
        });
        let done: Vec<Done> = futures::stream::iter(endpoint_futs.chain(scenario_futs))
            .buffer_unordered(this.config.jobs)
            .collect()
            .await;
        observer.finish();
        let (endpoints, setups, scenario_results) =
            in_plan_order(done, contracts.len(), scenarios.len());
        let setups = SetupResult::merge(setups);
        let summary = RunResult::summarise(&endpoints, &scenario_results);
        let mut result = RunResult {
            schema_version: crate::result::SCHEMA_VERSION,
            tool: format!("daodao-check {}", env!("CARGO_PKG_VERSION")),
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            finished_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            duration_ms: clock.elapsed().as_secs_f64() * 1000.0,
            env: self.config.env_name.clone(),
            base_url: self.config.base_url.clone(),
            selection: selection.describe(),
            latency_budget_ms: self.config.latency_budget_ms,
            endpoints,
            scenarios: scenario_results,
            setups,
            summary,
            sandbox: None,
        };
        self.scrub(&mut result);
        Ok(result)
    }

    /// One last pass over every text of the result: secrets learnt after a case was recorded are
    /// masked there too, controls escaped.
    fn scrub(&self, result: &mut RunResult) {
        let r = &self.redactor;
        result.texts_mut(&mut |text, kind| {
            *text = match kind {
                TextKind::Line => r.line(text),
                TextKind::Block => r.block(text),
                TextKind::Command => r.command(text),
            }
        });
    }

    /// The selected contracts in plan order, and the selected scenarios by phase and name.
    fn select(&self, selection: &Selection) -> (Vec<&Contract>, Vec<&Scenario>) {
        let contracts: Vec<&Contract> = self
            .catalog
            .ordered_contracts()
            .into_iter()
            .filter(|c| selection.wants_endpoint(&c.id, c.phase, &c.module))
            .collect();
        let mut scenarios: Vec<&Scenario> = self
            .catalog
            .scenarios
            .iter()
            .filter(|s| {
                let modules: Vec<&str> = s
                    .steps
                    .iter()
                    .filter_map(|st| self.catalog.contract(&st.endpoint))
                    .map(|c| c.module.as_str())
                    .collect();
                selection.wants_scenario(&s.name, s.phase, &modules)
            })
            .collect();
        scenarios.sort_by_key(|s| (s.phase, s.name.clone()));
        (contracts, scenarios)
    }

    /// An endpoint's check, re-run while it fails (up to `retries`); the setups of the last attempt.
    async fn check_endpoint_with_retries(&self, c: &Contract) -> (EndpointResult, Vec<CaseResult>) {
        let (mut r, mut setups) = endpoint::check(&self.context(), c).await;
        // A route that is not mounted will not be mounted on a retry.
        while r.status.is_failure()
            && r.status != Status::NotActivated
            && r.attempts <= self.config.retries
        {
            let attempts = r.attempts + 1;
            (r, setups) = endpoint::check(&self.context(), c).await;
            r.attempts = attempts;
        }
        (r, setups)
    }

    async fn run_scenario_with_retries(&self, s: &Scenario) -> ScenarioResult {
        let mut r = self.run_scenario(s).await;
        while r.status.is_failure() && r.attempts <= self.config.retries {
            let attempts = r.attempts + 1;
            r = self.run_scenario(s).await;
            r.attempts = attempts;
        }
        r
    }
}

/// Completion order is arbitrary; the result is in plan order whatever it was.
type InPlanOrder = (
    Vec<EndpointResult>,
    Vec<(String, Vec<CaseResult>)>,
    Vec<ScenarioResult>,
);

fn in_plan_order(done: Vec<Done>, endpoint_count: usize, scenario_count: usize) -> InPlanOrder {
    let mut endpoints: Vec<Option<(EndpointResult, Vec<CaseResult>)>> = vec![None; endpoint_count];
    let mut scenarios: Vec<Option<ScenarioResult>> = vec![None; scenario_count];
    for d in done {
        match d {
            Done::Endpoint(i, r, setups) => endpoints[i] = Some((r, setups)),
            Done::Scenario(i, r) => scenarios[i] = Some(r),
        }
    }
    let (endpoints, setups) = endpoints
        .into_iter()
        .flatten()
        .map(|(r, setups)| {
            let id = r.id.clone();
            (r, (id, setups))
        })
        .unzip();
    (endpoints, setups, scenarios.into_iter().flatten().collect())
}
