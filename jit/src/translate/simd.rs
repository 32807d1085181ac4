//! SIMD (`v128`) and relaxed SIMD operators, lowered to Cranelift's vector types.
//!
//! A `v128` is an `i8x16` wherever it crosses anything (`super::V128`: locals, block
//! parameters, calls, slots); an operator on another lane shape bitcasts its operands to
//! that shape (little-endian, so lanes are wasm's) and its result back. Cranelift folds
//! the bitcasts into nothing.
//!
//! Memory accesses take the bounds-checked path of `memory.rs` with the width they touch
//! (16 bytes, 8 for the extending loads, the lane's for the lane, splat and zero forms).
//!
//! Cranelift's vector operators have wasm's semantics; two rules are added here so that
//! every tier gives the same bits (see `wisp_core::wasm::simd` and ARCHITECTURE.md):
//! - float arithmetic (`add`, `sub`, `mul`, `div`, `sqrt`, `min`, `max`, the roundings,
//!   `relaxed_madd`/`nmadd`, `demote`, `promote`) makes a NaN lane the canonical NaN
//!   (`canonical_nans`), since the NaN hardware gives differs by instruction, operand
//!   order and CPU;
//! - relaxed SIMD is deterministic: each relaxed operator is lowered as one of the results
//!   the proposal allows, the one wasmtime picks with `relaxed_simd_deterministic`.
//!
//! The NaN rule costs a compare and a select per result, which in a loop that carries
//! its accumulators in locals would be paid on every iteration. A local whose every
//! value comes from such an operator (`raw_nan_locals`) holds the raw result instead,
//! and `local.get` makes it canonical: the fix-up is then paid where the value is seen
//! (a store after the loop), and nowhere where it only feeds more arithmetic.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32X4, F64X2, I16, I16X8, I32, I32X4, I64X2, I8, I8X16};
use cranelift_codegen::ir::{ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value};
use wasmparser::{FunctionBody, MemArg, Operator};

use super::{Translator, V128};

/// How a load fills a vector.
#[derive(Clone, Copy)]
enum VLoad {
    /// Eight bytes, each half-width lane extended (`v128.load8x8_s` ...): the Cranelift
    /// opcode's result shape.
    Extend { signed: bool, to: Type },
    /// One lane, in every lane of a vector of shape `ty`.
    Splat { ty: Type },
    /// One lane, in lane 0 of a vector of shape `ty`, the others zero.
    Zero { ty: Type },
}

/// The float shape whose NaN lanes operator `op`'s result has made canonical, for the
/// operators `raw_nan_locals` lets a local take raw. (Each of them pushes its result with
/// `push_canonical` in `simd_op`; a debug assertion there holds the two lists together.)
fn canonical_result(op: &Operator<'_>) -> Option<Type> {
    use Operator as O;
    match op {
        O::F32x4Add
        | O::F32x4Sub
        | O::F32x4Mul
        | O::F32x4Div
        | O::F32x4Min
        | O::F32x4Max
        | O::F32x4Sqrt => Some(F32X4),
        O::F64x2Add
        | O::F64x2Sub
        | O::F64x2Mul
        | O::F64x2Div
        | O::F64x2Min
        | O::F64x2Max
        | O::F64x2Sqrt => Some(F64X2),
        _ => None,
    }
}

/// The canonical NaN (positive, quiet, payload zero) in every lane of shape `ty`
/// (`F32X4` or `F64X2`).
fn canonical_nan_lanes(ty: Type) -> u128 {
    if ty == F32X4 {
        0x7fc0_0000_7fc0_0000_7fc0_0000_7fc0_0000
    } else {
        0x7ff8_0000_0000_0000_7ff8_0000_0000_0000
    }
}

/// Whether `v128` constant `bits`, read as lanes of shape `ty`, has no NaN lane but the
/// canonical NaN: such a value is its own canonical form.
fn is_canonical(bits: u128, ty: Type) -> bool {
    let width = ty.lane_bits();
    let lane_mask = (1u128 << width) - 1;
    let canonical = canonical_nan_lanes(ty) & lane_mask;
    // The canonical NaN less its quiet bit (its lowest set bit) is infinity, the largest
    // magnitude that is not a NaN.
    let infinity = canonical & (canonical - 1);
    (0..128 / width).all(|i| {
        let lane = (bits >> (i * width)) & lane_mask;
        lane & (lane_mask >> 1) <= infinity || lane == canonical
    })
}

