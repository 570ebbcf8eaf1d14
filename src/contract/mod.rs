//! Contracts: one JSON file per endpoint, loaded into one catalogue with one schema registry per run.

pub mod behaviour;
pub mod decision;
pub mod json_text;
pub mod negative;
pub mod params;
pub mod refs;
pub mod schema;
pub mod security;
pub mod walk;

use crate::scenario::Step;
use crate::source::{display_path, read_sources, Problem};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

#[derive(
    Debug, Clone, Copy, Deserialize, PartialEq, Eq, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AuthRequirement {
    None,
    User,
    Admin,
}

/// How the request body travels.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    #[default]
    Json,
    /// multipart/form-data; body fields whose schema says `"format": "binary"` are files, and their
    /// example values are paths under fixtures/.
    Multipart,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionMode {
    /// Share the run's session for the account (the default).
    Shared,
    /// Log in anew for this check (the endpoint ends or changes its session, e.g. logout).
    Fresh,
}

/// The request parts a contract, an example, a step or an error case may give.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestParts {
    pub path_params: Option<Value>,
    pub query: Option<Value>,
    pub body: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseSchemas {
    pub data: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default)]
    pub request: RequestParts,
    pub response: Value,
}

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// The configured account the check runs as (default `primary`, `admin` for admin contracts), e.g.
    /// `staff` for what only the store may do. Setup steps have their own `as`.
    #[serde(rename = "as")]
    pub account: Option<String>,
    #[serde(default)]
    pub vars: Map<String, Value>,
    #[serde(default)]
    pub setup: Vec<Step>,
    #[serde(default)]
    pub request: RequestParts,
    /// This endpoint's derived negative and boundary inputs (`all`, `basic`, `off`), over the run's
    /// `[run] negative` / `--negative`: `off` where the inputs would mean nothing (README「负向与边界输入」).
    pub negative: Option<crate::config::NegativeMode>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpect {
    pub code: i64,
    pub http_status: Option<u16>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCase {
    pub name: String,
    #[serde(default)]
    pub request: RequestParts,
    pub expect: ErrorExpect,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub id: String,
    pub method: String,
    pub path: String,
    pub phase: u8,
    pub module: String,
    pub name: String,
    pub auth: AuthRequirement,
    pub skip: Option<String>,
    pub latency_budget_ms: Option<u64>,
    pub session: Option<SessionMode>,
    #[serde(default)]
    pub body_format: BodyFormat,
    #[serde(default)]
    pub request: RequestParts,
    #[serde(default)]
    pub response: ResponseSchemas,
    pub example: Example,
    pub run: Option<RunSpec>,
    #[serde(default)]
    pub errors: Vec<ErrorCase>,
    /// What the security checks cannot infer, and the checks switched off here.
    #[serde(default)]
    pub security: security::SecurityMarks,
    /// Behaviour hints for the sandbox server; opaque to the runner.
    #[schemars(with = "Option<crate::contract::behaviour::Behaviour>")]
    pub sandbox: Option<Value>,
    /// The file it was loaded from, relative to the project root where possible.
    #[serde(skip)]
    pub file: PathBuf,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

impl Contract {
    /// The plan's spelling: `POST /api/v1/auth/login`.
    pub fn plan_spelling(&self, prefix: &str) -> String {
        format!("{} {}{}", self.method, prefix, self.path)
    }

    /// Names of `{param}` segments in the path, in order.
    pub fn path_param_names(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }

    /// Body fields that are files (`"format": "binary"` in the body schema's top-level properties).
    pub fn file_fields(&self) -> Vec<String> {
        self.request
            .body
            .as_ref()
            .and_then(|b| b.get("properties"))
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter(|(_, s)| s.get("format").and_then(Value::as_str) == Some("binary"))
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn needs_auth(&self) -> bool {
        self.auth != AuthRequirement::None
    }
}

/// A contract file that does not deserialise: where (the JSON path and line) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ContractParseError {
    /// `phase (line 5, column 16)`, or `line L, column C` when the problem is the whole document.
    pub place: String,
    pub message: String,
}

/// Parses one contract's JSON text. Errors give the JSON path and line of the problem.
/// A leading byte-order mark is accepted; a key given twice is an error.
pub fn parse_contract(text: &str) -> Result<Contract, ContractParseError> {
    let text = json_text::without_bom(text);
    if let Some(dup) = json_text::duplicate_key(text) {
        return Err(ContractParseError {
            place: dup.place(),
            message: dup.message(),
        });
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, Contract>(de) {
        Ok(c) => Ok(c),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let place = if path == "." || path.is_empty() {
                format!("line {}, column {}", inner.line(), inner.column())
            } else {
                format!("{path} (line {}, column {})", inner.line(), inner.column())
            };
            // serde_json appends " at line L column C"; the place already says it.
            let msg = inner.to_string();
            let message = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            Err(ContractParseError { place, message })
        }
    }
}

/// Validates what serde cannot: id matches the file, method, path, phase, parameters.
pub fn structural_problems(c: &Contract, file: &str, expected_id: Option<&str>) -> Vec<Problem> {
    let mut out = vec![];
    let mut p = |place: &str, message: String| {
        out.push(Problem {
            file: file.to_string(),
            place: place.to_string(),
            message,
        })
    };
    if let Some(expected) = expected_id {
        if c.id != expected {
            p(
                "id",
                format!(
                    "id `{}` does not match its file (expected `{expected}`)",
                    c.id
                ),
            );
        }
    }
    if !METHODS.contains(&c.method.as_str()) {
        p(
            "method",
            format!("`{}` is not one of {}", c.method, METHODS.join(", ")),
        );
    }
    if !c.path.starts_with('/') {
        p("path", format!("`{}` must start with `/`", c.path));
    }
    if c.phase > 8 {
        p("phase", format!("{} is not a plan phase (0–8)", c.phase));
    }
    let names = c.path_param_names();
    if !names.is_empty() {
        let given = c
            .example
            .request
            .path_params
            .as_ref()
            .and_then(Value::as_object);
        for n in &names {
            if !given.is_some_and(|g| g.contains_key(*n)) {
                p(
                    "example.request.path_params",
                    format!("path parameter `{n}` of `{}` has no example value", c.path),
                );
            }
        }
    }
    if let Some(skip) = &c.skip {
        if skip.trim().is_empty() {
            p("skip", "a skipped contract must say why".to_string());
        }
    }
    for (place, message) in c.security.problems(&names) {
        p(&place, message);
    }
    out
}

/// Loads every `contracts/<module>/<name>.json`, collecting all problems rather than stopping at the first.
pub fn load_all(root: &Path, dir: &Path) -> (Vec<Contract>, Vec<Problem>) {
    let mut contracts = vec![];
    let mut problems = vec![];
    let mut files = vec![];
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem {
                file: display_path(root, dir),
                place: String::new(),
                message: format!("cannot read the contracts directory: {e}"),
            });
            return (contracts, problems);
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if !path.is_dir() || name.starts_with('_') || name.starts_with('.') || name == "notes" {
            continue;
        }
        if let Ok(inner) = std::fs::read_dir(&path) {
            for f in inner.flatten() {
                let fp = f.path();
                if fp.extension().is_some_and(|e| e == "json") {
                    files.push(fp);
                }
            }
        }
    }
    let (sources, unreadable) = read_sources(root, files);
    problems.extend(unreadable);
    for (path, shown, text) in sources {
        match parse_contract(&text) {
            Ok(mut c) => {
                let module = path
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let expected = format!("{module}.{stem}");
                problems.extend(structural_problems(&c, &shown, Some(&expected)));
                c.file = PathBuf::from(&shown);
                contracts.push(c);
            }
            Err(ContractParseError { place, message }) => problems.push(Problem {
                file: shown,
                place,
                message,
            }),
        }
    }
    // Duplicate ids and duplicate (method, path) pairs.
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut seen_route: std::collections::BTreeMap<String, String> = Default::default();
    for c in &contracts {
        let file = c.file.display().to_string();
        if let Some(first) = seen.insert(c.id.clone(), file.clone()) {
            problems.push(Problem {
                file: file.clone(),
                place: "id".into(),
                message: format!("duplicate contract id `{}` (also in {first})", c.id),
            });
        }
        let route = format!("{} {}", c.method, c.path);
        if let Some(first) = seen_route.insert(route.clone(), file.clone()) {
            problems.push(Problem {
                file,
                place: "path".into(),
                message: format!("`{route}` is already described by {first}"),
            });
        }
    }
    (contracts, problems)
}

/// Finds a contract by id or by the plan's spelling (`POST /api/v1/auth/login`).
pub fn find<'a>(contracts: &'a [Contract], key: &str, prefix: &str) -> Option<&'a Contract> {
    let key = key.trim();
    contracts.iter().find(|c| c.id == key).or_else(|| {
        let (method, path) = key.split_once(char::is_whitespace)?;
        let path = path.trim();
        let path = path.strip_prefix(prefix).unwrap_or(path);
        contracts
            .iter()
            .find(|c| c.method.eq_ignore_ascii_case(method) && c.path == path)
    })
}
