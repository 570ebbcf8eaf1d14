//! The view's rules: phase states, the order failures are shown in, module latencies.

use super::*;
use crate::result::CaseKind;
use std::path::Path;

const PLAN: &str = r#"
prefix = "/api/v1"

[[module]]
id = "health"
name = "健康检查"

[[module]]
id = "users"
name = "用户管理模块"

[[module]]
id = "auth"
name = "用户认证模块"

[[phase]]
number = 0
name = "环境准备"
table_name = "环境准备"
priority = 5
modules = ["health"]
endpoints = [{ endpoint = "GET /api/v1/health", name = "健康检查", module = "health" }]

[[phase]]
number = 1
name = "核心认证模块"
table_name = "用户认证"
priority = 5
modules = ["auth"]
endpoints = [
  { endpoint = "POST /api/v1/auth/login", name = "密码登录", module = "auth" },
  { endpoint = "POST /api/v1/auth/wechat-login", name = "微信授权登录", module = "auth" },
]

[[phase]]
number = 2
name = "用户管理"
table_name = "用户管理"
priority = 4
modules = ["users"]
endpoints = [{ endpoint = "GET /api/v1/users/profile", name = "获取用户信息", module = "users" }]

[[phase]]
number = 3
name = "第三阶段"
table_name = "第三阶段"
priority = 3
modules = ["users"]
endpoints = [
  { endpoint = "GET /api/v1/users/a", name = "甲", module = "users" },
  { endpoint = "GET /api/v1/users/b", name = "乙", module = "users" },
]

[[phase]]
number = 4
name = "第四阶段"
table_name = "第四阶段"
priority = 2
modules = ["users"]
endpoints = [{ endpoint = "GET /api/v1/users/c", name = "丙", module = "users" }]
"#;

fn plan() -> Plan {
    Plan::parse(Path::new("plan.toml"), PLAN).expect("the test plan parses")
}

fn case(name: &str, status: Status) -> CaseResult {
    CaseResult {
        name: name.into(),
        kind: CaseKind::Happy,
        contract: "c".into(),
        endpoint: "GET /api/v1/x".into(),
        status,
        reason: None,
        account: None,
        latency_ms: None,
        http_status: None,
        code: None,
        findings: vec![],
        request: None,
        response: None,
        curl: None,
    }
}

fn endpoint(name: &str, phase: u8, module: &str, status: Status) -> EndpointResult {
    EndpointResult {
        id: name.into(),
        endpoint: format!("GET /api/v1/{name}"),
        method: "GET".into(),
        path: format!("/api/v1/{name}"),
        phase,
        module: module.into(),
        name: name.into(),
        status,
        reason: (status == Status::Skipped).then(|| "需小程序环境".to_string()),
        latency_ms: None,
        cases: vec![],
        attempts: 1,
        earlier_attempts: vec![],
    }
}

fn scenario(name: &str, phase: u8, status: Status) -> ScenarioResult {
    ScenarioResult {
        name: name.into(),
        title: name.into(),
        phase: phase.into(),
        file: format!("scenarios/{name}.toml"),
        status,
        reason: None,
        steps: vec![],
        attempts: 1,
        earlier_attempts: vec![],
    }
}

fn run(endpoints: Vec<EndpointResult>, scenarios: Vec<ScenarioResult>) -> RunResult {
    RunResult {
        schema_version: crate::result::SCHEMA_VERSION,
        tool: "daodao-check test".into(),
        started_at: "2026-11-25T10:00:00+08:00".into(),
        finished_at: "2026-11-25T10:00:01+08:00".into(),
        duration_ms: 1000.0,
        env: "local".into(),
        base_url: "http://127.0.0.1:3001/api/v1".into(),
        selection: "phase all".into(),
        latency_budget_ms: 2000,
        summary: RunResult::summarise(&endpoints, &scenarios),
        missing_accounts: vec![],
        sandbox: None,
        proxy: None,
        partition: None,
        not_run: None,
        route_hint: None,
        notes: vec![],
        endpoints,
        scenarios,
        setups: vec![],
    }
}

fn states(view: &View) -> Vec<(u8, PhaseState)> {
    view.phases.iter().map(|p| (p.number, p.state)).collect()
}

