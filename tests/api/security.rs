//! The attacks of the security review, each reproduced as described (from many loopback
//! addresses where the attack needs them), failing now, while the rightful user still gets in.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tracuu::domain::DossierCode;

use crate::helpers::{spawn_app_with, test_settings, TestApp};
use crate::intake_support::{feedback, post_json, post_json_from, spawn_intake_app};

/// A client whose requests leave from `127.0.0.<n>`: one of the "endless" addresses.
fn client_from(n: u8) -> reqwest::Client {
    crate::intake_support::client_from([127, 0, 0, n])
}

async fn get_json_from(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn guessing_a_private_items_digits_from_endless_addresses_locks_the_digits_not_the_owner() {
    // Arrange: a private feedback item (phone 0987654321, digits 4321) and its tracking link.
    let app = spawn_intake_app().await;
    let (status, created) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    assert_eq!(status, 201, "{created}");
    let code = created["tracking_code"].as_str().expect("code").to_owned();
    let token = created["tracking_token"]
        .as_str()
        .expect("a tracking token")
        .to_owned();
    assert_eq!(
        created["track_url"].as_str(),
        Some(format!("/theo-doi?ma={code}&k={token}").as_str())
    );

    // Act: the probe's attack, guessing from 4300 upwards and moving to a fresh address on
    // every refusal that is not "wrong digits".
    let mut address = 2u8;
    let mut outcomes = Vec::new();
    for guess in 4300..4340 {
        let client = client_from(address);
        let (status, body) = get_json_from(
            &client,
            &app,
            &format!("/api/v1/intake/{code}?phone4={guess}"),
        )
        .await;
        let error = body["error"]["code"].as_str().unwrap_or("").to_owned();
        if status != 403 {
            address += 1;
        }
        outcomes.push((guess, status, error, body));
    }
    let withdraw = post_json_from(
        &client_from(address + 1),
        &app,
        &format!("/api/v1/intake/{code}/withdraw"),
        &json!({"phone4": "4321"}),
    )
    .await;

    // Assert: five wrong guesses are answered as wrong, then every answer is "locked", the
    // right digits (4321) included, with the time the digits are checked again.
    let wrong = outcomes.iter().filter(|o| o.2 == "phone4_rejected").count();
    assert_eq!(wrong, 5, "the per-item burst");
    assert!(
        outcomes.iter().all(|o| o.1 != 200),
        "no guess opened the item"
    );
    let right = outcomes
        .iter()
        .find(|o| o.0 == 4321)
        .expect("4321 was tried");
    assert_eq!((right.1, right.2.as_str()), (429, "phone4_locked"));
    let message = right.3["error"]["message"].as_str().expect("message");
    assert!(
        message.contains(" ngày "),
        "the lock says until when: {message}"
    );
    assert_eq!(withdraw.0, 429, "{}", withdraw.1);
    assert!(
        address > 20,
        "the attacker did change addresses ({address})"
    );

    // The owner, with the tracking link, reads and withdraws at once.
    let (status, mine) = app
        .get_json(&format!("/api/v1/intake/{code}?k={token}"))
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["body"], "Quy định này chưa rõ.");
    let page = app.get(&format!("/theo-doi?ma={code}&k={token}")).await;
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("Quy định này chưa rõ."));
    let (status, withdrawn) = post_json(
        &app,
        &format!("/api/v1/intake/{code}/withdraw"),
        &json!({"k": token}),
    )
    .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(withdrawn["state"]["key"], "withdrawn");
}

#[tokio::test]
async fn a_forged_or_foreign_tracking_link_opens_nothing() {
    let app = spawn_intake_app().await;
    let (_, one) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    let (_, two) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    let one_code = one["tracking_code"].as_str().expect("code");
    let two_token = two["tracking_token"].as_str().expect("token");
    for k in [two_token, "BAAAAAAAAAA", "short"] {
        let (status, body) = app
            .get_json(&format!("/api/v1/intake/{one_code}?k={k}"))
            .await;
        assert_eq!(status, 403, "{k}: {body}");
        assert_eq!(body["error"]["code"], "tracking_link_invalid", "{k}");
        assert!(body.get("body").is_none());
    }
}

