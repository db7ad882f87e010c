//! Answers reach the asker (issue 21): when a question or feedback item is answered, public or
//! private, the submitter who gave a phone gets one SMS through the outbox with the tracking code
//! and where to read the answer, never the answer; answering, publishing later, publishing again
//! and a retried request queue nothing more. A submitter who gave only an e-mail is told at
//! submission to check the tracking page.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::intake_support::*;

/// The messages about item `code` other than its receipt: `(kind, recipient, body)`.
async fn answer_messages(app: &TestApp, code: &str) -> Vec<(String, String, String)> {
    app.db
        .client()
        .await
        .query(
            "SELECT kind, recipient, body FROM sms_outbox
             WHERE position($1 in body) > 0 AND kind <> 'received' ORDER BY id",
            &[&code],
        )
        .await
        .expect("outbox")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// Forwards `code` to `agency` and answers it with `answer`.
async fn forward_and_answer(app: &TestApp, desk: &Staff, code: &str, agency: &str, answer: &str) {
    assert_eq!(
        desk.act(app, code, "forward", &[("agency_code", agency)])
            .await,
        303
    );
    assert_eq!(
        desk.act(app, code, "answer", &[("text", answer)]).await,
        303
    );
}

/// The answer SMS of `code`: exactly one, of kind `answered`, to the phone given, pointing at
/// the item's private tracking link, without the answer (whose `marker` it never carries).
fn assert_one_answered_notice(messages: &[(String, String, String)], code: &str, marker: &str) {
    assert_eq!(messages.len(), 1, "queued once: {messages:?}");
    let (kind, recipient, body) = &messages[0];
    assert_eq!(kind, "answered");
    assert_eq!(recipient, "+84912345678");
    assert!(body.contains(code), "{body}");
    assert!(body.contains("da co tra loi"), "{body}");
    assert!(body.contains(&format!("/theo-doi?ma={code}&k=")), "{body}");
    assert!(body.is_ascii(), "GSM-7: {body}");
    assert!(!body.contains(marker), "no content of the answer: {body}");
}

#[tokio::test]
async fn a_private_items_answer_texts_the_submitter_once() {
    // Arrange: SMS notifications on; a private question (the form's default) with a phone.
    let app = spawn_intake_app_with(|s| s.sms.notify_status_changes = Some(true)).await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.rieng", "desk_head", None).await;
    let code = submit_question(&app, json!({"public": false})).await;
    let answer = "Mang bản gốc mẫu XK-4711";

    // Act: answer, then the browser retries the same post.
    forward_and_answer(&app, &desk, &code, &agency, answer).await;
    let retried = desk.act(&app, &code, "answer", &[("text", answer)]).await;

    // Assert
    assert_eq!(retried, 409, "answering again is refused");
    assert_one_answered_notice(&answer_messages(&app, &code).await, &code, "XK-4711");
    // The link's token in the message opens the answer.
    let messages = answer_messages(&app, &code).await;
    let body = &messages[0].2;
    let token: String = body[body.find("&k=").expect("token") + 3..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let (status, view) = app
        .get_json(&format!("/api/v1/intake/{code}?k={token}"))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["answer"], answer);
}

#[tokio::test]
async fn a_public_items_answer_texts_the_submitter_once_and_publishing_adds_nothing() {
    // Arrange
    let app = spawn_intake_app_with(|s| s.sms.notify_status_changes = Some(true)).await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.congkhai", "desk_head", None).await;
    let code = submit_question(&app, json!({"public": true})).await;
    let answer = "Nộp mẫu XK-4712 tại Trung tâm";

    // Act: answer; publish, take back, publish again.
    forward_and_answer(&app, &desk, &code, &agency, answer).await;
    let after_answer = answer_messages(&app, &code).await;
    for action in ["publish", "unpublish", "publish"] {
        assert_eq!(desk.act(&app, &code, action, &[]).await, 303, "{action}");
    }

    // Assert: the message was queued when it was answered, and it stays the only one.
    assert_one_answered_notice(&after_answer, &code, "XK-4712");
    assert_eq!(answer_messages(&app, &code).await, after_answer);
}

#[tokio::test]
async fn feedback_answered_texts_its_sender_and_an_item_answered_before_is_texted_on_publishing() {
    // Arrange
    let app = spawn_intake_app_with(|s| s.sms.notify_status_changes = Some(true)).await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.pakn", "desk_head", None).await;
    let (status, created) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"phone": "0912 345 678", "public": true})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let code = created["tracking_code"].as_str().expect("code").to_owned();

    // Act: answered; then, as for an item answered before answers were texted, its notice is
    // taken out of the outbox before publishing.
    forward_and_answer(&app, &desk, &code, &agency, "Đã chấn chỉnh").await;
    let answered = answer_messages(&app, &code).await;
    app.db
        .client()
        .await
        .execute(
            "DELETE FROM sms_outbox WHERE dedupe_key = $1",
            &[&format!("answer_published:{code}")],
        )
        .await
        .expect("outbox row removed");
    assert_eq!(desk.act(&app, &code, "publish", &[]).await, 303);

    // Assert
    assert_eq!(answered.len(), 1, "{answered:?}");
    assert!(answered[0].2.starts_with("Phan anh "), "{answered:?}");
    let published = answer_messages(&app, &code).await;
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0].0, "answer_published");
    assert!(
        published[0].2.contains(&format!("/hoi-dap/{code}")),
        "{published:?}"
    );
}

