//! Limits against hostile modules: each one hit by a module written to hit it, which gets a
//! clean error or trap, after which the host keeps using the same engine and store.
//!
//! Load-time limits (`ModuleLimits`) are the loader's, the same for every tier. Store
//! limits (counts, the memory cap, the `ResourceLimiter`) are checked by core where
//! instances are created and memories and tables grow; they run here on the interpreter,
//! and on the JIT tiers too when the facade is built with its `jit` feature (as in
//! workspace builds). `wisp-jit`'s own `tests/limits.rs` runs growth on every native tier
//! whatever the features.

use std::sync::{Arc, Mutex};

use wisp::{
    Config, Engine, Error, Instance, Linker, Memory, MemoryType, Module, ModuleError, ModuleLimits,
    RefType, ResourceLimiter, Store, StoreResource, Table, TableType, Tier, Trap, Val,
};

const PAGE: u64 = 65536;

/// The tiers store limits are checked on.
fn tiers() -> Vec<Tier> {
    let mut tiers = vec![Tier::Interp];
    if cfg!(feature = "jit") {
        tiers.extend([Tier::Jit, Tier::Tiered]);
    }
    tiers
}

fn engine_on(tier: Tier, config: &Config) -> Engine {
    Engine::with_tier(config, tier).unwrap()
}

fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap()
}

/// A module that needs nothing, to show an engine or store still works.
const GOOD: &str = r#"(module (func (export "answer") (result i32) (i32.const 42)))"#;

/// Instantiates `GOOD` in `store` and calls it.
fn still_works(engine: &Engine, store: &mut Store<()>) {
    let module = Module::new(engine, wat(GOOD)).unwrap();
    let instance = Linker::new(engine)
        .instantiate(&mut *store, &module)
        .unwrap();
    let answer = instance
        .get_typed_func::<(), i32>(&*store, "answer")
        .unwrap();
    assert_eq!(answer.call(store, ()).unwrap(), 42);
}

// ----- load time ------------------------------------------------------------------------

/// Loads `bytes` on an engine with `limits`, expecting `Error::Limit` (also from
/// `Module::validate`); then the same engine loads and runs a good module. Returns the
/// error.
fn refused_at_load(limits: ModuleLimits, bytes: &[u8]) -> ModuleError {
    let mut config = Config::default();
    config.module_limits(limits);
    let engine = Engine::new(&config);
    let err = match Module::new(&engine, bytes) {
        Err(Error::Limit(e)) => e,
        other => panic!("expected a limit error, got {other:?}"),
    };
    assert!(matches!(
        Module::validate(&engine, bytes),
        Err(Error::Limit(_))
    ));
    still_works(&engine, &mut Store::new(&engine, ()));
    err
}

/// Asserts that `bytes` load under `limits` (the module just at each limit).
fn loads(limits: ModuleLimits, bytes: &[u8]) {
    let mut config = Config::default();
    config.module_limits(limits);
    Module::new(&Engine::new(&config), bytes).unwrap();
}

fn repeat(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join("\n")
}

fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A module whose one function is `n` blocks deep, in the binary format (the text
/// format's parser would take long over a million blocks).
fn nested(n: usize) -> Vec<u8> {
    let mut body = vec![0]; // no locals
    for _ in 0..n {
        body.extend([0x02, 0x40]); // block (no result)
    }
    body.extend(std::iter::repeat_n(0x0b, n + 1)); // the ends, and the function's
    let mut code = vec![1]; // one body
    leb(body.len(), &mut code);
    code.extend(body);
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    module.extend([1, 4, 1, 0x60, 0, 0]); // type section: one `func [] -> []`
    module.extend([3, 2, 1, 0]); // function section: one function of type 0
    module.push(10); // code section
    leb(code.len(), &mut module);
    module.extend(code);
    module
}

#[test]
fn every_workload_loads_under_the_default_limits() {
    // The benchmark programs, among them a generated module of 6 MB and 4,801 functions.
    let engine = Engine::default();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/workloads/bin");
    let mut loaded = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let bytes = std::fs::read(&path).unwrap();
            Module::new(&engine, &bytes)
                .unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()));
            loaded += 1;
        }
    }
    assert!(loaded >= 5, "{loaded} workloads");
}

