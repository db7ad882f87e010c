//! What we currently believe about the database's reachability. A background probe keeps it
//! fresh; query failures mark it down at once, so cache misses fail fast instead of each waiting
//! out a connection timeout while the database is gone.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

/// Shared health state of the database.
#[derive(Debug)]
pub struct DbHealth {
    up: AtomicBool,
    last_ok_unix: AtomicI64,
}

impl Default for DbHealth {
    fn default() -> Self {
        Self {
            up: AtomicBool::new(true),
            last_ok_unix: AtomicI64::new(Utc::now().timestamp()),
        }
    }
}

impl DbHealth {
    /// True unless the last probe or query failed.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// When the database last answered.
    pub fn last_ok(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.last_ok_unix.load(Ordering::Acquire), 0)
    }

    /// Records a successful round trip.
    pub fn mark_up(&self) {
        self.last_ok_unix
            .store(Utc::now().timestamp(), Ordering::Release);
        if !self.up.swap(true, Ordering::AcqRel) {
            tracing::info!("database reachable again");
        }
    }

    /// Records a failure to reach the database.
    pub fn mark_down(&self, error: &dyn std::fmt::Display) {
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(error = %error, "database unreachable, answering from cache: {error}");
        }
    }

    /// One probe: a connection from the pool and `SELECT 1`.
    pub async fn probe(&self, pool: &Pool, timeout: Duration) -> bool {
        let attempt = async {
            let client = pool.get().await?;
            client.simple_query("SELECT 1").await?;
            anyhow::Ok(())
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(())) => {
                self.mark_up();
                true
            }
            Ok(Err(error)) => {
                self.mark_down(&format!("{error:#}"));
                false
            }
            Err(_) => {
                self.mark_down(&"timed out");
                false
            }
        }
    }

    /// Probes forever at `every`.
    pub async fn watch(self: Arc<Self>, pool: Pool, every: Duration, timeout: Duration) {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.probe(&pool, timeout).await;
        }
    }
}

/// What the background probe of the replica (`database.read_url`) last saw: whether it answered,
/// and how far behind the primary its replay is.
#[derive(Debug, Default)]
pub struct ReplicaHealth {
    up: AtomicBool,
    /// Replay lag in milliseconds at the last successful probe.
    lag_millis: AtomicI64,
}

/// The replica's replay lag in seconds, as the replica itself knows it: 0 while it has replayed
/// everything it received and its WAL receiver runs (or when it is no replica, e.g. promoted);
/// otherwise the age of the last transaction it replayed. A replica whose receiver stopped shows
/// its age too, since it cannot know what it missed.
const REPLICA_LAG_SQL: &str = "SELECT CASE \
     WHEN NOT pg_is_in_recovery() THEN 0 \
     WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() \
          AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0 \
     ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) \
     END::float8";

impl ReplicaHealth {
    /// True when the replica answered the last probe.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Seconds the replica's replay was behind at the last successful probe.
    pub fn lag_seconds(&self) -> f64 {
        self.lag_millis.load(Ordering::Acquire) as f64 / 1000.0
    }

    /// One probe: a connection from the replica's pool and the lag query.
    pub async fn probe(&self, pool: &Pool, timeout: Duration) -> bool {
        let attempt = async {
            let client = pool.get().await?;
            let lag: f64 = client.query_one(REPLICA_LAG_SQL, &[]).await?.get(0);
            anyhow::Ok(lag)
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(lag)) => {
                self.lag_millis
                    .store((lag.max(0.0) * 1000.0) as i64, Ordering::Release);
                if !self.up.swap(true, Ordering::AcqRel) {
                    tracing::info!("replica reachable");
                }
                true
            }
            Ok(Err(error)) => {
                self.mark_down(&format!("{error:#}"));
                false
            }
            Err(_) => {
                self.mark_down(&"timed out");
                false
            }
        }
    }

    fn mark_down(&self, error: &dyn std::fmt::Display) {
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(error = %error, "replica unreachable: {error}");
        }
    }

    /// Probes forever at `every`.
    pub async fn watch(self: Arc<Self>, pool: Pool, every: Duration, timeout: Duration) {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.probe(&pool, timeout).await;
        }
    }
}
