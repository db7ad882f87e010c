//! Questions and feedback: items, their append-only history, tracking-code counters, routing
//! rules, helpfulness votes and the indicators. Every staff read and write takes a `scope`: the
//! agency an officer belongs to (`Some`) or every agency (`None`, desk head); an item outside the
//! scope is simply not found. Rows become the domain's [`Item`], [`HistoryEntry`] and
//! [`IndicatorCounts`] here, their stored names read once as the domain's enums.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::domain::intake::{
    Action, HistoryEntry, InboxFilter, IndicatorCounts, IntakeChannel, Item, Kind, Publication,
    State,
};

/// Reads a stored name (`kind`, `channel`, `state`, `action`) as its domain value; a name the
/// code does not know is an error here, so no caller ever sees an unparsed string.
fn stored<T>(row: &Row, index: usize, parse: fn(&str) -> Option<T>) -> anyhow::Result<T> {
    let raw: String = row.try_get(index)?;
    named(&raw, row.columns()[index].name(), parse)
}

fn named<T>(raw: &str, column: &str, parse: fn(&str) -> Option<T>) -> anyhow::Result<T> {
    parse(raw).with_context(|| format!("unknown stored value {raw:?} in column {column}"))
}

macro_rules! item_columns {
    () => {
        "i.id, i.tracking_code, i.kind, i.channel, i.submitter_name, i.submitter_phone,
         i.submitter_email, i.submitter_address, i.subject, i.body, i.dossier_code,
         i.procedure_code, i.level, i.agency_code, i.routed_by, i.is_public, i.state,
         i.received_at, i.classify_due_at, i.forwarded_at, i.refuse_due_at, i.info_due_at,
         i.handle_due_at, i.info_requested_at, i.info_request, i.answer, i.answered_at,
         i.answered_by, i.publish_due_at, i.refuse_reason, i.closed_at, i.public_subject,
         i.public_body, i.public_answer, i.masked, i.search_doc, i.published_at,
         i.answer_notice_pending, i.helpful_votes, i.unhelpful_votes, a.name, i.topic,
         i.commune_code, c.name"
    };
}

/// Overdue: the deadline of the step the item waits for has passed (the clock is stopped while
/// the submitter is asked for more information).
macro_rules! overdue_expr {
    () => {
        "((i.state = 'received' AND i.classify_due_at < now())
          OR (i.state IN ('forwarded', 'in_progress') AND i.handle_due_at < now())
          OR (i.state = 'answered' AND i.is_public AND i.publish_due_at < now()))"
    };
}

impl TryFrom<&Row> for Item {
    type Error = anyhow::Error;

    fn try_from(r: &Row) -> anyhow::Result<Self> {
        Ok(Self {
            id: r.try_get(0)?,
            tracking_code: r.try_get(1)?,
            kind: stored(r, 2, Kind::parse)?,
            channel: stored(r, 3, IntakeChannel::parse)?,
            submitter_name: r.try_get(4)?,
            submitter_phone: r.try_get(5)?,
            submitter_email: r.try_get(6)?,
            submitter_address: r.try_get(7)?,
            subject: r.try_get(8)?,
            body: r.try_get(9)?,
            dossier_code: r.try_get(10)?,
            procedure_code: r.try_get(11)?,
            level: r.try_get(12)?,
            agency_code: r.try_get(13)?,
            routed_by: r.try_get(14)?,
            is_public: r.try_get(15)?,
            state: stored(r, 16, State::parse)?,
            received_at: r.try_get(17)?,
            classify_due_at: r.try_get(18)?,
            forwarded_at: r.try_get(19)?,
            refuse_due_at: r.try_get(20)?,
            info_due_at: r.try_get(21)?,
            handle_due_at: r.try_get(22)?,
            info_requested_at: r.try_get(23)?,
            info_request: r.try_get(24)?,
            answer: r.try_get(25)?,
            answered_at: r.try_get(26)?,
            answered_by: r.try_get(27)?,
            publish_due_at: r.try_get(28)?,
            refuse_reason: r.try_get(29)?,
            closed_at: r.try_get(30)?,
            public_subject: r.try_get(31)?,
            public_body: r.try_get(32)?,
            public_answer: r.try_get(33)?,
            masked: r.try_get(34)?,
            search_doc: r.try_get(35)?,
            published_at: r.try_get(36)?,
            answer_notice_pending: r.try_get(37)?,
            helpful_votes: r.try_get(38)?,
            unhelpful_votes: r.try_get(39)?,
            agency_name: r.try_get(40)?,
            topic: r.try_get(41)?,
            commune_code: r.try_get(42)?,
            commune_name: r.try_get(43)?,
        })
    }
}

