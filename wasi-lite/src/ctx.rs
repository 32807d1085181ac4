//! `WasiCtx`, the state one guest's WASI calls act on, and the builder that sets it up.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::AtomicBool;

use crate::abi::rights;
use crate::blocking::Interrupt;
use crate::fdtable::{Entry, FdTable};
use crate::host::{Clocks, Dir, Random, Stream};
use crate::memio::{InputBuffer, NullStream};

/// A guest's WASI state: arguments, environment, descriptor table, clocks, randomness.
/// Build one with [`WasiCtx::builder`].
pub struct WasiCtx {
    /// Each without NUL; their sizes (with a NUL each) sum to at most `u32::MAX`.
    pub(crate) args: Vec<Vec<u8>>,
    /// `KEY=VALUE`, under the same invariant as `args`.
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) fds: FdTable,
    pub(crate) clocks: Box<dyn Clocks>,
    pub(crate) random: Box<dyn Random>,
    /// What cuts a blocking call short (`blocking.rs`).
    pub(crate) interrupt: Interrupt,
    /// Set in a handle to a context that several threads share (wasi-threads,
    /// [`WasiCtx::into_shared`]): the state every call acts on, one call at a time; this
    /// handle's own fields are then unused.
    #[cfg(feature = "std")]
    pub(crate) shared: Option<Arc<std::sync::Mutex<WasiCtx>>>,
}

impl fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args.len())
            .field("env", &self.env.len())
            .finish_non_exhaustive()
    }
}

impl WasiCtx {
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }

    /// Makes this context one that the stores of several threads use at once
    /// (wasi-threads): the result is a handle to it, and [`WasiCtx::share`] makes more.
    /// Every call through any handle acts on the one descriptor table, clocks and
    /// randomness, one call at a time (so a call that blocks, such as a read from the
    /// terminal or a sleep, holds the other threads' WASI calls until it returns).
    #[cfg(feature = "std")]
    pub fn into_shared(self) -> WasiCtx {
        if self.shared.is_some() {
            return self;
        }
        WasiCtx::handle(Arc::new(std::sync::Mutex::new(self)))
    }

    /// Another handle to a shared context ([`WasiCtx::into_shared`]), for another
    /// thread's store; `None` if this context is not shared.
    #[cfg(feature = "std")]
    pub fn share(&self) -> Option<WasiCtx> {
        self.shared.clone().map(WasiCtx::handle)
    }

    #[cfg(feature = "std")]
    fn handle(shared: Arc<std::sync::Mutex<WasiCtx>>) -> WasiCtx {
        WasiCtx {
            args: Vec::new(),
            env: Vec::new(),
            fds: FdTable::default(),
            clocks: Box::new(crate::host::NoClocks),
            random: Box::new(crate::host::NoRandom),
            interrupt: Interrupt::default(),
            shared: Some(shared),
        }
    }
}

/// How one WASI call reaches its context: the store's own, or the state of a shared one
/// (wasi-threads), locked for each step the call takes. A call that blocks takes steps
/// with the lock released between them (`poll_oneoff` sleeps unlocked), so one thread's
/// sleep does not hold the others' calls.
pub(crate) struct Access<'a> {
    own: &'a mut WasiCtx,
    /// The calling store's interrupt handle, set in the state at each step (another
    /// thread's call may have set its own between two steps).
    store: Option<wisp_core::InterruptHandle>,
}

impl<'a> Access<'a> {
    pub(crate) fn new(own: &'a mut WasiCtx, store: Option<wisp_core::InterruptHandle>) -> Self {
        Access { own, store }
    }

    /// Runs `f` on the context, locked for its length if shared.
    pub(crate) fn with<R>(&mut self, f: impl FnOnce(&mut WasiCtx) -> R) -> R {
        #[cfg(feature = "std")]
        if let Some(shared) = self.own.shared.clone() {
            let mut state = shared
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.interrupt.store = self.store.clone();
            return f(&mut state);
        }
        self.own.interrupt.store = self.store.clone();
        f(self.own)
    }

    /// Whether the context is shared: waits then take slices, each a step of its own.
    pub(crate) fn shared(&self) -> bool {
        #[cfg(feature = "std")]
        let shared = self.own.shared.is_some();
        #[cfg(not(feature = "std"))]
        let shared = false;
        shared
    }

