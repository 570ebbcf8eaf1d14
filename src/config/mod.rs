//! `daodao-check.toml`: named environments, run settings, the envelope mapping, login and accounts.
//!
//! Resolution order (highest first): command line → environment variables → the selected
//! `[env.NAME]` section → the top-level `[run]` section → built-in defaults.

mod accounts;
mod checks;
mod env;
mod error;
mod limits;
mod run;
#[cfg(test)]
mod tests;

use crate::source::TomlError;
pub use accounts::{
    AccountConfig, LoginFlow, PresetLogin, ResolvedAccount, Role, BUILT_IN_ACCOUNTS, STAFF_ACCOUNT,
};
pub use checks::{
    BadPattern, Checks, ChecksSection, LeakPattern, LeakageRules, LeakageSection, PatternEntry,
    DEFAULT_FIELDS, DEFAULT_PATTERNS,
};
#[cfg(test)]
pub(crate) use env::NoEnv;
pub use env::{EnvSource, ProcessEnv};
pub use error::ConfigError;
pub use limits::Limits;
use run::RunSettings;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "daodao-check.toml";

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The environment used when `--env` is not given.
    pub default_env: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, EnvSection>,
    #[serde(default)]
    pub run: RunSection,
    #[serde(default)]
    pub envelope: EnvelopeConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub sms: SmsConfig,
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountConfig>,
    #[serde(default)]
    pub paths: PathsSection,
    #[serde(default)]
    pub progress: ProgressSection,
    /// The security checks derived from the contracts (all on by default).
    #[serde(default)]
    pub checks: ChecksSection,
}

/// What `daodao-check progress` writes into the plan's 联调进度表.
#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressSection {
    /// 负责人 (overridden by `--owner` / `DAODAO_OWNER`).
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvSection {
    pub base_url: Option<String>,
    /// A production environment: every write is refused (endpoint checks and scenario steps whose
    /// method is not GET, setup writes, registering test users) unless `--allow-writes`, and the
    /// security checks, which create data, never run.
    pub production: Option<bool>,
    pub run: Option<RunSection>,
    pub sms: Option<SmsConfig>,
}

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    pub jobs: Option<usize>,
    /// Re-run a failing endpoint check or scenario up to this many times; one that then passes is flaky.
    pub retries: Option<u32>,
    pub timeout_ms: Option<u64>,
    pub latency_budget_ms: Option<u64>,
    pub status_policy: Option<StatusPolicy>,
    /// Per-endpoint latency budgets, keyed by contract id.
    #[serde(default)]
    pub latency_overrides: BTreeMap<String, u64>,
    /// A case lists at most this many findings; the rest are counted in one `… 另有 K 项` per check.
    pub max_findings_per_case: Option<usize>,
    /// A response body is read up to this many bytes; a longer one is cut there and not judged as JSON.
    pub max_body_bytes: Option<usize>,
    /// `data` is validated against its schema only in bodies up to this many bytes; a larger body has its
    /// envelope judged and a finding that says it was too large to validate.
    pub max_validated_body_bytes: Option<usize>,
    /// Negative and boundary inputs derived from each endpoint's request schemas (`negative_input`):
    /// `basic` (the most informative, at most 8 an endpoint), `all`, or `off`.
    pub negative: Option<NegativeMode>,
}

/// How many derived negative and boundary inputs an endpoint gets (README「负向与边界输入」).
#[derive(
    Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NegativeMode {
    /// None.
    Off,
    /// The most informative first, at most [`NegativeMode::BASIC_BUDGET`] an endpoint.
    #[default]
    Basic,
    /// Every one derived.
    All,
}

impl NegativeMode {
    /// The budget of `basic`: derived cases an endpoint gets at most.
    pub const BASIC_BUDGET: usize = 8;

