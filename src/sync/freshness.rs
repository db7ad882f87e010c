//! How fresh this instance's cache is, measured against the change sequence that every instance
//! shares (`db::changes`): the snapshot of the sequence this instance has applied and the newest
//! position in it, the head of the sequence when it last looked, when the newest change was
//! recorded, and whether its change listener is connected. `/readyz` and `/metrics` read the same
//! [`FreshnessReport`].

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

/// "Not known yet" in the atomics below.
const UNKNOWN: i64 = i64::MIN;

/// Shared by the follower, the listener and the operations endpoints of one instance.
pub struct Freshness {
    /// The snapshot of the sequence whose changes this instance's cache has applied (None before
    /// the first read).
    cursor: Mutex<Option<String>>,
    /// The newest position in that snapshot.
    position: AtomicI64,
    /// The head of the sequence at the last successful check.
    head: AtomicI64,
    /// Microseconds since the epoch of the newest recorded change.
    last_change: AtomicI64,
    /// Microseconds of the oldest change after `position` seen at the last check.
    oldest_pending: AtomicI64,
    /// Microseconds of the last check that reached the head without an error.
    checked: AtomicI64,
    /// False from a failed check until a check reaches the head again.
    current: AtomicBool,
    listener_up: AtomicBool,
    /// Microseconds of the listener's last change of state.
    listener_since: AtomicI64,
    /// Set at the first connection: later ones are reconnects.
    listener_connected_once: AtomicBool,
    listener_reconnects: AtomicU64,
    /// Times the cache was dropped because changes had been pruned before it applied them.
    resets: AtomicU64,
    /// Counts the listener's connections. A check is current only if it began in the present
    /// epoch: one that began before the listener was listening again cannot have seen what was
    /// committed while nobody listened.
    epoch: AtomicU64,
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            cursor: Mutex::new(None),
            position: AtomicI64::new(UNKNOWN),
            head: AtomicI64::new(UNKNOWN),
            last_change: AtomicI64::new(UNKNOWN),
            oldest_pending: AtomicI64::new(UNKNOWN),
            checked: AtomicI64::new(UNKNOWN),
            current: AtomicBool::new(false),
            listener_up: AtomicBool::new(false),
            listener_since: AtomicI64::new(Utc::now().timestamp_micros()),
            listener_connected_once: AtomicBool::new(false),
            listener_reconnects: AtomicU64::new(0),
            resets: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
        }
    }
}

/// What `/readyz` shows and `/metrics` exports about freshness.
#[derive(Debug, Clone, Serialize)]
pub struct FreshnessReport {
    /// The last position applied here (None until the first check).
    pub position: Option<i64>,
    /// The head of the shared sequence at the last check.
    pub head: Option<i64>,
    /// Positions between the two.
    pub behind: Option<i64>,
    /// Age of the oldest change not applied here yet (0 when none).
    pub behind_seconds: f64,
    /// When the newest change anywhere was recorded.
    pub last_change_at: Option<DateTime<Utc>>,
    /// Seconds since then (None before the first change).
    pub seconds_since_update: Option<i64>,
    /// The last check reached the head without an error.
    pub current: bool,
    /// Seconds since the last successful check.
    pub checked_seconds_ago: Option<f64>,
    pub listener: ListenerReport,
    /// Times the whole cache was dropped because its changes had been pruned.
    pub cache_resets: u64,
}

/// The change listener's state.
#[derive(Debug, Clone, Serialize)]
pub struct ListenerReport {
    pub connected: bool,
    /// When it connected or lost its connection.
    pub since: Option<DateTime<Utc>>,
    pub reconnects: u64,
}

fn micros_to_time(micros: i64) -> Option<DateTime<Utc>> {
    (micros != UNKNOWN)
        .then(|| Utc.timestamp_micros(micros).single())
        .flatten()
}

fn known(value: i64) -> Option<i64> {
    (value != UNKNOWN).then_some(value)
}

