//! Old dossiers answer with today's facts (issue 20): a dossier received by an abolished district
//! or under a closed code keeps its agency as printed on the receipt, and every channel (JSON,
//! page, QR landing, receipt, kiosk, SMS, IVR, hotline console) says who serves it now: one
//! successor by name, desk and phone; several by how to find the right one; a chain of closures
//! to its living end. The agencies are made here (codes 999.9x.*), not taken from the demo.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::intake_support::{spawn_intake_app_with, staff_session};
use crate::sync_push::{snapshot, SECRET};
use tracuu::domain::sms::gsm7::{is_gsm7, septets};

const PROVINCE: &str = "000.00.00.H48";

/// One agency to insert: code, level, name, closing date, and desk phone.
struct Made {
    code: &'static str,
    kind: &'static str,
    name: &'static str,
    closed: Option<&'static str>,
    phone: Option<&'static str>,
}

const fn open(
    code: &'static str,
    kind: &'static str,
    name: &'static str,
    phone: &'static str,
) -> Made {
    Made {
        code,
        kind,
        name,
        closed: None,
        phone: Some(phone),
    }
}

const fn closed(
    code: &'static str,
    kind: &'static str,
    name: &'static str,
    on: &'static str,
) -> Made {
    Made {
        code,
        kind,
        name,
        closed: Some(on),
        phone: Some("0255.3000000"),
    }
}

// A district abolished with one successor commune.
const DISTRICT: &str = "999.91.00.H48";
const COMMUNE: &str = "999.91.01.H48";
// A district split between two successors.
const SPLIT: &str = "999.92.00.H48";
const SPLIT_A: &str = "999.92.01.H48";
const SPLIT_B: &str = "999.92.02.H48";
// Two communes merged into one.
const MERGED_1: &str = "999.93.01.H48";
const MERGED_2: &str = "999.93.02.H48";
const MERGED_INTO: &str = "999.93.10.H48";
// A chain: a district whose successor closed too (and names it back: a cycle).
const CHAIN_START: &str = "999.94.00.H48";
const CHAIN_MIDDLE: &str = "999.94.01.H48";
const CHAIN_END: &str = "999.94.02.H48";
// A department of the merged-in province under its closed code.
const CLOSED_CODE: &str = "999.00.95.H35";
const DEPARTMENT: &str = "000.00.05.H48";

fn agencies() -> Vec<Made> {
    vec![
        closed(DISTRICT, "district", "UBND huyện Bình Thử", "2025-07-01"),
        open(COMMUNE, "commune", "UBND xã Bình Thử", "0255.3812345"),
        closed(SPLIT, "district", "UBND huyện Sơn Thử", "2025-07-01"),
        open(SPLIT_A, "commune", "UBND xã Tịnh Thử", "0255.3811111"),
        open(SPLIT_B, "ward", "UBND phường Trương Thử", "0255.3822222"),
        closed(MERGED_1, "commune", "UBND xã Hòa Một", "2025-07-01"),
        closed(MERGED_2, "commune", "UBND xã Hòa Hai", "2025-07-01"),
        open(MERGED_INTO, "commune", "UBND xã Hòa Hợp", "0255.3833333"),
        closed(
            CHAIN_START,
            "district",
            "UBND huyện Đầu Chuỗi",
            "2025-07-01",
        ),
        closed(CHAIN_MIDDLE, "commune", "UBND xã Giữa Chuỗi", "2026-01-01"),
        open(CHAIN_END, "commune", "UBND xã Cuối Chuỗi", "0255.3844444"),
        closed(
            CLOSED_CODE,
            "department",
            "Sở Tư pháp tỉnh Thử Nghiệm",
            "2025-07-01",
        ),
    ]
}

const SUCCESSIONS: &[(&str, &str)] = &[
    (DISTRICT, COMMUNE),
    (SPLIT, SPLIT_A),
    (SPLIT, SPLIT_B),
    (MERGED_1, MERGED_INTO),
    (MERGED_2, MERGED_INTO),
    (CHAIN_START, CHAIN_MIDDLE),
    (CHAIN_MIDDLE, CHAIN_END),
    (CHAIN_MIDDLE, CHAIN_START),
    (CLOSED_CODE, DEPARTMENT),
];

