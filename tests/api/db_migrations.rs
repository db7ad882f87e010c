//! Migrations applied to a database that already holds data: an installation upgrading in place
//! loses nothing.

use crate::helpers::TestDatabase;

#[tokio::test]
async fn the_agency_lifecycle_keeps_every_agency_and_gives_districts_the_historical_level() {
    // Arrange: the schema before the 2025 province (V12), with a province, a district, a commune
    // under it, and a dossier the district received.
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate_to(&mut client, Some(12))
        .await
        .expect("migrate to V12");
    client
        .batch_execute(
            "INSERT INTO agencies (code, parent_code, kind, name) VALUES
                ('H48', NULL, 'province', 'UBND tỉnh Quảng Ngãi'),
                ('H48.25', 'H48', 'district', 'UBND huyện Bình Sơn'),
                ('H48.25.01', 'H48.25', 'commune', 'UBND xã Bình Thuận');
             INSERT INTO procedures (code, name, field, processing_days, online_level)
                 VALUES ('1.001001', 'Đăng ký khai sinh', 'Hộ tịch', 1, 'full');
             INSERT INTO dossiers (code, procedure_code, receiving_agency_code, handling_agency_code,
                 channel, status, applicant_name, received_at, version)
             VALUES ('000.25.00.H48-250401-0001', '1.001001', 'H48.25', 'H48.25', 1, 4,
                 'Nguyễn Văn An', '2025-04-01 08:00+07', 1);",
        )
        .await
        .expect("data in the old schema");

    // Act
    tracuu::db::migrate(&mut client)
        .await
        .expect("migrate to the latest");

    // Assert: every agency and the dossier are still there; the district's level is historical.
    let agencies: i64 = client
        .query_one("SELECT count(*) FROM agencies", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(agencies, 3);
    let (kind, historical): (String, bool) = {
        let row = client
            .query_one(
                "SELECT a.kind, l.historical FROM agencies a JOIN agency_levels l ON l.code = a.kind
                 WHERE a.code = 'H48.25'",
                &[],
            )
            .await
            .expect("the district");
        (row.get(0), row.get(1))
    };
    assert_eq!((kind.as_str(), historical), ("district", true));
    let received_by: String = client
        .query_one(
            "SELECT receiving_agency_code FROM dossiers WHERE code = '000.25.00.H48-250401-0001'",
            &[],
        )
        .await
        .expect("the dossier")
        .get(0);
    assert_eq!(received_by, "H48.25");

    // The new shape: the district closes on 30 June 2025 with two successors; a level that is
    // not a row, an inverted period and a successor equal to itself are refused.
    client
        .batch_execute(
            "INSERT INTO agencies (code, parent_code, kind, name, valid_from) VALUES
                ('H48.60', 'H48', 'commune', 'UBND xã Bình Sơn', '2025-07-01'),
                ('H48.61', 'H48', 'special_zone', 'UBND đặc khu Lý Sơn', '2025-07-01');
             UPDATE agencies SET valid_until = '2025-07-01' WHERE code = 'H48.25';
             INSERT INTO agency_successors (agency_code, successor_code) VALUES
                ('H48.25', 'H48.60'), ('H48.25', 'H48.61');",
        )
        .await
        .expect("a closed district with two successors");
    let successors: i64 = client
        .query_one(
            "SELECT count(*) FROM agency_successors WHERE agency_code = 'H48.25'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(successors, 2);
    for refused in [
        "INSERT INTO agencies (code, kind, name) VALUES ('H48.62', 'hamlet', 'Thôn')",
        "UPDATE agencies SET valid_from = '2026-01-01', valid_until = '2025-01-01' WHERE code = 'H48.60'",
        "INSERT INTO agency_successors VALUES ('H48.60', 'H48.60')",
    ] {
        assert!(client.batch_execute(refused).await.is_err(), "{refused}");
    }
}

/// The checksums refinery recorded for V2, V3, V6 and V9 before their comments were edited to
/// point to the project's own docs.
const BEFORE_THE_COMMENT_EDITS: [(i32, &str); 4] = [
    (2, "2152031630531583234"),
    (3, "11755384082685544494"),
    (6, "15191072889652746854"),
    (9, "6478049686484571919"),
];

#[tokio::test]
async fn an_installation_migrated_before_the_comment_edits_still_starts_and_other_edits_are_refused(
) {
    // Arrange: a database as an installation migrated before the edits has it.
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate(&mut client).await.expect("migrate");
    let edited = checksum(&client, 2).await;
    for (version, old) in BEFORE_THE_COMMENT_EDITS {
        client
            .execute(
                "UPDATE refinery_schema_history SET checksum = $1 WHERE version = $2",
                &[&old, &version],
            )
            .await
            .expect("old checksum");
    }

    // Act + Assert: it migrates (and starts), the records now match the current text.
    tracuu::db::migrate(&mut client)
        .await
        .expect("the comment-only edits are accepted");
    assert_eq!(checksum(&client, 2).await, edited);
    for (version, old) in BEFORE_THE_COMMENT_EDITS {
        assert_ne!(checksum(&client, version).await, old, "V{version}");
    }

    // Any other divergence is still refused.
    client
        .execute(
            "UPDATE refinery_schema_history SET checksum = '12345' WHERE version = 2",
            &[],
        )
        .await
        .expect("a foreign checksum");
    assert!(tracuu::db::migrate(&mut client).await.is_err());
}

async fn checksum(client: &deadpool_postgres::Object, version: i32) -> String {
    client
        .query_one(
            "SELECT checksum FROM refinery_schema_history WHERE version = $1",
            &[&version],
        )
        .await
        .expect("recorded")
        .get(0)
}

#[tokio::test]
async fn every_level_belongs_to_the_province_tier_or_the_local_tier() {
    // Arrange
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;

    // Act
    tracuu::db::migrate(&mut client).await.expect("migrate");
    let levels = tracuu::db::catalog::level_rows(&client)
        .await
        .expect("levels");

    // Assert: province and department serve the whole province; the rest, the historical district
    // included, serve a place.
    let tiers: Vec<(&str, &str, bool)> = levels
        .iter()
        .map(|l| (l.code.as_str(), l.tier.as_str(), l.historical))
        .collect();
    assert_eq!(
        tiers,
        vec![
            ("province", "province", false),
            ("department", "province", false),
            ("district", "local", true),
            ("commune", "local", false),
            ("ward", "local", false),
            ("special_zone", "local", false),
        ]
    );
}

#[tokio::test]
async fn the_calendar_upgrade_keeps_an_administrators_edit_and_deletion_and_adds_the_announced_days(
) {
    // Arrange: an installation before V15, seeded with the old table (V14 and the seeding of that
    // time: the rows it wrote and its fact), where an administrator renamed one day by hand and
    // deleted another.
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate_to(&mut client, Some(14))
        .await
        .expect("migrate to V14");
    client
        .batch_execute(
            "INSERT INTO calendar_days (day, kind, name) VALUES
                ('2026-02-16', 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
                ('2026-02-17', 'holiday', 'Tết Nguyên đán Bính Ngọ 2026'),
                ('2026-09-01', 'holiday', 'Nghỉ Quốc khánh của tỉnh'),
                ('2027-02-05', 'holiday', 'Tết Nguyên đán Đinh Mùi 2027 (dự kiến)');
             INSERT INTO installation (key, value) VALUES ('calendar_seeded', '2025-2027');",
        )
        .await
        .expect("data in the old schema");
    // Act
    tracuu::db::migrate(&mut client).await.expect("migrate");
    tracuu::db::open::seed_calendar(&client)
        .await
        .expect("seed");
    // Assert
    let day = |d: &str| {
        let client = &client;
        let d = d.to_owned();
        async move {
            client
                .query_opt(
                    "SELECT name, origin, estimate, source FROM calendar_days WHERE day = $1::text::date",
                    &[&d],
                )
                .await
                .expect("query")
                .map(|r| {
                    (
                        r.get::<_, String>(0),
                        r.get::<_, String>(1),
                        r.get::<_, bool>(2),
                        r.get::<_, Option<String>>(3),
                    )
                })
        }
    };
    let edited = day("2026-09-01").await.expect("kept");
    assert_eq!(
        (edited.0.as_str(), edited.1.as_str()),
        ("Nghỉ Quốc khánh của tỉnh", "administrator")
    );
    assert_eq!(edited.3, None, "the administrator's row is not rewritten");
    // Seeded 2025 days the administrator had deleted by hand stay deleted.
    assert_eq!(day("2025-01-01").await, None);
    let seeded = day("2026-02-16").await.expect("seeded");
    assert_eq!(seeded.1, "seed");
    assert!(!seeded.2);
    assert!(seeded.3.expect("source").contains("9859/VPCP-KGVX"));
    let estimate = day("2027-02-05").await.expect("estimate");
    assert!(estimate.2, "2027 is an estimate");
    let announced = day("2026-08-31").await.expect("added by the new table");
    assert!(announced.0.contains("Quốc khánh"), "{}", announced.0);
    assert_eq!(announced.1, "seed");
}

#[tokio::test]
async fn levels_by_reference_keep_every_rule_and_item_at_the_historical_district_level() {
    // Arrange: the schema before levels were referenced (V14), with procedures, routing rules and
    // questions at every level the old CHECK lists allowed, the district included.
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate_to(&mut client, Some(14))
        .await
        .expect("migrate to V14");
    client
        .batch_execute(
            "INSERT INTO agencies (code, parent_code, kind, name) VALUES
                ('H48', NULL, 'province', 'UBND tỉnh Quảng Ngãi'),
                ('H48.01', 'H48', 'department', 'Sở Tư pháp'),
                ('H48.25', 'H48', 'district', 'UBND huyện Bình Sơn'),
                ('H48.25.01', 'H48.25', 'commune', 'UBND xã Bình Thuận');
             INSERT INTO procedures (code, name, field, processing_days, online_level, level,
                 agency_code, desk_agency_code) VALUES
                ('1.000001', 'Cấp phiếu lý lịch tư pháp', 'Lý lịch tư pháp', 10, 'full',
                 'department', 'H48.01', 'H48.01'),
                ('1.000002', 'Đăng ký kết hôn', 'Hộ tịch', 5, 'partial', 'district', NULL, NULL),
                ('1.000003', 'Đăng ký khai sinh', 'Hộ tịch', 1, 'full', 'commune', NULL, NULL);
             INSERT INTO procedure_routes (procedure_code, level, agency_code) VALUES
                ('1.000001', 'province', 'H48.01'),
                ('1.000002', 'district', 'H48.25'),
                ('1.000003', 'commune', 'H48.25.01');
             INSERT INTO intake_items (tracking_code, kind, channel, submitter_phone, subject, body,
                 procedure_code, level, agency_code, routed_by, is_public, state, received_at)
             VALUES
                ('HD.20250601.0001', 'question', 'web', '+84912345678', 'Hỏi', 'Hỏi về kết hôn',
                 '1.000002', 'district', 'H48.25', 'procedure', false, 'forwarded',
                 '2025-06-01 08:00+07'),
                ('HD.20250601.0002', 'question', 'web', '+84912345678', 'Hỏi', 'Hỏi về lý lịch',
                 '1.000001', 'province', NULL, 'desk', false, 'received', '2025-06-01 09:00+07');",
        )
        .await
        .expect("data in the old schema");
    let before = snapshot(&client).await;

    // Act
    tracuu::db::migrate(&mut client)
        .await
        .expect("migrate to the latest");

    // Assert: every procedure, rule and item is there with its level, the district's included.
    assert_eq!(snapshot(&client).await, before);
    assert!(before.contains(&"route 1.000002 district H48.25".to_owned()));
    assert!(before.contains(&"item HD.20250601.0001 district procedure".to_owned()));
    // A level that is not a row of agency_levels is refused in each of the three places; a
    // special zone, which the old lists did not know, is accepted; an item may record the commune
    // its submitter chose and be routed there.
    for refused in [
        "UPDATE procedures SET level = 'hamlet' WHERE code = '1.000003'",
        "INSERT INTO procedure_routes (procedure_code, level, agency_code)
             VALUES ('1.000003', 'hamlet', 'H48.25.01')",
        "UPDATE intake_items SET level = 'hamlet' WHERE tracking_code = 'HD.20250601.0002'",
        "UPDATE intake_items SET routed_by = 'guess' WHERE tracking_code = 'HD.20250601.0002'",
        "UPDATE intake_items SET commune_code = 'H99' WHERE tracking_code = 'HD.20250601.0002'",
    ] {
        assert!(client.batch_execute(refused).await.is_err(), "{refused}");
    }
    client
        .batch_execute(
            "INSERT INTO procedure_routes (procedure_code, level, agency_code)
                 VALUES ('1.000003', 'special_zone', 'H48.25.01');
             UPDATE intake_items SET commune_code = 'H48.25.01', routed_by = 'commune',
                 level = 'commune' WHERE tracking_code = 'HD.20250601.0002';",
        )
        .await
        .expect("the new shape");
}

/// Every procedure's, rule's and item's level, as one sorted list of lines.
async fn snapshot(client: &deadpool_postgres::Object) -> Vec<String> {
    let rows = client
        .query(
            "SELECT 'procedure ' || code || ' ' || coalesce(level, '-') FROM procedures
             UNION ALL
             SELECT 'route ' || procedure_code || ' ' || level || ' ' || agency_code
               FROM procedure_routes
             UNION ALL
             SELECT 'item ' || tracking_code || ' ' || coalesce(level, '-') || ' ' || routed_by
               FROM intake_items
             ORDER BY 1",
            &[],
        )
        .await
        .expect("snapshot");
    rows.iter().map(|r| r.get(0)).collect()
}

#[tokio::test]
async fn stored_views_of_closed_agencies_dossiers_are_dropped_to_be_rendered_with_successors() {
    // Arrange: the schema of V14, a closed district and an open department, a dossier of each
    // with a view stored by the code of before.
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate_to(&mut client, Some(14))
        .await
        .expect("migrate to V14");
    client
        .batch_execute(
            "INSERT INTO agencies (code, parent_code, kind, name, valid_until) VALUES
                ('000.00.00.H48', NULL, 'province', 'UBND tỉnh Quảng Ngãi', NULL),
                ('000.25.00.H48', '000.00.00.H48', 'district', 'UBND huyện Bình Sơn', '2025-07-01'),
                ('000.00.05.H48', '000.00.00.H48', 'department', 'Sở Tư pháp', NULL);
             INSERT INTO procedures (code, name, field, processing_days, online_level)
                 VALUES ('1.001001', 'Đăng ký khai sinh', 'Hộ tịch', 1, 'full');
             INSERT INTO dossiers (code, procedure_code, receiving_agency_code, handling_agency_code,
                 channel, status, applicant_name, received_at, version)
             VALUES ('000.25.00.H48-250401-0001', '1.001001', '000.25.00.H48', '000.25.00.H48', 1, 4,
                 'Nguyễn Văn An', '2025-04-01 08:00+07', 1),
                    ('000.00.05.H48-250401-0001', '1.001001', '000.00.05.H48', '000.00.05.H48', 1, 4,
                 'Trần Thị Bình', '2025-04-01 08:00+07', 1);
             INSERT INTO dossier_views (code, version, head, detail) VALUES
                 ('000.25.00.H48-250401-0001', 1, 'old head', 'old detail'),
                 ('000.00.05.H48-250401-0001', 1, 'head', 'detail');",
        )
        .await
        .expect("data in the old schema");

    // Act
    tracuu::db::migrate(&mut client)
        .await
        .expect("migrate to the latest");

    // Assert: the closed district's view goes; the open department's stays; no dossier is lost.
    let views: Vec<String> = client
        .query("SELECT code FROM dossier_views ORDER BY code", &[])
        .await
        .expect("views")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(views, ["000.00.05.H48-250401-0001"]);
    let dossiers: i64 = client
        .query_one("SELECT count(*) FROM dossiers", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(dossiers, 2);
}

#[tokio::test]
async fn the_fee_columns_arrive_empty_on_old_dossiers_and_refuse_a_negative_amount() {
    // Arrange: a dossier stored before V19.
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate_to(&mut client, Some(18))
        .await
        .expect("migrate to V18");
    client
        .batch_execute(
            "INSERT INTO agencies (code, parent_code, kind, name) VALUES
                ('000.00.00.H48', NULL, 'province', 'UBND tỉnh Quảng Ngãi'),
                ('000.00.05.H48', '000.00.00.H48', 'department', 'Sở Tư pháp');
             INSERT INTO procedures (code, name, field, processing_days, online_level)
                 VALUES ('1.001001', 'Đăng ký khai sinh', 'Hộ tịch', 1, 'full');
             INSERT INTO dossiers (code, procedure_code, receiving_agency_code, handling_agency_code,
                 channel, status, applicant_name, received_at, version)
             VALUES ('000.00.05.H48-250401-0001', '1.001001', '000.00.05.H48', '000.00.05.H48', 1, 6,
                 'Trần Thị Bình', '2025-04-01 08:00+07', 1);",
        )
        .await
        .expect("data in the old schema");

    // Act
    tracuu::db::migrate(&mut client)
        .await
        .expect("migrate to the latest");

    // Assert: the dossier is there, without a fee; a negative fee is refused, a fee is kept.
    let row = client
        .query_one(
            "SELECT fee_amount_vnd, fee_payment_place, citizen_due_at IS NULL FROM dossiers",
            &[],
        )
        .await
        .expect("the old dossier");
    assert_eq!(row.get::<_, Option<i64>>(0), None);
    assert_eq!(row.get::<_, Option<String>>(1), None);
    assert!(row.get::<_, bool>(2));
    assert!(client
        .execute("UPDATE dossiers SET fee_amount_vnd = -1", &[])
        .await
        .is_err());
    assert_eq!(
        client
            .execute("UPDATE dossiers SET fee_amount_vnd = 2500000", &[])
            .await
            .expect("a fee"),
        1
    );
}

#[tokio::test]
async fn a_push_signature_recorded_before_v21_reads_as_seen_without_an_answer() {
    // Arrange: a signature accepted before V21 (no endpoint, no answer kept).
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    tracuu::db::migrate_to(&mut client, Some(19))
        .await
        .expect("migrate to V19");
    let signature = [7u8; 32];
    client
        .execute(
            "INSERT INTO sync_signatures (signature, seen_at) VALUES ($1, now() - interval '1 minute')",
            &[&&signature[..]],
        )
        .await
        .expect("a signature in the old schema");

    // Act
    tracuu::db::migrate(&mut client)
        .await
        .expect("migrate to the latest");
    let seen = tracuu::db::sync::record_signature(&client, &signature, "dossiers")
        .await
        .expect("record");
    let fresh = tracuu::db::sync::record_signature(&client, &[8u8; 32], "dossiers")
        .await
        .expect("record");

    // Assert: the old signature is known, with neither endpoint nor answer (a retry of it is
    // told "already applied"); a new one is recorded as new.
    let seen = seen.expect("seen before");
    assert_eq!((seen.endpoint, seen.answer), (None, None));
    assert!(fresh.is_none());
}
