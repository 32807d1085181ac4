//! `errno`: the error codes every preview1 function returns, numbered as in the witx
//! definition (`wasi_snapshot_preview1`, `typenames.witx`).

use core::fmt;

macro_rules! errnos {
    ($($name:ident = $code:literal, $text:literal;)*) => {
        /// A preview1 error code. `Success` (0) is not one: success is `Ok(())`.
        #[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
        #[repr(u16)]
        #[non_exhaustive]
        pub enum Errno {
            $(#[doc = $text] $name = $code,)*
        }

        impl Errno {
            /// The description libc gives the code.
            pub fn description(self) -> &'static str {
                match self {
                    $(Errno::$name => $text,)*
                }
            }
        }
    };
}

errnos! {
    TooBig = 1, "Argument list too long";
    Acces = 2, "Permission denied";
    AddrInUse = 3, "Address in use";
    AddrNotAvail = 4, "Address not available";
    AfNoSupport = 5, "Address family not supported";
    Again = 6, "Resource unavailable, or operation would block";
    Already = 7, "Connection already in progress";
    Badf = 8, "Bad file descriptor";
    BadMsg = 9, "Bad message";
    Busy = 10, "Device or resource busy";
    Canceled = 11, "Operation canceled";
    Child = 12, "No child processes";
    ConnAborted = 13, "Connection aborted";
    ConnRefused = 14, "Connection refused";
    ConnReset = 15, "Connection reset";
    Deadlk = 16, "Resource deadlock would occur";
    DestAddrReq = 17, "Destination address required";
    Dom = 18, "Mathematics argument out of domain of function";
    Dquot = 19, "Disk quota exceeded";
    Exist = 20, "File exists";
    Fault = 21, "Bad address";
    Fbig = 22, "File too large";
    HostUnreach = 23, "Host is unreachable";
    Idrm = 24, "Identifier removed";
    Ilseq = 25, "Illegal byte sequence";
    InProgress = 26, "Operation in progress";
    Intr = 27, "Interrupted function";
    Inval = 28, "Invalid argument";
    Io = 29, "I/O error";
    IsConn = 30, "Socket is connected";
    IsDir = 31, "Is a directory";
    Loop = 32, "Too many levels of symbolic links";
    Mfile = 33, "File descriptor value too large";
    Mlink = 34, "Too many links";
    MsgSize = 35, "Message too large";
    Multihop = 36, "Multihop attempted";
    NameTooLong = 37, "Filename too long";
    NetDown = 38, "Network is down";
    NetReset = 39, "Connection aborted by network";
    NetUnreach = 40, "Network unreachable";
    Nfile = 41, "Too many files open in system";
    NoBufs = 42, "No buffer space available";
    NoDev = 43, "No such device";
    NoEnt = 44, "No such file or directory";
    NoExec = 45, "Executable file format error";
    NoLck = 46, "No locks available";
    NoLink = 47, "Link has been severed";
    NoMem = 48, "Not enough space";
    NoMsg = 49, "No message of the desired type";
    NoProtoOpt = 50, "Protocol not available";
    NoSpc = 51, "No space left on device";
    NoSys = 52, "Function not supported";
    NotConn = 53, "The socket is not connected";
    NotDir = 54, "Not a directory or a symbolic link to a directory";
    NotEmpty = 55, "Directory not empty";
    NotRecoverable = 56, "State not recoverable";
    NotSock = 57, "Not a socket";
    NotSup = 58, "Not supported, or operation not supported on socket";
    NoTty = 59, "Inappropriate I/O control operation";
    Nxio = 60, "No such device or address";
    Overflow = 61, "Value too large to be stored in data type";
    OwnerDead = 62, "Previous owner died";
    Perm = 63, "Operation not permitted";
    Pipe = 64, "Broken pipe";
    Proto = 65, "Protocol error";
    ProtoNoSupport = 66, "Protocol not supported";
    Prototype = 67, "Protocol wrong type for socket";
    Range = 68, "Result too large";
    Rofs = 69, "Read-only file system";
    Spipe = 70, "Invalid seek";
    Srch = 71, "No such process";
    Stale = 72, "Reserved";
    TimedOut = 73, "Connection timed out";
    TxtBsy = 74, "Text file busy";
    Xdev = 75, "Cross-device link";
    NotCapable = 76, "Capabilities insufficient";
}

impl Errno {
    /// The code as the guest receives it.
    pub fn raw(self) -> u16 {
        self as u16
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {})", self.description(), self.raw())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Errno {}

/// What every WASI function body returns: the errno, or success.
pub type WasiResult<T = ()> = Result<T, Errno>;
