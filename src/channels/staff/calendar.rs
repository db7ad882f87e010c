//! The administrator's working calendar (`/can-bo/lich-lam-viec`): the exceptions of a year, a
//! day added, changed or deleted, and a CSV file pasted in to replace whole years. Only
//! administrators reach it; every form carries the session's CSRF token; a refused form comes
//! back with what was typed and the reason, in Vietnamese with the field's label.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::calendar::{self, Importer};
use crate::domain::calendar_entry::{weekday_name, RawEntry};
use crate::domain::{vn_offset, DayKind};
use crate::error::{AppError, Code};
use crate::http::forms::{base, merge, respond, see_other, session_form};
use crate::http::method_not_allowed;
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::{authorise, Role, StaffSession};

/// Largest form: the import's pasted file, with room for its URL encoding.
const MAX_FORM_BYTES: usize = 3 * crate::calendar::csv::MAX_FILE_BYTES;
/// Largest form of a single day.
const MAX_DAY_FORM_BYTES: usize = 8 * 1024;

/// Registers the calendar pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/can-bo/lich-lam-viec")
            .route(web::get().to(show_calendar))
            .route(web::post().to(add_day))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/can-bo/lich-lam-viec.csv", web::get().to(export_calendar))
    .service(
        web::resource("/can-bo/lich-lam-viec/nhap")
            .route(web::post().to(import_calendar))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/lich-lam-viec/{day}")
            .route(web::post().to(change_day))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/lich-lam-viec/{day}/xoa")
            .route(web::post().to(delete_day))
            .default_service(web::to(method_not_allowed)),
    );
}

/// The year shown.
#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    pub nam: Option<String>,
}

/// A day's form (add and change), and the import's.
#[derive(Debug, Default, Deserialize)]
pub struct DayForm {
    pub day: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub estimate: Option<String>,
    pub source: Option<String>,
    pub csv: Option<String>,
}

impl DayForm {
    fn raw(&self) -> RawEntry<'_> {
        RawEntry {
            day: self.day.as_deref().unwrap_or(""),
            kind: self.kind.as_deref().unwrap_or(""),
            name: self.name.as_deref().unwrap_or(""),
            estimate: self.estimate.as_deref().unwrap_or(""),
            source: self.source.as_deref().unwrap_or(""),
        }
    }
}

fn this_year() -> i32 {
    Utc::now().with_timezone(&vn_offset()).year()
}

/// The year of `?nam=`: four digits in 2000–2099, else a 400 naming the field.
fn parse_year(query: &CalendarQuery) -> Result<i32, AppError> {
    match query
        .nam
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        None => Ok(this_year()),
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2099).contains(y))
            .ok_or_else(|| {
                AppError::with_message(Code::InvalidInput, "Năm: cần là một năm từ 2000 đến 2099.")
            }),
    }
}

/// What the page shows besides the year's days.
#[derive(Default)]
struct Outcome<'a> {
    error: Option<String>,
    errors: Vec<String>,
    notice: Option<String>,
    form: Option<&'a DayForm>,
}

async fn calendar_page(
    state: &AppState,
    session: &StaffSession,
    year: i32,
    outcome: Outcome<'_>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let days = calendar::list_year(&state.pool, year).await?;
    let mut years = calendar::list_years(&state.pool).await?;
    let now = this_year();
    years.extend([year, now, now + 1]);
    years.sort_unstable();
    years.dedup();
    let kinds: Vec<Value> = DayKind::ALL
        .iter()
        .map(|k| json!({"key": k.as_str(), "label": k.label()}))
        .collect();
    let empty = DayForm::default();
    let form = outcome.form.unwrap_or(&empty);
    let page = merge(
        base(state, "Lịch làm việc", Some(session)),
        json!({
            "year": year,
            "years": years.iter().map(|y| json!({"year": y, "current": *y == year})).collect::<Vec<_>>(),
            "error": outcome.error,
            "errors": outcome.errors,
            "notice": outcome.notice,
            "kinds": kinds,
            "days": days.iter().map(|d| json!({
                "day": d.day.to_string(),
                "shown": d.day.format("%d/%m/%Y").to_string(),
                "weekday": weekday_name(d.day.weekday()),
                "kind": d.kind,
                "name": d.name,
                "estimate": d.estimate,
                "source": d.source.clone().unwrap_or_default(),
                "origin": calendar::origin_label(&d.origin),
                "changed_by": d.changed_by.clone().unwrap_or_default(),
            })).collect::<Vec<_>>(),
            "form": {
                "day": form.day.clone().unwrap_or_default(),
                "kind": form.kind.clone().unwrap_or_else(|| DayKind::Holiday.as_str().to_owned()),
                "name": form.name.clone().unwrap_or_default(),
                "source": form.source.clone().unwrap_or_default(),
                "estimate": form.estimate.is_some(),
                "csv": form.csv.clone().unwrap_or_default(),
            },
        }),
    );
    Ok(render(state, "staff/calendar", &page, status))
}

