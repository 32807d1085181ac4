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

/// wisp's own loader (its validator and decoder, `Config::own_validator`: what firmware
/// runs) accepts and refuses what wasmparser's does: on mutants of the seed modules, and
/// on hand-made modules that reach the corners of its readers. A module it refuses as
/// outside the firmware profile is not compared. (The `validate_own` fuzz target does the
/// same on generated modules, for as long as it is run.)
#[test]
fn the_own_loader_accepts_and_refuses_what_wasmparser_does() {
    let engine = |own: bool| {
        let mut config = Config::default();
        config.own_validator(own);
        Engine::with_tier(&config, wisp::Tier::Interp).unwrap()
    };
    let (ours, theirs) = (engine(true), engine(false));
    let (mut compared, mut outside_profile) = (0, 0);
    let mut compare = |bytes: &[u8], what: &str| match (
        Module::validate(&ours, bytes),
        Module::validate(&theirs, bytes),
    ) {
        (Err(Error::Unsupported(e)), _)
            if e.code()
                .is_some_and(wisp::validate::Why::is_outside_profile) =>
        {
            outside_profile += 1
        }
        (Ok(()), Ok(())) | (Err(_), Err(_)) => compared += 1,
        (ours, theirs) => panic!("{what}: wisp's loader says {ours:?}, wasmparser's {theirs:?}"),
    };
    // Corners: each a module that one of the own readers must refuse or accept.
    let header = b"\0asm\x01\0\0\0";
    let corners: &[(&str, &[u8])] = &[
        (
            "an element count beyond the section",
            b"\x09\x04\x01\x01\x00\x7f",
        ),
        ("element kind 1", b"\x09\x04\x01\x01\x01\x00"),
        ("element flags 8", b"\x09\x03\x01\x08\x00"),
        ("data flags 3", b"\x0b\x03\x01\x03\x00"),
        (
            "a passive data segment cut short",
            b"\x0b\x04\x01\x01\x05\x61",
        ),
        ("memory flags 0x10", b"\x05\x03\x01\x10\x01"),
        ("a page size of 2^64", b"\x05\x04\x01\x08\x01\x40"),
        ("a page size of 1", b"\x05\x04\x01\x08\x01\x00"),
        ("a global's flags 4", b"\x06\x06\x01\x7f\x04\x41\x00\x0b"),
        ("a global without its end", b"\x06\x05\x01\x7f\x00\x41\x00"),
        ("a table's flags 8", b"\x04\x04\x01\x70\x08\x00"),
        (
            "a table initialiser without its 0x00",
            b"\x04\x08\x01\x40\x01\x70\x00\x01\xd2\x00",
        ),
        (
            "an import name that is not UTF-8",
            b"\x02\x07\x01\x01\xff\x01a\x02\x00\x00",
        ),
        (
            "an empty import name before 0x7f",
            b"\x02\x06\x01\x01m\x00\x7f\x00",
        ),
        ("an import of kind 5", b"\x02\x06\x01\x01m\x01a\x05"),
        ("an export of kind 9", b"\x07\x05\x01\x01e\x09\x00"),
        ("a type of 0x61", b"\x01\x04\x01\x61\x00\x00"),
        ("a section with a byte left over", b"\x03\x02\x00\x00"),
        (
            "an overlong function count",
            b"\x03\x06\x80\x80\x80\x80\x00\x00",
        ),
        // The framing's corners (`wisp_core::framing`).
        ("a section size past the end", b"\x01\x05\x01\x60\x00\x00"),
        (
            "a section size in six bytes",
            b"\x00\x81\x80\x80\x80\x80\x00\x00",
        ),
        ("section id 14", b"\x0e\x00"),
        (
            "a custom section name that is not UTF-8",
            b"\x00\x03\x01\xff\x00",
        ),
        (
            "a body past its section's end",
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x04\x01\x03\x00\x0b\x00\x01\x00",
        ),
        (
            "a byte after the last body",
            b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x05\x01\x02\x00\x0b\x00",
        ),
    ];
    for (what, section) in corners {
        compare(&[&header[..], section].concat(), what);
    }
    // Headers that are not a core module's: another magic number, version or layer.
    for bytes in [
        &b"\0asn\x01\0\0\0"[..],
        b"\0asm\x02\0\0\0",
        b"\0asm\x0d\0\x01\0",
        b"\0asm",
    ] {
        compare(bytes, "a header");
    }
    let mut rng = Rng(0x0_0C0D_E0F0);
    for seed in SEED_MODULES {
        let original = wat::parse_str(seed).unwrap();
        compare(&original, "a seed module");
        for _ in 0..2_000 {
            let mut bytes = original.clone();
            mutate(&mut rng, &mut bytes);
            compare(&bytes, "a mutant");
        }
    }
    assert!(
        compared > 3_500,
        "compared {compared}, outside the profile {outside_profile}"
    );
}

