//! The real project (contracts, plan) loaded once for the proxy's unit tests, and exchanges to judge.

use super::observed::{Answer, Observed};
use crate::catalog::Catalog;
use crate::config::{Config, EnvSource, Overrides};
use bytes::Bytes;
use serde_json::Value;
use std::sync::OnceLock;

struct NoEnv;
impl EnvSource for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
}

/// The repository's own configuration and catalogue.
pub fn project() -> &'static (Config, Catalog) {
    static PROJECT: OnceLock<(Config, Catalog)> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = crate::config::load(root, None, &Overrides::default(), &NoEnv)
            .expect("the project's config loads");
        let catalog = Catalog::load_valid(&config).expect("the project's catalogue is valid");
        (config, catalog)
    })
}

/// The contract's example answer (a valid success).
pub fn example(id: &str) -> String {
    let (_, catalog) = project();
    catalog
        .contract(id)
        .unwrap_or_else(|| panic!("no contract {id}"))
        .example
        .response
        .to_string()
}

/// An exchange: `target` is the path with its query, answered with `status` and a JSON `body`.
pub fn exchange(method: &str, target: &str, status: u16, body: &str) -> Observed {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.to_string(), None),
    };
    Observed {
        started: chrono::DateTime::parse_from_rfc3339("2026-01-09T10:00:00+08:00").expect("a date"),
        method: method.into(),
        url: format!("http://127.0.0.1:3001{path}"),
        path,
        query,
        request_headers: vec![],
        request_body: Bytes::new(),
        form: None,
        response: Ok(Answer {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: Bytes::from(body.to_string()),
        }),
        elapsed_ms: 12.0,
    }
}

/// The same exchange with a bearer token.
pub fn with_token(mut o: Observed, token: &str) -> Observed {
    o.request_headers
        .push(("Authorization".into(), format!("Bearer {token}")));
    o
}

/// The same exchange with a JSON body.
pub fn with_json(mut o: Observed, body: Value) -> Observed {
    o.request_headers
        .push(("Content-Type".into(), "application/json".into()));
    o.request_body = Bytes::from(body.to_string());
    o
}

/// An envelope error answer.
pub fn refusal(code: i64, message: &str) -> String {
    serde_json::json!({"code": code, "message": message, "data": null}).to_string()
}
