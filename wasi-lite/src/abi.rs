//! The preview1 ABI: constants, and the plain types the host traits speak in. Values and
//! bit positions are those of `typenames.witx`; the byte layouts of the structs the guest
//! sees are written in `layout.rs`.

/// Nanoseconds since an epoch (the clock's, or 1970-01-01 UTC for `Realtime`).
pub type Timestamp = u64;

/// `rights`: what may be done with a file descriptor. Bits as in the witx definition.
pub type Rights = u64;

pub mod rights {
    use super::Rights;

    pub const FD_DATASYNC: Rights = 1 << 0;
    pub const FD_READ: Rights = 1 << 1;
    pub const FD_SEEK: Rights = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: Rights = 1 << 3;
    pub const FD_SYNC: Rights = 1 << 4;
    pub const FD_TELL: Rights = 1 << 5;
    pub const FD_WRITE: Rights = 1 << 6;
    pub const FD_ADVISE: Rights = 1 << 7;
    pub const FD_ALLOCATE: Rights = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: Rights = 1 << 9;
    pub const PATH_CREATE_FILE: Rights = 1 << 10;
    pub const PATH_LINK_SOURCE: Rights = 1 << 11;
    pub const PATH_LINK_TARGET: Rights = 1 << 12;
    pub const PATH_OPEN: Rights = 1 << 13;
    pub const FD_READDIR: Rights = 1 << 14;
    pub const PATH_READLINK: Rights = 1 << 15;
    pub const PATH_RENAME_SOURCE: Rights = 1 << 16;
    pub const PATH_RENAME_TARGET: Rights = 1 << 17;
    pub const PATH_FILESTAT_GET: Rights = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: Rights = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: Rights = 1 << 20;
    pub const FD_FILESTAT_GET: Rights = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: Rights = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: Rights = 1 << 23;
    pub const PATH_SYMLINK: Rights = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: Rights = 1 << 25;
    pub const PATH_UNLINK_FILE: Rights = 1 << 26;
    pub const POLL_FD_READWRITE: Rights = 1 << 27;
    pub const SOCK_SHUTDOWN: Rights = 1 << 28;
    pub const SOCK_ACCEPT: Rights = 1 << 29;

    /// Every right preview1 defines.
    pub const ALL: Rights = (1 << 30) - 1;

    /// The rights that change a file system: a read-only preopen, and everything opened
    /// beneath it, holds none of them (in its base or its inheriting set).
    /// (`fd_sync`/`fd_datasync` are not among them: flushing changes nothing.)
    pub const MUTATING: Rights = FD_WRITE
        | FD_ALLOCATE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// The rights that mean something on a regular file (or a device opened like one).
    pub const FILE: Rights = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// The rights that mean something on a directory.
    pub const DIRECTORY: Rights = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// The rights of a directory's descriptor when it is a preopen, and what files and
    /// directories opened beneath it may inherit.
    pub const DIRECTORY_INHERITING: Rights = DIRECTORY | FILE;

    /// Rights of standard input (no seek or tell, so libc's `isatty` can say yes).
    pub const STDIN: Rights = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    /// Rights of standard output and error.
    pub const STDOUT: Rights = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `filetype`.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Filetype {
    #[default]
    Unknown = 0,
    BlockDevice = 1,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
    SocketDgram = 5,
    SocketStream = 6,
    SymbolicLink = 7,
}

/// `fdflags` (u16).
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = (1 << 5) - 1;
}

/// `oflags` (u16), for `path_open`.
pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
    pub const ALL: u16 = (1 << 4) - 1;
}

/// `lookupflags` (u32).
pub mod lookupflags {
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

/// `fstflags` (u16), for the `*_set_times` functions.
pub mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
    pub const ALL: u16 = (1 << 4) - 1;
}

/// `whence`, for `fd_seek`.
pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

/// `eventtype`, for `poll_oneoff`.
pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags` (u16).
pub mod subclockflags {
    pub const ABSTIME: u16 = 1 << 0;
}

/// `advice`: the largest valid value (`noreuse`).
pub const ADVICE_MAX: u8 = 5;

/// `preopentype::dir`.
pub const PREOPENTYPE_DIR: u8 = 0;

/// `clockid`.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum ClockId {
    Realtime,
    Monotonic,
    ProcessCputime,
    ThreadCputime,
}

impl ClockId {
    pub fn from_raw(raw: u32) -> Option<ClockId> {
        Some(match raw {
            0 => ClockId::Realtime,
            1 => ClockId::Monotonic,
            2 => ClockId::ProcessCputime,
            3 => ClockId::ThreadCputime,
            _ => return None,
        })
    }
}

/// `filestat`, as a backend reports it.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Default)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: Filetype,
    pub nlink: u64,
    pub size: u64,
    pub atim: Timestamp,
    pub mtim: Timestamp,
    pub ctim: Timestamp,
}

/// One directory entry as a backend lists it. `name` is raw bytes: host names need not be
/// UTF-8, and the guest gets them as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: alloc::vec::Vec<u8>,
    pub ino: u64,
    pub filetype: Filetype,
}

/// How to change one timestamp in a `set_times` call.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it as it is.
    Omit,
    /// Set it to the backend's current time.
    Now,
    /// Set it to this many nanoseconds since 1970-01-01 UTC.
    At(Timestamp),
}

impl SetTime {
    /// Decodes one timestamp of a `*_set_times` call: `set`/`now` are the `fstflags` bits
    /// for it. Both at once is `EINVAL`.
    pub(crate) fn from_flags(
        flags: u16,
        set: u16,
        now: u16,
        value: Timestamp,
    ) -> Result<SetTime, crate::Errno> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(crate::Errno::Inval),
            (true, false) => Ok(SetTime::At(value)),
            (false, true) => Ok(SetTime::Now),
            (false, false) => Ok(SetTime::Omit),
        }
    }
}

/// Where `seek` counts from.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub enum SeekFrom {
    Start(u64),
    Current(i64),
    End(i64),
}

/// How `Dir::open` opens a non-directory. The backend opens the last component without
/// following a symbolic link there, whatever these say.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Default)]
pub struct OpenOptions {
    pub read: bool,
    pub write: bool,
    /// Create the file if it does not exist.
    pub create: bool,
    /// With `create`: fail with `EEXIST` if it exists.
    pub exclusive: bool,
    pub truncate: bool,
    pub append: bool,
    /// Writes complete only once the data (`dsync`) or data and metadata (`sync`) are
    /// on stable storage.
    pub dsync: bool,
    pub sync: bool,
}
