//! Publication masking (issue 19): the personal data that used to leak (the name unaccented or in
//! capitals, the given name after a title, phones written `84…` or `(+84)…`, `name(at)domain`
//! e-mails, the submitter's address) is masked while the agency's published phone stays; the
//! officer edits the preview, exactly the approved text is published, and the history keeps both.

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

/// The publish row of an item's history: its machine-masked and approved texts.
async fn publish_history(app: &TestApp, code: &str) -> (Value, Value) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT h.machine_text, h.approved_text FROM intake_history h
               JOIN intake_items i ON i.id = h.item_id
              WHERE i.tracking_code = $1 AND h.action = 'publish'",
            &[&code],
        )
        .await
        .expect("one publish row");
    (row.get(0), row.get(1))
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
        let (machine, approved) = publish_history(&app, &code).await;
        assert_eq!(machine, approved, "published as previewed");
        assert_eq!(approved["question"], public["question"]);
    }
}

#[tokio::test]
async fn the_officer_edits_the_preview_and_exactly_the_approved_text_is_published_with_both_kept() {
    // Arrange: the child's name is personal data no rule can know.
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let officer = staff_session(&app, "dau.moi.a", "agency_officer", Some(&agency)).await;
    let code = submit_question(
        &app,
        json!({
            "agency_code": agency,
            "subject": "Đăng ký khai sinh",
            "body": "Con tôi là cháu Hoàng Minh Khôi, sinh ngày 02/03/2026. Tôi là Trần Thị Bình.",
        }),
    )
    .await;
    assert_eq!(
        officer
            .act(
                &app,
                &code,
                "answer",
                &[("text", "Mang tờ khai tới bộ phận một cửa.")]
            )
            .await,
        303
    );
    let page = officer
        .get(&app, &format!("/can-bo/muc/{code}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(
            "Con tôi là cháu Hoàng Minh Khôi, sinh ngày 02/03/2026. Tôi là [họ tên].</textarea>"
        ),
        "the preview is editable"
    );
    let approved = [
        ("public_subject", "Đăng ký khai sinh cho con"),
        (
            "public_question",
            "Con tôi là cháu [họ tên], sinh năm 2026.\nTôi là [họ tên].",
        ),
        ("public_answer", "Mang tờ khai tới bộ phận một cửa."),
    ];
    // Act: an edit with an empty subject is refused, then the edited text is published.
    let refused = officer
        .post(
            &app,
            &format!("/can-bo/muc/{code}/publish"),
            &[("public_subject", "  "), approved[1], approved[2]],
        )
        .await;
    let refused_status = refused.status().as_u16();
    let refused_page = refused.text().await.expect("html");
    let (state_after_refusal, _) = stored(&app, &code).await;
    let status = officer.act(&app, &code, "publish", &approved).await;
    let (_, public) = app.get_json(&format!("/api/v1/published/{code}")).await;
    // Assert
    assert_eq!(refused_status, 400);
    assert!(
        refused_page.contains("Tiêu đề công khai: bắt buộc."),
        "the error names the field"
    );
    assert!(
        refused_page
            .contains("Con tôi là cháu [họ tên], sinh năm 2026.\nTôi là [họ tên].</textarea>"),
        "the form keeps what the officer typed"
    );
    assert_eq!(state_after_refusal, "answered");
    assert_eq!(status, 303);
    assert_eq!(
        (
            public["subject"].as_str(),
            public["question"].as_str(),
            public["answer"].as_str()
        ),
        (
            Some(approved[0].1),
            Some(approved[1].1),
            Some(approved[2].1)
        )
    );
    let (machine, kept) = publish_history(&app, &code).await;
    assert_eq!(
        kept,
        json!({
            "subject": approved[0].1,
            "question": approved[1].1,
            "answer": approved[2].1,
        })
    );
    assert_eq!(
        machine,
        json!({
            "subject": "Đăng ký khai sinh",
            "question": "Con tôi là cháu Hoàng Minh Khôi, sinh ngày 02/03/2026. Tôi là [họ tên].",
            "answer": "Mang tờ khai tới bộ phận một cửa.",
        })
    );
    let history = officer
        .get(&app, &format!("/can-bo/muc/{code}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(history.contains("cán bộ đã sửa bản máy che"));
    let (_, found) = app.get_json("/api/v1/published?q=khoi").await;
    assert_eq!(
        found["items"].as_array().expect("items").len(),
        0,
        "search sees only the approved text"
    );
}
