//! The runtime functions native code calls: whatever needs the store, the instance's
//! segments, or core's helpers (bulk memory and table operations, growth, calls that leave
//! the module). Each is an `extern "C"` function taking the caller's `VmCtx` first; those
//! that can fail return a `wisp_core::vm::status`.
//!
//! Safety contract of every function here: it is called only by native code this crate
//! generated, with the `VmCtx` of the running instance (whose `store` field was set when
//! the execution entered it), and with indices the validator checked for that instance's
//! module; no Rust reference into the store is live while native code runs.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cranelift_codegen::ir::{types, AbiParam, LibCall, Signature, Type};
use cranelift_codegen::isa::CallConv;
use wisp_core::vm::{status, VmCtx};
use wisp_core::{FuncKind, InstanceEntity, MemoryEntity, StoreInner, TableEntity, Trap, TrapCode};

use crate::executor::{self, Budget, Tails};
use crate::tiering::{self, TierModule};

/// A host function panicked; the payload waits in `PANIC` until the execution's entry
/// point resumes the unwinding in Rust (it cannot unwind through native frames).
pub const PANICKED: u32 = u32::MAX - 1;

thread_local! {
    static PANIC: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
}

/// The payload of a host function's panic, if one is waiting.
pub fn take_panic() -> Option<Box<dyn Any + Send>> {
    PANIC.with(|p| p.borrow_mut().take())
}

/// Holds a host function's panic for the entry point (which `PANICKED` tells to look).
pub fn hold_panic(payload: Box<dyn Any + Send>) {
    PANIC.with(|p| *p.borrow_mut() = Some(payload));
}

/// The runtime functions, for the translator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Libcall {
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    MemoryInit,
    DataDrop,
    TableGet,
    TableSet,
    TableSize,
    TableGrow,
    TableFill,
    TableCopy,
    TableInit,
    ElemDrop,
    CallStoreFunc,
    PendTailCall,
    FinishTailCall,
    Throw,
    ThrowRef,
    ExceptionIs,
    CatchException,
    ReleaseException,
    ReleaseUnwinding,
    RecordFrame,
    AtomicWait,
    AtomicNotify,
}

/// How a handler takes an exception (`catch_exception`): the interpreter's `Caught`
/// modes, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum CatchMode {
    /// `catch` / `catch_all`: nothing keeps the exception, which is freed.
    Plain = 0,
    /// `catch_ref` / `catch_all_ref`: it becomes an `exnref` value.
    Ref = 1,
    /// A legacy catch block: held for `rethrow` until the block ends.
    Legacy = 2,
}

/// A parameter or result of type `ty` passed between native code and Rust, as the C
/// calling convention passes it. Cranelift leaves the upper 32 bits of an `i32` in a 64-bit
/// register undefined, but the RISC-V LP64 convention has every 32-bit integer, signed or
/// not, sign-extended to 64 bits, and Rust (LLVM) code relies on it: a `u32` argument with
/// garbage above bit 31 (what `i32.wrap_i64` leaves, for one) compares wrong there, as a
/// `table.fill` length did, and a caller of a native function may compare its `u32` status
/// as 64 bits. `sext` has Cranelift extend the value: riscv64 needs it, x86_64 does it too
/// (one instruction its convention does not need), AArch64 Linux ignores it (its convention
/// leaves the upper bits undefined, and callees do not read them).
pub fn abi_param(ty: Type) -> AbiParam {
    if ty == types::I32 {
        AbiParam::new(ty).sext()
    } else {
        AbiParam::new(ty)
    }
}

