//! The working calendar as administrators keep it: the exceptions of a year listed, a day added,
//! changed or deleted in the console, and whole years imported from a CSV file (console or
//! `tracuu calendar import`). Every change is checked with [`CalendarEntry::parse`], written with
//! who made it (a seeded row an administrator touches becomes theirs, so seeding leaves it alone),
//! and recorded in the audit log with the change in the same transaction.
//!
//! A change moves only the deadlines computed after it: tracuu stores each deadline when it
//! computes it (at the transition that starts it), and never recomputes one on read.

pub mod csv;

use chrono::{Datelike, NaiveDate};
use deadpool_postgres::{GenericClient, Pool};

use crate::db;
use crate::db::calendar::{CalendarDayRow, DayValues};
use crate::domain::calendar_entry::{parse_day, CalendarEntry, RawEntry};
use crate::domain::DayKind;
use crate::error::AppError;
use crate::staff::audit::{self, AuditAction, AuditEntry};
use crate::staff::StaffSession;

pub use self::csv::{parse_csv, to_csv, RowError};

/// Longest reason written to the audit log (its column's limit).
const MAX_AUDIT_REASON_CHARS: usize = 500;

fn db_error(error: impl Into<anyhow::Error>) -> AppError {
    AppError::internal(error.into())
}

async fn connect(pool: &Pool) -> Result<deadpool_postgres::Object, AppError> {
    pool.get()
        .await
        .map_err(|e| AppError::unavailable(Some(e.into())))
}

/// The exceptions of `year`, oldest first.
pub async fn list_year(pool: &Pool, year: i32) -> Result<Vec<CalendarDayRow>, AppError> {
    let client = connect(pool).await?;
    db::calendar::list_year(&client, year)
        .await
        .map_err(AppError::internal)
}

/// The years that have exceptions.
pub async fn list_years(pool: &Pool) -> Result<Vec<i32>, AppError> {
    let client = connect(pool).await?;
    db::calendar::list_years(&client)
        .await
        .map_err(AppError::internal)
}

fn values<'a>(entry: &'a CalendarEntry, origin: &'a str, by: &'a str) -> DayValues<'a> {
    DayValues {
        day: entry.day,
        kind: entry.kind,
        name: &entry.name,
        estimate: entry.estimate,
        source: entry.source.as_deref(),
        origin,
        changed_by: Some(by),
    }
}

fn describe(entry: &CalendarEntry) -> String {
    format!(
        "{} “{}”{}",
        entry.kind.label(),
        entry.name,
        if entry.estimate { " (dự kiến)" } else { "" }
    )
}

async fn record(
    client: &impl GenericClient,
    session: &StaffSession,
    action: AuditAction,
    subject: &str,
    reason: &str,
    shown: &[String],
) -> Result<(), AppError> {
    let reason: String = reason.chars().take(MAX_AUDIT_REASON_CHARS).collect();
    audit::record(
        client,
        session,
        &AuditEntry {
            action,
            subject,
            reason: Some(&reason),
            shown,
            call_id: None,
        },
    )
    .await
    .map(|_| ())
}

/// Writes a day's change to the audit log in its transaction, commits, and logs it (`what`:
/// "added", "changed", "deleted").
async fn commit_day_change(
    tx: deadpool_postgres::Transaction<'_>,
    session: &StaffSession,
    day: NaiveDate,
    reason: &str,
    what: &str,
) -> Result<(), AppError> {
    record(
        &tx,
        session,
        AuditAction::CalendarChange,
        &day.to_string(),
        reason,
        &[],
    )
    .await?;
    tx.commit().await.map_err(db_error)?;
    tracing::info!(calendar.day = %day, "calendar day {day} {what}");
    Ok(())
}

/// Adds an exception for a day that has none. `Ok(Err(message))` is a refusal for the form, in
/// Vietnamese with the field's label.
pub async fn add_day(
    pool: &Pool,
    session: &StaffSession,
    raw: RawEntry<'_>,
) -> Result<Result<NaiveDate, String>, AppError> {
    let entry = match CalendarEntry::parse(raw) {
        Ok(entry) => entry,
        Err(error) => return Ok(Err(error.message())),
    };
    let mut client = connect(pool).await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let by = session.actor_label();
    let added = db::calendar::insert_day(
        &tx,
        &values(&entry, db::calendar::ORIGIN_ADMINISTRATOR, &by),
    )
    .await
    .map_err(AppError::internal)?;
    if !added {
        return Ok(Err(format!(
            "Ngày: {} đã có trong lịch; hãy sửa dòng của ngày đó.",
            entry.day.format("%d/%m/%Y")
        )));
    }
    let reason = format!("Thêm: {}", describe(&entry));
    commit_day_change(tx, session, entry.day, &reason, "added").await?;
    Ok(Ok(entry.day))
}

/// Changes the exception of `day` (the path's date; `raw.day` is ignored).
pub async fn change_day(
    pool: &Pool,
    session: &StaffSession,
    day: &str,
    raw: RawEntry<'_>,
) -> Result<Result<NaiveDate, String>, AppError> {
    let entry = match CalendarEntry::parse(RawEntry { day, ..raw }) {
        Ok(entry) => entry,
        Err(error) => return Ok(Err(error.message())),
    };
    let mut client = connect(pool).await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let before = db::calendar::find_day(&tx, entry.day)
        .await
        .map_err(AppError::internal)?;
    let Some(before) = before else {
        return Ok(Err(not_in_calendar(entry.day)));
    };
    let by = session.actor_label();
    db::calendar::update_day(
        &tx,
        &values(&entry, db::calendar::ORIGIN_ADMINISTRATOR, &by),
    )
    .await
    .map_err(AppError::internal)?;
    let reason = format!(
        "Sửa: {} “{}” thành {}",
        stored_kind_label(&before.kind),
        before.name,
        describe(&entry)
    );
    commit_day_change(tx, session, entry.day, &reason, "changed").await?;
    Ok(Ok(entry.day))
}

