//! What the kiosk reads and writes, through the `catalog` and `quality` services: the procedure
//! catalogue by level → agency → field, search that ignores diacritics (`tracuu_fold`, migration
//! V9), one procedure with its documents and desk, on-time statistics per agency, desk contacts,
//! and satisfaction ratings.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

/// Levels a procedure can be settled at, in browsing order.
pub const LEVELS: [&str; 3] = ["department", "district", "commune"];

/// An agency as a browsing step shows it.
#[derive(Debug, Clone)]
pub struct BrowseAgency {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    /// Procedures it settles.
    pub procedures: i64,
}

const LIST_BROWSE_AGENCIES: &str = concat!("
SELECT a.code, a.name, a.kind, a.parent_code,
       (SELECT count(*) FROM procedures p
         WHERE p.level = $1 AND ($1 <> 'department' OR p.agency_code = a.code)) AS procedures
  FROM agencies a
 WHERE (($1 = 'department'
         AND EXISTS (SELECT 1 FROM procedures p WHERE p.level = 'department' AND p.agency_code = a.code))
        OR ($1 <> 'department' AND a.kind = $1))
   AND ($2::text IS NULL OR a.parent_code = $2)
   AND ", living_agency!("a"), "
 ORDER BY a.code");

/// The agencies that settle procedures of `level` (`department`, `district`, `commune`),
/// optionally only the children of `parent` (communes of one district).
pub async fn list_browse_agencies(
    client: &impl GenericClient,
    level: &str,
    parent: Option<&str>,
) -> anyhow::Result<Vec<BrowseAgency>> {
    let statement = client.prepare_cached(LIST_BROWSE_AGENCIES).await?;
    Ok(client
        .query(&statement, &[&level, &parent])
        .await?
        .iter()
        .map(|r| BrowseAgency {
            code: r.get(0),
            name: r.get(1),
            kind: r.get(2),
            parent_code: r.get(3),
            procedures: r.get(4),
        })
        .collect())
}

/// An agency with its one-stop desk.
#[derive(Debug, Clone)]
pub struct AgencyDesk {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub desk_address: Option<String>,
    pub desk_phone: Option<String>,
    pub desk_hours: Option<String>,
}

impl From<&Row> for AgencyDesk {
    fn from(r: &Row) -> Self {
        Self {
            code: r.get(0),
            name: r.get(1),
            kind: r.get(2),
            parent_code: r.get(3),
            desk_address: r.get(4),
            desk_phone: r.get(5),
            desk_hours: r.get(6),
        }
    }
}

const FIND_AGENCY_DESK: &str = "SELECT code, name, kind, parent_code, desk_address, desk_phone, \
    desk_hours FROM agencies WHERE code = $1";

/// One agency with its desk, if it exists.
pub async fn find_agency_desk(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<AgencyDesk>> {
    let statement = client.prepare_cached(FIND_AGENCY_DESK).await?;
    Ok(client
        .query_opt(&statement, &[&code])
        .await?
        .as_ref()
        .map(AgencyDesk::from))
}

const LIST_CONTACT_DESKS: &str = concat!(
    "SELECT code, name, kind, parent_code, desk_address, desk_phone, desk_hours FROM agencies a \
     WHERE kind = ANY($1) AND desk_phone IS NOT NULL AND ",
    living_agency!("a"),
    " ORDER BY code"
);

/// Desks of the agencies of the given kinds that have a phone number, in code order.
pub async fn list_contact_desks(
    client: &impl GenericClient,
    kinds: &[&str],
) -> anyhow::Result<Vec<AgencyDesk>> {
    let statement = client.prepare_cached(LIST_CONTACT_DESKS).await?;
    Ok(client
        .query(&statement, &[&kinds])
        .await?
        .iter()
        .map(AgencyDesk::from)
        .collect())
}

/// A field (lĩnh vực) with the number of procedures in it.
#[derive(Debug, Clone)]
pub struct FieldCount {
    pub field: String,
    pub procedures: i64,
}

const LIST_FIELDS: &str = "SELECT field, count(*) FROM procedures \
    WHERE level = $1 AND ($1 <> 'department' OR agency_code = $2) \
    GROUP BY field ORDER BY field";

/// The fields of the procedures settled at `level` (by `agency` for department level).
pub async fn list_fields(
    client: &impl GenericClient,
    level: &str,
    agency: &str,
) -> anyhow::Result<Vec<FieldCount>> {
    let statement = client.prepare_cached(LIST_FIELDS).await?;
    Ok(client
        .query(&statement, &[&level, &agency])
        .await?
        .iter()
        .map(|r| FieldCount {
            field: r.get(0),
            procedures: r.get(1),
        })
        .collect())
}

/// A procedure in a list.
#[derive(Debug, Clone)]
pub struct ProcedureItem {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: Option<String>,
    pub processing_days: i32,
    pub fee_vnd: Option<i64>,
}

impl From<&Row> for ProcedureItem {
    fn from(r: &Row) -> Self {
        Self {
            code: r.get(0),
            name: r.get(1),
            field: r.get(2),
            level: r.get(3),
            processing_days: r.get(4),
            fee_vnd: r.get(5),
        }
    }
}

const LIST_PROCEDURES_IN_FIELD: &str = "SELECT code, name, field, level, processing_days, fee_vnd \
    FROM procedures \
    WHERE level = $1 AND ($1 <> 'department' OR agency_code = $2) AND field = $3 \
    ORDER BY name, code";

/// The procedures of one field settled at `level` (by `agency` for department level).
pub async fn list_procedures_in_field(
    client: &impl GenericClient,
    level: &str,
    agency: &str,
    field: &str,
) -> anyhow::Result<Vec<ProcedureItem>> {
    let statement = client.prepare_cached(LIST_PROCEDURES_IN_FIELD).await?;
    Ok(client
        .query(&statement, &[&level, &agency, &field])
        .await?
        .iter()
        .map(ProcedureItem::from)
        .collect())
}

/// Every word must begin a word of the folded code, name or field (so "ho" finds "hộ" and "hồ"
/// but not "thọ"); procedures where the words stand together as typed come first, then those
/// whose name starts with the first word. Words are folded by the same SQL function that built
/// `search_key`, so the query and the catalogue never disagree on what a letter folds to.
const SEARCH_PROCEDURES: &str = "
SELECT code, name, field, level, processing_days, fee_vnd
  FROM procedures
 WHERE search_key LIKE ALL (SELECT '% ' || tracuu_fold(w) || '%' FROM unnest($1::text[]) AS w)
 ORDER BY (search_key LIKE '% ' || tracuu_fold(array_to_string($1, ' ')) || '%') DESC,
          (tracuu_fold(name) LIKE tracuu_fold($1[1]) || '%') DESC,
          name, code
 LIMIT $2";

/// Procedures whose code, name or field contain every one of `words` (already LIKE-escaped),
/// ignoring case and Vietnamese diacritics; at most `limit`.
pub async fn search_procedures(
    client: &impl GenericClient,
    words: &[String],
    limit: i64,
) -> anyhow::Result<Vec<ProcedureItem>> {
    let statement = client.prepare_cached(SEARCH_PROCEDURES).await?;
    Ok(client
        .query(&statement, &[&words, &limit])
        .await?
        .iter()
        .map(ProcedureItem::from)
        .collect())
}

/// One procedure with what a citizen needs to file it.
#[derive(Debug, Clone)]
pub struct ProcedureDetail {
    pub item: ProcedureItem,
    pub fee_note: Option<String>,
    pub online_level: String,
    pub agency_code: Option<String>,
    pub desk_agency_code: Option<String>,
    /// Documents in order: name and number of copies.
    pub documents: Vec<(String, i32)>,
}

const FIND_PROCEDURE: &str = "SELECT code, name, field, level, processing_days, fee_vnd, \
    fee_note, online_level, agency_code, desk_agency_code FROM procedures WHERE code = $1";

const LIST_DOCUMENTS: &str = "SELECT name, copies FROM procedure_documents \
    WHERE procedure_code = $1 ORDER BY seq";

/// One procedure with its documents, if it exists.
pub async fn find_procedure(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<ProcedureDetail>> {
    let statement = client.prepare_cached(FIND_PROCEDURE).await?;
    let Some(row) = client.query_opt(&statement, &[&code]).await? else {
        return Ok(None);
    };
    let documents = client.prepare_cached(LIST_DOCUMENTS).await?;
    let documents = client
        .query(&documents, &[&code])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(Some(ProcedureDetail {
        item: ProcedureItem::from(&row),
        fee_note: row.get(6),
        online_level: row.get(7),
        agency_code: row.get(8),
        desk_agency_code: row.get(9),
        documents,
    }))
}

/// Settled dossiers of one agency and how many of them were on time.
#[derive(Debug, Clone)]
pub struct OnTimeRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub settled: i64,
    pub on_time: i64,
}

/// Dossiers with a result (status 9 or 10) whose result was ready since `$1`, by handling
/// agency. On time follows `domain::timeliness::assess` for a finished dossier: at most one
/// supplement request, and the finish time less the supplement pause falls on or before the
/// appointment's day (Vietnam time).
const LIST_ON_TIME: &str = "
SELECT a.code, a.name, a.kind, count(*) AS settled,
       count(*) FILTER (WHERE d.supplement_count <= 1
           AND ((d.finished_at - make_interval(secs => d.supplement_seconds))
                   AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
               <= (d.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS on_time
  FROM dossiers d
  JOIN agencies a ON a.code = d.handling_agency_code
 WHERE d.status IN (9, 10) AND d.due_at IS NOT NULL AND d.finished_at >= $1
   AND a.kind = ANY($2)
 GROUP BY a.code, a.name, a.kind
 ORDER BY a.code";

/// On-time counts per handling agency of the given kinds, for results ready since `since`.
pub async fn list_on_time(
    client: &impl GenericClient,
    since: DateTime<Utc>,
    kinds: &[&str],
) -> anyhow::Result<Vec<OnTimeRow>> {
    let statement = client.prepare_cached(LIST_ON_TIME).await?;
    Ok(client
        .query(&statement, &[&since, &kinds])
        .await?
        .iter()
        .map(|r| OnTimeRow {
            code: r.get(0),
            name: r.get(1),
            kind: r.get(2),
            settled: r.get(3),
            on_time: r.get(4),
        })
        .collect())
}

/// What became of a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingInsert {
    /// Stored under this id.
    Stored(i64),
    /// The dossier code it named is not in the read model.
    UnknownDossier,
}

const INSERT_RATING: &str = "INSERT INTO kiosk_ratings (kiosk_id, score, dossier_code) \
    VALUES ($1, $2, $3) RETURNING id";

/// Stores one satisfaction rating (score 1–3) from `kiosk_id`, optionally about a dossier.
pub async fn insert_rating(
    client: &impl GenericClient,
    kiosk_id: &str,
    score: i16,
    dossier_code: Option<&str>,
) -> anyhow::Result<RatingInsert> {
    let statement = client.prepare_cached(INSERT_RATING).await?;
    match client
        .query_one(&statement, &[&kiosk_id, &score, &dossier_code])
        .await
    {
        Ok(row) => Ok(RatingInsert::Stored(row.get(0))),
        Err(error)
            if error.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)
                && error
                    .as_db_error()
                    .and_then(|e| e.constraint())
                    .is_some_and(|c| c == "kiosk_ratings_dossier_code_fkey") =>
        {
            Ok(RatingInsert::UnknownDossier)
        }
        Err(error) => Err(error.into()),
    }
}

/// Ratings stored since `since`, counted by score (index 0 = score 1).
const COUNT_RATINGS: &str = "SELECT score, count(*) FROM kiosk_ratings WHERE created_at >= $1 \
    GROUP BY score";

/// Ratings since `since` by score: `[unhappy, neutral, happy]`.
pub async fn count_ratings(
    client: &impl GenericClient,
    since: DateTime<Utc>,
) -> anyhow::Result<[i64; 3]> {
    let statement = client.prepare_cached(COUNT_RATINGS).await?;
    let mut counts = [0i64; 3];
    for row in client.query(&statement, &[&since]).await? {
        let score: i16 = row.get(0);
        if let Some(slot) = usize::try_from(score - 1)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *slot = row.get(1);
        }
    }
    Ok(counts)
}
