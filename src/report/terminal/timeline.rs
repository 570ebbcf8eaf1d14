//! Journeys as timelines on a terminal: a row per step with who acted, how it ended, when it started
//! (the time waited before it) and a bar of its latency against the budget.

use super::{new_table, status_cell};
use crate::plan::END_TO_END_LABEL;
use crate::report::table::{fit, header_row, one_line, Fit};
use crate::report::{Style, Timeline, TimelineRow, View};
use comfy_table::{Cell, CellAlignment};
use std::fmt::Write;

/// The bar's width: the whole budget.
const BAR_CELLS: usize = 20;

/// Every journey of the run, each as its timeline, its table at most `width` columns wide.
pub fn timelines(view: &View, style: &Style, width: u16) -> String {
    let mut out = String::new();
    for t in &view.timelines {
        timeline(&mut out, t, style, width);
    }
    out
}

/// Columns of the timeline. On a narrow terminal the latency bar goes first, then the note (the
/// details below say why a step failed), then the step's and the endpoint's names are cut.
const BAR: usize = 7;
const NOTE: usize = 8;
const STEP: usize = 1;
const ENDPOINT: usize = 2;

fn timeline(out: &mut String, t: &Timeline, style: &Style, width: u16) {
    let s = t.scenario;
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            &format!("{END_TO_END_LABEL} {}  {} · {}", s.name, s.title, s.file),
            "1"
        )
    );
    let _ = writeln!(out, "  {}", t.headline());
    if let Some(reason) = &s.reason {
        let _ = writeln!(out, "  原因: {reason}");
    }
    let mut table = new_table();
    if style.color {
        table.enforce_styling();
    }
    let budget = format!("预算 {} ms", t.budget_ms);
    table.set_header(header_row(&[
        "#", "步骤", "接口", "账号", "状态", "开始", "延迟", &budget, "说明",
    ]));
    for row in &t.rows {
        table.add_row(one_line(cells(row, t, style)));
    }
    fit(
        &mut table,
        width,
        Fit {
            hideable: &[BAR, NOTE],
            narrowable: &[&[STEP, ENDPOINT]],
        },
    );
    let _ = writeln!(out, "{table}\n");
}

fn cells(row: &TimelineRow, t: &Timeline, style: &Style) -> Vec<Cell> {
    let k = row.step;
    let breaks = t.breaks_at == Some(row.number - 1);
    let number = if breaks {
        format!("{:02} ✗", row.number)
    } else {
        format!("{:02}", row.number)
    };
    let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
    vec![
        Cell::new(number),
        Cell::new(&k.name),
        Cell::new(&k.endpoint),
        Cell::new(row.account),
        status_cell(style, k.status),
        right(format!("+{:.0} ms", row.started_ms)),
        right(k.latency_ms.map_or(String::new(), |l| format!("{l:.0} ms"))),
        bar_cell(row.of_budget, style),
        Cell::new(row.note.as_deref().unwrap_or_default()),
    ]
}

/// `███░░░…`: the latency's share of the budget in [`BAR_CELLS`] cells, at least one when it was sent;
/// past the budget the bar is full and says by how much (`▶ 150%`).
pub(crate) fn bar(of_budget: Option<f64>) -> String {
    let Some(share) = of_budget else {
        return String::new();
    };
    let filled = ((share * BAR_CELLS as f64).ceil() as usize).clamp(1, BAR_CELLS);
    let mut bar = "█".repeat(filled) + &"░".repeat(BAR_CELLS - filled);
    if share > 1.0 {
        let _ = write!(bar, "▶ {:.0}%", share * 100.0);
    }
    bar
}

fn bar_cell(of_budget: Option<f64>, style: &Style) -> Cell {
    let cell = Cell::new(bar(of_budget));
    if !style.color {
        return cell;
    }
    let over = of_budget.is_some_and(|s| s > 1.0);
    cell.fg(if over {
        comfy_table::Color::Red
    } else {
        comfy_table::Color::Green
    })
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn a_bar_is_the_share_of_the_budget_and_says_how_far_past_it() {
        assert_eq!(bar(None), "");
        assert_eq!(bar(Some(0.001)), format!("█{}", "░".repeat(19)));
        assert_eq!(
            bar(Some(0.5)),
            format!("{}{}", "█".repeat(10), "░".repeat(10))
        );
        assert_eq!(bar(Some(1.0)), "█".repeat(20));
        assert_eq!(bar(Some(1.5)), format!("{}▶ 150%", "█".repeat(20)));
    }
}
