//! `session_security`: tokens that must no longer work get 401, never a success and never a 5xx. Each
//! case logs in a session of its own (the run's shared sessions are never logged out or rotated), and
//! each belongs to the endpoint at fault:
//!
//! - the logout contract (`[auth] logout`): after logging out, the old access token on a token probe
//!   (a plain GET that needs a token, e.g. `auth.check-login`) that served it just before;
//! - the refresh contract (`[auth] refresh`): an access token sent as the refresh token, a forged and a
//!   malformed refresh token, and the refresh token used again after a refresh rotated it (when the
//!   backend rotates; otherwise skipped, saying so);
//! - the token probe: a token for a user that does not exist ([`super::jwt`]; skipped, saying why,
//!   when the tokens are not JWTs).
//!
//! A request the probe cannot judge (its route is not mounted, its answer is not an envelope) leaves
//! the case blocked with the reason: that is the probe's problem, reported on the probe.

use super::{jwt, spec, EndpointCheck, PRIMARY};
use crate::catalog::Catalog;
use crate::check::Expect;
use crate::contract::{AuthRequirement, Contract, RequestParts, SessionMode};
use crate::exec::request::{render_parts, TokenChoice};
use crate::exec::scenario::unusable_because;
use crate::exec::session::{Session, Sessions};
use crate::result::{CaseKind, CaseResult, Severity, Status};
use crate::scenario::path::lookup;
use crate::scenario::template::value_text;
use serde_json::{json, Value};

const UNAUTHORIZED: Expect = Expect::Error {
    code: 401,
    http_status: None,
};

/// What an endpoint is to the session checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SessionRole {
    Logout,
    Refresh,
    Probe,
}

/// The endpoints a token can be tried on, in plan order: plain reads that need a user's token (no
/// path parameter, no setup, nothing required in the query, their own session). The first is the
/// token probe, which the checks of tokens for nobody belong to.
pub(crate) fn token_probes(catalog: &Catalog) -> Vec<&Contract> {
    let empty = Value::Object(Default::default());
    (catalog.ordered_contracts().into_iter())
        .filter(|c| {
            let query_free = (catalog.compiled.get(&c.id))
                .and_then(|k| k.query.as_ref())
                .is_none_or(|v| v.is_valid(&empty));
            c.method == "GET"
                && c.auth == AuthRequirement::User
                && c.skip.is_none()
                && c.session != Some(SessionMode::Fresh)
                && c.path_param_names().is_empty()
                && c.run.as_ref().is_none_or(|r| r.setup.is_empty())
                && query_free
        })
        .collect()
}

