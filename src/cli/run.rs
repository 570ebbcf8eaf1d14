//! `phase` and `run`: select, run against the backend (or the embedded sandbox), print the report,
//! write reports/last-run.json and the reports asked for.

use super::{fail, load_catalog, GlobalArgs};
use daodao_check::error::{exit, Result};
use daodao_check::plan::Selection;
use daodao_check::report::{self, terminal, Style, View};
use daodao_check::result::RunResult;
use daodao_check::sandbox::profile::Profile;
use daodao_check::sandbox::Embedded;
use daodao_check::source::display_path;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct PhaseArgs {
    /// 1–8, 0, or `all`.
    #[arg(value_parser = parse_phase)]
    phase: PhaseArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    sandbox: SandboxFlags,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
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
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    sandbox: SandboxFlags,
}

#[derive(clap::Args, Debug)]
struct OutputArgs {
    #[arg(long = "report", value_name = "FORMAT=PATH", help = report_help())]
    reports: Vec<String>,
    /// Send writes to an environment marked `production = true`, which otherwise gets reads only
    /// (the security checks never run there).
    #[arg(long)]
    allow_writes: bool,
}

/// The `--report` help, naming the formats of the library's list.
fn report_help() -> String {
    format!(
        "Also write a report: FORMAT=PATH ({}); repeatable",
        report::format_names()
    )
}

#[derive(clap::Args, Debug)]
struct SandboxFlags {
    /// Run against the embedded sandbox (served from the contracts) instead of a backend.
    #[arg(long)]
    sandbox: bool,
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
    fn embedded(&self) -> Option<Embedded> {
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

/// `all`, or one phase number.
#[derive(Debug, Clone)]
struct PhaseArg(Option<Vec<u8>>);

fn parse_phase(s: &str) -> std::result::Result<PhaseArg, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(PhaseArg(None));
    }
    match s.parse::<u8>() {
        Ok(n) if n <= 8 => Ok(PhaseArg(Some(vec![n]))),
        _ => Err(format!("phase must be 1–8, 0 or `all`, not `{s}`")),
    }
}

pub fn phase(g: &GlobalArgs, args: &PhaseArgs) -> i32 {
    let request = Selection {
        phases: args.phase.0.clone(),
        include_scenarios: true,
        include_endpoints: true,
        ..Default::default()
    };
    finish(execute(g, request, false, &args.output, &args.sandbox))
}

pub fn run(g: &GlobalArgs, args: &RunArgs) -> i32 {
    let only_scenarios =
        !args.scenario.is_empty() && args.endpoint.is_empty() && args.module.is_empty();
    let request = Selection {
        phases: (!args.phase.is_empty()).then(|| args.phase.clone()),
        modules: args.module.clone(),
        endpoints: args.endpoint.clone(),
        scenarios: args.scenario.clone(),
        include_scenarios: args.endpoint.is_empty(),
        include_endpoints: !only_scenarios,
    };
    finish(execute(
        g,
        request,
        args.failed,
        &args.output,
        &args.sandbox,
    ))
}

fn finish(outcome: Result<RunResult>) -> i32 {
    match outcome {
        Ok(result) => exit::for_run(result.passed()),
        Err(e) => fail(e),
    }
}

fn execute(
    g: &GlobalArgs,
    mut request: Selection,
    only_failed: bool,
    output: &OutputArgs,
    sandbox: &SandboxFlags,
) -> Result<RunResult> {
    let mut config = g.load_config()?;
    config.allow_writes = output.allow_writes;
    let catalog = Arc::new(load_catalog(&config)?);
    let last = config.reports_dir.join("last-run.json");
    if only_failed {
        let previous = RunResult::read(&last)?;
        request = Selection::failures_of(&previous);
        if request.is_empty() {
            eprintln!(
                "nothing failed in {}: nothing to re-run",
                display_path(&config.root, &last)
            );
            return Ok(previous);
        }
    }
    let selection = catalog.select(&request)?;
    // A typo in --report fails before the run, not after it.
    let wanted = report::parse_specs(&output.reports)?;
    let gaps = catalog.coverage_gaps_in(&selection);
    if gaps > 0 {
        eprintln!(
            "warning: {gaps} plan endpoint(s) in this selection have no contract and are not checked (`daodao-check lint` lists them)"
        );
    }
    let style = Style::detect(g.color());
    let observer = report::bar::observer_for(&style);
    let embedded = sandbox.embedded();
    let result = daodao_check::run::execute(
        &mut config,
        catalog.clone(),
        &selection,
        embedded.as_ref(),
        observer.as_ref(),
    )?;
    let view = View::new(&result, Some(&catalog.plan));
    print!("{}", terminal::render(&view, &style));
    result.write(&last)?;
    eprintln!("wrote {}", display_path(&config.root, &last));
    for (format, path) in &wanted {
        report::write_one(&result, Some(&catalog.plan), *format, path)?;
        eprintln!(
            "wrote {} ({})",
            display_path(&config.root, path),
            format.name()
        );
    }
    Ok(result)
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
