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
        scenario_status(false, &steps)
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
        scenario_status(true, &[case(Status::Passed)]),
        Status::Error
    );
}
