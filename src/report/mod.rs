//! Renderers over the one result model. Each format is one file.

pub mod json;
pub mod terminal;

use crate::app::Global;
use crate::config::Config;
use crate::result::RunResult;

/// `daodao-check report`: renders reports/last-run.json (or `--input`) in a format. (Being written.)
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, default_value = "markdown")]
    pub format: String,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

pub fn run(_global: &Global, _args: &ReportArgs) -> i32 {
    eprintln!("error: report is not implemented yet");
    crate::error::exit::USAGE
}

/// Writes the reports asked for with `--report FORMAT=PATH` during a run. (Being written.)
pub fn write_requested(
    _result: &RunResult,
    specs: &[String],
    _config: &Config,
) -> crate::error::Result<()> {
    if specs.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::Usage(
            "--report is not implemented yet".into(),
        ))
    }
}

/// How to draw for a terminal: colours only on a TTY and without `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour when stdout is a terminal and `NO_COLOR` is unset (https://no-color.org).
    pub fn detect(choice: ColorChoice) -> Style {
        use std::io::IsTerminal;
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Style { color }
    }

    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}
