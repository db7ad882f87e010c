//! Status-change notifications through the outbox, the outbox's guarantees (dedupe, opt-out,
//! claims by two workers), delivery reports and quiet hours, against a real PostgreSQL.

use chrono::{Duration as ChronoDuration, Utc};

use crate::helpers::spawn_app_with;
use crate::sms_inbound::{sms_settings, spawn_sms_app, SMS_SECRET};
use crate::sync_push::snapshot;
use tracuu::db::sms_outbox::{self, NewSms};

const CODE: &str = "000.00.16.H48-261116-0601";
const APPLICANT: &str = "+84987654321";

async fn outbox(app: &crate::helpers::TestApp) -> Vec<(String, String, String, String)> {
    app.db
        .client()
        .await
        .query(
            "SELECT recipient, body, state, dedupe_key FROM sms_outbox ORDER BY recipient, id",
            &[],
        )
        .await
        .expect("outbox")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

#[tokio::test]
async fn a_status_change_queues_exactly_one_notification_per_phone() {
    // Arrange: a new dossier (no notification), then a subscriber.
    let app = spawn_sms_app().await;
    app.ensure_procedure().await;
    let (status, report) = app.push(&[snapshot(CODE, 1, 2)]).await;
    assert_eq!(
        (status, report["applied"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    assert!(
        outbox(&app).await.is_empty(),
        "a first snapshot notifies nobody"
    );
    assert!(app
        .sms(&format!("DK {CODE}"))
        .await
        .starts_with("Da dang ky"));

    // Act: the status changes; then the same version again, then a newer one with the same status.
    app.push(&[snapshot(CODE, 2, 4)]).await;
    let (_, replay) = app.push(&[snapshot(CODE, 2, 4)]).await;
    app.push(&[snapshot(CODE, 3, 4)]).await;

    // Assert
    assert_eq!(replay["stale"].as_u64(), Some(1));
    let rows = outbox(&app).await;
    let recipients: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(recipients, ["+84912345678", APPLICANT], "{rows:?}");
    for (_, body, state, key) in &rows {
        assert!(body.contains(CODE) && body.contains("Dang xu ly"), "{body}");
        assert!(body.is_ascii() && body.chars().count() <= 160, "{body}");
        assert_eq!(state, "queued");
        assert!(
            key.starts_with(&format!("status_change:{CODE}:2:")),
            "{key}"
        );
    }
}

#[tokio::test]
async fn opted_out_and_muted_phones_get_nothing_and_lose_what_was_queued() {
    let app = spawn_sms_app().await;
    app.ensure_procedure().await;
    app.push(&[snapshot(CODE, 1, 2)]).await;
    app.push(&[snapshot(CODE, 2, 4)]).await;
    assert_eq!(outbox(&app).await.len(), 1, "the applicant's notification");

    // The applicant texts STOP: the queued message is cancelled, later changes queue nothing.
    let (_, reply) = app.sms_from("0987654321", "STOP", Some("stop-1")).await;
    app.push(&[snapshot(CODE, 3, 5)]).await;

    assert!(reply.starts_with("Da ghi nhan tu choi"), "{reply}");
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].2, "cancelled");

    // A subscriber who mutes this dossier (HUY <code>) gets nothing more about it.
    app.sms(&format!("DK {CODE}")).await;
    app.sms(&format!("HUY {CODE}")).await;
    app.push(&[snapshot(CODE, 4, 9)]).await;
    assert_eq!(outbox(&app).await.len(), 1);
}

#[tokio::test]
async fn the_outbox_never_queues_a_key_twice_and_two_workers_never_claim_the_same_row() {
    let app = spawn_sms_app().await;
    let mut client = app.db.client().await;
    let transaction = client.transaction().await.expect("begin");
    let keys: Vec<String> = (0..10).map(|i| format!("test:{i}")).collect();
    for key in &keys {
        let queued = sms_outbox::enqueue(
            &transaction,
            &NewSms {
                recipient: "+84912345678",
                body: "Thu nghiem",
                kind: "hotline_status",
                dedupe_key: key,
                dossier_code: None,
                not_before: None,
            },
        )
        .await
        .expect("enqueue");
        assert!(queued.is_some());
    }
    let again = sms_outbox::enqueue(
        &transaction,
        &NewSms {
            recipient: "+84912345678",
            body: "Thu nghiem",
            kind: "hotline_status",
            dedupe_key: "test:3",
            dossier_code: None,
            not_before: None,
        },
    )
    .await
    .expect("enqueue");
    assert_eq!(again, None, "same dedupe key");
    // Not yet committed: nothing to claim.
    let outside = app.db.client().await;
    assert!(sms_outbox::claim_due(&outside, "x", 50)
        .await
        .expect("claim")
        .is_empty());
    transaction.commit().await.expect("commit");

    let (a, b) = (app.db.client().await, app.db.client().await);
    let (first, second) = tokio::join!(
        sms_outbox::claim_due(&a, "worker-a", 6),
        sms_outbox::claim_due(&b, "worker-b", 6)
    );
    let (first, second) = (first.expect("claim a"), second.expect("claim b"));
    let mut ids: Vec<i64> = first.iter().chain(&second).map(|m| m.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10, "every row claimed exactly once");
    assert_eq!(first.len() + second.len(), 10);
    assert!(sms_outbox::claim_due(&a, "worker-a", 50)
        .await
        .expect("claim")
        .is_empty());
}

#[tokio::test]
async fn delivery_reports_are_recorded_and_settle_the_state() {
    let app = spawn_sms_app().await;
    let client = app.db.client().await;
    let id = sms_outbox::enqueue(
        &client,
        &NewSms {
            recipient: "+84912345678",
            body: "Thu nghiem",
            kind: "hotline_status",
            dedupe_key: "dlr-test",
            dossier_code: None,
            not_before: None,
        },
    )
    .await
    .expect("enqueue")
    .expect("queued");
    let claimed = sms_outbox::claim_due(&client, "t", 1).await.expect("claim");
    assert_eq!(claimed[0].id, id);
    let dlr = |query: String| {
        let app = &app;
        async move {
            app.get(&format!("/sms/v1/kannel/{SMS_SECRET}/dlr?{query}"))
                .await
                .status()
                .as_u16()
        }
    };

    assert_eq!(dlr(format!("id={id}&status=8&answer=ACK%2F")).await, 200);
    assert_eq!(dlr(format!("id={id}&status=1&answer=")).await, 200);
    assert_eq!(
        dlr(format!("id={id}&status=8")).await,
        200,
        "late reports are kept"
    );
    assert_eq!(dlr(format!("id={id}&status=7")).await, 400);
    assert_eq!(dlr("id=999999&status=1".to_owned()).await, 404);
    assert_eq!(
        app.get(&format!("/sms/v1/kannel/nope/dlr?id={id}&status=2"))
            .await
            .status()
            .as_u16(),
        403
    );

    let row = client
        .query_one(
            "SELECT state, dlr_status, (SELECT count(*) FROM sms_delivery_reports WHERE outbox_id = $1)
             FROM sms_outbox WHERE id = $1",
            &[&id],
        )
        .await
        .expect("row");
    assert_eq!(
        row.get::<_, String>(0),
        "delivered",
        "a final report is not undone"
    );
    assert_eq!(row.get::<_, i64>(2), 3);
}

#[tokio::test]
async fn nothing_is_sent_during_the_quiet_hours() {
    // Quiet hours around now (Vietnam time); Kannel's address refuses connections, so any attempt
    // would be counted.
    let now = Utc::now().with_timezone(&tracuu::domain::vn_offset());
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.sms.quiet_hours_start = (now - ChronoDuration::hours(1)).format("%H:%M").to_string();
        s.sms.quiet_hours_end = (now + ChronoDuration::hours(1)).format("%H:%M").to_string();
        s.sms.sendsms_url = Some("http://127.0.0.1:9/cgi-bin/sendsms".into());
        s.sms.poll_interval_ms = 20;
    })
    .await;
    let client = app.db.client().await;
    sms_outbox::enqueue(
        &client,
        &NewSms {
            recipient: "+84912345678",
            body: "Thu nghiem",
            kind: "hotline_status",
            dedupe_key: "quiet",
            dossier_code: None,
            not_before: None,
        },
    )
    .await
    .expect("enqueue");

    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;

    let row = client
        .query_one("SELECT state, attempts FROM sms_outbox", &[])
        .await
        .expect("row");
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, i32>(1)),
        ("queued".into(), 0)
    );
}

#[tokio::test]
async fn without_sms_configured_status_changes_fill_no_outbox() {
    let app = crate::sync_push::spawn_sync_app().await;
    app.ensure_procedure().await;
    app.push(&[snapshot(CODE, 1, 2)]).await;
    let (_, report) = app.push(&[snapshot(CODE, 2, 4)]).await;
    assert_eq!(report["applied"].as_u64(), Some(1));
    assert!(outbox(&app).await.is_empty());
}
