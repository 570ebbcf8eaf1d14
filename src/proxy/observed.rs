//! One exchange the tool did not send: the request as the client sent it and what the upstream
//! answered (or why it did not), as bytes. The proxy makes one per forwarded request; a HAR entry
//! reads as one. [`Observed::exchange`] turns it into the check pipeline's [`Exchange`].

use crate::http::{Exchange, HttpRequest, HttpResponse, TransportError, TransportErrorKind};
use bytes::Bytes;
use serde_json::Value;

/// Bodies larger than this are forwarded whole but not validated (as a run cuts what it reads).
pub const MAX_VALIDATED_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Observed {
    /// When the request arrived.
    pub started: chrono::DateTime<chrono::FixedOffset>,
    pub method: String,
    /// The URL the request went to: the upstream's, or as a HAR file recorded it.
    pub url: String,
    /// The path as sent, without the query.
    pub path: String,
    pub query: Option<String>,
    /// As sent, names as the client spelled them.
    pub request_headers: Vec<(String, String)>,
    pub request_body: Bytes,
    /// Form fields as a HAR file lists them, where it has no body text to parse.
    pub form: Option<Vec<FormField>>,
    pub response: Result<Answer, TransportError>,
    /// From the request's arrival to the whole answer.
    pub elapsed_ms: f64,
}

/// What the upstream answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// One field of a form body: text, or a file (its name and type; the content is not judged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub name: String,
    pub value: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

/// The value of a header, whatever the case of its name.
pub fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Observed {
    pub fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request_headers, name)
    }

    /// The bearer token the request carries, if any.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.request_header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }

    /// A CORS preflight: forwarded, never judged against a contract.
    pub fn is_preflight(&self) -> bool {
        self.method.eq_ignore_ascii_case("OPTIONS")
            && self
                .request_header("access-control-request-method")
                .is_some()
    }

    /// The status the client got: the upstream's, or the proxy's own 502 / 504.
    pub fn client_status(&self) -> u16 {
        match &self.response {
            Ok(a) => a.status,
            Err(e) if e.kind == TransportErrorKind::Timeout => 504,
            Err(_) => 502,
        }
    }

    /// The exchange as the check pipeline reads it. `path` is the path below the base path; `body`
    /// is the request body as the contract's parts read it, `files` its file fields when it was a
    /// form upload. Only the headers a reproduction needs are kept.
    pub fn exchange(
        &self,
        path: &str,
        body: Option<Value>,
        files: Option<Vec<String>>,
    ) -> Exchange {
        let mut headers = vec![];
        for name in ["Authorization", "Content-Type"] {
            if let Some(v) = self.request_header(name) {
                headers.push((name.to_string(), v.to_string()));
            }
        }
        let url = match &self.query {
            Some(q) if !self.url.contains('?') => format!("{}?{q}", self.url),
            _ => self.url.clone(),
        };
        Exchange {
            request: HttpRequest {
                method: self.method.clone(),
                url,
                path: path.to_string(),
                headers,
                body,
                multipart_files: files,
                raw_body: None,
            },
            response: self.response.as_ref().map(response).map_err(Clone::clone),
            elapsed_ms: self.elapsed_ms,
        }
    }
}

/// The answer as the checks read it, decoded within the run's default limits the way the runner
/// decodes a response it read (a body too large to keep whole keeps the envelope's fields).
fn response(answer: &Answer) -> HttpResponse {
    let truncated = answer.body.len() > MAX_VALIDATED_BYTES;
    let bytes = answer.body[..answer.body.len().min(MAX_VALIDATED_BYTES)].to_vec();
    let limits = crate::config::Limits::default();
    let envelope = crate::config::EnvelopeConfig::default();
    let mut decoded = HttpResponse::decoded(answer.status, bytes, truncated, &limits, &envelope);
    decoded.content_type = header(&answer.headers, "content-type").map(str::to_string);
    decoded.location = header(&answer.headers, "location").map(str::to_string);
    decoded.content_encoding = header(&answer.headers, "content-encoding").map(str::to_string);
    decoded
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GET of `path` answered with `status` and a JSON `body`.
    pub(crate) fn observed(method: &str, path: &str, status: u16, body: &str) -> Observed {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path.to_string(), None),
        };
        Observed {
            started: chrono::DateTime::parse_from_rfc3339("2026-01-09T10:00:00+08:00")
                .expect("a date"),
            method: method.into(),
            url: format!("http://127.0.0.1:3001{path}"),
            path,
            query,
            request_headers: vec![],
            request_body: Bytes::new(),
            form: None,
            response: Ok(Answer {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: Bytes::from(body.to_string()),
            }),
            elapsed_ms: 12.0,
        }
    }

    #[test]
    fn the_bearer_token_is_read_whatever_the_case_of_the_header() {
        let mut o = observed("GET", "/api/v1/orders", 200, "{}");
        assert_eq!(o.bearer(), None);
        o.request_headers = vec![("AUTHORIZATION".into(), "bearer  abc.def ".into())];
        assert_eq!(o.bearer(), Some("abc.def"));
        o.request_headers = vec![("Authorization".into(), "Basic dTpw".into())];
        assert_eq!(o.bearer(), None);
    }

    #[test]
    fn only_an_options_request_with_a_requested_method_is_a_preflight() {
        let mut o = observed("OPTIONS", "/api/v1/orders", 204, "");
        assert!(!o.is_preflight());
        o.request_headers = vec![("Access-Control-Request-Method".into(), "POST".into())];
        assert!(o.is_preflight());
    }

    #[test]
    fn the_pipeline_reads_the_answer_and_the_query_rides_on_the_url() {
        let o = observed(
            "GET",
            "/api/v1/orders?page=2",
            200,
            r#"{"code":0,"message":"ok","data":[]}"#,
        );
        let ex = o.exchange("/orders", None, None);
        assert_eq!(ex.request.url, "http://127.0.0.1:3001/api/v1/orders?page=2");
        let resp = ex.response.expect("an answer");
        assert_eq!(
            resp.json,
            Some(serde_json::json!({"code":0,"message":"ok","data":[]}))
        );
        assert_eq!(resp.content_type.as_deref(), Some("application/json"));
        let down = Observed {
            response: Err(TransportError {
                kind: TransportErrorKind::Timeout,
                message: "after 10000 ms".into(),
            }),
            ..o
        };
        assert_eq!(down.client_status(), 504);
    }
}
