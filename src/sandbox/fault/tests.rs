//! Fault parsing, and each kind applied to requests through the pipeline.

use super::*;

#[test]
fn a_kind_alone_applies_to_every_endpoint() {
    let f = Fault::parse("wrong-type").unwrap();
    assert_eq!(f.kind, FaultKind::WrongType);
    assert_eq!(f.endpoints, None);
    assert!(f.applies_to("anything"));
}

#[test]
fn a_kind_with_ids_applies_to_those_only() {
    let f = Fault::parse(" bad-input500 = auth.login, ,orders.create ").unwrap();
    assert_eq!(f.kind, FaultKind::BadInput500);
    assert_eq!(
        f.endpoints,
        Some(vec!["auth.login".to_string(), "orders.create".to_string()])
    );
    assert!(f.applies_to("orders.create"));
    assert!(!f.applies_to("orders.list"));
}

#[test]
fn names_are_kebab_case_and_read_back_in_any_ascii_case() {
    for kind in FaultKind::ALL {
        assert_eq!(FaultKind::from_name(kind.name()), Some(*kind));
        assert_eq!(
            FaultKind::from_name(&kind.name().to_uppercase()),
            Some(*kind)
        );
        assert!(!kind.help().is_empty());
    }
    assert_eq!(FaultKind::from_name("invalid_json"), None);
    assert_eq!(FaultKind::EnvelopeMissing.name(), "envelope-missing");
}

#[test]
fn an_unknown_kind_is_named_with_every_known_one() {
    let err = Fault::parse("nope=health.check").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown fault `nope` (known: envelope-missing, envelope-types, success-code, \
         missing-field, wrong-type, wrong-format, bad-enum, slow, server-error, auth-off, \
         missing-route, bad-input500, invalid-json, bool-as-int, money-as-string, id-as-number, \
         snake-case, flat-pagination, sql-error, logout-keeps-token)"
    );
}

mod applied {
    use crate::sandbox::handler::{handle, Incoming};
    use crate::sandbox::reply::{Outcome, Reply};
    use crate::sandbox::{test_sandbox, Sandbox};
    use serde_json::{json, Value};

    /// Long enough that half the answer falls inside it, between the bytes of one character.
    const MESSAGE: &str =
        "下单成功，请在三十分钟内完成支付，超时未支付的订单将被自动取消并释放库存";

    fn contracts() -> Vec<Value> {
        let order_schema = json!({"type": "object", "required": ["orderId", "status"], "properties": {
            "orderId": {"type": "string"},
            "status": {"type": "string", "enum": ["PENDING"]},
            "createdAt": {"type": "string", "format": "date-time"}
        }});
        let order =
            json!({"orderId": "ORD0001", "status": "PENDING", "createdAt": "2026-01-01T00:00:00Z"});
        vec![
            json!({"id": "orders.create", "method": "POST", "path": "/orders", "phase": 1,
                   "module": "orders", "name": "下单", "auth": "none",
                   "response": {"data": order_schema},
                   "example": {"response": {"code": 0, "message": MESSAGE, "data": order}},
                   "sandbox": {"action": "create", "collection": "orders", "key": "orderId"}}),
            json!({"id": "orders.list", "method": "GET", "path": "/orders", "phase": 1,
                   "module": "orders", "name": "订单列表", "auth": "user",
                   "example": {"response": {"code": 0, "message": "success", "data": [order]}},
                   "sandbox": {"action": "list", "collection": "orders", "key": "orderId",
                               "seed": false}}),
        ]
    }

    fn call(s: &Sandbox, method: &str, body: &str) -> (Reply, String) {
        let req = Incoming {
            method,
            path: "/api/v1/orders",
            query: None,
            authorization: None,
            body: body.as_bytes(),
        };
        let reply = handle(s, &req);
        let text = reply.body.text(&s.options.envelope);
        (reply, text)
    }

    fn created(faults: &[&str]) -> (Reply, Value) {
        let (reply, text) = call(&test_sandbox(contracts(), faults), "POST", "{}");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (reply, body)
    }

    #[test]
    fn without_faults_the_answer_is_the_enveloped_example() {
        let (reply, body) = created(&[]);
        assert_eq!((reply.status, reply.delay_ms), (200, 0));
        assert_eq!(body["code"], json!(0));
        assert_eq!(body["message"], json!(MESSAGE));
        assert_eq!(body["data"]["status"], json!("PENDING"));
    }

