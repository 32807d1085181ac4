//! wisp-core: the runtime model every wisp tier shares.
//!
//! Module decoding and validation, the store and its instances, linear memories, tables,
//! globals, traps, fuel, and the embedding API. Execution tiers plug in through
//! [`vm::Executor`] and meet the instance state through [`vm::VmCtx`]. `no_std` + `alloc`;
//! the `std` feature adds `std::error::Error` impls.

#![no_std]
#![allow(missing_debug_implementations)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod dead_code;
mod engine;
mod error;
mod exception;
mod framing;
mod func;
mod global;
pub mod hash;
mod instance;
pub mod layout;
mod limits;
mod linker;
mod memory;
pub mod module;
pub mod operators;
pub mod owned;
mod store;
mod table;
pub mod text;
mod trap;
mod typed;
mod types;
pub mod validate;
mod value;
pub mod vm;
pub mod wasm;

pub use crate::engine::{Config, Engine, Tier, TierEvent, TierListener, TierUp, MEMORY_GUARD};
pub use crate::error::{Error, Message, ModuleError, Result};
pub use crate::exception::{ExnEntity, ExnRef, Tag, TagEntity};
pub use crate::func::{
    call_raw, Caller, Func, FuncEntity, FuncKind, HostEntity, HostFunc, MAX_REENTRANCY,
};
pub use crate::global::{Global, GlobalEntity};
pub use crate::instance::{Instance, InstanceEntity};
pub use crate::layout::{SlotLayout, SLOT_BYTES};
pub use crate::limits::{ModuleLimits, ResourceLimiter, StoreResource};
pub use crate::linker::{Extern, Linker};
#[cfg(feature = "std")]
pub use crate::memory::SharedMemory;
pub use crate::memory::{Memory, MemoryEntity, MemorySlot};
pub use crate::module::Module;
pub use crate::store::{
    AsContext, AsContextMut, InterruptHandle, NativeFrames, Store, StoreContext, StoreContextMut,
    StoreId, StoreInner,
};
pub use crate::table::{Table, TableEntity};
pub use crate::trap::{FrameInfo, HostError, Trap, TrapCode};
pub use crate::typed::{HostResult, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use crate::types::{
    ExternType, FuncType, GlobalType, HeapType, MemoryType, Mutability, RefType, TableType,
    TagType, ValType,
};
pub use crate::value::{ExternRef, Val, V128};

/// Memory and table helpers shared by the tiers and the API (one place for each bulk op).
pub mod ops {
    pub use crate::memory::copy_between as memory_copy_between;
    #[cfg(feature = "std")]
    pub use crate::memory::shared::current_len as shared_memory_len;
    #[cfg(feature = "std")]
    pub use crate::memory::wait::{notify as atomic_notify, wait as atomic_wait};
    pub use crate::table::copy_between as table_copy_between;
    pub use crate::table::index as table_index;
}
