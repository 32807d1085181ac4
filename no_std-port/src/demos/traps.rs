//! Failure is a value: every way a guest can fail (a wasm trap, a host function refusing a
//! request, exhausting the call depth, a module that is malformed or invalid or whose
//! imports are missing) comes back to the firmware as an error it reports, after which it
//! carries on, with the same instance where there is one.

use wisp::{Engine, Instance, Linker, Module, Store, TrapCode, WasmParams, WasmResults};

use super::{instantiate, Failure, COMPUTE, INVALID, TRAP};
use crate::checks::Checks;
use crate::device::{self, Device, DeviceError};

/// What a call must end with.
enum Expect {
    Code(TrapCode),
    /// A trap raised by a host function with a [`DeviceError`].
    Device,
}

pub fn run(engine: &Engine, checks: &mut Checks) {
    println!();
    println!("== traps: each one reported, and the firmware carries on");
    match instantiate(engine, TRAP) {
        Ok((mut store, instance)) => calls(&mut store, &instance, checks),
        Err(e) => check!(checks, false, "trap guest: {}", Failure(&e)),
    }
    modules(engine, checks);
}

fn calls(store: &mut Store<Device>, instance: &Instance, checks: &mut Checks) {
    // Fuel is on for the engine; these calls are short, the recursion the longest.
    if let Err(e) = store.set_fuel(1_000_000) {
        check!(checks, false, "set_fuel: {}", e);
        return;
    }
    use Expect::*;
    let mut call = Call {
        store,
        instance,
        checks,
    };
    call.expect::<(i32, i32), i32>(
        "average(10, 0)",
        (10, 0),
        Code(TrapCode::IntegerDivisionByZero),
    );
    call.expect::<(), i32>("read_past_end()", (), Code(TrapCode::MemoryOutOfBounds));
    call.expect::<(), ()>("bad_led()", (), Device);
    call.expect::<(), i32>("bad_sensor()", (), Device);
    call.expect::<(), ()>("bad_log()", (), Device);
    call.expect::<i32, i32>("recurse(0)", 0, Code(TrapCode::StackExhausted));
    call.expect::<(), ()>("unreachable()", (), Code(TrapCode::Unreachable));
    let Call {
        store,
        instance,
        checks,
    } = call;

    // After all that, the same instance still computes.
    let average = instance
        .get_typed_func::<(i32, i32), i32>(&*store, "average")
        .and_then(|f| f.call(&mut *store, (84, 2)));
    match average {
        Ok(v) => check!(
            checks,
            v == 42,
            "average(84, 2) = {} on the same instance afterwards",
            v
        ),
        Err(e) => check!(checks, false, "average(84, 2): {}", Failure(&e)),
    }
}

/// What the expected-trap calls share.
struct Call<'a> {
    store: &'a mut Store<Device>,
    instance: &'a Instance,
    checks: &'a mut Checks,
}

impl Call<'_> {
    /// Calls the export `call` names (its text up to the parenthesis) with `params`, and
    /// checks that it fails as `expect` says.
    fn expect<P: WasmParams, R: WasmResults>(&mut self, call: &str, params: P, expect: Expect) {
        let name = export_name(call);
        let result = self
            .instance
            .get_typed_func::<P, R>(&*self.store, name)
            .and_then(|f| f.call(&mut *self.store, params))
            .map(drop);
        self.check(call, result, expect);
    }

    /// What [`Call::expect`]'s signatures share, once.
    #[inline(never)]
    fn check(&mut self, call: &str, result: wisp::Result<()>, expect: Expect) {
        match result {
            Ok(()) => check!(
                self.checks,
                false,
                "{} returned; it should have trapped",
                call
            ),
            Err(e) => {
                let trap = e.as_trap();
                let ok = match expect {
                    Expect::Code(code) => trap.and_then(|t| t.code()) == Some(code),
                    Expect::Device => trap.and_then(|t| t.downcast_ref::<DeviceError>()).is_some(),
                };
                check!(self.checks, ok, "{} trapped: {}", call, Failure(&e));
            }
        }
        // Whatever the guest left switched on stays on no longer.
        device::safe_state();
    }
}

/// The export a call's text names: up to its parenthesis. A byte search: `str::split`
/// brings a 356-byte searcher into flash.
fn export_name(call: &str) -> &str {
    match call.bytes().position(|b| b == b'(') {
        Some(at) => call.get(..at).unwrap_or(call),
        None => call,
    }
}

/// Modules that must be refused before anything runs.
fn modules(engine: &Engine, checks: &mut Checks) {
    let truncated = &COMPUTE[..COMPUTE.len() / 2];
    match Module::new(engine, truncated) {
        Ok(_) => check!(checks, false, "a truncated module loaded"),
        Err(e) => check!(
            checks,
            matches!(e, wisp::Error::Module(_)),
            "truncated module refused: {}",
            e
        ),
    }
    match Module::new(engine, INVALID) {
        Ok(_) => check!(checks, false, "an invalid module loaded"),
        Err(e) => check!(
            checks,
            matches!(e, wisp::Error::Module(_)),
            "invalid module refused: {}",
            e
        ),
    }
    // A module whose imports the host does not provide: refused at link time.
    let linked = Module::new(engine, TRAP).and_then(|module| {
        let mut store = Store::new(engine, Device::default());
        Linker::<Device>::new(engine).instantiate(&mut store, &module)
    });
    match linked {
        Ok(_) => check!(checks, false, "instantiated without its imports"),
        Err(e) => check!(
            checks,
            matches!(e, wisp::Error::UnknownImport { .. }),
            "missing imports refused: {}",
            e
        ),
    }
}
