//! The plan (API对接联调计划.md) as written: its phase sections (`### 阶段一：名称（优先级：⭐…）`, the
//! numbered endpoint lines, the stated counts, the **测试结果** / **完成时间** lines) and its tables
//! (联调进度表, 按状态统计, 按模块统计), each with its line number.
//!
//! What the plan must have (a phase section that lists endpoints, a 联调进度表 with its six columns)
//! is an error naming the line when it is missing or cannot be read; the rest is read when present.

use super::endpoint::{self, Route};
use super::error::DocError;
use super::markdown::Doc;
use crate::plan::phase_label;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;
use tables::{read_module_counts, read_progress_table, read_status_counts};

mod tables;

/// The marks an endpoint line can carry.
pub mod mark {
    pub const PASSED: &str = "✅";
    pub const FAILED: &str = "❌";
    pub const SKIPPED: &str = "⏸️";
    /// Checked, but without a verdict yet (the request could not be built).
    pub const IN_PROGRESS: &str = "🔄";

    /// ⏸️ with or without its variation selector.
    pub fn is_skipped(mark: &str) -> bool {
        mark.starts_with('⏸')
    }

    /// The same mark, whether or not either carries the variation selector (U+FE0F).
    pub fn same(a: &str, b: &str) -> bool {
        a.trim_end_matches('\u{fe0f}') == b.trim_end_matches('\u{fe0f}')
    }
}

/// The 联调进度表's columns, in order.
pub const PROGRESS_COLUMNS: [&str; 6] = ["阶段", "模块", "接口数", "状态", "完成日期", "负责人"];

/// One numbered endpoint line: `3. ✅ \`POST /api/v1/auth/login\` - 密码登录 (已测试通过)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointLine {
    pub line: usize,
    /// `3. `, as written.
    pub prefix: String,
    pub mark: Option<String>,
    /// From the endpoint through the name, as written: `` `POST /api/v1/auth/login` - 密码登录 ``.
    pub body: String,
    /// `POST /api/v1/auth/login`.
    pub endpoint: String,
    pub name: String,
    /// The last `(…)`, without its parentheses.
    pub note: Option<String>,
}

/// A bold group heading with its stated count (`**认证** (4个):`) and the endpoint lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub line: usize,
    pub name: String,
    pub stated: usize,
    pub listed: usize,
}

/// A number the plan states, with its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stated {
    pub line: usize,
    pub number: usize,
}

/// A `**测试结果**:` or `**完成时间**:` line: the label part as written, then the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseField {
    pub line: usize,
    /// `**测试结果**: `, spacing as written.
    pub prefix: String,
    pub value: String,
}

/// One `### 阶段N：…` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseSection {
    pub number: u8,
    pub heading_line: usize,
    /// The heading's name, without the 优先级 part: `核心认证模块`.
    pub name: String,
    /// The stars of `（优先级：⭐⭐⭐）`, when the heading gives them.
    pub priority: Option<usize>,
    pub endpoints: Vec<EndpointLine>,
    /// `**API列表** (N个接口)`.
    pub api_count: Option<Stated>,
    pub groups: Vec<Group>,
    pub result: Option<PhaseField>,
    pub time: Option<PhaseField>,
}

/// A 联调进度表 row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    pub line: usize,
    pub phase: u8,
    /// The cells' text, trimmed, in [`PROGRESS_COLUMNS`] order.
    pub cells: Vec<String>,
}

/// Which 按状态统计 number a line states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// **后端已激活**
    Active,
    /// **后端待激活**
    Pending,
}

/// A 按状态统计 line: `- 🟢 **后端已激活**: 22个接口（…）`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub line: usize,
    pub kind: Activation,
    pub number: usize,
    /// Where the number is in the line's text, to replace it and nothing else.
    pub span: Range<usize>,
}

/// A 按模块统计 row with a number: the module's name (`总计` for the total) and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCount {
    pub line: usize,
    pub module: String,
    pub number: usize,
}

/// The plan as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDoc {
    pub phases: Vec<PhaseSection>,
    pub progress_rows: Vec<ProgressRow>,
    pub status_counts: Vec<StatusCount>,
    pub module_counts: Vec<ModuleCount>,
}

