//! The runner against a backend that drifted: `phase all` (endpoints and scenarios) against the
//! embedded sandbox playing the drifted profile, graded against the answer key the profile wrote.
//! Every planted drift must be reported on its endpoint by its check; only a value that truly does
//! not exist may block, and a blocked endpoint still answers the questions that need no data; every
//! scenario runs to its last step. The grade covers two seeds, which plant on different endpoints.

mod graded;

use crate::cli::{cli, output};
use crate::common;
use daodao_check::plan::Selection;
use daodao_check::report::{CauseKind, RootCause, View};
use daodao_check::result::{CaseKind, CaseResult, CheckKind, Status};
use daodao_check::sandbox::profile::{AnswerKey, Planted, Profile};
use graded::{
    also_reported_by, drifted, findings, recognised_as, reported_by, reports, run, NO_ANSWER, SEEDS,
};
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn every_planted_drift_is_reported_on_its_endpoint_by_its_check() {
    for seed in SEEDS {
        let g = drifted(seed);
        assert!(g.key.drifts.len() > 20, "seed {seed}: many drifts at once");
        let mut missed = vec![];
        for d in &g.key.drifts {
            assert!(
                d.check == reported_by(&d.drift) || Some(d.check) == also_reported_by(&d.drift),
                "the key's check of {d:?}"
            );
            let e = g.endpoint(&d.endpoint);
            if !reports(e, d) {
                let found: Vec<_> = findings(e).map(|f| (f.check, f.path.clone())).collect();
                missed.push(format!(
                    "{} {} {:?}: {:?} {found:?}",
                    d.endpoint, d.drift, d.at, e.status
                ));
            }
        }
        assert!(
            missed.is_empty(),
            "seed {seed}, not reported:\n{}",
            missed.join("\n")
        );
    }
}

#[test]
fn the_open_write_route_is_served_without_a_token_and_with_a_forged_one() {
    for seed in SEEDS {
        let g = drifted(seed);
        let open = g.planted(&["auth-off"]);
        assert_eq!(open.len(), 1, "seed {seed}");
        for id in &open {
            assert_ne!(g.contract(id).method, "GET", "{id} is a write");
            for kind in [CaseKind::NoToken, CaseKind::ForgedToken] {
                let case = g.endpoint(id).cases.iter().find(|c| c.kind == kind);
                let checks: Vec<CheckKind> = case
                    .iter()
                    .flat_map(|c| c.findings.iter().map(|f| f.check))
                    .collect();
                assert_eq!(
                    checks,
                    [CheckKind::AuthNotEnforced],
                    "seed {seed}: {id} {kind:?}"
                );
            }
        }
    }
}

#[test]
fn route_missing_is_exactly_the_routes_the_key_says_are_missing() {
    for seed in SEEDS {
        let g = drifted(seed);
        let missing = g.planted(&["missing-route"]);
        assert_eq!(missing.len(), 4, "seed {seed}");
        assert_eq!(g.with_status(Status::NotActivated), missing, "seed {seed}");
    }
}

#[test]
fn only_a_missing_value_blocks_and_a_blocked_endpoint_still_answers_route_and_auth() {
    for seed in SEEDS {
        let g = drifted(seed);
        let expected = g.expected_blocked();
        assert!(
            !expected.is_empty(),
            "seed {seed}: a setup endpoint gives no answer"
        );
        assert_eq!(g.with_status(Status::Blocked), expected, "seed {seed}");
        for id in &expected {
            let e = g.endpoint(id);
            let reason = e.reason.as_deref().unwrap_or_default();
            assert!(
                reason.starts_with("阻塞: 路由已激活"),
                "seed {seed}: {id}: {reason}"
            );
            let route_judged = e.cases.iter().any(|c| {
                c.http_status.is_some()
                    && matches!(
                        c.kind,
                        CaseKind::RouteProbe | CaseKind::NoToken | CaseKind::ForgedToken
                    )
            });
            assert!(
                route_judged,
                "seed {seed}: {id} has no request that judged its route"
            );
            if g.contract(id).needs_auth() {
                for kind in [CaseKind::NoToken, CaseKind::ForgedToken] {
                    let case = e.cases.iter().find(|c| c.kind == kind);
                    assert!(
                        case.is_some_and(|c| c.status == Status::Passed),
                        "seed {seed}: {id} {kind:?}: {case:?}"
                    );
                }
                assert!(reason.contains("鉴权正常"), "seed {seed}: {id}: {reason}");
            }
        }
    }
}

