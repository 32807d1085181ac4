//! The `std` backend: the OS clocks, the OS random source, the process's standard streams,
//! and host directories as preopens (unix only; see `unix.rs`).

// The crate is no_std; this module is the std part, with std's prelude.
use std::prelude::rust_2021::*;

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::abi::{ClockId, Timestamp};
use crate::ctx::{Error, WasiCtxBuilder};
use crate::errno::{Errno, WasiResult};
use crate::host::{Clocks, Random, Stream};

mod stdin;
#[cfg(unix)]
mod unix;

pub use stdin::InheritStdin;
#[cfg(unix)]
pub use unix::HostDir;

/// The OS clocks. Monotonic time counts from a point fixed once per process, so every
/// context agrees on it. CPU-time clocks are `ENOTSUP`: reading them needs
/// `clock_gettime`, outside what this backend links.
#[derive(Debug, Clone, Copy)]
pub struct SystemClocks {
    origin: Instant,
}

impl SystemClocks {
    pub fn new() -> SystemClocks {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        SystemClocks {
            origin: *ORIGIN.get_or_init(Instant::now),
        }
    }
}

impl Default for SystemClocks {
    fn default() -> Self {
        SystemClocks::new()
    }
}

fn nanos(d: Duration) -> WasiResult<Timestamp> {
    u64::try_from(d.as_nanos()).map_err(|_| Errno::Overflow)
}

impl Clocks for SystemClocks {
    fn now(&mut self, clock: ClockId) -> WasiResult<Timestamp> {
        match clock {
            ClockId::Realtime => nanos(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_err(|_| Errno::Overflow)?,
            ),
            ClockId::Monotonic => nanos(self.origin.elapsed()),
            ClockId::ProcessCputime | ClockId::ThreadCputime => Err(Errno::NotSup),
        }
    }

    fn resolution(&mut self, clock: ClockId) -> WasiResult<Timestamp> {
        match clock {
            // What Linux and macOS report for these clocks.
            ClockId::Realtime | ClockId::Monotonic => Ok(1),
            ClockId::ProcessCputime | ClockId::ThreadCputime => Err(Errno::NotSup),
        }
    }

    fn sleep(&mut self, nanos: u64) {
        std::thread::sleep(Duration::from_nanos(nanos));
    }
}

/// The OS's cryptographically secure random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> WasiResult {
        getrandom::fill(buf).map_err(|_| Errno::Io)
    }
}

/// The host process's standard output.
#[derive(Debug, Default, Clone, Copy)]
pub struct InheritStdout {
    /// Whether descriptor 1 can block (a pipe, a terminal), once looked at.
    #[cfg(unix)]
    blocks: Option<bool>,
}

/// The host process's standard error.
#[derive(Debug, Default, Clone, Copy)]
pub struct InheritStderr {
    /// Whether descriptor 2 can block, once looked at.
    #[cfg(unix)]
    blocks: Option<bool>,
}

/// `Stream::poll_write` for descriptor `fd` of the process: a pipe or terminal is asked,
/// anything else never blocks.
#[cfg(unix)]
fn poll_std_write(
    fd: std::os::fd::BorrowedFd<'_>,
    blocks: &mut Option<bool>,
    timeout: Option<u64>,
) -> WasiResult<Option<usize>> {
    if *blocks.get_or_insert_with(|| unix::can_block(fd)) {
        unix::poll_writable(fd, timeout)
    } else {
        Ok(Some(usize::MAX))
    }
}

/// Writes all of `bufs` and flushes, so the guest's output interleaves with the host's
/// (and stdout with stderr) in the order it was written.
fn write_all(mut out: impl Write, bufs: &[&[u8]]) -> WasiResult<usize> {
    let mut total = 0;
    for b in bufs {
        out.write_all(b).map_err(|e| io_errno(&e))?;
        total += b.len();
    }
    out.flush().map_err(|e| io_errno(&e))?;
    Ok(total)
}

impl Stream for InheritStdout {
    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        write_all(std::io::stdout().lock(), bufs)
    }
    fn is_terminal(&self) -> bool {
        std::io::stdout().is_terminal()
    }
    #[cfg(unix)]
    fn poll_write(&mut self, timeout: Option<u64>) -> WasiResult<Option<usize>> {
        poll_std_write(rustix::stdio::stdout(), &mut self.blocks, timeout)
    }
}

