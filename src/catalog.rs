//! Everything a run knows, loaded and validated once: the plan, the shared schemas, every contract with
//! its compiled validators, and the scenarios. `lint` is this loading plus coverage.

use crate::config::Config;
use crate::contract::decision::Decisions;
use crate::contract::schema::{violations, Compiled, SchemaSet};
use crate::contract::{self, Contract};
use crate::plan::{Plan, Selection};
use crate::scenario::{self, Scenario, Step};
use crate::source::Problem;
use serde_json::Value;
use std::collections::HashMap;

mod select;

pub struct Catalog {
    pub plan: Plan,
    pub contracts: Vec<Contract>,
    pub compiled: HashMap<String, Compiled>,
    pub scenarios: Vec<Scenario>,
    /// Where the contracts deliberately differ from the requirement doc (contracts/decisions.toml).
    pub decisions: Decisions,
}

/// The catalogue has problems (each printed where it was found): nothing runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} problem(s) found; nothing was run", problems.len())]
pub struct CatalogError {
    pub problems: Vec<Problem>,
}

/// A plan endpoint without a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub phase: u8,
    pub endpoint: String,
    pub name: String,
}

impl Catalog {
    /// Loads everything; returns the catalogue (when the plan itself could be read) and every problem.
    pub fn load(config: &Config) -> (Option<Catalog>, Vec<Problem>) {
        let root = &config.root;
        let mut problems = vec![];
        let plan = match Plan::load(&config.contracts_dir) {
            Ok(p) => p,
            Err(e) => {
                problems.push(Problem {
                    file: crate::source::display_path(
                        root,
                        &config.contracts_dir.join(crate::plan::FILE_NAME),
                    ),
                    place: String::new(),
                    message: e.to_string(),
                });
                return (None, problems);
            }
        };
        let (schemas, p) = SchemaSet::load(root, &config.contracts_dir.join("_schemas"));
        problems.extend(p);
        let (contracts, p) = contract::load_all(root, &config.contracts_dir);
        problems.extend(p);
        let mut compiled = HashMap::new();
        for c in &contracts {
            let (comp, p) = schemas.compile_contract(c);
            problems.extend(p);
            problems.extend(example_problems(c, &comp, config));
            problems.extend(plan_problems(c, &plan));
            if let Some(sb) = &c.sandbox {
                if let Err(e) = crate::contract::behaviour::Behaviour::parse(sb) {
                    problems.push(Problem {
                        file: c.file.display().to_string(),
                        place: "sandbox".into(),
                        message: e.to_string(),
                    });
                }
            }
            compiled.insert(c.id.clone(), comp);
        }
        let (scenarios, p) = scenario::load_all(root, &config.scenarios_dir);
        problems.extend(p);
        let ids: Vec<&str> = contracts.iter().map(|c| c.id.as_str()).collect();
        let (decisions, p) = Decisions::load(root, &config.contracts_dir, &ids);
        problems.extend(p);
        let catalog = Catalog {
            plan,
            contracts,
            compiled,
            scenarios,
            decisions,
        };
        problems.extend(catalog.reference_problems(config));
        problems.sort();
        problems.dedup();
        (Some(catalog), problems)
    }

    /// Loads everything for a run: any problem is an error, and the error carries every problem.
    pub fn load_valid(config: &Config) -> Result<Catalog, CatalogError> {
        match Catalog::load(config) {
            (Some(catalog), problems) if problems.is_empty() => Ok(catalog),
            (_, problems) => Err(CatalogError { problems }),
        }
    }

    pub fn contract(&self, key: &str) -> Option<&Contract> {
        contract::find(&self.contracts, key, &self.plan.prefix)
    }

    /// Plan endpoints that have no contract.
    pub fn coverage_gaps(&self) -> Vec<Gap> {
        self.plan
            .endpoints()
            .filter(|(_, e)| self.contract(&e.endpoint).is_none())
            .map(|(p, e)| Gap {
                phase: p.number,
                endpoint: e.endpoint.clone(),
                name: e.name.clone(),
            })
            .collect()
    }

    /// How many plan endpoints of the selection's phases have no contract (a warning before a run
    /// that names no endpoint).
    pub fn coverage_gaps_in(&self, selection: &Selection) -> usize {
        if !selection.endpoints.is_empty() {
            return 0;
        }
        self.coverage_gaps()
            .iter()
            .filter(|gap| {
                selection
                    .phases
                    .as_ref()
                    .is_none_or(|p| p.contains(&gap.phase))
            })
            .count()
    }

