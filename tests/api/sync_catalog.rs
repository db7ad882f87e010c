//! The catalog feed (docs/channels/sync.md): signed pushes of agencies and procedures, their version
//! rule and per-item reports, fresh dossier views after a rename (on this instance, on another
//! one, and for a lookup that misses the cache), and the CSV import with errors by line.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{http_client, spawn_app_with, start, test_settings, TestApp};
use crate::sync_push::{spawn_sync_app, SECRET};
use tracuu::sync::import::{import_csv, CatalogKind};

const PROVINCE: &str = "000.00.00.H48";

fn agency(code: &str, parent: Option<&str>, kind: &str, name: &str, version: i64) -> Value {
    json!({
        "code": code,
        "parent_code": parent,
        "kind": kind,
        "name": name,
        "desk_address": "Số 52 Hùng Vương, phường Trần Phú, thành phố Quảng Ngãi",
        "desk_phone": "0255 3822 123",
        "desk_hours": "Sáng 7 giờ – 11 giờ 30, chiều 13 giờ 30 – 17 giờ, thứ Hai đến thứ Sáu",
        "version": version
    })
}

fn procedure(code: &str, name: &str, version: i64) -> Value {
    json!({
        "code": code,
        "name": name,
        "field": "Hộ tịch",
        "processing_days": 3,
        "fee_vnd": 8000,
        "fee_note": "Miễn cho người thuộc hộ nghèo",
        "online_level": "partial",
        "version": version
    })
}

impl TestApp {
    /// Pushes `items` as a JSON array to `path`, correctly signed; returns status and body.
    async fn push_catalog(&self, path: &str, items: &[Value]) -> (u16, Value) {
        let body = serde_json::to_vec(items).expect("json");
        let response = self
            .push_raw(path, body, "application/json", Some(SECRET), None)
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("json report"))
    }

    /// How many stored views the dossier has.
    async fn stored_views(&self, code: &str) -> i64 {
        self.db
            .client()
            .await
            .query_one(
                "SELECT count(*) FROM dossier_views WHERE code = $1",
                &[&code],
            )
            .await
            .expect("count")
            .get(0)
    }

    /// The one text column `sql` selects for `code` (`None` for no row or NULL).
    async fn scalar_text(&self, sql: &str, code: &str) -> Option<String> {
        self.db
            .client()
            .await
            .query_opt(sql, &[&code])
            .await
            .expect("query")
            .and_then(|row| row.get(0))
    }
}

/// (index, field) of every refused item of a push report.
fn refused(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap_or(99),
                e["field"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_catalog_push_applies_agencies_children_first_and_procedures() {
    // Arrange: a new department and a commune under it, the child first in the batch.
    let app = spawn_sync_app().await;
    let items = [
        agency(
            "000.99.40.H48",
            Some("000.00.40.H48"),
            "commune",
            "Ủy ban nhân dân xã Nghĩa Hà",
            1,
        ),
        agency(
            "000.00.40.H48",
            Some(PROVINCE),
            "department",
            "Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi",
            1,
        ),
    ];

    // Act
    let (status, report) = app.push_catalog("/sync/v1/agencies", &items).await;
    let (procedure_status, procedure_report) = app
        .push_catalog(
            "/sync/v1/procedures",
            &[procedure("1.012345", "Đăng ký lại khai sinh", 1)],
        )
        .await;

    // Assert
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["received"].as_u64(), report["applied"].as_u64()),
        (Some(2), Some(2)),
        "{report}"
    );
    assert_eq!(procedure_status, 200, "{procedure_report}");
    assert_eq!(procedure_report["applied"], 1);
    let parent = app
        .scalar_text(
            "SELECT parent_code FROM agencies WHERE code = $1",
            "000.99.40.H48",
        )
        .await;
    assert_eq!(parent.as_deref(), Some("000.00.40.H48"));
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT name, processing_days, fee_vnd, online_level, version FROM procedures WHERE code = '1.012345'",
            &[],
        )
        .await
        .expect("procedure");
    assert_eq!(row.get::<_, String>(0), "Đăng ký lại khai sinh");
    assert_eq!(row.get::<_, i32>(1), 3);
    assert_eq!(row.get::<_, Option<i64>>(2), Some(8000));
    assert_eq!(row.get::<_, String>(3), "partial");
    assert_eq!(row.get::<_, i64>(4), 1);
}

