//! Business assertions beyond the schema: equals, contains, length, comparisons, exists/absent, each.

use super::path::{self, PathError};
use super::template::{render, Builtins, TemplateError, Vars};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    pub path: String,
    pub equals: Option<Value>,
    pub not_equals: Option<Value>,
    pub contains: Option<Value>,
    pub length: Option<Value>,
    pub gt: Option<Value>,
    pub gte: Option<Value>,
    pub lt: Option<Value>,
    pub lte: Option<Value>,
    pub exists: Option<bool>,
    pub absent: Option<bool>,
    pub each: Option<Box<Assertion>>,
}

/// An assertion that is not well formed (found when a scenario is loaded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAssertion {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error("`{path}`: no predicate (equals, contains, gt, …)")]
    NoPredicate { path: String },
    #[error("`{path}`: one predicate per assertion, found {}", predicates.join(", "))]
    ManyPredicates {
        path: String,
        predicates: Vec<&'static str>,
    },
}

/// A failed assertion: where, what was expected, what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub pointer: String,
    pub expected: String,
    pub actual: String,
}

impl Assertion {
    fn predicates(&self) -> Vec<&'static str> {
        let mut p = vec![];
        macro_rules! has {
            ($($f:ident),*) => { $( if self.$f.is_some() { p.push(stringify!($f)); } )* };
        }
        has!(equals, not_equals, contains, length, gt, gte, lt, lte, exists, absent, each);
        p
    }

    /// The values it compares with (templates included), for finding the variables it needs.
    pub fn clone_values(&self) -> Vec<Value> {
        let mut out: Vec<Value> = [
            &self.equals,
            &self.not_equals,
            &self.contains,
            &self.length,
            &self.gt,
            &self.gte,
            &self.lt,
            &self.lte,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        if let Some(inner) = &self.each {
            out.extend(inner.clone_values());
        }
        out
    }

    /// Exactly one predicate, and a well-formed path.
    pub fn validate(&self) -> Result<(), InvalidAssertion> {
        path::to_pointer(&self.path)?;
        let predicates = self.predicates();
        match predicates.len() {
            1 => {}
            0 => {
                return Err(InvalidAssertion::NoPredicate {
                    path: self.path.clone(),
                })
            }
            _ => {
                return Err(InvalidAssertion::ManyPredicates {
                    path: self.path.clone(),
                    predicates,
                })
            }
        }
        if let Some(inner) = &self.each {
            inner.validate()?;
        }
        Ok(())
    }

    /// Evaluates against `root` (the whole response body). `Err` only for template problems.
    pub fn check(
        &self,
        root: &Value,
        vars: &Vars,
        builtins: &Builtins,
    ) -> Result<Option<Failure>, TemplateError> {
        let pointer =
            path::to_pointer(&self.path).map_err(|e| TemplateError::Invalid(e.to_string()))?;
        let actual = root.pointer(&pointer);
        let failure = |expected: String, shown: Option<String>| Failure {
            pointer: pointer.clone(),
            expected,
            actual: shown.unwrap_or_else(|| actual.map_or("missing".to_string(), short)),
        };
        if let Some(verdict) = self.presence(actual.is_some()) {
            return Ok(verdict.map(|expected| failure(expected, None)));
        }
        let Some(actual) = actual else {
            return Ok(Some(failure("to exist".into(), None)));
        };
        if let Some(inner) = &self.each {
            let Value::Array(items) = actual else {
                return Ok(Some(failure("an array".into(), None)));
            };
            return each_item(inner, items, &pointer, vars, builtins);
        }
        let want = |v: &Value| render(v, vars, builtins);
        Ok(self
            .compare(actual, &want)?
            .map(|(expected, shown)| failure(expected, shown)))
    }

    /// `exists` / `absent`: `None` when the assertion is not about presence, else its verdict (`Some(None)`
    /// holds, `Some(Some(expected))` fails).
    fn presence(&self, present: bool) -> Option<Option<String>> {
        let verdict = |holds: bool, expected: &str| (!holds).then(|| expected.to_string());
        match (self.exists, self.absent) {
            (Some(true), _) => Some(verdict(present, "to exist")),
            (Some(false), _) => Some(verdict(!present, "to be absent")),
            (None, Some(true)) => Some(verdict(!present, "to be absent")),
            (None, Some(false)) => Some(verdict(present, "to exist")),
            (None, None) => None,
        }
    }

    /// The value predicates: `None` when the assertion holds, else what was expected (and, when it is
    /// not the value itself, what to show as the actual).
    fn compare(
        &self,
        actual: &Value,
        want: &dyn Fn(&Value) -> Result<Value, TemplateError>,
    ) -> Result<Option<(String, Option<String>)>, TemplateError> {
        let unless = |holds: bool, expected: String| (!holds).then_some((expected, None));
        if let Some(v) = &self.equals {
            let w = want(v)?;
            return Ok(unless(json_eq(actual, &w), format!("== {}", short(&w))));
        }
        if let Some(v) = &self.not_equals {
            let w = want(v)?;
            return Ok(unless(!json_eq(actual, &w), format!("!= {}", short(&w))));
        }
        if let Some(v) = &self.contains {
            let w = want(v)?;
            return Ok(unless(
                contains(actual, &w),
                format!("to contain {}", short(&w)),
            ));
        }
        if let Some(v) = &self.length {
            let w = want(v)?;
            let len = length_of(actual);
            let holds = len.is_some_and(|l| as_f64(&w) == Some(l as f64));
            let shown = len.map_or_else(|| short(actual), |l| format!("length {l}"));
            return Ok((!holds).then(|| (format!("length {}", short(&w)), Some(shown))));
        }
        for (bound, op, test) in [
            (
                &self.gt,
                ">",
                (|a: f64, b: f64| a > b) as fn(f64, f64) -> bool,
            ),
            (&self.gte, ">=", |a, b| a >= b),
            (&self.lt, "<", |a, b| a < b),
            (&self.lte, "<=", |a, b| a <= b),
        ] {
            if let Some(v) = bound {
                let w = want(v)?;
                let holds =
                    matches!((as_f64(actual), as_f64(&w)), (Some(a), Some(b)) if test(a, b));
                return Ok(unless(holds, format!("{op} {}", short(&w))));
            }
        }
        Ok(None)
    }
}

