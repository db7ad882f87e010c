//! End to end through a real Kannel (bearerbox + smsbox + the fake SMSC, configured by the
//! shipped deploy/kannel/kannel.conf): a citizen's text
//! reaches tracuu and the reply reaches the phone (among them the corpus's texts marked for
//! Kannel, each with its exact reply); a status change reaches the applicant exactly
//! once with its delivery report recorded; with Kannel stopped, notifications wait in the outbox
//! and go out once it is back.

use std::time::Duration;

use crate::helpers::{spawn_app_with, TestApp};
use crate::kannel::{free_port, Kannel, KannelPorts, ScratchDir};
use crate::sms_inbound::{sms_settings, SMS_SECRET};
use crate::sync_push::snapshot;

const CODE: &str = "000.00.16.H48-261116-0701";
const APPLICANT: &str = "0987654321";
const WAIT: Duration = Duration::from_secs(30);

/// Polls `sql` (one boolean) until it is true.
async fn eventually(app: &TestApp, sql: &str, what: &str, kannel: Option<&Kannel>) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let done: bool = app
            .db
            .client()
            .await
            .query_one(sql, &[])
            .await
            .expect("poll")
            .get(0);
        if done {
            return;
        }
        if std::time::Instant::now() > deadline {
            let rows = app
                .db
                .client()
                .await
                .query(
                    "SELECT id, state, attempts, last_error FROM sms_outbox",
                    &[],
                )
                .await
                .expect("outbox");
            let rows: Vec<String> = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {:?}",
                        r.get::<_, i64>(0),
                        r.get::<_, String>(1),
                        r.get::<_, i32>(2),
                        r.get::<_, Option<String>>(3)
                    )
                })
                .collect();
            panic!(
                "{what}: not reached; outbox: {rows:?}\n{}",
                kannel.map(Kannel::logs).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn texts_replies_and_notifications_travel_through_a_real_kannel() {
    // Arrange: tracuu on a known port (Kannel's configuration names it), Kannel's ports.
    let ports = KannelPorts::pick();
    let app_port = free_port();
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.http.port = app_port;
        s.sms.sendsms_url = Some(format!(
            "http://127.0.0.1:{}/cgi-bin/sendsms",
            ports.sendsms
        ));
        s.sms.sendsms_user = "tracuu".into();
        s.sms.sendsms_password = Some("test-password".to_owned().into());
        s.sms.dlr_base_url = Some(format!("http://127.0.0.1:{app_port}"));
        s.sms.poll_interval_ms = 50;
        s.sms.retry_base_secs = 1;
        s.sms.retry_max_secs = 1;
    })
    .await;
    app.ensure_procedure().await;
    let (status, report) = app.push(&[snapshot(CODE, 1, 2)]).await;
    assert_eq!(
        (status, report["applied"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    let known = app.known(4).await;
    let tracuu = format!("http://127.0.0.1:{app_port}");
    let scratch = ScratchDir::new("tracuu-kannel");
    let dir = scratch.0.clone();
    let mut kannel = Kannel::start(&dir, ports, &tracuu, SMS_SECRET, "test-password");

    // Act + Assert 1: a status request, plain and with diacritics (GSM text and UCS-2).
    kannel
        .smsc()
        .send("0912345678", "8088", &format!("HS {}", known.code), false);
    kannel
        .smsc()
        .send("0912345679", "8088", &format!("Hồ sơ mã {CODE}"), true);
    kannel.smsc().send(
        "0912345670",
        "8088",
        &format!("hs mã {}", known.code),
        false,
    );
    for (phone, code, status) in [
        ("0912345678", known.code.as_str(), "Dang xu ly"),
        ("0912345679", CODE, "Duoc tiep nhan"),
        ("0912345670", known.code.as_str(), "Dang xu ly"),
    ] {
        let (from, _, text) = kannel
            .smsc()
            .wait_for_message(|(_, to, _)| to == phone, WAIT)
            .await
            .unwrap_or_else(|| panic!("no reply to {phone}\n{}", kannel.logs()));
        assert_eq!(from, "8088");
        assert!(text.contains(code) && text.contains(status), "{text}");
        assert!(text.is_ascii() && text.chars().count() <= 160, "{text}");
    }

    // Act + Assert 1b: the corpus's rows marked for Kannel (free text, diacritics in UCS-2,
    // a lookup number, two codes, full-width forms, line breaks) get their exact replies.
    let rows: Vec<_> = crate::sms_corpus::corpus()
        .into_iter()
        .filter(|row| row.kannel)
        .collect();
    assert!(
        rows.len() >= 5,
        "a handful of corpus texts go through Kannel"
    );
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row.from, "citizen", "{}", row.id);
        let phone = format!("09124{index:05}");
        let ucs2 = row.charset != "gsm7";
        assert!(
            ucs2 || !row.text.contains(['\n', '\r']),
            "{}: one line in text mode",
            row.id
        );
        kannel.smsc().send(&phone, "8088", &row.text, ucs2);
        let (_, _, reply) = kannel
            .smsc()
            .wait_for_message(|(_, to, _)| *to == phone, WAIT)
            .await
            .unwrap_or_else(|| panic!("no reply to {}\n{}", row.id, kannel.logs()));
        assert_eq!(reply, row.reply, "{}: {:?}", row.id, row.text);
    }

    // Act + Assert 2: a status change reaches the applicant once, with a delivery report.
    app.push(&[snapshot(CODE, 2, 4)]).await;
    let (_, _, text) = kannel
        .smsc()
        .wait_for_message(|(_, to, _)| to == APPLICANT, WAIT)
        .await
        .unwrap_or_else(|| panic!("no notification\n{}", kannel.logs()));
    assert!(text.contains(CODE) && text.contains("Dang xu ly"), "{text}");
    eventually(
        &app,
        "SELECT count(*) = 1 FROM sms_outbox WHERE state = 'delivered' AND dlr_status = 1",
        "delivery report recorded",
        Some(&kannel),
    )
    .await;
    assert!(app.count("SELECT count(*) FROM sms_delivery_reports").await >= 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let to_applicant = kannel
        .smsc()
        .received()
        .iter()
        .filter(|(_, to, _)| to == APPLICANT)
        .count();
    assert_eq!(to_applicant, 1, "exactly one notification");

    // Act + Assert 3: Kannel down, the next notification waits and goes out once it is back.
    drop(kannel);
    app.push(&[snapshot(CODE, 3, 9)]).await;
    eventually(
        &app,
        "SELECT count(*) = 1 FROM sms_outbox WHERE dedupe_key LIKE 'status_change:%:3:%'
           AND state = 'queued' AND attempts >= 1 AND last_error LIKE 'Kannel unreachable%'",
        "a failed attempt while Kannel is down",
        None,
    )
    .await;
    let mut kannel = Kannel::start(&dir, ports.repick(), &tracuu, SMS_SECRET, "test-password");
    let (_, _, text) = kannel
        .smsc()
        .wait_for_message(
            |(_, to, text)| to == APPLICANT && text.contains("Da xu ly xong"),
            WAIT,
        )
        .await
        .unwrap_or_else(|| panic!("the waiting notification did not go out\n{}", kannel.logs()));
    assert!(text.contains(CODE), "{text}");
    eventually(
        &app,
        "SELECT bool_and(state IN ('sent', 'delivered')) FROM sms_outbox",
        "every notification sent",
        Some(&kannel),
    )
    .await;
    drop(kannel);
    drop(scratch);
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("tracuu_sms_outbox_sends_total{result=\"retry\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("tracuu_sms_outbox_sends_total{result=\"sent\"} 2"));
}
