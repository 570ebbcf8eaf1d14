//! The human reporter: a summary table per phase and module, then every failure with its check,
//! JSON path, expected vs actual, redacted excerpts and a reproducing curl command.

use super::Style;
use crate::plan::{phase_label, Plan};
use crate::result::{percentile, CaseResult, Counts, EndpointResult, RunResult, Status};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use std::collections::BTreeMap;
use std::fmt::Write;

fn status_word(style: &Style, s: Status) -> String {
    let code = match s {
        Status::Passed => "32",
        Status::Failed | Status::Error => "31",
        Status::NotActivated => "35",
        Status::Blocked => "33",
        Status::Skipped => "2",
    };
    style.paint(&format!("{} {}", s.as_str(), s.chinese()), code)
}

/// A status in a table cell: coloured by comfy-table, so the column width stays right.
fn status_cell(style: &Style, s: Status) -> Cell {
    let cell = Cell::new(format!("{} {}", s.as_str(), s.chinese()));
    if !style.color {
        return cell;
    }
    cell.fg(match s {
        Status::Passed => comfy_table::Color::Green,
        Status::Failed | Status::Error => comfy_table::Color::Red,
        Status::NotActivated => comfy_table::Color::Magenta,
        Status::Blocked => comfy_table::Color::Yellow,
        Status::Skipped => comfy_table::Color::Grey,
    })
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.0} ms"))
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

fn count_cells(c: &Counts) -> Vec<Cell> {
    let mut cells = vec![Cell::new(c.total)];
    for s in Status::ALL {
        cells.push(Cell::new(c.get(s)).set_alignment(CellAlignment::Right));
    }
    cells
}

/// The per-phase / per-module summary table.
pub fn summary_table(result: &RunResult, plan: &Plan) -> String {
    let mut t = new_table();
    let mut header = vec!["阶段", "模块", "接口"];
    header.extend(Status::ALL.iter().map(|s| s.chinese()));
    header.extend(["p50", "p95"]);
    t.set_header(header);
    let mut by: BTreeMap<(u8, usize, String), Vec<&EndpointResult>> = BTreeMap::new();
    for e in &result.endpoints {
        let order = plan
            .modules
            .iter()
            .position(|m| m.id == e.module)
            .unwrap_or(usize::MAX);
        by.entry((e.phase, order, e.module.clone()))
            .or_default()
            .push(e);
    }
    for ((phase, _, module), eps) in &by {
        let mut c = Counts::default();
        eps.iter().for_each(|e| c.add(e.status));
        let lat: Vec<f64> = eps.iter().filter_map(|e| e.latency_ms).collect();
        let module_name = plan.module_name(module).unwrap_or(module);
        let mut row = vec![
            Cell::new(phase_label(*phase)),
            Cell::new(format!("{module_name} ({module})")),
        ];
        row.extend(count_cells(&c));
        row.push(Cell::new(ms(percentile(&lat, 50.0))).set_alignment(CellAlignment::Right));
        row.push(Cell::new(ms(percentile(&lat, 95.0))).set_alignment(CellAlignment::Right));
        t.add_row(row);
    }
    t.to_string()
}

pub fn scenario_table(result: &RunResult, style: &Style) -> String {
    let mut t = new_table();
    if style.color {
        // Our own TTY/NO_COLOR decision stands, also when stdout is piped with --color always.
        t.enforce_styling();
    }
    t.set_header(vec!["场景", "阶段", "步骤", "通过", "未通过", "状态"]);
    for s in &result.scenarios {
        let passed = s.passed_steps();
        t.add_row(vec![
            Cell::new(&s.name),
            Cell::new(phase_label(s.phase)),
            Cell::new(s.steps.len()),
            Cell::new(passed),
            Cell::new(s.steps.len() - passed),
            status_cell(style, s.status),
        ]);
    }
    t.to_string()
}

/// The plan's own line per phase: `测试结果: 9/10 接口测试通过 (微信授权登录: 需小程序环境)`.
pub fn phase_lines(result: &RunResult) -> Vec<String> {
    let mut out = vec![];
    for (phase, counts) in &result.summary.phases {
        let skipped: Vec<String> = result
            .endpoints
            .iter()
            .filter(|e| e.phase == *phase && e.status == Status::Skipped)
            .map(|e| format!("{}: {}", e.name, e.reason.clone().unwrap_or_default()))
            .collect();
        let mut line = format!(
            "{} 测试结果: {}/{} 接口测试通过",
            phase_label(*phase),
            counts.passed,
            counts.total
        );
        if !skipped.is_empty() {
            let _ = write!(line, " ({})", skipped.join("; "));
        }
        out.push(line);
    }
    out
}

