//! Reading a markdown API doc in the style of 小程序端API.md into endpoint descriptions (no inference yet).
//!
//! The doc's shape: `## N. 模块` chapters; one `### N.M 名称` section per endpoint holding
//! `**接口**: \`METHOD /api/v1/path\``, an optional `**请求头**: \`Authorization: Bearer <token>\``,
//! parameters (`**请求参数**:`, `**查询参数**:` or `**路径参数**:`, then either `- name: type (必填|可选) - 说明`
//! lines or a JSON block), and `**响应格式**:` followed by a JSON block or a line of prose. Any other
//! `**标记**:` ends the parameter or response part, so lists under `**业务说明**` are not read as parameters.

use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Where a listed parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    PathParams,
    Query,
    Body,
}

/// One `- name: type (必填) - 说明` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub line: usize,
    pub name: String,
    /// As written, lower-cased: `string`, `number`, `boolean`, `file`, `string[]`, …
    pub ty: String,
    pub required: bool,
    pub description: String,
    pub location: ParamLocation,
}

/// A fenced block or a line of prose, with the doc line it starts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located {
    pub line: usize,
    pub text: String,
}

/// One endpoint as the doc describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocEndpoint {
    /// The `### N.M 名称` heading line.
    pub heading_line: usize,
    /// `N.M` as written (the doc repeats some numbers).
    pub number: String,
    /// `名称` of the heading.
    pub title: String,
    /// Index of the `##` chapter it is in (for resolving “同…” references to siblings).
    pub chapter: usize,
    /// The `**接口**` line.
    pub line: usize,
    pub method: String,
    /// Relative to the prefix (`/vehicles/{id}`).
    pub path: String,
    /// `**请求头**` names a Bearer token.
    pub auth_user: bool,
    pub params: Vec<Param>,
    /// JSON block after `**请求参数**` (the first line of its content).
    pub request_json: Option<Located>,
    /// Prose after `**请求参数**:` on the same line (`同购买会员`, `与创建订单相同的参数…`).
    pub request_prose: Option<Located>,
    /// The doc says `multipart/form-data`.
    pub multipart: bool,
    /// Fields a note (`> couponId 为可选字段…`) marks optional, with the note's line.
    pub optional_fields: Vec<(String, usize)>,
    pub response_json: Option<Located>,
    /// Prose after `**响应格式**:` (`同注册接口`, `类似车辆列表…`).
    pub response_prose: Option<Located>,
}

impl DocEndpoint {
    /// `METHOD /api/v1/path` as the doc and the plan spell it.
    pub fn spelling(&self, prefix: &str) -> String {
        format!("{} {}{}", self.method, prefix, self.path)
    }
}

