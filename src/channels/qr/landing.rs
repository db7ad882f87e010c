//! `GET /q/{code}?k=<token>`: the page a phone opens after scanning a receipt's QR code. A valid
//! token shows the detailed view (docs/domain.md, personal data) with no further proof; a missing, truncated,
//! forged or outdated token falls back to the public view with a plain explanation; an unknown
//! code gets a page that helps (check the code, call the hotline). Server-rendered, no
//! JavaScript, inline CSS, well under 20 KB.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::page_cache::StoredPage;
use super::QrState;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::pages::{render, with_retry_after, PageError};
use crate::http::{client_key, AppState};
use crate::lookup::qr_proof::{Notice, TokenState};
use crate::lookup::view::ServedFrom;
use crate::lookup::Lookup;

/// The query string. Other parameters (tracking tags that chat apps add) are ignored.
#[derive(Debug, Deserialize)]
pub struct LandingQuery {
    /// The token printed in the QR link.
    pub k: Option<String>,
}

#[derive(Serialize)]
struct LandingPage<'a> {
    province: &'a str,
    hotline: &'a str,
    dossier: Option<serde_json::Value>,
    notice: Option<Notice>,
    error: Option<PageError>,
    stale: bool,
    proof_rejected: bool,
    proof_locked: bool,
}

/// The detailed view of a cached dossier with the database up: the one variant worth storing.
fn cacheable(lookup: &Lookup, token: TokenState) -> bool {
    token == TokenState::Valid
        && lookup.proof.unlocks_detail()
        && lookup.served_from == ServedFrom::Cache
        && lookup.database_up
}

fn html_page(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// `GET /q/{code}?k=<token>`.
pub async fn show_landing_page(
    req: HttpRequest,
    code: web::Path<String>,
    app: web::Data<AppState>,
    qr: web::Data<QrState>,
) -> HttpResponse {
    let query = web::Query::<LandingQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or(LandingQuery { k: None });
    let mut page = LandingPage {
        province: &app.settings.province.name,
        hotline: &app.settings.province.hotline,
        dossier: None,
        notice: None,
        error: None,
        stale: false,
        proof_rejected: false,
        proof_locked: false,
    };
    let result = match DossierCode::parse(&code) {
        Err(e) => Err(AppError::invalid(Code::InvalidDossierCode, e)),
        Ok(code) => {
            let token = app.lookup.qr_token(&code, query.k.as_deref());
            if token != TokenState::Valid {
                tracing::info!(
                    lookup.code = %code,
                    qr.token = token.key(),
                    "QR landing for {code} without a valid token: {}",
                    token.key()
                );
            }
            let client = client_key(&req, &app.settings.http.trusted_proxies);
            let lookup = if token == TokenState::Valid {
                app.lookup.by_code_granted(&client, &code).await
            } else {
                app.lookup.by_code(&client, &code, None).await
            };
            lookup.map(|l| (l, token)).map_err(AppError::from)
        }
    };
    let (status, retry_after) = match result {
        Ok((lookup, token)) if cacheable(&lookup, token) => {
            let standing = lookup.dossier.standing_now();
            if let Some(page) = qr.pages.get(&lookup.dossier, standing) {
                return html_page(page.assemble());
            }
            page.dossier = lookup
                .facts()
                .ok()
                .and_then(|f| serde_json::to_value(f).ok());
            match app.templates.render("qr/landing", &page) {
                Ok(html) => {
                    let stored = Arc::new(StoredPage::new(
                        Arc::clone(&lookup.dossier),
                        standing,
                        &html,
                    ));
                    qr.pages.insert(Arc::clone(&stored));
                    return html_page(stored.assemble());
                }
                // Rendered again below, where a failure becomes the 500 page.
                Err(_) => (StatusCode::OK, None),
            }
        }
        Ok((lookup, token)) => {
            page.dossier = lookup
                .facts()
                .ok()
                .and_then(|f| serde_json::to_value(f).ok());
            page.stale = !lookup.database_up;
            page.notice = token.notice();
            (StatusCode::OK, None)
        }
        Err(error) => {
            error.log();
            page.error = Some(PageError::of(&error));
            (error.code.status(), error.retry_after)
        }
    };
    with_retry_after(render(&app, "qr/landing", &page, status), retry_after)
}
