//! Journeys as timelines: a table per journey, one row per step, with who acted, how it ended, when
//! it started and a bar of its latency against the budget (red past it), the step where the journey
//! breaks marked; and the accounts the run missed, with how to configure them.

use super::{badge, esc, View};
use crate::plan::END_TO_END_LABEL;
use crate::report::{Timeline, TimelineRow};
use std::fmt::Write;

pub(super) fn timelines(out: &mut String, view: &View) {
    if view.timelines.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"journeys\">\n<h2>{END_TO_END_LABEL}旅程 ({})</h2>\n<p class=\"muted\">每一步一行: 谁操作、结果、开始时已等待的时间, 以及延迟占预算的比例 (满格即预算, 红色为超出).</p>",
        view.timelines.len()
    );
    for t in &view.timelines {
        timeline(out, t);
    }
    let _ = writeln!(out, "</section>");
}

fn timeline(out: &mut String, t: &Timeline) {
    let s = t.scenario;
    let _ = writeln!(
        out,
        "<div class=\"journey\" data-scenario=\"{}\" data-status=\"{}\">\n<h3>{} <code>{}</code> {}</h3>\n<p>{}</p>",
        esc(&s.name),
        s.status.as_str(),
        badge(s.status),
        esc(&s.name),
        esc(&s.title),
        esc(&t.headline())
    );
    if let Some(r) = &s.reason {
        let _ = writeln!(out, "<p>原因: {}</p>", esc(r));
    }
    let _ = writeln!(
        out,
        "<table class=\"timeline\"><thead><tr><th class=\"num\">#</th><th>步骤</th><th>接口</th><th>账号</th><th>状态</th><th class=\"num\">开始</th><th class=\"num\">延迟</th><th>预算 {} ms</th><th>说明</th></tr></thead><tbody>",
        t.budget_ms
    );
    for row in &t.rows {
        let breaks = t.breaks_at == Some(row.number - 1);
        step_row(out, row, breaks);
    }
    let _ = writeln!(out, "</tbody></table>\n</div>");
}

fn step_row(out: &mut String, row: &TimelineRow, breaks: bool) {
    let k = row.step;
    let class = if breaks { " class=\"breaks\"" } else { "" };
    let latency = k.latency_ms.map_or(String::new(), |l| format!("{l:.0} ms"));
    let _ = writeln!(
        out,
        "<tr{class} data-status=\"{}\"><td class=\"num\">{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">+{:.0} ms</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
        k.status.as_str(),
        row.number,
        esc(&k.name),
        esc(&k.endpoint),
        esc(row.account),
        badge(k.status),
        row.started_ms,
        latency,
        bar(row.of_budget),
        esc(row.note.as_deref().unwrap_or_default())
    );
}

/// The latency's share of the budget as a bar whose full width is the budget.
fn bar(of_budget: Option<f64>) -> String {
    let Some(share) = of_budget else {
        return String::new();
    };
    let class = if share > 1.0 { "over" } else { "under" };
    let width = (share * 100.0).clamp(1.0, 100.0);
    format!(
        "<span class=\"latency-bar\" role=\"img\" aria-label=\"预算的 {:.0}%\"><span class=\"fill {class}\" style=\"width:{width:.1}%\"></span></span>",
        share * 100.0
    )
}

/// `staff 账号未配置 …`: one line per account the run missed.
pub(super) fn missing_accounts(out: &mut String, view: &View) {
    let lines = view.warning_lines();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"missing-accounts\">");
    for line in lines {
        let _ = writeln!(out, "<p class=\"blocked-reason\">⚠ {}</p>", esc(&line));
    }
    let _ = writeln!(out, "</section>");
}