#[tokio::test]
async fn wrong_digits_from_anywhere_lock_the_dossier_digits_but_the_receipt_qr_still_opens_it() {
    // Arrange
    let app = spawn_app_with(|s| {
        s.rate_limit.proof_failures_per_client_per_hour = 1000;
    })
    .await;
    let known = app.known(4).await;
    let last4 = &known.phone[known.phone.len() - 4..];
    let wrong = if last4 == "0000" { "1111" } else { "0000" };

    // Act: six wrong digits, each from another address.
    for n in 2..8u8 {
        let (status, _) = get_json_from(
            &client_from(n),
            &app,
            &format!("/api/v1/dossiers/{}?phone4={wrong}", known.code),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (_, owner_digits) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={last4}", known.code))
        .await;

    // Assert: the digits are locked for everyone, saying for how long...
    assert_eq!(owner_digits["proof"], "locked");
    let wait = owner_digits["proof_retry_after_secs"]
        .as_u64()
        .expect("how long");
    assert!(wait > 0 && wait <= 86_400, "{wait}");
    let page = app
        .get(&format!("/tra-cuu?ma={}&phone4={last4}", known.code))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("Quét mã QR"),
        "the page says what still works"
    );
    assert!(page.contains(" ngày "), "the page says until when");
    // ...and the owner opens the detailed view with the receipt's QR code at once.
    let keyring = test_settings().qr.keyring().expect("keyring");
    let code = DossierCode::parse(&known.code).expect("code");
    let landing = app
        .get(&format!("/q/{}?k={}", known.code, keyring.sign(&code)))
        .await;
    assert_eq!(landing.status().as_u16(), 200);
    let html = landing.text().await.expect("html");
    assert!(
        html.contains("id=\"timeline-title\""),
        "the detailed view, with its timeline"
    );
}

#[tokio::test]
async fn the_submitter_is_texted_the_private_tracking_link() {
    let app = crate::intake_support::spawn_intake_app_with(|s| {
        s.sms.notify_status_changes = Some(true);
    })
    .await;
    let (status, created) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    assert_eq!(status, 201, "{created}");
    let code = created["tracking_code"].as_str().expect("code");
    let token = created["tracking_token"].as_str().expect("token");
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT recipient, body FROM sms_outbox WHERE kind = 'received'",
            &[],
        )
        .await
        .expect("one receipt SMS queued");
    let (recipient, body): (String, String) = (row.get(0), row.get(1));
    assert_eq!(recipient, "+84987654321");
    assert!(
        body.contains(&format!("theo-doi?ma={code}&k={token}")),
        "{body}"
    );
}

/// `count` numbers with valid check digits that no dossier has.
async fn unknown_numbers(app: &TestApp, count: usize) -> Vec<String> {
    let client = app.db.client().await;
    let mut found = Vec::new();
    for seq in 900_000_000u64.. {
        let candidate = tracuu::domain::LookupNumber::from_sequence(seq);
        let value = i64::try_from(candidate.value()).expect("fits");
        let taken: i64 = client
            .query_one(
                "SELECT count(*) FROM dossiers WHERE lookup_number = $1",
                &[&value],
            )
            .await
            .expect("count")
            .get(0);
        if taken == 0 {
            found.push(format!("{value:010}"));
            if found.len() == count {
                return found;
            }
        }
    }
    unreachable!()
}

