//! The command line: clap types and one file per command. Each command parses its arguments, calls the
//! library and turns the outcome into text and an exit code; no behaviour lives here.
//!
//! No option is global: each command takes the options it uses, so its `--help` shows only those. The
//! groups several commands share are [`ProjectArgs`] (where the project is) and, for the commands that
//! run checks (`phase`, `run`), [`RunFlags`].

mod check_har;
mod completions;
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
use daodao_check::config::{self, Config, ConfigError, NegativeMode, Overrides, ProcessEnv};
use daodao_check::error::{Error, Result};
use daodao_check::report::ColorChoice;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "daodao-check",
    version,
    about = "叨叨房车 API 联调与契约测试 (contract tests for the daodao API)",
    after_help = "`daodao-check COMMAND --help` shows a command's options; `phase --help` the exit codes."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the project is: every command that reads it takes this.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ProjectArgs {
    /// Config file (default: daodao-check.toml in this directory or a parent).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

impl ProjectArgs {
    /// The configuration, found from the current directory unless `--config` names it.
    pub fn load_config(&self) -> Result<Config, ConfigError> {
        self.load_with(&Overrides::default())
    }

    fn load_with(&self, overrides: &Overrides) -> Result<Config, ConfigError> {
        let cwd = std::env::current_dir().map_err(ConfigError::CurrentDir)?;
        config::load(&cwd, self.config.as_deref(), overrides, &ProcessEnv)
    }
}

/// What a run sends to which backend: only `phase` and `run` take these.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(next_help_heading = "Run options")]
pub struct RunFlags {
    /// Named environment from the config ([env.NAME]); also DAODAO_ENV.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// Base URL of the API, e.g. http://localhost:3001/api/v1; also DAODAO_BASE_URL.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Requests in flight at once; also DAODAO_JOBS.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Re-run a failing endpoint check or scenario up to N times (passing on a retry is reported flaky);
    /// also DAODAO_RETRIES.
    #[arg(long, value_name = "N")]
    retries: Option<u32>,
    /// Per-request timeout in milliseconds; also DAODAO_TIMEOUT_MS.
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// Negative and boundary inputs derived from each endpoint's request schemas: basic (default: the
    /// most informative, at most 8 an endpoint), all, or off; also DAODAO_NEGATIVE.
    #[arg(long, value_name = "all|basic|off", value_parser = parse_negative)]
    negative: Option<NegativeMode>,
}

fn parse_negative(given: &str) -> std::result::Result<NegativeMode, String> {
    NegativeMode::from_name(given).ok_or_else(|| {
        format!(
            "`{given}` is not a negative-input level (known: {})",
            NegativeMode::NAMES.join(", ")
        )
    })
}

impl RunFlags {
    /// The configuration with these flags over the file and the environment variables.
    pub fn load_config(&self, project: &ProjectArgs) -> Result<Config, ConfigError> {
        project.load_with(&Overrides {
            env: self.env.clone(),
            retries: self.retries,
            base_url: self.base_url.clone(),
            jobs: self.jobs,
            timeout_ms: self.timeout_ms,
            negative: self.negative,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorArg {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorArg {
    pub fn choice(self) -> ColorChoice {
        match self {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check one or more phases of the plan (1–8, 0 for the health check) or all, with their scenarios.
    Phase(run::PhaseArgs),
    /// Check selected phases, modules, endpoints or scenarios.
    Run(run::RunArgs),
    /// Serve every contract as a backend (for the mini-program team, and for trying the tool).
    Sandbox(sandbox::SandboxArgs),
    /// Show the plan as the tool knows it.
    List(list::ListArgs),
    /// Validate config, contracts and scenarios, and check every plan endpoint has a contract.
    Lint(ProjectArgs),
    /// Render a result (reports/last-run.json) in a format, or merge the results of CI shards.
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
}

/// Parses the command line, runs the command, returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Phase(args) => run::phase(&args),
        Command::Run(args) => run::run(&args),
        Command::Sandbox(args) => sandbox::sandbox(&args),
        Command::List(args) => list::list(&args),
        Command::Lint(project) => lint::lint(&project),
        Command::Report(args) => report::report(&args),
        Command::Progress(args) => progress::progress(&args),
        Command::Import(args) => import::import(&args),
        Command::Export(args) => export::export_command(&args),
        Command::Proxy(args) => proxy::proxy(&args),
        Command::CheckHar(args) => check_har::check(&args),
        Command::Schema(args) => schema::schema(&args),
        Command::Completions(args) => completions::completions(&args),
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