impl Libcall {
    /// The Cranelift signature, matching the Rust function's.
    pub fn signature(self, ptr: Type, call_conv: CallConv) -> Signature {
        use types::{I32, I64};
        let (params, returns): (&[Type], &[Type]) = match self {
            // Addresses, lengths and page counts as `i64`s, whatever the memory's index
            // type: a 32-bit memory's are zero-extended by the caller.
            Libcall::MemoryGrow => (&[ptr, I32, I64, ptr], &[I32]),
            Libcall::MemoryFill => (&[ptr, I32, I64, I32, I64], &[I32]),
            Libcall::MemoryCopy => (&[ptr, I32, I32, I64, I64, I64], &[I32]),
            Libcall::MemoryInit => (&[ptr, I32, I32, I64, I32, I32], &[I32]),
            Libcall::DataDrop | Libcall::ElemDrop => (&[ptr, I32], &[]),
            Libcall::TableGet => (&[ptr, I32, I32, ptr], &[I32]),
            Libcall::TableSet => (&[ptr, I32, I32, I64], &[I32]),
            Libcall::TableSize => (&[ptr, I32], &[I32]),
            Libcall::TableGrow => (&[ptr, I32, I64, I32, ptr], &[I32]),
            Libcall::TableFill => (&[ptr, I32, I32, I64, I32], &[I32]),
            Libcall::TableCopy | Libcall::TableInit => (&[ptr, I32, I32, I32, I32, I32], &[I32]),
            Libcall::CallStoreFunc => (&[ptr, I32, ptr], &[I32]),
            // vmctx, the cell, its width, the expected value, the timeout; the result out.
            Libcall::AtomicWait => (&[ptr, ptr, I32, I64, I64, ptr], &[I32]),
            Libcall::AtomicNotify => (&[ptr, I32], &[I32]),
            Libcall::PendTailCall => (&[ptr, I32, ptr], &[]),
            Libcall::FinishTailCall => (&[ptr, ptr], &[I32]),
            Libcall::Throw => (&[ptr, I32, ptr], &[I32]),
            Libcall::ThrowRef => (&[ptr, I64], &[I32]),
            Libcall::ExceptionIs => (&[ptr, I32], &[I32]),
            Libcall::CatchException => (&[ptr, I32, ptr, I32], &[I64]),
            Libcall::ReleaseException | Libcall::ReleaseUnwinding => (&[ptr, I64], &[]),
            Libcall::RecordFrame => (&[ptr, I32, I32], &[I32]),
        };
        let mut sig = Signature::new(call_conv);
        sig.params.extend(params.iter().map(|&t| abi_param(t)));
        sig.returns.extend(returns.iter().map(|&t| abi_param(t)));
        sig
    }

    /// The one trap this runtime function fails with, when it has one: its status is then
    /// 0 or that trap's. (Bulk memory and table operations fail only out of bounds; a
    /// grow may fail with a resource limiter's error, and a call with anything.)
    pub fn trap(self) -> Option<TrapCode> {
        match self {
            Libcall::MemoryFill | Libcall::MemoryCopy | Libcall::MemoryInit => {
                Some(TrapCode::MemoryOutOfBounds)
            }
            Libcall::TableGet
            | Libcall::TableSet
            | Libcall::TableFill
            | Libcall::TableCopy
            | Libcall::TableInit => Some(TrapCode::TableOutOfBounds),
            _ => None,
        }
    }

    /// The function's address.
    pub fn address(self) -> usize {
        match self {
            Libcall::MemoryGrow => memory_grow as *const () as usize,
            Libcall::MemoryFill => memory_fill as *const () as usize,
            Libcall::MemoryCopy => memory_copy as *const () as usize,
            Libcall::MemoryInit => memory_init as *const () as usize,
            Libcall::DataDrop => data_drop as *const () as usize,
            Libcall::TableGet => table_get as *const () as usize,
            Libcall::TableSet => table_set as *const () as usize,
            Libcall::TableSize => table_size as *const () as usize,
            Libcall::TableGrow => table_grow as *const () as usize,
            Libcall::TableFill => table_fill as *const () as usize,
            Libcall::TableCopy => table_copy as *const () as usize,
            Libcall::TableInit => table_init as *const () as usize,
            Libcall::ElemDrop => elem_drop as *const () as usize,
            Libcall::CallStoreFunc => call_store_func_libcall as *const () as usize,
            Libcall::PendTailCall => pend_tail_call as *const () as usize,
            Libcall::FinishTailCall => finish_tail_call as *const () as usize,
            Libcall::Throw => throw as *const () as usize,
            Libcall::ThrowRef => throw_ref as *const () as usize,
            Libcall::ExceptionIs => exception_is as *const () as usize,
            Libcall::CatchException => catch_exception as *const () as usize,
            Libcall::ReleaseException => release_exception as *const () as usize,
            Libcall::ReleaseUnwinding => release_unwinding as *const () as usize,
            Libcall::RecordFrame => record_frame as *const () as usize,
            Libcall::AtomicWait => atomic_wait as *const () as usize,
            Libcall::AtomicNotify => atomic_notify as *const () as usize,
        }
    }
}

