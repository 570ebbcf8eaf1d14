//! Writing an import: the shared schemas, the contracts (each checked against its own schemas, as
//! lint will), and which components are not written.

use super::{collect_refs, operation, pointer_token, Ctx, Issue, Summary};
use crate::contract::schema::{violations, SchemaSet};
use crate::import::naming;
use crate::openapi::names;
use crate::openapi::OpenApiError;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Components to write: all, except those read only as the envelope that was unwrapped.
pub(super) fn kept_components(
    converted: &[operation::Converted],
    components: &Map<String, Value>,
    ctx: &mut Ctx,
) -> Map<String, Value> {
    let consumed: BTreeSet<&String> = converted
        .iter()
        .flat_map(|c| &c.envelope_components)
        .collect();
    let mut keep: BTreeSet<String> = ctx.referenced.clone();
    keep.extend(components.keys().filter(|k| !consumed.contains(k)).cloned());
    let mut frontier: Vec<String> = keep.iter().cloned().collect();
    while let Some(name) = frontier.pop() {
        let mut refs = BTreeSet::new();
        if let Some(s) = components.get(&name) {
            collect_refs(s, &mut refs);
        }
        for r in refs {
            if keep.insert(r.clone()) {
                frontier.push(r);
            }
        }
    }
    for dropped in components.keys().filter(|k| !keep.contains(*k)) {
        ctx.note(
            &format!("/components/schemas/{}", pointer_token(dropped)),
            format!("`{dropped}` is the envelope, unwrapped in every response; not written as a shared schema"),
        );
    }
    components
        .iter()
        .filter(|(k, _)| keep.contains(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// One `_schemas/<file>.json` per component file, with `$id` under the engine's base URI.
pub(super) fn write_shared(
    kept: &Map<String, Value>,
    default_file: &str,
    out_dir: &Path,
    force: bool,
    summary: &mut Summary,
) -> Result<(), OpenApiError> {
    let mut files: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (name, schema) in kept {
        let (file, def) = names::shared_place(name, default_file);
        let place = format!("/components/schemas/{}", pointer_token(name));
        let rewritten = names::to_shared(schema, Some(&file), default_file).unwrap_or_else(|p| {
            summary.warnings.push(Issue {
                pointer: format!("{place}{}", p.pointer),
                message: format!("{}; left permissive", p.message),
            });
            json!({})
        });
        files.entry(file).or_default().insert(def, rewritten);
    }
    for (file, defs) in files {
        let doc = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{}{file}.json", crate::contract::schema::BASE_URI),
            "$defs": defs
        });
        write_json(
            &out_dir.join("_schemas").join(format!("{file}.json")),
            &doc,
            force,
            summary,
        )?;
    }
    Ok(())
}

/// A contract as placed: what the plan needs.
pub(super) struct Placed {
    pub fields: Map<String, Value>,
}

pub(super) fn write_contracts(
    converted: Vec<operation::Converted>,
    out_dir: &Path,
    force: bool,
    summary: &mut Summary,
) -> Result<Vec<Placed>, OpenApiError> {
    let (schemas, _) = SchemaSet::load(out_dir, &out_dir.join("_schemas"));
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    let mut placed = vec![];
    for c in converted {
        let stem = c
            .own_name
            .as_deref()
            .map(naming::kebab)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| naming::contract_name(&c.method, &c.path, &c.module));
        let mut name = stem.clone();
        let mut k = 1;
        while !claimed.insert(format!("{}.{name}", c.module)) {
            k += 1;
            name = format!("{stem}-{k}");
        }
        let mut contract = Map::new();
        contract.insert("id".into(), json!(format!("{}.{name}", c.module)));
        let hint = c.id_hint(&name);
        contract.extend(c.fields);
        let file = out_dir.join(&c.module).join(format!("{name}.json"));
        for problem in self_check(&schemas, &contract) {
            summary.warnings.push(Issue {
                pointer: c.at.clone(),
                message: format!("the example of `{hint}` does not validate: {problem}"),
            });
        }
        write_json(&file, &Value::Object(contract.clone()), force, summary)?;
        placed.push(Placed { fields: contract });
    }
    Ok(placed)
}

fn write_json(
    path: &Path,
    v: &Value,
    force: bool,
    summary: &mut Summary,
) -> Result<(), OpenApiError> {
    if path.exists() && !force {
        summary.skipped.push(path.to_path_buf());
        return Ok(());
    }
    let mut text =
        serde_json::to_string_pretty(v).map_err(|e| OpenApiError::Render(e.to_string()))?;
    text.push('\n');
    crate::atomic::write(path, text.as_bytes()).map_err(|e| OpenApiError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    summary.written.push(path.to_path_buf());
    Ok(())
}

/// The examples checked against their own schemas with the engine's schema set (formats on).
fn self_check(schemas: &SchemaSet, contract: &Map<String, Value>) -> Vec<String> {
    let c = Value::Object(contract.clone());
    let id = c["id"].as_str().unwrap_or("imported");
    let mut out = vec![];
    for (schema, example) in [
        ("/request/path_params", "/example/request/path_params"),
        ("/request/query", "/example/request/query"),
        ("/request/body", "/example/request/body"),
        ("/response/data", "/example/response/data"),
    ] {
        let Some(s) = c.pointer(schema) else { continue };
        let instance = c.pointer(example).cloned().unwrap_or(Value::Null);
        match schemas.compile(id, s) {
            Ok(v) => out.extend(violations(&v, &instance).into_iter().map(|v| {
                let at = if v.path == "/" { "" } else { v.path.as_str() };
                format!("{example}{at}: expected {}, found {}", v.expected, v.actual)
            })),
            Err(e) => out.push(format!("{schema} does not compile: {e}")),
        }
    }
    out
}