fn rows_to_items(rows: &[Row]) -> anyhow::Result<Vec<Item>> {
    rows.iter().map(Item::try_from).collect()
}

const NEXT_SEQUENCE: &str = "
INSERT INTO intake_counters (kind, day, last) VALUES ($1, $2, 1)
ON CONFLICT (kind, day) DO UPDATE SET last = intake_counters.last + 1
RETURNING last";

/// The next number of `kind`'s tracking codes on `day` (1, 2, ...), atomically.
pub async fn next_sequence(
    client: &impl GenericClient,
    kind: Kind,
    day: NaiveDate,
) -> anyhow::Result<i32> {
    let statement = client.prepare_cached(NEXT_SEQUENCE).await?;
    Ok(client
        .query_one(&statement, &[&kind.as_str(), &day])
        .await?
        .get(0))
}

const INSERT_ITEM: &str = "
INSERT INTO intake_items (tracking_code, kind, channel, submitter_name, submitter_phone,
    submitter_email, submitter_address, subject, body, dossier_code, procedure_code, level,
    agency_code, routed_by, is_public, state, received_at, classify_due_at, forwarded_at,
    refuse_due_at, info_due_at, handle_due_at, commune_code)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
    $20, $21, $22, $23)
RETURNING id";

/// Stores a new item (the fields a submission sets); returns its id.
pub async fn insert_item(client: &impl GenericClient, item: &Item) -> anyhow::Result<i64> {
    let statement = client.prepare_cached(INSERT_ITEM).await?;
    let row = client
        .query_one(
            &statement,
            &[
                &item.tracking_code,
                &item.kind.as_str(),
                &item.channel.as_str(),
                &item.submitter_name,
                &item.submitter_phone,
                &item.submitter_email,
                &item.submitter_address,
                &item.subject,
                &item.body,
                &item.dossier_code,
                &item.procedure_code,
                &item.level,
                &item.agency_code,
                &item.routed_by,
                &item.is_public,
                &item.state.as_str(),
                &item.received_at,
                &item.classify_due_at,
                &item.forwarded_at,
                &item.refuse_due_at,
                &item.info_due_at,
                &item.handle_due_at,
                &item.commune_code,
            ],
        )
        .await?;
    Ok(row.get(0))
}

const UPDATE_ITEM: &str = "
UPDATE intake_items SET agency_code = $2, routed_by = $3, state = $4, classify_due_at = $5,
    forwarded_at = $6, refuse_due_at = $7, info_due_at = $8, handle_due_at = $9,
    info_requested_at = $10, info_request = $11, answer = $12, answered_at = $13,
    answered_by = $14, publish_due_at = $15, refuse_reason = $16, closed_at = $17,
    public_subject = $18, public_body = $19, public_answer = $20, masked = $21, search_doc = $22,
    published_at = $23, answer_notice_pending = $24, body = $25, topic = $26
WHERE id = $1";

/// Writes back every field a transition may change.
pub async fn update_item(client: &impl GenericClient, item: &Item) -> anyhow::Result<()> {
    let statement = client.prepare_cached(UPDATE_ITEM).await?;
    client
        .execute(
            &statement,
            &[
                &item.id,
                &item.agency_code,
                &item.routed_by,
                &item.state.as_str(),
                &item.classify_due_at,
                &item.forwarded_at,
                &item.refuse_due_at,
                &item.info_due_at,
                &item.handle_due_at,
                &item.info_requested_at,
                &item.info_request,
                &item.answer,
                &item.answered_at,
                &item.answered_by,
                &item.publish_due_at,
                &item.refuse_reason,
                &item.closed_at,
                &item.public_subject,
                &item.public_body,
                &item.public_answer,
                &item.masked,
                &item.search_doc,
                &item.published_at,
                &item.answer_notice_pending,
                &item.body,
                &item.topic,
            ],
        )
        .await?;
    Ok(())
}

