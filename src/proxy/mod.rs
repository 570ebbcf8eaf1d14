//! The validating proxy: 联调 as it happens. The mini-program (WeChat DevTools) talks to the proxy, the
//! proxy forwards every exchange unchanged to the backend's dev server (or the embedded sandbox) and
//! judges it against its contract on the side, live: the request against the contract's request
//! schemas (a 前端 finding), the answer with the run's own checks (a 后端 finding), a route no contract
//! describes as 未登记接口 with the contract it most likely meant.
//!
//! - [`server`] forwards (byte for byte) and hands each answered exchange over;
//! - [`session`] judges ([`judge`], [`request`], [`suggest`]), adds up ([`tally`]), prints the live
//!   line ([`live`]) and records HAR ([`har`]), one exchange at a time in arrival order;
//! - [`Proxy::finish`] ends it with a result like a run's (`selection: "proxy"`), plus the plan's
//!   coverage: which endpoints the front end exercised, and which never.
//!
//! [`check_har`] judges a HAR file (recorded here, or exported by a browser, Charles, Fiddler) the
//! same way, offline.

mod har;
mod judge;
mod live;
mod observed;
mod request;
mod server;
mod session;
mod suggest;
mod tally;
#[cfg(test)]
mod test_support;

pub use har::HarError;
pub use live::Live;
pub use session::Finished;

/// Why the proxy (or `check-har`) cannot start or finish.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("--upstream {url}: {message}")]
    Upstream { url: String, message: String },
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the proxy's session ended abnormally: {0}")]
    SessionEnded(String),
    #[error(transparent)]
    Har(#[from] HarError),
    #[error("{}: {source}", path.display())]
    Recording {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Sandbox(#[from] crate::sandbox::SandboxError),
}

type Result<T, E = ProxyError> = std::result::Result<T, E>;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::exec::Fingerprints;
use crate::http::Client;
use crate::sandbox::{Embedded, Running};
use judge::Judge;
use observed::Observed;
use server::Upstream;
use session::Session;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tally::Meta;
use tokio::sync::{mpsc, oneshot};

/// Exchanges waiting to be judged; a full queue slows the proxy down instead of growing.
const QUEUE: usize = 1024;
/// How long a session waits for requests still being forwarded when it ends.
const DRAIN: Duration = Duration::from_secs(2);
/// After a failed probe of the upstream, how long before the next.
const PROBE_AGAIN: Duration = Duration::from_secs(10);

/// How to run a proxy session.
pub struct Options {
    pub listen: SocketAddr,
    /// The upstream URL; the configuration's base URL when absent. Ignored with `sandbox`.
    pub upstream: Option<String>,
    /// Start the embedded sandbox as the upstream.
    pub sandbox: Option<Embedded>,
    pub live: Live,
    /// Record every exchange in this HAR file.
    pub record: Option<PathBuf>,
    /// Keep the secrets in the recording (masked by default).
    pub record_secrets: bool,
}

/// A running proxy session.
pub struct Proxy {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Where it forwards to.
    pub upstream: String,
    /// Said once at the start when the upstream did not answer (the proxy runs anyway).
    pub warning: Option<String>,
    server: tokio::task::JoinHandle<()>,
    forwarding: Arc<Upstream>,
    finish: oneshot::Sender<()>,
    session: tokio::task::JoinHandle<Result<Finished>>,
    /// Milliseconds since `clock` at the last exchange.
    last_exchange: Arc<AtomicU64>,
    clock: Instant,
    _sandbox: Option<Running>,
}

impl Proxy {
    /// Starts the upstream (when it is the sandbox), listens, and starts judging.
    pub async fn start(
        mut config: Config,
        catalog: Arc<Catalog>,
        options: Options,
        out: Box<dyn Write + Send>,
    ) -> Result<Proxy> {
        let sandbox = match &options.sandbox {
            Some(embedded) => {
                Some(crate::sandbox::embed(&mut config, catalog.clone(), embedded).await?)
            }
            None => None,
        };
        let upstream = match (&sandbox, &options.upstream) {
            (None, Some(url)) => url.trim_end_matches('/').to_string(),
            _ => config.base_url.trim_end_matches('/').to_string(),
        };
        let forwarding = Arc::new(
            Upstream::new(&upstream, config.timeout_ms, config.envelope.clone()).map_err(
                |message| ProxyError::Upstream {
                    url: upstream.clone(),
                    message,
                },
            )?,
        );
        let listen = options.listen;
        let listen_failed = |source| ProxyError::Listen {
            addr: listen,
            source,
        };
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(listen_failed)?;
        let addr = listener.local_addr().map_err(listen_failed)?;
        let probe =
            Client::new(&upstream, config.timeout_ms, &config.fixtures_dir).map_err(|e| {
                ProxyError::Upstream {
                    url: upstream.clone(),
                    message: e.to_string(),
                }
            })?;
        let fingerprints = Fingerprints::learn(&probe, &config.envelope.code).await;
        let warning = fingerprints.as_ref().err().map(|e| {
            format!(
                "上游暂不可达 ({upstream}: {}): 请求将得到 502, 直到上游启动",
                e.message
            )
        });
        let har = match &options.record {
            Some(path) => Some(har::HarWriter::create(path, !options.record_secrets)?),
            None => None,
        };
        let (tx, rx) = mpsc::channel(QUEUE);
        let (finish, finished) = oneshot::channel();
        let last_exchange = Arc::new(AtomicU64::new(0));
        let clock = Instant::now();
        let judging = Judging {
            config: Arc::new(config),
            catalog,
            live: options.live,
            har,
            probe,
            fingerprints: fingerprints.ok(),
            source: upstream.clone(),
            sandbox: options
                .sandbox
                .as_ref()
                .map(|e| e.profile.name().to_string()),
            last_exchange: last_exchange.clone(),
            clock,
        };
        let session = tokio::spawn(judging.run(rx, finished, out));
        let server = tokio::spawn(server::serve(listener, forwarding.clone(), tx));
        Ok(Proxy {
            addr,
            upstream,
            warning,
            server,
            forwarding,
            finish,
            session,
            last_exchange,
            clock,
            _sandbox: sandbox,
        })
    }

    /// How long since the last exchange (or the start).
    pub fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_exchange.load(Ordering::SeqCst));
        self.clock.elapsed().saturating_sub(last)
    }

    /// Stops listening, waits a little for requests still on their way, and ends the session.
    pub async fn finish(self) -> Result<Finished> {
        self.server.abort();
        let deadline = Instant::now() + DRAIN;
        while self.forwarding.in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = self.finish.send(());
        self.session
            .await
            .map_err(|e| ProxyError::SessionEnded(e.to_string()))?
    }
}

