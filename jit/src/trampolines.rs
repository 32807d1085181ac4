//! The doors between native code and the runtime, in both directions.
//!
//! - **Array-call trampolines** (`array_to`), from Rust and the interpreter into a
//!   compiled function: each defined function gets one `ArrayCallFn` (`wisp_core::vm`),
//!   which loads the arguments from the slot array, calls the function's direct entry,
//!   and on success stores the results back into the array. Its address is what
//!   `FuncEntry::native` publishes.
//! - **Runtime adapters** (`runtime_adapter`), from native code to a callee without
//!   native code (a host function, a function not compiled yet): one per function type a
//!   piece of code calls that way, taking the direct call's arguments in registers and
//!   making the array call through the runtime. Each call site's slow path is then a
//!   call like any other (the arguments stores, the runtime call and the results loads
//!   inline at every site were 8% of regex's code).

use cranelift_codegen::ir::{
    types, ExtFuncData, ExternalName, Function, InstBuilder, MemFlagsData, StackSlotData,
    StackSlotKind, UserExternalName, UserFuncName,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use wisp_core::layout::slot_offset_bytes;
use wisp_core::vm::OsrFrame;
use wisp_core::SLOT_BYTES;

use crate::libcalls::Libcall;
use crate::offsets;
use crate::translate::{
    budget_param, clif_type, load_raw, publish_depth, slot_offset, store_raw, zero, Env,
    WASM_FUNCTION_NAMESPACE,
};

/// The namespace of trampolines' names: `UserFuncName::user(namespace, def)`.
pub const TRAMPOLINE_NAMESPACE: u32 = 1;

/// The namespace of runtime adapters' names: `UserExternalName { namespace, index: ty }`,
/// `ty` a type index of the module.
pub const ADAPTER_NAMESPACE: u32 = 2;

/// What a trampoline's array holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callee {
    /// The arguments, and then the results: a call.
    Direct,
    /// A `wisp_core::vm::OsrFrame`, passed on as the function's OSR parameter
    /// (`translate::Calls::Table`): an interpreter frame continued at a loop header. The
    /// results go to the frame's slots.
    Loop,
}

/// The array-call trampoline of defined function `def`: a call of its direct entry with
/// the arguments from the array, or an on-stack replacement.
pub fn array_to(
    env: &Env<'_>,
    def: u32,
    callee_kind: Callee,
    fctx: &mut FunctionBuilderContext,
) -> Function {
    let module = env.module;
    let ty = module.func_type(module.num_imported_funcs + def);
    let mut func = Function::with_name_signature(
        UserFuncName::user(TRAMPOLINE_NAMESPACE, def),
        env.array_signature(),
    );
    let mut b = FunctionBuilder::new(&mut func, fctx);

    let direct_sig = b.import_signature(env.direct_signature(ty));
    let name = b
        .func
        .declare_imported_user_function(UserExternalName::new(WASM_FUNCTION_NAMESPACE, def));
    let callee = b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature: direct_sig,
        colocated: true,
        patchable: false,
    });

    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let (vmctx, array) = (b.block_params(entry)[0], b.block_params(entry)[2]);
    // The array is the caller's: aligned, and valid for the call (the contract).
    let flags = MemFlagsData::trusted();
    // The call budget the runtime keeps (`StoreInner::depth_left`), as a parameter: native
    // code passes it on from there (`translate`'s invariants). The entry that set it
    // restores it afterwards (`executor::run`, the interpreter's `call_native`).
    let store = b.ins().load(env.ptr, flags, vmctx, offsets::VMCTX_STORE);
    let budget = b
        .ins()
        .load(types::I32, flags, store, offsets::STORE_DEPTH_LEFT);
    let depth = budget_param(&mut b, budget);
    let mut args = vec![vmctx, depth];
    let results_to = match callee_kind {
        Callee::Direct => {
            if env.osr() {
                args.push(b.ins().iconst(env.ptr, 0));
            }
            let layout = ty.params_layout();
            for (i, &p) in ty.params().iter().enumerate() {
                let at = slot_offset(&layout, i);
                args.push(load_raw(&mut b, clif_type(p), flags, array, at));
            }
            array
        }
        Callee::Loop => {
            args.push(array);
            // The parameters are the frame's locals, which the OSR path loads.
            for &p in ty.params() {
                args.push(zero(&mut b, clif_type(p)));
            }
            b.ins().load(
                env.ptr,
                flags,
                array,
                std::mem::offset_of!(OsrFrame, slots) as i32,
            )
        }
    };
    let call = b.ins().call(callee, &args);
    let results = b.inst_results(call).to_vec();
    let status = results[0];

    let failed = b.create_block();
    let succeeded = b.create_block();
    b.ins().brif(status, failed, &[], succeeded, &[]);
    b.switch_to_block(failed);
    b.seal_block(failed);
    b.ins().return_(&[status]);

    b.switch_to_block(succeeded);
    b.seal_block(succeeded);
    // Results go where the array-call convention puts them, also for on-stack replacement:
    // the interpreter's frame takes a function's results at its first slots.
    let layout = ty.results_layout();
    for (i, &r) in results[1..].iter().enumerate() {
        store_raw(&mut b, r, flags, results_to, slot_offset(&layout, i));
    }
    b.ins().return_(&[status]);
    b.finalize(env.frontend);
    func
}

