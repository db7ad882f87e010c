//! Honest words for every status (docs/domain.md, what a dossier's status says; decision 0057),
//! end to end: dossiers pushed with an appointment date long past, read through the JSON lookup,
//! the lookup page, the QR landing page and the SMS reply. The words themselves are pinned by the
//! table test in `src/domain/standing.rs`; these tests check that every channel uses them.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp};
use crate::intake_support::{spawn_intake_app_with, staff_session};
use crate::qr_images::qr_settings;
use crate::sms_inbound::sms_settings;
use crate::sync_push::SECRET;
use tracuu::channels::qr::QrState;
use tracuu::config::Settings;
use tracuu::domain::DossierCode;

/// The last four digits of the phone every pushed dossier has.
const PHONE4: &str = "4321";

/// Where the fees of the dossier waiting for payment are paid.
const PAYMENT_PLACE: &str =
    "Chi cục Thuế khu vực Quảng Ngãi, hoặc trực tuyến qua Cổng Dịch vụ công";

fn adjust(s: &mut Settings) {
    s.sync.secrets = vec![SECRET.to_owned().into()];
    qr_settings(s);
    sms_settings(s);
}

async fn spawn_wording_app() -> TestApp {
    let app = spawn_app_with(adjust).await;
    app.ensure_procedure().await;
    app
}

fn code(status: i16) -> String {
    format!("000.00.16.H48-261116-07{status:02}")
}

/// The reason the main store wrote in the timeline for a refused, withdrawn or stopped dossier.
fn reason(status: i16) -> String {
    format!("Lý do kiểm thử số {status}: thiếu văn bản đồng ý của đồng sở hữu")
}

/// A dossier with `status`, received 40 days ago, due 20 days ago; the dossiers that ended did so
/// 30 days ago, before the appointment (so the 766 assessment calls them early).
fn snapshot(status: i16) -> Value {
    let now = Utc::now();
    let at = |days: i64| (now - Duration::days(days)).to_rfc3339();
    let mut events = vec![
        json!({"at": at(40), "status": 2, "step": "Tiếp nhận hồ sơ", "agency_code": "000.00.16.H48"}),
    ];
    if status != 2 {
        let note = matches!(status, 3 | 7 | 8).then(|| reason(status));
        events.push(json!({"at": at(30), "status": status, "step": "Bước cuối", "note": note}));
    }
    let mut item = json!({
        "code": code(status),
        "version": 1,
        "procedure_code": "1.001193",
        "receiving_agency_code": "000.00.16.H48",
        "handling_agency_code": "000.00.16.H48",
        "channel": 1,
        "status": status,
        "applicant_name": "Trần Thị Bích Ngọc",
        "applicant_phone": "0987 654 321",
        "received_at": at(40),
        "due_at": at(20),
        "updated_at": now.to_rfc3339(),
        "events": events,
    });
    match status {
        3 | 7 | 8 | 9 => item["finished_at"] = json!(at(30)),
        10 => {
            item["finished_at"] = json!(at(30));
            item["returned_at"] = json!(at(29));
        }
        5 => {
            item["supplement_count"] = json!(1);
            item["supplement_requested_at"] = json!(at(30));
            item["supplement_request"] =
                json!("Bản sao chứng thực giấy chứng nhận quyền sử dụng đất");
            item["citizen_due_at"] = json!(at(-5));
        }
        6 => {
            item["fee_amount_vnd"] = json!(2_500_000);
            item["fee_payment_place"] = json!(PAYMENT_PLACE);
            item["citizen_due_at"] = json!(at(-10));
        }
        _ => {}
    }
    item
}

async fn push_all(app: &TestApp) {
    let items: Vec<Value> = (2..=10).map(snapshot).collect();
    let (status, report) = app.push(&items).await;
    assert_eq!(status, 200, "{report}");
}

fn finished(status: i16) -> bool {
    matches!(status, 9 | 10)
}

