//! What a run adds when it is run again or cut short: the earlier attempts of a retried check, and
//! what `--fail-fast` / `--max-fail` left unscheduled.

use super::{CaseResult, Finding, Status};
use serde::{Deserialize, Serialize};

/// An attempt of an endpoint check or a scenario that failed and was run again (`--retries`): its
/// status and the cases (steps) that did not pass with their findings. The excerpts stay with the
/// last attempt only, so a retried run's file grows by findings, not by bodies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attempt {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseResult>,
}

impl Attempt {
    /// What an attempt found: its cases that did not pass, without excerpts.
    pub fn of(status: Status, reason: Option<String>, cases: &[CaseResult]) -> Attempt {
        Attempt {
            status,
            reason,
            cases: cases
                .iter()
                .filter(|k| k.status != Status::Passed)
                .map(|k| CaseResult {
                    request: None,
                    response: None,
                    curl: None,
                    ..k.clone()
                })
                .collect(),
        }
    }

    /// The first finding of the attempt, in one line: what made it fail.
    pub fn first_finding(&self) -> Option<(&CaseResult, &Finding)> {
        self.cases
            .iter()
            .find_map(|k| k.findings.first().map(|f| (k, f)))
    }
}

/// What a run did not schedule because enough had failed (`--fail-fast`, `--max-fail N`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NotRun {
    /// The failures after which scheduling stopped.
    pub max_fail: usize,
    /// Contract ids, in plan order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    /// Scenario names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<String>,
}

impl NotRun {
    pub fn count(&self) -> usize {
        self.endpoints.len() + self.scenarios.len()
    }
}
