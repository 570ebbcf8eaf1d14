//! `report merge`: the results of the shards of one run (`--partition`, one CI job each) as one
//! result, as if the run had not been split: endpoints in plan order, scenarios by phase and name,
//! setup steps merged as a run merges them, the summary recomputed. Every format renders it.
//!
//! The same endpoint or scenario in two shards is kept once when both say the same (a shard given
//! twice); when they disagree the merge is an error, as it is for shards of different environments,
//! or of the sandbox and a backend.

use crate::plan::Plan;
use crate::result::{CaseResult, EndpointResult, NotRun, RunResult, ScenarioResult, SetupResult};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// Why shards cannot be one result.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give the result files of the shards")]
    Nothing,
    /// A proxy session or a HAR check is not a shard of a run.
    #[error("{}: the result of a proxy session (or a HAR file), not of a run: only CI shards of one run are merged", .0.display())]
    NotARun(PathBuf),
    /// `{files}`: `a.json and b.json`; `{values}`: `local vs staging`.
    #[error("{files}: {what} differ ({values}); the shards of one run share them")]
    Differ {
        files: String,
        what: &'static str,
        values: String,
    },
    /// `{verdicts}`: `passed vs failed`.
    #[error("{files}: both have {what} `{name}`, with different results ({verdicts}); was a shard run twice, or against another backend?")]
    Conflict {
        files: String,
        what: &'static str,
        name: String,
        verdicts: String,
    },
}

/// The merged result, and what the caller should say about it.
pub struct Merged {
    pub result: RunResult,
    /// Shards missing from a partition, tools of different versions …
    pub warnings: Vec<String>,
}

/// Merges shard results (each with the file it came from); `plan` orders the endpoints as a run
/// does (without it: by phase, then as they come).
pub fn merge(shards: Vec<(PathBuf, RunResult)>, plan: Option<&Plan>) -> Result<Merged, MergeError> {
    let (_, first) = shards.first().ok_or(MergeError::Nothing)?;
    let mut warnings = same_run(&shards)?;
    warnings.extend(partition_gaps(&shards));
    let endpoints = unique(
        &shards,
        "endpoint",
        |r| &r.endpoints,
        |e| &e.id,
        endpoint_verdict,
    )?;
    let endpoints = in_plan_order(endpoints, plan);
    let mut scenarios = unique(
        &shards,
        "scenario",
        |r| &r.scenarios,
        |s| &s.name,
        scenario_verdict,
    )?;
    scenarios.sort_by(|a, b| (a.phase, &a.name).cmp(&(b.phase, &b.name)));
    let setups = merged_setups(&shards, &endpoints);
    let not_run = not_run(&shards, &endpoints, &scenarios);
    let all = || shards.iter().map(|(_, r)| r);
    let result = RunResult {
        schema_version: first.schema_version,
        tool: first.tool.clone(),
        started_at: all()
            .map(|r| r.started_at.clone())
            .min()
            .unwrap_or_default(),
        finished_at: all()
            .map(|r| r.finished_at.clone())
            .max()
            .unwrap_or_default(),
        // The shards ran side by side: the run took as long as the longest.
        duration_ms: all().map(|r| r.duration_ms).fold(0.0, f64::max),
        env: first.env.clone(),
        base_url: distinct(all().map(|r| r.base_url.as_str())),
        selection: distinct(all().map(|r| r.selection.as_str())),
        latency_budget_ms: all().map(|r| r.latency_budget_ms).max().unwrap_or_default(),
        summary: RunResult::summarise(&endpoints, &scenarios),
        endpoints,
        scenarios,
        setups,
        missing_accounts: missing_accounts(&shards),
        sandbox: first.sandbox.clone(),
        // Proxy sessions are not sharded runs: `merge` refuses them before here.
        proxy: None,
        partition: None,
        not_run,
        // A shard's hint is about its share of the routes; the first one found stands for the run.
        route_hint: all().find_map(|r| r.route_hint.clone()),
        notes: {
            let mut notes: Vec<String> = vec![];
            for note in all().flat_map(|r| &r.notes) {
                if !notes.contains(note) {
                    notes.push(note.clone());
                }
            }
            notes
        },
    };
    Ok(Merged { result, warnings })
}

