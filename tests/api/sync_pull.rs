//! `tracuu sync pull` and `sync verify` (docs/channels/sync.md) against the example source of deploy/pull/
//! in a second database: batches, resuming after a crash without loss or duplicates, ties on the
//! watermark, refused rows, the query contract, follow mode, cache fan-out, and verify.

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, SubsecRound, Utc};
use tracuu::config::Settings;
use tracuu::sync::pull::{pull, pull_counted};
use tracuu::sync::verify::verify;

use crate::helpers::{spawn_app, test_settings, TestDatabase};

const SCHEMA: &str = include_str!("../../deploy/pull/source-schema.sql");
const QUERY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/pull/query.sql");
const SOURCE_NAME: &str = "mot-cua";
const AGENCY: &str = "000.00.16.H48";
const CRASH_STEP: &str = "Bước gây lỗi";

/// A source with the example schema and an empty read model that knows the procedure and agency.
pub(crate) struct Pair {
    pub(crate) source: TestDatabase,
    pub(crate) target: TestDatabase,
    pub(crate) settings: Settings,
}

/// The example query with a settle delay of 1 s instead of 10 (and `SETTLE_SECS` set to match),
/// so that verify's wait for what the query leaves out is short; written once per test process.
pub(crate) fn quick_settle_query() -> &'static std::path::Path {
    static FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let query = std::fs::read_to_string(QUERY_FILE).expect("example query");
        assert!(query.contains("interval '10 seconds'"), "the settle delay");
        let path = std::env::temp_dir().join(format!(
            "tracuu-pull-query-settle-1s-{}.sql",
            std::process::id()
        ));
        std::fs::write(
            &path,
            query.replace("interval '10 seconds'", "interval '1 second'"),
        )
        .expect("write the query");
        path
    })
}

pub(crate) async fn pair(batch_size: i64) -> Pair {
    let source = TestDatabase::create().await;
    source
        .client()
        .await
        .batch_execute(SCHEMA)
        .await
        .expect("example source schema");
    let target = TestDatabase::create().await;
    // Without the demo province, so the read model holds only what was pulled.
    ensure_catalog(&target).await;
    target
        .client()
        .await
        .batch_execute("DELETE FROM dossier_events; DELETE FROM dossiers")
        .await
        .expect("empty read model");
    let mut settings = test_settings();
    settings.sync.pull.source_url = Some(source.url.clone().into());
    settings.sync.pull.query_file = Some(quick_settle_query().into());
    settings.sync.pull.settle_secs = 1;
    settings.sync.pull.source_name = SOURCE_NAME.into();
    settings.sync.pull.batch_size = batch_size;
    settings.sync.pull.poll_interval_secs = 1;
    Pair {
        source,
        target,
        settings,
    }
}

pub(crate) async fn ensure_catalog(db: &TestDatabase) {
    db.client()
        .await
        .batch_execute(
            "INSERT INTO procedures (code, name, field, processing_days, online_level)
             VALUES ('1.001193', 'Đăng ký khai sinh', 'Hộ tịch', 0, 'full') ON CONFLICT DO NOTHING",
        )
        .await
        .expect("procedure");
}

pub(crate) fn code(n: u32) -> String {
    format!("{AGENCY}-261116-{:04}", 700 + n)
}

/// Vietnam local time `minutes` ago, at PostgreSQL's precision (the source stores local time).
pub(crate) fn local_minutes_ago(minutes: i64) -> NaiveDateTime {
    (Utc::now() + chrono::Duration::hours(7) - chrono::Duration::minutes(minutes))
        .naive_utc()
        .trunc_subsecs(6)
}

/// The watermark the example query gives a row.
fn watermark_of(updated: NaiveDateTime, code: &str) -> String {
    format!("{}|{code}", updated.format("%Y-%m-%dT%H:%M:%S%.6f"))
}

