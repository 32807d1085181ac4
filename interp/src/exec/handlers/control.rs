//! The handlers written out: control that is more than a jump (`unreachable`,
//! `br_table`), calls and tail calls, returns, exceptions, and what can move memory
//! (`memory.grow`, switching memories). One variant each: they take no forwarded operand
//! (but `br_table`'s index) and have no result to skip storing.

use core::ptr;

use wisp_core::TrapCode;

use super::super::{dispatch, trap, trapped, Accs, Callee, Done, Exec, Handler, Ip, Raised, Sp};
use super::handler::{HandlerOf, Variants, FORWARDING, LEFT_OUT};
use super::operands::*;
use crate::bytecode::{payload, words_for, Forward, Slot};

pub(super) unsafe fn unreachable(
    _: Ip,
    _: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    trap(ex, TrapCode::Unreachable)
}

/// Takes the `index`-th of the `Br`s that follow: straight to its target, one dispatch.
unsafe fn br_table<const FORWARDED: bool>(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, BrTable { index, len });
    // The index is usually computed just before (a loaded opcode): taking it from the
    // accumulator shortens the wait until the jump, which is often mispredicted, resolves.
    let index = if FORWARDED {
        acc as u32
    } else {
        unsafe { get::<u32>(sp, index) }
    };
    let i = index.min(len - 1);
    // SAFETY: the translator emits `len` `Br`s right after the table, and keeps them
    // `Br`s (`translate::jumps`).
    let entry = unsafe { ip.add(words!(BrTable) + i as usize * words!(Br)) };
    let payload::Br { offset } = unsafe { read_payload(entry) };
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    // SAFETY: the bytecode contract: branch targets are inside the function.
    unsafe {
        dispatch(
            entry.offset(offset as isize),
            sp,
            mem_base,
            mem_len,
            ex,
            accs,
        )
    }
}

/// After a call pushed a frame (`entry` is the callee's first instruction) or ran a host
/// function (`None`): re-derive the registers and go on.
#[inline(always)]
unsafe fn after_call(entry: Option<Ip>, resume: Ip, ex: &mut Exec) -> Done {
    let ip = entry.unwrap_or(resume);
    let base = ex.frame_base();
    let sp = ex.sp_at(base);
    let (mem_base, mem_len) = ex.mem_regs();
    // SAFETY: `ip` is the callee's first instruction or the caller's next one.
    unsafe { dispatch(ip, sp, mem_base, mem_len, ex, Accs::ZERO) }
}

unsafe fn call_internal(
    ip: Ip,
    _: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, CallInternal { def, base });
    // SAFETY: the next instruction exists (a function's code ends with a return).
    let at = ex.save_ip(unsafe { ip.add(words!(CallInternal)) }) + usize::from(base);
    // SAFETY: `module` is the current instance's; `def` is one of its defined functions.
    let index = def + unsafe { (*ex.module).num_imported_funcs };
    match unsafe { ex.push_frame_fast(index, at) } {
        Some(entry) => {
            let sp = ex.sp_at(at);
            // Same instance, and nothing ran yet that could move memory: the caller's
            // memory registers hold.
            unsafe { dispatch(entry, sp, mem_base, mem_len, ex, Accs::ZERO) }
        }
        // A tail call, so that this handler's fast path saves no registers.
        None => unsafe { call_internal_slow(ex, index, at) },
    }
}

/// `call_internal` when the fast path's conditions don't hold (see `Exec::push_frame`).
#[cold]
#[inline(never)]
unsafe fn call_internal_slow(ex: &mut Exec, index: u32, at: usize) -> Done {
    match unsafe { ex.push_frame(index, at) } {
        Ok(entry) => {
            let sp = ex.sp_at(at);
            let (mem_base, mem_len) = ex.mem_regs();
            unsafe { dispatch(entry, sp, mem_base, mem_len, ex, Accs::ZERO) }
        }
        Err(code) => trap(ex, code),
    }
}

unsafe fn call(
    ip: Ip,
    _: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Call { func, base });
    let resume = unsafe { ip.add(words!(Call)) };
    let at = ex.save_ip(resume) + usize::from(base);
    // SAFETY: the bytecode contract: `func` is a function index of the instance.
    let target = unsafe { (*ex.vmctx).func(func).store_func };
    unsafe { call_store_func(ex, target, at, resume, mem_base, mem_len) }
}

