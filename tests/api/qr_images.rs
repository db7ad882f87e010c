//! QR images for printing: signed requests only, bounded size and quiet zone, and every PNG
//! decoded by an independent decoder (rqrr) to a link that opens the right detailed page.

use crate::helpers::{spawn_app_with, TestApp};
use crate::sync_push::SECRET;
use tracuu::config::Settings;
use tracuu::sync::auth::sign_request;

/// The public base URL the QR links of these tests carry (not the test server's address).
pub const PUBLIC_BASE: &str = "https://tracuu.example.gov.vn";

/// Print credentials on, and a public base URL that differs from the test server.
pub fn qr_settings(s: &mut Settings) {
    s.sync.secrets = vec![SECRET.to_owned().into()];
    s.qr.public_base_url = Some(PUBLIC_BASE.to_owned());
}

/// An app that accepts print requests signed with [`SECRET`].
pub async fn spawn_qr_app() -> TestApp {
    spawn_app_with(qr_settings).await
}

impl TestApp {
    /// GET `path` signed with `secret` at `timestamp` (now when `None`), as the main store does.
    pub async fn get_signed_at(
        &self,
        path: &str,
        secret: &str,
        timestamp: Option<i64>,
    ) -> reqwest::Response {
        let timestamp = timestamp.unwrap_or_else(|| chrono::Utc::now().timestamp());
        self.http
            .get(format!("{}{path}", self.address))
            .header("x-tracuu-timestamp", timestamp.to_string())
            .header(
                "x-tracuu-signature",
                sign_request(secret, timestamp, "GET", path),
            )
            .send()
            .await
            .expect("request")
    }

    /// GET `path` signed with the test secret, now.
    pub async fn get_signed(&self, path: &str) -> reqwest::Response {
        self.get_signed_at(path, SECRET, None).await
    }

    /// GET a link decoded from a QR code, on the test server: the scheme and host of the public
    /// base URL (which may be upper-cased in the code) are replaced by the server's address.
    pub async fn open_decoded(&self, link: &str) -> reqwest::Response {
        let at = link.find("/q/").expect("a /q/ link");
        assert!(
            link[..at].eq_ignore_ascii_case(PUBLIC_BASE),
            "link on the configured public base: {link}"
        );
        self.get(&link[at..]).await
    }
}

/// Decodes the one QR code in a PNG with rqrr; also returns the image's width and height.
pub fn decode_png(png_bytes: &[u8]) -> (String, u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buffer).expect("PNG frame");
    let (width, height) = (info.width as usize, info.height as usize);
    let line = info.line_size;
    let bits = match info.bit_depth {
        png::BitDepth::One => 1,
        png::BitDepth::Eight => 8,
        other => panic!("unexpected bit depth {other:?}"),
    };
    let channels = info.color_type.samples();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        if bits == 1 {
            if buffer[y * line + x / 8] & (0x80 >> (x % 8)) != 0 {
                255
            } else {
                0
            }
        } else {
            buffer[y * line + x * channels]
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the image");
    let (_, text) = grids[0].decode().expect("the QR code decodes");
    (text, info.width, info.height)
}

#[tokio::test]
async fn a_signed_request_gets_a_png_whose_link_opens_the_detailed_page() {
    // Arrange
    let app = spawn_qr_app().await;
    let known = app.known(5).await;

    // Act
    let response = app
        .get_signed(&format!("/api/v1/dossiers/{}/qr.png", known.code))
        .await;

    // Assert
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.expect("body");
    let (link, width, height) = decode_png(&png);
    assert_eq!((width, height), (300, 300), "default size");
    let prefix = format!("{}/q/{}?k=", PUBLIC_BASE.to_uppercase(), known.code);
    assert!(link.starts_with(&prefix), "{link}");
    assert_eq!(link.len(), prefix.len() + 11, "11-character token: {link}");
    let page = app.open_decoded(&link).await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("page");
    assert!(html.contains(&format!("Hồ sơ {}", known.code)));
    assert!(html.contains("Quá trình xử lý"), "detailed view");
    assert!(
        html.contains("Giấy tờ cần bổ sung"),
        "status 5 lists what is missing"
    );
    assert!(html.contains("Nơi nhận kết quả"));
}

#[tokio::test]
async fn a_qr_can_be_minted_for_a_code_not_synced_yet() {
    let app = spawn_qr_app().await;
    let code = "000.00.16.H48-261123-0042";
    let response = app
        .get_signed(&format!("/api/v1/dossiers/{code}/qr.png?size=200&quiet=4"))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let (link, width, _) = decode_png(&response.bytes().await.expect("body"));
    assert_eq!(width, 200);
    assert!(link.contains(&format!("/q/{code}?k=")), "{link}");
    // Once scanned, the unknown code gets the helpful not-found page.
    let page = app.open_decoded(&link).await;
    assert_eq!(page.status().as_u16(), 404);
}

