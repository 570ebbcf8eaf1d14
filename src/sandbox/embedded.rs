//! The sandbox a run starts for itself, and the options of a sandbox from the configuration.

use super::fault::Fault;
use super::profile::Profile;
use super::{start, Options, Running, Sandbox, SandboxError, DEV_SMS_CODE};
use crate::catalog::Catalog;
use crate::config::{Config, LoginFlow, PresetLogin, Role, STAFF_ACCOUNT};
use std::path::PathBuf;
use std::sync::Arc;

pub fn options_for(
    config: &Config,
    seed: u64,
    faults: &[String],
    log: bool,
) -> Result<Options, SandboxError> {
    let faults = faults
        .iter()
        .map(|f| Fault::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Options {
        seed,
        faults,
        log,
        profile: Profile::Clean,
        base_path: config.base_path(),
        latency_budget_ms: config.latency_budget_ms,
        envelope: config.envelope.clone(),
        refresh_field: config.auth.refresh_field.clone(),
        record: None,
        limits: super::Limits::default(),
        staff: Some(staff_login(config)),
    })
}

/// The staff the sandbox seeds: whom the staff account's environment variables name, when they name
/// someone, else the sandbox's own.
fn staff_login(config: &Config) -> PresetLogin {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    config
        .accounts
        .get(STAFF_ACCOUNT)
        .and_then(|a| {
            Some(PresetLogin {
                phone: var(&a.phone_env)?,
                password: var(&a.password_env)?,
            })
        })
        .unwrap_or_else(super::default_staff)
}

/// What the embedded sandbox of a run plays.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// Fault specs (`KIND` or `KIND=ID,ID`).
    pub faults: Vec<String>,
    pub profile: Profile,
    pub seed: u64,
    /// Where to write the profile's answer key.
    pub answer_key: Option<PathBuf>,
}

impl Default for Embedded {
    fn default() -> Self {
        Embedded {
            faults: vec![],
            profile: Profile::Clean,
            seed: 1,
            answer_key: None,
        }
    }
}

/// Starts the embedded sandbox and points the configuration at it: a fresh user per customer account,
/// the seeded staff for staff accounts, the sandbox's SMS code. Writes the answer key when asked to.
pub async fn embed(
    config: &mut Config,
    catalog: Arc<Catalog>,
    embedded: &Embedded,
) -> Result<Running, SandboxError> {
    let mut options = options_for(config, embedded.seed, &embedded.faults, false)?;
    options.profile = embedded.profile;
    let options_staff = options.staff.clone();
    let sandbox = Sandbox::new(catalog, &config.contracts_dir, options)?;
    if let Some(path) = &embedded.answer_key {
        sandbox.answer_key().write(path)?;
    }
    let addr = ([127, 0, 0, 1], 0).into();
    let running = start(Arc::new(sandbox), addr)
        .await
        .map_err(|source| SandboxError::Listen { addr, source })?;
    config.base_url = running.base_url(&config.base_path());
    config.env_name = "sandbox".into();
    // Whatever the configured environment is, the run goes to the sandbox: no production backend.
    config.production = false;
    config.sms = crate::config::SmsConfig::Fixed {
        value: DEV_SMS_CODE.into(),
    };
    for a in config.accounts.values_mut() {
        match a.role {
            Role::Customer => a.flow = LoginFlow::Register,
            Role::Staff => {
                a.flow = LoginFlow::Password;
                a.preset = options_staff.clone();
            }
        }
    }
    Ok(running)
}
