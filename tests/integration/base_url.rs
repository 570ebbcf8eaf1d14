//! A run against the right backend under the wrong base URL: nearly every route answers like a route
//! that does not exist, and the run says which base answers instead (or that none of the likely ones
//! does), in the terminal, the JSON result and the markdown report.

use crate::cli::{cli, output};
use crate::common;
use daodao_check::sandbox::{self, Options, Sandbox};
use std::sync::Arc;

/// The sandbox, listening; its runtime must outlive the runs.
fn sandbox_at(dir: &std::path::Path) -> (tokio::runtime::Runtime, sandbox::Running) {
    let runtime = common::runtime();
    let config = common::config_for(dir, "http://127.0.0.1:1/api/v1", "");
    let catalog = common::catalog(&config);
    let server = Sandbox::new(catalog, &config.contracts_dir, Options::default()).expect("sandbox");
    let running = runtime
        .block_on(sandbox::start(Arc::new(server), ([127, 0, 0, 1], 0).into()))
        .expect("listens");
    (runtime, running)
}

fn hint_of(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("reports/last-run.json")).expect("result");
    let result: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    result["route_hint"].clone()
}

#[test]
fn a_base_url_without_its_version_is_found_and_the_right_one_suggested() {
    let dir = common::real_project();
    let (_runtime, running) = sandbox_at(dir.path());
    let right = running.base_url("/api/v1");
    let wrong = running.base_url("/api");
    let report = dir.path().join("r.md");
    let (code, out, err) = output(cli(dir.path()).args([
        "phase",
        "4",
        "--base-url",
        &wrong,
        "--report",
        &format!("markdown={}", report.display()),
    ]));
    assert_eq!(code, 1, "{out}\n{err}");
    let line = format!("在 {right} 下有正常应答, 试试 --base-url {right}");
    assert!(out.contains(&line), "{out}");
    // Said last, by the verdict, where it stays on screen.
    let tail: Vec<&str> = out.lines().rev().take(3).collect();
    assert!(tail.iter().any(|l| l.contains(&line)), "{tail:?}");
    let hint = hint_of(dir.path());
    assert_eq!(hint["answers_at"], right.as_str());
    assert_eq!(hint["base_url"], wrong.as_str());
    assert_eq!(hint["not_activated"], hint["ran"]);
    let md = std::fs::read_to_string(&report).expect("markdown");
    assert!(md.contains(&line), "{md}");
    // -q keeps it: it decides what to do next.
    let (_, quiet, _) = output(cli(dir.path()).args(["phase", "4", "-q", "--base-url", &wrong]));
    assert!(quiet.contains(&line), "{quiet}");
    // Under the right base the same run has nothing to say about it.
    let (code, out, _) = output(cli(dir.path()).args(["phase", "4", "--base-url", &right]));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("可能有误"), "{out}");
    assert!(hint_of(dir.path()).is_null());
}

#[test]
fn when_no_likely_base_answers_the_run_says_so_and_suggests_none() {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let dir = common::real_project();
    let runtime = common::runtime();
    // A server that knows no route at all, under any prefix.
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(404)
                    .set_body_json(serde_json::json!({"code": 404, "message": "接口不存在"})),
            )
            .mount(&server)
            .await;
        server
    });
    let base = format!("{}/api", server.uri());
    let (code, out, _) = output(cli(dir.path()).args(["phase", "4", "--base-url", &base]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("在常见的其他 base URL 下也无应答, 请确认后端挂载路由的前缀"),
        "{out}"
    );
    assert!(hint_of(dir.path())["answers_at"].is_null());
}