/// Where Cranelift's own library calls go (float rounding on x86_64 without SSE4.1, fused
/// multiply-add without FMA).
pub fn cranelift_libcall_address(libcall: LibCall) -> Option<usize> {
    extern "C" fn ceil_f32(x: f32) -> f32 {
        x.ceil()
    }
    extern "C" fn ceil_f64(x: f64) -> f64 {
        x.ceil()
    }
    extern "C" fn floor_f32(x: f32) -> f32 {
        x.floor()
    }
    extern "C" fn floor_f64(x: f64) -> f64 {
        x.floor()
    }
    extern "C" fn trunc_f32(x: f32) -> f32 {
        x.trunc()
    }
    extern "C" fn trunc_f64(x: f64) -> f64 {
        x.trunc()
    }
    extern "C" fn nearest_f32(x: f32) -> f32 {
        x.round_ties_even()
    }
    extern "C" fn nearest_f64(x: f64) -> f64 {
        x.round_ties_even()
    }
    // Vector `fma` without the FMA extension (x86_64), lane by lane: fused, one rounding.
    extern "C" fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
    extern "C" fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    Some(match libcall {
        LibCall::FmaF32 => fma_f32 as *const () as usize,
        LibCall::FmaF64 => fma_f64 as *const () as usize,
        LibCall::CeilF32 => ceil_f32 as *const () as usize,
        LibCall::CeilF64 => ceil_f64 as *const () as usize,
        LibCall::FloorF32 => floor_f32 as *const () as usize,
        LibCall::FloorF64 => floor_f64 as *const () as usize,
        LibCall::TruncF32 => trunc_f32 as *const () as usize,
        LibCall::TruncF64 => trunc_f64 as *const () as usize,
        LibCall::NearestF32 => nearest_f32 as *const () as usize,
        LibCall::NearestF64 => nearest_f64 as *const () as usize,
        _ => return None,
    })
}

/// A failed operation as a status.
/// The status of `libcall`'s `result`: its failure is the one `Libcall::trap` promises,
/// which native code raises without looking at the status.
fn trap_status(libcall: Libcall, result: Result<(), TrapCode>) -> u32 {
    match result {
        Ok(()) => status::OK,
        Err(code) => {
            debug_assert_eq!(Some(code), libcall.trap(), "{libcall:?}");
            code.status()
        }
    }
}

/// The instance entity of `vmctx`.
///
/// # Safety
/// The module contract: `vmctx` is a running instance's, its `store` set.
unsafe fn instance<'a>(vmctx: *mut VmCtx) -> &'a mut InstanceEntity {
    // SAFETY: instance entities are boxed in the store and never move; no other reference
    // to this one is live while native code runs.
    unsafe {
        let store = (*vmctx).store;
        let index = (*vmctx).instance as usize;
        &mut *(&(*store).instances)[index].as_ptr()
    }
}

/// Memory `index` of the instance.
///
/// # Safety
/// The module contract.
unsafe fn memory<'a>(vmctx: *mut VmCtx, index: u32) -> &'a mut MemoryEntity {
    // SAFETY: a validated memory index; entities are store-owned and unaliased here.
    unsafe { &mut *(*vmctx).memory(index) }
}

/// Table `index` of the instance.
///
/// # Safety
/// The module contract.
unsafe fn table<'a>(vmctx: *mut VmCtx, index: u32) -> &'a mut TableEntity {
    // SAFETY: a validated table index; entities are store-owned and unaliased here.
    unsafe { &mut *(*vmctx).table(index) }
}

