//! Notifications by SMS, in one place: the transactional outbox every message to a citizen leaves
//! through (queueing, the sender's claims and results, Kannel's delivery reports). Channels parse
//! and answer; the database work behind SMS is done here, so the SMS channel never reaches `db`.
//! The service knows nothing of HTTP or Kannel: how a message travels is the channel's business.

pub mod inbound;
pub mod outbox;

use deadpool_postgres::Pool;

/// The notifications service: the outbox over the primary's pool.
pub struct NotifyService {
    pool: Pool,
}

impl NotifyService {
    /// Wires the service over the primary's pool (the outbox is written, never read from a
    /// replica).
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}
