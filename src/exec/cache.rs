//! The run's shared answers to setup reads (see `setup.rs`), and what sending a step got. Plain data, so
//! the run's context can hold the cache without knowing how steps run.

use crate::result::CaseResult;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// What sending a step got: its case as the checks judged it, the body, and whether it is usable.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub case: CaseResult,
    pub body: Value,
    pub hard: bool,
}

type Slot = Arc<OnceCell<Sent>>;

/// The run's shared setup answers, by request.
#[derive(Default)]
pub(crate) struct SetupCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl SetupCache {
    pub fn slot(&self, key: String) -> Slot {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .clone()
    }
}