fn year_link(day: chrono::NaiveDate) -> String {
    format!("/can-bo/lich-lam-viec?nam={}", day.year())
}

/// `GET /can-bo/lich-lam-viec?nam=YYYY` (administrator): the year's exceptions and the forms.
pub async fn show_calendar(
    req: HttpRequest,
    query: web::Query<CalendarQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let year = parse_year(&query)?;
        calendar_page(&state, &session, year, Outcome::default(), StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// `GET /can-bo/lich-lam-viec.csv?nam=YYYY` (administrator): the year as a CSV file the import
/// reads back.
pub async fn export_calendar(
    req: HttpRequest,
    query: web::Query<CalendarQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let year = parse_year(&query)?;
        let days = calendar::list_year(&state.pool, year).await?;
        Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"lich-lam-viec-{year}.csv\""),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(calendar::to_csv(&days)))
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/lich-lam-viec` (administrator): adds a day.
pub async fn add_day(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: DayForm = session_form(&session, payload, MAX_DAY_FORM_BYTES).await?;
        match calendar::add_day(&state.pool, &session, input.raw()).await? {
            Ok(day) => Ok(see_other(&year_link(day))),
            Err(message) => {
                let outcome = Outcome {
                    error: Some(message),
                    form: Some(&input),
                    ..Outcome::default()
                };
                calendar_page(
                    &state,
                    &session,
                    this_year(),
                    outcome,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        }
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/lich-lam-viec/{day}` (administrator): changes a day's kind, name, estimate and
/// source.
pub async fn change_day(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: DayForm = session_form(&session, payload, MAX_DAY_FORM_BYTES).await?;
        match calendar::change_day(&state.pool, &session, &path, input.raw()).await? {
            Ok(day) => Ok(see_other(&year_link(day))),
            Err(message) => {
                let outcome = Outcome {
                    error: Some(message),
                    ..Outcome::default()
                };
                let year = crate::domain::calendar_entry::parse_day(&path)
                    .map_or_else(|_| this_year(), |d| d.year());
                calendar_page(&state, &session, year, outcome, StatusCode::BAD_REQUEST).await
            }
        }
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/lich-lam-viec/{day}/xoa` (administrator): deletes a day's exception.
pub async fn delete_day(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let _: DayForm = session_form(&session, payload, MAX_DAY_FORM_BYTES).await?;
        match calendar::delete_day(&state.pool, &session, &path).await? {
            Ok(day) => Ok(see_other(&year_link(day))),
            Err(message) => {
                let outcome = Outcome {
                    error: Some(message),
                    ..Outcome::default()
                };
                calendar_page(
                    &state,
                    &session,
                    this_year(),
                    outcome,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        }
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/lich-lam-viec/nhap` (administrator): imports a pasted CSV file; a file with
/// errors changes nothing and comes back with every refused line.
pub async fn import_calendar(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: DayForm = session_form(&session, payload, MAX_FORM_BYTES).await?;
        let text = input.csv.as_deref().unwrap_or("");
        let mut client = state
            .pool
            .get()
            .await
            .map_err(|e| AppError::unavailable(Some(e.into())))?;
        let imported =
            calendar::import(&mut client, Importer::Staff(&session), text.as_bytes()).await?;
        drop(client);
        match imported {
            Ok(summary) => {
                let year = summary.years.first().copied().unwrap_or_else(this_year);
                let outcome = Outcome {
                    notice: Some(summary.message()),
                    ..Outcome::default()
                };
                calendar_page(&state, &session, year, outcome, StatusCode::OK).await
            }
            Err(errors) => {
                let outcome = Outcome {
                    error: Some(format!(
                        "Tệp CSV có {} lỗi; lịch không thay đổi. Sửa các dòng sau rồi nhập lại:",
                        errors.len()
                    )),
                    errors: errors.iter().map(ToString::to_string).collect(),
                    form: Some(&input),
                    ..Outcome::default()
                };
                calendar_page(
                    &state,
                    &session,
                    this_year(),
                    outcome,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        }
    }
    .await;
    respond(&state, result)
}
