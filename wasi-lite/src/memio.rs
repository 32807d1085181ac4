//! In-memory streams: standard output and error captured into buffers the embedder reads
//! afterwards, standard input served from bytes, and the closed streams a context starts
//! with.

use alloc::sync::Arc;
use alloc::vec::Vec;

use spin::Mutex;

use crate::errno::{Errno, WasiResult};
use crate::host::Stream;

/// A shared, growable byte buffer to capture a guest's output. Clones share the bytes: give
/// one to the context builder, keep one to read what the guest wrote.
#[derive(Clone, Default)]
pub struct OutputBuffer {
    inner: Arc<Mutex<Vec<u8>>>,
    /// Writes that would grow the buffer past this fail with `ENOSPC`, so a guest cannot
    /// make the host allocate without bound.
    limit: Option<usize>,
}

impl core::fmt::Debug for OutputBuffer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The length, not the bytes: a guest's output can be large.
        f.debug_struct("OutputBuffer")
            .field("len", &self.inner.lock().len())
            .field("limit", &self.limit)
            .finish()
    }
}

impl OutputBuffer {
    /// An empty buffer without a size limit.
    pub fn new() -> OutputBuffer {
        OutputBuffer::default()
    }

    /// An empty buffer holding at most `limit` bytes.
    pub fn with_limit(limit: usize) -> OutputBuffer {
        OutputBuffer {
            inner: Arc::default(),
            limit: Some(limit),
        }
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.inner.lock().clone()
    }

    /// Takes everything written so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        core::mem::take(&mut *self.inner.lock())
    }
}

impl Stream for OutputBuffer {
    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        let mut out = self.inner.lock();
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let room = self
            .limit
            .map_or(usize::MAX, |limit| limit.saturating_sub(out.len()));
        if total > 0 && room == 0 {
            return Err(Errno::NoSpc);
        }
        // A partial write is what a full device gives; the guest retries the rest and then
        // sees ENOSPC.
        let mut left = total.min(room);
        out.try_reserve(left).map_err(|_| Errno::NoMem)?;
        let taken = left;
        for buf in bufs {
            let n = buf.len().min(left);
            out.extend_from_slice(&buf[..n]);
            left -= n;
        }
        Ok(taken)
    }
}

/// Standard input served from bytes given up front; end of stream after them.
#[derive(Clone, Default)]
pub struct InputBuffer {
    data: Arc<[u8]>,
    pos: usize,
}

impl core::fmt::Debug for InputBuffer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InputBuffer")
            .field("len", &self.data.len())
            .field("pos", &self.pos)
            .finish()
    }
}

impl InputBuffer {
    pub fn new(data: impl Into<Vec<u8>>) -> InputBuffer {
        InputBuffer {
            data: data.into().into(),
            pos: 0,
        }
    }
}

impl Stream for InputBuffer {
    fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        // Invariant: pos <= data.len().
        let rest = &self.data[self.pos..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }

    fn poll_read(&mut self, _: Option<u64>) -> WasiResult<Option<u64>> {
        Ok(Some((self.data.len() - self.pos) as u64))
    }
}

/// A stream that is at its end for reading and throws writes away (what `/dev/null`
/// is): the standard streams of a context nobody wired up.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullStream;

impl Stream for NullStream {
    fn read(&mut self, _: &mut [u8]) -> WasiResult<usize> {
        Ok(0)
    }

    fn write(&mut self, bufs: &[&[u8]]) -> WasiResult<usize> {
        Ok(bufs.iter().map(|b| b.len()).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_buffer_clones_share_and_limit_holds() {
        let out = OutputBuffer::with_limit(5);
        let mut writer = out.clone();
        assert_eq!(writer.write(&[b"abc", b"def"]), Ok(5));
        assert_eq!(writer.write(&[b"g"]), Err(Errno::NoSpc));
        assert_eq!(writer.write(&[]), Ok(0));
        assert_eq!(out.contents(), b"abcde");
        assert_eq!(out.take(), b"abcde");
        assert!(out.contents().is_empty());
    }

    #[test]
    fn input_buffer_reads_then_ends() {
        let mut input = InputBuffer::new(*b"hello");
        let mut buf = [0u8; 3];
        assert_eq!(input.poll_read(Some(0)), Ok(Some(5)));
        assert_eq!(input.read(&mut buf), Ok(3));
        assert_eq!(&buf, b"hel");
        assert_eq!(input.read(&mut buf), Ok(2));
        assert_eq!(input.read(&mut buf), Ok(0));
    }
}
