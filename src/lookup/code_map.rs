//! The cache's map from canonical code to cached dossier, shaped for the one operation that runs
//! on every lookup: a random read into gigabytes of views, which is bound by memory misses
//! (`bench-cache-probe`, docs/architecture.md, the read side).
//!
//! Each miss of a lookup waits for the one before it, so the map is built to have few in a row:
//! - A shard is an open-addressing table whose slots carry the low half of the code's hash: a
//!   lookup reads its slot's line and goes from there straight to the entry. (A table with a
//!   separate control array, as dashmap's, reads that array first: one more miss in a row.)
//! - A slot holds only the entry and its public view. The key is not stored apart: every public
//!   view begins with `{"code":"<code>"`, so a candidate is compared in the view's first line,
//!   the line the response reads first anyway.
//! - When a candidate is compared, a byte of each of its view's lines and a field of the entry
//!   are read first, so all their misses are under way together.
//!
//! In `bench-cache-probe` (1,000,000 dossiers) this took a lookup from 813 to 651 ns.
//!
//! Sharded by hash under read-write locks, each shard on cache lines of its own.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use super::view::CachedDossier;

/// Shards of the map, and of the cache's lookup-number index (a power of two). Every read takes
/// its shard's read lock, an atomic write; with few shards the workers would often take the same
/// lock.
pub(crate) const SHARDS: usize = 256;

/// Bytes of a cache line.
const LINE: usize = 64;

/// A cached dossier and its public view, which begins with the dossier's code, tagged with the
/// low half of the code's hash.
struct Slot {
    low: u32,
    head: Arc<[u8]>,
    dossier: Arc<CachedDossier>,
}

impl Slot {
    fn new(low: u32, dossier: Arc<CachedDossier>) -> Self {
        Self {
            low,
            head: Arc::clone(dossier.shared_head()),
            dossier,
        }
    }

    /// True when this slot is the dossier with `code`.
    fn holds(&self, code: &str) -> bool {
        CachedDossier::head_names(&self.head, code)
    }

    /// Reads a byte of each of the view's cache lines and a field of the entry, so that their
    /// misses are all under way together, then says whether this slot is the dossier with
    /// `code`.
    fn load_and_check(&self, code: &str) -> bool {
        for line in self.head.iter().step_by(LINE) {
            std::hint::black_box(*line);
        }
        std::hint::black_box(self.dossier.lookup_number);
        self.holds(code)
    }
}

/// One shard's open-addressing table: linear probing over slots that carry the low half of
/// their code's hash, so that a lookup reads one slot line, then the entry and the view. (A
/// table with a separate control array reads that array first: one more miss in a row.)
struct Table {
    slots: Box<[Option<Slot>]>,
    len: usize,
}

/// Slots of a new shard (a power of two).
const INITIAL_SLOTS: usize = 16;

impl Default for Table {
    fn default() -> Self {
        Self {
            slots: (0..INITIAL_SLOTS).map(|_| None).collect(),
            len: 0,
        }
    }
}

impl Table {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Where the slot with `low` hash bits is probed first.
    fn home(&self, low: u32) -> usize {
        low as usize & self.mask()
    }

    /// The index of the slot for `code`, asking for each candidate's lines with `check`.
    fn find(&self, low: u32, mut check: impl FnMut(&Slot) -> bool) -> Option<usize> {
        let mut at = self.home(low);
        // At most half the slots are full, so the probe always ends at an empty one.
        loop {
            let slot = self.slots[at].as_ref()?;
            if slot.low == low && check(slot) {
                return Some(at);
            }
            at = (at + 1) & self.mask();
        }
    }

