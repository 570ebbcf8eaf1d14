//! Faults the sandbox can inject, one kind per check of the engine, to prove each check fires.

use serde_json::{Map, Value};

/// The table of fault kinds: the variant, its command-line name, its description.
macro_rules! fault_kinds {
    ($($kind:ident = $name:literal: $help:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FaultKind {
            $(#[doc = $help] $kind,)*
        }

        impl FaultKind {
            /// Every kind, in the order help and error messages list them.
            pub const ALL: &'static [FaultKind] = &[$(FaultKind::$kind,)*];

            /// The kebab-case name used on the command line.
            pub fn name(self) -> &'static str {
                match self {
                    $(FaultKind::$kind => $name,)*
                }
            }

            /// One line saying what the fault does, for `--help`.
            pub fn help(self) -> &'static str {
                match self {
                    $(FaultKind::$kind => $help,)*
                }
            }
        }
    };
}

fault_kinds! {
    EnvelopeMissing = "envelope-missing": "The body is `data` alone, without the envelope.",
    EnvelopeTypes = "envelope-types": "The envelope's `code` is a string.",
    SuccessCode = "success-code": "Success is answered with code 1.",
    MissingField = "missing-field": "A required `data` field is missing.",
    WrongType = "wrong-type": "A `data` field has the wrong type.",
    WrongFormat = "wrong-format": "A `data` field breaks its format (date-time, date …).",
    BadEnum = "bad-enum": "A `data` field holds a value outside its enum.",
    Slow = "slow": "Answers after the latency budget.",
    ServerError = "server-error": "HTTP 500 on valid input.",
    AuthOff = "auth-off": "Requests without a valid token are served.",
    MissingRoute = "missing-route": "The route is missing: the framework's own 404 page.",
    BadInput500 = "bad-input500": "Invalid input gets a 500 instead of a 400.",
    InvalidJson = "invalid-json": "The body is not valid JSON.",
}

impl FaultKind {
    /// The kind with this name (ASCII case does not matter).
    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// `KIND` (every endpoint) or `KIND=ID,ID` (only those contracts).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub endpoints: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown fault `{given}` (known: {})", known_names())]
pub struct ParseFaultError {
    pub given: String,
}

fn known_names() -> String {
    let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
    names.join(", ")
}

impl Fault {
    pub fn parse(spec: &str) -> Result<Fault, ParseFaultError> {
        let (kind, ids) = match spec.split_once('=') {
            Some((k, ids)) => (k, Some(ids)),
            None => (spec, None),
        };
        let kind = FaultKind::from_name(kind.trim()).ok_or_else(|| ParseFaultError {
            given: kind.to_string(),
        })?;
        let endpoints = ids.map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        });
        Ok(Fault { kind, endpoints })
    }

    pub fn applies_to(&self, contract_id: &str) -> bool {
        self.endpoints
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|i| i == contract_id))
    }
}

/// Finds the first place in `data` where the schema (with `$ref`s resolved by `resolve`) has `keyword`,
/// and returns its JSON Pointer. Used to break exactly one enum or format field.
/// Resolves a `$ref` seen in the document `base` (a shared file name, or "" for the contract itself) to
/// the schema it names and the document that schema lives in.
pub type Resolve<'a> = &'a dyn Fn(&str, &str) -> Option<(Value, String)>;

pub fn find_keyword(
    schema: &Value,
    data: &Value,
    keyword: &str,
    resolve: Resolve,
    base: &str,
    depth: usize,
) -> Option<String> {
    if depth > 24 {
        return None;
    }
    let obj = schema.as_object()?;
    if let Some(Value::String(r)) = obj.get("$ref") {
        if let Some((target, doc)) = resolve(r, base) {
            if let Some(p) = find_keyword(&target, data, keyword, resolve, &doc, depth + 1) {
                return Some(p);
            }
        }
    }
    if obj.contains_key(keyword) && !data.is_null() {
        return Some(String::new());
    }
    for sub in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get(sub) {
            for s in list {
                if let Some(p) = find_keyword(s, data, keyword, resolve, base, depth + 1) {
                    return Some(p);
                }
            }
        }
    }
    if let (Some(Value::Object(props)), Value::Object(d)) = (obj.get("properties"), data) {
        for (k, s) in props {
            if let Some(v) = d.get(k) {
                if let Some(p) = find_keyword(s, v, keyword, resolve, base, depth + 1) {
                    return Some(format!("/{k}{p}"));
                }
            }
        }
    }
    if let (Some(items), Value::Array(d)) = (obj.get("items"), data) {
        if let Some(first) = d.first() {
            if let Some(p) = find_keyword(items, first, keyword, resolve, base, depth + 1) {
                return Some(format!("/0{p}"));
            }
        }
    }
    None
}

