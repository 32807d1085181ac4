//! Calls: direct calls between the module's own functions (PC-relative when the module is
//! compiled whole, through the module's entry table when functions are compiled one at a
//! time), and calls that leave native code through the runtime (imported functions,
//! `call_indirect`, functions not compiled yet) in the array-call convention
//! (`wisp_core::vm::ArrayCallFn`).

use cranelift_codegen::ir::{
    types, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, StackSlotData,
    StackSlotKind, UserExternalName, Value,
};
use wisp_core::FuncType;

use super::{clif_type, vm_readonly, Calls, Translator};
use crate::libcalls::Libcall;
use crate::offsets;

/// The namespace of wasm functions' names: `UserExternalName { namespace, index: def }`.
pub const WASM_FUNCTION_NAMESPACE: u32 = 0;

impl Translator<'_, '_> {
    /// A reference to defined function `func`, for direct calls.
    fn direct_func(&mut self, func: u32) -> FuncRef {
        if let Some(&f) = self.direct_funcs.get(&func) {
            return f;
        }
        let module = self.env.module;
        let def = func - module.num_imported_funcs;
        let sig = self.env.direct_signature(module.func_type(func));
        let signature = self.b.import_signature(sig);
        let name = self
            .b
            .func
            .declare_imported_user_function(UserExternalName::new(WASM_FUNCTION_NAMESPACE, def));
        let f = self.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            // All of a module's code lives in one mapping (`code_memory.rs`).
            colocated: true,
            patchable: false,
        });
        self.direct_funcs.insert(func, f);
        f
    }

    pub(super) fn op_call(&mut self, func: u32) {
        let module = self.env.module;
        let ty = module.func_type(func).clone();
        let args = self.popn(ty.params().len());
        let imported = func < module.num_imported_funcs;
        // A function compiled alone calls itself directly.
        let itself = func == module.num_imported_funcs + self.def;
        let results = match self.env.calls {
            _ if imported => self.call_runtime(&ty, &args, func),
            Calls::Table { table } if !itself => self.call_through_table(&ty, &args, func, table),
            Calls::Direct | Calls::Table { .. } => {
                let callee = self.direct_func(func);
                self.call_direct(callee, &args)
            }
        };
        self.stack.extend(results);
    }

    /// The arguments of a direct call: the context, a null OSR parameter (a call, not an
    /// on-stack replacement) where functions take one, then `args`.
    fn direct_args(&mut self, args: &[Value]) -> Vec<Value> {
        let mut call_args = Vec::with_capacity(args.len() + 2);
        call_args.push(self.vmctx);
        if self.env.osr() {
            call_args.push(self.b.ins().iconst(self.env.ptr, 0));
        }
        call_args.extend_from_slice(args);
        call_args
    }

    /// Calls the direct entry `callee` and passes a failure on; returns the results.
    fn call_direct(&mut self, callee: FuncRef, args: &[Value]) -> Vec<Value> {
        let call_args = self.direct_args(args);
        let call = self.b.ins().call(callee, &call_args);
        let results = self.b.inst_results(call).to_vec();
        self.propagate(results[0]);
        results[1..].to_vec()
    }

    /// Calls function `func` of the instance's index space through the runtime, which
    /// runs it on whichever tier has it.
    fn call_runtime(&mut self, ty: &FuncType, args: &[Value], func: u32) -> Vec<Value> {
        let index = self.i32_const(i64::from(func));
        self.call_array(ty, args, Libcall::CallFunc, &[self.vmctx, index])
    }

    /// A call to defined function `func` when functions are compiled one at a time: its
    /// direct entry from the module's table if it has been compiled, else through the
    /// runtime (which interprets it).
    fn call_through_table(
        &mut self,
        ty: &FuncType,
        args: &[Value],
        func: u32,
        table: usize,
    ) -> Vec<Value> {
        let def = func - self.env.module.num_imported_funcs;
        let ptr = self.env.ptr;
        let slot = table + def as usize * ptr.bytes() as usize;
        let slot = self.b.ins().iconst(ptr, slot as i64);
        // A plain load: the entry is written once, by one atomic store, from null to its
        // final value, and code that still sees null takes the runtime path, which is
        // right too.
        let entry = self.b.ins().load(ptr, MemFlagsData::trusted(), slot, 0);
        let native = self.b.create_block();
        let runtime = self.b.create_block();
        let join = self.b.create_block();
        for &t in ty.results() {
            self.b.append_block_param(join, clif_type(t));
        }
        self.b.set_cold_block(runtime);
        self.b.ins().brif(entry, native, &[], runtime, &[]);

        self.b.switch_to_block(native);
        self.b.seal_block(native);
        let sig = self.b.import_signature(self.env.direct_signature(ty));
        let call_args = self.direct_args(args);
        let call = self.b.ins().call_indirect(sig, entry, &call_args);
        let results = self.b.inst_results(call).to_vec();
        self.propagate(results[0]);
        let block_args = Self::block_args(&results[1..]);
        self.b.ins().jump(join, &block_args);

        self.b.switch_to_block(runtime);
        self.b.seal_block(runtime);
        let results = self.call_runtime(ty, args, func);
        let block_args = Self::block_args(&results);
        self.b.ins().jump(join, &block_args);

        self.b.switch_to_block(join);
        self.b.seal_block(join);
        self.b.block_params(join).to_vec()
    }

    pub(super) fn op_call_indirect(&mut self, type_index: u32, table: u32) {
        let elem = self.pop();
        let ty = self.env.module.types[type_index as usize].clone();
        let args = self.popn(ty.params().len());
        let table = self.i32_const(i64::from(table));
        let type_index = self.i32_const(i64::from(type_index));
        let results = self.call_array(
            &ty,
            &args,
            Libcall::CallIndirect,
            &[self.vmctx, table, type_index, elem],
        );
        self.stack.extend(results);
    }

    /// Calls `libcall` with `leading` and then a pointer to an array holding `args` (raw
    /// slots), passes a failure on, and reads the results of type `ty` back from the array.
    fn call_array(
        &mut self,
        ty: &FuncType,
        args: &[Value],
        libcall: Libcall,
        leading: &[Value],
    ) -> Vec<Value> {
        let slots = ty.slots_len().max(1) as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            slots * 8,
            3,
        ));
        for (i, &a) in args.iter().enumerate() {
            let raw = self.encode_raw(a);
            self.b
                .ins()
                .stack_store(self.env.ptr, raw, slot, (i * 8) as i32);
        }
        let array = self.b.ins().stack_addr(self.env.ptr, slot, 0);
        let mut call_args = leading.to_vec();
        call_args.push(array);
        self.call_checked(libcall, &call_args);
        ty.results()
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let raw = self
                    .b
                    .ins()
                    .stack_load(self.env.ptr, types::I64, slot, (i * 8) as i32);
                self.decode_raw(clif_type(t), raw)
            })
            .collect()
    }

    /// `ref.func`: the function's store index + 1, from its entry in the instance.
    pub(super) fn op_ref_func(&mut self, func: u32) {
        let ptr = self.env.ptr;
        let funcs = self
            .b
            .ins()
            .load(ptr, vm_readonly(), self.vmctx, offsets::VMCTX_FUNCS);
        let at =
            i64::from(func) * offsets::FUNC_ENTRY_SIZE + i64::from(offsets::FUNC_ENTRY_STORE_FUNC);
        let index = self
            .b
            .ins()
            .load(types::I32, vm_readonly(), funcs, at as i32);
        let index = self.b.ins().uextend(types::I64, index);
        let v = self.b.ins().iadd_imm_u(index, 1);
        self.push(v);
    }
}
