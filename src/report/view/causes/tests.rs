//! The root-cause rules: what identifies a cause per check, counting endpoints, the order, the cap,
//! and what blocked an endpoint.

use super::*;
use crate::result::CaseKind;

mod blocked;
mod once;

fn case(contract: &str, kind: CaseKind, status: Status, findings: Vec<Finding>) -> CaseResult {
    CaseResult {
        name: "正常请求".into(),
        kind,
        contract: contract.into(),
        endpoint: format!("GET /api/v1/{contract}"),
        status,
        reason: None,
        account: None,
        latency_ms: None,
        http_status: None,
        code: None,
        findings,
        request: None,
        response: None,
        curl: None,
    }
}

fn endpoint(id: &str, status: Status, cases: Vec<CaseResult>) -> EndpointResult {
    EndpointResult {
        id: id.into(),
        endpoint: format!("GET /api/v1/{id}"),
        method: "GET".into(),
        path: format!("/api/v1/{id}"),
        phase: 1,
        module: "m".into(),
        name: id.into(),
        status,
        reason: None,
        latency_ms: None,
        cases,
        attempts: 1,
        earlier_attempts: vec![],
    }
}

/// An endpoint whose valid request found `findings`.
fn found(id: &str, findings: Vec<Finding>) -> EndpointResult {
    endpoint(
        id,
        Status::Failed,
        vec![case(id, CaseKind::Happy, Status::Failed, findings)],
    )
}

fn blocked(id: &str, reason: &str) -> EndpointResult {
    let mut e = endpoint(id, Status::Blocked, vec![]);
    e.reason = Some(reason.into());
    e
}

fn setup(name: &str, contract: &str, status: Status, used_by: &[&str]) -> SetupResult {
    let mut k = case(contract, CaseKind::Setup, status, vec![]);
    k.name = name.into();
    SetupResult {
        case: k,
        used_by: used_by.iter().map(|s| s.to_string()).collect(),
    }
}

fn run(endpoints: Vec<EndpointResult>, setups: Vec<SetupResult>) -> RunResult {
    RunResult {
        schema_version: crate::result::SCHEMA_VERSION,
        tool: "t".into(),
        started_at: String::new(),
        finished_at: String::new(),
        duration_ms: 0.0,
        env: "local".into(),
        base_url: String::new(),
        selection: String::new(),
        latency_budget_ms: 2000,
        summary: RunResult::summarise(&endpoints, &[]),
        missing_accounts: vec![],
        sandbox: None,
        proxy: None,
        partition: None,
        not_run: None,
        route_hint: None,
        notes: vec![],
        endpoints,
        scenarios: vec![],
        setups,
    }
}

fn schema(path: &str, expected: &str, actual: &str) -> Finding {
    Finding::new(CheckKind::Schema, format!("{actual} is not {expected}"))
        .at(path)
        .expected(expected, actual)
}

fn code(check: CheckKind, expected: &str, actual: &str, message: &str) -> Finding {
    Finding::new(check, message)
        .at("/code")
        .expected(expected, actual)
}

/// Each cause as `title — endpoints`.
fn lines(result: &RunResult) -> Vec<String> {
    root_causes(result)
        .shown
        .iter()
        .map(|c| format!("{} — {}", c.title(), c.endpoints.join(",")))
        .collect()
}

/// The grouping key of a finding (on a case of any kind: the kind never decides a cause).
fn key(_kind: CaseKind, f: Finding) -> String {
    finding_cause(&f).0
}

/// How a finding's cause reads.
fn what(f: Finding) -> String {
    finding_cause(&f).1
}

#[test]
fn a_common_drift_is_one_cause_whatever_the_field() {
    let mut bool_a = schema("/data/list/0/isHot", "type boolean", "0");
    bool_a.drift = Some(crate::result::Drift::BoolAsInt);
    let mut bool_b = schema("/data/isNew", "type boolean", "1");
    bool_b.drift = Some(crate::result::Drift::BoolAsInt);
    assert_eq!(
        key(CaseKind::Happy, bool_a.clone()),
        key(CaseKind::Happy, bool_b)
    );
    assert_eq!(what(bool_a), "布尔值以 0/1 返回");
}

