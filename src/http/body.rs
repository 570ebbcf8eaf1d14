//! What a response body is, read within the run's bounds: JSON (whole, or only its top level when it is
//! too large to validate), or why it is not JSON. Invalid UTF-8 is decoded with replacement characters
//! and its first offending byte is kept, so a check can say so instead of judging the lossy text silently.

use super::TransportError;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// serde_json's recursion limit (it guards its own stack): a body nested this deep or deeper is refused,
/// which says nothing about whether it is JSON.
pub const JSON_DEPTH_LIMIT: usize = 128;

/// Why a body has no JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotJson {
    /// Nothing was sent (a 204, a redirect, an empty 200).
    Empty,
    /// Reading stopped at the read limit: the rest was never seen.
    Truncated,
    /// Nested [`JSON_DEPTH_LIMIT`] levels deep or more.
    TooDeep,
    /// serde_json's reason, e.g. `EOF while parsing a list at line 1 column 30`.
    Syntax(String),
}

/// A body read and decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub text: String,
    /// The whole body parsed, when it is JSON no larger than the validation limit.
    pub json: Option<Value>,
    /// A larger JSON body's top level, with every nested list and object emptied (their types kept):
    /// all the envelope check needs, at the cost of a small one.
    pub top_level: Option<Value>,
    pub not_json: Option<NotJson>,
    /// The offset of the first byte that is not UTF-8, when there is one.
    pub invalid_utf8_at: Option<usize>,
}

/// Reads the body up to `cap` bytes and stops there, however much more (or however long) the backend
/// sends: the rest is never read. Returns the bytes and whether it stopped at the cap.
pub(super) async fn read_capped(
    resp: &mut reqwest::Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), TransportError> {
    let announced = resp
        .content_length()
        .map_or(0, |n| n.min(cap as u64) as usize);
    let mut bytes: Vec<u8> = Vec::with_capacity(announced);
    while let Some(chunk) = resp.chunk().await.map_err(super::classify)? {
        if bytes.len() + chunk.len() > cap {
            bytes.extend_from_slice(&chunk[..cap - bytes.len()]);
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, false))
}

/// Decodes `bytes`; `truncated` says reading stopped at the read limit, `max_validated` is the largest
/// body parsed whole, and `envelope` names the top-level members a larger one keeps.
pub fn decode(bytes: Vec<u8>, truncated: bool, max_validated: usize, envelope: &[&str]) -> Body {
    let (text, invalid_utf8_at) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    let shallow = text.len() > max_validated;
    let parsed = if truncated {
        Err(NotJson::Truncated)
    } else if text.trim().is_empty() {
        Err(NotJson::Empty)
    } else if shallow {
        top_level(&text, envelope).map_err(not_json)
    } else {
        serde_json::from_str::<Value>(&text).map_err(not_json)
    };
    let (parsed, not_json) = match parsed {
        Ok(v) => (Some(v), None),
        Err(why) => (None, Some(why)),
    };
    let (json, top_level) = if shallow {
        (None, parsed)
    } else {
        (parsed, None)
    };
    Body {
        text,
        json,
        top_level,
        not_json,
        invalid_utf8_at,
    }
}

fn not_json(e: serde_json::Error) -> NotJson {
    let message = e.to_string();
    if message.starts_with("recursion limit exceeded") {
        NotJson::TooDeep
    } else {
        NotJson::Syntax(message)
    }
}

/// The top level of a document: scalars as they are, a list emptied, an object with only the members
/// named in `keep`, each emptied. Its size is bounded by what we name, not by what the body holds.
fn top_level(text: &str, keep: &[&str]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ShallowVisitor { keep: Some(keep) }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Reads a value keeping only what [`top_level`] says: at the top level (`keep` given) an object keeps
/// the named members; below it every list and object is emptied (serde_json skips their content
/// without recursing or allocating).
#[derive(Clone, Copy)]
struct ShallowVisitor<'k> {
    keep: Option<&'k [&'k str]>,
}

