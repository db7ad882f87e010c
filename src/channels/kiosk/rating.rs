//! `POST /api/v1/kiosk/ratings`: three large faces on the kiosk, optionally about one dossier.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::kiosk_id;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::AppState;
use crate::quality::QualityService;

/// The body of a rating.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingPayload {
    /// Mức đánh giá: 1 không hài lòng, 2 bình thường, 3 hài lòng. / The score: 1 unhappy, 2
    /// neutral, 3 happy.
    #[schema(value_type = i64, minimum = 1, maximum = 3, example = 3)]
    pub score: serde_json::Value,
    /// Mã hồ sơ được đánh giá, như in trên giấy tiếp nhận (không bắt buộc; rỗng là không có). /
    /// The dossier the rating is about, as printed on the receipt (optional; empty is none).
    #[schema(max_length = 64, example = "000.00.18.H48-261118-9005")]
    pub dossier_code: Option<String>,
}

/// A stored rating.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoredRating<'a> {
    /// Số thứ tự của đánh giá. / The rating's id.
    pub id: i64,
    /// Mức đánh giá: 1 không hài lòng, 2 bình thường, 3 hài lòng. / The score: 1 unhappy, 2
    /// neutral, 3 happy.
    #[schema(minimum = 1, maximum = 3)]
    pub score: i16,
    /// Mã hồ sơ được đánh giá, dạng chuẩn; null khi không gắn hồ sơ. / The dossier rated, in its
    /// canonical form; null when none.
    #[schema(required = true)]
    pub dossier_code: Option<&'a str>,
    /// Mã kiosk đã ghi nhận. / The kiosk that took it.
    pub kiosk_id: &'a str,
}

/// Stores the rating; 201 with its id.
#[utoipa::path(
    post,
    path = "/api/v1/kiosk/ratings",
    operation_id = "create_kiosk_rating",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Gửi đánh giá mức độ hài lòng / Send a satisfaction rating",
    description = "Ba mặt cười trên kiosk, có thể gắn với một hồ sơ. Kiosk tự nêu mã của mình bằng X-Kiosk-Id (không có thì mã mặc định); kiosk có khóa (TRACUU_KIOSK__KEYS) phải gửi kèm X-Kiosk-Key đúng.\n\nThe kiosk's three faces, optionally about one dossier. The kiosk names itself with X-Kiosk-Id (the configured default without it); a kiosk that has a key (TRACUU_KIOSK__KEYS) must send it in X-Kiosk-Key.",
    params(("X-Kiosk-Id" = Option<String>, Header, pattern = r"^\s*[A-Za-z0-9._-]{1,40}\s*$", description = "Mã kiosk; không có thì dùng mã mặc định đã cấu hình. / The kiosk's id; without it, the configured default.", example = "KIOSK-TTHCC-01")),
    request_body(content = RatingPayload, content_type = "application/json"),
    security((), ("khoa_kiosk" = [])),
    responses(
        (status = 201, description = "Đã lưu / Stored", body = StoredRating),
        (status = 400, description = "invalid_rating: score không phải 1, 2 hay 3; invalid_dossier_code: mã hồ sơ sai định dạng; invalid_kiosk_id: X-Kiosk-Id sai định dạng; invalid_input: thân không phải JSON đúng dạng (trường lạ, thiếu score). / invalid_rating: score is not 1, 2 or 3; invalid_dossier_code: a malformed code; invalid_kiosk_id: a malformed X-Kiosk-Id; invalid_input: a body that is not the JSON expected (unknown field, no score).", body = crate::error::ErrorBody),
        (status = 403, description = "kiosk_key_invalid: X-Kiosk-Key sai, hoặc thiếu khi kiosk được nêu có khóa. / kiosk_key_invalid: a wrong X-Kiosk-Key, or none for a kiosk that has a key.", body = crate::error::ErrorBody),
        (status = 404, description = "dossier_not_found: không có hồ sơ với mã này. / dossier_not_found: no dossier has this code.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
pub async fn create_rating(
    req: HttpRequest,
    payload: web::Json<RatingPayload>,
    state: web::Data<AppState>,
    quality: web::Data<QualityService>,
) -> Result<HttpResponse, AppError> {
    let kiosk = kiosk_id(&req, &state)?;
    // A rating counts in the named kiosk's figures: a kiosk that has a key must prove it, so a
    // stranger cannot rate in its name (decision 0073). A wrong key is refused by `verify`.
    if state.kiosk_keys.verify(&req)?.is_none() && state.kiosk_keys.has_key(&kiosk) {
        tracing::warn!(kiosk.id = %kiosk, "rating refused: kiosk {kiosk} has a key and none was sent");
        return Err(AppError::with_message(
            Code::KioskKeyInvalid,
            "Kiosk này có khóa: đánh giá cần gửi kèm khóa kiosk (X-Kiosk-Key).",
        ));
    }
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