/// The store function that `call_indirect` and `return_call_indirect` call: table
/// `table`'s element at the index in slot `index`, checked against type `ty`.
///
/// # Safety
/// The bytecode contract: `table` and `ty` are valid for the current instance, and slot
/// `index` is inside the frame.
#[inline(always)]
unsafe fn indirect_target(
    ex: &Exec,
    sp: Sp,
    ty: u32,
    table: u32,
    index: Slot,
) -> Result<u32, TrapCode> {
    // SAFETY: the contract.
    let (raw, expected) = unsafe {
        let t = &*(*ex.vmctx).table(table);
        (t.get(get::<u32>(sp, index)), (*ex.vmctx).type_id(ty))
    };
    let target = match raw {
        Ok(0) => return Err(TrapCode::IndirectCallToNull),
        Ok(raw) => (raw - 1) as u32,
        Err(_) => return Err(TrapCode::TableOutOfBounds),
    };
    // SAFETY: table elements are store function indices + 1.
    if unsafe { (&(*ex.store).funcs)[target as usize].type_id } != expected {
        return Err(TrapCode::BadSignature);
    }
    Ok(target)
}

unsafe fn call_indirect(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        CallIndirect {
            ty,
            table,
            index,
            base
        }
    );
    // SAFETY: the bytecode contract: `table`, `ty` and `index` are valid for the frame.
    let target = match unsafe { indirect_target(ex, sp, ty, table, index) } {
        Ok(target) => target,
        Err(code) => return trap(ex, code),
    };
    let resume = unsafe { ip.add(words!(CallIndirect)) };
    let at = ex.save_ip(resume) + usize::from(base);
    unsafe { call_store_func(ex, target, at, resume, mem_base, mem_len) }
}

/// Calls store function `target` with its arguments at absolute slot `at`; the caller
/// resumes at `resume`. The fast path is a wasm function of the current instance entered
/// without growth; anything else (another instance, a host function, a first call) is a
/// tail call to `call_store_func_slow`.
#[inline(always)]
unsafe fn call_store_func(
    ex: &mut Exec,
    target: u32,
    at: usize,
    resume: Ip,
    mem_base: *mut u8,
    mem_len: usize,
) -> Done {
    match unsafe { ex.callee_in_current_instance(target) } {
        Some(index) => match unsafe { ex.push_frame_fast(index, at) } {
            Some(entry) => {
                let sp = ex.sp_at(at);
                unsafe { dispatch(entry, sp, mem_base, mem_len, ex, Accs::ZERO) }
            }
            None => unsafe { call_store_func_slow(ex, target, at, resume) },
        },
        None => unsafe { call_store_func_slow(ex, target, at, resume) },
    }
}

#[cold]
#[inline(never)]
unsafe fn call_store_func_slow(ex: &mut Exec, target: u32, at: usize, resume: Ip) -> Done {
    match unsafe { ex.call_store_func(target, at) } {
        Ok(entry) => unsafe { after_call(entry, resume, ex) },
        // A host function may throw a wasm exception at the call.
        Err(t) => unsafe { ex.raise_or_trap(t, Raised::InCall) },
    }
}

unsafe fn call_ref(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, CallRef { func, base });
    let raw = unsafe { get::<u64>(sp, func) };
    if raw == 0 {
        return trap(ex, TrapCode::NullFunctionReference);
    }
    let resume = unsafe { ip.add(words!(CallRef)) };
    let at = ex.save_ip(resume) + usize::from(base);
    // SAFETY: a non-null function reference is a store function index + 1.
    unsafe { call_store_func(ex, (raw - 1) as u32, at, resume, mem_base, mem_len) }
}

// ----- tail calls ----------------------------------------------------------------------------

/// Calls store function `target` in the running frame's place: its `len` arguments move
/// from slot `base` to the frame's first slots, where its results will be the frame's. A
/// wasm callee's frame replaces this one, so tail calls take no room however long a chain
/// of them runs; a host function is called and the frame returns its results.
#[inline(never)]
unsafe fn tail_call(ex: &mut Exec, sp: Sp, target: u32, base: Slot, len: u16) -> Done {
    // SAFETY: the bytecode contract: the arguments are inside the frame; the move may
    // overlap.
    unsafe { ptr::copy(sp.add(usize::from(base)), sp, usize::from(len)) };
    unsafe { replace_frame(ex, target) }
}

