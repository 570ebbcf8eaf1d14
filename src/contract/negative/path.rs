//! Path parameters of a read: letters where an id is due (a backend that `parseInt`s its ids gets
//! `NaN`, and its SQL fails), a number where the id is text, a negative id, zero, an over-long one, and
//! `../` with `%2F`. Each is refused when the schema forbids it, and otherwise names nothing: not
//! found. An empty segment is left out: `/vehicles/` is another route (the list), not a parameter.

use super::probe::{length_bounds, text_of_len};
use super::{refused_at, text_of, Due, Input, Part, Place, Rank, Request, Sent};
use serde_json::Value;

/// An id no record has, as a number.
const NUMBER_ID: &str = "999999999";
/// An over-long id where the schema sets no length.
const LONG_ID_CHARS: usize = 256;
/// A path that climbs out of its segment, `/` percent-encoded on the wire (`..%2F..%2Fetc%2Fpasswd`).
const CLIMBING: &str = "../../etc/passwd";

pub(super) fn inputs(req: &Request) -> Vec<Input> {
    let Some(Value::Object(params)) = &req.valid.path_params else {
        return vec![];
    };
    if !req.valid_part(Part::Path) {
        return vec![];
    }
    let mut out = vec![];
    for (name, valid) in params {
        let Some(valid) = text_of(valid) else {
            continue;
        };
        let place = Place::Path(name.clone());
        let refused = |text: &str| refused_at(req, &place, &Value::String(text.into()));
        let subject = subject(name);
        let mut tries = vec![
            (
                Rank::PathNotNumeric,
                format!("非数字 {subject}"),
                "abc".to_string(),
                false,
            ),
            (
                Rank::PathOther,
                format!("数字 {subject}"),
                NUMBER_ID.into(),
                false,
            ),
            (
                Rank::PathOther,
                format!("{subject} 为负数"),
                "-1".into(),
                false,
            ),
            (
                Rank::PathOther,
                format!("{subject} 为 0"),
                "0".into(),
                false,
            ),
        ];
        let accepts_len = |n: usize| !refused(&text_of_len(&valid, n));
        let start = valid.chars().count();
        match length_bounds(&accepts_len, start).1 {
            Some(longest) => tries.push((
                Rank::PathOther,
                format!("{subject} 超过 {longest} 个字符"),
                text_of_len(&valid, longest + 1),
                true,
            )),
            None => tries.push((
                Rank::PathOther,
                format!("超长 {subject}"),
                "x".repeat(LONG_ID_CHARS),
                false,
            )),
        }
        tries.push((
            Rank::PathOther,
            format!("{subject} 含 ../ 与 %2F"),
            CLIMBING.into(),
            false,
        ));
        for (rank, rule, text, from_valid) in tries {
            if text == valid {
                continue;
            }
            let due = if refused(&text) {
                Due::Refused
            } else {
                Due::NotFound
            };
            let shown = format!(
                "path {name} = {}",
                super::shown(&Value::String(text.clone()), true)
            );
            out.push(Input {
                rank,
                rule,
                shown,
                place: place.clone(),
                sent: Sent::Param(Value::String(text)),
                due,
                from_valid,
            });
        }
    }
    out
}

/// How a rule names the parameter: `ID` for an id (`id`, `orderId`, `orderNo`), else its name.
fn subject(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "id" || lower.ends_with("id") || lower.ends_with("no") {
        "ID".into()
    } else {
        format!("路径参数 {name}")
    }
}
