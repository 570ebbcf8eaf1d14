//! 根因汇总: what went wrong across the run, one line per cause.
//!
//! One drift on fourteen endpoints is one line with a count, not fourteen blocks. Findings are grouped
//! across endpoint checks, setup steps and scenario steps by what identifies their cause, which depends
//! on the check (see [`finding_cause`]); blocked endpoints are grouped by the failure that blocked them
//! (see [`blocked_cause`]); endpoints that stopped with an error and found nothing by their reason.
//! A cause counts the distinct endpoints (contracts) it was seen on; most endpoints first, then in
//! the order first seen, and only the first [`ROOT_CAUSE_LINES`] are kept, so the summary fits on one
//! screen however far the backend drifted.

use crate::result::fold::index_free;
use crate::result::{
    CaseResult, CheckKind, EndpointResult, Finding, RunResult, SetupResult, Severity, Status,
};
use std::collections::HashMap;

/// At most this many causes are shown; the rest are counted (`… 另有 N 类`).
pub const ROOT_CAUSE_LINES: usize = 20;
/// A cause line names this many of its endpoints, then `…`.
const NAMES_PER_LINE: usize = 3;
/// A cause's words are cut here, so a line stays one line.
const WHAT_CHARS: usize = 80;

/// What a cause is about: a check's findings, or endpoints that could not be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CauseKind {
    Check(CheckKind),
    /// Endpoints whose business checks did not run (their data chain broke).
    Blocked,
    /// Endpoints that stopped with an error and found nothing (a request that could not be built).
    Error,
}

/// One cause and the endpoints it was seen on.
#[derive(Debug, Clone, PartialEq)]
pub struct RootCause {
    pub kind: CauseKind,
    /// The cause in words, from its first occurrence: `/data/pagination 缺少`, `期望 code 0, 实际 401`.
    pub what: String,
    /// The contract ids it was seen on, each once, in the order first seen.
    pub endpoints: Vec<String>,
    /// A team decision (contracts/README.md's 分歧表) explains at least one of its findings.
    pub decided: bool,
}

impl RootCause {
    /// `schema /data/pagination 缺少` / `阻塞: 准备步骤 cities …`: the check's name comes first.
    pub fn title(&self) -> String {
        match self.kind {
            CauseKind::Check(check) => format!("{} {}", check.as_str(), self.what),
            CauseKind::Blocked => format!("阻塞: {}", self.what),
            CauseKind::Error => format!("错误: {}", self.what),
        }
    }

    /// `14 个接口 (campsites.list, tours.list, stores.list, …)`, plus ` · 团队决定, 见说明` when a
    /// decision explains it.
    pub fn reach(&self) -> String {
        let decided = if self.decided {
            " · 团队决定, 见说明"
        } else {
            ""
        };
        format!(
            "{} 个接口 ({}){decided}",
            self.endpoints.len(),
            names(&self.endpoints, NAMES_PER_LINE)
        )
    }

    /// The whole line: `schema /data/pagination 缺少 — 14 个接口 (campsites.list, tours.list, …)`.
    pub fn line(&self) -> String {
        format!("{} — {}", self.title(), self.reach())
    }
}

/// The summary as the reports show it: the first [`ROOT_CAUSE_LINES`] causes, and how many more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RootCauses {
    pub shown: Vec<RootCause>,
    /// Causes not shown.
    pub hidden: usize,
}

impl RootCauses {
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// `… 另有 3 类`, when causes were cut.
    pub fn more(&self) -> Option<String> {
        (self.hidden > 0).then(|| format!("… 另有 {} 类", self.hidden))
    }
}

/// `a, b, c, …`: the first `shown` names, then `…` when there are more.
pub fn names(all: &[String], shown: usize) -> String {
    let mut out = all.iter().take(shown).cloned().collect::<Vec<_>>();
    if all.len() > shown {
        out.push("…".into());
    }
    out.join(", ")
}

/// Every cause of the run, most endpoints first, capped at [`ROOT_CAUSE_LINES`].
pub fn root_causes(result: &RunResult) -> RootCauses {
    let mut all = Grouping::default();
    let endpoint_cases = result.endpoints.iter().flat_map(|e| &e.cases);
    let setup_cases = result.setups.iter().map(|s| &s.case);
    let step_cases = result.scenarios.iter().flat_map(|s| &s.steps);
    for case in endpoint_cases.chain(setup_cases).chain(step_cases) {
        // A count of findings left out past the cap is no cause of its own.
        // A 5xx whose message leaks internal text is one problem: said once, as what the 5xx broke
        // (the server error of a valid request, the error case or the malformed body it crashed on).
        let crashed = case.http_status.is_some_and(|s| s >= 500)
            || (case.findings.iter()).any(|f| f.check == CheckKind::ServerError);
        let leak = (case.findings.iter()).find(|f| f.check == CheckKind::Leakage);
        let carrier = (case.findings.iter())
            .position(|f| f.check != CheckKind::Leakage && !f.is_left_out())
            .filter(|_| crashed && leak.is_some());
        for (i, f) in case
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.is_left_out())
        {
            if carrier.is_some() && f.check == CheckKind::Leakage {
                continue;
            }
            let (mut key, mut what) = finding_cause(f);
            if let (Some(_), Some(leak)) = (carrier.filter(|c| *c == i), leak) {
                let (leak_key, leak_what) = finding_cause(leak);
                key = format!("{key}\u{1}{leak_key}");
                what = format!("{what} · {leak_what}");
            }
            // A drift is one cause whichever check met it (the schema, an assertion, a capture).
            let check = if f.drift.is_some() {
                CheckKind::Schema
            } else {
                f.check
            };
            all.add(CauseKind::Check(check), key, what, &case.contract)
                .decided |= f.decision.is_some();
        }
    }
    for e in &result.endpoints {
        if e.status == Status::Blocked {
            let (key, what) = blocked_cause(e, &result.setups);
            all.add(CauseKind::Blocked, key, what, &e.id);
        } else if e.status == Status::Error && e.cases.iter().all(|k| k.findings.is_empty()) {
            let reason = e.reason.as_deref().unwrap_or("error");
            all.add(CauseKind::Error, shape(reason), cut(reason), &e.id);
        }
    }
    all.into_summary(ROOT_CAUSE_LINES)
}

