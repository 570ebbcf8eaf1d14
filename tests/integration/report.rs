//! The report formats, rendered from a result built here with fixed values.

use crate::report_support::{plan, sample, PASSWORD, PHONE, TOKEN};
use assert_cmd::Command;
use daodao_check::report::{self, Format};

fn format(name: &str) -> Format {
    name.parse().expect("a format of the list")
}

fn render(format: Format) -> String {
    report::render(&sample(), Some(&plan()), format).expect("renders")
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", render(format("markdown")));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", render(format("junit")));
}

#[test]
fn every_format_works_without_the_plan() {
    for &f in report::FORMATS {
        let text = report::render(&sample(), None, f).expect("renders");
        assert!(!text.is_empty(), "{f:?}");
    }
}

#[test]
fn no_format_shows_a_secret() {
    for &f in report::FORMATS {
        let text = render(f);
        for secret in [TOKEN, PHONE, PASSWORD, "c2VjcmV0LXRva2Vu"] {
            assert!(!text.contains(secret), "{f:?} shows {secret}");
        }
    }
    // The masked forms are what the reader gets.
    assert!(render(format("markdown")).contains("199****5678"));
}

#[test]
fn markdown_uses_the_plans_vocabulary() {
    let md = render(format("markdown"));
    for want in [
        "❌ 有问题",
        "⏳ 待开始",
        "✅ 已完成",
        "阶段一 测试结果: 1/3 接口测试通过 (微信授权登录: 需小程序环境: 微信授权码 (wx.login 的 code) 只能在小程序内获取)",
        "`/data/nickname`",
        "| 用户认证模块 (auth) |",
    ] {
        assert!(md.contains(want), "missing {want:?}");
    }
    // Table cells cannot be broken by the text in them; markup is shown, not rendered (the
    // excerpts are in fenced code blocks, where Markdown shows it as text).
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert!(!line.contains('<'), "raw markup in a table row: {line}");
    }
    assert!(md.contains("&lt;b&gt;"));
}

/// Parses the JUnit XML with roxmltree (an XML reader independent of the writer) and checks the
/// structure CI consumers rely on: testsuites > testsuite (one per phase) > testcase, the counts
/// on every element agreeing with the children, failure/error/skipped children with messages.
#[test]
fn junit_parses_and_counts_agree() {
    let result = sample();
    let xml = render(format("junit"));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let num = |n: roxmltree::Node, a: &str| -> usize {
        n.attribute(a)
            .unwrap_or_else(|| panic!("{} has no {a}", n.tag_name().name()))
            .parse()
            .expect("a number")
    };
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<_> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(
        names,
        [
            "环境准备",
            "阶段一 核心认证模块",
            "阶段二 房车租赁核心流程",
            "准备步骤"
        ]
    );
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for s in &suites {
        let cases: Vec<_> = s
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let count = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|x| x.has_tag_name(tag)))
                .count()
        };
        assert_eq!(num(*s, "tests"), cases.len());
        assert_eq!(num(*s, "failures"), count("failure"));
        assert_eq!(num(*s, "errors"), count("error"));
        assert_eq!(num(*s, "skipped"), count("skipped"));
        for c in &cases {
            assert!(c.attribute("name").is_some_and(|n| !n.is_empty()));
            assert!(c.attribute("classname").is_some());
            for child in c.children().filter(|x| x.is_element()) {
                if ["failure", "error", "skipped"].contains(&child.tag_name().name()) {
                    assert!(
                        child.attribute("message").is_some_and(|m| !m.is_empty()),
                        "{} without a message",
                        child.tag_name().name()
                    );
                }
            }
        }
        tests += cases.len();
        failures += count("failure");
        errors += count("error");
        skipped += count("skipped");
    }
    assert_eq!(num(root, "tests"), tests);
    assert_eq!(num(root, "failures"), failures);
    assert_eq!(num(root, "errors"), errors);
    assert_eq!(num(root, "skipped"), skipped);
    // One testcase per request of an endpoint check, plus one for the endpoint when it has none or
    // when none of them shows its failure (blocked after the data-free checks passed); one per
    // scenario step; one per setup step, once for all its users.
    let endpoint_tests = |e: &daodao_check::result::EndpointResult| {
        let shown = e.cases.iter().any(|k| k.status.is_failure());
        e.cases.len() + usize::from(e.cases.is_empty() || (e.status.is_failure() && !shown))
    };
    let expected: usize = result.endpoints.iter().map(endpoint_tests).sum::<usize>()
        + result
            .scenarios
            .iter()
            .map(|s| s.steps.len().max(1))
            .sum::<usize>()
        + result.setups.len();
    assert_eq!(tests, expected);
    assert_eq!(skipped, 1);
    assert_eq!(
        errors, 3,
        "the two blocked endpoints and the error are errors"
    );
    let blocked = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name") == Some("GET /api/v1/orders/{orderId}")
        })
        .expect("the blocked endpoint is a testcase of its own");
    let error = blocked
        .children()
        .find(|n| n.has_tag_name("error"))
        .expect("blocked is an error");
    assert!(error
        .attribute("message")
        .is_some_and(|m| m.starts_with("阻塞: 路由已激活 · 鉴权正常")));
    let setup = suites[3]
        .children()
        .find(|n| n.attribute("name") == Some("准备步骤 order · POST /api/v1/orders"))
        .expect("the failed setup step");
    let failure = setup
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("not activated is a failure");
    assert!(failure
        .text()
        .is_some_and(|t| t.starts_with("被 2 个接口使用: orders.orderId, orders.orderNo.status")));
    // The escaped text reads back as it was.
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("schema"))
        .expect("the schema failure");
    assert!(failure
        .attribute("message")
        .is_some_and(|m| m.contains("/data/nickname") && m.contains("<b>")));
    assert!(failure
        .text()
        .is_some_and(|t| t.contains("<script>alert('x')</script>")));
}

