use tracuu::domain::LookupNumber;

use crate::helpers::{TestDatabase, DEMO_DOSSIERS};

#[tokio::test]
async fn the_database_and_rust_compute_the_same_lookup_numbers() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    for seq in [0_i64, 1, 2, 3, 17, 999, 123_456, 999_999_999] {
        let row = client
            .query_one("SELECT tracuu_lookup_number($1)", &[&seq])
            .await
            .expect("lookup number");
        let from_db: i64 = row.get(0);
        let from_rust = LookupNumber::from_sequence(seq as u64);
        assert_eq!(from_db as u64, from_rust.value(), "sequence {seq}");
    }
}

#[tokio::test]
async fn every_demo_dossier_has_a_valid_unique_lookup_number() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let rows = client
        .query("SELECT lookup_number FROM dossiers", &[])
        .await
        .expect("numbers");
    assert_eq!(rows.len(), DEMO_DOSSIERS);
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    let mut repeated = Vec::new();
    for row in rows {
        let number: i64 = row.get(0);
        LookupNumber::parse(&format!("{number:010}")).expect("valid check digit");
        if !seen.insert(number) {
            repeated.push(number);
        }
    }
    assert!(
        repeated.is_empty(),
        "lookup numbers shared by more than one dossier: {repeated:?}"
    );
}

#[tokio::test]
async fn the_demo_province_has_one_showcase_dossier_per_status_and_timelines() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let showcase = tracuu::demo::showcase(&client).await.expect("showcase");
    assert_eq!(showcase.len(), 15);
    let statuses: Vec<i16> = showcase.iter().take(10).map(|row| row.status).collect();
    assert_eq!(statuses, (1..=10).collect::<Vec<i16>>());
    // Then three received before 1 July 2025 by agencies closed that day: a district, a commune
    // and a department of the merged-in province, under its closed code.
    for row in &showcase[12..] {
        let agency: String = client
            .query_one(
                "SELECT a.code FROM dossiers d JOIN agencies a ON a.code = d.receiving_agency_code
                  WHERE d.code = $1 AND d.received_at < '2025-07-01T00:00:00+07:00'
                    AND a.valid_until = '2025-07-01'
                    AND EXISTS (SELECT 1 FROM agency_successors s WHERE s.agency_code = a.code)",
                &[&row.code],
            )
            .await
            .expect("received before the reform by a closed agency with successors")
            .get(0);
        assert!(row.code.starts_with(&agency), "{}", row.code);
    }
    assert!(showcase[14].code.contains(".H35-"), "{}", showcase[14].code);
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE n NOT BETWEEN 3 AND 8) FROM
               (SELECT count(*) AS n FROM dossier_events GROUP BY dossier_code) AS t",
            &[],
        )
        .await
        .expect("timeline lengths");
    assert_eq!(row.get::<_, i64>(0), 0);
    let agencies: i64 = client
        .query_one("SELECT count(*) FROM agencies", &[])
        .await
        .expect("agencies")
        .get(0);
    assert!(agencies >= 130, "{agencies}");
    // Today's commune-level units (xã, phường, đặc khu), open, directly under the province.
    let living_local: i64 = client
        .query_one(
            "SELECT count(*) FROM agencies a JOIN agency_levels l ON l.code = a.kind
              WHERE l.tier = 'local' AND (a.valid_until IS NULL OR a.valid_until > current_date)
                AND a.parent_code = '000.00.00.H48'",
            &[],
        )
        .await
        .expect("living local agencies")
        .get(0);
    assert_eq!(living_local, 96);
    let procedures: i64 = client
        .query_one("SELECT count(*) FROM procedures", &[])
        .await
        .expect("procedures")
        .get(0);
    assert!(procedures >= 140, "{procedures}");
}

