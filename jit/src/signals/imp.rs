//! The handler's part for the hosts that have it (`cfg(wisp_signals)`): the entry stub
//! per architecture, the handler and the signal context per system, the alternate stack.

use std::cell::Cell;
use std::mem::MaybeUninit;
use std::ptr::null_mut;
use std::sync::OnceLock;

use wisp_core::vm::{ArrayCallFn, VmCtx};
use wisp_core::Trap;

use super::{lookup, CODE};

/// One entry from Rust into native code, on the entering thread's stack.
#[repr(C)]
pub(crate) struct Entry {
    /// The stack pointer `wisp_jit_enter` resumes with after a fault (written by it).
    sp: usize,
    /// The entry this one is nested in, on this thread.
    prev: *mut Entry,
    /// After a fault: how many of `frames` the handler filled.
    frames_len: usize,
    /// After a fault: the faulting pc, then the return addresses of the wasm frames above
    /// (the first `frames_len` written by the handler; left uninitialised otherwise, so
    /// that an entry, which every call from Rust makes, does not clear 512 bytes).
    frames: [MaybeUninit<usize>; Trap::MAX_FRAMES],
}

extern "C" {
    /// Saves the callee-saved registers, stores the stack pointer at `sp`, and calls
    /// `entry(callee, caller, args)`; returns its status. `wisp_jit_resume` is the address
    /// right after that call, where a claimed fault resumes with `sp` as the stack pointer
    /// and the status in the return register.
    fn wisp_jit_enter(
        entry: ArrayCallFn,
        callee: *mut libc::c_void,
        caller: *mut libc::c_void,
        args: *mut u64,
        sp: *mut usize,
    ) -> u32;
    fn wisp_jit_resume();
}

/// Defines `wisp_jit_enter`: `$enter` up to and including the call, then the label
/// `wisp_jit_resume` and `$resume`, with the symbol directives of the host's object format
/// (ELF: hidden, typed, sized; Mach-O: private, with the C prefix `_`). `$frame` is the
/// call frame information in effect at the resume label, which Mach-O needs restated.
#[cfg(not(target_vendor = "apple"))]
macro_rules! enter_and_resume {
    (
        [$($enter:literal),* $(,)?],
        [$($resume:literal),* $(,)?],
        frame: [$($frame:literal),* $(,)?] $(,)?
    ) => {
        std::arch::global_asm!(
            ".text",
            ".p2align 4",
            ".globl wisp_jit_enter",
            ".hidden wisp_jit_enter",
            ".type wisp_jit_enter, %function",
            "wisp_jit_enter:",
            ".cfi_startproc",
            $($enter,)*
            ".globl wisp_jit_resume",
            ".hidden wisp_jit_resume",
            "wisp_jit_resume:",
            $($resume,)*
            ".cfi_endproc",
            ".size wisp_jit_enter, . - wisp_jit_enter",
        );
    };
}

/// Mach-O admits no symbol inside a `.cfi_startproc`/`.cfi_endproc` pair, so the resume
/// part is a second one, which states the frame as the call left it (`$frame`). (An
/// unwinder looks up a return address less one, which is in the first.)
#[cfg(target_vendor = "apple")]
macro_rules! enter_and_resume {
    (
        [$($enter:literal),* $(,)?],
        [$($resume:literal),* $(,)?],
        frame: [$($frame:literal),* $(,)?] $(,)?
    ) => {
        std::arch::global_asm!(
            ".text",
            ".p2align 4",
            ".globl _wisp_jit_enter",
            ".private_extern _wisp_jit_enter",
            "_wisp_jit_enter:",
            ".cfi_startproc",
            $($enter,)*
            ".cfi_endproc",
            ".globl _wisp_jit_resume",
            ".private_extern _wisp_jit_resume",
            "_wisp_jit_resume:",
            ".cfi_startproc",
            $($frame,)*
            $($resume,)*
            ".cfi_endproc",
        );
    };
}

