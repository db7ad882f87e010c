//! The citizen's lookup page `/tra-cuu`: server-rendered, works without JavaScript, one field that
//! takes either a dossier code or a 10-digit lookup number, and an optional phone proof.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{client_key, AppState};
use crate::domain::{DossierCode, LookupNumber, PhoneLast4};
use crate::error::{retry_seconds, AppError, Code};
use crate::lookup::view::ProofOutcome;

/// Registers the page routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(redirect_to_lookup))
        .route("/tra-cuu", web::get().to(show_lookup_page));
}

async fn redirect_to_lookup() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/tra-cuu"))
        .finish()
}

/// The page's query string. Unknown parameters (e.g. tracking tags added by chat apps) are ignored.
#[derive(Debug, Deserialize)]
pub struct LookupPageQuery {
    /// A dossier code or a lookup number.
    pub ma: Option<String>,
    /// Last four digits of the applicant's phone.
    pub phone4: Option<String>,
}

#[derive(Serialize)]
struct LookupPage<'a> {
    province: &'a str,
    hotline: &'a str,
    query: &'a str,
    phone4: &'a str,
    error: Option<PageError>,
    dossier: Option<serde_json::Value>,
    stale: bool,
    proof_rejected: bool,
    proof_locked: bool,
}

#[derive(Serialize)]
struct PageError {
    title: &'static str,
    message: String,
    hint: Option<&'static str>,
}

/// `GET /tra-cuu[?ma=...&phone4=...]`.
pub async fn show_lookup_page(
    req: HttpRequest,
    query: web::Query<LookupPageQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let raw = query.ma.as_deref().unwrap_or("").trim();
    let phone4 = query.phone4.as_deref().unwrap_or("").trim();
    let mut page = LookupPage {
        province: &state.settings.province.name,
        hotline: &state.settings.province.hotline,
        query: raw,
        phone4,
        error: None,
        dossier: None,
        stale: false,
        proof_rejected: false,
        proof_locked: false,
    };
    if raw.is_empty() {
        return render(&state, "pages/lookup", &page, StatusCode::OK);
    }
    let mut retry_after = None;
    let status = match look_up(&req, &state, raw, phone4).await {
        Ok(lookup) => {
            page.dossier = serde_json::from_slice(&lookup.to_json()).ok();
            page.stale = !lookup.database_up;
            page.proof_rejected = lookup.proof == ProofOutcome::Rejected;
            page.proof_locked = lookup.proof == ProofOutcome::Locked;
            StatusCode::OK
        }
        Err(error) => {
            error.log();
            retry_after = error.retry_after;
            let status = error.code.status();
            page.error = Some(PageError {
                title: title_for(error.code),
                message: error.message.clone(),
                hint: error.hint,
            });
            status
        }
    };
    with_retry_after(render(&state, "pages/lookup", &page, status), retry_after)
}

/// Adds `Retry-After` (whole seconds) to a rate-limited page.
pub(crate) fn with_retry_after(
    mut response: HttpResponse,
    retry_after: Option<std::time::Duration>,
) -> HttpResponse {
    if let Some(wait) = retry_after {
        if let Ok(value) = header::HeaderValue::from_str(&retry_seconds(wait).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

async fn look_up(
    req: &HttpRequest,
    state: &AppState,
    raw: &str,
    phone4: &str,
) -> Result<crate::lookup::Lookup, AppError> {
    let proof = if phone4.is_empty() {
        None
    } else {
        Some(PhoneLast4::parse(phone4)?)
    };
    let client = client_key(req, &state.settings.http.trusted_proxies);
    if looks_like_lookup_number(raw) {
        let number = LookupNumber::parse(raw)
            .map_err(|e| AppError::invalid(Code::InvalidLookupNumber, e))?;
        Ok(state
            .lookup
            .by_number(&client, number, proof.as_ref())
            .await?)
    } else {
        let code =
            DossierCode::parse(raw).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
        Ok(state.lookup.by_code(&client, &code, proof.as_ref()).await?)
    }
}

/// Digits with optional spaces, dots or dashes, and no letters: a lookup number, not a code.
fn looks_like_lookup_number(raw: &str) -> bool {
    let folded = crate::domain::text::fold_width(raw);
    folded.chars().any(|c| c.is_ascii_digit())
        && folded
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '.' | '-'))
        && folded.chars().filter(|c| c.is_ascii_digit()).count() <= 12
        && !folded.contains('-')
}

/// The heading of an error page or box.
pub(crate) fn title_for(code: Code) -> &'static str {
    match code {
        Code::DossierNotFound => "Không tìm thấy hồ sơ",
        Code::RateLimited => "Tra cứu quá nhiều lần",
        Code::UpstreamUnavailable => "Tạm thời chưa tra cứu được",
        Code::Internal => "Đã có lỗi xảy ra",
        Code::ItemNotFound => "Không tìm thấy",
        Code::Forbidden | Code::ProofRequired | Code::ProofRejected => {
            "Không có quyền xem hoặc thực hiện"
        }
        Code::CsrfRejected => "Biểu mẫu không hợp lệ",
        Code::LoginRequired | Code::InvalidCredentials | Code::AccountLocked => {
            "Chưa đăng nhập được"
        }
        Code::InvalidTransition | Code::AlreadyVoted => "Không thực hiện được",
        Code::PayloadTooLarge => "Nội dung quá lớn",
        Code::CredentialsRequired
        | Code::SignatureMissing
        | Code::SignatureInvalid
        | Code::SignatureExpired => "Cần xác thực",
        _ => "Thông tin nhập chưa đúng",
    }
}

/// Renders `template` as a whole HTML page; a template failure is logged and answered with a plain
/// 500 text.
pub(crate) fn render(
    state: &AppState,
    template: &str,
    page: &impl Serialize,
    status: StatusCode,
) -> HttpResponse {
    match state.templates.render(template, page) {
        Ok(html) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html),
        Err(error) => {
            AppError::internal(anyhow::Error::new(error).context("rendering a page")).log();
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("Đã có lỗi xảy ra. Vui lòng thử lại sau.")
        }
    }
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    province: &'a str,
    hotline: &'a str,
    title: &'static str,
    message: &'a str,
}

/// A whole HTML page for an error outside the lookup form (unknown address, ...).
pub fn error_page(state: &AppState, error: &AppError) -> HttpResponse {
    let page = ErrorPage {
        province: &state.settings.province.name,
        hotline: &state.settings.province.hotline,
        title: match error.code {
            Code::RouteNotFound => "Không tìm thấy trang",
            other => title_for(other),
        },
        message: &error.message,
    };
    render(state, "errors/page", &page, error.code.status())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_alone_are_a_lookup_number_and_codes_are_not() {
        assert!(looks_like_lookup_number("1234 5678 90"));
        assert!(looks_like_lookup_number("１２３４５６７８９０"));
        assert!(!looks_like_lookup_number("000.00.53.H48-220921-0099"));
        assert!(!looks_like_lookup_number("H57.132-260804-0583"));
        assert!(!looks_like_lookup_number("abc"));
    }
}
