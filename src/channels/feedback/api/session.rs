//! Who is logged in, for staff consoles written in JavaScript.

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::staff::{Role, StaffSession};

/// Who is logged in, for staff consoles written in JavaScript (and the CSRF token their API
/// calls send in `X-CSRF-Token`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = StaffSession,
    description = "Cán bộ đang đăng nhập. / The signed-in staff member.")]
pub struct StaffSessionView {
    /// Tên đăng nhập. / The login name.
    pub username: String,
    /// Tên hiển thị. / The name shown.
    pub display_name: String,
    /// Vai trò. / The role.
    #[schema(schema_with = role_schema)]
    pub role: &'static str,
    /// Mã cơ quan của cán bộ (null: không gắn cơ quan). / The staff member's agency (null: none).
    #[schema(required = true, example = "000.00.18.H48")]
    pub agency_code: Option<String>,
    /// Mã chống giả mạo, gửi lại trong `X-CSRF-Token`. / The CSRF token, sent back in
    /// `X-CSRF-Token`.
    pub csrf_token: String,
}

fn role_schema() -> utoipa::openapi::Object {
    crate::channels::feedback::string_enum("Vai trò. / The role.", Role::ALL.map(Role::as_str))
}

/// `GET /api/v1/staff/session`.
#[utoipa::path(
    get,
    path = "/api/v1/staff/session",
    operation_id = "get_staff_session",
    tag = crate::http::openapi::TAG_STAFF,
    summary = "Phiên cán bộ đang đăng nhập / The signed-in staff session",
    description = "Ai đang đăng nhập, và mã CSRF các lệnh API của cán bộ gửi kèm, cho trang cán bộ viết bằng JavaScript.\n\nWho is signed in, and the CSRF token staff API calls carry, for staff consoles written in JavaScript.",
    responses(
        (status = 200, description = "Phiên đăng nhập. / The session.", body = StaffSessionView),
        (status = 401, description = "`login_required`: chưa đăng nhập hoặc phiên đã hết. / `login_required`: not signed in, or the session ended.", body = crate::error::ErrorBody),
    ),
    security(("phien_can_bo" = []))
)]
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
