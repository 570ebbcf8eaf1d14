//! The eight-phase plan as the tool knows it (`contracts/plan.toml`), and selecting what to run.

pub mod names;
pub mod partition;

pub use partition::{Partition, PartitionError};

use crate::result::ScenarioPhase;
use crate::source::TomlError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Why `contracts/plan.toml` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}: cannot read the plan: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {error}", path.display())]
    Toml { path: PathBuf, error: TomlError },
    #[error("{}: endpoint `{endpoint}` of phase {phase} names unknown module `{module}`", path.display())]
    UnknownModule {
        path: PathBuf,
        endpoint: String,
        phase: u8,
        module: String,
    },
}

/// A name on the command line (`--endpoint`, `--module`, `--scenario`, `--phase`) that the catalogue
/// does not have: a usage error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown endpoint `{given}`{} (a contract id such as auth.login, or a route such as \"GET /api/v1/vehicles/{{id}}\" or \"GET /vehicles/:id\"; `daodao-check list endpoints` lists them)", did_you_mean(.suggestion))]
    UnknownEndpoint {
        given: String,
        /// The nearest contract, as `vehicles.detail (GET /api/v1/vehicles/{id})`.
        suggestion: Option<String>,
    },
    #[error("unknown module `{name}`{} (modules: {})", did_you_mean(.suggestion), known.join(", "))]
    UnknownModule {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("unknown scenario `{name}`{} (`daodao-check list scenarios` lists them)", did_you_mean(.suggestion))]
    UnknownScenario {
        name: String,
        suggestion: Option<String>,
    },
    #[error("phase {0} is not in the plan (0–8)")]
    UnknownPhase(u8),
}

/// `: did you mean vehicles.detail?`, or nothing.
fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map_or(String::new(), |s| format!(": did you mean {s}?"))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The path prefix the plan writes before every endpoint path (`/api/v1`).
    pub prefix: String,
    #[serde(rename = "module")]
    pub modules: Vec<Module>,
    #[serde(rename = "phase")]
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub number: u8,
    /// The plan's heading name, e.g. 核心认证模块.
    pub name: String,
    /// The name in the plan's 联调进度表, e.g. 用户认证.
    pub table_name: String,
    /// Stars in the plan's 优先级.
    pub priority: u8,
    pub modules: Vec<String>,
    pub endpoints: Vec<PlanEndpoint>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEndpoint {
    /// As the plan writes it: `POST /api/v1/auth/login`.
    pub endpoint: String,
    pub name: String,
    pub module: String,
}

pub const FILE_NAME: &str = "plan.toml";

const CHINESE_NUMERALS: [&str; 9] = ["零", "一", "二", "三", "四", "五", "六", "七", "八"];

/// The plan's way of naming a phase: 阶段一 … 阶段八 (phase 0 is 环境准备).
pub fn phase_label(number: u8) -> String {
    if number == 0 {
        "环境准备".to_string()
    } else {
        CHINESE_NUMERALS
            .get(number as usize)
            .map(|n| format!("阶段{n}"))
            .unwrap_or_else(|| format!("阶段{number}"))
    }
}

/// A scenario's place: its phase's label, or 端到端 for a flow across phases.
pub fn scenario_phase_label(phase: ScenarioPhase) -> String {
    match phase {
        ScenarioPhase::Plan(n) => phase_label(n),
        ScenarioPhase::EndToEnd => END_TO_END_LABEL.to_string(),
    }
}

/// How the reports name a flow across phases.
pub const END_TO_END_LABEL: &str = "端到端";

