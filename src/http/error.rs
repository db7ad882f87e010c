//! An [`AppError`] as an HTTP response: the JSON error body with its status, `Cache-Control:
//! no-store` and, when rate limited, `Retry-After`. Pages render errors through
//! [`super::pages::error_page`] instead.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use crate::error::{retry_seconds, AppError};

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut response = HttpResponse::build(self.code.status());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(wait) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, retry_seconds(wait).to_string()));
        }
        response.json(self.body())
    }
}
