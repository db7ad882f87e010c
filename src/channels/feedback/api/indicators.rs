//! The questions-and-feedback indicators of a period: counts handled, on time and overdue by
//! agency and kind, feedback by topic, and the satisfaction with feedback handling.

use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use serde::Serialize;

use crate::channels::feedback::AgencyView;
use crate::domain::intake::{IndicatorCounts, Kind};
use crate::domain::vn_time;
use crate::error::{AppError, Code};
use crate::http::AppState;
use crate::intake::IndicatorQuery;

/// Counts and percentages of one group.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub total: i64,
    pub handled: i64,
    pub handled_on_time: i64,
    /// Handled on time over handled, in percent (`null` when nothing was handled).
    pub handled_on_time_percent: Option<f64>,
    pub overdue: i64,
}

impl Counts {
    fn add(&mut self, row: &IndicatorCounts) {
        self.total += row.total;
        self.handled += row.handled;
        self.handled_on_time += row.handled_on_time;
        self.overdue += row.overdue;
        self.handled_on_time_percent = percent(self.handled_on_time, self.handled);
    }
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// One agency's counts.
#[derive(Debug, Serialize)]
pub struct AgencyCounts {
    pub agency: Option<AgencyView>,
    pub question: Counts,
    pub feedback: Counts,
}

/// Satisfaction with feedback handling (766 indicator 5.3).
#[derive(Debug, Default, Serialize)]
pub struct Satisfaction {
    pub total: i64,
    pub disliked: i64,
    pub overdue: i64,
    pub repeated: i64,
    /// (total − disliked − overdue − repeated) / total, in percent.
    pub percent: Option<f64>,
}

/// `GET /api/v1/intake-indicators`.
#[derive(Debug, Serialize)]
pub struct IndicatorsView {
    pub from: Option<String>,
    pub to: Option<String>,
    pub question: Counts,
    pub feedback: Counts,
    pub by_agency: Vec<AgencyCounts>,
    /// Feedback by the desk head's classification (766 indicator 5.1).
    pub feedback_by_topic: TopicCounts,
    pub feedback_satisfaction: Satisfaction,
}

/// Feedback by topic.
#[derive(Debug, Default, Serialize)]
pub struct TopicCounts {
    /// Administrative rules, policies and procedures.
    pub rules: i64,
    /// The conduct of officials.
    pub conduct: i64,
    /// Not classified yet.
    pub unclassified: i64,
}

/// `GET /api/v1/intake-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`.
pub async fn show_indicators(
    query: web::Query<IndicatorQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    // Default: the year up to now.
    let (from, to) = query.bounds()?;
    let to = to.unwrap_or_else(Utc::now);
    let from = from.unwrap_or(to - Duration::days(365));
    if from >= to {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "Từ ngày: cần trước hoặc cùng ngày với Đến ngày.",
        )
        .field("from"));
    }
    let (rows, topics) = state.intake.indicators(from, to).await?;
    let mut by_topic = TopicCounts::default();
    for (topic, count) in topics {
        match topic.as_deref() {
            Some("rules") => by_topic.rules += count,
            Some("conduct") => by_topic.conduct += count,
            _ => by_topic.unclassified += count,
        }
    }
    let mut view = IndicatorsView {
        from: vn_time(Some(from)),
        to: vn_time(Some(to)),
        question: Counts::default(),
        feedback: Counts::default(),
        by_agency: Vec::new(),
        feedback_by_topic: by_topic,
        feedback_satisfaction: Satisfaction::default(),
    };
    for row in &rows {
        if view
            .by_agency
            .last()
            .map(|a| a.agency.as_ref().map(|v| &v.code))
            != Some(row.agency_code.as_ref())
        {
            view.by_agency.push(AgencyCounts {
                agency: row.agency_code.clone().map(|code| AgencyView {
                    code,
                    name: row.agency_name.clone(),
                }),
                question: Counts::default(),
                feedback: Counts::default(),
            });
        }
        let Some(agency) = view.by_agency.last_mut() else {
            continue;
        };
        if row.kind == Kind::Feedback {
            agency.feedback.add(row);
            view.feedback.add(row);
            let s = &mut view.feedback_satisfaction;
            s.total += row.total;
            s.disliked += row.disliked;
            s.overdue += row.overdue;
            s.repeated += row.repeated;
        } else {
            agency.question.add(row);
            view.question.add(row);
        }
    }
    let s = &mut view.feedback_satisfaction;
    s.percent = percent(
        (s.total - s.disliked - s.overdue - s.repeated).max(0),
        s.total,
    );
    Ok(HttpResponse::Ok().json(view))
}
