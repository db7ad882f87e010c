//! The catalog part of the feed (design.md §3.2): agencies and procedures as the main store pushes
//! them (`POST /sync/v1/agencies`, `POST /sync/v1/procedures`, same signature, replay protection,
//! body formats and limits as dossiers) or as `tracuu import` reads them from CSV. Both paths share
//! the payload types, their validation and [`apply_agency_batch`] / [`apply_procedure_batch`], so
//! they accept and refuse exactly the same things. The version rule is the dossiers' one: an item
//! whose version is not newer than the stored one is stale and changes nothing. A change drops the
//! stored views of the dossiers that show the changed entry (in the same transaction), refreshes
//! the ones this instance has cached, and tells other instances through the same `NOTIFY` as
//! dossier changes.

use std::collections::{HashMap, HashSet};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::service::{BatchError, BatchReport, ItemReport, StaleItem, SyncService};
use super::snapshot::ItemError;
use crate::db;
use crate::domain::catalog::{Agency, AgencyKind, OnlineLevel, Procedure};
use crate::domain::text::{char_len, clean_line};
use crate::domain::{AgencyCode, ProcedureCode};

/// Longest agency name (characters; the column allows the same).
pub const MAX_AGENCY_NAME_CHARS: usize = 300;
/// Longest procedure name (characters; official names run long, the column allows 500).
pub const MAX_PROCEDURE_NAME_CHARS: usize = 500;
/// Longest procedure field (lĩnh vực).
pub const MAX_FIELD_CHARS: usize = 200;
/// Longest desk address.
pub const MAX_ADDRESS_CHARS: usize = 500;
/// Longest desk phone text (may list several numbers and extensions).
pub const MAX_PHONE_CHARS: usize = 100;
/// Longest desk opening hours text.
pub const MAX_HOURS_CHARS: usize = 300;
/// Longest fee note.
pub const MAX_FEE_NOTE_CHARS: usize = 1_000;
/// Longest processing time in days.
pub const MAX_PROCESSING_DAYS: i64 = 365;
/// Dossiers refreshed in the local cache per round trip after a catalog change.
const REFRESH_CHUNK: usize = 1_000;

/// One agency as sent. Unknown fields are refused so a misspelt field is an error, not lost data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyPayload {
    pub code: String,
    /// The parent agency: stored already, or in the same batch.
    #[serde(default)]
    pub parent_code: Option<String>,
    /// `province`, `department`, `district` or `commune`.
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub desk_address: Option<String>,
    #[serde(default)]
    pub desk_phone: Option<String>,
    #[serde(default)]
    pub desk_hours: Option<String>,
    /// Monotonic per agency; not newer than the stored version means stale.
    pub version: i64,
}

/// One procedure as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedurePayload {
    /// National code `N.NNNNNN` (the catalog holds national procedures; dossiers sent with a local
    /// code are matched on its national part).
    pub code: String,
    pub name: String,
    /// Lĩnh vực, e.g. "Hộ tịch".
    pub field: String,
    /// Legal processing time, 0–365 days (0: same day).
    pub processing_days: i64,
    #[serde(default)]
    pub fee_vnd: Option<i64>,
    #[serde(default)]
    pub fee_note: Option<String>,
    /// `full`, `partial` or `none` (dịch vụ công trực tuyến toàn trình, một phần, không).
    pub online_level: String,
    /// Monotonic per procedure; not newer than the stored version means stale.
    pub version: i64,
    /// Level that settles it: `department`, `district` or `commune` (kiosk browsing).
    #[serde(default)]
    pub level: Option<String>,
    /// For a department-level procedure: the department that settles it.
    #[serde(default)]
    pub agency_code: Option<String>,
    /// For a department-level procedure: the desk that receives it (the department's own or the
    /// provincial service centre).
    #[serde(default)]
    pub desk_agency_code: Option<String>,
    /// The documents of its dossier, in order. Absent: the stored list is kept; `[]` clears it.
    #[serde(default)]
    pub documents: Option<Vec<DocumentPayload>>,
}

/// One document of a procedure's dossier (thành phần hồ sơ).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentPayload {
    pub name: String,
    /// Copies to file, 1–20 (default 1).
    #[serde(default = "one_copy")]
    pub copies: i64,
}

fn one_copy() -> i64 {
    1
}

/// Most documents one procedure may list.
pub const MAX_DOCUMENTS: usize = 50;
/// Longest document name, in characters.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 500;

/// A catalog payload: how it names itself and how it is checked.
pub trait CatalogPayload: DeserializeOwned {
    /// What validation turns it into.
    type Valid: CatalogEntry;
    /// The item's name in messages, with its article ("an agency").
    const NOUN: &'static str;
    /// The code as sent, for reports.
    fn raw_code(&self) -> &str;
    /// Checks and cleans everything that needs no database.
    fn validate(&self) -> Result<Self::Valid, ItemError>;
}

