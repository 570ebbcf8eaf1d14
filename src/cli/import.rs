//! `import`: contract skeletons from another document.

use super::fail;
use daodao_check::error::exit;
use daodao_check::import::import_apidoc;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    source: ImportSource,
}

#[derive(Debug, Clone, clap::Subcommand)]
enum ImportSource {
    /// A markdown API doc in the style of 小程序端API.md.
    Apidoc {
        /// The markdown file.
        path: PathBuf,
        /// Directory to write contracts into.
        #[arg(long, default_value = "contracts")]
        out: PathBuf,
        /// Overwrite contracts that exist.
        #[arg(long)]
        force: bool,
    },
}

/// Prints the summary; exit 0, or 2 when the doc is unreadable or a write failed.
pub fn import(args: &ImportArgs) -> i32 {
    match &args.source {
        ImportSource::Apidoc { path, out, force } => match import_apidoc(path, out, *force) {
            Ok(summary) => {
                print!("{}", summary.render());
                if summary.errors.is_empty() {
                    exit::OK
                } else {
                    exit::USAGE
                }
            }
            Err(e) => fail(e),
        },
    }
}
