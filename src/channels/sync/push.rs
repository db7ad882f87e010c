//! `POST /sync/v1/dossiers`, and what every push handler does first: read the body with a hard
//! limit, check its signature, split it into items (a JSON array or NDJSON), and last: answer.
//! The answer counts applied, stale and invalid items and names each invalid one; a retry of a
//! request already applied gets the first request's answer again, marked as a repeat.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::Arc;

use bytes::BytesMut;
use serde_json::value::RawValue;

use super::PushState;
use crate::error::{AppError, Code};
use crate::http::body::{read_limited_sized, BodyError};
use crate::sync::auth::{Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::sync::service::{BatchError, BatchItem, BatchReport, FirstAnswer, PushSignature};

/// Reads the whole body, refusing with 413 as soon as it passes `limit`. The answers name what
/// the main store's operators can act on: the transport error, or the setting that sets the limit.
pub async fn read_body(
    payload: web::Payload,
    limit: usize,
    declared: Option<u64>,
) -> Result<BytesMut, AppError> {
    read_limited_sized(payload, limit, declared)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge => too_large(limit),
            BodyError::TimedOut => AppError::new(Code::BodyTimeout),
            BodyError::Broken(e) => AppError::with_message(Code::InvalidBatch, format!("{e}")),
        })
}

/// Checks the signature headers; returns the signature (the replay key).
pub fn authenticate(
    req: &HttpRequest,
    verifier: &Verifier,
    body: &[u8],
) -> Result<Vec<u8>, AppError> {
    let header_text = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    verifier
        .verify(
            header_text(TIMESTAMP_HEADER),
            header_text(SIGNATURE_HEADER),
            body,
            chrono::Utc::now().timestamp(),
        )
        .map_err(|error| {
            tracing::warn!(sync.auth = %error, "push refused: {error}");
            AppError::new(error.code())
        })
}

/// How long a push waits for a turn to have its body read before it is told to retry.
const BODY_TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Receives a signed push: checks what the headers alone can tell (enabled, well-formed, within
/// the time window, declared length within the limit) before reading anything, reads the body
/// only while one of the few unverified-body turns is free, then checks the signature. Returns
/// the body and its signature (the replay key).
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    state: &PushState,
) -> Result<(BytesMut, Vec<u8>), AppError> {
    let header_text = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    state
        .verifier
        .precheck(
            header_text(TIMESTAMP_HEADER),
            header_text(SIGNATURE_HEADER),
            chrono::Utc::now().timestamp(),
        )
        .map_err(|error| {
            tracing::warn!(sync.auth = %error, "push refused before its body: {error}");
            AppError::new(error.code())
        })?;
    let limit = state.settings.max_body_bytes;
    let declared = header_text(header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    let permit = tokio::time::timeout(
        BODY_TURN_WAIT,
        Arc::clone(&state.unverified_bodies).acquire_owned(),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .ok_or_else(|| {
        let mut busy = AppError::new(Code::Busy);
        busy.retry_after = Some(std::time::Duration::from_secs(5));
        busy
    })?;
    let body = read_body(payload, limit, declared).await?;
    drop(permit);
    let signature = authenticate(req, &state.verifier, &body)?;
    Ok((body, signature))
}

fn too_large(limit: usize) -> AppError {
    AppError::with_message(
        Code::PayloadTooLarge,
        format!("Dữ liệu gửi lên vượt quá {limit} byte (TRACUU_SYNC__MAX_BODY_BYTES)."),
    )
}

/// Splits a JSON array or NDJSON body into raw items, checking the batch limit.
pub fn split_items<'a>(
    req: &HttpRequest,
    body: &'a [u8],
    max_items: usize,
) -> Result<Vec<Result<&'a str, String>>, AppError> {
    let text = std::str::from_utf8(body).map_err(|_| {
        AppError::with_message(Code::InvalidBatch, "Dữ liệu không phải UTF-8 hợp lệ.")
    })?;
    let ndjson = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("ndjson") || v.contains("jsonl"));
    let items: Vec<Result<&str, String>> = if ndjson {
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(Ok)
            .collect()
    } else {
        let raw: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
            AppError::with_message(Code::InvalidBatch, format!("Không đọc được mảng JSON: {e}"))
        })?;
        raw.into_iter().map(|r| Ok(r.get())).collect()
    };
    if items.len() > max_items {
        return Err(AppError::with_message(
            Code::PayloadTooLarge,
            format!(
                "Lô có {} mục, vượt quá giới hạn {max_items} (TRACUU_SYNC__MAX_BATCH_ITEMS).",
                items.len()
            ),
        ));
    }
    Ok(items)
}

/// `POST /sync/v1/dossiers`.
pub async fn push_dossiers(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<PushState>,
) -> Result<HttpResponse, AppError> {
    let (body, signature) = receive(&req, payload, &state).await?;
    let items: Vec<BatchItem> = split_items(&req, &body, state.settings.max_batch_items)?
        .into_iter()
        .map(|raw| {
            raw.and_then(|text| {
                serde_json::from_str(text).map_err(|e| format!("not a dossier snapshot: {e}"))
            })
        })
        .collect();
    let result = state
        .sync
        .apply(
            items,
            Some(PushSignature {
                bytes: &signature,
                endpoint: "dossiers",
            }),
        )
        .await;
    answer("dossiers", result)
}

