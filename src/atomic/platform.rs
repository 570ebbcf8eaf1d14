//! What the standard library does not offer on every platform: who the running user is, a file's
//! owner, mode and links, and changing them. Elsewhere than Unix there is no owner to keep and the
//! mode is the read-only flag, so the rest of the module works unchanged, with less to keep.

pub use imp::*;

/// The running user as the kernel judges file access: the effective uid, and every group
/// (effective and supplementary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub groups: Vec<u32>,
}

/// What is kept of an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owned {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits, setuid/setgid/sticky included.
    pub mode: u32,
    pub links: u64,
}

#[cfg(unix)]
mod imp {
    use super::{Owned, User};
    use std::fs::{File, Metadata, OpenOptions, Permissions};
    use std::io;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    pub fn current_user() -> User {
        // SAFETY: these calls only read the process's credentials; getgroups writes at most `n`
        // ids into a buffer of `n`.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        let mut groups = vec![gid];
        let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
        if n > 0 {
            let mut more = vec![0 as libc::gid_t; n as usize];
            let got = unsafe { libc::getgroups(n, more.as_mut_ptr()) };
            more.truncate(got.max(0) as usize);
            groups.extend(more);
        }
        User { uid, groups }
    }

    pub fn owned(meta: &Metadata) -> Owned {
        Owned {
            uid: meta.uid(),
            gid: meta.gid(),
            mode: meta.mode() & 0o7777,
            links: meta.nlink(),
        }
    }

    /// Gives `file` this owner and group; changing the owner clears setuid/setgid, so the mode is
    /// set after it.
    pub fn set_owner(file: &File, uid: u32, gid: u32) -> io::Result<()> {
        std::os::unix::fs::fchown(file, Some(uid), Some(gid))
    }

    pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
        file.set_permissions(Permissions::from_mode(mode))
    }

    /// Creates a file that did not exist, readable and writable by its creator only.
    pub fn create_new(path: &Path) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
    }

    pub fn same_file(a: &Metadata, b: &Metadata) -> bool {
        (a.dev(), a.ino()) == (b.dev(), b.ino())
    }

    /// Syncs a directory, so that the renames in it survive a power loss.
    pub fn sync_dir(dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{Owned, User};
    use std::fs::{File, Metadata, OpenOptions};
    use std::io;
    use std::path::Path;

    pub fn current_user() -> User {
        User {
            uid: 0,
            groups: vec![0],
        }
    }

    pub fn owned(meta: &Metadata) -> Owned {
        Owned {
            uid: 0,
            gid: 0,
            mode: if meta.permissions().readonly() {
                0o444
            } else {
                0o644
            },
            links: 1,
        }
    }

    pub fn set_owner(_: &File, _: u32, _: u32) -> io::Result<()> {
        Ok(())
    }

    pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
        let mut p = file.metadata()?.permissions();
        p.set_readonly(mode & 0o200 == 0);
        file.set_permissions(p)
    }

    pub fn create_new(path: &Path) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
    }

    pub fn same_file(_: &Metadata, _: &Metadata) -> bool {
        true
    }

    pub fn sync_dir(_: &Path) -> io::Result<()> {
        Ok(())
    }
}
