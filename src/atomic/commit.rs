//! Writing a set of files: refuse, clear, stage, back up, commit back to back, undo on failure
//! (the steps of the module's documentation).

use super::platform::{self, Owned};
use super::staged::{backup_name, Locked};
use super::target::Target;
use super::{fault, signals, stale, WriteError, Written};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A new file gets 0644, an existing one keeps its mode.
    Shared,
    /// The file is readable by its owner only (0600).
    Private,
}

/// How a file's new text takes its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// The temp file is renamed over the file: a reader or a crash sees the old file or the new,
    /// never a mix.
    Rename,
    /// The new text is written over the file's own contents ([`copy_back`]): for a file with
    /// several hard links (a rename would detach the others), or one whose owner the running
    /// user cannot give a replacement.
    InPlace,
}

struct Staged<'a> {
    target: Target,
    contents: &'a [u8],
    temp: Locked,
    method: Method,
    /// The mode a private file written in place must end with.
    private: bool,
    backup: Option<Locked>,
}

pub(super) fn write_set(files: &[(&Path, &[u8])], kind: Kind) -> Result<Written, WriteError> {
    // First, so that it is dropped last: a signal is delivered after the temp files are gone.
    if files.is_empty() {
        return Ok(Written::default());
    }
    let _held = signals::defer();
    let targets = inspect_all(files)?;
    for t in &targets {
        stale::clear(t)?;
    }
    let mut notes = vec![];
    let mut staged = vec![];
    for (i, (target, (_, contents))) in targets.into_iter().zip(files).enumerate() {
        let s = stage(target, contents, kind, &mut notes)?;
        hook(&format!("staged-{}", i + 1), &s.target.given)?;
        staged.push(s);
    }
    if staged.len() > 1 || staged.iter().any(|s| s.method == Method::InPlace) {
        for (i, s) in staged.iter_mut().enumerate() {
            if s.target.existing.is_some() {
                s.backup = Some(back_up(&s.target)?);
                hook(&format!("backup-{}", i + 1), &s.target.given)?;
            }
        }
        sync_dirs(&staged);
    }
    commit_all(&mut staged)?;
    hook("cleanup", &staged[0].target.given)?;
    sync_dirs(&staged);
    for s in staged {
        if let Some(backup) = s.backup {
            // Every file is in place; a backup that cannot be removed is cleared by the next
            // write (stale::clear), so this is not an error.
            let _ = backup.remove();
        }
    }
    Ok(Written { notes })
}

/// Every target, looked at; one given twice or one the user may not write stops all before
/// anything is written.
fn inspect_all(files: &[(&Path, &[u8])]) -> Result<Vec<Target>, WriteError> {
    let user = platform::current_user();
    let mut targets: Vec<Target> = vec![];
    for (path, _) in files {
        let t = Target::inspect(path)?;
        if targets.iter().any(|o| o.real == t.real) {
            return Err(WriteError::Twice {
                path: path.to_path_buf(),
            });
        }
        targets.push(t);
    }
    for t in &targets {
        t.check_writable(&user)?;
    }
    Ok(targets)
}

fn hook(step: &str, path: &Path) -> Result<(), WriteError> {
    fault::at(step).map_err(|e| WriteError::io(path, step, e))
}

