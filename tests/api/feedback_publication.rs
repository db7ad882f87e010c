//! Publication: personal data masked (and shown to the officer first), the public list and search
//! that ignore diacritics and case, helpfulness votes with their limits, and the indicators.

use serde_json::json;

use crate::helpers::TestApp;
use crate::intake_support::*;

/// Submits, answers and publishes a public question routed to `agency`; returns its code.
async fn published(
    app: &TestApp,
    officer: &Staff,
    agency: &str,
    subject: &str,
    body: &str,
    answer: &str,
) -> String {
    let code = submit_question(
        app,
        json!({"agency_code": agency, "subject": subject, "body": body}),
    )
    .await;
    assert_eq!(
        officer.act(app, &code, "answer", &[("text", answer)]).await,
        303
    );
    assert_eq!(officer.act(app, &code, "publish", &[]).await, 303);
    code
}

#[tokio::test]
async fn personal_data_is_masked_before_publication_and_the_officer_sees_what_was_masked() {
    // Arrange: the submitter is "Trần Thị Bình" (see intake_support::question).
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = submit_question(
        &app,
        json!({
            "agency_code": agency,
            "subject": "Câu hỏi của Trần Thị Bình",
            "body": "Tôi là Trần Thị Bình, CCCD 051234567890, gọi 0912.345.678 hoặc tt.binh@example.vn.",
        }),
    )
    .await;
    assert_eq!(
        officer
            .act(
                &app,
                &code,
                "answer",
                &[("text", "Chị trần thị bình liên hệ 0255 3822 111 nhé.")]
            )
            .await,
        303
    );
    // Act: the preview, then publication.
    let preview = officer
        .get(&app, &format!("/can-bo/muc/{code}"))
        .await
        .text()
        .await
        .expect("html");
    assert_eq!(officer.act(&app, &code, "publish", &[]).await, 303);
    let (_, public) = app.get_json(&format!("/api/v1/published/{code}")).await;
    // Assert
    assert!(preview.contains("Xem trước nội dung công khai"));
    for original in ["051234567890", "0912.345.678", "tt.binh@example.vn"] {
        assert!(
            preview.contains(&format!("<del>{original}</del>")),
            "preview lists {original}"
        );
    }
    let text = format!(
        "{} {} {}",
        public["subject"], public["question"], public["answer"]
    );
    for leaked in [
        "051234567890",
        "0912.345.678",
        "345.678",
        "example.vn",
        "Bình",
        "bình",
        "3822 111",
    ] {
        assert!(!text.contains(leaked), "{leaked} leaked: {text}");
    }
    assert!(
        text.contains("[họ tên]")
            && text.contains("[số giấy tờ]")
            && text.contains("[số điện thoại]")
            && text.contains("[email]")
    );
    let masked: serde_json::Value = app
        .db
        .client()
        .await
        .query_one(
            "SELECT masked FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item")
        .get(0);
    assert!(masked.as_array().expect("list").len() >= 6, "{masked}");
}