/// `each`: the nested assertion on every item, the first that fails (its pointer under the item).
fn each_item(
    inner: &Assertion,
    items: &[Value],
    pointer: &str,
    vars: &Vars,
    builtins: &Builtins,
) -> Result<Option<Failure>, TemplateError> {
    for (i, item) in items.iter().enumerate() {
        if let Some(mut f) = inner.check(item, vars, builtins)? {
            f.pointer = format!("{pointer}/{i}{}", f.pointer);
            return Ok(Some(f));
        }
    }
    Ok(None)
}

/// A string containing a substring, or an array with an element equal to (or a superset of) the value.
fn contains(actual: &Value, w: &Value) -> bool {
    match (actual, w) {
        (Value::String(s), Value::String(n)) => s.contains(n.as_str()),
        (Value::Array(items), w) => items.iter().any(|i| json_eq(i, w) || subset(w, i)),
        _ => false,
    }
}

fn length_of(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.len()),
        Value::String(s) => Some(s.chars().count()),
        Value::Object(o) => Some(o.len()),
        _ => None,
    }
}

/// A value as an assertion shows it: long enough that the runner masks a secret in it whole before it
/// cuts it to size (a value cut first would leak the part that no longer matches the secret).
fn short(v: &Value) -> String {
    crate::short::short_json(v, 2000)
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Equality where numbers compare by value (`1160` == `1160.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)).abs() < 1e-9
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// `contains` on an array of objects: an element that has at least the wanted fields.
fn subset(want: &Value, item: &Value) -> bool {
    match (want, item) {
        (Value::Object(w), Value::Object(i)) => w
            .iter()
            .all(|(k, v)| i.get(k).is_some_and(|x| json_eq(v, x) || subset(v, x))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assertion(toml_text: &str) -> Assertion {
        toml::from_str(toml_text).expect("an assertion")
    }

    fn check(a: &Assertion, body: &Value, vars: &Vars) -> Option<Failure> {
        a.check(body, vars, &Builtins::new(1))
            .expect("no template problem")
    }

    #[test]
    fn an_assertion_needs_exactly_one_predicate_and_a_well_formed_path() {
        assert_eq!(
            assertion("path = \"data.id\"\nexists = true").validate(),
            Ok(())
        );
        assert_eq!(
            assertion("path = \"data.id\"").validate(),
            Err(InvalidAssertion::NoPredicate {
                path: "data.id".into()
            })
        );
        assert_eq!(
            assertion("path = \"data.id\"\nequals = 1\ngt = 0").validate(),
            Err(InvalidAssertion::ManyPredicates {
                path: "data.id".into(),
                predicates: vec!["equals", "gt"]
            })
        );
        assert_eq!(
            assertion("path = \"data.list[x]\"\nexists = true").validate(),
            Err(InvalidAssertion::Path(PathError::NotAnIndex {
                path: "data.list[x]".into(),
                index: "x".into()
            }))
        );
        // The inner assertion of `each` is validated too.
        assert!(matches!(
            assertion("path = \"data.list\"\n[each]\npath = \"id\"").validate(),
            Err(InvalidAssertion::NoPredicate { path }) if path == "id"
        ));
    }

    #[test]
    fn the_messages_stay_what_scenario_authors_read() {
        let e = assertion("path = \"data.id\"\nequals = 1\ngt = 0")
            .validate()
            .expect_err("two predicates");
        assert_eq!(
            e.to_string(),
            "`data.id`: one predicate per assertion, found equals, gt"
        );
    }

    #[test]
    fn equals_compares_numbers_by_value_and_renders_templates() {
        let body = json!({"data": {"price": 1160.0, "owner": "u_1"}});
        let vars: Vars = [("user".to_string(), json!("u_1"))].into();
        assert_eq!(
            check(
                &assertion("path = \"data.price\"\nequals = 1160"),
                &body,
                &vars
            ),
            None
        );
        assert_eq!(
            check(
                &assertion("path = \"data.owner\"\nequals = \"{{user}}\""),
                &body,
                &vars
            ),
            None
        );
        assert_eq!(
            check(
                &assertion("path = \"data.price\"\nequals = 1"),
                &body,
                &vars
            ),
            Some(Failure {
                pointer: "/data/price".into(),
                expected: "== 1".into(),
                actual: "1160.0".into()
            })
        );
    }

    #[test]
    fn a_missing_value_fails_every_predicate_but_absent() {
        let body = json!({"data": {}});
        let vars = Vars::new();
        let failure = check(&assertion("path = \"data.id\"\ngt = 0"), &body, &vars)
            .expect("missing is not > 0");
        assert_eq!(
            (failure.expected.as_str(), failure.actual.as_str()),
            ("to exist", "missing")
        );
        assert_eq!(
            check(
                &assertion("path = \"data.id\"\nabsent = true"),
                &body,
                &vars
            ),
            None
        );
    }

    #[test]
    fn each_names_the_first_element_that_fails() {
        let body = json!({"data": {"list": [{"n": 1}, {"n": 5}]}});
        let a = assertion("path = \"data.list\"\n[each]\npath = \"n\"\nlt = 3");
        let failure = check(&a, &body, &Vars::new()).expect("the second element fails");
        assert_eq!(failure.pointer, "/data/list/1/n");
        assert_eq!(failure.expected, "< 3");
    }

    #[test]
    fn an_undefined_variable_is_a_template_error_not_a_failure() {
        let a = assertion("path = \"data.id\"\nequals = \"{{order_id}}\"");
        let err = a
            .check(&json!({"data": {"id": 1}}), &Vars::new(), &Builtins::new(1))
            .expect_err("order_id is not defined");
        assert_eq!(err, TemplateError::Missing("order_id".into()));
    }
}
