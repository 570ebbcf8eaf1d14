//! `import openapi FILE|URL --out DIR [--envelope auto|none] [--force]`: an OpenAPI 3.0 or 3.1 document
//! (JSON or YAML) as contracts.
//!
//! - The document and every file its `$ref`s name are read ([`load`]); schemas become shared schemas
//!   (`DIR/_schemas/<file>.json`, by the rule of [`crate::openapi::names`]), every other reference is
//!   inlined. 3.0's `nullable` and boolean bounds are rewritten as JSON Schema 2020-12 ([`schema`]).
//! - Each operation is a contract `DIR/<module>/<name>.json` ([`operation`], [`answers`]): the module
//!   is its first tag (else the path's first segment), the name its operationId (else the naming rule
//!   of `import apidoc`), `auth` from its security, examples from the document's `example(s)` or made
//!   from the schema ([`example`]). With `--envelope auto` a success schema shaped like the configured
//!   envelope is unwrapped to its `data`; otherwise the whole answer is `data`.
//! - `DIR/plan.toml` is written when there is none (modules from the tags, phases from
//!   `x-daodao-phase`); an existing plan only gains the modules it lacks ([`plan`]).
//! - Nothing is overwritten without `--force`. What a contract cannot say is a warning naming its JSON
//!   Pointer in the document; nothing is dropped silently.

mod answers;
mod example;
mod load;
mod operation;
mod plan;
mod schema;
mod write;

