//! Test harness: a guest module that imports every preview1 function and exports a
//! wasm wrapper for each (`w_<name>`), so tests call WASI the way a guest does — from
//! wasm, with pointers of their choosing into the guest's memory.
//!
//! Shared by wisp-wasi's tests (`wasi-lite/tests/`) and the fuzz target `wasi_paths`.

pub mod steps;
pub mod tree;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

// wisp-core and the interpreter rather than the facade: the facade's CLI depends on this
// crate (`peak`), and a package cannot depend on itself through a normal dependency.
use wisp_core::{Config, Engine, Error, Instance, Linker, Memory, Module, Store, Tier, Val};
use wisp_wasi::WasiCtx;

/// Every preview1 function with its core wasm parameters (`i` i32, `I` i64); all return
/// an i32 errno except `proc_exit`.
pub const SIGNATURES: &[(&str, &str)] = &[
    ("args_get", "ii"),
    ("args_sizes_get", "ii"),
    ("environ_get", "ii"),
    ("environ_sizes_get", "ii"),
    ("clock_res_get", "ii"),
    ("clock_time_get", "iIi"),
    ("random_get", "ii"),
    ("fd_advise", "iIIi"),
    ("fd_allocate", "iII"),
    ("fd_close", "i"),
    ("fd_datasync", "i"),
    ("fd_fdstat_get", "ii"),
    ("fd_fdstat_set_flags", "ii"),
    ("fd_fdstat_set_rights", "iII"),
    ("fd_filestat_get", "ii"),
    ("fd_filestat_set_size", "iI"),
    ("fd_filestat_set_times", "iIIi"),
    ("fd_pread", "iiiIi"),
    ("fd_prestat_get", "ii"),
    ("fd_prestat_dir_name", "iii"),
    ("fd_pwrite", "iiiIi"),
    ("fd_read", "iiii"),
    ("fd_readdir", "iiiIi"),
    ("fd_renumber", "ii"),
    ("fd_seek", "iIii"),
    ("fd_sync", "i"),
    ("fd_tell", "ii"),
    ("fd_write", "iiii"),
    ("path_create_directory", "iii"),
    ("path_filestat_get", "iiiii"),
    ("path_filestat_set_times", "iiiiIIi"),
    ("path_link", "iiiiiii"),
    ("path_open", "iiiiiIIii"),
    ("path_readlink", "iiiiii"),
    ("path_remove_directory", "iii"),
    ("path_rename", "iiiiii"),
    ("path_symlink", "iiiii"),
    ("path_unlink_file", "iii"),
    ("poll_oneoff", "iiii"),
    ("proc_exit", "i"),
    ("proc_raise", "i"),
    ("sched_yield", ""),
    ("sock_accept", "iii"),
    ("sock_recv", "iiiiii"),
    ("sock_send", "iiiii"),
    ("sock_shutdown", "ii"),
];

/// Guest memory size: 16 pages, room for iovec arrays whose lengths sum past 4 GiB.
pub const PAGES: u32 = 16;
pub const MEM_SIZE: u32 = PAGES * 65536;

// Scratch layout the helpers use: small out-values, then strings, then data.
pub const OUT: u32 = 0x100;
pub const OUT2: u32 = 0x108;
pub const IOV: u32 = 0x200;
pub const PATH: u32 = 0x400;
pub const PATH2: u32 = 0x800;
pub const BUF: u32 = 0x1000;

// preview1 constants the tests use.
pub const ESUCCESS: i32 = 0;
pub const EBADF: i32 = 8;
pub const EEXIST: i32 = 20;
pub const EFAULT: i32 = 21;
pub const EILSEQ: i32 = 25;
pub const EINVAL: i32 = 28;
pub const EISDIR: i32 = 31;
pub const ELOOP: i32 = 32;
pub const ENAMETOOLONG: i32 = 37;
pub const ENOENT: i32 = 44;
pub const ENOSYS: i32 = 52;
pub const ENOTDIR: i32 = 54;
pub const ENOTEMPTY: i32 = 55;
pub const ENOTSOCK: i32 = 57;
pub const ENOTSUP: i32 = 58;
pub const EPERM: i32 = 63;
pub const EROFS: i32 = 69;
pub const ESPIPE: i32 = 70;
pub const ENOTCAPABLE: i32 = 76;