/// The own validator's verdict is a code with an offset: matched without reading words,
/// and refusing a module builds no message (`Message::Code`). wasmparser's has words only.
#[test]
fn the_own_validators_errors_are_codes() {
    use wisp::validate::Why;
    use wisp::Message;
    let engine = |own| {
        let mut config = Config::default();
        config.own_validator(own);
        Engine::with_tier(&config, wisp::Tier::Interp).unwrap()
    };
    // The body `i64.const 0; end` for a function returning i32: a type mismatch at `end`.
    let bytes = wat::parse_str("(module (func (result i32) i64.const 0))").unwrap();
    let Err(Error::Module(own)) = Module::validate(&engine(true), &bytes) else {
        panic!("the own validator accepts a mistyped body");
    };
    assert_eq!(own.code(), Some(Why::TypeMismatch));
    assert_eq!(own.message, Message::Code(Why::TypeMismatch));
    assert!(own.message.starts_with("type mismatch"), "{own}");
    let end = bytes.len() as u64 - 1;
    assert_eq!(own.offset, end, "{own}");
    assert_eq!(
        own.to_string(),
        format!("type mismatch (at offset {end:#x})")
    );

    // With the `own-validator` feature wasmparser's validator is not built: every engine
    // validates with wisp's.
    if cfg!(feature = "own-validator") {
        return;
    }
    let Err(Error::Module(theirs)) = Module::validate(&engine(false), &bytes) else {
        panic!("wasmparser accepts a mistyped body");
    };
    assert_eq!(theirs.code(), None);
    assert!(matches!(theirs.message, Message::Text(_)));
    assert!(theirs.message.contains("type mismatch"), "{theirs}");
}

/// A module outside the firmware profile is refused as `Unsupported`, with a code that
/// names the proposal it uses (issue 21), at the byte where the own loader met it.
#[test]
fn outside_the_profile_the_refusal_names_the_proposal() {
    use wisp::validate::Why;
    let mut config = Config::default();
    config.own_validator(true);
    let engine = Engine::with_tier(&config, wisp::Tier::Interp).unwrap();
    let cases: &[(&str, Why)] = &[
        ("(module (func (param v128)))", Why::Simd),
        (
            "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i64x2 0 0))))",
            Why::Simd,
        ),
        (
            "(module (memory 1) (func (result i32) (i32.atomic.load (i32.const 0))))",
            Why::Threads,
        ),
        ("(module (memory 1 1 shared))", Why::Threads),
        ("(module (tag))", Why::ExceptionHandling),
        (
            "(module (func (block $b (try_table (catch_all $b)))))",
            Why::ExceptionHandling,
        ),
        ("(module (func (param exnref)))", Why::ExceptionHandling),
        (
            "(module (type $t (func)) (func (param (ref $t)) (call_ref $t (local.get 0))))",
            Why::FunctionReferences,
        ),
        ("(module (type (struct (field i32))))", Why::Gc),
        ("(module (func (param anyref)))", Why::Gc),
        ("(module (memory i64 1))", Why::Memory64),
        ("(module (table i64 1 funcref))", Why::Memory64),
        (
            "(module (func (param i64 i64 i64 i64) (result i64 i64)
               (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))",
            Why::WideArithmetic,
        ),
    ];
    for &(text, why) in cases {
        let bytes = wat::parse_str(text).unwrap();
        match Module::validate(&engine, &bytes) {
            Err(Error::Unsupported(e)) => {
                assert_eq!(e.code(), Some(why), "{text}: {e}");
                assert!(why.is_outside_profile());
                assert!(e.offset > 0 && e.offset < bytes.len() as u64, "{text}: {e}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // The rules that are not about proposals are not taken for them.
    assert!(!Why::TypeMismatch.is_outside_profile());
    assert!(!Why::UnexpectedEnd.is_outside_profile());
}
