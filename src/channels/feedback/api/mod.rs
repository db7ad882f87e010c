//! The JSON API of questions and feedback (kiosk, app, statistics pages): submit, track,
//! supplement, withdraw, the published answers with search and votes, and the indicators. One
//! file per group of actions; this module registers their routes.

pub mod indicators;
pub mod published;
pub mod session;
pub mod submit;
pub mod track;

use actix_web::web;

use crate::error::{AppError, Code};
use crate::http::method_not_allowed;

/// The document's part for questions and feedback, published answers, the staff session and
/// the intake indicators.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    submit::create_question,
    submit::create_feedback,
    track::track_item,
    track::supplement_item,
    track::withdraw_item,
    published::list_published,
    published::show_published,
    published::vote_published,
    session::show_staff_session,
    indicators::show_indicators,
))]
pub struct Api;

/// The header staff API calls carry their session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Registers the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/questions")
            .route(web::post().to(submit::create_question))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/feedback")
            .route(web::post().to(submit::create_feedback))
            .default_service(web::to(method_not_allowed)),
    );
    cfg.service(
        web::resource("/api/v1/intake/{code}")
            .route(web::get().to(track::track_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/intake/{code}/supplement")
            .route(web::post().to(track::supplement_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/intake/{code}/withdraw")
            .route(web::post().to(track::withdraw_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/published")
            .route(web::get().to(published::list_published))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/published/{code}")
            .route(web::get().to(published::show_published))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/published/{code}/votes")
            .route(web::post().to(published::vote_published))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/staff/session")
            .route(web::get().to(session::show_staff_session))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/intake-indicators")
            .route(web::get().to(indicators::show_indicators))
            .default_service(web::to(method_not_allowed)),
    );
}

/// A JSON body as `T`; a malformed one is `invalid_input`, with serde's reason.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::with_message(
            Code::InvalidInput,
            format!("Dữ liệu JSON không hợp lệ: {e}"),
        )
    })
}