impl Stream for InheritStderr {
    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        write_all(std::io::stderr().lock(), bufs)
    }
    fn is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }
    #[cfg(unix)]
    fn poll_write(&mut self, timeout: Option<u64>) -> WasiResult<Option<usize>> {
        poll_std_write(rustix::stdio::stderr(), &mut self.blocks, timeout)
    }
}

/// Reads the host's standard input directly (used until something polls it).
#[cfg(not(unix))]
pub(crate) fn read_stdin(buf: &mut [u8]) -> WasiResult<usize> {
    use std::io::Read;
    std::io::stdin().lock().read(buf).map_err(|e| io_errno(&e))
}

/// The errno for an I/O error: the OS's own code where there is one.
pub(crate) fn io_errno(e: &std::io::Error) -> Errno {
    #[cfg(unix)]
    if let Some(os) = rustix::io::Errno::from_io_error(e) {
        return unix::errno(os);
    }
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => Errno::NoEnt,
        K::PermissionDenied => Errno::Acces,
        K::AlreadyExists => Errno::Exist,
        K::WouldBlock => Errno::Again,
        K::InvalidInput => Errno::Inval,
        K::Interrupted => Errno::Intr,
        K::BrokenPipe => Errno::Pipe,
        K::Unsupported => Errno::NotSup,
        K::OutOfMemory => Errno::NoMem,
        K::WriteZero => Errno::NoSpc,
        _ => Errno::Io,
    }
}

impl WasiCtxBuilder {
    /// Standard input, output and error are the host process's.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin(InheritStdin::new())
    }

    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout(InheritStdout::default())
    }

    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr(InheritStderr::default())
    }

    /// Passes every environment variable of the host process whose name and value are
    /// valid (no NUL, no `=` in the name) to the guest.
    pub fn inherit_env(&mut self) -> &mut Self {
        for (k, v) in std::env::vars_os() {
            let (Some(k), Some(v)) = (k.to_str(), v.to_str()) else {
                continue;
            };
            if !k.is_empty() && !k.contains(['=', '\0']) && !v.contains('\0') {
                self.env(k, v);
            }
        }
        self
    }

    /// Preopens host directory `host_path` for the guest as `guest_path`, with full
    /// rights beneath it. The directory is opened now, so a missing one is an error here.
    ///
    /// Unix only: elsewhere this returns [`Error::Preopen`], because the sandbox needs
    /// `openat`-style primitives with `O_NOFOLLOW` that the backend implements for unix.
    pub fn preopen_dir(
        &mut self,
        host_path: impl AsRef<std::path::Path>,
        guest_path: impl Into<String>,
    ) -> Result<&mut Self, Error> {
        self.preopen_host(host_path.as_ref(), guest_path.into(), false)
    }

    /// As [`preopen_dir`](Self::preopen_dir), but the guest may only read: every write
    /// beneath it (create, write, truncate, mkdir, unlink, rename, link, symlink, set
    /// size or times) is refused with `EROFS`.
    pub fn preopen_dir_read_only(
        &mut self,
        host_path: impl AsRef<std::path::Path>,
        guest_path: impl Into<String>,
    ) -> Result<&mut Self, Error> {
        self.preopen_host(host_path.as_ref(), guest_path.into(), true)
    }

    fn preopen_host(
        &mut self,
        host_path: &std::path::Path,
        guest_path: String,
        read_only: bool,
    ) -> Result<&mut Self, Error> {
        #[cfg(unix)]
        {
            let dir = HostDir::open(host_path).map_err(|e| Error::Preopen {
                host_path: host_path.display().to_string(),
                reason: e.to_string(),
            })?;
            Ok(self.preopen(dir, guest_path, read_only))
        }
        #[cfg(not(unix))]
        {
            let _ = (guest_path, read_only);
            Err(Error::Preopen {
                host_path: host_path.display().to_string(),
                reason: "preopened host directories are only supported on unix hosts".into(),
            })
        }
    }
}