    pub const NAMES: [&'static str; 3] = ["all", "basic", "off"];

    /// `all`, `basic` or `off`.
    pub fn from_name(name: &str) -> Option<NegativeMode> {
        match name.trim() {
            "all" => Some(NegativeMode::All),
            "basic" => Some(NegativeMode::Basic),
            "off" => Some(NegativeMode::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NegativeMode::Off => "off",
            NegativeMode::Basic => "basic",
            NegativeMode::All => "all",
        }
    }

    /// How many derived cases an endpoint gets at most (`None`: all of them).
    pub fn budget(self) -> Option<usize> {
        match self {
            NegativeMode::Off => Some(0),
            NegativeMode::Basic => Some(Self::BASIC_BUDGET),
            NegativeMode::All => None,
        }
    }
}

#[derive(
    Debug, Clone, Copy, Deserialize, PartialEq, Eq, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum StatusPolicy {
    /// Only the envelope code decides; success still needs a 2xx.
    EnvelopeOnly,
    /// The HTTP status must agree with the envelope code (401 ↔ 401, success ↔ 2xx).
    MustAgree,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EnvelopeConfig {
    pub code: String,
    pub message: String,
    pub data: String,
    pub success: i64,
}

impl Default for EnvelopeConfig {
    fn default() -> Self {
        EnvelopeConfig {
            code: "code".into(),
            message: "message".into(),
            data: "data".into(),
            success: 0,
        }
    }
}

/// Which contracts implement the login flows, and where the tokens are in their responses.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub send_code: String,
    pub register: String,
    pub login: String,
    pub login_with_code: String,
    pub refresh: String,
    /// The logout contract (the session check logs a session of its own out through it).
    pub logout: String,
    pub token: String,
    pub refresh_token: String,
    pub user_id: String,
    /// The body field the refresh endpoint takes the refresh token in.
    pub refresh_field: String,
    /// The `type` sent to send-code before a code login / a registration.
    pub code_type_login: String,
    pub code_type_register: String,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            send_code: "auth.send-code".into(),
            register: "auth.register".into(),
            login: "auth.login".into(),
            login_with_code: "auth.login-with-code".into(),
            refresh: "auth.refresh-token".into(),
            logout: "auth.logout".into(),
            token: "data.token".into(),
            refresh_token: "data.refreshToken".into(),
            user_id: "data.user.id".into(),
            refresh_field: "refreshToken".into(),
            code_type_login: "login".into(),
            code_type_register: "register".into(),
        }
    }
}

/// How the SMS verification code is obtained in a test environment.
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, tag = "source", rename_all = "kebab-case")]
pub enum SmsConfig {
    /// The test backend echoes the code in the send-code response at `path`.
    Response { path: String },
    /// The test backend accepts one fixed development code.
    Fixed { value: String },
    /// The code is read from an environment variable (set by CI from the SMS gateway's test inbox).
    Env { var: String },
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig::Fixed {
            value: "123456".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathsSection {
    pub contracts: Option<PathBuf>,
    pub scenarios: Option<PathBuf>,
    pub fixtures: Option<PathBuf>,
    pub reports: Option<PathBuf>,
}

/// Settings given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub env: Option<String>,
    pub retries: Option<u32>,
    pub base_url: Option<String>,
    pub jobs: Option<usize>,
    pub timeout_ms: Option<u64>,
    pub negative: Option<NegativeMode>,
}

/// The configuration a run uses, fully resolved.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project root: the directory holding the config file (or the current directory).
    pub root: PathBuf,
    pub config_path: Option<PathBuf>,
    pub env_name: String,
    pub base_url: String,
    pub jobs: usize,
    pub retries: u32,
    pub timeout_ms: u64,
    pub latency_budget_ms: u64,
    pub latency_overrides: BTreeMap<String, u64>,
    pub status_policy: StatusPolicy,
    /// The derived negative and boundary inputs of each endpoint (a contract's `run.negative` wins).
    pub negative: NegativeMode,
    pub limits: Limits,
    pub envelope: EnvelopeConfig,
    pub auth: AuthConfig,
    pub sms: SmsConfig,
    pub accounts: BTreeMap<String, ResolvedAccount>,
    pub contracts_dir: PathBuf,
    pub scenarios_dir: PathBuf,
    pub fixtures_dir: PathBuf,
    pub reports_dir: PathBuf,
    /// 负责人 for the plan's progress table.
    pub owner: Option<String>,
    /// The environment is production (`[env.NAME] production = true`).
    pub production: bool,
    /// Writes may be sent to production: `--allow-writes` of `phase` and `run`, never a file or a
    /// variable (false when resolved).
    pub allow_writes: bool,
    pub checks: Checks,
}

pub const DEFAULT_BASE_URL: &str = "http://localhost:3001/api/v1";

/// Finds `daodao-check.toml` in `start` or any parent directory.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Parses a config file's text; errors name the file, line and column.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str::<ConfigFile>(text).map_err(|e| ConfigError::Toml {
        path: path.to_path_buf(),
        error: TomlError::new(text, &e),
    })
}

