//! The terminal report's levels (`-q`, default, `-v`, `-vv`) and widths, through the CLI: snapshots
//! of a fixed result rendered by `report --format terminal` at a fixed width (`COLUMNS`, the output
//! not being a terminal), and runs against the sandbox for what only a run does.

use crate::cli::{cli, output};
use crate::common;
use crate::report_support::sample;
use daodao_check::result::{RunResult, Status};
use std::path::{Path, PathBuf};

/// The shared sample with one passed case carrying its exchange (what a `-vv` run keeps), written
/// where `report --input` reads it.
fn fixed_result(dir: &Path) -> PathBuf {
    let mut result = sample();
    let login = &mut result.endpoints[1].cases[0];
    assert_eq!(login.status, Status::Passed);
    login.request = Some("POST http://127.0.0.1:3001/api/v1/auth/login\n{\"phone\":\"199****5678\",\"password\":\"«password»\"}".into());
    login.response = Some(
        "HTTP 200\n{\"code\":0,\"message\":\"success\",\"data\":{\"token\":\"«token»\"}}".into(),
    );
    login.curl = Some("curl -sS -X POST \"http://127.0.0.1:3001/api/v1/auth/login\"".into());
    let path = dir.join("result.json");
    result.write(&path).expect("the fixture is written");
    path
}

/// `report --format terminal` of the fixed result at `columns`, with `args`, in the real project (its
/// plan names the phases and modules); its standard output.
fn rendered(columns: u16, args: &[&str]) -> String {
    let dir = common::real_project();
    let input = fixed_result(dir.path());
    let (code, out, err) = output(
        cli(dir.path())
            .env("COLUMNS", columns.to_string())
            .args(["report", "--format", "terminal", "--input"])
            .arg(&input)
            .args(args),
    );
    assert_eq!(code, 0, "{err}");
    out
}

/// Columns a line takes on a terminal: CJK and emoji count two.
pub fn display_width(line: &str) -> usize {
    line.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2B50
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1FAFF => 2,
            _ => 1,
        })
        .sum()
}

/// The lines of the text's tables (box drawing), each as wide as the terminal allows at most.
fn widest_table_line(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with(['┌', '│', '╞', '└']))
        .map(display_width)
        .max()
        .unwrap_or_default()
}

#[test]
fn quiet_is_one_line_per_failure_then_the_verdict() {
    let text = rendered(100, &["-q"]);
    insta::assert_snapshot!("quiet", text);
    let result = sample();
    let failures = result
        .endpoints
        .iter()
        .map(|e| e.status)
        .chain(result.scenarios.iter().map(|s| s.status))
        .filter(|s| s.is_failure())
        .count();
    assert_eq!(text.lines().count(), failures + 1, "{text}");
}

#[test]
fn the_default_level_puts_details_first_and_the_tables_and_verdict_last() {
    let text = rendered(100, &[]);
    insta::assert_snapshot!("normal", text);
    assert!(!text.contains("通过的用例"), "{text}");
}

#[test]
fn verbose_adds_every_passed_case_one_line_each() {
    let normal = rendered(100, &[]);
    let verbose = rendered(100, &["-v"]);
    insta::assert_snapshot!("verbose", verbose);
    let passed_lines: Vec<&str> = verbose.lines().filter(|l| l.starts_with("  ✓ ")).collect();
    assert!(
        passed_lines.contains(&"  ✓ POST /api/v1/auth/login · 正常请求 · 120 ms"),
        "{verbose}"
    );
    // Everything of the default level is still there, after the passed cases.
    assert!(verbose.ends_with(&normal[normal.find('\n').expect("a header") + 1..]));
}

#[test]
fn very_verbose_shows_the_exchange_of_passed_cases() {
    let text = rendered(100, &["-vv"]);
    insta::assert_snapshot!("very_verbose", text);
    assert!(
        text.contains("      request: POST http://127.0.0.1:3001/api/v1/auth/login"),
        "{text}"
    );
}