#[test]
fn schema_causes_are_the_index_free_path_and_the_expectation() {
    let k = |f| key(CaseKind::Happy, f);
    // The same field on other items, with other values: one cause.
    assert_eq!(
        k(schema("/data/list/0/isHot", "type boolean", "0")),
        k(schema("/data/list/7/isHot", "type boolean", "\"yes\""))
    );
    // Another field, or another expectation: another cause.
    assert_ne!(
        k(schema("/data/list/0/isHot", "type boolean", "0")),
        k(schema("/data/list/0/isNew", "type boolean", "0"))
    );
    assert_ne!(
        k(schema("/data/list/0/isHot", "type boolean", "0")),
        k(schema("/data/list/0/isHot", "type string", "0"))
    );
    assert_eq!(
        what(schema("/data/pagination", "a required field", "missing")),
        "/data/pagination 缺少"
    );
    assert_eq!(
        what(schema("/data/3/id", "type string", "7")),
        "/data/*/id 期望 type string"
    );
}

#[test]
fn code_causes_are_the_expected_and_actual_code_whatever_the_message() {
    for check in [
        CheckKind::SuccessCode,
        CheckKind::ErrorCode,
        CheckKind::BadInputAccepted,
        CheckKind::HttpStatus,
    ] {
        let k = |f| key(CaseKind::Happy, f);
        assert_eq!(
            k(code(check, "0", "404", "got code 404: 营地不存在")),
            k(code(check, "0", "404", "got code 404: 旅游线路不存在")),
            "{check:?}"
        );
        assert_ne!(
            k(code(check, "0", "404", "m")),
            k(code(check, "0", "401", "m")),
            "{check:?}"
        );
        assert_ne!(
            k(code(check, "0", "404", "m")),
            k(code(check, "400", "404", "m")),
            "{check:?}"
        );
    }
    assert_eq!(
        what(code(CheckKind::SuccessCode, "0", "401", "未登录")),
        "期望 code 0, 实际 401"
    );
}

#[test]
fn an_unchecked_token_is_one_cause_with_or_without_a_token() {
    let open = || {
        Finding::new(
            CheckKind::AuthNotEnforced,
            "the request was served without a valid token",
        )
        .expected("401", "0")
    };
    let no_token = key(CaseKind::NoToken, open());
    let forged = key(CaseKind::ForgedToken, open());
    assert_eq!(no_token, forged);
    assert_eq!(what(open()), "未携带或伪造 token 的请求未被拒绝");
    // Another answer to the same request is the same cause: the token was not checked.
    let other = Finding::new(CheckKind::AuthNotEnforced, "expected code 401, got 403")
        .expected("401", "403");
    assert_eq!(key(CaseKind::NoToken, other), no_token);
}

#[test]
fn an_unmounted_route_and_a_slow_answer_are_one_cause_each_a_server_error_one_per_status() {
    let route = |path: &str| {
        Finding::new(
            CheckKind::RouteNotActivated,
            format!("the backend answered GET {path} like …"),
        )
    };
    let k = |f| key(CaseKind::Happy, f);
    assert_eq!(k(route("/a")), k(route("/b/c")));
    let slow = |took: &str| {
        Finding::new(CheckKind::Latency, "slower than the latency budget")
            .expected("< 2000 ms", took)
    };
    assert_eq!(k(slow("2100 ms")), k(slow("9000 ms")));
    let server = |status: &str| {
        Finding::new(
            CheckKind::ServerError,
            format!("HTTP {status} on a valid request"),
        )
        .expected("2xx", status)
    };
    assert_eq!(k(server("500")), k(server("500")));
    assert_ne!(k(server("500")), k(server("502")));
}

