//! Threads (built for `wasm32-wasip1-threads`: wasi-threads' `thread-spawn` and a shared
//! memory): std threads joined with results, channels, a `Mutex`-heavy counter, a
//! `Condvar` hand-off, `RwLock`, atomics, scoped threads borrowing the caller's data, a
//! `Barrier`, `thread::sleep` in several threads at once, and thread-local storage.
//!
//! - `threads` (or `threads N ROUNDS`): runs every check with N threads (default 4) and
//!   ROUNDS rounds each (default 2000); deterministic stdout.
//! - `threads work THREADS UNITS`: a CPU-bound job (counting primes by trial division in
//!   UNITS blocks of 2,000 numbers), split over THREADS threads; prints the count. For
//!   the 2-against-1 thread speedup.
//! - `threads exit`: a spawned thread calls `exit(7)` while the main thread waits: the
//!   whole program ends with status 7.
//! - `threads trap`: a spawned thread traps (`abort`) while the main thread waits: the
//!   whole program traps.
//! - `threads hang`: four threads wait forever on a `Condvar` (in `memory.atomic.wait`)
//!   and one sleeps, while the main thread joins them: only a timeout ends it.

use guest::{check, fail};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map(|s| s.parse().unwrap_or_else(|_| fail(format_args!("not a number: {s}"))))
            .unwrap_or(default)
    };
    match args.first().map(String::as_str) {
        Some("work") => work(num(1, 2) as usize, num(2, 200)),
        Some("exit") => exit_from_a_thread(),
        Some("trap") => trap_in_a_thread(),
        Some("hang") => hang(),
        _ => checks(num(0, 4) as usize, num(1, 2000)),
    }
}