#[test]
fn a_module_over_the_size_limit_is_refused_before_it_is_read() {
    let bytes =
        wat(r#"(module (memory 1) (data (i32.const 0) "0123456789abcdef0123456789abcdef"))"#);
    let limits = |n: usize| ModuleLimits {
        module_bytes: n as u64,
        ..ModuleLimits::default()
    };
    let err = refused_at_load(limits(bytes.len() - 1), &bytes);
    assert_eq!(err.offset, 0);
    assert!(err.message.contains("module bytes"), "{err}");
    loads(limits(bytes.len()), &bytes);
}

#[test]
fn counts_over_their_limits_are_refused() {
    let d = ModuleLimits::default();
    // (limits, the module at the limit, the module one past it, what the message names)
    let cases: Vec<(ModuleLimits, String, String, &str)> = vec![
        (
            ModuleLimits { types: 3, ..d },
            repeat(3, |i| format!("(type (func (param {})))", "i32 ".repeat(i))),
            repeat(4, |i| format!("(type (func (param {})))", "i32 ".repeat(i))),
            "types",
        ),
        (
            ModuleLimits { imports: 2, ..d },
            repeat(2, |i| format!(r#"(import "m" "g{i}" (global i32))"#)),
            repeat(3, |i| format!(r#"(import "m" "g{i}" (global i32))"#)),
            "imports",
        ),
        (
            ModuleLimits { exports: 2, ..d },
            repeat(2, |i| format!(r#"(func (export "f{i}"))"#)),
            repeat(3, |i| format!(r#"(func (export "f{i}"))"#)),
            "exports",
        ),
        (
            ModuleLimits { functions: 3, ..d },
            repeat(3, |_| "(func)".into()),
            repeat(4, |_| "(func)".into()),
            "functions",
        ),
        (
            // Imported functions count: two imported and two defined are four.
            ModuleLimits { functions: 3, ..d },
            r#"(import "m" "f" (func)) (import "m" "g" (func)) (func)"#.into(),
            r#"(import "m" "f" (func)) (import "m" "g" (func)) (func) (func)"#.into(),
            "functions",
        ),
        (
            // Imported functions alone.
            ModuleLimits { functions: 1, ..d },
            r#"(import "m" "f" (func))"#.into(),
            r#"(import "m" "f" (func)) (import "m" "g" (func))"#.into(),
            "functions",
        ),
        (
            // Parameters count as locals.
            ModuleLimits { locals: 100, ..d },
            format!("(func (param i32) (local {}))", "i64 ".repeat(99)),
            format!("(func (param i32) (local {}))", "i64 ".repeat(100)),
            "locals in function 0",
        ),
        (
            ModuleLimits { data_segments: 2, ..d },
            format!("(memory 1) {}", repeat(2, |_| r#"(data "x")"#.into())),
            format!("(memory 1) {}", repeat(3, |_| r#"(data "x")"#.into())),
            "data segments",
        ),
        (
            ModuleLimits { data_bytes: 100, ..d },
            format!(r#"(memory 1) (data "{0}") (data "{0}")"#, "x".repeat(50)),
            format!(r#"(memory 1) (data "{0}") (data "{1}")"#, "x".repeat(50), "x".repeat(51)),
            "data segment bytes",
        ),
        (
            ModuleLimits {
                element_segments: 1,
                ..d
            },
            "(func $f) (elem func $f)".into(),
            "(func $f) (elem func $f) (elem func $f)".into(),
            "element segments",
        ),
        (
            ModuleLimits {
                element_items: 5,
                ..d
            },
            "(func $f) (elem func $f $f $f) (elem funcref (ref.func $f) (ref.null func))".into(),
            "(func $f) (elem func $f $f $f) (elem funcref (ref.func $f) (ref.null func) (ref.func $f))".into(),
            "element items",
        ),
    ];
    for (limits, at, past, what) in cases {
        loads(limits, &wat(&format!("(module {at})")));
        let err = refused_at_load(limits, &wat(&format!("(module {past})")));
        assert!(err.message.contains(what), "{what}: {err}");
    }
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let limits = ModuleLimits {
        nesting: 10,
        ..ModuleLimits::default()
    };
    loads(limits, &nested(10));
    let err = refused_at_load(limits, &nested(11));
    assert!(err.message.contains("11 nested blocks"), "{err}");
    // Loops and ifs nest too.
    let mixed = wat(&format!(
        "(module (func {}{}))",
        "loop\ni32.const 1\nif\n".repeat(6),
        "end\nend\n".repeat(6)
    ));
    refused_at_load(limits, &mixed);

    // The default bound: a body a million blocks deep (3 MB) is refused after reading
    // the first 50,001, without the memory a million validator frames would take.
    let err = refused_at_load(ModuleLimits::default(), &nested(1_000_000));
    assert!(err.message.contains("50001 nested blocks"), "{err}");
    loads(ModuleLimits::default(), &nested(50_000));
}

#[test]
fn too_many_locals_past_the_validators_bound_is_malformed() {
    // Above 50,000 the validator refuses whatever the limit (as the spec's tests expect).
    let bytes = wat("(module (func (local i32) (local i64) (local f32)))");
    let engine = Engine::default();
    Module::new(&engine, &bytes).unwrap();
    let many = wat(&format!("(module (func {}))", "(local i32)".repeat(50_001)));
    assert!(matches!(Module::new(&engine, &many), Err(Error::Module(_))));
    still_works(&engine, &mut Store::new(&engine, ()));
}

// ----- store counts ---------------------------------------------------------------------

fn store_limit(err: Error) -> (StoreResource, u64, Option<u64>) {
    match err {
        Error::StoreLimit {
            resource,
            requested,
            limit,
        } => (resource, requested, limit),
        other => panic!("expected a store limit, got {other:?}"),
    }
}

#[test]
fn instances_per_store_are_limited() {
    for tier in tiers() {
        let mut config = Config::default();
        config.max_instances(3);
        let engine = engine_on(tier, &config);
        let module = Module::new(&engine, wat(GOOD)).unwrap();
        let linker = Linker::new(&engine);
        let mut store = Store::new(&engine, ());
        let first = linker.instantiate(&mut store, &module).unwrap();
        linker.instantiate(&mut store, &module).unwrap();
        linker.instantiate(&mut store, &module).unwrap();
        let err = linker.instantiate(&mut store, &module).unwrap_err();
        assert!(err.to_string().contains("4 instances"), "{err}");
        assert_eq!(
            store_limit(err),
            (StoreResource::Instances, 4, Some(3)),
            "{tier:?}"
        );
        // The store's instances keep running; a new store starts from none.
        let answer = first.get_typed_func::<(), i32>(&store, "answer").unwrap();
        assert_eq!(answer.call(&mut store, ()).unwrap(), 42);
        still_works(&engine, &mut Store::new(&engine, ()));
    }
}

#[test]
fn memories_and_tables_per_store_are_limited() {
    for tier in tiers() {
        let mut config = Config::default();
        config.max_memories(2).max_tables(2).max_instances(4);
        let engine = engine_on(tier, &config);
        let linker = Linker::new(&engine);
        let mut store = Store::new(&engine, ());
        let with_memory = Module::new(&engine, wat("(module (memory 1))")).unwrap();
        let with_table = Module::new(&engine, wat("(module (table 1 funcref))")).unwrap();

        linker.instantiate(&mut store, &with_memory).unwrap();
        Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
        let err = linker.instantiate(&mut store, &with_memory).unwrap_err();
        assert_eq!(store_limit(err), (StoreResource::Memories, 3, Some(2)));
        let err = Memory::new(&mut store, MemoryType::new(0, None)).unwrap_err();
        assert_eq!(store_limit(err), (StoreResource::Memories, 3, Some(2)));

        linker.instantiate(&mut store, &with_table).unwrap();
        Table::new(
            &mut store,
            TableType::new(RefType::FUNCREF, 1, None),
            Val::FuncRef(None),
        )
        .unwrap();
        let err = linker.instantiate(&mut store, &with_table).unwrap_err();
        assert_eq!(store_limit(err), (StoreResource::Tables, 3, Some(2)));
        let err = Table::new(
            &mut store,
            TableType::new(RefType::FUNCREF, 0, None),
            Val::FuncRef(None),
        )
        .unwrap_err();
        assert_eq!(store_limit(err), (StoreResource::Tables, 3, Some(2)));

        // Refused instances took nothing: two instances so far, room for two more (and
        // then none).
        still_works(&engine, &mut store);
        still_works(&engine, &mut store);
        let err = linker.instantiate(&mut store, &with_memory).unwrap_err();
        assert_eq!(store_limit(err).0, StoreResource::Instances, "{tier:?}");
    }
}

// ----- the store's memory cap -----------------------------------------------------------

const GROWER: &str = r#"(module
  (memory (export "mem") 1)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0)))
  (func (export "table_size") (result i32) (table.size)))"#;

struct Grower {
    grow: wisp::TypedFunc<i32, i32>,
    size: wisp::TypedFunc<(), i32>,
    table_grow: wisp::TypedFunc<i32, i32>,
    table_size: wisp::TypedFunc<(), i32>,
}

fn grower(store: &Store<()>, instance: Instance) -> Grower {
    Grower {
        grow: instance.get_typed_func(store, "grow").unwrap(),
        size: instance.get_typed_func(store, "size").unwrap(),
        table_grow: instance.get_typed_func(store, "table_grow").unwrap(),
        table_size: instance.get_typed_func(store, "table_size").unwrap(),
    }
}

#[test]
fn the_store_memory_cap_holds_for_growth_and_instantiation() {
    for tier in tiers() {
        let mut config = Config::default();
        config.max_store_memory_bytes(3 * PAGE);
        let engine = engine_on(tier, &config);
        let module = Module::new(&engine, wat(GROWER)).unwrap();
        let linker = Linker::new(&engine);
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let g = grower(&store, instance);

        assert_eq!(g.grow.call(&mut store, 1).unwrap(), 1, "{tier:?}");
        // Past the cap: -1, even for a request far beyond it, and nothing changes.
        assert_eq!(g.grow.call(&mut store, 2).unwrap(), -1, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 65535).unwrap(), -1, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 1).unwrap(), 2, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 3);
        // Growing by nothing is always allowed.
        assert_eq!(g.grow.call(&mut store, 0).unwrap(), 3);
        // The API grows through the same check.
        let mem = instance.get_memory(&store, "mem").unwrap();
        assert!(matches!(
            mem.grow(&mut store, 1),
            Err(Error::ResourceExhausted(_))
        ));

        // The store is full: a module with a memory does not instantiate, nor does the
        // host make one; a module without one does.
        let err = linker.instantiate(&mut store, &module).unwrap_err();
        assert_eq!(
            store_limit(err),
            (StoreResource::MemoryBytes, 4 * PAGE, Some(3 * PAGE)),
            "{tier:?}"
        );
        let err = Memory::new(&mut store, MemoryType::new(1, None)).unwrap_err();
        assert_eq!(store_limit(err).0, StoreResource::MemoryBytes);
        Memory::new(&mut store, MemoryType::new(0, None)).unwrap();
        still_works(&engine, &mut store);
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 3);
    }
}

#[test]
fn an_instance_whose_memories_pass_the_cap_is_refused_whole() {
    let mut config = Config::default();
    config.max_store_memory_bytes(8 * PAGE);
    let engine = Engine::new(&config);
    // Multiple memories: 5 + 4 pages is over 8, though each alone is not.
    let module = Module::new(&engine, wat("(module (memory 5) (memory 4))")).unwrap();
    let mut store = Store::new(&engine, ());
    let err = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap_err();
    assert_eq!(
        store_limit(err),
        (StoreResource::MemoryBytes, 9 * PAGE, Some(8 * PAGE))
    );
    assert!(err_text(&engine, &module).contains("bytes of linear memory"));
    // Nothing was allocated: 8 pages still fit.
    Memory::new(&mut store, MemoryType::new(8, None)).unwrap();
}

fn err_text(engine: &Engine, module: &Module) -> String {
    let mut store = Store::new(engine, ());
    Linker::new(engine)
        .instantiate(&mut store, module)
        .unwrap_err()
        .to_string()
}

// ----- the resource limiter -------------------------------------------------------------

#[derive(Debug)]
struct OverBudget(u64);
impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "over budget: {} wanted", self.0)
    }
}

/// Grants memories up to `memory` bytes and tables up to `elements`, refusing past that
/// or, with `trap`, asking for a trap; records every question.
#[derive(Clone)]
struct Budget {
    memory: u64,
    elements: u32,
    trap: bool,
    asked: Arc<Mutex<Vec<(char, u64, u64)>>>,
}

impl Budget {
    fn new(memory: u64, elements: u32, trap: bool) -> Budget {
        Budget {
            memory,
            elements,
            trap,
            asked: Arc::default(),
        }
    }

    fn answer(&self, over: bool, wanted: u64) -> Result<bool, Trap> {
        match (over, self.trap) {
            (false, _) => Ok(true),
            (true, false) => Ok(false),
            (true, true) => Err(Trap::host(OverBudget(wanted))),
        }
    }
}

impl ResourceLimiter for Budget {
    fn memory_growing(&mut self, current: u64, desired: u64, _: Option<u64>) -> Result<bool, Trap> {
        self.asked.lock().unwrap().push(('m', current, desired));
        self.answer(desired > self.memory, desired)
    }

    fn table_growing(&mut self, current: u32, desired: u32, _: Option<u32>) -> Result<bool, Trap> {
        self.asked
            .lock()
            .unwrap()
            .push(('t', current.into(), desired.into()));
        self.answer(desired > self.elements, desired.into())
    }
}

#[test]
fn a_limiter_refusal_is_minus_one() {
    for tier in tiers() {
        let engine = engine_on(tier, &Config::default());
        let module = Module::new(&engine, wat(GROWER)).unwrap();
        let mut store = Store::new(&engine, ());
        let budget = Budget::new(3 * PAGE, 4, false);
        store.limiter(budget.clone());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let g = grower(&store, instance);
        assert_eq!(g.grow.call(&mut store, 2).unwrap(), 1, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        assert_eq!(g.grow.call(&mut store, 0).unwrap(), 3, "{tier:?}");
        assert_eq!(g.table_grow.call(&mut store, 3).unwrap(), 1, "{tier:?}");
        assert_eq!(g.table_grow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        assert_eq!(g.table_size.call(&mut store, ()).unwrap(), 4);
        // Asked at creation (from 0), then at each non-zero growth.
        assert_eq!(
            *budget.asked.lock().unwrap(),
            [
                ('m', 0, PAGE),
                ('t', 0, 1),
                ('m', PAGE, 3 * PAGE),
                ('m', 3 * PAGE, 4 * PAGE),
                ('t', 1, 4),
                ('t', 4, 5),
            ],
            "{tier:?}"
        );
        still_works(&engine, &mut store);
    }
}

#[test]
fn a_limiter_can_make_growth_trap() {
    for tier in tiers() {
        let engine = engine_on(tier, &Config::default());
        let module = Module::new(&engine, wat(GROWER)).unwrap();
        let mut store = Store::new(&engine, ());
        store.limiter(Budget::new(2 * PAGE, 2, true));
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let g = grower(&store, instance);

        let err = g.grow.call(&mut store, 5).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(
            trap.downcast_ref::<OverBudget>().map(|o| o.0),
            Some(6 * PAGE),
            "{tier:?}"
        );
        let err = g.table_grow.call(&mut store, 2).unwrap_err();
        assert!(
            err.as_trap()
                .unwrap()
                .downcast_ref::<OverBudget>()
                .is_some(),
            "{tier:?}"
        );
        // The store runs on: what the limiter allows still happens.
        assert_eq!(g.grow.call(&mut store, 1).unwrap(), 1, "{tier:?}");
        assert_eq!(g.table_grow.call(&mut store, 1).unwrap(), 1, "{tier:?}");
        assert_eq!(g.size.call(&mut store, ()).unwrap(), 2);
        // Through the API, the trap is the error.
        let mem = instance.get_memory(&store, "mem").unwrap();
        assert!(mem.grow(&mut store, 1).unwrap_err().as_trap().is_some());
        still_works(&engine, &mut store);
    }
}

#[test]
fn a_limiter_refuses_instances_it_does_not_want() {
    for tier in tiers() {
        let engine = engine_on(tier, &Config::default());
        let module = Module::new(&engine, wat(GROWER)).unwrap();
        let linker = Linker::new(&engine);

        let mut store = Store::new(&engine, ());
        store.limiter(Budget::new(0, 10, false));
        let err = linker.instantiate(&mut store, &module).unwrap_err();
        assert_eq!(store_limit(err), (StoreResource::MemoryBytes, PAGE, None));
        let mut store = Store::new(&engine, ());
        store.limiter(Budget::new(PAGE, 0, false));
        let err = linker.instantiate(&mut store, &module).unwrap_err();
        assert_eq!(store_limit(err), (StoreResource::TableElements, 1, None));
        let err = Table::new(
            &mut store,
            TableType::new(RefType::FUNCREF, 1, None),
            Val::FuncRef(None),
        )
        .unwrap_err();
        assert_eq!(store_limit(err).0, StoreResource::TableElements);
        still_works(&engine, &mut store);

        let mut store = Store::new(&engine, ());
        store.limiter(Budget::new(0, 10, true));
        let err = linker.instantiate(&mut store, &module).unwrap_err();
        assert!(
            err.as_trap()
                .unwrap()
                .downcast_ref::<OverBudget>()
                .is_some(),
            "{tier:?}"
        );
        // A limiter set later applies from then on.
        store.limiter(Budget::new(PAGE, 10, false));
        linker.instantiate(&mut store, &module).unwrap();
        still_works(&engine, &mut store);
    }
}

#[test]
fn tables_past_the_element_limit_are_refused_and_do_not_grow_past_it() {
    let mut config = Config::default();
    config.max_table_elements(1_000);
    for tier in tiers() {
        let engine = engine_on(tier, &config);
        let mut store = Store::new(&engine, ());
        // Declared above the limit: instantiation is refused, nothing is allocated.
        let big = Module::new(&engine, wat("(module (table 1001 funcref))")).unwrap();
        let err = Linker::new(&engine)
            .instantiate(&mut store, &big)
            .expect_err("a table above the limit");
        assert!(
            matches!(err, Error::ResourceExhausted(_)),
            "{tier:?}: {err:?}"
        );
        // Growth stops at the limit: table.grow answers -1, the table keeps its size.
        let grows = Module::new(
            &engine,
            wat(r#"(module (table 10 funcref)
                 (func (export "grow") (param i32) (result i32)
                   (table.grow (ref.null func) (local.get 0)))
                 (func (export "size") (result i32) (table.size)))"#),
        )
        .unwrap();
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &grows)
            .unwrap();
        let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
        let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
        assert_eq!(grow.call(&mut store, 991).unwrap(), -1, "{tier:?}");
        assert_eq!(grow.call(&mut store, 990).unwrap(), 10, "{tier:?}");
        assert_eq!(size.call(&mut store, ()).unwrap(), 1_000, "{tier:?}");
        assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "{tier:?}");
        still_works(&engine, &mut store);
    }
}

#[test]
fn a_function_whose_frame_passes_the_slot_limit_is_refused() {
    // 50,000 locals (the most the validator accepts) and an operand stack 15,600 deep:
    // more slots than the tiers' 16-bit slot numbers address (65,535).
    let body = format!(
        "{}{}",
        repeat(15_600, |_| "(i32.const 0)".into()),
        repeat(15_600, |_| "(drop)".into())
    );
    let src = format!(
        "(module (func (local {}) {body}))",
        repeat(50_000, |_| "i32 ".into())
    );
    let err = refused_at_load(ModuleLimits::default(), &wat(&src));
    assert!(
        err.message.contains("frame slots in function 0"),
        "{}",
        err.message
    );
}

/// A module declaring `n` tables (`funcref`, minimum 0), in the binary format.
fn tables(n: usize) -> Vec<u8> {
    let mut section = Vec::new();
    leb(n, &mut section);
    for _ in 0..n {
        section.extend([0x70, 0x00, 0x00]); // funcref, limits: minimum 0, no maximum
    }
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    module.push(4); // table section
    leb(section.len(), &mut module);
    module.extend(section);
    module
}

#[test]
fn more_tables_than_the_tiers_address_are_refused() {
    // The validator allows 100,000 tables; the tiers number them in 16 bits.
    let err = refused_at_load(ModuleLimits::default(), &tables(65_536));
    assert!(err.message.contains("65535 tables"), "{}", err.message);
    loads(ModuleLimits::default(), &tables(65_535));
}