    /// Puts `slot` into the first empty place of its probe sequence (its code is not held).
    fn put_new(&mut self, slot: Slot) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mut at = self.home(slot.low);
        while self.slots[at].is_some() {
            at = (at + 1) & self.mask();
        }
        self.slots[at] = Some(slot);
        self.len += 1;
    }

    fn grow(&mut self) {
        let doubled = (0..self.slots.len() * 2).map(|_| None).collect();
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for slot in old.into_vec().into_iter().flatten() {
            self.put_new(slot);
        }
    }

    /// Takes the slot at `at` out and moves later slots of the same run back, so that every
    /// slot stays reachable from its home without markers of removed ones.
    fn take(&mut self, mut at: usize) -> Option<Slot> {
        let taken = self.slots[at].take()?;
        self.len -= 1;
        let mask = self.mask();
        let mut next = at;
        loop {
            next = (next + 1) & mask;
            let Some(slot) = &self.slots[next] else {
                break;
            };
            // The slot at `next` may fill the hole if the hole lies between its home and it.
            let home = self.home(slot.low);
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(at) & mask) {
                self.slots[at] = self.slots[next].take();
                at = next;
            }
        }
        Some(taken)
    }
}

/// One shard, on cache lines of its own so that the workers' locks do not share one.
#[repr(align(128))]
#[derive(Default)]
struct Shard(RwLock<Table>);

/// Canonical code → cached dossier.
pub struct CodeMap {
    hasher: RandomState,
    shards: Box<[Shard]>,
    len: AtomicUsize,
}

impl Default for CodeMap {
    fn default() -> Self {
        Self {
            hasher: RandomState::default(),
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            len: AtomicUsize::new(0),
        }
    }
}

/// Where a code goes, from its hash: the low half places and tags the slot, bits above choose
/// the shard.
#[derive(Clone, Copy)]
struct Place {
    low: u32,
    shard: usize,
}

impl CodeMap {
    fn place(&self, code: &str) -> Place {
        let hash = self.hasher.hash_one(code);
        Place {
            low: hash as u32,
            shard: (hash >> 32) as usize & (SHARDS - 1),
        }
    }

