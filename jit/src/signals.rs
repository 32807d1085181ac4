//! Traps from signals: guarded memories' out-of-bounds accesses, and trap instructions.
//!
//! In an engine with `Config::signals_based_traps`, native code leaves its traps to this
//! module. Loads and stores of guarded memories carry no bounds check: an access past a
//! memory's length lands in its inaccessible reservation and faults (`SIGSEGV`,
//! `SIGBUS`). Every other trap the code tests for is a trap instruction (`SIGILL`; on
//! x86, a division by zero is the divide instruction's own `SIGFPE`). This module turns
//! each into the trap the explicit check would have given, with the same wasm backtrace:
//!
//! - **Every entry from Rust into native code goes through [`call`]**, which enters by a
//!   few lines of assembly (`wisp_jit_enter`) that save the callee-saved registers and
//!   record the stack pointer in an [`Entry`] on the Rust stack, linked from a thread-local
//!   (`CURRENT`): the innermost entry of this thread is where a fault resumes.
//! - **Code is registered** ([`register`]) from when it is published until it is unmapped:
//!   its range, its trap sites (each trapping instruction's offset and the wasm trap it
//!   stands for, from Cranelift's `MachTrap`s) and where each wasm function lies, for the
//!   backtrace.
//! - **The handler claims only faults it knows**: one of those signals on a thread inside
//!   [`call`], at a registered trap site. It walks the frame pointers from the fault
//!   (every compiled function keeps one; `[fp]` is the caller's, `[fp + 8]` the return
//!   address on all three architectures) while the return addresses are in wasm functions,
//!   noting them in the entry, then rewrites the signal context so that the thread resumes
//!   at the end of `wisp_jit_enter` with the entry's stack pointer and the trap's status as
//!   the return value: the registers are restored, and `call` returns the status as if the
//!   function had. Any other fault goes to the handler that was installed before (or the
//!   default action), so other users of these signals work as before.
//! - It runs on an alternate signal stack, which [`call`] makes sure the thread has.
//!
//! Nothing is lost by leaving the native frames this way: they hold no Rust values, and
//! what their explicit failure path would have done is done by the entry point (the call
//! budget is put back by `executor::run`; legacy catch blocks' holds on exceptions are
//! reclaimed when the outermost call returns).
//!
//! Supported on Linux on x86_64, aarch64 and riscv64, on macOS on x86_64 and aarch64, and
//! on FreeBSD on x86_64 (`cfg(wisp_signals)`, set by `build.rs`; [`supported`]); elsewhere
//! the engine checks bounds explicitly and every trap takes the failure exit
//! (`translate`'s explicit mode).

#[cfg(wisp_signals)]
mod imp;

/// Hosts without the handler: entries are plain calls, and no fault is ever claimed.
#[cfg(not(wisp_signals))]
mod imp {
    use wisp_core::vm::{ArrayCallFn, VmCtx};

    pub(super) fn install() -> bool {
        false
    }

    pub(super) unsafe fn call(
        entry: ArrayCallFn,
        callee: *mut VmCtx,
        caller: *mut VmCtx,
        args: *mut u64,
    ) -> (u32, Option<Vec<usize>>) {
        // SAFETY: forwarded contract.
        (unsafe { entry(callee, caller, args) }, None)
    }
}

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use wisp_core::vm::{ArrayCallFn, VmCtx};
use wisp_core::StoreInner;
use wisp_core::TrapCode;

/// Whether this host turns faults into traps (`cfg(wisp_signals)`), with the handlers
/// installed (once per process, on first use).
pub fn supported() -> bool {
    imp::install()
}

/// What the handler needs to know about one published piece of code.
pub struct CodeMap {
    /// The module whose code this is (its address, for naming frames): valid while the
    /// code is registered, since the module's tier data holds the code.
    module: usize,
    /// Each instruction that may fault in a guarded memory: its offset from the code's
    /// start and the trap it stands for, sorted by offset.
    traps: Vec<(u32, TrapCode)>,
    /// Each wasm function: its code's start and end offsets and its index in the module's
    /// function index space, sorted.
    funcs: Vec<(u32, u32, u32)>,
}

impl CodeMap {
    /// An empty map for code of `module`.
    pub fn new(module: &wisp_core::module::ModuleInner) -> CodeMap {
        CodeMap {
            module: module as *const _ as usize,
            traps: Vec::new(),
            funcs: Vec::new(),
        }
    }

