//! `data` against the contract's schema: every violation, each with its JSON path in the response; the
//! work bounded whatever the backend sends (a body too large to validate says so, a huge list is
//! validated on a sample, and the validator stops at a budget).

use super::envelope::bytes;
use super::{CaseKind, Check, CheckInput, CheckKind, Finding};
use crate::contract::schema::{bounded_violations, Violations, MAX_VIOLATIONS, SAMPLED_ITEMS};
use serde_json::Value;

pub struct DataSchema;

impl Check for DataSchema {
    fn kind(&self) -> CheckKind {
        CheckKind::Schema
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        // A derived input asks only whether it was taken: the answer's shape is the valid request's.
        let derived = input.case == CaseKind::NegativeInput;
        if derived
            || !input.expects_success()
            || input.envelope_code() != Some(input.config.envelope.success)
        {
            return vec![];
        }
        let (Some(compiled), Some(body), Ok(resp)) =
            (input.compiled, input.body(), &input.exchange.response)
        else {
            return vec![];
        };
        let Some(validator) = &compiled.data else {
            return vec![];
        };
        let data_field = &input.config.envelope.data;
        if resp.top_level.is_some() {
            let limit = input.config.limits.max_validated_body_bytes;
            return vec![Finding::new(
                CheckKind::Schema,
                format!(
                    "the body is too large to validate ({} > {}, [run] max_validated_body_bytes): \
                     `{data_field}` was not checked against its schema",
                    bytes(resp.body_bytes),
                    bytes(limit)
                ),
            )
            .at(format!("/{data_field}"))
            .expected(
                format!("a body up to {}", bytes(limit)),
                bytes(resp.body_bytes),
            )];
        }
        let data = body.get(data_field).unwrap_or(&Value::Null);
        let found = bounded_violations(validator, data);
        let mut out = notes(&found);
        out.extend(found.list.into_iter().map(|v| {
            let path = if v.path == "/" {
                format!("/{data_field}")
            } else {
                format!("/{data_field}{}", v.path)
            };
            let mut f = Finding::new(CheckKind::Schema, v.message);
            f.drift = super::drift::diagnose(data, &v.path, &v.expected, &v.actual);
            f.at(path).expected(v.expected, v.actual)
        }));
        out
    }
}

