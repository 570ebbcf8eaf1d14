//! What schemas say about one another, read before they are compiled: the shared files a schema uses
//! (so a broken shared file is blamed once, not on every contract that uses it), `pattern`s that are not
//! regular expressions (blamed where they are written), and `$ref` cycles that never reach a value (a
//! schema that is, through references, an `allOf` of itself: validating it would never end).

/// Every schema of the catalogue is resolved against this: shared `_schemas` files are reachable by
/// file name from any contract.
pub const BASE_URI: &str = "https://daodao-check.dev/schemas/";

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Schemas by document name: a shared file's name (`common.json`), or a contract schema's own name.
pub type Docs<'a> = BTreeMap<String, &'a Value>;

/// A place in a document: its name and a JSON Pointer.
type Node = (String, String);

/// Keywords whose values are data, not schemas: nothing inside them is a `$ref` or a `pattern`.
const DATA_KEYWORDS: &[&str] = &["const", "enum", "default", "examples", "example"];

/// Every `$ref` string in `schema`, with the pointer of the object that holds it.
fn refs(schema: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match schema {
        Value::Object(fields) => {
            for (k, v) in fields {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((at.to_string(), r.clone())),
                    (k, _) if DATA_KEYWORDS.contains(&k) => {}
                    (k, v) => refs(v, &format!("{at}/{}", escape(k)), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Where `reference` points from document `doc`: a shared file by name (relative, or under
/// [`BASE_URI`]) or `doc` itself, and a JSON Pointer; `None` for anchors and other URIs.
fn resolve(doc: &str, reference: &str) -> Option<Node> {
    let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let target = match uri.strip_prefix(BASE_URI).unwrap_or(uri) {
        "" => doc.to_string(),
        file if !file.contains(':') => file.trim_start_matches("./").to_string(),
        _ => return None,
    };
    (fragment.is_empty() || fragment.starts_with('/')).then(|| (target, fragment.to_string()))
}

/// The shared files `schema` (document `doc`) uses, directly or through other shared files.
pub fn shared_files_used(doc: &str, schema: &Value, shared: &Docs) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut todo = vec![(doc.to_string(), schema)];
    while let Some((name, value)) = todo.pop() {
        let mut found = vec![];
        refs(value, "", &mut found);
        for (_, r) in found {
            let Some((file, _)) = resolve(&name, &r) else {
                continue;
            };
            // A file that could not be read is still used (and blamed for it); one that could is
            // followed for the files it uses.
            if file != name && used.insert(file.clone()) {
                if let Some(next) = shared.get(&file) {
                    todo.push((file, next));
                }
            }
        }
    }
    used
}

/// Every `pattern` (and `patternProperties` key) of `schema` that is not a regular expression, as the
/// validator reads them: (JSON Pointer, what is wrong).
pub fn bad_patterns(schema: &Value) -> Vec<(String, String)> {
    let mut out = vec![];
    walk_patterns(schema, "", &mut out);
    out
}

fn walk_patterns(schema: &Value, at: &str, out: &mut Vec<(String, String)>) {
    let check = |pattern: &str, place: String, out: &mut Vec<(String, String)>| {
        if let Err(e) = jsonschema::validator_for(&serde_json::json!({ "pattern": pattern })) {
            out.push((place, format!("not a regular expression: {e}")));
        }
    };
    match schema {
        Value::Object(fields) => {
            for (k, v) in fields {
                let place = format!("{at}/{}", escape(k));
                match (k.as_str(), v) {
                    ("pattern", Value::String(p)) => check(p, place, out),
                    ("patternProperties", Value::Object(props)) => {
                        for (p, sub) in props {
                            check(p, format!("{place}/{}", escape(p)), out);
                            walk_patterns(sub, &format!("{place}/{}", escape(p)), out);
                        }
                    }
                    (k, _) if DATA_KEYWORDS.contains(&k) => {}
                    _ => walk_patterns(v, &place, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_patterns(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The places a schema node applies to the same value it is given (so a cycle through them never ends).
fn in_place(docs: &Docs, (doc, pointer): &Node) -> Vec<Node> {
    let Some(Value::Object(fields)) = docs.get(doc).and_then(|d| d.pointer(pointer)) else {
        return vec![];
    };
    let mut out = vec![];
    for (k, v) in fields {
        let here = format!("{pointer}/{}", escape(k));
        match (k.as_str(), v) {
            ("$ref", Value::String(r)) => out.extend(resolve(doc, r)),
            ("allOf" | "anyOf" | "oneOf", Value::Array(items)) => {
                out.extend((0..items.len()).map(|i| (doc.clone(), format!("{here}/{i}"))));
            }
            ("not" | "if" | "then" | "else", _) => out.push((doc.clone(), here)),
            ("dependentSchemas", Value::Object(m)) => {
                out.extend(
                    m.keys()
                        .map(|p| (doc.clone(), format!("{here}/{}", escape(p)))),
                );
            }
            _ => {}
        }
    }
    out
}

/// A cycle of references, as `doc#pointer` steps ending where it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// Where it is reported: the document and pointer of its first step.
    pub doc: String,
    pub pointer: String,
    pub steps: Vec<String>,
}

impl Cycle {
    pub fn message(&self) -> String {
        format!(
            "`$ref` cycle: {} (a schema that refers back to itself with no property or item in \
             between never ends)",
            self.steps.join(" → ")
        )
    }
}

/// The cycles reachable from the `$ref`s of the documents named in `starts`, each once; a cycle must
/// pass through one of `starts` to be reported here.
pub fn ref_cycles(docs: &Docs, starts: &[String]) -> Vec<Cycle> {
    let mut cycles = vec![];
    let mut seen: HashSet<Vec<Node>> = HashSet::new();
    let mut done: HashSet<Node> = HashSet::new();
    for doc in starts {
        let Some(root) = docs.get(doc) else { continue };
        let mut found = vec![];
        refs(root, "", &mut found);
        for (pointer, _) in found {
            let mut path = vec![];
            dfs(
                docs,
                (doc.clone(), pointer),
                &mut path,
                &mut done,
                &mut |cycle: &[Node]| {
                    let mut key = cycle.to_vec();
                    key.sort();
                    if cycle.iter().any(|(d, _)| starts.contains(d)) && seen.insert(key) {
                        let show = |(d, p): &Node| format!("{d}#{p}");
                        let mut steps: Vec<String> = cycle.iter().map(show).collect();
                        steps.push(show(&cycle[0]));
                        cycles.push(Cycle {
                            doc: cycle[0].0.clone(),
                            pointer: cycle[0].1.clone(),
                            steps,
                        });
                    }
                },
            );
        }
    }
    cycles
}

fn dfs(
    docs: &Docs,
    node: Node,
    path: &mut Vec<Node>,
    done: &mut HashSet<Node>,
    found: &mut dyn FnMut(&[Node]),
) {
    if let Some(i) = path.iter().position(|n| *n == node) {
        found(&path[i..]);
        return;
    }
    if done.contains(&node) {
        return;
    }
    path.push(node.clone());
    for next in in_place(docs, &node) {
        dfs(docs, next, path, done, found);
    }
    path.pop();
    done.insert(node);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs<'a>(pairs: &[(&str, &'a Value)]) -> Docs<'a> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn the_shared_files_a_schema_uses_include_those_its_shared_files_use() {
        let common = json!({"$defs": {"id": {"$ref": "ids.json#/$defs/id"}}});
        let ids = json!({"$defs": {"id": {"type": "string"}}});
        let unused = json!({});
        let shared = docs(&[
            ("common.json", &common),
            ("ids.json", &ids),
            ("unused.json", &unused),
        ]);
        let schema = json!({"properties": {"id": {"$ref": "common.json#/$defs/id"},
                            "x": {"$ref": "https://daodao-check.dev/schemas/common.json"}},
                            "enum": [{"$ref": "unused.json"}]});
        let used: Vec<String> = shared_files_used("c", &schema, &shared)
            .into_iter()
            .collect();
        assert_eq!(used, ["common.json", "ids.json"]);
    }

    #[test]
    fn a_pattern_that_is_not_a_regex_is_named_by_its_pointer() {
        let schema = json!({"$defs": {
            "phone": {"type": "string", "pattern": "^1[3-9"},
            "ok": {"pattern": "^a+$", "patternProperties": {"^(x": {}}},
            "data": {"const": {"pattern": "(("}}
        }});
        let bad: Vec<String> = bad_patterns(&schema).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            bad,
            ["/$defs/phone/pattern", "/$defs/ok/patternProperties/^(x"]
        );
        assert!(bad_patterns(&schema)[1]
            .1
            .starts_with("not a regular expression: "));
    }

    #[test]
    fn a_reference_cycle_is_found_once_with_its_steps() {
        let common = json!({"$defs": {
            "a": {"$ref": "#/$defs/b"},
            "b": {"allOf": [{"$ref": "#/$defs/a"}]},
            "tree": {"type": "object", "properties": {"children": {"items": {"$ref": "#/$defs/tree"}}}}
        }});
        let shared = docs(&[("common.json", &common)]);
        let cycles = ref_cycles(&shared, &["common.json".to_string()]);
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert_eq!(
            cycles[0].steps,
            [
                "common.json#/$defs/a",
                "common.json#/$defs/b",
                "common.json#/$defs/b/allOf/0",
                "common.json#/$defs/a"
            ]
        );
        assert!(cycles[0]
            .message()
            .starts_with("`$ref` cycle: common.json#/$defs/a → "));
    }

    #[test]
    fn a_schema_that_is_its_own_reference_is_a_cycle_and_recursion_through_items_is_not() {
        let own = json!({"$ref": "#"});
        let tree = json!({"items": {"$ref": "#"}});
        let all = docs(&[("x", &own), ("t", &tree)]);
        assert_eq!(ref_cycles(&all, &["x".to_string()]).len(), 1);
        assert!(ref_cycles(&all, &["t".to_string()]).is_empty());
    }
}
