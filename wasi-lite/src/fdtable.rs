//! The descriptor table: what each guest file descriptor refers to, with its rights.
//!
//! Rights only ever shrink: a preopen starts with `rights::DIRECTORY` (less
//! `rights::MUTATING` if read-only), a descriptor opened beneath a directory gets at most
//! that directory's inheriting rights, and `fd_fdstat_set_rights` may only drop rights.
//! So a read-only preopen and everything reached through it can never write; `check`
//! is the one place that refuses an operation for lack of a right.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::abi::{rights, DirEntry, Filetype, Rights};
use crate::errno::{Errno, WasiResult};
use crate::host::{stream_filetype, Dir, File, Stream};

/// Most descriptors a guest may hold open at once: each file or directory one is a host
/// resource (an OS file descriptor).
pub const MAX_FDS: usize = 1024;

pub(crate) enum Handle {
    Stream(Box<dyn Stream>),
    File(Box<dyn File>),
    Dir(DirHandle),
}

pub(crate) struct DirHandle {
    pub dir: Box<dyn Dir>,
    /// The guest path of a preopened directory (what `fd_prestat_dir_name` reports).
    pub preopen: Option<String>,
    /// The listing `fd_readdir` serves cookies from; read afresh at cookie 0.
    pub listing: Option<Vec<DirEntry>>,
}

pub(crate) struct Entry {
    pub handle: Handle,
    pub filetype: Filetype,
    /// `fs_rights_base`.
    pub rights: Rights,
    /// `fs_rights_inheriting`.
    pub inheriting: Rights,
    /// `fdflags` as last set or opened with.
    pub flags: u16,
    /// Reached through a read-only preopen. Only chooses the errno (`EROFS` rather than
    /// `ENOTCAPABLE`) when a mutating right is missing; the rights are what refuse.
    pub read_only: bool,
}

impl Entry {
    pub fn stream(stream: Box<dyn Stream>, rights: Rights) -> Entry {
        Entry {
            filetype: stream_filetype(&*stream),
            handle: Handle::Stream(stream),
            rights,
            inheriting: 0,
            flags: 0,
            read_only: false,
        }
    }

    pub fn preopen(dir: Box<dyn Dir>, guest_path: String, read_only: bool) -> Entry {
        let mask = if read_only {
            !rights::MUTATING
        } else {
            rights::ALL
        };
        Entry {
            handle: Handle::Dir(DirHandle {
                dir,
                preopen: Some(guest_path),
                listing: None,
            }),
            filetype: Filetype::Directory,
            rights: rights::DIRECTORY & mask,
            inheriting: rights::DIRECTORY_INHERITING & mask,
            flags: 0,
            read_only,
        }
    }

    /// Refuses unless the descriptor holds every right in `needed`.
    pub fn check(&self, needed: Rights) -> WasiResult {
        let missing = needed & !self.rights;
        if missing == 0 {
            Ok(())
        } else if self.read_only && missing & rights::MUTATING != 0 {
            Err(Errno::Rofs)
        } else {
            Err(Errno::NotCapable)
        }
    }

    /// The directory behind this descriptor, after checking `needed`. A descriptor that is
    /// not a directory is `ENOTDIR`.
    pub fn dir(&self, needed: Rights) -> WasiResult<&dyn Dir> {
        match &self.handle {
            Handle::Dir(d) => {
                self.check(needed)?;
                Ok(&*d.dir)
            }
            _ => Err(Errno::NotDir),
        }
    }
}

/// Descriptors by number.
#[derive(Default)]
pub(crate) struct FdTable {
    entries: BTreeMap<u32, Entry>,
}

impl FdTable {
    pub fn get(&self, fd: u32) -> WasiResult<&Entry> {
        self.entries.get(&fd).ok_or(Errno::Badf)
    }

    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Entry> {
        self.entries.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// Places `entry` at the lowest free number, as POSIX `open` does.
    pub fn push(&mut self, entry: Entry) -> WasiResult<u32> {
        if self.entries.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        // The keys are sorted: the first gap is the lowest free number.
        let mut fd = 0u32;
        for &used in self.entries.keys() {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.entries.insert(fd, entry);
        Ok(fd)
    }

    pub fn insert_at(&mut self, fd: u32, entry: Entry) {
        self.entries.insert(fd, entry);
    }

    pub fn remove(&mut self, fd: u32) -> WasiResult<Entry> {
        self.entries.remove(&fd).ok_or(Errno::Badf)
    }

    /// Moves `from` onto `to`, closing what `to` held. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult {
        if !self.entries.contains_key(&from) || !self.entries.contains_key(&to) {
            return Err(Errno::Badf);
        }
        if from != to {
            let entry = self.remove(from)?;
            self.entries.insert(to, entry);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memio::NullStream;

    #[test]
    fn lowest_free_number_is_reused() {
        let mut t = FdTable::default();
        for want in 0..4 {
            let fd = t.push(Entry::stream(Box::new(NullStream), 0)).unwrap();
            assert_eq!(fd, want);
        }
        t.remove(1).unwrap();
        assert_eq!(t.push(Entry::stream(Box::new(NullStream), 0)), Ok(1));
        assert_eq!(t.push(Entry::stream(Box::new(NullStream), 0)), Ok(4));
        assert_eq!(t.renumber(4, 9), Err(Errno::Badf));
        t.renumber(4, 0).unwrap();
        assert!(t.get(4).is_err());
        assert_eq!(t.push(Entry::stream(Box::new(NullStream), 0)), Ok(4));
    }

    /// A guest opening descriptors without closing them gets `EMFILE` at `MAX_FDS`, not an
    /// ever-growing table; closing one makes room again.
    #[test]
    fn descriptors_stop_at_the_limit_with_emfile() {
        let mut t = FdTable::default();
        for want in 0..MAX_FDS as u32 {
            assert_eq!(t.push(Entry::stream(Box::new(NullStream), 0)), Ok(want));
        }
        let over = t.push(Entry::stream(Box::new(NullStream), 0));
        assert_eq!(over, Err(Errno::Mfile));
        t.remove(17).unwrap();
        assert_eq!(t.push(Entry::stream(Box::new(NullStream), 0)), Ok(17));
    }

    #[test]
    fn missing_rights_are_refused_with_the_right_errno() {
        let mut e = Entry::stream(Box::new(NullStream), rights::FD_READ);
        assert_eq!(e.check(rights::FD_READ), Ok(()));
        assert_eq!(e.check(rights::FD_WRITE), Err(Errno::NotCapable));
        e.read_only = true;
        assert_eq!(e.check(rights::FD_WRITE), Err(Errno::Rofs));
        assert_eq!(e.check(rights::FD_SEEK), Err(Errno::NotCapable));
    }
}