impl Plan {
    pub fn load(contracts_dir: &Path) -> Result<Plan, PlanError> {
        let path = contracts_dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|source| PlanError::Unreadable {
            path: path.clone(),
            source,
        })?;
        Self::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Plan, PlanError> {
        let plan: Plan = toml::from_str(text).map_err(|e| PlanError::Toml {
            path: path.to_path_buf(),
            error: TomlError::new(text, &e),
        })?;
        for phase in &plan.phases {
            for ep in &phase.endpoints {
                if !plan.modules.iter().any(|m| m.id == ep.module) {
                    return Err(PlanError::UnknownModule {
                        path: path.to_path_buf(),
                        endpoint: ep.endpoint.clone(),
                        phase: phase.number,
                        module: ep.module.clone(),
                    });
                }
            }
        }
        Ok(plan)
    }

    pub fn phase(&self, number: u8) -> Option<&Phase> {
        self.phases.iter().find(|p| p.number == number)
    }

    pub fn module_name(&self, id: &str) -> Option<&str> {
        self.modules
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.as_str())
    }

    /// Every plan endpoint with its phase, in plan order.
    pub fn endpoints(&self) -> impl Iterator<Item = (&Phase, &PlanEndpoint)> {
        self.phases
            .iter()
            .flat_map(|p| p.endpoints.iter().map(move |e| (p, e)))
    }
}

/// What a run covers. As typed on the command line, endpoints may be spelled as the plan spells them;
/// [`crate::catalog::Catalog::select`] checks every name and resolves endpoints to contract ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// `None` = every phase.
    pub phases: Option<Vec<u8>>,
    pub modules: Vec<String>,
    /// Contract ids (or, before [`crate::catalog::Catalog::select`], the plan's spelling).
    pub endpoints: Vec<String>,
    pub scenarios: Vec<String>,
    /// Run scenarios at all (a `run --endpoint X` runs no scenario unless asked).
    pub include_scenarios: bool,
    pub include_endpoints: bool,
    /// Only this CI shard of what the rest selects (`--partition`).
    pub partition: Option<Partition>,
}

impl Selection {
    /// What did not pass in a previous run (`run --failed`). What was not run because enough had failed (`--fail-fast`) did not pass either.
    pub fn failures_of(previous: &crate::result::RunResult) -> Selection {
        let not_run = previous.not_run.clone().unwrap_or_default();
        let endpoints: Vec<String> = previous
            .endpoints
            .iter()
            .filter(|e| e.status.is_failure())
            .map(|e| e.id.clone())
            .chain(not_run.endpoints)
            .collect();
        let scenarios: Vec<String> = previous
            .scenarios
            .iter()
            .filter(|s| s.status.is_failure())
            .map(|s| s.name.clone())
            .chain(not_run.scenarios)
            .collect();
        Selection {
            include_endpoints: !endpoints.is_empty(),
            include_scenarios: !scenarios.is_empty(),
            endpoints,
            scenarios,
            ..Default::default()
        }
    }

    /// Names nothing to run.
    pub fn is_empty(&self) -> bool {
        !self.include_endpoints && !self.include_scenarios
    }

    pub fn describe(&self) -> String {
        let mut parts = vec![];
        match &self.phases {
            None => parts.push("phase all".to_string()),
            Some(p) => parts.push(format!(
                "phase {}",
                p.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
            )),
        }
        if !self.modules.is_empty() {
            parts.push(format!("module {}", self.modules.join(",")));
        }
        if !self.endpoints.is_empty() {
            parts.push(format!("endpoint {}", self.endpoints.join(",")));
        }
        if !self.scenarios.is_empty() {
            parts.push(format!("scenario {}", self.scenarios.join(",")));
        }
        parts.join(" ")
    }

    pub fn wants_endpoint(&self, id: &str, phase: u8, module: &str) -> bool {
        if !self.include_endpoints {
            return false;
        }
        if let Some(p) = &self.phases {
            if !p.contains(&phase) {
                return false;
            }
        }
        (self.modules.is_empty() || self.modules.iter().any(|m| m == module))
            && (self.endpoints.is_empty() || self.endpoints.iter().any(|e| e == id))
    }

