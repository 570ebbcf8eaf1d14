//! A walk of JSON data alongside its schema, following `$ref` into the shared documents: the place in
//! an answer a sandbox fault breaks, the fields a request schema declares, the keywords that constrain
//! one field; and one walk of the data alone.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// Deeper schemas than this are not followed (a `$ref` cycle ends here).
const MAX_DEPTH: usize = 24;

/// The shared schema documents (`_schemas/*.json`) by file name, for following `$ref`.
#[derive(Debug, Default)]
pub struct SchemaDocs(HashMap<String, Value>);

impl SchemaDocs {
    /// Reads every JSON file of `dir`; unreadable ones are left out (lint reports them).
    pub fn load(dir: &Path) -> SchemaDocs {
        let mut docs = HashMap::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).ok();
            if let Some(v) = text.and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
                docs.insert(entry.file_name().to_string_lossy().to_string(), v);
            }
        }
        SchemaDocs(docs)
    }

    pub fn from_map(docs: HashMap<String, Value>) -> SchemaDocs {
        SchemaDocs(docs)
    }

    /// The schema a `$ref` seen in document `base` ("" for the contract itself) names, and the name
    /// of the document it lives in.
    fn resolve<'d>(&'d self, r: &str, base: &'d str) -> Option<(&'d Value, &'d str)> {
        let (file, pointer) = r.split_once('#').unwrap_or((r, ""));
        let file = file.rsplit('/').next().unwrap_or(file);
        let (name, doc) = self
            .0
            .get_key_value(if file.is_empty() { base } else { file })?;
        Some((doc.pointer(pointer)?, name.as_str()))
    }
}

/// A contract's schema of the answer data, with the shared documents its `$ref`s point into.
pub struct Schema<'a> {
    pub root: &'a Value,
    pub docs: &'a SchemaDocs,
}

/// Looks at one schema object and the data it describes; names a place there (a pointer relative to
/// that data: `""` for the data itself, `/key` for one of its fields) or lets the walk go on.
pub type Visitor<'v> = &'v dyn Fn(&Map<String, Value>, &Value) -> Option<String>;

/// What [`Schema::each`] calls at each place: its pointer, the schema object and the data there.
pub type Seen<'v> = &'v mut dyn FnMut(&str, &Map<String, Value>, &Value);

/// What the walk calls at each schema object: the pointer of the data it describes (array items as
/// `/0`), the schema object and the data; an answer ends the walk with it.
type Visit<'v> = &'v mut dyn FnMut(&str, &Map<String, Value>, &Value) -> Option<String>;