fn checks(n: usize, rounds: u64) {
    check!(n >= 2, "at least two threads, got {n}");
    println!("threads: {n} threads, {rounds} rounds");

    // Results through join handles.
    let handles: Vec<_> = (0..n as u64)
        .map(|t| thread::spawn(move || (0..=rounds).map(|i| i * (t + 1)).sum::<u64>()))
        .collect();
    let sums: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let expect: Vec<u64> = (0..n as u64)
        .map(|t| (t + 1) * rounds * (rounds + 1) / 2)
        .collect();
    check!(sums == expect, "joined sums {sums:?}, expected {expect:?}");
    println!("join: {} results, total {}", sums.len(), sums.iter().sum::<u64>());

    // A channel from every thread, messages interleaved.
    let (tx, rx) = mpsc::channel();
    for t in 0..n as u64 {
        let tx = tx.clone();
        thread::spawn(move || {
            for i in 0..rounds {
                tx.send((t, i)).unwrap();
            }
        });
    }
    drop(tx);
    let mut next = vec![0u64; n];
    let mut count = 0u64;
    for (t, i) in rx {
        check!(next[t as usize] == i, "thread {t} sent {i} out of order");
        next[t as usize] += 1;
        count += 1;
    }
    check!(count == n as u64 * rounds, "received {count} messages");
    println!("channel: {count} messages, each thread's in order");

    // A Mutex every thread fights over.
    let counter = Arc::new(Mutex::new((0u64, Vec::new())));
    let handles: Vec<_> = (0..n)
        .map(|t| {
            let counter = counter.clone();
            thread::spawn(move || {
                for _ in 0..rounds {
                    let mut guard = counter.lock().unwrap();
                    guard.0 += 1;
                    if guard.0 % 1000 == 0 {
                        guard.1.push(t);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let (total, marks) = &*counter.lock().unwrap();
    check!(*total == n as u64 * rounds, "mutex counter {total}");
    check!(
        marks.len() as u64 == n as u64 * rounds / 1000,
        "{} marks",
        marks.len()
    );
    println!("mutex: {total} increments, {} marks", marks.len());

    // Condvar ping-pong between two threads.
    let turn = Arc::new((Mutex::new(0u64), Condvar::new()));
    let other = {
        let turn = turn.clone();
        thread::spawn(move || {
            let (lock, cv) = &*turn;
            for i in 0..rounds {
                let mut t = cv.wait_while(lock.lock().unwrap(), |t| *t != 2 * i + 1).unwrap();
                *t += 1;
                cv.notify_all();
            }
        })
    };
    {
        let (lock, cv) = &*turn;
        for i in 0..rounds {
            let mut t = cv.wait_while(lock.lock().unwrap(), |t| *t != 2 * i).unwrap();
            *t += 1;
            cv.notify_all();
        }
    }
    other.join().unwrap();
    println!("condvar: {} hand-offs", *turn.0.lock().unwrap());

    // Atomics and a RwLock.
    let hits = Arc::new(AtomicU64::new(0));
    let table = Arc::new(RwLock::new(vec![1u64; 64]));
    let handles: Vec<_> = (0..n)
        .map(|t| {
            let (hits, table) = (hits.clone(), table.clone());
            thread::spawn(move || {
                for i in 0..rounds {
                    hits.fetch_add(1, Ordering::Relaxed);
                    if i % 100 == 0 {
                        table.write().unwrap()[t] += 1;
                    } else {
                        let sum: u64 = table.read().unwrap().iter().sum();
                        check!(sum >= 64, "table sum {sum}");
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let sum: u64 = table.read().unwrap().iter().sum();
    println!(
        "atomic: {} hits; rwlock: table sum {sum}",
        hits.load(Ordering::Relaxed)
    );

    // Scoped threads borrow the caller's data, each writing its own chunk.
    let mut data = vec![0u64; n * 100];
    thread::scope(|s| {
        for (t, chunk) in data.chunks_mut(100).enumerate() {
            s.spawn(move || {
                for (i, x) in chunk.iter_mut().enumerate() {
                    *x = (t * 100 + i) as u64;
                }
            });
        }
    });
    let sum: u64 = data.iter().sum();
    let len = data.len() as u64;
    check!(sum == len * (len - 1) / 2, "scoped sum {sum}");
    println!("scope: {} values, sum {sum}", data.len());

    // A barrier, then everyone sleeps at once: the sleeps overlap.
    let barrier = Arc::new(Barrier::new(n));
    let started = Instant::now();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                let leader = barrier.wait().is_leader();
                thread::sleep(Duration::from_millis(50));
                leader
            })
        })
        .collect();
    let leaders = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|&l| l)
        .count();
    let took = started.elapsed();
    check!(leaders == 1, "{leaders} barrier leaders");
    check!(
        took >= Duration::from_millis(50),
        "the sleeps took {took:?}"
    );
    eprintln!("threads: {n} sleeps of 50 ms took {took:?} together");
    println!("barrier: 1 leader of {n}; sleeps done");

    // Thread-local storage is per thread.
    thread_local!(static MINE: Cell<u64> = const { Cell::new(0) });
    MINE.with(|m| m.set(1000));
    let seen: Vec<u64> = (0..n as u64)
        .map(|t| {
            thread::spawn(move || {
                MINE.with(|m| {
                    let before = m.get();
                    m.set(t);
                    before + m.get()
                })
            })
        })
        .map(|h| h.join().unwrap())
        .collect();
    check!(MINE.with(Cell::get) == 1000, "the main thread's local changed");
    check!(
        seen == (0..n as u64).collect::<Vec<_>>(),
        "thread locals {seen:?}"
    );
    println!("thread-local: each of {n} threads saw its own");
    println!("threads: ok");
}

/// Counts primes below `units * 2000`, the blocks dealt round-robin to `threads` threads.
fn work(threads: usize, units: u64) {
    check!(threads >= 1, "at least one thread");
    let next = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let next = next.clone();
            thread::spawn(move || {
                let mut count = 0u64;
                loop {
                    let block = next.fetch_add(1, Ordering::Relaxed);
                    if block >= units {
                        return count;
                    }
                    for n in block * 2000..(block + 1) * 2000 {
                        count += is_prime(n) as u64;
                    }
                }
            })
        })
        .collect();
    let count: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("primes below {}: {count}", units * 2000);
}

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 1;
    }
    true
}

fn exit_from_a_thread() {
    println!("exit: a thread exits with 7");
    thread::spawn(|| {
        thread::sleep(Duration::from_millis(20));
        std::process::exit(7)
    });
    thread::sleep(Duration::from_secs(30));
    fail(format_args!("the main thread outlived the exit"))
}

fn trap_in_a_thread() {
    println!("trap: a thread aborts");
    thread::spawn(|| {
        thread::sleep(Duration::from_millis(20));
        std::process::abort()
    });
    thread::sleep(Duration::from_secs(30));
    fail(format_args!("the main thread outlived the trap"))
}

fn hang() {
    println!("hang: five threads wait forever");
    let never = Arc::new((Mutex::new(false), Condvar::new()));
    let mut handles: Vec<_> = (0..4)
        .map(|_| {
            let never = never.clone();
            thread::spawn(move || {
                let (lock, cv) = &*never;
                drop(cv.wait_while(lock.lock().unwrap(), |done| !*done).unwrap());
            })
        })
        .collect();
    handles.push(thread::spawn(|| thread::sleep(Duration::from_secs(3600))));
    for h in handles {
        h.join().unwrap();
    }
    fail(format_args!("a thread that waits forever returned"))
}
