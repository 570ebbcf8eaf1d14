//! The Markdown report, in Chinese and the plan's vocabulary (✅ 已完成 / 🔄 进行中 / ⏳ 待开始 /
//! ❌ 有问题, "测试结果: 9/10 接口测试通过"): per-phase table, latency per module, every failure
//! with its check, JSON path, expected vs actual and redacted excerpts, skips with reasons, scenarios.

use super::{case_summary, module_latencies, ms, phase_views, terminal};
use crate::plan::{phase_label, Plan};
use crate::result::{CaseResult, RunResult, Status};
use std::fmt::Write;

/// The plan's marks for a status.
pub fn mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "✅",
        Status::Skipped => "⏸️",
        Status::Failed | Status::NotActivated | Status::Blocked | Status::Error => "❌",
    }
}

fn status_cell(s: Status) -> String {
    format!("{} {}", mark(s), s.chinese())
}

/// Text for a table cell: one line, with the characters Markdown would read as structure escaped.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Inline code for a table cell: delimited by more backticks than the text holds; `|` escaped
/// (GitHub and GitLab split cells on it even inside code).
pub fn code(text: &str) -> String {
    let one_line = text.replace(['\r', '\n'], " ");
    let longest = longest_run(&one_line, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{}{pad}{ticks}", one_line.replace('|', "\\|"))
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in text.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A fenced block that the text cannot close early.
fn fenced(out: &mut String, lang: &str, text: &str) {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    let _ = writeln!(out, "{fence}{lang}");
    for line in text.lines() {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{fence}");
}

pub fn render(result: &RunResult, plan: Option<&Plan>) -> String {
    let mut out = String::new();
    header(&mut out, result);
    phases(&mut out, result, plan);
    latency(&mut out, result, plan);
    failures(&mut out, result, plan);
    skipped(&mut out, result);
    scenarios(&mut out, result);
    out
}

fn header(out: &mut String, result: &RunResult) {
    let s = &result.summary;
    let _ = writeln!(out, "# daodao-check 联调测试报告\n");
    let verdict = if result.passed() {
        "✅ 通过"
    } else {
        "❌ 未通过"
    };
    let _ = writeln!(out, "| 项目 | 内容 |\n|------|------|");
    for (k, v) in [
        ("结论", verdict.to_string()),
        ("环境", format!("{} ({})", result.env, result.base_url)),
        ("范围", result.selection.clone()),
        ("开始时间", result.started_at.clone()),
        ("结束时间", result.finished_at.clone()),
        ("用时", format!("{:.1} 秒", result.duration_ms / 1000.0)),
        ("响应时间预算", format!("{} ms", result.latency_budget_ms)),
        ("工具", result.tool.clone()),
    ] {
        let _ = writeln!(out, "| {k} | {} |", cell(&v));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "**测试结果**: {}/{} 接口测试通过{}",
        s.endpoints.passed,
        s.endpoints.total,
        other_counts(&s.endpoints)
    );
    if s.scenarios.total > 0 {
        let _ = writeln!(
            out,
            "**场景**: {}/{} 场景通过{}",
            s.scenarios.passed,
            s.scenarios.total,
            other_counts(&s.scenarios)
        );
    }
    out.push('\n');
}

/// `, 失败 1, 跳过 2` for the statuses other than passed that occurred.
fn other_counts(c: &crate::result::Counts) -> String {
    Status::ALL
        .iter()
        .filter(|s| **s != Status::Passed && c.get(**s) > 0)
        .map(|s| format!(", {} {}", s.chinese(), c.get(*s)))
        .collect()
}

fn phases(out: &mut String, result: &RunResult, plan: Option<&Plan>) {
    let views = phase_views(result, plan);
    if views.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 阶段进度\n");
    let _ = writeln!(
        out,
        "| 阶段 | 状态 | 接口数 | 已测 | 通过 | 失败 | 跳过 | 未激活 | 阻塞 | 错误 | 场景 |"
    );
    let _ = writeln!(
        out,
        "|------|------|--------|------|------|------|------|--------|------|------|------|"
    );
    for v in &views {
        let c = &v.endpoints;
        let scen = if v.scenarios.total > 0 {
            format!("{}/{}", v.scenarios.passed, v.scenarios.total)
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&v.title()),
            v.state.label(),
            v.planned.map_or("-".into(), |n| n.to_string()),
            c.total,
            c.passed,
            c.failed,
            c.skipped,
            c.not_activated,
            c.blocked,
            c.error,
            scen
        );
    }
    out.push('\n');
    let lines = terminal::phase_lines(result);
    if !lines.is_empty() {
        for l in lines {
            let _ = writeln!(out, "- {}", cell(&l));
        }
        out.push('\n');
    }
}

fn latency(out: &mut String, result: &RunResult, plan: Option<&Plan>) {
    let rows = module_latencies(result, plan);
    if rows.iter().all(|r| r.measured == 0) {
        return;
    }
    let budget = result.latency_budget_ms as f64;
    let _ = writeln!(
        out,
        "## 响应时间 (正常请求, 预算 {} ms)\n",
        result.latency_budget_ms
    );
    let _ = writeln!(out, "| 阶段 | 模块 | 已测接口 | p50 | p95 | 最慢 |");
    let _ = writeln!(out, "|------|------|----------|-----|-----|------|");
    for r in rows.iter().filter(|r| r.measured > 0) {
        let module = match &r.name {
            Some(n) => format!("{n} ({})", r.module),
            None => r.module.clone(),
        };
        let over = |v: Option<f64>| {
            let text = ms(v);
            if v.is_some_and(|v| v > budget) {
                format!("⚠️ {text}")
            } else {
                text
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            phase_label(r.phase),
            cell(&module),
            r.measured,
            over(r.p50),
            over(r.p95),
            over(r.max)
        );
    }
    out.push('\n');
}

fn failures(out: &mut String, result: &RunResult, plan: Option<&Plan>) {
    let eps: Vec<_> = result
        .endpoints
        .iter()
        .filter(|e| e.status.is_failure())
        .collect();
    let scs: Vec<_> = result
        .scenarios
        .iter()
        .filter(|s| s.status.is_failure())
        .collect();
    if eps.is_empty() && scs.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 失败详情 ({})\n", eps.len() + scs.len());
    for e in eps {
        let module = plan
            .and_then(|p| p.module_name(&e.module))
            .map_or(e.module.clone(), |n| format!("{n} ({})", e.module));
        let _ = writeln!(
            out,
            "### {} {} {}\n",
            mark(e.status),
            code(&e.endpoint),
            cell(&e.name)
        );
        let _ = writeln!(
            out,
            "- 阶段: {} · 模块: {} · 合约: {}",
            phase_label(e.phase),
            cell(&module),
            code(&e.id)
        );
        let _ = writeln!(out, "- 状态: {}", status_cell(e.status));
        if let Some(r) = &e.reason {
            let _ = writeln!(out, "- 原因: {}", cell(r));
        }
        out.push('\n');
        cases(
            out,
            e.cases.iter().filter(|k| k.status != Status::Passed),
            false,
        );
    }
    for s in scs {
        let _ = writeln!(
            out,
            "### {} 场景 {} {}\n",
            mark(s.status),
            code(&s.name),
            cell(&s.title)
        );
        let _ = writeln!(
            out,
            "- 阶段: {} · 文件: {}",
            phase_label(s.phase),
            code(&s.file)
        );
        let _ = writeln!(out, "- 状态: {}", status_cell(s.status));
        if let Some(r) = &s.reason {
            let _ = writeln!(out, "- 原因: {}", cell(r));
        }
        out.push('\n');
        cases(
            out,
            s.steps.iter().filter(|k| k.status != Status::Passed),
            true,
        );
    }
}

/// The findings table of the cases that did not pass, then each case's excerpts.
fn cases<'a>(out: &mut String, cases: impl Iterator<Item = &'a CaseResult>, steps: bool) {
    let cases: Vec<_> = cases.collect();
    if cases.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "| {} | 状态 | 检查 | JSON 路径 | 期望 | 实际 | 说明 |",
        if steps { "步骤" } else { "用例" }
    );
    let _ = writeln!(
        out,
        "|------|------|------|-----------|------|------|------|"
    );
    for k in &cases {
        let name = if steps {
            format!("{} ({})", k.name, k.endpoint)
        } else {
            k.name.clone()
        };
        if k.findings.is_empty() {
            let _ = writeln!(
                out,
                "| {} | {} | - | - | - | - | {} |",
                cell(&name),
                status_cell(k.status),
                cell(&case_summary(k))
            );
        }
        for f in &k.findings {
            let opt = |v: &Option<String>| v.as_deref().map_or("-".into(), code);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&name),
                status_cell(k.status),
                code(f.check.as_str()),
                opt(&f.path),
                opt(&f.expected),
                opt(&f.actual),
                cell(&f.message)
            );
        }
    }
    out.push('\n');
    for k in &cases {
        if k.request.is_none() && k.response.is_none() && k.curl.is_none() {
            continue;
        }
        let _ = writeln!(
            out,
            "<details><summary>{} · 请求与响应 (已脱敏)</summary>\n",
            cell(&k.name)
        );
        if let Some(r) = &k.request {
            fenced(out, "http", r);
        }
        if let Some(r) = &k.response {
            fenced(out, "http", r);
        }
        if let Some(c) = &k.curl {
            let _ = writeln!(out, "\n复现:\n");
            fenced(out, "sh", c);
        }
        let _ = writeln!(out, "\n</details>\n");
    }
}

fn skipped(out: &mut String, result: &RunResult) {
    let sk: Vec<_> = result
        .endpoints
        .iter()
        .filter(|e| e.status == Status::Skipped)
        .collect();
    if sk.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 跳过 ({})\n", sk.len());
    let _ = writeln!(out, "| 接口 | 名称 | 阶段 | 原因 |");
    let _ = writeln!(out, "|------|------|------|------|");
    for e in sk {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&e.endpoint),
            cell(&e.name),
            phase_label(e.phase),
            cell(e.reason.as_deref().unwrap_or("-"))
        );
    }
    out.push('\n');
}

fn scenarios(out: &mut String, result: &RunResult) {
    if result.scenarios.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 场景 ({})\n", result.scenarios.len());
    let _ = writeln!(out, "| 场景 | 标题 | 阶段 | 步骤 | 通过 | 状态 |");
    let _ = writeln!(out, "|------|------|------|------|------|------|");
    for s in &result.scenarios {
        let passed = s.passed_steps();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&s.name),
            cell(&s.title),
            phase_label(s.phase),
            s.steps.len(),
            passed,
            status_cell(s.status)
        );
    }
    out.push('\n');
}
