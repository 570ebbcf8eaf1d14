//! The drifted runs the tests grade, made once per seed, and what grading them needs: the check each
//! drift must be reported by, and the endpoints a missing value must block.

use crate::common;
use daodao_check::catalog::Catalog;
use daodao_check::contract::Contract;
use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::result::fold::index_free;
use daodao_check::result::{CheckKind, Drift, EndpointResult, Finding, RunResult, Status};
use daodao_check::sandbox::profile::{AnswerKey, Planted, Profile};
use daodao_check::sandbox::Embedded;
use daodao_check::scenario::template::referenced_vars;
use daodao_check::scenario::Step;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, OnceLock};

/// The seeds a drifted run is graded on: the default one, and one that picks other endpoints.
pub const SEEDS: [u64; 2] = [1, 2];

/// The drifts that leave an endpoint with no usable answer at all.
pub const NO_ANSWER: [&str; 2] = ["missing-route", "sql-error"];

/// A finished run, the key of what its sandbox planted, and the catalogue it ran.
pub struct Graded {
    pub result: RunResult,
    pub key: AnswerKey,
    pub catalog: Arc<Catalog>,
}

/// The drifted run of a seed of [`SEEDS`], made once for every test that grades it.
pub fn drifted(seed: u64) -> &'static Graded {
    static RUNS: [OnceLock<Graded>; SEEDS.len()] = [OnceLock::new(), OnceLock::new()];
    let i = SEEDS
        .iter()
        .position(|s| *s == seed)
        .expect("a graded seed");
    RUNS[i].get_or_init(|| run(Profile::Drifted, seed, &[], phase_all()))
}

fn phase_all() -> Selection {
    Selection {
        include_endpoints: true,
        include_scenarios: true,
        ..Default::default()
    }
}

pub fn run(profile: Profile, seed: u64, faults: &[&str], selection: Selection) -> Graded {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut config = common::config_for(&common::repo(), "http://127.0.0.1:1/api/v1", "");
        let catalog = common::catalog(&config);
        let embedded = Embedded {
            faults: faults.iter().map(|f| f.to_string()).collect(),
            profile,
            seed,
            answer_key: None,
        };
        let sandbox = daodao_check::sandbox::embed(&mut config, catalog.clone(), &embedded)
            .await
            .expect("the sandbox starts");
        let mut runner = Runner::new(Arc::new(config), catalog.clone()).expect("a runner");
        let result = runner
            .run(&selection, &SilentObserver)
            .await
            .expect("a run");
        Graded {
            result,
            key: sandbox.answer_key.clone(),
            catalog,
        }
    })
}

/// The check that must report a drift: the test's own table, not the key's say-so.
/// The drift the tool recognises in a schema finding, for the drifts that change a value's shape.
pub fn recognised_as(drift: &str) -> Option<Drift> {
    match drift {
        "bool-as-int" => Some(Drift::BoolAsInt),
        "money-as-string" => Some(Drift::NumberAsString),
        "id-as-number" => Some(Drift::IdAsNumber),
        "snake-case" => Some(Drift::SnakeCase),
        "flat-pagination" => Some(Drift::FlatPagination),
        _ => None,
    }
}

pub fn reported_by(drift: &str) -> CheckKind {
    match drift {
        "missing-route" => CheckKind::RouteNotActivated,
        "sql-error" => CheckKind::ServerError,
        "auth-off" => CheckKind::AuthNotEnforced,
        // Logout's session check tries the old token (the auth scenario's step after logout sees
        // it too, as its own expectation).
        "logout-keeps-token" => CheckKind::SessionSecurity,
        "bool-as-int" | "money-as-string" | "id-as-number" | "snake-case" | "flat-pagination" => {
            CheckKind::Schema
        }
        other => panic!("a drift this test does not know: {other}"),
    }
}

impl Graded {
    pub fn endpoint(&self, id: &str) -> &EndpointResult {
        (self.result.endpoints.iter())
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("{id} ran"))
    }

    pub fn contract(&self, id: &str) -> &Contract {
        self.catalog
            .contract(id)
            .expect("a contract of the catalogue")
    }

    /// The endpoints the key gives a drift of one of these kinds.
    pub fn planted(&self, kinds: &[&str]) -> BTreeSet<String> {
        (self.key.drifts.iter())
            .filter(|d| kinds.contains(&d.drift.as_str()))
            .map(|d| d.endpoint.clone())
            .collect()
    }

    pub fn with_status(&self, status: Status) -> BTreeSet<String> {
        (self.result.endpoints.iter())
            .filter(|e| e.status == status)
            .map(|e| e.id.clone())
            .collect()
    }

    /// The endpoints a missing value must block: a setup step of theirs calls an endpoint that gives
    /// no answer (or needs a value such a step should have captured), and their valid request needs
    /// what that step captures. Endpoints that give no answer themselves are judged by that.
    pub fn expected_blocked(&self) -> BTreeSet<String> {
        let no_answer = self.planted(&NO_ANSWER);
        (self.catalog.contracts.iter())
            .filter(|c| c.skip.is_none() && !no_answer.contains(&c.id))
            .filter(|c| self.needs_a_missing_value(c, &no_answer))
            .map(|c| c.id.clone())
            .collect()
    }

    fn needs_a_missing_value(&self, c: &Contract, no_answer: &BTreeSet<String>) -> bool {
        let Some(run) = &c.run else {
            return false;
        };
        let mut missing: HashSet<String> = HashSet::new();
        for step in &run.setup {
            let callee = self.catalog.contract(&step.endpoint).map(|c| c.id.clone());
            let gives_nothing = callee.is_some_and(|id| no_answer.contains(&id));
            if gives_nothing || refs(step).iter().any(|r| missing.contains(r)) {
                missing.extend(step.capture.keys().cloned());
            }
        }
        let mut needed = vec![];
        let request = &run.request;
        for part in [&request.path_params, &request.query, &request.body]
            .into_iter()
            .flatten()
        {
            referenced_vars(part, &mut needed);
        }
        needed.iter().any(|v| missing.contains(v))
    }
}

/// The variables a step sends.
fn refs(step: &Step) -> Vec<String> {
    let mut out = vec![];
    for part in [&step.path_params, &step.query, &step.body]
        .into_iter()
        .flatten()
    {
        referenced_vars(part, &mut out);
    }
    if let Some(token) = &step.token {
        referenced_vars(&serde_json::Value::String(token.clone()), &mut out);
    }
    out
}

pub fn findings(e: &EndpointResult) -> impl Iterator<Item = &Finding> {
    e.cases.iter().flat_map(|c| &c.findings)
}

/// A second check that names the drift too: the database's text in a 500 is a leak besides.
pub fn also_reported_by(drift: &str) -> Option<CheckKind> {
    (drift == "sql-error").then_some(CheckKind::Leakage)
}

/// The endpoint reports the drift by its check, at its place when it has one.
pub fn reports(e: &EndpointResult, d: &Planted) -> bool {
    findings(e).any(|f| {
        let place = f.path.as_deref().map(index_free);
        f.check == d.check && (d.at.is_none() || place == d.at)
    })
}