impl Pair {
    /// A dossier as the one-stop system writes it: the row, then its steps (each bumps the
    /// version through the source's trigger), changed at `updated` (local time).
    pub(crate) async fn insert(
        &self,
        code: &str,
        status: i16,
        updated: NaiveDateTime,
        steps: &[&str],
    ) {
        let mut client = self.source.client().await;
        let tx = client.transaction().await.expect("tx");
        tx.execute(
            "INSERT INTO ho_so (ma_ho_so, ma_thu_tuc, ma_don_vi_tiep_nhan, ma_don_vi_xu_ly,
                 kenh_thuc_hien, trang_thai, ten_nguoi_nop, so_dien_thoai, dia_chi,
                 so_giay_to_tuy_than, ngay_tiep_nhan, ngay_hen_tra, ngay_cap_nhat)
             VALUES ($1, '1.001193', $2, $2, 2, $3, 'Trần Thị Bích Ngọc', '0987 654 321',
                 '12 Lê Lợi, Quảng Ngãi', '051099001234', $4::timestamp - interval '2 days',
                 $4::timestamp + interval '10 days', $4)",
            &[&code, &AGENCY, &status, &updated],
        )
        .await
        .expect("ho_so");
        for (i, step) in steps.iter().enumerate() {
            let order = i32::try_from(i).expect("small");
            tx.execute(
                "INSERT INTO qua_trinh_xu_ly (ma_ho_so, thu_tu, thoi_diem, trang_thai, ten_buoc,
                     ma_don_vi, nguoi_xu_ly)
                 VALUES ($1, $2, $3::timestamp - interval '1 day' + make_interval(mins => $2), 4, $4, $5,
                     'Cán bộ Một cửa')",
                &[&code, &order, &updated, step, &AGENCY],
            )
            .await
            .expect("step");
        }
        if !steps.is_empty() {
            // The steps' trigger stamped the dossier with now; put back the intended time.
            tx.execute(
                "UPDATE ho_so SET ngay_cap_nhat = $2 WHERE ma_ho_so = $1",
                &[&code, &updated],
            )
            .await
            .expect("restamp");
        }
        tx.commit().await.expect("commit");
    }

    /// The one-stop system moves a dossier to `status`, adding a step, at `updated`.
    pub(crate) async fn advance(
        &self,
        code: &str,
        status: i16,
        updated: NaiveDateTime,
        step: &str,
    ) {
        let mut client = self.source.client().await;
        let tx = client.transaction().await.expect("tx");
        tx.execute(
            "UPDATE ho_so SET trang_thai = $2 WHERE ma_ho_so = $1",
            &[&code, &status],
        )
        .await
        .expect("status");
        tx.execute(
            "INSERT INTO qua_trinh_xu_ly (ma_ho_so, thu_tu, thoi_diem, trang_thai, ten_buoc, ma_don_vi)
             SELECT $1, max(thu_tu) + 1, $3::timestamp - interval '1 minute', $2, $4, $5
               FROM qua_trinh_xu_ly WHERE ma_ho_so = $1",
            &[&code, &status, &updated, &step, &AGENCY],
        )
        .await
        .expect("step");
        tx.execute(
            "UPDATE ho_so SET ngay_cap_nhat = $2 WHERE ma_ho_so = $1",
            &[&code, &updated],
        )
        .await
        .expect("restamp");
        tx.commit().await.expect("commit");
    }

    pub(crate) async fn pull_once(&self) -> anyhow::Result<tracuu::sync::pull::PullSummary> {
        pull(&self.settings, &self.target.url, true).await
    }

    /// (code, version, steps) of every source dossier.
    pub(crate) async fn source_state(&self) -> Vec<(String, i64, i64)> {
        self.source
            .client()
            .await
            .query(
                "SELECT ma_ho_so, phien_ban,
                        (SELECT count(*) FROM qua_trinh_xu_ly q WHERE q.ma_ho_so = h.ma_ho_so)
                   FROM ho_so h ORDER BY 1",
                &[],
            )
            .await
            .expect("source state")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }

    /// (code, version, steps) of every read-model dossier.
    pub(crate) async fn target_state(&self) -> Vec<(String, i64, i64)> {
        self.target
            .client()
            .await
            .query(
                "SELECT code, version,
                        (SELECT count(*) FROM dossier_events e WHERE e.dossier_code = d.code)
                   FROM dossiers d ORDER BY 1",
                &[],
            )
            .await
            .expect("target state")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }

    async fn stored_watermark(&self) -> Option<String> {
        tracuu::db::sync::find_watermark(&self.target.client().await, SOURCE_NAME)
            .await
            .expect("watermark")
    }

    pub(crate) async fn verify(&self) -> (tracuu::sync::verify::VerifySummary, Vec<String>) {
        let mut out = Vec::new();
        let summary = verify(&self.settings, &self.target.url, &mut out)
            .await
            .expect("verify runs");
        let text = String::from_utf8(out).expect("utf-8");
        (summary, text.lines().map(str::to_owned).collect())
    }

    /// Makes the read model fail on a step name, as a crash in the middle of a batch would.
    async fn sabotage_step(&self, step: &str, action: &str) {
        self.target
            .client()
            .await
            .batch_execute(&format!(
                "CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     IF NEW.step = '{step}' THEN {action}; END IF;
                     RETURN NEW;
                 END $$;
                 CREATE TRIGGER sabotage BEFORE INSERT ON dossier_events
                     FOR EACH ROW EXECUTE FUNCTION sabotage();"
            ))
            .await
            .expect("sabotage");
    }

    async fn repair(&self) {
        self.target
            .client()
            .await
            .batch_execute("DROP TRIGGER sabotage ON dossier_events; DROP FUNCTION sabotage()")
            .await
            .expect("repair");
    }
}

