//! Applying batches of dossier snapshots, whoever brought them (push handler or pull worker):
//! validate each item, keep the newest version of a code repeated in the batch, refuse items that
//! name an unknown procedure or agency, apply the rest in one transaction (version-guarded, so
//! stale, duplicate and out-of-order snapshots change nothing) together with the pull watermark
//! when there is one, notify other instances, refresh this instance's cache, and record the sync
//! lag.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;

use super::freshness::Freshness;
use super::snapshot::DossierPayload;
use crate::db;
use crate::db::dossiers::DossierRecord;
use crate::domain::dossier::Dossier;
use crate::lookup::view::CachedDossier;
use crate::lookup::LookupService;
use crate::notify::status_changes::{AppliedChange, StatusNotices};
use crate::telemetry::Metrics;

/// One item of a batch as it arrived: parsed, or the reason it could not be parsed.
pub type BatchItem = Result<DossierPayload, String>;

/// What happened to a batch.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    as = PushReport,
    description = "Kết quả của một lô. / What happened to a batch.",
    example = json!({
        "received": 3, "applied": 1, "stale": 1, "invalid": 1,
        "errors": [{"index": 2, "code": "000.00.18.H48-261118-9005", "field": "status", "reason": "must be a national status code 1–10"}],
        "stale_items": [{"index": 1, "code": "000.00.16.H48-261120-9001", "version": 2}]
    })
)]
pub struct BatchReport {
    /// Số mục nhận được. / Items received.
    pub received: usize,
    /// Số mục đã áp dụng. / Items applied.
    pub applied: usize,
    /// Số mục cũ (phiên bản không mới hơn), không thay đổi gì. / Stale items (not newer), which
    /// changed nothing.
    pub stale: usize,
    /// Số mục bị từ chối. / Items refused.
    pub invalid: usize,
    /// Mỗi mục bị từ chối một dòng, theo thứ tự trong lô. / One entry per refused item, in batch
    /// order.
    pub errors: Vec<ItemReport>,
    /// Các mục không áp dụng vì bản đã lưu (hoặc một bản sau trong lô) mới bằng hoặc hơn. / Items
    /// not applied because the stored (or a later in-batch) version is as new or newer.
    pub stale_items: Vec<StaleItem>,
}

/// A refused item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    as = PushItemError,
    description = "Một mục bị từ chối. / A refused item."
)]
pub struct ItemReport {
    /// Vị trí trong lô (từ 0; với NDJSON là số dòng trừ một). / Position in the batch (0-based;
    /// for NDJSON, the line number minus one).
    pub index: usize,
    /// Mã của mục như đã gửi, nếu có. / The item's code as sent, when it had one.
    #[schema(required = true)]
    pub code: Option<String>,
    /// Trường bị lỗi (`(item)`: mục không đọc được). / The field at fault (`(item)`: the item
    /// could not be read).
    pub field: String,
    /// Lý do, để phía kho hồ sơ chính sửa. / The reason, for the main store's side to act on.
    pub reason: String,
}

/// An item that changed nothing because it was not newer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    as = PushStaleItem,
    description = "Một mục không thay đổi gì vì không mới hơn. / An item that changed nothing \
because it was not newer."
)]
pub struct StaleItem {
    /// Vị trí trong lô (từ 0). / Position in the batch (0-based).
    pub index: usize,
    /// Mã chuẩn của mục. / The item's canonical code.
    pub code: String,
    /// Phiên bản đã gửi. / The version sent.
    pub version: i64,
}

/// Where a pull source's batch ends: stored with the batch (see [`SyncService::apply_with`]).
#[derive(Debug, Clone, Copy)]
pub struct Watermark<'a> {
    /// The source's name (`TRACUU_SYNC__PULL__SOURCE_NAME`).
    pub source: &'a str,
    /// The watermark of the batch's last row.
    pub value: &'a str,
}

/// A push's signature and the endpoint it was sent to. It is recorded in the batch's transaction
/// together with the batch's answer, so a retry of the same request gets the same answer.
#[derive(Debug, Clone, Copy)]
pub struct PushSignature<'a> {
    /// The signature's bytes.
    pub bytes: &'a [u8],
    /// The push endpoint: `dossiers`, `agencies` or `procedures`.
    pub endpoint: &'a str,
}

