//! Where the drift faults act on one contract's answers. The places are found once, from the
//! contract's example data walked with its schema, as JSON Pointers relative to the answer data with
//! `*` for the items of an array (the spelling the runner folds its findings to), so what a fault
//! changes and what the drifted profile's answer key says are the same list.
//!
//! A field that a setup step or a scenario captures from is never renamed: a renamed field would
//! leave those flows with no value, which is a different drift (a broken chain) than a naming one.

use crate::catalog::Catalog;
use crate::contract::behaviour::{Action, Behaviour};
use crate::contract::walk::{Schema, SchemaDocs};
use crate::contract::Contract;
use crate::result::fold::index_free;
use crate::sandbox::ids::names_an_id;
use crate::scenario::path::to_pointer;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The places of one contract's answer data each drift fault changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Targets {
    /// Booleans.
    pub booleans: Vec<String>,
    /// Money (`common.json#/$defs/money`).
    pub money: Vec<String>,
    /// String ids (`common.json#/$defs/id`, or a string field named like an id).
    pub ids: Vec<String>,
    /// Required camelCase fields that nothing captures from.
    pub camel_case: Vec<String>,
    /// The `pagination` of a page `{list, pagination}` that nothing captures from.
    pub pagination: Option<String>,
}

/// The targets of every contract, by contract id.
pub(crate) fn targets_of(
    catalog: &Catalog,
    behaviours: &HashMap<String, Behaviour>,
    docs: &SchemaDocs,
    data_field: &str,
) -> HashMap<String, Targets> {
    let captured = captured_places(catalog, data_field);
    let none = vec![];
    (catalog.contracts.iter())
        .map(|c| {
            let captured = captured.get(&c.id).unwrap_or(&none);
            let behaviour = behaviours.get(&c.id);
            let data = answer_shape(c, behaviour, data_field);
            let mut t = targets(c, &data, docs, captured);
            t.keep(|place| always_answered(behaviour, place));
            (c.id.clone(), t)
        })
        .collect()
}

/// Whether every valid request's answer has something at this place, whoever asks and whatever ran
/// before: not in an answer that may be `null`, nor in a list or a record's array that may be empty,
/// except the items of a list that has the example's records from the start.
fn always_answered(b: Option<&Behaviour>, place: &str) -> bool {
    if b.is_some_and(|b| b.or_null) {
        return false;
    }
    let Some((list, item)) = place.split_once("/*") else {
        return true;
    };
    let seeded_list = b.is_some_and(|b| b.action == Action::List && b.seed);
    seeded_list && (list.is_empty() || list == "/list") && !item.contains("/*")
}

/// The shape of the contract's answers: its example data, with the fixed values its behaviour sets
/// over the example (`"list": []`); templated ones are left as the example has them.
fn answer_shape(c: &Contract, b: Option<&Behaviour>, data_field: &str) -> Value {
    let mut data = c
        .example
        .response
        .get(data_field)
        .cloned()
        .unwrap_or_default();
    let (Some(b), Value::Object(fields)) = (b, &mut data) else {
        return data;
    };
    if b.action != Action::List {
        let fixed = (b.set.iter()).filter(|(_, v)| !v.to_string().contains("{{"));
        fields.extend(fixed.map(|(k, v)| (k.clone(), v.clone())));
    }
    data
}

impl Targets {
    /// Keeps only the places `wanted` accepts, and no field inside a renamed one.
    fn keep(&mut self, wanted: impl Fn(&str) -> bool) {
        let renamed = self.camel_case.clone();
        let inside_renamed = |p: &str| renamed.iter().any(|r| p.starts_with(&format!("{r}/")));
        self.camel_case.retain(|p| !inside_renamed(p));
        for places in [
            &mut self.booleans,
            &mut self.money,
            &mut self.ids,
            &mut self.camel_case,
        ] {
            places.retain(|p| wanted(p));
        }
        self.pagination = self.pagination.take().filter(|p| wanted(p));
    }
}

/// The schema of data that has none: anything.
static ANY: Value = Value::Bool(true);

fn targets(c: &Contract, data: &Value, docs: &SchemaDocs, captured: &[String]) -> Targets {
    let schema = Schema {
        root: c.response.data.as_ref().unwrap_or(&ANY),
        docs,
    };
    let mut t = Targets::default();
    schema.each(data, &mut |at, node, value| {
        let at = index_free(at);
        let is_type = |name: &str| node.get("type").and_then(Value::as_str) == Some(name);
        let last = at.rsplit('/').next().unwrap_or_default();
        if value.is_boolean() && is_type("boolean") {
            add(&mut t.booleans, &at);
        }
        if value.is_number() && refers_to(node, "money") {
            add(&mut t.money, &at);
        }
        if value.is_string() && (refers_to(node, "id") || (is_type("string") && names_an_id(last)))
        {
            add(&mut t.ids, &at);
        }
        for field in required_camel_case(node, value) {
            let place = format!("{at}/{field}");
            if !is_captured(&place, captured) {
                add(&mut t.camel_case, &place);
            }
        }
    });
    let is_page = data.get("list").is_some_and(Value::is_array)
        && data.get("pagination").is_some_and(Value::is_object);
    if is_page && !is_captured("/pagination", captured) {
        t.pagination = Some("/pagination".into());
    }
    t
}