/// A validated catalog entry: its canonical code and version.
pub trait CatalogEntry {
    /// The canonical code.
    fn code(&self) -> &str;
    /// The version it carries.
    fn version(&self) -> i64;
    /// Replaces the version (the CSV import's default).
    fn set_version(&mut self, version: i64);
    /// The fields dossier views show, in the order of `db::catalog::list_*_shown`.
    fn shown(&self) -> Vec<Option<String>>;
}

impl CatalogEntry for Agency {
    fn code(&self) -> &str {
        self.code.as_str()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn shown(&self) -> Vec<Option<String>> {
        vec![
            Some(self.name.clone()),
            self.desk_address.clone(),
            self.desk_phone.clone(),
            self.desk_hours.clone(),
        ]
    }
}

impl CatalogEntry for Procedure {
    fn code(&self) -> &str {
        self.code.as_str()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn shown(&self) -> Vec<Option<String>> {
        vec![
            Some(self.name.clone()),
            Some(self.field.clone()),
            Some(self.processing_days.to_string()),
        ]
    }
}

/// The applied codes whose shown fields differ from what was stored before (or that are new).
fn shown_changes<'a, T: CatalogEntry>(
    planned: &'a [(usize, T)],
    applied: &[String],
    before: &db::catalog::Shown,
) -> Vec<&'a str> {
    let applied: HashSet<&str> = applied.iter().map(String::as_str).collect();
    planned
        .iter()
        .map(|(_, entry)| entry)
        .filter(|entry| applied.contains(entry.code()))
        .filter(|entry| before.get(entry.code()) != Some(&entry.shown()))
        .map(|entry| entry.code())
        .collect()
}

