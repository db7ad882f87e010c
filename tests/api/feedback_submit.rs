//! Submitting questions and feedback (JSON API and HTML forms), required fields, limits, routing,
//! tracking by code, and CSRF on the public forms.

use serde_json::json;

use crate::intake_support::*;

#[tokio::test]
async fn feedback_without_name_address_or_phone_is_refused_naming_the_field() {
    // Arrange
    let app = spawn_intake_app().await;
    for field in ["name", "address", "phone"] {
        let mut body = feedback(json!({}));
        body.as_object_mut().expect("object").remove(field);
        // Act
        let (status, answer) = post_json(&app, "/api/v1/feedback", &body).await;
        // Assert
        assert_eq!(status, 400, "{field}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_submission");
        assert_eq!(answer["error"]["field"], field, "{answer}");
        let message = answer["error"]["message"].as_str().expect("message");
        let label = match field {
            "name" => "Họ tên: ",
            "address" => "Địa chỉ: ",
            _ => "Số điện thoại: ",
        };
        assert!(message.starts_with(label), "named by its label: {message}");
        assert!(!message.contains(field), "no internal name: {message}");
    }
    let (status, _) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_question_needs_a_subject_a_body_and_a_way_to_reach_the_asker() {
    let app = spawn_intake_app().await;
    let cases = [
        (json!({"subject": "  "}), "subject"),
        (json!({"body": ""}), "body"),
        (json!({"phone": null, "email": null}), "phone"),
        (
            json!({"phone": null, "public": false, "email": "a@b.vn"}),
            "phone",
        ),
        (json!({"phone": "12345"}), "phone"),
        (json!({"email": "not-an-email"}), "email"),
        (json!({"dossier_code": "not a code"}), "dossier_code"),
        (
            json!({"dossier_code": "000.00.16.H48-200101-0001"}),
            "dossier_code",
        ),
        (json!({"procedure_code": "9.999999"}), "procedure_code"),
        (json!({"agency_code": "000.00.99.H99"}), "agency_code"),
        (json!({"level": "country"}), "level"),
        (json!({"channel": "fax"}), "channel"),
    ];
    for (extra, field) in cases {
        let (status, answer) = post_json(&app, "/api/v1/questions", &question(extra.clone())).await;
        assert_eq!(status, 400, "{extra}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_submission", "{extra}");
        assert_eq!(answer["error"]["field"], field, "{extra}: {answer}");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(
            !message.contains(&format!("({field})")) && !message.starts_with(field),
            "the message names the field by its label: {message}"
        );
    }
    // Unknown fields and broken JSON are refused too.
    let (status, answer) =
        post_json(&app, "/api/v1/questions", &question(json!({"admin": true}))).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid_input"))
    );
    let client = app.db.client().await;
    let count: i64 = client
        .query_one("SELECT count(*) FROM intake_items", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 0, "nothing refused was stored");
}

