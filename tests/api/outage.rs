//! The database goes away under a running service, then comes back (docs/architecture.md, the read side).

use std::time::Duration;

use crate::helpers::{http_client, start, test_settings};
use tracuu::db::local::LocalCluster;

async fn get(http: &reqwest::Client, url: String) -> (u16, serde_json::Value) {
    let response = http.get(url).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Polls `condition` for up to 30 s (the change listener reconnects with a back-off of up to 10 s).
async fn wait_for(mut condition: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..300 {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn cached_dossiers_answer_while_the_database_is_down_and_all_recovers_after() {
    // Arrange: a cluster of this test's own, so stopping it harms no other test.
    let root =
        std::env::temp_dir().join(format!("tracuu-outage-{}", uuid::Uuid::new_v4().simple()));
    let cluster = LocalCluster::start(&root, true).expect("cluster");
    let admin = tracuu::db::connect(&cluster.connection_string("postgres"))
        .await
        .expect("connect");
    admin
        .batch_execute("CREATE DATABASE tracuu")
        .await
        .expect("create");
    let url = cluster.connection_string("tracuu");
    let mut client = tracuu::db::connect(&url).await.expect("connect");
    tracuu::db::migrate(&mut client).await.expect("migrate");
    tracuu::db::open::seed_calendar(&client)
        .await
        .expect("calendar");
    tracuu::cli::load_demo(&url, 50, 1).await.expect("demo");
    let rows = client
        .query("SELECT code FROM dossiers ORDER BY received_at DESC", &[])
        .await
        .expect("codes");
    let codes: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let mut settings = test_settings();
    settings.cache.max_dossiers = 40; // the warm-up caches the 40 newest; the rest stay uncached
    let address = start(settings, &url).await;
    let http = http_client();
    let cached = &codes[0];
    let uncached = codes.last().expect("an old dossier");
    drop(client);
    drop(admin);

    // Act: the database stops.
    cluster.stop().expect("stop the database");
    // Degraded alone could be the lost change listener, noticed first: wait for the database.
    let degraded = wait_for(async || {
        let ready = get(&http, format!("{address}/readyz")).await.1;
        ready["status"] == "degraded" && ready["database"]["reachable"] == false
    })
    .await;

    // Assert: cached dossiers still answer, saying the database is unreachable.
    assert!(
        degraded,
        "readyz reports degraded, the database unreachable"
    );
    let (status, body) = get(&http, format!("{address}/api/v1/dossiers/{cached}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["database"], "unreachable");
    assert_eq!(body["served_from"], "cache");
    assert!(body["freshness"]["synced_at"].is_string());
    let (status, body) = get(&http, format!("{address}/api/v1/dossiers/{uncached}")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "upstream_unavailable");
    let (status, _) = get(&http, format!("{address}/healthz")).await;
    assert_eq!(status, 200);
    // The kiosk's catalogue and statistics have no cache: they say the database is unreachable.
    for path in ["/api/v1/catalog/procedures?q=giay", "/api/v1/stats/on-time"] {
        let (status, body) = get(&http, format!("{address}{path}")).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert_eq!(body["error"]["code"], "service_unavailable", "{path}");
    }
    // A write says that nothing was stored, not that "this dossier" could not be read.
    let (status, body) = {
        let response = http
            .post(format!("{address}/api/v1/questions"))
            .json(&serde_json::json!({
                "channel": "app", "name": "Trần Thị Bình", "phone": "0912 345 678",
                "subject": "Hỏi về thủ tục", "body": "Tôi cần giấy tờ gì?", "public": true,
            }))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json::<serde_json::Value>().await.expect("json"),
        )
    };
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("chưa có gì được lưu"), "{message}");
    assert!(!message.contains("hồ sơ này"), "{message}");

    // Act: the database comes back; no restart of tracuu.
    cluster.restart().expect("restart the database");
    let ready =
        wait_for(async || get(&http, format!("{address}/readyz")).await.1["status"] == "ready")
            .await;

    // Assert
    assert!(ready, "readyz recovers");
    let (status, body) = get(&http, format!("{address}/api/v1/dossiers/{uncached}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["database"], "ok");
    let (status, body) = get(&http, format!("{address}/api/v1/dossiers/{cached}")).await;
    assert_eq!((status, body["database"].as_str()), (200, Some("ok")));
    cluster.stop().expect("stop");
}
