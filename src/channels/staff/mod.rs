//! The staff console (server-rendered): login with lockout, logout, the inbox with filters, the
//! item page with its history and actions, publication with a preview of what is masked, and the
//! administrator's pages (staff accounts, routing rules). Every form carries the session's CSRF
//! token; an agency officer only ever reaches their own agency's items (the scope goes into every
//! query, so another agency's item is "not found", by list, by direct URL and by action).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

pub mod audit;

use crate::domain::intake::{next_state, Action, InboxFilter, IntakeChannel, Kind, State};
use crate::domain::vn_time;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::forms::{base, form, merge, respond, see_other, session_form, CsrfForm};
use crate::http::forms::{check_csrf, csrf_token};
use crate::http::pages::render;
use crate::http::{method_not_allowed, AppState};
use crate::intake::{parse_tracking_code, preview_publication, ActionInput};
use crate::staff::tokens::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::staff::{self, authenticate, authorise, AccountInput, Role, StaffSession};

/// Registers the console routes under `/can-bo`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/can-bo/dang-nhap")
            .route(web::get().to(show_login_form))
            .route(web::post().to(log_in))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/dang-xuat")
            .route(web::post().to(log_out))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/can-bo", web::get().to(show_inbox))
    .route("/can-bo/muc/{code}", web::get().to(show_item))
    .service(
        web::resource("/can-bo/muc/{code}/{action}")
            .route(web::post().to(act_on_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/tai-khoan")
            .route(web::get().to(show_accounts))
            .route(web::post().to(create_account))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/tai-khoan/{id}")
            .route(web::post().to(update_account))
            .default_service(web::to(method_not_allowed)),
    )
    .configure(audit::configure)
    .service(
        web::resource("/can-bo/dinh-tuyen")
            .route(web::get().to(show_routes))
            .route(web::post().to(upsert_route))
            .default_service(web::to(method_not_allowed)),
    );
}

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

/// The inbox filters.
#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    pub state: Option<String>,
    pub agency: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    pub overdue: Option<String>,
    /// Page number; anything unreadable is page 1.
    pub page: Option<String>,
}

fn nonempty(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// An inbox filter: blank is no filter, anything else must be one of the names `parse` knows.
fn filter_value<T>(
    raw: &Option<String>,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    nonempty(raw)
        .map(|value| {
            parse(&value).ok_or_else(|| {
                AppError::with_message(Code::InvalidInput, format!("Bộ lọc không hợp lệ: {what}."))
            })
        })
        .transpose()
}

/// `GET /can-bo[?state=&agency=&channel=&kind=&overdue=1&page=]`.
pub async fn show_inbox(
    req: HttpRequest,
    query: web::Query<InboxQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authenticate(&req, &state.pool).await?;
        if session.role == Role::Administrator {
            return Ok(see_other("/can-bo/tai-khoan"));
        }
        if session.role == Role::Operator {
            return Ok(see_other("/can-bo/tong-dai"));
        }
        let filter_state = filter_value(&query.state, "state", State::parse)?;
        let channel = filter_value(&query.channel, "channel", IntakeChannel::parse)?;
        let kind = filter_value(&query.kind, "kind", Kind::parse)?;
        let page_no = query
            .page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 10_000);
        let limit = state.settings.intake.page_size;
        let filter = InboxFilter {
            state: filter_state,
            agency_code: nonempty(&query.agency),
            channel,
            kind,
            overdue_only: query.overdue.as_deref() == Some("1"),
            limit,
            offset: (page_no - 1) * limit,
        };
        let items = state.intake.inbox(&session, &filter).await?;
        let agencies = state.intake.agencies().await?;
        let rows: Vec<Value> = items
            .iter()
            .map(|(item, overdue)| {
                json!({
                    "tracking_code": item.tracking_code,
                    "kind": item.kind.label(),
                    "channel": item.channel.label(),
                    "state": item.state.label(),
                    "subject": item.subject,
                    "agency": item.agency_name,
                    "received_at": vn_time(Some(item.received_at)),
                    "due_at": vn_time(match item.state {
                        State::Received => item.classify_due_at,
                        State::Answered => item.publish_due_at,
                        _ => item.handle_due_at,
                    }),
                    "overdue": overdue,
                })
            })
            .collect();
        let states: Vec<Value> = State::ALL
            .iter()
            .map(|s| json!({"key": s.as_str(), "label": s.label(), "selected": filter_state == Some(*s)}))
            .collect();
        let chosen_agency = filter.agency_code.clone().unwrap_or_default();
        let agency_options: Vec<Value> = agencies
            .iter()
            .filter(|a| session.scope().is_none_or(|s| s == a.code))
            .map(|a| json!({"code": a.code, "name": a.name, "selected": a.code == chosen_agency}))
            .collect();
        let page = merge(
            base(&state, "Hộp thư câu hỏi, phản ánh", Some(&session)),
            json!({
                "items": rows,
                "states": states,
                "agencies": agency_options,
                "channel": channel.map(IntakeChannel::as_str).unwrap_or_default(),
                "kind": kind.map(Kind::as_str).unwrap_or_default(),
                "overdue": filter.overdue_only,
                "scope": session.scope(),
                "next_url": (items.len() as i64 >= limit).then(|| {
                    let pairs = [
                        ("state", filter.state.map(State::as_str).unwrap_or_default().to_owned()),
                        ("agency", filter.agency_code.clone().unwrap_or_default()),
                        ("channel", filter.channel.map(IntakeChannel::as_str).unwrap_or_default().to_owned()),
                        ("kind", filter.kind.map(Kind::as_str).unwrap_or_default().to_owned()),
                        ("overdue", if filter.overdue_only { "1".into() } else { String::new() }),
                        ("page", (page_no + 1).to_string()),
                    ];
                    format!("/can-bo?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
                }),
            }),
        );
        Ok(render(&state, "staff/inbox", &page, StatusCode::OK))
    }
    .await;
    respond(&state, result)
}

