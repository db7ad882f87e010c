//! Applying a catalog batch: one transaction per batch (the push's signature and answer, batch lock, upsert, the
//! stored views of dossiers showing a changed entry dropped, and the change notification), then
//! this instance's cached views refreshed.

use std::collections::HashSet;

use super::plan::{finish, plan_agencies, shown_changes, sort_out};
use super::validate::CheckedItem;
use crate::db;
use crate::domain::catalog::{Agency, Procedure};
use crate::sync::service::{
    record_push, store_answer, BatchError, BatchReport, PushSignature, SyncService,
};

/// Dossiers refreshed in the local cache per round trip after a catalog change.
const REFRESH_CHUNK: usize = 1_000;

/// What applying a catalog batch did, and which dossiers' views show a changed entry.
#[derive(Debug, Default)]
pub struct CatalogOutcome {
    /// What happened to each item.
    pub report: BatchReport,
    /// The codes of the dossiers whose views show a changed entry.
    pub dossiers: Vec<String>,
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

/// After agencies changed outside a batch (the console's lifecycle edit), in the change's
/// transaction: drops the stored views of the dossiers that show `agencies` and tells every
/// instance, as a batch does for the agencies whose shown fields changed. Returns those dossiers,
/// for [`SyncService::after_catalog_change`] once the transaction is committed.
pub async fn forget_agency_views(
    transaction: &deadpool_postgres::Transaction<'_>,
    agencies: &[&str],
    origin: &str,
) -> anyhow::Result<Vec<String>> {
    let dossiers = db::catalog::list_dossiers_of_agencies(transaction, agencies).await?;
    forget_views(transaction, &dossiers).await?;
    db::sync::notify_changes(transaction, origin, &dossiers).await?;
    Ok(dossiers)
}

/// Applies a batch of agencies in one transaction on `client`: `signature` (when given) is recorded
/// first, a retry or replay applies nothing (see [`record_push`]), and the answer is stored with it; agency batches are serialised so the parent checks
/// see a settled hierarchy; then one upsert, and, for the agencies whose shown fields changed, the
/// stored views of their dossiers are dropped and a notification tagged with `origin` names those
/// dossiers. Refused and stale items are reported one by one.
pub async fn apply_agency_batch(
    client: &mut deadpool_postgres::Object,
    items: Vec<CheckedItem<Agency>>,
    signature: Option<PushSignature<'_>>,
    origin: &str,
) -> Result<CatalogOutcome, BatchError> {
    let transaction = client.transaction().await.map_err(anyhow::Error::from)?;
    let outcome = apply_agencies_in(&transaction, items, signature, origin).await?;
    transaction.commit().await.map_err(anyhow::Error::from)?;
    Ok(outcome)
}

/// [`apply_agency_batch`] inside the caller's transaction, which the caller commits, or drops to
/// change nothing (the console's import applies a file only when every row applies).
pub async fn apply_agencies_in(
    transaction: &deadpool_postgres::Transaction<'_>,
    items: Vec<CheckedItem<Agency>>,
    signature: Option<PushSignature<'_>>,
    origin: &str,
) -> Result<CatalogOutcome, BatchError> {
    let mut report = BatchReport::default();
    let candidates = sort_out(items, &mut report);

    if let Some(signature) = signature {
        record_push(transaction, signature).await?;
    }
    db::catalog::lock_agency_batches(transaction).await?;
    // Levels are data: an agency's level must be a row of the levels table.
    let levels = db::catalog::list_levels(transaction).await?;
    let candidates: Vec<(usize, Agency)> = candidates
        .into_iter()
        .filter_map(|(index, agency)| {
            if levels.iter().any(|l| l == agency.kind.as_str()) {
                return Some((index, agency));
            }
            report.errors.push(crate::sync::service::ItemReport {
                index,
                code: Some(agency.code.as_str().to_owned()),
                field: "kind".into(),
                reason: format!(
                    "{} is not a level of the catalog (one of: {})",
                    agency.kind.as_str(),
                    levels.join(", ")
                ),
            });
            None
        })
        .collect();
    let involved: Vec<&str> = candidates
        .iter()
        .flat_map(|(_, a)| {
            std::iter::once(a.code.as_str())
                .chain(a.parent_code.as_ref().map(|p| p.as_str()))
                .chain(a.successors.iter().flatten().map(|s| s.as_str()))
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let stored = db::catalog::list_agency_lineage(transaction, &involved).await?;
    let planned = plan_agencies(candidates, &stored, &mut report);
    let codes: Vec<&str> = planned.iter().map(|(_, a)| a.code.as_str()).collect();
    let before = db::catalog::list_agencies_shown(transaction, &codes).await?;
    let agencies: Vec<&Agency> = planned.iter().map(|(_, a)| a).collect();
    let applied = db::catalog::upsert_agencies(transaction, &agencies).await?;
    let applied_set: HashSet<&str> = applied.iter().map(String::as_str).collect();
    let successions: Vec<(&str, Vec<&str>)> = agencies
        .iter()
        .filter(|a| applied_set.contains(a.code.as_str()))
        .filter_map(|a| {
            let successors = a.successors.as_ref()?;
            Some((
                a.code.as_str(),
                successors.iter().map(|s| s.as_str()).collect(),
            ))
        })
        .collect();
    db::catalog::replace_successors(transaction, &successions).await?;
    // Compared as stored before and after, since a batch may leave successors as they were.
    let after = db::catalog::list_agencies_shown(transaction, &codes).await?;
    let changed: Vec<&str> = applied
        .iter()
        .map(String::as_str)
        .filter(|code| before.get(*code) != after.get(*code))
        .collect();
    let dossiers = db::catalog::list_dossiers_of_agencies(transaction, &changed).await?;
    forget_views(transaction, &dossiers).await?;
    db::sync::notify_changes(transaction, origin, &dossiers).await?;

    finish(&mut report, &planned, &applied);
    if let Some(signature) = signature {
        store_answer(transaction, signature, &report).await?;
    }
    Ok(CatalogOutcome { report, dossiers })
}

/// Applies a batch of procedures in one transaction on `client`, like [`apply_agency_batch`].
pub async fn apply_procedure_batch(
    client: &mut deadpool_postgres::Object,
    items: Vec<CheckedItem<Procedure>>,
    signature: Option<PushSignature<'_>>,
    origin: &str,
) -> Result<CatalogOutcome, BatchError> {
    let mut report = BatchReport::default();
    // Levels are checked before the newest version of each code is picked, so a refused item is
    // reported as refused, not as stale beside another item of the same code.
    let levels = db::catalog::level_rows(&*client).await?;
    let items = known_levels(items, &levels);
    let candidates = sort_out(items, &mut report);

    let transaction = client.transaction().await.map_err(anyhow::Error::from)?;
    if let Some(signature) = signature {
        record_push(&transaction, signature).await?;
    }
    db::catalog::lock_procedure_batches(&transaction).await?;
    // Levels are data: a procedure's level must be a row of the levels table.
    let levels = db::catalog::list_levels(&transaction).await?;
    let candidates: Vec<(usize, Procedure)> = candidates
        .into_iter()
        .filter_map(|(index, procedure)| {
            let Some(level) = &procedure.level else {
                return Some((index, procedure));
            };
            if levels.iter().any(|l| l == level.as_str()) {
                return Some((index, procedure));
            }
            report.errors.push(crate::sync::service::ItemReport {
                index,
                code: Some(procedure.code.as_ref().to_owned()),
                field: "level".into(),
                reason: format!(
                    "{} is not a level of the catalog (one of: {})",
                    level.as_str(),
                    levels.join(", ")
                ),
            });
            None
        })
        .collect();
    let codes: Vec<&str> = candidates.iter().map(|(_, p)| p.code.as_str()).collect();
    let before = db::catalog::list_procedures_shown(&transaction, &codes).await?;
    let procedures: Vec<&Procedure> = candidates.iter().map(|(_, p)| p).collect();
    let applied = db::catalog::upsert_procedures(&transaction, &procedures).await?;
    let changed = shown_changes(&candidates, &applied, &before);
    let dossiers = db::catalog::list_dossiers_of_procedures(&transaction, &changed).await?;
    forget_views(&transaction, &dossiers).await?;
    db::sync::notify_changes(&transaction, origin, &dossiers).await?;
    finish(&mut report, &candidates, &applied);
    if let Some(signature) = signature {
        store_answer(&transaction, signature, &report).await?;
    }
    transaction.commit().await.map_err(anyhow::Error::from)?;
    Ok(CatalogOutcome { report, dossiers })
}

/// Keeps the procedures whose level is a row of the levels table and, when they name an agency
/// or desk, a level of the province tier (a procedure of the local tier is settled by every
/// commune for its own place, so it names none); refuses the others by item.
fn known_levels(
    items: Vec<CheckedItem<Procedure>>,
    levels: &[db::catalog::LevelRow],
) -> Vec<CheckedItem<Procedure>> {
    items
        .into_iter()
        .map(|item| {
            let (index, procedure) = item?;
            let refusal = match &procedure.level {
                None => None,
                Some(level) => match levels.iter().find(|l| l.code == level.as_str()) {
                    None => Some((
                        "level",
                        format!(
                            "{} is not a level of the catalog (one of: {})",
                            level.as_str(),
                            levels
                                .iter()
                                .map(|l| l.code.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                    Some(l)
                        if l.tier != "province"
                            && (procedure.agency_code.is_some()
                                || procedure.desk_agency_code.is_some()) =>
                    {
                        Some((
                            "agency_code",
                            format!(
                                "a procedure of level {} is settled by every commune for its own place and names no agency or desk",
                                l.code
                            ),
                        ))
                    }
                    Some(_) => None,
                },
            };
            match refusal {
                None => Ok((index, procedure)),
                Some((field, reason)) => Err(crate::sync::service::ItemReport {
                    index,
                    code: Some(procedure.code.as_str().to_owned()),
                    field: field.into(),
                    reason,
                }),
            }
        })
        .collect()
}

impl SyncService {
    /// Applies a pushed batch of agencies and refreshes this instance's cached views.
    pub async fn apply_agencies(
        &self,
        items: Vec<CheckedItem<Agency>>,
        signature: Option<PushSignature<'_>>,
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
        signature: Option<PushSignature<'_>>,
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
    pub async fn after_catalog_change(&self, outcome: &CatalogOutcome) {
        if outcome.report.applied == 0 {
            return;
        }
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
