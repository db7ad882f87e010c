//! The console's audited reads of personal data: the dossiers and open questions and feedback
//! found by a caller's phone number, and the caller's open items shown beside a dossier. Each read
//! writes its audit entry, naming exactly what it showed, before the result is returned, so
//! nothing is shown that the audit log does not list.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use crate::db;
use crate::domain::intake::{IntakeChannel, Item, Kind, State};
use crate::domain::{PhoneNumber, Status};
use crate::error::AppError;
use crate::staff::audit::{self, AuditAction, AuditEntry, SearchReason};
use crate::staff::StaffSession;

/// A dossier in a phone search result: only what the console lists (no personal data).
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneDossier {
    /// The dossier code.
    pub code: String,
    /// Its status; `None` for a status code this version does not know.
    pub status: Option<Status>,
    /// The procedure's name.
    pub procedure_name: String,
    /// When the dossier was received.
    pub received_at: DateTime<Utc>,
    /// The appointment date, if any.
    pub due_at: Option<DateTime<Utc>>,
}

impl From<db::hotline::PhoneDossierRow> for PhoneDossier {
    fn from(row: db::hotline::PhoneDossierRow) -> Self {
        Self {
            code: row.code,
            status: Status::from_code(row.status).ok(),
            procedure_name: row.procedure_name,
            received_at: row.received_at,
            due_at: row.due_at,
        }
    }
}

/// An open question or feedback item of a caller, as the console lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenItem {
    /// The tracking code the submitter was given.
    pub tracking_code: String,
    /// Question or feedback.
    pub kind: Option<Kind>,
    /// Where it was sent from.
    pub channel: Option<IntakeChannel>,
    /// Where it stands.
    pub state: Option<State>,
    /// Its subject line.
    pub subject: String,
    /// The agency it is routed to, by name.
    pub agency_name: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The deadline of the step it waits for: handling once forwarded, else classification.
    pub due_at: Option<DateTime<Utc>>,
}

impl From<&Item> for OpenItem {
    fn from(item: &Item) -> Self {
        Self {
            tracking_code: item.tracking_code.clone(),
            kind: Some(item.kind),
            channel: Some(item.channel),
            state: Some(item.state),
            subject: item.subject.clone(),
            agency_name: item.agency_name.clone(),
            received_at: item.received_at,
            due_at: item.handle_due_at.or(item.classify_due_at),
        }
    }
}

/// What a search by phone found.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneSearch {
    /// Dossiers whose applicant gave the number, newest first.
    pub dossiers: Vec<PhoneDossier>,
    /// Open questions and feedback sent from the number.
    pub items: Vec<OpenItem>,
}

/// Searches dossiers (at most `limit`) and open questions and feedback by the caller's `phone`
/// for the operator of `session`, and writes the audit entry with the reason and every code
/// shown. The log line names the account and the number of results, never the phone.
pub async fn search_by_phone(
    client: &impl GenericClient,
    session: &StaffSession,
    phone: &PhoneNumber,
    reason: SearchReason,
    call_id: Option<i64>,
    limit: i64,
) -> Result<PhoneSearch, AppError> {
    let dossiers = db::hotline::list_dossiers_by_phone(client, phone.e164(), limit)
        .await
        .map_err(AppError::internal)?;
    let items = db::intake::list_open_by_caller(client, Some(phone.e164()), None)
        .await
        .map_err(AppError::internal)?;
    let shown: Vec<String> = dossiers
        .iter()
        .map(|d| d.code.clone())
        .chain(items.iter().map(|i| i.tracking_code.clone()))
        .collect();
    audit::record(
        client,
        session,
        &AuditEntry {
            action: AuditAction::PhoneSearch,
            subject: phone.e164(),
            reason: Some(reason.label()),
            shown: &shown,
            call_id,
        },
    )
    .await?;
    tracing::info!(
        staff.account_id = session.account_id,
        hotline.results = shown.len(),
        "phone search by account {} ({} results)",
        session.account_id,
        shown.len()
    );
    Ok(PhoneSearch {
        dossiers: dossiers.into_iter().map(PhoneDossier::from).collect(),
        items: items.iter().map(OpenItem::from).collect(),
    })
}

/// The open questions and feedback to show beside the dossier `dossier_code`: those about it or
/// sent from the caller's number (`caller_phone`, E.164), with the view of the dossier and of
/// these items written to the audit log for the operator of `session`.
pub async fn record_dossier_view(
    client: &impl GenericClient,
    session: &StaffSession,
    dossier_code: &str,
    caller_phone: Option<&str>,
    call_id: Option<i64>,
) -> Result<Vec<OpenItem>, AppError> {
    let items = db::intake::list_open_by_caller(client, caller_phone, Some(dossier_code))
        .await
        .map_err(AppError::internal)?;
    let shown: Vec<String> = std::iter::once(dossier_code.to_owned())
        .chain(items.iter().map(|i| i.tracking_code.clone()))
        .collect();
    audit::record(
        client,
        session,
        &AuditEntry {
            action: AuditAction::DossierView,
            subject: dossier_code,
            reason: None,
            shown: &shown,
            call_id,
        },
    )
    .await?;
    Ok(items.iter().map(OpenItem::from).collect())
}