    /// Contracts in plan order (phase, then the plan's list order; contracts not in the plan last).
    pub fn ordered_contracts(&self) -> Vec<&Contract> {
        let mut order: HashMap<&str, usize> = HashMap::new();
        for (i, (_, e)) in self.plan.endpoints().enumerate() {
            if let Some(c) = self.contract(&e.endpoint) {
                order.entry(c.id.as_str()).or_insert(i);
            }
        }
        let mut out: Vec<&Contract> = self.contracts.iter().collect();
        out.sort_by_key(|c| {
            (
                order.get(c.id.as_str()).copied().unwrap_or(usize::MAX),
                c.phase,
                c.id.clone(),
            )
        });
        out
    }

    /// Every step (scenario steps and contract setup steps) and every security mark names a contract
    /// that exists; fixtures exist.
    fn reference_problems(&self, config: &Config) -> Vec<Problem> {
        let mut out = vec![];
        let unknown_account = |account: &Option<String>| {
            account
                .as_deref()
                .filter(|a| !config.accounts.contains_key(*a))
                .map(|a| {
                    let known: Vec<&str> = config.accounts.keys().map(String::as_str).collect();
                    format!(
                        "runs as `{a}`, an account daodao-check.toml does not configure (accounts: {})",
                        known.join(", ")
                    )
                })
        };
        let mut check_step = |file: &str, place: String, step: &Step| {
            if let Some(message) = unknown_account(&step.account) {
                out.push(Problem {
                    file: file.to_string(),
                    place: place.clone(),
                    message: format!("step `{}` {message}", step.name),
                });
            }
            if self.contract(&step.endpoint).is_none() {
                out.push(Problem {
                    file: file.to_string(),
                    place: place.clone(),
                    message: format!(
                        "step `{}` names unknown endpoint `{}`",
                        step.name, step.endpoint
                    ),
                });
            }
            if let Some(f) = &step.fixture {
                let path = config.fixtures_dir.join(f);
                match std::fs::read_to_string(&path) {
                    Err(_) => out.push(Problem {
                        file: file.to_string(),
                        place: place.clone(),
                        message: format!(
                            "fixture `{f}` not found under {}",
                            crate::source::display_path(&config.root, &config.fixtures_dir)
                        ),
                    }),
                    Ok(text) => {
                        if let Err(e) = serde_json::from_str::<Value>(&text) {
                            out.push(Problem {
                                file: crate::source::display_path(&config.root, &path),
                                place: format!("line {}, column {}", e.line(), e.column()),
                                message: "fixture is not valid JSON".into(),
                            });
                        }
                    }
                }
            }
        };
        for s in &self.scenarios {
            for (i, step) in s.steps.iter().enumerate() {
                check_step(&s.file, format!("steps[{i}] ({})", step.name), step);
            }
        }
        let mut runs_as = vec![];
        for c in &self.contracts {
            if let Some(run) = &c.run {
                if let Some(message) = unknown_account(&run.account) {
                    runs_as.push(Problem {
                        file: c.file.display().to_string(),
                        place: "run.as".into(),
                        message: format!("the check {message}"),
                    });
                }
                for (i, step) in run.setup.iter().enumerate() {
                    check_step(
                        &c.file.display().to_string(),
                        format!("run.setup[{i}]"),
                        step,
                    );
                }
            }
        }
        out.extend(runs_as);
        out.extend(self.security_mark_problems());
        out
    }

    /// Endpoints the contracts' security marks name that the catalogue does not have.
    fn security_mark_problems(&self) -> Vec<Problem> {
        let mut out = vec![];
        for c in &self.contracts {
            for (place, named) in c.security.named_contracts() {
                if self.contract(named).is_none() {
                    out.push(Problem {
                        file: c.file.display().to_string(),
                        place,
                        message: format!("names unknown endpoint `{named}`"),
                    });
                }
            }
        }
        out
    }
}

