//! `export openapi`: the catalogue as one OpenAPI 3.1 document.
//!
//! Every contract is an operation (skipped ones too, marked `x-daodao-skip`), keyed by its path and
//! method; shared schemas are components. The order is fixed (paths sorted, methods in OpenAPI's order,
//! tags in the plan's module order, components by file then definition order), so the document can be
//! committed and diffed.

mod operation;
pub(crate) mod responses;
mod schema;

use super::names::{self, COMPONENTS, ENVELOPE};
use super::OpenApiError;
use crate::catalog::Catalog;
use crate::config::EnvelopeConfig;
use crate::contract::Contract;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The OpenAPI version written.
pub const OPENAPI_VERSION: &str = "3.1.0";
/// The name of the bearer security scheme.
pub const BEARER: &str = "bearerAuth";
/// Methods in the order OpenAPI's path item lists them.
pub const METHOD_ORDER: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// A server of the document: one configured environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub url: String,
}

/// The shared schema documents (`_schemas/<file>.json`), by file name without `.json`, sorted.
#[derive(Debug, Clone, Default)]
pub struct SharedSchemas(pub BTreeMap<String, Value>);

impl SharedSchemas {
    /// Reads `dir/*.json` (the catalogue has already validated them).
    pub fn load(dir: &Path) -> Result<SharedSchemas, OpenApiError> {
        let mut out = BTreeMap::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(_) => return Ok(SharedSchemas(out)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let source = |message: String| OpenApiError::Source {
                file: path.display().to_string(),
                place: String::new(),
                message,
            };
            let text = std::fs::read_to_string(&path).map_err(|e| source(e.to_string()))?;
            let doc: Value = serde_json::from_str(&text).map_err(|e| source(e.to_string()))?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            out.insert(stem, doc);
        }
        Ok(SharedSchemas(out))
    }

    /// The schema a `$ref` names, with the file it lives in; `base` is the file the ref is written in.
    pub fn resolve<'s>(&'s self, r: &str, base: Option<&'s str>) -> Option<(&'s Value, &'s str)> {
        let (file, pointer) = r.split_once('#').unwrap_or((r, ""));
        let file = file.rsplit('/').next().unwrap_or(file);
        let stem = match file.strip_suffix(".json") {
            Some(s) => s,
            None if file.is_empty() => base?,
            None => return None,
        };
        let (stem, doc) = self.0.get_key_value(stem)?;
        Some((doc.pointer(pointer)?, stem.as_str()))
    }
}

/// Everything the document is made from.
pub struct Sources<'a> {
    pub catalog: &'a Catalog,
    pub envelope: &'a EnvelopeConfig,
    pub servers: Vec<Server>,
    pub shared: SharedSchemas,
}

/// The whole document.
pub fn export(src: &Sources) -> Result<Value, OpenApiError> {
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!(OPENAPI_VERSION));
    doc.insert("info".into(), info(src));
    doc.insert(
        "servers".into(),
        Value::Array(
            src.servers
                .iter()
                .map(|s| json!({"url": s.url, "description": format!("environment `{}`", s.name)}))
                .collect(),
        ),
    );
    doc.insert("tags".into(), tags(src.catalog));
    doc.insert("paths".into(), paths(src)?);
    doc.insert("components".into(), components(src)?);
    let phases: Vec<Value> = src
        .catalog
        .plan
        .phases
        .iter()
        .map(|p| json!({"number": p.number, "name": p.name}))
        .collect();
    doc.insert("x-daodao-phases".into(), Value::Array(phases));
    Ok(Value::Object(doc))
}

fn info(src: &Sources) -> Value {
    let e = src.envelope;
    json!({
        "title": "叨叨房车 API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": format!(
            "The daodao API as its contracts describe it ({} operations), written by daodao-check's \
             `export openapi`. Every answer is the envelope `{{{}, {}, {}}}`: `{}` {} is success, `{}` holds the \
             answer; an error's `{}` is its code (400, 401, 404 …). Operations marked `x-daodao-skip` are \
             described but not run by daodao-check.",
            src.catalog.contracts.len(), e.code, e.message, e.data, e.code, e.success, e.data, e.code
        ),
    })
}

/// One tag per plan module (its name as the description), in the plan's order, for modules that
/// have contracts.
fn tags(catalog: &Catalog) -> Value {
    Value::Array(
        catalog
            .plan
            .modules
            .iter()
            .filter(|m| catalog.contracts.iter().any(|c| c.module == m.id))
            .map(|m| json!({"name": m.id, "description": m.name}))
            .collect(),
    )
}

fn paths(src: &Sources) -> Result<Value, OpenApiError> {
    let mut by_path: BTreeMap<&str, Vec<&Contract>> = BTreeMap::new();
    for c in &src.catalog.contracts {
        by_path.entry(c.path.as_str()).or_default().push(c);
    }
    let mut out = Map::new();
    for (path, mut contracts) in by_path {
        contracts.sort_by_key(|c| method_rank(&c.method));
        let mut item = Map::new();
        for c in contracts {
            item.insert(c.method.to_ascii_lowercase(), operation::operation(c, src)?);
        }
        out.insert(path.to_string(), Value::Object(item));
    }
    Ok(Value::Object(out))
}

fn method_rank(method: &str) -> usize {
    let m = method.to_ascii_lowercase();
    METHOD_ORDER
        .iter()
        .position(|x| *x == m)
        .unwrap_or(METHOD_ORDER.len())
}

/// `Envelope`, then every shared definition as `<file>.<name>`, and the bearer scheme.
fn components(src: &Sources) -> Result<Value, OpenApiError> {
    let e = src.envelope;
    let mut schemas = Map::new();
    schemas.insert(
        ENVELOPE.into(),
        json!({
            "type": "object",
            "description": "The envelope of every answer.",
            "required": [e.code, e.message, e.data],
            "properties": {
                e.code.clone(): {"type": "integer", "description": format!("{} is success", e.success)},
                e.message.clone(): {"type": "string"},
                e.data.clone(): {"description": "The answer; its schema is the operation's."}
            }
        }),
    );
    for (file, doc) in &src.shared.0 {
        let Some(defs) = doc.get("$defs").and_then(Value::as_object) else {
            continue;
        };
        for (def, schema) in defs {
            let name = names::component_name(file, def);
            if !names::is_valid_component(&name) {
                return Err(OpenApiError::Source {
                    file: format!("_schemas/{file}.json"),
                    place: format!("$defs/{def}"),
                    message: format!("`{name}` is not a valid component name ([A-Za-z0-9._-])"),
                });
            }
            let rewritten =
                names::to_components(schema, Some(file)).map_err(|p| OpenApiError::Source {
                    file: format!("_schemas/{file}.json"),
                    place: format!("/$defs/{def}{}", p.pointer),
                    message: p.message,
                })?;
            schemas.insert(name, rewritten);
        }
    }
    Ok(json!({
        "schemas": schemas,
        "securitySchemes": {
            BEARER: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The access token of a login: `Authorization: Bearer <token>`."
            }
        }
    }))
}

/// The `$ref` object of a component.
pub fn component_ref(name: &str) -> Value {
    json!({ "$ref": format!("{COMPONENTS}{name}") })
}
