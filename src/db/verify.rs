//! Reads of the read model for `tracuu sync verify`: the stored content of given dossiers exactly
//! as the sync path wrote it (full-precision times, no joins, no display formatting), and a
//! stream of every code in code order.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::dossiers::{dossier_columns, dossier_from_row, event_from_columns, DOSSIER_COLUMNS};
use crate::domain::Dossier;

/// A stored dossier whose row is not one the sync path writes (a value out of its domain or not
/// in canonical form): it cannot equal any snapshot, so verify reports it as differing.
#[derive(Debug, Clone)]
pub struct UnreadableDossier {
    /// The code as stored.
    pub code: String,
    /// The version as stored.
    pub version: i64,
}

/// The timeline comes back as parallel arrays (one row per dossier, no JSON round trip, so times
/// keep their microseconds).
const LIST_STORED_BY_CODES: &str = concat!(
    "SELECT ",
    dossier_columns!(),
    ",
       e.at, e.status, e.step, e.agency_code, e.note
  FROM dossiers d
  LEFT JOIN LATERAL (
        SELECT array_agg(occurred_at ORDER BY seq) AS at, array_agg(status ORDER BY seq) AS status,
               array_agg(step ORDER BY seq) AS step, array_agg(agency_code ORDER BY seq) AS agency_code,
               array_agg(note ORDER BY seq) AS note
          FROM dossier_events WHERE dossier_code = d.code) e ON true
 WHERE d.code = ANY($1)"
);

/// The stored content of the dossiers with these codes (missing ones are simply absent), field by
/// field as `db::sync::apply_dossiers` wrote it; a row that cannot be read as a dossier comes back
/// as [`UnreadableDossier`].
pub async fn list_stored_by_codes(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<Result<Dossier, UnreadableDossier>>> {
    let statement = client.prepare_cached(LIST_STORED_BY_CODES).await?;
    let rows = client.query(&statement, &[&codes]).await?;
    rows.iter()
        .map(|row| match stored_dossier(row) {
            Ok(dossier) => Ok(Ok(dossier)),
            Err(_) => Ok(Err(UnreadableDossier {
                code: row.try_get(0)?,
                version: row.try_get(1)?,
            })),
        })
        .collect()
}

const LIST_CODES: &str = "SELECT code FROM dossiers ORDER BY code";

/// Streams every dossier code in code order, `batch` codes at a time, through a portal (memory
/// stays bounded by one batch). Returns how many there were.
pub async fn for_each_code<F>(
    client: &mut deadpool_postgres::Object,
    batch: i32,
    mut each: F,
) -> anyhow::Result<u64>
where
    F: FnMut(Vec<String>) -> anyhow::Result<()>,
{
    let transaction = client.transaction().await?;
    let statement = transaction.prepare_cached(LIST_CODES).await?;
    let portal = transaction.bind(&statement, &[]).await?;
    let mut seen = 0u64;
    loop {
        let rows = transaction.query_portal(&portal, batch).await?;
        if rows.is_empty() {
            break;
        }
        seen += rows.len() as u64;
        each(rows.iter().map(|r| r.get(0)).collect())?;
    }
    transaction.commit().await?;
    Ok(seen)
}

/// A row of [`LIST_STORED_BY_CODES`] as a dossier.
fn stored_dossier(row: &Row) -> anyhow::Result<Dossier> {
    let column = DOSSIER_COLUMNS;
    let at: Vec<DateTime<Utc>> = row.try_get::<_, Option<_>>(column)?.unwrap_or_default();
    let status: Vec<i16> = row.try_get::<_, Option<_>>(column + 1)?.unwrap_or_default();
    let step: Vec<String> = row.try_get::<_, Option<_>>(column + 2)?.unwrap_or_default();
    let agency: Vec<Option<String>> = row.try_get::<_, Option<_>>(column + 3)?.unwrap_or_default();
    let note: Vec<Option<String>> = row.try_get::<_, Option<_>>(column + 4)?.unwrap_or_default();
    let events = at
        .into_iter()
        .zip(status)
        .zip(step)
        .zip(agency.into_iter().zip(note))
        .map(|(((at, status), step), (agency_code, note))| {
            event_from_columns(at, status, step, agency_code.as_deref(), note)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    dossier_from_row(row, events)
}