#[cfg(target_arch = "x86_64")]
enter_and_resume!(
    [
        "push rbp",
        ".cfi_def_cfa_offset 16",
        ".cfi_offset rbp, -16",
        "mov rbp, rsp",
        ".cfi_def_cfa_register rbp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        // 5 pushes after rbp: 8 more keep the call's stack 16-byte aligned.
        "sub rsp, 8",
        "mov [r8], rsp",
        "mov rax, rdi",
        "mov rdi, rsi",
        "mov rsi, rdx",
        "mov rdx, rcx",
        "call rax",
    ],
    [
        "add rsp, 8",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        ".cfi_def_cfa rsp, 8",
        "ret",
    ],
    frame: [".cfi_def_cfa rbp, 16", ".cfi_offset rbp, -16"],
);

#[cfg(target_arch = "aarch64")]
enter_and_resume!(
    [
        "stp x29, x30, [sp, #-16]!",
        ".cfi_def_cfa_offset 16",
        ".cfi_offset x29, -16",
        ".cfi_offset x30, -8",
        "mov x29, sp",
        ".cfi_def_cfa x29, 16",
        "stp x19, x20, [sp, #-16]!",
        "stp x21, x22, [sp, #-16]!",
        "stp x23, x24, [sp, #-16]!",
        "stp x25, x26, [sp, #-16]!",
        "stp x27, x28, [sp, #-16]!",
        "stp d8, d9, [sp, #-16]!",
        "stp d10, d11, [sp, #-16]!",
        "stp d12, d13, [sp, #-16]!",
        "stp d14, d15, [sp, #-16]!",
        "mov x9, sp",
        "str x9, [x4]",
        "mov x9, x0",
        "mov x0, x1",
        "mov x1, x2",
        "mov x2, x3",
        "blr x9",
    ],
    [
        "ldp d14, d15, [sp], #16",
        "ldp d12, d13, [sp], #16",
        "ldp d10, d11, [sp], #16",
        "ldp d8, d9, [sp], #16",
        "ldp x27, x28, [sp], #16",
        "ldp x25, x26, [sp], #16",
        "ldp x23, x24, [sp], #16",
        "ldp x21, x22, [sp], #16",
        "ldp x19, x20, [sp], #16",
        "ldp x29, x30, [sp], #16",
        ".cfi_def_cfa sp, 0",
        "ret",
    ],
    frame: [".cfi_def_cfa x29, 16", ".cfi_offset x29, -16", ".cfi_offset x30, -8"],
);

#[cfg(target_arch = "riscv64")]
enter_and_resume!(
    [
        ".option push",
        ".option arch, +d",
        // The floating-point registers are saved whatever the crate's target features say:
        // Linux on riscv64 is RV64GC, whose ABI has callee-saved `fs0`-`fs11`.
        "addi sp, sp, -208",
        ".cfi_def_cfa_offset 208",
        "sd ra, 200(sp)",
        "sd s0, 192(sp)",
        ".cfi_offset ra, -8",
        ".cfi_offset s0, -16",
        "addi s0, sp, 208",
        ".cfi_def_cfa s0, 0",
        "sd s1, 184(sp)",
        "sd s2, 176(sp)",
        "sd s3, 168(sp)",
        "sd s4, 160(sp)",
        "sd s5, 152(sp)",
        "sd s6, 144(sp)",
        "sd s7, 136(sp)",
        "sd s8, 128(sp)",
        "sd s9, 120(sp)",
        "sd s10, 112(sp)",
        "sd s11, 104(sp)",
        "fsd fs0, 96(sp)",
        "fsd fs1, 88(sp)",
        "fsd fs2, 80(sp)",
        "fsd fs3, 72(sp)",
        "fsd fs4, 64(sp)",
        "fsd fs5, 56(sp)",
        "fsd fs6, 48(sp)",
        "fsd fs7, 40(sp)",
        "fsd fs8, 32(sp)",
        "fsd fs9, 24(sp)",
        "fsd fs10, 16(sp)",
        "fsd fs11, 8(sp)",
        "sd sp, 0(a4)",
        "mv t0, a0",
        "mv a0, a1",
        "mv a1, a2",
        "mv a2, a3",
        "jalr t0",
    ],
    [
        "ld ra, 200(sp)",
        "ld s0, 192(sp)",
        "ld s1, 184(sp)",
        "ld s2, 176(sp)",
        "ld s3, 168(sp)",
        "ld s4, 160(sp)",
        "ld s5, 152(sp)",
        "ld s6, 144(sp)",
        "ld s7, 136(sp)",
        "ld s8, 128(sp)",
        "ld s9, 120(sp)",
        "ld s10, 112(sp)",
        "ld s11, 104(sp)",
        "fld fs0, 96(sp)",
        "fld fs1, 88(sp)",
        "fld fs2, 80(sp)",
        "fld fs3, 72(sp)",
        "fld fs4, 64(sp)",
        "fld fs5, 56(sp)",
        "fld fs6, 48(sp)",
        "fld fs7, 40(sp)",
        "fld fs8, 32(sp)",
        "fld fs9, 24(sp)",
        "fld fs10, 16(sp)",
        "fld fs11, 8(sp)",
        "addi sp, sp, 208",
        ".cfi_def_cfa sp, 0",
        "ret",
        ".option pop",
    ],
    frame: [".cfi_def_cfa s0, 0", ".cfi_offset ra, -8", ".cfi_offset s0, -16"],
);

