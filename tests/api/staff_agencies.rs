//! Agencies in the staff console: an administrator closes an agency with a successor (it leaves
//! the kiosk's browsing and the desk head's forward list, stays in history, the stored views of
//! its dossiers are dropped, and the change is audited); refused lifecycles name the field in
//! Vietnamese and change nothing; other roles and forms without the CSRF token are refused; a
//! pasted agencies CSV applies whole or, with any error, changes nothing and names every bad
//! line; and the main store's next newer version replaces a console edit (decision 0052).

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::intake_support::*;
use crate::sync_push::{snapshot, SECRET};

const PROVINCE: &str = "000.00.00.H48";
const OLD: &str = "999.98.01.H48";
const NEW: &str = "999.98.02.H48";
const OTHER: &str = "999.98.03.H48";

/// An app that takes staff logins over plain HTTP and signed pushes.
async fn spawn_console_app() -> TestApp {
    spawn_intake_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into()];
    })
    .await
}

/// Three open commune-level agencies of the test's own, with desks.
async fn add_agencies(app: &TestApp) {
    let client = app.db.client().await;
    for (code, name) in [
        (OLD, "UBND xã Thử Nghiệm Cũ"),
        (NEW, "UBND xã Thử Nghiệm Mới"),
        (OTHER, "UBND xã Thử Nghiệm Khác"),
    ] {
        client
            .execute(
                "INSERT INTO agencies (code, parent_code, kind, name, desk_address, desk_phone,
                                       desk_hours, version, valid_from)
                 VALUES ($1, $2, 'commune', $3, 'Thôn Một', '0255 3000 000', 'Giờ hành chính', 1,
                         '2020-01-01')",
                &[&code, &PROVINCE, &name],
            )
            .await
            .expect("agency");
    }
}

/// (valid_from, valid_until, successors, version) of `code`.
async fn lifecycle(
    app: &TestApp,
    code: &str,
) -> (Option<String>, Option<String>, Vec<String>, i64) {
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT valid_from::text, valid_until::text, version,
                    ARRAY(SELECT successor_code FROM agency_successors
                           WHERE agency_code = $1 ORDER BY successor_code)
               FROM agencies WHERE code = $1",
            &[&code],
        )
        .await
        .expect("agency");
    (row.get(0), row.get(1), row.get(3), row.get(2))
}

/// (action, subject, reason) of the agency entries of the audit log, oldest first.
async fn agency_audit(app: &TestApp) -> Vec<(String, String, String)> {
    app.db
        .client()
        .await
        .query(
            "SELECT action, subject, reason FROM audit_log
              WHERE action IN ('agency_change', 'agency_import') ORDER BY id",
            &[],
        )
        .await
        .expect("audit")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// Codes of the kiosk's local-tier agencies.
async fn kiosk_local(app: &TestApp) -> Vec<String> {
    let (status, body) = app.get_json("/api/v1/catalog/agencies?tier=local").await;
    assert_eq!(status, 200, "{body}");
    body["agencies"]
        .as_array()
        .expect("agencies")
        .iter()
        .map(|a| a["code"].as_str().expect("code").to_owned())
        .collect()
}

/// Codes of the desk head's forward list.
async fn forward_list(app: &TestApp) -> Vec<String> {
    let client = app.db.client().await;
    tracuu::db::intake::list_agencies(&client)
        .await
        .expect("forward list")
        .into_iter()
        .map(|a| a.code)
        .collect()
}

async fn stored_views(app: &TestApp, dossier: &str) -> i64 {
    app.db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM dossier_views WHERE code = $1",
            &[&dossier],
        )
        .await
        .expect("count")
        .get(0)
}

/// A dossier received and handled by `agency`, looked up once so its view is stored.
async fn dossier_of(app: &TestApp, agency: &str) -> String {
    app.ensure_procedure().await;
    let code = format!("{agency}-250610-0001");
    let mut item = snapshot(&code, 1, 4);
    item["receiving_agency_code"] = json!(agency);
    item["handling_agency_code"] = json!(agency);
    item["received_at"] = json!("2025-06-10T01:30:00Z");
    item["events"] = json!([]);
    let (status, report) = app.push(&[item]).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], 1, "{report}");
    let (status, view) = app.get_json(&format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(status, 200, "{view}");
    code
}

