//! `POST /sync/v1/agencies` and `POST /sync/v1/procedures`: the catalog part of the push API,
//! with the same signature, retries, replay refusal, body formats and limits as dossiers.
//! Validating and applying the entries is [`crate::sync::catalog`]'s.

use actix_web::{web, HttpRequest, HttpResponse};

use super::push;
use super::PushState;
use crate::error::AppError;
use crate::sync::catalog::{parse_items, AgencyPayload, ProcedurePayload};
use crate::sync::service::PushSignature;

crate::batch_schema!(AgencyBatch, AgencyPayload);
crate::batch_schema!(ProcedureBatch, ProcedurePayload);

/// `POST /sync/v1/agencies`.
#[utoipa::path(
    post,
    path = "/sync/v1/agencies",
    operation_id = "push_agencies",
    tag = crate::http::openapi::TAG_SYNC,
    summary = "Đẩy danh mục cơ quan từ kho hồ sơ chính / Push the agencies of the catalog from the main store",
    description = push::AGENCIES_DESCRIPTION,
    request_body(
        description = "Một mảng JSON các cơ quan (`application/json`), hoặc mỗi dòng một cơ quan (`application/x-ndjson`). / A JSON array of agencies (`application/json`), or one agency per line (`application/x-ndjson`).",
        content(
            (AgencyBatch = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = push::OK_DESCRIPTION, body = push::PushAnswer,
            headers(("x-tracuu-repeat" = push::Repeat, description = "Chỉ có ở câu trả lời cho một lần gửi lại: `stored-answer` (câu trả lời lần đầu, nguyên văn) hoặc `already-applied`. / Only on the answer to a retry: `stored-answer` (the first answer, byte for byte) or `already-applied`."))),
        (status = 400, description = push::BAD_BATCH_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = push::UNAUTHORIZED_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = push::DISABLED_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 404, description = push::NOT_OPERATOR_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 413, description = push::TOO_LARGE_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 503, description = push::BUSY_DESCRIPTION, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây nên chờ (khi `busy`). / Seconds to wait (with `busy`)."))),
    ),
    security(("chu_ky_hmac" = [], "thoi_diem_ky" = []))
)]
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
#[utoipa::path(
    post,
    path = "/sync/v1/procedures",
    operation_id = "push_procedures",
    tag = crate::http::openapi::TAG_SYNC,
    summary = "Đẩy danh mục thủ tục từ kho hồ sơ chính / Push the procedures of the catalog from the main store",
    description = push::PROCEDURES_DESCRIPTION,
    request_body(
        description = "Một mảng JSON các thủ tục (`application/json`), hoặc mỗi dòng một thủ tục (`application/x-ndjson`). / A JSON array of procedures (`application/json`), or one procedure per line (`application/x-ndjson`).",
        content(
            (ProcedureBatch = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = push::OK_DESCRIPTION, body = push::PushAnswer,
            headers(("x-tracuu-repeat" = push::Repeat, description = "Chỉ có ở câu trả lời cho một lần gửi lại: `stored-answer` (câu trả lời lần đầu, nguyên văn) hoặc `already-applied`. / Only on the answer to a retry: `stored-answer` (the first answer, byte for byte) or `already-applied`."))),
        (status = 400, description = push::BAD_BATCH_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = push::UNAUTHORIZED_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = push::DISABLED_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 404, description = push::NOT_OPERATOR_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 413, description = push::TOO_LARGE_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 503, description = push::BUSY_DESCRIPTION, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây nên chờ (khi `busy`). / Seconds to wait (with `busy`)."))),
    ),
    security(("chu_ky_hmac" = [], "thoi_diem_ky" = []))
)]
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
