//! The files this module makes beside a target: temp files `.daodao-tmp-<name>-<random>` and
//! backups `<name>.daodao-bak`. Each is created exclusively and locked for as long as the run that
//! made it lives: the lock is how a later run tells a live run's files (left alone) from a killed
//! one's (cleared), since the kernel drops it when the process dies, SIGKILL included. That needs
//! no clock, so a file from a run killed a second ago is cleared at once and a slow live run is
//! never robbed.

use super::platform;
use rand::Rng;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

pub(super) const TEMP_PREFIX: &str = ".daodao-tmp-";
pub(super) const BACKUP_SUFFIX: &str = ".daodao-bak";
const RANDOM_LEN: usize = 8;

/// `.daodao-tmp-<name>-<random>`.
fn temp_name(name: &OsStr) -> OsString {
    let random: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(RANDOM_LEN)
        .map(char::from)
        .collect();
    let mut s = OsString::from(TEMP_PREFIX);
    s.push(name);
    s.push("-");
    s.push(random);
    s
}

/// True when `file_name` is one of our temp files made for the file `name`.
pub(super) fn is_temp_for(file_name: &OsStr, name: &OsStr) -> bool {
    let bytes = file_name.as_encoded_bytes();
    let Some(rest) = bytes.strip_prefix(TEMP_PREFIX.as_bytes()) else {
        return false;
    };
    let Some(random) = rest
        .strip_prefix(name.as_encoded_bytes())
        .and_then(|r| r.strip_prefix(b"-"))
    else {
        return false;
    };
    random.len() == RANDOM_LEN && random.iter().all(u8::is_ascii_alphanumeric)
}

/// `<name>.daodao-bak`.
pub(super) fn backup_name(name: &OsStr) -> OsString {
    let mut s = name.to_os_string();
    s.push(BACKUP_SUFFIX);
    s
}

/// A file of ours, locked while this value lives, and removed when it is dropped unless
/// [`Locked::keep`] was called: so every early return and every panic clears the temp files.
#[derive(Debug)]
pub(super) struct Locked {
    pub path: PathBuf,
    pub file: File,
    remove_on_drop: bool,
}

/// What [`Locked::claim`] found.
pub(super) enum Claim {
    /// No live run holds it: it is ours now.
    Ours(Locked),
    /// A live run holds its lock.
    Busy,
    /// It went away meanwhile.
    Gone,
}

impl Locked {
    /// A new temp file for the file `name`, in `dir`.
    pub fn temp(dir: &Path, name: &OsStr) -> io::Result<Locked> {
        for _ in 0..8 {
            let path = dir.join(temp_name(name));
            let file = match platform::create_new(&path) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                other => other?,
            };
            // Between the create and the lock another run may have taken it for stale and
            // removed it: then the path is no longer this file, and a fresh name is tried.
            if file.try_lock().is_ok() && is_at(&file, &path) {
                return Ok(Locked {
                    path,
                    file,
                    remove_on_drop: true,
                });
            }
        }
        Err(io::Error::other(format!(
            "could not create a temp file in {}",
            dir.display()
        )))
    }

    /// Takes a file another run made, if that run is gone (its lock is free).
    pub fn claim(path: &Path) -> io::Result<Claim> {
        let file = match File::open(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Claim::Gone),
            other => other?,
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Claim::Busy),
            Err(TryLockError::Error(e)) => return Err(e),
        }
        if !is_at(&file, path) {
            return Ok(Claim::Gone);
        }
        Ok(Claim::Ours(Locked {
            path: path.to_path_buf(),
            file,
            remove_on_drop: false,
        }))
    }

    /// Renames the file (it stays locked: the lock is on the open file, not the name).
    pub fn rename_to(&mut self, to: &Path) -> io::Result<()> {
        fs::rename(&self.path, to)?;
        self.path = to.to_path_buf();
        Ok(())
    }

    /// Leaves the file where it is when dropped.
    pub fn keep(&mut self) {
        self.remove_on_drop = false;
    }

    /// Removes the file now; it must still be the one at its path (it is locked: no run of ours
    /// replaces it meanwhile).
    pub fn remove(mut self) -> io::Result<()> {
        self.remove_on_drop = false;
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// True when `path` names the open `file` (not another file put there since).
fn is_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => platform::same_file(&a, &b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_say_whose_they_are() {
        let name = OsStr::new("API对接联调计划.md");
        let t = temp_name(name);
        let s = t.to_str().expect("utf-8");
        assert!(s.starts_with(".daodao-tmp-API对接联调计划.md-"), "{s}");
        assert!(is_temp_for(&t, name));
        assert!(!is_temp_for(&t, OsStr::new("API对接联调计划")));
        assert!(!is_temp_for(&t, OsStr::new("小程序端API.md")));
        // A backup's temp file is not the document's.
        let bak = temp_name(&backup_name(name));
        assert!(!is_temp_for(&bak, name));
        assert!(is_temp_for(&bak, &backup_name(name)));
        assert!(!is_temp_for(
            OsStr::new(".daodao-tmp-plan.md-short"),
            OsStr::new("plan.md")
        ));
        assert!(!is_temp_for(
            OsStr::new(".tmpAbCdEf"),
            OsStr::new("plan.md")
        ));
    }

    #[test]
    fn a_temp_file_is_locked_while_it_lives_and_removed_when_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = Locked::temp(dir.path(), OsStr::new("doc.md")).expect("temp");
        let path = t.path.clone();
        assert!(matches!(Locked::claim(&path).expect("claim"), Claim::Busy));
        drop(t);
        assert!(!path.exists());
        assert!(matches!(Locked::claim(&path).expect("claim"), Claim::Gone));
    }

    #[test]
    fn a_file_whose_run_is_gone_can_be_claimed_and_a_kept_one_stays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = Locked::temp(dir.path(), OsStr::new("doc.md")).expect("temp");
        t.keep();
        let path = t.path.clone();
        drop(t);
        assert!(path.exists(), "kept");
        let Claim::Ours(mine) = Locked::claim(&path).expect("claim") else {
            panic!("an unlocked file is ours to take");
        };
        mine.remove().expect("remove");
        assert!(!path.exists());
    }
}
