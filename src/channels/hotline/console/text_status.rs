//! Texting a dossier's status to the caller: the public-view status reply queued in the SMS
//! outbox with its audit entry, within the per-number and per-operator limits.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::dossier::dossier_page;
use super::{client, named_call, nonempty, operator, staff_key};
use crate::domain::{DossierCode, PhoneNumber};
use crate::error::{AppError, Code};
use crate::hotline::status_sms::{self, StatusSms};
use crate::http::forms::{respond, session_form};
use crate::http::AppState;

/// The "text the status to this caller" form.
#[derive(Debug, Deserialize)]
pub struct TextStatusForm {
    /// The caller's mobile number (defaults to the call's number on the page).
    pub phone: Option<String>,
    /// The operator's current call.
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
        let text = state
            .hotline
            .sms_renderer
            .status_reply(&crate::domain::sms::StatusFacts {
                code: code.as_str(),
                procedure: &facts.procedure_name,
                status: facts.status,
                due: facts.due_at,
                standing: facts.standing,
                citizen_due: facts.citizen_due_at,
                now: facts.closed_agency_now(),
            })
            .map_err(AppError::internal)?;
        let queued = status_sms::queue_status_sms(
            &mut db,
            &session,
            &StatusSms {
                phone: &phone,
                dossier_code: &code,
                text: &text,
                call_id: call.as_ref().map(|c| c.id),
            },
        )
        .await?;
        drop(db);
        let notice = if queued {
            format!(
                "Đã xếp tin nhắn tình trạng hồ sơ gửi tới {} (gửi ngoài giờ yên lặng): “{text}”",
                phone.masked()
            )
        } else {
            format!(
                "Không xếp thêm tin: tình trạng hồ sơ này đã được nhắn tới {} trong cuộc gọi (hoặc hôm nay), hoặc số này đã từ chối nhận tin.",
                phone.masked()
            )
        };
        dossier_page(&state, &session, &code, call.as_ref(), Some((&notice, !queued)), StatusCode::OK)
            .await
    }
    .await;
    respond(&state, result)
}
