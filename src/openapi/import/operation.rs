//! One operation of the document as one contract: identity, parameters, request body and examples
//! ([`super::answers`] does the responses and security).

use super::example::{first_example, generate};
use super::schema::normalize;
use super::{answers, Ctx};
use crate::import::infer::object_schema;
use crate::import::skeleton::UPLOAD_FIXTURE;
use crate::openapi::pointer_token;
use serde_json::{json, Map, Value};

/// An operation turned into a contract, before it gets its id and file.
pub(super) struct Converted {
    pub method: String,
    pub path: String,
    pub module: String,
    /// The operation's own name for itself (operationId, without a `<module>.` prefix), if any.
    pub own_name: Option<String>,
    /// Everything but `id`, in the contract format's key order.
    pub fields: Map<String, Value>,
    /// Components the envelope was read through (dropped when nothing else uses them).
    pub envelope_components: Vec<String>,
    /// The operation's JSON Pointer in the document.
    pub at: String,
}

impl Converted {
    /// `METHOD path` (`name`), for messages.
    pub fn id_hint(&self, name: &str) -> String {
        format!("{} {} ({}.{name})", self.method, self.path, self.module)
    }
}

/// A request part: its schema and example.
struct Part {
    schema: Value,
    example: Value,
}

pub(super) fn convert(
    method: &str,
    path: &str,
    item: &Map<String, Value>,
    op: &Map<String, Value>,
    at: &str,
    ctx: &mut Ctx,
) -> Converted {
    let module = ctx.module_of(op, path);
    let own_name = op.get("operationId").and_then(Value::as_str).map(|id| {
        id.strip_prefix(&format!("{module}."))
            .unwrap_or(id)
            .to_string()
    });
    let name = op
        .get("summary")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| op.get("operationId").and_then(Value::as_str))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {path}", method.to_ascii_uppercase()));
    let mut f = Map::new();
    f.insert("method".into(), json!(method.to_ascii_uppercase()));
    f.insert("path".into(), json!(path));
    let phase = op
        .get("x-daodao-phase")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    f.insert("phase".into(), json!(phase.min(8)));
    f.insert("module".into(), json!(module));
    f.insert("name".into(), json!(name));
    f.insert("auth".into(), json!(answers::auth(op, at, ctx)));
    copy_extensions(op, &mut f);
    let params = parameters(item, op, at, ctx);
    let (path_params, query) = (
        part(path, &params, "path", ctx),
        part(path, &params, "query", ctx),
    );
    let body = request_body(op, at, ctx);
    if body.as_ref().is_some_and(|(_, multipart)| *multipart) {
        f.insert("body_format".into(), json!("multipart"));
    }
    let body = body.map(|(b, _)| b);
    let mut request = Map::new();
    let mut example_request = Map::new();
    for (key, p) in [
        ("path_params", path_params),
        ("query", query),
        ("body", body),
    ] {
        if let Some(p) = p {
            request.insert(key.into(), ctx.shared(&p.schema, &format!("{at} ({key})")));
            example_request.insert(key.into(), p.example);
        }
    }
    if !request.is_empty() {
        f.insert("request".into(), Value::Object(request));
    }
    let success = answers::success(op, at, ctx);
    f.insert(
        "response".into(),
        json!({ "data": ctx.shared(&success.data, at) }),
    );
    f.insert(
        "example".into(),
        json!({"request": example_request, "response": success.example}),
    );
    f.insert("errors".into(), Value::Array(answers::errors(op, at, ctx)));
    Converted {
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        module,
        own_name,
        fields: f,
        envelope_components: success.envelope_components,
        at: at.to_string(),
    }
}

fn copy_extensions(op: &Map<String, Value>, f: &mut Map<String, Value>) {
    if let Some(skip) = op.get("x-daodao-skip").and_then(Value::as_str) {
        f.insert("skip".into(), json!(skip));
    } else if op.get("deprecated") == Some(&json!(true)) {
        f.insert("skip".into(), json!("deprecated in the OpenAPI document"));
    }
    if let Some(ms) = op.get("x-daodao-latency-budget-ms").and_then(Value::as_u64) {
        f.insert("latency_budget_ms".into(), json!(ms));
    }
    if op.get("x-daodao-session").and_then(Value::as_str) == Some("fresh") {
        f.insert("session".into(), json!("fresh"));
    }
}

/// One parameter as read: where it goes, its schema and example.
struct Param {
    name: String,
    location: String,
    required: bool,
    schema: Value,
    example: Option<Value>,
}

/// The path item's parameters overridden by the operation's (same name and place), in order.
fn parameters(
    item: &Map<String, Value>,
    op: &Map<String, Value>,
    at: &str,
    ctx: &mut Ctx,
) -> Vec<Param> {
    let mut out: Vec<Param> = vec![];
    let lists = [
        (item.get("parameters"), format!("{}/parameters", parent(at))),
        (op.get("parameters"), format!("{at}/parameters")),
    ];
    for (list, place) in lists {
        for (i, p) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let here = format!("{place}/{i}");
            let Some(param) = parameter(p, &here, ctx) else {
                continue;
            };
            out.retain(|q| !(q.name == param.name && q.location == param.location));
            out.push(param);
        }
    }
    out
}

/// The pointer of the path item an operation's pointer is in.
fn parent(at: &str) -> &str {
    at.rsplit_once('/').map_or(at, |(p, _)| p)
}

