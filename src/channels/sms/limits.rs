//! Per-sender limits (issue 5): governor keyed limiters per minute and per day. The first message
//! past a limit gets one polite "too many requests" reply; later ones get silence until the
//! budget refills, so a flood cannot make us flood back.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::SmsSettings;
use crate::lookup::guard::ClientKey;

/// What to do with a sender's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within the limits.
    Admit,
    /// Just went over: answer once with the notice.
    Notify,
    /// Over, already told: answer nothing.
    Silence,
}

/// The SMS limits of one instance.
pub struct SenderLimits {
    enabled: bool,
    per_minute: DefaultKeyedRateLimiter<ClientKey>,
    per_day: DefaultKeyedRateLimiter<ClientKey>,
    /// Senders already told, until when.
    told: DashMap<ClientKey, Instant>,
}

fn quota(count: u32, period: Duration) -> Quota {
    let count = NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period / count.get())
        .unwrap_or_else(|| Quota::per_second(count))
        .allow_burst(count)
}

impl SenderLimits {
    /// Limits from the settings; `enabled` false admits everything (benchmarks).
    pub fn new(settings: &SmsSettings, enabled: bool) -> Self {
        Self {
            enabled,
            per_minute: RateLimiter::keyed(quota(
                settings.per_sender_per_minute,
                Duration::from_secs(60),
            )),
            per_day: RateLimiter::keyed(quota(
                settings.per_sender_per_day,
                Duration::from_secs(86_400),
            )),
            told: DashMap::new(),
        }
    }

    /// Counts one message of `key`.
    pub fn admit(&self, key: &ClientKey) -> Admission {
        if !self.enabled {
            return Admission::Admit;
        }
        let now = Instant::now();
        let verdict = self
            .per_minute
            .check_key(key)
            .and_then(|()| self.per_day.check_key(key));
        match verdict {
            Ok(()) => Admission::Admit,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let mut told = self.told.entry(key.clone()).or_insert(now);
                if *told > now {
                    Admission::Silence
                } else {
                    *told = now + wait;
                    Admission::Notify
                }
            }
        }
    }

    /// Forgets idle senders.
    pub fn tidy(&self) {
        let now = Instant::now();
        self.told.retain(|_, until| *until > now);
        self.per_minute.retain_recent();
        self.per_day.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_first_message_over_the_limit_is_told_and_the_rest_are_silenced() {
        let settings = SmsSettings {
            per_sender_per_minute: 3,
            ..SmsSettings::default()
        };
        let limits = SenderLimits::new(&settings, true);
        let a = ClientKey::Named(Arc::from("a"));
        let b = ClientKey::Named(Arc::from("b"));
        let seen: Vec<Admission> = (0..6).map(|_| limits.admit(&a)).collect();
        assert_eq!(
            seen,
            [
                Admission::Admit,
                Admission::Admit,
                Admission::Admit,
                Admission::Notify,
                Admission::Silence,
                Admission::Silence
            ]
        );
        assert_eq!(
            limits.admit(&b),
            Admission::Admit,
            "senders are counted apart"
        );
        let off = SenderLimits::new(&settings, false);
        assert!((0..10).all(|_| off.admit(&a) == Admission::Admit));
    }
}

/// Keys seen within a window (issue 5): the same sender and text within a minute, or the same
/// Kannel message id within an hour, count as one message. Kept in memory by each instance, so
/// checking costs no database round trip; a repeat that reaches another instance, or arrives
/// after a restart, is answered again. Kannel repeats a message only when it got no answer, so
/// that reply is usually the first to reach the citizen, and the commands are idempotent.
pub struct RecentKeys {
    window: Duration,
    seen: DashMap<u64, Instant>,
    keys: std::collections::hash_map::RandomState,
}

/// Most keys `RecentKeys::tidy` leaves (about 40 MB): under a flood of distinct messages the
/// oldest are forgotten before the window ends rather than memory growing with the traffic.
const RECENT_KEYS_MAX: usize = 1_000_000;

impl RecentKeys {
    /// A window of `window`.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            seen: DashMap::new(),
            keys: std::collections::hash_map::RandomState::new(),
        }
    }

    /// True when `key` was seen within the window; otherwise remembers it. Only a keyed hash of
    /// the key is kept, never the phone number or text itself.
    pub fn repeated(&self, key: impl std::hash::Hash) -> bool {
        use std::hash::BuildHasher;
        let key = self.keys.hash_one(key);
        let now = Instant::now();
        let mut repeated = false;
        self.seen
            .entry(key)
            .and_modify(|at| {
                if now.duration_since(*at) < self.window {
                    repeated = true;
                } else {
                    *at = now;
                }
            })
            .or_insert(now);
        repeated
    }

    /// Forgets keys older than the window, then, while more than `RECENT_KEYS_MAX` remain, those
    /// older than half as long again.
    pub fn tidy(&self) {
        self.tidy_to(RECENT_KEYS_MAX);
    }

    fn tidy_to(&self, max: usize) {
        let now = Instant::now();
        let mut keep = self.window;
        loop {
            self.seen.retain(|_, at| now.duration_since(*at) < keep);
            if self.seen.len() <= max || keep.is_zero() {
                return;
            }
            keep /= 2;
        }
    }
}

#[cfg(test)]
mod recent_tests {
    use super::*;

    #[test]
    fn a_text_repeats_only_from_the_same_sender_within_the_window() {
        let recent = RecentKeys::new(Duration::from_secs(60));
        assert!(!recent.repeated(("+84912345678", b"a")));
        assert!(recent.repeated(("+84912345678", b"a")));
        assert!(!recent.repeated(("+84912345679", b"a")));
        assert!(!recent.repeated(("+84912345678", b"b")));
        let short = RecentKeys::new(Duration::ZERO);
        assert!(!short.repeated(("x", b"a")));
        assert!(!short.repeated(("x", b"a")));
    }

    #[test]
    fn a_message_id_repeats_within_the_window_and_is_forgotten_after_it() {
        let ids = RecentKeys::new(Duration::from_millis(50));
        assert!(!ids.repeated("kannel-1"));
        assert!(ids.repeated("kannel-1"));
        assert!(!ids.repeated("kannel-2"));
        std::thread::sleep(Duration::from_millis(60));
        ids.tidy();
        assert!(ids.seen.is_empty(), "tidy forgets what is past the window");
        assert!(!ids.repeated("kannel-1"));
    }

    #[test]
    fn over_the_bound_the_oldest_keys_go_first() {
        let ids = RecentKeys::new(Duration::from_secs(3_600));
        for i in 0..4 {
            ids.repeated(format!("old-{i}"));
        }
        std::thread::sleep(Duration::from_millis(250));
        for i in 0..2 {
            ids.repeated(format!("new-{i}"));
        }
        ids.tidy_to(3);
        assert!(ids.seen.len() <= 3, "{} left", ids.seen.len());
        assert!(
            ids.repeated("new-0") && ids.repeated("new-1"),
            "the newest stay"
        );
        assert!(!ids.repeated("old-0"), "the oldest went");
    }
}
