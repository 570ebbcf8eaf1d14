//! Execution: the HTTP client, sessions, endpoint checks, scenarios, and running them concurrently.

pub mod http;
pub mod session;

use crate::catalog::Catalog;
use crate::check::{self, Expect, RouteFingerprint};
use crate::result::{CaseKind, CheckKind, Finding};
use crate::config::Config;
use crate::contract::{AuthRequirement, Contract, RequestParts, SessionMode};
use crate::error::{Error, Result};
use crate::plan::Selection;
use crate::redact::{Redactor, SecretKind};
use crate::result::{CaseResult, EndpointResult, RunResult, ScenarioResult, Status};
use crate::scenario::path::lookup;
use crate::scenario::template::{merge, referenced_vars, render, Builtins, TemplateError, Vars};
use crate::scenario::{Scenario, Step};
use futures::StreamExt;
use http::{Client, Exchange};
use serde_json::Value;
use session::{Session, Sessions};
use std::collections::HashSet;
use std::sync::Arc;

/// Told as the run goes; the terminal reporter draws a progress bar with it.
pub trait Observer: Send + Sync {
    fn start(&self, total: usize);
    fn done(&self, label: &str, status: Status);
    fn finish(&self);
}

/// An observer that shows nothing (no terminal, tests).
pub struct SilentObserver;
impl Observer for SilentObserver {
    fn start(&self, _: usize) {}
    fn done(&self, _: &str, _: Status) {}
    fn finish(&self) {}
}

/// Excerpts are cut at this many characters.
const EXCERPT_CHARS: usize = 1200;
const FORGED_TOKEN: &str = "daodao-check.forged.token";

pub struct Runner {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub redactor: Arc<Redactor>,
    client: Client,
    builtins: Builtins,
    fingerprint: Option<RouteFingerprint>,
    sessions: Sessions,
}

enum TokenChoice {
    None,
    Explicit(String),
    Account(String),
}

/// What running one request produced.
struct Outcome {
    case: CaseResult,
    json: Option<Value>,
}

impl Runner {
    pub fn new(config: Arc<Config>, catalog: Arc<Catalog>) -> Result<Runner> {
        let client = Client::new(&config.base_url, config.timeout_ms, &config.fixtures_dir)
            .map_err(Error::Usage)?;
        Ok(Runner {
            config,
            catalog,
            redactor: Arc::new(Redactor::new()),
            client,
            builtins: Builtins::from_entropy(),
            fingerprint: None,
            sessions: Sessions::new(),
        })
    }

