//! One HTTP exchange: the request we sent, what came back (or how the transport failed), and the time.

mod body;
mod rate_limit;

pub use body::{NotJson, JSON_DEPTH_LIMIT};
pub use rate_limit::{retry_wait, MAX_RETRY_AFTER};

use crate::config::{Config, EnvelopeConfig, Limits};
use crate::contract::{BodyFormat, Contract, RequestParts};
use crate::scenario::template::value_text;
use serde_json::Value;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    /// The path after the base URL, parameters substituted (`/vehicles/v_001`).
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Send `body` as multipart/form-data; these fields are files (their values are paths under fixtures/).
    pub multipart_files: Option<Vec<String>>,
    /// Bytes sent as they are instead of `body` (a body built to be malformed: not JSON, or JSON
    /// under another content type); the `Content-Type` header says what it claims to be.
    pub raw_body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    /// Where a redirect points (redirects are never followed).
    pub location: Option<String>,
    /// A compressed body: the client asks for none and decodes none, so the bytes are judged as sent.
    pub content_encoding: Option<String>,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
    /// How many 429 answers were waited out (their `Retry-After`) before this one.
    pub rate_limit_retries: u32,
    pub text: String,
    /// The whole body parsed, if it is JSON no larger than `max_validated_body_bytes`.
    pub json: Option<Value>,
    /// A larger JSON body's top level, nested lists and objects emptied: enough to judge the envelope.
    pub top_level: Option<Value>,
    /// Why `json` is absent.
    pub not_json: Option<NotJson>,
    /// The offset of the first byte that is not UTF-8 (the text has replacement characters there).
    pub invalid_utf8_at: Option<usize>,
    /// Reading stopped at `max_body_bytes`.
    pub truncated: bool,
    /// Bytes read (up to the read limit).
    pub body_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportErrorKind {
    /// The host name could not be resolved.
    Dns,
    Refused,
    Timeout,
    Tls,
    Other,
}

#[derive(Debug, Clone)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: HttpRequest,
    pub response: Result<HttpResponse, TransportError>,
    pub elapsed_ms: f64,
}

impl Exchange {
    pub fn json(&self) -> Option<&Value> {
        self.response.as_ref().ok().and_then(|r| r.json.as_ref())
    }
}

/// Why a request (or the client sending it) could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("invalid base URL {url}: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error("base URL {url} cannot take a path")]
    BaseUrlCannotTakePath { url: String },
    #[error("path parameter `{name}` has no value")]
    MissingPathParam { name: String },
}

#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    pub base_url: String,
    /// Where the files of multipart uploads are.
    fixtures_dir: std::path::PathBuf,
    limits: Limits,
    /// The envelope's field names: all a body too large to keep whole keeps of its top level.
    envelope: EnvelopeConfig,
    /// How many 429 answers with a `Retry-After` are waited out (the run's `retries`).
    rate_limit_retries: u32,
}

/// A value in a URL or a form field: `null` is empty.
fn value_to_param(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => value_text(other),
    }
}

