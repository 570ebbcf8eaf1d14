//! Everything a run knows, loaded and validated once: the plan, the shared schemas, every contract with
//! its compiled validators, and the scenarios. `lint` is this loading plus coverage.

use crate::config::Config;
use crate::contract::schema::{violations, Compiled, SchemaSet};
use crate::contract::{self, Contract, Problem};
use crate::plan::Plan;
use crate::scenario::{self, Scenario, Step};
use serde_json::Value;
use std::collections::HashMap;

pub struct Catalog {
    pub plan: Plan,
    pub contracts: Vec<Contract>,
    pub compiled: HashMap<String, Compiled>,
    pub scenarios: Vec<Scenario>,
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
                    file: contract::display_path(
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
                if let Err(e) = crate::sandbox::behaviour::Behaviour::parse(sb) {
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
        let catalog = Catalog {
            plan,
            contracts,
            compiled,
            scenarios,
        };
        problems.extend(catalog.reference_problems(config));
        problems.sort();
        problems.dedup();
        (Some(catalog), problems)
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

    /// Every step (scenario steps and contract setup steps) names a contract that exists; fixtures exist.
    fn reference_problems(&self, config: &Config) -> Vec<Problem> {
        let mut out = vec![];
        let mut check_step = |file: &str, place: String, step: &Step| {
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
                            contract::display_path(&config.root, &config.fixtures_dir)
                        ),
                    }),
                    Ok(text) => {
                        if let Err(e) = serde_json::from_str::<Value>(&text) {
                            out.push(Problem {
                                file: contract::display_path(&config.root, &path),
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
        for c in &self.contracts {
            if let Some(run) = &c.run {
                for (i, step) in run.setup.iter().enumerate() {
                    check_step(
                        &c.file.display().to_string(),
                        format!("run.setup[{i}]"),
                        step,
                    );
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
                        crate::contract::display_path(&config.root, &config.fixtures_dir)
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
