//! The instruction handlers: one per instruction of the table in `isa.rs` (six variants
//! each with forwarding, see `table`), each a function the dispatch calls or jumps to.
//!
//! - `operands`: how a handler reads its operands and writes its result (slots,
//!   accumulators, forwarding, memory addresses);
//! - `handler`: the macro that writes a handler around its effect, and `HandlerOf`, which
//!   gives every instruction its handlers;
//! - `operators`: the handlers of the operator groups (arithmetic, conversions, loads,
//!   stores, compare-and-branch), generated from the table and the semantics it names in
//!   `wisp_core::wasm`;
//! - `effects`: the `other` instructions whose effect fits one expression (moves,
//!   constants, globals, tables, bulk memory, fuel);
//! - `control`: the handlers written out: calls, returns, tail calls, exceptions, and
//!   what can move memory;
//! - `tier_up`: the handlers that count heat and enter native code;
//! - `table`: the handler table, by tag, and its reverse for the disassembler.
//!
//! Every handler may assume (the invariants `SAFETY` comments refer to as "the bytecode
//! contract"): its operand slots are below the frame size, which `push_frame` made room
//! for; branch targets are instructions of the same function; and global, table, memory,
//! function and segment indices are valid for the current instance (the module was
//! validated and translated for it). Memory accesses are checked against `mem_len`.

// Every handler takes the whole register set (`exec::Handler`) as arguments: that is the
// point of the signature, so the count is not a smell here. The negated float comparisons
// (`BrF64NotLt` etc.) are deliberate: they branch on NaN, as `!(a < b)` does.
#![allow(clippy::too_many_arguments, clippy::neg_cmp_op_on_partial_ord)]

#[macro_use]
mod operands;
#[macro_use]
mod handler;
mod control;
mod effects;
mod operators;
mod table;
#[cfg(feature = "tier-up")]
mod tier_up;

pub(crate) use table::decode_handler;
pub use table::handler_for;

use control::trapped_here;
// For `tier_up`.
#[cfg(feature = "tier-up")]
use {
    control::{leave, replace_frame},
    operands::payload_of,
};
