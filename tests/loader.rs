//! The loader's contract: whatever the bytes, a typed error or a module — never a panic,
//! and errors say where. Mutated modules that do load are instantiated and run with fuel.

use wisp::{Config, Engine, Error, Linker, Module, Store, Val};

const SEED_MODULES: &[&str] = &[
    r#"(module
        (type $t (func (param i32) (result i32)))
        (import "env" "f" (func $f (type $t)))
        (memory (export "mem") 1 2)
        (table 4 funcref)
        (global $g (mut i64) (i64.const 7))
        (elem (i32.const 0) $a $b)
        (data (i32.const 16) "abcdef")
        (func $a (export "a") (param i32) (result i32)
          (block (result i32)
            (loop (br_if 1 (local.get 0) (i32.eqz (local.get 0)))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0))
            (i32.const -1)))
        (func $b (export "b") (param i32) (result i32)
          (call_indirect (type $t) (local.get 0) (i32.and (local.get 0) (i32.const 1))))
        (func (export "c") (param f64) (result f64) (f64.sqrt (f64.mul (local.get 0) (local.get 0))))
        (func (export "d") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
        (func (export "e") (param i32) (result i32)
          (block (block (block (br_table 0 1 2 (local.get 0)))
              (return (i32.const 10)))
            (return (i32.const 11)))
          (i32.const 12)))"#,
    r#"(module
        (func $fac (export "fac") (param i64) (result i64)
          (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
            (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
        (func (export "multi") (param i32) (result i32 i64 f32)
          (local.get 0) (i64.extend_i32_s (local.get 0)) (f32.convert_i32_s (local.get 0)))
        (start $s) (func $s))"#,
];

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        match rng.below(5) {
            0 => {
                let i = rng.below(bytes.len());
                bytes[i] = rng.next() as u8;
            }
            1 => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            2 => {
                let i = rng.below(bytes.len() + 1);
                bytes.insert(i, rng.next() as u8);
            }
            3 if bytes.len() > 8 => {
                let i = rng.below(bytes.len());
                bytes.remove(i);
            }
            _ => {
                let i = 8 + rng.below(bytes.len().saturating_sub(8));
                bytes.truncate(i);
            }
        }
    }
}

/// Instantiates (host imports return their first argument or zero) and calls every
/// export with zero arguments, all under fuel so that nothing runs forever.
fn exercise(engine: &Engine, module: &Module) {
    let mut store = Store::new(engine, ());
    store.set_fuel(100_000).unwrap();
    let mut linker = Linker::new(engine);
    for (m, n, ty) in module.imports() {
        if let wisp::ExternType::Func(ft) = ty {
            let ft2 = ft.clone();
            let _ = linker.func_new(m, n, ft, move |_, _, results| {
                for (r, t) in results.iter_mut().zip(ft2.results()) {
                    *r = Val::default_for(*t);
                }
                Ok(())
            });
        }
    }
    let Ok(instance) = linker.instantiate(&mut store, module) else {
        return;
    };
    for (name, ext) in instance.exports(&store).unwrap() {
        if let wisp::Extern::Func(f) = ext {
            let ty = f.ty(&store).unwrap();
            let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            let _ = f.call(&mut store, &params, &mut results);
            let _ = name;
        }
    }
}

#[test]
fn mutated_modules_never_panic() {
    let mut config = Config::default();
    config.consume_fuel(true).max_memory_bytes(1 << 24);
    let engine = Engine::new(&config);
    let mut rng = Rng(0x005E_ED0F_0151_u64);
    let (mut loaded, mut rejected) = (0, 0);
    for seed in SEED_MODULES {
        let original = wat::parse_str(seed).unwrap();
        exercise(&engine, &Module::new(&engine, &original).unwrap());
        for _ in 0..3_000 {
            let mut bytes = original.clone();
            mutate(&mut rng, &mut bytes);
            match Module::new(&engine, &bytes) {
                Ok(module) => {
                    loaded += 1;
                    exercise(&engine, &module);
                }
                Err(Error::Module(e)) | Err(Error::Unsupported(e)) | Err(Error::Limit(e)) => {
                    rejected += 1;
                    assert!(
                        e.offset as usize <= bytes.len() + 16,
                        "offset {} for {} bytes",
                        e.offset,
                        bytes.len()
                    );
                }
                Err(other) => panic!("unexpected error kind: {other}"),
            }
        }
    }
    assert!(
        loaded > 100 && rejected > 1_000,
        "loaded {loaded}, rejected {rejected}"
    );
}

#[test]
fn random_bytes_are_rejected_with_an_offset() {
    let engine = Engine::default();
    let mut rng = Rng(42);
    for len in 0..2_000 {
        // Half the inputs get a valid header so the section decoders see garbage too.
        let mut bytes: Vec<u8> = (0..9 + len % 97).map(|_| rng.next() as u8).collect();
        if len % 2 == 0 {
            bytes[..8].copy_from_slice(b"\0asm\x01\0\0\0");
        }
        match Module::new(&engine, &bytes) {
            Err(Error::Module(e)) => assert!(e.offset as usize <= bytes.len(), "{e}"),
            Err(other) => panic!("unexpected error kind: {other}"),
            // Garbage can spell a valid module, e.g. a lone custom section.
            Ok(_) => {}
        }
    }
    let err = Module::new(&engine, b"\0asm\x01\0\0\0\x01\x05\x01\x60").unwrap_err();
    match err {
        Error::Module(e) => assert!(e.offset >= 8, "{e}"),
        other => panic!("{other}"),
    }
}