/// The runtime adapter for functions of module type `type_index`
/// (`Env::adapter_signature`): calls store function `store_func` through the runtime
/// (`Libcall::CallStoreFunc`) with the arguments, giving the frames it starts the call
/// budget `depth`, and returns its status and, on success, its results. A failure is the
/// caller's to pass on, as from a native callee.
pub fn runtime_adapter(
    env: &Env<'_>,
    type_index: u32,
    fctx: &mut FunctionBuilderContext,
) -> Function {
    let ty = &env.module.types[type_index as usize];
    let mut func = Function::with_name_signature(
        UserFuncName::user(ADAPTER_NAMESPACE, type_index),
        env.adapter_signature(ty),
    );
    let mut b = FunctionBuilder::new(&mut func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let (vmctx, depth, store_func) = (params[0], params[1], params[2]);
    let flags = MemFlagsData::trusted();

    let slots = ty.slots_len().max(1);
    let slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        slot_offset_bytes(slots) as u32,
        SLOT_BYTES.trailing_zeros() as u8,
    ));
    let array = b.ins().stack_addr(env.ptr, slot, 0);
    let layout = ty.params_layout();
    for (i, &arg) in params[3..].iter().enumerate() {
        store_raw(&mut b, arg, flags, array, slot_offset(&layout, i));
    }
    // The runtime finds the budget of the frames it starts in the store (`translate`'s
    // invariants: `publish_depth`).
    let store = b.ins().load(env.ptr, flags, vmctx, offsets::VMCTX_STORE);
    publish_depth(&mut b, depth, store);
    let libcall = Libcall::CallStoreFunc;
    let sig = b.import_signature(libcall.signature(env.ptr, env.call_conv));
    let addr = b.ins().iconst(env.ptr, libcall.address() as i64);
    let call = b
        .ins()
        .call_indirect(sig, addr, &[vmctx, store_func, array]);
    let status = b.inst_results(call)[0];

    let failed = b.create_block();
    let succeeded = b.create_block();
    b.set_cold_block(failed);
    b.ins().brif(status, failed, &[], succeeded, &[]);
    b.switch_to_block(failed);
    b.seal_block(failed);
    let mut values = vec![status];
    for &t in ty.results() {
        values.push(zero(&mut b, clif_type(t)));
    }
    b.ins().return_(&values);

    b.switch_to_block(succeeded);
    b.seal_block(succeeded);
    let layout = ty.results_layout();
    let mut values = vec![status];
    for (i, &t) in ty.results().iter().enumerate() {
        values.push(load_raw(
            &mut b,
            clif_type(t),
            flags,
            array,
            slot_offset(&layout, i),
        ));
    }
    b.ins().return_(&values);
    b.finalize(env.frontend);
    func
}
