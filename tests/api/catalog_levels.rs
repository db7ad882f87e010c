//! A procedure's level is a row of `agency_levels`, as an agency's is: the catalog push accepts
//! any level there is (a ward, the province) and refuses another by item, naming those there are.

use serde_json::{json, Value};

use crate::sync_push::{spawn_sync_app, SECRET};

fn procedure(code: &str, level: &str) -> Value {
    json!({
        "code": code,
        "name": "Thủ tục thử cấp giải quyết",
        "field": "Hộ tịch",
        "processing_days": 3,
        "fee_vnd": 0,
        "online_level": "partial",
        "level": level,
        "version": 1
    })
}

#[tokio::test]
async fn a_procedure_level_is_checked_against_the_levels_table() {
    // Arrange: a level added as a row, then procedures of it, of a level of V9's list, and of
    // a level that is no row.
    let app = spawn_sync_app().await;
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO agency_levels (code, label_vi, label_en, historical, sort_order, tier)
             VALUES ('hamlet', 'Thôn', 'Hamlet', false, 70, 'local')",
            &[],
        )
        .await
        .expect("a new level");
    let items = [
        procedure("1.099001", "hamlet"),
        procedure("1.099002", "Ward"),
        procedure("1.099003", "commune"),
        procedure("1.099004", "village"),
        procedure("1.099005", "bad level!"),
    ];

    // Act
    let body = serde_json::to_vec(&items).expect("json");
    let response = app
        .push_raw(
            "/sync/v1/procedures",
            body,
            "application/json",
            Some(SECRET),
            None,
        )
        .await;

    // Assert
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.expect("report");
    assert_eq!(report["applied"], 3, "{report}");
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{report}");
    assert_eq!(errors[0]["index"], 3);
    assert_eq!(errors[0]["field"], "level");
    let reason = errors[0]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("village") && reason.contains("hamlet") && reason.contains("ward"),
        "{reason}"
    );
    assert_eq!(errors[1]["index"], 4);
    assert_eq!(errors[1]["field"], "level");
    let stored: Vec<(String, String)> = app
        .db
        .client()
        .await
        .query(
            "SELECT code, level FROM procedures WHERE code LIKE '1.09900%' ORDER BY code",
            &[],
        )
        .await
        .expect("procedures")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        stored,
        [
            ("1.099001".to_owned(), "hamlet".to_owned()),
            ("1.099002".to_owned(), "ward".to_owned()),
            ("1.099003".to_owned(), "commune".to_owned()),
        ]
    );
}
