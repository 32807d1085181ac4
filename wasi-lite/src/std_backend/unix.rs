//! Host directories and files on unix, through `*at` system calls on directory file
//! descriptors (rustix). Every call names one component relative to a descriptor this
//! backend opened, with `O_NOFOLLOW`/`AT_SYMLINK_NOFOLLOW`, as the `Dir` contract asks;
//! the sandbox does all resolution.

// The crate is no_std; this module is the std part, with std's prelude.
use std::prelude::rust_2021::*;

use std::any::Any;
use std::fs;
use std::io::{IoSlice, Read, Seek, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat, Timespec, Timestamps};
use rustix::io::Errno as Os;

use crate::abi::{DirEntry, Filestat, Filetype, OpenOptions, SeekFrom, SetTime};
use crate::errno::{Errno, WasiResult};
use crate::host::{Dir, File, Opened};

/// OS error codes and their preview1 counterparts (numbers differ between OSes; rustix
/// has the right ones for each).
const ERRNOS: &[(Os, Errno)] = &[
    (Os::TOOBIG, Errno::TooBig),
    (Os::ACCESS, Errno::Acces),
    (Os::AGAIN, Errno::Again),
    (Os::BADF, Errno::Badf),
    (Os::BUSY, Errno::Busy),
    (Os::DQUOT, Errno::Dquot),
    (Os::EXIST, Errno::Exist),
    (Os::FAULT, Errno::Fault),
    (Os::FBIG, Errno::Fbig),
    (Os::ILSEQ, Errno::Ilseq),
    (Os::INTR, Errno::Intr),
    (Os::INVAL, Errno::Inval),
    (Os::IO, Errno::Io),
    (Os::ISDIR, Errno::IsDir),
    (Os::LOOP, Errno::Loop),
    (Os::MFILE, Errno::Mfile),
    (Os::MLINK, Errno::Mlink),
    (Os::NAMETOOLONG, Errno::NameTooLong),
    (Os::NFILE, Errno::Nfile),
    (Os::NODEV, Errno::NoDev),
    (Os::NOENT, Errno::NoEnt),
    (Os::NOMEM, Errno::NoMem),
    (Os::NOSPC, Errno::NoSpc),
    (Os::NOSYS, Errno::NoSys),
    (Os::NOTDIR, Errno::NotDir),
    (Os::NOTEMPTY, Errno::NotEmpty),
    (Os::NOTSUP, Errno::NotSup),
    (Os::NOTTY, Errno::NoTty),
    (Os::NXIO, Errno::Nxio),
    (Os::OVERFLOW, Errno::Overflow),
    (Os::PERM, Errno::Perm),
    (Os::PIPE, Errno::Pipe),
    (Os::RANGE, Errno::Range),
    (Os::ROFS, Errno::Rofs),
    (Os::SPIPE, Errno::Spipe),
    (Os::STALE, Errno::Stale),
    (Os::TXTBSY, Errno::TxtBsy),
    (Os::XDEV, Errno::Xdev),
];

/// The preview1 errno for an OS one; codes without a counterpart are `EIO`.
pub(crate) fn errno(e: Os) -> Errno {
    ERRNOS
        .iter()
        .find(|(os, _)| *os == e)
        .map_or(Errno::Io, |(_, w)| *w)
}

fn io(e: std::io::Error) -> Errno {
    super::io_errno(&e)
}

fn filetype(ft: FileType) -> Filetype {
    match ft {
        FileType::RegularFile => Filetype::RegularFile,
        FileType::Directory => Filetype::Directory,
        FileType::Symlink => Filetype::SymbolicLink,
        FileType::CharacterDevice => Filetype::CharacterDevice,
        FileType::BlockDevice => Filetype::BlockDevice,
        // A FIFO is a stream of bytes, which preview1 has no better word for.
        FileType::Fifo => Filetype::SocketStream,
        FileType::Socket => Filetype::SocketStream,
        _ => Filetype::Unknown,
    }
}

/// Seconds and nanoseconds to nanoseconds since 1970; before 1970 is clamped to 0
/// (preview1 timestamps are unsigned).
fn timestamp(sec: i64, nsec: i64) -> u64 {
    u64::try_from(sec)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nsec).unwrap_or(0))
}

