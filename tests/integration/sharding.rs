//! CI sharding: three shards of `phase all` against one sandbox (a process, with faults, so that
//! failures, blocked endpoints and failed setup steps are in the result), merged by `report merge`,
//! are the unsharded run, timings and generated data aside; the merge renders in every format and
//! refuses shards that disagree.
//!
//! The sandbox keeps what a run did (bookings take places, shares are sold), so the unsharded run and
//! each set of shards get a fresh sandbox of their own, as a CI pipeline's backend would be.

use crate::cli::{cli, output};
use crate::common;
use daodao_check::report::FORMATS;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

/// `daodao-check sandbox` on a free loopback port, stopped (killed) when dropped.
struct SandboxProcess {
    child: Child,
    base_url: String,
}

impl SandboxProcess {
    fn start(dir: &Path, faults: &[&str]) -> SandboxProcess {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("daodao-check"));
        command
            .current_dir(dir)
            .args(["sandbox", "--addr", "127.0.0.1:0", "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for f in faults {
            command.args(["--fault", f]);
        }
        let mut child = command.spawn().expect("the sandbox starts");
        let stderr = child.stderr.take().expect("its stderr");
        let mut lines = BufReader::new(stderr).lines();
        let base_url = loop {
            let line = lines
                .next()
                .expect("the sandbox says where it listens")
                .expect("a line");
            if let Some(rest) = line.split(" contracts at ").nth(1) {
                break rest.split_whitespace().next().expect("a URL").to_string();
            }
        };
        SandboxProcess { child, base_url }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const FAULTS: &[&str] = &[
    "success-code=vehicles.detail",
    "missing-route=payments.create",
    "server-error=stores.cities",
];

/// Runs `phase all` (with `extra`) against the sandbox and keeps its result as `name`.
fn run_into(dir: &Path, sandbox: &SandboxProcess, extra: &[&str], name: &str) -> PathBuf {
    let (code, out, err) = output(
        cli(dir)
            .args(["phase", "all", "-q", "--base-url", &sandbox.base_url])
            .args(extra),
    );
    assert!(code == 0 || code == 1, "the run finishes: {out}{err}");
    let kept = dir.join(name);
    std::fs::copy(dir.join("reports/last-run.json"), &kept).expect("kept");
    kept
}

/// What a run concluded, without what differs between any two runs: timings, when, excerpts (they
/// hold generated phone numbers and ids), which shard, and the sandbox's port.
fn conclusions(path: &Path) -> Value {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("result")).expect("JSON");
    for key in [
        "started_at",
        "finished_at",
        "duration_ms",
        "partition",
        "base_url",
    ] {
        v.as_object_mut().expect("an object").remove(key);
    }
    strip(&mut v);
    v
}

fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for key in ["latency_ms", "request", "response", "curl"] {
                m.remove(key);
            }
            m.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Where two values first differ, as a JSON Pointer with both sides, for a readable failure.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{at}/{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

fn ids(v: &Value, list: &str, key: &str) -> Vec<String> {
    v[list]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e[key].as_str().expect("a name").to_string())
        .collect()
}

fn merge(dir: &Path, shards: &[PathBuf], out: &str) -> (i32, String) {
    let (code, _, err) = output(
        cli(dir)
            .args(["report", "merge"])
            .args(shards)
            .args(["--out", out]),
    );
    (code, err)
}

#[test]
fn merged_shards_are_the_unsharded_run() {
    let dir = common::real_project();
    let whole = {
        let sandbox = SandboxProcess::start(dir.path(), FAULTS);
        conclusions(&run_into(dir.path(), &sandbox, &[], "whole.json"))
    };
    assert!(
        whole["setups"].as_array().is_some_and(|s| !s.is_empty()),
        "failed setup steps are part of the comparison"
    );
    for (kind, count) in [("hash", 3), ("slice", 2)] {
        let sandbox = SandboxProcess::start(dir.path(), FAULTS);
        let shards: Vec<PathBuf> = (1..=count)
            .map(|m| {
                let partition = format!("{kind}:{m}/{count}");
                run_into(
                    dir.path(),
                    &sandbox,
                    &["--partition", &partition],
                    &format!("{kind}-{m}.json"),
                )
            })
            .collect();
        let mut seen: Vec<String> = vec![];
        for (m, shard) in shards.iter().enumerate() {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(shard).expect("shard"))
                .expect("JSON");
            assert_eq!(v["partition"], format!("{kind}:{}/{count}", m + 1));
            let mine = ids(&v, "endpoints", "id");
            assert!(!mine.is_empty(), "{kind} shard {} runs something", m + 1);
            assert!(
                mine.iter().all(|id| !seen.contains(id)),
                "shards are disjoint"
            );
            seen.extend(mine);
        }
        let out = format!("merged-{kind}.json");
        let (code, err) = merge(dir.path(), &shards, &out);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains(&format!("({count} shards: 131 endpoints, 18 scenarios)")),
            "{err}"
        );
        let merged = conclusions(&dir.path().join(&out));
        assert_eq!(
            ids(&merged, "endpoints", "id"),
            ids(&whole, "endpoints", "id")
        );
        assert_eq!(
            ids(&merged, "scenarios", "name"),
            ids(&whole, "scenarios", "name")
        );
        assert_eq!(merged["setups"], whole["setups"], "{kind}: setups");
        assert_eq!(merged["summary"], whole["summary"], "{kind}: summary");
        assert_eq!(
            first_difference(&merged, &whole, ""),
            None,
            "{kind}: the whole result"
        );
    }
    // Every format renders the merged result.
    for format in FORMATS {
        let (code, out, err) = output(cli(dir.path()).args([
            "report",
            "--format",
            format.name(),
            "--input",
            "merged-hash.json",
        ]));
        assert_eq!(code, 0, "{}: {err}", format.name());
        assert!(out.len() > 200, "{}: {out}", format.name());
    }
}

