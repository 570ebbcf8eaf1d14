use super::*;
use serde_json::json;

fn validator(schema: Value) -> jsonschema::Validator {
    jsonschema::validator_for(&schema).expect("a valid schema")
}

fn happy() -> RequestParts {
    RequestParts {
        path_params: Some(json!({"id": "v_001"})),
        query: Some(json!({"page": 1})),
        body: Some(json!({"name": "n", "seats": 4})),
    }
}

fn required(field: &str) -> Value {
    json!({"type": "object", "required": [field], "properties": {field: {"type": "string"}}})
}

#[test]
fn a_body_with_required_fields_is_sent_empty_and_keeps_the_rest() {
    let schemas = RequestParts {
        body: Some(required("name")),
        query: Some(required("page")),
        ..Default::default()
    };
    let compiled = Compiled {
        body: Some(validator(required("name"))),
        query: Some(validator(required("page"))),
        ..Default::default()
    };
    let parts = missing_required_parts(&schemas, Some(&compiled), &happy()).unwrap();
    assert_eq!(parts.body, Some(json!({})));
    assert_eq!(parts.query, happy().query);
    assert_eq!(parts.path_params, happy().path_params);
}

#[test]
fn a_required_query_is_dropped_when_the_body_needs_nothing() {
    let optional = json!({"type": "object", "properties": {"note": {"type": "string"}}});
    let schemas = RequestParts {
        body: Some(optional.clone()),
        query: Some(required("page")),
        ..Default::default()
    };
    let compiled = Compiled {
        body: Some(validator(optional)),
        query: Some(validator(required("page"))),
        ..Default::default()
    };
    let parts = missing_required_parts(&schemas, Some(&compiled), &happy()).unwrap();
    assert_eq!(parts.query, None);
    assert_eq!(parts.body, happy().body);
}

#[test]
fn nothing_required_or_nothing_compiled_means_no_missing_required_case() {
    let optional = json!({"type": "object"});
    let schemas = RequestParts {
        body: Some(optional.clone()),
        ..Default::default()
    };
    let compiled = Compiled {
        body: Some(validator(optional)),
        ..Default::default()
    };
    assert_eq!(
        missing_required_parts(&schemas, Some(&compiled), &happy()),
        None
    );
    assert_eq!(missing_required_parts(&schemas, None, &happy()), None);
    // A compiled validator without the contract declaring the part does not count.
    let undeclared = Compiled {
        body: Some(validator(required("name"))),
        ..Default::default()
    };
    assert_eq!(
        missing_required_parts(&RequestParts::default(), Some(&undeclared), &happy()),
        None
    );
}

fn case(kind: CaseKind, status: Status) -> CaseResult {
    CaseResult::without_request("c", kind, "id", "GET /x", status, "why".into())
}

#[test]
fn an_endpoint_fails_on_any_failed_errored_or_unmounted_case_but_not_a_blocked_one() {
    assert_eq!(verdict(&[]), Status::Passed);
    assert_eq!(
        verdict(&[
            case(CaseKind::Happy, Status::Passed),
            case(CaseKind::NoToken, Status::Blocked)
        ]),
        Status::Passed
    );
    for bad in [Status::Failed, Status::Error, Status::NotActivated] {
        let cases = [
            case(CaseKind::Happy, Status::Passed),
            case(CaseKind::ErrorCase, bad),
        ];
        assert_eq!(verdict(&cases), Status::Failed, "{bad:?}");
    }
}

#[test]
fn an_unusable_valid_request_halts_with_its_own_status_and_reason() {
    let halt = halt_on_unusable_happy(&[case(CaseKind::Happy, Status::NotActivated)]).unwrap_err();
    assert_eq!(
        (halt.status, halt.reason.as_deref()),
        (Status::NotActivated, Some("路由未激活"))
    );
    let halt = halt_on_unusable_happy(&[case(CaseKind::Happy, Status::Blocked)]).unwrap_err();
    assert_eq!(
        (halt.status, halt.reason.as_deref()),
        (Status::Blocked, Some("why"))
    );
    assert!(halt_on_unusable_happy(&[case(CaseKind::Happy, Status::Failed)]).is_ok());
}
