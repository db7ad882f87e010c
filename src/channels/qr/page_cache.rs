//! Rendered landing pages, kept per dossier version so a scanned QR code is answered with a ready
//! byte string instead of running the template (the read side in docs/architecture.md does the
//! same for the JSON views). A page is stored beside the `Arc` of the dossier it was rendered from
//! and the standing it was rendered at (in time, overdue by so many working days, ...): a new
//! version of the dossier is a new `Arc` in the lookup cache, and an open dossier whose standing
//! has moved on (a day more overdue) is rendered again, so a stored page never says what is no
//! longer true (docs/decisions/0057).
//!
//! Bounded by bytes: past the budget, inserting drops arbitrary entries first (a page is cheap to
//! render again). Only the detailed view with a valid token and a reachable database is cached;
//! the rarer variants (explanations, stale data) are rendered each time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dashmap::DashMap;

use crate::domain::Standing;
use crate::lookup::view::CachedDossier;

/// A page rendered from one version of one dossier at one standing.
#[derive(Debug)]
pub struct StoredPage {
    dossier: Arc<CachedDossier>,
    standing: Standing,
    html: Box<[u8]>,
}

impl StoredPage {
    /// The page `html` of `dossier`, rendered at `standing`.
    pub fn new(dossier: Arc<CachedDossier>, standing: Standing, html: &str) -> Self {
        Self {
            dossier,
            standing,
            html: html.as_bytes().into(),
        }
    }

    /// The page.
    pub fn assemble(&self) -> Vec<u8> {
        self.html.to_vec()
    }

    fn bytes(&self) -> usize {
        self.html.len()
    }
}

/// The stored pages of one instance.
pub struct PageCache {
    pages: DashMap<Arc<str>, Arc<StoredPage>>,
    bytes: AtomicUsize,
    budget: usize,
}

impl PageCache {
    /// A cache holding at most about `budget` bytes of pages (0: none).
    pub fn new(budget: usize) -> Self {
        Self {
            pages: DashMap::new(),
            bytes: AtomicUsize::new(0),
            budget,
        }
    }

    /// The stored page of exactly this version of the dossier, rendered at `standing`.
    pub fn get(&self, dossier: &Arc<CachedDossier>, standing: Standing) -> Option<Arc<StoredPage>> {
        let page = self.pages.get(&dossier.code)?;
        (Arc::ptr_eq(&page.dossier, dossier) && page.standing == standing)
            .then(|| Arc::clone(&page))
    }

    /// Stores `page`, replacing the page of an older version, and keeps within the budget.
    pub fn insert(&self, page: Arc<StoredPage>) {
        if page.bytes() > self.budget {
            return;
        }
        let added = page.bytes();
        if let Some(old) = self.pages.insert(Arc::clone(&page.dossier.code), page) {
            self.bytes.fetch_sub(old.bytes(), Ordering::Relaxed);
        }
        if self.bytes.fetch_add(added, Ordering::Relaxed) + added <= self.budget {
            return;
        }
        // Over budget: drop about a tenth of the entries at a time (arbitrary ones; rendering is
        // cheap) until back within it.
        while self.bytes.load(Ordering::Relaxed) > self.budget && !self.pages.is_empty() {
            let victims: Vec<Arc<str>> = self
                .pages
                .iter()
                .take(self.pages.len() / 10 + 1)
                .map(|entry| Arc::clone(entry.key()))
                .collect();
            for code in victims {
                if let Some((_, old)) = self.pages.remove(&code) {
                    self.bytes.fetch_sub(old.bytes(), Ordering::Relaxed);
                }
            }
        }
    }

    /// Bytes of pages held.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_served_only_at_the_standing_it_was_rendered_at() {
        let cache = PageCache::new(1_000);
        let one = test_dossier();
        cache.insert(Arc::new(StoredPage::new(
            Arc::clone(&one),
            Standing::InTime,
            "x",
        )));
        assert!(cache.get(&one, Standing::InTime).is_some());
        assert!(cache
            .get(&one, Standing::Overdue { working_days: 1 })
            .is_none());
    }

    #[test]
    fn the_cache_serves_only_the_version_it_was_rendered_from_and_stays_in_budget() {
        let cache = PageCache::new(1_000);
        let one = test_dossier();
        cache.insert(Arc::new(StoredPage::new(
            Arc::clone(&one),
            Standing::InTime,
            "x",
        )));
        assert!(cache.get(&one, Standing::InTime).is_some());
        let newer = test_dossier();
        assert!(
            cache.get(&newer, Standing::InTime).is_none(),
            "another Arc: another version"
        );
        for _ in 0..50 {
            cache.insert(Arc::new(StoredPage::new(
                test_dossier(),
                Standing::InTime,
                &"y".repeat(300),
            )));
        }
        assert!(cache.bytes() <= 1_000, "{}", cache.bytes());
        cache.insert(Arc::new(StoredPage::new(
            test_dossier(),
            Standing::InTime,
            &"z".repeat(2_000),
        )));
        assert!(
            cache.bytes() <= 1_000,
            "a page over the whole budget is not kept"
        );
    }

    fn test_dossier() -> Arc<CachedDossier> {
        use crate::db::dossiers::DossierRecord;
        use crate::domain::{AgencyCode, Channel, Dossier, DossierCode, ProcedureCode, Status};
        use chrono::{TimeZone, Utc};
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
        let code = format!(
            "000.00.16.H48-261102-{:04}",
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let record = DossierRecord {
            dossier: Dossier {
                code: DossierCode::parse(&code).unwrap(),
                version: 1,
                procedure_code: ProcedureCode::parse("1.001193").unwrap(),
                receiving_agency_code: AgencyCode::parse("000.00.16.H48").unwrap(),
                handling_agency_code: AgencyCode::parse("000.00.16.H48").unwrap(),
                channel: Channel::Direct,
                status: Status::InProgress,
                applicant_name: "Nguyễn Văn An".into(),
                applicant_phone: None,
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
            lookup_number: 605_592_342, // valid Damm check digit (README demo)
            synced_at: at,
            procedure_name: "Đăng ký khai sinh".into(),
            procedure_field: "Hộ tịch".into(),
            processing_days: 0,
            receiving_agency_name: "UBND".into(),
            handling_agency_name: "UBND".into(),
            desk_address: None,
            desk_phone: None,
            desk_hours: None,
            event_agency_names: Vec::new(),
            receiving_now: None,
            handling_now: None,
        };
        Arc::new(CachedDossier::build(&record).expect("dossier"))
    }
}
