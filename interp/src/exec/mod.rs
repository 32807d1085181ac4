//! The executor: runs bytecode with all wasm frames on a heap value stack.
//!
//! Every instruction is a handler function's [`Word`] followed by its operands. Handlers share one
//! signature, `(ip, sp, mem_base, mem_len, exec, accumulators)`, so the hot state (instruction pointer,
//! frame pointer, and the current memory's base and length) travels in argument
//! registers. How one handler passes control to the next is chosen at build time
//! (`build.rs`):
//!
//! - **tail dispatch** (`wisp_tail_dispatch`): a handler ends by calling the next
//!   instruction's handler in tail position; optimising builds on x86_64, aarch64 and
//!   riscv64 turn that into a jump, so execution threads through the handlers without a
//!   central loop and each handler has its own indirect branch to predict;
//! - **loop dispatch** (everywhere else, and under Miri): a handler stores the state into
//!   [`Exec`] and returns; a loop calls the next handler. A handler that keeps the frame
//!   and the memory registers (most of them) stores only the next `ip` (`handlers::handler::step`).
//!
//! Either way, nothing recurses on the native stack for wasm calls: a wasm->wasm call
//! pushes a [`Frame`] and continues with the callee's first instruction. Recursion depth is
//! bounded by `Config::max_call_depth` and `Config::max_stack_slots`, whatever the native
//! stack size. Host functions are called from their handler (one native frame), and a host
//! function calling back into wasm starts a fresh, separately bounded execution (see
//! `wisp_core::MAX_REENTRANCY`).

mod handlers;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr;

use wisp_core::module::ModuleInner;
use wisp_core::vm::VmCtx;
use wisp_core::{FrameInfo, FuncKind, InstanceEntity, MemoryEntity, StoreInner, Trap, TrapCode};

use crate::bytecode::{CompiledFunc, Word};
use crate::code::{compiled, module_code, translated, ModuleCode};
use crate::NativeTier;

pub(crate) use handlers::decode_handler;
pub use handlers::handler_for;

/// Where execution is: the handler word of the next instruction to run.
pub type Ip = *const Word;
/// The current frame's first slot.
pub type Sp = *mut u64;

/// The one signature of every instruction handler. `acc`, `f32acc` and `f64acc` are the
/// accumulators ([`Accs`]): the previous instruction's result (whatever it wrote to its
/// result slot) in the register of its kind, so that a dependent instruction need not
/// reload the slot (see `bytecode::encode`).
pub type Handler = unsafe fn(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    acc: u64,
    f32acc: f32,
    f64acc: f64,
) -> Done;

/// The accumulator registers, one per `bytecode::Kind`. A handler with a result leaves it
/// in the accumulator of its kind and passes the other two on untouched, so with tail
/// dispatch they stay in their argument registers (a general-purpose one and two float
/// ones) across handlers that don't use them, at no cost, and a float chain never moves
/// values between register files.
#[derive(Clone, Copy)]
pub struct Accs {
    pub int: u64,
    pub f32: f32,
    pub f64: f64,
}

impl Accs {
    /// After a call or return: nothing is forwarded across those (`bytecode::encode`).
    pub const ZERO: Accs = Accs {
        int: 0,
        f32: 0.0,
        f64: 0.0,
    };
}

/// How a handler (and with tail dispatch, the whole chain after it) finished. Fieldless,
/// so it returns in a register and every handler's final call can be a sibling call (the
/// trap itself waits in `Exec::trap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Loop dispatch only: the state in `Exec` says what runs next.
    Continue,
    /// The entry function returned; its results are in slots `0..n` of the value stack.
    Return,
    /// Execution trapped; the trap is in `Exec::trap`.
    Trap,
}

/// An active wasm call.
struct Frame {
    /// Where the caller resumes (saved while a callee runs).
    ip: Ip,
    /// The running function (its code lives as long as its module).
    func: *const CompiledFunc,
    /// First slot of the frame in the value stack.
    base: usize,
    instance: *mut InstanceEntity,
    /// Function index within the instance's module, for backtraces.
    func_index: u32,
}

/// The value stack and call frames, kept in the store between calls so that calling into
/// wasm doesn't allocate each time.
#[derive(Default)]
pub struct Stack {
    slots: Vec<u64>,
    frames: Vec<Frame>,
}

