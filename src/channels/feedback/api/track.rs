//! Tracking an item by its code (with the tracking link's token or the phone digits for a
//! private one), and the submitter's own actions on it: supplementing what was asked,
//! withdrawing. Wrong phone digits count against the client and the item.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::parse_json;
use crate::channels::feedback::TrackView;
use crate::domain::intake::Action;
use crate::domain::PhoneLast4;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, AppState};
use crate::intake::{parse_tracking_code, ItemProof};

/// The proof of tracking requests: the tracking link's token, or the phone digits.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// 4 số cuối điện thoại người gửi, mở nội dung riêng của mục. / The last four digits of the
    /// submitter's phone, which open the item's own texts.
    #[param(pattern = r"^\s*([0-9０-９]{4})?\s*$", example = "0348")]
    pub phone4: Option<String>,
    /// Khoá của đường dẫn theo dõi (cấp khi gửi); có `k` thì không dùng `phone4` để chứng minh
    /// (nhưng `phone4` vẫn phải đúng dạng). / The tracking link's token (issued on submission);
    /// with `k`, `phone4` proves nothing (but must still be well formed).
    pub k: Option<String>,
}

/// The path parameter of an intake item.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrackingCodePath {
    /// Mã theo dõi (`HD.yyyymmdd.NNNN` hỏi đáp, `PAKN.yyyymmdd.NNNN` phản ánh); chữ thường cũng
    /// được. / The tracking code (`HD.yyyymmdd.NNNN` for a question, `PAKN.yyyymmdd.NNNN` for
    /// feedback); lower case is accepted.
    #[param(
        pattern = "^(HD|PAKN)\\.[0-9]{8}\\.[0-9]{4,}$",
        max_length = 32,
        example = "HD.20261123.0001"
    )]
    pub code: String,
}

/// Reads what the caller offers: digits, when given, must be four, even beside a token; the
/// link's token wins over them.
fn offered<'a>(
    phone4: Option<&str>,
    k: Option<&'a str>,
    digits: &'a mut Option<PhoneLast4>,
) -> Result<ItemProof<'a>, AppError> {
    *digits = phone4
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PhoneLast4::parse)
        .transpose()?;
    if let Some(token) = k.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(ItemProof::Link(token));
    }
    Ok(digits.as_ref().map_or(ItemProof::Nothing, ItemProof::Phone))
}

/// Runs `act` with the caller's proof, counting wrong digits against the client and the item
/// (past either budget the answer is "wait" or "locked", never one more "wrong").
async fn with_proof<T, F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    proof: ItemProof<'_>,
    act: F,
) -> Result<T, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let key = client(req, state)?;
    let digits = matches!(proof, ItemProof::Phone(_));
    if digits {
        state.intake_limits.proof_allowed(&key, code)?;
    }
    match act().await {
        Err(error) if digits && error.code == Code::ProofRejected => {
            state.intake_limits.proof_failed(&key, code)?;
            Err(error)
        }
        other => other,
    }
}

/// Tracks an item with the tracking link's token `k` or the phone digits.
pub async fn track(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    phone4: Option<&str>,
    k: Option<&str>,
) -> Result<TrackView, AppError> {
    let code = parse_tracking_code(code)?;
    let mut digits = None;
    let proof = offered(phone4, k, &mut digits)?;
    let (item, proven, overdue) = with_proof(req, state, &code, proof, || {
        state.intake.track(&code, proof)
    })
    .await?;
    Ok(TrackView::new(&item, proven, overdue))
}

/// `GET /api/v1/intake/{code}[?k=TOKEN | ?phone4=NNNN]`.
#[utoipa::path(
    get,
    path = "/api/v1/intake/{code}",
    operation_id = "get_intake_item",
    tag = crate::http::openapi::TAG_INTAKE,
    summary = "Theo dõi câu hỏi, phản ánh / Track a question or feedback",
    description = "Mục công khai: ai cũng xem được (không có nội dung riêng). Mục không công khai: cần `k` (đường dẫn theo dõi) hoặc `phone4`; 4 số sai bị đếm theo máy và theo mục.\n\nA public item is open to anyone (without the submitter's own texts). A private one needs `k` (the tracking link) or `phone4`; wrong digits are counted per client and per item.",
    params(TrackingCodePath, TrackQuery),
    responses(
        (status = 200, description = "Mục cần theo dõi. / The item.", body = crate::channels::feedback::TrackView),
        (status = 400, description = "`invalid_input`: mã theo dõi sai định dạng, hoặc tham số lạ. `invalid_phone4`: `phone4` không phải 4 chữ số. / `invalid_input`: a malformed tracking code, or an unknown parameter. `invalid_phone4`: `phone4` is not four digits.", body = crate::error::ErrorBody),
        (status = 403, description = "`phone4_required`: mục không công khai cần `k` hoặc `phone4`. `phone4_rejected`: 4 số không khớp. `tracking_link_invalid`: khoá `k` không đúng. / `phone4_required`: a private item needs `k` or `phone4`. `phone4_rejected`: the digits do not match. `tracking_link_invalid`: the token `k` does not verify.", body = crate::error::ErrorBody),
        (status = 404, description = "`item_not_found`: không có mục với mã này. / `item_not_found`: no item has this code.", body = crate::error::ErrorBody),
        (status = 429, description = "`rate_limited`: máy này nhập sai quá nhiều lần. `phone4_locked`: mục bị nhập sai quá nhiều lần, tạm khoá. / `rate_limited`: too many wrong digits from this client. `phone4_locked`: too many wrong digits for this item, locked for a while.", body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "Số giây cần chờ. / Seconds to wait."))),
    )
)]
pub async fn track_item(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<TrackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let view = track(
        &req,
        &state,
        &path,
        query.phone4.as_deref(),
        query.k.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// A citizen's action on their own item, proven by the tracking link's token or the digits.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = CitizenAction,
    description = "Thao tác của người gửi trên mục của mình, chứng minh bằng `k` hoặc `phone4`. / A submitter's action on their own item, proven by `k` or `phone4`.", example = json!({"phone4": "0348", "text": "Tôi bổ sung bản sao giấy khai sinh."}))]