/// A required single-line text: cleaned (NFC, no control characters), not empty, at most `max`
/// characters.
fn required_line(field: &str, raw: &str, max: usize) -> Result<String, ItemError> {
    let cleaned = clean_line(raw);
    if cleaned.is_empty() {
        return Err(ItemError::new(field, "is empty"));
    }
    if char_len(&cleaned) > max {
        return Err(ItemError::new(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(cleaned)
}

/// An optional single-line text: blank means absent.
fn optional_line(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ItemError> {
    match raw.map(clean_line) {
        None => Ok(None),
        Some(cleaned) if cleaned.is_empty() => Ok(None),
        Some(cleaned) if char_len(&cleaned) > max => Err(ItemError::new(
            field,
            format!("longer than {max} characters"),
        )),
        Some(cleaned) => Ok(Some(cleaned)),
    }
}

fn check_version(version: i64) -> Result<i64, ItemError> {
    if version < 0 {
        return Err(ItemError::new("version", "must be zero or more"));
    }
    Ok(version)
}

impl CatalogPayload for AgencyPayload {
    type Valid = Agency;
    const NOUN: &'static str = "an agency";

    fn raw_code(&self) -> &str {
        &self.code
    }

    fn validate(&self) -> Result<Agency, ItemError> {
        let code =
            AgencyCode::parse(&self.code).map_err(|e| ItemError::new("code", e.message()))?;
        let parent_code = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                AgencyCode::parse(raw).map_err(|e| ItemError::new("parent_code", e.message()))?,
            ),
        };
        if parent_code.as_ref() == Some(&code) {
            return Err(ItemError::new("parent_code", "is the agency itself"));
        }
        let kind = AgencyKind::parse(&self.kind).ok_or_else(|| {
            ItemError::new("kind", "must be province, department, district or commune")
        })?;
        Ok(Agency {
            code,
            parent_code,
            kind,
            name: required_line("name", &self.name, MAX_AGENCY_NAME_CHARS)?,
            desk_address: optional_line(
                "desk_address",
                self.desk_address.as_deref(),
                MAX_ADDRESS_CHARS,
            )?,
            desk_phone: optional_line("desk_phone", self.desk_phone.as_deref(), MAX_PHONE_CHARS)?,
            desk_hours: optional_line("desk_hours", self.desk_hours.as_deref(), MAX_HOURS_CHARS)?,
            version: check_version(self.version)?,
        })
    }
}

impl CatalogPayload for ProcedurePayload {
    type Valid = Procedure;
    const NOUN: &'static str = "a procedure";

    fn raw_code(&self) -> &str {
        &self.code
    }

    fn validate(&self) -> Result<Procedure, ItemError> {
        let code =
            ProcedureCode::parse(&self.code).map_err(|e| ItemError::new("code", e.message()))?;
        if !code.is_national() {
            return Err(ItemError::new(
                "code",
                format!(
                    "must be the national code N.NNNNNN (here {}), without the local suffix",
                    code.national()
                ),
            ));
        }
        let processing_days = i32::try_from(self.processing_days)
            .ok()
            .filter(|days| (0..=MAX_PROCESSING_DAYS).contains(&i64::from(*days)))
            .ok_or_else(|| {
                ItemError::new(
                    "processing_days",
                    format!("must be 0 to {MAX_PROCESSING_DAYS}"),
                )
            })?;
        if self.fee_vnd.is_some_and(|fee| fee < 0) {
            return Err(ItemError::new("fee_vnd", "must be zero or more"));
        }
        let online_level = OnlineLevel::parse(&self.online_level)
            .ok_or_else(|| ItemError::new("online_level", "must be full, partial or none"))?;
        let level = match self.level.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                crate::db::kiosk::LEVELS
                    .iter()
                    .find(|l| l.eq_ignore_ascii_case(raw))
                    .copied()
                    .ok_or_else(|| {
                        ItemError::new("level", "must be department, district or commune")
                    })?,
            ),
        };
        let agency = |field: &str, raw: Option<&str>| -> Result<Option<AgencyCode>, ItemError> {
            match raw.map(str::trim) {
                None | Some("") => Ok(None),
                Some(raw) => AgencyCode::parse(raw)
                    .map(Some)
                    .map_err(|e| ItemError::new(field, e.message())),
            }
        };
        let agency_code = agency("agency_code", self.agency_code.as_deref())?;
        let desk_agency_code = agency("desk_agency_code", self.desk_agency_code.as_deref())?;
        if (agency_code.is_some() || desk_agency_code.is_some()) && level != Some("department") {
            return Err(ItemError::new(
                "agency_code",
                "only a department-level procedure names its department and desk",
            ));
        }
        let documents = match &self.documents {
            None => None,
            Some(list) if list.len() > MAX_DOCUMENTS => {
                return Err(ItemError::new(
                    "documents",
                    format!("at most {MAX_DOCUMENTS} documents"),
                ))
            }
            Some(list) => Some(
                list.iter()
                    .map(|d| {
                        let name =
                            required_line("documents.name", &d.name, MAX_DOCUMENT_NAME_CHARS)?;
                        let copies = i32::try_from(d.copies)
                            .ok()
                            .filter(|c| (1..=20).contains(c))
                            .ok_or_else(|| ItemError::new("documents.copies", "must be 1 to 20"))?;
                        Ok((name, copies))
                    })
                    .collect::<Result<Vec<_>, ItemError>>()?,
            ),
        };
        Ok(Procedure {
            level,
            agency_code,
            desk_agency_code,
            documents,
            code,
            name: required_line("name", &self.name, MAX_PROCEDURE_NAME_CHARS)?,
            field: required_line("field", &self.field, MAX_FIELD_CHARS)?,
            processing_days,
            fee_vnd: self.fee_vnd,
            fee_note: optional_line("fee_note", self.fee_note.as_deref(), MAX_FEE_NOTE_CHARS)?,
            online_level,
            version: check_version(self.version)?,
        })
    }
}

/// One item of a catalog batch after validation: its index (batch position, or the CSV line) and
/// the valid entry, or the report of why it was refused.
pub type CheckedItem<T> = Result<(usize, T), ItemReport>;

/// Validates one parsed (or unparsable) item at `index`.
pub fn check<P: CatalogPayload>(index: usize, parsed: Result<P, String>) -> CheckedItem<P::Valid> {
    match parsed {
        Err(reason) => Err(ItemReport {
            index,
            code: None,
            field: "(item)".into(),
            reason,
        }),
        Ok(payload) => payload
            .validate()
            .map(|valid| (index, valid))
            .map_err(|error| ItemReport {
                index,
                code: Some(payload.raw_code().to_owned()),
                field: error.field,
                reason: error.reason,
            }),
    }
}

/// Records refused items and keeps, of a code repeated in the batch, only its newest version (the
/// others are stale). Returns the candidates in batch order.
fn sort_out<T: CatalogEntry>(
    items: Vec<CheckedItem<T>>,
    report: &mut BatchReport,
) -> Vec<(usize, T)> {
    report.received = items.len();
    let mut valid: Vec<(usize, T)> = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Ok(entry) => valid.push(entry),
            Err(error) => report.errors.push(error),
        }
    }
    let mut newest: HashMap<&str, usize> = HashMap::new();
    for (position, (_, entry)) in valid.iter().enumerate() {
        match newest.get(entry.code()) {
            Some(&other) if valid[other].1.version() >= entry.version() => {}
            _ => {
                newest.insert(entry.code(), position);
            }
        }
    }
    let kept: HashSet<usize> = newest.into_values().collect();
    let mut candidates = Vec::with_capacity(kept.len());
    for (position, (index, entry)) in valid.into_iter().enumerate() {
        if kept.contains(&position) {
            candidates.push((index, entry));
        } else {
            report.stale_items.push(stale(index, &entry));
        }
    }
    candidates
}

