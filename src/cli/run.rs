//! `phase` and `run`: their arguments, the selection they make, and the run (see [`outcome`] for
//! what is printed and written after it).

mod outcome;

pub(super) use outcome::publish;

use super::{fail, ColorArg, ProjectArgs, RunFlags};
use clap::{ArgAction, CommandFactory};
use daodao_check::error::{exit, Result};
use daodao_check::plan::{Partition, Selection};
use daodao_check::report::{self, Level};
use daodao_check::result::RunResult;
use daodao_check::sandbox::profile::Profile;
use daodao_check::sandbox::Embedded;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = phase_after_help())]
pub struct PhaseArgs {
    /// 1–8, 0 (the health check) or `all`; several as `3 4` or `3,4`.
    #[arg(value_name = "PHASE", required = true, num_args = 1.., value_delimiter = ',',
          value_parser = parse_phase)]
    phases: Vec<PhaseArg>,
    #[command(flatten)]
    common: RunCommon,
}

#[derive(clap::Args, Debug)]
#[command(after_help = run_after_help())]
pub struct RunArgs {
    /// Only these phases (0–8); repeatable or comma-separated: --phase 3,4.
    #[arg(long, value_name = "N", value_delimiter = ',', value_parser = parse_phase_number,
          help_heading = "Selection")]
    phase: Vec<u8>,
    /// Module ids (auth, vehicles, …); repeatable or comma-separated: --module auth,users.
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    module: Vec<String>,
    /// A contract id (vehicles.detail) or a route: "GET /api/v1/vehicles/{id}", "GET /vehicles/:id";
    /// repeatable.
    #[arg(long, value_name = "ENDPOINT", help_heading = "Selection")]
    endpoint: Vec<String>,
    /// Scenario names; repeatable or comma-separated.
    #[arg(
        long,
        value_name = "NAME",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    scenario: Vec<String>,
    /// Re-run only the endpoints and scenarios that did not pass (or were not run) in
    /// reports/last-run.json.
    #[arg(long, conflicts_with_all = ["phase", "module", "endpoint", "scenario"],
          help_heading = "Selection")]
    failed: bool,
    #[command(flatten)]
    common: RunCommon,
}

/// What `phase` and `run` share: the project, the run flags, scheduling, output and the sandbox.
#[derive(clap::Args, Debug)]
struct RunCommon {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    flags: RunFlags,
    #[command(flatten)]
    schedule: ScheduleArgs,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    sandbox: SandboxFlags,
    /// Send writes to an environment marked `production = true`, which otherwise gets reads only
    /// (the security checks never run there).
    #[arg(long)]
    allow_writes: bool,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Scheduling and CI")]
struct ScheduleArgs {
    /// Stop scheduling after the first endpoint or scenario that fails (what is running finishes;
    /// the summary says how many were not run).
    #[arg(long, conflicts_with = "max_fail")]
    fail_fast: bool,
    /// Stop scheduling after N endpoints or scenarios failed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_fail: Option<u32>,
    /// Run one CI shard: slice:M/N (dealt in plan order) or hash:M/N (by contract id or scenario
    /// name; stable when the catalogue grows). `report merge` joins the shards' results.
    #[arg(long, value_name = "KIND:M/N", value_parser = parse_partition)]
    partition: Option<Partition>,
}

impl ScheduleArgs {
    fn max_fail(&self) -> Option<usize> {
        if self.fail_fast {
            Some(1)
        } else {
            self.max_fail.map(|n| n as usize)
        }
    }
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Output")]
pub(super) struct OutputArgs {
    /// Only the summary, and one line per endpoint or scenario that did not pass.
    #[arg(short, long, conflicts_with = "verbose")]
    pub(super) quiet: bool,
    /// -v: also every passed case, one line each; -vv: every request and response in full (masked).
    #[arg(short, long, action = ArgAction::Count)]
    pub(super) verbose: u8,
    #[arg(long = "report", value_name = "FORMAT=PATH", help = report_help())]
    pub(super) reports: Vec<String>,
    /// Colours and progress bar: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub(super) color: ColorArg,
}

impl OutputArgs {
    pub(super) fn level(&self) -> Level {
        Level::from_flags(self.quiet, self.verbose)
    }
}

/// The `--report` help, naming the formats of the library's list.
fn report_help() -> String {
    format!(
        "Also write a report: FORMAT=PATH ({}); PATH `-` is standard output, and the terminal report \
         then goes to standard error; repeatable",
        report::format_names()
    )
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Embedded sandbox")]
pub(super) struct SandboxFlags {
    /// Run against the embedded sandbox (served from the contracts) instead of a backend.
    #[arg(long)]
    pub(super) sandbox: bool,
    /// Inject a fault into the embedded sandbox: KIND or KIND=ID,ID; implies --sandbox; repeatable.
    #[arg(long = "sandbox-fault", value_name = "KIND[=ID,…]", long_help = fault_help())]
    faults: Vec<String>,
    /// The backend the embedded sandbox plays: clean (default) or drifted; implies --sandbox.
    #[arg(long = "sandbox-profile", value_name = "PROFILE", value_parser = parse_profile,
          long_help = profile_help(" Implies --sandbox."))]
    profile: Option<Profile>,
    /// The embedded sandbox's seed (default 1): the same seed plants the same drifts; implies --sandbox.
    #[arg(long = "sandbox-seed", value_name = "N")]
    seed: Option<u64>,
    /// Write the embedded sandbox's answer key to FILE (JSON: which endpoint got which drift, at which
    /// JSON path, and which check should report it); implies --sandbox.
    #[arg(long = "sandbox-answer-key", value_name = "FILE")]
    answer_key: Option<PathBuf>,
}

impl SandboxFlags {
    /// The embedded sandbox, or `None` to run against the configured backend.
    pub(super) fn embedded(&self) -> Option<Embedded> {
        let wanted = self.sandbox
            || !self.faults.is_empty()
            || self.profile.is_some()
            || self.seed.is_some()
            || self.answer_key.is_some();
        let defaults = Embedded::default();
        wanted.then(|| Embedded {
            faults: self.faults.clone(),
            profile: self.profile.unwrap_or(defaults.profile),
            seed: self.seed.unwrap_or(defaults.seed),
            answer_key: self.answer_key.clone(),
        })
    }
}

/// What `phase --help` and `run --help` end with: the exit codes, from the one list of them.
fn exit_codes() -> String {
    format!(
        "Exit codes:\n  \
         {}  everything that ran passed (skips allowed)\n  \
         {}  a check failed, a route is not activated, or an endpoint or scenario was blocked\n  \
         {}  nothing ran: the command line, the config, a contract, a scenario or a file is wrong\n  \
         {}  the backend could not be reached at all (DNS, refused, timeout)",
        exit::OK,
        exit::FAILED,
        exit::USAGE,
        exit::UNREACHABLE
    )
}

fn phase_after_help() -> String {
    format!(
        "Examples:\n  \
         daodao-check phase all --sandbox        every phase and scenario against the embedded sandbox\n  \
         daodao-check phase 3 4 -q               phases 3 and 4 against the configured backend, quietly\n  \
         daodao-check phase all --partition hash:1/4 --report junit=reports/junit-1.xml\n  \
         \x20                                       one CI shard of four (`report merge` joins them)\n\n{}",
        exit_codes()
    )
}

fn run_after_help() -> String {
    format!(
        "Examples:\n  \
         daodao-check run --module vehicles,orders --fail-fast\n  \
         daodao-check run --endpoint \"GET /vehicles/:id\" -vv   one endpoint, every exchange in full\n  \
         daodao-check run --failed                           what did not pass last time\n\n{}",
        exit_codes()
    )
}

/// `all`, or one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhaseArg {
    All,
    One(u8),
}