#[tokio::test]
async fn stale_catalog_versions_change_nothing() {
    let app = spawn_sync_app().await;
    let push = |items: Vec<Value>| {
        let app = &app;
        async move { app.push_catalog("/sync/v1/procedures", &items).await.1 }
    };
    assert_eq!(
        push(vec![procedure("1.012346", "Phiên bản năm", 5)]).await["applied"],
        1
    );

    // Older, equal, and the same code twice in one batch (the newer one wins).
    let report = push(vec![
        procedure("1.012346", "Phiên bản ba", 3),
        procedure("1.012346", "Phiên bản năm, lần nữa", 5),
    ])
    .await;
    assert_eq!(
        (report["applied"].as_u64(), report["stale"].as_u64()),
        (Some(0), Some(2)),
        "{report}"
    );
    let report = push(vec![
        procedure("1.012346", "Phiên bản bảy", 7),
        procedure("1.012346", "Phiên bản sáu", 6),
    ])
    .await;
    assert_eq!(
        (report["applied"].as_u64(), report["stale"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(report["stale_items"][0]["index"], 1);

    let name = app
        .scalar_text("SELECT name FROM procedures WHERE code = $1", "1.012346")
        .await;
    assert_eq!(name.as_deref(), Some("Phiên bản bảy"));

    // Agencies follow the same rule.
    let department =
        |name: &str, version| agency("000.00.41.H48", Some(PROVINCE), "department", name, version);
    let (_, report) = app
        .push_catalog("/sync/v1/agencies", &[department("Sở mới", 2)])
        .await;
    assert_eq!(report["applied"], 1);
    let (_, report) = app
        .push_catalog("/sync/v1/agencies", &[department("Sở cũ", 2)])
        .await;
    assert_eq!(report["stale"], 1, "{report}");
    let name = app
        .scalar_text("SELECT name FROM agencies WHERE code = $1", "000.00.41.H48")
        .await;
    assert_eq!(name.as_deref(), Some("Sở mới"));
}

#[tokio::test]
async fn bad_catalog_items_are_reported_by_index_and_good_ones_still_apply() {
    let app = spawn_sync_app().await;
    let mut bad_kind = agency("000.00.42.H48", Some(PROVINCE), "hamlet", "Thôn", 1);
    let mut unknown_field = agency("000.00.43.H48", Some(PROVINCE), "department", "Sở", 1);
    unknown_field["cccd"] = json!("001099001234");
    let too_long = agency(
        "000.00.44.H48",
        Some(PROVINCE),
        "department",
        &"Sở ".repeat(101),
        1,
    );
    let orphan = agency("000.01.45.H48", Some("000.00.45.H48"), "commune", "Xã", 1);
    // Moving the province under one of its own departments would make a cycle.
    let cycle = agency(PROVINCE, Some("000.00.02.H48"), "province", "Tỉnh", 1);
    let injection = agency(
        "000.00.46.H48",
        Some(PROVINCE),
        "department",
        "Sở'); DROP TABLE agencies; --<script>alert(1)</script>",
        1,
    );
    bad_kind["desk_phone"] = json!(null);
    let items = [
        agency(
            "000.00.47.H48",
            Some(PROVINCE),
            "department",
            "Sở Ngoại vụ",
            1,
        ),
        json!({"code": "000.00.48.H48"}),
        bad_kind,
        unknown_field,
        too_long,
        orphan,
        cycle,
        agency("not a code", None, "province", "Tỉnh", 1),
        injection,
    ];

    let (status, report) = app.push_catalog("/sync/v1/agencies", &items).await;

    assert_eq!(status, 200, "{report}");
    assert_eq!(report["received"], 9);
    assert_eq!(report["applied"], 2, "{report}");
    assert_eq!(
        refused(&report),
        [
            (1, "(item)".into()),
            (2, "kind".into()),
            (3, "(item)".into()),
            (4, "name".into()),
            (5, "parent_code".into()),
            (6, "parent_code".into()),
            (7, "code".into()),
        ]
    );
    let stored = app
        .scalar_text("SELECT name FROM agencies WHERE code = $1", "000.00.46.H48")
        .await;
    assert_eq!(
        stored.as_deref(),
        Some("Sở'); DROP TABLE agencies; --<script>alert(1)</script>"),
        "stored as text, nothing executed"
    );
    let province_parent = app
        .scalar_text("SELECT parent_code FROM agencies WHERE code = $1", PROVINCE)
        .await;
    assert_eq!(province_parent, None, "the province kept its place");

    // Procedures: bad code, local code, days out of range, wrong type, bad online level.
    let mut local = procedure("1.012347.000.00.00.H48", "Thủ tục", 1);
    local["processing_days"] = json!(1);
    let mut days = procedure("1.012348", "Thủ tục", 1);
    days["processing_days"] = json!(400);
    let mut wrong_type = procedure("1.012349", "Thủ tục", 1);
    wrong_type["fee_vnd"] = json!("8.000");
    let mut level = procedure("1.012350", "Thủ tục", 1);
    level["online_level"] = json!("toàn trình");
    let items = [
        procedure("1.0123", "Thủ tục", 1),
        local,
        days,
        wrong_type,
        level,
        procedure("1.012351", "Cấp bản sao trích lục hộ tịch", 1),
    ];
    let (status, report) = app.push_catalog("/sync/v1/procedures", &items).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], 1);
    assert_eq!(
        refused(&report),
        [
            (0, "code".into()),
            (1, "code".into()),
            (2, "processing_days".into()),
            (3, "(item)".into()),
            (4, "online_level".into()),
        ]
    );
}

#[tokio::test]
async fn catalog_pushes_keep_the_feeds_signature_replay_and_size_rules() {
    let app = spawn_sync_app().await;
    let body = serde_json::to_vec(&[procedure("1.012352", "Thủ tục", 1)]).expect("json");
    let now = chrono::Utc::now().timestamp();
    let push = |secret: Option<&'static str>, body: Vec<u8>, content_type: &'static str| {
        let app = &app;
        async move {
            let response = app
                .push_raw("/sync/v1/procedures", body, content_type, secret, Some(now))
                .await;
            let status = response.status().as_u16();
            let json: Value = response.json().await.unwrap_or(Value::Null);
            (status, json)
        }
    };

    let (status, error) = push(None, body.clone(), "application/json").await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (401, &json!("signature_missing"))
    );
    let (status, error) = push(Some("wrong"), body.clone(), "application/json").await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (401, &json!("signature_invalid"))
    );
    assert_eq!(
        push(Some(SECRET), body.clone(), "application/json").await.0,
        200
    );
    // A retry of the same signed request is answered as the first (tests/api/sync_retry.rs).
    let (status, report) = push(Some(SECRET), body, "application/json").await;
    assert_eq!((status, &report["applied"]), (200, &json!(1)), "{report}");

    let ndjson = format!(
        "{}\n{}\n",
        procedure("1.012353", "Thủ tục A", 1),
        procedure("1.012354", "Thủ tục B", 1)
    );
    let (status, report) = push(Some(SECRET), ndjson.into_bytes(), "application/x-ndjson").await;
    assert_eq!((status, &report["applied"]), (200, &json!(2)), "{report}");

    let (status, error) = push(Some(SECRET), vec![b' '; 300 * 1024], "application/json").await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (413, &json!("payload_too_large"))
    );
    let (status, error) = push(Some(SECRET), b"{not json".to_vec(), "application/json").await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (400, &json!("invalid_batch"))
    );
    let (status, _) = push(Some(SECRET), b"[\xff]".to_vec(), "application/json").await;
    assert_eq!(status, 400);

    let get = app.get("/sync/v1/agencies").await;
    assert_eq!(get.status().as_u16(), 405);

    let unconfigured = crate::helpers::spawn_app().await;
    let response = unconfigured
        .push_raw(
            "/sync/v1/agencies",
            b"[]".to_vec(),
            "application/json",
            Some("x"),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
}

