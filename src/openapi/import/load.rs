//! Reading the document to import (a file, or an `http(s)://` URL) and bundling it: every `$ref` to
//! another file is brought in, and every reference that is not a component schema is inlined, so the
//! converter sees one document whose only `$ref`s are `#/components/schemas/<name>`.

use super::Issue;
use crate::openapi::names::COMPONENTS;
use crate::openapi::{parse_text, pointer_token};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// How deep references may nest before the import calls them circular.
const MAX_DEPTH: usize = 64;
/// A fetched document larger than this is refused.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// Where a document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Location {
    File(PathBuf),
    Url(reqwest::Url),
}

impl Location {
    pub(super) fn parse(source: &str) -> Result<Location, String> {
        let lower = source.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return reqwest::Url::parse(source)
                .map(Location::Url)
                .map_err(|e| format!("not a URL: {e}"));
        }
        if lower.contains("://") {
            return Err("only http:// and https:// URLs (or a file path) can be imported".into());
        }
        Ok(Location::File(PathBuf::from(source)))
    }

    /// The document a `$ref`'s file part names, relative to this one.
    fn join(&self, relative: &str) -> Result<Location, String> {
        if relative.is_empty() {
            return Ok(self.clone());
        }
        match self {
            Location::Url(u) => u
                .join(relative)
                .map_err(|e| format!("`{relative}`: {e}"))
                .and_then(|u| match u.scheme() {
                    "http" | "https" => Ok(Location::Url(u)),
                    s => Err(format!("`{relative}`: {s}:// cannot be fetched")),
                }),
            Location::File(p) => {
                if relative.contains("://") {
                    return Location::parse(relative);
                }
                let dir = p.parent().map(PathBuf::from).unwrap_or_default();
                Ok(Location::File(dir.join(relative)))
            }
        }
    }

    pub(super) fn name(&self) -> String {
        match self {
            Location::File(p) => p.display().to_string(),
            Location::Url(u) => u.to_string(),
        }
    }

    /// The file name without its extension: a component name for a whole-file schema.
    fn stem(&self) -> String {
        let last = match self {
            Location::File(p) => p
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            Location::Url(u) => u.path().rsplit('/').next().unwrap_or("").to_string(),
        };
        last.split('.').next().unwrap_or("").to_string()
    }

    /// The shared-schema file for the document's own component names: its file name without the
    /// extension, kebab-cased (`petstore-3.0.yaml` → `petstore-3-0`).
    pub(super) fn shared_file(&self) -> String {
        let last = match self {
            Location::File(p) => p
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            Location::Url(u) => u.path().rsplit('/').next().unwrap_or("").to_string(),
        };
        let stem = last.rsplit_once('.').map_or(last.as_str(), |(s, _)| s);
        let name = crate::import::naming::kebab(stem);
        if name.is_empty() {
            crate::openapi::names::DEFAULT_FILE.to_string()
        } else {
            name
        }
    }

    pub(super) fn read(&self) -> Result<Value, String> {
        let text = match self {
            Location::File(p) => std::fs::read(p)
                .map_err(|e| format!("cannot read: {e}"))
                .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_string()))?,
            Location::Url(u) => fetch(u)?,
        };
        parse_text(&text)
    }
}

fn fetch(url: &reqwest::Url) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the HTTP client: {e}"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| format!("cannot fetch: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("answered HTTP {}", response.status().as_u16()));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("cannot read the answer: {e}"))?;
        if bytes.len() > MAX_BYTES {
            return Err(format!("larger than {MAX_BYTES} bytes"));
        }
        String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8 text".to_string())
    })
}

/// Brings every referenced document into the root one.
pub(super) struct Bundler {
    root: Location,
    docs: HashMap<String, Value>,
    /// Component schemas brought in from other documents, by the name they got.
    added: Map<String, Value>,
    /// `location#pointer` → the component name it became.
    named: HashMap<String, String>,
    pub(super) warnings: Vec<Issue>,
}

impl Bundler {
    /// The root document with every reference resolved as the module says.
    pub(super) fn bundle(root: Location, doc: Value) -> (Value, Vec<Issue>) {
        let mut b = Bundler {
            docs: HashMap::from([(root.name(), doc.clone())]),
            root,
            added: Map::new(),
            named: HashMap::new(),
            warnings: vec![],
        };
        let base = b.root.clone();
        let mut out = b.walk(&doc, &base, "", false, 0);
        if !b.added.is_empty() {
            let schemas = out
                .as_object_mut()
                .map(|o| {
                    o.entry("components")
                        .or_insert_with(|| Value::Object(Map::new()))
                })
                .and_then(Value::as_object_mut)
                .map(|c| {
                    c.entry("schemas")
                        .or_insert_with(|| Value::Object(Map::new()))
                })
                .and_then(Value::as_object_mut);
            if let Some(schemas) = schemas {
                schemas.extend(std::mem::take(&mut b.added));
            }
        }
        (out, b.warnings)
    }

