//! The Markdown report, in Chinese and the plan's vocabulary (✅ 已完成 / 🔄 进行中 / ⏳ 待开始 /
//! ❌ 有问题, "测试结果: 9/10 接口测试通过"): per-phase table, latency per module, every failure
//! with its check, JSON path, expected vs actual and redacted excerpts, the failed setup steps once,
//! skips with reasons, scenarios, and the root causes (根因汇总) last.

use super::escape::{cell, code, longest_run};
use super::Result;
use super::{
    attempt_summary, case_summary, decision_line, example_mark, items, mark, ms, used_by,
    CauseKind, Failure, RenderOptions, Renderer, Subject, View,
};
use crate::plan::{phase_label, scenario_phase_label};
use crate::result::{CaseResult, Status};
use std::fmt::Write;

pub struct Markdown;

impl Renderer for Markdown {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["md"]
    }

    fn render(&self, view: &View, _: &RenderOptions) -> Result<String> {
        let mut out = String::new();
        header(&mut out, view);
        security(&mut out, view);
        phases(&mut out, view);
        out.push_str(&super::coverage::markdown(view));
        latency(&mut out, view);
        failures(&mut out, view);
        setups(&mut out, view);
        flaky(&mut out, view);
        skipped(&mut out, view);
        scenarios(&mut out, view);
        root_causes(&mut out, view);
        Ok(out)
    }
}

/// 安全, first after the verdict: every security finding, by check.
fn security(out: &mut String, view: &View) {
    if view.security.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 安全 ({} 项)\n", view.security_findings());
    for g in &view.security {
        let _ = writeln!(out, "### {} ({})\n", cell(&g.title()), g.items.len());
        let _ = writeln!(out, "| 接口 · 请求 | 发现 |\n|------|------|");
        for item in &g.items {
            let _ = writeln!(out, "| {} | {} |", cell(&item.place()), cell(&item.line()));
        }
        out.push('\n');
    }
}

