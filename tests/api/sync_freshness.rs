//! Freshness under faults (docs/channels/sync.md, "Freshness"): instances on one database, one of
//! them cut off from it in different ways while changes arrive through another. Whatever the gap,
//! once the cut-off instance reports `ready` it never serves a version older than the database's,
//! and while it is behind `/readyz` says so.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::db_proxy::DbProxy;
use crate::helpers::{http_client, start, start_with_handle, test_settings, TestApp};
use crate::sync_push::{snapshot, spawn_sync_app, SECRET};
use tracuu::config::Settings;
use tracuu::sync::fanout::LISTENER_APPLICATION_NAME;

const CODE: &str = "000.00.16.H48-261116-0701";
const OTHER: &str = "000.00.16.H48-261116-0702";

/// Settings of the instance under test: accepts pushes, reads the sequence every `interval_ms`.
fn instance_settings(interval_ms: u64) -> Settings {
    let mut settings = test_settings();
    settings.sync.secrets = vec![SECRET.to_owned().into()];
    settings.sync.follow_interval_ms = interval_ms;
    settings.sync.max_behind_secs = 1;
    settings
}

async fn status_seen(http: &reqwest::Client, address: &str, code: &str) -> Option<i64> {
    let response = http
        .get(format!("{address}/api/v1/dossiers/{code}"))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    body["status"]["code"].as_i64()
}

async fn readiness(http: &reqwest::Client, address: &str) -> Value {
    http.get(format!("{address}/readyz"))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("readyz json")
}

/// The status the database holds for `code`.
async fn status_in_database(app: &TestApp, code: &str) -> i64 {
    let status: i16 = app
        .db
        .client()
        .await
        .query_one("SELECT status FROM dossiers WHERE code = $1", &[&code])
        .await
        .expect("dossier")
        .get(0);
    i64::from(status)
}

