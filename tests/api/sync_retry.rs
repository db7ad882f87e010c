//! Push retries (docs/channels/sync.md, decision 0063): a push retried with the same body and
//! signature, on any instance, gets the first answer again, marked as a repeat, and changes
//! nothing; two identical pushes at once apply the batch once; a reused signature with another
//! body, or sent to another endpoint, is still refused.

use serde_json::{json, Value};

use crate::helpers::{http_client, start, test_settings, TestApp};
use crate::sync_push::{snapshot, spawn_sync_app, SECRET};
use tracuu::sync::auth::sign;

const CODE: &str = "000.00.16.H48-261116-0801";
const OTHER: &str = "000.00.16.H48-261116-0802";
const REPEAT: &str = "x-tracuu-repeat";

/// Status, the repeat mark and the body's bytes of a signed POST of `body` to `path` on `address`.
async fn post_signed(
    address: &str,
    path: &str,
    body: &[u8],
    timestamp: i64,
    signature: &str,
) -> (u16, Option<String>, String) {
    let response = http_client()
        .post(format!("{address}{path}"))
        .header("content-type", "application/json")
        .header("x-tracuu-timestamp", timestamp.to_string())
        .header("x-tracuu-signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .expect("push");
    let status = response.status().as_u16();
    let repeat = response
        .headers()
        .get(REPEAT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, repeat, response.text().await.expect("body"))
}

/// A body for each push endpoint, each with an applied item and a refused one, so that the
/// answer is not the same whatever happens.
fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    let mut invalid = snapshot(OTHER, 1, 4);
    invalid["status"] = json!(42);
    [
        ("/sync/v1/dossiers", json!([snapshot(CODE, 1, 4), invalid])),
        (
            "/sync/v1/agencies",
            json!([
                {"code": "000.00.77.H48", "parent_code": "000.00.00.H48", "kind": "department",
                 "name": "Sở Thử nghiệm", "version": 1},
                {"code": "not a code", "kind": "department", "name": "Sai mã", "version": 1}
            ]),
        ),
        (
            "/sync/v1/procedures",
            json!([
                {"code": "1.099001", "name": "Thủ tục thử nghiệm", "field": "Hộ tịch",
                 "processing_days": 3, "online_level": "partial", "version": 1},
                {"code": "1.099002", "name": "", "field": "Hộ tịch",
                 "processing_days": 3, "online_level": "partial", "version": 1}
            ]),
        ),
    ]
    .into_iter()
    .map(|(path, items)| (path, serde_json::to_vec(&items).expect("json")))
    .collect()
}

async fn signatures_recorded(app: &TestApp) -> i64 {
    app.db
        .client()
        .await
        .query_one("SELECT count(*) FROM sync_signatures", &[])
        .await
        .expect("count")
        .get(0)
}

#[tokio::test]
async fn a_retried_push_of_each_kind_gets_the_first_answer_on_any_instance() {
    // Arrange: two instances on one database.
    let a = spawn_sync_app().await;
    a.ensure_procedure().await;
    let mut settings = test_settings();
    settings.sync.secrets = vec![SECRET.to_owned().into()];
    let b = start(settings, &a.db.url).await;

    for (path, body) in bodies() {
        let timestamp = chrono::Utc::now().timestamp();
        let signature = sign(SECRET, timestamp, &body);

        // Act: the first request, then its retry on the same instance and on the other one.
        let first = post_signed(&a.address, path, &body, timestamp, &signature).await;
        let again = post_signed(&a.address, path, &body, timestamp, &signature).await;
        let elsewhere = post_signed(&b, path, &body, timestamp, &signature).await;

        // Assert: one item applied, one refused; the retries answer exactly that, marked.
        let report: Value = serde_json::from_str(&first.2).expect("json report");
        assert_eq!(
            (first.0, &report["applied"], &report["invalid"]),
            (200, &json!(1), &json!(1)),
            "{path}: {report}"
        );
        assert_eq!(first.1, None, "{path}: the first answer is no repeat");
        for retry in [&again, &elsewhere] {
            assert_eq!(retry.0, first.0, "{path}");
            assert_eq!(retry.1.as_deref(), Some("stored-answer"), "{path}");
            assert_eq!(retry.2, first.2, "{path}: the same answer, byte for byte");
        }
    }

    // The retries changed nothing: one signature per request, the dossier at version 1 still.
    assert_eq!(signatures_recorded(&a).await, 3);
    let version: i64 =
        a.db.client()
            .await
            .query_one("SELECT version FROM dossiers WHERE code = $1", &[&CODE])
            .await
            .expect("dossier")
            .get(0);
    assert_eq!(version, 1);
}

