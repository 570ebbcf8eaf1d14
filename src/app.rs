//! The commands, as library functions the thin binary calls. Each returns the process exit code.

use crate::catalog::Catalog;
use crate::config::{self, Config, Overrides, ProcessEnv};
use crate::error::{exit, Error, Result};
use crate::exec::{NoProgress, Progress, Runner};
use crate::plan::{phase_label, Selection};
use crate::report::{terminal, ColorChoice, Style};
use crate::result::{RunResult, Status};
use comfy_table::{presets, Table};
use std::path::PathBuf;
use std::sync::Arc;

/// Options every command takes.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub config: Option<PathBuf>,
    pub overrides: Overrides,
    pub color: ColorChoice,
}

/// What `phase` / `run` select, as typed on the command line.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// `None` = all phases.
    pub phases: Option<Vec<u8>>,
    pub modules: Vec<String>,
    /// Contract ids or the plan's spelling.
    pub endpoints: Vec<String>,
    pub scenarios: Vec<String>,
    /// Run scenarios too (phase runs do; `run --endpoint` alone does not).
    pub include_scenarios: bool,
    pub include_endpoints: bool,
    /// `--report FORMAT=PATH`, written after the run.
    pub reports: Vec<String>,
    /// Only what did not pass in reports/last-run.json (`run --failed`).
    pub only_failed: bool,
    /// Run against the embedded sandbox instead of the configured backend.
    pub sandbox: bool,
    /// Faults the embedded sandbox injects (`KIND` or `KIND=ID,ID`).
    pub sandbox_faults: Vec<String>,
}

/// `daodao-check sandbox`: serve the contracts until Ctrl-C.
#[derive(Debug, Clone)]
pub struct SandboxRequest {
    pub addr: std::net::SocketAddr,
    pub seed: u64,
    pub faults: Vec<String>,
    pub quiet: bool,
    /// Record every request as JSON lines (the benchmark replays them).
    pub record: Option<PathBuf>,
}

pub fn sandbox(g: &Global, req: &SandboxRequest) -> i32 {
    let result = (|| -> Result<()> {
        let config = load_config(g)?;
        let catalog = Arc::new(load_catalog(&config)?);
        let mut options = crate::sandbox::options_for(&config, req.seed, &req.faults, !req.quiet)?;
        options.record = req.record.clone();
        let base_path = options.base_path.clone();
        let count = catalog.contracts.len();
        let sandbox = crate::sandbox::Sandbox::new(catalog, &config.contracts_dir, options)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("starting the async runtime", e))?;
        runtime.block_on(async {
            let running = crate::sandbox::start(Arc::new(sandbox), req.addr)
                .await
                .map_err(|e| Error::io(format!("listening on {}", req.addr), e))?;
            eprintln!(
                "daodao-check sandbox: {count} contracts at {} (SMS code {}, WeChat test codes {}…); Ctrl-C stops",
                running.base_url(&base_path),
                crate::sandbox::DEV_SMS_CODE,
                crate::sandbox::WECHAT_TEST_PREFIX
            );
            let _ = tokio::signal::ctrl_c().await;
            running.stop();
            Ok(())
        })
    })();
    match result {
        Ok(()) => exit::OK,
        Err(e) => report_error(&e),
    }
}

pub fn load_config(g: &Global) -> Result<Config> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    config::load(&cwd, g.config.as_deref(), &g.overrides, &ProcessEnv)
}

fn report_error(e: &Error) -> i32 {
    eprintln!("error: {e}");
    e.exit_code()
}

/// Loads the catalogue; any problem is printed and becomes exit code 2.
fn load_catalog(config: &Config) -> Result<Catalog> {
    let (catalog, problems) = Catalog::load(config);
    for p in &problems {
        eprintln!("error: {p}");
    }
    match catalog {
        Some(c) if problems.is_empty() => Ok(c),
        _ => Err(Error::Invalid(problems.len())),
    }
}

