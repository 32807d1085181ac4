//! Encoding: translated instructions into the words the executor runs, choosing for each
//! instruction which operand arrives in an accumulator and whether its result is stored.

use super::instr::{Info, Instr, Kind};
use super::Slot;

/// One word of encoded code. An instruction is its handler's word followed by its
/// operands packed into as few words as they need ([`words_for`]): none for `Return0`,
/// one for most, two for the widest. Dispatch is one indirect call (or jump) through the
/// handler word, and the handler reads its operands at fixed offsets from it: no decoding.
#[derive(Copy, Clone)]
#[repr(C, align(8))]
pub union Word {
    /// An instruction's first word: its handler.
    pub handler: crate::exec::Handler,
    /// A word of operands.
    pub bits: [u8; 8],
}

impl core::fmt::Debug for Word {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Word")
    }
}

/// The words an instruction whose operands take `payload` bytes occupies.
pub const fn words_for(payload: usize) -> usize {
    1 + payload.div_ceil(8)
}

/// Which operand of an instruction arrives in an accumulator register, the result of the
/// instruction before it (see `encode`): every value-producing handler passes its result
/// along, so a consumer right after it need not reload the slot just written.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
#[repr(u8)]
pub enum Forward {
    /// Every operand from its slot.
    None = 0,
    /// The first forwardable operand from the accumulator.
    First = 1,
    /// The second.
    Second = 2,
}

/// What `encode` decides from about each instruction.
struct Facts {
    /// The result slot (`NO_RESULT` if none), and the kind of value it receives.
    result: u32,
    result_kind: Kind,
    /// The forwardable operands' slots (`NO_OPERAND` where there is none). The two
    /// sentinels differ, so an operand never matches an absent result.
    first: u32,
    second: u32,
    operand_kind: Kind,
}

const NO_RESULT: u32 = u32::MAX;
const NO_OPERAND: u32 = u32::MAX - 1;

impl Facts {
    /// What `encode` needs of `instr`, gathered without branching on the instruction.
    #[inline(always)]
    fn of(instr: &Instr) -> Facts {
        let info = instr.info();
        /// `slot`, or `none` when `offset` says there is no such field.
        fn or_none(slot: Slot, offset: u8, none: u32) -> u32 {
            core::hint::select_unpredictable(offset == Info::NONE, none, u32::from(slot))
        }
        Facts {
            result: or_none(instr.field_or_zero(info.result), info.result, NO_RESULT),
            result_kind: info.result_kind,
            first: or_none(instr.field_or_zero(info.first), info.first, NO_OPERAND),
            second: or_none(instr.field_or_zero(info.second), info.second, NO_OPERAND),
            operand_kind: info.operand_kind,
        }
    }

    /// Facts for past the end: nothing to forward to.
    const END: Facts = Facts {
        result: NO_RESULT,
        result_kind: Kind::Int,
        first: NO_OPERAND,
        second: NO_OPERAND,
        operand_kind: Kind::Int,
    };
}

/// Loads of floats and of integers of the same width load the same bits; they differ only
/// in the accumulator the value goes to. When the next instruction reads a loaded value
/// as the other kind (`f32.load` then `i32.reinterpret_f32` and integer work, say), the
/// load is swapped for its twin, so that the value is forwarded instead of reread from
/// the slot it was just written to.
fn retype_loads(code: &mut [Instr], facts: &mut [Facts]) {
    for i in 0..code.len().saturating_sub(1) {
        let (this, next) = (&facts[i], &facts[i + 1]);
        // (Non-short-circuiting: one rarely taken branch, not three data-dependent ones.)
        let reads_it = (next.first == this.result) | (next.second == this.result);
        if !(reads_it & (next.operand_kind != this.result_kind)) {
            continue;
        }
        // The twin is the load of the same width of the other kind: the one the next
        // instruction reads (the types agree, so no other kind can read it).
        if let Some(twin) = code[i].load_twin() {
            code[i] = twin;
        }
        facts[i].result_kind = code[i].result_kind();
    }
}

