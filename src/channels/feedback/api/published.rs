//! The published answers: the list with search, one answer, and helpfulness votes (one per
//! phone or device).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::parse_json;
use crate::channels::feedback::{parse_kind, PublishedView, VotesView};
use crate::domain::PhoneNumber;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, AppState};
use crate::intake::parse_tracking_code;
use crate::staff::tokens::DEVICE_COOKIE;

/// Filters of the published list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub agency: Option<String>,
    pub page: Option<i64>,
}

/// One page of published items.
#[derive(Debug, Serialize)]
pub struct PublishedPageView {
    pub page: i64,
    pub items: Vec<PublishedView>,
}

/// `GET /api/v1/published[?q=&kind=&agency=&page=]`.
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
pub async fn show_published(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let item = state.intake.published_item(&code).await?;
    Ok(HttpResponse::Ok().json(PublishedView::new(&item)))
}

/// A vote. One of `phone` or `device_id` says who votes (or the browser's device cookie).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotePayload {
    pub helpful: bool,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
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
