//! Tracking an item by its code (with the phone digits for a private one), and the submitter's
//! own actions on it: supplementing what was asked, withdrawing. Wrong phone digits count against
//! the client.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::parse_json;
use crate::channels::feedback::TrackView;
use crate::domain::intake::Action;
use crate::domain::PhoneLast4;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, AppState};
use crate::intake::parse_tracking_code;

/// The phone proof of tracking requests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    pub phone4: Option<String>,
}

/// Tracks an item, counting wrong proofs against the client.
pub async fn track(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    phone4: Option<&str>,
) -> Result<TrackView, AppError> {
    let code = parse_tracking_code(code)?;
    let proof = phone4
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PhoneLast4::parse)
        .transpose()?;
    let key = client(req, state);
    if proof.is_some() {
        state.intake_limits.proof_allowed(&key)?;
    }
    match state.intake.track(&code, proof.as_ref()).await {
        Ok((item, proven, overdue)) => Ok(TrackView::new(&item, proven, overdue)),
        Err(error) => {
            if error.code == Code::ProofRejected {
                state.intake_limits.proof_failed(&key);
            }
            Err(error)
        }
    }
}

/// `GET /api/v1/intake/{code}[?phone4=NNNN]`.
pub async fn track_item(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<TrackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let view = track(&req, &state, &path, query.phone4.as_deref()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// A citizen's action on their own item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenActionPayload {
    pub phone4: String,
    #[serde(default)]
    pub text: Option<String>,
}

async fn citizen_action(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
    action: Action,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let body = read_body(payload, state.settings.intake.max_request_bytes).await?;
    let input: CitizenActionPayload = parse_json(&body)?;
    let proof = PhoneLast4::parse(&input.phone4)?;
    let key = client(&req, &state);
    state.intake_limits.proof_allowed(&key)?;
    match state
        .intake
        .citizen_act(&code, &proof, action, input.text)
        .await
    {
        Ok(item) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(TrackView::new(&item, true, false))),
        Err(error) => {
            if error.code == Code::ProofRejected {
                state.intake_limits.proof_failed(&key);
            }
            Err(error)
        }
    }
}

/// `POST /api/v1/intake/{code}/supplement` `{"phone4", "text"}`.
pub async fn supplement_item(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    citizen_action(req, path, payload, state, Action::Supplement).await
}

/// `POST /api/v1/intake/{code}/withdraw` `{"phone4"}`.
pub async fn withdraw_item(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    citizen_action(req, path, payload, state, Action::Withdraw).await
}
