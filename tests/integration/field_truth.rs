//! Field truth against a backend that drifts (wiremock on loopback, the chain project: cities → stores →
//! store detail → favourite): a usable but wrong answer is a finding, not a dead end; a broken data chain
//! still gets the checks that need no data; one drift on many items is one finding.

use crate::common;
use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::result::{CheckKind, EndpointResult, RunResult, ScenarioResult, Status};
use serde_json::{json, Value};
use std::sync::Arc;
use wiremock::matchers::{header, method, path, path_regex, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "chain-token-abcdef";

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "message": "success", "data": data}))
}

fn err(http: u16, code: i64, msg: &str) -> ResponseTemplate {
    ResponseTemplate::new(http).set_body_json(json!({"code": code, "message": msg, "data": null}))
}

/// Five cities, each with `isHot` as given.
fn cities(is_hot: Value) -> Value {
    json!((1..=5)
        .map(|i| json!({"id": format!("c{i}"), "name": format!("城市{i}"), "isHot": is_hot}))
        .collect::<Vec<_>>())
}

/// What the backend answers, route by route; `None` leaves the route unmounted (the catch-all answers).
struct Answers {
    cities: Option<ResponseTemplate>,
    stores: Option<ResponseTemplate>,
    detail: Option<ResponseTemplate>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            cities: Some(ok(cities(json!(true)))),
            stores: Some(ok(
                json!({"list": [{"id": "s1", "name": "西湖店", "price": 580}]}),
            )),
            detail: Some(ok(json!({"id": "s1", "name": "西湖店"}))),
        }
    }
}

async fn mount(server: &MockServer, m: &str, route: &str, answer: Option<ResponseTemplate>) {
    if let Some(a) = answer {
        Mock::given(method(m))
            .and(path_regex(route))
            .respond_with(a)
            .with_priority(3)
            .mount(server)
            .await;
    }
}