    /// A scenario of a plan phase runs with its phase; a cross-phase one with `phase all`, by name, or
    /// by a module its steps call, never with one phase.
    pub fn wants_scenario(&self, name: &str, phase: ScenarioPhase, steps_modules: &[&str]) -> bool {
        if !self.include_scenarios {
            return false;
        }
        if !self.scenarios.is_empty() {
            return self.scenarios.iter().any(|s| s == name);
        }
        if let Some(p) = &self.phases {
            if !phase.plan().is_some_and(|n| p.contains(&n)) {
                return false;
            }
        }
        self.modules.is_empty()
            || steps_modules
                .iter()
                .any(|m| self.modules.iter().any(|x| x == m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULES: &str = "prefix = \"/api/v1\"\n[[module]]\nid = \"auth\"\nname = \"认证\"\n";

    fn phase_with(module: &str) -> String {
        format!(
            "{MODULES}[[phase]]\nnumber = 1\nname = \"n\"\ntable_name = \"t\"\npriority = 5\nmodules = [\"auth\"]\nendpoints = [{{ endpoint = \"POST /api/v1/auth/login\", name = \"登录\", module = \"{module}\" }}]\n"
        )
    }

    #[test]
    fn a_plan_parses_and_spells_its_phases() {
        let plan = Plan::parse(Path::new("plan.toml"), &phase_with("auth")).expect("parses");
        assert_eq!(plan.endpoints().count(), 1);
        assert_eq!(plan.module_name("auth"), Some("认证"));
        assert_eq!(phase_label(0), "环境准备");
        assert_eq!(phase_label(3), "阶段三");
    }

    #[test]
    fn an_endpoint_in_an_unknown_module_is_named() {
        let err = Plan::parse(Path::new("plan.toml"), &phase_with("wallet")).expect_err("unknown");
        assert!(
            matches!(&err, PlanError::UnknownModule { endpoint, phase: 1, module, .. }
                if endpoint == "POST /api/v1/auth/login" && module == "wallet"),
            "{err:?}"
        );
    }

    #[test]
    fn a_toml_error_in_the_plan_has_its_place() {
        let err = Plan::parse(Path::new("plan.toml"), "prefix = 1\n").expect_err("not a string");
        let PlanError::Toml { error, .. } = &err else {
            panic!("expected a TOML error, got {err:?}");
        };
        assert_eq!(error.line_col, Some((1, 10)));
    }

    #[test]
    fn a_cross_phase_scenario_runs_with_every_phase_by_name_or_module_never_with_one_phase() {
        let e2e = ScenarioPhase::EndToEnd;
        let all = Selection {
            include_scenarios: true,
            ..Default::default()
        };
        assert!(all.wants_scenario("journey", e2e, &["orders"]));
        let one = Selection {
            phases: Some(vec![2]),
            ..all.clone()
        };
        assert!(!one.wants_scenario("journey", e2e, &["orders"]));
        assert!(one.wants_scenario("rental-flow", ScenarioPhase::Plan(2), &["orders"]));
        let by_name = Selection {
            scenarios: vec!["journey".into()],
            ..all.clone()
        };
        assert!(by_name.wants_scenario("journey", e2e, &[]));
        let by_module = Selection {
            modules: vec!["ratings".into()],
            ..all.clone()
        };
        assert!(by_module.wants_scenario("journey", e2e, &["orders", "ratings"]));
        assert!(!by_module.wants_scenario("journey", e2e, &["orders"]));
        assert_eq!(scenario_phase_label(e2e), "端到端");
        assert_eq!(scenario_phase_label(ScenarioPhase::Plan(7)), "阶段七");
    }

    #[test]
    fn a_missing_plan_is_unreadable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = Plan::load(dir.path()).expect_err("no plan.toml");
        assert!(
            matches!(&err, PlanError::Unreadable { path, .. } if path.ends_with(FILE_NAME)),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(": cannot read the plan: "),
            "{err}"
        );
    }
}
