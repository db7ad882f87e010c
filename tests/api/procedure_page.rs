//! The procedure page a phone opens from the kiosk's QR code: the public site's page of one
//! procedure, with the desk of the agency browsed through, light and without JavaScript; clear
//! pages for an unknown procedure and a malformed agency; and the kiosk's QR decodes to it.

use crate::helpers::{spawn_app, TestApp};

/// The page's weight limit, as for the QR landing page.
const MAX_PAGE_BYTES: usize = 20 * 1024;

/// A commune-level procedure and a living commune whose desk files it.
async fn commune_procedure(app: &TestApp) -> (String, String, String, String) {
    let client = app.db.client().await;
    let procedure = client
        .query_one(
            "SELECT code, name FROM procedures WHERE level = 'commune' ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .expect("a commune procedure");
    let commune = client
        .query_one(
            "SELECT code, name FROM agencies WHERE kind = 'commune' AND valid_until IS NULL
              AND desk_address IS NOT NULL ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .expect("a living commune with a desk");
    (
        procedure.get(0),
        procedure.get(1),
        commune.get(0),
        commune.get(1),
    )
}

#[tokio::test]
async fn the_phone_page_shows_the_procedure_and_the_browsed_desk_without_javascript() {
    let app = spawn_app().await;
    let (code, name, commune, commune_name) = commune_procedure(&app).await;

    let response = app
        .get(&format!(
            "/thu-tuc/{code}?co-quan={commune}&utm_source=zalo"
        ))
        .await;

    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.expect("html");
    assert!(html.len() < MAX_PAGE_BYTES, "{} bytes", html.len());
    assert!(html.contains(&format!("<h1>{name}</h1>")), "{html}");
    assert!(
        html.contains("Thành phần hồ sơ") && html.contains("<li>"),
        "{html}"
    );
    assert!(html.contains("Thời hạn giải quyết") && html.contains("Phí, lệ phí"));
    assert!(
        html.contains(&commune_name),
        "the browsed commune's desk: {html}"
    );
    assert!(!html.contains("<script"), "no JavaScript, so no idle reset");
    assert!(!html.contains("/kiosk/"), "nothing of the kiosk app");

    // Without an agency: where to file instead of a desk.
    let html = app
        .get(&format!("/thu-tuc/{code}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("Trung tâm Phục vụ hành chính công xã, phường, đặc khu"),
        "{html}"
    );
}

#[tokio::test]
async fn an_unknown_procedure_or_a_malformed_agency_gets_a_page_that_says_so() {
    let app = spawn_app().await;
    let (code, _, _, _) = commune_procedure(&app).await;

    let unknown = app.get("/thu-tuc/9.999999").await;
    assert_eq!(unknown.status().as_u16(), 404);
    let unknown = unknown.text().await.expect("html");
    assert!(unknown.contains("<h1>"), "a page, not JSON: {unknown}");

    let malformed = app
        .get(&format!("/thu-tuc/{code}?co-quan=%3Cscript%3E"))
        .await;
    assert_eq!(malformed.status().as_u16(), 400);
    let malformed = malformed.text().await.expect("html");
    assert!(
        malformed.contains("Mã cơ quan trong đường dẫn không hợp lệ"),
        "{malformed}"
    );
    assert!(!malformed.contains("<script>"), "escaped");
}
