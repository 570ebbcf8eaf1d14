//! The `[run]` bounds: what one response may cost a run.

use super::RunSection;

/// What a run spends on one response, whatever the backend sends: the work is bounded by our inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_findings_per_case: usize,
    pub max_body_bytes: usize,
    pub max_validated_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_findings_per_case: 20,
            max_body_bytes: 8 * 1024 * 1024,
            max_validated_body_bytes: 2 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// The `[env.NAME] [run]` keys over the `[run]` keys over the defaults; none is below 1.
    pub(super) fn resolve(env_run: &RunSection, file_run: &RunSection) -> Limits {
        let default = Limits::default();
        let pick = |f: fn(&RunSection) -> Option<usize>, d: usize| {
            f(env_run).or(f(file_run)).unwrap_or(d).max(1)
        };
        Limits {
            max_findings_per_case: pick(|r| r.max_findings_per_case, default.max_findings_per_case),
            max_body_bytes: pick(|r| r.max_body_bytes, default.max_body_bytes),
            max_validated_body_bytes: pick(
                |r| r.max_validated_body_bytes,
                default.max_validated_body_bytes,
            ),
        }
    }
}