pub const O_CREAT: i32 = 1;
pub const O_DIRECTORY: i32 = 2;
pub const O_EXCL: i32 = 4;
pub const O_TRUNC: i32 = 8;
pub const FOLLOW: i32 = 1;
pub const FDFLAG_APPEND: i32 = 1;

pub const RIGHT_FD_READ: i64 = 1 << 1;
pub const RIGHT_FD_WRITE: i64 = 1 << 6;
/// Every right, as wasi-libc asks for when opening read-write.
pub const ALL_RIGHTS: i64 = (1 << 30) - 1;
/// What wasi-libc asks for `O_RDONLY`: everything but the write-side rights.
pub const READ_RIGHTS: i64 = ALL_RIGHTS & !((1 << 0) | (1 << 6) | (1 << 8) | (1 << 22));

pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR: u8 = 4;
pub const FILETYPE_SYMLINK: u8 = 7;

/// The guest module's text: imports, memory, and a wrapper per import.
fn module_text() -> String {
    let mut imports = String::new();
    let mut wrappers = String::new();
    for (name, params) in SIGNATURES {
        let types: Vec<&str> = params
            .chars()
            .map(|c| if c == 'i' { "i32" } else { "i64" })
            .collect();
        let result = if *name == "proc_exit" {
            ""
        } else {
            "(result i32)"
        };
        let param_list = if types.is_empty() {
            String::new()
        } else {
            format!("(param {})", types.join(" "))
        };
        imports.push_str(&format!(
            "(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} {param_list} {result}))\n"
        ));
        let gets: String = (0..types.len())
            .map(|i| format!("(local.get {i})"))
            .collect();
        wrappers.push_str(&format!(
            "(func (export \"w_{name}\") {param_list} {result} (call ${name} {gets}))\n"
        ));
    }
    format!("(module\n{imports}(memory (export \"memory\") {PAGES})\n{wrappers})")
}

/// The guest module on the interpreter: WASI's behaviour is the host's, the same whichever
/// tier calls it, and the interpreter starts at once.
fn shared(config: &Config) -> (Engine, Module) {
    let mut config = config.clone();
    config.tier(Tier::Interp);
    let engine = Engine::with_executor(config, Arc::new(wisp_interp::Interpreter::new()));
    let wasm = wat::parse_str(module_text()).unwrap();
    let module = Module::new(&engine, wasm).unwrap();
    (engine, module)
}

/// A guest instance with WASI linked in.
pub struct Guest {
    pub store: Store<WasiCtx>,
    pub instance: Instance,
    pub memory: Memory,
}

impl Guest {
    pub fn new(ctx: WasiCtx) -> Guest {
        // One engine and module for every guest of the process: tests and fuzz inputs
        // make many.
        static SHARED: std::sync::OnceLock<(Engine, Module)> = std::sync::OnceLock::new();
        let (engine, module) = SHARED.get_or_init(|| shared(&Config::default()));
        Guest::with(engine, module, ctx)
    }

    /// A guest on an engine with `Config::interruptible`, so the store's
    /// `InterruptHandle` reaches it.
    pub fn interruptible(ctx: WasiCtx) -> Guest {
        static SHARED: std::sync::OnceLock<(Engine, Module)> = std::sync::OnceLock::new();
        let (engine, module) = SHARED.get_or_init(|| {
            let mut config = Config::default();
            config.interruptible(true);
            shared(&config)
        });
        Guest::with(engine, module, ctx)
    }

    fn with(engine: &Engine, module: &Module, ctx: WasiCtx) -> Guest {
        let mut linker = Linker::new(engine);
        wisp_wasi::add_to_linker(&mut linker).unwrap();
        let mut store = Store::new(engine, ctx);
        let instance = linker.instantiate(&mut store, module).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        Guest {
            store,
            instance,
            memory,
        }
    }

    /// Calls `name` from wasm; a trap is an error.
    pub fn try_call(&mut self, name: &str, args: &[i64]) -> Result<Option<i32>, Error> {
        let params = SIGNATURES
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no function {name}"))
            .1;
        assert_eq!(
            params.len(),
            args.len(),
            "{name} takes {} arguments",
            params.len()
        );
        let vals: Vec<Val> = params
            .chars()
            .zip(args)
            .map(|(t, a)| {
                if t == 'i' {
                    Val::I32(*a as i32)
                } else {
                    Val::I64(*a)
                }
            })
            .collect();
        let func = self
            .instance
            .get_func(&self.store, &format!("w_{name}"))
            .unwrap();
        let mut results = if name == "proc_exit" {
            vec![]
        } else {
            vec![Val::I32(0)]
        };
        func.call(&mut self.store, &vals, &mut results)?;
        Ok(results.first().map(|v| match v {
            Val::I32(x) => *x,
            other => panic!("unexpected result {other:?}"),
        }))
    }

