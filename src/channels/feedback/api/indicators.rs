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
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeCounts,
    description = "Số lượng và tỷ lệ của một nhóm. / Counts and percentages of one group.")]
pub struct Counts {
    /// Số mục tiếp nhận. / Items received.
    #[schema(minimum = 0)]
    pub total: i64,
    /// Số mục đã xử lý. / Items handled.
    #[schema(minimum = 0)]
    pub handled: i64,
    /// Số mục xử lý đúng hạn. / Items handled on time.
    #[schema(minimum = 0)]
    pub handled_on_time: i64,
    /// Tỷ lệ đúng hạn trên số đã xử lý, phần trăm, một chữ số thập phân (null khi chưa xử lý
    /// mục nào). / Handled on time over handled, in percent to one decimal (`null` when nothing
    /// was handled).
    #[schema(required = true, minimum = 0, maximum = 100)]
    pub handled_on_time_percent: Option<f64>,
    /// Số mục quá hạn. / Items overdue.
    #[schema(minimum = 0)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeAgencyCounts,
    description = "Số lượng của một cơ quan. / One agency's counts.")]
pub struct AgencyCounts {
    /// Cơ quan (null: chưa chuyển cơ quan nào). / The agency (null: not routed yet).
    #[schema(required = true)]
    pub agency: Option<AgencyView>,
    /// Hỏi đáp. / Questions.
    pub question: Counts,
    /// Phản ánh, kiến nghị. / Feedback.
    pub feedback: Counts,
}

/// Satisfaction with feedback handling (766 indicator 5.3).
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(
    as = FeedbackSatisfaction,
    description = "Mức hài lòng với việc xử lý phản ánh (chỉ tiêu 5.3, Quyết định 766). / Satisfaction with feedback handling (766 indicator 5.3).")]
pub struct Satisfaction {
    /// Số phản ánh. / Feedback items.
    #[schema(minimum = 0)]
    pub total: i64,
    /// Số phản ánh người gửi không hài lòng. / Items whose submitter was not satisfied.
    #[schema(minimum = 0)]
    pub disliked: i64,
    /// Số phản ánh quá hạn. / Items overdue.
    #[schema(minimum = 0)]
    pub overdue: i64,
    /// Số phản ánh lặp lại. / Items repeated.
    #[schema(minimum = 0)]
    pub repeated: i64,
    /// (tổng − không hài lòng − quá hạn − lặp lại) / tổng, phần trăm (null khi không có phản
    /// ánh). / (total − disliked − overdue − repeated) / total, in percent (null without
    /// feedback).
    #[schema(required = true, minimum = 0, maximum = 100)]
    pub percent: Option<f64>,
}

/// `GET /api/v1/intake-indicators`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeIndicators,
    description = "Các chỉ số hỏi đáp, phản ánh của một kỳ. / The questions-and-feedback indicators of a period.")]
pub struct IndicatorsView {
    /// Đầu kỳ (giờ Việt Nam). / The start of the period (Vietnam time).
    #[schema(required = true, format = DateTime)]
    pub from: Option<String>,
    /// Cuối kỳ, không tính thời điểm này. / The end of the period, excluded.
    #[schema(required = true, format = DateTime)]
    pub to: Option<String>,
    /// Hỏi đáp. / Questions.
    pub question: Counts,
    /// Phản ánh, kiến nghị. / Feedback.
    pub feedback: Counts,
    /// Theo cơ quan. / By agency.
    pub by_agency: Vec<AgencyCounts>,
    /// Phản ánh theo phân loại của Bộ phận tiếp nhận (chỉ tiêu 5.1, Quyết định 766). / Feedback
    /// by the desk head's classification (766 indicator 5.1).
    pub feedback_by_topic: TopicCounts,
    /// Mức hài lòng với việc xử lý phản ánh (chỉ tiêu 5.3). / Satisfaction with feedback
    /// handling (766 indicator 5.3).
    pub feedback_satisfaction: Satisfaction,
}

/// Feedback by topic.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(
    as = FeedbackTopics,
    description = "Phản ánh theo phân loại. / Feedback by topic.")]
pub struct TopicCounts {
    /// Quy định, chính sách, thủ tục hành chính. / Administrative rules, policies and procedures.
    #[schema(minimum = 0)]
    pub rules: i64,
    /// Hành vi của cán bộ. / The conduct of officials.
    #[schema(minimum = 0)]
    pub conduct: i64,
    /// Chưa phân loại. / Not classified yet.
    #[schema(minimum = 0)]
    pub unclassified: i64,
}

/// `GET /api/v1/intake-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`.
#[utoipa::path(
    get,
    path = "/api/v1/intake-indicators",
    operation_id = "get_intake_indicators",
    tag = crate::http::openapi::TAG_INDICATORS,
    summary = "Chỉ số hỏi đáp, phản ánh / Questions and feedback indicators",
    description = "Số mục tiếp nhận trong kỳ, đã xử lý, đúng hạn, quá hạn, theo loại và cơ quan; phản ánh theo phân loại và mức hài lòng (Quyết định 766). Mặc định: 365 ngày đến nay.\n\nItems received in the period, handled, on time, overdue, by kind and agency; feedback by topic and the satisfaction (Decision 766). By default, the 365 days up to now.",
    params(crate::intake::IndicatorQuery),
    responses(
        (status = 200, description = "Các chỉ số của kỳ. / The period's indicators.", body = IndicatorsView),
        (status = 400, description = "`invalid_input`: ngày không đúng dạng YYYY-MM-DD, Từ ngày sau Đến ngày (`field`), hoặc tham số lạ. / `invalid_input`: a day not in YYYY-MM-DD, the first day after the last (`field`), or an unknown parameter.", body = crate::error::ErrorBody),
    )
)]
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
