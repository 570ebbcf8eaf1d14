//! `check-har`: judge the exchanges of a HAR file (recorded by `proxy --record`, or exported from
//! Chrome or WeChat DevTools, Charles, Fiddler) offline, as the proxy judges them live.

use super::run::{publish, OutputArgs};
use super::{fail, load_catalog, ProjectArgs};
use daodao_check::error::{exit, Error, Result};
use daodao_check::proxy::{check_har, Live};
use daodao_check::report::Style;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckHarArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The HAR file.
    file: PathBuf,
    /// The API's base URL in the recording (which requests are API calls, under which path); default:
    /// the configured one. Also DAODAO_BASE_URL.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn check(args: &CheckHarArgs) -> i32 {
    match judge(args) {
        Ok(passed) => exit::for_run(passed),
        Err(e) => fail(e),
    }
}

fn judge(args: &CheckHarArgs) -> Result<bool> {
    let config = args.project.load_with(&daodao_check::config::Overrides {
        base_url: args.base_url.clone(),
        ..Default::default()
    })?;
    let catalog = load_catalog(&config)?;
    daodao_check::report::parse_specs(&args.output.reports)?;
    let live = Live {
        style: Style::detect(args.output.color.choice()),
        quiet: args.output.quiet,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let finished = runtime.block_on(check_har(
        &config,
        &catalog,
        &args.file,
        live,
        Box::new(std::io::stdout()),
    ))?;
    publish(&config, &catalog, &finished.result, &args.output)?;
    daodao_check::run::write_session_files(&config.reports_dir, &finished.secrets)?;
    Ok(finished.result.passed())
}