#[test]
fn shards_that_disagree_or_are_missing_are_said() {
    let dir = common::mini();
    let sandbox = SandboxProcess::start(dir.path(), &["server-error=demo.item"]);
    let first = run_into(
        dir.path(),
        &sandbox,
        &["--partition", "slice:1/2"],
        "one.json",
    );
    let second = run_into(
        dir.path(),
        &sandbox,
        &["--partition", "slice:2/2"],
        "two.json",
    );
    // The same shard twice is the same result once.
    let (code, err) = merge(
        dir.path(),
        &[first.clone(), first.clone(), second],
        "m.json",
    );
    assert_eq!(code, 0, "{err}");
    // A shard alone: merged, with a warning for the missing one.
    let (code, err) = merge(dir.path(), std::slice::from_ref(&first), "alone.json");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "warning: shard slice:2/2 is missing: what it runs is not in the merged result"
        ),
        "{err}"
    );
    // The same endpoint with another verdict: an error naming both files and the endpoint.
    let mut changed: Value =
        serde_json::from_str(&std::fs::read_to_string(&first).expect("shard")).expect("JSON");
    let endpoint = changed["endpoints"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let was = changed["endpoints"][0]["status"].clone();
    changed["endpoints"][0]["status"] = if was == "passed" {
        "failed".into()
    } else {
        "passed".into()
    };
    let other = dir.path().join("changed.json");
    std::fs::write(&other, changed.to_string()).expect("written");
    let (code, err) = merge(dir.path(), &[first.clone(), other], "bad.json");
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "both have endpoint `{endpoint}`, with different results"
        )),
        "{err}"
    );
    assert!(!dir.path().join("bad.json").exists());
    // Another environment is not the same run.
    let mut elsewhere: Value =
        serde_json::from_str(&std::fs::read_to_string(&first).expect("shard")).expect("JSON");
    elsewhere["env"] = "staging".into();
    let other = dir.path().join("staging.json");
    std::fs::write(&other, elsewhere.to_string()).expect("written");
    let (code, err) = merge(dir.path(), &[first, other], "bad.json");
    assert_eq!(code, 2);
    assert!(
        err.contains("environments differ (local vs staging)"),
        "{err}"
    );
}
