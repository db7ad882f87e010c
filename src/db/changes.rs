//! The change sequence (migration V20): every change to the read model's dossiers is recorded with
//! a position, in the transaction that makes it, and instances read what came after the position
//! they last applied. Positions grow in commit order because writers take one advisory lock just
//! before they insert and hold it until they commit; so a reader that sees position N has seen
//! every committed change before it, and a gap in the numbers is only an aborted transaction.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

/// Key of the transaction-level advisory lock that orders change positions by commit.
const SEQUENCE_LOCK: i64 = 0x0074_7261_6375_7501; // "tracuu" + 1

const LOCK: &str = "SELECT pg_advisory_xact_lock($1)";
const INSERT: &str =
    "INSERT INTO dossier_changes (origin, codes) VALUES ($1, $2) RETURNING position";

/// Records a change to `codes` made by `origin`; returns its position. Call it inside the
/// change's transaction and as late as possible: from here until commit, other writers wait.
pub async fn record(
    client: &impl GenericClient,
    origin: &str,
    codes: &[String],
) -> anyhow::Result<i64> {
    let lock = client.prepare_cached(LOCK).await?;
    client.execute(&lock, &[&SEQUENCE_LOCK]).await?;
    let insert = client.prepare_cached(INSERT).await?;
    Ok(client.query_one(&insert, &[&origin, &codes]).await?.get(0))
}

/// One recorded change.
#[derive(Debug, Clone)]
pub struct Change {
    pub position: i64,
    pub origin: String,
    pub codes: Vec<String>,
    pub changed_at: DateTime<Utc>,
}

const LIST_AFTER: &str = "SELECT position, origin, codes, changed_at FROM dossier_changes
    WHERE position > $1 ORDER BY position LIMIT $2";

/// Up to `limit` changes after `position`, oldest first.
pub async fn list_after(
    client: &impl GenericClient,
    position: i64,
    limit: i64,
) -> anyhow::Result<Vec<Change>> {
    let statement = client.prepare_cached(LIST_AFTER).await?;
    Ok(client
        .query(&statement, &[&position, &limit])
        .await?
        .iter()
        .map(|row| Change {
            position: row.get(0),
            origin: row.get(1),
            codes: row.get(2),
            changed_at: row.get(3),
        })
        .collect())
}

/// Where the sequence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The newest position (the floor when every row was pruned; 0 before the first change).
    pub position: i64,
    /// When the newest change was recorded (None before the first change).
    pub changed_at: Option<DateTime<Utc>>,
    /// The highest pruned position: a reader below it has missed changes for good.
    pub floor: i64,
}

const HEAD: &str = "SELECT f.position, h.position, h.changed_at
    FROM dossier_change_floor f
    LEFT JOIN LATERAL (SELECT position, changed_at FROM dossier_changes
                       ORDER BY position DESC LIMIT 1) h ON true";

/// The head of the sequence and its floor.
pub async fn head(client: &impl GenericClient) -> anyhow::Result<Head> {
    let statement = client.prepare_cached(HEAD).await?;
    let row = client.query_one(&statement, &[]).await?;
    let floor: i64 = row.get(0);
    let position: Option<i64> = row.get(1);
    Ok(Head {
        position: position.unwrap_or(floor).max(floor),
        changed_at: row.get(2),
        floor,
    })
}

const PRUNE: &str = "WITH gone AS (
        DELETE FROM dossier_changes
        WHERE changed_at < $1
          AND position < (SELECT max(position) FROM dossier_changes)
        RETURNING position)
    UPDATE dossier_change_floor
    SET position = GREATEST(position, (SELECT max(position) FROM gone))
    WHERE EXISTS (SELECT 1 FROM gone)";

/// Deletes changes recorded before `before`, always keeping the newest (it carries the time of
/// the last change), and raises the floor to the highest position deleted. Returns whether any
/// row went.
pub async fn prune_before(
    client: &impl GenericClient,
    before: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(PRUNE).await?;
    Ok(client.execute(&statement, &[&before]).await? > 0)
}