pub struct CitizenActionPayload {
    /// 4 số cuối điện thoại người gửi. / The last four digits of the submitter's phone.
    #[serde(default)]
    #[schema(pattern = r"^\s*([0-9０-９]{4})?\s*$", example = "0348")]
    pub phone4: Option<String>,
    /// Khoá của đường dẫn theo dõi; có `k` thì không dùng `phone4` để chứng minh (nhưng
    /// `phone4` vẫn phải đúng dạng). / The tracking link's token; with `k`, `phone4` proves
    /// nothing (but must still be well formed).
    #[serde(default)]
    pub k: Option<String>,
    /// Nội dung bổ sung (bắt buộc khi bổ sung; không dùng khi rút). / What the submitter adds
    /// (required to supplement; not read on withdrawal).
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub text: Option<String>,
}

/// The answers a citizen's action can give besides its 200 (the same for both actions).
macro_rules! citizen_action_path {
    ($path:literal, $id:literal, $summary:literal, $description:literal, $handler:item) => {
        #[utoipa::path(
            post,
            path = $path,
            operation_id = $id,
            tag = crate::http::openapi::TAG_INTAKE,
            summary = $summary,
            description = $description,
            params(TrackingCodePath),
            request_body(content = CitizenActionPayload, content_type = "application/json"),
            responses(
                (status = 200, description = "Mục sau thao tác, với nội dung riêng của người gửi. / The item after the action, with the submitter's own texts.", body = crate::channels::feedback::TrackView),
                (status = 400, description = "`invalid_input`: mã theo dõi hoặc JSON không hợp lệ. `invalid_phone4`: `phone4` không phải 4 chữ số. `invalid_submission`: thiếu hoặc quá dài nội dung bổ sung (`field`: `text`). / `invalid_input`: a malformed tracking code or JSON. `invalid_phone4`: `phone4` is not four digits. `invalid_submission`: the text to add is missing or too long (`field`: `text`).", body = crate::error::ErrorBody),
                (status = 403, description = "`phone4_required`: cần `k` hoặc `phone4`. `phone4_rejected`: 4 số không khớp. `tracking_link_invalid`: khoá `k` không đúng. / `phone4_required`: `k` or `phone4` is needed. `phone4_rejected`: the digits do not match. `tracking_link_invalid`: the token `k` does not verify.", body = crate::error::ErrorBody),
                (status = 404, description = "`item_not_found`: không có mục với mã này. / `item_not_found`: no item has this code.", body = crate::error::ErrorBody),
                (status = 409, description = "`invalid_transition`: trạng thái hiện tại không cho phép thao tác này. / `invalid_transition`: the item's state does not allow this action.", body = crate::error::ErrorBody),
                (status = 429, description = "`rate_limited`: máy này nhập sai quá nhiều lần. `phone4_locked`: mục bị tạm khoá. / `rate_limited`: too many wrong digits from this client. `phone4_locked`: the item is locked for a while.", body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "Số giây cần chờ. / Seconds to wait."))),
            )
        )]
        $handler
    };
}

async fn citizen_action(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
    action: Action,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let body = read_body(payload, state.settings.intake.max_request_bytes).await?;
    let input: CitizenActionPayload = parse_json(&body)?;
    let mut digits = None;
    let proof = offered(input.phone4.as_deref(), input.k.as_deref(), &mut digits)?;
    if matches!(proof, ItemProof::Nothing) {
        return Err(AppError::new(Code::ProofRequired));
    }
    let item = with_proof(&req, &state, &code, proof, || {
        state.intake.citizen_act(&code, proof, action, input.text)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TrackView::new(&item, true, false)))
}

citizen_action_path!(
    "/api/v1/intake/{code}/supplement",
    "supplement_intake_item",
    "Bổ sung thông tin được đề nghị / Supplement what was asked for",
    "Người gửi bổ sung thông tin cơ quan đề nghị (trạng thái `info_requested`), chứng minh bằng `k` hoặc `phone4`.\n\nThe submitter adds what the agency asked for (state `info_requested`), proven by `k` or `phone4`.",
    /// `POST /api/v1/intake/{code}/supplement` `{"k" | "phone4", "text"}`.
    pub async fn supplement_item(
        req: HttpRequest,
        path: web::Path<String>,
        payload: web::Payload,
        state: web::Data<AppState>,
    ) -> Result<HttpResponse, AppError> {
        citizen_action(req, path, payload, state, Action::Supplement).await
    }
);

citizen_action_path!(
    "/api/v1/intake/{code}/withdraw",
    "withdraw_intake_item",
    "Rút câu hỏi, phản ánh / Withdraw a question or feedback",
    "Người gửi rút mục chưa được trả lời, chứng minh bằng `k` hoặc `phone4`.\n\nThe submitter withdraws an item not yet answered, proven by `k` or `phone4`.",
    /// `POST /api/v1/intake/{code}/withdraw` `{"k" | "phone4"}`.
    pub async fn withdraw_item(
        req: HttpRequest,
        path: web::Path<String>,
        payload: web::Payload,
        state: web::Data<AppState>,
    ) -> Result<HttpResponse, AppError> {
        citizen_action(req, path, payload, state, Action::Withdraw).await
    }
);
