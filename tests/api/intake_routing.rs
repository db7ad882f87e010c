//! Routing follows the citizen (issue 20): a question or feedback about a procedure the communes
//! settle goes to the commune the submitter chose, else to the commune that received the dossier
//! (or its one successor); a department-level procedure keeps its rule; a closed commune cannot
//! be chosen; the desk head sees the commune chosen and forwards only to living agencies; and no
//! form or screen offers the historical district level. Every agency here is made by the test, so
//! the demo province may change under it.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::intake_support::*;

/// The provincial UBND and a department of the demo province (stable codes).
const PROVINCE: &str = "000.00.00.H48";
const DEPARTMENT: &str = "000.00.05.H48";

/// Communes made by the tests: two living ones (a commune and a ward), a closed commune merged
/// into the first, and a closed district that had two successors.
const COMMUNE: &str = "999.91.01.H48";
const WARD: &str = "999.91.02.H48";
const MERGED: &str = "999.91.03.H48";
const DISTRICT: &str = "999.90.00.H48";
const COMMUNE_PROCEDURE: &str = "9.990001";
const DEPARTMENT_PROCEDURE: &str = "9.990002";

/// Adds the test's agencies and two procedures, one settled by the communes and one by the
/// department.
async fn arrange_place(app: &TestApp) {
    let client = app.db.client().await;
    client
        .batch_execute(&format!(
            "INSERT INTO agencies (code, parent_code, kind, name, valid_from, valid_until) VALUES
                ('{DISTRICT}', '{PROVINCE}', 'district', 'UBND huyện Thử Nghiệm', NULL, '2025-07-01'),
                ('{COMMUNE}', '{PROVINCE}', 'commune', 'UBND xã Thử Một', '2025-07-01', NULL),
                ('{WARD}', '{PROVINCE}', 'ward', 'UBND phường Thử Hai', '2025-07-01', NULL),
                ('{MERGED}', '{PROVINCE}', 'commune', 'UBND xã Đã Nhập', NULL, '2025-07-01');
             INSERT INTO agency_successors (agency_code, successor_code) VALUES
                ('{DISTRICT}', '{COMMUNE}'), ('{DISTRICT}', '{WARD}'), ('{MERGED}', '{COMMUNE}');
             INSERT INTO procedures (code, name, field, processing_days, online_level, level,
                 agency_code, desk_agency_code) VALUES
                ('{COMMUNE_PROCEDURE}', 'Đăng ký khai sinh (thử)', 'Hộ tịch', 1, 'full', 'commune',
                 NULL, NULL),
                ('{DEPARTMENT_PROCEDURE}', 'Cấp phiếu lý lịch tư pháp (thử)', 'Lý lịch tư pháp', 10,
                 'full', 'department', '{DEPARTMENT}', '000.00.16.H48');"
        ))
        .await
        .expect("the test's place");
}

/// Adds a dossier of the commune-level procedure received by `receiving` and handled by
/// `handling`; returns its code.
async fn dossier(app: &TestApp, sequence: u32, receiving: &str, handling: &str) -> String {
    let code = format!("999.91.00.H48-250601-{sequence:04}");
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO dossiers (code, procedure_code, receiving_agency_code,
                 handling_agency_code, channel, status, applicant_name, received_at, version)
             VALUES ($1, $2, $3, $4, 1, 4, 'Nguyễn Văn An', '2025-06-01 08:00+07', 1)",
            &[&code, &COMMUNE_PROCEDURE, &receiving, &handling],
        )
        .await
        .expect("dossier");
    code
}

/// The stored commune choice and routing reason of an item.
async fn routing_of(app: &TestApp, tracking_code: &str) -> (Option<String>, String) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT commune_code, routed_by FROM intake_items WHERE tracking_code = $1",
            &[&tracking_code],
        )
        .await
        .expect("item");
    (row.get(0), row.get(1))
}

fn agency_of(created: &Value) -> Option<&str> {
    created["agency"]["code"].as_str()
}

