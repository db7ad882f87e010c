//! Issue 23: production mode, through the `tracuu` binary as an installation runs it. Start-up
//! refuses every demo convenience with one line per missing setting, before it opens a database
//! or starts a private cluster; with every item given (the secrets from `_FILE` files) it
//! migrates an empty database, loads no demo province and serves, and logs none of the secrets.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{http_client, TestDatabase};

const QR_KEY: &str = "P:production-qr-secret-0123456789";
const SYNC_SECRET: &str = "production-sync-secret-0123456789";
const SMS_SECRET: &str = "production-kannel-secret-0123456789";

/// A directory of its own for one test, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tracuu-production-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, content).expect("write");
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A production environment with every item given, the secrets in files under `scratch`; the
/// database is `url`.
fn complete_environment(scratch: &Scratch, url: &str) -> Vec<(String, String)> {
    [
        ("TRACUU_DEPLOYMENT__MODE", "production".to_owned()),
        (
            "TRACUU_DATABASE__URL_FILE",
            scratch.file("database-url", &format!("{url}\n")),
        ),
        (
            "TRACUU_QR__KEYS_FILE",
            scratch.file("qr-keys", &format!("{QR_KEY}\n")),
        ),
        (
            "TRACUU_SYNC__SECRETS_FILE",
            scratch.file("sync-secrets", &format!("{SYNC_SECRET}\n")),
        ),
        (
            "TRACUU_SMS__INBOUND_SECRET_FILE",
            scratch.file("sms-inbound-secret", &format!("{SMS_SECRET}\n")),
        ),
        (
            "TRACUU_PROVINCE__PUBLIC_BASE_URL",
            "https://tracuu.quangngai.gov.vn".to_owned(),
        ),
        ("TRACUU_PROVINCE__NAME", "Tỉnh Quảng Ngãi".to_owned()),
        ("TRACUU_HTTP__TRUSTED_PROXIES", "127.0.0.1".to_owned()),
        ("TRACUU_HTTP__PORT", "0".to_owned()),
        ("TRACUU_HTTP__WORKERS", "1".to_owned()),
        ("TRACUU_DATABASE__POOL_SIZE", "4".to_owned()),
        (
            "TRACUU_DATABASE__DATA_DIR",
            scratch.0.join("private-cluster").display().to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The binary with exactly `env` (and `PATH`), nothing inherited from the test's environment.
fn tracuu(args: &[&str], env: &[(String, String)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_tracuu"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    command
}

/// The items of the refusal: the lines `  - setting (VARIABLE...) ...` of the error that stderr
/// ends with.
fn refused_items(stderr: &str) -> Vec<String> {
    let start = stderr
        .rfind("tracuu: production mode")
        .unwrap_or_else(|| panic!("no production-mode refusal: {stderr}"));
    stderr[start..]
        .lines()
        .skip(1)
        .filter_map(|line| line.strip_prefix("  - "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn production_mode_with_nothing_configured_refuses_listing_each_item_and_starts_no_cluster() {
    // Arrange
    let scratch = Scratch::new("empty");
    let cluster = scratch.0.join("private-cluster");
    let env = vec![
        (
            "TRACUU_DEPLOYMENT__MODE".to_owned(),
            "production".to_owned(),
        ),
        (
            "TRACUU_DATABASE__DATA_DIR".to_owned(),
            cluster.display().to_string(),
        ),
    ];
    for command in [
        ["serve", ""],
        ["migrate", ""],
        ["demo-data", "--dossiers=10"],
    ] {
        // Act
        let args: Vec<&str> = command.iter().copied().filter(|a| !a.is_empty()).collect();
        let output = tracuu(&args, &env).output().await.expect("run tracuu");
        // Assert
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{command:?}: {stderr}");
        let items = refused_items(&stderr);
        let settings: Vec<&str> = items
            .iter()
            .map(|line| line.split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(
            settings,
            [
                "database.url",
                "qr.keys",
                "province.public_base_url",
                "province.name",
                "sync.secrets",
                "http.trusted_proxies"
            ],
            "{command:?}: {stderr}"
        );
        for (item, variable) in items.iter().zip([
            "TRACUU_DATABASE__URL",
            "TRACUU_QR__KEYS",
            "TRACUU_PROVINCE__PUBLIC_BASE_URL",
            "TRACUU_PROVINCE__NAME",
            "TRACUU_SYNC__SECRETS",
            "TRACUU_HTTP__TRUSTED_PROXIES",
        ]) {
            assert!(item.contains(variable), "{item}");
        }
        assert!(
            !cluster.exists(),
            "{command:?} started a private cluster in production"
        );
    }
}

#[tokio::test]
async fn production_mode_refuses_each_missing_item_on_a_line_of_its_own() {
    // Arrange
    let scratch = Scratch::new("each");
    let complete = complete_environment(&scratch, "host=/nonexistent dbname=tracuu");
    let without = |name: &str| -> Vec<(String, String)> {
        complete
            .iter()
            .filter(|(k, _)| k != name)
            .cloned()
            .collect()
    };
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        let mut env = without(name);
        env.push((name.to_owned(), value.to_owned()));
        env
    };
    let demo_key = scratch.file(
        "demo-key",
        "Q:tracuu-demo-qr-key-do-not-use-in-production\n",
    );
    let cases = [
        (without("TRACUU_DATABASE__URL_FILE"), "database.url"),
        (without("TRACUU_QR__KEYS_FILE"), "qr.keys"),
        (with("TRACUU_QR__KEYS_FILE", &demo_key), "qr.keys"),
        (without("TRACUU_SYNC__SECRETS_FILE"), "sync.secrets"),
        (
            with("TRACUU_DEMO__LOAD_ON_FIRST_RUN", "true"),
            "demo.load_on_first_run",
        ),
        (
            with("TRACUU_PROVINCE__PUBLIC_BASE_URL", "http://127.0.0.1:8080"),
            "province.public_base_url",
        ),
        (without("TRACUU_PROVINCE__NAME"), "province.name"),
        (
            {
                let mut env = without("TRACUU_SMS__INBOUND_SECRET_FILE");
                env.push((
                    "TRACUU_SMS__DLR_BASE_URL".into(),
                    "http://127.0.0.1:8080".into(),
                ));
                env
            },
            "sms.inbound_secret",
        ),
        (
            with(
                "TRACUU_SMS__SENDSMS_URL",
                "http://127.0.0.1:13013/cgi-bin/sendsms",
            ),
            "sms.sendsms_password",
        ),
        (
            with("TRACUU_STAFF__COOKIE_SECURE", "false"),
            "staff.cookie_secure",
        ),
        (
            without("TRACUU_HTTP__TRUSTED_PROXIES"),
            "http.trusted_proxies",
        ),
        (
            with("TRACUU_RATE_LIMIT__ENABLED", "false"),
            "rate_limit.enabled",
        ),
    ];
    for (env, setting) in cases {
        // Act
        let output = tracuu(&["serve"], &env).output().await.expect("run tracuu");
        // Assert
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{setting}: {stderr}");
        let items = refused_items(&stderr);
        assert_eq!(items.len(), 1, "{setting}: {items:?}");
        assert!(items[0].starts_with(&format!("{setting} (")), "{items:?}");
        for secret in [QR_KEY, SYNC_SECRET, SMS_SECRET, "tracuu-demo-qr-key"] {
            assert!(!stderr.contains(secret), "a secret in the output: {stderr}");
        }
    }
}

#[tokio::test]
async fn production_mode_with_every_item_given_serves_from_files_and_loads_no_demo() {
    // Arrange: an empty database, never migrated.
    let db = TestDatabase::empty().await;
    let scratch = Scratch::new("complete");
    let env = complete_environment(&scratch, &db.url);
    let mut child = tracuu(&["serve"], &env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start tracuu");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut log = String::new();
    // Act: wait for the line that names the bound port.
    let port = tokio::time::timeout(Duration::from_secs(90), async {
        while let Some(line) = lines.next_line().await.expect("read stderr") {
            log.push_str(&line);
            log.push('\n');
            if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                return digits.parse::<u16>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let Some(port) = port else {
        let _ = child.kill().await;
        panic!("tracuu did not start in production mode: {log}");
    };
    let http = http_client();
    let health = http
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .expect("healthz");
    // Assert
    assert_eq!(health.status().as_u16(), 200);
    let client = db.client().await;
    let dossiers: i64 = client
        .query_one("SELECT count(*) FROM dossiers", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(dossiers, 0, "production loads no demo province");
    let migrated: i64 = client
        .query_one("SELECT count(*) FROM refinery_schema_history", &[])
        .await
        .expect("migrations")
        .get(0);
    assert!(migrated > 0, "the database was migrated");
    child.kill().await.expect("stop tracuu");
    while let Ok(Some(line)) = lines.next_line().await {
        log.push_str(&line);
        log.push('\n');
    }
    for secret in [QR_KEY, SYNC_SECRET, SMS_SECRET, db.url.as_str()] {
        assert!(!log.contains(secret), "a secret in the log: {log}");
    }
    assert!(
        !scratch.0.join("private-cluster").exists(),
        "no private cluster"
    );
}
