//! `export`: the catalogue in another format (OpenAPI 3.1, for Apifox, Swagger UI, generators …).

use super::{fail, load_catalog, ProjectArgs};
use daodao_check::config::{self, Config};
use daodao_check::error::{exit, Error, Result, UsageError};
use daodao_check::openapi::export::{export, Server, SharedSchemas, Sources};
use daodao_check::openapi::Format;
use daodao_check::source::display_path;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    target: ExportTarget,
}

#[derive(Debug, Clone, clap::Subcommand)]
enum ExportTarget {
    /// One OpenAPI 3.1 document: every contract an operation, shared schemas as components.
    Openapi {
        /// Write here (.json, .yaml or .yml) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// json or yaml; default: from --out's extension, else json.
        #[arg(long, value_enum)]
        format: Option<Format>,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

pub fn export_command(args: &ExportArgs) -> i32 {
    let ExportTarget::Openapi {
        out,
        format,
        project,
    } = &args.target;
    match openapi(project, out.as_ref(), *format) {
        Ok(()) => exit::OK,
        Err(e) => fail(e),
    }
}

fn openapi(project: &ProjectArgs, out: Option<&PathBuf>, format: Option<Format>) -> Result<()> {
    // Decided before any work: a bad --out fails at once.
    let format = match (format, out) {
        (Some(f), _) => f,
        (None, None) => Format::Json,
        (None, Some(path)) => Format::of_path(path)
            .ok_or_else(|| UsageError::ExportFormatUnknown { path: path.clone() })?,
    };
    let config = project.load_config()?;
    let catalog = load_catalog(&config)?;
    let shared = SharedSchemas::load(&config.contracts_dir.join("_schemas"))?;
    let sources = Sources {
        catalog: &catalog,
        envelope: &config.envelope,
        servers: servers(&config)?,
        shared,
    };
    let text = format.render(&export(&sources)?)?;
    match out {
        None => print!("{text}"),
        Some(path) => {
            daodao_check::atomic::write(path, text.as_bytes())?;
            eprintln!(
                "wrote {} ({} operations)",
                display_path(&config.root, path),
                catalog.contracts.len()
            );
        }
    }
    Ok(())
}

/// Every environment of the config file (the default one first, then by name), or the resolved base
/// URL when the file names none. Command-line and environment-variable overrides are not servers:
/// the document stays the same whoever writes it.
fn servers(config: &Config) -> Result<Vec<Server>> {
    let Some(path) = &config.config_path else {
        return Ok(vec![resolved(config)]);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let file = config::parse(path, &text)?;
    let mut out: Vec<Server> = file
        .env
        .iter()
        .filter_map(|(name, env)| {
            env.base_url.as_ref().map(|url| Server {
                name: name.clone(),
                url: url.clone(),
            })
        })
        .collect();
    if let Some(default) = &file.default_env {
        out.sort_by_key(|s| s.name != *default);
    }
    if out.is_empty() {
        out.push(resolved(config));
    }
    Ok(out)
}

fn resolved(config: &Config) -> Server {
    Server {
        name: config.env_name.clone(),
        url: config.base_url.clone(),
    }
}