/// What the counts of the findings mean when validation was bounded; first, so a cap keeps them.
fn notes(found: &Violations) -> Vec<Finding> {
    let mut out = vec![];
    if let Some(longest) = found.sampled_longest {
        out.push(Finding::new(
            CheckKind::Schema,
            format!(
                "lists longer than {SAMPLED_ITEMS} items were validated on their first {SAMPLED_ITEMS} \
                 (the longest has {longest}): the counts below are of those"
            ),
        ));
    }
    if found.stopped {
        out.push(Finding::new(
            CheckKind::Schema,
            format!("validation stopped at {MAX_VIOLATIONS} violations: there are more"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use serde_json::json;

    #[test]
    fn data_that_matches_its_schema_passes() {
        let case = Case::new().answer_data(
            json!({"id": "i_1", "price": 5.5, "createdAt": "2025-01-01T10:00:00+08:00"}),
        );
        assert!(case.run(&DataSchema).is_empty());
    }

    #[test]
    fn every_violation_is_a_finding_at_its_path_under_data() {
        let findings = Case::new()
            .answer_data(json!({"price": "5", "createdAt": "yesterday"}))
            .run(&DataSchema);
        let places: Vec<_> = findings.iter().map(place).collect();
        assert_eq!(
            places,
            [
                (
                    Some("/data/createdAt"),
                    Some("format date-time"),
                    Some("\"yesterday\"")
                ),
                (Some("/data/id"), Some("a required field"), Some("missing")),
                (Some("/data/price"), Some("type number"), Some("\"5\"")),
            ]
        );
        assert!(findings.iter().all(|f| f.check == CheckKind::Schema));
    }

    #[test]
    fn a_derived_input_that_was_served_is_not_judged_on_its_data() {
        let wrong = json!({"price": "5", "createdAt": "yesterday"});
        let served = Case::new()
            .kind(CaseKind::NegativeInput)
            .answer_data(wrong.clone());
        assert!(served.run(&DataSchema).is_empty());
        assert!(!Case::new().answer_data(wrong).run(&DataSchema).is_empty());
    }

    #[test]
    fn data_of_the_wrong_shape_is_a_finding_at_data_itself() {
        let findings = Case::new().answer_data(json!([1])).run(&DataSchema);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            place(&findings[0]),
            (Some("/data"), Some("type object"), Some("[1]"))
        );
        let absent = Case::new()
            .answer(200, json!({"code": 0, "message": "ok"}))
            .run(&DataSchema);
        assert_eq!(
            place(&absent[0]),
            (Some("/data"), Some("type object"), Some("null"))
        );
    }

    #[test]
    fn the_data_field_name_comes_from_the_config() {
        let findings = Case::new()
            .config(|c| c.envelope.data = "result".into())
            .answer(
                200,
                json!({"code": 0, "message": "ok", "result": {"id": 1, "price": 5}}),
            )
            .run(&DataSchema);
        assert_eq!(
            place(&findings[0]),
            (Some("/result/id"), Some("type string"), Some("1"))
        );
    }

    fn item_list(required: &[String]) -> Value {
        json!({"type": "array", "items": {"type": "object", "required": required}})
    }

    #[test]
    fn a_body_too_large_to_validate_says_so_with_the_limit() {
        let body = json!({"code": 0, "message": "ok", "data": [{}, {}, {}]}).to_string();
        let limits = crate::config::Limits {
            max_validated_body_bytes: 20,
            ..Default::default()
        };
        let findings = Case::new()
            .data_schema(item_list(&["id".into()]))
            .answer_bytes(200, "application/json", body.as_bytes(), limits)
            .config(|c| c.limits = limits)
            .run(&DataSchema);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the body is too large to validate (43 bytes > 20 bytes, [run] \
             max_validated_body_bytes): `data` was not checked against its schema"
        );
        assert_eq!(
            place(&findings[0]),
            (
                Some("/data"),
                Some("a body up to 20 bytes"),
                Some("43 bytes")
            )
        );
    }

    #[test]
    fn a_huge_list_is_validated_on_a_sample_and_says_so() {
        let items = Value::Array(vec![json!({}); 50_000]);
        let findings = Case::new()
            .data_schema(item_list(&["id".into(), "price".into()]))
            .answer_data(items)
            .run(&DataSchema);
        assert_eq!(
            findings[0].message,
            "lists longer than 100 items were validated on their first 100 (the longest has 50000): \
             the counts below are of those"
        );
        assert_eq!(findings.len(), 1 + 2 * SAMPLED_ITEMS);
        let folded = crate::result::fold::fold(findings);
        let paths: Vec<_> = folded
            .iter()
            .map(|f| (f.path.as_deref(), f.count))
            .collect();
        assert_eq!(
            paths,
            [
                (None, 1),
                (Some("/data/*/id"), 100),
                (Some("/data/*/price"), 100)
            ]
        );
    }

    #[test]
    fn a_huge_list_where_an_object_is_expected_is_one_short_finding() {
        let findings = Case::new()
            .answer_data(Value::Array(vec![json!(0); 1_000_000]))
            .run(&DataSchema);
        let last = findings.last().expect("a finding");
        assert_eq!(
            findings.len(),
            1,
            "the list as a whole is wrong: no sample to speak of"
        );
        assert_eq!(
            place(last),
            (Some("/data"), Some("type object"), Some("[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0… (1000000 items)"))
        );
    }

    #[test]
    fn validation_stops_at_its_budget_and_says_there_are_more() {
        let required: Vec<String> = (0..11).map(|i| format!("f{i}")).collect();
        let findings = Case::new()
            .data_schema(item_list(&required))
            .answer_data(Value::Array(vec![json!({}); SAMPLED_ITEMS]))
            .run(&DataSchema);
        assert_eq!(
            findings[0].message,
            "validation stopped at 1000 violations: there are more"
        );
        assert_eq!(findings.len(), 1 + MAX_VIOLATIONS);
    }

    #[test]
    fn only_successes_are_validated() {
        let error_answer = json!({"code": 404, "message": "不存在", "data": {"price": "x"}});
        let failed = Case::new()
            .answer(404, error_answer.clone())
            .run(&DataSchema);
        assert!(failed.is_empty(), "the success-code check reports this one");
        let expected_error = Case::new()
            .expect_code(404)
            .answer(
                200,
                json!({"code": 0, "message": "ok", "data": {"price": "x"}}),
            )
            .run(&DataSchema);
        assert!(
            expected_error.is_empty(),
            "the expectation check reports this one"
        );
    }
}
