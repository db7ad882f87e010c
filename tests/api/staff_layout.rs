//! The staff and hotline consoles wear their own clothes: a staff header with the user, role and
//! agency, the console's navigation, a full-width main area and no citizen header or footer, on
//! every page of each role and on the console's error pages.

use crate::helpers::TestApp;
use crate::intake_support::*;

const CITIZEN_FOOTER: &str = "Cần hỗ trợ? Gọi đường dây nóng";
const CITIZEN_HEADER: &str = "Tra cứu hồ sơ thủ tục hành chính</a>";

async fn page(staff: &Staff, app: &TestApp, path: &str) -> (u16, String) {
    let response = staff.get(app, path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("html"))
}

fn assert_console(html: &str, path: &str) {
    assert!(
        html.contains(r#"<body class="console">"#),
        "{path}: console layout"
    );
    assert!(!html.contains(CITIZEN_FOOTER), "{path}: no citizen footer");
    assert!(!html.contains(CITIZEN_HEADER), "{path}: no citizen header");
    assert!(
        html.contains("Trang dành cho cán bộ"),
        "{path}: the console's footer"
    );
}

#[tokio::test]
async fn every_role_sees_the_console_layout_with_its_name_role_and_agency() {
    let app = spawn_intake_app().await;
    let agency = "000.00.01.H48";
    let agency_name: String = app
        .db
        .client()
        .await
        .query_one("SELECT name FROM agencies WHERE code = $1", &[&agency])
        .await
        .expect("agency")
        .get(0);
    let cases = [
        (
            "quantri",
            "administrator",
            None,
            "/can-bo/tai-khoan",
            "Quản trị hệ thống",
        ),
        (
            "motcua",
            "desk_head",
            None,
            "/can-bo",
            "Phụ trách Bộ phận Một cửa",
        ),
        (
            "dieuphoi",
            "operator",
            None,
            "/can-bo/tong-dai",
            "Điện thoại viên 1022",
        ),
        (
            "coquan",
            "agency_officer",
            Some(agency),
            "/can-bo",
            "Cán bộ đầu mối cơ quan",
        ),
    ];
    for (username, role, agency, path, role_label) in cases {
        let staff = staff_session(&app, username, role, agency).await;
        let (status, html) = page(&staff, &app, path).await;
        assert_eq!(status, 200, "{path}");
        assert_console(&html, path);
        let header =
            &html[html.find("<header").expect("header")..html.find("</header>").expect("end")];
        assert!(
            header.contains("Cán bộ thử"),
            "{username}: the user's name in {header}"
        );
        assert!(
            header.contains(role_label),
            "{username}: the role in {header}"
        );
        assert!(header.contains("Đăng xuất"), "{username}: log out");
        match agency {
            Some(_) => assert!(header.contains(&agency_name), "{username}: {header}"),
            None => assert!(
                header.contains("Quảng Ngãi"),
                "{username}: the province: {header}"
            ),
        }
        assert!(
            html.contains(r#"<nav class="console""#),
            "{path}: navigation"
        );
    }
    // The login page and an error page are the console's too.
    let anonymous = Staff {
        cookie: String::new(),
        csrf: String::new(),
    };
    let (_, login_page) = page(&anonymous, &app, "/can-bo/dang-nhap").await;
    assert_console(&login_page, "/can-bo/dang-nhap");
    let officer = login(&app, "coquan").await;
    let (status, forbidden) = page(&officer, &app, "/can-bo/tai-khoan").await;
    assert_eq!(status, 403);
    assert_console(&forbidden, "a refused page");
    assert!(forbidden.contains("← Về trang cán bộ"), "{forbidden}");
}
