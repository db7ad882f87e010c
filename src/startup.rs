//! `Application::build`: the pool, cache, limits and background tasks, the routes, and the bound
//! listener (port 0 in tests). `run_until_stopped` serves until a signal or the server stops.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::{Server, Service, ServiceRequest, ServiceResponse};
use actix_web::{web, App};
use anyhow::Context;
use deadpool_postgres::Pool;
use futures_util::FutureExt;
use secrecy::ExposeSecret;

use crate::channels;
use crate::channels::sms::SmsState;
use crate::channels::sync::PushState;
use crate::config::{DatabaseSettings, Settings};
use crate::db;
use crate::db::health::{DbHealth, ReplicaHealth};
use crate::db::shared::SharedClients;
use crate::error::{AppError, Code};
use crate::http::operator::OperatorOnly;
use crate::http::AppState;
use crate::lookup::cache::DossierCache;
use crate::lookup::guard::Guard;
use crate::lookup::LookupService;
use crate::sync::auth::Verifier;
use crate::sync::service::SyncService;
use crate::telemetry::Metrics;

/// The middleware that counts every answer in the request metrics, by route, method and status:
/// a closure for `App::wrap_fn`, written out where it is used (a macro, not a function, so the
/// future it returns need not be boxed on the busiest path).
macro_rules! observe {
    ($metrics:expr) => {{
        let metrics = Arc::clone($metrics);
        move |req: ServiceRequest, srv: &_| {
            let started = Instant::now();
            let method = req.method().clone();
            let metrics = Arc::clone(&metrics);
            srv.call(req)
                .map(move |result: Result<ServiceResponse<_>, _>| {
                    if let Ok(response) = &result {
                        let route = response.request().match_pattern();
                        let route = route.unwrap_or_else(|| "unmatched".to_owned());
                        metrics.observe_request(
                            route,
                            &method,
                            response.status().as_u16(),
                            started.elapsed().as_secs_f64(),
                        );
                    }
                    result
                })
        }
    }};
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    internal_port: Option<u16>,
    server: Server,
    /// The internal listener's server, when `http.internal_port` is set.
    internal: Option<Server>,
    lookup: Arc<LookupService>,
    sync: Arc<SyncService>,
    pool: Pool,
    recorder: crate::channels::sms::recorder::Recorder,
}

impl Application {
    /// Builds everything over the database at `connection` (already migrated): the services and
    /// their background tasks, the channels' own state, and the server on its bound listener.
    pub async fn build(settings: Settings, connection: &str) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let pool = db::build_pool(connection, &settings.database)?;
        let metrics = Metrics::new()?;
        let (health, lookup) = lookup_service(&settings, &pool, &metrics).await?;
        let sync = Arc::new(
            SyncService::new(pool.clone(), Arc::clone(&lookup), Arc::clone(&metrics))
                .with_status_notices(crate::notify::status_changes::StatusNotices::from_settings(
                    &settings,
                )?),
        );
        let intake = Arc::new(
            crate::intake::IntakeService::new(pool.clone(), settings.intake.clone())
                .with_public_numbers(vec![settings.province.hotline.clone()])
                .with_answer_notices(crate::notify::answers::AnswerNotices::from_settings(
                    &settings,
                )?)
                .with_tracking_keys(settings.qr.keyring()?),
        );
        let intake_limits = Arc::new(crate::intake::limits::IntakeLimits::new(&settings));
        let staff_logins = Arc::new(crate::staff::throttle::LoginThrottle::new(&settings));
        drop(tokio::task::spawn_blocking(
            crate::staff::prepare_dummy_hash,
        ));
        // Where the cache starts in the change sequence, before the warm-up fills it; if the
        // database cannot say now, the follower asks again and reports this instance behind.
        if let Err(error) = crate::sync::fanout::catch_up(&sync).await {
            tracing::warn!(
                "cannot read the change sequence at start: {}",
                crate::error::redacted_chain(&error)
            );
        }
        spawn_background_tasks(&settings, &pool, &health, &lookup);
        let hotline = Arc::new(crate::hotline::HotlineState::new(&settings)?);
        spawn_intake_tasks(&pool, &intake_limits, &staff_logins, &hotline);
        spawn_sync_tasks(&settings, connection, &pool, &sync);
        let notify = Arc::new(crate::notify::NotifyService::new(
            pool.clone(),
            &settings.sms,
        ));
        let channels = ChannelData::build(
            &settings, connection, &pool, &lookup, &sync, &notify, &metrics,
        )?;
        spawn_sms_tasks(&settings, &notify, &channels.sms, sync.instance(), &metrics)?;
        let recorder = channels.sms.recorder.clone();

