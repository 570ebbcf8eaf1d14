//! A Markdown document as lines that keep their own line endings, edited line by line, so that
//! every line the tool does not mean to change comes out byte for byte as it went in.

/// Where a document could not be understood: a 1-based line (0 when it is about the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub line: usize,
    pub message: String,
}

impl DocError {
    pub fn at(idx: usize, message: impl Into<String>) -> Self {
        DocError {
            line: idx + 1,
            message: message.into(),
        }
    }
    pub fn whole(message: impl Into<String>) -> Self {
        DocError {
            line: 0,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// The line without its ending.
    pub text: &'a str,
    /// `\n`, `\r\n`, or empty for a last line without one.
    pub end: &'a str,
    /// Inside a fenced code block (or its fence): never a heading, field or table of the document.
    pub in_fence: bool,
}

#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub lines: Vec<Line<'a>>,
    /// The ending most lines use, for inserted lines.
    newline: &'static str,
}

impl<'a> Doc<'a> {
    pub fn parse(text: &'a str) -> Doc<'a> {
        let mut lines = vec![];
        for raw in text.split_inclusive('\n') {
            let (body, end) = if let Some(b) = raw.strip_suffix("\r\n") {
                (b, "\r\n")
            } else if let Some(b) = raw.strip_suffix('\n') {
                (b, "\n")
            } else {
                (raw, "")
            };
            lines.push(Line {
                text: body,
                end: &raw[body.len()..body.len() + end.len()],
                in_fence: false,
            });
        }
        let crlf = lines.iter().filter(|l| l.end == "\r\n").count();
        let lf = lines.iter().filter(|l| l.end == "\n").count();
        let newline = if crlf > lf { "\r\n" } else { "\n" };
        // Fenced code blocks (CommonMark: ``` or ~~~, closed by the same character at least as long).
        let mut open: Option<(char, usize)> = None;
        for l in &mut lines {
            let t = l.text.trim_start_matches(' ');
            let indent = l.text.len() - t.len();
            let fence = t
                .chars()
                .next()
                .filter(|c| (*c == '`' || *c == '~') && indent <= 3)
                .map(|c| (c, t.chars().take_while(|x| *x == c).count()))
                .filter(|(_, n)| *n >= 3);
            match (open, fence) {
                (None, Some((c, n))) => {
                    open = Some((c, n));
                    l.in_fence = true;
                }
                (Some((oc, on)), Some((c, n)))
                    if c == oc && n >= on && t[n * c.len_utf8()..].trim().is_empty() =>
                {
                    open = None;
                    l.in_fence = true;
                }
                (Some(_), _) => l.in_fence = true,
                (None, None) => {}
            }
        }
        Doc { lines, newline }
    }

    /// Heading level and text of a line outside code blocks.
    pub fn heading(&self, idx: usize) -> Option<(usize, &'a str)> {
        let l = self.lines.get(idx)?;
        if l.in_fence {
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

    /// The index after the section that the heading at `idx` opens (next heading of the same or a
    /// higher level, or the end).
    pub fn section_end(&self, idx: usize, level: usize) -> usize {
        (idx + 1..self.lines.len())
            .find(|i| self.heading(*i).is_some_and(|(l, _)| l <= level))
            .unwrap_or(self.lines.len())
    }

    /// Applies edits and renders the document. Lines not edited keep their bytes and endings.
    pub fn apply(&self, edits: &Edits) -> String {
        let mut out = String::new();
        let last = self.lines.len().saturating_sub(1);
        for (i, l) in self.lines.iter().enumerate() {
            match edits.replace.get(&i) {
                Some(t) => out.push_str(t),
                None => out.push_str(l.text),
            }
            let inserts = edits.insert_after.get(&i);
            if i == last && l.end.is_empty() && inserts.is_some() {
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

/// Line replacements and insertions, by index in the original document.
#[derive(Debug, Default)]
pub struct Edits {
    replace: std::collections::BTreeMap<usize, String>,
    insert_after: std::collections::BTreeMap<usize, Vec<String>>,
}

impl Edits {
    /// Replaces a line's text (its ending stays) when it differs.
    pub fn replace(&mut self, doc: &Doc, idx: usize, text: String) {
        if doc.lines.get(idx).is_some_and(|l| l.text != text) {
            self.replace.insert(idx, text);
        } else {
            self.replace.remove(&idx);
        }
    }

    pub fn insert_after(&mut self, idx: usize, lines: Vec<String>) {
        self.insert_after.entry(idx).or_default().extend(lines);
    }

    pub fn is_empty(&self) -> bool {
        self.replace.is_empty() && self.insert_after.is_empty()
    }
}
