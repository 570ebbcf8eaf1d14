//! The human reporter: every failure with its check, JSON path, expected vs actual, redacted excerpts
//! and a reproducing curl command; the setup steps that failed, once; the root causes; then the
//! summary tables per phase and module and the verdict last, where a terminal leaves them on screen.
//! The tables fit the width they are given, long names cut with `…`. How much is shown is the
//! [`Level`]: `-q` keeps one line per failure and the verdict ([`levels`]), `-v` and `-vv` add the
//! cases that passed.

mod levels;

use super::table::{fit, header_row, new_table, one_line, Fit};
use super::Result;
use super::{
    attempt_summary, decision_line, example_mark, finding_path, ms, used_by, CaseGroup, Failure,
    Level, RenderOptions, Renderer, Style, Subject, View,
};
use crate::plan::{phase_label, scenario_phase_label};
use crate::result::{CaseResult, Counts, Status};
use comfy_table::{Cell, CellAlignment};
use std::fmt::Write;

mod timeline;

pub use timeline::timelines;

/// What a run prints. As a file (`--report terminal=PATH`) it is written plain.
pub struct Terminal;

impl Renderer for Terminal {
    fn name(&self) -> &'static str {
        "terminal"
    }

    fn render(&self, view: &View, options: &RenderOptions) -> Result<String> {
        Ok(render_with(view, options))
    }
}

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

fn count_cells(c: &Counts) -> Vec<Cell> {
    let mut cells = vec![Cell::new(c.total)];
    for s in Status::ALL {
        cells.push(Cell::new(c.get(s)).set_alignment(CellAlignment::Right));
    }
    cells
}

/// The per-phase / per-module summary table, at most `width` columns wide: when it does not fit,
/// the status columns that are zero everywhere go first, then module names are cut.
pub fn summary_table(view: &View, width: u16) -> String {
    let mut t = new_table();
    let mut header = vec!["阶段", "模块", "接口"];
    header.extend(Status::ALL.iter().map(|s| s.chinese()));
    header.extend(["p50", "p95"]);
    t.set_header(header_row(&header));
    for m in &view.modules {
        let module_name = m.name.as_deref().unwrap_or(&m.module);
        let mut row = vec![
            Cell::new(phase_label(m.phase)),
            Cell::new(format!("{module_name} ({})", m.module)),
        ];
        row.extend(count_cells(&m.endpoints));
        row.push(Cell::new(ms(m.p50)).set_alignment(CellAlignment::Right));
        row.push(Cell::new(ms(m.p95)).set_alignment(CellAlignment::Right));
        t.add_row(one_line(row));
    }
    // Counts start at column 3 (after 阶段, 模块, 接口), in the order of Status::ALL.
    let empty: Vec<usize> = Status::ALL
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, s)| !matches!(s, Status::Passed | Status::Failed))
        .filter(|(_, s)| view.summary().endpoints.get(**s) == 0)
        .map(|(i, _)| 3 + i)
        .collect();
    fit(
        &mut t,
        width,
        Fit {
            hideable: &empty,
            narrowable: &[&[1]],
        },
    );
    t.to_string()
}

pub fn scenario_table(view: &View, style: &Style, width: u16) -> String {
    let mut t = new_table();
    if style.color {
        // Our own TTY/NO_COLOR decision stands, also when stdout is piped with --color always.
        t.enforce_styling();
    }
    t.set_header(header_row(&[
        "场景",
        "阶段",
        "步骤",
        "通过",
        "未通过",
        "状态",
    ]));
    for s in &view.result.scenarios {
        let passed = s.passed_steps();
        t.add_row(one_line(vec![
            Cell::new(&s.name),
            Cell::new(scenario_phase_label(s.phase)),
            Cell::new(s.steps.len()),
            Cell::new(passed),
            Cell::new(s.steps.len() - passed),
            status_cell(style, s.status),
        ]));
    }
    fit(
        &mut t,
        width,
        Fit {
            hideable: &[],
            narrowable: &[&[0]],
        },
    );
    t.to_string()
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
    case_body(out, style, k);
}

