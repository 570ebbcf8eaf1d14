//! The forwarding itself: every request goes to the upstream as it came (method, path, query, headers
//! with their case, body bytes), every answer back as it came (status, headers, body bytes). Only what
//! belongs to one connection is not forwarded (`Connection`, `Keep-Alive`, `Transfer-Encoding` and the
//! other hop-by-hop headers), and `Host` names the upstream. The proxy adds no header of its own, not
//! even `Date`.
//!
//! When the upstream gives no answer, the client gets the team's envelope: HTTP 502
//! `{"code":502,"message":"上游不可达: …"}`, or 504 after `--timeout-ms`; the exchange is a transport
//! finding. Each exchange is handed to the session after its answer is sent on its way.

use super::observed::{Answer, Observed};
use crate::config::EnvelopeConfig;
use crate::http::{TransportError, TransportErrorKind};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
];

/// Where requests go, and how long an answer may take.
pub struct Upstream {
    client: Client<HttpConnector, Full<Bytes>>,
    /// `http://localhost:3000`: scheme and authority; the path is the request's own.
    origin: String,
    authority: HeaderValue,
    timeout: Duration,
    envelope: EnvelopeConfig,
    /// Requests being forwarded or handed over, so that a session ends after them.
    pub in_flight: AtomicUsize,
}

impl Upstream {
    /// For an upstream URL (`http://localhost:3000/api/v1`); only plain HTTP, as dev servers speak.
    pub fn new(url: &str, timeout_ms: u64, envelope: EnvelopeConfig) -> Result<Upstream, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        if parsed.scheme() != "http" {
            return Err(format!(
                "{url}: the proxy forwards to plain http:// (a development server), not {}://",
                parsed.scheme()
            ));
        }
        let host = parsed.host_str().ok_or_else(|| format!("{url}: no host"))?;
        let authority = match parsed.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .http1_preserve_header_case(true)
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Upstream {
            client,
            origin: format!("http://{authority}"),
            authority: HeaderValue::from_str(&authority).map_err(|e| format!("{url}: {e}"))?,
            timeout: Duration::from_millis(timeout_ms),
            envelope,
            in_flight: AtomicUsize::new(0),
        })
    }
}

/// Accepts connections until the task is aborted; each exchange goes to `session` once answered.
pub async fn serve(
    listener: TcpListener,
    upstream: Arc<Upstream>,
    session: mpsc::Sender<Observed>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let upstream = upstream.clone();
        let session = session.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                forward(req, upstream.clone(), session.clone())
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .preserve_header_case(true)
                .auto_date_header(false)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Removes the hop-by-hop headers, and those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(hyper::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

fn listed(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

async fn forward(
    req: Request<hyper::body::Incoming>,
    upstream: Arc<Upstream>,
    session: mpsc::Sender<Observed>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    upstream.in_flight.fetch_add(1, Ordering::SeqCst);
    let started = chrono::Local::now().fixed_offset();
    let clock = Instant::now();
    let (mut parts, body) = req.into_parts();
    let request_headers = listed(&parts.headers);
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let url = format!("{}{path}", upstream.origin);
    let (request_body, answer, response) = match body.collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let target = match &query {
                Some(q) => format!("{url}?{q}"),
                None => url.clone(),
            };
            parts.uri = target.parse().unwrap_or_else(|_| parts.uri.clone());
            strip_hop_by_hop(&mut parts.headers);
            parts
                .headers
                .insert(hyper::header::HOST, upstream.authority.clone());
            let outgoing = Request::from_parts(parts, Full::new(bytes.clone()));
            let (answer, response) = send(&upstream, outgoing).await;
            (bytes, answer, response)
        }
        Err(e) => {
            let unread = TransportError {
                kind: TransportErrorKind::Other,
                message: format!("reading the request body: {e}"),
            };
            let response = own_answer(&upstream, &unread);
            (Bytes::new(), Err(unread), response)
        }
    };
    let observed = Observed {
        started,
        method,
        url,
        path,
        query,
        request_headers,
        request_body,
        form: None,
        response: answer,
        elapsed_ms: clock.elapsed().as_secs_f64() * 1000.0,
    };
    // The session takes exchanges in order; a full queue slows the proxy rather than growing memory.
    let _ = session.send(observed).await;
    upstream.in_flight.fetch_sub(1, Ordering::SeqCst);
    Ok(response)
}

/// Sends one request upstream and reads the whole answer: what the session judges, and what the client
/// gets (the answer as it came, or the proxy's envelope when there was none).
async fn send(
    upstream: &Upstream,
    outgoing: Request<Full<Bytes>>,
) -> (Result<Answer, TransportError>, Response<Full<Bytes>>) {
    let exchange = async {
        let resp = upstream.client.request(outgoing).await.map_err(|e| {
            let kind = if e.is_connect() {
                TransportErrorKind::Refused
            } else {
                TransportErrorKind::Other
            };
            TransportError {
                kind,
                message: chain(&e),
            }
        })?;
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.map_err(|e| TransportError {
            kind: TransportErrorKind::Other,
            message: format!("reading the answer: {}", chain(&e)),
        })?;
        Ok::<_, TransportError>((parts, bytes.to_bytes()))
    };
    let outcome = match tokio::time::timeout(upstream.timeout, exchange).await {
        Ok(outcome) => outcome,
        Err(_) => Err(TransportError {
            kind: TransportErrorKind::Timeout,
            message: format!("no answer within {} ms", upstream.timeout.as_millis()),
        }),
    };
    match outcome {
        Ok((mut parts, bytes)) => {
            strip_hop_by_hop(&mut parts.headers);
            let answer = Answer {
                status: parts.status.as_u16(),
                headers: listed(&parts.headers),
                body: bytes.clone(),
            };
            (Ok(answer), Response::from_parts(parts, Full::new(bytes)))
        }
        Err(e) => {
            let response = own_answer(upstream, &e);
            (Err(e), response)
        }
    }
}

/// The error and its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// The proxy's own answer when the upstream gave none: the team's envelope, readable cross-origin.
fn own_answer(upstream: &Upstream, e: &TransportError) -> Response<Full<Bytes>> {
    let (status, what) = match e.kind {
        TransportErrorKind::Timeout => (504u16, "上游超时"),
        _ => (502, "上游不可达"),
    };
    let names = &upstream.envelope;
    let mut body = serde_json::Map::new();
    body.insert(names.code.clone(), status.into());
    body.insert(
        names.message.clone(),
        format!("{what}: {} ({})", e.message, upstream.origin).into(),
    );
    let text = serde_json::Value::Object(body).to_string();
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("access-control-allow-origin", "*")
        .body(Full::new(Bytes::from(text)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
