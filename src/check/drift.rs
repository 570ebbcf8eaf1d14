//! Common drifts recognised in a schema violation, so that one drift is one cause however many fields
//! and endpoints it touches: a boolean as 0/1, a number as text, a string id as a number, a field in
//! snake_case, a flat pagination object.

use crate::result::Drift;
use serde_json::Value;

/// The drift a violation shows, if it is a common one. `path` is the violation's JSON Pointer into
/// `data` (`/` for `data` itself), `expected` and `actual` as the schema check words them.
pub fn diagnose(data: &Value, path: &str, expected: &str, actual: &str) -> Option<Drift> {
    if actual == "missing" {
        return explain_missing(data, path);
    }
    let value = if path == "/" {
        Some(data)
    } else {
        data.pointer(path)
    }?;
    let wants = |t: &str| expected.starts_with("type ") && expected.contains(t);
    match value {
        // `type boolean`, or a constant `true`/`false` the schema asks for.
        Value::Number(n)
            if (wants("boolean") || expected == "true" || expected == "false")
                && (n.as_u64() == Some(0) || n.as_u64() == Some(1)) =>
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
        Value::Number(n) if wants("string") && is_time_name(last_segment(path)) => n
            .as_f64()
            .filter(|t| *t >= 1e9)
            .map(|_| Drift::TimestampAsNumber),
        Value::String(s) if expected == "format date-time" && is_local_date_time(s) => {
            Some(Drift::DateTimeWithoutZone)
        }
        _ => None,
    }
}

/// `createdAt`, `startTime`, `expire_date`, `updated`: a field that holds a moment.
fn is_time_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["at", "time", "date", "updated", "created"]
        .iter()
        .any(|end| lower.ends_with(end))
}

/// `2026-01-01 10:00:00` or `2026-01-01T10:00:00`: a date-time as a database prints it, without
/// the zone RFC 3339 requires.
fn is_local_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let head = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && (at(10, b' ') || at(10, b'T'))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16);
    // The first 16 bytes are ASCII when `head` holds, so the rest starts on a character.
    head && {
        let rest = &text[16..];
        rest.is_empty()
            || (rest.len() >= 3
                && rest.starts_with(':')
                && rest[1..].chars().all(|c| c.is_ascii_digit() || c == '.'))
    }
}

/// Why nothing is at `pointer` in `root`, when a common drift explains it: the first segment that is
/// absent is there in snake_case, or it is a `pagination` spread flat into its parent. For the schema's
/// missing fields and for a scenario's assertions and captures alike (`/data/pagination/total` is
/// missing because `pagination` is flat).
pub fn explain_missing(root: &Value, pointer: &str) -> Option<Drift> {
    let mut here = root;
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        let next = match here {
            Value::Object(o) => o.get(&segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => return None,
        };
        match next {
            Some(value) => here = value,
            None => return absent_in(here.as_object()?, &segment),
        }
    }
    None
}

/// Where a list of another pagination shape keeps its items: Sequelize's `{rows, count}`, MyBatis-Plus'
/// `{records, total}`, `{items, total}` …
const LIST_NAMES: [&str; 5] = ["rows", "records", "items", "results", "content"];

/// The key under which `object` keeps its list instead of `list`, when it has exactly one such array.
fn renamed_list(object: &serde_json::Map<String, Value>) -> Option<&'static str> {
    if object.contains_key("list") {
        return None;
    }
    let mut found = LIST_NAMES
        .into_iter()
        .filter(|k| object.get(*k).is_some_and(Value::is_array));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// `field` is absent from `object`: the drift that puts it elsewhere, if any.
fn absent_in(object: &serde_json::Map<String, Value>, field: &str) -> Option<Drift> {
    if (field == "list" || field == "pagination") && renamed_list(object).is_some() {
        return Some(Drift::OtherPageShape);
    }
    if field == "pagination"
        && ["total", "page", "pageSize"]
            .iter()
            .any(|k| object.contains_key(*k))
    {
        return Some(Drift::FlatPagination);
    }
    let snake = snake_case(field);
    (snake != field && object.contains_key(&snake)).then_some(Drift::SnakeCase)
}

/// The value at `pointer` as a backend that drifted in a common way holds it (`order_id` for `orderId`,
/// `rows` for `list`, a flat page's `total` for `pagination.total`), with the drift; `None` when the
/// path is absent for another reason, or present as it is.
pub fn find_drifted<'a>(root: &'a Value, pointer: &str) -> Option<(&'a Value, Drift)> {
    let mut here = root;
    let mut drift = None;
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        if let Value::Array(items) = here {
            here = items.get(segment.parse::<usize>().ok()?)?;
            continue;
        }
        let object = here.as_object()?;
        if let Some(value) = object.get(&segment) {
            here = value;
            continue;
        }
        let found = match absent_in(object, &segment)? {
            Drift::SnakeCase => object.get(&snake_case(&segment)),
            Drift::OtherPageShape if segment == "list" => {
                renamed_list(object).and_then(|k| object.get(k))
            }
            // A flat page keeps `pagination`'s fields in the object itself.
            Drift::FlatPagination => Some(here),
            _ => None,
        }?;
        drift = drift.or(absent_in(object, &segment));
        here = found;
    }
    drift.map(|d| (here, d))
}

