//! The SMS channel's inbound endpoint, called the way Kannel's sms-service calls it: auth,
//! replies, dedupe, limits, subscriptions, ratings and opt-out, against a real PostgreSQL.

use serde_json::Value;

use crate::helpers::{spawn_app_with, TestApp};
use tracuu::config::Settings;

pub const SMS_SECRET: &str = "kannel-test-secret";
pub const SENDER: &str = "0912345678";

/// Settings of an app with the SMS channel on (and sync push, for notifications).
pub fn sms_settings(s: &mut Settings) {
    s.sms.inbound_secret = Some(SMS_SECRET.to_owned().into());
    s.sync.secrets = vec![crate::sync_push::SECRET.to_owned().into()];
    s.sms.quiet_hours_start = "00:00".into();
    s.sms.quiet_hours_end = "00:00".into();
    s.sms.notify_status_changes = Some(true);
}

pub async fn spawn_sms_app() -> TestApp {
    spawn_app_with(sms_settings).await
}

impl TestApp {
    /// Kannel's GET for one message; returns status and body (the reply SMS).
    pub async fn sms_from(&self, from: &str, text: &str, id: Option<&str>) -> (u16, String) {
        let mut query = vec![
            ("from", from),
            ("to", "8088"),
            ("text", text),
            ("time", "2026-11-23 08:00:00"),
            ("coding", "0"),
            ("charset", "UTF-8"),
        ];
        if let Some(id) = id {
            query.push(("id", id));
        }
        let response = self
            .http
            .get(format!(
                "{}/sms/v1/kannel/{SMS_SECRET}/inbound",
                self.address
            ))
            .query(&query)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// One message from [`SENDER`] with a fresh message id.
    pub async fn sms(&self, text: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let (status, body) = self.sms_from(SENDER, text, Some(&id)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// A count from the test database.
    pub async fn count(&self, sql: &str) -> i64 {
        self.db
            .client()
            .await
            .query_one(sql, &[])
            .await
            .expect("count")
            .get(0)
    }

    /// `sql`'s count once inbound records written after the replies have caught up: polls until
    /// it equals `expected` and stays there a moment, or five seconds have passed.
    pub async fn recorded(&self, sql: &str, expected: i64) -> i64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let count = self.count(sql).await;
            if count == expected {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                return self.count(sql).await;
            }
            if std::time::Instant::now() > deadline {
                return count;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

fn assert_one_gsm7_segment(reply: &str) {
    assert!(!reply.is_empty(), "a reply");
    assert!(reply.is_ascii(), "unaccented: {reply}");
    assert!(reply.chars().count() <= 160, "one segment: {reply}");
}

#[tokio::test]
async fn sms_with_a_code_replies_with_the_public_status_in_one_segment() {
    // Arrange
    let app = spawn_sms_app().await;
    let known = app.known(4).await;
    // Act
    let plain = app.sms(&format!("HS {}", known.code)).await;
    let sloppy = app
        .sms(&format!("  hs:{}  ", known.code.to_lowercase()))
        .await;
    let accented = app.sms(&format!("Hồ sơ {}", known.code)).await;
    let bare = app.sms(&known.code).await;
    let by_number = app.sms(&format!("TC {:010}", known.lookup_number)).await;
    // Assert
    for reply in [&plain, &sloppy, &accented, &bare, &by_number] {
        assert_one_gsm7_segment(reply);
        assert!(reply.contains(&known.code), "{reply}");
        assert!(reply.contains("Dang xu ly"), "{reply}");
        assert!(
            !reply.contains(&known.phone[known.phone.len() - 4..]),
            "no phone digits: {reply}"
        );
    }
    let recorded = app
        .recorded(
            "SELECT count(*) FROM sms_inbound WHERE outcome = 'status' AND sender = '+84912345678'",
            5,
        )
        .await;
    assert_eq!(recorded, 5);
}

#[tokio::test]
async fn sms_with_unknown_or_malformed_code_says_which_and_the_expected_form() {
    let app = spawn_sms_app().await;

    let unknown = app.sms("HS 000.00.16.H48-261120-8888").await;
    let malformed = app.sms("HS 000.00.16.H48-261399-0001").await;
    let missing = app.sms("DK").await;
    let typo = app.sms("HS 5108772783").await;
    let help = app.sms("xin chao").await;
    let injection = app.sms("HS '; DROP TABLE dossiers; --").await;
    let glued = app.sms("HS 000.00.16.H48-261399-0001 nhe").await;

    assert!(
        unknown.starts_with("Khong tim thay ho so 000.00.16.H48-261120-8888"),
        "{unknown}"
    );
    assert!(
        malformed.starts_with("Ma ho so khong hop le"),
        "{malformed}"
    );
    assert!(malformed.contains("HS <ma ho so>"), "{malformed}");
    assert!(missing.contains("DK <ma ho so>"), "{missing}");
    assert!(typo.contains("So tra cuu sai"), "{typo}");
    assert!(
        help.contains("0255.1022") && help.contains("DG <ma> <1|2|3>"),
        "{help}"
    );
    // No code at all in it: the command word asks for one.
    assert!(injection.starts_with("Thieu ma ho so"), "{injection}");
    assert_eq!(
        glued, malformed,
        "words after a malformed code change nothing"
    );
    for reply in [&unknown, &malformed, &missing, &typo, &help, &injection] {
        assert_one_gsm7_segment(reply);
    }
    assert_eq!(app.count("SELECT count(*) FROM dossiers").await, 300);
}

#[tokio::test]
async fn only_kannel_with_the_secret_from_an_allowed_address_is_heard() {
    // Wrong secret.
    let app = spawn_sms_app().await;
    let response = app
        .get("/sms/v1/kannel/wrong-secret/inbound?from=0912345678&text=TG")
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "sms_forbidden");
    // Missing sender.
    let response = app
        .get(&format!("/sms/v1/kannel/{SMS_SECRET}/inbound?text=TG"))
        .await;
    assert_eq!(response.status().as_u16(), 400);

    // Right secret, address not allowed.
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.sms.allowed_addresses = vec!["10.1.2.3".parse().expect("ip")];
    })
    .await;
    let (status, _) = app.sms_from(SENDER, "TG", None).await;
    assert_eq!(status, 403);

    // No secret configured: the channel is off.
    let app = spawn_app_with(|s| s.sms.inbound_secret = None).await;
    let response = app
        .get(&format!(
            "/sms/v1/kannel/{SMS_SECRET}/inbound?from=0912345678&text=TG"
        ))
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "sms_disabled");
    assert_eq!(app.count("SELECT count(*) FROM sms_inbound").await, 0);
}

#[tokio::test]
async fn a_repeated_message_id_or_the_same_text_within_a_minute_gets_no_second_reply() {
    let app = spawn_sms_app().await;
    let known = app.known(2).await;
    let text = format!("HS {}", known.code);

    let (_, first) = app.sms_from(SENDER, &text, Some("id-1")).await;
    let (_, retry) = app.sms_from(SENDER, &text, Some("id-1")).await;
    let (_, resent) = app.sms_from(SENDER, &text, Some("id-2")).await;
    let (_, other) = app.sms_from("0987000111", &text, Some("id-3")).await;
    let (_, same_words) = app
        .sms_from(
            SENDER,
            &format!("hs   {}", known.code.to_lowercase()),
            Some("id-4"),
        )
        .await;

    assert!(first.contains(&known.code));
    assert_eq!(retry, "", "same Kannel id: nothing");
    assert_eq!(resent, "", "same sender and text within a minute: nothing");
    assert!(other.contains(&known.code), "another sender is answered");
    assert_eq!(
        same_words, "",
        "the same words, differently typed, are the same text"
    );
    assert_eq!(app.recorded("SELECT count(*) FROM sms_inbound", 2).await, 2);
}

#[tokio::test]
async fn a_flooding_sender_is_told_once_then_silenced() {
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.sms.per_sender_per_minute = 3;
    })
    .await;

    let mut replies = Vec::new();
    for i in 0..6 {
        replies.push(app.sms(&format!("TG {i}")).await);
    }
    let (_, other) = app.sms_from("0987000111", "TG", None).await;

    assert!(
        replies[..3].iter().all(|r| r.contains("HS <ma ho so>")),
        "{replies:?}"
    );
    assert!(replies[3].contains("qua nhieu tin nhan"), "{}", replies[3]);
    assert_eq!(&replies[4..], ["", ""], "then silence");
    assert!(other.contains("HS <ma ho so>"), "other senders unaffected");
    assert_eq!(
        app.recorded(
            "SELECT count(*) FROM sms_inbound WHERE outcome = 'silenced' AND reply IS NULL",
            2
        )
        .await,
        2,
        "silenced messages are recorded too"
    );
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("tracuu_sms_inbound_total{outcome=\"silenced\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("tracuu_sms_inbound_total{outcome=\"rate_limited\"} 1"));
}

