//! The eight-phase plan as the tool knows it (`contracts/plan.toml`), and selecting what to run.

use crate::error::{toml_message, Error, Result};
use serde::Deserialize;
use std::path::Path;

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

impl Plan {
    pub fn load(contracts_dir: &Path) -> Result<Plan> {
        let path = contracts_dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::file(&path, format!("cannot read the plan: {e}")))?;
        Self::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Plan> {
        let plan: Plan =
            toml::from_str(text).map_err(|e| Error::file(path, toml_message(text, &e)))?;
        for phase in &plan.phases {
            for ep in &phase.endpoints {
                if !plan.modules.iter().any(|m| m.id == ep.module) {
                    return Err(Error::file(
                        path,
                        format!(
                            "endpoint `{}` of phase {} names unknown module `{}`",
                            ep.endpoint, phase.number, ep.module
                        ),
                    ));
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

/// A selection as typed on the command line: names not yet checked against the catalogue
/// ([`crate::catalog::Catalog::select`] resolves it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SelectionRequest {
    /// `None` = every phase.
    pub phases: Option<Vec<u8>>,
    pub modules: Vec<String>,
    /// Contract ids or the plan's spelling.
    pub endpoints: Vec<String>,
    pub scenarios: Vec<String>,
    /// Run scenarios too (phase runs do; `run --endpoint` alone does not).
    pub include_scenarios: bool,
    pub include_endpoints: bool,
}

impl SelectionRequest {
    /// What did not pass in a previous run (`run --failed`).
    pub fn failures_of(previous: &crate::result::RunResult) -> SelectionRequest {
        let endpoints: Vec<String> = previous
            .endpoints
            .iter()
            .filter(|e| e.status.is_failure())
            .map(|e| e.id.clone())
            .collect();
        let scenarios: Vec<String> = previous
            .scenarios
            .iter()
            .filter(|s| s.status.is_failure())
            .map(|s| s.name.clone())
            .collect();
        SelectionRequest {
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
}

/// What a run covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// `None` = every phase.
    pub phases: Option<Vec<u8>>,
    pub modules: Vec<String>,
    /// Contract ids (already resolved from the plan's spelling).
    pub endpoints: Vec<String>,
    pub scenarios: Vec<String>,
    /// Run scenarios at all (a `run --endpoint X` runs no scenario unless asked).
    pub include_scenarios: bool,
    pub include_endpoints: bool,
}

impl Selection {
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

    pub fn wants_scenario(&self, name: &str, phase: u8, steps_modules: &[&str]) -> bool {
        if !self.include_scenarios {
            return false;
        }
        if !self.scenarios.is_empty() {
            return self.scenarios.iter().any(|s| s == name);
        }
        if let Some(p) = &self.phases {
            if !p.contains(&phase) {
                return false;
            }
        }
        self.modules.is_empty()
            || steps_modules
                .iter()
                .any(|m| self.modules.iter().any(|x| x == m))
    }
}
