//! Byte layouts of the preview1 structs the guest reads and writes, with the offsets of
//! `typenames.witx` (little-endian, C layout, padding zeroed): `filestat` 64 bytes,
//! `fdstat` 24, `prestat` 8, `dirent` 24 + name, `event` 32, `subscription` 48.

use crate::abi::{eventtype, Filestat, Filetype, Rights, Timestamp};
use crate::errno::Errno;

pub const FILESTAT_SIZE: u32 = 64;
pub const FDSTAT_SIZE: u32 = 24;
pub const PRESTAT_SIZE: u32 = 8;
pub const DIRENT_SIZE: usize = 24;
pub const EVENT_SIZE: u32 = 32;
pub const SUBSCRIPTION_SIZE: u32 = 48;

fn put_u64(out: &mut [u8], at: usize, v: u64) {
    out[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u16(out: &mut [u8], at: usize, v: u16) {
    out[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn get_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// `filestat`: dev@0, ino@8, filetype@16 (u8), nlink@24, size@32, atim@40, mtim@48, ctim@56.
pub fn filestat(st: &Filestat) -> [u8; FILESTAT_SIZE as usize] {
    let mut out = [0u8; FILESTAT_SIZE as usize];
    put_u64(&mut out, 0, st.dev);
    put_u64(&mut out, 8, st.ino);
    out[16] = st.filetype as u8;
    put_u64(&mut out, 24, st.nlink);
    put_u64(&mut out, 32, st.size);
    put_u64(&mut out, 40, st.atim);
    put_u64(&mut out, 48, st.mtim);
    put_u64(&mut out, 56, st.ctim);
    out
}

/// `fdstat`: fs_filetype@0 (u8), fs_flags@2 (u16), fs_rights_base@8, fs_rights_inheriting@16.
pub fn fdstat(
    filetype: Filetype,
    flags: u16,
    base: Rights,
    inheriting: Rights,
) -> [u8; FDSTAT_SIZE as usize] {
    let mut out = [0u8; FDSTAT_SIZE as usize];
    out[0] = filetype as u8;
    put_u16(&mut out, 2, flags);
    put_u64(&mut out, 8, base);
    put_u64(&mut out, 16, inheriting);
    out
}

/// `prestat` of a directory: tag@0 (u8, `preopentype::dir` = 0), pr_name_len@4 (u32).
pub fn prestat_dir(name_len: u32) -> [u8; PRESTAT_SIZE as usize] {
    let mut out = [0u8; PRESTAT_SIZE as usize];
    out[0] = crate::abi::PREOPENTYPE_DIR;
    put_u32(&mut out, 4, name_len);
    out
}

/// The fixed part of a `dirent`: d_next@0, d_ino@8, d_namlen@16 (u32), d_type@20 (u8);
/// the name follows it, not NUL-terminated.
pub fn dirent(next: u64, ino: u64, namlen: u32, filetype: Filetype) -> [u8; DIRENT_SIZE] {
    let mut out = [0u8; DIRENT_SIZE];
    put_u64(&mut out, 0, next);
    put_u64(&mut out, 8, ino);
    put_u32(&mut out, 16, namlen);
    out[20] = filetype as u8;
    out
}

/// `event`: userdata@0, error@8 (u16), type@10 (u8), fd_readwrite.nbytes@16,
/// fd_readwrite.flags@24 (u16).
pub fn event(
    userdata: u64,
    error: Option<Errno>,
    kind: u8,
    nbytes: u64,
    flags: u16,
) -> [u8; EVENT_SIZE as usize] {
    let mut out = [0u8; EVENT_SIZE as usize];
    put_u64(&mut out, 0, userdata);
    put_u16(&mut out, 8, error.map_or(0, Errno::raw));
    out[10] = kind;
    put_u64(&mut out, 16, nbytes);
    put_u16(&mut out, 24, flags);
    out
}

/// What a `subscription` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribe {
    /// `subscription_clock`: id@16 (u32), timeout@24, precision@32, flags@40 (u16).
    Clock {
        id: u32,
        timeout: Timestamp,
        flags: u16,
    },
    /// `subscription_fd_readwrite`: file_descriptor@16 (u32).
    FdRead(u32),
    FdWrite(u32),
}

/// A decoded `subscription`: userdata@0, tag@8 (u8), contents from @16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub userdata: u64,
    pub what: Subscribe,
}

impl Subscription {
    /// Decodes one 48-byte subscription; an unknown tag is `EINVAL`.
    pub fn parse(b: &[u8]) -> Result<Subscription, Errno> {
        let b: &[u8; SUBSCRIPTION_SIZE as usize] = b.try_into().map_err(|_| Errno::Fault)?;
        let fd = u32::from_le_bytes([b[16], b[17], b[18], b[19]]);
        let what = match b[8] {
            eventtype::CLOCK => Subscribe::Clock {
                id: fd,
                timeout: get_u64(b, 24),
                flags: u16::from_le_bytes([b[40], b[41]]),
            },
            eventtype::FD_READ => Subscribe::FdRead(fd),
            eventtype::FD_WRITE => Subscribe::FdWrite(fd),
            _ => return Err(Errno::Inval),
        };
        Ok(Subscription {
            userdata: get_u64(b, 0),
            what,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestat_offsets() {
        let st = Filestat {
            dev: 1,
            ino: 2,
            filetype: Filetype::RegularFile,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        };
        let b = filestat(&st);
        for (at, v) in [
            (0, 1u64),
            (8, 2),
            (24, 3),
            (32, 4),
            (40, 5),
            (48, 6),
            (56, 7),
        ] {
            assert_eq!(get_u64(&b, at), v);
        }
        assert_eq!(b[16], 4);
        assert!(b[17..24].iter().all(|&x| x == 0));
    }

    #[test]
    fn subscription_and_event_offsets() {
        let mut s = [0u8; 48];
        s[0..8].copy_from_slice(&0xabcdu64.to_le_bytes());
        s[8] = eventtype::CLOCK;
        s[16..20].copy_from_slice(&1u32.to_le_bytes());
        s[24..32].copy_from_slice(&1_000u64.to_le_bytes());
        s[40..42].copy_from_slice(&1u16.to_le_bytes());
        assert_eq!(
            Subscription::parse(&s),
            Ok(Subscription {
                userdata: 0xabcd,
                what: Subscribe::Clock {
                    id: 1,
                    timeout: 1_000,
                    flags: 1
                }
            })
        );
        s[8] = 9;
        assert_eq!(Subscription::parse(&s), Err(Errno::Inval));

        let e = event(7, Some(Errno::Badf), eventtype::FD_READ, 99, 1);
        assert_eq!(get_u64(&e, 0), 7);
        assert_eq!(u16::from_le_bytes([e[8], e[9]]), 8);
        assert_eq!(e[10], 1);
        assert_eq!(get_u64(&e, 16), 99);
        assert_eq!(u16::from_le_bytes([e[24], e[25]]), 1);
    }

    #[test]
    fn fdstat_prestat_dirent_offsets() {
        let f = fdstat(Filetype::Directory, 0x11, 0x22, 0x33);
        assert_eq!((f[0], u16::from_le_bytes([f[2], f[3]])), (3, 0x11));
        assert_eq!((get_u64(&f, 8), get_u64(&f, 16)), (0x22, 0x33));
        assert_eq!(prestat_dir(5), [0, 0, 0, 0, 5, 0, 0, 0]);
        let d = dirent(1, 2, 3, Filetype::SymbolicLink);
        assert_eq!((get_u64(&d, 0), get_u64(&d, 8)), (1, 2));
        assert_eq!(
            (u32::from_le_bytes([d[16], d[17], d[18], d[19]]), d[20]),
            (3, 7)
        );
    }
}
