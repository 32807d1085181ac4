//! Shared by the guest programs: raw `wasi_snapshot_preview1` calls (for what std does not
//! expose on WASI, and for the escape tests, which must reach the runtime with exactly the
//! path they mean rather than one wasi-libc has already resolved) and the `check!`/`fail`
//! helpers that make every program exit nonzero with a clear message when a check fails.

use std::fmt;

/// Ends the program with status 1 after naming the program and the failed check on stderr.
pub fn fail(msg: fmt::Arguments<'_>) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let prog = std::env::args().next().unwrap_or_default();
    let prog = prog.rsplit('/').next().unwrap_or("guest");
    eprintln!("{prog}: FAILED: {msg}");
    std::process::exit(1)
}

/// `check!(cond, "what was expected {}", x)`: on a false condition, `fail`s with the message
/// and the condition's source text.
#[macro_export]
macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            $crate::fail(format_args!("{} (check `{}` at line {})",
                format_args!($($fmt)+), stringify!($cond), line!()))
        }
    };
}

/// Unwraps a `Result`, or `fail`s naming what was being done and the error.
pub trait OrFail<T> {
    fn or_fail(self, what: &str) -> T;
}

impl<T, E: fmt::Display> OrFail<T> for Result<T, E> {
    fn or_fail(self, what: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => fail(format_args!("{what}: {e}")),
        }
    }
}

/// Raw `wasi_snapshot_preview1`, with thin safe wrappers.
pub mod wasi {
    use std::fmt;

    pub type Fd = u32;

    /// A WASI errno (`wasi_snapshot_preview1`'s numbering, which is also what
    /// `std::io::Error::raw_os_error` returns on WASI).
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Errno(pub u16);

    const ERRNO_NAMES: [&str; 77] = [
        "SUCCESS",
        "2BIG",
        "ACCES",
        "ADDRINUSE",
        "ADDRNOTAVAIL",
        "AFNOSUPPORT",
        "AGAIN",
        "ALREADY",
        "BADF",
        "BADMSG",
        "BUSY",
        "CANCELED",
        "CHILD",
        "CONNABORTED",
        "CONNREFUSED",
        "CONNRESET",
        "DEADLK",
        "DESTADDRREQ",
        "DOM",
        "DQUOT",
        "EXIST",
        "FAULT",
        "FBIG",
        "HOSTUNREACH",
        "IDRM",
        "ILSEQ",
        "INPROGRESS",
        "INTR",
        "INVAL",
        "IO",
        "ISCONN",
        "ISDIR",
        "LOOP",
        "MFILE",
        "MLINK",
        "MSGSIZE",
        "MULTIHOP",
        "NAMETOOLONG",
        "NETDOWN",
        "NETRESET",
        "NETUNREACH",
        "NFILE",
        "NOBUFS",
        "NODEV",
        "NOENT",
        "NOEXEC",
        "NOLCK",
        "NOLINK",
        "NOMEM",
        "NOMSG",
        "NOPROTOOPT",
        "NOSPC",
        "NOSYS",
        "NOTCONN",
        "NOTDIR",
        "NOTEMPTY",
        "NOTRECOVERABLE",
        "NOTSOCK",
        "NOTSUP",
        "NOTTY",
        "NXIO",
        "OVERFLOW",
        "OWNERDEAD",
        "PERM",
        "PIPE",
        "PROTO",
        "PROTONOSUPPORT",
        "PROTOTYPE",
        "RANGE",
        "ROFS",
        "SPIPE",
        "SRCH",
        "STALE",
        "TIMEDOUT",
        "TXTBSY",
        "XDEV",
        "NOTCAPABLE",
    ];

    impl Errno {
        pub const ACCES: Errno = Errno(2);
        pub const BADF: Errno = Errno(8);
        pub const EXIST: Errno = Errno(20);
        pub const INVAL: Errno = Errno(28);
        pub const ISDIR: Errno = Errno(31);
        pub const LOOP: Errno = Errno(32);
        pub const NOENT: Errno = Errno(44);
        pub const NOSYS: Errno = Errno(52);
        pub const NOTDIR: Errno = Errno(54);
        pub const NOTEMPTY: Errno = Errno(55);
        pub const NOTSUP: Errno = Errno(58);
        pub const PERM: Errno = Errno(63);
        pub const ROFS: Errno = Errno(69);
        pub const NOTCAPABLE: Errno = Errno(76);