#[tokio::test]
async fn a_20000_character_body_is_kept_whole_and_one_more_character_is_refused() {
    // Arrange: Vietnamese characters take 3 bytes in UTF-8; limits count characters.
    let app = spawn_intake_app().await;
    let body = "ệ".repeat(20_000);
    // Act
    let (status, answer) =
        post_json(&app, "/api/v1/questions", &question(json!({"body": body}))).await;
    // Assert
    assert_eq!(status, 201, "{answer}");
    let code = answer["tracking_code"].as_str().expect("code");
    let stored: String = app
        .db
        .client()
        .await
        .query_one(
            "SELECT body FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("row")
        .get(0);
    assert_eq!(stored.chars().count(), 20_000);
    let (status, answer) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"body": "ệ".repeat(20_001)})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(answer["error"]["message"]
        .as_str()
        .expect("m")
        .contains("20000"));
    let (status, _) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"subject": "a".repeat(201)})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, answer) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"body": "a".repeat(300_000)})),
    )
    .await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn the_html_form_takes_a_20000_character_body_and_answers_with_the_tracking_code() {
    // Arrange
    let app = spawn_intake_app().await;
    let (cookie, token) = public_csrf(&app, "/gui-cau-hoi").await;
    let body = "ữ".repeat(20_000);
    // Act
    let response = app
        .http
        .post(format!("{}/gui-cau-hoi", app.address))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Phạm Văn Dũng"),
            ("phone", "0905123456"),
            ("subject", "Hỏi về lệ phí"),
            ("body", body.as_str()),
            ("public", "1"),
        ])
        .send()
        .await
        .expect("post");
    // Assert
    assert_eq!(response.status().as_u16(), 201);
    let html = response.text().await.expect("html");
    let code = regex::Regex::new(r"HD\.\d{8}\.\d{4}")
        .expect("re")
        .find(&html)
        .expect("tracking code on the page")
        .as_str()
        .to_owned();
    let (state, _) = stored(&app, &code).await;
    assert_eq!(state, "received");
    // The page gives the private tracking link once, and the link opens the item.
    let link = regex::Regex::new(r#"id="track-link" href="([^"]+)""#)
        .expect("re")
        .captures(&html)
        .expect("the tracking link on the page")[1]
        .replace("&#x3D;", "=")
        .replace("&amp;", "&");
    assert!(
        regex::Regex::new(r"^/theo-doi\?ma=HD\.\d{8}\.\d{4}&k=[0-9A-Z]{11}$")
            .expect("re")
            .is_match(&link),
        "{link}"
    );
    assert!(link.contains(&code), "{link}");
    let page = app.get(&link).await;
    assert_eq!(page.status().as_u16(), 200);
}

#[tokio::test]
async fn a_form_with_a_missing_field_comes_back_with_the_error_and_the_typed_values() {
    let app = spawn_intake_app().await;
    let (cookie, token) = public_csrf(&app, "/gui-phan-anh").await;
    let response = app
        .http
        .post(format!("{}/gui-phan-anh", app.address))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Phạm Văn Dũng"),
            ("phone", "0905123456"),
            ("subject", "Tiêu đề đã gõ"),
            ("body", "Nội dung đã gõ"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("Địa chỉ: bắt buộc"),
        "names the missing field by its label"
    );
    assert!(html.contains("Tiêu đề đã gõ") && html.contains("Nội dung đã gõ"));
}

#[tokio::test]
async fn public_forms_without_the_csrf_token_are_refused_and_store_nothing() {
    let app = spawn_intake_app().await;
    let (cookie, token) = public_csrf(&app, "/gui-cau-hoi").await;
    let fields = |csrf: &'static str| {
        vec![
            ("csrf", csrf),
            ("phone", "0905123456"),
            ("subject", "S"),
            ("body", "B"),
        ]
    };
    // No cookie at all (a cross-site post), then a wrong token with the cookie.
    let no_cookie = app
        .http
        .post(format!("{}/gui-cau-hoi", app.address))
        .form(&fields("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(no_cookie.status().as_u16(), 403);
    assert!(no_cookie
        .text()
        .await
        .expect("html")
        .contains("Biểu mẫu đã hết hạn"));
    let wrong = app
        .http
        .post(format!("{}/gui-cau-hoi", app.address))
        .header("cookie", &cookie)
        .form(&fields(
            "0000000000000000000000000000000000000000000000000000000000000000",
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status().as_u16(), 403);
    assert_ne!(token, "0".repeat(64));
    let count: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM intake_items", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 0);
}

#[tokio::test]
async fn routing_honours_an_explicit_agency_then_the_dossier_then_the_procedure_rule() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency_a, agency_b) = two_agencies(&app).await;
    let dossier = app.known(4).await;
    let client = app.db.client().await;
    let handling: String = client
        .query_one(
            "SELECT handling_agency_code FROM dossiers WHERE code = $1",
            &[&dossier.code],
        )
        .await
        .expect("dossier")
        .get(0);
    let procedure: String = client
        .query_one("SELECT code FROM procedures ORDER BY code LIMIT 1", &[])
        .await
        .expect("procedure")
        .get(0);
    tracuu::db::intake::upsert_route(&client, &procedure, "province", &agency_b)
        .await
        .expect("rule");
    // Act
    let explicit = submit_question(
        &app,
        json!({"agency_code": agency_a, "dossier_code": dossier.code.to_lowercase()}),
    )
    .await;
    let by_dossier = submit_question(&app, json!({"dossier_code": dossier.code})).await;
    let by_procedure = submit_question(
        &app,
        json!({"procedure_code": procedure, "level": "province"}),
    )
    .await;
    let other_level = submit_question(
        &app,
        json!({"procedure_code": procedure, "level": "department"}),
    )
    .await;
    let unrouted = submit_question(&app, json!({})).await;
    // Assert
    assert_eq!(
        stored(&app, &explicit).await,
        ("forwarded".into(), Some(agency_a))
    );
    assert_eq!(
        stored(&app, &by_dossier).await,
        ("forwarded".into(), Some(handling))
    );
    assert_eq!(
        stored(&app, &by_procedure).await,
        ("forwarded".into(), Some(agency_b))
    );
    assert_eq!(stored(&app, &other_level).await, ("received".into(), None));
    assert_eq!(stored(&app, &unrouted).await, ("received".into(), None));
    assert!(unrouted.starts_with("HD."), "{unrouted}");
}

