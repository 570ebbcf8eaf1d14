//! The requirement doc (小程序端API.md) as written, section by section, each part with its line.
//!
//! Its shape: `## N. 模块` chapters; one `### N.M 名称` section per endpoint holding
//! `**接口**: \`METHOD /api/v1/path\``, an optional `**请求头**: \`Authorization: Bearer <token>\``,
//! parameters (`**请求参数**:`, `**查询参数**:` or `**路径参数**:`, then either `- name: type (必填|可选) - 说明`
//! lines or a JSON block), `**响应格式**:` followed by a JSON block or a line of prose, and a
//! `**联调结果**:` field. Any other `**标记**:` ends the parameter or response part, so lists under
//! `**业务说明**` are not read as parameters.
//!
//! A section is a heading and what follows it up to the next heading, except that once a section
//! has an endpoint, a deeper heading (`#### 请求参数`) stays inside it. Text before the first
//! heading is a section of level 0. Fenced code blocks are never read as fields.

pub mod params;

use super::endpoint::{self, Route};
use super::markdown::{Doc, Fence};
use params::{read_list_line, ListLine};
pub use params::{Param, ParamLocation};
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// A problem (or a remark) tied to a line of a document (0 = not tied to a line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    pub line: usize,
    pub message: String,
}

/// A fenced block or a line of prose, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located {
    pub line: usize,
    pub text: String,
}

/// A `**接口**:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointField {
    pub line: usize,
    /// What follows `**接口**:`, trimmed.
    pub value: String,
    /// The `METHOD /path` in it, if there is one ([`endpoint::find_in_field`]).
    pub route: Option<Route>,
}

/// A `**联调结果**:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultField {
    pub line: usize,
    /// `**联调结果**: `, spacing as written.
    pub prefix: String,
    /// The value, trimmed.
    pub value: String,
    /// The last `**接口**` line above it in its section (an index into
    /// [`Section::endpoint_fields`]).
    pub endpoint: Option<usize>,
}

/// One section of the doc.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// The heading's line; 0 for the text before the first heading.
    pub heading_line: usize,
    /// The heading's level; 0 for the text before the first heading.
    pub level: usize,
    /// `N.M` of a `### N.M 名称` heading, as written (the doc repeats some numbers).
    pub number: Option<String>,
    /// `名称` of a `### N.M 名称` heading, else the heading's text.
    pub title: String,
    /// How many `#` / `##` chapter headings come before it: sections of one chapter share it.
    pub chapter: usize,
    pub endpoint_fields: Vec<EndpointField>,
    pub result_fields: Vec<ResultField>,
    /// `**请求头**` names `Authorization`.
    pub auth_user: bool,
    pub params: Vec<Param>,
    /// The JSON block after `**请求参数**` (the line of its first content line).
    pub request_json: Option<Located>,
    /// Prose after `**请求参数**:` on the same line (`同购买会员`, `与创建订单相同的参数…`).
    pub request_prose: Option<Located>,
    /// The parameters are `multipart/form-data`.
    pub multipart: bool,
    /// Fields a note (`> couponId 为可选字段…`) marks optional, with the note's line.
    pub optional_fields: Vec<(String, usize)>,
    pub response_json: Option<Located>,
    /// Prose after `**响应格式**:` (`同注册接口`, `类似车辆列表…`).
    pub response_prose: Option<Located>,
    /// What could not be read in this section.
    pub warnings: Vec<Issue>,
    part: Part,
}

/// The part of a section the lines being read belong to.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
enum Part {
    #[default]
    None,
    Params(ParamKind),
    Response,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ParamKind {
    Request,
    Query,
    Path,
}

/// The doc as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiDoc {
    /// In document order; the first is the text before the first heading.
    pub sections: Vec<Section>,
    /// The opening line of a code block that is never closed.
    pub unclosed_fence: Option<usize>,
}

static NUMBERED_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+(?:\.\d+)*)\.?\s+(.+?)$").expect("static regex"));
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<prefix>\s*\*\*(?P<label>[^*]+?)\*\*\s*[:：]\s*)(?P<value>.*?)\s*$")
        .expect("static regex")
});

/// An open fenced block being collected.
struct OpenFence {
    line: usize,
    info: String,
    lines: Vec<String>,
}

impl ApiDoc {
    pub fn parse(text: &str) -> ApiDoc {
        Self::read(&Doc::parse(text))
    }