#[test]
fn phase_states_follow_the_plans_rules() {
    let result = run(
        vec![
            // Phase 1: everything the plan lists ran; a skip is no problem.
            endpoint("login", 1, "auth", Status::Passed),
            endpoint("wechat-login", 1, "auth", Status::Skipped),
            // Phase 2: its endpoint passed, but a scenario of the phase failed.
            endpoint("profile", 2, "users", Status::Passed),
            // Phase 3: one of the two listed endpoints ran.
            endpoint("a", 3, "users", Status::Passed),
            // Phase 7 is not in the plan.
            endpoint("z", 7, "users", Status::Passed),
        ],
        vec![scenario("profile-flow", 2, Status::Failed)],
    );
    let plan = plan();
    let view = View::new(&result, Some(&plan));
    use PhaseState::*;
    // Phase 0 did not run: not shown. Phase 4 did not run: 待开始.
    assert_eq!(
        states(&view),
        [
            (1, Done),
            (2, Problem),
            (3, InProgress),
            (4, NotStarted),
            (7, Done)
        ]
    );
    assert_eq!(view.phases[2].planned, Some(2));
    assert_eq!(view.phases[0].title(), "阶段一 核心认证模块");
    assert_eq!(view.phases[4].title(), "阶段七");

    // Without the plan nothing is known to be missing: what ran is all there is.
    let view = View::new(&result, None);
    assert_eq!(
        states(&view),
        [(1, Done), (2, Problem), (3, Done), (7, Done)]
    );
}

#[test]
fn a_failure_of_any_kind_makes_a_problem() {
    for status in [
        Status::Failed,
        Status::NotActivated,
        Status::Blocked,
        Status::Error,
    ] {
        let result = run(vec![endpoint("profile", 2, "users", status)], vec![]);
        let view = View::new(&result, None);
        assert_eq!(states(&view), [(2, PhaseState::Problem)], "{status:?}");
    }
}

#[test]
fn result_lines_name_the_skips_with_their_reasons() {
    let result = run(
        vec![
            endpoint("login", 1, "auth", Status::Passed),
            endpoint("wechat-login", 1, "auth", Status::Skipped),
            endpoint("profile", 2, "users", Status::Failed),
        ],
        // A phase with scenarios only has no endpoint line.
        vec![scenario("later", 5, Status::Passed)],
    );
    let plan = plan();
    assert_eq!(
        View::new(&result, Some(&plan)).phase_lines(),
        [
            "阶段一 测试结果: 1/2 接口测试通过 (wechat-login: 需小程序环境)",
            "阶段二 测试结果: 0/1 接口测试通过",
        ]
    );
}

#[test]
fn failures_show_endpoints_then_scenarios_with_the_cases_that_did_not_pass() {
    let mut b = endpoint("b", 2, "users", Status::Failed);
    b.cases = vec![
        case("ok", Status::Passed),
        case("wrong", Status::Failed),
        case("not-run", Status::Skipped),
    ];
    let mut flow = scenario("flow", 1, Status::Blocked);
    flow.steps = vec![case("login", Status::Passed), case("pay", Status::Blocked)];
    let result = run(
        vec![
            endpoint("a", 1, "auth", Status::Passed),
            b,
            endpoint("c", 1, "auth", Status::NotActivated),
            endpoint("d", 1, "auth", Status::Skipped),
        ],
        // The scenario's phase comes before the endpoints': endpoints are shown first all the same.
        vec![scenario("fine", 1, Status::Passed), flow],
    );
    let view = View::new(&result, None);
    let shown: Vec<(String, Vec<&str>)> = view
        .failures
        .iter()
        .map(|f| {
            let name = match f.subject {
                Subject::Endpoint(e) => format!("endpoint {}", e.name),
                Subject::Scenario(s) => format!("scenario {}", s.name),
            };
            (name, f.cases.iter().map(|k| k.name.as_str()).collect())
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("endpoint b".to_string(), vec!["wrong", "not-run"]),
            ("endpoint c".to_string(), vec![]),
            ("scenario flow".to_string(), vec!["pay"]),
        ]
    );
    let skipped: Vec<&str> = view.skipped.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(skipped, ["d"]);
}

