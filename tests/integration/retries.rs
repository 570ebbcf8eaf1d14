//! `--retries` against a backend that fails once: what passes on a retry is flaky and says what its
//! first attempt found, in the terminal, JUnit (`<flakyFailure>`, and `<rerunFailure>` for what still
//! fails, as surefire and nextest write them), markdown and HTML, and the summary counts the retries.

use crate::cli::{cli, output};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A backend on loopback: `GET /api/v1/f/flip` answers 500 the first time and correctly after,
/// `GET /api/v1/f/broken` always answers a wrong type, anything else the catch-all's 404.
struct FlakyServer {
    base_url: String,
}

impl FlakyServer {
    fn start() -> FlakyServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base_url = format!("http://{}/api/v1", listener.local_addr().expect("addr"));
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        // The thread ends with the test process; every answer closes its connection.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let hits = hits.clone();
                std::thread::spawn(move || answer(stream, &hits));
            }
        });
        FlakyServer { base_url }
    }
}

fn answer(mut stream: std::net::TcpStream, hits: &Mutex<HashMap<String, usize>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let seen = {
        let mut hits = hits.lock().expect("hits");
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let ok = json!({"code": 0, "message": "ok", "data": {"id": "i_1", "name": "n"}});
    let (status, body) = match (path.as_str(), seen) {
        ("/api/v1/f/flip", 1) => (500, json!({"code": 500, "message": "boom"})),
        ("/api/v1/f/flip", _) => (200, ok),
        ("/api/v1/f/broken", _) => (
            200,
            json!({"code": 0, "message": "ok", "data": {"id": 7, "name": "n"}}),
        ),
        _ => (404, json!({"code": 404, "message": "接口不存在"})),
    };
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A project with the two endpoints, no auth.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("contracts/f")).expect("mkdir");
    std::fs::write(
        root.join("daodao-check.toml"),
        "[run]\njobs = 2\ntimeout_ms = 5000\n[sms]\nsource = \"fixed\"\nvalue = \"123456\"\n",
    )
    .expect("config");
    std::fs::write(
        root.join("contracts/plan.toml"),
        "prefix = \"/api/v1\"\n\n[[module]]\nid = \"f\"\nname = \"不稳定后端\"\n\n[[phase]]\nnumber = 1\n\
         name = \"不稳定\"\ntable_name = \"不稳定\"\npriority = 5\nmodules = [\"f\"]\nendpoints = [\n\
         { endpoint = \"GET /api/v1/f/flip\", name = \"flip\", module = \"f\" },\n\
         { endpoint = \"GET /api/v1/f/broken\", name = \"broken\", module = \"f\" },\n]\n",
    )
    .expect("plan");
    for name in ["flip", "broken"] {
        let contract = json!({
            "id": format!("f.{name}"), "method": "GET", "path": format!("/f/{name}"), "phase": 1,
            "module": "f", "name": name, "auth": "none",
            "response": {"data": {"type": "object", "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}},
            "example": {"response": {"code": 0, "message": "ok", "data": {"id": "i_1", "name": "n"}}}
        });
        std::fs::write(
            root.join(format!("contracts/f/{name}.json")),
            serde_json::to_string_pretty(&contract).expect("json"),
        )
        .expect("contract");
    }
    dir
}

fn endpoint<'a>(result: &'a Value, id: &str) -> &'a Value {
    result["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn a_pass_on_a_retry_is_flaky_everywhere_with_its_first_finding() {
    let server = FlakyServer::start();
    let dir = project();
    let (code, out, err) = output(cli(dir.path()).args([
        "run",
        "--module",
        "f",
        "--retries",
        "1",
        "--base-url",
        &server.base_url,
        "--report",
        "junit=out/junit.xml",
        "--report",
        "markdown=out/report.md",
        "--report",
        "html=out/report.html",
    ]));
    assert_eq!(code, 1, "broken still fails: {out}{err}");
    assert!(
        out.contains("⚠ flaky 不稳定  GET /api/v1/f/flip  flip  passed on attempt 2 (attempt 1: 正常请求: server_error: HTTP 500 on a valid request)"),
        "{out}"
    );
    assert!(out.contains(" · 2 retried (1 flaky) · "), "{out}");

    let result: Value =
        serde_json::from_str(&read(dir.path(), "reports/last-run.json")).expect("JSON");
    assert_eq!(result["summary"]["retried"], 2);
    assert_eq!(result["summary"]["flaky"], 1);
    let flip = endpoint(&result, "f.flip");
    assert_eq!(
        (flip["status"].as_str(), flip["attempts"].as_u64()),
        (Some("passed"), Some(2))
    );
    let first = &flip["earlier_attempts"][0];
    assert_eq!(first["status"], "failed");
    assert_eq!(first["cases"][0]["findings"][0]["check"], "server_error");
    assert!(
        first["cases"][0].get("response").is_none(),
        "no excerpts for earlier attempts"
    );
    let broken = endpoint(&result, "f.broken");
    assert_eq!(
        (broken["status"].as_str(), broken["attempts"].as_u64()),
        (Some("failed"), Some(2))
    );

    let junit = read(dir.path(), "out/junit.xml");
    let doc = roxmltree::Document::parse(&junit).expect("JUnit parses");
    let testcase = |name: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("testcase")
                    && n.attribute("name").is_some_and(|a| a.starts_with(name))
            })
            .unwrap_or_else(|| panic!("no testcase {name}"))
    };
    let children = |n: roxmltree::Node| -> Vec<String> {
        n.children()
            .filter(|c| c.is_element())
            .map(|c| c.tag_name().name().to_string())
            .collect()
    };
    let flip = testcase("GET /api/v1/f/flip");
    assert_eq!(children(flip), ["flakyFailure"], "{junit}");
    let flaky = flip
        .children()
        .find(|c| c.has_tag_name("flakyFailure"))
        .expect("flaky");
    assert_eq!(flaky.attribute("type"), Some("server_error"));
    assert!(
        flaky
            .attribute("message")
            .is_some_and(|m| m.starts_with("attempt 1: server_error")),
        "{junit}"
    );
    let broken = testcase("GET /api/v1/f/broken");
    assert_eq!(children(broken), ["failure", "rerunFailure"], "{junit}");

    let markdown = read(dir.path(), "out/report.md");
    assert!(markdown.contains("## 不稳定 (重试后通过, 1)"), "{markdown}");
    assert!(
        markdown.contains("| `GET /api/v1/f/flip` | flip | 第 2 次 | 正常请求: server\\_error: HTTP 500 on a valid request |"),
        "{markdown}"
    );
    let html = read(dir.path(), "out/report.html");
    let section = &html[html
        .find("<section id=\"flaky\">")
        .expect("a flaky section")..];
    let section = &section[..section.find("</section>").expect("its end")];
    assert!(
        section.contains("<code>GET /api/v1/f/flip</code>")
            && section.contains("正常请求: server_error: HTTP 500 on a valid request"),
        "{section}"
    );
}

#[test]
fn without_retries_nothing_is_re_run_or_said() {
    let server = FlakyServer::start();
    let dir = project();
    let (code, out, _) =
        output(cli(dir.path()).args(["run", "--module", "f", "--base-url", &server.base_url]));
    assert_eq!(code, 1);
    assert!(!out.contains("retried") && !out.contains("flaky"), "{out}");
    let result: Value =
        serde_json::from_str(&read(dir.path(), "reports/last-run.json")).expect("JSON");
    assert!(result["summary"].get("retried").is_none());
    assert!(endpoint(&result, "f.flip")
        .get("earlier_attempts")
        .is_none());
}
