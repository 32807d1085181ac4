//! `fib`: the doubly recursive Fibonacci function, a benchmark of calls and returns.
//! `run(n)` returns fib(n) (fib(0) = 0, fib(1) = 1).

#[inline(never)]
fn fib(n: u32) -> u64 {
    if n < 2 {
        u64::from(n)
    } else {
        fib(n - 1).wrapping_add(fib(n - 2))
    }
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    fib(n.max(0) as u32) as i64
}
