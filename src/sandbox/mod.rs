//! The sandbox: a backend served from the contracts themselves, so the tool runs on a machine with no
//! daodao backend and the mini-program team can develop against something faithful to the contract.
//!
//! Requests are validated as a correct backend would (401 without a token it issued, 400 naming the
//! parameter, a framework 404 for unknown routes, an envelope 404 for unknown ids); answers come from
//! the contract's example, shaped by the generic behaviours of [`behaviour`], and can be broken on
//! purpose with [`fault`]s.

pub mod behaviour;
pub mod fault;
mod handler;
mod state;

use crate::catalog::Catalog;
use crate::config::{Config, EnvelopeConfig};
use crate::error::{Error, Result};
use behaviour::{Behaviour, BehaviourError};
use bytes::Bytes;
use fault::Fault;
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// The SMS code the sandbox sends to every phone (documented in the README).
pub const DEV_SMS_CODE: &str = "123456";
/// WeChat login accepts codes with this prefix: the same code is the same user (new on first use).
pub const WECHAT_TEST_PREFIX: &str = "wx-test-";
/// Request bodies larger than this are refused.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub faults: Vec<Fault>,
    /// Log one line per request to stderr.
    pub log: bool,
    /// The path the API is served under (`/api/v1`).
    pub base_path: String,
    /// Used by the `slow` fault: answers take longer than this.
    pub latency_budget_ms: u64,
    pub envelope: EnvelopeConfig,
    /// The body field the refresh endpoint takes its token in.
    pub refresh_field: String,
    /// Append every request as a JSON line here (for the benchmark's bare-client replay).
    pub record: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            faults: vec![],
            log: false,
            base_path: "/api/v1".into(),
            latency_budget_ms: 2000,
            envelope: EnvelopeConfig::default(),
            refresh_field: "refreshToken".into(),
            record: None,
        }
    }
}

/// Why a sandbox could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{}: {source}", file.display())]
    Behaviour {
        file: PathBuf,
        source: BehaviourError,
    },
    #[error("{}: {source}", path.display())]
    Record {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<SandboxError> for Error {
    fn from(e: SandboxError) -> Error {
        Error::Usage(e.to_string())
    }
}

pub struct Route {
    pub index: usize,
    pub method: String,
    pub segments: Vec<String>,
}

pub struct Sandbox {
    pub catalog: Arc<Catalog>,
    pub options: Options,
    behaviours: HashMap<String, Behaviour>,
    routes: Vec<Route>,
    /// Shared schema documents by file name, for resolving `$ref` when breaking fields on purpose.
    shared: HashMap<String, Value>,
    /// Initial counter values, by counter name template.
    counter_init: HashMap<String, f64>,
    state: Mutex<state::State>,
    recorder: Option<Mutex<std::fs::File>>,
}

/// The response the handler produced.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub delay_ms: u64,
    /// Envelope code, for the log line.
    pub code: Option<i64>,
}