// ----- calls ------------------------------------------------------------------------------

/// A call from native code (`trampolines::runtime_adapter`) to store function `func`,
/// which has no native code (a host function, or a wasm function not compiled yet):
/// `call_store_func`. The caller checked `func` (a `call_indirect`'s element, a non-null
/// reference, an import).
unsafe extern "C" fn call_store_func_libcall(vmctx: *mut VmCtx, func: u32, args: *mut u64) -> u32 {
    // SAFETY: the module contract; `func` came from a non-null function reference.
    unsafe { call_store_func(vmctx, func, args) }
}

/// Calls store function `func` for the instance of `vmctx`: a wasm function on its tier
/// (natively, or with a tiered engine the interpreter if it has no native code yet; its
/// budget and stack limit carried on), a host function through core's `call_raw`, with a
/// panic held back until the execution returns to Rust.
///
/// # Safety
/// The module contract; `args` holds the callee type's `slots_len` slots.
unsafe fn call_store_func(vmctx: *mut VmCtx, func: u32, args: *mut u64) -> u32 {
    // SAFETY: the contract.
    unsafe { call_store_func_with(vmctx, func, args, Budget::Carry, Tails::Complete) }
}

/// As `call_store_func`, with the budget `budget`, and tail calls the callee leaves
/// (`status::TAIL_CALL`) made (`Tails::Complete`) or passed on.
///
/// # Safety
/// As `call_store_func`.
unsafe fn call_store_func_with(
    vmctx: *mut VmCtx,
    func: u32,
    args: *mut u64,
    budget: Budget,
    tails: Tails,
) -> u32 {
    // SAFETY: the contract.
    unsafe {
        let store: *mut StoreInner = (*vmctx).store;
        let caller = (*vmctx).instance;
        let callee = match &(&(*store).funcs)[func as usize].kind {
            FuncKind::Wasm { instance, index } => Some((*instance, *index)),
            FuncKind::Host(_) => None,
        };
        if let Some((instance, index)) = callee {
            // The engine tiers up if the caller's module has tiered state.
            let caller_module = (&(*store).instances)[caller as usize].module.inner();
            return match caller_module
                .jit_data
                .get()
                .and_then(|d| d.downcast_ref::<TierModule>())
            {
                Some(tiers) => tiering::call_function(
                    &tiers.shared,
                    store,
                    instance,
                    index,
                    args,
                    budget,
                    tails,
                ),
                None => executor::enter(store, instance, index, args, budget, tails),
            };
        }
        let len = (*store).func_type(func).slots_len();
        let slots = std::slice::from_raw_parts_mut(args, len);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            wisp_core::call_raw(store, func, Some(caller), slots)
        }));
        match outcome {
            Ok(Ok(())) => status::OK,
            Ok(Err(trap)) => pend(store, trap),
            Err(payload) => {
                hold_panic(payload);
                PANICKED
            }
        }
    }
}

// ----- tail calls -------------------------------------------------------------------------

/// A tail call to store function `func`, which has no native code, from the instance of
/// `vmctx`: left in the store for the caller of the function making it, which then
/// returns `status::TAIL_CALL`.
unsafe extern "C" fn pend_tail_call(vmctx: *mut VmCtx, func: u32, args: *const u64) {
    // SAFETY: the module contract; `args` holds the callee's parameters.
    unsafe {
        let store = (*vmctx).store;
        let ty = (*store).func_type(func);
        let (params, len) = (ty.param_slots(), ty.slots_len());
        let buffer = &mut (*store).tail_args;
        buffer.clear();
        buffer.extend_from_slice(std::slice::from_raw_parts(args, params));
        buffer.resize(len, 0);
        (*store).pending_tail = Some((func, (*vmctx).instance));
    }
}

/// A callee returned `status::TAIL_CALL` to native code: makes the calls it left, until
/// one returns, whose results go to `out`.
unsafe extern "C" fn finish_tail_call(vmctx: *mut VmCtx, out: *mut u64) -> u32 {
    // SAFETY: the module contract; `out` holds the callee type's results.
    unsafe { complete_tail_calls((*vmctx).store, out, Budget::Carry) }
}

