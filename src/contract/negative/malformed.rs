//! `malformed_input`'s derived bodies: the shape of a JSON body ([`shape_cases`]: not JSON, an array,
//! another content type) and values of any object-shaped part ([`value_cases`]: a wrong type, a huge
//! text, a negative or huge number), each bounded by a [`Budget`].

use super::{derived, Body, Derived, Rejects, HUGE_NUMBER, LONG_TEXT_CHARS};
use serde_json::{json, Map, Value};

/// How many value cases of each kind one part gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub wrong_types: usize,
    pub long_texts: usize,
    pub negative_numbers: usize,
    pub huge_numbers: usize,
}

/// The malformed-input check's budget per endpoint body: three shape cases and at most these value
/// cases, so at most 9 requests.
pub const MALFORMED_BUDGET: Budget = Budget {
    wrong_types: 3,
    long_texts: 1,
    negative_numbers: 1,
    huge_numbers: 1,
};

/// Bodies of the wrong shape: JSON cut short, an array holding the valid object, and the valid JSON
/// under `text/plain` (a backend that ignores a body it cannot parse sees none of its fields, so this
/// one is derived only where the schema requires fields).
pub fn shape_cases(valid: &Map<String, Value>, rejects: Rejects) -> Vec<Derived<Body>> {
    let text = Value::Object(valid.clone()).to_string();
    let mut out = vec![derived(
        "请求体不是合法 JSON",
        Body::Raw {
            content_type: "application/json".into(),
            text: cut_short(&text),
        },
    )];
    let array = json!([valid]);
    if rejects(&array) {
        out.push(derived("请求体是数组而不是对象", Body::Json(array)));
    }
    if rejects(&Value::Object(Map::new())) {
        out.push(derived(
            "Content-Type 为 text/plain",
            Body::Raw {
                content_type: "text/plain".into(),
                text,
            },
        ));
    }
    out
}

/// JSON text that a parser cannot finish: the object opened and its first value never given.
fn cut_short(text: &str) -> String {
    match text.find(':') {
        Some(i) => text[..=i].to_string(),
        None => "{\"".to_string(),
    }
}

/// The valid object with one field at a time broken, in field order, within the budget: required
/// fields with a value of the wrong type, a text field of [`LONG_TEXT_CHARS`] characters, a number
/// field negative or [`HUGE_NUMBER`]. A field counts as required when leaving it out is rejected.
pub fn value_cases(
    valid: &Map<String, Value>,
    rejects: Rejects,
    budget: Budget,
) -> Vec<Derived<Value>> {
    let with = |field: &str, value: Value| {
        let mut broken = valid.clone();
        broken.insert(field.to_string(), value);
        Value::Object(broken)
    };
    let without = |field: &str| {
        let mut less = valid.clone();
        less.remove(field);
        Value::Object(less)
    };
    let mut wrong_types = vec![];
    let mut long_texts = vec![];
    let mut negatives = vec![];
    let mut huge = vec![];
    for (field, value) in valid {
        if wrong_types.len() < budget.wrong_types && rejects(&without(field)) {
            if let Some((wrong, was)) = of_another_type(value) {
                let broken = with(field, wrong);
                if rejects(&broken) {
                    wrong_types.push(derived(
                        format!("字段 {field} 类型错误 (应为 {was})"),
                        broken,
                    ));
                }
            }
        }
        if value.is_string() && long_texts.len() < budget.long_texts {
            let broken = with(field, json!("长".repeat(LONG_TEXT_CHARS)));
            if rejects(&broken) {
                let name = format!("字段 {field} 长达 {LONG_TEXT_CHARS} 个字符");
                long_texts.push(derived(name, broken));
            }
        }
        if value.is_number() && negatives.len() < budget.negative_numbers {
            let broken = with(field, json!(-1));
            if rejects(&broken) {
                negatives.push(derived(format!("字段 {field} 为负数"), broken));
            }
        }
        if value.is_number() && huge.len() < budget.huge_numbers {
            let broken = with(field, json!(HUGE_NUMBER));
            if rejects(&broken) {
                huge.push(derived(
                    format!("字段 {field} 超大 ({HUGE_NUMBER})"),
                    broken,
                ));
            }
        }
    }
    wrong_types
        .into_iter()
        .chain(long_texts)
        .chain(negatives)
        .chain(huge)
        .collect()
}