fn ended(status: i16) -> bool {
    matches!(status, 3 | 7 | 8)
}

#[tokio::test]
async fn the_json_view_says_early_or_on_time_only_of_finished_dossiers_and_gives_reasons() {
    let app = spawn_wording_app().await;
    push_all(&app).await;
    for status in 2..=10i16 {
        let (http, body) = app
            .get_json(&format!(
                "/api/v1/dossiers/{}?phone4={PHONE4}",
                code(status)
            ))
            .await;
        assert_eq!(http, 200, "{body}");
        assert_eq!(body["view"], "detailed", "{body}");
        let key = body["timeliness"]["key"].as_str().unwrap_or_default();
        let label = &body["timeliness"]["label"];
        let plain = body["plain"].as_str().unwrap_or_default();
        if !finished(status) {
            assert!(!matches!(key, "early" | "on_time"), "{status}: {body}");
        }
        match status {
            2 | 4 => {
                assert_eq!(key, "in_progress_overdue", "{body}");
                let days = body["timeliness"]["overdue_working_days"]
                    .as_u64()
                    .unwrap_or_default();
                // Twenty calendar days past the appointment are at least ten working days.
                assert!(days >= 10, "{body}");
                assert_eq!(label, &json!(format!("Quá hạn {days} ngày làm việc")));
                assert!(!plain.contains("chưa cần làm gì"), "{plain}");
                assert!(plain.contains(&format!("{days} ngày làm việc")), "{plain}");
            }
            5 | 6 => {
                assert_eq!(key, "waiting_for_citizen", "{body}");
                assert!(plain.contains("tạm dừng"), "{plain}");
                // By when: the citizen's own deadline, as the main store sent it.
                assert!(body["citizen_due_at"].is_string(), "{body}");
                if status == 6 {
                    assert_eq!(body["fee"]["amount_vnd"], json!(2_500_000), "{body}");
                    assert_eq!(body["fee"]["amount_text"], json!("2.500.000 đồng"));
                    assert_eq!(body["fee"]["place"], json!(PAYMENT_PLACE));
                }
            }
            3 | 7 | 8 => {
                assert_eq!(key, "ended", "{body}");
                assert!(label.is_null(), "{body}");
                assert_eq!(body["reason"]["text"], json!(reason(status)), "{body}");
            }
            _ => assert_eq!(key, "early", "{body}"),
        }
        let collects = !body["collect_result"].is_null();
        assert_eq!(collects, !ended(status) && status != 10, "{status}: {body}");
        if status != 9 && collects {
            assert!(body["collect_result"]["from"].is_null(), "{body}");
        }
        // The public view says the same, without the reason.
        let (_, public) = app
            .get_json(&format!("/api/v1/dossiers/{}", code(status)))
            .await;
        assert_eq!(public["timeliness"]["key"], json!(key), "{public}");
        assert!(public.get("reason").is_none(), "{public}");
    }
}

#[tokio::test]
async fn the_lookup_page_shows_the_reason_and_no_early_label_on_a_stopped_dossier() {
    let app = spawn_wording_app().await;
    push_all(&app).await;
    for status in 2..=10i16 {
        let html = app
            .get(&format!("/tra-cuu?ma={}&phone4={PHONE4}", code(status)))
            .await
            .text()
            .await
            .expect("page");
        assert!(html.contains(&format!("Hồ sơ {}", code(status))), "{html}");
        if !finished(status) {
            assert!(!html.contains("Trước hạn"), "{status}");
            assert!(!html.contains("Đúng hạn"), "{status}");
        }
        assert_eq!(
            html.contains(&reason(status)),
            ended(status),
            "reason of {status}"
        );
        assert_eq!(
            html.contains("Nơi nhận kết quả"),
            !ended(status) && status != 10,
            "where to collect, {status}"
        );
        assert!(html.contains("id=\"plain\""), "{status}");
        if status == 6 {
            assert!(html.contains("2.500.000 đồng"), "{html}");
            assert!(html.contains(PAYMENT_PLACE), "{html}");
            assert!(html.contains("Hạn nộp"), "{html}");
        }
        if status == 5 {
            assert!(html.contains("Hạn bổ sung"), "{html}");
        }
    }
}