#[tokio::test]
async fn search_finds_published_answers_with_or_without_diacritics_and_in_any_case() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let permit = published(
        &app,
        &officer,
        &agency,
        "Giấy phép xây dựng nhà ở riêng lẻ",
        "Hồ sơ gồm gì?",
        "Đơn đề nghị và bản vẽ.",
    )
    .await;
    let road = published(
        &app,
        &officer,
        &agency,
        "Đường giao thông nông thôn",
        "Ai quản lý?",
        "UBND xã.",
    )
    .await;
    let unpublished =
        submit_question(&app, json!({"subject": "Giấy phép xây dựng chưa trả lời"})).await;
    // Act and assert
    for q in [
        "giay phep xay dung",
        "Giấy phép xây dựng",
        "GIẤY PHÉP",
        "GIAY  phep",
        "xây giấy",
        "ban ve",
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v1/published?q={}", urlencode(q)))
            .await;
        assert_eq!(status, 200);
        let codes: Vec<&str> = body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["tracking_code"].as_str())
            .collect();
        assert_eq!(codes, [permit.as_str()], "query {q}");
    }
    let (_, body) = app.get_json("/api/v1/published?q=duong").await;
    assert_eq!(body["items"][0]["tracking_code"], road.as_str());
    let (_, body) = app.get_json("/api/v1/published?q=%25").await;
    assert_eq!(
        body["items"].as_array().expect("items").len(),
        0,
        "% is a character, not a wildcard"
    );
    let (_, body) = app.get_json("/api/v1/published").await;
    assert_eq!(body["items"].as_array().expect("items").len(), 2);
    assert!(!body.to_string().contains(&unpublished));
    let html = app
        .get("/hoi-dap?q=giay+phep")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("Giấy phép xây dựng nhà ở riêng lẻ") && !html.contains("Đường giao thông")
    );
    let (status, body) = app.get_json("/api/v1/published?kind=other").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_input"))
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn each_device_or_phone_votes_once_per_answer() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = published(&app, &officer, &agency, "Lệ phí", "Bao nhiêu?", "Miễn phí.").await;
    let path = format!("/api/v1/published/{code}/votes");
    // Act and assert
    let (status, body) = post_json(
        &app,
        &path,
        &json!({"helpful": true, "device_id": "kiosk-0001"}),
    )
    .await;
    assert_eq!((status, body["helpful"].as_i64()), (200, Some(1)));
    let (status, body) = post_json(
        &app,
        &path,
        &json!({"helpful": false, "device_id": "kiosk-0001"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("already_voted"))
    );
    let (status, _) = post_json(
        &app,
        &path,
        &json!({"helpful": false, "phone": "0912345678"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post_json(
        &app,
        &path,
        &json!({"helpful": true, "phone": "+84 912 345 678"}),
    )
    .await;
    assert_eq!(status, 409, "the same phone written differently");
    let (status, body) = post_json(&app, &path, &json!({"helpful": true})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_submission"))
    );
    let (_, item) = app.get_json(&format!("/api/v1/published/{code}")).await;
    assert_eq!(item["votes"], json!({"helpful": 1, "unhelpful": 1}));
    // Unpublished items take no votes.
    let other = submit_question(&app, json!({})).await;
    let (status, _) = post_json(
        &app,
        &format!("/api/v1/published/{other}/votes"),
        &json!({"helpful": true, "device_id": "kiosk-0002"}),
    )
    .await;
    assert_eq!(status, 404);
    // The HTML page votes with the browser's device cookie and CSRF token.
    let page = app.get(&format!("/hoi-dap/{code}")).await;
    let device = set_cookie(&page, "tracuu_device").expect("device cookie");
    let csrf_cookie = set_cookie(&page, "tracuu_csrf").expect("csrf cookie");
    let token = csrf_in(&page.text().await.expect("html")).expect("token");
    let vote = |helpful: &'static str| {
        app.http
            .post(format!("{}/hoi-dap/{code}/danh-gia", app.address))
            .header("cookie", format!("{device}; {csrf_cookie}"))
            .form(&[("csrf", token.as_str()), ("helpful", helpful)])
            .send()
    };
    assert_eq!(vote("1").await.expect("vote").status().as_u16(), 200);
    let again = vote("0").await.expect("vote");
    assert_eq!(again.status().as_u16(), 409);
    assert!(again.text().await.expect("html").contains("đã đánh giá"));
}

#[tokio::test]
async fn votes_are_rate_limited_per_client() {
    let app = spawn_intake_app_with(|s| s.intake.votes_per_hour = 2).await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = published(&app, &officer, &agency, "Hỏi", "Hỏi", "Đáp").await;
    let path = format!("/api/v1/published/{code}/votes");
    for device in ["device-0001", "device-0002"] {
        let (status, _) =
            post_json(&app, &path, &json!({"helpful": true, "device_id": device})).await;
        assert_eq!(status, 200);
    }
    let (status, body) = post_json(
        &app,
        &path,
        &json!({"helpful": true, "device_id": "device-0003"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert!(body["error"]["retry_after_seconds"].as_u64().is_some());
}

#[tokio::test]
async fn submissions_are_rate_limited_per_client() {
    let app = spawn_intake_app_with(|s| s.intake.submissions_per_hour = 2).await;
    for _ in 0..2 {
        submit_question(&app, json!({})).await;
    }
    let (status, body) = post_json(&app, "/api/v1/questions", &question(json!({}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    // The message speaks of sending, not of looking dossiers up.
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("gửi quá nhiều"), "{message}");
    assert!(!message.contains("tra cứu"), "{message}");
}

#[tokio::test]
async fn indicators_count_by_type_and_agency_with_on_time_and_satisfaction_figures() {
    // Arrange: two questions and three feedbacks at one agency; one answered and disliked, one
    // classified as about an official's conduct.
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    submit_question(&app, json!({"agency_code": agency})).await;
    submit_question(&app, json!({})).await;
    let (_, fb1) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"agency_code": agency, "public": true})),
    )
    .await;
    let fb1 = fb1["tracking_code"].as_str().expect("code").to_owned();
    post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"agency_code": agency})),
    )
    .await;
    assert_eq!(
        officer
            .act(&app, &fb1, "answer", &[("text", "Đã tiếp thu.")])
            .await,
        303
    );
    assert_eq!(officer.act(&app, &fb1, "publish", &[]).await, 303);
    post_json(
        &app,
        &format!("/api/v1/published/{fb1}/votes"),
        &json!({"helpful": false, "device_id": "device-0001"}),
    )
    .await;
    // A third, about an official's conduct, classified by the desk head when forwarding.
    let (_, fb3) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"phone": "0901111222", "subject": "Thái độ cán bộ"})),
    )
    .await;
    let fb3 = fb3["tracking_code"].as_str().expect("code").to_owned();
    let desk = staff_session(&app, "truong.motcua", "desk_head", None).await;
    let bad = [("agency_code", agency.as_str()), ("topic", "bogus")];
    assert_eq!(desk.act(&app, &fb3, "forward", &bad).await, 400);
    let good = [("agency_code", agency.as_str()), ("topic", "conduct")];
    assert_eq!(desk.act(&app, &fb3, "forward", &good).await, 303);
    // Act
    let (status, view) = app.get_json("/api/v1/intake-indicators").await;
    // Assert
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["question"]["total"], 2);
    assert_eq!(view["feedback"]["total"], 3);
    assert_eq!(
        view["feedback_by_topic"],
        json!({"rules": 0, "conduct": 1, "unclassified": 2})
    );
    assert_eq!(view["feedback"]["handled"], 1);
    assert_eq!(view["feedback"]["handled_on_time_percent"], 100.0);
    let at_agency = view["by_agency"]
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["agency"]["code"] == agency.as_str())
        .expect("the agency");
    assert_eq!(at_agency["question"]["total"], 1);
    assert_eq!(at_agency["feedback"]["total"], 3);
    let s = &view["feedback_satisfaction"];
    assert_eq!(
        (s["total"].as_i64(), s["disliked"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        s["repeated"], 1,
        "the same phone sent the same subject twice"
    );
    assert_eq!(
        s["percent"], 33.3,
        "(3 − 1 disliked − 0 overdue − 1 repeated) / 3"
    );
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y-%m-%d");
    let (status, one_day) = app
        .get_json(&format!(
            "/api/v1/intake-indicators?from={today}&to={today}"
        ))
        .await;
    assert_eq!(status, 200, "{one_day}");
    assert_eq!(
        (
            one_day["question"]["total"].as_i64(),
            one_day["feedback"]["total"].as_i64()
        ),
        (Some(2), Some(3)),
        "from and to both included: one day is a period"
    );
    let (status, body) = app
        .get_json("/api/v1/intake-indicators?from=2026-13-01")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_input"))
    );
}

