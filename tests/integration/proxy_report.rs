//! What `check-har` (and the proxy) prints and reports for a DevTools export: the live lines, the
//! terminal report with its 联调覆盖 section, and the same section in Markdown, HTML and JUnit.

use crate::common;
use daodao_check::proxy::{check_har, Live};
use daodao_check::report::{self, terminal, Style, View};
use daodao_check::result::RunResult;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A `Write` the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn entry(
    at: &str,
    method: &str,
    url: &str,
    request: Option<Value>,
    status: u16,
    answer: &str,
) -> Value {
    let mut req = json!({"method": method, "url": url, "httpVersion": "HTTP/1.1",
        "headers": [{"name": "Authorization", "value": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}],
        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0});
    if let Some(body) = request {
        req["postData"] = json!({"mimeType": "application/json", "text": body.to_string()});
    }
    json!({"startedDateTime": format!("2026-01-09T10:{at}.000+08:00"), "time": 42.0, "request": req,
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [],
            "cookies": [], "content": {"size": answer.len(), "mimeType": "application/json", "text": answer},
            "redirectURL": "", "headersSize": -1, "bodySize": -1},
        "cache": {}, "timings": {"send": 0, "wait": 42, "receive": 0}})
}

fn example(id: &str) -> String {
    let dir = common::repo().join("contracts");
    let (module, name) = id.split_once('.').expect("module.name");
    let text =
        std::fs::read_to_string(dir.join(module).join(format!("{name}.json"))).expect("contract");
    let c: Value = serde_json::from_str(&text).expect("JSON");
    c["example"]["response"].to_string()
}

/// A DevTools export of a short session: a page, a list that passes, an order with a bad body, a
/// detail whose answer breaks its schema, the base path twice.
fn devtools_export() -> Value {
    let base = "http://localhost:3000/api/v1";
    let mut broken: Value = serde_json::from_str(&example("orders.statuses")).expect("JSON");
    broken["data"][0]["label"] = json!(1);
    json!({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [
        entry("00:00", "GET", "http://localhost:3000/index.html", None, 200, "<html></html>"),
        entry("00:01", "GET", &format!("{base}/stores/cities"), None, 200, &example("stores.cities")),
        entry("00:02", "POST", &format!("{base}/orders"), Some(json!({"vehicleId": 7})), 400,
              r#"{"code":400,"message":"参数错误","data":null}"#),
        entry("00:03", "GET", &format!("{base}/orders/statuses"), None, 200, &broken.to_string()),
        entry("00:04", "GET", &format!("{base}/api/v1/orders"), None, 404, "<pre>Cannot GET /api/v1/api/v1/orders</pre>"),
    ]}})
}

/// The export judged, with the facts that change from run to run fixed.
async fn judged(lines: Captured) -> RunResult {
    let dir = common::real_project();
    let path = dir.path().join("devtools.har");
    std::fs::write(&path, devtools_export().to_string()).expect("write");
    let config = common::config_for(dir.path(), "http://localhost:3000/api/v1", "");
    let catalog = common::catalog(&config);
    let live = Live {
        style: Style::PLAIN,
        quiet: false,
    };
    let finished = check_har(&config, &catalog, &path, live, Box::new(lines))
        .await
        .expect("judged");
    let mut result = finished.result;
    result.started_at = "2026-01-09T10:05:00+08:00".into();
    result.finished_at = "2026-01-09T10:05:00+08:00".into();
    result.duration_ms = 12.0;
    result.base_url = "devtools.har".into();
    if let Some(p) = result.proxy.as_mut() {
        p.source = "devtools.har".into();
    }
    result
}

#[tokio::test]
async fn the_live_lines_and_the_terminal_report_of_a_devtools_export() {
    let lines = Captured::default();
    let result = judged(lines.clone()).await;
    let live = String::from_utf8(lines.0.lock().expect("lock").clone()).expect("UTF-8");
    insta::assert_snapshot!("proxy_live_lines", live);
    let plan = &common::catalog(&common::config_for(&common::repo(), "http://x", ""))
        .plan
        .clone();
    let text = terminal::render(&View::new(&result, Some(plan)), &Style::PLAIN);
    insta::assert_snapshot!("proxy_terminal_report", text);
}

#[tokio::test]
async fn every_format_shows_the_coverage_as_its_own_table() {
    let result = judged(Captured::default()).await;
    let md = report::render(&result, None, "markdown".parse().expect("a format")).expect("md");
    let section = &md[md.find("## 联调覆盖").expect("a coverage section")..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let called: Vec<&str> = section
        .lines()
        .filter(|l| l.contains("联调通过") || l.contains("有问题"))
        .collect();
    insta::assert_snapshot!("proxy_markdown_coverage_called", called.join("\n"));
    assert_eq!(
        section.lines().filter(|l| l.contains("⬜ 未调用")).count(),
        131 - 3
    );
    assert!(section.contains("| GET /api/v1/api/v1/orders ×1 (HTTP 404) | GET /api/v1/orders 获取用户订单列表 (基础路径重复: /api/v1/api/v1) |"));
    let html = report::render(&result, None, "html".parse().expect("a format")).expect("html");
    assert_eq!(html.matches("<tr class=\"never\"").count(), 131 - 3);
    assert_eq!(html.matches("<tr class=\"failed\"").count(), 2);
    assert!(html.contains("<tr class=\"passed\" data-id=\"stores.cities\">"));
    let xml = report::render(&result, None, "junit".parse().expect("a format")).expect("xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("联调覆盖"))
        .expect("a coverage suite");
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        cases.len(),
        131 + 1,
        "a test per contract and per unregistered route"
    );
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .count();
    assert_eq!(skipped, 131 - 3);
    // The JSON of the session reads back as it was written.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("last-run.json");
    result.write(&path).expect("written");
    let back = RunResult::read(&path).expect("reads back");
    assert_eq!(back.proxy, result.proxy);
    assert_eq!(back.selection, "har");
}
