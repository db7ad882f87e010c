//! `tracuu sync verify` judging rows as a pull does (catalog included), reporting changes still
//! within the settle delay as pending, its exit status, and `tracuu sync repair` (with its dry
//! run) making the read model equal to the source on every instance (docs/channels/sync.md).

use std::time::{Duration, Instant};

use tracuu::sync::commands::{exit_code, run, SyncCommand};
use tracuu::sync::verify::{repair, VerifySummary};

use crate::helpers::{http_client, start, test_settings};
use crate::sync_pull::{code, local_minutes_ago, pair, quick_settle_query, Pair};

/// The counts in the order of the summary line: matching, missing, differing, not in source,
/// invalid, pending.
fn counts(s: &VerifySummary) -> (u64, u64, u64, u64, u64, u64) {
    (
        s.matching,
        s.missing,
        s.differing,
        s.not_in_source,
        s.invalid,
        s.pending,
    )
}

/// Every line but the summary, sorted.
fn differences(lines: &[String]) -> Vec<String> {
    let mut lines = lines[..lines.len() - 1].to_vec();
    lines.sort();
    lines
}

/// A source of three dossiers changed an hour ago, pulled into the read model.
async fn synced_pair() -> Pair {
    let pair = pair(2).await;
    for n in 1..=3 {
        pair.insert(
            &code(n),
            4,
            local_minutes_ago(60 - i64::from(n)),
            &["Tiếp nhận hồ sơ"],
        )
        .await;
    }
    pair.pull_once().await.expect("pull");
    pair
}

impl Pair {
    async fn source_version(&self, code: &str) -> i64 {
        self.source
            .client()
            .await
            .query_one("SELECT phien_ban FROM ho_so WHERE ma_ho_so = $1", &[&code])
            .await
            .expect("version")
            .get(0)
    }

    async fn sync_repair(&self, dry_run: bool) -> (VerifySummary, Vec<String>) {
        let mut out = Vec::new();
        let summary = repair(&self.settings, &self.target.url, dry_run, &mut out)
            .await
            .expect("repair runs");
        let text = String::from_utf8(out).expect("utf-8");
        (summary, text.lines().map(str::to_owned).collect())
    }

    /// `tracuu sync verify` as the binary runs it, with the read model named in the settings.
    async fn verify_command(&self) -> anyhow::Result<()> {
        let mut settings = self.settings.clone();
        settings.database.url = Some(self.target.url.clone().into());
        run(settings, SyncCommand::Verify).await
    }
}

#[tokio::test]
async fn verify_reports_rows_naming_an_unknown_procedure_or_agency_as_invalid_in_source() {
    // Arrange: a synced pair, then two dossiers change in the source (an hour ago) to name a
    // procedure and an agency the read model's catalog does not have.
    let pair = synced_pair().await;
    let source = pair.source.client().await;
    source
        .execute(
            "UPDATE ho_so SET ma_thu_tuc = '1.009999', ngay_cap_nhat = $2 WHERE ma_ho_so = $1",
            &[&code(1), &local_minutes_ago(30)],
        )
        .await
        .expect("unknown procedure");
    source
        .execute(
            "UPDATE ho_so SET ma_don_vi_xu_ly = '000.00.99.H48', ngay_cap_nhat = $2
              WHERE ma_ho_so = $1",
            &[&code(2), &local_minutes_ago(30)],
        )
        .await
        .expect("unknown agency");
    // The pull refuses both, as verify must judge them.
    let pulled = pair.pull_once().await.expect("pull");
    assert_eq!(pulled.invalid, 2);

    // Act
    let (summary, lines) = pair.verify().await;

    // Assert: invalid in source, with the pull's reason; not "differs".
    assert_eq!(
        differences(&lines),
        [
            format!(
                "{}: invalid in source (procedure_code: 1.009999 is not in the catalog (send the \
                 catalog first))",
                code(1)
            ),
            format!(
                "{}: invalid in source (agency_code: 000.00.99.H48 is not in the catalog (send \
                 the catalog first))",
                code(2)
            ),
        ]
    );
    assert_eq!(counts(&summary), (1, 0, 0, 0, 2, 0));
    assert_eq!((summary.source, summary.read_model), (3, 3));
    // Drift: exit status 1.
    let error = pair.verify_command().await.expect_err("drift");
    assert_eq!(exit_code(&error, true), 1, "{error:#}");

    // Repair reports them and applies neither: the read model keeps what the pull applied.
    let before = pair.target_state().await;
    let (summary, lines) = pair.sync_repair(false).await;
    let lines = differences(&lines);
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        assert!(line.ends_with("; not applied"), "{line}");
    }
    assert_eq!((summary.repaired, summary.remaining()), (0, 2));
    assert_eq!(pair.target_state().await, before);
}

