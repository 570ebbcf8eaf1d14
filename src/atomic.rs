//! The tool's one way to write a file, so that nothing is lost or half-written: reports,
//! `last-run.json`, imported contracts, the session files and the team's documents all go through
//! here.
//!
//! How a write goes ([`write_together`]; [`write()`] is the same for one file):
//!
//! 1. **Refuse what the user may not write.** The mode bits of an existing file, for the class
//!    (owner, group, others) the running user falls in, must allow writing, and those of its
//!    directory writing and searching (the temp file is created there). Root is held to the bits
//!    too, as acting for every class: it may write where some class may, and a 0444 document
//!    (someone saying "do not change this") is refused. Nothing is touched otherwise.
//! 2. **Clear what an interrupted run left** beside each file ([`leftovers`] says what it is):
//!    unlocked `.daodao-tmp-<name>-<random>` files, and a `<name>.daodao-bak` that is no longer
//!    needed. A file that a killed run may have left half-written is refused, with a recovery note.
//! 3. **Stage.** Each file's new content goes to `.daodao-tmp-<name>-<random>` beside it, created
//!    exclusively, locked for as long as this run lives (a later run tells a live run's files from
//!    a dead one's by that lock), given the original's owner, group and mode, and synced.
//! 4. **Back up** (when several files are written together, or one is written in place): each
//!    existing file is copied to `<name>.daodao-bak` (through a temp file, so a backup is whole
//!    or absent), synced, and kept until every file is in place.
//! 5. **Commit**, back to back: a file with one link is renamed over (a reader sees the old or the
//!    new file, never a mix); a file with several hard links, or whose owner the running user
//!    cannot give a new file, is written in place (see `commit::copy_back` for why that is safe enough and
//!    what it gives up). If a later commit fails, the earlier ones are put back from their
//!    backups; if that fails too, the error is a recovery note saying which file is new, which is
//!    old, and how to go either way.
//! 6. **Finish**: the directories are synced and the backups removed.
//!
//! Ctrl-C, SIGTERM and SIGHUP are held back from step 2 to 6 and delivered after the temp files
//! are gone (`signals`), so they never split a write. SIGKILL and power loss can: what they
//! leave is listed in the README's progress section, and the next write clears it (step 2).
//! Symlinks are written through: their target is replaced, the link stays.

mod commit;
mod fault;
mod platform;
mod signals;
mod staged;
mod stale;
mod target;
#[cfg(all(test, unix))]
mod tests;

use std::path::{Path, PathBuf};

pub use stale::{clear_leftovers, leftovers};

/// Why a file was not written (or not all of a set). Each names the file and what failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The mode bits forbid the running user to write the file (checked for root too).
    #[error(
        "{path}: not written: its mode {mode} gives {who} no write permission; `chmod u+w` it to \
         let it be written",
        mode = target::Mode(*mode)
    )]
    ReadOnly {
        path: PathBuf,
        mode: u32,
        /// The class the running user falls in, e.g. `you (uid 1000), its owner,`, or
        /// `any user (root included)` for root.
        who: String,
    },
    /// The directory's mode bits forbid creating the temp file beside the file.
    #[error(
        "{path}: not written: its directory {dir} has mode {mode}, which gives {who} no \
         permission to create the temp file beside it",
        mode = target::Mode(*mode)
    )]
    DirNotWritable {
        path: PathBuf,
        dir: PathBuf,
        mode: u32,
        who: String,
    },
    /// A file-system operation failed; `action` says which, e.g. `renaming the temp file over it`.
    #[error("{path}: {action}: {source}")]
    Io {
        path: PathBuf,
        action: String,
        #[source]
        source: std::io::Error,
    },
    /// Another live run holds the lock on one of the file's temp or backup files.
    #[error(
        "{path}: another daodao-check run is writing it ({lock} is locked); run again when it has \
         finished"
    )]
    Busy { path: PathBuf, lock: PathBuf },
    /// A killed run was writing the file in place: it may be half-written.
    #[error(
        "{path}: a daodao-check run was killed while writing it in place, so it may be \
         half-written (it matches neither {backup}, its text before that run, nor {new}, the text \
         that run was writing). Nothing was written. Copy the one you want over it (e.g. `cp \
         {cp_from} {cp_to}`), remove both, and run again",
        path = path.display(),
        backup = backup.display(),
        new = new.display(),
        cp_from = quoted(backup),
        cp_to = quoted(path)
    )]
    Torn {
        path: PathBuf,
        backup: PathBuf,
        new: PathBuf,
    },
    /// A commit after the first failed and the files before it were put back: nothing changed.
    #[error(
        "{cause}; {restored} put back as {it_was}, so no file was changed",
        restored = list(restored),
        it_was = if restored.len() == 1 { "it was" } else { "they were" }
    )]
    RolledBack {
        cause: Box<WriteError>,
        restored: Vec<PathBuf>,
    },
    /// A commit after the first failed and putting the earlier files back failed too: the files
    /// disagree. The message is the recovery note.
    #[error("{}", commit::recovery_note(cause, new, old, backups))]
    Partial {
        cause: Box<WriteError>,
        /// Files that hold their new text.
        new: Vec<PathBuf>,
        /// Files still as they were.
        old: Vec<PathBuf>,
        /// `(file, backup)`: each new file's text before this run, kept.
        backups: Vec<(PathBuf, PathBuf)>,
    },
    /// The same file was given twice in one set.
    #[error("{path}: given twice in one write")]
    Twice { path: PathBuf },
}

impl WriteError {
    fn io(path: &Path, action: impl Into<String>, source: std::io::Error) -> Self {
        WriteError::Io {
            path: path.to_path_buf(),
            action: action.into(),
            source,
        }
    }

    /// The files that hold their new text after this error (only a [`WriteError::Partial`] has
    /// any: every other error leaves every file as it was).
    pub fn written(&self) -> &[PathBuf] {
        match self {
            WriteError::Partial { new, .. } => new,
            _ => &[],
        }
    }
}

/// A path as a shell word, for the commands a message suggests: `'it'\''s.md'`.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What a write did that the user should hear about (a file written in place to keep its owner).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[must_use]
pub struct Written {
    pub notes: Vec<String>,
}

/// Writes `contents` to `path` as the module says. A new file gets mode 0644; an existing one
/// keeps its owner, group and mode. The directory is created when missing.
pub fn write(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    commit::write_set(&[(path, contents)], commit::Kind::Shared).map(drop)
}

/// Like [`write()`], but the file is readable by its owner only (0600 on Unix): for the run's
/// secrets.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    commit::write_set(&[(path, contents)], commit::Kind::Private).map(drop)
}

/// Writes several files as a set: all are staged and synced before the first is replaced, then
/// they are replaced back to back; if one fails, the ones before it are put back (or the error
/// says how to recover). On an error, no file changed unless [`WriteError::written`] names it.
pub fn write_together(files: &[(&Path, &[u8])]) -> Result<Written, WriteError> {
    commit::write_set(files, commit::Kind::Shared)
}