#[tokio::test]
async fn a_commune_level_question_goes_to_the_commune_the_asker_chose() {
    // Arrange
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let received_elsewhere = dossier(&app, 1, COMMUNE, COMMUNE).await;

    // Act: the asker lives in the ward; the dossier was received by another commune.
    let (status, created) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({
            "procedure_code": COMMUNE_PROCEDURE,
            "commune_code": WARD.to_lowercase(),
            "dossier_code": received_elsewhere,
        })),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{created}");
    assert_eq!(agency_of(&created), Some(WARD), "{created}");
    assert_eq!(created["agency"]["name"], "UBND phường Thử Hai", "named");
    assert_eq!(created["routed_by"], "commune");
    assert_eq!(created["state"], "forwarded");
    let code = created["tracking_code"].as_str().expect("code");
    assert_eq!(
        routing_of(&app, code).await,
        (Some(WARD.to_owned()), "commune".to_owned())
    );
}

#[tokio::test]
async fn feedback_goes_to_the_commune_that_received_the_dossier_or_to_its_one_successor() {
    // Arrange: one dossier received by a living commune but handled by the closed district
    // (two successors, so the handling agency alone would leave it to the desk); one received
    // and handled by a commune merged into another.
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let by_living = dossier(&app, 2, WARD, DISTRICT).await;
    let by_merged = dossier(&app, 3, MERGED, MERGED).await;

    // Act
    let (status_living, living) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"dossier_code": by_living})),
    )
    .await;
    let (status_merged, merged) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"dossier_code": by_merged})),
    )
    .await;

    // Assert
    assert_eq!(status_living, 201, "{living}");
    assert_eq!(agency_of(&living), Some(WARD), "{living}");
    assert_eq!(living["routed_by"], "dossier");
    assert_eq!(status_merged, 201, "{merged}");
    assert_eq!(agency_of(&merged), Some(COMMUNE), "{merged}");
    assert_eq!(merged["routed_by"], "dossier");
}

#[tokio::test]
async fn a_closed_unknown_or_non_commune_choice_is_refused_by_name_and_nothing_is_stored() {
    // Arrange
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let cases = [
        (MERGED, "đã ngừng tiếp nhận từ ngày 01/07/2025"),
        ("999.91.99.H48", "không có trong danh mục"),
        (DEPARTMENT, "không phải là xã, phường hay đặc khu"),
        (DISTRICT, "đã ngừng tiếp nhận"),
    ];
    for (choice, expected) in cases {
        // Act
        let (status, answer) = post_json(
            &app,
            "/api/v1/feedback",
            &feedback(json!({"procedure_code": COMMUNE_PROCEDURE, "commune_code": choice})),
        )
        .await;
        // Assert
        assert_eq!(status, 400, "{choice}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_commune", "{choice}");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(expected), "{choice}: {message}");
        assert!(message.starts_with("Xã, phường, đặc khu"), "{message}");
    }
    // The merged commune's refusal says what it became.
    let (_, answer) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"commune_code": MERGED})),
    )
    .await;
    let message = answer["error"]["message"].as_str().expect("message");
    assert!(message.contains("nay là UBND xã Thử Một"), "{message}");
    // A malformed code is refused by its shape.
    let (status, answer) = post_json(
        &app,
        "/api/v1/feedback",
        &feedback(json!({"commune_code": "xã Thử Một"})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["field"], "commune_code", "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .expect("message")
        .starts_with("Xã, phường, đặc khu: "));
    let count: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM intake_items", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 0, "nothing refused was stored");
}

