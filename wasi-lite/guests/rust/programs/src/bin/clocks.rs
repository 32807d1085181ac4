//! Clocks, self-checking (the values themselves vary, so stdout has only `clocks: ... ok`
//! lines; the measurements go to stderr). Checks: the realtime clock is a sane date; both
//! clocks report a resolution in (0, 1 s]; 10,000 monotonic readings never go back (std's
//! `Instant` and raw `clock_time_get`); `thread::sleep` (a relative `poll_oneoff` clock
//! subscription) sleeps at least what was asked and not absurdly long; `poll_oneoff` with
//! an absolute deadline, and with two clocks, fires the earlier one only.
//!
//! Run with no arguments; exit status 0 and the fixed stdout mean success.

use guest::wasi::{self, Subscription, CLOCK_MONOTONIC, CLOCK_REALTIME, SUBCLOCKFLAGS_ABSTIME};
use guest::{check, OrFail};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SLEEP: Duration = Duration::from_millis(30);
/// Generous: a loaded CI machine may stall a while, but not this long.
const TOO_LONG: Duration = Duration::from_secs(20);

fn main() {
    // 2023-01-01 and 2100-01-01, seconds since the epoch.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .or_fail("SystemTime::now before 1970");
    eprintln!(
        "clocks: realtime {}.{:09} s",
        now.as_secs(),
        now.subsec_nanos()
    );
    check!(
        (1_672_531_200..4_102_444_800).contains(&now.as_secs()),
        "realtime clock says {now:?} since 1970"
    );
    let raw = wasi::clock_time_get(CLOCK_REALTIME, 1).or_fail("clock_time_get(realtime)");
    let diff = raw.abs_diff(now.as_nanos() as u64);
    check!(
        diff < 60_000_000_000,
        "raw realtime {raw} ns is far from SystemTime's {now:?}"
    );
    println!("clocks: realtime ok");

    for (name, id) in [("realtime", CLOCK_REALTIME), ("monotonic", CLOCK_MONOTONIC)] {
        let res = wasi::clock_res_get(id).or_fail(&format!("clock_res_get({name})"));
        eprintln!("clocks: {name} resolution {res} ns");
        check!(
            res > 0 && res <= 1_000_000_000,
            "{name} resolution {res} ns"
        );
    }
    println!("clocks: resolution ok");

    let mut last = Instant::now();
    let mut last_raw =
        wasi::clock_time_get(CLOCK_MONOTONIC, 1).or_fail("clock_time_get(monotonic)");
    for i in 0..10_000 {
        let t = Instant::now();
        check!(t >= last, "Instant went back at reading {i}");
        last = t;
        let r = wasi::clock_time_get(CLOCK_MONOTONIC, 1).or_fail("clock_time_get(monotonic)");
        check!(
            r >= last_raw,
            "monotonic clock went back at reading {i}: {last_raw} then {r}"
        );
        last_raw = r;
    }
    println!("clocks: monotonic ok");

    let t0 = Instant::now();
    std::thread::sleep(SLEEP);
    let slept = t0.elapsed();
    eprintln!("clocks: sleep({SLEEP:?}) took {slept:?}");
    check!(
        slept >= SLEEP,
        "thread::sleep({SLEEP:?}) returned after {slept:?}"
    );
    check!(slept < TOO_LONG, "thread::sleep({SLEEP:?}) took {slept:?}");
    println!("clocks: sleep ok");

    // An absolute deadline on the monotonic clock.
    let start = wasi::clock_time_get(CLOCK_MONOTONIC, 1).or_fail("clock_time_get(monotonic)");
    let deadline = start + SLEEP.as_nanos() as u64;
    let ev = wasi::poll_oneoff(&[Subscription::clock(
        7,
        CLOCK_MONOTONIC,
        deadline,
        SUBCLOCKFLAGS_ABSTIME,
    )])
    .or_fail("poll_oneoff with an absolute monotonic deadline");
    let end = wasi::clock_time_get(CLOCK_MONOTONIC, 1).or_fail("clock_time_get(monotonic)");
    check!(
        ev.len() == 1 && ev[0].userdata == 7 && ev[0].error == 0,
        "absolute poll_oneoff events {ev:?}"
    );
    check!(
        end >= deadline,
        "absolute poll_oneoff returned {} ns before its deadline",
        deadline - end
    );
    check!(
        end - start < TOO_LONG.as_nanos() as u64,
        "absolute poll_oneoff took {} ns",
        end - start
    );
    // Two relative clocks: only the short one may fire.
    let t0 = Instant::now();
    let ev = wasi::poll_oneoff(&[
        Subscription::clock(1, CLOCK_MONOTONIC, 3_600_000_000_000, 0),
        Subscription::clock(2, CLOCK_MONOTONIC, SLEEP.as_nanos() as u64, 0),
    ])
    .or_fail("poll_oneoff with two clocks");
    let took = t0.elapsed();
    check!(
        ev.len() == 1 && ev[0].userdata == 2 && ev[0].error == 0,
        "two-clock poll_oneoff events {ev:?}"
    );
    check!(
        took >= SLEEP && took < TOO_LONG,
        "two-clock poll_oneoff took {took:?}"
    );
    println!("clocks: poll_oneoff ok");
}