#[tokio::test]
async fn tracking_codes_count_per_kind_and_day() {
    let app = spawn_intake_app().await;
    let first = submit_question(&app, json!({})).await;
    let second = submit_question(&app, json!({})).await;
    let (_, fb) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    let re = regex::Regex::new(r"^HD\.\d{8}\.0001$").expect("re");
    assert!(re.is_match(&first), "{first}");
    assert!(second.ends_with(".0002"), "{second}");
    let fb = fb["tracking_code"].as_str().expect("code");
    assert!(fb.starts_with("PAKN.") && fb.ends_with(".0001"), "{fb}");
}

#[tokio::test]
async fn a_private_item_is_tracked_only_with_the_last_four_phone_digits() {
    // Arrange: feedback is private by default in these tests; phone 0987654321.
    let app = spawn_intake_app().await;
    let (_, created) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    let code = created["tracking_code"].as_str().expect("code");
    // Act
    let (without, body_without) = app.get_json(&format!("/api/v1/intake/{code}")).await;
    let (wrong, body_wrong) = app
        .get_json(&format!("/api/v1/intake/{code}?phone4=1111"))
        .await;
    let (right, body_right) = app
        .get_json(&format!("/api/v1/intake/{code}?phone4=4321"))
        .await;
    // Assert
    assert_eq!(
        (without, body_without["error"]["code"].as_str()),
        (403, Some("phone4_required"))
    );
    assert_eq!(
        (wrong, body_wrong["error"]["code"].as_str()),
        (403, Some("phone4_rejected"))
    );
    assert_eq!(right, 200);
    assert_eq!(body_right["body"], "Quy định này chưa rõ.");
    assert_eq!(body_right["state"]["key"], "received");
    let page = app.get(&format!("/theo-doi?ma={code}&phone4=4321")).await;
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("Quy định này chưa rõ."));
    let page = app.get(&format!("/theo-doi?ma={code}")).await;
    assert_eq!(page.status().as_u16(), 403);
}

