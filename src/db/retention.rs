//! The statements of `tracuu retention`: for each kind of personal data, how many rows are past
//! their period and the one statement that deletes or anonymises exactly those rows. The count and
//! the change share one condition, so a dry run counts what a real run changes.

use deadpool_postgres::GenericClient;

/// A kind of personal data with a retention period (docs/operations.md, Retention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Inbound SMS records: deleted.
    SmsInbound,
    /// Finished outbox messages and their delivery reports: deleted.
    SmsOutbox,
    /// Callers' numbers of hotline calls: erased, the call kept.
    HotlineCallers,
    /// Submitters' contact details of closed questions and feedback: erased, the item kept.
    IntakeContacts,
    /// Audit log entries: deleted.
    Audit,
}

impl Kind {
    /// Every kind, in the order they are reported and changed (the audit log last).
    pub const ALL: [Kind; 5] = [
        Kind::SmsInbound,
        Kind::SmsOutbox,
        Kind::HotlineCallers,
        Kind::IntakeContacts,
        Kind::Audit,
    ];

    /// The name printed in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SmsInbound => "sms_inbound",
            Kind::SmsOutbox => "sms_outbox",
            Kind::HotlineCallers => "hotline_caller_ids",
            Kind::IntakeContacts => "intake_contacts",
            Kind::Audit => "audit_log",
        }
    }

    /// What happens to a row past its period.
    pub fn change(self) -> &'static str {
        match self {
            Kind::SmsInbound | Kind::SmsOutbox | Kind::Audit => "deleted",
            Kind::HotlineCallers | Kind::IntakeContacts => "anonymised",
        }
    }

    /// The table and the condition of the rows past their period (`$1`: the period in days).
    fn target(self) -> (&'static str, &'static str) {
        match self {
            Kind::SmsInbound => (
                "sms_inbound",
                "created_at < now() - make_interval(days => $1)",
            ),
            Kind::SmsOutbox => (
                "sms_outbox",
                "state IN ('sent', 'delivered', 'failed', 'cancelled')
                 AND created_at < now() - make_interval(days => $1)",
            ),
            Kind::HotlineCallers => (
                "hotline_calls",
                "caller_phone IS NOT NULL AND started_at < now() - make_interval(days => $1)",
            ),
            // Closed: refused or withdrawn (closed_at), published (published_at), or answered
            // privately (answered_at; a public answer is closed only once published). An item
            // that still owes its submitter an SMS keeps the phone until it is sent.
            Kind::IntakeContacts => (
                "intake_items",
                "contact_erased_at IS NULL AND NOT answer_notice_pending
                 AND CASE
                       WHEN state IN ('refused', 'withdrawn') THEN closed_at
                       WHEN state = 'published' THEN published_at
                       WHEN state = 'answered' AND NOT is_public THEN answered_at
                     END < now() - make_interval(days => $1)",
            ),
            Kind::Audit => ("audit_log", "at < now() - make_interval(days => $1)"),
        }
    }
}

/// How many rows of `kind` are past a period of `days`.
pub async fn count(client: &impl GenericClient, kind: Kind, days: u32) -> anyhow::Result<u64> {
    let (table, condition) = kind.target();
    let days = i32::try_from(days)?;
    let row = client
        .query_one(
            &format!("SELECT count(*) FROM {table} WHERE {condition}"),
            &[&days],
        )
        .await?;
    Ok(u64::try_from(row.get::<_, i64>(0))?)
}

/// Deletes or anonymises the rows of `kind` past a period of `days`; returns how many. Run it in
/// a transaction: for the audit log it sets `tracuu.retention` for that transaction only, the
/// one exception the log's append-only trigger makes (migration V23).
pub async fn apply(client: &impl GenericClient, kind: Kind, days: u32) -> anyhow::Result<u64> {
    let (table, condition) = kind.target();
    let days = i32::try_from(days)?;
    let statement = match kind {
        Kind::SmsInbound | Kind::SmsOutbox | Kind::Audit => {
            format!("DELETE FROM {table} WHERE {condition}")
        }
        Kind::HotlineCallers => {
            format!("UPDATE {table} SET caller_phone = NULL WHERE {condition}")
        }
        Kind::IntakeContacts => format!(
            "UPDATE {table} SET submitter_name = NULL, submitter_phone = NULL,
                    submitter_email = NULL, submitter_address = NULL, contact_erased_at = now()
              WHERE {condition}"
        ),
    };
    if kind == Kind::Audit {
        client
            .batch_execute("SET LOCAL tracuu.retention = 'on'")
            .await?;
    }
    Ok(client.execute(&statement, &[&days]).await?)
}
