//! `progress --api-doc`: the requirement doc's **联调结果** fields.

use super::*;

#[test]
fn the_api_doc_gets_its_results_fields_and_keeps_its_crlf() {
    let c = copies();
    let before = read(&c.api);
    assert!(before.contains("\r\n"));
    let results = write_results(&c.root, "faulted.json", &faulted_run());
    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(&c.root)
        .args(["progress", "--api-doc"])
        .arg(&c.api)
        .arg("--results")
        .arg(&results)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = read(&c.api);
    // Same line count, CRLF everywhere it was.
    assert_eq!(
        before.matches("\r\n").count(),
        after.matches("\r\n").count()
    );
    assert_eq!(before.matches('\n').count(), after.matches('\n').count());
    let (removed, added) = line_changes(&before, &after);
    assert_eq!(removed.len(), added.len());
    for (n, l) in &removed {
        assert_eq!(l, "**联调结果**: 待测试", "line {n}");
    }
    for l in &added {
        assert!(l.starts_with("**联调结果**: 联调"), "{l}");
    }
    // `GET /api/v1/stores/{id}` is described twice: both fields say it failed.
    let failed_store = "**联调结果**: 联调失败 (2026-01-09: 正常请求 schema /data/total)";
    assert_eq!(after.matches(failed_store).count(), 2);
    assert!(after.contains("**联调结果**: 联调失败 (2026-01-09: 后端路由未激活)"));
    assert!(after.contains("**联调结果**: 联调成功 (2026-01-09)"));
    // The blocked order detail says so.
    assert!(after.contains("**联调结果**: 联调中 (2026-01-09: 阻塞: 登录失败: 500)"));
    // Skipped endpoints keep 待测试: the WeChat login section is untouched.
    let wx = after.split("### 1.4 微信授权登录").nth(1).expect("section");
    assert!(wx
        .split("###")
        .next()
        .expect("section")
        .contains("**联调结果**: 待测试"));
    // A later run with the same outcome changes nothing, dates included.
    let mut later = faulted_run();
    later.finished_at = "2026-02-01T09:00:00+08:00".into();
    let later = write_results(&c.root, "later.json", &later);
    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(&c.root)
        .args(["progress", "--check", "--api-doc"])
        .arg(&c.api)
        .arg("--results")
        .arg(&later)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_api_doc_is_read_by_section_and_an_orphan_field_is_an_error() {
    let r = sandbox_run();
    // A deeper heading inside a section does not end it.
    let ok = "### 1.1 登录\r\n\r\n**接口**: `POST /api/v1/auth/login`\r\n\r\n#### 请求参数\r\n\r\n**联调结果**: 待测试\r\n";
    let out = daodao_check::progress::api_doc::update(ok, &r).expect("reads");
    assert_eq!(
        out.text,
        ok.replace("待测试", &format!("联调成功 ({DATE})"))
    );
    // A field whose section names no endpoint cannot be placed.
    let bad = format!("{ok}\r\n### 1.2 其他\r\n\r\n**联调结果**: 待测试\r\n");
    let e = daodao_check::progress::api_doc::update(&bad, &r).expect_err("orphan field");
    assert_eq!(e.line(), Some(11), "{e}");

    // Through the command: neither document is written when one of them cannot be understood.
    let c = copies();
    std::fs::write(&c.api, bad.as_bytes()).expect("write");
    let plan_before = std::fs::read(&c.plan).expect("read");
    let results = write_results(&c.root, "sandbox.json", &r);
    let out = progress(&c, &results, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("小程序端API.md: line 11:"), "{err}");
    assert_eq!(std::fs::read(&c.plan).expect("read"), plan_before);
    assert_eq!(std::fs::read(&c.api).expect("read"), bad.as_bytes());
}
