//! `tracuu retention` against a real PostgreSQL: rows on both sides of every period, a dry run
//! that counts them and changes nothing, a run that deletes or anonymises exactly the old ones
//! (and keeps what is still needed: an open item, a pending answer notice, a queued SMS), and the
//! audit log that refuses every other delete.

use serde_json::json;
use tokio_postgres::Client;
use tracuu::config::RetentionSettings;
use tracuu::db::retention::Kind;

use crate::helpers::TestDatabase;
use crate::intake_support::*;

/// Everything a table holds, as text, for comparing before and after.
async fn snapshot(client: &Client) -> Vec<String> {
    let mut all = Vec::new();
    for table in [
        "sms_inbound",
        "sms_outbox",
        "sms_delivery_reports",
        "hotline_calls",
        "intake_items",
        "audit_log",
    ] {
        let rows = client
            .query(
                &format!("SELECT t::text FROM {table} t ORDER BY t::text"),
                &[],
            )
            .await
            .expect("snapshot");
        all.extend(
            rows.iter()
                .map(|r| format!("{table}: {}", r.get::<_, String>(0))),
        );
    }
    all
}

/// Rows on both sides of every default period. Each kind has rows `old` (past its period) and
/// rows `new` or otherwise kept, told apart by a marker in a column the job does not touch.
async fn arrange(client: &Client) {
    client
        .batch_execute(
            r#"
INSERT INTO staff_accounts (username, display_name, role, password_hash)
VALUES ('dtv.retention', 'Điện thoại viên', 'operator', 'x');

-- Inbound SMS: 180 days.
INSERT INTO sms_inbound (sender, receiver, body, body_hash, command, outcome, created_at)
VALUES ('+84912000001', '8088', 'HS old', '\x00', 'old', 'answered', now() - interval '181 days'),
       ('+84912000002', '8088', 'HS old2', '\x00', 'old', 'answered', now() - interval '400 days'),
       ('+84912000003', '8088', 'HS new', '\x00', 'new', 'answered', now() - interval '179 days');

-- Outbox: 180 days, finished messages only.
INSERT INTO sms_outbox (recipient, body, kind, dedupe_key, state, created_at)
VALUES ('+84912000011', 'old sent', 'status_change', 'old-sent', 'sent', now() - interval '200 days'),
       ('+84912000012', 'old failed', 'status_change', 'old-failed', 'failed', now() - interval '200 days'),
       ('+84912000013', 'old queued', 'status_change', 'keep-queued', 'queued', now() - interval '200 days'),
       ('+84912000014', 'new sent', 'status_change', 'keep-new', 'sent', now() - interval '10 days');
INSERT INTO sms_delivery_reports (outbox_id, status)
SELECT id, 1 FROM sms_outbox WHERE dedupe_key IN ('old-sent', 'keep-new');

-- Hotline callers: 180 days from the call's start.
INSERT INTO hotline_calls (source, caller_phone, started_at, ended_at, outcome, note)
VALUES ('ivr', '+84912000021', now() - interval '181 days', now() - interval '181 days', 'answered_by_ivr', 'old'),
       ('ivr', '+84912000022', now() - interval '30 days', now() - interval '30 days', 'answered_by_ivr', 'new'),
       ('ivr', NULL, now() - interval '300 days', now() - interval '300 days', 'answered_by_ivr', 'none');
INSERT INTO hotline_calls (source, operator_id, caller_phone, started_at, ended_at, outcome, note)
SELECT 'operator', id, '+84912000023', now() - interval '200 days', now() - interval '200 days', 'resolved', 'old'
  FROM staff_accounts WHERE username = 'dtv.retention';

-- Audit log: 1825 days.
INSERT INTO audit_log (actor_id, actor_label, action, subject, reason, at)
SELECT id, 'dtv.retention', 'phone_search', '+84912000031', 'old', now() - interval '1826 days'
  FROM staff_accounts WHERE username = 'dtv.retention';
INSERT INTO audit_log (actor_id, actor_label, action, subject, reason, at)
SELECT id, 'dtv.retention', 'phone_search', '+84912000032', 'new', now() - interval '1000 days'
  FROM staff_accounts WHERE username = 'dtv.retention';
"#,
        )
        .await
        .expect("arrange sms, calls, audit");

    // Questions and feedback: contacts 365 days after closure. The subject says which to expect.
    let items: &[(&str, &str, bool, &str, i32, bool)] = &[
        // (subject, state, public, which timestamp, days ago, notice pending)
        ("old refused", "refused", true, "closed_at", 366, false),
        ("old withdrawn", "withdrawn", false, "closed_at", 500, false),
        (
            "old published",
            "published",
            true,
            "published_at",
            400,
            false,
        ),
        (
            "old private answer",
            "answered",
            false,
            "answered_at",
            366,
            false,
        ),
        (
            "keep recent refusal",
            "refused",
            true,
            "closed_at",
            364,
            false,
        ),
        (
            "keep public answer awaiting publication",
            "answered",
            true,
            "answered_at",
            400,
            false,
        ),
        ("keep open", "in_progress", true, "forwarded_at", 800, false),
        (
            "keep notice pending",
            "published",
            true,
            "published_at",
            400,
            true,
        ),
    ];
    for (i, (subject, state, public, column, days, pending)) in items.iter().enumerate() {
        let code = format!("PAKN.20250101.{:04}", i + 1);
        client
            .execute(
                &format!(
                    "INSERT INTO intake_items (tracking_code, kind, channel, submitter_name,
                         submitter_phone, submitter_email, submitter_address, subject, body,
                         routed_by, is_public, state, received_at, answer_notice_pending, {column})
                     VALUES ($1, 'feedback', 'web', 'Nguyễn Văn An', $2, 'an@example.vn',
                         '12 Lê Lợi', $3, 'nội dung', 'desk', $4, $5,
                         now() - make_interval(days => $6 + 30), $7,
                         now() - make_interval(days => $6))"
                ),
                &[
                    &code,
                    &format!("+8491200{:04}", 100 + i),
                    subject,
                    public,
                    state,
                    days,
                    pending,
                ],
            )
            .await
            .expect("arrange item");
    }
}

