//! Levels are data in the catalogue (issue 20): a pushed procedure's level is checked against
//! `agency_levels`, and a ward or special zone settles the commune-level procedures for its own
//! place like a commune does. The agencies are made by the test.

use serde_json::json;

use crate::helpers::TestApp;

const WARD: &str = "999.92.01.H48";

async fn push_procedures(app: &TestApp, items: serde_json::Value) -> serde_json::Value {
    let response = app
        .push_raw(
            "/sync/v1/procedures",
            serde_json::to_vec(&items).expect("json"),
            "application/json",
            Some(crate::sync_push::SECRET),
            None,
        )
        .await;
    response.json().await.expect("json report")
}

fn procedure(code: &str, level: &str) -> serde_json::Value {
    json!({
        "code": code, "name": "Thủ tục thử cấp xã", "field": "Thử nghiệm cấp xã",
        "processing_days": 1, "online_level": "full", "version": 1, "level": level,
    })
}

#[tokio::test]
async fn a_procedure_level_is_a_row_of_the_levels_table_and_a_ward_settles_commune_procedures() {
    // Arrange
    let app = crate::sync_push::spawn_sync_app().await;
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO agencies (code, parent_code, kind, name)
             VALUES ($1, '000.00.00.H48', 'ward', 'UBND phường Thử Nghiệm')",
            &[&WARD],
        )
        .await
        .expect("a ward");

    // Act: a commune-level procedure, one at a level that is not a row, and one at the
    // historical district level (kept valid for the procedures of before the reform).
    let report = push_procedures(
        &app,
        json!([
            procedure("9.990101", "commune"),
            procedure("9.990102", "hamlet"),
            procedure("9.990103", "district"),
        ]),
    )
    .await;
    let (status, fields) = app
        .get_json(&format!("/api/v1/catalog/agencies/{WARD}/fields"))
        .await;

    // Assert
    assert_eq!(report["applied"], 2, "{report}");
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["index"], 1);
    assert_eq!(errors[0]["field"], "level");
    let reason = errors[0]["reason"].as_str().expect("reason");
    assert!(reason.contains("hamlet is not a level"), "{reason}");
    assert!(
        reason.contains("special_zone"),
        "names the levels there are: {reason}"
    );
    assert_eq!(status, 200, "{fields}");
    assert!(
        fields["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["field"] == "Thử nghiệm cấp xã"),
        "the ward settles the commune-level procedure: {fields}"
    );
}
