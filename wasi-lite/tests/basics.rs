//! Arguments, environment, standard streams, clocks, randomness, process functions,
//! sockets, and linking: each called from wasm with pointers the test chooses.

use wisp_test_support::wasi as common;

use common::*;
use wisp::{Engine, Linker, Module, Store};
use wisp_wasi::{I32Exit, OutputBuffer, WasiCtx, FUNCTIONS};

fn ctx() -> WasiCtx {
    WasiCtx::builder().build().unwrap()
}

/// Reads the C string at guest address `at`.
fn c_string(g: &Guest, at: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for a in at.. {
        let b = g.read(a, 1)[0];
        if b == 0 {
            break;
        }
        out.push(b);
    }
    out
}

#[test]
fn args_round_trip() {
    let ctx = WasiCtx::builder()
        .args(["prog.wasm", "héllo", ""])
        .arg(b"\xffraw")
        .build()
        .unwrap();
    let mut g = Guest::new(ctx);
    assert_eq!(g.call("args_sizes_get", &[OUT as i64, OUT2 as i64]), 0);
    assert_eq!(g.u32(OUT), 4);
    let size = g.u32(OUT2);
    assert_eq!(size, 10 + 7 + 1 + 5);
    assert_eq!(g.call("args_get", &[PATH as i64, BUF as i64]), 0);
    let ptrs: Vec<u32> = (0..4).map(|i| g.u32(PATH + 4 * i)).collect();
    assert_eq!(ptrs[0], BUF);
    let args: Vec<Vec<u8>> = ptrs.iter().map(|p| c_string(&g, *p)).collect();
    assert_eq!(
        args,
        vec![
            b"prog.wasm".to_vec(),
            "héllo".as_bytes().to_vec(),
            vec![],
            b"\xffraw".to_vec()
        ]
    );
    // The strings are packed back to back, exactly `size` bytes.
    assert_eq!(g.read(BUF + size - 1, 1), [0]);
}

#[test]
fn environment_round_trips_and_later_values_replace_earlier() {
    let ctx = WasiCtx::builder()
        .env("A", "1")
        .env("B", "two=2")
        .env("A", "3")
        .build()
        .unwrap();
    let mut g = Guest::new(ctx);
    assert_eq!(g.call("environ_sizes_get", &[OUT as i64, OUT2 as i64]), 0);
    assert_eq!((g.u32(OUT), g.u32(OUT2)), (2, 8 + 4));
    assert_eq!(g.call("environ_get", &[PATH as i64, BUF as i64]), 0);
    let vars: Vec<Vec<u8>> = (0..2).map(|i| c_string(&g, g.u32(PATH + 4 * i))).collect();
    assert_eq!(vars, vec![b"B=two=2".to_vec(), b"A=3".to_vec()]);
}

#[test]
fn builder_refuses_nul_bytes_and_bad_keys() {
    assert!(WasiCtx::builder().arg("a\0b").build().is_err());
    assert!(WasiCtx::builder().env("K", "v\0").build().is_err());
    assert!(WasiCtx::builder().env("K=V", "v").build().is_err());
    assert!(WasiCtx::builder().env("", "v").build().is_err());
}

#[test]
fn stdout_and_stderr_are_captured_separately() {
    let out = OutputBuffer::new();
    let err = OutputBuffer::new();
    let ctx = WasiCtx::builder()
        .stdout(out.clone())
        .stderr(err.clone())
        .build()
        .unwrap();
    let mut g = Guest::new(ctx);
    assert_eq!(g.fd_write(1, b"to stdout\n"), Ok(10));
    assert_eq!(g.fd_write(2, b"to stderr\n"), Ok(10));
    // Several iovecs, one of them empty, gathered in order.
    g.write(BUF, b"abcdef");
    let (iov, n) = g.iovecs(&[(BUF, 2), (BUF + 10, 0), (BUF + 3, 3)]);
    assert_eq!(g.call("fd_write", &[1, iov, n, OUT as i64]), 0);
    assert_eq!(g.u32(OUT), 5);
    assert_eq!(out.contents(), b"to stdout\nabdef");
    assert_eq!(err.contents(), b"to stderr\n");
}

