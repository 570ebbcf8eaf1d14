//! Execution: scheduling the endpoint checks and scenarios of a run, `jobs` at a time, with retries.
//!
//! [`endpoint`] runs one endpoint's cases, [`scenario`] the steps of a flow, [`request`] one case,
//! [`session`] the logins they share, [`http`] the wire.

mod base_url;
mod cache;
mod context;
mod endpoint;
mod notes;
mod phones;
mod production;
mod request;
mod route_probe;
mod scenario;
pub mod session;
mod setup;
mod unreachable;

pub use crate::http::RequestError;
pub use session::SessionError;
// The validating proxy (src/proxy/) judges exchanges it did not send: it masks their findings and
// learns the backend's catch-all as the runner does.
pub(crate) use request::{redact_finding, EXCERPT_CHARS};
pub(crate) use route_probe::Fingerprints;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::contract::walk::SchemaDocs;
use crate::contract::Contract;
use crate::http::Client;
use crate::plan::partition::{endpoint_key, scenario_key};
use crate::plan::Selection;
use crate::redact::Redactor;
use crate::result::{
    Attempt, CaseResult, EndpointResult, NotRun, RunResult, ScenarioResult, SetupResult, Status,
    TextKind,
};
use crate::scenario::template::Builtins;
use crate::scenario::Scenario;
use cache::SetupCache;
use context::Context;
use futures::StreamExt;
use session::{AccountPhones, Sessions};
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Which cases keep their request and response excerpts in the result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Excerpts {
    /// Only cases that did not pass (what the reports show).
    #[default]
    Failures,
    /// Every case (`-vv` shows passed exchanges too); masked and cut like the others.
    All,
}

/// How a run is scheduled and what it keeps, beyond the configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Stop scheduling endpoint checks and scenarios once this many have failed (`--fail-fast` is 1);
    /// what is already running finishes and is reported.
    pub max_fail: Option<usize>,
    pub excerpts: Excerpts,
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
    pub options: RunOptions,
    phones: AccountPhones,
    notes: notes::RunNotes,
    schema_docs: SchemaDocs,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The HTTP client could not be built for the configured base URL.
    #[error(transparent)]
    Client(#[from] RequestError),
    /// The route probe got no answer at all: nothing can be checked.
    #[error("backend unreachable at {url}: {cause}\n  {hint}")]
    Unreachable {
        /// The base URL as configured (not the probe's URL).
        url: String,
        /// DNS, refused, timeout … in words.
        cause: String,
        hint: &'static str,
    },
}

/// A finished unit of the run, with its place in the plan (an endpoint with the setup steps it ran),
/// or one not run because enough had failed before it started.
enum Done {
    Endpoint(usize, EndpointResult, Vec<CaseResult>),
    Scenario(usize, ScenarioResult),
    NotRun,
}

