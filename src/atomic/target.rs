//! The file a write is about: where its bytes really go (symlinks followed), what is there now,
//! and whether the running user may write it by the mode bits.

use super::platform::{self, Owned, User};
use super::WriteError;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub(super) struct Target {
    /// The path as given: messages name it.
    pub given: PathBuf,
    /// Where the bytes go: a symlink's target, or the path itself.
    pub real: PathBuf,
    pub dir: PathBuf,
    pub name: OsString,
    /// Owner, group, mode and links of the file there now; `None` for a new file.
    pub existing: Option<Owned>,
}

impl Target {
    /// Looks at `path` and creates its directory when missing; writes nothing else.
    pub fn inspect(path: &Path) -> Result<Target, WriteError> {
        let real = resolve(path);
        let Some(name) = real.file_name().map(OsString::from) else {
            let e = io::Error::new(io::ErrorKind::InvalidInput, "not a file name");
            return Err(WriteError::io(path, "writing", e));
        };
        let dir = real
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        fs::create_dir_all(&dir)
            .map_err(|e| WriteError::io(path, format!("creating {}", dir.display()), e))?;
        let existing = match fs::metadata(&real) {
            Ok(m) if m.is_dir() => {
                let e = io::Error::new(io::ErrorKind::IsADirectory, "it is a directory");
                return Err(WriteError::io(path, "writing", e));
            }
            Ok(m) => Some(platform::owned(&m)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(WriteError::io(path, "reading its metadata", e)),
        };
        Ok(Target {
            given: path.to_path_buf(),
            real,
            dir,
            name,
            existing,
        })
    }

    /// The mode bits, for the class the user falls in, must let the user write the file, and
    /// write and search its directory (the temp file goes there). The kernel would let root write
    /// anything; the tool holds root to the bits, since a read-only document says "leave me":
    /// root acts for every class, so it may write where any class may (as the kernel decides
    /// whether root may execute a file), and a file no class may write (0444) is refused.
    pub fn check_writable(&self, user: &User) -> Result<(), WriteError> {
        if let Some(file) = self.existing {
            let (bits, who) = class_bits(file, user);
            if bits & 0o2 == 0 {
                return Err(WriteError::ReadOnly {
                    path: self.given.clone(),
                    mode: file.mode,
                    who,
                });
            }
        }
        let dir = fs::metadata(&self.dir).map_err(|e| {
            WriteError::io(&self.given, format!("reading {}", self.dir.display()), e)
        })?;
        let dir = platform::owned(&dir);
        let (bits, who) = class_bits(dir, user);
        if bits & 0o3 != 0o3 {
            return Err(WriteError::DirNotWritable {
                path: self.given.clone(),
                dir: self.dir.clone(),
                mode: dir.mode,
                who,
            });
        }
        Ok(())
    }

    /// A file with several hard links is written in place, so that every link sees the new text.
    pub fn links(&self) -> u64 {
        self.existing.map_or(1, |e| e.links)
    }
}

/// Follows symlinks to the file that will be replaced; a file that does not exist yet is named
/// in its directory, itself resolved.
pub(super) fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    let Some(name) = path.file_name() else {
        return path.to_path_buf();
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::canonicalize(dir).map_or_else(|_| path.to_path_buf(), |d| d.join(name))
}

/// The three permission bits that apply to `user`, and words for who that is.
fn class_bits(file: Owned, user: &User) -> (u32, String) {
    if user.uid == 0 {
        let any = (file.mode >> 6 | file.mode >> 3 | file.mode) & 0o7;
        return (any, "any user (root included)".to_string());
    }
    if user.uid == file.uid {
        (
            (file.mode >> 6) & 0o7,
            format!("you (uid {}), its owner,", user.uid),
        )
    } else if user.groups.contains(&file.gid) {
        (
            (file.mode >> 3) & 0o7,
            format!("you (uid {}), in its group (gid {}),", user.uid, file.gid),
        )
    } else {
        (
            file.mode & 0o7,
            format!(
                "you (uid {}), neither its owner (uid {}) nor in its group (gid {}),",
                user.uid, file.uid, file.gid
            ),
        )
    }
}

/// A mode as people read it: `0444 (r--r--r--)`.
pub(super) struct Mode(pub u32);

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rwx: String = (0..9)
            .map(|i| {
                let bit = 1 << (8 - i);
                match (self.0 & bit != 0, i % 3) {
                    (false, _) => '-',
                    (true, 0) => 'r',
                    (true, 1) => 'w',
                    (true, _) => 'x',
                }
            })
            .collect();
        write!(f, "{:04o} ({rwx})", self.0 & 0o7777)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(uid: u32, gid: u32, mode: u32) -> Owned {
        Owned {
            uid,
            gid,
            mode,
            links: 1,
        }
    }