/// The new text, whole and synced in a temp file beside the target, with the target's owner,
/// group and mode.
fn stage<'a>(
    target: Target,
    contents: &'a [u8],
    kind: Kind,
    notes: &mut Vec<String>,
) -> Result<Staged<'a>, WriteError> {
    let given = target.given.clone();
    let io_err = |action: String| {
        let path = &given;
        move |e| WriteError::io(path, action, e)
    };
    let mut temp = Locked::temp(&target.dir, &target.name).map_err(io_err(format!(
        "creating its temp file in {}",
        target.dir.display()
    )))?;
    let temp_name = temp.path.display().to_string();
    temp.file
        .write_all(contents)
        .map_err(io_err(format!("writing {temp_name}")))?;
    let mut method = if target.links() > 1 {
        Method::InPlace
    } else {
        Method::Rename
    };
    if let (Method::Rename, Some(existing)) = (method, target.existing) {
        let given = give_owner(&temp, existing)
            .map_err(io_err(format!("giving {temp_name} the file's owner")))?;
        if !given {
            method = Method::InPlace;
            notes.push(format!(
                "{}: owned by uid {} (gid {}), which you (uid {}) cannot give a replacement file: \
                 written in place instead, keeping its owner, group and mode",
                target.given.display(),
                existing.uid,
                existing.gid,
                platform::current_user().uid
            ));
        }
    }
    let mode = match (kind, target.existing) {
        (Kind::Private, _) => 0o600,
        (Kind::Shared, Some(existing)) => existing.mode,
        (Kind::Shared, None) => 0o644,
    };
    platform::set_mode(&temp.file, mode)
        .and_then(|()| temp.file.sync_all())
        .map_err(io_err(format!(
            "setting the mode of {temp_name} and syncing it"
        )))?;
    Ok(Staged {
        target,
        contents,
        temp,
        method,
        private: kind == Kind::Private,
        backup: None,
    })
}

/// Gives a file of ours the original's owner and group; false when the user may not (only root
/// may give a file away, and a group only to its members).
fn give_owner(file: &Locked, original: Owned) -> io::Result<bool> {
    let now = platform::owned(&file.file.metadata()?);
    if (now.uid, now.gid) == (original.uid, original.gid) {
        return Ok(true);
    }
    match platform::set_owner(&file.file, original.uid, original.gid) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(false),
        Err(e) => Err(e),
    }
}

/// `<name>.daodao-bak`: the file's current text, whole (written to a temp file, synced, then
/// renamed) and with its owner (where the user may) and mode, so that renaming it back restores
/// the file as it was. Locked, and removed when dropped unless kept.
fn back_up(target: &Target) -> Result<Locked, WriteError> {
    let name = backup_name(&target.name);
    let to = target.dir.join(&name);
    let io_err = |e| {
        WriteError::io(
            &target.given,
            format!("backing it up to {}", to.display()),
            e,
        )
    };
    let mut backup = Locked::temp(&target.dir, &name).map_err(io_err)?;
    let mut original = fs::File::open(&target.real).map_err(io_err)?;
    io::copy(&mut original, &mut backup.file).map_err(io_err)?;
    if let Some(existing) = target.existing {
        give_owner(&backup, existing).map_err(io_err)?;
        platform::set_mode(&backup.file, existing.mode).map_err(io_err)?;
    }
    backup.file.sync_all().map_err(io_err)?;
    backup.rename_to(&to).map_err(io_err)?;
    Ok(backup)
}

/// Replaces the files back to back; if one fails, the ones before it are put back.
fn commit_all(staged: &mut [Staged]) -> Result<(), WriteError> {
    for i in 0..staged.len() {
        let s = &mut staged[i];
        let step = fault::at(&format!("commit-{}", i + 1)).and_then(|()| s.commit());
        if let Err(e) = step {
            let action = match s.method {
                Method::Rename => format!("renaming {} over it", s.temp.path.display()),
                Method::InPlace => "writing it in place".to_string(),
            };
            let cause = WriteError::io(&s.target.given, action, e);
            // A failed write in place may have left the file half-written: it is put back too.
            let touched = if s.method == Method::InPlace {
                i + 1
            } else {
                i
            };
            return Err(undo(staged, touched, cause));
        }
    }
    Ok(())
}

