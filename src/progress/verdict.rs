//! What a run's result says about an endpoint, in the words the documents use: the verdict
//! (passed, failed with what failed, skipped, blocked or unfinished with why) and the date of the
//! results.
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

/// What a result says about one endpoint, for the documents. Every status has its own verdict:
/// an endpoint the run did not pass never reads as passed, whatever the documents said before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Failed or not activated, with a short description. A blocked endpoint whose data-free
    /// checks found a problem (an unmounted route, auth not enforced) is already `failed` or
    /// `not_activated` in the run, so it lands here.
    Failed {
        not_activated: bool,
        detail: String,
    },
    /// Skipped, with the short reason (the part before `:` of the contract's `skip`).
    Skipped(Option<String>),
    /// Blocked: the data chain broke (a login, a setup step) before the business checks, and the
    /// data-free checks found nothing wrong. `阻塞: <why>`, in a few words.
    Blocked(String),
    /// The request could not be built (an `error`): the check is unfinished, no verdict on the
    /// backend. `未能构造请求: <why>`.
    Unfinished(String),
}

pub fn verdict(e: &EndpointResult) -> Verdict {
    match e.status {
        Status::Passed => Verdict::Passed,
        Status::NotActivated => Verdict::Failed {
            not_activated: true,
            detail: NOT_ACTIVATED.into(),
        },
        Status::Failed => Verdict::Failed {
            not_activated: false,
            detail: failure_detail(e),
        },
        Status::Skipped => Verdict::Skipped(e.reason.as_deref().map(short_reason)),
        Status::Blocked => Verdict::Blocked(blocked_detail(e)),
        Status::Error => Verdict::Unfinished(match reason_of(e, Status::Error) {
            Some(r) => format!("未能构造请求: {}", clean(&r, 40)),
            None => "未能构造请求".into(),
        }),
    }
}

/// Whether the run established that the endpoint's route is mounted: it answered (passed or
/// failed), it hit the catch-all (not activated), or it was blocked after its data-free checks
/// found the route (`阻塞: 路由已激活 · …`). `None` when the run cannot tell.
pub fn route_active(e: &EndpointResult) -> Option<bool> {
    match e.status {
        Status::Passed | Status::Failed => Some(true),
        Status::NotActivated => Some(false),
        Status::Blocked => blocked_facts(e)
            .is_some_and(|facts| facts.split(" · ").any(|f| f == ROUTE_ACTIVE))
            .then_some(true),
        Status::Skipped | Status::Error => None,
    }
}

/// The note of an endpoint whose route hit the catch-all.
pub const NOT_ACTIVATED: &str = "后端路由未激活";
/// The word a blocked endpoint's note starts with.
pub const BLOCKED: &str = "阻塞";
/// The fact a blocked endpoint's reason states when its route answered.
const ROUTE_ACTIVE: &str = "路由已激活";
/// How the run starts a blocked endpoint's reason.
const BLOCKED_PREFIX: &str = "阻塞: ";

/// A blocked reason reads `阻塞: <facts> (<cause>)`, the facts joined by ` · ` and without
/// parentheses; the cause may hold its own. Returns the facts and the cause when it reads so.
fn blocked_parts(reason: &str) -> Option<(&str, &str)> {
    let rest = reason.strip_prefix(BLOCKED_PREFIX)?;
    let (facts, cause) = rest.split_once(" (")?;
    Some((facts, cause.strip_suffix(')')?))
}

fn blocked_facts(e: &EndpointResult) -> Option<&str> {
    e.reason.as_deref().and_then(blocked_parts).map(|(f, _)| f)
}

/// `阻塞: 准备步骤 cities 路由未激活`: why the endpoint is blocked, without what its data-free
/// checks established (the plan line needs the why; the reports show the rest).
fn blocked_detail(e: &EndpointResult) -> String {
    let why = reason_of(e, Status::Blocked).map(|r| match blocked_parts(&r) {
        Some((_, cause)) => cause.to_string(),
        None => r.strip_prefix(BLOCKED_PREFIX).unwrap_or(&r).to_string(),
    });
    match why.map(|w| clean(&w, 40)).filter(|w| !w.is_empty()) {
        Some(w) => format!("{BLOCKED}: {w}"),
        None => BLOCKED.into(),
    }
}

