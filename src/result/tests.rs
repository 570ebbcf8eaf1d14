use super::*;

fn empty_run() -> RunResult {
    RunResult {
        schema_version: SCHEMA_VERSION,
        tool: "daodao-check test".into(),
        started_at: "2025-01-01T10:00:00+08:00".into(),
        finished_at: "2025-01-01T10:00:01+08:00".into(),
        duration_ms: 1000.0,
        env: "local".into(),
        base_url: "http://127.0.0.1:3001/api/v1".into(),
        selection: "phase all".into(),
        latency_budget_ms: 2000,
        endpoints: vec![],
        scenarios: vec![],
        setups: vec![],
        summary: RunResult::summarise(&[], &[]),
        missing_accounts: vec![],
        sandbox: None,
        proxy: None,
        partition: None,
        not_run: None,
        route_hint: None,
        notes: vec![],
    }
}

/// Reads `text` back as a result file.
fn read_text(text: &str) -> (tempfile::TempDir, Result<RunResult, ResultFileError>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("last-run.json");
    std::fs::write(&path, text).expect("write");
    let read = RunResult::read(&path);
    (dir, read)
}

#[test]
fn control_characters_in_a_result_file_are_escaped_when_it_is_read() {
    let mut run = empty_run();
    run.endpoints.push(EndpointResult {
        id: "a.b".into(),
        endpoint: "GET /a".into(),
        method: "GET".into(),
        path: "/a".into(),
        phase: 1,
        module: "a".into(),
        name: "a".into(),
        status: Status::Failed,
        reason: Some("x\u{1b}[2J\rPASS 通过".into()),
        latency_ms: None,
        cases: vec![],
        attempts: 1,
        earlier_attempts: vec![],
    });
    let text = serde_json::to_string(&run).expect("serialises");
    let (_dir, back) = read_text(&text);
    let back = back.expect("reads");
    assert_eq!(
        back.endpoints[0].reason.as_deref(),
        Some("x\\e[2J\\rPASS 通过")
    );
}

#[test]
fn a_written_result_reads_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reports/last-run.json");
    empty_run().write(&path).expect("writes");
    let back = RunResult::read(&path).expect("reads back");
    assert_eq!(back.selection, "phase all");
    assert!(back.passed());
}

#[test]
fn the_sandbox_profile_is_written_only_when_there_is_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("last-run.json");
    empty_run().write(&path).expect("writes");
    assert!(!std::fs::read_to_string(&path)
        .expect("read")
        .contains("\"sandbox\""));
    assert_eq!(RunResult::read(&path).expect("reads").sandbox, None);
    let mut sandboxed = empty_run();
    sandboxed.sandbox = Some("clean".into());
    sandboxed.write(&path).expect("writes");
    assert!(std::fs::read_to_string(&path)
        .expect("read")
        .contains("\"sandbox\": \"clean\""));
    assert_eq!(
        RunResult::read(&path).expect("reads").sandbox.as_deref(),
        Some("clean")
    );
}

#[test]
fn a_missing_file_is_unreadable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = RunResult::read(&dir.path().join("nope.json")).expect_err("no file");
    assert!(matches!(err, ResultFileError::Unreadable { .. }), "{err:?}");
}

#[test]
fn each_bad_content_is_its_own_error() {
    let (_d, r) = read_text("{ not json");
    assert!(matches!(r, Err(ResultFileError::NotJson { .. })), "{r:?}");
    let (_d, r) = read_text("{\"schema_version\": 0}");
    assert!(
        matches!(
            r,
            Err(ResultFileError::SchemaVersion { found: Some(0), .. })
        ),
        "{r:?}"
    );
    let (_d, r) = read_text("{\"endpoints\": []}");
    assert!(
        matches!(r, Err(ResultFileError::SchemaVersion { found: None, .. })),
        "{r:?}"
    );
    let (_d, r) = read_text(&format!("{{\"schema_version\": {SCHEMA_VERSION}}}"));
    assert!(matches!(r, Err(ResultFileError::Malformed { .. })), "{r:?}");
}

#[test]
fn a_wrong_version_says_how_to_fix_it() {
    let (dir, r) = read_text("{\"schema_version\": 0}");
    let message = r.expect_err("version 0").to_string();
    assert_eq!(
        message,
        format!(
            "{}: schema_version Some(0) is not {SCHEMA_VERSION}; re-run to regenerate it",
            dir.path().join("last-run.json").display()
        )
    );
}

#[test]
fn a_version_2_result_still_reads_and_reads_as_this_version() {
    let mut old = serde_json::to_value(empty_run()).expect("json");
    old["schema_version"] = serde_json::json!(2);
    old["scenarios"] = serde_json::json!([{
        "name": "auth-flow", "title": "t", "phase": 1, "file": "scenarios/phase-1-auth.toml",
        "status": "passed", "steps": []
    }]);
    let (_d, r) = read_text(&old.to_string());
    let r = r.expect("a version 2 file reads");
    assert_eq!(r.schema_version, SCHEMA_VERSION);
    assert_eq!(r.scenarios[0].phase, ScenarioPhase::Plan(1));
    assert!(r.missing_accounts.is_empty());
}
