//! The call log as operators keep it: starting a call and ending it with an outcome and a note.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::search::console_page;
use super::{client, named_call, nonempty, operator, OUTCOMES};
use crate::domain::PhoneNumber;
use crate::error::{AppError, Code};
use crate::hotline::call_log;
use crate::http::forms::{respond, see_other, session_form};
use crate::http::AppState;

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
        let id = call_log::start_call(
            &db,
            session.account_id,
            phone.as_ref(),
            state.settings.hotline.entry_working_hours,
        )
        .await?;
        Ok(see_other(&format!("/can-bo/tong-dai?call={id}")))
    }
    .await;
    respond(&state, result)
}

/// The call end form.
#[derive(Debug, Deserialize)]
pub struct EndCallForm {
    /// The outcome code (one of [`OUTCOMES`] but `answered_by_ivr`).
    pub outcome: Option<String>,
    /// The operator's note, at most 2000 characters.
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
        let ended = call_log::end_call(
            &db,
            call.id,
            session.account_id,
            outcome.unwrap_or("other"),
            note.as_deref(),
        )
        .await?;
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
