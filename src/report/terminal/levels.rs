//! What `-q`, `-v` and `-vv` change in the terminal report: the quiet form (one line per endpoint or
//! scenario that did not pass, then the verdict) and the passed cases the verbose forms add.

use super::{case_block, status_word, subject_title, verdict, Style, Subject, View};
use crate::report::case_summary;
use crate::result::{CaseResult, Status};
use std::fmt::Write;

/// `-q`: a line per failure (what it is, then the first thing wrong), then the verdict.
pub(super) fn quiet(view: &View, style: &Style) -> String {
    let mut out = String::new();
    for failure in &view.failures {
        let subject = failure.subject;
        let what = match subject {
            Subject::Endpoint(e) => format!("{}  {}", e.endpoint, e.name),
            Subject::Scenario(s) => format!("scenario {}  {}", s.name, s.title),
        };
        let why = subject
            .reason()
            .map(str::to_string)
            .or_else(|| {
                failure
                    .cases
                    .first()
                    .map(|k| format!("{}: {}", k.name, case_summary(k)))
            })
            .map_or(String::new(), |w| format!(" — {w}"));
        let _ = writeln!(
            out,
            "{} {}  {what}{why}",
            style.paint("✗", "31"),
            status_word(style, subject.status())
        );
    }
    // What the run could not do, or adapted to, is short and decides what to do next: kept.
    for line in view.warning_lines() {
        let _ = writeln!(out, "{} {line}", style.paint("⚠", "33"));
    }
    verdict(&mut out, view, style);
    out
}

/// `-v`: every case that passed, one line each.
pub(super) fn passed_lines(view: &View, style: &Style) -> String {
    let passed = passed_cases(view);
    let mut out = heading(view, style, &passed);
    for (subject, cases) in &passed {
        for k in cases {
            let _ = writeln!(
                out,
                "  {} {} · {}{}",
                style.paint("✓", "32"),
                subject_name(*subject),
                k.name,
                latency(k)
            );
        }
    }
    for k in passed_setups(view) {
        let _ = writeln!(
            out,
            "  {} 准备步骤 {} ({}){}",
            style.paint("✓", "32"),
            k.name,
            k.endpoint,
            latency(k)
        );
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// `-vv`: every case that passed, with its request and response (masked, as recorded).
pub(super) fn passed_in_full(view: &View, style: &Style) -> String {
    let passed = passed_cases(view);
    let mut out = heading(view, style, &passed);
    for (subject, cases) in &passed {
        let _ = writeln!(
            out,
            "{} {}",
            style.paint("✓", "32"),
            subject_title(*subject)
        );
        for k in cases {
            case_block(&mut out, style, k);
        }
        out.push('\n');
    }
    for k in passed_setups(view) {
        let _ = writeln!(
            out,
            "{} 准备步骤 {}  {} ({})",
            style.paint("✓", "32"),
            k.name,
            k.endpoint,
            k.contract
        );
        case_block(&mut out, style, k);
        out.push('\n');
    }
    out
}

/// `通过的用例 (N)`: the cases and setup steps listed below it.
fn heading(view: &View, style: &Style, passed: &[(Subject, Vec<&CaseResult>)]) -> String {
    let count: usize =
        passed.iter().map(|(_, cases)| cases.len()).sum::<usize>() + passed_setups(view).count();
    if count == 0 {
        return String::new();
    }
    format!("{}\n", style.paint(&format!("通过的用例 ({count})"), "1"))
}

/// Each endpoint and scenario with its cases (steps) that passed, in run order.
fn passed_cases<'a>(view: &View<'a>) -> Vec<(Subject<'a>, Vec<&'a CaseResult>)> {
    let endpoints = view.result.endpoints.iter().map(Subject::Endpoint);
    let scenarios = view.result.scenarios.iter().map(Subject::Scenario);
    endpoints
        .chain(scenarios)
        .map(|s| {
            let passed = s
                .cases()
                .iter()
                .filter(|k| k.status == Status::Passed)
                .collect::<Vec<_>>();
            (s, passed)
        })
        .filter(|(_, cases)| !cases.is_empty())
        .collect()
}

/// Setup steps that passed and found nothing (the others are in the 准备步骤 section).
fn passed_setups<'a>(view: &View<'a>) -> impl Iterator<Item = &'a CaseResult> {
    view.result
        .setups
        .iter()
        .map(|s| &s.case)
        .filter(|k| k.status == Status::Passed && k.findings.is_empty())
}

fn subject_name(subject: Subject) -> String {
    match subject {
        Subject::Endpoint(e) => e.endpoint.clone(),
        Subject::Scenario(s) => format!("scenario {}", s.name),
    }
}

fn latency(k: &CaseResult) -> String {
    k.latency_ms
        .map_or(String::new(), |l| format!(" · {l:.0} ms"))
}