fn refusals(html: &str) -> Vec<String> {
    let start = html.find("role=\"alert\"").expect("an alert");
    let section = &html[start
        ..html[start..]
            .find("</section>")
            .map_or(html.len(), |e| start + e)];
    section
        .split("<li>")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn an_administrator_closes_an_agency_with_a_successor_and_it_leaves_browsing_and_routing() {
    // Arrange
    let app = spawn_console_app().await;
    add_agencies(&app).await;
    let dossier = dossier_of(&app, OLD).await;
    assert_eq!(
        stored_views(&app, &dossier).await,
        1,
        "the lookup stored its view"
    );
    assert!(kiosk_local(&app).await.contains(&OLD.to_owned()));
    assert!(forward_list(&app).await.contains(&OLD.to_owned()));
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let form = admin.get(&app, &format!("/can-bo/co-quan/{OLD}")).await;
    assert_eq!(form.status().as_u16(), 200);
    assert!(form
        .text()
        .await
        .expect("html")
        .contains("Ngừng hoạt động từ ngày"));

    // Act: closed from 1 July 2025, its successor the new commune.
    let saved = admin
        .post(
            &app,
            &format!("/can-bo/co-quan/{OLD}"),
            &[
                ("valid_from", "2020-01-01"),
                ("valid_until", "2025-07-01"),
                ("successors", &format!(" {} ", NEW.to_lowercase())),
            ],
        )
        .await;

    // Assert
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(
        lifecycle(&app, OLD).await,
        (
            Some("2020-01-01".into()),
            Some("2025-07-01".into()),
            vec![NEW.to_owned()],
            1
        ),
        "the catalog version stays, so the main store's next version wins"
    );
    let local = kiosk_local(&app).await;
    assert!(!local.contains(&OLD.to_owned()), "hidden from browsing");
    assert!(local.contains(&NEW.to_owned()));
    let forward = forward_list(&app).await;
    assert!(!forward.contains(&OLD.to_owned()), "hidden from routing");
    assert!(forward.contains(&NEW.to_owned()));
    let (status, view) = app.get_json(&format!("/api/v1/dossiers/{dossier}")).await;
    assert_eq!(status, 200, "an old dossier still answers: {view}");
    assert_eq!(
        view["receiving_agency"]["now"][0]["code"], NEW,
        "the view is rendered again, naming the successor: {view}"
    );
    let closed = admin
        .get(&app, "/can-bo/co-quan?loc=dong&q=thu nghiem")
        .await;
    let closed = closed.text().await.expect("html");
    assert!(closed.contains(OLD), "in history, listed as closed");
    assert!(
        closed.contains("UBND xã Thử Nghiệm Mới"),
        "its successor by name"
    );
    assert!(
        !closed.contains(&format!("<code>{OTHER}</code>")),
        "open ones left out"
    );
    let living = admin.get(&app, "/can-bo/co-quan?loc=con&q=999.98").await;
    let living = living.text().await.expect("html");
    assert!(living.contains(NEW) && !living.contains(&format!("<code>{OLD}</code>")));
    let audit = agency_audit(&app).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str()),
        ("agency_change", OLD)
    );
    assert!(
        audit[0].2.contains("01/07/2025") && audit[0].2.contains(NEW),
        "{}",
        audit[0].2
    );
}

