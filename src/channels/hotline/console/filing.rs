//! Questions and feedback filed on the caller's behalf: the form, and the submission with channel
//! `hotline`, the operator in the history, received at the call's start, linked to the call.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    call_view, client, entry_deadline, named_call, operator, outcome_options, queried_call,
};
use crate::domain::intake::{IntakeChannel, Kind};
use crate::domain::PhoneNumber;
use crate::error::{AppError, Code};
use crate::hotline::call_log::{self, Call};
use crate::http::forms::{base, commune_options, level_options, merge, respond, session_form};
use crate::http::pages::render;
use crate::http::AppState;
use crate::intake::{RawSubmission, Submission};
use crate::staff::StaffSession;

/// The filing form's query: the dossier and call it starts from.
#[derive(Debug, Deserialize)]
pub struct FilingQuery {
    /// The dossier the question or feedback is about.
    pub ho_so: Option<String>,
    /// The operator's current call.
    pub call: Option<String>,
    /// `question` or `feedback`.
    pub loai: Option<String>,
}

/// The filing form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct FilingForm {
    /// The operator's current call.
    pub call: Option<String>,
    /// `question` or `feedback`.
    pub kind: Option<String>,
    /// The caller's name.
    pub name: Option<String>,
    /// The caller's phone number.
    pub phone: Option<String>,
    /// The caller's e-mail address.
    pub email: Option<String>,
    /// The caller's postal address.
    pub address: Option<String>,
    /// The subject line.
    pub subject: Option<String>,
    /// What the caller said.
    pub body: Option<String>,
    /// The dossier it is about.
    pub dossier_code: Option<String>,
    /// The procedure it is about.
    pub procedure_code: Option<String>,
    /// The administrative level it is about.
    pub level: Option<String>,
    /// The agency it is addressed to.
    pub agency_code: Option<String>,
    /// The caller's commune (xã, phường, đặc khu).
    pub commune_code: Option<String>,
    /// Present when the caller agrees to its publication.
    pub public: Option<String>,
}

async fn filing_page(
    state: &AppState,
    session: &StaffSession,
    call: Option<&Call>,
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
    let levels = level_options(state, typed.level.as_deref()).await?;
    let communes = commune_options(state, typed.commune_code.as_deref()).await?;
    let page = merge(
        base(
            state,
            "Ghi nhận câu hỏi, phản ánh qua tổng đài",
            Some(session),
        ),
        json!({
            "call": call_view,
            "outcomes": outcome_options(),
            "texts_answers": state.intake.texts_submitters(),
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
            "levels": levels,
            "communes": communes,
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
        let call = queried_call(&state, &session, query.call.as_deref()).await?;
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
            commune_code: input.commune_code.clone(),
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
            Err(error) if matches!(error.code, Code::InvalidSubmission | Code::InvalidCommune) => {
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
            call_log::attach_item(&db, c.id, item.id).await?;
            late = entry_deadline(&db, &state, c).await? < now;
        }
        let created = json!({
            "tracking_code": item.tracking_code,
            "kind": item.kind.label(),
            "state": item.state.label(),
            "agency": item.agency_code,
            "late": late,
            "texted": state.intake.texts_answers(&item),
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
