//! The JSON lookup API: `GET /api/v1/dossiers/{code}` and `GET /api/v1/lookup-numbers/{n}`, each
//! with an optional `phone4` proof for the detailed view, and on the first an optional `k`: the
//! token of the receipt's QR link, which grants the detailed view exactly as the landing page
//! `/q/{code}?k=` does (the kiosk's scanner reads that link).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{client_key, method_not_allowed, AppState};
use crate::channels::qr::landing::TokenState;
use crate::channels::qr::QrState;
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
    /// The token of the receipt's QR link (`/q/<code>?k=<token>`): a valid one unlocks the
    /// detailed view with no phone digits. Only with a dossier code.
    pub k: Option<String>,
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
    qr: web::Data<QrState>,
) -> Result<HttpResponse, AppError> {
    let code =
        DossierCode::parse(&code).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
    let proof = query.parse()?;
    let client = client_key(&req, &state.settings.http.trusted_proxies);
    let Some(raw_token) = query.k.as_deref() else {
        let lookup = state.lookup.by_code(&client, &code, proof.as_ref()).await?;
        return Ok(json_view(&lookup));
    };
    let token = TokenState::check(&qr, &code, Some(raw_token));
    if token == TokenState::Valid {
        let lookup = state.lookup.by_code_granted(&client, &code).await?;
        return Ok(json_view_with_token(&lookup, token));
    }
    tracing::info!(
        lookup.code = %code,
        qr.token = token.key(),
        "JSON lookup of {code} without a valid QR token: {}",
        token.key()
    );
    let lookup = state.lookup.by_code(&client, &code, proof.as_ref()).await?;
    Ok(json_view_with_token(&lookup, token))
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
    if query.k.is_some() {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "k (mã xác thực QR) chỉ dùng với mã hồ sơ: /api/v1/dossiers/{mã hồ sơ}?k=…",
        ));
    }
    let proof = query.parse()?;
    let client = client_key(&req, &state.settings.http.trusted_proxies);
    let lookup = state
        .lookup
        .by_number(&client, number, proof.as_ref())
        .await?;
    Ok(json_view(&lookup))
}

fn json_view(lookup: &Lookup) -> HttpResponse {
    json_response(lookup.to_json())
}

/// The view with `"qr": {"token", "title"?, "message"?}`: whether the QR token was valid, and
/// when it was not, the landing page's explanation of why only the public view is shown. The
/// object is added inside the rendered view, before its closing brace.
fn json_view_with_token(lookup: &Lookup, token: TokenState) -> HttpResponse {
    let mut qr = serde_json::json!({ "token": token.key() });
    if let Some((title, message)) = token.explanation() {
        qr["title"] = title.into();
        qr["message"] = message.into();
    }
    let mut body = lookup.to_json();
    debug_assert_eq!(body.last(), Some(&b'}'));
    body.pop();
    body.extend_from_slice(b",\"qr\":");
    body.extend_from_slice(qr.to_string().as_bytes());
    body.push(b'}');
    json_response(body)
}

fn json_response(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
