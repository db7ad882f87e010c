//! The console page and its search box: find a dossier by code or lookup number (a redirect to its
//! page), or list a caller's dossiers and open questions and feedback by their phone, with a
//! reason from a fixed list, written to the audit log with what it showed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    call_view, client, item_rows, nonempty, operator, outcome_options, queried_call, staff_key,
};
use crate::domain::vn_time;
use crate::domain::{DossierCode, LookupNumber, PhoneNumber};
use crate::error::{AppError, Code};
use crate::hotline::call_log::{self, Call};
use crate::hotline::search;
use crate::http::forms::{base, merge, respond, see_other};
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::audit::SearchReason;
use crate::staff::StaffSession;

/// What the console page shows besides the search results.
pub(super) async fn console_page(
    state: &AppState,
    session: &StaffSession,
    call: Option<&Call>,
    extra: Value,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let client = client(state).await?;
    let open = call_log::list_open_calls(&client, session.account_id).await?;
    let current = match call {
        Some(c) if c.ended_at.is_none() => Some(c.clone()),
        Some(_) => None,
        None => open.first().cloned(),
    };
    let current = match &current {
        Some(c) => Some(call_view(&client, state, c).await?),
        None => None,
    };
    let reasons: Vec<Value> = SearchReason::ALL
        .iter()
        .map(|r| json!({"key": r.as_str(), "label": r.label()}))
        .collect();
    let defaults = json!({
        "q": "", "by": "ma", "reason": "", "error": null, "notice": null,
        "dossiers": null, "items": null, "searched_phone": null,
    });
    let page = merge(
        merge(base(state, "Tổng đài 1022", Some(session)), defaults),
        merge(
            json!({
                "call": current,
                "open_calls": open.len(),
                "reasons": reasons,
                "outcomes": outcome_options(),
            }),
            extra,
        ),
    );
    Ok(render(state, "hotline/console", &page, status))
}

/// The search form.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    /// What was typed: a dossier code, a lookup number or a phone number.
    pub q: Option<String>,
    /// `ma` (code or lookup number, the default) or `sdt` (phone).
    pub by: Option<String>,
    /// Why a phone search is made (a [`SearchReason`] key).
    pub reason: Option<String>,
    /// The operator's current call.
    pub call: Option<String>,
}

/// `GET /can-bo/tong-dai[?q=&by=ma|sdt&reason=&call=]`: the console, and a search when `q` is given.
pub async fn show_console(
    req: HttpRequest,
    query: web::Query<SearchQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let call = queried_call(&state, &session, query.call.as_deref()).await?;
        let Some(q) = nonempty(query.q.as_deref()).map(str::to_owned) else {
            return console_page(&state, &session, call.as_ref(), json!({}), StatusCode::OK).await;
        };
        let by = nonempty(query.by.as_deref()).unwrap_or("ma");
        let typed = json!({"q": q, "by": by, "reason": query.reason.clone().unwrap_or_default()});
        let outcome = match by {
            "ma" => find_by_code(&state, &session, &q).await,
            "sdt" => {
                search_by_phone(&state, &session, &q, query.reason.as_deref(), call.as_ref()).await
            }
            _ => Err(AppError::with_message(
                Code::InvalidInput,
                "Kiểu tìm kiếm không hợp lệ: chọn mã hồ sơ hoặc số điện thoại.",
            )),
        };
        match outcome {
            Ok(Found::Dossier(code)) => {
                let mut location = format!("/can-bo/tong-dai/ho-so/{code}");
                if let Some(c) = &call {
                    location.push_str(&format!("?call={}", c.id));
                }
                Ok(see_other(&location))
            }
            Ok(Found::Phone(results)) => {
                // The number is not echoed in the search box: the results show it masked.
                let typed = merge(typed, json!({"q": ""}));
                console_page(
                    &state,
                    &session,
                    call.as_ref(),
                    merge(typed, results),
                    StatusCode::OK,
                )
                .await
            }
            Err(error)
                if matches!(
                    error.code,
                    Code::InvalidInput
                        | Code::InvalidDossierCode
                        | Code::InvalidLookupNumber
                        | Code::LookupNumberTypo
                        | Code::DossierNotFound
                ) =>
            {
                let mut message = error.message.clone();
                if by == "ma" && PhoneNumber::parse(&q).is_ok() {
                    message.push_str(
                        " Nếu đây là số điện thoại, chọn \"Số điện thoại người nộp\" và lý do tra cứu.",
                    );
                }
                console_page(
                    &state,
                    &session,
                    call.as_ref(),
                    merge(typed, json!({"error": message})),
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

enum Found {
    Dossier(String),
    Phone(Value),
}

/// Ten digits (the letter O read as 0), spaces and dots: a lookup number.
fn looks_like_number(raw: &str) -> bool {
    let digits = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, 'O' | 'o'))
        .count();
    digits == 10 && LookupNumber::looks_like(raw, 10)
}

async fn find_by_code(
    state: &AppState,
    session: &StaffSession,
    q: &str,
) -> Result<Found, AppError> {
    let lookup = if looks_like_number(q) {
        let number =
            LookupNumber::parse(q).map_err(|e| AppError::invalid(Code::InvalidLookupNumber, e))?;
        state
            .lookup
            .by_number(&staff_key(session), number, None)
            .await?
    } else {
        let code =
            DossierCode::parse(q).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
        state
            .lookup
            .by_code(&staff_key(session), &code, None)
            .await?
    };
    Ok(Found::Dossier(lookup.dossier.code.to_string()))
}

async fn search_by_phone(
    state: &AppState,
    session: &StaffSession,
    q: &str,
    reason: Option<&str>,
    call: Option<&Call>,
) -> Result<Found, AppError> {
    let reason = nonempty(reason)
        .and_then(SearchReason::parse)
        .ok_or_else(|| {
            AppError::with_message(
                Code::InvalidInput,
                "Tìm theo số điện thoại cần chọn lý do tra cứu (được ghi vào nhật ký truy cập).",
            )
        })?;
    let phone = PhoneNumber::parse(q).map_err(|e| {
        AppError::with_message(
            Code::InvalidInput,
            format!("Số điện thoại: {}", e.message()),
        )
    })?;
    let client = client(state).await?;
    let found = search::search_by_phone(
        &client,
        session,
        &phone,
        reason,
        call.map(|c| c.id),
        state.settings.hotline.phone_search_limit,
    )
    .await?;
    let call_suffix = call.map(|c| format!("?call={}", c.id)).unwrap_or_default();
    let rows: Vec<Value> = found
        .dossiers
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "code": d.code,
                "url": format!("/can-bo/tong-dai/ho-so/{}{call_suffix}", d.code),
                "key": (i < 9).then(|| (i + 1).to_string()),
                "procedure": d.procedure_name,
                "status": d.status.map(|s| s.label_vi()).unwrap_or("?"),
                "received_at": vn_time(Some(d.received_at)),
                "due_at": vn_time(d.due_at),
            })
        })
        .collect();
    Ok(Found::Phone(json!({
        "searched_phone": phone.masked(),
        "dossiers": rows,
        "items": item_rows(&found.items),
    })))
}
