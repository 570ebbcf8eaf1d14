//! One schema registry per run: the shared definitions under `contracts/_schemas/` plus every contract's
//! schemas compiled once, with `format` validation on (it is annotation-only by default in 2020-12).

use super::{display_path, json_text, refs, Contract, Problem};
pub use crate::short::short_json;
use crate::short::{server_text, TEXT_CHARS, VALUE_CHARS};
use jsonschema::{Registry, Validator};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Every schema resolves against this base, so `common.json` names `_schemas/common.json`.
pub use super::refs::BASE_URI;

pub struct SchemaSet {
    registry: Registry<'static>,
    /// The shared files by name (`common.json`), as written.
    shared: BTreeMap<String, Value>,
    /// Shared files with a problem: a contract schema that uses one is not compiled, so the problem is
    /// blamed once, on the file, not on every contract that uses it.
    broken: BTreeSet<String>,
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

/// Reads one shared schema file: a byte-order mark is accepted, a repeated key or a syntax error is a
/// problem (place, message).
fn read_shared(path: &Path) -> Result<Value, (String, String)> {
    let text =
        std::fs::read_to_string(path).map_err(|e| (String::new(), format!("cannot read: {e}")))?;
    let text = json_text::without_bom(&text);
    if let Some(dup) = json_text::duplicate_key(text) {
        return Err((dup.place(), dup.message()));
    }
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        (
            format!("line {}, column {}", e.line(), e.column()),
            message.split(" at line ").next().unwrap_or("").to_string(),
        )
    })
}

/// What is wrong with a shared schema as a schema: its `$id`, the meta-schema, its patterns.
fn shared_problems(file_name: &str, value: &Value) -> Vec<(String, String)> {
    let mut out = vec![];
    let expected_id = format!("{BASE_URI}{file_name}");
    match value.get("$id").and_then(Value::as_str) {
        Some(id) if id == expected_id => {}
        other => out.push((
            "$id".into(),
            format!("expected \"{expected_id}\", found {other:?}"),
        )),
    }
    if let Err(e) = jsonschema::meta::validate(value) {
        out.push((
            e.instance_path().to_string(),
            format!("not a valid JSON Schema: {e}"),
        ));
    }
    out.extend(refs::bad_patterns(value));
    out
}

