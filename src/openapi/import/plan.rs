//! The out dir's `plan.toml`: written when there is none (so the contracts lint), else only given the
//! modules it lacks, appended as text so its comments stay.

use super::write::Placed;
use super::{Issue, Summary};
use crate::openapi::OpenApiError;
use crate::plan::{phase_label, Plan, FILE_NAME};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What the plan is made from.
pub(super) struct PlanInput {
    /// The path every endpoint is written with in the plan (the first server's path).
    pub prefix: String,
    /// Module id → name, in the order they are first met (tags first).
    pub modules: Vec<(String, String)>,
    /// Phase number → name, listed ones (`x-daodao-phases`) first.
    pub phases: Vec<(u64, String)>,
    /// (phase, `METHOD prefix/path`, name, module) of every contract.
    pub endpoints: Vec<(u64, String, String, String)>,
}

impl PlanInput {
    pub(super) fn from_doc(doc: &Value, placed: &[Placed]) -> PlanInput {
        let prefix = server_path(doc);
        let tag_names: BTreeMap<String, String> = doc
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let name = t.get("name")?.as_str()?;
                let description = t.get("description").and_then(Value::as_str).unwrap_or(name);
                Some((crate::import::naming::kebab(name), description.to_string()))
            })
            .collect();
        let mut modules: Vec<(String, String)> = vec![];
        let mut add_module = |id: &str| {
            if !modules.iter().any(|(m, _)| m == id) {
                let name = tag_names.get(id).cloned().unwrap_or_else(|| id.to_string());
                modules.push((id.to_string(), name));
            }
        };
        // Tags in the document's order, then modules only paths name.
        for t in doc
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = t.get("name").and_then(Value::as_str) {
                let id = crate::import::naming::kebab(name);
                if placed.iter().any(|p| field(p, "module") == id) {
                    add_module(&id);
                }
            }
        }
        let mut endpoints = vec![];
        for p in placed {
            add_module(field(p, "module"));
            let phase = p.fields.get("phase").and_then(Value::as_u64).unwrap_or(0);
            let spelling = format!("{} {prefix}{}", field(p, "method"), field(p, "path"));
            endpoints.push((
                phase,
                spelling,
                field(p, "name").to_string(),
                field(p, "module").to_string(),
            ));
        }
        let mut phases: Vec<(u64, String)> = doc
            .get("x-daodao-phases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some((
                    p.get("number")?.as_u64()?,
                    p.get("name")?.as_str()?.to_string(),
                ))
            })
            .collect();
        let mut used: Vec<u64> = endpoints.iter().map(|e| e.0).collect();
        used.sort_unstable();
        used.dedup();
        for n in used {
            if !phases.iter().any(|(m, _)| *m == n) {
                phases.push((n, phase_label(n as u8)));
            }
        }
        PlanInput {
            prefix,
            modules,
            phases,
            endpoints,
        }
    }
}

fn field<'p>(p: &'p Placed, key: &str) -> &'p str {
    p.fields.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The path of the first server's URL (`https://host/api/v3` → `/api/v3`), without a trailing `/`.
fn server_path(doc: &Value) -> String {
    let url = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("");
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    path.trim_end_matches('/').to_string()
}

/// Writes a new plan, or appends the modules an existing one lacks.
pub(super) fn update(
    out_dir: &Path,
    input: &PlanInput,
    summary: &mut Summary,
) -> Result<(), OpenApiError> {
    let path = out_dir.join(FILE_NAME);
    let write = |text: &str| {
        crate::atomic::write(&path, text.as_bytes()).map_err(|e| OpenApiError::Write {
            path: path.clone(),
            message: e.to_string(),
        })
    };
    if !path.exists() {
        write(&new_plan(input, &summary.source))?;
        summary.written.push(path.clone());
        return Ok(());
    }
    let plan = match Plan::load(out_dir) {
        Ok(p) => p,
        Err(e) => {
            summary.warnings.push(Issue {
                pointer: String::new(),
                message: format!("{e}; its modules were not updated"),
            });
            return Ok(());
        }
    };
    let missing: Vec<&(String, String)> = input
        .modules
        .iter()
        .filter(|(id, _)| plan.module_name(id).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut text = std::fs::read_to_string(&path).map_err(|e| OpenApiError::Write {
        path: path.clone(),
        message: e.to_string(),
    })?;
    text.push_str(&format!(
        "\n# Modules added by `import openapi` from {}.\n",
        summary.source
    ));
    for (id, name) in &missing {
        text.push_str(&format!(
            "\n[[module]]\nid = {}\nname = {}\n",
            quoted(id),
            quoted(name)
        ));
    }
    write(&text)?;
    summary.notes.push(Issue {
        pointer: "/tags".into(),
        message: format!(
            "{} gained module(s) {}",
            path.display(),
            missing
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    Ok(())
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn new_plan(input: &PlanInput, source: &str) -> String {
    let mut t = format!(
        "# The plan of the contracts imported by `daodao-check import openapi` from {source}.\n\nprefix = {}\n",
        quoted(&input.prefix)
    );
    for (id, name) in &input.modules {
        t.push_str(&format!(
            "\n[[module]]\nid = {}\nname = {}\n",
            quoted(id),
            quoted(name)
        ));
    }
    for (number, name) in &input.phases {
        let endpoints: Vec<&(u64, String, String, String)> =
            input.endpoints.iter().filter(|e| e.0 == *number).collect();
        let mut modules: Vec<&str> = vec![];
        for e in &endpoints {
            if !modules.contains(&e.3.as_str()) {
                modules.push(&e.3);
            }
        }
        let modules: Vec<String> = modules.iter().map(|m| quoted(m)).collect();
        t.push_str(&format!(
            "\n[[phase]]\nnumber = {number}\nname = {}\ntable_name = {}\npriority = 0\nmodules = [{}]\nendpoints = [\n",
            quoted(name),
            quoted(name),
            modules.join(", ")
        ));
        for (_, spelling, name, module) in endpoints {
            t.push_str(&format!(
                "  {{ endpoint = {}, name = {}, module = {} }},\n",
                quoted(spelling),
                quoted(name),
                quoted(module)
            ));
        }
        t.push_str("]\n");
    }
    t
}