static PHASE_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^阶段(?P<n>[一二三四五六七八九十]+)\s*[：:]\s*(?P<name>.*?)\s*(?:[（(]\s*优先级\s*[：:]\s*(?P<stars>⭐*)\s*[）)].*)?$",
    )
    .expect("static regex")
});
static ENDPOINT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?P<prefix>\s*\d+\.\s+)(?:(?P<mark>✅|❌|⏸️|⏸|⏳|🔄)\s*)?(?P<body>{}\s+-\s+(?P<name>.+?))(?:\s+\((?P<note>[^()]*)\))?\s*$",
        endpoint::PATTERN
    ))
    .expect("static regex")
});
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\d+\.").expect("static regex"));
static API_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\*\*API列表\*\*\s*[（(]\s*(\d+)\s*个接口\s*[）)]").expect("static regex")
});
static GROUP_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\*\*(?P<g>[^*]+)\*\*\s*[（(]\s*(?P<n>\d+)\s*个\s*[）)]\s*[:：]?\s*$")
        .expect("static regex")
});
static BOLD_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*[^*]+\*\*").expect("static regex"));
static RESULT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*测试结果\*\*\s*[:：]\s*").expect("static regex"));
static TIME_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*完成时间\*\*\s*[:：]\s*").expect("static regex"));

/// `一` … `十` → 1 … 10.
fn chinese_number(s: &str) -> Option<u8> {
    const DIGITS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    DIGITS.iter().position(|d| *d == s).map(|i| i as u8 + 1)
}

/// A number as written; one too large to hold never equals a count.
fn number(s: &str) -> usize {
    s.parse().unwrap_or(usize::MAX)
}

impl PlanDoc {
    /// Reads the plan's text.
    pub fn parse(text: &str) -> Result<PlanDoc, DocError> {
        Self::read(&Doc::parse(text))
    }

    pub fn read(doc: &Doc) -> Result<PlanDoc, DocError> {
        let mut phases: Vec<PhaseSection> = vec![];
        let (mut progress, mut status, mut modules) = (None, None, None);
        for (n, _) in doc.lines() {
            let Some((level, title)) = doc.heading(n) else {
                continue;
            };
            if level == 3 && title.starts_with("阶段") {
                let phase = read_phase_heading(n, title)?;
                if let Some(prev) = phases.iter().find(|s| s.number == phase.number) {
                    return Err(DocError::at(
                        n,
                        format!(
                            "{} appears twice (also at line {})",
                            phase_label(phase.number),
                            prev.heading_line
                        ),
                    ));
                }
                phases.push(read_phase_body(doc, phase)?);
            }
            match title {
                "联调进度表" => progress = Some((n, level)),
                "按状态统计" => status = Some((n, level)),
                "按模块统计" => modules = Some((n, level)),
                _ => {}
            }
        }
        if phases.is_empty() {
            return Err(DocError::whole(
                "no phase heading (`### 阶段一：…`) found: is this the plan (API对接联调计划.md)?",
            ));
        }
        let (heading, level) = progress.ok_or_else(|| {
            DocError::whole(
                "no 联调进度表 (a heading `### 联调进度表` followed by its table) found",
            )
        })?;
        Ok(PlanDoc {
            phases,
            progress_rows: read_progress_table(doc, heading, level)?,
            status_counts: status.map_or(vec![], |(h, l)| read_status_counts(doc, h, l)),
            module_counts: modules.map_or(vec![], |(h, l)| read_module_counts(doc, h, l)),
        })
    }

    pub fn phase(&self, number: u8) -> Option<&PhaseSection> {
        self.phases.iter().find(|s| s.number == number)
    }

    pub fn progress_row(&self, phase: u8) -> Option<&ProgressRow> {
        self.progress_rows.iter().find(|r| r.phase == phase)
    }

    /// Every endpoint line, in document order.
    pub fn endpoint_lines(&self) -> impl Iterator<Item = (&PhaseSection, &EndpointLine)> {
        self.phases
            .iter()
            .flat_map(|s| s.endpoints.iter().map(move |l| (s, l)))
    }
}

