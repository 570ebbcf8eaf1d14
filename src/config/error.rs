//! What can be wrong with the configuration: the file, its TOML, the environment variables, the
//! environment and base URL it selects.

use crate::source::TomlError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config` names a file that does not exist.
    #[error("{}: config file not found", path.display())]
    NotFound { path: PathBuf },
    #[error("reading {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The directory to look for the config from.
    #[error("reading the current directory: {0}")]
    CurrentDir(#[source] std::io::Error),
    /// TOML syntax, a value of the wrong type or an unknown key (toml reports them alike, with the
    /// place).
    #[error("{}: {error}", path.display())]
    Toml { path: PathBuf, error: TomlError },
    #[error("environment variable {name}={value:?} is not a number")]
    EnvNotANumber { name: String, value: String },
    #[error("DAODAO_STATUS_POLICY={value:?}: expected `envelope-only` or `must-agree`")]
    EnvStatusPolicy { value: String },
    #[error("DAODAO_NEGATIVE={value:?}: expected `all`, `basic` or `off`")]
    EnvNegative { value: String },
    /// `--env` / `DAODAO_ENV` / `default_env` names no `[env.NAME]` section.
    #[error(
        "unknown environment `{name}` (configured: {})",
        list_or_none(configured)
    )]
    UnknownEnv {
        name: String,
        configured: Vec<String>,
    },
    #[error("base URL {url:?} is not a URL: {reason}")]
    BaseUrlNotAUrl { url: String, reason: String },
    #[error("base URL {url:?} must start with http:// or https://")]
    BaseUrlScheme { url: String },
    /// A new user is a customer: the staff is an account the backend team provides.
    #[error("{}: [accounts.{account}]: a staff account cannot register (a new user is a customer): use flow = \"password\" or \"code\"", file.display())]
    StaffRegisters { file: PathBuf, account: String },
    /// A `[checks.leakage]` pattern that is not a regular expression.
    #[error("{}: [checks.leakage] pattern `{name}` is not a regular expression: {reason}", path.display())]
    LeakagePattern {
        path: PathBuf,
        name: String,
        reason: String,
    },
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
