//! The administrator's agencies (`/can-bo/co-quan`): the list with each agency's level, opening
//! and closing days and successors (living or closed, searched by name or code), one agency's
//! lifecycle edited, and the agencies catalog imported from a pasted CSV file. Only
//! administrators reach it; every form carries the session's CSRF token; a refused form comes
//! back with what was typed and the reasons, in Vietnamese with the fields' labels.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::text::{char_len, clean_line};
use crate::error::{AppError, Code};
use crate::http::forms::{base, merge, respond, see_other, session_form};
use crate::http::method_not_allowed;
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::agencies::{
    self, AgencyLifecycleRow, LifeFilter, LifecycleInput, MAX_LISTED, MAX_PASTE_BYTES,
};
use crate::staff::{authorise, Role, StaffSession};

/// Largest import form: the pasted file, with room for its URL encoding.
const MAX_FORM_BYTES: usize = 3 * MAX_PASTE_BYTES;
/// Largest lifecycle form.
const MAX_EDIT_FORM_BYTES: usize = 16 * 1024;
/// Longest search text.
const MAX_SEARCH_CHARS: usize = 100;

/// Registers the agencies pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/can-bo/co-quan", web::get().to(show_agencies))
        .service(
            web::resource("/can-bo/co-quan/nhap")
                .route(web::post().to(import_agencies))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/can-bo/co-quan/{code}")
                .route(web::get().to(show_agency))
                .route(web::post().to(change_agency))
                .default_service(web::to(method_not_allowed)),
        );
}

/// The list's filter and search.
#[derive(Debug, Default, Deserialize)]
pub struct AgenciesQuery {
    /// `con` (living), `dong` (closed) or blank (all).
    pub loc: Option<String>,
    /// Part of a name (diacritics optional) or of a code.
    pub q: Option<String>,
}

/// The lifecycle form, and the import's.
#[derive(Debug, Default, Deserialize)]
pub struct AgencyForm {
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub successors: Option<String>,
    pub csv: Option<String>,
}

fn parse_query(query: &AgenciesQuery) -> Result<(LifeFilter, Option<String>), AppError> {
    let filter = match query.loc.as_deref().map(str::trim).unwrap_or("") {
        "" => LifeFilter::All,
        "con" => LifeFilter::Living,
        "dong" => LifeFilter::Closed,
        _ => {
            return Err(AppError::with_message(
                Code::InvalidInput,
                "Tình trạng: chọn “Còn hoạt động”, “Đã ngừng hoạt động” hoặc để trống.",
            ))
        }
    };
    let search = query.q.as_deref().map(clean_line).filter(|q| !q.is_empty());
    if search
        .as_deref()
        .is_some_and(|q| char_len(q) > MAX_SEARCH_CHARS)
    {
        return Err(AppError::with_message(
            Code::InvalidInput,
            format!("Tìm theo tên hoặc mã: dài quá {MAX_SEARCH_CHARS} ký tự."),
        ));
    }
    Ok((filter, search))
}

fn day(date: Option<chrono::NaiveDate>) -> (String, String) {
    date.map_or_else(
        || (String::new(), String::new()),
        |d| (d.to_string(), d.format("%d/%m/%Y").to_string()),
    )
}

fn agency_json(agency: &AgencyLifecycleRow) -> Value {
    let (from, from_shown) = day(agency.valid_from);
    let (until, until_shown) = day(agency.valid_until);
    json!({
        "code": agency.code,
        "name": agency.name,
        "level": agency.level_label,
        "valid_from": from,
        "valid_from_shown": from_shown,
        "valid_until": until,
        "valid_until_shown": until_shown,
        "closed": agency.closed,
        "successors": agency.successors.iter().map(|(code, name)| json!({
            "code": code,
            "name": if name.is_empty() { "(không có trong danh mục)" } else { name },
        })).collect::<Vec<_>>(),
        "successor_codes": agency.successors.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join("; "),
    })
}

/// What the list page shows besides the agencies.
#[derive(Default)]
struct Outcome {
    error: Option<String>,
    errors: Vec<String>,
    notice: Option<String>,
    csv: String,
}

