//! Staff accounts and sessions: login with argon2id hashes, cookie flags, CSRF on the login form,
//! login limits per address and per username that never lock an account, logout that kills the session server-side, the administrator's
//! account management, and `tracuu staff add`.

use crate::intake_support::*;

#[tokio::test]
async fn login_sets_a_strict_http_only_session_cookie_and_stores_only_its_hash() {
    // Arrange
    let app = spawn_intake_app_with(|s| s.staff.cookie_secure = true).await;
    add_staff(&app, "truong.motcua", "desk_head", None).await;
    // Act
    let response = post_login(&app, "truong.motcua", PASSWORD).await;
    // Assert
    assert_eq!(response.status().as_u16(), 303);
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tracuu_staff="))
        .expect("session cookie")
        .to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(header.contains(flag), "{flag} missing: {header}");
    }
    let value = header
        .split(';')
        .next()
        .expect("pair")
        .trim_start_matches("tracuu_staff=");
    let client = app.db.client().await;
    let stored: Vec<u8> = client
        .query_one("SELECT id_hash FROM staff_sessions", &[])
        .await
        .expect("one session")
        .get(0);
    assert_eq!(stored, tracuu::staff::tokens::token_hash(value));
    assert_ne!(stored, value.as_bytes());
    let hash: String = client
        .query_one("SELECT password_hash FROM staff_accounts", &[])
        .await
        .expect("account")
        .get(0);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[tokio::test]
async fn the_console_without_a_session_redirects_to_the_login_page() {
    let app = spawn_intake_app().await;
    for path in [
        "/can-bo",
        "/can-bo/muc/HD.20261123.0001",
        "/can-bo/tai-khoan",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/can-bo/dang-nhap");
    }
    let response = app
        .http
        .get(format!("{}/can-bo", app.address))
        .header("cookie", "tracuu_staff=forged")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 303);
}

