//! Control characters from a backend never reach a terminal or a report raw: ESC could retitle the
//! window, clear the screen or recolour a fake `PASS` line; CR could overwrite a line. They are shown as
//! escapes instead: `\e` for ESC, `\r`, `\xNN` for the other C0 and C1 controls, `\u{…}` for the
//! bidirectional overrides that reorder what a reader sees.

/// Escapes controls, keeping newlines and tabs (for multi-line excerpts).
pub fn escape_controls(text: &str) -> String {
    escape(text, true)
}

/// Escapes controls including newlines and tabs (for one-line fields: a finding's message, a reason).
pub fn escape_controls_one_line(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, keep_lines: bool) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' if keep_lines => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            c if is_control(c) => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if is_bidi(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    is_control(c) || is_bidi(c)
}

fn is_control(c: char) -> bool {
    (c as u32) < 0x20 || c == '\x7f' || (0x80..=0x9f).contains(&(c as u32))
}

fn is_bidi(c: char) -> bool {
    matches!(c as u32, 0x202a..=0x202e | 0x2066..=0x2069)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_make_controls_visible() {
        assert_eq!(
            escape_controls("a\x1b]0;pwned\x07b\rPASS\u{9b}\u{202e}x"),
            "a\\e]0;pwned\\x07b\\rPASS\\x9B\\u{202e}x"
        );
        assert_eq!(escape_controls("line\n\tnext"), "line\n\tnext");
        assert_eq!(escape_controls_one_line("x\nPASS 通过"), "x\\nPASS 通过");
        assert_eq!(escape_controls("plain 中文"), "plain 中文");
    }
}
