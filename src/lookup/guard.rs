//! Abuse resistance for lookups (docs/architecture.md), built on governor's keyed limiters:
//! a general rate per client, a tighter one for not-found answers, and failed-proof budgets per
//! dossier and per client so that four phone digits cannot be brute-forced.
//!
//! Not-found and failed-proof limits must not become an oracle: once a budget is spent the client
//! (or dossier) is blocked for every answer until the budget refills, not only for more failures.
//! governor has no "peek", so a spent budget is remembered in a small map until its refill time.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimitSettings;

/// Who is asking: the key every limit is counted under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// A web, API or kiosk client by address.
    Ip(IpAddr),
    /// Another channel's caller (an SMS sender, an IVR caller, a staff account), already
    /// pseudonymised by the channel.
    Named(Arc<str>),
    /// A kiosk, by its id, that proved itself with its configured key: its budgets are a service
    /// centre's (`kiosk.budget_multiplier` times a citizen's). Only the HTTP kit makes one, after
    /// checking the key.
    Kiosk(Arc<str>),
}

/// A budget of failures that, once spent, blocks the key until it refills.
pub struct FailureBudget<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    blocked: DashMap<K, Instant>,
}

impl<K: Hash + Eq + Clone> FailureBudget<K> {
    /// A budget of `quota`.
    pub fn new(quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota),
            blocked: DashMap::new(),
        }
    }

    /// How long `key` must still wait, if its budget is spent.
    pub fn blocked_for(&self, key: &K) -> Option<Duration> {
        let until = *self.blocked.get(key)?;
        let now = Instant::now();
        if until > now {
            Some(until - now)
        } else {
            self.blocked.remove_if(key, |_, at| *at <= now);
            None
        }
    }

    /// Counts one failure, atomically with the budget: `Err(wait)` when the budget did not
    /// allow it (the key is then blocked until the next refill), so that concurrent failures
    /// cannot all slip past one check.
    pub fn record_failure(&self, key: &K) -> Result<(), Duration> {
        match self.limiter.check_key(key) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(DefaultClock::default().now())
                    .max(Duration::from_secs(1));
                self.blocked.insert(key.clone(), Instant::now() + wait);
                Err(wait)
            }
        }
    }

    /// Forgets keys whose budgets have refilled.
    pub fn tidy(&self) {
        let now = Instant::now();
        self.blocked.retain(|_, until| *until > now);
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The budget of wrong proofs of one secret-guarded item, from all clients together.
pub fn per_item_quota(settings: &RateLimitSettings) -> Quota {
    per_day(settings.proof_failures_per_item_per_day)
        .allow_burst(non_zero(settings.proof_failures_per_item_burst))
}

/// All lookup limits of one instance.
pub struct Guard {
    enabled: bool,
    /// The budgets of citizens (by address) and of other channels' callers.
    public: ClientBudgets,
    /// The larger budgets of kiosks that proved themselves ([`ClientKey::Kiosk`]).
    kiosks: ClientBudgets,
    /// Wrong proofs per secret-guarded item (a dossier's code, a question's tracking code), from
    /// every client together: what keeps a guesser with endless addresses out.
    proof_per_item: FailureBudget<Arc<str>>,
}

/// The budgets counted per client: lookups, not-found answers, wrong proofs.
struct ClientBudgets {
    lookups: DefaultKeyedRateLimiter<ClientKey>,
    not_found: FailureBudget<ClientKey>,
    proof_per_client: FailureBudget<ClientKey>,
}

impl ClientBudgets {
    /// The configured budgets, each rate and burst `scale` times as large.
    fn new(settings: &RateLimitSettings, scale: u32) -> Self {
        let times = |value: u32| value.saturating_mul(scale.max(1));
        let per_minute = |rate: u32, burst: u32| {
            Quota::per_minute(non_zero(times(rate))).allow_burst(non_zero(times(burst)))
        };
        let per_hour =
            |rate: u32| Quota::per_hour(non_zero(times(rate))).allow_burst(non_zero(times(rate)));
        Self {
            lookups: RateLimiter::keyed(per_minute(
                settings.lookups_per_minute,
                settings.lookups_burst,
            )),
            not_found: FailureBudget::new(per_minute(
                settings.not_found_per_minute,
                settings.not_found_burst,
            )),
            proof_per_client: FailureBudget::new(per_hour(
                settings.proof_failures_per_client_per_hour,
            )),
        }
    }

    fn tidy(&self) {
        self.lookups.retain_recent();
        self.lookups.shrink_to_fit();
        self.not_found.tidy();
        self.proof_per_client.tidy();
    }
}

fn non_zero(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap_or(NonZeroU32::MIN)
}

/// `count` cells a day, evenly refilled.
pub fn per_day(count: u32) -> Quota {
    let period = Duration::from_secs(86_400) / non_zero(count).get();
    Quota::with_period(period).unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
}

impl Guard {
    /// Limits as configured (validated non-zero at start-up); kiosks get a citizen's budgets.
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self::with_kiosk_multiplier(settings, 1)
    }

    /// Limits as configured, kiosks with a valid key getting `kiosk_multiplier` times a
    /// citizen's lookup, not-found and wrong-proof budgets (each kiosk its own).
    pub fn with_kiosk_multiplier(settings: &RateLimitSettings, kiosk_multiplier: u32) -> Self {
        Self {
            enabled: settings.enabled,
            public: ClientBudgets::new(settings, 1),
            kiosks: ClientBudgets::new(settings, kiosk_multiplier),
            proof_per_item: FailureBudget::new(per_item_quota(settings)),
        }
    }

    /// The budgets `client` is counted in.
    fn budgets(&self, client: &ClientKey) -> &ClientBudgets {
        match client {
            ClientKey::Kiosk(_) => &self.kiosks,
            ClientKey::Ip(_) | ClientKey::Named(_) => &self.public,
        }
    }

    /// Admits one lookup by `client`, or says how long to wait. Checked before any work.
    pub fn admit(&self, client: &ClientKey) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        let budgets = self.budgets(client);
        if let Some(wait) = budgets.not_found.blocked_for(client) {
            return Err(wait);
        }
        budgets
            .lookups
            .check_key(client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Counts a not-found answer against `client`: `Err(wait)` when the budget is spent, and the
    /// answer must then be "too many requests", not "not found".
    pub fn record_not_found(&self, client: &ClientKey) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        self.budgets(client).not_found.record_failure(client)
    }

    /// How long proofs for this item (a dossier or a question) or from this client must wait,
    /// when they may not be checked now.
    pub fn proof_locked(&self, client: &ClientKey, item: &Arc<str>) -> Option<Duration> {
        if !self.enabled {
            return None;
        }
        let per_item = self.proof_per_item.blocked_for(item);
        let per_client = self.budgets(client).proof_per_client.blocked_for(client);
        per_item.max(per_client)
    }

    /// Counts a wrong proof against both the item and the client: `Err(wait)` when either
    /// budget was already spent (the answer must then be "locked", not "wrong").
    pub fn record_proof_failure(
        &self,
        client: &ClientKey,
        item: &Arc<str>,
    ) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        let per_item = self.proof_per_item.record_failure(item);
        let per_client = self.budgets(client).proof_per_client.record_failure(client);
        match (per_item, per_client) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(a), Err(b)) => Err(a.max(b)),
            (Err(wait), _) | (_, Err(wait)) => Err(wait),
        }
    }

    /// Forgets keys whose limits have refilled; run periodically to bound memory.
    pub fn tidy(&self) {
        self.public.tidy();
        self.kiosks.tidy();
        self.proof_per_item.tidy();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> RateLimitSettings {
        RateLimitSettings {
            lookups_per_minute: 60,
            lookups_burst: 5,
            not_found_per_minute: 1,
            not_found_burst: 2,
            proof_failures_per_item_per_day: 2,
            proof_failures_per_item_burst: 3,
            proof_failures_per_client_per_hour: 100,
            ..RateLimitSettings::default()
        }
    }

    fn ip(last: u8) -> ClientKey {
        ClientKey::Ip(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn a_client_past_its_burst_is_told_to_wait() {
        let guard = Guard::new(&settings());
        for _ in 0..5 {
            assert!(guard.admit(&ip(1)).is_ok());
        }
        let wait = guard
            .admit(&ip(1))
            .expect_err("sixth lookup in a burst of five");
        assert!(wait > Duration::ZERO);
        assert!(
            guard.admit(&ip(2)).is_ok(),
            "another client is not affected"
        );
    }

    #[test]
    fn spending_the_not_found_budget_blocks_every_lookup_of_that_client() {
        let guard = Guard::new(&settings());
        assert!(guard.record_not_found(&ip(1)).is_ok());
        assert!(guard.record_not_found(&ip(1)).is_ok());
        assert!(
            guard.admit(&ip(1)).is_ok(),
            "budget of two not yet exceeded"
        );
        let wait = guard
            .record_not_found(&ip(1))
            .expect_err("the third not-found is over the budget and must not be answered as such");
        assert!(wait >= Duration::from_secs(1));
        assert!(guard.admit(&ip(1)).is_err());
        assert!(guard.admit(&ip(3)).is_ok());
    }

    #[test]
    fn concurrent_not_founds_are_answered_at_most_the_budget_times() {
        let guard = Arc::new(Guard::new(&settings()));
        let answered = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        if guard.record_not_found(&ip(7)).is_ok() {
                            answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(answered.into_inner(), 2, "a burst of two, one a minute");
    }

    #[test]
    fn wrong_proofs_lock_the_item_for_every_client_and_say_for_how_long() {
        let guard = Guard::new(&settings());
        let code: Arc<str> = Arc::from("H48-260101-0001");
        for client in 1..=3 {
            assert!(guard.proof_locked(&ip(client), &code).is_none());
            assert!(guard.record_proof_failure(&ip(client), &code).is_ok());
        }
        assert!(guard.proof_locked(&ip(4), &code).is_none());
        let wait = guard
            .record_proof_failure(&ip(4), &code)
            .expect_err("the fourth wrong proof is over a burst of three");
        // Two a day: the next proof may be checked in about twelve hours.
        assert!(wait > Duration::from_secs(11 * 3600) && wait <= Duration::from_secs(12 * 3600));
        let locked = guard
            .proof_locked(&ip(9), &code)
            .expect("locked for everyone");
        assert!(locked > Duration::from_secs(11 * 3600));
        assert!(guard
            .proof_locked(&ip(9), &Arc::from("H48-260101-0002"))
            .is_none());
    }

    #[test]
    fn a_kiosk_has_budgets_of_its_own_scaled_for_a_service_centre() {
        let guard = Guard::with_kiosk_multiplier(&settings(), 3);
        let kiosk = |id: &str| ClientKey::Kiosk(Arc::from(id));
        // A citizen's not-found burst is two; a kiosk's is six.
        for _ in 0..6 {
            assert!(guard.record_not_found(&kiosk("A")).is_ok());
        }
        assert!(guard.record_not_found(&kiosk("A")).is_err());
        assert!(guard.admit(&kiosk("A")).is_err(), "kiosk A is blocked");
        assert!(guard.admit(&kiosk("B")).is_ok(), "kiosk B is not");
        assert!(guard.record_not_found(&kiosk("B")).is_ok());
        // A named client of another channel with the same text is not the kiosk.
        assert!(guard.admit(&ClientKey::Named(Arc::from("A"))).is_ok());
        assert!(guard.admit(&ip(1)).is_ok());
    }

    #[test]
    fn disabled_limits_admit_everything() {
        let guard = Guard::new(&RateLimitSettings {
            enabled: false,
            lookups_burst: 1,
            ..settings()
        });
        for _ in 0..100 {
            assert!(guard.admit(&ip(1)).is_ok());
            assert!(guard.record_not_found(&ip(1)).is_ok());
        }
    }
}
