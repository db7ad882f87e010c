use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn known_code_returns_the_public_view() {
    // Arrange
    let app = spawn_app().await;
    let known = app.known(4).await;

    // Act
    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["code"], known.code);
    assert_eq!(body["status"]["code"], known.status);
    assert_eq!(body["status"]["label"], "Đang xử lý");
    assert_eq!(body["view"], "public");
    assert_eq!(body["proof"], "none");
    for field in [
        "procedure",
        "receiving_agency",
        "handling_agency",
        "channel",
        "received_at",
        "applicant",
        "freshness",
        "timeliness",
    ] {
        assert!(!body[field].is_null(), "{field} missing from {body}");
    }
    assert!(body["procedure"]["name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    assert!(
        body.get("timeline").is_none(),
        "the public view has no timeline"
    );
    assert_eq!(
        body["lookup_number"],
        format!("{:010}", known.lookup_number)
    );
}

#[tokio::test]
async fn codes_are_parsed_tolerantly_and_answered_in_canonical_form() {
    let app = spawn_app().await;
    let known = app.known(10).await;
    let sloppy_variants = [
        known.code.to_lowercase(),
        format!("  {}  ", known.code.replace('-', " – ")),
        known.code.replace('-', "\u{2013}"),
        known
            .code
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap()
                } else {
                    c
                }
            })
            .collect(),
    ];
    for variant in sloppy_variants {
        let encoded: String = url_encode(&variant);
        let (status, body) = app.get_json(&format!("/api/v1/dossiers/{encoded}")).await;
        assert_eq!(status, 200, "variant {variant:?}: {body}");
        assert_eq!(body["code"], known.code);
    }
}

pub fn url_encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn malformed_codes_get_400_with_a_specific_message_and_hint() {
    let app = spawn_app().await;
    for bad in [
        "hello",
        "000.00.53.H48-221341-0099",
        "000.00.53.H48-220921",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        &"9".repeat(200),
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v1/dossiers/{}", url_encode(bad)))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_dossier_code", "{bad}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(
            body["error"]["hint"]
                .as_str()
                .is_some_and(|h| h.contains("yyMMdd")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn unknown_code_gets_404_in_the_same_error_shape() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_json("/api/v1/dossiers/000.00.99.H48-200101-0001")
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "dossier_not_found");
    // Asked again: answered from the negative cache, same answer.
    let (status, body) = app
        .get_json("/api/v1/dossiers/000.00.99.H48-200101-0001")
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "dossier_not_found");
}

#[tokio::test]
async fn right_phone_digits_unlock_the_detailed_view() {
    let app = spawn_app().await;
    let known = app.known(5).await;
    let last4 = &known.phone[known.phone.len() - 4..];

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={last4}", known.code))
        .await;

    assert_eq!(status, 200);
    assert_eq!(body["view"], "detailed");
    assert_eq!(body["proof"], "accepted");
    let timeline = body["timeline"].as_array().expect("timeline");
    assert!((3..=8).contains(&timeline.len()), "{timeline:?}");
    assert!(
        body["supplement"]["request"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "status 5 says what to supplement: {body}"
    );
    assert!(body["collect_result"]["agency"].is_string());
}

#[tokio::test]
async fn wrong_phone_digits_return_the_public_view_with_a_flag() {
    let app = spawn_app().await;
    let known = app.known(4).await;
    let last4 = &known.phone[known.phone.len() - 4..];
    let wrong = if last4 == "0000" { "1111" } else { "0000" };

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={wrong}", known.code))
        .await;

    assert_eq!(status, 200);
    assert_eq!(body["view"], "public");
    assert_eq!(body["proof"], "rejected");
    assert!(body.get("timeline").is_none());
}

#[tokio::test]
async fn malformed_phone_digits_get_400() {
    let app = spawn_app().await;
    let known = app.known(4).await;
    for bad in ["12", "12345", "abcd", "12%2034"] {
        let (status, body) = app
            .get_json(&format!("/api/v1/dossiers/{}?phone4={bad}", known.code))
            .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "invalid_phone4");
    }
}

#[tokio::test]
async fn repeated_wrong_proofs_lock_the_dossier_even_for_the_right_digits() {
    let app = spawn_app_with(|s| {
        s.rate_limit.proof_failures_per_item_burst = 3;
        s.rate_limit.proof_failures_per_client_per_hour = 1000;
    })
    .await;
    let known = app.known(4).await;
    let last4 = &known.phone[known.phone.len() - 4..];
    let wrong = if last4 == "0000" { "1111" } else { "0000" };

    for _ in 0..4 {
        let (_, body) = app
            .get_json(&format!("/api/v1/dossiers/{}?phone4={wrong}", known.code))
            .await;
        assert_eq!(body["view"], "public");
    }
    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={last4}", known.code))
        .await;

    assert_eq!(status, 200);
    assert_eq!(body["proof"], "locked");
    assert_eq!(body["view"], "public");
    let wait = body["proof_retry_after_secs"]
        .as_u64()
        .expect("the lock says for how long");
    assert!(wait > 0, "{body}");
    // Another dossier is not affected.
    let other = app.known(10).await;
    let other4 = &other.phone[other.phone.len() - 4..];
    let (_, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={other4}", other.code))
        .await;
    assert_eq!(body["proof"], "accepted");
}

#[tokio::test]
async fn unknown_query_parameters_and_methods_get_json_errors() {
    let app = spawn_app().await;
    let known = app.known(2).await;

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?admin=1", known.code))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_input");

    let response = app
        .http
        .post(format!("{}/api/v1/dossiers/{}", app.address, known.code))
        .body("x")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 405);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "method_not_allowed");

    let (status, body) = app.get_json("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "route_not_found");
}