    fn user(uid: u32, groups: &[u32]) -> User {
        User {
            uid,
            groups: groups.to_vec(),
        }
    }

    #[test]
    fn the_bits_of_the_users_class_decide_root_included() {
        // The owner's bits, even when group and others could write.
        assert_eq!(class_bits(file(7, 8, 0o466), &user(7, &[7])).0, 0o4);
        assert_eq!(class_bits(file(7, 8, 0o640), &user(7, &[9])).0, 0o6);
        // Root acts for every class: any class's bits, and none when no class may write.
        assert_eq!(class_bits(file(7, 8, 0o640), &user(0, &[0])).0, 0o6);
        assert_eq!(class_bits(file(0, 0, 0o444), &user(0, &[0])).0, 0o4);
        assert_eq!(
            class_bits(file(0, 0, 0o444), &user(0, &[0])).1,
            "any user (root included)"
        );
        // The group's, for a member who is not the owner.
        assert_eq!(class_bits(file(7, 8, 0o460), &user(5, &[3, 8])).0, 0o6);
        // Others', for anyone else.
        let (bits, who) = class_bits(file(7, 8, 0o662), &user(5, &[5]));
        assert_eq!(bits, 0o2);
        assert_eq!(
            who,
            "you (uid 5), neither its owner (uid 7) nor in its group (gid 8),"
        );
    }

    #[test]
    fn a_read_only_file_is_refused_with_its_mode_and_a_writable_one_passes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("doc.md");
        fs::write(&path, "x").expect("write");
        let mut t = Target::inspect(&path).expect("inspect");
        let me = platform::current_user();
        let dir_owner = fs::metadata(dir.path()).expect("meta");
        let mine = User {
            uid: std::os::unix::fs::MetadataExt::uid(&dir_owner),
            groups: me.groups.clone(),
        };
        t.existing = Some(file(mine.uid, 0, 0o444));
        let e = t.check_writable(&mine).expect_err("read-only");
        let text = e.to_string();
        assert!(text.starts_with(&format!("{}: not written", path.display())));
        assert!(text.contains("mode 0444 (r--r--r--)"), "{text}");
        t.existing = Some(file(mine.uid, 0, 0o644));
        t.check_writable(&mine).expect("writable");
    }

    #[test]
    fn modes_read_as_people_write_them() {
        assert_eq!(Mode(0o444).to_string(), "0444 (r--r--r--)");
        assert_eq!(Mode(0o4751).to_string(), "4751 (rwxr-x--x)");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_a_new_file_named_in_its_real_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.md");
        fs::write(&real, "x").expect("write");
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let t = Target::inspect(&link).expect("inspect");
        assert_eq!(t.real, fs::canonicalize(&real).expect("real"));
        assert_eq!(t.given, link);
        let new = Target::inspect(&dir.path().join("sub/new.md")).expect("inspect");
        assert!(new.existing.is_none());
        assert!(dir.path().join("sub").is_dir(), "the directory is created");
        assert_eq!(new.name, "new.md");
    }
}
