//! The published answers: the list with search, one answer, and helpfulness votes (one per
//! phone or device).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::parse_json;
use super::track::TrackingCodePath;
use crate::channels::feedback::{parse_kind, PublishedView, VotesView};
use crate::domain::PhoneNumber;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, AppState};
use crate::intake::parse_tracking_code;
use crate::staff::tokens::DEVICE_COOKIE;

/// Filters of the published list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublishedQuery {
    /// Từ khoá, không phân biệt hoa thường và dấu (10 từ đầu, mỗi từ 50 ký tự đầu). / Words to
    /// search, case and diacritics ignored (the first 10 words, 50 characters of each).
    #[param(example = "ly lich tu phap")]
    pub q: Option<String>,
    /// Loại: `question` hoặc `feedback` (rỗng: cả hai). / The kind: `question` or `feedback`
    /// (empty: both).
    #[param(schema_with = kind_filter_schema)]
    pub kind: Option<String>,
    /// Mã cơ quan trả lời. / The answering agency's code.
    #[param(example = "000.00.18.H48")]
    pub agency: Option<String>,
    /// Trang, từ 1; số ngoài khoảng 1–10000 được đưa về khoảng ấy. / The page, from 1; a number
    /// outside 1–10000 is brought within it.
    #[param(example = 1)]
    pub page: Option<i64>,
}

/// `question` or `feedback`, spaces around ignored; empty for both.
fn kind_filter_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^\s*(question|feedback)?\s*$"))
        .description(Some(
            "`question` hoặc `feedback`; rỗng là cả hai. / `question` or `feedback`; empty for both.",
        ))
        .examples([serde_json::json!("question")])
        .build()
}

/// One page of published items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = PublishedPage,
    description = "Một trang giải đáp đã công khai. / One page of published answers.")]
pub struct PublishedPageView {
    /// Trang này. / This page.
    #[schema(minimum = 1, maximum = 10000)]
    pub page: i64,
    /// Các giải đáp, mới nhất trước. / The answers, newest first.
    pub items: Vec<PublishedView>,
}

/// `GET /api/v1/published[?q=&kind=&agency=&page=]`.
#[utoipa::path(
    get,
    path = "/api/v1/published",
    operation_id = "list_published",
    tag = crate::http::openapi::TAG_INTAKE,
    summary = "Danh sách giải đáp đã công khai / List the published answers",
    description = "Câu hỏi, phản ánh đã được trả lời và công khai (đã che thông tin cá nhân), mới nhất trước, có tìm kiếm.\n\nAnswered questions and feedback made public (personal data masked), newest first, with search.",
    params(PublishedQuery),
    responses(
        (status = 200, description = "Một trang giải đáp. / A page of answers.", body = PublishedPageView),
        (status = 400, description = "`invalid_input`: `kind` không phải `question` hay `feedback`, `page` không phải số nguyên, hoặc tham số lạ. / `invalid_input`: `kind` is neither `question` nor `feedback`, `page` is not an integer, or an unknown parameter.", body = crate::error::ErrorBody),
    )
)]
pub async fn list_published(
    query: web::Query<PublishedQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(query.kind.as_deref())?;
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let agency = query
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let items = state
        .intake
        .published(kind, agency, query.q.as_deref().unwrap_or(""), page)
        .await?;
    Ok(HttpResponse::Ok().json(PublishedPageView {
        page,
        items: items.iter().map(PublishedView::new).collect(),
    }))
}

/// `GET /api/v1/published/{code}`.
#[utoipa::path(
    get,
    path = "/api/v1/published/{code}",
    operation_id = "get_published",
    tag = crate::http::openapi::TAG_INTAKE,
    summary = "Một giải đáp đã công khai / One published answer",
    description = "Câu hỏi hoặc phản ánh đã công khai, với câu trả lời và lượt đánh giá.\n\nA published question or feedback, with its answer and votes.",
    params(TrackingCodePath),
    responses(
        (status = 200, description = "Giải đáp. / The answer.", body = PublishedView),
        (status = 400, description = "`invalid_input`: mã theo dõi sai định dạng. / `invalid_input`: a malformed tracking code.", body = crate::error::ErrorBody),
        (status = 404, description = "`item_not_found`: không có giải đáp công khai với mã này. / `item_not_found`: no published answer has this code.", body = crate::error::ErrorBody),
    )
)]
pub async fn show_published(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let item = state.intake.published_item(&code).await?;
    Ok(HttpResponse::Ok().json(PublishedView::new(&item)))
}

