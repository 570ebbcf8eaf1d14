use super::*;
use crate::proxy::judge::Judge;
use crate::proxy::test_support::{example, exchange, project, refusal, with_json, with_token};
use crate::redact::SecretKind;
use serde_json::json;

/// Judges and adds each exchange, as a session does.
async fn tally_of(exchanges: &[Observed], redactor: &Redactor) -> Tally {
    let (config, catalog) = project();
    let judge = Judge::new(catalog, config, "/api/v1", false);
    let mut tally = Tally::new("code");
    for o in exchanges {
        let v = judge.judge(o, None).await;
        tally.add(&v, o, redactor);
    }
    tally
}

fn meta() -> Meta {
    Meta {
        started_at: "2026-01-09T10:00:00+08:00".into(),
        finished_at: "2026-01-09T10:30:00+08:00".into(),
        duration_ms: 1_800_000.0,
        env: "local".into(),
        base_url: "http://127.0.0.1:3001/api/v1".into(),
        selection: "proxy".into(),
        latency_budget_ms: 2000,
        sandbox: None,
        source: "http://127.0.0.1:3001/api/v1".into(),
    }
}

fn bad_order(phone: &str) -> Observed {
    with_token(
        with_json(
            exchange("POST", "/api/v1/orders", 400, &refusal(400, "参数错误")),
            json!({"vehicleId": 7, "contactInfo": {"name": "张三", "phone": phone}}),
        ),
        "t0ken-abc",
    )
}

#[tokio::test]
async fn each_distinct_finding_is_kept_once_per_side_with_the_first_exchange_as_example() {
    let redactor = Redactor::new();
    redactor.add("t0ken-abc", SecretKind::Token);
    let statuses = exchange(
        "GET",
        "/api/v1/orders/statuses",
        200,
        &example("orders.statuses"),
    );
    let exchanges = [bad_order("13912345678"), bad_order("13812345678"), statuses];
    let result = tally_of(&exchanges, &redactor)
        .await
        .result(&project().1, meta());
    let ids: Vec<&str> = result.endpoints.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["orders.create", "orders.statuses"], "plan order");
    let order = &result.endpoints[0];
    assert_eq!(order.status, Status::Failed);
    assert_eq!(
        order.cases.len(),
        1,
        "only the front end's side found something"
    );
    let front = &order.cases[0];
    assert_eq!(front.name, "前端请求");
    assert_eq!(front.kind, CaseKind::Exchange);
    assert_eq!(
        front.reason.as_deref(),
        Some("2 次交换中 2 次请求不符合合约")
    );
    let vehicle: Vec<_> = front
        .findings
        .iter()
        .filter(|f| f.path.as_deref() == Some("/body/vehicleId"))
        .collect();
    assert_eq!(vehicle.len(), 1, "the same finding twice is one");
    assert!(front
        .findings
        .iter()
        .all(|f| f.side == Some(Side::Frontend)));
    let request = front.request.as_deref().expect("an example request");
    assert!(request.contains("139****5678"), "{request}");
    assert!(!request.contains("13912345678"), "{request}");
    assert!(!front
        .curl
        .as_deref()
        .unwrap_or_default()
        .contains("t0ken-abc"));
    let passed = &result.endpoints[1];
    assert_eq!(passed.status, Status::Passed);
    assert_eq!(passed.cases[0].reason.as_deref(), Some("1 次交换全部通过"));
    let p = result.proxy.as_ref().expect("a proxy section");
    assert_eq!((p.exchanges, p.passed, p.failed), (3, 1, 2));
}

#[tokio::test]
async fn the_plans_coverage_lists_every_contract_exercised_or_not() {
    let exchanges = [
        exchange(
            "GET",
            "/api/v1/orders/statuses",
            200,
            &example("orders.statuses"),
        ),
        exchange("GET", "/api/v1/orders/statuses", 200, &refusal(500, "boom")),
    ];
    let (_, catalog) = project();
    let result = tally_of(&exchanges, &Redactor::new())
        .await
        .result(catalog, meta());
    let coverage = &result.proxy.as_ref().expect("proxy").coverage;
    assert_eq!(coverage.len(), catalog.contracts.len());
    let statuses = coverage
        .iter()
        .find(|c| c.id == "orders.statuses")
        .expect("listed");
    assert_eq!(
        (statuses.exchanges, statuses.passed, statuses.failed),
        (2, 1, 1)
    );
    assert_eq!(statuses.endpoint, "GET /api/v1/orders/statuses");
    let never: Vec<_> = coverage.iter().filter(|c| c.exchanges == 0).collect();
    assert_eq!(never.len(), catalog.contracts.len() - 1);
    assert_eq!(
        result.summary.endpoints.total, 1,
        "only what was exercised is a result"
    );
    assert!(!result.passed());
}