/// Makes the tail calls pending in `store`, each in the place of the one before, until
/// one returns (rather than leaving another); its results go to `out`. Each runs with
/// `budget`, as the function whose place it takes did. Returns that call's status.
///
/// # Safety
/// `store` is live and unaliased; a native function just returned `status::TAIL_CALL`;
/// `out` holds as many slots as its type has results.
pub(crate) unsafe fn complete_tail_calls(
    store: *mut StoreInner,
    out: *mut u64,
    budget: Budget,
) -> u32 {
    // SAFETY: the contract.
    unsafe {
        loop {
            let Some((func, caller)) = (*store).pending_tail.take() else {
                return pend(
                    store,
                    Trap::msg("native code left a tail call it did not name"),
                );
            };
            // Taken out of the store: the call may leave another in it.
            let mut args = std::mem::take(&mut (*store).tail_args);
            let inst = (&(*store).instances)[caller as usize].as_ptr();
            let vmctx: *mut VmCtx = &mut (*inst).vmctx;
            let code = call_store_func_with(vmctx, func, args.as_mut_ptr(), budget, Tails::Leave);
            if code == status::TAIL_CALL {
                continue;
            }
            if code == status::OK {
                let n = (*store).func_type(func).result_slots();
                std::ptr::copy_nonoverlapping(args.as_ptr(), out, n);
            }
            // The buffer serves the next tail call.
            if (*store).tail_args.capacity() < args.capacity() {
                (*store).tail_args = args;
            }
            return code;
        }
    }
}

// ----- exceptions -------------------------------------------------------------------------

/// `throw`: a new exception of the instance's tag `tag`, with the values in `args`,
/// propagating (`status::EXCEPTION`); `TooManyExceptions` if the store holds its most.
unsafe extern "C" fn throw(vmctx: *mut VmCtx, tag: u32, args: *const u64) -> u32 {
    // SAFETY: the module contract; `args` holds the tag's values.
    unsafe {
        let store = (*vmctx).store;
        let store_tag = (*vmctx).tag(tag);
        let n = (&(*store).tags)[store_tag as usize]
            .ty
            .func_type()
            .param_slots();
        let values = std::slice::from_raw_parts(args, n).into();
        match (*store).alloc_exception(store_tag, values) {
            Ok(index) => {
                (*store).pending_exception = Some(index);
                status::EXCEPTION
            }
            Err(code) => code.status(),
        }
    }
}

/// `throw_ref` and `rethrow`: the exception `exnref` names propagates again.
unsafe extern "C" fn throw_ref(vmctx: *mut VmCtx, exnref: u64) -> u32 {
    match exnref.checked_sub(1) {
        None => TrapCode::NullExceptionReference.status(),
        Some(index) => {
            // SAFETY: the module contract; a non-null `exnref` is an exception index + 1.
            unsafe { (*(*vmctx).store).pending_exception = Some(index as u32) };
            status::EXCEPTION
        }
    }
}

/// Whether the propagating exception's tag is the instance's tag `tag` (1) or not (0).
unsafe extern "C" fn exception_is(vmctx: *mut VmCtx, tag: u32) -> u32 {
    // SAFETY: the module contract; a handler asks only while an exception propagates.
    unsafe {
        let store = (*vmctx).store;
        match (*store).pending_exception {
            Some(index) => u32::from((*store).exception(index).tag == (*vmctx).tag(tag)),
            None => 0,
        }
    }
}

/// A handler takes the propagating exception as `mode` says (a `CatchMode`), its first
/// `len` slots of values going to `out`; returns its `exnref`.
unsafe extern "C" fn catch_exception(vmctx: *mut VmCtx, mode: u32, out: *mut u64, len: u32) -> u64 {
    // SAFETY: the module contract; `out` holds `len` slots.
    unsafe {
        let store = &mut *(*vmctx).store;
        let Some(index) = store.pending_exception.take() else {
            return 0;
        };
        // The trap that brought it from a host function or the interpreter, if one did,
        // and the frames it has left: it goes no further.
        store.pending_trap = None;
        store.native_frames.len = 0;
        let fields = &store.exception(index).fields;
        let n = (len as usize).min(fields.len());
        std::ptr::copy_nonoverlapping(fields.as_ptr(), out, n);
        match mode {
            m if m == CatchMode::Plain as u32 => store.exception_caught(index),
            m if m == CatchMode::Ref as u32 => store.expose_exception(index),
            _ => store.hold_exception(index),
        }
        u64::from(index) + 1
    }
}

