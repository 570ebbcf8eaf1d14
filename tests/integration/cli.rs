//! The binary as a process: exit codes, lint errors that name the file and the place, the sandbox run.

use crate::common;

use assert_cmd::Command;
use std::path::Path;

pub fn cli(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("daodao-check").expect("binary");
    // The width and the CI around the tests must not change what the tool prints: 100 columns, no
    // GitHub workflow commands unless a test asks for them. Nor may the machine's load: a request that
    // takes 2 s on a busy CI runner is no latency finding of the run under test (the latency check has
    // tests of its own, with their own budgets).
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("DAODAO_LATENCY_BUDGET_MS", "600000")
        .env_remove("DAODAO_BASE_URL")
        .env_remove("DAODAO_ENV")
        .env_remove("COLUMNS")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

pub fn output(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn lint_passes_on_the_shipped_catalogue_with_full_coverage() {
    let dir = common::real_project();
    let (code, out, _) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("coverage 131/131 plan endpoints, 0 problem(s)"),
        "{out}"
    );
}

#[test]
fn lint_names_file_and_line_of_a_malformed_contract() {
    let dir = common::mini();
    std::fs::write(
        dir.path().join("contracts/demo/item.json"),
        "{\n  \"id\": \"demo.item\",\n  \"method\": \"GET\",\n  \"path\": \"/items/{id}\",\n  \"phase\": \"one\"\n}\n",
    )
    .unwrap();
    let (code, out, _) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 2);
    assert!(
        out.contains("contracts/demo/item.json: phase (line 5, column 16): invalid type: string \"one\", expected u8"),
        "{out}"
    );
}

#[test]
fn lint_names_the_json_path_of_an_example_that_breaks_its_schema() {
    let dir = common::mini();
    let p = dir.path().join("contracts/demo/item.json");
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"price\": 580", "\"price\": \"580\"");
    std::fs::write(&p, text).unwrap();
    let (code, out, _) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 2);
    assert!(
        out.contains("contracts/demo/item.json: example.response.data/price: example does not match its schema: expected type number, found \"580\""),
        "{out}"
    );
}

#[test]
fn lint_reports_a_broken_ref_a_duplicate_id_and_a_missing_contract() {
    let dir = common::mini();
    let p = dir.path().join("contracts/demo/item.json");
    let text = std::fs::read_to_string(&p).unwrap().replace(
        "{\"type\": \"string\"}",
        "{\"$ref\": \"common.json#/$defs/nope\"}",
    );
    let text = if text.contains("nope") {
        text
    } else {
        text.replacen(
            "\"type\": \"string\"",
            "\"$ref\": \"common.json#/$defs/nope\"",
            1,
        )
    };
    std::fs::write(&p, text).unwrap();
    let dup = std::fs::read_to_string(dir.path().join("contracts/demo/create-order.json")).unwrap();
    std::fs::write(dir.path().join("contracts/demo/copy.json"), dup).unwrap();
    std::fs::remove_file(dir.path().join("contracts/auth/register.json")).unwrap();
    let (code, out, _) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 2);
    assert!(
        out.contains("contracts/demo/item.json: request.path_params: schema does not compile"),
        "{out}"
    );
    assert!(out.contains("contracts/demo/copy.json: id: id `demo.create-order` does not match its file (expected `demo.copy`)"), "{out}");
    assert!(
        out.contains("duplicate contract id `demo.create-order`"),
        "{out}"
    );
    assert!(
        out.contains(
            "contracts/plan.toml: 阶段一: no contract for `POST /api/v1/auth/register` (用户注册)"
        ),
        "{out}"
    );
}

#[test]
fn a_config_with_an_unknown_key_is_an_error_naming_key_and_line() {
    let dir = common::mini();
    let p = dir.path().join("daodao-check.toml");
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str("\n[envelope]\ncodee = \"code\"\n");
    std::fs::write(&p, text).unwrap();
    let (code, _, err) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "daodao-check.toml: line 18, column 1: unknown field `codee`, expected one of `code`"
        ),
        "{err}"
    );
}

