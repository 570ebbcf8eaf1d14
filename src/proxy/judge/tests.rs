use super::*;
use crate::check::RouteFingerprint;
use crate::http::{TransportError, TransportErrorKind};
use crate::proxy::test_support::{example, exchange, project, refusal, with_json, with_token};
use serde_json::json;

fn judge() -> Judge<'static> {
    let (config, catalog) = project();
    Judge::new(catalog, config, "/api/v1", false)
}

/// Each finding as (side, check, path).
fn found(v: &Verdict<'_>) -> Vec<(Side, &'static str, String)> {
    match v {
        Verdict::Judged { findings, .. } => findings
            .iter()
            .map(|f| {
                (
                    f.side.expect("every finding has a side"),
                    f.check.as_str(),
                    f.path.clone().unwrap_or_default(),
                )
            })
            .collect(),
        other => panic!("not judged: {other:?}"),
    }
}

fn contract_of(v: &Verdict<'_>) -> String {
    match v {
        Verdict::Judged { contract, .. } => contract.id.clone(),
        other => panic!("not judged: {other:?}"),
    }
}

async fn verdict(o: &crate::proxy::observed::Observed) -> Verdict<'static> {
    judge().judge(o, None).await
}

#[tokio::test]
async fn a_valid_exchange_is_matched_by_method_and_template_and_passes() {
    let o = exchange(
        "GET",
        "/api/v1/orders/statuses",
        200,
        &example("orders.statuses"),
    );
    let v = verdict(&o).await;
    assert_eq!(contract_of(&v), "orders.statuses");
    assert_eq!(found(&v), []);
    let listed = with_token(
        exchange(
            "GET",
            "/api/v1/orders?page=2&limit=10",
            200,
            &example("orders.list"),
        ),
        "t0ken-abc",
    );
    let v = verdict(&listed).await;
    assert_eq!(contract_of(&v), "orders.list");
    assert_eq!(found(&v), []);
}

#[tokio::test]
async fn a_request_that_breaks_its_contract_is_the_front_ends_and_a_refusal_is_due() {
    let bad = json!({"vehicleId": 1});
    let refused = with_token(
        with_json(
            exchange("POST", "/api/v1/orders", 400, &refusal(400, "参数错误")),
            bad.clone(),
        ),
        "t0ken-abc",
    );
    let v = verdict(&refused).await;
    assert_eq!(contract_of(&v), "orders.create");
    let findings = found(&v);
    assert!(findings
        .iter()
        .all(|(side, check, _)| *side == Side::Frontend && *check == "request"));
    let paths: Vec<&str> = findings.iter().map(|(_, _, p)| p.as_str()).collect();
    assert!(paths.contains(&"/body/vehicleId"), "{paths:?}");
    assert!(paths.contains(&"/body/contactInfo"), "{paths:?}");
    // The same request accepted: the backend took what it should have refused.
    let accepted = with_token(
        with_json(
            exchange("POST", "/api/v1/orders", 200, &example("orders.create")),
            bad,
        ),
        "t0ken-abc",
    );
    let v = verdict(&accepted).await;
    let backend: Vec<_> = found(&v)
        .into_iter()
        .filter(|(s, _, _)| *s == Side::Backend)
        .collect();
    assert_eq!(
        backend,
        [(Side::Backend, "bad_input_accepted", "/code".to_string())]
    );
}

#[tokio::test]
async fn a_missing_token_is_the_front_ends_and_serving_it_anyway_the_backends() {
    let refused = exchange("GET", "/api/v1/users/profile", 401, &refusal(401, "未登录"));
    let v = verdict(&refused).await;
    assert_eq!(
        found(&v),
        [(
            Side::Frontend,
            "request",
            "/headers/Authorization".to_string()
        )]
    );
    let served = exchange(
        "GET",
        "/api/v1/users/profile",
        200,
        &example("users.profile"),
    );
    let v = verdict(&served).await;
    assert_eq!(
        found(&v),
        [
            (
                Side::Frontend,
                "request",
                "/headers/Authorization".to_string()
            ),
            (Side::Backend, "auth_not_enforced", "/code".to_string()),
        ]
    );
}

#[tokio::test]
async fn a_refused_token_is_for_the_front_end_to_refresh() {
    let o = with_token(
        exchange(
            "GET",
            "/api/v1/users/profile",
            200,
            &refusal(401, "登录已过期"),
        ),
        "stale-token",
    );
    let v = verdict(&o).await;
    assert_eq!(
        found(&v),
        [(
            Side::Frontend,
            "session",
            "/headers/Authorization".to_string()
        )]
    );
}

#[tokio::test]
async fn a_valid_request_is_judged_as_the_run_judges_its_valid_request() {
    let mut answer: Value = serde_json::from_str(&example("orders.statuses")).expect("json");
    answer["data"][1]["label"] = json!(7);
    let o = exchange("GET", "/api/v1/orders/statuses", 200, &answer.to_string());
    assert_eq!(
        found(&verdict(&o).await),
        [(Side::Backend, "schema", "/data/1/label".to_string())]
    );
    let failed = exchange(
        "GET",
        "/api/v1/orders/statuses",
        200,
        &refusal(500, "ER_BAD_FIELD_ERROR"),
    );
    // The database's error text in `message` is a leak as well, exactly as in a run.
    assert_eq!(
        found(&verdict(&failed).await),
        [
            (Side::Backend, "leakage", "/message".to_string()),
            (Side::Backend, "success_code", "/code".to_string())
        ]
    );
    let mut down = exchange("GET", "/api/v1/orders/statuses", 0, "");
    down.response = Err(TransportError {
        kind: TransportErrorKind::Refused,
        message: "connection refused".into(),
    });
    assert_eq!(
        found(&verdict(&down).await),
        [(Side::Backend, "transport", String::new())]
    );
}

