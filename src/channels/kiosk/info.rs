//! What a kiosk shows besides lookups and the catalogue: its own configuration, desk contacts with
//! the hotline (the provincial service centre, then every commune, ward and special-zone centre),
//! and on-time statistics per living agency.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{json_cached, kiosk_id};
use crate::catalog::{tier_label, CatalogService};
use crate::error::AppError;
use crate::http::AppState;
use crate::quality::QualityService;

/// `GET /api/v1/kiosk/config`: idle timeout, kiosk id, province, hotline and the public base URL. Answered without
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
            // What slips print: the public site citizens reach from home, not the kiosk's own
            // (often intranet) address.
            "public_base_url": settings.province.public_base_url.trim_end_matches('/'),
        })))
}

/// `GET /api/v1/kiosk/contacts`: the hotlines and the desks citizens go to today: the
/// province-tier desks (the provincial public administrative service centre first), then every
/// commune, ward and special-zone centre in the order of their places. No desk of a closed
/// agency or of the abolished districts.
pub async fn list_contacts(
    state: web::Data<AppState>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let desks = catalog.reader().await?.list_contact_desks().await?;
    let desks: Vec<_> = desks
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "code": d.desk.code,
                "name": d.desk.name,
                "kind": d.desk.kind,
                "kind_label": d.kind_label,
                "tier": d.tier,
                "tier_label": tier_label(&d.tier),
                "address": d.desk.desk_address,
                "phone": d.desk.desk_phone,
                "hours": d.desk.desk_hours,
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

/// `?tier=` or `?level=`: which agencies to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnTimeQuery {
    /// A tier of `agency_levels`: `province` (the default) or `local`.
    pub tier: Option<String>,
    /// A level of today of `agency_levels` (`department`, `commune`, `ward`, ...).
    pub level: Option<String>,
}

/// `GET /api/v1/stats/on-time[?tier=…|?level=…]`: settled dossiers of the last year and the
/// share on time, per agency of one tier or level (a closed agency's dossiers under its one
/// living successor, or under its own name marked `closed`), best first.
pub async fn get_on_time(
    query: web::Query<OnTimeQuery>,
    quality: web::Data<QualityService>,
) -> Result<HttpResponse, AppError> {
    let stats = quality
        .on_time(query.tier.as_deref(), query.level.as_deref())
        .await?;
    let agencies: Vec<_> = stats
        .agencies
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "closed": r.closed,
                "settled": r.settled,
                "on_time": r.on_time,
                "percent": percent(r.on_time, r.settled),
                "includes": r.rolled_up.iter()
                    .map(|(code, name)| serde_json::json!({ "code": code, "name": name }))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(json_cached(
        &serde_json::json!({
            "tier": stats.choice.tier(),
            "level": stats.choice.level(),
            "since": stats.since.date_naive().to_string(),
            "settled": stats.settled,
            "on_time": stats.on_time,
            "percent": percent(stats.on_time, stats.settled),
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