#[test]
fn stdin_reads_given_bytes_then_end_of_stream() {
    let ctx = WasiCtx::builder()
        .stdin_bytes("line one\nline two\n")
        .build()
        .unwrap();
    let mut g = Guest::new(ctx);
    assert_eq!(g.fd_read(0, 9), Ok(b"line one\n".to_vec()));
    // Two iovecs: a stream read fills the first and returns.
    let (iov, n) = g.iovecs(&[(BUF, 4), (BUF + 100, 100)]);
    assert_eq!(g.call("fd_read", &[0, iov, n, OUT as i64]), 0);
    assert_eq!((g.u32(OUT), g.read(BUF, 4)), (4, b"line".to_vec()));
    assert_eq!(g.fd_read(0, 100), Ok(b" two\n".to_vec()));
    assert_eq!(g.fd_read(0, 100), Ok(vec![]));
}

#[test]
fn standard_streams_have_stream_rights_and_refuse_the_wrong_direction() {
    let mut g = Guest::new(ctx());
    assert_eq!(g.call("fd_fdstat_get", &[1, BUF as i64]), 0);
    let rights = g.u64(BUF + 8);
    assert_ne!(rights & RIGHT_FD_WRITE as u64, 0);
    // No seek or tell, so libc's isatty can answer from fdstat.
    assert_eq!(rights & ((1 << 2) | (1 << 5)), 0);
    assert_eq!(g.fd_write(0, b"x"), Err(ENOTCAPABLE));
    assert_eq!(g.fd_read(1, 1), Err(ENOTCAPABLE));
    assert_eq!(g.call("fd_seek", &[1, 0, 0, OUT as i64]), ESPIPE);
    assert_eq!(g.call("fd_tell", &[0, OUT as i64]), ESPIPE);
    assert_eq!(g.fd_write(9, b"x"), Err(EBADF));
}

#[test]
fn clocks_are_monotonic_and_realtime_is_plausible() {
    let mut g = Guest::new(ctx());
    let mut last = 0;
    for _ in 0..100 {
        assert_eq!(g.call("clock_time_get", &[1, 1, OUT as i64]), 0);
        let now = g.u64(OUT);
        assert!(now >= last, "monotonic clock went back: {now} < {last}");
        last = now;
    }
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(g.call("clock_time_get", &[1, 1, OUT as i64]), 0);
    assert!(g.u64(OUT) >= last + 5_000_000);

    assert_eq!(g.call("clock_time_get", &[0, 1, OUT as i64]), 0);
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    assert!(since_epoch.abs_diff(g.u64(OUT)) < 60_000_000_000);

    assert_eq!(g.call("clock_res_get", &[1, OUT as i64]), 0);
    assert!(g.u64(OUT) > 0);
    // An unknown clock, and the CPU-time clocks this backend cannot read.
    assert_eq!(g.call("clock_time_get", &[4, 1, OUT as i64]), EINVAL);
    assert_eq!(g.call("clock_res_get", &[9, OUT as i64]), EINVAL);
    assert_eq!(g.call("clock_time_get", &[2, 1, OUT as i64]), ENOTSUP);
    assert_eq!(g.call("clock_time_get", &[3, 1, OUT as i64]), ENOTSUP);
}

#[test]
fn random_get_fills_the_buffer_and_nothing_else() {
    let mut g = Guest::new(ctx());
    g.write(BUF - 1, &[0xaa; 258]);
    assert_eq!(g.call("random_get", &[BUF as i64, 256]), 0);
    let bytes = g.read(BUF, 256);
    // 256 random bytes are all 0xaa with probability 2^-2048.
    assert!(bytes.iter().any(|&b| b != 0xaa));
    assert_eq!(g.read(BUF - 1, 1), [0xaa]);
    assert_eq!(g.read(BUF + 256, 1), [0xaa]);
    assert_eq!(g.call("random_get", &[BUF as i64, 0]), 0);
}

