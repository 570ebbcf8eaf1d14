//! The front end's side of an exchange: its request read as the contract's parts (path parameters,
//! query, body; a form upload's fields) and checked against the contract's request schemas, as a
//! correct backend would check them. Every violation is a 前端 finding.

use super::observed::{FormField, Observed};
pub use crate::contract::params::query_fields;
use crate::contract::params::text_violations;
use crate::contract::schema::{violations, Compiled};
use crate::contract::{BodyFormat, Contract};
use crate::result::{CheckKind, Finding, Side};
use bytes::Bytes;
use jsonschema::Validator;
use serde_json::{Map, Value};

/// A request's body, as the contract's parts read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body (or only whitespace).
    Empty,
    Json(Value),
    /// multipart/form-data: text fields as strings, files as their file names.
    Form {
        fields: Map<String, Value>,
        files: Vec<String>,
    },
    /// application/x-www-form-urlencoded.
    Urlencoded(Map<String, Value>),
    /// A body that says it is JSON or a form and is not: why.
    Unreadable(String),
    /// Some other content type.
    Other(String),
}

impl Body {
    /// The body as the pipeline and a reproduction take it, with its file fields for a form.
    pub fn as_json(&self) -> (Option<Value>, Option<Vec<String>>) {
        match self {
            Body::Json(v) => (Some(v.clone()), None),
            Body::Form { fields, files } => {
                (Some(Value::Object(fields.clone())), Some(files.clone()))
            }
            Body::Urlencoded(m) => (Some(Value::Object(m.clone())), None),
            Body::Empty | Body::Unreadable(_) | Body::Other(_) => (None, None),
        }
    }
}

/// A request read as the contract's parts.
#[derive(Debug, Clone)]
pub struct Sent {
    pub path_params: Map<String, Value>,
    pub query: Map<String, Value>,
    pub body: Body,
    pub token: Option<String>,
}

/// Reads the request's query and body; `path_params` come from matching its route.
pub async fn read(o: &Observed, path_params: Map<String, Value>) -> Sent {
    Sent {
        path_params,
        query: query_fields(o.query.as_deref()),
        body: body(o).await,
        token: o.bearer().map(str::to_string),
    }
}

async fn body(o: &Observed) -> Body {
    let given = o.request_header("content-type").unwrap_or_default();
    // Compared in lower case; the boundary of a form is case-sensitive.
    let content_type = given.to_ascii_lowercase();
    if let Some(form) = &o.form {
        return if content_type.starts_with("multipart/") {
            listed_form(form)
        } else {
            Body::Urlencoded(listed_form_fields(form))
        };
    }
    let bytes = &o.request_body;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Body::Empty;
    }
    if bytes.len() > super::observed::MAX_VALIDATED_BYTES {
        return Body::Unreadable("请求体过大, 未校验".into());
    }
    if content_type.starts_with("multipart/form-data") {
        return multipart(bytes.clone(), given).await;
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(bytes);
        return Body::Urlencoded(query_fields(Some(&text)));
    }
    if content_type.contains("json") || content_type.is_empty() {
        return match serde_json::from_slice(bytes) {
            Ok(v) => Body::Json(v),
            Err(_) if content_type.is_empty() => Body::Other("无 Content-Type".into()),
            Err(e) => Body::Unreadable(format!("请求体不是合法的 JSON: {e}")),
        };
    }
    Body::Other(content_type)
}

/// A form a HAR file listed field by field.
fn listed_form(form: &[FormField]) -> Body {
    Body::Form {
        fields: listed_form_fields(form),
        files: form
            .iter()
            .filter(|f| f.file_name.is_some())
            .map(|f| f.name.clone())
            .collect(),
    }
}

fn listed_form_fields(form: &[FormField]) -> Map<String, Value> {
    form.iter()
        .map(|f| {
            let value = f.file_name.clone().unwrap_or_else(|| f.value.clone());
            (f.name.clone(), Value::String(value))
        })
        .collect()
}

/// A multipart body: text fields as strings, files as their file names.
async fn multipart(bytes: Bytes, content_type: &str) -> Body {
    match form_fields(bytes, content_type).await {
        Ok(fields) => listed_form(&fields),
        Err(why) => Body::Unreadable(why),
    }
}