impl EndpointCheck<'_> {
    pub(super) fn session_role(&self) -> Option<SessionRole> {
        let auth = &self.cx.config.auth;
        let id = &self.contract.id;
        if *id == auth.logout {
            Some(SessionRole::Logout)
        } else if *id == auth.refresh {
            Some(SessionRole::Refresh)
        } else if token_probes(self.cx.catalog)
            .first()
            .is_some_and(|p| p.id == *id)
        {
            Some(SessionRole::Probe)
        } else {
            None
        }
    }

    pub(super) async fn session_cases(&self, happy: &RequestParts) -> Vec<CaseResult> {
        match self.session_role() {
            Some(SessionRole::Logout) => vec![self.after_logout(happy).await],
            Some(SessionRole::Refresh) => self.refresh_cases(happy).await,
            Some(SessionRole::Probe) => self.nobody_cases(happy).await,
            None => vec![],
        }
    }

    /// A session of the case's own, as the primary.
    async fn own_session(&self, sessions: &Sessions) -> Result<Session, String> {
        (sessions.get(&self.cx.login(), PRIMARY).await)
            .map_err(|e| self.cx.redactor.text(&format!("登录失败: {e}")))
    }

    async fn after_logout(&self, happy: &RequestParts) -> CaseResult {
        let name = "退出登录后旧Token";
        let blocked =
            |why: String| self.unsent(name, CaseKind::SessionSecurity, Status::Blocked, &why);
        let sessions = Sessions::new();
        let session = match self.own_session(&sessions).await {
            Ok(s) => s,
            Err(why) => return blocked(why),
        };
        let old = TokenChoice::Explicit(session.token.clone());
        let Some((probe, parts)) = self.working_probe(&sessions, &old).await else {
            let why = "没有一个可以验证令牌的接口 (不带参数、需要登录的 GET) 在登录状态下返回成功";
            return blocked(why.into());
        };
        let logout = self.as_other(self.contract, PRIMARY, &sessions);
        if let Err(why) = logout.plain(happy, old.clone()).await {
            return blocked(format!("退出登录失败: {why}"));
        }
        let prober = self.as_other(probe, PRIMARY, &sessions);
        let sent = (prober.send_keeping(spec(
            &prober,
            &parts,
            old,
            UNAUTHORIZED,
            CaseKind::SessionSecurity,
            name,
        )))
        .await;
        // The question is logout's: the case is this endpoint's, whichever endpoint answered it.
        let mut case = judged_by_probe(sent.case, &probe.id);
        case.contract = self.contract.id.clone();
        case.endpoint = self.cx.spelling(self.contract);
        case
    }

    /// The first token probe that serves this token now, with its request: a token that works
    /// before logout, on an endpoint that works, makes a 401 after it mean the logout.
    async fn working_probe(
        &self,
        sessions: &Sessions,
        token: &TokenChoice,
    ) -> Option<(&Contract, RequestParts)> {
        let vars = self.cx.base_vars();
        for probe in token_probes(self.cx.catalog) {
            let run = probe.run.clone().unwrap_or_default();
            let example = Some(&probe.example.request);
            let Ok(parts) = render_parts(example, None, &run.request, &vars, self.cx.builtins)
            else {
                continue;
            };
            let prober = self.as_other(probe, PRIMARY, sessions);
            if prober.plain(&parts, token.clone()).await.is_ok() {
                return Some((probe, parts));
            }
        }
        None
    }

    async fn refresh_cases(&self, happy: &RequestParts) -> Vec<CaseResult> {
        let sessions = Sessions::new();
        let session = match self.own_session(&sessions).await {
            Ok(s) => s,
            Err(why) => {
                let name = "刷新令牌检查";
                return vec![self.unsent(name, CaseKind::SessionSecurity, Status::Blocked, &why)];
            }
        };
        let forged = match session
            .refresh_token
            .as_deref()
            .map(|r| jwt::for_nobody(r, "nobody"))
        {
            Some(Some((tampered, _))) => tampered,
            _ => format!("daodao-check-forged-{}", uuid::Uuid::new_v4().simple()),
        };
        let mut out = vec![];
        for (name, token) in [
            ("访问令牌当作刷新令牌", session.token.clone()),
            ("伪造的刷新令牌", forged),
            ("格式错误的刷新令牌", "%%not a token%%".to_string()),
        ] {
            out.push(self.refresh_with(happy, &session, name, &token).await);
        }
        out.push(self.reuse_after_rotation(happy, &session).await);
        out
    }

    /// The refresh request with `token` as the refresh token: it must be refused with 401.
    async fn refresh_with(
        &self,
        happy: &RequestParts,
        session: &Session,
        name: &str,
        token: &str,
    ) -> CaseResult {
        let parts = self.refresh_parts(happy, token);
        let bearer = self.bearer(session);
        let sent = self
            .send_keeping(spec(
                self,
                &parts,
                bearer,
                UNAUTHORIZED,
                CaseKind::SessionSecurity,
                name,
            ))
            .await;
        judged_by_probe(sent.case, &self.contract.id)
    }

    async fn reuse_after_rotation(&self, happy: &RequestParts, session: &Session) -> CaseResult {
        let name = "轮换后重用旧的刷新令牌";
        let unsent = |status, why: &str| self.unsent(name, CaseKind::SessionSecurity, status, why);
        let Some(first) = session.refresh_token.clone() else {
            return unsent(Status::Skipped, "登录没有返回刷新令牌");
        };
        let parts = self.refresh_parts(happy, &first);
        let answer = match self.plain(&parts, self.bearer(session)).await {
            Ok(answer) => answer,
            Err(why) => return unsent(Status::Blocked, &format!("刷新失败: {why}")),
        };
        let rotated = lookup(&answer, &self.cx.config.auth.refresh_token).map(value_text);
        if rotated.as_deref().is_none_or(|r| r == first) {
            let why = "刷新后没有返回新的刷新令牌: 后端不轮换刷新令牌, 不检查重用";
            return unsent(Status::Skipped, why);
        }
        self.refresh_with(happy, session, name, &first).await
    }

    /// The refresh request's parts with `token` in the configured field.
    fn refresh_parts(&self, happy: &RequestParts, token: &str) -> RequestParts {
        let mut body = serde_json::Map::new();
        body.insert(self.cx.config.auth.refresh_field.clone(), json!(token));
        RequestParts {
            body: Some(Value::Object(body)),
            ..happy.clone()
        }
    }

    /// The access token, when the refresh endpoint wants one.
    fn bearer(&self, session: &Session) -> TokenChoice {
        if self.contract.needs_auth() {
            TokenChoice::Explicit(session.token.clone())
        } else {
            TokenChoice::None
        }
    }

    async fn nobody_cases(&self, happy: &RequestParts) -> Vec<CaseResult> {
        let name = "不存在的用户的令牌";
        let session = match self.own_session(self.sessions).await {
            Ok(s) => s,
            Err(why) => {
                return vec![self.unsent(name, CaseKind::SessionSecurity, Status::Blocked, &why)]
            }
        };
        let nobody = format!("daodao-check-nobody-{}", uuid::Uuid::new_v4().simple());
        let Some((tampered, unsigned)) = jwt::for_nobody(&session.token, &nobody) else {
            let why = "访问令牌不是 JWT 格式, 没有签名密钥无法造出属于不存在用户的有效令牌, 目录中也没有删除用户的接口 \
                       (未签发的令牌由「伪造Token」检查)";
            return vec![self.unsent(name, CaseKind::SessionSecurity, Status::Skipped, why)];
        };
        let mut out = vec![];
        for (name, token) in [
            ("不存在的用户的令牌 (篡改用户, 原签名)", tampered),
            ("不存在的用户的令牌 (alg=none, 无签名)", unsigned),
        ] {
            self.cx
                .redactor
                .add(&token, crate::redact::SecretKind::Token);
            let token = TokenChoice::Explicit(token);
            let sent = self
                .send_keeping(spec(
                    self,
                    happy,
                    token,
                    UNAUTHORIZED,
                    CaseKind::SessionSecurity,
                    name,
                ))
                .await;
            out.push(judged_by_probe(sent.case, &self.contract.id));
        }
        out
    }
}

/// A session case whose answer was unusable (no answer, not the route, not an envelope) could not ask
/// its question: blocked, with why, and its findings left to the endpoint that answered.
fn judged_by_probe(mut case: CaseResult, answered_by: &str) -> CaseResult {
    let hard = case
        .findings
        .iter()
        .any(|f| f.check.severity() == Severity::Hard);
    if hard {
        let why = unusable_because(&case);
        case.status = Status::Blocked;
        case.reason = Some(format!("{answered_by} 无法判断令牌: {why}"));
        case.findings.clear();
    }
    case
}