#[tokio::test]
async fn a_submitter_without_a_phone_is_told_to_check_the_tracking_page() {
    // Arrange
    let app = spawn_intake_app_with(|s| s.sms.notify_status_changes = Some(true)).await;
    let email_only = question(json!({"email": "binh@example.vn", "public": true}));
    let mut email_only = email_only.as_object().expect("object").clone();
    email_only.remove("phone");

    // Act
    let (status, created) = post_json(&app, "/api/v1/questions", &Value::Object(email_only)).await;
    let (_, with_phone) = post_json(&app, "/api/v1/questions", &question(json!({}))).await;
    let (cookie, token) = public_csrf(&app, "/gui-cau-hoi").await;
    let page = app
        .http
        .post(format!("{}/gui-cau-hoi", app.address))
        .header("cookie", cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("email", "binh@example.vn"),
            ("subject", "Hỏi lệ phí"),
            ("body", "Lệ phí bao nhiêu?"),
            ("public", "1"),
        ])
        .send()
        .await
        .expect("form");

    // Assert: JSON
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["answer_notice"]["by"], "tracking_page");
    let message = created["answer_notice"]["message"]
        .as_str()
        .expect("message");
    assert!(message.contains("không gửi thư điện tử"), "{message}");
    assert!(message.contains("đường dẫn theo dõi riêng"), "{message}");
    assert_eq!(with_phone["answer_notice"]["by"], "sms", "{with_phone}");
    // The submitted page says the same.
    assert_eq!(page.status().as_u16(), 201);
    let html = page.text().await.expect("html");
    assert!(html.contains("không gửi thư điện tử"), "{html}");
    assert!(html.contains("trang theo dõi"), "{html}");

    // And the tracking link given at submission shows the answer as soon as it is given, before
    // any publication; nothing is queued for a submitter without a phone.
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.thu", "desk_head", None).await;
    let code = created["tracking_code"].as_str().expect("code");
    forward_and_answer(&app, &desk, code, &agency, "Lệ phí 50.000 đồng.").await;
    let token = created["tracking_token"].as_str().expect("token");
    let (status, view) = app
        .get_json(&format!("/api/v1/intake/{code}?k={token}"))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["answer"], "Lệ phí 50.000 đồng.");
    assert!(answer_messages(&app, code).await.is_empty());
}