fn parameter(p: &Value, at: &str, ctx: &mut Ctx) -> Option<Param> {
    let name = p.get("name").and_then(Value::as_str)?.to_string();
    let location = p
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if location != "path" && location != "query" {
        ctx.warn(
            at,
            format!("{location} parameter `{name}` is not part of a contract (the engine sends no custom headers or cookies); left out"),
        );
        return None;
    }
    let mut schema = match p.get("schema") {
        Some(s) => normalize(s),
        None => {
            ctx.warn(
                at,
                format!("parameter `{name}` has no `schema` (`content` parameters are not supported); any value is accepted"),
            );
            json!({})
        }
    };
    // The defaults (form and exploded in the query, simple in the path) are what the engine sends.
    let default_style = if location == "path" { "simple" } else { "form" };
    let style = p
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or(default_style);
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let reserved = p
        .get("allowReserved")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if style != default_style || explode != (style == "form") || reserved {
        ctx.warn(
            at,
            format!("the serialisation of parameter `{name}` (style, explode, allowReserved) is not modelled; the engine sends the default {default_style} style"),
        );
    }
    if let (Some(d), Some(o)) = (p.get("description"), schema.as_object_mut()) {
        o.entry("description").or_insert_with(|| d.clone());
    }
    let example = p.get("example").cloned().or_else(|| first_example(p));
    Some(Param {
        required: location == "path" || p.get("required") == Some(&json!(true)),
        name,
        location,
        schema,
        example,
    })
}

/// The path or query part: an object schema of the parameters, and an example of each. Every `{name}`
/// of the path is a parameter, declared or not.
fn part(path: &str, params: &[Param], location: &str, ctx: &Ctx) -> Option<Part> {
    let mut props = Map::new();
    let mut required = vec![];
    let mut example = Map::new();
    for p in params.iter().filter(|p| p.location == location) {
        if p.required {
            required.push(json!(p.name));
        }
        props.insert(p.name.clone(), p.schema.clone());
        // An optional parameter without an example stays out of the example request.
        let value = match &p.example {
            Some(v) => Some(v.clone()),
            None if p.required => Some(generate(&p.schema, ctx.components, &p.name)),
            None => None,
        };
        if let Some(v) = value {
            example.insert(p.name.clone(), v);
        }
    }
    if location == "path" {
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        {
            if !props.contains_key(name) {
                props.insert(name.into(), json!({"type": "string", "minLength": 1}));
                required.push(json!(name));
                example.insert(name.into(), json!(format!("{name}_001")));
            }
        }
    }
    if props.is_empty() {
        return None;
    }
    Some(Part {
        schema: object_schema(required, props),
        example: Value::Object(example),
    })
}

/// The JSON or multipart body (and whether it is multipart).
fn request_body(op: &Map<String, Value>, at: &str, ctx: &mut Ctx) -> Option<(Part, bool)> {
    let body = op.get("requestBody")?;
    let here = format!("{at}/requestBody/content");
    let content = body.get("content").and_then(Value::as_object)?;
    let json_type = content.keys().find(|k| is_json(k));
    let (media_type, multipart) = match json_type {
        Some(t) => (t.clone(), false),
        None if content.contains_key("multipart/form-data") => ("multipart/form-data".into(), true),
        None => {
            let types: Vec<&String> = content.keys().collect();
            ctx.warn(&here, format!("request body types {types:?} are not supported (JSON or multipart/form-data); no body"));
            return None;
        }
    };
    for other in content.keys().filter(|k| **k != media_type) {
        ctx.warn(
            &format!("{here}/{}", pointer_token(other)),
            format!("the body is sent as {media_type}; the {other} alternative is left out"),
        );
    }
    let media = &content[&media_type];
    let mut schema = media.get("schema").map(normalize).unwrap_or(json!({}));
    let mut example = media
        .get("example")
        .cloned()
        .or_else(|| first_example(media))
        .unwrap_or_else(|| generate(&schema, ctx.components, "body"));
    if multipart {
        upload_fields(&mut schema, &mut example, &here, ctx);
    }
    Some((Part { schema, example }, multipart))
}

fn is_json(media_type: &str) -> bool {
    let t = media_type.split(';').next().unwrap_or("").trim();
    t == "application/json" || t.ends_with("+json")
}

/// Multipart file fields (`format: binary`/`base64`, or a `contentMediaType`) are `format: binary`
/// and upload the project's fixture file.
fn upload_fields(schema: &mut Value, example: &mut Value, at: &str, ctx: &mut Ctx) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, s) in props.iter_mut() {
        let is_file = |s: &Value| {
            matches!(
                s.get("format").and_then(Value::as_str),
                Some("binary" | "base64")
            ) || s.get("contentMediaType").is_some()
        };
        if is_file(s) {
            s["format"] = json!("binary");
            if let Some(o) = s.as_object_mut() {
                o.remove("contentMediaType");
                o.remove("contentEncoding");
            }
            if example.is_object() {
                example[name] = json!(UPLOAD_FIXTURE);
            }
        } else if s.get("items").is_some_and(is_file) {
            ctx.warn(
                &format!("{at}/multipart~1form-data/schema/properties/{}", pointer_token(name)),
                format!("`{name}` is a list of files; the engine uploads single files only, so it is sent as text"),
            );
        }
    }
}
