//! The sandbox: a backend served from the contracts themselves, so the tool runs on a machine with no
//! daodao backend and the mini-program team can develop against something faithful to the contract.
//!
//! Requests are validated as a correct backend would (401 without a token it issued, 400 naming the
//! parameter, a framework 404 for unknown routes, an envelope 404 for unknown ids); answers come from
//! the contract's example, shaped by the generic behaviours of [`behaviour`], and can be broken on
//! purpose with [`fault`]s.

mod auth;
mod embedded;
mod engine;
pub mod fault;
mod handler;
mod ids;
pub(crate) mod json;
mod listen;
pub mod profile;
mod reply;
pub(crate) mod routing;
mod state;

use crate::catalog::Catalog;
use crate::config::{EnvelopeConfig, PresetLogin, Role};
use crate::contract::behaviour::{Behaviour, BehaviourError};
use bytes::Bytes;
use fault::targets::{targets_of, Targets};
use fault::{Fault, SchemaDocs};
use handler::Incoming;
use http_body_util::{BodyExt, Full, Limited};
use ids::NumericIds;
pub use listen::{start, Limits};
use profile::{AnswerKey, Profile};
use reply::{Outcome, Reply};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use embedded::{embed, options_for, Embedded};

/// The SMS code the sandbox sends to every phone (documented in the README).
pub const DEV_SMS_CODE: &str = "123456";
/// WeChat login accepts codes with this prefix: the same code is the same user (new on first use).
pub const WECHAT_TEST_PREFIX: &str = "wx-test-";
/// The seeded staff account's phone and password when `DAODAO_STAFF_PHONE` / `DAODAO_STAFF_PASSWORD`
/// do not say otherwise (documented in the README; the sandbox's only, like its SMS code).
pub const SANDBOX_STAFF_PHONE: &str = "13912340000";
pub const SANDBOX_STAFF_PASSWORD: &str = "staff-sandbox-2026";
/// Request bodies larger than this are refused.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// The backend the sandbox plays; a profile adds its faults to these.
    pub profile: Profile,
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
    /// What a client may take from the server (timeouts, connections).
    pub limits: Limits,
    /// The store's staff account it seeds (role staff, password login); `None` seeds none.
    pub staff: Option<PresetLogin>,
}

