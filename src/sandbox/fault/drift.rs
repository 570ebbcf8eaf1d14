//! The drifts of a backend that is still being written, as faults: values of another JSON type, other
//! field names, another page shape, a database error for a message. Each data drift acts on the places
//! [`super::targets`] found for the contract, in every answer of it.

use super::targets::{snake_case, Targets};
use super::Faults;
use crate::sandbox::json::each_at;
use crate::sandbox::reply::{Outcome, Reply};
use serde_json::{json, Value};

/// Every other item of a list, from the first: the records written before the column changed type.
const SOME_RECORDS: usize = 2;

pub(super) fn booleans_as_numbers(data: &mut Value, f: &Faults) {
    for place in &f.targets().booleans {
        each_at(data, place, SOME_RECORDS, &mut |v| {
            if let Some(b) = v.as_bool() {
                *v = json!(u8::from(b));
            }
        });
    }
}

pub(super) fn money_as_strings(data: &mut Value, f: &Faults) {
    for place in &f.targets().money {
        each_at(data, place, 1, &mut |v| {
            if let Some(n) = v.as_f64() {
                *v = json!(format!("{n:.2}"));
            }
        });
    }
}

pub(super) fn ids_as_numbers(data: &mut Value, f: &Faults) {
    for place in &f.targets().ids {
        each_at(data, place, 1, &mut |v| {
            if let Some(id) = v.as_str() {
                *v = json!(f.sandbox.ids.number_for(id));
            }
        });
    }
}

pub(super) fn camel_case_as_snake_case(data: &mut Value, f: &Faults) {
    for place in &f.targets().camel_case {
        let Some((parent, name)) = place.rsplit_once('/') else {
            continue;
        };
        each_at(data, parent, 1, &mut |v| {
            if let Some(fields) = v.as_object_mut() {
                if let Some(x) = fields.remove(name) {
                    fields.insert(snake_case(name), x);
                }
            }
        });
    }
}

/// `{list, pagination: {page, limit, total, totalPages}}` → `{list, total, page, pageSize}`.
pub(super) fn flat_pagination(data: &mut Value, f: &Faults) {
    let Some(place) = &f.targets().pagination else {
        return;
    };
    let Some((parent, name)) = place.rsplit_once('/') else {
        return;
    };
    each_at(data, parent, 1, &mut |v| {
        let Some(page) = v.as_object_mut() else {
            return;
        };
        let Some(Value::Object(pagination)) = page.remove(name) else {
            return;
        };
        for (from, to) in [("total", "total"), ("page", "page"), ("limit", "pageSize")] {
            if let Some(x) = pagination.get(from) {
                page.insert(to.to_string(), x.clone());
            }
        }
    });
}

pub(super) fn fail_with_sql_error(reply: &mut Reply, f: &Faults) {
    if reply.is_success() {
        *reply = Reply::failure(Outcome::Failed, 500, 500, &sql_error(f.targets()));
    }
}

/// The database's error for a query naming a column the table does not have: the contract's first
/// camelCase field, as the backend's SQL spells it.
pub(crate) fn sql_error(targets: &Targets) -> String {
    let column = (targets.camel_case.first())
        .and_then(|p| p.rsplit('/').next())
        .map_or_else(|| "created_at".to_string(), snake_case);
    format!("ER_BAD_FIELD_ERROR: Unknown column '{column}' in 'field list'")
}
