//! The staff console: the whole life of an item across roles, agency scoping on every endpoint,
//! transfers, deadlines across weekends and Tết, overdue flags, escaping, and CSRF on actions.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use tracuu::intake::{IntakeService, RawSubmission, Submission};

use crate::helpers::TestApp;
use crate::intake_support::*;

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(7 * 3600)
        .expect("offset")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

fn service(app: &TestApp) -> IntakeService {
    let pool = tracuu::db::build_pool(&app.db.url, &tracuu::config::DatabaseSettings::default())
        .expect("pool");
    IntakeService::new(pool, tracuu::config::IntakeSettings::default())
}

fn raw_question(agency: Option<&str>) -> RawSubmission {
    RawSubmission {
        kind: Some("question".into()),
        channel: Some("web".into()),
        phone: Some("0912345678".into()),
        subject: Some("Hỏi".into()),
        body: Some("Nội dung".into()),
        agency_code: agency.map(str::to_owned),
        public: Some(true),
        ..RawSubmission::default()
    }
}

async fn deadlines(app: &TestApp, code: &str) -> Vec<Option<DateTime<Utc>>> {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT classify_due_at, refuse_due_at, info_due_at, handle_due_at
               FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item");
    (0..4).map(|i| row.get(i)).collect()
}

#[tokio::test]
async fn a_question_goes_from_kiosk_to_published_answer_across_roles_with_full_history() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua", "desk_head", None).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = submit_question(&app, json!({"subject": "Xin hỏi về giấy phép"})).await;

    // Act and assert, step by step.
    let inbox = desk
        .get(&app, "/can-bo?state=received")
        .await
        .text()
        .await
        .expect("html");
    assert!(inbox.contains(&code), "the desk head sees the new item");
    assert_eq!(
        desk.act(&app, &code, "forward", &[("agency_code", &agency)])
            .await,
        303
    );
    assert_eq!(
        stored(&app, &code).await,
        ("forwarded".into(), Some(agency.clone()))
    );
    let inbox = officer
        .get(&app, "/can-bo")
        .await
        .text()
        .await
        .expect("html");
    assert!(inbox.contains(&code), "the officer sees the forwarded item");
    assert_eq!(officer.act(&app, &code, "start", &[]).await, 303);
    assert_eq!(
        officer
            .act(
                &app,
                &code,
                "request-info",
                &[("text", "Xin cho biết số hồ sơ.")]
            )
            .await,
        303
    );
    let (_, tracked) = app
        .get_json(&format!("/api/v1/intake/{code}?phone4=5678"))
        .await;
    assert_eq!(tracked["info_request"], "Xin cho biết số hồ sơ.");
    let (status, _) = post_json(
        &app,
        &format!("/api/v1/intake/{code}/supplement"),
        &json!({"phone4": "5678", "text": "Hồ sơ nộp tuần trước."}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(stored(&app, &code).await.0, "in_progress");
    assert_eq!(
        officer
            .act(&app, &code, "answer", &[("text", "Cần đơn và bản vẽ.")])
            .await,
        303
    );
    assert_eq!(officer.act(&app, &code, "publish", &[]).await, 303);
    assert_eq!(stored(&app, &code).await.0, "published");

    // The public sees it; the citizen is owed a notification; the history has every step.
    let (status, published) = app.get_json(&format!("/api/v1/published/{code}")).await;
    assert_eq!(status, 200);
    assert_eq!(published["answer"], "Cần đơn và bản vẽ.");
    let client = app.db.client().await;
    let pending: bool = client
        .query_one(
            "SELECT answer_notice_pending FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item")
        .get(0);
    assert!(pending, "the answer-published notification is recorded");
    let history: Vec<(String, String, Option<i64>)> = client
        .query(
            "SELECT h.action, h.actor_kind, h.actor_id FROM intake_history h
               JOIN intake_items i ON i.id = h.item_id WHERE i.tracking_code = $1 ORDER BY h.id",
            &[&code],
        )
        .await
        .expect("history")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let actions: Vec<&str> = history.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "submit",
            "forward",
            "start",
            "request_info",
            "supplement",
            "answer",
            "publish"
        ]
    );
    assert!(history
        .iter()
        .filter(|h| h.1 == "staff")
        .all(|h| h.2.is_some()));
    let page = officer
        .get(&app, &format!("/can-bo/muc/{code}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("Lịch sử xử lý") && page.contains("Phụ trách Bộ phận Một cửa"));
    // Unpublish takes it off the public list.
    assert_eq!(officer.act(&app, &code, "unpublish", &[]).await, 303);
    let (status, _) = app.get_json(&format!("/api/v1/published/{code}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_agency_officer_can_neither_see_nor_act_on_another_agencys_items() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency_a, agency_b) = two_agencies(&app).await;
    let officer_b = staff_session(&app, "dau.moi.b", "agency_officer", Some(&agency_b)).await;
    let code = submit_question(&app, json!({"agency_code": agency_a})).await;
    // Act and assert: lists, filters, direct URLs and every action.
    for path in [
        "/can-bo",
        "/can-bo?state=forwarded",
        &format!("/can-bo?agency={agency_a}"),
    ] {
        let html = officer_b.get(&app, path).await.text().await.expect("html");
        assert!(!html.contains(&code), "{path} lists another agency's item");
    }
    let page = officer_b.get(&app, &format!("/can-bo/muc/{code}")).await;
    assert_eq!(page.status().as_u16(), 404);
    for action in [
        "forward",
        "start",
        "request-info",
        "answer",
        "refuse",
        "publish",
        "unpublish",
    ] {
        let status = officer_b
            .act(
                &app,
                &code,
                action,
                &[("text", "x"), ("agency_code", &agency_b)],
            )
            .await;
        assert!(status == 404 || status == 403, "{action}: {status}");
    }
    assert_eq!(
        stored(&app, &code).await,
        ("forwarded".into(), Some(agency_a.clone()))
    );
    let history: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM intake_history", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(history, 2, "only the submission and the routing");
    // Their own agency's officer can; an officer cannot forward; an administrator handles no items.
    let officer_a = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency_a)).await;
    assert_eq!(
        officer_a
            .get(&app, &format!("/can-bo/muc/{code}"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        officer_a
            .act(&app, &code, "forward", &[("agency_code", &agency_b)])
            .await,
        403
    );
    let admin = staff_session(&app, "quan.tri", "administrator", None).await;
    assert_eq!(
        admin
            .get(&app, &format!("/can-bo/muc/{code}"))
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        admin.act(&app, &code, "answer", &[("text", "x")]).await,
        403
    );
}

#[tokio::test]
async fn a_transfer_to_another_agency_keeps_history_and_restarts_the_answer_deadline() {
    let app = spawn_intake_app().await;
    let (agency_a, agency_b) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua", "desk_head", None).await;
    let item = service(&app)
        .submit_at(
            &Submission::parse(&raw_question(Some(&agency_a)), &Default::default()).expect("valid"),
            vn(2026, 11, 2, 8, 0),
        )
        .await
        .expect("stored");
    let before = deadlines(&app, &item.tracking_code).await[3];
    assert_eq!(
        desk.act(
            &app,
            &item.tracking_code,
            "forward",
            &[("agency_code", &agency_b)]
        )
        .await,
        303
    );
    let after = deadlines(&app, &item.tracking_code).await[3];
    assert!(
        after > before,
        "the 15 working days count again from the transfer"
    );
    assert_eq!(
        stored(&app, &item.tracking_code).await.1,
        Some(agency_b.clone())
    );
    let agencies: Vec<Option<String>> = app
        .db
        .client()
        .await
        .query(
            "SELECT agency_code FROM intake_history WHERE item_id = $1 ORDER BY id",
            &[&item.id],
        )
        .await
        .expect("history")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(agencies, [None, Some(agency_a), Some(agency_b.clone())]);
    // Forwarding to the agency it is already with is refused.
    assert_eq!(
        desk.act(
            &app,
            &item.tracking_code,
            "forward",
            &[("agency_code", &agency_b)]
        )
        .await,
        400
    );
}

#[tokio::test]
async fn deadlines_skip_weekends_and_the_tet_holiday() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let intake = service(&app);
    let routed = Submission::parse(&raw_question(Some(&agency)), &Default::default()).expect("ok");
    let queued = Submission::parse(&raw_question(None), &Default::default()).expect("ok");
    // Act: Friday 20/11/2026 16:00, and Friday 13/02/2026 10:00 just before Tết (16–20/02).
    let weekend = intake
        .submit_at(&routed, vn(2026, 11, 20, 16, 0))
        .await
        .expect("stored");
    let tet = intake
        .submit_at(&routed, vn(2026, 2, 13, 10, 0))
        .await
        .expect("stored");
    let tet_queued = intake
        .submit_at(&queued, vn(2026, 2, 13, 10, 0))
        .await
        .expect("stored");
    // Assert
    let d = deadlines(&app, &weekend.tracking_code).await;
    assert_eq!(
        d[0],
        Some(vn(2026, 11, 25, 16, 0)),
        "classify: 3 working days over a weekend"
    );
    assert_eq!(
        d[1],
        Some(vn(2026, 11, 24, 16, 0)),
        "refuse: 2 working days"
    );
    assert_eq!(
        d[2],
        Some(vn(2026, 11, 27, 16, 0)),
        "ask for more: 5 working days"
    );
    assert_eq!(
        d[3],
        Some(vn(2026, 12, 11, 16, 0)),
        "answer: 15 working days"
    );
    let d = deadlines(&app, &tet.tracking_code).await;
    assert_eq!(
        d[0],
        Some(vn(2026, 2, 25, 10, 0)),
        "classify: Tết week skipped"
    );
    assert_eq!(
        d[3],
        Some(vn(2026, 3, 13, 10, 0)),
        "answer: Tết week skipped"
    );
    let d = deadlines(&app, &tet_queued.tracking_code).await;
    assert_eq!(d[0], Some(vn(2026, 2, 25, 10, 0)));
    assert_eq!(d[3], None, "no answer deadline before it is forwarded");
    assert!(
        tet.tracking_code.starts_with("HD.20260213."),
        "{}",
        tet.tracking_code
    );
}

#[tokio::test]
async fn overdue_items_are_flagged_and_filtered() {
    // Arrange: one item received long ago and never classified, one fresh.
    let app = spawn_intake_app().await;
    let intake = service(&app);
    let queued = Submission::parse(&raw_question(None), &Default::default()).expect("ok");
    let old = intake
        .submit_at(&queued, vn(2026, 1, 5, 9, 0))
        .await
        .expect("stored");
    let fresh = submit_question(&app, json!({})).await;
    let desk = staff_session(&app, "truong.motcua", "desk_head", None).await;
    // Act
    let overdue = desk
        .get(&app, "/can-bo?overdue=1")
        .await
        .text()
        .await
        .expect("html");
    let all = desk.get(&app, "/can-bo").await.text().await.expect("html");
    // Assert
    assert!(overdue.contains(&old.tracking_code));
    assert!(!overdue.contains(&fresh));
    assert!(all.contains(&fresh) && all.contains("(quá hạn)"));
    let (_, view) = app
        .get_json(&format!("/api/v1/intake/{}?phone4=5678", old.tracking_code))
        .await;
    assert_eq!(view["overdue"], true);
    let (_, view) = app
        .get_json(&format!("/api/v1/intake/{fresh}?phone4=5678"))
        .await;
    assert_eq!(view["overdue"], false);
}

#[tokio::test]
async fn html_and_script_in_submissions_are_shown_escaped_everywhere() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let code = submit_question(
        &app,
        json!({"subject": evil, "body": evil, "name": evil, "agency_code": agency}),
    )
    .await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    assert_eq!(
        officer.act(&app, &code, "answer", &[("text", evil)]).await,
        303
    );
    // Act: every page that shows the texts.
    let mut pages = vec![
        officer
            .get(&app, "/can-bo")
            .await
            .text()
            .await
            .expect("html"),
        officer
            .get(&app, &format!("/can-bo/muc/{code}"))
            .await
            .text()
            .await
            .expect("html"),
        app.get(&format!("/theo-doi?ma={code}&phone4=5678"))
            .await
            .text()
            .await
            .expect("html"),
    ];
    assert_eq!(officer.act(&app, &code, "publish", &[]).await, 303);
    pages.push(app.get("/hoi-dap").await.text().await.expect("html"));
    pages.push(
        app.get(&format!("/hoi-dap/{code}"))
            .await
            .text()
            .await
            .expect("html"),
    );
    // Assert
    for html in &pages {
        assert!(!html.contains("<script>alert"), "raw script in a page");
        assert!(!html.contains("<img src=x"), "raw tag in a page");
        assert!(
            html.contains("&lt;script&gt;") || html.contains("&lt;img"),
            "escaped text shown"
        );
    }
}

#[tokio::test]
async fn a_staff_action_without_the_session_csrf_token_is_refused() {
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua", "desk_head", None).await;
    let code = submit_question(&app, json!({})).await;
    let response = app
        .http
        .post(format!("{}/can-bo/muc/{code}/forward", app.address))
        .header("cookie", &desk.cookie)
        .form(&[
            ("csrf", "0".repeat(64).as_str()),
            ("agency_code", agency.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 403);
    let response = app
        .http
        .post(format!("{}/can-bo/muc/{code}/forward", app.address))
        .header("cookie", &desk.cookie)
        .form(&[("agency_code", agency.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(stored(&app, &code).await, ("received".into(), None));
}

#[tokio::test]
async fn answers_without_text_or_over_the_limit_and_actions_out_of_order_are_refused() {
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = submit_question(&app, json!({"agency_code": agency})).await;
    assert_eq!(
        officer.act(&app, &code, "answer", &[("text", "  ")]).await,
        400
    );
    let long = "a".repeat(20_001);
    assert_eq!(
        officer.act(&app, &code, "answer", &[("text", &long)]).await,
        400
    );
    assert_eq!(officer.act(&app, &code, "refuse", &[]).await, 400);
    assert_eq!(officer.act(&app, &code, "publish", &[]).await, 409);
    assert_eq!(officer.act(&app, &code, "bogus", &[]).await, 404);
    assert_eq!(
        officer
            .act(
                &app,
                &code,
                "refuse",
                &[("text", "Không thuộc thẩm quyền.")]
            )
            .await,
        303
    );
    assert_eq!(
        officer.act(&app, &code, "answer", &[("text", "x")]).await,
        409
    );
    let (_, view) = app.get_json(&format!("/api/v1/intake/{code}")).await;
    assert_eq!(view["state"]["key"], "refused");
    assert_eq!(view["refuse_reason"], "Không thuộc thẩm quyền.");
}

#[tokio::test]
async fn a_private_item_cannot_be_published() {
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = submit_question(&app, json!({"agency_code": agency, "public": false})).await;
    assert_eq!(
        officer
            .act(&app, &code, "answer", &[("text", "Trả lời riêng.")])
            .await,
        303
    );
    assert_eq!(officer.act(&app, &code, "publish", &[]).await, 409);
    assert_eq!(stored(&app, &code).await.0, "answered");
    let (_, view) = app
        .get_json(&format!("/api/v1/intake/{code}?phone4=5678"))
        .await;
    assert_eq!(view["answer"], "Trả lời riêng.");
}

#[tokio::test]
async fn an_answer_published_later_texts_the_submitter_once_through_the_sms_outbox() {
    // Arrange: SMS notifications on (no Kannel needed: the message only has to be queued).
    let app = spawn_intake_app_with(|s| s.sms.notify_status_changes = Some(true)).await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.sms", "desk_head", None).await;
    let code = submit_question(&app, json!({"subject": "Xin hỏi lệ phí"})).await;
    assert_eq!(
        desk.act(&app, &code, "forward", &[("agency_code", &agency)])
            .await,
        303
    );
    assert_eq!(
        desk.act(&app, &code, "answer", &[("text", "Lệ phí là 50.000 đồng.")])
            .await,
        303
    );

    // Act: publish, take it back, publish again.
    for action in ["publish", "unpublish", "publish"] {
        assert_eq!(desk.act(&app, &code, action, &[]).await, 303, "{action}");
    }

    // Assert: one message, the one queued when it was answered, unaccented, to the phone given.
    let client = app.db.client().await;
    let rows = client
        .query(
            "SELECT recipient, body, kind FROM sms_outbox WHERE body LIKE '%' || $1 || '%'
             AND kind <> 'received'",
            &[&code],
        )
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 1, "queued once, never twice");
    let (recipient, body, kind): (String, String, String) =
        (rows[0].get(0), rows[0].get(1), rows[0].get(2));
    assert_eq!(kind, "answered");
    assert!(recipient.starts_with("+84"), "E.164: {recipient}");
    assert!(
        body.starts_with(&format!("Cau hoi {code} da co tra loi")),
        "{body}"
    );
    assert!(body.contains(&format!("/theo-doi?ma={code}&k=")), "{body}");
    assert!(body.is_ascii(), "GSM-7: {body}");
    let pending: bool = client
        .query_one(
            "SELECT answer_notice_pending FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item")
        .get(0);
    assert!(!pending, "nothing is owed once the message is queued");
}
