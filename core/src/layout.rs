//! Value width: how values of each type sit in the raw 64-bit slots every tier computes
//! with, and the one function that lays a list of values out in slots.
//!
//! A value takes [`ValType::slots`] consecutive slots of [`SLOT_BYTES`] bytes each: one
//! for every type but `v128`, which takes two (its low 64 bits first). A list of values
//! (a function's parameters or results, an exception's payload, an interpreter frame's
//! locals and operands) is laid out by [`SlotLayout`]: each value at the slot after the
//! previous one's last, in order, with no padding. Everything that places values in slots
//! asks it — the array-call convention (`vm::ArrayCallFn`: parameters in, results out,
//! over one buffer of `FuncType::slots_len` slots), host-call arguments (`func.rs`,
//! `typed.rs`), `Val`'s raw conversions (`value.rs`), `vm::OsrFrame`, and the JIT's byte
//! offsets ([`SlotLayout::offset_bytes`], [`slot_offset_bytes`]) — so the tiers cannot
//! disagree about where a value is once a type is wider than one slot.
//!
//! Why here: every value is one slot today (SIMD is refused at load), and a layout of
//! one-slot values puts value `i` at slot `i`. That is the common case, and a layout keeps
//! no table for it (no allocation; offsets are computed); only a list with a wider value
//! records where each value starts.

use alloc::vec::Vec;

use crate::types::ValType;

/// The bytes in one raw slot: a `u64`.
pub const SLOT_BYTES: usize = core::mem::size_of::<u64>();

/// The byte offset of slot `slot` from the start of a slot array.
#[inline]
pub const fn slot_offset_bytes(slot: usize) -> usize {
    slot * SLOT_BYTES
}

impl ValType {
    /// How many raw 64-bit slots a value of this type takes: 1, or 2 for `v128`.
    #[inline]
    pub const fn slots(self) -> usize {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }
}

/// Where each of a list of values sits in a slot array: value `i` at slot
/// [`offset(i)`](SlotLayout::offset), taking its type's [`ValType::slots`], the values
/// packed in order from slot [`base`](SlotLayout::base) to [`end`](SlotLayout::end).
///
/// Cheap while every value takes one slot (every value today): no allocation, and
/// `offset(i)` is `base + i`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlotLayout {
    /// The slot the first value starts at.
    base: usize,
    /// How many values.
    len: usize,
    /// One past the last value's last slot.
    end: usize,
    /// Each value's offset from `base`, kept only when some value is wider than one slot;
    /// `None` otherwise (then value `i` is at `base + i`).
    wide: Option<Vec<u32>>,
}

impl SlotLayout {
    /// The layout of values of `types`, from slot 0.
    pub fn new(types: impl IntoIterator<Item = ValType>) -> SlotLayout {
        SlotLayout::at(0, types)
    }

    /// The layout of values of `types` placed from slot `base` on (after other values a
    /// frame keeps below them, say).
    pub fn at(base: usize, types: impl IntoIterator<Item = ValType>) -> SlotLayout {
        let mut layout = SlotLayout {
            base,
            len: 0,
            end: base,
            wide: None,
        };
        for ty in types {
            layout.push(ty);
        }
        layout
    }

    /// `len` one-slot values from slot `base`: what [`at`](Self::at) gives for types that
    /// are all one slot wide, without looking at them.
    pub(crate) const fn narrow(base: usize, len: usize) -> SlotLayout {
        SlotLayout {
            base,
            len,
            end: base + len,
            wide: None,
        }
    }

    /// Adds a value of type `ty` after the last.
    pub fn push(&mut self, ty: ValType) {
        let width = ty.slots();
        if width != 1 && self.wide.is_none() {
            // The first wide value: from here on offsets are recorded.
            self.wide = Some((0..self.len as u32).collect());
        }
        if let Some(wide) = &mut self.wide {
            wide.push((self.end - self.base) as u32);
        }
        self.len += 1;
        self.end += width;
    }

    /// How many values.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot the first value starts at.
    #[inline]
    pub fn base(&self) -> usize {
        self.base
    }

    /// One past the last value's last slot: where values laid out after these start.
    #[inline]
    pub fn end(&self) -> usize {
        self.end
    }

    /// How many slots the values take together.
    #[inline]
    pub fn slots(&self) -> usize {
        self.end - self.base
    }

    /// The slot value `i` starts at; `i == len()` gives [`end`](Self::end).
    ///
    /// # Panics
    /// If `i > len()`.
    #[inline]
    pub fn offset(&self, i: usize) -> usize {
        assert!(i <= self.len, "value {i} of a layout of {}", self.len);
        match &self.wide {
            _ if i == self.len => self.end,
            None => self.base + i,
            Some(wide) => self.base + wide[i] as usize,
        }
    }

    /// The byte offset value `i` starts at, from the start of the slot array.
    #[inline]
    pub fn offset_bytes(&self, i: usize) -> usize {
        slot_offset_bytes(self.offset(i))
    }

    /// The slots value `i` takes: `offset(i)..offset(i + 1)`.
    #[inline]
    pub fn range(&self, i: usize) -> core::ops::Range<usize> {
        self.offset(i)..self.offset(i + 1)
    }

    /// Each value's first slot, in order.
    pub fn offsets(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        (0..self.len).map(|i| self.offset(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_layouts_keep_no_table() {
        let l = SlotLayout::new([ValType::I32, ValType::F64, ValType::EXTERNREF]);
        assert!(l.wide.is_none());
        assert_eq!(l, SlotLayout::narrow(0, 3));
        assert_eq!((l.offset(2), l.slots(), l.offset_bytes(2)), (2, 3, 16));
    }

    #[test]
    fn a_wide_value_moves_the_ones_after_it() {
        let l = SlotLayout::at(
            5,
            [ValType::I32, ValType::V128, ValType::F64, ValType::V128],
        );
        let offsets: Vec<usize> = l.offsets().collect();
        assert_eq!(offsets, [5, 6, 8, 9]);
        assert_eq!((l.end(), l.slots()), (11, 6));
        assert_eq!(l.range(1), 6..8);
        assert_eq!(l.offset_bytes(3), 9 * SLOT_BYTES);
        // A wide value first, and a layout only of wide values.
        let l = SlotLayout::new([ValType::V128, ValType::I32, ValType::V128]);
        assert_eq!(l.offsets().collect::<Vec<_>>(), [0, 2, 3]);
        assert_eq!(l.slots(), 5);
    }
}
