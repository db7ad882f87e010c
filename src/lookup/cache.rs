//! The in-process cache of ready-to-serve dossier views (docs/architecture.md, the read side): by canonical code, with a
//! lookup-number index beside it, and a short-lived negative cache of codes known not to exist so
//! that guessing costs the database nothing. Bounded by configuration.
//!
//! The positive cache is a sharded concurrent map ([`CodeMap`]) with CLOCK (second-chance)
//! eviction: a read only sets a flag on the entry, so the hot path is one hash lookup under a
//! shard read lock; order is kept in a queue touched only by inserts. (A moka cache cost about a
//! quarter of the workers' CPU and 256 bytes per entry to keep an LRU order on every read.) The
//! maps hash with foldhash, seeded per process, and have many shards, so that the two workers'
//! read locks seldom share a cache line.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use foldhash::fast::RandomState;
use moka::sync::Cache;

use super::code_map::{CodeMap, SHARDS};
use super::view::CachedDossier;
use crate::config::CacheSettings;

/// Positive and negative caches plus the lookup-number index.
pub struct DossierCache {
    enabled: bool,
    max_entries: usize,
    by_code: CodeMap,
    by_number: DashMap<u64, Arc<str>, RandomState>,
    /// Codes in insertion order, for CLOCK eviction. May hold codes already removed (skipped).
    clock: Mutex<VecDeque<Arc<str>>>,
    unknown: Cache<Box<str>, ()>,
    warmed: AtomicBool,
    /// Bytes of serialized views held (for the memory benchmark and metrics).
    view_bytes: AtomicU64,
}

impl DossierCache {
    /// An empty cache sized by `settings`.
    pub fn new(settings: &CacheSettings) -> Self {
        let unknown = Cache::builder()
            .max_capacity(settings.negative_max)
            .time_to_live(Duration::from_secs(settings.negative_ttl_secs.max(1)))
            .build();
        Self {
            enabled: settings.enabled,
            max_entries: usize::try_from(settings.max_dossiers)
                .unwrap_or(usize::MAX)
                .max(1),
            by_code: CodeMap::default(),
            // As many shards as the code map: with dashmap's default of four per core the
            // workers would often take the same lock.
            by_number: DashMap::with_hasher_and_shard_amount(RandomState::default(), SHARDS),
            clock: Mutex::new(VecDeque::new()),
            unknown,
            warmed: AtomicBool::new(false),
            view_bytes: AtomicU64::new(0),
        }
    }

    /// False when caching is switched off (every lookup reads the database).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The cached dossier with this canonical code.
    pub fn get(&self, code: &str) -> Option<Arc<CachedDossier>> {
        if !self.enabled {
            return None;
        }
        let entry = self.by_code.get(code)?;
        // Write the flag only when it changes, so hot entries do not bounce a cache line.
        if !entry.referenced.load(Ordering::Relaxed) {
            entry.referenced.store(true, Ordering::Relaxed);
        }
        Some(entry)
    }

    /// The canonical code for a lookup number, if that dossier is cached.
    pub fn code_for_number(&self, number: u64) -> Option<Arc<str>> {
        if !self.enabled {
            return None;
        }
        self.by_number
            .get(&number)
            .map(|code| Arc::clone(code.value()))
    }

    /// Stores (or replaces) a dossier and forgets that its code was unknown; evicts when full.
    pub fn insert(&self, entry: Arc<CachedDossier>) {
        if !self.enabled {
            return;
        }
        self.unknown.invalidate(&*entry.code);
        let code = Arc::clone(&entry.code);
        self.view_bytes
            .fetch_add(entry.view_bytes() as u64, Ordering::Relaxed);
        self.by_number
            .insert(entry.lookup_number, Arc::clone(&code));
        let number = entry.lookup_number;
        match self.by_code.insert(entry) {
            Some(old) => {
                self.view_bytes
                    .fetch_sub(old.view_bytes() as u64, Ordering::Relaxed);
                if old.lookup_number != number {
                    self.by_number
                        .remove_if(&old.lookup_number, |_, c| *c == old.code);
                }
            }
            None => {
                let mut clock = self.clock.lock().unwrap_or_else(|p| p.into_inner());
                clock.push_back(code);
                self.evict_while_full(&mut clock);
            }
        }
    }

