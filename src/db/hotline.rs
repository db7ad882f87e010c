//! The 1022 hotline: the call log (operators' calls and calls the IVR answered by itself), the
//! items filed during a call, the outcome counts, and the console's search of dossiers by phone.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

/// A call as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRow {
    pub id: i64,
    pub source: String,
    pub operator_id: Option<i64>,
    pub caller_phone: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// The deadline to enter what the caller said, as computed when the call started (`None` for
    /// calls started before tracuu stored it).
    pub entry_due_at: Option<DateTime<Utc>>,
}

impl TryFrom<&Row> for CallRow {
    type Error = tokio_postgres::Error;

    fn try_from(r: &Row) -> Result<Self, Self::Error> {
        Ok(Self {
            id: r.try_get(0)?,
            source: r.try_get(1)?,
            operator_id: r.try_get(2)?,
            caller_phone: r.try_get(3)?,
            started_at: r.try_get(4)?,
            ended_at: r.try_get(5)?,
            outcome: r.try_get(6)?,
            note: r.try_get(7)?,
            entry_due_at: r.try_get(8)?,
        })
    }
}

const INSERT_OPERATOR_CALL: &str = "
INSERT INTO hotline_calls (source, operator_id, caller_phone, started_at)
VALUES ('operator', $1, $2, $3) RETURNING id";

/// Opens an operator's call; returns its id.
pub async fn insert_operator_call(
    client: &impl GenericClient,
    operator_id: i64,
    caller_phone: Option<&str>,
    started_at: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let statement = client.prepare_cached(INSERT_OPERATOR_CALL).await?;
    let row = client
        .query_one(&statement, &[&operator_id, &caller_phone, &started_at])
        .await?;
    Ok(row.get(0))
}

const SET_ENTRY_DUE: &str = "UPDATE hotline_calls SET entry_due_at = $2 WHERE id = $1";

/// Stores the deadline to enter what the caller of call `id` said.
pub async fn set_entry_due(
    client: &impl GenericClient,
    id: i64,
    due_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(SET_ENTRY_DUE).await?;
    client.execute(&statement, &[&id, &due_at]).await?;
    Ok(())
}

const INSERT_IVR_CALL: &str = "
INSERT INTO hotline_calls (source, caller_phone, started_at, ended_at, outcome)
VALUES ('ivr', $1, now(), now(), $2) RETURNING id";

/// Records a call the IVR finished (`answered_by_ivr`) or handed to an operator (`transferred`).
pub async fn insert_ivr_call(
    client: &impl GenericClient,
    caller_phone: Option<&str>,
    outcome: &str,
) -> anyhow::Result<i64> {
    let statement = client.prepare_cached(INSERT_IVR_CALL).await?;
    let row = client
        .query_one(&statement, &[&caller_phone, &outcome])
        .await?;
    Ok(row.get(0))
}

const FIND_CALL: &str = "
SELECT id, source, operator_id, caller_phone, started_at, ended_at, outcome, note, entry_due_at
  FROM hotline_calls WHERE id = $1 AND operator_id = $2";

/// The call `id` of this operator, if it is theirs.
pub async fn find_operator_call(
    client: &impl GenericClient,
    id: i64,
    operator_id: i64,
) -> anyhow::Result<Option<CallRow>> {
    let statement = client.prepare_cached(FIND_CALL).await?;
    let row = client.query_opt(&statement, &[&id, &operator_id]).await?;
    Ok(row.as_ref().map(CallRow::try_from).transpose()?)
}

const LIST_OPEN_CALLS: &str = "
SELECT id, source, operator_id, caller_phone, started_at, ended_at, outcome, note, entry_due_at
  FROM hotline_calls WHERE operator_id = $1 AND ended_at IS NULL
 ORDER BY started_at DESC, id DESC LIMIT 10";

