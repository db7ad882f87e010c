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

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::db;
use crate::db::hotline::CallRow;
use crate::domain::intake::{IntakeChannel, Kind};
use crate::domain::speech;
use crate::domain::vn_time;
use crate::domain::{DossierCode, LookupNumber, PhoneNumber};
use crate::error::{AppError, Code};
use crate::http::forms::{base, merge, respond, see_other, session_form};
use crate::http::pages::render;
use crate::http::{method_not_allowed, AppState};
use crate::intake::{RawSubmission, Submission};
use crate::lookup::guard::ClientKey;
use crate::lookup::view::{format_time, ProofOutcome};
use crate::staff::audit::{self, AuditAction, AuditEntry, SearchReason};
use crate::staff::{authorise, Role, StaffSession};

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
) -> Result<Option<CallRow>, AppError> {
    let Some(raw) = nonempty(raw) else {
        return Ok(None);
    };
    let id: i64 = raw
        .parse()
        .map_err(|_| AppError::with_message(Code::InvalidInput, "Mã cuộc gọi không hợp lệ."))?;
    db::hotline::find_operator_call(client, id, session.account_id)
        .await
        .map_err(AppError::internal)?
        .map(Some)
        .ok_or_else(|| AppError::with_message(Code::RouteNotFound, "Không có cuộc gọi này."))
}

fn masked_phone(e164: Option<&str>) -> Option<String> {
    e164.and_then(|p| PhoneNumber::parse(p).ok())
        .map(|p| p.masked())
}

/// The deadline to enter what a caller said: `entry_working_hours` of working time after the call
/// started.
async fn entry_deadline(
    client: &impl deadpool_postgres::GenericClient,
    state: &AppState,
    started_at: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let calendar = crate::intake::load_calendar(client)
        .await
        .map_err(AppError::internal)?;
    Ok(calendar.add_working_hours(
        started_at,
        i64::from(state.settings.hotline.entry_working_hours) * 60,
    ))
}

async fn call_view(
    client: &impl deadpool_postgres::GenericClient,
    state: &AppState,
    call: &CallRow,
) -> Result<Value, AppError> {
    let deadline = entry_deadline(client, state, call.started_at).await?;
    let items = db::hotline::list_call_items(client, call.id)
        .await
        .map_err(AppError::internal)?;
    Ok(json!({
        "id": call.id,
        "started_at": vn_time(Some(call.started_at)),
        "caller": masked_phone(call.caller_phone.as_deref()),
        "entry_deadline": vn_time(Some(deadline)),
        "items": items,
    }))
}

/// What the console page shows besides the search results.
async fn console_page(
    state: &AppState,
    session: &StaffSession,
    call: Option<&CallRow>,
    extra: Value,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let client = client(state).await?;
    let open = db::hotline::list_open_calls(&client, session.account_id)
        .await
        .map_err(AppError::internal)?;
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

/// The outcomes an operator may choose when ending a call.
fn outcome_options() -> Vec<Value> {
    OUTCOMES
        .iter()
        .filter(|(k, _)| *k != "answered_by_ivr")
        .map(|(k, l)| json!({"key": k, "label": l}))
        .collect()
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
        let db = client(&state).await?;
        let call = named_call(&db, &session, query.call.as_deref()).await?;
        drop(db);
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

/// Staff lookups are keyed by account, not by address: operators share a call center's NAT.
fn staff_key(session: &StaffSession) -> ClientKey {
    ClientKey::Named(format!("staff:{}", session.account_id).into())
}

fn looks_like_number(raw: &str) -> bool {
    raw.chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '.')
        && raw.chars().filter(char::is_ascii_digit).count() == 10
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
    call: Option<&CallRow>,
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
    let dossiers = db::hotline::list_dossiers_by_phone(
        &client,
        phone.e164(),
        state.settings.hotline.phone_search_limit,
    )
    .await
    .map_err(AppError::internal)?;
    let items = db::intake::list_open_by_caller(&client, Some(phone.e164()), None)
        .await
        .map_err(AppError::internal)?;
    let shown: Vec<String> = dossiers
        .iter()
        .map(|d| d.code.clone())
        .chain(items.iter().map(|i| i.tracking_code.clone()))
        .collect();
    audit::record(
        &client,
        session,
        &AuditEntry {
            action: AuditAction::PhoneSearch,
            subject: phone.e164(),
            reason: Some(reason.label()),
            shown: &shown,
            call_id: call.map(|c| c.id),
        },
    )
    .await?;
    tracing::info!(
        staff.account_id = session.account_id,
        hotline.results = shown.len(),
        "phone search by account {} ({} results)",
        session.account_id,
        shown.len()
    );
    let call_suffix = call.map(|c| format!("?call={}", c.id)).unwrap_or_default();
    let rows: Vec<Value> = dossiers
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "code": d.code,
                "url": format!("/can-bo/tong-dai/ho-so/{}{call_suffix}", d.code),
                "key": (i < 9).then(|| (i + 1).to_string()),
                "procedure": d.procedure_name,
                "status": crate::domain::Status::from_code(d.status).map(|s| s.label_vi()).unwrap_or("?"),
                "received_at": vn_time(Some(d.received_at)),
                "due_at": vn_time(d.due_at),
            })
        })
        .collect();
    Ok(Found::Phone(json!({
        "searched_phone": phone.masked(),
        "dossiers": rows,
        "items": item_rows(&items),
    })))
}