#[test]
fn flaky_means_passed_on_a_retry() {
    let mut retried = endpoint("retried", 1, "auth", Status::Passed);
    retried.attempts = 2;
    let mut still_failing = endpoint("still-failing", 1, "auth", Status::Failed);
    still_failing.attempts = 3;
    let mut flow = scenario("flow", 1, Status::Passed);
    flow.attempts = 2;
    let result = run(
        vec![
            endpoint("once", 1, "auth", Status::Passed),
            retried,
            still_failing,
        ],
        vec![flow],
    );
    let view = View::new(&result, None);
    let flaky: Vec<(String, u32)> = view
        .flaky
        .iter()
        .map(|s| match s {
            Subject::Endpoint(e) => (e.name.clone(), s.attempts()),
            Subject::Scenario(sc) => (format!("scenario {}", sc.name), s.attempts()),
        })
        .collect();
    assert_eq!(
        flaky,
        [("retried".to_string(), 2), ("scenario flow".to_string(), 2)]
    );
}

fn timed(name: &str, phase: u8, module: &str, ms: Option<f64>) -> EndpointResult {
    let status = if ms.is_some() {
        Status::Passed
    } else {
        Status::Skipped
    };
    EndpointResult {
        latency_ms: ms,
        ..endpoint(name, phase, module, status)
    }
}

#[test]
fn module_latencies_are_nearest_rank_percentiles_in_the_plans_module_order() {
    let result = run(
        vec![
            timed("a1", 1, "auth", Some(40.0)),
            timed("a2", 1, "auth", Some(10.0)),
            timed("a3", 1, "auth", Some(100.0)),
            timed("a4", 1, "auth", Some(30.0)),
            timed("a5", 1, "auth", Some(20.0)),
            timed("a6", 1, "auth", None),
            timed("x1", 1, "extra", Some(7.0)),
            timed("u1", 1, "users", Some(5.0)),
            timed("u2", 2, "users", None),
        ],
        vec![],
    );
    let plan = plan();
    let view = View::new(&result, Some(&plan));
    let rows: Vec<_> = view
        .modules
        .iter()
        .map(|m| (m.phase, m.label(), m.endpoints.total, m.measured))
        .collect();
    // By phase, then the plan's module order (users before auth), modules it lacks last.
    assert_eq!(
        rows,
        [
            (1, "用户管理模块 (users)".to_string(), 1, 1),
            (1, "用户认证模块 (auth)".to_string(), 6, 5),
            (1, "extra".to_string(), 1, 1),
            (2, "用户管理模块 (users)".to_string(), 1, 0),
        ]
    );
    let auth = &view.modules[1];
    // Five measured: p50 is the 3rd smallest, p95 the 5th; the skipped endpoint counts for neither.
    assert_eq!(
        (auth.p50, auth.p95, auth.max),
        (Some(30.0), Some(100.0), Some(100.0))
    );
    assert_eq!((auth.endpoints.passed, auth.endpoints.skipped), (5, 1));
    let unmeasured = &view.modules[3];
    assert_eq!(
        (unmeasured.p50, unmeasured.p95, unmeasured.max),
        (None, None, None)
    );

    // Without the plan: module ids, in id order.
    let view = View::new(&result, None);
    let labels: Vec<_> = view.modules.iter().map(|m| m.label()).collect();
    assert_eq!(labels, ["auth", "extra", "users", "users"]);
}

#[test]
fn modules_and_facts_are_named_as_the_reports_name_them() {
    let result = run(vec![], vec![]);
    let plan = plan();
    let view = View::new(&result, Some(&plan));
    assert_eq!(view.module_label("auth"), "用户认证模块 (auth)");
    assert_eq!(view.module_label("nope"), "nope");
    assert_eq!(View::new(&result, None).module_label("auth"), "auth");
    let facts = view.facts();
    assert_eq!(
        facts[0],
        ("环境", "local (http://127.0.0.1:3001/api/v1)".into())
    );
    assert_eq!(facts[4], ("用时", "1.0 秒".into()));
    assert!(view.passed());
}

#[test]
fn the_setups_shown_are_those_that_did_not_pass_or_found_something() {
    let setup = |name: &str, status: Status, users: usize| SetupResult {
        case: CaseResult {
            kind: CaseKind::Setup,
            ..case(name, status)
        },
        used_by: (0..users).map(|i| format!("e{i}")).collect(),
    };
    let mut soft = setup("soft", Status::Passed, 1);
    soft.case.findings = vec![crate::result::Finding::new(
        crate::result::CheckKind::Latency,
        "slow",
    )];
    let mut result = run(vec![], vec![]);
    result.setups = vec![
        setup("fine", Status::Passed, 2),
        setup("cities", Status::NotActivated, 13),
        soft,
        setup("stores", Status::Blocked, 5),
    ];
    let view = View::new(&result, None);
    let shown: Vec<&str> = view.setups.iter().map(|s| s.case.name.as_str()).collect();
    assert_eq!(shown, ["cities", "soft", "stores"]);
    assert_eq!(
        used_by(view.setups[0]),
        "被 13 个接口使用: e0, e1, e2, e3, e4, …"
    );
    assert_eq!(
        used_by(view.setups[2]),
        "被 5 个接口使用: e0, e1, e2, e3, e4"
    );
}

