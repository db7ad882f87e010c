//! Reads of the read model for `tracuu sync verify`: the stored content of given dossiers exactly
//! as the sync path wrote it (full-precision times, no joins, no display formatting), and a
//! stream of every code in code order.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

/// A dossier as stored, field by field as `db::sync::apply_dossiers` wrote it.
#[derive(Debug, Clone)]
pub struct StoredDossier {
    pub code: String,
    pub version: i64,
    pub procedure_code: String,
    pub receiving_agency_code: String,
    pub handling_agency_code: String,
    pub channel: i16,
    pub status: i16,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub supplement_count: i32,
    pub supplement_requested_at: Option<DateTime<Utc>>,
    pub supplement_seconds: i64,
    pub supplement_request: Option<String>,
    pub source_updated_at: DateTime<Utc>,
    pub events: Vec<StoredEvent>,
}

/// One stored timeline step.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub at: DateTime<Utc>,
    pub status: i16,
    pub step: String,
    pub agency_code: Option<String>,
    pub note: Option<String>,
}

/// The timeline comes back as parallel arrays (one row per dossier, no JSON round trip, so times
/// keep their microseconds).
const LIST_STORED_BY_CODES: &str = "
SELECT d.code, d.version, d.procedure_code, d.receiving_agency_code, d.handling_agency_code,
       d.channel, d.status, d.applicant_name, d.applicant_phone, d.received_at, d.due_at,
       d.finished_at, d.returned_at, d.supplement_count, d.supplement_requested_at,
       d.supplement_seconds, d.supplement_request, d.source_updated_at,
       e.at, e.status, e.step, e.agency_code, e.note
  FROM dossiers d
  LEFT JOIN LATERAL (
        SELECT array_agg(occurred_at ORDER BY seq) AS at, array_agg(status ORDER BY seq) AS status,
               array_agg(step ORDER BY seq) AS step, array_agg(agency_code ORDER BY seq) AS agency_code,
               array_agg(note ORDER BY seq) AS note
          FROM dossier_events WHERE dossier_code = d.code) e ON true
 WHERE d.code = ANY($1)";

/// The stored content of the dossiers with these codes (missing ones are simply absent).
pub async fn list_stored_by_codes(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<StoredDossier>> {
    let statement = client.prepare_cached(LIST_STORED_BY_CODES).await?;
    let rows = client.query(&statement, &[&codes]).await?;
    rows.iter().map(StoredDossier::try_from).collect()
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

impl TryFrom<&Row> for StoredDossier {
    type Error = anyhow::Error;

    fn try_from(row: &Row) -> anyhow::Result<Self> {
        let at: Vec<DateTime<Utc>> = row.try_get::<_, Option<_>>(18)?.unwrap_or_default();
        let status: Vec<i16> = row.try_get::<_, Option<_>>(19)?.unwrap_or_default();
        let step: Vec<String> = row.try_get::<_, Option<_>>(20)?.unwrap_or_default();
        let agency: Vec<Option<String>> = row.try_get::<_, Option<_>>(21)?.unwrap_or_default();
        let note: Vec<Option<String>> = row.try_get::<_, Option<_>>(22)?.unwrap_or_default();
        let events = at
            .into_iter()
            .zip(status)
            .zip(step)
            .zip(agency.into_iter().zip(note))
            .map(|(((at, status), step), (agency_code, note))| StoredEvent {
                at,
                status,
                step,
                agency_code,
                note,
            })
            .collect();
        Ok(Self {
            code: row.try_get(0)?,
            version: row.try_get(1)?,
            procedure_code: row.try_get(2)?,
            receiving_agency_code: row.try_get(3)?,
            handling_agency_code: row.try_get(4)?,
            channel: row.try_get(5)?,
            status: row.try_get(6)?,
            applicant_name: row.try_get(7)?,
            applicant_phone: row.try_get(8)?,
            received_at: row.try_get(9)?,
            due_at: row.try_get(10)?,
            finished_at: row.try_get(11)?,
            returned_at: row.try_get(12)?,
            supplement_count: row.try_get(13)?,
            supplement_requested_at: row.try_get(14)?,
            supplement_seconds: row.try_get(15)?,
            supplement_request: row.try_get(16)?,
            source_updated_at: row.try_get(17)?,
            events,
        })
    }
}
