//! Notifications by SMS, in one place: subscriptions (who follows which dossier, mutes,
//! opt-outs and their limit), the record of what citizens text in with the changes they ask for,
//! status-change detection (`status_changes`, run in a sync batch's transaction), the "answer
//! published" notice (`answers`), and the transactional outbox every message to a citizen leaves
//! through (queueing, the sender's
//! claims and results, Kannel's delivery reports). Channels parse and answer; the database work
//! behind SMS is done here, so the SMS channel never reaches `db`. The service knows nothing of
//! HTTP or Kannel: how a message travels is the channel's business.

pub mod answers;
pub mod inbound;
pub mod outbox;
pub mod status_changes;
pub mod subscriptions;

use deadpool_postgres::Pool;

use crate::config::SmsSettings;

/// The notifications service: subscriptions, inbound records and the outbox, over the primary's
/// pool.
pub struct NotifyService {
    pool: Pool,
    /// Most dossiers one phone may follow.
    max_subscriptions: u32,
}

impl NotifyService {
    /// Wires the service over the primary's pool (everything here is written, never read from a
    /// replica).
    pub fn new(pool: Pool, settings: &SmsSettings) -> Self {
        Self {
            pool,
            max_subscriptions: settings.max_subscriptions,
        }
    }
}
