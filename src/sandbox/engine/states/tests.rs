//! The order state machine by role, what completing and paying an order moves, variants, one record
//! per value, and the faults that waive a rule.

use crate::config::Role;
use crate::sandbox::handler::{handle, Incoming};
use crate::sandbox::{test_sandbox, Sandbox};
use serde_json::{json, Value};

fn contract(id: &str, method: &str, path: &str, data: Value, sandbox: Value) -> Value {
    json!({"id": id, "method": method, "path": path, "phase": 2, "module": "orders", "name": id,
           "auth": "user", "sandbox": sandbox,
           "example": {"response": {"code": 0, "message": "success", "data": data}}})
}

const POINTS: &str = "{{ (record.totalAmount - record.totalAmount % 100) / 100 }}";

fn contracts() -> Vec<Value> {
    let order = json!({"orderId": "order_0001", "status": "PENDING_PAYMENT", "totalAmount": 1320});
    vec![
        contract(
            "orders.create",
            "POST",
            "/orders",
            order.clone(),
            json!({"action": "create", "collection": "orders", "key": "orderId",
                   "set": {"userId": "{{user.id}}", "status": "PENDING_PAYMENT", "totalAmount": 1320,
                           "statusLogs": [{"status": "PENDING_PAYMENT"}]}}),
        ),
        contract(
            "orders.list",
            "GET",
            "/orders",
            json!({"list": [{"orderId": "order_seed", "status": "CONFIRMED", "totalAmount": 500}],
                   "pagination": {"page": 1, "limit": 20, "total": 1, "totalPages": 1}}),
            json!({"action": "list", "collection": "orders", "key": "orderId"}),
        ),
        contract(
            "orders.update-status",
            "PUT",
            "/orders/{orderNo}/status",
            json!({"orderNo": "order_0001", "status": "CONFIRMED"}),
            json!({"action": "update", "collection": "orders", "param": "orderNo", "global": true,
                   "roles": ["staff"],
                   "transition": {"to": "{{body.status}}", "message": "不能从 {from} 变为 {to}",
                                  "allowed": {"PENDING_PAYMENT": ["CANCELLED"], "PAID": ["CONFIRMED"],
                                              "CONFIRMED": ["COMPLETED"]}},
                   "append": {"statusLogs": {"status": "{{body.status}}"}},
                   "variants": [{"when": {"value": "{{body.status}}", "equals": "COMPLETED"},
                                 "effects": [{"counter": "points.balance", "add": POINTS,
                                              "user": "{{record.userId}}"}],
                                 "also": [{"collection": "points-records", "owner": "{{record.userId}}",
                                           "set": {"source": "RENTAL", "amount": POINTS,
                                                   "balance": format!("{{{{ counter.points.balance + {} }}}}",
                                                                      "(record.totalAmount - record.totalAmount % 100) / 100")}}]}]}),
        ),
        contract(
            "orders.detail",
            "GET",
            "/orders/{orderId}",
            json!({"orderId": "order_0001", "status": "PENDING_PAYMENT", "statusLogs": []}),
            json!({"action": "get", "collection": "orders", "global": true}),
        ),
        contract(
            "payments.create",
            "POST",
            "/payments",
            json!({"paymentNo": "PAY0001", "status": "PENDING"}),
            json!({"action": "create", "collection": "payments", "key": "paymentNo",
                   "lookup": {"collection": "orders", "param": "body.orderId"},
                   "require": [{"value": "{{body.amount}}", "equals": "{{lookup.totalAmount}}",
                                "message": "金额不符", "waived_by": "payment-any-amount"}],
                   "set": {"status": "PENDING"},
                   "variants": [{"when": {"value": "{{body.paymentMethod}}", "equals": "wallet"},
                                 "require": [{"value": "{{counter.wallet.balance}}", "gte": "{{body.amount}}",
                                              "message": "余额不足"}],
                                 "set": {"status": "SUCCESS"},
                                 "lookup": {"set": {"status": "PAID"}},
                                 "effects": [{"counter": "wallet.balance", "add": "{{ 0 - body.amount }}"}]}]}),
        ),
        contract(
            "wallet.recharge",
            "POST",
            "/wallet/recharge",
            json!({"ok": true}),
            json!({"effects": [{"counter": "wallet.balance", "add": "{{body.amount}}"}]}),
        ),
        contract(
            "points.balance",
            "GET",
            "/points/balance",
            json!({"balance": 0}),
            json!({"counters": {"/balance": "points.balance"}}),
        ),
        contract(
            "points.records",
            "GET",
            "/points/records",
            json!({"list": [], "pagination": {"page": 1, "limit": 20, "total": 0, "totalPages": 0}}),
            json!({"action": "list", "collection": "points-records", "seed": false}),
        ),
        contract(
            "ratings.create",
            "POST",
            "/ratings",
            json!({"id": "rating_0001", "orderId": "order_0001"}),
            json!({"action": "create", "collection": "ratings", "unique_by": "orderId",
                   "lookup": {"collection": "orders", "param": "body.orderId"},
                   "require": [{"value": "{{lookup.status}}", "equals": "COMPLETED",
                                "message": "订单未完成", "waived_by": "rating-before-complete"}]}),
        ),
    ]
}

