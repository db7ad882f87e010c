//! Submissions through the API: `POST /api/v1/questions` and `POST /api/v1/feedback` from the
//! kiosk and the app, and hotline entries an operator's console posts with its session's CSRF
//! token.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{parse_json, CSRF_HEADER};
use crate::channels::feedback::{
    agency_of, answer_notice, string_enum, AgencyView, AnswerNoticeView, DeadlinesView,
};
use crate::domain::intake::{Kind, State};
use crate::domain::vn_time;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, AppState};
use crate::intake::{RawSubmission, Submission};
use crate::staff::Role;

// Descriptions the two submissions' operations share: written once.
const SUBMISSION_BODY_DESCRIPTION: &str = "Nội dung gửi; trường không có trong lược đồ bị từ chối. / The submission; fields outside the schema are refused.";
const CREATED_DESCRIPTION: &str = "Đã tiếp nhận: mã theo dõi, cơ quan, hạn, đường dẫn theo dõi. / Received: the tracking code, the agency, the deadlines, the tracking link.";
const BAD_SUBMISSION_DESCRIPTION: &str = "`invalid_input`: JSON không hợp lệ. `invalid_submission`: một trường sai hoặc thiếu (`field` nêu trường). `invalid_commune`: xã, phường không có hoặc không còn tiếp nhận. / `invalid_input`: malformed JSON. `invalid_submission`: a field is wrong or missing (`field` names it). `invalid_commune`: the commune is unknown or no longer receives.";
const LOGIN_FOR_HOTLINE_DESCRIPTION: &str = "`login_required`: kênh `hotline` chỉ dành cho điện thoại viên đã đăng nhập. / `login_required`: the `hotline` channel needs an operator's session.";
const NOT_AN_OPERATOR_DESCRIPTION: &str = "`forbidden`: vai trò không được nhập thay người gọi; `csrf_rejected`: thiếu hoặc sai X-CSRF-Token (kênh `hotline`). / `forbidden`: the role may not file for a caller; `csrf_rejected`: X-CSRF-Token missing or wrong (`hotline` channel).";
const TOO_MANY_SUBMISSIONS_DESCRIPTION: &str = "`rate_limited`: quá số lần gửi mỗi giờ của một máy. / `rate_limited`: past the submissions per hour of one client.";

/// `POST /api/v1/questions`.
#[utoipa::path(
    post,
    path = "/api/v1/questions",
    operation_id = "create_question",
    summary = "Gửi câu hỏi / Submit a question",
    description = "Gửi một câu hỏi về thủ tục hành chính. Cần số điện thoại hoặc thư điện tử; câu hỏi không công khai cần số điện thoại (4 số cuối mở trang theo dõi). Kênh `hotline` chỉ dành cho điện thoại viên (phiên cán bộ và X-CSRF-Token).\n\nSubmits a question about an administrative procedure. A phone or an e-mail is needed; a private question needs a phone (its last four digits open the tracking page). The `hotline` channel is for operators only (a staff session and X-CSRF-Token).",
    tag = crate::http::openapi::TAG_INTAKE,
    request_body(content = crate::intake::RawSubmission, content_type = "application/json", description = SUBMISSION_BODY_DESCRIPTION),
    responses(
        (status = 201, description = CREATED_DESCRIPTION, body = CreatedView),
        (status = 400, description = BAD_SUBMISSION_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = LOGIN_FOR_HOTLINE_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = NOT_AN_OPERATOR_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 429, description = TOO_MANY_SUBMISSIONS_DESCRIPTION, body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "Số giây cần chờ. / Seconds to wait."))),
    ),
    security((), ("phien_can_bo" = []))
)]
pub async fn create_question(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    create_item(req, payload, state, Kind::Question).await
}

