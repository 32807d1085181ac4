//! Executable memory for one module's code.
//!
//! Invariants:
//! - A mapping is never writable and executable at once: it is mapped read-write, filled
//!   and relocated through [`WritableCode`], then switched to read-execute by
//!   [`WritableCode::publish`], which consumes the writable view.
//! - Before `publish` returns, every core's instruction fetch sees the new code
//!   ([`flush_icache`]): its address may go to any thread, and may be a freed mapping's.
//! - One mapping holds all of a module's functions and trampolines, so every call between
//!   them is within the range of the architecture's PC-relative call relocations.
//! - The mapping is unmapped when the [`CodeMemory`] drops, which happens when the module's
//!   tier data drops: after the last instance (which holds the module) is gone.

use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh read-write mapping, not yet executable.
pub struct WritableCode {
    ptr: NonNull<u8>,
    len: usize,
}

/// Published code: read and execute only, unmapped on drop.
pub struct CodeMemory {
    ptr: NonNull<u8>,
    len: usize,
    /// Its entry in the fault handler's registry, dropped before the unmapping.
    registration: Option<crate::signals::Registration>,
}

// SAFETY: after `publish` the mapping is immutable until it is unmapped in `drop`, which
// needs exclusive ownership; sharing its address between threads is what it is for.
unsafe impl Send for CodeMemory {}
// SAFETY: as above.
unsafe impl Sync for CodeMemory {}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .unwrap_or(4096)
}

impl WritableCode {
    /// Maps `len` bytes (rounded up to whole pages, at least one), zeroed and writable.
    pub fn new(len: usize) -> io::Result<WritableCode> {
        let page = page_size();
        let len = len
            .max(1)
            .checked_next_multiple_of(page)
            .ok_or_else(|| io::Error::other("code size overflows"))?;
        // SAFETY: an anonymous private mapping at an address the system chooses; no existing
        // memory is affected.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ptr =
            NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap gave null"))?;
        Ok(WritableCode { ptr, len })
    }

