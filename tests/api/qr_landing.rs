//! The landing page a scanned receipt QR opens: detailed view for a valid token, the public view
//! with a plain explanation for a forged, truncated or outdated one, a helpful page for an
//! unknown code; light, Vietnamese, no JavaScript, no personal data beyond the detailed view.

use crate::helpers::{spawn_app, spawn_app_with, TestApp, DEMO_DOSSIERS};
use crate::qr_images::{qr_settings, spawn_qr_app};
use tracuu::channels::qr::QrState;
use tracuu::config::Settings;
use tracuu::domain::{DossierCode, QrKey, QrKeyring};

/// Page weight limit of the issue: the whole page, which has no other resources.
const MAX_PAGE_BYTES: usize = 20 * 1024;

/// The `/q/...` part of the link the app with `settings` prints for `code`.
fn landing_path(settings: &Settings, code: &str) -> String {
    let link = QrState::new(settings)
        .expect("QR state")
        .link(&DossierCode::parse(code).expect("code"));
    link[link.find("/q/").expect("/q/")..].to_owned()
}

fn settings_with(adjust: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::default();
    qr_settings(&mut settings);
    adjust(&mut settings);
    settings
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    (status, response.text().await.expect("page"))
}

#[tokio::test]
async fn every_status_opens_in_the_detailed_view_light_and_without_javascript() {
    let app = spawn_qr_app().await;
    let settings = settings_with(|_| {});
    for status in 1..=10 {
        // Arrange
        let known = app.known(status).await;
        // Act
        let (code, html) = page(&app, &landing_path(&settings, &known.code)).await;
        // Assert
        assert_eq!(code, 200, "status {status}");
        assert!(
            html.len() < MAX_PAGE_BYTES,
            "status {status}: {} bytes",
            html.len()
        );
        assert!(html.contains("<html lang=\"vi\">"));
        assert!(html.contains("name=\"viewport\""));
        assert!(!html.contains("<script"), "no JavaScript");
        for external in ["<img", "<link rel=\"stylesheet\"", "src=\"http", "@import"] {
            assert!(!html.contains(external), "no outside resource: {external}");
        }
        assert!(html.contains("<h1>Tình trạng hồ sơ</h1>"));
        assert!(html.contains(&format!("Hồ sơ {}", known.code)));
        assert!(html.contains("class=\"lead\""), "status in plain words");
        assert!(
            html.contains("Quá trình xử lý"),
            "timeline, status {status}"
        );
        // Where to collect only while there is or will be a result; a reason when there is none.
        let result_ahead = matches!(status, 1 | 2 | 4 | 5 | 6 | 9);
        assert_eq!(
            html.contains("Nơi nhận kết quả"),
            result_ahead,
            "status {status}"
        );
        assert_eq!(
            html.contains("id=\"reason\""),
            matches!(status, 3 | 7 | 8),
            "status {status}"
        );
        assert!(html.contains("Ngày hẹn trả"));
        assert!(html.contains("Dữ liệu cập nhật lúc"), "data as of");
        assert!(!html.contains("Đang hiển thị thông tin công khai"));
    }
}

#[tokio::test]
async fn the_largest_timeline_of_the_demo_still_fits_the_weight_limit() {
    let app = spawn_qr_app().await;
    let settings = settings_with(|_| {});
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT d.code FROM dossiers d
              ORDER BY (SELECT count(*) + coalesce(sum(length(step) + length(coalesce(note, ''))), 0)
                          FROM dossier_events e WHERE e.dossier_code = d.code) DESC,
                       length(coalesce(d.supplement_request, '')) DESC
              LIMIT 1",
            &[],
        )
        .await
        .expect("largest dossier");
    let code: String = row.get(0);
    let (status, html) = page(&app, &landing_path(&settings, &code)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Quá trình xử lý"));
    eprintln!("largest landing page: {} bytes", html.len());
    assert!(html.len() < MAX_PAGE_BYTES, "{} bytes", html.len());
}