/// A token for a new user of `role` (the staff is the seeded one).
fn login(s: &Sandbox, role: Role) -> String {
    let mut state = s.state.lock().expect("state");
    let id = match role {
        Role::Staff => state
            .users
            .iter()
            .find(|u| u.role == Role::Staff)
            .expect("a seeded staff")
            .id
            .clone(),
        Role::Customer => {
            let phone = format!("1990000{:04}", state.users.len());
            state.add_user(&phone, None).id
        }
    };
    state.issue(&id).0
}

fn call(s: &Sandbox, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let authorization = format!("Bearer {token}");
    let body = body.to_string();
    let req = Incoming {
        method,
        path,
        query: None,
        authorization: Some(&authorization),
        content_type: Some("application/json"),
        body: body.as_bytes(),
    };
    let reply = handle(s, &req);
    let text = reply.body.text(&s.options.envelope);
    (reply.status, serde_json::from_str(&text).expect("JSON"))
}

fn set_status(s: &Sandbox, token: &str, order: &str, status: &str) -> (u16, Value) {
    let path = format!("/api/v1/orders/{order}/status");
    call(s, token, "PUT", &path, json!({"status": status}))
}

/// A customer's new order, paid by wallet: its id.
fn paid_order(s: &Sandbox, customer: &str) -> String {
    let (_, created) = call(s, customer, "POST", "/api/v1/orders", json!({}));
    let order = created["data"]["orderId"]
        .as_str()
        .expect("an id")
        .to_string();
    call(
        s,
        customer,
        "POST",
        "/api/v1/wallet/recharge",
        json!({"amount": 1320}),
    );
    let pay = json!({"orderId": order, "paymentMethod": "wallet", "amount": 1320});
    let (status, paid) = call(s, customer, "POST", "/api/v1/payments", pay);
    assert_eq!((status, &paid["data"]["status"]), (200, &json!("SUCCESS")));
    order
}

#[test]
fn the_staff_moves_an_order_in_the_plans_order_and_a_customer_is_refused_with_403() {
    let s = test_sandbox(contracts(), &[]);
    let (customer, staff) = (login(&s, Role::Customer), login(&s, Role::Staff));
    let order = paid_order(&s, &customer);
    let (status, refused) = set_status(&s, &customer, &order, "CONFIRMED");
    assert_eq!((status, refused["code"].clone()), (403, json!(403)));
    let (status, jumped) = set_status(&s, &staff, &order, "COMPLETED");
    assert_eq!(
        (status, jumped["message"].clone()),
        (400, json!("不能从 PAID 变为 COMPLETED"))
    );
    assert_eq!(set_status(&s, &staff, &order, "CONFIRMED").0, 200);
    assert_eq!(set_status(&s, &staff, &order, "COMPLETED").0, 200);
    // Completed is final.
    assert_eq!(set_status(&s, &staff, &order, "CANCELLED").0, 400);
    let (_, detail) = call(
        &s,
        &customer,
        "GET",
        &format!("/api/v1/orders/{order}"),
        json!(null),
    );
    assert_eq!(detail["data"]["status"], json!("COMPLETED"));
    let logs: Vec<&Value> = detail["data"]["statusLogs"]
        .as_array()
        .expect("logs")
        .iter()
        .map(|l| &l["status"])
        .collect();
    assert_eq!(
        logs,
        [
            &json!("PENDING_PAYMENT"),
            &json!("CONFIRMED"),
            &json!("COMPLETED")
        ]
    );
}

#[test]
fn the_customer_completes_fault_lets_a_customer_move_the_order() {
    let s = test_sandbox(contracts(), &["customer-completes=orders.update-status"]);
    let customer = login(&s, Role::Customer);
    let order = paid_order(&s, &customer);
    assert_eq!(set_status(&s, &customer, &order, "CONFIRMED").0, 200);
    // The state machine still holds.
    assert_eq!(set_status(&s, &customer, &order, "CANCELLED").0, 400);
}

