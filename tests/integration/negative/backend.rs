//! A backend that parses its ids with `parseInt` and builds SQL from them, as a half-finished Express
//! backend does: a front on loopback that answers like it and hands every other request to the
//! embedded sandbox, whose ids are numbers there (the `id-as-number` drift: `100003`, read back as
//! numbers). A path id that `parseInt` reads as `NaN` gets the database's error about column `NaN`;
//! a `page` of 0 or less a negative `OFFSET` and a syntax error. The run must say each once.

use crate::common;
use bytes::Bytes;
use daodao_check::contract::Contract;
use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::report::{self, CauseKind, Format, View};
use daodao_check::result::{CheckKind, RunResult};
use daodao_check::sandbox::Embedded;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

/// JavaScript's `parseInt(text, 10)`: leading blanks, a sign, then digits; `None` is `NaN`.
fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let run: String = digits.chars().take_while(char::is_ascii_digit).collect();
    run.parse::<i64>().ok().map(|n| sign * n)
}

/// The path parameters of the route a request is for (literal segments win), percent-decoded.
fn path_params(routes: &[(String, String)], method: &str, path: &str) -> Option<Vec<String>> {
    let wanted: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut best: Option<(usize, Vec<String>)> = None;
    for (m, template) in routes {
        let segments: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        if m != method || segments.len() != wanted.len() {
            continue;
        }
        let mut params = vec![];
        let mut literal = 0;
        let matched = segments.iter().zip(&wanted).all(|(s, w)| {
            if s.starts_with('{') {
                let decoded = percent_encoding::percent_decode_str(w).decode_utf8_lossy();
                params.push(decoded.into_owned());
                true
            } else {
                literal += 1;
                s == w
            }
        });
        if matched && best.as_ref().is_none_or(|(l, _)| literal > *l) {
            best = Some((literal, params));
        }
    }
    best.map(|(_, params)| params)
}

fn json_reply(status: u16, body: serde_json::Value) -> Response<Full<Bytes>> {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    reply.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    reply
}

/// What the backend's database says, when a request reaches it with what `parseInt` made of it.
fn sql_error(routes: &[(String, String)], method: &str, path: &str, query: &str) -> Option<String> {
    let below = path.strip_prefix("/api/v1")?;
    let params = path_params(routes, method, below)?;
    if params.iter().any(|p| parse_int(p).is_none()) {
        return Some("ER_BAD_FIELD_ERROR: Unknown column 'NaN' in 'where clause'".into());
    }
    let fields = daodao_check::contract::params::query_fields(Some(query));
    let number = |k: &str| fields.get(k).and_then(|v| v.as_str()).and_then(parse_int);
    let page = fields.get("page").and_then(|v| v.as_str())?;
    let limit = number("limit").or(number("pageSize")).unwrap_or(20);
    let offset = (parse_int(page)? - 1) * limit;
    (offset < 0).then(|| {
        format!(
            "ER_PARSE_ERROR: You have an error in your SQL syntax; check the manual that corresponds \
             to your MySQL server version for the right syntax to use near '{offset}, {limit}' at line 1"
        )
    })
}

/// Starts the backend in front of the sandbox at `upstream`; its base URL.
async fn parse_int_backend(contracts: &[Contract], upstream: String) -> String {
    let routes: Arc<Vec<(String, String)>> = Arc::new(
        (contracts.iter())
            .map(|c| (c.method.clone(), c.path.clone()))
            .collect(),
    );
    let client = reqwest::Client::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (routes, client, upstream) = (routes.clone(), client.clone(), upstream.clone());
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let (routes, client, upstream) = (routes.clone(), client.clone(), upstream.clone());
                async move { answer(&routes, &client, &upstream, req).await }
            });
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    format!("http://{addr}/api/v1")
}

async fn answer(
    routes: &[(String, String)],
    client: &reqwest::Client,
    upstream: &str,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    if let Some(message) = sql_error(routes, &method, &path, &query) {
        return Ok(json_reply(
            500,
            json!({"code": 500, "message": message, "data": null}),
        ));
    }
    let headers = req.headers().clone();
    let body = req.into_body().collect().await?.to_bytes();
    let url = match query.is_empty() {
        true => format!("{upstream}{path}"),
        false => format!("{upstream}{path}?{query}"),
    };
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut forward = client.request(method, url).body(body.to_vec());
    for name in ["authorization", "content-type"] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            forward = forward.header(name, v);
        }
    }
    let Ok(got) = forward.send().await else {
        return Ok(json_reply(
            502,
            json!({"code": 502, "message": "upstream", "data": null}),
        ));
    };
    let status = got.status().as_u16();
    let content_type = (got.headers().get("content-type").cloned())
        .unwrap_or(hyper::header::HeaderValue::from_static("application/json"));
    let bytes = got.bytes().await.unwrap_or_default();
    let mut reply = Response::new(Full::new(bytes));
    *reply.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    reply.headers_mut().insert("content-type", content_type);
    Ok(reply)
}

