//! Throttling of staff logins (decision 0041): no account is ever locked, so a stranger cannot shut
//! staff out, and every limit is checked before any password is hashed, so a flood cannot burn the
//! CPU. Three limits, all in memory (per instance, like the lookup limits):
//!
//! - **per address**, every username together: `login_attempts_per_minute`, successful attempts
//!   included; past it the address gets 429 until the budget refills;
//! - **per username and address**: after `free_failed_logins` failures each further failure makes
//!   that pair wait before its next attempt is checked, 1 s doubling up to
//!   `max_login_delay_minutes`; a successful login clears it, and it is forgotten an hour after
//!   its wait ends (at most [`MAX_PAIRS`] pairs are remembered: past that, new pairs count only
//!   under the other two limits until tidying, every five minutes, makes room);
//! - **per username**, every address together: past `username_failures_per_minute` failures each
//!   attempt for that username waits `username_delay_secs` before its password is checked, and
//!   is never refused: the rightful user gets in, a little later.
//!
//! Usernames count whether they exist or not, so the answers never tell one from the other.
//! Hashing itself runs at most one per CPU at a time.
//!
//! IPv6 addresses count by their /64 network: one host commonly owns a whole /64, so switching
//! addresses inside it buys no fresh budget.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::config::Settings;
use crate::lookup::guard::ClientKey;

/// The longest username an account can have; longer input is counted by its first characters.
const USERNAME_KEY_CHARS: usize = 64;
/// How long a pair's failures are remembered after its wait ends.
const PAIR_MEMORY: Duration = Duration::from_secs(3600);
/// The most pairs remembered (a few megabytes), so a flood of made-up usernames from many
/// addresses cannot fill the memory.
pub const MAX_PAIRS: usize = 100_000;
/// How long a username stays slowed after a failure over its rate.
const SLOWED_FOR: Duration = Duration::from_secs(60);
/// The first wait of a pair past its free failures; each further failure doubles it.
const FIRST_DELAY: Duration = Duration::from_secs(1);

/// The key a username is counted under: trimmed, lower-cased, at most 64 characters.
pub fn username_key(raw: &str) -> Arc<str> {
    raw.trim()
        .to_lowercase()
        .chars()
        .take(USERNAME_KEY_CHARS)
        .collect::<String>()
        .into()
}

/// The key an address is counted under: an IPv6 address by its /64 network.
fn address_key(client: &ClientKey) -> ClientKey {
    match client {
        ClientKey::Ip(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let network = u128::from(*v6) & !((1u128 << 64) - 1);
            ClientKey::Ip(IpAddr::V6(network.into()))
        }
        ClientKey::Ip(IpAddr::V6(v6)) => ClientKey::Ip(IpAddr::V4(
            v6.to_ipv4_mapped()
                .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
        )),
        other => other.clone(),
    }
}

/// The wait after a pair's `failures`-th failure in a row.
fn delay_after(failures: u32, free: u32, max: Duration) -> Option<Duration> {
    let past_free = failures.checked_sub(free)?;
    let doubled = FIRST_DELAY.saturating_mul(1u32 << past_free.min(20));
    Some(doubled.min(max))
}

/// Failures of one username from one address.
#[derive(Debug, Clone, Copy)]
struct PairFailures {
    count: u32,
    last: Instant,
    not_before: Instant,
}

/// Why a login attempt is not checked now, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The address's attempts over every username are spent.
    Address(Duration),
    /// This username from this address must wait after its failures.
    Pair(Duration),
}

impl Refusal {
    /// How long the client should wait.
    pub fn wait(self) -> Duration {
        match self {
            Refusal::Address(wait) | Refusal::Pair(wait) => wait,
        }
    }

    /// Which limit refused, for the log.
    pub fn limit(self) -> &'static str {
        match self {
            Refusal::Address(_) => "address",
            Refusal::Pair(_) => "username_and_address",
        }
    }
}

/// An attempt let through: how long it waits before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    /// Set while the username is over its failure rate.
    pub delay: Option<Duration>,
}

/// The login limits of one instance.
pub struct LoginThrottle {
    enabled: bool,
    free_failures: u32,
    max_delay: Duration,
    username_delay: Duration,
    per_address: DefaultKeyedRateLimiter<ClientKey>,
    pairs: DashMap<(Arc<str>, ClientKey), PairFailures>,
    per_username: DefaultKeyedRateLimiter<Arc<str>>,
    slowed: DashMap<Arc<str>, Instant>,
    hashing: Semaphore,
}