#[tokio::test]
async fn the_ivr_spends_the_callers_address_budgets_whatever_caller_it_claims() {
    // Arrange: the IVR platform is 127.0.0.1; the attacker calls the JSON flow from 127.0.0.9.
    let app = spawn_app_with(|s| {
        s.hotline.platform_addresses = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
        s.hotline.ivr_requests_per_minute = 10_000;
        s.hotline.ivr_burst = 10_000;
        s.rate_limit.lookups_per_minute = 1;
        s.rate_limit.lookups_burst = 1_000;
        s.rate_limit.not_found_per_minute = 1;
        s.rate_limit.not_found_burst = 3;
    })
    .await;
    let known = app.known(9).await;
    let unknown = unknown_numbers(&app, 6).await;
    let attacker = client_from(9);

    // Act: six unknown numbers, then a real one, each under a caller id never seen before.
    let mut steps = Vec::new();
    for (i, digits) in unknown
        .iter()
        .chain(std::iter::once(&format!("{:010}", known.lookup_number)))
        .enumerate()
    {
        let path = format!("/ivr/api/status?attempt=1&digits={digits}&caller=09120000{i:02}");
        let (status, body) = get_json_from(&attacker, &app, &path).await;
        steps.push((status, body["step"].as_str().unwrap_or("").to_owned()));
    }
    // The platform's own caller is not affected.
    let (status, platform) = app
        .get_json(&format!(
            "/ivr/api/status?attempt=1&digits={:010}&caller=%2B84912345678",
            known.lookup_number
        ))
        .await;

    // Assert: three not-found answers (asked again), then the address is blocked for every
    // number, the real one included: the IVR tells nothing more about which numbers exist.
    let answered_not_found = steps.iter().filter(|s| s.1 == "ask_number").count();
    assert_eq!(answered_not_found, 3, "{steps:?}");
    assert!(steps[3..].iter().all(|s| s.0 == 429), "{steps:?}");
    assert_eq!(status, 200, "{platform}");
    assert_eq!(platform["step"], "result");
}

#[tokio::test]
async fn the_ivr_limit_counts_an_address_not_the_caller_it_claims() {
    let app = spawn_app_with(|s| {
        s.hotline.platform_addresses = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
        s.hotline.ivr_requests_per_minute = 1;
        s.hotline.ivr_burst = 5;
    })
    .await;
    let attacker = client_from(9);
    let mut statuses = Vec::new();
    for i in 0..12 {
        let path = format!("/ivr/api/menu?caller=09130000{i:02}");
        statuses.push(get_json_from(&attacker, &app, &path).await.0);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // The platform's callers each keep their own budget.
    let (status, _) = app.get_json("/ivr/api/menu?caller=0913999999").await;
    assert_eq!(status, 200);
}

/// Sends the head of a request and `body_start` bytes of its body on a raw connection, then
/// reads what the server answers while the rest of the body is still owed. `None` if the server
/// says nothing within `wait` (it is waiting for the body).
async fn answer_to_partial_request(
    app: &TestApp,
    head: &str,
    body_start: &[u8],
    wait: Duration,
) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body_start).await.expect("body start");
    let mut answer = vec![0u8; 4096];
    match tokio::time::timeout(wait, stream.read(&mut answer)).await {
        Ok(Ok(n)) if n > 0 => Some(String::from_utf8_lossy(&answer[..n]).into_owned()),
        _ => None,
    }
}

fn push_head(content_length: usize, signed: Option<(i64, &str)>) -> String {
    let mut head = format!(
        "POST /sync/v1/dossiers HTTP/1.1\r\nHost: tracuu\r\nContent-Type: application/json\r\nContent-Length: {content_length}\r\n"
    );
    if let Some((timestamp, signature)) = signed {
        head.push_str(&format!(
            "X-Tracuu-Timestamp: {timestamp}\r\nX-Tracuu-Signature: {signature}\r\n"
        ));
    }
    head.push_str("\r\n");
    head
}

