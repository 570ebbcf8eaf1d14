//! Reading a HAR file back as exchanges: ours, or one exported by Chrome or WeChat DevTools, Charles
//! or Fiddler. What the format requires is required (an entry's request method and URL, its response
//! status); what tools leave out or spell their own way is read leniently (no body text, a form as
//! `params`, base64 content, a failed request as status 0 with an `_error`). A file that is not a HAR
//! is an error naming the file and the place.

use super::super::observed::{Answer, FormField, Observed};
use super::MARK;
use crate::http::{TransportError, TransportErrorKind};
use base64::Engine;
use bytes::Bytes;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A HAR file read as exchanges.
#[derive(Debug)]
pub struct Har {
    pub entries: Vec<Observed>,
    /// Written masked by this tool: masked values are not judged.
    pub masked: bool,
    /// Entries that are no HTTP request (`data:`, `blob:`, extensions' URLs): left out.
    pub skipped: u64,
}

/// What is wrong with a HAR file, and where.
#[derive(Debug, thiserror::Error)]
#[error("{}: {place}{}{message}", path.display(), if place.is_empty() { "" } else { ": " })]
pub struct HarError {
    pub path: PathBuf,
    /// `entries[3].request.url`, or empty for the whole file.
    pub place: String,
    pub message: String,
}

