//! Vietnamese texts never show internal field names (issue 21): every refusal a citizen or a
//! staff member reads, in a JSON `message` or on a rendered page, names the field by its
//! Vietnamese label. JSON errors keep the machine name in their own `field` key. The forms say
//! up front what they need and why.

use regex::Regex;
use serde_json::{json, Value};

use crate::intake_support::*;

/// The machine names of inputs: request fields, query parameters, form fields.
const INTERNAL: &[&str] = &[
    "name",
    "phone",
    "email",
    "address",
    "subject",
    "body",
    "dossier_code",
    "procedure_code",
    "agency_code",
    "commune_code",
    "level",
    "kind",
    "channel",
    "public",
    "text",
    "topic",
    "from",
    "to",
    "device_id",
    "paper",
    "caller",
    "attempt",
    "state",
    "actor",
    "action",
];

/// The internal names `text` shows as words of their own (letters, digits and `_` around a
/// name make another word: "phone4", "tên").
fn leaks(text: &str) -> Vec<&'static str> {
    let words = Regex::new(r"[A-Za-z0-9_]+").expect("regex");
    let found: Vec<&str> = words.find_iter(text).map(|m| m.as_str()).collect();
    INTERNAL
        .iter()
        .copied()
        .filter(|name| found.contains(name))
        .collect()
}

