//! Submissions through the API: `POST /api/v1/questions` and `POST /api/v1/feedback` from the
//! kiosk and the app, and hotline entries an operator's console posts with its session's CSRF
//! token.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{parse_json, CSRF_HEADER};
use crate::channels::feedback::{
    agency_of, answer_notice, AgencyView, AnswerNoticeView, DeadlinesView,
};
use crate::domain::intake::Kind;
use crate::domain::vn_time;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, AppState};
use crate::intake::{RawSubmission, Submission};
use crate::staff::Role;

/// `POST /api/v1/questions`.
pub async fn create_question(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    create_item(req, payload, state, Kind::Question).await
}

/// `POST /api/v1/feedback`.
pub async fn create_feedback(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    create_item(req, payload, state, Kind::Feedback).await
}

/// The answer to a submission.
#[derive(Debug, Serialize)]
pub struct CreatedView {
    pub tracking_code: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub agency: Option<AgencyView>,
    /// Why it went to that agency: `explicit`, `commune`, `dossier`, `procedure` or `desk`.
    pub routed_by: String,
    pub deadlines: DeadlinesView,
    /// Where the submitter follows the item: the tracking link, with its token.
    pub track_url: String,
    /// The token of the tracking link (`k`), which opens a private item without the phone digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_token: Option<String>,
    /// How the submitter learns of the answer: an SMS, or the tracking page.
    pub answer_notice: AnswerNoticeView,
}

/// `POST /api/v1/questions` and `POST /api/v1/feedback`.
pub async fn create_item(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let body = read_body(payload, state.settings.intake.max_request_bytes).await?;
    let mut raw: RawSubmission = parse_json(&body)?;
    if raw.kind.as_deref().is_some_and(|k| k != kind.as_str()) {
        return Err(AppError::with_message(
            Code::InvalidSubmission,
            "Loại: không khớp với địa chỉ gửi.",
        )
        .field("kind"));
    }
    raw.kind = Some(kind.as_str().to_owned());
    if raw.channel.is_none() {
        raw.channel = Some("app".to_owned());
    }
    let item = if raw.channel.as_deref().map(str::trim) == Some("hotline") {
        // An operator types what a caller says: a staff session with its CSRF token in a header.
        let session =
            crate::staff::authorise(&req, &state.pool, &[Role::Operator, Role::DeskHead]).await?;
        let token = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        session.check_csrf(token)?;
        let submission = Submission::parse_staff_entry(&raw, state.intake.settings())?;
        state
            .intake
            .submit_entered_by(&submission, &session)
            .await?
    } else {
        let submission = Submission::parse(&raw, state.intake.settings())?;
        state.intake_limits.submission(&client(&req, &state)?)?;
        state.intake.submit(&submission).await?
    };
    let view = CreatedView {
        answer_notice: answer_notice(&state, &item),
        track_url: state.intake.tracking_link(&item.tracking_code),
        tracking_token: state.intake.tracking_token(&item.tracking_code),
        tracking_code: item.tracking_code.clone(),
        kind: kind.as_str(),
        state: item.state.as_str(),
        agency: agency_of(&item),
        routed_by: item.routed_by.clone(),
        deadlines: DeadlinesView {
            classify_due_at: vn_time(item.classify_due_at),
            handle_due_at: vn_time(item.handle_due_at),
            publish_due_at: None,
        },
    };
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}
