//! The in-process cache of ready-to-serve dossier views (design.md §3.1): by canonical code, with a
//! lookup-number index beside it, and a short-lived negative cache of codes known not to exist so
//! that guessing costs the database nothing. Bounded by configuration.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use moka::notification::RemovalCause;
use moka::sync::Cache;

use super::view::CachedDossier;
use crate::config::CacheSettings;

/// Positive and negative caches plus the lookup-number index.
pub struct DossierCache {
    enabled: bool,
    by_code: Cache<Arc<str>, Arc<CachedDossier>>,
    by_number: Arc<DashMap<u64, Arc<str>>>,
    unknown: Cache<Box<str>, ()>,
    warmed: AtomicBool,
    /// Bytes of serialized views held (for the memory benchmark and metrics).
    view_bytes: Arc<AtomicU64>,
}

impl DossierCache {
    /// An empty cache sized by `settings`.
    pub fn new(settings: &CacheSettings) -> Self {
        let by_number: Arc<DashMap<u64, Arc<str>>> = Arc::new(DashMap::new());
        let index = Arc::clone(&by_number);
        let view_bytes = Arc::new(AtomicU64::new(0));
        let bytes = Arc::clone(&view_bytes);
        let by_code = Cache::builder()
            .max_capacity(settings.max_dossiers)
            .eviction_listener(move |_code, entry: Arc<CachedDossier>, cause| {
                bytes.fetch_sub(entry.view_bytes() as u64, Ordering::Relaxed);
                // A replaced entry keeps its number; only an evicted or removed one drops it.
                if cause != RemovalCause::Replaced {
                    index.remove_if(&entry.lookup_number, |_, code| *code == entry.code);
                }
            })
            .build();
        let unknown = Cache::builder()
            .max_capacity(settings.negative_max)
            .time_to_live(Duration::from_secs(settings.negative_ttl_secs.max(1)))
            .build();
        Self {
            enabled: settings.enabled,
            by_code,
            by_number,
            unknown,
            warmed: AtomicBool::new(false),
            view_bytes,
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
        self.by_code.get(code)
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

    /// Stores (or replaces) a dossier and forgets that its code was unknown.
    pub fn insert(&self, entry: Arc<CachedDossier>) {
        if !self.enabled {
            return;
        }
        self.unknown.invalidate(&*entry.code);
        self.view_bytes
            .fetch_add(entry.view_bytes() as u64, Ordering::Relaxed);
        self.by_number
            .insert(entry.lookup_number, Arc::clone(&entry.code));
        self.by_code.insert(Arc::clone(&entry.code), entry);
    }

    /// Drops a dossier (e.g. when the source no longer has it).
    pub fn remove(&self, code: &str) {
        self.by_code.invalidate(code);
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

    /// Dossiers currently cached (approximate while writes are in flight).
    pub fn len(&self) -> u64 {
        self.by_code.run_pending_tasks();
        self.by_code.entry_count()
    }

    /// Bytes of the serialized views currently cached.
    pub fn view_bytes(&self) -> u64 {
        self.by_code.run_pending_tasks();
        self.view_bytes.load(Ordering::Relaxed)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