/// The operator's calls not yet ended, newest first.
pub async fn list_open_calls(
    client: &impl GenericClient,
    operator_id: i64,
) -> anyhow::Result<Vec<CallRow>> {
    let statement = client.prepare_cached(LIST_OPEN_CALLS).await?;
    let rows = client.query(&statement, &[&operator_id]).await?;
    rows.iter()
        .map(|r| CallRow::try_from(r).map_err(anyhow::Error::from))
        .collect()
}

const END_CALL: &str = "
UPDATE hotline_calls SET ended_at = greatest(now(), started_at), outcome = $3, note = $4
 WHERE id = $1 AND operator_id = $2 AND ended_at IS NULL";

/// Ends the operator's open call with an outcome and a note; false when there is no such open call.
pub async fn end_call(
    client: &impl GenericClient,
    id: i64,
    operator_id: i64,
    outcome: &str,
    note: Option<&str>,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(END_CALL).await?;
    Ok(client
        .execute(&statement, &[&id, &operator_id, &outcome, &note])
        .await?
        == 1)
}

const INSERT_CALL_ITEM: &str = "
INSERT INTO hotline_call_items (call_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";

/// Links an item filed during a call to the call.
pub async fn insert_call_item(
    client: &impl GenericClient,
    call_id: i64,
    item_id: i64,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_CALL_ITEM).await?;
    client.execute(&statement, &[&call_id, &item_id]).await?;
    Ok(())
}

const LIST_CALL_ITEMS: &str = "
SELECT i.tracking_code FROM hotline_call_items c JOIN intake_items i ON i.id = c.item_id
 WHERE c.call_id = $1 ORDER BY i.id";

/// Tracking codes of the items filed during a call.
pub async fn list_call_items(
    client: &impl GenericClient,
    call_id: i64,
) -> anyhow::Result<Vec<String>> {
    let statement = client.prepare_cached(LIST_CALL_ITEMS).await?;
    let rows = client.query(&statement, &[&call_id]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Calls per source and outcome in a period (an open call has no outcome yet: `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeCount {
    pub source: String,
    pub outcome: Option<String>,
    pub calls: i64,
}

const COUNT_OUTCOMES: &str = "
SELECT source, outcome, count(*) FROM hotline_calls
 WHERE ($1::timestamptz IS NULL OR started_at >= $1)
   AND ($2::timestamptz IS NULL OR started_at < $2)
 GROUP BY source, outcome ORDER BY source, outcome NULLS LAST";

/// Calls started in `[from, to)`, counted by source and outcome.
pub async fn count_outcomes(
    client: &impl GenericClient,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> anyhow::Result<Vec<OutcomeCount>> {
    let statement = client.prepare_cached(COUNT_OUTCOMES).await?;
    let rows = client.query(&statement, &[&from, &to]).await?;
    Ok(rows
        .iter()
        .map(|r| OutcomeCount {
            source: r.get(0),
            outcome: r.get(1),
            calls: r.get(2),
        })
        .collect())
}

/// A dossier in a phone search result: only what the console lists (no personal data).
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneDossierRow {
    pub code: String,
    pub status: i16,
    pub procedure_name: String,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
}

const LIST_DOSSIERS_BY_PHONE: &str = "
SELECT d.code, d.status, p.name, d.received_at, d.due_at
  FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
 WHERE d.applicant_phone = $1
 ORDER BY d.received_at DESC, d.code LIMIT $2";

/// The dossiers whose applicant phone is `phone` (E.164), newest first, at most `limit`.
pub async fn list_dossiers_by_phone(
    client: &impl GenericClient,
    phone: &str,
    limit: i64,
) -> anyhow::Result<Vec<PhoneDossierRow>> {
    let statement = client.prepare_cached(LIST_DOSSIERS_BY_PHONE).await?;
    let rows = client.query(&statement, &[&phone, &limit]).await?;
    rows.iter()
        .map(|r| {
            Ok(PhoneDossierRow {
                code: r.try_get(0)?,
                status: r.try_get(1)?,
                procedure_name: r.try_get(2)?,
                received_at: r.try_get(3)?,
                due_at: r.try_get(4)?,
            })
        })
        .collect()
}
