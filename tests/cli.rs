//! The binary as a process: exit codes, lint errors that name the file and the place, the sandbox run.

mod common;

use assert_cmd::Command;
use std::path::Path;

fn cli(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("daodao-check").expect("binary");
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DAODAO_BASE_URL")
        .env_remove("DAODAO_ENV");
    c
}

fn output(c: &mut Command) -> (i32, String, String) {
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
            "daodao-check.toml: line 15, column 1: unknown field `codee`, expected one of `code`"
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
    assert!(out.contains("阶段一 测试结果: 4/4 接口测试通过"), "{out}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/last-run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["schema_version"], 1);
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
fn an_unreachable_backend_exits_3() {
    let dir = common::mini();
    let (code, _, err) =
        output(cli(dir.path()).args(["phase", "1", "--base-url", "http://127.0.0.1:9/api/v1"]));
    assert_eq!(code, 3);
    assert!(
        err.contains("backend unreachable at http://127.0.0.1:9/api/v1"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = common::mini();
    assert_eq!(output(cli(dir.path()).args(["phase", "9"])).0, 2);
    let (code, _, err) = output(cli(dir.path()).args(["run", "--endpoint", "demo.nothing"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown endpoint `demo.nothing`"), "{err}");
    assert_eq!(
        output(cli(dir.path()).args(["phase", "1", "--sandbox-fault", "gremlins"])).0,
        2
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
