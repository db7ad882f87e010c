//! A few long-lived connections shared by many concurrent requests. tokio-postgres pipelines the
//! queries of concurrent callers on one connection (each waits only for its own answer), so a
//! lookup that misses the cache needs neither a pool checkout nor a connection of its own: at 64
//! concurrent requests a handful of connections carry them all, with fewer round trips and
//! context switches than one pooled connection per request.
//!
//! The connections are borrowed from the service's pool and kept; one that breaks (server
//! restart, network failure) is replaced from the pool on its next use.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use deadpool_postgres::{Object, Pool, PoolError};

/// Round-robin over `lanes` shared connections.
pub struct SharedClients {
    pool: Pool,
    lanes: Vec<Lane>,
    next: AtomicUsize,
}

#[derive(Default)]
struct Lane {
    client: RwLock<Option<Arc<Object>>>,
    /// Held while a connection is being opened for this lane, so a burst of callers finding it
    /// empty opens one connection, not one each.
    filling: tokio::sync::Mutex<()>,
}

impl Lane {
    fn live(&self) -> Option<Arc<Object>> {
        let slot = self.client.read().unwrap_or_else(|e| e.into_inner());
        slot.as_ref().filter(|c| !c.is_closed()).map(Arc::clone)
    }
}

impl SharedClients {
    /// Shares `lanes` connections of `pool` (at least one).
    pub fn new(pool: Pool, lanes: usize) -> Self {
        Self {
            pool,
            lanes: (0..lanes.max(1)).map(|_| Lane::default()).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// The pool the connections come from.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// A live shared connection, opening (or replacing) one when its lane has none.
    pub async fn get(&self) -> Result<Arc<Object>, PoolError> {
        let lane = &self.lanes[self.next.fetch_add(1, Ordering::Relaxed) % self.lanes.len()];
        if let Some(client) = lane.live() {
            return Ok(client);
        }
        let _filling = lane.filling.lock().await;
        if let Some(client) = lane.live() {
            return Ok(client); // another caller filled it while we waited
        }
        let fresh = Arc::new(self.pool.get().await?);
        *lane.client.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&fresh));
        Ok(fresh)
    }
}
