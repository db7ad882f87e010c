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