/// Loads and resolves the configuration: `explicit` (from `--config`) or the file found upward from `cwd`.
pub fn load(
    cwd: &Path,
    explicit: Option<&Path>,
    cli: &Overrides,
    env: &dyn EnvSource,
) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(ConfigError::NotFound {
                    path: p.to_path_buf(),
                });
            }
            Some(p.to_path_buf())
        }
        None => find_config(cwd),
    };
    let (file, root) = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Unreadable {
                path: p.clone(),
                source,
            })?;
            let root = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| cwd.to_path_buf());
            (parse(p, &text)?, root)
        }
        None => (ConfigFile::default(), cwd.to_path_buf()),
    };
    resolve(file, root, path, cli, env)
}

pub fn resolve(
    file: ConfigFile,
    root: PathBuf,
    config_path: Option<PathBuf>,
    cli: &Overrides,
    env: &dyn EnvSource,
) -> Result<Config, ConfigError> {
    let (env_name, section) = select_env(&file, cli, env)?;
    let env_run = section.run.clone().unwrap_or_default();
    let base_url = cli
        .base_url
        .clone()
        .or_else(|| env.var("DAODAO_BASE_URL"))
        .or(section.base_url.clone())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let base_url = validate_base_url(&base_url)?;
    let run = RunSettings::resolve(cli, env, &env_run, &file.run)?;
    let sms = match env.var("DAODAO_SMS_CODE") {
        Some(value) => SmsConfig::Fixed { value },
        None => section.sms.clone().unwrap_or(file.sms.clone()),
    };
    let file_label = config_path
        .clone()
        .unwrap_or_else(|| PathBuf::from(FILE_NAME));
    let accounts = accounts::resolve(&file.accounts, &file_label)?;
    let dir =
        |p: &Option<PathBuf>, default: &str| root.join(p.clone().unwrap_or_else(|| default.into()));
    let checks = checks::resolve(&file.checks, config_path.as_deref())?;
    Ok(Config {
        production: section.production.unwrap_or(false),
        allow_writes: false,
        checks,
        contracts_dir: dir(&file.paths.contracts, "contracts"),
        scenarios_dir: dir(&file.paths.scenarios, "scenarios"),
        fixtures_dir: dir(&file.paths.fixtures, "fixtures"),
        reports_dir: dir(&file.paths.reports, "reports"),
        owner: file.progress.owner.clone(),
        root,
        config_path,
        env_name,
        base_url,
        jobs: run.jobs,
        retries: run.retries,
        timeout_ms: run.timeout_ms,
        latency_budget_ms: run.latency_budget_ms,
        latency_overrides: run.latency_overrides,
        status_policy: run.status_policy,
        negative: run.negative,
        limits: Limits::resolve(&env_run, &file.run),
        envelope: file.envelope,
        auth: file.auth,
        sms,
        accounts,
    })
}

/// The environment's name (command line → `DAODAO_ENV` → `default_env` → `local`) and its section;
/// `local` needs none.
fn select_env(
    file: &ConfigFile,
    cli: &Overrides,
    env: &dyn EnvSource,
) -> Result<(String, EnvSection), ConfigError> {
    let name = cli
        .env
        .clone()
        .or_else(|| env.var("DAODAO_ENV"))
        .or_else(|| file.default_env.clone())
        .unwrap_or_else(|| "local".to_string());
    match file.env.get(&name) {
        Some(section) => Ok((name, section.clone())),
        None if name == "local" => Ok((name, EnvSection::default())),
        None => Err(ConfigError::UnknownEnv {
            name,
            configured: file.env.keys().cloned().collect(),
        }),
    }
}

fn validate_base_url(url: &str) -> Result<String, ConfigError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ConfigError::BaseUrlNotAUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ConfigError::BaseUrlScheme {
            url: url.to_string(),
        });
    }
    Ok(url.trim_end_matches('/').to_string())
}

impl Config {
    /// The latency budget for one contract (its own, else the configured override, else the default).
    pub fn budget_for(&self, contract_id: &str, contract_budget: Option<u64>) -> u64 {
        self.latency_overrides
            .get(contract_id)
            .copied()
            .or(contract_budget)
            .unwrap_or(self.latency_budget_ms)
    }

    /// The path prefix of the base URL (`/api/v1`), used to spell endpoints as the plan does.
    pub fn base_path(&self) -> String {
        reqwest::Url::parse(&self.base_url)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default()
    }
}