    /// Calls `name` and returns its errno; a trap fails the test.
    pub fn call(&mut self, name: &str, args: &[i64]) -> i32 {
        match self.try_call(name, args) {
            Ok(Some(errno)) => errno,
            Ok(None) => panic!("{name} returned nothing"),
            Err(e) => panic!("{name} trapped: {e}"),
        }
    }

    pub fn write(&mut self, at: u32, bytes: &[u8]) {
        self.memory
            .write(&mut self.store, at as usize, bytes)
            .unwrap();
    }

    pub fn read(&self, at: u32, len: u32) -> Vec<u8> {
        let mut out = vec![0u8; len as usize];
        self.memory
            .read(&self.store, at as usize, &mut out)
            .unwrap();
        out
    }

    pub fn u32(&self, at: u32) -> u32 {
        u32::from_le_bytes(self.read(at, 4).try_into().unwrap())
    }

    pub fn u64(&self, at: u32) -> u64 {
        u64::from_le_bytes(self.read(at, 8).try_into().unwrap())
    }

    /// Writes an iovec array at `IOV` naming (ptr, len) buffers.
    pub fn iovecs(&mut self, bufs: &[(u32, u32)]) -> (i64, i64) {
        let mut bytes = Vec::new();
        for (p, l) in bufs {
            bytes.extend_from_slice(&p.to_le_bytes());
            bytes.extend_from_slice(&l.to_le_bytes());
        }
        self.write(IOV, &bytes);
        (IOV as i64, bufs.len() as i64)
    }

    /// `path_open` with the path placed at `PATH`; the new descriptor or the errno.
    pub fn open(
        &mut self,
        dirfd: u32,
        dirflags: i32,
        path: &str,
        oflags: i32,
        rights: i64,
        fdflags: i32,
    ) -> Result<u32, i32> {
        self.write(PATH, path.as_bytes());
        let errno = self.call(
            "path_open",
            &[
                dirfd as i64,
                dirflags as i64,
                PATH as i64,
                path.len() as i64,
                oflags as i64,
                rights,
                rights,
                fdflags as i64,
                OUT as i64,
            ],
        );
        if errno == 0 {
            Ok(self.u32(OUT))
        } else {
            Err(errno)
        }
    }

    /// Opens directory `path` as wasi-libc does for `open(path, O_RDONLY | O_DIRECTORY)`:
    /// read rights on the directory, everything inheritable.
    pub fn open_dir(&mut self, dirfd: u32, path: &str) -> Result<u32, i32> {
        self.write(PATH, path.as_bytes());
        let errno = self.call(
            "path_open",
            &[
                dirfd as i64,
                0,
                PATH as i64,
                path.len() as i64,
                O_DIRECTORY as i64,
                READ_RIGHTS,
                ALL_RIGHTS,
                0,
                OUT as i64,
            ],
        );
        if errno == 0 {
            Ok(self.u32(OUT))
        } else {
            Err(errno)
        }
    }

    /// Writes `data` to `fd` through one iovec; bytes written or the errno.
    pub fn fd_write(&mut self, fd: u32, data: &[u8]) -> Result<u32, i32> {
        self.write(BUF, data);
        let (iov, n) = self.iovecs(&[(BUF, data.len() as u32)]);
        match self.call("fd_write", &[fd as i64, iov, n, OUT as i64]) {
            0 => Ok(self.u32(OUT)),
            e => Err(e),
        }
    }

    /// Reads up to `len` bytes from `fd` through one iovec.
    pub fn fd_read(&mut self, fd: u32, len: u32) -> Result<Vec<u8>, i32> {
        let (iov, n) = self.iovecs(&[(BUF, len)]);
        match self.call("fd_read", &[fd as i64, iov, n, OUT as i64]) {
            0 => {
                let got = self.u32(OUT);
                Ok(self.read(BUF, got))
            }
            e => Err(e),
        }
    }