/// Control left a legacy catch block holding exception `exnref` (its end, a branch).
unsafe extern "C" fn release_exception(vmctx: *mut VmCtx, exnref: u64) {
    if let Some(index) = exnref.checked_sub(1) {
        // SAFETY: the module contract; the block's exception is the store's.
        unsafe { (*(*vmctx).store).release_exception(index as u32) };
    }
}

/// A failure passes out of a legacy catch block holding exception `exnref`: the
/// propagating exception, if it is that one, lives on.
unsafe extern "C" fn release_unwinding(vmctx: *mut VmCtx, exnref: u64) {
    if let Some(index) = exnref.checked_sub(1) {
        // SAFETY: the module contract; the block's exception is the store's.
        unsafe {
            let store = &mut *(*vmctx).store;
            match store.pending_exception {
                Some(propagating) => store.release_exception_unwinding(index as u32, propagating),
                None => store.release_exception(index as u32),
            }
        }
    }
}

/// Leaves `trap` in the store for the entry point: an exception of this store's goes on
/// propagating (`status::EXCEPTION`; native handlers may catch it), with the trap kept
/// for its backtrace should it reach the host.
///
/// # Safety
/// `store` is live and unaliased.
pub unsafe fn pend(store: *mut StoreInner, trap: Trap) -> u32 {
    // SAFETY: the contract.
    unsafe {
        let exception = trap.exception().and_then(|e| (*store).exception_index(&e));
        (*store).pending_trap = Some(trap);
        match exception {
            Some(index) => {
                (*store).pending_exception = Some(index);
                status::EXCEPTION
            }
            None => status::TRAP_PENDING,
        }
    }
}

// ----- memory -----------------------------------------------------------------------------

/// The status of a growth (`memory.grow`, `table.grow`), whose result, the old size or -1,
/// goes to `out`: a trap when the store's `ResourceLimiter` asked for one, and a held
/// panic when it panicked (it is the embedder's code, and cannot unwind through native
/// frames).
///
/// # Safety
/// `vmctx` as for every runtime function; `out` is the caller's stack slot.
unsafe fn grown<T: Copy>(
    vmctx: *mut VmCtx,
    out: *mut T,
    failed: T,
    grow: impl FnOnce() -> Result<Option<T>, Trap>,
) -> u32 {
    match catch_unwind(AssertUnwindSafe(grow)) {
        Ok(Ok(old)) => {
            // SAFETY: the contract.
            unsafe { *out = old.unwrap_or(failed) };
            status::OK
        }
        // SAFETY: the module contract: the store is set while native code runs.
        Ok(Err(trap)) => unsafe { pend((*vmctx).store, trap) },
        Err(payload) => {
            hold_panic(payload);
            PANICKED
        }
    }
}

/// `memory.grow`: the old size in pages, or -1 (in 64 bits: the caller narrows it for a
/// 32-bit memory, whose sizes fit 32 bits), to `out`.
unsafe extern "C" fn memory_grow(vmctx: *mut VmCtx, mem: u32, delta: u64, out: *mut u64) -> u32 {
    // SAFETY: the module contract.
    let memory = unsafe { memory(vmctx, mem) };
    // SAFETY: the contract.
    unsafe { grown(vmctx, out, u64::MAX, || memory.grow(delta)) }
}

unsafe extern "C" fn memory_fill(vmctx: *mut VmCtx, mem: u32, dst: u64, val: u32, len: u64) -> u32 {
    // SAFETY: the module contract.
    let memory = unsafe { memory(vmctx, mem) };
    trap_status(Libcall::MemoryFill, memory.fill(dst, val as u8, len))
}

