//! The hotline service: the call log (`call_log`), the console's audited searches (`search`), the
//! status texted to a caller (`status_sms`), and per instance the caller and operator limits the
//! IVR and the console share and the store of synthesized prompt audio (`audio`).

pub mod audio;
pub mod call_log;
pub mod search;
pub mod status_sms;

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Settings;
use crate::domain::sms::render::SmsRenderer;
use crate::error::AppError;
use crate::lookup::guard::ClientKey;
use audio::AudioStore;

/// What the hotline keeps per instance: rate limits and the audio store.
pub struct HotlineState {
    enabled: bool,
    ivr: DefaultKeyedRateLimiter<ClientKey>,
    sms_per_phone: DefaultKeyedRateLimiter<String>,
    sms_per_operator: DefaultKeyedRateLimiter<i64>,
    /// Synthesized prompts, when `hotline.audio_enabled`.
    pub audio: Option<AudioStore>,
    /// Renders the status SMS an operator texts to a caller (the SMS channel's words).
    pub sms_renderer: SmsRenderer,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn wait_error(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> AppError {
    AppError::rate_limited(not_until.wait_time_from(DefaultClock::default().now()))
}

impl HotlineState {
    /// Limits, audio and the SMS renderer from the settings (limits off when rate limiting is
    /// off).
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let h = &settings.hotline;
        if h.audio_enabled && !audio::espeak_available() {
            // The documents still carry the text inside <audio>, which platforms speak instead.
            tracing::warn!(
                "TRACUU_HOTLINE__AUDIO_ENABLED is set but espeak-ng cannot be run: IVR audio will fail"
            );
        }
        Ok(Self {
            enabled: settings.rate_limit.enabled,
            ivr: RateLimiter::keyed(
                Quota::per_minute(nonzero(h.ivr_requests_per_minute))
                    .allow_burst(nonzero(h.ivr_burst)),
            ),
            sms_per_phone: RateLimiter::keyed(Quota::per_hour(nonzero(h.sms_per_phone_per_hour))),
            sms_per_operator: RateLimiter::keyed(Quota::per_hour(nonzero(
                h.sms_per_operator_per_hour,
            ))),
            audio: h
                .audio_enabled
                .then(|| AudioStore::new(h.audio_cache_dir.clone(), h.espeak_voice.clone())),
            sms_renderer: SmsRenderer::new(
                &settings.sms.keywords.table(),
                &settings.province.hotline,
                &settings.sms.short_code,
            )?,
        })
    }

    /// Counts one IVR request of a caller.
    pub fn admit_ivr(&self, caller: &ClientKey) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        self.ivr.check_key(caller).map_err(wait_error)
    }

    /// Counts one status SMS to `phone` (E.164) by `operator`: both budgets must allow it.
    pub fn admit_sms(&self, phone: &str, operator: i64) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        self.sms_per_operator
            .check_key(&operator)
            .map_err(wait_error)?;
        self.sms_per_phone
            .check_key(&phone.to_owned())
            .map_err(wait_error)
    }

    /// Drops limiter state of callers not seen recently.
    pub fn tidy(&self) {
        self.ivr.retain_recent();
        self.ivr.shrink_to_fit();
        self.sms_per_phone.retain_recent();
        self.sms_per_operator.retain_recent();
    }
}