impl Schema<'_> {
    /// The JSON Pointer of the first place in `data` the visitor names. The walk is depth first: at
    /// each schema object it follows `$ref` first, then asks the visitor, then follows `allOf`,
    /// `anyOf`, `oneOf`, the `properties` present in the data, and `items` for the first array item.
    pub fn find(&self, data: &Value, visit: Visitor) -> Option<String> {
        let mut absolute = |at: &str, node: &Map<String, Value>, data: &Value| {
            visit(node, data).map(|p| format!("{at}{p}"))
        };
        self.walk(self.root, data, "", "", 0, &mut absolute)
    }

    /// Calls `seen` with every place the walk of [`Schema::find`] reaches: its pointer (the first item
    /// of an array as `/0`), the schema object and the data there.
    pub fn each(&self, data: &Value, seen: Seen) {
        let mut all = |at: &str, node: &Map<String, Value>, data: &Value| {
            seen(at, node, data);
            None
        };
        self.walk(self.root, data, "", "", 0, &mut all);
    }

    /// The fields an object schema declares at its top level: its `properties`, through `$ref`,
    /// `allOf`, `anyOf` and `oneOf`. Empty when it declares none.
    pub fn declared_fields(&self) -> Vec<String> {
        let mut out = vec![];
        self.collect_fields(self.root, "", 0, &mut out);
        out
    }

    fn collect_fields(&self, schema: &Value, base: &str, depth: usize, out: &mut Vec<String>) {
        let Some(node) = schema.as_object().filter(|_| depth <= MAX_DEPTH) else {
            return;
        };
        if let Some(Value::String(r)) = node.get("$ref") {
            if let Some((target, doc)) = self.docs.resolve(r, base) {
                self.collect_fields(target, doc, depth + 1, out);
            }
        }
        if let Some(Value::Object(props)) = node.get("properties") {
            out.extend(
                props
                    .keys()
                    .filter(|k| !out.contains(k))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        let branches = ["allOf", "anyOf", "oneOf"]
            .into_iter()
            .filter_map(|k| node.get(k).and_then(Value::as_array))
            .flatten();
        for s in branches {
            self.collect_fields(s, base, depth + 1, out);
        }
    }

    fn walk(
        &self,
        schema: &Value,
        data: &Value,
        at: &str,
        base: &str,
        depth: usize,
        visit: Visit,
    ) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = schema.as_object()?;
        if let Some(Value::String(r)) = node.get("$ref") {
            if let Some((target, doc)) = self.docs.resolve(r, base) {
                if let Some(p) = self.walk(target, data, at, doc, depth + 1, visit) {
                    return Some(p);
                }
            }
        }
        if let Some(p) = visit(at, node, data) {
            return Some(p);
        }
        let branches = ["allOf", "anyOf", "oneOf"]
            .into_iter()
            .filter_map(|k| node.get(k).and_then(Value::as_array))
            .flatten();
        for s in branches {
            if let Some(p) = self.walk(s, data, at, base, depth + 1, visit) {
                return Some(p);
            }
        }
        if let (Some(Value::Object(props)), Value::Object(fields)) = (node.get("properties"), data)
        {
            for (k, s) in props {
                let Some(field) = fields.get(k) else { continue };
                let here = format!("{at}/{k}");
                if let Some(p) = self.walk(s, field, &here, base, depth + 1, visit) {
                    return Some(p);
                }
            }
        }
        match (node.get("items"), data) {
            (Some(items), Value::Array(list)) => {
                let here = format!("{at}/0");
                self.walk(items, list.first()?, &here, base, depth + 1, visit)
            }
            _ => None,
        }
    }
}

/// Names the data itself when its schema has `keyword` (`format`, `enum` …) and the data is there.
pub fn has_keyword(
    keyword: &'static str,
) -> impl Fn(&Map<String, Value>, &Value) -> Option<String> {
    move |node, data| (node.contains_key(keyword) && !data.is_null()).then(String::new)
}

/// Names the first field the schema requires that the data has.
pub fn present_required(node: &Map<String, Value>, data: &Value) -> Option<String> {
    let (Some(Value::Array(required)), Value::Object(fields)) = (node.get("required"), data) else {
        return None;
    };
    required
        .iter()
        .filter_map(Value::as_str)
        .find(|k| fields.contains_key(*k))
        .map(|k| format!("/{k}"))
}