// The field types of `struct stat` differ between OSes and architectures (the casts are
// no-ops on some, conversions on others).
#[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
fn filestat(st: &Stat) -> Filestat {
    Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype: filetype(FileType::from_raw_mode(st.st_mode as _)),
        nlink: st.st_nlink as u64,
        size: u64::try_from(st.st_size as i64).unwrap_or(0),
        atim: timestamp(st.st_atime as i64, st.st_atime_nsec as i64),
        mtim: timestamp(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctim: timestamp(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

fn timespec(t: SetTime) -> Timespec {
    let (tv_sec, tv_nsec) = match t {
        SetTime::Omit => (0, rustix::fs::UTIME_OMIT),
        SetTime::Now => (0, rustix::fs::UTIME_NOW),
        SetTime::At(ns) => ((ns / 1_000_000_000) as _, (ns % 1_000_000_000) as _),
    };
    Timespec { tv_sec, tv_nsec }
}

fn timestamps(atime: SetTime, mtime: SetTime) -> Timestamps {
    Timestamps {
        last_access: timespec(atime),
        last_modification: timespec(mtime),
    }
}

/// A directory of the host file system, held by an open descriptor.
#[derive(Debug)]
pub struct HostDir {
    fd: OwnedFd,
}

impl HostDir {
    /// Opens host directory `path` (the embedder's choice, so symbolic links in it are
    /// followed: the sandbox starts below this point).
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<HostDir> {
        let fd = rustix::fs::open(
            path.as_ref(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(HostDir { fd })
    }

    /// Refines an error from opening `name` with `O_NOFOLLOW`: whether it failed because
    /// `name` is a symbolic link is told differently by each OS (`ELOOP` on Linux for
    /// files but `ENOTDIR` with `O_DIRECTORY`, `EMLINK` on FreeBSD, `EFTYPE` on NetBSD),
    /// so look at the entry itself and answer `ELOOP` exactly when it is a link.
    fn nofollow_error(&self, name: &str, e: Os) -> Errno {
        if e != Os::NOENT && e != Os::ACCESS && e != Os::EXIST {
            if let Ok(st) = rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                if FileType::from_raw_mode(st.st_mode as _) == FileType::Symlink {
                    return Errno::Loop;
                }
            }
        }
        errno(e)
    }

    fn is_fifo(&self, name: &str) -> bool {
        rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode as _) == FileType::Fifo)
    }

    fn peer<'a>(&self, other: &'a dyn Dir) -> WasiResult<&'a HostDir> {
        other.as_any().downcast_ref::<HostDir>().ok_or(Errno::Xdev)
    }
}

