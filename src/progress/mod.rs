//! Updating the plan and the requirement doc in place from results. (Being written.)

use crate::app::Global;

#[derive(Debug, Clone, clap::Args)]
pub struct ProgressArgs {
    /// The plan document to update (API对接联调计划.md).
    #[arg(long)]
    pub doc: Option<std::path::PathBuf>,
}

pub fn run(_global: &Global, _args: &ProgressArgs) -> i32 {
    eprintln!("error: progress is not implemented yet");
    crate::error::exit::USAGE
}
