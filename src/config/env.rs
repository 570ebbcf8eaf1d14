//! The environment variables a configuration reads (`DAODAO_*`), behind a seam for tests.

use super::ConfigError;

/// Reads environment variables the way the process sees them; a seam for tests.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

/// No environment variables at all: for tests that must not see the process environment.
#[cfg(test)]
pub(crate) struct NoEnv;

#[cfg(test)]
impl EnvSource for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
}

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

pub(super) fn env_number<T: std::str::FromStr>(
    env: &dyn EnvSource,
    name: &str,
) -> Result<Option<T>, ConfigError> {
    match env.var(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ConfigError::EnvNotANumber {
                name: name.to_string(),
                value: v,
            }),
    }
}
