//! Results built in the tests, with fixed values, so the snapshots are stable.
#![allow(dead_code)]

use daodao_check::http::HttpRequest;
use daodao_check::plan::Plan;
use daodao_check::redact::{Redactor, SecretKind};
use daodao_check::result::{CaseKind, CheckKind, Finding};
use daodao_check::result::{
    CaseResult, EndpointResult, RunResult, ScenarioResult, SetupResult, Status,
};
use serde_json::json;

/// Secrets the fixture's excerpts were made from; no report may contain them.
pub const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig123456";
pub const PHONE: &str = "19912345678";
pub const PASSWORD: &str = "hunter2-secret";

pub fn case(name: &str, kind: CaseKind, endpoint: &str, status: Status) -> CaseResult {
    CaseResult {
        name: name.into(),
        kind,
        contract: endpoint_id(endpoint),
        endpoint: endpoint.into(),
        status,
        reason: None,
        account: None,
        latency_ms: Some(42.0),
        http_status: Some(200),
        code: Some(0),
        findings: vec![],
        request: None,
        response: None,
        curl: None,
    }
}

fn endpoint_id(endpoint: &str) -> String {
    let path = endpoint.split_whitespace().nth(1).unwrap_or("");
    path.trim_start_matches("/api/v1/")
        .replace(['{', '}'], "")
        .replace('/', ".")
}

pub fn endpoint(
    phase: u8,
    module: &str,
    endpoint: &str,
    name: &str,
    status: Status,
    latency: Option<f64>,
) -> EndpointResult {
    let (method, path) = endpoint.split_once(' ').unwrap_or(("GET", endpoint));
    let mut happy = case("正常请求", CaseKind::Happy, endpoint, status);
    happy.latency_ms = latency;
    EndpointResult {
        id: endpoint_id(endpoint),
        endpoint: endpoint.into(),
        method: method.into(),
        path: path.into(),
        phase,
        module: module.into(),
        name: name.into(),
        status,
        reason: None,
        latency_ms: latency,
        cases: if matches!(status, Status::Skipped) {
            vec![]
        } else {
            vec![happy]
        },
        attempts: 1,
        earlier_attempts: vec![],
    }
}