impl Runner {
    pub fn new(config: Arc<Config>, catalog: Arc<Catalog>) -> Result<Runner, RunError> {
        let client = Client::for_config(&config)?;
        Ok(Runner {
            catalog,
            redactor: Arc::new(Redactor::new()),
            client,
            builtins: Builtins::from_entropy(),
            fingerprints: Fingerprints::default(),
            sessions: Sessions::new(),
            setups: SetupCache::default(),
            options: RunOptions::default(),
            phones: AccountPhones::default(),
            notes: notes::RunNotes::default(),
            schema_docs: SchemaDocs::load(&config.contracts_dir.join("_schemas")),
            config,
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
            excerpts: self.options.excerpts,
            phones: &self.phones,
            notes: &self.notes,
            schema_docs: &self.schema_docs,
        }
    }

    /// Learns how the backend answers a route that cannot exist. Fails when the backend is unreachable.
    pub async fn probe(&mut self) -> Result<(), RunError> {
        let code_field = &self.config.envelope.code;
        self.fingerprints = Fingerprints::learn(&self.client, code_field)
            .await
            .map_err(|e| {
                unreachable::unreachable(&self.config.base_url, self.config.timeout_ms, &e)
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
        let (contracts, scenarios) = self.select(selection);
        observer.start(contracts.len() + scenarios.len());
        let done = self.run_units(&contracts, &scenarios, observer).await;
        observer.finish();
        let (endpoints, setups, scenario_results) =
            in_plan_order(done, contracts.len(), scenarios.len());
        let not_run = self.not_run(&contracts, &scenarios, &endpoints, &scenario_results);
        let route_hint =
            base_url::diagnose(&self.client, &self.config, &contracts, &endpoints).await;
        let setups = SetupResult::merge(setups);
        let summary = RunResult::summarise(&endpoints, &scenario_results);
        let missing_accounts =
            session::missing_accounts(&self.config, accounts_of(&contracts, &scenarios));
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
            missing_accounts,
            sandbox: None,
            proxy: None,
            partition: selection.partition.map(|p| p.to_string()),
            not_run,
            route_hint,
            notes: self.notes.take(),
        };
        self.scrub(&mut result);
        Ok(result)
    }

    /// Every endpoint check and scenario, `jobs` at a time, as they finish. A unit checks the count
    /// of failures when it starts, i.e. when a job slot is free: once enough have failed, nothing
    /// more is scheduled and what is in flight finishes.
    async fn run_units(
        &self,
        contracts: &[&Contract],
        scenarios: &[&Scenario],
        observer: &dyn Observer,
    ) -> Vec<Done> {
        let this = self;
        let failures = &AtomicUsize::new(0);
        let may_start = move || {
            this.options
                .max_fail
                .is_none_or(|max| failures.load(Ordering::SeqCst) < max)
        };
        let failed = move |s: Status| {
            if s.is_failure() {
                failures.fetch_add(1, Ordering::SeqCst);
            }
        };
        let endpoint_futs = contracts.iter().enumerate().map(|(i, c)| {
            futures::future::Either::Left(async move {
                if !may_start() {
                    return Done::NotRun;
                }
                let (r, setups) = this.check_endpoint_with_retries(c).await;
                failed(r.status);
                observer.done(&r.endpoint, r.status);
                Done::Endpoint(i, r, setups)
            })
        });
        let scenario_futs = scenarios.iter().enumerate().map(|(i, s)| {
            futures::future::Either::Right(async move {
                if !may_start() {
                    return Done::NotRun;
                }
                let r = this.run_scenario_with_retries(s).await;
                failed(r.status);
                observer.done(&format!("scenario {}", r.name), r.status);
                Done::Scenario(i, r)
            })
        });
        futures::stream::iter(endpoint_futs.chain(scenario_futs))
            .buffer_unordered(this.config.jobs)
            .collect()
            .await
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

    /// What was selected and has no result: it was not scheduled (`max_fail`).
    fn not_run(
        &self,
        contracts: &[&Contract],
        scenarios: &[&Scenario],
        ran: &[EndpointResult],
        ran_scenarios: &[ScenarioResult],
    ) -> Option<NotRun> {
        let not_run = NotRun {
            max_fail: self.options.max_fail.unwrap_or_default(),
            endpoints: contracts
                .iter()
                .filter(|c| !ran.iter().any(|r| r.id == c.id))
                .map(|c| c.id.clone())
                .collect(),
            scenarios: scenarios
                .iter()
                .filter(|s| !ran_scenarios.iter().any(|r| r.name == s.name))
                .map(|s| s.name.clone())
                .collect(),
        };
        (not_run.count() > 0).then_some(not_run)
    }

    /// The selected contracts in plan order, and the selected scenarios by phase and name; of a
    /// partition, only its shard (dealt over the endpoint checks, then the scenarios).
    fn select(&self, selection: &Selection) -> (Vec<&Contract>, Vec<&Scenario>) {
        let (mut contracts, mut scenarios) = self.select_all(selection);
        if let Some(p) = &selection.partition {
            let mut position = 0..;
            let mut mine = |key: String| p.includes(position.next().unwrap_or_default(), &key);
            contracts.retain(|c| mine(endpoint_key(&c.id)));
            scenarios.retain(|s| mine(scenario_key(&s.name)));
        }
        (contracts, scenarios)
    }

    fn select_all(&self, selection: &Selection) -> (Vec<&Contract>, Vec<&Scenario>) {
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
    /// Each failed attempt is kept (its findings) in `earlier_attempts`.
    async fn check_endpoint_with_retries(&self, c: &Contract) -> (EndpointResult, Vec<CaseResult>) {
        let (mut r, mut setups) = endpoint::check(&self.context(), c).await;
        let mut earlier = vec![];
        // A route that is not mounted will not be mounted on a retry.
        while r.status.is_failure()
            && r.status != Status::NotActivated
            && r.attempts <= self.config.retries
        {
            let attempts = r.attempts + 1;
            earlier.push(Attempt::of(r.status, r.reason.clone(), &r.cases));
            (r, setups) = endpoint::check(&self.context(), c).await;
            r.attempts = attempts;
        }
        r.earlier_attempts = earlier;
        (r, setups)
    }

    async fn run_scenario_with_retries(&self, s: &Scenario) -> ScenarioResult {
        let mut r = self.run_scenario(s).await;
        let mut earlier = vec![];
        while r.status.is_failure() && r.attempts <= self.config.retries {
            let attempts = r.attempts + 1;
            earlier.push(Attempt::of(r.status, r.reason.clone(), &r.steps));
            r = self.run_scenario(s).await;
            r.attempts = attempts;
        }
        r.earlier_attempts = earlier;
        r
    }
}

/// The accounts the selected checks and steps run as, by name.
fn accounts_of<'a>(contracts: &[&'a Contract], scenarios: &[&'a Scenario]) -> Vec<&'a str> {
    let checks = contracts.iter().map(|c| {
        let run_as = c.run.as_ref().and_then(|r| r.account.as_deref());
        run_as.unwrap_or_else(|| session::default_account(c))
    });
    let steps =
        (scenarios.iter()).flat_map(|s| s.steps.iter().filter_map(|st| st.account.as_deref()));
    checks.chain(steps).collect()
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
            Done::NotRun => {}
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