#[tokio::test]
async fn a_refused_lifecycle_names_the_field_in_vietnamese_and_changes_nothing() {
    // Arrange
    let app = spawn_console_app().await;
    add_agencies(&app).await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let before = lifecycle(&app, OLD).await;
    let path = format!("/can-bo/co-quan/{OLD}");
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("valid_until", "2025-07-01"), ("successors", "999.98.99.H48")],
            "Cơ quan kế nhiệm: 999.98.99.H48 không có trong danh mục cơ quan.",
        ),
        (
            &[("valid_from", "2025-07-01"), ("valid_until", "2025-06-30")],
            "Ngừng hoạt động từ ngày: phải sau ngày bắt đầu hoạt động (01/07/2025); ở đây 30/06/2025.",
        ),
        (
            &[("valid_until", "2025-07-01"), ("successors", OLD)],
            "Cơ quan kế nhiệm: không được là chính cơ quan này.",
        ),
        (
            &[("successors", NEW)],
            "Cơ quan kế nhiệm: chỉ cơ quan có ngày ngừng hoạt động mới có cơ quan kế nhiệm",
        ),
        (
            &[("valid_from", "1/7/2025")],
            "Hoạt động từ ngày: cần là một ngày dạng năm-tháng-ngày",
        ),
    ];
    for (fields, expected) in cases {
        // Act
        let refused = admin.post(&app, &path, fields).await;
        // Assert
        assert_eq!(refused.status().as_u16(), 400, "{fields:?}");
        let html = refused.text().await.expect("html");
        let shown = refusals(&html);
        assert!(
            shown.iter().any(|r| r.starts_with(expected)),
            "{fields:?}: {shown:?}"
        );
        assert!(!html.contains("valid_until:") && !html.contains("successors:"));
    }
    let unknown = admin
        .post(
            &app,
            "/can-bo/co-quan/999.98.77.H48",
            &[("valid_until", "2025-07-01")],
        )
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
    let no_csrf = app
        .http
        .post(format!("{}{path}", app.address))
        .header("cookie", &admin.cookie)
        .form(&[("csrf", "sai"), ("valid_until", "2025-07-01")])
        .send()
        .await
        .expect("request");
    assert_eq!(no_csrf.status().as_u16(), 403);
    let no_token = app
        .http
        .post(format!("{}/can-bo/co-quan/nhap", app.address))
        .header("cookie", &admin.cookie)
        .form(&[("csv", "code,kind,name\n999.98.05.H48,commune,UBND xã Năm\n")])
        .send()
        .await
        .expect("request");
    assert_eq!(no_token.status().as_u16(), 403);
    assert_eq!(lifecycle(&app, OLD).await, before, "nothing changed");
    assert!(agency_audit(&app).await.is_empty());
    let bad_filter = admin.get(&app, "/can-bo/co-quan?loc=all").await;
    assert_eq!(bad_filter.status().as_u16(), 400);
}

