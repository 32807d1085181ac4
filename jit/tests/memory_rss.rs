//! Growth costs address space, not memory: a guest that grows its memory to 4 GiB and
//! touches one page adds about a page of resident memory, on every tier (issue 26). Its
//! own test binary, so no other test allocates while it reads the process's RSS.

#![cfg(target_os = "linux")]

use std::sync::Arc;

use wisp_core::{Config, Engine, Linker, Module, Store, TierUp};

/// The process's resident set, from `/proc/self/status`.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status");
    kib * 1024
}

fn engines() -> Vec<(&'static str, Engine)> {
    let config = Config::default();
    let mut tiered = config.clone();
    tiered.tier(wisp_core::Tier::Tiered).tier_up(TierUp {
        calls: 1,
        loops: 1,
        background: false,
    });
    let mut mixed = config.clone();
    mixed.tier(wisp_core::Tier::Mixed { seed: 1 });
    vec![
        (
            "interp",
            Engine::with_executor(config.clone(), Arc::new(wisp_interp::Interpreter::new())),
        ),
        (
            "jit",
            Engine::with_executor(config.clone(), Arc::new(wisp_jit::Jit::new().unwrap())),
        ),
        (
            "tiered",
            Engine::with_executor(tiered, Arc::new(wisp_jit::Tiered::new().unwrap())),
        ),
        (
            "mixed",
            Engine::with_executor(mixed, Arc::new(wisp_jit::Tiered::new().unwrap())),
        ),
    ]
}

const GUEST: &str = r#"(module (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "touch") (param i32) (i32.store8 (local.get 0) (i32.const 7)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

#[test]
fn growing_to_4_gib_and_touching_one_page_adds_about_a_page() {
    for (tier, engine) in engines() {
        let module = Module::new(&engine, wat::parse_str(GUEST).unwrap()).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
        let touch = instance.get_typed_func::<i32, ()>(&store, "touch").unwrap();
        let peek = instance.get_typed_func::<i32, i32>(&store, "peek").unwrap();
        // Compile and run each function once before measuring.
        assert_eq!(grow.call(&mut store, 0).unwrap(), 1);
        touch.call(&mut store, 0).unwrap();
        assert_eq!(peek.call(&mut store, 65_535).unwrap(), 0);

        let before = rss_bytes();
        // To 65,536 pages: 4 GiB, the most a 32-bit memory has.
        assert_eq!(grow.call(&mut store, 65_535).unwrap(), 1, "{tier}");
        let top = u32::MAX as i32; // the last byte, as an i32 address
        assert_eq!(
            peek.call(&mut store, top).unwrap(),
            0,
            "{tier}: new bytes read as zero"
        );
        touch.call(&mut store, top).unwrap();
        assert_eq!(peek.call(&mut store, top).unwrap(), 7, "{tier}");
        let grown = rss_bytes().saturating_sub(before);
        // One page touched, plus whatever the allocator and page tables took meanwhile;
        // writing zeros over 4 GiB would be a thousand times more.
        assert!(
            grown < 4 << 20,
            "{tier}: RSS grew by {grown} bytes for a 4 GiB memory with one page touched"
        );
    }
}