#[tokio::test]
async fn subscribing_unsubscribing_and_the_cap_on_subscriptions() {
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.sms.max_subscriptions = 2;
    })
    .await;
    let a = app.known(2).await;
    let b = app.known(4).await;
    let c = app.known(5).await;

    let first = app.sms(&format!("ĐK {}", a.code)).await;
    let again = app.sms(&format!("dk:{}", a.code)).await;
    let second = app.sms(&format!("DK {:010}", b.lookup_number)).await;
    let third = app.sms(&format!("DK {}", c.code)).await;
    let unknown = app.sms("DK 000.00.16.H48-261120-8888").await;

    assert!(
        first.starts_with("Da dang ky") && first.contains(&a.code),
        "{first}"
    );
    assert!(
        again.starts_with("Da dang ky"),
        "subscribing twice is fine: {again}"
    );
    assert!(
        second.contains(&b.code),
        "by lookup number, shown by code: {second}"
    );
    assert!(third.contains("toi da 2"), "{third}");
    assert!(unknown.starts_with("Khong tim thay"), "{unknown}");
    let count = "SELECT count(*) FROM sms_subscriptions WHERE phone = '+84912345678'";
    assert_eq!(app.count(count).await, 2);

    let one = app.sms(&format!("Hủy {}", a.code)).await;
    assert!(one.contains(&a.code), "{one}");
    assert_eq!(app.count(count).await, 1);
    let all = app.sms("HUY").await;
    assert!(all.starts_with("Da huy moi dang ky"), "{all}");
    assert_eq!(app.count(count).await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM sms_opt_outs WHERE phone = '+84912345678'")
            .await,
        1
    );
    // Subscribing again lifts the opt-out (by lookup number: the same text within a minute would
    // be a duplicate of the refused attempt above).
    app.sms(&format!("DK {:010}", c.lookup_number)).await;
    assert_eq!(app.count("SELECT count(*) FROM sms_opt_outs").await, 0);
    assert_eq!(app.count(count).await, 1);
}

