//! The executor: runs register bytecode with all wasm frames on a heap value stack.
//!
//! A wasm->wasm call pushes a `Frame` and continues in the same loop; nothing recurses on
//! the native stack, so recursion depth is bounded only by `Config::max_call_depth` and
//! `Config::max_stack_slots`, whatever the native stack size. Host functions are called
//! from the loop (one native frame), and a host function calling back into wasm starts a
//! fresh, separately bounded execution (see `wisp_core::MAX_REENTRANCY`).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr;

use wisp_core::module::ModuleInner;
use wisp_core::vm::VmCtx;
use wisp_core::{FrameInfo, FuncKind, InstanceEntity, MemoryEntity, StoreInner, Trap, TrapCode};

use crate::bytecode::{CompiledFunc, Instr};
use crate::code::{compiled, module_code, ModuleCode};
use crate::float;

/// An active wasm call.
struct Frame {
    /// Where to resume (saved while a callee runs).
    ip: *const Instr,
    /// First slot of the frame in the value stack.
    base: usize,
    instance: *mut InstanceEntity,
    /// Function index within the instance's module, for backtraces.
    func_index: u32,
}

/// The value stack and call frames, kept in the store between calls.
#[derive(Default)]
pub struct Stack {
    slots: Vec<u64>,
    frames: Vec<Frame>,
}

// SAFETY: the raw pointers in frames are only meaningful during one execution and are
// cleared before the stack is put back into the store.
unsafe impl Send for Stack {}

/// Runs store function `func` (a wasm function) with args/results in `io`.
///
/// # Safety
/// As for `wisp_core::vm::Executor::call`.
pub unsafe fn call(store: *mut StoreInner, func: u32, io: &mut [u64]) -> Result<(), Trap> {
    // SAFETY: `store` is live and unaliased (the caller's contract).
    let cached = unsafe { (*store).exec_cache.take() };
    let mut stack: Box<Stack> = cached
        .and_then(|c| c.downcast::<Stack>().ok())
        .unwrap_or_default();
    let result = unsafe { Exec::new(store, &mut stack).run(func, io) };
    stack.frames.clear();
    // SAFETY: as above; the execution has finished with the store.
    unsafe { (*store).exec_cache = Some(stack) };
    result
}

struct Exec<'s> {
    store: *mut StoreInner,
    stack: &'s mut Stack,
    max_depth: usize,
    max_slots: usize,
    // The current frame's context.
    instance: *mut InstanceEntity,
    vmctx: *const VmCtx,
    memory: *mut MemoryEntity,
    code: *const ModuleCode,
    module: *const ModuleInner,
}

/// Where a call goes.
enum Callee {
    Wasm { instance: u32, index: u32 },
    Host,
}

impl<'s> Exec<'s> {
    unsafe fn new(store: *mut StoreInner, stack: &'s mut Stack) -> Self {
        // SAFETY: `store` is live (the caller's contract).
        let config = unsafe { (*store).engine.config() };
        Exec {
            store,
            stack,
            max_depth: config.get_max_call_depth() as usize,
            max_slots: config.get_max_stack_slots() as usize,
            instance: ptr::null_mut(),
            vmctx: ptr::null(),
            memory: ptr::null_mut(),
            code: ptr::null(),
            module: ptr::null(),
        }
    }

    /// Makes `instance` the current one.
    unsafe fn enter_instance(&mut self, instance: *mut InstanceEntity) {
        self.instance = instance;
        // SAFETY: instance entities are boxed in the store and outlive the execution.
        unsafe {
            self.vmctx = &(*instance).vmctx;
            self.memory = (*self.vmctx).memory0;
            self.module = &**(*instance).module.inner();
            self.code = module_code(&*self.module);
        }
    }

    fn trap(&self, code: TrapCode) -> Trap {
        self.with_backtrace(Trap::from(code))
    }

    /// Attaches the wasm frames, innermost first.
    fn with_backtrace(&self, mut trap: Trap) -> Trap {
        for frame in self.stack.frames.iter().rev() {
            // SAFETY: frames point to live instances during the execution.
            let module = unsafe { (*frame.instance).module.inner() };
            trap.push_frame(FrameInfo {
                func_index: frame.func_index,
                func_name: module.func_names.get(&frame.func_index).cloned(),
            });
        }
        trap
    }

    /// Pushes a frame for wasm function `index` of the current instance at absolute slot
    /// `base`, where its arguments already are. Returns its first instruction.
    unsafe fn push_frame(&mut self, index: u32, base: usize) -> Result<*const Instr, TrapCode> {
        // SAFETY: `module` and `code` belong to the current, live instance.
        let (module, code) = unsafe { (&*self.module, &*self.code) };
        let def = index - module.num_imported_funcs;
        let func: &CompiledFunc = compiled(code, module, def);
        if self.stack.frames.len() >= self.max_depth {
            return Err(TrapCode::StackExhausted);
        }
        let end = base + func.frame_size as usize;
        if end > self.max_slots {
            return Err(TrapCode::StackExhausted);
        }
        let slots = &mut self.stack.slots;
        if end > slots.len() {
            // Grow geometrically; an allocation failure is stack exhaustion, not an abort.
            let want = end.max(slots.len() * 2).min(self.max_slots).max(end);
            slots
                .try_reserve(want - slots.len())
                .map_err(|_| TrapCode::StackExhausted)?;
            slots.resize(want, 0);
        }
        slots[base + func.num_params as usize..base + func.num_locals as usize].fill(0);
        self.stack.frames.push(Frame {
            ip: ptr::null(),
            base,
            instance: self.instance,
            func_index: index,
        });
        Ok(func.code.as_ptr())
    }