/// A problem (or a remark) tied to a line of the doc.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct ParsedDoc {
    /// In document order, duplicates included (the importer keeps the first).
    pub endpoints: Vec<DocEndpoint>,
    /// What could not be read.
    pub warnings: Vec<Issue>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Block {
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

struct Section {
    heading_line: usize,
    number: String,
    title: String,
    chapter: usize,
    endpoint: Option<DocEndpoint>,
    /// A `**接口**` line was seen (readable or not).
    saw_endpoint_line: bool,
    block: Block,
}

struct Fence {
    /// The line of the opening ```.
    line: usize,
    lang: String,
    lines: Vec<String>,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

static HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^###\s+(\d+(?:\.\d+)*)\.?\s+(.+?)\s*$").expect("static regex"));
static MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*([^*]+?)\*\*\s*[:：]\s*(.*?)\s*$").expect("static regex"));
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^`?\s*([A-Za-z]+)\s+([^\s`]+)\s*`?(?:\s.*)?$").expect("static regex")
});
static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[-*+]\s+(.*)$").expect("static regex"));
static PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^`?([A-Za-z_$][\w.$\[\]]*)`?\s*[:：]\s*`?([A-Za-z][\w\[\]<>|]*)`?\s*(?:[(（]\s*([^)）]*?)\s*[)）])?\s*(?:[-—–:：]+\s*(.*?))?\s*$",
    )
    .expect("static regex")
});
static OPTIONAL_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^>?\s*`?([A-Za-z_][\w]*)`?\s*(?:为|是)?\s*(?:可选|选填)").expect("static regex")
});

/// Reads the doc. `prefix` is the path prefix every endpoint must start with (`/api/v1`).
pub fn parse(text: &str, prefix: &str) -> ParsedDoc {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut doc = ParsedDoc::default();
    let mut chapter = 0usize;
    let mut section: Option<Section> = None;
    let mut fence: Option<Fence> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end();
        if let Some(f) = fence.as_mut() {
            if line.trim_start().starts_with("```") {
                if let Some(f) = fence.take() {
                    if let Some(s) = section.as_mut() {
                        close_fence(s, f, &mut doc);
                    }
                }
            } else {
                f.lines.push(raw.to_string());
            }
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            fence = Some(Fence {
                line: line_no,
                lang: lang.trim().to_ascii_lowercase(),
                lines: vec![],
            });
            continue;
        }
        if trimmed.starts_with('#') {
            finish(section.take(), &mut doc);
            if let Some(c) = HEADING.captures(trimmed) {
                section = Some(Section {
                    heading_line: line_no,
                    number: c[1].to_string(),
                    title: c[2].to_string(),
                    chapter,
                    endpoint: None,
                    saw_endpoint_line: false,
                    block: Block::None,
                });
            } else if trimmed.starts_with("## ") || trimmed.starts_with("# ") {
                chapter += 1;
            }
            continue;
        }
        let Some(sec) = section.as_mut() else {
            continue;
        };
        if let Some(c) = MARKER.captures(trimmed) {
            let label = c[1].trim();
            let rest = c[2].trim();
            marker(sec, label, rest, line_no, prefix, &mut doc);
            continue;
        }
        if let Block::Params(kind) = sec.block {
            let Some(ep) = sec.endpoint.as_mut() else {
                continue;
            };
            if let Some(item) = LIST_ITEM.captures(trimmed) {
                let item = item[1].trim();
                match PARAM.captures(item) {
                    Some(p) => {
                        let flag = p.get(3).map_or("", |m| m.as_str());
                        let location = match kind {
                            ParamKind::Path => ParamLocation::PathParams,
                            ParamKind::Query => ParamLocation::Query,
                            ParamKind::Request if ep.method == "GET" => ParamLocation::Query,
                            ParamKind::Request => ParamLocation::Body,
                        };
                        let name = p[1].to_string();
                        let mut description = p.get(4).map_or("", |m| m.as_str()).to_string();
                        if !flag.is_empty() && !is_required_flag(flag) && !is_optional_flag(flag) {
                            description = join_description(flag, &description);
                        }
                        ep.params.push(Param {
                            line: line_no,
                            name,
                            ty: p[2].to_ascii_lowercase(),
                            required: is_required_flag(flag),
                            description,
                            location,
                        });
                    }
                    None => doc.warnings.push(Issue {
                        line: line_no,
                        message: format!("cannot read the parameter line `{item}` (expected `- name: type (必填|可选) - 说明`)"),
                    }),
                }
            } else if let Some(c) = OPTIONAL_NOTE.captures(trimmed) {
                ep.optional_fields.push((c[1].to_string(), line_no));
            }
        }
    }
    if let Some(f) = fence {
        doc.warnings.push(Issue {
            line: f.line,
            message: "code block is never closed".to_string(),
        });
    }
    finish(section.take(), &mut doc);
    doc
}

fn is_required_flag(flag: &str) -> bool {
    flag.contains("必填") && !flag.contains("非必填") && !flag.contains("时必填")
}

fn is_optional_flag(flag: &str) -> bool {
    flag.contains("可选") || flag.contains("选填") || flag.contains("非必填")
}

fn join_description(note: &str, description: &str) -> String {
    if description.is_empty() {
        note.to_string()
    } else {
        format!("{description}（{note}）")
    }
}

