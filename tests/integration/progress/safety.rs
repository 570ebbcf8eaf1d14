//! How `progress` writes the two documents: never a document its mode forbids, owner, group, mode
//! and hard links kept, no temp file left behind, and the pair replaced together or put back.

use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};

/// `progress` on both copies, with a fault injected at a step of the write (debug builds only).
pub(super) fn progress_with_fault(c: &Copy, results: &Path, fault: &str) -> std::process::Output {
    Command::cargo_bin("daodao-check")
        .expect("binary")
        .current_dir(&c.root)
        .env_remove("DAODAO_OWNER")
        .env("DAODAO_CHECK_TEST_FAULT", fault)
        .args(["progress", "--doc"])
        .arg(&c.plan)
        .arg("--api-doc")
        .arg(&c.api)
        .arg("--results")
        .arg(results)
        .output()
        .expect("runs")
}

/// The files in the copy's directory besides the two documents and the results.
pub(super) fn leftovers(c: &Copy) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(&c.root)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "API对接联调计划.md" && n != "小程序端API.md" && !n.ends_with(".json"))
        .collect();
    v.sort();
    v
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).expect("read")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_read_only_document_is_refused_with_exit_2_and_both_are_left_byte_identical() {
    for read_only in [0, 1] {
        let c = copies();
        let (plan, api) = (bytes(&c.plan), bytes(&c.api));
        let doc = [&c.plan, &c.api][read_only];
        std::fs::set_permissions(doc, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        let results = write_results(&c.root, "sandbox.json", &sandbox_run());
        let out = progress(&c, &results, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{}: not written", doc.display()))
                && err.contains("mode 0444 (r--r--r--)")
                && err.contains("chmod u+w"),
            "{err}"
        );
        assert_eq!(bytes(&c.plan), plan);
        assert_eq!(bytes(&c.api), api);
        assert_eq!(leftovers(&c), Vec::<String>::new());
    }
}

#[test]
fn a_document_with_two_hard_links_is_updated_through_both() {
    let c = copies();
    let elsewhere = c.root.join("team");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    let link = elsewhere.join("计划.md");
    std::fs::hard_link(&c.plan, &link).expect("link");
    let inode = std::fs::metadata(&c.plan).expect("meta").ino();
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let out = progress(&c, &results, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = read(&c.plan);
    assert!(after.contains("**测试结果**: 3/3 接口测试通过"));
    assert_eq!(read(&link), after, "the other link sees the new text");
    let meta = std::fs::metadata(&c.plan).expect("meta");
    assert_eq!((meta.ino(), meta.nlink()), (inode, 2));
    assert_eq!(leftovers(&c), ["team"]);
    assert_eq!(std::fs::read_dir(&elsewhere).expect("dir").count(), 1);
}

#[test]
fn owner_group_and_mode_are_kept() {
    let c = copies();
    // As root (CI) the documents can be handed to nobody (65534), which they must stay; anyone
    // else keeps their own.
    let me = std::fs::metadata(&c.root).expect("meta").uid();
    let owner = if me == 0 { 65534 } else { me };
    for (doc, mode) in [(&c.plan, 0o640), (&c.api, 0o664)] {
        std::os::unix::fs::chown(doc, Some(owner), Some(owner)).expect("chown");
        std::fs::set_permissions(doc, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let out = progress(&c, &results, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (doc, mode) in [(&c.plan, 0o640), (&c.api, 0o664)] {
        let meta = std::fs::metadata(doc).expect("meta");
        assert_eq!(
            (meta.uid(), meta.gid(), meta.mode() & 0o7777),
            (owner, owner, mode),
            "{}",
            doc.display()
        );
    }
    assert!(read(&c.plan).contains("**测试结果**: 3/3 接口测试通过"));
}

/// A user who may write a document but not give a new file its owner: it is written in place,
/// and `progress` says so. Needs root to run the tool as another user.
#[test]
fn a_document_whose_owner_cannot_be_given_is_written_in_place_and_says_so() {
    let c = copies();
    if std::fs::metadata(&c.root).expect("meta").uid() != 0 {
        return;
    }
    let nobody = 65534;
    for p in [&c.root, &c.plan, &c.api] {
        let mode = if p.is_dir() { 0o777 } else { 0o666 };
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    std::fs::set_permissions(&results, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let inode = std::fs::metadata(&c.plan).expect("meta").ino();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("daodao-check"))
        .uid(nobody)
        .gid(nobody)
        .current_dir(&c.root)
        .env_remove("DAODAO_OWNER")
        .args(["progress", "--doc"])
        .arg(&c.plan)
        .arg("--api-doc")
        .arg(&c.api)
        .arg("--results")
        .arg(&results)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&c.plan).contains("**测试结果**: 3/3 接口测试通过"));
    let meta = std::fs::metadata(&c.plan).expect("meta");
    assert_eq!((meta.uid(), meta.gid(), meta.ino()), (0, 0, inode));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "note: {}: owned by uid 0 (gid 0), which you (uid 65534) cannot give a replacement \
             file: written in place instead",
            c.plan.display()
        )),
        "{err}"
    );
    assert_eq!(leftovers(&c), Vec::<String>::new());
}

#[test]
fn no_temp_file_remains_after_a_run_or_a_failed_one_and_stale_ones_are_cleared() {
    let c = copies();
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    // A failed run: the API doc cannot be understood; nothing is written, nothing is left.
    let api = bytes(&c.api);
    std::fs::write(&c.api, b"\xff not UTF-8").expect("write");
    let plan = bytes(&c.plan);
    let out = progress(&c, &results, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(bytes(&c.plan), plan);
    assert_eq!(leftovers(&c), Vec::<String>::new());
    std::fs::write(&c.api, &api).expect("write");

    // What a killed run leaves (unlocked: its process is gone), beside files that are not ours.
    // The backup holds the API doc's text: that run died before replacing it.
    let stale = [
        ".daodao-tmp-API对接联调计划.md-AbCd1234",
        ".daodao-tmp-小程序端API.md-Zz99Yy88",
        ".daodao-tmp-小程序端API.md.daodao-bak-Qq11Ww22",
    ];
    for name in stale {
        std::fs::write(c.root.join(name), "partial").expect("write");
    }
    std::fs::write(c.root.join("小程序端API.md.daodao-bak"), &api).expect("write");
    let kept = [
        ".daodao-tmp-README.md-AbCd1234",
        ".tmpXyZ123",
        "notes.daodao-bak",
    ];
    for name in kept {
        std::fs::write(c.root.join(name), "theirs").expect("write");
    }
    let out = progress(&c, &results, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("temp file(s) left beside it by an interrupted daodao-check run")
            && err.contains("interrupted before it wrote"),
        "{err}"
    );
    let mut want = kept.map(String::from).to_vec();
    want.sort();
    assert_eq!(leftovers(&c), want);
    assert!(read(&c.plan).contains("**测试结果**: 3/3 接口测试通过"));
}

#[cfg_attr(
    not(debug_assertions),
    ignore = "the fault hook is in debug builds only"
)]
#[test]
fn a_failed_second_rename_puts_the_first_document_back() {
    let c = copies();
    let (plan, api) = (bytes(&c.plan), bytes(&c.api));
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let out = progress_with_fault(&c, &results, "fail@commit-2");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("error: {}: renaming ", c.api.display()))
            && err.contains("failure injected at commit-2")
            && err.contains(&format!(
                "{} put back as it was, so no file was changed",
                c.plan.display()
            )),
        "{err}"
    );
    assert!(!err.contains("updated"), "{err}");
    assert_eq!(bytes(&c.plan), plan);
    assert_eq!(bytes(&c.api), api);
    assert_eq!(leftovers(&c), Vec::<String>::new());
}

