//! JSON helpers of the sandbox: shaping answers like the contract's example, template variables from a request part, and setting values at a JSON Pointer.

use crate::scenario::template::Vars;
use serde_json::{json, Value};

/// Overlays `value` onto `template`, keeping the template's shape: only keys the template has, and
/// only values of the same JSON kind, so the answer stays valid against the contract's schema.
pub(crate) fn fit(template: &Value, value: &Value) -> Value {
    match (template, value) {
        (Value::Object(t), Value::Object(v)) => Value::Object(
            t.iter()
                .map(|(k, tv)| {
                    let fitted = v.get(k).map_or_else(|| tv.clone(), |vv| fit(tv, vv));
                    (k.clone(), fitted)
                })
                .collect(),
        ),
        (Value::Array(t), Value::Array(v)) => match t.first() {
            None => Value::Array(v.clone()),
            Some(item) => Value::Array(v.iter().map(|x| fit(item, x)).collect()),
        },
        (Value::Null, v) => v.clone(),
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_)) => value.clone(),
        _ => template.clone(),
    }
}

/// Adds every field of `v`, at any depth, as a template variable `prefix.a.b`.
pub(crate) fn flatten(prefix: &str, v: &Value, vars: &mut Vars) {
    if let Value::Object(o) = v {
        for (k, x) in o {
            let name = format!("{prefix}.{k}");
            vars.insert(name.clone(), x.clone());
            flatten(&name, x, vars);
        }
    }
}

/// Replaces, in string values, each `from` with its `to` (the example's path parameter values with the
/// requested ones).
pub(crate) fn substitute(v: &mut Value, pairs: &[(String, String)]) {
    match v {
        Value::String(s) => {
            for (from, to) in pairs {
                if s == from {
                    *s = to.clone();
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, pairs)),
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, pairs)),
        _ => {}
    }
}

/// Replaces the value at a pointer when there is one there (`""`: the whole value).
pub(crate) fn replace_at(data: &mut Value, pointer: &str, v: Value) {
    if let Some(slot) = data.pointer_mut(pointer) {
        *slot = v;
    }
}

/// Sets the value at a pointer, adding the last key to its object when it is missing.
pub(crate) fn insert_at(data: &mut Value, pointer: &str, v: Value) {
    if let Some(slot) = data.pointer_mut(pointer) {
        *slot = v;
    } else if let Some((parent, key)) = pointer.rsplit_once('/') {
        if let Some(Value::Object(o)) = data.pointer_mut(parent) {
            o.insert(key.to_string(), v);
        }
    }
}

/// Removes the object key at a pointer; false when there is none.
pub(crate) fn remove_at(data: &mut Value, pointer: &str) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return false;
    };
    match data.pointer_mut(parent) {
        Some(Value::Object(o)) => o.remove(key).is_some(),
        _ => false,
    }
}

/// Reads as numbers the numeric texts at the places where a number was expected (`(pointer,
/// expectation)` pairs, as schema violations give them); true when any changed.
pub(crate) fn numbers_from_text<'e>(
    data: &mut Value,
    places: impl Iterator<Item = (&'e str, &'e str)>,
) -> bool {
    let mut changed = false;
    for (pointer, expected) in places {
        if !(expected.contains("number") || expected.contains("integer")) {
            continue;
        }
        let Some(slot) = data.pointer_mut(pointer) else {
            continue;
        };
        let number = slot.as_str().and_then(|t| t.trim().parse::<f64>().ok());
        if let Some(n) = number.and_then(serde_json::Number::from_f64) {
            *slot = match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => json!(f as i64),
                _ => Value::Number(n),
            };
            changed = true;
        }
    }
    changed
}

/// Calls `f` on every value at a pointer pattern, where a `*` segment stands for the items of an array:
/// every `stride`-th one, from the first. Places the data does not have are skipped.
pub(crate) fn each_at(
    data: &mut Value,
    pattern: &str,
    stride: usize,
    f: &mut dyn FnMut(&mut Value),
) {
    let segments: Vec<String> = (pattern.split('/').skip(1))
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    each_below(data, &segments, stride.max(1), f);
}

