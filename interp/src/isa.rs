//! The interpreter's instruction set, described once.
//!
//! [`for_each_instr!`] holds the only list of instructions. Everything else about an
//! instruction derives from its entry here, by a macro the list is handed to:
//!
//! | derived | where |
//! |---|---|
//! | `Instr`, `Tag`, the operand structs (`payload`), group constructors | `bytecode::instr` |
//! | `INFO`: operand offsets, accumulator kinds, and the translator's flags below | `bytecode::instr` |
//! | the operator-to-instruction map (`operator_instr`) | `bytecode::instr` |
//! | the handler of every instruction, and the handler table | `exec::handlers::table` |
//! | the disassembler of encoded code | `bytecode::disasm` |
//! | `NumericOp`, the operators the JIT lowers one arm each | `bytecode::instr` |
//!
//! Adding a numeric wasm operator is one entry below, one function in `wisp_core::wasm`
//! (what it computes) and one arm in the JIT's `translate::numeric` (how it lowers); the
//! compiler refuses a build where the JIT arm is missing (`NumericOp` is matched
//! exhaustively), and every instruction of the `other` group must have a handler of its
//! name in `exec::handlers` or the handler table does not compile.
//!
//! # Entries
//!
//! Groups come in a fixed order (their tags are consecutive, which the group constructors
//! check). In the groups before `other` the operand fields are the group's; in `other`
//! each entry lists its own. An entry reads
//!
//! ```text
//! Name (first, second -> result) [flags] = semantics;
//! ```
//!
//! - The signature gives the wasm types (`i32 i64 f32 f64`, `ref` for a reference, `any`
//!   for a slot moved whole) of the operands that may arrive in an accumulator instead of
//!   their slot (at most two: "first" and "second", see `bytecode::encode`) and of the
//!   result. The types choose the accumulator registers (`bytecode::Kind`), whether an
//!   immediate is sign-extended to 64 bits (`wide`), and whether the `no-float` build
//!   leaves the instruction out (any `f32`/`f64` in it).
//! - Flags, for the translator: `imm = T` the form taking the right operand as an
//!   immediate; `commutative` (so `imm op b` is `b op imm`, the same form) or `swapped = T`
//!   (the immediate form computing `imm op b`, for comparisons: `imm < b` is `b > imm`);
//!   `br = T` the branch its result fuses into when a `br_if` tests it; `not = T` the
//!   branch taken exactly when this one is not (stated once per pair); `twin = T` the load
//!   of the same bytes into the other register file (once per pair); `sum = T` the load
//!   from `a + imm` that an `i32.add` of a constant feeding the address fuses into;
//!   `feature = "f"` the cargo feature without which it is left out; and in `other`,
//!   `result`, `first`, `second`, `branch` name the fields with those roles.
//! - Semantics: the `wisp_core::wasm` function computing it (binary, unary); the memory
//!   type (loads extend it to the result type, stores wrap the value to it); for branches,
//!   `if f` or `unless f` (taken when `f` is true or non-zero, or when not). `other`
//!   entries have none here: their handlers are written out in `exec::handlers`.