/// Turns command-line names into a selection, failing clearly on names that do not exist.
pub fn resolve_selection(catalog: &Catalog, req: &RunRequest) -> Result<Selection> {
    let mut endpoints = vec![];
    for e in &req.endpoints {
        match catalog.contract(e) {
            Some(c) => endpoints.push(c.id.clone()),
            None => {
                return Err(Error::Usage(format!(
                    "unknown endpoint `{e}`: give a contract id (auth.login) or the plan's spelling (\"POST /api/v1/auth/login\"); `daodao-check list endpoints` lists them"
                )))
            }
        }
    }
    for m in &req.modules {
        if catalog.plan.module_name(m).is_none() {
            let known: Vec<_> = catalog.plan.modules.iter().map(|m| m.id.as_str()).collect();
            return Err(Error::Usage(format!(
                "unknown module `{m}` (modules: {})",
                known.join(", ")
            )));
        }
    }
    for s in &req.scenarios {
        if !catalog.scenarios.iter().any(|x| &x.name == s) {
            return Err(Error::Usage(format!(
                "unknown scenario `{s}`; `daodao-check list scenarios` lists them"
            )));
        }
    }
    if let Some(ps) = &req.phases {
        for p in ps {
            if catalog.plan.phase(*p).is_none() {
                return Err(Error::Usage(format!("phase {p} is not in the plan (0–8)")));
            }
        }
    }
    Ok(Selection {
        phases: req.phases.clone(),
        modules: req.modules.clone(),
        endpoints,
        scenarios: req.scenarios.clone(),
        include_scenarios: req.include_scenarios || !req.scenarios.is_empty(),
        include_endpoints: req.include_endpoints,
    })
}

struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn done(&self, label: &str, status: Status) {
        self.0.set_message(format!("{label} {}", status.as_str()));
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn progress_for(style: &Style) -> Box<dyn Progress> {
    use std::io::IsTerminal;
    if style.color && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(s) =
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(s.progress_chars("=> "));
        }
        Box::new(Bar(bar))
    } else {
        Box::new(NoProgress)
    }
}

/// Runs a selection against the configured backend; prints the report; writes reports/last-run.json.
pub fn run(g: &Global, req: &RunRequest) -> i32 {
    match run_inner(g, req) {
        Ok(result) => {
            if result.passed() {
                exit::OK
            } else {
                exit::FAILED
            }
        }
        Err(e) => report_error(&e),
    }
}

fn run_inner(g: &Global, req: &RunRequest) -> Result<RunResult> {
    let mut config = load_config(g)?;
    let catalog = Arc::new(load_catalog(&config)?);
    let mut req = req.clone();
    if req.only_failed {
        let last = config.reports_dir.join("last-run.json");
        let previous = RunResult::read(&last)?;
        req.endpoints = previous
            .endpoints
            .iter()
            .filter(|e| e.status.is_failure())
            .map(|e| e.id.clone())
            .collect();
        req.scenarios = previous
            .scenarios
            .iter()
            .filter(|s| s.status.is_failure())
            .map(|s| s.name.clone())
            .collect();
        if req.endpoints.is_empty() && req.scenarios.is_empty() {
            eprintln!(
                "nothing failed in {}: nothing to re-run",
                crate::contract::display_path(&config.root, &last)
            );
            return Ok(previous);
        }
        req.include_endpoints = !req.endpoints.is_empty();
        req.include_scenarios = !req.scenarios.is_empty();
    }
    let req = &req;
    let selection = resolve_selection(&catalog, req)?;
    // A typo in --report fails before the run, not after it.
    crate::report::parse_specs(&req.reports)?;
    let gaps: Vec<_> = catalog
        .coverage_gaps()
        .into_iter()
        .filter(|gap| {
            selection
                .phases
                .as_ref()
                .is_none_or(|p| p.contains(&gap.phase))
        })
        .collect();
    if !gaps.is_empty() && selection.endpoints.is_empty() {
        eprintln!(
            "warning: {} plan endpoint(s) in this selection have no contract and are not checked (`daodao-check lint` lists them)",
            gaps.len()
        );
    }
    let style = Style::detect(g.color);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let progress = progress_for(&style);
    let result = runtime.block_on(async {
        let _sandbox = if req.sandbox || !req.sandbox_faults.is_empty() {
            Some(crate::sandbox::embed(&mut config, catalog.clone(), &req.sandbox_faults).await?)
        } else {
            None
        };
        let config = Arc::new(config.clone());
        let mut runner = Runner::new(config, catalog.clone())?;
        runner.run(&selection, progress.as_ref()).await
    })?;
    print!("{}", terminal::render(&result, &catalog.plan, &style));
    let path = config.reports_dir.join("last-run.json");
    result.write(&path)?;
    eprintln!(
        "wrote {}",
        crate::contract::display_path(&config.root, &path)
    );
    crate::report::write_requested(&result, &req.reports, Some(&catalog.plan), &config.root)?;
    Ok(result)
}