// SAFETY: the raw pointers in frames are only meaningful during one execution and are
// cleared before the stack is put back into the store.
unsafe impl Send for Stack {}

/// Runs store function `func` (a wasm function) with args/results in `io`, with at most
/// `max_depth` frames (`Config::max_call_depth` for an entry from the host; what is left
/// of it for a call from native code). `native` is the JIT attached for tier-up, if any.
///
/// # Safety
/// As for `wisp_core::vm::Executor::call`.
pub unsafe fn call(
    store: *mut StoreInner,
    func: u32,
    io: &mut [u64],
    max_depth: u32,
    native: Option<&dyn NativeTier>,
) -> Result<(), Trap> {
    // SAFETY: `store` is live and unaliased (the caller's contract).
    let cached = unsafe { (*store).exec_cache.take() };
    let stack: Box<Stack> = cached
        .and_then(|c| c.downcast::<Stack>().ok())
        .unwrap_or_default();
    // SAFETY: as above.
    let mut ex = unsafe { Exec::new(store, stack, max_depth, native) };
    // SAFETY: as above; `func` is a wasm function of this store (the caller's contract).
    let result = unsafe { ex.run(func, io) };
    let mut stack = ex.stack;
    stack.frames.clear();
    // SAFETY: as above; the execution has finished with the store.
    unsafe { (*store).exec_cache = Some(stack) };
    result
}

/// Execution state beyond the registers handlers pass along.
pub struct Exec<'n> {
    store: *mut StoreInner,
    stack: Box<Stack>,
    max_depth: usize,
    /// The JIT this interpreter tiers up to, with its thresholds (`Config::tier_up`).
    #[cfg_attr(not(feature = "tier-up"), allow(dead_code))]
    native: Option<&'n dyn NativeTier>,
    #[cfg(feature = "tier-up")]
    call_threshold: u32,
    #[cfg(feature = "tier-up")]
    loop_threshold: u32,
    max_slots: usize,
    // The current frame's context.
    instance: *mut InstanceEntity,
    vmctx: *const VmCtx,
    /// The memory loads and stores address: memory 0, or another inside `UseMemory`.
    memory: *mut MemoryEntity,
    /// The current instance's global cells (its `VmCtx::globals`), one load closer.
    globals: *const *mut wisp_core::GlobalEntity,
    code: *const ModuleCode,
    module: *const ModuleInner,
    /// The trap that ended execution (with `Done::Trap`).
    trap: Option<Trap>,
    /// The exception a handler is being entered for (`unwind`), which its `Caught` takes.
    exception: Option<u32>,
    /// Loop dispatch keeps the registers here between handlers (tail dispatch keeps them
    /// in argument registers only).
    #[cfg_attr(wisp_tail_dispatch, allow(dead_code))]
    regs: Regs,
}

/// The handlers' registers, saved between handlers by the loop dispatch.
#[derive(Clone, Copy)]
#[cfg_attr(wisp_tail_dispatch, allow(dead_code))]
struct Regs {
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    accs: Accs,
}

/// Where a call goes.
enum Callee {
    Wasm { instance: u32, index: u32 },
    Host,
}

impl<'n> Exec<'n> {
    unsafe fn new(
        store: *mut StoreInner,
        stack: Box<Stack>,
        max_depth: u32,
        native: Option<&'n dyn NativeTier>,
    ) -> Self {
        // SAFETY: `store` is live (the caller's contract).
        let config = unsafe { (*store).engine.config() };
        #[cfg(feature = "tier-up")]
        let tier_up = config.get_tier_up();
        Exec {
            store,
            stack,
            max_depth: max_depth as usize,
            native,
            #[cfg(feature = "tier-up")]
            call_threshold: tier_up.calls,
            #[cfg(feature = "tier-up")]
            loop_threshold: tier_up.loops,
            max_slots: config.get_max_stack_slots() as usize,
            instance: ptr::null_mut(),
            vmctx: ptr::null(),
            memory: ptr::null_mut(),
            globals: ptr::null(),
            code: ptr::null(),
            module: ptr::null(),
            trap: None,
            exception: None,
            regs: Regs {
                ip: ptr::null(),
                sp: ptr::null_mut(),
                mem_base: ptr::null_mut(),
                mem_len: 0,
                accs: Accs::ZERO,
            },
        }
    }

