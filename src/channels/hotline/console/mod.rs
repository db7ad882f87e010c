//! The operators' console of the 1022 hotline (`/can-bo/tong-dai`, role `operator`):
//! server-rendered and keyboard-first (the search box has focus on load; access keys and a few
//! single-key shortcuts for the common actions; no framework).
//!
//! - Search by dossier code, by lookup number or by the caller's phone. A phone search needs a
//!   reason from a fixed list and is written to the audit log with what it showed.
//! - A dossier's detailed view with its timeline in words to read aloud (the same sentences the
//!   IVR speaks) and the caller's open questions and feedback; every view is audited.
//! - Questions and feedback filed on the caller's behalf (channel `hotline`, the operator in the
//!   history), received at the call's start, with the 8-working-hour entry rule.
//! - The call log: start, end with an outcome code and a note; outcome counts as JSON.
//!
//! One file per screen: `search` (the console page and its search box), `dossier` (the dossier
//! page read aloud), `text_status` (the status texted to the caller), `calls` (starting and ending
//! a call), `filing` (filing on the caller's behalf) and `indicators` (the outcome counts). This
//! module holds the routes and what several screens share: the operator's session, the call
//! named in a form or query, the call panel and the list of a caller's open items.

pub mod calls;
pub mod dossier;
pub mod filing;
pub mod indicators;
pub mod search;
pub mod text_status;

use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::domain::intake::{IntakeChannel, Kind, State};
use crate::domain::vn_time;
use crate::domain::PhoneNumber;
use crate::error::{AppError, Code};
use crate::hotline::call_log::{self, Call};
use crate::hotline::search::OpenItem;
use crate::http::{method_not_allowed, AppState};
use crate::lookup::guard::ClientKey;
use crate::staff::{authorise, Role, StaffSession};
use calls::{end_call, start_call};
use dossier::show_dossier;
use filing::{file_for_caller, show_filing_form};
use indicators::show_hotline_indicators;
use search::show_console;
use text_status::text_status_to_caller;

/// The document's part for the console: the outcome counts, its only JSON endpoint (the IVR's
/// JSON flow has a part of its own).
#[derive(utoipa::OpenApi)]
#[openapi(paths(indicators::show_hotline_indicators))]
pub struct ConsoleApi;

/// Registers the console routes and the outcome counts.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/can-bo/tong-dai", web::get().to(show_console))
        .route("/can-bo/tong-dai/ho-so/{code}", web::get().to(show_dossier))
        .service(
            web::resource("/can-bo/tong-dai/ho-so/{code}/nhan-tin")
                .route(web::post().to(text_status_to_caller))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/can-bo/tong-dai/cuoc-goi")
                .route(web::post().to(start_call))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/can-bo/tong-dai/cuoc-goi/{id}/ket-thuc")
                .route(web::post().to(end_call))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/can-bo/tong-dai/ghi-nhan")
                .route(web::get().to(show_filing_form))
                .route(web::post().to(file_for_caller))
                .default_service(web::to(method_not_allowed)),
        )
        .route(
            "/api/v1/hotline-indicators",
            web::get().to(show_hotline_indicators),
        );
}

/// Outcome codes of a call.
pub const OUTCOMES: [(&str, &str); 5] = [
    ("answered_by_ivr", "Tổng đài tự động đã trả lời"),
    ("resolved", "Đã giải đáp"),
    ("filed_ticket", "Đã ghi nhận câu hỏi, phản ánh"),
    ("transferred", "Đã chuyển cơ quan, bộ phận khác"),
    ("other", "Khác"),
];

/// A connection for the hotline service's calls (and the working calendar) of one request.
async fn client(state: &AppState) -> Result<deadpool_postgres::Object, AppError> {
    state
        .pool
        .get()
        .await
        .map_err(|e| AppError::unavailable(Some(e.into())))
}

/// The session, if it is an operator's.
async fn operator(req: &HttpRequest, state: &AppState) -> Result<StaffSession, AppError> {
    let session = authorise(req, &state.pool, &[Role::Operator]).await?;
    Ok(session)
}

fn nonempty(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// The operator's call named by `raw` (a form or query value), which must be theirs.
async fn named_call(
    client: &impl deadpool_postgres::GenericClient,
    session: &StaffSession,
    raw: Option<&str>,
) -> Result<Option<Call>, AppError> {
    let Some(raw) = nonempty(raw) else {
        return Ok(None);
    };
    let id: i64 = raw
        .parse()
        .map_err(|_| AppError::with_message(Code::InvalidInput, "Mã cuộc gọi không hợp lệ."))?;
    call_log::find_operator_call(client, id, session.account_id)
        .await?
        .map(Some)
        .ok_or_else(|| AppError::with_message(Code::RouteNotFound, "Không có cuộc gọi này."))
}

/// The operator's call named in a page's query, read on a connection that is given back at once
/// (the page takes its own for what it reads next).
async fn queried_call(
    state: &AppState,
    session: &StaffSession,
    raw: Option<&str>,
) -> Result<Option<Call>, AppError> {
    let db = client(state).await?;
    named_call(&db, session, raw).await
}

fn masked_phone(e164: Option<&str>) -> Option<String> {
    e164.and_then(|p| PhoneNumber::parse(p).ok())
        .map(|p| p.masked())
}

/// The deadline to enter what a caller said: as stored when the call started; for a call
/// started before tracuu stored it, `entry_working_hours` of working time after the call started
/// on today's calendar.
async fn entry_deadline(
    client: &impl deadpool_postgres::GenericClient,
    state: &AppState,
    call: &Call,
) -> Result<DateTime<Utc>, AppError> {
    if let Some(due) = call.entry_due_at {
        return Ok(due);
    }
    let started_at = call.started_at;
    let calendar = crate::intake::load_calendar(client)
        .await
        .map_err(AppError::internal)?;
    Ok(calendar.add_working_hours(
        started_at,
        i64::from(state.settings.hotline.entry_working_hours) * 60,
    ))
}

/// The call panel: the call, its caller masked, the deadline to enter what they said and the
/// items filed so far.
async fn call_view(
    client: &impl deadpool_postgres::GenericClient,
    state: &AppState,
    call: &Call,
) -> Result<Value, AppError> {
    let deadline = entry_deadline(client, state, call).await?;
    let items = call_log::list_call_items(client, call.id).await?;
    Ok(json!({
        "id": call.id,
        "started_at": vn_time(Some(call.started_at)),
        "caller": masked_phone(call.caller_phone.as_deref()),
        "entry_deadline": vn_time(Some(deadline)),
        "items": items,
    }))
}

/// The outcomes an operator may choose when ending a call.
fn outcome_options() -> Vec<Value> {
    OUTCOMES
        .iter()
        .filter(|(k, _)| *k != "answered_by_ivr")
        .map(|(k, l)| json!({"key": k, "label": l}))
        .collect()
}

/// Staff lookups are keyed by account, not by address: operators share a call center's NAT.
fn staff_key(session: &StaffSession) -> ClientKey {
    ClientKey::Named(format!("staff:{}", session.account_id).into())
}

/// A caller's open questions and feedback as the pages list them.
fn item_rows(items: &[OpenItem]) -> Vec<Value> {
    items
        .iter()
        .map(|i| {
            json!({
                "tracking_code": i.tracking_code,
                "kind": i.kind.map(Kind::label),
                "channel": i.channel.map(IntakeChannel::label),
                "state": i.state.map(State::label),
                "subject": i.subject,
                "agency": i.agency_name,
                "received_at": vn_time(Some(i.received_at)),
                "due_at": vn_time(i.due_at),
            })
        })
        .collect()
}
