//! Issue 19: the operator endpoints (`/metrics`, the sync push, Kannel's endpoints) answer only
//! operator addresses, or only on the internal listener; and kiosks that prove themselves with
//! their key have budgets of their own (docs/decisions/0044).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::helpers::{spawn_app_with, test_settings, TestDatabase};
use crate::sms_inbound::{sms_settings, SMS_SECRET};
use tracuu::startup::Application;

/// A client whose requests come from `127.0.0.<last>`: another host, as far as tracuu can tell.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

/// The status and JSON error code (if any) of each operator endpoint, asked by `http`.
async fn operator_answers(http: &reqwest::Client, base: &str) -> Vec<(String, u16, String)> {
    let requests = [
        ("/metrics", http.get(format!("{base}/metrics"))),
        (
            "/sync/v1/dossiers",
            http.post(format!("{base}/sync/v1/dossiers"))
                .header("content-type", "application/json")
                .body("[]"),
        ),
        (
            "/sms/v1/kannel/…/inbound",
            http.get(format!("{base}/sms/v1/kannel/{SMS_SECRET}/inbound"))
                .query(&[("from", "0912345678"), ("to", "8088"), ("text", "TG")]),
        ),
    ];
    let mut answers = Vec::new();
    for (name, request) in requests {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let code = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
            .unwrap_or_default();
        answers.push((name.to_owned(), status, code));
    }
    answers
}

#[tokio::test]
async fn operator_endpoints_answer_operator_addresses_and_are_unknown_routes_to_anyone_else() {
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.http.operator_addresses = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
        // Kannel's own check would let this address in: the refusal is the operator layer's.
        s.sms
            .allowed_addresses
            .push(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9)));
    })
    .await;

    for (name, status, code) in operator_answers(&client_from(9), &app.address).await {
        assert_eq!(status, 404, "{name} from a public address");
        if name.starts_with("/sync") {
            assert_eq!(code, "route_not_found", "{name}");
        }
    }
    let answers = operator_answers(&client_from(1), &app.address).await;
    assert_eq!(answers[0].1, 200, "/metrics from an operator address");
    assert_eq!(
        (answers[1].1, answers[1].2.as_str()),
        (401, "signature_missing"),
        "the push is reached, and still wants its signature"
    );
    assert_eq!(
        answers[2].1, 200,
        "Kannel's inbound from an operator address"
    );

    // The public still reaches the public API and the health checks, and /readyz tells it the
    // status only.
    let public = client_from(9);
    let known = app.known(4).await;
    let lookup = public
        .get(format!("{}/api/v1/dossiers/{}", app.address, known.code))
        .send()
        .await
        .expect("lookup");
    assert_eq!(lookup.status().as_u16(), 200);
    let ready: serde_json::Value = public
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["status"], "ready");
    assert!(
        ready.get("cache").is_none(),
        "no details to the public: {ready}"
    );
    let (_, ready) = app.get_json("/readyz").await;
    assert!(
        ready["cache"]["entries"].as_u64().is_some(),
        "details to operators: {ready}"
    );
}

/// Starts the app with an internal listener; returns the database and both base addresses.
async fn spawn_split_app() -> (TestDatabase, String, String) {
    let db = TestDatabase::create().await;
    let mut settings = test_settings();
    sms_settings(&mut settings);
    settings.http.internal_port = Some(0);
    let app = Application::build(settings, &db.url)
        .await
        .expect("build app");
    let public = format!("http://127.0.0.1:{}", app.port());
    let internal = format!(
        "http://127.0.0.1:{}",
        app.internal_port().expect("an internal listener")
    );
    let lookup = app.lookup();
    tokio::spawn(app.run_until_stopped());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !lookup.cache().is_warmed() {
        assert!(tokio::time::Instant::now() < deadline, "cache warm-up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    (db, public, internal)
}

#[tokio::test]
async fn with_an_internal_listener_the_public_one_does_not_serve_the_operator_endpoints() {
    let (_db, public, internal) = spawn_split_app().await;
    let loopback = client_from(1);

    for (name, status, _) in operator_answers(&loopback, &public).await {
        assert_eq!(
            status, 404,
            "{name} on the public listener, even from loopback"
        );
    }
    let answers = operator_answers(&loopback, &internal).await;
    assert_eq!(answers[0].1, 200, "/metrics on the internal listener");
    assert_eq!(
        (answers[1].1, answers[1].2.as_str()),
        (401, "signature_missing")
    );
    assert_eq!(
        answers[2].1, 200,
        "Kannel's inbound on the internal listener"
    );

    // The internal listener serves the health checks and nothing public.
    for path in ["/healthz", "/readyz"] {
        for base in [&public, &internal] {
            let status = loopback
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("health");
            assert_eq!(status.status().as_u16(), 200, "{base}{path}");
        }
    }
    let lookup_page = loopback
        .get(format!("{internal}/tra-cuu"))
        .send()
        .await
        .expect("page");
    assert_eq!(lookup_page.status().as_u16(), 404, "no public pages inside");
    let lookup_page = loopback
        .get(format!("{public}/tra-cuu"))
        .send()
        .await
        .expect("page");
    assert_eq!(lookup_page.status().as_u16(), 200);

    // From a non-operator address the internal listener refuses as well.
    for (name, status, _) in operator_answers(&client_from(9), &internal).await {
        assert_eq!(
            status, 404,
            "{name} on the internal listener from a public address"
        );
    }
}