fn add(places: &mut Vec<String>, place: &str) {
    if !places.iter().any(|p| p == place) {
        places.push(place.to_string());
    }
}

/// The schema object is a `$ref` to a shared definition of this name (`…#/$defs/money`).
fn refers_to(node: &Map<String, Value>, name: &str) -> bool {
    let r = node.get("$ref").and_then(Value::as_str).unwrap_or_default();
    r.strip_suffix(name)
        .is_some_and(|rest| rest.ends_with("/$defs/"))
}

/// The fields the schema object requires that the data has and whose names have a capital letter.
fn required_camel_case<'v>(node: &'v Map<String, Value>, value: &Value) -> Vec<&'v str> {
    let (Some(Value::Array(required)), Value::Object(fields)) = (node.get("required"), value)
    else {
        return vec![];
    };
    (required.iter().filter_map(Value::as_str))
        .filter(|k| fields.contains_key(*k) && k.chars().any(|ch| ch.is_ascii_uppercase()))
        .collect()
}

/// A capture reads through this place (the place itself or something inside it).
fn is_captured(place: &str, captured: &[String]) -> bool {
    let inside = format!("{place}/");
    captured
        .iter()
        .any(|c| c == place || c.starts_with(&inside))
}

/// Every place setups and scenarios capture from, by contract id: pointers relative to the answer
/// data, with `*` for array items.
fn captured_places(catalog: &Catalog, data_field: &str) -> HashMap<String, Vec<String>> {
    let setups = (catalog.contracts.iter()).flat_map(|c| c.run.iter().flat_map(|r| &r.setup));
    let scenario_steps = catalog.scenarios.iter().flat_map(|s| &s.steps);
    let prefix = format!("/{data_field}");
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for step in setups.chain(scenario_steps) {
        let Some(c) = catalog.contract(&step.endpoint) else {
            continue;
        };
        for path in step.capture.values() {
            let Ok(pointer) = to_pointer(path) else {
                continue;
            };
            if let Some(rest) = pointer.strip_prefix(&prefix) {
                out.entry(c.id.clone()).or_default().push(index_free(rest));
            }
        }
    }
    out
}

/// `createdAt` → `created_at`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contract(data_schema: Value, data: Value) -> Contract {
        serde_json::from_value(json!({
            "id": "m.list", "method": "GET", "path": "/things", "phase": 1, "module": "m",
            "name": "x", "auth": "none", "response": {"data": data_schema},
            "example": {"response": {"code": 0, "message": "ok", "data": data}}
        }))
        .expect("a contract")
    }

    fn docs() -> SchemaDocs {
        SchemaDocs::from_map(HashMap::from([(
            "common.json".to_string(),
            json!({"$defs": {"id": {"type": "string"}, "money": {"type": "number"}}}),
        )]))
    }

    fn page() -> Contract {
        let item = json!({"type": "object", "required": ["id", "isHot", "dailyPrice"], "properties": {
            "id": {"$ref": "common.json#/$defs/id"},
            "cityId": {"type": "string"},
            "isHot": {"type": "boolean"},
            "dailyPrice": {"$ref": "common.json#/$defs/money"},
            "seats": {"type": "integer"}
        }});
        let schema = json!({"type": "object", "required": ["list", "pagination"], "properties": {
            "list": {"type": "array", "items": item},
            "pagination": {"type": "object"}
        }});
        contract(schema, page_data())
    }

    fn page_data() -> Value {
        json!({"list": [{"id": "v1", "cityId": "c1", "isHot": true, "dailyPrice": 580, "seats": 4}],
               "pagination": {"page": 1}})
    }

    #[test]
    fn each_drift_finds_its_places_with_a_star_for_list_items() {
        let t = targets(&page(), &page_data(), &docs(), &[]);
        assert_eq!(t.booleans, ["/list/*/isHot"]);
        assert_eq!(t.money, ["/list/*/dailyPrice"]);
        assert_eq!(t.ids, ["/list/*/id", "/list/*/cityId"]);
        assert_eq!(t.camel_case, ["/list/*/isHot", "/list/*/dailyPrice"]);
        assert_eq!(t.pagination.as_deref(), Some("/pagination"));
    }

    #[test]
    fn captured_places_are_never_renamed_or_reshaped() {
        let captured = [
            "/list/*/dailyPrice".to_string(),
            "/pagination/total".to_string(),
        ];
        let t = targets(&page(), &page_data(), &docs(), &captured);
        assert_eq!(t.camel_case, ["/list/*/isHot"]);
        assert_eq!(t.pagination, None);
        assert!(is_captured("/a", &["/a/b".into()]));
        assert!(!is_captured("/a", &["/ab".into(), "".into()]));
    }

    #[test]
    fn names_turn_to_snake_case() {
        assert_eq!(snake_case("createdAt"), "created_at");
        assert_eq!(snake_case("isHotCity"), "is_hot_city");
        assert_eq!(snake_case("id"), "id");
    }
}
