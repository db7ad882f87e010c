//! Whole HTML pages: rendering a template, the error page, page titles and `Retry-After`.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use super::AppState;
use crate::error::{retry_seconds, AppError, Code};

/// Adds `Retry-After` (whole seconds) to a rate-limited page.
pub fn with_retry_after(
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

/// The heading of an error page or box.
pub fn title_for(code: Code) -> &'static str {
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
pub fn render(
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
