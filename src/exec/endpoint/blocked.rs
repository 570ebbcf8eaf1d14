//! What a blocked endpoint still answers. When its data chain broke (the login failed, a setup step got
//! no usable answer), the business checks cannot run, but the two questions a team asks first need no
//! data: is the route mounted, and is auth enforced. A placeholder id answers both on any sane backend:
//! auth runs before lookups, and the catch-all answers before both.
//!
//! Nothing here can change data on a correct backend: a write is never sent with a valid token and a
//! placeholder id. Writes get the no-token and forged-token requests (refused before acting) and, when
//! they need no token, a placeholder id or an empty body (refused before acting).

use super::{missing_required_parts, EndpointCheck, Halt};
use crate::check::Expect;
use crate::contract::{Contract, RequestParts};
use crate::result::{CaseKind, CaseResult, CheckKind, Status};
use serde_json::{json, Map, Value};

/// A path parameter value that cannot name a record: numeric-looking, so a backend that parses ids as
/// numbers looks it up (and finds nothing) instead of failing on the parse.
const PLACEHOLDER_ID: &str = "999999999";
const PLACEHOLDER_UUID: &str = "00000000-0000-0000-0000-000000000000";

impl EndpointCheck<'_> {
    /// Sends the checks that need no data, then says what they established. `cause` is why the
    /// endpoint is blocked (the first value it needs that does not exist).
    pub(super) async fn blocked(&self, cases: &mut Vec<CaseResult>, cause: &str) -> Halt {
        let probe = placeholder_parts(self.contract);
        let refuses_auth = self
            .cx
            .fingerprints
            .anonymous
            .as_ref()
            .is_some_and(|f| f.refuses_auth);
        let is_read = self.contract.method == "GET";
        if self.contract.needs_auth() {
            cases.extend(self.auth_cases(&probe).await);
            // A backend that checks tokens before routing answers every tokenless request alike;
            // a read with the account's token and a placeholder id still tells the route apart.
            if refuses_auth && is_read {
                cases.push(self.route_probe(&probe, self.account_token()).await);
            }
        } else if let Some(parts) = self.refused_without_data(&probe, is_read) {
            cases.push(self.route_probe(&parts, self.account_token()).await);
        }
        established(self.contract, cases, refuses_auth, cause)
    }

    /// A request a correct backend answers without acting: any read, a write to a placeholder id, or
    /// a write whose required body fields are all missing. `None` when the endpoint has none of these.
    fn refused_without_data(&self, probe: &RequestParts, is_read: bool) -> Option<RequestParts> {
        if is_read || self.contract.path.contains('{') {
            return Some(probe.clone());
        }
        let compiled = self.cx.catalog.compiled.get(&self.contract.id);
        missing_required_parts(&self.contract.request, compiled, probe)
    }

    async fn route_probe(&self, parts: &RequestParts, token: super::TokenChoice) -> CaseResult {
        self.send(
            parts,
            token,
            Expect::Success,
            CaseKind::RouteProbe,
            "路由探测 (占位ID)",
        )
        .await
    }
}

/// The example request with every path parameter replaced by a placeholder of the example's shape.
pub(super) fn placeholder_parts(c: &Contract) -> RequestParts {
    let mut parts = c.example.request.clone();
    let example = parts.path_params.clone().unwrap_or(Value::Null);
    let mut params = Map::new();
    for name in c
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    {
        params.insert(name.to_string(), placeholder(example.get(name)));
    }
    parts.path_params = (!params.is_empty()).then_some(Value::Object(params));
    parts
}

fn placeholder(example: Option<&Value>) -> Value {
    match example {
        Some(Value::Number(_)) => json!(999_999_999),
        Some(Value::String(s)) if looks_like_uuid(s) => json!(PLACEHOLDER_UUID),
        _ => json!(PLACEHOLDER_ID),
    }
}

fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, ch)| {
            matches!(i, 8 | 13 | 18 | 23) == (ch == '-') && (ch == '-' || ch.is_ascii_hexdigit())
        })
}

