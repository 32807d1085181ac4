//! Calls: direct calls between the module's own functions (PC-relative when the module is
//! compiled whole, through the module's entry table when functions are compiled one at a
//! time); imported functions and `call_indirect` targets called natively when they are
//! compiled wasm functions (through the store's `FuncRef`s); and everything else (host
//! functions, functions not compiled yet) through the runtime, in the array-call
//! convention (`wisp_core::vm::ArrayCallFn`).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, ExtFuncData, ExternalName, FuncRef, InstBuilder, MemFlagsData, Signature, StackSlot,
    UserExternalName, Value,
};
use wisp_core::vm::status;
use wisp_core::{FuncType, TrapCode};

use super::{clif_type, slot_offset, vm_flags, vm_readonly, Calls, Env, Translator};
use crate::libcalls::Libcall;
use crate::offsets;
use crate::trampolines::ADAPTER_NAMESPACE;

/// The namespace of wasm functions' names: `UserExternalName { namespace, index: def }`.
pub const WASM_FUNCTION_NAMESPACE: u32 = 0;

impl Translator<'_, '_> {
    /// Writes the store into another instance's context before native code calls into
    /// it: the callee finds the store through its own context, which only entries from
    /// Rust keep current (a `Store<T>` may have moved since that instance was last
    /// entered).
    fn publish_store(&mut self, vmctx: Value) {
        self.b.ins().store(
            MemFlagsData::trusted(),
            self.store,
            vmctx,
            offsets::VMCTX_STORE,
        );
    }

    /// A reference to defined function `func`, for direct calls.
    fn direct_func(&mut self, func: u32) -> FuncRef {
        let module = self.env.module;
        let def = func - module.num_imported_funcs;
        self.colocated(WASM_FUNCTION_NAMESPACE, def, |env| {
            env.direct_signature(module.func_type(func))
        })
    }