    /// Sleeps `nanos`: with the context's clocks, or (shared) with the OS's, unlocked.
    pub(crate) fn sleep(&mut self, nanos: u64) {
        #[cfg(feature = "std")]
        if self.shared() {
            std::thread::sleep(core::time::Duration::from_nanos(nanos));
            return;
        }
        self.with(|ctx| ctx.clocks.sleep(nanos));
    }
}

/// Gives the WASI functions the context inside a store's data: implement it for your
/// store type to add your own state next to the context. `WasiCtx` implements it, so
/// `Linker<WasiCtx>` works directly.
pub trait WasiView {
    fn wasi(&mut self) -> &mut WasiCtx;
}

impl WasiView for WasiCtx {
    fn wasi(&mut self) -> &mut WasiCtx {
        self
    }
}

/// The error `proc_exit` traps with: the guest asked to exit with this code. Find it with
/// [`I32Exit::from_error`] (or `trap.downcast_ref::<I32Exit>()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct I32Exit(pub i32);

impl I32Exit {
    /// The exit code, if `error` is the trap `proc_exit` raised.
    pub fn from_error(error: &wisp_core::Error) -> Option<i32> {
        Some(error.as_trap()?.downcast_ref::<I32Exit>()?.0)
    }
}

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exited with status {}", self.0)
    }
}