        let listener = bind(
            &settings.http.host,
            settings.http.port,
            "TRACUU_HTTP__HOST / TRACUU_HTTP__PORT",
        )?;
        let port = listener.local_addr()?.port();
        let internal_listener = settings
            .http
            .internal_port
            .map(|internal| {
                bind(
                    &settings.http.internal_host,
                    internal,
                    "TRACUU_HTTP__INTERNAL_HOST / TRACUU_HTTP__INTERNAL_PORT",
                )
            })
            .transpose()?;
        let internal_port = internal_listener
            .as_ref()
            .map(|l| l.local_addr().map(|a| a.port()))
            .transpose()?;
        let state = web::Data::new(AppState {
            settings: Arc::clone(&settings),
            lookup: Arc::clone(&lookup),
            templates: Arc::new(crate::templates::registry()?),
            metrics: Arc::clone(&metrics),
            pool: pool.clone(),
            sync: Arc::clone(&sync),
            intake: Arc::clone(&intake),
            intake_limits: Arc::clone(&intake_limits),
            staff_logins: Arc::clone(&staff_logins),
            hotline: Arc::clone(&hotline),
            kiosk_keys: Arc::new(crate::http::kiosk_keys::KioskKeys::new(&settings.kiosk)?),
        });
        let max_body = settings.http.max_body_bytes;
        let operators = OperatorOnly(Arc::new(settings.http.clone()));
        // With an internal listener the public one does not serve the operator endpoints at all.
        let public_operators = internal_listener.is_none().then(|| operators.clone());
        let server = {
            let state = state.clone();
            let channels = channels.clone();
            let metrics = Arc::clone(&metrics);
            serve(listener, settings.http.workers, &settings, move || {
                let public_operators = public_operators.clone();
                App::new()
                    .app_data(state.clone())
                    .configure(|cfg| channels.register(cfg))
                    .configure(|cfg| extractor_errors(cfg, max_body))
                    .wrap_fn(observe!(&metrics))
                    .configure(routes)
                    .configure(|cfg| {
                        if let Some(guard) = public_operators {
                            operator_routes(cfg, guard);
                        }
                    })
                    .wrap(actix_web::middleware::from_fn(
                        crate::http::body::limit_body_time,
                    ))
                    .default_service(web::to(crate::http::not_found))
            })?
        };
        let internal = match internal_listener {
            None => None,
            Some(listener) => Some(serve(
                listener,
                internal_workers(settings.http.workers),
                &settings,
                move || {
                    let operators = operators.clone();
                    App::new()
                        .app_data(state.clone())
                        .configure(|cfg| channels.register(cfg))
                        .configure(|cfg| extractor_errors(cfg, max_body))
                        .wrap_fn(observe!(&metrics))
                        .configure(channels::web::health::configure)
                        .configure(|cfg| operator_routes(cfg, operators))
                        .wrap(actix_web::middleware::from_fn(
                            crate::http::body::limit_body_time,
                        ))
                        .default_service(web::to(crate::http::not_found))
                },
            )?),
        };
        Ok(Self {
            port,
            internal_port,
            server,
            internal,
            lookup,
            sync,
            pool,
            recorder,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The internal listener's port, when there is one.
    pub fn internal_port(&self) -> Option<u16> {
        self.internal_port
    }

    /// The lookup service (tests and workers use it directly).
    pub fn lookup(&self) -> Arc<LookupService> {
        Arc::clone(&self.lookup)
    }

    /// A handle that stops the public server (tests stop one instance of several with it).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The feed's service (its freshness, for tests and workers).
    pub fn sync(&self) -> Arc<SyncService> {
        Arc::clone(&self.sync)
    }

    /// The database pool.
    pub fn pool(&self) -> Pool {
        self.pool.clone()
    }

    /// Serves until stopped (SIGINT/SIGTERM stop it gracefully).
    /// Inbound SMS records still queued are written before it returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = match self.internal {
            None => self.server.await,
            Some(internal) => futures_util::future::try_join(self.server, internal)
                .await
                .map(|_| ()),
        };
        self.recorder.close().await;
        result
    }
}

