//! The citizen's lookup page `/tra-cuu`: server-rendered, works without JavaScript, one field that
//! takes either a dossier code or a 10-digit lookup number, and an optional phone proof.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::domain::{DossierCode, LookupNumber, PhoneLast4};
use crate::error::{AppError, Code};
use crate::http::pages::{render, with_retry_after, PageError};
use crate::http::{client_key, AppState};
use crate::lookup::view::{DossierFacts, ProofOutcome};

/// Registers the page routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(redirect_to_lookup))
        .route("/tra-cuu", web::get().to(show_lookup_page));
}

async fn redirect_to_lookup() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/tra-cuu"))
        .finish()
}

/// The page's query string. Unknown parameters (e.g. tracking tags added by chat apps) are ignored.
#[derive(Debug, Deserialize)]
pub struct LookupPageQuery {
    /// A dossier code or a lookup number.
    pub ma: Option<String>,
    /// Last four digits of the applicant's phone.
    pub phone4: Option<String>,
}

#[derive(Serialize)]
struct LookupPage<'a> {
    province: &'a str,
    hotline: &'a str,
    query: &'a str,
    phone4: &'a str,
    error: Option<PageError>,
    dossier: Option<DossierFacts>,
    stale: bool,
    proof_rejected: bool,
    proof_locked: bool,
    /// When the locked proof is checked again (Vietnam time).
    proof_locked_until: Option<String>,
}

/// `GET /tra-cuu[?ma=...&phone4=...]`.
pub async fn show_lookup_page(
    req: HttpRequest,
    query: web::Query<LookupPageQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let raw = query.ma.as_deref().unwrap_or("").trim();
    let phone4 = query.phone4.as_deref().unwrap_or("").trim();
    let mut page = LookupPage {
        province: &state.settings.province.name,
        hotline: &state.settings.province.hotline,
        query: raw,
        phone4,
        error: None,
        dossier: None,
        stale: false,
        proof_rejected: false,
        proof_locked: false,
        proof_locked_until: None,
    };
    if raw.is_empty() {
        return render(&state, "pages/lookup", &page, StatusCode::OK);
    }
    let mut retry_after = None;
    let status = match look_up(&req, &state, raw, phone4).await {
        Ok(lookup) => {
            page.dossier = lookup.facts().ok();
            page.stale = !lookup.database_up;
            page.proof_rejected = lookup.proof == ProofOutcome::Rejected;
            page.proof_locked = lookup.proof == ProofOutcome::Locked;
            page.proof_locked_until = lookup.proof_locked_until_text();
            StatusCode::OK
        }
        Err(error) => {
            error.log();
            retry_after = error.retry_after;
            let status = error.code.status();
            page.error = Some(PageError::of(&error));
            status
        }
    };
    with_retry_after(render(&state, "pages/lookup", &page, status), retry_after)
}

async fn look_up(
    req: &HttpRequest,
    state: &AppState,
    raw: &str,
    phone4: &str,
) -> Result<crate::lookup::Lookup, AppError> {
    let proof = if phone4.is_empty() {
        None
    } else {
        Some(PhoneLast4::parse(phone4)?)
    };
    let client = client_key(req, &state.settings.http.trusted_proxies);
    if looks_like_lookup_number(raw) {
        let number = LookupNumber::parse(raw)
            .map_err(|e| AppError::invalid(Code::InvalidLookupNumber, e))?;
        Ok(state
            .lookup
            .by_number(&client, number, proof.as_ref())
            .await?)
    } else {
        let code =
            DossierCode::parse(raw).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
        Ok(state.lookup.by_code(&client, &code, proof.as_ref()).await?)
    }
}

/// Digits (or the letter O for 0) with optional spaces or dots: a lookup number, not a code.
fn looks_like_lookup_number(raw: &str) -> bool {
    LookupNumber::looks_like(raw, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_alone_are_a_lookup_number_and_codes_are_not() {
        assert!(looks_like_lookup_number("1234 5678 90"));
        assert!(looks_like_lookup_number("１２３４５６７８９０"));
        assert!(looks_like_lookup_number("O6O5 5923 42"));
        assert!(!looks_like_lookup_number("000.00.53.H48-220921-0099"));
        assert!(!looks_like_lookup_number("H57.132-260804-0583"));
        assert!(!looks_like_lookup_number("abc"));
    }
}
