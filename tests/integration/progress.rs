//! `progress`: the plan and the requirement doc updated in place, on temp copies of the real ones.

use crate::report_support::{full_run, skipped_in_catalogue};
use assert_cmd::Command;
use daodao_check::result::{RunResult, Status};
use std::path::{Path, PathBuf};

mod api_doc;
mod kill;
mod marks;
mod modes;
mod safety;

const PLAN_DOC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/docs/API对接联调计划.md"
);
const API_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/docs/小程序端API.md");

/// The date the fixture's results carry.
const DATE: &str = "2026-01-09";

struct Copy {
    _dir: tempfile::TempDir,
    root: PathBuf,
    plan: PathBuf,
    api: PathBuf,
}

/// Writable copies of the real documents (the originals are read-only and never touched).
fn copies() -> Copy {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let plan = root.join("API对接联调计划.md");
    let api = root.join("小程序端API.md");
    std::fs::write(&plan, std::fs::read(PLAN_DOC).expect("the plan doc")).expect("copy");
    std::fs::write(&api, std::fs::read(API_DOC).expect("the API doc")).expect("copy");
    Copy {
        _dir: dir,
        root,
        plan,
        api,
    }
}

fn write_results(dir: &Path, name: &str, r: &RunResult) -> PathBuf {
    let p = dir.join(name);
    r.write(&p).expect("results");
    p
}

/// What the sandbox gives: everything passes but the endpoints the catalogue skips.
fn sandbox_run() -> RunResult {
    full_run(|_, _, ep| {
        Some(if skipped_in_catalogue(ep) {
            Status::Skipped
        } else {
            Status::Passed
        })
    })
}

/// A faulted sandbox: payments not mounted, a schema fault in a store, a blocked order detail.
fn faulted_run() -> RunResult {
    full_run(|_, module, ep| {
        Some(match (module, ep) {
            (_, e) if skipped_in_catalogue(e) => Status::Skipped,
            ("payments", _) => Status::NotActivated,
            (_, "GET /api/v1/stores/{id}") => Status::Failed,
            (_, "GET /api/v1/orders/{orderId}") => Status::Blocked,
            _ => Status::Passed,
        })
    })
}

fn progress(c: &Copy, results: &Path, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(&c.root)
        .env_remove("DAODAO_OWNER")
        .args(["progress", "--doc"])
        .arg(&c.plan)
        .arg("--api-doc")
        .arg(&c.api)
        .arg("--results")
        .arg(results)
        .args(extra)
        .output()
        .expect("runs")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read")
}

/// Lines removed from `old` (1-based numbers) and lines added, by a line diff.
fn line_changes(old: &str, new: &str) -> (Vec<(usize, String)>, Vec<String>) {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut removed = vec![];
    let mut added = vec![];
    for c in diff.iter_all_changes() {
        let text = c.value().trim_end_matches(['\n', '\r']).to_string();
        match c.tag() {
            similar::ChangeTag::Delete => {
                removed.push((c.old_index().expect("old index") + 1, text))
            }
            similar::ChangeTag::Insert => added.push(text),
            similar::ChangeTag::Equal => {}
        }
    }
    (removed, added)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The plan's unmarked endpoint lines (phases four to eight): `N. \`EP\` - NAME`.
fn unmarked_endpoint_lines(doc: &str) -> Vec<(usize, String, String, String)> {
    let re = regex::Regex::new(r"^(\d+\. )`((?:GET|POST|PUT|DELETE) [^`]+)` - (.+)$").expect("re");
    doc.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            re.captures(l)
                .map(|c| (i + 1, c[1].to_string(), c[2].to_string(), c[3].to_string()))
        })
        .collect()
}

