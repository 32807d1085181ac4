//! wasi-threads: `wasi::thread-spawn`, which programs built for `wasm32-wasip1-threads`
//! (Rust's std threads, wasi-libc's pthreads) call to start a thread.
//!
//! Such a program imports one shared memory (`env::memory`) and exports
//! `wasi_thread_start(tid, start_arg)`. Each `thread-spawn` starts an OS thread with a new
//! store and a new instance of the same module, linked through the same linker, with the
//! same shared memory, and calls `wasi_thread_start` there. The threads' WASI calls act on
//! one context ([`WasiCtx::into_shared`]).
//!
//! How a program ends: when `proc_exit` or a trap ends any spawned thread, the whole program
//! ends with it. The first such ending is recorded ([`WasiThreads::ending`]) and every
//! other thread's store, the main one included, is interrupted (their engine must be
//! `Config::interruptible`; a thread blocked in `memory.atomic.wait` or in a blocking WASI
//! call sees it within a slice). The embedder reads the ending once the main thread's call
//! returns (with an `Interrupted` trap, then). When the main thread returns first, the
//! program is over: the embedder calls [`WasiThreads::end`], which interrupts the others,
//! or, like a process, exits.
//!
//! Invariants: thread ids are unique, from 1 up to `MAX_TID`; at most `max_threads`
//! spawned threads live at once (the next `thread-spawn` fails with `-EAGAIN`, as does
//! one the OS or the instantiation refuses), so a guest cannot exhaust the host's threads.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use wisp_core::{
    Caller, Engine, Error, ExternType, InterruptHandle, Linker, Module, Result, SharedMemory, Store,
};

use crate::ctx::{I32Exit, WasiView};

/// The import module of `thread-spawn`.
pub const THREADS_MODULE: &str = "wasi";

/// The largest thread id (wasi-threads keeps the top bits for the guest's own use).
pub const MAX_TID: u32 = 0x1FFF_FFFF;

/// The most spawned threads alive at once unless [`WasiThreads::max_threads`] says
/// otherwise.
pub const DEFAULT_MAX_THREADS: u32 = 64;

/// The native stack of each spawned thread: as much as a main thread usually has, for the
/// JIT's native frames (the interpreter's live in its own stack).
const THREAD_STACK: usize = 8 << 20;

/// `thread-spawn`'s answer when no thread could be started: `-EAGAIN`.
const SPAWN_FAILED: i32 = -6;

/// How a spawned thread ended the program.
#[derive(Debug)]
pub enum Ending {
    /// It called `proc_exit` with this status.
    Exit(i32),
    /// It trapped (or failed to start in a way that is the guest's fault).
    Trap(Error),
}

/// wasi-threads for one program: its module, its shared memory, the linker new threads
/// instantiate through, and what is known about its threads.
pub struct WasiThreads<T> {
    inner: Arc<Threads<T>>,
}