#[tokio::test]
async fn the_seeded_calendar_skips_tet_2026() {
    use chrono::{TimeZone, Utc};
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let calendar = tracuu::db::calendar::load(&client).await.expect("calendar");
    // Received Friday 13/02/2026 at 16:00 (Vietnam time): one working day later is after Tết.
    let received = Utc
        .with_ymd_and_hms(2026, 2, 13, 9, 0, 0)
        .single()
        .expect("time");
    let due = calendar.add_working_days(received, 1);
    assert_eq!(
        due,
        Utc.with_ymd_and_hms(2026, 2, 23, 9, 0, 0)
            .single()
            .expect("time")
    );
}

#[tokio::test]
async fn an_administrators_calendar_edits_survive_a_newer_seed() {
    // Arrange: an administrator deletes one seeded day and renames another; then a newer tracuu
    // seeds its table again (the recorded seed version is older).
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let deleted = client
        .execute("DELETE FROM calendar_days WHERE day = '2026-02-16'", &[])
        .await
        .expect("delete");
    assert_eq!(
        deleted, 1,
        "the seeded calendar holds 2026-02-16 (Tết) to delete"
    );
    let renamed = client
        .execute(
            "UPDATE calendar_days SET name = 'Nghỉ của tỉnh', origin = 'administrator'
              WHERE day = '2026-02-17'",
            &[],
        )
        .await
        .expect("rename");
    assert_eq!(renamed, 1);
    client
        .execute(
            "UPDATE installation SET value = 'older' WHERE key = 'calendar_seed'",
            &[],
        )
        .await
        .expect("older seed");
    // Act
    tracuu::db::open::seed_calendar(&client)
        .await
        .expect("seed again");
    // Assert
    let rows = client
        .query("SELECT 1 FROM calendar_days WHERE day = '2026-02-16'", &[])
        .await
        .expect("query");
    assert!(rows.is_empty(), "a deleted day is not brought back");
    let name: String = client
        .query_one(
            "SELECT name FROM calendar_days WHERE day = '2026-02-17'",
            &[],
        )
        .await
        .expect("row")
        .get(0);
    assert_eq!(name, "Nghỉ của tỉnh");
}

#[tokio::test]
async fn streaming_the_read_model_visits_every_dossier_once() {
    let db = TestDatabase::create().await;
    let pool = tracuu::db::build_pool(&db.url, &tracuu::config::DatabaseSettings::default())
        .expect("pool");
    let mut client = pool.get().await.expect("client");
    let mut seen = std::collections::HashSet::new();
    let mut batches = 0;
    let count = tracuu::db::dossiers::for_each_stored_newest(&mut client, 10_000, 64, |records| {
        batches += 1;
        assert!(records.len() <= 64);
        for record in records {
            assert!(record.head.is_some(), "the demo load stored every view");
            assert!(seen.insert(record.code.clone()));
        }
    })
    .await
    .expect("stream");
    assert_eq!(count as usize, DEMO_DOSSIERS);
    assert_eq!(seen.len(), DEMO_DOSSIERS);
    assert!(batches >= DEMO_DOSSIERS / 64);
}

/// The README promises these dossiers exist on every fresh install; hold it to that.
#[tokio::test]
async fn the_readme_demo_table_matches_the_demo_province() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let showcase = tracuu::demo::showcase(&client).await.expect("showcase");
    let readme = include_str!("../../README.md");
    let rows: Vec<Vec<String>> = readme
        .lines()
        .filter(|line| line.starts_with("| `") && (line.contains("H48-") || line.contains("H35-")))
        .map(|line| {
            line.split('|')
                .map(|cell| cell.trim().trim_matches('`').replace(' ', ""))
                .collect()
        })
        .collect();
    assert_eq!(
        rows.len(),
        showcase.len(),
        "one README row per showcase dossier"
    );
    for (row, known) in rows.iter().zip(&showcase) {
        assert_eq!(row[1], known.code);
        assert_eq!(row[2], format!("{:010}", known.lookup_number));
        assert_eq!(row[3], known.status.to_string());
        assert_eq!(Some(row[4].as_str()), known.phone_last4.as_deref());
    }
}