/// The database health probe and the lookup service over `pool`.
async fn lookup_service(
    settings: &Settings,
    pool: &Pool,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<(Arc<DbHealth>, Arc<LookupService>)> {
    let health = Arc::new(DbHealth::default());
    let timeout = Duration::from_secs(settings.database.connect_timeout_secs);
    health.probe(pool, timeout).await;
    let lookup = LookupService::new(
        pool.clone(),
        read_clients(&settings.database, pool)?,
        DossierCache::new(&settings.cache),
        Arc::clone(&health),
        Guard::with_kiosk_multiplier(&settings.rate_limit, settings.kiosk.budget_multiplier),
        Arc::clone(metrics),
    )
    .with_qr_keyring(settings.qr.keyring()?);
    let lookup = if settings.database.read_url.is_some() {
        metrics
            .register_replica()
            .context("cannot register the replica's metrics")?;
        lookup.with_replica(Arc::new(ReplicaHealth::default()))
    } else {
        lookup
    };
    Ok((health, Arc::new(lookup)))
}

/// What single channels keep apart from the services: registered as app data of their own.
#[derive(Clone)]
struct ChannelData {
    push: web::Data<PushState>,
    qr: web::Data<crate::channels::qr::QrState>,
    sms: web::Data<SmsState>,
    catalog: web::Data<crate::catalog::CatalogService>,
    quality: web::Data<crate::quality::QualityService>,
    api_document: web::Data<crate::http::openapi::ApiDocument>,
}

impl ChannelData {
    fn build(
        settings: &Settings,
        connection: &str,
        pool: &Pool,
        lookup: &Arc<LookupService>,
        sync: &Arc<SyncService>,
        notify: &Arc<crate::notify::NotifyService>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            push: web::Data::new(PushState {
                sync: Arc::clone(sync),
                verifier: Verifier::new(settings.sync.secrets.clone(), settings.sync.window_secs),
                settings: settings.sync.clone(),
                unverified_bodies: Arc::new(tokio::sync::Semaphore::new(
                    settings.sync.max_unverified_bodies,
                )),
            }),
            qr: web::Data::new(crate::channels::qr::QrState::new(settings)?),
            sms: web::Data::new(SmsState::new(
                settings,
                Arc::clone(lookup),
                Arc::clone(notify),
                connection,
                Arc::clone(metrics),
            )?),
            catalog: web::Data::new(crate::catalog::CatalogService::new(pool.clone())),
            quality: web::Data::new(crate::quality::QualityService::new(pool.clone())),
            api_document: web::Data::new(crate::http::openapi::ApiDocument {
                json: crate::openapi::document_json().into(),
            }),
        })
    }

    fn register(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.push.clone())
            .app_data(self.qr.clone())
            .app_data(self.sms.clone())
            .app_data(self.catalog.clone())
            .app_data(self.quality.clone())
            .app_data(self.api_document.clone());
    }
}

/// A listener on `host:port` (port 0: any free port, as the tests use); `names` are the settings
/// to blame when it cannot be bound.
fn bind(host: &str, port: u16, names: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port))
        .with_context(|| format!("cannot listen on {host}:{port} ({names})"))
}

