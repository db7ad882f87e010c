//! `tracuu sync pull` (docs/channels/sync.md): for installations where the main store cannot push, read
//! changed dossiers from its PostgreSQL through the configured query, in batches after the stored
//! watermark, and apply each batch through [`SyncService`], the very path pushed batches take
//! (same mapping, validation, version rule, notifications). The batch's last watermark is stored
//! in the batch's own transaction, so after a crash the next run resumes exactly after the last
//! committed batch: nothing lost, nothing applied twice. Refused rows are logged and skipped.
//!
//! Follow mode (the default) polls forever, reconnecting with back-off; `--once` stops at the
//! first empty batch (cron). Overlapping runs are safe: the version rule makes a repeated batch a
//! no-op, so at worst work is repeated.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::Pool;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{Map, Value};

use super::service::{BatchItem, BatchReport, SyncService, Watermark};
use super::snapshot::DossierPayload;
use crate::config::{CacheSettings, Settings};
use crate::db;
use crate::db::health::DbHealth;
use crate::db::shared::SharedClients;
use crate::db::source::{ColumnKind, SourceRow, WATERMARK_COLUMN};
use crate::lookup::cache::DossierCache;
use crate::lookup::guard::Guard;
use crate::lookup::LookupService;
use crate::telemetry::Metrics;

/// How long to wait for the source to accept a connection.
const SOURCE_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// First and longest wait after a failure in follow mode.
const MIN_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The fields of a pushed snapshot ([`DossierPayload`]), which the pull query's columns must be
/// named after: (name, kind, required). A unit test keeps this list equal to the struct.
const PAYLOAD_FIELDS: &[(&str, ColumnKind, bool)] = &[
    ("code", ColumnKind::Text, true),
    ("version", ColumnKind::Integer, true),
    ("procedure_code", ColumnKind::Text, true),
    ("receiving_agency_code", ColumnKind::Text, true),
    ("handling_agency_code", ColumnKind::Text, true),
    ("channel", ColumnKind::Integer, true),
    ("status", ColumnKind::Integer, true),
    ("applicant_name", ColumnKind::Text, true),
    ("applicant_phone", ColumnKind::Text, false),
    ("received_at", ColumnKind::Time, true),
    ("due_at", ColumnKind::Time, false),
    ("finished_at", ColumnKind::Time, false),
    ("returned_at", ColumnKind::Time, false),
    ("supplement_count", ColumnKind::Integer, false),
    ("supplement_requested_at", ColumnKind::Time, false),
    ("supplement_seconds", ColumnKind::Integer, false),
    ("supplement_request", ColumnKind::Text, false),
    ("updated_at", ColumnKind::Time, true),
    ("events", ColumnKind::Json, false),
    ("fee_amount_vnd", ColumnKind::Integer, false),
    ("fee_payment_place", ColumnKind::Text, false),
    ("citizen_due_at", ColumnKind::Time, false),
];

/// What a pull run did, over all its batches.
#[derive(Debug, Default, Clone, Serialize)]
pub struct PullSummary {
    /// Batches committed.
    pub batches: u64,
    pub received: u64,
    pub applied: u64,
    pub stale: u64,
    /// Rows refused (unreadable, invalid or naming something not in the catalog), then skipped.
    pub invalid: u64,
    /// Rows found committed behind the watermark after the pull had passed them, applied late.
    pub late: u64,
    /// The stored watermark at the end.
    pub watermark: String,
}

impl PullSummary {
    fn add(&mut self, report: &BatchReport) {
        self.batches += 1;
        self.received += report.received as u64;
        self.applied += report.applied as u64;
        self.stale += report.stale as u64;
        self.invalid += report.invalid as u64;
    }
}

/// The pull query does not keep its contract (deploy/pull/query.sql): retrying cannot help.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct QueryContractError(String);

/// The pull settings, checked, with the query read from its file.
#[derive(Debug, Clone)]
pub(crate) struct PullSource {
    url: String,
    query: String,
    pub(crate) name: String,
    pub(crate) batch_size: i64,
    pub(crate) initial_watermark: String,
    pub(crate) poll_interval: Duration,
    /// How far back the source is read again for rows committed behind the watermark (zero: never).
    late_rows_lookback: Duration,
    /// Read back every this many idle polls.
    late_rows_check_every: u64,
    /// The query's settle delay, as configured (`TRACUU_SYNC__PULL__SETTLE_SECS`).
    pub(crate) settle: Duration,
}

