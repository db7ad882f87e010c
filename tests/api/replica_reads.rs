//! With `database.read_url` set, lookups that miss the cache read the replica; the primary keeps
//! the writes (deploy/scaling.md). A second database stands in for the replica: it starts as a copy
//! of the primary, then the two are made to differ so the answers show which one was read.

use crate::helpers::{spawn_app_with, TestDatabase};
use secrecy::SecretString;

#[tokio::test]
async fn cache_misses_read_the_replica_named_by_read_url() {
    let replica = TestDatabase::create().await;
    let replica_url = replica.url.clone();
    let app = spawn_app_with(move |settings| {
        settings.cache.enabled = false;
        settings.database.read_url = Some(SecretString::from(replica_url));
    })
    .await;
    let gone = app.known(4).await;
    let kept = app.known(6).await;
    replica
        .client()
        .await
        .execute("DELETE FROM dossiers WHERE code = $1", &[&gone.code])
        .await
        .expect("delete from the replica");

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", kept.code))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["code"], kept.code.as_str());

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", gone.code))
        .await;
    assert_eq!(status, 404, "the replica no longer has it: {body}");
    let on_primary: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM dossiers WHERE code = $1",
            &[&gone.code],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(on_primary, 1, "the primary was not touched");
}

/// The value of the metric line `name` (without labels) in Prometheus text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .find_map(|value| value.trim().parse().ok())
}

/// Polls `/metrics` until `name` reads `want` (the replica is probed every second in tests).
async fn wait_for_metric(app: &crate::helpers::TestApp, name: &str, want: f64) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let text = app.get("/metrics").await.text().await.expect("metrics");
        if metric(&text, name) == Some(want) || tokio::time::Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_reachable_replica_that_has_replayed_everything_reports_up_and_no_lag() {
    // A database that is not in recovery has nothing to replay: its lag is 0 (as for a promoted
    // replica). A real replica held back is shown by scripts/ha-test.sh.
    let replica = TestDatabase::create().await;
    let replica_url = replica.url.clone();
    let app = spawn_app_with(move |settings| {
        settings.database.read_url = Some(SecretString::from(replica_url));
    })
    .await;
    let text = wait_for_metric(&app, "tracuu_database_replica_up", 1.0).await;
    assert_eq!(
        metric(&text, "tracuu_database_replica_up"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "tracuu_database_replica_lag_seconds"),
        Some(0.0),
        "{text}"
    );
}

#[tokio::test]
async fn an_unreachable_replica_reports_down_and_no_replica_reports_nothing() {
    // A port where nothing listens: every probe fails to connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("address").port();
    drop(closed);
    let app = spawn_app_with(move |settings| {
        settings.database.read_url = Some(SecretString::from(format!(
            "host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=1"
        )));
    })
    .await;
    // Probed at least once: the gauge is 0 because the probe failed, and stays 0.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let text = app.get("/metrics").await.text().await.expect("metrics");
    assert_eq!(
        metric(&text, "tracuu_database_replica_up"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(metric(&text, "tracuu_database_up"), Some(1.0), "{text}");

    let without = crate::helpers::spawn_app().await;
    let text = without.get("/metrics").await.text().await.expect("metrics");
    assert!(metric(&text, "tracuu_database_up").is_some(), "{text}");
    assert!(!text.contains("tracuu_database_replica"), "{text}");
}