use super::export::METHOD_ORDER;
use super::names::{self, COMPONENTS};
use super::{pointer_token, OpenApiError};
use crate::config::EnvelopeConfig;
use crate::import::naming;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Whether a success schema shaped like the envelope is unwrapped to its `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvelopeMode {
    Auto,
    None,
}

/// Something the import could not carry over, at a JSON Pointer of the document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Issue {
    pub pointer: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    pub source: String,
    pub out_dir: PathBuf,
    pub operations: usize,
    pub written: Vec<PathBuf>,
    /// Not written because the file exists (no `--force`).
    pub skipped: Vec<PathBuf>,
    pub warnings: Vec<Issue>,
    pub notes: Vec<Issue>,
}

impl Summary {
    pub fn render(&self) -> String {
        let mut out = format!(
            "import openapi: {} → {}: {} operation(s)\n",
            self.source,
            self.out_dir.display(),
            self.operations
        );
        for f in &self.written {
            out.push_str(&format!("wrote {}\n", f.display()));
        }
        for f in &self.skipped {
            out.push_str(&format!("skipped (exists) {}\n", f.display()));
        }
        for (kind, list) in [("warning", &self.warnings), ("note", &self.notes)] {
            for i in list {
                let at = if i.pointer.is_empty() {
                    "#"
                } else {
                    &i.pointer
                };
                out.push_str(
                    &format!("{kind}: {}#{at}: {}\n", self.source, i.message).replace("##", "#"),
                );
            }
        }
        out.push_str(&format!(
            "{} operation(s): {} file(s) written, {} skipped (exist{}), {} warning(s), {} note(s)\n",
            self.operations,
            self.written.len(),
            self.skipped.len(),
            if self.skipped.is_empty() { "" } else { "; --force overwrites" },
            self.warnings.len(),
            self.notes.len()
        ));
        out
    }
}

/// The envelope's names, and the success envelope around a `data`.
pub(super) struct Envelope<'a> {
    pub config: &'a EnvelopeConfig,
}

impl Envelope<'_> {
    fn wrap(&self, data: Value) -> Value {
        let c = self.config;
        json!({c.code.clone(): c.success, c.message.clone(): "success", c.data.clone(): data})
    }

    /// An example that is an envelope, as a success; anything else wrapped.
    fn as_success(&self, example: Value) -> Value {
        match example {
            Value::Object(mut o)
                if schema::is_envelope_value(&Value::Object(o.clone()), self.config) =>
            {
                o.insert(self.config.code.clone(), json!(self.config.success));
                Value::Object(o)
            }
            other => self.wrap(other),
        }
    }
}

/// What every operation's conversion reads and reports into.
pub(super) struct Ctx<'a> {
    pub doc: &'a Value,
    /// The document's component schemas, 3.0 dialect already rewritten.
    pub components: &'a Map<String, Value>,
    pub envelope: Envelope<'a>,
    pub unwrap: bool,
    /// The shared file of components without a `<file>.` part.
    pub shared_file: String,
    warnings: Vec<Issue>,
    notes: Vec<Issue>,
    /// Components the contracts' schemas name.
    referenced: BTreeSet<String>,
    /// Security schemes already warned about.
    warned_schemes: BTreeSet<String>,
}

impl Ctx<'_> {
    fn warn(&mut self, pointer: &str, message: String) {
        self.warnings.push(Issue {
            pointer: pointer.into(),
            message,
        });
    }

    fn note(&mut self, pointer: &str, message: String) {
        self.notes.push(Issue {
            pointer: pointer.into(),
            message,
        });
    }

    /// The first tag, else the path's first segment, kebab-cased.
    fn module_of(&self, op: &Map<String, Value>, path: &str) -> String {
        op.get("tags")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(Value::as_str)
            .map(naming::kebab)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| naming::module_of(path))
    }

    fn is_bearer(&self, scheme: &str) -> bool {
        let s = self.doc.pointer(&format!(
            "/components/securitySchemes/{}",
            pointer_token(scheme)
        ));
        s.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("http")
            && s.and_then(|s| s.get("scheme"))
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case("bearer"))
    }

    /// A contract schema with its component refs pointing at the shared files.
    fn shared(&mut self, schema: &Value, place: &str) -> Value {
        collect_refs(schema, &mut self.referenced);
        match names::to_shared(schema, None, &self.shared_file) {
            Ok(s) => s,
            Err(p) => {
                self.warn(
                    place,
                    format!("{}; the schema is left permissive", p.message),
                );
                json!({})
            }
        }
    }
}

/// Every component name a schema's `$ref`s name.
pub(super) fn collect_refs(v: &Value, into: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            if let Some(name) = o
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(COMPONENTS))
            {
                into.insert(name.to_string());
            }
            o.values().for_each(|x| collect_refs(x, into));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, into)),
        _ => {}
    }
}

/// Reads `source` (a file path or an http(s) URL) and writes its contracts into `out_dir`.
pub fn import_openapi(
    source: &str,
    out_dir: &Path,
    mode: EnvelopeMode,
    envelope: &EnvelopeConfig,
    force: bool,
) -> Result<Summary, OpenApiError> {
    let failed = |message: String| OpenApiError::Document {
        source_name: source.to_string(),
        message,
    };
    let location = load::Location::parse(source).map_err(failed)?;
    let raw = location.read().map_err(failed)?;
    let version = raw.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        return Err(failed(format!(
            "not an OpenAPI 3.0 or 3.1 document (`openapi: {version}`); Swagger 2.0 can be converted first"
        )));
    }
    let shared_file = location.shared_file();
    let (doc, load_warnings) = load::Bundler::bundle(location, raw);
    let components: Map<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), schema::normalize(v)))
                .collect()
        })
        .unwrap_or_default();
    let mut ctx = Ctx {
        doc: &doc,
        components: &components,
        envelope: Envelope { config: envelope },
        unwrap: mode == EnvelopeMode::Auto,
        shared_file: shared_file.clone(),
        warnings: load_warnings,
        notes: vec![],
        referenced: BTreeSet::new(),
        warned_schemes: BTreeSet::new(),
    };
    warn_unsupported(&doc, &mut ctx);
    let converted = convert_all(&doc, &mut ctx);
    if converted.is_empty() {
        return Err(failed("no operation found under `paths`".into()));
    }
    let mut summary = Summary {
        source: source.to_string(),
        out_dir: out_dir.to_path_buf(),
        operations: converted.len(),
        ..Summary::default()
    };
    let kept = write::kept_components(&converted, &components, &mut ctx);
    write::write_shared(&kept, &shared_file, out_dir, force, &mut summary)?;
    let placed = write::write_contracts(converted, out_dir, force, &mut summary)?;
    let plan = plan::PlanInput::from_doc(&doc, &placed);
    plan::update(out_dir, &plan, &mut summary)?;
    summary.warnings.extend(ctx.warnings);
    summary.notes.extend(ctx.notes);
    summary.warnings.sort();
    summary.notes.sort();
    Ok(summary)
}

/// Every operation of every path, paths in document order, methods in OpenAPI's order.
fn convert_all(doc: &Value, ctx: &mut Ctx) -> Vec<operation::Converted> {
    let mut out = vec![];
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let at = format!("/paths/{}", pointer_token(path));
        for (key, _) in item.iter() {
            let known = METHOD_ORDER.contains(&key.as_str())
                || matches!(
                    key.as_str(),
                    "parameters" | "summary" | "description" | "servers"
                )
                || key.starts_with("x-");
            if !known {
                ctx.warn(&format!("{at}/{}", pointer_token(key)), format!("`{key}` operations are not supported (GET, PUT, POST, DELETE, PATCH); left out"));
            } else if key == "servers" {
                ctx.warn(&format!("{at}/servers"), "per-path servers are not modelled; every contract uses the configured base URL".into());
            }
        }
        for method in METHOD_ORDER {
            let Some(op) = item.get(method).and_then(Value::as_object) else {
                continue;
            };
            let here = format!("{at}/{method}");
            for key in ["callbacks", "servers"] {
                if op.contains_key(key) {
                    ctx.warn(
                        &format!("{here}/{key}"),
                        format!("`{key}` are not part of a contract; left out"),
                    );
                }
            }
            out.push(operation::convert(method, path, item, op, &here, ctx));
        }
    }
    out
}

/// Document-level parts a catalogue has no place for.
fn warn_unsupported(doc: &Value, ctx: &mut Ctx) {
    if doc
        .get("webhooks")
        .and_then(Value::as_object)
        .is_some_and(|w| !w.is_empty())
    {
        ctx.warn(
            "/webhooks",
            "webhooks are not part of a contract; left out".into(),
        );
    }
    for (i, server) in doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if server.get("variables").is_some() {
            ctx.warn(
                &format!("/servers/{i}/variables"),
                "server variables are not modelled; set base_url in the config".into(),
            );
        }
    }
}