#[tokio::test]
async fn a_stored_view_of_an_older_version_is_ignored_and_rendered_again() {
    use crate::helpers::spawn_app_with;
    let app = spawn_app_with(|s| s.cache.enabled = false).await;
    let known = app.known(4).await;
    let client = app.db.client().await;
    // The dossier changes behind the stored view's back (as a sync batch would).
    client
        .execute(
            "UPDATE dossiers SET status = 9, finished_at = now(), version = version + 1 WHERE code = $1",
            &[&known.code],
        )
        .await
        .expect("update");

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;

    assert_eq!(status, 200);
    assert_eq!(body["status"]["code"], 9, "not the stale stored view");
    let row = client
        .query_one(
            "SELECT v.version = d.version FROM dossier_views v JOIN dossiers d USING (code) WHERE code = $1",
            &[&known.code],
        )
        .await
        .expect("view");
    assert!(row.get::<_, bool>(0), "the new version's view is stored");
}

#[tokio::test]
async fn shared_read_connections_pipeline_callers_and_replace_a_broken_connection() {
    let db = TestDatabase::create().await;
    let pool = tracuu::db::build_pool(&db.url, &tracuu::config::DatabaseSettings::default())
        .expect("pool");
    let shared = tracuu::db::shared::SharedClients::new(pool.clone(), 1);
    let codes: Vec<String> = db
        .client()
        .await
        .query("SELECT code FROM dossiers ORDER BY code LIMIT 50", &[])
        .await
        .expect("codes")
        .iter()
        .map(|row| row.get(0))
        .collect();

    // Fifty concurrent readers share the one lane and each gets its own dossier back.
    let reads = codes.iter().map(|code| {
        let shared = &shared;
        async move {
            let client = shared.get().await.expect("shared client");
            let rows = tracuu::db::dossiers::list_stored_views(&client, &[code.as_str()])
                .await
                .expect("read");
            let got = rows.into_iter().next().map(|r| r.code);
            (code.clone(), got, client.is_closed())
        }
    });
    let mut backends = std::collections::HashSet::new();
    for (asked, got, closed) in futures_util::future::join_all(reads).await {
        assert_eq!(Some(asked), got);
        assert!(!closed);
    }
    let first = shared.get().await.expect("client");
    let pid: i32 = first
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .expect("pid")
        .get(0);
    backends.insert(pid);
    assert_eq!(pool.status().size, 1, "one lane holds one connection");

    // The server ends that connection: the next caller gets a fresh, working one.
    db.client()
        .await
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .expect("terminate");
    let _ = first.query_one("SELECT 1", &[]).await;
    for _ in 0..100 {
        if first.is_closed() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        first.is_closed(),
        "the terminated connection reports closed"
    );
    drop(first);
    let fresh = shared.get().await.expect("replacement");
    let pid_after: i32 = fresh
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .expect("replacement answers")
        .get(0);
    assert!(backends.insert(pid_after), "a new backend serves the lane");
    let rows = tracuu::db::dossiers::list_stored_views(&fresh, &[codes[0].as_str()])
        .await
        .expect("read after replacement");
    assert_eq!(
        rows.first().map(|r| r.code.as_str()),
        Some(codes[0].as_str())
    );
}

#[tokio::test]
async fn a_pool_built_with_server_options_starts_every_connection_with_them() {
    let db = TestDatabase::create().await;
    let pool = tracuu::db::build_pool_with(
        &db.url,
        &tracuu::config::DatabaseSettings::default(),
        |config| {
            config.options("-c synchronous_commit=off");
        },
    )
    .expect("pool");
    let client = pool.get().await.expect("client");
    let setting: String = client
        .query_one("SHOW synchronous_commit", &[])
        .await
        .expect("show")
        .get(0);
    assert_eq!(setting, "off");
    let plain = db.client().await;
    let setting: String = plain
        .query_one("SHOW synchronous_commit", &[])
        .await
        .expect("show")
        .get(0);
    assert_eq!(setting, "on", "other pools keep the server's default");
}