/// The text of a page's alerts (`role="alert"`), tags removed.
fn alerts(html: &str) -> String {
    let alert = Regex::new(r#"(?s)role="alert"[^>]*>(.*?)</(?:section|p)>"#).expect("regex");
    let tags = Regex::new(r"<[^>]+>").expect("regex");
    alert
        .captures_iter(html)
        .map(|c| tags.replace_all(&c[1], " ").into_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Asserts that a JSON error's message names no internal field; returns its `field` key.
fn clean_json_error(what: &str, status: u16, body: &Value) -> Value {
    assert!((400..500).contains(&status), "{what}: {status} {body}");
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no message in {body}"));
    assert!(
        leaks(message).is_empty(),
        "{what}: {message} shows {:?}",
        leaks(message)
    );
    body["error"]["field"].clone()
}

/// Asserts that a page's alerts name no internal field (and that it has one).
fn clean_page(what: &str, html: &str) {
    let shown = alerts(html);
    assert!(!shown.trim().is_empty(), "{what}: no alert in {html}");
    assert!(
        leaks(&shown).is_empty(),
        "{what}: {shown} shows {:?}",
        leaks(&shown)
    );
}

#[test]
fn the_scan_finds_a_name_in_brackets_or_before_a_colon_and_not_inside_words() {
    assert_eq!(leaks("Số điện thoại (phone): không hợp lệ."), ["phone"]);
    assert_eq!(leaks("from: cần trước to."), ["from", "to"]);
    assert!(leaks("Nhập 4 chữ số cuối (phone4) của tên người gửi.").is_empty());
}

#[tokio::test]
async fn json_refusals_name_fields_by_their_labels_and_keep_the_machine_name_apart() {
    // Arrange
    let app = spawn_intake_app().await;
    let no = |field: &str| {
        let mut body = feedback(json!({}));
        body.as_object_mut().expect("object").remove(field);
        body
    };
    let submissions = [
        ("/api/v1/feedback", no("name"), "name"),
        ("/api/v1/feedback", no("address"), "address"),
        ("/api/v1/feedback", no("phone"), "phone"),
        (
            "/api/v1/questions",
            question(json!({"phone": "12345"})),
            "phone",
        ),
        (
            "/api/v1/questions",
            question(json!({"phone": null, "email": null})),
            "phone",
        ),
        (
            "/api/v1/questions",
            question(json!({"email": "x@"})),
            "email",
        ),
        (
            "/api/v1/questions",
            question(json!({"subject": ""})),
            "subject",
        ),
        ("/api/v1/questions", question(json!({"body": " "})), "body"),
        (
            "/api/v1/questions",
            question(json!({"dossier_code": "abc"})),
            "dossier_code",
        ),
        (
            "/api/v1/questions",
            question(json!({"dossier_code": "000.00.16.H48-200101-0001"})),
            "dossier_code",
        ),
        (
            "/api/v1/questions",
            question(json!({"procedure_code": "9.999999"})),
            "procedure_code",
        ),
        (
            "/api/v1/questions",
            question(json!({"agency_code": "000.00.99.H99"})),
            "agency_code",
        ),
        (
            "/api/v1/questions",
            question(json!({"agency_code": "xyz"})),
            "agency_code",
        ),
        (
            "/api/v1/questions",
            question(json!({"commune_code": "000.00.99.H99"})),
            "commune_code",
        ),
        (
            "/api/v1/questions",
            question(json!({"level": "district"})),
            "level",
        ),
        (
            "/api/v1/questions",
            question(json!({"level": "country"})),
            "level",
        ),
        (
            "/api/v1/questions",
            question(json!({"channel": "fax"})),
            "channel",
        ),
        (
            "/api/v1/questions",
            question(json!({"kind": "feedback"})),
            "kind",
        ),
    ];

    // Act and assert: submissions
    for (path, body, field) in submissions {
        let (status, answer) = post_json(&app, path, &body).await;
        let named = clean_json_error(&format!("{path} {body}"), status, &answer);
        assert_eq!(named, field, "{body}: {answer}");
    }

    // Queries and votes
    for path in [
        "/api/v1/intake-indicators?from=2026-13-01",
        "/api/v1/intake-indicators?to=hôm-nay",
        "/api/v1/intake-indicators?from=2026-12-02&to=2026-12-01",
        "/api/v1/published?kind=bogus",
    ] {
        let (status, answer) = app.get_json(path).await;
        clean_json_error(path, status, &answer);
    }
    let (status, created) = post_json(&app, "/api/v1/questions", &question(json!({}))).await;
    assert_eq!(status, 201);
    let code = created["tracking_code"].as_str().expect("code");
    for (vote, field) in [
        (json!({"helpful": true, "phone": "123"}), "phone"),
        (json!({"helpful": true, "device_id": "x"}), "device_id"),
    ] {
        let (status, answer) =
            post_json(&app, &format!("/api/v1/published/{code}/votes"), &vote).await;
        // The voter is checked before the item.
        let named = clean_json_error(&format!("vote {vote}"), status, &answer);
        assert_eq!(named, field, "{answer}");
    }
}

#[tokio::test]
async fn pages_show_refusals_by_label_on_the_forms_and_in_the_consoles() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.nhan", "desk_head", None).await;
    let admin = staff_session(&app, "quan.tri.nhan", "administrator", None).await;
    let operator = staff_session(&app, "tong.dai.nhan", "operator", None).await;

    // The public forms
    for (path, fields) in [
        ("/gui-cau-hoi", vec![("subject", "Hỏi"), ("body", "Hỏi gì")]),
        (
            "/gui-cau-hoi",
            vec![("subject", "Hỏi"), ("body", "Hỏi"), ("phone", "12")],
        ),
        (
            "/gui-phan-anh",
            vec![
                ("subject", "Phản ánh"),
                ("body", "Nội dung"),
                ("name", "An"),
            ],
        ),
        (
            "/gui-cau-hoi",
            vec![
                ("subject", "Hỏi"),
                ("body", "Hỏi"),
                ("phone", "0912345678"),
                ("dossier_code", "sai"),
            ],
        ),
    ] {
        let (cookie, token) = public_csrf(&app, path).await;
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields.iter().copied());
        let page = app
            .http
            .post(format!("{}{path}", app.address))
            .header("cookie", cookie)
            .form(&form)
            .send()
            .await
            .expect("form");
        assert_eq!(page.status().as_u16(), 400, "{path} {fields:?}");
        clean_page(
            &format!("{path} {fields:?}"),
            &page.text().await.expect("html"),
        );
    }

    // The staff console: actions refused on the item page, filters refused
    let code = submit_question(&app, json!({})).await;
    let refused = |page: reqwest::Response, what: String| async move {
        assert_eq!(page.status().as_u16(), 400, "{what}");
        clean_page(&what, &page.text().await.expect("html"));
    };
    for agency_code in ["sai mã", "000.00.99.H99"] {
        let page = desk
            .post(
                &app,
                &format!("/can-bo/muc/{code}/forward"),
                &[("agency_code", agency_code)],
            )
            .await;
        refused(page, format!("forward {agency_code}")).await;
    }
    assert_eq!(
        desk.act(&app, &code, "forward", &[("agency_code", &agency)])
            .await,
        303
    );
    for action in ["answer", "request-info", "refuse"] {
        let page = desk
            .post(
                &app,
                &format!("/can-bo/muc/{code}/{action}"),
                &[("text", "  ")],
            )
            .await;
        refused(page, action.to_owned()).await;
    }
    for path in [
        "/can-bo?state=bogus",
        "/can-bo?channel=fax",
        "/can-bo?kind=x",
    ] {
        let page = desk.get(&app, path).await;
        clean_page(path, &page.text().await.expect("html"));
    }
    for path in [
        "/can-bo/nhat-ky?from=2026-13-01",
        "/can-bo/nhat-ky?to=hôm-nay",
        "/can-bo/nhat-ky?actor=ai",
        "/can-bo/nhat-ky?action=xoa",
    ] {
        let page = admin.get(&app, path).await;
        clean_page(path, &page.text().await.expect("html"));
    }

    // The hotline filing form
    let filing = operator
        .post(
            &app,
            "/can-bo/tong-dai/ghi-nhan",
            &[
                ("kind", "feedback"),
                ("name", "Lê Văn Cường"),
                ("phone", "0987654321"),
                ("subject", "Phản ánh"),
                ("body", "Nội dung"),
            ],
        )
        .await;
    assert_eq!(filing.status().as_u16(), 400);
    clean_page("hotline filing", &filing.text().await.expect("html"));
}

#[tokio::test]
async fn the_masking_preview_names_what_it_masked_in_vietnamese() {
    // Arrange: a public question that quotes its sender's phone and e-mail, answered.
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let desk = staff_session(&app, "truong.motcua.che", "desk_head", None).await;
    let code = submit_question(
        &app,
        json!({"body": "Gọi tôi 0912 345 678 hoặc binh@example.vn giúp."}),
    )
    .await;
    assert_eq!(
        desk.act(&app, &code, "forward", &[("agency_code", &agency)])
            .await,
        303
    );
    assert_eq!(
        desk.act(&app, &code, "answer", &[("text", "Đã gọi.")])
            .await,
        303
    );

    // Act
    let html = desk
        .get(&app, &format!("/can-bo/muc/{code}"))
        .await
        .text()
        .await
        .expect("html");

    // Assert
    let list = Regex::new(r"(?s)Thông tin cá nhân máy đã tự che:</p>\s*<ul>(.*?)</ul>")
        .expect("regex")
        .captures(&html)
        .map(|c| c[1].to_owned())
        .expect("the preview's list");
    assert!(list.contains("Số điện thoại: <del>"), "{list}");
    assert!(list.contains("Thư điện tử: <del>"), "{list}");
    for internal in ["email:", "phone:", "id_number:", "name:", "address:"] {
        assert!(!list.contains(internal), "{list}");
    }
}

/// The form's "what is needed" notice, and where it stands: before the first input.
fn needs_before_inputs(html: &str) -> String {
    let notice = html.find(r#"id="form-needs""#).expect("the notice");
    let first_input = html.find(r#"id="name""#).expect("the name input");
    assert!(notice < first_input, "said before the fields");
    let end = html[notice..].find("</section>").expect("end") + notice;
    html[notice..end].to_owned()
}

#[tokio::test]
async fn the_forms_say_up_front_what_they_need_and_why() {
    // Arrange
    let app = spawn_intake_app_with(|s| s.sms.notify_status_changes = Some(true)).await;
    let operator = staff_session(&app, "tong.dai.can", "operator", None).await;

    // Act
    let question = app.get("/gui-cau-hoi").await.text().await.expect("html");
    let feedback = app.get("/gui-phan-anh").await.text().await.expect("html");
    let filing = operator
        .get(&app, "/can-bo/tong-dai/ghi-nhan")
        .await
        .text()
        .await
        .expect("html");

    // Assert: the question form
    let needs = needs_before_inputs(&question);
    for said in [
        "Số điện thoại hoặc thư điện tử",
        "không đồng ý công khai",
        "4 chữ số cuối",
        "nhắn một tin",
        "không gửi thư điện tử",
    ] {
        assert!(needs.contains(said), "{said}: {needs}");
    }
    assert!(question.contains("Số điện thoại (bắt buộc nếu không công khai"));
    // The feedback form marks its three required fields, for browsers too.
    let needs = needs_before_inputs(&feedback);
    assert!(needs.contains("Nghị định 20/2008/NĐ-CP"), "{needs}");
    assert!(needs.contains("4 chữ số cuối"), "{needs}");
    for field in ["name", "phone", "address"] {
        let input = Regex::new(&format!(r#"<input id="{field}"[^>]*>"#))
            .expect("regex")
            .find(&feedback)
            .map(|m| m.as_str().to_owned())
            .expect("input");
        assert!(input.contains(" required"), "{input}");
    }
    // The hotline filing form says what to ask the caller.
    let needs = needs_before_inputs(&filing);
    for said in [
        "số điện thoại hoặc thư điện tử",
        "Nghị định 20/2008/NĐ-CP",
        "4 chữ số cuối",
    ] {
        assert!(needs.contains(said), "{said}: {needs}");
    }
    assert!(filing.contains("Tiêu đề (bắt buộc)"));
}