    /// CLOCK: take the oldest code; spare it once if it was read since it was last looked at.
    fn evict_while_full(&self, clock: &mut VecDeque<Arc<str>>) {
        let mut budget = clock.len().saturating_mul(2);
        while self.by_code.len() > self.max_entries && budget > 0 {
            budget -= 1;
            let Some(code) = clock.pop_front() else {
                return;
            };
            let Some(entry) = self.by_code.get(&code) else {
                continue; // removed earlier; drop the stale queue slot
            };
            if entry.referenced.swap(false, Ordering::Relaxed) {
                clock.push_back(code);
            } else {
                self.remove(&code);
            }
        }
        // Removed-then-reinserted codes leave stale slots behind; keep the queue bounded.
        if clock.len() > self.max_entries.saturating_mul(2).max(1024) {
            clock.retain(|code| self.by_code.contains(code));
        }
    }

    /// Drops a dossier (e.g. when the source no longer has it).
    pub fn remove(&self, code: &str) {
        if let Some(old) = self.by_code.remove(code) {
            self.view_bytes
                .fetch_sub(old.view_bytes() as u64, Ordering::Relaxed);
            self.by_number
                .remove_if(&old.lookup_number, |_, c| *c == old.code);
        }
    }

    /// True when `code` was recently found not to exist.
    pub fn is_known_unknown(&self, code: &str) -> bool {
        self.enabled && self.unknown.contains_key(code)
    }

    /// Remembers for a short time that `code` does not exist.
    pub fn remember_unknown(&self, code: &str) {
        if self.enabled {
            self.unknown.insert(code.into(), ());
        }
    }

    /// True when `code` is cached (without counting as a read).
    pub fn contains(&self, code: &str) -> bool {
        self.enabled && self.by_code.contains(code)
    }

    /// Forgets that `code` was found not to exist (it exists now).
    pub fn forget_unknown(&self, code: &str) {
        if self.enabled {
            self.unknown.invalidate(code);
        }
    }

    /// Drops every cached dossier and every remembered unknown code (after changes were missed
    /// for good; lookups then read the database until the cache fills again).
    pub fn clear(&self) {
        let codes: Vec<Arc<str>> = {
            let mut clock = self.clock.lock().unwrap_or_else(|p| p.into_inner());
            clock.drain(..).collect()
        };
        for code in codes {
            self.remove(&code);
        }
        self.unknown.invalidate_all();
    }

    /// Dossiers currently cached.
    pub fn len(&self) -> u64 {
        self.by_code.len() as u64
    }