/// The dossier received (and handled) by `agency`, before the reform.
fn dossier_of(agency: &str) -> String {
    format!("{agency}-250315-0001")
}

/// A living agency's dossier, for comparison.
const LIVING: &str = "000.00.16.H48-250315-0001";

async fn spawn() -> TestApp {
    let app = spawn_intake_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into()];
        s.sync.max_batch_items = 50;
        crate::sms_inbound::sms_settings(s);
        s.qr.public_base_url = Some("https://tracuu.example.gov.vn".into());
    })
    .await;
    app.ensure_procedure().await;
    let client = app.db.client().await;
    for made in agencies() {
        client
            .execute(
                "INSERT INTO agencies (code, parent_code, kind, name, desk_address, desk_phone,
                     desk_hours, version, valid_until)
                 VALUES ($1, $2, $3, $4, $5, $6, 'Thứ Hai đến thứ Sáu, 7:00–17:00', 1, $7::text::date)",
                &[
                    &made.code,
                    &PROVINCE,
                    &made.kind,
                    &made.name,
                    &format!("Trụ sở {}", made.name),
                    &made.phone,
                    &made.closed,
                ],
            )
            .await
            .unwrap_or_else(|e| panic!("agency {}: {e}", made.code));
    }
    for (agency, successor) in SUCCESSIONS {
        client
            .execute(
                "INSERT INTO agency_successors (agency_code, successor_code) VALUES ($1, $2)",
                &[agency, successor],
            )
            .await
            .expect("successor");
    }
    let items: Vec<Value> = [
        DISTRICT,
        SPLIT,
        MERGED_1,
        MERGED_2,
        CHAIN_START,
        CLOSED_CODE,
    ]
    .iter()
    .map(|agency| old_snapshot(&dossier_of(agency), agency))
    .chain(std::iter::once(old_snapshot(LIVING, "000.00.16.H48")))
    .collect();
    let (status, report) = app.push(&items).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], items.len(), "{report}");
    app
}

/// A dossier of `agency` received in March 2025, its result waiting to be collected.
fn old_snapshot(code: &str, agency: &str) -> Value {
    let mut item = snapshot(code, 1, 9);
    item["receiving_agency_code"] = json!(agency);
    item["handling_agency_code"] = json!(agency);
    item["received_at"] = json!("2025-03-15T01:30:00Z");
    item["due_at"] = json!("2025-04-01T09:00:00Z");
    item["finished_at"] = json!("2025-03-30T09:00:00Z");
    item["events"] = json!([
        {"at": "2025-03-15T01:30:00Z", "status": 2, "step": "Tiếp nhận hồ sơ", "agency_code": agency},
        {"at": "2025-03-30T09:00:00Z", "status": 9, "step": "Có kết quả"}
    ]);
    item
}

async fn view(app: &TestApp, code: &str) -> Value {
    let (status, view) = app
        .get_json(&format!("/api/v1/dossiers/{code}?phone4=4321"))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["view"], "detailed", "{view}");
    view
}

async fn lookup_number(app: &TestApp, code: &str) -> i64 {
    app.db
        .client()
        .await
        .query_one(
            "SELECT lookup_number FROM dossiers WHERE code = $1",
            &[&code],
        )
        .await
        .expect("number")
        .get(0)
}

