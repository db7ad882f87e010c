//! Writes of the feed: a batch of validated dossier snapshots applied with one statement per table
//! (array parameters, never a statement per row), push signatures and their answers, pull
//! watermarks, and the change notifications other instances listen for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use crate::domain::dossier::Dossier;

/// The channel instances `LISTEN` on for changed dossier codes.
pub const CHANGES_CHANNEL: &str = "tracuu_dossiers";
/// Largest NOTIFY payload we send (PostgreSQL's limit is 8000 bytes).
const NOTIFY_LIMIT: usize = 7_000;

const PROCEDURE_ENTRIES: &str =
    "SELECT code, name, field, processing_days FROM procedures WHERE code = ANY($1)";
const AGENCY_ENTRIES: &str = concat!(
    "SELECT a.code, a.name, a.desk_address, a.desk_phone, a.desk_hours, ",
    now_agencies_json!("a"),
    " FROM agencies a WHERE a.code = ANY($1)"
);

/// What a dossier view shows of a procedure.
#[derive(Debug, Clone)]
pub struct ProcedureEntry {
    pub name: String,
    pub field: String,
    pub processing_days: i32,
}

/// What a dossier view shows of an agency.
#[derive(Debug, Clone)]
pub struct AgencyEntry {
    pub name: String,
    pub desk_address: Option<String>,
    pub desk_phone: Option<String>,
    pub desk_hours: Option<String>,
    /// Who serves its dossiers now (`None` while it is open; see
    /// [`crate::db::dossiers::DossierRecord::receiving_now`]).
    pub now: Option<Vec<crate::domain::succession::NowAgency>>,
}

/// The catalog entries among `procedures` and `agencies` that exist (codes absent from the
/// returned maps are not in the catalog).
pub async fn catalog_entries(
    client: &impl GenericClient,
    procedures: &[&str],
    agencies: &[&str],
) -> anyhow::Result<(
    HashMap<String, ProcedureEntry>,
    HashMap<String, AgencyEntry>,
)> {
    let statement = client.prepare_cached(PROCEDURE_ENTRIES).await?;
    let procedures = client
        .query(&statement, &[&procedures])
        .await?
        .iter()
        .map(|r| {
            (
                r.get(0),
                ProcedureEntry {
                    name: r.get(1),
                    field: r.get(2),
                    processing_days: r.get(3),
                },
            )
        })
        .collect();
    let statement = client.prepare_cached(AGENCY_ENTRIES).await?;
    let agencies = client
        .query(&statement, &[&agencies])
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                AgencyEntry {
                    name: r.try_get(1)?,
                    desk_address: r.try_get(2)?,
                    desk_phone: r.try_get(3)?,
                    desk_hours: r.try_get(4)?,
                    now: crate::db::dossiers::now_from_json(r.try_get(5)?)?,
                },
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok((procedures, agencies))
}

/// A dossier a batch applied, with what the database assigned.
#[derive(Debug, Clone)]
pub struct AppliedDossier {
    pub code: String,
    pub lookup_number: i64,
    /// The read model's `updated_at`: when tracuu got this version.
    pub synced_at: DateTime<Utc>,
}

/// The upsert of a batch of dossiers, up to the version test of `ON CONFLICT … DO UPDATE`.
macro_rules! upsert_dossiers {
    ($guard:literal) => {
        concat!(
            "
INSERT INTO dossiers (code, version, procedure_code, receiving_agency_code, handling_agency_code,
    channel, status, applicant_name, applicant_phone, received_at, due_at, finished_at, returned_at,
    supplement_count, supplement_requested_at, supplement_seconds, supplement_request,
    source_updated_at, fee_amount_vnd, fee_payment_place, citizen_due_at)
SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int2[],
    $7::int2[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[],
    $13::timestamptz[], $14::int4[], $15::timestamptz[], $16::int8[], $17::text[],
    $18::timestamptz[], $19::int8[], $20::text[], $21::timestamptz[])
ON CONFLICT (code) DO UPDATE SET
    version = EXCLUDED.version,
    procedure_code = EXCLUDED.procedure_code,
    receiving_agency_code = EXCLUDED.receiving_agency_code,
    handling_agency_code = EXCLUDED.handling_agency_code,
    channel = EXCLUDED.channel,
    status = EXCLUDED.status,
    applicant_name = EXCLUDED.applicant_name,
    applicant_phone = EXCLUDED.applicant_phone,
    received_at = EXCLUDED.received_at,
    due_at = EXCLUDED.due_at,
    finished_at = EXCLUDED.finished_at,
    returned_at = EXCLUDED.returned_at,
    supplement_count = EXCLUDED.supplement_count,
    supplement_requested_at = EXCLUDED.supplement_requested_at,
    supplement_seconds = EXCLUDED.supplement_seconds,
    supplement_request = EXCLUDED.supplement_request,
    source_updated_at = EXCLUDED.source_updated_at,
    fee_amount_vnd = EXCLUDED.fee_amount_vnd,
    fee_payment_place = EXCLUDED.fee_payment_place,
    citizen_due_at = EXCLUDED.citizen_due_at
WHERE ",
            $guard,
            "
RETURNING code, lookup_number, updated_at"
        )
    };
}

