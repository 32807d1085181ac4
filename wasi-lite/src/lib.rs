//! wisp-wasi (wasi-lite): `wasi_snapshot_preview1` for wisp.
//!
//! Enough of WASI preview1 for Rust programs built for `wasm32-wasip1` and C programs
//! built with wasi-libc: arguments, environment, clocks, randomness, files and
//! directories, `poll_oneoff`, `proc_exit`. All 46 preview1 functions are defined;
//! those wasi-lite does not offer (`proc_raise`, sockets) return the proper errno.
//!
//! # Sandbox
//!
//! A guest sees only the directories it was given (*preopens*). Paths are resolved one
//! component at a time against directory handles, never handed to the OS whole; `..`
//! above a preopen, absolute paths and symbolic links leading out are refused with
//! `ENOTCAPABLE`, and read-only preopens refuse every write with `EROFS`. See
//! `sandbox.rs` for the rules and why they hold. Every guest pointer and length is
//! checked against memory: a bad one is `EFAULT` to the guest, never a host panic.
//!
//! # `no_std`
//!
//! The crate is `#![no_std]` + `alloc`. The functions are written against small host
//! traits — [`Stream`] for standard I/O, [`Clocks`], [`Random`], and [`Dir`]/[`File`]
//! for file systems — so firmware can back standard output with a UART and the clocks
//! with a timer, and use [`MemFs`] (or nothing) as its file system. The `std` feature
//! (default) adds the OS backend: inherited stdio, system clocks, OS randomness, and
//! host directories as preopens ([`WasiCtxBuilder::preopen_dir`], unix hosts only).
//!
//! The crate's README follows; its example runs as a doctest.
#![doc = include_str!("../README.md")]
#![no_std]
#![warn(missing_debug_implementations)]
// `missing_docs` is the workspace's lint for core, the interpreter and the JIT. Here the
// preview1 ABI (`abi.rs`: errno, rights, flags and the record layouts, named as the
// witx specification names them) is most of what it would flag, and its documentation
// is that specification.
#![allow(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod abi;
mod api;
mod blocking;
mod ctx;
mod errno;
mod fdtable;
mod host;
mod layout;
mod linker;
mod links;
mod mem;
mod memfs;
mod memio;
/// Path resolution, public only for the fuzz target `fuzz/fuzz_targets/wasi_paths.rs`: not
/// part of the API.
#[doc(hidden)]
pub mod sandbox;
#[cfg(feature = "std")]
mod std_backend;
/// wasi-threads (`wasi::thread-spawn`).
#[cfg(feature = "std")]
pub mod threads;

pub use crate::abi::{
    fdflags, fstflags, lookupflags, oflags, rights, ClockId, DirEntry, Filestat, Filetype,
    OpenOptions, Rights, SeekFrom, SetTime, Timestamp,
};
pub use crate::ctx::{Error, I32Exit, WasiCtx, WasiCtxBuilder, WasiView};
pub use crate::errno::{Errno, WasiResult};
pub use crate::host::{Clocks, Dir, File, NoClocks, NoRandom, Opened, Random, Stream};
pub use crate::linker::{add_to_linker, FUNCTIONS, MODULE};
pub use crate::memfs::MemFs;
pub use crate::memio::{InputBuffer, NullStream, OutputBuffer};
pub use crate::sandbox::MAX_SYMLINK_EXPANSIONS;
#[cfg(all(feature = "std", unix))]
pub use crate::std_backend::HostDir;
#[cfg(feature = "std")]
pub use crate::std_backend::{InheritStderr, InheritStdin, InheritStdout, OsRandom, SystemClocks};
#[cfg(feature = "std")]
pub use crate::threads::{Ending, WasiThreads};