const FIND_ITEM: &str = concat!(
    "SELECT ",
    item_columns!(),
    " FROM intake_items i LEFT JOIN agencies a ON a.code = i.agency_code
      LEFT JOIN agencies c ON c.code = i.commune_code
      WHERE i.tracking_code = $1 AND ($2::text IS NULL OR i.agency_code = $2)"
);

/// The item with this tracking code, if it is within `scope`.
pub async fn find_item(
    client: &impl GenericClient,
    tracking_code: &str,
    scope: Option<&str>,
) -> anyhow::Result<Option<Item>> {
    let statement = client.prepare_cached(FIND_ITEM).await?;
    let row = client
        .query_opt(&statement, &[&tracking_code, &scope])
        .await?;
    row.as_ref().map(Item::try_from).transpose()
}

const LOCK_ITEM: &str = concat!(
    "SELECT ",
    item_columns!(),
    " FROM intake_items i LEFT JOIN agencies a ON a.code = i.agency_code
      LEFT JOIN agencies c ON c.code = i.commune_code
      WHERE i.tracking_code = $1 AND ($2::text IS NULL OR i.agency_code = $2)
      FOR UPDATE OF i"
);

/// The item, locked until the caller's transaction ends, if it is within `scope`.
pub async fn lock_item(
    client: &impl GenericClient,
    tracking_code: &str,
    scope: Option<&str>,
) -> anyhow::Result<Option<Item>> {
    let statement = client.prepare_cached(LOCK_ITEM).await?;
    let row = client
        .query_opt(&statement, &[&tracking_code, &scope])
        .await?;
    row.as_ref().map(Item::try_from).transpose()
}

const INSERT_HISTORY: &str = "
INSERT INTO intake_history (item_id, at, action, from_state, to_state, actor_kind, actor_id,
    actor_label, agency_code, note, machine_text, approved_text)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Appends one transition to an item's history.
pub async fn insert_history(
    client: &impl GenericClient,
    item_id: i64,
    row: &HistoryEntry,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_HISTORY).await?;
    let (machine, approved) = match &row.publication {
        Some(p) => (
            Some(serde_json::to_value(&p.machine)?),
            Some(serde_json::to_value(&p.approved)?),
        ),
        None => (None, None),
    };
    client
        .execute(
            &statement,
            &[
                &item_id,
                &row.at,
                &row.action.as_str(),
                &row.from_state.map(State::as_str),
                &row.to_state.as_str(),
                &row.actor_kind,
                &row.actor_id,
                &row.actor_label,
                &row.agency_code,
                &row.note,
                &machine,
                &approved,
            ],
        )
        .await?;
    Ok(())
}

const LIST_HISTORY: &str = "
SELECT at, action, from_state, to_state, actor_kind, actor_id, actor_label, agency_code, note,
    machine_text, approved_text
FROM intake_history WHERE item_id = $1 ORDER BY id";

/// An item's history, oldest first.
pub async fn list_history(
    client: &impl GenericClient,
    item_id: i64,
) -> anyhow::Result<Vec<HistoryEntry>> {
    let statement = client.prepare_cached(LIST_HISTORY).await?;
    client
        .query(&statement, &[&item_id])
        .await?
        .iter()
        .map(HistoryEntry::try_from)
        .collect()
}

impl TryFrom<&Row> for HistoryEntry {
    type Error = anyhow::Error;