/// Calls `$m! { ... }` with the instruction table (see the module docs).
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_instr {
    ($m:ident) => {
        $m! {
            // `dst = a op b`: the numeric binary operators of wasm, by their names.
            binary {
                I32Add (i32, i32 -> i32) [imm = I32AddImm, commutative] = i32_add;
                I32Sub (i32, i32 -> i32) [imm = I32SubImm] = i32_sub;
                I32Mul (i32, i32 -> i32) [imm = I32MulImm, commutative] = i32_mul;
                I32DivS (i32, i32 -> i32) [] = i32_div_s;
                I32DivU (i32, i32 -> i32) [] = i32_div_u;
                I32RemS (i32, i32 -> i32) [] = i32_rem_s;
                I32RemU (i32, i32 -> i32) [] = i32_rem_u;
                I32And (i32, i32 -> i32) [imm = I32AndImm, commutative, br = BrI32AndNez] = i32_and;
                I32Or (i32, i32 -> i32) [imm = I32OrImm, commutative] = i32_or;
                I32Xor (i32, i32 -> i32) [imm = I32XorImm, commutative] = i32_xor;
                I32Shl (i32, i32 -> i32) [imm = I32ShlImm] = i32_shl;
                I32ShrS (i32, i32 -> i32) [imm = I32ShrSImm] = i32_shr_s;
                I32ShrU (i32, i32 -> i32) [imm = I32ShrUImm] = i32_shr_u;
                I32Rotl (i32, i32 -> i32) [imm = I32RotlImm] = i32_rotl;
                I32Rotr (i32, i32 -> i32) [imm = I32RotrImm] = i32_rotr;
                I32Eq (i32, i32 -> i32) [imm = I32EqImm, commutative, br = BrI32Eq] = i32_eq;
                I32Ne (i32, i32 -> i32) [imm = I32NeImm, commutative, br = BrI32Ne] = i32_ne;
                I32LtS (i32, i32 -> i32) [imm = I32LtSImm, swapped = I32GtSImm, br = BrI32LtS] = i32_lt_s;
                I32LtU (i32, i32 -> i32) [imm = I32LtUImm, swapped = I32GtUImm, br = BrI32LtU] = i32_lt_u;
                I32GtS (i32, i32 -> i32) [imm = I32GtSImm, swapped = I32LtSImm, br = BrI32GtS] = i32_gt_s;
                I32GtU (i32, i32 -> i32) [imm = I32GtUImm, swapped = I32LtUImm, br = BrI32GtU] = i32_gt_u;
                I32LeS (i32, i32 -> i32) [imm = I32LeSImm, swapped = I32GeSImm, br = BrI32LeS] = i32_le_s;
                I32LeU (i32, i32 -> i32) [imm = I32LeUImm, swapped = I32GeUImm, br = BrI32LeU] = i32_le_u;
                I32GeS (i32, i32 -> i32) [imm = I32GeSImm, swapped = I32LeSImm, br = BrI32GeS] = i32_ge_s;
                I32GeU (i32, i32 -> i32) [imm = I32GeUImm, swapped = I32LeUImm, br = BrI32GeU] = i32_ge_u;
                I64Add (i64, i64 -> i64) [imm = I64AddImm, commutative] = i64_add;
                I64Sub (i64, i64 -> i64) [imm = I64SubImm] = i64_sub;
                I64Mul (i64, i64 -> i64) [imm = I64MulImm, commutative] = i64_mul;
                I64DivS (i64, i64 -> i64) [] = i64_div_s;
                I64DivU (i64, i64 -> i64) [] = i64_div_u;
                I64RemS (i64, i64 -> i64) [] = i64_rem_s;
                I64RemU (i64, i64 -> i64) [] = i64_rem_u;
                I64And (i64, i64 -> i64) [imm = I64AndImm, commutative] = i64_and;
                I64Or (i64, i64 -> i64) [imm = I64OrImm, commutative] = i64_or;
                I64Xor (i64, i64 -> i64) [imm = I64XorImm, commutative] = i64_xor;
                I64Shl (i64, i64 -> i64) [imm = I64ShlImm] = i64_shl;
                I64ShrS (i64, i64 -> i64) [imm = I64ShrSImm] = i64_shr_s;
                I64ShrU (i64, i64 -> i64) [imm = I64ShrUImm] = i64_shr_u;
                I64Rotl (i64, i64 -> i64) [imm = I64RotlImm] = i64_rotl;
                I64Rotr (i64, i64 -> i64) [imm = I64RotrImm] = i64_rotr;
                I64Eq (i64, i64 -> i32) [imm = I64EqImm, commutative, br = BrI64Eq] = i64_eq;
                I64Ne (i64, i64 -> i32) [imm = I64NeImm, commutative, br = BrI64Ne] = i64_ne;
                I64LtS (i64, i64 -> i32) [imm = I64LtSImm, swapped = I64GtSImm, br = BrI64LtS] = i64_lt_s;
                I64LtU (i64, i64 -> i32) [imm = I64LtUImm, swapped = I64GtUImm, br = BrI64LtU] = i64_lt_u;
                I64GtS (i64, i64 -> i32) [imm = I64GtSImm, swapped = I64LtSImm, br = BrI64GtS] = i64_gt_s;
                I64GtU (i64, i64 -> i32) [imm = I64GtUImm, swapped = I64LtUImm, br = BrI64GtU] = i64_gt_u;
                I64LeS (i64, i64 -> i32) [imm = I64LeSImm, swapped = I64GeSImm, br = BrI64LeS] = i64_le_s;
                I64LeU (i64, i64 -> i32) [imm = I64LeUImm, swapped = I64GeUImm, br = BrI64LeU] = i64_le_u;
                I64GeS (i64, i64 -> i32) [imm = I64GeSImm, swapped = I64LeSImm, br = BrI64GeS] = i64_ge_s;
                I64GeU (i64, i64 -> i32) [imm = I64GeUImm, swapped = I64LeUImm, br = BrI64GeU] = i64_ge_u;
                F32Add (f32, f32 -> f32) [] = f32_add;
                F32Sub (f32, f32 -> f32) [] = f32_sub;
                F32Mul (f32, f32 -> f32) [] = f32_mul;
                F32Div (f32, f32 -> f32) [] = f32_div;
                F32Min (f32, f32 -> f32) [] = f32_min;
                F32Max (f32, f32 -> f32) [] = f32_max;
                F32Copysign (f32, f32 -> f32) [] = f32_copysign;
                F32Eq (f32, f32 -> i32) [br = BrF32Eq] = f32_eq;
                F32Ne (f32, f32 -> i32) [br = BrF32Ne] = f32_ne;
                F32Lt (f32, f32 -> i32) [br = BrF32Lt] = f32_lt;
                F32Gt (f32, f32 -> i32) [br = BrF32Gt] = f32_gt;
                F32Le (f32, f32 -> i32) [br = BrF32Le] = f32_le;
                F32Ge (f32, f32 -> i32) [br = BrF32Ge] = f32_ge;
                F64Add (f64, f64 -> f64) [] = f64_add;
                F64Sub (f64, f64 -> f64) [] = f64_sub;
                F64Mul (f64, f64 -> f64) [] = f64_mul;
                F64Div (f64, f64 -> f64) [] = f64_div;
                F64Min (f64, f64 -> f64) [] = f64_min;
                F64Max (f64, f64 -> f64) [] = f64_max;
                F64Copysign (f64, f64 -> f64) [] = f64_copysign;
                F64Eq (f64, f64 -> i32) [br = BrF64Eq] = f64_eq;
                F64Ne (f64, f64 -> i32) [br = BrF64Ne] = f64_ne;
                F64Lt (f64, f64 -> i32) [br = BrF64Lt] = f64_lt;
                F64Gt (f64, f64 -> i32) [br = BrF64Gt] = f64_gt;
                F64Le (f64, f64 -> i32) [br = BrF64Le] = f64_le;
                F64Ge (f64, f64 -> i32) [br = BrF64Ge] = f64_ge;
            }
            // `dst = a op imm`, the immediate sign-extended for 64-bit operators.
            binary_imm {
                I32AddImm (i32 -> i32) [] = i32_add;
                I32SubImm (i32 -> i32) [] = i32_sub;
                I32MulImm (i32 -> i32) [] = i32_mul;
                I32AndImm (i32 -> i32) [br = BrI32AndImmNez] = i32_and;
                I32OrImm (i32 -> i32) [] = i32_or;
                I32XorImm (i32 -> i32) [] = i32_xor;
                I32ShlImm (i32 -> i32) [] = i32_shl;
                I32ShrSImm (i32 -> i32) [] = i32_shr_s;
                I32ShrUImm (i32 -> i32) [] = i32_shr_u;
                I32RotlImm (i32 -> i32) [] = i32_rotl;
                I32RotrImm (i32 -> i32) [] = i32_rotr;
                I32EqImm (i32 -> i32) [br = BrI32EqImm] = i32_eq;
                I32NeImm (i32 -> i32) [br = BrI32NeImm] = i32_ne;
                I32LtSImm (i32 -> i32) [br = BrI32LtSImm] = i32_lt_s;
                I32LtUImm (i32 -> i32) [br = BrI32LtUImm] = i32_lt_u;
                I32GtSImm (i32 -> i32) [br = BrI32GtSImm] = i32_gt_s;
                I32GtUImm (i32 -> i32) [br = BrI32GtUImm] = i32_gt_u;
                I32LeSImm (i32 -> i32) [br = BrI32LeSImm] = i32_le_s;
                I32LeUImm (i32 -> i32) [br = BrI32LeUImm] = i32_le_u;
                I32GeSImm (i32 -> i32) [br = BrI32GeSImm] = i32_ge_s;
                I32GeUImm (i32 -> i32) [br = BrI32GeUImm] = i32_ge_u;
                I64AddImm (i64 -> i64) [] = i64_add;
                I64SubImm (i64 -> i64) [] = i64_sub;
                I64MulImm (i64 -> i64) [] = i64_mul;
                I64AndImm (i64 -> i64) [] = i64_and;
                I64OrImm (i64 -> i64) [] = i64_or;
                I64XorImm (i64 -> i64) [] = i64_xor;
                I64ShlImm (i64 -> i64) [] = i64_shl;
                I64ShrSImm (i64 -> i64) [] = i64_shr_s;
                I64ShrUImm (i64 -> i64) [] = i64_shr_u;
                I64RotlImm (i64 -> i64) [] = i64_rotl;
                I64RotrImm (i64 -> i64) [] = i64_rotr;
                I64EqImm (i64 -> i32) [br = BrI64EqImm] = i64_eq;
                I64NeImm (i64 -> i32) [br = BrI64NeImm] = i64_ne;
                I64LtSImm (i64 -> i32) [br = BrI64LtSImm] = i64_lt_s;
                I64LtUImm (i64 -> i32) [br = BrI64LtUImm] = i64_lt_u;
                I64GtSImm (i64 -> i32) [br = BrI64GtSImm] = i64_gt_s;
                I64GtUImm (i64 -> i32) [br = BrI64GtUImm] = i64_gt_u;
                I64LeSImm (i64 -> i32) [br = BrI64LeSImm] = i64_le_s;
                I64LeUImm (i64 -> i32) [br = BrI64LeUImm] = i64_le_u;
                I64GeSImm (i64 -> i32) [br = BrI64GeSImm] = i64_ge_s;
                I64GeUImm (i64 -> i32) [br = BrI64GeUImm] = i64_ge_u;
            }
            // `dst = op src`: the numeric unary operators and conversions of wasm (those
            // that only reinterpret bits are no instruction at all), and `ref.is_null`.
            unary {
                I32Clz (i32 -> i32) [] = i32_clz;
                I32Ctz (i32 -> i32) [] = i32_ctz;
                I32Popcnt (i32 -> i32) [] = i32_popcnt;
                I32Eqz (i32 -> i32) [br = BrIfEqz] = i32_eqz;
                I64Clz (i64 -> i64) [] = i64_clz;
                I64Ctz (i64 -> i64) [] = i64_ctz;
                I64Popcnt (i64 -> i64) [] = i64_popcnt;
                // Fuses as `a == 0` against an immediate.
                I64Eqz (i64 -> i32) [br = BrI64EqImm] = i64_eqz;
                F32Abs (f32 -> f32) [] = f32_abs;
                F32Neg (f32 -> f32) [] = f32_neg;
                F32Ceil (f32 -> f32) [] = f32_ceil;
                F32Floor (f32 -> f32) [] = f32_floor;
                F32Trunc (f32 -> f32) [] = f32_trunc;
                F32Nearest (f32 -> f32) [] = f32_nearest;
                F32Sqrt (f32 -> f32) [] = f32_sqrt;
                F64Abs (f64 -> f64) [] = f64_abs;
                F64Neg (f64 -> f64) [] = f64_neg;
                F64Ceil (f64 -> f64) [] = f64_ceil;
                F64Floor (f64 -> f64) [] = f64_floor;
                F64Trunc (f64 -> f64) [] = f64_trunc;
                F64Nearest (f64 -> f64) [] = f64_nearest;
                F64Sqrt (f64 -> f64) [] = f64_sqrt;
                I32TruncF32S (f32 -> i32) [] = i32_trunc_f32_s;
                I32TruncF32U (f32 -> i32) [] = i32_trunc_f32_u;
                I32TruncF64S (f64 -> i32) [] = i32_trunc_f64_s;
                I32TruncF64U (f64 -> i32) [] = i32_trunc_f64_u;
                I64ExtendI32S (i32 -> i64) [] = i64_extend_i32_s;
                I64ExtendI32U (i32 -> i64) [] = i64_extend_i32_u;
                I64TruncF32S (f32 -> i64) [] = i64_trunc_f32_s;
                I64TruncF32U (f32 -> i64) [] = i64_trunc_f32_u;
                I64TruncF64S (f64 -> i64) [] = i64_trunc_f64_s;
                I64TruncF64U (f64 -> i64) [] = i64_trunc_f64_u;
                F32ConvertI32S (i32 -> f32) [] = f32_convert_i32_s;
                F32ConvertI32U (i32 -> f32) [] = f32_convert_i32_u;
                F32ConvertI64S (i64 -> f32) [] = f32_convert_i64_s;
                F32ConvertI64U (i64 -> f32) [] = f32_convert_i64_u;
                F32DemoteF64 (f64 -> f32) [] = f32_demote_f64;
                F64ConvertI32S (i32 -> f64) [] = f64_convert_i32_s;
                F64ConvertI32U (i32 -> f64) [] = f64_convert_i32_u;
                F64ConvertI64S (i64 -> f64) [] = f64_convert_i64_s;
                F64ConvertI64U (i64 -> f64) [] = f64_convert_i64_u;
                F64PromoteF32 (f32 -> f64) [] = f64_promote_f32;
                I32Extend8S (i32 -> i32) [] = i32_extend8_s;
                I32Extend16S (i32 -> i32) [] = i32_extend16_s;
                I64Extend8S (i64 -> i64) [] = i64_extend8_s;
                I64Extend16S (i64 -> i64) [] = i64_extend16_s;
                I64Extend32S (i64 -> i64) [] = i64_extend32_s;
                I32TruncSatF32S (f32 -> i32) [] = i32_trunc_sat_f32_s;
                I32TruncSatF32U (f32 -> i32) [] = i32_trunc_sat_f32_u;
                I32TruncSatF64S (f64 -> i32) [] = i32_trunc_sat_f64_s;
                I32TruncSatF64U (f64 -> i32) [] = i32_trunc_sat_f64_u;
                I64TruncSatF32S (f32 -> i64) [] = i64_trunc_sat_f32_s;
                I64TruncSatF32U (f32 -> i64) [] = i64_trunc_sat_f32_u;
                I64TruncSatF64S (f64 -> i64) [] = i64_trunc_sat_f64_s;
                I64TruncSatF64U (f64 -> i64) [] = i64_trunc_sat_f64_u;
                RefIsNull (ref -> i32) [] = ref_is_null;
            }
            // `dst = memory[addr + offset]`, the memory type extended to the result's.
            load {
                I32Load (i32 -> i32) [twin = F32Load, sum = I32LoadAdd] = i32;
                I64Load (i32 -> i64) [twin = F64Load, sum = I64LoadAdd] = i64;
                F32Load (i32 -> f32) [sum = F32LoadAdd] = f32;
                F64Load (i32 -> f64) [sum = F64LoadAdd] = f64;
                I32Load8S (i32 -> i32) [sum = I32Load8SAdd] = i8;
                I32Load8U (i32 -> i32) [sum = I32Load8UAdd] = u8;
                I32Load16S (i32 -> i32) [sum = I32Load16SAdd] = i16;
                I32Load16U (i32 -> i32) [sum = I32Load16UAdd] = u16;
                I64Load8S (i32 -> i64) [sum = I64Load8SAdd] = i8;
                I64Load8U (i32 -> i64) [sum = I64Load8UAdd] = u8;
                I64Load16S (i32 -> i64) [sum = I64Load16SAdd] = i16;
                I64Load16U (i32 -> i64) [sum = I64Load16UAdd] = u16;
                I64Load32S (i32 -> i64) [sum = I64Load32SAdd] = i32;
                I64Load32U (i32 -> i64) [sum = I64Load32UAdd] = u32;
            }
            // The same from address `a + imm` (wrapping, as the `i32.add` it replaces), then
            // `offset`.
            load_add {
                I32LoadAdd (i32 -> i32) [twin = F32LoadAdd] = i32;
                I64LoadAdd (i32 -> i64) [twin = F64LoadAdd] = i64;
                F32LoadAdd (i32 -> f32) [] = f32;
                F64LoadAdd (i32 -> f64) [] = f64;
                I32Load8SAdd (i32 -> i32) [] = i8;
                I32Load8UAdd (i32 -> i32) [] = u8;
                I32Load16SAdd (i32 -> i32) [] = i16;
                I32Load16UAdd (i32 -> i32) [] = u16;
                I64Load8SAdd (i32 -> i64) [] = i8;
                I64Load8UAdd (i32 -> i64) [] = u8;
                I64Load16SAdd (i32 -> i64) [] = i16;
                I64Load16UAdd (i32 -> i64) [] = u16;
                I64Load32SAdd (i32 -> i64) [] = i32;
                I64Load32UAdd (i32 -> i64) [] = u32;
            }
            // `memory[addr + offset] = value`, wrapped to the memory type. The value is the
            // forwardable operand (it is usually computed last). Float stores have
            // instructions of their own only so that a value just computed arrives from the
            // float accumulators.
            store {
                I32Store (i32 ->) [] = u32;
                I64Store (i64 ->) [] = u64;
                F32Store (f32 ->) [] = f32;
                F64Store (f64 ->) [] = f64;
                I32Store8 (i32 ->) [] = u8;
                I32Store16 (i32 ->) [] = u16;
                I64Store8 (i64 ->) [] = u8;
                I64Store16 (i64 ->) [] = u16;
                I64Store32 (i64 ->) [] = u32;
            }
            // Fused compare-and-branch: jump by `offset` if `a cmp b` (`Not*`: if not; `And*`:
            // if `a & b` is non-zero or zero). Float comparisons are false on NaN, so "not
            // less than" is not "greater or equal": they have negated forms of their own.
            branch_cmp {
                BrI32Eq (i32, i32 ->) [not = BrI32Ne] = if i32_eq;
                BrI32Ne (i32, i32 ->) [] = if i32_ne;
                BrI32LtS (i32, i32 ->) [not = BrI32GeS] = if i32_lt_s;
                BrI32LtU (i32, i32 ->) [not = BrI32GeU] = if i32_lt_u;
                BrI32GtS (i32, i32 ->) [not = BrI32LeS] = if i32_gt_s;
                BrI32GtU (i32, i32 ->) [not = BrI32LeU] = if i32_gt_u;
                BrI32LeS (i32, i32 ->) [] = if i32_le_s;
                BrI32LeU (i32, i32 ->) [] = if i32_le_u;
                BrI32GeS (i32, i32 ->) [] = if i32_ge_s;
                BrI32GeU (i32, i32 ->) [] = if i32_ge_u;
                BrI32AndNez (i32, i32 ->) [not = BrI32AndEqz] = if i32_and;
                BrI32AndEqz (i32, i32 ->) [] = unless i32_and;
                BrI64Eq (i64, i64 ->) [not = BrI64Ne] = if i64_eq;
                BrI64Ne (i64, i64 ->) [] = if i64_ne;
                BrI64LtS (i64, i64 ->) [not = BrI64GeS] = if i64_lt_s;
                BrI64LtU (i64, i64 ->) [not = BrI64GeU] = if i64_lt_u;
                BrI64GtS (i64, i64 ->) [not = BrI64LeS] = if i64_gt_s;
                BrI64GtU (i64, i64 ->) [not = BrI64LeU] = if i64_gt_u;
                BrI64LeS (i64, i64 ->) [] = if i64_le_s;
                BrI64LeU (i64, i64 ->) [] = if i64_le_u;
                BrI64GeS (i64, i64 ->) [] = if i64_ge_s;
                BrI64GeU (i64, i64 ->) [] = if i64_ge_u;
                BrF32Eq (f32, f32 ->) [not = BrF32Ne] = if f32_eq;
                BrF32Ne (f32, f32 ->) [] = if f32_ne;
                BrF32Lt (f32, f32 ->) [not = BrF32NotLt] = if f32_lt;
                BrF32Gt (f32, f32 ->) [not = BrF32NotGt] = if f32_gt;
                BrF32Le (f32, f32 ->) [not = BrF32NotLe] = if f32_le;
                BrF32Ge (f32, f32 ->) [not = BrF32NotGe] = if f32_ge;
                BrF32NotLt (f32, f32 ->) [] = unless f32_lt;
                BrF32NotGt (f32, f32 ->) [] = unless f32_gt;
                BrF32NotLe (f32, f32 ->) [] = unless f32_le;
                BrF32NotGe (f32, f32 ->) [] = unless f32_ge;
                BrF64Eq (f64, f64 ->) [not = BrF64Ne] = if f64_eq;
                BrF64Ne (f64, f64 ->) [] = if f64_ne;
                BrF64Lt (f64, f64 ->) [not = BrF64NotLt] = if f64_lt;
                BrF64Gt (f64, f64 ->) [not = BrF64NotGt] = if f64_gt;
                BrF64Le (f64, f64 ->) [not = BrF64NotLe] = if f64_le;
                BrF64Ge (f64, f64 ->) [not = BrF64NotGe] = if f64_ge;
                BrF64NotLt (f64, f64 ->) [] = unless f64_lt;
                BrF64NotGt (f64, f64 ->) [] = unless f64_gt;
                BrF64NotLe (f64, f64 ->) [] = unless f64_le;
                BrF64NotGe (f64, f64 ->) [] = unless f64_ge;
            }
            // The same against an immediate (sign-extended for i64).
            branch_cmp_imm {
                BrI32EqImm (i32 ->) [not = BrI32NeImm] = if i32_eq;
                BrI32NeImm (i32 ->) [] = if i32_ne;
                BrI32LtSImm (i32 ->) [not = BrI32GeSImm] = if i32_lt_s;
                BrI32LtUImm (i32 ->) [not = BrI32GeUImm] = if i32_lt_u;
                BrI32GtSImm (i32 ->) [not = BrI32LeSImm] = if i32_gt_s;
                BrI32GtUImm (i32 ->) [not = BrI32LeUImm] = if i32_gt_u;
                BrI32LeSImm (i32 ->) [] = if i32_le_s;
                BrI32LeUImm (i32 ->) [] = if i32_le_u;
                BrI32GeSImm (i32 ->) [] = if i32_ge_s;
                BrI32GeUImm (i32 ->) [] = if i32_ge_u;
                BrI32AndImmNez (i32 ->) [not = BrI32AndImmEqz] = if i32_and;
                BrI32AndImmEqz (i32 ->) [] = unless i32_and;
                BrI64EqImm (i64 ->) [not = BrI64NeImm] = if i64_eq;
                BrI64NeImm (i64 ->) [] = if i64_ne;
                BrI64LtSImm (i64 ->) [not = BrI64GeSImm] = if i64_lt_s;
                BrI64LtUImm (i64 ->) [not = BrI64GeUImm] = if i64_lt_u;
                BrI64GtSImm (i64 ->) [not = BrI64LeSImm] = if i64_gt_s;
                BrI64GtUImm (i64 ->) [not = BrI64LeUImm] = if i64_gt_u;
                BrI64LeSImm (i64 ->) [] = if i64_le_s;
                BrI64LeUImm (i64 ->) [] = if i64_le_u;
                BrI64GeSImm (i64 ->) [] = if i64_ge_s;
                BrI64GeUImm (i64 ->) [] = if i64_ge_u;
            }
            // Everything else: control, calls, moves and constants, the entities. Each has
            // a handler written out in `exec::handlers` under its name.
            other {
                Unreachable ( -> ) [];
                /// Charges `amount` fuel for the basic block it starts (only emitted with fuel
                /// on).
                ConsumeFuel { amount: u32 } ( -> ) [];
                /// Traps if the store was interrupted (only emitted for interruptible engines).
                CheckInterrupt ( -> ) [];
                /// Counts a call of defined function `def` for tier-up (only emitted when the
                /// engine tiers up; the first instruction of such a function).
                Hot { def: u32 } ( -> ) [feature = "tier-up"];
                /// Counts an entry into the loop header at wasm byte `offset` of defined
                /// function `def`, and past the threshold moves the frame to native code
                /// there if the JIT has it ready (on-stack replacement). Only emitted when
                /// the engine tiers up, as the first instruction of every loop header.
                HotLoop { def: u32, offset: u32 } ( -> ) [feature = "tier-up"];
                /// The whole body of a function the JIT has compiled
                /// (`CompiledFunc::native`): runs the native code on the frame's slots and
                /// returns its results.
                EnterNative ( -> ) [feature = "tier-up"];
                Br { offset: i32 } ( -> ) [branch = offset];
                BrIfNez { cond: Slot, offset: i32 } (i32 -> ) [first = cond, branch = offset, not = BrIfEqz];
                BrIfEqz { cond: Slot, offset: i32 } (i32 -> ) [first = cond, branch = offset];
                /// Jumps to the `index`-th of the `len` `Br`s that follow (the last one when
                /// `index >= len - 1`; `len` counts the default). Its targets are those
                /// `Br`s'.
                BrTable { index: Slot, len: u32 } (i32 -> ) [first = index];
                /// `dst = src`, a whole slot (no wasm operator of its own).
                Copy { dst: Slot, src: Slot } (any -> any) [result = dst, first = src];
                /// `dst0 = src0` and `dst1 = src1`, `dst1` last where they are the same
                /// slot. `src1` is never `dst0` (the translator reads `src0` instead), so
                /// the handler may load both before it stores either.
                Copy2 { dst0: Slot, src0: Slot, dst1: Slot, src1: Slot } ( -> ) [];
                /// `dst[0..len] = src[0..len]`, as `memmove`.
                CopyMany { dst: Slot, src: Slot, len: u16 } ( -> ) [];
                Const32 { dst: Slot, value: u32 } ( -> any) [result = dst];
                Const64 { dst: Slot, value: u64 } ( -> any) [result = dst];
                Select { dst: Slot, cond: Slot, a: Slot, b: Slot } ( -> any) [result = dst];
                /// `dst = a + (b << shift)` in i32 (`shift < 32`): an `i32.shl` by a
                /// constant whose only use is an `i32.add`, the scaled index of an array
                /// access.
                I32AddShl { dst: Slot, a: Slot, b: Slot, shift: u16 } (i32, i32 -> i32) [result = dst, first = a, second = b];
                Return0 ( -> ) [];
                /// Returns one result from `src`.
                Return1 { src: Slot } ( -> ) [];
                /// Returns `len` results from `src..src + len`.
                ReturnMany { src: Slot, len: u16 } ( -> ) [];
                /// Calls defined function `def` (index among the module's defined
                /// functions).
                CallInternal { def: u32, base: Slot } ( -> ) [];
                /// Calls function `func` of the instance's index space (imports, or
                /// anything).
                Call { func: u32, base: Slot } ( -> ) [];
                CallIndirect { ty: u32, table: u32, index: Slot, base: Slot } ( -> ) [];
                /// Calls the function reference in slot `func` (trapping if null).
                CallRef { func: Slot, base: Slot } ( -> ) [feature = "function-references"];
                /// Tail calls: the callee takes the place of the running frame. Its `len`
                /// arguments, at `base`, move to the frame's first slots, and its results
                /// are the frame's. (The same callees as the calls above.)
                ReturnCallInternal { def: u32, base: Slot, len: u16 } ( -> ) [feature = "tail-call"];
                ReturnCall { func: u32, base: Slot, len: u16 } ( -> ) [feature = "tail-call"];
                ReturnCallIndirect { ty: u32, table: u32, index: Slot, base: Slot, len: u16 } ( -> ) [feature = "tail-call"];
                ReturnCallRef { func: Slot, base: Slot, len: u16 } ( -> ) [feature = "tail-call", feature = "function-references"];
                /// `dst = src`, trapping if it is a null reference (`ref.as_non_null`).
                RefAsNonNull { dst: Slot, src: Slot } (ref -> ref) [result = dst, first = src, feature = "function-references"];
                /// Throws a new exception of the instance's tag `tag` with the `len` values
                /// at `base`.
                Throw { tag: u32, base: Slot, len: u16 } ( -> ) [feature = "exceptions"];
                /// Throws the exception in slot `src` again (`throw_ref`; trapping if it is
                /// null), or, for a legacy `rethrow`, the one a `catch` block keeps in its
                /// slot.
                ThrowRef { src: Slot } ( -> ) [feature = "exceptions"];
                /// The first instruction of a handler (`CompiledFunc::regions`): takes the
                /// exception being handled, writing its `len` values to `dst..`, and then as
                /// `mode` says: 0, nothing (a plain `catch`, which frees it if it was never
                /// a value); 1, its `exnref` to slot `dst + len` (`catch_ref`); 2, its
                /// `exnref` to slot `exn`, where a legacy `catch` block holds it for
                /// `rethrow`.
                Caught { dst: Slot, len: u16, exn: Slot, mode: u16 } ( -> ) [feature = "exceptions"];
                /// A legacy `catch` block ends normally: it no longer holds the exception in
                /// slot `exn`.
                CatchEnd { exn: Slot } ( -> ) [feature = "exceptions"];
                GlobalGet { dst: Slot, global: u32 } ( -> any) [result = dst];
                GlobalSet { src: Slot, global: u32 } (any -> ) [first = src];
                RefFunc { dst: Slot, func: u32 } ( -> ref) [result = dst];
                TableGet { dst: Slot, index: Slot, table: u32 } ( -> ref) [result = dst];
                TableSet { index: Slot, value: Slot, table: u32 } ( -> ) [];
                TableSize { dst: Slot, table: u32 } ( -> i32) [result = dst];
                /// `dst = table.grow(init, delta)`; `dst` also holds `init` on entry.
                TableGrow { dst: Slot, delta: Slot, table: u32 } ( -> ) [];
                TableFill { dst: Slot, value: Slot, len: Slot, table: u32 } ( -> ) [];
                TableCopy { dst: Slot, src: Slot, len: Slot, dst_table: u16, src_table: u16 } ( -> ) [];
                TableInit { dst: Slot, src: Slot, len: Slot, table: u16, elem: u32 } ( -> ) [];
                ElemDrop { elem: u32 } ( -> ) [];
                /// Makes memory `mem` the one the following memory instruction uses.
                /// Emitted only around instructions on memories other than 0, and reset to
                /// 0 right after.
                UseMemory { mem: u32 } ( -> ) [];
                /// `memory.copy` between two distinct memories.
                MemoryCopyBetween { dst: Slot, src: Slot, len: Slot, dst_mem: u16, src_mem: u16 } ( -> ) [];
                MemorySize { dst: Slot } ( -> i32) [result = dst];
                MemoryGrow { dst: Slot, delta: Slot } ( -> i32) [result = dst];
                MemoryFill { dst: Slot, value: Slot, len: Slot } ( -> ) [];
                MemoryCopy { dst: Slot, src: Slot, len: Slot } ( -> ) [];
                MemoryInit { dst: Slot, src: Slot, len: Slot, data: u32 } ( -> ) [];
                DataDrop { data: u32 } ( -> ) [];
            }
        }
    };
}