fn status_cell(s: Status) -> String {
    format!("{} {}", mark(s), s.chinese())
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

fn header(out: &mut String, view: &View) {
    let s = view.summary();
    let _ = writeln!(out, "# daodao-check 联调测试报告\n");
    let verdict = if view.passed() {
        "✅ 通过"
    } else {
        "❌ 未通过"
    };
    let _ = writeln!(out, "| 项目 | 内容 |\n|------|------|");
    let _ = writeln!(out, "| 结论 | {} |", cell(verdict));
    for (k, v) in view.facts() {
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
    for line in view.warning_lines() {
        let _ = writeln!(out, "> ⚠ {}\n", cell(&line));
    }
}

/// `, 失败 1, 跳过 2` for the statuses other than passed that occurred.
fn other_counts(c: &crate::result::Counts) -> String {
    Status::ALL
        .iter()
        .filter(|s| **s != Status::Passed && c.get(**s) > 0)
        .map(|s| format!(", {} {}", s.chinese(), c.get(*s)))
        .collect()
}

fn phases(out: &mut String, view: &View) {
    if view.phases.is_empty() {
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
    for v in &view.phases {
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
    let lines = view.phase_lines();
    if !lines.is_empty() {
        for l in lines {
            let _ = writeln!(out, "- {}", cell(&l));
        }
        out.push('\n');
    }
}

fn latency(out: &mut String, view: &View) {
    if view.modules.iter().all(|r| r.measured == 0) {
        return;
    }
    let budget_ms = view.result.latency_budget_ms;
    let budget = budget_ms as f64;
    let _ = writeln!(out, "## 响应时间 (正常请求, 预算 {budget_ms} ms)\n");
    let _ = writeln!(out, "| 阶段 | 模块 | 已测接口 | p50 | p95 | 最慢 |");
    let _ = writeln!(out, "|------|------|----------|-----|-----|------|");
    for r in view.modules.iter().filter(|r| r.measured > 0) {
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
            cell(&r.label()),
            r.measured,
            over(r.p50),
            over(r.p95),
            over(r.max)
        );
    }
    out.push('\n');
}

fn failures(out: &mut String, view: &View) {
    if view.failures.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 失败详情 ({})\n", view.failures.len());
    for Failure { subject, cases } in &view.failures {
        match subject {
            Subject::Endpoint(e) => {
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
                    cell(&view.module_label(&e.module)),
                    code(&e.id)
                );
            }
            Subject::Scenario(s) => {
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
                    scenario_phase_label(s.phase),
                    code(&s.file)
                );
            }
        }
        let _ = writeln!(out, "- 状态: {}", status_cell(subject.status()));
        match subject.reason() {
            // What a blocked endpoint established (route, auth) is the news.
            Some(r) if subject.status() == Status::Blocked => {
                let _ = writeln!(out, "- **{}**", cell(r));
            }
            Some(r) => {
                let _ = writeln!(out, "- 原因: {}", cell(r));
            }
            None => {}
        }
        out.push('\n');
        self::cases(out, cases, matches!(subject, Subject::Scenario(_)));
    }
}

/// The findings table of the cases that did not pass, then each case's excerpts.
fn cases(out: &mut String, cases: &[&CaseResult], steps: bool) {
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
    for k in cases {
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
                "| {} | {} | {} | {}{} | {} | {}{} | {} |",
                cell(&name),
                status_cell(k.status),
                code(f.check.as_str()),
                opt(&f.path),
                items(f),
                opt(&f.expected),
                opt(&f.actual),
                example_mark(f),
                cell(&f.message)
            );
        }
    }
    out.push('\n');
    decisions(out, cases);
    for k in cases {
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

/// The team's decisions that explain findings, under the table (a table cell holds one line).
fn decisions(out: &mut String, cases: &[&CaseResult]) {
    let mut any = false;
    for f in cases.iter().flat_map(|k| &k.findings) {
        if let Some(d) = decision_line(f) {
            let at = f
                .path
                .as_deref()
                .map_or(String::new(), |p| format!(" {}", code(p)));
            let _ = writeln!(out, "> {}{at} {}", code(f.check.as_str()), cell(&d));
            any = true;
        }
    }
    if any {
        out.push('\n');
    }
}

/// Setup steps that did not pass or found something, each once, with who used them.
fn setups(out: &mut String, view: &View) {
    if view.setups.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 准备步骤 ({})\n", view.setups.len());
    let _ = writeln!(out, "准备步骤只在这里报告一次, 使用它们的接口不再重复.\n");
    for s in &view.setups {
        let k = &s.case;
        let _ = writeln!(
            out,
            "### {} 准备步骤 {} {}\n",
            mark(k.status),
            code(&k.name),
            code(&k.endpoint)
        );
        let _ = writeln!(out, "- 合约: {}", code(&k.contract));
        let _ = writeln!(out, "- 状态: {}", status_cell(k.status));
        let _ = writeln!(out, "- {}\n", cell(&used_by(s)));
        cases(out, &[k], false);
    }
}

/// 根因汇总: one line per cause, most endpoints first.
fn root_causes(out: &mut String, view: &View) {
    let causes = &view.root_causes;
    if causes.is_empty() {
        return;
    }
    let total = causes.shown.len() + causes.hidden;
    let _ = writeln!(out, "## 根因汇总 ({total} 类, 按接口数)\n");
    for c in &causes.shown {
        let title = match c.kind {
            CauseKind::Check(check) => format!("{} {}", code(check.as_str()), cell(&c.what)),
            _ => cell(&c.title()),
        };
        let _ = writeln!(out, "- {title} — {}", cell(&c.reach()));
    }
    if let Some(more) = causes.more() {
        let _ = writeln!(out, "- {more}");
    }
    out.push('\n');
}

/// 不稳定: what passed only on a retry, with what its first attempt found.
fn flaky(out: &mut String, view: &View) {
    if view.flaky.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 不稳定 (重试后通过, {})\n", view.flaky.len());
    let _ = writeln!(out, "| 接口 / 场景 | 名称 | 通过于 | 第一次的问题 |");
    let _ = writeln!(out, "|------|------|------|------|");
    for subject in &view.flaky {
        let (what, name) = match subject {
            Subject::Endpoint(e) => (code(&e.endpoint), cell(&e.name)),
            Subject::Scenario(s) => (format!("场景 {}", code(&s.name)), cell(&s.title)),
        };
        let first = subject
            .earlier_attempts()
            .first()
            .map_or("-".to_string(), |a| cell(&attempt_summary(a)));
        let _ = writeln!(
            out,
            "| {what} | {name} | 第 {} 次 | {first} |",
            subject.attempts()
        );
    }
    out.push('\n');
}

fn skipped(out: &mut String, view: &View) {
    if view.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 跳过 ({})\n", view.skipped.len());
    let _ = writeln!(out, "| 接口 | 名称 | 阶段 | 原因 |");
    let _ = writeln!(out, "|------|------|------|------|");
    for e in &view.skipped {
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

fn scenarios(out: &mut String, view: &View) {
    let scenarios = &view.result.scenarios;
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(out, "## 场景 ({})\n", scenarios.len());
    let _ = writeln!(out, "| 场景 | 标题 | 阶段 | 步骤 | 通过 | 状态 |");
    let _ = writeln!(out, "|------|------|------|------|------|------|");
    for s in scenarios {
        let passed = s.passed_steps();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&s.name),
            cell(&s.title),
            scenario_phase_label(s.phase),
            s.steps.len(),
            passed,
            status_cell(s.status)
        );
    }
    out.push('\n');
}