#[tokio::test]
async fn a_sender_that_is_not_a_mobile_cannot_subscribe() {
    let app = spawn_sms_app().await;
    let a = app.known(2).await;
    // A landline, and another country's number: phone numbers, but not Vietnamese mobiles.
    for (sender, id) in [("02363822123", "x1"), ("+12025550100", "x2")] {
        let (status, reply) = app
            .sms_from(sender, &format!("DK {}", a.code), Some(id))
            .await;
        assert_eq!(status, 200, "{sender}: {reply}");
        assert!(reply.starts_with("Chi so di dong"), "{sender}: {reply}");
    }
    assert_eq!(app.count("SELECT count(*) FROM sms_subscriptions").await, 0);
}

#[tokio::test]
async fn a_sender_that_is_not_a_phone_number_is_refused_and_stored_nowhere() {
    // Arrange
    let app = spawn_sms_app().await;
    let a = app.known(2).await;
    let texts = [
        format!("HS {}", a.code),
        format!("DK {}", a.code),
        format!("DG {} 1", a.code),
        "STOP".to_owned(),
    ];
    let senders = [
        "<script>",
        "<script>alert(1)</script>",
        "VIETTEL",
        "8088",
        "+84123",
        "12025550100",
        "' OR '1'='1",
        "0912345678; DROP TABLE sms_inbound",
        "091234567890123456789012345678901",
    ];
    // Act / Assert: each is refused in plain text, without echoing the sender.
    for (i, sender) in senders.iter().enumerate() {
        for (j, text) in texts.iter().enumerate() {
            let id = format!("refused-{i}-{j}");
            let (status, body) = app.sms_from(sender, text, Some(&id)).await;
            assert_eq!(status, 400, "{sender}: {body}");
            assert!(body.starts_with("invalid_sender: "), "{sender}: {body}");
            assert!(body.contains("không phải là số điện thoại"), "{body}");
            assert!(!body.contains(sender), "the sender is not echoed: {body}");
        }
    }
    // Kannel's post-url form, the sender in a header.
    let response = app
        .http
        .post(format!(
            "{}/sms/v1/kannel/{SMS_SECRET}/inbound",
            app.address
        ))
        .header("x-kannel-from", "<b>x</b>")
        .header("content-type", "text/plain; charset=UTF-8")
        .body(format!("DG {} 1", a.code))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 400);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain")));
    assert!(response
        .text()
        .await
        .expect("body")
        .starts_with("invalid_sender: "));
    // A missing sender is refused the same way.
    let (status, body) = app.sms_from("", "TG", Some("no-sender")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.starts_with("invalid_sender: "), "{body}");

    // A real phone, in the international form Kannel passes, is still answered (and recorded).
    let (status, reply) = app.sms_from("+84912345678", &texts[0], Some("real")).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply.contains(&a.code), "{reply}");

    // Records are written after the reply in arrival order: once the real one is in, any
    // refused one would be too.
    assert_eq!(app.recorded("SELECT count(*) FROM sms_inbound", 1).await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM sms_inbound WHERE sender <> '+84912345678'")
            .await,
        0
    );
    for table in [
        "sms_subscriptions",
        "sms_ratings",
        "sms_opt_outs",
        "sms_outbox",
    ] {
        assert_eq!(
            app.count(&format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
}

impl TestApp {
    /// One message from `from` with a fresh message id; the reply.
    pub async fn sms_as(&self, from: &str, text: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let (status, body) = self.sms_from(from, text, Some(&id)).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

#[tokio::test]
async fn ratings_are_stored_and_a_bad_rating_says_the_scale() {
    let app = spawn_sms_app().await;
    let done = app.known(10).await;

    let rated = app
        .sms_as(&done.phone, &format!("DG {} 1", done.code))
        .await;
    let changed = app
        .sms_as(&done.phone, &format!("đg {} 3", done.code))
        .await;
    let bad = app
        .sms_as(&done.phone, &format!("DG {} 5", done.code))
        .await;

    assert!(rated.contains("Rat hai long"), "{rated}");
    assert!(changed.contains("Khong hai long"), "{changed}");
    assert!(
        bad.contains("1 Rat hai long, 2 Hai long, 3 Khong hai long"),
        "{bad}"
    );
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT rating, count(*) OVER () FROM sms_ratings WHERE dossier_code = $1",
            &[&done.code],
        )
        .await
        .expect("rating");
    assert_eq!((row.get::<_, i16>(0), row.get::<_, i64>(1)), (3, 1));
}

#[tokio::test]
async fn only_the_applicant_or_a_follower_rates_and_only_once_handling_has_ended() {
    // Arrange: a returned dossier, one still in progress, a stranger's phone.
    let app = spawn_sms_app().await;
    let done = app.known(10).await;
    let open = app.known(4).await;
    let stranger = "0987000111";

    // Act
    let refused = app.sms_as(stranger, &format!("DG {} 2", done.code)).await;
    let subscribed = app.sms_as(stranger, &format!("DK {}", done.code)).await;
    // (Another text: the same one within a minute would be a repeat.)
    let follower = app
        .sms_as(stranger, &format!("DG {} 2 nhe", done.code))
        .await;
    let too_early = app
        .sms_as(&open.phone, &format!("DG {} 1", open.code))
        .await;
    let follower_too_early = {
        app.sms_as(stranger, &format!("DK {}", open.code)).await;
        app.sms_as(stranger, &format!("Đánh giá {} 3", open.code))
            .await
    };

    // Assert
    assert_eq!(
        refused,
        format!(
            "Chi so dien thoai cua nguoi nop ho so {} hoac so dang theo doi ho so nay moi danh gia duoc. Ho tro: 0255.1022",
            done.code
        )
    );
    assert!(subscribed.starts_with("Da dang ky"), "{subscribed}");
    assert!(follower.contains("Hai long"), "{follower}");
    for reply in [&too_early, &follower_too_early] {
        assert_eq!(
            reply,
            &format!(
                "Ho so {} dang duoc giai quyet nen chua danh gia duoc. Danh gia khi ho so da co ket qua, da dung, bi tu choi hoac da rut.",
                open.code
            )
        );
    }
    let stored = app.count("SELECT count(*) FROM sms_ratings").await;
    assert_eq!(
        stored, 1,
        "only the follower's rating of the returned dossier"
    );
    let refused_recorded = app
        .count("SELECT count(*) FROM sms_inbound WHERE outcome IN ('rating_not_yours', 'rating_too_early')")
        .await;
    assert_eq!(refused_recorded, 3);
}

#[tokio::test]
async fn the_senders_own_number_in_the_text_is_not_a_lookup_number() {
    // Arrange: a number whose check digit happens to be right, as one in ten phone numbers'.
    let app = spawn_sms_app().await;
    let known = app.known(9).await;
    let own = "0905123455";
    assert!(tracuu::domain::LookupNumber::parse(own).is_ok());

    // Act
    let reply = app
        .sms_as(own, &format!("{own} hoi ho so {} a", known.code))
        .await;
    let from_another = app
        .sms_as("0905123466", &format!("{own} hoi ho so {} a", known.code))
        .await;

    // Assert
    assert!(reply.starts_with(&format!("HS {}:", known.code)), "{reply}");
    assert!(
        from_another.starts_with("Tin co 2 ma, tra loi ma dau: Khong tim thay ho so 0905 1234 55"),
        "{from_another}"
    );
}

#[tokio::test]
async fn a_duplicate_subscription_message_changes_nothing_twice() {
    let app = spawn_sms_app().await;
    let a = app.known(2).await;
    let text = format!("DK {}", a.code);
    let (_, first) = app.sms_from(SENDER, &text, Some("dup-1")).await;
    app.sms("HUY").await;
    // Kannel delivers the first message again: it must not subscribe the phone again.
    let (_, replay) = app.sms_from(SENDER, &text, Some("dup-1")).await;
    assert!(first.starts_with("Da dang ky"));
    assert_eq!(replay, "");
    assert_eq!(app.count("SELECT count(*) FROM sms_subscriptions").await, 0);
}

#[tokio::test]
async fn post_url_deliveries_and_other_charsets_are_understood() {
    let app = spawn_sms_app().await;
    let known = app.known(9).await;

    // Kannel's post-url: text in the body, sender in a header.
    let response = app
        .http
        .post(format!(
            "{}/sms/v1/kannel/{SMS_SECRET}/inbound",
            app.address
        ))
        .header("x-kannel-from", SENDER)
        .header("x-kannel-to", "8088")
        .header("content-type", "text/plain; charset=UTF-8")
        .body(format!("HS {}", known.code))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response
        .text()
        .await
        .expect("body")
        .contains("Da xu ly xong"));

    // UCS-2 without recoding, percent-encoded.
    let utf16: String = format!("ĐK {}", known.code)
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .map(|b| format!("%{b:02X}"))
        .collect();
    let response = app
        .get(&format!(
            "/sms/v1/kannel/{SMS_SECRET}/inbound?from=0912345670&text={utf16}&coding=2&charset=UTF-16BE&id=u1"
        ))
        .await;
    let reply = response.text().await.expect("body");
    assert!(reply.starts_with("Da dang ky"), "{reply}");

    // Bytes that are not UTF-8.
    let response = app
        .get(&format!(
            "/sms/v1/kannel/{SMS_SECRET}/inbound?from=0912345671&text=%FF%FE%FD&charset=UTF-8"
        ))
        .await;
    let reply = response.text().await.expect("body");
    assert!(reply.starts_with("Khong doc duoc tin nhan"), "{reply}");
}

#[tokio::test]
async fn a_repeated_kannel_id_is_recognised_by_its_instance_and_changes_nothing_on_another() {
    // Arrange: two instances on one database. Each recognises the ids it has seen (in memory);
    // Kannel repeats a message only when it got no answer, so another instance answers it.
    let app = spawn_sms_app().await;
    let mut settings = crate::helpers::test_settings();
    sms_settings(&mut settings);
    let other = crate::helpers::start(settings, &app.db.url).await;
    let known = app.known(4).await;
    let text = format!("HS {}", known.code);
    let subscribe = format!("DK {}", known.code);
    let on_other = |text: String, id: &'static str| {
        let request = app
            .http
            .get(format!("{other}/sms/v1/kannel/{SMS_SECRET}/inbound"))
            .query(&[("from", SENDER), ("to", "8088"), ("id", id)])
            .query(&[("text", text)]);
        async move {
            let response = request.send().await.expect("request");
            response.text().await.expect("body")
        }
    };

    // Act
    let (_, first) = app.sms_from(SENDER, &text, Some("retry-1")).await;
    let (_, reused) = app.sms_from(SENDER, "TG", Some("retry-1")).await;
    let retried = on_other(text.clone(), "retry-1").await;
    let (_, subscribed) = app.sms_from(SENDER, &subscribe, Some("sub-1")).await;
    let resubscribed = on_other(subscribe.clone(), "sub-1").await;

    // Assert
    assert!(first.contains(&known.code), "{first}");
    assert_eq!(
        reused, "",
        "an id seen before is a duplicate whatever the text"
    );
    assert!(retried.contains(&known.code), "{retried}");
    assert!(subscribed.starts_with("Da dang ky"), "{subscribed}");
    assert!(!resubscribed.is_empty(), "the other instance confirms");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM sms_subscriptions WHERE dossier_code = '{}'",
            known.code
        ))
        .await,
        1,
        "subscribing twice leaves one subscription"
    );
    assert_eq!(
        app.recorded("SELECT count(*) FROM sms_inbound", 4).await,
        4,
        "each answered message is recorded, the duplicate is not"
    );
}