async fn item_page(
    state: &AppState,
    session: &StaffSession,
    code: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (item, history, overdue) = state.intake.staff_item(session, code).await?;
    let current = item.state;
    let allowed = |action: Action, roles: &[Role]| {
        roles.contains(&session.role) && next_state(current, action).is_some()
    };
    let both = [Role::DeskHead, Role::AgencyOfficer];
    let can_publish = allowed(Action::Publish, &both) && item.is_public;
    let preview = can_publish.then(|| {
        let (preview, masked) = preview_publication(&item);
        json!({
            "subject": preview.public_subject,
            "body": preview.public_body,
            "answer": preview.public_answer,
            "masked": masked,
        })
    });
    let agencies = if allowed(Action::Forward, &[Role::DeskHead]) {
        state.intake.agencies().await?
    } else {
        Vec::new()
    };
    let history: Vec<Value> = history
        .iter()
        .map(|h| {
            json!({
                "at": vn_time(Some(h.at)),
                "action": h.action.as_str(),
                "to_state": h.to_state.label(),
                "actor": h.actor_label,
                "agency": h.agency_code,
                "note": h.note,
            })
        })
        .collect();
    let page = merge(
        base(state, &format!("Mục {}", item.tracking_code), Some(session)),
        json!({
            "error": error,
            "item": {
                "tracking_code": item.tracking_code,
                "kind": item.kind.label(),
                "channel": item.channel.label(),
                "state": current.label(),
                "public": item.is_public,
                "submitter_name": item.submitter_name,
                "submitter_phone": item.submitter_phone,
                "submitter_email": item.submitter_email,
                "submitter_address": item.submitter_address,
                "subject": item.subject,
                "body": item.body,
                "dossier_code": item.dossier_code,
                "procedure_code": item.procedure_code,
                "agency": item.agency_name,
                "received_at": vn_time(Some(item.received_at)),
                "classify_due_at": vn_time(item.classify_due_at),
                "handle_due_at": vn_time(item.handle_due_at),
                "refuse_due_at": vn_time(item.refuse_due_at),
                "info_due_at": vn_time(item.info_due_at),
                "publish_due_at": vn_time(item.publish_due_at),
                "info_request": item.info_request,
                "answer": item.answer,
                "refuse_reason": item.refuse_reason,
                "answer_notice_pending": item.answer_notice_pending,
                "is_feedback": item.kind == Kind::Feedback,
                "topic": match item.topic.as_deref() {
                    Some("rules") => Some("Quy định, chính sách, thủ tục hành chính"),
                    Some("conduct") => Some("Hành vi, thái độ của cán bộ"),
                    _ => None,
                },
                "overdue": overdue,
            },
            "history": history,
            "can": {
                "forward": allowed(Action::Forward, &[Role::DeskHead]),
                "start": allowed(Action::Start, &both),
                "request_info": allowed(Action::RequestInfo, &both),
                "answer": allowed(Action::Answer, &both),
                "refuse": allowed(Action::Refuse, &both),
                "publish": can_publish,
                "unpublish": allowed(Action::Unpublish, &both),
            },
            "agencies": agencies.iter().map(|a| json!({"code": a.code, "name": a.name})).collect::<Vec<_>>(),
            "preview": preview,
        }),
    );
    Ok(render(state, "staff/item", &page, status))
}

