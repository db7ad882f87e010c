use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_client_past_its_burst_gets_429_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.rate_limit.lookups_per_minute = 6;
        s.rate_limit.lookups_burst = 3;
    })
    .await;
    let known = app.known(4).await;
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/api/v1/dossiers/{}", known.code))
                .await
                .status()
                .as_u16(),
            200
        );
    }
    let response = app.get(&format!("/api/v1/dossiers/{}", known.code)).await;
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=10).contains(&retry), "{retry}");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn not_found_answers_are_limited_tighter_and_then_block_every_lookup() {
    let app = spawn_app_with(|s| {
        s.rate_limit.lookups_per_minute = 1000;
        s.rate_limit.lookups_burst = 1000;
        s.rate_limit.not_found_per_minute = 2;
        s.rate_limit.not_found_burst = 3;
    })
    .await;
    let known = app.known(4).await;
    for seq in 0..3 {
        let status = app
            .get(&format!("/api/v1/dossiers/000.00.99.H48-200101-{seq:04}"))
            .await
            .status();
        assert_eq!(status.as_u16(), 404);
    }
    // A fourth unknown code is over the budget: it is answered "wait", not "not found".
    let status = app
        .get("/api/v1/dossiers/000.00.99.H48-200101-0004")
        .await
        .status();
    assert_eq!(status.as_u16(), 429);
    // The budget of three not-found answers is spent: existing dossiers are refused too, so the
    // limit does not tell a guesser which codes exist.
    let response = app.get(&format!("/api/v1/dossiers/{}", known.code)).await;
    assert_eq!(response.status().as_u16(), 429);
    let response = app.get(&format!("/tra-cuu?ma={}", known.code)).await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.expect("page");
    assert!(page.contains("Tra cứu quá nhiều lần"));
}

#[tokio::test]
async fn the_landing_page_and_the_print_endpoints_are_limited_like_lookups() {
    // Arrange: a burst of three for lookups, landing pages and print requests together.
    let app = spawn_app_with(|s| {
        crate::qr_images::qr_settings(s);
        s.rate_limit.lookups_per_minute = 6;
        s.rate_limit.lookups_burst = 3;
    })
    .await;
    let known = app.known(4).await;
    let png = format!("/api/v1/dossiers/{}/qr.png", known.code);
    let receipt = format!("/receipts/{}", known.code);

    // Act: one landing page, one QR image, one receipt spend the burst.
    assert_eq!(
        app.get(&format!("/q/{}", known.code))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(app.get_signed(&png).await.status().as_u16(), 200);
    assert_eq!(app.get_signed(&receipt).await.status().as_u16(), 200);

    // Assert: each of them, and anonymous print requests, now get 429 in their own form.
    let response = app.get(&format!("/q/{}", known.code)).await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("Tra cứu quá nhiều lần"));

    for response in [app.get_signed(&png).await, app.get(&png).await] {
        assert_eq!(response.status().as_u16(), 429);
        assert!(response.headers().contains_key("retry-after"));
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "rate_limited");
    }
    for response in [app.get_signed(&receipt).await, app.get(&receipt).await] {
        assert_eq!(response.status().as_u16(), 429);
        assert!(response.headers().contains_key("retry-after"));
        assert!(response
            .text()
            .await
            .expect("page")
            .contains("Tra cứu quá nhiều lần"));
    }
    let response = app.get(&format!("/api/v1/dossiers/{}", known.code)).await;
    assert_eq!(
        response.status().as_u16(),
        429,
        "one budget for every lookup"
    );
}