impl SchemaSet {
    /// Loads `_schemas/*.json`; each must carry `"$id": "<BASE_URI><file name>"`.
    pub fn load(root: &Path, dir: &Path) -> (SchemaSet, Vec<Problem>) {
        let mut problems = vec![];
        let mut shared = BTreeMap::new();
        let mut broken = BTreeSet::new();
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        let shown = |file_name: &str| display_path(root, &dir.join(file_name));
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
        {
            let file_name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let found = match read_shared(path) {
                Ok(value) => {
                    let found = shared_problems(&file_name, &value);
                    shared.insert(file_name.clone(), value);
                    found
                }
                Err(problem) => vec![problem],
            };
            if !found.is_empty() {
                broken.insert(file_name.clone());
            }
            problems.extend(found.into_iter().map(|(place, message)| Problem {
                file: shown(&file_name),
                place,
                message,
            }));
        }
        let docs: refs::Docs = shared.iter().map(|(k, v)| (k.clone(), v)).collect();
        let names: Vec<String> = shared.keys().cloned().collect();
        for cycle in refs::ref_cycles(&docs, &names) {
            broken.insert(cycle.doc.clone());
            problems.push(Problem {
                file: shown(&cycle.doc),
                place: cycle.pointer.clone(),
                message: cycle.message(),
            });
        }
        let resources = shared
            .iter()
            .map(|(name, value)| (format!("{BASE_URI}{name}"), value.clone()));
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
        let set = SchemaSet {
            registry,
            shared,
            broken,
        };
        (set, problems)
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
        let shared: refs::Docs = self.shared.iter().map(|(k, v)| (k.clone(), v)).collect();
        let mut one = |place: &str, schema: &Option<Value>| -> Option<Validator> {
            let schema = schema.as_ref()?;
            let doc = format!("{}:{place}", c.id);
            let used = refs::shared_files_used(&doc, schema, &shared);
            if used.iter().any(|f| self.broken.contains(f)) {
                return None;
            }
            let mut docs = shared.clone();
            docs.insert(doc.clone(), schema);
            if let Some(cycle) = refs::ref_cycles(&docs, std::slice::from_ref(&doc)).first() {
                problems.push(Problem {
                    file: file.clone(),
                    place: format!("{place}{}", cycle.pointer),
                    message: cycle.message(),
                });
                return None;
            }
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

/// At most this many violations are taken from the validator: enough to fold list items and to say
/// "at least", never millions.
pub const MAX_VIOLATIONS: usize = 1000;
/// A list longer than this is validated on its first this-many items only (the validator collects every
/// error before it returns the first, so the instance itself must be small).
pub const SAMPLED_ITEMS: usize = 100;

/// The violations of one instance, and how much of it they describe.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Violations {
    pub list: Vec<Violation>,
    /// Lists were validated on their first [`SAMPLED_ITEMS`] items: the longest list's length.
    pub sampled_longest: Option<usize>,
    /// Validation stopped at [`MAX_VIOLATIONS`]: there are more.
    pub stopped: bool,
}

/// The violations of `instance` against `validator`, in path order, each with its JSON Pointer; at most
/// [`MAX_VIOLATIONS`].
pub fn violations(validator: &Validator, instance: &Value) -> Vec<Violation> {
    bounded_violations(validator, instance).list
}

/// The violations of `instance`, with work bounded whatever its size: a valid instance is only walked;
/// an invalid one is validated with its long lists cut to [`SAMPLED_ITEMS`] items, and errors found only
/// past the cut are reported by their first.
pub fn bounded_violations(validator: &Validator, instance: &Value) -> Violations {
    if validator.is_valid(instance) {
        return Violations::default();
    }
    let mut cut_lists = std::collections::HashSet::new();
    let mut longest = 0;
    let sample = sampled(instance, "", &mut cut_lists, &mut longest);
    let target = sample.as_ref().unwrap_or(instance);
    let mut list: Vec<Violation> = validator
        .iter_errors(target)
        // A cut list's own keywords (minItems, uniqueItems, contains …) judged the cut, not the list.
        .filter(|e| {
            matches!(
                e.kind(),
                jsonschema::error::ValidationErrorKind::Type { .. }
            ) || !cut_lists.contains(&e.instance_path().to_string())
        })
        .take(MAX_VIOLATIONS + 1)
        .map(|e| violation(&e, instance))
        .collect();
    let stopped = list.len() > MAX_VIOLATIONS;
    list.truncate(MAX_VIOLATIONS);
    if list.is_empty() {
        if let Err(e) = validator.validate(instance) {
            list.push(violation(&e, instance));
        }
    }
    list.sort_by(|a, b| a.path.cmp(&b.path).then(a.expected.cmp(&b.expected)));
    list.dedup();
    // The sample matters to what is said only when a violation lies inside a list that was cut.
    let inside_a_cut = list.iter().any(|v| {
        cut_lists.iter().any(|c| {
            v.path
                .strip_prefix(c.as_str())
                .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1)
        })
    });
    Violations {
        list,
        sampled_longest: inside_a_cut.then_some(longest),
        stopped,
    }
}

/// `v` with every list longer than [`SAMPLED_ITEMS`] cut to its first items; `None` when no list is
/// that long (nothing is copied then). Records the cut lists' pointers and the longest length.
fn sampled(
    v: &Value,
    at: &str,
    cut: &mut std::collections::HashSet<String>,
    longest: &mut usize,
) -> Option<Value> {
    match v {
        Value::Array(items) => {
            let long = items.len() > SAMPLED_ITEMS;
            if long {
                cut.insert(at.to_string());
                *longest = (*longest).max(items.len());
            }
            let kept = &items[..items.len().min(SAMPLED_ITEMS)];
            let inner: Vec<Option<Value>> = kept
                .iter()
                .enumerate()
                .map(|(i, item)| sampled(item, &format!("{at}/{i}"), cut, longest))
                .collect();
            if !long && inner.iter().all(Option::is_none) {
                return None;
            }
            Some(Value::Array(
                kept.iter()
                    .zip(inner)
                    .map(|(item, s)| s.unwrap_or_else(|| item.clone()))
                    .collect(),
            ))
        }
        Value::Object(fields) => {
            let inner: Vec<Option<Value>> = fields
                .iter()
                .map(|(k, item)| {
                    let key = k.replace('~', "~0").replace('/', "~1");
                    sampled(item, &format!("{at}/{key}"), cut, longest)
                })
                .collect();
            if inner.iter().all(Option::is_none) {
                return None;
            }
            Some(Value::Object(
                fields
                    .iter()
                    .zip(inner)
                    .map(|((k, item), s)| (k.clone(), s.unwrap_or_else(|| item.clone())))
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// One validator error in our words; every part a backend controls is cut short. The actual value is
/// looked up in `whole` (the error may come from a sample, whose lists are cut).
fn violation(e: &jsonschema::ValidationError<'_>, whole: &Value) -> Violation {
    use jsonschema::error::ValidationErrorKind as K;
    let mut path = e.instance_path().to_string();
    let actual_value = whole.pointer(&path).unwrap_or(e.instance().as_ref());
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
            let mut names = unexpected
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if unexpected.len() > 5 {
                names.push_str(&format!(" and {} more", unexpected.len() - 5));
            }
            server_text(&format!("no extra fields (found {names})"), TEXT_CHARS)
        }
        _ => "to match the schema".to_string(),
    };
    let actual = match e.kind() {
        K::Required { .. } => "missing".to_string(),
        _ => short_json(actual_value, VALUE_CHARS),
    };
    Violation {
        path: if path.is_empty() {
            "/".into()
        } else {
            server_text(&path, TEXT_CHARS)
        },
        message: server_text(&e.masked().to_string(), TEXT_CHARS),
        expected,
        actual,
    }
}

/// Compiled validators for every contract, by id.
pub type CompiledMap = HashMap<String, Compiled>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn validator(schema: Value) -> Validator {
        let (set, problems) = SchemaSet::load(Path::new("."), Path::new("no-shared-schemas"));
        assert!(problems.is_empty());
        set.compile("demo.x", &schema).expect("compiles")
    }

    #[test]
    fn an_error_past_the_sample_is_reported_by_the_first_one() {
        let v = validator(json!({"type": "array", "items": {"type": "integer"}}));
        let mut items = vec![json!(1); 500];
        items[300] = json!("x");
        items[400] = json!("y");
        let found = bounded_violations(&v, &Value::Array(items));
        assert_eq!(found.sampled_longest, Some(500));
        let paths: Vec<_> = found.list.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["/300"]);
    }

    #[test]
    fn a_cut_list_is_not_judged_by_its_own_length() {
        let v = validator(json!({"type": "array", "minItems": 150, "items": {"type": "integer"}}));
        let mut items = vec![json!(1); 200];
        items[5] = json!("x");
        let found = bounded_violations(&v, &Value::Array(items));
        let paths: Vec<_> = found
            .list
            .iter()
            .map(|v| (v.path.as_str(), v.expected.as_str()))
            .collect();
        assert_eq!(paths, [("/5", "type integer")]);
        let short = bounded_violations(&v, &json!([1, 2]));
        assert_eq!(short.list[0].expected, ">= 150 items");
        assert_eq!(short.sampled_longest, None);
    }

    #[test]
    fn a_valid_instance_has_nothing_to_say_however_large() {
        let v = validator(json!({"type": "array", "items": {"type": "integer"}}));
        assert_eq!(
            bounded_violations(&v, &Value::Array(vec![json!(1); 100_000])),
            Violations::default()
        );
    }

    #[test]
    fn extra_fields_are_listed_five_at_most() {
        let v = validator(json!({
            "type": "object", "properties": {"id": {}}, "additionalProperties": false
        }));
        let fields: serde_json::Map<String, Value> =
            (0..1000).map(|i| (format!("k{i}"), json!(i))).collect();
        let found = bounded_violations(&v, &Value::Object(fields));
        assert_eq!(found.list.len(), 1);
        assert_eq!(
            found.list[0].expected,
            "no extra fields (found k0, k1, k2, k3, k4 and 995 more)"
        );
        assert!(
            found.list[0].message.chars().count() <= 201,
            "{}",
            found.list[0].message
        );
        assert!(
            found.list[0].actual.ends_with("(1000 fields)"),
            "{}",
            found.list[0].actual
        );
    }
}
