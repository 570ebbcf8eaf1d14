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
            CaseKind::NoToken | CaseKind::ForgedToken => {
                input.fingerprint.is_some_and(|fp| !fp.refuses_auth)
            }
            CaseKind::MissingRequired | CaseKind::ErrorCase => false,
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
