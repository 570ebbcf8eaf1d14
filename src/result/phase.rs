//! Where a scenario belongs: one phase of the plan, or across phases (端到端, a customer journey).
//!
//! Written `phase = 2` or `phase = "e2e"` in a scenario file, and the same in `last-run.json`. A
//! cross-phase scenario runs after every phase, gates the exit code like any scenario, and counts in
//! no phase's X/Y.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// The spelling of [`ScenarioPhase::EndToEnd`] in files.
pub const END_TO_END: &str = "e2e";

/// Where a scenario belongs; every plan phase sorts before the cross-phase ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScenarioPhase {
    /// One phase of the plan (0–8).
    Plan(u8),
    /// Across phases: a business flow from end to end.
    EndToEnd,
}

impl ScenarioPhase {
    /// The plan phase, for a scenario that belongs to one.
    pub fn plan(self) -> Option<u8> {
        match self {
            ScenarioPhase::Plan(n) => Some(n),
            ScenarioPhase::EndToEnd => None,
        }
    }

    pub fn is_end_to_end(self) -> bool {
        self == ScenarioPhase::EndToEnd
    }

    /// `phase1` / `e2e`: a name for identifiers (JUnit class names, HTML ids).
    pub fn slug(self) -> String {
        match self {
            ScenarioPhase::Plan(n) => format!("phase{n}"),
            ScenarioPhase::EndToEnd => END_TO_END.to_string(),
        }
    }
}

impl From<u8> for ScenarioPhase {
    fn from(n: u8) -> Self {
        ScenarioPhase::Plan(n)
    }
}

impl Serialize for ScenarioPhase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ScenarioPhase::Plan(n) => s.serialize_u8(*n),
            ScenarioPhase::EndToEnd => s.serialize_str(END_TO_END),
        }
    }
}

struct PhaseVisitor;

impl Visitor<'_> for PhaseVisitor {
    type Value = ScenarioPhase;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a plan phase (0–8) or \"{END_TO_END}\"")
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<ScenarioPhase, E> {
        u8::try_from(n)
            .map(ScenarioPhase::Plan)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<ScenarioPhase, E> {
        u64::try_from(n)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(n), &self))
            .and_then(|n| self.visit_u64(n))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<ScenarioPhase, E> {
        if s == END_TO_END {
            Ok(ScenarioPhase::EndToEnd)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(s), &self))
        }
    }
}

impl<'de> Deserialize<'de> for ScenarioPhase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ScenarioPhase, D::Error> {
        d.deserialize_any(PhaseVisitor)
    }
}

impl schemars::JsonSchema for ScenarioPhase {
    fn schema_name() -> Cow<'static, str> {
        "ScenarioPhase".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The plan phase (0–8) the scenario belongs to, or \"e2e\" for a flow across phases (端到端): it runs after every phase and counts in no phase's X/Y.",
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": 8},
                {"const": END_TO_END}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Holder {
        phase: ScenarioPhase,
    }

    #[test]
    fn a_phase_is_a_number_or_e2e_in_toml_and_json() {
        let two: Holder = toml::from_str("phase = 2").expect("a number");
        assert_eq!(two.phase, ScenarioPhase::Plan(2));
        let e2e: Holder = toml::from_str("phase = \"e2e\"").expect("e2e");
        assert_eq!(e2e.phase, ScenarioPhase::EndToEnd);
        assert_eq!(
            serde_json::to_string(&e2e).expect("json"),
            r#"{"phase":"e2e"}"#
        );
        assert_eq!(serde_json::to_string(&two).expect("json"), r#"{"phase":2}"#);
        let back: Holder = serde_json::from_str(r#"{"phase":7}"#).expect("json number");
        assert_eq!(back.phase, ScenarioPhase::Plan(7));
    }

    #[test]
    fn anything_else_says_what_a_phase_may_be() {
        for bad in [
            "phase = \"E2E\"",
            "phase = -1",
            "phase = 300",
            "phase = 1.5",
        ] {
            let err = toml::from_str::<Holder>(bad).expect_err(bad).to_string();
            assert!(
                err.contains("a plan phase (0–8) or \"e2e\""),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn cross_phase_scenarios_sort_after_every_phase() {
        let mut phases = vec![
            ScenarioPhase::EndToEnd,
            ScenarioPhase::Plan(8),
            ScenarioPhase::Plan(0),
        ];
        phases.sort();
        assert_eq!(
            phases,
            [
                ScenarioPhase::Plan(0),
                ScenarioPhase::Plan(8),
                ScenarioPhase::EndToEnd
            ]
        );
        assert_eq!(ScenarioPhase::EndToEnd.plan(), None);
        assert_eq!(ScenarioPhase::Plan(3).slug(), "phase3");
    }
}
