//! A Markdown document as lines that keep their own line endings, read and edited line by line, so
//! that every line the tool does not mean to change comes out byte for byte as it went in.
//!
//! Lines are numbered as people count them: the first line is line 1.

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A line's part in a fenced code block (CommonMark: ``` or ~~~, closed by a line of the same
/// character at least as long and nothing else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fence {
    /// The opening fence, with its info string (`json`), trimmed and lower-cased.
    Open(String),
    Inside,
    Close,
}

#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// The line without its ending (and, on line 1, without a byte order mark).
    pub text: &'a str,
    /// `\n`, `\r\n`, or empty for a last line without one.
    pub end: &'a str,
    /// The line's part in a fenced code block: such a line is never a heading, field or table.
    pub fence: Option<Fence>,
}

impl Line<'_> {
    pub fn in_fence(&self) -> bool {
        self.fence.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct Doc<'a> {
    lines: Vec<Line<'a>>,
    /// The byte order mark the text started with, written back as it was.
    bom: &'a str,
    /// The ending most lines use, for inserted lines.
    newline: &'static str,
}

impl<'a> Doc<'a> {
    pub fn parse(text: &'a str) -> Doc<'a> {
        let bom_len = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let (bom, body) = text.split_at(bom_len);
        let mut lines: Vec<Line<'a>> = body
            .split_inclusive('\n')
            .map(|raw| {
                let text = raw
                    .strip_suffix('\n')
                    .map(|b| b.strip_suffix('\r').unwrap_or(b))
                    .unwrap_or(raw);
                Line {
                    text,
                    end: &raw[text.len()..],
                    fence: None,
                }
            })
            .collect();
        let crlf = lines.iter().filter(|l| l.end == "\r\n").count();
        let lf = lines.iter().filter(|l| l.end == "\n").count();
        let newline = if crlf > lf { "\r\n" } else { "\n" };
        mark_fences(&mut lines);
        Doc {
            lines,
            bom,
            newline,
        }
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Line `n` (1-based).
    pub fn line(&self, n: usize) -> Option<&Line<'a>> {
        n.checked_sub(1).and_then(|i| self.lines.get(i))
    }

    /// The text of line `n` (1-based), empty past the end.
    pub fn text(&self, n: usize) -> &'a str {
        self.line(n).map_or("", |l| l.text)
    }

    /// Every line with its number.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &Line<'a>)> {
        self.lines.iter().enumerate().map(|(i, l)| (i + 1, l))
    }

    /// Heading level and text of line `n`, outside code blocks.
    pub fn heading(&self, n: usize) -> Option<(usize, &'a str)> {
        let l = self.line(n)?;
        if l.in_fence() {
            return None;
        }
        let level = l.text.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&level) {
            let rest = &l.text[level..];
            if rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t') {
                return Some((level, rest.trim()));
            }
        }
        None
    }

    /// The line after the section that the heading on line `n` (of `level`) opens: the next heading
    /// of the same or a higher level, or one past the last line.
    pub fn section_end(&self, n: usize, level: usize) -> usize {
        (n + 1..=self.len())
            .find(|i| self.heading(*i).is_some_and(|(l, _)| l <= level))
            .unwrap_or(self.len() + 1)
    }

    /// Applies edits and renders the document. Lines not edited keep their bytes and endings.
    pub fn apply(&self, edits: &Edits) -> String {
        let mut out = String::from(self.bom);
        for (n, l) in self.lines() {
            match edits.replace.get(&n) {
                Some(t) => out.push_str(t),
                None => out.push_str(l.text),
            }
            let inserts = edits.insert_after.get(&n);
            if n == self.len() && l.end.is_empty() && inserts.is_some() {
                // The last line had no ending: the inserted lines follow on new lines, and the
                // document still ends without one.
                for t in inserts.into_iter().flatten() {
                    out.push_str(self.newline);
                    out.push_str(t);
                }
                continue;
            }
            out.push_str(l.end);
            for t in inserts.into_iter().flatten() {
                out.push_str(t);
                out.push_str(if l.end.is_empty() {
                    self.newline
                } else {
                    l.end
                });
            }
        }
        out
    }
}

fn mark_fences(lines: &mut [Line]) {
    let mut open: Option<(char, usize)> = None;
    for l in lines {
        let t = l.text.trim_start_matches(' ');
        let indent = l.text.len() - t.len();
        let fence = t
            .chars()
            .next()
            .filter(|c| (*c == '`' || *c == '~') && indent <= 3)
            .map(|c| (c, t.chars().take_while(|x| *x == c).count()))
            .filter(|(_, n)| *n >= 3);
        l.fence = match (open, fence) {
            (None, Some((c, n))) => {
                open = Some((c, n));
                let info = t[n * c.len_utf8()..].trim().to_lowercase();
                Some(Fence::Open(info))
            }
            (Some((oc, on)), Some((c, n)))
                if c == oc && n >= on && t[n * c.len_utf8()..].trim().is_empty() =>
            {
                open = None;
                Some(Fence::Close)
            }
            (Some(_), _) => Some(Fence::Inside),
            (None, None) => None,
        };
    }
}

/// Line replacements and insertions, by line number in the original document.
#[derive(Debug, Default)]
pub struct Edits {
    replace: BTreeMap<usize, String>,
    insert_after: BTreeMap<usize, Vec<String>>,
}

