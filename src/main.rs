//! The `daodao-check` command line: parses arguments and calls into the library.

use clap::{Parser, Subcommand};
use daodao_check::app::{self, Global, ListWhat, RunRequest};
use daodao_check::config::Overrides;
use daodao_check::report::ColorChoice;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "daodao-check",
    version,
    about = "叨叨房车 API 联调与契约测试 (contract tests for the daodao API)"
)]
struct Cli {
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
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check one phase of the plan (1–8, 0 for the health check) or all, with its scenarios.
    Phase {
        /// 1–8, 0, or `all`.
        phase: String,
        /// Also write a report: FORMAT=PATH (markdown, junit, html, json); repeatable.
        #[arg(long = "report", value_name = "FORMAT=PATH")]
        reports: Vec<String>,
        #[command(flatten)]
        sandbox: SandboxFlags,
    },
    /// Check selected modules, endpoints or scenarios.
    Run {
        /// Only these phases.
        #[arg(long)]
        phase: Vec<u8>,
        /// Module id (auth, vehicles, …); repeatable.
        #[arg(long)]
        module: Vec<String>,
        /// Contract id (auth.login) or the plan's spelling ("POST /api/v1/auth/login"); repeatable.
        #[arg(long)]
        endpoint: Vec<String>,
        /// Scenario name; repeatable.
        #[arg(long)]
        scenario: Vec<String>,
        /// Re-run only the endpoints and scenarios that did not pass in reports/last-run.json.
        #[arg(long, conflicts_with_all = ["phase", "module", "endpoint", "scenario"])]
        failed: bool,
        /// Also write a report: FORMAT=PATH (markdown, junit, html, json); repeatable.
        #[arg(long = "report", value_name = "FORMAT=PATH")]
        reports: Vec<String>,
        #[command(flatten)]
        sandbox: SandboxFlags,
    },
    /// Serve every contract as a backend (for the mini-program team, and for trying the tool).
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3001")]
        addr: std::net::SocketAddr,
        /// Seed for generated tokens, for reproducible runs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Break the contract on purpose: KIND or KIND=ID,ID (see `--help` of `phase` for kinds); repeatable.
        #[arg(long = "fault", value_name = "KIND[=ID,…]")]
        faults: Vec<String>,
        /// Do not log requests.
        #[arg(long)]
        quiet: bool,
        /// Append every request to this file as JSON lines.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
    },
    /// Show the plan as the tool knows it.
    List {
        #[arg(value_enum, default_value_t = ListWhat::Phases)]
        what: ListWhat,
    },
    /// Validate config, contracts and scenarios, and check every plan endpoint has a contract.
    Lint,
    /// Render a report from reports/last-run.json.
    Report(daodao_check::report::ReportArgs),
    /// Update the plan's progress (and the API doc's 联调结果) from the latest results.
    Progress(daodao_check::progress::ProgressArgs),
    /// Write contract skeletons from another document.
    Import(daodao_check::import::ImportArgs),
    /// Print the JSON Schema of a file format (for editor completion and validation).
    Schema {
        #[arg(value_enum)]
        of: app::SchemaOf,
    },
}

#[derive(clap::Args)]
struct SandboxFlags {
    /// Run against the embedded sandbox (served from the contracts) instead of a backend.
    #[arg(long)]
    sandbox: bool,
    /// Inject a fault into the embedded sandbox: KIND or KIND=ID,ID (envelope-missing, envelope-types,
    /// success-code, missing-field, wrong-type, wrong-format, bad-enum, slow, server-error, auth-off,
    /// missing-route, bad-input500, invalid-json); implies --sandbox; repeatable.
    #[arg(long = "sandbox-fault", value_name = "KIND[=ID,…]")]
    faults: Vec<String>,
}

fn parse_phase(s: &str) -> Result<Option<Vec<u8>>, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    match s.parse::<u8>() {
        Ok(n) if n <= 8 => Ok(Some(vec![n])),
        _ => Err(format!("phase must be 1–8, 0 or `all`, not `{s}`")),
    }
}

fn main() {
    let cli = Cli::parse();
    let global = Global {
        config: cli.config,
        overrides: Overrides {
            env: cli.env,
            retries: cli.retries,
            base_url: cli.base_url,
            jobs: cli.jobs,
            timeout_ms: cli.timeout_ms,
        },
        color: cli.color,
    };
    let code = match cli.command {
        Command::Phase {
            phase,
            reports,
            sandbox,
        } => match parse_phase(&phase) {
            Ok(phases) => app::run(
                &global,
                &RunRequest {
                    phases,
                    reports,
                    sandbox: sandbox.sandbox,
                    sandbox_faults: sandbox.faults,
                    include_scenarios: true,
                    include_endpoints: true,
                    ..Default::default()
                },
            ),
            Err(e) => {
                eprintln!("error: {e}");
                daodao_check::error::exit::USAGE
            }
        },
        Command::Run {
            phase,
            module,
            endpoint,
            scenario,
            failed,
            reports,
            sandbox,
        } => {
            let only_scenarios = !scenario.is_empty() && endpoint.is_empty() && module.is_empty();
            app::run(
                &global,
                &RunRequest {
                    phases: if phase.is_empty() { None } else { Some(phase) },
                    include_scenarios: endpoint.is_empty(),
                    include_endpoints: !only_scenarios,
                    modules: module,
                    endpoints: endpoint,
                    scenarios: scenario,
                    only_failed: failed,
                    reports,
                    sandbox: sandbox.sandbox,
                    sandbox_faults: sandbox.faults,
                },
            )
        }
        Command::Sandbox {
            addr,
            seed,
            faults,
            quiet,
            record,
        } => app::sandbox(
            &global,
            &app::SandboxRequest {
                addr,
                seed,
                faults,
                quiet,
                record,
            },
        ),
        Command::List { what } => app::list(&global, what),
        Command::Lint => app::lint(&global),
        Command::Report(args) => daodao_check::report::run(&global, &args),
        Command::Progress(args) => daodao_check::progress::run(&global, &args),
        Command::Import(args) => daodao_check::import::run(&global, &args),
        Command::Schema { of } => app::schema(of),
    };
    std::process::exit(code);
}