/// Every endpoint of the shipped catalogue against the backend.
async fn run_against_it() -> (RunResult, Arc<daodao_check::catalog::Catalog>) {
    let mut config = common::config_for(&common::repo(), "http://127.0.0.1:1/api/v1", "");
    let catalog = common::catalog(&config);
    let numbers = Embedded {
        faults: vec!["id-as-number".into()],
        ..Embedded::default()
    };
    let _sandbox = daodao_check::sandbox::embed(&mut config, catalog.clone(), &numbers)
        .await
        .expect("sandbox starts");
    let origin = config.base_url.trim_end_matches("/api/v1").to_string();
    config.base_url = parse_int_backend(&catalog.contracts, origin).await;
    let mut runner = Runner::new(Arc::new(config), catalog.clone()).expect("runner");
    let selection = Selection {
        include_endpoints: true,
        ..Default::default()
    };
    let r = runner.run(&selection, &SilentObserver).await.expect("run");
    (r, catalog)
}

/// The endpoints where a derived input of this rule crashed the backend.
fn crashed_on(r: &RunResult, rule: &str) -> BTreeSet<String> {
    (r.endpoints.iter())
        .filter(|e| {
            (e.cases.iter()).flat_map(|k| &k.findings).any(|f| {
                f.check == CheckKind::NegativeInput
                    && f.cause.as_deref() == Some(rule)
                    && f.actual.as_deref() == Some("500")
            })
        })
        .map(|e| e.id.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_parses_ids_with_parse_int_is_one_cause_per_crash() {
    assert_eq!(parse_int(" 12abc"), Some(12));
    assert_eq!(parse_int("-3"), Some(-3));
    assert_eq!(parse_int("abc"), None);
    let (r, catalog) = run_against_it().await;
    let view = View::new(&r, Some(&catalog.plan));
    let terminal = report::render(
        &r,
        Some(&catalog.plan),
        "terminal".parse::<Format>().expect("format"),
    )
    .expect("terminal");
    let markdown = report::render(
        &r,
        Some(&catalog.plan),
        "markdown".parse::<Format>().expect("format"),
    )
    .expect("markdown");
    for (rule, at_least) in [("非数字 ID", 8), ("page=0", 5)] {
        let crashed = crashed_on(&r, rule);
        assert!(crashed.len() >= at_least, "{rule}: {crashed:?}");
        // The 500 carries the SQL text: one cause, the crash with its leak.
        let what = format!("{rule} 返回 500 · the response carries internal text (SQL 错误)");
        let lines: Vec<_> = (view.root_causes.shown.iter())
            .filter(|c| c.kind == CauseKind::Check(CheckKind::NegativeInput) && c.what == what)
            .collect();
        assert_eq!(lines.len(), 1, "{rule}: one root cause");
        let named: BTreeSet<String> = lines[0].endpoints.iter().cloned().collect();
        assert_eq!(named, crashed, "{rule}");
        let count = format!("— {} 个接口", crashed.len());
        let says =
            |text: &str, head: &str| text.lines().any(|l| l.contains(head) && l.contains(&count));
        let head = format!("negative_input {rule} 返回 500 · the response carries internal text");
        assert!(
            says(&terminal, &head),
            "terminal lacks {head} {count}:\n{terminal}"
        );
        let head = format!("`negative_input` {rule} 返回 500 · the response carries internal text");
        assert!(says(&markdown, &head), "markdown lacks {head} {count}");
    }
    // Each finding names its exact input, where it went, and reproduces it.
    let detail = (r.endpoints.iter())
        .find(|e| e.id == "vehicles.detail")
        .expect("ran");
    let case = (detail.cases.iter())
        .find(|k| k.name == "负向输入: path id = \"abc\"")
        .expect("the letters case");
    let f = &case
        .findings
        .iter()
        .find(|f| f.check == CheckKind::NegativeInput)
        .expect("found");
    assert_eq!(
        f.message,
        "path id = \"abc\": invalid input caused a server error (HTTP 500)"
    );
    assert_eq!(f.path.as_deref(), Some("/path/id"));
    assert!(
        case.curl
            .as_deref()
            .is_some_and(|c| c.contains("/vehicles/abc\"")),
        "{:?}",
        case.curl
    );
    // The SQL in the message is a leak besides, said by its own check.
    assert!(case.findings.iter().any(|f| f.check == CheckKind::Leakage));
}