/// Per local of a function (`types`, the first `num_params` its parameters), the float
/// shape whose raw results the local may hold in place of its value, or `None`.
///
/// Invariant (what makes a raw local sound): every value wasm stores into such a local
/// already has its NaN lanes of that shape canonical, so making the raw value canonical
/// at `local.get` gives back exactly that value. This holds when each `local.set` and
/// `local.tee` of it directly follows
/// - an operator of that shape that makes its result canonical (`canonical_result`),
/// - a `v128.const` that is its own canonical form (`is_canonical`), or
/// - a `local.get` or `local.tee` of another raw local of the same shape,
///
/// and the local is not a parameter (parameters start with the caller's bits; other
/// locals start as zero, which is canonical). The operator directly before a set is the
/// one that pushed its operand: anything else (`end`, a call, a load) disqualifies the
/// local, which keeps the scan to one pass with no operand stack.
pub(super) fn raw_nan_locals(
    body: &FunctionBody<'_>,
    num_params: usize,
    types: &[Type],
) -> wasmparser::Result<Vec<Option<Type>>> {
    /// Where the value stored by one `local.set`/`local.tee` comes from.
    #[derive(Clone, Copy)]
    enum Source {
        Canonical(Type),
        Const(u128),
        Copy(u32),
        Other,
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        /// No source seen that fixes a shape yet.
        Open,
        Raw(Type),
        Plain,
    }
    let mut state: Vec<State> = (0..types.len())
        .map(|i| {
            if i < num_params || types[i] != V128 {
                State::Plain
            } else {
                State::Open
            }
        })
        .collect();
    let mut sets: Vec<(u32, Source)> = Vec::new();
    let mut reader = body.get_operators_reader()?;
    let mut before = Source::Other;
    while !reader.eof() {
        let op = reader.read()?;
        before = match op {
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                if state.get(local_index as usize) == Some(&State::Open) {
                    sets.push((local_index, before));
                }
                // A tee leaves the value it stored; a set, nothing.
                match op {
                    Operator::LocalTee { .. } => Source::Copy(local_index),
                    _ => Source::Other,
                }
            }
            Operator::LocalGet { local_index } => Source::Copy(local_index),
            Operator::V128Const { value } => Source::Const(value.i128() as u128),
            ref other => canonical_result(other).map_or(Source::Other, Source::Canonical),
        };
    }
    // Grow: each local takes the shape of its canonical sources, directly or through the
    // locals it copies; two shapes make it plain.
    let mut changed = true;
    while changed {
        changed = false;
        for (target, source) in &sets {
            let t = *target as usize;
            let shape = match source {
                Source::Canonical(shape) => State::Raw(*shape),
                Source::Copy(from) => state[*from as usize],
                Source::Other => State::Plain,
                Source::Const(_) => continue,
            };
            let next = match (state[t], shape) {
                (State::Plain, _) | (_, State::Open) => continue,
                (State::Open, s) => s,
                (State::Raw(a), State::Raw(b)) if a == b => continue,
                _ => State::Plain,
            };
            state[t] = next;
            changed = true;
        }
    }
    // Shrink: a raw local with any source that is not canonical in its shape is plain,
    // and so then are the locals that copy it.
    changed = true;
    while changed {
        changed = false;
        for (target, source) in &sets {
            let t = *target as usize;
            let State::Raw(shape) = state[t] else {
                continue;
            };
            let sound = match source {
                Source::Canonical(s) => *s == shape,
                Source::Const(bits) => is_canonical(*bits, shape),
                Source::Copy(from) => state[*from as usize] == State::Raw(shape),
                Source::Other => false,
            };
            if !sound {
                state[t] = State::Plain;
                changed = true;
            }
        }
    }
    Ok(state
        .into_iter()
        .map(|s| match s {
            State::Raw(shape) => Some(shape),
            _ => None,
        })
        .collect())
}

impl Translator<'_, '_> {
    /// The shape whose raw results local `index` holds (`raw_nan_locals`), if it does.
    pub(super) fn raw_local(&self, index: u32) -> Option<Type> {
        self.raw_locals.get(index as usize).copied().flatten()
    }

    /// Pushes the value of a raw local (`raw_nan_locals`) read as `v`: made canonical, as
    /// the operator that computed it pushed it.
    pub(super) fn push_raw_local(&mut self, v: Value, shape: Type) {
        let v = self.vcast(v, shape);
        self.push_canonical(v, shape);
    }

    /// What `local.set`/`local.tee` stores in local `index` for operand `v`: for a raw
    /// local, the raw result `v` was made canonical from where there is one (otherwise
    /// `v` itself, canonical by `raw_nan_locals`' invariant).
    pub(super) fn local_value(&mut self, index: u32, v: Value) -> Value {
        let Some(shape) = self.raw_local(index) else {
            return v;
        };
        match self.raw_result(v, shape) {
            Some(raw) => self.vcast(raw, V128),
            None => v,
        }
    }

    /// Translates `op` if it is a SIMD operator; returns whether it was.
    pub(super) fn simd_op(&mut self, op: &Operator<'_>) -> bool {
        let done = self.simd_operator(op);
        if cfg!(debug_assertions) && done {
            if let Some(shape) = canonical_result(op) {
                let top = self.stack.last().expect("a result");
                debug_assert!(
                    self.raw_result(*top, shape).is_some(),
                    "{op:?} does not push a canonical result of its shape"
                );
            }
        }
        done
    }

