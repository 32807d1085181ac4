//! The compute guest: known results, computed inside a 4 KiB linear memory, each checked
//! against an independent value (a published check value, or the same computation done
//! natively by the firmware). Integer-only, so every build runs it.

use wisp::{Engine, TrapCode};

use super::{instantiate, Failure, COMPUTE};
use crate::checks::Checks;
use crate::console::Bits;
use crate::device::{self, sensor_value};
use crate::{arch, heap};

/// CRC-32 (IEEE) of "123456789": the algorithm's published check value.
const CRC32_CHECK: u32 = 0xcbf4_3926;
/// The sieve's size, and the number of primes below it.
const SIEVE: i32 = 2048;
const PRIMES_BELOW_SIEVE: i32 = 309;
/// Readings the guest samples.
const SAMPLES: u32 = 64;
/// The compute demo's heap budget, on top of the guest's own linear memory.
const HEAP_BUDGET: usize = 32 * 1024;

/// Runs the demo; returns the heap it took besides the guest's linear memory (what the
/// allocator held at its peak), for the report's RAM figure.
pub fn run(engine: &Engine, checks: &mut Checks) -> usize {
    println!();
    println!("== compute: a guest with 4 KiB of linear memory in 1-byte pages");
    heap::reset_peak();
    let started = arch::millis();
    let memory = match guest(engine, checks) {
        Ok(bytes) => bytes,
        Err(e) => {
            check!(checks, false, "compute guest: {}", Failure(&e));
            0
        }
    };
    let took = arch::millis() - started;
    let heap = heap::usage();
    println!(
        "~    peak heap {} B requested, {} B held by the allocator, guest memory {} B; {} ms",
        heap.peak, heap.peak_used, memory, took
    );
    check!(
        checks,
        memory > 0 && heap.peak_used <= HEAP_BUDGET + memory,
        "heap peak within 32 KiB plus the guest's {} B memory",
        memory
    );
    heap.peak_used.saturating_sub(memory)
}

/// Runs every export; returns the size of the guest's linear memory.
fn guest(engine: &Engine, checks: &mut Checks) -> wisp::Result<usize> {
    let (mut store, instance) = instantiate(engine, COMPUTE)?;
    // Every call below needs fuel; the budget is generous, the point here is the results.
    store.set_fuel(50_000_000)?;
    let memory = instance
        .get_memory(&store, "memory")
        .ok_or_else(|| wisp::Error::NotFound("memory".into()))?;
    let bytes = memory.data(&store)?.len();
    check!(
        checks,
        bytes == 4096,
        "memory (memory 4096 4096 (pagesize 1)) is {} bytes",
        bytes
    );

    let crc = instance
        .get_typed_func::<(), i32>(&store, "crc32_check")?
        .call(&mut store, ())? as u32;
    check!(
        checks,
        crc == CRC32_CHECK,
        "crc32(\"123456789\") = {}, the published check value",
        Bits(u64::from(crc), 8)
    );

    let primes = instance.get_typed_func::<i32, i32>(&store, "primes")?;
    let count = primes.call(&mut store, SIEVE)?;
    check!(
        checks,
        count == PRIMES_BELOW_SIEVE,
        "primes below {}: {}",
        SIEVE,
        count
    );
    // A sieve that would not fit must trap at the memory's end, 4 KiB, not 64 KiB.
    let overflow = primes.call(&mut store, 5000);
    // The guest trapped with its LED lit; the device, not the guest, puts it out.
    device::safe_state();
    match overflow {
        Err(e) => check!(
            checks,
            e.as_trap().and_then(|t| t.code()) == Some(TrapCode::MemoryOutOfBounds),
            "primes(5000) does not fit in 4 KiB: {}",
            Failure(&e)
        ),
        Ok(n) => check!(
            checks,
            false,
            "primes(5000) returned {}, expected a trap",
            n
        ),
    }

    let sampled = instance
        .get_typed_func::<i32, i32>(&store, "sample")?
        .call(&mut store, SAMPLES as i32)? as u32;
    let native = native_sample_crc();
    check!(
        checks,
        sampled == native,
        "crc32 of {} sensor readings = {}, as computed natively",
        SAMPLES,
        Bits(u64::from(sampled), 8)
    );

    let ms = instance
        .get_typed_func::<i32, i64>(&store, "timed_primes")?
        .call(&mut store, SIEVE)?;
    println!(
        "~    the guest timed primes({}) with millis(): {} ms",
        SIEVE, ms
    );
    Ok(bytes)
}

/// The guest's `sample`, natively: CRC-32 of the first readings of sensor 0 as
/// little-endian i32s.
fn native_sample_crc() -> u32 {
    let mut crc = !0u32;
    for n in 0..SAMPLES {
        for byte in sensor_value(0, n).to_le_bytes() {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
    }
    !crc
}