fn each_below(data: &mut Value, segments: &[String], stride: usize, f: &mut dyn FnMut(&mut Value)) {
    let Some((first, rest)) = segments.split_first() else {
        return f(data);
    };
    match data {
        Value::Array(items) if first == "*" => {
            for item in items.iter_mut().step_by(stride) {
                each_below(item, rest, stride, f);
            }
        }
        Value::Array(items) => {
            if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                each_below(item, rest, stride, f);
            }
        }
        Value::Object(fields) => {
            if let Some(field) = fields.get_mut(first) {
                each_below(field, rest, stride, f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_the_templates_keys_and_kinds() {
        let template = json!({"id": "u_1", "age": 1, "vip": false, "tags": ["a"], "extra": null});
        let value = json!({"id": "u_9", "age": "old", "vip": true, "tags": ["x", 2], "unknown": 1,
                           "extra": {"any": "thing"}});
        assert_eq!(
            fit(&template, &value),
            json!({"id": "u_9", "age": 1, "vip": true, "tags": ["x", "a"], "extra": {"any": "thing"}})
        );
    }

    #[test]
    fn fit_shapes_every_array_item_like_the_first_example_item() {
        let template = json!({"list": [{"id": "a", "n": 0}]});
        let value = json!({"list": [{"id": "b", "n": 2, "x": 1}, {"id": "c"}]});
        assert_eq!(
            fit(&template, &value),
            json!({"list": [{"id": "b", "n": 2}, {"id": "c", "n": 0}]})
        );
        // An empty example array takes the value's items as they are.
        assert_eq!(fit(&json!([]), &json!([1, "x"])), json!([1, "x"]));
    }

    #[test]
    fn flatten_names_every_nested_field() {
        let mut vars = Vars::new();
        flatten("body", &json!({"a": {"b": 1}, "c": [1]}), &mut vars);
        assert_eq!(vars["body.a"], json!({"b": 1}));
        assert_eq!(vars["body.a.b"], json!(1));
        assert_eq!(vars["body.c"], json!([1]));
        assert_eq!(vars.len(), 3);
    }

    #[test]
    fn substitute_replaces_whole_strings_only() {
        let mut v = json!({"id": "p1", "list": ["p1", "p10"], "n": 1});
        substitute(&mut v, &[("p1".into(), "p2".into())]);
        assert_eq!(v, json!({"id": "p2", "list": ["p2", "p10"], "n": 1}));
    }

    #[test]
    fn replace_at_only_replaces_while_insert_at_adds_the_last_key() {
        let mut v = json!({"a": {"b": 1}});
        replace_at(&mut v, "/a/c", json!(2));
        assert_eq!(v, json!({"a": {"b": 1}}));
        insert_at(&mut v, "/a/c", json!(2));
        insert_at(&mut v, "/a/b", json!(3));
        insert_at(&mut v, "/x/y", json!(4));
        assert_eq!(v, json!({"a": {"b": 3, "c": 2}}));
        replace_at(&mut v, "", json!("all"));
        assert_eq!(v, json!("all"));
    }

    #[test]
    fn remove_at_removes_object_keys() {
        let mut v = json!({"a": {"b": 1, "c": 2}});
        assert!(remove_at(&mut v, "/a/b"));
        assert!(!remove_at(&mut v, "/a/b"));
        assert!(!remove_at(&mut v, ""));
        assert_eq!(v, json!({"a": {"c": 2}}));
    }

    #[test]
    fn each_at_visits_every_place_of_a_pattern_and_every_other_item_with_a_stride() {
        let mut v = json!({"list": [{"on": true}, {"on": true}, {"on": true}, {"x": 1}], "a/b": 1});
        let mut seen = 0;
        each_at(&mut v, "/list/*/on", 1, &mut |x| {
            seen += 1;
            *x = json!(1);
        });
        assert_eq!(seen, 3, "the item without the field is skipped");
        each_at(&mut v, "/list/*/on", 2, &mut |x| *x = json!(0));
        assert_eq!(
            v["list"],
            json!([{"on": 0}, {"on": 1}, {"on": 0}, {"x": 1}])
        );
        each_at(&mut v, "/a~1b", 1, &mut |x| *x = json!(2));
        each_at(&mut v, "/list/1/on", 1, &mut |x| *x = json!("one"));
        each_at(&mut v, "/missing/*", 1, &mut |_| panic!("not there"));
        assert_eq!(
            (v["a/b"].clone(), v["list"][1]["on"].clone()),
            (json!(2), json!("one"))
        );
    }

    #[test]
    fn numeric_texts_become_numbers_only_where_a_number_was_expected() {
        let mut v = json!({"price": "580.00", "shares": "3", "phone": "13800138000", "n": "x"});
        let places = [
            ("/price", "type number"),
            ("/shares", "type integer"),
            ("/phone", "type string"),
            ("/n", "type number"),
            ("/gone", "type number"),
        ];
        assert!(numbers_from_text(&mut v, places.into_iter()));
        assert_eq!(
            v,
            json!({"price": 580, "shares": 3, "phone": "13800138000", "n": "x"})
        );
        assert!(!numbers_from_text(
            &mut v,
            [("/n", "type number")].into_iter()
        ));
    }
}