    fn walk(&mut self, v: &Value, base: &Location, at: &str, schema: bool, depth: usize) -> Value {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    return self.reference(r, o, base, at, schema, depth);
                }
                let mut out = Map::new();
                for (k, x) in o {
                    let here = format!("{at}/{}", pointer_token(k));
                    let child_schema = schema
                        || k == "schema"
                        || (at == "/components/schemas" && *base == self.root);
                    let value = if schema && is_data_keyword(k) {
                        x.clone()
                    } else {
                        self.walk(x, base, &here, child_schema, depth)
                    };
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| self.walk(x, base, &format!("{at}/{i}"), schema, depth))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A `$ref` object: kept (a component schema of the root), named (a schema of another document
    /// becomes a component), or replaced by its target. Sibling keys are kept.
    fn reference(
        &mut self,
        r: &str,
        object: &Map<String, Value>,
        base: &Location,
        at: &str,
        schema: bool,
        depth: usize,
    ) -> Value {
        let (file, fragment) = r.split_once('#').unwrap_or((r, ""));
        let fragment = percent_encoding::percent_decode_str(fragment)
            .decode_utf8_lossy()
            .to_string();
        let mut siblings = Map::new();
        for (k, x) in object.iter().filter(|(k, _)| *k != "$ref") {
            let here = format!("{at}/{}", pointer_token(k));
            siblings.insert(k.clone(), self.walk(x, base, &here, schema, depth));
        }
        let with_siblings = |mut v: Value, siblings: Map<String, Value>| {
            if let Value::Object(o) = &mut v {
                for (k, x) in siblings {
                    o.entry(k).or_insert(x);
                }
            }
            v
        };
        if depth > MAX_DEPTH {
            self.warn(at, format!("`$ref: {r}` nests deeper than {MAX_DEPTH} levels (circular?); left as an empty schema"));
            return with_siblings(Value::Object(Map::new()), siblings);
        }
        let location = match base.join(file) {
            Ok(l) => l,
            Err(e) => {
                self.warn(at, format!("`$ref: {r}`: {e}; left as an empty schema"));
                return with_siblings(Value::Object(Map::new()), siblings);
            }
        };
        let component = component_of(&fragment);
        // A `$ref` that stays keeps its place among its siblings.
        let in_place = |new_ref: String, siblings: &Map<String, Value>| {
            let mut out = Map::new();
            for k in object.keys() {
                let v = match k.as_str() {
                    "$ref" => Value::String(new_ref.clone()),
                    _ => siblings.get(k).cloned().unwrap_or(Value::Null),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        };
        if location == self.root && schema && component.is_some() {
            return in_place(format!("#{fragment}"), &siblings);
        }
        let target = match self.target(&location, &fragment) {
            Ok(t) => t,
            Err(e) => {
                self.warn(at, format!("`$ref: {r}`: {e}; left as an empty schema"));
                return with_siblings(Value::Object(Map::new()), siblings);
            }
        };
        if !schema || (location == self.root && component.is_none()) {
            let inlined = self.walk(&target, &location, at, schema, depth + 1);
            return with_siblings(inlined, siblings);
        }
        let name = self.component_for(&location, &fragment, &target, depth);
        in_place(format!("{COMPONENTS}{name}"), &siblings)
    }

    /// The component a schema of another document becomes (named once, walked once).
    fn component_for(
        &mut self,
        location: &Location,
        fragment: &str,
        target: &Value,
        depth: usize,
    ) -> String {
        let key = format!("{}#{fragment}", location.name());
        if let Some(name) = self.named.get(&key) {
            return name.clone();
        }
        let wanted = component_of(fragment).unwrap_or_else(|| location.stem());
        let wanted = if wanted.is_empty() {
            "schema".to_string()
        } else {
            wanted
        };
        let taken = |n: &str, b: &Bundler| {
            b.added.contains_key(n)
                || b.docs[&b.root.name()]
                    .pointer(&format!("/components/schemas/{}", pointer_token(n)))
                    .is_some()
        };
        let mut name = wanted.clone();
        let mut k = 1;
        while taken(&name, self) {
            k += 1;
            name = format!("{wanted}-{k}");
        }
        self.named.insert(key, name.clone());
        self.added.insert(name.clone(), Value::Null);
        let walked = self.walk(target, location, "", true, depth + 1);
        self.added.insert(name.clone(), walked);
        name
    }

    fn target(&mut self, location: &Location, fragment: &str) -> Result<Value, String> {
        let key = location.name();
        if !self.docs.contains_key(&key) {
            let doc = location.read().map_err(|e| format!("{key}: {e}"))?;
            self.docs.insert(key.clone(), doc);
        }
        self.docs[&key]
            .pointer(fragment)
            .cloned()
            .ok_or_else(|| format!("{key} has nothing at `#{fragment}`"))
    }

    fn warn(&mut self, at: &str, message: String) {
        self.warnings.push(Issue {
            pointer: at.to_string(),
            message,
        });
    }
}

/// `X` of `/components/schemas/X`, `/$defs/X` or `/definitions/X`.
fn component_of(fragment: &str) -> Option<String> {
    ["/components/schemas/", "/$defs/", "/definitions/"]
        .iter()
        .find_map(|p| fragment.strip_prefix(p))
        .filter(|n| !n.contains('/') && !n.is_empty())
        .map(|n| n.replace("~1", "/").replace("~0", "~"))
}

/// Values of these schema keywords are data (an enum of objects may hold a `$ref` key).
fn is_data_keyword(k: &str) -> bool {
    matches!(k, "enum" | "const" | "default" | "example" | "examples")
}
