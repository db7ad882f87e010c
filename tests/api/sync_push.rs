//! The signed push API (docs/channels/sync.md): authentication, per-item validation, version rules.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp};
use tracuu::sync::auth::sign;

pub const SECRET: &str = "test-secret-current";
pub const OLD_SECRET: &str = "test-secret-previous";

/// An app that accepts pushes signed with either test secret.
pub async fn spawn_sync_app() -> TestApp {
    spawn_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into(), OLD_SECRET.to_owned().into()];
        s.sync.max_batch_items = 50;
        s.sync.max_body_bytes = 256 * 1024;
    })
    .await
}

/// A valid snapshot of `code` at `version`, with `status` and a two-step timeline.
pub fn snapshot(code: &str, version: i64, status: i16) -> Value {
    json!({
        "code": code,
        "version": version,
        "procedure_code": "1.001193",
        "receiving_agency_code": "000.00.16.H48",
        "handling_agency_code": "000.00.16.H48",
        "channel": 1,
        "status": status,
        "applicant_name": "Trần Thị Bích Ngọc",
        "applicant_phone": "0987 654 321",
        "received_at": "2026-11-16T01:30:00Z",
        "due_at": "2026-11-30T09:00:00Z",
        "updated_at": chrono::Utc::now().to_rfc3339(),
        "events": [
            {"at": "2026-11-16T01:30:00Z", "status": 2, "step": "Tiếp nhận hồ sơ", "agency_code": "000.00.16.H48"},
            {"at": "2026-11-17T02:00:00Z", "status": status, "step": format!("Bước phiên bản {version}")}
        ]
    })
}

impl TestApp {
    /// Makes sure the demo catalog has the procedure the snapshots use.
    pub async fn ensure_procedure(&self) {
        self.db
            .client()
            .await
            .execute(
                "INSERT INTO procedures (code, name, field, processing_days, online_level)
                 VALUES ('1.001193', 'Đăng ký khai sinh', 'Hộ tịch', 0, 'full') ON CONFLICT DO NOTHING",
                &[],
            )
            .await
            .expect("procedure");
    }

    /// POSTs `body` to `path`, signed with `secret` at `timestamp` (now when `None`).
    pub async fn push_raw(
        &self,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        secret: Option<&str>,
        timestamp: Option<i64>,
    ) -> reqwest::Response {
        let timestamp = timestamp.unwrap_or_else(|| chrono::Utc::now().timestamp());
        let mut request = self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type);
        if let Some(secret) = secret {
            request = request
                .header("x-tracuu-timestamp", timestamp.to_string())
                .header("x-tracuu-signature", sign(secret, timestamp, &body));
        }
        request.body(body).send().await.expect("push")
    }

    /// Pushes a JSON array of snapshots, correctly signed; returns status and body.
    pub async fn push(&self, items: &[Value]) -> (u16, Value) {
        let body = serde_json::to_vec(items).expect("json");
        let response = self
            .push_raw(
                "/sync/v1/dossiers",
                body,
                "application/json",
                Some(SECRET),
                None,
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("json report"))
    }
}

const CODE: &str = "000.00.16.H48-261116-0501";