impl Staged<'_> {
    fn commit(&mut self) -> io::Result<()> {
        match self.method {
            Method::Rename => {
                self.temp.rename_to(&self.target.real)?;
                self.temp.keep();
                Ok(())
            }
            Method::InPlace => copy_back(&self.target.real, self.contents, self.private),
        }
    }

    /// Puts the file back as it was before [`Staged::commit`].
    fn restore(&mut self) -> io::Result<()> {
        let Some(backup) = &mut self.backup else {
            // It did not exist: putting it back is removing it.
            return fs::remove_file(&self.target.real);
        };
        match self.method {
            Method::Rename => {
                backup.rename_to(&self.target.real)?;
                backup.keep();
                Ok(())
            }
            Method::InPlace => {
                let old = fs::read(&backup.path)?;
                copy_back(&self.target.real, &old, self.private)
            }
        }
    }
}

/// Writes `contents` over the file's own bytes and syncs it: every hard link, and the owner, group
/// and mode, stay as they are.
///
/// Why this is still safe enough: before the first byte is overwritten, the new text is whole and
/// synced in the temp file and the old text whole and synced in `<name>.daodao-bak`, and the
/// signals that a user sends are held back; the write itself is one `write` of the document (some
/// hundred KB) and a sync. What it gives up against a rename: a reader in that moment, or a
/// SIGKILL or power loss in it, can see a mix of old and new bytes. Nothing is lost then: the next
/// write finds the backup and the temp file beside a file that matches neither and refuses, saying
/// how to restore either ([`WriteError::Torn`]).
fn copy_back(path: &Path, contents: &[u8], private: bool) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    file.write_all(contents)?;
    file.set_len(contents.len() as u64)?;
    if private {
        platform::set_mode(&file, 0o600)?;
    }
    file.sync_all()
}

/// After `cause`, puts back the first `touched` files (latest first): [`WriteError::RolledBack`]
/// when all are back, else [`WriteError::Partial`], the recovery note, with their backups kept.
fn undo(staged: &mut [Staged], touched: usize, cause: WriteError) -> WriteError {
    let mut restored = vec![];
    let mut still_new = vec![];
    for i in (0..touched).rev() {
        let s = &mut staged[i];
        match fault::at(&format!("restore-{}", i + 1)).and_then(|()| s.restore()) {
            Ok(()) => restored.push(s.target.given.clone()),
            Err(_) => still_new.push(i),
        }
    }
    if still_new.is_empty() {
        return WriteError::RolledBack {
            cause: Box::new(cause),
            restored,
        };
    }
    let (mut new, mut old, mut backups) = (vec![], vec![], vec![]);
    for (i, s) in staged.iter_mut().enumerate() {
        if !still_new.contains(&i) {
            old.push(s.target.given.clone());
        } else {
            new.push(s.target.given.clone());
            if let Some(backup) = &mut s.backup {
                backup.keep();
                backups.push((s.target.given.clone(), backup.path.clone()));
            }
        }
    }
    WriteError::Partial {
        cause: Box::new(cause),
        new,
        old,
        backups,
    }
}

/// The message of [`WriteError::Partial`]: which file is new, which is old, and how to go either way.
pub(super) fn recovery_note(
    cause: &WriteError,
    new: &[PathBuf],
    old: &[PathBuf],
    backups: &[(PathBuf, PathBuf)],
) -> String {
    let names = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| format!("  {}", p.display()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let back: Vec<String> = backups
        .iter()
        .map(|(file, backup)| format!("  mv {} {}", super::quoted(backup), super::quoted(file)))
        .collect();
    format!(
        "{cause}\nThe files written together now disagree, and putting the first back failed too.\n\
         New (this run's text):\n{}\nOld (as before this run):\n{}\n\
         To go back to the old text everywhere:\n{}\n\
         To go forward: fix the cause above and run the same command again; it writes the old \
         files and removes the backups.",
        names(new),
        names(old),
        back.join("\n")
    )
}

/// Syncs each directory a file is renamed in, so that the renames survive a power loss; best
/// effort (a failure leaves the files right, only their durability unknown).
fn sync_dirs(staged: &[Staged]) {
    let mut dirs: Vec<&Path> = staged.iter().map(|s| s.target.dir.as_path()).collect();
    dirs.dedup();
    for dir in dirs {
        let _ = platform::sync_dir(dir);
    }
}
