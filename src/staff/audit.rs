//! The audit trail of staff views of personal data: phone searches with their
//! reason, the console's detail views of dossiers and of questions and feedback, status SMS sent
//! to callers and exports of the trail itself; and the administrators' changes to the working
//! calendar, which move every deadline computed after them. Written through [`record`]; the table only takes
//! inserts (a trigger refuses the rest), so nobody can edit what was recorded.

use deadpool_postgres::{GenericClient, Pool};

use super::{connect, StaffSession};
use crate::db;
use crate::domain::audit::{AuditFilter, AuditRecord};
use crate::error::AppError;

/// What a staff member looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// Dossiers and items listed by a caller's phone number.
    PhoneSearch,
    /// A dossier's detailed view.
    DossierView,
    /// A question or feedback item with its submitter's details.
    IntakeItemView,
    /// A status SMS queued to a caller's phone.
    SmsToCaller,
    /// The audit log exported.
    AuditExport,
    /// A day of the working calendar added, changed or deleted in the console.
    CalendarChange,
    /// The working calendar imported from a CSV file.
    CalendarImport,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 7] = [
        AuditAction::PhoneSearch,
        AuditAction::DossierView,
        AuditAction::IntakeItemView,
        AuditAction::SmsToCaller,
        AuditAction::AuditExport,
        AuditAction::CalendarChange,
        AuditAction::CalendarImport,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::PhoneSearch => "phone_search",
            AuditAction::DossierView => "dossier_view",
            AuditAction::IntakeItemView => "intake_item_view",
            AuditAction::SmsToCaller => "sms_to_caller",
            AuditAction::AuditExport => "audit_export",
            AuditAction::CalendarChange => "calendar_change",
            AuditAction::CalendarImport => "calendar_import",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::PhoneSearch => "Tra cứu theo số điện thoại",
            AuditAction::DossierView => "Xem chi tiết hồ sơ",
            AuditAction::IntakeItemView => "Xem câu hỏi, phản ánh",
            AuditAction::SmsToCaller => "Nhắn tin tình trạng cho người gọi",
            AuditAction::AuditExport => "Xuất nhật ký truy cập",
            AuditAction::CalendarChange => "Sửa lịch làm việc",
            AuditAction::CalendarImport => "Nhập lịch làm việc từ tệp CSV",
        }
    }
}

/// Why an operator searches by phone: a closed list, so the reason is always meaningful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchReason {
    /// The caller asks about their own dossiers and has no code at hand.
    CallerHasNoCode,
    /// The caller lost the receipt.
    LostReceipt,
    /// Following up the caller's question or feedback.
    FollowUp,
    /// The caller asks to be texted the status.
    SendStatus,
}

impl SearchReason {
    /// Every reason, in the order the console offers them.
    pub const ALL: [SearchReason; 4] = [
        SearchReason::CallerHasNoCode,
        SearchReason::LostReceipt,
        SearchReason::FollowUp,
        SearchReason::SendStatus,
    ];

    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchReason::CallerHasNoCode => "caller_has_no_code",
            SearchReason::LostReceipt => "lost_receipt",
            SearchReason::FollowUp => "follow_up",
            SearchReason::SendStatus => "send_status",
        }
    }

    /// Parses a form value.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }

    /// The Vietnamese text, which is what the audit log stores.
    pub fn label(self) -> &'static str {
        match self {
            SearchReason::CallerHasNoCode => "Người gọi hỏi hồ sơ của mình nhưng không có mã hồ sơ",
            SearchReason::LostReceipt => "Người gọi bị mất giấy tiếp nhận",
            SearchReason::FollowUp => "Theo dõi câu hỏi, phản ánh của người gọi",
            SearchReason::SendStatus => "Người gọi đề nghị nhắn tin tình trạng hồ sơ",
        }
    }
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub action: AuditAction,
    pub subject: &'a str,
    pub reason: Option<&'a str>,
    pub shown: &'a [String],
    pub call_id: Option<i64>,
}

/// Appends an entry naming the session's staff member.
pub async fn record(
    client: &impl GenericClient,
    session: &StaffSession,
    entry: &AuditEntry<'_>,
) -> Result<i64, AppError> {
    let label = session.actor_label();
    db::audit::insert_entry(
        client,
        &db::audit::NewAuditEntry {
            actor_id: session.account_id,
            actor_label: &label,
            action: entry.action.as_str(),
            subject: entry.subject,
            reason: entry.reason,
            shown: entry.shown,
            call_id: entry.call_id,
        },
    )
    .await
    .map_err(AppError::internal)
}

/// [`record`] on a connection of its own, for callers that hold none.
pub async fn append(
    pool: &Pool,
    session: &StaffSession,
    entry: &AuditEntry<'_>,
) -> Result<i64, AppError> {
    let client = connect(pool).await?;
    record(&client, session, entry).await
}

/// The entries `filter` selects, newest first.
pub async fn list(pool: &Pool, filter: &AuditFilter) -> Result<Vec<AuditRecord>, AppError> {
    let client = connect(pool).await?;
    db::audit::list_entries(&client, filter)
        .await
        .map_err(AppError::internal)
}

/// The entries `filter` selects, for an export: reading the log out is itself recorded, with
/// how many rows left.
pub async fn export(
    pool: &Pool,
    session: &StaffSession,
    filter: &AuditFilter,
) -> Result<Vec<AuditRecord>, AppError> {
    let client = connect(pool).await?;
    let rows = db::audit::list_entries(&client, filter)
        .await
        .map_err(AppError::internal)?;
    record(
        &client,
        session,
        &AuditEntry {
            action: AuditAction::AuditExport,
            subject: "audit_log",
            reason: None,
            shown: &[format!("{} dòng", rows.len())],
            call_id: None,
        },
    )
    .await?;
    Ok(rows)
}