async fn strings(client: &Client, sql: &str) -> Vec<String> {
    client
        .query(sql, &[])
        .await
        .expect(sql)
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn dry_run_counts_and_changes_nothing_then_a_run_changes_exactly_the_old_rows() {
    let db = TestDatabase::create().await;
    let mut client = db.client().await;
    arrange(&client).await;
    let settings = RetentionSettings::default();
    let before = snapshot(&client).await;

    let dry = tracuu::retention::run(&mut client, &settings, true)
        .await
        .expect("dry run");
    assert_eq!(snapshot(&client).await, before, "a dry run changed data");
    let expected = [
        (Kind::SmsInbound, 2),
        (Kind::SmsOutbox, 2),
        (Kind::HotlineCallers, 2),
        (Kind::IntakeContacts, 4),
        (Kind::Audit, 1),
    ];
    for (kind, rows) in expected {
        assert_eq!(dry.rows(kind), rows, "dry run, {}", kind.name());
    }
    let printed = dry.to_string();
    assert!(printed.contains("would be deleted"), "{printed}");
    assert!(
        !printed.contains("+849"),
        "a report named a phone: {printed}"
    );

    let real = tracuu::retention::run(&mut client, &settings, false)
        .await
        .expect("run");
    assert_eq!(
        real.kinds, dry.kinds,
        "the run changed other rows than counted"
    );

    assert_eq!(
        strings(&client, "SELECT command FROM sms_inbound ORDER BY id").await,
        ["new"]
    );
    assert_eq!(
        strings(
            &client,
            "SELECT dedupe_key FROM sms_outbox ORDER BY dedupe_key"
        )
        .await,
        ["keep-new", "keep-queued"]
    );
    let reports: i64 = client
        .query_one("SELECT count(*) FROM sms_delivery_reports", &[])
        .await
        .expect("reports")
        .get(0);
    assert_eq!(reports, 1, "the old message's report goes with it");
    assert_eq!(
        strings(
            &client,
            "SELECT note || ':' || coalesce(caller_phone, '-') FROM hotline_calls ORDER BY note, id"
        )
        .await,
        ["new:+84912000022", "none:-", "old:-", "old:-"]
    );
    assert_eq!(
        strings(&client, "SELECT reason FROM audit_log ORDER BY id").await,
        ["new"]
    );
    let items = client
        .query(
            "SELECT subject, submitter_name, submitter_phone, submitter_email, submitter_address,
                    contact_erased_at IS NOT NULL, body, state
               FROM intake_items ORDER BY id",
            &[],
        )
        .await
        .expect("items");
    assert_eq!(items.len(), 8, "no item is deleted");
    for row in &items {
        let subject: String = row.get(0);
        let contact: [Option<String>; 4] = [row.get(1), row.get(2), row.get(3), row.get(4)];
        let erased: bool = row.get(5);
        let body: String = row.get(6);
        assert_eq!(body, "nội dung", "{subject}: the text stays");
        if subject.starts_with("old") {
            assert!(erased, "{subject}");
            assert!(
                contact.iter().all(Option::is_none),
                "{subject}: {contact:?}"
            );
        } else {
            assert!(!erased, "{subject}");
            assert!(
                contact.iter().all(Option::is_some),
                "{subject}: {contact:?}"
            );
        }
    }

    let again = tracuu::retention::run(&mut client, &settings, false)
        .await
        .expect("second run");
    assert!(again.kinds.iter().all(|k| k.rows == 0), "{again}");
}

#[tokio::test]
async fn shorter_periods_reach_newer_rows() {
    let db = TestDatabase::create().await;
    let mut client = db.client().await;
    arrange(&client).await;
    let settings = RetentionSettings {
        sms_inbound_days: 7,
        sms_outbox_days: 7,
        hotline_caller_days: 7,
        intake_contact_days: 7,
        audit_days: 7,
    };
    let report = tracuu::retention::run(&mut client, &settings, true)
        .await
        .expect("dry run");
    assert_eq!(report.rows(Kind::SmsInbound), 3);
    assert_eq!(
        report.rows(Kind::SmsOutbox),
        3,
        "a queued message is never removed"
    );
    assert_eq!(report.rows(Kind::HotlineCallers), 3);
    assert_eq!(
        report.rows(Kind::IntakeContacts),
        5,
        "open, unpublished and pending items keep them"
    );
    assert_eq!(report.rows(Kind::Audit), 2);
}

#[tokio::test]
async fn the_audit_log_still_refuses_other_deletes_and_updates() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    arrange(&client).await;
    for statement in [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET reason = 'x'",
        "TRUNCATE audit_log",
    ] {
        let error = client.batch_execute(statement).await.expect_err(statement);
        assert!(
            format!("{error:?}").contains("append-only"),
            "{statement}: {error:?}"
        );
    }
    let error = client
        .batch_execute(
            "BEGIN; SET LOCAL tracuu.retention = 'on'; UPDATE audit_log SET reason = 'x'; COMMIT",
        )
        .await
        .expect_err("update under the retention setting");
    assert!(format!("{error:?}").contains("append-only"), "{error:?}");
}

