//! The tables of SMS notifications (the `notify` service): inbound messages (recorded with the
//! reply given; duplicates are recognised in memory, see `channels::sms::limits`), subscriptions,
//! opt-outs, per-dossier mutes and ratings. Phones are E.164 strings; callers never log them
//! unmasked.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

/// One inbound message as recorded.
#[derive(Debug, Clone)]
pub struct InboundRecord {
    /// Kannel's message id (`%I`), when it sent one.
    pub gateway_id: Option<String>,
    /// The sender: E.164 when it is a Vietnamese number, else as the gateway gave it.
    pub sender: String,
    pub receiver: String,
    pub body: String,
    /// SHA-256 of the normalised text.
    pub body_hash: Vec<u8>,
    pub command: &'static str,
    pub outcome: &'static str,
    pub reply: Option<String>,
    pub gateway_time: Option<DateTime<Utc>>,
}

/// Records one message (the state-changing commands, inside their own transaction).
const INSERT_INBOUND: &str = "
INSERT INTO sms_inbound (gateway_id, sender, receiver, body, body_hash, command, outcome, reply,
    gateway_time)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Records one message inside the caller's transaction.
pub async fn insert_inbound(
    client: &impl GenericClient,
    record: &InboundRecord,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_INBOUND).await?;
    client
        .execute(
            &statement,
            &[
                &record.gateway_id,
                &record.sender,
                &record.receiver,
                &record.body,
                &record.body_hash,
                &record.command,
                &record.outcome,
                &record.reply,
                &record.gateway_time,
            ],
        )
        .await?;
    Ok(())
}

/// The columns `copy_inbound` writes, in order.
const COPY_INBOUND: &str = "
COPY sms_inbound (gateway_id, sender, receiver, body, body_hash, command, outcome, reply,
    gateway_time) FROM STDIN (FORMAT binary)";

/// Records a batch of messages with one binary `COPY` (the cheapest way PostgreSQL takes rows).
/// Returns the number of rows written.
pub async fn copy_inbound(
    client: &tokio_postgres::Client,
    batch: &[InboundRecord],
) -> anyhow::Result<u64> {
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::{ToSql, Type};

    let sink = client.copy_in(COPY_INBOUND).await?;
    let types = [
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::BYTEA,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TIMESTAMPTZ,
    ];
    let writer = BinaryCopyInWriter::new(sink, &types);
    futures_util::pin_mut!(writer);
    for record in batch {
        let row: [&(dyn ToSql + Sync); 9] = [
            &record.gateway_id,
            &record.sender,
            &record.receiver,
            &record.body,
            &record.body_hash,
            &record.command,
            &record.outcome,
            &record.reply,
            &record.gateway_time,
        ];
        writer.as_mut().write(&row).await?;
    }
    Ok(writer.finish().await?)
}

const LOCK_PHONE: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 5))";

/// Serialises changes to one phone's subscriptions until the transaction ends (the cap check).
pub async fn lock_phone(client: &impl GenericClient, phone: &str) -> anyhow::Result<()> {
    let statement = client.prepare_cached(LOCK_PHONE).await?;
    client.execute(&statement, &[&phone]).await?;
    Ok(())
}

const COUNT_SUBSCRIPTIONS: &str = "SELECT count(*) FROM sms_subscriptions WHERE phone = $1";

/// Active subscriptions of a phone.
pub async fn count_subscriptions(client: &impl GenericClient, phone: &str) -> anyhow::Result<i64> {
    let statement = client.prepare_cached(COUNT_SUBSCRIPTIONS).await?;
    Ok(client.query_one(&statement, &[&phone]).await?.get(0))
}

const INSERT_SUBSCRIPTION: &str = "INSERT INTO sms_subscriptions (phone, dossier_code)
    VALUES ($1, $2) ON CONFLICT DO NOTHING";

/// Subscribes a phone to a dossier; false when it already was.
pub async fn insert_subscription(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(INSERT_SUBSCRIPTION).await?;
    Ok(client.execute(&statement, &[&phone, &code]).await? == 1)
}

const FIND_SUBSCRIPTION: &str =
    "SELECT 1 FROM sms_subscriptions WHERE phone = $1 AND dossier_code = $2";

/// Whether a phone follows a dossier.
pub async fn find_subscription(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(FIND_SUBSCRIPTION).await?;
    Ok(client
        .query_opt(&statement, &[&phone, &code])
        .await?
        .is_some())
}

