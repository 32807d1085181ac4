//! The handlers of the `other` instructions whose effect is one expression: branches,
//! moves and constants, fuel and interruption, globals, references, tables, and the bulk
//! memory operations (which never move memory, so `mem_base`/`mem_len` stay valid). See `handler!`
//! for the kinds of effect.

use core::ptr;
use core::sync::atomic::Ordering;

use wisp_core::{wasm, TrapCode};

use super::super::{trap, Accs, Done, Exec, Ip, Sp};
use super::handler::{step, HandlerOf, Variants};
use super::operands::*;
use super::trapped_here;
use crate::bytecode::{payload, words_for};

macro_rules! effects {
    ([$ip:ident, $sp:ident, $mem_base:ident, $mem_len:ident, $ex:ident, $fw:ident]
        $( $kind:ident $name:ident { $($field:ident),* } => $body:expr; )*) => {
        $( handler!([$ip, $sp, $mem_base, $mem_len, $ex, $fw] $kind $name { $($field),* } => $body); )*
    };
}

effects! {
    [ip, sp, mem_base, mem_len, ex, fw]


    // Branches.
    branch Br { offset } => Some(offset);
    branch BrIfNez { cond, offset } => (first::<u32>(sp, cond, fw) != 0).then_some(offset);
    branch BrIfEqz { cond, offset } => (first::<u32>(sp, cond, fw) == 0).then_some(offset);

    // Moves.
    plain Copy { dst, src } => set(sp, dst, first::<u64>(sp, src, fw));
    // Both loads first: no store-to-load forwarding inside the handler, and no load the
    // CPU must guess is independent of the store before it (`src1 != dst0`, see `Instr`).
    plain Copy2 { dst0, src0, dst1, src1 } => {
        let (v0, v1) = (get::<u64>(sp, src0), get::<u64>(sp, src1));
        set(sp, dst0, v0);
        set(sp, dst1, v1)
    };
    plain CopyMany { dst, src, len } => ptr::copy(sp.add(usize::from(src)), sp.add(usize::from(dst)), usize::from(len));
    plain Const32 { dst, value } => set(sp, dst, value);
    plain Const64 { dst, value } => set(sp, dst, value);
    fallible I32AddShl { dst, a, b, shift } => bin(sp, fw, dst, a, b, |x: i32, y: i32| wasm::i32_add(x, wasm::i32_shl(y, i32::from(shift))));
    plain I64Add128 { lo, hi, a_lo, a_hi, b_lo, b_hi } =>
        set_wide(sp, lo, hi, wasm::i64_add128(get(sp, a_lo), get(sp, a_hi), get(sp, b_lo), get(sp, b_hi)));
    plain I64Sub128 { lo, hi, a_lo, a_hi, b_lo, b_hi } =>
        set_wide(sp, lo, hi, wasm::i64_sub128(get(sp, a_lo), get(sp, a_hi), get(sp, b_lo), get(sp, b_hi)));
    plain I64MulWideS { lo, hi, a, b } => set_wide(sp, lo, hi, wasm::i64_mul_wide_s(get(sp, a), get(sp, b)));
    plain I64MulWideU { lo, hi, a, b } => set_wide(sp, lo, hi, wasm::i64_mul_wide_u(get(sp, a), get(sp, b)));
    plain Select { dst, cond, a, b } => {
        let v = if get::<u32>(sp, cond) != 0 { get::<u64>(sp, a) } else { get::<u64>(sp, b) };
        set(sp, dst, v)
    };

    // Fuel and interruption.
    fallible ConsumeFuel { amount } => {
        let fuel = &mut (*ex.store).fuel;
        match fuel.checked_sub(u64::from(amount)) {
            Some(left) => {
                *fuel = left;
                Ok(())
            }
            None => Err(TrapCode::OutOfFuel),
        }
    };
    fallible CheckInterrupt {} => {
        let flag = &(*ex.store).interrupt;
        if flag.load(Ordering::Relaxed) {
            flag.store(false, Ordering::Relaxed);
            Err(TrapCode::Interrupted)
        } else {
            Ok(())
        }
    };

    fallible RefAsNonNull { dst, src } => {
        let v = first::<u64>(sp, src, fw);
        if v == 0 {
            Err(TrapCode::NullReference)
        } else {
            Ok(set_result(sp, fw, dst, v))
        }
    };

    // Globals and references.
    plain GlobalGet { dst, global } => set(sp, dst, (*ex.global(global)).value);
    plain GlobalSet { src, global } => (*ex.global(global)).value = first::<u64>(sp, src, fw);
    plain RefFunc { dst, func } => set(sp, dst, u64::from((*ex.vmctx).func(func).store_func) + 1);

    // Tables.
    fallible TableGet { dst, index, table } => {
        let t = &*(*ex.vmctx).table(table);
        t.get(get::<u32>(sp, index)).map(|v| set(sp, dst, v))
    };
    fallible TableSet { index, value, table } => {
        (*(*ex.vmctx).table(table)).set(get::<u32>(sp, index), get::<u64>(sp, value))
    };
    plain TableSize { dst, table } => set(sp, dst, (*(*ex.vmctx).table(table)).size());
    trapping TableGrow { dst, delta, table } => {
        let t = &mut *(*ex.vmctx).table(table);
        t.grow(get::<u32>(sp, delta), get::<u64>(sp, dst))
            .map(|old| set(sp, dst, old.unwrap_or(u32::MAX)))
    };
    fallible TableFill { dst, value, len, table } => {
        (*(*ex.vmctx).table(table)).fill(get::<u32>(sp, dst), get::<u64>(sp, value), get::<u32>(sp, len))
    };
    fallible TableCopy { dst, src, len, dst_table, src_table } => {
        let (d, s, n) = (get::<u32>(sp, dst), get::<u32>(sp, src), get::<u32>(sp, len));
        let dt = (*ex.vmctx).table(u32::from(dst_table));
        let st = (*ex.vmctx).table(u32::from(src_table));
        if dt == st {
            (*dt).copy_within(d, s, n)
        } else {
            wisp_core::ops::table_copy_between(&mut *dt, d, &*st, s, n)
        }
    };
    fallible TableInit { dst, src, len, table, elem } => {
        let t = &mut *(*ex.vmctx).table(u32::from(table));
        let items = &(&(*ex.instance).elements)[elem as usize];
        t.init(get::<u32>(sp, dst), items, get::<u32>(sp, src), get::<u32>(sp, len))
    };
    plain ElemDrop { elem } => (&mut (*ex.instance).elements)[elem as usize] = Default::default();

    // Memory: bulk operations (they never move memory, so `mem_base`/`mem_len` stay valid).
    plain MemorySize { dst } => set(sp, dst, if ex.memory.is_null() { 0 } else { (*ex.memory).pages() });
    fallible MemoryFill { dst, value, len, index64 } => {
        let wide = index64 != 0;
        let (d, v, n) = (index(sp, dst, wide), get::<u32>(sp, value) as u8, index(sp, len, wide));
        (*ex.memory).fill(d, v, n)
    };
    fallible MemoryCopy { dst, src, len, index64 } => {
        let wide = index64 != 0;
        let (d, s, n) = (index(sp, dst, wide), index(sp, src, wide), index(sp, len, wide));
        (*ex.memory).copy_within(d, s, n)
    };
    fallible MemoryCopyBetween { dst, src, len, dst_mem, src_mem, index64 } => {
        let d = index(sp, dst, index64 & 1 != 0);
        let s = index(sp, src, index64 & 2 != 0);
        let n = index(sp, len, index64 == 3);
        let dm = (*ex.vmctx).memory(u32::from(dst_mem));
        let sm = (*ex.vmctx).memory(u32::from(src_mem));
        // Two indices may name one memory (imported twice).
        if dm == sm {
            (*dm).copy_within(d, s, n)
        } else {
            wisp_core::ops::memory_copy_between(&mut *dm, d, &*sm, s, n)
        }
    };
    fallible MemoryInit { dst, src, len, data, index64 } => {
        let bytes = (*ex.instance).data_segment(data);
        let (s, n) = (get::<u32>(sp, src), get::<u32>(sp, len));
        (*ex.memory).init(index(sp, dst, index64 != 0), bytes, u64::from(s), u64::from(n))
    };
    plain DataDrop { data } => (&mut (*ex.instance).data_dropped)[data as usize] = true;
}
