//! What the drifted profile plants, on a small catalogue.

use super::*;
use crate::sandbox::{test_sandbox_playing, Sandbox};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn contract(id: &str, method: &str, path: &str, auth: &str, sandbox: Value) -> Value {
    let data = json!({"id": "x_1", "isOpen": true, "createdAt": "2026-01-01",
                      "price": 10, "list": [{"id": "i_1"}], "pagination": {"page": 1}});
    let schema = json!({"type": "object", "required": ["createdAt"], "properties": {
        "id": {"type": "string"}, "isOpen": {"type": "boolean"},
        "price": {"$ref": "common.json#/$defs/money"}, "createdAt": {"type": "string"}
    }});
    json!({"id": id, "method": method, "path": path, "phase": 1, "module": "m", "name": id,
           "auth": auth, "response": {"data": schema},
           "example": {"response": {"code": 0, "message": "ok", "data": data}},
           "sandbox": sandbox})
}

/// Session contracts, logout, a setup chain (`m.detail` needs `m.list`) and plenty of others.
fn catalogue() -> Vec<Value> {
    let mut all = vec![
        contract(
            "auth.send-code",
            "POST",
            "/auth/send-code",
            "none",
            json!({"action": "auth-send-code"}),
        ),
        contract(
            "auth.register",
            "POST",
            "/auth/register",
            "none",
            json!({"action": "auth-register"}),
        ),
        contract(
            "auth.login",
            "POST",
            "/auth/login",
            "none",
            json!({"action": "auth-login"}),
        ),
        contract(
            "auth.refresh",
            "POST",
            "/auth/refresh",
            "none",
            json!({"action": "auth-refresh"}),
        ),
        contract(
            "auth.logout",
            "POST",
            "/auth/logout",
            "user",
            json!({"action": "auth-logout"}),
        ),
    ];
    for i in 0..24 {
        let method = if i % 3 == 0 { "POST" } else { "GET" };
        let c = contract(
            &format!("m.e{i:02}"),
            method,
            &format!("/e{i}"),
            "user",
            json!({}),
        );
        all.push(c);
    }
    let mut detail = contract("m.detail", "GET", "/things/{id}", "none", json!({}));
    detail["run"] = json!({"setup": [{"name": "list", "endpoint": "m.e01",
                                      "capture": {"id": "data.id"}}],
                           "request": {"path_params": {"id": "{{id}}"}}});
    all.push(detail);
    all
}

fn drifted(seed: u64) -> Sandbox {
    test_sandbox_playing(catalogue(), &[], Profile::Drifted, seed)
}

/// The drift kinds of each endpoint, from the key.
fn kinds_by_endpoint(key: &AnswerKey) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &key.drifts {
        let kinds = out.entry(d.endpoint.clone()).or_default();
        if !kinds.contains(&d.drift) {
            kinds.push(d.drift.clone());
        }
    }
    out
}

#[test]
fn profiles_are_named_on_the_command_line_in_any_case() {
    assert_eq!("Drifted".parse::<Profile>(), Ok(Profile::Drifted));
    assert_eq!(" clean ".parse::<Profile>(), Ok(Profile::Clean));
    let err = "wild".parse::<Profile>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown sandbox profile `wild` (known: clean, drifted)"
    );
}

#[test]
fn the_clean_profile_plants_nothing() {
    let s = test_sandbox_playing(catalogue(), &[], Profile::Clean, 7);
    assert!(s.options.faults.is_empty());
    let key = s.answer_key();
    assert_eq!((key.profile.as_str(), key.seed), ("clean", 7));
    assert!(key.drifts.is_empty() && key.catch_all.is_none());
}

#[test]
fn the_same_seed_plants_the_same_and_the_key_says_what_the_faults_do() {
    let (a, b) = (drifted(3), drifted(3));
    assert_eq!(a.answer_key(), b.answer_key());
    assert_eq!(a.options.faults, b.options.faults);
    let key = a.answer_key();
    assert_eq!(key.catch_all, Some(CatchAll::new()));
    for d in &key.drifts {
        let fault = (a.options.faults.iter()).find(|f| f.kind.name() == d.drift);
        assert!(
            fault.is_some_and(|f| f.applies_to(&d.endpoint)),
            "{} on {} is in the key but not planted",
            d.drift,
            d.endpoint
        );
    }
    let planted: usize = (a.options.faults.iter())
        .map(|f| f.endpoints.as_ref().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        planted,
        kinds_by_endpoint(key).len(),
        "one drift per endpoint"
    );
}

#[test]
fn sessions_are_never_drifted_and_logout_only_keeps_its_token() {
    for seed in 1..=20 {
        let s = drifted(seed);
        let kinds = kinds_by_endpoint(s.answer_key());
        for session in [
            "auth.send-code",
            "auth.register",
            "auth.login",
            "auth.refresh",
        ] {
            assert!(
                !kinds.contains_key(session),
                "seed {seed}: {session} drifted"
            );
        }
        assert_eq!(kinds["auth.logout"], ["logout-keeps-token"], "seed {seed}");
    }
}

#[test]
fn an_endpoint_whose_setup_gets_no_answer_hides_no_drift_of_its_own() {
    let mut seen_hard_list = false;
    for seed in 1..=40 {
        let key = drifted(seed).answer_key().clone();
        let kinds = kinds_by_endpoint(&key);
        let hard = ["missing-route", "sql-error"];
        if kinds
            .get("m.e01")
            .is_some_and(|k| hard.contains(&k[0].as_str()))
        {
            seen_hard_list = true;
            assert!(!kinds.contains_key("m.detail"), "seed {seed}: {kinds:?}");
        }
    }
    assert!(seen_hard_list, "some seed unmounts or breaks m.e01");
}

#[test]
fn different_seeds_pick_different_endpoints_and_every_drift_is_planted_somewhere() {
    let picks: Vec<Vec<String>> = (1..=5)
        .map(|seed| {
            let key = drifted(seed).answer_key().clone();
            let missing = key.drifts.iter().filter(|d| d.drift == "missing-route");
            missing.map(|d| d.endpoint.clone()).collect()
        })
        .collect();
    assert!(picks.iter().all(|p| p.len() == 4), "{picks:?}");
    assert!(picks.windows(2).any(|w| w[0] != w[1]), "{picks:?}");
    let key = drifted(1).answer_key().clone();
    for (kind, _) in DRIFTS {
        assert!(
            key.drifts.iter().any(|d| d.drift == kind.name()),
            "{} is planted nowhere",
            kind.name()
        );
    }
}

#[test]
fn value_drifts_name_their_place_in_the_body_and_route_drifts_none() {
    let key = drifted(2).answer_key().clone();
    for d in &key.drifts {
        match d.drift.as_str() {
            // The database's text is in the message, where the leakage check finds it.
            "sql-error" if d.check == CheckKind::Leakage => {
                assert_eq!(d.at.as_deref(), Some("/message"), "{d:?}")
            }
            "missing-route" | "sql-error" | "auth-off" | "logout-keeps-token" => {
                assert_eq!(d.at, None, "{d:?}")
            }
            _ => assert!(
                d.at.as_deref().is_some_and(|p| p.starts_with("/data/")),
                "{d:?}"
            ),
        }
    }
    let snake = key.drifts.iter().find(|d| d.drift == "snake-case");
    assert_eq!(
        snake.map(|d| (d.at.as_deref(), d.what.as_str())),
        Some((Some("/data/createdAt"), "named `created_at`"))
    );
}