/// A vote. One of `phone` or `device_id` says who votes (or the browser's device cookie).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = Vote,
    description = "Một lượt đánh giá: `phone` hoặc `device_id` cho biết ai đánh giá (hoặc cookie thiết bị của trình duyệt). / A vote: `phone` or `device_id` says who votes (or the browser's device cookie).", example = json!({"helpful": true, "device_id": "kiosk-quang-ngai-01"}))]
pub struct VotePayload {
    /// Câu trả lời có hữu ích không. / Whether the answer helped.
    pub helpful: bool,
    /// Số điện thoại người đánh giá (mỗi số một lần); có số thì không xét `device_id`. / The
    /// voter's phone (one vote per phone); with a phone, `device_id` is not read.
    #[serde(default)]
    #[schema(example = "0912345678")]
    pub phone: Option<String>,
    /// Mã thiết bị (mỗi thiết bị một lần), khi không có số điện thoại; thiếu cả hai thì dùng
    /// cookie thiết bị của trình duyệt. / The device's id (one vote per device) when no phone is
    /// given; without either, the browser's device cookie.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_-]{8,128}$", min_length = 8, max_length = 128)]
    pub device_id: Option<String>,
}

/// Who votes: a phone (normalised) or a device id.
pub fn voter_key(
    req: &HttpRequest,
    phone: Option<&str>,
    device_id: Option<&str>,
) -> Result<String, AppError> {
    if let Some(phone) = phone.map(str::trim).filter(|p| !p.is_empty()) {
        let phone = PhoneNumber::parse(phone).map_err(|e| {
            AppError::with_message(Code::InvalidSubmission, e.message()).field("phone")
        })?;
        return Ok(format!("phone:{}", phone.e164()));
    }
    let device = device_id
        .map(str::to_owned)
        .or_else(|| req.cookie(DEVICE_COOKIE).map(|c| c.value().to_owned()));
    match device {
        Some(d)
            if (8..=128).contains(&d.len())
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(format!("device:{d}"))
        }
        Some(_) => Err(AppError::with_message(
            Code::InvalidSubmission,
            "Mã thiết bị: cần 8–128 ký tự chữ, số, gạch ngang hoặc gạch dưới.",
        )
        .field("device_id")),
        None => Err(AppError::with_message(
            Code::InvalidSubmission,
            "Cần số điện thoại hoặc mã thiết bị để mỗi người chỉ đánh giá một lần.",
        )
        .field("phone")),
    }
}

/// `POST /api/v1/published/{code}/votes` `{"helpful": true, "device_id"|"phone"}`.
#[utoipa::path(
    post,
    path = "/api/v1/published/{code}/votes",
    operation_id = "vote_published",
    tag = crate::http::openapi::TAG_INTAKE,
    summary = "Đánh giá một giải đáp / Vote on a published answer",
    description = "Một lượt đánh giá hữu ích hay không, mỗi số điện thoại hoặc thiết bị một lần.\n\nOne vote, helpful or not, once per phone or device.",
    params(TrackingCodePath),
    request_body(content = VotePayload, content_type = "application/json"),
    responses(
        (status = 200, description = "Số lượt đánh giá sau lượt này. / The votes after this one.", body = VotesView),
        (status = 400, description = "`invalid_input`: mã theo dõi hoặc JSON không hợp lệ. `invalid_submission`: số điện thoại sai, mã thiết bị sai, hoặc thiếu cả hai (`field`). / `invalid_input`: a malformed tracking code or JSON. `invalid_submission`: a wrong phone or device id, or neither given (`field`).", body = crate::error::ErrorBody),
        (status = 404, description = "`item_not_found`: không có giải đáp công khai với mã này. / `item_not_found`: no published answer has this code.", body = crate::error::ErrorBody),
        (status = 409, description = "`already_voted`: số điện thoại hoặc thiết bị này đã đánh giá. / `already_voted`: this phone or device has voted.", body = crate::error::ErrorBody),
        (status = 429, description = "`rate_limited`: quá số lượt đánh giá mỗi giờ của một máy. / `rate_limited`: past the votes per hour of one client.", body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "Số giây cần chờ. / Seconds to wait."))),
    )
)]
pub async fn vote_published(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let body = read_body(payload, 4096).await?;
    let vote: VotePayload = parse_json(&body)?;
    let voter = voter_key(&req, vote.phone.as_deref(), vote.device_id.as_deref())?;
    state.intake_limits.vote(&client(&req, &state)?)?;
    let (helpful, unhelpful) = state.intake.vote(&code, &voter, vote.helpful).await?;
    Ok(HttpResponse::Ok().json(VotesView { helpful, unhelpful }))
}
