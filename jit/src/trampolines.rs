//! Array-call trampolines: the door from Rust (and, later, from the interpreter) into a
//! compiled function.
//!
//! Each defined function gets one `ArrayCallFn` (`wisp_core::vm`): it loads the arguments
//! from the slot array, calls the function's direct entry, and on success stores the
//! results back into the array. Its address is what `FuncEntry::native` publishes.

use cranelift_codegen::ir::{
    types, ExtFuncData, ExternalName, Function, InstBuilder, MemFlagsData, UserExternalName,
    UserFuncName,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use wisp_core::vm::OsrFrame;

use crate::offsets;
use crate::translate::{
    clif_type, load_raw, slot_offset, store_raw, zero, Env, WASM_FUNCTION_NAMESPACE,
};

/// The namespace of trampolines' names: `UserFuncName::user(namespace, def)`.
pub const TRAMPOLINE_NAMESPACE: u32 = 1;

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
    let depth = b
        .ins()
        .load(types::I32, flags, store, offsets::STORE_DEPTH_LEFT);
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