async fn list_page(
    state: &AppState,
    session: &StaffSession,
    query: &AgenciesQuery,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (filter, search) = parse_query(query)?;
    let rows = agencies::list(&state.pool, filter, search.as_deref()).await?;
    let page = merge(
        base(state, "Cơ quan", Some(session)),
        json!({
            "q": search.unwrap_or_default(),
            "filters": [
                {"key": "", "label": "Tất cả", "current": filter == LifeFilter::All},
                {"key": "con", "label": "Còn hoạt động", "current": filter == LifeFilter::Living},
                {"key": "dong", "label": "Đã ngừng hoạt động", "current": filter == LifeFilter::Closed},
            ],
            "agencies": rows.iter().map(agency_json).collect::<Vec<_>>(),
            "limited": rows.len() as i64 >= MAX_LISTED,
            "error": outcome.error,
            "errors": outcome.errors,
            "notice": outcome.notice,
            "csv": outcome.csv,
        }),
    );
    Ok(render(state, "staff/agencies", &page, status))
}

/// `GET /can-bo/co-quan?loc=con|dong&q=...` (administrator): the agencies and the import form.
pub async fn show_agencies(
    req: HttpRequest,
    query: web::Query<AgenciesQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        list_page(&state, &session, &query, Outcome::default(), StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

async fn agency_page(
    state: &AppState,
    session: &StaffSession,
    code: &str,
    errors: Vec<String>,
    typed: Option<&AgencyForm>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let agency = agencies::get(&state.pool, code).await?;
    let mut shown = agency_json(&agency);
    if let Some(typed) = typed {
        shown["valid_from"] = json!(typed.valid_from.clone().unwrap_or_default());
        shown["valid_until"] = json!(typed.valid_until.clone().unwrap_or_default());
        shown["successor_codes"] = json!(typed.successors.clone().unwrap_or_default());
    }
    let page = merge(
        base(state, &format!("Cơ quan {}", agency.code), Some(session)),
        json!({
            "agency": shown,
            "errors": errors,
        }),
    );
    Ok(render(state, "staff/agency", &page, status))
}

/// `GET /can-bo/co-quan/{code}` (administrator): one agency's lifecycle form.
pub async fn show_agency(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        agency_page(&state, &session, &path, Vec::new(), None, StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/co-quan/{code}` (administrator): sets the agency's opening and closing days and
/// its successors.
pub async fn change_agency(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: AgencyForm = session_form(&session, payload, MAX_EDIT_FORM_BYTES).await?;
        let lifecycle = LifecycleInput {
            valid_from: input.valid_from.as_deref().unwrap_or(""),
            valid_until: input.valid_until.as_deref().unwrap_or(""),
            successors: input.successors.as_deref().unwrap_or(""),
        };
        match agencies::change_lifecycle(&state.pool, &state.sync, &session, &path, lifecycle)
            .await?
        {
            // A canonical code is digits, capitals and dots: safe in a URL as it is.
            Ok(code) => Ok(see_other(&format!("/can-bo/co-quan?q={code}"))),
            Err(errors) => {
                agency_page(
                    &state,
                    &session,
                    &path,
                    errors,
                    Some(&input),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        }
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/co-quan/nhap` (administrator): imports a pasted agencies file; a file with
/// errors changes nothing and comes back with every refused line.
pub async fn import_agencies(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: AgencyForm = session_form(&session, payload, MAX_FORM_BYTES).await?;
        let text = input.csv.as_deref().unwrap_or("");
        let query = AgenciesQuery::default();
        match agencies::import(&state.pool, &state.sync, &session, text).await? {
            Ok(report) => {
                let outcome = Outcome {
                    notice: Some(agencies::import_message(&report)),
                    ..Outcome::default()
                };
                list_page(&state, &session, &query, outcome, StatusCode::OK).await
            }
            Err(errors) => {
                let outcome = Outcome {
                    error: Some(format!(
                        "Tệp CSV có {} lỗi; danh mục cơ quan không thay đổi. Sửa các dòng sau rồi nhập lại:",
                        errors.len()
                    )),
                    errors,
                    csv: text.to_owned(),
                    ..Outcome::default()
                };
                list_page(&state, &session, &query, outcome, StatusCode::BAD_REQUEST).await
            }
        }
    }
    .await;
    respond(&state, result)
}