    #[test]
    fn envelope_faults_win_in_order_missing_then_types_then_success_code() {
        assert_eq!(created(&["success-code"]).1["code"], json!(1));
        assert_eq!(
            created(&["success-code", "envelope-types"]).1["code"],
            json!("0")
        );
        let (_, bare) = created(&["envelope-types", "envelope-missing", "success-code"]);
        assert_eq!(bare["status"], json!("PENDING"));
        assert!(bare.get("code").is_none(), "{bare}");
    }

    #[test]
    fn a_server_error_replaces_a_slow_success_and_is_not_slow() {
        assert_eq!(created(&["slow"]).0.delay_ms, 2300);
        let (reply, body) = created(&["slow", "server-error", "envelope-missing"]);
        assert_eq!((reply.status, reply.delay_ms), (500, 0));
        assert_eq!(
            body,
            json!({"code": 500, "message": "Internal Server Error", "data": null})
        );
    }

    #[test]
    fn faults_on_successes_leave_refusals_alone() {
        let faults = ["server-error", "envelope-missing", "slow", "invalid-json"];
        let (reply, text) = call(&test_sandbox(contracts(), &faults), "GET", "");
        assert_eq!((reply.status, reply.delay_ms), (401, 0));
        assert_eq!(reply.outcome, Outcome::Unauthenticated);
        assert_eq!(
            text,
            r#"{"code":401,"message":"未登录或登录已过期","data":null}"#
        );
    }

    #[test]
    fn auth_off_serves_a_request_without_a_token() {
        let (reply, _) = call(
            &test_sandbox(contracts(), &["auth-off=orders.list"]),
            "GET",
            "",
        );
        assert_eq!(reply.status, 200);
    }

    #[test]
    fn a_missing_route_answers_the_framework_404_and_changes_nothing() {
        let s = test_sandbox(contracts(), &["missing-route=orders.create", "auth-off"]);
        let (reply, text) = call(&s, "POST", "{}");
        assert_eq!((reply.status, reply.outcome), (404, Outcome::Unrouted));
        assert!(text.contains("Cannot POST /api/v1/orders"), "{text}");
        let (_, listed) = call(&s, "GET", "");
        assert_eq!(listed, r#"{"code":0,"message":"success","data":[]}"#);
        let s = test_sandbox(contracts(), &["auth-off"]);
        call(&s, "POST", "{}");
        let (_, listed) = call(&s, "GET", "");
        assert!(listed.contains("PENDING"), "{listed}");
    }

    #[test]
    fn data_faults_break_one_place_each() {
        let data = |fault| created(&[fault]).1["data"].clone();
        assert!(data("missing-field").get("orderId").is_none());
        assert!(data("missing-field").get("status").is_some());
        assert_eq!(data("wrong-type")["orderId"], json!(12345));
        assert_eq!(
            data("wrong-format")["createdAt"],
            json!("not-a-valid-value")
        );
        assert_eq!(data("bad-enum")["status"], json!("NOT_IN_CONTRACT_ENUM"));
        assert_eq!(data("bad-enum")["createdAt"], json!("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn invalid_json_cuts_the_body_in_half() {
        let s = test_sandbox(contracts(), &["invalid-json", "auth-off"]);
        let (reply, text) = call(&s, "GET", "");
        assert_eq!(reply.body.content_type(), "application/json; charset=utf-8");
        assert_eq!(text, r#"{"code":0,"message":"#);
    }

    #[test]
    fn invalid_json_cuts_a_chinese_body_between_characters() {
        let s = test_sandbox(contracts(), &["invalid-json"]);
        let whole = call(&test_sandbox(contracts(), &[]), "POST", "{}").1;
        assert!(!whole.is_char_boundary(whole.len() / 2), "{whole}");
        let (reply, text) = call(&s, "POST", "{}");
        assert_eq!(reply.status, 200);
        assert!(whole.starts_with(&text));
        assert!(text.len() <= whole.len() / 2 && text.len() + 3 > whole.len() / 2);
        assert!(serde_json::from_str::<Value>(&text).is_err());
    }
}
