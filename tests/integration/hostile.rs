//! A hostile backend ([`HostileServer`]) against the CLI as a process: each misbehaviour is one endpoint
//! of a generated project, and each must end as its own clear finding, in a run that finishes (a hang
//! would outlive the run's own 5 s timeout and fail the test by never ending) and writes bounded
//! output. Speed and memory are measured in `bench/hostile.py`, not here.

use crate::cli::{cli, output};
use crate::hostile_server::{HostileServer, MODES, PLANTED};
use serde_json::{json, Value};
use std::path::Path;

/// The generated project's run settings; a test's own `[run]` keys go at the end of `[run]`.
fn config(run_keys: &str) -> String {
    format!(
        "[run]\njobs = 8\ntimeout_ms = 5000\nlatency_budget_ms = 60000\n{run_keys}\n\
         [sms]\nsource = \"fixed\"\nvalue = \"123456\"\n"
    )
}

/// What `data` must be for a mode: an object with `id` and `name` unless the mode needs otherwise.
fn data_schema(mode: &str) -> (Value, Value) {
    let item = json!({
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}}
    });
    let example = json!({"id": "i_1", "name": "n"});
    match mode {
        "huge" => (json!({"type": "array", "items": item}), json!([example])),
        "many_missing" => {
            let names: Vec<String> = (0..30).map(|i| format!("f{i:02}")).collect();
            let example: serde_json::Map<String, Value> =
                names.iter().map(|n| (n.clone(), json!(1))).collect();
            (
                json!({"type": "object", "required": names}),
                Value::Object(example),
            )
        }
        _ => (item, example),
    }
}

/// A project with one `GET /h/<mode>` endpoint (contract `h.<mode>`) per mode, no auth.
fn project(extra_config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("contracts/h")).expect("mkdir");
    std::fs::write(root.join("daodao-check.toml"), config(extra_config)).expect("config");
    let endpoints: Vec<String> = MODES
        .iter()
        .map(|m| {
            format!("  {{ endpoint = \"GET /api/v1/h/{m}\", name = \"{m}\", module = \"h\" }},")
        })
        .collect();
    let plan = format!(
        "prefix = \"/api/v1\"\n\n[[module]]\nid = \"h\"\nname = \"敌意后端\"\n\n[[phase]]\nnumber = 1\n\
         name = \"敌意后端\"\ntable_name = \"敌意后端\"\npriority = 5\nmodules = [\"h\"]\nendpoints = [\n{}\n]\n",
        endpoints.join("\n")
    );
    std::fs::write(root.join("contracts/plan.toml"), plan).expect("plan");
    for mode in MODES {
        let (schema, example) = data_schema(mode);
        let contract = json!({
            "id": format!("h.{mode}"), "method": "GET", "path": format!("/h/{mode}"), "phase": 1,
            "module": "h", "name": mode, "auth": "none",
            "response": {"data": schema},
            "example": {"response": {"code": 0, "message": "ok", "data": example}}
        });
        let text = serde_json::to_string_pretty(&contract).expect("json");
        std::fs::write(root.join(format!("contracts/h/{mode}.json")), text).expect("contract");
    }
    dir
}

/// What one run left: its exit code, stdout, stderr, and `reports/last-run.json` (text and parsed).
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    last_run: String,
    result: Value,
}

fn run(dir: &Path, server: &HostileServer, args: &[&str]) -> Run {
    let (code, stdout, stderr) = output(cli(dir).args(args).args(["--base-url", &server.base_url]));
    let last_run = std::fs::read_to_string(dir.join("reports/last-run.json"))
        .unwrap_or_else(|e| panic!("the run wrote no last-run.json ({e}): {stdout}\n{stderr}"));
    let result = serde_json::from_str(&last_run).expect("last-run.json is JSON");
    Run {
        code,
        stdout,
        stderr,
        last_run,
        result,
    }
}

