//! Linear memory: loads and stores with explicit bounds checks, `memory.size`, and the
//! operations that run in the runtime (`memory.grow`, the bulk operations).
//!
//! An access of `size` bytes at wasm address `a` (an `i32`, zero-extended) with static
//! offset `o` is in bounds when `a + o + size <= len`, computed in 64 bits, where neither
//! sum can overflow (both terms are below 2^33). `base` and `len` are loaded from the
//! memory's entity at each access (see the invariants in `mod.rs`).
//!
//! In a guarded memory (`Config::memory_guarded`: 4 GiB and a guard region reserved, all
//! of it inaccessible past `len`) an access with `o + size` within the guard needs no
//! check: `base + a + o` is inside the reservation, and faults if it is out of bounds,
//! which the handler in `signals.rs` turns into `MemoryOutOfBounds`. Such an access is the
//! only instruction native code emits that may fault (its flags carry Cranelift's
//! `HEAP_OUT_OF_BOUNDS`, which `compile.rs` registers as a trap site); its base never
//! changes (the memory never moves), so its load may be shared and hoisted.
//!
//! A 64-bit memory (memory64) is never guarded: no reservation covers its addresses. Where
//! `o + size` is within the memory's minimum size (which its length never goes below), the
//! check is one compare, `a > len - (o + size)`, which cannot wrap; otherwise it computes
//! `a + o + size` with the carry: a sum that wraps is out of bounds, as is a static
//! `o + size` that does not fit 64 bits (then the access always traps).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Type, Value};
use wasmparser::MemArg;
use wisp_core::TrapCode;

use super::{vm_flags, vm_readonly, Translator};
use crate::libcalls::Libcall;
use crate::offsets;

/// Flags for explicitly checked guest memory accesses (which never fault): possibly
/// unaligned, little-endian whatever the host.
fn checked_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_notrap()
        .with_endianness(Endianness::Little)
}

/// Flags for guarded accesses: as `checked_flags`, but they may fault, which Cranelift
/// records as a `HEAP_OUT_OF_BOUNDS` trap site.
fn guarded_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

#[derive(Clone, Copy)]
pub(super) enum Load {
    /// A full-width load of the type.
    Plain(Type),
    /// `bits` bits, sign- or zero-extended to `to`.
    Extend { to: Type, bits: u8, signed: bool },
}

impl Translator<'_, '_> {
    /// The entity of memory `index` (never moves while the store lives).
    fn memory_entity(&mut self, index: u32) -> Value {
        if index == 0 {
            if let Some(m) = self.memory0 {
                return m;
            }
        }
        let ptr = self.env.ptr;
        let memories = self
            .b
            .ins()
            .load(ptr, vm_readonly(), self.vmctx, offsets::VMCTX_MEMORIES);
        let at = (index as usize * ptr.bytes() as usize) as i32;
        self.b.ins().load(ptr, vm_readonly(), memories, at)
    }

    /// The native address of a `size`-byte access at `addr + memarg.offset`, after the
    /// bounds check if it needs one, and the flags to access it with.
    pub(super) fn heap_addr(
        &mut self,
        memarg: MemArg,
        addr: Value,
        size: u32,
    ) -> (Value, MemFlagsData) {
        self.heap_addr_with(memarg, addr, size, true)
    }

    /// As `heap_addr`, but always checked explicitly, never left to a guard region: for
    /// accesses that must not fault (atomics, which are no trap sites).
    pub(super) fn heap_addr_checked(
        &mut self,
        memarg: MemArg,
        addr: Value,
        size: u32,
    ) -> (Value, MemFlagsData) {
        self.heap_addr_with(memarg, addr, size, false)
    }

    fn heap_addr_with(
        &mut self,
        memarg: MemArg,
        addr: Value,
        size: u32,
        may_guard: bool,
    ) -> (Value, MemFlagsData) {
        let mem = memory_of(&memarg);
        let ptr = self.env.ptr;
        let entity = self.memory_entity(mem);
        let ty = self.env.module.memories[mem as usize];
        let addr = match ty.memory64 {
            true => addr,
            false => self.b.ins().uextend(types::I64, addr),
        };
        let config = self.env.module.engine.config();
        // Fits for a 32-bit memory (both terms below 2^33); may not for a 64-bit one.
        let reach = memarg.offset.checked_add(u64::from(size));
        let guarded = may_guard
            && config.memory_guarded(&ty)
            && reach.is_some_and(|r| r <= config.get_memory_guard());
        if !guarded {
            let len = self
                .b
                .ins()
                .load(ptr, vm_flags(), entity, offsets::MEMORY_LEN);
            // A memory never shrinks below its type's minimum (an import's is at least the
            // declared one): within it, `len - reach` cannot wrap.
            let min_bytes = ty.min.saturating_mul(ty.page_size());
            let out = match reach {
                Some(reach) if ty.memory64 && reach <= min_bytes => {
                    let reach = self.b.ins().iconst(types::I64, reach as i64);
                    let last = self.b.ins().isub(len, reach);
                    self.b.ins().icmp(IntCC::UnsignedGreaterThan, addr, last)
                }
                Some(reach) => {
                    let end = self.b.ins().iadd_imm_u(addr, reach as i64);
                    let out = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
                    if ty.memory64 {
                        let wrapped = self.b.ins().icmp(IntCC::UnsignedLessThan, end, addr);
                        self.b.ins().bor(out, wrapped)
                    } else {
                        out
                    }
                }
                None => self.b.ins().iconst(types::I8, 1),
            };
            self.trap_if(out, TrapCode::MemoryOutOfBounds);
        }
        let (flags, base_flags) = if guarded {
            (guarded_flags(), vm_readonly())
        } else {
            (checked_flags(), vm_flags())
        };
        let base = self
            .b
            .ins()
            .load(ptr, base_flags, entity, offsets::MEMORY_BASE);
        let at = self.b.ins().iadd(base, addr);
        let at = if memarg.offset == 0 {
            at
        } else {
            self.b.ins().iadd_imm_u(at, memarg.offset as i64)
        };
        (at, flags)
    }