    /// Makes `instance` the current one.
    unsafe fn enter_instance(&mut self, instance: *mut InstanceEntity) {
        self.instance = instance;
        // SAFETY: instance entities are boxed in the store and outlive the execution.
        unsafe {
            self.vmctx = &(*instance).vmctx;
            self.memory = (*self.vmctx).memory0;
            self.globals = (*self.vmctx).globals;
            self.module = &**(*instance).module.inner();
            self.code = module_code(&*self.module);
        }
    }

    /// Global `index` of the current instance.
    ///
    /// # Safety
    /// `index` must be a global index of the current instance (the bytecode contract).
    #[inline(always)]
    unsafe fn global(&self, index: u32) -> *mut wisp_core::GlobalEntity {
        // SAFETY: `globals` has an entry for every global index of the instance.
        unsafe { *self.globals.add(index as usize) }
    }

    /// The current memory's base and length, for the handlers' registers. Re-read after
    /// anything that can move or resize memory: calls, returns, `memory.grow`, host calls.
    #[inline(always)]
    fn mem_regs(&self) -> (*mut u8, usize) {
        if self.memory.is_null() {
            // No memory: every access is out of bounds, and nothing is dereferenced.
            (ptr::null_mut(), 0)
        } else {
            // SAFETY: a non-null `memory` points to a store-owned entity.
            unsafe { ((*self.memory).base, (*self.memory).len) }
        }
    }

    /// The slot pointer for a frame starting at `base`. Re-derived after anything that can
    /// reallocate the value stack (pushing a frame).
    #[inline(always)]
    fn sp_at(&mut self, base: usize) -> Sp {
        // SAFETY: `base` is within the stack: frames are only pushed after `push_frame`
        // sized it to hold them.
        unsafe { self.stack.slots.as_mut_ptr().add(base) }
    }

    #[cold]
    fn trap_at(&self, code: TrapCode) -> Trap {
        self.with_backtrace(Trap::from(code))
    }

    /// Attaches the wasm frames, innermost first.
    fn with_backtrace(&self, trap: Trap) -> Trap {
        self.with_backtrace_below(trap, 0)
    }

