//! The faults of the negative inputs, each on the requests it breaks and no other.

use crate::sandbox::handler::{handle, Incoming};
use crate::sandbox::{test_sandbox, Sandbox};
use serde_json::{json, Value};

fn contracts() -> Vec<Value> {
    let item = json!({"id": "item_001", "name": "房车"});
    vec![
        json!({"id": "items.detail", "method": "GET", "path": "/items/{id}", "phase": 1,
               "module": "items", "name": "详情", "auth": "none",
               "example": {"request": {"path_params": {"id": "item_001"}},
                           "response": {"code": 0, "message": "success", "data": item}},
               "sandbox": {"action": "get", "collection": "items"}}),
        json!({"id": "items.list", "method": "GET", "path": "/items", "phase": 1,
               "module": "items", "name": "列表", "auth": "none",
               "example": {"response": {"code": 0, "message": "success", "data": [item]}},
               "sandbox": {"action": "list", "collection": "items"}}),
        json!({"id": "items.create", "method": "POST", "path": "/items", "phase": 1,
               "module": "items", "name": "创建", "auth": "none",
               "request": {"body": {"type": "object", "required": ["name"], "properties": {
                   "name": {"type": "string", "maxLength": 4}}}},
               "example": {"request": {"body": {"name": "房车"}},
                           "response": {"code": 0, "message": "创建成功", "data": item}},
               "sandbox": {"action": "create", "collection": "items"}}),
    ]
}

fn status(s: &Sandbox, method: &str, path: &str, query: Option<&str>, body: &str) -> u16 {
    let req = Incoming {
        method,
        path,
        query,
        authorization: None,
        content_type: Some("application/json"),
        body: body.as_bytes(),
    };
    handle(s, &req).status
}

#[test]
fn nan_id_500_crashes_on_an_id_without_a_digit_only() {
    let s = test_sandbox(contracts(), &["nan-id-500=items.detail"]);
    assert_eq!(status(&s, "GET", "/api/v1/items/abc", None, ""), 500);
    assert_eq!(status(&s, "GET", "/api/v1/items/..%2Fetc", None, ""), 500);
    assert_eq!(status(&s, "GET", "/api/v1/items/item_001", None, ""), 200);
    assert_eq!(status(&s, "GET", "/api/v1/items/item_999", None, ""), 404);
    assert_eq!(
        status(&s, "GET", "/api/v1/items", Some("page=abc"), ""),
        200
    );
}

#[test]
fn page_zero_500_crashes_on_a_page_below_one_only() {
    let s = test_sandbox(contracts(), &["page-zero-500"]);
    for page in ["page=0", "page=-1", "limit=5&page=0"] {
        assert_eq!(
            status(&s, "GET", "/api/v1/items", Some(page), ""),
            500,
            "{page}"
        );
    }
    for fine in ["page=1", "page=abc", "limit=0"] {
        assert_eq!(
            status(&s, "GET", "/api/v1/items", Some(fine), ""),
            200,
            "{fine}"
        );
    }
}

#[test]
fn accepts_empty_body_serves_a_write_without_a_body_only() {
    let s = test_sandbox(contracts(), &["accepts-empty-body"]);
    let req = Incoming {
        method: "POST",
        path: "/api/v1/items",
        query: None,
        authorization: None,
        content_type: Some("application/json"),
        body: b"",
    };
    let reply = handle(&s, &req);
    let text = reply.body.text(&s.options.envelope);
    assert_eq!(reply.status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        json!({"code": 0, "message": "创建成功", "data": {"id": "item_001", "name": "房车"}})
    );
    assert_eq!(status(&s, "GET", "/api/v1/items/item_001", None, ""), 200);
}

#[test]
fn maxlength_500_crashes_on_a_text_past_its_bound_only() {
    let s = test_sandbox(contracts(), &["maxlength-500"]);
    let create = |name: &str| {
        let body = json!({ "name": name }).to_string();
        status(&s, "POST", "/api/v1/items", None, &body)
    };
    assert_eq!(create("五个字房车"), 500);
    assert_eq!(create("四个字车"), 200);
    assert_eq!(status(&s, "POST", "/api/v1/items", None, "{oops"), 400);
}