/// What the first request with a signature was answered: what its retry is answered.
#[derive(Debug, Clone)]
pub struct FirstAnswer {
    /// When the first request was accepted.
    pub received_at: DateTime<Utc>,
    /// Its HTTP status and JSON body; `None` when no answer was stored (recorded by an older
    /// version): the batch was applied all the same.
    pub answer: Option<(u16, String)>,
}

/// Why a whole batch was not applied.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The signature was accepted before by another push endpoint: the signature covers the body,
    /// not the path, so this is not a retry of that request.
    #[error("this signed request was already accepted once, by another push endpoint")]
    Replayed,
    /// A retry of a request already applied: the batch is not applied again.
    #[error("this signed request was already applied")]
    Repeated(FirstAnswer),
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

/// Records a push's signature first thing in its batch's transaction: a new signature goes on;
/// one accepted before by the same endpoint is a retry ([`BatchError::Repeated`], with what the
/// first request was answered); one accepted by another endpoint is refused
/// ([`BatchError::Replayed`]). A first request still in its transaction is waited for.
pub(crate) async fn record_push(
    client: &impl GenericClient,
    signature: PushSignature<'_>,
) -> Result<(), BatchError> {
    let Some(seen) =
        db::sync::record_signature(client, signature.bytes, signature.endpoint).await?
    else {
        return Ok(());
    };
    if seen
        .endpoint
        .as_deref()
        .is_some_and(|endpoint| endpoint != signature.endpoint)
    {
        return Err(BatchError::Replayed);
    }
    Err(BatchError::Repeated(FirstAnswer {
        received_at: seen.seen_at,
        answer: seen
            .answer
            .and_then(|(status, body)| u16::try_from(status).ok().map(|status| (status, body))),
    }))
}

/// Stores the batch's answer (`200` and the report as JSON) beside its signature, in the batch's
/// transaction: the retry of the request gets exactly this.
pub(crate) async fn store_answer(
    client: &impl GenericClient,
    signature: PushSignature<'_>,
    report: &BatchReport,
) -> Result<(), BatchError> {
    let body = serde_json::to_string(report).map_err(anyhow::Error::from)?;
    db::sync::store_answer(client, signature.bytes, 200, &body).await?;
    Ok(())
}

/// Shared by the push handlers, the pull worker and the listener of one instance.
pub struct SyncService {
    pool: Pool,
    lookup: Arc<LookupService>,
    metrics: Arc<Metrics>,
    /// Tags this instance's notifications so it does not refresh twice.
    instance: Arc<str>,
    /// How far this instance's cache has applied the shared change sequence.
    freshness: Freshness,
    /// Wakes the follower that applies the sequence (a notification arrived, or a gap ended).
    follower: tokio::sync::Notify,
    /// Status-change SMS, queued in the batch's transaction (None: switched off).
    notices: Option<StatusNotices>,
}

/// The read-model record of an applied snapshot, as the database now holds it.
fn record_for(
    dossier: &Dossier,
    applied: &db::sync::AppliedDossier,
    procedures: &HashMap<String, db::sync::ProcedureEntry>,
    agencies: &HashMap<String, db::sync::AgencyEntry>,
) -> DossierRecord {
    let procedure = procedures.get(dossier.procedure_code.national());
    let receiving = agencies.get(dossier.receiving_agency_code.as_str());
    let handling = agencies.get(dossier.handling_agency_code.as_str());
    let name_of =
        |entry: Option<&db::sync::AgencyEntry>| entry.map(|a| a.name.clone()).unwrap_or_default();
    DossierRecord {
        dossier: dossier.clone(),
        lookup_number: applied.lookup_number,
        synced_at: applied.synced_at,
        procedure_name: procedure.map(|p| p.name.clone()).unwrap_or_default(),
        procedure_field: procedure.map(|p| p.field.clone()).unwrap_or_default(),
        processing_days: procedure.map_or(0, |p| p.processing_days),
        receiving_agency_name: name_of(receiving),
        handling_agency_name: name_of(handling),
        desk_address: receiving.and_then(|a| a.desk_address.clone()),
        desk_phone: receiving.and_then(|a| a.desk_phone.clone()),
        desk_hours: receiving.and_then(|a| a.desk_hours.clone()),
        receiving_now: receiving.and_then(|a| a.now.clone()),
        handling_now: handling.and_then(|a| a.now.clone()),
        event_agency_names: dossier
            .events
            .iter()
            .map(|event| {
                event
                    .agency_code
                    .as_ref()
                    .and_then(|a| agencies.get(a.as_str()))
                    .map(|a| a.name.clone())
            })
            .collect(),
    }
}