thread_local! {
    /// This thread's innermost entry into native code, or null.
    static CURRENT: Cell<*mut Entry> = const { Cell::new(null_mut()) };
    /// The alternate signal stack this module gave the thread, if it had none.
    static ALT_STACK: AltStack = const { AltStack(Cell::new(null_mut()), Cell::new(false)) };
}

/// See `super::call`; the frames are returned when a fault was claimed.
pub(super) unsafe fn call(
    entry: ArrayCallFn,
    callee: *mut VmCtx,
    caller: *mut VmCtx,
    args: *mut u64,
) -> (u32, Option<Vec<usize>>) {
    ensure_alt_stack();
    let mut e = Entry {
        sp: 0,
        prev: CURRENT.get(),
        frames_len: 0,
        frames: [const { MaybeUninit::uninit() }; Trap::MAX_FRAMES],
    };
    let ptr: *mut Entry = &mut e;
    CURRENT.set(ptr);
    // SAFETY: the caller's contract; `e` outlives the call, and the handler writes it only
    // while the call runs (through `CURRENT`, on this thread).
    let status = unsafe {
        wisp_jit_enter(
            entry,
            callee.cast(),
            caller.cast(),
            args,
            &raw mut (*ptr).sp,
        )
    };
    // SAFETY: `ptr` is `e`, which nothing else refers to now.
    let e = unsafe { &*ptr };
    CURRENT.set(e.prev);
    // SAFETY: the handler wrote the first `frames_len`.
    let frames = (e.frames_len > 0).then(|| {
        e.frames[..e.frames_len]
            .iter()
            .map(|f| unsafe { f.assume_init() })
            .collect()
    });
    (status, frames)
}

/// The handlers that were installed before ours, to pass faults we do not claim to.
static PREVIOUS: OnceLock<Option<[libc::sigaction; SIGNALS.len()]>> = OnceLock::new();

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// Installs the handler for `SIGSEGV`, `SIGBUS` (guarded memories), `SIGILL` (trap
/// instructions) and `SIGFPE` (x86's division by zero) once per process; whether it is.
pub(super) fn install() -> bool {
    PREVIOUS
        .get_or_init(|| {
            let mut previous = [zeroed_sigaction(); SIGNALS.len()];
            for (sig, prev) in SIGNALS.iter().zip(&mut previous) {
                let mut action = zeroed_sigaction();
                action.sa_sigaction = handler as *const () as usize;
                // On the alternate stack, and not blocked while it runs: a fault inside
                // the handler (a bug) then ends the process rather than hanging it.
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                // SAFETY: `action` is a valid sigaction whose handler is async-signal-safe
                // for the faults it claims (no allocation, no locks but the registry's
                // read lock, see `CODE`), and `prev` is written.
                unsafe {
                    libc::sigemptyset(&mut action.sa_mask);
                    if libc::sigaction(*sig, &action, prev) != 0 {
                        return None;
                    }
                }
            }
            Some(previous)
        })
        .is_some()
}