impl Sandbox {
    /// Builds the sandbox from a loaded catalogue. Errors name the contract whose `sandbox` key is invalid.
    pub fn new(
        catalog: Arc<Catalog>,
        contracts_dir: &std::path::Path,
        options: Options,
    ) -> Result<Sandbox, SandboxError> {
        let mut behaviours = HashMap::new();
        let mut routes = vec![];
        for (index, c) in catalog.contracts.iter().enumerate() {
            let b = match &c.sandbox {
                Some(v) => Behaviour::parse(v).map_err(|source| SandboxError::Behaviour {
                    file: c.file.clone(),
                    source,
                })?,
                None => Behaviour::default(),
            };
            behaviours.insert(c.id.clone(), b);
            routes.push(Route {
                index,
                method: c.method.clone(),
                segments: c
                    .path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
        // Literal segments win over parameters: /vehicles/favorites before /vehicles/{id}.
        routes.sort_by_key(|r| {
            std::cmp::Reverse(r.segments.iter().filter(|s| !s.starts_with('{')).count())
        });
        let mut shared = HashMap::new();
        if let Ok(rd) = std::fs::read_dir(contracts_dir.join("_schemas")) {
            for e in rd.flatten() {
                if let Ok(text) = std::fs::read_to_string(e.path()) {
                    if let Ok(v) = serde_json::from_str::<Value>(&text) {
                        shared.insert(e.file_name().to_string_lossy().to_string(), v);
                    }
                }
            }
        }
        let mut sandbox = Sandbox {
            catalog,
            state: Mutex::new(state::State::new(options.seed)),
            recorder: match &options.record {
                Some(path) => Some(Mutex::new(std::fs::File::create(path).map_err(
                    |source| SandboxError::Record {
                        path: path.clone(),
                        source,
                    },
                )?)),
                None => None,
            },
            options,
            behaviours,
            routes,
            shared,
            counter_init: HashMap::new(),
        };
        sandbox.seed();
        Ok(sandbox)
    }

    /// Seeds collections from the examples (list items, detail examples) and counters from the examples
    /// of the endpoints that read them.
    fn seed(&mut self) {
        let data_field = self.options.envelope.data.clone();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for c in &self.catalog.contracts {
            let Some(b) = self.behaviours.get(&c.id) else {
                continue;
            };
            let data = c
                .example
                .response
                .get(&data_field)
                .cloned()
                .unwrap_or(Value::Null);
            // Counters start at the example's value, by template and by the name the example's own
            // request renders it to (so `likes:{{path.id}}` starts at the example for that id only).
            let mut vars = crate::scenario::template::Vars::new();
            for (prefix, part) in [
                ("path", &c.example.request.path_params),
                ("query", &c.example.request.query),
                ("body", &c.example.request.body),
            ] {
                if let Some(Value::Object(o)) = part {
                    for (k, v) in o {
                        vars.insert(format!("{prefix}.{k}"), v.clone());
                    }
                }
            }
            let builtins = crate::scenario::template::Builtins::new(0);
            for (pointer, name) in &b.counters {
                if let (Some(name), Some(v)) =
                    (name.as_str(), data.pointer(pointer).and_then(Value::as_f64))
                {
                    self.counter_init.entry(name.to_string()).or_insert(v);
                    if let Ok(Value::String(rendered)) =
                        crate::scenario::template::render_str(name, &vars, &builtins)
                    {
                        self.counter_init.entry(rendered).or_insert(v);
                    }
                }
            }
            let Some(collection) = b.collection.as_ref().filter(|_| b.seed) else {
                continue;
            };
            let items: Vec<Value> = match b.action {
                behaviour::Action::List => example_items(&data),
                behaviour::Action::Get => {
                    let param = b
                        .param
                        .clone()
                        .or_else(|| c.path_param_names().first().map(|s| s.to_string()));
                    let key = param.and_then(|p| {
                        c.example
                            .request
                            .path_params
                            .as_ref()
                            .and_then(|pp| pp.get(&p))
                            .cloned()
                    });
                    match (key, data.clone()) {
                        (Some(k), Value::Object(mut o)) => {
                            o.entry(b.key.clone()).or_insert(k);
                            vec![Value::Object(o)]
                        }
                        _ => vec![],
                    }
                }
                _ => vec![],
            };
            for item in items {
                let Some(key) = item.get(&b.key).map(crate::exec::session::value_text) else {
                    continue;
                };
                let records = state.records.entry(collection.clone()).or_default();
                if !records.iter().any(|r| r.key == key) {
                    records.push(state::Record {
                        key,
                        owner: None,
                        value: item,
                        seq: 0,
                    });
                }
            }
        }
    }

    /// Resolves a `$ref` found in shared document `base` ("" for a contract's own schema).
    fn resolve_ref(&self, r: &str, base: &str) -> Option<(Value, String)> {
        let (file, pointer) = r.split_once('#').unwrap_or((r, ""));
        let file = file.rsplit('/').next().unwrap_or(file);
        let doc_name = if file.is_empty() { base } else { file };
        let doc = self.shared.get(doc_name)?;
        Some((doc.pointer(pointer)?.clone(), doc_name.to_string()))
    }
}

/// The items of a list example: a bare array, or the `list` of a page.
pub(crate) fn example_items(data: &Value) -> Vec<Value> {
    match data {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .get("list")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => vec![],
    }
}

/// A running sandbox; dropping it (or calling `stop`) stops the server.
pub struct Running {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn base_url(&self, base_path: &str) -> String {
        format!("http://{}{}", self.addr, base_path)
    }
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn cors(builder: hyper::http::response::Builder) -> hyper::http::response::Builder {
    builder
        .header("Access-Control-Allow-Origin", "*")
        .header(
            "Access-Control-Allow-Methods",
            "GET, POST, PUT, DELETE, PATCH, OPTIONS",
        )
        .header(
            "Access-Control-Allow-Headers",
            "Authorization, Content-Type",
        )
}

async fn serve_one(
    sandbox: Arc<Sandbox>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let start = std::time::Instant::now();
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let auth = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut recorded_body = Value::Null;
    let reply = if method == "OPTIONS" {
        Reply {
            status: 204,
            content_type: "text/plain",
            body: String::new(),
            delay_ms: 0,
            code: None,
        }
    } else {
        match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
            .collect()
            .await
        {
            Ok(collected) => {
                let mut bytes = collected.to_bytes();
                // A form upload is validated and answered like a JSON body whose file fields hold the
                // uploaded file's name.
                if let Some(boundary) = content_type
                    .as_deref()
                    .and_then(|ct| multer::parse_boundary(ct).ok())
                {
                    bytes = match form_as_json(bytes, boundary).await {
                        Ok(json) => Bytes::from(json.to_string()),
                        Err(e) => Bytes::from(format!("not a valid multipart body: {e}")),
                    };
                }
                if sandbox.recorder.is_some() {
                    recorded_body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                }
                let s = sandbox.clone();
                handler::handle(
                    &s,
                    &method,
                    &path,
                    query.as_deref(),
                    auth.as_deref(),
                    &bytes,
                )
            }
            Err(_) => {
                handler::envelope_reply(&sandbox, 400, 400, "请求体过大或读取失败", Value::Null)
            }
        }
    };
    if reply.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(reply.delay_ms)).await;
    }
    if let Some(rec) = &sandbox.recorder {
        use std::io::Write;
        let line = serde_json::json!({
            "method": method, "path": path, "query": query, "authorization": auth, "body": recorded_body,
        });
        let mut f = rec.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(f, "{line}");
    }
    if sandbox.options.log {
        eprintln!(
            "{method} {path} {} code={} {}ms",
            reply.status,
            reply.code.map_or("-".into(), |c| c.to_string()),
            start.elapsed().as_millis()
        );
    }
    let resp = cors(hyper::Response::builder())
        .status(reply.status)
        .header("Content-Type", reply.content_type)
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())));
    Ok(resp)
}

