//! The operators' console of the 1022 hotline: search by each key, the audit of phone searches
//! and detail views, the reason a phone search needs, role checks, filing on a caller's behalf
//! during a call, the call log and its outcome counts, and the append-only audit log that
//! administrators list and export.

use regex::Regex;
use serde_json::json;

use crate::helpers::TestApp;
use crate::intake_support::{
    spawn_intake_app, spawn_intake_app_with, staff_session, submit_question, Staff,
};

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn audit_rows(
    app: &TestApp,
    action: &str,
) -> Vec<(i64, String, Option<String>, Vec<String>, Option<i64>)> {
    app.db
        .client()
        .await
        .query(
            "SELECT actor_id, subject, reason, shown, call_id FROM audit_log WHERE action = $1 ORDER BY id",
            &[&action],
        )
        .await
        .expect("audit rows")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

async fn account_id(app: &TestApp, username: &str) -> i64 {
    app.db
        .client()
        .await
        .query_one(
            "SELECT id FROM staff_accounts WHERE username = $1",
            &[&username],
        )
        .await
        .expect("account")
        .get(0)
}

/// Starts a call from the console and returns its id.
async fn start_call(app: &TestApp, operator: &Staff, caller: &str) -> i64 {
    let response = operator
        .post(
            app,
            "/can-bo/tong-dai/cuoc-goi",
            &[("caller_phone", caller)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    to.strip_prefix("/can-bo/tong-dai?call=")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirect to the call: {to}"))
}

#[tokio::test]
async fn an_operator_finds_a_dossier_by_a_lookup_number_typed_with_the_letter_o() {
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.o", "operator", None).await;
    let known = app
        .known_where("lpad(lookup_number::text, 10, '0') LIKE '%0%'", &[])
        .await;
    let with_o = format!("{:010}", known.lookup_number).replace('0', "O");

    let found = operator
        .get(&app, &format!("/can-bo/tong-dai?by=ma&q={with_o}"))
        .await;

    assert_eq!(found.status().as_u16(), 303, "{with_o}");
    assert_eq!(
        location(&found),
        format!("/can-bo/tong-dai/ho-so/{}", known.code)
    );
}

#[tokio::test]
async fn an_operator_finds_a_dossier_by_code_and_by_lookup_number_and_each_view_is_audited() {
    // Arrange
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.mot", "operator", None).await;
    let known = app.known(4).await;

    // The staff home sends an operator to the console, which is keyboard-first
    let home = operator.get(&app, "/can-bo").await;
    assert_eq!(home.status().as_u16(), 303);
    assert_eq!(location(&home), "/can-bo/tong-dai");
    let console = operator.get(&app, "/can-bo/tong-dai").await;
    assert_eq!(console.status().as_u16(), 200);
    let html = console.text().await.expect("html");
    assert!(
        Regex::new(r#"<input id="q" name="q" value="" autofocus accesskey="s""#)
            .expect("regex")
            .is_match(&html),
        "the search box has focus on load and an access key"
    );
    assert!(html.contains(r#"accesskey="c""#) && html.contains(r#"accesskey="g""#));

    // Act: by code (typed in lower case), then by lookup number (grouped with spaces)
    let by_code = operator
        .get(
            &app,
            &format!("/can-bo/tong-dai?by=ma&q={}", known.code.to_lowercase()),
        )
        .await;
    let number = format!("{:010}", known.lookup_number);
    let by_number = operator
        .get(
            &app,
            &format!(
                "/can-bo/tong-dai?by=ma&q={}%20{}",
                &number[..5],
                &number[5..]
            ),
        )
        .await;

    // Assert: both lead to the dossier's page
    let page_url = format!("/can-bo/tong-dai/ho-so/{}", known.code);
    assert_eq!(by_code.status().as_u16(), 303);
    assert_eq!(location(&by_code), page_url);
    assert_eq!(location(&by_number), page_url);
    assert!(
        audit_rows(&app, "dossier_view").await.is_empty(),
        "a redirect shows nothing yet"
    );

    let page = operator.get(&app, &page_url).await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Hồ sơ đang được xử lý."),
        "the read-aloud summary"
    );
    assert!(html.contains("Quá trình xử lý"), "the timeline");
    assert!(
        Regex::new(r"<li><strong>[^<]+</strong> — [A-ZĐ][^<]* giờ [^<]*ngày")
            .expect("regex")
            .is_match(&html),
        "timeline steps are in words: {html}"
    );
    assert!(!html.contains(&known.name), "the full name is not shown");
    assert!(!html.contains(&known.phone), "nor the phone");

    let views = audit_rows(&app, "dossier_view").await;
    assert_eq!(views.len(), 1);
    let operator_id = account_id(&app, "dtv.mot").await;
    assert_eq!(views[0].0, operator_id);
    assert_eq!(views[0].1, known.code);
    assert_eq!(views[0].3[0], known.code);

    // Unknown and malformed codes come back on the console with a message
    let unknown = operator
        .get(&app, "/can-bo/tong-dai?by=ma&q=H57.132-260804-9999")
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
    let typo = operator.get(&app, "/can-bo/tong-dai?by=ma&q=12345").await;
    assert_eq!(typo.status().as_u16(), 400);
    assert!(typo.text().await.expect("html").contains("role=\"alert\""));
    let phone_as_code = operator
        .get(&app, "/can-bo/tong-dai?by=ma&q=0912345678")
        .await;
    assert_eq!(phone_as_code.status().as_u16(), 400);
    assert!(phone_as_code
        .text()
        .await
        .expect("html")
        .contains("Nếu đây là số điện thoại"));
}

#[tokio::test]
async fn a_phone_search_needs_a_reason_and_is_audited_with_what_it_showed() {
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.hai", "operator", None).await;
    let known = app.known(5).await;
    let national = format!("0{}", &known.phone[3..]);
    let tracking =
        submit_question(&app, json!({"phone": national, "dossier_code": known.code})).await;

    // Without a reason: refused, nothing listed, nothing audited
    let refused = operator
        .get(&app, &format!("/can-bo/tong-dai?by=sdt&q={national}"))
        .await;
    assert_eq!(refused.status().as_u16(), 400);
    let html = refused.text().await.expect("html");
    assert!(html.contains("cần chọn lý do"), "{html}");
    assert!(!html.contains(&known.code));
    assert!(audit_rows(&app, "phone_search").await.is_empty());

    // An unknown reason is no reason
    let made_up = operator
        .get(
            &app,
            &format!("/can-bo/tong-dai?by=sdt&q={national}&reason=curious"),
        )
        .await;
    assert_eq!(made_up.status().as_u16(), 400);

    // With a reason: the phone's dossiers and open questions, and an audit entry
    let found = operator
        .get(
            &app,
            &format!("/can-bo/tong-dai?by=sdt&q={national}&reason=lost_receipt"),
        )
        .await;
    assert_eq!(found.status().as_u16(), 200);
    let html = found.text().await.expect("html");
    assert!(html.contains(&known.code), "the dossier is listed");
    assert!(
        html.contains(&tracking),
        "the caller's open question is listed"
    );
    assert!(
        html.contains(r#"accesskey="1""#),
        "the first result has a shortcut"
    );
    assert!(!html.contains(&national), "the phone is shown masked");

    let searches = audit_rows(&app, "phone_search").await;
    assert_eq!(searches.len(), 1);
    let (actor, subject, reason, shown, _) = &searches[0];
    assert_eq!(*actor, account_id(&app, "dtv.hai").await);
    assert_eq!(subject, &known.phone);
    assert_eq!(reason.as_deref(), Some("Người gọi bị mất giấy tiếp nhận"));
    assert!(
        shown.contains(&known.code) && shown.contains(&tracking),
        "{shown:?}"
    );

    // A malformed phone is explained
    let bad = operator
        .get(&app, "/can-bo/tong-dai?by=sdt&q=12ab&reason=lost_receipt")
        .await;
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn staff_without_the_operator_role_are_refused_the_console() {
    let app = spawn_intake_app().await;
    let (agency, _) = crate::intake_support::two_agencies(&app).await;
    let known = app.known(2).await;
    let others = [
        staff_session(&app, "mot.cua", "desk_head", None).await,
        staff_session(&app, "dau.moi", "agency_officer", Some(&agency)).await,
        staff_session(&app, "quan.tri", "administrator", None).await,
    ];
    for staff in &others {
        for path in [
            "/can-bo/tong-dai".to_owned(),
            format!("/can-bo/tong-dai/ho-so/{}", known.code),
            "/can-bo/tong-dai/ghi-nhan".to_owned(),
        ] {
            let response = staff.get(&app, &path).await;
            assert_eq!(response.status().as_u16(), 403, "{path}");
        }
        let post = staff
            .post(&app, "/can-bo/tong-dai/cuoc-goi", &[("caller_phone", "")])
            .await;
        assert_eq!(post.status().as_u16(), 403);
    }
    assert!(audit_rows(&app, "dossier_view").await.is_empty());

    let anonymous = app.get("/can-bo/tong-dai").await;
    assert_eq!(anonymous.status().as_u16(), 303);
    assert_eq!(location(&anonymous), "/can-bo/dang-nhap");

    // A form without the session's CSRF token is refused
    let operator = staff_session(&app, "dtv.ba", "operator", None).await;
    let forged = app
        .http
        .post(format!("{}/can-bo/tong-dai/cuoc-goi", app.address))
        .header("cookie", &operator.cookie)
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status().as_u16(), 403);
}

#[tokio::test]
async fn an_operator_files_a_callers_feedback_during_a_call_and_logs_its_outcome() {
    // Arrange
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.bon", "operator", None).await;
    let operator_id = account_id(&app, "dtv.bon").await;
    let known = app.known(4).await;
    let call = start_call(&app, &operator, "0905 111 222").await;
    let console = operator
        .get(&app, &format!("/can-bo/tong-dai?call={call}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        console.contains(&format!("Cuộc gọi #{call} đang mở")),
        "{console}"
    );
    assert!(
        console.contains("09xx xxx 222"),
        "the caller is shown masked"
    );

    // A feedback without an address is refused, naming the field and keeping what was typed
    let path = "/can-bo/tong-dai/ghi-nhan";
    let call_id = call.to_string();
    let mut fields = vec![
        ("call", call_id.as_str()),
        ("kind", "feedback"),
        ("name", "Phạm Thị Dung"),
        ("phone", "0905111222"),
        ("subject", "Chờ lâu ở Bộ phận Một cửa"),
        ("body", "Tôi chờ hai tiếng mới được tiếp nhận."),
        ("dossier_code", known.code.as_str()),
    ];
    let refused = operator.post(&app, path, &fields).await;
    assert_eq!(refused.status().as_u16(), 400);
    let html = refused.text().await.expect("html");
    assert!(html.contains("Địa chỉ: bắt buộc"), "{html}");
    assert!(html.contains("Tôi chờ hai tiếng"), "what was typed is kept");

    // Act: with the address
    fields.push(("address", "Số 5 Lê Lợi, Quảng Ngãi"));
    let filed = operator.post(&app, path, &fields).await;

    // Assert: channel hotline, the operator in the history, received when the call started
    assert_eq!(filed.status().as_u16(), 201);
    let html = filed.text().await.expect("html");
    let tracking = Regex::new(r"PAKN\.\d{8}\.\d{4}")
        .expect("regex")
        .find(&html)
        .expect("a tracking code on the page")
        .as_str()
        .to_owned();
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT i.channel, i.received_at = c.started_at, h.actor_kind, h.actor_id, h.actor_label
               FROM intake_items i
               JOIN hotline_call_items ci ON ci.item_id = i.id
               JOIN hotline_calls c ON c.id = ci.call_id
               JOIN intake_history h ON h.item_id = i.id AND h.action = 'submit'
              WHERE i.tracking_code = $1 AND c.id = $2",
            &[&tracking, &call],
        )
        .await
        .expect("the item, linked to the call");
    assert_eq!(row.get::<_, String>(0), "hotline");
    assert!(row.get::<_, bool>(1), "received at the call's start");
    assert_eq!(row.get::<_, String>(2), "staff");
    assert_eq!(row.get::<_, Option<i64>>(3), Some(operator_id));
    assert!(row.get::<_, String>(4).contains("Điện thoại viên 1022"));
    assert!(!html.contains("Lưu ý: đã quá"), "entered in time");
    assert!(
        html.contains("sẽ không nhận tin nhắn khi có trả lời"),
        "SMS sending is not configured here: the operator tells the caller to check"
    );

    // The dossier page lists the call's open items
    let page = operator
        .get(
            &app,
            &format!("/can-bo/tong-dai/ho-so/{}?call={call}", known.code),
        )
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains(&tracking), "{page}");
    let views = audit_rows(&app, "dossier_view").await;
    assert_eq!(views[0].4, Some(call), "the view is tied to the call");

    // End the call: an outcome is required, then it is logged once
    let end = format!("/can-bo/tong-dai/cuoc-goi/{call}/ket-thuc");
    let no_outcome = operator.post(&app, &end, &[("outcome", "")]).await;
    assert_eq!(no_outcome.status().as_u16(), 400);
    let not_mine = staff_session(&app, "dtv.nam", "operator", None).await;
    let foreign = not_mine.post(&app, &end, &[("outcome", "resolved")]).await;
    assert_eq!(foreign.status().as_u16(), 404, "another operator's call");
    let ended = operator
        .post(
            &app,
            &end,
            &[("outcome", "filed_ticket"), ("note", "Đã ghi phản ánh")],
        )
        .await;
    assert_eq!(ended.status().as_u16(), 303);
    let again = operator.post(&app, &end, &[("outcome", "resolved")]).await;
    assert_eq!(again.status().as_u16(), 409);
    let logged = client
        .query_one(
            "SELECT outcome, note, ended_at IS NOT NULL, caller_phone FROM hotline_calls WHERE id = $1",
            &[&call],
        )
        .await
        .expect("call");
    assert_eq!(
        logged.get::<_, Option<String>>(0).as_deref(),
        Some("filed_ticket")
    );
    assert_eq!(
        logged.get::<_, Option<String>>(1).as_deref(),
        Some("Đã ghi phản ánh")
    );
    assert!(logged.get::<_, bool>(2));
    assert_eq!(
        logged.get::<_, Option<String>>(3).as_deref(),
        Some("+84905111222")
    );

    // The outcome counts for the statistics
    let other = start_call(&app, &not_mine, "").await;
    let _ = not_mine
        .post(
            &app,
            &format!("/can-bo/tong-dai/cuoc-goi/{other}/ket-thuc"),
            &[("outcome", "resolved")],
        )
        .await;
    let _open = start_call(&app, &not_mine, "").await;
    let (status, counts) = app.get_json("/api/v1/hotline-indicators").await;
    assert_eq!(status, 200, "{counts}");
    assert_eq!(counts["operator"]["filed_ticket"], 1);
    assert_eq!(counts["operator"]["resolved"], 1);
    assert_eq!(counts["operator"]["open"], 1);
    assert_eq!(counts["operator"]["total"], 3);
    assert_eq!(counts["all"]["total"], 3);
    let (status, _) = app
        .get_json("/api/v1/hotline-indicators?from=2026-13-01")
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .get_json("/api/v1/hotline-indicators?since=2026-01-01")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_entry_after_eight_working_hours_is_kept_with_the_calls_time_and_flagged_late() {
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.sau", "operator", None).await;
    let operator_id = account_id(&app, "dtv.sau").await;
    let client = app.db.client().await;
    let started = chrono::Utc::now() - chrono::Duration::days(10);
    let call = tracuu::db::hotline::insert_operator_call(&client, operator_id, None, started)
        .await
        .expect("an old call");

    let call_id = call.to_string();
    let filed = operator
        .post(
            &app,
            "/can-bo/tong-dai/ghi-nhan",
            &[
                ("call", call_id.as_str()),
                ("kind", "question"),
                ("phone", "0912000333"),
                ("subject", "Hỏi thủ tục"),
                ("body", "Cần giấy tờ gì?"),
            ],
        )
        .await;
    assert_eq!(filed.status().as_u16(), 201);
    assert!(filed
        .text()
        .await
        .expect("html")
        .contains("Lưu ý: đã quá 8 giờ làm việc"));
    let received: chrono::DateTime<chrono::Utc> = client
        .query_one(
            "SELECT i.received_at FROM intake_items i JOIN hotline_call_items c ON c.item_id = i.id WHERE c.call_id = $1",
            &[&call],
        )
        .await
        .expect("item")
        .get(0);
    assert!(
        (received - started).num_seconds().abs() < 1,
        "received when the call started"
    );
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_administrators_list_and_export_it() {
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.bay", "operator", None).await;
    let admin = staff_session(&app, "quan.tri", "administrator", None).await;
    let desk = staff_session(&app, "mot.cua", "desk_head", None).await;
    let known = app.known(9).await;
    let national = format!("0{}", &known.phone[3..]);
    assert_eq!(
        operator
            .get(
                &app,
                &format!("/can-bo/tong-dai?by=sdt&q={national}&reason=send_status")
            )
            .await
            .status()
            .as_u16(),
        200
    );
    let tracking = submit_question(&app, json!({})).await;
    assert_eq!(
        desk.get(&app, &format!("/can-bo/muc/{tracking}"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        audit_rows(&app, "intake_item_view").await.len(),
        1,
        "item views are audited"
    );

    // Nobody can edit the trail, not even with SQL
    let client = app.db.client().await;
    for statement in [
        "UPDATE audit_log SET reason = 'sửa'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let error = client.execute(statement, &[]).await.expect_err(statement);
        assert!(
            format!("{error:?}").contains("append-only"),
            "{statement}: {error:?}"
        );
    }

    // Administrators list it (phones masked) and filter by a phone in any usual form
    let list = admin
        .get(&app, &format!("/can-bo/nhat-ky?subject={national}"))
        .await;
    assert_eq!(list.status().as_u16(), 200);
    let html = list.text().await.expect("html");
    assert!(html.contains("Tra cứu theo số điện thoại"), "{html}");
    assert!(html.contains("Người gọi đề nghị nhắn tin tình trạng hồ sơ"));
    assert!(!html.contains(&known.phone), "never the full number");
    let masked = format!("{}xx xxx {}", &national[..2], &national[7..]);
    assert!(html.contains(&masked), "shown masked: {masked}");
    assert!(
        !html.contains(&tracking),
        "the filter leaves other entries out"
    );
    let bad = admin.get(&app, "/can-bo/nhat-ky?action=edit").await;
    assert_eq!(bad.status().as_u16(), 400);

    // ... and export it as CSV, which is itself recorded
    let csv = admin.get(&app, "/can-bo/nhat-ky.csv").await;
    assert_eq!(csv.status().as_u16(), 200);
    assert!(csv
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv")));
    let body = csv.text().await.expect("csv");
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines[0].contains("id,at,actor_id,actor,action,subject,reason,shown,call_id"));
    assert_eq!(
        lines.len(),
        3,
        "header, the phone search and the item view: {body}"
    );
    assert!(body.contains(&known.code) && body.contains(&tracking));
    assert_eq!(audit_rows(&app, "audit_export").await.len(), 1);

    // Nobody else may read it
    for staff in [&operator, &desk] {
        assert_eq!(
            staff.get(&app, "/can-bo/nhat-ky").await.status().as_u16(),
            403
        );
        assert_eq!(
            staff
                .get(&app, "/can-bo/nhat-ky.csv")
                .await
                .status()
                .as_u16(),
            403
        );
    }
}

#[tokio::test]
async fn texting_the_status_to_a_caller_queues_one_public_sms_and_is_rate_limited() {
    // Arrange
    let app = spawn_intake_app_with(|s| s.hotline.sms_per_phone_per_hour = 2).await;
    let operator = staff_session(&app, "dtv.tin", "operator", None).await;
    let known = app.known(4).await;
    let call = start_call(&app, &operator, "0905 111 222").await;
    let path = format!("/can-bo/tong-dai/ho-so/{}/nhan-tin", known.code);
    let call_id = call.to_string();
    let page = operator
        .get(
            &app,
            &format!("/can-bo/tong-dai/ho-so/{}?call={call}", known.code),
        )
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(r#"value="0905111222""#),
        "the call's number is offered"
    );

    // Act: the operator presses the button twice during the call
    let first = operator.post(&app, &path, &[("call", &call_id)]).await;
    let second = operator.post(&app, &path, &[("call", &call_id)]).await;

    // Assert: queued once, unaccented, public facts only, audited
    assert_eq!(first.status().as_u16(), 200);
    assert!(first
        .text()
        .await
        .expect("html")
        .contains("Đã xếp tin nhắn"));
    assert_eq!(second.status().as_u16(), 200);
    assert!(second
        .text()
        .await
        .expect("html")
        .contains("Không xếp thêm tin"));
    let client = app.db.client().await;
    let rows = client
        .query(
            "SELECT body, kind, dossier_code, state FROM sms_outbox WHERE recipient = '+84905111222'",
            &[],
        )
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 1, "queued once");
    let body: String = rows[0].get(0);
    assert_eq!(rows[0].get::<_, String>(1), "hotline_status");
    assert_eq!(
        rows[0].get::<_, Option<String>>(2).as_deref(),
        Some(known.code.as_str())
    );
    assert_eq!(rows[0].get::<_, String>(3), "queued");
    assert!(body.contains(&known.code), "{body}");
    assert!(body.is_ascii(), "unaccented: {body}");
    let plain_name = tracuu::domain::sms::gsm7::to_gsm7(&known.name);
    assert!(!body.contains(&plain_name), "no name: {body}");
    assert!(!body.contains(&known.phone[3..]), "no phone: {body}");
    let audited = audit_rows(&app, "sms_to_caller").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].1, "+84905111222");
    assert_eq!(audited[0].4, Some(call));

    // A third message to the same number within the hour is refused (limit 2 for this test)
    let third = operator.post(&app, &path, &[("phone", "0905111222")]).await;
    assert_eq!(third.status().as_u16(), 429);
    assert!(third.text().await.expect("html").contains("quá số tin"));

    // Landlines and malformed numbers are explained; nothing is queued
    let landline = operator
        .post(&app, &path, &[("phone", "02553822123")])
        .await;
    assert_eq!(landline.status().as_u16(), 400);
    assert!(landline.text().await.expect("html").contains("di động"));
    let malformed = operator.post(&app, &path, &[("phone", "12ab")]).await;
    assert_eq!(malformed.status().as_u16(), 400);
    let total: i64 = client
        .query_one("SELECT count(*) FROM sms_outbox", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(total, 1);

    // Other roles may not
    let desk = staff_session(&app, "mot.cua", "desk_head", None).await;
    let refused = desk.post(&app, &path, &[("phone", "0905111333")]).await;
    assert_eq!(refused.status().as_u16(), 403);
}