    /// Learns how the backend answers a route that cannot exist. Fails when the backend is unreachable.
    pub async fn probe(&mut self) -> Result<()> {
        let url = format!(
            "{}/__daodao_check_no_such_route_{}",
            self.client.base_url,
            uuid::Uuid::new_v4().simple()
        );
        let req = http::HttpRequest {
            method: "GET".into(),
            path: String::new(),
            url: url.clone(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
            multipart_files: None,
        };
        let ex = self.client.send(req).await;
        if let Err(e) = &ex.response {
            return Err(Error::Unreachable {
                url: self.config.base_url.clone(),
                message: format!("{:?}: {}", e.kind, e.message).to_lowercase(),
            });
        }
        self.fingerprint = RouteFingerprint::learn(&ex);
        Ok(())
    }

    /// Runs the selection: endpoint checks and scenarios, `jobs` at a time; results in plan order.
    pub async fn run(
        &mut self,
        selection: &Selection,
        observer: &dyn Observer,
    ) -> Result<RunResult> {
        let started = chrono::Local::now();
        let clock = std::time::Instant::now();
        self.probe().await?;
        let this = &*self;
        let contracts: Vec<&Contract> = this
            .catalog
            .ordered_contracts()
            .into_iter()
            .filter(|c| selection.wants_endpoint(&c.id, c.phase, &c.module))
            .collect();
        let mut scenarios: Vec<&Scenario> = this
            .catalog
            .scenarios
            .iter()
            .filter(|s| {
                let modules: Vec<&str> = s
                    .steps
                    .iter()
                    .filter_map(|st| this.catalog.contract(&st.endpoint))
                    .map(|c| c.module.as_str())
                    .collect();
                selection.wants_scenario(&s.name, s.phase, &modules)
            })
            .collect();
        scenarios.sort_by_key(|s| (s.phase, s.name.clone()));
        observer.start(contracts.len() + scenarios.len());
        enum Done {
            Endpoint(usize, EndpointResult),
            Scenario(usize, ScenarioResult),
        }
        let endpoint_futs = contracts.iter().enumerate().map(|(i, c)| {
            futures::future::Either::Left(async move {
                let mut r = this.check_endpoint(c).await;
                // A route that is not mounted will not be mounted on a retry.
                while r.status.is_failure()
                    && r.status != Status::NotActivated
                    && r.attempts <= this.config.retries
                {
                    let attempts = r.attempts + 1;
                    r = this.check_endpoint(c).await;
                    r.attempts = attempts;
                }
                observer.done(&r.endpoint, r.status);
                Done::Endpoint(i, r)
            })
        });
        let scenario_futs = scenarios.iter().enumerate().map(|(i, s)| {
            futures::future::Either::Right(async move {
                let mut r = this.run_scenario(s).await;
                while r.status.is_failure() && r.attempts <= this.config.retries {
                    let attempts = r.attempts + 1;
                    r = this.run_scenario(s).await;
                    r.attempts = attempts;
                }
                observer.done(&format!("scenario {}", r.name), r.status);
                Done::Scenario(i, r)
            })
        });
        let done: Vec<Done> = futures::stream::iter(endpoint_futs.chain(scenario_futs))
            .buffer_unordered(this.config.jobs)
            .collect()
            .await;
        observer.finish();
        // Completion order is arbitrary; the result is in plan order whatever it was.
        let mut endpoints: Vec<Option<EndpointResult>> = vec![None; contracts.len()];
        let mut scenario_results: Vec<Option<ScenarioResult>> = vec![None; scenarios.len()];
        for d in done {
            match d {
                Done::Endpoint(i, r) => endpoints[i] = Some(r),
                Done::Scenario(i, r) => scenario_results[i] = Some(r),
            }
        }
        let endpoints: Vec<EndpointResult> = endpoints.into_iter().flatten().collect();
        let scenario_results: Vec<ScenarioResult> =
            scenario_results.into_iter().flatten().collect();
        let summary = RunResult::summarise(&endpoints, &scenario_results);
        Ok(RunResult {
            schema_version: crate::result::SCHEMA_VERSION,
            tool: format!("daodao-check {}", env!("CARGO_PKG_VERSION")),
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            finished_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            duration_ms: clock.elapsed().as_secs_f64() * 1000.0,
            env: self.config.env_name.clone(),
            base_url: self.config.base_url.clone(),
            selection: selection.describe(),
            latency_budget_ms: self.config.latency_budget_ms,
            endpoints,
            scenarios: scenario_results,
            summary,
        })
    }

    fn spelling(&self, c: &Contract) -> String {
        c.plan_spelling(&self.catalog.plan.prefix)
    }

    /// Variables every context starts with: the SMS code when it is fixed or from the environment.
    fn base_vars(&self) -> Vars {
        let mut vars = Vars::new();
        if let Ok(code) = self.sms_code_from(&Value::Null) {
            self.redactor.add(&code, SecretKind::SmsCode);
            vars.insert("sms_code".into(), Value::String(code));
        }
        vars
    }

    /// The account a contract runs as by default.
    fn account_for(c: &Contract) -> &'static str {
        if c.auth == AuthRequirement::Admin {
            "admin"
        } else {
            "primary"
        }
    }

    fn endpoint_result(
        &self,
        c: &Contract,
        status: Status,
        reason: Option<String>,
        cases: Vec<CaseResult>,
    ) -> EndpointResult {
        let latency = cases
            .iter()
            .find(|k| k.kind == CaseKind::Happy)
            .and_then(|k| k.latency_ms);
        EndpointResult {
            id: c.id.clone(),
            endpoint: self.spelling(c),
            method: c.method.clone(),
            path: format!("{}{}", self.catalog.plan.prefix, c.path),
            phase: c.phase,
            module: c.module.clone(),
            name: c.name.clone(),
            status,
            reason: reason.map(|r| self.redactor.text(&r)),
            latency_ms: latency,
            cases,
            attempts: 1,
        }
    }