const DELETE_SUBSCRIPTION: &str =
    "DELETE FROM sms_subscriptions WHERE phone = $1 AND dossier_code = $2";

/// Removes one subscription; true when there was one.
pub async fn delete_subscription(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(DELETE_SUBSCRIPTION).await?;
    Ok(client.execute(&statement, &[&phone, &code]).await? == 1)
}

const DELETE_SUBSCRIPTIONS: &str = "DELETE FROM sms_subscriptions WHERE phone = $1";

/// Removes every subscription of a phone; returns how many.
pub async fn delete_subscriptions(client: &impl GenericClient, phone: &str) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(DELETE_SUBSCRIPTIONS).await?;
    Ok(client.execute(&statement, &[&phone]).await?)
}

const INSERT_OPT_OUT: &str =
    "INSERT INTO sms_opt_outs (phone) VALUES ($1) ON CONFLICT (phone) DO NOTHING";

/// Records that a phone wants no SMS at all.
pub async fn insert_opt_out(client: &impl GenericClient, phone: &str) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_OPT_OUT).await?;
    client.execute(&statement, &[&phone]).await?;
    Ok(())
}

const DELETE_OPT_OUT: &str = "DELETE FROM sms_opt_outs WHERE phone = $1";

/// Lifts a phone's opt-out (it subscribed again).
pub async fn delete_opt_out(client: &impl GenericClient, phone: &str) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(DELETE_OPT_OUT).await?;
    Ok(client.execute(&statement, &[&phone]).await? == 1)
}

const FIND_OPT_OUT: &str = "SELECT 1 FROM sms_opt_outs WHERE phone = $1";

/// Whether a phone opted out.
pub async fn find_opt_out(client: &impl GenericClient, phone: &str) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(FIND_OPT_OUT).await?;
    Ok(client.query_opt(&statement, &[&phone]).await?.is_some())
}

const INSERT_MUTE: &str = "INSERT INTO sms_mutes (phone, dossier_code) VALUES ($1, $2)
    ON CONFLICT DO NOTHING";

/// Records that a phone wants no SMS about one dossier.
pub async fn insert_mute(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_MUTE).await?;
    client.execute(&statement, &[&phone, &code]).await?;
    Ok(())
}

const DELETE_MUTE: &str = "DELETE FROM sms_mutes WHERE phone = $1 AND dossier_code = $2";

/// Lifts a per-dossier mute.
pub async fn delete_mute(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(DELETE_MUTE).await?;
    client.execute(&statement, &[&phone, &code]).await?;
    Ok(())
}

const UPSERT_RATING: &str = "INSERT INTO sms_ratings (phone, dossier_code, rating)
    VALUES ($1, $2, $3)
    ON CONFLICT (phone, dossier_code) DO UPDATE SET rating = EXCLUDED.rating";

/// Stores a phone's rating of a dossier (a later rating replaces the earlier one).
pub async fn upsert_rating(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
    rating: i16,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(UPSERT_RATING).await?;
    client
        .execute(&statement, &[&phone, &code, &rating])
        .await?;
    Ok(())
}

const MAY_RATE: &str =
    "SELECT EXISTS (SELECT 1 FROM dossiers WHERE code = $1 AND applicant_phone = $2)
    OR EXISTS (SELECT 1 FROM sms_subscriptions WHERE dossier_code = $1 AND phone = $2)";

/// Whether `phone` (E.164) is the applicant's phone of dossier `code` or follows it (`DK`): the
/// phones whose ratings of the dossier count.
pub async fn may_rate(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(MAY_RATE).await?;
    Ok(client.query_one(&statement, &[&code, &phone]).await?.get(0))
}

const LIST_SUBSCRIBERS: &str =
    "SELECT dossier_code, phone FROM sms_subscriptions WHERE dossier_code = ANY($1)";

/// The phones following each of `codes`.
pub async fn list_subscribers(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if codes.is_empty() {
        return Ok(out);
    }
    let statement = client.prepare_cached(LIST_SUBSCRIBERS).await?;
    for row in client.query(&statement, &[&codes]).await? {
        out.entry(row.get(0)).or_default().push(row.get(1));
    }
    Ok(out)
}

const LIST_STATUSES: &str = "SELECT code, status FROM dossiers WHERE code = ANY($1)";

/// The stored status of each of `codes` that exists (read before a batch changes them).
pub async fn list_statuses(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<HashMap<String, i16>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let statement = client.prepare_cached(LIST_STATUSES).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}
