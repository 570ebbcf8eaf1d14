//! The sections about the run as a whole: the security findings first, the setup steps reported
//! once, and the root causes.

use super::{badge, case_details, esc, View};
use crate::report::{used_by, CauseKind};
use std::fmt::Write;

/// 安全, right after the verdict: every security finding, by check.
pub(super) fn security(out: &mut String, view: &View) {
    if view.security.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"security\">\n<h2>安全 ({} 项)</h2>",
        view.security_findings()
    );
    for g in &view.security {
        let _ = writeln!(
            out,
            "<h3 data-check=\"{}\">{} ({})</h3>\n<ul class=\"security\">",
            esc(g.check.as_str()),
            esc(&g.title()),
            g.items.len()
        );
        for item in &g.items {
            let _ = writeln!(
                out,
                "<li><code>{}</code> {}</li>",
                esc(&item.place()),
                esc(&item.line())
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(out, "</section>");
}

/// Setup steps that did not pass or found something, each once, with who used them.
pub(super) fn setups(out: &mut String, view: &View) {
    if view.setups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"setups\">\n<h2>准备步骤 ({})</h2>\n<p class=\"muted\">准备步骤只在这里报告一次, 使用它们的接口不再重复.</p>",
        view.setups.len()
    );
    for s in &view.setups {
        let k = &s.case;
        let _ = writeln!(
            out,
            "<details class=\"setup\" data-contract=\"{}\"><summary>{} 准备步骤 <code>{}</code> <code>{}</code> · {}</summary>",
            esc(&k.contract),
            badge(k.status),
            esc(&k.name),
            esc(&k.endpoint),
            esc(&used_by(s))
        );
        case_details(out, k, &k.name);
        let _ = writeln!(out, "</details>");
    }
    let _ = writeln!(out, "</section>");
}

/// 根因汇总: one row per cause, most endpoints first.
pub(super) fn root_causes(out: &mut String, view: &View) {
    let causes = &view.root_causes;
    if causes.is_empty() {
        return;
    }
    let total = causes.shown.len() + causes.hidden;
    let _ = writeln!(
        out,
        "<section id=\"root-causes\">\n<h2>根因汇总 ({total} 类, 按接口数)</h2>\n<ol class=\"causes\">"
    );
    for c in &causes.shown {
        let title = match c.kind {
            CauseKind::Check(check) => {
                format!("<code>{}</code> {}", esc(check.as_str()), esc(&c.what))
            }
            _ => esc(&c.title()),
        };
        let _ = writeln!(
            out,
            "<li data-endpoints=\"{}\"><span class=\"cause\">{title}</span> — {}</li>",
            c.endpoints.len(),
            esc(&c.reach())
        );
    }
    let _ = writeln!(out, "</ol>");
    if let Some(more) = causes.more() {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", esc(&more));
    }
    let _ = writeln!(out, "</section>");
}