#[test]
fn proc_exit_traps_with_the_exit_code() {
    let mut g = Guest::new(ctx());
    let err = g.try_call("proc_exit", &[42]).unwrap_err();
    assert_eq!(I32Exit::from_error(&err), Some(42));
    let err = g.try_call("proc_exit", &[-1]).unwrap_err();
    assert_eq!(I32Exit::from_error(&err), Some(-1));
}

#[test]
fn unoffered_functions_return_errnos() {
    let mut g = Guest::new(ctx());
    assert_eq!(g.call("proc_raise", &[9]), ENOSYS);
    assert_eq!(g.call("sched_yield", &[]), 0);
    assert_eq!(g.call("sock_accept", &[1, 0, OUT as i64]), ENOTSOCK);
    assert_eq!(
        g.call("sock_recv", &[0, IOV as i64, 1, 0, OUT as i64, OUT2 as i64]),
        ENOTSOCK
    );
    assert_eq!(
        g.call("sock_send", &[1, IOV as i64, 1, 0, OUT as i64]),
        ENOTSOCK
    );
    assert_eq!(g.call("sock_shutdown", &[2, 3]), ENOTSOCK);
    assert_eq!(g.call("sock_shutdown", &[77, 3]), EBADF);
    assert_eq!(g.call("sock_accept", &[77, 0, OUT as i64]), EBADF);
}

#[test]
fn every_preview1_function_is_defined() {
    assert_eq!(FUNCTIONS.len(), SIGNATURES.len());
    for (name, _) in SIGNATURES {
        assert!(FUNCTIONS.contains(name), "{name}");
    }
    // The harness module imports all 46 with their witx signatures; instantiating it
    // checks every name and type.
    let _ = Guest::new(ctx());
}

#[test]
fn a_guest_without_memory_gets_efault_not_a_panic() {
    let engine = Engine::default();
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write"
              (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
            (func (export "write") (result i32)
              (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (func (export "close") (result i32) (call $fd_close (i32.const 1))))"#,
    )
    .unwrap();
    let module = Module::new(&engine, wasm).unwrap();
    let mut linker = Linker::new(&engine);
    wisp_wasi::add_to_linker(&mut linker).unwrap();
    let mut store = Store::new(&engine, ctx());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let write = instance.get_typed_func::<(), i32>(&store, "write").unwrap();
    assert_eq!(write.call(&mut store, ()).unwrap(), EFAULT);
    // Functions that need no memory still work.
    let close = instance.get_typed_func::<(), i32>(&store, "close").unwrap();
    assert_eq!(close.call(&mut store, ()).unwrap(), 0);
    assert_eq!(close.call(&mut store, ()).unwrap(), EBADF);
}

/// Store data of the embedder's own type, reaching the context through `WasiView`.
struct Host {
    wasi: WasiCtx,
    calls: u32,
}

impl wisp_wasi::WasiView for Host {
    fn wasi(&mut self) -> &mut WasiCtx {
        self.calls += 1;
        &mut self.wasi
    }
}

#[test]
fn custom_store_data_through_wasi_view() {
    let engine = Engine::default();
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
            (func (export "run") (result i32) (call $y)))"#,
    )
    .unwrap();
    let module = Module::new(&engine, wasm).unwrap();
    let mut linker = Linker::<Host>::new(&engine);
    wisp_wasi::add_to_linker(&mut linker).unwrap();
    let host = Host {
        wasi: ctx(),
        calls: 0,
    };
    let mut store = Store::new(&engine, host);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 0);
    assert_eq!(store.data().calls, 1);
}

#[test]
fn poll_oneoff_sleeps_on_a_relative_clock() {
    let mut g = Guest::new(ctx());
    let mut sub = vec![0u8; 48];
    sub[0..8].copy_from_slice(&0x1234u64.to_le_bytes());
    sub[8] = 0; // clock
    sub[16..20].copy_from_slice(&1u32.to_le_bytes()); // monotonic
    sub[24..32].copy_from_slice(&20_000_000u64.to_le_bytes()); // 20 ms
    g.write(BUF, &sub);
    let start = std::time::Instant::now();
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 1, OUT as i64]),
        0
    );
    assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    assert_eq!(g.u32(OUT), 1);
    assert_eq!(g.u64(PATH), 0x1234);
    assert_eq!(g.read(PATH + 8, 3), [0, 0, 0]); // no error, type clock
}

