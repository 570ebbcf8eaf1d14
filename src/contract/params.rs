//! Path and query parameters as an Express backend reads them: text on the wire, a repeated query name
//! a list (`qs`), judged against their schema as text and, where the text alone does not validate, as
//! the schema's numbers and booleans (`?page=2` is the integer 2 to a backend that converts it). The
//! sandbox, the validating proxy and the derived negative inputs read them this one way.

use super::schema::{violations, Violation};
use jsonschema::Validator;
use serde_json::{json, Map, Value};

/// `a=1&b=x&b=y` → `{"a": "1", "b": ["x", "y"]}`: a repeated name is a list.
pub fn query_fields(query: Option<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(q) = query.filter(|q| !q.is_empty()) else {
        return out;
    };
    let Ok(url) = reqwest::Url::parse(&format!("http://q/?{q}")) else {
        return out;
    };
    for (k, v) in url.query_pairs() {
        let v = Value::String(v.into_owned());
        match out.get_mut(k.as_ref()) {
            Some(Value::Array(list)) => list.push(v),
            Some(first) => *first = Value::Array(vec![first.take(), v]),
            None => {
                out.insert(k.into_owned(), v);
            }
        }
    }
    out
}

/// Text read as the number or boolean it spells, at any depth of an object; other text as it is.
pub fn coerce(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), coerce(v))).collect()),
        Value::String(s) => {
            if let Ok(i) = s.parse::<i64>() {
                json!(i)
            } else if let Ok(f) = s.parse::<f64>() {
                json!(f)
            } else if s == "true" || s == "false" {
                json!(s == "true")
            } else {
                v.clone()
            }
        }
        other => other.clone(),
    }
}

/// The violations of parameters that arrived as text: none when the text validates, or when the
/// numbers and booleans it spells do; else those of the text read that way.
pub fn text_violations(validator: &Validator, params: &Value) -> Vec<Violation> {
    let errs = violations(validator, params);
    if errs.is_empty() {
        return errs;
    }
    violations(validator, &coerce(params))
}

/// Whether the schema refuses these parameters however a backend reads their text.
pub fn text_rejected(validator: &Validator, params: &Value) -> bool {
    !validator.is_valid(params) && !validator.is_valid(&coerce(params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_query_name_is_a_list_and_text_is_decoded() {
        let q = query_fields(Some("page=2&keyword=%E6%88%BF%E8%BD%A6&a=b+c&t=x&t=y&t=z"));
        assert_eq!(
            Value::Object(q),
            json!({"page": "2", "keyword": "房车", "a": "b c", "t": ["x", "y", "z"]})
        );
        assert!(query_fields(None).is_empty());
        assert!(query_fields(Some("")).is_empty());
    }

    #[test]
    fn coerce_reads_numbers_and_booleans_and_leaves_other_text() {
        let query = json!({"page": "2", "price": "1.5", "open": "true", "off": "false",
                           "q": "房车", "id": "007x", "n": 3, "list": ["1"]});
        assert_eq!(
            coerce(&query),
            json!({"page": 2, "price": 1.5, "open": true, "off": false,
                   "q": "房车", "id": "007x", "n": 3, "list": ["1"]})
        );
    }

    #[test]
    fn text_is_refused_only_when_neither_reading_validates() {
        let schema = json!({"type": "object", "properties": {
            "page": {"type": "integer", "minimum": 1},
            "code": {"type": "string", "pattern": "^[0-9]+$"}
        }});
        let v = jsonschema::validator_for(&schema).expect("schema");
        assert!(!text_rejected(&v, &json!({"page": "2"})));
        assert!(!text_rejected(&v, &json!({"code": "007"})));
        assert!(text_rejected(&v, &json!({"page": "0"})));
        assert!(text_rejected(&v, &json!({"page": "abc"})));
        assert!(text_rejected(&v, &json!({"code": ["1", "2"]})));
        assert!(text_violations(&v, &json!({"page": "3"})).is_empty());
        assert_eq!(text_violations(&v, &json!({"page": "0"})).len(), 1);
    }
}