/// The sandbox's own staff account.
pub fn default_staff() -> PresetLogin {
    PresetLogin {
        phone: SANDBOX_STAFF_PHONE.into(),
        password: SANDBOX_STAFF_PASSWORD.into(),
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            profile: Profile::Clean,
            faults: vec![],
            log: false,
            base_path: "/api/v1".into(),
            latency_budget_ms: 2000,
            envelope: EnvelopeConfig::default(),
            refresh_field: "refreshToken".into(),
            record: None,
            limits: Limits::default(),
            staff: Some(default_staff()),
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
    #[error("writing the answer key {}: {source}", path.display())]
    AnswerKey {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A fault spec on the command line that names no fault.
    #[error(transparent)]
    Fault(#[from] fault::ParseFaultError),
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Sandbox {
    pub catalog: Arc<Catalog>,
    pub options: Options,
    behaviours: HashMap<String, Behaviour>,
    routes: routing::Routes,
    /// Shared schema documents, for resolving `$ref` when breaking fields on purpose.
    schemas: SchemaDocs,
    /// Initial counter values, by counter name template.
    counter_init: HashMap<String, f64>,
    state: Mutex<state::State>,
    recorder: Option<Mutex<std::fs::File>>,
    /// Where the drift faults act on each contract's answers, by contract id.
    targets: HashMap<String, Targets>,
    /// The numbers ids were answered as.
    ids: NumericIds,
    /// What the profile planted.
    answer_key: AnswerKey,
}

impl Sandbox {
    /// Builds the sandbox from a loaded catalogue. Errors name the contract whose `sandbox` key is invalid.
    pub fn new(
        catalog: Arc<Catalog>,
        contracts_dir: &Path,
        mut options: Options,
    ) -> Result<Sandbox, SandboxError> {
        let mut behaviours = HashMap::new();
        for c in &catalog.contracts {
            let b = match &c.sandbox {
                Some(v) => Behaviour::parse(v).map_err(|source| SandboxError::Behaviour {
                    file: c.file.clone(),
                    source,
                })?,
                None => Behaviour::default(),
            };
            unknown_waiver(&b).map_or(Ok(()), |source| {
                Err(SandboxError::Behaviour {
                    file: c.file.clone(),
                    source,
                })
            })?;
            behaviours.insert(c.id.clone(), b);
        }
        let endpoints = catalog.contracts.iter();
        let routes = routing::Routes::new(endpoints.map(|c| (c.method.as_str(), c.path.as_str())));
        let recorder = match &options.record {
            Some(path) => Some(Mutex::new(std::fs::File::create(path).map_err(
                |source| SandboxError::Record {
                    path: path.clone(),
                    source,
                },
            )?)),
            None => None,
        };
        let mut state = state::State::new(options.seed);
        if let Some(staff) = &options.staff {
            state.add_user_as(&staff.phone, Some(staff.password.clone()), Role::Staff);
        }
        let data_field = options.envelope.data.clone();
        let counter_init = engine::seed(&catalog, &behaviours, &data_field, &mut state);
        let schemas = SchemaDocs::load(&contracts_dir.join("_schemas"));
        let targets = targets_of(&catalog, &behaviours, &schemas, &data_field);
        let catalogue = profile::Catalogue {
            catalog: &catalog,
            behaviours: &behaviours,
            targets: &targets,
            data_field: &data_field,
        };
        let (planted, answer_key) = profile::plant(options.profile, options.seed, &catalogue);
        options.faults.extend(planted);
        Ok(Sandbox {
            schemas,
            catalog,
            state: Mutex::new(state),
            recorder,
            options,
            behaviours,
            routes,
            counter_init,
            targets,
            ids: NumericIds::default(),
            answer_key,
        })
    }
}

impl Sandbox {
    /// What the profile planted: which endpoint got which drift.
    pub fn answer_key(&self) -> &AnswerKey {
        &self.answer_key
    }

    /// The answer to a route the backend does not know: Express's own page, or the drifted
    /// backend's envelope 404.
    pub(crate) fn unrouted(&self, req: &Incoming) -> Reply {
        match self.options.profile {
            Profile::Clean => routing::framework_404(req.method, req.path),
            Profile::Drifted => routing::envelope_404(&self.options.envelope),
        }
    }
}

/// A rule waived by a fault that does not exist: a typo would leave the rule on for good.
fn unknown_waiver(b: &Behaviour) -> Option<BehaviourError> {
    let rules = b.all_rules();
    let unknown = rules.iter().find_map(|r| {
        let name = r.waived_by.as_deref()?;
        fault::FaultKind::from_name(name).is_none().then_some(name)
    })?;
    Some(BehaviourError {
        path: "require.waived_by".into(),
        source: serde::de::Error::custom(fault::ParseFaultError {
            given: unknown.to_string(),
        }),
    })
}

/// A running sandbox; dropping it (or calling `stop`) stops the server.
pub struct Running {
    pub addr: SocketAddr,
    /// What its profile planted.
    pub answer_key: AnswerKey,
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

/// What the log and the recorder keep of a request.
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
}

impl Seen {
    fn of(req: &hyper::Request<hyper::body::Incoming>) -> Seen {
        Seen {
            method: req.method().as_str().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().map(str::to_string),
            authorization: header(req, hyper::header::AUTHORIZATION),
        }
    }

    fn with_body<'a>(&'a self, body: &'a [u8], content_type: Option<&'a str>) -> Incoming<'a> {
        Incoming {
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref(),
            authorization: self.authorization.as_deref(),
            content_type,
            body,
        }
    }
}

fn header(
    req: &hyper::Request<hyper::body::Incoming>,
    name: hyper::header::HeaderName,
) -> Option<String> {
    let value = req.headers().get(name)?;
    value.to_str().ok().map(str::to_string)
}

async fn serve_one(
    sandbox: Arc<Sandbox>,
    req: hyper::Request<hyper::body::Incoming>,
    body_timeout: std::time::Duration,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let start = std::time::Instant::now();
    let seen = Seen::of(&req);
    let content_type = header(&req, hyper::header::CONTENT_TYPE);
    let (reply, body) = if seen.method == "OPTIONS" {
        let preflight = Reply::text(204, "text/plain", String::new(), Outcome::Preflight);
        (preflight, None)
    } else {
        let body = tokio::time::timeout(
            body_timeout,
            read_body(req.into_body(), content_type.as_deref()),
        );
        match body.await.ok().flatten() {
            Some(body) => {
                // A form upload was read as JSON.
                let is_form =
                    (content_type.as_deref()).is_some_and(|ct| multer::parse_boundary(ct).is_ok());
                let declared = if is_form {
                    Some("application/json")
                } else {
                    content_type.as_deref()
                };
                let reply = handler::handle(&sandbox, &seen.with_body(&body, declared));
                (reply, Some(body))
            }
            None => {
                let unread = Reply::failure(Outcome::Unreadable, 400, 400, "请求体过大或读取失败");
                (unread, None)
            }
        }
    };
    if reply.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(reply.delay_ms)).await;
    }
    record(&sandbox, &seen, body.as_deref());
    if sandbox.options.log {
        eprintln!(
            "{} {} {} code={} {}ms",
            seen.method,
            seen.path,
            reply.status,
            reply.code.map_or("-".into(), |c| c.to_string()),
            start.elapsed().as_millis()
        );
    }
    let text = reply.body.text(&sandbox.options.envelope);
    let resp = cors(hyper::Response::builder())
        .status(reply.status)
        .header("Content-Type", reply.body.content_type())
        .body(Full::new(Bytes::from(text)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())));
    Ok(resp)
}

