//! The catalogue endpoints the kiosk browses: level → agency → field → procedure, search that
//! ignores diacritics, one procedure with documents, fee, time and place, and its QR code.

use crate::api_dossiers::url_encode;
use crate::helpers::{spawn_app, TestApp};

async fn procedure_with_level(app: &TestApp, level: &str) -> (String, String, Option<String>) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT code, name, agency_code FROM procedures WHERE level = $1 ORDER BY code LIMIT 1",
            &[&level],
        )
        .await
        .expect("a procedure of that level");
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test]
async fn browsing_goes_from_level_to_agency_to_field_to_procedure() {
    // Arrange
    let app = spawn_app().await;
    let (code, name, agency) = procedure_with_level(&app, "department").await;
    let agency = agency.expect("department procedures name their department");

    // Act: the departments that settle procedures
    let (status, body) = app
        .get_json("/api/v1/catalog/agencies?level=department")
        .await;

    // Assert
    assert_eq!(status, 200, "{body}");
    let agencies = body["agencies"].as_array().expect("agencies");
    let listed = agencies
        .iter()
        .find(|a| a["code"] == agency.as_str())
        .expect("the department is listed");
    assert!(listed["procedures"].as_i64().unwrap() >= 1);
    assert!(agencies
        .iter()
        .all(|a| a["procedures"].as_i64().unwrap() >= 1));

    // Act: its fields
    let (status, body) = app
        .get_json(&format!("/api/v1/catalog/agencies/{agency}/fields"))
        .await;
    assert_eq!(status, 200, "{body}");
    let field: String = app
        .db
        .client()
        .await
        .query_one("SELECT field FROM procedures WHERE code = $1", &[&code])
        .await
        .unwrap()
        .get(0);
    assert!(
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == field.as_str()),
        "{body}"
    );

    // Act: the procedures of that field
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/catalog/procedures?agency={agency}&field={}",
            url_encode(&field)
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let procedures = body["procedures"].as_array().unwrap();
    assert!(procedures
        .iter()
        .any(|p| p["code"] == code.as_str() && p["name"] == name.as_str()));
    assert!(procedures.iter().all(|p| p["field"] == field.as_str()));
}

#[tokio::test]
async fn the_parent_filter_keeps_the_children_of_one_agency() {
    // Arrange: a parent of commune-level agencies, whatever the demo's hierarchy
    let app = spawn_app().await;
    let (status, all) = app.get_json("/api/v1/catalog/agencies?tier=local").await;
    assert_eq!(status, 200, "{all}");
    let parent = all["agencies"]
        .as_array()
        .expect("agencies")
        .iter()
        .find_map(|a| a["parent_code"].as_str())
        .expect("a commune-level agency with a parent")
        .to_owned();

    // Act
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/catalog/agencies?tier=local&parent={parent}"
        ))
        .await;

    // Assert
    assert_eq!(status, 200, "{body}");
    let children = body["agencies"].as_array().unwrap();
    assert!(!children.is_empty());
    assert!(children
        .iter()
        .all(|c| c["parent_code"] == parent.as_str() && c["kind"] != "district"));
}

#[tokio::test]
async fn search_ignores_diacritics_and_case() {
    // Arrange: a procedure name with diacritics
    let app = spawn_app().await;
    let (code, name, _) = procedure_with_level(&app, "commune").await;
    let words: Vec<&str> = name.split_whitespace().take(3).collect();
    let accented = words.join(" ");
    let plain = tracuu::domain::text::strip_diacritics(&accented).to_uppercase();
    assert_ne!(accented, plain, "the test needs a name with diacritics");

    for query in [accented.clone(), plain.clone()] {
        // Act
        let (status, body) = app
            .get_json(&format!(
                "/api/v1/catalog/procedures?q={}",
                url_encode(&query)
            ))
            .await;

        // Assert
        assert_eq!(status, 200, "{query}: {body}");
        let found = body["procedures"].as_array().unwrap();
        assert!(
            found.iter().any(|p| p["code"] == code.as_str()),
            "{query:?} did not find {code}: {body}"
        );
    }
}

