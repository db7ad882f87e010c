//! The outbox: messages are queued inside the transaction that decided to send them
//! ([`enqueue`], [`enqueue_many`]), so a message exists exactly when that change committed; the
//! sender worker claims what is due and records how each send ended; delivery reports settle the
//! rest. The statements and their guarantees (dedupe keys, opt-outs and mutes, claims that never
//! overlap) are `db::sms_outbox`'s; this module is the way every other module reaches them.

use chrono::{DateTime, Utc};

use super::NotifyService;
use crate::db;
use crate::error::AppError;

pub use crate::db::sms_outbox::{enqueue, enqueue_many, NewSms, OutboxMessage};

/// How one send of a claimed message ended, as the outbox records it.
#[derive(Debug, Clone, Copy)]
pub enum Sent<'a> {
    /// The gateway took the message, answering this.
    Accepted(&'a str),
    /// The gateway certainly did not take it: try again at `at`.
    Retry {
        /// When the message is due again.
        at: DateTime<Utc>,
        /// Why this attempt failed.
        error: &'a str,
    },
    /// Not taken, and no attempts are left: the message is failed.
    GaveUp(&'a str),
    /// Unknown whether the gateway took it: the message stays `sending` until a delivery report
    /// settles it or [`NotifyService::fail_stuck_sending`] gives up on it, and is never resent.
    Unknown,
}

impl NotifyService {
    /// Claims up to `limit` due messages for `instance`; each is `sending` once this returns, so
    /// no other instance sends it.
    pub async fn claim_due(
        &self,
        instance: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<OutboxMessage>> {
        let client = self.pool.get().await?;
        db::sms_outbox::claim_due(&client, instance, limit).await
    }

    /// Records how the send of message `id` ended (one statement, none for [`Sent::Unknown`]).
    pub async fn settle(&self, id: i64, sent: Sent<'_>) -> anyhow::Result<()> {
        let client = self.pool.get().await?;
        match sent {
            Sent::Accepted(answer) => db::sms_outbox::mark_sent(&client, id, answer).await,
            Sent::Retry { at, error } => db::sms_outbox::mark_retry(&client, id, at, error).await,
            Sent::GaveUp(error) => db::sms_outbox::mark_failed(&client, id, error).await,
            Sent::Unknown => Ok(()),
        }
    }

    /// Marks failed the messages left `sending` since before `before` (an interrupted send is
    /// never repeated: Kannel may have taken it). Returns how many.
    pub async fn fail_stuck_sending(&self, before: DateTime<Utc>) -> anyhow::Result<u64> {
        let client = self.pool.get().await?;
        db::sms_outbox::fail_stuck_sending(&client, before).await
    }

    /// Stores Kannel's delivery report `status` (with its `answer`) for message `id` and moves
    /// the message's state along. False when there is no such message. "Unavailable" when the
    /// database cannot be reached; a failed statement is our own failure.
    pub async fn record_delivery_report(
        &self,
        id: i64,
        status: i16,
        answer: Option<&str>,
    ) -> Result<bool, AppError> {
        let client = self
            .pool
            .get()
            .await
            .map_err(|e| AppError::unavailable(Some(e.into())))?;
        db::sms_outbox::record_delivery_report(&client, id, status, answer)
            .await
            .map_err(AppError::internal)
    }
}