#[tokio::test]
async fn a_signed_push_is_applied_and_visible_at_once() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;

    let (status, report) = app.push(&[snapshot(CODE, 1, 4)]).await;

    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["applied"].as_u64(), report["invalid"].as_u64()),
        (Some(1), Some(0))
    );
    let (status, view) = app
        .get_json(&format!("/api/v1/dossiers/{CODE}?phone4=4321"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(view["status"]["code"], 4);
    assert_eq!(
        view["served_from"], "cache",
        "the pushing instance refreshed its cache"
    );
    assert_eq!(view["timeline"].as_array().map(Vec::len), Some(2));
    assert_eq!(view["applicant"], "Trần T. B. N.");
}

#[tokio::test]
async fn missing_wrong_and_expired_signatures_are_refused_and_a_retry_is_not_applied_again() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let body = serde_json::to_vec(&[snapshot(CODE, 1, 4)]).expect("json");
    let push = |secret: Option<&'static str>, timestamp: Option<i64>| {
        let body = body.clone();
        let app = &app;
        async move {
            let response = app
                .push_raw(
                    "/sync/v1/dossiers",
                    body,
                    "application/json",
                    secret,
                    timestamp,
                )
                .await;
            let status = response.status().as_u16();
            let json: Value = response.json().await.expect("json");
            (
                status,
                json["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let now = chrono::Utc::now().timestamp();

    assert_eq!(push(None, None).await, (401, "signature_missing".into()));
    assert_eq!(
        push(Some("not-the-secret"), None).await,
        (401, "signature_invalid".into())
    );
    assert_eq!(
        push(Some(SECRET), Some(now - 301)).await,
        (401, "signature_expired".into())
    );
    // Far enough ahead that the seconds this test takes cannot bring it inside the window.
    assert_eq!(
        push(Some(SECRET), Some(now + 330)).await,
        (401, "signature_expired".into())
    );

    // The same signed request twice: the second is a retry, answered as the first
    // (tests/api/sync_retry.rs), not applied again.
    let signed_at = now;
    assert_eq!(push(Some(SECRET), Some(signed_at)).await.0, 200);
    assert_eq!(push(Some(SECRET), Some(signed_at)).await, (200, "".into()));

    // Nothing refused changed anything: the dossier exists once, at version 1.
    let row = app
        .db
        .client()
        .await
        .query_one("SELECT version FROM dossiers WHERE code = $1", &[&CODE])
        .await
        .expect("dossier");
    assert_eq!(row.get::<_, i64>(0), 1);
}

#[tokio::test]
async fn both_secrets_work_during_a_rotation() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    for (version, secret) in [(1, OLD_SECRET), (2, SECRET)] {
        let body = serde_json::to_vec(&[snapshot(CODE, version, 4)]).expect("json");
        let response = app
            .push_raw(
                "/sync/v1/dossiers",
                body,
                "application/json",
                Some(secret),
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 200, "{secret}");
    }
}

#[tokio::test]
async fn without_a_secret_push_is_disabled() {
    let app = spawn_app_with(|_| {}).await;
    let response = app
        .push_raw(
            "/sync/v1/dossiers",
            b"[]".to_vec(),
            "application/json",
            Some("x"),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
}

#[tokio::test]
async fn good_items_apply_and_bad_ones_are_reported_one_by_one() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let mut bad_status = snapshot("000.00.16.H48-261116-0502", 1, 4);
    bad_status["status"] = json!(12);
    let mut bad_dates = snapshot("000.00.16.H48-261116-0503", 1, 4);
    bad_dates["due_at"] = json!("2026-01-01T00:00:00Z");
    let mut unknown_agency = snapshot("000.00.16.H48-261116-0504", 1, 4);
    unknown_agency["handling_agency_code"] = json!("999.99.99.H48");
    let mut oversized = snapshot("000.00.16.H48-261116-0505", 1, 4);
    oversized["applicant_name"] = json!("A".repeat(500));
    let items = [
        snapshot(CODE, 1, 4),
        json!({"code": "nope"}),
        bad_status,
        bad_dates,
        unknown_agency,
        oversized,
        snapshot("not a code", 1, 4),
        snapshot("000.00.16.H48-261116-0506", 1, 10),
    ];

    let (status, report) = app.push(&items).await;

    assert_eq!(status, 200, "{report}");
    assert_eq!(report["received"], 8);
    assert_eq!(report["applied"], 2);
    assert_eq!(report["invalid"], 6);
    let errors = report["errors"].as_array().expect("errors");
    let by_index: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap_or(99),
                e["field"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        by_index,
        [
            (1, "(item)"),
            (2, "status"),
            (3, "due_at"),
            (4, "agency_code"),
            (5, "applicant_name"),
            (6, "code")
        ]
    );
    for error in errors {
        assert!(error["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
}

#[tokio::test]
async fn stale_duplicate_and_out_of_order_versions_change_nothing() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    assert_eq!(app.push(&[snapshot(CODE, 5, 4)]).await.1["applied"], 1);

    // Older, equal, and a batch with the same code twice (the newer one wins).
    let (_, report) = app
        .push(&[snapshot(CODE, 3, 2), snapshot(CODE, 5, 9)])
        .await;
    assert_eq!(
        (report["applied"].as_u64(), report["stale"].as_u64()),
        (Some(0), Some(2)),
        "{report}"
    );
    let (_, report) = app
        .push(&[snapshot(CODE, 7, 9), snapshot(CODE, 6, 5)])
        .await;
    assert_eq!(
        (report["applied"].as_u64(), report["stale"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(report["stale_items"][0]["index"], 1);

    let (_, view) = app
        .get_json(&format!("/api/v1/dossiers/{CODE}?phone4=4321"))
        .await;
    assert_eq!(view["status"]["code"], 9);
    assert_eq!(view["timeline"][1]["step"], "Bước phiên bản 7");
    let row = app
        .db
        .client()
        .await
        .query_one("SELECT version, (SELECT count(*) FROM dossier_events WHERE dossier_code = $1) FROM dossiers WHERE code = $1", &[&CODE])
        .await
        .expect("row");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (7, 2));
}

#[tokio::test]
async fn concurrent_pushes_of_different_versions_keep_the_newest() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    // Twenty rounds of ten concurrent pushes, each a different version, in random-ish order.
    for round in 0..20_i64 {
        let base = round * 10;
        let versions: Vec<i64> = (1..=10).map(|v| base + ((v * 7) % 10) + 1).collect();
        let pushes = versions
            .iter()
            .map(|&v| {
                let app = &app;
                async move { app.push(&[snapshot(CODE, v, 4)]).await }
            })
            .collect::<Vec<_>>();
        let results = futures_util::future::join_all(pushes).await;
        assert!(results.iter().all(|(status, _)| *status == 200));
        let row = app
            .db
            .client()
            .await
            .query_one("SELECT version, (SELECT step FROM dossier_events WHERE dossier_code = $1 AND seq = 1) FROM dossiers WHERE code = $1", &[&CODE])
            .await
            .expect("row");
        let newest = base + 10;
        assert_eq!(row.get::<_, i64>(0), newest, "round {round}");
        assert_eq!(
            row.get::<_, String>(1),
            format!("Bước phiên bản {newest}"),
            "timeline of the newest"
        );
    }
}

#[tokio::test]
async fn ndjson_batches_oversized_bodies_and_batches_are_refused_clearly() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let ndjson: Vec<u8> = [
        snapshot(CODE, 1, 4),
        snapshot("000.00.16.H48-261116-0507", 1, 4),
    ]
    .iter()
    .map(|s| s.to_string() + "\n")
    .collect::<String>()
    .into_bytes();
    let response = app
        .push_raw(
            "/sync/v1/dossiers",
            ndjson,
            "application/x-ndjson",
            Some(SECRET),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.expect("report");
    assert_eq!(report["applied"], 2);

    let huge = vec![b' '; 300 * 1024];
    let response = app
        .push_raw(
            "/sync/v1/dossiers",
            huge,
            "application/json",
            Some(SECRET),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 413);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["code"], "payload_too_large");
    let message = error["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("TRACUU_SYNC__MAX_BODY_BYTES"),
        "the push names the setting that sets its limit: {message}"
    );

    let many: Vec<Value> = (0..51)
        .map(|i| snapshot(&format!("000.00.16.H48-261116-{i:04}"), 1, 4))
        .collect();
    let (status, body) = app.push(&many).await;
    assert_eq!(status, 413, "{body}");

    let response = app
        .push_raw(
            "/sync/v1/dossiers",
            b"{not json".to_vec(),
            "application/json",
            Some(SECRET),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 400);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn sync_lag_is_exported() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    app.push(&[snapshot(CODE, 1, 4)]).await;
    let text = app.get("/metrics").await.text().await.expect("metrics");
    assert!(text.contains("tracuu_sync_lag_seconds_count 1"), "{text}");
    assert!(text.contains("tracuu_sync_items_total{outcome=\"applied\"} 1"));
}

#[tokio::test]
async fn readiness_turns_degraded_when_the_feed_goes_quiet_and_recovers_on_the_next_push() {
    let app = spawn_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into()];
        s.sync.expect_updates_within_secs = Some(1);
    })
    .await;
    app.ensure_procedure().await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;

    let (status, ready) = app.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(ready["status"], "degraded", "{ready}");
    assert_eq!(ready["sync"]["stalled"], true);

    assert_eq!(app.push(&[snapshot(CODE, 1, 4)]).await.0, 200);
    let (_, ready) = app.get_json("/readyz").await;
    assert_eq!(ready["status"], "ready", "{ready}");
}

#[tokio::test]
async fn views_rendered_from_a_push_equal_views_rendered_from_the_read_model() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let mut item = snapshot(CODE, 1, 5);
    item["supplement_count"] = json!(1);
    item["supplement_requested_at"] = json!("2026-11-17T03:00:00.123456789Z");
    item["supplement_request"] = json!("Bổ sung bản sao giấy khai sinh");
    assert_eq!(app.push(&[item]).await.1["applied"], 1);
    let client = app.db.client().await;
    let stored = client
        .query_one(
            "SELECT head, detail FROM dossier_views WHERE code = $1",
            &[&CODE],
        )
        .await
        .expect("stored view");
    let (head, detail): (Vec<u8>, Vec<u8>) = (stored.get(0), stored.get(1));

    let again = tracuu::lookup::render_and_store(&client, &[CODE])
        .await
        .expect("render");

    assert_eq!(again.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(again[0].head()),
        String::from_utf8_lossy(&head)
    );
    assert_eq!(
        String::from_utf8_lossy(again[0].detail()),
        String::from_utf8_lossy(&detail)
    );
}