#[tokio::test]
async fn search_treats_like_wildcards_literally_and_rejects_empty_or_long_text() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/api/v1/catalog/procedures?q=%25").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["procedures"].as_array().unwrap().len(), 0, "{body}");

    let (status, body) = app.get_json("/api/v1/catalog/procedures?q=_").await;
    assert_eq!(status, 200);
    assert_eq!(body["procedures"].as_array().unwrap().len(), 0, "{body}");

    let (status, body) = app.get_json("/api/v1/catalog/procedures?q=%20%20").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_input");

    let long = "a".repeat(101);
    let (status, body) = app
        .get_json(&format!("/api/v1/catalog/procedures?q={long}"))
        .await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = app.get_json("/api/v1/catalog/procedures").await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = app
        .get_json("/api/v1/catalog/procedures?q=x&unknown=1")
        .await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = app
        .get_json("/api/v1/catalog/procedures?q=%27%3B%20DROP%20TABLE%20procedures%3B--")
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.get_json("/api/v1/catalog/agencies?tier=local").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_procedure_shows_documents_time_fee_and_place() {
    // Arrange
    let app = spawn_app().await;
    let (code, name, _) = procedure_with_level(&app, "department").await;

    // Act
    let (status, body) = app
        .get_json(&format!("/api/v1/catalog/procedures/{code}"))
        .await;

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], name.as_str());
    assert!(body["processing_days"].is_i64());
    assert!(
        body["fee_vnd"].is_i64() || body["fee_note"].is_string(),
        "{body}"
    );
    let documents = body["documents"].as_array().unwrap();
    assert!(documents.len() >= 2, "{body}");
    assert!(documents
        .iter()
        .all(|d| d["name"].as_str().is_some_and(|n| !n.is_empty())));
    assert!(body["place"]["address"].is_string(), "{body}");
    assert!(body["place"]["phone"].is_string(), "{body}");
    assert!(body["phone_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/thu-tuc/{code}")));
}