/// Worker threads of the internal listener: few, it serves operators and the feed.
/// Runs the app `factory` makes on `listener` with `workers` workers (0: one per core): an
/// actix-web server assembled from its parts, so that `Expect: 100-continue` with a body too
/// large for its path is answered `413` instead of `100 Continue` (actix-web's `HttpServer` always
/// invites the body).
fn serve<F, I, S, B>(
    listener: TcpListener,
    workers: usize,
    settings: &Arc<Settings>,
    factory: F,
) -> std::io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: actix_service::IntoServiceFactory<S, actix_http::Request>,
    S: actix_service::ServiceFactory<actix_http::Request, Config = actix_web::dev::AppConfig>
        + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<actix_http::Response<B>> + 'static,
    <S::Service as actix_service::Service<actix_http::Request>>::Future: 'static,
    S::Service: 'static,
    B: actix_web::body::MessageBody + 'static,
{
    use actix_service::ServiceFactoryExt;
    let local = listener.local_addr()?;
    let mut builder = actix_server::Server::build();
    if workers > 0 {
        builder = builder.workers(workers);
    }
    let settings = Arc::clone(settings);
    let server = builder
        .listen(format!("tracuu-{local}"), listener, move || {
            let settings = Arc::clone(&settings);
            let expect = actix_service::fn_service(move |request: actix_http::Request| {
                let answer = crate::http::body::expect_continue(request, &settings);
                async move { answer }
            });
            let app = factory()
                .into_factory()
                .map_err(|error| error.into().error_response());
            actix_http::HttpService::build()
                .client_request_timeout(Duration::from_secs(5))
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(local)
                .expect(expect)
                .finish(actix_service::map_config(app, |_| {
                    actix_web::dev::AppConfig::default()
                }))
                .tcp()
        })?
        .run();
    Ok(server)
}

fn internal_workers(public_workers: usize) -> usize {
    if public_workers == 0 {
        2
    } else {
        public_workers.min(2)
    }
}

/// Body limits, and extractor failures answered with our error type (a JSON error with its code),
/// not actix's plain-text 400s.
fn extractor_errors(cfg: &mut web::ServiceConfig, max_body: usize) {
    cfg.app_data(web::PayloadConfig::new(max_body))
        .app_data(
            web::JsonConfig::default()
                .limit(max_body)
                .error_handler(|e, _| {
                    let code = match e {
                        actix_web::error::JsonPayloadError::Overflow { .. }
                        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                            Code::PayloadTooLarge
                        }
                        _ => Code::InvalidInput,
                    };
                    AppError::with_message(code, format!("{}: {e}", code.message_vi())).into()
                }),
        )
        .app_data(web::QueryConfig::default().error_handler(|e, _| AppError::bad_query(e).into()))
        .app_data(web::PathConfig::default().error_handler(|_, _| {
            AppError::with_message(Code::InvalidInput, "Địa chỉ (URL) không hợp lệ.").into()
        }));
}

/// Every channel's public routes. actix tries routes in order: the busiest come first.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(channels::web::api::configure)
        .configure(channels::web::configure)
        .configure(channels::feedback::configure)
        .configure(channels::staff::configure)
        .configure(channels::hotline::configure)
        .configure(channels::kiosk::configure)
        .configure(channels::qr::configure);
}

/// The operator endpoints (`/metrics`, `/sms/v1/*`, `/sync/v1/*`), registered last in a scope
/// only operator addresses match: for anyone else routing goes on to the unknown-route answer.
fn operator_routes(cfg: &mut web::ServiceConfig, operators: OperatorOnly) {
    cfg.service(
        web::scope("")
            .guard(operators)
            .configure(channels::web::health::configure_metrics)
            .configure(channels::sms::configure)
            .configure(channels::sync::configure),
    );
}

/// The connections cache misses read through: a few of the primary's pool, or of a replica's
/// pool when `database.read_url` names one (deploy/scaling.md).
fn read_clients(settings: &DatabaseSettings, primary: &Pool) -> anyhow::Result<SharedClients> {
    let lanes = settings.read_lanes;
    let Some(url) = &settings.read_url else {
        return Ok(SharedClients::new(primary.clone(), lanes));
    };
    let replica = DatabaseSettings {
        pool_size: lanes + 1, // one spare while a broken lane is replaced
        ..settings.clone()
    };
    let pool = db::build_pool(url.expose_secret(), &replica)
        .context("invalid TRACUU_DATABASE__READ_URL")?;
    Ok(SharedClients::new(pool, lanes))
}