fn finish(endpoints: Vec<EndpointResult>, scenarios: Vec<ScenarioResult>) -> RunResult {
    let summary = RunResult::summarise(&endpoints, &scenarios);
    RunResult {
        schema_version: daodao_check::result::SCHEMA_VERSION,
        tool: "daodao-check 0.1.0".into(),
        started_at: "2026-01-09T10:00:00+08:00".into(),
        finished_at: "2026-01-09T10:00:12+08:00".into(),
        duration_ms: 12345.0,
        env: "local".into(),
        base_url: "http://localhost:3001/api/v1".into(),
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

/// A small run with every status, findings with JSON paths (one folded over list items, one with a
/// team decision), redacted excerpts, text that needs escaping in every format, a failing scenario,
/// setup steps (one failed, blocking two endpoints that still say what they established).
pub fn sample() -> RunResult {
    let r = Redactor::new();
    r.add(TOKEN, SecretKind::Token);
    r.add(PHONE, SecretKind::Phone);
    r.add(PASSWORD, SecretKind::Password);

    let mut eps = vec![];
    eps.push(endpoint(
        0,
        "health",
        "GET /api/v1/health",
        "健康检查",
        Status::Passed,
        Some(3.0),
    ));
    eps.push(endpoint(
        1,
        "auth",
        "POST /api/v1/auth/login",
        "密码登录",
        Status::Passed,
        Some(120.0),
    ));
    let mut wx = endpoint(
        1,
        "auth",
        "POST /api/v1/auth/wechat-login",
        "微信授权登录",
        Status::Skipped,
        None,
    );
    wx.reason = Some("需小程序环境: 微信授权码 (wx.login 的 code) 只能在小程序内获取".into());
    eps.push(wx);

    // A schema failure with an excerpt made by the redactor from a request holding secrets.
    let mut profile = endpoint(
        1,
        "users",
        "GET /api/v1/users/profile",
        "获取用户信息",
        Status::Failed,
        Some(180.0),
    );
    let req = HttpRequest {
        method: "GET".into(),
        url: format!("http://localhost:3001/api/v1/users/profile?phone={PHONE}"),
        path: "/users/profile".into(),
        headers: vec![("Authorization".into(), format!("Bearer {TOKEN}"))],
        body: None,
        multipart_files: None,
        raw_body: None,
    };
    let body = json!({"code": 0, "message": "ok <script>alert('x')</script> & | `tick`",
        "data": {"phone": PHONE, "token": TOKEN, "nickname": null}});
    let happy = &mut profile.cases[0];
    happy.findings = vec![
        Finding::new(CheckKind::Schema, "null is not of type \"string\" <b>")
            .at("/data/nickname")
            .expected("string", "null"),
        Finding::new(CheckKind::Schema, "\"avatar\" is a required property").at("/data"),
    ];
    happy.request = Some(r.request_excerpt(&req, 600, true));
    happy.response = Some(r.response_excerpt(200, "", Some(&body), 600));
    happy.curl = Some(r.curl(&req));
    let mut no_token = case(
        "无 token",
        CaseKind::NoToken,
        "GET /api/v1/users/profile",
        Status::Passed,
    );
    no_token.latency_ms = Some(8.0);
    profile.cases.push(no_token);
    eps.push(profile);

    // The same drift on every item of a list is one folded finding; a drift the team decided on
    // carries the decision.
    let mut vehicles = endpoint(
        2,
        "vehicles",
        "GET /api/v1/vehicles",
        "查询可用房车",
        Status::Failed,
        Some(2500.0),
    );
    vehicles.cases[0].findings = vec![is_hot_drift(), pagination_decided()];
    vehicles.cases.extend(page_zero_crashes());
    eps.push(vehicles);
    let mut create = endpoint(
        2,
        "orders",
        "POST /api/v1/orders",
        "创建订单",
        Status::NotActivated,
        Some(15.0),
    );
    create.reason = Some("路由未激活".into());
    create.cases[0].findings = vec![Finding::new(
        CheckKind::RouteNotActivated,
        "the catch-all answered: Cannot POST /api/v1/orders",
    )];
    create.cases[0].http_status = Some(404);
    eps.push(create);
    // Blocked by the setup step `order` (POST /orders is not mounted): they still got the checks that
    // need no data, and say what those established.
    eps.push(blocked_by_order_setup(
        "GET /api/v1/orders/{orderId}",
        "获取订单详情",
    ));
    eps.push(blocked_by_order_setup(
        "PUT /api/v1/orders/{orderNo}/status",
        "更新订单状态",
    ));
    let mut cancel = endpoint(
        2,
        "orders",
        "POST /api/v1/orders/{orderId}/cancel",
        "取消订单",
        Status::Error,
        None,
    );
    cancel.reason = Some("run.request: unknown variable `order_id`".into());
    cancel.cases = vec![];
    eps.push(cancel);

    let mut step_ok = case(
        "登录",
        CaseKind::Step,
        "POST /api/v1/auth/login",
        Status::Passed,
    );
    step_ok.latency_ms = Some(99.0);
    let mut step_bad = case(
        "下单",
        CaseKind::Step,
        "POST /api/v1/orders",
        Status::Failed,
    );
    step_bad.findings =
        vec![
            Finding::new(CheckKind::Assertion, "data.totalPrice == 1200 was false")
                .at("/data/totalPrice")
                .expected("1200", "1100"),
        ];
    step_bad.response = Some("HTTP 200\n{\"code\":0,\"data\":{\"totalPrice\":1100}}".into());
    let scenarios = vec![
        ScenarioResult {
            name: "rental-happy-path".into(),
            title: "租车下单全流程".into(),
            phase: 2.into(),
            file: "scenarios/phase-2-rental.toml".into(),
            status: Status::Failed,
            reason: None,
            steps: vec![step_ok, step_bad],
            attempts: 1,
            earlier_attempts: vec![],
        },
        ScenarioResult {
            name: "login-flow".into(),
            title: "注册并登录".into(),
            phase: 1.into(),
            file: "scenarios/phase-1-auth.toml".into(),
            status: Status::Passed,
            reason: None,
            steps: vec![case(
                "注册",
                CaseKind::Step,
                "POST /api/v1/auth/register",
                Status::Passed,
            )],
            attempts: 1,
            earlier_attempts: vec![],
        },
    ];
    let mut result = finish(eps, scenarios);
    result.setups = setups();
    result
}

/// Two derived negative inputs of the vehicle list: letters for the page, refused as they should be,
/// and `page=0`, which crashed the backend.
fn page_zero_crashes() -> Vec<CaseResult> {
    let spelling = "GET /api/v1/vehicles";
    let mut refused = case(
        "负向输入: query page = abc",
        CaseKind::NegativeInput,
        spelling,
        Status::Passed,
    );
    refused.http_status = Some(400);
    refused.code = Some(400);
    let mut crashed = case(
        "负向输入: query page = 0",
        CaseKind::NegativeInput,
        spelling,
        Status::Failed,
    );
    crashed.http_status = Some(500);
    crashed.code = Some(500);
    let mut f = Finding::new(
        CheckKind::NegativeInput,
        "query page = 0: invalid input caused a server error (HTTP 500)",
    )
    .at("/query/page")
    .expected("4xx", "500");
    f.cause = Some("page=0".into());
    crashed.findings = vec![f];
    crashed.response =
        Some("HTTP 500\n{\"code\":500,\"message\":\"Internal Server Error\",\"data\":null}".into());
    crashed.curl = Some("curl -sS -X GET \"http://localhost:3001/api/v1/vehicles?page=0\"".into());
    vec![refused, crashed]
}

/// `/data/list/*/isHot` on 5 items, the first item's value as the example.
fn is_hot_drift() -> Finding {
    let mut f = Finding::new(CheckKind::Schema, "value is not of type \"boolean\"")
        .at("/data/list/*/isHot")
        .expected("type boolean", "0");
    f.count = 5;
    f
}

fn pagination_decided() -> Finding {
    let mut f = Finding::new(CheckKind::Schema, "\"pagination\" is a required property")
        .at("/data/pagination");
    f.expected = Some("a required field".into());
    f.actual = Some("missing".into());
    f.decision = Some(
        "团队决定 (contracts/README.md 分歧表「阶段二 · 查询可用房车响应」): 需求文档为平铺的 {list, total}；合约用统一分页 {list, pagination}".into(),
    );
    f
}

const ORDER_NOT_MOUNTED: &str = "the backend answered POST /api/v1/orders like it answers a route that does not exist (HTTP 404): the route is not activated";

fn blocked_by_order_setup(spelling: &str, name: &str) -> EndpointResult {
    let mut e = endpoint(2, "orders", spelling, name, Status::Blocked, None);
    // As the run cuts a cause: the step, then the first 100 characters of what went wrong.
    let what: String = format!("route_not_activated: {ORDER_NOT_MOUNTED}")
        .chars()
        .take(100)
        .collect();
    e.reason = Some(format!(
        "阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 order {what})"
    ));
    e.cases = vec![
        case("未携带Token", CaseKind::NoToken, spelling, Status::Passed),
        case("伪造Token", CaseKind::ForgedToken, spelling, Status::Passed),
    ];
    for k in &mut e.cases {
        k.http_status = Some(401);
        k.code = Some(401);
    }
    e
}

/// The run's setup steps, each once: one passed, one found the list drift (its values were still
/// usable), one hit an unmounted route and blocked what needed its order.
fn setups() -> Vec<SetupResult> {
    let send_code = case(
        "send_code",
        CaseKind::Setup,
        "POST /api/v1/auth/send-code",
        Status::Passed,
    );
    let mut vehicles = case(
        "vehicles",
        CaseKind::Setup,
        "GET /api/v1/vehicles",
        Status::Failed,
    );
    vehicles.findings = vec![is_hot_drift()];
    let mut order = case(
        "order",
        CaseKind::Setup,
        "POST /api/v1/orders",
        Status::NotActivated,
    );
    order.http_status = Some(404);
    order.code = None;
    order.findings = vec![Finding::new(
        CheckKind::RouteNotActivated,
        ORDER_NOT_MOUNTED,
    )];
    order.response = Some("HTTP 404\nCannot POST /api/v1/orders".into());
    let users = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
    vec![
        SetupResult {
            case: send_code,
            used_by: users(&["auth.login"]),
        },
        SetupResult {
            case: vehicles,
            used_by: users(&["orders"]),
        },
        SetupResult {
            case: order,
            used_by: users(&["orders.orderId", "orders.orderNo.status"]),
        },
    ]
}

/// The plan as the tool knows it (contracts/plan.toml of this repository).
pub fn plan() -> Plan {
    Plan::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/contracts"
    )))
    .expect("contracts/plan.toml loads")
}

