//! The working calendar in the staff console: an administrator adds, changes and deletes days
//! (audited), other roles are refused, a CSV import replaces the years it covers or, with any
//! error, changes nothing and names every bad line; and a deadline computed across a holiday keeps
//! its value when the holiday is later deleted.

use chrono::{DateTime, TimeZone, Utc};
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

/// Every stored exception, as (day, kind, name, estimate, origin), oldest first.
async fn calendar_rows(app: &TestApp) -> Vec<(String, String, String, bool, String)> {
    app.db
        .client()
        .await
        .query(
            "SELECT day::text, kind, name, estimate, origin FROM calendar_days ORDER BY day",
            &[],
        )
        .await
        .expect("calendar")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

async fn row_of(app: &TestApp, day: &str) -> Option<(String, String, String, bool, String)> {
    calendar_rows(app).await.into_iter().find(|r| r.0 == day)
}

/// (action, subject, reason) of the calendar entries of the audit log, oldest first.
async fn calendar_audit(app: &TestApp) -> Vec<(String, String, String)> {
    app.db
        .client()
        .await
        .query(
            "SELECT action, subject, reason FROM audit_log
              WHERE action IN ('calendar_change', 'calendar_import') ORDER BY id",
            &[],
        )
        .await
        .expect("audit")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test]
async fn an_administrator_adds_changes_and_deletes_a_day_and_each_change_is_audited() {
    // Arrange
    let app = spawn_intake_app().await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    // Act: add a day off.
    let added = admin
        .post(
            &app,
            "/can-bo/lich-lam-viec",
            &[
                ("day", "2027-03-10"),
                ("kind", "holiday"),
                ("name", "Nghỉ lễ của tỉnh"),
                ("source", "Quyết định của UBND tỉnh"),
            ],
        )
        .await;
    // Assert
    assert_eq!(added.status().as_u16(), 303);
    assert_eq!(
        row_of(&app, "2027-03-10").await,
        Some((
            "2027-03-10".into(),
            "holiday".into(),
            "Nghỉ lễ của tỉnh".into(),
            false,
            "administrator".into()
        ))
    );
    let page = admin
        .get(&app, "/can-bo/lich-lam-viec?nam=2027")
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Nghỉ lễ của tỉnh"), "{page}");
    assert!(page.contains("Quyết định của UBND tỉnh"));

    // Act: change it (name and estimate), then change a seeded day, then delete the first.
    let changed = admin
        .post(
            &app,
            "/can-bo/lich-lam-viec/2027-03-10",
            &[
                ("kind", "holiday"),
                ("name", "Nghỉ lễ của tỉnh (đổi tên)"),
                ("estimate", "1"),
            ],
        )
        .await;
    assert_eq!(changed.status().as_u16(), 303);
    assert_eq!(
        row_of(&app, "2027-03-10").await.map(|r| (r.2, r.3)),
        Some(("Nghỉ lễ của tỉnh (đổi tên)".into(), true))
    );
    let seeded = admin
        .post(
            &app,
            "/can-bo/lich-lam-viec/2026-09-01",
            &[("kind", "holiday"), ("name", "Quốc khánh 2026 (tỉnh ghi)")],
        )
        .await;
    assert_eq!(seeded.status().as_u16(), 303);
    assert_eq!(
        row_of(&app, "2026-09-01").await.map(|r| r.4),
        Some("administrator".into()),
        "a seeded day an administrator changed is theirs"
    );
    let deleted = admin
        .post(&app, "/can-bo/lich-lam-viec/2027-03-10/xoa", &[])
        .await;
    assert_eq!(deleted.status().as_u16(), 303);
    assert_eq!(row_of(&app, "2027-03-10").await, None);

    // Assert: four audited changes, each naming the day and what changed.
    let audit = calendar_audit(&app).await;
    let subjects: Vec<&str> = audit.iter().map(|a| a.1.as_str()).collect();
    assert_eq!(
        subjects,
        ["2027-03-10", "2027-03-10", "2026-09-01", "2027-03-10"]
    );
    assert!(audit.iter().all(|a| a.0 == "calendar_change"));
    assert!(audit[0].2.starts_with("Thêm: Ngày nghỉ"), "{}", audit[0].2);
    assert!(audit[1].2.starts_with("Sửa: "), "{}", audit[1].2);
    assert!(audit[3].2.starts_with("Xóa: "), "{}", audit[3].2);
}

#[tokio::test]
async fn a_refused_day_names_the_field_in_vietnamese_and_changes_nothing() {
    // Arrange
    let app = spawn_intake_app().await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let before = calendar_rows(&app).await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("day", "2027-02-30"), ("kind", "holiday"), ("name", "x")],
            "Ngày: “2027-02-30” không phải ngày có thật",
        ),
        (
            &[("day", "2027-03-13"), ("kind", "holiday"), ("name", "x")],
            "Loại ngày: 13/03/2027 là thứ Bảy",
        ),
        (
            &[("day", "2027-03-11"), ("kind", "working"), ("name", "x")],
            "Loại ngày: 11/03/2027 là thứ Năm",
        ),
        (
            &[("day", "2027-03-10"), ("kind", "nghỉ"), ("name", "x")],
            "Loại ngày: cần là holiday",
        ),
        (
            &[("day", "2027-03-10"), ("kind", "holiday"), ("name", "  ")],
            "Tên ngày: chưa nhập",
        ),
        (
            &[
                ("day", "2026-09-02"),
                ("kind", "holiday"),
                ("name", "Trùng"),
            ],
            "Ngày: 02/09/2026 đã có trong lịch",
        ),
    ];
    for (fields, expected) in cases {
        // Act
        let response = admin.post(&app, "/can-bo/lich-lam-viec", fields).await;
        // Assert
        assert_eq!(response.status().as_u16(), 400, "{expected}");
        let html = response.text().await.expect("page");
        assert!(html.contains(expected), "{expected}: {html}");
    }
    let missing = admin
        .post(
            &app,
            "/can-bo/lich-lam-viec/2027-03-10",
            &[("kind", "holiday"), ("name", "Không có")],
        )
        .await;
    assert_eq!(missing.status().as_u16(), 400);
    let no_csrf = app
        .http
        .post(format!(
            "{}/can-bo/lich-lam-viec/2026-09-02/xoa",
            app.address
        ))
        .header("cookie", &admin.cookie)
        .form(&[("csrf", "sai")])
        .send()
        .await
        .expect("request");
    assert_eq!(no_csrf.status().as_u16(), 403);
    assert_eq!(calendar_rows(&app).await, before, "nothing changed");
    assert!(calendar_audit(&app).await.is_empty());
}

