//! The SMS outbox (docs/channels/sms.md), shared by every module that texts citizens: status-change
//! notifications from sync, "your answer is published" from questions and feedback, "text the
//! status to this caller" from the hotline console. Callers queue with [`enqueue`] inside their
//! own transaction, so a message exists exactly when the change that caused it committed.
//!
//! Guarantees: a `dedupe_key` is unique, so the same notification is never queued twice; phones
//! that opted out (or muted the dossier) get nothing queued; the worker claims rows with
//! `FOR UPDATE SKIP LOCKED` and commits the move to `sending` before it calls Kannel, so neither a
//! crash nor a second instance can send a row again. A row whose send was interrupted stays
//! `sending` until a delivery report settles it, or is marked failed after a timeout: never
//! resent, because Kannel may already have taken it.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewSms<'a> {
    /// E.164 phone (`+84…`).
    pub recipient: &'a str,
    /// The text: unaccented GSM-7, at most two segments (render it with `domain::sms`).
    pub body: &'a str,
    /// What it is, lowercase snake case (`status_change`, `received`, `answered`,
    /// `answer_published`, `hotline_status`).
    pub kind: &'a str,
    /// Unique per notification, e.g. `status_change:<code>:<version>:<phone>`; a second enqueue
    /// with the same key is ignored.
    pub dedupe_key: &'a str,
    /// The dossier it is about, if any (per-dossier mutes apply to it).
    pub dossier_code: Option<&'a str>,
    /// Not before this time (None: as soon as quiet hours allow).
    pub not_before: Option<DateTime<Utc>>,
}

const ENQUEUE: &str = "
INSERT INTO sms_outbox (recipient, body, kind, dedupe_key, dossier_code, not_before,
    next_attempt_at)
SELECT i.recipient, i.body, i.kind, i.dedupe_key, i.dossier_code,
    coalesce(i.not_before, now()), coalesce(i.not_before, now())
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
    AS i(recipient, body, kind, dedupe_key, dossier_code, not_before)
WHERE NOT EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.phone = i.recipient)
  AND NOT EXISTS (SELECT 1 FROM sms_mutes m
                  WHERE m.phone = i.recipient AND m.dossier_code = i.dossier_code)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id";

/// Queues one message inside the caller's transaction. Returns its id, or `None` when a message
/// with the same dedupe key exists or the recipient opted out.
pub async fn enqueue(client: &impl GenericClient, sms: &NewSms<'_>) -> anyhow::Result<Option<i64>> {
    Ok(enqueue_many(client, std::slice::from_ref(sms))
        .await?
        .into_iter()
        .next())
}