#[test]
fn endpoints_without_a_planted_drift_pass() {
    for seed in SEEDS {
        let g = drifted(seed);
        let drifted_or_blocked: BTreeSet<String> = (g.key.drifts.iter())
            .map(|d| d.endpoint.clone())
            .chain(g.expected_blocked())
            .collect();
        let wrong: Vec<String> = (g.result.endpoints.iter())
            .filter(|e| !drifted_or_blocked.contains(&e.id))
            .filter(|e| !matches!(e.status, Status::Passed | Status::Skipped))
            .map(|e| {
                let found: Vec<_> = findings(e).map(|f| f.message.clone()).collect();
                format!("{} {:?} {:?} {found:?}", e.id, e.status, e.reason)
            })
            .collect();
        assert!(wrong.is_empty(), "seed {seed}:\n{}", wrong.join("\n"));
    }
}

/// The step whose failure blocked a blocked step: an earlier step on an endpoint that gives no
/// answer, whose own answer was unusable, and that the blocked step's reason names.
fn blocker<'s>(
    earlier: &'s [CaseResult],
    blocked: &CaseResult,
    no_answer: &BTreeSet<String>,
) -> Option<&'s CaseResult> {
    let reason = blocked.reason.as_deref().unwrap_or_default();
    earlier.iter().find(|s| {
        let unusable = s.status == Status::NotActivated
            || (s.findings.iter()).any(|f| f.check == CheckKind::ServerError);
        no_answer.contains(&s.contract) && unusable && reason.contains(&format!("步骤 {} ", s.name))
    })
}

#[test]
fn each_scenario_runs_to_its_last_step_and_is_blocked_only_by_a_missing_value() {
    for seed in SEEDS {
        let g = drifted(seed);
        let no_answer = g.planted(&NO_ANSWER);
        for scenario in &g.catalog.scenarios {
            let r = (g.result.scenarios.iter())
                .find(|r| r.name == scenario.name)
                .unwrap_or_else(|| panic!("{} ran", scenario.name));
            assert_eq!(
                r.steps.len(),
                scenario.steps.len(),
                "seed {seed}: {}",
                r.name
            );
            for (i, step) in r.steps.iter().enumerate() {
                assert_ne!(
                    step.status,
                    Status::Skipped,
                    "seed {seed}: {} {}",
                    r.name,
                    step.name
                );
                if step.status == Status::Blocked {
                    assert!(
                        blocker(&r.steps[..i], step, &no_answer).is_some(),
                        "seed {seed}: {} {} blocked by no missing value: {:?}",
                        r.name,
                        step.name,
                        step.reason
                    );
                }
            }
        }
    }
}

#[test]
fn a_logout_that_keeps_its_token_fails_the_step_that_expects_401() {
    for seed in SEEDS {
        let g = drifted(seed);
        let logout = g.planted(&["logout-keeps-token"]);
        assert_eq!(logout.len(), 1, "seed {seed}");
        let mut seen = 0;
        for scenario in &g.catalog.scenarios {
            let r = g
                .result
                .scenarios
                .iter()
                .find(|r| r.name == scenario.name)
                .expect("ran");
            for (i, pair) in scenario.steps.windows(2).enumerate() {
                let on_logout = g
                    .catalog
                    .contract(&pair[0].endpoint)
                    .is_some_and(|c| logout.contains(&c.id));
                if on_logout && pair[1].expect_code == Some(401) {
                    let after = &r.steps[i + 1];
                    let checks: Vec<CheckKind> = after.findings.iter().map(|f| f.check).collect();
                    assert_eq!(
                        after.status,
                        Status::Failed,
                        "seed {seed}: {} {}",
                        r.name,
                        after.name
                    );
                    assert_eq!(
                        checks,
                        [CheckKind::ErrorCode],
                        "seed {seed}: {}",
                        after.name
                    );
                    seen += 1;
                }
            }
        }
        assert!(
            seen > 0,
            "seed {seed}: a scenario uses the token after logout"
        );
    }
}

