//! The HTML report in a real headless browser (Debian's chromium: `apt-get install chromium`;
//! `fonts-noto-cjk` for readable screenshots). Skipped, with a notice, where /usr/bin/chromium is
//! absent. Set DAODAO_CHROMIUM to use another binary.

use crate::report_support::{plan, sample};
use daodao_check::report;
use daodao_check::result::{RunResult, Status};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("DAODAO_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    p.exists().then_some(p)
}

/// Runs headless chromium with `args`, killed if it takes longer than a minute.
fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait().expect("wait") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("chromium did not finish within 60 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let out = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The attributes of the element whose opening tag starts with `start`.
fn attrs(dom: &str, start: &str) -> Vec<(String, String)> {
    let at = dom
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the DOM"));
    let tag = &dom[at..at + dom[at..].find('>').expect("tag end")];
    let re = regex::Regex::new(r#"([\w-]+)="([^"]*)""#).expect("re");
    re.captures_iter(tag)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

fn attr(list: &[(String, String)], name: &str) -> Option<usize> {
    list.iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn text_of_id(dom: &str, id: &str) -> String {
    let start = format!("id=\"{id}\">");
    let at = dom
        .find(&start)
        .unwrap_or_else(|| panic!("#{id} not in the DOM"))
        + start.len();
    dom[at..at + dom[at..].find('<').expect("end")].to_string()
}

#[test]
fn the_html_report_renders_in_chromium_with_the_jsons_numbers() {
    let Some(bin) = chromium() else {
        eprintln!(
            "notice: no chromium at /usr/bin/chromium (or DAODAO_CHROMIUM); skipping the browser test (apt-get install chromium)"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let result: RunResult = sample();
    // Through the JSON, as the report command reads it.
    let json = dir.path().join("last-run.json");
    result.write(&json).expect("json");
    let result = RunResult::read(&json).expect("reads back");
    let html = dir.path().join("report.html");
    std::fs::write(
        &html,
        report::render(&result, Some(&plan()), "html".parse().expect("a format")).expect("html"),
    )
    .expect("write");
    let url = format!("file://{}", html.display());
    let profile = dir.path().join("profile");

    let dom = run_chromium(&bin, &profile, &["--dump-dom".into(), url.clone()]);
    // The script ran, and what the page shows is what the JSON says.
    let check = attrs(&dom, "<div id=\"dom-check\"");
    assert_eq!(
        check
            .iter()
            .find(|(k, _)| k == "data-ready")
            .map(|(_, v)| v.as_str()),
        Some("yes"),
        "the page's script did not run"
    );
    assert_eq!(attr(&check, "data-rows"), Some(result.endpoints.len()));
    for s in Status::ALL {
        let shown = attr(&check, &format!("data-{}", s.as_str())).unwrap_or(0);
        assert_eq!(
            shown,
            result.summary.endpoints.get(s),
            "rows {}",
            s.as_str()
        );
        for (key, counts) in [
            ("endpoints", &result.summary.endpoints),
            ("scenarios", &result.summary.scenarios),
        ] {
            let cell = text_of_id(&dom, &format!("{key}-{}", s.as_str()));
            assert_eq!(cell, counts.get(s).to_string(), "{key} {}", s.as_str());
        }
    }
    let failing = result
        .endpoints
        .iter()
        .filter(|e| e.status.is_failure())
        .count()
        + result
            .scenarios
            .iter()
            .filter(|s| s.status.is_failure())
            .count();
    assert_eq!(attr(&check, "data-failures"), Some(failing));
    assert_eq!(
        text_of_id(&dom, "test-result"),
        format!(
            "测试结果: {}/{} 接口测试通过",
            result.summary.endpoints.passed, result.summary.endpoints.total
        )
    );
    // Escaped text stays text: no element was made from the excerpts.
    assert!(!dom.contains("<script>alert"));

    // Sorting, in the browser: by latency, slowest first.
    let sorted = run_chromium(
        &bin,
        &profile,
        &["--dump-dom".into(), format!("{url}#sort=5-desc")],
    );
    let body = &sorted[sorted.find("id=\"endpoint-table\"").expect("table")..];
    let body = &body[..body.find("</tbody>").expect("tbody end")];
    let re = regex::Regex::new(r#"<td class="num" data-value="([^"]*)">"#).expect("re");
    let values: Vec<f64> = re
        .captures_iter(body)
        .map(|c| c[1].parse().unwrap_or(f64::INFINITY))
        .collect();
    assert_eq!(values.len(), result.endpoints.len());
    let measured: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    assert!(
        measured.windows(2).all(|w| w[0] >= w[1]),
        "not sorted: {values:?}"
    );
    assert_eq!(measured.first().copied(), Some(2500.0));

    // It draws: a screenshot of a real size.
    let png = dir.path().join("report.png");
    run_chromium(
        &bin,
        &profile,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,1800".into(),
            url,
        ],
    );
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "screenshot is {size} bytes");
    if let Some(keep) = std::env::var_os("DAODAO_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).expect("keep the screenshot");
    }
}