#[tokio::test]
async fn only_administrators_reach_the_calendar() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let before = calendar_rows(&app).await;
    let others = [
        staff_session(&app, "truongbp", "desk_head", None).await,
        staff_session(&app, "daumoi", "agency_officer", Some(&agency)).await,
        staff_session(&app, "tongdai", "operator", None).await,
    ];
    for staff in &others {
        // Act
        let page = staff.get(&app, "/can-bo/lich-lam-viec").await;
        let add = staff
            .post(
                &app,
                "/can-bo/lich-lam-viec",
                &[("day", "2027-03-10"), ("kind", "holiday"), ("name", "x")],
            )
            .await;
        let delete = staff
            .post(&app, "/can-bo/lich-lam-viec/2026-09-02/xoa", &[])
            .await;
        let import = staff
            .post(
                &app,
                "/can-bo/lich-lam-viec/nhap",
                &[("csv", "day,kind,name\n2027-03-10,holiday,x\n")],
            )
            .await;
        // Assert
        for response in [page, add, delete, import] {
            assert_eq!(response.status().as_u16(), 403);
        }
    }
    let anonymous = app
        .http
        .get(format!("{}/can-bo/lich-lam-viec", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status().as_u16(), 303, "to the login form");
    assert_eq!(calendar_rows(&app).await, before);
}

const OFFICIAL_2027: &str = "day,kind,name,estimate,source\r\n\
2027-01-01,holiday,Tết Dương lịch 2027,0,Thông báo thử\r\n\
2027-02-04,holiday,Tết Nguyên đán 2027,0,Thông báo thử\r\n\
2027-02-05,holiday,Tết Nguyên đán 2027,0,Thông báo thử\r\n\
2027-02-08,holiday,Tết Nguyên đán 2027,0,Thông báo thử\r\n\
2027-02-09,holiday,Tết Nguyên đán 2027,0,Thông báo thử\r\n\
2027-02-10,holiday,Tết Nguyên đán 2027,0,Thông báo thử\r\n\
2027-02-20,working,\"Làm bù ngày 04/02, thứ Bảy\",0,Thông báo thử\r\n";

#[tokio::test]
async fn a_csv_import_replaces_the_years_it_covers_and_leaves_the_others() {
    // Arrange: the seeded 2027 estimates, and 2026 as announced.
    let app = spawn_intake_app().await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let year_2026: Vec<_> = calendar_rows(&app)
        .await
        .into_iter()
        .filter(|r| r.0.starts_with("2026-"))
        .collect();
    assert!(!year_2026.is_empty());
    // Act
    let response = admin
        .post(
            &app,
            "/can-bo/lich-lam-viec/nhap",
            &[("csv", OFFICIAL_2027)],
        )
        .await;
    // Assert
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.expect("page");
    assert!(html.contains("Đã nhập 7 dòng cho năm 2027"), "{html}");
    let rows = calendar_rows(&app).await;
    let days_2027: Vec<&str> = rows
        .iter()
        .filter(|r| r.0.starts_with("2027-"))
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(
        days_2027,
        [
            "2027-01-01",
            "2027-02-04",
            "2027-02-05",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
            "2027-02-20"
        ],
        "2027 is exactly the file"
    );
    assert!(rows
        .iter()
        .filter(|r| r.0.starts_with("2027-"))
        .all(|r| !r.3 && r.4 == "import"));
    let after_2026: Vec<_> = rows
        .into_iter()
        .filter(|r| r.0.starts_with("2026-"))
        .collect();
    assert_eq!(after_2026, year_2026, "2026 is not in the file: untouched");
    let audit = calendar_audit(&app).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "calendar_import");
}

