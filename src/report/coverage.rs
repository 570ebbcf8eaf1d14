//! The 联调覆盖 section of each format (a proxy session's or a HAR file's results only): the plan's
//! endpoints the front end exercised and those it never did, as a table of their own, and the
//! unregistered requests with the contract each most likely meant. Every renderer calls its function
//! here once; a result without the section renders nothing.

use super::escape::{cell, code, esc};
use super::{unregistered_nearest, unregistered_request, CoverageView, Style, View};
use crate::plan::phase_label;
use crate::result::proxy::{Coverage, Exercised};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

/// The terminal names this many never-called endpoints per phase, then counts the rest.
const NAMES_PER_PHASE: usize = 8;

fn counts(c: &Coverage) -> [String; 3] {
    [c.exchanges, c.passed, c.failed].map(|n| n.to_string())
}

/// The terminal: the headline, the endpoints called (a table), those never called (a line per
/// phase), the unregistered requests.
pub fn terminal(view: &View, style: &Style) -> String {
    let Some(v) = &view.coverage else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.paint(&format!("联调覆盖: {}", v.headline()), "1")
    );
    if !v.exercised.is_empty() {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        t.set_header(vec![
            "阶段",
            "接口",
            "名称",
            "交换",
            "通过",
            "未通过",
            "状态",
        ]);
        for c in &v.exercised {
            let mut row = vec![
                Cell::new(phase_label(c.phase)),
                Cell::new(&c.endpoint),
                Cell::new(&c.name),
            ];
            row.extend(counts(c).map(|n| Cell::new(n).set_alignment(CellAlignment::Right)));
            row.push(Cell::new(c.exercised().label()));
            t.add_row(row);
        }
        let _ = writeln!(out, "{t}");
    }
    if !v.never.is_empty() {
        let total: usize = v.never.iter().map(|(_, l)| l.len()).sum();
        let _ = writeln!(out, "未调用 ({total} 个):");
        for (phase, list) in &v.never {
            let mut names: Vec<&str> = list
                .iter()
                .take(NAMES_PER_PHASE)
                .map(|c| c.name.as_str())
                .collect();
            if list.len() > NAMES_PER_PHASE {
                names.push("…");
            }
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                phase_label(*phase),
                list.len(),
                names.join(", ")
            );
        }
    }
    unregistered_lines(&mut out, v, style);
    out.push('\n');
    out
}

fn unregistered_lines(out: &mut String, v: &CoverageView, style: &Style) {
    let list = &v.report.unregistered;
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        style.paint(&format!("未登记接口 ({}):", list.len()), "1;35")
    );
    for u in list {
        let _ = writeln!(
            out,
            "  {} → {}",
            unregistered_request(u),
            unregistered_nearest(u)
        );
    }
    if let Some(more) = v.unregistered_more() {
        let _ = writeln!(out, "  {more}");
    }
}

/// Markdown: every contract of the plan in one table, then the unregistered requests.
pub fn markdown(view: &View) -> String {
    let Some(v) = &view.coverage else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(out, "## 联调覆盖\n\n{}\n", cell(&v.headline()));
    let _ = writeln!(out, "| 阶段 | 接口 | 名称 | 交换 | 通过 | 未通过 | 状态 |");
    let _ = writeln!(out, "|------|------|------|------|------|--------|------|");
    for c in &v.report.coverage {
        let [n, p, f] = counts(c);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {n} | {p} | {f} | {} |",
            phase_label(c.phase),
            code(&c.endpoint),
            cell(&c.name),
            c.exercised().label()
        );
    }
    out.push('\n');
    let list = &v.report.unregistered;
    if !list.is_empty() {
        let _ = writeln!(out, "### 未登记接口\n");
        let _ = writeln!(out, "| 请求 | 最接近的合约 |");
        let _ = writeln!(out, "|------|--------------|");
        for u in list {
            let _ = writeln!(
                out,
                "| {} | {} |",
                cell(&unregistered_request(u)),
                cell(&unregistered_nearest(u))
            );
        }
        if let Some(more) = v.unregistered_more() {
            let _ = writeln!(out, "\n{more}");
        }
        out.push('\n');
    }
    out
}

/// HTML: the same tables, each row classed by where the endpoint stands.
pub fn html(view: &View) -> String {
    let Some(v) = &view.coverage else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<section id=\"coverage\">\n<h2>联调覆盖</h2>\n<p id=\"coverage-headline\">{}</p>",
        esc(&v.headline())
    );
    let _ = writeln!(
        out,
        "<table class=\"coverage\">\n<thead><tr><th>阶段</th><th>接口</th><th>名称</th>\
         <th class=\"num\">交换</th><th class=\"num\">通过</th><th class=\"num\">未通过</th><th>状态</th></tr></thead>\n<tbody>"
    );
    for c in &v.report.coverage {
        let class = match c.exercised() {
            Exercised::Never => "never",
            Exercised::Passed => "passed",
            Exercised::Failed => "failed",
        };
        let [n, p, f] = counts(c);
        let _ = writeln!(
            out,
            "<tr class=\"{class}\" data-id=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td>\
             <td class=\"num\">{n}</td><td class=\"num\">{p}</td><td class=\"num\">{f}</td><td>{}</td></tr>",
            esc(&c.id),
            esc(&phase_label(c.phase)),
            esc(&c.endpoint),
            esc(&c.name),
            esc(c.exercised().label())
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let list = &v.report.unregistered;
    if !list.is_empty() {
        let _ = writeln!(
            out,
            "<h3>未登记接口</h3>\n<table class=\"unregistered\">\n<thead><tr><th>请求</th><th>最接近的合约</th></tr></thead>\n<tbody>"
        );
        for u in list {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(&unregistered_request(u)),
                esc(&unregistered_nearest(u))
            );
        }
        let _ = writeln!(out, "</tbody>\n</table>");
        if let Some(more) = v.unregistered_more() {
            let _ = writeln!(out, "<p>{}</p>", esc(&more));
        }
    }
    let _ = writeln!(out, "</section>");
    out
}

/// JUnit: a suite `联调覆盖` with a test per contract (never called: skipped; a finding: failure) and
/// one per unregistered request (failure).
pub fn junit(view: &View) -> Option<TestSuite> {
    let v = view.coverage.as_ref()?;
    let mut suite = TestSuite::new("联调覆盖");
    for c in &v.report.coverage {
        let status = match c.exercised() {
            Exercised::Passed => TestCaseStatus::success(),
            Exercised::Never => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("前端未调用");
                s
            }
            Exercised::Failed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{}/{} 次交换未通过", c.failed, c.exchanges));
                s
            }
        };
        let mut t = TestCase::new(format!("{} {}", c.endpoint, c.name), status);
        t.set_classname(format!("daodao.coverage.{}", c.id));
        suite.add_test_case(t);
    }
    for u in &v.report.unregistered {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!("未登记接口 → {}", unregistered_nearest(u)));
        s.set_type("unregistered");
        let mut t = TestCase::new(unregistered_request(u), s);
        t.set_classname("daodao.coverage.unregistered");
        suite.add_test_case(t);
    }
    Some(suite)
}
