//! Guest memory access. Every pointer and length a guest passes comes through here and is
//! checked against the memory's size with overflow-safe arithmetic; a bad one is `EFAULT`,
//! never a panic. Values are little-endian and need no alignment.

use alloc::vec::Vec;
use core::ops::Range;

use crate::errno::{Errno, WasiResult};

/// A guest's linear memory for the length of one WASI call. A guest without a `memory`
/// export gets an empty one, so every pointer it passes is `EFAULT`.
pub(crate) struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

/// One `iovec`/`ciovec` (8 bytes: `buf: u32`, `buf_len: u32`), with its range already
/// checked against memory.
#[derive(Debug, Copy, Clone)]
pub(crate) struct IoVec {
    pub range: (usize, usize),
}

impl IoVec {
    pub fn len(&self) -> usize {
        self.range.1 - self.range.0
    }
}

impl<'a> GuestMemory<'a> {
    pub fn new(bytes: &'a mut [u8]) -> GuestMemory<'a> {
        GuestMemory { bytes }
    }

    /// The byte range `[ptr, ptr + len)`, if all of it lies inside memory.
    pub fn range(&self, ptr: u32, len: u32) -> WasiResult<Range<usize>> {
        // usize is at least 32 bits on every target wisp runs on, but the sum may still
        // overflow a 32-bit usize: checked.
        let start = usize::try_from(ptr).map_err(|_| Errno::Fault)?;
        let len = usize::try_from(len).map_err(|_| Errno::Fault)?;
        let end = start.checked_add(len).ok_or(Errno::Fault)?;
        if end > self.bytes.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// `count` elements of `size` bytes from `ptr`.
    pub fn array(&self, ptr: u32, count: u32, size: u32) -> WasiResult<Range<usize>> {
        let len = count.checked_mul(size).ok_or(Errno::Fault)?;
        self.range(ptr, len)
    }

    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// The bytes of a range `range`/`array`/`IoVec` checked earlier against this memory.
    pub(crate) fn bytes(&self, r: Range<usize>) -> &[u8] {
        &self.bytes[r]
    }

    pub(crate) fn bytes_mut(&mut self, r: Range<usize>) -> &mut [u8] {
        &mut self.bytes[r]
    }

    /// A guest string (`ptr`, `len`): a path, a symlink target. Not UTF-8 is `EILSEQ`.
    pub fn str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        core::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    pub fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> WasiResult {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Decodes an array of `count` iovecs at `ptr`, checking the array and every buffer
    /// it names before anything is read or written, so a bad one fails the whole call
    /// with `EFAULT` and no partial effect. A total length past `u32::MAX` (possible with
    /// overlapping buffers) is `EINVAL`, as `readv`/`writev` answer when the sum
    /// overflows: the result count is a u32.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<IoVec>> {
        let array = self.array(ptr, count, 8)?;
        // The array is inside memory, so `count` is bounded by memory size / 8 here.
        let mut out = Vec::with_capacity(count as usize);
        let mut total: u32 = 0;
        for entry in self.bytes[array].chunks_exact(8) {
            let buf = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
            let len = u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]);
            let r = self.range(buf, len)?;
            total = total.checked_add(len).ok_or(Errno::Inval)?;
            out.push(IoVec {
                range: (r.start, r.end),
            });
        }
        Ok(out)
    }

    /// The guest buffers of checked iovecs, for writing out of them.
    pub(crate) fn gather(&self, iovs: &[IoVec]) -> Vec<&[u8]> {
        iovs.iter()
            .filter(|v| v.len() > 0)
            .map(|v| &self.bytes[v.range.0..v.range.1])
            .collect()
    }

    /// One checked iovec's buffer, for reading into it.
    pub(crate) fn iovec_mut(&mut self, iov: IoVec) -> &mut [u8] {
        &mut self.bytes[iov.range.0..iov.range.1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_check_overflow_and_end() {
        let mut buf = [0u8; 16];
        let mem = GuestMemory::new(&mut buf);
        assert_eq!(mem.range(0, 16), Ok(0..16));
        assert_eq!(mem.range(16, 0), Ok(16..16));
        assert_eq!(mem.range(17, 0), Err(Errno::Fault));
        assert_eq!(mem.range(8, 9), Err(Errno::Fault));
        assert_eq!(mem.range(u32::MAX, 1), Err(Errno::Fault));
        assert_eq!(mem.range(1, u32::MAX), Err(Errno::Fault));
        assert_eq!(mem.array(0, u32::MAX, 8), Err(Errno::Fault));
        assert_eq!(mem.array(0, 2, 8), Ok(0..16));
        assert_eq!(mem.slice(9, 8), Err(Errno::Fault));
        assert_eq!(mem.slice(8, 8), Ok(&[0u8; 8][..]));
    }

    #[test]
    fn iovecs_are_checked_before_use() {
        let mut buf = [0u8; 64];
        // iovec 0: [32, 40), iovec 1: [60, 68) crosses the end.
        buf[0..4].copy_from_slice(&32u32.to_le_bytes());
        buf[4..8].copy_from_slice(&8u32.to_le_bytes());
        buf[8..12].copy_from_slice(&60u32.to_le_bytes());
        buf[12..16].copy_from_slice(&8u32.to_le_bytes());
        let mem = GuestMemory::new(&mut buf);
        assert_eq!(mem.iovecs(0, 1).unwrap()[0].range, (32, 40));
        assert_eq!(mem.iovecs(0, 2).unwrap_err(), Errno::Fault);
        // The array itself crossing the end of memory.
        assert_eq!(mem.iovecs(60, 1).unwrap_err(), Errno::Fault);
        assert_eq!(mem.iovecs(0, u32::MAX).unwrap_err(), Errno::Fault);
    }

    #[test]
    fn strings_must_be_utf8() {
        let mut buf = *b"ok\xff";
        let mem = GuestMemory::new(&mut buf);
        assert_eq!(mem.str(0, 2), Ok("ok"));
        assert_eq!(mem.str(0, 3), Err(Errno::Ilseq));
    }
}