impl Dir for HostDir {
    fn open_dir(&self, name: &str) -> WasiResult<Box<dyn Dir>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => Ok(Box::new(HostDir { fd })),
            Err(e) => Err(self.nofollow_error(name, e)),
        }
    }

    fn open(&self, name: &str, opts: &OpenOptions) -> WasiResult<Opened> {
        let mut flags = OFlags::NOFOLLOW | OFlags::CLOEXEC;
        flags |= match (opts.read, opts.write) {
            (true, true) => OFlags::RDWR,
            (false, true) => OFlags::WRONLY,
            _ => OFlags::RDONLY,
        };
        for (on, flag) in [
            (opts.create, OFlags::CREATE),
            (opts.exclusive, OFlags::EXCL),
            (opts.truncate, OFlags::TRUNC),
            (opts.append, OFlags::APPEND),
            (opts.dsync, OFlags::DSYNC),
            (opts.sync, OFlags::SYNC),
        ] {
            if on {
                flags |= flag;
            }
        }
        // Non-blocking, so that opening a FIFO never waits for its other end here: for
        // reading it opens at once, and for writing it fails (ENXIO) until a reader
        // comes, which is told to the caller as EAGAIN, to wait where an interrupt can
        // end the wait (`path_open`). The flag is cleared again once open.
        let fd = rustix::fs::openat(
            &self.fd,
            name,
            flags | OFlags::NONBLOCK,
            Mode::from_raw_mode(0o666),
        )
        .map_err(|e| match e {
            Os::NXIO if opts.write && self.is_fifo(name) => Errno::Again,
            e => self.nofollow_error(name, e),
        })?;
        let st = rustix::fs::fstat(&fd).map_err(errno)?;
        let ft = FileType::from_raw_mode(st.st_mode as _);
        if ft == FileType::Directory {
            return Ok(Opened::Dir(Box::new(HostDir { fd })));
        }
        let status = rustix::fs::fcntl_getfl(&fd).map_err(errno)?;
        rustix::fs::fcntl_setfl(&fd, status - OFlags::NONBLOCK).map_err(errno)?;
        let blocks = can_block(fd.as_fd());
        Ok(Opened::File(Box::new(HostFile {
            file: fs::File::from(fd),
            blocks,
        })))
    }

    fn try_clone(&self) -> WasiResult<Box<dyn Dir>> {
        Ok(Box::new(HostDir {
            fd: self.fd.try_clone().map_err(io)?,
        }))
    }

    fn read_link(&self, name: &str) -> WasiResult<Vec<u8>> {
        rustix::fs::readlinkat(&self.fd, name, Vec::new())
            .map(|c| c.into_bytes())
            .map_err(errno)
    }

    fn stat_at(&self, name: &str) -> WasiResult<Filestat> {
        rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .map(|st| filestat(&st))
            .map_err(errno)
    }

    fn set_times_at(&self, name: &str, atime: SetTime, mtime: SetTime) -> WasiResult {
        rustix::fs::utimensat(
            &self.fd,
            name,
            &timestamps(atime, mtime),
            AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(errno)
    }

    fn create_dir(&self, name: &str) -> WasiResult {
        rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777)).map_err(errno)
    }

    fn remove_dir(&self, name: &str) -> WasiResult {
        rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR).map_err(errno)
    }

    fn unlink(&self, name: &str) -> WasiResult {
        rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()).map_err(|e| {
            // macOS and the BSDs answer EPERM for unlinking a directory; POSIX says EISDIR
            // is allowed and it is what the guest's libc expects.
            if e == Os::PERM && self.stat_at(name).map(|s| s.filetype) == Ok(Filetype::Directory) {
                Errno::IsDir
            } else {
                errno(e)
            }
        })
    }

    fn symlink(&self, target: &str, name: &str) -> WasiResult {
        rustix::fs::symlinkat(target, &self.fd, name).map_err(errno)
    }

    fn link(&self, name: &str, to_dir: &dyn Dir, to_name: &str) -> WasiResult {
        let to = self.peer(to_dir)?;
        // No AT_SYMLINK_FOLLOW: a link at `name` is linked itself.
        rustix::fs::linkat(&self.fd, name, &to.fd, to_name, AtFlags::empty()).map_err(errno)
    }

    fn rename(&self, name: &str, to_dir: &dyn Dir, to_name: &str) -> WasiResult {
        let to = self.peer(to_dir)?;
        rustix::fs::renameat(&self.fd, name, &to.fd, to_name).map_err(errno)
    }

    fn read_dir(&self) -> WasiResult<Vec<DirEntry>> {
        // `read_from` opens its own descriptor for `.`, so listings never share a stream
        // position with another handle.
        let mut dir = rustix::fs::Dir::read_from(&self.fd).map_err(errno)?;
        let mut out = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(errno)?;
            let name = entry.file_name().to_bytes().to_vec();
            let mut ft = filetype(entry.file_type());
            if ft == Filetype::Unknown {
                // Some file systems leave d_type unset; ask the entry itself.
                if let Ok(name) = std::str::from_utf8(&name) {
                    if let Ok(st) = self.stat_at(name) {
                        ft = st.filetype;
                    }
                }
            }
            out.push(DirEntry {
                name,
                ino: entry.ino(),
                filetype: ft,
            });
        }
        Ok(out)
    }

    fn stat(&self) -> WasiResult<Filestat> {
        rustix::fs::fstat(&self.fd)
            .map(|st| filestat(&st))
            .map_err(errno)
    }

    fn set_times(&self, atime: SetTime, mtime: SetTime) -> WasiResult {
        rustix::fs::futimens(&self.fd, &timestamps(atime, mtime)).map_err(errno)
    }

    fn sync(&self) -> WasiResult {
        rustix::fs::fsync(&self.fd).map_err(errno)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A host file opened through a `HostDir`.
#[derive(Debug)]
struct HostFile {
    file: fs::File,
    /// A FIFO, terminal or socket: reads may wait for another process.
    blocks: bool,
}

/// The most bytes one write to a pipe is sure to take without blocking once `poll(2)`
/// says it is writable (POSIX's `PIPE_BUF` is at least 512; Linux and macOS have 4096 in
/// a page, and Linux reports a pipe writable while a page is free).
const PIPE_BUF: usize = 4096;

/// Waits up to `timeout` nanoseconds (`None`: no limit) for `fd` to become ready for
/// `events`: whether it did. A signal counts as not ready (the caller asks again).
fn poll_fd(
    fd: std::os::fd::BorrowedFd<'_>,
    events: rustix::event::PollFlags,
    timeout: Option<u64>,
) -> WasiResult<bool> {
    use rustix::event::{poll, PollFd, Timespec};
    let timeout = timeout.map(|ns| Timespec {
        tv_sec: (ns / 1_000_000_000).try_into().unwrap_or(i64::MAX as _),
        tv_nsec: (ns % 1_000_000_000) as _,
    });
    let mut fds = [PollFd::new(&fd, events)];
    match poll(&mut fds, timeout.as_ref()) {
        Ok(n) => Ok(n > 0),
        Err(Os::INTR) => Ok(false),
        Err(e) => Err(errno(e)),
    }
}

/// `poll_read` for a descriptor that can block: `Some(n)` when readable, with `n` bytes
/// known to be waiting (0 if unknown, or at end of stream), `None` on time-out.
pub(crate) fn poll_readable(
    fd: std::os::fd::BorrowedFd<'_>,
    timeout: Option<u64>,
) -> WasiResult<Option<u64>> {
    Ok(poll_fd(fd, rustix::event::PollFlags::IN, timeout)?
        .then(|| rustix::io::ioctl_fionread(fd).unwrap_or(0)))
}

/// `poll_write` for a descriptor that can block: `Some(PIPE_BUF)` when writable.
pub(crate) fn poll_writable(
    fd: std::os::fd::BorrowedFd<'_>,
    timeout: Option<u64>,
) -> WasiResult<Option<usize>> {
    Ok(poll_fd(fd, rustix::event::PollFlags::OUT, timeout)?.then_some(PIPE_BUF))
}

/// Whether reads and writes of `fd` may wait for another process: a FIFO, a terminal or
/// another character device, a socket.
pub(crate) fn can_block(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    rustix::fs::fstat(fd).is_ok_and(|st| {
        matches!(
            FileType::from_raw_mode(st.st_mode as _),
            FileType::Fifo | FileType::CharacterDevice | FileType::Socket
        )
    })
}

impl File for HostFile {
    fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        self.file.read(buf).map_err(io)
    }

    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        let slices: Vec<IoSlice<'_>> = bufs.iter().map(|b| IoSlice::new(b)).collect();
        self.file.write_vectored(&slices).map_err(io)
    }

    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
        self.file.read_at(buf, offset).map_err(io)
    }

    fn write_at(&mut self, buf: &[u8], offset: u64) -> WasiResult<usize> {
        self.file.write_at(buf, offset).map_err(io)
    }

    fn seek(&mut self, pos: SeekFrom) -> WasiResult<u64> {
        let pos = match pos {
            SeekFrom::Start(p) => std::io::SeekFrom::Start(p),
            SeekFrom::Current(d) => std::io::SeekFrom::Current(d),
            SeekFrom::End(d) => std::io::SeekFrom::End(d),
        };
        self.file.seek(pos).map_err(io)
    }

    fn stat(&mut self) -> WasiResult<Filestat> {
        rustix::fs::fstat(&self.file)
            .map(|st| filestat(&st))
            .map_err(errno)
    }

    fn set_size(&mut self, size: u64) -> WasiResult {
        self.file.set_len(size).map_err(io)
    }

    fn set_times(&mut self, atime: SetTime, mtime: SetTime) -> WasiResult {
        rustix::fs::futimens(&self.file, &timestamps(atime, mtime)).map_err(errno)
    }

    fn sync(&mut self) -> WasiResult {
        self.file.sync_all().map_err(io)
    }

    fn datasync(&mut self) -> WasiResult {
        self.file.sync_data().map_err(io)
    }

    fn set_append(&mut self, append: bool) -> WasiResult {
        let mut flags = rustix::fs::fcntl_getfl(&self.file).map_err(errno)?;
        flags.set(OFlags::APPEND, append);
        rustix::fs::fcntl_setfl(&self.file, flags).map_err(errno)
    }

    fn blocks(&self) -> bool {
        self.blocks
    }

    fn poll_read(&mut self, timeout: Option<u64>) -> WasiResult<Option<u64>> {
        if !self.blocks {
            let size = self.stat()?.size;
            let pos = self.seek(SeekFrom::Current(0))?;
            return Ok(Some(size.saturating_sub(pos)));
        }
        use std::os::fd::AsFd;
        poll_readable(self.file.as_fd(), timeout)
    }

    fn poll_write(&mut self, timeout: Option<u64>) -> WasiResult<Option<usize>> {
        if !self.blocks {
            return Ok(Some(usize::MAX));
        }
        use std::os::fd::AsFd;
        poll_writable(self.file.as_fd(), timeout)
    }
}