    /// Attaches the wasm frames but the innermost `skip`, innermost first.
    fn with_backtrace_below(&self, mut trap: Trap, skip: usize) -> Trap {
        for frame in self.stack.frames.iter().rev().skip(skip) {
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
    ///
    /// The fast path, inlined into the call handlers, makes no calls: a callee already
    /// translated, within the limits, with room on the value stack and in the frame
    /// vector. Anything else (first call, growth, exhaustion) takes `push_frame_slow`, so
    /// the handlers need not save registers on the common path.
    #[inline(always)]
    unsafe fn push_frame(&mut self, index: u32, base: usize) -> Result<Ip, TrapCode> {
        match unsafe { self.push_frame_fast(index, base) } {
            Some(entry) => Ok(entry),
            None => unsafe { self.push_frame_slow(index, base) },
        }
    }

    /// `push_frame`'s fast path, or `None` when one of its conditions fails. The call
    /// handlers use it directly and take their slow path as a tail call.
    #[inline(always)]
    unsafe fn push_frame_fast(&mut self, index: u32, base: usize) -> Option<Ip> {
        // SAFETY: `module` and `code` belong to the current, live instance.
        let (module, code) = unsafe { (&*self.module, &*self.code) };
        let def = index - module.num_imported_funcs;
        let frames = &self.stack.frames;
        match translated(code, def) {
            Some(func)
                if frames.len() < self.max_depth
                    && frames.len() < frames.capacity()
                    && base + func.frame_size as usize <= self.stack.slots.len() =>
            {
                // SAFETY: the checks above.
                unsafe { self.enter_frame(func, index, base) };
                Some(func.code.as_ptr())
            }
            _ => None,
        }
    }

    /// `push_frame` when the fast path's conditions don't hold: translates the callee,
    /// checks the limits and grows what needs growing.
    #[cold]
    #[inline(never)]
    unsafe fn push_frame_slow(&mut self, index: u32, base: usize) -> Result<Ip, TrapCode> {
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
        if end > self.stack.slots.len() {
            grow_stack(&mut self.stack.slots, end, self.max_slots)?;
        }
        self.stack
            .frames
            .try_reserve(1)
            .map_err(|_| TrapCode::StackExhausted)?;
        // SAFETY: checked and made room above.
        unsafe { self.enter_frame(func, index, base) };
        Ok(func.code.as_ptr())
    }

    /// Sets up `func`'s frame at `base` (locals zeroed, constants in place) and pushes it.
    ///
    /// # Safety
    /// The value stack holds `base + func.frame_size` slots and the frame vector has spare
    /// capacity.
    #[inline(always)]
    unsafe fn enter_frame(&mut self, func: &CompiledFunc, index: u32, base: usize) {
        let slots = &mut self.stack.slots;
        // SAFETY: the value stack holds the frame (the caller's contract).
        unsafe {
            zero_locals(slots, base, func);
            fill_consts(slots, base, func);
        }
        let frames = &mut self.stack.frames;
        debug_assert!(frames.len() < frames.capacity());
        // SAFETY: there is spare capacity (the caller's contract), so this is `push`
        // without its growth path.
        unsafe {
            frames.as_mut_ptr().add(frames.len()).write(Frame {
                ip: ptr::null(),
                func,
                base,
                instance: self.instance,
                func_index: index,
            });
            frames.set_len(frames.len() + 1);
        }
    }

    /// The function index of store function `func` if it is a wasm function of the current
    /// instance: the call handlers' fast path.
    #[inline(always)]
    unsafe fn callee_in_current_instance(&self, func: u32) -> Option<u32> {
        // SAFETY: `store` is live; `func` is a valid store index (from a VmCtx or table).
        match unsafe { &(&(*self.store).funcs)[func as usize].kind } {
            FuncKind::Wasm { instance, index }
                if unsafe { (&(*self.store).instances)[*instance as usize].as_ptr() }
                    == self.instance =>
            {
                Some(*index)
            }
            _ => None,
        }
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
            let inst: *mut InstanceEntity = (&(*self.store).instances)[instance as usize].as_ptr();
            self.enter_instance(inst);
        }
        // SAFETY: the instance is live; `index` is one of its functions.
        let ty = unsafe { (*self.module).func_type(index).clone() };
        self.stack.slots.clear();
        let ip = unsafe { self.push_frame(index, 0) }.map_err(|c| self.trap_at(c))?;
        // The frame starts with the parameters, laid out as the array-call convention lays
        // out `io` (`FuncType::params_layout`), so they move as one block of slots.
        let (params, results) = (ty.param_slots(), ty.result_slots());
        self.stack.slots[..params].copy_from_slice(&io[..params]);
        let sp = self.sp_at(0);
        // SAFETY: the frame was just set up for the function's code.
        unsafe { self.execute(ip, sp) }?;
        io[..results].copy_from_slice(&self.stack.slots[..results]);
        Ok(())
    }

    /// Runs from `ip` until the entry frame returns or something traps.
    unsafe fn execute(&mut self, ip: Ip, sp: Sp) -> Result<(), Trap> {
        let (mem_base, mem_len) = self.mem_regs();
        // SAFETY: `ip` is the first instruction of the function whose frame is `sp`.
        let done = unsafe { run_handlers(ip, sp, mem_base, mem_len, self) };
        match done {
            Done::Return => Ok(()),
            Done::Trap => Err(self
                .trap
                .take()
                .unwrap_or_else(|| Trap::msg("interpreter trapped without a trap"))),
            Done::Continue => Err(Trap::msg("interpreter stopped without returning")),
        }
    }

    /// Calls store function `func` with its arguments at absolute slot `base`. For a wasm
    /// callee, pushes its frame and returns its first instruction; for a host function,
    /// runs it and returns `None`.
    /// Inlined into the call handlers for the wasm case; a host call is a function of its own.
    #[inline(always)]
    unsafe fn call_store_func(&mut self, func: u32, base: usize) -> Result<Option<Ip>, Trap> {
        match unsafe { self.callee(func) } {
            Callee::Wasm { instance, index } => unsafe {
                let inst: *mut InstanceEntity =
                    (&(*self.store).instances)[instance as usize].as_ptr();
                if inst != self.instance {
                    self.enter_instance(inst);
                }
                self.push_frame(index, base)
                    .map(Some)
                    .map_err(|c| self.trap_at(c))
            },
            Callee::Host => unsafe { self.call_host(func, base) }.map(|()| None),
        }
    }

    /// Runs host function `func` on the slots at `base` (arguments in, results out).
    #[inline(never)]
    unsafe fn call_host(&mut self, func: u32, base: usize) -> Result<(), Trap> {
        // SAFETY: the store function exists; its type says how many slots it uses.
        let len = unsafe { (*self.store).func_type(func).slots_len() };
        let end = base + len;
        if end > self.stack.slots.len() {
            self.stack.slots.resize(end, 0);
        }
        // SAFETY: `vmctx` is the current instance's.
        let caller = unsafe { (*self.vmctx).instance };
        let io = &mut self.stack.slots[base..end];
        // SAFETY: no reference into the store is live across the host call.
        unsafe { wisp_core::call_raw(self.store, func, Some(caller), io) }
            .map_err(|t| self.with_backtrace(t))
    }

    /// Pops the current frame; returns where the caller resumes, its frame base, and
    /// whether it runs in the current instance (if not, `enter_caller_instance` must follow),
    /// or `None` when the entry frame returned. Inlined into the return handlers: as a call
    /// it spent more on saving and restoring registers than on its work.
    #[inline(always)]
    unsafe fn pop_frame(&mut self) -> Option<(Ip, usize, bool)> {
        self.stack.frames.pop();
        let frame = self.stack.frames.last()?;
        let (ip, base, inst) = (frame.ip, frame.base, frame.instance);
        // The callee's frame overlapped the caller's above the call's arguments, where the
        // caller's constant pool lives: refill it.
        // SAFETY: a frame's function outlives the frame (its module is held by the store);
        // the caller's frame is still on the value stack.
        unsafe { fill_consts(&mut self.stack.slots, base, &*frame.func) };
        Some((ip, base, inst == self.instance))
    }

    /// After `pop_frame` returned into another instance: makes the caller's current.
    #[cold]
    unsafe fn enter_caller_instance(&mut self) {
        if let Some(frame) = self.stack.frames.last() {
            let inst = frame.instance;
            // SAFETY: frames point to live instances.
            unsafe { self.enter_instance(inst) };
        }
    }

    /// Records where the current frame resumes after a call; returns the frame's base.
    #[inline(always)]
    fn save_ip(&mut self, resume: Ip) -> usize {
        match self.stack.frames.last_mut() {
            Some(frame) => {
                frame.ip = resume;
                frame.base
            }
            None => 0,
        }
    }

    /// The current frame's base.
    #[inline(always)]
    fn frame_base(&self) -> usize {
        self.stack.frames.last().map_or(0, |f| f.base)
    }
}

/// Where an exception was raised, for [`Exec::unwind`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Raised {
    /// By the instruction at this address, in the running frame.
    At(Ip),
    /// By a call the running frame made (a host function, or native code it called):
    /// where the frame resumes after it, saved before the call.
    InCall,
    /// By native code that stood in for the whole running frame (its installed native
    /// code, or on-stack replacement): the frame has nothing left to handle it with.
    FrameDone,
}

