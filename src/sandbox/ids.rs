//! Ids answered as numbers, and read back. A backend whose database ids are numbers answers `10001`
//! where the contract says `"store_001"`, and takes `10001` back in a path, a query or a body; the
//! sandbox keeps its records under their string keys, so it gives each id it answers as a number
//! one number for the run, and turns that number back into the id wherever a request names an id.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// The first number given out: far from the small numbers of pages, counts and amounts.
const FIRST: u64 = 100_001;

#[derive(Default)]
pub(crate) struct NumericIds(Mutex<Numbers>);

#[derive(Default)]
struct Numbers {
    by_id: HashMap<String, u64>,
    by_number: HashMap<u64, String>,
}

impl NumericIds {
    /// The number the id is answered as: the same one every time.
    pub fn number_for(&self, id: &str) -> u64 {
        let mut n = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(number) = n.by_id.get(id) {
            return *number;
        }
        let number = FIRST + n.by_id.len() as u64;
        n.by_id.insert(id.to_string(), number);
        n.by_number.insert(number, id.to_string());
        number
    }

    /// Turns the numbers this sandbox gave out back into their ids: in every path parameter, and in
    /// the query and body fields named like ids (`id`, `storeId`, `couponIds`, `user_id`), at any depth.
    pub fn restore(&self, params: &mut Map<String, Value>, query: &mut Value, body: &mut Value) {
        let n = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if n.by_number.is_empty() {
            return;
        }
        for value in params.values_mut() {
            n.restore_value(value);
        }
        n.restore_fields(query);
        n.restore_fields(body);
    }
}

impl Numbers {
    fn restore_fields(&self, v: &mut Value) {
        match v {
            Value::Object(fields) => {
                for (k, field) in fields.iter_mut() {
                    if names_an_id(k) {
                        self.restore_value(field);
                    } else {
                        self.restore_fields(field);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|x| self.restore_fields(x)),
            _ => {}
        }
    }

    /// A number (or its text) given out for an id becomes the id; in a list, every item.
    fn restore_value(&self, v: &mut Value) {
        let number = match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            Value::Array(items) => {
                items.iter_mut().for_each(|x| self.restore_value(x));
                return;
            }
            _ => None,
        };
        if let Some(id) = number.and_then(|n| self.by_number.get(&n)) {
            *v = Value::String(id.clone());
        }
    }
}

/// `id`, `storeId`, `couponIds`, `user_id`: a field that holds ids.
pub(crate) fn names_an_id(key: &str) -> bool {
    key == "id"
        || key == "ids"
        || key.ends_with("Id")
        || key.ends_with("Ids")
        || key.ends_with("_id")
        || key.ends_with("_ids")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_id_gets_one_number_for_the_run() {
        let ids = NumericIds::default();
        assert_eq!(ids.number_for("store_001"), FIRST);
        assert_eq!(ids.number_for("store_002"), FIRST + 1);
        assert_eq!(ids.number_for("store_001"), FIRST);
    }

    #[test]
    fn numbers_given_out_come_back_as_ids_where_a_request_names_ids() {
        let ids = NumericIds::default();
        let store = ids.number_for("store_001");
        let city = ids.number_for("city_001");
        let mut params = Map::from_iter([
            ("id".to_string(), json!(store.to_string())),
            ("other".to_string(), json!("999999999")),
        ]);
        let mut query = json!({"cityId": city.to_string(), "page": store.to_string()});
        let mut body = json!({"storeId": store, "couponIds": [city, 7],
                              "order": {"pickup_id": store}, "amount": store});
        ids.restore(&mut params, &mut query, &mut body);
        assert_eq!(
            Value::Object(params),
            json!({"id": "store_001", "other": "999999999"})
        );
        assert_eq!(
            query,
            json!({"cityId": "city_001", "page": store.to_string()})
        );
        assert_eq!(
            body,
            json!({"storeId": "store_001", "couponIds": ["city_001", 7],
                   "order": {"pickup_id": "store_001"}, "amount": store})
        );
    }

    #[test]
    fn nothing_changes_before_a_number_is_given_out() {
        let ids = NumericIds::default();
        let mut body = json!({"id": FIRST});
        ids.restore(&mut Map::new(), &mut json!({}), &mut body);
        assert_eq!(body, json!({"id": FIRST}));
    }
}
