//! `check-har`: judge the exchanges of a HAR file (recorded by `proxy --record`, or exported from
//! Chrome or WeChat DevTools, Charles, Fiddler) offline, as the proxy judges them live.

use super::run::{publish, OutputArgs};
use super::{fail, load_catalog, GlobalArgs};
use daodao_check::error::{exit, Error, Result};
use daodao_check::proxy::{check_har, Live};
use daodao_check::report::{self, Style};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckHarArgs {
    /// The HAR file.
    file: PathBuf,
    /// Print only the exchanges with a finding.
    #[arg(long)]
    quiet: bool,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn check(g: &GlobalArgs, args: &CheckHarArgs) -> i32 {
    match judge(g, args) {
        Ok(passed) => exit::for_run(passed),
        Err(e) => fail(e),
    }
}

fn judge(g: &GlobalArgs, args: &CheckHarArgs) -> Result<bool> {
    let config = g.load_config()?;
    let catalog = load_catalog(&config)?;
    let wanted = report::parse_specs(&args.output.reports)?;
    let style = Style::detect(g.color());
    let live = Live {
        style,
        quiet: args.quiet,
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
    publish(&config, &catalog, &finished.result, &style, &wanted)?;
    daodao_check::run::write_session_files(&config.reports_dir, &finished.secrets)?;
    Ok(finished.result.passed())
}
