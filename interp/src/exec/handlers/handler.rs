//! How a handler is written around its effect, and how each instruction names its
//! handlers for the table.

#[cfg(wisp_tail_dispatch)]
use super::super::dispatch;
use super::super::{Accs, Done, Exec, Handler, Ip, Sp};

/// Whether handlers take forwarded operands from the accumulators. That pays with tail
/// dispatch, where the accumulators live in registers from one handler to the next; with
/// loop dispatch they pass through `Exec` in memory like the slots themselves, so a
/// release build there keeps only the variant reading every operand from its slot, a third
/// of the handlers' code (which firmware's flash feels). Debug builds keep all variants,
/// so that the tests exercise forwarding and its checks on every dispatch.
pub(super) const FORWARDING: bool = cfg!(any(wisp_tail_dispatch, debug_assertions));

/// Passes control to the next instruction from a handler that left the frame and the
/// memory registers as they were: every handler `handler!` writes, whose effect cannot
/// reassign `sp`, `mem_base` or `mem_len` (they are immutable parameters). With tail
/// dispatch that is `dispatch`. With loop dispatch it stores only what changed, `ip` (and
/// the accumulators when forwarding reads them), instead of all of `Regs`: nine stores
/// fewer in each of some 300 handlers, which a board's flash and the loop's speed feel.
///
/// # Safety
/// As for `dispatch`; and `sp`, `mem_base` and `mem_len` are the values this handler was
/// called with.
#[inline(always)]
pub(super) unsafe fn step(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    accs: Accs,
) -> Done {
    #[cfg(wisp_tail_dispatch)]
    {
        // SAFETY: the caller's contract.
        unsafe { dispatch(ip, sp, mem_base, mem_len, ex, accs) }
    }
    #[cfg(not(wisp_tail_dispatch))]
    {
        // The loop called this handler with `ex.regs`, which still holds them.
        debug_assert!(
            ex.regs.sp == sp && ex.regs.mem_base == mem_base && ex.regs.mem_len == mem_len
        );
        ex.regs.ip = ip;
        if FORWARDING {
            ex.regs.accs = accs;
        }
        Done::Continue
    }
}

/// Handlers per instruction: six with forwarding (`W` = 0, 1, 2, 4, 5, 6), else one.
pub(super) const VARIANTS: usize = if FORWARDING { 6 } else { 1 };

/// An instruction's handlers, by variant (see `handler_for`). Inline in the table, not a
/// slice each: on a 32-bit board the slices' pointers and lengths cost twice the table.
pub(super) type Variants = [Option<Handler>; VARIANTS];

/// What the table holds for an instruction this build leaves out (`Tag::built`): nothing,
/// so that its handler is never linked; it is never emitted either.
pub(super) const LEFT_OUT: Variants = [None; VARIANTS];

/// The handlers of one instruction, implemented on its operand struct (`payload::Name`)
/// by the macros below: the handler table asks every instruction of `isa.rs` for its
/// own, so an instruction without handlers does not compile.
pub(super) trait HandlerOf {
    const VARIANTS: Variants;
}

/// The variants of a handler generic over `W` (see `handler!`).
macro_rules! all_variants {
    ($f:ident) => {{
        #[cfg(any(wisp_tail_dispatch, debug_assertions))]
        let variants = [
            Some($f::<0> as $crate::exec::Handler),
            Some($f::<1>),
            Some($f::<2>),
            Some($f::<4>),
            Some($f::<5>),
            Some($f::<6>),
        ];
        #[cfg(not(any(wisp_tail_dispatch, debug_assertions)))]
        let variants = [Some($f::<0> as $crate::exec::Handler)];
        variants
    }};
}