    fn simd_operator(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        macro_rules! bin {
            ($ty:expr, $method:ident) => {{
                let (a, b) = self.vpop2($ty);
                let v = self.b.ins().$method(a, b);
                self.vpush(v);
            }};
        }
        macro_rules! un {
            ($ty:expr, $method:ident) => {{
                let a = self.vpop($ty);
                let v = self.b.ins().$method(a);
                self.vpush(v);
            }};
        }
        // Float arithmetic: the result's NaN lanes made canonical (`canonical_nans`).
        macro_rules! fbin {
            ($ty:expr, $method:ident) => {{
                let b = self.vpop_arith($ty);
                let a = self.vpop_arith($ty);
                let v = self.b.ins().$method(a, b);
                self.push_canonical(v, $ty);
            }};
        }
        macro_rules! fun {
            ($from:expr, $to:expr, $method:ident) => {{
                let a = self.vpop_arith($from);
                let v = self.b.ins().$method(a);
                self.push_canonical(v, $to);
            }};
        }
        macro_rules! icmp {
            ($ty:expr, $cc:expr) => {{
                let (a, b) = self.vpop2($ty);
                let v = self.b.ins().icmp($cc, a, b);
                self.vpush(v);
            }};
        }
        macro_rules! fcmp {
            ($ty:expr, $cc:expr) => {{
                let (a, b) = self.vpop2($ty);
                let v = self.b.ins().fcmp($cc, a, b);
                self.vpush(v);
            }};
        }
        macro_rules! shift {
            ($ty:expr, $method:ident) => {{
                // The count modulo the lane width, as Cranelift's vector shifts take it.
                let count = self.pop();
                let a = self.vpop($ty);
                let v = self.b.ins().$method(a, count);
                self.vpush(v);
            }};
        }
        macro_rules! widen {
            ($from:expr, $method:ident) => {{
                let a = self.vpop($from);
                let v = self.b.ins().$method(a);
                self.vpush(v);
            }};
        }
        macro_rules! extmul {
            ($from:expr, $widen:ident) => {{
                let (a, b) = self.vpop2($from);
                let a = self.b.ins().$widen(a);
                let b = self.b.ins().$widen(b);
                let v = self.b.ins().imul(a, b);
                self.vpush(v);
            }};
        }
        macro_rules! extadd {
            ($from:expr, $low:ident, $high:ident) => {{
                let a = self.vpop($from);
                let low = self.b.ins().$low(a);
                let high = self.b.ins().$high(a);
                let v = self.b.ins().iadd_pairwise(low, high);
                self.vpush(v);
            }};
        }

        match *op {
            // ----- memory -------------------------------------------------------------
            O::V128Load { memarg } => {
                let addr = self.pop();
                let (p, f) = self.heap_addr(memarg, addr, 16);
                let v = self.b.ins().load(I8X16, f, p, 0);
                self.vpush(v);
            }
            O::V128Store { memarg } => {
                let v = self.vpop(I8X16);
                let addr = self.pop();
                let (p, f) = self.heap_addr(memarg, addr, 16);
                self.b.ins().store(f, v, p, 0);
            }
            O::V128Load8x8S { memarg } => self.vload(
                memarg,
                VLoad::Extend {
                    signed: true,
                    to: I16X8,
                },
            ),
            O::V128Load8x8U { memarg } => self.vload(
                memarg,
                VLoad::Extend {
                    signed: false,
                    to: I16X8,
                },
            ),
            O::V128Load16x4S { memarg } => self.vload(
                memarg,
                VLoad::Extend {
                    signed: true,
                    to: I32X4,
                },
            ),
            O::V128Load16x4U { memarg } => self.vload(
                memarg,
                VLoad::Extend {
                    signed: false,
                    to: I32X4,
                },
            ),
            O::V128Load32x2S { memarg } => self.vload(
                memarg,
                VLoad::Extend {
                    signed: true,
                    to: I64X2,
                },
            ),
            O::V128Load32x2U { memarg } => self.vload(
                memarg,
                VLoad::Extend {
                    signed: false,
                    to: I64X2,
                },
            ),
            O::V128Load8Splat { memarg } => self.vload(memarg, VLoad::Splat { ty: I8X16 }),
            O::V128Load16Splat { memarg } => self.vload(memarg, VLoad::Splat { ty: I16X8 }),
            O::V128Load32Splat { memarg } => self.vload(memarg, VLoad::Splat { ty: I32X4 }),
            O::V128Load64Splat { memarg } => self.vload(memarg, VLoad::Splat { ty: I64X2 }),
            O::V128Load32Zero { memarg } => self.vload(memarg, VLoad::Zero { ty: I32X4 }),
            O::V128Load64Zero { memarg } => self.vload(memarg, VLoad::Zero { ty: I64X2 }),
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, I8X16, lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, I16X8, lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, I32X4, lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, I64X2, lane),
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, I8X16, lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, I16X8, lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, I32X4, lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, I64X2, lane),

            // ----- constants, lanes, shuffles -------------------------------------------
            O::V128Const { value } => {
                let v = self.vconst(I8X16, value.bytes());
                self.vpush(v);
            }
            O::I8x16Shuffle { lanes } => {
                let (a, b) = self.vpop2(I8X16);
                let mask = self
                    .b
                    .func
                    .dfg
                    .immediates
                    .push(ConstantData::from(&lanes[..]));
                let v = self.b.ins().shuffle(a, b, mask);
                self.vpush(v);
            }
            O::I8x16Swizzle | O::I8x16RelaxedSwizzle => bin!(I8X16, swizzle),
            O::I8x16Splat => self.splat(I8X16),
            O::I16x8Splat => self.splat(I16X8),
            O::I32x4Splat => self.splat(I32X4),
            O::I64x2Splat => self.splat(I64X2),
            O::F32x4Splat => self.splat(F32X4),
            O::F64x2Splat => self.splat(F64X2),
            O::I8x16ExtractLaneS { lane } => self.extract_lane(I8X16, lane, Some(true)),
            O::I8x16ExtractLaneU { lane } => self.extract_lane(I8X16, lane, Some(false)),
            O::I16x8ExtractLaneS { lane } => self.extract_lane(I16X8, lane, Some(true)),
            O::I16x8ExtractLaneU { lane } => self.extract_lane(I16X8, lane, Some(false)),
            O::I32x4ExtractLane { lane } => self.extract_lane(I32X4, lane, None),
            O::I64x2ExtractLane { lane } => self.extract_lane(I64X2, lane, None),
            O::F32x4ExtractLane { lane } => self.extract_lane(F32X4, lane, None),
            O::F64x2ExtractLane { lane } => self.extract_lane(F64X2, lane, None),
            O::I8x16ReplaceLane { lane } => self.replace_lane(I8X16, lane),
            O::I16x8ReplaceLane { lane } => self.replace_lane(I16X8, lane),
            O::I32x4ReplaceLane { lane } => self.replace_lane(I32X4, lane),
            O::I64x2ReplaceLane { lane } => self.replace_lane(I64X2, lane),
            O::F32x4ReplaceLane { lane } => self.replace_lane(F32X4, lane),
            O::F64x2ReplaceLane { lane } => self.replace_lane(F64X2, lane),