#[tokio::test]
async fn a_csv_with_errors_names_every_bad_line_and_changes_nothing() {
    // Arrange
    let app = spawn_intake_app().await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let before = calendar_rows(&app).await;
    let file = "day,kind,name\n\
                2027-01-01,holiday,Tết Dương lịch 2027\n\
                2027-13-01,holiday,Tháng sai\n\
                2027-02-08,holiday,Tết\n\
                2027-02-09,lễ,Loại sai\n\
                2027-02-08,holiday,Trùng ngày\n\
                2027-02-13,holiday,Thứ Bảy\n\
                2027-02-10,holiday,\n";
    // Act
    let response = admin
        .post(&app, "/can-bo/lich-lam-viec/nhap", &[("csv", file)])
        .await;
    // Assert
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.expect("page");
    for expected in [
        "Tệp CSV có 5 lỗi; lịch không thay đổi.",
        "dòng 3: day: “2027-13-01” không phải ngày có thật",
        "dòng 5: kind: cần là holiday",
        "dòng 6: day: ngày 08/02/2027 đã có ở dòng 4",
        "dòng 7: kind: 13/02/2027 là thứ Bảy",
        "dòng 8: name: chưa nhập",
    ] {
        assert!(html.contains(expected), "{expected}: {html}");
    }
    assert!(
        html.contains("2027-13-01,holiday,Tháng sai"),
        "the pasted file comes back to be fixed"
    );
    assert_eq!(calendar_rows(&app).await, before, "nothing changed");
    assert!(calendar_audit(&app).await.is_empty());
}

#[tokio::test]
async fn the_command_line_import_refuses_a_bad_file_whole_and_applies_a_good_one() {
    // Arrange
    let app = spawn_intake_app().await;
    let mut client = app.db.client().await;
    let before = calendar_rows(&app).await;
    // Act
    let refused = tracuu::calendar::import(
        &mut client,
        tracuu::calendar::Importer::CommandLine,
        "day,kind,name\n2027-03-10,holiday,Ngày tốt\n2027-03-11,holiday\n".as_bytes(),
    )
    .await
    .expect("no database failure");
    // Assert
    let errors = refused.expect_err("refused");
    assert_eq!(
        errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [3],
        "{errors:?}"
    );
    assert_eq!(calendar_rows(&app).await, before);
    // Act
    let applied = tracuu::calendar::import(
        &mut client,
        tracuu::calendar::Importer::CommandLine,
        OFFICIAL_2027.as_bytes(),
    )
    .await
    .expect("no database failure")
    .expect("applied");
    // Assert
    assert_eq!(applied.years, [2027]);
    assert_eq!(applied.rows, 7);
    assert!(
        !applied.removed.is_empty(),
        "the estimates the file replaces"
    );
}

fn question_for(agency: &str) -> Submission {
    let raw = RawSubmission {
        kind: Some("question".into()),
        channel: Some("web".into()),
        phone: Some("0912345678".into()),
        subject: Some("Hỏi".into()),
        body: Some("Nội dung".into()),
        agency_code: Some(agency.to_owned()),
        public: Some(true),
        ..RawSubmission::default()
    };
    Submission::parse(&raw, &Default::default()).expect("valid")
}