    /// Resolves store function `func` for a call.
    unsafe fn callee(&self, func: u32) -> Callee {
        // SAFETY: `store` is live; `func` is a valid store index (from a VmCtx or table).
        match unsafe { &(&(*self.store).funcs)[func as usize].kind } {
            FuncKind::Wasm { instance, index } => Callee::Wasm {
                instance: *instance,
                index: *index,
            },
            FuncKind::Host(_) => Callee::Host,
        }
    }

    unsafe fn run(&mut self, func: u32, io: &mut [u64]) -> Result<(), Trap> {
        let Callee::Wasm { instance, index } = (unsafe { self.callee(func) }) else {
            return Err(Trap::msg("interpreter asked to run a host function"));
        };
        // SAFETY: instance indices in function entities are valid for their store.
        unsafe {
            let inst: *mut InstanceEntity = &mut *(&mut (*self.store).instances)[instance as usize];
            self.enter_instance(inst);
        }
        let num_params = unsafe { (*self.module).func_type(index).params().len() };
        self.stack.slots.clear();
        let ip = unsafe { self.push_frame(index, 0) }.map_err(|c| self.trap(c))?;
        self.stack.slots[..num_params].copy_from_slice(&io[..num_params]);
        // SAFETY: the frame was just set up for the function's code.
        unsafe { self.execute(ip) }?;
        let num_results = unsafe { (*self.module).func_type(index).results().len() };
        io[..num_results].copy_from_slice(&self.stack.slots[..num_results]);
        Ok(())
    }

    /// Calls store function `func` with its arguments at absolute slot `base`; for a wasm
    /// callee, returns its first instruction (the caller's `ip` must be saved first).
    unsafe fn call_store_func(
        &mut self,
        func: u32,
        base: usize,
    ) -> Result<Option<*const Instr>, Trap> {
        match unsafe { self.callee(func) } {
            Callee::Wasm { instance, index } => unsafe {
                let inst: *mut InstanceEntity =
                    &mut *(&mut (*self.store).instances)[instance as usize];
                if inst != self.instance {
                    self.enter_instance(inst);
                }
                self.push_frame(index, base)
                    .map(Some)
                    .map_err(|c| self.trap(c))
            },
            Callee::Host => {
                // SAFETY: the store function exists; its type says how many slots it uses.
                let len = unsafe { (&(*self.store).funcs)[func as usize].ty.slots_len() };
                let end = base + len;
                if end > self.stack.slots.len() {
                    self.stack.slots.resize(end, 0);
                }
                let caller = unsafe { (*self.vmctx).instance };
                let io = &mut self.stack.slots[base..end];
                // SAFETY: no reference into the store is live across the host call.
                unsafe { wisp_core::call_raw(self.store, func, Some(caller), io) }
                    .map_err(|t| self.with_backtrace(t))?;
                Ok(None)
            }
        }
    }

    /// Pops the current frame; returns the caller's resume point, or `None` when the
    /// entry frame returned.
    unsafe fn pop_frame(&mut self) -> Option<(*const Instr, usize)> {
        self.stack.frames.pop();
        let frame = self.stack.frames.last()?;
        let (ip, base, inst) = (frame.ip, frame.base, frame.instance);
        if inst != self.instance {
            unsafe { self.enter_instance(inst) };
        }
        Some((ip, base))
    }