/// What a client can tell of a refused login: status, error code (as the page words it),
/// whether it says when to come back, and whether it set a session.
async fn answer(response: reqwest::Response) -> (u16, String, bool, bool) {
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let session = set_cookie(&response, "tracuu_staff").is_some();
    let html = response.text().await.expect("html");
    let error = regex::Regex::new(r#"role="alert"><p>([^<]*)</p>"#)
        .expect("regex")
        .captures(&html)
        .map(|c| c[1].to_owned())
        .unwrap_or_default();
    (status, error, retry_after, session)
}

#[tokio::test]
async fn a_flood_of_wrong_passwords_from_many_addresses_does_not_shut_the_administrator_out() {
    // Arrange: the default limits, but five attempts a minute per address.
    let app = spawn_intake_app_with(|s| s.staff.login_attempts_per_minute = 5).await;
    add_staff(&app, "quan.tri", "administrator", None).await;
    let strangers: Vec<reqwest::Client> = (10..22).map(|n| client_from([127, 0, 0, n])).collect();

    // Act: twelve addresses send eight wrong passwords each for the administrator, together.
    let floods = strangers.iter().map(|http| {
        let app = &app;
        async move {
            let mut answers = Vec::new();
            for _ in 0..8 {
                let response = post_login_via(app, http, "quan.tri", "doan-mat-khau-1").await;
                answers.push(answer(response).await);
            }
            answers
        }
    });
    let flooded = futures_util::future::join_all(floods).await;

    // Assert: no stranger got in, each was throttled before its eighth attempt was checked, and
    // the throttle answers 429 with a time to come back, not a lock.
    for answers in &flooded {
        assert!(
            answers.iter().all(|a| !a.3 && matches!(a.0, 401 | 429)),
            "{answers:?}"
        );
        let throttled = answers.iter().find(|a| a.0 == 429).expect("throttled");
        assert!(
            throttled.1.contains("Đăng nhập quá nhiều lần"),
            "{throttled:?}"
        );
        assert!(throttled.2, "Retry-After");
    }
    let checked: usize = flooded.iter().flatten().filter(|a| a.0 == 401).count();
    assert!(
        checked < 12 * 8,
        "some attempts were refused before hashing"
    );
    // The administrator logs in with the right password from their own address.
    let own = client_from([127, 0, 0, 2]);
    let response = post_login_via(&app, &own, "quan.tri", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(set_cookie(&response, "tracuu_staff").is_some());
}

#[tokio::test]
async fn unknown_and_real_usernames_get_the_same_answers_past_the_old_lockout() {
    // Arrange: ten failures free per username and address, eight attempts a minute per address.
    let app = spawn_intake_app_with(|s| {
        s.staff.free_failed_logins = 10;
        s.staff.login_attempts_per_minute = 8;
    })
    .await;
    add_staff(&app, "dau.moi", "desk_head", None).await;
    let (real, unknown) = (client_from([127, 0, 0, 30]), client_from([127, 0, 0, 31]));

    // Act: the same wrong passwords for a real and an unknown username, each from its address,
    // until the address is throttled.
    let mut answers = Vec::new();
    for (http, username) in [(&real, "dau.moi"), (&unknown, "khong.co")] {
        let mut seen = Vec::new();
        for _ in 0..30 {
            let response = post_login_via(&app, http, username, "sai-mat-khau-123").await;
            let answer = answer(response).await;
            let done = answer.0 == 429;
            seen.push(answer);
            if done {
                break;
            }
        }
        answers.push(seen);
    }

    // Assert: seven and more failures in a row are still 401 (no lock), identical for both, and
    // the throttle's answer is identical too.
    for seen in &answers {
        assert!(seen.len() >= 7, "{seen:?}");
        assert!(seen[..seen.len() - 1].iter().all(|a| a.0 == 401));
        assert_eq!(seen.last().map(|a| a.0), Some(429), "throttled in the end");
    }
    assert_eq!(answers[0][0], answers[1][0]);
    assert_eq!(answers[0][0].1, "Tên đăng nhập hoặc mật khẩu không đúng.");
    assert_eq!(answers[0].last(), answers[1].last());
    // The rightful user, from another address, gets in.
    let own = client_from([127, 0, 0, 32]);
    assert_eq!(
        post_login_via(&app, &own, "dau.moi", PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test]
async fn one_address_trying_many_usernames_is_throttled_and_others_are_not() {
    // Arrange: the default ten attempts a minute per address.
    let app = spawn_intake_app().await;
    add_staff(&app, "dau.moi", "desk_head", None).await;
    let sprayer = client_from([127, 0, 0, 40]);

    // Act: one wrong password tried against twenty usernames.
    let mut statuses = Vec::new();
    for n in 0..20 {
        let response =
            post_login_via(&app, &sprayer, &format!("can.bo.{n}"), "mat-khau-pho-bien").await;
        statuses.push(response.status().as_u16());
    }

    // Assert: the address was throttled over every username (ten at once, then one every six
    // seconds); another address is not.
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429)),
        "{statuses:?}"
    );
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!((10..=15).contains(&checked), "{statuses:?}");
    let other = client_from([127, 0, 0, 41]);
    assert_eq!(
        post_login_via(&app, &other, "dau.moi", PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test]
async fn a_login_form_without_its_csrf_token_is_refused() {
    let app = spawn_intake_app().await;
    add_staff(&app, "dau.moi", "desk_head", None).await;
    let response = app
        .http
        .post(format!("{}/can-bo/dang-nhap", app.address))
        .form(&[("username", "dau.moi"), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 403);
    assert!(set_cookie(&response, "tracuu_staff").is_none());
}

#[tokio::test]
async fn logout_invalidates_the_session_on_the_server() {
    // Arrange
    let app = spawn_intake_app().await;
    let desk = staff_session(&app, "truong.motcua", "desk_head", None).await;
    assert_eq!(desk.get(&app, "/can-bo").await.status().as_u16(), 200);
    // Act
    let response = desk.post(&app, "/can-bo/dang-xuat", &[]).await;
    // Assert
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        set_cookie(&response, "tracuu_staff").is_some(),
        "the cookie is removed"
    );
    let again = desk.get(&app, "/can-bo").await;
    assert_eq!(
        again.status().as_u16(),
        303,
        "the old cookie no longer works"
    );
    let sessions: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM staff_sessions", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn an_administrator_creates_accounts_and_a_role_change_ends_their_sessions() {
    // Arrange
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let admin = staff_session(&app, "quan.tri", "administrator", None).await;
    // Act: create an officer through the console.
    let response = admin
        .post(
            &app,
            "/can-bo/tai-khoan",
            &[
                ("username", "Can.Bo.Moi"),
                ("display_name", "Cán bộ <b>mới</b>"),
                ("role", "agency_officer"),
                ("agency_code", &agency),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let html = response.text().await.expect("html");
    assert!(html.contains("Cán bộ &lt;b&gt;mới&lt;/b&gt;"));
    // Refusals: short password, officer without agency, duplicate.
    for fields in [
        vec![
            ("username", "x.y.z"),
            ("display_name", "A"),
            ("role", "desk_head"),
            ("password", "ngan"),
        ],
        vec![
            ("username", "x.y.z"),
            ("display_name", "A"),
            ("role", "agency_officer"),
            ("password", PASSWORD),
        ],
        vec![
            ("username", "can.bo.moi"),
            ("display_name", "A"),
            ("role", "desk_head"),
            ("password", PASSWORD),
        ],
    ] {
        assert_eq!(
            admin
                .post(&app, "/can-bo/tai-khoan", &fields)
                .await
                .status()
                .as_u16(),
            400
        );
    }
    let officer = login(&app, "can.bo.moi").await;
    assert_eq!(officer.get(&app, "/can-bo").await.status().as_u16(), 200);
    // Non-administrators cannot manage accounts.
    assert_eq!(
        officer
            .get(&app, "/can-bo/tai-khoan")
            .await
            .status()
            .as_u16(),
        403
    );
    let id: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT id FROM staff_accounts WHERE username = 'can.bo.moi'",
            &[],
        )
        .await
        .expect("account")
        .get(0);
    let response = admin
        .post(
            &app,
            &format!("/can-bo/tai-khoan/{id}"),
            &[
                ("display_name", "Cán bộ mới"),
                ("role", "desk_head"),
                ("agency_code", ""),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        officer.get(&app, "/can-bo").await.status().as_u16(),
        303,
        "logged out by the change"
    );
}

#[tokio::test]
async fn the_administrator_edits_routing_rules_and_they_route_new_questions() {
    let app = spawn_intake_app().await;
    let (agency, _) = two_agencies(&app).await;
    let procedure: String = app
        .db
        .client()
        .await
        .query_one("SELECT code FROM procedures ORDER BY code LIMIT 1", &[])
        .await
        .expect("procedure")
        .get(0);
    let admin = staff_session(&app, "quan.tri", "administrator", None).await;
    let bad = admin
        .post(
            &app,
            "/can-bo/dinh-tuyen",
            &[
                ("procedure_code", "9.999999"),
                ("level", "province"),
                ("agency_code", &agency),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 400);
    let ok = admin
        .post(
            &app,
            "/can-bo/dinh-tuyen",
            &[
                ("procedure_code", &procedure),
                ("level", "province"),
                ("agency_code", &agency),
            ],
        )
        .await;
    assert_eq!(ok.status().as_u16(), 303);
    let code = submit_question(&app, serde_json::json!({"procedure_code": procedure})).await;
    assert_eq!(
        stored(&app, &code).await,
        ("forwarded".into(), Some(agency))
    );
}

#[tokio::test]
async fn the_staff_add_command_creates_the_first_administrator() {
    // Arrange
    let app = spawn_intake_app().await;
    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tracuu"))
        .args([
            "staff",
            "add",
            "--username",
            "admin",
            "--name",
            "Quản trị viên",
            "--role",
            "administrator",
        ])
        .env("DATABASE_URL", &app.db.url)
        .env("NEW_STAFF_PASSWORD", PASSWORD)
        .env_remove("TRACUU_CONFIG")
        .output()
        .await
        .expect("run tracuu");
    // Assert
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let admin = login(&app, "admin").await;
    assert_eq!(
        admin.get(&app, "/can-bo/tai-khoan").await.status().as_u16(),
        200
    );
    let again = tokio::process::Command::new(env!("CARGO_BIN_EXE_tracuu"))
        .args([
            "staff",
            "add",
            "--username",
            "admin",
            "--name",
            "X",
            "--role",
            "administrator",
        ])
        .env("DATABASE_URL", &app.db.url)
        .env("NEW_STAFF_PASSWORD", PASSWORD)
        .output()
        .await
        .expect("run tracuu");
    assert!(!again.status.success(), "a taken username is refused");
}
