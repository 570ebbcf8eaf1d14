//! The words of the result model: what a check found, which check found it, what kind of request it was.
//! Checks produce them, the runner records them, every renderer reads them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Connection refused, timeout, TLS.
    Transport,
    /// The backend's catch-all answered: the route is not mounted.
    RouteNotActivated,
    /// A 5xx on a request that should succeed.
    ServerError,
    /// The response is not the unified envelope `{code, message, data}`.
    Envelope,
    /// The body is usable JSON, but not as declared: a non-JSON content type, or bytes that are not UTF-8.
    ContentType,
    /// The HTTP status disagrees with the status policy.
    HttpStatus,
    /// A request that should succeed did not answer the success code.
    SuccessCode,
    /// `data` does not match its schema.
    Schema,
    /// An error case answered a different code than the contract says.
    ErrorCode,
    /// A request without (or with a forged) token was not refused with 401.
    AuthNotEnforced,
    /// A request missing required fields was not rejected with 400.
    BadInputAccepted,
    /// Slower than the latency budget.
    Latency,
    /// A scenario's business assertion failed.
    Assertion,
    /// A scenario capture found nothing at its path.
    Capture,
    /// Login or token refresh failed.
    Session,
    /// The request could not be built (template, missing path parameter).
    Request,
    /// Another account's request on a record the primary account created was not refused (越权), or a
    /// list of the primary's own records showed another account's record.
    Isolation,
    /// A body of the wrong shape (not JSON, an array, a wrong content type, a wrong type, an absurd
    /// value) was accepted or crashed the server, instead of a 4xx envelope.
    MalformedInput,
    /// A response carried internal text (SQL, a stack frame, a framework error page) or a field that
    /// must never leave the server (a password hash, another user's phone).
    Leakage,
    /// A token that must no longer work did: after logout, an access token as a refresh token, a
    /// forged or reused refresh token, a token for no user.
    SessionSecurity,
    /// A field the server must own (an owner, a status, a price) took the value the client sent.
    ClientControlled,
    /// A negative or boundary input derived from the request schemas (a path id of letters, `page=0`,
    /// an empty body, a field past its bound) crashed the server or was served where it should have
    /// been refused, or a value just inside a bound was refused.
    NegativeInput,
}

/// What a finding means for the values a flow takes from the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The answer is unusable (no answer, not the route, a 5xx, no envelope, not success): nothing can be
    /// captured from it, and what depends on it is blocked.
    Hard,
    /// The answer is usable but wrong (a type, a shape, a status, the latency, an assertion): the case
    /// fails, and its values are still captured as they are.
    Soft,
}

impl CheckKind {
    /// Hard or soft: the one place the split is written down (the README repeats it).
    pub fn severity(self) -> Severity {
        match self {
            CheckKind::Transport
            | CheckKind::RouteNotActivated
            | CheckKind::ServerError
            | CheckKind::Envelope
            | CheckKind::SuccessCode
            | CheckKind::Capture
            | CheckKind::Session
            | CheckKind::Request => Severity::Hard,
            CheckKind::HttpStatus
            | CheckKind::ContentType
            | CheckKind::Schema
            | CheckKind::Latency
            | CheckKind::Assertion
            | CheckKind::ErrorCode
            | CheckKind::AuthNotEnforced
            | CheckKind::BadInputAccepted
            | CheckKind::Isolation
            | CheckKind::MalformedInput
            | CheckKind::Leakage
            | CheckKind::SessionSecurity
            | CheckKind::ClientControlled
            | CheckKind::NegativeInput => Severity::Soft,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Transport => "transport",
            CheckKind::RouteNotActivated => "route_not_activated",
            CheckKind::ServerError => "server_error",
            CheckKind::Envelope => "envelope",
            CheckKind::ContentType => "content_type",
            CheckKind::HttpStatus => "http_status",
            CheckKind::SuccessCode => "success_code",
            CheckKind::Schema => "schema",
            CheckKind::ErrorCode => "error_code",
            CheckKind::AuthNotEnforced => "auth_not_enforced",
            CheckKind::BadInputAccepted => "bad_input_accepted",
            CheckKind::Latency => "latency",
            CheckKind::Assertion => "assertion",
            CheckKind::Capture => "capture",
            CheckKind::Session => "session",
            CheckKind::Request => "request",
            CheckKind::Isolation => "isolation",
            CheckKind::MalformedInput => "malformed_input",
            CheckKind::Leakage => "leakage",
            CheckKind::SessionSecurity => "session_security",
            CheckKind::ClientControlled => "client_controlled",
            CheckKind::NegativeInput => "negative_input",
        }
    }

