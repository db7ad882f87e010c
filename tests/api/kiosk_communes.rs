//! The kiosk after the 2025 reform (issue 20): browsing offers the tiers of `agency_levels`
//! (cấp tỉnh, cấp xã) with every living commune, ward and special zone and no district step;
//! contacts list the provincial service centre, then the commune-level centres; statistics group
//! by living agencies, a closed agency's dossiers rolled up to its one living successor. Every
//! local agency here is made by the test (codes of a made-up province, H99), so the tests hold
//! whatever the demo province looks like.

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

const PROVINCE: &str = "000.00.00.H48";
const CENTRE: &str = "000.00.16.H48";

/// Inserts a living agency of `kind` under the provincial UBND, with a desk.
async fn agency(app: &TestApp, code: &str, kind: &str, name: &str) {
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO agencies (code, parent_code, kind, name, desk_address, desk_phone, desk_hours)
             VALUES ($1, $2, $3, $4, 'Số 1 đường Thử', '0255 3999 001', 'Thứ Hai đến thứ Sáu')",
            &[&code, &PROVINCE, &kind, &name],
        )
        .await
        .expect("agency");
}

/// Closes `code` on 1 July 2025 with `successors`.
async fn close(app: &TestApp, code: &str, successors: &[&str]) {
    let client = app.db.client().await;
    client
        .execute(
            "UPDATE agencies SET valid_until = '2025-07-01' WHERE code = $1",
            &[&code],
        )
        .await
        .expect("close");
    for successor in successors {
        client
            .execute(
                "INSERT INTO agency_successors (agency_code, successor_code) VALUES ($1, $2)",
                &[&code, successor],
            )
            .await
            .expect("successor");
    }
}

