//! Two instances on one database: a push to one is visible through the other's cache, and the
//! listener heals after its connection is killed.

use std::time::{Duration, Instant};

use crate::helpers::{http_client, start, test_settings};
use crate::sync_push::{snapshot, spawn_sync_app, SECRET};
use tracuu::sync::fanout::LISTENER_APPLICATION_NAME;

const CODE: &str = "000.00.16.H48-261116-0601";

async fn status_seen(http: &reqwest::Client, address: &str) -> Option<i64> {
    let response = http
        .get(format!("{address}/api/v1/dossiers/{CODE}"))
        .send()
        .await
        .ok()?;
    let body: serde_json::Value = response.json().await.ok()?;
    body["status"]["code"].as_i64()
}

async fn wait_for_status(http: &reqwest::Client, address: &str, status: i64) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if status_seen(http, address).await == Some(status) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_push_to_one_instance_refreshes_the_others_cache_even_after_a_killed_listener() {
    // Arrange: instance A (the test app) and instance B on the same database.
    let a = spawn_sync_app().await;
    a.ensure_procedure().await;
    let mut settings = test_settings();
    settings.sync.secrets = vec![SECRET.to_owned().into()];
    let b = start(settings, &a.db.url).await;
    let http = http_client();
    assert_eq!(a.push(&[snapshot(CODE, 1, 2)]).await.0, 200);
    // B reads version 1 and caches it.
    assert_eq!(status_seen(&http, &b).await, Some(2));

    // Act: version 2 arrives at A.
    assert_eq!(a.push(&[snapshot(CODE, 2, 4)]).await.0, 200);

    // Assert: B's cached copy is replaced through NOTIFY.
    let took = wait_for_status(&http, &b, 4)
        .await
        .expect("B sees version 2");
    assert!(took < Duration::from_secs(5), "{took:?}");

    // Act: every listener connection is killed, and version 3 arrives during the gap.
    let admin = a.db.client().await;
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
            &[&LISTENER_APPLICATION_NAME],
        )
        .await
        .expect("terminate listeners");
    assert_eq!(a.push(&[snapshot(CODE, 3, 9)]).await.0, 200);

    // Assert: B reconnects, revalidates what changed during the gap, and serves version 3.
    wait_for_status(&http, &b, 9)
        .await
        .expect("B heals after the gap");
    let listeners: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
            &[&LISTENER_APPLICATION_NAME],
        )
        .await
        .expect("count")
        .get(0);
    assert!(listeners >= 2, "both listeners are back: {listeners}");
}