fn item_rows(items: &[crate::domain::intake::Item]) -> Vec<Value> {
    items
        .iter()
        .map(|i| {
            json!({
                "tracking_code": i.tracking_code,
                "kind": i.kind.label(),
                "channel": i.channel.label(),
                "state": i.state.label(),
                "subject": i.subject,
                "agency": i.agency_name,
                "received_at": vn_time(Some(i.received_at)),
                "due_at": vn_time(i.handle_due_at.or(i.classify_due_at)),
            })
        })
        .collect()
}

/// The call a page is about.
#[derive(Debug, Deserialize)]
pub struct CallQuery {
    pub call: Option<String>,
}

/// `GET /can-bo/tong-dai/ho-so/{code}[?call=]`: the detailed view, audited.
pub async fn show_dossier(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<CallQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let code = DossierCode::parse(&path)
            .map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
        let db = client(&state).await?;
        let call = named_call(&db, &session, query.call.as_deref()).await?;
        drop(db);
        dossier_page(&state, &session, &code, call.as_ref(), None, StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// The dossier page for an operator: lookup, audit entry, render. `notice` is a line shown at
/// the top (e.g. the result of texting the status).
async fn dossier_page(
    state: &AppState,
    session: &StaffSession,
    code: &DossierCode,
    call: Option<&CallRow>,
    notice: Option<(&str, bool)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let db = client(state).await?;
    let lookup = state
        .lookup
        .by_code(&staff_key(session), code, None)
        .await?;
    // Staff see the detailed view (design.md §3.4: the role is the proof); the read-aloud
    // summary is made from the public view only, like the IVR's.
    let facts = lookup.dossier.public_facts().map_err(AppError::internal)?;
    let dossier = lookup
        .dossier
        .facts(
            ProofOutcome::Accepted,
            lookup.served_from,
            lookup.database_up,
        )
        .map_err(|e| AppError::internal(e.context("reading a detailed view")))?;
    let public = &dossier.public;
    let detail = dossier.detail.as_ref();
    let items = db::intake::list_open_by_caller(
        &db,
        call.and_then(|c| c.caller_phone.as_deref()),
        Some(&public.code),
    )
    .await
    .map_err(AppError::internal)?;
    let shown: Vec<String> = std::iter::once(public.code.to_string())
        .chain(items.iter().map(|i| i.tracking_code.clone()))
        .collect();
    audit::record(
        &db,
        session,
        &AuditEntry {
            action: AuditAction::DossierView,
            subject: &public.code,
            reason: None,
            shown: &shown,
            call_id: call.map(|c| c.id),
        },
    )
    .await?;
    let timeline: Vec<Value> = detail
        .map(|d| d.timeline.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|t| {
        json!({
            "at": vn_time(Some(t.at)),
            "spoken": format!(
            "{}: {}{}.{}",
            capitalize(&speech::datetime_words(t.at)),
            speech::spell_numbers(&t.step),
            t.agency.as_deref().map(|a| format!(", tại {}", speech::spell_numbers(a))).unwrap_or_default(),
            t.note.as_deref().map(|n| format!(" Ghi chú: {}", n)).unwrap_or_default(),
            ),
            "status": t.status.label_vi(),
        })
        })
        .collect();
    let call_view = match call {
        Some(c) => Some(call_view(&db, state, c).await?),
        None => None,
    };
    let file_url = format!(
        "/can-bo/tong-dai/ghi-nhan?ho_so={}{}",
        public.code,
        call.map(|c| format!("&call={}", c.id)).unwrap_or_default()
    );
    let page = merge(
        base(state, &format!("Hồ sơ {}", public.code), Some(session)),
        json!({
        "call": call_view,
        "outcomes": outcome_options(),
        "spoken": facts_report(&facts),
        "dossier": {
            "code": public.code,
            "lookup_number": public.lookup_number_display,
            "procedure": public.procedure.name,
            "receiving_agency": public.receiving_agency.name,
            "handling_agency": public.handling_agency.name,
            "status": public.status.label_vi(),
            "timeliness": dossier.timeliness.label_vi(),
            "timeliness_key": dossier.timeliness.key(),
            "applicant": public.applicant,
            "received_at": format_time(public.received_at),
            "due_at": public.due_at.map(format_time),
            "finished_at": public.finished_at.map(format_time),
            "returned_at": public.returned_at.map(format_time),
            "synced_at": format_time(public.freshness.synced_at),
        },
        "timeline": timeline,
        "supplement": detail.and_then(|d| d.supplement.as_ref()),
        "collect": detail.map(|d| &d.collect_result),
        "items": item_rows(&items),
        "file_url": file_url,
        "back_url": call.map(|c| format!("/can-bo/tong-dai?call={}", c.id)).unwrap_or_else(|| "/can-bo/tong-dai".to_owned()),
        "sms_phone": call.and_then(|c| c.caller_phone.as_deref()).and_then(|p| PhoneNumber::parse(p).ok()).map(|p| p.national()).unwrap_or_default(),
        "call_id": call.map(|c| c.id.to_string()).unwrap_or_default(),
        "notice": notice.map(|(text, error)| json!({"text": text, "error": error})),
        }),
    );
    Ok(render(state, "hotline/dossier", &page, status))
}

fn facts_report(facts: &speech::PublicFacts) -> String {
    speech::status_report(facts)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The "text the status to this caller" form.
#[derive(Debug, Deserialize)]
pub struct TextStatusForm {
    /// The caller's mobile number (defaults to the call's number on the page).
    pub phone: Option<String>,
    pub call: Option<String>,
}

/// `POST /can-bo/tong-dai/ho-so/{code}/nhan-tin`: queues the dossier's status as an SMS to the
/// caller through the outbox. Only public-view facts (the same text as the reply to `HS <code>`:
/// procedure, status, appointment date, timeliness); at most `sms_per_phone_per_hour` to one
/// number and `sms_per_operator_per_hour` per operator; queued once per dossier, number and call
/// (per day without a call), so a double submit sends one message. The outbox and the audit entry
/// are written in one transaction.
pub async fn text_status_to_caller(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
    sms: web::Data<crate::channels::sms::SmsState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let input: TextStatusForm = session_form(&session, payload, 4096).await?;
        let code = DossierCode::parse(&path)
            .map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
        let mut db = client(&state).await?;
        let call = named_call(&db, &session, input.call.as_deref()).await?;
        let raw_phone = nonempty(input.phone.as_deref())
            .map(str::to_owned)
            .or_else(|| call.as_ref().and_then(|c| c.caller_phone.clone()));
        let phone = match raw_phone.as_deref().map(PhoneNumber::parse) {
            None => Err("Nhập số di động của người gọi để nhắn tin.".to_owned()),
            Some(Err(e)) => Err(format!("Số điện thoại: {}", e.message())),
            Some(Ok(p)) if !p.is_mobile() => Err("Chỉ nhắn tin được tới số di động.".to_owned()),
            Some(Ok(p)) => Ok(p),
        };
        let phone = match phone {
            Ok(phone) => phone,
            Err(message) => {
                return dossier_page(
                    &state,
                    &session,
                    &code,
                    call.as_ref(),
                    Some((&message, true)),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        };
        if let Err(error) = state.hotline.admit_sms(phone.e164(), session.account_id) {
            let message = "Đã nhắn quá số tin cho phép tới số này (hoặc của điện thoại viên) trong một giờ. Vui lòng thử lại sau.";
            return dossier_page(&state, &session, &code, call.as_ref(), Some((message, true)), error.code.status())
                .await;
        }
        let lookup = state.lookup.by_code(&staff_key(&session), &code, None).await?;
        // Public-view facts only, read from the public view itself.
        let facts = lookup.dossier.public_facts()
            .map_err(AppError::internal)?;
        let text = sms
            .renderer
            .status_reply(&crate::domain::sms::StatusFacts {
                code: code.as_str(),
                procedure: &facts.procedure_name,
                status: facts.status,
                due: facts.due_at,
                timeliness: facts.timeliness,
            })
            .map_err(AppError::internal)?;
        let once = match &call {
            Some(c) => format!("call{}", c.id),
            None => Utc::now()
                .with_timezone(&crate::domain::vn_offset())
                .format("day%Y%m%d")
                .to_string(),
        };
        let dedupe_key = format!("hotline_status:{}:{}:{once}", code.as_str(), phone.e164());
        let tx = db.transaction().await.map_err(|e| AppError::internal(e.into()))?;
        let queued = db::sms_outbox::enqueue(
            &tx,
            &db::sms_outbox::NewSms {
                recipient: phone.e164(),
                body: &text,
                kind: "hotline_status",
                dedupe_key: &dedupe_key,
                dossier_code: Some(code.as_str()),
                not_before: None,
            },
        )
        .await
        .map_err(AppError::internal)?;
        if queued.is_some() {
            audit::record(
                &tx,
                &session,
                &AuditEntry {
                    action: AuditAction::SmsToCaller,
                    subject: phone.e164(),
                    reason: None,
                    shown: &[code.as_str().to_owned()],
                    call_id: call.as_ref().map(|c| c.id),
                },
            )
            .await?;
        }
        tx.commit().await.map_err(|e| AppError::internal(e.into()))?;
        drop(db);
        let notice = match queued {
            Some(_) => format!(
                "Đã xếp tin nhắn tình trạng hồ sơ gửi tới {} (gửi ngoài giờ yên lặng): “{text}”",
                phone.masked()
            ),
            None => format!(
                "Không xếp thêm tin: tình trạng hồ sơ này đã được nhắn tới {} trong cuộc gọi (hoặc hôm nay), hoặc số này đã từ chối nhận tin.",
                phone.masked()
            ),
        };
        dossier_page(&state, &session, &code, call.as_ref(), Some((&notice, queued.is_none())), StatusCode::OK)
            .await
    }
    .await;
    respond(&state, result)
}

/// The call start form.
#[derive(Debug, Deserialize)]
pub struct StartCallForm {
    /// The caller's number, when shown by the phone system (optional).
    pub caller_phone: Option<String>,
}

/// `POST /can-bo/tong-dai/cuoc-goi`: opens a call in the log.
pub async fn start_call(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let input: StartCallForm = session_form(&session, payload, 4096).await?;
        let phone = match nonempty(input.caller_phone.as_deref()) {
            Some(raw) => match PhoneNumber::parse(raw) {
                Ok(p) => Some(p),
                Err(e) => {
                    return console_page(
                        &state,
                        &session,
                        None,
                        json!({"error": format!("Số gọi đến: {}", e.message())}),
                        StatusCode::BAD_REQUEST,
                    )
                    .await
                }
            },
            None => None,
        };
        let db = client(&state).await?;
        let id = db::hotline::insert_operator_call(
            &db,
            session.account_id,
            phone.as_ref().map(PhoneNumber::e164),
            Utc::now(),
        )
        .await
        .map_err(AppError::internal)?;
        Ok(see_other(&format!("/can-bo/tong-dai?call={id}")))
    }
    .await;
    respond(&state, result)
}

/// The call end form.
#[derive(Debug, Deserialize)]
pub struct EndCallForm {
    pub outcome: Option<String>,
    pub note: Option<String>,
}

/// `POST /can-bo/tong-dai/cuoc-goi/{id}/ket-thuc`: ends the call with an outcome and a note.
pub async fn end_call(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let input: EndCallForm = session_form(&session, payload, 16 * 1024).await?;
        let db = client(&state).await?;
        let call = named_call(&db, &session, Some(path.as_str()))
            .await?
            .ok_or_else(|| AppError::new(Code::RouteNotFound))?;
        let outcome = nonempty(input.outcome.as_deref())
            .filter(|o| OUTCOMES.iter().any(|(k, _)| k == o) && *o != "answered_by_ivr");
        let note = input
            .note
            .as_deref()
            .map(crate::domain::text::clean_multiline)
            .filter(|n| !n.is_empty());
        let problem = if outcome.is_none() {
            Some("Chọn kết quả cuộc gọi.")
        } else if note
            .as_deref()
            .is_some_and(|n| crate::domain::text::char_len(n) > 2000)
        {
            Some("Ghi chú dài quá 2000 ký tự.")
        } else {
            None
        };
        if let Some(problem) = problem {
            return console_page(
                &state,
                &session,
                Some(&call),
                json!({"error": problem}),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        let ended = db::hotline::end_call(
            &db,
            call.id,
            session.account_id,
            outcome.unwrap_or("other"),
            note.as_deref(),
        )
        .await
        .map_err(AppError::internal)?;
        if !ended {
            return Err(AppError::with_message(
                Code::InvalidTransition,
                "Cuộc gọi này đã kết thúc.",
            ));
        }
        Ok(see_other("/can-bo/tong-dai"))
    }
    .await;
    respond(&state, result)
}

/// The filing form's query: the dossier and call it starts from.
#[derive(Debug, Deserialize)]
pub struct FilingQuery {
    pub ho_so: Option<String>,
    pub call: Option<String>,
    pub loai: Option<String>,
}

/// The filing form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct FilingForm {
    pub call: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub dossier_code: Option<String>,
    pub procedure_code: Option<String>,
    pub level: Option<String>,
    pub agency_code: Option<String>,
    pub public: Option<String>,
}

async fn filing_page(
    state: &AppState,
    session: &StaffSession,
    call: Option<&CallRow>,
    typed: &FilingForm,
    error: Option<&str>,
    created: Option<Value>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let db = client(state).await?;
    let call_view = match call {
        Some(c) => Some(call_view(&db, state, c).await?),
        None => None,
    };
    let agencies = state.intake.agencies().await?;
    let page = merge(
        base(
            state,
            "Ghi nhận câu hỏi, phản ánh qua tổng đài",
            Some(session),
        ),
        json!({
            "call": call_view,
            "outcomes": outcome_options(),
            "error": error,
            "created": created,
            "form": {
                "call": call.map(|c| c.id.to_string()).unwrap_or_default(),
                "kind": typed.kind.clone().unwrap_or_else(|| "question".into()),
                "name": typed.name.clone().unwrap_or_default(),
                "phone": typed.phone.clone().unwrap_or_default(),
                "email": typed.email.clone().unwrap_or_default(),
                "address": typed.address.clone().unwrap_or_default(),
                "subject": typed.subject.clone().unwrap_or_default(),
                "body": typed.body.clone().unwrap_or_default(),
                "dossier_code": typed.dossier_code.clone().unwrap_or_default(),
                "procedure_code": typed.procedure_code.clone().unwrap_or_default(),
                "level": typed.level.clone().unwrap_or_default(),
                "agency_code": typed.agency_code.clone().unwrap_or_default(),
                "public": typed.public.is_some(),
            },
            "agencies": agencies.iter().map(|a| json!({"code": a.code, "name": a.name, "selected": typed.agency_code.as_deref() == Some(a.code.as_str())})).collect::<Vec<_>>(),
        }),
    );
    Ok(render(state, "hotline/file", &page, status))
}

/// `GET /can-bo/tong-dai/ghi-nhan[?ho_so=&call=&loai=question|feedback]`.
pub async fn show_filing_form(
    req: HttpRequest,
    query: web::Query<FilingQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let db = client(&state).await?;
        let call = named_call(&db, &session, query.call.as_deref()).await?;
        drop(db);
        let typed = FilingForm {
            kind: query.loai.clone().filter(|k| Kind::parse(k).is_some()),
            dossier_code: query.ho_so.clone(),
            phone: call
                .as_ref()
                .and_then(|c| c.caller_phone.as_deref())
                .and_then(|p| PhoneNumber::parse(p).ok())
                .map(|p| p.national()),
            ..FilingForm::default()
        };
        filing_page(
            &state,
            &session,
            call.as_ref(),
            &typed,
            None,
            None,
            StatusCode::OK,
        )
        .await
    }
    .await;
    respond(&state, result)
}

/// `POST /can-bo/tong-dai/ghi-nhan`: files a question or feedback on the caller's behalf, with
/// channel `hotline`, the operator in the history, received at the call's start.
pub async fn file_for_caller(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = operator(&req, &state).await?;
        let input: FilingForm =
            session_form(&session, payload, state.settings.intake.max_request_bytes).await?;
        let db = client(&state).await?;
        let call = named_call(&db, &session, input.call.as_deref()).await?;
        let raw = RawSubmission {
            kind: input.kind.clone(),
            channel: Some(IntakeChannel::Hotline.as_str().to_owned()),
            name: input.name.clone(),
            phone: input.phone.clone(),
            email: input.email.clone(),
            address: input.address.clone(),
            subject: input.subject.clone(),
            body: input.body.clone(),
            dossier_code: input.dossier_code.clone(),
            procedure_code: input.procedure_code.clone(),
            level: input.level.clone(),
            agency_code: input.agency_code.clone(),
            public: Some(input.public.is_some()),
        };
        let now = Utc::now();
        let received_at = call.as_ref().map_or(now, |c| c.started_at.min(now));
        let submitted = match Submission::parse_staff_entry(&raw, state.intake.settings()) {
            Ok(submission) => {
                state
                    .intake
                    .submit_entered_by_at(&submission, &session, received_at)
                    .await
            }
            Err(error) => Err(error),
        };
        let item = match submitted {
            Ok(item) => item,
            Err(error) if error.code == Code::InvalidSubmission => {
                return filing_page(
                    &state,
                    &session,
                    call.as_ref(),
                    &input,
                    Some(&error.message),
                    None,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            Err(error) => return Err(error),
        };
        let mut late = false;
        if let Some(c) = &call {
            db::hotline::insert_call_item(&db, c.id, item.id)
                .await
                .map_err(AppError::internal)?;
            late = entry_deadline(&db, &state, c.started_at).await? < now;
        }
        let created = json!({
            "tracking_code": item.tracking_code,
            "kind": item.kind.label(),
            "state": item.state.label(),
            "agency": item.agency_code,
            "late": late,
            "entry_hours": state.settings.hotline.entry_working_hours,
        });
        let call = match &call {
            Some(c) => named_call(&db, &session, Some(&c.id.to_string())).await?,
            None => None,
        };
        filing_page(
            &state,
            &session,
            call.as_ref(),
            &FilingForm::default(),
            None,
            Some(created),
            StatusCode::CREATED,
        )
        .await
    }
    .await;
    respond(&state, result)
}

/// Counts of one source.
#[derive(Debug, Default, Serialize)]
pub struct OutcomeCounts {
    pub total: i64,
    pub answered_by_ivr: i64,
    pub resolved: i64,
    pub filed_ticket: i64,
    pub transferred: i64,
    pub other: i64,
    /// Operator calls not ended yet.
    pub open: i64,
}

/// `GET /api/v1/hotline-indicators`.
#[derive(Debug, Serialize)]
pub struct HotlineIndicatorsView {
    pub from: Option<String>,
    pub to: Option<String>,
    pub all: OutcomeCounts,
    pub operator: OutcomeCounts,
    pub ivr: OutcomeCounts,
}

/// `GET /api/v1/hotline-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`: calls started in the
/// period (Vietnam days, `to` included) by outcome, for the statistics.
pub async fn show_hotline_indicators(
    query: Result<web::Query<crate::intake::IndicatorQuery>, actix_web::Error>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let query = query.map_err(|_| {
        AppError::with_message(
            Code::InvalidInput,
            "Chỉ nhận tham số from và to (YYYY-MM-DD).",
        )
    })?;
    let (from, to) = query.bounds()?;
    let db = client(&state).await?;
    let counts = db::hotline::count_outcomes(&db, from, to)
        .await
        .map_err(AppError::internal)?;
    let mut view = HotlineIndicatorsView {
        from: query.from.clone(),
        to: query.to.clone(),
        all: OutcomeCounts::default(),
        operator: OutcomeCounts::default(),
        ivr: OutcomeCounts::default(),
    };
    for row in counts {
        let source = if row.source == "ivr" {
            &mut view.ivr
        } else {
            &mut view.operator
        };
        for counts in [source, &mut view.all] {
            counts.total += row.calls;
            match row.outcome.as_deref() {
                Some("answered_by_ivr") => counts.answered_by_ivr += row.calls,
                Some("resolved") => counts.resolved += row.calls,
                Some("filed_ticket") => counts.filed_ticket += row.calls,
                Some("transferred") => counts.transferred += row.calls,
                Some(_) => counts.other += row.calls,
                None => counts.open += row.calls,
            }
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(view))
}