#[tokio::test]
async fn unsigned_push_bodies_are_refused_before_they_are_read() {
    let app = spawn_app_with(|s| {
        s.sync.secrets = vec!["push-secret-0123456789".to_owned().into()];
    })
    .await;
    let mib = 1024 * 1024;
    // No signature headers: refused on the head alone, while 31 MiB of body are still owed.
    let answer = answer_to_partial_request(
        &app,
        &push_head(32 * mib - 1, None),
        b"[{\"a\":",
        Duration::from_secs(15),
    )
    .await
    .expect("an answer before the body");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("signature_missing"), "{answer}");
    // A timestamp outside the window: the same.
    let stale = (chrono::Utc::now() - chrono::Duration::hours(1)).timestamp();
    let signature = format!("sha256={}", "ab".repeat(32));
    let answer = answer_to_partial_request(
        &app,
        &push_head(mib, Some((stale, &signature))),
        b"[",
        Duration::from_secs(15),
    )
    .await
    .expect("an answer before the body");
    assert!(answer.contains("signature_expired"), "{answer}");
    // A declared length over the limit: 413 before reading.
    let now = chrono::Utc::now().timestamp();
    let answer = answer_to_partial_request(
        &app,
        &push_head(64 * mib, Some((now, &signature))),
        b"[",
        Duration::from_secs(15),
    )
    .await
    .expect("an answer before the body");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn only_a_few_unverified_push_bodies_are_read_at_once() {
    let app = spawn_app_with(|s| {
        s.sync.secrets = vec!["push-secret-0123456789".to_owned().into()];
        s.sync.max_unverified_bodies = 2;
        // The trickling bodies must outlast the wait for a turn, not time out first.
        s.http.body_idle_timeout_secs = 60;
        s.http.body_total_timeout_secs = 120;
    })
    .await;
    use tokio::io::AsyncWriteExt;
    // Two well-formed but wrongly signed pushes whose bodies trickle in hold both turns.
    let now = chrono::Utc::now().timestamp();
    let signature = format!("sha256={}", "cd".repeat(32));
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        stream
            .write_all(push_head(1024, Some((now, &signature))).as_bytes())
            .await
            .expect("head");
        stream.write_all(b"[").await.expect("body start");
        holders.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A third waits for a turn and is then told to come back, without its body being read.
    let answer = answer_to_partial_request(
        &app,
        &push_head(1024, Some((now, &signature))),
        b"[",
        Duration::from_secs(30),
    )
    .await
    .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"busy\""), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after"),
        "{answer}"
    );
    drop(holders);
    // With the turns free again, a correctly signed push is applied as before.
    let body = b"[]";
    let signature = tracuu::sync::auth::sign("push-secret-0123456789", now, body);
    let response = reqwest::Client::new()
        .post(format!("{}/sync/v1/dossiers", app.address))
        .header("x-tracuu-timestamp", now.to_string())
        .header("x-tracuu-signature", signature)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("push");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn bodies_that_stall_after_a_few_bytes_are_answered_and_their_connections_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_intake_app_with_body_limits().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // 200 connections each send a head announcing 100 bytes, then 5 bytes, then nothing.
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let address = address.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(&address).await.ok()?;
            let head = "POST /api/v1/questions HTTP/1.1\r\nHost: tracuu\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na";
            stream.write_all(head.as_bytes()).await.ok()?;
            let mut answer = Vec::new();
            // Reads until the server closes the connection; a server that waits for the rest of
            // the body forever never gets here (the safety timeout gives up instead).
            tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
                .await
                .ok()?
                .ok()?;
            Some(String::from_utf8_lossy(&answer).into_owned())
        }));
    }
    let mut closed_with_408 = 0;
    for task in tasks {
        if let Some(answer) = task.await.expect("task") {
            if answer.starts_with("HTTP/1.1 408") && answer.contains("body_timeout") {
                closed_with_408 += 1;
            }
        }
    }
    assert_eq!(closed_with_408, 200);
    // A well-behaved client is served meanwhile and after.
    let (status, _) = post_json(
        &app,
        "/api/v1/questions",
        &crate::intake_support::question(json!({})),
    )
    .await;
    assert_eq!(status, 201);
}

