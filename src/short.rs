//! Short, printable forms of what a backend sent, made where a finding is written: a finding never
//! carries an unbounded value or a control character from the wire.
//!
//! Findings are masked after they are made, so a cut must never leave half a secret behind (half a
//! phone number no longer looks like one): a cut that would fall inside a token (letters, digits and
//! `-._~+/=%`, which is what tokens, JWTs and phone numbers are made of) drops that whole token instead.

use serde_json::Value;
use std::io::Write;

/// How long a server's text (a message, the start of a body, a header) may be in a finding.
pub const TEXT_CHARS: usize = 200;
/// How long a value's one-line JSON may be in a finding.
pub const VALUE_CHARS: usize = 80;

fn in_token(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/=%".contains(c)
}

/// `s` with control characters escaped (`\u{1b}`), cut at `max` characters without splitting a token;
/// `…` marks a cut.
pub fn server_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in cut_text(s, max).chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` cut at `max` characters without splitting a token (`…` marks a cut), nothing escaped: for text
/// that is then quoted with `{:?}`.
pub fn cut_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (shown, c) in s.chars().enumerate() {
        if shown == max {
            return cut_here(out, c);
        }
        out.push(c);
    }
    out
}

/// Ends `kept` where the next character would have been `next`: a token running across the cut is
/// dropped whole.
fn cut_here(mut kept: String, next: char) -> String {
    if in_token(next) {
        let token_start = kept
            .char_indices()
            .rev()
            .take_while(|(_, c)| in_token(*c))
            .last()
            .map(|(i, _)| i);
        if let Some(i) = token_start {
            kept.truncate(i);
        }
    }
    kept.push('…');
    kept
}

/// A writer that keeps the first `max` bytes and then refuses, so serialising a huge value stops early.
struct Capped {
    bytes: Vec<u8>,
    max: usize,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.max.saturating_sub(self.bytes.len());
        if room == 0 {
            return Err(std::io::Error::other("long enough"));
        }
        let n = buf.len().min(room);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A one-line rendering of a JSON value, cut at `max` characters (as [`server_text`] cuts), with the
/// size of a list or an object that was cut: `[0,0,0,…] (1000000 items)`. Serialising stops at the cut,
/// so a huge value costs no more than a small one.
pub fn short_json(v: &Value, max: usize) -> String {
    // Four bytes per character at most, and one more character to know whether there was more.
    let mut w = Capped {
        bytes: vec![],
        max: max.saturating_add(1).saturating_mul(4),
    };
    let complete = serde_json::to_writer(&mut w, v).is_ok();
    let text = String::from_utf8_lossy(&w.bytes);
    let text = text.trim_end_matches('\u{fffd}');
    let shown = server_text(text, max);
    let was_cut = !complete || shown.ends_with('…');
    let size = match v {
        Value::Array(items) if was_cut => format!(" ({} items)", items.len()),
        Value::Object(fields) if was_cut => format!(" ({} fields)", fields.len()),
        _ => String::new(),
    };
    match (was_cut, shown.ends_with('…')) {
        (true, false) => format!("{shown}…{size}"),
        _ => format!("{shown}{size}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_escaped_and_short_text_is_kept() {
        assert_eq!(server_text("ok", 10), "ok");
        assert_eq!(
            server_text("\u{1b}[31mred\u{7}\r\n", 50),
            "\\u{1b}[31mred\\u{7}\\r\\n"
        );
    }

    #[test]
    fn a_cut_never_splits_a_token() {
        assert_eq!(server_text("hello world", 8), "hello …");
        assert_eq!(server_text("hello world", 5), "hello…");
        // A phone number in Chinese text: the cut falls inside it, so all of it goes.
        assert_eq!(server_text("手机号13812345678已注册", 7), "手机号…");
        assert_eq!(
            server_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", 20),
            "…"
        );
        assert_eq!(server_text("token=abc==; next", 9), "…");
    }

    #[test]
    fn a_short_value_is_its_json_and_a_long_one_says_its_size() {
        assert_eq!(short_json(&json!({"a": [1, "x"]}), 80), r#"{"a":[1,"x"]}"#);
        assert_eq!(short_json(&json!("\u{1b}"), 80), r#""\u001b""#);
        let big = Value::Array(vec![json!(0); 1_000_000]);
        assert_eq!(short_json(&big, 8), "[0,0,0,0… (1000000 items)");
        let fields: serde_json::Map<String, Value> =
            (0..50).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(short_json(&Value::Object(fields), 10).ends_with("… (50 fields)"));
        let text = json!("a".repeat(100));
        assert_eq!(
            short_json(&text, 10),
            "\"…",
            "one long token is dropped whole"
        );
    }
}
