//! Readers that turn other documents into contracts: `daodao-check import apidoc PATH --out DIR [--force]`.
//!
//! `import apidoc` reads a markdown API doc in the style of 小程序端API.md ([`apidoc`] has its shape) and
//! writes one contract skeleton per endpoint, `DIR/<module>/<name>.json`, in the format of
//! `contracts/README.md`:
//!
//! - `module`, `name` (the Chinese name) and `phase` come from `DIR/plan.toml` when the plan lists the route;
//!   otherwise `phase` is 0, `module` is the path's first segment after the prefix and `name` the `###`
//!   heading's name. The file name follows [`naming`] (`GET /vehicles/{id}` → `vehicles/detail.json`).
//! - `auth` is `user` when the section has `**请求头**: Authorization: Bearer …`, else `none`.
//! - Request schemas come from the parameter list (`GET` → `query`, as strings like every query value;
//!   else `body`; `{param}`s in the path → `path_params`) or from the JSON request example; the response
//!   schema is the example's `data`, inferred as [`infer`] says; `example` holds literals that validate
//!   against those schemas; `errors` is empty. Output is pretty-printed JSON (2-space indent, trailing newline).
//! - A response given only as prose gets a permissive `data` schema and a note; “同注册接口” (“the same as
//!   the registration endpoint”) and “与创建订单相同的参数” reuse the named sibling's response / request
//!   (same chapter first). A `multipart/form-data` upload gets `"body_format": "multipart"` and its file fields `"format": "binary"`.
//!   A note such as `> couponId 为可选字段` makes that field optional.
//! - An endpoint the out dir already describes (same `METHOD path`, whatever the file is called) or whose
//!   file exists is skipped, unless `--force`, which rewrites that file. The same route twice in the doc:
//!   the first wins, the others are reported.
//!
//! Everything that could not be read is reported with the doc's line number and is a warning, not a failure:
//! the exit code is 0 unless the doc cannot be read at all (or has no endpoint) or a file cannot be written (2).

pub mod apidoc;
pub mod infer;
pub mod naming;
pub mod skeleton;

use crate::error::{Error, Result};
use crate::plan::Plan;
use apidoc::{DocEndpoint, Issue};
use serde_json::{json, Map, Value};
use skeleton::{Built, Part};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The prefix endpoints are written with when no plan says otherwise.
pub const DEFAULT_PREFIX: &str = "/api/v1";

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    /// The doc's file name, as messages name it.
    pub doc: String,
    pub out_dir: PathBuf,
    /// Distinct `METHOD path` endpoints found.
    pub endpoints: usize,
    pub written: Vec<PathBuf>,
    /// Not written because the contract exists (no `--force`).
    pub skipped: Vec<PathBuf>,
    /// What could not be read, by doc line (0 = not tied to a line).
    pub warnings: Vec<Issue>,
    /// Remarks: prose responses, reused siblings, uploads, names taken, routes not in the plan.
    pub notes: Vec<Issue>,
    /// Files that could not be written.
    pub errors: Vec<String>,
}

impl Summary {
    fn at(&self, issue: &Issue) -> String {
        if issue.line == 0 {
            format!("{}: {}", self.doc, issue.message)
        } else {
            format!("{}:{}: {}", self.doc, issue.line, issue.message)
        }
    }

    /// The report printed after an import.
    pub fn render(&self) -> String {
        let mut out = format!(
            "import apidoc: {} → {}: {} endpoint(s)\n",
            self.doc,
            self.out_dir.display(),
            self.endpoints
        );
        for f in &self.written {
            out.push_str(&format!("wrote {}\n", f.display()));
        }
        for f in &self.skipped {
            out.push_str(&format!("skipped (exists) {}\n", f.display()));
        }
        for w in &self.warnings {
            out.push_str(&format!("warning: {}\n", self.at(w)));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {}\n", self.at(n)));
        }
        for e in &self.errors {
            out.push_str(&format!("error: {e}\n"));
        }
        out.push_str(&format!(
            "{} endpoint(s): {} written, {} skipped (exist{}), {} not parsed (warnings), {} note(s)\n",
            self.endpoints,
            self.written.len(),
            self.skipped.len(),
            if self.skipped.is_empty() {
                ""
            } else {
                "; --force overwrites"
            },
            self.warnings.len(),
            self.notes.len()
        ));
        out
    }
}

