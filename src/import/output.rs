//! The contract files of an import: what the out dir already holds, the file and id a new
//! contract gets, the contract's JSON, and the check that its examples fit its schemas.

use super::doc_endpoint::{DocEndpoint, Issue};
use super::naming;
use super::skeleton::Built;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// `<module>.<stem>` of a contract file.
fn id_of_file(file: &Path) -> String {
    let module = file
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    format!("{module}.{stem}")
}

/// The contracts already in the out dir, by route, read leniently (a file that is not a contract still
/// counts as existing).
pub(super) struct Existing {
    /// `METHOD /path` → file.
    by_route: HashMap<String, PathBuf>,
    /// Every `*.json` file under a module directory, with the route it describes if readable.
    routes: HashMap<PathBuf, Option<String>>,
}

impl Existing {
    pub(super) fn scan(out_dir: &Path) -> Existing {
        let mut by_route = HashMap::new();
        let mut routes = HashMap::new();
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(out_dir)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().to_string();
                        !n.starts_with('_') && !n.starts_with('.') && n != "notes"
                    })
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        for dir in dirs {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "json"))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            for f in files {
                let route = std::fs::read_to_string(&f)
                    .ok()
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .and_then(|v| {
                        let m = v.get("method")?.as_str()?.to_ascii_uppercase();
                        let p = v.get("path")?.as_str()?.to_string();
                        Some(format!("{m} {p}"))
                    });
                if let Some(r) = &route {
                    by_route.entry(r.clone()).or_insert_with(|| f.clone());
                }
                routes.insert(f, route);
            }
        }
        Existing { by_route, routes }
    }

    /// The file and id for `ep`'s contract in `module`: the file that already describes its route,
    /// else `<module>/<name>.json` by the naming rule, numbered (`-2`, …) when that name is taken
    /// by another route or claimed earlier in this import (noted).
    pub(super) fn claim(
        &self,
        out_dir: &Path,
        ep: &DocEndpoint,
        module: &str,
        claimed: &mut HashSet<String>,
        notes: &mut Vec<Issue>,
    ) -> (PathBuf, String) {
        let route = format!("{} {}", ep.method, ep.path);
        let (file, id) = match self.by_route.get(&route) {
            Some(f) => (f.clone(), id_of_file(f)),
            None => {
                let stem = naming::contract_name(&ep.method, &ep.path, module);
                let mut candidate = stem.clone();
                let mut k = 1;
                loop {
                    let id = format!("{module}.{candidate}");
                    let file = out_dir.join(module).join(format!("{candidate}.json"));
                    let other_route =
                        matches!(self.routes.get(&file), Some(Some(r)) if *r != route);
                    if !claimed.contains(&id) && !other_route {
                        if candidate != stem {
                            notes.push(Issue {
                                line: ep.line,
                                message: format!(
                                    "`{module}.{stem}` already names another route; this one is `{id}`"
                                ),
                            });
                        }
                        break (file, id);
                    }
                    k += 1;
                    candidate = format!("{stem}-{k}");
                }
            }
        };
        claimed.insert(id.clone());
        (file, id)
    }
}

/// The contract, keys in the order of contracts/README.md.
pub(super) fn contract_json(
    id: &str,
    ep: &DocEndpoint,
    phase: u8,
    module: &str,
    name: &str,
    b: &Built,
) -> Value {
    let mut c = Map::new();
    c.insert("id".into(), json!(id));
    c.insert("method".into(), json!(ep.method));
    c.insert("path".into(), json!(ep.path));
    c.insert("phase".into(), json!(phase));
    c.insert("module".into(), json!(module));
    c.insert("name".into(), json!(name));
    c.insert(
        "auth".into(),
        json!(if ep.section.auth_user { "user" } else { "none" }),
    );
    if b.multipart {
        c.insert("body_format".into(), json!("multipart"));
    }
    if let Some(skip) = &b.skip {
        c.insert("skip".into(), json!(skip));
    }
    let parts = [
        ("path_params", &b.path_params),
        ("query", &b.query),
        ("body", &b.body),
    ];
    let mut request = Map::new();
    let mut example_request = Map::new();
    for (key, part) in parts {
        if let Some(p) = part {
            request.insert(key.into(), p.schema.clone());
            example_request.insert(key.into(), p.example.clone());
        }
    }
    if !request.is_empty() {
        c.insert("request".into(), Value::Object(request));
    }
    let (data_schema, data_example) = match &b.data {
        Some(d) => (d.schema.clone(), d.example.clone()),
        None => (json!({}), json!({})),
    };
    c.insert("response".into(), json!({ "data": data_schema }));
    let mut response = Map::new();
    response.insert("code".into(), b.code.clone());
    response.insert("message".into(), b.message.clone());
    response.insert("data".into(), data_example);
    let mut example = Map::new();
    example.insert("request".into(), Value::Object(example_request));
    example.insert("response".into(), Value::Object(response));
    c.insert("example".into(), Value::Object(example));
    c.insert("errors".into(), json!([]));
    Value::Object(c)
}

/// Validates the contract's examples against its own schemas (formats on, as the engine does).
pub(super) fn self_check(contract: &Value) -> Vec<String> {
    let mut out = vec![];
    let pairs = [
        ("request.path_params", "/request/path_params"),
        ("request.query", "/request/query"),
        ("request.body", "/request/body"),
        ("response.data", "/response/data"),
    ];
    for (place, pointer) in pairs {
        let Some(schema) = contract.pointer(&format!("/{}", place.replace('.', "/"))) else {
            continue;
        };
        let instance = contract
            .pointer(&format!("/example{pointer}"))
            .cloned()
            .unwrap_or(Value::Null);
        match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema)
        {
            Ok(v) => {
                for e in v.iter_errors(&instance) {
                    out.push(format!("{place} at {}: {e}", e.instance_path()));
                }
            }
            Err(e) => out.push(format!("{place}: schema does not compile: {e}")),
        }
    }
    out
}