fn stale<T: CatalogEntry>(index: usize, entry: &T) -> StaleItem {
    StaleItem {
        index,
        code: entry.code().to_owned(),
        version: entry.version(),
    }
}

/// Marks the candidates the upsert did not apply as stale, then orders and counts the report.
fn finish<T: CatalogEntry>(
    report: &mut BatchReport,
    candidates: &[(usize, T)],
    applied: &[String],
) {
    let applied_set: HashSet<&str> = applied.iter().map(String::as_str).collect();
    for (index, entry) in candidates {
        if !applied_set.contains(entry.code()) {
            report.stale_items.push(stale(*index, entry));
        }
    }
    report.errors.sort_by_key(|e| e.index);
    report.stale_items.sort_by_key(|s| s.index);
    report.applied = applied.len();
    report.stale = report.stale_items.len();
    report.invalid = report.errors.len();
}

/// What applying a catalog batch did, and which dossiers' views show a changed entry.
#[derive(Debug, Default)]
pub struct CatalogOutcome {
    pub report: BatchReport,
    pub dossiers: Vec<String>,
}

/// Decides which agency candidates may be applied, given the stored lineage: an item not newer
/// than the stored one is stale; a parent must be stored or another applicable item of the batch;
/// no item may become its own ancestor. Refusals cascade (a child of a refused new agency is
/// refused too). Returns the applicable candidates, parents before children.
fn plan_agencies(
    candidates: Vec<(usize, Agency)>,
    stored: &[db::catalog::AgencyLink],
    report: &mut BatchReport,
) -> Vec<(usize, Agency)> {
    let stored_parent: HashMap<&str, Option<&str>> = stored
        .iter()
        .map(|link| (link.code.as_str(), link.parent_code.as_deref()))
        .collect();
    let stored_version: HashMap<&str, i64> = stored
        .iter()
        .map(|link| (link.code.as_str(), link.version))
        .collect();

    let mut pending: Vec<(usize, Agency)> = Vec::with_capacity(candidates.len());
    for (index, agency) in candidates {
        match stored_version.get(agency.code.as_str()) {
            Some(&version) if version >= agency.version => {
                report.stale_items.push(stale(index, &agency));
            }
            _ => pending.push((index, agency)),
        }
    }

    let refuse = |report: &mut BatchReport, index: usize, agency: &Agency, reason: String| {
        report.errors.push(ItemReport {
            index,
            code: Some(agency.code.as_str().to_owned()),
            field: "parent_code".into(),
            reason,
        });
    };
    let mut refused_codes: HashSet<String> = HashSet::new();
    loop {
        // The hierarchy as it would be if every pending item applied.
        let mut parent_of: HashMap<&str, Option<&str>> = stored_parent.clone();
        for (_, agency) in &pending {
            parent_of.insert(
                agency.code.as_str(),
                agency.parent_code.as_ref().map(|p| p.as_str()),
            );
        }
        let mut refused: Vec<(usize, String)> = Vec::new();
        for (position, (_, agency)) in pending.iter().enumerate() {
            let Some(parent) = agency.parent_code.as_ref().map(|p| p.as_str()) else {
                continue;
            };
            if !parent_of.contains_key(parent) {
                let reason = if refused_codes.contains(parent) {
                    format!("{parent} is refused in this batch (see its own error)")
                } else {
                    format!("{parent} is not in the catalog (send the parent first or in the same batch)")
                };
                refused.push((position, reason));
                continue;
            }
            // Walk up; at most one step per known agency, so a stored cycle cannot hang us.
            let mut at = Some(parent);
            for _ in 0..=parent_of.len() {
                match at {
                    Some(code) if code == agency.code.as_str() => {
                        refused.push((
                            position,
                            format!("{parent} would make the agency its own ancestor"),
                        ));
                        break;
                    }
                    Some(code) => at = parent_of.get(code).copied().flatten(),
                    None => break,
                }
            }
        }
        if refused.is_empty() {
            break;
        }
        // Refuse, then check again: a refused new agency may have been another item's parent.
        let mut reasons: HashMap<usize, String> = refused.into_iter().collect();
        let mut kept = Vec::with_capacity(pending.len());
        for (position, (index, agency)) in pending.into_iter().enumerate() {
            match reasons.remove(&position) {
                Some(reason) => {
                    refuse(report, index, &agency, reason);
                    refused_codes.insert(agency.code.as_str().to_owned());
                }
                None => kept.push((index, agency)),
            }
        }
        pending = kept;
    }

    // Parents first: order by depth in the resulting hierarchy.
    let mut parent_of: HashMap<&str, Option<&str>> = stored_parent;
    for (_, agency) in &pending {
        parent_of.insert(
            agency.code.as_str(),
            agency.parent_code.as_ref().map(|p| p.as_str()),
        );
    }
    let depth = |code: &str| {
        let mut depth = 0usize;
        let mut at = parent_of.get(code).copied().flatten();
        while let Some(code) = at {
            depth += 1;
            if depth > parent_of.len() {
                break;
            }
            at = parent_of.get(code).copied().flatten();
        }
        depth
    };
    let mut ordered: Vec<(usize, usize)> = pending
        .iter()
        .enumerate()
        .map(|(position, (_, agency))| (depth(agency.code.as_str()), position))
        .collect();
    ordered.sort_unstable();
    let mut slots: Vec<Option<(usize, Agency)>> = pending.into_iter().map(Some).collect();
    ordered
        .into_iter()
        .filter_map(|(_, position)| slots[position].take())
        .collect()
}

