//! Route activation: the backend's answer for a path that cannot exist is learnt at the start of a run;
//! a response that looks like that answer means the route is not mounted, not a business 404.

use super::{CaseKind, Check, CheckInput, CheckKind, Finding};
use crate::http::Exchange;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone)]
pub struct RouteFingerprint {
    pub status: u16,
    /// The catch-all's body with the path, method and digits normalised away.
    pub body: String,
    /// The answer was an authentication refusal (HTTP 401 or envelope code 401): the backend checks the
    /// token before it routes, so a request refused for its token says nothing about its route.
    pub refuses_auth: bool,
}

static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+").expect("static regex"));

fn url_path(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

fn normalise(text: &str, method: &str, url: &str) -> String {
    let path = url_path(url);
    let mut t = text.to_string();
    if !path.is_empty() {
        t = t.replace(&path, "{path}");
    }
    t = t.replace(method, "{method}");
    DIGITS.replace_all(&t, "0").into_owned()
}

impl RouteFingerprint {
    /// Learns the fingerprint from the answer to a probe request; `code_field` is the envelope's code.
    pub fn learn(probe: &Exchange, code_field: &str) -> Option<RouteFingerprint> {
        let resp = probe.response.as_ref().ok()?;
        let code = resp
            .json
            .as_ref()
            .and_then(|j| j.get(code_field))
            .and_then(serde_json::Value::as_i64);
        Some(RouteFingerprint {
            status: resp.status,
            body: normalise(&resp.text, &probe.request.method, &probe.request.url),
            refuses_auth: resp.status == 401 || code == Some(401),
        })
    }

    pub fn matches(&self, ex: &Exchange) -> bool {
        match &ex.response {
            Ok(resp) => {
                resp.status == self.status
                    && normalise(&resp.text, &ex.request.method, &ex.request.url) == self.body
            }
            Err(_) => false,
        }
    }
}

pub struct Route;

impl Check for Route {
    fn kind(&self) -> CheckKind {
        CheckKind::RouteNotActivated
    }
    fn gate(&self) -> bool {
        true
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        // Error cases may legitimately answer 404; activation is judged on requests that should succeed,
        // on route probes, and on requests without a valid token (auth runs before any lookup) unless the
        // backend refuses tokens before routing, which makes those answers alike for every path.
        let judged = match input.case {
            CaseKind::Happy | CaseKind::Setup | CaseKind::Step | CaseKind::RouteProbe => true,
            // A token that must not work is refused like no token at all, before any lookup.
            CaseKind::NoToken | CaseKind::ForgedToken | CaseKind::SessionSecurity => {
                input.fingerprint.is_some_and(|fp| !fp.refuses_auth)
            }
            // A summary of exchanges is never judged itself (each exchange is, as its own kind); the
            // security cases are built to be refused, possibly with a 404 (another's record), after the
            // valid request already judged the route.
            CaseKind::MissingRequired
            | CaseKind::ErrorCase
            | CaseKind::Exchange
            | CaseKind::Isolation
            | CaseKind::MalformedInput
            | CaseKind::ClientControlled
            // A derived path may be refused by a catch-all on purpose (`../` and `%2F`).
            | CaseKind::NegativeInput => false,
        };
        if !judged {
            return vec![];
        }
        match input.fingerprint {
            Some(fp) if fp.matches(input.exchange) => {
                let status = input.exchange.response.as_ref().map_or(0, |r| r.status);
                vec![Finding::new(
                    CheckKind::RouteNotActivated,
                    format!(
                        "the backend answered {} {} like it answers a route that does not exist (HTTP {status}): the route is not activated",
                        input.exchange.request.method,
                        url_path(&input.exchange.request.url)
                    ),
                )]
            }
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{exchange, Case};
    use crate::http::TransportErrorKind;

    const HTML: &str = "text/html; charset=utf-8";

    /// Express's catch-all page for a route it does not know.
    fn express_404(method: &str, path: &str) -> String {
        format!("<pre>Cannot {method} /api/v1{path}</pre>")
    }

    /// The fingerprint learnt from the probe of a path that cannot exist.
    fn learnt() -> RouteFingerprint {
        let probe_path = "/__daodao_check_no_such_route_3f2a";
        let probe = exchange(
            "GET",
            probe_path,
            404,
            HTML,
            &express_404("GET", probe_path),
        );
        RouteFingerprint::learn(&probe, "code").expect("the probe was answered")
    }

    #[test]
    fn the_fingerprint_ignores_the_path_the_method_and_digits() {
        let fp = learnt();
        assert_eq!(fp.status, 404);
        assert_eq!(fp.body, "<pre>Cannot {method} {path}</pre>");
        let other = exchange(
            "POST",
            "/orders/42",
            404,
            HTML,
            &express_404("POST", "/orders/42"),
        );
        assert!(fp.matches(&other));
        // Digits differ from answer to answer (request ids, timestamps): they do not count.
        let counted = RouteFingerprint {
            status: 404,
            body: "request 0 failed".into(),
            refuses_auth: false,
        };
        let with_id = exchange("GET", "/items/i_1", 404, HTML, "request 98765 failed");
        assert!(counted.matches(&with_id));
    }

    #[test]
    fn a_business_404_or_another_status_is_not_the_catch_all() {
        let fp = learnt();
        let business = exchange(
            "GET",
            "/items/nope",
            404,
            "application/json",
            r#"{"code":404,"message":"商品不存在","data":null}"#,
        );
        assert!(!fp.matches(&business));
        let same_page_other_status = exchange(
            "GET",
            "/items/i_1",
            500,
            HTML,
            &express_404("GET", "/items/i_1"),
        );
        assert!(!fp.matches(&same_page_other_status));
        let no_answer = Case::new().transport_error(TransportErrorKind::Refused, "refused");
        assert!(!fp.matches(&no_answer.exchange));
    }

    #[test]
    fn a_request_that_should_succeed_answered_by_the_catch_all_is_not_activated() {
        let findings = Case::new()
            .answer_text(404, HTML, &express_404("GET", "/items/i_1"))
            .fingerprint(Some(learnt()))
            .run(&Route);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].check, CheckKind::RouteNotActivated);
        assert_eq!(
            findings[0].message,
            "the backend answered GET /api/v1/items/i_1 like it answers a route that does not exist (HTTP 404): the route is not activated"
        );
        for kind in [CaseKind::Setup, CaseKind::Step] {
            let f = Case::new()
                .kind(kind)
                .answer_text(404, HTML, &express_404("GET", "/items/i_1"))
                .fingerprint(Some(learnt()))
                .run(&Route);
            assert_eq!(f.len(), 1, "{kind:?}");
        }
    }

    #[test]
    fn error_cases_may_answer_404_and_a_mounted_route_passes() {
        // A derived path (`../` and `%2F`) may meet the catch-all on purpose.
        let refused = [
            CaseKind::MissingRequired,
            CaseKind::ErrorCase,
            CaseKind::NegativeInput,
        ];
        for kind in refused {
            let findings = Case::new()
                .kind(kind)
                .answer_text(404, HTML, &express_404("GET", "/items/i_1"))
                .fingerprint(Some(learnt()))
                .run(&Route);
            assert!(findings.is_empty(), "{kind:?}: {findings:?}");
        }
        assert!(Case::new()
            .fingerprint(Some(learnt()))
            .run(&Route)
            .is_empty());
        // Without a fingerprint (the probe learnt nothing) nothing is judged.
        assert!(Case::new()
            .answer_text(404, HTML, &express_404("GET", "/items/i_1"))
            .run(&Route)
            .is_empty());
    }

    #[test]
    fn route_probes_and_tokenless_requests_tell_an_unmounted_route() {
        // Auth runs before any lookup: a mounted route refuses a request without a token with 401,
        // so a catch-all answer to it means the route is not there.
        for kind in [
            CaseKind::RouteProbe,
            CaseKind::NoToken,
            CaseKind::ForgedToken,
        ] {
            let findings = Case::new()
                .kind(kind)
                .answer_text(404, HTML, &express_404("GET", "/items/i_1"))
                .fingerprint(Some(learnt()))
                .run(&Route);
            assert_eq!(findings.len(), 1, "{kind:?}");
        }
    }

    #[test]
    fn a_backend_that_refuses_tokens_before_routing_is_not_judged_on_tokenless_requests() {
        let probe_path = "/__daodao_check_no_such_route_3f2a";
        let refusal = r#"{"code":401,"message":"未登录","data":null}"#;
        let probe = exchange("GET", probe_path, 401, "application/json", refusal);
        let fp = RouteFingerprint::learn(&probe, "code").expect("answered");
        assert!(fp.refuses_auth);
        let enveloped = exchange("GET", probe_path, 200, "application/json", refusal);
        assert!(
            RouteFingerprint::learn(&enveloped, "code")
                .expect("answered")
                .refuses_auth,
            "an envelope 401 over HTTP 200 refuses too"
        );
        for kind in [CaseKind::NoToken, CaseKind::ForgedToken] {
            let findings = Case::new()
                .kind(kind)
                .answer_text(401, "application/json", refusal)
                .fingerprint(Some(fp.clone()))
                .run(&Route);
            assert!(findings.is_empty(), "{kind:?}: {findings:?}");
        }
    }
}