/// Calls store function `target` in the running frame's place, its arguments in the
/// frame's first slots (see `tail_call`). The work is `Exec::replace_frame`'s; this only
/// passes control on, so that it stays a tail call (see `Exec::unwind`).
pub(super) unsafe fn replace_frame(ex: &mut Exec, target: u32) -> Done {
    match unsafe { ex.replace_frame(target) } {
        Replaced::Enter(entry) => {
            let sp = ex.sp_at(ex.frame_base());
            let (mem_base, mem_len) = ex.mem_regs();
            unsafe { dispatch(entry, sp, mem_base, mem_len, ex, Accs::ZERO) }
        }
        Replaced::Returned => unsafe { leave(ex) },
        Replaced::Trapped(code) => trap(ex, code),
        // The frame is the host call's caller; its handlers are behind it now.
        Replaced::Failed(t) => unsafe { ex.raise_or_trap(t, Raised::FrameDone) },
    }
}

/// What became of a frame replaced by a tail call's callee (`Exec::replace_frame`).
pub(super) enum Replaced {
    /// A wasm callee's frame took its place: it starts here.
    Enter(Ip),
    /// A host callee ran: its results are the frame's, to return.
    Returned,
    /// The callee's frame could not be pushed.
    Trapped(TrapCode),
    /// The host callee failed.
    Failed(wisp_core::Trap),
}

impl Exec<'_> {
    #[inline(never)]
    unsafe fn replace_frame(&mut self, target: u32) -> Replaced {
        let frame_base = self.frame_base();
        match unsafe { self.callee(target) } {
            Callee::Wasm { instance, index } => {
                // The frame's place is the callee's: the depth stays as it is.
                self.stack.frames.pop();
                // SAFETY: instance indices in function entities are valid for their store.
                unsafe {
                    let inst = (&(*self.store).instances)[instance as usize].as_ptr();
                    if inst != self.instance {
                        self.enter_instance(inst);
                    }
                    match self.push_frame(index, frame_base) {
                        Ok(entry) => Replaced::Enter(entry),
                        Err(code) => Replaced::Trapped(code),
                    }
                }
            }
            Callee::Host => match unsafe { self.call_host(target, frame_base) } {
                Ok(()) => Replaced::Returned,
                Err(t) => Replaced::Failed(t),
            },
        }
    }
}

unsafe fn return_call_internal(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnCallInternal { def, base, len });
    // SAFETY: `def` is one of the current instance's defined functions.
    let target = unsafe {
        let index = def + (*ex.module).num_imported_funcs;
        (*ex.vmctx).func(index).store_func
    };
    unsafe { tail_call(ex, sp, target, base, len) }
}

unsafe fn return_call(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnCall { func, base, len });
    // SAFETY: the bytecode contract: `func` is a function index of the instance.
    let target = unsafe { (*ex.vmctx).func(func).store_func };
    unsafe { tail_call(ex, sp, target, base, len) }
}

unsafe fn return_call_indirect(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        ReturnCallIndirect {
            ty,
            table,
            index,
            base,
            len
        }
    );
    // SAFETY: as for `call_indirect`.
    let target = match unsafe { indirect_target(ex, sp, ty, table, index) } {
        Ok(target) => target,
        Err(code) => return trap(ex, code),
    };
    unsafe { tail_call(ex, sp, target, base, len) }
}

unsafe fn return_call_ref(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnCallRef { func, base, len });
    let raw = unsafe { get::<u64>(sp, func) };
    if raw == 0 {
        return trap(ex, TrapCode::NullFunctionReference);
    }
    unsafe { tail_call(ex, sp, (raw - 1) as u32, base, len) }
}

// ----- exceptions ----------------------------------------------------------------------------