#[tokio::test]
async fn unregistered_routes_are_grouped_by_their_shape_and_bounded() {
    let mut exchanges = vec![];
    for i in 0..3 {
        exchanges.push(exchange(
            "GET",
            &format!("/api/v1/orderz/{i}"),
            404,
            "<pre>Cannot GET</pre>",
        ));
    }
    // Routes whose names carry no digit are each a shape of their own.
    let name = |i: usize| -> String {
        [b'a' + (i / 26) as u8, b'a' + (i % 26) as u8]
            .iter()
            .map(|b| *b as char)
            .collect()
    };
    for i in 0..(UNREGISTERED_ROUTES + 5) {
        let path = format!("/api/v1/{}/detail", name(i));
        exchanges.push(exchange("GET", &path, 404, "<pre>Cannot GET</pre>"));
    }
    let result = tally_of(&exchanges, &Redactor::new())
        .await
        .result(&project().1, meta());
    let p = result.proxy.as_ref().expect("proxy");
    assert_eq!(p.unregistered.len(), UNREGISTERED_ROUTES);
    assert_eq!(
        p.unregistered[0].path, "/api/v1/orderz/0",
        "the most frequent first"
    );
    assert_eq!(p.unregistered[0].count, 3);
    assert_eq!(p.unregistered[0].statuses, [404]);
    assert_eq!(
        p.unregistered_more, 6,
        "the requests to routes past the list are counted"
    );
    assert!(!result.passed(), "an unregistered route fails the session");
}

#[tokio::test]
async fn memory_stays_bounded_however_many_exchanges_differ() {
    let (config, catalog) = project();
    let judge = Judge::new(catalog, config, "/api/v1", false);
    let redactor = Redactor::new();
    let o = exchange(
        "GET",
        "/api/v1/orders/statuses",
        200,
        &example("orders.statuses"),
    );
    let mut tally = Tally::new("code");
    let n = LATENCY_WINDOW + 100;
    for _ in 0..n {
        let v = judge.judge(&o, None).await;
        tally.add(&v, &o, &redactor);
    }
    let e = &tally.endpoints["orders.statuses"];
    assert_eq!(e.latencies.len(), LATENCY_WINDOW);
    assert_eq!(e.exchanges, n as u64);
    // A different finding on every exchange: the kept ones and the keys stay bounded, the rest counted.
    let Verdict::Judged { exchange: ex, .. } = judge.judge(&o, None).await else {
        panic!("judged");
    };
    let mut side = SideTally::default();
    let total = DISTINCT_FINDINGS * 20;
    for i in 0..total {
        let f = Finding::new(CheckKind::Schema, "m").at(format!("/data/f{i}x"));
        side.add(&[&f], &ex, (&redactor, "code"));
    }
    assert_eq!(side.findings.len(), DISTINCT_FINDINGS);
    assert_eq!(side.keys.len(), DISTINCT_FINDINGS * 10);
    assert_eq!(side.more, (DISTINCT_FINDINGS * 9) as u64);
    assert_eq!(side.exchanges, total as u64);
}

#[test]
fn a_findings_key_ignores_list_indices_and_values_but_not_codes() {
    let schema = |path: &str, actual: &str| {
        Finding::new(CheckKind::Schema, format!("{actual} is not a number"))
            .at(path)
            .expected("type number", actual)
    };
    assert_eq!(
        key(&schema("/data/0/price", "\"5\"")),
        key(&schema("/data/3/price", "\"7\""))
    );
    let code = |actual: &str| {
        Finding::new(CheckKind::SuccessCode, "m")
            .at("/code")
            .expected("0", actual)
    };
    assert_ne!(key(&code("401")), key(&code("500")));
    let transport = |m: &str| Finding::new(CheckKind::Transport, m);
    assert_eq!(
        key(&transport("refused after 12 ms")),
        key(&transport("refused after 99 ms"))
    );
}