#[test]
fn other_causes_are_the_path_and_the_shape_of_the_message() {
    let k = |f| key(CaseKind::Happy, f);
    let timeout = |ms: &str| {
        Finding::new(
            CheckKind::Transport,
            format!("timeout: no answer in {ms} ms"),
        )
    };
    assert_eq!(k(timeout("5000")), k(timeout("30000")));
    assert_ne!(
        k(timeout("5000")),
        k(Finding::new(
            CheckKind::Transport,
            "connect: connection refused"
        ))
    );
    let capture = |var: &str, at: &str| {
        Finding::new(
            CheckKind::Capture,
            format!("capture `{var}`: nothing at `data.list[0].id`"),
        )
        .at(at)
    };
    let k = |f| key(CaseKind::Step, f);
    assert_eq!(
        k(capture("storeId", "/data/list/0/id")),
        k(capture("id", "/data/list/0/id"))
    );
    assert_ne!(
        k(capture("storeId", "/data/list/0/id")),
        k(capture("storeId", "/data/0/id"))
    );
    assert_eq!(shape("got 401 for \"a\" and `b`"), "got # for <v> and <v>");
    assert_eq!(shape("v1.2"), "v#.#");
}

#[test]
fn causes_count_distinct_endpoints_across_cases_setups_and_steps() {
    let drift = || schema("/data/pagination", "a required field", "missing");
    let mut twice = found("campsites.list", vec![drift()]);
    // The same endpoint's error case found it too: still one endpoint.
    twice.cases.push(case(
        "campsites.list",
        CaseKind::ErrorCase,
        Status::Failed,
        vec![drift()],
    ));
    let mut tours_setup = setup("tours", "tours.list", Status::Failed, &["tours.detail"]);
    tours_setup.case.findings = vec![drift()];
    let mut result = run(vec![twice], vec![tours_setup]);
    result.scenarios = vec![crate::result::ScenarioResult {
        name: "flow".into(),
        title: "flow".into(),
        phase: crate::result::ScenarioPhase::Plan(1),
        file: "f".into(),
        status: Status::Failed,
        reason: None,
        steps: vec![
            case("stores.list", CaseKind::Step, Status::Failed, vec![drift()]),
            case("tours.list", CaseKind::Step, Status::Failed, vec![drift()]),
        ],
        attempts: 1,
        earlier_attempts: vec![],
    }];
    let causes = root_causes(&result);
    assert_eq!(causes.shown.len(), 1);
    assert_eq!(
        causes.shown[0].endpoints,
        ["campsites.list", "tours.list", "stores.list"],
        "endpoints, then setups, then scenario steps; each once"
    );
    assert_eq!(
        causes.shown[0].line(),
        "schema /data/pagination 缺少 — 3 个接口 (campsites.list, tours.list, stores.list)"
    );
}

#[test]
fn most_endpoints_first_then_the_order_first_seen() {
    let slow = || {
        Finding::new(CheckKind::Latency, "slower than the latency budget")
            .expected("< 2000 ms", "3000 ms")
    };
    let no_route = || Finding::new(CheckKind::RouteNotActivated, "catch-all");
    let wrong = || code(CheckKind::SuccessCode, "0", "500", "m");
    let result = run(
        vec![
            found("a", vec![slow()]),
            found("b", vec![no_route()]),
            found("c", vec![wrong(), no_route()]),
            found("d", vec![wrong()]),
            found("e", vec![wrong()]),
        ],
        vec![],
    );
    assert_eq!(
        lines(&result),
        [
            "success_code 期望 code 0, 实际 500 — c,d,e",
            "route_not_activated 路由未激活 — b,c",
            "latency 超出响应时间预算 (< 2000 ms) — a",
        ]
    );
}

#[test]
fn the_summary_is_capped_and_counts_what_it_cut() {
    let endpoints: Vec<EndpointResult> = (0..ROOT_CAUSE_LINES + 3)
        .map(|i| {
            found(
                &format!("e{i}"),
                vec![schema(&format!("/data/f{i}"), "type string", "1")],
            )
        })
        .collect();
    let causes = root_causes(&run(endpoints, vec![]));
    assert_eq!(causes.shown.len(), ROOT_CAUSE_LINES);
    assert_eq!(causes.hidden, 3);
    assert_eq!(causes.more().as_deref(), Some("… 另有 3 类"));
    let none = root_causes(&run(vec![found("ok", vec![])], vec![]));
    assert!(none.is_empty() && none.more().is_none());
}

