//! One item in the console: its details, history and deadlines, the actions the session's role
//! may take in its state (with a preview of what publication masks), and the action forms. Every
//! page that shows the submitter's details, the one shown after a refused action included, is
//! recorded in the audit log.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::intake::PublicText;
use crate::domain::intake::{next_state, topic_label, Action, Kind};
use crate::domain::vn_time;
use crate::error::{AppError, Code};
use crate::http::forms::{base, merge, respond, see_other, session_form};
use crate::http::pages::render;
use crate::http::AppState;
use crate::intake::{parse_tracking_code, ActionInput};
use crate::staff::{authenticate, Role, StaffSession};

async fn item_page(
    state: &AppState,
    session: &StaffSession,
    code: &str,
    error: Option<&str>,
    approved: Option<&PublicText>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (item, history, overdue) = state.intake.staff_item(session, code).await?;
    let current = item.state;
    let allowed = |action: Action, roles: &[Role]| {
        roles.contains(&session.role) && next_state(current, action).is_some()
    };
    let both = [Role::DeskHead, Role::AgencyOfficer];
    let can_publish = allowed(Action::Publish, &both) && item.is_public;
    // The machine-masked text, for the officer to review and edit; after a refused edit the
    // form shows what the officer typed.
    let preview = if can_publish {
        let machine = state.intake.preview_publication(&item).await?;
        let text = match approved {
            Some(typed) => json!(typed),
            None => json!(machine.text),
        };
        let masked: Vec<Value> = machine
            .masked
            .iter()
            .map(|m| json!({"label": m.label(), "original": m.original, "replacement": m.replacement}))
            .collect();
        Some(json!({"text": text, "masked": masked}))
    } else {
        None
    };
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
                "publication": h.publication.as_ref().map(|p| json!({
                    "edited": p.edited(),
                    "machine": p.machine,
                    "approved": p.approved,
                })),
            })
        })
        .collect();
    let topics: Vec<Value> = ["rules", "conduct"]
        .into_iter()
        .map(|key| {
            json!({
                "key": key,
                "label": topic_label(key),
                "selected": item.topic.as_deref() == Some(key),
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
                "commune": item.commune_name,
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
                "topic": item.topic.as_deref().and_then(topic_label),
                "overdue": overdue,
            },
            "history": history,
            "can": {
                "forward": allowed(Action::Forward, &[Role::DeskHead]),
                "classify": allowed(Action::Classify, &[Role::DeskHead]) && item.kind == Kind::Feedback,
                "start": allowed(Action::Start, &both),
                "request_info": allowed(Action::RequestInfo, &both),
                "answer": allowed(Action::Answer, &both),
                "refuse": allowed(Action::Refuse, &both),
                "publish": can_publish,
                "unpublish": allowed(Action::Unpublish, &both),
            },
            "agencies": agencies.iter().map(|a| json!({"code": a.code, "name": a.name})).collect::<Vec<_>>(),
            "preview": preview,
            "topics": topics,
        }),
    );
    // The page shows the submitter's name, phone, e-mail and address, whether it answers a
    // view or a refused action: record who saw them, every time it is rendered.
    crate::staff::audit::append(
        &state.pool,
        session,
        &crate::staff::audit::AuditEntry {
            action: crate::staff::audit::AuditAction::IntakeItemView,
            subject: &item.tracking_code,
            reason: None,
            shown: std::slice::from_ref(&item.tracking_code),
            call_id: None,
        },
    )
    .await?;
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
        item_page(&state, &session, &code, None, None, StatusCode::OK).await
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
    /// The public text of a publication, as the officer approved (and maybe edited) it.
    pub public_subject: Option<String>,
    pub public_question: Option<String>,
    pub public_answer: Option<String>,
}

impl ActionForm {
    /// The approved public text, when the form carries any of it (a missing part is empty, and
    /// refused as such).
    fn approved(&self) -> Option<PublicText> {
        let parts = [
            &self.public_subject,
            &self.public_question,
            &self.public_answer,
        ];
        parts.iter().any(|p| p.is_some()).then(|| PublicText {
            subject: self.public_subject.clone().unwrap_or_default(),
            question: self.public_question.clone().unwrap_or_default(),
            answer: self.public_answer.clone().unwrap_or_default(),
        })
    }
}

/// `POST /can-bo/muc/{code}/{action}` (`forward`, `start`, `request-info`, `answer`, `refuse`,
/// `publish`, `unpublish`, `classify`): applies it and goes back to the item page. `publish` publishes the
/// text in `public_subject`, `public_question` and `public_answer` (the preview as the officer
/// approved it), or the machine-masked text when the form has none of them.
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
        let approved = input.approved();
        let action_input = ActionInput {
            agency_code: input.agency_code,
            text: input.text,
            topic: input.topic,
            approved: approved.clone(),
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
                    approved.as_ref(),
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
