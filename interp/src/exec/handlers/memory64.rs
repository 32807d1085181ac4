//! The handlers of the memory64 proposal's instructions: loads and stores on a 64-bit
//! memory (`Mem64*`), and table64's index conversions (`TableIndex64`, `TableGrown64`).
//! (`Mem64Window`, which changes the memory registers, is written out in `control`.)
//! Built always, linked only with the `memory64` feature (`Tag::built`).

use core::mem::size_of;
use core::ptr;

use wisp_core::TrapCode;

use super::super::{trap, Accs, Done, Exec, Ip, Sp};
use super::handler::{step, HandlerOf, Variants};
use super::operands::*;
use crate::bytecode::{payload, words_for};

/// The host address of the `size` bytes at `base + offset` of a 64-bit memory, checked
/// for every `base` and `offset` below 2^64: a sum past 2^64 is out of bounds too. (The
/// form `base <= mem_len - (offset + size)`, one compare fewer, measured slower here.)
#[inline(always)]
unsafe fn addr64(
    base: u64,
    mem_base: *mut u8,
    mem_len: usize,
    offset: u64,
    size: u64,
) -> Result<*mut u8, TrapCode> {
    match base.checked_add(offset) {
        Some(ea)
            if ea
                .checked_add(size)
                .is_some_and(|end| end <= mem_len as u64) =>
        {
            // SAFETY: `ea + size <= mem_len`, the length of the allocation at `mem_base`.
            Ok(unsafe { mem_base.add(ea as usize) })
        }
        _ => Err(TrapCode::MemoryOutOfBounds),
    }
}

macro_rules! memory64 {
    (
        loads { $($load:ident = $t:ty => $out:ty;)* }
        stores { $($store:ident = $in:ty => $st:ty;)* }
    ) => {
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $load { dst, addr, offset } => {
            let base = first::<u64>(sp, addr, fw);
            addr64(base, mem_base, mem_len, offset, size_of::<$t>() as u64).map(|p| {
                // SAFETY: `addr64` checked that the bytes are inside memory.
                let v = <$t>::from_le_bytes(ptr::read_unaligned(p as *const [u8; size_of::<$t>()]));
                set_result(sp, fw, dst, <$out>::from(v))
            })
        }); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $store { addr, value, offset } => {
            let base = get::<u64>(sp, addr);
            addr64(base, mem_base, mem_len, offset, size_of::<$st>() as u64).map(|p| {
                let v = first::<$in>(sp, value, fw) as $st;
                // SAFETY: `addr64` checked that the bytes are inside memory.
                ptr::write_unaligned(p as *mut [u8; size_of::<$st>()], v.to_le_bytes())
            })
        }); )*
    };
}

memory64! {
    loads {
        Mem64I32Load = i32 => i32;
        Mem64I64Load = i64 => i64;
        Mem64F32Load = f32 => f32;
        Mem64F64Load = f64 => f64;
        Mem64I32Load8S = i8 => i32;
        Mem64I32Load8U = u8 => i32;
        Mem64I32Load16S = i16 => i32;
        Mem64I32Load16U = u16 => i32;
        Mem64I64Load8S = i8 => i64;
        Mem64I64Load8U = u8 => i64;
        Mem64I64Load16S = i16 => i64;
        Mem64I64Load16U = u16 => i64;
        Mem64I64Load32S = i32 => i64;
        Mem64I64Load32U = u32 => i64;
    }
    stores {
        Mem64I32Store = i32 => i32;
        Mem64I64Store = i64 => i64;
        Mem64F32Store = f32 => f32;
        Mem64F64Store = f64 => f64;
        Mem64I32Store8 = i32 => u8;
        Mem64I32Store16 = i32 => u16;
        Mem64I64Store8 = i64 => u8;
        Mem64I64Store16 = i64 => u16;
        Mem64I64Store32 = i64 => u32;
    }
}

handler!([ip, sp, mem_base, mem_len, ex, fw] plain TableIndex64 { dst, src } => {
    set(sp, dst, wisp_core::ops::table_index(get::<u64>(sp, src), true));
});

handler!([ip, sp, mem_base, mem_len, ex, fw] plain TableGrown64 { dst } => {
    let v = get::<u32>(sp, dst);
    set(sp, dst, if v == u32::MAX { u64::MAX } else { u64::from(v) });
});