/// Reads a multipart/form-data body into a JSON object: text fields as strings, files as their names.
async fn form_as_json(body: Bytes, boundary: String) -> Result<Value, multer::Error> {
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut out = serde_json::Map::new();
    while let Some(field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_string();
        let value = match field.file_name().map(str::to_string) {
            Some(file_name) => {
                field.bytes().await?;
                file_name
            }
            None => field.text().await?,
        };
        out.insert(name, Value::String(value));
    }
    Ok(Value::Object(out))
}

/// Serves the sandbox on `addr` (port 0 picks a free port) in the current Tokio runtime.
pub async fn start(sandbox: Arc<Sandbox>, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let sandbox = sandbox.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| serve_one(sandbox.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(Running { addr, task })
}

pub fn options_for(config: &Config, seed: u64, faults: &[String], log: bool) -> Result<Options> {
    let faults = faults
        .iter()
        .map(|f| fault::Fault::parse(f))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(Options {
        seed,
        faults,
        log,
        base_path: config.base_path(),
        latency_budget_ms: config.latency_budget_ms,
        envelope: config.envelope.clone(),
        refresh_field: config.auth.refresh_field.clone(),
        record: None,
    })
}

/// Starts the embedded sandbox and points the configuration at it: a fresh user per account, the
/// sandbox's SMS code.
pub async fn embed(
    config: &mut Config,
    catalog: Arc<Catalog>,
    faults: &[String],
) -> Result<Running> {
    let options = options_for(config, 1, faults, false)?;
    let sandbox = Sandbox::new(catalog, &config.contracts_dir, options)?;
    let running = start(Arc::new(sandbox), ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| Error::io("starting the sandbox", e))?;
    config.base_url = running.base_url(&config.base_path());
    config.env_name = "sandbox".into();
    config.sms = crate::config::SmsConfig::Fixed {
        value: DEV_SMS_CODE.into(),
    };
    for a in config.accounts.values_mut() {
        a.flow = crate::config::LoginFlow::Register;
    }
    Ok(running)
}