#[cfg(feature = "exceptions")]
unsafe fn throw(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Throw { tag, base, len });
    // SAFETY: the bytecode contract: `tag` is a tag of the instance, its values inside the
    // frame.
    let result = unsafe {
        let store_tag = (*ex.vmctx).tag(tag);
        let values = core::slice::from_raw_parts(sp.add(usize::from(base)), usize::from(len));
        (*ex.store).alloc_exception(store_tag, values.into())
    };
    match result {
        Ok(exn) => unsafe { ex.unwind(exn, Raised::At(ip)) },
        Err(code) => trap(ex, code),
    }
}

#[cfg(feature = "exceptions")]
unsafe fn throw_ref(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ThrowRef { src });
    match unsafe { get::<u64>(sp, src) } {
        0 => trap(ex, TrapCode::NullExceptionReference),
        // SAFETY: a non-null `exnref` is an exception index + 1.
        raw => unsafe { ex.unwind((raw - 1) as u32, Raised::At(ip)) },
    }
}

#[cfg(feature = "exceptions")]
unsafe fn caught(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        Caught {
            dst,
            len,
            exn,
            mode
        }
    );
    // Only `unwind` enters a handler, leaving the exception here.
    let Some(index) = ex.exception.take() else {
        return trap(ex, TrapCode::Unreachable);
    };
    // SAFETY: the store is live; the exception is one of its; the bytecode contract puts
    // `dst..dst + len` (and the `exnref`'s slot) inside the frame.
    unsafe {
        let store = &mut *ex.store;
        let fields = &store.exception(index).fields;
        let n = usize::from(len).min(fields.len());
        ptr::copy_nonoverlapping(fields.as_ptr(), sp.add(usize::from(dst)), n);
        let exnref = u64::from(index) + 1;
        match mode {
            0 => store.exception_caught(index),
            1 => {
                store.expose_exception(index);
                set(sp, dst + len, exnref);
            }
            _ => {
                store.hold_exception(index);
                set(sp, exn, exnref);
            }
        }
    }
    unsafe {
        dispatch(
            ip.add(words!(Caught)),
            sp,
            mem_base,
            mem_len,
            ex,
            Accs::ZERO,
        )
    }
}

#[cfg(feature = "exceptions")]
unsafe fn catch_end(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, CatchEnd { exn });
    // SAFETY: the catch slot holds the catch block's exception (`Caught` put it there).
    unsafe {
        if let Some(index) = get::<u64>(sp, exn).checked_sub(1) {
            (*ex.store).release_exception(index as u32);
        }
    }
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    unsafe { dispatch(ip.add(words!(CatchEnd)), sp, mem_base, mem_len, ex, accs) }
}

/// Leaves the current frame (results already in its first slots). Returning into another
/// instance is a tail call to `leave_to_other_instance`.
#[inline(always)]
pub(super) unsafe fn leave(ex: &mut Exec) -> Done {
    match unsafe { ex.pop_frame() } {
        Some((resume, base, true)) => {
            let sp = ex.sp_at(base);
            let (mem_base, mem_len) = ex.mem_regs();
            // SAFETY: `resume` was saved by the call that pushed the frame.
            unsafe { dispatch(resume, sp, mem_base, mem_len, ex, Accs::ZERO) }
        }
        Some((resume, base, false)) => unsafe { leave_to_other_instance(ex, resume, base) },
        None => Done::Return,
    }
}

#[cold]
#[inline(never)]
unsafe fn leave_to_other_instance(ex: &mut Exec, resume: Ip, base: usize) -> Done {
    unsafe { ex.enter_caller_instance() };
    let sp = ex.sp_at(base);
    let (mem_base, mem_len) = ex.mem_regs();
    // SAFETY: `resume` was saved by the call that pushed the frame.
    unsafe { dispatch(resume, sp, mem_base, mem_len, ex, Accs::ZERO) }
}

unsafe fn return0(
    _: Ip,
    _: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    unsafe { leave(ex) }
}

unsafe fn return1(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Return1 { src });
    unsafe { set(sp, 0, get::<u64>(sp, src)) };
    unsafe { leave(ex) }
}

unsafe fn return_many(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, ReturnMany { src, len });
    // SAFETY: the bytecode contract: `src..src + len` is inside the frame.
    unsafe { ptr::copy(sp.add(usize::from(src)), sp, usize::from(len)) };
    unsafe { leave(ex) }
}