/// Reads `doc` and writes the contract skeletons into `out_dir`.
pub fn import_apidoc(doc: &Path, out_dir: &Path, force: bool) -> Result<Summary> {
    let bytes = std::fs::read(doc).map_err(|e| Error::file(doc, format!("cannot read: {e}")))?;
    let text =
        String::from_utf8(bytes).map_err(|e| Error::file(doc, format!("not UTF-8 text: {e}")))?;
    let mut summary = Summary {
        doc: doc
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| doc.display().to_string()),
        out_dir: out_dir.to_path_buf(),
        ..Summary::default()
    };
    let plan = if out_dir.join(crate::plan::FILE_NAME).is_file() {
        match Plan::load(out_dir) {
            Ok(p) => Some(p),
            Err(e) => {
                summary.warnings.push(Issue {
                    line: 0,
                    message: format!(
                        "{e}; importing without the plan (phase 0, modules from paths)"
                    ),
                });
                None
            }
        }
    } else {
        None
    };
    let prefix = plan
        .as_ref()
        .map_or(DEFAULT_PREFIX.to_string(), |p| p.prefix.clone());
    let parsed = apidoc::parse(&text, &prefix);
    summary.warnings.extend(parsed.warnings);
    if parsed.endpoints.is_empty() {
        return Err(Error::file(
            doc,
            format!("no endpoint found (no readable `**接口**: `METHOD {prefix}/…`` line)"),
        ));
    }

    // The same route twice: the first wins.
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut unique: Vec<&DocEndpoint> = vec![];
    for ep in &parsed.endpoints {
        let spelling = ep.spelling(&prefix);
        match first.get(&spelling) {
            Some(line) => summary.warnings.push(Issue {
                line: ep.line,
                message: format!(
                    "duplicate endpoint `{spelling}` (first at line {line}); this one is ignored"
                ),
            }),
            None => {
                first.insert(spelling, ep.line);
                unique.push(ep);
            }
        }
    }
    summary.endpoints = unique.len();

    let mut built: Vec<Built> = unique
        .iter()
        .map(|ep| skeleton::build(ep, &prefix, &mut summary.warnings, &mut summary.notes))
        .collect();
    resolve_references(&unique, &mut built, &prefix, &mut summary.notes);

    let existing = Existing::scan(out_dir);
    if plan.is_none() {
        summary.notes.push(Issue {
            line: 0,
            message: format!(
                "no usable {} in {}: every contract gets phase 0, its module from the path and its name from the heading",
                crate::plan::FILE_NAME,
                out_dir.display()
            ),
        });
    }
    let mut claimed: HashSet<String> = HashSet::new();
    for (ep, b) in unique.iter().zip(&built) {
        let spelling = ep.spelling(&prefix);
        let (phase, module, name) = match plan
            .as_ref()
            .and_then(|p| p.endpoints().find(|(_, e)| e.endpoint == spelling))
        {
            Some((phase, entry)) => (phase.number, entry.module.clone(), entry.name.clone()),
            None => {
                let module = naming::module_of(&ep.path);
                if plan.is_some() {
                    summary.notes.push(Issue {
                        line: ep.line,
                        message: format!(
                            "`{spelling}` is not in {}: phase 0, module `{module}`",
                            crate::plan::FILE_NAME
                        ),
                    });
                }
                (0, module, ep.title.clone())
            }
        };
        let route = format!("{} {}", ep.method, ep.path);
        let (file, id) = match existing.by_route.get(&route) {
            Some(f) => (f.clone(), id_of_file(f)),
            None => {
                let stem = naming::contract_name(&ep.method, &ep.path, &module);
                let mut candidate = stem.clone();
                let mut k = 1;
                loop {
                    let id = format!("{module}.{candidate}");
                    let file = out_dir.join(&module).join(format!("{candidate}.json"));
                    let other_route =
                        matches!(existing.routes.get(&file), Some(Some(r)) if *r != route);
                    if !claimed.contains(&id) && !other_route {
                        if candidate != stem {
                            summary.notes.push(Issue {
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
        if file.exists() && !force {
            summary.skipped.push(file);
            continue;
        }
        let contract = contract_json(&id, ep, phase, &module, &name, b);
        for problem in self_check(&contract) {
            summary.warnings.push(Issue {
                line: ep.line,
                message: format!("{spelling}: the generated example does not validate: {problem}"),
            });
        }
        let mut text = serde_json::to_string_pretty(&contract).unwrap_or_default();
        text.push('\n');
        match crate::error::write_atomic(&file, text.as_bytes()) {
            Ok(()) => summary.written.push(file),
            Err(e) => summary.errors.push(e.to_string()),
        }
    }
    summary.warnings.sort();
    summary.notes.sort();
    Ok(summary)
}

/// “同注册接口” and friends: reuse a sibling's own response / request; anything else in prose is noted.
fn resolve_references(
    eps: &[&DocEndpoint],
    built: &mut [Built],
    prefix: &str,
    notes: &mut Vec<Issue>,
) {
    let own: Vec<Built> = built.to_vec();
    let reuse_note =
        |ep: &DocEndpoint, what: &str, prose: &apidoc::Located, target: &DocEndpoint| Issue {
            line: prose.line,
            message: format!(
                "{}: {what} “{}” reuses {} {} (line {})",
                ep.spelling(prefix),
                prose.text,
                target.number,
                target.title,
                target.line
            ),
        };
    for (i, ep) in eps.iter().enumerate() {
        let spelling = ep.spelling(prefix);
        if built[i].data.is_none() {
            let mut resolved = false;
            if let Some(prose) = &ep.response_prose {
                if let Some(name) = skeleton::reference(&prose.text) {
                    if let Some(j) = skeleton::candidates(&name, i, eps)
                        .into_iter()
                        .find(|j| own[*j].data.is_some())
                    {
                        built[i].data = own[j].data.clone();
                        built[i].code = own[j].code.clone();
                        built[i].message = own[j].message.clone();
                        notes.push(reuse_note(ep, "response", prose, eps[j]));
                        resolved = true;
                    }
                }
            }
            if !resolved {
                let message = match (&ep.response_prose, &ep.response_json) {
                    (Some(p), _) => format!(
                        "response given only as prose (“{}”): data schema is permissive",
                        p.text
                    ),
                    (None, None) => "no response format: data schema is permissive".to_string(),
                    // A JSON block that did not parse is a warning already.
                    (None, Some(_)) => String::new(),
                };
                if !message.is_empty() {
                    notes.push(Issue {
                        line: ep.response_prose.as_ref().map_or(ep.line, |p| p.line),
                        message: format!("{spelling}: {message}"),
                    });
                }
                built[i].data = Some(Part {
                    schema: json!({
                        "description": "文档未给出 JSON 响应示例，待补充"
                    }),
                    example: json!({}),
                });
            }
        }
        if let Some(prose) = &ep.request_prose {
            let get = ep.method == "GET";
            let has_part = |b: &Built| {
                if get {
                    b.query.is_some()
                } else {
                    b.body.is_some()
                }
            };
            let target = skeleton::reference(&prose.text).and_then(|name| {
                skeleton::candidates(&name, i, eps)
                    .into_iter()
                    .find(|j| has_part(&own[*j]))
            });
            match target {
                Some(j) if !has_part(&built[i]) => {
                    if get {
                        built[i].query = own[j].query.clone();
                    } else {
                        built[i].body = own[j].body.clone();
                    }
                    notes.push(reuse_note(ep, "request", prose, eps[j]));
                }
                Some(_) => {}
                None => notes.push(Issue {
                    line: prose.line,
                    message: format!(
                        "{spelling}: request parameters given only as prose (“{}”): no request schema",
                        prose.text
                    ),
                }),
            }
        }
    }
}

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
struct Existing {
    /// `METHOD /path` → file.
    by_route: HashMap<String, PathBuf>,
    /// Every `*.json` file under a module directory, with the route it describes if readable.
    routes: HashMap<PathBuf, Option<String>>,
}

impl Existing {
    fn scan(out_dir: &Path) -> Existing {
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
}

/// The contract, keys in the order of contracts/README.md.
fn contract_json(
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
        json!(if ep.auth_user { "user" } else { "none" }),
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
fn self_check(contract: &Value) -> Vec<String> {
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