/// Inserts new dossiers and replaces stored ones whose version is older; equal or older versions
/// are left alone. Row locks taken by `ON CONFLICT` make concurrent batches serialise per dossier,
/// and the version test is re-checked after the wait, so the newest version always wins.
const UPSERT_DOSSIERS: &str = upsert_dossiers!("dossiers.version < EXCLUDED.version");

/// The repair's upsert: inserts absent dossiers and replaces a stored one, whatever the versions,
/// only while its version is still the one verify compared (`$22`, per code; NULL for a dossier
/// verify found absent, which then changes nothing if it has arrived meanwhile). A version the
/// pull applied since the comparison is never replaced by the older snapshot in hand.
const REPAIR_DOSSIERS: &str = upsert_dossiers!(
    "dossiers.version = (SELECT x.expected FROM unnest($1::text[], $22::int8[]) AS x(code, expected)
                     WHERE x.code = EXCLUDED.code)"
);

/// Which stored dossiers a batch may replace.
#[derive(Debug, Clone, Copy)]
pub enum VersionRule<'a> {
    /// Only those whose stored version is older (every push and pull).
    Newer,
    /// `tracuu sync repair`: those whose stored version is still the given one (`None`: verify
    /// found none), one per dossier in order, whatever the snapshot's version.
    Unchanged(&'a [Option<i64>]),
}

const DELETE_EVENTS: &str = "DELETE FROM dossier_events WHERE dossier_code = ANY($1)";

const INSERT_EVENTS: &str = "
INSERT INTO dossier_events (dossier_code, seq, occurred_at, status, step, agency_code, note)
SELECT * FROM unnest($1::text[], $2::int4[], $3::timestamptz[], $4::int2[], $5::text[], $6::text[],
    $7::text[])";

/// Applies `dossiers` (distinct codes) inside the caller's transaction: upserts the dossiers whose
/// version is newer, then replaces the timelines of exactly those. Returns the applied dossiers.
pub async fn apply_dossiers(
    client: &impl GenericClient,
    dossiers: &[&Dossier],
) -> anyhow::Result<Vec<AppliedDossier>> {
    apply_dossiers_by(client, dossiers, VersionRule::Newer).await
}