#[tokio::test]
async fn an_old_district_dossier_names_its_successor_with_desk_and_phone_in_json() {
    // Arrange
    let app = spawn().await;

    // Act
    let json = view(&app, &dossier_of(DISTRICT)).await;

    // Assert: the receipt's agency stays; now names the commune centre.
    let receiving = &json["receiving_agency"];
    assert_eq!(receiving["code"], DISTRICT);
    assert_eq!(receiving["name"], "UBND huyện Bình Thử");
    assert_eq!(
        receiving["now_text"],
        "UBND huyện Bình Thử (nay là Trung tâm Phục vụ hành chính công xã Bình Thử)"
    );
    let now = receiving["now"].as_array().expect("now");
    assert_eq!(now.len(), 1, "{json}");
    assert_eq!(now[0]["code"], COMMUNE);
    assert_eq!(now[0]["name"], "UBND xã Bình Thử");
    assert_eq!(
        now[0]["desk_name"],
        "Trung tâm Phục vụ hành chính công xã Bình Thử"
    );
    assert_eq!(now[0]["desk_phone"], "0255.3812345");
    assert_eq!(now[0]["desk_address"], "Trụ sở UBND xã Bình Thử");
    assert_eq!(json["handling_agency"]["now"], receiving["now"]);
    // Where to collect follows the successor.
    let collect = &json["collect_result"];
    assert_eq!(
        collect["agency"],
        "Trung tâm Phục vụ hành chính công xã Bình Thử"
    );
    assert_eq!(collect["phone"], "0255.3812345");
    assert_eq!(collect["note"], receiving["now_text"]);
    // The timeline keeps the name printed then.
    assert_eq!(json["timeline"][0]["agency"], "UBND huyện Bình Thử");
}

#[tokio::test]
async fn a_split_district_says_how_to_find_the_right_commune_and_a_merger_names_the_one() {
    // Arrange
    let app = spawn().await;

    // Act
    let split = view(&app, &dossier_of(SPLIT)).await;
    let merged_1 = view(&app, &dossier_of(MERGED_1)).await;
    let merged_2 = view(&app, &dossier_of(MERGED_2)).await;

    // Assert: two successors, both listed with their desks, and how to choose.
    let now = split["receiving_agency"]["now"].as_array().expect("now");
    let codes: Vec<&str> = now.iter().filter_map(|a| a["code"].as_str()).collect();
    assert_eq!(codes, [SPLIT_B, SPLIT_A], "ordered by name: {split}");
    let text = split["receiving_agency"]["now_text"]
        .as_str()
        .expect("text");
    assert!(
        text.starts_with("UBND huyện Sơn Thử (nay thuộc phường Trương Thử và xã Tịnh Thử; liên hệ Trung tâm Phục vụ hành chính công của xã, phường nơi ông bà cư trú"),
        "{text}"
    );
    assert_eq!(split["collect_result"]["agency"], "UBND huyện Sơn Thử");
    assert!(split["collect_result"]["phone"].is_null(), "{split}");
    assert_eq!(split["collect_result"]["note"], text);
    // Two merged communes both lead to the one commune.
    for merged in [&merged_1, &merged_2] {
        let now = merged["receiving_agency"]["now"].as_array().expect("now");
        assert_eq!(now.len(), 1, "{merged}");
        assert_eq!(now[0]["code"], MERGED_INTO);
        assert_eq!(merged["collect_result"]["phone"], "0255.3833333");
    }
    assert_eq!(
        merged_2["receiving_agency"]["now_text"],
        "UBND xã Hòa Hai (nay là Trung tâm Phục vụ hành chính công xã Hòa Hợp)"
    );
}

#[tokio::test]
async fn a_chain_of_closures_leads_to_its_living_end_and_a_closed_code_to_its_department() {
    // Arrange
    let app = spawn().await;
    let department: String = app
        .db
        .client()
        .await
        .query_one("SELECT name FROM agencies WHERE code = $1", &[&DEPARTMENT])
        .await
        .expect("department")
        .get(0);

    // Act
    let chain = view(&app, &dossier_of(CHAIN_START)).await;
    let closed_code = view(&app, &dossier_of(CLOSED_CODE)).await;

    // Assert: past the commune that closed too, and not back round the cycle.
    let now = chain["receiving_agency"]["now"].as_array().expect("now");
    let codes: Vec<&str> = now.iter().filter_map(|a| a["code"].as_str()).collect();
    assert_eq!(codes, [CHAIN_END], "{chain}");
    assert_eq!(
        chain["receiving_agency"]["now_text"],
        "UBND huyện Đầu Chuỗi (nay là Trung tâm Phục vụ hành chính công xã Cuối Chuỗi)"
    );
    // A department keeps its own name as the desk (no commune centre).
    assert_eq!(closed_code["receiving_agency"]["code"], CLOSED_CODE);
    assert_eq!(
        closed_code["receiving_agency"]["now_text"],
        format!("Sở Tư pháp tỉnh Thử Nghiệm (nay là {department})")
    );
}

