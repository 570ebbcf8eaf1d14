//! The JSON text of a contract or a shared schema, before it is read as one: a UTF-8 byte-order mark is
//! accepted (Windows editors write one, and JSON parsers may ignore it), and a key given twice in one
//! object is an error naming the key, its place and line (serde_json would silently keep the last one,
//! so the first would be a rule that is never checked).

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// `text` without a leading byte-order mark.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A key that appears twice in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    /// The object's place, dotted as serde_path_to_error spells it (`example.response.data`); empty
    /// for the document itself.
    pub path: String,
    pub line: usize,
    pub column: usize,
}

impl DuplicateKey {
    /// `example.response (line 12, column 7)`, or `line 12, column 7` at the top level.
    pub fn place(&self) -> String {
        let at = format!("line {}, column {}", self.line, self.column);
        if self.path.is_empty() {
            at
        } else {
            format!("{} ({at})", self.path)
        }
    }

    pub fn message(&self) -> String {
        format!(
            "duplicate key `{}`: JSON keeps only the last one, so the first would never be checked",
            self.key
        )
    }
}

/// The first key given twice in one object of `text`; `None` when there is none, or when `text` is not
/// JSON at all (the parser that reads it reports that).
pub fn duplicate_key(text: &str) -> Option<DuplicateKey> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(without_bom(text));
    let walk = Walk {
        path: String::new(),
        found: &found,
    };
    match walk.deserialize(&mut de) {
        Ok(()) => None,
        Err(e) => found.into_inner().map(|(key, path)| DuplicateKey {
            key,
            path,
            line: e.line(),
            column: e.column(),
        }),
    }
}

/// Walks a document, keeping each object's keys until the first repeated one (recorded in `found`).
struct Walk<'a> {
    path: String,
    found: &'a RefCell<Option<(String, String)>>,
}

impl Walk<'_> {
    fn child(&self, segment: &str) -> Self {
        let path = if self.path.is_empty() {
            segment.to_string()
        } else if segment.starts_with('[') {
            format!("{}{segment}", self.path)
        } else {
            format!("{}.{segment}", self.path)
        };
        Walk {
            path,
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(self.child(&format!("[{i}]")))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                *self.found.borrow_mut() = Some((key, self.path.clone()));
                return Err(A::Error::custom("duplicate key"));
            }
            map.next_value_seed(self.child(&key))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped_and_only_at_the_start() {
        assert_eq!(without_bom("\u{feff}{}"), "{}");
        assert_eq!(without_bom("{}"), "{}");
        assert_eq!(
            without_bom("{\"a\": \"\u{feff}\"}"),
            "{\"a\": \"\u{feff}\"}"
        );
    }

    #[test]
    fn a_repeated_key_is_named_with_its_place_and_line() {
        let text =
            "{\n  \"example\": {\n    \"response\": {\"code\": 0,\n      \"code\": 1}\n  }\n}";
        let dup = duplicate_key(text).expect("a duplicate");
        assert_eq!(dup.key, "code");
        assert_eq!(dup.place(), "example.response (line 4, column 12)");
        assert!(
            dup.message().starts_with("duplicate key `code`"),
            "{}",
            dup.message()
        );
        let top = duplicate_key("\u{feff}{\"id\": 1,\n\"id\": 2}").expect("a duplicate");
        assert_eq!(top.place(), "line 2, column 4");
        let in_list = duplicate_key("{\"errors\": [{}, {\"name\": 1, \"name\": 2}]}").expect("dup");
        assert_eq!(in_list.path, "errors[1]");
    }

    #[test]
    fn the_same_key_in_different_objects_and_text_that_is_not_json_are_not_duplicates() {
        assert_eq!(
            duplicate_key("{\"a\": {\"id\": 1}, \"b\": {\"id\": 1}, \"id\": 0}"),
            None
        );
        assert_eq!(duplicate_key("{\"a\": "), None);
        assert_eq!(duplicate_key(""), None);
    }
}
