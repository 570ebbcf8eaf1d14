//! Snapshots of the human reporter: the summary table, the plan-style result lines and a failure.

use crate::common;

use daodao_check::plan::Plan;
use daodao_check::report::{terminal, Style, View};
use daodao_check::result::{CaseKind, CheckKind, Finding};
use daodao_check::result::{CaseResult, EndpointResult, RunResult, ScenarioResult, Status};

fn case(
    name: &str,
    kind: CaseKind,
    status: Status,
    latency: f64,
    findings: Vec<Finding>,
) -> CaseResult {
    let failed = status != Status::Passed;
    CaseResult {
        name: name.into(),
        kind,
        contract: "vehicles.detail".into(),
        endpoint: "GET /api/v1/vehicles/{id}".into(),
        status,
        reason: None,
        account: None,
        latency_ms: Some(latency),
        http_status: Some(200),
        code: Some(0),
        findings,
        request: failed.then(|| "GET http://127.0.0.1:3001/api/v1/vehicles/v_001".to_string()),
        response: failed.then(|| {
            "HTTP 200\n{\"code\":0,\"message\":\"success\",\"data\":{\"basePrice\":\"580\"}}"
                .to_string()
        }),
        curl: failed
            .then(|| "curl -sS -X GET \"http://127.0.0.1:3001/api/v1/vehicles/v_001\"".to_string()),
    }
}

#[allow(clippy::too_many_arguments)]
fn endpoint(
    id: &str,
    spelling: &str,
    phase: u8,
    module: &str,
    name: &str,
    status: Status,
    latency: f64,
    cases: Vec<CaseResult>,
) -> EndpointResult {
    let (method, path) = spelling.split_once(' ').unwrap();
    EndpointResult {
        id: id.into(),
        endpoint: spelling.into(),
        method: method.into(),
        path: path.into(),
        phase,
        module: module.into(),
        name: name.into(),
        status,
        reason: (status == Status::Skipped).then(|| "需小程序环境".to_string()),
        latency_ms: (status != Status::Skipped).then_some(latency),
        cases,
        attempts: 1,
        earlier_attempts: vec![],
    }
}

fn sample() -> RunResult {
    let schema = Finding::new(CheckKind::Schema, "\"580\" is not of type \"number\"")
        .at("/data/basePrice")
        .expected("type number", "\"580\"");
    let endpoints = vec![
        endpoint(
            "auth.login",
            "POST /api/v1/auth/login",
            1,
            "auth",
            "密码登录",
            Status::Passed,
            12.0,
            vec![case(
                "正常请求",
                CaseKind::Happy,
                Status::Passed,
                12.0,
                vec![],
            )],
        ),
        endpoint(
            "auth.wechat-login",
            "POST /api/v1/auth/wechat-login",
            1,
            "auth",
            "微信授权登录",
            Status::Skipped,
            0.0,
            vec![],
        ),
        endpoint(
            "users.profile",
            "GET /api/v1/users/profile",
            1,
            "users",
            "获取用户信息",
            Status::Passed,
            30.0,
            vec![],
        ),
        endpoint(
            "vehicles.list",
            "GET /api/v1/vehicles",
            2,
            "vehicles",
            "查询可用房车",
            Status::Passed,
            40.0,
            vec![],
        ),
        endpoint(
            "vehicles.detail",
            "GET /api/v1/vehicles/{id}",
            2,
            "vehicles",
            "获取房车详情",
            Status::Failed,
            2500.0,
            vec![
                case(
                    "正常请求",
                    CaseKind::Happy,
                    Status::Failed,
                    2500.0,
                    vec![
                        schema,
                        Finding::new(CheckKind::Latency, "slower than the latency budget")
                            .expected("< 2000 ms", "2500 ms"),
                    ],
                ),
                case(
                    "不存在的房车",
                    CaseKind::ErrorCase,
                    Status::Passed,
                    5.0,
                    vec![],
                ),
            ],
        ),
        endpoint(
            "orders.create",
            "POST /api/v1/orders",
            2,
            "orders",
            "创建订单",
            Status::NotActivated,
            3.0,
            vec![],
        ),
    ];
    let scenarios = vec![ScenarioResult {
        name: "rental-flow".into(),
        title: "租车流程".into(),
        phase: 2.into(),
        file: "scenarios/phase-2-rental.toml".into(),
        status: Status::Blocked,
        reason: None,
        steps: vec![CaseResult {
            reason: Some("依赖的变量 `orderId` 来自未通过的步骤".into()),
            account: None,
            request: None,
            response: None,
            curl: None,
            latency_ms: None,
            ..case("cancel", CaseKind::Step, Status::Blocked, 0.0, vec![])
        }],
        attempts: 1,
        earlier_attempts: vec![],
    }];
    // users.profile passed on its second attempt: flaky.
    let mut endpoints = endpoints;
    endpoints[2].attempts = 2;
    let summary = RunResult::summarise(&endpoints, &scenarios);
    RunResult {
        schema_version: 1,
        tool: "daodao-check 0.1.0".into(),
        started_at: "2026-11-25T10:00:00+08:00".into(),
        finished_at: "2026-11-25T10:00:02+08:00".into(),
        duration_ms: 2100.0,
        env: "local".into(),
        base_url: "http://127.0.0.1:3001/api/v1".into(),
        selection: "phase all".into(),
        latency_budget_ms: 2000,
        endpoints,
        scenarios,
        setups: vec![],
        summary,
        missing_accounts: vec![],
        sandbox: None,
        proxy: None,
        partition: None,
        not_run: None,
        route_hint: None,
        notes: vec![],
    }
}