fn codes(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {body}"))
        .iter()
        .map(|a| a["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The agencies of the test's own province (H99) among `codes`, in the order given.
fn ours(codes: &[String]) -> Vec<&str> {
    codes
        .iter()
        .filter(|c| c.ends_with(".H99"))
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn the_first_step_offers_the_tiers_of_the_levels_table_without_the_district() {
    // Arrange: a level added as a row
    let app = spawn_app().await;
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

    // Act
    let (status, body) = app.get_json("/api/v1/catalog/levels").await;

    // Assert
    assert_eq!(status, 200, "{body}");
    let tiers = body["tiers"].as_array().expect("tiers");
    let names: Vec<&str> = tiers.iter().map(|t| t["tier"].as_str().unwrap()).collect();
    assert_eq!(names, ["province", "local"]);
    assert_eq!(tiers[0]["label"], "Cấp tỉnh");
    assert_eq!(tiers[1]["label"], "Cấp xã");
    let local: Vec<&str> = tiers[1]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(local, ["commune", "ward", "special_zone", "hamlet"]);
    assert!(!body.to_string().contains("district"), "{body}");
}

#[tokio::test]
async fn the_commune_tier_lists_every_living_commune_ward_and_special_zone_by_place() {
    // Arrange: a commune, a ward and a special zone under the province, a closed commune and a
    // living district of before the reform.
    let app = spawn_app().await;
    agency(&app, "900.01.01.H99", "commune", "UBND xã Đa Thử").await;
    agency(&app, "900.01.02.H99", "ward", "Phường Cà Thử").await;
    agency(&app, "900.01.03.H99", "special_zone", "Đặc khu Ba Thử").await;
    agency(&app, "900.01.04.H99", "commune", "UBND xã Ấp Thử").await;
    close(&app, "900.01.04.H99", &["900.01.01.H99"]).await;
    agency(&app, "900.01.05.H99", "district", "UBND huyện An Thử").await;

    // Act
    let (status, body) = app.get_json("/api/v1/catalog/agencies?tier=local").await;

    // Assert: by the name of the place, without the closed commune or the district
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tier"], "local");
    let listed = codes(&body, "agencies");
    assert_eq!(
        ours(&listed),
        ["900.01.03.H99", "900.01.02.H99", "900.01.01.H99"]
    );
    let agencies = body["agencies"].as_array().unwrap();
    assert!(agencies
        .iter()
        .all(|a| a["kind"] != "district" && a["kind"] != "department"));
    let ward = agencies
        .iter()
        .find(|a| a["code"] == "900.01.02.H99")
        .unwrap();
    assert_eq!(ward["kind_label"], "Phường");

    // One level of today only
    let (status, body) = app.get_json("/api/v1/catalog/agencies?level=ward").await;
    assert_eq!(status, 200, "{body}");
    assert!(codes(&body, "agencies").contains(&"900.01.02.H99".to_owned()));
    assert!(body["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] == "ward"));

    // The province tier: the departments that settle procedures, no local agency
    let (status, body) = app.get_json("/api/v1/catalog/agencies?tier=province").await;
    assert_eq!(status, 200, "{body}");
    let agencies = body["agencies"].as_array().unwrap();
    assert!(!agencies.is_empty());
    assert!(agencies
        .iter()
        .all(|a| a["procedures"].as_i64().unwrap() >= 1
            && matches!(a["kind"].as_str(), Some("department" | "province"))));
}

#[tokio::test]
async fn a_ward_settles_commune_procedures_and_is_the_place_to_file_them() {
    // Arrange: a ward and a commune-level procedure
    let app = spawn_app().await;
    agency(&app, "900.02.01.H99", "ward", "Phường Thử Nghiệm").await;
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO procedures (code, name, field, processing_days, online_level, level)
             VALUES ('1.098001', 'Thủ tục thử cấp xã', 'Lĩnh vực thử', 3, 'full', 'commune')",
            &[],
        )
        .await
        .expect("procedure");

    // Act: its fields, the field's procedures, the procedure browsed through it
    let (status, fields) = app
        .get_json("/api/v1/catalog/agencies/900.02.01.H99/fields")
        .await;
    let (_, listed) = app
        .get_json("/api/v1/catalog/procedures?agency=900.02.01.H99&field=L%C4%A9nh%20v%E1%BB%B1c%20th%E1%BB%AD")
        .await;
    let (_, browsed) = app
        .get_json("/api/v1/catalog/procedures/1.098001?agency=900.02.01.H99")
        .await;
    let (_, direct) = app.get_json("/api/v1/catalog/procedures/1.098001").await;
    let (_, elsewhere) = app
        .get_json(&format!(
            "/api/v1/catalog/procedures/1.098001?agency={CENTRE}"
        ))
        .await;

    // Assert
    assert_eq!(status, 200, "{fields}");
    assert!(fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "Lĩnh vực thử"));
    assert_eq!(codes(&listed, "procedures"), ["1.098001"]);
    assert_eq!(
        browsed["place"]["agency_code"], "900.02.01.H99",
        "{browsed}"
    );
    assert_eq!(browsed["place"]["phone"], "0255 3999 001");
    assert!(direct["place"].is_null(), "{direct}");
    let note = direct["place_note"].as_str().expect("a place note");
    assert!(
        note.contains("Trung tâm Phục vụ hành chính công xã, phường, đặc khu")
            && note.contains("không phụ thuộc nơi cư trú")
            && !note.contains("huyện"),
        "{note}"
    );
    assert!(
        elsewhere["place"].is_null(),
        "a department does not settle it: {elsewhere}"
    );
}

#[tokio::test]
async fn a_bad_level_is_refused_naming_the_tiers_and_levels_there_are() {
    let app = spawn_app().await;
    for query in [
        "level=district",
        "level=huyen",
        "tier=national",
        "tier=local&level=commune",
        "",
    ] {
        // Act
        let (status, body) = app
            .get_json(&format!("/api/v1/catalog/agencies?{query}"))
            .await;

        // Assert
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("local (Cấp xã)")
                && message.contains("province (Cấp tỉnh)")
                && message.contains("ward (Phường)")
                && message.contains("special_zone (Đặc khu)")
                && !message.contains("district"),
            "{query}: {message}"
        );
    }
    let (status, body) = app.get_json("/api/v1/stats/on-time?level=district").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("commune (Xã)"));
}

#[tokio::test]
async fn contacts_list_the_provincial_centre_first_then_the_commune_centres_and_no_district() {
    // Arrange
    let app = spawn_app().await;
    agency(
        &app,
        "900.03.01.H99",
        "ward",
        "Trung tâm Phục vụ hành chính công phường Thử",
    )
    .await;
    agency(&app, "900.03.02.H99", "commune", "UBND xã Đóng Thử").await;
    close(&app, "900.03.02.H99", &[]).await;
    agency(&app, "900.03.03.H99", "district", "UBND huyện Cũ Thử").await;

    // Act
    let (status, body) = app.get_json("/api/v1/kiosk/contacts").await;

    // Assert
    assert_eq!(status, 200, "{body}");
    let desks = body["desks"].as_array().unwrap();
    assert_eq!(desks[0]["code"], CENTRE, "{}", desks[0]);
    assert_eq!(desks[0]["tier"], "province");
    let listed = codes(&body, "desks");
    assert_eq!(ours(&listed), ["900.03.01.H99"]);
    assert!(desks.iter().all(|d| d["kind"] != "district"));
    assert!(desks
        .iter()
        .all(|d| d["phone"].is_string() && d["hours"].is_string()));
    // Province-tier desks first, then the local ones.
    let first_local = desks.iter().position(|d| d["tier"] == "local").unwrap();
    assert!(desks[first_local..].iter().all(|d| d["tier"] == "local"));
    let ward = &desks[listed.iter().position(|c| c == "900.03.01.H99").unwrap()];
    assert_eq!(ward["address"], "Số 1 đường Thử");
    assert_eq!(ward["tier_label"], "Cấp xã");
}

/// Moves `n` settled dossiers (a result, an appointment, finished within the statistics' year)
/// to `agency`, making them on time or late.
async fn settle(app: &TestApp, agency: &str, n: i64, on_time: bool) {
    let finished = if on_time {
        "- interval '1 day'"
    } else {
        "+ interval '3 days'"
    };
    let moved = app
        .db
        .client()
        .await
        .execute(
            &format!(
                "UPDATE dossiers SET handling_agency_code = $1, supplement_count = 0,
                        supplement_seconds = 0, finished_at = due_at {finished}
                  WHERE code IN (SELECT code FROM dossiers
                                  WHERE status IN (9, 10) AND due_at > now() - interval '200 days'
                                    AND due_at < now() - interval '5 days'
                                    AND handling_agency_code NOT LIKE '%.H99'
                                  ORDER BY code LIMIT $2)"
            ),
            &[&agency, &n],
        )
        .await
        .expect("settle");
    assert_eq!(moved as i64, n, "the demo has settled dossiers to move");
}

#[tokio::test]
async fn statistics_roll_a_closed_agencys_dossiers_up_to_its_one_living_successor() {
    // Arrange: commune A took over from district D (one successor); district S split into A
    // and B (two successors); commune C closed and merged into closed commune E, then into B (a
    // chain to one living agency); communes F and G name each other.
    let app = spawn_app().await;
    agency(&app, "900.04.01.H99", "commune", "UBND xã A Thử").await;
    agency(&app, "900.04.02.H99", "commune", "UBND xã B Thử").await;
    agency(&app, "900.04.03.H99", "district", "UBND huyện D Thử").await;
    agency(&app, "900.04.04.H99", "district", "UBND huyện S Thử").await;
    agency(&app, "900.04.05.H99", "commune", "UBND xã C Thử").await;
    agency(&app, "900.04.06.H99", "commune", "UBND xã E Thử").await;
    close(&app, "900.04.03.H99", &["900.04.01.H99"]).await;
    close(&app, "900.04.04.H99", &["900.04.01.H99", "900.04.02.H99"]).await;
    close(&app, "900.04.05.H99", &["900.04.06.H99"]).await;
    close(&app, "900.04.06.H99", &["900.04.02.H99"]).await;
    settle(&app, "900.04.01.H99", 2, true).await;
    settle(&app, "900.04.03.H99", 2, false).await;
    settle(&app, "900.04.04.H99", 3, true).await;
    settle(&app, "900.04.05.H99", 1, false).await;
    // Successors naming each other, both closed: no living heir, and no endless walk.
    agency(&app, "900.04.07.H99", "commune", "UBND xã F Thử").await;
    agency(&app, "900.04.08.H99", "commune", "UBND xã G Thử").await;
    close(&app, "900.04.07.H99", &["900.04.08.H99"]).await;
    close(&app, "900.04.08.H99", &["900.04.07.H99"]).await;
    settle(&app, "900.04.07.H99", 1, true).await;

    // Act
    let (status, body) = app.get_json("/api/v1/stats/on-time?tier=local").await;

    // Assert
    assert_eq!(status, 200, "{body}");
    let rows = body["agencies"].as_array().unwrap();
    let row = |code: &str| rows.iter().find(|r| r["code"] == code).cloned();
    let a = row("900.04.01.H99").expect("A listed");
    assert_eq!(
        (a["settled"].as_i64(), a["on_time"].as_i64()),
        (Some(4), Some(2)),
        "{a}"
    );
    assert_eq!(a["percent"], 50.0);
    assert_eq!(a["closed"], false);
    assert_eq!(a["includes"][0]["code"], "900.04.03.H99");
    assert_eq!(a["includes"][0]["name"], "UBND huyện D Thử");
    let b = row("900.04.02.H99").expect("B listed");
    assert_eq!(
        (b["settled"].as_i64(), b["on_time"].as_i64()),
        (Some(1), Some(0)),
        "{b}"
    );
    assert_eq!(b["includes"][0]["code"], "900.04.05.H99");
    assert!(row("900.04.03.H99").is_none(), "rolled up");
    assert!(row("900.04.05.H99").is_none(), "rolled up along the chain");
    let split = row("900.04.04.H99").expect("a split district stays under its own name");
    assert_eq!(split["closed"], true);
    assert_eq!(
        (split["settled"].as_i64(), split["on_time"].as_i64()),
        (Some(3), Some(3))
    );
    let cycle = row("900.04.07.H99").expect("under its own name");
    assert_eq!(cycle["closed"], true);
    assert_eq!(cycle["settled"], 1);
    // Closed agencies come after the living ones.
    let first_closed = rows.iter().position(|r| r["closed"] == true).unwrap();
    assert!(rows[first_closed..].iter().all(|r| r["closed"] == true));
    let settled: i64 = rows.iter().map(|r| r["settled"].as_i64().unwrap()).sum();
    assert_eq!(body["settled"].as_i64(), Some(settled));

    // Communes only: the split district is not a commune.
    let (status, body) = app.get_json("/api/v1/stats/on-time?level=commune").await;
    assert_eq!(status, 200, "{body}");
    let listed = codes(&body, "agencies");
    let mut ours = ours(&listed);
    ours.sort_unstable();
    assert_eq!(ours, ["900.04.01.H99", "900.04.02.H99", "900.04.07.H99"]);
    assert!(!listed.contains(&"900.04.04.H99".to_owned()));
}