/// `lint`: every file loads, every schema compiles, every example validates, every plan endpoint is covered.
pub fn lint(g: &Global) -> i32 {
    let config = match load_config(g) {
        Ok(c) => c,
        Err(e) => return report_error(&e),
    };
    let (catalog, problems) = Catalog::load(&config);
    for p in &problems {
        println!("error: {p}");
    }
    let Some(catalog) = catalog else {
        return exit::USAGE;
    };
    let gaps = catalog.coverage_gaps();
    let plan_file = crate::contract::display_path(
        &config.root,
        &config.contracts_dir.join(crate::plan::FILE_NAME),
    );
    for gap in &gaps {
        println!(
            "error: {plan_file}: {}: no contract for `{}` ({})",
            phase_label(gap.phase),
            gap.endpoint,
            gap.name
        );
    }
    let planned = catalog.plan.endpoints().count();
    println!(
        "lint: {} contracts, {} scenarios, coverage {}/{} plan endpoints, {} problem(s)",
        catalog.contracts.len(),
        catalog.scenarios.len(),
        planned - gaps.len(),
        planned,
        problems.len() + gaps.len()
    );
    if problems.is_empty() && gaps.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListWhat {
    Phases,
    Endpoints,
    Scenarios,
}

/// `list`: the plan as the tool knows it.
pub fn list(g: &Global, what: ListWhat) -> i32 {
    let config = match load_config(g) {
        Ok(c) => c,
        Err(e) => return report_error(&e),
    };
    let (catalog, problems) = Catalog::load(&config);
    let Some(catalog) = catalog else {
        for p in &problems {
            eprintln!("error: {p}");
        }
        return exit::USAGE;
    };
    if !problems.is_empty() {
        eprintln!(
            "warning: {} problem(s) in contracts or scenarios; `daodao-check lint` lists them",
            problems.len()
        );
    }
    print!("{}", render_list(&catalog, what));
    exit::OK
}

pub fn render_list(catalog: &Catalog, what: ListWhat) -> String {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    let plan = &catalog.plan;
    match what {
        ListWhat::Phases => {
            t.set_header(vec!["阶段", "名称", "优先级", "模块", "接口数", "有合约"]);
            for p in &plan.phases {
                let covered = p
                    .endpoints
                    .iter()
                    .filter(|e| catalog.contract(&e.endpoint).is_some())
                    .count();
                t.add_row(vec![
                    phase_label(p.number),
                    p.name.clone(),
                    "⭐".repeat(p.priority as usize),
                    p.modules.join(", "),
                    p.endpoints.len().to_string(),
                    format!("{covered}/{}", p.endpoints.len()),
                ]);
            }
        }
        ListWhat::Endpoints => {
            t.set_header(vec!["阶段", "模块", "接口", "名称", "合约", "认证", "备注"]);
            for (p, e) in plan.endpoints() {
                let c = catalog.contract(&e.endpoint);
                t.add_row(vec![
                    phase_label(p.number),
                    e.module.clone(),
                    e.endpoint.clone(),
                    e.name.clone(),
                    c.map_or("—".into(), |c| c.id.clone()),
                    c.map_or(String::new(), |c| format!("{:?}", c.auth).to_lowercase()),
                    c.and_then(|c| c.skip.clone())
                        .map_or(String::new(), |s| format!("skip: {s}")),
                ]);
            }
        }
        ListWhat::Scenarios => {
            t.set_header(vec!["场景", "阶段", "步骤", "标题", "文件"]);
            let mut s: Vec<_> = catalog.scenarios.iter().collect();
            s.sort_by_key(|s| (s.phase, s.name.clone()));
            for s in s {
                t.add_row(vec![
                    s.name.clone(),
                    phase_label(s.phase),
                    s.steps.len().to_string(),
                    s.title.clone(),
                    s.file.clone(),
                ]);
            }
        }
    }
    format!("{t}\n")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaOf {
    Config,
    Contract,
    Scenario,
}

/// The JSON Schema of a file format, for editors (`"$schema"` in JSON, `#:schema` in TOML with taplo).
pub fn schema_of(what: SchemaOf) -> serde_json::Value {
    let schema = match what {
        SchemaOf::Config => schemars::schema_for!(crate::config::ConfigFile),
        SchemaOf::Contract => schemars::schema_for!(crate::contract::Contract),
        SchemaOf::Scenario => schemars::schema_for!(crate::scenario::Scenario),
    };
    serde_json::to_value(schema).unwrap_or_default()
}

pub fn schema(what: SchemaOf) -> i32 {
    match serde_json::to_string_pretty(&schema_of(what)) {
        Ok(text) => {
            println!("{text}");
            exit::OK
        }
        Err(e) => report_error(&Error::Usage(e.to_string())),
    }
}