impl Exec<'_> {
    /// Hands exception `exn` (an index of the store's exception table) to the innermost
    /// handler that catches it: in the running frame at the point `raised` says, else in
    /// each caller at its call. Frames above the handler's are dropped, and the handler
    /// starts with the exception in `self.exception` (its `Caught` takes it). With no
    /// handler in this execution, it ends with the exception as its trap (carrying the
    /// frames it passed), for whatever called into wasm.
    ///
    /// The search is `find_handler`'s; this only passes control on, so that the call to
    /// the handler's first instruction stays a tail call (a jump with tail dispatch):
    /// anything of this frame's that the call could see would keep it a call, and a
    /// program throwing in a loop would grow the native stack.
    #[cold]
    #[inline(never)]
    #[cfg(feature = "exceptions")]
    pub(crate) unsafe fn unwind(&mut self, exn: u32, raised: Raised) -> Done {
        // SAFETY: forwarded.
        match unsafe { self.find_handler(exn, raised) } {
            Some(pad) => {
                let sp = self.sp_at(self.frame_base());
                let (mem_base, mem_len) = self.mem_regs();
                // SAFETY: `pad` is a handler's first word in the running function's code.
                unsafe { dispatch(pad, sp, mem_base, mem_len, self, Accs::ZERO) }
            }
            None => Done::Trap,
        }
    }

    /// `unwind`'s search: makes the handler's frame the running one and returns its
    /// first word, or, with no handler, leaves the trap in `self.trap`.
    #[cold]
    #[inline(never)]
    #[cfg(feature = "exceptions")]
    unsafe fn find_handler(&mut self, exn: u32, raised: Raised) -> Option<Ip> {
        // SAFETY: the store is live; `exn` is one of its exceptions.
        let tag = unsafe { (*self.store).exception(exn).tag };
        let frames = self.stack.frames.len();
        for i in (0..frames).rev() {
            let frame = &self.stack.frames[i];
            let at = match (i + 1 == frames, raised) {
                (true, Raised::At(ip)) => ip,
                (true, Raised::FrameDone) => continue,
                // Inside the call instruction that the frame resumes after.
                _ => frame.ip.wrapping_sub(1),
            };
            // SAFETY: a frame's function and instance outlive it.
            let (func, instance, base) = unsafe { (&*frame.func, frame.instance, frame.base) };
            if func.regions.is_empty() {
                continue;
            }
            let offset = (at as usize - func.code.as_ptr() as usize) / core::mem::size_of::<Word>();
            // SAFETY: tag indices in the function's clauses are the instance's.
            let catches = |t: u32| unsafe { (*instance).vmctx.tag(t) } == tag;
            let (slots, store) = (&mut self.stack.slots, self.store);
            // A catch block the exception leaves lets go of its own (`Clause::RELEASE`).
            let release = |slot: u32| {
                let cell = &mut slots[base + slot as usize];
                if let Some(held) = cell.checked_sub(1) {
                    // SAFETY: the store is live; the slot holds one of its exceptions.
                    unsafe { (*store).release_exception_unwinding(held as u32, exn) };
                    *cell = 0;
                }
            };
            let Some(pad) = func.handler(offset as u32, catches, release) else {
                continue;
            };
            self.stack.frames.truncate(i + 1);
            // A trap that brought the exception here is done with.
            self.trap = None;
            if instance != self.instance {
                // SAFETY: frames point to live instances.
                unsafe { self.enter_instance(instance) };
            }
            // Callee frames overlapped this one's constant pool: refill it.
            // SAFETY: the frame is on the value stack.
            unsafe { fill_consts(&mut self.stack.slots, base, func) };
            self.exception = Some(exn);
            // SAFETY: `pad` is a word offset in the function's code.
            return Some(unsafe { func.code.as_ptr().add(pad as usize) });
        }
        // The trap that brought the exception here, if one did, has every frame already.
        if self.trap.is_none() {
            // SAFETY: as above.
            let exn = unsafe { (*self.store).exception_handle(exn) };
            self.trap = Some(self.with_backtrace(Trap::throw(exn)));
        }
        None
    }

    /// A call's or native code's failure: an exception of this store is raised where
    /// `raised` says (see `unwind`), anything else is a trap.
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn raise_or_trap(&mut self, trap: Trap, raised: Raised) -> Done {
        // Without the feature, no wasm here can catch it: it ends the execution as a trap
        // (a host function may still throw one at an embedder's wasm).
        #[cfg(not(feature = "exceptions"))]
        let _ = raised;
        #[cfg(feature = "exceptions")]
        {
            // SAFETY: the store is live.
            let exn = trap
                .exception()
                .and_then(|e| unsafe { (*self.store).exception_index(&e) });
            if let Some(exn) = exn {
                // Kept for its backtrace (the frames it passed below this execution, and
                // this execution's, attached where it arrived), should no handler here
                // catch it; moved out of this frame so that `unwind` is a tail call.
                self.trap = Some(trap);
                // SAFETY: forwarded: the exception is this store's.
                return unsafe { self.unwind(exn, raised) };
            }
        }
        trapped(self, trap)
    }
}

