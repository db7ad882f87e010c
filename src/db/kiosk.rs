//! What the kiosk reads and writes, through the `catalog` and `quality` services: the procedure
//! catalogue by tier or level → agency → field (levels and tiers are rows of `agency_levels`,
//! never a list in code), search that ignores diacritics (`tracuu_fold`, migration
//! V9), one procedure with its documents and desk, on-time statistics per agency, desk contacts,
//! and satisfaction ratings.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

/// The SQL condition "agency `a` (its level row `al`) settles procedure `p` (its level row
/// `pl`)". A procedure of a province-tier level (`department`, `province`) is settled by the
/// agency its catalogue entry names. A procedure of a local-tier level is settled by every
/// local-tier agency for its own place: one of a level of today (commune, ward, special zone)
/// settles the procedures of every local level of today, so a ward settles commune-level
/// procedures; an agency of the historical district level settles the district's own.
macro_rules! settles {
    () => {
        "((pl.tier = 'province' AND p.agency_code = a.code) \
          OR (pl.tier = 'local' AND al.tier = 'local' \
              AND (p.level = a.kind OR (NOT pl.historical AND NOT al.historical))))"
    };
}

/// An agency as a browsing step shows it.
#[derive(Debug, Clone)]
pub struct BrowseAgency {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    /// The Vietnamese label of its level ("Xã", "Phường", "Đặc khu", "Sở, ban, ngành").
    pub kind_label: String,
    /// The tier of its level: `province` or `local`.
    pub tier: String,
    /// Procedures it settles.
    pub procedures: i64,
}