    /// The interpreter loop.
    #[allow(clippy::cognitive_complexity)]
    unsafe fn execute(&mut self, mut ip: *const Instr) -> Result<(), Trap> {
        let mut base = 0usize;
        let mut sp: *mut u64 = self.stack.slots.as_mut_ptr();

        macro_rules! get {
            ($s:expr) => {
                *sp.add($s as usize)
            };
        }
        macro_rules! set {
            ($s:expr, $v:expr) => {
                *sp.add($s as usize) = $v
            };
        }
        macro_rules! trap {
            ($code:expr) => {
                return Err(self.trap($code))
            };
        }
        macro_rules! try_trap {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(code) => trap!(code),
                }
            };
        }
        macro_rules! un {
            ($dst:expr, $src:expr, $f:expr) => {{
                let r = ($f)(Slot::from_slot(get!($src)));
                set!($dst, Slot::to_slot(r));
            }};
        }
        macro_rules! un_trap {
            ($dst:expr, $src:expr, $f:expr) => {{
                let r = try_trap!(($f)(Slot::from_slot(get!($src))));
                set!($dst, Slot::to_slot(r));
            }};
        }
        macro_rules! bin {
            ($dst:expr, $a:expr, $b:expr, $f:expr) => {{
                let r = ($f)(Slot::from_slot(get!($a)), Slot::from_slot(get!($b)));
                set!($dst, Slot::to_slot(r));
            }};
        }
        macro_rules! bin_trap {
            ($dst:expr, $a:expr, $b:expr, $f:expr) => {{
                let r = try_trap!(($f)(Slot::from_slot(get!($a)), Slot::from_slot(get!($b))));
                set!($dst, Slot::to_slot(r));
            }};
        }
        macro_rules! imm32 {
            ($dst:expr, $a:expr, $imm:expr, $f:expr) => {{
                let r = ($f)(Slot::from_slot(get!($a)), $imm);
                set!($dst, Slot::to_slot(r));
            }};
        }
        macro_rules! imm64 {
            ($dst:expr, $a:expr, $imm:expr, $f:expr) => {{
                let r = ($f)(Slot::from_slot(get!($a)), i64::from($imm));
                set!($dst, Slot::to_slot(r));
            }};
        }
        macro_rules! jump {
            ($offset:expr) => {{
                ip = ip.offset($offset as isize - 1);
                continue;
            }};
        }
        macro_rules! br_cmp {
            ($a:expr, $b:expr, $offset:expr, $f:expr) => {{
                if ($f)(get!($a) as u32, get!($b) as u32) {
                    jump!($offset);
                }
            }};
        }
        macro_rules! br_cmp_imm {
            ($a:expr, $imm:expr, $offset:expr, $f:expr) => {{
                if ($f)(get!($a) as u32, $imm as u32) {
                    jump!($offset);
                }
            }};
        }
        macro_rules! addr {
            ($addr:expr, $offset:expr, $size:expr) => {{
                let ea = u64::from(get!($addr) as u32) + u64::from($offset);
                let mem = &*self.memory;
                if ea + $size > mem.len as u64 {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                mem.base.add(ea as usize)
            }};
        }
        macro_rules! load {
            ($dst:expr, $addr:expr, $offset:expr, $t:ty, $conv:expr) => {{
                let p = addr!($addr, $offset, core::mem::size_of::<$t>() as u64);
                let v = <$t>::from_le_bytes(ptr::read_unaligned(
                    p as *const [u8; core::mem::size_of::<$t>()],
                ));
                set!($dst, ($conv)(v));
            }};
        }
        macro_rules! store {
            ($addr:expr, $value:expr, $offset:expr, $t:ty) => {{
                let p = addr!($addr, $offset, core::mem::size_of::<$t>() as u64);
                let v = get!($value) as $t;
                ptr::write_unaligned(p as *mut [u8; core::mem::size_of::<$t>()], v.to_le_bytes());
            }};
        }
        // Switches to a callee (or stays, after a host call).
        macro_rules! call {
            ($result:expr) => {{
                (*self
                    .stack
                    .frames
                    .as_mut_ptr()
                    .add(self.stack.frames.len() - 1))
                .ip = ip;
                match $result {
                    Ok(Some(entry)) => {
                        ip = entry;
                        base = self.stack.frames.last().map_or(0, |f| f.base);
                    }
                    Ok(None) => {}
                    Err(t) => return Err(t),
                }
                sp = self.stack.slots.as_mut_ptr().add(base);
                continue;
            }};
        }
        macro_rules! ret {
            () => {{
                match self.pop_frame() {
                    Some((resume, caller_base)) => {
                        ip = resume;
                        base = caller_base;
                        sp = self.stack.slots.as_mut_ptr().add(base);
                        continue;
                    }
                    None => return Ok(()),
                }
            }};
        }

        use Instr as I;
        // SAFETY: the translator only emits slot indices below the frame size and branch
        // offsets inside the function, and `push_frame` sized the value stack for the
        // frame, so `sp` and `ip` accesses stay in bounds; `sp` is re-derived after
        // anything that can reallocate the stack (calls). Index operands (globals, tables,
        // functions, segments) were validated against the instance's module. Memory
        // accesses are bounds-checked against the memory's current length.
        unsafe {
            loop {
                let instr = *ip;
                ip = ip.add(1);
                match instr {
                    I::Unreachable => trap!(TrapCode::Unreachable),
                    I::ConsumeFuel { amount } => {
                        let fuel = &mut (*self.store).fuel;
                        match fuel.checked_sub(u64::from(amount)) {
                            Some(left) => *fuel = left,
                            None => trap!(TrapCode::OutOfFuel),
                        }
                    }
                    I::CheckInterrupt => {
                        let flag = &(*self.store).interrupt;
                        if flag.load(core::sync::atomic::Ordering::Relaxed) {
                            flag.store(false, core::sync::atomic::Ordering::Relaxed);
                            trap!(TrapCode::Interrupted);
                        }
                    }
                    I::Br { offset } => jump!(offset),
                    I::BrIfNez { cond, offset } => {
                        if get!(cond) as u32 != 0 {
                            jump!(offset);
                        }
                    }
                    I::BrIfEqz { cond, offset } => {
                        if get!(cond) as u32 == 0 {
                            jump!(offset);
                        }
                    }
                    I::BrTable { index, len } => {
                        let i = (get!(index) as u32).min(len - 1);
                        // The `Br` entries follow; run the chosen one next.
                        ip = ip.add(i as usize);
                    }
                    I::BrI32Eq { a, b, offset } => br_cmp!(a, b, offset, |x: u32, y: u32| x == y),
                    I::BrI32Ne { a, b, offset } => br_cmp!(a, b, offset, |x: u32, y: u32| x != y),
                    I::BrI32LtS { a, b, offset } => {
                        br_cmp!(a, b, offset, |x: u32, y: u32| (x as i32) < y as i32)
                    }
                    I::BrI32LtU { a, b, offset } => br_cmp!(a, b, offset, |x: u32, y: u32| x < y),
                    I::BrI32GtS { a, b, offset } => {
                        br_cmp!(a, b, offset, |x: u32, y: u32| x as i32 > y as i32)
                    }
                    I::BrI32GtU { a, b, offset } => br_cmp!(a, b, offset, |x: u32, y: u32| x > y),
                    I::BrI32LeS { a, b, offset } => {
                        br_cmp!(a, b, offset, |x: u32, y: u32| x as i32 <= y as i32)
                    }
                    I::BrI32LeU { a, b, offset } => br_cmp!(a, b, offset, |x: u32, y: u32| x <= y),
                    I::BrI32GeS { a, b, offset } => {
                        br_cmp!(a, b, offset, |x: u32, y: u32| x as i32 >= y as i32)
                    }
                    I::BrI32GeU { a, b, offset } => br_cmp!(a, b, offset, |x: u32, y: u32| x >= y),
                    I::BrI32EqImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x == y)
                    }
                    I::BrI32NeImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x != y)
                    }
                    I::BrI32LtSImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| (x as i32) < y as i32)
                    }
                    I::BrI32LtUImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x < y)
                    }
                    I::BrI32GtSImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x as i32 > y as i32)
                    }
                    I::BrI32GtUImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x > y)
                    }
                    I::BrI32LeSImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x as i32 <= y as i32)
                    }
                    I::BrI32LeUImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x <= y)
                    }
                    I::BrI32GeSImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x as i32 >= y as i32)
                    }
                    I::BrI32GeUImm { a, imm, offset } => {
                        br_cmp_imm!(a, imm, offset, |x: u32, y: u32| x >= y)
                    }

                    I::Copy { dst, src } => set!(dst, get!(src)),
                    I::CopyMany { dst, src, len } => {
                        ptr::copy(sp.add(src as usize), sp.add(dst as usize), len as usize);
                    }
                    I::Const32 { dst, value } => set!(dst, u64::from(value)),
                    I::Const64 { dst, value } => set!(dst, value),
                    I::Select { dst, cond, a, b } => {
                        let v = if get!(cond) as u32 != 0 {
                            get!(a)
                        } else {
                            get!(b)
                        };
                        set!(dst, v);
                    }

                    I::Return0 => ret!(),
                    I::Return1 { src } => {
                        set!(0, get!(src));
                        ret!()
                    }
                    I::ReturnMany { src, len } => {
                        ptr::copy(sp.add(src as usize), sp, len as usize);
                        ret!()
                    }
                    I::CallInternal { def, base: b } => {
                        let index = def + (*self.module).num_imported_funcs;
                        call!(self
                            .push_frame(index, base + b as usize)
                            .map(Some)
                            .map_err(|c| self.trap(c)))
                    }
                    I::Call { func, base: b } => {
                        let target = (*self.vmctx).func(func).store_func;
                        call!(self.call_store_func(target, base + b as usize))
                    }
                    I::CallIndirect {
                        ty,
                        table,
                        index,
                        base: b,
                    } => {
                        let table = &*(*self.vmctx).table(table);
                        let raw = match table.get(get!(index) as u32) {
                            Ok(raw) => raw,
                            Err(_) => trap!(TrapCode::TableOutOfBounds),
                        };
                        if raw == 0 {
                            trap!(TrapCode::IndirectCallToNull);
                        }
                        let target = (raw - 1) as u32;
                        let expected = (*self.vmctx).type_id(ty);
                        if (&(*self.store).funcs)[target as usize].type_id != expected {
                            trap!(TrapCode::BadSignature);
                        }
                        call!(self.call_store_func(target, base + b as usize))
                    }

                    I::GlobalGet { dst, global } => {
                        set!(dst, (*(*self.vmctx).global(global)).value)
                    }
                    I::GlobalSet { src, global } => {
                        (*(*self.vmctx).global(global)).value = get!(src)
                    }
                    I::RefFunc { dst, func } => {
                        set!(dst, u64::from((*self.vmctx).func(func).store_func) + 1)
                    }
                    I::RefIsNull { dst, src } => set!(dst, u64::from(get!(src) == 0)),

                    I::TableGet { dst, index, table } => {
                        let t = &*(*self.vmctx).table(table);
                        set!(dst, try_trap!(t.get(get!(index) as u32)));
                    }
                    I::TableSet {
                        index,
                        value,
                        table,
                    } => {
                        let t = &mut *(*self.vmctx).table(table);
                        try_trap!(t.set(get!(index) as u32, get!(value)));
                    }
                    I::TableSize { dst, table } => {
                        set!(dst, u64::from((*(*self.vmctx).table(table)).size()))
                    }
                    I::TableGrow { dst, delta, table } => {
                        let t = &mut *(*self.vmctx).table(table);
                        let old = t.grow(get!(delta) as u32, get!(dst)).unwrap_or(u32::MAX);
                        set!(dst, u64::from(old));
                    }
                    I::TableFill {
                        dst,
                        value,
                        len,
                        table,
                    } => {
                        let t = &mut *(*self.vmctx).table(table);
                        try_trap!(t.fill(get!(dst) as u32, get!(value), get!(len) as u32));
                    }
                    I::TableCopy {
                        dst,
                        src,
                        len,
                        dst_table,
                        src_table,
                    } => {
                        let (d, s, n) = (get!(dst) as u32, get!(src) as u32, get!(len) as u32);
                        let dt = (*self.vmctx).table(u32::from(dst_table));
                        let st = (*self.vmctx).table(u32::from(src_table));
                        if dt == st {
                            try_trap!((*dt).copy_within(d, s, n));
                        } else {
                            try_trap!(wisp_core::ops::table_copy_between(&mut *dt, d, &*st, s, n));
                        }
                    }
                    I::TableInit {
                        dst,
                        src,
                        len,
                        table,
                        elem,
                    } => {
                        let t = &mut *(*self.vmctx).table(u32::from(table));
                        let items = &(&mut (*self.instance).elements)[elem as usize];
                        try_trap!(t.init(
                            get!(dst) as u32,
                            items,
                            get!(src) as u32,
                            get!(len) as u32
                        ));
                    }
                    I::ElemDrop { elem } => {
                        (&mut (*self.instance).elements)[elem as usize] = Box::default();
                    }

                    I::UseMemory { mem } => self.memory = (*self.vmctx).memory(mem),
                    I::MemoryCopyBetween {
                        dst,
                        src,
                        len,
                        dst_mem,
                        src_mem,
                    } => {
                        let (d, s, n) = (get!(dst) as u32, get!(src) as u32, get!(len) as u32);
                        let dm = (*self.vmctx).memory(u32::from(dst_mem));
                        let sm = (*self.vmctx).memory(u32::from(src_mem));
                        // Two indices may name one memory (imported twice).
                        if dm == sm {
                            try_trap!((*dm).copy_within(u64::from(d), u64::from(s), u64::from(n)));
                        } else {
                            try_trap!(wisp_core::ops::memory_copy_between(
                                &mut *dm,
                                u64::from(d),
                                &*sm,
                                u64::from(s),
                                u64::from(n)
                            ));
                        }
                    }
                    I::MemorySize { dst } => set!(dst, (*self.memory).pages()),
                    I::MemoryGrow { dst, delta } => {
                        let old = (*self.memory).grow(u64::from(get!(delta) as u32));
                        set!(dst, old.map_or(u64::from(u32::MAX), |p| p));
                    }
                    I::MemoryFill { dst, value, len } => {
                        let (d, v, n) = (get!(dst) as u32, get!(value) as u8, get!(len) as u32);
                        try_trap!((*self.memory).fill(u64::from(d), v, u64::from(n)));
                    }
                    I::MemoryCopy { dst, src, len } => {
                        let (d, s, n) = (get!(dst) as u32, get!(src) as u32, get!(len) as u32);
                        try_trap!((*self.memory).copy_within(
                            u64::from(d),
                            u64::from(s),
                            u64::from(n)
                        ));
                    }
                    I::MemoryInit {
                        dst,
                        src,
                        len,
                        data,
                    } => {
                        let bytes = (*self.instance).data_segment(data);
                        let (d, s, n) = (get!(dst) as u32, get!(src) as u32, get!(len) as u32);
                        try_trap!((*self.memory).init(
                            u64::from(d),
                            bytes,
                            u64::from(s),
                            u64::from(n)
                        ));
                    }
                    I::DataDrop { data } => {
                        (&mut (*self.instance).data_dropped)[data as usize] = true
                    }

                    I::I32Load { dst, addr, offset } => load!(dst, addr, offset, u32, u64::from),
                    I::I64Load { dst, addr, offset } => load!(dst, addr, offset, u64, |v| v),
                    I::F32Load { dst, addr, offset } => load!(dst, addr, offset, u32, u64::from),
                    I::F64Load { dst, addr, offset } => load!(dst, addr, offset, u64, |v| v),
                    I::I32Load8S { dst, addr, offset } => {
                        load!(dst, addr, offset, i8, |v: i8| v as i32 as u32 as u64)
                    }
                    I::I32Load8U { dst, addr, offset } => load!(dst, addr, offset, u8, u64::from),
                    I::I32Load16S { dst, addr, offset } => {
                        load!(dst, addr, offset, i16, |v: i16| v as i32 as u32 as u64)
                    }
                    I::I32Load16U { dst, addr, offset } => load!(dst, addr, offset, u16, u64::from),
                    I::I64Load8S { dst, addr, offset } => {
                        load!(dst, addr, offset, i8, |v: i8| v as i64 as u64)
                    }
                    I::I64Load8U { dst, addr, offset } => load!(dst, addr, offset, u8, u64::from),
                    I::I64Load16S { dst, addr, offset } => {
                        load!(dst, addr, offset, i16, |v: i16| v as i64 as u64)
                    }
                    I::I64Load16U { dst, addr, offset } => load!(dst, addr, offset, u16, u64::from),
                    I::I64Load32S { dst, addr, offset } => {
                        load!(dst, addr, offset, i32, |v: i32| v as i64 as u64)
                    }
                    I::I64Load32U { dst, addr, offset } => load!(dst, addr, offset, u32, u64::from),
                    I::I32Store {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u32),
                    I::I64Store {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u64),
                    I::I32Store8 {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u8),
                    I::I32Store16 {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u16),
                    I::I64Store8 {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u8),
                    I::I64Store16 {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u16),
                    I::I64Store32 {
                        addr,
                        value,
                        offset,
                    } => store!(addr, value, offset, u32),

                    // i32 arithmetic
                    I::I32Add { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x.wrapping_add(y)),
                    I::I32Sub { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x.wrapping_sub(y)),
                    I::I32Mul { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x.wrapping_mul(y)),
                    I::I32DivS { dst, a, b } => bin_trap!(dst, a, b, i32_div_s),
                    I::I32DivU { dst, a, b } => bin_trap!(dst, a, b, |x: u32, y: u32| x
                        .checked_div(y)
                        .ok_or(TrapCode::IntegerDivisionByZero)),
                    I::I32RemS { dst, a, b } => bin_trap!(dst, a, b, |x: i32, y: i32| if y == 0 {
                        Err(TrapCode::IntegerDivisionByZero)
                    } else {
                        Ok(x.wrapping_rem(y))
                    }),
                    I::I32RemU { dst, a, b } => bin_trap!(dst, a, b, |x: u32, y: u32| x
                        .checked_rem(y)
                        .ok_or(TrapCode::IntegerDivisionByZero)),
                    I::I32And { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x & y),
                    I::I32Or { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x | y),
                    I::I32Xor { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x ^ y),
                    I::I32Shl { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x.wrapping_shl(y)),
                    I::I32ShrS { dst, a, b } => bin!(dst, a, b, |x: i32, y: u32| x.wrapping_shr(y)),
                    I::I32ShrU { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x.wrapping_shr(y)),
                    I::I32Rotl { dst, a, b } => {
                        bin!(dst, a, b, |x: u32, y: u32| x.rotate_left(y & 31))
                    }
                    I::I32Rotr { dst, a, b } => {
                        bin!(dst, a, b, |x: u32, y: u32| x.rotate_right(y & 31))
                    }
                    I::I32Eq { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x == y),
                    I::I32Ne { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x != y),
                    I::I32LtS { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x < y),
                    I::I32LtU { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x < y),
                    I::I32GtS { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x > y),
                    I::I32GtU { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x > y),
                    I::I32LeS { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x <= y),
                    I::I32LeU { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x <= y),
                    I::I32GeS { dst, a, b } => bin!(dst, a, b, |x: i32, y: i32| x >= y),
                    I::I32GeU { dst, a, b } => bin!(dst, a, b, |x: u32, y: u32| x >= y),
                    I::I32AddImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: i32, y: i32| x.wrapping_add(y))
                    }
                    I::I32SubImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: i32, y: i32| x.wrapping_sub(y))
                    }
                    I::I32MulImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: i32, y: i32| x.wrapping_mul(y))
                    }
                    I::I32AndImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x & y),
                    I::I32OrImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x | y),
                    I::I32XorImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x ^ y),
                    I::I32ShlImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: i32, y: i32| x.wrapping_shl(y as u32))
                    }
                    I::I32ShrSImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: i32, y: i32| x.wrapping_shr(y as u32))
                    }
                    I::I32ShrUImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x.wrapping_shr(y as u32))
                    }
                    I::I32RotlImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x.rotate_left(y as u32 & 31))
                    }
                    I::I32RotrImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x.rotate_right(y as u32 & 31))
                    }
                    I::I32EqImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x == y),
                    I::I32NeImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x != y),
                    I::I32LtSImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x < y),
                    I::I32LtUImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x < y as u32)
                    }
                    I::I32GtSImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x > y),
                    I::I32GtUImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x > y as u32)
                    }
                    I::I32LeSImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x <= y),
                    I::I32LeUImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x <= y as u32)
                    }
                    I::I32GeSImm { dst, a, imm } => imm32!(dst, a, imm, |x: i32, y: i32| x >= y),
                    I::I32GeUImm { dst, a, imm } => {
                        imm32!(dst, a, imm, |x: u32, y: i32| x >= y as u32)
                    }

                    // i64 arithmetic
                    I::I64Add { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x.wrapping_add(y)),
                    I::I64Sub { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x.wrapping_sub(y)),
                    I::I64Mul { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x.wrapping_mul(y)),
                    I::I64DivS { dst, a, b } => bin_trap!(dst, a, b, i64_div_s),
                    I::I64DivU { dst, a, b } => bin_trap!(dst, a, b, |x: u64, y: u64| x
                        .checked_div(y)
                        .ok_or(TrapCode::IntegerDivisionByZero)),
                    I::I64RemS { dst, a, b } => bin_trap!(dst, a, b, |x: i64, y: i64| if y == 0 {
                        Err(TrapCode::IntegerDivisionByZero)
                    } else {
                        Ok(x.wrapping_rem(y))
                    }),
                    I::I64RemU { dst, a, b } => bin_trap!(dst, a, b, |x: u64, y: u64| x
                        .checked_rem(y)
                        .ok_or(TrapCode::IntegerDivisionByZero)),
                    I::I64And { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x & y),
                    I::I64Or { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x | y),
                    I::I64Xor { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x ^ y),
                    I::I64Shl { dst, a, b } => {
                        bin!(dst, a, b, |x: u64, y: u64| x.wrapping_shl(y as u32))
                    }
                    I::I64ShrS { dst, a, b } => {
                        bin!(dst, a, b, |x: i64, y: u64| x.wrapping_shr(y as u32))
                    }
                    I::I64ShrU { dst, a, b } => {
                        bin!(dst, a, b, |x: u64, y: u64| x.wrapping_shr(y as u32))
                    }
                    I::I64Rotl { dst, a, b } => {
                        bin!(dst, a, b, |x: u64, y: u64| x.rotate_left((y & 63) as u32))
                    }
                    I::I64Rotr { dst, a, b } => {
                        bin!(dst, a, b, |x: u64, y: u64| x.rotate_right((y & 63) as u32))
                    }
                    I::I64Eq { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x == y),
                    I::I64Ne { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x != y),
                    I::I64LtS { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x < y),
                    I::I64LtU { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x < y),
                    I::I64GtS { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x > y),
                    I::I64GtU { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x > y),
                    I::I64LeS { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x <= y),
                    I::I64LeU { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x <= y),
                    I::I64GeS { dst, a, b } => bin!(dst, a, b, |x: i64, y: i64| x >= y),
                    I::I64GeU { dst, a, b } => bin!(dst, a, b, |x: u64, y: u64| x >= y),
                    I::I64AddImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: i64, y: i64| x.wrapping_add(y))
                    }
                    I::I64SubImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: i64, y: i64| x.wrapping_sub(y))
                    }
                    I::I64MulImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: i64, y: i64| x.wrapping_mul(y))
                    }
                    I::I64AndImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x & y),
                    I::I64OrImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x | y),
                    I::I64XorImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x ^ y),
                    I::I64ShlImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: i64, y: i64| x.wrapping_shl(y as u32))
                    }
                    I::I64ShrSImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: i64, y: i64| x.wrapping_shr(y as u32))
                    }
                    I::I64ShrUImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: u64, y: i64| x.wrapping_shr(y as u32))
                    }
                    I::I64RotlImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: u64, y: i64| x.rotate_left((y & 63) as u32))
                    }
                    I::I64RotrImm { dst, a, imm } => imm64!(dst, a, imm, |x: u64, y: i64| x
                        .rotate_right((y & 63) as u32)),
                    I::I64EqImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x == y),
                    I::I64NeImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x != y),
                    I::I64LtSImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x < y),
                    I::I64LtUImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: u64, y: i64| x < y as u64)
                    }
                    I::I64GtSImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x > y),
                    I::I64GtUImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: u64, y: i64| x > y as u64)
                    }
                    I::I64LeSImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x <= y),
                    I::I64LeUImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: u64, y: i64| x <= y as u64)
                    }
                    I::I64GeSImm { dst, a, imm } => imm64!(dst, a, imm, |x: i64, y: i64| x >= y),
                    I::I64GeUImm { dst, a, imm } => {
                        imm64!(dst, a, imm, |x: u64, y: i64| x >= y as u64)
                    }

                    // floats
                    I::F32Add { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x + y),
                    I::F32Sub { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x - y),
                    I::F32Mul { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x * y),
                    I::F32Div { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x / y),
                    I::F32Min { dst, a, b } => bin!(dst, a, b, float::f32_min),
                    I::F32Max { dst, a, b } => bin!(dst, a, b, float::f32_max),
                    I::F32Copysign { dst, a, b } => bin!(dst, a, b, float::f32_copysign),
                    I::F32Eq { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x == y),
                    I::F32Ne { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x != y),
                    I::F32Lt { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x < y),
                    I::F32Gt { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x > y),
                    I::F32Le { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x <= y),
                    I::F32Ge { dst, a, b } => bin!(dst, a, b, |x: f32, y: f32| x >= y),
                    I::F64Add { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x + y),
                    I::F64Sub { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x - y),
                    I::F64Mul { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x * y),
                    I::F64Div { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x / y),
                    I::F64Min { dst, a, b } => bin!(dst, a, b, float::f64_min),
                    I::F64Max { dst, a, b } => bin!(dst, a, b, float::f64_max),
                    I::F64Copysign { dst, a, b } => bin!(dst, a, b, float::f64_copysign),
                    I::F64Eq { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x == y),
                    I::F64Ne { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x != y),
                    I::F64Lt { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x < y),
                    I::F64Gt { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x > y),
                    I::F64Le { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x <= y),
                    I::F64Ge { dst, a, b } => bin!(dst, a, b, |x: f64, y: f64| x >= y),

                    // unary
                    I::I32Clz { dst, src } => un!(dst, src, |x: u32| x.leading_zeros()),
                    I::I32Ctz { dst, src } => un!(dst, src, |x: u32| x.trailing_zeros()),
                    I::I32Popcnt { dst, src } => un!(dst, src, |x: u32| x.count_ones()),
                    I::I32Eqz { dst, src } => un!(dst, src, |x: u32| x == 0),
                    I::I64Clz { dst, src } => un!(dst, src, |x: u64| u64::from(x.leading_zeros())),
                    I::I64Ctz { dst, src } => un!(dst, src, |x: u64| u64::from(x.trailing_zeros())),
                    I::I64Popcnt { dst, src } => un!(dst, src, |x: u64| u64::from(x.count_ones())),
                    I::I64Eqz { dst, src } => un!(dst, src, |x: u64| x == 0),
                    I::F32Abs { dst, src } => un!(dst, src, float::f32_abs),
                    I::F32Neg { dst, src } => un!(dst, src, float::f32_neg),
                    I::F32Ceil { dst, src } => un!(dst, src, float::f32_ceil),
                    I::F32Floor { dst, src } => un!(dst, src, float::f32_floor),
                    I::F32Trunc { dst, src } => un!(dst, src, float::f32_trunc),
                    I::F32Nearest { dst, src } => un!(dst, src, float::f32_nearest),
                    I::F32Sqrt { dst, src } => un!(dst, src, float::f32_sqrt),
                    I::F64Abs { dst, src } => un!(dst, src, float::f64_abs),
                    I::F64Neg { dst, src } => un!(dst, src, float::f64_neg),
                    I::F64Ceil { dst, src } => un!(dst, src, float::f64_ceil),
                    I::F64Floor { dst, src } => un!(dst, src, float::f64_floor),
                    I::F64Trunc { dst, src } => un!(dst, src, float::f64_trunc),
                    I::F64Nearest { dst, src } => un!(dst, src, float::f64_nearest),
                    I::F64Sqrt { dst, src } => un!(dst, src, float::f64_sqrt),
                    I::I32TruncF32S { dst, src } => un_trap!(dst, src, float::i32_trunc_f32),
                    I::I32TruncF32U { dst, src } => un_trap!(dst, src, float::u32_trunc_f32),
                    I::I32TruncF64S { dst, src } => un_trap!(dst, src, float::i32_trunc_f64),
                    I::I32TruncF64U { dst, src } => un_trap!(dst, src, float::u32_trunc_f64),
                    I::I64TruncF32S { dst, src } => un_trap!(dst, src, float::i64_trunc_f32),
                    I::I64TruncF32U { dst, src } => un_trap!(dst, src, float::u64_trunc_f32),
                    I::I64TruncF64S { dst, src } => un_trap!(dst, src, float::i64_trunc_f64),
                    I::I64TruncF64U { dst, src } => un_trap!(dst, src, float::u64_trunc_f64),
                    I::I64ExtendI32S { dst, src } => un!(dst, src, |x: i32| x as i64),
                    I::I64ExtendI32U { dst, src } => un!(dst, src, |x: u32| u64::from(x)),
                    I::F32ConvertI32S { dst, src } => un!(dst, src, |x: i32| x as f32),
                    I::F32ConvertI32U { dst, src } => un!(dst, src, |x: u32| x as f32),
                    I::F32ConvertI64S { dst, src } => un!(dst, src, |x: i64| x as f32),
                    I::F32ConvertI64U { dst, src } => un!(dst, src, |x: u64| x as f32),
                    I::F32DemoteF64 { dst, src } => un!(dst, src, |x: f64| x as f32),
                    I::F64ConvertI32S { dst, src } => un!(dst, src, |x: i32| f64::from(x)),
                    I::F64ConvertI32U { dst, src } => un!(dst, src, |x: u32| f64::from(x)),
                    I::F64ConvertI64S { dst, src } => un!(dst, src, |x: i64| x as f64),
                    I::F64ConvertI64U { dst, src } => un!(dst, src, |x: u64| x as f64),
                    I::F64PromoteF32 { dst, src } => un!(dst, src, |x: f32| f64::from(x)),
                    I::I32Extend8S { dst, src } => un!(dst, src, |x: u32| x as i8 as i32),
                    I::I32Extend16S { dst, src } => un!(dst, src, |x: u32| x as i16 as i32),
                    I::I64Extend8S { dst, src } => un!(dst, src, |x: u64| x as i8 as i64),
                    I::I64Extend16S { dst, src } => un!(dst, src, |x: u64| x as i16 as i64),
                    I::I64Extend32S { dst, src } => un!(dst, src, |x: u64| x as i32 as i64),
                    // Rust's float-to-int `as` saturates and maps NaN to 0: exactly trunc_sat.
                    I::I32TruncSatF32S { dst, src } => un!(dst, src, |x: f32| x as i32),
                    I::I32TruncSatF32U { dst, src } => un!(dst, src, |x: f32| x as u32),
                    I::I32TruncSatF64S { dst, src } => un!(dst, src, |x: f64| x as i32),
                    I::I32TruncSatF64U { dst, src } => un!(dst, src, |x: f64| x as u32),
                    I::I64TruncSatF32S { dst, src } => un!(dst, src, |x: f32| x as i64),
                    I::I64TruncSatF32U { dst, src } => un!(dst, src, |x: f32| x as u64),
                    I::I64TruncSatF64S { dst, src } => un!(dst, src, |x: f64| x as i64),
                    I::I64TruncSatF64U { dst, src } => un!(dst, src, |x: f64| x as u64),
                }
            }
        }
    }
}

