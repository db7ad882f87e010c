//! Logging and metrics. Logs go to stderr through `tracing` (JSON with `TRACUU_LOG_FORMAT=json`,
//! level from `RUST_LOG`, default `info`); metrics are Prometheus counters and histograms rendered
//! on `/metrics`. Neither ever carries a full phone number, a name or a message body.

use std::sync::Arc;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

mod process;
use tracing_subscriber::EnvFilter;

/// Installs the global tracing subscriber once; later calls are ignored (tests call it repeatedly).
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("TRACUU_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Every metric tracuu exports.
pub struct Metrics {
    /// Unique per registry, so per-thread caches of label children never mix registries.
    id: u64,
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub cache_hits: IntCounter,
    pub cache_misses: IntCounter,
    pub cache_negative_hits: IntCounter,
    pub cache_entries: IntGauge,
    pub cache_view_bytes: IntGauge,
    pub lookup_not_found: IntCounter,
    pub lookup_proofs: IntCounterVec,
    /// `lookup_proofs` children resolved once: none, accepted, rejected, locked, granted.
    proof_counters: [IntCounter; 5],
    pub database_up: IntGauge,
    pub sync_lag: prometheus::Histogram,
    pub sync_items: IntCounterVec,
    /// Pulled rows found committed behind the watermark, and applied late.
    pub sync_late_rows: IntCounter,
    /// Inbound SMS by outcome (`status`, `not_found`, `help`, `duplicate`, `silenced`, ...).
    pub sms_inbound: IntCounterVec,
    /// Outbox send attempts by result (`sent`, `retry`, `failed`, `unknown`).
    pub sms_outbox: IntCounterVec,
    /// Unix time of the newest change in the shared change sequence (every instance agrees).
    pub sync_last_change_timestamp: IntGauge,
    /// Positions of the change sequence this instance has not applied yet.
    pub sync_sequence_lag: IntGauge,
    /// The last position this instance applied, and the head it last saw.
    pub sync_position: IntGauge,
    pub sync_head_position: IntGauge,
    /// Seconds since the oldest change this instance has not applied was recorded (0: none).
    pub sync_behind_seconds: prometheus::Gauge,
    /// 1 while the change listener is connected.
    pub sync_listener_up: IntGauge,
    pub sync_listener_reconnects: IntCounter,
    /// Changes of the sequence this instance applied (its own and other instances').
    pub sync_changes_applied: IntCounter,
    pub pool_size: IntGauge,
    pub pool_available: IntGauge,
    pub pool_waiting: IntGauge,
    /// 1 when the replica of `database.read_url` answered its last probe; registered only when
    /// one is configured ([`Metrics::register_replica`]).
    pub replica_up: IntGauge,
    /// The replica's replay lag in seconds at its last probe.
    pub replica_lag: prometheus::Gauge,
    /// The standard `process_*` figures (no `tracuu_` prefix, as every exporter names them),
    /// read from `/proc/self` at each scrape.
    process: ProcessMetrics,
}

/// `process_*` gauges in a registry of their own, without the `tracuu_` prefix.
struct ProcessMetrics {
    registry: Registry,
    cpu_seconds: prometheus::Gauge,
    resident_bytes: IntGauge,
    virtual_bytes: IntGauge,
    open_fds: IntGauge,
    max_fds: IntGauge,
    threads: IntGauge,
    start_time: IntGauge,
}

impl ProcessMetrics {
    fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let gauge = |name: &str, help: &str| -> prometheus::Result<IntGauge> {
            let gauge = IntGauge::new(name, help)?;
            registry.register(Box::new(gauge.clone()))?;
            Ok(gauge)
        };
        let cpu_seconds = prometheus::Gauge::new(
            "process_cpu_seconds_total",
            "User and system CPU time spent, in seconds",
        )?;
        registry.register(Box::new(cpu_seconds.clone()))?;
        Ok(Self {
            cpu_seconds,
            resident_bytes: gauge("process_resident_memory_bytes", "Resident memory, in bytes")?,
            virtual_bytes: gauge("process_virtual_memory_bytes", "Virtual memory, in bytes")?,
            open_fds: gauge("process_open_fds", "Open file descriptors")?,
            max_fds: gauge("process_max_fds", "Limit of open file descriptors")?,
            threads: gauge("process_threads", "Operating-system threads")?,
            start_time: gauge(
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch, in seconds",
            )?,
            registry,
        })
    }

    /// Reads `/proc/self` into the gauges; figures it cannot read keep their last value.
    fn update(&self) {
        if let Some(figures) = process::read() {
            self.cpu_seconds.set(figures.cpu_seconds);
            self.resident_bytes.set(figures.resident_bytes);
            self.virtual_bytes.set(figures.virtual_bytes);
            self.threads.set(figures.threads);
            self.start_time.set(figures.start_time);
        }
        if let Some(open) = process::open_fds() {
            self.open_fds.set(open);
        }
        if let Some(max) = process::max_fds() {
            self.max_fds.set(max);
        }
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> anyhow::Result<Arc<Self>> {
        let registry = Registry::new_custom(Some("tracuu".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route pattern",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5,
            ]),
            &["route"],
        )?;
        let counter = |name: &str, help: &str| IntCounter::new(name, help);
        let lookup_proofs = IntCounterVec::new(
            Opts::new("lookup_proofs_total", "Lookups by proof outcome"),
            &["outcome"],
        )?;
        let proof_counters = ["none", "accepted", "rejected", "locked", "granted"]
            .map(|outcome| lookup_proofs.with_label_values(&[outcome]));
        let gauge = |name: &str, help: &str| IntGauge::new(name, help);
        let metrics = Self {
            http_requests,
            http_duration,
            cache_hits: counter("lookup_cache_hits_total", "Lookups answered from the cache")?,
            cache_misses: counter(
                "lookup_cache_misses_total",
                "Lookups that had to read the database",
            )?,
            cache_negative_hits: counter(
                "lookup_cache_negative_hits_total",
                "Lookups of codes remembered as unknown",
            )?,
            cache_entries: gauge("lookup_cache_entries", "Dossiers in the cache")?,
            cache_view_bytes: gauge(
                "lookup_cache_view_bytes",
                "Bytes of serialized dossier views in the cache",
            )?,
            lookup_not_found: counter("lookup_not_found_total", "Lookups of unknown dossiers")?,
            lookup_proofs,
            proof_counters,
            database_up: gauge("database_up", "1 when the database answered the last probe")?,
            sync_lag: prometheus::Histogram::with_opts(
                HistogramOpts::new(
                    "sync_lag_seconds",
                    "Time from a change in the main store to it being applied here",
                )
                .buckets(vec![
                    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0,
                ]),
            )?,
            sync_items: IntCounterVec::new(
                Opts::new("sync_items_total", "Synced dossier snapshots by outcome"),
                &["outcome"],
            )?,
            sync_late_rows: counter(
                "sync_late_rows_total",
                "Pulled rows found committed behind the watermark, applied late",
            )?,
            sms_inbound: IntCounterVec::new(
                Opts::new("sms_inbound_total", "Inbound SMS by outcome"),
                &["outcome"],
            )?,
            sms_outbox: IntCounterVec::new(
                Opts::new("sms_outbox_sends_total", "Outbox send attempts by result"),
                &["result"],
            )?,
            sync_last_change_timestamp: gauge(
                "sync_last_change_timestamp_seconds",
                "Unix time of the newest change to the read model, from the shared change sequence",
            )?,
            sync_sequence_lag: gauge(
                "sync_sequence_lag",
                "Changes of the shared sequence this instance has not applied to its cache",
            )?,
            sync_position: gauge(
                "sync_sequence_position",
                "The last position of the change sequence this instance applied",
            )?,
            sync_head_position: gauge(
                "sync_sequence_head_position",
                "The newest position of the change sequence this instance has seen",
            )?,
            sync_behind_seconds: prometheus::Gauge::new(
                "sync_behind_seconds",
                "Age of the oldest change this instance has not applied yet (0 when none)",
            )?,
            sync_listener_up: gauge(
                "sync_listener_up",
                "1 while the change listener's connection is up",
            )?,
            sync_listener_reconnects: counter(
                "sync_listener_reconnects_total",
                "Times the change listener connected again after losing its connection",
            )?,
            sync_changes_applied: counter(
                "sync_changes_applied_total",
                "Changes of the shared sequence applied to this instance's cache",
            )?,
            pool_size: gauge("db_pool_connections", "Connections open in the pool")?,
            pool_available: gauge("db_pool_available", "Idle connections in the pool")?,
            pool_waiting: gauge("db_pool_waiting", "Requests waiting for a connection")?,
            process: ProcessMetrics::new()?,
            replica_up: gauge(
                "database_replica_up",
                "1 when the replica of database.read_url answered the last probe",
            )?,
            replica_lag: prometheus::Gauge::new(
                "database_replica_lag_seconds",
                "How far the replica's replay is behind the primary (0 when caught up)",
            )?,
            registry,
            id: {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        };
        metrics.register_all()?;
        let build_info = IntGaugeVec::new(
            Opts::new(
                "build_info",
                "Always 1; the labels name the running build (version, commit)",
            ),
            &["version", "commit"],
        )?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), env!("BUILD_COMMIT")])
            .set(1);
        metrics.registry.register(Box::new(build_info))?;
        Ok(Arc::new(metrics))
    }

    fn register_all(&self) -> prometheus::Result<()> {
        let r = &self.registry;
        r.register(Box::new(self.http_requests.clone()))?;
        r.register(Box::new(self.http_duration.clone()))?;
        r.register(Box::new(self.cache_hits.clone()))?;
        r.register(Box::new(self.cache_misses.clone()))?;
        r.register(Box::new(self.cache_negative_hits.clone()))?;
        r.register(Box::new(self.cache_entries.clone()))?;
        r.register(Box::new(self.cache_view_bytes.clone()))?;
        r.register(Box::new(self.lookup_not_found.clone()))?;
        r.register(Box::new(self.lookup_proofs.clone()))?;
        r.register(Box::new(self.database_up.clone()))?;
        r.register(Box::new(self.sync_lag.clone()))?;
        r.register(Box::new(self.sync_items.clone()))?;
        r.register(Box::new(self.sync_late_rows.clone()))?;
        r.register(Box::new(self.sms_inbound.clone()))?;
        r.register(Box::new(self.sms_outbox.clone()))?;
        r.register(Box::new(self.sync_last_change_timestamp.clone()))?;
        r.register(Box::new(self.sync_sequence_lag.clone()))?;
        r.register(Box::new(self.sync_position.clone()))?;
        r.register(Box::new(self.sync_head_position.clone()))?;
        r.register(Box::new(self.sync_behind_seconds.clone()))?;
        r.register(Box::new(self.sync_listener_up.clone()))?;
        r.register(Box::new(self.sync_listener_reconnects.clone()))?;
        r.register(Box::new(self.sync_changes_applied.clone()))?;
        r.register(Box::new(self.pool_size.clone()))?;
        r.register(Box::new(self.pool_available.clone()))?;
        r.register(Box::new(self.pool_waiting.clone()))?;
        Ok(())
    }

    /// Exports the replica's gauges: called once when `database.read_url` names a replica, so an
    /// installation without one shows no replica at all rather than one that is down.
    pub fn register_replica(&self) -> prometheus::Result<()> {
        self.registry.register(Box::new(self.replica_up.clone()))?;
        self.registry.register(Box::new(self.replica_lag.clone()))
    }

    /// Counts one HTTP request and its latency. Label children are resolved once per worker
    /// thread and kept there, so the hot path takes no lock.
    pub fn observe_request(
        &self,
        route: String,
        method: &actix_web::http::Method,
        status: u16,
        seconds: f64,
    ) {
        type Children = (IntCounter, prometheus::Histogram);
        /// Keyed by registry, route, method and status; hashed with foldhash, since SipHash
        /// showed up in the profile of every request.
        type ChildMap<V> = std::collections::HashMap<
            (u64, String, actix_web::http::Method, u16),
            V,
            foldhash::fast::RandomState,
        >;
        thread_local! {
            static CHILDREN: std::cell::RefCell<ChildMap<Children>> = Default::default();
        }
        CHILDREN.with(|children| {
            let mut children = children.borrow_mut();
            // Keyed by registry too: tests run several apps, each with its own metrics.
            let key = (self.id, route, method.clone(), status);
            let (counter, histogram) =
                children
                    .entry(key)
                    .or_insert_with_key(|(_, route, method, status)| {
                        (
                            self.http_requests.with_label_values(&[
                                route.as_str(),
                                method.as_str(),
                                &status.to_string(),
                            ]),
                            self.http_duration.with_label_values(&[route.as_str()]),
                        )
                    });
            counter.inc();
            histogram.observe(seconds);
        });
    }

    /// The counter of one proof outcome (`none`, `accepted`, `rejected`, `locked`,
    /// `granted`), without a
    /// label lookup on the hot path.
    pub fn proof_counter(&self, outcome: &str) -> &IntCounter {
        let index = match outcome {
            "accepted" => 1,
            "rejected" => 2,
            "locked" => 3,
            "granted" => 4,
            _ => 0,
        };
        &self.proof_counters[index]
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> anyhow::Result<String> {
        self.process.update();
        let mut families = self.registry.gather();
        families.extend(self.process.registry.gather());
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&families, &mut buffer)?;
        Ok(String::from_utf8(buffer)?)
    }
}

/// Serves `metrics` on `GET /metrics` at `address` (a command without the web server, such as
/// `sync pull`, exports its own figures this way). Returns the bound address; the server runs
/// until the process ends.
pub fn export(
    address: std::net::SocketAddr,
    metrics: Arc<Metrics>,
) -> anyhow::Result<std::net::SocketAddr> {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let metrics = web::Data::from(metrics);
    let server = HttpServer::new(move || {
        App::new().app_data(metrics.clone()).route(
            "/metrics",
            web::get().to(|metrics: web::Data<Metrics>| async move {
                match metrics.render() {
                    Ok(text) => HttpResponse::Ok()
                        .content_type("text/plain; version=0.0.4; charset=utf-8")
                        .body(text),
                    Err(_) => HttpResponse::InternalServerError().finish(),
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(address)
    .map_err(|error| anyhow::anyhow!("cannot serve metrics on {address}: {error}"))?;
    let bound = server.addrs().first().copied().unwrap_or(address);
    tokio::spawn(server.run());
    Ok(bound)
}