/// Drops the stored views of `dossiers` in the catalog change's transaction: they are keyed by the
/// dossier's version, which a catalog change does not move, so they would otherwise keep showing
/// the old name. A lookup that misses the cache renders and stores them again.
async fn forget_views(
    transaction: &deadpool_postgres::Transaction<'_>,
    dossiers: &[String],
) -> anyhow::Result<()> {
    if !dossiers.is_empty() {
        let codes: Vec<&str> = dossiers.iter().map(String::as_str).collect();
        db::dossiers::delete_views(transaction, &codes).await?;
    }
    Ok(())
}

/// Applies a batch of agencies in one transaction on `client`: `signature` (when given) is recorded
/// first and a replay refuses the whole batch; agency batches are serialised so the parent checks
/// see a settled hierarchy; then one upsert, and, for the agencies whose shown fields changed, the
/// stored views of their dossiers are dropped and a notification tagged with `origin` names those
/// dossiers. Refused and stale items are reported one by one.
pub async fn apply_agency_batch(
    client: &mut deadpool_postgres::Object,
    items: Vec<CheckedItem<Agency>>,
    signature: Option<&[u8]>,
    origin: &str,
) -> Result<CatalogOutcome, BatchError> {
    let mut report = BatchReport::default();
    let candidates = sort_out(items, &mut report);

    let transaction = client.transaction().await.map_err(anyhow::Error::from)?;
    if let Some(signature) = signature {
        if !db::sync::record_signature(&transaction, signature).await? {
            return Err(BatchError::Replayed);
        }
    }
    db::catalog::lock_agency_batches(&transaction).await?;
    let involved: Vec<&str> = candidates
        .iter()
        .flat_map(|(_, a)| {
            std::iter::once(a.code.as_str()).chain(a.parent_code.as_ref().map(|p| p.as_str()))
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let stored = db::catalog::list_agency_lineage(&transaction, &involved).await?;
    let planned = plan_agencies(candidates, &stored, &mut report);
    let codes: Vec<&str> = planned.iter().map(|(_, a)| a.code.as_str()).collect();
    let before = db::catalog::list_agencies_shown(&transaction, &codes).await?;
    let agencies: Vec<&Agency> = planned.iter().map(|(_, a)| a).collect();
    let applied = db::catalog::upsert_agencies(&transaction, &agencies).await?;
    let changed = shown_changes(&planned, &applied, &before);
    let dossiers = db::catalog::list_dossiers_of_agencies(&transaction, &changed).await?;
    forget_views(&transaction, &dossiers).await?;
    db::sync::notify_changes(&transaction, origin, &dossiers).await?;
    transaction.commit().await.map_err(anyhow::Error::from)?;

    finish(&mut report, &planned, &applied);
    Ok(CatalogOutcome { report, dossiers })
}

/// Applies a batch of procedures in one transaction on `client`, like [`apply_agency_batch`].
pub async fn apply_procedure_batch(
    client: &mut deadpool_postgres::Object,
    items: Vec<CheckedItem<Procedure>>,
    signature: Option<&[u8]>,
    origin: &str,
) -> Result<CatalogOutcome, BatchError> {
    let mut report = BatchReport::default();
    let candidates = sort_out(items, &mut report);

    let transaction = client.transaction().await.map_err(anyhow::Error::from)?;
    if let Some(signature) = signature {
        if !db::sync::record_signature(&transaction, signature).await? {
            return Err(BatchError::Replayed);
        }
    }
    db::catalog::lock_procedure_batches(&transaction).await?;
    let codes: Vec<&str> = candidates.iter().map(|(_, p)| p.code.as_str()).collect();
    let before = db::catalog::list_procedures_shown(&transaction, &codes).await?;
    let procedures: Vec<&Procedure> = candidates.iter().map(|(_, p)| p).collect();
    let applied = db::catalog::upsert_procedures(&transaction, &procedures).await?;
    let changed = shown_changes(&candidates, &applied, &before);
    let dossiers = db::catalog::list_dossiers_of_procedures(&transaction, &changed).await?;
    forget_views(&transaction, &dossiers).await?;
    db::sync::notify_changes(&transaction, origin, &dossiers).await?;
    transaction.commit().await.map_err(anyhow::Error::from)?;

    finish(&mut report, &candidates, &applied);
    Ok(CatalogOutcome { report, dossiers })
}

impl SyncService {
    /// Applies a pushed batch of agencies and refreshes this instance's cached views.
    pub async fn apply_agencies(
        &self,
        items: Vec<CheckedItem<Agency>>,
        signature: Option<&[u8]>,
    ) -> Result<BatchReport, BatchError> {
        let mut client = self
            .lookup()
            .pool()
            .get()
            .await
            .map_err(anyhow::Error::from)?;
        let outcome = apply_agency_batch(&mut client, items, signature, self.instance()).await?;
        drop(client);
        self.after_catalog_change(&outcome).await;
        Ok(outcome.report)
    }

    /// Applies a pushed batch of procedures and refreshes this instance's cached views.
    pub async fn apply_procedures(
        &self,
        items: Vec<CheckedItem<Procedure>>,
        signature: Option<&[u8]>,
    ) -> Result<BatchReport, BatchError> {
        let mut client = self
            .lookup()
            .pool()
            .get()
            .await
            .map_err(anyhow::Error::from)?;
        let outcome = apply_procedure_batch(&mut client, items, signature, self.instance()).await?;
        drop(client);
        self.after_catalog_change(&outcome).await;
        Ok(outcome.report)
    }

    /// Re-renders the cached views that show a changed entry. Only dossiers this instance has
    /// cached are re-rendered now (the others lost their stored views and are rendered on their
    /// first lookup), in chunks so one round trip stays small even when a renamed procedure has
    /// hundreds of thousands of dossiers.
    async fn after_catalog_change(&self, outcome: &CatalogOutcome) {
        if outcome.report.applied == 0 {
            return;
        }
        self.touch();
        let cache = self.lookup().cache();
        let cached: Vec<&str> = outcome
            .dossiers
            .iter()
            .map(String::as_str)
            .filter(|code| cache.get(code).is_some())
            .collect();
        for chunk in cached.chunks(REFRESH_CHUNK) {
            if let Err(error) = self.lookup().refresh(chunk).await {
                // The catalog is committed; other instances refresh on the notification and the
                // next change or restart heals this one.
                tracing::warn!(
                    "cache refresh after a catalog change failed: {}",
                    crate::error::redacted_chain(&error)
                );
                break;
            }
        }
    }
}

/// Parses the raw items of a pushed body into checked items.
pub fn parse_items<P: CatalogPayload>(
    raw: Vec<Result<&str, String>>,
) -> Vec<CheckedItem<P::Valid>> {
    raw.into_iter()
        .enumerate()
        .map(|(index, raw)| {
            let parsed = raw.and_then(|text| {
                serde_json::from_str::<P>(text).map_err(|e| format!("not {}: {e}", P::NOUN))
            });
            check(index, parsed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::catalog::AgencyLink;

    /// A change that makes one field of a payload invalid.
    type Spoil<T> = fn(&mut T);

    fn agency(code: &str, parent: Option<&str>, version: i64) -> AgencyPayload {
        AgencyPayload {
            code: code.into(),
            parent_code: parent.map(Into::into),
            kind: "commune".into(),
            name: format!("Ủy ban nhân dân xã {code}"),
            version,
            ..AgencyPayload::default()
        }
    }

    fn procedure() -> ProcedurePayload {
        ProcedurePayload {
            code: " 1.001193 ".into(),
            name: "Thủ tục đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            processing_days: 0,
            fee_vnd: Some(0),
            fee_note: Some("  Miễn lệ phí\u{200B} ".into()),
            online_level: "Full".into(),
            version: 3,
            ..ProcedurePayload::default()
        }
    }

    fn valid(payload: AgencyPayload) -> Agency {
        payload.validate().expect("valid agency")
    }

    fn stored(code: &str, parent: Option<&str>, version: i64) -> AgencyLink {
        AgencyLink {
            code: code.into(),
            parent_code: parent.map(Into::into),
            version,
        }
    }

    #[test]
    fn a_good_agency_is_cleaned_and_canonicalised() {
        let mut payload = agency(" 000.00.16.h48 ", Some("000.00.00.H48"), 1);
        payload.kind = " Department ".into();
        payload.name = "Sở Tu\u{031B} pháp\ntỉnh".into();
        payload.desk_phone = Some("   ".into());
        let agency = valid(payload);
        assert_eq!(agency.code.as_str(), "000.00.16.H48");
        assert_eq!(agency.kind, AgencyKind::Department);
        assert_eq!(agency.name, "Sở Tư pháp tỉnh");
        assert_eq!(agency.desk_phone, None, "blank means absent");
    }

    #[test]
    fn each_bad_agency_field_is_named() {
        let cases: Vec<(&str, Spoil<AgencyPayload>)> = vec![
            ("code", |a| a.code = "Hà.48".into()),
            ("parent_code", |a| a.parent_code = Some("H48..1".into())),
            ("parent_code", |a| {
                a.parent_code = Some(a.code.to_lowercase())
            }),
            ("kind", |a| a.kind = "ward".into()),
            ("name", |a| a.name = " \u{7} ".into()),
            ("name", |a| a.name = "ư".repeat(301)),
            ("desk_address", |a| a.desk_address = Some("đ".repeat(501))),
            ("desk_phone", |a| a.desk_phone = Some("0".repeat(101))),
            ("desk_hours", |a| a.desk_hours = Some("h".repeat(301))),
            ("version", |a| a.version = -1),
        ];
        for (field, spoil) in cases {
            let mut payload = agency("000.01.00.H48", Some("000.00.00.H48"), 1);
            spoil(&mut payload);
            let error = payload.validate().expect_err(field);
            assert_eq!(error.field, field, "{error}");
        }
        // Lengths are characters, not bytes: 300 Vietnamese letters are fine.
        let mut payload = agency("000.01.00.H48", None, 1);
        payload.name = "ư".repeat(300);
        assert!(payload.validate().is_ok());
    }

    #[test]
    fn a_good_procedure_is_cleaned() {
        let procedure = procedure().validate().expect("valid");
        assert_eq!(procedure.code.as_str(), "1.001193");
        assert_eq!(procedure.online_level, OnlineLevel::Full);
        assert_eq!(procedure.fee_note.as_deref(), Some("Miễn lệ phí"));
    }

    #[test]
    fn each_bad_procedure_field_is_named() {
        let cases: Vec<(&str, Spoil<ProcedurePayload>)> = vec![
            ("code", |p| p.code = "1.00119".into()),
            ("code", |p| p.code = "1.001193.000.00.00.H48".into()),
            ("name", |p| p.name = String::new()),
            ("name", |p| p.name = "t".repeat(501)),
            ("field", |p| p.field = "\t".into()),
            ("processing_days", |p| p.processing_days = 366),
            ("processing_days", |p| p.processing_days = -1),
            ("processing_days", |p| p.processing_days = i64::MAX),
            ("fee_vnd", |p| p.fee_vnd = Some(-1)),
            ("fee_note", |p| p.fee_note = Some("x".repeat(1_001))),
            ("online_level", |p| p.online_level = "level 4".into()),
            ("version", |p| p.version = -5),
        ];
        for (field, spoil) in cases {
            let mut payload = procedure();
            spoil(&mut payload);
            let error = payload.validate().expect_err(field);
            assert_eq!(error.field, field, "{error}");
        }
    }

    #[test]
    fn unknown_fields_and_unparsable_items_are_reported_by_index() {
        let raw: Vec<Result<&str, String>> = vec![
            Ok(r#"{"code":"H48","kind":"province","name":"Tỉnh","version":1,"cccd":"1"}"#),
            Ok(r#"{"code":"H48","kind":"province","name":"Tỉnh","version":1}"#),
            Err("line is not JSON".into()),
        ];
        let items = parse_items::<AgencyPayload>(raw);
        let fields: Vec<(usize, String)> = items
            .iter()
            .map(|item| match item {
                Ok((index, _)) => (*index, "ok".into()),
                Err(e) => (e.index, e.field.clone()),
            })
            .collect();
        assert_eq!(
            fields,
            [(0, "(item)".into()), (1, "ok".into()), (2, "(item)".into())]
        );
        let Err(unknown) = &items[0] else {
            panic!("refused")
        };
        assert!(unknown
            .reason
            .starts_with("not an agency: unknown field `cccd`"));
    }

    #[test]
    fn the_newest_version_of_a_repeated_code_wins_and_the_rest_are_stale() {
        let items = vec![
            Ok((0, valid(agency("A1", None, 5)))),
            Ok((1, valid(agency("A1", None, 7)))),
            Ok((2, valid(agency("A1", None, 7)))),
            Ok((3, valid(agency("A2", None, 1)))),
        ];
        let mut report = BatchReport::default();
        let kept: Vec<usize> = sort_out(items, &mut report)
            .iter()
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(kept, [1, 3]);
        let stale: Vec<usize> = report.stale_items.iter().map(|s| s.index).collect();
        assert_eq!(stale, [0, 2]);
    }

    #[test]
    fn only_applied_entries_whose_shown_fields_changed_touch_dossier_views() {
        let mut renamed = valid(agency("A1", None, 2));
        renamed.name = "Tên mới".into();
        let planned = vec![
            (0, renamed),
            (1, valid(agency("A2", None, 2))),
            (2, valid(agency("A3", None, 2))),
            (3, valid(agency("A4", None, 2))),
        ];
        let unchanged = |code: &str| valid(agency(code, None, 1)).shown();
        let before: db::catalog::Shown = [
            ("A1".to_owned(), unchanged("A1")),
            ("A2".to_owned(), unchanged("A2")),
            ("A4".to_owned(), unchanged("A4")),
        ]
        .into();
        // A4 was stale (not applied); A3 is new.
        let applied = ["A1".to_owned(), "A2".to_owned(), "A3".to_owned()];
        assert_eq!(shown_changes(&planned, &applied, &before), ["A1", "A3"]);
    }

    #[test]
    fn parents_come_first_whatever_the_batch_order() {
        let batch = vec![
            (0, valid(agency("A.B.C", Some("A.B"), 1))),
            (1, valid(agency("A.B", Some("A"), 1))),
            (2, valid(agency("A", Some("ROOT"), 1))),
            (3, valid(agency("OTHER", None, 1))),
        ];
        let mut report = BatchReport::default();
        let planned = plan_agencies(batch, &[stored("ROOT", None, 0)], &mut report);
        let order: Vec<usize> = planned.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, [3, 2, 1, 0]);
        assert!(report.errors.is_empty());
    }

    #[test]
    fn an_unknown_parent_refuses_the_item_and_its_new_children() {
        let batch = vec![
            (0, valid(agency("X.1", Some("X"), 1))),
            (1, valid(agency("X.1.1", Some("X.1"), 1))),
            (2, valid(agency("S.1", Some("S"), 1))),
            (3, valid(agency("Y", Some("S.1"), 1))),
        ];
        let mut report = BatchReport::default();
        // S.1 is stored already: its children stay valid even though nothing else is.
        let planned = plan_agencies(
            batch,
            &[stored("S", None, 0), stored("S.1", Some("S"), 0)],
            &mut report,
        );
        let applied: Vec<usize> = planned.iter().map(|(i, _)| *i).collect();
        assert_eq!(applied, [2, 3]);
        let mut refused: Vec<(usize, &str)> = report
            .errors
            .iter()
            .map(|e| (e.index, e.field.as_str()))
            .collect();
        refused.sort_unstable();
        assert_eq!(refused, [(0, "parent_code"), (1, "parent_code")]);
        assert!(report
            .errors
            .iter()
            .any(|e| e.reason.contains("X is not in the catalog")));
        assert!(report
            .errors
            .iter()
            .any(|e| e.reason.contains("X.1 is refused in this batch")));
    }

    #[test]
    fn a_move_that_would_make_a_cycle_is_refused_and_stale_items_keep_the_stored_parent() {
        // Stored: P ← C (C's parent is P).
        let hierarchy = [stored("P", None, 1), stored("C", Some("P"), 1)];

        // Moving P under C would make P its own ancestor.
        let mut report = BatchReport::default();
        let planned = plan_agencies(
            vec![(0, valid(agency("P", Some("C"), 2)))],
            &hierarchy,
            &mut report,
        );
        assert!(planned.is_empty());
        assert_eq!(report.errors[0].field, "parent_code");
        assert!(report.errors[0].reason.contains("own ancestor"));

        // Moving C to the root and P under C in one batch is fine.
        let mut report = BatchReport::default();
        let planned = plan_agencies(
            vec![
                (0, valid(agency("P", Some("C"), 2))),
                (1, valid(agency("C", None, 2))),
            ],
            &hierarchy,
            &mut report,
        );
        let order: Vec<usize> = planned.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, [1, 0]);

        // ... unless the move of C is stale: then C stays under P, and P under C is a cycle.
        let mut report = BatchReport::default();
        let planned = plan_agencies(
            vec![
                (0, valid(agency("P", Some("C"), 2))),
                (1, valid(agency("C", None, 1))),
            ],
            &hierarchy,
            &mut report,
        );
        assert!(planned.is_empty());
        assert_eq!(report.stale_items[0].index, 1);
        assert_eq!(report.errors[0].index, 0);
    }
}