#[tokio::test]
async fn an_item_whose_contact_was_erased_still_opens_for_staff_and_no_longer_for_the_phone_digits()
{
    // Arrange: two private feedback items (phone ending 4321) withdrawn by their submitter; one
    // of them closed over a year ago.
    let app = spawn_intake_app().await;
    let mut codes = Vec::new();
    for _ in 0..2 {
        let (status, created) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
        assert_eq!(status, 201, "{created}");
        let code = created["tracking_code"].as_str().expect("code").to_owned();
        let (status, body) = post_json(
            &app,
            &format!("/api/v1/intake/{code}/withdraw"),
            &json!({"phone4": "4321"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        codes.push(code);
    }
    let (old, recent) = (&codes[0], &codes[1]);
    let mut client = app.db.client().await;
    client
        .execute(
            "UPDATE intake_items SET closed_at = now() - interval '400 days' WHERE tracking_code = $1",
            &[old],
        )
        .await
        .expect("backdate");

    // Act
    let report = tracuu::retention::run(&mut client, &RetentionSettings::default(), false)
        .await
        .expect("run");

    // Assert
    assert_eq!(report.rows(Kind::IntakeContacts), 1, "{report}");
    let desk = staff_session(&app, "tiepnhan.xoa", "desk_head", None).await;
    let page = desk.get(&app, &format!("/can-bo/muc/{old}")).await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Quy định này chưa rõ."), "the text stays");
    for personal in ["Lê Văn Cường", "Quang Trung", "0987", "4321"] {
        assert!(!html.contains(personal), "{personal} still shown");
    }
    let page = desk.get(&app, &format!("/can-bo/muc/{recent}")).await;
    assert!(page.text().await.expect("html").contains("Lê Văn Cường"));
    let (status, body) = app
        .get_json(&format!("/api/v1/intake/{old}?phone4=4321"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("phone4_rejected"))
    );
    let (status, _) = app
        .get_json(&format!("/api/v1/intake/{recent}?phone4=4321"))
        .await;
    assert_eq!(status, 200);
}
