//! A JSON body: no body at all, `null`, and for each top-level field of the valid body a number just
//! past each bound (or zero where zero is not allowed), text just past its `minLength` or `maxLength`, a value no enum
//! allows, a malformed date, date-time, phone or URL; and a field the schema does not define, where it
//! forbids them. Only what the schema refuses: a body travels on a write, and a write is never sent
//! again to be served. The body's shape and its absurd values are `malformed_input`'s ([`super::malformed`]);
//! `{}` is the missing-required case's.

use super::probe::{integer_bounds, integer_of, length_bounds, text_of_len};
use super::{
    has_length, Body, Due, Input, Place, Rank, Request, Sent, BAD_DATE, BAD_DATE_TIME,
    UNKNOWN_VALUE,
};
use serde_json::{json, Map, Value};

/// A field no contract declares, for a schema that allows no others.
const UNKNOWN_FIELD: &str = "daodaoCheckUnknownField";
/// A phone number of the wrong shape, and a URL that is none.
const BAD_PHONE: &str = "12345";
const BAD_URL: &str = "not a url";

pub(super) fn inputs(req: &Request) -> Vec<Input> {
    let (Some(validator), true) = (&req.compiled.body, req.json_body) else {
        return vec![];
    };
    let Some(Value::Object(valid)) = &req.valid.body else {
        return vec![];
    };
    let rejects = |body: &Value| !validator.is_valid(body);
    // A valid body the schema refuses (a backend that drifted answered what it was sent) would make
    // every change of it look refused.
    if rejects(&Value::Object(valid.clone())) {
        return vec![];
    }
    let mut out = vec![];
    let whole = |rank, rule: &str, shown: &str, body: Body| Input {
        rank,
        rule: rule.into(),
        shown: shown.into(),
        place: Place::Body(None),
        sent: Sent::Body(body),
        due: Due::Refused,
        from_valid: false,
    };
    if rejects(&json!({})) {
        let empty = Body::Raw {
            content_type: "application/json".into(),
            text: String::new(),
        };
        out.push(whole(Rank::EmptyBody, "空请求体", "body = (空)", empty));
    }
    if rejects(&Value::Null) {
        let null = Body::Json(Value::Null);
        out.push(whole(Rank::NullBody, "请求体为 null", "body = null", null));
    }
    for (name, value) in valid {
        let mut field = Field {
            name,
            valid,
            rejects: &rejects,
            out: &mut out,
        };
        let keywords = req.keywords(
            req.schemas.body.as_ref(),
            &Value::Object(valid.clone()),
            &format!("/{name}"),
        );
        match value {
            Value::Number(n) => field.numbers(n.to_string().as_str()),
            Value::String(s) => field.text(s, &keywords),
            _ => {}
        }
    }
    let mut extra = valid.clone();
    extra.insert(UNKNOWN_FIELD.into(), json!("daodao-check"));
    if rejects(&Value::Object(extra)) {
        out.push(Input {
            rank: Rank::Undefined,
            rule: "未定义字段".into(),
            shown: format!("body.{UNKNOWN_FIELD} = \"daodao-check\""),
            place: Place::Body(Some(UNKNOWN_FIELD.into())),
            sent: Sent::Field(json!("daodao-check")),
            due: Due::Refused,
            from_valid: false,
        });
    }
    out
}

/// One field of the valid body and the inputs found for it.
struct Field<'a> {
    name: &'a str,
    valid: &'a Map<String, Value>,
    rejects: &'a dyn Fn(&Value) -> bool,
    out: &'a mut Vec<Input>,
}

impl Field<'_> {
    /// Whether the schema refuses the valid body with this field's value replaced.
    fn refused(&self, value: &Value) -> bool {
        let mut body = self.valid.clone();
        body.insert(self.name.into(), value.clone());
        (self.rejects)(&Value::Object(body))
    }

    /// Adds the input when the schema refuses it and it is not one already added.
    fn push(&mut self, rank: Rank, rule: String, value: Value, from_valid: bool) {
        let seen = self.out.iter().any(|i| {
            i.place == Place::Body(Some(self.name.into())) && i.sent == Sent::Field(value.clone())
        });
        if seen || !self.refused(&value) {
            return;
        }
        self.out.push(Input {
            rank,
            rule,
            shown: format!("body.{} = {}", self.name, super::shown(&value, true)),
            place: Place::Body(Some(self.name.into())),
            sent: Sent::Field(value),
            due: Due::Refused,
            from_valid,
        });
    }

    /// A number just past each bound, and zero where zero is not allowed.
    fn numbers(&mut self, valid: &str) {
        let Some(start) = integer_of(valid).filter(|n| !self.refused(&json!(n))) else {
            return;
        };
        let name = self.name;
        let accepts = |n: i64| !self.refused(&json!(n));
        let (lowest, highest) = integer_bounds(&accepts, start);
        for n in lowest
            .map(|lo| lo - 1)
            .into_iter()
            .chain([0])
            .chain(highest.map(|hi| hi + 1))
        {
            self.push(Rank::BodyOutside, format!("{name} = {n}"), json!(n), false);
        }
    }

    /// Text: a malformed date, phone or URL, a value no enum allows, each length bound.
    fn text(&mut self, valid: &str, keywords: &Map<String, Value>) {
        let name = self.name;
        let format = keywords.get("format").and_then(Value::as_str);
        let malformed = match format {
            Some("date") => Some(("日期", BAD_DATE)),
            Some("date-time") => Some(("日期时间", BAD_DATE_TIME)),
            _ if is_phone(valid) => Some(("手机号", BAD_PHONE)),
            _ if valid.starts_with("http://") || valid.starts_with("https://") => {
                Some(("网址", BAD_URL))
            }
            _ => None,
        };
        if let Some((what, bad)) = malformed {
            self.push(
                Rank::Undefined,
                format!("{name} {what}格式错误"),
                json!(bad),
                false,
            );
        }
        if keywords.contains_key("enum") {
            let rule = format!("{name} 不在枚举内");
            self.push(Rank::Undefined, rule, json!(UNKNOWN_VALUE), false);
        }
        if !has_length(keywords) {
            return;
        }
        let accepts = |n: usize| !self.refused(&json!(text_of_len(valid, n)));
        let (shortest, longest) = length_bounds(&accepts, valid.chars().count());
        if let Some(m) = longest {
            let rule = format!("{name} 超过 {m} 个字符");
            self.push(
                Rank::BodyOutside,
                rule,
                json!(text_of_len(valid, m + 1)),
                true,
            );
        }
        match shortest {
            Some(1) => {
                self.push(
                    Rank::BodyOutside,
                    format!("{name} 为空字符串"),
                    json!(""),
                    false,
                );
            }
            Some(b) => {
                let rule = format!("{name} 少于 {b} 个字符");
                self.push(
                    Rank::BodyOutside,
                    rule,
                    json!(text_of_len(valid, b - 1)),
                    true,
                );
            }
            None => {}
        }
    }
}

/// A mainland mobile number: what a `phone` field's valid value looks like.
fn is_phone(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}
