//! `export openapi` and `import openapi`: the exported document as independent tools read it
//! (python's openapi-spec-validator, `redocly lint`, Schemathesis against the sandbox), the round trip,
//! and hand-written documents of other shapes imported into contracts that lint clean.
//!
//! The external tools are installed by `.ci/run` (pinned); where one is missing locally its test prints
//! a notice and skips, as the browser test does.

use crate::common;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

mod import;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openapi");

fn cli(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_daodao-check"));
    c.current_dir(dir).env_remove("DAODAO_BASE_URL");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out: Output = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exports the real project's document into `dir` as `name`; returns its path.
fn export(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let (code, _, err) = run(cli(dir).args(["export", "openapi", "--out"]).arg(&path));
    assert_eq!(code, 0, "{err}");
    path
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

/// Runs a command, killed (and the test failed) if it outlives `limit`.
fn run_within(c: &mut Command, limit: std::time::Duration) -> (i32, String, String) {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        match child.try_wait().expect("wait") {
            Some(status) => break status,
            None if std::time::Instant::now() > deadline => {
                let _ = child.kill();
                panic!("{c:?} did not finish within {limit:?}");
            }
            None => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    let out = reader.join().unwrap_or_default();
    (status.code().unwrap_or(-1), out, err)
}

/// A tool on PATH, or `None` with a notice.
fn tool(name: &str, version_arg: &str) -> Option<PathBuf> {
    let found = Command::new(name)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("notice: `{name}` is not installed; skipping (.ci/run installs it)");
    }
    found.then(|| PathBuf::from(name))
}

#[test]
fn the_export_describes_every_contract_in_a_stable_order() {
    let dir = common::real_project();
    let first = export(dir.path(), "openapi.json");
    let doc = read_json(&first);
    assert_eq!(doc["openapi"], "3.1.0");
    let ops: Vec<(&String, &String, &Value)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .expect("item")
                .iter()
                .map(move |(m, o)| (p, m, o))
        })
        .collect();
    assert_eq!(ops.len(), 131, "one operation per contract");
    let paths: Vec<&String> = doc["paths"].as_object().expect("paths").keys().collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "paths are sorted");

    let detail = &doc["paths"]["/vehicles/{id}"]["get"];
    assert_eq!(detail["operationId"], "vehicles.detail");
    assert_eq!(detail["summary"], "获取房车详情");
    assert_eq!(detail["tags"], serde_json::json!(["vehicles"]));
    assert_eq!(detail["x-daodao-phase"], 2);
    assert_eq!(detail["parameters"][0]["in"], "path");
    assert_eq!(detail["parameters"][0]["required"], true);
    assert_eq!(
        detail["parameters"][0]["schema"]["$ref"],
        "#/components/schemas/common.id"
    );
    let ok = &detail["responses"]["200"]["content"]["application/json"];
    assert_eq!(
        ok["schema"]["allOf"][0]["$ref"],
        "#/components/schemas/Envelope"
    );
    assert_eq!(ok["schema"]["allOf"][1]["properties"]["code"]["const"], 0);
    let not_found = &detail["responses"]["404"]["content"]["application/json"]["examples"];
    assert_eq!(
        not_found["不存在的房车"]["x-daodao-request"]["path_params"]["id"],
        "no-such-vehicle-0000"
    );
    assert_eq!(detail["security"], serde_json::json!([]));

    let tags = doc["tags"].as_array().expect("tags");
    assert_eq!(
        tags[0],
        serde_json::json!({"name": "health", "description": "健康检查"})
    );
    let skipped = &doc["paths"]["/auth/wechat-login"]["post"];
    assert!(skipped["x-daodao-skip"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    let upload = &doc["paths"]["/ratings/upload-image"]["post"];
    let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(form["properties"]["file"]["format"], "binary");
    assert_eq!(upload["security"], serde_json::json!([{"bearerAuth": []}]));
    assert!(
        upload["responses"]["401"].is_object(),
        "auth → a 401 answer"
    );
    assert_eq!(doc["servers"][0]["url"], "http://localhost:3001/api/v1");
    assert!(doc["components"]["schemas"]["orders.orderStatus"].is_object());

    let again = export(dir.path(), "again.json");
    assert_eq!(
        std::fs::read(&first).expect("read"),
        std::fs::read(&again).expect("read"),
        "the same catalogue gives the same bytes"
    );
    let yaml = export(dir.path(), "openapi.yaml");
    let from_yaml: Value =
        serde_norway::from_str(&std::fs::read_to_string(yaml).expect("read")).expect("YAML");
    assert_eq!(from_yaml, doc, "the YAML says the same");
}

#[test]
fn an_out_file_without_a_known_extension_needs_a_format() {
    let dir = common::real_project();
    let (code, _, err) = run(cli(dir.path()).args(["export", "openapi", "--out", "api.txt"]));
    assert_eq!(code, 2);
    assert!(err.contains("api.txt") && err.contains("--format"), "{err}");
    let (code, out, _) = run(cli(dir.path()).args(["export", "openapi", "--format", "yaml"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("openapi: 3.1.0"),
        "YAML on stdout: {}",
        &out[..40]
    );
}

#[test]
fn openapi_spec_validator_accepts_the_export() {
    let Some(python) = tool("python3", "--version") else {
        return;
    };
    let has_validator = Command::new(&python)
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_validator {
        eprintln!(
            "notice: openapi-spec-validator is not installed; skipping (.ci/run installs it)"
        );
        return;
    }
    let dir = common::real_project();
    for name in ["openapi.json", "openapi.yaml"] {
        let path = export(dir.path(), name);
        let (code, out, err) = run(Command::new(&python)
            .args(["-m", "openapi_spec_validator"])
            .arg(&path));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains(": OK"), "{out}");
    }
}

#[test]
fn redocly_lint_finds_no_error_in_the_export() {
    let Some(redocly) = tool("redocly", "--version") else {
        return;
    };
    let dir = common::real_project();
    let path = export(dir.path(), "openapi.json");
    let config = Path::new(FIXTURES).join("redocly.yaml");
    let (code, out, err) = run(Command::new(redocly)
        .args(["lint", "--format", "json", "--config"])
        .arg(&config)
        .arg(&path)
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"));
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let errors: Vec<&Value> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["severity"] == "error")
        .collect();
    assert_eq!(errors, Vec::<&Value>::new(), "redocly errors");
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["totals"]["errors"], 0);
}

/// `daodao-check sandbox` on a free port; killed when dropped.
struct Sandbox {
    child: Child,
    base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sandbox(dir: &Path, extra: &[&str]) -> Sandbox {
    let mut child = cli(dir)
        .args(["sandbox", "--addr", "127.0.0.1:0", "--quiet"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("sandbox starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    Sandbox { child, base }
}

/// A token from the sandbox: WeChat login with a test code (no SMS round trip needed).
fn token(base: &str) -> String {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let body: Value = reqwest::Client::new()
            .post(format!("{base}/auth/wechat-login"))
            .json(&serde_json::json!({"code": "wx-test-schemathesis"}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("JSON");
        body["data"]["token"].as_str().expect("a token").to_string()
    })
}

/// Schemathesis against the sandbox, bounded: GET operations only (writes change the sandbox's state
/// under the run, logout ends the token, and their state-dependent errors live in scenarios, not in
/// contracts), 5 examples each, a fixed seed, a time budget. Returns the failing test cases' names
/// from its JUnit report, and its output.
fn schemathesis(doc: &Path, server: &Sandbox, work: &Path) -> (Vec<String>, usize, String) {
    let junit = work.join("schemathesis.xml");
    let bearer = format!("Authorization: Bearer {}", token(&server.base));
    // (`--max-time` is a budget Schemathesis spends in full, so the bound is the examples and a deadline.)
    let (code, out, err) = run_within(
        Command::new("schemathesis")
            .arg("run")
            .arg(doc)
            .args(["--url", &server.base, "-H", &bearer])
            .args([
                "--checks",
                "status_code_conformance,response_schema_conformance,content_type_conformance",
            ])
            .args([
                "--include-method",
                "GET",
                "--max-examples",
                "5",
                "--seed",
                "1",
                "--no-shrink",
            ])
            .args([
                "--request-timeout",
                "30",
                "--report",
                "junit",
                "--report-junit-path",
            ])
            .arg(&junit)
            .env("SCHEMATHESIS_TELEMETRY", "false")
            .current_dir(work),
        std::time::Duration::from_secs(600),
    );
    assert!(
        code == 0 || code == 1,
        "schemathesis could not run ({code}): {out}{err}"
    );
    let xml =
        std::fs::read_to_string(&junit).unwrap_or_else(|e| panic!("no report ({e}): {out}{err}"));
    let tree = roxmltree::Document::parse(&xml).expect("JUnit XML");
    let cases: Vec<roxmltree::Node> = tree
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failing = cases
        .iter()
        .filter(|c| {
            c.children()
                .any(|x| x.has_tag_name("failure") || x.has_tag_name("error"))
        })
        .map(|c| c.attribute("name").unwrap_or("").to_string())
        .collect();
    (failing, cases.len(), out)
}

#[test]
fn schemathesis_agrees_the_clean_sandbox_conforms_and_finds_a_planted_type_fault() {
    if tool("schemathesis", "--version").is_none() {
        return;
    }
    let dir = common::real_project();
    let doc = export(dir.path(), "openapi.json");

    let clean = sandbox(dir.path(), &[]);
    let (failing, tested, out) = schemathesis(&doc, &clean, dir.path());
    assert!(tested >= 60, "GET operations tested: {tested}\n{out}");
    assert_eq!(failing, Vec::<String>::new(), "{out}");
    drop(clean);

    let faulty = sandbox(dir.path(), &["--fault", "wrong-type=vehicles.detail"]);
    let (failing, _, out) = schemathesis(&doc, &faulty, dir.path());
    assert_eq!(failing, vec!["GET /vehicles/{id}".to_string()], "{out}");
    assert!(out.contains("Response violates schema"), "{out}");
}
