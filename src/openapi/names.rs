//! Shared schemas ↔ components: `$defs/<def>` of `_schemas/<file>.json` is the component `<file>.<def>`,
//! and every `$ref` between them is rewritten by the rules here, in both directions.

use crate::contract::schema::BASE_URI;
use serde_json::{Map, Value};

/// Where component schemas live in an OpenAPI document.
pub const COMPONENTS: &str = "#/components/schemas/";
/// The one component every response of the export builds on.
pub const ENVELOPE: &str = "Envelope";
/// The shared-schema file of components whose name has no `<file>.` part (another team's `Pet`)
/// when the document's own name gives none.
pub const DEFAULT_FILE: &str = "openapi";

/// The component name of `$defs/<def>` in `_schemas/<file>.json`.
pub fn component_name(file: &str, def: &str) -> String {
    format!("{file}.{def}")
}

/// The shared file (without `.json`) and `$defs` key a component is written to on import;
/// `default_file` holds the components without a `<file>.` part (named after the document, so two
/// imported documents do not share one file).
pub fn shared_place(component: &str, default_file: &str) -> (String, String) {
    match component.split_once('.') {
        Some((file, def)) if is_file_stem(file) && !def.is_empty() => {
            (file.to_string(), def.to_string())
        }
        _ => (default_file.to_string(), component.to_string()),
    }
}

fn is_file_stem(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A component name OpenAPI accepts (`^[a-zA-Z0-9.\-_]+$`).
pub fn is_valid_component(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// A `$ref` that cannot be mapped, with the JSON Pointer (inside the schema given) where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefProblem {
    pub pointer: String,
    pub message: String,
}

/// Export: the schema with every `$ref` to a shared definition pointing at its component. `base` is
/// the shared file the schema lives in (its `#/$defs/x` refs are local to it), `None` in a contract.
pub fn to_components(schema: &Value, base: Option<&str>) -> Result<Value, RefProblem> {
    rewrite(schema, "", &|r: &str, at: &str| {
        let (file, pointer) = r.split_once('#').unwrap_or((r, ""));
        let file = file.strip_prefix(BASE_URI).unwrap_or(file);
        let stem = if file.is_empty() {
            base
        } else {
            file.strip_suffix(".json")
        };
        let def = pointer.strip_prefix("/$defs/").filter(|d| !d.contains('/'));
        match (stem, def) {
            (Some(stem), Some(def)) if is_valid_component(&component_name(stem, def)) => {
                Ok(format!("{COMPONENTS}{}", component_name(stem, def)))
            }
            _ => Err(RefProblem {
                pointer: at.to_string(),
                message: format!(
                    "`$ref: {r}` is not `<file>.json#/$defs/<name>` (the only form that becomes a component)"
                ),
            }),
        }
    })
}

/// Import: the schema with every component `$ref` pointing at its shared file; `base` is the shared
/// file the schema is written to (refs into the same file stay local), `None` in a contract.
pub fn to_shared(
    schema: &Value,
    base: Option<&str>,
    default_file: &str,
) -> Result<Value, RefProblem> {
    rewrite(schema, "", &|r: &str, at: &str| {
        let Some(name) = r.strip_prefix(COMPONENTS) else {
            return Err(RefProblem {
                pointer: at.to_string(),
                message: format!("`$ref: {r}` does not name a component schema"),
            });
        };
        let (file, def) = shared_place(name, default_file);
        Ok(if base == Some(file.as_str()) {
            format!("#/$defs/{def}")
        } else {
            format!("{file}.json#/$defs/{def}")
        })
    })
}

type RefMap<'m> = &'m dyn Fn(&str, &str) -> Result<String, RefProblem>;

/// Every `$ref` string replaced by `map(ref, pointer)`; other values copied.
fn rewrite(v: &Value, at: &str, map: RefMap) -> Result<Value, RefProblem> {
    walk(v, at, map, false)
}

/// `by_name`: `v`'s keys are names of schemas (`properties`, `$defs`, …), not keywords.
fn walk(v: &Value, at: &str, map: RefMap, by_name: bool) -> Result<Value, RefProblem> {
    Ok(match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, x) in o {
                let here = format!("{at}/{}", super::pointer_token(k));
                let keyword = if by_name { "" } else { k.as_str() };
                let value = match (keyword, x) {
                    ("$ref", Value::String(r)) => Value::String(map(r, &here)?),
                    // Enum and example values are data, not schemas: a `$ref` key in them is not a reference.
                    ("enum" | "const" | "default" | "example" | "examples", _) => x.clone(),
                    (
                        "properties" | "$defs" | "definitions" | "patternProperties"
                        | "dependentSchemas",
                        _,
                    ) => walk(x, &here, map, true)?,
                    _ => walk(x, &here, map, false)?,
                };
                out.insert(k.clone(), value);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| walk(x, &format!("{at}/{i}"), map, false))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shared_refs_become_components_and_back() {
        let contract = json!({"properties": {"id": {"$ref": "common.json#/$defs/id"},
            "status": {"$ref": "https://daodao-check.dev/schemas/orders.json#/$defs/orderStatus"},
            "note": {"enum": [{"$ref": "kept"}]},
            "example": {"$ref": "common.json#/$defs/url"}}});
        let exported = to_components(&contract, None).expect("maps");
        assert_eq!(
            exported["properties"]["id"]["$ref"],
            "#/components/schemas/common.id"
        );
        assert_eq!(
            exported["properties"]["status"]["$ref"],
            "#/components/schemas/orders.orderStatus"
        );
        assert_eq!(exported["properties"]["note"]["enum"][0]["$ref"], "kept");
        assert_eq!(
            exported["properties"]["example"]["$ref"], "#/components/schemas/common.url",
            "a property named like a keyword is a schema"
        );
        let back = to_shared(&exported, None, DEFAULT_FILE).expect("maps back");
        assert_eq!(back["properties"]["id"]["$ref"], "common.json#/$defs/id");
        let local = to_components(&json!({"$ref": "#/$defs/id"}), Some("common")).expect("maps");
        assert_eq!(local["$ref"], "#/components/schemas/common.id");
        assert_eq!(
            to_shared(&local, Some("common"), DEFAULT_FILE).expect("maps")["$ref"],
            "#/$defs/id"
        );
    }

    #[test]
    fn a_ref_that_is_not_a_shared_definition_is_named_with_its_place() {
        let e = to_components(
            &json!({"items": [{"$ref": "common.json#/$defs/page/properties/list"}]}),
            None,
        )
        .expect_err("deep pointers have no component");
        assert_eq!(e.pointer, "/items/0/$ref");
        let e = to_components(&json!({"$ref": "#/$defs/x"}), None).expect_err("no base");
        assert_eq!(e.pointer, "/$ref");
    }

    #[test]
    fn components_without_a_file_part_go_to_the_default_file() {
        assert_eq!(
            shared_place("common.id", "pets"),
            ("common".into(), "id".into())
        );
        assert_eq!(shared_place("Pet", "pets"), ("pets".into(), "Pet".into()));
        assert_eq!(shared_place(".x", "pets"), ("pets".into(), ".x".into()));
        assert_eq!(
            shared_place("io.k8s.Pod", "pets"),
            ("io".into(), "k8s.Pod".into())
        );
    }
}