async fn classify_and_handle_due(app: &TestApp, code: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT classify_due_at, handle_due_at FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item");
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn a_deadline_across_an_added_holiday_moves_a_day_and_keeps_its_value_when_the_holiday_goes()
{
    // Arrange: an administrator makes Wednesday 10/3/2027 a day off.
    let app = spawn_intake_app().await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let (agency, _) = two_agencies(&app).await;
    let pool = tracuu::db::build_pool(&app.db.url, &tracuu::config::DatabaseSettings::default())
        .expect("pool");
    let intake = IntakeService::new(pool, tracuu::config::IntakeSettings::default());
    let added = admin
        .post(
            &app,
            "/can-bo/lich-lam-viec",
            &[
                ("day", "2027-03-10"),
                ("kind", "holiday"),
                ("name", "Nghỉ thử"),
            ],
        )
        .await;
    assert_eq!(added.status().as_u16(), 303);
    // Act: a question sent to an agency on Monday 8/3/2027 10:00 (received and forwarded at
    // once): classify within 3 working days, answer within 15.
    let before_edit = intake
        .submit_at(&question_for(&agency), vn(2027, 3, 8, 10, 0))
        .await
        .expect("stored");
    // Assert: Tue 9, (Wed 10 off), Thu 11, Fri 12.
    let (classify, handle) = classify_and_handle_due(&app, &before_edit.tracking_code).await;
    assert_eq!(classify, vn(2027, 3, 12, 10, 0));
    assert_eq!(handle, vn(2027, 3, 30, 10, 0));

    // Act: the administrator deletes the day off; the same question is sent again.
    let deleted = admin
        .post(&app, "/can-bo/lich-lam-viec/2027-03-10/xoa", &[])
        .await;
    assert_eq!(deleted.status().as_u16(), 303);
    let after_edit = intake
        .submit_at(&question_for(&agency), vn(2027, 3, 8, 10, 0))
        .await
        .expect("stored");
    // Assert: the deadlines computed before keep their value; the new ones are a day earlier.
    assert_eq!(
        classify_and_handle_due(&app, &before_edit.tracking_code).await,
        (vn(2027, 3, 12, 10, 0), vn(2027, 3, 30, 10, 0)),
        "a computed deadline is not rewritten"
    );
    assert_eq!(
        classify_and_handle_due(&app, &after_edit.tracking_code).await,
        (vn(2027, 3, 11, 10, 0), vn(2027, 3, 29, 10, 0))
    );
}

#[tokio::test]
async fn a_calls_entry_deadline_is_stored_when_it_starts_and_a_later_holiday_does_not_move_it() {
    // Arrange: an operator starts a call; its entry deadline (8 working hours) is stored.
    let app = spawn_intake_app().await;
    let operator = staff_session(&app, "dtv.lich", "operator", None).await;
    let started = operator
        .post(&app, "/can-bo/tong-dai/cuoc-goi", &[("caller_phone", "")])
        .await;
    assert_eq!(started.status().as_u16(), 303);
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT id, entry_due_at FROM hotline_calls ORDER BY id DESC LIMIT 1",
            &[],
        )
        .await
        .expect("call");
    let (call, due): (i64, Option<DateTime<Utc>>) = (row.get(0), row.get(1));
    let due = due.expect("the entry deadline is stored when the call starts");
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("offset");
    let due_day = due.with_timezone(&offset).date_naive();
    // Act: the day the deadline falls on becomes a day off.
    client
        .execute(
            "INSERT INTO calendar_days (day, kind, name, origin) VALUES ($1, 'holiday', 'Nghỉ đột xuất', 'administrator')
             ON CONFLICT (day) DO UPDATE SET kind = 'holiday'",
            &[&due_day],
        )
        .await
        .expect("holiday");
    let panel = operator
        .get(&app, &format!("/can-bo/tong-dai?call={call}"))
        .await
        .text()
        .await
        .expect("console");
    // Assert
    let shown = due
        .with_timezone(&offset)
        .format("%H:%M ngày %d/%m/%Y")
        .to_string();
    assert!(
        panel.contains(&format!("cần ghi nhận trước {shown}")),
        "{shown}: {panel}"
    );
}

#[tokio::test]
async fn a_downloaded_year_imports_back_unchanged() {
    // Arrange
    let app = spawn_intake_app().await;
    let admin = staff_session(&app, "quantri", "administrator", None).await;
    let before = calendar_rows(&app).await;
    let download = admin.get(&app, "/can-bo/lich-lam-viec.csv?nam=2026").await;
    assert_eq!(download.status().as_u16(), 200);
    let file = download.text().await.expect("csv");
    assert!(file.starts_with("\u{feff}day,kind,name,estimate,source\r\n"));
    // Act
    let response = admin
        .post(&app, "/can-bo/lich-lam-viec/nhap", &[("csv", &file)])
        .await;
    // Assert
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.expect("page");
    let count_2026 = before.iter().filter(|r| r.0.starts_with("2026-")).count();
    assert!(
        html.contains(&format!(
            "thêm 0, sửa 0, giữ nguyên {count_2026}, xóa 0 ngày"
        )),
        "{html}"
    );
    let strip = |rows: Vec<(String, String, String, bool, String)>| {
        rows.into_iter()
            .map(|r| (r.0, r.1, r.2, r.3))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(calendar_rows(&app).await), strip(before));
    let refused = staff_session(&app, "tongdai", "operator", None)
        .await
        .get(&app, "/can-bo/lich-lam-viec.csv?nam=2026")
        .await;
    assert_eq!(refused.status().as_u16(), 403);
}
