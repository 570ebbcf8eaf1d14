//! Route activation: the backend's answer for a path that cannot exist is learnt at the start of a run;
//! a response that looks like that answer means the route is not mounted, not a business 404.

use super::{CaseKind, Check, CheckInput, CheckKind, Finding};
use crate::exec::http::Exchange;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone)]
pub struct RouteFingerprint {
    pub status: u16,
    /// The catch-all's body with the path, method and digits normalised away.
    pub body: String,
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
    /// Learns the fingerprint from the answer to a probe request.
    pub fn learn(probe: &Exchange) -> Option<RouteFingerprint> {
        let resp = probe.response.as_ref().ok()?;
        Some(RouteFingerprint {
            status: resp.status,
            body: normalise(&resp.text, &probe.request.method, &probe.request.url),
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
        // Error cases may legitimately answer 404; activation is judged on requests that should succeed.
        if !matches!(
            input.case,
            CaseKind::Happy | CaseKind::Setup | CaseKind::Step
        ) {
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
    use crate::exec::http::TransportErrorKind;

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
        RouteFingerprint::learn(&probe).expect("the probe was answered")
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
        for kind in [
            CaseKind::NoToken,
            CaseKind::ForgedToken,
            CaseKind::MissingRequired,
            CaseKind::ErrorCase,
        ] {
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
}
