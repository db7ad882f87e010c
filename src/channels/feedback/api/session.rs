//! Who is logged in, for staff consoles written in JavaScript.

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::staff::StaffSession;

/// Who is logged in, for staff consoles written in JavaScript (and the CSRF token their API
/// calls send in `X-CSRF-Token`).
#[derive(Debug, Serialize)]
pub struct StaffSessionView {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub agency_code: Option<String>,
    pub csrf_token: String,
}

/// `GET /api/v1/staff/session`.
pub async fn show_staff_session(session: StaffSession) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(StaffSessionView {
            username: session.username,
            display_name: session.display_name,
            role: session.role.as_str(),
            agency_code: session.agency_code,
            csrf_token: session.csrf_token,
        })
}
