//! Choosing what runs, on the command line: several phases, several modules, any spelling of an
//! endpoint, the nearest name for a typo; and stopping early (`--fail-fast`, `--max-fail`).

use crate::cli::{cli, output};
use crate::common;
use daodao_check::result::RunResult;
use std::path::Path;

fn last_run(dir: &Path) -> RunResult {
    RunResult::read(&dir.join("reports/last-run.json")).expect("a result")
}

fn phases_of(result: &RunResult) -> Vec<u8> {
    let mut phases: Vec<u8> = result
        .endpoints
        .iter()
        .map(|e| e.phase)
        .chain(result.scenarios.iter().filter_map(|s| match s.phase {
            daodao_check::result::ScenarioPhase::Plan(n) => Some(n),
            daodao_check::result::ScenarioPhase::EndToEnd => None,
        }))
        .collect();
    phases.sort_unstable();
    phases.dedup();
    phases
}

#[test]
fn several_phases_as_separate_words_or_with_commas() {
    let dir = common::real_project();
    for args in [
        &["phase", "3", "4"][..],
        &["phase", "3,4"],
        &["run", "--phase", "3,4"],
        &["run", "--phase", "3", "--phase", "4"],
    ] {
        let (code, out, err) = output(cli(dir.path()).args(args).arg("--sandbox").arg("-q"));
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        let result = last_run(dir.path());
        assert_eq!(phases_of(&result), [3, 4], "{args:?}");
        assert_eq!(result.summary.endpoints.total, 8, "{args:?}");
        assert_eq!(result.selection, "phase 3,4", "{args:?}");
    }
    let (code, _, err) = output(cli(dir.path()).args(["run", "--phase", "3,x"]));
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "invalid value 'x' for '--phase <N>': a phase is a number from 0 to 8, not `x`"
        ),
        "{err}"
    );
}

#[test]
fn several_modules_with_commas() {
    let dir = common::real_project();
    let (code, out, err) =
        output(cli(dir.path()).args(["run", "--module", "stores,wallet", "--sandbox", "-q"]));
    assert_eq!(code, 0, "{out}{err}");
    let result = last_run(dir.path());
    let mut modules: Vec<&str> = result.endpoints.iter().map(|e| e.module.as_str()).collect();
    modules.dedup();
    assert_eq!(modules, ["wallet", "stores"]);
}

#[test]
fn an_endpoint_in_every_spelling_selects_its_contract() {
    let dir = common::mini();
    for spelling in [
        "demo.item",
        "GET /api/v1/items/{id}",
        "GET /items/:id",
        "get /api/v1/items/:itemId",
        "GET /items/{itemId}/",
    ] {
        let (code, out, err) =
            output(cli(dir.path()).args(["run", "--endpoint", spelling, "--sandbox"]));
        assert_eq!(code, 0, "{spelling}: {out}{err}");
        let ids: Vec<String> = last_run(dir.path())
            .endpoints
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, ["demo.item"], "{spelling}");
    }
}

#[test]
fn an_unknown_name_suggests_the_nearest() {
    let dir = common::real_project();
    for (args, says) in [
        (
            &["run", "--endpoint", "vehicle.detail"][..],
            "unknown endpoint `vehicle.detail`: did you mean vehicles.detail (GET /api/v1/vehicles/{id})?",
        ),
        (
            &["run", "--endpoint", "GET /vehicle/:id"],
            "unknown endpoint `GET /vehicle/:id`: did you mean vehicles.detail (GET /api/v1/vehicles/{id})?",
        ),
        (
            &["run", "--module", "vehicle"],
            "unknown module `vehicle`: did you mean vehicles?",
        ),
        (
            &["run", "--scenario", "rental-flwo"],
            "unknown scenario `rental-flwo`: did you mean rental-flow?",
        ),
        (
            &["run", "--endpoint", "payments.nothing-like-it"],
            "unknown endpoint `payments.nothing-like-it` (a contract id",
        ),
    ] {
        let (code, _, err) = output(cli(dir.path()).args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// The mini project with two endpoints broken, run one at a time so the order is the plan's.
fn broken_run(dir: &Path, stop: &[&str]) -> (i32, String, String) {
    output(
        cli(dir)
            .args([
                "phase",
                "1",
                "-j",
                "1",
                "--sandbox-fault",
                "server-error=demo.item,demo.create-order",
                "--sandbox-fault",
                "success-code=auth.refresh-token",
            ])
            .args(stop),
    )
}

#[test]
fn fail_fast_stops_scheduling_at_the_first_failure_and_says_what_did_not_run() {
    let dir = common::mini();
    let (code, out, err) = broken_run(dir.path(), &["--fail-fast"]);
    assert_eq!(code, 1, "{err}");
    let result = last_run(dir.path());
    let ran: Vec<&str> = result.endpoints.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ran,
        ["auth.send-code", "auth.register", "auth.refresh-token"]
    );
    let not_run = result
        .not_run
        .as_ref()
        .expect("what was not run is recorded");
    assert_eq!(not_run.endpoints, ["demo.item", "demo.create-order"]);
    assert_eq!(not_run.max_fail, 1);
    assert!(
        out.contains(" · 2 not run (stopped after 1 failure) · "),
        "{out}"
    );
    // `run --failed` picks up what failed and what never ran.
    let (code, _, err) = output(cli(dir.path()).args(["run", "--failed", "--sandbox"]));
    assert_eq!(code, 0, "{err}");
    let rerun: Vec<String> = last_run(dir.path())
        .endpoints
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(
        rerun,
        ["auth.refresh-token", "demo.item", "demo.create-order"]
    );
}

#[test]
fn max_fail_stops_after_n_failures() {
    let dir = common::mini();
    let (code, out, err) = broken_run(dir.path(), &["--max-fail", "2"]);
    assert_eq!(code, 1, "{err}");
    let result = last_run(dir.path());
    assert_eq!(result.summary.endpoints.total, 4, "{out}");
    assert_eq!(result.summary.endpoints.failed, 2);
    assert!(
        out.contains(" · 1 not run (stopped after 2 failures) · "),
        "{out}"
    );
    let (code, out, _) = broken_run(dir.path(), &["--max-fail", "3"]);
    assert_eq!(code, 1);
    assert!(last_run(dir.path()).not_run.is_none(), "all ran: {out}");
    assert!(!out.contains("not run"), "{out}");
    let (code, _, err) = broken_run(dir.path(), &["--max-fail", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = broken_run(dir.path(), &["--max-fail", "2", "--fail-fast"]);
    assert_eq!(code, 2, "{err}");
}
