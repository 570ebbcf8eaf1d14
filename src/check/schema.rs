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
                Finding::new(CheckKind::Schema, v.message)
                    .at(path)
                    .expected(v.expected, v.actual)
            })
            .collect()
    }
}
