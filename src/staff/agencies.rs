//! Agencies as administrators keep them in the console: the list with each agency's level,
//! lifecycle and successors; one agency's opening and closing days and successors changed; and
//! the agencies catalog imported from a pasted CSV file.
//!
//! Both go through the catalog's own checks ([`crate::sync::catalog::lifecycle`], the CSV reader
//! and the batch of [`crate::sync::catalog::apply_agencies_in`]), so the console accepts and
//! refuses what `tracuu import agencies` and the signed push do. Every change is audited in its
//! transaction, drops the stored views of the dossiers that show the agency, tells the other
//! instances, and re-renders this instance's cached views, as a catalog push does.
//!
//! A lifecycle edit leaves the agency's catalog version as it is: the main store stays the source
//! of truth, and its next newer version of the agency replaces the edit (decision 0052). A pasted
//! file is `tracuu import agencies`: rows without a version win over what is stored.

use chrono::NaiveDate;
use deadpool_postgres::Pool;

use super::audit::{self, AuditAction, AuditEntry};
use super::{connect, StaffSession};
use crate::db;
pub use crate::db::agencies::{AgencyLifecycleRow, LifeFilter, MAX_LISTED};
use crate::domain::AgencyCode;
use crate::error::{AppError, Code};
use crate::sync::catalog::{self, CatalogOutcome, LifecycleError};
use crate::sync::import::{stage_agencies, ImportReport};
use crate::sync::service::{BatchReport, SyncService};

/// Largest pasted file (a province's agencies file is well under this).
pub const MAX_PASTE_BYTES: usize = 2 * 1024 * 1024;
/// Longest reason written to the audit log (its column's limit).
const MAX_AUDIT_REASON_CHARS: usize = 500;

fn db_error(error: impl Into<anyhow::Error>) -> AppError {
    AppError::internal(error.into())
}

/// The agencies `filter` keeps whose name (without diacritics) or code contains `search`.
pub async fn list(
    pool: &Pool,
    filter: LifeFilter,
    search: Option<&str>,
) -> Result<Vec<AgencyLifecycleRow>, AppError> {
    let client = connect(pool).await?;
    db::agencies::list_agencies(&client, filter, search)
        .await
        .map_err(db_error)
}

/// One agency, or `agency_not_found`.
pub async fn get(pool: &Pool, code: &str) -> Result<AgencyLifecycleRow, AppError> {
    let code = AgencyCode::parse(code).map_err(|_| AppError::new(Code::AgencyNotFound))?;
    let client = connect(pool).await?;
    db::agencies::find_agency(&client, code.as_str())
        .await
        .map_err(db_error)?
        .ok_or_else(|| AppError::new(Code::AgencyNotFound))
}

/// The lifecycle fields of the console's form, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct LifecycleInput<'a> {
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    /// Agency codes separated by semicolons, commas, spaces or line breaks.
    pub successors: &'a str,
}

