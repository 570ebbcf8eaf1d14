//! The faults of the negative and boundary inputs (`negative_input`): a backend that trusts what it is
//! sent to be the right shape, as a half-finished Express backend does.

use super::Faults;
use crate::contract::params::query_fields;
use crate::contract::walk::Schema;
use crate::sandbox::reply::{Incoming, Reply};
use crate::sandbox::routing;
use serde_json::Value;

/// `parseInt` of an id with no digit is `NaN`, and the query built from it fails.
pub(super) fn nan_id_500(req: &Incoming, f: &Faults) -> Option<Reply> {
    let s = f.sandbox;
    let below = routing::below_base(&s.options.base_path, req.path)?;
    let (_, params) = s.routes.find(req.method, below)?;
    let nan = |v: &Value| {
        v.as_str()
            .is_some_and(|id| !id.bytes().any(|b| b.is_ascii_digit()))
    };
    params.values().any(nan).then(Reply::internal_error)
}

/// `OFFSET (page - 1) * limit` with a page of 0 or less is negative, and the query fails.
pub(super) fn page_zero_500(req: &Incoming, _: &Faults) -> Option<Reply> {
    let query = query_fields(req.query);
    let page = query.get("page")?.as_str()?.trim().parse::<i64>().ok()?;
    (page <= 0).then(Reply::internal_error)
}

/// A write that reads its fields without checking there are any: no body at all is success, answered
/// like the contract's example.
pub(super) fn accepts_empty_body(req: &Incoming, f: &Faults) -> Option<Reply> {
    if req.method == "GET" || !req.body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let envelope = &f.sandbox.options.envelope;
    let example = &f.contract.example.response;
    let data = example.get(&envelope.data).cloned().unwrap_or(Value::Null);
    let message = example.get(&envelope.message).and_then(Value::as_str);
    let message = message.unwrap_or("success").to_string();
    Some(Reply::success(envelope.success, message, data))
}

/// A text longer than its `maxLength` reaches a column that is too short, and the insert fails.
pub(super) fn maxlength_500(req: &Incoming, f: &Faults) -> Option<Reply> {
    let body: Value = serde_json::from_slice(req.body).ok()?;
    let schema = Schema {
        root: f.contract.request.body.as_ref()?,
        docs: &f.sandbox.schemas,
    };
    let too_long = |node: &serde_json::Map<String, Value>, data: &Value| {
        let max = node.get("maxLength").and_then(Value::as_u64)?;
        let chars = data.as_str()?.chars().count() as u64;
        (chars > max).then(String::new)
    };
    schema
        .find(&body, &too_long)
        .map(|_| Reply::internal_error())
}
