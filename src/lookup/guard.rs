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
    /// Another channel's caller (an SMS sender, a kiosk id), already pseudonymised by the channel.
    Named(Arc<str>),
}

/// A budget of failures that, once spent, blocks the key until it refills.
struct FailureBudget<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    blocked: DashMap<K, Instant>,
}

impl<K: Hash + Eq + Clone> FailureBudget<K> {
    fn new(quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota),
            blocked: DashMap::new(),
        }
    }

    /// How long `key` must still wait, if its budget is spent.
    fn blocked_for(&self, key: &K) -> Option<Duration> {
        let until = *self.blocked.get(key)?;
        let now = Instant::now();
        if until > now {
            Some(until - now)
        } else {
            self.blocked.remove_if(key, |_, at| *at <= now);
            None
        }
    }

    /// Counts one failure; when that spends the budget, blocks the key until the next refill.
    fn record_failure(&self, key: &K) {
        if let Err(not_until) = self.limiter.check_key(key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            self.blocked.insert(key.clone(), Instant::now() + wait);
        }
    }

    fn tidy(&self) {
        let now = Instant::now();
        self.blocked.retain(|_, until| *until > now);
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// All lookup limits of one instance.
pub struct Guard {
    enabled: bool,
    lookups: DefaultKeyedRateLimiter<ClientKey>,
    not_found: FailureBudget<ClientKey>,
    proof_per_dossier: FailureBudget<Arc<str>>,
    proof_per_client: FailureBudget<ClientKey>,
}

fn non_zero(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap_or(NonZeroU32::MIN)
}

impl Guard {
    /// Limits as configured (validated non-zero at start-up).
    pub fn new(settings: &RateLimitSettings) -> Self {
        let per_minute =
            |rate: u32, burst: u32| Quota::per_minute(non_zero(rate)).allow_burst(non_zero(burst));
        let per_hour = |rate: u32| Quota::per_hour(non_zero(rate)).allow_burst(non_zero(rate));
        Self {
            enabled: settings.enabled,
            lookups: RateLimiter::keyed(per_minute(
                settings.lookups_per_minute,
                settings.lookups_burst,
            )),
            not_found: FailureBudget::new(per_minute(
                settings.not_found_per_minute,
                settings.not_found_burst,
            )),
            proof_per_dossier: FailureBudget::new(per_hour(
                settings.proof_failures_per_dossier_per_hour,
            )),
            proof_per_client: FailureBudget::new(per_hour(
                settings.proof_failures_per_client_per_hour,
            )),
        }
    }

    /// Admits one lookup by `client`, or says how long to wait. Checked before any work.
    pub fn admit(&self, client: &ClientKey) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(wait) = self.not_found.blocked_for(client) {
            return Err(wait);
        }
        self.lookups
            .check_key(client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Counts a not-found answer against `client`.
    pub fn record_not_found(&self, client: &ClientKey) {
        if self.enabled {
            self.not_found.record_failure(client);
        }
    }

    /// True when proofs for this dossier or from this client must not be checked now.
    pub fn proof_locked(&self, client: &ClientKey, code: &Arc<str>) -> bool {
        self.enabled
            && (self.proof_per_dossier.blocked_for(code).is_some()
                || self.proof_per_client.blocked_for(client).is_some())
    }

    /// Counts a wrong proof against both the dossier and the client.
    pub fn record_proof_failure(&self, client: &ClientKey, code: &Arc<str>) {
        if self.enabled {
            self.proof_per_dossier.record_failure(code);
            self.proof_per_client.record_failure(client);
        }
    }

    /// Forgets keys whose limits have refilled; run periodically to bound memory.
    pub fn tidy(&self) {
        self.lookups.retain_recent();
        self.lookups.shrink_to_fit();
        self.not_found.tidy();
        self.proof_per_dossier.tidy();
        self.proof_per_client.tidy();
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
            proof_failures_per_dossier_per_hour: 3,
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
        guard.record_not_found(&ip(1));
        guard.record_not_found(&ip(1));
        assert!(
            guard.admit(&ip(1)).is_ok(),
            "budget of two not yet exceeded"
        );
        guard.record_not_found(&ip(1));
        assert!(guard.admit(&ip(1)).is_err());
        assert!(guard.admit(&ip(3)).is_ok());
    }

    #[test]
    fn wrong_proofs_lock_the_dossier_for_every_client() {
        let guard = Guard::new(&settings());
        let code: Arc<str> = Arc::from("H48-260101-0001");
        for client in 1..=4 {
            assert!(!guard.proof_locked(&ip(client), &code));
            guard.record_proof_failure(&ip(client), &code);
        }
        assert!(guard.proof_locked(&ip(9), &code));
        assert!(!guard.proof_locked(&ip(9), &Arc::from("H48-260101-0002")));
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
            guard.record_not_found(&ip(1));
        }
    }
}
