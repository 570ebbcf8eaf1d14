//! The run settings (`[run]`, `[env.NAME.run]`, `DAODAO_*`, the command line), each resolved in the
//! order the module documents: command line → environment variable → environment section → `[run]`.

use super::env::env_number;
use super::{ConfigError, EnvSource, NegativeMode, Overrides, RunSection, StatusPolicy};
use std::collections::BTreeMap;

/// What a run is told about scheduling and judging, resolved.
pub(super) struct RunSettings {
    pub jobs: usize,
    pub retries: u32,
    pub timeout_ms: u64,
    pub latency_budget_ms: u64,
    pub latency_overrides: BTreeMap<String, u64>,
    pub status_policy: StatusPolicy,
    pub negative: NegativeMode,
}

impl RunSettings {
    /// `env_run` is the selected environment's `[env.NAME.run]`, `file_run` the top-level `[run]`.
    pub fn resolve(
        cli: &Overrides,
        env: &dyn EnvSource,
        env_run: &RunSection,
        file_run: &RunSection,
    ) -> Result<Self, ConfigError> {
        let jobs = cli
            .jobs
            .or(env_number(env, "DAODAO_JOBS")?)
            .or(env_run.jobs)
            .or(file_run.jobs)
            .unwrap_or(8)
            .max(1);
        let retries = cli
            .retries
            .or(env_number(env, "DAODAO_RETRIES")?)
            .or(env_run.retries)
            .or(file_run.retries)
            .unwrap_or(0);
        let timeout_ms = cli
            .timeout_ms
            .or(env_number(env, "DAODAO_TIMEOUT_MS")?)
            .or(env_run.timeout_ms)
            .or(file_run.timeout_ms)
            .unwrap_or(10_000);
        let latency_budget_ms = env_number(env, "DAODAO_LATENCY_BUDGET_MS")?
            .or(env_run.latency_budget_ms)
            .or(file_run.latency_budget_ms)
            .unwrap_or(2_000);
        let status_policy = env_status_policy(env)?
            .or(env_run.status_policy)
            .or(file_run.status_policy)
            .unwrap_or(StatusPolicy::EnvelopeOnly);
        let negative = cli
            .negative
            .or(env_negative(env)?)
            .or(env_run.negative)
            .or(file_run.negative)
            .unwrap_or_default();
        // The environment's budgets win over the file's, endpoint by endpoint.
        let mut latency_overrides = file_run.latency_overrides.clone();
        latency_overrides.extend(env_run.latency_overrides.clone());
        Ok(RunSettings {
            jobs,
            retries,
            timeout_ms,
            latency_budget_ms,
            latency_overrides,
            status_policy,
            negative,
        })
    }
}

fn env_negative(env: &dyn EnvSource) -> Result<Option<NegativeMode>, ConfigError> {
    match env.var("DAODAO_NEGATIVE") {
        None => Ok(None),
        Some(value) => NegativeMode::from_name(&value)
            .map(Some)
            .ok_or(ConfigError::EnvNegative { value }),
    }
}

fn env_status_policy(env: &dyn EnvSource) -> Result<Option<StatusPolicy>, ConfigError> {
    match env.var("DAODAO_STATUS_POLICY").as_deref() {
        Some("must-agree") => Ok(Some(StatusPolicy::MustAgree)),
        Some("envelope-only") => Ok(Some(StatusPolicy::EnvelopeOnly)),
        Some(other) => Err(ConfigError::EnvStatusPolicy {
            value: other.to_string(),
        }),
        None => Ok(None),
    }
}
