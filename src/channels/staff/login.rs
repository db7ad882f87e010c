//! Signing in and out of the console: the login form (double-submit CSRF cookie, since there is no
//! session yet), the login itself behind its limits (no lockout: decision 0041), and the logout
//! that ends the session on the server as well as in the browser.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::http::body::read_body;
use crate::http::forms::{base, check_csrf, csrf_token, form, merge, respond, see_other};
use crate::http::forms::{session_form, CsrfForm};
use crate::http::pages::{render, with_retry_after};
use crate::http::{client, AppState};
use crate::staff::tokens::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::staff::{self, authenticate};

fn login_page(
    state: &AppState,
    csrf: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let page = merge(
        base(state, "Đăng nhập cán bộ", None),
        json!({"csrf": csrf, "error": error}),
    );
    render(state, "staff/login", &page, status)
}

fn with_csrf_cookie(
    mut response: HttpResponse,
    state: &AppState,
    token: Option<&str>,
) -> HttpResponse {
    if let Some(token) = token {
        let _ = response.add_cookie(&tokens::cookie(
            CSRF_COOKIE,
            token.to_owned(),
            state.settings.staff.cookie_secure,
            86_400,
        ));
    }
    response
}

/// `GET /can-bo/dang-nhap`.
pub async fn show_login_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (csrf, new) = csrf_token(&req);
    let response = login_page(&state, &csrf, None, StatusCode::OK);
    with_csrf_cookie(response, &state, new.then_some(csrf.as_str()))
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub csrf: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// `POST /can-bo/dang-nhap`: on success a new session cookie and a redirect to the inbox.
pub async fn log_in(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (csrf, new) = csrf_token(&req);
    let result = async {
        let body = read_body(payload, 8192).await?;
        let input: LoginForm = form(&body)?;
        check_csrf(&req, input.csrf.as_deref())?;
        staff::log_in(
            &state.pool,
            &state.settings.staff,
            &state.staff_logins,
            &client(&req, &state)?,
            input.username.as_deref().unwrap_or(""),
            input.password.as_deref().unwrap_or(""),
        )
        .await
    }
    .await;
    match result {
        Ok(session) => {
            let mut response = see_other("/can-bo");
            let _ = response.add_cookie(&tokens::cookie(
                SESSION_COOKIE,
                session.cookie_value,
                state.settings.staff.cookie_secure,
                state.settings.staff.session_minutes * 60,
            ));
            response
        }
        Err(error) => {
            error.log();
            let response = login_page(&state, &csrf, Some(&error.message), error.code.status());
            let response = with_retry_after(response, error.retry_after);
            with_csrf_cookie(response, &state, new.then_some(csrf.as_str()))
        }
    }
}

/// `POST /can-bo/dang-xuat`: deletes the session server-side and the cookie.
pub async fn log_out(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authenticate(&req, &state.pool).await?;
        let _: CsrfForm = session_form(&session, payload, 4096).await?;
        staff::log_out(&req, &state.pool).await?;
        let mut response = see_other("/can-bo/dang-nhap");
        let _ = response.add_cookie(&tokens::removal(
            SESSION_COOKIE,
            state.settings.staff.cookie_secure,
        ));
        Ok(response)
    }
    .await;
    respond(&state, result)
}