        /// `E` plus the WASI name, e.g. `ENOTCAPABLE`; unknown values as `errno N`.
        pub fn name(self) -> String {
            match ERRNO_NAMES.get(usize::from(self.0)) {
                Some(n) => format!("E{n}"),
                None => format!("errno {}", self.0),
            }
        }
    }

    impl fmt::Display for Errno {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.name())
        }
    }

    pub type Result<T> = std::result::Result<T, Errno>;

    pub mod rights {
        pub const FD_DATASYNC: u64 = 1 << 0;
        pub const FD_READ: u64 = 1 << 1;
        pub const FD_SEEK: u64 = 1 << 2;
        pub const FD_SYNC: u64 = 1 << 4;
        pub const FD_TELL: u64 = 1 << 5;
        pub const FD_WRITE: u64 = 1 << 6;
        pub const PATH_OPEN: u64 = 1 << 13;
        pub const FD_READDIR: u64 = 1 << 14;
        pub const PATH_READLINK: u64 = 1 << 15;
        pub const PATH_FILESTAT_GET: u64 = 1 << 18;
        pub const FD_FILESTAT_GET: u64 = 1 << 21;
        pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
        /// Every right `wasi_snapshot_preview1` defines (bits 0 to 29).
        pub const ALL: u64 = (1 << 30) - 1;
        /// What a read-only open of a regular file asks for.
        pub const READ_FILE: u64 = FD_READ | FD_SEEK | FD_TELL | FD_FILESTAT_GET;
        /// What a read-only open of a directory asks for.
        pub const READ_DIR: u64 =
            FD_READDIR | PATH_OPEN | PATH_READLINK | PATH_FILESTAT_GET | FD_FILESTAT_GET;
        /// What a read-write open of a regular file asks for.
        pub const RW_FILE: u64 =
            READ_FILE | FD_WRITE | FD_DATASYNC | FD_SYNC | FD_FILESTAT_SET_SIZE;
    }

    pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
    pub const OFLAGS_CREAT: u16 = 1;
    pub const OFLAGS_DIRECTORY: u16 = 2;
    pub const OFLAGS_EXCL: u16 = 4;
    pub const OFLAGS_TRUNC: u16 = 8;
    pub const FDFLAGS_APPEND: u16 = 1;
    pub const FSTFLAGS_ATIM: u16 = 1;
    pub const FSTFLAGS_MTIM: u16 = 4;
    pub const FILETYPE_DIRECTORY: u8 = 3;
    pub const FILETYPE_REGULAR_FILE: u8 = 4;
    pub const FILETYPE_SYMBOLIC_LINK: u8 = 7;
    pub const CLOCK_REALTIME: u32 = 0;
    pub const CLOCK_MONOTONIC: u32 = 1;
    pub const WHENCE_SET: u8 = 0;
    pub const WHENCE_CUR: u8 = 1;
    pub const WHENCE_END: u8 = 2;

    #[repr(C)]
    #[derive(Default, Clone, Copy, Debug)]
    pub struct Filestat {
        pub dev: u64,
        pub ino: u64,
        pub filetype: u8,
        pub nlink: u64,
        pub size: u64,
        pub atim: u64,
        pub mtim: u64,
        pub ctim: u64,
    }

    /// A clock subscription for `poll_oneoff` (the only kind these programs use).
    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct Subscription {
        pub userdata: u64,
        /// 0: clock.
        pub tag: u8,
        pub pad: [u8; 7],
        pub clock_id: u32,
        pub timeout: u64,
        pub precision: u64,
        /// 1: `timeout` is an absolute time of the clock.
        pub flags: u16,
    }

    #[repr(C)]
    #[derive(Default, Clone, Copy, Debug)]
    pub struct Event {
        pub userdata: u64,
        pub error: u16,
        pub kind: u8,
        pub nbytes: u64,
        pub rw_flags: u16,
    }

    impl Subscription {
        pub fn clock(userdata: u64, clock_id: u32, timeout: u64, flags: u16) -> Self {
            Subscription {
                userdata,
                tag: 0,
                pad: [0; 7],
                clock_id,
                timeout,
                precision: 0,
                flags,
            }
        }
    }

    pub const SUBCLOCKFLAGS_ABSTIME: u16 = 1;

    // The preview1 ABI's sizes, checked at compile time.
    const _: () = assert!(std::mem::size_of::<Subscription>() == 48);
    const _: () = assert!(std::mem::offset_of!(Subscription, clock_id) == 16);
    const _: () = assert!(std::mem::size_of::<Event>() == 32);
    const _: () = assert!(std::mem::size_of::<Filestat>() == 64);
    const _: () = assert!(std::mem::size_of::<Prestat>() == 8);

    #[repr(C)]
    struct Prestat {
        tag: u8,
        name_len: u32,
    }

    #[repr(C)]
    struct Iovec {
        buf: *const u8,
        len: usize,
    }

    mod sys {
        use super::{Filestat, Iovec, Prestat};
        #[link(wasm_import_module = "wasi_snapshot_preview1")]
        extern "C" {
            pub fn fd_prestat_get(fd: u32, out: *mut Prestat) -> u16;
            pub fn fd_prestat_dir_name(fd: u32, path: *mut u8, len: usize) -> u16;
            #[allow(clippy::too_many_arguments)]
            pub fn path_open(
                fd: u32,
                dirflags: u32,
                path: *const u8,
                path_len: usize,
                oflags: u16,
                rights_base: u64,
                rights_inheriting: u64,
                fdflags: u16,
                out: *mut u32,
            ) -> u16;
            pub fn fd_close(fd: u32) -> u16;
            pub fn fd_read(fd: u32, iovs: *const Iovec, n: usize, out: *mut usize) -> u16;
            pub fn fd_write(fd: u32, iovs: *const Iovec, n: usize, out: *mut usize) -> u16;
            pub fn fd_pread(
                fd: u32,
                iovs: *const Iovec,
                n: usize,
                off: u64,
                out: *mut usize,
            ) -> u16;
            pub fn fd_pwrite(
                fd: u32,
                iovs: *const Iovec,
                n: usize,
                off: u64,
                out: *mut usize,
            ) -> u16;
            pub fn fd_seek(fd: u32, offset: i64, whence: u8, out: *mut u64) -> u16;
            pub fn fd_filestat_get(fd: u32, out: *mut Filestat) -> u16;
            pub fn fd_filestat_set_size(fd: u32, size: u64) -> u16;
            pub fn path_symlink(
                old: *const u8,
                old_len: usize,
                fd: u32,
                new: *const u8,
                new_len: usize,
            ) -> u16;
            pub fn path_link(
                old_fd: u32,
                old_flags: u32,
                old: *const u8,
                old_len: usize,
                new_fd: u32,
                new: *const u8,
                new_len: usize,
            ) -> u16;
            pub fn path_rename(
                fd: u32,
                old: *const u8,
                old_len: usize,
                new_fd: u32,
                new: *const u8,
                new_len: usize,
            ) -> u16;
            pub fn path_unlink_file(fd: u32, path: *const u8, len: usize) -> u16;
            pub fn path_create_directory(fd: u32, path: *const u8, len: usize) -> u16;
            pub fn path_remove_directory(fd: u32, path: *const u8, len: usize) -> u16;
            pub fn path_filestat_get(
                fd: u32,
                flags: u32,
                path: *const u8,
                len: usize,
                out: *mut Filestat,
            ) -> u16;
            pub fn path_filestat_set_times(
                fd: u32,
                flags: u32,
                path: *const u8,
                len: usize,
                atim: u64,
                mtim: u64,
                fst_flags: u16,
            ) -> u16;
            pub fn path_readlink(
                fd: u32,
                path: *const u8,
                len: usize,
                buf: *mut u8,
                buf_len: usize,
                out: *mut usize,
            ) -> u16;
            pub fn random_get(buf: *mut u8, len: usize) -> u16;
            pub fn clock_res_get(id: u32, out: *mut u64) -> u16;
            pub fn clock_time_get(id: u32, precision: u64, out: *mut u64) -> u16;
            pub fn poll_oneoff(
                subs: *const super::Subscription,
                events: *mut super::Event,
                n: usize,
                out: *mut usize,
            ) -> u16;
        }
    }

    fn ok(e: u16) -> Result<()> {
        if e == 0 {
            Ok(())
        } else {
            Err(Errno(e))
        }
    }

    /// The guest name of preopened directory `fd`, or `EBADF` past the last preopen.
    pub fn prestat_dir_name(fd: Fd) -> Result<String> {
        let mut ps = Prestat {
            tag: 0,
            name_len: 0,
        };
        ok(unsafe { sys::fd_prestat_get(fd, &mut ps) })?;
        if ps.tag != 0 {
            return Err(Errno::INVAL);
        }
        let mut buf = vec![0u8; ps.name_len as usize];
        ok(unsafe { sys::fd_prestat_dir_name(fd, buf.as_mut_ptr(), buf.len()) })?;
        // wasi-libc tolerates a trailing NUL some runtimes include; so do we.
        while buf.last() == Some(&0) {
            buf.pop();
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// The descriptor of the preopened directory named `name` (as the runtime reports it;
    /// a trailing `/` on either side is ignored).
    pub fn preopen(name: &str) -> Option<Fd> {
        let want = name.trim_end_matches('/');
        // Preopens are numbered from 3 up, without gaps.
        (3..1024)
            .map(|fd| (fd, prestat_dir_name(fd)))
            .take_while(|(_, r)| *r != Err(Errno::BADF))
            .find(|(_, r)| r.as_deref().map(|n| n.trim_end_matches('/')) == Ok(want))
            .map(|(fd, _)| fd)
    }

    pub fn path_open(
        dir: Fd,
        lookup: u32,
        path: &str,
        oflags: u16,
        rights: u64,
        fdflags: u16,
    ) -> Result<Fd> {
        let mut fd = u32::MAX;
        ok(unsafe {
            sys::path_open(
                dir,
                lookup,
                path.as_ptr(),
                path.len(),
                oflags,
                rights,
                rights,
                fdflags,
                &mut fd,
            )
        })?;
        Ok(fd)
    }

    pub fn fd_close(fd: Fd) -> Result<()> {
        ok(unsafe { sys::fd_close(fd) })
    }

    pub fn fd_read(fd: Fd, buf: &mut [u8]) -> Result<usize> {
        let iov = Iovec {
            buf: buf.as_mut_ptr(),
            len: buf.len(),
        };
        let mut n = 0;
        ok(unsafe { sys::fd_read(fd, &iov, 1, &mut n) })?;
        Ok(n)
    }

    pub fn fd_write(fd: Fd, buf: &[u8]) -> Result<usize> {
        fd_write_vectored(fd, &[buf])
    }

    /// One `fd_write` with one iovec per slice.
    pub fn fd_write_vectored(fd: Fd, bufs: &[&[u8]]) -> Result<usize> {
        let iovs: Vec<Iovec> = bufs
            .iter()
            .map(|b| Iovec {
                buf: b.as_ptr(),
                len: b.len(),
            })
            .collect();
        let mut n = 0;
        ok(unsafe { sys::fd_write(fd, iovs.as_ptr(), iovs.len(), &mut n) })?;
        Ok(n)
    }

    pub fn fd_pread(fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize> {
        let iov = Iovec {
            buf: buf.as_mut_ptr(),
            len: buf.len(),
        };
        let mut n = 0;
        ok(unsafe { sys::fd_pread(fd, &iov, 1, offset, &mut n) })?;
        Ok(n)
    }

    pub fn fd_pwrite(fd: Fd, buf: &[u8], offset: u64) -> Result<usize> {
        let iov = Iovec {
            buf: buf.as_ptr(),
            len: buf.len(),
        };
        let mut n = 0;
        ok(unsafe { sys::fd_pwrite(fd, &iov, 1, offset, &mut n) })?;
        Ok(n)
    }

    pub fn fd_seek(fd: Fd, offset: i64, whence: u8) -> Result<u64> {
        let mut pos = 0;
        ok(unsafe { sys::fd_seek(fd, offset, whence, &mut pos) })?;
        Ok(pos)
    }

    pub fn fd_filestat_get(fd: Fd) -> Result<Filestat> {
        let mut st = Filestat::default();
        ok(unsafe { sys::fd_filestat_get(fd, &mut st) })?;
        Ok(st)
    }

    pub fn fd_filestat_set_size(fd: Fd, size: u64) -> Result<()> {
        ok(unsafe { sys::fd_filestat_set_size(fd, size) })
    }

    /// Creates symlink `path` (relative to `dir`) whose contents are `target`.
    pub fn path_symlink(target: &str, dir: Fd, path: &str) -> Result<()> {
        ok(unsafe {
            sys::path_symlink(
                target.as_ptr(),
                target.len(),
                dir,
                path.as_ptr(),
                path.len(),
            )
        })
    }

    pub fn path_link(old_dir: Fd, lookup: u32, old: &str, new_dir: Fd, new: &str) -> Result<()> {
        ok(unsafe {
            sys::path_link(
                old_dir,
                lookup,
                old.as_ptr(),
                old.len(),
                new_dir,
                new.as_ptr(),
                new.len(),
            )
        })
    }

    pub fn path_rename(old_dir: Fd, old: &str, new_dir: Fd, new: &str) -> Result<()> {
        ok(unsafe {
            sys::path_rename(
                old_dir,
                old.as_ptr(),
                old.len(),
                new_dir,
                new.as_ptr(),
                new.len(),
            )
        })
    }

    pub fn path_unlink_file(dir: Fd, path: &str) -> Result<()> {
        ok(unsafe { sys::path_unlink_file(dir, path.as_ptr(), path.len()) })
    }

    pub fn path_create_directory(dir: Fd, path: &str) -> Result<()> {
        ok(unsafe { sys::path_create_directory(dir, path.as_ptr(), path.len()) })
    }

    pub fn path_remove_directory(dir: Fd, path: &str) -> Result<()> {
        ok(unsafe { sys::path_remove_directory(dir, path.as_ptr(), path.len()) })
    }

    pub fn path_filestat_get(dir: Fd, lookup: u32, path: &str) -> Result<Filestat> {
        let mut st = Filestat::default();
        ok(unsafe { sys::path_filestat_get(dir, lookup, path.as_ptr(), path.len(), &mut st) })?;
        Ok(st)
    }

    pub fn path_filestat_set_times(
        dir: Fd,
        lookup: u32,
        path: &str,
        atim: u64,
        mtim: u64,
        fst_flags: u16,
    ) -> Result<()> {
        ok(unsafe {
            sys::path_filestat_set_times(
                dir,
                lookup,
                path.as_ptr(),
                path.len(),
                atim,
                mtim,
                fst_flags,
            )
        })
    }

    pub fn path_readlink(dir: Fd, path: &str) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; 4096];
        let mut n = 0;
        ok(unsafe {
            sys::path_readlink(
                dir,
                path.as_ptr(),
                path.len(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut n,
            )
        })?;
        buf.truncate(n);
        Ok(buf)
    }

    pub fn random_get(buf: &mut [u8]) -> Result<()> {
        ok(unsafe { sys::random_get(buf.as_mut_ptr(), buf.len()) })
    }

    pub fn clock_res_get(id: u32) -> Result<u64> {
        let mut res = 0;
        ok(unsafe { sys::clock_res_get(id, &mut res) })?;
        Ok(res)
    }

    pub fn clock_time_get(id: u32, precision: u64) -> Result<u64> {
        let mut t = 0;
        ok(unsafe { sys::clock_time_get(id, precision, &mut t) })?;
        Ok(t)
    }

    /// `poll_oneoff` over `subs`; the events that fired.
    pub fn poll_oneoff(subs: &[Subscription]) -> Result<Vec<Event>> {
        let mut events = vec![Event::default(); subs.len()];
        let mut n = 0;
        ok(unsafe { sys::poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len(), &mut n) })?;
        events.truncate(n);
        Ok(events)
    }
}
