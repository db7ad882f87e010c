use crate::helpers::spawn_app;

#[tokio::test]
async fn a_lookup_number_resolves_to_its_dossier() {
    let app = spawn_app().await;
    let known = app.known(6).await;
    let grouped = format!("{:010}", known.lookup_number);
    let spaced = format!("{} {} {}", &grouped[..4], &grouped[4..8], &grouped[8..]);

    for form in [grouped.clone(), spaced.replace(' ', "%20")] {
        let (status, body) = app
            .get_json(&format!("/api/v1/lookup-numbers/{form}"))
            .await;
        assert_eq!(status, 200, "{form}: {body}");
        assert_eq!(body["code"], known.code);
        assert_eq!(body["view"], "public");
    }
}

#[tokio::test]
async fn a_lookup_number_with_the_letter_o_for_zero_resolves_on_the_api_and_the_page() {
    let app = spawn_app().await;
    let known = app.known(5).await;
    let digits = format!("{:010}", known.lookup_number);
    assert!(
        digits.contains('0'),
        "the test needs a number with a 0: {digits}"
    );
    let with_o = digits.replace('0', "O");

    let (status, body) = app
        .get_json(&format!("/api/v1/lookup-numbers/{with_o}"))
        .await;
    assert_eq!(status, 200, "{with_o}: {body}");
    assert_eq!(body["code"], known.code);

    let page = app
        .get(&format!("/tra-cuu?ma={}", with_o.to_lowercase()))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(&known.code), "{page}");
}

#[tokio::test]
async fn a_lookup_number_with_phone_digits_gives_the_detailed_view() {
    let app = spawn_app().await;
    let known = app.known(4).await;
    let last4 = &known.phone[known.phone.len() - 4..];
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/lookup-numbers/{:010}?phone4={last4}",
            known.lookup_number
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["view"], "detailed");
}

#[tokio::test]
async fn a_mistyped_digit_or_swapped_pair_is_caught_by_the_check_digit() {
    let app = spawn_app().await;
    let known = app.known(4).await;
    let digits: Vec<u8> = format!("{:010}", known.lookup_number).into_bytes();

    let mut typo = digits.clone();
    typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
    let mut swapped = digits.clone();
    let i = (0..9)
        .find(|&i| swapped[i] != swapped[i + 1])
        .expect("two different neighbours");
    swapped.swap(i, i + 1);

    for wrong in [typo, swapped] {
        let wrong = String::from_utf8(wrong).expect("digits");
        let (status, body) = app
            .get_json(&format!("/api/v1/lookup-numbers/{wrong}"))
            .await;
        assert_eq!(status, 400, "{wrong}: {body}");
        assert_eq!(body["error"]["code"], "lookup_number_typo");
    }
}

#[tokio::test]
async fn malformed_and_unknown_lookup_numbers_get_400_and_404() {
    let app = spawn_app().await;
    for bad in ["12345", "abcdefghij", "123456789012345"] {
        let (status, body) = app.get_json(&format!("/api/v1/lookup-numbers/{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "invalid_lookup_number");
    }
    // A well-formed number (valid check digit) that no dossier has.
    let unused = tracuu::domain::LookupNumber::from_sequence(999_999_000);
    let (status, body) = app
        .get_json(&format!("/api/v1/lookup-numbers/{unused}"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "dossier_not_found");
}
