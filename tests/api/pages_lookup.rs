use crate::api_dossiers::url_encode;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_lookup_page_is_a_vietnamese_form_that_needs_no_javascript() {
    let app = spawn_app().await;
    let response = app.get("/tra-cuu").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html")));
    let page = response.text().await.expect("page");
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("Tra cứu tình trạng hồ sơ"));
    assert!(page.contains("<form method=\"get\" action=\"/tra-cuu\""));
    assert!(page.contains("<label for=\"ma\">Mã hồ sơ hoặc số tra cứu</label>"));
    assert!(page.contains("name=\"viewport\""));
    assert!(!page.contains("<script"), "works without JavaScript");
}

#[tokio::test]
async fn the_root_redirects_to_the_lookup_page() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"], "/tra-cuu");
}

#[tokio::test]
async fn a_code_typed_on_the_page_shows_the_status() {
    let app = spawn_app().await;
    let known = app.known(9).await;
    let response = app
        .get(&format!(
            "/tra-cuu?ma={}",
            url_encode(&known.code.to_lowercase())
        ))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.expect("page");
    assert!(
        page.contains(&format!("Hồ sơ {}", known.code)),
        "canonical code shown"
    );
    assert!(page.contains("Đã xử lý xong"));
    assert!(page.contains("Ngày hẹn trả"));
    assert!(
        !page.contains("Quá trình xử lý"),
        "no timeline without proof"
    );
}

#[tokio::test]
async fn a_lookup_number_with_phone_digits_shows_the_timeline_on_the_page() {
    let app = spawn_app().await;
    let known = app.known(5).await;
    let last4 = &known.phone[known.phone.len() - 4..];
    let page = app
        .get(&format!(
            "/tra-cuu?ma={:010}&phone4={last4}",
            known.lookup_number
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Quá trình xử lý"), "{page}");
    assert!(page.contains("Giấy tờ cần bổ sung"));
    assert!(page.contains("Nơi nhận kết quả"));
}

#[tokio::test]
async fn bad_input_on_the_page_gets_a_friendly_error_with_the_right_status() {
    let app = spawn_app().await;
    let response = app.get("/tra-cuu?ma=xyz").await;
    assert_eq!(response.status().as_u16(), 400);
    let page = response.text().await.expect("page");
    assert!(page.contains("Thông tin nhập chưa đúng"));
    assert!(
        page.contains("000.00.53.H48-220921-0099"),
        "hint of the expected form"
    );

    let response = app.get("/tra-cuu?ma=000.00.99.H48-200101-0001").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("Không tìm thấy hồ sơ"));

    let response = app.get("/no-such-page").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("Không tìm thấy trang"));
}

#[tokio::test]
async fn html_typed_into_the_form_is_escaped() {
    let app = spawn_app().await;
    let response = app
        .get(&format!(
            "/tra-cuu?ma={}",
            url_encode("<script>alert(1)</script>")
        ))
        .await;
    assert_eq!(response.status().as_u16(), 400);
    let page = response.text().await.expect("page");
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("&lt;script&gt;"));
}
