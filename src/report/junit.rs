//! JUnit XML for CI: one `<testsuite>` per phase; one `<testcase>` per request of an endpoint
//! check (its valid request, the automatic auth and bad-input cases, its error cases) and per
//! scenario step; the setup steps, each once, in a suite of their own (`准备步骤`). Failures carry the finding as message and the detail (findings, redacted
//! excerpts, a reproducing curl) as text; skips are `<skipped>`. The shape is the common one that
//! GitLab, Jenkins and GitHub actions read; quick-junit does the escaping. An endpoint or scenario
//! run again (`--retries`) carries its earlier attempts as surefire and nextest write them: a
//! `<flakyFailure>` in a testcase that passed in the end, a `<rerunFailure>` in one that still fails.

use super::{
    case_summary, decision_line, example_mark, finding_headline, used_by, PhaseView, RenderOptions,
    Renderer, View,
};
use super::{ReportError, Result};
use crate::plan::END_TO_END_LABEL;
use crate::result::{
    Attempt, CaseResult, EndpointResult, ScenarioPhase, ScenarioResult, SetupResult, Status,
};
use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};
use std::fmt::Write;
use std::time::Duration;

pub struct Junit;

impl Renderer for Junit {
    fn name(&self) -> &'static str {
        "junit"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["xml"]
    }

    fn render(&self, view: &View, _: &RenderOptions) -> Result<String> {
        render(view)
    }
}

fn seconds(ms: Option<f64>) -> Option<Duration> {
    ms.filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| Duration::from_secs_f64(v / 1000.0))
}

/// The detail text of a case that did not pass.
fn detail(k: &CaseResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} [{}]", k.name, k.status.as_str());
    if let Some(r) = &k.reason {
        let _ = writeln!(out, "reason: {r}");
    }
    for f in &k.findings {
        let _ = writeln!(out, "{}", finding_headline(f));
        if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
            let _ = writeln!(out, "  expected: {e}");
            let _ = writeln!(out, "  actual:   {a}{}", example_mark(f));
        }
        if let Some(d) = decision_line(f) {
            let _ = writeln!(out, "  {d}");
        }
    }
    if let Some(r) = &k.request {
        let _ = writeln!(out, "request:\n{r}");
    }
    if let Some(r) = &k.response {
        let _ = writeln!(out, "response:\n{r}");
    }
    if let Some(c) = &k.curl {
        let _ = writeln!(out, "reproduce: {c}");
    }
    out
}

/// A check that found something is a failure; a request the run could not make (blocked by a failed
/// setup, a template error) is an error.
fn non_success_kind(status: Status) -> NonSuccessKind {
    if matches!(status, Status::Failed | Status::NotActivated) {
        NonSuccessKind::Failure
    } else {
        NonSuccessKind::Error
    }
}

fn status_of(status: Status, message: String, detail: Option<String>) -> TestCaseStatus {
    match status {
        Status::Passed => TestCaseStatus::success(),
        Status::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(message);
            s
        }
        _ => {
            let mut s = TestCaseStatus::non_success(non_success_kind(status));
            s.set_message(message);
            s.set_type(status.as_str());
            if let Some(d) = detail {
                s.set_description(d);
            }
            s
        }
    }
}

fn case_test(classname: &str, name: String, k: &CaseResult) -> TestCase {
    let failed = k.status != Status::Passed;
    let mut status = status_of(
        k.status,
        case_summary(k),
        failed
            .then(|| detail(k))
            .filter(|_| k.status != Status::Skipped),
    );
    if let (Some(f), TestCaseStatus::NonSuccess { .. }) = (k.findings.first(), &status) {
        status.set_type(f.check.as_str());
    }
    let mut t = TestCase::new(name, status);
    t.set_classname(classname);
    if let Some(d) = seconds(k.latency_ms) {
        t.set_time(d);
    }
    t
}

fn endpoint_tests(e: &EndpointResult) -> Vec<TestCase> {
    let classname = format!("{}.{}", phase_class(e.phase), e.id);
    let mut tests: Vec<TestCase> = e
        .cases
        .iter()
        .map(|k| case_test(&classname, format!("{} · {}", e.endpoint, k.name), k))
        .collect();
    // Skipped, stopped before any request (a template error), or blocked after only the checks that
    // need no data passed: the endpoint itself is the testcase that says so.
    let a_case_fails = e.cases.iter().any(|k| k.status.is_failure());
    if e.cases.is_empty() || (e.status.is_failure() && !a_case_fails) {
        let message = e
            .reason
            .clone()
            .unwrap_or_else(|| e.status.as_str().to_string());
        let mut t = TestCase::new(
            e.endpoint.clone(),
            status_of(e.status, message.clone(), Some(message)),
        );
        t.set_classname(classname);
        tests.push(t);
    }
    let names: Vec<&str> = e.cases.iter().map(|k| k.name.as_str()).collect();
    add_reruns(&mut tests, &names, &e.earlier_attempts);
    tests
}

