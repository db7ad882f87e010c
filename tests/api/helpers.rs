//! The integration-test harness: a real PostgreSQL (from `TEST_DATABASE_URL`, or a throwaway
//! cluster started from the machine's binaries), a migrated template database with a small demo
//! province, one database cloned from it per test (dropped afterwards), and the app on port 0.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::OnceCell;
use tracuu::config::Settings;
use tracuu::db::local::LocalCluster;
use tracuu::startup::Application;

const TEMPLATE: &str = "tracuu_test_template";
/// Dossiers of the demo province in the template (the 15 showcase dossiers come first).
pub const DEMO_DOSSIERS: usize = 300;

/// Connection string to the server's `postgres` database, with the database name last so it can
/// be swapped: `... dbname=NAME`.
fn server() -> &'static String {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        tracuu::telemetry::init_tracing();
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            return url;
        }
        let root = std::env::temp_dir().join(format!("tracuu-test-{}", std::process::id()));
        let cluster =
            LocalCluster::start(&root, true).expect("start a throwaway PostgreSQL cluster");
        let base = cluster.connection_string("postgres");
        // The watchdog stops it when this process exits.
        std::mem::forget(cluster);
        base
    })
}

/// A connection string for `dbname` on the test server.
pub fn connection_for(dbname: &str) -> String {
    let base = server();
    if base.starts_with("postgres://") || base.starts_with("postgresql://") {
        let (head, _) = base.rsplit_once('/').expect("URL with a path");
        format!("{head}/{dbname}")
    } else {
        let kept: Vec<&str> = base
            .split_whitespace()
            .filter(|part| !part.starts_with("dbname="))
            .collect();
        format!("{} dbname={dbname}", kept.join(" "))
    }
}

async fn template() -> &'static () {
    static READY: OnceCell<()> = OnceCell::const_new();
    READY
        .get_or_init(|| async {
            // Runs on a thread of its own so the connections it makes do not die with the first
            // test's runtime.
            std::thread::spawn(|| {
                let rt = tokio::runtime::Runtime::new().expect("runtime");
                rt.block_on(build_template())
            })
            .join()
            .expect("template thread");
        })
        .await
}

async fn build_template() {
    let admin = tracuu::db::connect(&connection_for("postgres"))
        .await
        .expect("connect");
    // Sweep databases left by earlier runs that crashed (ones in use cannot be dropped; skip them).
    let leftovers = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'",
            &[],
        )
        .await
        .expect("list databases");
    for row in leftovers {
        let name: String = row.get(0);
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\""))
            .await;
    }
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {TEMPLATE}"))
        .await
        .expect("drop old template");
    admin
        .batch_execute(&format!("CREATE DATABASE {TEMPLATE}"))
        .await
        .expect("create template");
    let url = connection_for(TEMPLATE);
    let mut client = tracuu::db::connect(&url).await.expect("connect template");
    tracuu::db::migrate(&mut client).await.expect("migrate");
    tracuu::db::open::seed_calendar(&client)
        .await
        .expect("seed calendar");
    drop(client);
    tracuu::cli::load_demo(&url, DEMO_DOSSIERS, 1)
        .await
        .expect("demo data");
}

/// One test's own database, dropped when the value is dropped.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    /// Clones the template into a fresh database.
    pub async fn create() -> Self {
        template().await;
        Self::copy_of(TEMPLATE).await
    }

    /// An empty database (no migrations applied), for tests of the migrations themselves.
    pub async fn empty() -> Self {
        Self::copy_of("template0").await
    }

    /// A fresh database made from the database `template`.
    async fn copy_of(template: &str) -> Self {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = tracuu::db::connect(&connection_for("postgres"))
            .await
            .expect("connect");
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .unwrap_or_else(|e| panic!("create a database from {template}: {e}"));
        Self {
            url: connection_for(&name),
            name,
        }
    }

    /// A direct connection for arranging and inspecting data.
    pub async fn client(&self) -> deadpool_postgres::Object {
        tracuu::db::connect(&self.url)
            .await
            .expect("connect test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                if let Ok(admin) = tracuu::db::connect(&connection_for("postgres")).await {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            })
        })
        .join();
    }
}

/// A running app on its own database.
pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub db: TestDatabase,
}

/// Settings every test starts from: port 0, limits loose enough not to interfere.
pub fn test_settings() -> Settings {
    let mut settings = Settings::default();
    settings.http.port = 0;
    settings.database.pool_size = 4;
    settings.http.workers = 1;
    settings.database.health_interval_secs = 1;
    settings.rate_limit.lookups_per_minute = 10_000;
    settings.rate_limit.lookups_burst = 10_000;
    settings.rate_limit.not_found_per_minute = 10_000;
    settings.rate_limit.not_found_burst = 10_000;
    settings
}

/// Starts the app with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `adjust` has changed the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDatabase::create().await;
    let mut settings = test_settings();
    adjust(&mut settings);
    let app = start(settings, &db.url).await;
    TestApp {
        address: app,
        http: http_client(),
        db,
    }
}

/// How long [`start`] waits for the cache to warm (a few hundred dossiers take well under a
/// second; the margin is for a machine busy with other tests).
const WARM_UP_WAIT: Duration = Duration::from_secs(30);

/// Builds and runs the app on `url`; returns its base address once the cache is warm and the
/// change listener is connected, and fails the test if that does not happen in time (a test would
/// otherwise run against a cold cache, or a deaf instance, and check something else than it says).
pub async fn start(settings: Settings, url: &str) -> String {
    start_with_handle(settings, url).await.0
}

/// [`start`], also returning the server's handle (to stop this instance) and its feed service.
pub async fn start_with_handle(
    settings: Settings,
    url: &str,
) -> (
    String,
    actix_web::dev::ServerHandle,
    std::sync::Arc<tracuu::sync::service::SyncService>,
) {
    let app = Application::build(settings, url).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let lookup = app.lookup();
    let sync = app.sync();
    let handle = app.server_handle();
    tokio::spawn(app.run_until_stopped());
    let deadline = tokio::time::Instant::now() + WARM_UP_WAIT;
    while !lookup.cache().is_warmed()
        || !sync
            .freshness()
            .report(chrono::Utc::now())
            .listener
            .connected
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the app's cache did not warm, or its listener did not connect, within {} s",
            WARM_UP_WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    (address, handle, sync)
}

/// A client that does not follow redirects.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

/// A showcase dossier of the demo province, read back from the database.
#[derive(Debug, Clone)]
pub struct Known {
    pub code: String,
    pub lookup_number: i64,
    pub status: i16,
    pub name: String,
    pub phone: String,
}

impl TestApp {
    /// GET `path` on the app.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    /// GET `path` and parse the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.json().await.expect("JSON body");
        (status, body)
    }

    /// The showcase dossier with this status (1–10), straight from the database.
    pub async fn known(&self, status: i16) -> Known {
        self.known_where("status = $1 AND applicant_phone IS NOT NULL", &[&status])
            .await
    }

    /// The first dossier (by code) matching `condition`.
    pub async fn known_where(
        &self,
        condition: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Known {
        let client = self.db.client().await;
        let row = client
            .query_one(
                &format!(
                    "SELECT code, lookup_number, status, applicant_name, applicant_phone
                       FROM dossiers WHERE {condition} ORDER BY code LIMIT 1"
                ),
                params,
            )
            .await
            .expect("a matching dossier");
        Known {
            code: row.get(0),
            lookup_number: row.get(1),
            status: row.get(2),
            name: row.get(3),
            phone: row.get(4),
        }
    }
}
