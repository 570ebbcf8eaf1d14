//! The write strategy on real files in temp dirs. Failures injected mid-write and kills are tested
//! on the command line (tests/integration/progress/safety.rs), where they cannot disturb other
//! tests.

use super::staged::{backup_name, Locked};
use super::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("meta").permissions().mode() & 0o7777
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into())
        .collect();
    v.sort();
    v
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_new_file_gets_0644_an_existing_one_keeps_its_mode_a_private_one_0600() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = dir.path().join("reports/new.json");
    write(&new, b"{}\n").expect("write");
    assert_eq!(fs::read(&new).expect("read"), b"{}\n");
    assert_eq!(mode(&new), 0o644);
    chmod(&new, 0o640);
    write(&new, b"[]\n").expect("write");
    assert_eq!(fs::read(&new).expect("read"), b"[]\n");
    assert_eq!(mode(&new), 0o640);
    let secret = dir.path().join("reports/session.env");
    fs::write(&secret, "old").expect("write");
    chmod(&secret, 0o644);
    write_private(&secret, b"TOKEN=x\n").expect("write");
    assert_eq!(mode(&secret), 0o600);
    assert_eq!(
        names(&dir.path().join("reports")),
        ["new.json", "session.env"]
    );
}

#[test]
fn a_read_only_file_is_refused_and_left_as_it_was_even_for_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    fs::write(&doc, "old").expect("write");
    chmod(&doc, 0o444);
    let other = dir.path().join("other.md");
    fs::write(&other, "old").expect("write");
    let e = write_together(&[(other.as_path(), b"new"), (doc.as_path(), b"new")])
        .expect_err("read-only");
    assert!(
        matches!(e, WriteError::ReadOnly { mode: 0o444, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("mode 0444 (r--r--r--)"), "{e}");
    assert_eq!(fs::read(&doc).expect("read"), b"old");
    assert_eq!(
        fs::read(&other).expect("read"),
        b"old",
        "the other is untouched"
    );
    assert_eq!(names(dir.path()), ["doc.md", "other.md"]);
}

#[test]
fn a_directory_that_may_not_be_written_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("docs");
    fs::create_dir(&sub).expect("mkdir");
    let doc = sub.join("doc.md");
    fs::write(&doc, "old").expect("write");
    chmod(&sub, 0o555);
    let e = write(&doc, b"new").expect_err("directory read-only");
    chmod(&sub, 0o755);
    assert!(
        matches!(e, WriteError::DirNotWritable { mode: 0o555, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("create the temp file"), "{e}");
    assert_eq!(fs::read(&doc).expect("read"), b"old");
}

#[test]
fn a_file_with_two_hard_links_is_written_in_place_through_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    let link = dir.path().join("link.md");
    fs::write(&doc, "old").expect("write");
    fs::hard_link(&doc, &link).expect("link");
    let inode = fs::metadata(&doc).expect("meta").ino();
    write(&doc, b"new text").expect("write");
    assert_eq!(fs::read(&link).expect("read"), b"new text");
    assert_eq!(fs::metadata(&doc).expect("meta").ino(), inode);
    assert_eq!(fs::metadata(&doc).expect("meta").nlink(), 2);
    assert_eq!(
        names(dir.path()),
        ["doc.md", "link.md"],
        "temp and backup gone"
    );
    // Shorter text is not followed by the old tail.
    write(&link, b"n").expect("write");
    assert_eq!(fs::read(&doc).expect("read"), b"n");
}

#[test]
fn a_symlink_keeps_pointing_at_its_target_which_gets_the_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real.md");
    let link = dir.path().join("link.md");
    fs::write(&real, "old").expect("write");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    write(&link, b"new").expect("write");
    assert!(fs::symlink_metadata(&link).expect("meta").is_symlink());
    assert_eq!(fs::read(&real).expect("read"), b"new");
}

#[test]
fn the_owner_and_group_are_kept_where_the_user_may_give_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    fs::write(&doc, "old").expect("write");
    let me = platform::current_user();
    // Root can hand the file to nobody (65534) and so must keep it so; anyone else can only
    // check that their own file stays theirs.
    let owner = if me.uid == 0 { 65534 } else { me.uid };
    std::os::unix::fs::chown(&doc, Some(owner), Some(owner)).expect("chown");
    chmod(&doc, 0o664);
    write(&doc, b"new").expect("write");
    let meta = fs::metadata(&doc).expect("meta");
    assert_eq!((meta.uid(), meta.gid(), mode(&doc)), (owner, owner, 0o664));
}

#[test]
fn the_same_file_twice_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    fs::write(&doc, "old").expect("write");
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&doc, &link).expect("symlink");
    let e = write_together(&[(doc.as_path(), b"a"), (link.as_path(), b"b")]).expect_err("twice");
    assert!(matches!(e, WriteError::Twice { .. }), "{e:?}");
    assert_eq!(fs::read(&doc).expect("read"), b"old");
}