#[test]
fn completing_an_order_moves_its_owners_points_not_the_staffs() {
    let s = test_sandbox(contracts(), &[]);
    let (customer, staff) = (login(&s, Role::Customer), login(&s, Role::Staff));
    let order = paid_order(&s, &customer);
    set_status(&s, &staff, &order, "CONFIRMED");
    set_status(&s, &staff, &order, "COMPLETED");
    let balance = |token: &str| call(&s, token, "GET", "/api/v1/points/balance", json!(null)).1;
    assert_eq!(balance(&customer)["data"]["balance"], json!(13));
    assert_eq!(balance(&staff)["data"]["balance"], json!(0));
    let (_, records) = call(&s, &customer, "GET", "/api/v1/points/records", json!(null));
    assert_eq!(
        records["data"]["list"],
        json!([{"id": records["data"]["list"][0]["id"], "source": "RENTAL", "amount": 13, "balance": 13}])
    );
    let (_, none) = call(&s, &staff, "GET", "/api/v1/points/records", json!(null));
    assert_eq!(none["data"]["list"], json!([]));
}

#[test]
fn a_seed_order_without_an_owner_completes_and_moves_nobodys_points() {
    let s = test_sandbox(contracts(), &[]);
    let staff = login(&s, Role::Staff);
    let (status, done) = set_status(&s, &staff, "order_seed", "COMPLETED");
    assert_eq!(
        (status, done["data"]["status"].clone()),
        (200, json!("COMPLETED"))
    );
    let (_, records) = call(&s, &staff, "GET", "/api/v1/points/records", json!(null));
    assert_eq!(records["data"]["list"], json!([]));
}

#[test]
fn a_wallet_payment_pays_the_order_at_once_and_another_waits() {
    let s = test_sandbox(contracts(), &[]);
    let customer = login(&s, Role::Customer);
    let (_, created) = call(&s, &customer, "POST", "/api/v1/orders", json!({}));
    let order = created["data"]["orderId"].clone();
    let wallet = json!({"orderId": order, "paymentMethod": "wallet", "amount": 1320});
    let (status, poor) = call(&s, &customer, "POST", "/api/v1/payments", wallet.clone());
    assert_eq!((status, poor["message"].clone()), (400, json!("余额不足")));
    let wechat = json!({"orderId": order, "paymentMethod": "wechat", "amount": 1320});
    let (_, pending) = call(&s, &customer, "POST", "/api/v1/payments", wechat);
    assert_eq!(pending["data"]["status"], json!("PENDING"));
    let path = format!("/api/v1/orders/{}", order.as_str().expect("id"));
    let (_, detail) = call(&s, &customer, "GET", &path, json!(null));
    assert_eq!(detail["data"]["status"], json!("PENDING_PAYMENT"));
    call(
        &s,
        &customer,
        "POST",
        "/api/v1/wallet/recharge",
        json!({"amount": 2000}),
    );
    let (_, paid) = call(&s, &customer, "POST", "/api/v1/payments", wallet);
    assert_eq!(paid["data"]["status"], json!("SUCCESS"));
    let (_, detail) = call(&s, &customer, "GET", &path, json!(null));
    assert_eq!(detail["data"]["status"], json!("PAID"));
}

#[test]
fn a_rule_is_waived_only_by_the_fault_it_names() {
    let wrong = |faults: &[&str]| {
        let s = test_sandbox(contracts(), faults);
        let customer = login(&s, Role::Customer);
        let (_, created) = call(&s, &customer, "POST", "/api/v1/orders", json!({}));
        let pay =
            json!({"orderId": created["data"]["orderId"], "paymentMethod": "wechat", "amount": 1});
        call(&s, &customer, "POST", "/api/v1/payments", pay).0
    };
    assert_eq!(wrong(&[]), 400);
    assert_eq!(wrong(&["rating-before-complete"]), 400);
    assert_eq!(wrong(&["payment-any-amount"]), 200);
}

#[test]
fn an_order_is_rated_once_per_customer_and_only_when_completed_unless_the_fault_says() {
    for (faults, early) in [(&[][..], 400), (&["rating-before-complete"][..], 200)] {
        let s = test_sandbox(contracts(), faults);
        let (customer, other, staff) = (
            login(&s, Role::Customer),
            login(&s, Role::Customer),
            login(&s, Role::Staff),
        );
        let order = paid_order(&s, &customer);
        let rate = |token: &str| {
            call(
                &s,
                token,
                "POST",
                "/api/v1/ratings",
                json!({"orderId": order}),
            )
            .0
        };
        assert_eq!(rate(&customer), early, "{faults:?}");
        set_status(&s, &staff, &order, "CONFIRMED");
        set_status(&s, &staff, &order, "COMPLETED");
        let second = if early == 200 { 400 } else { 200 };
        assert_eq!(rate(&customer), second, "{faults:?}");
        assert_eq!(rate(&customer), 400, "{faults:?}");
        assert_eq!(
            rate(&other),
            200,
            "another customer has a record of their own"
        );
    }
}