#[test]
fn security_findings_are_grouped_by_check_in_a_fixed_order_with_their_requests() {
    use crate::result::{CheckKind, Finding};
    let finding = |check, message: &str| Finding::new(check, message).expected("403 或 404", "0");
    let mut orders = endpoint("orders", 2, "users", Status::Failed);
    let mut read = case("越权读取", Status::Failed);
    read.endpoint = "GET /api/v1/orders/{orderId}".into();
    read.findings = vec![
        finding(
            CheckKind::Leakage,
            "the response carries internal text (SQL 错误)",
        ),
        finding(
            CheckKind::Isolation,
            "served to an account that does not own the record",
        ),
        finding(CheckKind::Schema, "not a security finding"),
    ];
    orders.cases = vec![read];
    let mut flow = scenario("rental-flow", 2, Status::Failed);
    let mut step = case("cancel", Status::Failed);
    step.contract = "orders.cancel".into();
    step.findings = vec![finding(
        CheckKind::Isolation,
        "served to an account that does not own the record",
    )];
    flow.steps = vec![step];
    let result = run(vec![orders], vec![flow]);
    let view = View::new(&result, None);
    let groups: Vec<(String, usize)> = (view.security.iter())
        .map(|g| (g.title(), g.items.len()))
        .collect();
    assert_eq!(
        groups,
        [
            ("isolation 越权".to_string(), 2),
            ("leakage 信息泄露".to_string(), 1)
        ]
    );
    assert_eq!(view.security_findings(), 3);
    let first = &view.security[0].items[0];
    assert_eq!(first.place(), "GET /api/v1/orders/{orderId} · 越权读取");
    assert_eq!(
        first.line(),
        "served to an account that does not own the record (期望 403 或 404, 实际 0)"
    );
    assert_eq!(
        view.security[0].items[1].place(),
        "scenario rental-flow · cancel"
    );
    let clean = run(vec![endpoint("a", 3, "users", Status::Passed)], vec![]);
    assert!(View::new(&clean, None).security.is_empty());
}

#[test]
fn a_security_finding_met_again_on_the_same_endpoint_is_one_item_saying_where_else() {
    use crate::result::{CheckKind, Finding, SetupResult};
    let leak = || {
        Finding::new(
            CheckKind::Leakage,
            "the response carries internal text (SQL 错误)",
        )
        .at("/message")
    };
    let mut batches = endpoint("batches", 5, "tours", Status::Failed);
    let mut happy = case("正常请求", Status::Failed);
    happy.endpoint = "GET /api/v1/tours/{id}/batches".into();
    happy.findings = vec![leak()];
    batches.cases = vec![happy.clone()];
    let mut setup = happy.clone();
    setup.name = "batches".into();
    let mut flow = scenario("tour-flow", 5, Status::Failed);
    let mut step = happy.clone();
    step.name = "batches".into();
    flow.steps = vec![step];
    // Another endpoint's leak stays its own item.
    let mut other = happy;
    other.contract = "orders.cancel".into();
    other.endpoint = "POST /api/v1/orders/{orderId}/cancel".into();
    let mut cancel = endpoint("cancel", 2, "orders", Status::Failed);
    cancel.cases = vec![other];
    let mut result = run(vec![batches, cancel], vec![flow]);
    result.setups = vec![SetupResult {
        case: setup,
        used_by: vec![],
    }];
    let view = View::new(&result, None);
    let places: Vec<String> = view.security[0].items.iter().map(|i| i.place()).collect();
    assert_eq!(
        places,
        [
            "GET /api/v1/tours/{id}/batches · 正常请求 (另见 准备步骤 batches; scenario tour-flow · batches)",
            "POST /api/v1/orders/{orderId}/cancel · 正常请求",
        ]
    );
}