/// Polls `address` until it reports ready (at most `within`); every time it reports ready, the
/// status it serves for `code` must be the database's.
async fn until_ready_and_never_stale(
    app: &TestApp,
    http: &reqwest::Client,
    address: &str,
    code: &str,
    within: Duration,
) {
    let expected = status_in_database(app, code).await;
    let started = Instant::now();
    loop {
        let ready = readiness(http, address).await;
        if ready["status"] == "ready" {
            let served = status_seen(http, address, code).await;
            assert_eq!(
                served,
                Some(expected),
                "ready, yet serving an older status than the database's: {ready}"
            );
            return;
        }
        assert!(
            started.elapsed() < within,
            "not ready again within {within:?}: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Two instances on one database: A takes pushes; B reaches the database through a relay and
/// reads the sequence every `interval_ms`. Version 1 of [`CODE`] is pushed and B has cached it.
async fn pair_with_relayed_b(interval_ms: u64) -> (TestApp, DbProxy, String, reqwest::Client) {
    let a = spawn_sync_app().await;
    a.ensure_procedure().await;
    let proxy = DbProxy::start(&a.db.url).await;
    let b = start(instance_settings(interval_ms), &proxy.url).await;
    let http = http_client();
    assert_eq!(a.push(&[snapshot(CODE, 1, 2)]).await.0, 200);
    assert_eq!(status_seen(&http, &b, CODE).await, Some(2), "B caches v1");
    (a, proxy, b, http)
}

/// Polls `/readyz` of `address` until `until` holds (at most `within`); returns that answer.
async fn readiness_when(
    http: &reqwest::Client,
    address: &str,
    within: Duration,
    until: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let ready = readiness(http, address).await;
        if until(&ready) {
            return ready;
        }
        assert!(started.elapsed() < within, "{ready}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn kill_listeners(app: &TestApp) {
    app.db
        .client()
        .await
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = $1 AND datname = current_database()",
            &[&LISTENER_APPLICATION_NAME],
        )
        .await
        .expect("terminate listeners");
}

#[tokio::test]
async fn an_instance_whose_listener_stays_down_misses_nothing_and_is_not_ready_until_it_caught_up()
{
    // Arrange: A takes pushes; B reaches the database through a relay, and reads the sequence
    // only when its listener wakes it (its timer is a minute), so the sequence read on reconnect
    // is what must heal it.
    let (a, proxy, b, http) = pair_with_relayed_b(60_000).await;

    // Act: B's listener is killed and cannot come back; three versions arrive meanwhile.
    proxy.refuse_new();
    kill_listeners(&a).await;
    let deaf = readiness_when(&http, &b, Duration::from_secs(10), |ready| {
        ready["sync"]["listener"]["connected"] == false
    })
    .await;
    assert_eq!(deaf["status"], "degraded", "{deaf}");
    for (version, status) in [(2, 4), (3, 5), (4, 9)] {
        assert_eq!(a.push(&[snapshot(CODE, version, status)]).await.0, 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let ready = readiness(&http, &b).await;
    assert_eq!(ready["status"], "degraded", "still deaf: {ready}");
    assert_eq!(ready["sync"]["listener"]["connected"], false);

    // Assert: once the relay lets it through, B applies everything after its position.
    proxy.heal();
    until_ready_and_never_stale(&a, &http, &b, CODE, Duration::from_secs(30)).await;
    assert_eq!(status_seen(&http, &b, CODE).await, Some(9));
    let ready = readiness(&http, &b).await;
    assert_eq!(ready["sync"]["behind_changes"], 0, "{ready}");
    assert!(ready["sync"]["listener"]["reconnects"].as_u64() >= Some(1));
}

#[tokio::test]
async fn a_partitioned_instance_reports_itself_behind_and_is_current_when_it_reports_ready() {
    // Arrange
    let (a, proxy, b, http) = pair_with_relayed_b(200).await;

    // Act: B is cut off from the database; a new version arrives through A.
    proxy.cut();
    assert_eq!(a.push(&[snapshot(CODE, 2, 9)]).await.0, 200);
    let behind = readiness_when(&http, &b, Duration::from_secs(15), |ready| {
        ready["sync"]["current"] == false
    })
    .await;

    // Assert: B says it is behind (and still answers from its cache, as in an outage).
    assert_eq!(behind["status"], "degraded", "{behind}");
    assert_eq!(status_seen(&http, &b, CODE).await, Some(2));

    // ...and when the partition heals, it is never ready before it is current.
    proxy.heal();
    until_ready_and_never_stale(&a, &http, &b, CODE, Duration::from_secs(30)).await;
}

#[tokio::test]
async fn a_restarted_instance_counts_quiet_time_from_the_last_change_not_from_its_start() {
    // Arrange: a change, then a quiet spell, then B starts.
    let a = spawn_sync_app().await;
    a.ensure_procedure().await;
    assert_eq!(a.push(&[snapshot(CODE, 1, 2)]).await.0, 200);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let mut settings = instance_settings(200);
    settings.sync.expect_updates_within_secs = Some(1);
    let (b, handle, _) = start_with_handle(settings.clone(), &a.db.url).await;
    let http = http_client();

    // Assert: the quiet spell counts, though B has just started.
    let ready = readiness(&http, &b).await;
    assert!(
        ready["sync"]["seconds_since_update"].as_i64() >= Some(2),
        "{ready}"
    );
    assert_eq!(ready["sync"]["stalled"], true, "{ready}");
    assert_eq!(ready["status"], "degraded");

    // Act: B stops, a new version arrives, B starts again.
    handle.stop(true).await;
    assert_eq!(a.push(&[snapshot(CODE, 2, 9)]).await.0, 200);
    let b = start(settings, &a.db.url).await;

    // Assert: ready, current and not stalled.
    until_ready_and_never_stale(&a, &http, &b, CODE, Duration::from_secs(10)).await;
    let ready = readiness(&http, &b).await;
    assert_eq!(ready["sync"]["stalled"], false, "{ready}");
    let head: i64 =
        a.db.client()
            .await
            .query_one("SELECT max(position) FROM dossier_changes", &[])
            .await
            .expect("head")
            .get(0);
    assert_eq!(ready["sync"]["head"], head, "{ready}");
    assert_eq!(ready["sync"]["position"], head, "{ready}");
}

#[tokio::test]
async fn an_instance_away_longer_than_the_change_log_keeps_drops_its_cache_and_serves_the_database()
{
    // Arrange: B caches version 1, then loses its listener for good (its timer is a minute).
    let (a, proxy, b, http) = pair_with_relayed_b(60_000).await;
    proxy.refuse_new();
    kill_listeners(&a).await;

    // Act: version 2 arrives, then another dossier, and the log is pruned past version 2's change
    // (retention shortened to nothing: the newest change is always kept).
    assert_eq!(a.push(&[snapshot(CODE, 2, 9)]).await.0, 200);
    assert_eq!(a.push(&[snapshot(OTHER, 1, 2)]).await.0, 200);
    let pruned = tracuu::db::changes::prune_before(
        &a.db.client().await,
        chrono::Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .expect("prune");
    assert!(pruned);
    proxy.heal();

    // Assert: B finds its position below the floor, drops its cache and serves the database.
    until_ready_and_never_stale(&a, &http, &b, CODE, Duration::from_secs(30)).await;
    let ready = readiness(&http, &b).await;
    assert_eq!(ready["sync"]["cache_resets"], 1, "{ready}");
    assert_eq!(status_seen(&http, &b, OTHER).await, Some(2));
}

/// The value of the unlabelled metric `name` in the exposition `text`.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn freshness_metrics_read_what_the_database_and_readiness_say() {
    // Arrange: B sees a push made through A.
    let a = spawn_sync_app().await;
    a.ensure_procedure().await;
    let (b, _, b_sync) = start_with_handle(instance_settings(200), &a.db.url).await;
    let http = http_client();
    assert_eq!(a.push(&[snapshot(CODE, 1, 2)]).await.0, 200);
    let (head, changed_at): (i64, f64) = {
        let row =
            a.db.client()
                .await
                .query_one(
                    "SELECT position, extract(epoch FROM changed_at)::float8
                 FROM dossier_changes ORDER BY position DESC LIMIT 1",
                    &[],
                )
                .await
                .expect("head");
        (row.get(0), row.get(1))
    };
    let started = Instant::now();
    while b_sync.freshness().position() != Some(head) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "B never applied {head}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status_seen(&http, &b, CODE).await, Some(2));

    // Act
    let text = http
        .get(format!("{b}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let ready = readiness(&http, &b).await;

    // Assert
    assert_eq!(
        metric(&text, "tracuu_sync_last_change_timestamp_seconds"),
        Some(changed_at.floor()),
        "{text}"
    );
    assert_eq!(
        metric(&text, "tracuu_sync_sequence_position"),
        Some(head as f64)
    );
    assert_eq!(
        metric(&text, "tracuu_sync_sequence_head_position"),
        Some(head as f64)
    );
    assert_eq!(metric(&text, "tracuu_sync_sequence_lag"), Some(0.0));
    assert_eq!(metric(&text, "tracuu_sync_behind_seconds"), Some(0.0));
    assert_eq!(metric(&text, "tracuu_sync_listener_up"), Some(1.0));
    let view_bytes = metric(&text, "tracuu_lookup_cache_view_bytes").expect("view bytes");
    assert!(view_bytes > 0.0, "{text}");
    assert_eq!(ready["cache"]["view_bytes"].as_f64(), Some(view_bytes));

    // Act: every listener is killed; B's reconnect is counted.
    kill_listeners(&a).await;
    let started = Instant::now();
    loop {
        let text = http
            .get(format!("{b}/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        if metric(&text, "tracuu_sync_listener_reconnects_total") == Some(1.0) {
            assert_eq!(metric(&text, "tracuu_sync_listener_up"), Some(1.0));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_change_that_commits_after_a_later_one_is_still_read_by_the_next_snapshot() {
    // Arrange: a slow writer takes position N and stays open; a fast one takes N+1 and commits.
    let db = crate::helpers::TestDatabase::create().await;
    let mut slow = db.client().await;
    let fast = db.client().await;
    let reader_client = db.client().await;
    let slow_tx = slow.transaction().await.expect("slow writer");
    let late = tracuu::db::changes::record(&slow_tx, "slow", &[CODE.to_owned()])
        .await
        .expect("slow change");
    let early = tracuu::db::changes::record(&fast, "fast", &[OTHER.to_owned()])
        .await
        .expect("fast change");
    assert!(late < early, "the slow writer took the lower position");

    // Act: a reader reads now (it sees only the fast change), then the slow writer commits.
    let read = |since: Option<String>| {
        let client = &reader_client;
        async move {
            let head = tracuu::db::changes::head(client, None).await.expect("head");
            let changes = match &since {
                Some(since) => tracuu::db::changes::list_since(client, since, 0, 100)
                    .await
                    .expect("list"),
                None => Vec::new(),
            };
            (head, changes)
        }
    };
    let (before, _) = read(None).await;
    slow_tx.commit().await.expect("slow commit");
    let (_, changes) = read(Some(before.snapshot.clone())).await;

    // Assert: the next read takes the late change, though its position is below the head seen.
    assert_eq!(before.position, early);
    let positions: Vec<i64> = changes.iter().map(|c| c.position).collect();
    assert_eq!(positions, [late], "{changes:?}");
    assert_eq!(changes[0].codes, [CODE]);
}