    fn read(&self, place: Place) -> RwLockReadGuard<'_, Table> {
        self.shards[place.shard]
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self, place: Place) -> RwLockWriteGuard<'_, Table> {
        self.shards[place.shard]
            .0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The dossier with `code`, its lines already on their way to the cache.
    pub fn get(&self, code: &str) -> Option<Arc<CachedDossier>> {
        let place = self.place(code);
        let table = self.read(place);
        let at = table.find(place.low, |slot| slot.load_and_check(code))?;
        table.slots[at]
            .as_ref()
            .map(|slot| Arc::clone(&slot.dossier))
    }

    /// True when a dossier with `code` is held.
    pub fn contains(&self, code: &str) -> bool {
        let place = self.place(code);
        self.read(place)
            .find(place.low, |slot| slot.holds(code))
            .is_some()
    }

    /// Stores `dossier` under its code; returns the dossier it replaced.
    pub fn insert(&self, dossier: Arc<CachedDossier>) -> Option<Arc<CachedDossier>> {
        let place = self.place(&dossier.code);
        let slot = Slot::new(place.low, dossier);
        let mut table = self.write(place);
        match table.find(place.low, |held| held.holds(&slot.dossier.code)) {
            Some(at) => table.slots[at].replace(slot).map(|old| old.dossier),
            None => {
                table.put_new(slot);
                self.len.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Removes the dossier with `code`; returns it.
    pub fn remove(&self, code: &str) -> Option<Arc<CachedDossier>> {
        let place = self.place(code);
        let mut table = self.write(place);
        let at = table.find(place.low, |held| held.holds(code))?;
        let slot = table.take(at)?;
        self.len.fetch_sub(1, Ordering::Relaxed);
        Some(slot.dossier)
    }

    /// Dossiers held.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::lookup::cache::tests::dossier;

    /// A table of 16 slots holding dossiers `seqs`, each placed with the given low hash bits.
    fn table(placed: &[(u64, u32)]) -> Table {
        let mut table = Table::default();
        for &(seq, low) in placed {
            table.put_new(Slot::new(low, dossier(seq)));
        }
        table
    }

    fn find(table: &Table, seq: u64, low: u32) -> Option<u64> {
        let code = Arc::clone(&dossier(seq).code);
        let at = table.find(low, |slot| slot.holds(&code))?;
        table.slots[at]
            .as_ref()
            .map(|slot| slot.dossier.lookup_number)
    }

    #[test]
    fn colliding_slots_stay_reachable_after_removals_across_the_end_of_the_table() {
        // Five codes whose first place is the last slot (15): they run over into 0, 1, 2, 3,
        // and a code at home 1 sits after them.
        let placed = [(1, 15), (2, 15), (3, 15), (4, 15), (5, 15), (6, 1)];
        let mut table = table(&placed);
        assert_eq!(table.slots.len(), INITIAL_SLOTS);
        let number = |seq| dossier(seq).lookup_number;
        for &(seq, low) in &placed {
            assert_eq!(find(&table, seq, low), Some(number(seq)), "seq {seq}");
        }
        // Remove from the middle of the run, then its first slot.
        for (seq, low) in [(3, 15), (1, 15)] {
            let at = table
                .find(low, |slot| slot.holds(&dossier(seq).code))
                .expect("held");
            assert!(table.take(at).is_some());
            assert_eq!(find(&table, seq, low), None, "seq {seq} is gone");
        }
        for &(seq, low) in &[(2, 15), (4, 15), (5, 15), (6, 1)] {
            assert_eq!(
                find(&table, seq, low),
                Some(number(seq)),
                "seq {seq} after removals"
            );
        }
        assert_eq!(table.len, 4);
        // The run moved back: nothing is left beyond the slots it needs (15, 0, 1) and the
        // code at home 1 (2).
        let used: Vec<usize> = (0..INITIAL_SLOTS)
            .filter(|&at| table.slots[at].is_some())
            .collect();
        assert_eq!(used, vec![0, 1, 2, 15]);
    }

    #[test]
    fn a_slot_tagged_alike_but_of_another_code_is_not_a_match() {
        let table = table(&[(1, 7)]);
        assert_eq!(find(&table, 2, 7), None);
    }

    #[test]
    fn a_table_grows_before_it_is_half_full_and_keeps_every_slot() {
        let placed: Vec<(u64, u32)> = (1..=40).map(|seq| (seq, (seq % 5) as u32)).collect();
        let table = table(&placed);
        assert!(table.slots.len() >= 2 * placed.len());
        for &(seq, low) in &placed {
            assert!(find(&table, seq, low).is_some(), "seq {seq}");
        }
    }

    #[test]
    fn the_map_agrees_with_a_plain_map_through_inserts_replacements_and_removals() {
        let map = CodeMap::default();
        let mut model: HashMap<Arc<str>, u64> = HashMap::new();
        // A fixed pseudo-random walk over 600 codes: insert or replace twice as often as remove.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..5_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let entry = dossier(state % 600);
            if state.is_multiple_of(3) {
                let removed = map.remove(&entry.code).map(|d| d.lookup_number);
                assert_eq!(removed, model.remove(&entry.code));
            } else {
                let replaced = map.insert(Arc::clone(&entry)).map(|d| d.lookup_number);
                assert_eq!(
                    replaced,
                    model.insert(Arc::clone(&entry.code), entry.lookup_number)
                );
            }
            assert_eq!(map.len(), model.len());
        }
        assert!(!map.is_empty());
        for seq in 0..600 {
            let code = Arc::clone(&dossier(seq).code);
            assert_eq!(
                map.get(&code).map(|d| d.lookup_number),
                model.get(&code).copied(),
                "seq {seq}"
            );
            assert_eq!(map.contains(&code), model.contains_key(&code));
        }
    }

    #[test]
    fn a_code_that_only_begins_like_a_held_one_is_not_found() {
        let map = CodeMap::default();
        let entry = dossier(12);
        map.insert(Arc::clone(&entry));
        let longer = format!("{}0", entry.code);
        let shorter = &entry.code[..entry.code.len() - 1];
        assert!(map.get(&entry.code).is_some());
        assert!(map.get(&longer).is_none());
        assert!(map.get(shorter).is_none());
    }
}