#[tokio::test]
async fn pull_once_copies_the_source_in_batches_then_only_what_changed() {
    // Arrange: five dossiers, batches of two.
    let pair = pair(2).await;
    let times: Vec<NaiveDateTime> = (1..=5).map(|n| local_minutes_ago(60 - n)).collect();
    for (n, updated) in (1..=5).zip(&times) {
        pair.insert(
            &code(n),
            4,
            *updated,
            &["Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn"],
        )
        .await;
    }

    // Act
    let summary = pair.pull_once().await.expect("pull");

    // Assert: three batches, everything applied, versions and timelines as in the source.
    assert_eq!(
        (summary.batches, summary.received, summary.applied),
        (3, 5, 5)
    );
    assert_eq!(summary.invalid, 0);
    assert_eq!(pair.target_state().await, pair.source_state().await);
    assert_eq!(
        pair.stored_watermark().await,
        Some(watermark_of(times[4], &code(5)))
    );
    let row = pair
        .target
        .client()
        .await
        .query_one(
            "SELECT applicant_phone, applicant_name, channel FROM dossiers WHERE code = $1",
            &[&code(1)],
        )
        .await
        .expect("row");
    assert_eq!(
        row.get::<_, String>(0),
        "+84987654321",
        "the same mapping as push"
    );
    assert_eq!(row.get::<_, String>(1), "Trần Thị Bích Ngọc");
    assert_eq!(row.get::<_, i16>(2), 2);

    // Act: two dossiers move on in the source.
    pair.advance(&code(2), 9, local_minutes_ago(30), "Đã có kết quả")
        .await;
    pair.advance(&code(4), 5, local_minutes_ago(29), "Yêu cầu bổ sung")
        .await;
    let summary = pair.pull_once().await.expect("second pull");

    // Assert: only those two moved.
    assert_eq!(
        (summary.batches, summary.received, summary.applied),
        (1, 2, 2)
    );
    assert_eq!(pair.target_state().await, pair.source_state().await);
    let status: i16 = pair
        .target
        .client()
        .await
        .query_one("SELECT status FROM dossiers WHERE code = $1", &[&code(2)])
        .await
        .expect("status")
        .get(0);
    assert_eq!(status, 9);

    // Nothing new: an empty run.
    let summary = pair.pull_once().await.expect("third pull");
    assert_eq!((summary.batches, summary.received), (0, 0));
}