/// The pointer of the first value of `data` (depth first, first array item only) that `want` accepts.
pub fn first_leaf(data: &Value, want: &dyn Fn(&Value) -> bool) -> Option<String> {
    let children: Vec<(String, &Value)> = match data {
        Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(a) => a
            .first()
            .map(|v| ("0".to_string(), v))
            .into_iter()
            .collect(),
        _ => vec![],
    };
    children.into_iter().find_map(|(k, v)| {
        if want(v) {
            Some(format!("/{k}"))
        } else {
            first_leaf(v, want).map(|p| format!("/{k}{p}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs() -> SchemaDocs {
        SchemaDocs(HashMap::from([(
            "common.json".to_string(),
            json!({"$defs": {
                "status": {"type": "string", "enum": ["ON", "OFF"]},
                "user": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"},
                    "since": {"$ref": "#/$defs/date"}
                }},
                "date": {"type": "string", "format": "date"}
            }}),
        )]))
    }

    #[test]
    fn declared_fields_follow_refs_and_branches() {
        let docs = docs();
        let schema = json!({"allOf": [{"$ref": "common.json#/$defs/user"}],
                            "properties": {"note": {"type": "string"}, "id": {}}});
        let s = Schema {
            root: &schema,
            docs: &docs,
        };
        assert_eq!(s.declared_fields(), ["note", "id", "since"]);
        let none = json!({"type": "object"});
        let s = Schema {
            root: &none,
            docs: &docs,
        };
        assert!(s.declared_fields().is_empty());
    }

    fn find(schema: &Value, data: &Value, visit: Visitor) -> Option<String> {
        let docs = docs();
        let schema = Schema {
            root: schema,
            docs: &docs,
        };
        schema.find(data, visit)
    }

    #[test]
    fn finds_a_keyword_through_refs_into_another_document_and_back_within_it() {
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string"},
            "owner": {"$ref": "common.json#/$defs/user"}
        }});
        let data = json!({"name": "x", "owner": {"id": "u1", "since": "2025-01-01"}});
        assert_eq!(
            find(&schema, &data, &has_keyword("format")),
            Some("/owner/since".into())
        );
    }

    #[test]
    fn finds_a_keyword_in_the_first_item_of_an_array_and_in_combinators() {
        let schema = json!({"type": "object", "properties": {"list": {"type": "array", "items": {
            "allOf": [{"type": "object"}, {"properties": {"status": {"$ref": "https://x/common.json#/$defs/status"}}}]
        }}}});
        let data = json!({"list": [{"status": "ON"}, {"status": "OFF"}]});
        assert_eq!(
            find(&schema, &data, &has_keyword("enum")),
            Some("/list/0/status".into())
        );
        assert_eq!(
            find(&schema, &json!({"list": []}), &has_keyword("enum")),
            None
        );
    }

    #[test]
    fn a_place_the_data_does_not_have_is_not_found() {
        let schema = json!({"properties": {"a": {"format": "date-time"}, "b": {"enum": [1]}}});
        assert_eq!(
            find(&schema, &json!({"b": 1}), &has_keyword("format")),
            None
        );
        assert_eq!(
            find(&schema, &json!({"a": null}), &has_keyword("format")),
            None
        );
        assert_eq!(
            find(&schema, &json!({"a": null, "b": 1}), &has_keyword("enum")),
            Some("/b".into())
        );
    }

    #[test]
    fn finds_the_first_required_field_present_at_the_shallowest_place() {
        let schema = json!({"type": "object", "required": ["missing", "user"], "properties": {
            "user": {"$ref": "common.json#/$defs/user"}
        }});
        let data = json!({"user": {"id": "u1"}});
        assert_eq!(
            find(&schema, &data, &present_required),
            Some("/user".into())
        );
        let nested = json!({"type": "array", "items": {"$ref": "common.json#/$defs/user"}});
        assert_eq!(
            find(&nested, &json!([{"id": "u1"}]), &present_required),
            Some("/0/id".into())
        );
        assert_eq!(
            find(&nested, &json!([{"name": "u1"}]), &present_required),
            None
        );
    }

    #[test]
    fn finds_a_required_field_inside_alternatives_and_properties() {
        let nullable = json!({"anyOf": [{"type": "null"}, {"$ref": "common.json#/$defs/user"}]});
        assert_eq!(
            find(&nullable, &json!({"id": "u1"}), &present_required),
            Some("/id".into())
        );
        assert_eq!(find(&nullable, &Value::Null, &present_required), None);
        let nested = json!({"properties": {"user": {"$ref": "common.json#/$defs/user"}}});
        let data = json!({"user": {"id": "u1"}});
        assert_eq!(
            find(&nested, &data, &present_required),
            Some("/user/id".into())
        );
    }

    #[test]
    fn a_ref_cycle_ends() {
        let schema = json!({"$ref": "#/$defs/loop"});
        let docs = SchemaDocs(HashMap::from([(
            "".to_string(),
            json!({"$defs": {"loop": {"$ref": "#/$defs/loop"}}}),
        )]));
        let found = Schema {
            root: &schema,
            docs: &docs,
        }
        .find(&json!({}), &has_keyword("enum"));
        assert_eq!(found, None);
    }

    #[test]
    fn first_leaf_goes_depth_first_into_the_first_item() {
        let data = json!({"a": {"b": [null, 1], "c": "x"}, "d": true});
        let scalar = |v: &Value| v.is_string() || v.is_number() || v.is_boolean();
        assert_eq!(first_leaf(&data, &scalar), Some("/a/c".into()));
        assert_eq!(first_leaf(&json!([[2]]), &scalar), Some("/0/0".into()));
        assert_eq!(first_leaf(&json!({"a": [], "b": null}), &scalar), None);
    }
}
