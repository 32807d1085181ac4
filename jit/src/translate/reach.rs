//! What a function's operators reach beyond its own frame, and which functions therefore
//! never fail by status.
//!
//! Two decisions read a body this way: whether a function is a leaf (`EntryChecks`: it
//! starts no frame, so its stack check can be left to its caller's), and, when traps are
//! trap instructions (`Env::trap_by_signal`), which calls need their status tested. A
//! status is then non-zero only for what the runtime reports (a host function's trap, a
//! limiter's error) or an exception: a function whose operators reach neither, and
//! whose direct callees are the same, always returns status 0, so a call to it needs no
//! test and its caller no path to pass a failure on (`status_free`). The runtime calls
//! that can fail only with one trap of their own (`Libcall::trap`: bulk memory and table
//! operators' out-of-bounds) raise it with a trap instruction after the call, so they
//! do not count (`Reach::Runtime`); they still make a function no leaf.
//!
//! Tier-up compiles one function at a time, whose calls to other functions go through the
//! module's entry table, to code that may still be interpreted and fail. A unit is
//! status-free when each of its calls goes to code that is: its own (a direct call,
//! without landings), or a function whose native code is final and status-free when the
//! unit is compiled (`status_free_unit`).

use wasmparser::{FunctionBody, Operator};
use wisp_core::module::ModuleInner;

/// Where an operator's work may go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Reach {
    /// Nowhere: it stays in native code of this frame (its traps included).
    Frame,
    /// A call (or tail call) of function `func` of the module's index space.
    Call(u32),
    /// The runtime, for an operation that fails only with its own trap (`Libcall::trap`),
    /// which the code raises itself: Rust frames below this one, but no status.
    Runtime,
    /// Other code: an indirect call or reference call, an exception, or the runtime
    /// (`Libcall`), so Rust frames or unknown code below this one, and any status.
    Beyond,
}

/// Where `op` may go.
pub(super) fn reach(op: &Operator<'_>) -> Reach {
    use Operator as O;
    match *op {
        O::Call { function_index } | O::ReturnCall { function_index } => {
            Reach::Call(function_index)
        }
        O::CallIndirect { .. }
        | O::CallRef { .. }
        | O::ReturnCallIndirect { .. }
        | O::ReturnCallRef { .. }
        | O::Throw { .. }
        | O::ThrowRef
        | O::Rethrow { .. }
        | O::Try { .. }
        | O::TryTable { .. }
        | O::Delegate { .. }
        | O::Catch { .. }
        | O::CatchAll
        // Served by the runtime, where a resource limiter may refuse with an error.
        | O::MemoryGrow { .. }
        | O::TableGrow { .. }
        // Served by the runtime, which an interrupt ends with a trap (`Interrupted`) that
        // is not the call's own (`Libcall::trap`).
        | O::MemoryAtomicWait32 { .. }
        | O::MemoryAtomicWait64 { .. } => Reach::Beyond,
        // Served by the runtime, which never fails.
        O::MemoryAtomicNotify { .. } => Reach::Runtime,
        // Served by the runtime (`Libcall`), failing only with their `Libcall::trap`.
        O::MemoryFill { .. }
        | O::MemoryCopy { .. }
        | O::MemoryInit { .. }
        | O::DataDrop { .. }
        | O::TableGet { .. }
        | O::TableSet { .. }
        | O::TableSize { .. }
        | O::TableFill { .. }
        | O::TableCopy { .. }
        | O::TableInit { .. }
        | O::ElemDrop { .. } => Reach::Runtime,
        _ => Reach::Frame,
    }
}

/// For each defined function of `module`, whether it always returns status 0 when its
/// traps are trap instructions: its operators reach no further than direct calls of
/// defined functions that are status-free too (the least fixed point: a cycle of calls is
/// status-free unless something on it or below it is not). A body that does not read is
/// taken as not status-free.
pub fn status_free(module: &ModuleInner) -> Vec<bool> {
    let count = module.bodies.len();
    let mut free = vec![true; count];
    // Who calls each function directly: a failure spreads from callee to callers.
    let mut callers: Vec<Vec<u32>> = vec![Vec::new(); count];
    let mut failing = Vec::new();
    for def in 0..count as u32 {
        if !calls_only_defined(module, def, &mut callers) {
            free[def as usize] = false;
            failing.push(def as usize);
        }
    }
    while let Some(def) = failing.pop() {
        for &caller in &callers[def] {
            if free[caller as usize] {
                free[caller as usize] = false;
                failing.push(caller as usize);
            }
        }
    }
    free
}

/// Whether defined function `def` reaches nothing but its frame and direct calls of
/// defined functions, noting `def` as a caller of each.
fn calls_only_defined(module: &ModuleInner, def: u32, callers: &mut [Vec<u32>]) -> bool {
    let imported = module.num_imported_funcs;
    each_reach(module, def, |reach| match reach {
        Reach::Frame | Reach::Runtime => true,
        Reach::Call(func) => match func.checked_sub(imported) {
            Some(callee) if (callee as usize) < callers.len() => {
                let list = &mut callers[callee as usize];
                if list.last() != Some(&def) {
                    list.push(def);
                }
                true
            }
            _ => false,
        },
        Reach::Beyond => false,
    })
}

/// Reads defined function `def`'s body, giving `visit` where each operator reaches, while
/// it returns true: whether every operator was read and visited so.
fn each_reach(module: &ModuleInner, def: u32, mut visit: impl FnMut(Reach) -> bool) -> bool {
    let info = &module.bodies[def as usize];
    let body = FunctionBody::new(wasmparser::BinaryReader::new(
        &module.bytes[info.range.clone()],
        info.range.start as u64,
    ));
    let Ok(mut reader) = body.get_operators_reader() else {
        return false;
    };
    while !reader.eof() {
        match reader.read() {
            Ok(op) if visit(reach(&op)) => {}
            _ => return false,
        }
    }
    true
}

/// Whether defined function `def`, compiled alone for tier-up (with loop `landings` or
/// not), always returns status 0: its operators reach nothing beyond its frame but calls
/// to functions whose code is status-free. Those are itself, called directly when it
/// has no landings (with them, its calls to itself go through the table), and each
/// defined function `f` for which `native_free(f)` says its code is installed for good
/// (calls to it then go to that code at a constant address: `call_through_table`) and
/// was compiled status-free.
pub fn status_free_unit(
    module: &ModuleInner,
    def: u32,
    landings: bool,
    native_free: impl Fn(u32) -> bool,
) -> bool {
    let imported = module.num_imported_funcs;
    each_reach(module, def, |reach| match reach {
        Reach::Frame | Reach::Runtime => true,
        Reach::Call(func) => match func.checked_sub(imported) {
            Some(callee) if callee == def && !landings => true,
            Some(callee) if (callee as usize) < module.bodies.len() => native_free(callee),
            _ => false,
        },
        Reach::Beyond => false,
    })
}
