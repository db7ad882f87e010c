//! Reads of the dossier read model: dossiers with everything their views need (for rendering),
//! their stored views (the lookup path and the warm-up stream), and lookup-number resolution.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Deserialize;
use tokio_postgres::Row;

use crate::domain::succession::{LivingSuccessor, NowAgency};
use crate::domain::{
    AgencyCode, Channel, DomainError, Dossier, DossierCode, DossierEvent, PhoneNumber,
    ProcedureCode, Status,
};

/// The stored columns of a dossier (table alias `d`), in the order [`dossier_from_row`] reads
/// them; every read of whole dossiers selects these first, so one function turns them into a
/// [`Dossier`].
macro_rules! dossier_columns {
    () => {
        "d.code, d.version, d.procedure_code, d.receiving_agency_code, d.handling_agency_code,
         d.channel, d.status, d.applicant_name, d.applicant_phone, d.received_at, d.due_at,
         d.finished_at, d.returned_at, d.supplement_count, d.supplement_requested_at,
         d.supplement_seconds, d.supplement_request, d.source_updated_at, d.fee_amount_vnd,
         d.fee_payment_place, d.citizen_due_at"
    };
}
pub(crate) use dossier_columns;

/// How many columns [`dossier_columns!`] selects: the first column after them is this index.
pub(crate) const DOSSIER_COLUMNS: usize = 21;

/// A stored code or phone parsed into its domain type. It must already be in the canonical form
/// tracuu writes: a value in any other form did not come from tracuu, and normalising it here
/// would hide that (from `sync verify` above all).
fn canonical<T: AsRef<str>>(
    field: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, DomainError>,
) -> anyhow::Result<T> {
    let value = parse(raw).map_err(|e| anyhow::anyhow!("the stored {field} is not valid: {e}"))?;
    anyhow::ensure!(
        value.as_ref() == raw,
        "the stored {field} is not in canonical form"
    );
    Ok(value)
}

/// The dossier in the first [`DOSSIER_COLUMNS`] columns of `row` (see [`dossier_columns!`]), with
/// `events` as its timeline. Fails, naming the dossier and the field, on a value the sync path
/// could not have written.
pub(crate) fn dossier_from_row(row: &Row, events: Vec<DossierEvent>) -> anyhow::Result<Dossier> {
    let code: String = row.try_get(0)?;
    let read = || -> anyhow::Result<Dossier> {
        let phone: Option<String> = row.try_get(8)?;
        Ok(Dossier {
            code: canonical("code", &code, DossierCode::parse)?,
            version: row.try_get(1)?,
            procedure_code: canonical("procedure_code", row.try_get(2)?, ProcedureCode::parse)?,
            receiving_agency_code: canonical(
                "receiving_agency_code",
                row.try_get(3)?,
                AgencyCode::parse,
            )?,
            handling_agency_code: canonical(
                "handling_agency_code",
                row.try_get(4)?,
                AgencyCode::parse,
            )?,
            channel: Channel::from_code(row.try_get(5)?)?,
            status: Status::from_code(row.try_get(6)?)?,
            applicant_name: row.try_get(7)?,
            applicant_phone: phone
                .as_deref()
                .map(|raw| canonical("applicant_phone", raw, PhoneNumber::parse))
                .transpose()?,
            received_at: row.try_get(9)?,
            due_at: row.try_get(10)?,
            finished_at: row.try_get(11)?,
            returned_at: row.try_get(12)?,
            supplement_count: row.try_get(13)?,
            supplement_requested_at: row.try_get(14)?,
            supplement_seconds: row.try_get(15)?,
            supplement_request: row.try_get(16)?,
            source_updated_at: row.try_get(17)?,
            fee_amount_vnd: row.try_get(18)?,
            fee_payment_place: row.try_get(19)?,
            citizen_due_at: row.try_get(20)?,
            events,
        })
    };
    read().with_context(|| format!("stored dossier {code}"))
}

/// One stored timeline step as a [`DossierEvent`].
pub(crate) fn event_from_columns(
    at: DateTime<Utc>,
    status: i16,
    step: String,
    agency_code: Option<&str>,
    note: Option<String>,
) -> anyhow::Result<DossierEvent> {
    Ok(DossierEvent {
        at,
        status: Status::from_code(status)?,
        step,
        agency_code: agency_code
            .map(|raw| canonical("event agency_code", raw, AgencyCode::parse))
            .transpose()?,
        note,
    })
}