    fn try_from(r: &Row) -> anyhow::Result<Self> {
        let from_state: Option<String> = r.try_get(2)?;
        let machine: Option<serde_json::Value> = r.try_get(9)?;
        let approved: Option<serde_json::Value> = r.try_get(10)?;
        let publication = match (machine, approved) {
            (Some(machine), Some(approved)) => Some(Publication {
                machine: serde_json::from_value(machine).context("machine_text")?,
                approved: serde_json::from_value(approved).context("approved_text")?,
            }),
            _ => None,
        };
        Ok(Self {
            at: r.try_get(0)?,
            action: stored(r, 1, Action::parse)?,
            from_state: from_state
                .map(|raw| named(&raw, "from_state", State::parse))
                .transpose()?,
            to_state: stored(r, 3, State::parse)?,
            actor_kind: r.try_get(4)?,
            actor_id: r.try_get(5)?,
            actor_label: r.try_get(6)?,
            agency_code: r.try_get(7)?,
            note: r.try_get(8)?,
            publication,
        })
    }
}

const LIST_INBOX: &str = concat!(
    "SELECT ",
    item_columns!(),
    ", ",
    overdue_expr!(),
    " FROM intake_items i LEFT JOIN agencies a ON a.code = i.agency_code
      LEFT JOIN agencies c ON c.code = i.commune_code
      WHERE ($1::text IS NULL OR i.agency_code = $1)
        AND ($2::text IS NULL OR i.state = $2)
        AND ($3::text IS NULL OR i.agency_code = $3)
        AND ($4::text IS NULL OR i.channel = $4)
        AND ($5::text IS NULL OR i.kind = $5)
        AND (NOT $6 OR ",
    overdue_expr!(),
    ")
      ORDER BY i.received_at DESC, i.id DESC LIMIT $7 OFFSET $8"
);

/// The inbox within `scope`, newest first, with each item's overdue flag.
pub async fn list_inbox(
    client: &impl GenericClient,
    scope: Option<&str>,
    filter: &InboxFilter,
) -> anyhow::Result<Vec<(Item, bool)>> {
    let statement = client.prepare_cached(LIST_INBOX).await?;
    let rows = client
        .query(
            &statement,
            &[
                &scope,
                &filter.state.map(State::as_str),
                &filter.agency_code,
                &filter.channel.map(IntakeChannel::as_str),
                &filter.kind.map(Kind::as_str),
                &filter.overdue_only,
                &filter.limit,
                &filter.offset,
            ],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((Item::try_from(r)?, r.try_get(44)?)))
        .collect()
}

const IS_OVERDUE: &str = concat!(
    "SELECT ",
    overdue_expr!(),
    " FROM intake_items i WHERE i.id = $1"
);

/// Whether the item is overdue now.
pub async fn is_overdue(client: &impl GenericClient, item_id: i64) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(IS_OVERDUE).await?;
    Ok(client.query_one(&statement, &[&item_id]).await?.get(0))
}

