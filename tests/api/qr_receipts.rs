//! The printable receipt (Form 01 style): same access rule as minting a QR, HTML answers,
//! print stylesheets for A4, A5 and 80 mm thermal paper.

use crate::qr_images::spawn_qr_app;

#[tokio::test]
async fn a_signed_request_gets_a_printable_receipt_with_every_way_to_follow_the_dossier() {
    // Arrange
    let app = spawn_qr_app().await;
    let known = app.known(4).await;

    // Act
    let response = app.get_signed(&format!("/receipts/{}", known.code)).await;

    // Assert
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    let html = response.text().await.expect("page");
    let (_, view) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
    assert!(html.contains(&format!("Mã hồ sơ: <strong>{}</strong>", known.code)));
    assert!(html.contains("Bộ phận tiếp nhận và trả kết quả"));
    assert!(html.contains("Thời gian nhận hồ sơ"));
    assert!(html.contains("Thời gian hẹn trả kết quả"));
    assert!(html.contains("Thời gian giải quyết theo quy định"));
    let number = view["lookup_number_display"].as_str().expect("number");
    assert!(html.contains(number), "the numeric lookup number");
    assert!(html.contains(&format!(
        "soạn <strong>HS {}</strong> gửi <strong>8088</strong>",
        known.code
    )));
    assert!(html.contains("0255.1022"), "hotline");
    assert!(
        html.contains("http://127.0.0.1:8080/tra-cuu"),
        "lookup web address"
    );
    assert!(
        html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "the QR code"
    );
    assert!(html.contains("NGƯỜI NỘP HỒ SƠ") && html.contains("NGƯỜI TIẾP NHẬN HỒ SƠ"));
    assert!(html.contains("@media print"), "print stylesheet");
    assert!(html.contains("@page{size:A4"), "A4 by default");
    assert!(!html.contains("<script"));
    assert!(!html.contains(&known.name), "masked name only");
    assert!(!html.contains(&known.phone[3..]), "no phone");
}

#[tokio::test]
async fn each_paper_size_has_its_own_page_rule_and_others_are_refused() {
    let app = spawn_qr_app().await;
    let known = app.known(9).await;
    for (paper, rule, class) in [
        ("a4", "@page{size:A4", "paper-a4"),
        ("a5", "@page{size:A5", "paper-a5"),
        ("80mm", "@page{size:80mm", "paper-80mm"),
    ] {
        let response = app
            .get_signed(&format!("/receipts/{}?paper={paper}", known.code))
            .await;
        assert_eq!(response.status().as_u16(), 200, "{paper}");
        let html = response.text().await.expect("page");
        assert!(html.contains(rule), "{paper}");
        assert!(
            html.contains(&format!("<body class=\"{class}\">")),
            "{paper}"
        );
    }
    let response = app
        .get_signed(&format!("/receipts/{}?paper=letter", known.code))
        .await;
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.expect("page");
    assert!(
        html.contains("Khổ giấy: cần là A4, A5 hoặc 80mm."),
        "{html}"
    );
    assert!(!html.contains("(paper)"), "named by its label");
}

#[tokio::test]
async fn a_receipt_without_credentials_is_an_html_page_with_401() {
    let app = spawn_qr_app().await;
    let known = app.known(4).await;
    let response = app.get(&format!("/receipts/{}", known.code)).await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    let html = response.text().await.expect("page");
    assert!(html.contains("Cần xác thực"));
    assert!(!html.contains(&known.code), "nothing of the dossier");

    let response = app
        .get_signed_at(&format!("/receipts/{}", known.code), "wrong-secret", None)
        .await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("Cần xác thực"));
}

#[tokio::test]
async fn a_receipt_for_an_unknown_or_malformed_code_is_a_friendly_page() {
    let app = spawn_qr_app().await;
    let response = app.get_signed("/receipts/000.00.99.H48-200101-0001").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("Không tìm thấy hồ sơ"));
    let response = app.get_signed("/receipts/xyz").await;
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().await.expect("page").contains("Mã hồ sơ"));
}

#[tokio::test]
async fn staff_who_serve_citizens_print_with_their_session_and_others_are_refused() {
    use crate::intake_support::{spawn_intake_app, staff_session};
    // Arrange: no sync secret at all, so only a session can be the credential.
    let app = spawn_intake_app().await;
    let known = app.known(4).await;
    let receipt = format!("/receipts/{}", known.code);
    let image = format!("/api/v1/dossiers/{}/qr.png", known.code);
    let desk = staff_session(&app, "motcua.in", "desk_head", None).await;
    let operator = staff_session(&app, "dtv.in", "operator", None).await;
    let admin = staff_session(&app, "quantri.in", "administrator", None).await;

    // Act and assert: serving staff print receipts and QR images.
    for staff in [&desk, &operator] {
        let response = staff.get(&app, &receipt).await;
        assert_eq!(response.status().as_u16(), 200);
        let html = response.text().await.expect("page");
        assert!(html.contains(&format!("Mã hồ sơ: <strong>{}</strong>", known.code)));
        let response = staff.get(&app, &image).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
    }
    // The administrator manages accounts and sees no dossiers.
    let response = admin.get(&app, &receipt).await;
    assert_eq!(response.status().as_u16(), 403);
    // A made-up or logged-out session is no credential.
    let response = app
        .http
        .get(format!("{}{image}", app.address))
        .header("cookie", "tracuu_staff=not-a-session")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 401);
    let (status, body) = app.get_json(&image).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "credentials_required");
}