fn i32_div_s(x: i32, y: i32) -> Result<i32, TrapCode> {
    if y == 0 {
        Err(TrapCode::IntegerDivisionByZero)
    } else {
        x.checked_div(y).ok_or(TrapCode::IntegerOverflow)
    }
}

fn i64_div_s(x: i64, y: i64) -> Result<i64, TrapCode> {
    if y == 0 {
        Err(TrapCode::IntegerDivisionByZero)
    } else {
        x.checked_div(y).ok_or(TrapCode::IntegerOverflow)
    }
}

/// How each Rust type sits in a 64-bit slot (see `wisp_core`'s `value.rs` for the layout).
trait Slot: Sized {
    fn from_slot(raw: u64) -> Self;
    fn to_slot(self) -> u64;
}

macro_rules! slot_impls {
    ($($t:ty: |$r:ident| $from:expr, |$v:ident| $to:expr;)*) => {$(
        impl Slot for $t {
            #[inline(always)]
            fn from_slot($r: u64) -> Self { $from }
            #[inline(always)]
            fn to_slot(self) -> u64 { let $v = self; $to }
        }
    )*};
}

slot_impls! {
    i32: |r| r as u32 as i32, |v| v as u32 as u64;
    u32: |r| r as u32, |v| u64::from(v);
    i64: |r| r as i64, |v| v as u64;
    u64: |r| r, |v| v;
    f32: |r| f32::from_bits(r as u32), |v| u64::from(v.to_bits());
    f64: |r| f64::from_bits(r), |v| v.to_bits();
    bool: |r| r != 0, |v| u64::from(v);
}