impl SyncService {
    /// A service over the shared pool and lookup cache.
    pub fn new(pool: Pool, lookup: Arc<LookupService>, metrics: Arc<Metrics>) -> Self {
        let instance = format!(
            "{:x}-{:x}",
            std::process::id(),
            Utc::now().timestamp_micros()
        );
        Self {
            pool,
            lookup,
            metrics,
            instance: Arc::from(instance),
            freshness: Freshness::default(),
            follower: tokio::sync::Notify::new(),
            notices: None,
        }
    }

    /// Queues status-change SMS with every batch that changes a status.
    pub fn with_status_notices(mut self, notices: Option<StatusNotices>) -> Self {
        self.notices = notices;
        self
    }

    /// This instance's tag in change notifications.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The lookup service whose cache this keeps fresh.
    pub fn lookup(&self) -> &Arc<LookupService> {
        &self.lookup
    }

    /// The metrics this service records into.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// How far this instance's cache has applied the shared change sequence.
    pub fn freshness(&self) -> &Freshness {
        &self.freshness
    }

    /// Asks the follower to read the change sequence now.
    pub fn wake_follower(&self) {
        self.follower.notify_one();
    }

    /// Resolves when the follower is woken.
    pub async fn follower_woken(&self) {
        self.follower.notified().await;
    }

    /// Applies one batch. `signature`, when given, is recorded in the same transaction with the
    /// batch's answer; if it was seen before nothing changes, and the error says what the first
    /// request was answered (see [`record_push`]).
    pub async fn apply(
        &self,
        items: Vec<BatchItem>,
        signature: Option<PushSignature<'_>>,
    ) -> Result<BatchReport, BatchError> {
        self.apply_with(items, signature, None).await
    }

    /// [`SyncService::apply`], also storing a pull source's `watermark` in the batch's own
    /// transaction: the batch and the point to resume after it commit together or not at all, so
    /// a crash can neither lose a batch nor apply one twice. Refused items do not hold it back.
    pub async fn apply_with(
        &self,
        items: Vec<BatchItem>,
        signature: Option<PushSignature<'_>>,
        watermark: Option<Watermark<'_>>,
    ) -> Result<BatchReport, BatchError> {
        let mut report = BatchReport {
            received: items.len(),
            ..BatchReport::default()
        };
        let mut client = self.pool.get().await.map_err(anyhow::Error::from)?;
        let (candidates, catalog) = screen(&client, items, Utc::now(), &mut report).await?;
        let stored = self
            .store(
                &mut client,
                &candidates,
                &catalog,
                Guards {
                    signature,
                    watermark,
                    versions: None,
                },
                &mut report,
            )
            .await?;
        drop(client);
        self.after_commit(&candidates, stored, &report);
        Ok(report)
    }

    /// `tracuu sync repair`: re-applies source snapshots whatever their versions, through the
    /// path every batch takes (catalog check, views rendered, status-change SMS, change
    /// notification, this instance's cache). Each item carries the stored version verify compared
    /// it with (`None`: none was stored); a dossier whose stored version has moved since is left
    /// alone (reported stale), so a version applied meanwhile is never replaced by an older one.
    pub async fn reapply(
        &self,
        items: Vec<(Dossier, Option<i64>)>,
    ) -> Result<BatchReport, BatchError> {
        let mut report = BatchReport {
            received: items.len(),
            ..BatchReport::default()
        };
        let expected_by_code: HashMap<String, Option<i64>> = items
            .iter()
            .map(|(d, expected)| (d.code.as_str().to_owned(), *expected))
            .collect();
        let valid: Vec<(usize, Dossier)> = items.into_iter().map(|(d, _)| d).enumerate().collect();
        let mut candidates = keep_newest_per_code(valid, &mut report);
        let mut client = self.pool.get().await.map_err(anyhow::Error::from)?;
        let catalog = refuse_unknown_to_catalog(&client, &mut candidates, &mut report).await?;
        let expected: Vec<Option<i64>> = candidates
            .iter()
            .map(|(_, d)| expected_by_code.get(d.code.as_str()).copied().flatten())
            .collect();
        let stored = self
            .store(
                &mut client,
                &candidates,
                &catalog,
                Guards {
                    signature: None,
                    watermark: None,
                    versions: Some(&expected),
                },
                &mut report,
            )
            .await?;
        drop(client);
        self.after_commit(&candidates, stored, &report);
        Ok(report)
    }