/// A backend for the chain project; the catch-all is an envelope 404 that says the route is unknown.
async fn backend(answers: Answers) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/auth/send-code"))
        .respond_with(ok(json!({"expireIn": 300})))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/auth/register"))
        .respond_with(ok(json!({
            "token": TOKEN, "refreshToken": "chain-refresh-abcdef",
            "user": {"id": "u1", "phone": "19900000000", "nickname": "n", "avatar": "a", "userType": "CUSTOMER"}
        })))
        .mount(&server)
        .await;
    mount(&server, "GET", "^/api/v1/cities$", answers.cities).await;
    if answers.stores.is_some() {
        Mock::given(method("GET"))
            .and(path("/api/v1/stores"))
            .and(query_param_is_missing("cityId"))
            .respond_with(err(400, 400, "缺少 cityId"))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    mount(&server, "GET", "^/api/v1/stores$", answers.stores).await;
    mount(&server, "GET", "^/api/v1/stores/[^/]+$", answers.detail).await;
    // The favourite route is mounted: with the token it works, without it is refused.
    Mock::given(method("POST"))
        .and(path_regex("^/api/v1/stores/[^/]+/favorite$"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ok(json!({"favorited": true})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/api/v1/stores/[^/]+/favorite$"))
        .respond_with(err(401, 401, "未登录"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(err(404, 404, "接口不存在"))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

async fn run(server: &MockServer, selection: Selection) -> RunResult {
    let dir = common::copy_project(&common::repo().join("tests/fixtures/chain"));
    let config = common::config_for(dir.path(), &format!("{}/api/v1", server.uri()), "");
    let catalog = common::catalog(&config);
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    runner.run(&selection, &SilentObserver).await.expect("run")
}

fn phase_four() -> Selection {
    Selection {
        phases: Some(vec![4]),
        include_endpoints: true,
        ..Default::default()
    }
}

/// The browse scenario alone.
fn browse() -> Selection {
    Selection {
        scenarios: vec!["browse".into()],
        include_scenarios: true,
        ..Default::default()
    }
}

/// Each step of a scenario with its status.
fn steps(s: &ScenarioResult) -> Vec<(&str, Status)> {
    s.steps
        .iter()
        .map(|k| (k.name.as_str(), k.status))
        .collect()
}

/// The stores step fails on its drift; the steps after it, which need its values, pass.
const ONLY_STORES_FAILED: [(&str, Status); 4] = [
    ("cities", Status::Passed),
    ("stores", Status::Failed),
    ("detail", Status::Passed),
    ("favorite", Status::Passed),
];

fn endpoint<'r>(r: &'r RunResult, id: &str) -> &'r EndpointResult {
    r.endpoints
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

fn requests_to(received: &[Request], m: &str, route: &str) -> usize {
    received
        .iter()
        .filter(|r| r.method.as_str() == m && r.url.path() == route)
        .count()
}

#[tokio::test]
async fn a_soft_drift_in_a_setup_answer_blocks_nothing_and_is_reported_once() {
    let server = backend(Answers {
        cities: Some(ok(cities(json!(0)))),
        ..Default::default()
    })
    .await;
    let r = run(&server, phase_four()).await;
    // The drift is the cities endpoint's: one finding, folded over the five items.
    let c = endpoint(&r, "shop.cities");
    assert_eq!(c.status, Status::Failed);
    let findings: Vec<_> = c.cases.iter().flat_map(|k| &k.findings).collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].check, CheckKind::Schema);
    assert_eq!(findings[0].path.as_deref(), Some("/data/*/isHot"));
    assert_eq!(findings[0].count, 5);
    // Everything that needs a city id got `data[0].id`, which was right there.
    for id in ["shop.stores", "shop.store-detail", "shop.favorite"] {
        assert_eq!(
            endpoint(&r, id).status,
            Status::Passed,
            "{id}: {:#?}",
            endpoint(&r, id)
        );
    }
    // The shared setup is sent once for the whole run and reported once, naming who used it.
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(
        requests_to(&received, "GET", "/api/v1/cities"),
        2,
        "the cities check itself, and one shared setup read"
    );
    let cities_setups: Vec<_> = r
        .setups
        .iter()
        .filter(|s| s.case.name == "cities")
        .collect();
    assert_eq!(cities_setups.len(), 1);
    assert_eq!(
        cities_setups[0].used_by,
        ["shop.stores", "shop.store-detail", "shop.favorite"]
    );
    assert_eq!(cities_setups[0].case.findings.len(), 1);
    // Setups are not the endpoint's own cases.
    assert!(endpoint(&r, "shop.stores")
        .cases
        .iter()
        .all(|k| k.kind != daodao_check::result::CaseKind::Setup));
}

#[tokio::test]
async fn a_broken_chain_blocks_only_what_needs_it_and_still_answers_route_and_auth() {
    let server = backend(Answers {
        cities: None,
        ..Default::default()
    })
    .await;
    let r = run(&server, phase_four()).await;
    // The unmounted route is exact.
    assert_eq!(endpoint(&r, "shop.cities").status, Status::NotActivated);
    let stores = endpoint(&r, "shop.stores");
    assert_eq!(stores.status, Status::Blocked);
    assert_eq!(
        stores
            .reason
            .as_deref()
            .unwrap_or_default()
            .split(" (")
            .next(),
        Some("阻塞: 路由已激活 · 业务校验未执行"),
        "{stores:#?}"
    );
    assert!(
        stores
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("准备步骤 cities 路由未激活"),
        "{:?}",
        stores.reason
    );
    let favorite = endpoint(&r, "shop.favorite");
    assert_eq!(favorite.status, Status::Blocked);
    assert!(
        favorite
            .reason
            .as_deref()
            .unwrap_or_default()
            .starts_with("阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 ("),
        "{favorite:#?}"
    );
    // A write is never sent with a placeholder id and a valid token.
    let received = server.received_requests().await.expect("recorded");
    let with_token_to_placeholder = received.iter().any(|q| {
        q.method.as_str() == "POST"
            && q.url.path().contains("999999999")
            && q.headers
                .get("authorization")
                .is_some_and(|v| v.to_str().unwrap_or_default().contains(TOKEN))
    });
    assert!(!with_token_to_placeholder);
}

#[tokio::test]
async fn a_route_missing_behind_a_broken_chain_is_still_found() {
    let server = backend(Answers {
        cities: None,
        detail: None,
        ..Default::default()
    })
    .await;
    let r = run(&server, phase_four()).await;
    assert_eq!(
        endpoint(&r, "shop.store-detail").status,
        Status::NotActivated
    );
    assert_eq!(endpoint(&r, "shop.stores").status, Status::Blocked);
}

#[tokio::test]
async fn a_scenario_runs_to_its_end_past_a_soft_drift() {
    let server = backend(Answers {
        stores: Some(ok(
            json!({"list": [{"id": "s1", "name": "西湖店", "price": "580.00"}]}),
        )),
        ..Default::default()
    })
    .await;
    let r = run(&server, browse()).await;
    let s = &r.scenarios[0];
    assert_eq!(steps(s), ONLY_STORES_FAILED);
    assert_eq!(s.status, Status::Failed);
    assert_eq!(
        s.steps[1].findings[0].path.as_deref(),
        Some("/data/list/0/price")
    );
}

#[tokio::test]
async fn a_hard_failure_in_a_scenario_blocks_only_the_steps_that_need_its_values() {
    let server = backend(Answers {
        stores: Some(err(500, 500, "Internal Server Error")),
        ..Default::default()
    })
    .await;
    let r = run(&server, browse()).await;
    let s = &r.scenarios[0];
    let steps = steps(s);
    assert_eq!(
        steps,
        [
            ("cities", Status::Passed),
            ("stores", Status::Failed),
            ("detail", Status::Blocked),
            ("favorite", Status::Blocked),
        ]
    );
    assert_eq!(
        s.steps[2].reason.as_deref(),
        Some("依赖的变量 `storeId` 没有值 (步骤 stores 返回 HTTP 500)")
    );
}

#[tokio::test]
async fn a_list_under_another_page_shape_is_captured_from_where_it_is_and_said_once() {
    // Sequelize's findAndCountAll: `{rows, count}` where the contract says `{list, …}`.
    let server = backend(Answers {
        stores: Some(ok(
            json!({"rows": [{"id": "s1", "name": "西湖店", "price": 580}], "count": 1}),
        )),
        ..Default::default()
    })
    .await;
    let r = run(&server, browse()).await;
    let s = &r.scenarios[0];
    // `storeId` was at data.rows[0].id: the steps that need it run, and pass.
    assert_eq!(steps(s), ONLY_STORES_FAILED);
    let drifts: Vec<_> = (s.steps[1].findings.iter())
        .filter_map(|f| f.drift)
        .collect();
    assert!(
        drifts.contains(&daodao_check::result::Drift::OtherPageShape),
        "{:#?}",
        s.steps[1].findings
    );
    assert!(
        s.steps[1]
            .findings
            .iter()
            .all(|f| f.check != CheckKind::Capture),
        "{:#?}",
        s.steps[1].findings
    );
}