/// Everything the lookup views of one dossier are made from: the dossier, what the read model
/// assigned it, and the catalog names and desk its views show. Contains personal data: it never
/// leaves the `lookup` module except as masked, rendered views.
#[derive(Debug, Clone)]
pub struct DossierRecord {
    /// The dossier as stored. Read from the database, its timeline's times have whole seconds
    /// (what the views show).
    pub dossier: Dossier,
    /// The lookup number the read model gave it.
    pub lookup_number: i64,
    /// When tracuu stored this version (the read model's `updated_at`).
    pub synced_at: DateTime<Utc>,
    /// The procedure's catalog name (empty when the catalog lacks it).
    pub procedure_name: String,
    /// The procedure's field (lĩnh vực).
    pub procedure_field: String,
    /// The procedure's legal processing time in days.
    pub processing_days: i32,
    /// The receiving agency's catalog name.
    pub receiving_agency_name: String,
    /// The handling agency's catalog name.
    pub handling_agency_name: String,
    /// Address of the receiving agency's desk, where the result is collected.
    pub desk_address: Option<String>,
    /// Phone of that desk.
    pub desk_phone: Option<String>,
    /// Opening hours of that desk.
    pub desk_hours: Option<String>,
    /// The catalog name of each timeline step's agency, in timeline order (`None`: the step names
    /// no agency, or one the catalog lacks).
    pub event_agency_names: Vec<Option<String>>,
    /// Who serves the receiving agency's dossiers now: `None` while it is open, its living
    /// successors (chains followed) once it has closed.
    pub receiving_now: Option<Vec<NowAgency>>,
    /// The same for the handling agency.
    pub handling_now: Option<Vec<NowAgency>>,
}

/// The living successors of a closed agency as `now_agencies_json!` returns them (SQL NULL: the
/// agency is open).
pub(crate) fn now_from_json(
    value: Option<serde_json::Value>,
) -> anyhow::Result<Option<Vec<NowAgency>>> {
    value
        .map(|value| {
            let found: Vec<LivingSuccessor> = serde_json::from_value(value)?;
            Ok(found.into_iter().map(NowAgency::from).collect())
        })
        .transpose()
}

/// One step of the timeline as the view query returns it: the stored step and its agency's name.
#[derive(Deserialize)]
struct EventRow {
    at: DateTime<Utc>,
    status: i16,
    step: String,
    agency_code: Option<String>,
    agency_name: Option<String>,
    note: Option<String>,
}

/// Everything a view is rendered from. The timeline comes back as a JSON array so a dossier is one
/// row and a batch of dossiers one round trip. Who serves a closed agency's dossiers now is walked
/// once per closed agency of the batch (`closed_now`), not once per dossier: a batch of a district's
/// old dossiers names the same few agencies thousands of times.
macro_rules! dossier_select {
    () => {
        concat!(
            "WITH closed_now (code, now) AS MATERIALIZED (
                SELECT a.code, ",
            now_agencies_json!("a"),
            " FROM agencies a
                 WHERE a.code IN (SELECT x.receiving_agency_code FROM dossiers x WHERE x.code = ANY($1)
                                  UNION
                                  SELECT x.handling_agency_code FROM dossiers x WHERE x.code = ANY($1))
                   AND NOT ",
            living_agency!("a"),
            "
            )
            SELECT ",
            dossier_columns!(),
            ", d.lookup_number, d.updated_at, p.name, p.field, p.processing_days,
                ra.name, ha.name, ra.desk_address, ra.desk_phone, ra.desk_hours,
                (SELECT coalesce(json_agg(json_build_object(
                            'at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                            'status', e.status, 'step', e.step,
                            'agency_code', e.agency_code, 'agency_name', a.name, 'note', e.note)
                          ORDER BY e.seq), '[]'::json)
                   FROM dossier_events e LEFT JOIN agencies a ON a.code = e.agency_code
                  WHERE e.dossier_code = d.code) AS events, rn.now, hn.now
           FROM dossiers d
           JOIN procedures p ON p.code = d.procedure_code
           JOIN agencies ra ON ra.code = d.receiving_agency_code
           JOIN agencies ha ON ha.code = d.handling_agency_code
           LEFT JOIN closed_now rn ON rn.code = d.receiving_agency_code
           LEFT JOIN closed_now hn ON hn.code = d.handling_agency_code
          WHERE d.code = ANY($1)"
        )
    };
}