/// A case's reason, findings (a folded one with its example, a decision under it), excerpts and curl.
fn case_body(out: &mut String, style: &Style, k: &CaseResult) {
    if let Some(r) = &k.reason {
        let _ = writeln!(out, "      原因: {r}");
    }
    for f in &k.findings {
        let at = finding_path(f).map_or(String::new(), |p| format!(" at {p}"));
        let _ = writeln!(
            out,
            "      {}{}: {}",
            style.paint(f.check.as_str(), "1"),
            at,
            f.message
        );
        if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
            let _ = writeln!(out, "        expected: {e}");
            let _ = writeln!(out, "        actual:   {a}{}", example_mark(f));
        }
        if let Some(d) = decision_line(f) {
            let _ = writeln!(out, "        {}", style.paint(&d, "36"));
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

/// `GET /api/v1/x  名称 · 阶段二 · module`, or `scenario NAME  标题 · FILE`.
fn subject_title(subject: Subject) -> String {
    match subject {
        Subject::Endpoint(e) => format!(
            "{}  {} · {} · {}",
            e.endpoint,
            e.name,
            phase_label(e.phase),
            e.module
        ),
        Subject::Scenario(s) => format!("scenario {}  {} · {}", s.name, s.title, s.file),
    }
}

/// Every endpoint and scenario that did not pass, with the detail to act on.
pub fn failures(view: &View, style: &Style) -> String {
    let mut out = String::new();
    // When nearly every route is unmounted the base URL is the news (said by the verdict): each
    // unmounted endpoint is then its title line alone.
    let unmounted_is_the_base = view.result.route_hint.is_some();
    for Failure { subject, cases } in &view.failures {
        let _ = writeln!(
            out,
            "{} {}  {}",
            style.paint("✗", "31"),
            status_word(style, subject.status()),
            subject_title(*subject)
        );
        if unmounted_is_the_base && subject.status() == Status::NotActivated {
            continue;
        }
        match subject.reason() {
            // What a blocked endpoint established (route, auth) is the news: shown as its own line.
            Some(r) if subject.status() == Status::Blocked => {
                let _ = writeln!(out, "    {}", style.paint(r, "1;33"));
            }
            Some(r) => {
                let _ = writeln!(out, "    原因: {r}");
            }
            None => {}
        }
        for CaseGroup { first, alike } in super::alike(cases) {
            case_block(&mut out, style, first);
            if let Subject::Scenario(_) = subject {
                let _ = writeln!(
                    out,
                    "      endpoint: {} ({})",
                    first.endpoint, first.contract
                );
            }
            if !alike.is_empty() {
                let names: Vec<&str> = alike.iter().map(|k| k.name.as_str()).collect();
                let _ = writeln!(
                    out,
                    "    ▸ 另有 {} 个请求结果相同: {}",
                    alike.len(),
                    names.join(" · ")
                );
            }
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

/// Setup steps that did not pass or found something, each once, with the endpoints that used it.
pub fn setups(view: &View, style: &Style) -> String {
    let mut out = String::new();
    if view.setups.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "{}",
        style.paint(&format!("准备步骤 ({})", view.setups.len()), "1")
    );
    for s in &view.setups {
        let k = &s.case;
        let mark = if k.status == Status::Passed {
            style.paint("⚠", "33")
        } else {
            style.paint("✗", "31")
        };
        let _ = writeln!(
            out,
            "{mark} {}  准备步骤 {}  {} ({}){}",
            status_word(style, k.status),
            k.name,
            k.endpoint,
            k.contract,
            k.latency_ms
                .map_or(String::new(), |l| format!(" {l:.0} ms"))
        );
        let _ = writeln!(out, "    {}", used_by(s));
        case_body(&mut out, style, k);
        out.push('\n');
    }
    out
}

/// 安全, before the details: one line per security finding, by check.
pub fn security(view: &View, style: &Style) -> String {
    let mut out = String::new();
    if view.security.is_empty() {
        return out;
    }
    let title = format!("安全 ({} 项)", view.security_findings());
    let _ = writeln!(out, "{}", style.paint(&title, "1;31"));
    for g in &view.security {
        let _ = writeln!(
            out,
            "  {} ({})",
            style.paint(&g.title(), "1"),
            g.items.len()
        );
        for item in g.items.iter().take(SECURITY_LINES) {
            let _ = writeln!(out, "    {}: {}", item.place(), item.line());
        }
        if g.items.len() > SECURITY_LINES {
            let _ = writeln!(out, "    … 另有 {} 项", g.items.len() - SECURITY_LINES);
        }
    }
    out.push('\n');
    out
}

/// A security check lists this many of its findings on a terminal (the details follow below).
const SECURITY_LINES: usize = 10;

/// 根因汇总: one line per cause, most endpoints first, capped so that it fits on a screen.
pub fn root_causes(view: &View, style: &Style) -> String {
    let mut out = String::new();
    let causes = &view.root_causes;
    if causes.is_empty() {
        return out;
    }
    let total = causes.shown.len() + causes.hidden;
    let _ = writeln!(
        out,
        "{}",
        style.paint(&format!("根因汇总 ({total} 类, 按接口数)"), "1")
    );
    for c in &causes.shown {
        let _ = writeln!(out, "  {} — {}", style.paint(&c.title(), "1"), c.reach());
    }
    if let Some(more) = causes.more() {
        let _ = writeln!(out, "  {more}");
    }
    out.push('\n');
    out
}

/// Some case that did not pass carries a reproduction line with the run's variables.
fn has_reproductions(view: &View) -> bool {
    let uses_vars =
        |k: &&crate::result::CaseResult| k.curl.as_deref().is_some_and(|c| c.contains("${DAODAO_"));
    view.failures.iter().any(|f| f.cases.iter().any(uses_vars))
        || view.setups.iter().any(|s| uses_vars(&&s.case))
}

/// The report at the normal level, [`super::FILE_WIDTH`] wide, in `style`.
pub fn render(view: &View, style: &Style) -> String {
    render_with(
        view,
        &RenderOptions {
            style: *style,
            ..Default::default()
        },
    )
}

/// The whole human report: the details first, then what to read last (setups, root causes, the
/// tables and the verdict), so what stays on screen is the summary. `-q` keeps only a line per
/// failure and the verdict; `-v`/`-vv` put the passed cases before the details.
pub fn render_with(view: &View, options: &RenderOptions) -> String {
    let style = &options.style;
    if options.level == Level::Quiet {
        return levels::quiet(view, style);
    }
    let result = view.result;
    let mut out = String::new();
    let shard = result
        .partition
        .as_ref()
        .map_or(String::new(), |p| format!(" · partition {p}"));
    let _ = writeln!(
        out,
        "daodao-check · {} · {} · {}{shard}",
        result.env, result.base_url, result.selection
    );
    match options.level {
        Level::Verbose => out.push_str(&levels::passed_lines(view, style)),
        Level::VeryVerbose => out.push_str(&levels::passed_in_full(view, style)),
        Level::Quiet | Level::Normal => {}
    }
    out.push_str(&security(view, style));
    out.push_str(&failures(view, style));
    out.push_str(&setups(view, style));
    if has_reproductions(view) {
        let _ = writeln!(
            out,
            "{}\n",
            style.paint(
                "复现命令中的变量 (${DAODAO_TOKEN} …): 先 source reports/session.env (PowerShell: . reports/session.ps1)",
                "2"
            )
        );
    }
    out.push_str(&root_causes(view, style));
    out.push_str(&timelines(view, style, options.width));
    out.push_str(&super::coverage::terminal(view, style));
    if !result.endpoints.is_empty() {
        out.push_str(&summary_table(view, options.width));
        out.push('\n');
        for l in view.phase_lines() {
            let _ = writeln!(out, "{l}");
        }
        out.push('\n');
    }
    if !result.scenarios.is_empty() {
        out.push_str(&scenario_table(view, style, options.width));
        out.push_str("\n\n");
    }
    for line in view.warning_lines() {
        let _ = writeln!(out, "{} {line}", style.paint("⚠", "33"));
    }
    flaky(&mut out, view, style);
    verdict(&mut out, view, style);
    out
}

/// Passing only on a retry is not silently green.
fn flaky(out: &mut String, view: &View, style: &Style) {
    for subject in &view.flaky {
        let what = match subject {
            Subject::Endpoint(e) => format!("{}  {}", e.endpoint, e.name),
            Subject::Scenario(s) => format!("scenario {}", s.name),
        };
        let first = subject
            .earlier_attempts()
            .first()
            .map_or(String::new(), |a| {
                format!(" (attempt 1: {})", attempt_summary(a))
            });
        let _ = writeln!(
            out,
            "{} flaky 不稳定  {what}  passed on attempt {}{first}",
            style.paint("⚠", "33"),
            subject.attempts()
        );
    }
}

/// The last line: PASS or FAIL, the counts, what was retried and what was not run, the time.
fn verdict(out: &mut String, view: &View, style: &Style) {
    let verdict = if view.passed() {
        style.paint("PASS 通过", "1;32")
    } else {
        style.paint("FAIL 未通过", "1;31")
    };
    let summary = view.summary();
    let retried = match (summary.retried, summary.flaky) {
        (0, 0) => String::new(),
        (0, flaky) => format!(" · {flaky} flaky"),
        (retried, flaky) => format!(" · {retried} retried ({flaky} flaky)"),
    };
    let not_run = match &view.result.not_run {
        Some(n) if n.count() > 0 => style.paint(
            &format!(
                " · {} not run (stopped after {} failure{})",
                n.count(),
                n.max_fail,
                if n.max_fail == 1 { "" } else { "s" }
            ),
            "33",
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{verdict} · endpoints: {} · scenarios: {}{retried}{not_run} · {:.1}s",
        counts_line(&summary.endpoints),
        counts_line(&summary.scenarios),
        view.result.duration_ms / 1000.0
    );
}