fn case_block(out: &mut String, style: &Style, k: &CaseResult) {
    let _ = writeln!(
        out,
        "    {} {} [{}]{}",
        style.paint("▸", "2"),
        k.name,
        status_word(style, k.status),
        k.latency_ms
            .map_or(String::new(), |l| format!(" {l:.0} ms"))
    );
    if let Some(r) = &k.reason {
        let _ = writeln!(out, "      原因: {r}");
    }
    for f in &k.findings {
        let at = f
            .path
            .as_ref()
            .map_or(String::new(), |p| format!(" at {p}"));
        let _ = writeln!(
            out,
            "      {}{}: {}",
            style.paint(f.check.as_str(), "1"),
            at,
            f.message
        );
        if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
            let _ = writeln!(out, "        expected: {e}");
            let _ = writeln!(out, "        actual:   {a}");
        }
    }
    for (label, text) in [("request", &k.request), ("response", &k.response)] {
        if let Some(t) = text {
            let mut lines = t.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(out, "      {label}: {first}");
            }
            for l in lines {
                let _ = writeln!(out, "        {l}");
            }
        }
    }
    if let Some(c) = &k.curl {
        let _ = writeln!(out, "      reproduce: {c}");
    }
}

/// Every endpoint and scenario that did not pass, with the detail to act on.
pub fn failures(result: &RunResult, style: &Style) -> String {
    let mut out = String::new();
    for e in result.endpoints.iter().filter(|e| e.status.is_failure()) {
        let _ = writeln!(
            out,
            "{} {}  {}  {} · {} · {}",
            style.paint("✗", "31"),
            status_word(style, e.status),
            e.endpoint,
            e.name,
            phase_label(e.phase),
            e.module
        );
        if let Some(r) = &e.reason {
            let _ = writeln!(out, "    原因: {r}");
        }
        for k in e.cases.iter().filter(|k| k.status != Status::Passed) {
            case_block(&mut out, style, k);
        }
        out.push('\n');
    }
    for s in result.scenarios.iter().filter(|s| s.status.is_failure()) {
        let _ = writeln!(
            out,
            "{} {}  scenario {}  {} · {}",
            style.paint("✗", "31"),
            status_word(style, s.status),
            s.name,
            s.title,
            s.file
        );
        if let Some(r) = &s.reason {
            let _ = writeln!(out, "    原因: {r}");
        }
        for k in s.steps.iter().filter(|k| k.status != Status::Passed) {
            case_block(&mut out, style, k);
            let _ = writeln!(out, "      endpoint: {} ({})", k.endpoint, k.contract);
        }
        out.push('\n');
    }
    out
}

fn counts_line(c: &Counts) -> String {
    Status::ALL
        .iter()
        .filter(|s| c.get(**s) > 0 || **s == Status::Passed || **s == Status::Failed)
        .map(|s| format!("{} {}", c.get(*s), s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole human report.
pub fn render(result: &RunResult, plan: &Plan, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "daodao-check · {} · {} · {}",
        result.env, result.base_url, result.selection
    );
    if !result.endpoints.is_empty() {
        out.push_str(&summary_table(result, plan));
        out.push('\n');
        for l in phase_lines(result) {
            let _ = writeln!(out, "{l}");
        }
        out.push('\n');
    }
    if !result.scenarios.is_empty() {
        out.push_str(&scenario_table(result, style));
        out.push_str("\n\n");
    }
    let f = failures(result, style);
    if !f.is_empty() {
        out.push_str(&f);
    }
    // Passing only on a retry is not silently green.
    for (what, attempts) in result
        .endpoints
        .iter()
        .filter(|e| e.flaky())
        .map(|e| (format!("{}  {}", e.endpoint, e.name), e.attempts))
        .chain(
            result
                .scenarios
                .iter()
                .filter(|s| s.flaky())
                .map(|s| (format!("scenario {}", s.name), s.attempts)),
        )
    {
        let _ = writeln!(
            out,
            "{} flaky 不稳定  {what}  passed on attempt {attempts}",
            style.paint("⚠", "33")
        );
    }
    let verdict = if result.passed() {
        style.paint("PASS 通过", "1;32")
    } else {
        style.paint("FAIL 未通过", "1;31")
    };
    let flaky = match result.summary.flaky {
        0 => String::new(),
        n => format!(" · {n} flaky"),
    };
    let _ = writeln!(
        out,
        "{verdict} · endpoints: {} · scenarios: {}{flaky} · {:.1}s",
        counts_line(&result.summary.endpoints),
        counts_line(&result.summary.scenarios),
        result.duration_ms / 1000.0
    );
    out
}
