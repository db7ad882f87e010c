//! Status-change detection and notices: when a batch changes the status of a dossier tracuu
//! already had, an SMS is queued in the outbox for the applicant's mobile (when the main store
//! sent one) and for every phone subscribed to the dossier, in the batch's own transaction, so a
//! notification exists exactly when the change committed. New dossiers (first snapshot, e.g. a
//! backfill) notify nobody. The outbox's dedupe key is the dossier version and phone, so a
//! replayed or re-pulled batch queues nothing twice; opt-outs and per-dossier mutes are honoured
//! by the outbox itself.

use std::collections::HashMap;

use chrono::Utc;
use deadpool_postgres::GenericClient;

use crate::config::Settings;
use crate::db;
use crate::db::sms_outbox::NewSms;
use crate::domain::sms::{SmsRenderer, StatusFacts};
use crate::domain::{PhoneNumber, Status};
use crate::lookup::view::CachedDossier;

/// The outbox kind of these messages.
pub const KIND: &str = "status_change";

/// Renders and queues status-change notifications.
pub struct StatusNotices {
    renderer: SmsRenderer,
}

/// One applied dossier, as the batch knows it.
pub struct AppliedChange<'a> {
    pub code: &'a str,
    pub version: i64,
    pub status: Status,
    pub procedure_name: &'a str,
    pub applicant_phone: Option<&'a PhoneNumber>,
    pub view: &'a CachedDossier,
    pub due: Option<chrono::DateTime<Utc>>,
}

impl StatusNotices {
    /// Built from the settings; `None` when notifications are switched off.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        if !settings.sms.notifies_status_changes() {
            return Ok(None);
        }
        let renderer = SmsRenderer::new(
            &settings.sms.keywords.table(),
            &settings.province.hotline,
            &settings.sms.short_code,
        )?;
        Ok(Some(Self { renderer }))
    }

    /// Reads the stored statuses of `codes` before the batch changes them.
    pub async fn statuses_before(
        &self,
        client: &impl GenericClient,
        codes: &[&str],
    ) -> anyhow::Result<HashMap<String, i16>> {
        db::sms::list_statuses(client, codes).await
    }

    /// Queues a notification for each changed status (compared with `before`). Returns how many
    /// messages were queued.
    pub async fn queue(
        &self,
        client: &impl GenericClient,
        before: &HashMap<String, i16>,
        applied: &[AppliedChange<'_>],
    ) -> anyhow::Result<usize> {
        let changed: Vec<&AppliedChange<'_>> = applied
            .iter()
            .filter(|c| {
                before
                    .get(c.code)
                    .is_some_and(|old| *old != c.status.code())
            })
            .collect();
        if changed.is_empty() {
            return Ok(0);
        }
        let codes: Vec<&str> = changed.iter().map(|c| c.code).collect();
        let subscribers = db::sms::list_subscribers(client, &codes).await?;
        let now = Utc::now();
        // (recipient, body, key, code)
        let mut rows: Vec<(String, String, String, &str)> = Vec::new();
        for change in changed {
            let body = self.renderer.status_notification(&StatusFacts {
                code: change.code,
                procedure: change.procedure_name,
                status: change.status,
                due: change.due,
                standing: change.view.standing(now),
                // The notification says what changed; the deadline is in the status reply.
                citizen_due: None,
                // The notification says what changed; where to go is in the status reply.
                now: None,
            })?;
            let mut phones: Vec<String> = subscribers.get(change.code).cloned().unwrap_or_default();
            if let Some(phone) = change.applicant_phone.filter(|p| p.is_mobile()) {
                phones.push(phone.e164().to_owned());
            }
            phones.sort();
            phones.dedup();
            for phone in phones {
                let key = format!("{KIND}:{}:{}:{phone}", change.code, change.version);
                rows.push((phone, body.clone(), key, change.code));
            }
        }
        let messages: Vec<NewSms<'_>> = rows
            .iter()
            .map(|(recipient, body, key, code)| NewSms {
                recipient,
                body,
                kind: KIND,
                dedupe_key: key,
                dossier_code: Some(code),
                not_before: None,
            })
            .collect();
        Ok(db::sms_outbox::enqueue_many(client, &messages).await?.len())
    }
}