/// The heading of a phase section; the section's lines are read by [`read_phase_body`].
fn read_phase_heading(heading: usize, title: &str) -> Result<PhaseSection, DocError> {
    let caps = PHASE_HEADING.captures(title).ok_or_else(|| {
        DocError::at(
            heading,
            format!("cannot read the phase heading `{title}`: expected `### 阶段一：名称`"),
        )
    })?;
    let number = chinese_number(&caps["n"]).ok_or_else(|| {
        DocError::at(
            heading,
            format!("cannot read the phase number `阶段{}`", &caps["n"]),
        )
    })?;
    Ok(PhaseSection {
        number,
        heading_line: heading,
        name: caps["name"].to_string(),
        priority: caps.name("stars").map(|m| m.as_str().chars().count()),
        endpoints: vec![],
        api_count: None,
        groups: vec![],
        result: None,
        time: None,
    })
}

fn read_phase_body(doc: &Doc, mut s: PhaseSection) -> Result<PhaseSection, DocError> {
    let (heading, number) = (s.heading_line, s.number);
    let mut in_group = false;
    for n in heading + 1..doc.section_end(heading, 3) {
        if doc.line(n).is_some_and(|l| l.in_fence()) {
            continue;
        }
        let t = doc.text(n);
        if let Some(line) = read_endpoint_line(n, t) {
            s.endpoints.push(line);
            if let Some(g) = s.groups.last_mut().filter(|_| in_group) {
                g.listed += 1;
            }
            continue;
        }
        if NUMBERED.is_match(t) && endpoint::looks_like(t) {
            return Err(DocError::at(
                n,
                format!("cannot read this endpoint line of {}: expected ``N. [✅|❌|⏸️] `METHOD /path` - 名称 (备注)``", phase_label(number)),
            ));
        }
        in_group = read_phase_field(&mut s, n, t, in_group)?;
    }
    if s.endpoints.is_empty() {
        return Err(DocError::at(
            heading,
            format!(
                "{} lists no endpoint (``N. `METHOD /path` - 名称``)",
                phase_label(number)
            ),
        ));
    }
    Ok(s)
}

/// A numbered line with an endpoint of a known method, read; anything else is not one.
fn read_endpoint_line(n: usize, text: &str) -> Option<EndpointLine> {
    let c = ENDPOINT_LINE.captures(text)?;
    let route = Route::from_captures(&c);
    route.is_known().then(|| EndpointLine {
        line: n,
        prefix: c["prefix"].to_string(),
        mark: c.name("mark").map(|m| m.as_str().to_string()),
        body: c["body"].to_string(),
        endpoint: route.spelling(),
        name: c["name"].trim().to_string(),
        note: c.name("note").map(|m| m.as_str().to_string()),
    })
}

/// The stated counts and the 测试结果 / 完成时间 lines of a phase; returns whether the lines that
/// follow are still in a group's list.
fn read_phase_field(
    s: &mut PhaseSection,
    n: usize,
    t: &str,
    in_group: bool,
) -> Result<bool, DocError> {
    if let Some(c) = API_COUNT.captures(t) {
        s.api_count = Some(Stated {
            line: n,
            number: number(&c[1]),
        });
        return Ok(false);
    }
    if let Some(c) = GROUP_COUNT.captures(t) {
        s.groups.push(Group {
            line: n,
            name: c["g"].to_string(),
            stated: number(&c["n"]),
            listed: 0,
        });
        return Ok(true);
    }
    for (re, slot, label) in [
        (&RESULT_FIELD, &mut s.result, "测试结果"),
        (&TIME_FIELD, &mut s.time, "完成时间"),
    ] {
        if let Some(m) = re.find(t) {
            if let Some(prev) = slot {
                return Err(DocError::at(
                    n,
                    format!(
                        "{} has two **{label}** lines (also line {})",
                        phase_label(s.number),
                        prev.line
                    ),
                ));
            }
            *slot = Some(PhaseField {
                line: n,
                prefix: m.as_str().to_string(),
                value: t[m.end()..].to_string(),
            });
            return Ok(false);
        }
    }
    Ok(in_group && !BOLD_FIELD.is_match(t))
}

#[cfg(test)]
mod tests;
