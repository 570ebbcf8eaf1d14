//! One problem is one cause, whichever check met it: a drift an assertion or a capture ran into is
//! that drift, and a 500 that leaks internal text is one server error.

use super::*;
use crate::result::Drift;

fn drifted(check: CheckKind, path: &str, drift: Drift) -> Finding {
    let mut f = Finding::new(check, format!("{} on `{path}` failed", check.as_str()))
        .at(path)
        .expected("to exist", "missing");
    f.drift = Some(drift);
    f
}

#[test]
fn a_drift_met_by_an_assertion_or_a_capture_is_the_schema_drift() {
    let mut snake = schema("/data/orderId", "a required field", "missing");
    snake.drift = Some(Drift::SnakeCase);
    let result = run(
        vec![
            found("orders.detail", vec![snake]),
            found(
                "orders.cancel",
                vec![drifted(
                    CheckKind::Assertion,
                    "/data/orderId",
                    Drift::SnakeCase,
                )],
            ),
            found(
                "orders.pay",
                vec![drifted(
                    CheckKind::Capture,
                    "/data/orderNo",
                    Drift::SnakeCase,
                )],
            ),
        ],
        vec![],
    );
    assert_eq!(
        lines(&result),
        ["schema 字段名为 snake_case, 合约为 camelCase — orders.detail,orders.cancel,orders.pay"]
    );
}

#[test]
fn an_assertion_without_a_drift_stays_its_own_cause() {
    let plain = Finding::new(CheckKind::Assertion, "assertion on `data.status` failed")
        .at("/data/status")
        .expected("== \"PAID\"", "\"PENDING\"");
    let result = run(vec![found("orders.detail", vec![plain])], vec![]);
    assert_eq!(
        lines(&result),
        ["assertion /data/status 期望 == \"PAID\" — orders.detail"]
    );
}

#[test]
fn a_server_error_that_leaks_internal_text_is_said_once() {
    let sql = || {
        vec![
            Finding::new(CheckKind::ServerError, "HTTP 500").expected("2xx", "500"),
            Finding::new(
                CheckKind::Leakage,
                "the response carries internal text (SQL 错误)",
            )
            .at("/message"),
        ]
    };
    let leak_alone = Finding::new(
        CheckKind::Leakage,
        "the response carries internal text (SQL 错误)",
    )
    .at("/message");
    let result = run(
        vec![
            found("tours.batches", sql()),
            found("hosting.income-detail", sql()),
            found("orders.cancel", vec![leak_alone]),
        ],
        vec![],
    );
    assert_eq!(
        lines(&result),
        [
            "server_error HTTP 500 · the response carries internal text (SQL 错误) — tours.batches,hosting.income-detail",
            "leakage the response carries internal text (SQL 错误) — orders.cancel",
        ]
    );
}

#[test]
fn an_error_case_or_a_malformed_body_that_crashed_with_a_leak_is_said_once_as_what_it_broke() {
    let crashed = |check: CheckKind, expected: &str| {
        let mut k = case(
            "orders.detail",
            CaseKind::ErrorCase,
            Status::Failed,
            vec![
                Finding::new(
                    CheckKind::Leakage,
                    "the response carries internal text (SQL 错误)",
                )
                .at("/message"),
                code(check, expected, "500", "expected another code"),
            ],
        );
        k.http_status = Some(500);
        k
    };
    let detail = endpoint(
        "orders.detail",
        Status::Failed,
        vec![crashed(CheckKind::ErrorCode, "404")],
    );
    let mut cancel = endpoint(
        "orders.cancel",
        Status::Failed,
        vec![crashed(CheckKind::MalformedInput, "4xx")],
    );
    cancel.cases[0].contract = "orders.cancel".into();
    // The same leak in a 200 is a leak of its own.
    let mut leaky_ok = case(
        "users.profile",
        CaseKind::Happy,
        Status::Failed,
        vec![Finding::new(
            CheckKind::Leakage,
            "the response carries internal text (SQL 错误)",
        )
        .at("/message")],
    );
    leaky_ok.http_status = Some(200);
    let profile = endpoint("users.profile", Status::Failed, vec![leaky_ok]);
    assert_eq!(
        lines(&run(vec![detail, cancel, profile], vec![])),
        [
            "error_code 期望 code 404, 实际 500 · the response carries internal text (SQL 错误) — orders.detail",
            "malformed_input 期望 code 4xx, 实际 500 · the response carries internal text (SQL 错误) — orders.cancel",
            "leakage the response carries internal text (SQL 错误) — users.profile",
        ]
    );
}