            // ----- comparisons ----------------------------------------------------------
            O::I8x16Eq => icmp!(I8X16, IntCC::Equal),
            O::I8x16Ne => icmp!(I8X16, IntCC::NotEqual),
            O::I8x16LtS => icmp!(I8X16, IntCC::SignedLessThan),
            O::I8x16LtU => icmp!(I8X16, IntCC::UnsignedLessThan),
            O::I8x16GtS => icmp!(I8X16, IntCC::SignedGreaterThan),
            O::I8x16GtU => icmp!(I8X16, IntCC::UnsignedGreaterThan),
            O::I8x16LeS => icmp!(I8X16, IntCC::SignedLessThanOrEqual),
            O::I8x16LeU => icmp!(I8X16, IntCC::UnsignedLessThanOrEqual),
            O::I8x16GeS => icmp!(I8X16, IntCC::SignedGreaterThanOrEqual),
            O::I8x16GeU => icmp!(I8X16, IntCC::UnsignedGreaterThanOrEqual),
            O::I16x8Eq => icmp!(I16X8, IntCC::Equal),
            O::I16x8Ne => icmp!(I16X8, IntCC::NotEqual),
            O::I16x8LtS => icmp!(I16X8, IntCC::SignedLessThan),
            O::I16x8LtU => icmp!(I16X8, IntCC::UnsignedLessThan),
            O::I16x8GtS => icmp!(I16X8, IntCC::SignedGreaterThan),
            O::I16x8GtU => icmp!(I16X8, IntCC::UnsignedGreaterThan),
            O::I16x8LeS => icmp!(I16X8, IntCC::SignedLessThanOrEqual),
            O::I16x8LeU => icmp!(I16X8, IntCC::UnsignedLessThanOrEqual),
            O::I16x8GeS => icmp!(I16X8, IntCC::SignedGreaterThanOrEqual),
            O::I16x8GeU => icmp!(I16X8, IntCC::UnsignedGreaterThanOrEqual),
            O::I32x4Eq => icmp!(I32X4, IntCC::Equal),
            O::I32x4Ne => icmp!(I32X4, IntCC::NotEqual),
            O::I32x4LtS => icmp!(I32X4, IntCC::SignedLessThan),
            O::I32x4LtU => icmp!(I32X4, IntCC::UnsignedLessThan),
            O::I32x4GtS => icmp!(I32X4, IntCC::SignedGreaterThan),
            O::I32x4GtU => icmp!(I32X4, IntCC::UnsignedGreaterThan),
            O::I32x4LeS => icmp!(I32X4, IntCC::SignedLessThanOrEqual),
            O::I32x4LeU => icmp!(I32X4, IntCC::UnsignedLessThanOrEqual),
            O::I32x4GeS => icmp!(I32X4, IntCC::SignedGreaterThanOrEqual),
            O::I32x4GeU => icmp!(I32X4, IntCC::UnsignedGreaterThanOrEqual),
            O::I64x2Eq => icmp!(I64X2, IntCC::Equal),
            O::I64x2Ne => icmp!(I64X2, IntCC::NotEqual),
            O::I64x2LtS => icmp!(I64X2, IntCC::SignedLessThan),
            O::I64x2GtS => icmp!(I64X2, IntCC::SignedGreaterThan),
            O::I64x2LeS => icmp!(I64X2, IntCC::SignedLessThanOrEqual),
            O::I64x2GeS => icmp!(I64X2, IntCC::SignedGreaterThanOrEqual),
            O::F32x4Eq => fcmp!(F32X4, FloatCC::Equal),
            O::F32x4Ne => fcmp!(F32X4, FloatCC::NotEqual),
            O::F32x4Lt => fcmp!(F32X4, FloatCC::LessThan),
            O::F32x4Gt => fcmp!(F32X4, FloatCC::GreaterThan),
            O::F32x4Le => fcmp!(F32X4, FloatCC::LessThanOrEqual),
            O::F32x4Ge => fcmp!(F32X4, FloatCC::GreaterThanOrEqual),
            O::F64x2Eq => fcmp!(F64X2, FloatCC::Equal),
            O::F64x2Ne => fcmp!(F64X2, FloatCC::NotEqual),
            O::F64x2Lt => fcmp!(F64X2, FloatCC::LessThan),
            O::F64x2Gt => fcmp!(F64X2, FloatCC::GreaterThan),
            O::F64x2Le => fcmp!(F64X2, FloatCC::LessThanOrEqual),
            O::F64x2Ge => fcmp!(F64X2, FloatCC::GreaterThanOrEqual),

            // ----- bitwise ------------------------------------------------------------
            O::V128Not => un!(I8X16, bnot),
            O::V128And => bin!(I8X16, band),
            O::V128AndNot => bin!(I8X16, band_not),
            O::V128Or => bin!(I8X16, bor),
            O::V128Xor => bin!(I8X16, bxor),
            O::V128Bitselect
            | O::I8x16RelaxedLaneselect
            | O::I16x8RelaxedLaneselect
            | O::I32x4RelaxedLaneselect
            | O::I64x2RelaxedLaneselect => {
                // Relaxed: `laneselect` is `bitselect`, which every mask it is defined for
                // (lanes all ones or all zeros) agrees with.
                let c = self.vpop(I8X16);
                let (a, b) = self.vpop2(I8X16);
                let v = self.b.ins().bitselect(c, a, b);
                self.vpush(v);
            }
            O::V128AnyTrue => {
                let a = self.vpop(I8X16);
                let t = self.b.ins().vany_true(a);
                let v = self.b.ins().uextend(I32, t);
                self.push(v);
            }
            O::I8x16AllTrue => self.all_true(I8X16),
            O::I16x8AllTrue => self.all_true(I16X8),
            O::I32x4AllTrue => self.all_true(I32X4),
            O::I64x2AllTrue => self.all_true(I64X2),
            O::I8x16Bitmask => self.bitmask(I8X16),
            O::I16x8Bitmask => self.bitmask(I16X8),
            O::I32x4Bitmask => self.bitmask(I32X4),
            O::I64x2Bitmask => self.bitmask(I64X2),

