//! Common drifts recognised in a schema violation, so that one drift is one cause however many fields
//! and endpoints it touches: a boolean as 0/1, a number as text, a string id as a number, a field in
//! snake_case, a flat pagination object.

use crate::result::Drift;
use serde_json::Value;

/// The drift a violation shows, if it is a common one. `path` is the violation's JSON Pointer into
/// `data` (`/` for `data` itself), `expected` and `actual` as the schema check words them.
pub fn diagnose(data: &Value, path: &str, expected: &str, actual: &str) -> Option<Drift> {
    if actual == "missing" {
        return missing_field(data, path);
    }
    let value = if path == "/" {
        Some(data)
    } else {
        data.pointer(path)
    }?;
    let wants = |t: &str| expected.starts_with("type ") && expected.contains(t);
    match value {
        Value::Number(n)
            if wants("boolean") && (n.as_u64() == Some(0) || n.as_u64() == Some(1)) =>
        {
            Some(Drift::BoolAsInt)
        }
        Value::String(s)
            if (wants("number") || wants("integer")) && s.trim().parse::<f64>().is_ok() =>
        {
            Some(Drift::NumberAsString)
        }
        Value::Number(_) if wants("string") && is_id_name(last_segment(path)) => {
            Some(Drift::IdAsNumber)
        }
        _ => None,
    }
}

/// A required field that is missing: present in snake_case, or a pagination object spread flat.
fn missing_field(data: &Value, path: &str) -> Option<Drift> {
    let (parent, field) = path.rsplit_once('/')?;
    let field = field.replace("~1", "/").replace("~0", "~");
    let object = if parent.is_empty() {
        data
    } else {
        data.pointer(parent)?
    }
    .as_object()?;
    if field == "pagination"
        && ["total", "page", "pageSize"]
            .iter()
            .any(|k| object.contains_key(*k))
    {
        return Some(Drift::FlatPagination);
    }
    let snake = snake_case(&field);
    (snake != field && object.contains_key(&snake)).then_some(Drift::SnakeCase)
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// `id`, `userId`, `order_id`, `vehicleIds`' items are not ids (a number segment): `id`-named fields only.
fn is_id_name(name: &str) -> bool {
    name == "id" || name.ends_with("Id") || name.ends_with("_id") || name.ends_with("ID")
}

/// `createdAt` → `created_at`, `pageSize` → `page_size`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn value_drifts_are_named() {
        let data = json!({"list": [{"id": 12345, "isHot": 0, "price": "580.00", "name": 7}]});
        assert_eq!(
            diagnose(&data, "/list/0/isHot", "type boolean", "0"),
            Some(Drift::BoolAsInt)
        );
        assert_eq!(
            diagnose(&data, "/list/0/price", "type number", "\"580.00\""),
            Some(Drift::NumberAsString)
        );
        assert_eq!(
            diagnose(&data, "/list/0/id", "type string", "12345"),
            Some(Drift::IdAsNumber)
        );
        // A number where a name is due is a drift, but not a common one.
        assert_eq!(diagnose(&data, "/list/0/name", "type string", "7"), None);
        assert_eq!(diagnose(&json!(2), "/", "type boolean", "2"), None);
    }

    #[test]
    fn missing_fields_present_in_another_shape_are_named() {
        let data = json!({"created_at": "2026-01-01", "list": [], "total": 3, "page": 1});
        assert_eq!(
            diagnose(&data, "/createdAt", "a required field", "missing"),
            Some(Drift::SnakeCase)
        );
        assert_eq!(
            diagnose(&data, "/pagination", "a required field", "missing"),
            Some(Drift::FlatPagination)
        );
        assert_eq!(
            diagnose(&data, "/updatedAt", "a required field", "missing"),
            None
        );
        assert_eq!(snake_case("pageSize"), "page_size");
    }
}
