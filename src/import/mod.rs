//! Readers that turn other documents into contracts: `daodao-check import apidoc PATH --out DIR [--force]`.
//!
//! `import apidoc` reads a markdown API doc in the style of 小程序端API.md ([`crate::docs::api`] has its shape) and
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

pub mod doc_endpoint;
pub mod infer;
pub mod naming;
mod output;
mod references;
pub mod skeleton;

use crate::docs::api::ApiDoc;
use crate::docs::DocFileError;

/// Why an import cannot be made (the doc cannot be read, or holds nothing to import).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Document(#[from] DocFileError),
    #[error("{}: no endpoint found (no readable `**接口**: `METHOD {prefix}/…`` line)", path.display())]
    NoEndpoint { path: PathBuf, prefix: String },
}

type Result<T, E = ImportError> = std::result::Result<T, E>;
use crate::plan::Plan;
pub use doc_endpoint::Issue;
use doc_endpoint::{doc_endpoints, DocEndpoint, DocEndpoints};
use output::Existing;
use skeleton::Built;
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
    let text = crate::docs::read_text(doc)?;
    let mut summary = Summary {
        doc: doc
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| doc.display().to_string()),
        out_dir: out_dir.to_path_buf(),
        ..Summary::default()
    };
    let plan = load_plan(out_dir, &mut summary);
    let prefix = plan
        .as_ref()
        .map_or(DEFAULT_PREFIX.to_string(), |p| p.prefix.clone());
    let parsed = doc_endpoints(ApiDoc::parse(&text), &prefix);
    if parsed.endpoints.is_empty() {
        return Err(ImportError::NoEndpoint {
            path: doc.to_path_buf(),
            prefix,
        });
    }
    summary.warnings.extend(parsed.warnings.iter().cloned());
    let unique = first_of_each_route(&parsed, &prefix, &mut summary.warnings);
    summary.endpoints = unique.len();

    let mut built: Vec<Built> = unique
        .iter()
        .map(|ep| skeleton::build(ep, &prefix, &mut summary.warnings, &mut summary.notes))
        .collect();
    references::resolve_references(&unique, &mut built, &prefix, &mut summary.notes);

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
    let existing = Existing::scan(out_dir);
    let mut claimed: HashSet<String> = HashSet::new();
    for (ep, b) in unique.iter().zip(&built) {
        let (phase, module, name) = placement(plan.as_ref(), ep, &prefix, &mut summary.notes);
        let (file, id) = existing.claim(out_dir, ep, &module, &mut claimed, &mut summary.notes);
        if file.exists() && !force {
            summary.skipped.push(file);
            continue;
        }
        let contract = output::contract_json(&id, ep, phase, &module, &name, b);
        for problem in output::self_check(&contract) {
            summary.warnings.push(Issue {
                line: ep.line,
                message: format!(
                    "{}: the generated example does not validate: {problem}",
                    ep.spelling(&prefix)
                ),
            });
        }
        let mut text = serde_json::to_string_pretty(&contract).unwrap_or_default();
        text.push('\n');
        match crate::atomic::write(&file, text.as_bytes()) {
            Ok(()) => summary.written.push(file),
            Err(e) => summary.errors.push(e.to_string()),
        }
    }
    summary.warnings.sort();
    summary.notes.sort();
    Ok(summary)
}

/// The plan in the out dir, when there is one; one that cannot be read is a warning.
fn load_plan(out_dir: &Path, summary: &mut Summary) -> Option<Plan> {
    if !out_dir.join(crate::plan::FILE_NAME).is_file() {
        return None;
    }
    match Plan::load(out_dir) {
        Ok(p) => Some(p),
        Err(e) => {
            summary.warnings.push(Issue {
                line: 0,
                message: format!("{e}; importing without the plan (phase 0, modules from paths)"),
            });
            None
        }
    }
}

/// The same route twice: the first wins, the others are warnings.
fn first_of_each_route<'d>(
    parsed: &'d DocEndpoints,
    prefix: &str,
    warnings: &mut Vec<Issue>,
) -> Vec<&'d DocEndpoint> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut unique = vec![];
    for ep in &parsed.endpoints {
        let spelling = ep.spelling(prefix);
        match first.get(&spelling) {
            Some(line) => warnings.push(Issue {
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
    unique
}

/// Phase, module and name: the plan's when it lists the route, else phase 0, the path's module
/// and the heading's name (noted when there is a plan).
fn placement(
    plan: Option<&Plan>,
    ep: &DocEndpoint,
    prefix: &str,
    notes: &mut Vec<Issue>,
) -> (u8, String, String) {
    let spelling = ep.spelling(prefix);
    if let Some((phase, entry)) =
        plan.and_then(|p| p.endpoints().find(|(_, e)| e.endpoint == spelling))
    {
        return (phase.number, entry.module.clone(), entry.name.clone());
    }
    let module = naming::module_of(&ep.path);
    if plan.is_some() {
        notes.push(Issue {
            line: ep.line,
            message: format!(
                "`{spelling}` is not in {}: phase 0, module `{module}`",
                crate::plan::FILE_NAME
            ),
        });
    }
    (0, module, ep.section.title.clone())
}