/// Examples must validate against their own schemas.
fn example_problems(c: &Contract, comp: &Compiled, config: &Config) -> Vec<Problem> {
    let file = c.file.display().to_string();
    let mut out = vec![];
    let mut check =
        |place: &str, validator: &Option<jsonschema::Validator>, value: Option<&Value>| {
            let Some(v) = validator else { return };
            let empty = Value::Object(Default::default());
            for viol in violations(v, value.unwrap_or(&empty)) {
                out.push(Problem {
                    file: file.clone(),
                    place: format!(
                        "{place}{}",
                        if viol.path == "/" {
                            String::new()
                        } else {
                            viol.path.clone()
                        }
                    ),
                    message: format!(
                        "example does not match its schema: expected {}, found {}",
                        viol.expected, viol.actual
                    ),
                });
            }
        };
    let req = &c.example.request;
    check(
        "example.request.path_params",
        &comp.path_params,
        req.path_params.as_ref(),
    );
    check("example.request.query", &comp.query, req.query.as_ref());
    check("example.request.body", &comp.body, req.body.as_ref());
    let env = &config.envelope;
    let resp = &c.example.response;
    check(
        &format!("example.response.{}", env.data),
        &comp.data,
        Some(resp.get(&env.data).unwrap_or(&Value::Null)),
    );
    match resp.get(&env.code).and_then(Value::as_i64) {
        Some(code) if code == env.success => {}
        other => out.push(Problem {
            file: file.clone(),
            place: format!("example.response.{}", env.code),
            message: format!(
                "the example response must be a success (code {}), found {other:?}",
                env.success
            ),
        }),
    }
    if c.body_format == crate::contract::BodyFormat::Multipart {
        for field in c.file_fields() {
            let value = req
                .body
                .as_ref()
                .and_then(|b| b.get(&field))
                .and_then(Value::as_str);
            let exists = value.is_some_and(|v| config.fixtures_dir.join(v).is_file());
            if !exists {
                out.push(Problem {
                    file: file.clone(),
                    place: format!("example.request.body/{field}"),
                    message: format!(
                        "an upload field's example must name a file under {}, found {value:?}",
                        crate::source::display_path(&config.root, &config.fixtures_dir)
                    ),
                });
            }
        }
    }
    out
}

/// A contract agrees with the plan about its phase, module and name.
fn plan_problems(c: &Contract, plan: &Plan) -> Vec<Problem> {
    let file = c.file.display().to_string();
    let mut out = vec![];
    if plan.module_name(&c.module).is_none() {
        out.push(Problem {
            file: file.clone(),
            place: "module".into(),
            message: format!("`{}` is not a module of plan.toml", c.module),
        });
    }
    let spelling = c.plan_spelling(&plan.prefix);
    if let Some((phase, entry)) = plan.endpoints().find(|(_, e)| e.endpoint == spelling) {
        if phase.number != c.phase {
            out.push(Problem {
                file: file.clone(),
                place: "phase".into(),
                message: format!(
                    "the plan lists `{spelling}` in phase {}, the contract says {}",
                    phase.number, c.phase
                ),
            });
        }
        if entry.module != c.module {
            out.push(Problem {
                file: file.clone(),
                place: "module".into(),
                message: format!(
                    "the plan puts `{spelling}` in module `{}`, the contract says `{}`",
                    entry.module, c.module
                ),
            });
        }
        if entry.name != c.name {
            out.push(Problem {
                file,
                place: "name".into(),
                message: format!(
                    "the plan calls `{spelling}` “{}”, the contract says “{}”",
                    entry.name, c.name
                ),
            });
        }
    }
    out
}

/// The file formats the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Config,
    Contract,
    Scenario,
}

/// The JSON Schema of a file format, derived from the types that read it, for editors.
pub fn format_schema(format: FileFormat) -> serde_json::Value {
    let schema = match format {
        FileFormat::Config => schemars::schema_for!(crate::config::ConfigFile),
        FileFormat::Contract => schemars::schema_for!(crate::contract::Contract),
        FileFormat::Scenario => schemars::schema_for!(crate::scenario::Scenario),
    };
    serde_json::to_value(schema).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{NoEnv, Overrides};
    use std::path::Path;

    /// The mini project of the integration tests (read only here).
    pub(super) fn mini() -> Catalog {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        let config = crate::config::load(&root, None, &Overrides::default(), &NoEnv)
            .expect("the mini config loads");
        Catalog::load_valid(&config).expect("the mini catalogue is valid")
    }

    #[test]
    fn a_catalogue_with_a_problem_is_an_error_carrying_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let contracts = dir.path().join("contracts");
        std::fs::create_dir_all(&contracts).expect("contracts dir");
        std::fs::write(contracts.join(crate::plan::FILE_NAME), "prefix = ").expect("plan");
        let config = crate::config::load(dir.path(), None, &Overrides::default(), &NoEnv)
            .expect("no config file is fine");
        let err = Catalog::load_valid(&config).err().expect("a broken plan");
        assert_eq!(err.problems.len(), 1);
        assert_eq!(err.problems[0].file, "contracts/plan.toml");
        assert_eq!(err.to_string(), "1 problem(s) found; nothing was run");
    }
}