#[tokio::test]
async fn a_living_agencys_dossier_is_answered_as_before() {
    // Arrange
    let app = spawn().await;

    // Act
    let json = view(&app, LIVING).await;
    let page = app
        .get(&format!("/tra-cuu?ma={LIVING}"))
        .await
        .text()
        .await
        .expect("page");

    // Assert
    for side in ["receiving_agency", "handling_agency"] {
        let fields: Vec<&String> = json[side].as_object().expect("agency").keys().collect();
        assert_eq!(fields, ["code", "name"], "{json}");
    }
    assert!(json["collect_result"].get("note").is_none(), "{json}");
    assert!(!page.contains("Nơi liên hệ hiện nay"), "{page}");
    assert!(!page.contains("nay là"), "{page}");
}

#[tokio::test]
async fn the_page_the_qr_landing_and_the_receipt_name_the_successor() {
    // Arrange
    let app = spawn().await;
    let code = dossier_of(DISTRICT);
    let settings = {
        let mut s = tracuu::config::Settings::default();
        s.sync.secrets = vec![SECRET.to_owned().into()];
        s.qr.public_base_url = Some("https://tracuu.example.gov.vn".into());
        s
    };
    let link = tracuu::channels::qr::QrState::new(&settings)
        .expect("QR state")
        .link(&tracuu::domain::DossierCode::parse(&code).expect("code"));
    let landing_path = link[link.find("/q/").expect("/q/")..].to_owned();

    // Act
    let page = app
        .get(&format!("/tra-cuu?ma={code}"))
        .await
        .text()
        .await
        .expect("page");
    let landing = app.get(&landing_path).await.text().await.expect("landing");
    let receipt = app
        .get_signed(&format!("/receipts/{code}"))
        .await
        .text()
        .await
        .expect("receipt");
    let split_page = app
        .get(&format!("/tra-cuu?ma={}", dossier_of(SPLIT)))
        .await
        .text()
        .await
        .expect("page");

    // Assert
    let sentence = "UBND huyện Bình Thử (nay là Trung tâm Phục vụ hành chính công xã Bình Thử)";
    for (what, html) in [("page", &page), ("landing", &landing)] {
        assert!(html.contains(sentence), "{what}: {html}");
        assert!(html.contains("Nơi liên hệ hiện nay"), "{what}: {html}");
        assert!(html.contains("0255.3812345"), "{what}: {html}");
    }
    // The landing page is the detailed view: where to collect is the commune centre's desk.
    assert!(
        landing.contains("<dt>Bộ phận</dt><dd>Trung tâm Phục vụ hành chính công xã Bình Thử</dd>"),
        "{landing}"
    );
    // The receipt keeps the agency printed then, and says where to collect now.
    assert!(
        receipt.contains("Bộ phận tiếp nhận và trả kết quả: UBND huyện Bình Thử</p>"),
        "{receipt}"
    );
    assert!(
        receipt.contains("Nhận kết quả tại: Trung tâm Phục vụ hành chính công xã Bình Thử"),
        "{receipt}"
    );
    assert!(receipt.contains(sentence), "{receipt}");
    assert!(
        split_page.contains("nay thuộc phường Trương Thử và xã Tịnh Thử"),
        "{split_page}"
    );
    assert!(split_page.contains("0255.3811111") && split_page.contains("0255.3822222"));
}

