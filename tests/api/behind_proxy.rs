//! Issue 23: the server-to-server checks behind a reverse proxy. Kannel's allowed addresses
//! (`sms.allowed_addresses`) and the operator addresses that guard the sync push read the client
//! address tracuu trusts after `http.trusted_proxies`: with nginx on the same host (the peer is
//! 127.0.0.1) an internet client it forwards is refused, a listed host it forwards is let in, and
//! an untrusted peer's forged `X-Forwarded-For` changes nothing.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::helpers::{spawn_app_with, TestApp};
use crate::sms_inbound::{sms_settings, SMS_SECRET};
use crate::sync_push::{snapshot, SECRET};

/// An address on the internet (TEST-NET-3).
const INTERNET: &str = "203.0.113.7";
/// Kannel's smsbox on another host of the province's network (TEST-NET-2).
const KANNEL: &str = "198.51.100.20";
/// The main dossier store on another host.
const MAIN_STORE: &str = "198.51.100.30";

fn ip(text: &str) -> IpAddr {
    text.parse().expect("address")
}

/// A client whose requests come from `127.0.0.<last>`.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

/// Kannel's inbound call from `http`, with `forwarded` as `X-Forwarded-For`: status and the error
/// code, if any (`route_not_found` for the not-found page).
async fn sms_call(app: &TestApp, http: &reqwest::Client, forwarded: Option<&str>) -> (u16, String) {
    let mut request = http
        .get(format!(
            "{}/sms/v1/kannel/{SMS_SECRET}/inbound",
            app.address
        ))
        .query(&[
            ("from", "0912345678"),
            ("to", "8088"),
            ("text", "TG"),
            ("id", &uuid::Uuid::new_v4().to_string()),
        ]);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    answer(request).await
}

/// A signed push of one snapshot from `http`, with `forwarded` as `X-Forwarded-For`.
async fn push_call(
    app: &TestApp,
    http: &reqwest::Client,
    forwarded: Option<&str>,
    version: i64,
) -> (u16, String) {
    let body =
        serde_json::to_vec(&[snapshot("000.00.16.H48-261116-0523", version, 4)]).expect("json");
    let timestamp = chrono::Utc::now().timestamp();
    let mut request = http
        .post(format!("{}/sync/v1/dossiers", app.address))
        .header("content-type", "application/json")
        .header("x-tracuu-timestamp", timestamp.to_string())
        .header(
            "x-tracuu-signature",
            tracuu::sync::auth::sign(SECRET, timestamp, &body),
        );
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    answer(request.body(body)).await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let code = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            // Outside /sync/ an unknown route is answered with the not-found page.
            if text.contains("Không tìm thấy trang") {
                "route_not_found".to_owned()
            } else {
                text
            }
        });
    (status, code)
}

#[tokio::test]
async fn behind_nginx_on_the_same_host_an_internet_client_cannot_reach_kannels_endpoint() {
    // Arrange: the defaults (Kannel and operators on loopback) with nginx on loopback trusted.
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.http.trusted_proxies = vec![ip("127.0.0.1")];
    })
    .await;
    let loopback = client_from(1);
    // Act
    let forwarded = sms_call(&app, &loopback, Some(INTERNET)).await;
    let spoofed = sms_call(&app, &loopback, Some(&format!("127.0.0.1, {INTERNET}"))).await;
    let direct = sms_call(&app, &loopback, None).await;
    // Assert
    assert_eq!(
        forwarded,
        (404, "route_not_found".into()),
        "nginx forwarding the internet"
    );
    assert_eq!(
        spoofed,
        (404, "route_not_found".into()),
        "a client claiming loopback before nginx's own entry"
    );
    assert_eq!(
        direct.0, 200,
        "Kannel on the same host, not through nginx: {direct:?}"
    );
}

#[tokio::test]
async fn the_sms_address_check_reads_the_client_the_trusted_proxy_forwarded_for() {
    // Arrange: operators wide enough that the SMS check alone decides.
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.http.trusted_proxies = vec![ip("127.0.0.1")];
        s.http.operator_addresses.extend([ip(INTERNET), ip(KANNEL)]);
        s.sms.allowed_addresses.push(ip(KANNEL));
    })
    .await;
    let proxy = client_from(1);
    // Act
    let internet = sms_call(&app, &proxy, Some(INTERNET)).await;
    let kannel = sms_call(&app, &proxy, Some(KANNEL)).await;
    // Assert
    assert_eq!(
        internet,
        (403, "sms_forbidden".into()),
        "the proxy's own address is allowed, the client it forwards is not"
    );
    assert_eq!(kannel.0, 200, "Kannel forwarded by the proxy: {kannel:?}");
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_not_believed_by_the_sms_check() {
    // Arrange: no proxy trusted; Kannel at 127.0.0.5.
    let app = spawn_app_with(|s| {
        sms_settings(s);
        s.http.trusted_proxies = vec![ip("10.0.0.1")];
        s.http.operator_addresses = vec![ip("127.0.0.1"), ip("127.0.0.5"), ip(KANNEL)];
        s.sms.allowed_addresses = vec![ip("127.0.0.5"), ip(KANNEL)];
    })
    .await;
    // Act
    let forged = sms_call(&app, &client_from(1), Some(KANNEL)).await;
    let kannel = sms_call(&app, &client_from(5), Some(INTERNET)).await;
    // Assert
    assert_eq!(forged, (403, "sms_forbidden".into()), "the peer counts");
    assert_eq!(kannel.0, 200, "the peer counts: {kannel:?}");
}

#[tokio::test]
async fn the_sync_push_behind_a_trusted_proxy_is_for_the_main_store_only() {
    // Arrange: the main store on another host, listed as an operator; nginx on loopback trusted.
    let app = spawn_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into()];
        s.http.trusted_proxies = vec![ip("127.0.0.1")];
        s.http.operator_addresses.push(ip(MAIN_STORE));
    })
    .await;
    app.ensure_procedure().await;
    let proxy = client_from(1);
    // Act
    let internet = push_call(&app, &proxy, Some(INTERNET), 1).await;
    let main_store = push_call(&app, &proxy, Some(MAIN_STORE), 2).await;
    // Assert
    assert_eq!(
        internet,
        (404, "route_not_found".into()),
        "a correctly signed push from the internet through nginx"
    );
    assert_eq!(main_store.0, 200, "{main_store:?}");
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_not_believed_by_the_sync_push() {
    // Arrange: no proxy trusted; operators are loopback only.
    let app = spawn_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into()];
        s.http.operator_addresses = vec![ip("127.0.0.1")];
    })
    .await;
    app.ensure_procedure().await;
    // Act
    let forged = push_call(&app, &client_from(5), Some("127.0.0.1"), 1).await;
    let operator = push_call(&app, &client_from(1), Some(INTERNET), 2).await;
    // Assert
    assert_eq!(forged, (404, "route_not_found".into()), "the peer counts");
    assert_eq!(operator.0, 200, "the peer counts: {operator:?}");
}
