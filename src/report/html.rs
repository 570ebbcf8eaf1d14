//! One self-contained HTML report: no network (a Content-Security-Policy forbids it), per-phase
//! progress bars, a sortable endpoint table with status and latency, every failure expandable with
//! its findings and redacted excerpts, a latency chart against the budget as inline SVG, the failed
//! setup steps once, and the root causes (根因汇总) last. Everything printed is escaped.

mod causes;
mod flaky;
mod timeline;

use super::escape::esc;
use super::Result;
use super::{
    case_summary, decision_line, example_mark, items, mark, ms, Failure, PhaseView, RenderOptions,
    Renderer, Subject, View,
};
use crate::plan::{phase_label, scenario_phase_label};
use crate::result::{CaseResult, Counts, EndpointResult, RunResult, Status};
use std::fmt::Write;

/// The page's style sheet and script, kept as files of their own.
const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

pub struct Html;

impl Renderer for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn render(&self, view: &View, _: &RenderOptions) -> Result<String> {
        Ok(render(view))
    }
}

/// Severity order for sorting the status column: the worst first.
fn severity(s: Status) -> u8 {
    match s {
        Status::Error => 0,
        Status::NotActivated => 1,
        Status::Failed => 2,
        Status::Blocked => 3,
        Status::Skipped => 4,
        Status::Passed => 5,
    }
}

fn badge(s: Status) -> String {
    format!(
        "<span class=\"badge {}\">{} {}</span>",
        s.as_str(),
        mark(s),
        esc(s.chinese())
    )
}

