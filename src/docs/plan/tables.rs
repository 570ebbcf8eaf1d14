//! The plan's tables: the 联调进度表 (which must be there, with its six columns), and the
//! numbers of 按状态统计 and 按模块统计 (read when present).

use super::{
    chinese_number, number, Activation, ModuleCount, ProgressRow, StatusCount, PROGRESS_COLUMNS,
};
use crate::docs::error::DocError;
use crate::docs::markdown::{is_table_row, is_table_separator, table_cells, Doc};
use crate::plan::phase_label;
use regex::Regex;
use std::sync::LazyLock;

static STRONG_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\**\s*(\d+)\s*\**$").expect("static regex"));
static ACTIVE_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\*\*后端(?P<k>已激活|待激活)\*\*\s*[:：]\s*(?P<n>\d+)\s*个接口")
        .expect("static regex")
});

/// The 联调进度表's rows, after its header (the six columns) and separator.
pub(super) fn read_progress_table(
    doc: &Doc,
    heading: usize,
    level: usize,
) -> Result<Vec<ProgressRow>, DocError> {
    let end = doc.section_end(heading, level);
    let header = (heading + 1..end)
        .find(|n| !doc.text(*n).trim().is_empty())
        .filter(|n| is_table_row(doc.text(*n)))
        .ok_or_else(|| {
            DocError::at(heading, "the 联调进度表 heading is not followed by a table")
        })?;
    let cells = table_cells(doc.text(header));
    if cells != PROGRESS_COLUMNS {
        return Err(DocError::at(
            header,
            format!(
                "the 联调进度表 has the columns `{}`; expected `{}`",
                cells.join(" | "),
                PROGRESS_COLUMNS.join(" | ")
            ),
        ));
    }
    let sep = header + 1;
    if sep >= end || !is_table_separator(doc.text(sep)) {
        return Err(DocError::at(
            sep.min(doc.len()),
            "expected the 联调进度表's separator row (`|------|…|`)",
        ));
    }
    let mut rows: Vec<ProgressRow> = vec![];
    for n in (sep + 1..end).take_while(|n| is_table_row(doc.text(*n))) {
        let row = read_progress_row(n, doc.text(n))?;
        if let Some(prev) = rows.iter().find(|r| r.phase == row.phase) {
            return Err(DocError::at(
                n,
                format!(
                    "{} has two 联调进度表 rows (also line {})",
                    phase_label(row.phase),
                    prev.line
                ),
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(DocError::at(header, "the 联调进度表 has no rows"));
    }
    Ok(rows)
}

fn read_progress_row(n: usize, text: &str) -> Result<ProgressRow, DocError> {
    let cells = table_cells(text);
    if cells.len() != PROGRESS_COLUMNS.len() {
        return Err(DocError::at(
            n,
            format!(
                "this 联调进度表 row has {} cells; the table has {}",
                cells.len(),
                PROGRESS_COLUMNS.len()
            ),
        ));
    }
    let phase = cells[0]
        .strip_prefix("阶段")
        .and_then(chinese_number)
        .ok_or_else(|| {
            DocError::at(
                n,
                format!(
                    "cannot read the phase `{}` of this 联调进度表 row",
                    cells[0]
                ),
            )
        })?;
    Ok(ProgressRow {
        line: n,
        phase,
        cells: cells.into_iter().map(str::to_string).collect(),
    })
}

/// The `**后端已激活**` / `**后端待激活**` lines of 按状态统计, with where their number is.
pub(super) fn read_status_counts(doc: &Doc, heading: usize, level: usize) -> Vec<StatusCount> {
    (heading + 1..doc.section_end(heading, level))
        .filter(|n| doc.line(*n).is_some_and(|l| !l.in_fence()))
        .filter_map(|n| {
            let c = ACTIVE_COUNT.captures(doc.text(n))?;
            let m = c.name("n")?;
            Some(StatusCount {
                line: n,
                kind: if &c["k"] == "已激活" {
                    Activation::Active
                } else {
                    Activation::Pending
                },
                number: number(m.as_str()),
                span: m.range(),
            })
        })
        .collect()
}

/// The 按模块统计 rows whose second cell is a number (`**128**` included), 总计 among them.
pub(super) fn read_module_counts(doc: &Doc, heading: usize, level: usize) -> Vec<ModuleCount> {
    (heading + 1..doc.section_end(heading, level))
        .filter(|n| doc.line(*n).is_some_and(|l| !l.in_fence()))
        .filter(|n| is_table_row(doc.text(*n)) && !is_table_separator(doc.text(*n)))
        .filter_map(|n| {
            let cells = table_cells(doc.text(n));
            let c = STRONG_NUMBER.captures(cells.get(1)?)?;
            Some(ModuleCount {
                line: n,
                module: cells.first()?.trim_matches('*').trim().to_string(),
                number: number(&c[1]),
            })
        })
        .collect()
}