    /// The address code will run at.
    pub fn base(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: the mapping is `len` bytes, readable and writable, and owned by `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Makes the code executable (and no longer writable).
    pub fn publish(self) -> io::Result<CodeMemory> {
        let (ptr, len) = (self.ptr, self.len);
        // Ownership moves to `CodeMemory`, which unmaps on drop, error or not.
        std::mem::forget(self);
        let code = CodeMemory {
            ptr,
            len,
            registration: None,
        };
        // SAFETY: the range is exactly our mapping.
        let rc =
            unsafe { libc::mprotect(ptr.as_ptr().cast(), len, libc::PROT_READ | libc::PROT_EXEC) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        flush_icache(ptr.as_ptr(), len)?;
        Ok(code)
    }
}

impl Drop for WritableCode {
    fn drop(&mut self) {
        // SAFETY: our own mapping, not used after this.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Where in its first page the next piece of code mapped on its own should start
/// ("cache colouring"), for `len` bytes of it.
///
/// Tier-up maps each function apart. Started at their pages' starts, every function
/// would begin in the same set of the instruction cache (which a 4 KiB page spans once
/// per way: 32 KiB, 8 ways), and nine small functions calling each other in a loop
/// evicted one another on every call: micro_calls, tiered, ran at 0.7-1.4 x the eager
/// JIT from one set of mappings to the next. Started where the previous one ended
/// (modulo the page), functions mapped one after another take consecutive sets, as they
/// do laid out together in one module's mapping. At most one page more per function.
pub fn colour(len: usize) -> usize {
    /// Process-wide: the instruction cache is the core's, whoever maps the code.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    colour_after(&NEXT, len, page_size())
}

/// `colour` with its cursor and page size given.
fn colour_after(next: &AtomicUsize, len: usize, page: usize) -> usize {
    /// A cache line: pieces of code take whole ones.
    const LINE: usize = 64;
    let len = len.next_multiple_of(LINE);
    next.fetch_add(len, Ordering::Relaxed) % page
}

impl CodeMemory {
    /// The address of the first byte.
    pub fn base(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Keeps the code registered for the fault handler until it is unmapped.
    pub fn register(&mut self, registration: crate::signals::Registration) {
        self.registration = Some(registration);
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // No fault is claimed in code that is gone (or whose addresses are reused).
        drop(self.registration.take());
        // SAFETY: our own mapping; no code in it runs any more (see the module invariants).
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Makes freshly written code visible to instruction fetch on every thread of the process.
/// It runs on the thread that linked the code, and with tier-up that is the compile thread,
/// not the one that will run the code: so whatever instruction fetch on other cores may
/// hold must go too, not only this core's.
///
/// x86 keeps instruction fetch coherent with stores, so there is nothing to do.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
fn flush_icache(_ptr: *mut u8, _len: usize) -> io::Result<()> {
    Ok(())
}

/// AArch64: `__clear_cache` (libgcc / compiler-rt) cleans the data cache to the point of
/// unification and invalidates the instruction cache for the range, broadcast to every
/// core (`dc cvau`, `ic ivau`, `dsb ish`), but its closing `isb` discards prefetched
/// instructions on this core only. Another core running a thread of ours (the thread
/// that found the function hot, while this is the tier-up compile thread) may still hold
/// stale instructions for these addresses (a mapping reuses the addresses of a freed
/// one) until it takes a context synchronization event. `membarrier`'s
/// `PRIVATE_EXPEDITED_SYNC_CORE` is that event on every core running one of our threads:
/// the broadcast `isb` the architecture lacks, as Linux documents for JITs.
#[cfg(all(
    target_arch = "aarch64",
    any(target_os = "linux", target_os = "android")
))]
fn flush_icache(ptr: *mut u8, len: usize) -> io::Result<()> {
    clear_cache(ptr, len);
    sync_other_cores()
}

/// RISC-V Linux: libgcc's `__clear_cache` is an empty function there (GCC expands
/// `__builtin___clear_cache` inline, as a call to `__riscv_flush_icache`, so the library
/// version is never needed by C), and `fence.i` would synchronize this hart only, while
/// the code may run on another, or this thread may move to one. The kernel's
/// `riscv_flush_icache` with flags 0 makes every hart running the process fence its
/// instruction fetch, and marks the others to fence before they next run it.
#[cfg(all(
    target_arch = "riscv64",
    any(target_os = "linux", target_os = "android")
))]
fn flush_icache(ptr: *mut u8, len: usize) -> io::Result<()> {
    /// `__NR_riscv_flush_icache` (`__NR_arch_specific_syscall + 15`); `libc` lacks it.
    const SYS_RISCV_FLUSH_ICACHE: libc::c_long = 244 + 15;
    let (start, end) = (ptr as usize, ptr as usize + len);
    // SAFETY: the call only synchronizes caches; the range is a mapping we own.
    let rc = unsafe { libc::syscall(SYS_RISCV_FLUSH_ICACHE, start, end, 0usize) };
    if rc == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    if error.raw_os_error() != Some(libc::ENOSYS) {
        return Err(error);
    }
    // A kernel (or emulator) without the call: synchronize this hart at least, which is
    // enough for code run by the thread that linked it while it stays on this hart.
    // SAFETY: `fence.i` has no operands and only orders instruction fetch after stores.
    unsafe { std::arch::asm!("fence.i", options(nostack, preserves_flags)) };
    Ok(())
}

/// Elsewhere: the C runtime's `__clear_cache`, which does what the platform needs for the
/// range (on this core).
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "x86",
    all(
        any(target_arch = "aarch64", target_arch = "riscv64"),
        any(target_os = "linux", target_os = "android")
    )
)))]
fn flush_icache(ptr: *mut u8, len: usize) -> io::Result<()> {
    clear_cache(ptr, len);
    Ok(())
}

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "x86",
    all(
        target_arch = "riscv64",
        any(target_os = "linux", target_os = "android")
    )
)))]
fn clear_cache(ptr: *mut u8, len: usize) {
    unsafe extern "C" {
        // From the C runtime (libgcc / compiler-rt), present wherever Rust links on Linux.
        fn __clear_cache(start: *mut libc::c_char, end: *mut libc::c_char);
    }
    // SAFETY: the range is a mapping we own; the call only maintains caches.
    unsafe { __clear_cache(ptr.cast(), ptr.add(len).cast()) };
}

/// A context synchronization event on every core that runs a thread of this process
/// (see `flush_icache` for AArch64).
#[cfg(all(
    target_arch = "aarch64",
    any(target_os = "linux", target_os = "android")
))]
fn sync_other_cores() -> io::Result<()> {
    const MEMBARRIER_CMD_GLOBAL: libc::c_int = 1;
    const MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE: libc::c_int = 32;
    const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: libc::c_int = 64;
    fn membarrier(cmd: libc::c_int) -> io::Result<()> {
        let flags: libc::c_int = 0;
        // SAFETY: `membarrier` takes no pointers.
        match unsafe { libc::syscall(libc::SYS_membarrier, cmd, flags) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
    match membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE) {
        Ok(()) => Ok(()),
        Err(e) => match e.raw_os_error() {
            // The process must register once before its first expedited barrier.
            Some(libc::EPERM) => {
                membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE)?;
                membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)
            }
            // Before Linux 4.16 there is no SYNC_CORE command: the global barrier waits
            // until every core has passed through the kernel, whose return to user space
            // is a context synchronization event too (slower, same effect).
            Some(libc::EINVAL) => membarrier(MEMBARRIER_CMD_GLOBAL),
            // No `membarrier` at all (before Linux 4.3, or an emulator without it):
            // nothing more can be done from user space; this core is synchronized, which
            // covers code run by the thread that linked it.
            Some(libc::ENOSYS) => Ok(()),
            _ => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_mapped_apart_starts_where_the_previous_ended_in_the_page() {
        let next = AtomicUsize::new(0);
        let starts: Vec<usize> = [100, 1, 64, 3000, 1000, 10]
            .iter()
            .map(|&len| colour_after(&next, len, 4096))
            .collect();
        // Whole lines each (128, 64, 64, 3008, 1024), wrapping at the page.
        assert_eq!(starts, [0, 128, 192, 256, 3264, 192]);
    }

    /// `fn() -> u32` returning `value` (< 2048), in this host's machine code.
    #[cfg(target_arch = "x86_64")]
    fn returning(value: u32) -> Vec<u8> {
        // mov eax, value; ret
        [&[0xb8][..], &value.to_le_bytes(), &[0xc3]].concat()
    }

    #[cfg(target_arch = "aarch64")]
    fn returning(value: u32) -> Vec<u8> {
        // movz w0, value; ret
        words(&[0x5280_0000 | (value << 5), 0xd65f_03c0])
    }

    #[cfg(target_arch = "riscv64")]
    fn returning(value: u32) -> Vec<u8> {
        // li a0, value; ret
        words(&[(value << 20) | (10 << 7) | 0x13, 0x0000_8067])
    }

    #[cfg(any(target_arch = "aarch64", target_arch = "riscv64"))]
    fn words(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// Code written where other code ran before (an unmapped mapping's addresses come back
    /// to the next one) runs as written: what a missing instruction-cache flush breaks on
    /// hardware (an emulator such as qemu-user keeps its caches coherent on its own, so
    /// there this checks that the flush succeeds).
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))]
    #[test]
    fn rewritten_code_runs_as_written() {
        for value in 0..64u32 {
            let code = returning(value);
            let mut memory = WritableCode::new(code.len()).expect("mmap");
            memory.bytes_mut()[..code.len()].copy_from_slice(&code);
            let code = memory.publish().expect("publish");
            // SAFETY: the mapping holds a complete function of that type.
            let f: extern "C" fn() -> u32 = unsafe { std::mem::transmute(code.base()) };
            assert_eq!(f(), value);
            // On another thread too, as tier-up runs code its compile thread linked.
            assert_eq!(std::thread::spawn(move || f()).join().unwrap(), value);
        }
    }

    /// W^X as the kernel sees it, on Linux (`/proc/self/maps`).
    #[cfg(all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "riscv64"
        )
    ))]
    mod permissions {
        use super::*;

        /// The mapping's permissions as the kernel reports them (`/proc/self/maps`).
        ///
        /// The file is read in pieces, and a mapping made or removed between two of them
        /// (by a test on another thread) can make a line go missing from one reading, so a
        /// mapping that does exist is looked for in a few readings before giving up.
        /// (qemu-user, which the cross tests run under, showed this.)
        fn permissions_at(address: usize) -> String {
            (0..8)
                .find_map(|_| {
                    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
                    maps.lines().find_map(|line| {
                        let (range, rest) = line.split_once(' ')?;
                        let (start, end) = range.split_once('-')?;
                        let start = usize::from_str_radix(start, 16).ok()?;
                        let end = usize::from_str_radix(end, 16).ok()?;
                        (start..end)
                            .contains(&address)
                            .then(|| rest.split(' ').next().unwrap_or("").to_string())
                    })
                })
                .expect("the mapping is listed")
        }

        /// W^X: the mapping is writable, not executable, while code is written into it, and
        /// executable, not writable, once published.
        #[test]
        fn code_is_never_writable_and_executable_at_once() {
            let code = returning(7);
            let mut memory = WritableCode::new(code.len()).expect("mmap");
            memory.bytes_mut()[..code.len()].copy_from_slice(&code);
            let writable = permissions_at(memory.base());
            assert!(writable.starts_with("rw-"), "while written: {writable}");
            let code = memory.publish().expect("publish");
            let published = permissions_at(code.base());
            assert!(published.starts_with("r-x"), "once published: {published}");
        }
    }
}
