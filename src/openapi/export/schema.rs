//! A contract's schemas as the document holds them: shared refs pointing at components, and a ref that
//! cannot be pointed there an error naming the contract file and the place.

use crate::contract::Contract;
use crate::openapi::names::{self, RefProblem};
use crate::openapi::OpenApiError;
use serde_json::Value;

/// A contract schema with its shared refs pointing at components; a ref that cannot is an error
/// naming the contract file and the place.
pub(super) fn schema_of(c: &Contract, place: &str, schema: &Value) -> Result<Value, OpenApiError> {
    schema_in(c, place, schema, None)
}

pub(super) fn schema_in(
    c: &Contract,
    place: &str,
    schema: &Value,
    base: Option<&str>,
) -> Result<Value, OpenApiError> {
    names::to_components(schema, base)
        .map_err(|RefProblem { pointer, message }| source(c, &format!("{place}{pointer}"), message))
}

pub(super) fn source(c: &Contract, place: &str, message: String) -> OpenApiError {
    OpenApiError::Source {
        file: c.file.display().to_string(),
        place: place.to_string(),
        message,
    }
}