#[tokio::test]
async fn the_catch_all_on_a_contracts_route_is_a_route_not_activated() {
    let page = |path: &str| format!("<pre>Cannot GET {path}</pre>");
    let mut probe = exchange(
        "GET",
        "/api/v1/__no_such_route",
        404,
        &page("/api/v1/__no_such_route"),
    );
    if let Ok(a) = &mut probe.response {
        a.headers = vec![("content-type".into(), "text/html".into())];
    }
    let fp = RouteFingerprint::learn(&probe.exchange("/__no_such_route", None, None), "code")
        .expect("learnt");
    let mut o = exchange(
        "GET",
        "/api/v1/orders/statuses",
        404,
        &page("/api/v1/orders/statuses"),
    );
    if let Ok(a) = &mut o.response {
        a.headers = vec![("content-type".into(), "text/html".into())];
    }
    let v = judge().judge(&o, Some(&fp)).await;
    assert_eq!(
        found(&v),
        [(Side::Backend, "route_not_activated", String::new())]
    );
}

#[tokio::test]
async fn query_text_is_read_as_the_schema_wants_and_bad_values_are_named() {
    let o = with_token(
        exchange(
            "GET",
            "/api/v1/orders?page=abc",
            200,
            &example("orders.list"),
        ),
        "t0ken-abc",
    );
    let v = verdict(&o).await;
    assert_eq!(
        found(&v)[0],
        (Side::Frontend, "request", "/query/page".to_string())
    );
}

#[tokio::test]
async fn unregistered_routes_get_the_nearest_contract_and_preflights_are_not_judged() {
    let doubled = exchange("GET", "/api/v1/api/v1/orders", 404, "<pre>Cannot GET</pre>");
    match verdict(&doubled).await {
        Verdict::Unregistered {
            suggestion: Some(s),
        } => {
            assert_eq!(s.endpoint, "GET /api/v1/orders");
            assert_eq!(s.why, "基础路径重复: /api/v1/api/v1");
        }
        other => panic!("{other:?}"),
    }
    // A parameter route would take it, but the value is a literal route's word.
    let slip = exchange(
        "GET",
        "/api/v1/orders/status-list",
        404,
        &refusal(404, "订单不存在"),
    );
    match verdict(&slip).await {
        Verdict::Unregistered {
            suggestion: Some(s),
        } => {
            assert_eq!(s.endpoint, "GET /api/v1/orders/statuses")
        }
        other => panic!("{other:?}"),
    }
    let mut preflight = exchange("OPTIONS", "/api/v1/orders", 204, "");
    preflight
        .request_headers
        .push(("Access-Control-Request-Method".into(), "POST".into()));
    assert!(matches!(verdict(&preflight).await, Verdict::Preflight));
    let page = exchange("GET", "/index.html", 200, "<html></html>");
    assert!(matches!(
        verdict(&page).await,
        Verdict::Unregistered { suggestion: None }
    ));
    let (config, catalog) = project();
    let har = Judge::new(catalog, config, "/api/v1", true);
    assert!(matches!(har.judge(&page, None).await, Verdict::Ignored));
}

fn upload(fields: &[(&str, Option<&str>, &str)], answer: &str) -> crate::proxy::observed::Observed {
    let boundary = "XyZ";
    let mut body = String::new();
    for (name, file, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if let Some(f) = file {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: image/png"));
        }
        body.push_str(&format!("\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let mut o = with_token(
        exchange("POST", "/api/v1/community/upload-image", 200, answer),
        "t0ken-abc",
    );
    o.request_headers.push((
        "Content-Type".into(),
        format!("multipart/form-data; boundary={boundary}"),
    ));
    o.request_body = bytes::Bytes::from(body);
    o
}

#[tokio::test]
async fn a_form_upload_is_validated_field_by_field() {
    let good = upload(
        &[("file", Some("cat.png"), "\u{89}PNG")],
        &example("community.upload-image"),
    );
    let v = verdict(&good).await;
    assert_eq!(contract_of(&v), "community.upload-image");
    assert_eq!(found(&v), []);
    let text = upload(&[("file", None, "cat.png")], &refusal(400, "缺少文件"));
    assert_eq!(
        found(&verdict(&text).await),
        [(Side::Frontend, "request", "/body/file".to_string())]
    );
    let missing = upload(&[("caption", None, "hi")], &refusal(400, "缺少文件"));
    assert_eq!(
        found(&verdict(&missing).await)[0],
        (Side::Frontend, "request", "/body/file".to_string())
    );
    let as_json = with_json(
        with_token(
            exchange(
                "POST",
                "/api/v1/community/upload-image",
                400,
                &refusal(400, "缺少文件"),
            ),
            "t0ken-abc",
        ),
        json!({"file": "cat.png"}),
    );
    assert_eq!(
        found(&verdict(&as_json).await)[0],
        (Side::Frontend, "request", "/body".to_string())
    );
}

#[tokio::test]
async fn what_a_masked_recording_hid_is_not_judged() {
    let masked = with_json(
        exchange(
            "POST",
            "/api/v1/auth/send-code",
            200,
            &example("auth.send-code"),
        ),
        json!({"phone": "139****5678", "type": "register"}),
    );
    let (config, catalog) = project();
    let mut har = Judge::new(catalog, config, "/api/v1", true);
    assert!(!matches!(
        &har.judge(&masked, None).await,
        Verdict::Judged { findings, .. } if findings.is_empty()
    ));
    har.skip_masked_values();
    match har.judge(&masked, None).await {
        Verdict::Judged { findings, .. } => assert_eq!(findings, []),
        other => panic!("{other:?}"),
    }
}