pub fn read(path: &Path) -> Result<Har, HarError> {
    let fail = |place: String, message: String| HarError {
        path: path.to_path_buf(),
        place,
        message,
    };
    let text = std::fs::read(path).map_err(|e| fail(String::new(), format!("cannot read: {e}")))?;
    // Some tools write a byte-order mark.
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    let root: Value = serde_json::from_slice(text).map_err(|e| {
        fail(
            format!("line {}, column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    let log = root
        .get("log")
        .ok_or_else(|| fail("log".into(), "missing: not a HAR file".into()))?;
    let entries = log
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("log.entries".into(), "missing or not a list".into()))?;
    let masked = log
        .get(MARK)
        .and_then(|m| m.get("masked"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut har = Har {
        entries: Vec::with_capacity(entries.len()),
        masked,
        skipped: 0,
    };
    for (i, e) in entries.iter().enumerate() {
        match entry(e)
            .map_err(|(place, message)| fail(format!("log.entries[{i}].{place}"), message))?
        {
            Some(o) => har.entries.push(o),
            None => har.skipped += 1,
        }
    }
    Ok(har)
}

type Place = (String, String);

fn str_at<'v>(v: &'v Value, key: &str, place: &str) -> Result<&'v str, Place> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| (format!("{place}{key}"), "missing or not text".to_string()))
}

/// One entry, or `None` for what is no HTTP request.
fn entry(e: &Value) -> Result<Option<Observed>, Place> {
    let request = e
        .get("request")
        .ok_or_else(|| ("request".to_string(), "missing".to_string()))?;
    let method = str_at(request, "method", "request.")?.to_string();
    let url = str_at(request, "url", "request.")?;
    let parsed = reqwest::Url::parse(url)
        .map_err(|err| ("request.url".to_string(), format!("not a URL: {err}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Ok(None);
    }
    let started = str_at(e, "startedDateTime", "")?;
    let started = chrono::DateTime::parse_from_rfc3339(started).map_err(|err| {
        (
            "startedDateTime".to_string(),
            format!("not a date-time: {err}"),
        )
    })?;
    let mut request_headers = headers(request);
    let (request_body, form) = post_data(request, &mut request_headers)?;
    let mut base = parsed.clone();
    base.set_query(None);
    base.set_fragment(None);
    Ok(Some(Observed {
        started,
        method,
        url: base.to_string(),
        path: parsed.path().to_string(),
        query: parsed.query().map(str::to_string),
        request_headers,
        request_body,
        form,
        response: response(e)?,
        elapsed_ms: e
            .get("time")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            .max(0.0),
    }))
}

/// `headers: [{name, value}]`, without HTTP/2's pseudo-headers (`:authority` …).
fn headers(part: &Value) -> Vec<(String, String)> {
    part.get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| {
            let name = h.get("name")?.as_str()?;
            let value = h.get("value").and_then(Value::as_str).unwrap_or_default();
            (!name.starts_with(':')).then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

/// Adds `content-type` from the body's `mimeType` when the headers do not say it.
fn ensure_content_type(headers: &mut Vec<(String, String)>, mime: Option<&str>) {
    let has = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if let Some(mime) = mime.filter(|m| !m.is_empty() && !has) {
        headers.push(("content-type".into(), mime.to_string()));
    }
}

/// The request body: its text (base64 when `_encoding` says so), or its form fields as `params`.
fn post_data(
    request: &Value,
    headers: &mut Vec<(String, String)>,
) -> Result<(Bytes, Option<Vec<FormField>>), Place> {
    let Some(post) = request.get("postData") else {
        return Ok((Bytes::new(), None));
    };
    ensure_content_type(headers, post.get("mimeType").and_then(Value::as_str));
    if let Some(text) = post.get("text").and_then(Value::as_str) {
        let encoding = post.get("_encoding").or_else(|| post.get("encoding"));
        let bytes = decode(text, encoding.and_then(Value::as_str))
            .map_err(|m| ("request.postData.text".to_string(), m))?;
        return Ok((bytes, None));
    }
    let fields: Vec<FormField> = post
        .get("params")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
            Some(FormField {
                name: text("name")?,
                value: text("value").unwrap_or_default(),
                file_name: text("fileName"),
                content_type: text("contentType"),
            })
        })
        .collect();
    Ok((Bytes::new(), (!fields.is_empty()).then_some(fields)))
}

fn decode(text: &str, encoding: Option<&str>) -> Result<Bytes, String> {
    match encoding {
        Some(e) if e.eq_ignore_ascii_case("base64") => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Bytes::from)
            .map_err(|e| format!("not base64: {e}")),
        _ => Ok(Bytes::from(text.to_string())),
    }
}

/// The answer; status 0 (a request the browser saw fail) is a transport error, with its `_error`.
fn response(e: &Value) -> Result<Result<Answer, TransportError>, Place> {
    let resp = e
        .get("response")
        .ok_or_else(|| ("response".to_string(), "missing".to_string()))?;
    let status = resp.get("status").and_then(Value::as_i64).ok_or_else(|| {
        (
            "response.status".to_string(),
            "missing or not a number".to_string(),
        )
    })?;
    if status <= 0 {
        let message = resp
            .get("_error")
            .or_else(|| e.get("_error"))
            .and_then(Value::as_str)
            .unwrap_or("no response")
            .to_string();
        let lower = message.to_ascii_lowercase().replace('_', " ");
        let kind = if lower.contains("timed out") || lower.contains("timeout") {
            TransportErrorKind::Timeout
        } else if lower.contains("refused") {
            TransportErrorKind::Refused
        } else {
            TransportErrorKind::Other
        };
        return Ok(Err(TransportError { kind, message }));
    }
    let status = u16::try_from(status).map_err(|_| {
        (
            "response.status".to_string(),
            format!("{status} is not an HTTP status"),
        )
    })?;
    let mut headers = headers(resp);
    let content = resp.get("content");
    ensure_content_type(
        &mut headers,
        content
            .and_then(|c| c.get("mimeType"))
            .and_then(Value::as_str),
    );
    let body = match content.and_then(|c| c.get("text")).and_then(Value::as_str) {
        Some(text) => decode(
            text,
            content
                .and_then(|c| c.get("encoding"))
                .and_then(Value::as_str),
        )
        .map_err(|m| ("response.content.text".to_string(), m))?,
        None => Bytes::new(),
    };
    Ok(Ok(Answer {
        status,
        headers,
        body,
    }))
}
