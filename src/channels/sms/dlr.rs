//! `GET /sms/v1/kannel/{secret}/dlr?id=<outbox id>&status=%d&answer=%A`: Kannel's delivery
//! report for a message the sender worker pushed (the worker puts this URL, with the message's
//! outbox id, in every sendsms request). Every report is stored; the message's state follows:
//! 1 delivered, 2 and 16 failed, 8 (accepted by the SMSC) confirms it was sent.

use actix_web::{web, HttpRequest, HttpResponse};

use super::SmsState;
use crate::error::{AppError, Code};

/// Delivery-report values Kannel sends.
const KNOWN_STATUSES: [i16; 5] = [1, 2, 4, 8, 16];

/// Kannel's delivery-report call.
pub async fn record_delivery_report(
    req: HttpRequest,
    secret: web::Path<String>,
    state: web::Data<SmsState>,
) -> Result<HttpResponse, AppError> {
    state.authorise(&req, &secret)?;
    let pairs = super::query_pairs(req.query_string());
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_owned())
    };
    let id: i64 = param("id")
        .and_then(|v| v.parse().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            AppError::with_message(
                Code::InvalidInput,
                "Mã tin nhắn của báo cáo gửi không hợp lệ.",
            )
            .field("id")
        })?;
    let status: i16 = param("status")
        .and_then(|v| v.parse().ok())
        .filter(|s| KNOWN_STATUSES.contains(s))
        .ok_or_else(|| {
            AppError::with_message(
                Code::InvalidInput,
                "Tham số status phải là 1, 2, 4, 8 hoặc 16 (%d của Kannel).",
            )
        })?;
    let answer: Option<String> = param("answer").map(|a| {
        crate::domain::text::clean_line(&a)
            .chars()
            .take(200)
            .collect()
    });
    let known = state
        .notify
        .record_delivery_report(id, status, answer.as_deref())
        .await?;
    if !known {
        return Err(AppError::with_message(
            Code::RouteNotFound,
            "Không có tin nhắn với id này.",
        ));
    }
    tracing::debug!(
        sms.outbox_id = id,
        sms.dlr = status,
        "delivery report {status} for sms {id}"
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=UTF-8")
        .body("ok"))
}
