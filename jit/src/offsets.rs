//! Where native code finds the runtime's fields: byte offsets into core's `#[repr(C)]`
//! structures and into `StoreInner`.
//!
//! `offset_of!` is evaluated in the same build as the code that uses the structures, and
//! native code is generated at run time by that build, so the offsets always match the
//! layout in use, `#[repr(C)]` or not.

use core::mem::{offset_of, size_of};

use wisp_core::vm::{FuncEntry, FuncRef, VmCtx};
use wisp_core::{GlobalEntity, MemoryEntity, StoreInner, TableEntity};

/// An offset as Cranelift's load/store immediates take it. Every structure here is far
/// smaller than 2 GiB.
const fn imm(offset: usize) -> i32 {
    offset as i32
}

pub const VMCTX_MEMORY0: i32 = imm(offset_of!(VmCtx, memory0));
pub const VMCTX_MEMORIES: i32 = imm(offset_of!(VmCtx, memories));
pub const VMCTX_GLOBALS: i32 = imm(offset_of!(VmCtx, globals));
pub const VMCTX_FUNCS: i32 = imm(offset_of!(VmCtx, funcs));
pub const VMCTX_TABLES: i32 = imm(offset_of!(VmCtx, tables));
pub const VMCTX_STORE: i32 = imm(offset_of!(VmCtx, store));
pub const VMCTX_INTERRUPT: i32 = imm(offset_of!(VmCtx, interrupt));

pub const MEMORY_BASE: i32 = imm(offset_of!(MemoryEntity, base));
pub const MEMORY_LEN: i32 = imm(offset_of!(MemoryEntity, len));

pub const GLOBAL_VALUE: i32 = imm(offset_of!(GlobalEntity, value));

pub const TABLE_BASE: i32 = imm(offset_of!(TableEntity, base));
pub const TABLE_LEN: i32 = imm(offset_of!(TableEntity, len));

pub const FUNC_REF_SIZE: i64 = size_of::<FuncRef>() as i64;
pub const FUNC_REF_CODE: i32 = imm(offset_of!(FuncRef, code));
pub const FUNC_REF_VMCTX: i32 = imm(offset_of!(FuncRef, vmctx));
pub const FUNC_REF_TYPE_ID: i32 = imm(offset_of!(FuncRef, type_id));

pub const FUNC_ENTRY_SIZE: i64 = size_of::<FuncEntry>() as i64;
pub const FUNC_ENTRY_STORE_FUNC: i32 = imm(offset_of!(FuncEntry, store_func));

pub const STORE_FUEL: i32 = imm(offset_of!(StoreInner, fuel));
pub const STORE_STACK_LIMIT: i32 = imm(offset_of!(StoreInner, stack_limit));
pub const STORE_DEPTH_LEFT: i32 = imm(offset_of!(StoreInner, depth_left));
pub const STORE_FUNC_REFS: i32 = imm(offset_of!(StoreInner, func_refs_base));