#[tokio::test]
async fn only_administrators_reach_the_agencies() {
    // Arrange
    let app = spawn_console_app().await;
    add_agencies(&app).await;
    let (agency, _) = two_agencies(&app).await;
    let before = lifecycle(&app, OLD).await;
    let others = [
        staff_session(&app, "truongbp", "desk_head", None).await,
        staff_session(&app, "daumoi", "agency_officer", Some(&agency)).await,
        staff_session(&app, "tongdai", "operator", None).await,
    ];
    for staff in &others {
        // Act
        let list = staff.get(&app, "/can-bo/co-quan").await;
        let form = staff.get(&app, &format!("/can-bo/co-quan/{OLD}")).await;
        let change = staff
            .post(
                &app,
                &format!("/can-bo/co-quan/{OLD}"),
                &[("valid_until", "2025-07-01"), ("successors", NEW)],
            )
            .await;
        let import = staff
            .post(
                &app,
                "/can-bo/co-quan/nhap",
                &[("csv", "code,kind,name\n999.98.05.H48,commune,UBND xã Năm\n")],
            )
            .await;
        // Assert
        for response in [list, form, change, import] {
            assert_eq!(response.status().as_u16(), 403);
        }
    }
    let anonymous = app
        .http
        .get(format!("{}/can-bo/co-quan", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status().as_u16(), 303, "to the login form");
    assert_eq!(lifecycle(&app, OLD).await, before);
    assert!(agency_audit(&app).await.is_empty());
}

#[tokio::test]
async fn a_pasted_csv_with_errors_names_every_bad_line_and_changes_nothing() {
    // Arrange: line 2 is good, lines 3 to 5 are not.
    let app = spawn_console_app().await;
    add_agencies(&app).await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let before = lifecycle(&app, OLD).await;
    let csv = format!(
        "code,parent_code,kind,name,valid_from,valid_until,successors\n\
         999.98.05.H48,{PROVINCE},commune,UBND xã Năm,2025-07-01,,\n\
         {OLD},{PROVINCE},commune,UBND xã Thử Nghiệm Cũ,2020-01-01,2025-07-01,999.98.99.H48\n\
         999.98.06.H48,{PROVINCE},commune,UBND xã Ngược,2025-07-01,2025-06-30,\n\
         999.98.07.H48,{PROVINCE},commune,UBND xã Tự Kế,2020-01-01,2025-07-01,999.98.07.H48\n"
    );

    // Act
    let refused = admin
        .post(&app, "/can-bo/co-quan/nhap", &[("csv", &csv)])
        .await;

    // Assert
    assert_eq!(refused.status().as_u16(), 400);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("Tệp CSV có 3 lỗi; danh mục cơ quan không thay đổi"),
        "{html}"
    );
    let lines: Vec<String> = refusals(&html)
        .iter()
        .map(|r| r.split(": ").take(2).collect::<Vec<_>>().join(": "))
        .collect();
    assert_eq!(
        lines,
        [
            "dòng 3: successors",
            "dòng 4: valid_until",
            "dòng 5: successors"
        ]
    );
    assert!(
        html.contains("999.98.05.H48,"),
        "the pasted text comes back"
    );
    assert_eq!(lifecycle(&app, OLD).await, before);
    let client = app.db.client().await;
    let added: i64 = client
        .query_one(
            "SELECT count(*) FROM agencies WHERE code = '999.98.05.H48'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(added, 0, "the good line is not applied either");
    assert!(agency_audit(&app).await.is_empty());
    let empty = admin
        .post(&app, "/can-bo/co-quan/nhap", &[("csv", "")])
        .await;
    assert_eq!(empty.status().as_u16(), 400);
    assert!(refusals(&empty.text().await.expect("html"))[0].starts_with("dòng 1: (tệp): "));
}

#[tokio::test]
async fn a_pasted_csv_applies_whole_and_the_main_stores_next_version_replaces_a_console_edit() {
    // Arrange
    let app = spawn_console_app().await;
    add_agencies(&app).await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let csv = format!(
        "code,parent_code,kind,name,valid_from,valid_until,successors\r\n\
         999.98.05.H48,{PROVINCE},commune,UBND xã Năm,2025-07-01,,\r\n\
         {OTHER},{PROVINCE},commune,UBND xã Thử Nghiệm Khác,2020-01-01,2025-07-01,999.98.05.H48\r\n"
    );

    // Act
    let imported = admin
        .post(&app, "/can-bo/co-quan/nhap", &[("csv", &csv)])
        .await;

    // Assert
    assert_eq!(imported.status().as_u16(), 200);
    let html = imported.text().await.expect("html");
    assert!(html.contains("Đã nhập 2 dòng: áp dụng 2"), "{html}");
    let (_, until, successors, _) = lifecycle(&app, OTHER).await;
    assert_eq!(until.as_deref(), Some("2025-07-01"));
    assert_eq!(successors, ["999.98.05.H48"]);
    assert!(kiosk_local(&app)
        .await
        .contains(&"999.98.05.H48".to_owned()));
    let audit = agency_audit(&app).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str()),
        ("agency_import", "agencies")
    );

    // A console edit, then the main store's push: the same version is stale and keeps the edit,
    // a newer one replaces it.
    let saved = admin
        .post(
            &app,
            &format!("/can-bo/co-quan/{OLD}"),
            &[("valid_until", "2025-07-01"), ("successors", NEW)],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    let pushed = |version: i64| -> Value {
        json!([{
            "code": OLD, "parent_code": PROVINCE, "kind": "commune",
            "name": "UBND xã Thử Nghiệm Cũ", "version": version, "valid_from": "2020-01-01"
        }])
    };
    let push = |items: Value| {
        let body = serde_json::to_vec(&items).expect("json");
        app.push_raw(
            "/sync/v1/agencies",
            body,
            "application/json",
            Some(SECRET),
            None,
        )
    };
    assert_eq!(push(pushed(1)).await.status().as_u16(), 200);
    assert_eq!(
        lifecycle(&app, OLD).await.1.as_deref(),
        Some("2025-07-01"),
        "stale push"
    );
    assert_eq!(push(pushed(2)).await.status().as_u16(), 200);
    let (_, until, _, version) = lifecycle(&app, OLD).await;
    assert_eq!(
        (until, version),
        (None, 2),
        "the main store's newer version wins"
    );
}
