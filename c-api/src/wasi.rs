//! wasi.h: WASI preview 1 for C hosts: a configuration, the store's context, and a
//! module's WASI imports resolved against it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{c_char, CStr};

use wisp::wasi::{self, Errno, InputBuffer, Stream, WasiCtx, WasiCtxBuilder, WasiResult, WasiView};
use wisp::{Linker, Module};

use crate::error::refuse;
use crate::object::{wasm_extern_vec_t, wasm_module_t, wasm_ref_t, wasm_trap_t, What};
use crate::runtime::{wasm_store_t, StoreData};
use crate::vec::{take, wasm_byte_vec_t, write_out, Vector};

/// What a WASI context is built from.
pub struct wasi_config_t {
    builder: WasiCtxBuilder,
    args: Vec<Vec<u8>>,
}

impl WasiView for StoreData {
    fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }
}

/// A C string's bytes (none for null).
///
/// # Safety
/// `s` is null or a NUL-terminated string.
unsafe fn bytes<'a>(s: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: the contract.
    (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) }.to_bytes())
}

/// The strings of a C array of `n` of them, or `None` if one is null.
///
/// # Safety
/// `list` is null (with `n` 0) or holds `n` strings that are null or NUL-terminated.
unsafe fn strings<'a>(list: *const *const c_char, n: usize) -> Option<Vec<&'a [u8]>> {
    if n == 0 {
        return Some(Vec::new());
    }
    if list.is_null() {
        return None;
    }
    // SAFETY: the contract.
    unsafe { core::slice::from_raw_parts(list, n) }
        .iter()
        .map(|&s| unsafe { bytes(s) })
        .collect()
}

fn config<'a>(c: *mut wasi_config_t) -> Option<&'a mut wasi_config_t> {
    // SAFETY: null or a live configuration (the header's contract).
    unsafe { c.as_mut() }
}

/// A host path from C: UTF-8 on every host this library builds for.
unsafe fn path<'a>(p: *const c_char) -> Option<&'a str> {
    // SAFETY: the contract.
    unsafe { bytes(p) }.and_then(|b| core::str::from_utf8(b).ok())
}