fn marker(
    sec: &mut Section,
    label: &str,
    rest: &str,
    line_no: usize,
    prefix: &str,
    doc: &mut ParsedDoc,
) {
    if label == "接口" {
        sec.block = Block::Other;
        sec.saw_endpoint_line = true;
        if sec.endpoint.is_some() {
            doc.warnings.push(Issue {
                line: line_no,
                message: "a second **接口** line in one section is ignored".to_string(),
            });
            return;
        }
        match endpoint_line(rest, prefix) {
            Ok((method, path)) => {
                sec.endpoint = Some(DocEndpoint {
                    heading_line: sec.heading_line,
                    number: sec.number.clone(),
                    title: sec.title.clone(),
                    chapter: sec.chapter,
                    line: line_no,
                    method,
                    path,
                    auth_user: false,
                    params: vec![],
                    request_json: None,
                    request_prose: None,
                    multipart: false,
                    optional_fields: vec![],
                    response_json: None,
                    response_prose: None,
                })
            }
            Err(message) => doc.warnings.push(Issue {
                line: line_no,
                message,
            }),
        }
        return;
    }
    let Some(ep) = sec.endpoint.as_mut() else {
        sec.block = Block::Other;
        return;
    };
    sec.block = match label {
        "请求参数" => Block::Params(ParamKind::Request),
        "查询参数" => Block::Params(ParamKind::Query),
        "路径参数" => Block::Params(ParamKind::Path),
        "响应格式" => Block::Response,
        _ => Block::Other,
    };
    match sec.block {
        Block::Params(_) if !rest.is_empty() => {
            if rest.to_ascii_lowercase().contains("multipart/form-data") {
                ep.multipart = true;
            } else {
                ep.request_prose = Some(Located {
                    line: line_no,
                    text: rest.to_string(),
                });
            }
        }
        Block::Response if !rest.is_empty() => {
            ep.response_prose = Some(Located {
                line: line_no,
                text: rest.to_string(),
            })
        }
        _ => {}
    }
    if label == "请求头" && rest.contains("Authorization") {
        ep.auth_user = true;
    }
}

fn endpoint_line(rest: &str, prefix: &str) -> Result<(String, String), String> {
    let c = ENDPOINT.captures(rest).ok_or_else(|| {
        format!("cannot read the endpoint `{rest}` (expected `METHOD {prefix}/path`)")
    })?;
    let method = c[1].to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(format!(
            "`{}` is not an HTTP method this tool knows ({})",
            &c[1],
            METHODS.join(", ")
        ));
    }
    let full = &c[2];
    let Some(path) = full.strip_prefix(prefix) else {
        return Err(format!("the path `{full}` does not start with `{prefix}`"));
    };
    if !(path.is_empty() || path.starts_with('/')) {
        return Err(format!("the path `{full}` does not start with `{prefix}/`"));
    }
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .trim_end_matches('/');
    // `/api/v1` alone is the root `/`.
    let path = if path.is_empty() { "/" } else { path };
    Ok((method, path.to_string()))
}

fn close_fence(sec: &mut Section, f: Fence, doc: &mut ParsedDoc) {
    let Some(ep) = sec.endpoint.as_mut() else {
        return;
    };
    if !matches!(f.lang.as_str(), "" | "json" | "jsonc" | "json5") {
        return;
    }
    let located = Located {
        line: f.line + 1,
        text: f.lines.join("\n"),
    };
    let (slot, what) = match sec.block {
        Block::Params(_) => (&mut ep.request_json, "request"),
        Block::Response => (&mut ep.response_json, "response"),
        _ => return,
    };
    if slot.is_some() {
        doc.warnings.push(Issue {
            line: f.line,
            message: format!("a second {what} example in one section is ignored"),
        });
    } else {
        *slot = Some(located);
    }
}

fn finish(section: Option<Section>, doc: &mut ParsedDoc) {
    let Some(sec) = section else { return };
    match sec.endpoint {
        Some(ep) => doc.endpoints.push(ep),
        None if sec.saw_endpoint_line => {}
        None => doc.warnings.push(Issue {
            line: sec.heading_line,
            message: format!(
                "section {} {} has no **接口** line; no contract",
                sec.number, sec.title
            ),
        }),
    }
}
