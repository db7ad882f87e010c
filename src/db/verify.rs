//! Reads of the read model for `tracuu sync verify`: the stored content of given dossiers exactly
//! as the sync path wrote it (full-precision times, no joins, no display formatting), and every
//! code in code order, a page at a time.

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

const LIST_CODES_AFTER: &str = "SELECT code FROM dossiers WHERE code > $1 ORDER BY code LIMIT $2";

/// Up to `limit` dossier codes after `after`, in code order: called again with the last one, it
/// walks every code with memory bounded by one page, and lets the caller write between pages.
pub async fn list_codes_after(
    client: &impl GenericClient,
    after: &str,
    limit: i64,
) -> anyhow::Result<Vec<String>> {
    let statement = client.prepare_cached(LIST_CODES_AFTER).await?;
    Ok(client
        .query(&statement, &[&after, &limit])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
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