/// Why a context could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An argument or environment entry holds a NUL byte, which C strings cannot carry.
    Nul { what: &'static str, value: String },
    /// An environment key is empty or holds `=`.
    EnvKey(String),
    /// The arguments or the environment exceed what 32-bit sizes can describe.
    TooLarge(&'static str),
    /// A host directory could not be preopened.
    Preopen { host_path: String, reason: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Nul { what, value } => write!(f, "{what} {value:?} contains a NUL byte"),
            Error::EnvKey(k) => write!(f, "invalid environment variable name {k:?}"),
            Error::TooLarge(what) => write!(f, "the {what} are too large for a 32-bit guest"),
            Error::Preopen { host_path, reason } => {
                write!(f, "cannot preopen directory {host_path:?}: {reason}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// Builds a [`WasiCtx`]. By default a guest gets no arguments, no environment, an empty
/// standard input, standard output and error that discard what is written, no
/// directories, and (with `std`) the OS clocks and randomness; without `std`, clocks
/// answer `ENOTSUP` and `random_get` `ENOSYS` until [`clocks`](Self::clocks) and
/// [`random`](Self::random) supply them.
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    stdin: Box<dyn Stream>,
    stdout: Box<dyn Stream>,
    stderr: Box<dyn Stream>,
    preopens: Vec<(Box<dyn Dir>, String, bool)>,
    clocks: Box<dyn Clocks>,
    random: Box<dyn Random>,
    interrupt: Option<Arc<AtomicBool>>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl fmt::Debug for WasiCtxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiCtxBuilder")
            .field("args", &self.args.len())
            .field("env", &self.env.len())
            .field("preopens", &self.preopens.len())
            .finish_non_exhaustive()
    }
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        #[cfg(feature = "std")]
        let (clocks, random): (Box<dyn Clocks>, Box<dyn Random>) = (
            Box::new(crate::std_backend::SystemClocks::new()),
            Box::new(crate::std_backend::OsRandom),
        );
        #[cfg(not(feature = "std"))]
        let (clocks, random): (Box<dyn Clocks>, Box<dyn Random>) = (
            Box::new(crate::host::NoClocks),
            Box::new(crate::host::NoRandom),
        );
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Box::new(NullStream),
            stdout: Box::new(NullStream),
            stderr: Box::new(NullStream),
            preopens: Vec::new(),
            clocks,
            random,
            interrupt: None,
        }
    }

    /// Appends one argument (the first is conventionally the program name).
    pub fn arg(&mut self, arg: impl AsRef<[u8]>) -> &mut Self {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    pub fn args<I: IntoIterator>(&mut self, args: I) -> &mut Self
    where
        I::Item: AsRef<[u8]>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets environment variable `key` (a later call with the same key replaces it).
    pub fn env(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let key = key.as_ref().to_vec();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.as_ref().to_vec()));
        self
    }

    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    pub fn stdin(&mut self, stream: impl Stream + 'static) -> &mut Self {
        self.stdin = Box::new(stream);
        self
    }

    /// Standard input reads `bytes`, then end of stream.
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin(InputBuffer::new(bytes))
    }

    /// Standard output goes to `stream`: an [`OutputBuffer`](crate::OutputBuffer) to
    /// capture it, a UART, ...
    pub fn stdout(&mut self, stream: impl Stream + 'static) -> &mut Self {
        self.stdout = Box::new(stream);
        self
    }

    pub fn stderr(&mut self, stream: impl Stream + 'static) -> &mut Self {
        self.stderr = Box::new(stream);
        self
    }

    /// Offers directory `dir` to the guest as `guest_path` (e.g. `"/"`, `"."`, `"/data"`),
    /// the next preopen descriptor from 3 on. With `read_only`, the descriptor and
    /// everything opened through it carry no right that changes the file system.
    pub fn preopen(
        &mut self,
        dir: impl Dir + 'static,
        guest_path: impl Into<String>,
        read_only: bool,
    ) -> &mut Self {
        self.preopens
            .push((Box::new(dir), guest_path.into(), read_only));
        self
    }

    /// The clocks the guest reads (a hardware timer on firmware).
    pub fn clocks(&mut self, clocks: impl Clocks + 'static) -> &mut Self {
        self.clocks = Box::new(clocks);
        self
    }

    /// The source `random_get` reads.
    pub fn random(&mut self, random: impl Random + 'static) -> &mut Self {
        self.random = Box::new(random);
        self
    }

    /// A flag the embedder sets to interrupt the guest when the engine is not
    /// interruptible, or to interrupt only what blocks in WASI: a guest blocked in the
    /// host (`poll_oneoff` sleeping or waiting, a read from standard input, a pipe or a
    /// FIFO, a FIFO opened before its other end) then wakes within 10 ms and traps with
    /// `TrapCode::Interrupted`. The flag is not cleared. (The store's `InterruptHandle`
    /// does the same for blocked calls when the engine is `Config::interruptible`, and
    /// also stops running wasm.)
    pub fn interrupt_flag(&mut self, flag: Arc<AtomicBool>) -> &mut Self {
        self.interrupt = Some(flag);
        self
    }

    /// Builds the context, leaving this builder as new. Descriptors 0, 1, 2 are standard
    /// input, output and error; 3 on are the preopens in the order given.
    pub fn build(&mut self) -> Result<WasiCtx, Error> {
        let this = core::mem::take(self);
        let args = this.args;
        for a in &args {
            check_nul("argument", a)?;
        }
        let mut env = Vec::with_capacity(this.env.len());
        for (k, v) in this.env {
            if k.is_empty() || k.contains(&b'=') {
                return Err(Error::EnvKey(lossy(&k)));
            }
            check_nul("environment variable", &k)?;
            check_nul("environment value", &v)?;
            let mut kv = k;
            kv.push(b'=');
            kv.extend_from_slice(&v);
            env.push(kv);
        }
        check_size("arguments", &args)?;
        check_size("environment variables", &env)?;

        let mut fds = FdTable::default();
        fds.insert_at(0, Entry::stream(this.stdin, rights::STDIN));
        fds.insert_at(1, Entry::stream(this.stdout, rights::STDOUT));
        fds.insert_at(2, Entry::stream(this.stderr, rights::STDOUT));
        for (fd, (dir, guest_path, read_only)) in (3u32..).zip(this.preopens) {
            fds.insert_at(fd, Entry::preopen(dir, guest_path, read_only));
        }
        Ok(WasiCtx {
            args,
            env,
            fds,
            clocks: this.clocks,
            random: this.random,
            interrupt: Interrupt {
                flag: this.interrupt,
                store: None,
            },
            #[cfg(feature = "std")]
            shared: None,
        })
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn check_nul(what: &'static str, s: &[u8]) -> Result<(), Error> {
    if s.contains(&0) {
        return Err(Error::Nul {
            what,
            value: lossy(s),
        });
    }
    Ok(())
}

/// The invariant `args_sizes_get`/`environ_sizes_get` rely on: the count and the total
/// size with a NUL each fit in a u32.
fn check_size(what: &'static str, list: &[Vec<u8>]) -> Result<(), Error> {
    let total = list
        .iter()
        .try_fold(0u32, |acc, s| {
            let len = u32::try_from(s.len()).ok()?;
            acc.checked_add(len)?.checked_add(1)
        })
        .ok_or(Error::TooLarge(what))?;
    // The pointer array takes 4 bytes an entry.
    u32::try_from(list.len())
        .ok()
        .and_then(|n| n.checked_mul(4))
        .and_then(|n| n.checked_add(total))
        .ok_or(Error::TooLarge(what))?;
    Ok(())
}