#[tokio::test]
async fn a_fee_the_main_store_sends_is_checked_and_named_when_wrong() {
    let app = spawn_wording_app().await;
    let mut negative = snapshot(6);
    negative["fee_amount_vnd"] = json!(-1);
    let mut early = snapshot(5);
    early["citizen_due_at"] = json!("2000-01-01T00:00:00Z");
    let (status, report) = app.push(&[negative, early]).await;
    assert_eq!(status, 200, "{report}");
    let text = report.to_string();
    assert!(text.contains("fee_amount_vnd"), "{text}");
    assert!(text.contains("citizen_due_at"), "{text}");
    // Without the optional fields, a dossier waiting for payment still reads honestly.
    let mut bare = snapshot(6);
    for field in ["fee_amount_vnd", "fee_payment_place", "citizen_due_at"] {
        bare.as_object_mut().map(|o| o.remove(field));
    }
    let (status, report) = app.push(&[bare]).await;
    assert_eq!(status, 200, "{report}");
    let (_, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={PHONE4}", code(6)))
        .await;
    assert!(body["fee"].is_null(), "{body}");
    assert_eq!(body["timeliness"]["key"], "waiting_for_citizen", "{body}");
}

#[tokio::test]
async fn an_overdue_dossiers_landing_page_asks_nothing_of_the_citizen_and_names_no_past_collection_date(
) {
    let app = spawn_wording_app().await;
    push_all(&app).await;
    let mut settings = Settings::default();
    adjust(&mut settings);
    let qr = QrState::new(&settings).expect("QR state");
    for status in 2..=10i16 {
        let link = qr.link(&DossierCode::parse(&code(status)).expect("code"));
        let path = &link[link.find("/q/").expect("/q/")..];
        // Twice: the second answer is the stored page.
        for _ in 0..2 {
            let html = app.get(path).await.text().await.expect("page");
            assert!(html.contains("Quá trình xử lý"), "detailed view: {html}");
            if matches!(status, 2 | 4) {
                assert!(!html.contains("Bạn chưa cần làm gì thêm"), "{html}");
                assert!(html.contains("Quá hạn"), "{html}");
            }
            assert!(
                !html.contains("Kết quả sẵn sàng từ") || status == 9,
                "{html}"
            );
            assert!(!html.contains("Từ ngày"), "{html}");
            if !finished(status) {
                assert!(!html.contains("Trước hạn"), "{status}: {html}");
            }
            assert_eq!(html.contains(&reason(status)), ended(status), "{status}");
        }
    }
}

#[tokio::test]
async fn the_sms_reply_says_overdue_or_waiting_and_never_early_for_an_unfinished_dossier() {
    let app = spawn_wording_app().await;
    push_all(&app).await;
    for status in 2..=10i16 {
        let reply = app.sms(&format!("HS {}", code(status))).await;
        assert!(reply.contains(&code(status)), "{reply}");
        if !finished(status) {
            assert!(!reply.contains("truoc han"), "{status}: {reply}");
            assert!(!reply.contains("dung han"), "{status}: {reply}");
        }
        match status {
            2 | 4 => assert!(reply.contains("qua han"), "{reply}"),
            5 | 6 => {
                // The citizen's own deadline, not the paused appointment date.
                let by = if status == 5 {
                    "Han bo sung "
                } else {
                    "Han nop "
                };
                assert!(reply.contains(by), "{reply}");
                assert!(!reply.contains("Hen tra"), "no past date: {reply}");
            }
            3 | 7 | 8 => assert!(!reply.contains("han)"), "{reply}"),
            _ => assert!(reply.contains("(truoc han)"), "{reply}"),
        }
    }
}

#[tokio::test]
async fn a_late_result_says_why_it_is_late() {
    let app = spawn_wording_app().await;
    // Finished 5 days after its appointment, and asked twice for supplements.
    let mut late = snapshot(10);
    let now = Utc::now();
    late["finished_at"] = json!((now - Duration::days(15)).to_rfc3339());
    late["returned_at"] = json!((now - Duration::days(14)).to_rfc3339());
    let mut twice = snapshot(9);
    twice["code"] = json!("000.00.16.H48-261116-0799");
    twice["supplement_count"] = json!(2);
    let (status, report) = app.push(&[late, twice]).await;
    assert_eq!(status, 200, "{report}");
    let (_, body) = app
        .get_json(&format!("/api/v1/dossiers/{}?phone4={PHONE4}", code(10)))
        .await;
    assert_eq!(body["timeliness"]["key"], "late", "{body}");
    assert_eq!(body["reason"]["title"], "Lý do trễ hạn", "{body}");
    assert!(body["reason"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("sau ngày hẹn trả")));
    let (_, body) = app
        .get_json("/api/v1/dossiers/000.00.16.H48-261116-0799?phone4=4321")
        .await;
    assert_eq!(body["timeliness"]["key"], "late", "{body}");
    assert!(
        body["reason"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("2 lần")),
        "{body}"
    );
}

#[tokio::test]
async fn the_ivr_says_how_many_working_days_overdue_and_no_past_date_to_a_waiting_caller() {
    let app = spawn_wording_app().await;
    push_all(&app).await;
    for status in [4i16, 5, 7, 8] {
        let (_, view) = app
            .get_json(&format!("/api/v1/dossiers/{}", code(status)))
            .await;
        let number = view["lookup_number"]
            .as_str()
            .expect("lookup number")
            .to_owned();
        let (_, menu) = app
            .get_json(&format!("/ivr/api/menu?caller=%2B849123456{status:02}"))
            .await;
        let lookup = menu["choices"][0]["next"]
            .as_str()
            .expect("next")
            .to_owned();
        let (_, ask) = app.get_json(&lookup).await;
        let submit = ask["submit"].as_str().expect("submit").to_owned();
        let (http, result) = app.get_json(&format!("{submit}&digits={number}")).await;
        assert_eq!(http, 200, "{result}");
        assert_eq!(result["step"], "result", "{result}");
        let spoken = result["result"].to_string();
        assert!(!spoken.contains("trước hạn"), "{status}: {spoken}");
        match status {
            4 => {
                assert!(spoken.contains("đã quá ngày hẹn trả"), "{spoken}");
                assert!(spoken.contains("ngày làm việc"), "{spoken}");
            }
            5 => {
                assert!(spoken.contains("tạm dừng"), "{spoken}");
                assert!(spoken.contains("Hạn bổ sung:"), "{spoken}");
                assert!(!spoken.contains("Ngày hẹn trả kết quả"), "{spoken}");
            }
            _ => assert!(!spoken.contains("hạn."), "{spoken}"),
        }
    }
}

#[tokio::test]
async fn the_hotline_console_reads_where_the_dossier_stands_and_shows_the_reason() {
    let app = spawn_intake_app_with(adjust).await;
    app.ensure_procedure().await;
    push_all(&app).await;
    let operator = staff_session(&app, "dtv.tudien", "operator", None).await;
    for status in [4i16, 8] {
        let html = operator
            .get(&app, &format!("/can-bo/tong-dai/ho-so/{}", code(status)))
            .await
            .text()
            .await
            .expect("page");
        assert!(!html.contains("Trước hạn"), "{status}: {html}");
        if status == 4 {
            assert!(html.contains("Quá hạn"), "{html}");
            assert!(html.contains("đã quá ngày hẹn trả"), "read aloud: {html}");
        } else {
            assert!(html.contains("id=\"reason\""), "{html}");
            assert!(html.contains(&reason(8)), "{html}");
            assert!(!html.contains("Nơi nhận kết quả"), "{html}");
        }
    }
}
