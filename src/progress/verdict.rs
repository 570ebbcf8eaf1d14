//! What a run's result says about an endpoint, in the words the documents use: the verdict
//! (passed, failed with what failed, skipped with why, not run) and the date of the results.
//! Both document updates write from these, so a change in what a status means is made here.

use crate::docs::DocError;
use crate::result::{EndpointResult, RunResult, Status};

/// The date the results were taken (YYYY-MM-DD of `finished_at`, the run's local time).
pub fn result_date(result: &RunResult) -> Result<String, DocError> {
    for t in [&result.finished_at, &result.started_at] {
        if let Some(d) = t.get(..10) {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() {
                return Ok(d.to_string());
            }
        }
    }
    Err(DocError::whole(format!(
        "the results have no date (finished_at `{}`); re-run to regenerate them",
        result.finished_at
    )))
}

/// What a result says about one endpoint, for the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Failed or not activated, with a short description.
    Failed {
        not_activated: bool,
        detail: String,
    },
    /// Skipped, with the short reason (the part before `:` of the contract's `skip`).
    Skipped(Option<String>),
    /// Not exercised (blocked by a failed login or setup, or a request the run could not build):
    /// the documents keep what they say, the phase is still marked as having a problem.
    NotRun,
}

pub fn verdict(e: &EndpointResult) -> Verdict {
    match e.status {
        Status::Passed => Verdict::Passed,
        Status::NotActivated => Verdict::Failed {
            not_activated: true,
            detail: "后端路由未激活".into(),
        },
        Status::Failed => Verdict::Failed {
            not_activated: false,
            detail: failure_detail(e),
        },
        Status::Skipped => Verdict::Skipped(e.reason.as_deref().map(short_reason)),
        Status::Blocked | Status::Error => Verdict::NotRun,
    }
}

/// `正常请求 schema /data/total 等 3 项`: the first finding, and how many more.
fn failure_detail(e: &EndpointResult) -> String {
    let findings: Vec<_> = e
        .cases
        .iter()
        .filter(|k| k.status != Status::Passed)
        .flat_map(|k| k.findings.iter().map(move |f| (k, f)))
        .collect();
    let text = match findings.first() {
        Some((k, f)) => {
            let at = f.path.as_ref().map_or(String::new(), |p| format!(" {p}"));
            let more = if findings.len() > 1 {
                format!(" 等 {} 项", findings.len())
            } else {
                String::new()
            };
            format!("{} {}{at}{more}", k.name, f.check.as_str())
        }
        None => e
            .reason
            .clone()
            .or_else(|| {
                e.cases
                    .iter()
                    .find(|k| k.status != Status::Passed)
                    .and_then(|k| k.reason.clone())
            })
            .unwrap_or_else(|| "未通过".into()),
    };
    clean(&text, 60)
}

/// The short form of a skip reason: `需小程序环境: 微信授权码 …` → `需小程序环境`.
pub fn short_reason(reason: &str) -> String {
    let head = reason
        .split([':', '：'])
        .next()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or(reason);
    clean(head, 40)
}