/// The drift an assertion's failed comparison shows, when the two sides are the same value in two
/// types: an id as a number on one side and a string on the other (captured from a step that drifted,
/// or answered by one), a boolean as 0/1, a number as text. `expected` is what the assertion compares
/// with; for a list that should contain an object, the object's id fields are compared with the items'.
pub fn explain_mismatch(pointer: &str, expected: &Value, actual: &Value) -> Option<Drift> {
    if let (Value::Object(wanted), Value::Array(items)) = (expected, actual) {
        let id_types_differ = |(key, value): (&String, &Value)| {
            is_id_name(key)
                && items
                    .iter()
                    .filter_map(|item| item.get(key))
                    .any(|have| number_and_string(value, have))
        };
        return wanted
            .iter()
            .any(id_types_differ)
            .then_some(Drift::IdAsNumber);
    }
    match (expected, actual) {
        (Value::Bool(_), Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 1) => {
            Some(Drift::BoolAsInt)
        }
        // The same amount, as a number on one side and as text on the other.
        (Value::Number(_), Value::String(_)) | (Value::String(_), Value::Number(_))
            if same_number(expected, actual) =>
        {
            Some(Drift::NumberAsString)
        }
        _ if is_id_name(last_segment(pointer)) && number_and_string(expected, actual) => {
            Some(Drift::IdAsNumber)
        }
        _ => None,
    }
}

/// Both read as the same number (`580` and `"580.00"`).
fn same_number(a: &Value, b: &Value) -> bool {
    let read = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    matches!((read(a), read(b)), (Some(x), Some(y)) if x == y)
}

/// One side a number, the other a string.
fn number_and_string(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::Number(_), Value::String(_)) | (Value::String(_), Value::Number(_))
    )
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
        assert_eq!(
            diagnose(&json!({"success": 1}), "/success", "true", "1"),
            Some(Drift::BoolAsInt)
        );
        assert_eq!(
            diagnose(
                &json!({"createdAt": 1767225600000u64}),
                "/createdAt",
                "type string",
                "1767225600000"
            ),
            Some(Drift::TimestampAsNumber)
        );
        assert_eq!(
            diagnose(
                &json!({"startDate": "2026-01-01 10:00:00"}),
                "/startDate",
                "format date-time",
                "\"2026-01-01 10:00:00\""
            ),
            Some(Drift::DateTimeWithoutZone)
        );
        assert_eq!(
            diagnose(
                &json!({"startDate": "yesterday"}),
                "/startDate",
                "format date-time",
                "\"yesterday\""
            ),
            None
        );
        assert_eq!(
            diagnose(
                &json!({"count": 12345678901u64}),
                "/count",
                "type string",
                "1"
            ),
            None
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

    #[test]
    fn a_path_below_the_first_absent_field_is_explained_by_it() {
        let body = json!({"data": {"list": [{"order_id": "o1"}], "total": 3, "page": 1}});
        assert_eq!(
            explain_missing(&body, "/data/pagination/total"),
            Some(Drift::FlatPagination)
        );
        assert_eq!(
            explain_missing(&body, "/data/list/0/orderId"),
            Some(Drift::SnakeCase)
        );
        // Present, absent without another shape, or under a value that is no object: nothing to say.
        assert_eq!(explain_missing(&body, "/data/total"), None);
        assert_eq!(explain_missing(&body, "/data/list/0/status"), None);
        assert_eq!(explain_missing(&body, "/data/list/5/orderId"), None);
        assert_eq!(explain_missing(&body, "/data/total/value"), None);
    }

    #[test]
    fn a_value_a_drifted_backend_holds_elsewhere_is_found_with_its_drift() {
        let body = json!({"data": {"rows": [{"order_id": "o_1"}], "count": 1}});
        assert_eq!(
            find_drifted(&body, "/data/list/0/orderId"),
            Some((&json!("o_1"), Drift::OtherPageShape))
        );
        let flat = json!({"data": {"list": [{"id": "a"}], "total": 7, "page": 1}});
        assert_eq!(
            find_drifted(&flat, "/data/pagination/total"),
            Some((&json!(7), Drift::FlatPagination))
        );
        assert_eq!(
            explain_missing(&body, "/data/pagination"),
            Some(Drift::OtherPageShape)
        );
        // Present as it is, or absent for no common reason: nothing to find.
        assert_eq!(find_drifted(&flat, "/data/list/0/id"), None);
        assert_eq!(find_drifted(&flat, "/data/list/0/status"), None);
        let two_lists = json!({"data": {"rows": [], "items": []}});
        assert_eq!(find_drifted(&two_lists, "/data/list"), None);
    }

    #[test]
    fn a_comparison_between_two_types_of_one_value_is_a_drift() {
        let id = |p: &str, e: Value, a: Value| explain_mismatch(p, &e, &a);
        assert_eq!(
            id("/data/id", json!(100001), json!("vehicle_001")),
            Some(Drift::IdAsNumber)
        );
        assert_eq!(
            id("/data/list/0/orderId", json!("o_1"), json!(17)),
            Some(Drift::IdAsNumber)
        );
        assert_eq!(
            id("/data/list", json!({"id": 100001}), json!([{"id": "v_1"}])),
            Some(Drift::IdAsNumber)
        );
        assert_eq!(
            id("/data/success", json!(true), json!(1)),
            Some(Drift::BoolAsInt)
        );
        assert_eq!(
            id("/data/total", json!(580), json!("580.00")),
            Some(Drift::NumberAsString)
        );
        assert_eq!(
            id("/data/minPrice", json!("280.00"), json!(280)),
            Some(Drift::NumberAsString)
        );
        assert_eq!(id("/data/total", json!(580), json!("581.00")), None);
        // Another value of the same type, or a type slip on a field that is no id, is a plain failure.
        assert_eq!(id("/data/id", json!("v_1"), json!("v_2")), None);
        assert_eq!(id("/data/name", json!(7), json!("seven")), None);
        assert_eq!(
            id("/data/list", json!({"id": "v_9"}), json!([{"id": "v_1"}])),
            None
        );
        assert_eq!(id("/data/success", json!(true), json!(2)), None);
    }
}