fn day(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "—".to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

fn describe(from: Option<NaiveDate>, until: Option<NaiveDate>, successors: &[String]) -> String {
    format!(
        "hoạt động từ {}, ngừng từ {}, kế nhiệm: {}",
        day(from),
        day(until),
        if successors.is_empty() {
            "—".to_owned()
        } else {
            successors.join(", ")
        }
    )
}

fn clip(text: &str) -> String {
    text.chars().take(MAX_AUDIT_REASON_CHARS).collect()
}

/// Sets the opening and closing days and the successors of agency `code`. `Ok(Err(messages))`
/// is a refusal for the form, in Vietnamese with each field's label; nothing is changed then.
/// `Ok(Ok(code))` gives the agency's canonical code.
pub async fn change_lifecycle(
    pool: &Pool,
    sync: &SyncService,
    session: &StaffSession,
    code: &str,
    input: LifecycleInput<'_>,
) -> Result<Result<String, Vec<String>>, AppError> {
    let code = AgencyCode::parse(code).map_err(|_| AppError::new(Code::AgencyNotFound))?;
    let typed: Vec<String> = input
        .successors
        .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let checked = match catalog::lifecycle(
        &code,
        Some(input.valid_from),
        Some(input.valid_until),
        Some(&typed),
    ) {
        Ok(checked) => checked,
        Err(error) => return Ok(Err(vec![error.message()])),
    };
    let successors: Vec<String> = checked
        .successors
        .unwrap_or_default()
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();

    let mut client = connect(pool).await?;
    let tx = client.transaction().await.map_err(db_error)?;
    if !db::agencies::lock_agency(&tx, code.as_str())
        .await
        .map_err(db_error)?
    {
        return Err(AppError::new(Code::AgencyNotFound));
    }
    let wanted: Vec<&str> = successors.iter().map(String::as_str).collect();
    let existing = db::agencies::list_existing(&tx, &wanted)
        .await
        .map_err(db_error)?;
    let unknown: Vec<String> = successors
        .iter()
        .filter(|s| !existing.contains(s))
        .map(|s| LifecycleError::UnknownSuccessor { code: s.clone() }.message())
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    let before = db::agencies::find_agency(&tx, code.as_str())
        .await
        .map_err(db_error)?
        .ok_or_else(|| AppError::new(Code::AgencyNotFound))?;
    let before_successors: Vec<String> = before.successors.iter().map(|(c, _)| c.clone()).collect();
    db::agencies::update_lifecycle(&tx, code.as_str(), checked.valid_from, checked.valid_until)
        .await
        .map_err(db_error)?;
    db::catalog::replace_successors(&tx, &[(code.as_str(), wanted.clone())])
        .await
        .map_err(db_error)?;
    // What dossier views show of an agency's life: its closing day and its successors.
    let shown_changed = before.valid_until != checked.valid_until || {
        let mut a = before_successors.clone();
        let mut b = successors.clone();
        a.sort();
        b.sort();
        a != b
    };
    let dossiers = if shown_changed {
        catalog::forget_agency_views(&tx, &[code.as_str()], sync.instance())
            .await
            .map_err(db_error)?
    } else {
        Vec::new()
    };
    let reason = clip(&format!(
        "{}: {} → {}",
        before.name,
        describe(before.valid_from, before.valid_until, &before_successors),
        describe(checked.valid_from, checked.valid_until, &successors)
    ));
    audit::record(
        &tx,
        session,
        &AuditEntry {
            action: AuditAction::AgencyChange,
            subject: code.as_str(),
            reason: Some(&reason),
            shown: &[],
            call_id: None,
        },
    )
    .await?;
    tx.commit().await.map_err(db_error)?;
    tracing::info!(
        agency.code = %code,
        agency.dossiers = dossiers.len(),
        "agency {code} lifecycle changed in the console"
    );
    refresh(sync, dossiers).await;
    Ok(Ok(code.as_str().to_owned()))
}

/// Re-renders this instance's cached views of `dossiers` (the others were told by the
/// notification sent in the change's transaction).
async fn refresh(sync: &SyncService, dossiers: Vec<String>) {
    if dossiers.is_empty() {
        return;
    }
    let outcome = CatalogOutcome {
        report: BatchReport {
            applied: 1,
            ..BatchReport::default()
        },
        dossiers,
    };
    sync.after_catalog_change(&outcome).await;
}

/// One Vietnamese sentence on what an import did.
pub fn import_message(report: &ImportReport) -> String {
    format!(
        "Đã nhập {} dòng: áp dụng {}, giữ nguyên {} (phiên bản đã lưu mới bằng hoặc hơn).",
        report.rows,
        report.applied,
        report.unchanged.len()
    )
}

/// Imports a pasted agencies file as `tracuu import agencies` does, but all or nothing: a file
/// with any refused row (or an unusable header) changes nothing and `Ok(Err(lines))` lists every
/// refusal as `dòng N: column: reason`.
pub async fn import(
    pool: &Pool,
    sync: &SyncService,
    session: &StaffSession,
    text: &str,
) -> Result<Result<ImportReport, Vec<String>>, AppError> {
    if text.len() > MAX_PASTE_BYTES {
        return Ok(Err(vec![format!(
            "dòng 1: (tệp): tệp lớn quá {} KB",
            MAX_PASTE_BYTES / 1024
        )]));
    }
    let mut client = connect(pool).await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let staged = stage_agencies(&tx, text.as_bytes(), sync.instance())
        .await
        .map_err(AppError::internal)?;
    let (report, dossiers) = match staged {
        Err(unusable) => return Ok(Err(vec![format!("dòng 1: (tệp): {unusable}")])),
        Ok(staged) => staged,
    };
    if !report.is_clean() {
        // Dropping the transaction rolls back the rows that did apply.
        return Ok(Err(report
            .errors
            .iter()
            .map(|e| format!("dòng {}: {}: {}", e.line, e.field, e.reason))
            .collect()));
    }
    let message = import_message(&report);
    audit::record(
        &tx,
        session,
        &AuditEntry {
            action: AuditAction::AgencyImport,
            subject: "agencies",
            reason: Some(&clip(&message)),
            shown: &[],
            call_id: None,
        },
    )
    .await?;
    tx.commit().await.map_err(db_error)?;
    tracing::info!(
        import.rows = report.rows,
        import.applied = report.applied,
        "agencies imported in the console: {} rows, {} applied",
        report.rows,
        report.applied
    );
    refresh(sync, dossiers).await;
    Ok(Ok(report))
}