/// A run of every plan endpoint: what `status` returns for each (None = not in the results).
pub fn full_run(status: impl Fn(u8, &str, &str) -> Option<Status>) -> RunResult {
    let plan = plan();
    let mut eps = vec![];
    for (p, e) in plan.endpoints() {
        let Some(s) = status(p.number, &e.module, &e.endpoint) else {
            continue;
        };
        let mut r = endpoint(p.number, &e.module, &e.endpoint, &e.name, s, Some(50.0));
        match s {
            Status::Skipped => r.reason = Some(skip_reason(&e.endpoint).into()),
            Status::NotActivated => {
                r.reason = Some("路由未激活".into());
                r.cases[0].findings =
                    vec![Finding::new(CheckKind::RouteNotActivated, "catch-all 404")];
            }
            Status::Failed => {
                r.cases[0].findings = vec![Finding::new(CheckKind::Schema, "wrong type")
                    .at("/data/total")
                    .expected("integer", "\"3\"")];
            }
            Status::Blocked => {
                r.reason = Some("登录失败: 500".into());
                r.cases = vec![];
            }
            _ => {}
        }
        eps.push(r);
    }
    finish(eps, vec![])
}

/// The skip reasons of the contracts that skip (as the catalogue has them).
pub fn skip_reason(endpoint: &str) -> &'static str {
    match endpoint {
        "POST /api/v1/auth/wechat-login" => {
            "需小程序环境: 微信授权码 (wx.login 的 code) 只能在小程序内获取"
        }
        "POST /api/v1/vehicles/lock" => {
            "前端Mock实现: 计划标注该接口由小程序端Mock实现 (后端未开发)"
        }
        _ => "需文件上传: 实际为 multipart/form-data（字段 file），引擎只发送 JSON",
    }
}

/// Which endpoints the catalogue skips.
pub fn skipped_in_catalogue(endpoint: &str) -> bool {
    matches!(
        endpoint,
        "POST /api/v1/auth/wechat-login"
            | "POST /api/v1/vehicles/lock"
            | "POST /api/v1/ratings/upload-image"
            | "POST /api/v1/community/upload-image"
    )
}