            // ----- integer lanes --------------------------------------------------------
            O::I8x16Abs => un!(I8X16, iabs),
            O::I16x8Abs => un!(I16X8, iabs),
            O::I32x4Abs => un!(I32X4, iabs),
            O::I64x2Abs => un!(I64X2, iabs),
            O::I8x16Neg => un!(I8X16, ineg),
            O::I16x8Neg => un!(I16X8, ineg),
            O::I32x4Neg => un!(I32X4, ineg),
            O::I64x2Neg => un!(I64X2, ineg),
            O::I8x16Popcnt => un!(I8X16, popcnt),
            O::I8x16Shl => shift!(I8X16, ishl),
            O::I16x8Shl => shift!(I16X8, ishl),
            O::I32x4Shl => shift!(I32X4, ishl),
            O::I64x2Shl => shift!(I64X2, ishl),
            O::I8x16ShrS => shift!(I8X16, sshr),
            O::I16x8ShrS => shift!(I16X8, sshr),
            O::I32x4ShrS => shift!(I32X4, sshr),
            O::I64x2ShrS => shift!(I64X2, sshr),
            O::I8x16ShrU => shift!(I8X16, ushr),
            O::I16x8ShrU => shift!(I16X8, ushr),
            O::I32x4ShrU => shift!(I32X4, ushr),
            O::I64x2ShrU => shift!(I64X2, ushr),
            O::I8x16Add => bin!(I8X16, iadd),
            O::I16x8Add => bin!(I16X8, iadd),
            O::I32x4Add => bin!(I32X4, iadd),
            O::I64x2Add => bin!(I64X2, iadd),
            O::I8x16Sub => bin!(I8X16, isub),
            O::I16x8Sub => bin!(I16X8, isub),
            O::I32x4Sub => bin!(I32X4, isub),
            O::I64x2Sub => bin!(I64X2, isub),
            O::I16x8Mul => bin!(I16X8, imul),
            O::I32x4Mul => bin!(I32X4, imul),
            O::I64x2Mul => bin!(I64X2, imul),
            O::I8x16AddSatS => bin!(I8X16, sadd_sat),
            O::I16x8AddSatS => bin!(I16X8, sadd_sat),
            O::I8x16AddSatU => bin!(I8X16, uadd_sat),
            O::I16x8AddSatU => bin!(I16X8, uadd_sat),
            O::I8x16SubSatS => bin!(I8X16, ssub_sat),
            O::I16x8SubSatS => bin!(I16X8, ssub_sat),
            O::I8x16SubSatU => bin!(I8X16, usub_sat),
            O::I16x8SubSatU => bin!(I16X8, usub_sat),
            O::I8x16MinS => bin!(I8X16, smin),
            O::I16x8MinS => bin!(I16X8, smin),
            O::I32x4MinS => bin!(I32X4, smin),
            O::I8x16MinU => bin!(I8X16, umin),
            O::I16x8MinU => bin!(I16X8, umin),
            O::I32x4MinU => bin!(I32X4, umin),
            O::I8x16MaxS => bin!(I8X16, smax),
            O::I16x8MaxS => bin!(I16X8, smax),
            O::I32x4MaxS => bin!(I32X4, smax),
            O::I8x16MaxU => bin!(I8X16, umax),
            O::I16x8MaxU => bin!(I16X8, umax),
            O::I32x4MaxU => bin!(I32X4, umax),
            O::I8x16AvgrU => bin!(I8X16, avg_round),
            O::I16x8AvgrU => bin!(I16X8, avg_round),
            // Relaxed: `q15mulr` saturates, as `q15mulr_sat_s`.
            O::I16x8Q15MulrSatS | O::I16x8RelaxedQ15mulrS => bin!(I16X8, sqmul_round_sat),