/// [`apply_dossiers`] under a chosen [`VersionRule`].
pub async fn apply_dossiers_by(
    client: &impl GenericClient,
    dossiers: &[&Dossier],
    rule: VersionRule<'_>,
) -> anyhow::Result<Vec<AppliedDossier>> {
    if dossiers.is_empty() {
        return Ok(Vec::new());
    }
    let n = dossiers.len();
    let mut code = Vec::with_capacity(n);
    let mut version = Vec::with_capacity(n);
    let mut procedure = Vec::with_capacity(n);
    let mut receiving = Vec::with_capacity(n);
    let mut handling = Vec::with_capacity(n);
    let mut channel = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut name = Vec::with_capacity(n);
    let mut phone = Vec::with_capacity(n);
    let mut received = Vec::with_capacity(n);
    let mut due = Vec::with_capacity(n);
    let mut finished = Vec::with_capacity(n);
    let mut returned = Vec::with_capacity(n);
    let mut supplement_count = Vec::with_capacity(n);
    let mut supplement_at = Vec::with_capacity(n);
    let mut supplement_seconds = Vec::with_capacity(n);
    let mut supplement_request = Vec::with_capacity(n);
    let mut source_updated = Vec::with_capacity(n);
    let mut fee_amount = Vec::with_capacity(n);
    let mut fee_place = Vec::with_capacity(n);
    let mut citizen_due = Vec::with_capacity(n);
    for d in dossiers {
        code.push(d.code.as_str());
        version.push(d.version);
        procedure.push(d.procedure_code.national());
        receiving.push(d.receiving_agency_code.as_str());
        handling.push(d.handling_agency_code.as_str());
        channel.push(d.channel.code());
        status.push(d.status.code());
        name.push(d.applicant_name.as_str());
        phone.push(d.applicant_phone.as_ref().map(|p| p.e164()));
        received.push(d.received_at);
        due.push(d.due_at);
        finished.push(d.finished_at);
        returned.push(d.returned_at);
        supplement_count.push(d.supplement_count);
        supplement_at.push(d.supplement_requested_at);
        supplement_seconds.push(d.supplement_seconds);
        supplement_request.push(d.supplement_request.as_deref());
        source_updated.push(d.source_updated_at);
        fee_amount.push(d.fee_amount_vnd);
        fee_place.push(d.fee_payment_place.as_deref());
        citizen_due.push(d.citizen_due_at);
    }
    let (sql, expected) = match rule {
        VersionRule::Newer => (UPSERT_DOSSIERS, None),
        VersionRule::Unchanged(expected) => {
            anyhow::ensure!(
                expected.len() == n,
                "one expected version per repaired dossier"
            );
            (REPAIR_DOSSIERS, Some(expected.to_vec()))
        }
    };
    let statement = client.prepare_cached(sql).await?;
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![
        &code,
        &version,
        &procedure,
        &receiving,
        &handling,
        &channel,
        &status,
        &name,
        &phone,
        &received,
        &due,
        &finished,
        &returned,
        &supplement_count,
        &supplement_at,
        &supplement_seconds,
        &supplement_request,
        &source_updated,
        &fee_amount,
        &fee_place,
        &citizen_due,
    ];
    if let Some(expected) = &expected {
        params.push(expected);
    }
    let applied: Vec<AppliedDossier> = client
        .query(&statement, &params)
        .await?
        .iter()
        .map(|r| AppliedDossier {
            code: r.get(0),
            lookup_number: r.get(1),
            synced_at: r.get(2),
        })
        .collect();
    if applied.is_empty() {
        return Ok(applied);
    }

    let applied_codes: Vec<&str> = applied.iter().map(|a| a.code.as_str()).collect();
    let statement = client.prepare_cached(DELETE_EVENTS).await?;
    client.execute(&statement, &[&applied_codes]).await?;

    let applied_set: std::collections::HashSet<&str> = applied_codes.iter().copied().collect();
    let mut e_code = Vec::new();
    let mut e_seq = Vec::new();
    let mut e_at = Vec::new();
    let mut e_status = Vec::new();
    let mut e_step = Vec::new();
    let mut e_agency = Vec::new();
    let mut e_note = Vec::new();
    for d in dossiers
        .iter()
        .filter(|d| applied_set.contains(d.code.as_str()))
    {
        for (seq, event) in d.events.iter().enumerate() {
            e_code.push(d.code.as_str());
            e_seq.push(i32::try_from(seq)?);
            e_at.push(event.at);
            e_status.push(event.status.code());
            e_step.push(event.step.as_str());
            e_agency.push(event.agency_code.as_ref().map(|a| a.as_str()));
            e_note.push(event.note.as_deref());
        }
    }
    if !e_code.is_empty() {
        let statement = client.prepare_cached(INSERT_EVENTS).await?;
        client
            .execute(
                &statement,
                &[
                    &e_code, &e_seq, &e_at, &e_status, &e_step, &e_agency, &e_note,
                ],
            )
            .await?;
    }
    Ok(applied)
}

const DELETE_DOSSIERS: &str = "DELETE FROM dossiers WHERE code = ANY($1) AND updated_at < $2
    RETURNING code";