impl PullSource {
    /// Reads `settings.sync.pull`, naming the variable that is missing.
    pub(crate) fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let pull = &settings.sync.pull;
        let url = pull
            .source_url
            .as_ref()
            .map(|url| url.expose_secret().to_owned())
            .filter(|url| !url.trim().is_empty())
            .context(
                "TRACUU_SYNC__PULL__SOURCE_URL is not set: which PostgreSQL should be read?",
            )?;
        let file = pull.query_file.as_ref().context(
            "TRACUU_SYNC__PULL__QUERY_FILE is not set: which query reads the source? \
             (example: deploy/pull/query.sql)",
        )?;
        let query = std::fs::read_to_string(file).with_context(|| {
            format!(
                "cannot read the pull query {} (TRACUU_SYNC__PULL__QUERY_FILE)",
                file.display()
            )
        })?;
        anyhow::ensure!(
            !pull.source_name.trim().is_empty(),
            "TRACUU_SYNC__PULL__SOURCE_NAME must not be empty"
        );
        Ok(Self {
            url,
            query,
            name: pull.source_name.clone(),
            batch_size: pull.batch_size,
            initial_watermark: pull.initial_watermark.clone(),
            poll_interval: Duration::from_secs(pull.poll_interval_secs.max(1)),
            late_rows_lookback: Duration::from_secs(pull.late_rows_lookback_secs),
            late_rows_check_every: pull.late_rows_check_every.max(1),
            settle: Duration::from_secs(pull.settle_secs),
        })
    }

    /// Connects (read-only) and checks the query's parameters and columns before anything runs.
    pub(crate) async fn open(&self) -> anyhow::Result<deadpool_postgres::Object> {
        let client = db::source::connect_source(&self.url, SOURCE_CONNECT_TIMEOUT).await?;
        let columns = db::source::describe_query(&client, &self.query)
            .await
            .context("the pull query (TRACUU_SYNC__PULL__QUERY_FILE) is refused by the source")?;
        check_columns(&columns)?;
        Ok(client)
    }

    /// The rows after `watermark`, at most one batch. Refuses a batch that does not move the
    /// watermark (the query would return it forever).
    pub(crate) async fn next_rows(
        &self,
        client: &deadpool_postgres::Object,
        watermark: &str,
    ) -> anyhow::Result<Vec<SourceRow>> {
        let rows = db::source::list_changes(client, &self.query, watermark, self.batch_size)
            .await
            .context("the pull query failed on the source")?;
        if rows.last().is_some_and(|row| row.watermark == watermark) {
            return Err(QueryContractError(format!(
                "the pull query returned rows at the watermark it was given ({watermark}); it must \
                 return only rows after $1"
            ))
            .into());
        }
        Ok(rows)
    }
}