/// Found by Schemathesis against the API document: `?k=TOKEN&phone4=4` answered 200, the
/// malformed digits unread beside the token. Digits are checked for their form whenever given;
/// the token still proves the submitter.
#[tokio::test]
async fn malformed_phone_digits_beside_the_tracking_links_token_are_refused() {
    // Arrange: feedback is private by default in these tests.
    let app = spawn_intake_app().await;
    let (status, created) = post_json(&app, "/api/v1/feedback", &feedback(json!({}))).await;
    assert_eq!(status, 201, "{created}");
    let code = created["tracking_code"].as_str().expect("code");
    let token = created["tracking_token"]
        .as_str()
        .expect("a tracking token");

    // Act: GET /api/v1/intake/{code}?k=TOKEN&phone4=4, and the same digits in a withdrawal.
    let (tracked, tracked_body) = app
        .get_json(&format!("/api/v1/intake/{code}?k={token}&phone4=4"))
        .await;
    let (withdrawn, withdrawn_body) = post_json(
        &app,
        &format!("/api/v1/intake/{code}/withdraw"),
        &json!({"k": token, "phone4": "4"}),
    )
    .await;
    let (with_empty_digits, item) = app
        .get_json(&format!("/api/v1/intake/{code}?k={token}&phone4="))
        .await;

    // Assert: 400 invalid_phone4 both times, nothing withdrawn; empty digits are no digits.
    assert_eq!(
        (tracked, tracked_body["error"]["code"].as_str()),
        (400, Some("invalid_phone4")),
        "{tracked_body}"
    );
    assert_eq!(
        (withdrawn, withdrawn_body["error"]["code"].as_str()),
        (400, Some("invalid_phone4")),
        "{withdrawn_body}"
    );
    assert_eq!(with_empty_digits, 200, "{item}");
    assert_eq!(item["proven"], true);
    assert_eq!(item["state"]["key"], "received");
}

#[tokio::test]
async fn the_submitter_can_withdraw_with_the_phone_digits_and_then_nothing_more_happens() {
    let app = spawn_intake_app().await;
    let code = submit_question(&app, json!({})).await;
    let (status, _) = post_json(
        &app,
        &format!("/api/v1/intake/{code}/withdraw"),
        &json!({"phone4": "0000"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = post_json(
        &app,
        &format!("/api/v1/intake/{code}/withdraw"),
        &json!({"phone4": "5678"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"]["key"], "withdrawn");
    let (status, body) = post_json(
        &app,
        &format!("/api/v1/intake/{code}/withdraw"),
        &json!({"phone4": "5678"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
}

#[tokio::test]
async fn a_hotline_operator_enters_a_callers_feedback_with_a_session_and_its_csrf_header() {
    // Arrange
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.1022", "operator", None).await;
    let body = feedback(json!({"channel": "hotline"}));
    let post = |cookie: Option<&str>, token: Option<&str>| {
        let mut request = app
            .http
            .post(format!("{}/api/v1/feedback", app.address))
            .json(&body);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    // Act and assert: a citizen cannot claim the hotline channel; the header is required.
    let anonymous = post(None, None).await.expect("post");
    assert_eq!(anonymous.status().as_u16(), 401);
    let no_token = post(Some(&operator.cookie), None).await.expect("post");
    assert_eq!(no_token.status().as_u16(), 403);
    let entered = post(Some(&operator.cookie), Some(&operator.csrf))
        .await
        .expect("post");
    assert_eq!(entered.status().as_u16(), 201);
    let created: serde_json::Value = entered.json().await.expect("json");
    let code = created["tracking_code"].as_str().expect("code");
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT i.channel, h.actor_kind, h.actor_label FROM intake_items i
               JOIN intake_history h ON h.item_id = i.id WHERE i.tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item");
    let (channel, actor_kind, label): (String, String, String) =
        (row.get(0), row.get(1), row.get(2));
    assert_eq!(
        (channel.as_str(), actor_kind.as_str()),
        ("hotline", "staff")
    );
    assert!(label.contains("Điện thoại viên 1022"), "{label}");
    // An agency officer may not enter calls.
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi", "agency_officer", Some(&agency)).await;
    let refused = post(Some(&officer.cookie), Some(&officer.csrf))
        .await
        .expect("post");
    assert_eq!(refused.status().as_u16(), 403);
}
