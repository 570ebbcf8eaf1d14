//! The plan (API对接联调计划.md) and what `progress --doc` writes into it.
//!
//! - **Endpoint lines** (`1. ✅ \`POST /api/v1/auth/login\` - 密码登录 (已测试通过)`), joined to the
//!   results by the endpoint's spelling: passed → `✅`, keeping the team's note if it was already
//!   ✅, else `(已测试通过)`; failed → `❌ (测试失败: <case> <check> <path>)`, not activated →
//!   `❌ (后端路由未激活)`; skipped → `⏸️ (<reason>)` with the short reason (the part before `:`
//!   of the contract's `skip`). Endpoints not in the results, and endpoints the run could not
//!   exercise (blocked, error), keep their line.
//! - For each phase that has results (the phase is the result's, not the section's):
//!   - `**测试结果**: X/Y 接口测试通过 (名称: 原因; …)`: X = ✅ lines of the phase, Y = its listed
//!     endpoints, with the ⏸️ lines' reasons. Phases without the line (four to eight today) get it
//!     after their API list, after a blank line, as phase three has it.
//!   - `**完成时间**: YYYY-MM-DD` when the phase is complete: every line ✅ or ⏸️ (at least one ✅)
//!     and nothing of the phase failed in the run (scenarios included). The date is the one
//!     already written, else the results' date. A phase that is not complete gets `-` where it had
//!     a date. The line is added after 测试结果 when missing.
//!   - its 联调进度表 row: 状态 (✅ 已完成 / 🔄 进行中 / ❌ 有问题), 完成日期 (the same date, or `-`),
//!     负责人 (when an owner is given).
//! - 按状态统计: the numbers of **后端已激活** / **后端待激活**, when the results tell the activation of
//!   every listed endpoint (an endpoint that was skipped or blocked counts as its module does).
//!   The text around the numbers is left alone.
//!
//! The numbers the plan states (a phase's 接口数, its groups' counts, the 按模块统计 table and its
//! 总计, the 进度表 接口数) are never changed: where they disagree with the lists, a warning says so.
//! Headings are left alone (phase three's heading carries its own ✅).

use super::doc::{Doc, DocError, Edits};
use super::{result_date, verdict, Outcome, Verdict};
use crate::report::PhaseState;
use crate::result::{EndpointResult, RunResult};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

const MARK_PASSED: &str = "✅";
const MARK_FAILED: &str = "❌";
const MARK_SKIPPED: &str = "⏸️";

static PHASE_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^阶段([一二三四五六七八九十]+)\s*[：:]").expect("regex"));
static ENDPOINT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<prefix>\s*\d+\.\s+)(?:(?P<mark>✅|❌|⏸️|⏸|⏳|🔄)\s*)?(?P<body>`(?P<ep>(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) +/[^`\s]*)`\s+-\s+(?P<name>.+?))(?:\s+\((?P<note>[^()]*)\))?\s*$",
    )
    .expect("regex")
});
static ENDPOINT_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\d+\..*`\s*(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/").expect("regex")
});
static API_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\*\*API列表\*\*\s*[（(]\s*(\d+)\s*个接口\s*[）)]").expect("regex")
});
static GROUP_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\*\*(?P<g>[^*]+)\*\*\s*[（(]\s*(?P<n>\d+)\s*个\s*[）)]\s*[:：]?\s*$")
        .expect("regex")
});
static BOLD_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*[^*]+\*\*").expect("regex"));
static RESULT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<p>\*\*测试结果\*\*\s*[:：]\s*)").expect("regex"));
static TIME_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<p>\*\*完成时间\*\*\s*[:：]\s*)").expect("regex"));
static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{4}-\d{2}-\d{2}").expect("regex"));
static TABLE_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$").expect("regex"));
static ACTIVE_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\*\*后端(?P<k>已激活|待激活)\*\*\s*[:：]\s*(?P<n>\d+)\s*个接口").expect("regex")
});
static STRONG_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\**\s*(\d+)\s*\**$").expect("regex"));