/// Checks the query's columns against [`PAYLOAD_FIELDS`]: a misnamed, missing or mistyped column
/// would otherwise make every row fail and be skipped.
fn check_columns(columns: &[(String, ColumnKind)]) -> Result<(), QueryContractError> {
    let fail = |message: String| Err(QueryContractError(message));
    let mut seen = std::collections::HashSet::new();
    for (name, kind) in columns {
        if !seen.insert(name.as_str()) {
            return fail(format!("the pull query returns the column {name} twice"));
        }
        if name == WATERMARK_COLUMN {
            if *kind != ColumnKind::Text {
                return fail(format!(
                    "the pull query's {WATERMARK_COLUMN} column must be text; cast it"
                ));
            }
            continue;
        }
        let Some((_, expected, _)) = PAYLOAD_FIELDS.iter().find(|(field, _, _)| field == name)
        else {
            return fail(format!(
                "the pull query returns a column {name}, which is not a snapshot field; \
                 expected columns: {WATERMARK_COLUMN}, {}",
                PAYLOAD_FIELDS
                    .iter()
                    .map(|(field, _, _)| *field)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        if kind != expected {
            let wanted = match expected {
                ColumnKind::Text => "text",
                ColumnKind::Integer => "an integer (smallint, integer or bigint)",
                ColumnKind::Time => "timestamptz (convert local times with AT TIME ZONE)",
                ColumnKind::Json => "json (an array of steps)",
                ColumnKind::Other(_) => "something else",
            };
            let got = match kind {
                ColumnKind::Text => "text",
                ColumnKind::Integer => "an integer",
                ColumnKind::Time => "timestamptz",
                ColumnKind::Json => "json",
                ColumnKind::Other(ty) => ty.as_str(),
            };
            return fail(format!(
                "the pull query's column {name} is {got}; it must be {wanted}"
            ));
        }
    }
    if !seen.contains(WATERMARK_COLUMN) {
        return fail(format!(
            "the pull query returns no {WATERMARK_COLUMN} column (the value to resume after)"
        ));
    }
    for (field, _, required) in PAYLOAD_FIELDS {
        if *required && !seen.contains(field) {
            return fail(format!(
                "the pull query returns no {field} column, which every snapshot needs"
            ));
        }
    }
    Ok(())
}

/// Maps a source row to a snapshot exactly as the push endpoint maps a JSON item; a row that
/// does not fit becomes an `Err` item, like an unparseable pushed item. Quoted values are cut
/// out of the reason, since they could be a name or a phone number and the reason is logged.
pub(crate) fn to_item(fields: Map<String, Value>) -> BatchItem {
    serde_json::from_value::<DossierPayload>(Value::Object(fields))
        .map_err(|error| redact_quoted(&error.to_string()))
}

/// The row's code as sent, for log lines about a row that may not parse.
pub(crate) fn raw_code(fields: &Map<String, Value>) -> Option<String> {
    fields
        .get("code")
        .and_then(Value::as_str)
        .map(|code| code.trim().chars().take(64).collect())
}

/// Replaces the contents of every double-quoted part of `text` with `…`.
fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…");
            }
            if inside {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// A [`SyncService`] for a command-line run: the target pool, no lookup cache (there is no server
/// to serve from it; running servers refresh theirs from the change notifications).
pub(crate) fn standalone_service(
    settings: &Settings,
    connection: &str,
    metrics: Arc<Metrics>,
) -> anyhow::Result<(Pool, SyncService)> {
    let pool = db::build_pool(connection, &settings.database)?;
    let cache = DossierCache::new(&CacheSettings {
        enabled: false,
        ..settings.cache.clone()
    });
    let lookup = Arc::new(LookupService::new(
        pool.clone(),
        SharedClients::new(pool.clone(), settings.database.read_lanes),
        cache,
        Arc::new(DbHealth::default()),
        Guard::new(&settings.rate_limit),
        Arc::clone(&metrics),
    ));
    let notices = crate::notify::status_changes::StatusNotices::from_settings(settings)?;
    Ok((
        pool.clone(),
        SyncService::new(pool, lookup, metrics).with_status_notices(notices),
    ))
}

/// True for failures that retrying cannot fix: a query that breaks the contract, SQL the server
/// refuses (syntax, missing table, permission: SQLSTATE class 42) or a watermark it cannot read
/// (class 22).
fn is_permanent(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<QueryContractError>()
            || cause
                .downcast_ref::<tokio_postgres::Error>()
                .and_then(tokio_postgres::Error::code)
                .is_some_and(|code| {
                    let code = code.code();
                    code.starts_with("42") || code.starts_with("22")
                })
    })
}

/// Runs the pull against the read model at `target_connection` (already migrated): once through
/// the changes when `once`, else forever.
pub async fn pull(
    settings: &Settings,
    target_connection: &str,
    once: bool,
) -> anyhow::Result<PullSummary> {
    pull_counted(settings, target_connection, once, Metrics::new()?).await
}

/// [`pull`], counting in `metrics`.
pub async fn pull_counted(
    settings: &Settings,
    target_connection: &str,
    once: bool,
    metrics: Arc<Metrics>,
) -> anyhow::Result<PullSummary> {
    let source = PullSource::from_settings(settings)?;
    let (pool, sync) = standalone_service(settings, target_connection, metrics)?;
    if let (Some(address), false) = (settings.sync.pull.metrics_address, once) {
        let bound = crate::telemetry::export(address, Arc::clone(sync.metrics()))
            .context("TRACUU_SYNC__PULL__METRICS_ADDRESS")?;
        tracing::info!("pull metrics on http://{bound}/metrics");
    }
    let mut puller = Puller {
        source,
        pool,
        sync,
        client: None,
    };
    let mut summary = PullSummary::default();
    let mut backoff = MIN_BACKOFF;
    let mut idle_polls: u64 = 0;
    tracing::info!(
        sync.source = %puller.source.name,
        "pulling from source {} ({})",
        puller.source.name,
        if once { "once" } else { "following" }
    );
    loop {
        let step = match puller.next_batch().await {
            Ok(Some(report)) => {
                summary.add(&report);
                backoff = MIN_BACKOFF;
                continue;
            }
            // Caught up: now and then (at the end with --once), look behind the watermark.
            Ok(None) => {
                let due = once || idle_polls.is_multiple_of(puller.source.late_rows_check_every);
                idle_polls += 1;
                if due && !puller.source.late_rows_lookback.is_zero() {
                    puller
                        .apply_late_rows()
                        .await
                        .map(|late| summary.late += late)
                } else {
                    Ok(())
                }
            }
            Err(error) => Err(error),
        };
        match step {
            Ok(()) if once => break,
            Ok(()) => tokio::time::sleep(puller.source.poll_interval).await,
            Err(error) if once || is_permanent(&error) => return Err(error),
            Err(error) => {
                tracing::warn!(
                    sync.source = %puller.source.name,
                    "pull from {} failed, retrying in {:.1} s: {error:#}",
                    puller.source.name,
                    backoff.as_secs_f64()
                );
                puller.client = None;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    summary.watermark = puller.watermark().await?;
    tracing::info!(
        sync.source = %puller.source.name,
        sync.applied = summary.applied,
        "pull from {} done: {} batches, {} rows, {} applied, {} stale, {} refused, {} late; watermark {}",
        puller.source.name,
        summary.batches,
        summary.received,
        summary.applied,
        summary.stale,
        summary.invalid,
        summary.late,
        summary.watermark
    );
    Ok(summary)
}

struct Puller {
    source: PullSource,
    pool: Pool,
    sync: SyncService,
    /// The source connection; re-opened after a failure.
    client: Option<deadpool_postgres::Object>,
}

impl Puller {
    /// The stored watermark, or the configured initial one.
    async fn watermark(&self) -> anyhow::Result<String> {
        let client = self
            .pool
            .get()
            .await
            .context("cannot connect to the read model")?;
        Ok(db::sync::find_watermark(&client, &self.source.name)
            .await?
            .unwrap_or_else(|| self.source.initial_watermark.clone()))
    }

    /// Reads and applies one batch; `None` when the source has nothing after the watermark.
    async fn next_batch(&mut self) -> anyhow::Result<Option<BatchReport>> {
        // Read from the database every time: the stored value is the only truth about what
        // committed, whatever happened to an earlier attempt.
        let watermark = self.watermark().await?;
        let client = match self.client.take() {
            Some(client) => client,
            None => self.source.open().await?,
        };
        let rows = self.source.next_rows(&client, &watermark).await?;
        self.client = Some(client);
        let Some(last) = rows.last().map(|row| row.watermark.clone()) else {
            return Ok(None);
        };
        if !self.source.late_rows_lookback.is_zero() {
            // Where the watermark stood before this batch, for looking behind it later.
            let target = self
                .pool
                .get()
                .await
                .context("cannot connect to the read model")?;
            db::sync::mark_watermark(&target, &self.source.name, &watermark).await?;
        }
        let mut codes = Vec::with_capacity(rows.len());
        let items: Vec<BatchItem> = rows
            .into_iter()
            .map(|row| {
                codes.push(raw_code(&row.fields));
                to_item(row.fields)
            })
            .collect();
        let report = self
            .sync
            .apply_with(
                items,
                None,
                Some(Watermark {
                    source: &self.source.name,
                    value: &last,
                }),
            )
            .await
            .map_err(anyhow::Error::from)
            .context("applying a pulled batch failed; its watermark was not stored")?;
        for refused in &report.errors {
            let code = refused
                .code
                .clone()
                .or_else(|| codes.get(refused.index).cloned().flatten())
                .unwrap_or_else(|| "(no code)".to_owned());
            tracing::warn!(
                sync.source = %self.source.name,
                dossier.code = %code,
                sync.field = %refused.field,
                "pull from {} skipped dossier {code}: {}: {}",
                self.source.name,
                refused.field,
                refused.reason
            );
        }
        tracing::info!(
            sync.source = %self.source.name,
            sync.received = report.received,
            sync.applied = report.applied,
            "pulled {} rows from {}: {} applied, {} stale, {} refused; watermark {last}",
            report.received,
            self.source.name,
            report.applied,
            report.stale,
            report.invalid
        );
        Ok(Some(report))
    }
}

/// A source row as the read model would store it: its code (as stored), version and snapshot;
/// `None` when it does not parse or validate.
fn checked(
    fields: Map<String, Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<(String, i64, DossierPayload)> {
    let payload = to_item(fields).ok()?;
    let dossier = payload.validate(now).ok()?;
    Some((dossier.code.as_str().to_owned(), dossier.version, payload))
}

/// A source row read behind the watermark whose version is newer than the read model's.
struct LateRow {
    code: String,
    item: BatchItem,
}

impl Puller {
    /// Reads the source again from where the watermark stood `late_rows_lookback` ago up to where
    /// it stands now, and applies the rows newer than the read model's: rows whose source
    /// transaction committed after the pull had passed their change time (longer than the
    /// query's settle delay). Each is logged by its code and counted; returns how many were
    /// applied. Rows after the current watermark are left to the next batch.
    async fn apply_late_rows(&mut self) -> anyhow::Result<u64> {
        let current = self.watermark().await?;
        let from = {
            let target = self
                .pool
                .get()
                .await
                .context("cannot connect to the read model")?;
            db::sync::watermark_marked_before(
                &target,
                &self.source.name,
                self.source.late_rows_lookback.as_secs_f64(),
            )
            .await?
        };
        let Some(from) = from.filter(|from| *from != current) else {
            return Ok(0);
        };
        let client = match self.client.take() {
            Some(client) => client,
            None => self.source.open().await?,
        };
        let late = self.late_rows(&client, &from, &current).await;
        self.client = Some(client);
        let late = late?;
        if late.is_empty() {
            return Ok(0);
        }
        let codes: Vec<String> = late.iter().map(|row| row.code.clone()).collect();
        let report = self
            .sync
            .apply_with(late.into_iter().map(|row| row.item).collect(), None, None)
            .await
            .map_err(anyhow::Error::from)
            .context("applying rows found behind the watermark failed")?;
        let not_applied: std::collections::HashSet<usize> = report
            .errors
            .iter()
            .map(|e| e.index)
            .chain(report.stale_items.iter().map(|s| s.index))
            .collect();
        for (index, code) in codes.iter().enumerate() {
            if not_applied.contains(&index) {
                continue;
            }
            tracing::warn!(
                sync.source = %self.source.name,
                dossier.code = %code,
                "pull from {} found dossier {code} committed behind its watermark (a source \
                 transaction longer than the settle delay) and applied it late",
                self.source.name
            );
        }
        let applied = report.applied as u64;
        self.sync.metrics().sync_late_rows.inc_by(applied);
        Ok(applied)
    }

    /// The rows after `from` and not after `current` whose version is newer than the read
    /// model's (or that it lacks), read batch by batch.
    async fn late_rows(
        &self,
        client: &deadpool_postgres::Object,
        from: &str,
        current: &str,
    ) -> anyhow::Result<Vec<LateRow>> {
        let target = self
            .pool
            .get()
            .await
            .context("cannot connect to the read model")?;
        let now = chrono::Utc::now();
        let mut found: Vec<LateRow> = Vec::new();
        let mut cursor = from.to_owned();
        let mut reached = false;
        while !reached {
            let rows = self.source.next_rows(client, &cursor).await?;
            let Some(last) = rows.last().map(|row| row.watermark.clone()) else {
                break;
            };
            let end_of_source = (rows.len() as i64) < self.source.batch_size;
            let mut batch = Vec::with_capacity(rows.len());
            for row in rows {
                if row.watermark == current {
                    reached = true;
                    break;
                }
                // A row the pull refused is left alone here: it was logged when it was met.
                if let Some(checked) = checked(row.fields, now) {
                    batch.push(checked);
                }
            }
            let codes: Vec<&str> = batch.iter().map(|(code, _, _)| code.as_str()).collect();
            let stored = db::sync::list_versions(&target, &codes).await?;
            found.extend(
                batch
                    .into_iter()
                    .filter(|(code, version, _)| stored.get(code).is_none_or(|v| version > v))
                    .map(|(code, _, payload)| LateRow {
                        code,
                        item: Ok(payload),
                    }),
            );
            if end_of_source {
                break;
            }
            cursor = last;
        }
        if !reached && !found.is_empty() {
            // The row at the current watermark has changed since (it moved on) or is gone, so the
            // read went past it: what lies after the current watermark is the next batch's.
            let mut ahead = std::collections::HashSet::new();
            let mut cursor = current.to_owned();
            loop {
                let rows = self.source.next_rows(client, &cursor).await?;
                let Some(last) = rows.last().map(|row| row.watermark.clone()) else {
                    break;
                };
                let end_of_source = (rows.len() as i64) < self.source.batch_size;
                ahead.extend(
                    rows.into_iter()
                        .filter_map(|row| checked(row.fields, now).map(|(code, _, _)| code)),
                );
                if end_of_source {
                    break;
                }
                cursor = last;
            }
            found.retain(|row| !ahead.contains(&row.code));
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_payload() -> Map<String, Value> {
        let value = serde_json::json!({
            "code": "000.00.16.H48-261116-0501", "version": 1, "procedure_code": "1.001193",
            "receiving_agency_code": "000.00.16.H48", "handling_agency_code": "000.00.16.H48",
            "channel": 1, "status": 4, "applicant_name": "Trần Thị Bích Ngọc",
            "applicant_phone": "0987654321", "received_at": "2026-11-16T01:30:00Z",
            "due_at": "2026-11-30T09:00:00Z", "finished_at": "2026-11-17T01:30:00Z",
            "returned_at": "2026-11-18T01:30:00Z", "supplement_count": 0,
            "supplement_requested_at": "2026-11-16T02:30:00Z", "supplement_seconds": 0,
            "supplement_request": "Bản sao giấy khai sinh", "updated_at": "2026-11-18T01:30:00Z",
            "events": []
        });
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn the_field_list_is_exactly_the_snapshot_struct() {
        // serde names every accepted field when it meets an unknown one.
        let mut fields = full_payload();
        fields.insert("not_a_field".into(), Value::Null);
        let error = to_item(fields).expect_err("unknown field");
        for (field, _, _) in PAYLOAD_FIELDS {
            assert!(error.contains(&format!("`{field}`")), "{field} in {error}");
        }
        assert_eq!(error.matches('`').count(), 2 * (PAYLOAD_FIELDS.len() + 1));

        // Required means serde has no default for it.
        assert!(to_item(full_payload()).is_ok());
        for (field, _, required) in PAYLOAD_FIELDS {
            let mut fields = full_payload();
            fields.remove(*field);
            assert_eq!(to_item(fields).is_err(), *required, "{field}");
        }
    }

    #[test]
    fn quoted_values_never_reach_a_refusal_reason() {
        let mut fields = full_payload();
        fields.insert("status".into(), Value::from("Trần Thị Bích Ngọc"));
        let reason = to_item(fields).expect_err("status as text");
        assert!(!reason.contains("Ngọc"), "{reason}");
        assert!(reason.contains("expected i16"), "{reason}");
        assert_eq!(
            redact_quoted(r#"a "secret" b "x""#),
            "a \"…\" b \"…\"".to_owned()
        );
    }

    #[test]
    fn a_query_with_a_wrong_shape_is_refused_with_the_column_named() {
        let good: Vec<(String, ColumnKind)> = PAYLOAD_FIELDS
            .iter()
            .map(|(name, kind, _)| ((*name).to_owned(), kind.clone()))
            .chain([(WATERMARK_COLUMN.to_owned(), ColumnKind::Text)])
            .collect();
        assert!(check_columns(&good).is_ok());

        let without = |name: &str| -> Vec<(String, ColumnKind)> {
            good.iter().filter(|(n, _)| n != name).cloned().collect()
        };
        let with = |name: &str, kind: ColumnKind| -> Vec<(String, ColumnKind)> {
            let mut columns = without(name);
            columns.push((name.to_owned(), kind));
            columns
        };
        let cases = [
            (without(WATERMARK_COLUMN), "watermark"),
            (without("status"), "status"),
            (with("id", ColumnKind::Integer), "id"),
            (
                with("received_at", ColumnKind::Other("timestamp".into())),
                "received_at is timestamp",
            ),
            (with("version", ColumnKind::Text), "version is text"),
        ];
        for (columns, needle) in cases {
            let error = check_columns(&columns).expect_err(needle).to_string();
            assert!(error.contains(needle), "{needle}: {error}");
        }
        // Optional fields may be left out.
        assert!(check_columns(&without("events")).is_ok());
    }
}