    /// `tracuu sync repair`: deletes the dossiers among `codes` that tracuu has not received
    /// since `unchanged_since` (dossiers the source does not have), and tells every instance as a
    /// batch does: the change notification in the same transaction, this instance's cache after
    /// the commit. Returns the codes deleted.
    pub async fn remove(
        &self,
        codes: &[&str],
        unchanged_since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<String>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let deleted = db::sync::delete_dossiers(&transaction, codes, unchanged_since).await?;
        let position = db::sync::notify_changes(&transaction, &self.instance, &deleted).await?;
        transaction.commit().await?;
        for code in &deleted {
            self.lookup.cache().remove(code);
        }
        if let Some(position) = position {
            self.freshness.saw_own_change(position, Utc::now());
        }
        Ok(deleted)
    }

    /// Step 4, one transaction: the replay check, the version-guarded apply, the applied
    /// versions' views (rendered from what is in hand: the snapshots and the catalog entries just
    /// read, no read-back), the status-change SMS, the change notification (delivered on commit)
    /// and the pull watermark. The report is finished before the commit.
    async fn store(
        &self,
        client: &mut deadpool_postgres::Object,
        candidates: &[(usize, Dossier)],
        catalog: &CatalogEntries,
        guards: Guards<'_>,
        report: &mut BatchReport,
    ) -> Result<Stored, BatchError> {
        let Guards {
            signature,
            watermark,
            versions,
        } = guards;
        let transaction = client.transaction().await.map_err(anyhow::Error::from)?;
        if let Some(signature) = signature {
            record_push(&transaction, signature).await?;
        }
        let dossiers: Vec<&Dossier> = candidates.iter().map(|(_, d)| d).collect();
        let statuses_before = match &self.notices {
            Some(notices) => {
                let codes: Vec<&str> = dossiers.iter().map(|d| d.code.as_str()).collect();
                notices.statuses_before(&transaction, &codes).await?
            }
            None => HashMap::new(),
        };
        let rule = match versions {
            None => db::sync::VersionRule::Newer,
            Some(expected) => db::sync::VersionRule::Unchanged(expected),
        };
        let applied = db::sync::apply_dossiers_by(&transaction, &dossiers, rule).await?;
        if versions.is_some() {
            // A repaired dossier may go back to an older version than its stored view's.
            let codes: Vec<String> = applied.iter().map(|a| a.code.clone()).collect();
            db::sync::delete_views(&transaction, &codes).await?;
        }
        let by_code: HashMap<&str, &Dossier> =
            dossiers.iter().map(|d| (d.code.as_str(), *d)).collect();
        let mut rendered = Vec::with_capacity(applied.len());
        for row in &applied {
            if let Some(dossier) = by_code.get(row.code.as_str()) {
                let record = record_for(dossier, row, &catalog.procedures, &catalog.agencies);
                rendered.push((CachedDossier::build(&record)?, dossier.version));
            }
        }
        let views: Vec<(&str, i64, &[u8], &[u8])> = rendered
            .iter()
            .map(|(entry, version)| (&*entry.code, *version, entry.head(), entry.detail()))
            .collect();
        db::dossiers::upsert_views(&transaction, &views).await?;
        if let Some(notices) = &self.notices {
            let changes: Vec<AppliedChange<'_>> = rendered
                .iter()
                .filter_map(|(entry, _)| {
                    let dossier = by_code.get(&*entry.code)?;
                    Some(AppliedChange {
                        code: dossier.code.as_str(),
                        version: dossier.version,
                        status: dossier.status,
                        procedure_name: catalog
                            .procedures
                            .get(dossier.procedure_code.national())
                            .map_or("", |p| p.name.as_str()),
                        applicant_phone: dossier.applicant_phone.as_ref(),
                        view: entry,
                        due: dossier.due_at,
                    })
                })
                .collect();
            notices
                .queue(&transaction, &statuses_before, &changes)
                .await?;
        }
        let applied: Vec<String> = applied.into_iter().map(|a| a.code).collect();
        finish_report(candidates, &applied, report);
        if let Some(signature) = signature {
            store_answer(&transaction, signature, report).await?;
        }
        let position = db::sync::notify_changes(&transaction, &self.instance, &applied).await?;
        if let Some(watermark) = watermark {
            db::sync::upsert_watermark(&transaction, watermark.source, watermark.value).await?;
        }
        transaction.commit().await.map_err(anyhow::Error::from)?;
        let rendered = rendered.into_iter().map(|(entry, _)| entry).collect();
        Ok(Stored {
            applied,
            rendered,
            position,
        })
    }

