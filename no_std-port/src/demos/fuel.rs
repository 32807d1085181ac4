//! Fuel: bounding how long a guest runs. A long job is run in slices of fuel and continued
//! after each refuel (the guest keeps its progress in globals, so calling it again picks up
//! where the last slice ended); a guest that never ends is stopped cleanly when its budget
//! runs out, and its store remains usable.

use wisp::{Engine, Instance, Store, TrapCode};

use super::{instantiate, Failure, FUEL};
use crate::checks::Checks;
use crate::device::Device;

/// The job: Collatz steps of 1..=JOB_N.
const JOB_N: i32 = 1000;
/// Fuel per slice (one unit per wasm operator executed).
const SLICE: u64 = 20_000;
/// More slices than this means the job makes no progress.
const MAX_SLICES: u32 = 1000;
/// The runaway guest's whole budget.
const RUNAWAY_BUDGET: u64 = 100_000;

pub fn run(engine: &Engine, checks: &mut Checks) {
    println!();
    println!("== fuel: a long job run in slices, and a runaway stopped");
    match instantiate(engine, FUEL) {
        Ok((mut store, instance)) => {
            if let Err(e) = job(&mut store, &instance, checks)
                .and_then(|()| runaway(&mut store, &instance, checks))
            {
                check!(checks, false, "fuel guest: {}", Failure(&e));
            }
        }
        Err(e) => check!(checks, false, "fuel guest: {}", Failure(&e)),
    }
}

fn job(store: &mut Store<Device>, instance: &Instance, checks: &mut Checks) -> wisp::Result<()> {
    let run = instance.get_typed_func::<i32, i64>(&*store, "run")?;
    let mut slices = 1;
    store.set_fuel(SLICE)?;
    let total = loop {
        match run.call(&mut *store, JOB_N) {
            Ok(total) => break total,
            Err(e) if out_of_fuel(&e) && slices < MAX_SLICES => {
                slices += 1;
                store.set_fuel(SLICE)?;
            }
            Err(e) => return Err(e),
        }
    };
    let expected = native_collatz_total(JOB_N as u64);
    check!(
        checks,
        total as u64 == expected,
        "Collatz steps of 1..={}: {}, as computed natively, in {} slices of {} fuel",
        JOB_N,
        total,
        slices,
        SLICE
    );
    Ok(())
}

fn runaway(
    store: &mut Store<Device>,
    instance: &Instance,
    checks: &mut Checks,
) -> wisp::Result<()> {
    let runaway = instance.get_typed_func::<(), ()>(&*store, "runaway")?;
    store.set_fuel(RUNAWAY_BUDGET)?;
    match runaway.call(&mut *store, ()) {
        Ok(()) => check!(checks, false, "runaway() returned"),
        Err(e) => check!(
            checks,
            out_of_fuel(&e) && store.get_fuel()? == 0,
            "runaway() stopped after its {} fuel: {}",
            RUNAWAY_BUDGET,
            Failure(&e)
        ),
    }
    // The store is not poisoned: with fuel again, the finished job answers at once.
    store.set_fuel(SLICE)?;
    let total = instance
        .get_typed_func::<i32, i64>(&*store, "run")?
        .call(&mut *store, JOB_N)?;
    check!(
        checks,
        total as u64 == native_collatz_total(JOB_N as u64),
        "the store runs again after refuelling: run({}) = {}",
        JOB_N,
        total
    );
    Ok(())
}

fn out_of_fuel(e: &wisp::Error) -> bool {
    e.as_trap().and_then(|t| t.code()) == Some(TrapCode::OutOfFuel)
}

fn native_collatz_total(n: u64) -> u64 {
    let mut total = 0;
    for start in 1..=n {
        let mut x = start;
        while x != 1 {
            x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
            total += 1;
        }
    }
    total
}