#[cfg_attr(
    not(debug_assertions),
    ignore = "the fault hook is in debug builds only"
)]
#[test]
fn when_the_first_cannot_be_put_back_either_a_recovery_note_says_what_is_where() {
    let c = copies();
    let (plan, api) = (bytes(&c.plan), bytes(&c.api));
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let out = progress_with_fault(&c, &results, "fail@commit-2,fail@restore-1");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let backup = c.root.join("API对接联调计划.md.daodao-bak");
    assert!(
        err.contains(&format!(
            "New (this run's text):\n  {}\nOld (as before this run):\n  {}\n",
            c.plan.display(),
            c.api.display()
        )) && err.contains(&format!("mv '{}' '{}'", backup.display(), c.plan.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}: updated", c.plan.display())),
        "{err}"
    );
    assert_ne!(bytes(&c.plan), plan);
    assert_eq!(bytes(&c.api), api);
    // The note's way back: the backup is the plan as it was.
    assert_eq!(bytes(&backup), plan);
    assert_eq!(leftovers(&c), ["API对接联调计划.md.daodao-bak"]);
    // Its way forward: the same command again writes the API doc and clears the backup.
    let new_plan = bytes(&c.plan);
    let out = progress(&c, &results, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted after it wrote"),
        "{}",
        stderr(&out)
    );
    assert_eq!(bytes(&c.plan), new_plan);
    assert!(read(&c.api).contains("**联调结果**: 联调成功 (2026-01-09)"));
    assert_eq!(leftovers(&c), Vec::<String>::new());
}

#[cfg_attr(
    not(debug_assertions),
    ignore = "the fault hook is in debug builds only"
)]
#[test]
fn sigterm_during_the_write_takes_effect_once_both_are_in_place() {
    for step in ["staged-1", "commit-1"] {
        let c = copies();
        let results = write_results(&c.root, "sandbox.json", &sandbox_run());
        let out = progress_with_fault(&c, &results, &format!("term@{step}"));
        assert_eq!(out.status.signal(), Some(15), "{step}: {}", stderr(&out));
        assert!(
            read(&c.plan).contains("**测试结果**: 3/3 接口测试通过"),
            "{step}"
        );
        assert!(
            read(&c.api).contains("**联调结果**: 联调成功 (2026-01-09)"),
            "{step}"
        );
        assert_eq!(leftovers(&c), Vec::<String>::new(), "{step}");
    }
}