#[tokio::test]
async fn a_department_level_procedure_keeps_its_rule_and_district_rules_route_nothing() {
    // Arrange: the department procedure has a rule at its level and an old one at the district
    // level; the commune procedure has only a district rule.
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let client = app.db.client().await;
    client
        .batch_execute(&format!(
            "INSERT INTO procedure_routes (procedure_code, level, agency_code) VALUES
                ('{DEPARTMENT_PROCEDURE}', 'department', '{DEPARTMENT}'),
                ('{DEPARTMENT_PROCEDURE}', 'district', '{DISTRICT}'),
                ('{COMMUNE_PROCEDURE}', 'district', '{DISTRICT}');"
        ))
        .await
        .expect("rules");

    // Act: both name the asker's commune.
    let department = submit_question(
        &app,
        json!({"procedure_code": DEPARTMENT_PROCEDURE, "commune_code": COMMUNE}),
    )
    .await;
    let commune_rule_only =
        submit_question(&app, json!({"procedure_code": COMMUNE_PROCEDURE})).await;
    let (status, district) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"procedure_code": DEPARTMENT_PROCEDURE, "level": "district"})),
    )
    .await;

    // Assert: the department's rule, the chosen commune kept on the item; the district rule is
    // not used and the district level is not accepted for a new item.
    assert_eq!(
        stored(&app, &department).await,
        ("forwarded".into(), Some(DEPARTMENT.to_owned()))
    );
    assert_eq!(
        routing_of(&app, &department).await,
        (Some(COMMUNE.to_owned()), "procedure".to_owned())
    );
    assert_eq!(
        stored(&app, &commune_rule_only).await,
        ("received".into(), None)
    );
    assert_eq!(status, 400, "{district}");
    let message = district["error"]["message"].as_str().expect("message");
    assert_eq!(district["error"]["field"], "level", "{district}");
    assert!(message.starts_with("Cấp giải quyết: "), "{message}");
    assert!(message.contains("không còn"), "{message}");
}

#[tokio::test]
async fn the_forms_offer_living_communes_and_todays_levels_only() {
    // Arrange
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let operator = staff_session(&app, "dtv.tongdai", "operator", None).await;

    // Act
    let web = app
        .get("/gui-phan-anh")
        .await
        .text()
        .await
        .expect("feedback form");
    let hotline = operator
        .get(&app, "/can-bo/tong-dai/ghi-nhan")
        .await
        .text()
        .await
        .expect("filing form");

    // Assert
    for (name, page) in [("web", &web), ("hotline", &hotline)] {
        assert!(page.contains("name=\"commune_code\""), "{name}");
        assert!(
            page.contains(&format!("value=\"{WARD}\">UBND phường Thử Hai")),
            "{name}"
        );
        assert!(page.contains(&format!("value=\"{COMMUNE}\"")), "{name}");
        assert!(!page.contains(&format!("value=\"{MERGED}\"")), "{name}");
        assert!(!page.contains(&format!("value=\"{DISTRICT}\"")), "{name}");
        assert!(page.contains("value=\"commune\""), "{name}");
        assert!(page.contains("value=\"special_zone\""), "{name}");
        assert!(!page.contains("value=\"district\""), "{name}");
        assert!(
            !page.contains("Cấp huyện"),
            "{name}: no district level offered"
        );
    }
}

#[tokio::test]
async fn the_hotline_operator_files_for_the_callers_commune() {
    // Arrange
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let operator = staff_session(&app, "dtv.xa", "operator", None).await;

    // Act
    let refused = operator
        .post(
            &app,
            "/can-bo/tong-dai/ghi-nhan",
            &[
                ("kind", "question"),
                ("phone", "0912345678"),
                ("subject", "Hỏi khai sinh"),
                ("body", "Người gọi hỏi thủ tục khai sinh"),
                ("procedure_code", COMMUNE_PROCEDURE),
                ("commune_code", MERGED),
            ],
        )
        .await;
    let refused_status = refused.status().as_u16();
    let refused_page = refused.text().await.expect("page");
    let filed = operator
        .post(
            &app,
            "/can-bo/tong-dai/ghi-nhan",
            &[
                ("kind", "question"),
                ("phone", "0912345678"),
                ("subject", "Hỏi khai sinh"),
                ("body", "Người gọi hỏi thủ tục khai sinh"),
                ("procedure_code", COMMUNE_PROCEDURE),
                ("commune_code", WARD),
            ],
        )
        .await;
    let filed_status = filed.status().as_u16();

    // Assert: the refusal is shown on the form, which keeps what was typed.
    assert_eq!(refused_status, 400, "{refused_page}");
    assert!(
        refused_page.contains("đã ngừng tiếp nhận"),
        "{refused_page}"
    );
    assert!(refused_page.contains("Người gọi hỏi thủ tục khai sinh"));
    assert!(filed_status < 400, "{filed_status}");
    let agency: Option<String> = app
        .db
        .client()
        .await
        .query_one(
            "SELECT agency_code FROM intake_items WHERE channel = 'hotline'",
            &[],
        )
        .await
        .expect("the filed item")
        .get(0);
    assert_eq!(agency.as_deref(), Some(WARD));
}