impl Client {
    pub fn new(
        base_url: &str,
        timeout_ms: u64,
        fixtures_dir: &std::path::Path,
    ) -> Result<Client, RequestError> {
        let inner = reqwest::Client::builder()
            .timeout(Duration::from_millis(timeout_ms))
            .connect_timeout(Duration::from_millis(timeout_ms.min(5_000)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("daodao-check/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RequestError::Client(e.to_string()))?;
        Ok(Client {
            inner,
            base_url: base_url.trim_end_matches('/').to_string(),
            fixtures_dir: fixtures_dir.to_path_buf(),
            limits: Limits::default(),
            envelope: EnvelopeConfig::default(),
            rate_limit_retries: 0,
        })
    }

    /// The run's client: its base URL, timeout, read and validation limits, and retries.
    pub fn for_config(config: &Config) -> Result<Client, RequestError> {
        let mut client = Client::new(&config.base_url, config.timeout_ms, &config.fixtures_dir)?;
        client.limits = config.limits;
        client.envelope = config.envelope.clone();
        client.rate_limit_retries = config.retries;
        Ok(client)
    }

    /// Builds the request for `contract` from rendered parts. Errors name a missing path parameter.
    pub fn build(
        &self,
        contract: &Contract,
        parts: &RequestParts,
        token: Option<&str>,
    ) -> Result<HttpRequest, RequestError> {
        let (url, path) = self.url_for(contract, parts)?;
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(t) = token {
            headers.push(("Authorization".to_string(), format!("Bearer {t}")));
        }
        let body = match contract.method.as_str() {
            "GET" | "DELETE" if parts.body.is_none() => None,
            _ => Some(
                parts
                    .body
                    .clone()
                    .unwrap_or(Value::Object(Default::default())),
            ),
        };
        let multipart_files =
            (contract.body_format == BodyFormat::Multipart).then(|| contract.file_fields());
        if body.is_some() && multipart_files.is_none() {
            headers.push(("Content-Type".to_string(), "application/json".to_string()));
        }
        Ok(HttpRequest {
            method: contract.method.clone(),
            url,
            path,
            headers,
            body,
            multipart_files,
            raw_body: None,
        })
    }

    /// The full URL (path parameters substituted, query appended) and the path after the base URL.
    fn url_for(
        &self,
        contract: &Contract,
        parts: &RequestParts,
    ) -> Result<(String, String), RequestError> {
        let mut url =
            reqwest::Url::parse(&self.base_url).map_err(|e| RequestError::InvalidBaseUrl {
                url: self.base_url.clone(),
                reason: e.to_string(),
            })?;
        let base_len = url.path().trim_end_matches('/').len();
        {
            let mut segments =
                url.path_segments_mut()
                    .map_err(|_| RequestError::BaseUrlCannotTakePath {
                        url: self.base_url.clone(),
                    })?;
            segments.pop_if_empty();
            for segment in contract.path.split('/').filter(|s| !s.is_empty()) {
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        let v = parts
                            .path_params
                            .as_ref()
                            .and_then(|p| p.get(name))
                            .ok_or_else(|| RequestError::MissingPathParam {
                                name: name.to_string(),
                            })?;
                        segments.push(&value_to_param(v));
                    }
                    None => {
                        segments.push(segment);
                    }
                }
            }
        }
        let path = url.path()[base_len..].to_string();
        if let Some(Value::Object(q)) = &parts.query {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in q {
                match v {
                    Value::Array(items) => {
                        for i in items {
                            pairs.append_pair(k, &value_to_param(i));
                        }
                    }
                    Value::Null => {}
                    other => {
                        pairs.append_pair(k, &value_to_param(other));
                    }
                }
            }
        }
        let mut url = url.to_string();
        if url.ends_with('?') {
            url.pop();
        }
        Ok((url, path))
    }

    /// Sends the request; a 429 with a `Retry-After` is waited out and sent again, up to the run's
    /// retries. The time is the last attempt's: a wait the backend asked for is not its latency.
    pub async fn send(&self, request: HttpRequest) -> Exchange {
        let mut waited = 0;
        loop {
            let start = Instant::now();
            let mut response = self.send_inner(&request).await;
            let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
            if let Ok(r) = &mut response {
                r.rate_limit_retries = waited;
                let wait = (r.status == 429 && waited < self.rate_limit_retries)
                    .then(|| retry_wait(r.retry_after.as_deref()?, chrono::Utc::now()))
                    .flatten();
                if let Some(wait) = wait {
                    tokio::time::sleep(wait).await;
                    waited += 1;
                    continue;
                }
            }
            return Exchange {
                request,
                response,
                elapsed_ms,
            };
        }
    }

    /// The multipart form for a body: file fields read from fixtures/, the others as text.
    async fn form(
        &self,
        body: &Value,
        files: &[String],
    ) -> Result<reqwest::multipart::Form, TransportError> {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in body.as_object().into_iter().flatten() {
            if files.contains(k) {
                let name = value_to_param(v);
                let path = self.fixtures_dir.join(&name);
                let bytes = std::fs::read(&path).map_err(|e| TransportError {
                    kind: TransportErrorKind::Other,
                    message: format!("upload file {}: {e}", path.display()),
                })?;
                let file_name = path
                    .file_name()
                    .map_or(name.clone(), |f| f.to_string_lossy().into_owned());
                form = form.part(
                    k.clone(),
                    reqwest::multipart::Part::bytes(bytes).file_name(file_name),
                );
            } else {
                form = form.text(k.clone(), value_to_param(v));
            }
        }
        Ok(form)
    }

    async fn send_inner(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| TransportError {
                kind: TransportErrorKind::Other,
                message: e.to_string(),
            })?;
        let mut builder = self.inner.request(method, &request.url);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        match (&request.body, &request.multipart_files) {
            _ if request.raw_body.is_some() => {
                builder = builder.body(request.raw_body.clone().unwrap_or_default())
            }
            (Some(b), Some(files)) => builder = builder.multipart(self.form(b, files).await?),
            (Some(b), None) => builder = builder.body(b.to_string()),
            _ => {}
        }
        let mut resp = builder.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let location = header(reqwest::header::LOCATION);
        let content_encoding = header(reqwest::header::CONTENT_ENCODING);
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let (bytes, truncated) = body::read_capped(&mut resp, self.limits.max_body_bytes).await?;
        let (limits, envelope) = (self.limits, self.envelope.clone());
        // Parsing megabytes is work for a blocking thread: on the runtime's workers it would stall
        // every other request in flight (and their timeouts would blame the backend for it).
        let decoded = if bytes.len() > 64 * 1024 {
            tokio::task::spawn_blocking(move || {
                HttpResponse::decoded(status, bytes, truncated, &limits, &envelope)
            })
            .await
            .map_err(|e| TransportError {
                kind: TransportErrorKind::Other,
                message: format!("decoding the body failed: {e}"),
            })?
        } else {
            HttpResponse::decoded(status, bytes, truncated, &limits, &envelope)
        };
        Ok(HttpResponse {
            content_type,
            location,
            content_encoding,
            retry_after,
            ..decoded
        })
    }
}