#[tokio::test]
async fn the_receipt_prints_the_sms_channel_s_own_short_code_and_lookup_keyword() {
    // Arrange: a province whose SMS channel answers "TRA CUU" first on short code 1022.
    let app = crate::helpers::spawn_app_with(|settings| {
        crate::qr_images::qr_settings(settings);
        settings.sms.short_code = "1022".into();
        settings.sms.keywords.lookup = vec!["tra cuu".into(), "HS".into()];
    })
    .await;
    let known = app.known(5).await;

    // Act
    let html = app
        .get_signed(&format!("/receipts/{}", known.code))
        .await
        .text()
        .await
        .expect("page");

    // Assert: the keyword as the SMS parser shows it, the short code the SMS channel listens on.
    assert!(
        html.contains(&format!(
            "soạn <strong>TRA CUU {}</strong> gửi <strong>1022</strong>",
            known.code
        )),
        "receipt SMS line follows [sms]"
    );
}

#[tokio::test]
async fn an_agency_officer_prints_only_their_own_agency_s_dossiers() {
    use crate::intake_support::{spawn_intake_app_with, staff_session};
    // Arrange: an officer of the agency that received one dossier, and a dossier their agency
    // neither received nor handles.
    let app = spawn_intake_app_with(crate::qr_images::qr_settings).await;
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT code, receiving_agency_code FROM dossiers ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .expect("a dossier");
    let (own, agency): (String, String) = (row.get(0), row.get(1));
    let others: String = client
        .query_one(
            "SELECT code FROM dossiers
             WHERE receiving_agency_code <> $1 AND handling_agency_code <> $1
             ORDER BY code LIMIT 1",
            &[&agency],
        )
        .await
        .expect("another agency's dossier")
        .get(0);
    let handled: Option<String> = client
        .query_opt(
            "SELECT code FROM dossiers
             WHERE receiving_agency_code <> $1 AND handling_agency_code = $1
             ORDER BY code LIMIT 1",
            &[&agency],
        )
        .await
        .expect("query")
        .map(|r| r.get(0));
    let officer = staff_session(&app, "dau.moi.in", "agency_officer", Some(&agency)).await;
    let desk = staff_session(&app, "motcua.in", "desk_head", None).await;
    let operator = staff_session(&app, "dtv.in", "operator", None).await;
    let paths = |code: &str| {
        [
            format!("/receipts/{code}"),
            format!("/api/v1/dossiers/{code}/qr.png"),
            format!("/api/v1/dossiers/{code}/qr.svg"),
        ]
    };

    // Act and assert: the officer prints their agency's dossiers (received or handled by it).
    for code in std::iter::once(&own).chain(handled.as_ref()) {
        for path in paths(code) {
            let response = officer.get(&app, &path).await;
            assert_eq!(response.status().as_u16(), 200, "{path}");
        }
    }
    // Another agency's dossier is refused, in each endpoint's own form.
    let [receipt, png, svg] = paths(&others);
    let response = officer.get(&app, &receipt).await;
    assert_eq!(response.status().as_u16(), 403);
    let html = response.text().await.expect("page");
    assert!(html.contains("không do cơ quan của bạn tiếp nhận hay giải quyết"));
    assert!(html.contains(&others));
    assert!(!html.contains("GIẤY TIẾP NHẬN HỒ SƠ"), "no receipt");
    for path in [&png, &svg] {
        let response = officer.get(&app, path).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "forbidden");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(&others), "{message}");
    }
    // A code not in the read model has no agency to check: not for an officer.
    let unsynced = "000.00.99.H48-200101-0001";
    let (status, body) = {
        let response = officer
            .get(&app, &format!("/api/v1/dossiers/{unsynced}/qr.png"))
            .await;
        let status = response.status().as_u16();
        (
            status,
            response.json::<serde_json::Value>().await.expect("json"),
        )
    };
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "dossier_not_found");
    // Desk heads, hotline operators and the main store print every dossier.
    for staff in [&desk, &operator] {
        for path in paths(&others) {
            assert_eq!(
                staff.get(&app, &path).await.status().as_u16(),
                200,
                "{path}"
            );
        }
    }
    for path in paths(&others) {
        assert_eq!(app.get_signed(&path).await.status().as_u16(), 200, "{path}");
    }
    let unsynced_png = format!("/api/v1/dossiers/{unsynced}/qr.png");
    assert_eq!(desk.get(&app, &unsynced_png).await.status().as_u16(), 200);
    assert_eq!(app.get_signed(&unsynced_png).await.status().as_u16(), 200);
}
