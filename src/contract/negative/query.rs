//! Query parameters, each the valid request's (or, when it sends none, one its schema declares):
//! a number just past each bound and just inside it (`page=0`, `limit=101`, `limit=100`), a huge one
//! where no bound is, letters where a number is due, a value no enum, format or pattern allows, text
//! just past its length, an empty value and the name repeated.

use super::probe::{integer_bounds, integer_of, length_bounds, text_of_len};
use super::{
    has_length, refused_at, text_of, Due, Input, Part, Place, Rank, Request, Sent, BAD_DATE,
    BAD_DATE_TIME, HUGE_NUMBER, UNKNOWN_VALUE,
};
use serde_json::{Map, Value};

pub(super) fn inputs(req: &Request) -> Vec<Input> {
    if !req.valid_part(Part::Query) {
        return vec![];
    }
    let valid = match &req.valid.query {
        Some(Value::Object(q)) => q.clone(),
        _ => Map::new(),
    };
    let mut names: Vec<String> = (valid.iter())
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for declared in req.declared(req.schemas.query.as_ref()) {
        if !names.contains(&declared) {
            names.push(declared);
        }
    }
    let mut out = vec![];
    for name in names {
        let value = valid.get(&name).and_then(text_of);
        out.extend(param(req, &valid, &name, value));
    }
    out
}

/// The inputs of one parameter, in the order they were thought of (each value once).
struct Found<'r> {
    req: &'r Request<'r>,
    name: &'r str,
    place: Place,
    valid: Option<String>,
    out: Vec<Input>,
}

impl Found<'_> {
    fn refused(&self, value: &Value) -> bool {
        refused_at(self.req, &self.place, value)
    }

    /// Adds the input when the schema judges it as intended, and it is neither the valid value nor
    /// one already added.
    fn push(&mut self, rank: Rank, rule: String, value: Value, due: Due, from_valid: bool) {
        let same_as_valid = self.valid.as_deref().is_some_and(|v| value == v);
        let seen = self
            .out
            .iter()
            .any(|i| i.sent == Sent::Param(value.clone()));
        if same_as_valid || seen || self.refused(&value) != (due == Due::Refused) {
            return;
        }
        let shown = match &value {
            Value::Array(items) => format!(
                "query {} = {} (重复)",
                self.name,
                items
                    .iter()
                    .map(|v| super::shown(v, false))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::String(s) if s.is_empty() => format!("query {} = \"\"", self.name),
            v => format!("query {} = {}", self.name, super::shown(v, false)),
        };
        self.out.push(Input {
            rank,
            rule,
            shown,
            place: self.place.clone(),
            sent: Sent::Param(value),
            due,
            from_valid,
        });
    }
}

fn text(t: impl Into<String>) -> Value {
    Value::String(t.into())
}

fn param(
    req: &Request,
    valid_query: &Map<String, Value>,
    name: &str,
    valid: Option<String>,
) -> Vec<Input> {
    let mut found = Found {
        req,
        name,
        place: Place::Query(name.to_string()),
        valid: valid.clone(),
        out: vec![],
    };
    let mut data = valid_query.clone();
    data.insert(
        name.into(),
        text(valid.clone().unwrap_or_else(|| "1".into())),
    );
    let keywords = req.keywords(
        req.schemas.query.as_ref(),
        &Value::Object(data),
        &format!("/{name}"),
    );
    // A number is what the schema makes of it: letters refused, the valid value (or 1) taken.
    let numeric = found.refused(&text("abc"));
    let start = match &valid {
        Some(v) => integer_of(v).filter(|n| numeric && !found.refused(&text(n.to_string()))),
        None => (numeric && !found.refused(&text("1"))).then_some(1),
    };
    match (start, &valid) {
        (Some(start), _) => numbers(&mut found, start),
        (None, Some(v)) => texts(&mut found, v, &keywords),
        (None, None) => undefined(&mut found, &keywords),
    }
    found.push(
        Rank::QueryEmpty,
        format!("{name} 为空"),
        text(""),
        Due::Refused,
        false,
    );
    if let Some(v) = valid {
        let twice = Value::Array(vec![text(v.clone()), text(v)]);
        found.push(
            Rank::QueryEmpty,
            format!("{name} 重复出现"),
            twice,
            Due::Refused,
            false,
        );
    }
    found.out
}