#[tokio::test]
async fn two_identical_pushes_at_once_both_succeed_and_apply_once() {
    // Arrange: a batch of 40 new dossiers, signed once.
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let items: Vec<Value> = (0..40)
        .map(|n| snapshot(&format!("000.00.16.H48-261116-{:04}", 900 + n), 1, 4))
        .collect();
    let body = serde_json::to_vec(&items).expect("json");
    let timestamp = chrono::Utc::now().timestamp();
    let signature = sign(SECRET, timestamp, &body);

    // Act: the same request twice at once (the second waits on the first one's signature row).
    let (one, two) = tokio::join!(
        post_signed(
            &app.address,
            "/sync/v1/dossiers",
            &body,
            timestamp,
            &signature
        ),
        post_signed(
            &app.address,
            "/sync/v1/dossiers",
            &body,
            timestamp,
            &signature
        ),
    );

    // Assert: both succeed with the same answer, 40 applied; one of them is marked a repeat.
    assert_eq!((one.0, two.0), (200, 200));
    assert_eq!(one.2, two.2);
    let report: Value = serde_json::from_str(&one.2).expect("json report");
    assert_eq!(
        (&report["applied"], &report["stale"]),
        (&json!(40), &json!(0))
    );
    let mut marks = [one.1.as_deref(), two.1.as_deref()];
    marks.sort();
    assert_eq!(marks, [None, Some("stored-answer")]);
    assert_eq!(signatures_recorded(&app).await, 1);
}

#[tokio::test]
async fn a_reused_signature_with_another_body_or_sent_to_another_endpoint_is_refused() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let timestamp = chrono::Utc::now().timestamp();
    let body = serde_json::to_vec(&[snapshot(CODE, 1, 4)]).expect("json");
    let signature = sign(SECRET, timestamp, &body);
    let first = post_signed(
        &app.address,
        "/sync/v1/dossiers",
        &body,
        timestamp,
        &signature,
    )
    .await;
    assert_eq!(first.0, 200, "{}", first.2);

    // Another body under the first one's headers: its signature does not match it.
    let changed = serde_json::to_vec(&[snapshot(CODE, 2, 9)]).expect("json");
    let (status, repeat, answer) = post_signed(
        &app.address,
        "/sync/v1/dossiers",
        &changed,
        timestamp,
        &signature,
    )
    .await;
    let answer: Value = serde_json::from_str(&answer).expect("json error");
    assert_eq!(
        (status, repeat, &answer["error"]["code"]),
        (401, None, &json!("signature_invalid"))
    );

    // The same signed body sent to two endpoints: the second is not a retry of the first.
    let empty = b"[]".to_vec();
    let signature = sign(SECRET, timestamp, &empty);
    let first = post_signed(
        &app.address,
        "/sync/v1/agencies",
        &empty,
        timestamp,
        &signature,
    )
    .await;
    assert_eq!(first.0, 200, "{}", first.2);
    let (status, repeat, answer) = post_signed(
        &app.address,
        "/sync/v1/procedures",
        &empty,
        timestamp,
        &signature,
    )
    .await;
    let answer: Value = serde_json::from_str(&answer).expect("json error");
    assert_eq!(
        (status, repeat, &answer["error"]["code"]),
        (401, None, &json!("signature_replayed"))
    );

    // Nothing refused changed anything: the dossier is still at version 1.
    let version: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT version FROM dossiers WHERE code = $1", &[&CODE])
        .await
        .expect("dossier")
        .get(0);
    assert_eq!(version, 1);
}

#[tokio::test]
async fn a_retry_whose_first_answer_was_not_stored_is_told_already_applied() {
    // Arrange: a push accepted, its signature then as an older version recorded it (no answer).
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let timestamp = chrono::Utc::now().timestamp();
    let body = serde_json::to_vec(&[snapshot(CODE, 1, 4)]).expect("json");
    let signature = sign(SECRET, timestamp, &body);
    let first = post_signed(
        &app.address,
        "/sync/v1/dossiers",
        &body,
        timestamp,
        &signature,
    )
    .await;
    assert_eq!(first.0, 200, "{}", first.2);
    app.db
        .client()
        .await
        .execute(
            "UPDATE sync_signatures SET endpoint = NULL, answer_status = NULL, answer = NULL",
            &[],
        )
        .await
        .expect("an answer not stored");

    // Act
    let (status, repeat, answer) = post_signed(
        &app.address,
        "/sync/v1/dossiers",
        &body,
        timestamp,
        &signature,
    )
    .await;

    // Assert: an explicit "already applied", with when the first arrived.
    let answer: Value = serde_json::from_str(&answer).expect("json");
    assert_eq!(
        (status, repeat.as_deref(), &answer["already_applied"]),
        (200, Some("already-applied"), &json!(true)),
        "{answer}"
    );
    assert!(
        answer["first_received_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some(),
        "{answer}"
    );
}
