//! `{{…}}` templates: variables, arithmetic over numeric variables, and built-ins.
//!
//! A string that is exactly one template takes the value's own type (`"{{amount}}"` → `100`), so
//! numbers captured from one response stay numbers in the next request.

use chrono::{Duration, FixedOffset, Utc};
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

pub type Vars = BTreeMap<String, Value>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A variable that is not (yet) defined: usually a capture of a step that failed.
    Missing(String),
    Invalid(String),
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Missing(v) => write!(f, "variable `{v}` is not defined"),
            TemplateError::Invalid(m) => f.write_str(m),
        }
    }
}

/// Generators for the built-ins; one per run, so generated phone numbers never repeat within it.
pub struct Builtins {
    counter: AtomicU64,
    base: u64,
    /// The phone numbers generated and not yet handed to the run's masking: a phone is a secret
    /// wherever it came from.
    issued_phones: Mutex<Vec<String>>,
}

impl Builtins {
    pub fn new(seed: u64) -> Self {
        Builtins {
            counter: AtomicU64::new(0),
            base: seed % 100_000_000,
            issued_phones: Mutex::new(vec![]),
        }
    }

    pub fn from_entropy() -> Self {
        Self::new(rand::random::<u64>())
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A unique mainland test mobile number in the 199 range.
    pub fn phone(&self) -> String {
        let n = (self.base + self.next() * 7_919) % 100_000_000;
        let phone = format!("199{n:08}");
        self.issued().push(phone.clone());
        phone
    }

    /// The phone numbers generated since the last call, for the run's masking.
    pub fn take_issued_phones(&self) -> Vec<String> {
        std::mem::take(&mut *self.issued())
    }

    fn issued(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // A panic elsewhere while holding the list leaves it usable: it is only ever pushed to.
        self.issued_phones
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn eval(&self, name: &str) -> Result<Value, TemplateError> {
        let china = FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset");
        let now = Utc::now().with_timezone(&china);
        let days = |arg: &str| -> Result<i64, TemplateError> {
            arg.trim()
                .trim_start_matches('+')
                .parse::<i64>()
                .map_err(|_| {
                    TemplateError::Invalid(format!("`${name}`: `{arg}` is not a day count"))
                })
        };
        if let Some(arg) = name.strip_prefix("date(").and_then(|s| s.strip_suffix(')')) {
            let d = now + Duration::days(days(arg)?);
            return Ok(Value::String(d.format("%Y-%m-%d").to_string()));
        }
        if let Some(arg) = name
            .strip_prefix("datetime(")
            .and_then(|s| s.strip_suffix(')'))
        {
            let d = now + Duration::days(days(arg)?);
            return Ok(Value::String(
                d.format("%Y-%m-%dT10:00:00+08:00").to_string(),
            ));
        }
        Ok(match name {
            "phone" => Value::String(self.phone()),
            "uuid" => Value::String(uuid::Uuid::new_v4().to_string()),
            "random" => Value::String(format!("{:06}", rand::random::<u32>() % 1_000_000)),
            "timestamp" => Value::from(now.timestamp()),
            "now" => Value::String(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
            "today" => Value::String(now.format("%Y-%m-%d").to_string()),
            other => {
                return Err(TemplateError::Invalid(format!(
                    "unknown built-in `${other}` (known: $phone, $uuid, $random, $timestamp, $now, $today, $date(N), $datetime(N))"
                )))
            }
        })
    }
}

static TEMPLATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*(.*?)\s*\}\}").expect("static regex"));
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:\.\d+)?").expect("static regex"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_.:]*").expect("static regex"));