impl Edits {
    /// Replaces the text of line `n` (its ending stays) when it differs.
    pub fn replace(&mut self, doc: &Doc, n: usize, text: String) {
        if doc.line(n).is_some_and(|l| l.text != text) {
            self.replace.insert(n, text);
        } else {
            self.replace.remove(&n);
        }
    }

    /// Inserts lines after line `n`, each with the ending of that line.
    pub fn insert_after(&mut self, n: usize, lines: Vec<String>) {
        self.insert_after.entry(n).or_default().extend(lines);
    }

    pub fn is_empty(&self) -> bool {
        self.replace.is_empty() && self.insert_after.is_empty()
    }
}

static TABLE_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$").expect("static regex")
});

/// A table row (`| a | b |`)?
pub fn is_table_row(text: &str) -> bool {
    text.trim_start().starts_with('|')
}

/// A table's separator row (`|---|:--:|`)?
pub fn is_table_separator(text: &str) -> bool {
    TABLE_SEPARATOR.is_match(text)
}

/// The cells of a table row, trimmed.
pub fn table_cells(text: &str) -> Vec<&str> {
    let t = text.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(str::trim).collect()
}

/// A table row with some cells (by index) replaced; the other cells keep their bytes.
pub fn replace_cells(original: &str, changes: &BTreeMap<usize, String>) -> String {
    let lead = &original[..original.len() - original.trim_start().len()];
    let trail = &original[original.trim_end().len()..];
    let t = original.trim();
    let (open, t) = match t.strip_prefix('|') {
        Some(r) => ("|", r),
        None => ("", t),
    };
    let (t, close) = match t.strip_suffix('|') {
        Some(r) => (r, "|"),
        None => (t, ""),
    };
    let cells: Vec<String> = t
        .split('|')
        .enumerate()
        .map(|(i, raw)| match changes.get(&i) {
            Some(v) if raw.trim() != v => format!(" {v} "),
            _ => raw.to_string(),
        })
        .collect();
    format!("{lead}{open}{}{close}{trail}", cells.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings_and_an_unedited_doc_is_the_same_bytes() {
        let text = "# t\r\nmixed\nlast";
        let doc = Doc::parse(text);
        assert_eq!(doc.len(), 3);
        assert_eq!(doc.line(1).map(|l| l.end), Some("\r\n"));
        assert_eq!(doc.line(2).map(|l| l.end), Some("\n"));
        assert_eq!(doc.line(3).map(|l| l.end), Some(""));
        assert_eq!(doc.text(2), "mixed");
        assert!(doc.line(0).is_none() && doc.line(4).is_none());
        assert_eq!(doc.apply(&Edits::default()), text);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_line_one_and_is_written_back() {
        let text = "\u{feff}## 1. 模块\n";
        let doc = Doc::parse(text);
        assert_eq!(doc.heading(1), Some((2, "1. 模块")));
        let mut e = Edits::default();
        e.replace(&doc, 1, "## 2. 模块".into());
        assert_eq!(doc.apply(&e), "\u{feff}## 2. 模块\n");
    }

    #[test]
    fn fences_hide_headings_and_say_their_info_string() {
        let doc = Doc::parse("```JSON \n## 问题\n```\n## 真的\n~~~~\n```\n~~~~\n");
        assert_eq!(
            doc.line(1).and_then(|l| l.fence.clone()),
            Some(Fence::Open("json".into()))
        );
        assert_eq!(
            doc.line(2).and_then(|l| l.fence.clone()),
            Some(Fence::Inside)
        );
        assert_eq!(
            doc.line(3).and_then(|l| l.fence.clone()),
            Some(Fence::Close)
        );
        assert!(doc.heading(2).is_none());
        assert_eq!(doc.heading(4), Some((2, "真的")));
        // A shorter or different fence does not close a ~~~~ block.
        assert_eq!(
            doc.line(6).and_then(|l| l.fence.clone()),
            Some(Fence::Inside)
        );
        assert_eq!(
            doc.line(7).and_then(|l| l.fence.clone()),
            Some(Fence::Close)
        );
    }

    #[test]
    fn headings_need_a_space_and_sections_end_at_the_same_or_a_higher_level() {
        let doc = Doc::parse("### a\n#### b\n#tag\n### c\n## d\n");
        assert_eq!(doc.heading(3), None);
        assert_eq!(doc.section_end(1, 3), 4);
        assert_eq!(doc.section_end(4, 3), 5);
        assert_eq!(doc.section_end(5, 2), 6);
    }

    #[test]
    fn edits_replace_only_what_differs_and_inserts_take_the_line_ending() {
        let doc = Doc::parse("a\r\nb\r\n");
        let mut e = Edits::default();
        e.replace(&doc, 1, "a".into());
        assert!(e.is_empty(), "the same text is no edit");
        e.replace(&doc, 2, "B".into());
        e.insert_after(1, vec!["a2".into()]);
        assert_eq!(doc.apply(&e), "a\r\na2\r\nB\r\n");
    }

    #[test]
    fn table_cells_are_read_and_replaced_without_touching_the_others() {
        let row = "| 阶段一 |  用户认证 | 10 |";
        assert_eq!(table_cells(row), ["阶段一", "用户认证", "10"]);
        assert!(is_table_row(row) && !is_table_separator(row));
        assert!(is_table_separator("|------|:---:|"));
        let mut changes = BTreeMap::new();
        changes.insert(2, "12".to_string());
        changes.insert(1, "用户认证".to_string());
        assert_eq!(replace_cells(row, &changes), "| 阶段一 |  用户认证 | 12 |");
    }
}