/// The endpoint's status and reason from the data-free cases: an unmounted route is exact, a failed
/// auth check fails the endpoint, and otherwise it is blocked, saying what was established.
fn established(c: &Contract, cases: &[CaseResult], refuses_auth: bool, cause: &str) -> Halt {
    if cases.iter().any(|k| k.status == Status::NotActivated) {
        return Halt::new(Status::NotActivated, "路由未激活");
    }
    let judged = |k: &CaseResult| {
        k.http_status.is_some()
            && match k.kind {
                CaseKind::RouteProbe => true,
                CaseKind::NoToken | CaseKind::ForgedToken => !refuses_auth,
                _ => false,
            }
    };
    let route = if cases.iter().any(judged) {
        "路由已激活"
    } else {
        "路由未判定"
    };
    let mut facts = vec![route];
    let auth_cases: Vec<&CaseResult> = cases
        .iter()
        .filter(|k| matches!(k.kind, CaseKind::NoToken | CaseKind::ForgedToken))
        .collect();
    if c.needs_auth() {
        let not_enforced = auth_cases.iter().any(|k| {
            k.findings
                .iter()
                .any(|f| f.check == CheckKind::AuthNotEnforced)
        });
        facts.push(if not_enforced {
            "鉴权未生效"
        } else if auth_cases.iter().all(|k| k.status == Status::Passed) {
            "鉴权正常"
        } else {
            "鉴权有问题"
        });
    }
    facts.push("业务校验未执行");
    let summary = format!("{} ({cause})", facts.join(" · "));
    if cases.iter().any(|k| k.status == Status::Failed) {
        Halt::new(Status::Failed, summary)
    } else {
        Halt::new(Status::Blocked, format!("阻塞: {summary}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(path: &str, auth: &str, example_params: Value) -> Contract {
        serde_json::from_value(json!({
            "id": "m.x", "method": "GET", "path": path, "phase": 1, "module": "m", "name": "x",
            "auth": auth,
            "response": {"data": {}},
            "example": {"request": {"path_params": example_params, "query": {"page": 1}},
                        "response": {"code": 0, "message": "ok", "data": {}}}
        }))
        .expect("a valid contract")
    }

    fn case(kind: CaseKind, status: Status, http: Option<u16>) -> CaseResult {
        let mut k = CaseResult::without_request("c", kind, "m.x", "GET /x", status, String::new());
        k.reason = None;
        k.http_status = http;
        k
    }

    #[test]
    fn placeholders_keep_the_shape_of_the_example_and_the_rest_of_the_request() {
        let c = contract(
            "/orders/{orderId}/items/{itemId}/{uid}",
            "user",
            json!({"orderId": "ORD1", "itemId": 7, "uid": "123e4567-e89b-12d3-a456-426614174000"}),
        );
        let p = placeholder_parts(&c);
        assert_eq!(
            p.path_params,
            Some(
                json!({"orderId": PLACEHOLDER_ID, "itemId": 999_999_999, "uid": PLACEHOLDER_UUID})
            )
        );
        assert_eq!(p.query, Some(json!({"page": 1})));
        assert_eq!(
            placeholder_parts(&contract("/cities", "none", json!({}))).path_params,
            None
        );
    }

    #[test]
    fn a_blocked_endpoint_says_what_was_established_and_why() {
        let c = contract("/orders/{id}", "user", json!({"id": "O1"}));
        let cases = [
            case(CaseKind::NoToken, Status::Passed, Some(401)),
            case(CaseKind::ForgedToken, Status::Passed, Some(401)),
        ];
        let halt = established(&c, &cases, false, "准备步骤 cities 未返回 data[0].id");
        assert_eq!(halt.status, Status::Blocked);
        assert_eq!(
            halt.reason.as_deref(),
            Some(
                "阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 cities 未返回 data[0].id)"
            )
        );
    }

    #[test]
    fn a_backend_that_refuses_tokens_before_routing_leaves_the_route_open_without_a_probe() {
        let c = contract("/orders/{id}", "user", json!({"id": "O1"}));
        let cases = [
            case(CaseKind::NoToken, Status::Passed, Some(401)),
            case(CaseKind::ForgedToken, Status::Passed, Some(401)),
        ];
        let halt = established(&c, &cases, true, "登录失败");
        assert!(halt
            .reason
            .unwrap()
            .starts_with("阻塞: 路由未判定 · 鉴权正常"));
        let mut with_probe = cases.to_vec();
        with_probe.push(case(CaseKind::RouteProbe, Status::Passed, Some(404)));
        let halt = established(&c, &with_probe, true, "登录失败");
        assert!(halt.reason.unwrap().starts_with("阻塞: 路由已激活"));
    }

    #[test]
    fn an_unmounted_route_is_exact_and_an_unenforced_auth_fails() {
        let c = contract("/orders/{id}", "user", json!({"id": "O1"}));
        let gone = [case(CaseKind::NoToken, Status::NotActivated, Some(404))];
        assert_eq!(
            established(&c, &gone, false, "x"),
            Halt::new(Status::NotActivated, "路由未激活")
        );
        let mut open = case(CaseKind::NoToken, Status::Failed, Some(200));
        open.findings.push(crate::result::Finding::new(
            CheckKind::AuthNotEnforced,
            "the request was served without a valid token",
        ));
        let halt = established(&c, &[open], false, "x");
        assert_eq!(halt.status, Status::Failed);
        assert!(halt.reason.unwrap().contains("鉴权未生效"));
    }

    #[test]
    fn an_endpoint_without_auth_names_no_auth_fact() {
        let c = contract("/cities", "none", json!({}));
        let halt = established(
            &c,
            &[case(CaseKind::RouteProbe, Status::Passed, Some(200))],
            false,
            "x",
        );
        assert_eq!(
            halt.reason.as_deref(),
            Some("阻塞: 路由已激活 · 业务校验未执行 (x)")
        );
    }

    #[test]
    fn uuids_are_recognised_by_shape() {
        assert!(looks_like_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!looks_like_uuid("v_001"));
        assert!(!looks_like_uuid("123e4567xe89b-12d3-a456-426614174000"));
    }
}
