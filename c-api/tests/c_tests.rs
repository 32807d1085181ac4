//! The C test suite: each `tests/c/*.c` is compiled against the headers and `libwisp.a`
//! (built first by `cargo build -p wisp-c-api`: `cargo test` builds only the rlib) with
//! the host's C compiler (`$CC`, else `cc`), and run in a directory holding its
//! modules (every `tests/c/*.wat`, as `.wasm`). It must print `NAME: ok` and exit 0.
//! Each runs twice: as built, and under AddressSanitizer with leak detection (when the
//! compiler has it: `-fsanitize=address` links), so an invalid access or a leak of the
//! library's or the test's fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Once, OnceLock};

/// Builds `libwisp.a` in this test's profile, once per run.
fn build_library() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--lib", "-p", "wisp-c-api"]);
        if lib_dir().file_name().is_some_and(|p| p == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("cargo runs");
        assert!(status.success(), "cargo build -p wisp-c-api failed");
    });
}

/// The directory `libwisp.a` is built into: this test's `target/<profile>`.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    // target/<profile>/deps/c_tests-HASH
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf()
}

fn c_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c")
}

fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

/// The libraries a Rust static library needs on this host.
const SYSTEM_LIBS: &[&str] = &["-lpthread", "-ldl", "-lm", "-lrt", "-lutil"];

fn compile(source: &Path, out: &Path, extra: &[&str]) -> Result<(), String> {
    build_library();
    let lib = lib_dir().join("libwisp.a");
    assert!(lib.exists(), "{} is not built", lib.display());
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let output = Command::new(compiler())
        .args(["-std=c11", "-g", "-Wall", "-Wextra", "-Werror"])
        .args(extra)
        .arg("-I")
        .arg(&include)
        .arg(source)
        .arg(&lib)
        .args(SYSTEM_LIBS)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run the C compiler {}: {e}", compiler()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A scratch directory with the tests' modules in it.
fn workdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wisp-c-tests-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(c_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wat") {
            let binary =
                wat::parse_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            std::fs::write(
                dir.join(path.with_extension("wasm").file_name().unwrap()),
                binary,
            )
            .unwrap();
        }
    }
    dir
}

fn run(name: &str, sanitize: bool) {
    let tag = if sanitize { "asan" } else { "plain" };
    let dir = workdir(&format!("{name}-{tag}"));
    let exe = dir.join(name);
    let flags: &[&str] = if sanitize {
        &["-fsanitize=address", "-fno-omit-frame-pointer"]
    } else {
        &[]
    };
    compile(&c_dir().join(format!("{name}.c")), &exe, flags)
        .unwrap_or_else(|e| panic!("{name}.c ({tag}) does not build:\n{e}"));
    let output = Command::new(&exe)
        .current_dir(&dir)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=23",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(&format!("{name}: ok")),
        "{name} ({tag}) failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Whether the compiler links AddressSanitizer programs: probed once per run (the tests
/// run in parallel, and one probe directory serves them all).
fn has_asan() -> bool {
    static PROBE: OnceLock<bool> = OnceLock::new();
    *PROBE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("wisp-c-asan-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("probe.c");
        std::fs::write(&source, "int main(void) { return 0; }\n").unwrap();
        let ok = Command::new(compiler())
            .args(["-fsanitize=address", "-o"])
            .arg(dir.join("probe"))
            .arg(&source)
            .output()
            .is_ok_and(|o| o.status.success());
        std::fs::remove_dir_all(&dir).ok();
        ok
    })
}

/// Runs test program `name` under AddressSanitizer, or says it was left out when the
/// compiler cannot (CI's can: .ci/run).
fn run_sanitized(name: &str) {
    if has_asan() {
        run(name, true);
    } else {
        eprintln!(
            "skipped: {} cannot link -fsanitize=address programs",
            compiler()
        );
    }
}

#[test]
fn api() {
    run("api", false);
}

#[test]
fn api_under_address_sanitizer() {
    run_sanitized("api");
}

#[test]
fn wasi() {
    run("wasi", false);
}

#[test]
fn wasi_under_address_sanitizer() {
    run_sanitized("wasi");
}

/// The examples a C user starts from (`examples/*.c`, which `make -C c-api/examples`
/// builds): each checks its own results and exits 0.
#[test]
fn examples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let scratch = workdir("examples");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let source = entry.unwrap().path();
        if source.extension().is_none_or(|e| e != "c") {
            continue;
        }
        let name = source.file_stem().unwrap().to_string_lossy().into_owned();
        let exe = scratch.join(&name);
        compile(&source, &exe, &[])
            .unwrap_or_else(|e| panic!("example {name} does not build:\n{e}"));
        let output = Command::new(&exe).current_dir(&scratch).output().unwrap();
        assert!(
            output.status.success(),
            "example {name} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        count += 1;
    }
    assert_eq!(count, 7, "the examples listed in examples/Makefile");
    std::fs::remove_dir_all(&scratch).ok();
}

#[test]
fn null_arguments() {
    run("null", false);
}

#[test]
fn null_arguments_under_address_sanitizer() {
    run_sanitized("null");
}