async fn spawn_intake_app_with_body_limits() -> TestApp {
    crate::intake_support::spawn_intake_app_with(|s| {
        s.http.body_idle_timeout_secs = 2;
        s.http.body_total_timeout_secs = 4;
    })
    .await
}

#[tokio::test]
async fn concurrent_unknown_codes_get_at_most_the_not_found_budget() {
    // Arrange: a budget of 10 not-found answers; one worker.
    let app = spawn_app_with(|s| {
        s.rate_limit.not_found_per_minute = 1;
        s.rate_limit.not_found_burst = 10;
    })
    .await;
    let client = client_from(5);
    // Act: 200 unknown codes at once from one address.
    let mut tasks = Vec::new();
    for seq in 0..200 {
        let client = client.clone();
        let url = format!(
            "{}/api/v1/dossiers/000.00.99.H48-200101-{seq:04}",
            app.address
        );
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    // Assert: exactly the budget is answered "not found"; the rest is "wait".
    let not_found = statuses.iter().filter(|s| **s == 404).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    eprintln!("200 concurrent unknown codes: {not_found} × 404, {limited} × 429");
    assert_eq!(not_found, 10);
    assert_eq!(limited, 190);
}

#[tokio::test]
async fn a_well_behaved_client_is_served_while_another_floods() {
    // Arrange: the same limits for both clients; one worker.
    let app = spawn_app_with(|s| {
        s.rate_limit.lookups_per_minute = 600;
        s.rate_limit.lookups_burst = 200;
        s.rate_limit.not_found_per_minute = 10;
        s.rate_limit.not_found_burst = 10;
    })
    .await;
    let known = app.known(4).await;
    let flooded = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    // Act: 32 concurrent loops from 127.0.0.2 send 6,000 lookups of known and unknown codes...
    let mut flood = Vec::new();
    for lane in 0..32usize {
        let client = client_from(2);
        let base = app.address.clone();
        let code = known.code.clone();
        let (flooded, refused) = (Arc::clone(&flooded), Arc::clone(&refused));
        flood.push(tokio::spawn(async move {
            for i in 0..(6_000 / 32) {
                let path = if i % 2 == 0 {
                    code.clone()
                } else {
                    format!("000.00.99.H48-200101-{:04}", (lane * 1000 + i) % 10_000)
                };
                if let Ok(response) = client
                    .get(format!("{base}/api/v1/dossiers/{path}"))
                    .send()
                    .await
                {
                    flooded.fetch_add(1, Ordering::Relaxed);
                    if response.status().as_u16() == 429 {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // ...while 127.0.0.3 looks up its own dossier 100 times.
    let good = client_from(3);
    let mut served = 0;
    for _ in 0..100 {
        let ok = good
            .get(format!("{}/api/v1/dossiers/{}", app.address, known.code))
            .send()
            .await
            .is_ok_and(|r| r.status().as_u16() == 200);
        served += usize::from(ok);
    }
    for lane in flood {
        lane.await.expect("flood lane");
    }
    // Assert
    let (flooded, refused) = (
        flooded.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
    );
    eprintln!(
        "flood: {flooded} requests, {refused} refused with 429; well-behaved client: {served}/100 served"
    );
    assert!(
        refused > flooded / 2,
        "the flood was limited: {refused} of {flooded}"
    );
    assert!(served >= 95, "the well-behaved client got {served}/100");
}

#[tokio::test]
async fn an_oversize_body_announced_with_expect_continue_gets_413_instead_of_an_invitation() {
    let app = crate::intake_support::spawn_intake_app().await;
    let head = |length: usize| {
        format!(
            "POST /api/v1/questions HTTP/1.1\r\nHost: tracuu\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
        )
    };
    // 10 MB announced: refused before a byte of it is sent.
    let answer = answer_to_partial_request(&app, &head(10_000_000), b"", Duration::from_secs(15))
        .await
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    // A body within the limit is invited as before.
    let answer = answer_to_partial_request(&app, &head(200), b"", Duration::from_secs(15))
        .await
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 100 Continue"), "{answer}");
}
