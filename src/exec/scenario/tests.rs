use super::outcome::scenario_status;
use super::*;
use serde_json::json;

fn step(spec: Value) -> Step {
    serde_json::from_value(spec).expect("a valid step")
}

#[test]
fn a_step_needing_a_poisoned_variable_anywhere_is_blocked_by_it() {
    let mut poisoned = Poisoned::default();
    poisoned.insert("order_id", "步骤 create 未返回 data.id");
    for needing in [
        json!({"name": "s", "endpoint": "e", "path_params": {"id": "{{order_id}}"}}),
        json!({"name": "s", "endpoint": "e", "query": {"q": "x {{ order_id }}"}}),
        json!({"name": "s", "endpoint": "e", "body": {"a": ["{{order_id}}"]}}),
        json!({"name": "s", "endpoint": "e", "token": "{{order_id}}"}),
        json!({"name": "s", "endpoint": "e",
               "assert": [{"path": "data.id", "equals": "{{order_id}}"}]}),
        json!({"name": "s", "endpoint": "e", "body": {"n": "{{order_id ?? fallback}}"}}),
    ] {
        let refs = step_refs(&step(needing.clone()));
        assert_eq!(poisoned.blocker(&refs), Some("order_id"), "{needing}");
    }
}

#[test]
fn builtins_and_healthy_variables_do_not_block() {
    let mut poisoned = Poisoned::default();
    poisoned.insert("order_id", "步骤 create 未返回 data.id");
    let s = step(json!({"name": "s", "endpoint": "e",
        "body": {"phone": "{{$phone}}", "id": "{{vehicle_id}}", "text": "order_id"}}));
    assert_eq!(poisoned.blocker(&step_refs(&s)), None);
}

#[test]
fn a_step_that_does_not_pass_poisons_everything_it_captures() {
    let failed = step(json!({"name": "create", "endpoint": "e",
        "capture": {"order_id": "data.orderId", "amount": "data.amount"}}));
    let mut poisoned = Poisoned::default();
    poisoned.captures_of(&failed, "步骤 create route_not_activated");
    assert_eq!(
        poisoned.cause("amount"),
        Some("步骤 create route_not_activated")
    );
    // The first cause is the root and stays.
    poisoned.insert("amount", "步骤 later 未返回 x");
    assert_eq!(
        poisoned.cause("amount"),
        Some("步骤 create route_not_activated")
    );
    let later = step(json!({"name": "pay", "endpoint": "e", "body": {"amount": "{{amount}}"}}));
    assert_eq!(poisoned.blocker(&step_refs(&later)), Some("amount"));
    let unrelated = step(json!({"name": "list", "endpoint": "e", "query": {"page": 1}}));
    assert_eq!(poisoned.blocker(&step_refs(&unrelated)), None);
}

fn case(status: Status) -> CaseResult {
    CaseResult::without_request("s", CaseKind::Step, "c", "GET /x", status, String::new())
}

#[test]
fn a_scenario_reports_its_most_telling_step_status() {
    let of = |statuses: &[Status]| {
        let steps: Vec<CaseResult> = statuses.iter().map(|s| case(*s)).collect();
        scenario_status(false, &steps, &[])
    };
    assert_eq!(of(&[]), Status::Passed);
    assert_eq!(of(&[Status::Passed, Status::Passed]), Status::Passed);
    assert_eq!(of(&[Status::Blocked, Status::Failed]), Status::Failed);
    assert_eq!(
        of(&[Status::Error, Status::NotActivated]),
        Status::NotActivated
    );
    assert_eq!(of(&[Status::Blocked, Status::Error]), Status::Error);
    assert_eq!(of(&[Status::Passed, Status::Blocked]), Status::Blocked);
    assert_eq!(
        scenario_status(true, &[case(Status::Passed)], &[]),
        Status::Error
    );
}

fn named(name: &str, status: Status) -> CaseResult {
    CaseResult::without_request(name, CaseKind::Step, "c", "GET /x", status, String::new())
}

#[test]
fn a_scenario_whose_only_gaps_are_skips_and_what_they_block_is_skipped_not_failed() {
    let steps = [
        named("pay", Status::Passed),
        named("staff_confirm", Status::Skipped),
        named("customer_sees", Status::Blocked),
    ];
    let excused = ["customer_sees".to_string()];
    assert_eq!(scenario_status(false, &steps, &excused), Status::Skipped);
    // A block with another root is a failure of the run, skip or not.
    assert_eq!(scenario_status(false, &steps, &[]), Status::Blocked);
    let with_failure = [
        named("rate", Status::Failed),
        named("staff", Status::Skipped),
    ];
    assert_eq!(scenario_status(false, &with_failure, &[]), Status::Failed);
}