/// The shards are of one run: one environment, one target (the sandbox or a backend). Tools of
/// different versions are only a warning.
fn same_run(shards: &[(PathBuf, RunResult)]) -> Result<Vec<String>, MergeError> {
    let mut warnings = vec![];
    if let Some((path, _)) = shards.iter().find(|(_, r)| r.proxy.is_some()) {
        return Err(MergeError::NotARun(path.clone()));
    }
    let Some((first_path, first)) = shards.first() else {
        return Ok(warnings);
    };
    for (path, r) in &shards[1..] {
        let differ = |what, a: &str, b: &str| MergeError::Differ {
            files: both(first_path, path),
            what,
            values: format!("{a} vs {b}"),
        };
        if r.env != first.env {
            return Err(differ("environments", &first.env, &r.env));
        }
        if r.sandbox != first.sandbox {
            let said = |s: &Option<String>| s.clone().unwrap_or_else(|| "a backend".into());
            return Err(differ("targets", &said(&first.sandbox), &said(&r.sandbox)));
        }
        if r.tool != first.tool {
            warnings.push(format!(
                "{}: written by {}, {} by {}",
                path.display(),
                r.tool,
                first_path.display(),
                first.tool
            ));
        }
    }
    Ok(warnings)
}

/// The different values, in order, joined: `phase all`, or `http://a + http://b`.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = vec![];
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen.join(" + ")
}

/// Every item of every shard once; a second copy must say what the first says.
fn unique<T: Clone>(
    shards: &[(PathBuf, RunResult)],
    what: &'static str,
    items: impl Fn(&RunResult) -> &Vec<T>,
    name: impl Fn(&T) -> &String,
    verdict: impl Fn(&T) -> String,
) -> Result<Vec<T>, MergeError> {
    let mut seen: HashMap<String, (usize, &PathBuf)> = HashMap::new();
    let mut out: Vec<T> = vec![];
    for (path, r) in shards {
        for item in items(r) {
            match seen.get(name(item)) {
                Some(&(i, first)) => {
                    let (a, b) = (verdict(&out[i]), verdict(item));
                    if a != b {
                        return Err(MergeError::Conflict {
                            files: both(first, path),
                            what,
                            name: name(item).clone(),
                            verdicts: format!("{} vs {}", first_words(&a), first_words(&b)),
                        });
                    }
                }
                None => {
                    seen.insert(name(item).clone(), (out.len(), path));
                    out.push(item.clone());
                }
            }
        }
    }
    Ok(out)
}

/// `a.json and b.json`.
fn both(first: &std::path::Path, second: &std::path::Path) -> String {
    format!("{} and {}", first.display(), second.display())
}

/// What an endpoint check concluded, timings and excerpts aside: two copies agree when these do.
fn endpoint_verdict(e: &EndpointResult) -> String {
    verdict_of(e.status.as_str(), e.reason.as_deref(), &e.cases)
}

fn scenario_verdict(s: &ScenarioResult) -> String {
    verdict_of(s.status.as_str(), s.reason.as_deref(), &s.steps)
}

fn verdict_of(status: &str, reason: Option<&str>, cases: &[CaseResult]) -> String {
    let cases: Vec<_> = cases
        .iter()
        .map(|k| (&k.name, k.status, &k.reason, &k.findings))
        .collect();
    format!(
        "{status} {}",
        serde_json::to_string(&(reason, cases)).unwrap_or_default()
    )
}

/// The status word a verdict starts with, for the error message.
fn first_words(verdict: &str) -> String {
    verdict.split(' ').next().unwrap_or_default().to_string()
}