/// The fields of a multipart/form-data body: text fields with their text, files with their names and
/// types (the content is not kept).
pub async fn form_fields(bytes: Bytes, content_type: &str) -> Result<Vec<FormField>, String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| "multipart 请求体没有 boundary".to_string())?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut out = vec![];
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(out),
            Err(e) => return Err(format!("multipart 请求体无法解析: {e}")),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let value = match &file_name {
            Some(_) => {
                field
                    .bytes()
                    .await
                    .map_err(|e| format!("multipart 字段 {name} 无法读取: {e}"))?;
                String::new()
            }
            None => field
                .text()
                .await
                .map_err(|e| format!("multipart 字段 {name} 无法读取: {e}"))?,
        };
        out.push(FormField {
            name,
            value,
            file_name,
            content_type,
        });
    }
}

/// Every way the request breaks its contract, as 前端 findings: a token where the contract needs one,
/// path parameters, query and body against their schemas, the body's format, file fields.
pub fn check(c: &Contract, compiled: Option<&Compiled>, sent: &Sent) -> Vec<Finding> {
    let mut out = vec![];
    if c.needs_auth() && sent.token.is_none() {
        out.push(
            Finding::new(
                CheckKind::Request,
                "接口需要登录, 请求没有带 Authorization: Bearer 令牌",
            )
            .at("/headers/Authorization")
            .expected("Bearer <token>", "missing"),
        );
    }
    let Some(compiled) = compiled else {
        return sided(out);
    };
    let params = Value::Object(sent.path_params.clone());
    out.extend(part("path", compiled.path_params.as_ref(), &params, true));
    let query = Value::Object(sent.query.clone());
    out.extend(part("query", compiled.query.as_ref(), &query, true));
    if let Some(validator) = &compiled.body {
        out.extend(body_findings(c, validator, &sent.body));
    }
    sided(out)
}

fn sided(findings: Vec<Finding>) -> Vec<Finding> {
    findings.into_iter().map(|f| f.on(Side::Frontend)).collect()
}

fn body_findings(c: &Contract, validator: &Validator, body: &Body) -> Vec<Finding> {
    let multipart = c.body_format == BodyFormat::Multipart;
    let format = |expected: &str, actual: &str| {
        Finding::new(
            CheckKind::Request,
            format!("请求体格式不符: 合约为 {expected}, 请求为 {actual}"),
        )
        .at("/body")
        .expected(expected, actual)
    };
    let wanted = if multipart {
        "multipart/form-data"
    } else {
        "application/json"
    };
    match body {
        Body::Json(v) => {
            let mut out = part("body", Some(validator), v, false);
            if multipart {
                out.insert(0, format(wanted, "application/json"));
            }
            out
        }
        Body::Form { fields, files } => {
            let mut out = vec![];
            if !multipart {
                out.push(format(wanted, "multipart/form-data"));
            }
            for name in c.file_fields() {
                if fields.contains_key(&name) && !files.contains(&name) {
                    out.push(
                        Finding::new(CheckKind::Request, format!("字段 {name} 应为上传的文件"))
                            .at(format!("/body/{name}"))
                            .expected("a file", "a text field"),
                    );
                }
            }
            out.extend(part(
                "body",
                Some(validator),
                &Value::Object(fields.clone()),
                true,
            ));
            out
        }
        Body::Urlencoded(fields) => {
            let mut out = vec![format(wanted, "application/x-www-form-urlencoded")];
            out.extend(part(
                "body",
                Some(validator),
                &Value::Object(fields.clone()),
                true,
            ));
            out
        }
        Body::Empty => part("body", Some(validator), &Value::Object(Map::new()), false),
        Body::Unreadable(why) => vec![Finding::new(CheckKind::Request, why.clone()).at("/body")],
        Body::Other(content_type) => vec![format(wanted, content_type)],
    }
}

/// One part against its schema; text (path, query, form fields) is read as the schema's numbers and
/// booleans when it fails as text, as a backend reads it.
fn part(name: &str, validator: Option<&Validator>, value: &Value, text: bool) -> Vec<Finding> {
    let Some(validator) = validator else {
        return vec![];
    };
    let errs = if text {
        text_violations(validator, value)
    } else {
        violations(validator, value)
    };
    errs.into_iter()
        .map(|v| {
            let at = if v.path == "/" {
                format!("/{name}")
            } else {
                format!("/{name}{}", v.path)
            };
            Finding::new(CheckKind::Request, v.message)
                .at(at)
                .expected(v.expected, v.actual)
        })
        .collect()
}