    /// Calls a function taking `(fd, path, path_len)` with the path placed at `PATH`.
    pub fn path_call(&mut self, name: &str, dirfd: u32, path: &str) -> i32 {
        self.write(PATH, path.as_bytes());
        self.call(name, &[dirfd as i64, PATH as i64, path.len() as i64])
    }

    /// `path_filestat_get`: the filetype byte and size, or the errno.
    pub fn stat(&mut self, dirfd: u32, flags: i32, path: &str) -> Result<(u8, u64), i32> {
        self.write(PATH, path.as_bytes());
        match self.call(
            "path_filestat_get",
            &[
                dirfd as i64,
                flags as i64,
                PATH as i64,
                path.len() as i64,
                BUF as i64,
            ],
        ) {
            0 => Ok((self.read(BUF + 16, 1)[0], self.u64(BUF + 32))),
            e => Err(e),
        }
    }

    /// `path_rename(dirfd, old, dirfd2, new)`.
    pub fn rename(&mut self, dirfd: u32, old: &str, dirfd2: u32, new: &str) -> i32 {
        self.write(PATH, old.as_bytes());
        self.write(PATH2, new.as_bytes());
        self.call(
            "path_rename",
            &[
                dirfd as i64,
                PATH as i64,
                old.len() as i64,
                dirfd2 as i64,
                PATH2 as i64,
                new.len() as i64,
            ],
        )
    }

    /// `path_link(dirfd, flags, old, dirfd2, new)`.
    pub fn link(&mut self, dirfd: u32, flags: i32, old: &str, dirfd2: u32, new: &str) -> i32 {
        self.write(PATH, old.as_bytes());
        self.write(PATH2, new.as_bytes());
        self.call(
            "path_link",
            &[
                dirfd as i64,
                flags as i64,
                PATH as i64,
                old.len() as i64,
                dirfd2 as i64,
                PATH2 as i64,
                new.len() as i64,
            ],
        )
    }

    /// `path_symlink(target, dirfd, path)`.
    pub fn symlink(&mut self, target: &str, dirfd: u32, path: &str) -> i32 {
        self.write(PATH, target.as_bytes());
        self.write(PATH2, path.as_bytes());
        self.call(
            "path_symlink",
            &[
                PATH as i64,
                target.len() as i64,
                dirfd as i64,
                PATH2 as i64,
                path.len() as i64,
            ],
        )
    }

    /// `path_readlink` into `BUF`; the target or the errno.
    pub fn readlink(&mut self, dirfd: u32, path: &str) -> Result<Vec<u8>, i32> {
        self.write(PATH, path.as_bytes());
        match self.call(
            "path_readlink",
            &[
                dirfd as i64,
                PATH as i64,
                path.len() as i64,
                BUF as i64,
                256,
                OUT as i64,
            ],
        ) {
            0 => {
                let n = self.u32(OUT);
                Ok(self.read(BUF, n))
            }
            e => Err(e),
        }
    }

    /// Every entry name `fd_readdir` lists, reading with a buffer of `buf_len` bytes and
    /// following cookies until a short buffer says the end was reached.
    pub fn list_dir(&mut self, fd: u32, buf_len: u32) -> Result<Vec<String>, i32> {
        let mut names = Vec::new();
        let mut cookie = 0u64;
        loop {
            let errno = self.call(
                "fd_readdir",
                &[
                    fd as i64,
                    BUF as i64,
                    buf_len as i64,
                    cookie as i64,
                    OUT as i64,
                ],
            );
            if errno != 0 {
                return Err(errno);
            }
            let used = self.u32(OUT);
            let bytes = self.read(BUF, used);
            let mut at = 0usize;
            let mut progressed = false;
            while at + 24 <= bytes.len() {
                let next = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                let namlen =
                    u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap()) as usize;
                if at + 24 + namlen > bytes.len() {
                    break; // cut off: ask again from its cookie
                }
                names.push(String::from_utf8(bytes[at + 24..at + 24 + namlen].to_vec()).unwrap());
                cookie = next;
                at += 24 + namlen;
                progressed = true;
            }
            if used < buf_len {
                return Ok(names);
            }
            assert!(
                progressed,
                "buffer of {buf_len} bytes cannot hold one entry"
            );
        }
    }
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("wisp-wasi-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
