//! The host seam: what a platform provides so the WASI functions can run on it. Each
//! trait is small and object-safe, and `WasiCtx` holds them boxed, so firmware can back
//! standard output with a UART (`Stream`), the clocks with a timer (`Clocks`), and offer
//! no file system at all; the `std` backend implements them with the OS.
//!
//! Everything security-relevant (rights, path resolution, guest memory) stays on the
//! caller's side of this seam: a backend only ever gets one path component at a time,
//! relative to a directory handle it produced itself.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::any::Any;

use crate::abi::{
    ClockId, DirEntry, Filestat, Filetype, OpenOptions, SeekFrom, SetTime, Timestamp,
};
use crate::errno::{Errno, WasiResult};

/// The clocks `clock_time_get`, `clock_res_get` and `poll_oneoff` read.
pub trait Clocks: Send {
    /// The current time of `clock` in nanoseconds (`Realtime` since 1970-01-01 UTC,
    /// `Monotonic` since any fixed point). A clock the platform lacks is `ENOTSUP`.
    fn now(&mut self, clock: ClockId) -> WasiResult<Timestamp>;

    /// The resolution of `clock` in nanoseconds.
    fn resolution(&mut self, clock: ClockId) -> WasiResult<Timestamp>;

    /// Blocks for `nanos` nanoseconds. The default spins on the monotonic clock, which
    /// suits a bare-metal timer; an OS backend sleeps.
    fn sleep(&mut self, nanos: u64) {
        let Ok(start) = self.now(ClockId::Monotonic) else {
            return;
        };
        while let Ok(now) = self.now(ClockId::Monotonic) {
            if now.saturating_sub(start) >= nanos {
                break;
            }
            core::hint::spin_loop();
        }
    }
}

/// The source `random_get` draws from. It should be a cryptographically secure one: guests
/// seed hash tables and key generators from it.
pub trait Random: Send {
    fn fill(&mut self, buf: &mut [u8]) -> WasiResult;
}

/// A byte stream: standard input, output or error.
pub trait Stream: Send {
    /// Reads at most `buf.len()` bytes; 0 means end of stream. A stream that cannot be
    /// read is `EBADF`.
    fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        let _ = buf;
        Err(Errno::Badf)
    }

    /// Writes from `bufs` in order, returning how many bytes were taken. A stream that
    /// cannot be written is `EBADF`.
    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        let _ = bufs;
        Err(Errno::Badf)
    }

    /// Whether the stream is an interactive terminal (reported to the guest as a
    /// character device, so libc line-buffers it).
    fn is_terminal(&self) -> bool {
        false
    }

    /// Waits until a read would not block, or until `timeout` nanoseconds pass (`None`:
    /// no limit; `Some(0)`: just look). `Some(n)`: readable, with `n` bytes known to be
    /// waiting (0 if unknown or at end of stream); `None`: timed out. The default is
    /// always readable, right for in-memory streams.
    fn poll_read(&mut self, timeout: Option<u64>) -> WasiResult<Option<u64>> {
        let _ = timeout;
        Ok(Some(0))
    }

    /// Waits until a write would not block, or until `timeout` nanoseconds pass, as
    /// `poll_read`. `Some(n)`: a write of at most `n` bytes will not block (`usize::MAX`:
    /// any write); `None`: timed out. The default never blocks, right for in-memory
    /// streams and files; a pipe whose reader is slow overrides it.
    fn poll_write(&mut self, timeout: Option<u64>) -> WasiResult<Option<usize>> {
        let _ = timeout;
        Ok(Some(usize::MAX))
    }
}

/// An open non-directory file.
pub trait File: Send {
    /// Reads at the current position, advancing it.
    fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize>;
    /// Writes at the current position (at the end if opened for append), advancing it.
    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize>;
    /// Reads at `offset` without moving the position.
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> WasiResult<usize>;
    /// Writes at `offset` without moving the position.
    fn write_at(&mut self, buf: &[u8], offset: u64) -> WasiResult<usize>;
    /// Moves the position, returning the new one.
    fn seek(&mut self, pos: SeekFrom) -> WasiResult<u64>;
    fn stat(&mut self) -> WasiResult<Filestat>;
    fn set_size(&mut self, size: u64) -> WasiResult;
    fn set_times(&mut self, atime: SetTime, mtime: SetTime) -> WasiResult;
    /// Flushes data and metadata to stable storage.
    fn sync(&mut self) -> WasiResult;
    /// Flushes data to stable storage.
    fn datasync(&mut self) -> WasiResult {
        self.sync()
    }
    /// Turns append mode on or off (`fd_fdstat_set_flags`).
    fn set_append(&mut self, append: bool) -> WasiResult {
        let _ = append;
        Err(Errno::NotSup)
    }

    /// Whether a read or write may wait for another process (a FIFO, a terminal, a
    /// socket). Such reads wait in `poll_read` first, and writes in `poll_write`, so that
    /// an interrupt can cut them short.
    fn blocks(&self) -> bool {
        false
    }

    /// Waits until a read would not block, or until `timeout` nanoseconds pass (`None`:
    /// no limit; `Some(0)`: just look), as `Stream::poll_read`. `Some(n)`: readable, with
    /// `n` bytes known to be waiting. The default suits a file whose reads never block:
    /// always ready, with the bytes from the position to the end. A backend overrides it
    /// for files that can block: FIFOs, terminals, sockets.
    fn poll_read(&mut self, timeout: Option<u64>) -> WasiResult<Option<u64>> {
        let _ = timeout;
        let size = self.stat()?.size;
        let pos = self.seek(SeekFrom::Current(0))?;
        Ok(Some(size.saturating_sub(pos)))
    }