/// Causes in the order first seen, found again by kind and key.
#[derive(Default)]
struct Grouping {
    causes: Vec<RootCause>,
    index: HashMap<(String, String), usize>,
}

impl Grouping {
    fn add(
        &mut self,
        kind: CauseKind,
        key: String,
        what: String,
        endpoint: &str,
    ) -> &mut RootCause {
        let label = match kind {
            CauseKind::Check(check) => check.as_str(),
            CauseKind::Blocked => "blocked",
            CauseKind::Error => "error",
        };
        let next = self.causes.len();
        let i = *self.index.entry((label.to_string(), key)).or_insert(next);
        if i == next {
            self.causes.push(RootCause {
                kind,
                what,
                endpoints: vec![],
                decided: false,
            });
        }
        let cause = &mut self.causes[i];
        if !cause.endpoints.iter().any(|e| e == endpoint) {
            cause.endpoints.push(endpoint.to_string());
        }
        cause
    }

    fn into_summary(mut self, cap: usize) -> RootCauses {
        // A stable sort: equal counts keep the order first seen.
        self.causes
            .sort_by_key(|c| std::cmp::Reverse(c.endpoints.len()));
        let hidden = self.causes.len().saturating_sub(cap);
        self.causes.truncate(cap);
        RootCauses {
            shown: self.causes,
            hidden,
        }
    }
}

/// What identifies the cause of a finding (the grouping key) and how it reads, per check:
/// - `schema`: the path without list indices and the expectation (`/data/*/isHot 期望 type boolean`,
///   `/data/pagination 缺少`);
/// - `success_code`, `error_code`, `bad_input_accepted`, `malformed_input`, `http_status`: the expected
///   and actual code
///   (the backend's message varies per endpoint, the code is the cause);
/// - `auth_not_enforced`: which request was served (no token, a forged token);
/// - `route_not_activated`, `latency`: one cause each (the budget is the run's);
/// - `server_error`: the HTTP status;
/// - `negative_input`: the derived input's rule and the code it got (`非数字 ID 返回 500`), whatever
///   the parameter's name and the endpoint;
/// - the rest (`transport`, `envelope`, `assertion`, `capture`, `session`, `request`, `isolation`,
///   `leakage`, `session_security`, `client_controlled`): the path without list indices and the
///   message's shape (digits and quoted values stand for any).
pub fn finding_cause(f: &Finding) -> (String, String) {
    // A common drift is one cause whatever the field: named by what it is.
    if let Some(drift) = f.drift {
        return (format!("drift\u{1}{drift:?}"), drift.describe().to_string());
    }
    let path = f.path.as_deref().map(index_free);
    let expected = f.expected.as_deref().unwrap_or("-");
    let actual = f.actual.as_deref().unwrap_or("-");
    match f.check {
        CheckKind::Schema => {
            let path = path.unwrap_or_default();
            match &f.expected {
                Some(_) if f.actual.as_deref() == Some("missing") => {
                    (format!("{path}\u{1}{expected}"), format!("{path} 缺少"))
                }
                Some(_) => (
                    format!("{path}\u{1}{expected}"),
                    format!("{path} 期望 {expected}"),
                ),
                // Not from the validator (which always says what it expected): the message is all.
                None => (
                    format!("{path}\u{1}\u{1}{}", shape(&f.message)),
                    cut(&format!("{path}: {}", f.message)),
                ),
            }
        }
        CheckKind::SuccessCode
        | CheckKind::ErrorCode
        | CheckKind::BadInputAccepted
        | CheckKind::MalformedInput
        | CheckKind::HttpStatus => {
            let unit = if f.check == CheckKind::HttpStatus {
                "HTTP"
            } else {
                "code"
            };
            (
                format!("{expected}\u{1}{actual}"),
                format!("期望 {unit} {expected}, 实际 {actual}"),
            )
        }
        // Without a token or with a forged one, it is the same cause: the token is not checked.
        CheckKind::AuthNotEnforced => (
            String::new(),
            "未携带或伪造 token 的请求未被拒绝".to_string(),
        ),
        CheckKind::RouteNotActivated => (String::new(), "路由未激活".into()),
        CheckKind::Latency => (String::new(), format!("超出响应时间预算 ({expected})")),
        CheckKind::ServerError => (actual.to_string(), format!("HTTP {actual}")),
        CheckKind::NegativeInput => {
            let rule = f.cause.as_deref().unwrap_or("-");
            (
                format!("{rule}\u{1}{actual}"),
                cut(&format!("{rule} 返回 {actual}")),
            )
        }
        CheckKind::Transport
        | CheckKind::Envelope
        | CheckKind::ContentType
        | CheckKind::Assertion
        | CheckKind::Capture
        | CheckKind::Session
        | CheckKind::Request
        | CheckKind::Isolation
        | CheckKind::Leakage
        | CheckKind::SessionSecurity
        | CheckKind::ClientControlled => {
            let key = format!(
                "{}\u{1}{}",
                path.as_deref().unwrap_or(""),
                shape(&f.message)
            );
            let what = match (&path, &f.expected) {
                (Some(p), Some(e)) if f.check == CheckKind::Assertion => format!("{p} 期望 {e}"),
                // `capture `storeId`: …` reads `capture capture …` after the check's name.
                _ => f
                    .message
                    .strip_prefix(f.check.as_str())
                    .unwrap_or(&f.message)
                    .trim_start()
                    .to_string(),
            };
            (key, cut(&what))
        }
    }
}

