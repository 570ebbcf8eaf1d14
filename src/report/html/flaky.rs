//! 不稳定: what passed only on a retry, with what its first attempt found.

use super::{esc, View};
use crate::plan::scenario_phase_label;
use crate::report::{attempt_summary, Subject};
use std::fmt::Write;

pub(super) fn flaky(out: &mut String, view: &View) {
    if view.flaky.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"flaky\">\n<h2>不稳定 (重试后通过, {})</h2>\n<table><thead><tr><th>接口 / 场景</th><th>名称</th><th>阶段</th><th class=\"num\">通过于</th><th>第一次的问题</th></tr></thead><tbody>",
        view.flaky.len()
    );
    for subject in &view.flaky {
        let (what, name) = match subject {
            Subject::Endpoint(e) => (format!("<code>{}</code>", esc(&e.endpoint)), &e.name),
            Subject::Scenario(s) => (format!("场景 <code>{}</code>", esc(&s.name)), &s.title),
        };
        let first = subject
            .earlier_attempts()
            .first()
            .map_or("-".to_string(), attempt_summary);
        let _ = writeln!(
            out,
            "<tr data-status=\"flaky\"><td>{what}</td><td>{}</td><td>{}</td><td class=\"num\">第 {} 次</td><td>{}</td></tr>",
            esc(name),
            esc(&scenario_phase_label(subject.phase())),
            subject.attempts(),
            esc(&first)
        );
    }
    let _ = writeln!(out, "</tbody></table>\n</section>");
}
