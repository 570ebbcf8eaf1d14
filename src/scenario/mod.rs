//! Scenarios: business flows in TOML whose steps call contracts, capture values and assert rules.

pub mod assert;
pub mod path;
pub mod template;

use crate::result::ScenarioPhase;
use crate::source::Problem;
use crate::source::TomlError;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// One request in a flow (also used by contracts' `run.setup`).
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    /// A contract id or the plan's spelling (`POST /api/v1/auth/login`).
    pub endpoint: String,
    pub path_params: Option<Value>,
    pub query: Option<Value>,
    pub body: Option<Value>,
    /// Start from the contract's example request (the default) or from nothing.
    #[serde(default = "yes")]
    pub use_example: bool,
    /// A JSON file under fixtures/ merged into the body before `body`.
    pub fixture: Option<String>,
    /// An explicit bearer token (templated); `""` sends none.
    pub token: Option<String>,
    /// The configured account to run as (default `primary`).
    #[serde(rename = "as")]
    pub account: Option<String>,
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    #[serde(default)]
    pub assert: Vec<assert::Assertion>,
    /// The envelope code this step expects (default: success).
    pub expect_code: Option<i64>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    /// The plan phase (0–8), or `"e2e"` for a flow across phases.
    pub phase: ScenarioPhase,
    #[serde(default)]
    pub vars: Map<String, Value>,
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub file: String,
}

/// Loads every `scenarios/*.toml`, collecting all problems.
pub fn load_all(root: &Path, dir: &Path) -> (Vec<Scenario>, Vec<Problem>) {
    let mut out = vec![];
    let mut problems = vec![];
    let files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(_) => return (out, problems),
    };
    let (sources, unreadable) = crate::source::read_sources(root, files);
    problems.extend(unreadable);
    for (_, shown, text) in sources {
        match toml::from_str::<Scenario>(&text) {
            Ok(mut s) => {
                s.file = shown;
                problems.extend(structural_problems(&s));
                out.push(s);
            }
            Err(e) => {
                let error = TomlError::new(&text, &e);
                problems.push(Problem {
                    file: shown,
                    place: error.place(),
                    message: error.message,
                })
            }
        }
    }
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &out {
        if let Some(first) = names.insert(&s.name, &s.file) {
            problems.push(Problem {
                file: s.file.clone(),
                place: "name".into(),
                message: format!("duplicate scenario name `{}` (also in {first})", s.name),
            });
        }
    }
    (out, problems)
}

/// Checks a scenario's own consistency (names, assertions, templates); contract references are linted
/// by the catalogue, which knows the contracts.
pub fn structural_problems(s: &Scenario) -> Vec<Problem> {
    let mut out = vec![];
    let mut seen = std::collections::BTreeSet::new();
    for (i, step) in s.steps.iter().enumerate() {
        let place = format!("steps[{i}] ({})", step.name);
        let mut p = |message: String| {
            out.push(Problem {
                file: s.file.clone(),
                place: place.clone(),
                message,
            })
        };
        if !step
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || step.name.is_empty()
        {
            p(format!(
                "step name `{}` must be letters, digits, _ or -",
                step.name
            ));
        }
        if !seen.insert(step.name.clone()) {
            p(format!("duplicate step name `{}`", step.name));
        }
        for (var, path) in &step.capture {
            if let Err(e) = path::to_pointer(path) {
                p(format!("capture `{var}`: {e}"));
            }
        }
        for (j, a) in step.assert.iter().enumerate() {
            if let Err(e) = a.validate() {
                p(format!("assert[{j}]: {e}"));
            }
        }
    }
    if let ScenarioPhase::Plan(n @ 9..) = s.phase {
        out.push(Problem {
            file: s.file.clone(),
            place: "phase".into(),
            message: format!("{n} is not a plan phase (0–8, or \"e2e\" across phases)"),
        });
    }
    out
}
