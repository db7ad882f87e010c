//! The desk head's work on one item beyond the state machine (issue 21): the topic of any item
//! set without moving it, feeding indicator 5.1 of Decision 766; and the item page audited
//! every time it shows the submitter's details, the page shown after a refused action included.

use serde_json::json;

use crate::helpers::TestApp;
use crate::intake_support::*;

/// The audit entries of item views of `code`.
async fn item_views(app: &TestApp, code: &str) -> i64 {
    app.db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action = 'intake_item_view' AND subject = $1",
            &[&code],
        )
        .await
        .expect("audit rows")
        .get(0)
}

#[tokio::test]
async fn the_item_page_shown_after_a_refused_action_is_audited_like_a_view() {
    // Arrange: an answered item; answering again is refused (409) with the page, which shows
    // the submitter's phone.
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.audit", "desk_head", None).await;
    let code = submit_question(&app, json!({})).await;
    assert_eq!(
        desk.act(&app, &code, "forward", &[("agency_code", &agency)])
            .await,
        303
    );
    assert_eq!(
        desk.act(&app, &code, "answer", &[("text", "Trả lời.")])
            .await,
        303
    );
    let before = item_views(&app, &code).await;

    // Act
    let refused = desk
        .post(
            &app,
            &format!("/can-bo/muc/{code}/answer"),
            &[("text", "Trả lời lần nữa.")],
        )
        .await;

    // Assert: the refusal shows the submitter's details, and says who saw them.
    assert_eq!(refused.status().as_u16(), 409);
    let html = refused.text().await.expect("html");
    assert!(html.contains("+84912345678"), "the page shows the phone");
    assert_eq!(item_views(&app, &code).await, before + 1, "audited");

    // A plain view is audited as before.
    let page = desk.get(&app, &format!("/can-bo/muc/{code}")).await;
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(item_views(&app, &code).await, before + 2);
}