#[test]
fn poll_oneoff_reports_ready_stdin_without_waiting_for_the_clock() {
    let ctx = WasiCtx::builder().stdin_bytes("abc").build().unwrap();
    let mut g = Guest::new(ctx);
    let mut subs = vec![0u8; 96];
    // A clock an hour away...
    subs[0..8].copy_from_slice(&1u64.to_le_bytes());
    subs[16..20].copy_from_slice(&1u32.to_le_bytes());
    subs[24..32].copy_from_slice(&3_600_000_000_000u64.to_le_bytes());
    // ...and stdin, which has data.
    subs[48..56].copy_from_slice(&2u64.to_le_bytes());
    subs[56] = 1; // fd_read
    subs[64..68].copy_from_slice(&0u32.to_le_bytes());
    g.write(BUF, &subs);
    let start = std::time::Instant::now();
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 2, OUT as i64]),
        0
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(g.u32(OUT), 1);
    assert_eq!(g.u64(PATH), 2);
    assert_eq!(g.read(PATH + 8, 3), [0, 0, 1]);
    assert_eq!(g.u64(PATH + 16), 3); // bytes available
}

#[test]
fn poll_oneoff_with_absolute_past_deadline_and_bad_fd() {
    let mut g = Guest::new(ctx());
    let mut subs = vec![0u8; 96];
    subs[0..8].copy_from_slice(&7u64.to_le_bytes());
    subs[16..20].copy_from_slice(&1u32.to_le_bytes());
    subs[24..32].copy_from_slice(&0u64.to_le_bytes()); // absolute 0: long past
    subs[40..42].copy_from_slice(&1u16.to_le_bytes());
    subs[48..56].copy_from_slice(&8u64.to_le_bytes());
    subs[56] = 2; // fd_write
    subs[64..68].copy_from_slice(&99u32.to_le_bytes()); // not open
    g.write(BUF, &subs);
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 2, OUT as i64]),
        0
    );
    assert_eq!(g.u32(OUT), 2);
    let mut events: Vec<(u64, u16, u8)> = (0..2)
        .map(|i| {
            let at = PATH + 32 * i;
            let e = g.read(at + 8, 3);
            (g.u64(at), u16::from_le_bytes([e[0], e[1]]), e[2])
        })
        .collect();
    events.sort();
    assert_eq!(events, vec![(7, 0, 0), (8, EBADF as u16, 2)]);
    // No subscriptions at all cannot end.
    assert_eq!(
        g.call("poll_oneoff", &[BUF as i64, PATH as i64, 0, OUT as i64]),
        EINVAL
    );
}

#[test]
fn the_interrupt_flag_wakes_a_sleeping_guest_with_a_trap() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let flag = Arc::new(AtomicBool::new(false));
    let ctx = WasiCtx::builder()
        .interrupt_flag(flag.clone())
        .build()
        .unwrap();
    let mut g = Guest::new(ctx);
    let mut sub = vec![0u8; 48];
    sub[16..20].copy_from_slice(&1u32.to_le_bytes());
    sub[24..32].copy_from_slice(&3_600_000_000_000u64.to_le_bytes()); // an hour
    g.write(BUF, &sub);
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        flag.store(true, Ordering::Relaxed);
    });
    let start = std::time::Instant::now();
    let err = g
        .try_call("poll_oneoff", &[BUF as i64, PATH as i64, 1, OUT as i64])
        .unwrap_err();
    setter.join().unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(wisp::TrapCode::Interrupted)
    );
}

#[test]
fn contexts_cross_threads() {
    fn send<T: Send>(_: &T) {}
    let ctx = ctx();
    send(&ctx);
    std::thread::spawn(move || drop(ctx)).join().unwrap();
}