#[test]
fn a_config_value_of_the_wrong_type_is_an_error_naming_the_line() {
    let dir = common::mini();
    let p = dir.path().join("daodao-check.toml");
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("jobs = 4", "jobs = \"four\"");
    std::fs::write(&p, text).unwrap();
    let (code, _, err) = output(cli(dir.path()).args(["phase", "1"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("daodao-check.toml: line 3, column 8: invalid type: string \"four\""),
        "{err}"
    );
}

#[test]
fn a_broken_scenario_is_named_with_its_line_and_its_unknown_endpoint() {
    let dir = common::mini();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::write(dir.path().join("scenarios/bad.toml"), "name = \"bad\"\ntitle = \"t\"\nphase = 1\n[[steps]]\nname = \"x\"\nendpoint = \"demo.nope\"\n").unwrap();
    std::fs::write(dir.path().join("scenarios/worse.toml"), "name = \"worse\"\ntitle = \"t\"\nphase = 1\n[[steps]]\nname = \"x\"\nendpoint = \"demo.item\"\nexpect_cod = 1\n").unwrap();
    let (code, out, _) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 2);
    assert!(
        out.contains(
            "scenarios/bad.toml: steps[0] (x): step `x` names unknown endpoint `demo.nope`"
        ),
        "{out}"
    );
    assert!(
        out.contains("scenarios/worse.toml: line 7, column 1: unknown field `expect_cod`"),
        "{out}"
    );
}

#[test]
fn the_mini_project_passes_against_the_sandbox_and_writes_the_result() {
    let dir = common::mini();
    let (code, out, err) = output(cli(dir.path()).args(["phase", "1", "--sandbox"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("阶段一 测试结果: 5/5 接口测试通过"), "{out}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/last-run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["schema_version"], daodao_check::result::SCHEMA_VERSION);
    assert_eq!(
        json["endpoints"][0]["endpoint"],
        "POST /api/v1/auth/send-code"
    );
}

#[test]
fn a_fault_makes_the_run_fail_with_exit_1_and_names_the_check() {
    let dir = common::mini();
    let (code, out, _) =
        output(cli(dir.path()).args(["phase", "1", "--sandbox-fault", "bad-enum=demo.item"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("schema at /data/status"), "{out}");
    assert!(out.contains("NOT_IN_CONTRACT_ENUM"), "{out}");
}

#[test]
fn requests_of_an_endpoint_that_failed_alike_are_shown_once_and_named() {
    let dir = common::real_project();
    let (code, out, _) = output(cli(dir.path()).args([
        "run",
        "--endpoint",
        "auth.login",
        "--sandbox-fault",
        "malformed-500=auth.login",
    ]));
    assert_eq!(code, 1, "{out}");
    // Three bodies the backend could not read, one 500 each: one block, the other two named.
    assert_eq!(
        out.matches("malformed_input at /code: invalid input caused a server error")
            .count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("▸ 另有 2 个请求结果相同: 异常输入: 请求体是数组而不是对象 · 异常输入: Content-Type 为 text/plain"),
        "{out}"
    );
}

#[test]
fn the_plans_spelling_selects_an_endpoint() {
    let dir = common::mini();
    let (code, out, _) =
        output(cli(dir.path()).args(["run", "--endpoint", "GET /api/v1/items/{id}", "--sandbox"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 passed"), "{out}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/last-run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["endpoints"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["endpoints"][0]["id"], "demo.item");
}

#[test]
fn list_shows_phases_with_coverage() {
    let dir = common::real_project();
    let (code, out, _) = output(cli(dir.path()).args(["list", "phases"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("阶段八") && out.contains("社区与辅助模块") && out.contains("23/23"),
        "{out}"
    );
}

/// Lines of `new` that are not in `old` (a multiset difference), for "only the expected lines changed".
fn changed_lines(old: &str, new: &str) -> Vec<String> {
    let mut pool: Vec<&str> = old.lines().collect();
    new.lines()
        .filter(|l| match pool.iter().position(|o| o == l) {
            Some(i) => {
                pool.remove(i);
                false
            }
            None => true,
        })
        .map(str::to_string)
        .collect()
}

/// `progress` on the sandbox's results, which it takes only when asked to.
const SANDBOX_PROGRESS: [&str; 6] = [
    "progress",
    "--doc",
    "plan.md",
    "--owner",
    "测试组",
    "--allow-sandbox",
];

#[test]
fn a_real_sandbox_run_then_progress_edits_only_progress_lines_twice_idempotent() {
    let dir = common::real_project();
    let doc = dir.path().join("plan.md");
    let original = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/docs/API对接联调计划.md"
    ))
    .unwrap();
    std::fs::write(&doc, &original).unwrap();

    // A faulted run: payments' routes missing.
    let (code, _, _) = output(cli(dir.path()).args([
        "phase",
        "3",
        "--sandbox-fault",
        "missing-route=payments.create,payments.status",
    ]));
    assert_eq!(code, 1);
    // The results say they come from the sandbox: refused unless asked for.
    let (code, _, err) =
        output(cli(dir.path()).args(["progress", "--doc", "plan.md", "--owner", "测试组"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("last-run.json") && err.contains("--allow-sandbox"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), original);
    let (code, _, err) = output(cli(dir.path()).args(SANDBOX_PROGRESS));
    assert_eq!(code, 0, "{err}");
    let faulted = std::fs::read_to_string(&doc).unwrap();
    let added = changed_lines(&original, &faulted);
    assert!(
        added
            .iter()
            .any(|l| l.contains("❌ `POST /api/v1/payments`")),
        "{added:#?}"
    );
    assert!(
        added
            .iter()
            .any(|l| l.starts_with("| 阶段三 | 支付流程 | 5 | ❌ 有问题")),
        "{added:#?}"
    );
    // Only phase 3's lines and the status summary changed.
    assert!(
        added.iter().all(|l| l.contains("payments")
            || l.contains("wallet")
            || l.contains("阶段三")
            || l.contains("测试结果")
            || l.contains("完成时间")
            || l.contains("接口")),
        "{added:#?}"
    );

    // The clean run fixes it; a second progress with the same results changes nothing.
    let (code, _, _) = output(cli(dir.path()).args(["phase", "all", "--sandbox"]));
    assert_eq!(code, 0);
    let (code, _, err) = output(cli(dir.path()).args(SANDBOX_PROGRESS));
    assert_eq!(code, 0, "{err}");
    let clean = std::fs::read_to_string(&doc).unwrap();
    assert!(
        clean.contains("| 阶段八 | 社区辅助 | 21 | ✅ 已完成 |"),
        "the table keeps the plan's own count (21) and is complete"
    );
    assert!(
        clean.contains("**测试结果**: 30/30 接口测试通过"),
        "phase 7 line"
    );
    assert!(clean.contains("**测试结果**: 9/10 接口测试通过 (微信授权登录: 需小程序环境)"));
    let (code, _, _) = output(cli(dir.path()).args(SANDBOX_PROGRESS));
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(&doc).unwrap(),
        clean,
        "second run changes nothing"
    );
    let (code, _, _) = output(cli(dir.path()).args([
        "progress",
        "--doc",
        "plan.md",
        "--check",
        "--owner",
        "测试组",
        "--allow-sandbox",
    ]));
    assert_eq!(code, 0);
    // Outside the progress lines, the document is the user's, byte for byte.
    let untouched = |s: &str| {
        s.lines()
            .filter(|l| {
                !l.contains("` - ")
                    && !l.contains("测试结果")
                    && !l.contains("完成时间")
                    && !l.contains("个接口")
                    && !l.starts_with("| 阶段")
            })
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut before = untouched(&original);
    let mut after = untouched(&clean);
    before.retain(|l| !l.trim().is_empty());
    after.retain(|l| !l.trim().is_empty());
    let differing: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .take(3)
        .collect();
    assert!(
        differing.is_empty() && before.len() == after.len(),
        "{differing:?}"
    );
}

#[test]
fn the_result_order_does_not_depend_on_concurrency() {
    let dir = common::real_project();
    let ids = |jobs: &str| {
        let (code, out, err) =
            output(cli(dir.path()).args(["phase", "all", "--sandbox", "--jobs", jobs]));
        assert_eq!(code, 0, "--jobs {jobs}:\n{out}\n{err}");
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("reports/last-run.json")).unwrap(),
        )
        .unwrap();
        let e: Vec<String> = v["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        let s: Vec<String> = v["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect();
        (e, s)
    };
    let one = ids("1");
    let many = ids("32");
    assert_eq!(one, many);
    assert_eq!(one.0.first().map(String::as_str), Some("health.check"));
}

#[test]
fn reports_asked_for_on_the_command_line_are_written_and_a_bad_format_fails_before_the_run() {
    let dir = common::mini();
    let (code, _, err) = output(cli(dir.path()).args([
        "phase",
        "1",
        "--sandbox",
        "--report",
        "junit=out/junit.xml",
        "--report",
        "markdown=out/report.md",
    ]));
    assert_eq!(code, 0, "{err}");
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).expect("junit written");
    assert!(
        junit.contains("<testsuites") && junit.contains("阶段一"),
        "{junit}"
    );
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).expect("markdown written");
    assert!(md.contains("5/5 接口测试通过"), "{md}");
    let (code, _, err) =
        output(cli(dir.path()).args(["phase", "1", "--sandbox", "--report", "pdf=x.pdf"]));
    assert_eq!(code, 2);
    assert!(err.contains("pdf"), "{err}");
    assert!(!dir.path().join("x.pdf").exists());
}

#[test]
fn run_failed_re_runs_only_what_did_not_pass() {
    let dir = common::mini();
    let (code, _, _) =
        output(cli(dir.path()).args(["phase", "1", "--sandbox-fault", "server-error=demo.item"]));
    assert_eq!(code, 1);
    let (code, out, err) = output(cli(dir.path()).args(["run", "--failed", "--sandbox"]));
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/last-run.json")).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = json["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["demo.item"]);
    let (code, _, err) = output(cli(dir.path()).args(["run", "--failed", "--sandbox"]));
    assert_eq!(code, 0);
    assert!(err.contains("nothing failed"), "{err}");
}
