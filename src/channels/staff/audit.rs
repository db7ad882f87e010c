//! The administrators' view of the audit log (`/can-bo/nhat-ky`): filters by staff member,
//! action, subject (a code or a phone number) and period, and a CSV export of the same
//! selection. Read-only: the database refuses changes to the log, and exporting it is itself
//! recorded. Phone numbers are shown masked; a full number can still be used as a filter.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::audit::{AuditFilter, AuditRecord};
use crate::domain::{vn_time, PhoneNumber};
use crate::error::{AppError, Code};
use crate::http::forms::{base, merge, respond};
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::audit::{self, AuditAction};
use crate::staff::{authorise, Role, StaffSession};

/// Registers the audit log pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/can-bo/nhat-ky", web::get().to(show_audit_log))
        .route("/can-bo/nhat-ky.csv", web::get().to(export_audit_log));
}

/// The filters.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
}

fn nonempty(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn filter_from(query: &AuditQuery, limit: i64) -> Result<AuditFilter, AppError> {
    let bad = |what: &str| {
        AppError::with_message(Code::InvalidInput, format!("Bộ lọc không hợp lệ: {what}."))
    };
    let actor_id = nonempty(&query.actor)
        .map(|a| a.parse::<i64>().map_err(|_| bad("Mã tài khoản cán bộ")))
        .transpose()?;
    let action = nonempty(&query.action)
        .map(|a| {
            AuditAction::parse(a)
                .map(|x| x.as_str().to_owned())
                .ok_or_else(|| bad("Thao tác"))
        })
        .transpose()?;
    // A phone number in any usual form is matched by its E.164 form.
    let subject = nonempty(&query.subject).map(|s| match PhoneNumber::parse(s) {
        Ok(phone) => phone.e164().to_owned(),
        Err(_) => s.to_owned(),
    });
    let from = crate::intake::parse_day(query.from.as_deref(), "from")?;
    let to =
        crate::intake::parse_day(query.to.as_deref(), "to")?.map(|t| t + chrono::Duration::days(1));
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    Ok(AuditFilter {
        actor_id,
        action,
        subject,
        from,
        to,
        limit,
        offset: (page - 1) * limit,
    })
}

/// A subject as shown: phone numbers masked.
fn shown_subject(subject: &str) -> String {
    if subject.starts_with('+') {
        PhoneNumber::parse(subject)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "[số điện thoại]".to_owned())
    } else {
        subject.to_owned()
    }
}

fn row_view(row: &AuditRecord) -> Value {
    json!({
        "id": row.id,
        "at": vn_time(Some(row.at)),
        "actor": row.actor_label,
        "actor_id": row.actor_id,
        "action": AuditAction::parse(&row.action).map(AuditAction::label).unwrap_or("?"),
        "subject": shown_subject(&row.subject),
        "reason": row.reason,
        "shown": row.shown.join(", "),
        "call_id": row.call_id,
    })
}

async fn admin(req: &HttpRequest, state: &AppState) -> Result<StaffSession, AppError> {
    let session = authorise(req, &state.pool, &[Role::Administrator]).await?;
    Ok(session)
}

/// `GET /can-bo/nhat-ky[?actor=&action=&subject=&from=&to=&page=]` (administrator).
pub async fn show_audit_log(
    req: HttpRequest,
    query: web::Query<AuditQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = admin(&req, &state).await?;
        let limit = state.settings.intake.page_size.max(50);
        let filter = filter_from(&query, limit)?;
        let rows = audit::list(&state.pool, &filter).await?;
        let pairs = |page: i64| {
            let pairs = [
                ("actor", query.actor.clone().unwrap_or_default()),
                ("action", query.action.clone().unwrap_or_default()),
                ("subject", query.subject.clone().unwrap_or_default()),
                ("from", query.from.clone().unwrap_or_default()),
                ("to", query.to.clone().unwrap_or_default()),
                ("page", page.to_string()),
            ];
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        };
        let page_no = filter.offset / limit + 1;
        let actions: Vec<Value> = AuditAction::ALL
            .iter()
            .map(|a| json!({"key": a.as_str(), "label": a.label(), "selected": query.action.as_deref() == Some(a.as_str())}))
            .collect();
        let page = merge(
            base(&state, "Nhật ký truy cập dữ liệu cá nhân", Some(&session)),
            json!({
                "rows": rows.iter().map(row_view).collect::<Vec<_>>(),
                "actions": actions,
                "filter": {
                    "actor": query.actor.clone().unwrap_or_default(),
                    "subject": query.subject.clone().unwrap_or_default(),
                    "from": query.from.clone().unwrap_or_default(),
                    "to": query.to.clone().unwrap_or_default(),
                },
                "csv_url": format!("/can-bo/nhat-ky.csv?{}", pairs(1)),
                "next_url": (rows.len() as i64 >= limit).then(|| format!("/can-bo/nhat-ky?{}", pairs(page_no + 1))),
            }),
        );
        Ok(render(&state, "staff/audit", &page, StatusCode::OK))
    }
    .await;
    respond(&state, result)
}

/// One CSV field: always quoted, quotes doubled, and a leading `=`, `+`, `-` or `@` defused so a
/// spreadsheet does not run it as a formula.
fn csv_field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// `GET /can-bo/nhat-ky.csv[?...]` (administrator): the same selection as CSV (UTF-8 with BOM,
/// at most 100,000 rows); the export itself is recorded.
pub async fn export_audit_log(
    req: HttpRequest,
    query: web::Query<AuditQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = admin(&req, &state).await?;
        let mut filter = filter_from(&query, 100_000)?;
        filter.offset = 0;
        let rows = audit::export(&state.pool, &session, &filter).await?;
        let mut csv =
            String::from("\u{feff}id,at,actor_id,actor,action,subject,reason,shown,call_id\r\n");
        for row in &rows {
            let fields = [
                row.id.to_string(),
                vn_time(Some(row.at)).unwrap_or_default(),
                row.actor_id.to_string(),
                row.actor_label.clone(),
                row.action.clone(),
                shown_subject(&row.subject),
                row.reason.clone().unwrap_or_default(),
                row.shown.join(" "),
                row.call_id.map(|c| c.to_string()).unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            csv.push_str(&line.join(","));
            csv.push_str("\r\n");
        }
        Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"nhat-ky-truy-cap.csv\"",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(csv))
    }
    .await;
    respond(&state, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(csv_field("Nguyễn, A"), "\"Nguyễn, A\"");
    }

    #[test]
    fn phone_subjects_are_masked() {
        assert_eq!(shown_subject("+84912345678"), "09xx xxx 678");
        assert_eq!(shown_subject("H57.132-260804-0583"), "H57.132-260804-0583");
    }
}
