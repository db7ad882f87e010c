//! The submitter's SMS notices: the receipt of a question or feedback item with its private
//! tracking link (queued in the submission transaction), the "answered" notice (queued in the
//! answering transaction, private or public item alike) and the "answer published" notice
//! (queued in the publishing transaction, for items answered before the answered notice
//! existed). One notice of an answer per item: both share a dedupe key.

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

    /// The SMS text telling the submitter that `tracking_code` was answered and where to read
    /// it: its tracking `link` (path and query, made absolute here), private when it carries the
    /// link's token.
    pub fn answered_text(
        &self,
        question: bool,
        tracking_code: &str,
        link: &str,
    ) -> anyhow::Result<String> {
        let url = format!("{}{link}", self.base_url);
        self.renderer
            .answered(question, tracking_code, &url, link.contains("&k="))
    }

    /// The SMS text confirming that `tracking_code` was received, with its tracking `link`
    /// (path and query, made absolute here).
    pub fn received_text(
        &self,
        question: bool,
        tracking_code: &str,
        link: &str,
    ) -> anyhow::Result<String> {
        let url = format!("{}{link}", self.base_url);
        self.renderer.received(question, tracking_code, &url)
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