fn per_minute(n: u32) -> Quota {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl LoginThrottle {
    /// Limits from the settings (all off, but the bound on hashing, when rate limiting is off).
    pub fn new(settings: &Settings) -> Self {
        let s = &settings.staff;
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            enabled: settings.rate_limit.enabled,
            free_failures: s.free_failed_logins,
            max_delay: Duration::from_secs(u64::from(s.max_login_delay_minutes) * 60),
            username_delay: Duration::from_secs(u64::from(s.username_delay_secs)),
            per_address: RateLimiter::keyed(per_minute(s.login_attempts_per_minute)),
            pairs: DashMap::new(),
            per_username: RateLimiter::keyed(per_minute(s.username_failures_per_minute)),
            slowed: DashMap::new(),
            hashing: Semaphore::new(cpus),
        }
    }

    /// Counts an attempt for `username` (a [`username_key`]) from `client`, or refuses it. A
    /// refused attempt spends nothing: its password must not be checked.
    pub fn admit(&self, username: &Arc<str>, client: &ClientKey) -> Result<Admitted, Refusal> {
        if !self.enabled {
            return Ok(Admitted { delay: None });
        }
        let address = address_key(client);
        let now = Instant::now();
        let pair = (Arc::clone(username), address.clone());
        if let Some(failures) = self.pairs.get(&pair).map(|f| *f) {
            if failures.not_before > now {
                return Err(Refusal::Pair(failures.not_before - now));
            }
        }
        self.per_address.check_key(&address).map_err(|not_until| {
            Refusal::Address(not_until.wait_time_from(DefaultClock::default().now()))
        })?;
        let slowed = self.slowed.get(username).is_some_and(|until| *until > now);
        Ok(Admitted {
            delay: (slowed && !self.username_delay.is_zero()).then_some(self.username_delay),
        })
    }

    /// A permit to hash one password: at most one hash per CPU runs at a time.
    pub async fn hashing_permit(&self) -> Option<SemaphorePermit<'_>> {
        self.hashing.acquire().await.ok()
    }

    /// Counts a failed login (wrong password, unknown or inactive username).
    pub fn failed(&self, username: &Arc<str>, client: &ClientKey) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let pair = (Arc::clone(username), address_key(client));
        if self.pairs.len() >= MAX_PAIRS && !self.pairs.contains_key(&pair) {
            tracing::debug!("staff login pairs at their bound: a new pair is not remembered");
        } else {
            self.count_pair_failure(pair, now);
        }
        if self.per_username.check_key(username).is_err() {
            self.slowed.insert(Arc::clone(username), now + SLOWED_FOR);
        }
    }

    fn count_pair_failure(&self, pair: (Arc<str>, ClientKey), now: Instant) {
        let mut failures = self.pairs.entry(pair).or_insert(PairFailures {
            count: 0,
            last: now,
            not_before: now,
        });
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
        if let Some(wait) = delay_after(failures.count, self.free_failures, self.max_delay) {
            failures.not_before = now + wait;
        }
    }

    /// Clears the failures of `username` from `client` after a successful login.
    pub fn succeeded(&self, username: &Arc<str>, client: &ClientKey) {
        self.pairs
            .remove(&(Arc::clone(username), address_key(client)));
    }

    /// Forgets pairs an hour after their wait ends and usernames no longer slowed.
    pub fn tidy(&self) {
        let now = Instant::now();
        self.pairs
            .retain(|_, failures| now < failures.not_before.max(failures.last) + PAIR_MEMORY);
        self.slowed.retain(|_, until| *until > now);
        self.per_username.retain_recent();
        self.per_username.shrink_to_fit();
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(adjust: impl FnOnce(&mut Settings)) -> LoginThrottle {
        let mut settings = Settings::default();
        adjust(&mut settings);
        LoginThrottle::new(&settings)
    }

    fn ip(last: u8) -> ClientKey {
        ClientKey::Ip(IpAddr::from([127, 0, 0, last]))
    }

    #[test]
    fn the_delay_doubles_past_the_free_failures_up_to_the_maximum() {
        let max = Duration::from_secs(900);
        assert_eq!(delay_after(4, 5, max), None);
        assert_eq!(delay_after(5, 5, max), Some(Duration::from_secs(1)));
        assert_eq!(delay_after(6, 5, max), Some(Duration::from_secs(2)));
        assert_eq!(delay_after(9, 5, max), Some(Duration::from_secs(16)));
        assert_eq!(delay_after(15, 5, max), Some(max));
        assert_eq!(delay_after(u32::MAX, 5, max), Some(max));
    }

    #[test]
    fn a_pair_past_its_free_failures_waits_and_other_pairs_do_not() {
        let t = throttle(|s| s.staff.free_failed_logins = 3);
        let admin = username_key(" Quan.Tri ");
        let stranger = ip(9);
        for _ in 0..3 {
            assert!(t.admit(&admin, &stranger).is_ok());
            t.failed(&admin, &stranger);
        }
        let refused = t.admit(&admin, &stranger).expect_err("the pair waits");
        assert!(matches!(refused, Refusal::Pair(wait) if wait <= Duration::from_secs(1)));
        // The same username from another address, and another username from this one, go on.
        assert_eq!(t.admit(&admin, &ip(2)), Ok(Admitted { delay: None }));
        assert!(t.admit(&username_key("khac"), &stranger).is_ok());
        // Success from an address clears that pair only.
        t.succeeded(&admin, &stranger);
        assert!(t.admit(&admin, &stranger).is_ok());
    }

    #[test]
    fn an_address_has_one_budget_for_every_username() {
        let t = throttle(|s| s.staff.login_attempts_per_minute = 4);
        for n in 0..4 {
            assert!(t.admit(&username_key(&format!("u{n}")), &ip(7)).is_ok());
        }
        let refused = t.admit(&username_key("u9"), &ip(7)).expect_err("spent");
        assert!(matches!(refused, Refusal::Address(_)));
        assert!(t.admit(&username_key("u9"), &ip(8)).is_ok());
    }

    #[test]
    fn failures_from_many_addresses_slow_a_username_without_refusing_it() {
        let t = throttle(|s| {
            s.staff.username_failures_per_minute = 5;
            s.staff.username_delay_secs = 2;
        });
        let admin = username_key("quan.tri");
        for n in 10..16 {
            assert!(t.admit(&admin, &ip(n)).is_ok());
            t.failed(&admin, &ip(n));
        }
        assert_eq!(
            t.admit(&admin, &ip(2)),
            Ok(Admitted {
                delay: Some(Duration::from_secs(2))
            }),
            "slowed, never refused"
        );
        assert_eq!(
            t.admit(&username_key("khac"), &ip(2)),
            Ok(Admitted { delay: None })
        );
    }

    #[test]
    fn the_pairs_remembered_are_bounded() {
        let t = throttle(|_| {});
        for n in 0..MAX_PAIRS {
            t.failed(&username_key(&format!("u{n}")), &ip(5));
        }
        assert_eq!(t.pairs.len(), MAX_PAIRS);
        t.failed(&username_key("one.more"), &ip(5));
        assert_eq!(
            t.pairs.len(),
            MAX_PAIRS,
            "a new pair past the bound is not kept"
        );
        let known = username_key("u1");
        t.failed(&known, &ip(5));
        assert_eq!(t.pairs.get(&(known, ip(5))).map(|f| f.count), Some(2));
        t.tidy();
        assert_eq!(t.pairs.len(), MAX_PAIRS, "recent failures are kept");
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        let a = ClientKey::Ip("2001:db8:1:2:aaaa::1".parse().expect("ip"));
        let b = ClientKey::Ip("2001:db8:1:2:bbbb::9".parse().expect("ip"));
        let c = ClientKey::Ip("2001:db8:1:3::1".parse().expect("ip"));
        assert_eq!(address_key(&a), address_key(&b));
        assert_ne!(address_key(&a), address_key(&c));
        let mapped = ClientKey::Ip("::ffff:10.0.0.1".parse().expect("ip"));
        assert_eq!(
            address_key(&mapped),
            ClientKey::Ip(IpAddr::from([10, 0, 0, 1]))
        );
    }

    #[test]
    fn long_usernames_count_by_their_first_characters() {
        let long = "a".repeat(500);
        assert_eq!(username_key(&long).chars().count(), USERNAME_KEY_CHARS);
        assert_eq!(username_key("  Quan.TRI "), username_key("quan.tri"));
    }

    #[test]
    fn with_limits_off_nothing_is_refused() {
        let t = throttle(|s| {
            s.rate_limit.enabled = false;
            s.staff.login_attempts_per_minute = 1;
        });
        let user = username_key("x");
        for _ in 0..20 {
            assert!(t.admit(&user, &ip(3)).is_ok());
            t.failed(&user, &ip(3));
        }
    }
}
