//! The kiosk channel (issue 7): the touchscreen app's static files under `/kiosk/`, and the JSON
//! endpoints it needs beyond the dossier lookup (catalogue browse, search and detail, on-time
//! statistics, desk contacts, satisfaction ratings, kiosk configuration). Parses input, calls the
//! `catalog` and `quality` services, renders JSON; reaches no database itself.

pub mod assets;
pub mod catalog;
pub mod info;
pub mod rating;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::domain::KioskId;
use crate::error::AppError;
use crate::http::{method_not_allowed, AppState};

/// The document's part for the kiosk, the catalogue and the statistics.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    info::get_config,
    info::list_contacts,
    rating::create_rating,
    info::get_on_time,
    catalog::list_levels,
    catalog::list_agencies,
    catalog::list_fields,
    catalog::list_procedures,
    catalog::get_procedure,
    catalog::get_procedure_qr,
))]
pub struct Api;

/// Header a kiosk names itself in (its key, when it has one, is checked by the HTTP kit:
/// [`crate::http::kiosk_keys`]).
pub const KIOSK_HEADER: &str = crate::http::kiosk_keys::KIOSK_ID_HEADER;

/// Registers the kiosk routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    assets::configure(cfg);
    let json_routes: [(&str, actix_web::Route); 10] = [
        ("/api/v1/kiosk/config", web::get().to(info::get_config)),
        ("/api/v1/kiosk/contacts", web::get().to(info::list_contacts)),
        (
            "/api/v1/kiosk/ratings",
            web::post().to(rating::create_rating),
        ),
        ("/api/v1/stats/on-time", web::get().to(info::get_on_time)),
        (
            "/api/v1/catalog/levels",
            web::get().to(catalog::list_levels),
        ),
        (
            "/api/v1/catalog/agencies",
            web::get().to(catalog::list_agencies),
        ),
        (
            "/api/v1/catalog/agencies/{code}/fields",
            web::get().to(catalog::list_fields),
        ),
        (
            "/api/v1/catalog/procedures",
            web::get().to(catalog::list_procedures),
        ),
        (
            "/api/v1/catalog/procedures/{code}",
            web::get().to(catalog::get_procedure),
        ),
        (
            "/api/v1/catalog/procedures/{code}/qr.svg",
            web::get().to(catalog::get_procedure_qr),
        ),
    ];
    for (path, route) in json_routes {
        cfg.service(
            web::resource(path)
                .route(route)
                .default_service(web::to(method_not_allowed)),
        );
    }
}

/// The kiosk a request came from: its `X-Kiosk-Id` header, or the configured default. A header
/// that is present but malformed is an error, so a misconfigured kiosk is noticed.
pub fn kiosk_id(req: &HttpRequest, state: &AppState) -> Result<KioskId, AppError> {
    match req.headers().get(KIOSK_HEADER) {
        Some(value) => {
            let raw = value
                .to_str()
                .map_err(|_| AppError::from(crate::domain::DomainError::InvalidKioskId))?;
            Ok(KioskId::parse(raw)?)
        }
        None => Ok(KioskId::parse(&state.settings.kiosk.default_id)?),
    }
}

/// A JSON answer that kiosks and proxies may keep for `max_age` seconds (catalogue data changes
/// rarely; the kiosk itself shows it again within a minute).
pub fn json_cached(value: &impl Serialize, max_age: u32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")))
        .json(value)
}