#[tokio::test]
async fn a_commune_procedure_is_filed_at_the_browsed_commune_desk() {
    let app = spawn_app().await;
    let (code, _, _) = procedure_with_level(&app, "commune").await;
    let commune: String = app
        .db
        .client()
        .await
        .query_one(
            "SELECT code FROM agencies WHERE kind = 'commune' AND valid_until IS NULL
              ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let district: String = app
        .db
        .client()
        .await
        .query_one(
            "SELECT code FROM agencies WHERE kind = 'district' ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);

    let (status, body) = app
        .get_json(&format!(
            "/api/v1/catalog/procedures/{code}?agency={commune}"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["place"]["agency_code"], commune.as_str());
    // The phone continues on the public procedure page, with the commune browsed through.
    assert!(
        body["phone_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/thu-tuc/{code}?co-quan={commune}")),
        "{body}"
    );
    assert_eq!(
        body["qr_svg"],
        format!("/api/v1/catalog/procedures/{code}/qr.svg?agency={commune}")
    );

    // Browsing through an agency of another level does not make it the place to file.
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/catalog/procedures/{code}?agency={district}"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["place"].is_null(), "{body}");
    assert!(body["place_note"]
        .as_str()
        .unwrap()
        .contains("Trung tâm Phục vụ hành chính công xã, phường, đặc khu"));
}

#[tokio::test]
async fn unknown_and_malformed_catalogue_codes_get_specific_errors() {
    let app = spawn_app().await;
    let cases = [
        (
            "/api/v1/catalog/procedures/9.999999",
            404,
            "procedure_not_found",
        ),
        (
            "/api/v1/catalog/procedures/abc",
            400,
            "invalid_procedure_code",
        ),
        (
            "/api/v1/catalog/procedures/9.999999/qr.svg",
            404,
            "procedure_not_found",
        ),
        (
            "/api/v1/catalog/agencies/000.99.99.H48/fields",
            404,
            "agency_not_found",
        ),
        (
            "/api/v1/catalog/agencies/%3Cscript%3E/fields",
            400,
            "invalid_agency_code",
        ),
        (
            "/api/v1/catalog/agencies?level=planet",
            400,
            "invalid_input",
        ),
        ("/api/v1/catalog/agencies", 400, "invalid_input"),
        ("/api/v1/stats/on-time?level=x", 400, "invalid_input"),
    ];
    for (path, expected, code) in cases {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }
}

#[tokio::test]
async fn the_procedure_qr_is_an_svg_image() {
    let app = spawn_app().await;
    let (code, _, _) = procedure_with_level(&app, "commune").await;

    let response = app
        .get(&format!("/api/v1/catalog/procedures/{code}/qr.svg"))
        .await;

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let body = response.text().await.unwrap();
    assert!(body.contains("<svg") && body.contains("</svg>"), "{body}");
}

#[tokio::test]
async fn search_matches_word_beginnings_and_ranks_the_typed_phrase_first() {
    let app = spawn_app().await;

    let (status, body) = app.get_json("/api/v1/catalog/procedures?q=ho%20tich").await;

    assert_eq!(status, 200, "{body}");
    let found = body["procedures"].as_array().unwrap();
    assert!(!found.is_empty());
    // "tich" must begin a word: "Chủ tịch" counts, "thích" would not; the field "Hộ tịch" ranks first.
    assert_eq!(found[0]["field"], "Hộ tịch", "{body}");
    let folded = |s: &str| tracuu::domain::text::strip_diacritics(s).to_lowercase();
    for p in found {
        let text = folded(&format!(
            "{} {}",
            p["name"].as_str().unwrap(),
            p["field"].as_str().unwrap()
        ));
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
            .collect();
        assert!(words.iter().any(|w| w.starts_with("ho")), "{p}");
        assert!(words.iter().any(|w| w.starts_with("tich")), "{p}");
    }

    let (_, by_code) = app
        .get_json(&format!(
            "/api/v1/catalog/procedures?q={}",
            found[0]["code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_code["procedures"][0]["code"], found[0]["code"]);
}

#[tokio::test]
async fn the_sql_fold_agrees_with_the_rust_one_on_the_whole_catalogue() {
    // Arrange: every name and field of the demo catalogue, and the upper-case forms.
    let app = spawn_app().await;
    let client = app.db.client().await;
    let rows = client
        .query(
            "SELECT t, tracuu_fold(t) FROM (SELECT name AS t FROM procedures
                UNION SELECT field FROM procedures UNION SELECT upper(name) FROM procedures
                UNION SELECT name FROM agencies) AS s",
            &[],
        )
        .await
        .unwrap();

    // Assert
    assert!(rows.len() > 100);
    for row in rows {
        let text: String = row.get(0);
        let folded: String = row.get(1);
        let expected = tracuu::domain::text::strip_diacritics(&text).to_lowercase();
        assert_eq!(folded, expected, "{text}");
    }
}

#[tokio::test]
async fn imported_procedures_carry_level_department_desk_and_documents() {
    // Arrange: the sample catalogue files, imported over the demo province.
    let app = spawn_app().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/catalog");
    for (kind, file) in [
        (tracuu::sync::import::CatalogKind::Agencies, "agencies.csv"),
        (
            tracuu::sync::import::CatalogKind::Procedures,
            "procedures.csv",
        ),
    ] {
        let report = tracuu::sync::import::import_csv(&app.db.url, kind, &root.join(file))
            .await
            .expect(file);
        assert!(report.is_clean(), "{file}: {:#?}", report.errors);
    }

    // Act
    let (status, body) = app.get_json("/api/v1/catalog/procedures/2.000488").await;

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["level"], "department");
    assert_eq!(body["place"]["agency_code"], "000.00.02.H48");
    let documents: Vec<&str> = body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(documents.len(), 3, "{body}");
    assert!(documents[0].starts_with("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"));
    let (_, fields) = app
        .get_json("/api/v1/catalog/agencies/000.00.02.H48/fields")
        .await;
    assert!(fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "Lý lịch tư pháp"));
}

async fn push_procedures(app: &TestApp, items: serde_json::Value) -> (u16, serde_json::Value) {
    let body = serde_json::to_vec(&items).expect("json");
    let response = app
        .push_raw(
            "/sync/v1/procedures",
            body,
            "application/json",
            Some(crate::sync_push::SECRET),
            None,
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json report"))
}

#[tokio::test]
async fn pushed_procedures_carry_documents_and_an_omitted_list_keeps_the_stored_one() {
    // Arrange
    let app = crate::sync_push::spawn_sync_app().await;
    let department: String = app
        .db
        .client()
        .await
        .query_one(
            "SELECT code FROM agencies WHERE kind = 'department' ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let item = |version: i64, documents: Option<serde_json::Value>| {
        let mut p = serde_json::json!({
            "code": "1.999001", "name": "Thủ tục thử nghiệm cấp phép", "field": "Thử nghiệm",
            "processing_days": 5, "fee_vnd": 50000, "online_level": "full", "version": version,
            "level": "department", "agency_code": department, "desk_agency_code": department,
        });
        if let Some(documents) = documents {
            p["documents"] = documents;
        }
        p
    };

    // Act: with two documents, then a newer version without a list
    let (status, report) = push_procedures(
        &app,
        serde_json::json!([item(
            1,
            Some(serde_json::json!([{ "name": "Đơn đề nghị theo mẫu" }, { "name": "Bản sao giấy phép", "copies": 2 }]))
        )]),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let (status, report) = push_procedures(&app, serde_json::json!([item(2, None)])).await;
    assert_eq!(status, 200, "{report}");

    // Assert
    let (_, body) = app.get_json("/api/v1/catalog/procedures/1.999001").await;
    assert_eq!(body["level"], "department");
    assert_eq!(body["place"]["agency_code"], department.as_str());
    assert_eq!(body["documents"][0]["name"], "Đơn đề nghị theo mẫu");
    assert_eq!(body["documents"][1]["copies"], 2);
    assert_eq!(body["documents"].as_array().unwrap().len(), 2);
    let (_, fields) = app
        .get_json(&format!("/api/v1/catalog/agencies/{department}/fields"))
        .await;
    assert!(fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "Thử nghiệm"));

    // An empty list clears; bad levels, agencies on other levels and bad copies are refused.
    let (_, report) = push_procedures(
        &app,
        serde_json::json!([item(3, Some(serde_json::json!([])))]),
    )
    .await;
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
    let (_, body) = app.get_json("/api/v1/catalog/procedures/1.999001").await;
    assert_eq!(body["documents"].as_array().unwrap().len(), 0);

    let mut bad_level = item(4, None);
    bad_level["level"] = "planet".into();
    bad_level["agency_code"] = serde_json::Value::Null;
    bad_level["desk_agency_code"] = serde_json::Value::Null;
    let mut agency_on_commune = item(4, None);
    agency_on_commune["level"] = "commune".into();
    let bad_copies = item(4, Some(serde_json::json!([{ "name": "x", "copies": 0 }])));
    let empty_name = item(4, Some(serde_json::json!([{ "name": "  " }])));
    let (_, report) = push_procedures(
        &app,
        serde_json::json!([bad_level, agency_on_commune, bad_copies, empty_name]),
    )
    .await;
    // (A level of the right shape is checked against agency_levels when the batch is applied,
    // after the other checks: the report is put in item order here.)
    let mut fields: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            (0, "level"),
            (1, "agency_code"),
            (2, "documents.copies"),
            (3, "documents.name")
        ],
        "{report}"
    );
}

#[tokio::test]
async fn fields_are_listed_in_vietnamese_alphabetical_order() {
    let app = spawn_app().await;
    let (_, communes) = app.get_json("/api/v1/catalog/agencies?level=commune").await;
    let commune = communes["agencies"][0]["code"].as_str().unwrap().to_owned();

    let (status, body) = app
        .get_json(&format!("/api/v1/catalog/agencies/{commune}/fields"))
        .await;

    assert_eq!(status, 200);
    let fields: Vec<String> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    let folded: Vec<String> = fields
        .iter()
        .map(|f| tracuu::domain::text::strip_diacritics(f).to_lowercase())
        .collect();
    let mut sorted = folded.clone();
    sorted.sort();
    assert_eq!(folded, sorted, "{fields:?}");
    assert!(fields.iter().any(|f| f.starts_with('Đ')), "{fields:?}");
}

#[tokio::test]
async fn a_failed_catalogue_query_is_an_opaque_internal_error() {
    // Arrange: the database answers, but one table the catalogue reads is gone.
    let app = spawn_app().await;
    let (code, _, _) = procedure_with_level(&app, "department").await;
    app.db
        .client()
        .await
        .batch_execute("DROP TABLE procedure_documents")
        .await
        .expect("sabotage");

    // Act
    let (status, body) = app
        .get_json(&format!("/api/v1/catalog/procedures/{code}"))
        .await;

    // Assert: our failure, not "unavailable", and not the database's words.
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "internal");
    assert!(!body.to_string().contains("procedure_documents"), "{body}");
}
