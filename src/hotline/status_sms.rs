//! A dossier's status texted to a caller at an operator's request: the message goes into the SMS
//! outbox (the sender worker delivers it outside quiet hours) and the audit entry is written in the
//! same transaction, so a message exists exactly when its audit entry does.

use chrono::Utc;
use deadpool_postgres::GenericClient;

use crate::db;
use crate::domain::{DossierCode, PhoneNumber};
use crate::error::AppError;
use crate::staff::audit::{self, AuditAction, AuditEntry};
use crate::staff::StaffSession;

/// The outbox's name for these messages.
const KIND: &str = "hotline_status";

/// One status message to queue.
#[derive(Debug, Clone, Copy)]
pub struct StatusSms<'a> {
    /// The caller's mobile number.
    pub phone: &'a PhoneNumber,
    /// The dossier whose status it is.
    pub dossier_code: &'a DossierCode,
    /// The rendered text (GSM-7, public-view facts only).
    pub text: &'a str,
    /// The operator's call, when the text is sent during one.
    pub call_id: Option<i64>,
}

/// Queues `sms` with its audit entry in one transaction on `client`. Queued once per dossier,
/// number and call (per Vietnam day without a call), so a double submit sends one message: returns
/// false, with nothing written, when it was already queued or the number has opted out.
pub async fn queue_status_sms(
    client: &mut impl GenericClient,
    session: &StaffSession,
    sms: &StatusSms<'_>,
) -> Result<bool, AppError> {
    let code = sms.dossier_code.as_str();
    let recipient = sms.phone.e164();
    let once = match sms.call_id {
        Some(id) => format!("call{id}"),
        None => Utc::now()
            .with_timezone(&crate::domain::vn_offset())
            .format("day%Y%m%d")
            .to_string(),
    };
    let dedupe_key = format!("{KIND}:{code}:{recipient}:{once}");
    let tx = client
        .transaction()
        .await
        .map_err(|e| AppError::internal(e.into()))?;
    let queued = db::sms_outbox::enqueue(
        &tx,
        &db::sms_outbox::NewSms {
            recipient,
            body: sms.text,
            kind: KIND,
            dedupe_key: &dedupe_key,
            dossier_code: Some(code),
            not_before: None,
        },
    )
    .await
    .map_err(AppError::internal)?
    .is_some();
    if queued {
        audit::record(
            &tx,
            session,
            &AuditEntry {
                action: AuditAction::SmsToCaller,
                subject: recipient,
                reason: None,
                shown: &[code.to_owned()],
                call_id: sms.call_id,
            },
        )
        .await?;
    }
    tx.commit()
        .await
        .map_err(|e| AppError::internal(e.into()))?;
    Ok(queued)
}