/// Queues several messages in one statement; returns the ids of those queued.
pub async fn enqueue_many(
    client: &impl GenericClient,
    messages: &[NewSms<'_>],
) -> anyhow::Result<Vec<i64>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let recipient: Vec<&str> = messages.iter().map(|m| m.recipient).collect();
    let body: Vec<&str> = messages.iter().map(|m| m.body).collect();
    let kind: Vec<&str> = messages.iter().map(|m| m.kind).collect();
    let key: Vec<&str> = messages.iter().map(|m| m.dedupe_key).collect();
    let code: Vec<Option<&str>> = messages.iter().map(|m| m.dossier_code).collect();
    let not_before: Vec<Option<DateTime<Utc>>> = messages.iter().map(|m| m.not_before).collect();
    let statement = client.prepare_cached(ENQUEUE).await?;
    Ok(client
        .query(
            &statement,
            &[&recipient, &body, &kind, &key, &code, &not_before],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// A claimed message, ready to send.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient: String,
    pub body: String,
    pub kind: String,
    /// Attempts including this one.
    pub attempts: i32,
}

/// One statement, so the claim commits on its own: due rows move to `sending` and belong to
/// `$1`. `SKIP LOCKED` lets several instances claim side by side without waiting or overlapping.
const CLAIM_DUE: &str = "
UPDATE sms_outbox o SET state = 'sending', attempts = o.attempts + 1, claimed_by = $1
WHERE o.id IN (
    SELECT id FROM sms_outbox
    WHERE state = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED)
RETURNING o.id, o.recipient, o.body, o.kind, o.attempts";

/// Claims up to `limit` due messages for `instance`.
pub async fn claim_due(
    client: &impl GenericClient,
    instance: &str,
    limit: i64,
) -> anyhow::Result<Vec<OutboxMessage>> {
    let statement = client.prepare_cached(CLAIM_DUE).await?;
    let mut claimed: Vec<OutboxMessage> = client
        .query(&statement, &[&instance, &limit])
        .await?
        .iter()
        .map(|r| OutboxMessage {
            id: r.get(0),
            recipient: r.get(1),
            body: r.get(2),
            kind: r.get(3),
            attempts: r.get(4),
        })
        .collect();
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

const MARK_SENT: &str = "UPDATE sms_outbox SET state = 'sent', sent_at = now(),
    gateway_answer = $2, last_error = NULL
    WHERE id = $1 AND state = 'sending'";

/// Kannel accepted the message.
pub async fn mark_sent(client: &impl GenericClient, id: i64, answer: &str) -> anyhow::Result<()> {
    let statement = client.prepare_cached(MARK_SENT).await?;
    client.execute(&statement, &[&id, &answer]).await?;
    Ok(())
}

const MARK_RETRY: &str = "UPDATE sms_outbox SET state = 'queued', next_attempt_at = $2,
    last_error = $3, claimed_by = NULL
    WHERE id = $1 AND state = 'sending'";

/// Kannel certainly did not take the message (unreachable, refused): try again at `at`.
pub async fn mark_retry(
    client: &impl GenericClient,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(MARK_RETRY).await?;
    client.execute(&statement, &[&id, &at, &error]).await?;
    Ok(())
}

const MARK_FAILED: &str = "UPDATE sms_outbox SET state = 'failed', last_error = $2
    WHERE id = $1 AND state = 'sending'";

/// Gives up on a message.
pub async fn mark_failed(client: &impl GenericClient, id: i64, error: &str) -> anyhow::Result<()> {
    let statement = client.prepare_cached(MARK_FAILED).await?;
    client.execute(&statement, &[&id, &error]).await?;
    Ok(())
}

const FAIL_STUCK: &str = "UPDATE sms_outbox SET state = 'failed',
    last_error = 'send interrupted and no delivery report: not resent, to avoid a duplicate'
    WHERE state = 'sending' AND updated_at < $1";

/// Messages left in `sending` since before `before` (a crash or a lost answer mid-send) are
/// marked failed rather than sent again. Returns how many.
pub async fn fail_stuck_sending(
    client: &impl GenericClient,
    before: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(FAIL_STUCK).await?;
    Ok(client.execute(&statement, &[&before]).await?)
}

const CANCEL_FOR_PHONE: &str = "UPDATE sms_outbox SET state = 'cancelled', last_error = 'opted out'
    WHERE recipient = $1 AND state = 'queued' AND ($2::text IS NULL OR dossier_code = $2)";

/// Cancels what is still queued for a phone (about one dossier, or everything).
pub async fn cancel_queued_for(
    client: &impl GenericClient,
    phone: &str,
    dossier_code: Option<&str>,
) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(CANCEL_FOR_PHONE).await?;
    Ok(client.execute(&statement, &[&phone, &dossier_code]).await?)
}

const INSERT_REPORT: &str = "INSERT INTO sms_delivery_reports (outbox_id, status, answer)
    SELECT id, $2, $3 FROM sms_outbox WHERE id = $1";

/// Delivery-report values Kannel sends (`%d`): 1 delivered, 2 failed, 4 buffered, 8 accepted by
/// the SMSC, 16 rejected by the SMSC. A final report settles the state; a later non-final report
/// never undoes a final one.
const UPDATE_FROM_REPORT: &str = "
UPDATE sms_outbox SET dlr_status = $2::int2, dlr_answer = $3, dlr_at = now(),
    state = CASE
        WHEN $2::int2 = 1 THEN 'delivered'
        WHEN $2::int2 IN (2, 16) THEN 'failed'
        WHEN state = 'sending' THEN 'sent'
        ELSE state END,
    sent_at = coalesce(sent_at, now())
WHERE id = $1 AND state NOT IN ('delivered', 'failed', 'cancelled')";

/// Records a delivery report; false when no such message exists.
pub async fn record_delivery_report(
    client: &impl GenericClient,
    id: i64,
    status: i16,
    answer: Option<&str>,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(INSERT_REPORT).await?;
    if client.execute(&statement, &[&id, &status, &answer]).await? == 0 {
        return Ok(false);
    }
    let statement = client.prepare_cached(UPDATE_FROM_REPORT).await?;
    client.execute(&statement, &[&id, &status, &answer]).await?;
    Ok(true)
}