#[tokio::test]
async fn the_desk_heads_forward_list_shows_only_living_agencies() {
    // Arrange
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    let desk = staff_session(&app, "truong.motcua.xa", "desk_head", None).await;
    // No procedure: the commune chosen does not route it, but the desk head sees it.
    let code = submit_question(&app, json!({"commune_code": COMMUNE})).await;

    // Act
    let page = desk
        .get(&app, &format!("/can-bo/muc/{code}"))
        .await
        .text()
        .await
        .expect("item page");
    let forward_to_closed = desk
        .act(&app, &code, "forward", &[("agency_code", MERGED)])
        .await;

    // Assert
    let select = page
        .split("name=\"agency_code\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the forward list");
    assert!(select.contains(&format!("value=\"{COMMUNE}\"")), "{select}");
    assert!(select.contains(&format!("value=\"{DEPARTMENT}\"")));
    assert!(!select.contains(&format!("value=\"{MERGED}\"")), "{select}");
    assert!(
        !select.contains(&format!("value=\"{DISTRICT}\"")),
        "{select}"
    );
    assert_eq!(forward_to_closed, 400);
    assert_eq!(stored(&app, &code).await, ("received".into(), None));
    assert!(
        page.contains("Xã, phường, đặc khu của người gửi</dt><dd>UBND xã Thử Một</dd>"),
        "the commune chosen is shown"
    );
}

#[tokio::test]
async fn the_routes_screen_offers_no_historical_level_and_marks_old_rules() {
    // Arrange
    let app = spawn_intake_app().await;
    arrange_place(&app).await;
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO procedure_routes (procedure_code, level, agency_code)
             VALUES ($1, 'district', $2)",
            &[&COMMUNE_PROCEDURE, &DISTRICT],
        )
        .await
        .expect("an old rule");
    let admin = staff_session(&app, "quan.tri", "administrator", None).await;

    // Act
    let page = admin
        .get(&app, "/can-bo/dinh-tuyen")
        .await
        .text()
        .await
        .expect("routes page");
    let district = admin
        .post(
            &app,
            "/can-bo/dinh-tuyen",
            &[
                ("procedure_code", DEPARTMENT_PROCEDURE),
                ("level", "district"),
                ("agency_code", DEPARTMENT),
            ],
        )
        .await;
    let district_status = district.status().as_u16();
    let district_page = district.text().await.expect("page");
    let department = admin
        .post(
            &app,
            "/can-bo/dinh-tuyen",
            &[
                ("procedure_code", DEPARTMENT_PROCEDURE),
                ("level", "department"),
                ("agency_code", DEPARTMENT),
            ],
        )
        .await;

    // Assert
    let select = page
        .split("name=\"level\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the level list");
    assert!(select.contains("value=\"department\""), "{select}");
    assert!(select.contains("value=\"ward\""), "{select}");
    assert!(!select.contains("value=\"district\""), "{select}");
    assert!(
        page.contains("Cấp huyện (đến ngày 30/6/2025) (chỉ để tra cứu"),
        "the old rule is listed as history"
    );
    assert_eq!(district_status, 400);
    assert!(district_page.contains("không còn"), "{district_page}");
    assert_eq!(department.status().as_u16(), 303);
    let rules: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM procedure_routes WHERE procedure_code = $1",
            &[&DEPARTMENT_PROCEDURE],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(rules, 1);
}
