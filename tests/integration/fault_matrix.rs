//! The proof that every check fires: each sandbox fault kind, injected into one endpoint, produces exactly
//! the expected findings on exactly that endpoint; every kind of finding the checks emit is provoked by a
//! fault (or says why none can); and a clean sandbox gives no finding over the catalogue.

use crate::common;

mod hand_off;

use daodao_check::check;
use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::result::CheckKind;
use daodao_check::result::{RunResult, Status};
use daodao_check::sandbox::fault::FaultKind;
use daodao_check::sandbox::Embedded;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn run(faults: &[String], selection: Selection, extra_toml: &str) -> RunResult {
    run_in(&common::repo(), faults, selection, extra_toml).await
}

/// A run of `selection` against the embedded sandbox serving the project at `root`.
async fn run_in(
    root: &Path,
    faults: &[String],
    selection: Selection,
    extra_toml: &str,
) -> RunResult {
    let mut config = common::config_for(root, "http://127.0.0.1:1/api/v1", extra_toml);
    let catalog = common::catalog(&config);
    let embedded = Embedded {
        faults: faults.to_vec(),
        ..Embedded::default()
    };
    let _sandbox = daodao_check::sandbox::embed(&mut config, catalog.clone(), &embedded)
        .await
        .expect("sandbox starts");
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    runner.run(&selection, &SilentObserver).await.expect("run")
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

/// The project a row runs against.
#[derive(Clone, Copy)]
enum Project {
    /// The shipped contracts, as they are.
    Shipped,
    /// The shipped contracts, with every error case of this contract pinning this HTTP status.
    PinnedHttpStatus(&'static str, u16),
}

/// One fault injected into one endpoint: the findings that must appear there, and the others that may
/// accompany them on that endpoint. Every other endpoint must stay clean.
struct Row {
    fault: FaultKind,
    target: &'static str,
    project: Project,
    must: Vec<CheckKind>,
    may: Vec<CheckKind>,
    /// A phase run besides 0 and 1, for a target that only a later phase has.
    also_phase: Option<u8>,
}

fn row(fault: FaultKind, target: &'static str, must: &[CheckKind]) -> Row {
    Row {
        fault,
        target,
        project: Project::Shipped,
        must: must.to_vec(),
        may: vec![],
        also_phase: None,
    }
}

fn matrix() -> Vec<Row> {
    use CheckKind as C;
    use FaultKind as F;
    vec![
        row(F::EnvelopeMissing, "users.profile", &[C::Envelope]),
        row(F::EnvelopeTypes, "auth.check-login", &[C::Envelope]),
        row(F::SuccessCode, "health.check", &[C::SuccessCode]),
        row(F::MissingField, "users.profile", &[C::Schema]),
        row(F::WrongType, "auth.check-login", &[C::Schema]),
        row(F::WrongFormat, "health.check", &[C::Schema]),
        row(F::BadEnum, "users.profile", &[C::Schema]),
        row(F::Slow, "health.check", &[C::Latency]),
        row(F::ServerError, "auth.check-login", &[C::ServerError]),
        // Served without a token as some user: when that user is one of the run's accounts, an
        // anonymous caller got its phone (which user the sandbox picks depends on who signed up first).
        Row {
            may: vec![C::Leakage],
            ..row(F::AuthOff, "users.profile", &[C::AuthNotEnforced])
        },
        row(F::MissingRoute, "auth.check-login", &[C::RouteNotActivated]),
        // Requests missing a field get the 500, and so do its error cases (a malformed phone …), the
        // malformed bodies the schema rejects (a field of the wrong type …) and the derived negative
        // inputs (no body, `null` …).
        row(
            F::BadInput500,
            "auth.send-code",
            &[
                C::BadInputAccepted,
                C::ErrorCode,
                C::MalformedInput,
                C::NegativeInput,
            ],
        ),
        // Where the contract pins the HTTP status of its error cases, the 500 also breaks that.
        Row {
            project: Project::PinnedHttpStatus("auth/send-code.json", 400),
            may: vec![
                C::BadInputAccepted,
                C::ErrorCode,
                C::MalformedInput,
                C::NegativeInput,
            ],
            ..row(F::BadInput500, "auth.send-code", &[C::HttpStatus])
        },
        row(F::InvalidJson, "health.check", &[C::Envelope]),
        row(F::BoolAsInt, "auth.check-login", &[C::Schema]),
        row(F::MoneyAsString, "users.profile", &[C::Schema]),
        row(F::IdAsNumber, "users.profile", &[C::Schema]),
        row(F::SnakeCase, "users.profile", &[C::Schema]),
        // No list of phases 0 and 1 is paginated.
        Row {
            also_phase: Some(4),
            ..row(F::FlatPagination, "stores.list", &[C::Schema])
        },
        // The database's text in the 500's message is a leak besides.
        row(F::SqlError, "health.check", &[C::ServerError, C::Leakage]),
        // Logout's session check logs a session of its own out and tries its old token.
        row(F::LogoutKeepsToken, "auth.logout", &[C::SessionSecurity]),
        // The secondary reads the primary's order; and the primary's list shows the secondary's.
        Row {
            also_phase: Some(2),
            ..row(F::IsolationOff, "orders.detail", &[C::Isolation])
        },
        Row {
            also_phase: Some(2),
            ..row(F::IsolationOff, "orders.list", &[C::Isolation])
        },
        // Every refusal of send-code (missing fields, its error cases, malformed bodies) leaks.
        row(F::LeakSql, "auth.send-code", &[C::Leakage]),
        // `null` as the body is no JSON object either: negative_input's case of it crashes too.
        row(
            F::Malformed500,
            "auth.send-code",
            &[C::MalformedInput, C::NegativeInput],
        ),
        Row {
            also_phase: Some(2),
            ..row(F::TrustClientPrice, "orders.create", &[C::ClientControlled])
        },
        // Letters, `../` and an over-long run of `x` as the id: each crashes.
        Row {
            also_phase: Some(2),
            ..row(F::NanId500, "vehicles.detail", &[C::NegativeInput])
        },
        // `page=-1` just past the bound of `^[0-9]+$` (and `page=0` inside it, with `--negative all`).
        Row {
            also_phase: Some(2),
            ..row(F::PageZero500, "orders.list", &[C::NegativeInput])
        },
        row(F::AcceptsEmptyBody, "auth.send-code", &[C::NegativeInput]),
        // The rating's `content` of 1001 characters; malformed_input's long text goes to `type`.
        Row {
            also_phase: Some(7),
            ..row(F::Maxlength500, "ratings.create", &[C::NegativeInput])
        },
    ]
}

/// How a kind of finding is provoked against the sandbox.
#[derive(Debug)]
enum Provoker {
    /// By this fault: a row of [`matrix`] requires the kind, and running the matrix proves it.
    Fault(FaultKind),
    /// By no fault, by nature; says why and what proves the kind instead.
    NotByAFault(&'static str),
}

/// The kinds the expectation check emits besides the pipeline's `success_code` (a refusal that did
/// not come, by the kind of case; the client-controlled case adds its own read-back findings).
const EXPECTATION_KINDS: [CheckKind; 8] = [
    CheckKind::ErrorCode,
    CheckKind::AuthNotEnforced,
    CheckKind::BadInputAccepted,
    CheckKind::Isolation,
    CheckKind::MalformedInput,
    CheckKind::SessionSecurity,
    CheckKind::ClientControlled,
    CheckKind::NegativeInput,
];

/// Every kind of finding, and how the sandbox provokes it.
fn provokers() -> Vec<(CheckKind, Provoker)> {
    use CheckKind as C;
    use FaultKind as F;
    use Provoker::{Fault, NotByAFault};
    vec![
        (
            C::Transport,
            NotByAFault(
                "needs no answer at all, which a sandbox that answers cannot give: \
                 `transport_is_what_a_backend_that_went_down_gives` points a run at a closed port",
            ),
        ),
        (C::RouteNotActivated, Fault(F::MissingRoute)),
        (C::ServerError, Fault(F::ServerError)),
        (C::Envelope, Fault(F::EnvelopeMissing)),
        // Only where the contract pins its error cases' HTTP status: matrix() has that row.
        (C::HttpStatus, Fault(F::BadInput500)),
        (C::SuccessCode, Fault(F::SuccessCode)),
        (C::Schema, Fault(F::MissingField)),
        (C::ErrorCode, Fault(F::BadInput500)),
        (C::AuthNotEnforced, Fault(F::AuthOff)),
        (C::BadInputAccepted, Fault(F::BadInput500)),
        (C::Latency, Fault(F::Slow)),
        (C::Isolation, Fault(F::IsolationOff)),
        (C::MalformedInput, Fault(F::Malformed500)),
        (C::Leakage, Fault(F::LeakSql)),
        (C::SessionSecurity, Fault(F::LogoutKeepsToken)),
        (C::ClientControlled, Fault(F::TrustClientPrice)),
        (C::NegativeInput, Fault(F::NanId500)),
        (
            C::ContentType,
            NotByAFault(
                "a JSON body declared as text/plain, or with bytes that are not UTF-8: \
                 tests/integration/hostile.rs provokes both at the socket level",
            ),
        ),
        (
            C::Assertion,
            NotByAFault("a scenario's own business rule, judged by the scenario runner"),
        ),
        (
            C::Capture,
            NotByAFault(
                "a scenario's capture path that finds nothing, judged by the scenario runner",
            ),
        ),
        (
            C::Session,
            NotByAFault(
                "the login or refresh before a request, not a check of its answer: \
                 tests/integration/engine.rs (a failed refresh)",
            ),
        ),
        (
            C::Request,
            NotByAFault(
                "a request that cannot be built (a template, a path parameter) is never sent",
            ),
        ),
    ]
}

#[test]
fn the_matrix_covers_every_fault_kind() {
    let covered: BTreeSet<&str> = (matrix().iter().map(|m| m.fault.name()))
        .chain(hand_off::hand_offs().iter().map(|h| h.fault.name()))
        .collect();
    let all: BTreeSet<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(covered, all);
}

#[test]
fn every_kind_the_checks_emit_has_a_fault_or_says_why_not() {
    let table: BTreeMap<CheckKind, Provoker> = provokers().into_iter().collect();
    let emitted: BTreeSet<CheckKind> = check::pipeline_kinds()
        .into_iter()
        .chain(EXPECTATION_KINDS)
        .collect();
    let missing: Vec<&str> = emitted
        .iter()
        .filter(|k| !table.contains_key(k))
        .map(|k| k.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "no sandbox fault provokes {missing:?}: add one (src/sandbox/fault.rs) and a row of matrix(), \
         or say in provokers() why no fault can"
    );
    let rows = matrix();
    for (kind, provoker) in &table {
        match provoker {
            Provoker::Fault(fault) => assert!(
                rows.iter()
                    .any(|r| r.fault == *fault && r.must.contains(kind)),
                "{}: no row of matrix() requires it from {}",
                kind.as_str(),
                fault.name()
            ),
            // A stale excuse: a fault does provoke it now.
            Provoker::NotByAFault(why) => assert!(
                !rows.iter().any(|r| r.must.contains(kind)),
                "{} is said to need no fault ({why}), but matrix() provokes it",
                kind.as_str()
            ),
        }
    }
}

/// A copy of the shipped project for a row that needs one, or the repository itself.
fn project_for(row: &Row) -> (PathBuf, Option<tempfile::TempDir>) {
    match row.project {
        Project::Shipped => (common::repo(), None),
        Project::PinnedHttpStatus(file, status) => {
            let dir = common::real_project();
            let path = dir.path().join("contracts").join(file);
            let mut contract: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("contract"))
                    .expect("contract JSON");
            let cases = contract["errors"].as_array_mut().expect("error cases");
            assert!(!cases.is_empty(), "{file} has error cases to pin");
            for case in cases {
                case["expect"]["http_status"] = Value::from(status);
            }
            std::fs::write(&path, contract.to_string()).expect("write contract");
            (dir.path().to_path_buf(), Some(dir))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_gives_exactly_its_finding_on_exactly_its_endpoint() {
    for row in matrix() {
        let selection = Selection {
            phases: Some([0, 1].into_iter().chain(row.also_phase).collect()),
            include_endpoints: true,
            ..Default::default()
        };
        let spec = format!("{}={}", row.fault.name(), row.target);
        let (root, _copy) = project_for(&row);
        // A small budget keeps the `slow` fault quick.
        let r = run_in(
            &root,
            std::slice::from_ref(&spec),
            selection,
            "[env.local.run]\nlatency_budget_ms = 300\n",
        )
        .await;
        for (id, found) in findings_by_endpoint(&r) {
            if id == row.target {
                let absent: Vec<_> = row.must.iter().filter(|k| !found.contains(k)).collect();
                assert!(
                    absent.is_empty(),
                    "{spec}: expected {absent:?} on {id}, found {found:?}"
                );
                let extra: Vec<_> = found
                    .iter()
                    .filter(|k| !row.must.contains(k) && !row.may.contains(k))
                    .collect();
                assert!(extra.is_empty(), "{spec}: unexpected {extra:?} on {id}");
            } else {
                assert!(
                    found.is_empty(),
                    "{spec}: {id} is not faulted but has {found:?}"
                );
            }
        }
        assert!(
            r.endpoints.iter().any(|e| e.id == row.target),
            "{} ran",
            row.target
        );
    }
}

/// A backend that answers the run's first request (the probe) and is gone before the next: every
/// later request meets a closed port.
async fn backend_that_goes_down() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        // Closed before answering, so no later connection can be accepted.
        drop(listener);
        let mut request = vec![0u8; 4096];
        let mut read = 0;
        while !request[..read].windows(4).any(|w| w == b"\r\n\r\n") && read < request.len() {
            match stream.read(&mut request[read..]).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read += n,
            }
        }
        let body = "<pre>Cannot GET</pre>";
        let answer = format!(
            "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    });
    format!("http://{addr}/api/v1")
}

#[tokio::test]
async fn transport_is_what_a_backend_that_went_down_gives() {
    let dir = common::mini();
    let base_url = backend_that_goes_down().await;
    let config = common::config_for(dir.path(), &base_url, "");
    let catalog = common::catalog(&config);
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let selection = Selection {
        endpoints: vec!["demo.item".into()],
        include_endpoints: true,
        ..Default::default()
    };
    let r = runner
        .run(&selection, &SilentObserver)
        .await
        .expect("the probe was answered");
    let cases = &r.endpoints[0].cases;
    assert!(!cases.is_empty());
    for case in cases {
        let kinds: Vec<CheckKind> = case.findings.iter().map(|f| f.check).collect();
        assert_eq!(kinds, [CheckKind::Transport], "{}", case.name);
        assert!(
            case.findings[0].message.starts_with("refused"),
            "{}: {}",
            case.name,
            case.findings[0].message
        );
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
