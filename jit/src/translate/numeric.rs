//! Constants, arithmetic, comparisons and conversions.
//!
//! Cranelift's own operators have wasm's semantics for everything here (shifts modulo the
//! width, `fmin`/`fmax` with NaN propagation and signed zeros, `nearest` to even, the
//! saturating conversions), except where wasm traps: division and the trapping
//! float-to-int conversions get explicit checks first, so the Cranelift operator after
//! them never meets an input it would trap on.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, MemFlagsData, Type, Value};
use wasmparser::{MemArg, Operator};
use wisp_core::TrapCode;
use wisp_interp::bytecode::NumericOp;

use super::memory::Load;
use super::Translator;

impl Translator<'_, '_> {
    /// Translates `op` if it is a numeric or memory operator; returns whether it was.
    pub(super) fn numeric_op(&mut self, op: &Operator<'_>) -> bool {
        use types::{F32, F64, I32, I64};
        use Operator as O;
        match *op {
            O::I32Const { value } => {
                let v = self.b.ins().iconst(I32, i64::from(value as u32));
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.b.ins().iconst(I64, value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self.b.ins().f32const(Ieee32::with_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self.b.ins().f64const(Ieee64::with_bits(value.bits()));
                self.push(v);
            }

            // Conversions that only change how the bits are read: no instruction of the
            // interpreter's table, which leaves the slot as it is.
            O::I32WrapI64 => {
                let a = self.pop();
                let v = self.b.ins().ireduce(I32, a);
                self.push(v);
            }
            O::I32ReinterpretF32 => self.reinterpret(I32),
            O::I64ReinterpretF64 => self.reinterpret(I64),
            O::F32ReinterpretI32 => self.reinterpret(F32),
            O::F64ReinterpretI64 => self.reinterpret(F64),

            // Wide arithmetic: 128-bit values as (low, high) pairs of i64, as on the stack.
            O::I64Add128 | O::I64Sub128 => {
                let (b_lo, b_hi) = self.pop2();
                let (a_lo, a_hi) = self.pop2();
                let a = self.b.ins().iconcat(a_lo, a_hi);
                let b = self.b.ins().iconcat(b_lo, b_hi);
                let r = match op {
                    O::I64Add128 => self.b.ins().iadd(a, b),
                    _ => self.b.ins().isub(a, b),
                };
                let (lo, hi) = self.b.ins().isplit(r);
                self.push(lo);
                self.push(hi);
            }
            // The low half is the wrapping product whatever the signedness; the high half is
            // what `smulhi`/`umulhi` compute (one instruction on x86_64, aarch64, riscv64).
            O::I64MulWideS | O::I64MulWideU => {
                let (a, b) = self.pop2();
                let lo = self.b.ins().imul(a, b);
                let hi = match op {
                    O::I64MulWideS => self.b.ins().smulhi(a, b),
                    _ => self.b.ins().umulhi(a, b),
                };
                self.push(lo);
                self.push(hi);
            }
            _ => match NumericOp::of(op) {
                Some((op, memarg)) => self.lower(op, memarg),
                None => return false,
            },
        }
        true
    }

    /// Lowers one operator of the instruction table (`wisp_interp::bytecode::NumericOp`):
    /// one arm each, matched exhaustively, so an operator added to the table without a
    /// lowering here does not compile. `memarg` is a load's or store's.
    fn lower(&mut self, op: NumericOp, memarg: Option<MemArg>) {
        use types::{F32, F64, I16, I32, I64, I8};
        use NumericOp as N;
        let ext = |to, bits, signed| Load::Extend { to, bits, signed };
        let memarg = || memarg.expect("memory operators carry their memory argument");

        macro_rules! bin {
            ($method:ident) => {{
                let (a, b) = self.pop2();
                let v = self.b.ins().$method(a, b);
                self.push(v);
            }};
        }
        macro_rules! un {
            ($method:ident) => {{
                let a = self.pop();
                let v = self.b.ins().$method(a);
                self.push(v);
            }};
        }
        macro_rules! icmp {
            ($cc:expr) => {{
                let (a, b) = self.pop2();
                let c = self.b.ins().icmp($cc, a, b);
                let v = self.bool_to_i32(c);
                self.push(v);
            }};
        }
        macro_rules! fcmp {
            ($cc:expr) => {{
                let (a, b) = self.pop2();
                let c = self.b.ins().fcmp($cc, a, b);
                let v = self.bool_to_i32(c);
                self.push(v);
            }};
        }
        macro_rules! conv {
            ($method:ident, $ty:expr) => {{
                let a = self.pop();
                let v = self.b.ins().$method($ty, a);
                self.push(v);
            }};
        }
        macro_rules! extend_from {
            ($narrow:expr, $wide:expr) => {{
                let a = self.pop();
                let n = self.b.ins().ireduce($narrow, a);
                let v = self.b.ins().sextend($wide, n);
                self.push(v);
            }};
        }

        match op {
            N::I32Eqz | N::I64Eqz => {
                let a = self.pop();
                let c = self.b.ins().icmp_imm_u(IntCC::Equal, a, 0);
                let v = self.bool_to_i32(c);
                self.push(v);
            }
            N::I32Eq | N::I64Eq => icmp!(IntCC::Equal),
            N::I32Ne | N::I64Ne => icmp!(IntCC::NotEqual),
            N::I32LtS | N::I64LtS => icmp!(IntCC::SignedLessThan),
            N::I32LtU | N::I64LtU => icmp!(IntCC::UnsignedLessThan),
            N::I32GtS | N::I64GtS => icmp!(IntCC::SignedGreaterThan),
            N::I32GtU | N::I64GtU => icmp!(IntCC::UnsignedGreaterThan),
            N::I32LeS | N::I64LeS => icmp!(IntCC::SignedLessThanOrEqual),
            N::I32LeU | N::I64LeU => icmp!(IntCC::UnsignedLessThanOrEqual),
            N::I32GeS | N::I64GeS => icmp!(IntCC::SignedGreaterThanOrEqual),
            N::I32GeU | N::I64GeU => icmp!(IntCC::UnsignedGreaterThanOrEqual),

            N::F32Eq | N::F64Eq => fcmp!(FloatCC::Equal),
            N::F32Ne | N::F64Ne => fcmp!(FloatCC::NotEqual),
            N::F32Lt | N::F64Lt => fcmp!(FloatCC::LessThan),
            N::F32Gt | N::F64Gt => fcmp!(FloatCC::GreaterThan),
            N::F32Le | N::F64Le => fcmp!(FloatCC::LessThanOrEqual),
            N::F32Ge | N::F64Ge => fcmp!(FloatCC::GreaterThanOrEqual),

            N::I32Clz | N::I64Clz => un!(clz),
            N::I32Ctz | N::I64Ctz => un!(ctz),
            N::I32Popcnt | N::I64Popcnt => un!(popcnt),
            N::I32Add | N::I64Add => bin!(iadd),
            N::I32Sub | N::I64Sub => bin!(isub),
            N::I32Mul | N::I64Mul => bin!(imul),
            N::I32DivS | N::I64DivS => self.div_s(),
            N::I32DivU | N::I64DivU => {
                let (a, b) = self.pop2();
                self.divisor_checks(b);
                let v = self.b.ins().udiv(a, b);
                self.push(v);
            }
            N::I32RemS | N::I64RemS => self.rem_s(),
            N::I32RemU | N::I64RemU => {
                let (a, b) = self.pop2();
                self.divisor_checks(b);
                let v = self.b.ins().urem(a, b);
                self.push(v);
            }
            N::I32And | N::I64And => bin!(band),
            N::I32Or | N::I64Or => bin!(bor),
            N::I32Xor | N::I64Xor => bin!(bxor),
            N::I32Shl | N::I64Shl => bin!(ishl),
            N::I32ShrS | N::I64ShrS => bin!(sshr),
            N::I32ShrU | N::I64ShrU => bin!(ushr),
            N::I32Rotl | N::I64Rotl => bin!(rotl),
            N::I32Rotr | N::I64Rotr => bin!(rotr),

            N::F32Abs | N::F64Abs => un!(fabs),
            N::F32Neg | N::F64Neg => un!(fneg),
            N::F32Ceil | N::F64Ceil => un!(ceil),
            N::F32Floor | N::F64Floor => un!(floor),
            N::F32Trunc | N::F64Trunc => un!(trunc),
            N::F32Nearest | N::F64Nearest => un!(nearest),
            N::F32Sqrt | N::F64Sqrt => un!(sqrt),
            N::F32Add | N::F64Add => bin!(fadd),
            N::F32Sub | N::F64Sub => bin!(fsub),
            N::F32Mul | N::F64Mul => bin!(fmul),
            N::F32Div | N::F64Div => bin!(fdiv),
            N::F32Min | N::F64Min => bin!(fmin),
            N::F32Max | N::F64Max => bin!(fmax),
            N::F32Copysign | N::F64Copysign => bin!(fcopysign),

            N::I64ExtendI32S => conv!(sextend, I64),
            N::I64ExtendI32U => conv!(uextend, I64),
            N::I32Extend8S => extend_from!(I8, I32),
            N::I32Extend16S => extend_from!(I16, I32),
            N::I64Extend8S => extend_from!(I8, I64),
            N::I64Extend16S => extend_from!(I16, I64),
            N::I64Extend32S => extend_from!(I32, I64),

            N::I32TruncF32S | N::I32TruncF64S => self.trunc_checked(I32, true),
            N::I32TruncF32U | N::I32TruncF64U => self.trunc_checked(I32, false),
            N::I64TruncF32S | N::I64TruncF64S => self.trunc_checked(I64, true),
            N::I64TruncF32U | N::I64TruncF64U => self.trunc_checked(I64, false),
            N::I32TruncSatF32S | N::I32TruncSatF64S => conv!(fcvt_to_sint_sat, I32),
            N::I32TruncSatF32U | N::I32TruncSatF64U => conv!(fcvt_to_uint_sat, I32),
            N::I64TruncSatF32S | N::I64TruncSatF64S => conv!(fcvt_to_sint_sat, I64),
            N::I64TruncSatF32U | N::I64TruncSatF64U => conv!(fcvt_to_uint_sat, I64),

            N::F32ConvertI32S | N::F32ConvertI64S => conv!(fcvt_from_sint, F32),
            N::F32ConvertI32U | N::F32ConvertI64U => conv!(fcvt_from_uint, F32),
            N::F64ConvertI32S | N::F64ConvertI64S => conv!(fcvt_from_sint, F64),
            N::F64ConvertI32U | N::F64ConvertI64U => conv!(fcvt_from_uint, F64),
            N::F32DemoteF64 => conv!(fdemote, F32),
            N::F64PromoteF32 => conv!(fpromote, F64),

            N::RefIsNull => {
                let v = self.pop();
                let null = self.b.ins().icmp_imm_u(IntCC::Equal, v, 0);
                let v = self.bool_to_i32(null);
                self.push(v);
            }

            N::I32Load => self.load(memarg(), Load::Plain(I32)),
            N::I64Load => self.load(memarg(), Load::Plain(I64)),
            N::F32Load => self.load(memarg(), Load::Plain(F32)),
            N::F64Load => self.load(memarg(), Load::Plain(F64)),
            N::I32Load8S => self.load(memarg(), ext(I32, 8, true)),
            N::I32Load8U => self.load(memarg(), ext(I32, 8, false)),
            N::I32Load16S => self.load(memarg(), ext(I32, 16, true)),
            N::I32Load16U => self.load(memarg(), ext(I32, 16, false)),
            N::I64Load8S => self.load(memarg(), ext(I64, 8, true)),
            N::I64Load8U => self.load(memarg(), ext(I64, 8, false)),
            N::I64Load16S => self.load(memarg(), ext(I64, 16, true)),
            N::I64Load16U => self.load(memarg(), ext(I64, 16, false)),
            N::I64Load32S => self.load(memarg(), ext(I64, 32, true)),
            N::I64Load32U => self.load(memarg(), ext(I64, 32, false)),
            N::I32Store | N::F32Store => self.store(memarg(), 32),
            N::I64Store | N::F64Store => self.store(memarg(), 64),
            N::I32Store8 | N::I64Store8 => self.store(memarg(), 8),
            N::I32Store16 | N::I64Store16 => self.store(memarg(), 16),
            N::I64Store32 => self.store(memarg(), 32),
        }
    }

    fn reinterpret(&mut self, to: Type) {
        let a = self.pop();
        let v = self.b.ins().bitcast(to, MemFlagsData::new(), a);
        self.push(v);
    }

    /// The most negative value of integer type `ty`, as an `iconst` of that type.
    fn int_min(&mut self, ty: Type) -> Value {
        let bits = if ty == types::I32 {
            i64::from(i32::MIN as u32)
        } else {
            i64::MIN
        };
        self.b.ins().iconst(ty, bits)
    }

    /// `-1` of integer type `ty`.
    fn minus_one(&mut self, ty: Type) -> Value {
        let bits = if ty == types::I32 {
            i64::from(u32::MAX)
        } else {
            -1
        };
        self.b.ins().iconst(ty, bits)
    }

    /// The zero divisor test before an unsigned division or remainder, where the code
    /// makes its own division checks: without the signal handler, a divisor of zero (and
    /// `MIN / -1`) is tested before Cranelift's division, whose own traps then never fire.
    /// With it (`Env::trap_by_signal`), Cranelift's division traps (zero first, then
    /// overflow: wasm's order) and `trap_codes::to_wasm` names its traps.
    fn divisor_checks(&mut self, b: Value) {
        if !self.env.trap_by_signal {
            self.trap_if_zero(b, TrapCode::IntegerDivisionByZero);
        }
    }

    /// Signed division: by zero traps first, then `MIN / -1` overflows (the interpreter's
    /// order).
    fn div_s(&mut self) {
        let (a, b) = self.pop2();
        if self.env.trap_by_signal {
            let v = self.b.ins().sdiv(a, b);
            self.push(v);
            return;
        }
        self.trap_if_zero(b, TrapCode::IntegerDivisionByZero);
        let ty = self.b.func.dfg.value_type(a);
        let min = self.int_min(ty);
        let minus_one = self.minus_one(ty);
        let a_min = self.b.ins().icmp(IntCC::Equal, a, min);
        let b_minus_one = self.b.ins().icmp(IntCC::Equal, b, minus_one);
        let overflow = self.b.ins().band(a_min, b_minus_one);
        self.trap_if(overflow, TrapCode::IntegerOverflow);
        let v = self.b.ins().sdiv(a, b);
        self.push(v);
    }

    /// Signed remainder: by zero traps; `x rem -1` is 0 for every `x`, so the divisor -1
    /// becomes 1, which keeps `MIN rem -1` from overflowing in hardware.
    fn rem_s(&mut self) {
        let (a, b) = self.pop2();
        if self.env.trap_by_signal {
            // Cranelift's `srem` is wasm's: zero traps, and `MIN rem -1` is 0.
            let v = self.b.ins().srem(a, b);
            self.push(v);
            return;
        }
        self.trap_if_zero(b, TrapCode::IntegerDivisionByZero);
        let ty = self.b.func.dfg.value_type(a);
        let minus_one = self.minus_one(ty);
        let one = self.b.ins().iconst(ty, 1);
        let is_minus_one = self.b.ins().icmp(IntCC::Equal, b, minus_one);
        let divisor = self.b.ins().select(is_minus_one, one, b);
        let v = self.b.ins().srem(a, divisor);
        self.push(v);
    }

    /// A trapping float-to-int truncation: NaN is `BadConversionToInteger`, a value whose
    /// truncation does not fit is `IntegerOverflow`; anything else converts exactly.
    fn trunc_checked(&mut self, to: Type, signed: bool) {
        let x = self.pop();
        if self.env.trap_by_signal {
            // Cranelift's trapping conversion is wasm's: NaN traps as a bad conversion, a
            // value out of range as an integer overflow (`trap_codes::to_wasm`), and its
            // fast path is one conversion and one compare.
            let v = if signed {
                self.b.ins().fcvt_to_sint(to, x)
            } else {
                self.b.ins().fcvt_to_uint(to, x)
            };
            self.push(v);
            return;
        }
        let from = self.b.func.dfg.value_type(x);
        // Exclusive bounds: the largest value below the range and the smallest above it
        // that the float type represents. Between them, truncation gives a value in range.
        let (low, high): (f64, f64) = match (from == types::F32, to == types::I32, signed) {
            (true, true, true) => (-2147483904.0, 2147483648.0),
            (false, true, true) => (-2147483649.0, 2147483648.0),
            (_, true, false) => (-1.0, 4294967296.0),
            (true, false, true) => (-9223373136366403584.0, 9223372036854775808.0),
            (false, false, true) => (-9223372036854777856.0, 9223372036854775808.0),
            (_, false, false) => (-1.0, 18446744073709551616.0),
        };
        let (low, high) = if from == types::F32 {
            (
                self.b.ins().f32const(low as f32),
                self.b.ins().f32const(high as f32),
            )
        } else {
            (self.b.ins().f64const(low), self.b.ins().f64const(high))
        };
        // One test on the hot path: ordered comparisons are false for NaN, so NaN is
        // outside too, and the cold block tells the two traps apart.
        let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, low);
        let below = self.b.ins().fcmp(FloatCC::LessThan, x, high);
        let inside = self.b.ins().band(above, below);
        let cont = self.b.create_block();
        let outside = self.b.create_block();
        self.b.set_cold_block(outside);
        self.b.ins().brif(inside, cont, &[], outside, &[]);
        self.b.switch_to_block(outside);
        self.b.seal_block(outside);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        let bad = self.i32_const(i64::from(TrapCode::BadConversionToInteger.status()));
        let overflow = self.i32_const(i64::from(TrapCode::IntegerOverflow.status()));
        let status = self.b.ins().select(nan, bad, overflow);
        let fail = self.fail;
        self.b.ins().jump(fail, &[BlockArg::Value(status)]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
        let v = if signed {
            self.b.ins().fcvt_to_sint_sat(to, x)
        } else {
            self.b.ins().fcvt_to_uint_sat(to, x)
        };
        self.push(v);
    }
}
