//! Writes of the catalog feed (agencies and procedures): one version-guarded upsert statement per
//! batch (array parameters), the agency lineage the parent checks walk, and the dossiers whose
//! cached views show a changed catalog entry.

use deadpool_postgres::GenericClient;

use crate::domain::catalog::{Agency, AgencyKind, Procedure};

/// One stored agency as the parent checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyLink {
    pub code: String,
    pub parent_code: Option<String>,
    pub version: i64,
}

/// Every agency in `codes` and all their ancestors. `UNION` (not `UNION ALL`) drops rows already
/// seen, so the walk ends even if stored data ever held a cycle.
const LIST_AGENCY_LINEAGE: &str = "
WITH RECURSIVE lineage (code, parent_code, version) AS (
    SELECT code, parent_code, version FROM agencies WHERE code = ANY($1)
    UNION
    SELECT a.code, a.parent_code, a.version FROM agencies a JOIN lineage l ON a.code = l.parent_code
)
SELECT code, parent_code, version FROM lineage";

/// The stored agencies among `codes` with all their ancestors (code, parent, version).
pub async fn list_agency_lineage(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<AgencyLink>> {
    let statement = client.prepare_cached(LIST_AGENCY_LINEAGE).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| AgencyLink {
            code: r.get(0),
            parent_code: r.get(1),
            version: r.get(2),
        })
        .collect())
}

/// Serialises the batches of one catalog table (push and import alike) for the rest of the
/// caller's transaction: two concurrent agency batches cannot each pass the cycle check and
/// together make a cycle, and what a batch reads before its upsert is still true after it.
const LOCK_BATCHES: &str = "SELECT pg_advisory_xact_lock($1)";
const AGENCY_LOCK_KEY: i64 = 0x7472_6163_6167; // "tracag"
const PROCEDURE_LOCK_KEY: i64 = 0x7472_6163_7072; // "tracpr"

/// Takes the agency-batch lock until the caller's transaction ends.
pub async fn lock_agency_batches(client: &impl GenericClient) -> anyhow::Result<()> {
    let statement = client.prepare_cached(LOCK_BATCHES).await?;
    client.execute(&statement, &[&AGENCY_LOCK_KEY]).await?;
    Ok(())
}

/// Takes the procedure-batch lock until the caller's transaction ends.
pub async fn lock_procedure_batches(client: &impl GenericClient) -> anyhow::Result<()> {
    let statement = client.prepare_cached(LOCK_BATCHES).await?;
    client.execute(&statement, &[&PROCEDURE_LOCK_KEY]).await?;
    Ok(())
}

/// What dossier views show of a catalog entry, by code: a change elsewhere (kind, parent, fee,
/// online level, version alone) leaves the rendered views as they are.
pub type Shown = std::collections::HashMap<String, Vec<Option<String>>>;

const LIST_AGENCIES_SHOWN: &str = "
SELECT a.code, a.name, a.desk_address, a.desk_phone, a.desk_hours, a.valid_until::text,
       (SELECT string_agg(s.successor_code, ',' ORDER BY s.successor_code)
          FROM agency_successors s WHERE s.agency_code = a.code)
  FROM agencies a WHERE a.code = ANY($1)";

/// The shown fields of the stored agencies among `codes`: name, desk address, phone and hours,
/// and, since views name a closed agency's successors, its closing date and successors.
pub async fn list_agencies_shown(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Shown> {
    let statement = client.prepare_cached(LIST_AGENCIES_SHOWN).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| (r.get(0), (1..7).map(|i| r.get(i)).collect()))
        .collect())
}

const LIST_PROCEDURES_SHOWN: &str = "SELECT code, name, field, processing_days::text
    FROM procedures WHERE code = ANY($1)";

/// The shown fields of the stored procedures among `codes` (name, field, processing days).
pub async fn list_procedures_shown(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Shown> {
    let statement = client.prepare_cached(LIST_PROCEDURES_SHOWN).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| (r.get(0), (1..4).map(|i| r.get(i)).collect()))
        .collect())
}