/// Deletes the exception of `day`: the day becomes an ordinary weekday or weekend again.
pub async fn delete_day(
    pool: &Pool,
    session: &StaffSession,
    day: &str,
) -> Result<Result<NaiveDate, String>, AppError> {
    let day = match parse_day(day) {
        Ok(day) => day,
        Err(error) => return Ok(Err(error.message())),
    };
    let mut client = connect(pool).await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let deleted = db::calendar::delete_day(&tx, day)
        .await
        .map_err(AppError::internal)?;
    let Some((kind, name)) = deleted else {
        return Ok(Err(not_in_calendar(day)));
    };
    let reason = format!("Xóa: {} “{name}”", stored_kind_label(&kind));
    commit_day_change(tx, session, day, &reason, "deleted").await?;
    Ok(Ok(day))
}

/// Who set a stored row, in Vietnamese.
pub fn origin_label(origin: &str) -> &'static str {
    match origin {
        db::calendar::ORIGIN_SEED => "Bảng có sẵn của tracuu",
        db::calendar::ORIGIN_IMPORT => "Nhập từ tệp CSV",
        _ => "Quản trị viên",
    }
}

fn not_in_calendar(day: NaiveDate) -> String {
    format!(
        "Ngày: {} không có trong lịch (có thể vừa bị người khác xóa).",
        day.format("%d/%m/%Y")
    )
}

fn stored_kind_label(kind: &str) -> &'static str {
    DayKind::parse(kind).map_or("Ngày", DayKind::label)
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// The years the file covers: their exceptions are now exactly the file's rows.
    pub years: Vec<i32>,
    pub rows: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Days of those years that had an exception and are not in the file.
    pub removed: Vec<NaiveDate>,
}

impl ImportSummary {
    /// One Vietnamese sentence.
    pub fn message(&self) -> String {
        let years: Vec<String> = self.years.iter().map(i32::to_string).collect();
        format!(
            "Đã nhập {} dòng cho năm {}: thêm {}, sửa {}, giữ nguyên {}, xóa {} ngày không có trong tệp.",
            self.rows,
            years.join(", "),
            self.added,
            self.changed,
            self.unchanged,
            self.removed.len()
        )
    }
}

/// Who imports: a staff member in the console (audited), or the command line.
#[derive(Debug, Clone, Copy)]
pub enum Importer<'a> {
    Staff(&'a StaffSession),
    CommandLine,
}

/// Imports a CSV file: every year present in the file gets exactly the file's days (days of
/// those years missing from the file lose their exception; other years are untouched). A file
/// with any error changes nothing: `Ok(Err(errors))` lists every refused line.
pub async fn import(
    client: &mut deadpool_postgres::Object,
    importer: Importer<'_>,
    bytes: &[u8],
) -> Result<Result<ImportSummary, Vec<RowError>>, AppError> {
    let entries = match parse_csv(bytes) {
        Ok(entries) => entries,
        Err(errors) => return Ok(Err(errors)),
    };
    let by = match importer {
        Importer::Staff(session) => session.actor_label(),
        Importer::CommandLine => "tracuu calendar import (dòng lệnh)".to_owned(),
    };
    let mut years: Vec<i32> = entries.iter().map(|e| e.day.year()).collect();
    years.sort_unstable();
    years.dedup();
    let days: Vec<NaiveDate> = entries.iter().map(|e| e.day).collect();
    let tx = client.transaction().await.map_err(db_error)?;
    db::calendar::lock_for_import(&tx)
        .await
        .map_err(AppError::internal)?;
    let mut summary = ImportSummary {
        years: years.clone(),
        rows: entries.len(),
        ..ImportSummary::default()
    };
    summary.removed = db::calendar::delete_years_except(&tx, &years, &days)
        .await
        .map_err(AppError::internal)?;
    for entry in &entries {
        let before = db::calendar::find_day(&tx, entry.day)
            .await
            .map_err(AppError::internal)?;
        let same = before.as_ref().is_some_and(|b| {
            b.kind == entry.kind.as_str()
                && b.name == entry.name
                && b.estimate == entry.estimate
                && b.source == entry.source
        });
        match (&before, same) {
            (_, true) => summary.unchanged += 1,
            (None, _) => summary.added += 1,
            (Some(_), false) => summary.changed += 1,
        }
        // Even an unchanged row becomes the import's, so a later seed leaves it alone.
        db::calendar::upsert_day(&tx, &values(entry, db::calendar::ORIGIN_IMPORT, &by))
            .await
            .map_err(AppError::internal)?;
    }
    if let Importer::Staff(session) = importer {
        let removed: Vec<String> = summary.removed.iter().map(NaiveDate::to_string).collect();
        record(
            &tx,
            session,
            AuditAction::CalendarImport,
            "calendar_days",
            &summary.message(),
            &removed,
        )
        .await?;
    }
    tx.commit().await.map_err(db_error)?;
    tracing::info!(
        calendar.rows = summary.rows,
        calendar.removed = summary.removed.len(),
        "calendar imported: {} rows, {} days removed",
        summary.rows,
        summary.removed.len()
    );
    Ok(Ok(summary))
}