            O::I8x16NarrowI16x8S => bin!(I16X8, snarrow),
            O::I8x16NarrowI16x8U => bin!(I16X8, unarrow),
            O::I16x8NarrowI32x4S => bin!(I32X4, snarrow),
            O::I16x8NarrowI32x4U => bin!(I32X4, unarrow),
            O::I16x8ExtendLowI8x16S => widen!(I8X16, swiden_low),
            O::I16x8ExtendHighI8x16S => widen!(I8X16, swiden_high),
            O::I16x8ExtendLowI8x16U => widen!(I8X16, uwiden_low),
            O::I16x8ExtendHighI8x16U => widen!(I8X16, uwiden_high),
            O::I32x4ExtendLowI16x8S => widen!(I16X8, swiden_low),
            O::I32x4ExtendHighI16x8S => widen!(I16X8, swiden_high),
            O::I32x4ExtendLowI16x8U => widen!(I16X8, uwiden_low),
            O::I32x4ExtendHighI16x8U => widen!(I16X8, uwiden_high),
            O::I64x2ExtendLowI32x4S => widen!(I32X4, swiden_low),
            O::I64x2ExtendHighI32x4S => widen!(I32X4, swiden_high),
            O::I64x2ExtendLowI32x4U => widen!(I32X4, uwiden_low),
            O::I64x2ExtendHighI32x4U => widen!(I32X4, uwiden_high),
            O::I16x8ExtMulLowI8x16S => extmul!(I8X16, swiden_low),
            O::I16x8ExtMulHighI8x16S => extmul!(I8X16, swiden_high),
            O::I16x8ExtMulLowI8x16U => extmul!(I8X16, uwiden_low),
            O::I16x8ExtMulHighI8x16U => extmul!(I8X16, uwiden_high),
            O::I32x4ExtMulLowI16x8S => extmul!(I16X8, swiden_low),
            O::I32x4ExtMulHighI16x8S => extmul!(I16X8, swiden_high),
            O::I32x4ExtMulLowI16x8U => extmul!(I16X8, uwiden_low),
            O::I32x4ExtMulHighI16x8U => extmul!(I16X8, uwiden_high),
            O::I64x2ExtMulLowI32x4S => extmul!(I32X4, swiden_low),
            O::I64x2ExtMulHighI32x4S => extmul!(I32X4, swiden_high),
            O::I64x2ExtMulLowI32x4U => extmul!(I32X4, uwiden_low),
            O::I64x2ExtMulHighI32x4U => extmul!(I32X4, uwiden_high),
            O::I16x8ExtAddPairwiseI8x16S => extadd!(I8X16, swiden_low, swiden_high),
            O::I16x8ExtAddPairwiseI8x16U => extadd!(I8X16, uwiden_low, uwiden_high),
            O::I32x4ExtAddPairwiseI16x8S => extadd!(I16X8, swiden_low, swiden_high),
            O::I32x4ExtAddPairwiseI16x8U => extadd!(I16X8, uwiden_low, uwiden_high),
            O::I32x4DotI16x8S => {
                let (a, b) = self.vpop2(I16X8);
                let v = self.dot(a, b);
                self.vpush(v);
            }
            O::I16x8RelaxedDotI8x16I7x16S => {
                let (a, b) = self.vpop2(I8X16);
                let v = self.dot(a, b);
                self.vpush(v);
            }
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                // The products widened to i32 before they are added: exact, as the
                // oracle (and Wasmtime's deterministic lowering).
                let c = self.vpop(I32X4);
                let (a, b) = self.vpop2(I8X16);
                let a_low = self.b.ins().swiden_low(a);
                let b_low = self.b.ins().swiden_low(b);
                let low = self.b.ins().imul(a_low, b_low);
                let a_high = self.b.ins().swiden_high(a);
                let b_high = self.b.ins().swiden_high(b);
                let high = self.b.ins().imul(a_high, b_high);
                let (ll, lh) = (self.b.ins().swiden_low(low), self.b.ins().swiden_high(low));
                let (hl, hh) = (
                    self.b.ins().swiden_low(high),
                    self.b.ins().swiden_high(high),
                );
                let low = self.b.ins().iadd_pairwise(ll, lh);
                let high = self.b.ins().iadd_pairwise(hl, hh);
                let sum = self.b.ins().iadd_pairwise(low, high);
                let v = self.b.ins().iadd(sum, c);
                self.vpush(v);
            }

            // ----- float lanes ----------------------------------------------------------
            O::F32x4Abs => un!(F32X4, fabs),
            O::F64x2Abs => un!(F64X2, fabs),
            O::F32x4Neg => un!(F32X4, fneg),
            O::F64x2Neg => un!(F64X2, fneg),
            O::F32x4Sqrt => fun!(F32X4, F32X4, sqrt),
            O::F64x2Sqrt => fun!(F64X2, F64X2, sqrt),
            O::F32x4Ceil => fun!(F32X4, F32X4, ceil),
            O::F64x2Ceil => fun!(F64X2, F64X2, ceil),
            O::F32x4Floor => fun!(F32X4, F32X4, floor),
            O::F64x2Floor => fun!(F64X2, F64X2, floor),
            O::F32x4Trunc => fun!(F32X4, F32X4, trunc),
            O::F64x2Trunc => fun!(F64X2, F64X2, trunc),
            O::F32x4Nearest => fun!(F32X4, F32X4, nearest),
            O::F64x2Nearest => fun!(F64X2, F64X2, nearest),
            O::F32x4Add => fbin!(F32X4, fadd),
            O::F64x2Add => fbin!(F64X2, fadd),
            O::F32x4Sub => fbin!(F32X4, fsub),
            O::F64x2Sub => fbin!(F64X2, fsub),
            O::F32x4Mul => fbin!(F32X4, fmul),
            O::F64x2Mul => fbin!(F64X2, fmul),
            O::F32x4Div => fbin!(F32X4, fdiv),
            O::F64x2Div => fbin!(F64X2, fdiv),
            // Relaxed: `min`/`max` are wasm's.
            O::F32x4Min | O::F32x4RelaxedMin => self.min_max(F32X4, true),
            O::F64x2Min | O::F64x2RelaxedMin => self.min_max(F64X2, true),
            O::F32x4Max | O::F32x4RelaxedMax => self.min_max(F32X4, false),
            O::F64x2Max | O::F64x2RelaxedMax => self.min_max(F64X2, false),
            O::F32x4PMin => self.pmin_pmax(F32X4, true),
            O::F64x2PMin => self.pmin_pmax(F64X2, true),
            O::F32x4PMax => self.pmin_pmax(F32X4, false),
            O::F64x2PMax => self.pmin_pmax(F64X2, false),
            // Relaxed: `madd` is fused (one rounding), `nmadd` is `madd` of `-a`.
            O::F32x4RelaxedMadd => self.madd(F32X4, false),
            O::F64x2RelaxedMadd => self.madd(F64X2, false),
            O::F32x4RelaxedNmadd => self.madd(F32X4, true),
            O::F64x2RelaxedNmadd => self.madd(F64X2, true),

            // ----- conversions ----------------------------------------------------------
            // Relaxed: the truncations saturate, as `trunc_sat`.
            O::I32x4TruncSatF32x4S | O::I32x4RelaxedTruncF32x4S => {
                let a = self.vpop(F32X4);
                let v = self.b.ins().fcvt_to_sint_sat(I32X4, a);
                self.vpush(v);
            }
            O::I32x4TruncSatF32x4U | O::I32x4RelaxedTruncF32x4U => {
                let a = self.vpop(F32X4);
                let v = self.b.ins().fcvt_to_uint_sat(I32X4, a);
                self.vpush(v);
            }
            O::I32x4TruncSatF64x2SZero | O::I32x4RelaxedTruncF64x2SZero => {
                let a = self.vpop(F64X2);
                let wide = self.b.ins().fcvt_to_sint_sat(I64X2, a);
                let zero = self.vconst(I64X2, &[0; 16]);
                let v = self.b.ins().snarrow(wide, zero);
                self.vpush(v);
            }
            O::I32x4TruncSatF64x2UZero | O::I32x4RelaxedTruncF64x2UZero => {
                let a = self.vpop(F64X2);
                let wide = self.b.ins().fcvt_to_uint_sat(I64X2, a);
                let zero = self.vconst(I64X2, &[0; 16]);
                let v = self.b.ins().uunarrow(wide, zero);
                self.vpush(v);
            }
            O::F32x4ConvertI32x4S => {
                let a = self.vpop(I32X4);
                let v = self.b.ins().fcvt_from_sint(F32X4, a);
                self.vpush(v);
            }
            O::F32x4ConvertI32x4U => {
                let a = self.vpop(I32X4);
                let v = self.b.ins().fcvt_from_uint(F32X4, a);
                self.vpush(v);
            }
            O::F64x2ConvertLowI32x4S => {
                let a = self.vpop(I32X4);
                let wide = self.b.ins().swiden_low(a);
                let v = self.b.ins().fcvt_from_sint(F64X2, wide);
                self.vpush(v);
            }
            O::F64x2ConvertLowI32x4U => {
                let a = self.vpop(I32X4);
                let wide = self.b.ins().uwiden_low(a);
                let v = self.b.ins().fcvt_from_uint(F64X2, wide);
                self.vpush(v);
            }
            O::F32x4DemoteF64x2Zero => fun!(F64X2, F32X4, fvdemote),
            O::F64x2PromoteLowF32x4 => fun!(F32X4, F64X2, fvpromote_low),

            _ => return false,
        }
        true
    }

    // ----- the operand stack's vectors --------------------------------------------------

    /// `v` as a vector of shape `ty` (lanes in wasm's order).
    fn vcast(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            return v;
        }
        let flags = MemFlagsData::new().with_endianness(Endianness::Little);
        self.b.ins().bitcast(ty, flags, v)
    }

    /// Pops a `v128` as a vector of shape `ty`.
    fn vpop(&mut self, ty: Type) -> Value {
        let v = self.pop();
        self.vcast(v, ty)
    }

    fn vpop2(&mut self, ty: Type) -> (Value, Value) {
        let b = self.vpop(ty);
        let a = self.vpop(ty);
        (a, b)
    }

    /// Pops a `v128` as float lanes of shape `ty` for an operator whose result is made
    /// canonical (`push_canonical`): if the operand is such a result of the same shape,
    /// its raw value. Which NaN an operand is cannot change a canonicalising operator's
    /// result (a NaN lane in gives a NaN lane out, made canonical), so the operand's own
    /// fix-up is needed only where its bits are seen otherwise; where nothing else uses
    /// it, Cranelift drops it (`f32x4.add` of an `f32x4.mul` pays for one fix-up, not two).
    /// The shape must match: an `f32x4` NaN's bits read as `f64x2` lanes are not a NaN.
    fn vpop_arith(&mut self, ty: Type) -> Value {
        let v = self.pop();
        match self.raw_result(v, ty) {
            Some(raw) => raw,
            None => self.vcast(v, ty),
        }
    }

    /// The raw result `v` was made canonical from by `push_canonical`, if it was, in
    /// shape `ty`.
    fn raw_result(&self, v: Value, ty: Type) -> Option<Value> {
        match self.canonical.get(&v) {
            Some(&(raw, shape)) if shape == ty => Some(raw),
            _ => None,
        }
    }

    /// Pushes float lanes `v` of shape `ty` with their NaNs made canonical, remembering
    /// the raw value for `vpop_arith`.
    fn push_canonical(&mut self, v: Value, ty: Type) {
        let canonical = self.canonical_nans(v, ty);
        let pushed = self.vcast(canonical, V128);
        self.canonical.insert(pushed, (v, ty));
        self.push(pushed);
    }

    /// Pushes vector `v` as a `v128` (`super::V128`).
    fn vpush(&mut self, v: Value) {
        let v = self.vcast(v, V128);
        self.push(v);
    }

    /// A vector constant of shape `ty` from its 16 little-endian bytes.
    fn vconst(&mut self, ty: Type, bytes: &[u8]) -> Value {
        let c = self.b.func.dfg.constants.insert(ConstantData::from(bytes));
        self.b.ins().vconst(ty, c)
    }

    // ----- operators --------------------------------------------------------------------

    fn vload(&mut self, memarg: MemArg, kind: VLoad) {
        let addr = self.pop();
        let v = match kind {
            VLoad::Extend { signed, to } => {
                let (p, f) = self.heap_addr(memarg, addr, 8);
                let ins = self.b.ins();
                match (to, signed) {
                    (I16X8, true) => ins.sload8x8(f, p, 0),
                    (I16X8, false) => ins.uload8x8(f, p, 0),
                    (I32X4, true) => ins.sload16x4(f, p, 0),
                    (I32X4, false) => ins.uload16x4(f, p, 0),
                    (_, true) => ins.sload32x2(f, p, 0),
                    (_, false) => ins.uload32x2(f, p, 0),
                }
            }
            VLoad::Splat { ty } => {
                let lane = ty.lane_type();
                let (p, f) = self.heap_addr(memarg, addr, lane.bytes());
                let x = self.b.ins().load(lane, f, p, 0);
                self.b.ins().splat(ty, x)
            }
            VLoad::Zero { ty } => {
                let lane = ty.lane_type();
                let (p, f) = self.heap_addr(memarg, addr, lane.bytes());
                let x = self.b.ins().load(lane, f, p, 0);
                self.b.ins().scalar_to_vector(ty, x)
            }
        };
        self.vpush(v);
    }

    /// `v128.loadN_lane`: the vector is on top, the address below it.
    fn load_lane(&mut self, memarg: MemArg, ty: Type, lane: u8) {
        let v = self.vpop(ty);
        let addr = self.pop();
        let lane_ty = ty.lane_type();
        let (p, f) = self.heap_addr(memarg, addr, lane_ty.bytes());
        let x = self.b.ins().load(lane_ty, f, p, 0);
        let v = self.b.ins().insertlane(v, x, lane);
        self.vpush(v);
    }

    /// `v128.storeN_lane`.
    fn store_lane(&mut self, memarg: MemArg, ty: Type, lane: u8) {
        let v = self.vpop(ty);
        let addr = self.pop();
        let x = self.b.ins().extractlane(v, lane);
        let (p, f) = self.heap_addr(memarg, addr, ty.lane_type().bytes());
        self.b.ins().store(f, x, p, 0);
    }

    /// `splat`: an `i32` is cut to an `i8x16`'s or `i16x8`'s lane.
    fn splat(&mut self, ty: Type) {
        let mut x = self.pop();
        let lane = ty.lane_type();
        if lane == I8 || lane == I16 {
            x = self.b.ins().ireduce(lane, x);
        }
        let v = self.b.ins().splat(ty, x);
        self.vpush(v);
    }

    /// `extract_lane`, with `signed` for the narrow lanes' extension to `i32`.
    fn extract_lane(&mut self, ty: Type, lane: u8, signed: Option<bool>) {
        let v = self.vpop(ty);
        let x = self.b.ins().extractlane(v, lane);
        let x = match signed {
            Some(true) => self.b.ins().sextend(I32, x),
            Some(false) => self.b.ins().uextend(I32, x),
            None => x,
        };
        self.push(x);
    }

    fn replace_lane(&mut self, ty: Type, lane: u8) {
        let mut x = self.pop();
        let v = self.vpop(ty);
        let lane_ty = ty.lane_type();
        if lane_ty == I8 || lane_ty == I16 {
            x = self.b.ins().ireduce(lane_ty, x);
        }
        let v = self.b.ins().insertlane(v, x, lane);
        self.vpush(v);
    }

    fn all_true(&mut self, ty: Type) {
        let a = self.vpop(ty);
        let t = self.b.ins().vall_true(a);
        let v = self.b.ins().uextend(I32, t);
        self.push(v);
    }

    fn bitmask(&mut self, ty: Type) {
        let a = self.vpop(ty);
        let v = self.b.ins().vhigh_bits(I32, a);
        self.push(v);
    }

    /// Signed products of lane pairs, added pairwise in the products' width, wrapping:
    /// `i32x4.dot_i16x8_s` from `i16x8`s (where no sum can wrap), and from `i8x16`s the
    /// deterministic `i16x8.relaxed_dot_i8x16_i7x16_s` (both operands signed).
    fn dot(&mut self, a: Value, b: Value) -> Value {
        let ins = self.b.ins();
        let a_low = ins.swiden_low(a);
        let b_low = self.b.ins().swiden_low(b);
        let low = self.b.ins().imul(a_low, b_low);
        let a_high = self.b.ins().swiden_high(a);
        let b_high = self.b.ins().swiden_high(b);
        let high = self.b.ins().imul(a_high, b_high);
        self.b.ins().iadd_pairwise(low, high)
    }

    /// `min` (or `max`) of float lanes: Cranelift's `fmin`/`fmax` are wasm's (NaN if either
    /// is, -0 below +0), and a NaN lane is made canonical.
    fn min_max(&mut self, ty: Type, min: bool) {
        let b = self.vpop_arith(ty);
        let a = self.vpop_arith(ty);
        let v = if min {
            self.b.ins().fmin(a, b)
        } else {
            self.b.ins().fmax(a, b)
        };
        self.push_canonical(v, ty);
    }

    /// `v` (float lanes of shape `ty`) with every NaN lane replaced by the canonical NaN
    /// (positive, quiet, payload zero): the rule every tier follows for SIMD float
    /// arithmetic (`wisp_core::wasm::simd`'s module docs), since the NaN hardware gives
    /// differs by instruction, operand order and CPU.
    fn canonical_nans(&mut self, v: Value, ty: Type) -> Value {
        let nan = self.b.ins().fcmp(FloatCC::Unordered, v, v);
        let canonical = self.vconst(ty, &canonical_nan_lanes(ty).to_le_bytes());
        let nan = self.vcast(nan, ty);
        self.b.ins().bitselect(nan, canonical, v)
    }

    /// `pmin`: `b < a ? b : a`; `pmax`: `a < b ? b : a` (no NaN rule: the operand chosen).
    fn pmin_pmax(&mut self, ty: Type, min: bool) {
        let (a, b) = self.vpop2(ty);
        let less = if min {
            self.b.ins().fcmp(FloatCC::LessThan, b, a)
        } else {
            self.b.ins().fcmp(FloatCC::LessThan, a, b)
        };
        let less = self.vcast(less, ty);
        let v = self.b.ins().bitselect(less, b, a);
        self.vpush(v);
    }

    /// `relaxed_madd(a, b, c)`: `a * b + c` with one rounding; `relaxed_nmadd`: of `-a`.
    fn madd(&mut self, ty: Type, negate: bool) {
        let c = self.vpop_arith(ty);
        let b = self.vpop_arith(ty);
        let mut a = self.vpop_arith(ty);
        if negate {
            // `-a` by its sign bit, as a value of its own: Cranelift would fold an `fneg`
            // into a negated multiply-add, which on a NaN `a` gives `a`'s sign where
            // `fma(-a, b, c)` gives `-a`'s.
            let int = if ty == F32X4 { I32X4 } else { I64X2 };
            let sign = if ty == F32X4 {
                self.vconst(
                    int,
                    &0x8000_0000_8000_0000_8000_0000_8000_0000u128.to_le_bytes(),
                )
            } else {
                self.vconst(
                    int,
                    &0x8000_0000_0000_0000_8000_0000_0000_0000u128.to_le_bytes(),
                )
            };
            let bits = self.vcast(a, int);
            let negated = self.b.ins().bxor(bits, sign);
            a = self.vcast(negated, ty);
        }
        let v = self.b.ins().fma(a, b, c);
        self.push_canonical(v, ty);
    }
}