impl Freshness {
    /// The newest position applied, when known.
    pub fn position(&self) -> Option<i64> {
        known(self.position.load(Ordering::Acquire))
    }

    /// The snapshot of the sequence applied, when known.
    pub fn cursor(&self) -> Option<String> {
        self.cursor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Starts counting from `snapshot`, whose newest position is `position` (the head, when the
    /// cache was empty or dropped) recorded at `changed_at`.
    pub fn start_at(
        &self,
        snapshot: String,
        position: i64,
        changed_at: Option<DateTime<Utc>>,
        epoch: u64,
    ) {
        self.advance(snapshot, position);
        self.saw_head(position, changed_at, None);
        self.checked_ok(epoch);
    }

    /// Every change in `snapshot`, whose newest position is `position`, is applied.
    pub fn advance(&self, snapshot: String, position: i64) {
        *self.cursor.lock().unwrap_or_else(|p| p.into_inner()) = Some(snapshot);
        self.position.fetch_max(position, Ordering::AcqRel);
    }

    /// A check saw the head at `head`, whose change was recorded at `changed_at`, and the oldest
    /// change not yet applied here recorded at `oldest_pending` (None: nothing pending).
    pub fn saw_head(
        &self,
        head: i64,
        changed_at: Option<DateTime<Utc>>,
        oldest_pending: Option<DateTime<Utc>>,
    ) {
        self.head.fetch_max(head, Ordering::AcqRel);
        if let Some(at) = changed_at {
            self.last_change
                .fetch_max(at.timestamp_micros(), Ordering::AcqRel);
        }
        self.oldest_pending.store(
            oldest_pending.map_or(UNKNOWN, |at| at.timestamp_micros()),
            Ordering::Release,
        );
    }

    /// This instance recorded the change at `position` at `at` (and applied it to its cache).
    pub fn saw_own_change(&self, position: i64, at: DateTime<Utc>) {
        self.head.fetch_max(position, Ordering::AcqRel);
        self.last_change
            .fetch_max(at.timestamp_micros(), Ordering::AcqRel);
    }

    /// The epoch a check begins in (read it before the check takes its snapshot).
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A check that began in `epoch` read the sequence and applied what it read without an
    /// error. It makes this instance current only if the listener has not connected again since
    /// it began: otherwise the check the new connection wakes must run first.
    pub fn checked_ok(&self, epoch: u64) {
        self.checked
            .store(Utc::now().timestamp_micros(), Ordering::Release);
        if self.epoch.load(Ordering::Acquire) == epoch {
            self.current.store(true, Ordering::Release);
        }
    }

    /// A check failed: until one succeeds, this instance does not know what it missed.
    pub fn check_failed(&self) {
        self.current.store(false, Ordering::Release);
    }

    /// The cache was dropped because changes it needed had been pruned.
    pub fn count_reset(&self) {
        self.resets.fetch_add(1, Ordering::Relaxed);
    }

    /// The listener connected (`true`) or lost its connection (`false`). A new connection
    /// begins an epoch and makes this instance not current until a check begun in it succeeds:
    /// what was committed while nobody listened is applied before `/readyz` says ready.
    pub fn listener(&self, connected: bool) {
        if connected && !self.listener_up.load(Ordering::Acquire) {
            self.epoch.fetch_add(1, Ordering::AcqRel);
            self.current.store(false, Ordering::Release);
        }
        let was = self.listener_up.swap(connected, Ordering::AcqRel);
        if was != connected {
            self.listener_since
                .store(Utc::now().timestamp_micros(), Ordering::Release);
        }
        if connected && !was && self.listener_connected_once.swap(true, Ordering::AcqRel) {
            self.listener_reconnects.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The report at `now`.
    pub fn report(&self, now: DateTime<Utc>) -> FreshnessReport {
        let position = self.position();
        let head = known(self.head.load(Ordering::Acquire));
        let last_change_at = micros_to_time(self.last_change.load(Ordering::Acquire));
        let oldest = micros_to_time(self.oldest_pending.load(Ordering::Acquire));
        let checked = micros_to_time(self.checked.load(Ordering::Acquire));
        let seconds = |at: DateTime<Utc>| (now - at).num_milliseconds().max(0) as f64 / 1000.0;
        FreshnessReport {
            position,
            head,
            behind: position.zip(head).map(|(p, h)| (h - p).max(0)),
            behind_seconds: oldest.map_or(0.0, seconds),
            last_change_at,
            seconds_since_update: last_change_at.map(|at| (now - at).num_seconds().max(0)),
            current: self.current.load(Ordering::Acquire),
            checked_seconds_ago: checked.map(seconds),
            listener: ListenerReport {
                connected: self.listener_up.load(Ordering::Acquire),
                since: micros_to_time(self.listener_since.load(Ordering::Acquire)),
                reconnects: self.listener_reconnects.load(Ordering::Relaxed),
            },
            cache_resets: self.resets.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_known_before_the_first_check() {
        let report = Freshness::default().report(Utc::now());
        assert_eq!(
            (report.position, report.head, report.behind),
            (None, None, None)
        );
        assert!(!report.current);
        assert!(!report.listener.connected);
        assert_eq!(report.seconds_since_update, None);
    }

    #[test]
    fn the_lag_is_the_head_seen_minus_the_position_applied() {
        let freshness = Freshness::default();
        let now = Utc::now();
        freshness.start_at(
            "1:1:".into(),
            7,
            Some(now - chrono::Duration::seconds(30)),
            freshness.epoch(),
        );
        freshness.saw_head(
            10,
            Some(now - chrono::Duration::seconds(3)),
            Some(now - chrono::Duration::seconds(5)),
        );
        let report = freshness.report(now);
        assert_eq!(report.behind, Some(3));
        assert_eq!(report.behind_seconds, 5.0);
        assert_eq!(report.seconds_since_update, Some(3));
        freshness.advance("2:2:".into(), 10);
        freshness.saw_head(10, None, None);
        let report = freshness.report(now);
        assert_eq!(report.behind, Some(0));
        assert_eq!(report.behind_seconds, 0.0);
    }

    #[test]
    fn a_failed_check_is_not_current_until_the_next_good_one() {
        let freshness = Freshness::default();
        freshness.start_at("1:1:".into(), 1, None, freshness.epoch());
        assert!(freshness.report(Utc::now()).current);
        assert_eq!(freshness.cursor().as_deref(), Some("1:1:"));
        freshness.check_failed();
        assert!(!freshness.report(Utc::now()).current);
        freshness.checked_ok(freshness.epoch());
        assert!(freshness.report(Utc::now()).current);
    }

    #[test]
    fn a_check_begun_before_the_listener_reconnected_does_not_make_the_instance_current() {
        let freshness = Freshness::default();
        freshness.listener(true);
        freshness.start_at("1:1:".into(), 1, None, freshness.epoch());
        assert!(freshness.report(Utc::now()).current);
        freshness.listener(false);
        // A check takes its snapshot while nobody listens; the listener connects again before
        // the check ends: what was committed in between may be missing from that snapshot.
        let begun = freshness.epoch();
        freshness.listener(true);
        assert!(
            !freshness.report(Utc::now()).current,
            "a new connection needs a new check"
        );
        freshness.checked_ok(begun);
        assert!(
            !freshness.report(Utc::now()).current,
            "the older check does not count"
        );
        freshness.checked_ok(freshness.epoch());
        assert!(freshness.report(Utc::now()).current);
    }

    #[test]
    fn only_connections_after_the_first_count_as_reconnects() {
        let freshness = Freshness::default();
        freshness.listener(true);
        freshness.listener(false);
        freshness.listener(false);
        assert_eq!(freshness.report(Utc::now()).listener.reconnects, 0);
        freshness.listener(true);
        let report = freshness.report(Utc::now());
        assert_eq!(report.listener.reconnects, 1);
        assert!(report.listener.connected);
    }
}