/// What blocked an endpoint: the setup step it used that failed on its own (not blocked by another),
/// preferring the one its reason names; without one, the innermost cause of its reason
/// (`阻塞: 路由已激活 · … (准备步骤 a 依赖的变量 `x` 没有值 (登录失败: 500))` → `登录失败: 500`).
pub fn blocked_cause(e: &EndpointResult, setups: &[SetupResult]) -> (String, String) {
    let cause = innermost_cause(e.reason.as_deref().unwrap_or_default());
    let roots: Vec<&SetupResult> = setups
        .iter()
        .filter(|s| s.used_by.contains(&e.id) && broke_the_chain(&s.case))
        .collect();
    let named = roots.iter().find(|s| {
        let label = format!("准备步骤 {}", s.case.name);
        cause.starts_with(&format!("{label} ")) || label.starts_with(cause.trim_end())
    });
    match named.or(roots.first()) {
        Some(root) => {
            let k = &root.case;
            let hard = k
                .findings
                .iter()
                .find(|f| f.check.severity() == Severity::Hard);
            let failure = match hard.or(k.findings.first()) {
                Some(f) => format!("{} {}", f.check.as_str(), finding_cause(f).1),
                None => format!(
                    "{}: {}",
                    k.status.chinese(),
                    k.reason.as_deref().unwrap_or(k.status.as_str())
                ),
            };
            (
                format!("setup\u{1}{}\u{1}{}", k.contract, k.name),
                cut(&format!("准备步骤 {} ({}) {failure}", k.name, k.contract)),
            )
        }
        None => (shape(cause), cut(cause)),
    }
}

/// A setup step whose answer gave nothing to capture, for a reason of its own: a hard finding, or a
/// failure without findings (an error). Soft findings leave the values usable; blocked is a consequence.
fn broke_the_chain(k: &CaseResult) -> bool {
    k.status.is_failure()
        && k.status != Status::Blocked
        && (k.findings.is_empty()
            || k.findings
                .iter()
                .any(|f| f.check.severity() == Severity::Hard))
}

/// The root of a blocked reason: the text in its parentheses, through every `依赖的变量 … 没有值 (…)`
/// link of the chain. The chain may have been cut short, leaving parentheses open.
fn innermost_cause(reason: &str) -> &str {
    let mut cause = reason
        .split_once('(')
        .map_or(reason.trim_start_matches("阻塞: "), |(_, inner)| inner);
    const LINK: &str = "没有值 (";
    while let Some(at) = cause.find(LINK) {
        cause = &cause[at + LINK.len()..];
    }
    while cause.ends_with(')') && cause.matches(')').count() > cause.matches('(').count() {
        cause = &cause[..cause.len() - 1];
    }
    cause.trim()
}

/// A message's shape: runs of digits and quoted values stand for any, so `got code 401 for "a"` and
/// `got code 500 for "b"` are one shape.
pub fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    let mut last_digit = false;
    for c in message.chars() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '`' => {
                quote = Some(c);
                out.push_str("<v>");
            }
            c if c.is_ascii_digit() => {
                if !last_digit {
                    out.push('#');
                }
            }
            c => out.push(c),
        }
        last_digit = c.is_ascii_digit();
    }
    out
}

/// At most [`WHAT_CHARS`] characters, one line.
fn cut(text: &str) -> String {
    let one_line = text.replace(['\r', '\n'], " ");
    if one_line.chars().count() <= WHAT_CHARS {
        return one_line;
    }
    let mut out: String = one_line.chars().take(WHAT_CHARS - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
