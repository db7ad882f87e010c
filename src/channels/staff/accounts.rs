//! The administrator's staff accounts: the list, creating an account, and changing one (role,
//! agency, name, active, password), which ends the account's sessions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::AppError;
use crate::http::forms::{base, merge, respond, session_form};
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::{self, authorise, AccountInput, Role, StaffSession};

async fn accounts_page(
    state: &AppState,
    session: &StaffSession,
    error: Option<&str>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let accounts = staff::list_accounts(&state.pool).await?;
    let agencies = state.intake.agencies().await?;
    let rows: Vec<Value> = accounts
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "role_label": Role::parse(&a.role).map(Role::label),
                "agency_code": a.agency_code.clone().unwrap_or_default(),
                "active": a.active,
            })
        })
        .collect();
    let roles: Vec<Value> = Role::ALL
        .iter()
        .map(|r| json!({"key": r.as_str(), "label": r.label()}))
        .collect();
    let page = merge(
        base(state, "Tài khoản cán bộ", Some(session)),
        json!({
            "error": error, "notice": notice, "accounts": rows, "roles": roles,
            "agencies": agencies.iter().map(|a| json!({"code": a.code, "name": a.name})).collect::<Vec<_>>(),
        }),
    );
    Ok(render(state, "staff/accounts", &page, status))
}

/// `GET /can-bo/tai-khoan` (administrator).
pub async fn show_accounts(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        accounts_page(&state, &session, None, None, StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// The account form.
#[derive(Debug, Deserialize)]
pub struct AccountForm {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub agency_code: Option<String>,
    pub password: Option<String>,
    pub active: Option<String>,
}

/// `POST /can-bo/tai-khoan` (administrator): creates an account.
pub async fn create_account(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: AccountForm = session_form(&session, payload, 8192).await?;
        let parsed = AccountInput::parse(
            input.username.as_deref().unwrap_or(""),
            input.display_name.as_deref().unwrap_or(""),
            input.role.as_deref().unwrap_or(""),
            input.agency_code.as_deref(),
            input.password.as_deref().unwrap_or(""),
        );
        let created = match parsed {
            Ok(account) => {
                let client = state
                    .pool
                    .get()
                    .await
                    .map_err(|e| AppError::unavailable(Some(e.into())))?;
                staff::create_account(&client, &account).await
            }
            Err(message) => Err(message),
        };
        match created {
            Ok(id) => {
                tracing::info!(
                    staff.account_id = id,
                    "staff account {id} created by account {}",
                    session.account_id
                );
                accounts_page(
                    &state,
                    &session,
                    None,
                    Some("Đã tạo tài khoản."),
                    StatusCode::CREATED,
                )
                .await
            }
            Err(message) => {
                accounts_page(
                    &state,
                    &session,
                    Some(&message),
                    None,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        }
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/tai-khoan/{id}` (administrator): changes role, agency, name, active, password.
/// Every session of the account ends, so a change of role takes effect at once.
pub async fn update_account(
    req: HttpRequest,
    path: web::Path<i64>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: AccountForm = session_form(&session, payload, 8192).await?;
        let new_password = input.password.as_deref().filter(|p| !p.is_empty());
        // Reuse the creation checks; the username is not changed, a placeholder password passes.
        let parsed = AccountInput::parse(
            "placeholder",
            input.display_name.as_deref().unwrap_or(""),
            input.role.as_deref().unwrap_or(""),
            input.agency_code.as_deref(),
            new_password.unwrap_or("placeholder-password"),
        );
        let account = match parsed {
            Ok(account) => account,
            Err(message) => {
                return accounts_page(
                    &state,
                    &session,
                    Some(&message),
                    None,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        };
        let updated = staff::update_account(
            &state.pool,
            *path,
            &account,
            input.active.is_some(),
            new_password,
        )
        .await?;
        match updated {
            Ok(()) => {
                accounts_page(
                    &state,
                    &session,
                    None,
                    Some("Đã cập nhật tài khoản."),
                    StatusCode::OK,
                )
                .await
            }
            Err(message) => {
                accounts_page(
                    &state,
                    &session,
                    Some(&message),
                    None,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        }
    }
    .await;
    respond(&state, result)
}
