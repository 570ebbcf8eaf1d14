//! `data` against the contract's schema: every violation, each with its JSON path in the response.

use super::{Check, CheckInput, CheckKind, Finding};
use crate::contract::schema::violations;

pub struct DataSchema;

impl Check for DataSchema {
    fn kind(&self) -> CheckKind {
        CheckKind::Schema
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        if !input.expects_success() || input.envelope_code() != Some(input.config.envelope.success)
        {
            return vec![];
        }
        let (Some(compiled), Some(body)) = (input.compiled, input.body()) else {
            return vec![];
        };
        let Some(validator) = &compiled.data else {
            return vec![];
        };
        let data_field = &input.config.envelope.data;
        let data = body
            .get(data_field)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        violations(validator, &data)
            .into_iter()
            .map(|v| {
                let path = if v.path == "/" {
                    format!("/{data_field}")
                } else {
                    format!("/{data_field}{}", v.path)
                };
                let mut f = Finding::new(CheckKind::Schema, v.message);
                f.drift = super::drift::diagnose(&data, &v.path, &v.expected, &v.actual);
                f.at(path).expected(v.expected, v.actual)
            })
            .collect()
    }
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