#[tokio::test]
async fn a_supplement_request_lists_what_is_missing_only_with_a_valid_token() {
    let app = spawn_qr_app().await;
    let settings = settings_with(|_| {});
    let known = app.known(5).await;
    let request: String = app
        .db
        .client()
        .await
        .query_one(
            "SELECT supplement_request FROM dossiers WHERE code = $1",
            &[&known.code],
        )
        .await
        .expect("row")
        .get(0);
    let (_, detailed) = page(&app, &landing_path(&settings, &known.code)).await;
    assert!(detailed.contains("Giấy tờ cần bổ sung"));
    assert!(detailed.contains(&handlebars::html_escape(&request)));
    let (_, public) = page(&app, &format!("/q/{}", known.code)).await;
    assert!(!public.contains("Giấy tờ cần bổ sung"));
    assert!(public.contains("liên hệ nơi nộp hồ sơ"));
}

#[tokio::test]
async fn forged_truncated_and_missing_tokens_fall_back_to_the_public_view_with_an_explanation() {
    let app = spawn_qr_app().await;
    let settings = settings_with(|_| {});
    let known = app.known(4).await;
    let other = app.known(9).await;
    let valid = landing_path(&settings, &known.code);
    let token = valid.rsplit_once("k=").expect("token").1.to_owned();
    let other_token = landing_path(&settings, &other.code)
        .rsplit_once("k=")
        .expect("token")
        .1
        .to_owned();
    let mut flipped = token.clone().into_bytes();
    flipped[5] = if flipped[5] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    let mut unknown_key = token.clone().into_bytes();
    unknown_key[0] = b'Z';
    let unknown_key = String::from_utf8(unknown_key).expect("ascii");

    let cases = [
        (format!("k={flipped}"), "Mã xác thực không khớp"),
        (format!("k={other_token}"), "Mã xác thực không khớp"),
        (format!("k={unknown_key}"), "Mã xác thực không khớp"),
        (format!("k={}", &token[..8]), "Đường dẫn chưa đầy đủ"),
        (format!("k={token}X"), "Đường dẫn chưa đầy đủ"),
        ("k=%3Cscript%3E".to_owned(), "Đường dẫn chưa đầy đủ"),
        ("k=".to_owned(), "Đang hiển thị thông tin công khai"),
        (
            "utm_source=zalo".to_owned(),
            "Đang hiển thị thông tin công khai",
        ),
    ];
    for (query, explanation) in cases {
        let (status, html) = page(&app, &format!("/q/{}?{query}", known.code)).await;
        assert_eq!(status, 200, "{query}");
        assert!(html.contains(explanation), "{query}: {explanation}");
        assert!(
            !html.contains("Quá trình xử lý"),
            "{query}: public view only"
        );
        assert!(html.contains(&format!("Hồ sơ {}", known.code)), "{query}");
        assert!(!html.contains("<script>"), "{query}");
        assert!(!html.to_lowercase().contains("panicked"));
    }
    // The valid token still works, and extra parameters added by chat apps do not matter.
    let (status, html) = page(&app, &format!("{valid}&utm_source=zalo")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Quá trình xử lý"));
    // Lower case (typed from a photo) is the same token.
    let lower = format!(
        "/q/{}?k={}",
        known.code.to_lowercase(),
        token.to_lowercase()
    );
    let (_, html) = page(&app, &lower).await;
    assert!(html.contains("Quá trình xử lý"));
}

/// `ID@YYYY-MM-DD:SECRET` retired `days_ago` days ago (Vietnam date).
fn retired(id: char, secret: &str, days_ago: i64) -> String {
    let day = (chrono::Utc::now().with_timezone(&tracuu::domain::vn_offset())
        - chrono::Duration::days(days_ago))
    .format("%Y-%m-%d");
    format!("{id}@{day}:{secret}")
}

#[tokio::test]
async fn a_token_of_a_rotated_key_opens_the_detail_within_the_grace_period_only() {
    const OLD: &str = "old-receipt-key-0123456789";
    const NEW: &str = "new-receipt-key-0123456789";
    // A receipt printed before the rotation, signed with key A.
    let before = QrKeyring::new(
        vec![QrKey {
            id: 'A',
            secret: OLD.to_owned().into(),
            retired_at: None,
        }],
        'A',
        chrono::Duration::days(1),
    )
    .expect("keyring");

    let within = spawn_app_with(|s| {
        qr_settings(s);
        s.qr.keys = vec![format!("B:{NEW}").into(), retired('A', OLD, 3).into()];
        s.qr.retired_key_grace_days = 30;
    })
    .await;
    let known = within.known(4).await;
    let code = DossierCode::parse(&known.code).expect("code");
    let printed = format!("/q/{}?k={}", known.code, before.sign(&code));
    let (status, html) = page(&within, &printed).await;
    assert_eq!(status, 200);
    assert!(html.contains("Quá trình xử lý"), "old key within grace");
    // New receipts are signed with the new key.
    let response = within
        .get_signed(&format!("/api/v1/dossiers/{}/qr.png", known.code))
        .await;
    let (link, _, _) = crate::qr_images::decode_png(&response.bytes().await.expect("png"));
    assert!(link.contains("?k=B"), "{link}");
    drop(within);

    let after = spawn_app_with(|s| {
        qr_settings(s);
        s.qr.keys = vec![format!("B:{NEW}").into(), retired('A', OLD, 40).into()];
        s.qr.retired_key_grace_days = 30;
    })
    .await;
    let (status, html) = page(&after, &printed).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Quá trình xử lý"), "old key after grace");
    assert!(html.contains("Mã QR đã hết hạn xác thực"));
}

#[tokio::test]
async fn an_unknown_or_malformed_code_gets_a_helpful_page() {
    let app = spawn_app().await;
    let (status, html) = page(&app, "/q/000.00.99.H48-200101-0001?k=DAAAAAAAAAA").await;
    assert_eq!(status, 404);
    assert!(html.contains("Không tìm thấy hồ sơ"));
    assert!(html.contains("kiểm tra lại mã hồ sơ"));
    assert!(html.contains("0255.1022"), "the hotline");
    assert!(html.contains("href=\"/tra-cuu\""));

    let (status, html) = page(&app, "/q/not-a-code").await;
    assert_eq!(status, 400);
    assert!(html.contains("Thông tin nhập chưa đúng"));
    assert!(
        html.contains("000.00.53.H48-220921-0099"),
        "hint of the expected form"
    );

    let (status, html) = page(&app, "/q/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 400);
    assert!(!html.contains("<script>alert(1)"));
}

#[tokio::test]
async fn the_landing_page_shows_no_personal_data_beyond_the_detailed_view() {
    let app = spawn_qr_app().await;
    let settings = settings_with(|_| {});
    let rows = app
        .db
        .client()
        .await
        .query(
            "SELECT code, applicant_name, applicant_phone FROM dossiers ORDER BY code",
            &[],
        )
        .await
        .expect("dossiers");
    assert!(rows.len() >= DEMO_DOSSIERS);
    let mut checked = 0;
    for row in rows.iter().step_by(9) {
        let code: String = row.get(0);
        let name: String = row.get(1);
        let phone: Option<String> = row.get(2);
        let (status, html) = page(&app, &landing_path(&settings, &code)).await;
        assert_eq!(status, 200, "{code}");
        assert!(html.contains("Quá trình xử lý"), "{code}: detailed view");
        assert!(!html.contains(&name), "full name leaked for {code}");
        if let Some(phone) = &phone {
            let national = format!("0{}", &phone[3..]);
            for form in [phone.as_str(), &phone[3..], national.as_str()] {
                assert!(!html.contains(form), "phone leaked for {code}");
            }
        }
        for forbidden in ["CCCD", "CMND", "Địa chỉ người nộp", "Cán bộ"] {
            assert!(!html.contains(forbidden), "{forbidden} for {code}");
        }
        checked += 1;
    }
    assert!(checked > 30);
}

#[tokio::test]
async fn a_stored_landing_page_is_never_served_for_an_older_version_of_the_dossier() {
    // Arrange: a dossier pushed at version 1, its landing page rendered and stored.
    let app = spawn_qr_app().await;
    app.ensure_procedure().await;
    let code = "000.00.16.H48-261116-0777";
    let settings = settings_with(|_| {});
    let path = landing_path(&settings, code);
    let (status, _) = app.push(&[crate::sync_push::snapshot(code, 1, 4)]).await;
    assert_eq!(status, 200);
    let (_, first) = page(&app, &path).await;
    let (_, again) = page(&app, &path).await;
    assert_eq!(first, again, "the stored page");
    assert!(first.contains("Đang xử lý"));
    assert!(
        first.contains("class=\"badge t-in_progress"),
        "timeliness filled in"
    );
    assert!(!first.contains('\u{E000}') && !first.contains('\u{E001}'));

    // Act: version 2 says the result is ready.
    let (status, _) = app.push(&[crate::sync_push::snapshot(code, 2, 9)]).await;
    assert_eq!(status, 200);
    let (_, after) = page(&app, &path).await;

    // Assert
    assert!(
        after.contains("Đã xử lý xong"),
        "the new version, not the stored page"
    );
    assert!(after.contains("Hồ sơ đã có kết quả"));
    assert!(after.contains("Bước phiên bản 2"));
}

#[tokio::test]
async fn the_json_lookup_grants_the_detailed_view_to_a_valid_qr_token_only() {
    let app = spawn_qr_app().await;
    let settings = settings_with(|_| {});
    let known = app.known(5).await;
    let other = app.known(9).await;
    let token = |code: &str| {
        landing_path(&settings, code)
            .rsplit_once("k=")
            .expect("token")
            .1
            .to_owned()
    };
    let own = token(&known.code);
    let mut forged = own.clone().into_bytes();
    forged[5] = if forged[5] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ascii");

    // A valid token: the detailed view, as the landing page, without phone digits.
    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?k={own}", known.code))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["view"], "detailed");
    assert_eq!(body["proof"], "granted");
    assert!(body["timeline"].as_array().is_some_and(|t| !t.is_empty()));
    assert!(body["supplement"]["request"].is_string(), "{body}");
    assert_eq!(body["qr"]["token"], "valid");
    assert!(body["qr"].get("message").is_none());
    // Lower case (typed from a photo) is the same token.
    let (_, body) = app
        .get_json(&format!(
            "/api/v1/dossiers/{}?k={}",
            known.code,
            own.to_lowercase()
        ))
        .await;
    assert_eq!(body["view"], "detailed");

    // Forged, another dossier's, truncated, empty: the public view and why.
    let cases = [
        (forged, "forged", "Mã xác thực không khớp"),
        (token(&other.code), "forged", "Mã xác thực không khớp"),
        (own[..8].to_owned(), "malformed", "Đường dẫn chưa đầy đủ"),
        (
            String::new(),
            "missing",
            "Đang hiển thị thông tin công khai",
        ),
    ];
    for (k, key, title) in cases {
        let (status, body) = app
            .get_json(&format!("/api/v1/dossiers/{}?k={k}", known.code))
            .await;
        assert_eq!(status, 200, "k={k}: {body}");
        assert_eq!(body["view"], "public", "k={k}");
        assert!(body.get("timeline").is_none(), "k={k}");
        assert!(body.get("supplement").is_none(), "k={k}");
        assert_eq!(body["qr"]["token"], key, "k={k}");
        assert_eq!(body["qr"]["title"], title, "k={k}");
        assert!(
            body["qr"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("thông tin công khai")),
            "k={k}: {body}"
        );
    }

    // A wrong token does not stop the phone digits from proving.
    let (_, body) = app
        .get_json(&format!(
            "/api/v1/dossiers/{}?k={}&phone4={}",
            known.code,
            token(&other.code),
            &known.phone[known.phone.len() - 4..]
        ))
        .await;
    assert_eq!(body["view"], "detailed", "{body}");
    assert_eq!(body["qr"]["token"], "forged");

    // Without `k` the answer has no `qr` field; lookup numbers take no token.
    let (_, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;
    assert!(body.get("qr").is_none());
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/lookup-numbers/{:010}?k={own}",
            known.lookup_number
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input");
    // Other unknown parameters are still refused by the JSON API.
    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?k={own}&x=1", known.code))
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn the_qr_link_command_names_a_refused_argument_by_its_place() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tracuu"))
        .args(["qr", "link", "000.00.18.H48-250610-0001", "bogus"])
        .env_remove("TRACUU_CONFIG")
        .output()
        .await
        .expect("run tracuu");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a refused code fails the command");
    assert_eq!(stdout.lines().count(), 1, "the good code's link: {stdout}");
    assert!(stdout.contains("000.00.18.H48-250610-0001"), "{stdout}");
    assert!(stderr.contains("argument 2 (\"bogus\"): "), "{stderr}");
    assert!(!stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("1 code refused"), "{stderr}");
}
