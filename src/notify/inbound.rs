//! What citizens text in: the record of every inbound message with the reply it got, and the
//! changes a message may ask for (subscribe, unsubscribe, opt out, rate a dossier). A change
//! commits in one transaction with the record of the message that asked for it
//! ([`NotifyService::apply_and_record`]). Answers that change nothing are recorded after the
//! reply, in batches ([`InboundWriter`], fed by the SMS channel's recorder); a record is never
//! what such a reply waits for.

use deadpool_postgres::Pool;

use super::{subscriptions, NotifyService};
use crate::config::DatabaseSettings;
use crate::db;
use crate::domain::sms::Rating;
use crate::domain::{DossierCode, PhoneNumber};

pub use crate::db::sms::InboundRecord;

/// What was done with a message: the command it was taken for, the outcome recorded (and counted)
/// with it, and the reply.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The command as recorded (`lookup`, `subscribe`, …; `none` when none was read).
    pub verb: &'static str,
    /// The outcome as recorded: `status`, `subscribed`, `duplicate`, a template's name, ….
    pub outcome: &'static str,
    /// The reply SMS; `None` sends nothing.
    pub reply: Option<String>,
}

impl Answer {
    /// An answer with a reply.
    pub fn new(verb: &'static str, outcome: &'static str, reply: String) -> Self {
        Self {
            verb,
            outcome,
            reply: Some(reply),
        }
    }

    /// Writes what was done into the message's record.
    pub fn stamp(&self, record: &mut InboundRecord) {
        record.command = self.verb;
        record.outcome = self.outcome;
        record.reply = self.reply.clone();
    }
}

/// A change a message asks for. The sender's right to ask (a mobile number, a dossier that
/// exists) is the caller's to check; the change itself is idempotent, so a repeated delivery
/// that reaches another instance changes nothing more.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// Follow a dossier's status changes: lifts an opt-out and the dossier's mute, within the
    /// configured number of dossiers per phone.
    Subscribe {
        /// The mobile number to text.
        phone: &'a PhoneNumber,
        /// The dossier to follow.
        code: &'a DossierCode,
    },
    /// Stop following one dossier: it is muted, and what is queued about it is cancelled.
    Unsubscribe {
        /// The mobile number.
        phone: &'a PhoneNumber,
        /// The dossier.
        code: &'a DossierCode,
    },
    /// No more SMS to this phone: every subscription ends and what is queued is cancelled.
    OptOut {
        /// The mobile number.
        phone: &'a PhoneNumber,
    },
    /// The message's sender rates how a dossier was handled (a later rating replaces it). Only
    /// the applicant's phone and the phones following the dossier may, and only once handling
    /// has ended (decision 0056).
    Rate {
        /// The dossier rated.
        code: &'a DossierCode,
        /// The rating.
        rating: Rating,
        /// Whether the dossier's status allows a rating ([`Rating::allowed_for`]).
        status_allows: bool,
    },
}

/// What a [`Change`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The phone follows the dossier.
    Subscribed,
    /// The phone already follows as many dossiers as it may: nothing changed.
    SubscriptionLimit,
    /// The phone no longer follows the dossier.
    Unsubscribed,
    /// The phone gets no more SMS.
    OptedOut,
    /// The rating is stored (the rating, for the reply).
    Rated(Rating),
    /// Nothing stored: the sender is neither the applicant's phone nor follows the dossier.
    RatingNotYours,
    /// Nothing stored: the dossier is still being handled.
    RatingTooEarly,
}

impl NotifyService {
    /// Applies `change` (if any) and records the message, in one transaction: `answer` turns
    /// what the change did into the reply, which is recorded with the message, and the
    /// transaction commits after that. An error (the database, or `answer` failing) leaves
    /// nothing changed and nothing recorded.
    pub async fn apply_and_record(
        &self,
        change: Option<Change<'_>>,
        record: &mut InboundRecord,
        answer: impl FnOnce(Option<Applied>) -> anyhow::Result<Answer>,
    ) -> anyhow::Result<Answer> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let applied = match change {
            Some(change) => Some(self.apply(&transaction, change, &record.sender).await?),
            None => None,
        };
        let answer = answer(applied)?;
        answer.stamp(record);
        db::sms::insert_inbound(&transaction, record).await?;
        transaction.commit().await?;
        Ok(answer)
    }

    async fn apply(
        &self,
        client: &impl deadpool_postgres::GenericClient,
        change: Change<'_>,
        sender: &str,
    ) -> anyhow::Result<Applied> {
        Ok(match change {
            Change::Subscribe { phone, code } => {
                let max = self.max_subscriptions;
                if subscriptions::subscribe(client, phone.e164(), code.as_str(), max).await? {
                    Applied::Subscribed
                } else {
                    Applied::SubscriptionLimit
                }
            }
            Change::Unsubscribe { phone, code } => {
                subscriptions::unsubscribe(client, phone.e164(), code.as_str()).await?;
                Applied::Unsubscribed
            }
            Change::OptOut { phone } => {
                subscriptions::opt_out(client, phone.e164()).await?;
                Applied::OptedOut
            }
            Change::Rate {
                code,
                rating,
                status_allows,
            } => {
                if !db::sms::may_rate(client, sender, code.as_str()).await? {
                    Applied::RatingNotYours
                } else if !status_allows {
                    Applied::RatingTooEarly
                } else {
                    db::sms::upsert_rating(client, sender, code.as_str(), rating.value()).await?;
                    Applied::Rated(rating)
                }
            }
        })
    }
}

/// Writes batches of inbound records over a connection of its own, whose commits do not wait for
/// the WAL flush (`synchronous_commit = off`): a crash of PostgreSQL may lose the last fraction of
/// a second of these records, which only say how lookups, help and error replies went.
pub struct InboundWriter {
    pool: Pool,
}

impl InboundWriter {
    /// A writer for the database at `connection`; its one connection opens when first needed.
    pub fn new(connection: &str, database: &DatabaseSettings) -> anyhow::Result<Self> {
        let settings = DatabaseSettings {
            pool_size: 1,
            ..database.clone()
        };
        let pool = db::build_pool_with(connection, &settings, |config| {
            let options = config
                .get_options()
                .map(|o| format!("{o} "))
                .unwrap_or_default();
            config.options(format!("{options}-c synchronous_commit=off"));
        })?;
        Ok(Self { pool })
    }

    /// Writes a batch with one binary `COPY`. When PostgreSQL refuses the `COPY` itself (a row
    /// breaking a constraint, which validation should make impossible), the rows are written one
    /// by one so only the bad ones are lost, rather than the batch being retried for ever;
    /// connection failures are returned, and the caller retries the batch.
    pub async fn write(&self, batch: &[InboundRecord]) -> anyhow::Result<()> {
        let client = self.pool.get().await?;
        let refused = match db::sms::copy_inbound(&client, batch).await {
            Ok(_) => return Ok(()),
            Err(error) if is_refusal(&error) => error,
            Err(error) => return Err(error),
        };
        let mut lost = 0;
        for record in batch {
            if let Err(error) = db::sms::insert_inbound(&client, record).await {
                if !is_refusal(&error) {
                    return Err(error);
                }
                lost += 1;
            }
        }
        tracing::error!(
            lost,
            "{lost} inbound SMS records refused by the database: {}",
            crate::error::redacted_chain(&refused)
        );
        Ok(())
    }
}

/// An error PostgreSQL reported about the statement (not a lost connection).
fn is_refusal(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|link| link.downcast_ref::<tokio_postgres::Error>())
        .any(|e| e.as_db_error().is_some())
}
