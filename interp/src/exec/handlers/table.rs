//! The handler table: every instruction's handlers, by tag, gathered from the
//! instruction table (`isa.rs`) through `HandlerOf`, so that an instruction without
//! handlers is a compile error; and its reverse, for the disassembler.

use super::super::Handler;
use super::handler::{HandlerOf, Variants, FORWARDING, LEFT_OUT};
use crate::bytecode::{payload, Forward, Tag, NUM_TAGS};

/// An instruction's handlers, or none if the build leaves it out (`Tag::built`: the
/// guard is a constant, so a left-out handler is not referenced and never linked).
const fn variants_of<P: HandlerOf>(tag: Tag) -> Variants {
    if tag.built() {
        P::VARIANTS
    } else {
        LEFT_OUT
    }
}

macro_rules! handler_table {
    (
        simd { $( $(#[$smeta:meta])* $simd:ident { $($sf:tt)* } = $sshape:ident [$($smem:ident)?] $($ssem:ident)?; )* }
        $($group:ident { $( $(#[$meta:meta])* $name:ident $({ $($fields:tt)* })? ($($sig:tt)*) [$($flags:tt)*] $(= $($sem:ident)+)?; )* })*
    ) => {
        /// Every instruction's handlers, by tag.
        static HANDLERS: [Variants; NUM_TAGS] = [
            $($( variants_of::<payload::$name>(Tag::$name), )*)*
            $( variants_of::<payload::$simd>(Tag::$simd), )*
        ];
    };
}

crate::for_each_instr!(handler_table);

/// The handler that executes an instruction `tag`, taking the `forward`ed operand from an accumulator,
/// and writing its result to its slot unless `store` is false (only for results the next
/// instruction takes from the accumulator that nothing reads after; see `bytecode::encode`). Only
/// table instructions and `BrTable` have forwardable operands, and only table instructions
/// can skip their store.
#[inline]
pub fn handler_for(tag: Tag, forward: Forward, store: bool) -> Handler {
    let variants = &HANDLERS[tag as usize];
    let index = if FORWARDING {
        forward as usize + if store { 0 } else { 3 }
    } else {
        0
    };
    // The instructions with one handler always store, and have only the first variant. An
    // instruction this build leaves out is never emitted: the engine refuses modules that
    // would need it (`Interpreter::left_out`); should one be, it traps.
    match variants.get(index) {
        Some(&Some(h)) => h,
        _ => variants[0].unwrap_or(super::control::unreachable),
    }
}

/// Which instruction and variant `handler` is (see `handler_for`), if it is one of this
/// build's: what the disassembler reads from each handler word.
pub(crate) fn decode_handler(handler: Handler) -> Option<(Tag, Forward, bool)> {
    const FORWARDS: [Forward; 3] = [Forward::None, Forward::First, Forward::Second];
    for (t, variants) in HANDLERS.iter().enumerate() {
        for (i, h) in variants.iter().enumerate() {
            if h.is_some_and(|h| h as usize == handler as usize) {
                let tag = Tag::from_u16(t as u16)?;
                let (forward, store) = if FORWARDING {
                    (FORWARDS[i % 3], i < 3)
                } else {
                    (Forward::None, true)
                };
                return Some((tag, forward, store));
            }
        }
    }
    None
}
