//! The sandbox's starting data, from the contracts' examples: collections from list items and
//! detail examples, counters from the examples of the endpoints that read them.

use super::list::example_items;
use crate::catalog::Catalog;
use crate::contract::behaviour::{Action, Behaviour};
use crate::contract::Contract;
use crate::sandbox::state::{Record, State};
use crate::scenario::template::value_text;
use crate::scenario::template::{render_str, Builtins, Vars};
use serde_json::Value;
use std::collections::HashMap;

/// Seeds the records into `state`; answers the counters' starting values by name.
pub(crate) fn seed(
    catalog: &Catalog,
    behaviours: &HashMap<String, Behaviour>,
    data_field: &str,
    state: &mut State,
) -> HashMap<String, f64> {
    let mut counter_init = HashMap::new();
    for c in &catalog.contracts {
        let Some(b) = behaviours.get(&c.id) else {
            continue;
        };
        let data = c
            .example
            .response
            .get(data_field)
            .cloned()
            .unwrap_or(Value::Null);
        seed_counters(c, b, &data, &mut counter_init);
        let Some(collection) = b.collection.as_ref().filter(|_| b.seed) else {
            continue;
        };
        for item in example_records(c, b, data) {
            let Some(key) = item.get(&b.key).map(value_text) else {
                continue;
            };
            let records = state.records.entry(collection.clone()).or_default();
            if !records.iter().any(|r| r.key == key) {
                records.push(Record {
                    key,
                    owner: None,
                    value: item,
                    seq: 0,
                });
            }
        }
    }
    counter_init
}

/// Counters start at the example's value, by template and by the name the example's own request
/// renders it to (so `likes:{{path.id}}` starts at the example for that id only).
fn seed_counters(
    c: &Contract,
    b: &Behaviour,
    data: &Value,
    counter_init: &mut HashMap<String, f64>,
) {
    let mut vars = Vars::new();
    let request = &c.example.request;
    for (prefix, part) in [
        ("path", &request.path_params),
        ("query", &request.query),
        ("body", &request.body),
    ] {
        if let Some(Value::Object(o)) = part {
            for (k, v) in o {
                vars.insert(format!("{prefix}.{k}"), v.clone());
            }
        }
    }
    let builtins = Builtins::new(0);
    for (pointer, name) in &b.counters {
        let (Some(name), Some(v)) = (name.as_str(), data.pointer(pointer).and_then(Value::as_f64))
        else {
            continue;
        };
        counter_init.entry(name.to_string()).or_insert(v);
        if let Ok(Value::String(rendered)) = render_str(name, &vars, &builtins) {
            counter_init.entry(rendered).or_insert(v);
        }
    }
}

/// The records an example holds: a list's items, or a detail answer keyed by the example's path
/// parameter.
fn example_records(c: &Contract, b: &Behaviour, data: Value) -> Vec<Value> {
    match b.action {
        Action::List => example_items(&data),
        Action::Get => {
            let param = b.key_param(c);
            let path_params = c.example.request.path_params.as_ref();
            let key = param.and_then(|p| path_params?.get(&p).cloned());
            match (key, data) {
                (Some(k), Value::Object(mut o)) => {
                    o.entry(b.key.clone()).or_insert(k);
                    vec![Value::Object(o)]
                }
                _ => vec![],
            }
        }
        _ => vec![],
    }
}
