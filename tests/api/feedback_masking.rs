//! Publication masking (issue 19): the personal data that used to leak (the name unaccented or in
//! capitals, the given name after a title, phones written `84…` or `(+84)…`, `name(at)domain`
//! e-mails, the submitter's address) is masked while the agency's published phone stays.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::intake_support::*;

/// The desk phone the catalog publishes for `agency`.
async fn desk_phone(app: &TestApp, agency: &str) -> String {
    app.db
        .client()
        .await
        .query_one(
            "SELECT desk_phone FROM agencies WHERE code = $1",
            &[&agency],
        )
        .await
        .expect("agency")
        .get::<_, Option<String>>(0)
        .expect("the demo agency has a desk phone")
}

fn public_text(item: &Value) -> String {
    format!(
        "{} {} {}",
        item["subject"], item["question"], item["answer"]
    )
}

#[tokio::test]
async fn the_leaked_personal_data_is_masked_and_the_agencys_published_phone_stays() {
    // Arrange: two submitters; each writes their name unaccented or in capitals, the officer
    // greets them by title and given name, and both quote the agency's own desk phone.
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let hotline = desk_phone(&app, &agency).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let cases = [
        (
            "Trần Thị Bình",
            "Tran Thi Binh",
            "chị Bình",
            ["Tran Thi Binh", "Bình", "Binh"],
        ),
        (
            "Lê Văn Phan",
            "LE VAN PHAN",
            "anh Phan",
            ["LE VAN PHAN", "Phan", "PHAN"],
        ),
    ];
    for (name, written, greeting, names) in cases {
        let code = submit_question(
            &app,
            json!({
                "agency_code": agency,
                "name": name,
                "phone": "0905123457",
                "address": "Số 12 Quang Trung, phường Nghĩa Chánh, TP Quảng Ngãi",
                "subject": format!("Câu hỏi của {}", written.to_uppercase()),
                "body": format!(
                    "Tôi là {written}, số 84905123457 hoặc (+84)905123457, thư x(at)y.vn, \
                     nhà ở Số 12 Quang Trung, phường Nghĩa Chánh. Tôi đã gọi {hotline} nhưng máy bận."
                ),
            }),
        )
        .await;
        let answer = format!("Chào {greeting}, mời gọi lại {hotline} trong giờ hành chính.");
        assert_eq!(
            officer
                .act(&app, &code, "answer", &[("text", &answer)])
                .await,
            303
        );
        // Act: the officer previews, then publishes what the preview shows.
        let preview = officer
            .get(&app, &format!("/can-bo/muc/{code}"))
            .await
            .text()
            .await
            .expect("html");
        assert_eq!(officer.act(&app, &code, "publish", &[]).await, 303);
        let (status, public) = app.get_json(&format!("/api/v1/published/{code}")).await;
        // Assert
        assert_eq!(status, 200);
        for original in ["84905123457", "(+84)905123457", "x(at)y.vn", written] {
            assert!(
                preview.contains(&format!("<del>{original}</del>")),
                "the preview lists {original}"
            );
        }
        let text = public_text(&public);
        for leaked in [
            "905123457",
            "x(at)y.vn",
            "y.vn",
            "Quang Trung",
            "Nghĩa Chánh",
            names[0],
            names[1],
            names[2],
        ] {
            assert!(!text.contains(leaked), "{leaked} leaked: {text}");
        }
        assert_eq!(
            text.matches(hotline.as_str()).count(),
            2,
            "the agency's phone stays in the question and the answer: {text}"
        );
        for placeholder in ["[họ tên]", "[số điện thoại]", "[email]", "[địa chỉ]"] {
            assert!(text.contains(placeholder), "{placeholder} in {text}");
        }
    }
}