#[tokio::test]
async fn timeliness_follows_the_766_rules() {
    let app = spawn_app().await;
    let client = app.db.client().await;
    // Arrange: one dossier per rule, derived from a known one by changing its dates.
    let base = app.known(10).await;
    let cases: [(&str, &str, &str); 5] = [
        // (suffix of the sequence, SQL SET clause, expected timeliness)
        ("8801", "status = 10, due_at = '2026-03-10 09:00+07', finished_at = '2026-03-09 10:00+07', returned_at = '2026-03-09 15:00+07', supplement_count = 0", "early"),
        ("8802", "status = 10, due_at = '2026-03-10 16:00+07', finished_at = '2026-03-10 08:00+07', returned_at = '2026-03-11 08:00+07', supplement_count = 0", "on_time"),
        ("8803", "status = 9, due_at = '2026-03-10 16:00+07', finished_at = '2026-03-12 08:00+07', returned_at = NULL, supplement_count = 0", "late"),
        ("8804", "status = 10, due_at = '2026-03-10 16:00+07', finished_at = '2026-03-12 08:00+07', returned_at = '2026-03-12 09:00+07', supplement_count = 1, supplement_seconds = 3 * 86400", "early"),
        ("8805", "status = 10, due_at = '2026-03-10 16:00+07', finished_at = '2026-03-05 08:00+07', returned_at = '2026-03-05 09:00+07', supplement_count = 2, supplement_seconds = 3600", "late"),
    ];
    for (suffix, set, _) in &cases {
        let code = format!("{}{suffix}", &base.code[..base.code.len() - 4]);
        client
            .execute(
                "INSERT INTO dossiers (code, procedure_code, receiving_agency_code, handling_agency_code,
                    channel, status, applicant_name, applicant_phone, received_at, version)
                 SELECT $1, procedure_code, receiving_agency_code, handling_agency_code, channel, 2,
                    applicant_name, applicant_phone, '2026-03-02 08:00+07', 1
                   FROM dossiers WHERE code = $2",
                &[&code, &base.code],
            )
            .await
            .expect("insert case");
        client
            .execute(
                &format!("UPDATE dossiers SET {set} WHERE code = $1"),
                &[&code],
            )
            .await
            .expect("update case");
    }
    // An open dossier past its due date, and one still in time.
    let open_cases = [
        ("8806", "status = 4, due_at = now() - interval '1 day', finished_at = NULL, returned_at = NULL", "in_progress_overdue"),
        ("8807", "status = 4, due_at = now() + interval '3 days', finished_at = NULL, returned_at = NULL", "in_progress_on_time"),
    ];
    for (suffix, set, _) in &open_cases {
        let code = format!("{}{suffix}", &base.code[..base.code.len() - 4]);
        client
            .execute(
                "INSERT INTO dossiers (code, procedure_code, receiving_agency_code, handling_agency_code,
                    channel, status, applicant_name, received_at, version)
                 SELECT $1, procedure_code, receiving_agency_code, handling_agency_code, channel, 2,
                    applicant_name, now() - interval '10 days', 1 FROM dossiers WHERE code = $2",
                &[&code, &base.code],
            )
            .await
            .expect("insert open case");
        client
            .execute(
                &format!("UPDATE dossiers SET {set} WHERE code = $1"),
                &[&code],
            )
            .await
            .expect("update open case");
    }

    for (suffix, _, expected) in cases.iter().chain(open_cases.iter()) {
        let code = format!("{}{suffix}", &base.code[..base.code.len() - 4]);
        let (status, body) = app.get_json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(status, 200, "{code}: {body}");
        assert_eq!(body["timeliness"]["key"], *expected, "{code}: {body}");
    }
}

#[tokio::test]
async fn concurrent_uncached_lookups_each_get_their_own_dossier() {
    // Arrange: every lookup reads PostgreSQL; concurrent ones are read in shared batches.
    let app = crate::helpers::spawn_app_with(|s| {
        s.cache.enabled = false;
        s.http.workers = 2;
    })
    .await;
    let codes: Vec<String> = app
        .db
        .client()
        .await
        .query("SELECT code FROM dossiers ORDER BY code LIMIT 40", &[])
        .await
        .expect("codes")
        .iter()
        .map(|row| row.get(0))
        .collect();
    // Each code twice (the same code in one batch), plus a well-formed code that does not exist.
    let mut asked: Vec<String> = codes.iter().chain(codes.iter()).cloned().collect();
    asked.push("000.00.16.H48-990101-9999".into());

    // Act
    let paths: Vec<String> = asked
        .iter()
        .map(|code| format!("/api/v1/dossiers/{code}"))
        .collect();
    let answers = futures_util::future::join_all(paths.iter().map(|path| app.get_json(path))).await;

    // Assert
    for (code, (status, body)) in asked.iter().zip(&answers) {
        if codes.contains(code) {
            assert_eq!(*status, 200, "{code}: {body}");
            assert_eq!(body["code"], code.as_str());
            assert_eq!(body["served_from"], "database");
        } else {
            assert_eq!(*status, 404, "{code}: {body}");
        }
    }
}