impl Run {
    /// The findings of the endpoint of `mode` (all its cases).
    fn findings(&self, mode: &str) -> Vec<Value> {
        let endpoints = self.result["endpoints"].as_array().expect("endpoints");
        let endpoint = endpoints
            .iter()
            .find(|e| e["id"] == format!("h.{mode}"))
            .unwrap_or_else(|| panic!("no endpoint h.{mode}"));
        endpoint["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    fn status(&self, mode: &str) -> String {
        let endpoints = self.result["endpoints"].as_array().expect("endpoints");
        let e = endpoints
            .iter()
            .find(|e| e["id"] == format!("h.{mode}"))
            .expect("endpoint");
        e["status"].as_str().unwrap_or_default().to_string()
    }

    /// The one finding of `check` on `mode`'s endpoint, which must say every word of `words`.
    fn finding(&self, mode: &str, check: &str, words: &[&str]) -> Value {
        let findings = self.findings(mode);
        let f = findings
            .iter()
            .find(|f| f["check"] == check)
            .unwrap_or_else(|| panic!("{mode}: no {check} finding in {findings:#?}"))
            .clone();
        let text = f.to_string();
        for w in words {
            assert!(text.contains(w), "{mode}: {w:?} not in {f:#}");
        }
        f
    }

    /// Nothing in the run's output grew with what the backend sent.
    fn assert_bounded(&self, max_report: usize) {
        assert!(
            self.last_run.len() < max_report,
            "last-run.json is {} bytes",
            self.last_run.len()
        );
        assert!(
            self.stdout.len() < 256 * 1024,
            "stdout is {} bytes",
            self.stdout.len()
        );
        assert!(
            self.stderr.len() < 64 * 1024,
            "stderr is {} bytes",
            self.stderr.len()
        );
        for e in self.result["endpoints"].as_array().expect("endpoints") {
            for c in e["cases"].as_array().expect("cases") {
                let n = c["findings"].as_array().map_or(0, Vec::len);
                assert!(n <= 20 + 3, "{}: {n} findings", e["id"]);
            }
        }
    }
}

#[test]
fn every_hostile_answer_is_one_clear_finding_in_a_run_that_ends_with_bounded_output() {
    let server = HostileServer::start();
    let dir = project("");
    let r = run(dir.path(), &server, &["phase", "1"]);
    assert_eq!(
        r.code, 1,
        "the run finished with failures\n{}\n{}",
        r.stdout, r.stderr
    );
    r.assert_bounded(1024 * 1024);

    r.finding(
        "truncated",
        "envelope",
        &["not JSON (application/json; charset=utf-8): EOF while parsing a string"],
    );
    r.finding("cut_off", "transport", &["error decoding response body"]);
    r.finding(
        "html",
        "envelope",
        &["the response is not JSON (text/html)", "502 Bad Gateway"],
    );
    r.finding(
        "huge",
        "schema",
        &[
            "too large to validate",
            "> 2 MiB",
            "max_validated_body_bytes",
        ],
    );
    assert_eq!(
        r.findings("huge").len(),
        1,
        "the envelope is judged, and passes"
    );
    r.finding(
        "gzip_bomb",
        "envelope",
        &["Content-Encoding: gzip", "not decoded"],
    );
    r.finding(
        "endless",
        "envelope",
        &["larger than the read limit (8 MiB", "max_body_bytes"],
    );
    r.finding("slowloris", "transport", &["timeout"]);
    r.finding("silent", "transport", &["timeout"]);
    r.finding("reset", "transport", &["error sending request"]);
    r.finding("no_content", "envelope", &["no body (HTTP 204 No Content)"]);
    r.finding(
        "redirect_loop",
        "envelope",
        &[
            "redirect (HTTP 302 to /api/v1/h/redirect_loop)",
            "not followed",
        ],
    );
    assert_eq!(
        server.hits("redirect_loop"),
        1,
        "a redirect is never followed"
    );
    r.finding(
        "redirect_away",
        "envelope",
        &["HTTP 307 to https://login.other-origin.invalid/sso"],
    );
    r.finding(
        "rate_limited",
        "transport",
        &["rate limited: HTTP 429", "Retry-After: 1", "--retries"],
    );
    r.finding(
        "bad_utf8",
        "content_type",
        &["not valid UTF-8", "offset 24"],
    );
    assert_eq!(r.status("bad_utf8"), "failed");
    r.finding("deep", "envelope", &["nested too deeply to parse", "128"]);
    let huge_array = r.finding("huge_array", "schema", &["type object", "(1000000 items)"]);
    assert_eq!(huge_array["path"], "/data");
    r.finding("text_plain", "content_type", &["declared as text/plain"]);

    let control = r.finding("control_chars", "success_code", &["\\u{1b}[2J", "系统繁忙"]);
    assert!(
        !control.to_string().contains("\\u001b"),
        "escaped before it was recorded: {control}"
    );
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        assert!(
            !text.contains(['\u{1b}', '\u{7}']),
            "{name} carries a control character"
        );
    }