#[tokio::test]
async fn the_kiosk_api_by_number_carries_the_successor() {
    // Arrange
    let app = spawn().await;
    let number = lookup_number(&app, &dossier_of(MERGED_1)).await;

    // Act
    let response = app
        .http
        .get(format!(
            "{}/api/v1/lookup-numbers/{number:010}",
            app.address
        ))
        .header("X-Kiosk-Id", "kiosk-test-01")
        .send()
        .await
        .expect("request");

    // Assert
    assert_eq!(response.status().as_u16(), 200);
    let json: Value = response.json().await.expect("json");
    assert_eq!(json["code"], dossier_of(MERGED_1));
    assert_eq!(
        json["receiving_agency"]["now_text"],
        "UBND xã Hòa Một (nay là Trung tâm Phục vụ hành chính công xã Hòa Hợp)"
    );
    assert_eq!(
        json["receiving_agency"]["now"][0]["desk_phone"],
        "0255.3833333"
    );
}

#[tokio::test]
async fn the_sms_reply_names_the_successor_in_one_gsm7_segment_and_keeps_the_code() {
    // Arrange
    let app = spawn().await;

    // Act
    let district = app.sms(&format!("HS {}", dossier_of(DISTRICT))).await;
    let split = app.sms(&format!("HS {}", dossier_of(SPLIT))).await;
    let closed_code = app.sms(&format!("HS {}", dossier_of(CLOSED_CODE))).await;
    let living = app.sms(&format!("HS {LIVING}")).await;

    // Assert
    for (code, text) in [
        (dossier_of(DISTRICT), &district),
        (dossier_of(SPLIT), &split),
        (dossier_of(CLOSED_CODE), &closed_code),
        (LIVING.to_owned(), &living),
    ] {
        assert!(septets(text) <= 160, "{} septets: {text}", septets(text));
        assert!(is_gsm7(text) && text.is_ascii(), "{text}");
        assert!(text.contains(&code), "{text}");
    }
    assert!(
        district.contains("TTPVHCC xa Binh Thu, DT 0255.3812345"),
        "{district}"
    );
    assert!(split.contains("TTPVHCC xa, phuong noi cu tru"), "{split}");
    assert!(
        closed_code.contains("nay la") || closed_code.contains("Nay lien he"),
        "{closed_code}"
    );
    assert!(!living.contains("nay la"), "{living}");
}

#[tokio::test]
async fn the_ivr_speaks_the_successor_desk_and_phone() {
    // Arrange
    let app = spawn().await;
    let number = lookup_number(&app, &dossier_of(DISTRICT)).await;
    let split_number = lookup_number(&app, &dossier_of(SPLIT)).await;

    // Act
    let (status, result) = app
        .get_json(&format!("/ivr/api/status?attempt=1&digits={number:010}"))
        .await;
    let (_, split) = app
        .get_json(&format!(
            "/ivr/api/status?attempt=1&digits={split_number:010}"
        ))
        .await;

    // Assert
    assert_eq!(status, 200, "{result}");
    let spoken = result["result"]["text"].as_str().expect("text");
    assert!(
        spoken.contains("UBND huyện Bình Thử nay là Trung tâm Phục vụ hành chính công xã Bình Thử"),
        "{spoken}"
    );
    assert!(
        spoken.contains("điện thoại không hai năm năm ba tám một hai ba bốn năm"),
        "{spoken}"
    );
    let split = split["result"]["text"].as_str().expect("text");
    assert!(
        split.contains("nay thuộc phường Trương Thử và xã Tịnh Thử"),
        "{split}"
    );
}

#[tokio::test]
async fn the_ivr_information_describes_the_service_centres_not_districts() {
    // Arrange
    let app = spawn().await;

    // Act
    let (status, info) = app.get_json("/ivr/api/info").await;

    // Assert
    assert_eq!(status, 200, "{info}");
    let text = info.to_string();
    assert!(text.contains("Trung tâm Phục vụ hành chính công"), "{text}");
    assert!(!text.contains("huyện"), "{text}");
}

