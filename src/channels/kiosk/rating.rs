//! `POST /api/v1/kiosk/ratings`: three large faces on the kiosk, optionally about one dossier.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

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

/// A stored rating.
#[derive(Debug, Serialize)]
pub struct StoredRating<'a> {
    /// Số thứ tự của đánh giá. / The rating's id.
    pub id: i64,
    /// Mức đánh giá: 1 không hài lòng, 2 bình thường, 3 hài lòng. / The score: 1 unhappy, 2
    /// neutral, 3 happy.
    pub score: i16,
    /// Mã hồ sơ được đánh giá, dạng chuẩn; null khi không gắn hồ sơ. / The dossier rated, in its
    /// canonical form; null when none.
    pub dossier_code: Option<&'a str>,
    /// Mã kiosk đã ghi nhận. / The kiosk that took it.
    pub kiosk_id: &'a str,
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
        .json(StoredRating {
            id,
            score,
            dossier_code: dossier.as_ref().map(AsRef::<str>::as_ref),
            kiosk_id: kiosk.as_ref(),
        }))
}
