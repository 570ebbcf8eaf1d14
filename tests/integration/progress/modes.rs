//! How `progress` is asked: which results it takes, whose name goes in 负责人, previews and checks.

use super::*;

#[test]
fn sandbox_results_are_refused_unless_allowed() {
    let c = copies();
    let plan_before = std::fs::read(&c.plan).expect("read");
    let api_before = std::fs::read(&c.api).expect("read");
    let mut sandboxed = sandbox_run();
    sandboxed.sandbox = Some("clean".into());
    let results = write_results(&c.root, "last-run.json", &sandboxed);
    for extra in [&[][..], &["--check"], &["--dry-run"]] {
        let out = progress(&c, &results, extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{}: ", results.display()))
                && err.contains("embedded sandbox (profile `clean`)")
                && err.contains("`daodao-check phase all`, without --sandbox")
                && err.contains("--allow-sandbox"),
            "{err}"
        );
        assert_eq!(std::fs::read(&c.plan).expect("read"), plan_before);
        assert_eq!(std::fs::read(&c.api).expect("read"), api_before);
    }
    let out = progress(&c, &results, &["--allow-sandbox"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let allowed = read(&c.plan);
    assert!(allowed.contains("**测试结果**: 3/3 接口测试通过"));

    // The same results from a backend (no `sandbox`) are written without asking.
    let real = copies();
    let results = write_results(&real.root, "last-run.json", &sandbox_run());
    assert!(progress(&real, &results, &[]).status.success());
    assert_eq!(read(&real.plan), allowed);
}

#[test]
fn existing_owners_stay_unless_an_owner_is_given() {
    let c = copies();
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    // No --owner, no DAODAO_OWNER, no config: every 负责人 stays as written.
    assert!(progress(&c, &results, &[]).status.success());
    let after = read(&c.plan);
    assert!(after.contains("| 阶段一 | 用户认证 | 10 | ✅ 已完成 | 2026-01-06 | Claude Code |"));
    assert!(after.contains("| 阶段三 | 支付流程 | 5 | ✅ 已完成 | 2026-01-08 | - |"));
    // `[progress] owner` of the project's config: every phase that ran gets it.
    std::fs::write(
        c.root.join("daodao-check.toml"),
        "[progress]\nowner = \"王五\"\n",
    )
    .expect("config");
    assert!(progress(&c, &results, &[]).status.success());
    let after = read(&c.plan);
    assert!(after.contains("| 阶段一 | 用户认证 | 10 | ✅ 已完成 | 2026-01-06 | 王五 |"));
    assert!(after.contains(&format!(
        "| 阶段八 | 社区辅助 | 21 | ✅ 已完成 | {DATE} | 王五 |"
    )));
    // --owner wins over the config.
    assert!(progress(&c, &results, &["--owner", "赵六"])
        .status
        .success());
    assert!(read(&c.plan).contains("| 阶段一 | 用户认证 | 10 | ✅ 已完成 | 2026-01-06 | 赵六 |"));
}

#[test]
fn the_owner_comes_from_the_environment_too() {
    let c = copies();
    let r = full_run(|phase, _, _| (phase == 4).then_some(Status::Passed));
    let results = write_results(&c.root, "p4.json", &r);
    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(&c.root)
        .env("DAODAO_OWNER", "李四")
        .args(["progress", "--doc"])
        .arg(&c.plan)
        .arg("--results")
        .arg(&results)
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(read(&c.plan).contains(&format!(
        "| 阶段四 | 门店管理 | 3 | ✅ 已完成 | {DATE} | 李四 |"
    )));
    // An owner that would break the table is refused.
    let out = progress(&c, &results, &["--owner", "a|b"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn dry_run_prints_a_unified_diff_and_writes_nothing() {
    let c = copies();
    let before = std::fs::read(&c.plan).expect("read");
    let api_before = std::fs::read(&c.api).expect("read");
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let out = progress(&c, &results, &["--dry-run"]);
    assert!(out.status.success());
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains(&format!("--- {}", c.plan.display())),
        "{diff}"
    );
    assert!(diff.contains(&format!("+++ {}", c.plan.display())));
    assert!(diff.contains("@@ -175,"));
    assert!(diff.contains("\n-1. `GET /api/v1/stores/cities` - 获取城市列表\n"));
    assert!(diff.contains("\n+1. ✅ `GET /api/v1/stores/cities` - 获取城市列表 (已测试通过)\n"));
    assert!(diff.contains("+**联调结果**: 联调成功 (2026-01-09)\r\n"));
    assert_eq!(std::fs::read(&c.plan).expect("read"), before);
    assert_eq!(std::fs::read(&c.api).expect("read"), api_before);
}

#[test]
fn check_exits_1_when_out_of_date_and_0_after_the_update() {
    let c = copies();
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let before = std::fs::read(&c.plan).expect("read");
    let out = progress(&c, &results, &["--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would change"));
    assert_eq!(std::fs::read(&c.plan).expect("read"), before);
    assert!(progress(&c, &results, &[]).status.success());
    assert_eq!(progress(&c, &results, &["--check"]).status.code(), Some(0));
}

#[test]
fn progress_without_a_document_is_a_usage_error() {
    let out = Command::cargo_bin("daodao-check")
        .expect("binary")
        .args(["progress", "--results", "x.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--doc"));
}