    /// Notes a trap site at `offset`.
    pub fn trap(&mut self, offset: u32, code: TrapCode) {
        self.traps.push((offset, code));
    }

    /// Notes wasm function `func_index` at `start..end`.
    pub fn func(&mut self, start: u32, end: u32, func_index: u32) {
        self.funcs.push((start, end, func_index));
    }

    fn finish(&mut self) {
        self.traps.sort_unstable_by_key(|t| t.0);
        self.funcs.sort_unstable();
    }

    #[cfg_attr(not(wisp_signals), allow(dead_code))] // the handler's
    fn trap_at(&self, offset: u32) -> Option<TrapCode> {
        let i = self.traps.binary_search_by_key(&offset, |t| t.0).ok()?;
        Some(self.traps[i].1)
    }

    fn func_at(&self, offset: u32) -> Option<u32> {
        let i = self
            .funcs
            .partition_point(|f| f.0 <= offset)
            .checked_sub(1)?;
        let (_, end, index) = self.funcs[i];
        (offset < end).then_some(index)
    }
}

/// Published code by the address just past its end: its start and map.
type Registry = BTreeMap<usize, (usize, Arc<CodeMap>)>;

/// Every registered piece of code. Invariant: no thread holds the write lock while it runs
/// native code, so the handler (which reads it on a faulting thread that was running
/// native code) never waits on its own thread; writers hold it for a map insertion.
static CODE: RwLock<Registry> = RwLock::new(BTreeMap::new());

/// Keeps a piece of code registered; unregisters it on drop (before the code is
/// unmapped: `CodeMemory` drops it first).
pub struct Registration {
    end: usize,
}

/// Registers the code at `start..start + len`, described by `map`.
pub fn register(start: usize, len: usize, mut map: CodeMap) -> Registration {
    map.finish();
    let end = start + len;
    let mut code = CODE.write().unwrap_or_else(|e| e.into_inner());
    code.insert(end, (start, Arc::new(map)));
    Registration { end }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut code = CODE.write().unwrap_or_else(|e| e.into_inner());
        code.remove(&self.end);
    }
}

/// The registered code holding `pc`, and `pc`'s offset in it.
fn lookup(code: &Registry, pc: usize) -> Option<(&CodeMap, u32)> {
    let (_, (start, map)) = code.range(pc + 1..).next()?;
    let offset = pc.checked_sub(*start)?;
    Some((map, offset as u32))
}

/// Calls native code: `entry(callee, caller, args)`, returning its status, or a trap's
/// status after a fault the handler claimed, whose wasm frames go on the store's native
/// frames (`StoreInner::native_frames`) as the explicit failure path would have put them.
///
/// # Safety
/// As calling `entry` with these arguments; `store` is live and the store those contexts
/// belong to, with no reference into it held.
pub(crate) unsafe fn call(
    store: *mut StoreInner,
    entry: ArrayCallFn,
    callee: *mut VmCtx,
    caller: *mut VmCtx,
    args: *mut u64,
) -> u32 {
    // SAFETY: forwarded contract.
    let (status, frames) = unsafe { imp::call(entry, callee, caller, args) };
    if let Some(frames) = frames {
        // SAFETY: the contract: `store` is live and unaliased.
        unsafe { note_frames(&mut *store, &frames) };
    }
    status
}

/// Puts the frames a fault left (pcs in wasm functions, innermost first) on the store's
/// native frames, each named by an instance of its module in this store.
fn note_frames(store: &mut StoreInner, pcs: &[usize]) {
    let code = CODE.read().unwrap_or_else(|e| e.into_inner());
    for &pc in pcs {
        let Some((map, offset)) = lookup(&code, pc) else {
            continue;
        };
        let Some(func_index) = map.func_at(offset) else {
            continue;
        };
        let Some(instance) = store
            .instances
            .iter()
            .position(|i| Arc::as_ptr(i.module.inner()) as usize == map.module)
        else {
            continue;
        };
        let frames = &mut store.native_frames;
        if (frames.len as usize) < frames.frames.len() {
            frames.frames[frames.len as usize] = (instance as u64) << 32 | u64::from(func_index);
            frames.len += 1;
        }
    }
}