#[tokio::test]
async fn the_public_list_pages_keep_the_search_in_their_links() {
    let app = spawn_intake_app_with(|s| s.intake.page_size = 1).await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let older = published(
        &app,
        &officer,
        &agency,
        "Đăng ký & khai sinh 1",
        "Hỏi",
        "Đáp",
    )
    .await;
    let newer = published(
        &app,
        &officer,
        &agency,
        "Đăng ký & khai sinh 2",
        "Hỏi",
        "Đáp",
    )
    .await;
    let first = app
        .get("/hoi-dap?q=khai+sinh+%26")
        .await
        .text()
        .await
        .expect("html");
    assert!(first.contains(&newer) && !first.contains(&older));
    // Handlebars escapes '=' as "&#x3D;" in attributes; browsers read it back.
    let next = first.replace("&#x3D;", "=").replace("&amp;", "&");
    assert!(
        next.contains(r#"href="/hoi-dap?q=khai+sinh+%26&loai=&trang=2""#),
        "{first}"
    );
    let second = app
        .get("/hoi-dap?q=khai+sinh+%26&trang=2")
        .await
        .text()
        .await
        .expect("html");
    assert!(second.contains(&older) && !second.contains(&newer));
    let (_, body) = app.get_json("/api/v1/published?q=khai%20sinh&page=2").await;
    assert_eq!(body["items"][0]["tracking_code"], older.as_str());
    let garbage = app.get("/hoi-dap?trang=abc").await;
    assert_eq!(garbage.status().as_u16(), 200);
}

#[tokio::test]
async fn a_broken_intake_schema_gives_an_opaque_internal_error() {
    let app = spawn_intake_app().await;
    app.db
        .client()
        .await
        .batch_execute(
            "DROP TABLE intake_votes; DROP TABLE intake_history; DROP TABLE intake_items CASCADE",
        )
        .await
        .expect("sabotage");
    let (status, body) = post_json(&app, "/api/v1/questions", &question(json!({}))).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "internal");
    assert!(!body.to_string().contains("intake_items"), "{body}");
    let page = app.get("/hoi-dap").await;
    assert_eq!(page.status().as_u16(), 500);
    assert!(!page.text().await.expect("html").contains("relation"));
}