unsafe extern "C" fn memory_copy(
    vmctx: *mut VmCtx,
    dst_mem: u32,
    src_mem: u32,
    d: u64,
    s: u64,
    n: u64,
) -> u32 {
    // SAFETY: the module contract. Two indices may name one memory (imported twice), so
    // the entities are compared before two references are made.
    unsafe {
        let dm = (*vmctx).memory(dst_mem);
        let sm = (*vmctx).memory(src_mem);
        trap_status(
            Libcall::MemoryCopy,
            if dm == sm {
                (*dm).copy_within(d, s, n)
            } else {
                wisp_core::ops::memory_copy_between(&mut *dm, d, &*sm, s, n)
            },
        )
    }
}

unsafe extern "C" fn memory_init(
    vmctx: *mut VmCtx,
    mem: u32,
    data: u32,
    dst: u64,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: the module contract; the instance and the memory are distinct entities.
    unsafe {
        let bytes = instance(vmctx).data_segment(data);
        let memory = memory(vmctx, mem);
        trap_status(
            Libcall::MemoryInit,
            memory.init(dst, bytes, u64::from(src), u64::from(len)),
        )
    }
}

/// `memory.atomic.wait32/64` on a shared memory, its checks done: the result (0, 1 or 2)
/// to `out`; `Interrupted` when the store's interrupt ends the wait.
unsafe extern "C" fn atomic_wait(
    vmctx: *mut VmCtx,
    cell: *mut u8,
    bytes: u32,
    expected: u64,
    timeout: i64,
    out: *mut u32,
) -> u32 {
    // SAFETY: the module contract: `cell` is a checked, aligned cell of a shared memory,
    // and the store is live while its code runs.
    let waited = unsafe {
        let interrupt = &(*(*vmctx).store).interrupt;
        wisp_core::ops::atomic_wait(cell, u64::from(bytes), expected, timeout, interrupt)
    };
    match waited {
        Ok(result) => {
            // SAFETY: the contract: `out` is the caller's stack slot.
            unsafe { *out = result };
            status::OK
        }
        Err(code) => code.status(),
    }
}

/// `memory.atomic.notify` on a shared memory, its checks done.
extern "C" fn atomic_notify(cell: *mut u8, count: u32) -> u32 {
    wisp_core::ops::atomic_notify(cell, count)
}

unsafe extern "C" fn data_drop(vmctx: *mut VmCtx, data: u32) {
    // SAFETY: the module contract.
    unsafe { instance(vmctx).data_dropped[data as usize] = true };
}

// ----- backtraces -------------------------------------------------------------------------

/// A failure leaves function `func` (of the instance of `vmctx`): its frame goes on the
/// store's `NativeFrames` while there is room. Called from every function's failure exit
/// (out of line: the exit is cold, and inline it took some 60 bytes of every function).
/// Returns the failure's `status`, which the exit returns in turn: passed through, it is
/// not live across this call, which would otherwise make the register allocator spill
/// every call's status on the hot path to keep it for this cold one.
unsafe extern "C" fn record_frame(vmctx: *mut VmCtx, func: u32, status: u32) -> u32 {
    // SAFETY: the module contract: `vmctx` is live, its store pointer set by the entry.
    unsafe {
        let instance = (*vmctx).instance;
        let frames = &mut (*(*vmctx).store).native_frames;
        if let Some(slot) = frames.frames.get_mut(frames.len as usize) {
            *slot = u64::from(instance) << 32 | u64::from(func);
            frames.len += 1;
        }
    }
    status
}

// ----- tables -----------------------------------------------------------------------------

unsafe extern "C" fn table_get(
    vmctx: *mut VmCtx,
    table_index: u32,
    index: u32,
    out: *mut u64,
) -> u32 {
    // SAFETY: the module contract; `out` is the caller's stack slot.
    unsafe {
        let got = table(vmctx, table_index).get(index).map(|v| *out = v);
        trap_status(Libcall::TableGet, got)
    }
}