impl<T> Clone for WasiThreads<T> {
    fn clone(&self) -> Self {
        WasiThreads {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for WasiThreads<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiThreads")
            .field("live", &self.inner.live.load(Ordering::Relaxed))
            .field(
                "max_threads",
                &self.inner.max_threads.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

/// Makes the store of a new thread from the data of the store that spawns it (`None`: the
/// thread does not start).
type NewStore<T> = dyn Fn(&T) -> Option<Store<T>> + Send + Sync;

struct Threads<T> {
    module: Module,
    /// The module's memory import: its module and name, and the memory given to it.
    memory: (String, String, SharedMemory),
    /// What new threads link against: set by [`WasiThreads::ready`].
    linker: OnceLock<Linker<T>>,
    new_store: Box<NewStore<T>>,
    max_threads: AtomicU32,
    live: AtomicU32,
    next_tid: AtomicU32,
    ending: Mutex<Option<Ending>>,
    /// Set once the program is over (an ending, or `end`): no thread starts after it.
    over: AtomicBool,
    /// The stores running now (the main one as id 0), to interrupt when the program ends.
    running: Mutex<Vec<(u32, InterruptHandle)>>,
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    // Every update is one assignment or push: a panic elsewhere leaves them consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T: WasiView + Send + 'static> WasiThreads<T> {
    /// wasi-threads for `module`, whose shared memory import this creates (at the import's
    /// minimum and maximum). `new_store` makes a spawned thread's store from the spawning
    /// store's data (`None` fails the spawn): typically a store of the same engine whose data holds
    /// [`WasiCtx::share`](crate::WasiCtx::share) of the spawner's context, with the same
    /// fuel and limits. Fails if the module imports no shared memory.
    pub fn new(
        engine: &Engine,
        module: &Module,
        new_store: impl Fn(&T) -> Option<Store<T>> + Send + Sync + 'static,
    ) -> Result<WasiThreads<T>> {
        let (import_module, name, ty) = module
            .imports()
            .find_map(|(m, n, ty)| match ty {
                ExternType::Memory(ty) if ty.shared => Some((m.to_string(), n.to_string(), ty)),
                _ => None,
            })
            .ok_or_else(|| {
                Error::NotFound(
                    "wasi-threads: the module imports no shared memory (is it built for \
                     wasm32-wasip1-threads?)"
                        .into(),
                )
            })?;
        let memory = SharedMemory::new(engine, ty)?;
        Ok(WasiThreads {
            inner: Arc::new(Threads {
                module: module.clone(),
                memory: (import_module, name, memory),
                linker: OnceLock::new(),
                new_store: Box::new(new_store),
                max_threads: AtomicU32::new(DEFAULT_MAX_THREADS),
                live: AtomicU32::new(0),
                next_tid: AtomicU32::new(1),
                ending: Mutex::new(None),
                over: AtomicBool::new(false),
                running: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Sets the most spawned threads alive at once.
    pub fn max_threads(&self, max: u32) -> &Self {
        self.inner.max_threads.store(max, Ordering::Relaxed);
        self
    }

    /// The program's shared memory.
    pub fn memory(&self) -> &SharedMemory {
        &self.inner.memory.2
    }

    /// Defines `wasi::thread-spawn` in `linker`, and the module's memory import as the
    /// shared memory in `store` (the main thread's).
    pub fn add_to_linker(&self, linker: &mut Linker<T>, store: &mut Store<T>) -> Result<()> {
        let (module, name, memory) = &self.inner.memory;
        linker.define(module, name, memory.attach(&mut *store)?)?;
        let threads = self.inner.clone();
        linker.func_wrap(
            THREADS_MODULE,
            "thread-spawn",
            move |caller: Caller<'_, T>, start_arg: i32| -> i32 {
                Threads::spawn(&threads, caller.data(), start_arg)
            },
        )?;
        Ok(())
    }

    /// Completes the set-up once `linker` has every definition: new threads instantiate
    /// through a copy of it; `main` is the store the program starts in, interrupted when a
    /// spawned thread ends the program. Threads spawned before this fail to start.
    pub fn ready(&self, linker: &Linker<T>, main: &Store<T>) {
        let _ = self.inner.linker.set(linker.clone());
        lock(&self.inner.running).push((0, main.interrupt_handle()));
    }

    /// How a spawned thread ended the program, if one did (the first that did).
    pub fn ending(&self) -> Option<Ending> {
        lock(&self.inner.ending).take()
    }

    /// Ends the program: interrupts every thread's store, so each stops at its next check
    /// (or wait); none is waited for.
    pub fn end(&self) {
        self.inner.interrupt_all();
    }

    /// Spawned threads alive now.
    pub fn live(&self) -> u32 {
        self.inner.live.load(Ordering::Relaxed)
    }
}

impl<T: WasiView + Send + 'static> Threads<T> {
    /// `thread-spawn`: the new thread's id, or `SPAWN_FAILED`.
    fn spawn(this: &Arc<Threads<T>>, data: &T, start_arg: i32) -> i32 {
        if this.live.fetch_add(1, Ordering::AcqRel) >= this.max_threads.load(Ordering::Relaxed) {
            this.live.fetch_sub(1, Ordering::AcqRel);
            return SPAWN_FAILED;
        }
        let tid = this.next_tid.fetch_add(1, Ordering::Relaxed);
        if tid > MAX_TID || this.linker.get().is_none() || this.over.load(Ordering::SeqCst) {
            this.live.fetch_sub(1, Ordering::AcqRel);
            return SPAWN_FAILED;
        }
        let Some(store) = (this.new_store)(data) else {
            this.live.fetch_sub(1, Ordering::AcqRel);
            return SPAWN_FAILED;
        };
        let threads = this.clone();
        let started = std::thread::Builder::new()
            .name(alloc::format!("wasi-thread-{tid}"))
            .stack_size(THREAD_STACK)
            .spawn(move || {
                threads.run(store, tid, start_arg);
                threads.live.fetch_sub(1, Ordering::AcqRel);
            });
        match started {
            Ok(_) => tid as i32,
            Err(_) => {
                this.live.fetch_sub(1, Ordering::AcqRel);
                SPAWN_FAILED
            }
        }
    }

    /// A spawned thread's life: instantiate, call `wasi_thread_start`, and end the program
    /// if it exits or traps.
    fn run(&self, mut store: Store<T>, tid: u32, start_arg: i32) {
        lock(&self.running).push((tid, store.interrupt_handle()));
        // A thread spawned after the program ended does not start. (Listed first, then
        // checked: `interrupt_all` sets `over` before it reads the list, so a thread it
        // misses sees `over`.)
        if !self.over.load(Ordering::SeqCst) {
            if let Err(e) = self.start(&mut store, tid, start_arg) {
                let ending = match I32Exit::from_error(&e) {
                    Some(status) => Ending::Exit(status),
                    None => Ending::Trap(e),
                };
                self.end_with(ending);
            }
        }
        lock(&self.running).retain(|&(t, _)| t != tid);
    }

    fn start(&self, store: &mut Store<T>, tid: u32, start_arg: i32) -> Result<()> {
        let Some(linker) = self.linker.get() else {
            return Ok(());
        };
        let (module, name, memory) = &self.memory;
        let mut linker = linker.clone();
        linker.allow_shadowing(true);
        linker.define(module, name, memory.attach(&mut *store)?)?;
        let instance = linker.instantiate(&mut *store, &self.module)?;
        let start = instance
            .get_typed_func::<(i32, i32), ()>(&mut *store, "wasi_thread_start")
            .map_err(|_| {
                Error::NotFound(
                    "wasi-threads: the module exports no `wasi_thread_start(i32, i32)`".into(),
                )
            })?;
        start.call(&mut *store, (tid as i32, start_arg))
    }

    /// Records the program's ending, if it is the first, and stops every thread.
    fn end_with(&self, ending: Ending) {
        let mut recorded = lock(&self.ending);
        if recorded.is_none() {
            *recorded = Some(ending);
            drop(recorded);
            self.interrupt_all();
        }
    }

    fn interrupt_all(&self) {
        self.over.store(true, Ordering::SeqCst);
        for (_, handle) in lock(&self.running).iter() {
            handle.interrupt();
        }
    }
}
