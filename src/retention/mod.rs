//! Retention of personal data (Personal Data Protection Law 91/2025/QH15): `tracuu retention`
//! deletes or anonymises what is past the periods of `[retention]` (docs/operations.md,
//! Retention; decision 0068). A dry run counts the same rows and changes nothing. Reports carry
//! counts per kind, never the data.

use std::fmt;

use crate::config::RetentionSettings;
use crate::db::retention::{self as statements, Kind};

/// What one kind came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindReport {
    pub kind: Kind,
    /// The period, in days.
    pub days: u32,
    /// Rows past the period: changed, or in a dry run to be changed.
    pub rows: u64,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub dry_run: bool,
    pub kinds: Vec<KindReport>,
}

impl Report {
    /// Rows of `kind` changed (or to be changed).
    pub fn rows(&self, kind: Kind) -> u64 {
        self.kinds
            .iter()
            .find(|k| k.kind == kind)
            .map_or(0, |k| k.rows)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in &self.kinds {
            let verb = if self.dry_run {
                format!("would be {}", k.kind.change())
            } else {
                k.kind.change().to_owned()
            };
            writeln!(
                f,
                "{:<20} {:>9} {verb} (older than {} days)",
                k.kind.name(),
                k.rows,
                k.days
            )?;
        }
        let total: u64 = self.kinds.iter().map(|k| k.rows).sum();
        if self.dry_run {
            write!(
                f,
                "dry run: {total} row(s) would change; nothing was changed"
            )
        } else {
            write!(f, "{total} row(s) changed")
        }
    }
}

/// The period of `kind` in these settings.
pub fn period(settings: &RetentionSettings, kind: Kind) -> u32 {
    match kind {
        Kind::SmsInbound => settings.sms_inbound_days,
        Kind::SmsOutbox => settings.sms_outbox_days,
        Kind::HotlineCallers => settings.hotline_caller_days,
        Kind::IntakeContacts => settings.intake_contact_days,
        Kind::Audit => settings.audit_days,
    }
}

/// Runs the job: in a dry run counts the rows past their period, otherwise deletes or anonymises
/// them, every kind in one transaction (all or nothing).
pub async fn run(
    client: &mut deadpool_postgres::Object,
    settings: &RetentionSettings,
    dry_run: bool,
) -> anyhow::Result<Report> {
    let mut kinds = Vec::with_capacity(Kind::ALL.len());
    let transaction = client.transaction().await?;
    for kind in Kind::ALL {
        let days = period(settings, kind);
        let rows = if dry_run {
            statements::count(&transaction, kind, days).await?
        } else {
            statements::apply(&transaction, kind, days).await?
        };
        kinds.push(KindReport { kind, days, rows });
    }
    if dry_run {
        transaction.rollback().await?;
    } else {
        transaction.commit().await?;
    }
    Ok(Report { dry_run, kinds })
}