unsafe extern "C" fn table_set(vmctx: *mut VmCtx, table_index: u32, index: u32, value: u64) -> u32 {
    // SAFETY: the module contract.
    trap_status(
        Libcall::TableSet,
        unsafe { table(vmctx, table_index) }.set(index, value),
    )
}

unsafe extern "C" fn table_size(vmctx: *mut VmCtx, table_index: u32) -> u32 {
    // SAFETY: the module contract.
    unsafe { table(vmctx, table_index) }.size()
}

/// `table.grow`: the old size, or -1, to `out`.
unsafe extern "C" fn table_grow(
    vmctx: *mut VmCtx,
    table_index: u32,
    init: u64,
    delta: u32,
    out: *mut u32,
) -> u32 {
    // SAFETY: the module contract.
    let table = unsafe { table(vmctx, table_index) };
    // SAFETY: the contract.
    unsafe { grown(vmctx, out, u32::MAX, || table.grow(delta, init)) }
}

unsafe extern "C" fn table_fill(
    vmctx: *mut VmCtx,
    table_index: u32,
    dst: u32,
    value: u64,
    len: u32,
) -> u32 {
    // SAFETY: the module contract.
    trap_status(
        Libcall::TableFill,
        unsafe { table(vmctx, table_index) }.fill(dst, value, len),
    )
}

unsafe extern "C" fn table_copy(
    vmctx: *mut VmCtx,
    dst_table: u32,
    src_table: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: the module contract; as for memories, one table may have two indices.
    unsafe {
        let dt = (*vmctx).table(dst_table);
        let st = (*vmctx).table(src_table);
        trap_status(
            Libcall::TableCopy,
            if dt == st {
                (*dt).copy_within(dst, src, len)
            } else {
                wisp_core::ops::table_copy_between(&mut *dt, dst, &*st, src, len)
            },
        )
    }
}

unsafe extern "C" fn table_init(
    vmctx: *mut VmCtx,
    table_index: u32,
    elem: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: the module contract; the instance and the table are distinct entities.
    unsafe {
        let items = &instance(vmctx).elements[elem as usize];
        trap_status(
            Libcall::TableInit,
            table(vmctx, table_index).init(dst, items, src, len),
        )
    }
}

unsafe extern "C" fn elem_drop(vmctx: *mut VmCtx, elem: u32) {
    // SAFETY: the module contract.
    unsafe { instance(vmctx).elements[elem as usize] = Box::default() };
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use wisp_core::{Config, Engine, Linker, Module, Store};

    /// Runtime calls whose `i32` arguments come from `i32.wrap_i64`, which leaves the i64's
    /// upper half in the register: the runtime must see the low 32 bits only (see
    /// `abi_param`; on riscv64 this `table.fill` trapped as out of bounds).
    #[test]
    fn wrapped_arguments_reach_the_runtime_as_32_bits() {
        let wat = r#"(module
            (memory 1)
            (table 4 externref)
            (func (export "run") (param $x i64) (result i32)
              (table.fill 0 (i32.const 1) (ref.null extern) (i32.wrap_i64 (local.get $x)))
              (memory.fill (i32.const 8) (i32.const 7) (i32.wrap_i64 (local.get $x)))
              (i32.add
                (i32.load8_u (i32.const 9))
                (memory.grow (i32.wrap_i64 (local.get $x))))))"#;
        let engine = Engine::with_executor(Config::default(), Arc::new(crate::Jit));
        let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
        // Lengths 0 and 2 under upper halves of every kind; a length of 2 fills bytes 8
        // and 9 and grows the memory from 1 page.
        for (x, expected) in [
            (0x4008_0000_0000_0000u64, 1),
            (0x8000_0000_0000_0000, 1),
            (0x4008_0000_0000_0002, 8),
            (0xffff_ffff_0000_0002, 8),
            (0x0000_0001_0000_0002, 8),
        ] {
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let run = instance.get_typed_func::<i64, i32>(&store, "run").unwrap();
            let got = run.call(&mut store, x as i64);
            assert_eq!(got.ok(), Some(expected), "x = {x:#x}");
        }
    }
}