    pub(super) fn load(&mut self, memarg: MemArg, kind: Load) {
        let addr = self.pop();
        let size = match kind {
            Load::Plain(ty) => ty.bytes(),
            Load::Extend { bits, .. } => u32::from(bits) / 8,
        };
        let (p, f) = self.heap_addr(memarg, addr, size);
        let ins = self.b.ins();
        let v = match kind {
            Load::Plain(ty) => ins.load(ty, f, p, 0),
            Load::Extend {
                to,
                bits: 8,
                signed: true,
            } => ins.sload8(to, f, p, 0),
            Load::Extend { to, bits: 8, .. } => ins.uload8(to, f, p, 0),
            Load::Extend {
                to,
                bits: 16,
                signed: true,
            } => ins.sload16(to, f, p, 0),
            Load::Extend { to, bits: 16, .. } => ins.uload16(to, f, p, 0),
            Load::Extend { signed: true, .. } => ins.sload32(f, p, 0),
            Load::Extend { .. } => ins.uload32(f, p, 0),
        };
        self.push(v);
    }

    /// Stores the low `bits` bits of the value on top of the stack (all of a float).
    pub(super) fn store(&mut self, memarg: MemArg, bits: u32) {
        let (addr, value) = self.pop2();
        let (p, f) = self.heap_addr(memarg, addr, bits / 8);
        let width = self.b.func.dfg.value_type(value).bits();
        let ins = self.b.ins();
        match bits {
            b if b == width => ins.store(f, value, p, 0),
            8 => ins.istore8(f, value, p, 0),
            16 => ins.istore16(f, value, p, 0),
            _ => ins.istore32(f, value, p, 0),
        };
    }

    pub(super) fn op_memory_size(&mut self, mem: u32) {
        let entity = self.memory_entity(mem);
        let len = self
            .b
            .ins()
            .load(self.env.ptr, vm_flags(), entity, offsets::MEMORY_LEN);
        let log2 = self.env.module.memories[mem as usize].page_size_log2;
        let pages = self.b.ins().ushr_imm_u(len, i64::from(log2));
        let v = self.narrow(mem, pages);
        self.push(v);
    }

    /// Whether memory `mem` is a 64-bit one (memory64).
    fn memory64(&self, mem: u32) -> bool {
        self.env.module.memories[mem as usize].memory64
    }

    /// An address, length or page count operand of memory `mem` as the `i64` the runtime
    /// calls take: a 32-bit memory's `i32` zero-extended.
    fn widen(&mut self, mem: u32, v: Value) -> Value {
        match self.memory64(mem) {
            true => v,
            false => self.b.ins().uextend(types::I64, v),
        }
    }

    /// A 64-bit size or result as memory `mem`'s index type.
    fn narrow(&mut self, mem: u32, v: Value) -> Value {
        match self.memory64(mem) {
            true => v,
            false => self.b.ins().ireduce(types::I32, v),
        }
    }

    /// A runtime call that returns the old size (or -1) through a stack slot and a status:
    /// the store's resource limiter may make it trap.
    pub(super) fn op_memory_grow(&mut self, index: u32) {
        let delta = self.pop();
        let delta = self.widen(index, delta);
        let mem = self.i32_const(i64::from(index));
        let r = self.call_checked_out(Libcall::MemoryGrow, &[self.vmctx, mem, delta], types::I64);
        // -1 narrows to -1.
        let r = self.narrow(index, r);
        self.push(r);
    }

    pub(super) fn op_memory_fill(&mut self, index: u32) {
        let (dst, value, len) = self.pop3();
        let (dst, len) = (self.widen(index, dst), self.widen(index, len));
        let mem = self.i32_const(i64::from(index));
        self.call_checked(Libcall::MemoryFill, &[self.vmctx, mem, dst, value, len]);
    }

    pub(super) fn op_memory_copy(&mut self, dst_mem: u32, src_mem: u32) {
        let (dst, src, len) = self.pop3();
        let dst = self.widen(dst_mem, dst);
        let src = self.widen(src_mem, src);
        // The length is an `i64` only when both memories are 64-bit.
        let len = match self.memory64(dst_mem) && self.memory64(src_mem) {
            true => len,
            false => self.b.ins().uextend(types::I64, len),
        };
        let dst_mem = self.i32_const(i64::from(dst_mem));
        let src_mem = self.i32_const(i64::from(src_mem));
        self.call_checked(
            Libcall::MemoryCopy,
            &[self.vmctx, dst_mem, src_mem, dst, src, len],
        );
    }

    pub(super) fn op_memory_init(&mut self, data: u32, index: u32) {
        let (dst, src, len) = self.pop3();
        let dst = self.widen(index, dst);
        let mem = self.i32_const(i64::from(index));
        let data = self.i32_const(i64::from(data));
        self.call_checked(Libcall::MemoryInit, &[self.vmctx, mem, data, dst, src, len]);
    }

    pub(super) fn op_data_drop(&mut self, data: u32) {
        let data = self.i32_const(i64::from(data));
        self.call_libcall(Libcall::DataDrop, &[self.vmctx, data]);
    }
}

/// The memory a memory argument names (GC array targets are not enabled: every access is
/// to a memory).
pub(super) fn memory_of(memarg: &MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => m,
        wasmparser::MemArgTarget::Array(_) => 0,
    }
}