#[tokio::test]
async fn changes_within_the_settle_delay_or_the_poll_interval_are_pending_not_drift() {
    // Arrange: a synced pair whose pull polls every 30 s, so a change seen by the query but
    // younger than settle delay + poll interval may not be applied yet.
    let mut pair = synced_pair().await;
    pair.settings.sync.pull.poll_interval_secs = 30;
    // Changed just now: the query leaves it out for its settle delay (1 s here).
    pair.advance(&code(1), 9, local_minutes_ago(0), "Đã có kết quả")
        .await;
    // New just now: not in the read model yet.
    pair.insert(&code(4), 4, local_minutes_ago(0), &[]).await;
    // Changed a few seconds ago: the query returns it, the pull has not run since.
    let seconds_ago = local_minutes_ago(0) - chrono::Duration::seconds(5);
    pair.advance(&code(2), 9, seconds_ago, "Đã có kết quả")
        .await;
    // Real drift beside them: a dossier changed by hand in the read model.
    pair.target
        .client()
        .await
        .execute(
            "UPDATE dossiers SET status = 10 WHERE code = $1",
            &[&code(3)],
        )
        .await
        .expect("plant drift");

    // Act
    let (summary, lines) = pair.verify().await;

    // Assert: the three recent changes are named as pending, the drift as drift.
    let lines = differences(&lines);
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (line, n) in lines.iter().zip([1, 2]) {
        assert!(
            line.starts_with(&format!("{}: pending (version source ", code(n))),
            "{line}"
        );
    }
    let version_3 = pair.source_version(&code(3)).await;
    assert_eq!(
        lines[2],
        format!(
            "{}: differs (version source {version_3}, read model {version_3})",
            code(3)
        )
    );
    assert!(
        lines[3].starts_with(&format!(
            "{}: pending (version source 1, read model none;",
            code(4)
        )),
        "{}",
        lines[3]
    );
    assert_eq!(counts(&summary), (0, 0, 1, 0, 0, 3));
    assert_eq!(summary.differences(), 1);

    // Once the pull has applied them and the drift is gone, nothing is pending or different.
    pair.pull_once().await.expect("pull");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    pair.pull_once().await.expect("pull what settled");
    pair.target
        .client()
        .await
        .execute(
            "UPDATE dossiers SET status = 4 WHERE code = $1",
            &[&code(3)],
        )
        .await
        .expect("undo the drift");
    let (summary, lines) = pair.verify().await;
    assert_eq!(counts(&summary), (4, 0, 0, 0, 0, 0), "{lines:?}");
    pair.verify_command()
        .await
        .expect("no drift: exit status 0");
}

#[tokio::test]
async fn verify_that_cannot_compare_exits_2() {
    // Arrange
    let mut pair = synced_pair().await;

    // Act and assert: a source nobody listens on.
    pair.settings.sync.pull.source_url = Some(
        "postgres://tracuu@127.0.0.1:1/motcua?connect_timeout=2"
            .to_owned()
            .into(),
    );
    let error = pair.verify_command().await.expect_err("unreachable");
    assert_eq!(exit_code(&error, true), 2, "{error:#}");

    // Act and assert: a query the source refuses.
    pair.settings.sync.pull.source_url = Some(pair.source.url.clone().into());
    let query = std::fs::read_to_string(quick_settle_query())
        .expect("query")
        .replace("FROM ho_so h", "FROM ho_so_khong_co h");
    let file = std::env::temp_dir().join(format!("verify-{}.sql", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, query).expect("write query");
    pair.settings.sync.pull.query_file = Some(file.clone());
    let error = pair.verify_command().await.expect_err("malformed query");
    let _ = std::fs::remove_file(&file);
    assert_eq!(exit_code(&error, true), 2, "{error:#}");

    // Act and assert: the built binary, source unreachable.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tracuu"))
        .args(["sync", "verify"])
        .env("DATABASE_URL", &pair.target.url)
        .env(
            "TRACUU_SYNC__PULL__SOURCE_URL",
            "postgres://tracuu@127.0.0.1:1/motcua?connect_timeout=2",
        )
        .env("TRACUU_SYNC__PULL__QUERY_FILE", quick_settle_query())
        .env_remove("TRACUU_CONFIG")
        .output()
        .await
        .expect("run tracuu");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("could not compare the source with the read model"),
        "{stderr}"
    );
}

/// The status code instance `address` serves for dossier `code`, and where it served it from
/// (None: not found).
async fn served(http: &reqwest::Client, address: &str, code: &str) -> Option<(i64, String)> {
    let response = http
        .get(format!("{address}/api/v1/dossiers/{code}"))
        .send()
        .await
        .expect("lookup");
    if response.status().as_u16() == 404 {
        return None;
    }
    let body: serde_json::Value = response.json().await.expect("json");
    Some((
        body["status"]["code"].as_i64().expect("status"),
        body["served_from"].as_str().unwrap_or_default().to_owned(),
    ))
}

