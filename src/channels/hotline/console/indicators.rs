//! The hotline's outcome counts for the statistics: calls started in a period, by source and
//! outcome, as JSON.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::client;
use crate::db;
use crate::error::{AppError, Code};
use crate::http::AppState;

/// Counts of one source.
#[derive(Debug, Default, Serialize)]
pub struct OutcomeCounts {
    pub total: i64,
    pub answered_by_ivr: i64,
    pub resolved: i64,
    pub filed_ticket: i64,
    pub transferred: i64,
    pub other: i64,
    /// Operator calls not ended yet.
    pub open: i64,
}

/// `GET /api/v1/hotline-indicators`.
#[derive(Debug, Serialize)]
pub struct HotlineIndicatorsView {
    pub from: Option<String>,
    pub to: Option<String>,
    pub all: OutcomeCounts,
    pub operator: OutcomeCounts,
    pub ivr: OutcomeCounts,
}

/// `GET /api/v1/hotline-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`: calls started in the
/// period (Vietnam days, `to` included) by outcome, for the statistics.
pub async fn show_hotline_indicators(
    query: Result<web::Query<crate::channels::feedback::api::IndicatorQuery>, actix_web::Error>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let query = query.map_err(|_| {
        AppError::with_message(
            Code::InvalidInput,
            "Chỉ nhận tham số from và to (YYYY-MM-DD).",
        )
    })?;
    let (from, to) = query.bounds()?;
    let db = client(&state).await?;
    let counts = db::hotline::count_outcomes(&db, from, to)
        .await
        .map_err(AppError::internal)?;
    let mut view = HotlineIndicatorsView {
        from: query.from.clone(),
        to: query.to.clone(),
        all: OutcomeCounts::default(),
        operator: OutcomeCounts::default(),
        ivr: OutcomeCounts::default(),
    };
    for row in counts {
        let source = if row.source == "ivr" {
            &mut view.ivr
        } else {
            &mut view.operator
        };
        for counts in [source, &mut view.all] {
            counts.total += row.calls;
            match row.outcome.as_deref() {
                Some("answered_by_ivr") => counts.answered_by_ivr += row.calls,
                Some("resolved") => counts.resolved += row.calls,
                Some("filed_ticket") => counts.filed_ticket += row.calls,
                Some("transferred") => counts.transferred += row.calls,
                Some(_) => counts.other += row.calls,
                None => counts.open += row.calls,
            }
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(view))
}
