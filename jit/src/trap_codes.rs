//! Wasm traps as Cranelift trap codes and back, in one place so that a code cannot be
//! added to one direction and not the other.
//!
//! Native code carries a wasm trap as Cranelift's user code holding its status
//! (`TrapCode::status`); Cranelift's own codes are its guarded accesses, divisions and
//! conversions. `compile` registers each trap site with the wasm trap it stands for, for
//! the signal handler.

use cranelift_codegen::ir;
use wisp_core::TrapCode;

/// The Cranelift trap code standing for wasm trap `code`: its status as a user code.
pub(crate) fn to_ir(code: TrapCode) -> ir::TrapCode {
    // Statuses are small (one per `TrapCode`), far below Cranelift's reserved codes.
    ir::TrapCode::unwrap_user(code.status() as u8)
}

/// The wasm trap Cranelift trap code `code` stands for: a guarded access's fault,
/// Cranelift's own division and conversion traps, or one of `to_ir`'s.
pub(crate) fn to_wasm(code: ir::TrapCode) -> Option<TrapCode> {
    Some(match code {
        ir::TrapCode::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        ir::TrapCode::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
        ir::TrapCode::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ir::TrapCode::BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
        ir::TrapCode::STACK_OVERFLOW => TrapCode::StackExhausted,
        _ => TrapCode::from_status(u32::from(code.as_raw().get()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wasm_trap_comes_back_from_its_cranelift_code() {
        let codes: Vec<TrapCode> = (1..).map_while(TrapCode::from_status).collect();
        assert!(codes.len() > 10, "{codes:?}");
        for code in codes {
            assert_eq!(to_wasm(to_ir(code)), Some(code), "{code:?}");
        }
    }
}
