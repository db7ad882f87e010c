//! `POST /api/v1/kiosk/ratings`: three large faces on the kiosk, optionally about one dossier.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::kiosk_id;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::AppState;
use crate::quality::QualityService;

/// The body of a rating.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingPayload {
    /// 1 unhappy, 2 neutral, 3 happy.
    pub score: serde_json::Value,
    /// The dossier the rating is about, as printed on the receipt (optional).
    pub dossier_code: Option<String>,
}

/// Stores the rating; 201 with its id.
pub async fn create_rating(
    req: HttpRequest,
    payload: web::Json<RatingPayload>,
    state: web::Data<AppState>,
    quality: web::Data<QualityService>,
) -> Result<HttpResponse, AppError> {
    let kiosk = kiosk_id(&req, &state)?;
    let score = payload
        .score
        .as_i64()
        .filter(|s| (1..=3).contains(s))
        .and_then(|s| i16::try_from(s).ok())
        .ok_or_else(|| AppError::new(Code::InvalidRating))?;
    let dossier = match payload.dossier_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            DossierCode::parse(raw).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?,
        ),
    };
    let id = quality.rate(&kiosk, score, dossier.as_ref()).await?;
    tracing::info!(kiosk.id = %kiosk, rating.score = score, "kiosk {kiosk} stored rating {score}");
    Ok(HttpResponse::Created()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({
            "id": id,
            "score": score,
            "dossier_code": dossier.as_ref().map(AsRef::<str>::as_ref),
            "kiosk_id": kiosk.as_ref(),
        })))
}