fn render(view: &View) -> String {
    let result = view.result;
    let mut out = String::new();
    let verdict = if view.passed() {
        ("pass", "✅ 通过")
    } else {
        ("fail", "❌ 未通过")
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>daodao-check 联调测试报告 · {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&result.env)
    );
    let _ = writeln!(out, "<header>\n<h1>daodao-check 联调测试报告</h1>");
    let _ = writeln!(
        out,
        "<p class=\"verdict {}\" id=\"verdict\">{}</p>",
        verdict.0, verdict.1
    );
    let _ = writeln!(out, "<dl class=\"meta\">");
    for (k, v) in view.facts() {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    let _ = writeln!(out, "</dl>\n</header>");
    timeline::missing_accounts(&mut out, view);
    causes::security(&mut out, view);
    counts_table(&mut out, result);
    phases(&mut out, &view.phases);
    out.push_str(&super::coverage::html(view));
    latency_chart(&mut out, result);
    module_table(&mut out, view);
    endpoint_table(&mut out, view);
    failures(&mut out, view);
    causes::setups(&mut out, view);
    flaky::flaky(&mut out, view);
    skipped(&mut out, view);
    scenarios(&mut out, result);
    timeline::timelines(&mut out, view);
    causes::root_causes(&mut out, view);
    let _ = writeln!(
        out,
        "<div id=\"dom-check\" hidden></div>\n<script>\n{SCRIPT}</script>\n</body>\n</html>"
    );
    out
}

fn counts_table(out: &mut String, result: &RunResult) {
    let _ = writeln!(out, "<section id=\"summary\">\n<h2>总览</h2>\n<table class=\"counts\">\n<thead><tr><th></th><th class=\"num\">总数</th>");
    for s in Status::ALL {
        let _ = write!(out, "<th class=\"num\">{}</th>", esc(s.chinese()));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for (label, key, c) in [
        ("接口", "endpoints", &result.summary.endpoints),
        ("场景", "scenarios", &result.summary.scenarios),
    ] {
        let _ = write!(
            out,
            "<tr><th>{label}</th><td class=\"num\" id=\"{key}-total\">{}</td>",
            c.total
        );
        for s in Status::ALL {
            let _ = write!(
                out,
                "<td class=\"num\" id=\"{key}-{}\">{}</td>",
                s.as_str(),
                c.get(s)
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let s = &result.summary.endpoints;
    let _ = writeln!(
        out,
        "<p id=\"test-result\">测试结果: {}/{} 接口测试通过</p>\n</section>",
        s.passed, s.total
    );
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "0".into()
    } else {
        format!("{:.1}", n as f64 * 100.0 / of as f64)
    }
}

fn phases(out: &mut String, views: &[PhaseView]) {
    if views.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"phases\">\n<h2>阶段进度</h2>");
    for v in views {
        let c: &Counts = &v.endpoints;
        let of = v.planned.unwrap_or(c.total).max(c.total);
        let problem = c.failures();
        let _ = writeln!(
            out,
            "<div class=\"phase\" data-phase=\"{}\" data-passed=\"{}\" data-total=\"{}\">",
            v.number, c.passed, c.total
        );
        let planned = v
            .planned
            .map_or(String::new(), |n| format!(" · 计划 {n} 个接口"));
        let _ = writeln!(
            out,
            "<div class=\"phase-head\"><span class=\"title\">{}</span><span class=\"state {}\">{}</span><span>测试结果: {}/{} 接口测试通过{}</span></div>",
            esc(&v.title()),
            v.state.css(),
            v.state.label(),
            c.passed,
            c.total,
            esc(&planned)
        );
        let _ = writeln!(
            out,
            "<div class=\"bar\" role=\"img\" aria-label=\"通过 {} · 有问题 {} · 跳过 {} · 共 {}\">\
             <span class=\"seg passed\" style=\"width:{}%\"></span>\
             <span class=\"seg problem\" style=\"width:{}%\"></span>\
             <span class=\"seg skipped\" style=\"width:{}%\"></span></div>\n</div>",
            c.passed,
            problem,
            c.skipped,
            of,
            pct(c.passed, of),
            pct(problem, of),
            pct(c.skipped, of)
        );
    }
    let _ = writeln!(out, "</section>");
}

/// Horizontal bars of each endpoint's valid-request latency, slowest first, with the budget line.
fn latency_chart(out: &mut String, result: &RunResult) {
    const MAX_BARS: usize = 60;
    let mut eps: Vec<(&EndpointResult, f64)> = result
        .endpoints
        .iter()
        .filter_map(|e| e.latency_ms.filter(|l| l.is_finite()).map(|l| (e, l)))
        .collect();
    if eps.is_empty() {
        return;
    }
    eps.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shown = eps.len().min(MAX_BARS);
    let budget = result.latency_budget_ms as f64;
    let scale_max = eps[0].1.max(budget) * 1.1;
    let (label_w, bar_w, row_h, top) = (330.0, 520.0, 18.0, 22.0);
    let width = label_w + bar_w + 80.0;
    let height = top + row_h * shown as f64 + 8.0;
    let x = |v: f64| label_w + v / scale_max * bar_w;
    let _ = writeln!(out, "<section id=\"latency\">\n<h2>响应时间与预算</h2>");
    let over = eps.iter().filter(|(_, l)| *l > budget).count();
    let _ = writeln!(
        out,
        "<p class=\"muted\">正常请求的响应时间, 预算 {} ms; 超出预算 {} 个{}.</p>",
        result.latency_budget_ms,
        over,
        if eps.len() > shown {
            format!("; 只画出最慢的 {shown} 个 (共 {})", eps.len())
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"latency-chart\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"响应时间与预算\">"
    );
    for (i, (e, l)) in eps.iter().take(shown).enumerate() {
        let y = top + i as f64 * row_h;
        let class = if *l > budget { "over" } else { "under" };
        let _ = writeln!(
            out,
            "<g><title>{} {} · {:.0} ms</title><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"{class}\" x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{:.0} ms</text></g>",
            esc(&e.endpoint),
            esc(&e.name),
            l,
            label_w - 6.0,
            y + 12.0,
            esc(&e.endpoint),
            y + 3.0,
            (x(*l) - label_w).max(1.0),
            row_h - 6.0,
            x(*l) + 4.0,
            y + 12.0,
            l
        );
    }
    let bx = x(budget);
    let _ = writeln!(
        out,
        "<line class=\"budget\" x1=\"{bx:.1}\" y1=\"14\" x2=\"{bx:.1}\" y2=\"{:.1}\"></line>\
         <text x=\"{bx:.1}\" y=\"11\" text-anchor=\"middle\">预算 {} ms</text>\n</svg>\n</section>",
        height - 4.0,
        result.latency_budget_ms
    );
}

fn module_table(out: &mut String, view: &View) {
    let rows: Vec<_> = view.modules.iter().filter(|r| r.measured > 0).collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"modules\">\n<h2>各模块响应时间</h2>\n<table>\n<thead><tr><th>阶段</th><th>模块</th><th class=\"num\">已测接口</th><th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">最慢</th></tr></thead>\n<tbody>");
    for r in rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&phase_label(r.phase)),
            esc(&r.label()),
            r.measured,
            ms(r.p50),
            ms(r.p95),
            ms(r.max)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
}

fn endpoint_table(out: &mut String, view: &View) {
    let result = view.result;
    if result.endpoints.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"endpoints\">\n<h2>接口 ({})</h2>\n<p class=\"muted\">点击表头排序.</p>\n\
         <table id=\"endpoint-table\" class=\"sortable\">\n<thead><tr><th data-type=\"num\">阶段</th><th>模块</th><th>接口</th><th>名称</th><th data-type=\"num\">状态</th><th data-type=\"num\" class=\"num\">延迟 (ms)</th><th>说明</th></tr></thead>\n<tbody>",
        result.endpoints.len()
    );
    for e in &result.endpoints {
        let module = view.module_label(&e.module);
        let note = if e.status == Status::Passed {
            String::new()
        } else {
            e.reason.clone().unwrap_or_else(|| {
                e.cases
                    .iter()
                    .find(|k| k.status != Status::Passed)
                    .map(case_summary)
                    .unwrap_or_default()
            })
        };
        let latency = e.latency_ms.map_or(String::new(), |l| format!("{l:.0}"));
        let _ = writeln!(
            out,
            "<tr data-status=\"{}\"><td data-value=\"{}\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td data-value=\"{}\">{}</td><td class=\"num\" data-value=\"{}\">{}</td><td>{}</td></tr>",
            e.status.as_str(),
            e.phase,
            esc(&phase_label(e.phase)),
            esc(&module),
            esc(&e.endpoint),
            esc(&e.name),
            severity(e.status),
            badge(e.status),
            e.latency_ms.map_or(String::new(), |l| format!("{l}")),
            latency,
            esc(&note)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
}

fn case_details(out: &mut String, k: &CaseResult, label: &str) {
    let _ = writeln!(
        out,
        "<h4>{} {}{}</h4>",
        badge(k.status),
        esc(label),
        k.latency_ms
            .map_or(String::new(), |l| format!(" · {l:.0} ms"))
    );
    if let Some(r) = &k.reason {
        let _ = writeln!(out, "<p>原因: {}</p>", esc(r));
    }
    if !k.findings.is_empty() {
        let _ = writeln!(out, "<table class=\"findings\"><thead><tr><th>检查</th><th>JSON 路径</th><th>期望</th><th>实际</th><th>说明</th></tr></thead><tbody>");
        for f in &k.findings {
            let opt = |v: &Option<String>| {
                v.as_deref()
                    .map_or("-".into(), |s| format!("<code>{}</code>", esc(s)))
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
                esc(f.check.as_str()),
                opt(&f.path),
                esc(&items(f)),
                opt(&f.expected),
                opt(&f.actual),
                esc(example_mark(f)),
                esc(&f.message)
            );
            if let Some(d) = decision_line(f) {
                let _ = writeln!(
                    out,
                    "<tr class=\"decision\"><td colspan=\"5\">{}</td></tr>",
                    esc(&d)
                );
            }
        }
        let _ = writeln!(out, "</tbody></table>");
    }
    for (title, text) in [
        ("请求 (已脱敏)", &k.request),
        ("响应 (已脱敏)", &k.response),
    ] {
        if let Some(t) = text {
            let _ = writeln!(out, "<p class=\"muted\">{title}</p>\n<pre>{}</pre>", esc(t));
        }
    }
    if let Some(curl) = &k.curl {
        reproduction(out, curl);
    }
}

/// The reproduction line for a POSIX shell and for PowerShell, each with a copy button, and what to
/// load first (the run's test accounts, which the lines name as variables).
fn reproduction(out: &mut String, curl: &str) {
    let powershell = crate::redact::powershell_from_curl(curl);
    for (shell, first, line) in [
        ("bash / zsh", "source reports/session.env", curl),
        ("PowerShell 7", ". reports/session.ps1", powershell.as_str()),
    ] {
        let _ = writeln!(
            out,
            "<p class=\"muted\">复现 ({shell}; 先执行 <code>{}</code>) <button class=\"copy\" type=\"button\">复制</button></p>\n<pre class=\"command\">{}</pre>",
            esc(first),
            esc(line)
        );
    }
}

fn failures(out: &mut String, view: &View) {
    if view.failures.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"failures\">\n<h2>失败详情 ({})</h2>",
        view.failures.len()
    );
    for Failure { subject, cases } in &view.failures {
        let _ = match subject {
            Subject::Endpoint(e) => writeln!(
                out,
                "<details class=\"failure\" data-endpoint=\"{}\"><summary>{} <code>{}</code> {} · {} · {}</summary>",
                esc(&e.endpoint),
                badge(e.status),
                esc(&e.endpoint),
                esc(&e.name),
                esc(&phase_label(e.phase)),
                esc(&e.module)
            ),
            Subject::Scenario(s) => writeln!(
                out,
                "<details class=\"failure\" data-scenario=\"{}\"><summary>{} 场景 <code>{}</code> {} · {}</summary>",
                esc(&s.name),
                badge(s.status),
                esc(&s.name),
                esc(&s.title),
                esc(&scenario_phase_label(s.phase))
            ),
        };
        match subject.reason() {
            // What a blocked endpoint established (route, auth) is the news.
            Some(r) if subject.status() == Status::Blocked => {
                let _ = writeln!(out, "<p class=\"blocked-reason\">{}</p>", esc(r));
            }
            Some(r) => {
                let _ = writeln!(out, "<p>原因: {}</p>", esc(r));
            }
            None => {}
        }
        for k in cases {
            let label = match subject {
                Subject::Endpoint(_) => k.name.clone(),
                Subject::Scenario(_) => format!("{} ({})", k.name, k.endpoint),
            };
            case_details(out, k, &label);
        }
        let _ = writeln!(out, "</details>");
    }
    let _ = writeln!(out, "</section>");
}

fn skipped(out: &mut String, view: &View) {
    if view.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"skipped\">\n<h2>跳过 ({})</h2>\n<table><thead><tr><th>接口</th><th>名称</th><th>阶段</th><th>原因</th></tr></thead><tbody>", view.skipped.len());
    for e in &view.skipped {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.endpoint),
            esc(&e.name),
            esc(&phase_label(e.phase)),
            esc(e.reason.as_deref().unwrap_or("-"))
        );
    }
    let _ = writeln!(out, "</tbody></table>\n</section>");
}

fn scenarios(out: &mut String, result: &RunResult) {
    if result.scenarios.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"scenarios\">\n<h2>场景 ({})</h2>\n<table><thead><tr><th>场景</th><th>标题</th><th>阶段</th><th class=\"num\">步骤</th><th class=\"num\">通过</th><th>状态</th></tr></thead><tbody>", result.scenarios.len());
    for s in &result.scenarios {
        let passed = s.passed_steps();
        let _ = writeln!(
            out,
            "<tr data-status=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            s.status.as_str(),
            esc(&s.name),
            esc(&s.title),
            esc(&scenario_phase_label(s.phase)),
            s.steps.len(),
            passed,
            badge(s.status)
        );
    }
    let _ = writeln!(out, "</tbody></table>\n</section>");
}
