//! The answer key of a profile: which endpoint got which drift, where in the answer, what it is, and
//! which check of the runner should report it. Written as JSON for whoever grades a run against it.

use super::{Profile, UNKNOWN_ROUTE};
use crate::result::CheckKind;
use crate::sandbox::SandboxError;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerKey {
    /// `clean` or `drifted`.
    pub profile: String,
    pub seed: u64,
    /// How the backend answers a route it does not know, when that is not Express's own page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_all: Option<CatchAll>,
    /// By endpoint, then drift, then place.
    pub drifts: Vec<Planted>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatchAll {
    pub http_status: u16,
    pub body: serde_json::Value,
}

/// One drift on one endpoint, at one place of its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planted {
    /// The contract id.
    pub endpoint: String,
    /// `GET /api/v1/stores`.
    pub route: String,
    /// The fault kind's name (`bool-as-int` …).
    pub drift: String,
    /// The JSON Pointer into the response body for drifts of a value, `*` standing for every item of
    /// a list; absent for drifts of the whole route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub what: String,
    /// The check of the runner that should report it.
    pub check: CheckKind,
}

impl CatchAll {
    pub(super) fn new() -> CatchAll {
        CatchAll {
            http_status: 404,
            body: serde_json::json!({"code": 404, "message": UNKNOWN_ROUTE}),
        }
    }
}

impl AnswerKey {
    pub(super) fn new(profile: Profile, seed: u64) -> AnswerKey {
        AnswerKey {
            profile: profile.name().to_string(),
            seed,
            catch_all: None,
            drifts: vec![],
        }
    }

    pub(super) fn sort(&mut self) {
        self.drifts
            .sort_by(|a, b| (&a.endpoint, &a.drift, &a.at).cmp(&(&b.endpoint, &b.drift, &b.at)));
    }

    /// The drifts planted on one endpoint.
    pub fn on<'k>(&'k self, endpoint: &'k str) -> impl Iterator<Item = &'k Planted> + 'k {
        self.drifts.iter().filter(move |d| d.endpoint == endpoint)
    }

    /// Writes the key as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), SandboxError> {
        let written = serde_json::to_string_pretty(self)
            .map_err(std::io::Error::other)
            .and_then(|text| std::fs::write(path, text + "\n"));
        written.map_err(|source| SandboxError::AnswerKey {
            path: path.to_path_buf(),
            source,
        })
    }
}