impl HttpResponse {
    /// The envelope to judge: the whole body, or the top level of one too large to keep whole.
    pub fn envelope(&self) -> Option<&Value> {
        self.json.as_ref().or(self.top_level.as_ref())
    }

    /// A response of `status` whose body is `bytes` (cut at the read limit when `truncated`), decoded
    /// within `limits` (a body too large to keep whole keeps the `envelope` fields); no headers.
    pub fn decoded(
        status: u16,
        bytes: Vec<u8>,
        truncated: bool,
        limits: &Limits,
        envelope: &EnvelopeConfig,
    ) -> HttpResponse {
        let body_bytes = bytes.len();
        let fields = [
            envelope.code.as_str(),
            envelope.message.as_str(),
            envelope.data.as_str(),
        ];
        let body = body::decode(bytes, truncated, limits.max_validated_body_bytes, &fields);
        HttpResponse {
            status,
            content_type: None,
            location: None,
            content_encoding: None,
            retry_after: None,
            rate_limit_retries: 0,
            text: body.text,
            json: body.json,
            top_level: body.top_level,
            not_json: body.not_json,
            invalid_utf8_at: body.invalid_utf8_at,
            truncated,
            body_bytes,
        }
    }
}

fn classify(e: reqwest::Error) -> TransportError {
    let chain = {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(inner) = src {
            s.push_str(": ");
            s.push_str(&inner.to_string());
            src = inner.source();
        }
        s
    };
    let lower = chain.to_lowercase();
    let kind = if e.is_timeout() || lower.contains("timed out") {
        TransportErrorKind::Timeout
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        TransportErrorKind::Tls
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
    {
        TransportErrorKind::Dns
    } else if e.is_connect() || lower.contains("connection refused") {
        TransportErrorKind::Refused
    } else {
        TransportErrorKind::Other
    };
    TransportError {
        kind,
        message: chain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contract(method: &str, path: &str) -> Contract {
        let text = json!({
            "id": "demo.x", "method": method, "path": path, "phase": 1, "module": "demo",
            "name": "x", "auth": "none", "example": {"response": {}}
        });
        crate::contract::parse_contract(&text.to_string()).expect("a valid contract")
    }

    fn client(base_url: &str) -> Client {
        Client::new(base_url, 1_000, std::path::Path::new(".")).expect("a client")
    }

    #[test]
    fn path_parameters_and_query_go_into_the_url() {
        let parts = RequestParts {
            path_params: Some(json!({"id": "v 1"})),
            query: Some(json!({"tag": ["a", "b"], "page": 2, "skip": null})),
            body: None,
        };
        let req = client("http://127.0.0.1:9/api/v1/")
            .build(&contract("GET", "/vehicles/{id}"), &parts, Some("t0k3n"))
            .unwrap();
        assert_eq!(
            req.url,
            "http://127.0.0.1:9/api/v1/vehicles/v%201?tag=a&tag=b&page=2"
        );
        assert_eq!(req.path, "/vehicles/v%201");
        assert!(req.body.is_none());
        assert!(req
            .headers
            .contains(&("Authorization".into(), "Bearer t0k3n".into())));
    }

    #[test]
    fn request_errors_say_what_is_missing_as_they_always_did() {
        let missing = client("http://127.0.0.1:9/api/v1")
            .build(
                &contract("GET", "/vehicles/{id}"),
                &RequestParts::default(),
                None,
            )
            .unwrap_err();
        assert_eq!(
            missing,
            RequestError::MissingPathParam { name: "id".into() }
        );
        assert_eq!(missing.to_string(), "path parameter `id` has no value");
        let no_path = client("mailto:someone@example.com")
            .build(&contract("GET", "/x"), &RequestParts::default(), None)
            .unwrap_err();
        assert_eq!(
            no_path.to_string(),
            "base URL mailto:someone@example.com cannot take a path"
        );
        let invalid = client("not a url")
            .build(&contract("GET", "/x"), &RequestParts::default(), None)
            .unwrap_err();
        assert!(
            invalid
                .to_string()
                .starts_with("invalid base URL not a url: "),
            "{invalid}"
        );
    }
}
