//! The outbox worker (docs/channels/sms.md): claims due messages (`FOR UPDATE SKIP LOCKED`, committed
//! as `sending` before anything is sent, so two instances or a restart never send one twice),
//! sends each through Kannel's sendsms interface at a bounded rate, asks for delivery reports,
//! and retries with exponential back-off only when Kannel certainly did not take the message
//! (connection refused, an error status). An interrupted send (timeout after the request went
//! out, crash) is never retried: the row waits for a delivery report and is marked failed after
//! `sending_timeout_secs` without one. Nothing is sent during the quiet hours (Vietnam time);
//! messages wait.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveTime, Timelike, Utc};
use futures_util::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use secrecy::ExposeSecret;

use crate::config::SmsSettings;
use crate::domain::{vn_offset, PhoneNumber};
use crate::notify::outbox::{OutboxMessage, Sent};
use crate::notify::NotifyService;

/// Whether `now` (time of day) falls in the quiet hours `[start, end)`; equal bounds: never.
pub fn in_quiet_hours(start: NaiveTime, end: NaiveTime, now: NaiveTime) -> bool {
    match start.cmp(&end) {
        std::cmp::Ordering::Equal => false,
        std::cmp::Ordering::Less => start <= now && now < end,
        std::cmp::Ordering::Greater => now >= start || now < end,
    }
}

/// Delay before attempt `attempts + 1`: base doubling per attempt, capped.
pub fn backoff(attempts: i32, base_secs: u64, max_secs: u64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let secs = base_secs
        .saturating_mul(1u64 << exponent)
        .min(max_secs.max(base_secs));
    Duration::from_secs(secs)
}

/// How one send ended.
#[derive(Debug)]
enum Outcome {
    /// Kannel accepted it (its answer text).
    Sent(String),
    /// Kannel certainly did not take it: may be tried again.
    NotTaken(String),
    /// Unknown whether Kannel took it: must not be sent again.
    Unknown(String),
}

/// The worker of one instance.
pub struct Sender {
    notify: Arc<NotifyService>,
    metrics: Arc<crate::telemetry::Metrics>,
    settings: SmsSettings,
    instance: String,
    http: reqwest::Client,
    url: String,
    quiet: (NaiveTime, NaiveTime),
    limiter: DefaultDirectRateLimiter,
}

