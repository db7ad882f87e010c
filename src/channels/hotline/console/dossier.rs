//! The dossier page an operator reads to the caller: the detailed view, the timeline in words
//! (the same sentences the IVR speaks) and the caller's open questions and feedback; every view
//! is audited.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{call_view, client, item_rows, operator, outcome_options, queried_call, staff_key};
use crate::domain::speech;
use crate::domain::vn_time;
use crate::domain::{DossierCode, PhoneNumber};
use crate::error::{AppError, Code};
use crate::hotline::call_log::Call;
use crate::hotline::search;
use crate::http::forms::{base, merge, respond};
use crate::http::pages::render;
use crate::http::AppState;
use crate::lookup::view::{format_time, ProofOutcome};
use crate::staff::StaffSession;

/// The call a page is about.
#[derive(Debug, Deserialize)]
pub struct CallQuery {
    /// The operator's current call.
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
        let call = queried_call(&state, &session, query.call.as_deref()).await?;
        dossier_page(&state, &session, &code, call.as_ref(), None, StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// The dossier page for an operator: lookup, audit entry, render. `notice` is a line shown at
/// the top (e.g. the result of texting the status).
pub(super) async fn dossier_page(
    state: &AppState,
    session: &StaffSession,
    code: &DossierCode,
    call: Option<&Call>,
    notice: Option<(&str, bool)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let db = client(state).await?;
    let lookup = state
        .lookup
        .by_code(&staff_key(session), code, None)
        .await?;
    // Staff see the detailed view (the operator role is the proof of access); the read-aloud
    // summary is made from the public view only, like the IVR's.
    let facts = lookup.dossier.public_facts().map_err(AppError::internal)?;
    let dossier = lookup
        .dossier
        .facts(
            ProofOutcome::Accepted,
            None,
            lookup.served_from,
            lookup.database_up,
        )
        .map_err(|e| AppError::internal(e.context("reading a detailed view")))?;
    let public = &dossier.public;
    let detail = dossier.detail.as_ref();
    let items = search::record_dossier_view(
        &db,
        session,
        &public.code,
        call.and_then(|c| c.caller_phone.as_deref()),
        call.map(|c| c.id),
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
    let closed_now = [&public.receiving_agency, &public.handling_agency]
        .into_iter()
        .find(|a| a.now.is_some());
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
            "receiving_agency": public.receiving_agency.now_text.as_ref().unwrap_or(&public.receiving_agency.name),
            "handling_agency": public.handling_agency.now_text.as_ref().unwrap_or(&public.handling_agency.name),
            "status": public.status.label_vi(),
            "timeliness": dossier.standing.label_vi(),
            "timeliness_key": dossier.standing.key(),
            "plain": dossier.plain(),
            "applicant": public.applicant,
            "received_at": format_time(public.received_at),
            "due_at": public.due_at.map(format_time),
            "finished_at": public.finished_at.map(format_time),
            "returned_at": public.returned_at.map(format_time),
            "synced_at": format_time(public.freshness.synced_at),
        },
        // A closed agency's successors: where the caller goes now (the receiving agency's first).
        "now": closed_now,
        "timeline": timeline,
        "supplement": detail.and_then(|d| d.supplement.as_ref()),
        "reason": detail.and_then(|d| d.reason.as_ref()),
        "fee": detail.and_then(|d| d.fee.as_ref()),
        "citizen_due_at": public.citizen_due_at.map(format_time),
        "collect": detail.and_then(|d| d.collect_result.as_ref()),
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
