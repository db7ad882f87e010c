//! The hotline's outcome counts for the statistics: calls started in a period, by source and
//! outcome, as JSON.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::client;
use crate::error::{AppError, Code};
use crate::hotline::call_log::{self, OutcomeCounts};
use crate::http::AppState;

/// `GET /api/v1/hotline-indicators`.
#[derive(Debug, Serialize)]
pub struct HotlineIndicatorsView {
    /// The first day asked for, as given.
    pub from: Option<String>,
    /// The last day asked for, as given.
    pub to: Option<String>,
    /// Every call.
    pub all: OutcomeCounts,
    /// Calls operators logged.
    pub operator: OutcomeCounts,
    /// Calls the IVR logged.
    pub ivr: OutcomeCounts,
}

/// `GET /api/v1/hotline-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`: calls started in the
/// period (Vietnam days, `to` included) by outcome, for the statistics.
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