    /// As `Stream::poll_write`: the default never blocks.
    fn poll_write(&mut self, timeout: Option<u64>) -> WasiResult<Option<usize>> {
        let _ = timeout;
        Ok(Some(usize::MAX))
    }
}

/// What `Dir::open` found.
pub enum Opened {
    File(Box<dyn File>),
    Dir(Box<dyn Dir>),
}

impl core::fmt::Debug for Opened {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Opened::File(_) => "Opened::File(..)",
            Opened::Dir(_) => "Opened::Dir(..)",
        })
    }
}

/// A directory handle offering `openat`-style primitives.
///
/// Contract, relied on by the sandbox (`sandbox.rs`): every `name` is exactly one path
/// component — never empty, never `.` or `..`, without `/` or NUL — and names an entry
/// of *this* directory. A backend never follows a symbolic link at `name`: where the
/// caller asks to open or look through one, it answers `ELOOP`, and the caller reads the
/// link with `read_link` and resolves the target itself. Handles a backend returns must
/// stay bound to the directory they were opened on (a file descriptor, an inode
/// reference), not to a path that could be swapped underneath.
pub trait Dir: Send {
    /// Opens subdirectory `name`. A symbolic link at `name` is `ELOOP`; a non-directory is
    /// `ENOTDIR`.
    fn open_dir(&self, name: &str) -> WasiResult<Box<dyn Dir>>;

    /// Opens (or creates) `name` as `opts` say. A symbolic link at `name` is `ELOOP`
    /// (`EEXIST` with `create` + `exclusive`); a directory opens as `Opened::Dir` unless
    /// write access, `create` + `exclusive` or `truncate` was asked (then it is `EISDIR`
    /// or `EEXIST`, as the OS says).
    fn open(&self, name: &str, opts: &OpenOptions) -> WasiResult<Opened>;

    /// Another handle to this same directory.
    fn try_clone(&self) -> WasiResult<Box<dyn Dir>>;

    /// The target of symbolic link `name`; not a link is `EINVAL`.
    fn read_link(&self, name: &str) -> WasiResult<Vec<u8>>;

    /// Status of `name` itself (a symbolic link is described, not followed).
    fn stat_at(&self, name: &str) -> WasiResult<Filestat>;

    /// Sets the timestamps of `name` itself (a symbolic link's own, not its target's).
    fn set_times_at(&self, name: &str, atime: SetTime, mtime: SetTime) -> WasiResult;

    fn create_dir(&self, name: &str) -> WasiResult;

    /// Removes empty directory `name` (`ENOTEMPTY` if it is not, `ENOTDIR` if it is not a
    /// directory).
    fn remove_dir(&self, name: &str) -> WasiResult;

    /// Removes non-directory `name` (`EISDIR` for a directory).
    fn unlink(&self, name: &str) -> WasiResult;

    /// Creates symbolic link `name` with contents `target` (stored as given, not resolved).
    fn symlink(&self, target: &str, name: &str) -> WasiResult;

    /// Creates hard link `to_name` in `to_dir` for `name` (a symbolic link is linked
    /// itself). A `to_dir` of another backend is `EXDEV`.
    fn link(&self, name: &str, to_dir: &dyn Dir, to_name: &str) -> WasiResult;

    /// Renames `name` to `to_name` in `to_dir`, replacing what is there as POSIX
    /// `rename` does. A `to_dir` of another backend is `EXDEV`.
    fn rename(&self, name: &str, to_dir: &dyn Dir, to_name: &str) -> WasiResult;

    /// Every entry of the directory, `.` and `..` included, in a stable order for as long
    /// as the directory does not change.
    fn read_dir(&self) -> WasiResult<Vec<DirEntry>>;

    /// Status of the directory itself.
    fn stat(&self) -> WasiResult<Filestat>;

    fn set_times(&self, atime: SetTime, mtime: SetTime) -> WasiResult;

    fn sync(&self) -> WasiResult {
        Ok(())
    }

    /// For `link` and `rename`, which need both directories as the backend's own type.
    fn as_any(&self) -> &dyn Any;
}

/// The file type a `Filestat` of a stream reports.
pub(crate) fn stream_filetype(stream: &dyn Stream) -> Filetype {
    if stream.is_terminal() {
        Filetype::CharacterDevice
    } else {
        Filetype::Unknown
    }
}

/// Clocks for a platform that has none: every clock is `ENOTSUP`, and `poll_oneoff`
/// reports clock subscriptions with that error instead of sleeping.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoClocks;

impl Clocks for NoClocks {
    fn now(&mut self, _: ClockId) -> WasiResult<Timestamp> {
        Err(Errno::NotSup)
    }
    fn resolution(&mut self, _: ClockId) -> WasiResult<Timestamp> {
        Err(Errno::NotSup)
    }
    fn sleep(&mut self, _: u64) {}
}

/// Randomness for a platform that has no source: `random_get` is `ENOSYS`. (Deliberately
/// not a fixed-seed generator: a guest would take its output for real entropy.)
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRandom;

impl Random for NoRandom {
    fn fill(&mut self, _: &mut [u8]) -> WasiResult {
        Err(Errno::NoSys)
    }
}
