//! Operations endpoints: `/healthz` (the process is alive), `/readyz` (can it answer lookups, and
//! how well; the details only to operator addresses), `/metrics` (Prometheus text; registered by
//! `startup` among the operator endpoints, see docs/decisions/0044).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::error::AppError;
use crate::http::AppState;
use crate::lookup::view::format_time;

/// Registers the health checks, which every listener serves to everyone.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(show_liveness))
        .route("/readyz", web::get().to(show_readiness));
}

/// Registers `/metrics`, an operator endpoint.
pub fn configure_metrics(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(show_metrics));
}

async fn show_liveness() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "alive"}))
}

/// `ready` (200): database reachable and cache warmed. `degraded` (200): the database is
/// unreachable but cached dossiers still answer, or the cache is still warming. `unavailable`
/// (503): the database is unreachable and nothing is cached. The details (database, feed, cache)
/// are shown to operator addresses only; a load balancer needs the status code alone.
async fn show_readiness(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let lookup = &state.lookup;
    let database_up = lookup.health().is_up();
    let cache = lookup.cache();
    let entries = cache.len();
    let warmed = cache.is_warmed();
    let quiet_for = state.sync.seconds_since_update();
    let feed_stalled = state
        .settings
        .sync
        .expect_updates_within_secs
        .is_some_and(|limit| quiet_for > i64::try_from(limit).unwrap_or(i64::MAX));
    let (status, code) = if !database_up && (!cache.enabled() || entries == 0) {
        ("unavailable", 503)
    } else if !database_up || !warmed || feed_stalled {
        ("degraded", 200)
    } else {
        ("ready", 200)
    };
    let status_code = actix_web::http::StatusCode::from_u16(code).unwrap_or_default();
    if !crate::http::operator::is_operator(req.head(), &state.settings.http) {
        return HttpResponse::build(status_code)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({ "status": status }));
    }
    let body = json!({
        "status": status,
        "database": {
            "reachable": database_up,
            "last_ok": lookup.health().last_ok().map(format_time),
        },
        "sync": {
            "seconds_since_update": quiet_for,
            "stalled": feed_stalled,
        },
        "cache": {
            "enabled": cache.enabled(),
            "warmed": warmed,
            "entries": entries,
            "view_bytes": cache.view_bytes(),
        },
    });
    HttpResponse::build(status_code)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

async fn show_metrics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let metrics = &state.metrics;
    let cache = state.lookup.cache();
    metrics
        .cache_entries
        .set(i64::try_from(cache.len()).unwrap_or(i64::MAX));
    metrics
        .database_up
        .set(i64::from(state.lookup.health().is_up()));
    let pool = state.pool.status();
    metrics.pool_size.set(pool.size as i64);
    metrics.pool_available.set(pool.available as i64);
    metrics.pool_waiting.set(pool.waiting as i64);
    let text = metrics.render().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(text))
}