/// Deletes the dossiers among `codes` that have not changed since `unchanged_since` (their
/// timelines, views and queued SMS go with them); returns the codes deleted.
pub async fn delete_dossiers(
    client: &impl GenericClient,
    codes: &[&str],
    unchanged_since: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    let statement = client.prepare_cached(DELETE_DOSSIERS).await?;
    Ok(client
        .query(&statement, &[&codes, &unchanged_since])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

const DELETE_VIEWS: &str = "DELETE FROM dossier_views WHERE code = ANY($1)";

/// Drops the stored views of `codes`, so views rendered next replace them whatever their
/// versions (a repair may set a dossier back to an older version).
pub async fn delete_views(client: &impl GenericClient, codes: &[String]) -> anyhow::Result<()> {
    let statement = client.prepare_cached(DELETE_VIEWS).await?;
    client.execute(&statement, &[&codes]).await?;
    Ok(())
}

const NOW: &str = "SELECT now()";

/// The database's clock.
pub async fn now(client: &impl GenericClient) -> anyhow::Result<DateTime<Utc>> {
    let statement = client.prepare_cached(NOW).await?;
    Ok(client.query_one(&statement, &[]).await?.get(0))
}

const NOTIFY: &str = "SELECT pg_notify($1, $2)";

/// Records a change to `codes` in the change sequence ([`super::changes::record`]) and queues
/// notifications of them, `origin|code,code,...`, split to fit PostgreSQL's payload limit. Call it
/// inside the change's transaction: the change and its notifications become visible only if it
/// commits. Returns the change's position; nothing is recorded for no codes.
pub async fn notify_changes(
    client: &impl GenericClient,
    origin: &str,
    codes: &[String],
) -> anyhow::Result<Option<i64>> {
    if codes.is_empty() {
        return Ok(None);
    }
    let position = super::changes::record(client, origin, codes).await?;
    let statement = client.prepare_cached(NOTIFY).await?;
    let mut payload = String::new();
    for code in codes {
        if !payload.is_empty() && payload.len() + code.len() + 1 > NOTIFY_LIMIT {
            client
                .execute(&statement, &[&CHANGES_CHANNEL, &payload])
                .await?;
            payload.clear();
        }
        if payload.is_empty() {
            payload.push_str(origin);
            payload.push('|');
        } else {
            payload.push(',');
        }
        payload.push_str(code);
    }
    if !payload.is_empty() {
        client
            .execute(&statement, &[&CHANGES_CHANNEL, &payload])
            .await?;
    }
    Ok(Some(position))
}

const INSERT_SIGNATURE: &str = "INSERT INTO sync_signatures (signature, endpoint) VALUES ($1, $2)
    ON CONFLICT (signature) DO NOTHING";
const FIND_SIGNATURE: &str =
    "SELECT endpoint, answer_status, answer, seen_at FROM sync_signatures WHERE signature = $1";

/// A push signature recorded before: where it was sent and what it was answered.
#[derive(Debug, Clone)]
pub struct SeenSignature {
    /// The push endpoint it was accepted by (`None`: recorded before endpoints were kept).
    pub endpoint: Option<String>,
    /// The HTTP status and JSON body it was answered (`None`: no answer was stored).
    pub answer: Option<(i16, String)>,
    /// When it was first accepted.
    pub seen_at: DateTime<Utc>,
}

/// Records a push signature sent to `endpoint`; `None` when it is new, else what was recorded
/// before. A signature being recorded by a transaction still open is waited for (its unique row),
/// so the answer read is the committed one.
pub async fn record_signature(
    client: &impl GenericClient,
    signature: &[u8],
    endpoint: &str,
) -> anyhow::Result<Option<SeenSignature>> {
    let statement = client.prepare_cached(INSERT_SIGNATURE).await?;
    if client.execute(&statement, &[&signature, &endpoint]).await? == 1 {
        return Ok(None);
    }
    let statement = client.prepare_cached(FIND_SIGNATURE).await?;
    let seen = client.query_opt(&statement, &[&signature]).await?;
    Ok(Some(match seen {
        Some(row) => SeenSignature {
            endpoint: row.get(0),
            answer: row
                .get::<_, Option<i16>>(1)
                .zip(row.get::<_, Option<String>>(2)),
            seen_at: row.get(3),
        },
        // Deleted in between (older than twice the window): it was accepted all the same.
        None => SeenSignature {
            endpoint: None,
            answer: None,
            seen_at: Utc::now(),
        },
    }))
}

const STORE_ANSWER: &str =
    "UPDATE sync_signatures SET answer_status = $2, answer = $3 WHERE signature = $1";

/// Stores what a push was answered beside its signature, for a retry of the same request.
pub async fn store_answer(
    client: &impl GenericClient,
    signature: &[u8],
    status: i16,
    answer: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(STORE_ANSWER).await?;
    client
        .execute(&statement, &[&signature, &status, &answer])
        .await?;
    Ok(())
}

const DELETE_OLD_SIGNATURES: &str = "DELETE FROM sync_signatures WHERE seen_at < $1";

/// Forgets signatures older than `before` (they fall outside the replay window anyway).
pub async fn delete_signatures_before(
    client: &impl GenericClient,
    before: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(DELETE_OLD_SIGNATURES).await?;
    Ok(client.execute(&statement, &[&before]).await?)
}

const FIND_WATERMARK: &str = "SELECT watermark FROM sync_watermarks WHERE source = $1";

/// The stored watermark of a pull source.
pub async fn find_watermark(
    client: &impl GenericClient,
    source: &str,
) -> anyhow::Result<Option<String>> {
    let statement = client.prepare_cached(FIND_WATERMARK).await?;
    Ok(client
        .query_opt(&statement, &[&source])
        .await?
        .map(|r| r.get(0)))
}

const UPSERT_WATERMARK: &str = "INSERT INTO sync_watermarks (source, watermark) VALUES ($1, $2)
    ON CONFLICT (source) DO UPDATE SET watermark = EXCLUDED.watermark";

/// Stores the watermark of a pull source (inside the batch's transaction).
pub async fn upsert_watermark(
    client: &impl GenericClient,
    source: &str,
    watermark: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(UPSERT_WATERMARK).await?;
    client.execute(&statement, &[&source, &watermark]).await?;
    Ok(())
}

const INSERT_WATERMARK_MARK: &str =
    "INSERT INTO sync_watermark_marks (source, watermark) VALUES ($1, $2)";

/// Notes that `source`'s watermark stands at `watermark` now.
pub async fn mark_watermark(
    client: &impl GenericClient,
    source: &str,
    watermark: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_WATERMARK_MARK).await?;
    client.execute(&statement, &[&source, &watermark]).await?;
    Ok(())
}

const FIND_MARK_BEFORE: &str = "SELECT watermark FROM sync_watermark_marks
    WHERE source = $1 AND marked_at <= now() - make_interval(secs => $2)
    ORDER BY marked_at DESC, id DESC LIMIT 1";
const FIND_OLDEST_MARK: &str = "SELECT watermark FROM sync_watermark_marks
    WHERE source = $1 ORDER BY marked_at, id LIMIT 1";
const DELETE_MARKS_BEFORE: &str = "DELETE FROM sync_watermark_marks
    WHERE source = $1 AND marked_at < (SELECT max(marked_at) FROM sync_watermark_marks
        WHERE source = $1 AND marked_at <= now() - make_interval(secs => $2))";

/// Where `source`'s watermark stood `seconds` ago: the last mark at least that old, or the oldest
/// mark when none is (`None`: no mark yet). Marks older than the one returned are deleted.
pub async fn watermark_marked_before(
    client: &impl GenericClient,
    source: &str,
    seconds: f64,
) -> anyhow::Result<Option<String>> {
    let statement = client.prepare_cached(FIND_MARK_BEFORE).await?;
    if let Some(row) = client.query_opt(&statement, &[&source, &seconds]).await? {
        let statement = client.prepare_cached(DELETE_MARKS_BEFORE).await?;
        client.execute(&statement, &[&source, &seconds]).await?;
        return Ok(Some(row.get(0)));
    }
    let statement = client.prepare_cached(FIND_OLDEST_MARK).await?;
    Ok(client
        .query_opt(&statement, &[&source])
        .await?
        .map(|row| row.get(0)))
}

const LIST_VERSIONS: &str = "SELECT code, version FROM dossiers WHERE code = ANY($1)";

/// The stored versions of the dossiers among `codes` that the read model has.
pub async fn list_versions(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<HashMap<String, i64>> {
    let statement = client.prepare_cached(LIST_VERSIONS).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect())
}
