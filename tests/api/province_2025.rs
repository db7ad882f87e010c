//! The province since 1 July 2025: closed agencies stay for history but leave browsing and
//! routing, and a question about a dossier of a closed agency goes to its successor.

use serde_json::json;

use crate::helpers::TestApp;
use crate::intake_support::{post_json, question, spawn_intake_app};

/// Closes `agency` from today with `successors` (an agency of the demo may have opened on 1 July
/// 2025, so that day cannot close it).
async fn close(app: &TestApp, agency: &str, successors: &[&str]) {
    let client = app.db.client().await;
    client
        .execute(
            "UPDATE agencies SET valid_until = current_date WHERE code = $1",
            &[&agency],
        )
        .await
        .expect("close");
    for successor in successors {
        client
            .execute(
                "INSERT INTO agency_successors (agency_code, successor_code) VALUES ($1, $2)",
                &[&agency, successor],
            )
            .await
            .expect("successor");
    }
}

/// Codes of the kiosk's communes.
async fn kiosk_communes(app: &TestApp) -> Vec<String> {
    let (status, body) = app.get_json("/api/v1/catalog/agencies?level=commune").await;
    assert_eq!(status, 200, "{body}");
    body["agencies"]
        .as_array()
        .expect("agencies")
        .iter()
        .map(|a| a["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn a_closed_agency_leaves_browsing_and_the_agency_lists_but_stays_for_history() {
    let app = spawn_intake_app().await;
    let communes = kiosk_communes(&app).await;
    let closed = communes.first().expect("the demo has communes").clone();
    let client = app.db.client().await;
    let name: String = client
        .query_one("SELECT name FROM agencies WHERE code = $1", &[&closed])
        .await
        .expect("name")
        .get(0);
    let form = app.get("/gui-cau-hoi").await.text().await.expect("form");
    assert!(form.contains(&name), "listed while open");
    assert!(
        form.contains(&format!("value=\"{closed}\"")),
        "offered while open"
    );

    close(&app, &closed, &[]).await;

    assert!(
        !kiosk_communes(&app).await.contains(&closed),
        "hidden from browsing"
    );
    let form = app.get("/gui-cau-hoi").await.text().await.expect("form");
    assert!(
        !form.contains(&format!("value=\"{closed}\"")),
        "hidden from the form's agencies"
    );
    let kept: i64 = client
        .query_one("SELECT count(*) FROM agencies WHERE code = $1", &[&closed])
        .await
        .expect("count")
        .get(0);
    assert_eq!(kept, 1, "kept for history");
    // Nothing new goes to it.
    let (status, body) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"agency_code": closed})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("đã ngừng tiếp nhận"), "{message}");
}

#[tokio::test]
async fn a_question_about_a_dossier_of_a_closed_agency_goes_to_its_successor() {
    let app = spawn_intake_app().await;
    let known = app.known(4).await;
    let client = app.db.client().await;
    let handling: String = client
        .query_one(
            "SELECT handling_agency_code FROM dossiers WHERE code = $1",
            &[&known.code],
        )
        .await
        .expect("dossier")
        .get(0);
    let successor: String = client
        .query_one(
            "SELECT code FROM agencies WHERE code <> $1 AND kind = 'commune' \
             AND (valid_until IS NULL OR valid_until > current_date) ORDER BY code LIMIT 1",
            &[&handling],
        )
        .await
        .expect("another agency")
        .get(0);
    close(&app, &handling, &[&successor]).await;

    let (status, created) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"dossier_code": known.code})),
    )
    .await;

    assert_eq!(status, 201, "{created}");
    assert_eq!(created["agency"]["code"], successor.as_str());

    // With two successors the desk chooses.
    let second: String = client
        .query_one(
            "SELECT code FROM agencies WHERE code NOT IN ($1, $2) AND kind = 'commune' \
             AND (valid_until IS NULL OR valid_until > current_date) ORDER BY code LIMIT 1",
            &[&handling, &successor],
        )
        .await
        .expect("a third agency")
        .get(0);
    client
        .execute(
            "INSERT INTO agency_successors (agency_code, successor_code) VALUES ($1, $2)",
            &[&handling, &second],
        )
        .await
        .expect("second successor");
    let (status, created) = post_json(
        &app,
        "/api/v1/questions",
        &question(json!({"dossier_code": known.code})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(created["agency"].is_null(), "{created}");
}