/// A number: each bound just outside and just inside, a huge value where no upper bound is, letters.
fn numbers(found: &mut Found, start: i64) {
    let name = found.name.to_string();
    let accepts = |n: i64| !found.refused(&text(n.to_string()));
    let (lowest, highest) = integer_bounds(&accepts, start);
    let at = |n: i64| (format!("{name}={n}"), text(n.to_string()));
    if let Some(lo) = lowest {
        let (rule, value) = at(lo - 1);
        found.push(Rank::QueryOutside, rule, value, Due::Refused, false);
    }
    if let Some(hi) = highest {
        let (rule, value) = at(hi + 1);
        found.push(Rank::QueryOutside, rule, value, Due::Refused, false);
    }
    found.push(
        Rank::QueryWrongType,
        format!("{name}=abc"),
        text("abc"),
        Due::Refused,
        false,
    );
    if let Some(lo) = lowest {
        let (rule, value) = at(lo);
        found.push(Rank::Inside, rule, value, Due::Served, false);
    }
    match highest {
        Some(hi) => {
            let (rule, value) = at(hi);
            found.push(Rank::Inside, rule, value, Due::Served, false);
        }
        None => {
            let (rule, value) = at(HUGE_NUMBER);
            found.push(Rank::HugeInside, rule, value, Due::Served, false);
        }
    }
}

/// Text: a malformed date where a date is due, a value no enum or pattern allows, each length bound.
fn texts(found: &mut Found, valid: &str, keywords: &Map<String, Value>) {
    let name = found.name.to_string();
    let bad_date = match keywords.get("format").and_then(Value::as_str) {
        Some("date") => Some(BAD_DATE),
        Some("date-time") => Some(BAD_DATE_TIME),
        _ => None,
    };
    match bad_date {
        Some(bad) => {
            let rule = format!("{name} 日期格式错误");
            found.push(Rank::Undefined, rule, text(bad), Due::Refused, false);
        }
        None => undefined(found, keywords),
    }
    if !has_length(keywords) {
        return;
    }
    let accepts = |n: usize| !found.refused(&text(text_of_len(valid, n)));
    let (shortest, longest) = length_bounds(&accepts, valid.chars().count());
    if let Some(m) = longest {
        let rule = format!("{name} 超过 {m} 个字符");
        found.push(
            Rank::QueryOutside,
            rule,
            text(text_of_len(valid, m + 1)),
            Due::Refused,
            true,
        );
        let rule = format!("{name} 恰为 {m} 个字符");
        found.push(
            Rank::Inside,
            rule,
            text(text_of_len(valid, m)),
            Due::Served,
            true,
        );
    }
    if let Some(b) = shortest.filter(|b| *b > 1) {
        let rule = format!("{name} 少于 {b} 个字符");
        found.push(
            Rank::QueryOutside,
            rule,
            text(text_of_len(valid, b - 1)),
            Due::Refused,
            true,
        );
    }
}

/// A value no enum (or pattern) of the parameter allows.
fn undefined(found: &mut Found, keywords: &Map<String, Value>) {
    let name = found.name;
    let rule = if keywords.contains_key("enum") {
        format!("{name} 不在枚举内")
    } else if keywords.contains_key("pattern") {
        format!("{name} 取值无效")
    } else {
        return;
    };
    found.push(
        Rank::Undefined,
        rule,
        text(UNKNOWN_VALUE),
        Due::Refused,
        false,
    );
}