    /// The function named `(namespace, index)`, laid out with the code that calls it
    /// (`compile::link`: a module's code is one mapping, a tier-up unit's another), with
    /// the signature `signature` gives; declared once per function translated.
    fn colocated(
        &mut self,
        namespace: u32,
        index: u32,
        signature: impl FnOnce(&Env<'_>) -> Signature,
    ) -> FuncRef {
        if let Some(&f) = self.callees.get(&(namespace, index)) {
            return f;
        }
        let signature = self.b.import_signature(signature(self.env));
        let name = self
            .b
            .func
            .declare_imported_user_function(UserExternalName::new(namespace, index));
        let f = self.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: true,
            patchable: false,
        });
        self.callees.insert((namespace, index), f);
        f
    }

    pub(super) fn op_call(&mut self, func: u32) {
        let module = self.env.module;
        let ty = module.func_type(func).clone();
        let args = self.popn(ty.params().len());
        let imported = func < module.num_imported_funcs;
        // A function compiled alone calls itself directly, unless it has landings: then
        // through the table, which holds its code without them once that exists
        // (`Calls::Table`), so a frame that entered mid-loop makes its calls to the faster
        // code.
        let itself = func == module.num_imported_funcs + self.def;
        let results = match self.env.calls {
            _ if imported => self.call_import(&ty, &args, func),
            Calls::Table { table, landings } if !itself || landings => {
                self.call_through_table(&ty, &args, func, table)
            }
            Calls::Direct | Calls::Table { .. } => {
                let callee = self.direct_func(func);
                let depth = self.callee_depth();
                let call_args = self.direct_args(self.vmctx, depth, &args);
                let call = self.b.ins().call(callee, &call_args);
                let results = self.b.inst_results(call).to_vec();
                let def = func - module.num_imported_funcs;
                self.native_call_done(&ty, &results, Some(def))
            }
        };
        self.stack.extend(results);
    }

    /// The arguments of a direct call: the callee's context, its call budget `depth`
    /// (`callee_depth`, or `own_depth` for a tail call, which takes this frame's place), a
    /// null OSR parameter (a call, not an on-stack replacement) where functions take one,
    /// then `args`.
    fn direct_args(&mut self, vmctx: Value, depth: Value, args: &[Value]) -> Vec<Value> {
        let mut call_args = Vec::with_capacity(args.len() + 3);
        call_args.push(vmctx);
        call_args.push(depth);
        if self.env.osr() {
            call_args.push(self.b.ins().iconst(self.env.ptr, 0));
        }
        call_args.extend_from_slice(args);
        call_args
    }

    /// Calls store function `store_func`, of module type `type_index`, through the
    /// runtime (`trampolines::runtime_adapter`), which runs it on whichever tier has it;
    /// returns the status and the results.
    fn call_adapter(&mut self, type_index: u32, store_func: Value, args: &[Value]) -> Vec<Value> {
        let module = self.env.module;
        let adapter = self.colocated(ADAPTER_NAMESPACE, type_index, |env| {
            env.adapter_signature(&module.types[type_index as usize])
        });
        let depth = self.callee_depth();
        let mut call_args = vec![self.vmctx, depth, store_func];
        call_args.extend_from_slice(args);
        let call = self.b.ins().call(adapter, &call_args);
        self.b.inst_results(call).to_vec()
    }

    /// Calls function `func` of the instance's index space through the runtime, and passes
    /// a failure on (a callee may throw: to the handler in effect).
    fn call_runtime(&mut self, args: &[Value], func: u32) -> Vec<Value> {
        let type_index = self.env.module.funcs[func as usize];
        let store_func = self.store_func_of(func);
        self.call_store_func(type_index, store_func, args)
    }

    /// As `call_runtime`, for store function `store_func` of type `type_index`.
    fn call_store_func(
        &mut self,
        type_index: u32,
        store_func: Value,
        args: &[Value],
    ) -> Vec<Value> {
        let results = self.call_adapter(type_index, store_func, args);
        self.propagate(results[0]);
        results[1..].to_vec()
    }

    /// Calls direct entry `code` of type `ty` with context `vmctx`, or, when `code` is null
    /// (a host function, or one not compiled yet), whatever `runtime` emits; passes a
    /// failure on and returns the results. `callee`: the defined function of this module
    /// `code` is, when known; when not (an import, a table's element, a reference), `vmctx`
    /// may be another instance's.
    fn call_native_or(
        &mut self,
        ty: &FuncType,
        args: &[Value],
        code: Value,
        vmctx: Value,
        callee: Option<u32>,
        runtime: impl FnOnce(&mut Self) -> Vec<Value>,
    ) -> Vec<Value> {
        let native = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        for &t in ty.results() {
            self.b.append_block_param(join, clif_type(t));
        }
        self.b.set_cold_block(slow);
        self.b.ins().brif(code, native, &[], slow, &[]);

        self.b.switch_to_block(native);
        self.b.seal_block(native);
        if callee.is_none() {
            self.publish_store(vmctx);
        }
        let sig = self.b.import_signature(self.env.direct_signature(ty));
        let depth = self.callee_depth();
        let call_args = self.direct_args(vmctx, depth, args);
        let call = self.b.ins().call_indirect(sig, code, &call_args);
        let results = self.b.inst_results(call).to_vec();
        let results = self.native_call_done(ty, &results, callee);
        let block_args = Self::block_args(&results);
        self.b.ins().jump(join, &block_args);

        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        let results = runtime(self);
        let block_args = Self::block_args(&results);
        self.b.ins().jump(join, &block_args);

        self.b.switch_to_block(join);
        self.b.seal_block(join);
        self.b.block_params(join).to_vec()
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
        // Already compiled: its entry is final (written once, and the code lives as long
        // as the module), so the call needs neither the load nor the runtime path.
        let compiled = self
            .env
            .module
            .native_code
            .get(def as usize)
            .map_or(std::ptr::null_mut(), |cell| {
                cell.load(std::sync::atomic::Ordering::Acquire)
            });
        if !compiled.is_null() {
            let code = self.b.ins().iconst(ptr, compiled as i64);
            let sig = self.b.import_signature(self.env.direct_signature(ty));
            let depth = self.callee_depth();
            let call_args = self.direct_args(self.vmctx, depth, args);
            let call = self.b.ins().call_indirect(sig, code, &call_args);
            let results = self.b.inst_results(call).to_vec();
            return self.native_call_done(ty, &results, Some(def));
        }
        let slot = table + def as usize * ptr.bytes() as usize;
        let slot = self.b.ins().iconst(ptr, slot as i64);
        // A plain load: the entry is written once, by one atomic store, from null to its
        // final value, and code that still sees null takes the runtime path, which is
        // right too.
        let code = self.b.ins().load(ptr, MemFlagsData::trusted(), slot, 0);
        let vmctx = self.vmctx;
        self.call_native_or(ty, args, code, vmctx, Some(def), |t| {
            t.call_runtime(args, func)
        })
    }

    /// The `FuncRef` of store function `store_func` (`StoreInner::func_refs`).
    fn func_ref(&mut self, store_func: Value) -> Value {
        let ptr = self.env.ptr;
        let refs = self
            .b
            .ins()
            .load(ptr, vm_flags(), self.store, offsets::STORE_FUNC_REFS);
        let index = self.b.ins().uextend(ptr, store_func);
        let at = self.b.ins().imul_imm_u(index, offsets::FUNC_REF_SIZE);
        self.b.ins().iadd(refs, at)
    }

    /// The direct entry and context a `FuncRef` calls (null entry: through the runtime).
    fn func_ref_target(&mut self, func_ref: Value) -> (Value, Value) {
        let ptr = self.env.ptr;
        let cell = self
            .b
            .ins()
            .load(ptr, vm_flags(), func_ref, offsets::FUNC_REF_CODE);
        // Written once, from null to its final value (see `call_through_table`).
        let code = self.b.ins().load(ptr, MemFlagsData::trusted(), cell, 0);
        let vmctx = self
            .b
            .ins()
            .load(ptr, vm_flags(), func_ref, offsets::FUNC_REF_VMCTX);
        (code, vmctx)
    }

    /// A call to imported function `func`: natively when it is a compiled wasm function,
    /// else (a host function, or not compiled yet) through the runtime.
    fn call_import(&mut self, ty: &FuncType, args: &[Value], func: u32) -> Vec<Value> {
        let store_func = self.store_func_of(func);
        let func_ref = self.func_ref(store_func);
        let (code, vmctx) = self.func_ref_target(func_ref);
        self.call_native_or(ty, args, code, vmctx, None, |t| t.call_runtime(args, func))
    }

    /// `call_indirect`: the interpreter's checks in its order (the index within the table,
    /// a non-null element, the callee's type), then the callee natively when it is a
    /// compiled wasm function, else through the runtime (which checks again, harmlessly).
    pub(super) fn op_call_indirect(&mut self, type_index: u32, table: u32) {
        let elem = self.pop();
        let ty = self.env.module.types[type_index as usize].clone();
        let args = self.popn(ty.params().len());
        let (store_func, func_ref) = self.indirect_target(type_index, table, elem);
        let (code, vmctx) = self.func_ref_target(func_ref);
        let results = self.call_native_or(&ty, &args, code, vmctx, None, |t| {
            t.call_store_func(type_index, store_func, &args)
        });
        self.stack.extend(results);
    }

    /// Element `elem` of table `table` as the callee of a `call_indirect` of module type
    /// `type_index`, checked in the interpreter's order (the index within the table, a
    /// non-null element, the callee's type): its store function and `FuncRef`.
    fn indirect_target(&mut self, type_index: u32, table: u32, elem: Value) -> (Value, Value) {
        let elem = self.table_operand(self.table64(table), elem);
        let ptr = self.env.ptr;
        let tables = self
            .b
            .ins()
            .load(ptr, vm_readonly(), self.vmctx, offsets::VMCTX_TABLES);
        let entity = self.b.ins().load(
            ptr,
            vm_readonly(),
            tables,
            (table as usize * ptr.bytes() as usize) as i32,
        );
        let len = self
            .b
            .ins()
            .load(types::I32, vm_flags(), entity, offsets::TABLE_LEN);
        let out = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, elem, len);
        self.trap_if(out, TrapCode::TableOutOfBounds);
        let base = self
            .b
            .ins()
            .load(ptr, vm_flags(), entity, offsets::TABLE_BASE);
        let index = self.b.ins().uextend(ptr, elem);
        let at = self.b.ins().ishl_imm_u(index, 3);
        let at = self.b.ins().iadd(base, at);
        let raw = self.b.ins().load(types::I64, vm_flags(), at, 0);
        self.trap_if_zero(raw, TrapCode::IndirectCallToNull);
        // A non-null reference is the store function's index plus one.
        let store_func = self.b.ins().ireduce(types::I32, raw);
        let store_func = self.b.ins().iadd_imm_s(store_func, -1);
        let func_ref = self.func_ref(store_func);
        let type_id =
            self.b
                .ins()
                .load(types::I32, vm_flags(), func_ref, offsets::FUNC_REF_TYPE_ID);
        let expected = self.env.module.type_ids[type_index as usize];
        let wrong = self
            .b
            .ins()
            .icmp_imm_u(IntCC::NotEqual, type_id, i64::from(expected));
        self.trap_if(wrong, TrapCode::BadSignature);
        (store_func, func_ref)
    }

    /// A function reference as a callee (`call_ref`, `return_call_ref`): a null one traps;
    /// returns its store function and `FuncRef`. Validation checked its type.
    fn ref_target(&mut self, funcref: Value) -> (Value, Value) {
        self.trap_if_zero(funcref, TrapCode::NullFunctionReference);
        let store_func = self.b.ins().ireduce(types::I32, funcref);
        let store_func = self.b.ins().iadd_imm_s(store_func, -1);
        let func_ref = self.func_ref(store_func);
        (store_func, func_ref)
    }

    /// `call_ref`: natively when the callee is a compiled wasm function, else through the
    /// runtime.
    pub(super) fn op_call_ref(&mut self, type_index: u32) {
        let funcref = self.pop();
        let ty = self.env.module.types[type_index as usize].clone();
        let args = self.popn(ty.params().len());
        let (store_func, func_ref) = self.ref_target(funcref);
        let (code, vmctx) = self.func_ref_target(func_ref);
        let results = self.call_native_or(&ty, &args, code, vmctx, None, |t| {
            t.call_store_func(type_index, store_func, &args)
        });
        self.stack.extend(results);
    }

    /// After a native call returned `results` (the status first): passes a failure on, and
    /// returns the callee's results. With functions compiled one at a time, a callee that
    /// tail-called a function with no native code left that call to its caller
    /// (`status::TAIL_CALL`): the runtime makes it here (`Libcall::FinishTailCall`). Only
    /// a body with a tail call does that (`FuncBody::tail_calls`): for a call to defined
    /// function `callee` without one, the check is left out. (On tiered fib, the check's
    /// cold path kept the store pointer in a register across the loop: 60 to 75 ms.)
    fn native_call_done(
        &mut self,
        ty: &FuncType,
        results: &[Value],
        callee: Option<u32>,
    ) -> Vec<Value> {
        let status = results[0];
        if callee.is_some_and(|def| self.env.status_free.get(def as usize) == Some(&true)) {
            // It always returns 0 (`reach::status_free`).
            return results[1..].to_vec();
        }
        let may_leave_tail_call =
            callee.is_none_or(|def| self.env.module.bodies[def as usize].tail_calls);
        if !self.env.osr() || !may_leave_tail_call {
            self.propagate(status);
            return results[1..].to_vec();
        }
        let done = self.b.create_block();
        for &t in ty.results() {
            self.b.append_block_param(done, clif_type(t));
        }
        let failed = self.b.create_block();
        self.b.set_cold_block(failed);
        let ok_args = Self::block_args(&results[1..]);
        self.b.ins().brif(status, failed, &[], done, &ok_args);
        self.b.switch_to_block(failed);
        self.b.seal_block(failed);
        let is_tail = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, status, i64::from(status::TAIL_CALL));
        let pending = self.b.create_block();
        let other = self.b.create_block();
        self.b.set_cold_block(pending);
        self.b.set_cold_block(other);
        self.b.ins().brif(is_tail, pending, &[], other, &[]);
        self.b.switch_to_block(other);
        self.b.seal_block(other);
        self.raise(status);
        self.b.switch_to_block(pending);
        self.b.seal_block(pending);
        let vmctx = self.vmctx;
        let values = self.call_array(ty, Libcall::FinishTailCall, &[vmctx]);
        self.b.ins().jump(done, &Self::block_args(&values));
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.b.block_params(done).to_vec()
    }

    // ----- tail calls ----------------------------------------------------------------

    /// The arguments of a tail call to a function of type `ty`, and the catch blocks it
    /// leaves let go of their exceptions.
    fn tail_call_args(&mut self, ty: &FuncType) -> Vec<Value> {
        let args = self.popn(ty.params().len());
        let exits = self.catch_exits(None);
        self.leave_catch_blocks(&exits);
        args
    }

    /// `return_call`.
    pub(super) fn op_return_call(&mut self, func: u32) {
        let module = self.env.module;
        let ty = module.func_type(func).clone();
        let args = self.tail_call_args(&ty);
        let imported = func < module.num_imported_funcs;
        let itself = func == module.num_imported_funcs + self.def;
        match self.env.calls {
            _ if imported => {
                let store_func = self.store_func_of(func);
                let func_ref = self.func_ref(store_func);
                let (code, vmctx) = self.func_ref_target(func_ref);
                let type_index = module.funcs[func as usize];
                self.tail_call_native_or(&ty, type_index, &args, code, vmctx, true, store_func);
            }
            Calls::Table { table, .. } if !itself => {
                let def = func - module.num_imported_funcs;
                let ptr = self.env.ptr;
                let slot = table + def as usize * ptr.bytes() as usize;
                let slot = self.b.ins().iconst(ptr, slot as i64);
                // As for `call_through_table`: written once, from null to final.
                let code = self.b.ins().load(ptr, MemFlagsData::trusted(), slot, 0);
                let store_func = self.store_func_of(func);
                let vmctx = self.vmctx;
                let type_index = module.funcs[func as usize];
                self.tail_call_native_or(&ty, type_index, &args, code, vmctx, false, store_func);
            }
            Calls::Direct | Calls::Table { .. } => {
                let callee = self.direct_func(func);
                let depth = self.own_depth();
                let call_args = self.direct_args(self.vmctx, depth, &args);
                self.b.ins().return_call(callee, &call_args);
            }
        }
    }

    /// `return_call_indirect`: `call_indirect`'s checks, then a tail call.
    pub(super) fn op_return_call_indirect(&mut self, type_index: u32, table: u32) {
        let elem = self.pop();
        let ty = self.env.module.types[type_index as usize].clone();
        let args = self.tail_call_args(&ty);
        let (store_func, func_ref) = self.indirect_target(type_index, table, elem);
        let (code, vmctx) = self.func_ref_target(func_ref);
        self.tail_call_native_or(&ty, type_index, &args, code, vmctx, true, store_func);
    }

    /// `return_call_ref`.
    pub(super) fn op_return_call_ref(&mut self, type_index: u32) {
        let funcref = self.pop();
        let ty = self.env.module.types[type_index as usize].clone();
        let args = self.tail_call_args(&ty);
        let (store_func, func_ref) = self.ref_target(funcref);
        let (code, vmctx) = self.func_ref_target(func_ref);
        self.tail_call_native_or(&ty, type_index, &args, code, vmctx, true, store_func);
    }

    /// The store function of function `func` of the instance's index space.
    fn store_func_of(&mut self, func: u32) -> Value {
        let ptr = self.env.ptr;
        let funcs = self
            .b
            .ins()
            .load(ptr, vm_readonly(), self.vmctx, offsets::VMCTX_FUNCS);
        let at =
            i64::from(func) * offsets::FUNC_ENTRY_SIZE + i64::from(offsets::FUNC_ENTRY_STORE_FUNC);
        self.b
            .ins()
            .load(types::I32, vm_readonly(), funcs, at as i32)
    }

    /// A tail call of store function `store_func`, of type `ty`: to direct entry `code`
    /// with context `vmctx` (another instance's, when `foreign`) when it is not null, in
    /// this frame's place. Otherwise (a host function, or a wasm function with no native
    /// code), with functions compiled one at a time the call is left to this function's
    /// caller (`status::TAIL_CALL`), which makes it in this frame's place too; with a whole
    /// module compiled, the runtime makes it and this function returns its results (such
    /// a callee is a host function, or another module's before its first call).
    ///
    /// Either way the call is this frame's last act: no handler of this function's covers
    /// it, and the callee gets this frame's call budget.
    #[allow(clippy::too_many_arguments)]
    fn tail_call_native_or(
        &mut self,
        ty: &FuncType,
        type_index: u32,
        args: &[Value],
        code: Value,
        vmctx: Value,
        foreign: bool,
        store_func: Value,
    ) {
        let native = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(code, native, &[], slow, &[]);

        self.b.switch_to_block(native);
        self.b.seal_block(native);
        if foreign {
            self.publish_store(vmctx);
        }
        let sig = self.b.import_signature(self.env.direct_signature(ty));
        let depth = self.own_depth();
        let call_args = self.direct_args(vmctx, depth, args);
        self.b.ins().return_call_indirect(sig, code, &call_args);

        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        if self.env.osr() {
            let (array, _) = self.raw_array(args, 0);
            let vmctx = self.vmctx;
            self.call_libcall(Libcall::PendTailCall, &[vmctx, store_func, array]);
            // The caller makes the call in this frame's place, with this frame's budget.
            let depth = self.own_depth();
            self.publish_depth(depth);
            let mut values = vec![self.i32_const(i64::from(status::TAIL_CALL))];
            for &t in &self.results.clone() {
                values.push(self.zero(t));
            }
            self.b.ins().return_(&values);
        } else {
            let results = self.call_adapter(type_index, store_func, args);
            // Not to this function's handlers: the call stands in for a frame after it.
            self.fail_if(results[0], results[0]);
            let results = results[1..].to_vec();
            let ret = self.ret;
            self.b.ins().jump(ret, &Self::block_args(&results));
        }
    }

    /// Calls `libcall` with `leading` and then a pointer to an array for the results of
    /// type `ty` (`FinishTailCall`), passes a failure on, and reads the results back.
    fn call_array(&mut self, ty: &FuncType, libcall: Libcall, leading: &[Value]) -> Vec<Value> {
        let (array, slot) = self.raw_array(&[], ty.slots_len());
        let mut call_args = leading.to_vec();
        call_args.push(array);
        // Every array call starts frames through the runtime, which finds their budget
        // in the store.
        let depth = self.callee_depth();
        self.publish_depth(depth);
        let status = self.call_libcall(libcall, &call_args)[0];
        // A callee may throw: the handler in effect gets a failure.
        self.propagate(status);
        self.array_results(ty, slot)
    }

    /// The results of type `ty` an array call left in `slot`.
    fn array_results(&mut self, ty: &FuncType, slot: StackSlot) -> Vec<Value> {
        let layout = ty.results_layout();
        ty.results()
            .iter()
            .enumerate()
            .map(|(i, &t)| self.stack_load_raw(clif_type(t), slot, slot_offset(&layout, i)))
            .collect()
    }

    /// `ref.func`: the function's store index + 1, from its entry in the instance.
    pub(super) fn op_ref_func(&mut self, func: u32) {
        let index = self.store_func_of(func);
        let index = self.b.ins().uextend(types::I64, index);
        let v = self.b.ins().iadd_imm_u(index, 1);
        self.push(v);
    }
}
