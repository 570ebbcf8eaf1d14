//! Writing a HAR file entry by entry: the log's head when it starts, one entry per exchange, the
//! closing brackets when the session ends. Nothing is kept in memory.

use super::super::observed::{header, Observed};
use super::super::request::{form_fields, query_fields};
use super::super::{ProxyError, Result};
use super::{status_text, MARK};
use crate::redact::{JsonPolicy, Redactor};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Header values that are credentials whole, whatever their shape.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

pub struct HarWriter {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    masked: bool,
    entries: u64,
}

impl HarWriter {
    /// Creates the file and writes the log's head; `masked` unless the secrets are to be kept.
    pub fn create(path: &Path, masked: bool) -> Result<HarWriter> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| ProxyError::Recording {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let file = std::fs::File::create(path).map_err(|source| ProxyError::Recording {
            path: path.to_path_buf(),
            source,
        })?;
        let mut writer = HarWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            masked,
            entries: 0,
        };
        let creator = json!({"name": "daodao-check", "version": env!("CARGO_PKG_VERSION")});
        let mark = json!({ "masked": masked });
        let text = format!(
            "{{\"log\":{{\"version\":\"1.2\",\"creator\":{creator},\"{MARK}\":{mark},\"pages\":[],\"entries\":["
        );
        writer.write(text.as_bytes())?;
        Ok(writer)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|source| ProxyError::Recording {
                path: self.path.clone(),
                source,
            })
    }

    /// Appends one exchange.
    pub async fn entry(&mut self, o: &Observed, redactor: &Redactor) -> Result<()> {
        let masking = Masking {
            redactor,
            on: self.masked,
        };
        let entry = json!({
            "startedDateTime": o.started.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            "time": round(o.elapsed_ms),
            "request": request(o, &masking).await,
            "response": response(o, &masking),
            "cache": {},
            "timings": {"send": 0, "wait": round(o.elapsed_ms), "receive": 0},
        });
        let sep = if self.entries == 0 { "\n" } else { ",\n" };
        self.entries += 1;
        self.write(format!("{sep}{entry}").as_bytes())
    }

    /// Closes the log; the file is complete from here on.
    pub fn finish(mut self) -> Result<u64> {
        self.write(b"\n]}}\n")?;
        self.out.flush().map_err(|source| ProxyError::Recording {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.entries)
    }
}

fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The run's redaction, or none when the secrets are kept.
struct Masking<'r> {
    redactor: &'r Redactor,
    on: bool,
}

impl Masking<'_> {
    fn text(&self, s: &str) -> String {
        if self.on {
            self.redactor.text(s)
        } else {
            s.to_string()
        }
    }

    fn json(&self, v: &Value, envelope: bool) -> Value {
        if self.on {
            let policy = JsonPolicy {
                by_key: true,
                envelope,
            };
            self.redactor.json(v, policy)
        } else {
            v.clone()
        }
    }

    /// A named value (a query parameter, a form field): masked by its name too.
    fn named(&self, name: &str, value: &str) -> String {
        let one = Value::Object(Map::from_iter([(name.to_string(), Value::from(value))]));
        match self.json(&one, false).get(name) {
            Some(Value::String(s)) => s.clone(),
            _ => value.to_string(),
        }
    }

    fn headers(&self, headers: &[(String, String)]) -> Value {
        let list: Vec<Value> = headers
            .iter()
            .map(|(name, value)| {
                let lower = name.to_ascii_lowercase();
                let value = if !self.on {
                    value.clone()
                } else if lower == "authorization"
                    && value.to_ascii_lowercase().starts_with("bearer ")
                {
                    "Bearer «token»".to_string()
                } else if CREDENTIAL_HEADERS.contains(&lower.as_str()) {
                    "«secret»".to_string()
                } else {
                    self.text(value)
                };
                json!({"name": name, "value": value})
            })
            .collect();
        Value::Array(list)
    }

    /// A body as HAR text: JSON masked by key, other UTF-8 text by value and shape; bytes that are not
    /// text as base64 (`encoding`), as they are.
    fn body(&self, bytes: &[u8], envelope: bool) -> (String, Option<&'static str>) {
        match std::str::from_utf8(bytes) {
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(v) if self.on => (self.json(&v, envelope).to_string(), None),
                _ => (self.text(text), None),
            },
            Err(_) => (
                base64::engine::general_purpose::STANDARD.encode(bytes),
                Some("base64"),
            ),
        }
    }
}

async fn request(o: &Observed, m: &Masking<'_>) -> Value {
    let query: Vec<Value> = query_fields(o.query.as_deref())
        .iter()
        .flat_map(|(name, v)| {
            match v {
                Value::Array(list) => list.clone(),
                one => vec![one.clone()],
            }
            .into_iter()
            .map(move |v| (name.clone(), v))
        })
        .map(|(name, v)| {
            let value = v.as_str().unwrap_or_default();
            json!({"name": name, "value": m.named(&name, value)})
        })
        .collect();
    let url = match &o.query {
        Some(q) if !o.url.contains('?') => format!("{}?{q}", o.url),
        _ => o.url.clone(),
    };
    let mut req = json!({
        "method": o.method,
        "url": m.text(&url),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": m.headers(&o.request_headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": o.request_body.len(),
    });
    if let Some(post) = post_data(o, m).await {
        req["postData"] = post;
    }
    req
}

/// `postData`: the body's text, masked; a form upload as its fields (`params`), since its files are
/// bytes, not text.
async fn post_data(o: &Observed, m: &Masking<'_>) -> Option<Value> {
    if o.request_body.is_empty() {
        return None;
    }
    let mime = o.request_header("content-type").unwrap_or_default();
    if mime.to_ascii_lowercase().starts_with("multipart/form-data") {
        if let Ok(fields) = form_fields(o.request_body.clone(), mime).await {
            let params: Vec<Value> = fields
                .iter()
                .map(|f| match &f.file_name {
                    Some(file) => json!({"name": f.name, "fileName": file,
                        "contentType": f.content_type.clone().unwrap_or_default()}),
                    None => json!({"name": f.name, "value": m.named(&f.name, &f.value)}),
                })
                .collect();
            return Some(json!({"mimeType": mime, "params": params}));
        }
    }
    let (text, encoding) = m.body(&o.request_body, false);
    let mut post = json!({"mimeType": mime, "text": text});
    if let Some(e) = encoding {
        post["_encoding"] = Value::from(e);
    }
    Some(post)
}

fn response(o: &Observed, m: &Masking<'_>) -> Value {
    let answer = match &o.response {
        Ok(a) => a,
        Err(e) => {
            return json!({
                "status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                "headers": [], "content": {"size": 0, "mimeType": ""}, "redirectURL": "",
                "headersSize": -1, "bodySize": -1,
                "_error": format!("{:?}: {}", e.kind, m.text(&e.message)).to_lowercase(),
            })
        }
    };
    let mime = header(&answer.headers, "content-type").unwrap_or_default();
    let (text, encoding) = m.body(&answer.body, true);
    let mut content = json!({"size": answer.body.len(), "mimeType": mime, "text": text});
    if let Some(e) = encoding {
        content["encoding"] = Value::from(e);
    }
    json!({
        "status": answer.status,
        "statusText": status_text(answer.status),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": m.headers(&answer.headers),
        "content": content,
        "redirectURL": header(&answer.headers, "location").map(|l| m.text(l)).unwrap_or_default(),
        "headersSize": -1,
        "bodySize": answer.body.len(),
    })
}