const TABLE_COLUMNS: [&str; 6] = ["阶段", "模块", "接口数", "状态", "完成日期", "负责人"];

/// `一` … `十` → 1 … 10.
fn chinese_number(s: &str) -> Option<u8> {
    const DIGITS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    DIGITS.iter().position(|d| *d == s).map(|i| i as u8 + 1)
}

fn phase_label(n: u8) -> String {
    crate::plan::phase_label(n)
}

#[derive(Debug, Clone)]
struct EndpointLine {
    idx: usize,
    prefix: String,
    mark: Option<String>,
    body: String,
    endpoint: String,
    name: String,
    note: Option<String>,
}

#[derive(Debug, Clone)]
struct Group {
    idx: usize,
    name: String,
    stated: usize,
    listed: usize,
}

#[derive(Debug, Clone)]
struct Section {
    number: u8,
    heading: usize,
    endpoints: Vec<EndpointLine>,
    api_count: Option<(usize, usize)>,
    groups: Vec<Group>,
    result_line: Option<usize>,
    time_line: Option<usize>,
}

#[derive(Debug, Clone)]
struct Row {
    idx: usize,
    phase: u8,
    /// The cells' text, trimmed.
    cells: Vec<String>,
}

#[derive(Debug)]
struct Parsed {
    sections: Vec<Section>,
    rows: Vec<Row>,
    /// 按状态统计: (line, 已激活|待激活, number).
    active: Vec<(usize, String, usize)>,
    /// 按模块统计: (line, module name, number); the 总计 row has name 总计.
    module_counts: Vec<(usize, String, usize)>,
}

fn table_cells(text: &str) -> Vec<&str> {
    let t = text.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(str::trim).collect()
}

fn parse(doc: &Doc) -> Result<Parsed, DocError> {
    let mut sections: Vec<Section> = vec![];
    let mut progress_heading = None;
    let mut status_heading = None;
    let mut module_heading = None;
    for i in 0..doc.lines.len() {
        let Some((level, title)) = doc.heading(i) else {
            continue;
        };
        if level == 3 && title.starts_with("阶段") {
            let caps = PHASE_HEADING.captures(title).ok_or_else(|| {
                DocError::at(
                    i,
                    format!("cannot read the phase heading `{title}`: expected `### 阶段一：名称`"),
                )
            })?;
            let number = chinese_number(&caps[1]).ok_or_else(|| {
                DocError::at(
                    i,
                    format!("cannot read the phase number `阶段{}`", &caps[1]),
                )
            })?;
            if let Some(prev) = sections.iter().find(|s| s.number == number) {
                return Err(DocError::at(
                    i,
                    format!(
                        "{} appears twice (also at line {})",
                        phase_label(number),
                        prev.heading + 1
                    ),
                ));
            }
            sections.push(parse_section(doc, i, number)?);
        }
        if title == "联调进度表" {
            progress_heading = Some((i, level));
        }
        if title == "按状态统计" {
            status_heading = Some((i, level));
        }
        if title == "按模块统计" {
            module_heading = Some((i, level));
        }
    }
    if sections.is_empty() {
        return Err(DocError::whole(
            "no phase heading (`### 阶段一：…`) found: is this the plan (API对接联调计划.md)?",
        ));
    }
    let (ph, plevel) = progress_heading.ok_or_else(|| {
        DocError::whole("no 联调进度表 (a heading `### 联调进度表` followed by its table) found")
    })?;
    let rows = parse_progress_table(doc, ph, plevel)?;
    let mut active = vec![];
    if let Some((h, level)) = status_heading {
        for i in h + 1..doc.section_end(h, level) {
            let l = &doc.lines[i];
            if l.in_fence {
                continue;
            }
            if let Some(c) = ACTIVE_COUNT.captures(l.text) {
                let n = c["n"].parse().unwrap_or(usize::MAX);
                active.push((i, c["k"].to_string(), n));
            }
        }
    }
    let mut module_counts = vec![];
    if let Some((h, level)) = module_heading {
        for i in h + 1..doc.section_end(h, level) {
            let l = &doc.lines[i];
            if l.in_fence
                || !l.text.trim_start().starts_with('|')
                || TABLE_SEPARATOR.is_match(l.text)
            {
                continue;
            }
            let cells = table_cells(l.text);
            if let (Some(name), Some(n)) = (cells.first(), cells.get(1)) {
                if let Some(c) = STRONG_NUMBER.captures(n) {
                    let name = name.trim_matches('*').trim().to_string();
                    module_counts.push((i, name, c[1].parse().unwrap_or(usize::MAX)));
                }
            }
        }
    }
    Ok(Parsed {
        sections,
        rows,
        active,
        module_counts,
    })
}

