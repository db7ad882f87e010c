//! Forms posted by browsers: reading them, the double-submit CSRF token, the signed-in user's
//! CSRF check, redirects, and the common context of console pages.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::read_body;
use super::pages::render;
use super::AppState;
use crate::error::{AppError, Code};
use crate::staff::tokens::{self, CSRF_COOKIE};
use crate::staff::{Role, StaffSession};

/// The double-submit CSRF token of a browser: the cookie's, or a new one to set.
pub fn csrf_token(req: &HttpRequest) -> (String, bool) {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if c.value().len() == 64 && c.value().chars().all(|c| c.is_ascii_hexdigit()) => {
            (c.value().to_owned(), false)
        }
        _ => (tokens::random_token(), true),
    }
}

/// Fails with `csrf_rejected` unless the form's token equals the browser's CSRF cookie.
pub fn check_csrf(req: &HttpRequest, submitted: Option<&str>) -> Result<(), AppError> {
    match (req.cookie(CSRF_COOKIE), submitted) {
        (Some(cookie), Some(token)) if tokens::tokens_equal(cookie.value(), token) => Ok(()),
        _ => Err(AppError::new(Code::CsrfRejected)),
    }
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Turns a console error into its page: the login form when not logged in, else an error page.
pub fn respond(state: &AppState, result: Result<HttpResponse, AppError>) -> HttpResponse {
    match result {
        Ok(response) => response,
        Err(error) if error.code == Code::LoginRequired => see_other("/can-bo/dang-nhap"),
        Err(error) => {
            error.log();
            staff_error_page(state, &error)
        }
    }
}

/// A console error as a page in the console's own layout (no citizen header or footer).
pub fn staff_error_page(state: &AppState, error: &AppError) -> HttpResponse {
    let page = merge(
        base(state, error.code.title(), None),
        json!({ "message": error.message }),
    );
    render(state, "staff/error", &page, error.code.status())
}

pub fn base(state: &AppState, title: &str, session: Option<&StaffSession>) -> Value {
    json!({
        "title": title,
        "province": state.settings.province.name,
        "hotline": state.settings.province.hotline,
        "staff": session.map(|s| json!({
            "display_name": s.display_name,
            "role": s.role.label(),
            // An agency officer's agency; everyone else works for the whole province.
            "agency": s.agency_name.as_deref().unwrap_or("Toàn tỉnh"),
            "csrf": s.csrf_token,
            "is_admin": s.role == Role::Administrator,
            "handles_items": matches!(s.role, Role::DeskHead | Role::AgencyOfficer),
            "is_operator": s.role == Role::Operator,
        })),
    })
}

pub fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

pub fn form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::with_message(Code::InvalidInput, "Biểu mẫu gửi lên không đọc được."))
}

/// Reads a form posted by a signed-in user: the body (at most `limit` bytes), its CSRF token
/// checked against the session, then the fields as `T`.
pub(crate) async fn session_form<T: serde::de::DeserializeOwned>(
    session: &StaffSession,
    payload: web::Payload,
    limit: usize,
) -> Result<T, AppError> {
    let body = read_body(payload, limit).await?;
    let token: CsrfForm = form(&body)?;
    session.check_csrf(token.csrf.as_deref().unwrap_or(""))?;
    form(&body)
}

/// The CSRF field of simple forms.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// The levels of government of today for a form's pick list (`chosen` selected), from
/// `agency_levels`: the historical district is never offered.
pub async fn level_options(state: &AppState, chosen: Option<&str>) -> Result<Vec<Value>, AppError> {
    Ok(state
        .intake
        .current_levels()
        .await?
        .iter()
        .map(|l| json!({"code": l.code, "label": l.label_vi, "selected": Some(l.code.as_str()) == chosen}))
        .collect())
}

/// The communes (xã, phường, đặc khu) that receive dossiers today for a form's pick list
/// (`chosen` selected), in alphabetical order.
pub async fn commune_options(
    state: &AppState,
    chosen: Option<&str>,
) -> Result<Vec<Value>, AppError> {
    Ok(state
        .intake
        .communes()
        .await?
        .iter()
        .map(|a| json!({"code": a.code, "name": a.name, "selected": Some(a.code.as_str()) == chosen}))
        .collect())
}