fn zeroed_sigaction() -> libc::sigaction {
    // SAFETY: all-zero is a valid `sigaction` (no handler, empty mask, no flags).
    unsafe { std::mem::zeroed() }
}

/// Where the signal context keeps the registers the handler reads and writes.
struct Regs {
    pc: *mut usize,
    sp: *mut usize,
    fp: *mut usize,
    ret: *mut usize,
}

/// # Safety
/// `ctx` is the `ucontext_t` the kernel passed to the handler.
unsafe fn regs(ctx: *mut libc::c_void) -> Regs {
    let uc = ctx.cast::<libc::ucontext_t>();
    // SAFETY: the kernel's context for this architecture and system; the pointers stay
    // valid while the handler runs.
    unsafe {
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        {
            let g = &raw mut (*uc).uc_mcontext.gregs;
            let at = |r: libc::c_int| (g as *mut i64).add(r as usize).cast::<usize>();
            Regs {
                pc: at(libc::REG_RIP),
                sp: at(libc::REG_RSP),
                fp: at(libc::REG_RBP),
                ret: at(libc::REG_RAX),
            }
        }
        #[cfg(all(target_os = "linux", target_arch = "aarch64"))]
        {
            let m = &raw mut (*uc).uc_mcontext;
            let x = (&raw mut (*m).regs).cast::<u64>();
            Regs {
                pc: (&raw mut (*m).pc).cast(),
                sp: (&raw mut (*m).sp).cast(),
                fp: x.add(29).cast(),
                ret: x.cast(),
            }
        }
        #[cfg(all(target_os = "linux", target_arch = "riscv64"))]
        {
            // `__gregs[0]` is the pc, then x1..x31: sp is x2, fp (s0) x8, a0 x10.
            let g = &raw mut (*uc).uc_mcontext.__gregs;
            let x = |r: usize| (g as *mut libc::c_ulong).add(r).cast::<usize>();
            Regs {
                pc: x(0),
                sp: x(2),
                fp: x(8),
                ret: x(10),
            }
        }
        // macOS: `uc_mcontext` points to the thread state.
        #[cfg(all(target_os = "macos", target_arch = "x86_64"))]
        {
            let ss = &raw mut (*(*uc).uc_mcontext).__ss;
            Regs {
                pc: (&raw mut (*ss).__rip).cast(),
                sp: (&raw mut (*ss).__rsp).cast(),
                fp: (&raw mut (*ss).__rbp).cast(),
                ret: (&raw mut (*ss).__rax).cast(),
            }
        }
        #[cfg(all(target_os = "macos", target_arch = "aarch64"))]
        {
            let ss = &raw mut (*(*uc).uc_mcontext).__ss;
            Regs {
                pc: (&raw mut (*ss).__pc).cast(),
                sp: (&raw mut (*ss).__sp).cast(),
                fp: (&raw mut (*ss).__fp).cast(),
                ret: (&raw mut (*ss).__x).cast(),
            }
        }
        #[cfg(all(target_os = "freebsd", target_arch = "x86_64"))]
        {
            let m = &raw mut (*uc).uc_mcontext;
            Regs {
                pc: (&raw mut (*m).mc_rip).cast(),
                sp: (&raw mut (*m).mc_rsp).cast(),
                fp: (&raw mut (*m).mc_rbp).cast(),
                ret: (&raw mut (*m).mc_rax).cast(),
            }
        }
    }
}

unsafe extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel's arguments; see each step.
    unsafe {
        if claim(ctx) {
            return;
        }
        chain(sig, info, ctx);
    }
}

