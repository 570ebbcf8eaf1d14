//! On GitHub Actions (`GITHUB_ACTIONS` set): the markdown report appended to the step summary and an
//! `::error` annotation per failure, pointing at the contract file; nothing of it elsewhere.

use crate::cli::{cli, output};
use crate::common;
use std::path::Path;

fn on_github(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(
        cli(dir)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
            .env("GITHUB_WORKSPACE", dir)
            .args(["phase", "1", "--sandbox-fault", "server-error=demo.item"])
            .args(args),
    )
}

#[test]
fn a_failure_is_annotated_on_its_contract_and_the_report_is_the_step_summary() {
    let dir = common::mini();
    std::fs::write(dir.path().join("summary.md"), "## an earlier step\n").expect("summary");
    let (code, out, err) = on_github(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    let annotations: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        annotations,
        ["::error file=contracts/demo/item.json,title=failed GET /api/v1/items/{id} (获取商品详情)::正常请求: server_error: HTTP 500 on a valid request"],
        "{out}"
    );
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary");
    assert!(
        summary.starts_with("## an earlier step\n# daodao-check 联调测试报告"),
        "{summary}"
    );
    assert!(summary.contains("| 结论 | ❌ 未通过 |"), "{summary}");
}

#[test]
fn with_a_report_on_standard_output_the_annotations_go_to_standard_error() {
    let dir = common::mini();
    let (code, out, err) = on_github(dir.path(), &["--report", "json=-"]);
    assert_eq!(code, 1, "{err}");
    serde_json::from_str::<serde_json::Value>(&out).expect("stdout is the JSON alone");
    assert!(
        err.contains("::error file=contracts/demo/item.json,"),
        "{err}"
    );
}

#[test]
fn elsewhere_nothing_of_it() {
    let dir = common::mini();
    let (code, out, _) =
        output(cli(dir.path()).args(["phase", "1", "--sandbox-fault", "server-error=demo.item"]));
    assert_eq!(code, 1);
    assert!(!out.contains("::error"), "{out}");
    assert!(!dir.path().join("summary.md").exists());
}