impl Sender {
    /// A worker, or `None` when no sendsms URL is configured (messages then wait in the outbox).
    pub fn new(
        notify: Arc<NotifyService>,
        settings: &SmsSettings,
        instance: &str,
        metrics: Arc<crate::telemetry::Metrics>,
    ) -> anyhow::Result<Option<Self>> {
        let Some(url) = settings.sendsms_url.clone() else {
            return Ok(None);
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.request_timeout_secs))
            .connect_timeout(Duration::from_secs(settings.request_timeout_secs.min(5)))
            .build()?;
        let rate = NonZeroU32::new(settings.send_per_second).unwrap_or(NonZeroU32::MIN);
        Ok(Some(Self {
            notify,
            metrics,
            quiet: settings.quiet_hours()?,
            settings: settings.clone(),
            instance: instance.to_owned(),
            http,
            url,
            limiter: RateLimiter::direct(Quota::per_second(rate)),
        }))
    }

    /// The Kannel delivery-report URL for one message (`%d` and `%A` are Kannel's).
    fn dlr_url(&self, id: i64) -> Option<String> {
        let base = self.settings.dlr_base_url.as_ref()?;
        let secret = self.settings.inbound_secret.as_ref()?;
        Some(format!(
            "{}/sms/v1/kannel/{}/dlr?id={id}&status=%d&answer=%A",
            base.trim_end_matches('/'),
            secret.expose_secret()
        ))
    }

    /// Runs forever.
    pub async fn run(self) {
        let this = Arc::new(self);
        let poll = Duration::from_millis(this.settings.poll_interval_ms.max(10));
        let mut failures = 0u32;
        let mut last_sweep = std::time::Instant::now() - Duration::from_secs(3_600);
        loop {
            let local = Utc::now().with_timezone(&vn_offset()).time();
            if in_quiet_hours(this.quiet.0, this.quiet.1, local) {
                tokio::time::sleep(Duration::from_secs(30).min(poll * 30)).await;
                continue;
            }
            if last_sweep.elapsed() >= Duration::from_secs(60) {
                last_sweep = std::time::Instant::now();
                this.sweep().await;
            }
            let claimed = this
                .notify
                .claim_due(&this.instance, this.settings.batch_size)
                .await;
            match claimed {
                Ok(batch) if batch.is_empty() => {
                    failures = 0;
                    tokio::time::sleep(poll).await;
                }
                Ok(batch) => {
                    failures = 0;
                    futures_util::stream::iter(batch)
                        .for_each_concurrent(4, |message| {
                            let this = Arc::clone(&this);
                            async move { this.deliver(message).await }
                        })
                        .await;
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let wait = poll * 2u32.saturating_pow(failures.min(6));
                    tracing::warn!(
                        "sms outbox unavailable, retrying in {wait:?}: {}",
                        crate::error::redacted_chain(&error)
                    );
                    tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
                }
            }
        }
    }

    async fn sweep(&self) {
        let before = Utc::now()
            - chrono::Duration::seconds(
                i64::try_from(self.settings.sending_timeout_secs).unwrap_or(600),
            );
        let swept = self.notify.fail_stuck_sending(before).await;
        match swept {
            Ok(0) => {}
            Ok(n) => {
                tracing::warn!("{n} sms left unconfirmed after an interrupted send: marked failed")
            }
            Err(error) => tracing::debug!("sms sweep skipped: {error:#}"),
        }
    }

    async fn deliver(&self, message: OutboxMessage) {
        self.limiter.until_ready().await;
        let outcome = self.send(&message).await;
        let result = match &outcome {
            Outcome::Sent(_) => "sent",
            Outcome::NotTaken(_) if message.attempts >= self.settings.max_attempts => "failed",
            Outcome::NotTaken(_) => "retry",
            Outcome::Unknown(_) => "unknown",
        };
        self.metrics.sms_outbox.with_label_values(&[result]).inc();
        let id = message.id;
        let updated = async {
            let sent = match &outcome {
                Outcome::Sent(answer) => Sent::Accepted(answer),
                Outcome::NotTaken(error) if message.attempts >= self.settings.max_attempts => {
                    Sent::GaveUp(error)
                }
                Outcome::NotTaken(error) => {
                    let wait = backoff(
                        message.attempts,
                        self.settings.retry_base_secs,
                        self.settings.retry_max_secs,
                    );
                    let at = Utc::now() + chrono::Duration::from_std(wait)?;
                    Sent::Retry { at, error }
                }
                // Left in `sending`: a delivery report settles it, or the sweep marks it failed.
                Outcome::Unknown(_) => Sent::Unknown,
            };
            self.notify.settle(id, sent).await
        }
        .await;
        match (&outcome, updated) {
            (Outcome::Sent(_), Ok(())) => {
                tracing::debug!(sms.outbox_id = id, sms.kind = %message.kind, "sms {id} accepted by Kannel")
            }
            (Outcome::NotTaken(error) | Outcome::Unknown(error), Ok(())) => tracing::warn!(
                sms.outbox_id = id,
                sms.attempts = message.attempts,
                "sms {id} not sent (attempt {}): {error}",
                message.attempts
            ),
            (_, Err(error)) => tracing::warn!(
                sms.outbox_id = id,
                "sms {id}: outcome {outcome:?} not recorded: {}",
                crate::error::redacted_chain(&error)
            ),
        }
    }

    async fn send(&self, message: &OutboxMessage) -> Outcome {
        let to = match PhoneNumber::parse(&message.recipient) {
            Ok(phone) => phone.national(),
            Err(_) => return Outcome::NotTaken("recipient is not a phone number".into()),
        };
        let password = self
            .settings
            .sendsms_password
            .as_ref()
            .map(|p| p.expose_secret().to_owned())
            .unwrap_or_default();
        let mut query: Vec<(&str, &str)> = vec![
            ("username", &self.settings.sendsms_user),
            ("password", &password),
            ("from", &self.settings.short_code),
            ("to", &to),
            ("text", &message.body),
            ("charset", "UTF-8"),
            ("coding", "0"),
        ];
        let dlr = self.dlr_url(message.id);
        if let Some(dlr) = &dlr {
            query.push(("dlr-mask", "31"));
            query.push(("dlr-url", dlr));
        }
        match self.http.get(&self.url).query(&query).send().await {
            Ok(response) => {
                let status = response.status();
                let body: String = response
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                let body = body.trim().to_owned();
                if status.is_success() {
                    Outcome::Sent(body)
                } else {
                    Outcome::NotTaken(format!("Kannel answered {}: {body}", status.as_u16()))
                }
            }
            Err(error) if error.is_connect() => {
                Outcome::NotTaken(format!("Kannel unreachable: {}", without_url(&error)))
            }
            Err(error) => Outcome::Unknown(format!(
                "no answer from Kannel, not resent: {}",
                without_url(&error)
            )),
        }
    }
}

/// reqwest's error text without the URL (it carries the password and the message text).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(cause) = source {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if text.is_empty() {
        text = if error.is_timeout() {
            "timed out"
        } else {
            "request failed"
        }
        .to_owned();
    }
    text
}

/// Seconds until the quiet hours end, for logs and tests.
pub fn quiet_remaining(start: NaiveTime, end: NaiveTime, now: NaiveTime) -> Option<Duration> {
    if !in_quiet_hours(start, end, now) {
        return None;
    }
    let now_s = i64::from(now.num_seconds_from_midnight());
    let end_s = i64::from(end.num_seconds_from_midnight());
    let secs = (end_s - now_s).rem_euclid(86_400);
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_around_midnight() {
        let (start, end) = (t(22, 0), t(7, 0));
        assert!(in_quiet_hours(start, end, t(22, 0)));
        assert!(in_quiet_hours(start, end, t(23, 59)));
        assert!(in_quiet_hours(start, end, t(3, 0)));
        assert!(!in_quiet_hours(start, end, t(7, 0)));
        assert!(!in_quiet_hours(start, end, t(12, 0)));
        assert!(in_quiet_hours(t(12, 0), t(13, 0), t(12, 30)));
        assert!(!in_quiet_hours(t(12, 0), t(12, 0), t(12, 0)));
        assert_eq!(
            quiet_remaining(start, end, t(23, 0)),
            Some(Duration::from_secs(8 * 3600))
        );
        assert_eq!(quiet_remaining(start, end, t(8, 0)), None);
    }

    #[test]
    fn back_off_doubles_up_to_the_cap() {
        assert_eq!(backoff(1, 10, 3600), Duration::from_secs(10));
        assert_eq!(backoff(2, 10, 3600), Duration::from_secs(20));
        assert_eq!(backoff(4, 10, 3600), Duration::from_secs(80));
        assert_eq!(backoff(20, 10, 3600), Duration::from_secs(3600));
        assert_eq!(backoff(0, 10, 3600), Duration::from_secs(10));
    }
}