/// A real JUnit consumer, where one is installed: python's junitparser (`pip install junitparser`).
#[test]
fn junit_reads_in_junitparser_when_installed() {
    let has = std::process::Command::new("python3")
        .args(["-c", "import junitparser"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        eprintln!(
            "notice: python3 with junitparser is not installed; skipping (pip install junitparser)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, render(format("junit"))).expect("write");
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
tests = failures = errors = skipped = 0
for suite in xml:
    for case in suite:
        tests += 1
        for r in case.result:
            if isinstance(r, Failure): failures += 1
            elif isinstance(r, Error): errors += 1
            elif isinstance(r, Skipped): skipped += 1
print(tests, failures, errors, skipped)
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // 22 testcases: 16 of endpoint checks (the two blocked endpoints' data-free cases and each
    // blocked endpoint itself among them, two derived negative inputs), 3 scenario steps, 3 setup
    // steps. 7 failures (the two schema cases, the negative input that crashed, the not_activated
    // case, the scenario step, the two failed setups), 3 errors (two blocked, one error), 1 skip.
    assert_eq!(counts, "22 7 3 1");
}

#[test]
fn html_is_self_contained_and_escaped() {
    let html = render(format("html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
    // Nothing is fetched: no external scripts, styles, images or links.
    for bad in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(bad), "the HTML references `{bad}`");
    }
    // The excerpt's markup is shown, not run.
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!html.contains("<b>"));
    // The pieces the issue asks for.
    for want in [
        "id=\"endpoint-table\" class=\"sortable\"",
        "<details class=\"failure\"",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"latency-chart\"",
        "class=\"budget\"",
        "class=\"bar\"",
        "id=\"endpoints-passed\">2<",
        "<section id=\"setups\">",
        "<section id=\"root-causes\">",
        "<tr class=\"decision\">",
        "<code>/data/list/*/isHot</code> (5 项)",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    // The endpoint over budget is drawn as over.
    assert!(html.contains("class=\"over\""));
}

#[test]
fn report_specs_parse_and_fail_clearly() {
    let ok = report::parse_specs(&["junit=out/j.xml".into(), "md=r.md".into()]).expect("parses");
    assert_eq!(ok[0].0, format("junit"));
    assert_eq!(ok[1].0, format("markdown"));
    let e = report::parse_specs(&["pdf=x.pdf".into()]).expect_err("unknown format");
    let msg = e.to_string();
    assert!(
        msg.contains("unknown report format `pdf`") && msg.contains("markdown, junit, html, json"),
        "{msg}"
    );
    let e = report::parse_specs(&["junit".into()]).expect_err("no path");
    assert!(e.to_string().contains("expected FORMAT=PATH"), "{e}");
    let e = report::parse_specs(&["junit=".into()]).expect_err("empty path");
    assert!(e.to_string().contains("empty"), "{e}");
}

fn write_sample(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("last-run.json");
    sample().write(&p).expect("write the sample");
    p
}

#[test]
fn report_command_writes_each_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write_sample(dir.path());
    for &f in report::FORMATS {
        let out = dir.path().join(format!("out/report.{}", f.name()));
        Command::cargo_bin("daodao-check")
            .expect("binary")
            .current_dir(dir.path())
            .args(["report", "--format", f.name(), "--input"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let text = std::fs::read_to_string(&out).expect("written");
        assert!(!text.is_empty());
        if f.name() == "json" {
            let back: daodao_check::result::RunResult =
                serde_json::from_str(&text).expect("the json report is the result model");
            assert_eq!(back.summary.endpoints, sample().summary.endpoints);
        }
    }
    // Standard output when there is no --out.
    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(dir.path())
        .args(["report", "--input"])
        .arg(&input)
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# daodao-check 联调测试报告"));
}

#[test]
fn report_command_rejects_an_unknown_format_and_a_missing_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write_sample(dir.path());
    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(dir.path())
        .args(["report", "--format", "pdf", "--input"])
        .arg(&input)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pdf") && err.contains("markdown"), "{err}");

    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(dir.path())
        .args(["report", "--input", "nope.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.json"));
}

#[test]
fn requested_reports_are_written_atomically() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("daodao-check.toml"), "").expect("config");
    let config = daodao_check::config::load(
        dir.path(),
        None,
        &Default::default(),
        &daodao_check::config::ProcessEnv,
    )
    .expect("config loads");
    let j = dir.path().join("r/junit.xml");
    let h = dir.path().join("r/report.html");
    std::fs::create_dir_all(dir.path().join("r")).expect("dir");
    std::fs::write(&j, "old").expect("old file");
    let wanted = report::parse_specs(&[
        format!("junit={}", j.display()),
        format!("html={}", h.display()),
    ])
    .expect("specs parse");
    let plan = daodao_check::plan::Plan::load(&config.contracts_dir).ok();
    for (format, path) in &wanted {
        report::write_one(&sample(), plan.as_ref(), *format, path).expect("writes");
    }
    assert!(std::fs::read_to_string(&j)
        .expect("junit")
        .starts_with("<?xml"));
    assert!(std::fs::read_to_string(&h)
        .expect("html")
        .starts_with("<!DOCTYPE html>"));
    // No temp files left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("r"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // A bad spec is refused as a whole, before anything is written (the CLI parses before the run).
    let k = dir.path().join("r/k.md");
    let e = report::parse_specs(&[format!("markdown={}", k.display()), "nope=x".into()])
        .expect_err("unknown format");
    assert!(e.to_string().contains("nope"));
}

/// The sample run with one security finding on its first failing case: an endpoint that let another
/// account read a record, and a SQL message, with markup in the server's text.
fn with_security_findings() -> daodao_check::result::RunResult {
    use daodao_check::result::{CheckKind, Finding, Status};
    let mut result = sample();
    let case = (result.endpoints.iter_mut().flat_map(|e| &mut e.cases))
        .find(|k| k.status == Status::Failed)
        .expect("a failing case");
    case.findings.push(
        Finding::new(
            CheckKind::Isolation,
            "served to an account that does not own the record",
        )
        .expected("403 或 404", "0"),
    );
    case.findings.push(
        Finding::new(
            CheckKind::Leakage,
            "the response carries internal text (SQL 错误)",
        )
        .at("/message")
        .expected("no internal text", "Unknown column '<b>x</b>'"),
    );
    result
}

#[test]
fn every_human_format_shows_the_security_group_first() {
    let result = with_security_findings();
    let plan = plan();
    let render = |name: &str| report::render(&result, Some(&plan), format(name)).expect("renders");
    let md = render("markdown");
    let security = md.find("## 安全 (2 项)").expect("a 安全 section");
    assert!(
        security < md.find("## 阶段进度").expect("the phases"),
        "{md}"
    );
    assert!(md.contains("### isolation 越权 (1)") && md.contains("### leakage 信息泄露 (1)"));
    let html = render("html");
    let header_end = html.find("</header>").expect("the header");
    let security = html
        .find("<section id=\"security\">")
        .expect("a 安全 section");
    let counts = header_end + html[header_end..].find("<table").expect("the counts table");
    assert!(header_end < security && security < counts, "{html}");
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
    assert!(!html.contains("<b>x</b>"), "the server's markup is escaped");
    let text = render("terminal");
    let security = text.find("安全 (2 项)").expect("a 安全 block");
    assert!(
        security < text.find("✗ failed").expect("the details"),
        "{text}"
    );
    // A run without security findings has no such group.
    let plain = report::render(&sample(), Some(&plan), format("markdown")).expect("renders");
    assert!(!plain.contains("## 安全"));
}