/// The request body, up to the size limit (`None` past it or when it cannot be read). A form upload
/// reads as a JSON body whose file fields hold the uploaded file's name, so it is validated and
/// answered like one.
async fn read_body(body: hyper::body::Incoming, content_type: Option<&str>) -> Option<Bytes> {
    let bytes = Limited::new(body, MAX_REQUEST_BYTES)
        .collect()
        .await
        .ok()?
        .to_bytes();
    let Some(boundary) = content_type.and_then(|ct| multer::parse_boundary(ct).ok()) else {
        return Some(bytes);
    };
    Some(match form_as_json(bytes, boundary).await {
        Ok(json) => Bytes::from(json.to_string()),
        Err(e) => Bytes::from(format!("not a valid multipart body: {e}")),
    })
}

/// Appends the request to the recording, if there is one (the body as JSON, or null).
fn record(sandbox: &Sandbox, seen: &Seen, body: Option<&[u8]>) {
    use std::io::Write;
    let Some(recorder) = &sandbox.recorder else {
        return;
    };
    let body: Value = body
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or(Value::Null);
    let line = serde_json::json!({
        "method": seen.method, "path": seen.path, "query": seen.query,
        "authorization": seen.authorization, "body": body,
    });
    let mut f = recorder.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(f, "{line}");
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
/// A sandbox over contracts given as JSON, without request validation, for the unit tests.
#[cfg(test)]
pub(crate) fn test_sandbox(contracts: Vec<Value>, faults: &[&str]) -> Sandbox {
    test_sandbox_playing(contracts, faults, Profile::Clean, 1)
}

/// A sandbox over contracts given as JSON that plays a profile, for the unit tests.
#[cfg(test)]
pub(crate) fn test_sandbox_playing(
    contracts: Vec<Value>,
    faults: &[&str],
    profile: Profile,
    seed: u64,
) -> Sandbox {
    let catalog = Catalog {
        plan: crate::plan::Plan {
            prefix: "/api/v1".into(),
            modules: vec![],
            phases: vec![],
        },
        contracts: contracts
            .into_iter()
            .map(|c| serde_json::from_value(c).expect("a contract"))
            .collect(),
        compiled: HashMap::new(),
        scenarios: vec![],
        decisions: Default::default(),
    };
    let options = Options {
        faults: faults
            .iter()
            .map(|f| Fault::parse(f).expect("a fault"))
            .collect(),
        profile,
        seed,
        ..Options::default()
    };
    Sandbox::new(Arc::new(catalog), Path::new("no-contracts-dir"), options).expect("a sandbox")
}