fn plan() -> Plan {
    Plan::load(&common::repo().join("contracts")).expect("plan")
}

#[test]
fn summary_table_per_phase_and_module() {
    insta::assert_snapshot!(terminal::summary_table(
        &View::new(&sample(), Some(&plan())),
        daodao_check::report::FILE_WIDTH
    ));
}

#[test]
fn phase_lines_use_the_plans_words() {
    let lines = View::new(&sample(), None).phase_lines();
    assert_eq!(
        lines,
        [
            "阶段一 测试结果: 2/3 接口测试通过 (微信授权登录: 需小程序环境)",
            "阶段二 测试结果: 1/3 接口测试通过"
        ]
    );
}

#[test]
fn the_whole_plain_report() {
    insta::assert_snapshot!(terminal::render(
        &View::new(&sample(), Some(&plan())),
        &Style::PLAIN
    ));
}

#[test]
fn colour_only_when_asked() {
    let plain = terminal::render(&View::new(&sample(), Some(&plan())), &Style::PLAIN);
    assert!(!plain.contains('\x1b'));
    let coloured = terminal::render(&View::new(&sample(), Some(&plan())), &Style { color: true });
    assert!(coloured.contains("\x1b[31m"));
}

/// The shared sample: a folded finding, a team decision, setup steps reported once, endpoints blocked
/// by one of them; details first, then 准备步骤 and 根因汇总, the tables and the verdict last.
#[test]
fn the_report_of_a_drifting_backend() {
    let result = crate::report_support::sample();
    let plan = crate::report_support::plan();
    let text = terminal::render(&View::new(&result, Some(&plan)), &Style::PLAIN);
    insta::assert_snapshot!(text);
}

#[test]
fn the_summary_comes_last_and_setups_are_not_repeated() {
    let result = crate::report_support::sample();
    let text = terminal::render(&View::new(&result, None), &Style::PLAIN);
    let at = |what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("{what:?} not in the report"))
    };
    let order = [
        at("✗ failed 失败  GET /api/v1/users/profile"),
        at("准备步骤 (2)"),
        at("根因汇总 ("),
        at("┌"),
        at("FAIL 未通过"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(text
        .trim_end()
        .lines()
        .last()
        .is_some_and(|l| l.starts_with("FAIL 未通过")));
    // The failed setup is shown once, not under each endpoint it blocked.
    assert_eq!(text.matches("被 2 个接口使用").count(), 1);
    assert_eq!(text.matches("response: HTTP 404").count(), 1);
}

/// A backend that drifts everywhere: the summary stays one screen, one line per cause.
#[test]
fn the_root_causes_fit_on_one_screen() {
    let drifts = 25;
    let endpoints: Vec<EndpointResult> = (0..drifts)
        .map(|i| {
            let finding = Finding::new(CheckKind::Schema, "value is not of type \"string\"")
                .at(format!("/data/field{i}"))
                .expected("type string", "1");
            endpoint(
                &format!("m.e{i}"),
                &format!("GET /api/v1/e{i}"),
                2,
                "m",
                "e",
                Status::Failed,
                10.0,
                vec![CaseResult {
                    contract: format!("m.e{i}"),
                    ..case(
                        "正常请求",
                        CaseKind::Happy,
                        Status::Failed,
                        10.0,
                        vec![finding],
                    )
                }],
            )
        })
        .collect();
    let mut result = sample();
    result.summary = RunResult::summarise(&endpoints, &[]);
    result.endpoints = endpoints;
    result.scenarios = vec![];
    let text = terminal::render(&View::new(&result, None), &Style::PLAIN);
    let section = &text[text.find("根因汇总").expect("the summary")..];
    let section = &section[..section.find("\n\n").expect("its end")];
    let lines: Vec<&str> = section.lines().collect();
    assert_eq!(lines[0], format!("根因汇总 ({drifts} 类, 按接口数)"));
    assert_eq!(lines.len(), 1 + daodao_check::report::ROOT_CAUSE_LINES + 1);
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "  … 另有 {} 类",
                drifts - daodao_check::report::ROOT_CAUSE_LINES
            )
            .as_str()
        )
    );
    assert_eq!(
        lines[1],
        "  schema /data/field0 期望 type string — 1 个接口 (m.e0)"
    );
}
