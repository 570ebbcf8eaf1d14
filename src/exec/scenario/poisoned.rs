//! Variables without a value, and why: the step that should have captured them got no usable answer,
//! or was skipped. What they block says the root cause; a block whose root is a skip is no failure.

use crate::scenario::Step;
use std::collections::HashMap;

/// Why a variable has no value: the root cause in words, and whether that root is a skip (an account
/// that is not configured) rather than a problem of the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cause {
    text: String,
    skipped: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Poisoned(HashMap<String, Cause>);

impl Poisoned {
    /// Every variable the step captures is now poisoned, for `cause`.
    pub fn captures_of(&mut self, step: &Step, cause: &str) {
        self.poison(step, cause, false);
    }

    /// Every variable the skipped step would have captured has no value, for a skip.
    pub fn captures_of_skipped(&mut self, step: &Step, cause: &str) {
        self.poison(step, cause, true);
    }

    /// Every variable the step captures has no value for the same root as `var`.
    pub fn captures_like(&mut self, step: &Step, var: &str) {
        if let Some(root) = self.0.get(var).cloned() {
            self.poison(step, &root.text, root.skipped);
        }
    }

    fn poison(&mut self, step: &Step, cause: &str, skipped: bool) {
        for var in step.capture.keys() {
            self.0.entry(var.clone()).or_insert_with(|| Cause {
                text: cause.to_string(),
                skipped,
            });
        }
    }

    /// The first cause stays: it is the root.
    pub fn insert(&mut self, var: &str, cause: &str) {
        self.0.entry(var.to_string()).or_insert_with(|| Cause {
            text: cause.to_string(),
            skipped: false,
        });
    }

    /// The first referenced variable that is poisoned: the reason a step is blocked.
    pub fn blocker<'r>(&self, refs: &'r [String]) -> Option<&'r str> {
        refs.iter()
            .find(|r| self.0.contains_key(*r))
            .map(String::as_str)
    }

    /// Why a variable has no value.
    pub fn cause(&self, var: &str) -> Option<&str> {
        self.0.get(var).map(|c| c.text.as_str())
    }

    /// The variable has no value because a step was skipped, not because something failed.
    pub fn is_skipped(&self, var: &str) -> bool {
        self.0.get(var).is_some_and(|c| c.skipped)
    }
}