/// Encodes translated code into words, choosing for each instruction whether an operand
/// comes from the previous instruction's result register. It may when the previous
/// instruction produced that slot, as a value of the operand's kind (so that it sits in
/// the accumulator the operand is read from: a `Copy` or a reinterpretation leaves its
/// value in the integer one), and falls through into this one with nothing else jumping in
/// between: so no branch target, and the first instruction never. Branch offsets, counted
/// in instructions by the translator, become offsets in words.
///
/// `dying` (empty, or one entry per instruction) marks results that are temps no
/// instruction reads after the next one (`translate::Translation::dying`).
pub fn encode(code: alloc::vec::Vec<Instr>, dying: &[bool]) -> alloc::boxed::Box<[Word]> {
    encode_with_targets(code, dying, &[]).0
}

/// `encode`, with `targets` (instruction indices) also counted as branch targets (a
/// handler's pad, which unwinding jumps to); returns beside the words each instruction's
/// word offset (and the end's), for whoever kept instruction indices.
pub fn encode_with_targets(
    code: alloc::vec::Vec<Instr>,
    dying: &[bool],
    targets: &[usize],
) -> (alloc::boxed::Box<[Word]>, alloc::vec::Vec<usize>) {
    // (And whether its result is stored, or only passed on: see `store` below.)
    //
    // One pass gathers what the decisions need about each instruction (from its `Info`),
    // where it starts in words, and which instructions are branch targets.
    //
    // The decisions are made with selects and bitwise logic rather than branches: they
    // depend on each instruction and its neighbours, so a branch predictor mostly misses
    // them, and encoding was the costliest part of eager translation.
    let mut code = code;
    let n = code.len();
    let mut at = alloc::vec::Vec::with_capacity(n + 1);
    let mut facts = alloc::vec::Vec::with_capacity(n + 1);
    // One spare entry past the end, which non-branches mark.
    let mut target = alloc::vec![false; n + 2];
    target[0] = true;
    for &t in targets {
        target[t] = true;
    }
    let mut words = 0;
    for (i, instr) in code.iter().enumerate() {
        let info = instr.info();
        at.push(words);
        words += usize::from(info.words);
        let offset = i64::from(instr.field_or_zero::<i32>(info.branch));
        let to = (i as i64).wrapping_add(offset) as usize;
        let to = core::hint::select_unpredictable(info.branch != Info::NONE, to, n + 1);
        if let Some(t) = target.get_mut(to) {
            *t = true;
        }
        facts.push(Facts::of(instr));
    }
    facts.push(Facts::END);
    retype_loads(&mut code, &mut facts);
    at.push(words);
    // Which operand each instruction takes from an accumulator: the first or else the
    // second that is the previous instruction's result, when the kinds agree and nothing
    // jumps in between.
    const FORWARD: [Forward; 4] = [
        Forward::None,
        Forward::First,
        Forward::Second,
        Forward::None,
    ];
    let mut forwards = alloc::vec::Vec::with_capacity(n + 1);
    forwards.push(Forward::None);
    for i in 1..n {
        let (prev, f) = (&facts[i - 1], &facts[i]);
        let ok = !target[i] & (prev.result_kind == f.operand_kind);
        let first = ok & (f.first == prev.result);
        let second = ok & !first & (f.second == prev.result);
        forwards.push(FORWARD[usize::from(first) | usize::from(second) << 1]);
    }
    forwards.push(Forward::None);
    let mut out = alloc::vec::Vec::with_capacity(words);
    for (i, mut instr) in code.into_iter().enumerate() {
        // A result the next instruction takes from the accumulator (reading no other
        // operand from that slot) need not be stored when nothing reads the slot after:
        // the next instruction overwrites it, or it is a dying temp. Skip the store.
        let (this, next, forward) = (&facts[i], &facts[i + 1], forwards[i + 1]);
        let other =
            core::hint::select_unpredictable(forward == Forward::First, next.second, next.first);
        let dies = (next.result == this.result) | dying.get(i).copied().unwrap_or(false);
        let store = !((forward != Forward::None) & dies & (other != this.result));
        let handler = crate::exec::handler_for(instr.tag(), forwards[i], store);
        if let Some(offset) = instr.branch_offset_mut() {
            let to = (i as i64 + i64::from(*offset)) as usize;
            *offset = (at[to] as i64 - at[i] as i64) as i32;
        }
        instr.write_to(handler, &mut out);
    }
    debug_assert_eq!(out.len(), words);
    (out.into_boxed_slice(), at)
}
