//! The command line: clap types and one file per command. Each command parses its arguments, calls the
//! library and turns the outcome into text and an exit code; no behaviour lives here.

mod check_har;
mod export;
mod import;
mod lint;
mod list;
mod progress;
mod proxy;
mod report;
mod run;
mod sandbox;
mod schema;

use clap::{Parser, Subcommand};
use daodao_check::catalog::Catalog;
use daodao_check::config::{self, Config, ConfigError, Overrides, ProcessEnv};
use daodao_check::error::{Error, Result};
use daodao_check::report::ColorChoice;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "daodao-check",
    version,
    about = "叨叨房车 API 联调与契约测试 (contract tests for the daodao API)"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Config file (default: daodao-check.toml in this directory or a parent).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Named environment from the config ([env.NAME]); also DAODAO_ENV.
    #[arg(long, global = true)]
    env: Option<String>,
    /// Base URL of the API, e.g. http://localhost:3001/api/v1; also DAODAO_BASE_URL.
    #[arg(long, global = true)]
    base_url: Option<String>,
    /// Requests in flight at once; also DAODAO_JOBS.
    #[arg(long, short = 'j', global = true)]
    jobs: Option<usize>,
    /// Re-run a failing endpoint check or scenario up to N times (passing on a retry is reported flaky);
    /// also DAODAO_RETRIES.
    #[arg(long, global = true)]
    retries: Option<u32>,
    /// Per-request timeout in milliseconds; also DAODAO_TIMEOUT_MS.
    #[arg(long, global = true)]
    timeout_ms: Option<u64>,
    /// Colours and progress bar: auto (a TTY without NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

impl GlobalArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            env: self.env.clone(),
            retries: self.retries,
            base_url: self.base_url.clone(),
            jobs: self.jobs,
            timeout_ms: self.timeout_ms,
        }
    }

    /// The configuration, found from the current directory unless `--config` names it.
    pub fn load_config(&self) -> Result<Config, ConfigError> {
        let cwd = std::env::current_dir().map_err(ConfigError::CurrentDir)?;
        config::load(&cwd, self.config.as_deref(), &self.overrides(), &ProcessEnv)
    }

    pub fn color(&self) -> ColorChoice {
        match self.color {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check one phase of the plan (1–8, 0 for the health check) or all, with its scenarios.
    Phase(run::PhaseArgs),
    /// Check selected modules, endpoints or scenarios.
    Run(run::RunArgs),
    /// Serve every contract as a backend (for the mini-program team, and for trying the tool).
    Sandbox(sandbox::SandboxArgs),
    /// Show the plan as the tool knows it.
    List(list::ListArgs),
    /// Validate config, contracts and scenarios, and check every plan endpoint has a contract.
    Lint,
    /// Render a report from reports/last-run.json.
    Report(report::ReportArgs),
    /// Update the plan's progress (and the API doc's 联调结果) from the latest results.
    Progress(progress::ProgressArgs),
    /// Write contract skeletons from another document.
    Import(import::ImportArgs),
    /// Write the catalogue in another format (OpenAPI 3.1).
    Export(export::ExportArgs),
    /// Forward the mini-program's requests to the backend unchanged and check every exchange against
    /// its contract, live (前端 / 后端 findings, unregistered routes, the plan's coverage).
    Proxy(proxy::ProxyArgs),
    /// Check the exchanges of a HAR file (from `proxy --record`, a browser, Charles, Fiddler) offline.
    CheckHar(check_har::CheckHarArgs),
    /// Print the JSON Schema of a file format (for editor completion and validation).
    Schema(schema::SchemaArgs),
}

/// Parses the command line, runs the command, returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let g = &cli.global;
    match cli.command {
        Command::Phase(args) => run::phase(g, &args),
        Command::Run(args) => run::run(g, &args),
        Command::Sandbox(args) => sandbox::sandbox(g, &args),
        Command::List(args) => list::list(g, &args),
        Command::Lint => lint::lint(g),
        Command::Report(args) => report::report(g, &args),
        Command::Progress(args) => progress::progress(g, &args),
        Command::Import(args) => import::import(g, &args),
        Command::Export(args) => export::export_command(g, &args),
        Command::Proxy(args) => proxy::proxy(g, &args),
        Command::CheckHar(args) => check_har::check(g, &args),
        Command::Schema(args) => schema::schema(&args),
    }
}

/// Prints an error the way every command does and returns its exit code.
pub fn fail(e: impl Into<Error>) -> i32 {
    let e = e.into();
    eprintln!("error: {e}");
    e.exit_code()
}

/// Loads the catalogue; every problem is printed, and any problem is an error (nothing runs).
pub fn load_catalog(config: &Config) -> Result<Catalog> {
    Catalog::load_valid(config).map_err(|e| {
        for p in &e.problems {
            eprintln!("error: {p}");
        }
        Error::from(e)
    })
}