    let missing = r.findings("many_missing");
    assert_eq!(missing.len(), 21, "{missing:#?}");
    assert_eq!(
        missing[20]["message"],
        "… 另有 10 项未列出 ([run] max_findings_per_case = 20)"
    );
    assert_eq!(missing[20]["count"], 10);
    assert!(
        r.stdout.contains("… 另有 10 项未列出"),
        "the terminal shows the cap"
    );
}

#[test]
fn a_huge_list_within_a_raised_validation_limit_is_validated_on_a_sample() {
    let server = HostileServer::start();
    let dir = project("max_validated_body_bytes = 16777216\n");
    let r = run(dir.path(), &server, &["run", "--endpoint", "h.huge"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.assert_bounded(64 * 1024);
    let findings = r.findings("huge");
    let shown: Vec<(String, Value)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["count"].clone(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (String::new(), Value::Null),
            ("/data/*/id".to_string(), json!(100)),
            ("/data/*/name".to_string(), json!(100)),
        ]
    );
    assert!(findings[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("the longest has 2666000"));
}

#[test]
fn a_smaller_read_limit_stops_the_read_there() {
    let server = HostileServer::start();
    let dir = project("max_body_bytes = 65536\n");
    let r = run(dir.path(), &server, &["run", "--endpoint", "h.huge_array"]);
    r.finding(
        "huge_array",
        "envelope",
        &["larger than the read limit (64 KiB, [run] max_body_bytes)"],
    );
}

#[test]
fn a_429_is_waited_out_as_its_retry_after_asks_when_retries_are_on() {
    let server = HostileServer::start();
    let dir = project("");
    let r = run(
        dir.path(),
        &server,
        &["run", "--endpoint", "h.rate_limited_once", "--retries", "1"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.status("rate_limited_once"), "passed");
    assert_eq!(
        server.hits("rate_limited_once"),
        2,
        "one 429, then the answer"
    );
}

#[test]
fn planted_secrets_leave_no_trace_in_any_output() {
    let server = HostileServer::start();
    let dir = project("");
    let reports = dir.path().join("out");
    let mut args = vec![
        "run".to_string(),
        "--endpoint".into(),
        "h.secrets".into(),
        "--endpoint".into(),
        "h.secrets_text".into(),
    ];
    for (format, file) in [
        ("json", "r.json"),
        ("junit", "r.xml"),
        ("markdown", "r.md"),
        ("html", "r.html"),
    ] {
        args.push("--report".into());
        args.push(format!("{format}={}", reports.join(file).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(dir.path(), &server, &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut outputs = vec![
        ("stdout".to_string(), r.stdout.clone()),
        ("stderr".into(), r.stderr.clone()),
        ("last-run.json".into(), r.last_run.clone()),
    ];
    for entry in std::fs::read_dir(&reports)
        .expect("reports written")
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).expect("report");
        outputs.push((entry.file_name().to_string_lossy().into_owned(), text));
    }
    assert_eq!(outputs.len(), 7, "every report format was written");
    for (name, text) in &outputs {
        for secret in PLANTED {
            let at = text.find(secret);
            let around = at.map(|i| &text[i.saturating_sub(200)..(i + 100).min(text.len())]);
            assert!(
                at.is_none(),
                "{name} carries {secret}: …{}…",
                around.unwrap_or_default()
            );
        }
    }
}

// Hostile documents: contract and schema files as an editor, a merge or a careless hand leaves them.

/// Edits a file of a copy of the mini project.
fn edit(dir: &Path, file: &str, change: impl Fn(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("fixture file");
    std::fs::write(&path, change(text)).expect("write");
}

fn lint(dir: &Path) -> (i32, String) {
    let (code, out, err) = output(cli(dir).arg("lint"));
    (code, format!("{out}{err}"))
}

const COMMON: &str = "contracts/_schemas/common.json";

#[test]
fn a_bad_pattern_in_a_shared_schema_is_blamed_once_on_that_file_and_its_path() {
    let dir = crate::common::mini();
    edit(dir.path(), COMMON, |t| {
        t.replace("^1[3-9][0-9]{9}$", "^1[3-9")
    });
    let (code, out) = lint(dir.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "{COMMON}: /$defs/phone/pattern: not a regular expression: \"^1[3-9\" is not a \"regex\""
        )),
        "{out}"
    );
    assert!(
        out.contains("1 problem(s)"),
        "not once per contract that uses it: {out}"
    );
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_contract_or_a_schema_is_accepted() {
    let dir = crate::common::mini();
    for file in [COMMON, "contracts/demo/item.json"] {
        edit(dir.path(), file, |t| format!("\u{feff}{t}"));
    }
    let (code, out) = lint(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 problem(s)"), "{out}");
}

#[test]
fn a_key_given_twice_is_an_error_naming_the_key_its_place_and_line() {
    let dir = crate::common::mini();
    edit(dir.path(), "contracts/demo/item.json", |t| {
        t.replacen(
            "\"type\": \"number\"",
            "\"type\": \"number\", \"type\": \"string\"",
            1,
        )
    });
    edit(dir.path(), COMMON, |t| {
        t.replace(
            "\"title\": \"Definitions",
            "\"$id\": \"x\",\n  \"title\": \"Definitions",
        )
    });
    let (code, out) = lint(dir.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(
            "contracts/demo/item.json: response.data.properties.price (line 36, column 34): \
             duplicate key `type`"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!("{COMMON}: line 4, column 7: duplicate key `$id`")),
        "{out}"
    );
}

#[test]
fn reference_cycles_are_reported_where_they_are_written() {
    let dir = crate::common::mini();
    edit(dir.path(), COMMON, |t| {
        t.replace(
            "\"count\": {",
            "\"loopA\": { \"$ref\": \"#/$defs/loopB\" },\n    \"loopB\": { \"allOf\": [{ \"$ref\": \"#/$defs/loopA\" }] },\n    \"count\": {",
        )
    });
    edit(dir.path(), "contracts/demo/item.json", |t| {
        t.replacen(
            "\"type\": \"number\"",
            "\"$ref\": \"#/properties/price\"",
            1,
        )
    });
    let (code, out) = lint(dir.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "{COMMON}: /$defs/loopA: `$ref` cycle: common.json#/$defs/loopA → common.json#/$defs/loopB → \
             common.json#/$defs/loopB/allOf/0 → common.json#/$defs/loopA"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "contracts/demo/item.json: response.data/properties/price: `$ref` cycle: \
             demo.item:response.data#/properties/price → demo.item:response.data#/properties/price"
        ),
        "{out}"
    );
    assert!(out.contains("2 problem(s)"), "{out}");
}
