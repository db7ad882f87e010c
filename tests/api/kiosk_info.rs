//! Kiosk configuration, desk contacts, on-time statistics, satisfaction ratings, and the static
//! app under `/kiosk/`.

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn config_names_the_kiosk_and_its_idle_timeout() {
    let app = spawn_app_with(|s| s.kiosk.idle_timeout_secs = 45).await;

    let response = app
        .http
        .get(format!("{}/api/v1/kiosk/config", app.address))
        .header("X-Kiosk-Id", "hcc-tang1")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["kiosk_id"], "hcc-tang1");
    assert_eq!(body["idle_timeout_secs"], 45);
    assert_eq!(body["public_service_hotline"], "1022");

    let (_, body) = app.get_json("/api/v1/kiosk/config").await;
    assert_eq!(body["kiosk_id"], "kiosk", "the configured default");

    let response = app
        .http
        .get(format!("{}/api/v1/kiosk/config", app.address))
        .header("X-Kiosk-Id", "bad id/..")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_kiosk_id");
}

#[tokio::test]
async fn contacts_list_desks_with_phones_and_the_hotlines() {
    let app = spawn_app().await;

    let (status, body) = app.get_json("/api/v1/kiosk/contacts").await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["public_service_hotline"], "1022");
    let desks = body["desks"].as_array().unwrap();
    assert!(desks.len() > 10, "{body}");
    assert!(desks
        .iter()
        .all(|d| d["phone"].is_string() && d["hours"].is_string()));
    assert!(desks.iter().any(|d| d["tier"] == "local"));
    assert!(desks.iter().all(|d| d["kind"] != "district"));
}

#[tokio::test]
async fn on_time_statistics_match_the_read_model() {
    // Arrange: make one department's settled dossiers all late, by the rule's own terms.
    let app = spawn_app().await;
    let client = app.db.client().await;
    let agency: String = client
        .query_one(
            "SELECT handling_agency_code FROM dossiers d JOIN agencies a ON a.code = d.handling_agency_code
              WHERE a.kind = 'department' AND d.status IN (9, 10) AND d.due_at IS NOT NULL
                AND d.finished_at >= now() - interval '300 days'
              GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            &[],
        )
        .await
        .expect("a department with settled dossiers")
        .get(0);
    let settled = client
        .execute(
            "UPDATE dossiers SET finished_at = due_at + interval '3 days', supplement_seconds = 0
              WHERE handling_agency_code = $1 AND status IN (9, 10) AND due_at IS NOT NULL",
            &[&agency],
        )
        .await
        .unwrap();

    // Act
    let (status, body) = app.get_json("/api/v1/stats/on-time").await;

    // Assert
    assert_eq!(status, 200, "{body}");
    let rows = body["agencies"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["code"] == agency.as_str())
        .expect("listed");
    assert!(settled > 0 && row["settled"].as_i64().unwrap() > 0, "{row}");
    assert_eq!(row["on_time"], 0, "{row}");
    assert_eq!(row["percent"], 0.0);
    assert!(rows
        .iter()
        .all(|r| matches!(r["kind"].as_str(), Some("department" | "province"))));
    let percents: Vec<f64> = rows
        .iter()
        .map(|r| r["percent"].as_f64().unwrap())
        .collect();
    assert!(
        percents.windows(2).all(|w| w[0] >= w[1]),
        "best first: {percents:?}"
    );
    assert!(body["settled"].as_i64().unwrap() >= rows.len() as i64);

    let (status, body) = app.get_json("/api/v1/stats/on-time?level=commune").await;
    assert_eq!(status, 200);
    assert!(body["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["kind"] == "commune"));
}

#[tokio::test]
async fn a_rating_is_stored_with_its_kiosk_and_dossier() {
    // Arrange
    let app = spawn_app().await;
    let known = app.known(10).await;

    // Act
    let response = app
        .http
        .post(format!("{}/api/v1/kiosk/ratings", app.address))
        .header("X-Kiosk-Id", "xa-1")
        .json(&serde_json::json!({ "score": 3, "dossier_code": known.code.to_lowercase() }))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(response.status().as_u16(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    let id = body["id"].as_i64().unwrap();
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT kiosk_id, score, dossier_code FROM kiosk_ratings WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "xa-1");
    assert_eq!(row.get::<_, i16>(1), 3);
    assert_eq!(row.get::<_, Option<String>>(2), Some(known.code.clone()));

    // Without a dossier
    let response = app
        .http
        .post(format!("{}/api/v1/kiosk/ratings", app.address))
        .json(&serde_json::json!({ "score": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn bad_ratings_get_specific_errors_and_store_nothing() {
    let app = spawn_app().await;
    let cases = [
        (serde_json::json!({ "score": 0 }), 400, "invalid_rating"),
        (serde_json::json!({ "score": 4 }), 400, "invalid_rating"),
        (serde_json::json!({ "score": "3" }), 400, "invalid_rating"),
        (serde_json::json!({ "score": 2.5 }), 400, "invalid_rating"),
        (
            serde_json::json!({ "dossier_code": "x" }),
            400,
            "invalid_input",
        ),
        (
            serde_json::json!({ "score": 2, "dossier_code": "nonsense" }),
            400,
            "invalid_dossier_code",
        ),
        (
            serde_json::json!({ "score": 2, "dossier_code": "000.00.53.H48-220921-0001" }),
            404,
            "dossier_not_found",
        ),
        (
            serde_json::json!({ "score": 2, "extra": 1 }),
            400,
            "invalid_input",
        ),
    ];
    for (payload, expected, code) in cases {
        let response = app
            .http
            .post(format!("{}/api/v1/kiosk/ratings", app.address))
            .json(&payload)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expected, "{payload}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{payload}: {body}");
    }
    let stored: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM kiosk_ratings", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn every_kiosk_file_is_served_with_its_type_and_caching() {
    let app = spawn_app().await;
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/kiosk-ui"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
    files.sort();
    assert!(files.len() >= 3);
    for file in &files {
        let response = app.get(&format!("/kiosk/{file}")).await;
        assert_eq!(response.status().as_u16(), 200, "{file} is not served");
        let expected = match file.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            other => panic!("unexpected file type {other:?}"),
        };
        assert_eq!(response.headers()["content-type"], expected, "{file}");
        assert!(response.headers().contains_key("cache-control"), "{file}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let on_disk =
            std::fs::read(format!("{}/kiosk-ui/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            on_disk.as_slice(),
            "{file}"
        );

        let again = app
            .http
            .get(format!("{}/kiosk/{file}", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304, "{file}");
    }

    let index = app.get("/kiosk/").await;
    assert_eq!(index.status().as_u16(), 200);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let redirect = app.get("/kiosk?kiosk=a1").await;
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(redirect.headers()["location"], "/kiosk/?kiosk=a1");
    assert_eq!(app.get("/kiosk/nope.js").await.status().as_u16(), 404);
    assert_eq!(app.get("/kiosk/a/b.js").await.status().as_u16(), 404);
    let gzipped = app
        .http
        .get(format!("{}/kiosk/kiosk.js", app.address))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.status().as_u16(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let on_disk = std::fs::metadata(format!("{}/kiosk-ui/kiosk.js", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .len() as usize;
    assert!(gzipped.bytes().await.unwrap().len() < on_disk / 2);
    assert_eq!(
        app.get("/kiosk/..%2FCargo.toml").await.status().as_u16(),
        404
    );
}
