//! Per-client limits of questions and feedback: submissions, votes and wrong phone proofs.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::{IntakeSettings, Settings};
use crate::error::{AppError, Code};
use crate::lookup::guard::{per_item_quota, ClientKey, FailureBudget};

/// "Locked" for the item, saying until when (Vietnam time) and with `Retry-After`.
fn item_locked(wait: Duration) -> AppError {
    let until = chrono::Utc::now()
        + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::days(1));
    let local = until.with_timezone(&crate::domain::vn_offset());
    let mut error = AppError::with_message(
        Code::ProofLocked,
        format!(
            "Mục này đã bị nhập sai 4 chữ số điện thoại quá nhiều lần nên tạm thời không kiểm tra đến {}. \
             Hãy mở đường dẫn theo dõi đã nhận khi gửi (trên giấy hẹn, trong tin nhắn hoặc trang xác nhận).",
            local.format("%H:%M ngày %d/%m/%Y")
        ),
    );
    error.retry_after = Some(wait);
    error
}

/// Per-client limits of the questions-and-feedback channels: submissions, votes and wrong phone proofs.
pub struct IntakeLimits {
    enabled: bool,
    submissions: DefaultKeyedRateLimiter<ClientKey>,
    votes: DefaultKeyedRateLimiter<ClientKey>,
    proofs: DefaultKeyedRateLimiter<ClientKey>,
    /// Clients whose proof budget is spent, until it refills (every answer is refused meanwhile,
    /// so a right guess cannot be told from a wrong one).
    proof_blocked: DashMap<ClientKey, Instant>,
    /// Wrong digits per item (tracking code) from all clients together: what stops a guesser
    /// with endless addresses. The tracking link is never counted or locked.
    proof_per_item: FailureBudget<Arc<str>>,
}

fn per_hour(n: u32) -> Quota {
    Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl IntakeLimits {
    /// Limits from the settings (all off when rate limiting is off).
    pub fn new(settings: &Settings) -> Self {
        let s: &IntakeSettings = &settings.intake;
        Self {
            enabled: settings.rate_limit.enabled,
            submissions: RateLimiter::keyed(per_hour(s.submissions_per_hour)),
            votes: RateLimiter::keyed(per_hour(s.votes_per_hour)),
            proofs: RateLimiter::keyed(per_hour(s.proof_failures_per_hour)),
            proof_blocked: DashMap::new(),
            proof_per_item: FailureBudget::new(per_item_quota(&settings.rate_limit)),
        }
    }

    fn check(
        &self,
        limiter: &DefaultKeyedRateLimiter<ClientKey>,
        key: &ClientKey,
        message: &str,
    ) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError {
                message: message.to_owned(),
                ..AppError::rate_limited(wait)
            }
        })
    }

    /// Counts a submission.
    pub fn submission(&self, key: &ClientKey) -> Result<(), AppError> {
        self.check(
            &self.submissions,
            key,
            "Bạn đã gửi quá nhiều câu hỏi, phản ánh trong thời gian ngắn. Vui lòng thử lại sau.",
        )
    }

    /// Counts a vote.
    pub fn vote(&self, key: &ClientKey) -> Result<(), AppError> {
        self.check(
            &self.votes,
            key,
            "Bạn đã đánh giá quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau.",
        )
    }

    /// Refuses phone digits for `item` from `key` while either's wrong-proof budget is spent:
    /// the client's as "too many requests", the item's as "locked", both saying until when.
    pub fn proof_allowed(&self, key: &ClientKey, item: &str) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(wait) = self.proof_per_item.blocked_for(&Arc::from(item)) {
            return Err(item_locked(wait));
        }
        if let Some(until) = self.proof_blocked.get(key).map(|u| *u) {
            let now = Instant::now();
            if until > now {
                return Err(AppError::rate_limited(until - now));
            }
            self.proof_blocked.remove(key);
        }
        Ok(())
    }

    /// Counts wrong digits for `item` from `key`, atomically with both budgets: the error to
    /// answer instead of "wrong digits" when this failure was over either budget.
    pub fn proof_failed(&self, key: &ClientKey, item: &str) -> Result<(), AppError> {
        if !self.enabled {
            return Ok(());
        }
        let per_item = self.proof_per_item.record_failure(&Arc::from(item));
        if let Err(not_until) = self.proofs.check_key(key) {
            let wait = not_until
                .wait_time_from(DefaultClock::default().now())
                .max(Duration::from_secs(1));
            self.proof_blocked
                .insert(key.clone(), Instant::now() + wait);
            if per_item.is_ok() {
                return Err(AppError::rate_limited(wait));
            }
        }
        per_item.map_err(item_locked)
    }

    /// Drops state of clients not seen recently.
    pub fn tidy(&self) {
        let now = Instant::now();
        self.proof_blocked.retain(|_, until| *until > now);
        self.proof_per_item.tidy();
        for limiter in [&self.submissions, &self.votes, &self.proofs] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