    /// The checks the reports group under 安全, first: who may do what (auth, another account's
    /// records, tokens that must be dead, fields the server owns), what the server lets out, and input
    /// that should never reach its business code.
    pub fn is_security(self) -> bool {
        matches!(
            self,
            CheckKind::AuthNotEnforced
                | CheckKind::Isolation
                | CheckKind::MalformedInput
                | CheckKind::Leakage
                | CheckKind::SessionSecurity
                | CheckKind::ClientControlled
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check: CheckKind,
    /// JSON Pointer into the response body, where the finding is about a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// How many items of a list this one finding stands for (the same finding on `/data/0/isHot`,
    /// `/data/1/isHot` … is one, at `/data/*/isHot`, with `actual` from the first); absent when one.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
    /// When the contract deliberately differs from the requirement doc here: the team's decision and the
    /// row of contracts/README.md's 分歧表 it comes from, so whoever followed the doc knows it is not a typo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The kind of drift the answer shows here, when it is a common one (a boolean as 0/1, a field in
    /// snake_case …): one cause however many fields and endpoints it touches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
    /// Whose side the finding is on, where an exchange the tool did not send is judged (the validating
    /// proxy, a HAR file): the front end sent what the contract does not allow, or the backend answered
    /// what it does not allow. Absent in runs, where the tool itself sends every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// What the finding has in common with the same finding on other endpoints, where its message and
    /// place do not say it: the rule of a derived negative input (`非数字 ID`, `page=0`), so the 根因汇总
    /// says it once however many endpoints it touches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// Who got an exchange wrong: the client that sent the request, or the server that answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The mini-program sent something its contract does not allow.
    Frontend,
    /// The backend answered something the contract does not allow (or did not answer).
    Backend,
}

impl Side {
    /// `前端` / `后端`, as the team says it.
    pub fn chinese(self) -> &'static str {
        match self {
            Side::Frontend => "前端",
            Side::Backend => "后端",
        }
    }
}

/// Ways a backend under development commonly drifts from its contract, recognised in schema findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drift {
    /// `0`/`1` where a boolean is due.
    BoolAsInt,
    /// `"580.00"` where a number is due.
    NumberAsString,
    /// `12345` where a string id is due.
    IdAsNumber,
    /// `created_at` where `createdAt` is due.
    SnakeCase,
    /// `{list, total, page, pageSize}` where `{list, pagination}` is due.
    FlatPagination,
    /// `{rows, count}`, `{records, total}`, `{items, total}` where `{list, pagination}` is due.
    OtherPageShape,
    /// `1767225600000` where an RFC 3339 date-time string is due.
    TimestampAsNumber,
    /// `"2026-01-01 10:00:00"` (no zone, a space) where RFC 3339 is due.
    DateTimeWithoutZone,
}

impl Drift {
    /// In the plan's words, for the reports.
    pub fn describe(self) -> &'static str {
        match self {
            Drift::BoolAsInt => "布尔值以 0/1 返回",
            Drift::NumberAsString => "数字以字符串返回 (如金额 \"580.00\")",
            Drift::IdAsNumber => "ID 以数字返回, 合约为字符串",
            Drift::SnakeCase => "字段名为 snake_case, 合约为 camelCase",
            Drift::TimestampAsNumber => "日期时间以时间戳数字返回, 合约为 ISO 8601 字符串",
            Drift::DateTimeWithoutZone => {
                "日期时间无时区 (如 \"2026-01-01 10:00:00\"), 合约为 ISO 8601 (RFC 3339)"
            }
            Drift::OtherPageShape => {
                "分页为其他结构 (如 {rows, count}、{records, total}), 合约为 {list, pagination}"
            }
            Drift::FlatPagination => {
                "分页为平铺结构 {list, total, page, pageSize}, 合约为 {list, pagination}"
            }
        }
    }
}