/// Polls `address` until the dossier's procedure name is `name`.
async fn wait_for_procedure_name(address: &str, code: &str, name: &str) -> Option<Value> {
    let http = http_client();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(response) = http
            .get(format!("{address}/api/v1/dossiers/{code}"))
            .send()
            .await
        {
            if let Ok(view) = response.json::<Value>().await {
                if view["procedure"]["name"] == name {
                    return Some(view);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_renamed_procedure_and_agency_show_at_once_in_cached_views_and_on_other_instances() {
    // Arrange: a cached dossier on this instance, a second instance with its own warm cache, and
    // a third that reads PostgreSQL on every lookup (its stored views must not be stale either).
    let app = spawn_sync_app().await;
    let known = app.known(4).await;
    let (status, before) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;
    assert_eq!(status, 200);
    assert_eq!(before["served_from"], "cache");
    let procedure_code = before["procedure"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let agency_code = before["receiving_agency"]["code"]
        .as_str()
        .expect("agency")
        .to_owned();
    let other = start(test_settings(), &app.db.url).await;
    let mut uncached = test_settings();
    uncached.cache.enabled = false;
    let uncached = start(uncached, &app.db.url).await;

    // Act
    let renamed = "Thủ tục đăng ký (tên mới theo Quyết định công bố năm 2026)";
    let (status, report) = app
        .push_catalog(
            "/sync/v1/procedures",
            &[procedure(&procedure_code, renamed, 1)],
        )
        .await;
    assert_eq!((status, &report["applied"]), (200, &json!(1)), "{report}");
    let parent = app
        .scalar_text(
            "SELECT parent_code FROM agencies WHERE code = $1",
            &agency_code,
        )
        .await;
    let kind = app
        .scalar_text("SELECT kind FROM agencies WHERE code = $1", &agency_code)
        .await
        .expect("kind");
    let (status, report) = app
        .push_catalog(
            "/sync/v1/agencies",
            &[agency(
                &agency_code,
                parent.as_deref(),
                &kind,
                "Trung tâm Phục vụ hành chính công (tên mới)",
                1,
            )],
        )
        .await;
    assert_eq!((status, &report["applied"]), (200, &json!(1)), "{report}");

    // Assert: this instance answers from its refreshed cache right away.
    let (_, after) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;
    assert_eq!(after["procedure"]["name"], renamed);
    assert_eq!(
        after["receiving_agency"]["name"],
        "Trung tâm Phục vụ hành chính công (tên mới)"
    );
    assert_eq!(after["served_from"], "cache");
    // The other instances catch up: one through NOTIFY, one because the stored views were dropped.
    let seen = wait_for_procedure_name(&other, &known.code, renamed)
        .await
        .expect("the other instance refreshed through NOTIFY");
    assert_eq!(seen["served_from"], "cache");
    let seen = wait_for_procedure_name(&uncached, &known.code, renamed)
        .await
        .expect("the uncached instance renders the new name");
    assert_eq!(seen["served_from"], "database");
}

#[tokio::test]
async fn a_rename_drops_the_stored_views_so_an_uncached_lookup_shows_the_new_name() {
    // Arrange: no in-process cache, so only the stored views stand between the rename and a lookup.
    let app = spawn_app_with(|s| {
        s.sync.secrets = vec![SECRET.to_owned().into()];
        s.cache.enabled = false;
    })
    .await;
    let known = app.known(6).await;
    let path = format!("/api/v1/dossiers/{}", known.code);
    let (_, before) = app.get_json(&path).await;
    assert_eq!(
        app.stored_views(&known.code).await,
        1,
        "the lookup stored its view"
    );
    let code = before["procedure"]["code"]
        .as_str()
        .expect("code")
        .to_owned();

    // A newer version that changes nothing a view shows (only the fee) keeps the stored views.
    let name = before["procedure"]["name"].as_str().expect("name");
    let mut same_view = procedure(&code, name, 1);
    same_view["field"] = before["procedure"]["field"].clone();
    same_view["processing_days"] = before["procedure"]["processing_days"].clone();
    same_view["fee_vnd"] = json!(123_000);
    let (_, report) = app.push_catalog("/sync/v1/procedures", &[same_view]).await;
    assert_eq!(report["applied"], 1, "{report}");
    assert_eq!(
        app.stored_views(&known.code).await,
        1,
        "nothing shown changed"
    );

    // Act
    let (_, report) = app
        .push_catalog("/sync/v1/procedures", &[procedure(&code, "Tên mới", 2)])
        .await;

    // Assert
    assert_eq!(report["applied"], 1, "{report}");
    assert_eq!(
        app.stored_views(&known.code).await,
        0,
        "the stale view is gone"
    );
    let (_, after) = app.get_json(&path).await;
    assert_eq!(after["procedure"]["name"], "Tên mới");
    assert_eq!(after["served_from"], "database");
    assert_eq!(
        app.stored_views(&known.code).await,
        1,
        "rendered and stored again"
    );
}

// ----------------------------------------------------------------------------------------------
// CSV import
// ----------------------------------------------------------------------------------------------

/// A file in the temp directory, removed on drop.
struct TempCsv(PathBuf);

impl TempCsv {
    fn new(contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "tracuu-catalog-{}.csv",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, contents).expect("write csv");
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn csv_import_reports_bad_rows_by_line_and_applies_the_good_ones() {
    // Arrange: line 1 header; good rows on 2, 4 (a quoted cell with a comma) and 9 (the parent
    // of line 8, which comes later); bad rows: 3 bad code, 5 unknown kind, 6 a missing cell,
    // 7 a 301-character name, 10 an unknown parent.
    let app = spawn_sync_app().await;
    let long_name = "Ủ".repeat(301);
    let csv = format!(
        "\u{feff}code,parent_code,kind,name,desk_address,desk_phone,desk_hours\n\
         000.00.50.H48,{PROVINCE},department,Sở Dân tộc và Tôn giáo,,0255 3822 111,\n\
         000..50.H48,{PROVINCE},department,Sở có mã sai,,,\n\
         000.00.51.H48,{PROVINCE},department,Ban Quản lý dự án,\"Số 1, đường Lê Lợi\",,\n\
         000.00.52.H48,{PROVINCE},hamlet,Thôn,,,\n\
         000.00.53.H48,{PROVINCE},department,Sở thiếu ô,,\n\
         000.00.54.H48,{PROVINCE},department,{long_name},,,\n\
         000.01.55.H48,000.00.55.H48,commune,Ủy ban nhân dân xã Tịnh Khê,,,\n\
         000.00.55.H48,{PROVINCE},district,Ủy ban nhân dân huyện Sơn Tịnh,,,\n\
         000.01.56.H48,000.00.99.H48,commune,Ủy ban nhân dân xã Không Cha,,,\n"
    );
    let file = TempCsv::new(&csv);

    // Act
    let report = import_csv(&app.db.url, CatalogKind::Agencies, file.path())
        .await
        .expect("the file as a whole is usable");

    // Assert
    let lines: Vec<(usize, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (3, "code"),
            (5, "kind"),
            (6, "(row)"),
            (7, "name"),
            (10, "parent_code")
        ],
        "{:#?}",
        report.errors
    );
    assert_eq!(
        report.errors[4].to_string(),
        "line 10: parent_code: 000.00.99.H48 is not in the catalog (send the parent first or in the same batch)"
    );
    assert_eq!((report.rows, report.applied), (9, 4));
    assert!(!report.is_clean());
    let address = app
        .scalar_text(
            "SELECT desk_address FROM agencies WHERE code = $1",
            "000.00.51.H48",
        )
        .await;
    assert_eq!(address.as_deref(), Some("Số 1, đường Lê Lợi"));
    let parent = app
        .scalar_text(
            "SELECT parent_code FROM agencies WHERE code = $1",
            "000.01.55.H48",
        )
        .await;
    assert_eq!(parent.as_deref(), Some("000.00.55.H48"));
    for absent in [
        "000.00.52.H48",
        "000.00.53.H48",
        "000.00.54.H48",
        "000.01.56.H48",
    ] {
        let found = app
            .scalar_text("SELECT code FROM agencies WHERE code = $1", absent)
            .await;
        assert_eq!(found, None, "{absent}");
    }
}

#[tokio::test]
async fn csv_import_of_procedures_wins_over_stored_versions_and_refreshes_dossier_views() {
    // Arrange: a dossier whose procedure a spreadsheet renames; the stored procedure carries a
    // pushed version far in the future, which an import without versions must still beat.
    let app = spawn_sync_app().await;
    let known = app.known(9).await;
    let (_, before) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;
    let code = before["procedure"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let pushed_far_ahead = 9_000_000_000_000_i64;
    let (_, report) = app
        .push_catalog(
            "/sync/v1/procedures",
            &[procedure(
                &code,
                "Tên từ kho dữ liệu chính",
                pushed_far_ahead,
            )],
        )
        .await;
    assert_eq!(report["applied"], 1, "{report}");
    let csv = format!(
        "code,name,field,processing_days,fee_vnd,fee_note,online_level\n\
         {code},\"Tên theo bảng tính, đã sửa\",Hộ tịch,5,\"1.500.000\",,full\n\
         1.012360,Thủ tục mới,Chứng thực,0,,Miễn phí,none\n\
         1.01236,Mã thiếu số,Chứng thực,0,,,none\n"
    );
    let file = TempCsv::new(&csv);

    // Act
    let report = import_csv(&app.db.url, CatalogKind::Procedures, file.path())
        .await
        .expect("import");

    // Assert
    assert_eq!(report.applied, 2, "{report:?}");
    assert_eq!(
        report
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()[0]
            .split(':')
            .take(2)
            .collect::<Vec<_>>(),
        ["line 4", " code"]
    );
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT name, fee_vnd, version FROM procedures WHERE code = $1",
            &[&code],
        )
        .await
        .expect("row");
    assert_eq!(row.get::<_, String>(0), "Tên theo bảng tính, đã sửa");
    assert_eq!(row.get::<_, Option<i64>>(1), Some(1_500_000));
    assert_eq!(row.get::<_, i64>(2), pushed_far_ahead + 1);
    assert!(report.dossiers_notified > 0);
    // The running instance is told through NOTIFY and refreshes its cache.
    let seen = wait_for_procedure_name(&app.address, &known.code, "Tên theo bảng tính, đã sửa")
        .await
        .expect("the running instance refreshed");
    assert_eq!(seen["served_from"], "cache");
}

#[tokio::test]
async fn csv_import_without_a_required_column_fails_clearly_and_changes_nothing() {
    let app = spawn_sync_app().await;
    let file = TempCsv::new("code,parent_code,name\n000.00.57.H48,000.00.00.H48,Sở\n");

    let error = import_csv(&app.db.url, CatalogKind::Agencies, file.path())
        .await
        .expect_err("a header without kind");

    let message = format!("{error:#}");
    assert!(
        message.contains("line 1: missing column(s) kind in the header"),
        "{message}"
    );
    let found = app
        .scalar_text("SELECT code FROM agencies WHERE code = $1", "000.00.57.H48")
        .await;
    assert_eq!(found, None);

    let missing = import_csv(
        &app.db.url,
        CatalogKind::Procedures,
        Path::new("/nonexistent/thu-tuc.csv"),
    )
    .await
    .expect_err("no such file");
    assert!(format!("{missing:#}").contains("cannot read /nonexistent/thu-tuc.csv"));
}

#[tokio::test]
async fn the_sample_catalog_files_import_cleanly() {
    let app = spawn_sync_app().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/catalog");
    for (kind, file) in [
        (CatalogKind::Agencies, "agencies.csv"),
        (CatalogKind::Procedures, "procedures.csv"),
    ] {
        let report = import_csv(&app.db.url, kind, &root.join(file))
            .await
            .expect(file);
        assert!(report.is_clean(), "{file}: {:#?}", report.errors);
        assert_eq!(report.applied, report.rows, "{file}");
        assert!(report.rows >= 5, "{file}");
    }
}

/// An agency with its lifecycle fields.
fn closing(code: &str, kind: &str, name: &str, until: &str, successors: &[&str]) -> Value {
    let mut item = agency(code, Some(PROVINCE), kind, name, 1);
    item["valid_from"] = json!("2020-01-01");
    item["valid_until"] = json!(until);
    item["successors"] = json!(successors);
    item
}

#[tokio::test]
async fn agencies_carry_their_lifecycle_and_successors_and_bad_ones_are_named() {
    let app = spawn_sync_app().await;
    // A district split into a commune and a special zone (both in the same batch, after it), two
    // communes merged into one, and the refusals: a successor nobody sent, an inverted period, a
    // successor that is the agency itself.
    let mut new_commune = agency(
        "000.60.00.H48",
        Some(PROVINCE),
        "commune",
        "UBND xã Bình Sơn",
        1,
    );
    new_commune["valid_from"] = json!("2025-07-01");
    let items = [
        closing(
            "000.25.00.H48",
            "district",
            "UBND huyện Bình Sơn",
            "2025-07-01",
            &["000.60.00.H48", "000.61.00.H48"],
        ),
        new_commune,
        agency(
            "000.61.00.H48",
            Some(PROVINCE),
            "special_zone",
            "UBND đặc khu Lý Sơn",
            1,
        ),
        closing(
            "000.62.00.H48",
            "commune",
            "UBND xã Tịnh Khê cũ",
            "2025-07-01",
            &["000.60.00.H48"],
        ),
        closing(
            "000.63.00.H48",
            "commune",
            "UBND xã Tịnh Hòa cũ",
            "2025-07-01",
            &["000.60.00.H48"],
        ),
        closing(
            "000.64.00.H48",
            "commune",
            "UBND xã Không Người Kế",
            "2025-07-01",
            &["000.99.99.H48"],
        ),
        closing(
            "000.65.00.H48",
            "commune",
            "UBND xã Ngược Ngày",
            "2019-12-31",
            &[],
        ),
        closing(
            "000.66.00.H48",
            "commune",
            "UBND xã Tự Kế",
            "2025-07-01",
            &["000.66.00.H48"],
        ),
    ];

    let (status, report) = app.push_catalog("/sync/v1/agencies", &items).await;

    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], 5, "{report}");
    assert_eq!(
        refused(&report),
        [
            (5, "successors".into()),
            (6, "valid_until".into()),
            (7, "successors".into()),
        ]
    );
    let client = app.db.client().await;
    let split = tracuu::db::catalog::list_successors(&client, "000.25.00.H48")
        .await
        .expect("successors");
    assert_eq!(split, ["000.60.00.H48", "000.61.00.H48"]);
    let merged: i64 = client
        .query_one(
            "SELECT count(*) FROM agency_successors WHERE successor_code = '000.60.00.H48'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(merged, 3, "the district and the two merged communes");
    let until: Option<chrono::NaiveDate> = client
        .query_one(
            "SELECT valid_until FROM agencies WHERE code = '000.25.00.H48'",
            &[],
        )
        .await
        .expect("the district")
        .get(0);
    assert_eq!(until, chrono::NaiveDate::from_ymd_opt(2025, 7, 1));
    let unknown = report["errors"][0]["reason"].as_str().expect("reason");
    assert!(
        unknown.contains("000.99.99.H48 is not in the catalog"),
        "{unknown}"
    );
}

#[tokio::test]
async fn csv_import_carries_validity_and_successors_with_errors_by_line() {
    let app = spawn_sync_app().await;
    let csv = format!(
        "code,parent_code,kind,name,valid_from,valid_until,successors\n\
         000.70.00.H48,{PROVINCE},commune,UBND xã Mới,2025-07-01,,\n\
         000.71.00.H48,{PROVINCE},district,UBND huyện Cũ,,2025-07-01,000.70.00.H48; 000.72.00.H48\n\
         000.72.00.H48,{PROVINCE},commune,UBND xã Mới Hai,2025-07-01,,\n\
         000.73.00.H48,{PROVINCE},commune,UBND xã Ngày Sai,2025-07-01,2025-02-30,\n\
         000.74.00.H48,{PROVINCE},commune,UBND xã Ngược,2025-07-01,2025-06-30,\n\
         000.75.00.H48,{PROVINCE},district,UBND huyện Không Kế,,2025-07-01,000.98.00.H48\n"
    );
    let file = TempCsv::new(&csv);

    let report = import_csv(&app.db.url, CatalogKind::Agencies, file.path())
        .await
        .expect("the file as a whole is usable");

    let lines: Vec<(usize, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        lines,
        [(5, "valid_until"), (6, "valid_until"), (7, "successors")],
        "{:#?}",
        report.errors
    );
    assert_eq!((report.rows, report.applied), (6, 3));
    let client = app.db.client().await;
    let successors = tracuu::db::catalog::list_successors(&client, "000.71.00.H48")
        .await
        .expect("successors");
    assert_eq!(successors, ["000.70.00.H48", "000.72.00.H48"]);
}