fn spawn_background_tasks(
    settings: &Settings,
    pool: &Pool,
    health: &Arc<DbHealth>,
    lookup: &Arc<LookupService>,
) {
    let every = Duration::from_secs(settings.database.health_interval_secs.max(1));
    let timeout = Duration::from_secs(settings.database.connect_timeout_secs);
    tokio::spawn(Arc::clone(health).watch(pool.clone(), every, timeout));
    tokio::spawn(Arc::clone(lookup).watch_replica(every, timeout));

    // The working calendar overdue days are counted on: at start, then every five minutes (an
    // administrator's edit reaches every instance within that time).
    let calendar = Arc::clone(lookup);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(300));
        loop {
            ticker.tick().await;
            if let Err(error) = calendar.refresh_calendar().await {
                tracing::warn!(
                    "working calendar not refreshed for the lookup: {}",
                    crate::error::redacted_chain(&error)
                );
            }
        }
    });

    let tidy = Arc::clone(lookup);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticker.tick().await;
            tidy.guard().tidy();
        }
    });

    if settings.cache.warm_on_start && settings.cache.enabled {
        let warm = Arc::clone(lookup);
        let limit = settings.cache.max_dossiers;
        tokio::spawn(async move {
            let started = Instant::now();
            match warm.warm(limit).await {
                Ok(count) => tracing::info!(
                    cache.entries = count,
                    "cache warmed with {count} dossiers in {:.1} s",
                    started.elapsed().as_secs_f64()
                ),
                Err(error) => {
                    // Lookups still work: misses read the database.
                    warm.cache().set_warmed();
                    tracing::warn!(
                        "cache warm-up failed: {}",
                        crate::error::redacted_chain(&error)
                    );
                }
            }
        });
    } else {
        lookup.cache().set_warmed();
    }
}

fn spawn_sync_tasks(settings: &Settings, connection: &str, pool: &Pool, sync: &Arc<SyncService>) {
    tokio::spawn(crate::sync::fanout::listen(
        connection.to_owned(),
        Arc::clone(sync),
    ));
    tokio::spawn(crate::sync::fanout::follow(
        Arc::clone(sync),
        Duration::from_millis(settings.sync.follow_interval_ms),
    ));
    tokio::spawn(crate::sync::fanout::prune(
        Arc::clone(sync),
        chrono::Duration::hours(i64::try_from(settings.sync.change_log_keep_hours).unwrap_or(168)),
    ));

    // Signatures older than twice the window can no longer be replayed: forget them.
    let pool = pool.clone();
    let keep =
        chrono::Duration::seconds(i64::try_from(settings.sync.window_secs).unwrap_or(300) * 2);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticker.tick().await;
            let cleaned = async {
                let client = pool.get().await?;
                db::sync::delete_signatures_before(&client, chrono::Utc::now() - keep).await
            }
            .await;
            if let Err(error) = cleaned {
                tracing::debug!("signature clean-up skipped: {error:#}");
            }
        }
    });
}

fn spawn_intake_tasks(
    pool: &Pool,
    limits: &Arc<crate::intake::limits::IntakeLimits>,
    staff_logins: &Arc<crate::staff::throttle::LoginThrottle>,
    hotline: &Arc<crate::hotline::HotlineState>,
) {
    let pool = pool.clone();
    let limits = Arc::clone(limits);
    let staff_logins = Arc::clone(staff_logins);
    let hotline = Arc::clone(hotline);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(300));
        loop {
            ticker.tick().await;
            limits.tidy();
            staff_logins.tidy();
            hotline.tidy();
            let cleaned = async {
                let client = pool.get().await?;
                db::staff::delete_expired_sessions(&client).await
            }
            .await;
            if let Err(error) = cleaned {
                tracing::debug!("staff session clean-up skipped: {error:#}");
            }
        }
    });
}

/// The outbox sender (when Kannel's sendsms URL is configured) and the tidying of SMS limits.
fn spawn_sms_tasks(
    settings: &Settings,
    notify: &Arc<crate::notify::NotifyService>,
    sms: &web::Data<SmsState>,
    instance: &str,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<()> {
    if let Some(sender) = crate::channels::sms::sender::Sender::new(
        Arc::clone(notify),
        &settings.sms,
        instance,
        Arc::clone(metrics),
    )? {
        tokio::spawn(sender.run());
    } else {
        tracing::info!("TRACUU_SMS__SENDSMS_URL is not set: SMS notifications wait in the outbox");
    }
    let tidy = sms.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticker.tick().await;
            tidy.limits.tidy();
            tidy.recent.tidy();
            tidy.ids.tidy();
        }
    });
    Ok(())
}