    /// Bytes of the serialized views currently cached.
    pub fn view_bytes(&self) -> u64 {
        self.view_bytes.load(Ordering::Relaxed)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Marks the start-up warm-up as finished.
    pub fn set_warmed(&self) {
        self.warmed.store(true, Ordering::Release);
    }

    /// True once the warm-up has finished (or was not asked for).
    pub fn is_warmed(&self) -> bool {
        self.warmed.load(Ordering::Acquire)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::db::dossiers::DossierRecord;
    use crate::domain::{
        AgencyCode, Channel, Dossier, DossierCode, PhoneNumber, ProcedureCode, Status,
    };
    use chrono::{TimeZone, Utc};

    pub(crate) fn dossier(seq: u64) -> Arc<CachedDossier> {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 2, 2, 0, 0)
            .single()
            .expect("time");
        let record = DossierRecord {
            dossier: Dossier {
                code: DossierCode::parse(&format!("000.00.16.H48-261102-{seq:04}")).expect("code"),
                version: 1,
                procedure_code: ProcedureCode::parse("1.001193").expect("procedure"),
                receiving_agency_code: AgencyCode::parse("000.00.16.H48").expect("agency"),
                handling_agency_code: AgencyCode::parse("000.00.16.H48").expect("agency"),
                channel: Channel::Direct,
                status: Status::InProgress,
                applicant_name: "Lê Văn Tám".into(),
                applicant_phone: Some(PhoneNumber::parse("+84912345678").expect("phone")),
                received_at: at,
                due_at: None,
                finished_at: None,
                returned_at: None,
                supplement_count: 0,
                supplement_requested_at: None,
                supplement_seconds: 0,
                supplement_request: None,
                fee_amount_vnd: None,
                fee_payment_place: None,
                citizen_due_at: None,
                source_updated_at: at,
                events: Vec::new(),
            },
            lookup_number: crate::domain::LookupNumber::from_sequence(seq).value() as i64,
            synced_at: at,
            procedure_name: "Đăng ký khai sinh".into(),
            procedure_field: "Hộ tịch".into(),
            processing_days: 1,
            receiving_agency_name: "Trung tâm".into(),
            handling_agency_name: "Trung tâm".into(),
            desk_address: None,
            desk_phone: None,
            desk_hours: None,
            event_agency_names: Vec::new(),
            receiving_now: None,
            handling_now: None,
        };
        Arc::new(CachedDossier::build(&record).expect("build"))
    }

    fn cache(max: u64) -> DossierCache {
        DossierCache::new(&CacheSettings {
            max_dossiers: max,
            ..CacheSettings::default()
        })
    }

    #[test]
    fn the_cache_never_holds_more_than_its_bound_and_keeps_its_indexes_consistent() {
        let cache = cache(10);
        for seq in 1..=100 {
            cache.insert(dossier(seq));
            assert!(cache.len() <= 10);
        }
        assert_eq!(cache.len(), 10);
        let held: u64 = (1..=100)
            .filter_map(|seq| cache.get(&dossier(seq).code))
            .map(|d| d.view_bytes() as u64)
            .sum();
        assert_eq!(cache.view_bytes(), held, "view bytes follow evictions");
        for seq in 1..=100 {
            let entry = dossier(seq);
            let by_number = cache.code_for_number(entry.lookup_number);
            assert_eq!(
                by_number.is_some(),
                cache.get(&entry.code).is_some(),
                "seq {seq}"
            );
        }
    }

    #[test]
    fn an_entry_read_since_the_last_sweep_gets_a_second_chance() {
        let cache = cache(3);
        for seq in 1..=3 {
            cache.insert(dossier(seq));
        }
        assert!(cache.get(&dossier(1).code).is_some()); // 1 is read: spared once
        cache.insert(dossier(4));
        assert!(
            cache.get(&dossier(1).code).is_some(),
            "the read entry survived"
        );
        assert!(
            cache.get(&dossier(2).code).is_none(),
            "the oldest unread entry went"
        );
    }

    #[test]
    fn replacing_an_entry_does_not_grow_the_cache_or_its_byte_count() {
        let cache = cache(5);
        cache.insert(dossier(1));
        let bytes = cache.view_bytes();
        cache.insert(dossier(1));
        assert_eq!((cache.len(), cache.view_bytes()), (1, bytes));
        cache.remove(&dossier(1).code);
        assert_eq!((cache.len(), cache.view_bytes()), (0, 0));
        assert!(cache.code_for_number(dossier(1).lookup_number).is_none());
    }

    #[test]
    fn a_disabled_cache_stores_nothing() {
        let cache = DossierCache::new(&CacheSettings {
            enabled: false,
            ..CacheSettings::default()
        });
        cache.insert(dossier(1));
        assert!(cache.get(&dossier(1).code).is_none());
        assert!(cache.is_empty());
    }
}