/// Writes the handler of instruction `$name` around its effect `$body` (an expression of
/// the operands bound by name, `sp`, `fw` and the other registers), and gives the
/// instruction its handlers. Kinds of effect:
/// - `plain`: a `()` or value expression; continue with the next instruction;
/// - `fallible`: a `Result<_, TrapCode>`; continue, or trap;
/// - `trapping`: a `Result<_, Trap>`, for traps that carry more than a code (a store
///   limiter's); continue, or trap;
/// - `branch`: an `Option<i32>`, the branch offset when taken; jump, or continue.
///
/// A value result is passed on to the next instruction in the accumulator of its kind.
macro_rules! handler {
    ([$ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $fw:ident]
        $kind:ident $name:ident { $($field:ident),* } => $body:expr) => {
        /// `W`: which operand arrives in an accumulator (`W & 3`: 0 none, 1 the first,
        /// 2 the second), and whether the result's store is skipped (`W & 4`).
        #[allow(non_snake_case, unused_variables, clippy::unnecessary_cast)]
        unsafe fn $name<const W: u8>($ip: Ip, $sp: Sp, $mem_base: *mut u8, $mem_len: usize, $ex: &mut Exec, acc: u64, f32acc: f32, f64acc: f64) -> Done {
            let accs = Accs { int: acc, f32: f32acc, f64: f64acc };
            // SAFETY: `handler_for` gives this handler only to this variant, whose
            // operands follow it.
            operands!($ip, $name { $($field),* });
            #[cfg(debug_assertions)]
            let instr = crate::bytecode::Instr::$name { $($field),* };
            let $fw = Fwd {
                which: W & 3,
                stores: W & 4 == 0,
                accs,
                #[cfg(debug_assertions)]
                kind: instr.operand_kind(),
            };
            const NEXT: usize = words_for(core::mem::size_of::<payload::$name>());
            handler!(@$kind $ip, $sp, $mem_base, $mem_len, $ex, accs, NEXT, instr, $body)
        }

        impl HandlerOf for payload::$name {
            const VARIANTS: Variants = all_variants!($name);
        }
    };
    (@plain $ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        #[allow(unused_unsafe)]
        let effect = unsafe { $body };
        #[cfg(debug_assertions)]
        let effect = checked(effect, &$instr);
        let accs = Effect::update(effect, $acc);
        // SAFETY: a function's code ends with a return, so the next instruction exists.
        unsafe { step($ip.add($next), $sp, $mem_base, $mem_len, $ex, accs) }
    }};
    (@fallible $ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {
        handler!(@result |e| match super::handler::grown_elsewhere($ex, e, $mem_base, $mem_len) {
            // The access failed before any effect: run it again with the new length.
            // SAFETY: as for `step`, at this same instruction.
            Some(len) => unsafe { super::super::dispatch($ip, $sp, $mem_base, len, $ex, $acc) },
            None => trap($ex, e),
        }, $ip, $sp, $mem_base, $mem_len, $ex, $acc, $next, $instr, $body)
    };
    (@trapping $ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {
        handler!(@result |e| trapped_here($ex, e), $ip, $sp, $mem_base, $mem_len, $ex, $acc, $next, $instr, $body)
    };
    // A `Result` effect: continue with its value, or give the error `e` to `$on_err`.
    (@result |$e:ident| $on_err:expr, $ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        #[allow(unused_unsafe)]
        match unsafe { $body } {
            Ok(v) => {
                #[cfg(debug_assertions)]
                let v = checked(v, &$instr);
                let accs = Effect::update(v, $acc);
                unsafe { step($ip.add($next), $sp, $mem_base, $mem_len, $ex, accs) }
            }
            Err($e) => $on_err,
        }
    }};
    (@branch $ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $acc:ident, $next:ident, $instr:ident, $body:expr) => {{
        // A branch produces nothing: the accumulators pass through untouched.
        #[allow(unused_unsafe)]
        match unsafe { $body } {
            // SAFETY: the bytecode contract: branch targets are inside the function
            // (offsets in words, from this instruction's handler word).
            Some(offset) => unsafe { step($ip.offset(offset as isize), $sp, $mem_base, $mem_len, $ex, $acc) },
            None => unsafe { step($ip.add($next), $sp, $mem_base, $mem_len, $ex, $acc) },
        }
    }};
}

/// Gives the instructions whose handlers are written out (one variant each, no
/// forwarding) their handlers: `Name => handler`, with `[feature = "f"]` before those a
/// build may leave out (which then have none; see `LEFT_OUT`).
macro_rules! written_out {
    ($( $([feature = $f:tt])* $name:ident => $handler:expr, )*) => {$(
        #[cfg(all($(feature = $f),*))]
        impl HandlerOf for payload::$name {
            const VARIANTS: Variants = {
                let mut one = LEFT_OUT;
                one[0] = Some($handler as Handler);
                one
            };
        }
        #[cfg(not(all($(feature = $f),*)))]
        impl HandlerOf for payload::$name {
            const VARIANTS: Variants = LEFT_OUT;
        }
    )*};
}

/// The current memory's length, if it is a shared memory another thread grew since this
/// frame read `mem_len` and `code` is an out-of-bounds trap: the access is then tried again
/// with the new length (`wisp_core::memory::shared`'s invariants). A handler fails before
/// any effect, so trying again is exact; a memory64 window (`mem_base` not the memory's)
/// is left alone, and a second failure at the same length traps.
#[cfg(all(feature = "std", feature = "threads"))]
#[cold]
#[inline(never)]
pub(super) fn grown_elsewhere(
    ex: &Exec,
    code: wisp_core::TrapCode,
    mem_base: *mut u8,
    mem_len: usize,
) -> Option<usize> {
    let m = ex.memory;
    if code != wisp_core::TrapCode::MemoryOutOfBounds || m.is_null() {
        return None;
    }
    // SAFETY: a non-null `memory` points to a store-owned entity, whose `ty` and (shared)
    // `base` never change.
    unsafe {
        if !(*m).ty.shared || (*m).base != mem_base {
            return None;
        }
        let len = wisp_core::ops::shared_memory_len(m);
        (len > mem_len).then_some(len)
    }
}

/// Without `std` and `threads` there are no shared memories
/// (`wisp_core::memory::SHARED_MEMORIES`): an out-of-bounds access is one, and the
/// handlers keep no code to look again.
#[cfg(not(all(feature = "std", feature = "threads")))]
#[inline(always)]
pub(super) fn grown_elsewhere(
    _: &Exec,
    _: wisp_core::TrapCode,
    _: *mut u8,
    _: usize,
) -> Option<usize> {
    None
}
