//! The "answer published" notice: the SMS a submitter gets when the answer to their question or
//! feedback is published (queued by the intake service in the publishing transaction).

/// What the "answer published" SMS needs: the SMS texts and where published answers are read.
pub struct AnswerNotices {
    renderer: crate::domain::sms::render::SmsRenderer,
    base_url: String,
}

impl AnswerNotices {
    /// The SMS text telling the submitter that the answer to `tracking_code` (a question when
    /// `question`) is published, with the address where it is read.
    pub fn text(&self, question: bool, tracking_code: &str) -> anyhow::Result<String> {
        let url = format!("{}/hoi-dap/{tracking_code}", self.base_url);
        self.renderer
            .answer_published(question, tracking_code, &url)
    }

    /// Built when SMS notifications are on (`TRACUU_SMS__SENDSMS_URL` set, or
    /// `TRACUU_SMS__NOTIFY_STATUS_CHANGES=true`); `None` otherwise.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Option<Self>> {
        if !settings.sms.notifies_status_changes() {
            return Ok(None);
        }
        Ok(Some(Self {
            renderer: crate::domain::sms::render::SmsRenderer::new(
                &settings.sms.keywords.table(),
                &settings.province.hotline,
                &settings.sms.short_code,
            )?,
            base_url: settings
                .province
                .public_base_url
                .trim_end_matches('/')
                .to_owned(),
        }))
    }
}