#[test]
fn sandbox_run_makes_exactly_the_expected_edits_and_is_idempotent() {
    let c = copies();
    let before = read(&c.plan);
    let api_before = read(&c.api);
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let out = progress(&c, &results, &["--owner", "测试组"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = read(&c.plan);
    let (removed, added) = line_changes(&before, &after);

    // Removed: every endpoint line of phases four to eight (they had no mark), the two 测试结果
    // lines whose wording changes, the eight 进度表 rows (owner, and phases three to eight), and
    // the two 按状态统计 numbers. Every line of phases one to three that is already ✅ or ⏸️ with
    // the same reason stays as it was.
    let unmarked = unmarked_endpoint_lines(&before);
    assert_eq!(unmarked.len(), 3 + 21 + 26 + 30 + 23);
    let mut want_removed: Vec<usize> = unmarked.iter().map(|u| u.0).collect();
    want_removed.extend([98, 134]);
    want_removed.extend(659..=666);
    want_removed.extend([424, 425]);
    want_removed.sort();
    assert_eq!(
        removed.iter().map(|r| r.0).collect::<Vec<_>>(),
        want_removed,
        "removed lines: {removed:#?}"
    );

    let mut want_added: Vec<String> = unmarked
        .iter()
        .map(|(_, n, ep, name)| {
            if skipped_in_catalogue(ep) {
                format!("{n}⏸️ `{ep}` - {name} (需文件上传)")
            } else {
                format!("{n}✅ `{ep}` - {name} (已测试通过)")
            }
        })
        .collect();
    want_added.extend([
        "**测试结果**: 9/10 接口测试通过 (微信授权登录: 需小程序环境)".to_string(),
        "**测试结果**: 11/12 接口测试通过 (锁定车辆库存: 前端Mock实现)".to_string(),
    ]);
    // Phases four to eight get the 测试结果 line after their API list, with the 完成时间.
    for line in [
        "**测试结果**: 3/3 接口测试通过",
        "**测试结果**: 21/21 接口测试通过",
        "**测试结果**: 26/26 接口测试通过",
        "**测试结果**: 29/30 接口测试通过 (上传评价图片: 需文件上传)",
        "**测试结果**: 22/23 接口测试通过 (上传图片: 需文件上传)",
    ] {
        want_added.extend([
            String::new(),
            line.to_string(),
            format!("**完成时间**: {DATE}"),
        ]);
    }
    want_added.extend([
        "| 阶段一 | 用户认证 | 10 | ✅ 已完成 | 2026-01-06 | 测试组 |".to_string(),
        "| 阶段二 | 房车租赁 | 12 | ✅ 已完成 | 2026-01-07 | 测试组 |".to_string(),
        // Phase three's section already says 完成时间 2026-01-08: that date is kept.
        "| 阶段三 | 支付流程 | 5 | ✅ 已完成 | 2026-01-08 | 测试组 |".to_string(),
        format!("| 阶段四 | 门店管理 | 3 | ✅ 已完成 | {DATE} | 测试组 |"),
        format!("| 阶段五 | 业务扩展 | 21 | ✅ 已完成 | {DATE} | 测试组 |"),
        format!("| 阶段六 | 托管众筹 | 26 | ✅ 已完成 | {DATE} | 测试组 |"),
        format!("| 阶段七 | 用户互动 | 30 | ✅ 已完成 | {DATE} | 测试组 |"),
        // The table's 21 is the team's number: warned about, not changed.
        format!("| 阶段八 | 社区辅助 | 21 | ✅ 已完成 | {DATE} | 测试组 |"),
        "- 🟢 **后端已激活**: 130个接口（认证、用户、房车、订单）".to_string(),
        "- 🟡 **后端待激活**: 0个接口（其他15个模块）".to_string(),
    ]);
    assert_eq!(sorted(added.clone()), sorted(want_added));

    // The inserted lines sit after the API lists, as in phase three; e.g. phase four:
    assert!(after.contains(
        "3. ✅ `GET /api/v1/stores/{id}` - 获取门店详情 (已测试通过)\n\n**测试结果**: 3/3 接口测试通过\n**完成时间**: 2026-01-09\n\n**联调步骤**:\n1. 激活后端 `storeRoutes`"
    ));

    // The plan's own inconsistent numbers are warned about.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 365: 阶段八 says 21 个接口 but lists 23"),
        "{err}"
    );
    assert!(
        err.contains("line 420: 按模块统计 总计 says 128 but the phases list 130"),
        "{err}"
    );
    assert!(
        err.contains("line 666: the 联调进度表 gives 阶段八 21 接口 but the plan lists 23"),
        "{err}"
    );

    // Twice: nothing changes the second time, and --check agrees.
    let api_after = read(&c.api);
    assert_ne!(api_after, api_before);
    let again = progress(&c, &results, &["--owner", "测试组"]);
    assert!(again.status.success());
    assert_eq!(read(&c.plan), after);
    assert_eq!(read(&c.api), api_after);
    let check = progress(&c, &results, &["--owner", "测试组", "--check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn faulted_run_marks_the_failures_and_then_the_fix() {
    let c = copies();
    let before = read(&c.plan);
    let results = write_results(&c.root, "faulted.json", &faulted_run());
    let out = progress(&c, &results, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = read(&c.plan);
    let (removed, added) = line_changes(&before, &after);
    let has = |line: &str| added.iter().any(|a| a == line);
    // Not activated, with the plan's ❌.
    assert!(has(
        "1. ❌ `POST /api/v1/payments` - 创建支付订单 (后端路由未激活)"
    ));
    assert!(has(
        "2. ❌ `GET /api/v1/payments/{paymentNo}/status` - 查询支付状态 (后端路由未激活)"
    ));
    // A schema failure says which case, check and path.
    assert!(has(
        "3. ❌ `GET /api/v1/stores/{id}` - 获取门店详情 (测试失败: 正常请求 schema /data/total)"
    ));
    // Phase three: 3/5, no longer complete: 完成时间 and 完成日期 become "-".
    assert!(has("**测试结果**: 3/5 接口测试通过 (2 个后端路由未激活)"));
    assert!(
        removed.iter().any(|r| r.0 == 156),
        "完成时间 of phase three"
    );
    assert!(has("**完成时间**: -"));
    assert!(has("| 阶段三 | 支付流程 | 5 | ❌ 有问题 | - | - |"));
    // Phase two: the blocked order detail loses its ✅ and says why; the phase has a problem.
    assert!(has(
        "9. ⏸️ `GET /api/v1/orders/{orderId}` - 获取订单详情 (阻塞: 登录失败: 500)"
    ));
    assert!(has(
        "**测试结果**: 10/12 接口测试通过 (获取订单详情: 阻塞; 锁定车辆库存: 前端Mock实现)"
    ));
    assert!(has(
        "| 阶段二 | 房车租赁 | 12 | ❌ 有问题 | - | Claude Code |"
    ));
    // Phase four: 2/3 without a 完成时间; the row says 有问题.
    assert!(has(
        "**测试结果**: 2/3 接口测试通过 (获取门店详情: 测试失败)"
    ));
    assert!(has("| 阶段四 | 门店管理 | 3 | ❌ 有问题 | - | - |"));
    // The activation counts: the two payments endpoints hit the catch-all.
    assert!(has(
        "- 🟢 **后端已激活**: 128个接口（认证、用户、房车、订单）"
    ));
    assert!(has("- 🟡 **后端待激活**: 2个接口（其他15个模块）"));
    // Every changed line is one the tool owns.
    let owned = regex::Regex::new(
        r"^(\d+\. [✅❌⏸🔄]|\*\*测试结果\*\*|\*\*完成时间\*\*|\| 阶段|- 🟢 \*\*后端已激活|- 🟡 \*\*后端待激活|$)",
    )
    .expect("re");
    for (n, l) in &removed {
        assert!(
            owned.is_match(l) || l.contains("` - "),
            "line {n} changed: {l}"
        );
    }
    for l in &added {
        assert!(owned.is_match(l), "added: {l}");
    }
    // Idempotent.
    assert!(progress(&c, &results, &[]).status.success());
    assert_eq!(read(&c.plan), after);

    // The fix: the next run passes; the phases complete with the new run's date.
    let fixed = write_results(&c.root, "fixed.json", &sandbox_run());
    assert!(progress(&c, &fixed, &[]).status.success());
    let done = read(&c.plan);
    assert!(done.contains("1. ✅ `POST /api/v1/payments` - 创建支付订单 (已测试通过)"));
    assert!(done.contains(&format!(
        "| 阶段三 | 支付流程 | 5 | ✅ 已完成 | {DATE} | - |"
    )));
    assert!(done.contains(&format!(
        "**测试结果**: 5/5 接口测试通过\n**完成时间**: {DATE}"
    )));
}

#[test]
fn endpoints_not_run_keep_their_marks_and_other_phases_stay() {
    let c = copies();
    let before = read(&c.plan);
    // Only phase four ran, and only two of its endpoints.
    let r = full_run(|phase, _, ep| {
        (phase == 4 && ep != "GET /api/v1/stores/{id}").then_some(Status::Passed)
    });
    let results = write_results(&c.root, "p4.json", &r);
    let out = progress(&c, &results, &[]);
    assert!(out.status.success());
    let after = read(&c.plan);
    let (removed, added) = line_changes(&before, &after);
    assert_eq!(
        removed.iter().map(|r| r.0).collect::<Vec<_>>(),
        [178, 179, 662],
        "{removed:#?}"
    );
    assert_eq!(
        sorted(added),
        sorted(
            [
                "1. ✅ `GET /api/v1/stores/cities` - 获取城市列表 (已测试通过)",
                "2. ✅ `GET /api/v1/stores` - 获取门店列表 (已测试通过)",
                "",
                "**测试结果**: 2/3 接口测试通过 (获取门店详情: 未测试)",
                "| 阶段四 | 门店管理 | 3 | 🔄 进行中 | - | - |",
            ]
            .map(String::from)
            .to_vec()
        )
    );
    // Not complete: no 完成时间.
    assert!(after.contains("3. `GET /api/v1/stores/{id}` - 获取门店详情\n\n**测试结果**: 2/3 接口测试通过 (获取门店详情: 未测试)\n\n**联调步骤**:"));
    // 按状态统计 cannot be counted from a partial run: left, with a warning.
    assert!(String::from_utf8_lossy(&out.stderr).contains("按状态统计 not updated"));
}

/// Every way of breaking the plan that the tool must refuse, with the line it names.
#[test]
fn a_document_it_cannot_understand_is_an_error_naming_the_line_and_nothing_is_touched() {
    let original = std::fs::read_to_string(PLAN_DOC).expect("plan");
    let cases: [(&str, &str, &str); 5] = [
        ("### 阶段四：门店管理", "### 阶段4：门店管理", "line 170:"),
        (
            "| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 |",
            "| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 | 备注 |",
            "line 657:",
        ),
        ("### 联调进度表", "### 进度", "no 联调进度表"),
        (
            "1. `GET /api/v1/stores/cities` - 获取城市列表",
            "1. `GET /api/v1/stores/cities` 获取城市列表",
            "line 178:",
        ),
        ("| 阶段五 | 业务扩展 |", "| 第五 | 业务扩展 |", "line 663:"),
    ];
    for (from, to, want) in cases {
        let c = copies();
        assert!(original.contains(from), "{from}");
        std::fs::write(&c.plan, original.replacen(from, to, 1)).expect("write");
        let plan_before = std::fs::read(&c.plan).expect("read");
        let api_before = std::fs::read(&c.api).expect("read");
        let mtime = std::fs::metadata(&c.plan)
            .and_then(|m| m.modified())
            .expect("mtime");
        let results = write_results(&c.root, "sandbox.json", &sandbox_run());
        let out = progress(&c, &results, &[]);
        assert_eq!(out.status.code(), Some(2), "{to}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(want) && err.contains("API对接联调计划.md"),
            "{to}: {err}"
        );
        assert_eq!(std::fs::read(&c.plan).expect("read"), plan_before);
        assert_eq!(
            std::fs::metadata(&c.plan)
                .and_then(|m| m.modified())
                .expect("mtime"),
            mtime
        );
        // The other document is not written either.
        assert_eq!(std::fs::read(&c.api).expect("read"), api_before);
        let leftovers = std::fs::read_dir(&c.root).expect("dir").count();
        assert_eq!(leftovers, 3, "no temp file is left");
    }
}

#[test]
fn a_crlf_plan_stays_crlf_inserted_lines_included_and_permissions_stay() {
    use std::os::unix::fs::PermissionsExt;
    let c = copies();
    let crlf = read(&c.plan).replace('\n', "\r\n");
    std::fs::write(&c.plan, &crlf).expect("write");
    std::fs::set_permissions(&c.plan, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    assert!(progress(&c, &results, &[]).status.success());
    let after = read(&c.plan);
    assert_ne!(after, crlf);
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count());
    assert!(after.contains(
        "\r\n\r\n**测试结果**: 3/3 接口测试通过\r\n**完成时间**: 2026-01-09\r\n\r\n**联调步骤**:"
    ));
    let mode = std::fs::metadata(&c.plan)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644);
}

/// The library function, for the twice-idempotent property on the text itself.
#[test]
fn the_update_is_a_fixed_point() {
    let text = std::fs::read_to_string(PLAN_DOC).expect("plan");
    for r in [sandbox_run(), faulted_run()] {
        let once = daodao_check::progress::plan_doc::update(&text, &r, Some("X"))
            .expect("updates")
            .text;
        let twice = daodao_check::progress::plan_doc::update(&once, &r, Some("X"))
            .expect("updates")
            .text;
        assert_eq!(once, twice);
        let api = std::fs::read_to_string(API_DOC).expect("api doc");
        let once = daodao_check::progress::api_doc::update(&api, &r)
            .expect("updates")
            .text;
        let twice = daodao_check::progress::api_doc::update(&once, &r)
            .expect("updates")
            .text;
        assert_eq!(once, twice);
    }
}

#[test]
fn inserted_lines_keep_a_document_without_a_final_newline_so() {
    use daodao_check::docs::{Doc, Edits};
    // Lines are numbered from 1.
    let doc = Doc::parse("a\r\nb");
    let mut e = Edits::default();
    e.insert_after(2, vec!["c".into()]);
    e.insert_after(1, vec!["a2".into()]);
    assert_eq!(doc.apply(&e), "a\r\na2\r\nb\r\nc");
    // Fences hide what is inside them.
    let doc = Doc::parse("```markdown\n## 问题\n```\n## 真的\n");
    assert!(doc.heading(2).is_none());
    assert_eq!(doc.heading(4), Some((2, "真的")));
}