/// Grows the value stack to hold `end` slots: geometrically, and an allocation failure is
/// stack exhaustion, not an abort.
#[cold]
#[inline(never)]
fn grow_stack(slots: &mut Vec<u64>, end: usize, max_slots: usize) -> Result<(), TrapCode> {
    let want = end.max(slots.len() * 2).min(max_slots).max(end);
    slots
        .try_reserve(want - slots.len())
        .map_err(|_| TrapCode::StackExhausted)?;
    slots.resize(want, 0);
    Ok(())
}

/// Zeroes a function's declared locals in its frame at `base`.
///
/// Written as a loop of volatile stores, deliberately: LLVM turns a plain loop (or
/// `fill`) into a call to `memset`, which costs more than the few stores most functions
/// need, and any call on the call handlers' fast path makes them save registers.
///
/// # Safety
/// `slots` holds the frame (`base + func.frame_size` slots).
#[inline(always)]
unsafe fn zero_locals(slots: &mut [u64], base: usize, func: &CompiledFunc) {
    debug_assert!(base + func.num_locals as usize <= slots.len());
    // SAFETY: the caller's contract.
    unsafe {
        // One pointer for both ends: a second `as_mut_ptr` would invalidate the first.
        let frame = slots.as_mut_ptr().add(base);
        let mut p = frame.add(func.num_params as usize);
        let end = frame.add(func.num_locals as usize);
        while p < end {
            ptr::write_volatile(p, 0);
            p = p.add(1);
        }
    }
}