/// The first leaf of `data` (depth first) and its pointer, for breaking one field.
pub fn first_leaf(data: &Value, want: &dyn Fn(&Value) -> bool) -> Option<String> {
    match data {
        Value::Object(o) => {
            for (k, v) in o {
                if want(v) {
                    return Some(format!("/{k}"));
                }
                if let Some(p) = first_leaf(v, want) {
                    return Some(format!("/{k}{p}"));
                }
            }
            None
        }
        Value::Array(a) => a.first().and_then(|v| {
            if want(v) {
                Some("/0".into())
            } else {
                first_leaf(v, want).map(|p| format!("/0{p}"))
            }
        }),
        _ => None,
    }
}

/// Removes the value at a pointer (object key) from `data`.
pub fn remove_at(data: &mut Value, pointer: &str) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return false;
    };
    match data.pointer_mut(parent) {
        Some(Value::Object(o)) => o.remove(key).is_some(),
        _ => false,
    }
}

pub fn set_at(data: &mut Value, pointer: &str, v: Value) {
    if pointer.is_empty() {
        *data = v;
    } else if let Some(slot) = data.pointer_mut(pointer) {
        *slot = v;
    }
}

/// The first key of the first object in `data` that the data schema requires.
pub fn first_required(schema: &Value, data: &Value, resolve: Resolve) -> Option<String> {
    fn walk(
        schema: &Value,
        data: &Value,
        resolve: Resolve,
        base: &str,
        depth: usize,
    ) -> Option<String> {
        if depth > 24 {
            return None;
        }
        let obj = schema.as_object()?;
        if let Some(Value::String(r)) = obj.get("$ref") {
            if let Some((t, doc)) = resolve(r, base) {
                if let Some(p) = walk(&t, data, resolve, &doc, depth + 1) {
                    return Some(p);
                }
            }
        }
        if let (Some(Value::Array(req)), Value::Object(d)) = (obj.get("required"), data) {
            if let Some(k) = req
                .iter()
                .filter_map(Value::as_str)
                .find(|k| d.contains_key(*k))
            {
                return Some(format!("/{k}"));
            }
        }
        if let Some(Value::Array(list)) = obj.get("allOf") {
            for s in list {
                if let Some(p) = walk(s, data, resolve, base, depth + 1) {
                    return Some(p);
                }
            }
        }
        if let (Some(items), Value::Array(d)) = (obj.get("items"), data) {
            if let Some(first) = d.first() {
                return walk(items, first, resolve, base, depth + 1).map(|p| format!("/0{p}"));
            }
        }
        None
    }
    walk(schema, data, resolve, "", 0)
}

pub fn envelope(
    code: &Value,
    message: &str,
    data: Value,
    names: &crate::config::EnvelopeConfig,
) -> Value {
    let mut m = Map::new();
    m.insert(names.code.clone(), code.clone());
    m.insert(names.message.clone(), Value::String(message.to_string()));
    m.insert(names.data.clone(), data);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_alone_applies_to_every_endpoint() {
        let f = Fault::parse("wrong-type").unwrap();
        assert_eq!(f.kind, FaultKind::WrongType);
        assert_eq!(f.endpoints, None);
        assert!(f.applies_to("anything"));
    }

    #[test]
    fn a_kind_with_ids_applies_to_those_only() {
        let f = Fault::parse(" bad-input500 = auth.login, ,orders.create ").unwrap();
        assert_eq!(f.kind, FaultKind::BadInput500);
        assert_eq!(
            f.endpoints,
            Some(vec!["auth.login".to_string(), "orders.create".to_string()])
        );
        assert!(f.applies_to("orders.create"));
        assert!(!f.applies_to("orders.list"));
    }

    #[test]
    fn names_are_kebab_case_and_read_back_in_any_ascii_case() {
        for kind in FaultKind::ALL {
            assert_eq!(FaultKind::from_name(kind.name()), Some(*kind));
            assert_eq!(
                FaultKind::from_name(&kind.name().to_uppercase()),
                Some(*kind)
            );
            assert!(!kind.help().is_empty());
        }
        assert_eq!(FaultKind::from_name("invalid_json"), None);
        assert_eq!(FaultKind::EnvelopeMissing.name(), "envelope-missing");
    }

    #[test]
    fn an_unknown_kind_is_named_with_every_known_one() {
        let err = Fault::parse("nope=health.check").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown fault `nope` (known: envelope-missing, envelope-types, success-code, \
             missing-field, wrong-type, wrong-format, bad-enum, slow, server-error, auth-off, \
             missing-route, bad-input500, invalid-json)"
        );
    }
}
