//! Whole HTML pages: rendering a template, the error page, page titles and `Retry-After`.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use super::AppState;
use crate::error::{retry_seconds, AppError};

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

/// The error box of a form page: the code's title, the message and the hint of the expected
/// form.
#[derive(Debug, Serialize)]
pub struct PageError {
    pub title: &'static str,
    pub message: String,
    pub hint: Option<&'static str>,
}

impl PageError {
    /// The box for `error`.
    pub fn of(error: &AppError) -> Self {
        Self {
            title: error.code.title(),
            message: error.message.clone(),
            hint: error.hint,
        }
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
        title: error.code.title(),
        message: &error.message,
    };
    render(state, "errors/page", &page, error.code.status())
}
