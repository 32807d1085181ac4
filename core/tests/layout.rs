//! Value width: layouts of mixed-width value lists (`wisp_core::layout`), as the
//! array-call convention, `FuncType` and `OsrFrame` compute them. `v128` takes two slots;
//! no tier runs it yet (SIMD is refused at load), so this and the host-function part of
//! `jit/tests/value_layout.rs` are where its width is exercised.

use wisp_core::layout::slot_offset_bytes;
use wisp_core::vm::OsrFrame;
use wisp_core::{FuncType, SlotLayout, ValType, SLOT_BYTES};

use ValType::{F32, F64, I32, I64, V128};

#[test]
fn every_type_is_one_slot_but_v128() {
    for ty in [
        I32,
        I64,
        F32,
        F64,
        ValType::FUNCREF,
        ValType::EXTERNREF,
        ValType::EXNREF,
    ] {
        assert_eq!(ty.slots(), 1, "{ty}");
    }
    assert_eq!(V128.slots(), 2);
    assert_eq!(SLOT_BYTES, 8);
    assert_eq!(slot_offset_bytes(3), 24);
}

#[test]
fn mixed_widths_are_packed_in_order() {
    let types = [I32, V128, F64, V128, I64, ValType::EXTERNREF, V128];
    let layout = SlotLayout::new(types);
    assert_eq!(layout.len(), 7);
    let offsets: Vec<usize> = layout.offsets().collect();
    assert_eq!(offsets, [0, 1, 3, 4, 6, 7, 8]);
    assert_eq!((layout.base(), layout.end(), layout.slots()), (0, 10, 10));
    let bytes: Vec<usize> = (0..types.len()).map(|i| layout.offset_bytes(i)).collect();
    assert_eq!(bytes, [0, 8, 24, 32, 48, 56, 64]);
    for (i, ty) in types.iter().enumerate() {
        assert_eq!(layout.range(i).len(), ty.slots(), "value {i}");
    }
    assert_eq!(layout.offset(types.len()), layout.end());

    // Pushing one at a time gives the same layout, wide values before or after.
    let mut pushed = SlotLayout::default();
    for ty in types {
        pushed.push(ty);
    }
    assert_eq!(pushed, layout);
    let narrow_then_wide = SlotLayout::new([I32, I64, F32, V128, F64]);
    let offsets: Vec<usize> = narrow_then_wide.offsets().collect();
    assert_eq!(offsets, [0, 1, 2, 3, 5]);
    assert_eq!(narrow_then_wide.slots(), 6);
}

#[test]
fn narrow_lists_are_one_slot_per_value() {
    let layout = SlotLayout::new([I32, I64, F32, F64, ValType::FUNCREF]);
    let offsets: Vec<usize> = layout.offsets().collect();
    assert_eq!(offsets, [0, 1, 2, 3, 4]);
    assert_eq!(layout.slots(), 5);
    let empty = SlotLayout::new([]);
    assert!(empty.is_empty());
    assert_eq!((empty.slots(), empty.offset(0)), (0, 0));
}

#[test]
fn a_call_buffer_holds_the_wider_of_params_and_results() {
    let ty = FuncType::new([I32, V128, F64], [V128, V128, I64]);
    assert_eq!(
        (ty.param_slots(), ty.result_slots(), ty.slots_len()),
        (4, 5, 5)
    );
    assert_eq!(ty.params_layout(), SlotLayout::new([I32, V128, F64]));
    assert_eq!(ty.results_layout(), SlotLayout::new([V128, V128, I64]));
    let offsets: Vec<usize> = ty.results_layout().offsets().collect();
    assert_eq!(offsets, [0, 2, 4]);

    // The common case: as many slots as values.
    let ty = FuncType::new([I32, I64, F32], [F64]);
    assert_eq!(
        (ty.param_slots(), ty.result_slots(), ty.slots_len()),
        (3, 1, 3)
    );
    assert_eq!(ty.params_layout(), SlotLayout::new([I32, I64, F32]));
    let ty = FuncType::new([], []);
    assert_eq!(ty.slots_len(), 0);
}

#[test]
fn an_osr_frame_has_locals_then_catch_slots_then_operands() {
    let locals = OsrFrame::locals_layout([I32, V128, F64]);
    assert_eq!(locals.end(), 4);
    let operands = OsrFrame::operands_layout(&locals, 2, [V128, I64, F32], true);
    let offsets: Vec<usize> = operands.offsets().collect();
    assert_eq!(
        offsets,
        [6, 8, 10],
        "two slots per operand in a vector function"
    );
    assert_eq!(
        (operands.base(), operands.end(), operands.slots()),
        (6, 12, 6)
    );
    assert_eq!(operands.offset_bytes(1), 8 * SLOT_BYTES);
    let scalar = OsrFrame::operands_layout(&locals, 2, [I32, I64, F32], false);
    assert_eq!(scalar.offsets().collect::<Vec<_>>(), [6, 7, 8]);
}