fn parse_section(doc: &Doc, heading: usize, number: u8) -> Result<Section, DocError> {
    let end = doc.section_end(heading, 3);
    let mut s = Section {
        number,
        heading,
        endpoints: vec![],
        api_count: None,
        groups: vec![],
        result_line: None,
        time_line: None,
    };
    let mut in_group = false;
    for i in heading + 1..end {
        let l = &doc.lines[i];
        if l.in_fence {
            continue;
        }
        let t = l.text;
        if let Some(c) = ENDPOINT_LINE.captures(t) {
            s.endpoints.push(EndpointLine {
                idx: i,
                prefix: c["prefix"].to_string(),
                mark: c.name("mark").map(|m| m.as_str().to_string()),
                body: c["body"].to_string(),
                endpoint: c["ep"].split_whitespace().collect::<Vec<_>>().join(" "),
                name: c["name"].trim().to_string(),
                note: c.name("note").map(|m| m.as_str().to_string()),
            });
            if in_group {
                if let Some(g) = s.groups.last_mut() {
                    g.listed += 1;
                }
            }
            continue;
        }
        if ENDPOINT_LIKE.is_match(t) {
            return Err(DocError::at(
                i,
                format!("cannot read this endpoint line of {}: expected ``N. [✅|❌|⏸️] `METHOD /path` - 名称 (备注)``", phase_label(number)),
            ));
        }
        if let Some(c) = API_COUNT.captures(t) {
            s.api_count = Some((i, c[1].parse().unwrap_or(usize::MAX)));
            in_group = false;
        } else if let Some(c) = GROUP_COUNT.captures(t) {
            s.groups.push(Group {
                idx: i,
                name: c["g"].to_string(),
                stated: c["n"].parse().unwrap_or(usize::MAX),
                listed: 0,
            });
            in_group = true;
        } else if RESULT_LINE.is_match(t) {
            if let Some(prev) = s.result_line {
                return Err(DocError::at(
                    i,
                    format!(
                        "{} has two **测试结果** lines (also line {})",
                        phase_label(number),
                        prev + 1
                    ),
                ));
            }
            s.result_line = Some(i);
            in_group = false;
        } else if TIME_LINE.is_match(t) {
            if let Some(prev) = s.time_line {
                return Err(DocError::at(
                    i,
                    format!(
                        "{} has two **完成时间** lines (also line {})",
                        phase_label(number),
                        prev + 1
                    ),
                ));
            }
            s.time_line = Some(i);
            in_group = false;
        } else if BOLD_FIELD.is_match(t) {
            in_group = false;
        }
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

fn parse_progress_table(doc: &Doc, heading: usize, level: usize) -> Result<Vec<Row>, DocError> {
    let end = doc.section_end(heading, level);
    let header = (heading + 1..end)
        .find(|i| !doc.lines[*i].text.trim().is_empty())
        .filter(|i| doc.lines[*i].text.trim_start().starts_with('|'))
        .ok_or_else(|| {
            DocError::at(heading, "the 联调进度表 heading is not followed by a table")
        })?;
    let cells = table_cells(doc.lines[header].text);
    if cells != TABLE_COLUMNS {
        return Err(DocError::at(
            header,
            format!(
                "the 联调进度表 has the columns `{}`; expected `{}`",
                cells.join(" | "),
                TABLE_COLUMNS.join(" | ")
            ),
        ));
    }
    let sep = header + 1;
    if sep >= end || !TABLE_SEPARATOR.is_match(doc.lines[sep].text) {
        return Err(DocError::at(
            sep.min(doc.lines.len().saturating_sub(1)),
            "expected the 联调进度表's separator row (`|------|…|`)",
        ));
    }
    let mut rows: Vec<Row> = vec![];
    for i in sep + 1..end {
        let t = doc.lines[i].text;
        if !t.trim_start().starts_with('|') {
            break;
        }
        let cells = table_cells(t);
        if cells.len() != TABLE_COLUMNS.len() {
            return Err(DocError::at(
                i,
                format!(
                    "this 联调进度表 row has {} cells; the table has {}",
                    cells.len(),
                    TABLE_COLUMNS.len()
                ),
            ));
        }
        let phase = cells[0]
            .strip_prefix("阶段")
            .and_then(chinese_number)
            .ok_or_else(|| {
                DocError::at(
                    i,
                    format!(
                        "cannot read the phase `{}` of this 联调进度表 row",
                        cells[0]
                    ),
                )
            })?;
        if let Some(prev) = rows.iter().find(|r| r.phase == phase) {
            return Err(DocError::at(
                i,
                format!(
                    "{} has two 联调进度表 rows (also line {})",
                    phase_label(phase),
                    prev.idx + 1
                ),
            ));
        }
        rows.push(Row {
            idx: i,
            phase,
            cells: cells.into_iter().map(str::to_string).collect(),
        });
    }
    if rows.is_empty() {
        return Err(DocError::at(header, "the 联调进度表 has no rows"));
    }
    Ok(rows)
}

/// A table row with some cells replaced; the other cells keep their bytes.
fn row_text(original: &str, changes: &BTreeMap<usize, String>) -> String {
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

fn line_value_after<'a>(re: &Regex, text: &'a str) -> (&'a str, &'a str) {
    match re.captures(text).and_then(|c| c.name("p")) {
        Some(p) => (&text[..p.end()], &text[p.end()..]),
        None => (text, ""),
    }
}

/// The update of the plan from results. Pure: text in, text out.
pub fn update(text: &str, result: &RunResult, owner: Option<&str>) -> Result<Outcome, DocError> {
    let doc = Doc::parse(text);
    let parsed = parse(&doc)?;
    let date = result_date(result)?;
    let mut warnings = vec![];
    number_warnings(&parsed, &mut warnings);

    let by_endpoint: HashMap<&str, &EndpointResult> = result
        .endpoints
        .iter()
        .rev()
        .map(|e| (e.endpoint.as_str(), e))
        .collect();
    let mut listed: HashMap<&str, (u8, usize)> = HashMap::new();
    for s in &parsed.sections {
        for l in &s.endpoints {
            listed
                .entry(l.endpoint.as_str())
                .or_insert((s.number, l.idx));
        }
    }
    let mut not_listed = vec![];
    for e in &result.endpoints {
        match listed.get(e.endpoint.as_str()) {
            None if e.phase > 0 => not_listed.push(e.endpoint.clone()),
            Some((p, idx)) if *p != e.phase => warnings.push(format!(
                "line {}: `{}` is listed under {} but the results put it in {} (contracts/plan.toml); its line is updated, its phase is the results'",
                idx + 1,
                e.endpoint,
                phase_label(*p),
                phase_label(e.phase)
            )),
            _ => {}
        }
    }
    if !not_listed.is_empty() {
        warnings.push(format!(
            "{} endpoint(s) in the results are not listed in the plan, so nothing records them: {}",
            not_listed.len(),
            not_listed.join(", ")
        ));
    }

    let mut edits = Edits::default();
    // The marks after the update, by line index.
    let mut marks: HashMap<usize, (Option<String>, Option<String>)> = HashMap::new();
    for s in &parsed.sections {
        for l in &s.endpoints {
            let (mark, note) = match by_endpoint.get(l.endpoint.as_str()).map(|e| verdict(e)) {
                None | Some(Verdict::NotRun) => (l.mark.clone(), l.note.clone()),
                Some(Verdict::Passed) => {
                    let note = if l.mark.as_deref() == Some(MARK_PASSED) {
                        l.note.clone()
                    } else {
                        Some("已测试通过".to_string())
                    };
                    (Some(MARK_PASSED.to_string()), note)
                }
                Some(Verdict::Failed {
                    not_activated,
                    detail,
                }) => {
                    let note = if not_activated {
                        detail
                    } else {
                        format!("测试失败: {detail}")
                    };
                    (Some(MARK_FAILED.to_string()), Some(note))
                }
                Some(Verdict::Skipped(reason)) => {
                    let was_skipped = l.mark.as_deref().is_some_and(|m| m.starts_with('⏸'));
                    let note = reason
                        .or_else(|| if was_skipped { l.note.clone() } else { None })
                        .unwrap_or_else(|| "跳过".to_string());
                    (Some(MARK_SKIPPED.to_string()), Some(note))
                }
            };
            let same_mark = match (&mark, &l.mark) {
                (Some(a), Some(b)) => {
                    a.trim_end_matches('\u{fe0f}') == b.trim_end_matches('\u{fe0f}')
                }
                (None, None) => true,
                _ => false,
            };
            if !(same_mark && note == l.note) {
                let mut line = l.prefix.clone();
                if let Some(m) = &mark {
                    line.push_str(m);
                    line.push(' ');
                }
                line.push_str(&l.body);
                if let Some(n) = &note {
                    line.push_str(&format!(" ({n})"));
                }
                edits.replace(&doc, l.idx, line);
            }
            marks.insert(l.idx, (mark, note));
        }
    }

    // Phases with results: the result's phase, not the section the line is in.
    let mut touched: BTreeSet<u8> = result.endpoints.iter().map(|e| e.phase).collect();
    touched.extend(result.scenarios.iter().map(|s| s.phase));
    let problem_in_run: BTreeSet<u8> = result
        .endpoints
        .iter()
        .filter(|e| e.status.is_failure())
        .map(|e| e.phase)
        .chain(
            result
                .scenarios
                .iter()
                .filter(|s| s.status.is_failure())
                .map(|s| s.phase),
        )
        .collect();
    for phase in touched {
        if phase == 0 {
            continue; // the health check: not one of the plan's phases
        }
        let Some(s) = parsed.sections.iter().find(|s| s.number == phase) else {
            warnings.push(format!(
                "the results have {} but the plan has no `### {}：…` section for it",
                phase_label(phase),
                phase_label(phase)
            ));
            continue;
        };
        let state_of = |l: &EndpointLine| marks.get(&l.idx).cloned().unwrap_or_default();
        let passed = s
            .endpoints
            .iter()
            .filter(|l| state_of(l).0.as_deref() == Some(MARK_PASSED))
            .count();
        let failed = s
            .endpoints
            .iter()
            .any(|l| state_of(l).0.as_deref() == Some(MARK_FAILED));
        let all_marked = s.endpoints.iter().all(|l| {
            state_of(l)
                .0
                .as_deref()
                .is_some_and(|m| m == MARK_PASSED || m.starts_with('⏸'))
        });
        let state = if failed || problem_in_run.contains(&phase) {
            PhaseState::Problem
        } else if all_marked && passed > 0 {
            PhaseState::Done
        } else {
            PhaseState::InProgress
        };
        let skips: Vec<String> = s
            .endpoints
            .iter()
            .filter_map(|l| {
                let (m, n) = state_of(l);
                m.filter(|m| m.starts_with('⏸')).map(|_| match n {
                    Some(n) => format!("{}: {n}", l.name),
                    None => l.name.clone(),
                })
            })
            .collect();
        let mut result_text = format!("{passed}/{} 接口测试通过", s.endpoints.len());
        if !skips.is_empty() {
            result_text.push_str(&format!(" ({})", skips.join("; ")));
        }
        let row = parsed.rows.iter().find(|r| r.phase == phase);
        let done_date = (state == PhaseState::Done).then(|| {
            s.time_line
                .and_then(|i| DATE.find(doc.lines[i].text))
                .map(|m| m.as_str().to_string())
                .or_else(|| {
                    row.filter(|r| r.cells[3] == PhaseState::Done.label())
                        .and_then(|r| DATE.find(&r.cells[4]))
                        .map(|m| m.as_str().to_string())
                })
                .unwrap_or_else(|| date.clone())
        });
        // 测试结果 and 完成时间.
        match s.result_line {
            Some(i) => {
                let (prefix, _) = line_value_after(&RESULT_LINE, doc.lines[i].text);
                edits.replace(&doc, i, format!("{prefix}{result_text}"));
                match (s.time_line, &done_date) {
                    (Some(t), d) => {
                        let (p, _) = line_value_after(&TIME_LINE, doc.lines[t].text);
                        edits.replace(&doc, t, format!("{p}{}", d.as_deref().unwrap_or("-")));
                    }
                    (None, Some(d)) => edits.insert_after(i, vec![format!("**完成时间**: {d}")]),
                    (None, None) => {}
                }
            }
            None => {
                let last = s.endpoints.iter().map(|l| l.idx).max().unwrap_or(s.heading);
                let mut add = vec![String::new(), format!("**测试结果**: {result_text}")];
                if let Some(t) = s.time_line {
                    let (p, _) = line_value_after(&TIME_LINE, doc.lines[t].text);
                    edits.replace(
                        &doc,
                        t,
                        format!("{p}{}", done_date.as_deref().unwrap_or("-")),
                    );
                } else if let Some(d) = &done_date {
                    add.push(format!("**完成时间**: {d}"));
                }
                edits.insert_after(last, add);
            }
        }
        // The 联调进度表 row.
        match row {
            Some(r) => {
                let mut changes = BTreeMap::new();
                changes.insert(3, state.label().to_string());
                changes.insert(4, done_date.clone().unwrap_or_else(|| "-".into()));
                if let Some(o) = owner {
                    changes.insert(5, o.to_string());
                }
                edits.replace(&doc, r.idx, row_text(doc.lines[r.idx].text, &changes));
            }
            None => warnings.push(format!(
                "the 联调进度表 has no row for {}; add one to track it",
                phase_label(phase)
            )),
        }
    }

    activation_counts(&doc, &parsed, result, &mut edits, &mut warnings);
    Ok(Outcome {
        text: doc.apply(&edits),
        warnings,
    })
}

/// 按状态统计: 后端已激活 / 后端待激活 from the results, when they tell every listed endpoint.
fn activation_counts(
    doc: &Doc,
    parsed: &Parsed,
    result: &RunResult,
    edits: &mut Edits,
    warnings: &mut Vec<String>,
) {
    use crate::result::Status;
    if parsed.active.is_empty() {
        return;
    }
    if result.endpoints.is_empty() {
        active_sum_warning(parsed, warnings);
        return;
    }
    // A module is active when any of its routes answered, pending when all that were requested
    // hit the catch-all.
    let mut module: HashMap<&str, bool> = HashMap::new();
    for e in &result.endpoints {
        match e.status {
            Status::Passed | Status::Failed => {
                module.insert(e.module.as_str(), true);
            }
            Status::NotActivated => {
                module.entry(e.module.as_str()).or_insert(false);
            }
            _ => {}
        }
    }
    let by_endpoint: HashMap<&str, &EndpointResult> = result
        .endpoints
        .iter()
        .map(|e| (e.endpoint.as_str(), e))
        .collect();
    let (mut active, mut pending, mut unknown) = (0usize, 0usize, 0usize);
    let mut seen = BTreeSet::new();
    for l in parsed.sections.iter().flat_map(|s| &s.endpoints) {
        if !seen.insert(l.endpoint.as_str()) {
            continue;
        }
        let known = by_endpoint
            .get(l.endpoint.as_str())
            .and_then(|e| match e.status {
                Status::Passed | Status::Failed => Some(true),
                Status::NotActivated => Some(false),
                _ => module.get(e.module.as_str()).copied(),
            });
        match known {
            Some(true) => active += 1,
            Some(false) => pending += 1,
            None => unknown += 1,
        }
    }
    if unknown > 0 {
        warnings.push(format!(
            "按状态统计 not updated: the results do not tell whether {unknown} listed endpoint(s) are activated (run every phase to count them)"
        ));
        active_sum_warning(parsed, warnings);
        return;
    }
    for (idx, kind, _) in &parsed.active {
        let n = if kind == "已激活" { active } else { pending };
        let t = doc.lines[*idx].text;
        if let Some(m) = ACTIVE_COUNT.captures(t).and_then(|c| c.name("n")) {
            let new = format!("{}{n}{}", &t[..m.start()], &t[m.end()..]);
            edits.replace(doc, *idx, new);
        }
    }
}

/// Where the plan's stated numbers disagree with its own lists.
fn number_warnings(p: &Parsed, warnings: &mut Vec<String>) {
    let listed: HashMap<u8, usize> = p
        .sections
        .iter()
        .map(|s| (s.number, s.endpoints.len()))
        .collect();
    let total: usize = listed.values().sum();
    for s in &p.sections {
        if let Some((i, n)) = s.api_count {
            if n != s.endpoints.len() {
                warnings.push(format!(
                    "line {}: {} says {n} 个接口 but lists {}; left as written",
                    i + 1,
                    phase_label(s.number),
                    s.endpoints.len()
                ));
            }
        }
        for g in &s.groups {
            if g.stated != g.listed {
                warnings.push(format!(
                    "line {}: {} group **{}** says {} 个 but lists {}; left as written",
                    g.idx + 1,
                    phase_label(s.number),
                    g.name,
                    g.stated,
                    g.listed
                ));
            }
        }
    }
    let mut module_phase: HashMap<&str, u8> = HashMap::new();
    for r in &p.rows {
        module_phase.insert(r.cells[1].as_str(), r.phase);
        if let (Ok(n), Some(l)) = (r.cells[2].parse::<usize>(), listed.get(&r.phase)) {
            if n != *l {
                warnings.push(format!(
                    "line {}: the 联调进度表 gives {} {n} 接口 but the plan lists {l}; left as written",
                    r.idx + 1,
                    phase_label(r.phase)
                ));
            }
        }
    }
    for (i, name, n) in &p.module_counts {
        if name == "总计" {
            if *n != total {
                warnings.push(format!(
                    "line {}: 按模块统计 总计 says {n} but the phases list {total} endpoints; left as written",
                    i + 1
                ));
            }
        } else if let Some(l) = module_phase
            .get(name.as_str())
            .and_then(|ph| listed.get(ph))
        {
            if n != l {
                warnings.push(format!(
                    "line {}: 按模块统计 gives {name} {n} 接口 but the plan lists {l}; left as written",
                    i + 1
                ));
            }
        }
    }
}

/// 按状态统计's stated numbers against the lists (said only when they are left as written).
fn active_sum_warning(p: &Parsed, warnings: &mut Vec<String>) {
    let total: usize = p.sections.iter().map(|s| s.endpoints.len()).sum();
    if p.active.len() == 2 {
        let sum: usize = p.active.iter().map(|(_, _, n)| n).sum();
        if sum != total {
            warnings.push(format!(
                "line {}: 按状态统计 已激活 + 待激活 = {sum}, but the phases list {total} endpoints; left as written",
                p.active[0].0 + 1
            ));
        }
    }
}
