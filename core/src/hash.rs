//! The maps of the runtime's tables: the engine's type registry and the interpreter's
//! constant pools.
//!
//! With `std`, hashbrown with its default hasher: foldhash, seeded per process, since the
//! keys come from untrusted modules. Without `std` (firmware), [`SortedMap`]: a sorted
//! vector searched by bisection, a fraction of a hash map's code, and as fast for the
//! small tables a board's modules make; there is no entropy to seed a hasher with there
//! anyway. Both answer the same calls, so the code using them reads the same.

/// The runtime's map: hashbrown's, with its default (seeded) hasher.
#[cfg(feature = "std")]
pub type Map<K, V> = hashbrown::HashMap<K, V, hashbrown::DefaultHashBuilder>;

/// The runtime's map without `std`: a sorted vector.
#[cfg(not(feature = "std"))]
pub type Map<K, V> = SortedMap<K, V>;

/// A map kept as a vector sorted by key, searched by bisection: inserting is linear in
/// the map's size, which the module limits bound, and the code is small.
#[derive(Debug, Clone)]
pub struct SortedMap<K, V> {
    entries: alloc::vec::Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: alloc::vec::Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The value of `key`, if it has one.
    pub fn get(&self, key: &K) -> Option<&V> {
        let at = self.find(key).ok()?;
        Some(&self.entries[at].1)
    }

    /// Gives `key` the value `value`; returns the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(core::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// How many keys have values.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key has a value.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;

    #[test]
    fn a_sorted_map_answers_as_a_map() {
        let mut map = SortedMap::default();
        assert!(map.is_empty());
        for k in [5u64, 1, 9, 3, 7] {
            assert_eq!(map.insert(k, k * 10), None);
        }
        assert_eq!(map.insert(3, 33), Some(30));
        assert_eq!(map.len(), 5);
        assert_eq!(map.get(&3), Some(&33));
        assert_eq!(map.get(&9), Some(&90));
        assert_eq!(map.get(&4), None);
    }
}
