//! The hash maps of the runtime's tables: exports, names, the linker's definitions, the
//! engine's type registry, the interpreter's constant pools.
//!
//! With `std`, hashbrown's default hasher: foldhash, seeded per process, since the keys
//! come from untrusted modules. Without `std` there is no entropy to seed a hasher with
//! (firmware), so a seeded hasher is as predictable as any, and flash is tight: FNV-1a,
//! a few instructions, whose worst case the module limits bound.

/// The hasher of the runtime's maps: hashbrown's default (seeded) with `std`.
#[cfg(feature = "std")]
pub type BuildHasher = hashbrown::DefaultHashBuilder;
/// The hasher of the runtime's maps: FNV-1a without `std`, which has no entropy to seed
/// with.
#[cfg(not(feature = "std"))]
pub type BuildHasher = core::hash::BuildHasherDefault<Fnv>;

/// A hash map with the runtime's hasher. Make one with `HashMap::default()`.
pub type HashMap<K, V> = hashbrown::HashMap<K, V, BuildHasher>;

/// FNV-1a, 64-bit.
#[cfg(not(feature = "std"))]
pub struct Fnv(u64);

#[cfg(not(feature = "std"))]
impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

#[cfg(not(feature = "std"))]
impl core::hash::Hasher for Fnv {
    // Once, not at every hashing site: flash, not speed, is what this build minds.
    #[inline(never)]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
