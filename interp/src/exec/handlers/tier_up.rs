//! The tier-up handlers (feature `tier-up`): profiling counters at function entry (`Hot`)
//! and loop headers (`HotLoop`) that hand hot code to the native tier, on-stack replacement
//! at a hot loop header, and the stub body that runs installed native code
//! (`EnterNative`). `code::module_code` emits `Hot` and `HotLoop` only for `Tier::Tiered`
//! engines with a native tier.

// `ptr`, `payload_of`, `payload` and `words_for` are what the handler macros
// (`operands!`, `words!`) expand to.

use wisp_core::vm::{status, ArrayCallFn, OsrFrame};
use wisp_core::{StoreInner, Trap, TrapCode};

use super::super::{dispatch, trap, Accs, Done, Exec, Ip, Raised, Sp};
use super::{leave, payload_of, replace_frame};
use crate::bytecode::{payload, words_for};
use crate::code::Heat;

/// How often, past its threshold, a hot loop asks whether native code is ready to continue
/// in: often enough that a frame moves soon after its code is compiled, rarely enough
/// that asking costs nothing measurable. A power of two, so the test is a mask.
const OSR_POLL: u32 = 1 << 10;

pub(super) unsafe fn hot(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, Hot { def });
    // SAFETY: `code` is the current instance's module code.
    if let Some(heat) = unsafe { (*ex.code).heat(def) } {
        if Heat::bump(&heat.calls) == ex.call_threshold {
            unsafe { hot_function(ex, def) };
        }
    }
    // The first instruction of a function: nothing is forwarded to it or from it.
    unsafe { dispatch(ip.add(words!(Hot)), sp, mem_base, mem_len, ex, Accs::ZERO) }
}

/// Tells the JIT that defined function `def` of the current module is hot.
#[cold]
#[inline(never)]
unsafe fn hot_function(ex: &mut Exec, def: u32) {
    if let Some(native) = ex.native {
        // SAFETY: the current instance is live.
        native.hot_function(unsafe { (*ex.instance).module.inner() }, def);
    }
}

pub(super) unsafe fn hot_loop(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    operands!(ip, HotLoop { def, offset });
    // SAFETY: `code` is the current instance's module code.
    if let Some(heat) = unsafe { (*ex.code).heat(def) } {
        let n = Heat::bump(&heat.loops);
        let threshold = ex.loop_threshold;
        if n >= threshold && (n - threshold) & (OSR_POLL - 1) == 0 {
            return unsafe { hot_loop_slow(ip, sp, ex, def, offset) };
        }
    }
    // A loop header is a branch target: nothing is forwarded to it.
    unsafe {
        dispatch(
            ip.add(words!(HotLoop)),
            sp,
            mem_base,
            mem_len,
            ex,
            Accs::ZERO,
        )
    }
}

/// A hot loop header: asks the JIT for native code to continue the frame in (on-stack
/// replacement), and if there is some, runs the rest of the function there.
#[cold]
#[inline(never)]
unsafe fn hot_loop_slow(ip: Ip, sp: Sp, ex: &mut Exec, def: u32, offset: u32) -> Done {
    let entry = ex.native.and_then(|native| {
        // SAFETY: the current instance is live.
        native.hot_loop(unsafe { (*ex.instance).module.inner() }, def, offset)
    });
    match entry {
        Some(entry) => {
            let mut frame = OsrFrame {
                slots: sp,
                loop_offset: offset,
            };
            let array = (&raw mut frame).cast::<u64>();
            // SAFETY: the translator kept every local and operand of the frame in its slot
            // at this header (`Options::profile`), which is what the entry reads through
            // `frame`; its results go to the frame's first slots.
            match unsafe { ex.run_native(entry, array) } {
                Ok(Ran::Returned) => unsafe { leave(ex) },
                Ok(Ran::TailCall) => unsafe { pending_tail_call(ex) },
                // Native code handled what the frame's own handlers would have.
                Err(trap) => unsafe { ex.raise_or_trap(trap, Raised::FrameDone) },
            }
        }
        None => {
            let (mem_base, mem_len) = ex.mem_regs();
            unsafe {
                dispatch(
                    ip.add(words!(HotLoop)),
                    sp,
                    mem_base,
                    mem_len,
                    ex,
                    Accs::ZERO,
                )
            }
        }
    }
}