#[tokio::test]
async fn records_queued_when_the_recorder_closes_are_written_before_it_stops() {
    // Arrange: a recorder of its own on the test database.
    let app = spawn_sms_app().await;
    let settings = crate::helpers::test_settings();
    let recorder =
        tracuu::channels::sms::recorder::Recorder::start(&app.db.url, &settings.database)
            .expect("recorder");
    let record = |i: usize| tracuu::notify::inbound::InboundRecord {
        gateway_id: Some(format!("close-{i}")),
        sender: "+84912345678".into(),
        receiver: "8088".into(),
        body: "TG".into(),
        body_hash: vec![0; 32],
        command: "help",
        outcome: "help",
        reply: Some("help".into()),
        gateway_time: None,
    };

    // Act: queue a few thousand (more than one COPY takes) and close at once.
    for i in 0..5_000 {
        recorder.record(record(i));
    }
    recorder.close().await;
    recorder.record(record(5_000));

    // Assert: everything queued before the close is there; nothing after it.
    assert_eq!(
        app.count("SELECT count(*) FROM sms_inbound WHERE gateway_id LIKE 'close-%'")
            .await,
        5_000
    );
}

#[tokio::test]
async fn a_record_the_database_refuses_costs_only_itself() {
    // Arrange: a batch with one record breaking a constraint (a sender of 40 characters).
    let app = spawn_sms_app().await;
    let settings = crate::helpers::test_settings();
    let recorder =
        tracuu::channels::sms::recorder::Recorder::start(&app.db.url, &settings.database)
            .expect("recorder");
    let record = |id: &str, sender: String| tracuu::notify::inbound::InboundRecord {
        gateway_id: Some(id.into()),
        sender,
        receiver: "8088".into(),
        body: "TG".into(),
        body_hash: vec![0; 32],
        command: "help",
        outcome: "help",
        reply: None,
        gateway_time: None,
    };

    // Act
    recorder.record(record("ok-1", "+84912345678".into()));
    recorder.record(record("bad", "9".repeat(40)));
    recorder.record(record("ok-2", "+84912345679".into()));
    recorder.close().await;

    // Assert: the good ones are written, the bad one is not, and the writer did not stall.
    assert_eq!(
        app.count("SELECT count(*) FROM sms_inbound WHERE gateway_id IN ('ok-1', 'ok-2')")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM sms_inbound WHERE gateway_id = 'bad'")
            .await,
        0
    );
}
