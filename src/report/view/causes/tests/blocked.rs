//! What blocked an endpoint: the setup step that broke the chain, or the innermost cause of the reason.

use super::*;

const CITIES_GONE: &str = "阻塞: 路由已激活 · 业务校验未执行 (准备步骤 cities route_not_activated: the backend answered GET /api/v1/stores/cities like it answers a route that doe)";
const VIA_VEHICLES: &str = "阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 vehicles 依赖的变量 `cityName` 没有值 (准备步骤 cities route_not_activated: the backend answered GET /api/v1/stores/citie)";
const CUT_SHORT: &str = "阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 payment 依赖的变量 `orderId` 没有值 (准备步骤 order 依赖的变量 `vehicleId` 没有值 (准备步骤 citi)";

fn cities_chain() -> Vec<SetupResult> {
    let mut cities = setup(
        "cities",
        "stores.cities",
        Status::NotActivated,
        &["vehicles.list", "vehicles.detail", "payments.status"],
    );
    cities.case.findings = vec![Finding::new(CheckKind::RouteNotActivated, "catch-all")];
    // Blocked in turn: a consequence, never the cause.
    let vehicles = setup(
        "vehicles",
        "vehicles.list",
        Status::Blocked,
        &["vehicles.detail", "payments.status"],
    );
    vec![vehicles, cities]
}

#[test]
fn blocked_endpoints_are_grouped_by_the_setup_step_that_broke_the_chain() {
    let result = run(
        vec![
            blocked("vehicles.list", CITIES_GONE),
            blocked("vehicles.detail", VIA_VEHICLES),
            blocked("payments.status", CUT_SHORT),
        ],
        cities_chain(),
    );
    assert_eq!(
        lines(&result),
        [
            "阻塞: 准备步骤 cities (stores.cities) route_not_activated 路由未激活 — vehicles.list,vehicles.detail,payments.status",
            // The setup's own finding is a cause of its own, on the endpoint it calls.
            "route_not_activated 路由未激活 — stores.cities",
        ]
    );
}

#[test]
fn a_setup_with_only_soft_findings_blocked_nothing() {
    // `stores` answered with a wrong type (its values were still captured); `cities` is the cause.
    let mut stores = setup("stores", "stores.list", Status::Failed, &["vehicles.list"]);
    stores.case.findings = vec![schema("/data/0/id", "type string", "1")];
    let mut setups = vec![stores];
    setups.extend(cities_chain());
    let (key, what) = blocked_cause(&blocked("vehicles.list", CITIES_GONE), &setups);
    assert_eq!(key, "setup\u{1}stores.cities\u{1}cities");
    assert!(what.starts_with("准备步骤 cities "), "{what}");
}

#[test]
fn the_setup_the_reason_names_wins_over_other_failed_setups() {
    let mut code_setup = setup(
        "send_code",
        "auth.send-code",
        Status::Error,
        &["vehicles.list"],
    );
    code_setup.case.reason = Some("run.request: unknown variable".into());
    let mut setups = vec![code_setup];
    setups.extend(cities_chain());
    let (key, _) = blocked_cause(&blocked("vehicles.list", CITIES_GONE), &setups);
    assert_eq!(key, "setup\u{1}stores.cities\u{1}cities");
    // A reason that names none of them: the first that failed on its own.
    let (key, what) = blocked_cause(
        &blocked("vehicles.list", "阻塞: 路由已激活 (登录失败)"),
        &setups,
    );
    assert_eq!(key, "setup\u{1}auth.send-code\u{1}send_code");
    assert_eq!(
        what,
        "准备步骤 send_code (auth.send-code) 错误: run.request: unknown variable"
    );
}

#[test]
fn without_a_failed_setup_the_innermost_cause_of_the_reason_groups() {
    let result = run(
        vec![
            blocked("orders.detail", "阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (登录失败: HTTP 500)"),
            blocked(
                "orders.cancel",
                "阻塞: 路由未判定 · 业务校验未执行 (准备步骤 order 依赖的变量 `x` 没有值 (登录失败: HTTP 502))",
            ),
        ],
        vec![],
    );
    assert_eq!(
        lines(&result),
        ["阻塞: 登录失败: HTTP 500 — orders.detail,orders.cancel"]
    );
    assert_eq!(innermost_cause("登录失败"), "登录失败");
    assert_eq!(innermost_cause("阻塞: 登录失败"), "登录失败");
    assert_eq!(
        innermost_cause(
            "阻塞: a (准备步骤 x route_not_activated: answered like … (HTTP 404): gone)"
        ),
        "准备步骤 x route_not_activated: answered like … (HTTP 404): gone"
    );
}