/// The endpoint's reason, else that of its first case with `status`.
fn reason_of(e: &EndpointResult, status: Status) -> Option<String> {
    e.reason.clone().or_else(|| {
        e.cases
            .iter()
            .find(|k| k.status == status)
            .and_then(|k| k.reason.clone())
    })
}

/// `正常请求 schema /data/total 等 3 项`: the first finding (its drift when it is a common one), and how
/// many more.
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
            // A common drift is named by what it is (`ID 以数字返回`), which a reader of the plan knows.
            match f.drift {
                Some(drift) => format!("{} {}{more}", k.name, clean(drift.describe(), 40)),
                None => format!("{} {}{at}{more}", k.name, f.check.as_str()),
            }
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
            earlier_attempts: vec![],
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
            account: None,
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
        assert_eq!(
            verdict(&endpoint(
                Status::Blocked,
                Some("阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 cities 路由未激活)"),
                vec![]
            )),
            Verdict::Blocked("阻塞: 准备步骤 cities 路由未激活".into())
        );
        assert_eq!(
            verdict(&endpoint(
                Status::Error,
                Some("run.vars.id: 没有 `x`"),
                vec![]
            )),
            Verdict::Unfinished("未能构造请求: run.vars.id: 没有 'x'".into())
        );
    }

    #[test]
    fn a_blocked_endpoint_says_why_in_a_few_words_without_ascii_parentheses() {
        let blocked = |reason: Option<&str>, cases| match verdict(&endpoint(
            Status::Blocked,
            reason,
            cases,
        )) {
            Verdict::Blocked(d) => d,
            other => panic!("{other:?}"),
        };
        // The cause may carry its own parentheses.
        assert_eq!(
            blocked(
                Some("阻塞: 路由未判定 · 业务校验未执行 (准备步骤 cities 返回 code 404 (无数据))"),
                vec![]
            ),
            "阻塞: 准备步骤 cities 返回 code 404 （无数据）"
        );
        // A reason of another shape is kept whole, then cut.
        assert_eq!(
            blocked(
                Some("登录失败: 连接被拒绝 (127.0.0.1:3001) 之后又重试了三次仍然没有任何响应"),
                vec![]
            ),
            "阻塞: 登录失败: 连接被拒绝 （127.0.0.1:3001） 之后又重试了三次仍然没…"
        );
        // No reason on the endpoint: its blocked case's, else just 阻塞.
        let mut k = case("正常请求", Status::Blocked, vec![]);
        k.reason = Some("登录失败: 500".into());
        assert_eq!(blocked(None, vec![k]), "阻塞: 登录失败: 500");
        assert_eq!(blocked(None, vec![]), "阻塞");
        assert_eq!(
            verdict(&endpoint(Status::Error, None, vec![])),
            Verdict::Unfinished("未能构造请求".into())
        );
    }

    #[test]
    fn the_route_is_known_active_from_an_answer_or_a_blocked_endpoints_facts() {
        let with = |s, r: Option<&str>| route_active(&endpoint(s, r, vec![]));
        assert_eq!(with(Status::Passed, None), Some(true));
        assert_eq!(with(Status::Failed, None), Some(true));
        assert_eq!(with(Status::NotActivated, None), Some(false));
        assert_eq!(
            with(
                Status::Blocked,
                Some("阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 cities 路由未激活)")
            ),
            Some(true)
        );
        assert_eq!(
            with(
                Status::Blocked,
                Some("阻塞: 路由未判定 · 鉴权正常 · 业务校验未执行 (登录失败)")
            ),
            None
        );
        // The words inside the cause are not a fact about this endpoint.
        assert_eq!(
            with(
                Status::Blocked,
                Some("阻塞: 路由未判定 · 业务校验未执行 (路由已激活)")
            ),
            None
        );
        assert_eq!(with(Status::Skipped, None), None);
        assert_eq!(with(Status::Error, None), None);
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
        // A common drift is named by what it is.
        let mut drifted = finding(CheckKind::Schema, Some("/data/list/0/id"));
        drifted.drift = Some(crate::result::Drift::IdAsNumber);
        let e = endpoint(
            Status::Failed,
            None,
            vec![case("正常请求", Status::Failed, vec![drifted])],
        );
        assert_eq!(failure_detail(&e), "正常请求 ID 以数字返回, 合约为字符串");
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