/// Resumes the thread at its innermost entry if the fault is at a trap site of registered
/// code while it runs native code; whether it did.
///
/// # Safety
/// `ctx` is the handler's context argument.
unsafe fn claim(ctx: *mut libc::c_void) -> bool {
    let entry = CURRENT.get();
    if entry.is_null() {
        return false;
    }
    // SAFETY: the contract; `entry` is this thread's innermost live `Entry` (set and reset
    // by `call` around the native code that faulted).
    unsafe {
        let r = regs(ctx);
        let pc = *r.pc;
        // Never waits on this thread: see `CODE`'s invariant.
        let code = CODE.read().unwrap_or_else(|e| e.into_inner());
        let Some(trap) = lookup(&code, pc).and_then(|(map, at)| map.trap_at(at)) else {
            return false;
        };
        // The backtrace: the faulting function, then each caller while it is wasm code
        // (the frames above end at a trampoline, which is not a function of any map).
        let e = &mut *entry;
        e.frames[0].write(pc);
        let mut len = 1;
        let mut fp = *r.fp;
        while len < e.frames.len() && fp != 0 {
            let ret = *(fp as *const usize).add(1);
            // A return address is just past its call: look up the call.
            let caller = ret.wrapping_sub(1);
            if lookup(&code, caller).is_none_or(|(map, at)| map.func_at(at).is_none()) {
                break;
            }
            e.frames[len].write(caller);
            len += 1;
            fp = *(fp as *const usize);
        }
        e.frames_len = len;
        *r.pc = wisp_jit_resume as *const () as usize;
        *r.sp = e.sp;
        *r.ret = trap.status() as usize;
        true
    }
}

/// Passes a fault we do not claim to the handler installed before ours, or, if that was
/// the default action, restores it and returns, so that the instruction faults again and
/// takes it.
///
/// # Safety
/// The handler's arguments.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(Some(previous)) = PREVIOUS.get() else {
        return;
    };
    let Some(prev) = SIGNALS.iter().position(|&s| s == sig).map(|i| &previous[i]) else {
        return;
    };
    // SAFETY: calling the previous handler as the kernel would have, with its flags.
    unsafe {
        if prev.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(prev.sa_sigaction);
            f(sig, info, ctx);
        } else if prev.sa_sigaction == libc::SIG_DFL || prev.sa_sigaction == libc::SIG_IGN {
            // A fault cannot be ignored: the default action it is.
            libc::sigaction(sig, prev, null_mut());
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
            f(sig);
        }
    }
}

/// An alternate signal stack this module mapped for its thread (null if the thread had
/// one), unmapped when the thread ends; and whether the thread was looked at.
struct AltStack(Cell<*mut libc::c_void>, Cell<bool>);

/// The alternate stack's size: the handler needs little, but the previous handlers we
/// chain to may need more.
const ALT_STACK_SIZE: usize = 64 << 10;

impl Drop for AltStack {
    fn drop(&mut self) {
        let ptr = self.0.get();
        if ptr.is_null() {
            return;
        }
        // SAFETY: our own mapping, installed as this thread's alternate stack: disabled
        // first, then unmapped (the thread runs no more handlers on it).
        unsafe {
            let off = libc::stack_t {
                ss_sp: null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: ALT_STACK_SIZE,
            };
            libc::sigaltstack(&off, null_mut());
            libc::munmap(ptr, ALT_STACK_SIZE + page_size());
        }
    }
}

fn page_size() -> usize {
    // SAFETY: no preconditions.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096)
}

/// Gives this thread an alternate signal stack if it has none (Rust's threads have one,
/// for stack overflow reports; threads made elsewhere may not).
fn ensure_alt_stack() {
    ALT_STACK.with(|alt| {
        if alt.1.replace(true) {
            return;
        }
        // SAFETY: querying and setting this thread's alternate stack with valid arguments;
        // the new stack is a fresh mapping with a guard page below it, owned by `alt`.
        unsafe {
            let mut old: libc::stack_t = std::mem::zeroed();
            if libc::sigaltstack(null_mut(), &mut old) != 0 || old.ss_flags & libc::SS_DISABLE == 0
            {
                return;
            }
            let guard = page_size();
            let ptr = libc::mmap(
                null_mut(),
                ALT_STACK_SIZE + guard,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if ptr == libc::MAP_FAILED {
                return;
            }
            libc::mprotect(ptr, guard, libc::PROT_NONE);
            let new = libc::stack_t {
                ss_sp: ptr.cast::<u8>().add(guard).cast(),
                ss_flags: 0,
                ss_size: ALT_STACK_SIZE,
            };
            if libc::sigaltstack(&new, null_mut()) != 0 {
                libc::munmap(ptr, ALT_STACK_SIZE + guard);
                return;
            }
            alt.0.set(ptr);
        }
    });
}