#[tokio::test]
async fn a_batch_failing_midway_commits_nothing_and_the_next_run_resumes_after_the_last_committed_one(
) {
    // Arrange: six dossiers in batches of two; the fourth (second batch) breaks the read model.
    let pair = pair(2).await;
    let times: Vec<NaiveDateTime> = (1..=6).map(|n| local_minutes_ago(60 - n)).collect();
    for (n, updated) in (1..=6).zip(&times) {
        let steps: &[&str] = if n == 4 {
            &["Tiếp nhận hồ sơ", CRASH_STEP]
        } else {
            &["Tiếp nhận hồ sơ"]
        };
        pair.insert(&code(n), 4, *updated, steps).await;
    }
    pair.sabotage_step(CRASH_STEP, "RAISE EXCEPTION 'simulated crash'")
        .await;

    // Act
    let error = pair.pull_once().await.expect_err("the second batch fails");

    // Assert: the first batch and its watermark committed; nothing of the failed batch did
    // (not even its good third dossier); nothing after it was read.
    assert!(
        format!("{error:#}").contains("simulated crash"),
        "{error:#}"
    );
    assert_eq!(
        pair.stored_watermark().await,
        Some(watermark_of(times[1], &code(2)))
    );
    let codes: Vec<String> = pair.target_state().await.into_iter().map(|s| s.0).collect();
    assert_eq!(codes, [code(1), code(2)]);

    // Act: the fault is fixed and the pull restarts.
    pair.repair().await;
    let summary = pair.pull_once().await.expect("restart");

    // Assert: it resumed after the second dossier (four rows read, not six), lost nothing and
    // duplicated nothing: same dossiers, versions and number of steps as the source.
    assert_eq!((summary.received, summary.applied), (4, 4));
    assert_eq!(pair.target_state().await, pair.source_state().await);
    assert_eq!(
        pair.stored_watermark().await,
        Some(watermark_of(times[5], &code(6)))
    );
    let (verified, lines) = pair.verify().await;
    assert_eq!(verified.differences(), 0, "{lines:?}");
}

