//! The engine against a real HTTP server on loopback (wiremock): a correct backend gives no finding,
//! and each broken answer gives exactly the finding that names it.

use crate::common;

use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::result::CheckKind;
use daodao_check::result::{RunResult, Status};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "message": "success", "data": data}))
}

fn err(http: u16, code: i64, msg: &str) -> ResponseTemplate {
    ResponseTemplate::new(http).set_body_json(json!({"code": code, "message": msg, "data": null}))
}

fn item() -> Value {
    json!({"id": "item_1", "price": 580, "createdAt": "2026-01-06T10:00:00+08:00", "status": "ON_SALE"})
}

/// Mounts a backend that answers the mini project's contracts correctly, except where `item` overrides.
async fn backend(item_answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/items/no-such-item"))
        .respond_with(err(404, 404, "商品不存在"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/items/[^/]+$"))
        .respond_with(item_answer)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/auth/send-code"))
        .respond_with(ok(json!({"expireIn": 300})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/auth/register"))
        .respond_with(ok(json!({
            "token": "issued-token-abcdef", "refreshToken": "issued-refresh-abcdef",
            "user": {"id": "u1", "phone": "19900000000", "nickname": "n", "avatar": "a", "userType": "CUSTOMER"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/orders"))
        .and(header("Authorization", "Bearer issued-token-abcdef"))
        .respond_with(ok(json!({"orderId": "ORD1", "status": "PENDING"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/orders"))
        .respond_with(err(401, 401, "未登录"))
        .with_priority(2)
        .mount(&server)
        .await;
    // Express's catch-all for unknown routes.
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(404).set_body_string("Cannot GET /api/v1/whatever"))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

async fn run_item(server: &MockServer, extra_toml: &str) -> RunResult {
    let dir = common::mini();
    let config = common::config_for(dir.path(), &format!("{}/api/v1", server.uri()), extra_toml);
    let catalog = common::catalog(&config);
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let selection = Selection {
        endpoints: vec!["demo.item".into()],
        include_endpoints: true,
        ..Default::default()
    };
    runner.run(&selection, &SilentObserver).await.expect("run")
}

fn kinds(r: &RunResult) -> Vec<CheckKind> {
    let mut k: Vec<CheckKind> = r
        .endpoints
        .iter()
        .flat_map(|e| e.cases.iter())
        .flat_map(|c| c.findings.iter().map(|f| f.check))
        .collect();
    k.sort();
    k.dedup();
    k
}

#[tokio::test]
async fn a_correct_backend_gives_no_finding() {
    let server = backend(ok(item())).await;
    let r = run_item(&server, "").await;
    assert_eq!(r.endpoints.len(), 1);
    assert_eq!(
        r.endpoints[0].status,
        Status::Passed,
        "{:#?}",
        r.endpoints[0]
    );
    assert!(kinds(&r).is_empty());
    assert_eq!(r.endpoints[0].endpoint, "GET /api/v1/items/{id}");
    // The happy request and the 404 error case both ran.
    let names: Vec<&str> = r.endpoints[0]
        .cases
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["正常请求", "不存在的商品"]);
}

#[tokio::test]
async fn every_schema_violation_is_reported_with_its_json_path() {
    let mut bad = item();
    bad["price"] = json!("580");
    bad["createdAt"] = json!("yesterday");
    bad["status"] = json!("GONE");
    bad.as_object_mut().unwrap().remove("id");
    let server = backend(ok(bad)).await;
    let r = run_item(&server, "").await;
    let happy = &r.endpoints[0].cases[0];
    let mut at: Vec<(String, String)> = happy
        .findings
        .iter()
        .map(|f| {
            (
                f.path.clone().unwrap_or_default(),
                f.expected.clone().unwrap_or_default(),
            )
        })
        .collect();
    at.sort();
    assert_eq!(
        at,
        [
            (
                "/data/createdAt".to_string(),
                "format date-time".to_string()
            ),
            ("/data/id".to_string(), "a required field".to_string()),
            ("/data/price".to_string(), "type number".to_string()),
            (
                "/data/status".to_string(),
                "one of [\"ON_SALE\",\"SOLD_OUT\"]".to_string()
            ),
        ]
    );
    assert!(happy.findings.iter().all(|f| f.check == CheckKind::Schema));
    assert_eq!(r.endpoints[0].status, Status::Failed);
}

#[tokio::test]
async fn an_answer_without_the_envelope_is_an_envelope_finding() {
    let server = backend(ResponseTemplate::new(200).set_body_json(item())).await;
    let r = run_item(&server, "").await;
    assert_eq!(kinds(&r), [CheckKind::Envelope]);
}

#[tokio::test]
async fn envelope_fields_of_the_wrong_type_are_named() {
    let server = backend(
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": "0", "message": 1, "data": item()})),
    )
    .await;
    let r = run_item(&server, "").await;
    let paths: Vec<String> = r.endpoints[0].cases[0]
        .findings
        .iter()
        .filter_map(|f| f.path.clone())
        .collect();
    assert_eq!(paths, ["/code", "/message"]);
    assert_eq!(kinds(&r), [CheckKind::Envelope]);
}

#[tokio::test]
async fn invalid_json_is_an_envelope_finding() {
    let server =
        backend(ResponseTemplate::new(200).set_body_string("{\"code\":0,\"data\":{")).await;
    let r = run_item(&server, "").await;
    assert_eq!(kinds(&r), [CheckKind::Envelope]);
}

#[tokio::test]
async fn a_non_zero_code_on_success_is_a_success_code_finding() {
    let server = backend(
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 1, "message": "bad", "data": item()})),
    )
    .await;
    let r = run_item(&server, "").await;
    assert_eq!(kinds(&r), [CheckKind::SuccessCode]);
}

#[tokio::test]
async fn http_200_with_an_error_envelope_is_judged_by_the_envelope() {
    // Many backends answer HTTP 200 with {"code": 404}: the envelope decides, the 404 case passes.
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/items/no-such-item"))
        .respond_with(err(200, 404, "不存在"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path_regex("^/api/v1/items/.+$"))
        .respond_with(ok(item()))
        .with_priority(2)
        .mount(&server)
        .await;
    let r = run_item(&server, "").await;
    assert_eq!(
        r.endpoints[0].status,
        Status::Passed,
        "{:#?}",
        r.endpoints[0]
    );
    // With must-agree, the same answer is an http_status finding.
    let r = run_item(
        &server,
        "[env.local]\n[env.local.run]\nstatus_policy = \"must-agree\"\n",
    )
    .await;
    assert_eq!(kinds(&r), [CheckKind::HttpStatus]);
}

#[tokio::test]
async fn a_wrong_code_for_an_unknown_id_is_an_error_code_finding() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/api/v1/items/.+$"))
        .respond_with(ok(item()))
        .mount(&server)
        .await;
    let r = run_item(&server, "").await;
    assert_eq!(kinds(&r), [CheckKind::ErrorCode]);
    let case = &r.endpoints[0].cases[1];
    assert_eq!(case.findings[0].expected.as_deref(), Some("404"));
    assert_eq!(case.findings[0].actual.as_deref(), Some("0"));
}

#[tokio::test]
async fn a_5xx_on_a_valid_request_is_a_server_error() {
    let server = backend(err(500, 500, "boom")).await;
    let r = run_item(&server, "").await;
    assert_eq!(kinds(&r), [CheckKind::ServerError]);
}

#[tokio::test]
async fn a_slow_answer_is_a_latency_finding() {
    let server = backend(ok(item()).set_delay(Duration::from_millis(400))).await;
    let r = run_item(&server, "[run.latency_overrides]\n\"demo.item\" = 100\n").await;
    assert_eq!(kinds(&r), [CheckKind::Latency]);
    let f = &r.endpoints[0].cases[0].findings[0];
    assert_eq!(f.expected.as_deref(), Some("< 100 ms"));
}

#[tokio::test]
async fn the_backends_catch_all_means_not_activated() {
    // Only the catch-all is mounted: the route is not activated, which is not a business 404.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"code": 404, "message": "接口不存在: GET /api/v1/nothing", "data": null}),
        ))
        .mount(&server)
        .await;
    let r = run_item(&server, "").await;
    assert_eq!(r.endpoints[0].status, Status::NotActivated);
    assert_eq!(kinds(&r), [CheckKind::RouteNotActivated]);
    assert_eq!(
        r.endpoints[0].cases.len(),
        1,
        "no further case runs against a missing route"
    );
}

#[tokio::test]
async fn a_refused_connection_is_unreachable() {
    let dir = common::mini();
    let config = common::config_for(dir.path(), "http://127.0.0.1:9/api/v1", "");
    let catalog = common::catalog(&config);
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let err = runner
        .run(
            &Selection {
                include_endpoints: true,
                ..Default::default()
            },
            &SilentObserver,
        )
        .await
        .unwrap_err();
    assert_eq!(
        daodao_check::error::Error::from(err).exit_code(),
        daodao_check::error::exit::UNREACHABLE
    );
}

#[tokio::test]
async fn a_timeout_is_a_transport_finding() {
    let server = backend(ok(item()).set_delay(Duration::from_millis(1500))).await;
    let r = run_item(&server, "[env.local]\n[env.local.run]\ntimeout_ms = 300\n").await;
    let f = &r.endpoints[0].cases[0].findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].check, CheckKind::Transport);
    assert!(f[0].message.starts_with("timeout"), "{}", f[0].message);
}

/// send-code and register answering with the given tokens: the runner's login.
async fn mount_login(server: &MockServer, token: &str, refresh: &str) {
    Mock::given(path("/api/v1/auth/send-code"))
        .respond_with(ok(json!({"expireIn": 300})))
        .mount(server)
        .await;
    Mock::given(path("/api/v1/auth/register"))
        .respond_with(ok(json!({
            "token": token, "refreshToken": refresh,
            "user": {"id": "u", "phone": "1", "nickname": "n", "avatar": "a", "userType": "CUSTOMER"}
        })))
        .mount(server)
        .await;
}

async fn run_order(server: &MockServer) -> RunResult {
    run_order_with(server, "").await
}

async fn run_order_with(server: &MockServer, extra_toml: &str) -> RunResult {
    let dir = common::mini();
    let config = common::config_for(dir.path(), &format!("{}/api/v1", server.uri()), extra_toml);
    let catalog = common::catalog(&config);
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let selection = Selection {
        endpoints: vec!["demo.create-order".into()],
        include_endpoints: true,
        ..Default::default()
    };
    runner.run(&selection, &SilentObserver).await.expect("run")
}

#[tokio::test]
async fn auth_and_bad_input_are_checked_on_endpoints_that_need_a_token() {
    let server = backend(ok(item())).await;
    // The malformed bodies the security check derives are tests/integration/security.rs's.
    let r = run_order_with(&server, "[checks]\nmalformed_input = false\n").await;
    let e = &r.endpoints[0];
    let names: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["正常请求", "未携带Token", "伪造Token", "缺少必填参数"]
    );
    // The mock answers 401 to anything without the issued token, so the missing-field case gets 401:
    // a backend that checks auth before input still must reject bad input with 400.
    assert_eq!(e.cases[3].findings[0].check, CheckKind::BadInputAccepted);
    assert_eq!(e.cases[0].status, Status::Passed);
    assert_eq!(e.cases[1].status, Status::Passed);
    assert_eq!(e.cases[2].status, Status::Passed);
}

#[tokio::test]
async fn an_endpoint_served_without_a_token_is_auth_not_enforced() {
    let server = MockServer::start().await;
    mount_login(&server, "t-123456", "r-123456").await;
    Mock::given(path("/api/v1/orders"))
        .respond_with(ok(json!({"orderId": "O1", "status": "PENDING"})))
        .mount(&server)
        .await;
    let r = run_order(&server).await;
    let e = &r.endpoints[0];
    let auth: Vec<_> = e
        .cases
        .iter()
        .filter(|c| {
            c.findings
                .iter()
                .any(|f| f.check == CheckKind::AuthNotEnforced)
        })
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(auth, ["未携带Token", "伪造Token"]);
    assert_eq!(e.status, Status::Failed);
}

#[tokio::test]
async fn a_failed_login_blocks_the_endpoints_that_need_it_but_route_and_auth_are_still_answered() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/auth/send-code"))
        .respond_with(err(500, 500, "短信服务不可用"))
        .mount(&server)
        .await;
    // The order route is mounted and refuses requests without a valid token.
    Mock::given(path("/api/v1/orders"))
        .respond_with(err(401, 401, "未登录"))
        .mount(&server)
        .await;
    let r = run_order(&server).await;
    let e = &r.endpoints[0];
    assert_eq!(e.status, Status::Blocked);
    let reason = e.reason.clone().unwrap_or_default();
    assert!(
        reason.starts_with("阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (登录失败")
            && reason.contains("POST /api/v1/auth/send-code"),
        "{reason}"
    );
    let kinds: Vec<_> = e
        .cases
        .iter()
        .map(|k| (k.name.as_str(), k.status))
        .collect();
    assert_eq!(
        kinds,
        [
            ("未携带Token", Status::Passed),
            ("伪造Token", Status::Passed)
        ]
    );
}

#[tokio::test]
async fn a_blocked_endpoint_whose_route_is_not_mounted_is_not_activated() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/auth/send-code"))
        .respond_with(err(500, 500, "短信服务不可用"))
        .mount(&server)
        .await;
    // Nothing answers /orders: wiremock's catch-all 404, as for the probe's path.
    let r = run_order(&server).await;
    assert_eq!(r.endpoints[0].status, Status::NotActivated);
    assert_eq!(r.endpoints[0].reason.as_deref(), Some("路由未激活"));
}

#[tokio::test]
async fn secrets_never_reach_the_result() {
    // The token and the registered phone appear in a failing answer; the result must not contain them.
    let server = MockServer::start().await;
    mount_login(&server, "super-secret-token-42", "super-secret-refresh-42").await;
    Mock::given(path("/api/v1/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 7, "message": "echo super-secret-token-42", "data": {"token": "super-secret-token-42"}})))
        .mount(&server)
        .await;
    let r = run_order(&server).await;
    let text = serde_json::to_string(&r).unwrap();
    assert!(
        !text.contains("super-secret-token-42"),
        "token leaked: {text}"
    );
    assert!(!text.contains("super-secret-refresh-42"));
    assert!(!text.contains("123456"), "the SMS code leaked");
    assert!(
        text.contains("${DAODAO_TOKEN}"),
        "the curl line uses a variable for the token"
    );
}

#[tokio::test]
async fn a_401_is_refreshed_once_through_the_refresh_endpoint_then_retried() {
    let server = MockServer::start().await;
    mount_login(&server, "expired-token-1", "refresh-token-1").await;
    Mock::given(path("/api/v1/auth/refresh-token"))
        .and(wiremock::matchers::body_json(
            json!({"refreshToken": "refresh-token-1"}),
        ))
        .respond_with(ok(
            json!({"token": "fresh-token-2", "refreshToken": "refresh-token-2"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/orders"))
        .and(header("Authorization", "Bearer fresh-token-2"))
        .respond_with(ok(json!({"orderId": "O1", "status": "PENDING"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/orders"))
        .respond_with(err(200, 401, "登录已过期"))
        .with_priority(2)
        .mount(&server)
        .await;
    let r = run_order(&server).await;
    let happy = &r.endpoints[0].cases[0];
    assert_eq!(happy.status, Status::Passed, "{happy:#?}");
}

#[tokio::test]
async fn a_failed_refresh_is_a_clear_session_finding() {
    let server = MockServer::start().await;
    mount_login(&server, "expired-token-1", "refresh-token-1").await;
    Mock::given(path("/api/v1/auth/refresh-token"))
        .respond_with(err(200, 401, "刷新令牌已过期"))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/orders"))
        .respond_with(err(200, 401, "登录已过期"))
        .mount(&server)
        .await;
    let r = run_order(&server).await;
    let happy = &r.endpoints[0].cases[0];
    let session: Vec<_> = happy
        .findings
        .iter()
        .filter(|f| f.check == CheckKind::Session)
        .collect();
    assert_eq!(session.len(), 1, "{happy:#?}");
    assert!(
        session[0].message.contains("the token refresh failed")
            && session[0].message.contains("刷新令牌已过期"),
        "{}",
        session[0].message
    );
}

/// A backend whose first answer for the item is a 500 and every later one correct.
async fn fails_once_then_correct() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/api/v1/items/item_1$"))
        .respond_with(err(500, 500, "偶发错误"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/items/no-such-item"))
        .respond_with(err(404, 404, "不存在"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path_regex("^/api/v1/items/.+$"))
        .respond_with(ok(item()))
        .with_priority(3)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_check_that_passes_only_on_a_retry_is_flaky_not_silently_green() {
    let server = fails_once_then_correct().await;
    let r = run_item(&server, "[env.local]\n[env.local.run]\nretries = 1\n").await;
    let e = &r.endpoints[0];
    assert_eq!((e.status, e.attempts), (Status::Passed, 2));
    assert!(e.flaky());
    assert_eq!(r.summary.flaky, 1);
    let plan =
        daodao_check::plan::Plan::load(&common::repo().join("tests/fixtures/mini/contracts"))
            .unwrap();
    let text = daodao_check::report::terminal::render(
        &daodao_check::report::View::new(&r, Some(&plan)),
        &daodao_check::report::Style::PLAIN,
    );
    assert!(
        text.contains("flaky 不稳定  GET /api/v1/items/{id}  获取商品详情  passed on attempt 2"),
        "{text}"
    );
}

#[tokio::test]
async fn without_retries_the_same_failure_fails() {
    let server = fails_once_then_correct().await;
    let r = run_item(&server, "").await;
    assert_eq!(
        (r.endpoints[0].status, r.endpoints[0].attempts),
        (Status::Failed, 1)
    );
    assert_eq!(r.summary.flaky, 0);
}