#[tokio::test]
async fn the_hotline_console_shows_and_reads_the_successor() {
    // Arrange
    let app = spawn().await;
    let operator = staff_session(&app, "dtv.ke.thua", "operator", None).await;

    // Act
    let page = operator
        .get(
            &app,
            &format!("/can-bo/tong-dai/ho-so/{}", dossier_of(DISTRICT)),
        )
        .await;

    // Assert
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("page");
    assert!(
        html.contains(
            "<dd>UBND huyện Bình Thử (nay là Trung tâm Phục vụ hành chính công xã Bình Thử)</dd>"
        ),
        "{html}"
    );
    assert!(html.contains("Nơi liên hệ hiện nay"), "{html}");
    assert!(html.contains("0255.3812345"), "{html}");
    assert!(
        html.contains("nay là Trung tâm Phục vụ hành chính công xã Bình Thử. Ông bà liên hệ"),
        "read aloud: {html}"
    );
}

/// Pushes catalog `items` to `/sync/v1/agencies`, signed.
async fn push_agencies(app: &TestApp, items: &[Value]) {
    let body = serde_json::to_vec(items).expect("json");
    let response = app
        .push_raw(
            "/sync/v1/agencies",
            body,
            "application/json",
            Some(SECRET),
            None,
        )
        .await;
    let status = response.status().as_u16();
    let report: Value = response.json().await.expect("report");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], items.len(), "{report}");
}

fn catalog_agency(code: &str, kind: &str, name: &str, phone: &str, version: i64) -> Value {
    json!({
        "code": code, "parent_code": PROVINCE, "kind": kind, "name": name,
        "desk_address": format!("Trụ sở {name}"), "desk_phone": phone,
        "desk_hours": "Thứ Hai đến thứ Sáu", "version": version
    })
}

#[tokio::test]
async fn a_closure_and_a_successors_new_phone_pushed_later_reach_the_old_dossiers_views() {
    // Arrange: an open district with a cached dossier, and the commune that will succeed it.
    let app = spawn().await;
    let district = "999.96.00.H48";
    let commune = "999.96.01.H48";
    push_agencies(
        &app,
        &[
            catalog_agency(
                district,
                "district",
                "UBND huyện Đổi Mới",
                "0255.3000001",
                1,
            ),
            catalog_agency(commune, "commune", "UBND xã Đổi Mới", "0255.3000002", 1),
        ],
    )
    .await;
    let code = dossier_of(district);
    let (status, report) = app.push(&[old_snapshot(&code, district)]).await;
    assert_eq!(status, 200, "{report}");
    let before = view(&app, &code).await;
    assert!(before["receiving_agency"].get("now").is_none(), "{before}");

    // Act: the district closes with the commune as successor; then the commune's phone changes.
    let mut closing = catalog_agency(
        district,
        "district",
        "UBND huyện Đổi Mới",
        "0255.3000001",
        2,
    );
    closing["valid_until"] = json!("2025-07-01");
    closing["successors"] = json!([commune]);
    push_agencies(&app, &[closing]).await;
    let closed = view(&app, &code).await;
    push_agencies(
        &app,
        &[catalog_agency(
            commune,
            "commune",
            "UBND xã Đổi Mới",
            "0255.3999999",
            2,
        )],
    )
    .await;
    let renumbered = view(&app, &code).await;
    let stored: String = app
        .db
        .client()
        .await
        .query_one(
            "SELECT convert_from(head, 'UTF8') FROM dossier_views WHERE code = $1",
            &[&code],
        )
        .await
        .expect("stored view")
        .get(0);

    // Assert
    assert_eq!(
        closed["receiving_agency"]["now_text"],
        "UBND huyện Đổi Mới (nay là Trung tâm Phục vụ hành chính công xã Đổi Mới)",
        "{closed}"
    );
    assert_eq!(
        closed["receiving_agency"]["now"][0]["desk_phone"],
        "0255.3000002"
    );
    assert_eq!(
        renumbered["receiving_agency"]["now"][0]["desk_phone"], "0255.3999999",
        "{renumbered}"
    );
    assert_eq!(renumbered["collect_result"]["phone"], "0255.3999999");
    assert!(
        stored.contains("0255.3999999"),
        "the stored view too: {stored}"
    );
}