/// Plan order, as [`crate::catalog::Catalog::ordered_contracts`] has it: the plan's list, then phase
/// and id for what the plan does not list.
fn in_plan_order(mut endpoints: Vec<EndpointResult>, plan: Option<&Plan>) -> Vec<EndpointResult> {
    let order: HashMap<&str, usize> = plan
        .map(|p| {
            p.endpoints()
                .enumerate()
                .map(|(i, (_, e))| (e.endpoint.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let rank = |e: &EndpointResult| {
        order
            .get(e.endpoint.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    };
    endpoints.sort_by(|a, b| {
        (rank(a), a.phase, plan.map(|_| a.id.as_str())).cmp(&(
            rank(b),
            b.phase,
            plan.map(|_| b.id.as_str()),
        ))
    });
    endpoints
}

/// The shards' setup steps merged as a run merges its endpoints' (one entry per step and outcome),
/// their users in the merged endpoint order.
fn merged_setups(
    shards: &[(PathBuf, RunResult)],
    endpoints: &[EndpointResult],
) -> Vec<SetupResult> {
    let mut per_endpoint: HashMap<&str, Vec<CaseResult>> = HashMap::new();
    for (_, r) in shards {
        for s in &r.setups {
            for user in &s.used_by {
                per_endpoint.entry(user).or_default().push(s.case.clone());
            }
        }
    }
    let ordered = endpoints
        .iter()
        .filter_map(|e| Some((e.id.clone(), per_endpoint.remove(e.id.as_str())?)))
        .collect();
    SetupResult::merge(ordered)
}

/// What some shard did not run and no other shard ran.
fn not_run(
    shards: &[(PathBuf, RunResult)],
    endpoints: &[EndpointResult],
    scenarios: &[ScenarioResult],
) -> Option<NotRun> {
    let mut merged = NotRun::default();
    for n in shards.iter().filter_map(|(_, r)| r.not_run.as_ref()) {
        merged.max_fail = merged.max_fail.max(n.max_fail);
        for id in n
            .endpoints
            .iter()
            .filter(|id| !endpoints.iter().any(|e| &e.id == *id))
        {
            if !merged.endpoints.contains(id) {
                merged.endpoints.push(id.clone());
            }
        }
        for name in n
            .scenarios
            .iter()
            .filter(|n| !scenarios.iter().any(|s| &s.name == *n))
        {
            if !merged.scenarios.contains(name) {
                merged.scenarios.push(name.clone());
            }
        }
    }
    (merged.count() > 0).then_some(merged)
}

/// `shard hash:3/4 is missing …` for each partition whose shards are not all given.
fn partition_gaps(shards: &[(PathBuf, RunResult)]) -> Vec<String> {
    let parsed: Vec<crate::plan::Partition> = shards
        .iter()
        .filter_map(|(_, r)| r.partition.as_deref()?.parse().ok())
        .collect();
    let kinds: BTreeSet<(String, u32)> = parsed
        .iter()
        .map(|p| {
            (
                p.to_string()
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                p.count,
            )
        })
        .collect();
    let mut out = vec![];
    for (kind, count) in kinds {
        for index in 1..=count {
            let name = format!("{kind}:{index}/{count}");
            if !parsed.iter().any(|p| p.to_string() == name) {
                out.push(format!(
                    "shard {name} is missing: what it runs is not in the merged result"
                ));
            }
        }
    }
    out
}

/// The accounts any shard missed, each once.
fn missing_accounts(shards: &[(PathBuf, RunResult)]) -> Vec<crate::result::MissingAccount> {
    let mut out: Vec<crate::result::MissingAccount> = vec![];
    for m in shards.iter().flat_map(|(_, r)| &r.missing_accounts) {
        if !out.iter().any(|x| x.account == m.account) {
            out.push(m.clone());
        }
    }
    out
}
