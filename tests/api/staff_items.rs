//! The desk head's work on one item beyond the state machine (issue 21): the topic of any item
//! set without moving it, feeding indicator 5.1 of Decision 766; and the item page audited
//! every time it shows the submitter's details, the page shown after a refused action included.

use serde_json::{json, Value};

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

/// Feedback by topic in today's indicators.
async fn by_topic(app: &TestApp) -> Value {
    let (status, view) = app.get_json("/api/v1/intake-indicators").await;
    assert_eq!(status, 200, "{view}");
    view["feedback_by_topic"].clone()
}

/// The stored state, agency, topic and routing reason of an item.
async fn where_is(app: &TestApp, code: &str) -> (String, Option<String>, Option<String>, String) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT state, agency_code, topic, routed_by FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item");
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

#[tokio::test]
async fn the_desk_head_classifies_auto_routed_feedback_in_place_and_indicator_5_1_counts_it() {
    // Arrange: feedback routed at submission to the agency its sender chose; forwarding it to
    // that agency again is refused, so the forward form cannot classify it.
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.topic", "desk_head", None).await;
    let officer = staff_session(&app, "can.bo.topic", "agency_officer", Some(&agency)).await;
    let (status, created) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"agency_code": agency})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let code = created["tracking_code"].as_str().expect("code").to_owned();
    let routed = where_is(&app, &code).await;
    assert_eq!(
        (routed.0.as_str(), routed.2.as_deref(), routed.3.as_str()),
        ("forwarded", None, "explicit")
    );
    let before = by_topic(&app).await;
    let same_agency = [("agency_code", agency.as_str()), ("topic", "rules")];
    assert_eq!(desk.act(&app, &code, "forward", &same_agency).await, 400);
    let page = desk.get(&app, &format!("/can-bo/muc/{code}")).await;
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!("/can-bo/muc/{code}/classify")),
        "the form"
    );

    // Act: classify, then change the classification after the agency started.
    let classified = desk
        .act(&app, &code, "classify", &[("topic", "rules")])
        .await;
    let after_rules = by_topic(&app).await;
    assert_eq!(officer.act(&app, &code, "start", &[]).await, 303);
    let reclassified = desk
        .act(&app, &code, "classify", &[("topic", "conduct")])
        .await;

    // Assert: nothing moved; the indicator follows the topic.
    assert_eq!((classified, reclassified), (303, 303));
    assert_eq!(
        where_is(&app, &code).await,
        (
            "in_progress".to_owned(),
            Some(agency.clone()),
            Some("conduct".to_owned()),
            "explicit".to_owned()
        )
    );
    let count = |v: &Value, k: &str| v[k].as_i64().expect("count");
    assert_eq!(count(&after_rules, "rules"), count(&before, "rules") + 1);
    assert_eq!(
        count(&after_rules, "unclassified"),
        count(&before, "unclassified") - 1
    );
    let after = by_topic(&app).await;
    assert_eq!(count(&after, "rules"), count(&before, "rules"));
    assert_eq!(count(&after, "conduct"), count(&before, "conduct") + 1);
    let notes: Vec<(String, String, Option<String>)> = app
        .db
        .client()
        .await
        .query(
            "SELECT h.from_state, h.to_state, h.note FROM intake_history h
               JOIN intake_items i ON i.id = h.item_id
              WHERE i.tracking_code = $1 AND h.action = 'classify' ORDER BY h.id",
            &[&code],
        )
        .await
        .expect("history")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        notes,
        [
            (
                "forwarded".to_owned(),
                "forwarded".to_owned(),
                Some("Phân loại: Quy định, chính sách, thủ tục hành chính".to_owned())
            ),
            (
                "in_progress".to_owned(),
                "in_progress".to_owned(),
                Some("Phân loại: Hành vi, thái độ của cán bộ".to_owned())
            ),
        ]
    );
}

#[tokio::test]
async fn only_the_desk_head_classifies_only_feedback_into_a_known_topic() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.nhom", "desk_head", None).await;
    let officer = staff_session(&app, "can.bo.nhom", "agency_officer", Some(&agency)).await;
    let (_, created) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"agency_code": agency})),
    )
    .await;
    let code = created["tracking_code"].as_str().expect("code").to_owned();
    let question = submit_question(&app, json!({})).await;

    // Act
    let by_officer = officer
        .act(&app, &code, "classify", &[("topic", "rules")])
        .await;
    let unknown = desk
        .post(
            &app,
            &format!("/can-bo/muc/{code}/classify"),
            &[("topic", "bogus")],
        )
        .await;
    let of_question = desk
        .act(&app, &question, "classify", &[("topic", "rules")])
        .await;

    // Assert
    assert_eq!(by_officer, 403);
    assert_eq!(unknown.status().as_u16(), 400);
    let html = unknown.text().await.expect("html");
    assert!(html.contains("Phân loại:"), "names the field by its label");
    assert!(!html.contains("(topic)"), "no internal name");
    assert_eq!(of_question, 400);
    assert_eq!(where_is(&app, &code).await.2, None, "nothing changed");
}
