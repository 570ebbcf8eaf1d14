//! `report`: renders reports/last-run.json (or `--input`) in a format; `report merge` joins the
//! results of CI shards into one.

use super::{fail, ColorArg, ProjectArgs};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::ArgAction;
use daodao_check::error::{exit, Error, Result, UsageError};
use daodao_check::plan::Plan;
use daodao_check::report::merge::merge;
use daodao_check::report::{
    self, terminal_width, Format, Level, RenderOptions, Stream, Style, View,
};
use daodao_check::result::RunResult;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  \
    daodao-check report --format html --out reports/report.html\n  \
    daodao-check report --format terminal -q --input reports/shard-2.json\n  \
    daodao-check report merge reports/shard-*.json --out reports/last-run.json"
)]
pub struct ReportArgs {
    #[command(subcommand)]
    action: Option<ReportAction>,
    #[command(flatten)]
    render: RenderArgs,
}

#[derive(Debug, Clone, clap::Subcommand)]
enum ReportAction {
    /// Merge the results of CI shards (runs with --partition) into one result, as if the run had not
    /// been split: summary recomputed, setup steps merged; an endpoint two shards disagree on is an
    /// error.
    Merge(MergeArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct MergeArgs {
    /// The shards' result files (each a last-run.json).
    #[arg(required = true, value_name = "RESULT")]
    inputs: Vec<PathBuf>,
    /// Where to write the merged result (default: last-run.json in the configured reports
    /// directory, so `report` and `progress` read it as any run's).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Debug, Clone, clap::Args)]
struct RenderArgs {
    /// Output format.
    #[arg(long, value_parser = format_parser(), default_value = "markdown")]
    format: Format,
    /// The result to render (default: last-run.json in the configured reports directory).
    #[arg(long, value_name = "PATH")]
    input: Option<PathBuf>,
    /// Write here (atomically) instead of standard output.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// The terminal format: only the summary and one line per failure.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// The terminal format: also every passed case, one line each.
    #[arg(short, long, action = ArgAction::Count)]
    verbose: u8,
    /// Colours for the terminal format on a terminal: auto, always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    #[command(flatten)]
    project: ProjectArgs,
}

/// The library's formats as clap values, so `--help` and completion list them.
pub fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(
        report::FORMATS
            .iter()
            .map(|f| PossibleValue::new(f.name()).aliases(f.aliases().iter().copied())),
    )
    .try_map(|name| name.parse::<Format>())
}

pub fn report(args: &ReportArgs) -> i32 {
    let done = match &args.action {
        Some(ReportAction::Merge(m)) => merge_shards(m),
        None => render(&args.render),
    };
    match done {
        Ok(()) => exit::OK,
        Err(e) => fail(e),
    }
}

/// The plan of the project, when a config finds one: names, and the order of endpoints.
fn plan_of(project: &ProjectArgs) -> Option<Plan> {
    let config = project.load_config().ok()?;
    Plan::load(&config.contracts_dir).ok()
}

fn merge_shards(args: &MergeArgs) -> Result<()> {
    let out = match &args.out {
        Some(path) => path.clone(),
        None => match args.project.load_config() {
            Ok(c) => c.reports_dir.join("last-run.json"),
            Err(config) => return Err(UsageError::ReportInputNeeded { config }.into()),
        },
    };
    let shards = args
        .inputs
        .iter()
        .map(|path| Ok((path.clone(), RunResult::read(path)?)))
        .collect::<Result<Vec<_>>>()?;
    let merged =
        merge(shards, plan_of(&args.project).as_ref()).map_err(report::ReportError::from)?;
    for w in &merged.warnings {
        eprintln!("warning: {w}");
    }
    merged.result.write(&out)?;
    let s = &merged.result.summary;
    eprintln!(
        "wrote {} ({} shards: {} endpoints, {} scenarios)",
        out.display(),
        args.inputs.len(),
        s.endpoints.total,
        s.scenarios.total
    );
    Ok(())
}

fn render(args: &RenderArgs) -> Result<()> {
    // The config is only needed to find the default input and the plan; a report of an explicit
    // `--input` still works where there is no usable config.
    let (input, config) = match (&args.input, args.project.load_config()) {
        (Some(p), config) => (p.clone(), config.ok()),
        (None, Ok(c)) => (c.reports_dir.join("last-run.json"), Some(c)),
        (None, Err(config)) => return Err(UsageError::ReportInputNeeded { config }.into()),
    };
    let result = RunResult::read(&input)?;
    let plan = config.and_then(|c| Plan::load(&c.contracts_dir).ok());
    match &args.out {
        Some(path) => {
            report::write_one(&result, plan.as_ref(), args.format, path)?;
            eprintln!("wrote {} ({})", path.display(), args.format.name());
        }
        None => {
            use std::io::Write;
            // On a terminal, the terminal format is drawn as `run` draws it.
            let options = RenderOptions {
                style: Style::detect(args.color.choice()),
                level: Level::from_flags(args.quiet, args.verbose),
                width: terminal_width(Stream::Stdout),
            };
            let view = View::new(&result, plan.as_ref());
            let text = args.format.render(&view, &options)?;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| Error::io("writing to standard output", e))?;
        }
    }
    Ok(())
}