    /// One endpoint: its valid request, then the automatic auth and bad-input cases and its error cases.
    pub async fn check_endpoint(&self, c: &Contract) -> EndpointResult {
        if let Some(reason) = &c.skip {
            return self.endpoint_result(c, Status::Skipped, Some(reason.clone()), vec![]);
        }
        let account = Self::account_for(c);
        if !self.config.accounts.contains_key(account) {
            return self.endpoint_result(
                c,
                Status::Skipped,
                Some(format!(
                    "需要{account}账号: 在 daodao-check.toml 中配置 [accounts.{account}]"
                )),
                vec![],
            );
        }
        let own_sessions;
        let sessions = if c.session == Some(SessionMode::Fresh) {
            own_sessions = Sessions::new();
            &own_sessions
        } else {
            &self.sessions
        };
        let mut vars = self.base_vars();
        let run = c.run.clone().unwrap_or_default();
        let mut refs = vec![];
        referenced_vars(
            &serde_json::to_value(&run.vars).unwrap_or_default(),
            &mut refs,
        );
        for part in [
            &run.request.path_params,
            &run.request.query,
            &run.request.body,
        ]
        .into_iter()
        .flatten()
        {
            referenced_vars(part, &mut refs);
        }
        if c.needs_auth() || refs.iter().any(|r| r.starts_with("account.")) {
            match sessions.get(self, account).await {
                Ok(s) => s.vars(&mut vars),
                Err(e) => {
                    return self.endpoint_result(
                        c,
                        Status::Blocked,
                        Some(format!("登录失败: {e}")),
                        vec![],
                    );
                }
            }
        }
        for (k, v) in &run.vars {
            match render(v, &vars, &self.builtins) {
                Ok(val) => {
                    vars.insert(k.clone(), val);
                }
                Err(e) => {
                    return self.endpoint_result(
                        c,
                        Status::Error,
                        Some(format!("run.vars.{k}: {e}")),
                        vec![],
                    );
                }
            }
        }
        let mut cases = vec![];
        let mut poisoned = HashSet::new();
        for step in &run.setup {
            let case = self
                .run_step(step, &mut vars, &mut poisoned, sessions, CaseKind::Setup)
                .await;
            let status = case.status;
            let name = case.name.clone();
            cases.push(case);
            if status != Status::Passed {
                let reason = format!("准备步骤 `{name}` 未通过 ({})", status.as_str());
                return self.endpoint_result(c, Status::Blocked, Some(reason), cases);
            }
        }
        let happy_parts = match self.render_parts(c, true, None, &run.request, &vars) {
            Ok(p) => p,
            Err(e) => {
                return self.endpoint_result(
                    c,
                    Status::Error,
                    Some(format!("run.request: {e}")),
                    cases,
                );
            }
        };
        let token = if c.needs_auth() {
            TokenChoice::Account(account.into())
        } else {
            TokenChoice::None
        };
        let happy = self
            .execute(
                c,
                &happy_parts,
                token,
                sessions,
                Expect::Success,
                CaseKind::Happy,
                "正常请求",
            )
            .await
            .case;
        let happy_status = happy.status;
        cases.push(happy);
        if happy_status == Status::NotActivated {
            return self.endpoint_result(c, Status::NotActivated, Some("路由未激活".into()), cases);
        }
        if happy_status == Status::Blocked || happy_status == Status::Error {
            let reason = cases.last().and_then(|k| k.reason.clone());
            return self.endpoint_result(c, happy_status, reason, cases);
        }
        let unauthorized = Expect::Error {
            code: 401,
            http_status: None,
        };
        if c.needs_auth() {
            cases.push(
                self.execute(
                    c,
                    &happy_parts,
                    TokenChoice::None,
                    sessions,
                    unauthorized,
                    CaseKind::NoToken,
                    "未携带Token",
                )
                .await
                .case,
            );
            cases.push(
                self.execute(
                    c,
                    &happy_parts,
                    TokenChoice::Explicit(FORGED_TOKEN.into()),
                    sessions,
                    unauthorized,
                    CaseKind::ForgedToken,
                    "伪造Token",
                )
                .await
                .case,
            );
        }
        let account_token = || {
            if c.needs_auth() {
                TokenChoice::Account(account.into())
            } else {
                TokenChoice::None
            }
        };
        if let Some(parts) =
            missing_required_parts(c, self.catalog.compiled.get(&c.id), &happy_parts)
        {
            cases.push(
                self.execute(
                    c,
                    &parts,
                    account_token(),
                    sessions,
                    Expect::Error {
                        code: 400,
                        http_status: None,
                    },
                    CaseKind::MissingRequired,
                    "缺少必填参数",
                )
                .await
                .case,
            );
        }
        for e in &c.errors {
            let mut parts = happy_parts.clone();
            let rendered = |v: &Option<Value>| {
                v.as_ref()
                    .map(|v| render(v, &vars, &self.builtins))
                    .transpose()
            };
            match (
                rendered(&e.request.path_params),
                rendered(&e.request.query),
                rendered(&e.request.body),
            ) {
                (Ok(pp), Ok(q), Ok(b)) => {
                    parts.path_params = pp.or(parts.path_params);
                    parts.query = q.or(parts.query);
                    parts.body = b.or(parts.body);
                }
                (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
                    cases.push(self.error_case(
                        c,
                        &e.name,
                        CaseKind::ErrorCase,
                        Status::Error,
                        err.to_string(),
                    ));
                    continue;
                }
            }
            let expect = Expect::Error {
                code: e.expect.code,
                http_status: e.expect.http_status,
            };
            cases.push(
                self.execute(
                    c,
                    &parts,
                    account_token(),
                    sessions,
                    expect,
                    CaseKind::ErrorCase,
                    &e.name,
                )
                .await
                .case,
            );
        }
        let status = if cases.iter().any(|k| {
            matches!(
                k.status,
                Status::Failed | Status::Error | Status::NotActivated
            )
        }) {
            Status::Failed
        } else {
            Status::Passed
        };
        self.endpoint_result(c, status, None, cases)
    }

