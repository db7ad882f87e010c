//! The inbox of the desk head and the agency officers: the items within the session's scope,
//! newest first, filtered by state, agency, channel, kind and overdue, a page at a time.
//! Administrators and operators have no inbox and are sent to their own pages.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::intake::{InboxFilter, IntakeChannel, Kind, State};
use crate::domain::vn_time;
use crate::error::{AppError, Code};
use crate::http::forms::{base, merge, respond, see_other};
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::{authenticate, Role};

/// The inbox filters.
#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    pub state: Option<String>,
    pub agency: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    pub overdue: Option<String>,
    /// Page number; anything unreadable is page 1.
    pub page: Option<String>,
}

fn nonempty(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// An inbox filter: blank is no filter, anything else must be one of the names `parse` knows.
fn filter_value<T>(
    raw: &Option<String>,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    nonempty(raw)
        .map(|value| {
            parse(&value).ok_or_else(|| {
                AppError::with_message(Code::InvalidInput, format!("Bộ lọc không hợp lệ: {what}."))
            })
        })
        .transpose()
}

/// `GET /can-bo[?state=&agency=&channel=&kind=&overdue=1&page=]`.
pub async fn show_inbox(
    req: HttpRequest,
    query: web::Query<InboxQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authenticate(&req, &state.pool).await?;
        if session.role == Role::Administrator {
            return Ok(see_other("/can-bo/tai-khoan"));
        }
        if session.role == Role::Operator {
            return Ok(see_other("/can-bo/tong-dai"));
        }
        let filter_state = filter_value(&query.state, "Trạng thái", State::parse)?;
        let channel = filter_value(&query.channel, "Kênh", IntakeChannel::parse)?;
        let kind = filter_value(&query.kind, "Loại", Kind::parse)?;
        let page_no = query
            .page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 10_000);
        let limit = state.settings.intake.page_size;
        let filter = InboxFilter {
            state: filter_state,
            agency_code: nonempty(&query.agency),
            channel,
            kind,
            overdue_only: query.overdue.as_deref() == Some("1"),
            limit,
            offset: (page_no - 1) * limit,
        };
        let items = state.intake.inbox(&session, &filter).await?;
        let agencies = state.intake.agencies().await?;
        let rows: Vec<Value> = items
            .iter()
            .map(|(item, overdue)| {
                json!({
                    "tracking_code": item.tracking_code,
                    "kind": item.kind.label(),
                    "channel": item.channel.label(),
                    "state": item.state.label(),
                    "subject": item.subject,
                    "agency": item.agency_name,
                    "received_at": vn_time(Some(item.received_at)),
                    "due_at": vn_time(match item.state {
                        State::Received => item.classify_due_at,
                        State::Answered => item.publish_due_at,
                        _ => item.handle_due_at,
                    }),
                    "overdue": overdue,
                })
            })
            .collect();
        let states: Vec<Value> = State::ALL
            .iter()
            .map(|s| json!({"key": s.as_str(), "label": s.label(), "selected": filter_state == Some(*s)}))
            .collect();
        let chosen_agency = filter.agency_code.clone().unwrap_or_default();
        let agency_options: Vec<Value> = agencies
            .iter()
            .filter(|a| session.scope().is_none_or(|s| s == a.code))
            .map(|a| json!({"code": a.code, "name": a.name, "selected": a.code == chosen_agency}))
            .collect();
        let page = merge(
            base(&state, "Hộp thư câu hỏi, phản ánh", Some(&session)),
            json!({
                "items": rows,
                "states": states,
                "agencies": agency_options,
                "channel": channel.map(IntakeChannel::as_str).unwrap_or_default(),
                "kind": kind.map(Kind::as_str).unwrap_or_default(),
                "overdue": filter.overdue_only,
                "scope": session.scope(),
                "next_url": (items.len() as i64 >= limit).then(|| {
                    let pairs = [
                        ("state", filter.state.map(State::as_str).unwrap_or_default().to_owned()),
                        ("agency", filter.agency_code.clone().unwrap_or_default()),
                        ("channel", filter.channel.map(IntakeChannel::as_str).unwrap_or_default().to_owned()),
                        ("kind", filter.kind.map(Kind::as_str).unwrap_or_default().to_owned()),
                        ("overdue", if filter.overdue_only { "1".into() } else { String::new() }),
                        ("page", (page_no + 1).to_string()),
                    ];
                    format!("/can-bo?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
                }),
            }),
        );
        Ok(render(&state, "staff/inbox", &page, StatusCode::OK))
    }
    .await;
    respond(&state, result)
}
