//! `proxy`: forward the mini-program's requests to the backend unchanged and judge every exchange
//! against its contract, live; on Ctrl-C (or `--duration`, `--until-idle`) print the report and write
//! reports/last-run.json with the plan's coverage.

use super::run::{publish, OutputArgs, SandboxFlags};
use super::{fail, load_catalog, ProjectArgs};
use daodao_check::config::Overrides;
use daodao_check::error::{exit, Error, Result};
use daodao_check::proxy::{Live, Options, Proxy};
use daodao_check::report::Style;
use daodao_check::source::display_path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ProxyArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Named environment from the config ([env.NAME]) whose base URL is the default upstream; also
    /// DAODAO_ENV.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// How long an exchange may take upstream before the client gets a 504; also DAODAO_TIMEOUT_MS.
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// The backend to forward to, e.g. http://localhost:3000/api/v1 (default: the configured base URL),
    /// or `sandbox` for the embedded sandbox.
    #[arg(long, value_name = "URL|sandbox")]
    upstream: Option<String>,
    /// Where the mini-program sends its requests.
    #[arg(long, default_value = "127.0.0.1:3002")]
    listen: std::net::SocketAddr,
    /// Record every exchange as HAR 1.2 (bodies included, secrets masked).
    #[arg(long, value_name = "FILE.har")]
    record: Option<PathBuf>,
    /// Keep the secrets (tokens, passwords, phones) in the recording.
    #[arg(long, requires = "record")]
    record_secrets: bool,
    /// Stop after this long (e.g. 30m, 90s, 1h) and write the report.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Stop after this long without an exchange (e.g. 5m) and write the report.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    until_idle: Option<Duration>,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    sandbox: SandboxFlags,
}

/// `30m`, `90s`, `1h`, `1500ms`; a bare number is seconds.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 30m, 90s, 1h, 1500ms)"))?;
    let ms = match unit {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => None,
    };
    match ms {
        Some(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "`{s}` is not a duration (e.g. 30m, 90s, 1h, 1500ms)"
        )),
    }
}

pub fn proxy(args: &ProxyArgs) -> i32 {
    match serve(args) {
        Ok(passed) => exit::for_run(passed),
        Err(e) => fail(e),
    }
}

fn serve(args: &ProxyArgs) -> Result<bool> {
    let config = args.project.load_with(&Overrides {
        env: args.env.clone(),
        timeout_ms: args.timeout_ms,
        ..Overrides::default()
    })?;
    let catalog = Arc::new(load_catalog(&config)?);
    // A typo in --report fails before the session, not after it.
    daodao_check::report::parse_specs(&args.output.reports)?;
    let style = Style::detect(args.output.color.choice());
    let sandbox = match args.upstream.as_deref() {
        Some("sandbox") => Some(args.sandbox.embedded().unwrap_or_default()),
        _ => args.sandbox.embedded(),
    };
    let options = Options {
        listen: args.listen,
        upstream: args.upstream.clone().filter(|u| u != "sandbox"),
        sandbox,
        // `-q` shows only the exchanges with a finding, live, and the summary at the end.
        live: Live {
            style,
            quiet: args.output.quiet,
        },
        record: args.record.clone(),
        record_secrets: args.record_secrets,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let contracts = catalog.contracts.len();
    let finished = runtime.block_on(async {
        // Listening for Ctrl-C before saying where the proxy listens: a Ctrl-C that came before would
        // end it without its report.
        let signals = Signals::install()?;
        let proxy = Proxy::start(
            config.clone(),
            catalog.clone(),
            options,
            Box::new(std::io::stdout()),
        )
        .await?;
        eprintln!(
            "daodao-check proxy: http://{} → {} ({contracts} 个合约); Ctrl-C 结束并写报告",
            proxy.addr, proxy.upstream
        );
        if let Some(w) = &proxy.warning {
            eprintln!("warning: {w}");
        }
        until_stopped(&proxy, args, signals).await;
        Ok::<_, Error>(proxy.finish().await?)
    })?;
    publish(&config, &catalog, &finished.result, &args.output)?;
    daodao_check::run::write_session_files(&config.reports_dir, &finished.secrets)?;
    if let (Some(path), Some(n)) = (&args.record, finished.recorded) {
        eprintln!(
            "wrote {} ({n} 条记录, HAR 1.2)",
            display_path(&config.root, path)
        );
    }
    Ok(finished.result.passed())
}

/// Ctrl-C and SIGTERM, listened for from the start.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind| signal(kind).map_err(|e| Error::io("listening for Ctrl-C", e));
        Ok(Signals {
            interrupt: listen(SignalKind::interrupt())?,
            terminate: listen(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> Result<Signals> {
        Ok(Signals {})
    }

    #[cfg(unix)]
    async fn received(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn received(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Ctrl-C, SIGTERM, `--duration` or `--until-idle`, whichever comes first.
async fn until_stopped(proxy: &Proxy, args: &ProxyArgs, mut signals: Signals) {
    let duration = async {
        match args.duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let idle = async {
        let Some(limit) = args.until_idle else {
            return std::future::pending().await;
        };
        loop {
            let idle = proxy.idle_for();
            if idle >= limit {
                return;
            }
            tokio::time::sleep(limit - idle).await;
        }
    };
    tokio::select! {
        _ = signals.received() => {}
        _ = duration => {}
        _ = idle => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit_and_a_bare_number_is_seconds() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        for bad in ["", "m", "5 days", "0s", "-1s", "99999999999999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
