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
        $crate::with_simd_instrs! { $m;
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
                /// The wide-arithmetic operators (`wisp_core::wasm::i64_add128` and the
                /// rest): the 128-bit result's halves to `lo` and `hi`, written after every
                /// operand is read, so they may be operand slots.
                I64Add128 { lo: Slot, hi: Slot, a_lo: Slot, a_hi: Slot, b_lo: Slot, b_hi: Slot } ( -> ) [feature = "wide-arithmetic"];
                I64Sub128 { lo: Slot, hi: Slot, a_lo: Slot, a_hi: Slot, b_lo: Slot, b_hi: Slot } ( -> ) [feature = "wide-arithmetic"];
                I64MulWideS { lo: Slot, hi: Slot, a: Slot, b: Slot } ( -> ) [feature = "wide-arithmetic"];
                I64MulWideU { lo: Slot, hi: Slot, a: Slot, b: Slot } ( -> ) [feature = "wide-arithmetic"];
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
                /// `memory.copy` between two distinct memories. `index64`: bit 0 set when
                /// the destination is a 64-bit memory, bit 1 when the source is (their
                /// operands are then `i64`s, and the length when both are).
                MemoryCopyBetween { dst: Slot, src: Slot, len: Slot, dst_mem: u16, src_mem: u16, index64: u16 } ( -> ) [];
                /// The size in pages (an `i32` or, of a 64-bit memory, an `i64`).
                MemorySize { dst: Slot } ( -> i32) [result = dst];
                /// `index64` (0 or 1) on a 64-bit memory: `delta` and the result are
                /// `i64`s, the failure result -1 in 64 bits. So too for the bulk
                /// operations below: their addresses and lengths (not `memory.init`'s
                /// segment offset and length) are `i64`s.
                MemoryGrow { dst: Slot, delta: Slot, index64: u16 } ( -> ) [];
                MemoryFill { dst: Slot, value: Slot, len: Slot, index64: u16 } ( -> ) [];
                MemoryCopy { dst: Slot, src: Slot, len: Slot, index64: u16 } ( -> ) [];
                MemoryInit { dst: Slot, src: Slot, len: Slot, data: u32, index64: u16 } ( -> ) [];
                /// Loads and stores on a 64-bit memory (memory64): as the `load` and
                /// `store` groups, but the address is an `i64`, the offset 64 bits, and the
                /// bounds check covers every address up to 2^64 (`handlers::memory64`).
                Mem64I32Load { dst: Slot, addr: Slot, offset: u64 } (i64 -> i32) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64F32Load { dst: Slot, addr: Slot, offset: u64 } (i64 -> f32) [result = dst, first = addr, feature = "memory64"];
                Mem64F64Load { dst: Slot, addr: Slot, offset: u64 } (i64 -> f64) [result = dst, first = addr, feature = "memory64"];
                Mem64I32Load8S { dst: Slot, addr: Slot, offset: u64 } (i64 -> i32) [result = dst, first = addr, feature = "memory64"];
                Mem64I32Load8U { dst: Slot, addr: Slot, offset: u64 } (i64 -> i32) [result = dst, first = addr, feature = "memory64"];
                Mem64I32Load16S { dst: Slot, addr: Slot, offset: u64 } (i64 -> i32) [result = dst, first = addr, feature = "memory64"];
                Mem64I32Load16U { dst: Slot, addr: Slot, offset: u64 } (i64 -> i32) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load8S { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load8U { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load16S { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load16U { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load32S { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64I64Load32U { dst: Slot, addr: Slot, offset: u64 } (i64 -> i64) [result = dst, first = addr, feature = "memory64"];
                Mem64I32Store { addr: Slot, value: Slot, offset: u64 } (i32 -> ) [first = value, feature = "memory64"];
                Mem64I64Store { addr: Slot, value: Slot, offset: u64 } (i64 -> ) [first = value, feature = "memory64"];
                Mem64F32Store { addr: Slot, value: Slot, offset: u64 } (f32 -> ) [first = value, feature = "memory64"];
                Mem64F64Store { addr: Slot, value: Slot, offset: u64 } (f64 -> ) [first = value, feature = "memory64"];
                Mem64I32Store8 { addr: Slot, value: Slot, offset: u64 } (i32 -> ) [first = value, feature = "memory64"];
                Mem64I32Store16 { addr: Slot, value: Slot, offset: u64 } (i32 -> ) [first = value, feature = "memory64"];
                Mem64I64Store8 { addr: Slot, value: Slot, offset: u64 } (i64 -> ) [first = value, feature = "memory64"];
                Mem64I64Store16 { addr: Slot, value: Slot, offset: u64 } (i64 -> ) [first = value, feature = "memory64"];
                Mem64I64Store32 { addr: Slot, value: Slot, offset: u64 } (i64 -> ) [first = value, feature = "memory64"];
                /// How a SIMD access reaches a 64-bit memory of any size: narrows the
                /// memory registers to the bytes from `addr + offset` on (trapping if that
                /// is past the end) and sets `dst` to 0, the address the access after it
                /// takes with offset 0, checking its own size against the narrowed length.
                /// A `UseMemory` after the access restores the registers.
                Mem64Window { dst: Slot, addr: Slot, offset: u64 } ( -> ) [feature = "memory64"];
                /// A table64's `i64` index or count as the `u32` the table instructions
                /// take: saturated, which keeps an index out of bounds and a count too large
                /// (`wisp_core::ops::table_index`).
                TableIndex64 { dst: Slot, src: Slot } ( -> ) [feature = "memory64"];
                /// The threads proposal's atomic memory operators
                /// (`wisp_core::wasm::atomic`), one instruction for all: `kind`
                /// (`bytecode::AtomicKind`) names the operation, its width, whether values
                /// are `i64`s, and whether the memory is 64-bit and shared. Operands by
                /// operation: load `addr`; store, read-modify-write `addr, a` (the value);
                /// cmpxchg `addr, a` (expected), `b` (replacement); wait `addr, a`
                /// (expected), `b` (timeout); notify `addr, a` (count). The memory
                /// argument's offset is the `i64` in slot `offset` (a constant), which keeps
                /// the instruction within the payload's 16 bytes. The result, if any, to
                /// `dst`, after every operand is read.
                Atomic { dst: Slot, addr: Slot, a: Slot, b: Slot, offset: Slot, kind: u16 } ( -> ) [feature = "threads"];
                /// `atomic.fence`: a sequentially consistent fence.
                AtomicFence ( -> ) [feature = "threads"];
                /// A table64's `table.grow` result: -1 in 64 bits where the `u32` result is
                /// -1, else the size zero-extended.
                TableGrown64 { dst: Slot } ( -> ) [feature = "memory64"];
                DataDrop { data: u32 } ( -> ) [];
            }
        }
    };
}

/// Calls `$m!` with the SIMD part of the table (`simd { ... }`) and then the rest. (First, so
/// that macros matching the rest group by group need not tell `simd` from a group name.) Built with the `simd` feature; without it the same groups are empty, so that no
/// SIMD instruction, tag, handler or table entry exists at all (firmware's flash).
///
/// The groups are shapes: each fixes the operand fields (and so how a handler reads them)
/// and how the entry's semantics, a function of `wisp_core::wasm::simd` of the operator's
/// name, is applied (a `v128` operand is read from two slots, low half first; a scalar
/// from one):
///
/// | group | fields | computes |
/// |---|---|---|
/// | `unary` | `dst, src` | `dst = f(src)` |
/// | `binary` | `dst, a, b` | `dst = f(a, b)` (shifts: `b` is the `i32` count) |
/// | `ternary` | `dst, a, b, c` | `dst = f(a, b, c)` |
/// | `shuffle` | `dst, a, b, lanes` | `dst = f(a, b, lanes)`, `lanes` a constant in the pool |
/// | `lane` | `dst, src, lane` | `dst = f(src, lane)` (`extract_lane`) |
/// | `replace` | `dst, a, b, lane` | `dst = f(a, lane, b)` (`replace_lane`) |
/// | `load` | `dst, addr, offset` | `dst = f(memory[addr + offset] as M)` |
/// | `load_lane` | `dst, addr, src, lane, offset` | `dst = f(src, lane, memory[..] as M)` |
/// | `store` | `addr, value, offset` | `memory[addr + offset] = f(value) as M` |
/// | `store_lane` | `addr, value, lane, offset` | `memory[..] = f(value, lane) as M` |
///
/// `M`, in the memory groups, is the type of the bytes moved (`u8` to `u128`), written
/// before the function. `other` lists instructions with fields of their own and handlers
/// written out (`exec::handlers::simd`), as the main table's `other` group does.
#[cfg(feature = "simd")]
#[macro_export]
#[doc(hidden)]
macro_rules! with_simd_instrs {
    ($m:ident; $($table:tt)*) => {
        $crate::simd_flatten! {
            $m; [$($table)*]
                unary {
                    I8x16Splat = i8x16_splat;
                    I16x8Splat = i16x8_splat;
                    I32x4Splat = i32x4_splat;
                    I64x2Splat = i64x2_splat;
                    F32x4Splat = f32x4_splat;
                    F64x2Splat = f64x2_splat;
                    V128Not = v128_not;
                    V128AnyTrue = v128_any_true;
                    I8x16Abs = i8x16_abs;
                    I8x16Neg = i8x16_neg;
                    I8x16Popcnt = i8x16_popcnt;
                    I8x16AllTrue = i8x16_all_true;
                    I8x16Bitmask = i8x16_bitmask;
                    I16x8ExtAddPairwiseI8x16S = i16x8_extadd_pairwise_i8x16_s;
                    I16x8ExtAddPairwiseI8x16U = i16x8_extadd_pairwise_i8x16_u;
                    I16x8Abs = i16x8_abs;
                    I16x8Neg = i16x8_neg;
                    I16x8AllTrue = i16x8_all_true;
                    I16x8Bitmask = i16x8_bitmask;
                    I16x8ExtendLowI8x16S = i16x8_extend_low_i8x16_s;
                    I16x8ExtendHighI8x16S = i16x8_extend_high_i8x16_s;
                    I16x8ExtendLowI8x16U = i16x8_extend_low_i8x16_u;
                    I16x8ExtendHighI8x16U = i16x8_extend_high_i8x16_u;
                    I32x4ExtAddPairwiseI16x8S = i32x4_extadd_pairwise_i16x8_s;
                    I32x4ExtAddPairwiseI16x8U = i32x4_extadd_pairwise_i16x8_u;
                    I32x4Abs = i32x4_abs;
                    I32x4Neg = i32x4_neg;
                    I32x4AllTrue = i32x4_all_true;
                    I32x4Bitmask = i32x4_bitmask;
                    I32x4ExtendLowI16x8S = i32x4_extend_low_i16x8_s;
                    I32x4ExtendHighI16x8S = i32x4_extend_high_i16x8_s;
                    I32x4ExtendLowI16x8U = i32x4_extend_low_i16x8_u;
                    I32x4ExtendHighI16x8U = i32x4_extend_high_i16x8_u;
                    I64x2Abs = i64x2_abs;
                    I64x2Neg = i64x2_neg;
                    I64x2AllTrue = i64x2_all_true;
                    I64x2Bitmask = i64x2_bitmask;
                    I64x2ExtendLowI32x4S = i64x2_extend_low_i32x4_s;
                    I64x2ExtendHighI32x4S = i64x2_extend_high_i32x4_s;
                    I64x2ExtendLowI32x4U = i64x2_extend_low_i32x4_u;
                    I64x2ExtendHighI32x4U = i64x2_extend_high_i32x4_u;
                    F32x4Ceil = f32x4_ceil;
                    F32x4Floor = f32x4_floor;
                    F32x4Trunc = f32x4_trunc;
                    F32x4Nearest = f32x4_nearest;
                    F32x4Abs = f32x4_abs;
                    F32x4Neg = f32x4_neg;
                    F32x4Sqrt = f32x4_sqrt;
                    F64x2Ceil = f64x2_ceil;
                    F64x2Floor = f64x2_floor;
                    F64x2Trunc = f64x2_trunc;
                    F64x2Nearest = f64x2_nearest;
                    F64x2Abs = f64x2_abs;
                    F64x2Neg = f64x2_neg;
                    F64x2Sqrt = f64x2_sqrt;
                    I32x4TruncSatF32x4S = i32x4_trunc_sat_f32x4_s;
                    I32x4TruncSatF32x4U = i32x4_trunc_sat_f32x4_u;
                    F32x4ConvertI32x4S = f32x4_convert_i32x4_s;
                    F32x4ConvertI32x4U = f32x4_convert_i32x4_u;
                    I32x4TruncSatF64x2SZero = i32x4_trunc_sat_f64x2_s_zero;
                    I32x4TruncSatF64x2UZero = i32x4_trunc_sat_f64x2_u_zero;
                    F64x2ConvertLowI32x4S = f64x2_convert_low_i32x4_s;
                    F64x2ConvertLowI32x4U = f64x2_convert_low_i32x4_u;
                    F32x4DemoteF64x2Zero = f32x4_demote_f64x2_zero;
                    F64x2PromoteLowF32x4 = f64x2_promote_low_f32x4;
                    I32x4RelaxedTruncF32x4S = i32x4_relaxed_trunc_f32x4_s;
                    I32x4RelaxedTruncF32x4U = i32x4_relaxed_trunc_f32x4_u;
                    I32x4RelaxedTruncF64x2SZero = i32x4_relaxed_trunc_f64x2_s_zero;
                    I32x4RelaxedTruncF64x2UZero = i32x4_relaxed_trunc_f64x2_u_zero;
                }
                binary {
                    I8x16Swizzle = i8x16_swizzle;
                    I8x16Eq = i8x16_eq;
                    I8x16Ne = i8x16_ne;
                    I8x16LtS = i8x16_lt_s;
                    I8x16LtU = i8x16_lt_u;
                    I8x16GtS = i8x16_gt_s;
                    I8x16GtU = i8x16_gt_u;
                    I8x16LeS = i8x16_le_s;
                    I8x16LeU = i8x16_le_u;
                    I8x16GeS = i8x16_ge_s;
                    I8x16GeU = i8x16_ge_u;
                    I16x8Eq = i16x8_eq;
                    I16x8Ne = i16x8_ne;
                    I16x8LtS = i16x8_lt_s;
                    I16x8LtU = i16x8_lt_u;
                    I16x8GtS = i16x8_gt_s;
                    I16x8GtU = i16x8_gt_u;
                    I16x8LeS = i16x8_le_s;
                    I16x8LeU = i16x8_le_u;
                    I16x8GeS = i16x8_ge_s;
                    I16x8GeU = i16x8_ge_u;
                    I32x4Eq = i32x4_eq;
                    I32x4Ne = i32x4_ne;
                    I32x4LtS = i32x4_lt_s;
                    I32x4LtU = i32x4_lt_u;
                    I32x4GtS = i32x4_gt_s;
                    I32x4GtU = i32x4_gt_u;
                    I32x4LeS = i32x4_le_s;
                    I32x4LeU = i32x4_le_u;
                    I32x4GeS = i32x4_ge_s;
                    I32x4GeU = i32x4_ge_u;
                    I64x2Eq = i64x2_eq;
                    I64x2Ne = i64x2_ne;
                    I64x2LtS = i64x2_lt_s;
                    I64x2GtS = i64x2_gt_s;
                    I64x2LeS = i64x2_le_s;
                    I64x2GeS = i64x2_ge_s;
                    F32x4Eq = f32x4_eq;
                    F32x4Ne = f32x4_ne;
                    F32x4Lt = f32x4_lt;
                    F32x4Gt = f32x4_gt;
                    F32x4Le = f32x4_le;
                    F32x4Ge = f32x4_ge;
                    F64x2Eq = f64x2_eq;
                    F64x2Ne = f64x2_ne;
                    F64x2Lt = f64x2_lt;
                    F64x2Gt = f64x2_gt;
                    F64x2Le = f64x2_le;
                    F64x2Ge = f64x2_ge;
                    V128And = v128_and;
                    V128AndNot = v128_andnot;
                    V128Or = v128_or;
                    V128Xor = v128_xor;
                    I8x16NarrowI16x8S = i8x16_narrow_i16x8_s;
                    I8x16NarrowI16x8U = i8x16_narrow_i16x8_u;
                    I8x16Shl = i8x16_shl;
                    I8x16ShrS = i8x16_shr_s;
                    I8x16ShrU = i8x16_shr_u;
                    I8x16Add = i8x16_add;
                    I8x16AddSatS = i8x16_add_sat_s;
                    I8x16AddSatU = i8x16_add_sat_u;
                    I8x16Sub = i8x16_sub;
                    I8x16SubSatS = i8x16_sub_sat_s;
                    I8x16SubSatU = i8x16_sub_sat_u;
                    I8x16MinS = i8x16_min_s;
                    I8x16MinU = i8x16_min_u;
                    I8x16MaxS = i8x16_max_s;
                    I8x16MaxU = i8x16_max_u;
                    I8x16AvgrU = i8x16_avgr_u;
                    I16x8Q15MulrSatS = i16x8_q15mulr_sat_s;
                    I16x8NarrowI32x4S = i16x8_narrow_i32x4_s;
                    I16x8NarrowI32x4U = i16x8_narrow_i32x4_u;
                    I16x8Shl = i16x8_shl;
                    I16x8ShrS = i16x8_shr_s;
                    I16x8ShrU = i16x8_shr_u;
                    I16x8Add = i16x8_add;
                    I16x8AddSatS = i16x8_add_sat_s;
                    I16x8AddSatU = i16x8_add_sat_u;
                    I16x8Sub = i16x8_sub;
                    I16x8SubSatS = i16x8_sub_sat_s;
                    I16x8SubSatU = i16x8_sub_sat_u;
                    I16x8Mul = i16x8_mul;
                    I16x8MinS = i16x8_min_s;
                    I16x8MinU = i16x8_min_u;
                    I16x8MaxS = i16x8_max_s;
                    I16x8MaxU = i16x8_max_u;
                    I16x8AvgrU = i16x8_avgr_u;
                    I16x8ExtMulLowI8x16S = i16x8_extmul_low_i8x16_s;
                    I16x8ExtMulHighI8x16S = i16x8_extmul_high_i8x16_s;
                    I16x8ExtMulLowI8x16U = i16x8_extmul_low_i8x16_u;
                    I16x8ExtMulHighI8x16U = i16x8_extmul_high_i8x16_u;
                    I32x4Shl = i32x4_shl;
                    I32x4ShrS = i32x4_shr_s;
                    I32x4ShrU = i32x4_shr_u;
                    I32x4Add = i32x4_add;
                    I32x4Sub = i32x4_sub;
                    I32x4Mul = i32x4_mul;
                    I32x4MinS = i32x4_min_s;
                    I32x4MinU = i32x4_min_u;
                    I32x4MaxS = i32x4_max_s;
                    I32x4MaxU = i32x4_max_u;
                    I32x4DotI16x8S = i32x4_dot_i16x8_s;
                    I32x4ExtMulLowI16x8S = i32x4_extmul_low_i16x8_s;
                    I32x4ExtMulHighI16x8S = i32x4_extmul_high_i16x8_s;
                    I32x4ExtMulLowI16x8U = i32x4_extmul_low_i16x8_u;
                    I32x4ExtMulHighI16x8U = i32x4_extmul_high_i16x8_u;
                    I64x2Shl = i64x2_shl;
                    I64x2ShrS = i64x2_shr_s;
                    I64x2ShrU = i64x2_shr_u;
                    I64x2Add = i64x2_add;
                    I64x2Sub = i64x2_sub;
                    I64x2Mul = i64x2_mul;
                    I64x2ExtMulLowI32x4S = i64x2_extmul_low_i32x4_s;
                    I64x2ExtMulHighI32x4S = i64x2_extmul_high_i32x4_s;
                    I64x2ExtMulLowI32x4U = i64x2_extmul_low_i32x4_u;
                    I64x2ExtMulHighI32x4U = i64x2_extmul_high_i32x4_u;
                    F32x4Add = f32x4_add;
                    F32x4Sub = f32x4_sub;
                    F32x4Mul = f32x4_mul;
                    F32x4Div = f32x4_div;
                    F32x4Min = f32x4_min;
                    F32x4Max = f32x4_max;
                    F32x4PMin = f32x4_pmin;
                    F32x4PMax = f32x4_pmax;
                    F64x2Add = f64x2_add;
                    F64x2Sub = f64x2_sub;
                    F64x2Mul = f64x2_mul;
                    F64x2Div = f64x2_div;
                    F64x2Min = f64x2_min;
                    F64x2Max = f64x2_max;
                    F64x2PMin = f64x2_pmin;
                    F64x2PMax = f64x2_pmax;
                    I8x16RelaxedSwizzle = i8x16_relaxed_swizzle;
                    F32x4RelaxedMin = f32x4_relaxed_min;
                    F32x4RelaxedMax = f32x4_relaxed_max;
                    F64x2RelaxedMin = f64x2_relaxed_min;
                    F64x2RelaxedMax = f64x2_relaxed_max;
                    I16x8RelaxedQ15mulrS = i16x8_relaxed_q15mulr_s;
                    I16x8RelaxedDotI8x16I7x16S = i16x8_relaxed_dot_i8x16_i7x16_s;
                }
                ternary {
                    V128Bitselect = v128_bitselect;
                    F32x4RelaxedMadd = f32x4_relaxed_madd;
                    F32x4RelaxedNmadd = f32x4_relaxed_nmadd;
                    F64x2RelaxedMadd = f64x2_relaxed_madd;
                    F64x2RelaxedNmadd = f64x2_relaxed_nmadd;
                    I8x16RelaxedLaneselect = i8x16_relaxed_laneselect;
                    I16x8RelaxedLaneselect = i16x8_relaxed_laneselect;
                    I32x4RelaxedLaneselect = i32x4_relaxed_laneselect;
                    I64x2RelaxedLaneselect = i64x2_relaxed_laneselect;
                    I32x4RelaxedDotI8x16I7x16AddS = i32x4_relaxed_dot_i8x16_i7x16_add_s;
                }
                shuffle {
                    I8x16Shuffle = i8x16_shuffle;
                }
                lane {
                    I8x16ExtractLaneS = i8x16_extract_lane_s;
                    I8x16ExtractLaneU = i8x16_extract_lane_u;
                    I16x8ExtractLaneS = i16x8_extract_lane_s;
                    I16x8ExtractLaneU = i16x8_extract_lane_u;
                    I32x4ExtractLane = i32x4_extract_lane;
                    I64x2ExtractLane = i64x2_extract_lane;
                    F32x4ExtractLane = f32x4_extract_lane;
                    F64x2ExtractLane = f64x2_extract_lane;
                }
                replace {
                    I8x16ReplaceLane = i8x16_replace_lane;
                    I16x8ReplaceLane = i16x8_replace_lane;
                    I32x4ReplaceLane = i32x4_replace_lane;
                    I64x2ReplaceLane = i64x2_replace_lane;
                    F32x4ReplaceLane = f32x4_replace_lane;
                    F64x2ReplaceLane = f64x2_replace_lane;
                }
                load {
                    V128Load = u128 v128_load;
                    V128Load8x8S = u64 v128_load8x8_s;
                    V128Load8x8U = u64 v128_load8x8_u;
                    V128Load16x4S = u64 v128_load16x4_s;
                    V128Load16x4U = u64 v128_load16x4_u;
                    V128Load32x2S = u64 v128_load32x2_s;
                    V128Load32x2U = u64 v128_load32x2_u;
                    V128Load8Splat = u8 i8x16_splat;
                    V128Load16Splat = u16 i16x8_splat;
                    V128Load32Splat = u32 i32x4_splat;
                    V128Load64Splat = u64 i64x2_splat;
                    V128Load32Zero = u32 v128_load32_zero;
                    V128Load64Zero = u64 v128_load64_zero;
                }
                load_lane {
                    V128Load8Lane = u8 i8x16_replace_lane;
                    V128Load16Lane = u16 i16x8_replace_lane;
                    V128Load32Lane = u32 i32x4_replace_lane;
                    V128Load64Lane = u64 i64x2_replace_lane;
                }
                store {
                    V128Store = u128 v128_store;
                }
                store_lane {
                    V128Store8Lane = u8 i8x16_extract_lane_u;
                    V128Store16Lane = u16 i16x8_extract_lane_u;
                    V128Store32Lane = u32 i32x4_extract_lane;
                    V128Store64Lane = u64 i64x2_extract_lane;
                }
                other {
                    /// `dst = global` for a `v128` global (both halves).
                    GlobalGetV128 { dst: Slot, global: u32 };
                    /// `global = src` for a `v128` global.
                    GlobalSetV128 { src: Slot, global: u32 };
                    /// `dst = src`, two slots (a `v128`, or a vector function's position) as
                    /// one 16-byte move: the next vector read of `dst` then takes the value
                    /// from one store, where two 8-byte ones make the CPU wait.
                    Copy128 { dst: Slot, src: Slot };
                }
        }
    };
}

/// Gives every SIMD entry its shape's fields and calls `$m!` with the whole table, the
/// SIMD part as one list: `Name { fields } = shape [M] semantics;` (see
/// `with_simd_instrs!`).
#[cfg(feature = "simd")]
#[macro_export]
#[doc(hidden)]
macro_rules! simd_flatten {
    ($m:ident; [$($table:tt)*]
        unary { $($su:ident = $su_sem:ident;)* }
        binary { $($sb:ident = $sb_sem:ident;)* }
        ternary { $($st:ident = $st_sem:ident;)* }
        shuffle { $($ssh:ident = $ssh_sem:ident;)* }
        lane { $($sl:ident = $sl_sem:ident;)* }
        replace { $($sr:ident = $sr_sem:ident;)* }
        load { $($sld:ident = $sld_mem:ident $sld_sem:ident;)* }
        load_lane { $($sll:ident = $sll_mem:ident $sll_sem:ident;)* }
        store { $($sst:ident = $sst_mem:ident $sst_sem:ident;)* }
        store_lane { $($ssl:ident = $ssl_mem:ident $ssl_sem:ident;)* }
        other { $( $(#[$om:meta])* $so:ident { $($of:ident : $ot:ident),* }; )* }
    ) => {
        $m! {
            simd {
                $( $su { dst: Slot, src: Slot } = unary [] $su_sem; )*
                $( $sb { dst: Slot, a: Slot, b: Slot } = binary [] $sb_sem; )*
                $( $st { dst: Slot, a: Slot, b: Slot, c: Slot } = ternary [] $st_sem; )*
                $( $ssh { dst: Slot, a: Slot, b: Slot, lanes: Slot } = shuffle [] $ssh_sem; )*
                $( $sl { dst: Slot, src: Slot, lane: u16 } = lane [] $sl_sem; )*
                $( $sr { dst: Slot, a: Slot, b: Slot, lane: u16 } = replace [] $sr_sem; )*
                $( $sld { dst: Slot, addr: Slot, offset: u32 } = load [$sld_mem] $sld_sem; )*
                $( $sll { dst: Slot, addr: Slot, src: Slot, lane: u16, offset: u32 } = load_lane [$sll_mem] $sll_sem; )*
                $( $sst { addr: Slot, value: Slot, offset: u32 } = store [$sst_mem] $sst_sem; )*
                $( $ssl { addr: Slot, value: Slot, lane: u16, offset: u32 } = store_lane [$ssl_mem] $ssl_sem; )*
                $( $(#[$om])* $so { $($of : $ot),* } = other []; )*
            }
            $($table)*
        }
    };
}

/// Without the `simd` feature: the table's SIMD groups are empty.
#[cfg(not(feature = "simd"))]
#[macro_export]
#[doc(hidden)]
macro_rules! with_simd_instrs {
    ($m:ident; $($table:tt)*) => {
        $m! {
            simd {}
            $($table)*
        }
    };
}
