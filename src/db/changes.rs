//! The change sequence (migration V20): every change to the read model's dossiers is a row written
//! in the transaction that makes it, with a position (the order rows were written) and the
//! writing transaction's id. A reader remembers the snapshot (`pg_snapshot`) it last read in and
//! next reads, in a snapshot of its own, exactly the rows its old snapshot did not see: every
//! change committed in between, whatever order the writers committed in, so writers never wait
//! for each other and a reader can never skip a change that committed late.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

const INSERT: &str =
    "INSERT INTO dossier_changes (origin, codes) VALUES ($1, $2) RETURNING position";

/// Records a change to `codes` made by `origin`, inside the change's transaction; returns its
/// position.
pub async fn record(
    client: &impl GenericClient,
    origin: &str,
    codes: &[String],
) -> anyhow::Result<i64> {
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

/// What a reader's snapshot shows of the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The snapshot, as text (what the reader keeps until its next read).
    pub snapshot: String,
    /// The newest position visible (the floor's when every row was pruned; 0 before the first).
    pub position: i64,
    /// When the newest visible change was recorded (None before the first change).
    pub changed_at: Option<DateTime<Utc>>,
    /// True when rows were pruned that the reader's previous snapshot may not have seen: a
    /// reader there has missed changes for good.
    pub pruned_past: bool,
}

const HEAD: &str = "SELECT pg_current_snapshot()::text, f.position, h.position, h.changed_at,
        $1::text IS NOT NULL AND f.xid >= pg_snapshot_xmin($1::text::pg_snapshot)
    FROM dossier_change_floor f
    LEFT JOIN LATERAL (SELECT position, changed_at FROM dossier_changes
                       ORDER BY position DESC LIMIT 1) h ON true";

/// The reader's snapshot and the newest change in it, and whether changes after `since` (the
/// reader's previous snapshot, if any) were pruned. Call it inside a `REPEATABLE READ`
/// transaction, before [`list_since`], so both see the same snapshot.
pub async fn head(client: &impl GenericClient, since: Option<&str>) -> anyhow::Result<Head> {
    let statement = client.prepare_cached(HEAD).await?;
    let row = client.query_one(&statement, &[&since]).await?;
    let floor: i64 = row.get(1);
    let position: Option<i64> = row.get(2);
    Ok(Head {
        snapshot: row.get(0),
        position: position.unwrap_or(floor).max(floor),
        changed_at: row.get(3),
        pruned_past: row.get(4),
    })
}

const LIST_SINCE: &str = "SELECT position, origin, codes, changed_at FROM dossier_changes
    WHERE xid >= pg_snapshot_xmin($1::text::pg_snapshot)
      AND NOT pg_visible_in_snapshot(xid, $1::text::pg_snapshot)
      AND position > $2
    ORDER BY position LIMIT $3";

/// Up to `limit` changes the snapshot `since` did not see, with positions after `after` (to page
/// through them), in position order. Inside the same transaction as [`head`].
pub async fn list_since(
    client: &impl GenericClient,
    since: &str,
    after: i64,
    limit: i64,
) -> anyhow::Result<Vec<Change>> {
    let statement = client.prepare_cached(LIST_SINCE).await?;
    Ok(client
        .query(&statement, &[&since, &after, &limit])
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

const PRUNE: &str = "WITH gone AS (
        DELETE FROM dossier_changes
        WHERE changed_at < $1
          AND position < (SELECT max(position) FROM dossier_changes)
        RETURNING position, xid)
    UPDATE dossier_change_floor
    SET position = GREATEST(position, (SELECT max(position) FROM gone)),
        xid = GREATEST(xid, (SELECT max(xid) FROM gone))
    WHERE EXISTS (SELECT 1 FROM gone)";

/// Deletes changes recorded before `before`, always keeping the newest (it carries the time of
/// the last change), and raises the floor to the highest position and transaction deleted.
/// Returns whether any row went.
pub async fn prune_before(
    client: &impl GenericClient,
    before: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(PRUNE).await?;
    Ok(client.execute(&statement, &[&before]).await? > 0)
}