#[tokio::test]
async fn size_and_quiet_zone_are_honoured_and_bounded() {
    let app = spawn_qr_app().await;
    let known = app.known(4).await;
    let base = format!("/api/v1/dossiers/{}", known.code);

    let largest = app.get_signed(&format!("{base}/qr.png?size=2048")).await;
    assert_eq!(largest.status().as_u16(), 200);
    let info = png::Decoder::new(std::io::Cursor::new(largest.bytes().await.expect("body")))
        .read_info()
        .expect("PNG header")
        .info()
        .clone();
    assert_eq!((info.width, info.height), (2048, 2048));
    for (query, side) in [
        ("size=64&quiet=0", 64),
        ("size=600&quiet=16", 600),
        ("size=177&quiet=1", 177),
    ] {
        let response = app.get_signed(&format!("{base}/qr.png?{query}")).await;
        assert_eq!(response.status().as_u16(), 200, "{query}");
        let (link, width, height) = decode_png(&response.bytes().await.expect("body"));
        assert_eq!((width, height), (side, side), "{query}");
        assert!(link.contains(&known.code));
    }
    for query in [
        "size=63",
        "size=2049",
        "size=-5",
        "size=abc",
        "quiet=17",
        "size=64&quiet=16",
        "colour=red",
    ] {
        for ext in ["png", "svg"] {
            if ext == "svg" && query == "size=64&quiet=16" {
                continue; // an SVG scales: no pixel budget to overflow
            }
            let response = app.get_signed(&format!("{base}/qr.{ext}?{query}")).await;
            assert_eq!(response.status().as_u16(), 400, "{ext} {query}");
            let body: serde_json::Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], "invalid_input", "{ext} {query}");
        }
    }
}

#[tokio::test]
async fn the_svg_is_a_scalable_image_of_the_same_code() {
    let app = spawn_qr_app().await;
    let known = app.known(9).await;
    let response = app
        .get_signed(&format!("/api/v1/dossiers/{}/qr.svg?size=500", known.code))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("image/svg+xml"));
    let svg = response.text().await.expect("svg");
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"500\" height=\"500\"")
    );
    assert!(svg.contains(&format!("Mã QR tra cứu hồ sơ {}", known.code)));
    assert!(svg.ends_with("</svg>"));
}

#[tokio::test]
async fn minting_without_valid_credentials_is_refused() {
    let app = spawn_qr_app().await;
    let known = app.known(4).await;
    let path = format!("/api/v1/dossiers/{}/qr.png", known.code);
    let now = chrono::Utc::now().timestamp();

    for ext in ["png", "svg"] {
        let response = app
            .get(&format!("/api/v1/dossiers/{}/qr.{ext}", known.code))
            .await;
        assert_eq!(response.status().as_u16(), 401, "anonymous {ext}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "credentials_required");
    }
    let cases = [
        (
            app.get_signed_at(&path, "not-the-secret", None).await,
            "signature_invalid",
        ),
        (
            app.get_signed_at(&path, SECRET, Some(now - 3_600)).await,
            "signature_expired",
        ),
    ];
    for (response, expected) in cases {
        assert_eq!(response.status().as_u16(), 401, "{expected}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], expected);
    }
    // A signature made for one request does not open another (here: a bigger image).
    let response = app
        .http
        .get(format!("{}{path}?size=2048", app.address))
        .header("x-tracuu-timestamp", now.to_string())
        .header(
            "x-tracuu-signature",
            sign_request(SECRET, now, "GET", &path),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 401);
    // Only the timestamp: malformed credentials.
    let response = app
        .http
        .get(format!("{}{path}", app.address))
        .header("x-tracuu-timestamp", now.to_string())
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "signature_missing");
}

#[tokio::test]
async fn without_sync_secrets_nobody_can_mint() {
    let app = spawn_app_with(|s| s.qr.public_base_url = Some(PUBLIC_BASE.to_owned())).await;
    let known = app.known(4).await;
    let response = app
        .get_signed(&format!("/api/v1/dossiers/{}/qr.png", known.code))
        .await;
    assert_eq!(response.status().as_u16(), 401);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "credentials_required");
}

#[tokio::test]
async fn a_malformed_code_or_a_wrong_method_gets_a_json_error() {
    let app = spawn_qr_app().await;
    let response = app.get_signed("/api/v1/dossiers/xyz/qr.png").await;
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_dossier_code");

    let response = app
        .http
        .post(format!(
            "{}/api/v1/dossiers/H57.132-260804-0583/qr.png",
            app.address
        ))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 405);
}