const LIST_BY_CODES: &str = dossier_select!();

/// The dossiers with these codes (missing ones are simply absent), in one round trip.
pub async fn list_by_codes(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<DossierRecord>> {
    let statement = client.prepare_cached(LIST_BY_CODES).await?;
    let rows = client.query(&statement, &[&codes]).await?;
    rows.iter().map(DossierRecord::try_from).collect()
}

/// A dossier's pre-rendered views with what is needed to finish a response. `head`/`detail` are
/// `None` when no view was stored for the dossier's current version.
#[derive(Debug, Clone)]
pub struct StoredViewRow {
    pub code: String,
    pub lookup_number: i64,
    pub version: i64,
    pub status: i16,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub supplement_count: i32,
    pub supplement_requested_at: Option<DateTime<Utc>>,
    pub supplement_seconds: i64,
    pub phone_last4: Option<String>,
    pub head: Option<Vec<u8>>,
    pub detail: Option<Vec<u8>>,
}

macro_rules! stored_view_select {
    () => {
        "SELECT d.code, d.lookup_number, d.version, d.status, d.received_at, d.due_at,
                d.finished_at, d.returned_at, d.supplement_count, d.supplement_requested_at,
                d.supplement_seconds, right(d.applicant_phone, 4), v.head, v.detail
           FROM dossiers d
           LEFT JOIN dossier_views v ON v.code = d.code AND v.version = d.version"
    };
}

const LIST_STORED_VIEWS: &str = concat!(stored_view_select!(), " WHERE d.code = ANY($1)");

/// The dossiers with these codes and their stored views, in one round trip (absent codes are
/// simply missing).
pub async fn list_stored_views(
    client: &deadpool_postgres::ClientWrapper,
    codes: &[&str],
) -> anyhow::Result<Vec<StoredViewRow>> {
    let statement = client.prepare_cached(LIST_STORED_VIEWS).await?;
    let rows = client.query(&statement, &[&codes]).await?;
    rows.iter().map(StoredViewRow::try_from).collect()
}

const LIST_STORED_NEWEST: &str = concat!(
    stored_view_select!(),
    " ORDER BY d.received_at DESC LIMIT $1"
);

/// Streams up to `limit` dossiers' stored views, newest first, in batches of `batch` (a portal,
/// so memory holds one batch), calling `each` per batch.
pub async fn for_each_stored_newest<F>(
    client: &mut deadpool_postgres::Object,
    limit: i64,
    batch: i32,
    mut each: F,
) -> anyhow::Result<u64>
where
    F: FnMut(Vec<StoredViewRow>),
{
    let transaction = client.transaction().await?;
    let statement = transaction.prepare_cached(LIST_STORED_NEWEST).await?;
    let portal = transaction.bind(&statement, &[&limit]).await?;
    let mut seen = 0u64;
    loop {
        let rows = transaction.query_portal(&portal, batch).await?;
        if rows.is_empty() {
            break;
        }
        seen += rows.len() as u64;
        each(
            rows.iter()
                .map(StoredViewRow::try_from)
                .collect::<anyhow::Result<Vec<_>>>()?,
        );
    }
    transaction.commit().await?;
    Ok(seen)
}

const UPSERT_VIEWS: &str = "
INSERT INTO dossier_views (code, version, head, detail)
SELECT * FROM unnest($1::text[], $2::int8[], $3::bytea[], $4::bytea[])
ON CONFLICT (code) DO UPDATE SET version = EXCLUDED.version, head = EXCLUDED.head,
    detail = EXCLUDED.detail, updated_at = now()
WHERE dossier_views.version <= EXCLUDED.version";

/// Stores rendered views (code, version, head, detail); a view never replaces a newer one.
pub async fn upsert_views(
    client: &impl GenericClient,
    views: &[(&str, i64, &[u8], &[u8])],
) -> anyhow::Result<()> {
    if views.is_empty() {
        return Ok(());
    }
    let codes: Vec<&str> = views.iter().map(|v| v.0).collect();
    let versions: Vec<i64> = views.iter().map(|v| v.1).collect();
    let heads: Vec<&[u8]> = views.iter().map(|v| v.2).collect();
    let details: Vec<&[u8]> = views.iter().map(|v| v.3).collect();
    let statement = client.prepare_cached(UPSERT_VIEWS).await?;
    client
        .execute(&statement, &[&codes, &versions, &heads, &details])
        .await?;
    Ok(())
}

const LIST_UNRENDERED: &str = "SELECT d.code FROM dossiers d
    LEFT JOIN dossier_views v ON v.code = d.code AND v.version = d.version
    WHERE v.code IS NULL AND d.code > $1 ORDER BY d.code LIMIT $2";

/// Up to `limit` codes after `after` (in code order) of dossiers whose current version has no
/// stored view. Walking the primary key keeps each call cheap however large the table is.
pub async fn list_unrendered(
    client: &impl GenericClient,
    after: &str,
    limit: i64,
) -> anyhow::Result<Vec<String>> {
    let statement = client.prepare_cached(LIST_UNRENDERED).await?;
    Ok(client
        .query(&statement, &[&after, &limit])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

const DELETE_VIEWS: &str = "DELETE FROM dossier_views WHERE code = ANY($1)";

/// Forgets stored views (e.g. after a catalog name they show changed).
pub async fn delete_views(client: &impl GenericClient, codes: &[&str]) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(DELETE_VIEWS).await?;
    Ok(client.execute(&statement, &[&codes]).await?)
}

impl TryFrom<&Row> for StoredViewRow {
    type Error = anyhow::Error;

    fn try_from(row: &Row) -> anyhow::Result<Self> {
        Ok(Self {
            code: row.try_get(0)?,
            lookup_number: row.try_get(1)?,
            version: row.try_get(2)?,
            status: row.try_get(3)?,
            received_at: row.try_get(4)?,
            due_at: row.try_get(5)?,
            finished_at: row.try_get(6)?,
            returned_at: row.try_get(7)?,
            supplement_count: row.try_get(8)?,
            supplement_requested_at: row.try_get(9)?,
            supplement_seconds: row.try_get(10)?,
            phone_last4: row.try_get(11)?,
            head: row.try_get(12)?,
            detail: row.try_get(13)?,
        })
    }
}

const FIND_CODE_BY_LOOKUP_NUMBER: &str = "SELECT code FROM dossiers WHERE lookup_number = $1";

/// The canonical code of the dossier with this lookup number.
pub async fn find_code_by_lookup_number(
    client: &impl GenericClient,
    lookup_number: i64,
) -> anyhow::Result<Option<String>> {
    let statement = client.prepare_cached(FIND_CODE_BY_LOOKUP_NUMBER).await?;
    let row = client.query_opt(&statement, &[&lookup_number]).await?;
    Ok(row.map(|r| r.get(0)))
}

const COUNT_DOSSIERS: &str = "SELECT count(*) FROM dossiers";

/// How many dossiers the read model holds.
pub async fn count_dossiers(client: &impl GenericClient) -> anyhow::Result<i64> {
    let statement = client.prepare_cached(COUNT_DOSSIERS).await?;
    Ok(client.query_one(&statement, &[]).await?.get(0))
}

impl TryFrom<&Row> for DossierRecord {
    type Error = anyhow::Error;

    fn try_from(row: &Row) -> anyhow::Result<Self> {
        let column = DOSSIER_COLUMNS;
        let events: Vec<EventRow> = serde_json::from_value(row.try_get(column + 10)?)?;
        let mut event_agency_names = Vec::with_capacity(events.len());
        let events = events
            .into_iter()
            .map(|event| {
                event_agency_names.push(event.agency_name);
                event_from_columns(
                    event.at,
                    event.status,
                    event.step,
                    event.agency_code.as_deref(),
                    event.note,
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            dossier: dossier_from_row(row, events)?,
            lookup_number: row.try_get(column)?,
            synced_at: row.try_get(column + 1)?,
            procedure_name: row.try_get(column + 2)?,
            procedure_field: row.try_get(column + 3)?,
            processing_days: row.try_get(column + 4)?,
            receiving_agency_name: row.try_get(column + 5)?,
            handling_agency_name: row.try_get(column + 6)?,
            desk_address: row.try_get(column + 7)?,
            desk_phone: row.try_get(column + 8)?,
            desk_hours: row.try_get(column + 9)?,
            event_agency_names,
            receiving_now: now_from_json(row.try_get(column + 11)?)?,
            handling_now: now_from_json(row.try_get(column + 12)?)?,
        })
    }
}