#[test]
fn what_a_skipped_step_would_capture_blocks_as_a_skip() {
    let staff = step(json!({"name": "staff_confirm", "endpoint": "e",
        "capture": {"confirmed": "data.status"}}));
    let mut poisoned = Poisoned::default();
    poisoned.captures_of_skipped(&staff, "步骤 staff_confirm 需要 staff 账号");
    poisoned.insert("other", "步骤 x route_not_activated");
    assert!(poisoned.is_skipped("confirmed"));
    assert!(!poisoned.is_skipped("other"));
    // A step blocked by it passes the skip on to what it would have captured.
    let sees = step(
        json!({"name": "sees", "endpoint": "e", "capture": {"seen": "data.status"},
        "assert": [{"path": "data.status", "equals": "{{confirmed}}"}]}),
    );
    assert_eq!(poisoned.blocker(&step_refs(&sees)), Some("confirmed"));
    poisoned.captures_like(&sees, "confirmed");
    assert!(poisoned.is_skipped("seen"));
    assert_eq!(
        poisoned.cause("seen"),
        Some("步骤 staff_confirm 需要 staff 账号")
    );
}

fn contract(auth: &str) -> Contract {
    serde_json::from_value(json!({
        "id": "orders.update-status", "method": "PUT", "path": "/orders/{orderNo}/status",
        "phase": 2, "module": "orders", "name": "更新订单状态", "auth": auth,
        "example": {"response": {"code": 0, "message": "ok", "data": null}}
    }))
    .expect("a contract")
}

#[test]
fn a_step_acts_as_its_account_or_the_variable_holding_its_token() {
    let user = contract("user");
    let of = |spec: Value, c: &Contract| actor(&step(spec), c);
    assert_eq!(
        of(json!({"name": "s", "endpoint": "e", "as": "staff"}), &user),
        Some("staff".into())
    );
    assert_eq!(
        of(json!({"name": "s", "endpoint": "e"}), &user),
        Some("primary".into())
    );
    assert_eq!(
        of(
            json!({"name": "s", "endpoint": "e", "token": "{{ customer }}"}),
            &user
        ),
        Some("customer".into())
    );
    assert_eq!(
        of(json!({"name": "s", "endpoint": "e", "token": ""}), &user),
        None
    );
    assert_eq!(
        of(
            json!({"name": "s", "endpoint": "e", "token": "Bearer {{t}}x"}),
            &user
        ),
        None
    );
    assert_eq!(
        of(
            json!({"name": "s", "endpoint": "e", "as": "staff"}),
            &contract("none")
        ),
        None
    );
}

/// What a failed assertion of `spec` on `body` is put down to, with `vars` as the step saw them.
fn drift_of(spec: Value, body: Value, vars: Value) -> Option<crate::result::Drift> {
    let a: Assertion = serde_json::from_value(spec).expect("a valid assertion");
    let vars: Vars = serde_json::from_value(vars).expect("variables");
    let builtins = Builtins::new(1);
    let failure = a
        .check(&body, &vars, &builtins)
        .expect("renders")
        .expect("fails");
    assertion_drift(&a, &failure.pointer, &body, &vars, &builtins)
}

#[test]
fn a_failed_assertion_is_put_down_to_the_drift_that_explains_it() {
    use crate::result::Drift;
    let order =
        json!({"data": {"order_id": "o_1", "vehicle": {"id": "v_1"}, "total": 3, "page": 1}});
    assert_eq!(
        drift_of(
            json!({"path": "data.orderId", "exists": true}),
            order.clone(),
            json!({})
        ),
        Some(Drift::SnakeCase)
    );
    assert_eq!(
        drift_of(
            json!({"path": "data.pagination.total", "gte": 1}),
            order.clone(),
            json!({})
        ),
        Some(Drift::FlatPagination)
    );
    // The id was captured from a step that answered it as a number.
    assert_eq!(
        drift_of(
            json!({"path": "data.vehicle.id", "equals": "{{vehicleId}}"}),
            order.clone(),
            json!({"vehicleId": 100001})
        ),
        Some(Drift::IdAsNumber)
    );
    let list = json!({"data": {"list": [{"id": 7, "price": "580.00"}]}});
    assert_eq!(
        drift_of(
            json!({"path": "data.list", "each": {"path": "id", "equals": "{{couponId}}"}}),
            list.clone(),
            json!({"couponId": "uc_1"})
        ),
        Some(Drift::IdAsNumber)
    );
    // A different value, not the same one in another type, is no drift.
    assert_eq!(
        drift_of(
            json!({"path": "data.vehicle.id", "equals": "v_2"}),
            order,
            json!({})
        ),
        None
    );
}
