//! Operations endpoints: `/healthz` (the process is alive), `/readyz` (can it answer lookups, and
//! how well; the details only to operator addresses), `/metrics` (Prometheus text; registered by
//! `startup` among the operator endpoints, see docs/decisions/0044).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::config::SyncSettings;
use crate::error::AppError;
use crate::http::AppState;
use crate::lookup::view::format_time;
use crate::sync::freshness::FreshnessReport;

/// Registers the health checks, which every listener serves to everyone.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(show_liveness))
        .route("/readyz", web::get().to(show_readiness));
}

/// Registers `/metrics`, an operator endpoint.
pub fn configure_metrics(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(show_metrics));
}

/// The document's part for the health checks.
#[derive(utoipa::OpenApi)]
#[openapi(paths(show_liveness, show_readiness))]
pub struct Api;

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "get_liveness",
    tag = crate::http::openapi::TAG_OPERATIONS,
    summary = "Tiến trình còn sống / The process is alive",
    responses((status = 200, description = "Tiến trình đang chạy. / The process runs.", body = Liveness))
)]
async fn show_liveness() -> HttpResponse {
    HttpResponse::Ok().json(Liveness { status: "alive" })
}

/// `ready` (200): database reachable, cache warmed and current with the shared change sequence.
/// `degraded` (200): the database is unreachable but cached dossiers still answer, the cache is
/// still warming, the change listener is down, the instance is behind the sequence by more than
/// `sync.max_behind_secs` (or cannot read it), or the read model had no change for
/// `sync.expect_updates_within_secs`. `unavailable` (503): the database is unreachable and nothing
/// is cached. The details (database, feed, cache) are shown to operator addresses only; a load
/// balancer needs the status code alone.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "get_readiness",
    tag = crate::http::openapi::TAG_OPERATIONS,
    summary = "Có sẵn sàng trả lời tra cứu không / Whether lookups can be answered",
    description = "Trạng thái cho mọi người; chi tiết (cơ sở dữ liệu, đồng bộ, bộ đệm) chỉ cho địa chỉ vận hành. / The status for anyone; the details (database, sync, cache) only for operator addresses.",
    responses(
        (status = 200, description = "`ready` hoặc `degraded`. / `ready` or `degraded`.", body = Readiness),
        (status = 503, description = "`unavailable`: không có cơ sở dữ liệu và không có gì trong bộ đệm. / `unavailable`: no database and nothing cached.", body = Readiness),
    )
)]
async fn show_readiness(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let lookup = &state.lookup;
    let database_up = lookup.health().is_up();
    let cache = lookup.cache();
    let entries = cache.len();
    let warmed = cache.is_warmed();
    let freshness = state.sync.freshness().report(chrono::Utc::now());
    let sync_settings = &state.settings.sync;
    // No change ever recorded counts as quiet for ever.
    let feed_stalled = sync_settings
        .expect_updates_within_secs
        .is_some_and(|limit| {
            freshness
                .seconds_since_update
                .is_none_or(|quiet| quiet > i64::try_from(limit).unwrap_or(i64::MAX))
        });
    let behind = is_behind(&freshness, sync_settings);
    let (status, code) = if !database_up && (!cache.enabled() || entries == 0) {
        ("unavailable", 503)
    } else if !database_up || !warmed || feed_stalled || behind || !freshness.listener.connected {
        ("degraded", 200)
    } else {
        ("ready", 200)
    };
    let status_code = actix_web::http::StatusCode::from_u16(code).unwrap_or_default();
    if !crate::http::operator::is_operator(req.head(), &state.settings.http) {
        return HttpResponse::build(status_code)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(Readiness {
                status,
                database: None,
                sync: None,
                cache: None,
            });
    }
    let body = Readiness {
        status,
        database: Some(DatabaseReadiness {
            reachable: database_up,
            last_ok: lookup.health().last_ok().map(format_time),
        }),
        sync: Some(SyncReadiness {
            seconds_since_update: freshness.seconds_since_update,
            last_change_at: freshness.last_change_at.map(format_time),
            stalled: feed_stalled,
            behind,
            current: freshness.current,
            position: freshness.position,
            head: freshness.head,
            behind_changes: freshness.behind,
            behind_seconds: freshness.behind_seconds,
            checked_seconds_ago: freshness.checked_seconds_ago,
            cache_resets: freshness.cache_resets,
            listener: ListenerReadiness {
                connected: freshness.listener.connected,
                since: freshness.listener.since.map(format_time),
                reconnects: freshness.listener.reconnects,
            },
        }),
        cache: Some(CacheReadiness {
            enabled: cache.enabled(),
            warmed,
            entries,
            view_bytes: cache.view_bytes(),
        }),
    };
    HttpResponse::build(status_code)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// True when this instance cannot vouch that its cache holds what the database holds: its last
/// read of the change sequence failed (or none succeeded), none succeeded for a while, or the
/// oldest change it has not applied is older than the bound.
/// The answer of `/healthz`.
#[derive(Serialize, utoipa::ToSchema)]
struct Liveness {
    /// Luôn là `alive` khi tiến trình chạy. / Always `alive` while the process runs.
    #[schema(value_type = String, pattern = "^alive$")]
    status: &'static str,
}

/// The answer of `/readyz`: the status for anyone, the details for operator addresses.
#[derive(Serialize, utoipa::ToSchema)]
struct Readiness {
    /// `ready`: sẵn sàng; `degraded`: vẫn trả lời nhưng kém (mất cơ sở dữ liệu, đang nạp bộ
    /// đệm, chậm so với chuỗi thay đổi); `unavailable`: không trả lời được. / `ready`;
    /// `degraded`: answering, but worse (database unreachable, cache warming, behind the change
    /// sequence); `unavailable`: cannot answer.
    #[schema(value_type = String, pattern = "^(ready|degraded|unavailable)$")]
    status: &'static str,
    /// Cơ sở dữ liệu; chỉ cho địa chỉ vận hành. / The database; only for operator addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<DatabaseReadiness>,
    /// Đồng bộ; chỉ cho địa chỉ vận hành. / Sync; only for operator addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    sync: Option<SyncReadiness>,
    /// Bộ đệm; chỉ cho địa chỉ vận hành. / The cache; only for operator addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<CacheReadiness>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DatabaseReadiness {
    reachable: bool,
    last_ok: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct SyncReadiness {
    seconds_since_update: Option<i64>,
    last_change_at: Option<String>,
    stalled: bool,
    behind: bool,
    current: bool,
    position: Option<i64>,
    head: Option<i64>,
    behind_changes: Option<i64>,
    behind_seconds: f64,
    checked_seconds_ago: Option<f64>,
    cache_resets: u64,
    listener: ListenerReadiness,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ListenerReadiness {
    connected: bool,
    since: Option<String>,
    reconnects: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CacheReadiness {
    enabled: bool,
    warmed: bool,
    entries: u64,
    view_bytes: u64,
}

fn is_behind(freshness: &FreshnessReport, settings: &SyncSettings) -> bool {
    let bound = settings.max_behind_secs as f64;
    // The follower reads at least every `follow_interval_ms`; several missed reads in a row mean
    // it is stuck, whatever it last saw.
    let silent_after = (settings.follow_interval_ms as f64 / 1000.0 * 5.0).max(bound);
    !freshness.current
        || freshness
            .checked_seconds_ago
            .is_none_or(|ago| ago > silent_after)
        || freshness.behind_seconds > bound
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
    metrics
        .cache_view_bytes
        .set(i64::try_from(cache.view_bytes()).unwrap_or(i64::MAX));
    let freshness = state.sync.freshness().report(chrono::Utc::now());
    metrics
        .sync_last_change_timestamp
        .set(freshness.last_change_at.map_or(0, |at| at.timestamp()));
    metrics.sync_position.set(freshness.position.unwrap_or(0));
    metrics.sync_head_position.set(freshness.head.unwrap_or(0));
    metrics.sync_sequence_lag.set(freshness.behind.unwrap_or(0));
    metrics.sync_behind_seconds.set(freshness.behind_seconds);
    metrics
        .sync_listener_up
        .set(i64::from(freshness.listener.connected));
    let counted = metrics.sync_listener_reconnects.get();
    metrics
        .sync_listener_reconnects
        .inc_by(freshness.listener.reconnects.saturating_sub(counted));
    if let Some(replica) = state.lookup.replica_health() {
        metrics.replica_up.set(i64::from(replica.is_up()));
        metrics.replica_lag.set(replica.lag_seconds());
    }
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
