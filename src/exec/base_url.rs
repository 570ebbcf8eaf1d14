//! A run where (nearly) every route answers like a route that does not exist says more about the base
//! URL than about the backend: `/api` instead of `/api/v1`, the API prefix twice, or a backend mounted
//! at its root. Then a route that needs nothing (a GET without a token or path parameters) is asked
//! under the likely bases, and the one that answers is suggested.

use crate::config::Config;
use crate::contract::{AuthRequirement, Contract};
use crate::http::{Client, HttpRequest};
use crate::result::{EndpointResult, RouteHint, Status};

/// A run this big, with this share of its endpoints unmounted, has a base URL problem.
const AT_LEAST: usize = 3;
const SHARE_PERCENT: usize = 80;

/// The hint, when the run's endpoints say the base URL is wrong.
pub(crate) async fn diagnose(
    client: &Client,
    config: &Config,
    contracts: &[&Contract],
    endpoints: &[EndpointResult],
) -> Option<RouteHint> {
    let ran = (endpoints.iter())
        .filter(|e| e.status != Status::Skipped)
        .count();
    let unmounted = (endpoints.iter())
        .filter(|e| e.status == Status::NotActivated)
        .count();
    if ran < AT_LEAST || unmounted * 100 < ran * SHARE_PERCENT {
        return None;
    }
    let probe = contracts
        .iter()
        .find(|c| c.method == "GET" && !c.path.contains('{') && c.auth == AuthRequirement::None)?;
    let mut answers_at = None;
    for base in candidates(&config.base_url) {
        if answers(client, config, &format!("{base}{}", probe.path)).await {
            answers_at = Some(base);
            break;
        }
    }
    Some(RouteHint {
        not_activated: unmounted,
        ran,
        base_url: config.base_url.clone(),
        probe: format!("GET {}", probe.path),
        answers_at,
    })
}

/// A success envelope, as the valid request of a route that needs nothing gets.
async fn answers(client: &Client, config: &Config, url: &str) -> bool {
    let ex = client
        .send(HttpRequest {
            method: "GET".into(),
            path: String::new(),
            url: url.to_string(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
            multipart_files: None,
            raw_body: None,
        })
        .await;
    let Ok(response) = &ex.response else {
        return false;
    };
    let code = (response.envelope())
        .and_then(|v| v.get(&config.envelope.code))
        .and_then(|c| c.as_i64());
    (200..300).contains(&response.status) && code == Some(config.envelope.success)
}

/// The bases a backend of this kind is likely mounted at, most likely first, the given one left out.
pub(crate) fn candidates(base_url: &str) -> Vec<String> {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return vec![];
    };
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/').to_string();
    let mut out = vec![];
    if path.contains("/api/v1/api/v1") {
        out.push(format!(
            "{origin}{}",
            path.replacen("/api/v1/api/v1", "/api/v1", 1)
        ));
    }
    if path.ends_with("/api") {
        out.push(format!("{origin}{path}/v1"));
    }
    if !path.contains("/api/v1") {
        out.push(format!("{origin}{path}/api/v1"));
    }
    out.push(format!("{origin}/api/v1"));
    if let Some((parent, _)) = path.rsplit_once('/') {
        out.push(format!("{origin}{parent}"));
    }
    let given = format!("{origin}{path}");
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|c| *c != given && seen.insert(c.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::candidates;

    #[test]
    fn the_likely_bases_come_first_and_the_given_one_is_never_suggested() {
        assert_eq!(
            candidates("http://127.0.0.1:3001/api"),
            [
                "http://127.0.0.1:3001/api/v1",
                "http://127.0.0.1:3001/api/api/v1",
                "http://127.0.0.1:3001"
            ]
        );
        assert_eq!(
            candidates("http://h:3001/api/v1/api/v1/"),
            ["http://h:3001/api/v1", "http://h:3001/api/v1/api"]
        );
        assert_eq!(candidates("http://h:3001"), ["http://h:3001/api/v1"]);
        assert_eq!(candidates("https://h/api/v1"), ["https://h/api"]);
        assert!(candidates("not a url").is_empty());
    }
}