/// Inserts new agencies and replaces stored ones whose version is older. The foreign key on
/// `parent_code` is checked at the end of the statement, so a parent and its child may arrive in
/// the same batch; callers still pass parents first.
const UPSERT_AGENCIES: &str = "
INSERT INTO agencies (code, parent_code, kind, name, desk_address, desk_phone, desk_hours, version,
    valid_from, valid_until)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::int8[], $9::date[], $10::date[])
ON CONFLICT (code) DO UPDATE SET
    valid_from = EXCLUDED.valid_from,
    valid_until = EXCLUDED.valid_until,
    parent_code = EXCLUDED.parent_code,
    kind = EXCLUDED.kind,
    name = EXCLUDED.name,
    desk_address = EXCLUDED.desk_address,
    desk_phone = EXCLUDED.desk_phone,
    desk_hours = EXCLUDED.desk_hours,
    version = EXCLUDED.version
WHERE agencies.version < EXCLUDED.version
RETURNING code";

/// Applies `agencies` (distinct codes, parents first) inside the caller's transaction. Returns the
/// codes inserted or replaced; the others were not newer than what is stored.
pub async fn upsert_agencies(
    client: &impl GenericClient,
    agencies: &[&Agency],
) -> anyhow::Result<Vec<String>> {
    if agencies.is_empty() {
        return Ok(Vec::new());
    }
    let n = agencies.len();
    let mut code = Vec::with_capacity(n);
    let mut parent = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    let mut name = Vec::with_capacity(n);
    let mut address = Vec::with_capacity(n);
    let mut phone = Vec::with_capacity(n);
    let mut hours = Vec::with_capacity(n);
    let mut version = Vec::with_capacity(n);
    let mut valid_from = Vec::with_capacity(n);
    let mut valid_until = Vec::with_capacity(n);
    for a in agencies {
        valid_from.push(a.valid_from);
        valid_until.push(a.valid_until);
        code.push(a.code.as_str());
        parent.push(a.parent_code.as_ref().map(|p| p.as_str()));
        kind.push(a.kind.as_str());
        name.push(a.name.as_str());
        address.push(a.desk_address.as_deref());
        phone.push(a.desk_phone.as_deref());
        hours.push(a.desk_hours.as_deref());
        version.push(a.version);
    }
    let statement = client.prepare_cached(UPSERT_AGENCIES).await?;
    Ok(client
        .query(
            &statement,
            &[
                &code,
                &parent,
                &kind,
                &name,
                &address,
                &phone,
                &hours,
                &version,
                &valid_from,
                &valid_until,
            ],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// The codes of the levels agencies may have (`agency_levels`), in their order.
pub async fn list_levels(client: &impl GenericClient) -> anyhow::Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT code FROM agency_levels ORDER BY sort_order, code",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// A level of government agencies belong to (`agency_levels`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelRow {
    /// Level code, e.g. `commune`.
    pub code: String,
    /// Vietnamese label, e.g. "Xã".
    pub label_vi: String,
    /// English label.
    pub label_en: String,
    /// True for a level that no longer exists (the district, until 30 June 2025).
    pub historical: bool,
    /// `province` (serves the whole province) or `local` (serves a commune-sized place).
    pub tier: String,
}

/// Every level, in display order.
pub async fn level_rows(client: &impl GenericClient) -> anyhow::Result<Vec<LevelRow>> {
    Ok(client
        .query(
            "SELECT code, label_vi, label_en, historical, tier FROM agency_levels
             ORDER BY sort_order, code",
            &[],
        )
        .await?
        .iter()
        .map(|r| LevelRow {
            code: r.get(0),
            label_vi: r.get(1),
            label_en: r.get(2),
            historical: r.get(3),
            tier: r.get(4),
        })
        .collect())
}

/// Replaces the successors of each agency named (in the caller's transaction).
pub async fn replace_successors(
    client: &impl GenericClient,
    successions: &[(&str, Vec<&str>)],
) -> anyhow::Result<()> {
    if successions.is_empty() {
        return Ok(());
    }
    let agencies: Vec<&str> = successions.iter().map(|(code, _)| *code).collect();
    client
        .execute(
            "DELETE FROM agency_successors WHERE agency_code = ANY($1)",
            &[&agencies],
        )
        .await?;
    let (mut from, mut to): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for (code, successors) in successions {
        for successor in successors {
            from.push(code);
            to.push(successor);
        }
    }
    client
        .execute(
            "INSERT INTO agency_successors (agency_code, successor_code)
             SELECT * FROM unnest($1::text[], $2::text[])",
            &[&from, &to],
        )
        .await?;
    Ok(())
}

/// The successors of `code`, by code.
pub async fn list_successors(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT successor_code FROM agency_successors WHERE agency_code = $1 ORDER BY successor_code",
            &[&code],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Same rule as agencies: only a newer version replaces a stored procedure.
const UPSERT_PROCEDURES: &str = "
INSERT INTO procedures (code, name, field, processing_days, fee_vnd, fee_note, online_level,
    version, level, agency_code, desk_agency_code)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::int8[], $6::text[],
    $7::text[], $8::int8[], $9::text[], $10::text[], $11::text[])
ON CONFLICT (code) DO UPDATE SET
    level = EXCLUDED.level,
    agency_code = EXCLUDED.agency_code,
    desk_agency_code = EXCLUDED.desk_agency_code,
    name = EXCLUDED.name,
    field = EXCLUDED.field,
    processing_days = EXCLUDED.processing_days,
    fee_vnd = EXCLUDED.fee_vnd,
    fee_note = EXCLUDED.fee_note,
    online_level = EXCLUDED.online_level,
    version = EXCLUDED.version
WHERE procedures.version < EXCLUDED.version
RETURNING code";

/// Applies `procedures` (distinct codes) inside the caller's transaction. Returns the codes
/// inserted or replaced.
pub async fn upsert_procedures(
    client: &impl GenericClient,
    procedures: &[&Procedure],
) -> anyhow::Result<Vec<String>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let n = procedures.len();
    let mut code = Vec::with_capacity(n);
    let mut name = Vec::with_capacity(n);
    let mut field = Vec::with_capacity(n);
    let mut days = Vec::with_capacity(n);
    let mut fee = Vec::with_capacity(n);
    let mut fee_note = Vec::with_capacity(n);
    let mut online = Vec::with_capacity(n);
    let mut version = Vec::with_capacity(n);
    let mut level = Vec::with_capacity(n);
    let mut agency = Vec::with_capacity(n);
    let mut desk = Vec::with_capacity(n);
    for p in procedures {
        level.push(p.level.as_ref().map(AgencyKind::as_str));
        agency.push(p.agency_code.as_ref().map(|a| a.as_str()));
        desk.push(p.desk_agency_code.as_ref().map(|a| a.as_str()));
        code.push(p.code.as_str());
        name.push(p.name.as_str());
        field.push(p.field.as_str());
        days.push(p.processing_days);
        fee.push(p.fee_vnd);
        fee_note.push(p.fee_note.as_deref());
        online.push(p.online_level.as_str());
        version.push(p.version);
    }
    let statement = client.prepare_cached(UPSERT_PROCEDURES).await?;
    let applied: Vec<String> = client
        .query(
            &statement,
            &[
                &code, &name, &field, &days, &fee, &fee_note, &online, &version, &level, &agency,
                &desk,
            ],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    // Documents follow their procedure's version: only applied procedures that sent a list
    // replace the stored one.
    let listed: Vec<&Procedure> = procedures
        .iter()
        .copied()
        .filter(|p| p.documents.is_some() && applied.iter().any(|c| c == p.code.as_str()))
        .collect();
    replace_documents(client, &listed).await?;
    Ok(applied)
}

const DELETE_DOCUMENTS: &str = "DELETE FROM procedure_documents WHERE procedure_code = ANY($1)";
const INSERT_DOCUMENTS: &str = "INSERT INTO procedure_documents (procedure_code, seq, name, copies)
SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::int4[])";

/// Replaces the documents of `procedures` with the lists they carry.
async fn replace_documents(
    client: &impl GenericClient,
    procedures: &[&Procedure],
) -> anyhow::Result<()> {
    if procedures.is_empty() {
        return Ok(());
    }
    let codes: Vec<&str> = procedures.iter().map(|p| p.code.as_str()).collect();
    let statement = client.prepare_cached(DELETE_DOCUMENTS).await?;
    client.execute(&statement, &[&codes]).await?;
    let (mut code, mut seq, mut name, mut copies) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in procedures {
        for (i, (document, n)) in (1..).zip(p.documents.iter().flatten()) {
            code.push(p.code.as_str());
            seq.push(i);
            name.push(document.as_str());
            copies.push(*n);
        }
    }
    let statement = client.prepare_cached(INSERT_DOCUMENTS).await?;
    client
        .execute(&statement, &[&code, &seq, &name, &copies])
        .await?;
    Ok(())
}

const LIST_AGENCY_VERSIONS: &str = "SELECT code, version FROM agencies WHERE code = ANY($1)";

/// Stored versions of the agencies among `codes`.
pub async fn list_agency_versions(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<(String, i64)>> {
    let statement = client.prepare_cached(LIST_AGENCY_VERSIONS).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

const LIST_PROCEDURE_VERSIONS: &str = "SELECT code, version FROM procedures WHERE code = ANY($1)";

/// Stored versions of the procedures among `codes`.
pub async fn list_procedure_versions(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<(String, i64)>> {
    let statement = client.prepare_cached(LIST_PROCEDURE_VERSIONS).await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// Dossiers whose views name one of the agencies: as receiving or handling agency (name, desk
/// address, phone and hours), as the successor a closed receiving or handling agency names now
/// (its predecessors are walked back through chains of closures; `UNION` ends the walk on a
/// cycle), or in a timeline step.
const LIST_DOSSIERS_OF_AGENCIES: &str = "
WITH RECURSIVE shown (code) AS (
    SELECT unnest($1::text[])
    UNION
    SELECT s.agency_code FROM agency_successors s JOIN shown w ON s.successor_code = w.code
)
SELECT code FROM dossiers
 WHERE receiving_agency_code = ANY(ARRAY(SELECT code FROM shown))
    OR handling_agency_code = ANY(ARRAY(SELECT code FROM shown))
UNION
SELECT dossier_code FROM dossier_events WHERE agency_code = ANY($1)";

/// Codes of the dossiers whose views show one of `agencies`.
pub async fn list_dossiers_of_agencies(
    client: &impl GenericClient,
    agencies: &[&str],
) -> anyhow::Result<Vec<String>> {
    if agencies.is_empty() {
        return Ok(Vec::new());
    }
    let statement = client.prepare_cached(LIST_DOSSIERS_OF_AGENCIES).await?;
    Ok(client
        .query(&statement, &[&agencies])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

const LIST_DOSSIERS_OF_PROCEDURES: &str =
    "SELECT code FROM dossiers WHERE procedure_code = ANY($1)";

/// Codes of the dossiers of one of `procedures`.
pub async fn list_dossiers_of_procedures(
    client: &impl GenericClient,
    procedures: &[&str],
) -> anyhow::Result<Vec<String>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let statement = client.prepare_cached(LIST_DOSSIERS_OF_PROCEDURES).await?;
    Ok(client
        .query(&statement, &[&procedures])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}