/// A file of a dead run: made, then its lock let go.
fn left_over(dir: &Path, name: &str, text: &str) -> PathBuf {
    let mut t = Locked::temp(dir, std::ffi::OsStr::new(name)).expect("temp");
    fs::write(&t.path, text).expect("write");
    t.keep();
    t.path.clone()
}

#[test]
fn what_a_dead_run_left_is_described_then_cleared_by_the_next_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    fs::write(&doc, "new").expect("write");
    left_over(dir.path(), "doc.md", "half");
    left_over(dir.path(), "doc.md.daodao-bak", "ha");
    // Someone else's temp file, and another document's, are not ours to touch.
    fs::write(dir.path().join(".tmpAbC123"), "").expect("write");
    let other = left_over(dir.path(), "other.md", "x");
    // The backup differs from the file and no temp file holds new text for it... except the one
    // above, which is not the file's text either: a torn file.
    let bak = dir.path().join(backup_name("doc.md".as_ref()));
    fs::write(&bak, "old").expect("write");
    let e = leftovers(&[&doc]).expect_err("torn");
    assert!(matches!(e, WriteError::Torn { .. }), "{e:?}");
    assert!(e.to_string().contains("cp '"), "{e}");
    assert!(write(&doc, b"newer").is_err(), "nothing is written");
    assert_eq!(fs::read(&doc).expect("read"), b"new");

    // Once the file is the text the dead run was writing, it was replaced: notes, then cleared.
    fs::write(&doc, "half").expect("write");
    let notes = leftovers(&[&doc]).expect("notes");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].contains("temp file(s) left beside it"),
        "{notes:?}"
    );
    assert!(notes[1].contains("interrupted after it wrote"), "{notes:?}");
    write(&doc, b"newer").expect("write");
    assert_eq!(fs::read(&doc).expect("read"), b"newer");
    let left = names(dir.path());
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left.contains(&".tmpAbC123".to_string()));
    assert!(other.exists());
}

#[test]
fn a_backup_equal_to_its_file_is_cleared_and_one_whose_file_is_gone_stays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    fs::write(&doc, "same").expect("write");
    let bak = dir.path().join("doc.md.daodao-bak");
    fs::write(&bak, "same").expect("write");
    let notes = leftovers(&[&doc]).expect("notes");
    assert!(
        notes[0].contains("interrupted before it wrote"),
        "{notes:?}"
    );
    write(&doc, b"new").expect("write");
    assert!(!bak.exists());

    let gone = dir.path().join("gone.md");
    let orphan = dir.path().join("gone.md.daodao-bak");
    fs::write(&orphan, "kept").expect("write");
    assert!(leftovers(&[&gone]).expect("notes")[0].contains("is gone; left alone"));
    write(&gone, b"new").expect("write");
    assert_eq!(fs::read(&orphan).expect("read"), b"kept");
}

#[test]
fn a_live_runs_files_are_left_alone_and_stop_the_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc.md");
    fs::write(&doc, "old").expect("write");
    let live = Locked::temp(dir.path(), "doc.md".as_ref()).expect("temp");
    let e = write(&doc, b"new").expect_err("busy");
    assert!(matches!(e, WriteError::Busy { .. }), "{e:?}");
    assert!(e.to_string().contains("another daodao-check run"), "{e}");
    assert!(live.path.exists());
    assert_eq!(fs::read(&doc).expect("read"), b"old");
    drop(live);
    write(&doc, b"new").expect("write once the other run is gone");
}

#[test]
fn suggested_commands_quote_paths_for_the_shell() {
    assert_eq!(quoted(Path::new("/d/it's.md")), r"'/d/it'\''s.md'");
}

#[test]
fn a_recovery_note_says_which_file_is_new_which_old_and_how_to_go_either_way() {
    let e = WriteError::Partial {
        cause: Box::new(WriteError::io(
            Path::new("/d/api.md"),
            "renaming /d/.daodao-tmp-api.md-AbCd1234 over it",
            std::io::Error::other("disk on fire"),
        )),
        new: vec!["/d/plan.md".into()],
        old: vec!["/d/api.md".into()],
        backups: vec![("/d/plan.md".into(), "/d/plan.md.daodao-bak".into())],
    };
    assert_eq!(
        e.to_string(),
        "/d/api.md: renaming /d/.daodao-tmp-api.md-AbCd1234 over it: disk on fire\n\
         The files written together now disagree, and putting the first back failed too.\n\
         New (this run's text):\n  /d/plan.md\n\
         Old (as before this run):\n  /d/api.md\n\
         To go back to the old text everywhere:\n  mv '/d/plan.md.daodao-bak' '/d/plan.md'\n\
         To go forward: fix the cause above and run the same command again; it writes the old \
         files and removes the backups."
    );
    assert_eq!(e.written(), [PathBuf::from("/d/plan.md")]);
}
