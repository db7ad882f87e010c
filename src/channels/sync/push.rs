//! `POST /sync/v1/dossiers`, and what every push handler does first: read the body with a hard
//! limit, check its signature, split it into items (a JSON array or NDJSON). The answer counts
//! applied, stale and invalid items and names each invalid one.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::BytesMut;
use serde_json::value::RawValue;

use super::PushState;
use crate::error::{AppError, Code};
use crate::http::body::{read_limited, BodyError};
use crate::sync::auth::{Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::sync::service::{BatchError, BatchItem};

/// Reads the whole body, refusing with 413 as soon as it passes `limit`. The answers name what
/// the main store's operators can act on: the transport error, or the setting that sets the limit.
pub async fn read_body(payload: web::Payload, limit: usize) -> Result<BytesMut, AppError> {
    read_limited(payload, limit)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge => AppError::with_message(
                Code::PayloadTooLarge,
                format!("Dữ liệu gửi lên vượt quá {limit} byte (TRACUU_SYNC__MAX_BODY_BYTES)."),
            ),
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
    let body = read_body(payload, state.settings.max_body_bytes).await?;
    let signature = authenticate(&req, &state.verifier, &body)?;
    let items: Vec<BatchItem> = split_items(&req, &body, state.settings.max_batch_items)?
        .into_iter()
        .map(|raw| {
            raw.and_then(|text| {
                serde_json::from_str(text).map_err(|e| format!("not a dossier snapshot: {e}"))
            })
        })
        .collect();
    let report = state
        .sync
        .apply(items, Some(&signature))
        .await
        .map_err(|error| match error {
            BatchError::Replayed => AppError::new(Code::SignatureReplayed),
            BatchError::Database(cause) => AppError::unavailable(Some(cause)),
        })?;
    tracing::info!(
        sync.applied = report.applied,
        sync.stale = report.stale,
        sync.invalid = report.invalid,
        "push batch: {} applied, {} stale, {} invalid",
        report.applied,
        report.stale,
        report.invalid
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(report))
}
