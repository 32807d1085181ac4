//! Executable memory for one module's code.
//!
//! Invariants:
//! - A mapping is never writable and executable at once: it is mapped read-write, filled
//!   and relocated through [`WritableCode`], then switched to read-execute by
//!   [`WritableCode::publish`], which consumes the writable view.
//! - One mapping holds all of a module's functions and trampolines, so every call between
//!   them is within the range of the architecture's PC-relative call relocations.
//! - The mapping is unmapped when the [`CodeMemory`] drops, which happens when the module's
//!   tier data drops: after the last instance (which holds the module) is gone.

use std::io;
use std::ptr::NonNull;

/// A fresh read-write mapping, not yet executable.
pub struct WritableCode {
    ptr: NonNull<u8>,
    len: usize,
}

/// Published code: read and execute only, unmapped on drop.
pub struct CodeMemory {
    ptr: NonNull<u8>,
    len: usize,
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
        let code = CodeMemory { ptr, len };
        // SAFETY: the range is exactly our mapping.
        let rc =
            unsafe { libc::mprotect(ptr.as_ptr().cast(), len, libc::PROT_READ | libc::PROT_EXEC) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        flush_icache(ptr.as_ptr(), len);
        Ok(code)
    }
}

impl Drop for WritableCode {
    fn drop(&mut self) {
        // SAFETY: our own mapping, not used after this.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

impl CodeMemory {
    /// The address of the first byte.
    pub fn base(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: our own mapping; no code in it runs any more (see the module invariants).
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Makes freshly written code visible to instruction fetch. x86 keeps instruction and data
/// caches coherent; other architectures need the caches cleaned for the range.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
fn flush_icache(_ptr: *mut u8, _len: usize) {}

#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
fn flush_icache(ptr: *mut u8, len: usize) {
    unsafe extern "C" {
        // From the C runtime (libgcc / compiler-rt), present wherever Rust links on Linux.
        fn __clear_cache(start: *mut libc::c_char, end: *mut libc::c_char);
    }
    // SAFETY: the range is a mapping we own.
    unsafe { __clear_cache(ptr.cast(), ptr.add(len).cast()) };
}