#[test]
fn quiet_and_verbose_cannot_be_combined() {
    let dir = common::mini();
    let (code, _, err) = output(cli(dir.path()).args(["phase", "1", "-q", "-v"]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn tables_are_never_wider_than_the_width_and_cut_names_with_an_ellipsis() {
    for columns in [60, 80, 100, 140] {
        let text = rendered(columns, &[]);
        let widest = widest_table_line(&text);
        assert!(
            widest <= usize::from(columns),
            "{columns}: {widest}\n{text}"
        );
    }
    let narrow = rendered(80, &[]);
    assert!(narrow.contains('…'), "{narrow}");
    let wide = rendered(140, &[]);
    assert!(
        wide.contains("用户认证模块 (auth)")
            && !wide.lines().any(|l| l.starts_with('│') && l.contains('…')),
        "a wide terminal cuts nothing\n{wide}"
    );
}

#[test]
fn lists_fit_the_width_too() {
    let dir = common::real_project();
    for what in ["phases", "endpoints", "scenarios"] {
        for columns in [80, 100] {
            let (code, out, err) = output(
                cli(dir.path())
                    .env("COLUMNS", columns.to_string())
                    .args(["list", what]),
            );
            assert_eq!(code, 0, "{err}");
            let widest = widest_table_line(&out);
            assert!(
                widest <= columns,
                "list {what} at {columns}: {widest}\n{out}"
            );
            if columns == 100 {
                insta::assert_snapshot!(format!("list_{what}_100"), out);
            }
        }
    }
}

/// A run of the mini project with one endpoint broken.
fn faulted_run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(
        cli(dir)
            .env("COLUMNS", "100")
            .args(["phase", "1", "--sandbox-fault", "server-error=demo.item"])
            .args(args),
    )
}

#[test]
fn a_quiet_run_prints_the_failures_and_the_verdict_only() {
    let dir = common::mini();
    let (code, out, err) = faulted_run(dir.path(), &["-q"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "✗ failed 失败  GET /api/v1/items/{id}  获取商品详情 — 正常请求: server_error"
        ),
        "{out}"
    );
    assert!(
        lines[1].starts_with("FAIL 未通过 · endpoints: 4 passed, 1 failed"),
        "{out}"
    );
    assert!(!err.contains("wrote"), "quiet says nothing else: {err}");
}

#[test]
fn a_very_verbose_run_shows_passed_exchanges_but_does_not_keep_them() {
    let dir = common::mini();
    let (code, out, err) = faulted_run(dir.path(), &["-vv"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("通过的用例 ("), "{out}");
    assert!(
        out.contains("✓ POST /api/v1/auth/send-code  发送验证码"),
        "{out}"
    );
    let passed_responses = out.split("✗ ").next().map_or(0, |passed| {
        passed.matches("      response: HTTP 200").count()
    });
    assert!(passed_responses >= 3, "{out}");
    // Masked like every excerpt: the test phone numbers never show whole.
    assert!(!regex_phone().is_match(&out), "{out}");
    let result = RunResult::read(&dir.path().join("reports/last-run.json")).expect("result");
    let kept: Vec<&str> = result
        .endpoints
        .iter()
        .flat_map(|e| &e.cases)
        .filter(|k| k.request.is_some())
        .map(|k| k.contract.as_str())
        .collect();
    assert_eq!(
        kept,
        ["demo.item"],
        "only what did not pass keeps its excerpts"
    );
}

fn regex_phone() -> regex::Regex {
    regex::Regex::new(r"199\d{8}").expect("regex")
}

#[test]
fn a_report_on_standard_output_moves_the_terminal_report_to_standard_error() {
    let dir = common::mini();
    let (code, out, err) = output(cli(dir.path()).args([
        "phase",
        "1",
        "--sandbox",
        "--report",
        "json=-",
        "--report",
        "markdown=out/report.md",
    ]));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("stdout is the JSON alone");
    assert_eq!(json["summary"]["endpoints"]["passed"], 5);
    assert!(err.contains("PASS 通过 · endpoints: 5 passed"), "{err}");
    assert!(err.contains("wrote out/report.md (markdown)"), "{err}");
    assert!(!dir.path().join("-").exists(), "no file named -");
    let (code, out, _) =
        output(cli(dir.path()).args(["phase", "1", "--sandbox", "--report", "junit=-"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("<?xml") && out.trim_end().ends_with("</testsuites>"),
        "{out}"
    );
}