/// `GET /can-bo/muc/{code}`.
pub async fn show_item(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authenticate(&req, &state.pool).await?;
        let code = parse_tracking_code(&path)?;
        let response = item_page(&state, &session, &code, None, StatusCode::OK).await?;
        // The page showed the submitter's name, phone, e-mail and address: record who saw them.
        crate::staff::audit::append(
            &state.pool,
            &session,
            &crate::staff::audit::AuditEntry {
                action: crate::staff::audit::AuditAction::IntakeItemView,
                subject: &code,
                reason: None,
                shown: std::slice::from_ref(&code),
                call_id: None,
            },
        )
        .await?;
        Ok(response)
    }
    .await;
    respond(&state, result)
}

/// The fields of the action forms.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    pub agency_code: Option<String>,
    pub text: Option<String>,
    pub topic: Option<String>,
}

/// `POST /can-bo/muc/{code}/{action}` (`forward`, `start`, `request-info`, `answer`, `refuse`,
/// `publish`, `unpublish`): applies it and goes back to the item page.
pub async fn act_on_item(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (raw_code, raw_action) = path.into_inner();
    let result = async {
        let session = authenticate(&req, &state.pool).await?;
        let input: ActionForm =
            session_form(&session, payload, state.settings.intake.max_request_bytes).await?;
        let code = parse_tracking_code(&raw_code)?;
        let action =
            Action::parse_staff(&raw_action).ok_or_else(|| AppError::new(Code::RouteNotFound))?;
        let action_input = ActionInput {
            agency_code: input.agency_code,
            text: input.text,
            topic: input.topic,
        };
        match state
            .intake
            .act(&session, &code, action, &action_input)
            .await
        {
            Ok(_) => Ok(see_other(&format!("/can-bo/muc/{code}"))),
            Err(error)
                if matches!(
                    error.code,
                    Code::InvalidSubmission | Code::InvalidTransition
                ) =>
            {
                item_page(
                    &state,
                    &session,
                    &code,
                    Some(&error.message),
                    error.code.status(),
                )
                .await
            }
            Err(error) => Err(error),
        }
    }
    .await;
    respond(&state, result)
}

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
                "locked": a.locked_until.is_some_and(|u| u > chrono::Utc::now()),
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

async fn routes_page(
    state: &AppState,
    session: &StaffSession,
    error: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let routes = staff::routes::list(&state.pool).await?;
    let agencies = state.intake.agencies().await?;
    let page = merge(
        base(state, "Quy tắc chuyển xử lý", Some(session)),
        json!({
            "error": error,
            "routes": routes.iter().map(|r| json!({
                "procedure_code": r.procedure_code, "procedure_name": r.procedure_name,
                "level": r.level, "agency_code": r.agency_code, "agency_name": r.agency_name,
            })).collect::<Vec<_>>(),
            "agencies": agencies.iter().map(|a| json!({"code": a.code, "name": a.name})).collect::<Vec<_>>(),
        }),
    );
    Ok(render(state, "staff/routes", &page, status))
}

/// `GET /can-bo/dinh-tuyen` (administrator): the routing rules.
pub async fn show_routes(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        routes_page(&state, &session, None, StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// The routing rule form.
#[derive(Debug, Deserialize)]
pub struct RouteForm {
    pub procedure_code: Option<String>,
    pub level: Option<String>,
    pub agency_code: Option<String>,
}

/// `POST /can-bo/dinh-tuyen` (administrator): sets who handles a procedure at a level.
pub async fn upsert_route(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: RouteForm = session_form(&session, payload, 4096).await?;
        let set = staff::routes::set(
            &state.pool,
            input.procedure_code.as_deref().unwrap_or(""),
            input.level.as_deref().unwrap_or(""),
            input.agency_code.as_deref().unwrap_or(""),
        )
        .await?;
        match set {
            Ok(()) => Ok(see_other("/can-bo/dinh-tuyen")),
            Err(message) => {
                routes_page(&state, &session, Some(&message), StatusCode::BAD_REQUEST).await
            }
        }
    }
    .await;
    respond(&state, result)
}