/// Writes `func`'s constant pool into its frame at `base` (volatile for the same reason
/// as `zero_locals`: no `memcpy` call).
///
/// # Safety
/// `slots` holds the frame (`base + func.frame_size` slots).
#[inline(always)]
unsafe fn fill_consts(slots: &mut [u64], base: usize, func: &CompiledFunc) {
    debug_assert!(base + func.const_base as usize + func.consts.len() <= slots.len());
    // SAFETY: the caller's contract; the pool lies inside the frame.
    unsafe {
        let dst = slots.as_mut_ptr().add(base + func.const_base as usize);
        for (i, value) in func.consts.iter().enumerate() {
            ptr::write_volatile(dst.add(i), *value);
        }
    }
}

/// Passes control to the instruction at `ip`, with `accs` the result just produced.
#[inline(always)]
unsafe fn dispatch(
    ip: Ip,
    sp: Sp,
    mem_base: *mut u8,
    mem_len: usize,
    ex: &mut Exec,
    accs: Accs,
) -> Done {
    #[cfg(wisp_tail_dispatch)]
    {
        // SAFETY: `ip` points to an instruction of the running function (the translator
        // keeps every branch target inside it); a tail call, compiled as a jump.
        unsafe { ((*ip).handler)(ip, sp, mem_base, mem_len, ex, accs.int, accs.f32, accs.f64) }
    }
    #[cfg(not(wisp_tail_dispatch))]
    {
        ex.regs = Regs {
            ip,
            sp,
            mem_base,
            mem_len,
            accs,
        };
        Done::Continue
    }
}

/// Runs handlers from `ip` until one returns or traps.
#[inline(always)]
unsafe fn run_handlers(ip: Ip, sp: Sp, mem_base: *mut u8, mem_len: usize, ex: &mut Exec) -> Done {
    // The first instruction never reads an accumulator (`bytecode::encode`).
    #[cfg(wisp_tail_dispatch)]
    {
        // SAFETY: forwarded from `execute`.
        unsafe { dispatch(ip, sp, mem_base, mem_len, ex, Accs::ZERO) }
    }
    #[cfg(not(wisp_tail_dispatch))]
    {
        ex.regs = Regs {
            ip,
            sp,
            mem_base,
            mem_len,
            accs: Accs::ZERO,
        };
        loop {
            let Regs {
                ip,
                sp,
                mem_base,
                mem_len,
                accs,
            } = ex.regs;
            // SAFETY: each handler leaves a valid next instruction in `ex.ip`.
            match unsafe {
                ((*ip).handler)(ip, sp, mem_base, mem_len, ex, accs.int, accs.f32, accs.f64)
            } {
                Done::Continue => continue,
                done => return done,
            }
        }
    }
}

/// A trap at the current instruction.
#[cold]
#[inline(never)]
fn trap(ex: &mut Exec, code: TrapCode) -> Done {
    ex.trap = Some(ex.trap_at(code));
    Done::Trap
}

/// A trap that already happened (in a host function, or while calling).
#[cold]
#[inline(never)]
fn trapped(ex: &mut Exec, trap: Trap) -> Done {
    ex.trap = Some(trap);
    Done::Trap
}
