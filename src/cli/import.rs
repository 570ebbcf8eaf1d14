//! `import`: contract skeletons from another document.

use super::{fail, ProjectArgs};
use daodao_check::error::exit;
use daodao_check::import::import_apidoc;
use daodao_check::openapi::import::{import_openapi, EnvelopeMode};
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
    /// An OpenAPI 3.0 or 3.1 document (JSON or YAML; a file or an http(s) URL).
    Openapi {
        /// The document: a file path or an http(s):// URL.
        source: String,
        /// Directory to write contracts (and _schemas/, plan.toml) into.
        #[arg(long, default_value = "contracts")]
        out: PathBuf,
        /// auto: a success schema shaped like the config's [envelope] is unwrapped to its data;
        /// none: the whole answer is the contract's data.
        #[arg(long, value_enum, default_value_t = EnvelopeMode::Auto)]
        envelope: EnvelopeMode,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
        /// The config whose [envelope] names the envelope's fields (default: daodao-check.toml here or
        /// in a parent; the built-in names without one).
        #[command(flatten)]
        project: ProjectArgs,
    },
}

/// Prints the summary; exit 0, or 2 when the doc is unreadable or a write failed.
pub fn import(args: &ImportArgs) -> i32 {
    match &args.source {
        ImportSource::Openapi {
            source,
            out,
            envelope,
            force,
            project,
        } => {
            // The envelope's names come from the config when there is one; defaults otherwise.
            let config = match project.load_config() {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            match import_openapi(source, out, *envelope, &config.envelope, *force) {
                Ok(summary) => {
                    print!("{}", summary.render());
                    exit::OK
                }
                Err(e) => fail(e),
            }
        }
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