    fn error_case(
        &self,
        c: &Contract,
        name: &str,
        kind: CaseKind,
        status: Status,
        reason: String,
    ) -> CaseResult {
        CaseResult::without_request(
            name,
            kind,
            &c.id,
            &self.spelling(c),
            status,
            self.redactor.text(&reason),
        )
    }

    /// The request parts: the example (optionally), a fixture body, the overrides; then rendered.
    fn render_parts(
        &self,
        c: &Contract,
        use_example: bool,
        fixture: Option<Value>,
        overrides: &RequestParts,
        vars: &Vars,
    ) -> std::result::Result<RequestParts, TemplateError> {
        let mut parts = if use_example {
            c.example.request.clone()
        } else {
            RequestParts::default()
        };
        if let Some(f) = fixture {
            let body = parts
                .body
                .get_or_insert_with(|| Value::Object(Default::default()));
            merge(body, &f);
        }
        for (slot, over) in [
            (&mut parts.path_params, &overrides.path_params),
            (&mut parts.query, &overrides.query),
            (&mut parts.body, &overrides.body),
        ] {
            if let Some(o) = over {
                match slot {
                    Some(existing) => merge(existing, o),
                    None => *slot = Some(o.clone()),
                }
            }
        }
        let r = |v: &Option<Value>| {
            v.as_ref()
                .map(|v| render(v, vars, &self.builtins))
                .transpose()
        };
        Ok(RequestParts {
            path_params: r(&parts.path_params)?,
            query: r(&parts.query)?,
            body: r(&parts.body)?,
        })
    }