fn eval_expr(expr: &str, vars: &Vars, builtins: &Builtins) -> Result<Value, TemplateError> {
    // `a ?? b`: a, or b when a is not defined.
    if let Some((left, right)) = expr.split_once("??") {
        return match eval_expr(left.trim(), vars, builtins) {
            Err(TemplateError::Missing(_)) => eval_expr(right.trim(), vars, builtins),
            other => other,
        };
    }
    if let Some(b) = expr.strip_prefix('$') {
        return builtins.eval(b);
    }
    if let Some(v) = vars.get(expr) {
        return Ok(v.clone());
    }
    if let Some(lit) = expr.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
        return Ok(Value::String(lit.to_string()));
    }
    match expr {
        "null" => return Ok(Value::Null),
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if IDENT.find(expr).is_some_and(|m| m.as_str() == expr) {
        return Err(TemplateError::Missing(expr.to_string()));
    }
    // Arithmetic: substitute numeric variables, then evaluate.
    let mut missing = None;
    let mut bad = None;
    let substituted = IDENT.replace_all(expr, |c: &regex::Captures| {
        let name = &c[0];
        match vars.get(name) {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) if s.parse::<f64>().is_ok() => s.clone(),
            Some(other) => {
                bad = Some(format!("`{name}` is {other}, not a number"));
                "0".into()
            }
            None => {
                missing.get_or_insert_with(|| name.to_string());
                "0".into()
            }
        }
    });
    if let Some(m) = missing {
        return Err(TemplateError::Missing(m));
    }
    if let Some(b) = bad {
        return Err(TemplateError::Invalid(format!("in `{expr}`: {b}")));
    }
    // Integer division would surprise people comparing prices: evaluate in floats.
    let as_float = NUMBER.replace_all(&substituted, |c: &regex::Captures| {
        if c[0].contains('.') {
            c[0].to_string()
        } else {
            format!("{}.0", &c[0])
        }
    });
    match evalexpr::eval(&as_float) {
        Ok(evalexpr::Value::Float(f)) => Ok(number(f)),
        Ok(evalexpr::Value::Int(i)) => Ok(Value::from(i)),
        Ok(evalexpr::Value::Boolean(b)) => Ok(Value::Bool(b)),
        Ok(other) => Ok(Value::String(other.to_string())),
        Err(e) => Err(TemplateError::Invalid(format!(
            "cannot evaluate `{expr}`: {e}"
        ))),
    }
}

/// A float that is a whole number becomes an integer, so `2 * 580` compares equal to `1160`.
fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64((f * 1e6).round() / 1e6)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// Renders one string.
pub fn render_str(s: &str, vars: &Vars, builtins: &Builtins) -> Result<Value, TemplateError> {
    if let Some(c) = TEMPLATE.captures(s) {
        if c.get(0)
            .is_some_and(|m| m.start() == 0 && m.end() == s.len())
        {
            return eval_expr(&c[1], vars, builtins);
        }
    } else {
        return Ok(Value::String(s.to_string()));
    }
    let mut err = None;
    let out = TEMPLATE.replace_all(s, |c: &regex::Captures| {
        match eval_expr(&c[1], vars, builtins) {
            Ok(Value::String(s)) => s,
            Ok(v) => v.to_string(),
            Err(e) => {
                err.get_or_insert(e);
                String::new()
            }
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(Value::String(out.into_owned())),
    }
}

/// Renders every string in a JSON value (keys are left as they are).
pub fn render(value: &Value, vars: &Vars, builtins: &Builtins) -> Result<Value, TemplateError> {
    Ok(match value {
        Value::String(s) => render_str(s, vars, builtins)?,
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| render(v, vars, builtins))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => {
            let mut m = Map::new();
            for (k, v) in o {
                m.insert(k.clone(), render(v, vars, builtins)?);
            }
            Value::Object(m)
        }
        other => other.clone(),
    })
}

/// The variables a value refers to (for deciding whether a step is blocked).
pub fn referenced_vars(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            for c in TEMPLATE.captures_iter(s) {
                let expr = &c[1];
                if expr.starts_with('$') {
                    continue;
                }
                out.extend(IDENT.find_iter(expr).map(|m| m.as_str().to_string()));
            }
        }
        Value::Array(a) => a.iter().for_each(|v| referenced_vars(v, out)),
        Value::Object(o) => o.values().for_each(|v| referenced_vars(v, out)),
        _ => {}
    }
}

/// Deep merge: objects merge key by key, anything else is replaced.
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// A value as text: a string as it is (no quotes), anything else as JSON. How a captured or templated
/// value becomes a token, a header or a lookup key.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