#[no_mangle]
pub extern "C" fn wasi_config_new() -> *mut wasi_config_t {
    Box::into_raw(Box::new(wasi_config_t {
        builder: WasiCtx::builder(),
        args: Vec::new(),
    }))
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_delete(c: *mut wasi_config_t) {
    if !c.is_null() {
        // SAFETY: owned, from this library.
        drop(unsafe { Box::from_raw(c) });
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_set_argv(
    c: *mut wasi_config_t,
    argc: usize,
    argv: *const *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    let (Some(c), Some(args)) = (config(c), unsafe { strings(argv, argc) }) else {
        return refuse("wasi_config_set_argv: a null configuration or argument");
    };
    c.args = args.into_iter().map(<[u8]>::to_vec).collect();
    true
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_inherit_argv(c: *mut wasi_config_t) {
    if let Some(c) = config(c) {
        c.args = std::env::args_os()
            .map(|a| a.into_encoded_bytes())
            .collect();
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_set_env(
    c: *mut wasi_config_t,
    count: usize,
    names: *const *const c_char,
    values: *const *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    let (Some(c), Some(names), Some(values)) =
        (config(c), unsafe { strings(names, count) }, unsafe {
            strings(values, count)
        })
    else {
        return refuse("wasi_config_set_env: a null configuration, name or value");
    };
    if names.iter().any(|n| n.is_empty() || n.contains(&b'=')) {
        return refuse("wasi_config_set_env: a name is empty or holds '='");
    }
    for (name, value) in names.into_iter().zip(values) {
        c.builder.env(name, value);
    }
    true
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_inherit_env(c: *mut wasi_config_t) {
    if let Some(c) = config(c) {
        c.builder.inherit_env();
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_set_stdin_file(
    c: *mut wasi_config_t,
    file: *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    let (Some(c), Some(file)) = (config(c), unsafe { path(file) }) else {
        return refuse("wasi_config_set_stdin_file: a null configuration or path");
    };
    match std::fs::read(file) {
        Ok(contents) => {
            c.builder.stdin(InputBuffer::new(contents));
            true
        }
        Err(e) => refuse(alloc::format!("wasi_config_set_stdin_file: {file}: {e}")),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_set_stdin_bytes(
    c: *mut wasi_config_t,
    data: *mut wasm_byte_vec_t,
) {
    // SAFETY: an owned vector (the header's contract).
    let data = unsafe { take(data) };
    if let Some(c) = config(c) {
        // SAFETY: a vector of this library's.
        c.builder
            .stdin(InputBuffer::new(unsafe { data.as_slice() }.to_vec()));
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_inherit_stdin(c: *mut wasi_config_t) {
    if let Some(c) = config(c) {
        c.builder.inherit_stdin();
    }
}

/// Output to a host file.
struct FileStream(std::fs::File);

impl Stream for FileStream {
    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        use std::io::Write;
        let slices: Vec<std::io::IoSlice<'_>> =
            bufs.iter().map(|b| std::io::IoSlice::new(b)).collect();
        self.0.write_vectored(&slices).map_err(|_| Errno::Io)
    }
}

/// Sets standard output (`err` false) or error to a new file at `file`.
unsafe fn output_file(c: *mut wasi_config_t, file: *const c_char, err: bool) -> bool {
    // SAFETY: the header's contract.
    let (Some(c), Some(file)) = (config(c), unsafe { path(file) }) else {
        return refuse("wasi_config_set_stdout_file: a null configuration or path");
    };
    match std::fs::File::create(file) {
        Ok(f) if err => {
            c.builder.stderr(FileStream(f));
            true
        }
        Ok(f) => {
            c.builder.stdout(FileStream(f));
            true
        }
        Err(e) => refuse(alloc::format!("{file}: {e}")),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_set_stdout_file(
    c: *mut wasi_config_t,
    file: *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    unsafe { output_file(c, file, false) }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_set_stderr_file(
    c: *mut wasi_config_t,
    file: *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    unsafe { output_file(c, file, true) }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_inherit_stdout(c: *mut wasi_config_t) {
    if let Some(c) = config(c) {
        c.builder.inherit_stdout();
    }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_inherit_stderr(c: *mut wasi_config_t) {
    if let Some(c) = config(c) {
        c.builder.inherit_stderr();
    }
}

unsafe fn preopen(
    c: *mut wasi_config_t,
    host: *const c_char,
    guest: *const c_char,
    read_only: bool,
) -> bool {
    // SAFETY: the header's contract.
    let (Some(c), Some(host), Some(guest)) =
        (config(c), unsafe { path(host) }, unsafe { path(guest) })
    else {
        return refuse("wasi_config_preopen_dir: a null configuration or path");
    };
    let guest = String::from(guest);
    let result = if read_only {
        c.builder.preopen_dir_read_only(host, guest).map(|_| ())
    } else {
        c.builder.preopen_dir(host, guest).map(|_| ())
    };
    result.map_or_else(|e| refuse(alloc::format!("{e}")), |()| true)
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_preopen_dir(
    c: *mut wasi_config_t,
    host: *const c_char,
    guest: *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    unsafe { preopen(c, host, guest, false) }
}

#[no_mangle]
pub unsafe extern "C" fn wasi_config_preopen_dir_read_only(
    c: *mut wasi_config_t,
    host: *const c_char,
    guest: *const c_char,
) -> bool {
    // SAFETY: the header's contract.
    unsafe { preopen(c, host, guest, true) }
}

#[no_mangle]
pub unsafe extern "C" fn wisp_store_set_wasi(
    store: *mut wasm_store_t,
    c: *mut wasi_config_t,
) -> bool {
    if c.is_null() {
        return refuse("wisp_store_set_wasi: the configuration is null");
    }
    // SAFETY: owned, from this library.
    let mut c = unsafe { Box::from_raw(c) };
    // SAFETY: null or a live store.
    let Some(s) = (unsafe { store.as_mut() }) else {
        return refuse("wisp_store_set_wasi: the store is null");
    };
    let args = core::mem::take(&mut c.args);
    match c.builder.args(args).build() {
        Ok(ctx) => {
            s.store.data_mut().wasi = ctx;
            true
        }
        Err(e) => refuse(alloc::format!("{e}")),
    }
}

#[no_mangle]
pub unsafe extern "C" fn wisp_wasi_imports(
    store: *mut wasm_store_t,
    module: *const wasm_module_t,
    out: *mut wasm_extern_vec_t,
) {
    // SAFETY: null or live objects.
    let found = match (
        unsafe { store.as_mut() },
        unsafe { module.as_ref() }.map(|m| &m.what),
    ) {
        (Some(s), Some(What::Module(m))) => Some((s, m)),
        _ => None,
    };
    let items = match found {
        Some((s, module)) => imports(store, s, module),
        None => {
            crate::error::set_error(
                "wisp_wasi_imports: the store is null or the module is not one",
            );
            Vec::new()
        }
    };
    // SAFETY: an out-parameter.
    unsafe { write_out(out, Vector::from_vec(items)) };
}

fn imports(
    store: *mut wasm_store_t,
    s: &mut wasm_store_t,
    module: &Module,
) -> Vec<*mut wasm_ref_t> {
    let mut linker = Linker::new(s.store.engine());
    if let Err(e) = wasi::add_to_linker(&mut linker) {
        crate::error::set_error(e);
        return Vec::new();
    }
    let wanted: Vec<(String, String)> = module
        .imports()
        .map(|(m, n, _)| (m.into(), n.into()))
        .collect();
    wanted
        .iter()
        .map(|(m, n)| {
            match (m == wasi::MODULE)
                .then(|| linker.get(&mut s.store, m, n))
                .flatten()
            {
                Some(wisp::Extern::Func(f)) => wasm_ref_t::new(store, What::Func(f)).boxed(),
                _ => core::ptr::null_mut(),
            }
        })
        .collect()
}

#[no_mangle]
pub unsafe extern "C" fn wisp_trap_exit_status(t: *const wasm_trap_t, status: *mut i32) -> bool {
    // SAFETY: null or a live trap.
    match unsafe { t.as_ref() }.map(|t| &t.what) {
        Some(What::Trap(data)) => match data.exit {
            Some(code) => {
                // SAFETY: an out-parameter.
                unsafe { write_out(status, code) };
                true
            }
            None => false,
        },
        _ => false,
    }
}
