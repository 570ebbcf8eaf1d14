//! Fault parsing, and each kind applied to requests through the pipeline.

mod negative;

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
         snake-case, flat-pagination, sql-error, logout-keeps-token, customer-completes, \
         rating-before-complete, payment-any-amount, isolation-off, leak-sql, malformed-500, \
         trust-client-price, nan-id-500, page-zero-500, accepts-empty-body, maxlength-500)"
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
            content_type: None,
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

mod drifts {
    use crate::sandbox::handler::{handle, Incoming};
    use crate::sandbox::profile::Profile;
    use crate::sandbox::{test_sandbox, test_sandbox_playing, Sandbox};
    use serde_json::{json, Value};

    fn stores() -> Vec<Value> {
        let item = json!({"type": "object", "required": ["id", "createdAt"], "properties": {
            "id": {"$ref": "common.json#/$defs/id"},
            "cityId": {"type": "string"},
            "isHot": {"type": "boolean"},
            "dailyPrice": {"$ref": "common.json#/$defs/money"},
            "createdAt": {"type": "string"}
        }});
        let page = json!({"type": "object", "required": ["list", "pagination"], "properties": {
            "list": {"type": "array", "items": item}, "pagination": {"type": "object"}
        }});
        let record = |i: u32, hot: bool| {
            json!({"id": format!("store_00{i}"), "cityId": "city_001", "isHot": hot,
                   "dailyPrice": 580 + i, "createdAt": "2026-01-01"})
        };
        let list = json!([record(1, true), record(2, false), record(3, true)]);
        let pagination = json!({"page": 1, "limit": 20, "total": 3, "totalPages": 1});
        vec![
            json!({"id": "stores.list", "method": "GET", "path": "/stores", "phase": 4,
                   "module": "stores", "name": "门店列表", "auth": "none",
                   "response": {"data": page},
                   "example": {"response": {"code": 0, "message": "success",
                                            "data": {"list": list, "pagination": pagination}}},
                   "sandbox": {"action": "list", "collection": "stores"}}),
            json!({"id": "stores.detail", "method": "GET", "path": "/stores/{id}", "phase": 4,
                   "module": "stores", "name": "门店详情", "auth": "none",
                   "response": {"data": item},
                   "example": {"request": {"path_params": {"id": "store_001"}},
                               "response": {"code": 0, "message": "success", "data": record(1, true)}},
                   "sandbox": {"action": "get", "collection": "stores"}}),
        ]
    }

    fn get(s: &Sandbox, path: &str) -> (u16, Value) {
        let req = Incoming {
            method: "GET",
            path,
            query: None,
            authorization: None,
            content_type: None,
            body: b"",
        };
        let reply = handle(s, &req);
        let text = reply.body.text(&s.options.envelope);
        (
            reply.status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn listed(faults: &[&str]) -> Value {
        get(&test_sandbox(stores(), faults), "/api/v1/stores").1["data"].clone()
    }

    fn field(data: &Value, name: &str) -> Vec<Value> {
        let items = data["list"].as_array().expect("a list");
        items.iter().map(|item| item[name].clone()).collect()
    }

    #[test]
    fn booleans_answer_0_or_1_on_every_other_item() {
        let data = listed(&["bool-as-int"]);
        assert_eq!(field(&data, "isHot"), [json!(1), json!(false), json!(1)]);
    }

    #[test]
    fn money_answers_as_decimal_text_everywhere() {
        let data = listed(&["money-as-string"]);
        let prices = ["581.00", "582.00", "583.00"].map(|p| json!(p));
        assert_eq!(field(&data, "dailyPrice"), prices);
    }

    #[test]
    fn ids_answer_as_numbers_that_name_their_record_when_sent_back() {
        let s = test_sandbox(stores(), &["id-as-number=stores.list"]);
        let data = get(&s, "/api/v1/stores").1["data"].clone();
        let ids = field(&data, "id");
        assert!(ids.iter().all(Value::is_u64), "{ids:?}");
        assert!(field(&data, "cityId").iter().all(Value::is_u64));
        assert_ne!(ids[0], ids[1]);
        let (status, detail) = get(&s, &format!("/api/v1/stores/{}", ids[1]));
        assert_eq!(status, 200);
        assert_eq!(
            detail["data"]["id"],
            json!("store_002"),
            "the detail is not drifted"
        );
        let again = get(&s, "/api/v1/stores").1["data"].clone();
        assert_eq!(field(&again, "id"), ids, "an id keeps its number");
    }

    #[test]
    fn required_camel_case_fields_answer_in_snake_case() {
        let data = listed(&["snake-case"]);
        assert!(field(&data, "createdAt").iter().all(Value::is_null));
        assert_eq!(field(&data, "created_at")[2], json!("2026-01-01"));
        assert_eq!(
            field(&data, "isHot")[0],
            json!(true),
            "not required: left alone"
        );
    }

    #[test]
    fn a_page_answers_flat() {
        let data = listed(&["flat-pagination"]);
        assert_eq!(data.get("pagination"), None);
        assert_eq!(
            (&data["total"], &data["page"], &data["pageSize"]),
            (&json!(3), &json!(1), &json!(20))
        );
        assert_eq!(field(&data, "id").len(), 3);
    }

    #[test]
    fn a_sql_error_is_a_500_naming_a_column() {
        let (status, body) = get(&test_sandbox(stores(), &["sql-error"]), "/api/v1/stores");
        assert_eq!(status, 500);
        assert_eq!(body["code"], json!(500));
        assert_eq!(
            body["message"],
            json!("ER_BAD_FIELD_ERROR: Unknown column 'created_at' in 'field list'")
        );
    }

    #[test]
    fn the_drifted_catch_all_is_an_envelope_404_for_unknown_and_missing_routes() {
        let s = test_sandbox_playing(
            stores(),
            &["missing-route=stores.detail"],
            Profile::Drifted,
            1,
        );
        let catch_all = json!({"code": 404, "message": "接口不存在"});
        assert_eq!(get(&s, "/api/v1/no/such/route"), (404, catch_all.clone()));
        assert_eq!(get(&s, "/api/v1/stores/store_001"), (404, catch_all));
        let clean = test_sandbox(stores(), &["missing-route=stores.detail"]);
        let (status, page) = get(&clean, "/api/v1/stores/store_001");
        assert_eq!(status, 404);
        assert!(
            page.as_str().is_some_and(|t| t.contains("Cannot GET")),
            "{page}"
        );
    }
}
