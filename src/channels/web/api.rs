//! The JSON lookup API: `GET /api/v1/dossiers/{code}` and `GET /api/v1/lookup-numbers/{n}`, each
//! with an optional `phone4` proof for the detailed view.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{client_key, method_not_allowed, AppState};
use crate::domain::{DossierCode, LookupNumber, PhoneLast4};
use crate::error::{AppError, Code};
use crate::lookup::Lookup;

/// Registers the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/dossiers/{code}")
            .route(web::get().to(get_dossier))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/lookup-numbers/{number}")
            .route(web::get().to(get_dossier_by_number))
            .default_service(web::to(method_not_allowed)),
    );
}

/// Query parameters of both lookups.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofQuery {
    /// Last four digits of the applicant's phone: unlocks the detailed view.
    pub phone4: Option<String>,
}

impl ProofQuery {
    fn parse(&self) -> Result<Option<PhoneLast4>, AppError> {
        Ok(self.phone4.as_deref().map(PhoneLast4::parse).transpose()?)
    }
}

/// `GET /api/v1/dossiers/{code}`.
pub async fn get_dossier(
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<ProofQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let code =
        DossierCode::parse(&code).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
    let proof = query.parse()?;
    let client = client_key(&req, &state.settings.http.trusted_proxies);
    let lookup = state.lookup.by_code(&client, &code, proof.as_ref()).await?;
    Ok(json_view(&lookup))
}

/// `GET /api/v1/lookup-numbers/{number}`.
pub async fn get_dossier_by_number(
    req: HttpRequest,
    number: web::Path<String>,
    query: web::Query<ProofQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let number = LookupNumber::parse(&number)
        .map_err(|e| AppError::invalid(Code::InvalidLookupNumber, e))?;
    let proof = query.parse()?;
    let client = client_key(&req, &state.settings.http.trusted_proxies);
    let lookup = state
        .lookup
        .by_number(&client, number, proof.as_ref())
        .await?;
    Ok(json_view(&lookup))
}

fn json_view(lookup: &Lookup) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(lookup.to_json())
}
