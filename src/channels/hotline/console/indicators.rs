//! The hotline's outcome counts for the statistics: calls started in a period, by source and
//! outcome, as JSON.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::client;
use crate::error::{AppError, Code};
use crate::hotline::call_log::{self, OutcomeCounts};
use crate::http::AppState;

/// `GET /api/v1/hotline-indicators`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = HotlineIndicators,
    description = "Số cuộc gọi tổng đài 1022 theo kết quả. / Hotline 1022 calls by outcome.")]
pub struct HotlineIndicatorsView {
    /// Từ ngày, như đã gửi (null khi không gửi). / The first day asked for, as given (null when
    /// not given).
    #[schema(required = true, example = "2026-01-01")]
    pub from: Option<String>,
    /// Đến ngày, như đã gửi. / The last day asked for, as given.
    #[schema(required = true, example = "2026-12-31")]
    pub to: Option<String>,
    /// Mọi cuộc gọi. / Every call.
    pub all: OutcomeCounts,
    /// Cuộc gọi do điện thoại viên ghi. / Calls operators logged.
    pub operator: OutcomeCounts,
    /// Cuộc gọi do tổng đài tự động ghi. / Calls the IVR logged.
    pub ivr: OutcomeCounts,
}

/// `GET /api/v1/hotline-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`: calls started in the
/// period (Vietnam days, `to` included) by outcome, for the statistics.
#[utoipa::path(
    get,
    path = "/api/v1/hotline-indicators",
    operation_id = "get_hotline_indicators",
    tag = crate::http::openapi::TAG_INDICATORS,
    summary = "Chỉ số tổng đài 1022 / Hotline 1022 indicators",
    description = "Số cuộc gọi bắt đầu trong kỳ (ngày giờ Việt Nam, tính cả ngày cuối) theo kết quả: tất cả, của điện thoại viên, của tổng đài tự động.\n\nCalls started in the period (Vietnam days, the last one included) by outcome: all, operators', the IVR's.",
    params(crate::intake::IndicatorQuery),
    responses(
        (status = 200, description = "Số cuộc gọi theo kết quả. / Calls by outcome.", body = HotlineIndicatorsView),
        (status = 400, description = "`invalid_input`: ngày không đúng dạng YYYY-MM-DD (`field`), hoặc tham số lạ. / `invalid_input`: a day not in YYYY-MM-DD (`field`), or an unknown parameter.", body = crate::error::ErrorBody),
    )
)]
pub async fn show_hotline_indicators(
    query: Result<web::Query<crate::intake::IndicatorQuery>, actix_web::Error>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let query = query.map_err(|_| {
        AppError::with_message(
            Code::InvalidInput,
            "Chỉ nhận hai tham số: từ ngày và đến ngày, dạng YYYY-MM-DD.",
        )
    })?;
    let (from, to) = query.bounds()?;
    let db = client(&state).await?;
    let totals = call_log::count_outcomes(&db, from, to).await?;
    let view = HotlineIndicatorsView {
        from: query.from.clone(),
        to: query.to.clone(),
        all: totals.all,
        operator: totals.operator,
        ivr: totals.ivr,
    };
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(view))
}