    /// Step 5, after commit: the lag figures, this instance's cache, and the item counters.
    fn after_commit(&self, candidates: &[(usize, Dossier)], stored: Stored, report: &BatchReport) {
        let applied_set: HashSet<&str> = stored.applied.iter().map(String::as_str).collect();
        let finished = Utc::now();
        for (_, dossier) in candidates {
            if applied_set.contains(dossier.code.as_str()) {
                let lag = (finished - dossier.source_updated_at)
                    .num_milliseconds()
                    .max(0);
                self.metrics.sync_lag.observe(lag as f64 / 1000.0);
            }
        }
        if !stored.applied.is_empty() {
            for entry in stored.rendered {
                self.lookup.cache().insert(Arc::new(entry));
            }
        }
        if let Some(position) = stored.position {
            // The head moved now; the follower takes the position itself in its next read (it
            // may have changes of other instances to apply before it).
            self.freshness.saw_own_change(position, finished);
        }
        self.metrics
            .sync_items
            .with_label_values(&["applied"])
            .inc_by(report.applied as u64);
        self.metrics
            .sync_items
            .with_label_values(&["stale"])
            .inc_by(report.stale as u64);
        self.metrics
            .sync_items
            .with_label_values(&["invalid"])
            .inc_by(report.invalid as u64);
    }
}

/// The report's last step, once the applied codes are known: the candidates the version rule left
/// alone are stale, the lists are in batch order, the counts are set.
fn finish_report(candidates: &[(usize, Dossier)], applied: &[String], report: &mut BatchReport) {
    let applied_set: HashSet<&str> = applied.iter().map(String::as_str).collect();
    for (index, dossier) in candidates {
        if !applied_set.contains(dossier.code.as_str()) {
            report.stale_items.push(StaleItem {
                index: *index,
                code: dossier.code.as_str().to_owned(),
                version: dossier.version,
            });
        }
    }
    report.errors.sort_by_key(|e| e.index);
    report.stale_items.sort_by_key(|s| s.index);
    report.applied = applied.len();
    report.stale = report.stale_items.len();
    report.invalid = report.errors.len();
}

/// Steps 1 to 3, everything a batch goes through before it is stored: each item validated, the
/// newest version of a repeated code kept, and items naming something not in the catalog
/// refused. Refused and superseded items go to `report`; returns the candidates (with their
/// position in the batch) and the catalog entries they name. `tracuu sync verify` screens source
/// rows with this very function, so it judges them exactly as a pull applies them.
pub(crate) async fn screen(
    client: &impl GenericClient,
    items: Vec<BatchItem>,
    now: DateTime<Utc>,
    report: &mut BatchReport,
) -> anyhow::Result<(Vec<(usize, Dossier)>, CatalogEntries)> {
    let valid = validate_each(items, now, report);
    let mut candidates = keep_newest_per_code(valid, report);
    let catalog = refuse_unknown_to_catalog(client, &mut candidates, report).await?;
    Ok((candidates, catalog))
}

/// The catalog entries the candidates of a batch name (procedures by national code, agencies by
/// code): what their views show.
pub(crate) struct CatalogEntries {
    procedures: HashMap<String, db::sync::ProcedureEntry>,
    agencies: HashMap<String, db::sync::AgencyEntry>,
}

