//! The audit log as it is read back: one recorded view of personal data, and the selection an
//! administrator asks for. Plain values; recording and reading them is the staff service's job.

use chrono::{DateTime, Utc};

/// One recorded entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Its id, in recording order.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The staff account that looked.
    pub actor_id: i64,
    /// Who looked, in words (name and role at the time).
    pub actor_label: String,
    /// The stored name of what was done (`phone_search`, `dossier_view`, ...).
    pub action: String,
    /// What was looked up: a dossier code, a tracking code or an E.164 phone.
    pub subject: String,
    /// Why, when the action needs a reason (phone searches).
    pub reason: Option<String>,
    /// The dossier and tracking codes that were shown.
    pub shown: Vec<String>,
    /// The hotline call it happened in.
    pub call_id: Option<i64>,
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this staff account's entries.
    pub actor_id: Option<i64>,
    /// Only this action (stored name).
    pub action: Option<String>,
    /// Exact subject (a code or an E.164 phone).
    pub subject: Option<String>,
    /// Recorded at or after.
    pub from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub to: Option<DateTime<Utc>>,
    /// Page size.
    pub limit: i64,
    /// Entries skipped (earlier pages).
    pub offset: i64,
}
