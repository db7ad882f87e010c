//! What a kiosk shows besides lookups and the catalogue: its own configuration, desk contacts with
//! the hotline, and on-time statistics per agency.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::{client, json_cached, kiosk_id, query_failed};
use crate::db::kiosk as db;
use crate::error::{AppError, Code};
use crate::http::AppState;

/// Days of settled dossiers the statistics cover.
pub const STATS_DAYS: i64 = 365;

/// `GET /api/v1/kiosk/config`: idle timeout, kiosk id, province and hotline. Answered without
/// the database, so a kiosk can start while PostgreSQL is down.
pub async fn get_config(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let kiosk = kiosk_id(&req, &state)?;
    let settings = &state.settings;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({
            "kiosk_id": kiosk.as_ref(),
            "idle_timeout_secs": settings.kiosk.idle_timeout_secs,
            "province": settings.province.name,
            "hotline": settings.province.hotline,
            "public_service_hotline": "1022",
        })))
}

/// `GET /api/v1/kiosk/contacts`: the hotline and the desks of the province, its departments and
/// districts (commune desks are reached through their district).
pub async fn list_contacts(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let client = client(&state).await?;
    let desks = db::list_contact_desks(&client, &["province", "department", "district"])
        .await
        .map_err(query_failed)?;
    let desks: Vec<_> = desks
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "code": d.code,
                "name": d.name,
                "kind": d.kind,
                "address": d.desk_address,
                "phone": d.desk_phone,
                "hours": d.desk_hours,
            })
        })
        .collect();
    Ok(json_cached(
        &serde_json::json!({
            "hotline": state.settings.province.hotline,
            "public_service_hotline": "1022",
            "desks": desks,
        }),
        300,
    ))
}

/// `?level=`: which agencies to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnTimeQuery {
    /// `department` (default), `district` or `commune`.
    pub level: Option<String>,
}

/// `GET /api/v1/stats/on-time[?level=…]`: settled dossiers of the last year and the share on
/// time, per handling agency of one level, best first.
pub async fn get_on_time(
    query: web::Query<OnTimeQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let level = match query.level.as_deref().map(str::trim) {
        None | Some("department") => "department",
        Some("district") => "district",
        Some("commune") => "commune",
        Some(_) => {
            return Err(AppError::with_message(
                Code::InvalidInput,
                "Cấp phải là department, district hoặc commune.",
            ))
        }
    };
    // Department level also counts the province's own UBND.
    let kinds: &[&str] = if level == "department" {
        &["province", "department"]
    } else {
        &[level]
    };
    let since = Utc::now() - chrono::Duration::days(STATS_DAYS);
    let client = client(&state).await?;
    let mut rows = db::list_on_time(&client, since, kinds)
        .await
        .map_err(query_failed)?;
    rows.sort_by(|a, b| {
        let pa = a.on_time as f64 / a.settled.max(1) as f64;
        let pb = b.on_time as f64 / b.settled.max(1) as f64;
        pb.total_cmp(&pa).then_with(|| a.code.cmp(&b.code))
    });
    let settled: i64 = rows.iter().map(|r| r.settled).sum();
    let on_time: i64 = rows.iter().map(|r| r.on_time).sum();
    let agencies: Vec<_> = rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "settled": r.settled,
                "on_time": r.on_time,
                "percent": percent(r.on_time, r.settled),
            })
        })
        .collect();
    Ok(json_cached(
        &serde_json::json!({
            "level": level,
            "since": since.date_naive().to_string(),
            "settled": settled,
            "on_time": on_time,
            "percent": percent(on_time, settled),
            "agencies": agencies,
        }),
        300,
    ))
}

/// `part` of `whole` in percent with one decimal; `None` when nothing was settled.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_has_one_decimal_and_none_for_nothing_settled() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(5, 5), Some(100.0));
    }
}