/// What step 4 checks besides the items: the push signature (replays), the pull watermark to
/// store with the batch, and which stored versions may be replaced (`None`: older ones only; a
/// repair's expected versions otherwise).
struct Guards<'a> {
    signature: Option<PushSignature<'a>>,
    watermark: Option<Watermark<'a>>,
    versions: Option<&'a [Option<i64>]>,
}

/// What step 4 committed: the codes applied, the views rendered for them, and the change's
/// position in the sequence (None when nothing was applied).
struct Stored {
    applied: Vec<String>,
    rendered: Vec<CachedDossier>,
    position: Option<i64>,
}

/// Step 1: parses and validates each item on its own; refused items go to the report.
fn validate_each(
    items: Vec<BatchItem>,
    now: DateTime<Utc>,
    report: &mut BatchReport,
) -> Vec<(usize, Dossier)> {
    let mut valid: Vec<(usize, Dossier)> = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Err(reason) => report.errors.push(ItemReport {
                index,
                code: None,
                field: "(item)".into(),
                reason,
            }),
            Ok(payload) => match payload.validate(now) {
                Ok(dossier) => valid.push((index, dossier)),
                Err(error) => report.errors.push(ItemReport {
                    index,
                    code: Some(payload.code.clone()),
                    field: error.field,
                    reason: error.reason,
                }),
            },
        }
    }
    valid
}

/// Step 2: of a code repeated in the batch, only its newest version takes part; the others are
/// stale. The candidates keep batch order.
fn keep_newest_per_code(
    valid: Vec<(usize, Dossier)>,
    report: &mut BatchReport,
) -> Vec<(usize, Dossier)> {
    let mut newest: HashMap<String, usize> = HashMap::new();
    for (position, (_, dossier)) in valid.iter().enumerate() {
        let code = dossier.code.as_str().to_owned();
        match newest.get(&code) {
            Some(&other) if valid[other].1.version >= dossier.version => {}
            _ => {
                newest.insert(code, position);
            }
        }
    }
    let kept: HashSet<usize> = newest.values().copied().collect();
    let mut candidates = Vec::with_capacity(kept.len());
    for (position, (index, dossier)) in valid.into_iter().enumerate() {
        if kept.contains(&position) {
            candidates.push((index, dossier));
        } else {
            report.stale_items.push(StaleItem {
                index,
                code: dossier.code.as_str().to_owned(),
                version: dossier.version,
            });
        }
    }
    candidates
}

/// Step 3: every procedure and agency a candidate names must be in the catalog; a candidate that
/// names one that is not is refused. Returns the catalog entries the remaining ones name.
async fn refuse_unknown_to_catalog(
    client: &impl GenericClient,
    candidates: &mut Vec<(usize, Dossier)>,
    report: &mut BatchReport,
) -> anyhow::Result<CatalogEntries> {
    let procedures: Vec<&str> = candidates
        .iter()
        .map(|(_, d)| d.procedure_code.national())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let agencies: Vec<&str> = candidates
        .iter()
        .flat_map(|(_, d)| {
            [
                d.receiving_agency_code.as_str(),
                d.handling_agency_code.as_str(),
            ]
            .into_iter()
            .chain(
                d.events
                    .iter()
                    .filter_map(|e| e.agency_code.as_ref().map(|a| a.as_str())),
            )
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let (procedures, agencies) = db::sync::catalog_entries(client, &procedures, &agencies).await?;
    candidates.retain(|(index, d)| {
        let unknown = if !procedures.contains_key(d.procedure_code.national()) {
            Some(("procedure_code", d.procedure_code.as_str().to_owned()))
        } else {
            [&d.receiving_agency_code, &d.handling_agency_code]
                .into_iter()
                .chain(d.events.iter().filter_map(|e| e.agency_code.as_ref()))
                .find(|a| !agencies.contains_key(a.as_str()))
                .map(|a| ("agency_code", a.as_str().to_owned()))
        };
        match unknown {
            Some((field, value)) => {
                report.errors.push(ItemReport {
                    index: *index,
                    code: Some(d.code.as_str().to_owned()),
                    field: field.into(),
                    reason: format!("{value} is not in the catalog (send the catalog first)"),
                });
                false
            }
            None => true,
        }
    });
    Ok(CatalogEntries {
        procedures,
        agencies,
    })
}