/// Marks the answer to a retried push: `stored-answer` (the first request's status and body, as
/// they were) or `already-applied` (applied, but its answer was not stored).
pub const REPEAT_HEADER: &str = "x-tracuu-repeat";

/// The answer to a push to `endpoint`: the report; or, for a retry of a request already applied,
/// what the first request was answered, marked with [`REPEAT_HEADER`]; or the error.
pub fn answer(
    endpoint: &str,
    result: Result<BatchReport, BatchError>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(report) => {
            tracing::info!(
                sync.endpoint = endpoint,
                sync.applied = report.applied,
                sync.stale = report.stale,
                sync.invalid = report.invalid,
                "push of {endpoint}: {} applied, {} stale, {} invalid",
                report.applied,
                report.stale,
                report.invalid
            );
            Ok(HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(report))
        }
        Err(BatchError::Repeated(first)) => Ok(repeat(endpoint, first)),
        Err(BatchError::Replayed) => {
            tracing::warn!(
                sync.endpoint = endpoint,
                "push to {endpoint} refused: its signature was accepted by another push endpoint"
            );
            Err(AppError::new(Code::SignatureReplayed))
        }
        Err(BatchError::Database(cause)) => Err(AppError::unavailable(Some(cause))),
    }
}

/// The answer to a retry: the first answer again, or an explicit "already applied".
fn repeat(endpoint: &str, first: FirstAnswer) -> HttpResponse {
    let received_at = first
        .received_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tracing::info!(
        sync.endpoint = endpoint,
        "push of {endpoint} repeated (first received at {received_at}): not applied again"
    );
    let status = first
        .answer
        .as_ref()
        .and_then(|(status, _)| actix_web::http::StatusCode::from_u16(*status).ok());
    match (status, first.answer) {
        (Some(status), Some((_, body))) => HttpResponse::build(status)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((REPEAT_HEADER, "stored-answer"))
            .content_type("application/json")
            .body(body),
        _ => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((REPEAT_HEADER, "already-applied"))
            .json(AlreadyApplied {
                already_applied: true,
                first_received_at: received_at,
            }),
    }
}

/// The answer to a retry of a request applied before its answer was stored.
#[derive(Debug, serde::Serialize)]
pub struct AlreadyApplied {
    /// Always `true`.
    pub already_applied: bool,
    /// When the first request was accepted (RFC 3339, UTC, whole seconds).
    pub first_received_at: String,
}

#[cfg(test)]
mod proptests {
    use super::*;
    use actix_web::test::TestRequest;
    use proptest::prelude::*;
    use serde_json::Value;

    fn request(ndjson: bool) -> HttpRequest {
        let content_type = if ndjson {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        TestRequest::default()
            .insert_header((header::CONTENT_TYPE, content_type))
            .to_http_request()
    }

    /// JSON items of the shapes a batch holds: objects of strings, numbers and nested arrays.
    fn item() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        let value = leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        prop::collection::btree_map("[a-z_]{1,8}", value, 0..5)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..200), ndjson in any::<bool>()) {
            let _ = split_items(&request(ndjson), &body, 10);
        }

        #[test]
        fn arbitrary_text_bodies_never_panic(body in any::<String>(), ndjson in any::<bool>()) {
            let _ = split_items(&request(ndjson), body.as_bytes(), 10);
        }

        /// A batch written as a JSON array or as NDJSON splits into the items written, in order.
        #[test]
        fn written_batches_split_back_into_their_items(
            items in prop::collection::vec(item(), 0..6),
            ndjson in any::<bool>(),
            windows in any::<bool>(),
        ) {
            let texts: Vec<String> = items.iter().map(Value::to_string).collect();
            let body = if ndjson {
                texts.join(if windows { "\r\n" } else { "\n" })
            } else {
                serde_json::to_string_pretty(&items).unwrap_or_default()
            };
            let split = split_items(&request(ndjson), body.as_bytes(), 10)
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let parsed: Vec<Value> = split
                .into_iter()
                .map(|raw| raw.ok().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default())
                .collect();
            prop_assert_eq!(parsed, items);
        }

        /// More items than the limit is a payload_too_large, whatever the format.
        #[test]
        fn batches_over_the_limit_are_refused(count in 0usize..8, max in 0usize..8, ndjson in any::<bool>()) {
            let items = vec!["{}"; count];
            let body = if ndjson { items.join("\n") } else { format!("[{}]", items.join(",")) };
            let result = split_items(&request(ndjson), body.as_bytes(), max);
            match result {
                Ok(split) => prop_assert!(count <= max && split.len() == count),
                Err(e) => prop_assert!(count > max && e.code == Code::PayloadTooLarge),
            }
        }
    }
}