#[test]
fn the_root_causes_name_each_route_level_drift_once_with_exactly_its_endpoints() {
    for seed in SEEDS {
        let g = drifted(seed);
        let causes = View::new(&g.result, Some(&g.catalog.plan)).root_causes;
        for (drift, check) in [
            ("missing-route", CheckKind::RouteNotActivated),
            ("sql-error", CheckKind::ServerError),
        ] {
            let lines: Vec<_> = (causes.shown.iter())
                .filter(|c| c.kind == CauseKind::Check(check))
                .collect();
            assert_eq!(lines.len(), 1, "seed {seed}: {drift}: {lines:?}");
            let named: BTreeSet<String> = lines[0].endpoints.iter().cloned().collect();
            assert_eq!(
                named,
                g.planted(&[drift]),
                "seed {seed}: {}",
                lines[0].line()
            );
        }
    }
}

#[test]
fn the_root_causes_name_each_planted_drift_kind_once() {
    for seed in SEEDS {
        let g = drifted(seed);
        let causes = View::new(&g.result, Some(&g.catalog.plan)).root_causes;
        let mut by_kind: BTreeMap<&str, Vec<&Planted>> = BTreeMap::new();
        for d in g
            .key
            .drifts
            .iter()
            .filter(|d| d.check == reported_by(&d.drift))
        {
            by_kind.entry(&d.drift).or_default().push(d);
        }
        let mut named: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (kind, planted) in by_kind {
            let names_it = |c: &&RootCause| {
                let on_its_endpoints = planted.iter().any(|d| c.endpoints.contains(&d.endpoint));
                // A value drift is named by what it is; a route-level one by its check alone.
                let says_it = match recognised_as(kind) {
                    Some(drift) => c.what == drift.describe(),
                    None => true,
                };
                c.kind == CauseKind::Check(reported_by(kind)) && on_its_endpoints && says_it
            };
            let lines = causes.shown.iter().filter(names_it).map(|c| c.line());
            named.insert(kind, lines.collect());
        }
        let not_once: Vec<_> = named.iter().filter(|(_, lines)| lines.len() != 1).collect();
        assert!(
            not_once.is_empty(),
            "seed {seed}: drift kinds not named exactly once ({} causes, {} hidden): {not_once:#?}",
            causes.shown.len() + causes.hidden,
            causes.hidden
        );
    }
}

#[test]
fn a_setup_write_that_gets_no_answer_blocks_its_endpoint() {
    let selection = Selection {
        endpoints: vec!["membership.cancel-auto-renew".into()],
        include_endpoints: true,
        ..Default::default()
    };
    let g = run(
        Profile::Clean,
        1,
        &["missing-route=membership.purchase"],
        selection,
    );
    let e = g.endpoint("membership.cancel-auto-renew");
    assert_eq!(e.status, Status::Blocked, "{:?}: {:?}", e.reason, e.cases);
    assert!(
        e.reason
            .as_deref()
            .unwrap_or_default()
            .contains("准备步骤 member"),
        "{:?}",
        e.reason
    );
}

#[test]
fn the_command_line_writes_the_same_answer_key_for_the_same_seed() {
    let dir = common::real_project();
    let key_of = |args: &[&str], file: &str| {
        let path = dir.path().join(file);
        let mut all = vec!["phase", "all"];
        all.extend(args);
        all.extend(["--sandbox-answer-key", path.to_str().expect("a UTF-8 path")]);
        let (code, _, err) = output(cli(dir.path()).args(&all));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}: {err}"));
        let key: AnswerKey = serde_json::from_str(&text).expect("the key is JSON");
        (code, key)
    };
    let (code, first) = key_of(&["--sandbox-profile", "drifted"], "first.json");
    assert_eq!(code, 1, "a drifted backend fails the run");
    let (_, again) = key_of(
        &["--sandbox-profile", "drifted", "--sandbox-seed", "1"],
        "again.json",
    );
    assert_eq!(first, again);
    assert_eq!(
        first,
        drifted(1).key,
        "the run's sandbox planted what the library's plants"
    );
    let (_, other) = key_of(
        &["--sandbox-profile", "drifted", "--sandbox-seed", "2"],
        "other.json",
    );
    assert_ne!(first.drifts, other.drifts);
    let (code, clean) = key_of(&["--sandbox"], "clean.json");
    assert_eq!(code, 0, "the clean profile passes everything");
    assert!(
        clean.drifts.is_empty() && clean.catch_all.is_none(),
        "{clean:?}"
    );
}

#[test]
fn an_unknown_profile_is_a_usage_error_naming_the_known_ones() {
    let dir = common::real_project();
    let (code, _, err) = output(cli(dir.path()).args(["sandbox", "--profile", "wild"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("unknown sandbox profile `wild` (known: clean, drifted)"),
        "{err}"
    );
}