/// `POST /api/v1/feedback`.
#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    operation_id = "create_feedback",
    summary = "Gửi phản ánh, kiến nghị / Submit feedback",
    description = "Gửi một phản ánh, kiến nghị về quy định hành chính. Nghị định 20/2008/NĐ-CP bắt buộc họ tên, địa chỉ và số điện thoại. Kênh `hotline` chỉ dành cho điện thoại viên.\n\nSubmits feedback or a proposal on administrative rules. Decree 20/2008 requires the name, the address and the phone. The `hotline` channel is for operators only.",
    tag = crate::http::openapi::TAG_INTAKE,
    request_body(content = crate::intake::RawSubmission, content_type = "application/json", description = SUBMISSION_BODY_DESCRIPTION),
    responses(
        (status = 201, description = CREATED_DESCRIPTION, body = CreatedView),
        (status = 400, description = BAD_SUBMISSION_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = LOGIN_FOR_HOTLINE_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = NOT_AN_OPERATOR_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 429, description = TOO_MANY_SUBMISSIONS_DESCRIPTION, body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "Số giây cần chờ. / Seconds to wait."))),
    ),
    security((), ("phien_can_bo" = []))
)]
pub async fn create_feedback(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    create_item(req, payload, state, Kind::Feedback).await
}

/// The answer to a submission.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeCreated,
    description = "Kết quả gửi: mã theo dõi và cách theo dõi. / The answer to a submission: the tracking code and how to follow it.")]
pub struct CreatedView {
    /// Mã theo dõi. / The tracking code.
    #[schema(example = "HD.20261123.0001")]
    pub tracking_code: String,
    /// Loại. / The kind.
    #[schema(schema_with = kind_key_schema)]
    pub kind: &'static str,
    /// Trạng thái khi vừa gửi: `received` (chờ phân loại) hoặc `forwarded` (đã chuyển ngay tới
    /// cơ quan). / The state on submission: `received` (waiting to be classified) or `forwarded`
    /// (routed to an agency at once).
    #[schema(schema_with = received_schema)]
    pub state: &'static str,
    /// Cơ quan được chuyển tới (null: Bộ phận tiếp nhận phân loại). / The agency it was routed to
    /// (null: the desk classifies it).
    #[schema(required = true)]
    pub agency: Option<AgencyView>,
    /// Vì sao chuyển tới cơ quan đó. / Why it went to that agency: `explicit`, `commune`,
    /// `dossier`, `procedure` or `desk`.
    #[schema(schema_with = routed_by_schema)]
    pub routed_by: String,
    /// Các hạn. / The deadlines.
    pub deadlines: DeadlinesView,
    /// Đường dẫn theo dõi, kèm khoá. / Where the submitter follows the item: the tracking link,
    /// with its token.
    #[schema(example = "/theo-doi?ma=HD.20261123.0001")]
    pub track_url: String,
    /// Khoá của đường dẫn theo dõi (`k`), mở mục không công khai mà không cần 4 số điện thoại. /
    /// The token of the tracking link (`k`), which opens a private item without the phone digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_token: Option<String>,
    /// Cách người gửi biết có trả lời. / How the submitter learns of the answer: an SMS, or the
    /// tracking page.
    pub answer_notice: AnswerNoticeView,
}

fn kind_key_schema() -> utoipa::openapi::Object {
    string_enum(
        "Loại. / The kind.",
        [Kind::Question, Kind::Feedback].map(Kind::as_str),
    )
}

fn received_schema() -> utoipa::openapi::Object {
    string_enum(
        "Trạng thái khi vừa gửi. / The state on submission.",
        [State::Received, State::Forwarded].map(State::as_str),
    )
}

fn routed_by_schema() -> utoipa::openapi::Object {
    string_enum(
        "Cách chuyển: cơ quan người gửi chọn, xã người gửi chọn, cơ quan của hồ sơ, của thủ tục, \
         hoặc Bộ phận tiếp nhận. / How it was routed: the agency chosen, the commune chosen, the \
         dossier's agency, the procedure's, or the desk.",
        ["explicit", "commune", "dossier", "procedure", "desk"],
    )
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
