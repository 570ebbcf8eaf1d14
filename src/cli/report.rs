//! `report`: renders reports/last-run.json (or `--input`) in a format.

use super::{fail, GlobalArgs};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use daodao_check::error::{exit, Error, Result, UsageError};
use daodao_check::plan::Plan;
use daodao_check::report::{self, Format, RenderOptions, Style, View};
use daodao_check::result::RunResult;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_parser = format_parser(), default_value = "markdown")]
    format: Format,
    /// The result to render (default: last-run.json in the configured reports directory).
    #[arg(long, value_name = "PATH")]
    input: Option<PathBuf>,
    /// Write here (atomically) instead of standard output.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
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

pub fn report(g: &GlobalArgs, args: &ReportArgs) -> i32 {
    match render(g, args) {
        Ok(()) => exit::OK,
        Err(e) => fail(e),
    }
}

fn render(g: &GlobalArgs, args: &ReportArgs) -> Result<()> {
    // The config is only needed to find the default input and the plan; a report of an explicit
    // `--input` still works where there is no usable config.
    let (input, config) = match (&args.input, g.load_config()) {
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
                style: Style::detect(g.color()),
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