#[tokio::test]
async fn a_pull_killed_inside_its_transaction_loses_nothing_on_restart() {
    // Arrange: four dossiers in batches of two; the read model stalls on the third's step.
    let pair = pair(2).await;
    let times: Vec<NaiveDateTime> = (1..=4).map(|n| local_minutes_ago(60 - n)).collect();
    for (n, updated) in (1..=4).zip(&times) {
        let step = if n == 3 {
            "Bước treo"
        } else {
            "Tiếp nhận hồ sơ"
        };
        pair.insert(&code(n), 4, *updated, &[step]).await;
    }
    pair.sabotage_step("Bước treo", "PERFORM pg_sleep(60)")
        .await;
    let settings = pair.settings.clone();
    let target = pair.target.url.clone();
    let running = tokio::spawn(async move { pull(&settings, &target, true).await });
    let admin = pair.target.client().await;
    let started = Instant::now();
    let pid: i32 = loop {
        let row = admin
            .query_opt(
                "SELECT pid FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event = 'PgSleep'",
                &[],
            )
            .await
            .expect("activity");
        if let Some(row) = row {
            break row.get(0);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the pull never reached the second batch"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Act: the process dies mid-transaction, and with it its database session.
    running.abort();
    let _ = running.await;
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .expect("terminate");
    while admin
        .query_opt("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid])
        .await
        .expect("activity")
        .is_some()
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Assert: only the first batch and its watermark survived.
    assert_eq!(
        pair.stored_watermark().await,
        Some(watermark_of(times[1], &code(2)))
    );
    assert_eq!(pair.target_state().await.len(), 2);

    // Act: restart.
    pair.repair().await;
    let summary = pair.pull_once().await.expect("restart");

    // Assert
    assert_eq!((summary.received, summary.applied), (2, 2));
    assert_eq!(pair.target_state().await, pair.source_state().await);
}

#[tokio::test]
async fn rows_sharing_a_change_time_across_a_batch_boundary_are_all_pulled() {
    // Arrange: a bulk update stamped three dossiers with the same time; batches of two split them.
    let pair = pair(2).await;
    let same = local_minutes_ago(60);
    pair.insert(&code(1), 4, local_minutes_ago(61), &[]).await;
    for n in 2..=4 {
        pair.insert(&code(n), 4, same, &["Tiếp nhận hồ sơ"]).await;
    }
    pair.insert(&code(5), 4, local_minutes_ago(59), &[]).await;

    // Act
    let summary = pair.pull_once().await.expect("pull");

    // Assert: [1, 2] [3, 4] [5]: none skipped at the boundary inside the tie, none twice.
    assert_eq!(
        (
            summary.batches,
            summary.received,
            summary.applied,
            summary.stale
        ),
        (3, 5, 5, 0)
    );
    assert_eq!(pair.target_state().await, pair.source_state().await);
}

#[tokio::test]
async fn a_refused_row_is_skipped_without_holding_back_the_watermark() {
    // Arrange: a bad status and an unusable phone number between good dossiers.
    let pair = pair(10).await;
    let times: Vec<NaiveDateTime> = (1..=4).map(|n| local_minutes_ago(60 - n)).collect();
    for (n, updated) in (1..=4).zip(&times) {
        pair.insert(&code(n), 4, *updated, &["Tiếp nhận hồ sơ"])
            .await;
    }
    let source = pair.source.client().await;
    source
        .execute(
            "UPDATE ho_so SET trang_thai = 12 WHERE ma_ho_so = $1",
            &[&code(2)],
        )
        .await
        .expect("bad status");
    source
        .execute(
            "UPDATE ho_so SET so_dien_thoai = 'không có' WHERE ma_ho_so = $1",
            &[&code(3)],
        )
        .await
        .expect("bad phone");
    // Those updates restamped both rows with now; move them back behind the settle delay.
    for n in [2, 3] {
        source
            .execute(
                "UPDATE ho_so SET ngay_cap_nhat = $2 WHERE ma_ho_so = $1",
                &[&code(n), &times[n as usize - 1]],
            )
            .await
            .expect("restamp");
    }

    // Act
    let summary = pair.pull_once().await.expect("pull");

    // Assert: the good ones applied, the bad ones refused, the watermark past all of them.
    assert_eq!(
        (summary.received, summary.applied, summary.invalid),
        (4, 2, 2)
    );
    let codes: Vec<String> = pair.target_state().await.into_iter().map(|s| s.0).collect();
    assert_eq!(codes, [code(1), code(4)]);
    assert_eq!(
        pair.stored_watermark().await,
        Some(watermark_of(times[3], &code(4)))
    );
    let metrics = tracuu::telemetry::Metrics::new().expect("metrics");
    let again = pull_counted(&pair.settings, &pair.target.url, true, metrics.clone())
        .await
        .expect("pull again");
    assert_eq!(again.received, 0, "refused rows are not read again");
    assert_eq!(
        metrics.sync_items.with_label_values(&["invalid"]).get(),
        0,
        "nor offered again by the look-back"
    );
}

#[tokio::test]
async fn rows_committed_behind_the_watermark_are_applied_by_the_next_pull_and_counted() {
    // Arrange: three dossiers pulled; the first pull looks behind its watermark and finds nothing.
    let pair = pair(2).await;
    let times: Vec<NaiveDateTime> = (1..=3).map(|n| local_minutes_ago(30 - 2 * n)).collect();
    for (n, updated) in (1..=3).zip(&times) {
        pair.insert(&code(n), 4, *updated, &["Tiếp nhận hồ sơ"])
            .await;
    }
    let first = pair.pull_once().await.expect("first pull");
    assert_eq!((first.applied, first.late), (3, 0));
    let passed = pair.stored_watermark().await;

    // Act: two source transactions commit only now with change times the watermark has passed
    // (a new dossier, and a new step of the first one), and one change arrives ahead of it.
    pair.insert(&code(4), 4, local_minutes_ago(25), &["Tiếp nhận hồ sơ"])
        .await;
    pair.advance(&code(1), 5, local_minutes_ago(27), "Yêu cầu bổ sung hồ sơ")
        .await;
    pair.insert(&code(5), 4, local_minutes_ago(1), &["Tiếp nhận hồ sơ"])
        .await;
    let metrics = tracuu::telemetry::Metrics::new().expect("metrics");
    let second = pull_counted(&pair.settings, &pair.target.url, true, metrics.clone())
        .await
        .expect("second pull");

    // Assert: the change ahead came in its batch; the two behind were found, applied and
    // counted; the read model equals the source.
    assert_ne!(pair.stored_watermark().await, passed);
    assert_eq!((second.received, second.applied, second.late), (1, 1, 2));
    assert_eq!(metrics.sync_late_rows.get(), 2);
    assert_eq!(pair.target_state().await, pair.source_state().await);
    let third = pair.pull_once().await.expect("third pull");
    assert_eq!(
        (third.received, third.late),
        (0, 0),
        "found once, not again"
    );
}

#[tokio::test]
async fn the_look_back_starts_where_the_watermark_stood_that_long_ago() {
    // Arrange: a one-second look-back; three dossiers pulled in two batches, so the watermark
    // stood after the second dossier just before the last batch; then more than a second passes.
    let mut pair = pair(2).await;
    pair.settings.sync.pull.late_rows_lookback_secs = 1;
    let times: Vec<NaiveDateTime> = (1..=3).map(|n| local_minutes_ago(30 - 2 * n)).collect();
    for (n, updated) in (1..=3).zip(&times) {
        pair.insert(&code(n), 4, *updated, &["Tiếp nhận hồ sơ"])
            .await;
    }
    assert_eq!(pair.pull_once().await.expect("first pull").applied, 3);
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    // Act: one row commits behind the watermark but after the second dossier, one before the
    // first.
    pair.insert(&code(4), 4, local_minutes_ago(25), &["Tiếp nhận hồ sơ"])
        .await;
    pair.insert(&code(5), 4, local_minutes_ago(29), &["Tiếp nhận hồ sơ"])
        .await;
    let summary = pair.pull_once().await.expect("second pull");

    // Assert: the first is found; the second lies before where the watermark stood a second
    // ago, so only verify finds it; the marks older than the one used are gone.
    assert_eq!(summary.late, 1);
    let codes: Vec<String> = pair.target_state().await.into_iter().map(|s| s.0).collect();
    assert_eq!(codes, [code(1), code(2), code(3), code(4)]);
    let (_, lines) = pair.verify().await;
    assert!(
        lines.contains(&format!("{}: missing in read model", code(5))),
        "{lines:?}"
    );
    let marks: i64 = pair
        .target
        .client()
        .await
        .query_one("SELECT count(*) FROM sync_watermark_marks", &[])
        .await
        .expect("marks")
        .get(0);
    assert_eq!(marks, 1);
}

#[tokio::test]
async fn a_row_behind_the_watermark_is_found_when_the_row_at_the_watermark_is_gone() {
    // Arrange: two dossiers pulled; the one at the watermark is then deleted in the source, so
    // reading back never meets it and reads on to the end.
    let pair = pair(10).await;
    pair.insert(&code(1), 4, local_minutes_ago(20), &["Tiếp nhận hồ sơ"])
        .await;
    pair.insert(&code(2), 4, local_minutes_ago(18), &["Tiếp nhận hồ sơ"])
        .await;
    assert_eq!(pair.pull_once().await.expect("first pull").applied, 2);
    pair.source
        .client()
        .await
        .batch_execute(&format!(
            "DELETE FROM qua_trinh_xu_ly WHERE ma_ho_so = '{0}'; DELETE FROM ho_so WHERE ma_ho_so = '{0}'",
            code(2)
        ))
        .await
        .expect("delete in the source");
    pair.insert(&code(3), 4, local_minutes_ago(19), &["Tiếp nhận hồ sơ"])
        .await;

    // Act
    let summary = pair.pull_once().await.expect("second pull");

    // Assert
    assert_eq!((summary.received, summary.late), (0, 1));
    let codes: Vec<String> = pair.target_state().await.into_iter().map(|s| s.0).collect();
    assert_eq!(codes, [code(1), code(2), code(3)]);
}

#[tokio::test]
async fn without_a_look_back_rows_behind_the_watermark_wait_for_verify() {
    // Arrange: the look-back switched off; a dossier pulled, then one committed behind it.
    let mut pair = pair(10).await;
    pair.settings.sync.pull.late_rows_lookback_secs = 0;
    pair.insert(&code(1), 4, local_minutes_ago(20), &["Tiếp nhận hồ sơ"])
        .await;
    assert_eq!(pair.pull_once().await.expect("pull").applied, 1);
    pair.insert(&code(2), 4, local_minutes_ago(25), &["Tiếp nhận hồ sơ"])
        .await;

    // Act
    let summary = pair.pull_once().await.expect("pull again");

    // Assert: nothing found; verify names it.
    assert_eq!((summary.received, summary.late), (0, 0));
    let (_, lines) = pair.verify().await;
    assert!(
        lines
            .iter()
            .any(|line| line == &format!("{}: missing in read model", code(2))),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_query_breaking_the_contract_is_refused_before_anything_moves() {
    // Arrange: the example query with its watermark column misnamed.
    let mut pair = pair(10).await;
    pair.insert(&code(1), 4, local_minutes_ago(60), &[]).await;
    let query = std::fs::read_to_string(QUERY_FILE)
        .expect("query")
        .replace("AS watermark", "AS position");
    let file = std::env::temp_dir().join(format!("pull-{}.sql", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, query).expect("write query");
    pair.settings.sync.pull.query_file = Some(file.clone());

    // Act: follow mode too gives up at once on a permanent error instead of retrying.
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        pull(&pair.settings, &pair.target.url, false),
    )
    .await
    .expect("follow mode stops on a broken query");
    let _ = std::fs::remove_file(&file);

    // Assert
    let error = format!("{:#}", result.expect_err("refused"));
    assert!(error.contains("position"), "{error}");
    assert_eq!(pair.stored_watermark().await, None);
    assert!(pair.target_state().await.is_empty());
}

#[tokio::test]
async fn follow_mode_applies_changes_as_they_arrive() {
    // Arrange
    let pair = pair(10).await;
    pair.insert(&code(1), 4, local_minutes_ago(60), &[]).await;
    let settings = pair.settings.clone();
    let target = pair.target.url.clone();
    let follower = tokio::spawn(async move { pull(&settings, &target, false).await });

    // Act and assert: the first dossier, then one added while it runs.
    wait_until(|| async { pair.target_state().await.len() == 1 }).await;
    pair.insert(&code(2), 4, local_minutes_ago(50), &["Tiếp nhận hồ sơ"])
        .await;
    wait_until(|| async { pair.target_state().await.len() == 2 }).await;
    assert!(!follower.is_finished(), "follow mode keeps running");
    follower.abort();
    assert_eq!(pair.target_state().await, pair.source_state().await);
}

#[tokio::test]
async fn follow_mode_exports_its_lag_and_item_counters_on_its_own_port() {
    // Arrange: a free port for the exporter, two source dossiers.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let pair = pair(10).await;
    pair.insert(&code(1), 4, local_minutes_ago(60), &[]).await;
    pair.insert(&code(2), 4, local_minutes_ago(50), &[]).await;
    let mut settings = pair.settings.clone();
    settings.sync.pull.metrics_address = Some(format!("127.0.0.1:{port}").parse().unwrap());
    let target = pair.target.url.clone();

    // Act
    let follower = tokio::spawn(async move { pull(&settings, &target, false).await });
    wait_until(|| async { pair.target_state().await.len() == 2 }).await;
    let text = crate::helpers::http_client()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .expect("the pull's exporter answers")
        .text()
        .await
        .expect("text");
    follower.abort();

    // Assert: both pulled dossiers are counted, each with its lag.
    assert!(
        text.contains("tracuu_sync_items_total{outcome=\"applied\"} 2"),
        "{text}"
    );
    assert!(text.contains("tracuu_sync_lag_seconds_count 2"), "{text}");
}

async fn wait_until<F, Fut>(condition: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !condition().await {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "condition not met in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn pulled_changes_reach_a_running_servers_cache() {
    // Arrange: a running server on the read model the pull writes to.
    let app = spawn_app().await;
    ensure_catalog(&app.db).await;
    let pair = pair(10).await;
    let dossier = code(1);
    pair.insert(&dossier, 4, local_minutes_ago(60), &["Tiếp nhận hồ sơ"])
        .await;
    pull(&pair.settings, &app.db.url, true)
        .await
        .expect("first pull");
    let (status, view) = app.get_json(&format!("/api/v1/dossiers/{dossier}")).await;
    assert_eq!((status, view["status"]["code"].as_i64()), (200, Some(4)));

    // Act: the dossier moves on and is pulled by a separate process.
    pair.advance(&dossier, 9, local_minutes_ago(30), "Đã có kết quả")
        .await;
    pull(&pair.settings, &app.db.url, true)
        .await
        .expect("second pull");

    // Assert: the server's cached view follows through the change notification.
    let started = Instant::now();
    loop {
        let (_, view) = app.get_json(&format!("/api/v1/dossiers/{dossier}")).await;
        if view["status"]["code"] == 9 {
            assert_eq!(view["served_from"], "cache");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{view}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn verify_is_silent_on_a_synced_pair_and_names_each_planted_difference() {
    // Arrange: a synced pair.
    let pair = pair(2).await;
    for n in 1..=5 {
        pair.insert(
            &code(n),
            4,
            local_minutes_ago(60 - i64::from(n)),
            &["Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn"],
        )
        .await;
    }
    pair.pull_once().await.expect("pull");

    // Act and assert: nothing differs; only the summary line.
    let (summary, lines) = pair.verify().await;
    assert_eq!(summary.differences(), 0, "{lines:?}");
    assert_eq!(
        (summary.source, summary.read_model, summary.matching),
        (5, 5, 5)
    );
    assert_eq!(lines.len(), 1, "{lines:?}");

    // Arrange: drift planted on both sides.
    let target = pair.target.client().await;
    target
        .execute(
            "UPDATE dossiers SET status = 10 WHERE code = $1",
            &[&code(1)],
        )
        .await
        .expect("plant a changed status");
    target
        .execute(
            "DELETE FROM dossier_events WHERE dossier_code = $1",
            &[&code(2)],
        )
        .await
        .expect("its timeline");
    target
        .execute("DELETE FROM dossiers WHERE code = $1", &[&code(2)])
        .await
        .expect("plant a missing dossier");
    target
        .execute(
            "UPDATE dossier_events SET note = 'sửa tay' WHERE dossier_code = $1 AND seq = 1",
            &[&code(4)],
        )
        .await
        .expect("plant a changed step");
    // A phone no snapshot can carry (a redundant 0 after +84): parsing would normalise it away,
    // but the stored row differs from what the pull wrote.
    target
        .execute(
            "UPDATE dossiers SET applicant_phone = '+840' || substr(applicant_phone, 4)
              WHERE code = $1",
            &[&code(5)],
        )
        .await
        .expect("plant a phone out of canonical form");
    let source = pair.source.client().await;
    source
        .execute("DELETE FROM ho_so WHERE ma_ho_so = $1", &[&code(3)])
        .await
        .expect("plant a dossier gone from the source");
    pair.insert(&code(6), 12, local_minutes_ago(40), &[]).await;

    // Act
    let (summary, lines) = pair.verify().await;

    // Assert: one line per difference, then the counts.
    let mut differences = lines[..lines.len() - 1].to_vec();
    differences.sort();
    let version_1 = pair.source_state().await[0].1;
    let version_4 = pair
        .source_state()
        .await
        .into_iter()
        .find(|s| s.0 == code(4))
        .expect("4")
        .1;
    let version_5 = pair
        .source_state()
        .await
        .into_iter()
        .find(|s| s.0 == code(5))
        .expect("5")
        .1;
    assert_eq!(
        differences,
        [
            format!(
                "{}: differs (version source {version_1}, read model {version_1})",
                code(1)
            ),
            format!("{}: missing in read model", code(2)),
            format!("{}: not in source", code(3)),
            format!(
                "{}: differs (version source {version_4}, read model {version_4})",
                code(4)
            ),
            format!(
                "{}: differs (version source {version_5}, read model {version_5})",
                code(5)
            ),
            format!(
                "{}: invalid in source (status: must be a national status code 1–10)",
                code(6)
            ),
        ]
    );
    assert_eq!(
        (
            summary.source,
            summary.read_model,
            summary.matching,
            summary.missing,
            summary.differing,
            summary.not_in_source,
            summary.invalid
        ),
        (5, 4, 0, 1, 3, 1, 1)
    );
    assert_eq!(summary.differences(), 6);
    assert!(lines[lines.len() - 1].starts_with("source 5 dossiers, read model 4"));
}
