//! `POST /sync/v1/agencies` and `POST /sync/v1/procedures`: the catalog part of the push API,
//! with the same signature, retries, replay refusal, body formats and limits as dossiers.
//! Validating and applying the entries is [`crate::sync::catalog`]'s.

use actix_web::{web, HttpRequest, HttpResponse};

use super::push;
use super::PushState;
use crate::error::AppError;
use crate::sync::catalog::{parse_items, AgencyPayload, ProcedurePayload};
use crate::sync::service::PushSignature;

/// `POST /sync/v1/agencies`.
pub async fn push_agencies(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<PushState>,
) -> Result<HttpResponse, AppError> {
    let (body, signature) = push::receive(&req, payload, &state).await?;
    let raw = push::split_items(&req, &body, state.settings.max_batch_items)?;
    let items = parse_items::<AgencyPayload>(raw);
    let result = state
        .sync
        .apply_agencies(
            items,
            Some(PushSignature {
                bytes: &signature,
                endpoint: "agencies",
            }),
        )
        .await;
    push::answer("agencies", result)
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
    let result = state
        .sync
        .apply_procedures(
            items,
            Some(PushSignature {
                bytes: &signature,
                endpoint: "procedures",
            }),
        )
        .await;
    push::answer("procedures", result)
}
