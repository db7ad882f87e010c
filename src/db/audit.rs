//! The audit log of staff views of personal data. Rows are only ever inserted: the table's
//! trigger refuses updates, deletes and truncation, so there is no function here that changes
//! one (the retention job alone deletes entries past their period: [`super::retention`]). Stored
//! rows become the domain's [`AuditRecord`].

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::domain::audit::{AuditFilter, AuditRecord};

/// One audit entry as it is written.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub actor_id: i64,
    pub actor_label: &'a str,
    /// `phone_search`, `dossier_view`, `intake_item_view`, `sms_to_caller`, `audit_export`,
    /// `calendar_change`, `calendar_import`, `agency_change` or `agency_import`.
    pub action: &'a str,
    /// What was looked up: a dossier code, a tracking code or an E.164 phone.
    pub subject: &'a str,
    pub reason: Option<&'a str>,
    /// The dossier and tracking codes that were shown.
    pub shown: &'a [String],
    pub call_id: Option<i64>,
}

impl TryFrom<&Row> for AuditRecord {
    type Error = tokio_postgres::Error;

    fn try_from(r: &Row) -> Result<Self, Self::Error> {
        Ok(Self {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            actor_id: r.try_get(2)?,
            actor_label: r.try_get(3)?,
            action: r.try_get(4)?,
            subject: r.try_get(5)?,
            reason: r.try_get(6)?,
            shown: r.try_get(7)?,
            call_id: r.try_get(8)?,
        })
    }
}

const INSERT_ENTRY: &str = "
INSERT INTO audit_log (actor_id, actor_label, action, subject, reason, shown, call_id)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/// Appends an entry; returns its id.
pub async fn insert_entry(
    client: &impl GenericClient,
    entry: &NewAuditEntry<'_>,
) -> anyhow::Result<i64> {
    let statement = client.prepare_cached(INSERT_ENTRY).await?;
    let row = client
        .query_one(
            &statement,
            &[
                &entry.actor_id,
                &entry.actor_label,
                &entry.action,
                &entry.subject,
                &entry.reason,
                &entry.shown,
                &entry.call_id,
            ],
        )
        .await?;
    Ok(row.get(0))
}

const LIST_ENTRIES: &str = "
SELECT id, at, actor_id, actor_label, action, subject, reason, shown, call_id
  FROM audit_log
 WHERE ($1::bigint IS NULL OR actor_id = $1)
   AND ($2::text IS NULL OR action = $2)
   AND ($3::text IS NULL OR subject = $3)
   AND ($4::timestamptz IS NULL OR at >= $4)
   AND ($5::timestamptz IS NULL OR at < $5)
 ORDER BY at DESC, id DESC LIMIT $6 OFFSET $7";

/// Entries matching `filter`, newest first.
pub async fn list_entries(
    client: &impl GenericClient,
    filter: &AuditFilter,
) -> anyhow::Result<Vec<AuditRecord>> {
    let statement = client.prepare_cached(LIST_ENTRIES).await?;
    let rows = client
        .query(
            &statement,
            &[
                &filter.actor_id,
                &filter.action,
                &filter.subject,
                &filter.from,
                &filter.to,
                &filter.limit,
                &filter.offset,
            ],
        )
        .await?;
    rows.iter()
        .map(|r| AuditRecord::try_from(r).map_err(anyhow::Error::from))
        .collect()
}
