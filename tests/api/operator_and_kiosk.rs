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

const KEY_A: &str = "kiosk-a-secret-0123456789";
const KEY_B: &str = "kiosk-b-secret-0123456789";

/// Who asks, from the one NAT address all of a service centre shares (127.0.0.1 here).
#[derive(Clone, Copy, Debug)]
enum Asker {
    /// A kiosk with its id and key.
    Kiosk(&'static str, &'static str),
    /// A kiosk id with no key: the public.
    IdOnly(&'static str),
    /// A citizen's phone or browser.
    Public,
}

impl crate::helpers::TestApp {
    /// Looks `code` up as `asker`; returns the status and the error code, if any.
    async fn lookup_as(&self, asker: Asker, code: &str) -> (u16, String) {
        let mut request = self
            .http
            .get(format!("{}/api/v1/dossiers/{code}", self.address));
        match asker {
            Asker::Kiosk(id, key) => {
                request = request.header("X-Kiosk-Id", id).header("X-Kiosk-Key", key);
            }
            Asker::IdOnly(id) => request = request.header("X-Kiosk-Id", id),
            Asker::Public => {}
        }
        let response = request.send().await.expect("lookup");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("json");
        let code = body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (status, code)
    }
}

#[tokio::test]
async fn kiosks_behind_one_address_spend_budgets_of_their_own_and_the_public_keeps_the_shared_one()
{
    let app = spawn_app_with(|s| {
        s.rate_limit.not_found_per_minute = 1;
        s.rate_limit.not_found_burst = 2;
        s.kiosk.keys = vec![format!("A:{KEY_A}").into(), format!("B:{KEY_B}").into()];
        s.kiosk.budget_multiplier = 3;
    })
    .await;
    let known = app.known(4).await.code;
    let mut unknown = (1..).map(|n| format!("000.00.99.H48-200101-{n:04}"));
    let kiosk_a = Asker::Kiosk("A", KEY_A);
    let kiosk_b = Asker::Kiosk("B", KEY_B);

    // Kiosk A's not-found budget is three times a citizen's burst of two.
    for _ in 0..6 {
        let code = unknown.next().unwrap();
        assert_eq!(
            app.lookup_as(kiosk_a, &code).await,
            (404, "dossier_not_found".into())
        );
    }
    let code = unknown.next().unwrap();
    assert_eq!(
        app.lookup_as(kiosk_a, &code).await,
        (429, "rate_limited".into())
    );
    assert_eq!(
        app.lookup_as(kiosk_a, &known).await.0,
        429,
        "kiosk A is blocked"
    );

    // Neither kiosk B nor the public at the same address is.
    assert_eq!(app.lookup_as(kiosk_b, &known).await.0, 200);
    assert_eq!(app.lookup_as(Asker::Public, &known).await.0, 200);

    // The public, with or without a kiosk id, shares the address's budget as before.
    for asker in [Asker::Public, Asker::IdOnly("A")] {
        let code = unknown.next().unwrap();
        assert_eq!(
            app.lookup_as(asker, &code).await,
            (404, "dossier_not_found".into())
        );
    }
    let code = unknown.next().unwrap();
    assert_eq!(
        app.lookup_as(Asker::IdOnly("B"), &code).await,
        (429, "rate_limited".into())
    );
    assert_eq!(
        app.lookup_as(Asker::Public, &known).await.0,
        429,
        "the address is blocked"
    );
    assert_eq!(app.lookup_as(Asker::IdOnly("B"), &known).await.0, 429);
    assert_eq!(
        app.lookup_as(kiosk_b, &known).await.0,
        200,
        "kiosk B still answers"
    );

    // A wrong key, or another kiosk's, gets no kiosk budget: it is refused.
    for asker in [
        Asker::Kiosk("B", KEY_A),
        Asker::Kiosk("C", KEY_A),
        Asker::Kiosk("B", "x"),
    ] {
        assert_eq!(
            app.lookup_as(asker, &known).await,
            (403, "kiosk_key_invalid".into()),
            "{asker:?}"
        );
    }
}

/// Regression: a kiosk's satisfaction figures took ratings from anyone who named it. A kiosk
/// that has a key now rates only with it; a kiosk without one rates as before.
#[tokio::test]
async fn a_rating_in_the_name_of_a_kiosk_that_has_a_key_needs_that_key() {
    // Arrange
    let app = spawn_app_with(|s| {
        s.kiosk.keys = vec![format!("A:{KEY_A}").into()];
    })
    .await;
    let rate = |id: &'static str, key: Option<&'static str>| {
        let mut request = app
            .http
            .post(format!("{}/api/v1/kiosk/ratings", app.address))
            .header("X-Kiosk-Id", id)
            .json(&serde_json::json!({ "score": 1 }));
        if let Some(key) = key {
            request = request.header("X-Kiosk-Key", key);
        }
        async move {
            let response = request.send().await.expect("rating");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.expect("json");
            (
                status,
                body["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let stored = || async {
        let count: i64 = app
            .db
            .client()
            .await
            .query_one("SELECT count(*) FROM kiosk_ratings", &[])
            .await
            .expect("count")
            .get(0);
        count
    };

    // Act and assert: without its key, or with another, kiosk A's name is refused.
    assert_eq!(rate("A", None).await, (403, "kiosk_key_invalid".into()));
    assert_eq!(
        rate("A", Some(KEY_B)).await,
        (403, "kiosk_key_invalid".into())
    );
    assert_eq!(stored().await, 0, "nothing stored for a refused rating");

    // With its key it rates; a kiosk that has no key rates as before.
    assert_eq!(rate("A", Some(KEY_A)).await.0, 201);
    assert_eq!(rate("xa-2", None).await.0, 201);
    assert_eq!(stored().await, 2);
}