/// Waits until instance `address` serves dossier `code` with status `expected` (None: not found),
/// from its cache when `from_cache` (a cached dossier refreshed, not dropped and read again).
async fn wait_until_served(
    http: &reqwest::Client,
    address: &str,
    code: &str,
    expected: Option<i64>,
    from_cache: bool,
) {
    let started = Instant::now();
    loop {
        let seen = served(http, address, code).await;
        if seen.as_ref().map(|s| s.0) == expected {
            if let (Some((_, from)), true) = (seen, from_cache) {
                assert_eq!(from, "cache", "{code}");
            }
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{code}: {seen:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn repair_fixes_edited_deleted_and_extra_rows_on_every_instance_and_a_dry_run_changes_nothing(
) {
    // Arrange: a synced pair (and a fourth dossier later deleted in the source), two instances
    // serving the read model.
    let pair = synced_pair().await;
    pair.insert(&code(4), 4, local_minutes_ago(50), &[]).await;
    pair.pull_once().await.expect("pull");
    pair.source
        .client()
        .await
        .execute("DELETE FROM ho_so WHERE ma_ho_so = $1", &[&code(4)])
        .await
        .expect("deleted in the source");
    let first = start(test_settings(), &pair.target.url).await;
    let second = start(test_settings(), &pair.target.url).await;
    let http = http_client();
    // Drift in the read model, recorded as a change so that both instances cache it: dossier 1
    // edited at the same version, dossier 3 edited with a version above the source's, dossier 2
    // deleted.
    let mut target = pair.target.client().await;
    let edit = target.transaction().await.expect("transaction");
    edit.batch_execute(&format!(
        "UPDATE dossiers SET status = 10 WHERE code = '{one}';
         UPDATE dossiers SET status = 10, version = version + 100 WHERE code = '{three}';
         DELETE FROM dossiers WHERE code = '{two}';",
        one = code(1),
        two = code(2),
        three = code(3)
    ))
    .await
    .expect("plant drift");
    tracuu::db::sync::notify_changes(&edit, "hand-edit", &[code(1), code(2), code(3)])
        .await
        .expect("announce it");
    edit.commit().await.expect("commit");
    for address in [&first, &second] {
        wait_until_served(&http, address, &code(1), Some(10), true).await;
        wait_until_served(&http, address, &code(2), None, false).await;
        wait_until_served(&http, address, &code(3), Some(10), true).await;
        wait_until_served(&http, address, &code(4), Some(4), true).await;
    }
    let drifted = pair.target_state().await;
    let (version_1, version_2, version_3) = (
        pair.source_version(&code(1)).await,
        pair.source_version(&code(2)).await,
        pair.source_version(&code(3)).await,
    );

    // Act: the dry run.
    let (summary, lines) = pair.sync_repair(true).await;

    // Assert: it says what it would do, and changes nothing.
    assert_eq!(
        differences(&lines),
        [
            format!(
                "{}: differs (version source {version_1}, read model {version_1}): would re-apply",
                code(1)
            ),
            format!("{}: missing in read model: would apply", code(2)),
            format!(
                "{}: differs (version source {version_3}, read model {}): would re-apply",
                code(3),
                version_3 + 100
            ),
            format!("{}: not in source: would delete", code(4)),
        ]
    );
    assert_eq!((summary.repaired, summary.remaining()), (0, 4));
    assert!(
        lines[lines.len() - 1].ends_with("; dry run: 4 would be repaired"),
        "{lines:?}"
    );
    assert_eq!(pair.target_state().await, drifted);
    assert_eq!(
        served(&http, &second, &code(1)).await.map(|s| s.0),
        Some(10)
    );

    // Act: the repair.
    let (summary, lines) = pair.sync_repair(false).await;

    // Assert: what it did, line by line; the read model equals the source.
    assert_eq!(
        differences(&lines),
        [
            format!(
                "{}: differs (version source {version_1}, read model {version_1}): re-applied",
                code(1)
            ),
            format!("{}: missing in read model: applied", code(2)),
            format!(
                "{}: differs (version source {version_3}, read model {}): re-applied",
                code(3),
                version_3 + 100
            ),
            format!("{}: not in source: deleted", code(4)),
        ]
    );
    assert_eq!((summary.repaired, summary.remaining()), (4, 0));
    assert_eq!(pair.target_state().await, pair.source_state().await);
    let (summary, lines) = pair.verify().await;
    assert_eq!(counts(&summary), (3, 0, 0, 0, 0, 0), "{lines:?}");
    assert_eq!(version_2, pair.target_state().await[1].1);

    // Both instances serve the source's dossiers from their refreshed caches.
    for address in [&first, &second] {
        wait_until_served(&http, address, &code(1), Some(4), true).await;
        // Not cached since it was deleted by hand: read from the database, with the source's data.
        wait_until_served(&http, address, &code(2), Some(4), false).await;
        wait_until_served(&http, address, &code(3), Some(4), true).await;
        wait_until_served(&http, address, &code(4), None, false).await;
    }
}
