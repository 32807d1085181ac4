//! Constants, arithmetic, comparisons and conversions.
//!
//! Cranelift's own operators have wasm's semantics for everything here (shifts modulo the
//! width, `fmin`/`fmax` with NaN propagation and signed zeros, `nearest` to even, the
//! saturating conversions), except where wasm traps: division and the trapping
//! float-to-int conversions get explicit checks first, so the Cranelift operator after
//! them never meets an input it would trap on.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Type, Value};
use wasmparser::Operator;
use wisp_core::TrapCode;

use super::Translator;

impl Translator<'_, '_> {
    /// Translates `op` if it is a numeric operator; returns whether it was.
    pub(super) fn numeric_op(&mut self, op: &Operator<'_>) -> bool {
        use types::{F32, F64, I16, I32, I64, I8};
        use Operator as O;

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

            O::I32Eqz | O::I64Eqz => {
                let a = self.pop();
                let c = self.b.ins().icmp_imm_u(IntCC::Equal, a, 0);
                let v = self.bool_to_i32(c);
                self.push(v);
            }
            O::I32Eq | O::I64Eq => icmp!(IntCC::Equal),
            O::I32Ne | O::I64Ne => icmp!(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => icmp!(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => icmp!(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => icmp!(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => icmp!(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => icmp!(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => icmp!(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => icmp!(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => icmp!(IntCC::UnsignedGreaterThanOrEqual),

            O::F32Eq | O::F64Eq => fcmp!(FloatCC::Equal),
            O::F32Ne | O::F64Ne => fcmp!(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => fcmp!(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => fcmp!(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => fcmp!(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => fcmp!(FloatCC::GreaterThanOrEqual),

            O::I32Clz | O::I64Clz => un!(clz),
            O::I32Ctz | O::I64Ctz => un!(ctz),
            O::I32Popcnt | O::I64Popcnt => un!(popcnt),
            O::I32Add | O::I64Add => bin!(iadd),
            O::I32Sub | O::I64Sub => bin!(isub),
            O::I32Mul | O::I64Mul => bin!(imul),
            O::I32DivS | O::I64DivS => self.div_s(),
            O::I32DivU | O::I64DivU => {
                let (a, b) = self.pop2();
                self.trap_if_zero(b, TrapCode::IntegerDivisionByZero);
                let v = self.b.ins().udiv(a, b);
                self.push(v);
            }
            O::I32RemS | O::I64RemS => self.rem_s(),
            O::I32RemU | O::I64RemU => {
                let (a, b) = self.pop2();
                self.trap_if_zero(b, TrapCode::IntegerDivisionByZero);
                let v = self.b.ins().urem(a, b);
                self.push(v);
            }
            O::I32And | O::I64And => bin!(band),
            O::I32Or | O::I64Or => bin!(bor),
            O::I32Xor | O::I64Xor => bin!(bxor),
            O::I32Shl | O::I64Shl => bin!(ishl),
            O::I32ShrS | O::I64ShrS => bin!(sshr),
            O::I32ShrU | O::I64ShrU => bin!(ushr),
            O::I32Rotl | O::I64Rotl => bin!(rotl),
            O::I32Rotr | O::I64Rotr => bin!(rotr),

            O::F32Abs | O::F64Abs => un!(fabs),
            O::F32Neg | O::F64Neg => un!(fneg),
            O::F32Ceil | O::F64Ceil => un!(ceil),
            O::F32Floor | O::F64Floor => un!(floor),
            O::F32Trunc | O::F64Trunc => un!(trunc),
            O::F32Nearest | O::F64Nearest => un!(nearest),
            O::F32Sqrt | O::F64Sqrt => un!(sqrt),
            O::F32Add | O::F64Add => bin!(fadd),
            O::F32Sub | O::F64Sub => bin!(fsub),
            O::F32Mul | O::F64Mul => bin!(fmul),
            O::F32Div | O::F64Div => bin!(fdiv),
            O::F32Min | O::F64Min => bin!(fmin),
            O::F32Max | O::F64Max => bin!(fmax),
            O::F32Copysign | O::F64Copysign => bin!(fcopysign),

            O::I32WrapI64 => conv!(ireduce, I32),
            O::I64ExtendI32S => conv!(sextend, I64),
            O::I64ExtendI32U => conv!(uextend, I64),
            O::I32Extend8S => extend_from!(I8, I32),
            O::I32Extend16S => extend_from!(I16, I32),
            O::I64Extend8S => extend_from!(I8, I64),
            O::I64Extend16S => extend_from!(I16, I64),
            O::I64Extend32S => extend_from!(I32, I64),

            O::I32TruncF32S | O::I32TruncF64S => self.trunc_checked(I32, true),
            O::I32TruncF32U | O::I32TruncF64U => self.trunc_checked(I32, false),
            O::I64TruncF32S | O::I64TruncF64S => self.trunc_checked(I64, true),
            O::I64TruncF32U | O::I64TruncF64U => self.trunc_checked(I64, false),
            O::I32TruncSatF32S | O::I32TruncSatF64S => conv!(fcvt_to_sint_sat, I32),
            O::I32TruncSatF32U | O::I32TruncSatF64U => conv!(fcvt_to_uint_sat, I32),
            O::I64TruncSatF32S | O::I64TruncSatF64S => conv!(fcvt_to_sint_sat, I64),
            O::I64TruncSatF32U | O::I64TruncSatF64U => conv!(fcvt_to_uint_sat, I64),

            O::F32ConvertI32S | O::F32ConvertI64S => conv!(fcvt_from_sint, F32),
            O::F32ConvertI32U | O::F32ConvertI64U => conv!(fcvt_from_uint, F32),
            O::F64ConvertI32S | O::F64ConvertI64S => conv!(fcvt_from_sint, F64),
            O::F64ConvertI32U | O::F64ConvertI64U => conv!(fcvt_from_uint, F64),
            O::F32DemoteF64 => conv!(fdemote, F32),
            O::F64PromoteF32 => conv!(fpromote, F64),

            O::I32ReinterpretF32 => self.reinterpret(I32),
            O::I64ReinterpretF64 => self.reinterpret(I64),
            O::F32ReinterpretI32 => self.reinterpret(F32),
            O::F64ReinterpretI64 => self.reinterpret(F64),

            _ => return false,
        }
        true
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

    /// Signed division: by zero traps first, then `MIN / -1` overflows (the interpreter's
    /// order).
    fn div_s(&mut self) {
        let (a, b) = self.pop2();
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
        let from = self.b.func.dfg.value_type(x);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.trap_if(nan, TrapCode::BadConversionToInteger);
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
        let too_low = self.b.ins().fcmp(FloatCC::LessThanOrEqual, x, low);
        let too_high = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, high);
        let out = self.b.ins().bor(too_low, too_high);
        self.trap_if(out, TrapCode::IntegerOverflow);
        let v = if signed {
            self.b.ins().fcvt_to_sint_sat(to, x)
        } else {
            self.b.ins().fcvt_to_uint_sat(to, x)
        };
        self.push(v);
    }
}
