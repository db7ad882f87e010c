//! Tracking an item by its code (with the tracking link's token or the phone digits for a
//! private one), and the submitter's own actions on it: supplementing what was asked,
//! withdrawing. Wrong phone digits count against the client and the item.

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
use crate::intake::{parse_tracking_code, ItemProof};

/// The proof of tracking requests: the tracking link's token, or the phone digits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    pub phone4: Option<String>,
    pub k: Option<String>,
}

/// Reads what the caller offers: the link's token wins over digits; digits must be four.
fn offered<'a>(
    phone4: Option<&str>,
    k: Option<&'a str>,
    digits: &'a mut Option<PhoneLast4>,
) -> Result<ItemProof<'a>, AppError> {
    if let Some(token) = k.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(ItemProof::Link(token));
    }
    *digits = phone4
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PhoneLast4::parse)
        .transpose()?;
    Ok(digits.as_ref().map_or(ItemProof::Nothing, ItemProof::Phone))
}

/// Runs `act` with the caller's proof, counting wrong digits against the client and the item
/// (past either budget the answer is "wait" or "locked", never one more "wrong").
async fn with_proof<T, F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    proof: ItemProof<'_>,
    act: F,
) -> Result<T, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let key = client(req, state)?;
    let digits = matches!(proof, ItemProof::Phone(_));
    if digits {
        state.intake_limits.proof_allowed(&key, code)?;
    }
    match act().await {
        Err(error) if digits && error.code == Code::ProofRejected => {
            state.intake_limits.proof_failed(&key, code)?;
            Err(error)
        }
        other => other,
    }
}

/// Tracks an item with the tracking link's token `k` or the phone digits.
pub async fn track(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    phone4: Option<&str>,
    k: Option<&str>,
) -> Result<TrackView, AppError> {
    let code = parse_tracking_code(code)?;
    let mut digits = None;
    let proof = offered(phone4, k, &mut digits)?;
    let (item, proven, overdue) = with_proof(req, state, &code, proof, || {
        state.intake.track(&code, proof)
    })
    .await?;
    Ok(TrackView::new(&item, proven, overdue))
}

/// `GET /api/v1/intake/{code}[?k=TOKEN | ?phone4=NNNN]`.
pub async fn track_item(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<TrackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let view = track(
        &req,
        &state,
        &path,
        query.phone4.as_deref(),
        query.k.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// A citizen's action on their own item, proven by the tracking link's token or the digits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenActionPayload {
    #[serde(default)]
    pub phone4: Option<String>,
    #[serde(default)]
    pub k: Option<String>,
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
    let mut digits = None;
    let proof = offered(input.phone4.as_deref(), input.k.as_deref(), &mut digits)?;
    if matches!(proof, ItemProof::Nothing) {
        return Err(AppError::new(Code::ProofRequired));
    }
    let item = with_proof(&req, &state, &code, proof, || {
        state.intake.citizen_act(&code, proof, action, input.text)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TrackView::new(&item, true, false)))
}

/// `POST /api/v1/intake/{code}/supplement` `{"k" | "phone4", "text"}`.
pub async fn supplement_item(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    citizen_action(req, path, payload, state, Action::Supplement).await
}

/// `POST /api/v1/intake/{code}/withdraw` `{"k" | "phone4"}`.
pub async fn withdraw_item(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    citizen_action(req, path, payload, state, Action::Withdraw).await
}