impl<'de> DeserializeSeed<'de> for ShallowVisitor<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ShallowVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(vec![]))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let below = ShallowVisitor { keep: None };
        while let Some(k) = map.next_key::<String>()? {
            match self.keep {
                Some(keep) if keep.contains(&k.as_str()) => {
                    out.insert(k, map.next_value_seed(below)?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const WHOLE: usize = 1 << 20;
    const ENVELOPE: &[&str] = &["code", "message", "data"];

    fn decode(bytes: Vec<u8>, truncated: bool, max_validated: usize) -> Body {
        super::decode(bytes, truncated, max_validated, ENVELOPE)
    }

    #[test]
    fn json_is_parsed_whole_up_to_the_validation_limit() {
        let body = decode(br#"{"code":0,"data":{"a":[1,2]}}"#.to_vec(), false, WHOLE);
        assert_eq!(body.json, Some(json!({"code": 0, "data": {"a": [1, 2]}})));
        assert_eq!(body.top_level, None);
        assert_eq!((body.not_json, body.invalid_utf8_at), (None, None));
    }

    #[test]
    fn a_larger_body_keeps_its_top_level_with_nested_containers_emptied() {
        let text =
            r#"{"code":0,"message":"ok","data":[{"id":1},{"id":2}],"meta":{"x":[1]},"n":null}"#;
        let kept = ["code", "message", "data", "meta", "n"];
        let body = super::decode(text.as_bytes().to_vec(), false, 10, &kept);
        assert_eq!(body.json, None, "never mistaken for the whole body");
        assert_eq!(
            body.top_level,
            Some(json!({"code": 0, "message": "ok", "data": [], "meta": {}, "n": null}))
        );
        let list = decode(b"[1,[2],{}]".to_vec(), false, 3);
        assert_eq!(list.top_level, Some(json!([])));
        let many: Vec<String> = (0..10_000).map(|i| format!("\"k{i}\":{i}")).collect();
        let wide = format!("{{{},\"code\":0}}", many.join(","));
        let body = decode(wide.into_bytes(), false, 10);
        assert_eq!(
            body.top_level,
            Some(json!({"code": 0})),
            "only the envelope's members are kept"
        );
        assert!(matches!(
            decode(b"{} x".to_vec(), false, 1).not_json,
            Some(NotJson::Syntax(_))
        ));
        let broken = decode(br#"{"code":0,"data":[1,"#.to_vec(), false, 3);
        assert!(
            matches!(broken.not_json, Some(NotJson::Syntax(_))),
            "{broken:?}"
        );
        assert_eq!(broken.top_level, None);
    }

    #[test]
    fn nesting_past_the_parser_limit_is_too_deep_not_a_syntax_error() {
        let deep = format!(
            "{}{}",
            "[".repeat(JSON_DEPTH_LIMIT + 1),
            "]".repeat(JSON_DEPTH_LIMIT + 1)
        );
        assert_eq!(
            decode(deep.into_bytes(), false, WHOLE).not_json,
            Some(NotJson::TooDeep)
        );
        let fits = format!(
            "{}{}",
            "[".repeat(JSON_DEPTH_LIMIT - 1),
            "]".repeat(JSON_DEPTH_LIMIT - 1)
        );
        assert_eq!(decode(fits.into_bytes(), false, WHOLE).not_json, None);
    }

    #[test]
    fn each_reason_for_no_json_is_its_own() {
        assert_eq!(decode(vec![], false, WHOLE).not_json, Some(NotJson::Empty));
        assert_eq!(
            decode(b" \n".to_vec(), false, WHOLE).not_json,
            Some(NotJson::Empty)
        );
        assert_eq!(
            decode(b"{\"a\":1}".to_vec(), true, WHOLE).not_json,
            Some(NotJson::Truncated),
            "a cut body is never parsed, even when its start happens to be JSON"
        );
        assert_eq!(
            decode(b"<html>".to_vec(), false, WHOLE).not_json,
            Some(NotJson::Syntax("expected value at line 1 column 1".into()))
        );
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily_and_its_offset_kept() {
        let mut bytes = br#"{"code":0,"message":"ok"#.to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice(br#"","data":null}"#);
        let body = decode(bytes, false, WHOLE);
        assert_eq!(body.invalid_utf8_at, Some(23));
        assert_eq!(
            body.json.as_ref().and_then(|j| j["message"].as_str()),
            Some("ok\u{fffd}")
        );
    }
}