/// Text fit for a `(…)` note or a table cell: one line, no ASCII parentheses, pipes or backticks,
/// at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '|' => '/',
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let one = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::result::{CaseKind, CaseResult, CheckKind, Finding};

    pub(crate) fn endpoint(
        status: Status,
        reason: Option<&str>,
        cases: Vec<CaseResult>,
    ) -> EndpointResult {
        EndpointResult {
            id: "stores.detail".into(),
            endpoint: "GET /api/v1/stores/{id}".into(),
            method: "GET".into(),
            path: "/api/v1/stores/{id}".into(),
            phase: 4,
            module: "stores".into(),
            name: "门店详情".into(),
            status,
            reason: reason.map(String::from),
            latency_ms: None,
            cases,
            attempts: 1,
        }
    }

    pub(crate) fn case(name: &str, status: Status, findings: Vec<Finding>) -> CaseResult {
        CaseResult {
            name: name.into(),
            kind: CaseKind::Happy,
            contract: "stores.detail".into(),
            endpoint: "GET /api/v1/stores/{id}".into(),
            status,
            reason: None,
            latency_ms: None,
            http_status: None,
            code: None,
            findings,
            request: None,
            response: None,
            curl: None,
        }
    }

    /// A run of `endpoints`, dated 2026-01-09; read from JSON so that fields the result format
    /// adds with a default do not break the tests.
    pub(crate) fn run(endpoints: Vec<EndpointResult>) -> RunResult {
        let summary = RunResult::summarise(&endpoints, &[]);
        let mut r: RunResult = serde_json::from_value(serde_json::json!({
            "schema_version": 1,
            "tool": "daodao-check",
            "started_at": "2026-01-08T23:59:00+08:00",
            "finished_at": "2026-01-09T00:01:00+08:00",
            "duration_ms": 1.0,
            "env": "local",
            "base_url": "http://127.0.0.1:1/api/v1",
            "selection": "phase all",
            "latency_budget_ms": 2000,
            "endpoints": [],
            "scenarios": [],
            "summary": summary,
        }))
        .expect("a run result");
        r.endpoints = endpoints;
        r
    }

    fn finding(check: CheckKind, path: Option<&str>) -> Finding {
        let mut f = Finding::new(check, "x");
        f.path = path.map(String::from);
        f
    }

    #[test]
    fn each_status_has_its_verdict() {
        assert_eq!(
            verdict(&endpoint(Status::Passed, None, vec![])),
            Verdict::Passed
        );
        assert_eq!(
            verdict(&endpoint(Status::NotActivated, None, vec![])),
            Verdict::Failed {
                not_activated: true,
                detail: "后端路由未激活".into()
            }
        );
        assert_eq!(
            verdict(&endpoint(
                Status::Skipped,
                Some("需小程序环境: 微信授权码"),
                vec![]
            )),
            Verdict::Skipped(Some("需小程序环境".into()))
        );
        assert_eq!(
            verdict(&endpoint(Status::Skipped, None, vec![])),
            Verdict::Skipped(None)
        );
        for s in [Status::Blocked, Status::Error] {
            assert_eq!(
                verdict(&endpoint(s, Some("登录失败"), vec![])),
                Verdict::NotRun
            );
        }
    }

    #[test]
    fn a_failure_names_the_first_finding_and_counts_the_others() {
        let failed = case(
            "正常请求",
            Status::Failed,
            vec![
                finding(CheckKind::Schema, Some("/data/total")),
                finding(CheckKind::Schema, None),
            ],
        );
        let passed = case(
            "缺少参数",
            Status::Passed,
            vec![finding(CheckKind::Schema, None)],
        );
        let e = endpoint(Status::Failed, None, vec![passed, failed]);
        assert_eq!(failure_detail(&e), "正常请求 schema /data/total 等 2 项");
        // Without findings: the endpoint's reason, else the failed case's, else 未通过.
        let mut bare = case("正常请求", Status::Failed, vec![]);
        bare.reason = Some("超时 (10s)".into());
        assert_eq!(
            failure_detail(&endpoint(Status::Failed, None, vec![bare.clone()])),
            "超时 （10s）"
        );
        assert_eq!(
            failure_detail(&endpoint(Status::Failed, Some("连接被拒绝"), vec![bare])),
            "连接被拒绝"
        );
        assert_eq!(
            failure_detail(&endpoint(Status::Failed, None, vec![])),
            "未通过"
        );
    }

    #[test]
    fn clean_text_is_one_line_without_table_or_note_breakers_and_cut_at_max() {
        assert_eq!(clean("a (b) | `c`\n d", 60), "a （b） / 'c' d");
        assert_eq!(clean("一二三四五", 3), "一二三…");
        assert_eq!(short_reason("需文件上传：multipart"), "需文件上传");
        assert_eq!(short_reason(": 只有冒号"), ": 只有冒号");
    }

    #[test]
    fn the_date_is_the_finish_day_else_the_start_day() {
        let mut r = run(vec![]);
        assert_eq!(result_date(&r).expect("dated"), "2026-01-09");
        r.finished_at = "soon".into();
        assert_eq!(result_date(&r).expect("dated"), "2026-01-08");
        r.started_at = String::new();
        let e = result_date(&r).expect_err("undated");
        assert!(e
            .to_string()
            .contains("the results have no date (finished_at `soon`)"));
    }
}
