//! Readers that turn other documents into contracts. (Being written: `daodao-check import apidoc`.)

use crate::app::Global;

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ImportSource {
    /// A markdown API doc in the style of 小程序端API.md.
    Apidoc {
        /// The markdown file.
        path: std::path::PathBuf,
        /// Directory to write contracts into.
        #[arg(long, default_value = "contracts")]
        out: std::path::PathBuf,
        /// Overwrite contracts that exist.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(_global: &Global, _args: &ImportArgs) -> i32 {
    eprintln!("error: import is not implemented yet");
    crate::error::exit::USAGE
}