/// Whether `value` has the shape of the document's schema `schema` (a `$ref`, an object, an
/// array, a `oneOf`): every property it has is documented, every required one is there, and the
/// same holds inside. Returns what does not hold.
fn shape_errors(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return shape_errors(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(choices) = schema["oneOf"].as_array() {
        let matching = choices
            .iter()
            .filter(|choice| shape_errors(doc, choice, value, at).is_empty())
            .count();
        return if matching == 1 {
            Vec::new()
        } else {
            vec![format!("{at}: matches {matching} of the oneOf")]
        };
    }
    let mut errors = Vec::new();
    if let Some(properties) = schema["properties"].as_object() {
        let Some(object) = value.as_object() else {
            return vec![format!("{at}: not an object: {value}")];
        };
        for key in object.keys() {
            if !properties.contains_key(key) {
                errors.push(format!("{at}.{key}: not in the document"));
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                errors.push(format!("{at}.{name}: required but missing"));
            }
        }
        for (key, property) in properties {
            if let Some(inner) = object.get(key) {
                errors.extend(shape_errors(doc, property, inner, &format!("{at}.{key}")));
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            errors.extend(shape_errors(doc, items, item, &format!("{at}[{index}]")));
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    errors
}

/// Schemathesis cannot sign, so it only ever sees the pushes' 401: the signed answers are held to
/// the document here. A report with an applied, a stale and a refused item, its retry, and a
/// refusal each answer as `/api/openapi.json` says.
#[tokio::test]
async fn signed_pushes_and_their_retries_answer_as_the_api_document_says() {
    let app = spawn_sync_app().await;
    app.ensure_procedure().await;
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    let operation = &doc["paths"]["/sync/v1/dossiers"]["post"];
    let ok = &operation["responses"]["200"];
    let ok_schema = &ok["content"]["application/json"]["schema"];

    let (status, _) = app.push(&[snapshot(CODE, 2, 4)]).await;
    assert_eq!(status, 200);
    let mut refused = snapshot("000.00.16.H48-261116-0502", 1, 4);
    refused["status"] = json!(11);
    let body = serde_json::to_vec(&[snapshot(CODE, 1, 4), refused]).expect("json");
    let timestamp = chrono::Utc::now().timestamp();
    let send = || {
        app.push_raw(
            "/sync/v1/dossiers",
            body.clone(),
            "application/json",
            Some(SECRET),
            Some(timestamp),
        )
    };

    let first = send().await;
    assert_eq!(first.status().as_u16(), 200);
    let report: Value = first.json().await.expect("report");
    assert_eq!(
        (report["stale"].as_u64(), report["invalid"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    let errors = shape_errors(&doc, ok_schema, &report, "report");
    assert!(errors.is_empty(), "{errors:#?}\n{report}");

    let retry = send().await;
    assert_eq!(retry.status().as_u16(), 200);
    let repeat = retry
        .headers()
        .get("x-tracuu-repeat")
        .and_then(|v| v.to_str().ok())
        .map(|v| json!(v))
        .expect("the repeat header");
    let header_schema = &ok["headers"]["x-tracuu-repeat"]["schema"];
    let errors = shape_errors(&doc, header_schema, &repeat, "x-tracuu-repeat");
    assert!(errors.is_empty(), "{errors:#?}");
    let again: Value = retry.json().await.expect("report again");
    assert_eq!(again, report, "the first answer again");

    let unsigned = app
        .push_raw(
            "/sync/v1/dossiers",
            body.clone(),
            "application/json",
            None,
            None,
        )
        .await;
    assert_eq!(unsigned.status().as_u16(), 401);
    let error: Value = unsigned.json().await.expect("error");
    let code = error["error"]["code"].as_str().expect("code");
    let described = operation["responses"]["401"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        described.contains(&format!("`{code}`")),
        "{code} is named by the 401's description: {described}"
    );
    let error_schema = &operation["responses"]["401"]["content"]["application/json"]["schema"];
    let errors = shape_errors(&doc, error_schema, &error, "error");
    assert!(errors.is_empty(), "{errors:#?}\n{error}");
}