/// A value no lenient reading turns into one of `value`'s type, and that type's name: an object where
/// text is due (the shape of a NoSQL operator, too), text where a number, a boolean, a list or an
/// object is due.
fn of_another_type(value: &Value) -> Option<(Value, &'static str)> {
    Some(match value {
        Value::String(_) => (json!({"$gt": ""}), "string"),
        Value::Number(_) => (json!("not-a-number"), "number"),
        Value::Bool(_) => (json!("not-a-boolean"), "boolean"),
        Value::Array(_) => (json!("not-a-list"), "array"),
        Value::Object(_) => (json!("not-an-object"), "object"),
        Value::Null => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{name: string ≤ 20 (required), amount: number ≥ 0 ≤ 5000 (required), note: string, tags: array}`.
    fn rejects(v: &Value) -> bool {
        let Some(o) = v.as_object() else {
            return true;
        };
        let name_ok = o
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|s| s.chars().count() <= 20);
        let amount_ok = o
            .get("amount")
            .and_then(Value::as_f64)
            .is_some_and(|n| (0.0..=5000.0).contains(&n));
        let note_ok = o.get("note").is_none_or(Value::is_string);
        let tags_ok = o.get("tags").is_none_or(Value::is_array);
        !(name_ok && amount_ok && note_ok && tags_ok)
    }

    fn valid() -> Map<String, Value> {
        json!({"note": "hi", "name": "张三", "amount": 100, "tags": ["a"]})
            .as_object()
            .cloned()
            .unwrap()
    }

    fn names<T>(cases: &[Derived<T>]) -> Vec<&str> {
        cases.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn shape_cases_are_cut_json_an_array_and_another_content_type() {
        let cases = shape_cases(&valid(), &rejects);
        assert_eq!(
            names(&cases),
            [
                "请求体不是合法 JSON",
                "请求体是数组而不是对象",
                "Content-Type 为 text/plain"
            ]
        );
        let Body::Raw { text, content_type } = &cases[0].input else {
            panic!("raw")
        };
        assert_eq!(content_type, "application/json");
        assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        assert_eq!(cases[1].input, Body::Json(json!([valid()])));
        // Without required fields, a body the backend ignores leaves a valid request.
        let cases = shape_cases(&valid(), &|v: &Value| !v.is_object());
        assert_eq!(
            names(&cases),
            ["请求体不是合法 JSON", "请求体是数组而不是对象"]
        );
    }

    #[test]
    fn value_cases_break_only_what_the_schema_forbids_within_the_budget() {
        let cases = value_cases(&valid(), &rejects, MALFORMED_BUDGET);
        assert_eq!(
            names(&cases),
            [
                "字段 name 类型错误 (应为 string)",
                "字段 amount 类型错误 (应为 number)",
                "字段 name 长达 10000 个字符",
                "字段 amount 为负数",
                "字段 amount 超大 (999999999999)",
            ]
        );
        assert_eq!(cases[0].input["name"], json!({"$gt": ""}));
        assert_eq!(cases[1].input["amount"], json!("not-a-number"));
        assert_eq!(cases[3].input["amount"], json!(-1));
        // Every derived input is one the schema rejects, and keeps the other fields valid.
        for c in &cases {
            assert!(rejects(&c.input), "{}", c.name);
            assert_eq!(c.input["tags"], json!(["a"]), "{}", c.name);
        }
        let tight = Budget {
            wrong_types: 1,
            long_texts: 0,
            negative_numbers: 0,
            huge_numbers: 0,
        };
        assert_eq!(
            names(&value_cases(&valid(), &rejects, tight)),
            ["字段 name 类型错误 (应为 string)"]
        );
    }

    #[test]
    fn a_schema_that_takes_anything_gets_no_value_case() {
        let anything = |_: &Value| false;
        assert!(value_cases(&valid(), &anything, MALFORMED_BUDGET).is_empty());
        assert_eq!(cut_short("{}"), "{\"");
    }
}