const LIST_PUBLISHED: &str = concat!(
    "SELECT ",
    item_columns!(),
    " FROM intake_items i LEFT JOIN agencies a ON a.code = i.agency_code
      LEFT JOIN agencies c ON c.code = i.commune_code
      WHERE i.state = 'published'
        AND ($1::text IS NULL OR i.kind = $1)
        AND ($2::text IS NULL OR i.agency_code = $2)
        AND tracuu_fold(i.search_doc) LIKE ALL (
            SELECT '%' || replace(replace(replace(tracuu_fold(w), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
            FROM unnest($3::text[]) AS w)
      ORDER BY i.published_at DESC, i.id DESC LIMIT $4 OFFSET $5"
);

/// Published items, newest first. Every word of `words` must occur in the subject, question or
/// answer, ignoring case and diacritics (`giay phep` finds "Giấy phép").
pub async fn list_published(
    client: &impl GenericClient,
    kind: Option<Kind>,
    agency_code: Option<&str>,
    words: &[String],
    limit: i64,
    offset: i64,
) -> anyhow::Result<Vec<Item>> {
    let statement = client.prepare_cached(LIST_PUBLISHED).await?;
    let rows = client
        .query(
            &statement,
            &[
                &kind.map(Kind::as_str),
                &agency_code,
                &words,
                &limit,
                &offset,
            ],
        )
        .await?;
    rows_to_items(&rows)
}

const INSERT_VOTE: &str = "
INSERT INTO intake_votes (item_id, voter_hash, helpful) VALUES ($1, $2, $3)
ON CONFLICT (item_id, voter_hash) DO NOTHING";
const COUNT_VOTE: &str = "
UPDATE intake_items SET helpful_votes = helpful_votes + CASE WHEN $2 THEN 1 ELSE 0 END,
    unhelpful_votes = unhelpful_votes + CASE WHEN $2 THEN 0 ELSE 1 END
WHERE id = $1 RETURNING helpful_votes, unhelpful_votes";

/// Records a vote unless this voter already voted on the item; returns the new counts, or
/// `None` for a repeated vote.
pub async fn insert_vote(
    client: &impl GenericClient,
    item_id: i64,
    voter_hash: &[u8],
    helpful: bool,
) -> anyhow::Result<Option<(i32, i32)>> {
    let statement = client.prepare_cached(INSERT_VOTE).await?;
    if client
        .execute(&statement, &[&item_id, &voter_hash, &helpful])
        .await?
        == 0
    {
        return Ok(None);
    }
    let statement = client.prepare_cached(COUNT_VOTE).await?;
    let row = client.query_one(&statement, &[&item_id, &helpful]).await?;
    Ok(Some((row.get(0), row.get(1))))
}

const FIND_DOSSIER_AGENCY: &str = concat!(
    "SELECT d.handling_agency_code, ",
    living_agency!("a"),
    ", ARRAY(SELECT s.successor_code FROM agency_successors s JOIN agencies l ON l.code = s.successor_code
              WHERE s.agency_code = a.code AND ",
    living_agency!("l"),
    " ORDER BY s.successor_code)
       FROM dossiers d JOIN agencies a ON a.code = d.handling_agency_code WHERE d.code = $1"
);

/// The agency handling a dossier, when the dossier is known: its code, whether it still receives
/// dossiers, and its living successors (for a closed one).
pub async fn find_dossier_agency(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<(String, bool, Vec<String>)>> {
    let statement = client.prepare_cached(FIND_DOSSIER_AGENCY).await?;
    Ok(client
        .query_opt(&statement, &[&code])
        .await?
        .map(|r| (r.get(0), r.get(1), r.get(2))))
}

const AGENCY_LIVING: &str = concat!(
    "SELECT ",
    living_agency!("a"),
    " FROM agencies a WHERE a.code = $1"
);

/// Whether the agency is in the catalog, open or closed.
pub async fn agency_exists(client: &impl GenericClient, code: &str) -> anyhow::Result<bool> {
    Ok(agency_living(client, code).await?.is_some())
}

/// Whether the agency is in the catalog (`None` when not) and still receives dossiers.
pub async fn agency_living(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<bool>> {
    let statement = client.prepare_cached(AGENCY_LIVING).await?;
    Ok(client
        .query_opt(&statement, &[&code])
        .await?
        .map(|r| r.get(0)))
}

const FIND_PROCEDURE_LEVEL: &str = "SELECT level FROM procedures WHERE code = $1";

/// The level a procedure of the catalog is settled at: `None` when the procedure is not in the
/// catalog, `Some(None)` when the catalog does not say.
pub async fn find_procedure_level(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<Option<String>>> {
    let statement = client.prepare_cached(FIND_PROCEDURE_LEVEL).await?;
    Ok(client
        .query_opt(&statement, &[&code])
        .await?
        .map(|r| r.get(0)))
}

/// Where a dossier was received, as routing by place sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierPlace {
    /// The agency that received it.
    pub receiving_code: String,
    /// Whether that agency is a commune (xã, phường, đặc khu) that still receives dossiers.
    pub received_by_commune: bool,
    /// The living communes among the receiving agency's successors, by code.
    pub commune_successors: Vec<String>,
    /// The level of the dossier's procedure, when the catalog says.
    pub procedure_level: Option<String>,
}

/// A commune: an agency of a current level of the local tier (`agency_levels`).
macro_rules! commune_level {
    ($alias:literal) => {
        concat!(
            "(",
            $alias,
            ".tier = 'local' AND NOT ",
            $alias,
            ".historical)"
        )
    };
}

const FIND_DOSSIER_PLACE: &str = concat!(
    "SELECT d.receiving_agency_code, coalesce(",
    commune_level!("l"),
    " AND ",
    living_agency!("a"),
    ", false), ARRAY(SELECT s.code FROM agency_successors x
          JOIN agencies s ON s.code = x.successor_code
          JOIN agency_levels sl ON sl.code = s.kind
          WHERE x.agency_code = d.receiving_agency_code AND ",
    commune_level!("sl"),
    " AND ",
    living_agency!("s"),
    " ORDER BY s.code), p.level
     FROM dossiers d LEFT JOIN agencies a ON a.code = d.receiving_agency_code
     LEFT JOIN agency_levels l ON l.code = a.kind
     LEFT JOIN procedures p ON p.code = d.procedure_code
     WHERE d.code = $1"
);

/// Where the dossier was received and the level of its procedure, when the dossier is known.
pub async fn find_dossier_place(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<DossierPlace>> {
    let statement = client.prepare_cached(FIND_DOSSIER_PLACE).await?;
    Ok(client
        .query_opt(&statement, &[&code])
        .await?
        .map(|r| DossierPlace {
            receiving_code: r.get(0),
            received_by_commune: r.get(1),
            commune_successors: r.get(2),
            procedure_level: r.get(3),
        }))
}

/// How an agency chosen as the submitter's commune stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommuneCheck {
    /// Its name.
    pub name: String,
    /// Whether it still receives dossiers.
    pub living: bool,
    /// Whether it is of a current level of the local tier (xã, phường, đặc khu).
    pub commune: bool,
    /// The first day it no longer received dossiers, when closed.
    pub valid_until: Option<NaiveDate>,
    /// The names of its living successors, for a closed one.
    pub successors: Vec<String>,
}

const FIND_COMMUNE: &str = concat!(
    "SELECT a.name, ",
    living_agency!("a"),
    ", ",
    commune_level!("l"),
    ", a.valid_until, ARRAY(SELECT s.name FROM agency_successors x
          JOIN agencies s ON s.code = x.successor_code
          WHERE x.agency_code = a.code AND ",
    living_agency!("s"),
    " ORDER BY s.name)
     FROM agencies a JOIN agency_levels l ON l.code = a.kind WHERE a.code = $1"
);

/// The agency `code` as a choice of commune, when it is in the catalog.
pub async fn find_commune(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<CommuneCheck>> {
    let statement = client.prepare_cached(FIND_COMMUNE).await?;
    Ok(client
        .query_opt(&statement, &[&code])
        .await?
        .map(|r| CommuneCheck {
            name: r.get(0),
            living: r.get(1),
            commune: r.get(2),
            valid_until: r.get(3),
            successors: r.get(4),
        }))
}

const LIST_COMMUNES: &str = concat!(
    "SELECT a.code, a.name FROM agencies a JOIN agency_levels l ON l.code = a.kind WHERE ",
    commune_level!("l"),
    " AND ",
    living_agency!("a"),
    " ORDER BY tracuu_fold(a.name), a.code"
);

/// Every commune (xã, phường, đặc khu) that receives dossiers today, in alphabetical order
/// ignoring diacritics: the choices of a submitter's commune.
pub async fn list_communes(client: &impl GenericClient) -> anyhow::Result<Vec<AgencyOption>> {
    list_agency_options(client, LIST_COMMUNES).await
}

/// The agencies `query` selects (code, name), as pick-list options.
async fn list_agency_options(
    client: &impl GenericClient,
    query: &str,
) -> anyhow::Result<Vec<AgencyOption>> {
    let statement = client.prepare_cached(query).await?;
    Ok(client
        .query(&statement, &[])
        .await?
        .iter()
        .map(|r| AgencyOption {
            code: r.get(0),
            name: r.get(1),
        })
        .collect())
}

const PROCEDURE_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM procedures WHERE code = $1)";

/// Whether the procedure is in the catalog.
pub async fn procedure_exists(client: &impl GenericClient, code: &str) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(PROCEDURE_EXISTS).await?;
    Ok(client.query_one(&statement, &[&code]).await?.get(0))
}

/// A routing rule: who handles a procedure at a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRow {
    pub procedure_code: String,
    pub level: String,
    pub agency_code: String,
    pub procedure_name: String,
    pub agency_name: String,
    /// The level's Vietnamese label (`agency_levels`).
    pub level_label: String,
    /// Whether the level no longer exists (the district): such a rule is kept for history and
    /// no longer routes anything.
    pub historical: bool,
}

const LIST_ROUTES: &str = "
SELECT r.procedure_code, r.level, r.agency_code, p.name, a.name, l.label_vi, l.historical
FROM procedure_routes r JOIN procedures p ON p.code = r.procedure_code
JOIN agencies a ON a.code = r.agency_code
JOIN agency_levels l ON l.code = r.level
WHERE ($1::text IS NULL OR r.procedure_code = $1)
ORDER BY r.procedure_code, l.sort_order, r.level";

/// The routing rules, of one procedure or of all.
pub async fn list_routes(
    client: &impl GenericClient,
    procedure_code: Option<&str>,
) -> anyhow::Result<Vec<RouteRow>> {
    let statement = client.prepare_cached(LIST_ROUTES).await?;
    Ok(client
        .query(&statement, &[&procedure_code])
        .await?
        .iter()
        .map(|r| RouteRow {
            procedure_code: r.get(0),
            level: r.get(1),
            agency_code: r.get(2),
            procedure_name: r.get(3),
            agency_name: r.get(4),
            level_label: r.get(5),
            historical: r.get(6),
        })
        .collect())
}

const UPSERT_ROUTE: &str = "
INSERT INTO procedure_routes (procedure_code, level, agency_code) VALUES ($1, $2, $3)
ON CONFLICT (procedure_code, level) DO UPDATE SET agency_code = EXCLUDED.agency_code";

/// Sets who handles `procedure_code` at `level`.
pub async fn upsert_route(
    client: &impl GenericClient,
    procedure_code: &str,
    level: &str,
    agency_code: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(UPSERT_ROUTE).await?;
    client
        .execute(&statement, &[&procedure_code, &level, &agency_code])
        .await?;
    Ok(())
}

/// An agency for pick lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyOption {
    pub code: String,
    pub name: String,
}

const LIST_PUBLIC_PHONES: &str =
    "SELECT desk_phone FROM agencies WHERE desk_phone IS NOT NULL ORDER BY code";

/// The phone fields the catalog publishes (every agency's desk phone, as written there): public
/// numbers that publication leaves unmasked.
pub async fn list_public_phones(client: &impl GenericClient) -> anyhow::Result<Vec<String>> {
    let statement = client.prepare_cached(LIST_PUBLIC_PHONES).await?;
    Ok(client
        .query(&statement, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

const LIST_AGENCIES: &str = concat!(
    "SELECT a.code, a.name FROM agencies a WHERE ",
    living_agency!("a"),
    " ORDER BY a.code"
);

/// Every agency that still receives dossiers, by code (closed ones stay for history only).
pub async fn list_agencies(client: &impl GenericClient) -> anyhow::Result<Vec<AgencyOption>> {
    list_agency_options(client, LIST_AGENCIES).await
}

const LIST_INDICATORS: &str = concat!(
    "SELECT i.agency_code, a.name, i.kind, count(*),
       count(*) FILTER (WHERE i.answered_at IS NOT NULL),
       count(*) FILTER (WHERE i.answered_at IS NOT NULL
                          AND (i.handle_due_at IS NULL OR i.answered_at <= i.handle_due_at)),
       count(*) FILTER (WHERE (i.answered_at IS NOT NULL AND i.answered_at > i.handle_due_at) OR ",
    overdue_expr!(),
    "),
       count(*) FILTER (WHERE i.unhelpful_votes > i.helpful_votes),
       count(*) FILTER (WHERE i.submitter_phone IS NOT NULL AND EXISTS (
           SELECT 1 FROM intake_items e WHERE e.kind = i.kind AND e.id < i.id
              AND e.submitter_phone = i.submitter_phone
              AND (e.dossier_code = i.dossier_code
                   OR tracuu_fold(e.subject) = tracuu_fold(i.subject))))
     FROM intake_items i LEFT JOIN agencies a ON a.code = i.agency_code
     WHERE i.received_at >= $1 AND i.received_at < $2 AND i.state <> 'withdrawn'
     GROUP BY i.agency_code, a.name, i.kind
     ORDER BY i.agency_code NULLS FIRST, i.kind"
);

/// Counts by agency and kind of the items received in `[from, to)` (withdrawn ones excluded).
pub async fn list_indicators(
    client: &impl GenericClient,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<IndicatorCounts>> {
    let statement = client.prepare_cached(LIST_INDICATORS).await?;
    client
        .query(&statement, &[&from, &to])
        .await?
        .iter()
        .map(IndicatorCounts::try_from)
        .collect()
}

impl TryFrom<&Row> for IndicatorCounts {
    type Error = anyhow::Error;

    fn try_from(r: &Row) -> anyhow::Result<Self> {
        Ok(Self {
            agency_code: r.try_get(0)?,
            agency_name: r.try_get(1)?,
            kind: stored(r, 2, Kind::parse)?,
            total: r.try_get(3)?,
            handled: r.try_get(4)?,
            handled_on_time: r.try_get(5)?,
            overdue: r.try_get(6)?,
            disliked: r.try_get(7)?,
            repeated: r.try_get(8)?,
        })
    }
}

const LIST_TOPIC_COUNTS: &str = "
SELECT topic, count(*) FROM intake_items
WHERE kind = 'feedback' AND received_at >= $1 AND received_at < $2 AND state <> 'withdrawn'
GROUP BY topic ORDER BY topic NULLS LAST";

/// Feedback received in `[from, to)` by the desk head's classification (`None`: not yet).
pub async fn list_topic_counts(
    client: &impl GenericClient,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<(Option<String>, i64)>> {
    let statement = client.prepare_cached(LIST_TOPIC_COUNTS).await?;
    Ok(client
        .query(&statement, &[&from, &to])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

const INSERT_SECRET: &str =
    "INSERT INTO installation (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
const GET_SECRET: &str = "SELECT value FROM installation WHERE key = $1";

/// The installation's value under `key`, storing `candidate` first if there is none yet (so
/// every instance ends up with the same value).
pub async fn get_or_insert_fact(
    client: &impl GenericClient,
    key: &str,
    candidate: &str,
) -> anyhow::Result<String> {
    let statement = client.prepare_cached(INSERT_SECRET).await?;
    client.execute(&statement, &[&key, &candidate]).await?;
    let statement = client.prepare_cached(GET_SECRET).await?;
    Ok(client.query_one(&statement, &[&key]).await?.get(0))
}

const LIST_OPEN_BY_CALLER: &str = concat!(
    "SELECT ",
    item_columns!(),
    " FROM intake_items i LEFT JOIN agencies a ON a.code = i.agency_code
      LEFT JOIN agencies c ON c.code = i.commune_code
      WHERE (i.submitter_phone = $1 OR ($2::text IS NOT NULL AND i.dossier_code = $2))
        AND i.state NOT IN ('published', 'refused', 'withdrawn', 'answered')
      ORDER BY i.received_at DESC, i.id DESC LIMIT 50"
);

/// The open questions and feedback of a caller (the hotline console): those sent from `phone`
/// (E.164) or about `dossier_code`, newest first, at most 50. Answered and closed ones are left
/// out: the operator reads the caller what is still waiting.
pub async fn list_open_by_caller(
    client: &impl GenericClient,
    phone: Option<&str>,
    dossier_code: Option<&str>,
) -> anyhow::Result<Vec<Item>> {
    let statement = client.prepare_cached(LIST_OPEN_BY_CALLER).await?;
    let rows = client.query(&statement, &[&phone, &dossier_code]).await?;
    rows_to_items(&rows)
}
