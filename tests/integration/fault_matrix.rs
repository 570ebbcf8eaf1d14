//! The proof that every check fires: each sandbox fault kind, injected into one endpoint, produces exactly
//! the expected finding on exactly that endpoint; and a clean sandbox gives no finding over the catalogue.

use crate::common;

use daodao_check::result::CheckKind;
use daodao_check::exec::{NoProgress, Runner};
use daodao_check::plan::Selection;
use daodao_check::result::{RunResult, Status};
use daodao_check::sandbox::fault::FaultKind;
use std::collections::BTreeSet;
use std::sync::Arc;

async fn run(faults: &[String], selection: Selection, extra_toml: &str) -> RunResult {
    let root = common::repo();
    let mut config = common::config_for(&root, "http://127.0.0.1:1/api/v1", extra_toml);
    let catalog = common::catalog(&config);
    let _sandbox = daodao_check::sandbox::embed(&mut config, catalog.clone(), faults)
        .await
        .expect("sandbox starts");
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    runner.run(&selection, &NoProgress).await.expect("run")
}

fn findings_by_endpoint(r: &RunResult) -> Vec<(String, BTreeSet<CheckKind>)> {
    r.endpoints
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.cases
                    .iter()
                    .flat_map(|c| c.findings.iter().map(|f| f.check))
                    .collect(),
            )
        })
        .collect()
}

/// Each fault kind: the endpoint it is injected into, the finding that must appear there, and the
/// other findings that may accompany it on that endpoint.
fn matrix() -> Vec<(FaultKind, &'static str, CheckKind, Vec<CheckKind>)> {
    use CheckKind as C;
    use FaultKind as F;
    vec![
        (F::EnvelopeMissing, "users.profile", C::Envelope, vec![]),
        (F::EnvelopeTypes, "auth.check-login", C::Envelope, vec![]),
        (F::SuccessCode, "health.check", C::SuccessCode, vec![]),
        (F::MissingField, "users.profile", C::Schema, vec![]),
        (F::WrongType, "auth.check-login", C::Schema, vec![]),
        (F::WrongFormat, "health.check", C::Schema, vec![]),
        (F::BadEnum, "users.profile", C::Schema, vec![]),
        (F::Slow, "health.check", C::Latency, vec![]),
        (F::ServerError, "auth.check-login", C::ServerError, vec![]),
        (F::AuthOff, "users.profile", C::AuthNotEnforced, vec![]),
        (
            F::MissingRoute,
            "auth.check-login",
            C::RouteNotActivated,
            vec![],
        ),
        // Its error case (a malformed phone) also gets the 500, so error_code may accompany it.
        (
            F::BadInput500,
            "auth.send-code",
            C::BadInputAccepted,
            vec![C::ErrorCode],
        ),
        (F::InvalidJson, "health.check", C::Envelope, vec![]),
    ]
}

#[test]
fn the_matrix_covers_every_fault_kind() {
    let covered: BTreeSet<&str> = matrix().iter().map(|m| m.0.name()).collect();
    let all: BTreeSet<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(covered, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_gives_exactly_its_finding_on_exactly_its_endpoint() {
    let selection = Selection {
        phases: Some(vec![0, 1]),
        include_endpoints: true,
        ..Default::default()
    };
    for (kind, target, expected, allowed) in matrix() {
        let spec = format!("{}={target}", kind.name());
        // A small budget keeps the `slow` fault quick.
        let r = run(
            std::slice::from_ref(&spec),
            selection.clone(),
            "[env.local.run]\nlatency_budget_ms = 300\n",
        )
        .await;
        for (id, found) in findings_by_endpoint(&r) {
            if id == target {
                assert!(
                    found.contains(&expected),
                    "{spec}: expected {expected:?} on {id}, found {found:?}"
                );
                let extra: Vec<_> = found
                    .iter()
                    .filter(|k| **k != expected && !allowed.contains(k))
                    .collect();
                assert!(extra.is_empty(), "{spec}: unexpected {extra:?} on {id}");
            } else {
                assert!(
                    found.is_empty(),
                    "{spec}: {id} is not faulted but has {found:?}"
                );
            }
        }
        assert!(r.endpoints.iter().any(|e| e.id == target), "{target} ran");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_sandbox_passes_the_whole_catalogue_and_every_scenario() {
    let selection = Selection {
        include_endpoints: true,
        include_scenarios: true,
        ..Default::default()
    };
    let r = run(&[], selection, "").await;
    let bad: Vec<String> = r
        .endpoints
        .iter()
        .filter(|e| e.status != Status::Passed && e.status != Status::Skipped)
        .map(|e| {
            format!(
                "{} {:?}: {:?}",
                e.id,
                e.status,
                e.cases
                    .iter()
                    .flat_map(|c| c.findings.iter().map(|f| f.message.clone()))
                    .collect::<Vec<_>>()
            )
        })
        .chain(
            r.scenarios
                .iter()
                .filter(|s| s.status != Status::Passed)
                .map(|s| format!("scenario {} {:?}", s.name, s.status)),
        )
        .collect();
    assert!(bad.is_empty(), "not clean:\n{}", bad.join("\n"));
    assert_eq!(r.endpoints.len(), 131);
    assert!(r.scenarios.len() >= 8);
    // Skips are exactly the contracts that say why.
    let skipped: Vec<&str> = r
        .endpoints
        .iter()
        .filter(|e| e.status == Status::Skipped)
        .map(|e| e.id.as_str())
        .collect();
    assert!(
        skipped.contains(&"auth.wechat-login") && skipped.contains(&"vehicles.lock"),
        "{skipped:?}"
    );
}
