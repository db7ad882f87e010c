//! Shared steps of the questions-and-feedback tests: an app with loose intake limits, staff
//! accounts and logged-in sessions (cookies handled by hand: the client has no cookie store),
//! submissions through the JSON API, and form posts with the session's CSRF token.

use regex::Regex;
use serde_json::{json, Value};
use tracuu::config::Settings;

use crate::helpers::{spawn_app_with, TestApp};

pub const PASSWORD: &str = "mat-khau-du-dai-2026";

/// An app whose intake limits do not get in the way (tests of limits set their own).
pub async fn spawn_intake_app() -> TestApp {
    spawn_intake_app_with(|_| {}).await
}

/// As [`spawn_intake_app`], then `adjust`.
pub async fn spawn_intake_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.intake.submissions_per_hour = 10_000;
        s.intake.votes_per_hour = 10_000;
        s.intake.proof_failures_per_hour = 10_000;
        s.staff.cookie_secure = false;
        adjust(s);
    })
    .await
}

/// Two distinct agencies of the demo province.
pub async fn two_agencies(app: &TestApp) -> (String, String) {
    let client = app.db.client().await;
    let rows = client
        .query(
            "SELECT code FROM agencies WHERE kind = 'department' \
             AND (valid_until IS NULL OR valid_until > current_date) ORDER BY code LIMIT 2",
            &[],
        )
        .await
        .expect("agencies");
    (rows[0].get(0), rows[1].get(0))
}

/// Creates a staff account with [`PASSWORD`].
pub async fn add_staff(app: &TestApp, username: &str, role: &str, agency: Option<&str>) {
    let input = tracuu::staff::AccountInput::parse(username, "Cán bộ thử", role, agency, PASSWORD)
        .expect("valid account");
    let client = app.db.client().await;
    tracuu::staff::create_account(&client, &input)
        .await
        .expect("account created");
}

/// The value of cookie `name` set by `response`, as `name=value`.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// The first `name="csrf" value="..."` of a page.
pub fn csrf_in(html: &str) -> Option<String> {
    Regex::new(r#"name="csrf" value="([0-9a-f]{64})""#)
        .expect("regex")
        .captures(html)
        .map(|c| c[1].to_owned())
}

/// The CSRF cookie and form token of a public form page.
pub async fn public_csrf(app: &TestApp, path: &str) -> (String, String) {
    let page = app.get(path).await;
    let cookie = set_cookie(&page, "tracuu_csrf").expect("csrf cookie");
    let html = page.text().await.expect("html");
    (cookie, csrf_in(&html).expect("csrf field"))
}

/// Posts the login form; returns the response.
pub async fn post_login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    post_login_via(app, &app.http, username, password).await
}

/// A client (no redirects) whose requests leave from `address`: any 127.0.0.x reaches the app on
/// Linux's loopback, and the app sees that address as the client's.
pub fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .local_address(std::net::IpAddr::from(address))
        .build()
        .expect("http client")
}

/// Gets the login form and posts it through `http`; returns the response.
pub async fn post_login_via(
    app: &TestApp,
    http: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = http
        .get(format!("{}/can-bo/dang-nhap", app.address))
        .send()
        .await
        .expect("login form");
    let cookie = set_cookie(&page, "tracuu_csrf").expect("csrf cookie");
    let token = csrf_in(&page.text().await.expect("html")).expect("csrf field");
    http.post(format!("{}/can-bo/dang-nhap", app.address))
        .header("cookie", cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("login request")
}

/// A logged-in staff member.
pub struct Staff {
    pub cookie: String,
    pub csrf: String,
}

/// Creates an account and logs it in.
pub async fn staff_session(
    app: &TestApp,
    username: &str,
    role: &str,
    agency: Option<&str>,
) -> Staff {
    add_staff(app, username, role, agency).await;
    login(app, username).await
}

/// Logs an existing account in.
pub async fn login(app: &TestApp, username: &str) -> Staff {
    let response = post_login(app, username, PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303, "login succeeds");
    let cookie = set_cookie(&response, "tracuu_staff").expect("session cookie");
    let mut staff = Staff {
        cookie,
        csrf: String::new(),
    };
    let session: Value = staff
        .get(app, "/api/v1/staff/session")
        .await
        .json()
        .await
        .expect("session JSON");
    staff.csrf = session["csrf_token"]
        .as_str()
        .expect("csrf token")
        .to_owned();
    // The console pages carry the same token in their forms.
    if session["role"] != "operator" {
        let path = if session["role"] == "administrator" {
            "/can-bo/tai-khoan"
        } else {
            "/can-bo"
        };
        let html = staff.get(app, path).await.text().await.expect("html");
        assert_eq!(csrf_in(&html).as_deref(), Some(staff.csrf.as_str()));
    }
    staff
}

impl Staff {
    /// GET with the session cookie.
    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        app.http
            .get(format!("{}{path}", app.address))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("request")
    }

    /// POST a form with the session cookie and its CSRF token.
    pub async fn post(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        app.http
            .post(format!("{}{path}", app.address))
            .header("cookie", &self.cookie)
            .form(&all)
            .send()
            .await
            .expect("request")
    }

    /// A staff action on an item; returns the HTTP status.
    pub async fn act(
        &self,
        app: &TestApp,
        code: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> u16 {
        self.post(app, &format!("/can-bo/muc/{code}/{action}"), fields)
            .await
            .status()
            .as_u16()
    }
}

/// POSTs JSON; returns status and body.
pub async fn post_json(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    post_json_from(&app.http, app, path, body).await
}

/// POSTs JSON with `client` (e.g. one bound to another source address); returns status and body.
pub async fn post_json_from(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let response = client
        .post(format!("{}{path}", app.address))
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A valid public question with a phone, plus `extra` fields.
pub fn question(extra: Value) -> Value {
    let mut body = json!({
        "channel": "kiosk",
        "name": "Trần Thị Bình",
        "phone": "0912 345 678",
        "subject": "Hỏi về thủ tục",
        "body": "Tôi cần giấy tờ gì?",
        "public": true,
    });
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

/// A valid feedback (name, address, phone), plus `extra` fields.
pub fn feedback(extra: Value) -> Value {
    let mut body = json!({
        "channel": "app",
        "name": "Lê Văn Cường",
        "phone": "0987654321",
        "address": "Số 2 Quang Trung, Quảng Ngãi",
        "subject": "Phản ánh về quy định",
        "body": "Quy định này chưa rõ.",
        "public": false,
    });
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

/// Submits a question through the API and returns its tracking code.
pub async fn submit_question(app: &TestApp, extra: Value) -> String {
    let (status, body) = post_json(app, "/api/v1/questions", &question(extra)).await;
    assert_eq!(status, 201, "{body}");
    body["tracking_code"].as_str().expect("code").to_owned()
}

/// The stored state and agency of an item.
pub async fn stored(app: &TestApp, code: &str) -> (String, Option<String>) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT state, agency_code FROM intake_items WHERE tracking_code = $1",
            &[&code],
        )
        .await
        .expect("item");
    (row.get(0), row.get(1))
}
