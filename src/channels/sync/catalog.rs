//! `POST /sync/v1/agencies` and `POST /sync/v1/procedures`: the catalog part of the push API,
//! with the same signature, replay protection, body formats and limits as dossiers. Validating
//! and applying the entries is [`crate::sync::catalog`]'s.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::push;
use super::PushState;
use crate::error::{AppError, Code};
use crate::sync::catalog::{parse_items, AgencyPayload, ProcedurePayload};
use crate::sync::service::{BatchError, BatchReport};

fn batch_error(error: BatchError) -> AppError {
    match error {
        BatchError::Replayed => AppError::new(Code::SignatureReplayed),
        BatchError::Database(cause) => AppError::unavailable(Some(cause)),
    }
}

fn respond(what: &str, report: BatchReport) -> HttpResponse {
    tracing::info!(
        sync.catalog = what,
        sync.applied = report.applied,
        sync.stale = report.stale,
        sync.invalid = report.invalid,
        "catalog push of {what}: {} applied, {} stale, {} invalid",
        report.applied,
        report.stale,
        report.invalid
    );
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(report)
}

/// `POST /sync/v1/agencies`.
pub async fn push_agencies(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<PushState>,
) -> Result<HttpResponse, AppError> {
    let (body, signature) = push::receive(&req, payload, &state).await?;
    let raw = push::split_items(&req, &body, state.settings.max_batch_items)?;
    let items = parse_items::<AgencyPayload>(raw);
    let report = state
        .sync
        .apply_agencies(items, Some(&signature))
        .await
        .map_err(batch_error)?;
    Ok(respond("agencies", report))
}

/// `POST /sync/v1/procedures`.
pub async fn push_procedures(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<PushState>,
) -> Result<HttpResponse, AppError> {
    let (body, signature) = push::receive(&req, payload, &state).await?;
    let raw = push::split_items(&req, &body, state.settings.max_batch_items)?;
    let items = parse_items::<ProcedurePayload>(raw);
    let report = state
        .sync
        .apply_procedures(items, Some(&signature))
        .await
        .map_err(batch_error)?;
    Ok(respond("procedures", report))
}
