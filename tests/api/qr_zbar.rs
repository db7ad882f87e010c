//! End to end with a real, independent decoder: zbarimg (Debian zbar-tools) reads the PNG, and
//! the SVG rasterised by rsvg-convert (librsvg2-bin); the decoded link, moved to the test server,
//! opens the right detailed page. scripts/test.sh installs both tools.

use std::path::Path;
use std::process::Command;

use crate::helpers::TestApp;
use crate::qr_images::{spawn_qr_app, PUBLIC_BASE};

/// Runs zbarimg on `file` and returns the one decoded text (raw bytes read as UTF-8).
fn zbarimg(file: &Path) -> String {
    let output = Command::new("zbarimg")
        .args(["-q", "--raw", "-Sbinary"])
        .arg(file)
        .output()
        .expect("zbarimg runs (apt-get install zbar-tools; scripts/test.sh does)");
    assert!(output.status.success(), "zbarimg found no code: {output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one code: {text:?}");
    lines[0].to_owned()
}

/// Rasterises an SVG with rsvg-convert into a PNG next to it.
fn rasterise(svg: &str, dir: &Path, name: &str) -> std::path::PathBuf {
    let svg_file = dir.join(format!("{name}.svg"));
    let png_file = dir.join(format!("{name}.png"));
    std::fs::write(&svg_file, svg).expect("write svg");
    let status = Command::new("rsvg-convert")
        .args(["--background-color", "white", "-o"])
        .arg(&png_file)
        .arg(&svg_file)
        .status()
        .expect("rsvg-convert runs (apt-get install librsvg2-bin; scripts/test.sh does)");
    assert!(status.success());
    png_file
}

fn scratch_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tracuu-qr-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

async fn assert_opens_detailed_page(app: &TestApp, link: &str, code: &str) {
    let prefix = format!("{}/q/{code}?k=", PUBLIC_BASE.to_uppercase());
    assert!(link.starts_with(&prefix), "{link}");
    let response = app.open_decoded(link).await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.expect("page");
    assert!(html.contains(&format!("Hồ sơ {code}")), "the right dossier");
    assert!(html.contains("Quá trình xử lý"), "the detailed view");
}

#[tokio::test]
async fn zbarimg_decodes_the_png_and_the_svg_and_the_links_open_the_detailed_page() {
    // Arrange
    let app = spawn_qr_app().await;
    let known = app.known(9).await;
    let dir = scratch_dir();

    // Act: the PNG as served.
    let png = app
        .get_signed(&format!("/api/v1/dossiers/{}/qr.png?size=240", known.code))
        .await
        .bytes()
        .await
        .expect("png");
    let png_file = dir.join("qr.png");
    std::fs::write(&png_file, &png).expect("write png");
    let from_png = zbarimg(&png_file);

    // Act: the SVG, rasterised by an independent renderer.
    let svg = app
        .get_signed(&format!("/api/v1/dossiers/{}/qr.svg?size=300", known.code))
        .await
        .text()
        .await
        .expect("svg");
    let from_svg = zbarimg(&rasterise(&svg, &dir, "qr"));

    // Assert
    assert_eq!(from_png, from_svg, "both images carry the same link");
    assert_opens_detailed_page(&app, &from_png, &known.code).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn zbarimg_reads_the_qr_printed_on_the_receipt() {
    let app = spawn_qr_app().await;
    let known = app.known(5).await;
    let dir = scratch_dir();
    let html = app
        .get_signed(&format!("/receipts/{}", known.code))
        .await
        .text()
        .await
        .expect("receipt");
    let start = html.find("<svg").expect("an inline SVG");
    let end = html[start..].find("</svg>").expect("its end") + start + "</svg>".len();
    let link = zbarimg(&rasterise(&html[start..end], &dir, "receipt"));
    assert_opens_detailed_page(&app, &link, &known.code).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn zbarimg_reads_the_kiosk_procedure_qr_and_it_opens_the_phone_page() {
    // Arrange: a procedure browsed through a commune on the kiosk.
    let app = crate::helpers::spawn_app_with(|s| {
        s.province.public_base_url = PUBLIC_BASE.to_owned();
    })
    .await;
    let client = app.db.client().await;
    let code: String = client
        .query_one(
            "SELECT code FROM procedures WHERE level = 'commune' ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .expect("a commune procedure")
        .get(0);
    let commune: String = client
        .query_one(
            "SELECT code FROM agencies WHERE kind = 'commune' AND valid_until IS NULL ORDER BY code LIMIT 1",
            &[],
        )
        .await
        .expect("a commune")
        .get(0);
    let svg = app
        .get(&format!(
            "/api/v1/catalog/procedures/{code}/qr.svg?agency={commune}"
        ))
        .await
        .text()
        .await
        .expect("svg");

    // Act
    let dir = scratch_dir();
    let link = zbarimg(&rasterise(&svg, &dir, "procedure"));

    // Assert: the public procedure page, not the kiosk app, with the commune browsed through.
    assert_eq!(
        link,
        format!("{PUBLIC_BASE}/thu-tuc/{code}?co-quan={commune}")
    );
    let page = app.get(&link[PUBLIC_BASE.len()..]).await;
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("Thành phần hồ sơ"));
    let _ = std::fs::remove_dir_all(&dir);
}