const LIST_BROWSE_AGENCIES: &str = concat!(
    "
SELECT * FROM (
  SELECT a.code, a.name, a.kind, a.parent_code, al.label_vi, al.tier,
         (SELECT count(*) FROM procedures p JOIN agency_levels pl ON pl.code = p.level
           WHERE ",
    settles!(),
    ") AS procedures
    FROM agencies a
    JOIN agency_levels al ON al.code = a.kind
   WHERE NOT al.historical
     AND ($1::text IS NULL OR al.tier = $1)
     AND ($2::text IS NULL OR a.kind = $2)
     AND ($3::text IS NULL OR a.parent_code = $3)
     AND ",
    living_agency!("a"),
    "
) browse
 WHERE tier = 'local' OR procedures > 0
 ORDER BY code"
);

/// The living agencies of a level of today that a citizen can browse: of `tier` (`province`,
/// `local`) and/or of `level` (a level code), optionally only the children of `parent`, in code
/// order. Province-tier agencies are listed only when they settle a procedure; every local-tier
/// agency is listed, since each settles the local procedures for its own place. Agencies of a
/// historical level (the district) are never listed.
pub async fn list_browse_agencies(
    client: &impl GenericClient,
    tier: Option<&str>,
    level: Option<&str>,
    parent: Option<&str>,
) -> anyhow::Result<Vec<BrowseAgency>> {
    let statement = client.prepare_cached(LIST_BROWSE_AGENCIES).await?;
    Ok(client
        .query(&statement, &[&tier, &level, &parent])
        .await?
        .iter()
        .map(|r| BrowseAgency {
            code: r.get(0),
            name: r.get(1),
            kind: r.get(2),
            parent_code: r.get(3),
            kind_label: r.get(4),
            tier: r.get(5),
            procedures: r.get(6),
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

/// A one-stop desk in the contact list, with its tier and how many procedures it receives.
#[derive(Debug, Clone)]
pub struct ContactDesk {
    pub desk: AgencyDesk,
    /// The Vietnamese label of its level.
    pub kind_label: String,
    /// `province` or `local`.
    pub tier: String,
    /// Procedures whose catalogue entry names it as the desk that receives them.
    pub receives: i64,
}

const LIST_CONTACT_DESKS: &str = concat!(
    "
SELECT * FROM (
  SELECT a.code, a.name, a.kind, a.parent_code, a.desk_address, a.desk_phone, a.desk_hours,
         al.label_vi, al.tier,
         (SELECT count(*) FROM procedures p WHERE p.desk_agency_code = a.code) AS receives
    FROM agencies a
    JOIN agency_levels al ON al.code = a.kind
   WHERE NOT al.historical AND a.desk_phone IS NOT NULL AND ",
    living_agency!("a"),
    "
) desks
 WHERE tier = 'local' OR receives > 0
 ORDER BY code"
);

/// The desks citizens go to today, in code order: the province-tier agencies that receive
/// dossiers for procedures (the provincial public administrative service centre, departments
/// with a desk of their own) and every living local-tier agency of a level of today (the
/// commune, ward and special-zone centres), each with a phone number. No desk of a closed agency
/// or of a historical level (the district).
pub async fn list_contact_desks(client: &impl GenericClient) -> anyhow::Result<Vec<ContactDesk>> {
    let statement = client.prepare_cached(LIST_CONTACT_DESKS).await?;
    Ok(client
        .query(&statement, &[])
        .await?
        .iter()
        .map(|r| ContactDesk {
            desk: AgencyDesk::from(r),
            kind_label: r.get(7),
            tier: r.get(8),
            receives: r.get(9),
        })
        .collect())
}

/// A field (lĩnh vực) with the number of procedures in it.
#[derive(Debug, Clone)]
pub struct FieldCount {
    pub field: String,
    pub procedures: i64,
}

const LIST_FIELDS: &str = concat!(
    "SELECT p.field, count(*) FROM procedures p
       JOIN agency_levels pl ON pl.code = p.level
       JOIN agencies a ON a.code = $1
       JOIN agency_levels al ON al.code = a.kind
      WHERE ",
    settles!(),
    " GROUP BY p.field ORDER BY p.field"
);

/// The fields of the procedures `agency` settles (see `settles!`).
pub async fn list_fields(
    client: &impl GenericClient,
    agency: &str,
) -> anyhow::Result<Vec<FieldCount>> {
    let statement = client.prepare_cached(LIST_FIELDS).await?;
    Ok(client
        .query(&statement, &[&agency])
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

const LIST_PROCEDURES_IN_FIELD: &str = concat!(
    "SELECT p.code, p.name, p.field, p.level, p.processing_days, p.fee_vnd FROM procedures p
       JOIN agency_levels pl ON pl.code = p.level
       JOIN agencies a ON a.code = $1
       JOIN agency_levels al ON al.code = a.kind
      WHERE p.field = $2 AND ",
    settles!(),
    " ORDER BY p.name, p.code"
);

/// The procedures of one field that `agency` settles (see `settles!`).
pub async fn list_procedures_in_field(
    client: &impl GenericClient,
    agency: &str,
    field: &str,
) -> anyhow::Result<Vec<ProcedureItem>> {
    let statement = client.prepare_cached(LIST_PROCEDURES_IN_FIELD).await?;
    Ok(client
        .query(&statement, &[&agency, &field])
        .await?
        .iter()
        .map(ProcedureItem::from)
        .collect())
}

const AGENCY_SETTLES: &str = concat!(
    "SELECT EXISTS (SELECT 1 FROM procedures p
       JOIN agency_levels pl ON pl.code = p.level
       JOIN agencies a ON a.code = $1
       JOIN agency_levels al ON al.code = a.kind
      WHERE p.code = $2 AND ",
    settles!(),
    ")"
);

/// Whether `agency` settles `procedure` (see `settles!`).
pub async fn agency_settles(
    client: &impl GenericClient,
    agency: &str,
    procedure: &str,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(AGENCY_SETTLES).await?;
    Ok(client
        .query_one(&statement, &[&agency, &procedure])
        .await?
        .get(0))
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
    /// The tier of its level (`province` or `local`), when the level is known.
    pub level_tier: Option<String>,
    /// Whether its level is historical (the district, before 1 July 2025).
    pub level_historical: bool,
    /// Documents in order: name and number of copies.
    pub documents: Vec<(String, i32)>,
}

const FIND_PROCEDURE: &str = "SELECT p.code, p.name, p.field, p.level, p.processing_days, \
    p.fee_vnd, p.fee_note, p.online_level, p.agency_code, p.desk_agency_code, pl.tier, \
    coalesce(pl.historical, false) \
    FROM procedures p LEFT JOIN agency_levels pl ON pl.code = p.level WHERE p.code = $1";

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
        level_tier: row.get(10),
        level_historical: row.get(11),
        documents,
    }))
}

/// Settled dossiers shown under one agency and how many of them were on time.
#[derive(Debug, Clone)]
pub struct OnTimeRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The agency no longer receives dossiers (shown under its own name: it has no single
    /// living successor).
    pub closed: bool,
    pub settled: i64,
    pub on_time: i64,
    /// Closed agencies whose settled dossiers are counted here (code, name), in code order.
    pub rolled_up: Vec<(String, String)>,
}

/// Dossiers with a result (status 9 or 10) whose result was ready since `$1`, by the agency they
/// are shown under, of tier `$2` and/or level `$3` (NULL: any). On time follows
/// `domain::timeliness::assess` for a finished dossier: at most one supplement request, and the
/// finish time less the supplement pause falls on or before the appointment's day (Vietnam time).
///
/// A dossier is shown under its handling agency while that agency lives. The dossiers of a
/// closed agency are shown under its heir: the one living agency its successors lead to
/// (following successors that closed in turn, without cycles, at most 8 steps). A closed agency
/// whose successors lead to no living agency, or to several, keeps its dossiers under its own
/// name, marked closed: its record cannot be split fairly between several successors.
const LIST_ON_TIME: &str = concat!(
    "
WITH RECURSIVE chain (origin, code, path) AS (
    SELECT a.code, s.successor_code, ARRAY[a.code, s.successor_code]
      FROM agencies a JOIN agency_successors s ON s.agency_code = a.code
     WHERE NOT ",
    living_agency!("a"),
    "
  UNION ALL
    SELECT c.origin, s.successor_code, c.path || s.successor_code
      FROM chain c
      JOIN agencies b ON b.code = c.code
      JOIN agency_successors s ON s.agency_code = b.code
     WHERE NOT ",
    living_agency!("b"),
    "
       AND NOT s.successor_code = ANY (c.path) AND cardinality(c.path) < 10
),
heir AS (
    SELECT c.origin, min(c.code) AS code
      FROM chain c JOIN agencies l ON l.code = c.code
     WHERE ",
    living_agency!("l"),
    "
     GROUP BY c.origin
    HAVING count(DISTINCT c.code) = 1
),
settled AS (
    SELECT d.handling_agency_code AS origin, count(*) AS settled,
           count(*) FILTER (WHERE d.supplement_count <= 1
               AND ((d.finished_at - make_interval(secs => d.supplement_seconds))
                       AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                   <= (d.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS on_time
      FROM dossiers d
     WHERE d.status IN (9, 10) AND d.due_at IS NOT NULL AND d.finished_at >= $1
     GROUP BY d.handling_agency_code
)
SELECT a.code, a.name, a.kind, NOT ",
    living_agency!("a"),
    " AS closed,
       sum(s.settled)::bigint, sum(s.on_time)::bigint,
       coalesce(array_agg(o.code ORDER BY o.code) FILTER (WHERE o.code <> a.code), '{}'),
       coalesce(array_agg(o.name ORDER BY o.code) FILTER (WHERE o.code <> a.code), '{}')
  FROM settled s
  JOIN agencies o ON o.code = s.origin
  LEFT JOIN heir h ON h.origin = o.code
  JOIN agencies a ON a.code = coalesce(h.code, o.code)
  JOIN agency_levels al ON al.code = a.kind
 WHERE ($2::text IS NULL OR al.tier = $2) AND ($3::text IS NULL OR a.kind = $3)
 GROUP BY a.code, a.name, a.kind, closed
 ORDER BY a.code"
);

/// On-time counts per agency (closed agencies' dossiers rolled up to their heir, see
/// `LIST_ON_TIME`) of `tier` and/or `level`, for results ready since `since`.
pub async fn list_on_time(
    client: &impl GenericClient,
    since: DateTime<Utc>,
    tier: Option<&str>,
    level: Option<&str>,
) -> anyhow::Result<Vec<OnTimeRow>> {
    let statement = client.prepare_cached(LIST_ON_TIME).await?;
    Ok(client
        .query(&statement, &[&since, &tier, &level])
        .await?
        .iter()
        .map(|r| {
            let codes: Vec<String> = r.get(6);
            let names: Vec<String> = r.get(7);
            OnTimeRow {
                code: r.get(0),
                name: r.get(1),
                kind: r.get(2),
                closed: r.get(3),
                settled: r.get(4),
                on_time: r.get(5),
                rolled_up: codes.into_iter().zip(names).collect(),
            }
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