/// Each earlier attempt's failing cases as reruns of the testcases of the same name; what names no
/// testcase (an attempt blocked before the case ran) goes to the last testcase.
fn add_reruns(tests: &mut [TestCase], names: &[&str], attempts: &[Attempt]) {
    for (n, attempt) in attempts.iter().enumerate() {
        let number = n + 1;
        if attempt.cases.is_empty() {
            let message = format!(
                "attempt {number}: {}",
                attempt.reason.as_deref().unwrap_or(attempt.status.as_str())
            );
            let mut rerun = TestRerun::new(non_success_kind(attempt.status));
            rerun.set_message(message.clone()).set_description(message);
            if let Some(t) = tests.last_mut() {
                t.status.add_rerun(rerun);
            }
        }
        for k in &attempt.cases {
            let at = names.iter().position(|name| *name == k.name);
            let target = match at {
                Some(i) => tests.get_mut(i),
                None => tests.last_mut(),
            };
            if let Some(t) = target {
                t.status.add_rerun(rerun_of(number, k));
            }
        }
    }
}

/// One case of an earlier attempt: its first finding as the message, the detail as the text.
fn rerun_of(attempt: usize, k: &CaseResult) -> TestRerun {
    let mut rerun = TestRerun::new(non_success_kind(k.status));
    rerun
        .set_message(format!("attempt {attempt}: {}", case_summary(k)))
        .set_description(detail(k));
    rerun.set_type(
        k.findings
            .first()
            .map_or(k.status.as_str(), |f| f.check.as_str()),
    );
    rerun
}

fn scenario_tests(s: &ScenarioResult) -> Vec<TestCase> {
    let classname = format!("daodao.{}.scenario.{}", s.phase.slug(), s.name);
    if s.steps.is_empty() {
        let message = s
            .reason
            .clone()
            .unwrap_or_else(|| s.status.as_str().to_string());
        let mut t = TestCase::new(
            format!("场景 {} · {}", s.name, s.title),
            status_of(s.status, message.clone(), Some(message)),
        );
        t.set_classname(classname);
        let mut tests = vec![t];
        add_reruns(&mut tests, &[], &s.earlier_attempts);
        return tests;
    }
    let mut tests: Vec<TestCase> = s
        .steps
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let name = format!("场景 {} · {:02} {} · {}", s.name, i + 1, k.name, k.endpoint);
            // A skipped scenario's blocked steps wait on a skip (an account not configured): no failure.
            if s.status == Status::Skipped && k.status == Status::Blocked {
                let waiting = CaseResult {
                    status: Status::Skipped,
                    ..k.clone()
                };
                return case_test(&classname, name, &waiting);
            }
            case_test(&classname, name, k)
        })
        .collect();
    let names: Vec<&str> = s.steps.iter().map(|k| k.name.as_str()).collect();
    add_reruns(&mut tests, &names, &s.earlier_attempts);
    tests
}

/// A setup step, once for every endpoint that used it: who used it heads its detail.
fn setup_test(s: &SetupResult) -> TestCase {
    let k = &s.case;
    let mut t = case_test(
        &format!("daodao.setup.{}", k.contract),
        format!("准备步骤 {} · {}", k.name, k.endpoint),
        k,
    );
    if let TestCaseStatus::NonSuccess { description, .. } = &mut t.status {
        let detail = description.as_deref().unwrap_or_default();
        *description = Some(format!("{}\n{detail}", used_by(s)).into());
    }
    t
}

fn total_time(cases: &[TestCase]) -> Duration {
    Duration::from_secs_f64(
        cases
            .iter()
            .filter_map(|c| c.time.map(|t| t.as_secs_f64()))
            .sum(),
    )
}

fn phase_class(phase: u8) -> String {
    format!("daodao.phase{phase}")
}

/// Renders the JUnit XML document: a suite per phase that ran.
fn render(view: &View) -> Result<String> {
    let result = view.result;
    let mut report = Report::new("daodao-check");
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&result.started_at) {
        report.set_timestamp(t);
    }
    if let Some(d) = seconds(Some(result.duration_ms)) {
        report.set_time(d);
    }
    let ran = |p: &&PhaseView| p.endpoints.total + p.scenarios.total > 0;
    for phase in view.phases.iter().filter(ran) {
        let cases: Vec<TestCase> = result
            .endpoints
            .iter()
            .filter(|e| e.phase == phase.number)
            .flat_map(endpoint_tests)
            .chain(
                result
                    .scenarios
                    .iter()
                    .filter(|s| s.phase == ScenarioPhase::Plan(phase.number))
                    .flat_map(scenario_tests),
            )
            .collect();
        let mut suite = TestSuite::new(phase.title());
        suite.set_time(total_time(&cases));
        suite.add_properties([
            Property::new("env", result.env.as_str()),
            Property::new("base_url", result.base_url.as_str()),
            Property::new("selection", result.selection.as_str()),
            Property::new(
                "latency_budget_ms",
                result.latency_budget_ms.to_string().as_str(),
            ),
        ]);
        suite.add_test_cases(cases);
        report.add_test_suite(suite);
    }
    report.add_test_suites(super::coverage::junit(view));
    let journeys: Vec<TestCase> = (result.scenarios.iter())
        .filter(|s| s.phase.is_end_to_end())
        .flat_map(scenario_tests)
        .collect();
    if !journeys.is_empty() {
        let mut suite = TestSuite::new(END_TO_END_LABEL);
        suite.set_time(total_time(&journeys));
        suite.add_test_cases(journeys);
        report.add_test_suite(suite);
    }
    if !result.setups.is_empty() {
        let cases: Vec<TestCase> = result.setups.iter().map(setup_test).collect();
        let mut suite = TestSuite::new("准备步骤");
        suite.set_time(total_time(&cases));
        suite.add_test_cases(cases);
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .map_err(|e| ReportError::Junit(e.to_string()))
}