/// How the finding that counts the findings left out past the cap begins.
const LEFT_OUT: &str = "… 另有 ";

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

impl Finding {
    pub fn new(check: CheckKind, message: impl Into<String>) -> Self {
        Finding {
            check,
            path: None,
            message: message.into(),
            expected: None,
            actual: None,
            count: 1,
            decision: None,
            drift: None,
            side: None,
            cause: None,
        }
    }
    /// The finding that counts the `n` findings of `check` a case left out past its cap of `max`.
    pub fn left_out(check: CheckKind, n: usize, max: usize) -> Self {
        Finding {
            count: n,
            ..Finding::new(
                check,
                format!("{LEFT_OUT}{n} 项未列出 ([run] max_findings_per_case = {max})"),
            )
        }
    }

    /// Counts findings left out (see [`Finding::left_out`]) rather than being one.
    pub fn is_left_out(&self) -> bool {
        self.path.is_none() && self.message.starts_with(LEFT_OUT)
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
    pub fn expected(mut self, e: impl Into<String>, a: impl Into<String>) -> Self {
        self.expected = Some(e.into());
        self.actual = Some(a.into());
        self
    }
    pub fn on(mut self, side: Side) -> Self {
        self.side = Some(side);
        self
    }
}

/// What kind of request a case sent, which decides what its answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// The endpoint's valid request.
    Happy,
    /// A setup step that obtains what the happy request needs.
    Setup,
    /// A scenario step.
    Step,
    /// No Authorization header.
    NoToken,
    /// A token the backend never issued.
    ForgedToken,
    /// Required fields removed.
    MissingRequired,
    /// An error case from the contract.
    ErrorCase,
    /// Asks only whether the route is mounted, when the endpoint's data chain broke: a placeholder id,
    /// or a request a correct backend refuses before acting, so it changes nothing.
    RouteProbe,
    /// Exchanges the tool did not send (the validating proxy, a HAR file), summed up per endpoint and
    /// side; each was judged as the case its request amounted to (valid, without a token, invalid).
    Exchange,
    /// The secondary account on a record the primary created, or the primary's own list.
    Isolation,
    /// A body of the wrong shape or with absurd values.
    MalformedInput,
    /// A token that must no longer work (after logout, reused, forged, for no user).
    SessionSecurity,
    /// The valid request plus fields the server must own.
    ClientControlled,
    /// A negative or boundary input derived from the request schemas.
    NegativeInput,
}

impl CaseKind {
    /// The check a refusal-expecting case of this kind reports when the backend did not refuse.
    pub fn refusal_check(self) -> CheckKind {
        match self {
            CaseKind::NoToken | CaseKind::ForgedToken => CheckKind::AuthNotEnforced,
            CaseKind::MissingRequired => CheckKind::BadInputAccepted,
            CaseKind::Isolation => CheckKind::Isolation,
            CaseKind::MalformedInput => CheckKind::MalformedInput,
            CaseKind::SessionSecurity => CheckKind::SessionSecurity,
            CaseKind::ClientControlled => CheckKind::ClientControlled,
            CaseKind::NegativeInput => CheckKind::NegativeInput,
            CaseKind::Happy
            | CaseKind::Setup
            | CaseKind::Step
            | CaseKind::ErrorCase
            | CaseKind::RouteProbe
            | CaseKind::Exchange => CheckKind::ErrorCode,
        }
    }

    /// A request built to be wrong from the contract's own (public) values: its excerpt is shown as
    /// sent, the run's secrets still masked by value.
    pub fn built_wrong(self) -> bool {
        matches!(
            self,
            CaseKind::ErrorCase | CaseKind::MissingRequired | CaseKind::MalformedInput
        )
    }
}