#[test]
fn a_line_names_three_endpoints_and_says_when_a_decision_explains_it() {
    let mut decided = schema("/data/pagination", "a required field", "missing");
    decided.decision = Some("团队决定 …".into());
    let result = run(
        vec![
            found("campsites.list", vec![decided]),
            found(
                "tours.list",
                vec![schema("/data/pagination", "a required field", "missing")],
            ),
            found(
                "stores.list",
                vec![schema("/data/pagination", "a required field", "missing")],
            ),
            found(
                "wallet.transactions",
                vec![schema("/data/pagination", "a required field", "missing")],
            ),
        ],
        vec![],
    );
    let cause = &root_causes(&result).shown[0];
    assert!(cause.decided);
    assert_eq!(
        cause.line(),
        "schema /data/pagination 缺少 — 4 个接口 (campsites.list, tours.list, stores.list, …) · 团队决定, 见说明"
    );
}

#[test]
fn errors_without_findings_are_causes_too() {
    let mut broken = endpoint("orders.cancel", Status::Error, vec![]);
    broken.reason = Some("run.request: unknown variable `order_id`".into());
    let mut other = endpoint("orders.pay", Status::Error, vec![]);
    other.reason = Some("run.request: unknown variable `pay_id`".into());
    assert_eq!(
        lines(&run(vec![broken, other], vec![])),
        ["错误: run.request: unknown variable `order_id` — orders.cancel,orders.pay"]
    );
}

#[test]
fn long_causes_are_cut_to_one_line() {
    let long = format!("line one\n{}", "x".repeat(200));
    let result = run(
        vec![found("a", vec![Finding::new(CheckKind::Envelope, long)])],
        vec![],
    );
    let what = &root_causes(&result).shown[0].what;
    assert_eq!(what.chars().count(), WHAT_CHARS);
    assert!(
        what.starts_with("line one x") && what.ends_with('…'),
        "{what}"
    );
}

#[test]
fn findings_left_out_past_the_cap_are_no_cause() {
    let result = run(
        vec![found(
            "demo.item",
            vec![
                schema("/data/id", "a required field", "missing"),
                Finding::left_out(CheckKind::Schema, 12, 20),
            ],
        )],
        vec![],
    );
    let shown = lines(&result);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].contains("/data/id"), "{shown:?}");
}

#[test]
fn a_derived_input_is_one_cause_per_rule_and_answer_whatever_the_parameter() {
    let derived = |id: &str, input: &str, rule: &str, code: &str| {
        let mut f = Finding::new(
            CheckKind::NegativeInput,
            format!("{input}: invalid input caused a server error (HTTP 500)"),
        )
        .at(if input.starts_with("path") {
            "/path/id"
        } else {
            "/query/page"
        })
        .expected("404", code);
        f.cause = Some(rule.into());
        endpoint(
            id,
            Status::Failed,
            vec![case(id, CaseKind::NegativeInput, Status::Failed, vec![f])],
        )
    };
    let r = run(
        vec![
            derived("vehicles.detail", "path id = \"abc\"", "非数字 ID", "500"),
            derived(
                "orders.detail",
                "path orderId = \"abc\"",
                "非数字 ID",
                "500",
            ),
            derived("stores.detail", "path id = \"abc\"", "非数字 ID", "500"),
            derived("orders.list", "query page = 0", "page=0", "500"),
            derived("tours.list", "query page = 0", "page=0", "500"),
            // Served instead of refused: another cause.
            derived("coupons.list", "query page = 0", "page=0", "0"),
        ],
        vec![],
    );
    let lines: Vec<String> = root_causes(&r).shown.iter().map(RootCause::line).collect();
    assert_eq!(
        lines,
        [
            "negative_input 非数字 ID 返回 500 — 3 个接口 (vehicles.detail, orders.detail, stores.detail)",
            "negative_input page=0 返回 500 — 2 个接口 (orders.list, tours.list)",
            "negative_input page=0 返回 0 — 1 个接口 (coupons.list)",
        ]
    );
}
