//! What a killed run left beside a file, what it means, and clearing it before the next write.
//!
//! Only our own files are looked at (`.daodao-tmp-<name>-<random>` and `<name>.daodao-bak` for the
//! file being written, in its directory), and only those whose lock is free: a live run holds the
//! lock on each of its files, and the kernel drops it when the run dies. What the leftovers mean
//! follows from the order of a write (temp files, then backups, then the commits):
//!
//! - temp files but no backup: the run died before replacing anything; the file is as it was.
//! - a backup equal to the file: it died before replacing this file.
//! - a backup, the file different, no temp file (or one equal to the file): this file has that
//!   run's new text; files written with it may not (the next run of the same command writes them).
//! - a backup, a temp file, and the file equal to neither: it died while writing this file in
//!   place (or someone edited it since): it may be half-written, and nothing is written until the
//!   user has chosen the backup or the new text ([`WriteError::Torn`]).

use super::staged::{backup_name, is_temp_for, Claim, Locked};
use super::target::{self, Target};
use super::WriteError;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What is beside one file.
struct Survey {
    /// The file as given.
    path: PathBuf,
    /// Its temp files and its backup's, from dead runs (claimed: locked by us now).
    temps: Vec<Locked>,
    backup: Option<Locked>,
    state: State,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    /// No backup: nothing was replaced.
    NoBackup,
    /// The backup holds the file's text: it was not replaced.
    Untouched,
    /// The file has the dead run's new text, the backup its text before.
    Replaced,
    /// The file matches neither the backup nor the new text.
    Torn { new: PathBuf },
    /// A backup whose file is gone: left alone.
    Orphan,
}

/// What interrupted runs left beside these files, as notes for the user, touching nothing (their
/// next write clears it). A file that may be half-written, or that a live run is writing, is an
/// error.
pub fn leftovers(paths: &[&Path]) -> Result<Vec<String>, WriteError> {
    let mut notes = vec![];
    for path in paths {
        let real = target::resolve(path);
        let (Some(dir), Some(_)) = (real.parent(), real.file_name()) else {
            continue;
        };
        if !dir.is_dir() {
            continue;
        }
        notes.extend(survey(path, &real)?.describe()?);
    }
    Ok(notes)
}

/// Clears what interrupted runs left beside these files without writing them: for files written
/// together with others that were up to date (a killed run may have replaced them already).
pub fn clear_leftovers(paths: &[&Path]) -> Result<(), WriteError> {
    for path in paths {
        let real = target::resolve(path);
        if real.parent().is_some_and(Path::is_dir) {
            clear_at(path, &real)?;
        }
    }
    Ok(())
}

/// Clears what dead runs left beside `target` before it is written.
pub(super) fn clear(target: &Target) -> Result<(), WriteError> {
    clear_at(&target.given, &target.real)
}

fn clear_at(path: &Path, real: &Path) -> Result<(), WriteError> {
    let survey = survey(path, real)?;
    survey.describe()?;
    let remove = |file: Locked| {
        let name = file.path.display().to_string();
        file.remove()
            .map_err(|e| WriteError::io(path, format!("removing {name}"), e))
    };
    for temp in survey.temps {
        remove(temp)?;
    }
    match (survey.state, survey.backup) {
        (State::Untouched | State::Replaced, Some(backup)) => remove(backup),
        _ => Ok(()),
    }
}

fn survey(path: &Path, real: &Path) -> Result<Survey, WriteError> {
    let dir = real
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = real.file_name().unwrap_or_default();
    let backup_name = backup_name(name);
    let entries = fs::read_dir(dir)
        .map_err(|e| WriteError::io(path, format!("listing {}", dir.display()), e))?;
    let mut temps = vec![];
    let mut new_text = vec![];
    let mut backup = None;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let of_file = is_temp_for(&file_name, name);
        if !(of_file || is_temp_for(&file_name, &backup_name) || file_name == backup_name) {
            continue;
        }
        let found = entry.path();
        let claimed = match Locked::claim(&found) {
            Ok(Claim::Ours(locked)) => locked,
            Ok(Claim::Gone) => continue,
            Ok(Claim::Busy) => {
                return Err(WriteError::Busy {
                    path: path.to_path_buf(),
                    lock: found,
                })
            }
            Err(e) => {
                return Err(WriteError::io(
                    path,
                    format!("opening {}", found.display()),
                    e,
                ))
            }
        };
        if file_name == backup_name {
            backup = Some(claimed);
        } else {
            if of_file {
                new_text.push(claimed.path.clone());
            }
            temps.push(claimed);
        }
    }
    let state = match &backup {
        None => State::NoBackup,
        Some(b) => judge(real, &b.path, &new_text)
            .map_err(|e| WriteError::io(path, "comparing it with its backup", e))?,
    };
    Ok(Survey {
        path: path.to_path_buf(),
        temps,
        backup,
        state,
    })
}

/// What the file is, next to its backup and the new text a dead run was writing.
fn judge(real: &Path, backup: &Path, new_text: &[PathBuf]) -> io::Result<State> {
    let now = match fs::read(real) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::Orphan),
        Err(e) => return Err(e),
    };
    if fs::read(backup)? == now {
        return Ok(State::Untouched);
    }
    for temp in new_text {
        if fs::read(temp)? == now {
            return Ok(State::Replaced);
        }
    }
    Ok(match new_text.first() {
        Some(new) => State::Torn { new: new.clone() },
        None => State::Replaced,
    })
}

impl Survey {
    /// Notes for the user; a torn file is an error.
    fn describe(&self) -> Result<Vec<String>, WriteError> {
        let path = self.path.display();
        let mut notes = vec![];
        if !self.temps.is_empty() {
            let names: Vec<String> = self
                .temps
                .iter()
                .map(|t| {
                    t.path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into()
                })
                .collect();
            notes.push(format!(
                "{path}: temp file(s) left beside it by an interrupted daodao-check run ({}); \
                 removed before it is written",
                names.join(", ")
            ));
        }
        let Some(backup) = &self.backup else {
            return Ok(notes);
        };
        let b = backup.path.display();
        match &self.state {
            State::Torn { new } => {
                return Err(WriteError::Torn {
                    path: self.path.clone(),
                    backup: backup.path.clone(),
                    new: new.clone(),
                })
            }
            State::Untouched => notes.push(format!(
                "{b}: left by a daodao-check run interrupted before it wrote {path} (the same \
                 text); removed before it is written"
            )),
            State::Replaced => notes.push(format!(
                "{b}: left by a daodao-check run interrupted after it wrote {path}: {path} has \
                 that run's text and the backup its text before; files written together with it \
                 may still be old (running the same command again writes them). The backup is \
                 removed once they are written"
            )),
            State::Orphan => notes.push(format!(
                "{b}: a backup left by an interrupted daodao-check run, but {path} is gone; left \
                 alone"
            )),
            State::NoBackup => {}
        }
        Ok(notes)
    }
}
