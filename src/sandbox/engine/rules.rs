//! Preconditions (`require`): a rule that does not hold refuses the request with its code and message.

use super::{Ctx, BUILTINS};
use crate::contract::behaviour::Rule;
use crate::sandbox::fault::{FaultKind, Faults};
use crate::sandbox::reply::{refuse, Refusal};
use crate::sandbox::state::State;
use crate::scenario::assert::json_eq;
use crate::scenario::template::{render, Vars};
use serde_json::Value;

pub(super) fn check_rules(ctx: &Ctx, state: &State, rules: &[Rule]) -> Result<(), Refusal> {
    let faults = Faults::new(ctx.sandbox, ctx.contract);
    for rule in rules {
        if ctx.ignores_owners && is_ownership(rule) {
            continue;
        }
        let waived = (rule.waived_by.as_deref())
            .and_then(FaultKind::from_name)
            .is_some_and(|k| faults.is_on(k));
        if !waived && applies(ctx, state, rule)? == Some(false) {
            return Err(refuse(rule.code, rule.message.clone()));
        }
    }
    Ok(())
}

/// Whether the rule holds; `None` when it does not apply: a rule about a field the request does not
/// carry (required-ness is the schema's job), or a record does not have (a seed has no owner).
/// Counters a rule names are available as counter.NAME (0 when nothing set them yet).
pub(super) fn applies(ctx: &Ctx, state: &State, rule: &Rule) -> Result<Option<bool>, Refusal> {
    let (vars, refs) = ctx.vars_with_counters(state, templates(rule))?;
    if refs.iter().any(|name| !vars.contains_key(name)) {
        return Ok(None);
    }
    holds(rule, &vars).map(Some)
}

/// A rule that the caller owns what it names (`{{record.userId}}` equals `{{user.id}}`).
fn is_ownership(rule: &Rule) -> bool {
    let me = Value::String("{{user.id}}".into());
    rule.value == me || rule.equals.as_ref() == Some(&me)
}

fn templates(rule: &Rule) -> impl Iterator<Item = &Value> {
    let compared = [
        rule.equals.as_ref(),
        rule.not_equals.as_ref(),
        rule.gte.as_ref(),
        rule.lte.as_ref(),
        rule.gt.as_ref(),
        rule.lt.as_ref(),
    ];
    std::iter::once(&rule.value)
        .chain(compared.into_iter().flatten())
        .chain(rule.one_of.iter().flatten())
}

/// Does the rule hold? It has one comparison; the first one set counts.
fn holds(rule: &Rule, vars: &Vars) -> Result<bool, Refusal> {
    let v = |x: &Value| {
        render(x, vars, &BUILTINS).map_err(|e| refuse(500, format!("sandbox rule: {e}")))
    };
    let value = v(&rule.value)?;
    let compare = |bound: &Value, ok: fn(f64, f64) -> bool| -> Result<bool, Refusal> {
        Ok(matches!((as_number(&value), as_number(&v(bound)?)), (Some(a), Some(b)) if ok(a, b)))
    };
    if let Some(e) = &rule.equals {
        Ok(json_eq(&value, &v(e)?))
    } else if let Some(e) = &rule.not_equals {
        Ok(!json_eq(&value, &v(e)?))
    } else if let Some(list) = &rule.one_of {
        let mut any = false;
        for x in list {
            any |= json_eq(&value, &v(x)?);
        }
        Ok(any)
    } else if let Some(e) = &rule.gte {
        compare(e, |a, b| a >= b)
    } else if let Some(e) = &rule.lte {
        compare(e, |a, b| a <= b)
    } else if let Some(e) = &rule.lt {
        compare(e, |a, b| a < b)
    } else if let Some(e) = &rule.gt {
        compare(e, |a, b| a > b)
    } else {
        Ok(true)
    }
}

/// Numbers compare as numbers; RFC 3339 date-times and YYYY-MM-DD dates compare as times.
fn as_number(x: &Value) -> Option<f64> {
    match x {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok().or_else(|| seconds_since_epoch(s)),
        _ => None,
    }
}

fn seconds_since_epoch(s: &str) -> Option<f64> {
    let date_time = chrono::DateTime::parse_from_rfc3339(s).map(|d| d.timestamp() as f64);
    date_time.ok().or_else(|| {
        let midnight = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?;
        Some(midnight.and_utc().timestamp() as f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(v: Value) -> Rule {
        serde_json::from_value(v).unwrap()
    }

    fn vars() -> Vars {
        Vars::from([
            ("body.amount".to_string(), json!(50)),
            ("body.status".to_string(), json!("PAID")),
            ("body.date".to_string(), json!("2026-02-01")),
        ])
    }

    #[test]
    fn comparisons_hold_or_not() {
        let cases = [
            (
                json!({"value": "{{body.amount}}", "gte": 50, "message": "m"}),
                true,
            ),
            (
                json!({"value": "{{body.amount}}", "gt": 50, "message": "m"}),
                false,
            ),
            (
                json!({"value": "{{body.amount}}", "lte": "100", "message": "m"}),
                true,
            ),
            (
                json!({"value": "{{body.status}}", "in": ["PENDING", "PAID"], "message": "m"}),
                true,
            ),
            (
                json!({"value": "{{body.status}}", "not_equals": "PAID", "message": "m"}),
                false,
            ),
            (
                json!({"value": "{{body.date}}", "lt": "2026-03-01T00:00:00Z", "message": "m"}),
                true,
            ),
            (
                json!({"value": "{{body.status}}", "gte": 1, "message": "m"}),
                false,
            ),
        ];
        for (r, expected) in cases {
            assert_eq!(holds(&rule(r.clone()), &vars()).unwrap(), expected, "{r}");
        }
    }

    #[test]
    fn dates_and_date_times_read_as_seconds() {
        assert_eq!(as_number(&json!("1970-01-02")), Some(86_400.0));
        assert_eq!(as_number(&json!("1970-01-01T00:01:00+00:00")), Some(60.0));
        assert_eq!(as_number(&json!("soon")), None);
    }
}