    pub fn read(doc: &Doc) -> ApiDoc {
        let mut sections = vec![Section::default()];
        let mut chapter = 0usize;
        let mut fence: Option<OpenFence> = None;
        for (n, l) in doc.lines() {
            let current = sections
                .last_mut()
                .expect("the first section is always there");
            match &l.fence {
                Some(Fence::Open(info)) => {
                    fence = Some(OpenFence {
                        line: n,
                        info: info.clone(),
                        lines: vec![],
                    });
                    continue;
                }
                Some(Fence::Inside) => {
                    if let Some(f) = fence.as_mut() {
                        f.lines.push(l.text.to_string());
                    }
                    continue;
                }
                Some(Fence::Close) => {
                    if let Some(f) = fence.take() {
                        current.close_fence(f);
                    }
                    continue;
                }
                None => {}
            }
            if let Some((level, title)) = doc.heading(n) {
                if level <= 2 {
                    chapter += 1;
                }
                if current.level > 0 && level > current.level && current.has_endpoint() {
                    current.part = Part::Other;
                } else {
                    sections.push(Section::open(n, level, title, chapter));
                }
                continue;
            }
            match FIELD.captures(l.text) {
                Some(c) => current.field(n, &c["prefix"], c["label"].trim(), &c["value"]),
                None => current.text_line(n, l.text),
            }
        }
        ApiDoc {
            sections,
            unclosed_fence: fence.map(|f| f.line),
        }
    }
}

impl Section {
    fn open(line: usize, level: usize, heading: &str, chapter: usize) -> Section {
        let numbered = NUMBERED_TITLE.captures(heading).filter(|_| level == 3);
        Section {
            heading_line: line,
            level,
            number: numbered.as_ref().map(|c| c[1].to_string()),
            title: numbered.map_or(heading.to_string(), |c| c[2].to_string()),
            chapter,
            ..Section::default()
        }
    }

    /// A `**接口**` line with a readable `` `METHOD /path` `` was seen.
    pub fn has_endpoint(&self) -> bool {
        self.endpoint_fields.iter().any(|e| e.route.is_some())
    }

    /// The method of the section's first readable endpoint, upper-cased.
    fn method(&self) -> Option<String> {
        self.endpoint_fields
            .iter()
            .find_map(|e| e.route.as_ref())
            .map(|r| r.method.to_ascii_uppercase())
    }

    fn field(&mut self, n: usize, prefix: &str, label: &str, value: &str) {
        match label {
            "接口" => {
                self.part = Part::Other;
                self.endpoint_fields.push(EndpointField {
                    line: n,
                    value: value.to_string(),
                    route: endpoint::find_in_field(value),
                });
                return;
            }
            "联调结果" => self.result_fields.push(ResultField {
                line: n,
                prefix: prefix.to_string(),
                value: value.to_string(),
                endpoint: self.endpoint_fields.len().checked_sub(1),
            }),
            _ => {}
        }
        if !self.has_endpoint() {
            self.part = Part::Other;
            return;
        }
        self.part = match label {
            "请求参数" => Part::Params(ParamKind::Request),
            "查询参数" => Part::Params(ParamKind::Query),
            "路径参数" => Part::Params(ParamKind::Path),
            "响应格式" => Part::Response,
            _ => Part::Other,
        };
        let prose = Some(Located {
            line: n,
            text: value.to_string(),
        });
        match self.part {
            Part::Params(_) if value.to_ascii_lowercase().contains("multipart/form-data") => {
                self.multipart = true
            }
            Part::Params(_) if !value.is_empty() => self.request_prose = prose,
            Part::Response if !value.is_empty() => self.response_prose = prose,
            _ => {}
        }
        if label == "请求头" && value.contains("Authorization") {
            self.auth_user = true;
        }
    }

    /// A line that is not a heading, a field or in a code block: a parameter list's line, or prose.
    fn text_line(&mut self, n: usize, text: &str) {
        let Part::Params(kind) = self.part else {
            return;
        };
        let Some(method) = self.method() else {
            return;
        };
        let location = match kind {
            ParamKind::Path => ParamLocation::PathParams,
            ParamKind::Query => ParamLocation::Query,
            ParamKind::Request if method == "GET" => ParamLocation::Query,
            ParamKind::Request => ParamLocation::Body,
        };
        match read_list_line(n, text, location) {
            ListLine::Param(p) => self.params.push(p),
            ListLine::Unreadable(message) => self.warnings.push(Issue { line: n, message }),
            ListLine::Optional(field) => self.optional_fields.push((field, n)),
            ListLine::Other => {}
        }
    }

    /// A JSON block after `**请求参数**` or `**响应格式**` is the section's example.
    fn close_fence(&mut self, f: OpenFence) {
        if !self.has_endpoint() || !matches!(f.info.as_str(), "" | "json" | "jsonc" | "json5") {
            return;
        }
        let located = Located {
            line: f.line + 1,
            text: f.lines.join("\n"),
        };
        let (slot, what) = match self.part {
            Part::Params(_) => (&mut self.request_json, "request"),
            Part::Response => (&mut self.response_json, "response"),
            _ => return,
        };
        if slot.is_some() {
            self.warnings.push(Issue {
                line: f.line,
                message: format!("a second {what} example in one section is ignored"),
            });
        } else {
            *slot = Some(located);
        }
    }
}

#[cfg(test)]
mod tests;
