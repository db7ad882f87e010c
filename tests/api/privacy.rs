use crate::helpers::{spawn_app, DEMO_DOSSIERS};

/// The full name and the phone in every written form must never appear in a public
/// answer (docs/domain.md, personal data). ID numbers are not even stored.
#[tokio::test]
async fn no_public_response_contains_the_phone_or_the_full_name() {
    let app = spawn_app().await;
    let client = app.db.client().await;
    let rows = client
        .query("SELECT code, applicant_name, applicant_phone, lookup_number FROM dossiers ORDER BY code", &[])
        .await
        .expect("dossiers");
    assert!(rows.len() >= DEMO_DOSSIERS);
    let mut checked = 0;
    for row in rows.iter().step_by(7) {
        let code: String = row.get(0);
        let name: String = row.get(1);
        let phone: Option<String> = row.get(2);
        let number: i64 = row.get(3);
        for path in [
            format!("/api/v1/dossiers/{code}"),
            format!("/api/v1/lookup-numbers/{number:010}"),
            format!("/tra-cuu?ma={code}"),
            format!("/api/v1/dossiers/{code}?phone4=0000"),
        ] {
            let response = app.get(&path).await;
            assert_eq!(response.status().as_u16(), 200, "{path}");
            let body = response.text().await.expect("body");
            assert!(!body.contains(&name), "full name leaked by {path}");
            if let Some(phone) = &phone {
                let national = format!("0{}", &phone[3..]);
                for form in [phone.as_str(), &phone[3..], national.as_str()] {
                    assert!(!body.contains(form), "phone leaked by {path}");
                }
            }
            // A field named `address` would be the applicant's; an agency desk's public
            // address is `desk_address`.
            for forbidden in ["cccd", "cmnd", "id_number", "\"address\":\"", "officer"] {
                assert!(
                    !body.to_lowercase().contains(forbidden),
                    "{forbidden} in {path}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 40);
}

#[tokio::test]
async fn the_public_view_shows_a_masked_name() {
    let app = spawn_app().await;
    let known = app.known(4).await;
    let (_, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;
    let shown = body["applicant"].as_str().expect("applicant");
    let family = known.name.split_whitespace().next().expect("family name");
    assert!(
        shown.starts_with(family) || shown.starts_with("Công ty"),
        "{shown}"
    );
    assert!(
        shown.contains('.') || shown.contains('…'),
        "{shown} is masked"
    );
    assert_ne!(shown, known.name);
}