pub(super) unsafe fn enter_native(
    _: Ip,
    sp: Sp,
    _: *mut u8,
    _: usize,
    ex: &mut Exec,
    _: u64,
    _: f32,
    _: f64,
) -> Done {
    // SAFETY: `EnterNative` is only the body of a stub `install_native` made, which has
    // an entry, and runs in that stub's frame.
    let entry = ex
        .stack
        .frames
        .last()
        .and_then(|frame| unsafe { (*frame.func).native });
    let Some(entry) = entry else {
        return trap(ex, TrapCode::Unreachable);
    };
    match unsafe { ex.run_native(entry, sp) } {
        Ok(Ran::Returned) => unsafe { leave(ex) },
        Ok(Ran::TailCall) => unsafe { pending_tail_call(ex) },
        Err(trap) => unsafe { ex.raise_or_trap(trap, Raised::FrameDone) },
    }
}

/// How native code that ran in a frame's place ended, when it did not fail.
pub(super) enum Ran {
    /// It returned: its results are in the frame's first slots.
    Returned,
    /// It tail-called a function that has no native code, and left the call in the store
    /// (`status::TAIL_CALL`): the frame makes it.
    TailCall,
}

/// Makes the tail call native code left (`Ran::TailCall`) in the current frame's place,
/// as the frame's own `return_call` would: so a chain of tail calls between the tiers
/// takes no native stack.
#[cold]
#[inline(never)]
unsafe fn pending_tail_call(ex: &mut Exec) -> Done {
    // SAFETY: the store is live; no reference into it is held.
    let store = unsafe { &mut *ex.store };
    let Some((func, _)) = store.pending_tail.take() else {
        return trap(ex, TrapCode::Unreachable);
    };
    let args = core::mem::take(&mut store.tail_args);
    let base = ex.frame_base();
    let end = base + args.len();
    if ex.stack.slots.len() < end {
        ex.stack.slots.resize(end, 0);
    }
    ex.stack.slots[base..end].copy_from_slice(&args);
    store.tail_args = args;
    unsafe { replace_frame(ex, func) }
}

impl Exec<'_> {
    /// Runs native code `entry` on the current frame, whose slots start at `sp`, passing it
    /// `array`: the frame's slots (the arguments) for a function's entry, or an `OsrFrame`
    /// naming them for a loop entry; the results arrive in the frame's first slots, and
    /// the frame is left to the caller to pop. The native calls may nest as deep as the
    /// frames left (`StoreInner::depth_left`), so the two tiers share one call-depth
    /// bound.
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn run_native(
        &mut self,
        entry: ArrayCallFn,
        array: *mut u64,
    ) -> Result<Ran, Trap> {
        let store = self.store;
        // The current frame is the one native code replaces: it does not count twice.
        let left = self.max_depth + 1 - self.stack.frames.len();
        // SAFETY: `store` is live; the instance's `VmCtx` was set up by instantiation and
        // `entry` is an array entry of the current module's function (the installers'
        // contract), whose slot array is this frame.
        let code = unsafe {
            let saved = (*store).depth_left;
            (*store).depth_left = u32::try_from(left).unwrap_or(u32::MAX);
            let vmctx = self.vmctx.cast_mut();
            // Native code finds the store through its instance (`VmCtx::store`), which
            // every entry from Rust sets: a `Store<T>` may have moved since the last.
            (*vmctx).store = store;
            let code = match self.native {
                Some(native) => native.call_native(store, entry, vmctx, array),
                None => entry(vmctx, vmctx, array),
            };
            (*store).depth_left = saved;
            code
        };
        match code {
            status::OK => return Ok(Ran::Returned),
            status::TAIL_CALL => return Ok(Ran::TailCall),
            _ => {}
        }
        let trap = match self.native {
            Some(native) => native.native_trap(store, code),
            // SAFETY: `store` is live.
            None => native_trap(unsafe { &mut *store }, code),
        };
        // Native code ran this frame and put it on the backtrace as it left.
        Err(self.with_backtrace_below(trap, 1))
    }
}

/// The trap a failed native `status` stands for, without a JIT's help: a trap code, or the
/// trap left in the store.
pub fn native_trap(store: &mut StoreInner, code: u32) -> Trap {
    let pending = match code {
        status::TRAP_PENDING => store.pending_trap.take(),
        status::EXCEPTION => store
            .pending_exception
            .take()
            .map(|exn| Trap::throw(store.exception_handle(exn))),
        _ => None,
    };
    let mut trap = pending.unwrap_or_else(|| {
        TrapCode::from_status(code).map_or_else(|| Trap::msg("native code failed"), Trap::from)
    });
    store.attach_native_frames(&mut trap);
    trap
}
