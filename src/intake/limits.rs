//! Per-client limits of questions and feedback: submissions, votes and wrong phone proofs.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::{IntakeSettings, Settings};
use crate::error::AppError;
use crate::lookup::guard::ClientKey;

/// Per-client limits of the questions-and-feedback channels: submissions, votes and wrong phone proofs.
pub struct IntakeLimits {
    enabled: bool,
    submissions: DefaultKeyedRateLimiter<ClientKey>,
    votes: DefaultKeyedRateLimiter<ClientKey>,
    proofs: DefaultKeyedRateLimiter<ClientKey>,
    /// Clients whose proof budget is spent, until it refills (every answer is refused meanwhile,
    /// so a right guess cannot be told from a wrong one).
    proof_blocked: DashMap<ClientKey, Instant>,
}

fn per_hour(n: u32) -> Quota {
    Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl IntakeLimits {
    /// Limits from the settings (all off when rate limiting is off).
    pub fn new(settings: &Settings) -> Self {
        let s: &IntakeSettings = &settings.intake;
        Self {
            enabled: settings.rate_limit.enabled,
            submissions: RateLimiter::keyed(per_hour(s.submissions_per_hour)),
            votes: RateLimiter::keyed(per_hour(s.votes_per_hour)),
            proofs: RateLimiter::keyed(per_hour(s.proof_failures_per_hour)),
            proof_blocked: DashMap::new(),
        }
    }

    fn check(
        &self,
        limiter: &DefaultKeyedRateLimiter<ClientKey>,
        key: &ClientKey,
    ) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::rate_limited(wait)
        })
    }

    /// Counts a submission.
    pub fn submission(&self, key: &ClientKey) -> Result<(), AppError> {
        self.check(&self.submissions, key)
    }

    /// Counts a vote.
    pub fn vote(&self, key: &ClientKey) -> Result<(), AppError> {
        self.check(&self.votes, key)
    }

    /// Refuses a client whose wrong-proof budget is spent.
    pub fn proof_allowed(&self, key: &ClientKey) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(until) = self.proof_blocked.get(key).map(|u| *u) {
            let now = Instant::now();
            if until > now {
                return Err(AppError::rate_limited(until - now));
            }
            self.proof_blocked.remove(key);
        }
        Ok(())
    }

    /// Counts a wrong proof.
    pub fn proof_failed(&self, key: &ClientKey) {
        if !self.enabled {
            return;
        }
        if let Err(not_until) = self.proofs.check_key(key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            self.proof_blocked.insert(
                key.clone(),
                Instant::now() + wait.max(Duration::from_secs(1)),
            );
        }
    }

    /// Drops state of clients not seen recently.
    pub fn tidy(&self) {
        let now = Instant::now();
        self.proof_blocked.retain(|_, until| *until > now);
        for limiter in [&self.submissions, &self.votes, &self.proofs] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
