//! One schema registry per run: the shared definitions under `contracts/_schemas/` plus every contract's
//! schemas compiled once, with `format` validation on (it is annotation-only by default in 2020-12).

use super::{display_path, Contract, Problem};
use jsonschema::{Registry, Validator};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Every schema resolves against this base, so `common.json` names `_schemas/common.json`.
pub const BASE_URI: &str = "https://daodao-check.dev/schemas/";

pub struct SchemaSet {
    registry: Registry<'static>,
}

/// The validators of one contract.
#[derive(Default)]
pub struct Compiled {
    pub path_params: Option<Validator>,
    pub query: Option<Validator>,
    pub body: Option<Validator>,
    pub data: Option<Validator>,
}

/// One schema violation, with the JSON Pointer of the offending value.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: String,
    pub message: String,
    pub expected: String,
    pub actual: String,
}

impl SchemaSet {
    /// Loads `_schemas/*.json`; each must carry `"$id": "<BASE_URI><file name>"`.
    pub fn load(root: &Path, dir: &Path) -> (SchemaSet, Vec<Problem>) {
        let mut problems = vec![];
        let mut resources: Vec<(String, Value)> = vec![];
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
        {
            let shown = display_path(root, path);
            let problem = |place: String, message: String| Problem {
                file: shown.clone(),
                place,
                message,
            };
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(problem(String::new(), format!("cannot read: {e}")));
                    continue;
                }
            };
            let value: Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(problem(
                        format!("line {}, column {}", e.line(), e.column()),
                        e.to_string()
                            .split(" at line ")
                            .next()
                            .unwrap_or("")
                            .to_string(),
                    ));
                    continue;
                }
            };
            let file_name = path.file_name().unwrap_or_default().to_string_lossy();
            let expected_id = format!("{BASE_URI}{file_name}");
            match value.get("$id").and_then(Value::as_str) {
                Some(id) if id == expected_id => {}
                other => problems.push(problem(
                    "$id".into(),
                    format!("expected \"{expected_id}\", found {other:?}"),
                )),
            }
            if let Err(e) = jsonschema::meta::validate(&value) {
                problems.push(problem(
                    e.instance_path().to_string(),
                    format!("not a valid JSON Schema: {e}"),
                ));
            }
            resources.push((expected_id, value));
        }
        let registry = Registry::new()
            .extend(resources)
            .and_then(|b| b.prepare())
            .unwrap_or_else(|e| {
                problems.push(Problem {
                    file: display_path(root, dir),
                    place: String::new(),
                    message: format!("shared schemas do not form a registry: {e}"),
                });
                Registry::new()
                    .prepare()
                    .expect("an empty registry always prepares")
            });
        (SchemaSet { registry }, problems)
    }

    /// Compiles one schema in the context of a contract; the error names what could not be compiled.
    pub fn compile(
        &self,
        contract_id: &str,
        schema: &Value,
    ) -> Result<Validator, jsonschema::ValidationError<'static>> {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(&self.registry)
            .with_base_uri(format!("{BASE_URI}{contract_id}.contract.json"))
            .should_validate_formats(true)
            .build(schema)
    }

    /// Compiles all of a contract's schemas, reporting each failure with its place in the file.
    pub fn compile_contract(&self, c: &Contract) -> (Compiled, Vec<Problem>) {
        let mut problems = vec![];
        let file = c.file.display().to_string();
        let mut one = |place: &str, schema: &Option<Value>| -> Option<Validator> {
            let schema = schema.as_ref()?;
            match self.compile(&c.id, schema) {
                Ok(v) => Some(v),
                Err(error) => {
                    problems.push(Problem {
                        file: file.clone(),
                        place: place.to_string(),
                        message: format!("schema does not compile: {error}"),
                    });
                    None
                }
            }
        };
        let compiled = Compiled {
            path_params: one("request.path_params", &c.request.path_params),
            query: one("request.query", &c.request.query),
            body: one("request.body", &c.request.body),
            data: one("response.data", &c.response.data),
        };
        (compiled, problems)
    }
}

/// All violations of `instance` against `validator`, in document order, each with its JSON Pointer.
pub fn violations(validator: &Validator, instance: &Value) -> Vec<Violation> {
    use jsonschema::error::ValidationErrorKind as K;
    let mut out: Vec<Violation> = validator
        .iter_errors(instance)
        .map(|e| {
            let mut path = e.instance_path().to_string();
            let actual_value = e.instance().clone().into_owned();
            let expected = match e.kind() {
                K::Type { kind } => format!("type {kind:?}")
                    .replace("Single(", "")
                    .replace(')', "")
                    .to_lowercase(),
                K::Required { property } => {
                    let prop = property.as_str().unwrap_or_default();
                    path = format!("{path}/{}", prop.replace('~', "~0").replace('/', "~1"));
                    "a required field".to_string()
                }
                K::Enum { options } => format!("one of {options}"),
                K::Format { format } => format!("format {format}"),
                K::Constant { expected_value } => format!("{expected_value}"),
                K::Pattern { pattern } => format!("matching /{pattern}/"),
                K::Minimum { limit } => format!(">= {limit}"),
                K::Maximum { limit } => format!("<= {limit}"),
                K::MinLength { limit } => format!("length >= {limit}"),
                K::MaxLength { limit } => format!("length <= {limit}"),
                K::MinItems { limit } => format!(">= {limit} items"),
                K::AdditionalProperties { unexpected } => {
                    format!("no extra fields (found {})", unexpected.join(", "))
                }
                _ => "to match the schema".to_string(),
            };
            let actual = match e.kind() {
                K::Required { .. } => "missing".to_string(),
                _ => short_json(&actual_value, 80),
            };
            Violation {
                path: if path.is_empty() { "/".into() } else { path },
                message: e.masked().to_string(),
                expected,
                actual,
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.expected.cmp(&b.expected)));
    out.dedup();
    out
}

/// A one-line rendering of a JSON value, cut at `max` characters.
pub fn short_json(v: &Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Compiled validators for every contract, by id.
pub type CompiledMap = HashMap<String, Compiled>;