    /// Sends one request and runs the checks on it; on a 401 for an account's request, refreshes once.
    #[allow(clippy::too_many_arguments)]
    async fn execute(
        &self,
        c: &Contract,
        parts: &RequestParts,
        token: TokenChoice,
        sessions: &Sessions,
        expect: Expect,
        kind: CaseKind,
        name: &str,
    ) -> Outcome {
        let mut session: Option<Session> = None;
        let token_value = match &token {
            TokenChoice::None => None,
            TokenChoice::Explicit(t) => Some(t.clone()),
            TokenChoice::Account(a) => match sessions.get(self, a).await {
                Ok(s) => {
                    let t = s.token.clone();
                    session = Some(s);
                    Some(t)
                }
                Err(e) => {
                    let mut case =
                        self.error_case(c, name, kind, Status::Blocked, format!("登录失败: {e}"));
                    case.findings
                        .push(Finding::new(CheckKind::Session, self.redactor.text(&e)));
                    return Outcome { case, json: None };
                }
            },
        };
        let request = match self.client.build(c, parts, token_value.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                let mut case = self.error_case(c, name, kind, Status::Error, e.clone());
                case.findings.push(Finding::new(CheckKind::Request, e));
                return Outcome { case, json: None };
            }
        };
        let mut exchange = self.client.send(request.clone()).await;
        let mut extra = vec![];
        if let (Some(s), TokenChoice::Account(a)) = (&session, &token) {
            if expect == Expect::Success && self.envelope_code(&exchange) == Some(401) {
                match sessions.refresh(self, a, &s.token).await {
                    Ok(fresh) => {
                        if let Ok(retry) = self.client.build(c, parts, Some(&fresh.token)) {
                            exchange = self.client.send(retry).await;
                        }
                    }
                    Err(e) => extra.push(Finding::new(
                        CheckKind::Session,
                        format!(
                            "401, and the token refresh failed: {}",
                            self.redactor.text(&e)
                        ),
                    )),
                }
            }
        }
        self.note_secrets(&exchange);
        let input = check::CheckInput {
            exchange: &exchange,
            contract: c,
            compiled: self.catalog.compiled.get(&c.id),
            expect,
            case: kind,
            config: &self.config,
            fingerprint: self.fingerprint.as_ref(),
        };
        let mut findings = check::run_all(&input);
        findings.extend(extra);
        let json = exchange.json().cloned();
        let case = self.case_from(c, name, kind, &exchange, findings);
        Outcome { case, json }
    }

    fn envelope_code(&self, ex: &Exchange) -> Option<i64> {
        ex.json()
            .and_then(|j| j.get(&self.config.envelope.code))
            .and_then(Value::as_i64)
    }

    /// Tokens in any response become secrets, wherever they later appear.
    fn note_secrets(&self, ex: &Exchange) {
        if let Some(j) = ex.json() {
            for path in [&self.config.auth.token, &self.config.auth.refresh_token] {
                if let Some(Value::String(t)) = lookup(j, path) {
                    self.redactor.add(t, SecretKind::Token);
                }
            }
        }
    }

    fn case_from(
        &self,
        c: &Contract,
        name: &str,
        kind: CaseKind,
        ex: &Exchange,
        findings: Vec<Finding>,
    ) -> CaseResult {
        let status = if findings
            .iter()
            .any(|f| f.check == CheckKind::RouteNotActivated)
        {
            Status::NotActivated
        } else if findings.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        };
        let resp = ex.response.as_ref().ok();
        let failed = status != Status::Passed;
        let findings = findings
            .into_iter()
            .map(|f| self.redact_finding(f))
            .collect();
        CaseResult {
            name: name.to_string(),
            kind,
            contract: c.id.clone(),
            endpoint: self.spelling(c),
            status,
            reason: None,
            latency_ms: Some((ex.elapsed_ms * 10.0).round() / 10.0),
            http_status: resp.map(|r| r.status),
            code: self.envelope_code(ex),
            findings,
            request: failed.then(|| self.redactor.request_excerpt(&ex.request, EXCERPT_CHARS)),
            response: match (failed, resp) {
                (true, Some(r)) => Some(self.redactor.response_excerpt(
                    r.status,
                    &r.text,
                    r.json.as_ref(),
                    EXCERPT_CHARS,
                )),
                _ => None,
            },
            curl: failed.then(|| self.redactor.curl(&ex.request)),
        }
    }

    fn redact_finding(&self, mut f: Finding) -> Finding {
        f.message = self.redactor.text(&f.message);
        f.expected = f.expected.map(|e| self.redactor.text(&e));
        f.actual = f.actual.map(|a| self.redactor.text(&a));
        f
    }

    /// One step of a scenario or a setup: blocked when it needs a value a failed step did not capture.
    async fn run_step(
        &self,
        step: &Step,
        vars: &mut Vars,
        poisoned: &mut HashSet<String>,
        sessions: &Sessions,
        kind: CaseKind,
    ) -> CaseResult {
        let Some(c) = self.catalog.contract(&step.endpoint) else {
            let reason = format!("unknown endpoint `{}`", step.endpoint);
            return CaseResult::without_request(
                &step.name,
                kind,
                &step.endpoint,
                &step.endpoint,
                Status::Error,
                reason,
            );
        };
        let mut refs = vec![];
        for v in [&step.path_params, &step.query, &step.body]
            .into_iter()
            .flatten()
        {
            referenced_vars(v, &mut refs);
        }
        if let Some(t) = &step.token {
            referenced_vars(&Value::String(t.clone()), &mut refs);
        }
        for a in &step.assert {
            referenced_vars(
                &serde_json::to_value(a.clone_values()).unwrap_or_default(),
                &mut refs,
            );
        }
        if let Some(bad) = refs.iter().find(|r| poisoned.contains(*r)) {
            for var in step.capture.keys() {
                poisoned.insert(var.clone());
            }
            return self.error_case(
                c,
                &step.name,
                kind,
                Status::Blocked,
                format!("依赖的变量 `{bad}` 来自未通过的步骤"),
            );
        }
        let account = step
            .account
            .clone()
            .unwrap_or_else(|| Self::account_for(c).to_string());
        if refs.iter().any(|r| r.starts_with("account.")) {
            match sessions.get(self, &account).await {
                Ok(s) => s.vars(vars),
                Err(e) => {
                    return self.error_case(
                        c,
                        &step.name,
                        kind,
                        Status::Blocked,
                        format!("登录失败: {e}"),
                    );
                }
            }
        }
        let fixture = match &step.fixture {
            None => None,
            Some(f) => match std::fs::read_to_string(self.config.fixtures_dir.join(f))
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            {
                Some(v) => Some(v),
                None => {
                    return self.error_case(
                        c,
                        &step.name,
                        kind,
                        Status::Error,
                        format!("fixture `{f}` is missing or not JSON"),
                    );
                }
            },
        };
        let overrides = RequestParts {
            path_params: step.path_params.clone(),
            query: step.query.clone(),
            body: step.body.clone(),
        };
        let parts = match self.render_parts(c, step.use_example, fixture, &overrides, vars) {
            Ok(p) => p,
            Err(e) => {
                for var in step.capture.keys() {
                    poisoned.insert(var.clone());
                }
                return self.error_case(c, &step.name, kind, Status::Error, e.to_string());
            }
        };
        let token = match &step.token {
            Some(t) => match render(&Value::String(t.clone()), vars, &self.builtins) {
                Ok(Value::String(s)) if s.is_empty() => TokenChoice::None,
                Ok(v) => TokenChoice::Explicit(crate::scenario::template::value_text(&v)),
                Err(e) => {
                    return self.error_case(c, &step.name, kind, Status::Error, e.to_string())
                }
            },
            None if c.needs_auth() => TokenChoice::Account(account),
            None => TokenChoice::None,
        };
        let expect = match step.expect_code {
            Some(code) if code != self.config.envelope.success => Expect::Error {
                code,
                http_status: None,
            },
            _ => Expect::Success,
        };
        let Outcome { mut case, json } = self
            .execute(c, &parts, token, sessions, expect, kind, &step.name)
            .await;
        let body = json.unwrap_or(Value::Null);
        if c.id == self.config.auth.send_code && case.status == Status::Passed {
            if let crate::config::SmsConfig::Response { .. } = self.config.sms {
                if let Ok(code) = self.sms_code_from(&body) {
                    self.redactor.add(&code, SecretKind::SmsCode);
                    vars.insert("sms_code".into(), Value::String(code));
                }
            }
        }
        let mut findings = vec![];
        if case.status == Status::Passed {
            // Assertions see the variables as they were before this step's captures, so a step can
            // assert that a value changed (`data.token` != `{{token}}`) and capture the new one.
            for a in &step.assert {
                match a.check(&body, vars, &self.builtins) {
                    Ok(None) => {}
                    Ok(Some(f)) => findings.push(
                        Finding::new(
                            CheckKind::Assertion,
                            format!("assertion on `{}` failed", a.path),
                        )
                        .at(f.pointer)
                        .expected(f.expected, f.actual),
                    ),
                    Err(e) => findings.push(Finding::new(
                        CheckKind::Assertion,
                        format!("assertion on `{}`: {e}", a.path),
                    )),
                }
            }
            for (var, path) in &step.capture {
                match lookup(&body, path) {
                    Some(v) => {
                        vars.insert(var.clone(), v.clone());
                    }
                    None => {
                        poisoned.insert(var.clone());
                        findings.push(
                            Finding::new(
                                CheckKind::Capture,
                                format!("capture `{var}`: nothing at `{path}`"),
                            )
                            .at(crate::scenario::path::to_pointer(path).unwrap_or_default()),
                        );
                    }
                }
            }
        } else {
            for var in step.capture.keys() {
                poisoned.insert(var.clone());
            }
        }
        if !findings.is_empty() {
            case.status = Status::Failed;
            if case.request.is_none() {
                case.response = Some(self.redactor.response_excerpt(
                    case.http_status.unwrap_or(0),
                    "",
                    Some(&body),
                    EXCERPT_CHARS,
                ));
            }
            case.findings
                .extend(findings.into_iter().map(|f| self.redact_finding(f)));
        }
        case
    }

    /// A scenario: its own sessions, its steps in order.
    pub async fn run_scenario(&self, s: &Scenario) -> ScenarioResult {
        let sessions = Sessions::new();
        let mut vars = self.base_vars();
        let mut poisoned = HashSet::new();
        let mut steps = vec![];
        let mut reason = None;
        for (k, v) in &s.vars {
            match render(v, &vars, &self.builtins) {
                Ok(val) => {
                    if k.contains("phone") {
                        if let Value::String(p) = &val {
                            self.redactor.add(p, SecretKind::Phone);
                        }
                    }
                    if k.contains("password") {
                        if let Value::String(p) = &val {
                            self.redactor.add(p, SecretKind::Password);
                        }
                    }
                    vars.insert(k.clone(), val);
                }
                Err(e) => reason = Some(format!("vars.{k}: {e}")),
            }
        }
        if reason.is_none() {
            for step in &s.steps {
                steps.push(
                    self.run_step(step, &mut vars, &mut poisoned, &sessions, CaseKind::Step)
                        .await,
                );
            }
        }
        let any = |st: Status| steps.iter().any(|k| k.status == st);
        let status = if reason.is_some() {
            Status::Error
        } else if any(Status::Failed) {
            Status::Failed
        } else if any(Status::NotActivated) {
            Status::NotActivated
        } else if any(Status::Error) {
            Status::Error
        } else if any(Status::Blocked) {
            Status::Blocked
        } else {
            Status::Passed
        };
        ScenarioResult {
            name: s.name.clone(),
            title: s.title.clone(),
            phase: s.phase,
            file: s.file.clone(),
            status,
            reason,
            steps,
            attempts: 1,
        }
    }
}

/// The happy request with its required body (or query) fields removed, if it has any: decided by
/// whether an empty object validates against the compiled schema, so `$ref` and `allOf` count too.
fn missing_required_parts(
    c: &Contract,
    compiled: Option<&crate::contract::schema::Compiled>,
    happy: &RequestParts,
) -> Option<RequestParts> {
    let empty = Value::Object(Default::default());
    let needs = |v: Option<&jsonschema::Validator>| v.is_some_and(|v| !v.is_valid(&empty));
    let compiled = compiled?;
    if c.request.body.is_some() && needs(compiled.body.as_ref()) {
        return Some(RequestParts {
            body: Some(empty),
            ..happy.clone()
        });
    }
    if c.request.query.is_some() && needs(compiled.query.as_ref()) {
        return Some(RequestParts {
            query: None,
            ..happy.clone()
        });
    }
    None
}