/// What the judging task owns.
struct Judging {
    config: Arc<Config>,
    catalog: Arc<Catalog>,
    live: Live,
    har: Option<har::HarWriter>,
    /// A client of the upstream, for the route probes.
    probe: Client,
    fingerprints: Option<Fingerprints>,
    source: String,
    sandbox: Option<String>,
    last_exchange: Arc<AtomicU64>,
    clock: Instant,
}

impl Judging {
    /// Takes exchanges in arrival order until told to finish, then those still queued.
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Observed>,
        mut finish: oneshot::Receiver<()>,
        out: Box<dyn Write + Send>,
    ) -> Result<Finished> {
        let started = chrono::Local::now();
        let config = self.config.clone();
        let catalog = self.catalog.clone();
        let base_path = base_path(&self.source, &catalog);
        let judge = Judge::new(&catalog, &config, &base_path, false);
        let mut session = Session::new(judge, &config.envelope.code, self.live, out);
        if let Some(har) = self.har.take() {
            session.record(har);
        }
        let mut probed = Instant::now();
        loop {
            let o = tokio::select! {
                biased;
                Some(o) = rx.recv() => o,
                _ = &mut finish => break,
            };
            self.note_exchange();
            self.probe_again(&o, &mut probed).await;
            let fingerprint = match (&self.fingerprints, o.bearer()) {
                (Some(fps), Some(token)) => {
                    fps.with_token(&self.probe, &config.envelope.code, token)
                        .await
                }
                (Some(fps), None) => fps.anonymous.as_ref(),
                (None, _) => None,
            };
            session.take(&o, fingerprint).await?;
        }
        while let Ok(o) = rx.try_recv() {
            let fingerprint = self
                .fingerprints
                .as_ref()
                .and_then(|f| f.anonymous.as_ref());
            session.take(&o, fingerprint).await?;
        }
        let finished = chrono::Local::now();
        let meta = Meta {
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            finished_at: finished.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            duration_ms: (finished - started).num_milliseconds() as f64,
            env: config.env_name.clone(),
            base_url: self.source.clone(),
            selection: "proxy".into(),
            latency_budget_ms: config.latency_budget_ms,
            sandbox: self.sandbox.clone(),
            source: self.source.clone(),
        };
        session.finish(&catalog, meta)
    }

    fn note_exchange(&self) {
        let now = self.clock.elapsed().as_millis() as u64;
        self.last_exchange.store(now, Ordering::SeqCst);
    }

    /// The upstream was down when the session started: learn its catch-all once it answers.
    async fn probe_again(&mut self, o: &Observed, last: &mut Instant) {
        if self.fingerprints.is_some() || o.response.is_err() || last.elapsed() < PROBE_AGAIN {
            return;
        }
        *last = Instant::now();
        self.fingerprints = Fingerprints::learn(&self.probe, &self.config.envelope.code)
            .await
            .ok();
    }
}

/// The path the API is served under: the upstream URL's (`/api/v1`), or the plan's prefix when the
/// upstream is given as a bare origin.
fn base_path(upstream: &str, catalog: &Catalog) -> String {
    let path = reqwest::Url::parse(upstream)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    if path.is_empty() {
        catalog.plan.prefix.clone()
    } else {
        path
    }
}

/// Judges the exchanges of a HAR file as the proxy judges them live; `out` gets their lines.
pub async fn check_har(
    config: &Config,
    catalog: &Catalog,
    file: &std::path::Path,
    live: Live,
    out: Box<dyn Write + Send>,
) -> Result<Finished> {
    let started = chrono::Local::now();
    let har = har::read(file)?;
    let mut judge = Judge::new(catalog, config, &config.base_path(), true);
    if har.masked {
        judge.skip_masked_values();
    }
    let fingerprint = session::fingerprint_from(&har.entries, &judge, &config.envelope.code);
    let mut session = Session::new(judge, &config.envelope.code, live, out);
    for o in &har.entries {
        session.take(o, fingerprint.as_ref()).await?;
    }
    let finished = chrono::Local::now();
    let shown = file.display().to_string();
    let meta = Meta {
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        finished_at: finished.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        duration_ms: (finished - started).num_milliseconds() as f64,
        env: "har".into(),
        base_url: shown.clone(),
        selection: "har".into(),
        latency_budget_ms: config.latency_budget_ms,
        sandbox: None,
        source: shown,
    };
    let mut result = session.finish(catalog, meta)?;
    if let Some(p) = result.result.proxy.as_mut() {
        p.ignored += har.skipped;
    }
    Ok(result)
}