/// A trap raised by the current instruction with more than a code (a store limiter's),
/// with the wasm frames attached.
#[cold]
#[inline(never)]
pub(super) fn trapped_here(ex: &mut Exec, trap: wisp_core::Trap) -> Done {
    let trap = ex.with_backtrace(trap);
    trapped(ex, trap)
}

unsafe fn memory_grow(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(
        ip,
        MemoryGrow {
            dst,
            delta,
            index64
        }
    );
    let wide = index64 != 0;
    let old = if ex.memory.is_null() {
        None
    } else {
        // SAFETY: a non-null current memory is a live entity of the store.
        match unsafe { (*ex.memory).grow(index(sp, delta, wide)) } {
            Ok(old) => old,
            Err(t) => return trapped_here(ex, t),
        }
    };
    // -1 in the memory's index type.
    let failed = if wide { u64::MAX } else { u64::from(u32::MAX) };
    let result = unsafe { set(sp, dst, old.unwrap_or(failed)) };
    // Growing may have moved memory.
    let (mem_base, mem_len) = ex.mem_regs();
    unsafe {
        dispatch(
            ip.add(words!(MemoryGrow)),
            sp,
            mem_base,
            mem_len,
            ex,
            result.into_acc(Accs::ZERO),
        )
    }
}

unsafe fn use_memory(
    ip: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, UseMemory { mem });
    // SAFETY: the bytecode contract: `mem` is a memory index of the instance.
    ex.memory = unsafe { (*ex.vmctx).memory(mem) };
    let (mem_base, mem_len) = ex.mem_regs();
    // Between an instruction and the one it feeds only on memory 0; pass the accumulators
    // on anyway.
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    unsafe { dispatch(ip.add(words!(UseMemory)), sp, mem_base, mem_len, ex, accs) }
}

/// `Mem64Window` (see the instruction): the access after it sees the memory from
/// `addr + offset` on.
unsafe fn mem64_window(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done {
    operands!(ip, Mem64Window { dst, addr, offset });
    let start = match unsafe { get::<u64>(sp, addr) }.checked_add(offset) {
        Some(start) if start <= mem_len as u64 => start as usize,
        _ => return trapped_here(ex, TrapCode::MemoryOutOfBounds.into()),
    };
    unsafe { set(sp, dst, 0u64) };
    let accs = Accs {
        int: acc,
        f32: f32acc,
        f64: f64acc,
    };
    // SAFETY: `start <= mem_len`: the window is the tail of the memory's allocation.
    let (base, len) = (unsafe { mem_base.add(start) }, mem_len - start);
    unsafe { dispatch(ip.add(words!(Mem64Window)), sp, base, len, ex, accs) }
}

written_out! {
    Unreachable => unreachable,
    CallInternal => call_internal,
    Call => call,
    CallIndirect => call_indirect,
    [feature = "function-references"] CallRef => call_ref,
    [feature = "tail-call"] ReturnCallInternal => return_call_internal,
    [feature = "tail-call"] ReturnCall => return_call,
    [feature = "tail-call"] ReturnCallIndirect => return_call_indirect,
    [feature = "tail-call"] [feature = "function-references"] ReturnCallRef => return_call_ref,
    [feature = "exceptions"] Throw => throw,
    [feature = "exceptions"] ThrowRef => throw_ref,
    [feature = "exceptions"] Caught => caught,
    [feature = "exceptions"] CatchEnd => catch_end,
    Return0 => return0,
    Return1 => return1,
    ReturnMany => return_many,
    MemoryGrow => memory_grow,
    UseMemory => use_memory,
    [feature = "memory64"] Mem64Window => mem64_window,
    [feature = "tier-up"] Hot => super::tier_up::hot,
    [feature = "tier-up"] HotLoop => super::tier_up::hot_loop,
    [feature = "tier-up"] EnterNative => super::tier_up::enter_native,
}

/// `br_table` is written out, and the one such instruction with a forwardable operand:
/// its index (no result, so no store to skip).
impl HandlerOf for payload::BrTable {
    const VARIANTS: Variants = {
        let mut variants = LEFT_OUT;
        variants[0] = Some(br_table::<false> as Handler);
        if FORWARDING {
            variants[Forward::First as usize] = Some(br_table::<true>);
        }
        variants
    };
}