fn parse_phase(s: &str) -> std::result::Result<PhaseArg, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(PhaseArg::All);
    }
    parse_phase_number(s)
        .map(PhaseArg::One)
        .map_err(|_| format!("a phase is 1–8, 0 or `all`, not `{s}`"))
}

fn parse_phase_number(s: &str) -> std::result::Result<u8, String> {
    match s.trim().parse::<u8>() {
        Ok(n) if n <= 8 => Ok(n),
        _ => Err(format!("a phase is a number from 0 to 8, not `{s}`")),
    }
}

fn parse_partition(s: &str) -> std::result::Result<Partition, String> {
    s.parse::<Partition>().map_err(|e| e.to_string())
}

pub fn phase(args: &PhaseArgs) -> i32 {
    let phases = if args.phases.contains(&PhaseArg::All) {
        if args.phases.len() > 1 {
            super::Cli::command()
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "`all` cannot be combined with phase numbers",
                )
                .exit();
        }
        None
    } else {
        let mut numbers: Vec<u8> = vec![];
        for p in &args.phases {
            if let PhaseArg::One(n) = p {
                if !numbers.contains(n) {
                    numbers.push(*n);
                }
            }
        }
        Some(numbers)
    };
    let request = Selection {
        phases,
        include_scenarios: true,
        include_endpoints: true,
        ..Default::default()
    };
    finish(execute(&args.common, request, false))
}

pub fn run(args: &RunArgs) -> i32 {
    let only_scenarios =
        !args.scenario.is_empty() && args.endpoint.is_empty() && args.module.is_empty();
    let request = Selection {
        phases: (!args.phase.is_empty()).then(|| args.phase.clone()),
        modules: args.module.clone(),
        endpoints: args.endpoint.clone(),
        scenarios: args.scenario.clone(),
        include_scenarios: args.endpoint.is_empty(),
        include_endpoints: !only_scenarios,
        partition: None,
    };
    finish(execute(&args.common, request, args.failed))
}

fn finish(outcome: Result<RunResult>) -> i32 {
    match outcome {
        Ok(result) => exit::for_run(result.passed()),
        Err(e) => fail(e),
    }
}

fn execute(common: &RunCommon, request: Selection, only_failed: bool) -> Result<RunResult> {
    outcome::execute(common, request, only_failed)
}

/// `--sandbox-fault`'s long help: every fault kind with what it breaks, from the sandbox's own table.
pub fn fault_help() -> String {
    let kinds: Vec<String> = daodao_check::sandbox::fault::FaultKind::ALL
        .iter()
        .map(|k| format!("  {:<16} {}", k.name(), k.help()))
        .collect();
    format!(
        "Inject a fault into the embedded sandbox: KIND, or KIND=ID,ID for some contracts only; implies \
         --sandbox; repeatable. Kinds:\n{}",
        kinds.join("\n")
    )
}

/// A `--profile` value.
pub fn parse_profile(s: &str) -> std::result::Result<Profile, String> {
    s.parse::<Profile>().map_err(|e| e.to_string())
}

/// The profile flags' long help: every profile with what it plays, from the sandbox's own list.
pub fn profile_help(implies: &str) -> String {
    let profiles: Vec<String> = Profile::ALL
        .iter()
        .map(|p| format!("  {:<8} {}", p.name(), p.help()))
        .collect();
    format!(
        "The backend the sandbox plays (default clean).{implies} Profiles:\n{}\n\
         The drifted profile picks its endpoints from the seed; its answer key says which got what.",
        profiles.join("\n")
    )
}
