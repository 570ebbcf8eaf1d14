//! Requests whose shape the contract does not pin down still get an answer.

use crate::sandbox::handler::{handle, Incoming};
use crate::sandbox::test_sandbox;
use serde_json::{json, Value};

fn contracts() -> Vec<Value> {
    let item = json!({"id": "fav_0001", "note": "", "price": 100});
    let contract = |id: &str, method: &str, path: &str, sandbox: Value, data: Value| {
        json!({"id": id, "method": method, "path": path, "phase": 1, "module": "favorites",
               "name": id, "auth": "none", "sandbox": sandbox,
               "example": {"response": {"code": 0, "message": "success", "data": data}}})
    };
    vec![
        contract(
            "favorites.add",
            "POST",
            "/favorites",
            json!({"action": "create", "collection": "favorites"}),
            item.clone(),
        ),
        contract(
            "favorites.edit",
            "PUT",
            "/favorites/{id}",
            json!({"action": "update", "collection": "favorites"}),
            item.clone(),
        ),
        contract(
            "favorites.list",
            "GET",
            "/favorites",
            json!({"action": "list", "collection": "favorites"}),
            json!({"list": [item], "pagination": {"page": 1, "limit": 20, "total": 1, "totalPages": 1}}),
        ),
    ]
}

fn call(
    s: &crate::sandbox::Sandbox,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let req = Incoming {
        method,
        path,
        query,
        authorization: None,
        content_type: None,
        body: body.as_bytes(),
    };
    let reply = handle(s, &req);
    let text = reply.body.text(&s.options.envelope);
    (
        reply.status,
        serde_json::from_str(&text).expect("a JSON answer"),
    )
}

#[test]
fn a_body_that_is_not_an_object_creates_and_updates_nothing_but_the_record() {
    let s = test_sandbox(contracts(), &[]);
    let (status, created) = call(&s, "POST", "/api/v1/favorites", None, "[1, 2]");
    assert_eq!(status, 200);
    let id = created["data"]["id"]
        .as_str()
        .expect("a new id")
        .to_string();
    let (status, edited) = call(&s, "PUT", &format!("/api/v1/favorites/{id}"), None, "7");
    assert_eq!(status, 200);
    assert_eq!(edited["data"]["id"], json!(id));
    let (_, edited) = call(
        &s,
        "PUT",
        &format!("/api/v1/favorites/{id}"),
        None,
        r#"{"note": "n"}"#,
    );
    assert_eq!(edited["data"]["note"], json!("n"));
}

#[test]
fn a_page_far_past_the_end_is_empty() {
    let s = test_sandbox(contracts(), &[]);
    let (status, page) = call(
        &s,
        "GET",
        "/api/v1/favorites",
        Some("page=18446744073709551615&limit=100"),
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(page["data"]["list"], json!([]));
    assert_eq!(page["data"]["pagination"]["total"], json!(1));
    let (_, first) = call(&s, "GET", "/api/v1/favorites", Some("page=1"), "");
    assert_eq!(first["data"]["list"][0]["id"], json!("fav_0001"));
}
