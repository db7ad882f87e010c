//! Sync benchmark of tracuu, driven by `bench/sync.sh` (which builds, starts tracuu on a private
//! cluster holding the demo catalog, with every statement's duration logged, and stops it again).
//! Two phases, in one process so the 1,000,000 generated dossiers are made once:
//!
//! 1. `load`: 1,000,000 dossier snapshots with their timelines from the demo generator (another
//!    seed than the catalog's dossiers, so every code is new) are serialised into batches of
//!    1,000 before the clock starts. In each of 10 rounds, a tenth of them is pushed through
//!    `POST /sync/v1/dossiers` with a few requests in flight (`updated_at` is written into each
//!    batch, a fixed-width slot, and the batch signed when its request starts; every report must
//!    say all applied), and the same rows (dossiers and events, events numbered as the push
//!    stores them) are binary-`COPY`ed into `bench_dossiers`/`bench_events`, empty `LIKE ...
//!    INCLUDING ALL` copies of the real tables (same columns, defaults, checks and indexes;
//!    `LIKE` copies no foreign keys and no triggers), and, for information, into copies that also
//!    have the real tables' foreign keys. The order rotates per round, so push and COPY see the
//!    same machine (others share it) and the same table sizes. Prints dossiers/s, events/s,
//!    rows/s, the push/COPY ratio in dossiers/s, the CPU each process used and the PostgreSQL
//!    statements that took the time (from the cluster's statement log). The copies are dropped.
//! 2. `steady`: interleaved pairs of wrk windows (random lookups of existing codes at full load),
//!    one quiet and one with 1,000 updates/s (batches of 100 every 100 ms, open loop: a slow batch
//!    does not delay the next). Each update is a newer version of an open dossier from phase 1
//!    with a changed status and `updated_at` = the instant it is made. Lag is measured two ways:
//!    until the push response returns (after commit and this instance's cache refresh), for every
//!    update; and until a lookup on the same instance shows the new status, for a sample (polled).
//!    The throughput drop is one minus the median over pairs of (busy req/s / quiet req/s).
//!
//! Every figure is printed, appended as `key value` lines to `--records`, and a summary with the
//! targets is printed and written to `--results`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Parser;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use tokio_postgres::NoTls;

use tracuu::db::demo::{copy_dossiers, CopyTables};
use tracuu::demo::SHOWCASE_COUNT;
use tracuu::domain::WorkingCalendar;
use tracuu::domain::{Dossier, DossierEvent, Status};
use tracuu::sync::auth::sign;

#[derive(Debug, Parser)]
#[command(about = "Sync benchmark of tracuu (see bench/sync.sh)")]
struct Args {
    /// Base URL of the tracuu instance (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:18090")]
    url: String,
    /// Root of the private cluster (TRACUU_DATABASE__DATA_DIR): gives the socket and postmaster.
    #[arg(long)]
    data_dir: PathBuf,
    /// Database name on that cluster.
    #[arg(long, default_value = "tracuu")]
    dbname: String,
    /// Phases to run, in order: load (push ingest and raw COPY, interleaved), steady.
    #[arg(long, value_delimiter = ',', default_value = "load,steady")]
    phases: Vec<String>,
    /// Directory for the wrk paths file and raw output.
    #[arg(long, default_value = "var/bench-sync")]
    work: PathBuf,
    /// Raw figures, `key value` per line (appended).
    #[arg(long, default_value = "var/bench-sync/records.txt")]
    records: PathBuf,
    /// Where the summary is written as well as printed.
    #[arg(long, default_value = "var/bench-sync-results.txt")]
    results: PathBuf,
    /// Process id of tracuu, for CPU accounting.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Shared secret; read from this environment variable (never from the command line).
    #[arg(long, default_value = "BENCH_SYNC_SECRET")]
    secret_env: String,

    /// Dossiers to ingest.
    #[arg(long, default_value_t = 1_000_000)]
    dossiers: usize,
    /// Snapshots per push batch.
    #[arg(long, default_value_t = 1_000)]
    batch: usize,
    /// Push requests in flight during ingest.
    #[arg(long, default_value_t = 3)]
    in_flight: usize,
    /// Seed of the catalog (the province: agencies, procedures), as loaded by `demo-data`.
    #[arg(long, default_value_t = 1)]
    catalog_seed: u64,
    /// Seed of the pushed dossier stream (not the catalog's, so the codes are new).
    #[arg(long, default_value_t = 2)]
    seed: u64,
    /// Dossiers per COPY statement (as the demo loader).
    #[arg(long, default_value_t = 10_000)]
    copy_chunk: usize,
    /// Rounds of the load phase: each pushes its share of the dossiers and COPYs the same rows,
    /// so both see the same machine (others share it) and the same table sizes.
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Also COPY into copies that have the real tables' current foreign keys (what checking
    /// them costs).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    copy_fk: bool,

    /// Updates per second in the steady phase.
    #[arg(long, default_value_t = 1_000)]
    rate: usize,
    /// Updates per push in the steady phase.
    #[arg(long, default_value_t = 100)]
    steady_batch: usize,
    /// Interleaved pairs of wrk windows (quiet, with updates), order alternating.
    #[arg(long, default_value_t = 5)]
    pairs: usize,
    /// Seconds per wrk window.
    #[arg(long, default_value_t = 12)]
    window: u64,
    /// Updated codes per batch whose visibility through a lookup is polled.
    #[arg(long, default_value_t = 2)]
    probes_per_batch: usize,
    /// Poll interval of those lookups, in milliseconds.
    #[arg(long, default_value_t = 10)]
    probe_interval_ms: u64,
    /// wrk script (random path per request from a file).
    #[arg(long, default_value = "bench/paths.lua")]
    wrk_script: PathBuf,
    #[arg(long, default_value_t = 64)]
    wrk_connections: usize,
    #[arg(long, default_value_t = 1)]
    wrk_threads: usize,
    /// Distinct codes in the wrk paths file.
    #[arg(long, default_value_t = 100_000)]
    paths: usize,
}

// ---------------------------------------------------------------------------------------------
// Records and summary

#[derive(Default)]
struct Figures {
    values: BTreeMap<String, String>,
}

impl Figures {
    fn set(&mut self, records: &Path, key: &str, value: impl ToString) {
        let value = value.to_string();
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(records)
        {
            let _ = writeln!(f, "{key} {value}");
        }
        self.values.insert(key.to_owned(), value);
    }
    fn get(&self, key: &str) -> Option<f64> {
        self.values.get(key).and_then(|v| v.parse().ok())
    }
    fn text(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

fn log(msg: impl AsRef<str>) {
    eprintln!(
        "[bench-sync {}] {}",
        chrono::Local::now().format("%H:%M:%S"),
        msg.as_ref()
    );
}

/// `1234567.8` → `1,234,568`.
fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (so a missed target can say where the time went)

const CLK_TCK: f64 = 100.0;

fn proc_stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 2..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

/// (utime + stime, cutime + cstime) of a process, in seconds.
fn proc_cpu(pid: u32) -> Option<(f64, f64)> {
    let f = proc_stat_fields(pid)?;
    // After "pid (comm) ": state is index 0, so utime (field 14) is index 11.
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    Some(((n(11) + n(12)) / CLK_TCK, (n(13) + n(14)) / CLK_TCK))
}

/// The postmaster and all its live children, with what exited children left in the postmaster.
fn postgres_cpu(postmaster: Option<u32>) -> f64 {
    let Some(pm) = postmaster else { return 0.0 };
    let mut total = proc_cpu(pm).map_or(0.0, |(own, children)| own + children);
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(f) = proc_stat_fields(pid) {
                if f.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(pm) {
                    total += proc_cpu(pid).map_or(0.0, |(own, _)| own);
                }
            }
        }
    }
    total
}

/// (busy, total) jiffies of the whole machine.
fn machine_cpu() -> (f64, f64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = text.lines().next().unwrap_or("");
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let g = |i: usize| v.get(i).copied().unwrap_or(0.0);
    let busy = g(0) + g(1) + g(2) + g(5) + g(6) + g(7);
    (busy / CLK_TCK, (busy + g(3) + g(4)) / CLK_TCK)
}

#[derive(Clone, Copy)]
struct CpuSnap {
    at: Instant,
    server: f64,
    postgres: f64,
    client: f64,
    machine_busy: f64,
}

struct Cpu {
    server: Option<u32>,
    postmaster: Option<u32>,
}

impl Cpu {
    fn snap(&self) -> CpuSnap {
        CpuSnap {
            at: Instant::now(),
            server: self
                .server
                .and_then(proc_cpu)
                .map_or(0.0, |(own, children)| own + children),
            postgres: postgres_cpu(self.postmaster),
            client: proc_cpu(std::process::id()).map_or(0.0, |(own, _)| own),
            machine_busy: machine_cpu().0,
        }
    }
}

/// CPU seconds used between snapshots; the stretches of one kind of work add up.
#[derive(Debug, Default, Clone, Copy)]
struct CpuUse {
    wall: f64,
    server: f64,
    postgres: f64,
    client: f64,
    other: f64,
}

impl CpuUse {
    fn between(a: CpuSnap, b: CpuSnap) -> Self {
        let server = b.server - a.server;
        let postgres = b.postgres - a.postgres;
        let client = b.client - a.client;
        Self {
            wall: (b.at - a.at).as_secs_f64(),
            server,
            postgres,
            client,
            other: (b.machine_busy - a.machine_busy - server - postgres - client).max(0.0),
        }
    }

    fn add(&mut self, o: CpuUse) {
        self.wall += o.wall;
        self.server += o.server;
        self.postgres += o.postgres;
        self.client += o.client;
        self.other += o.other;
    }

    /// Records the figures under `prefix` and describes them.
    fn report(&self, figures: &mut Figures, records: &Path, prefix: &str) -> String {
        for (key, value) in [
            ("cpu_wall_s", self.wall),
            ("cpu_tracuu_s", self.server),
            ("cpu_postgres_s", self.postgres),
            ("cpu_client_s", self.client),
            ("cpu_other_s", self.other),
            ("cpu_other_cores", self.other / self.wall.max(1e-9)),
        ] {
            figures.set(records, &format!("{prefix}.{key}"), format!("{value:.2}"));
        }
        let cores = |s: f64| s / self.wall.max(1e-9);
        format!(
            "CPU over {:.1} s wall (2 cores = {:.0} CPU-s): tracuu {:.1} s ({:.2} cores), \
             postgres {:.1} s ({:.2}), this client {:.1} s ({:.2}), other processes {:.1} s ({:.2})",
            self.wall,
            2.0 * self.wall,
            self.server,
            cores(self.server),
            self.postgres,
            cores(self.postgres),
            self.client,
            cores(self.client),
            self.other,
            cores(self.other)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Where PostgreSQL spends its time: bench/sync.sh sets `log_min_duration_statement = 0` on the
// bench cluster, so every statement's duration is in `<data dir>/postgres.log`.

fn server_log(root: &Path) -> PathBuf {
    root.join("postgres.log")
}

fn log_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Statement durations logged in the byte ranges `ranges` of the log, summed per statement
/// (prepared-statement names dropped, whitespace collapsed): (kind and statement, count, total ms),
/// largest total first. Also counts checkpoints that completed in those stretches.
fn statement_breakdown(path: &Path, ranges: &[(u64, u64)]) -> (Vec<(String, usize, f64)>, usize) {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        for &(from, to) in ranges {
            if f.seek(SeekFrom::Start(from)).is_ok() {
                let mut chunk = Vec::new();
                let _ = (&mut f)
                    .take(to.saturating_sub(from))
                    .read_to_end(&mut chunk);
                text.push_str(&String::from_utf8_lossy(&chunk));
                if !text.ends_with('\n') {
                    text.push('\n');
                }
            }
        }
    }
    let mut totals: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    let mut checkpoints = 0usize;
    let mut current: Option<(String, f64)> = None;
    let mut finish = |current: &mut Option<(String, f64)>| {
        if let Some((sql, ms)) = current.take() {
            let sql: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let key: String = sql.chars().take(100).collect();
            let entry = totals.entry(key).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 += ms;
        }
    };
    for line in text.lines() {
        let prefixed = line.len() > 20
            && line.as_bytes()[4] == b'-'
            && line.as_bytes()[7] == b'-'
            && line.as_bytes()[..4].iter().all(u8::is_ascii_digit);
        if !prefixed {
            if let Some((sql, _)) = current.as_mut() {
                sql.push(' ');
                sql.push_str(line);
            }
            continue;
        }
        finish(&mut current);
        if line.contains("checkpoint complete") {
            checkpoints += 1;
        }
        let Some(rest) = line.split_once("LOG:  duration: ").map(|(_, r)| r) else {
            continue;
        };
        let Some((ms, what)) = rest.split_once(" ms  ") else {
            continue;
        };
        let Ok(ms) = ms.parse::<f64>() else { continue };
        // "execute s12: SQL", "parse s3: SQL", "bind <unnamed>: SQL", "statement: SQL"
        let (kind, sql) = match what.split_once(": ") {
            Some((head, sql)) => (head.split_whitespace().next().unwrap_or(head), sql),
            None => ("?", what),
        };
        current = Some((format!("[{kind}] {sql}"), ms));
    }
    finish(&mut current);
    let mut out: Vec<(String, usize, f64)> =
        totals.into_iter().map(|(k, (n, ms))| (k, n, ms)).collect();
    out.sort_by(|a, b| b.2.total_cmp(&a.2));
    (out, checkpoints)
}

/// Logs and records the statement breakdown of a phase.
fn report_statements(
    args: &Args,
    figures: &mut Figures,
    prefix: &str,
    ranges: &[(u64, u64)],
    wall_s: f64,
    per: (&str, f64),
) {
    let (rows, checkpoints) = statement_breakdown(&server_log(&args.data_dir), ranges);
    if rows.is_empty() {
        log(format!(
            "{prefix}: no statement durations in {} (is log_min_duration_statement set?)",
            server_log(&args.data_dir).display()
        ));
        return;
    }
    let total_ms: f64 = rows.iter().map(|r| r.2).sum();
    log(format!(
        "{prefix}: PostgreSQL statement time {:.1} s over {wall_s:.1} s wall ({:.2} statements \
         busy on average), {checkpoints} checkpoints completed; largest:",
        total_ms / 1e3,
        total_ms / 1e3 / wall_s.max(1e-9)
    ));
    for (i, (sql, n, ms)) in rows.iter().take(10).enumerate() {
        log(format!(
            "    {:>8.1} s {:>5.1}%  {n:>7} x {:>8.2} ms = {:>7.1} ms per {}  {sql}",
            ms / 1e3,
            100.0 * ms / total_ms,
            ms / *n as f64,
            ms / per.1.max(1.0),
            per.0
        ));
        figures.set(
            &args.records,
            &format!("{prefix}.statement{}", i + 1),
            format!("{:.1}s {:.1}% n={n} {sql}", ms / 1e3, 100.0 * ms / total_ms),
        );
    }
    figures.set(
        &args.records,
        &format!("{prefix}.statement_s"),
        format!("{:.1}", total_ms / 1e3),
    );
    figures.set(&args.records, &format!("{prefix}.checkpoints"), checkpoints);
}

// ---------------------------------------------------------------------------------------------
// Database

/// The private cluster's socket directory, by the rule of src/db/local.rs (`socket_dir_for`).
fn socket_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let preferred = root.join("run");
    if preferred.as_os_str().len() + "/.s.PGSQL.5432.lock".len() < 100 {
        return Ok(preferred);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in root.as_os_str().as_encoded_bytes() {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3);
    }
    Ok(PathBuf::from(format!("/tmp/tracuu-pg-{hash:016x}")))
}

fn postmaster_pid(root: &Path) -> Option<u32> {
    std::fs::read_to_string(root.join("data/postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

async fn connect(args: &Args) -> anyhow::Result<tokio_postgres::Client> {
    let conn = format!(
        "host={} port=5432 user=postgres dbname={} application_name=bench_sync",
        socket_dir(&args.data_dir)?.display(),
        args.dbname
    );
    let (client, connection) = tokio_postgres::connect(&conn, NoTls)
        .await
        .with_context(|| format!("cannot connect to {conn}"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("bench_sync: database connection: {e}");
        }
    });
    Ok(client)
}

/// Refuses to measure a `tracuu` binary older than the migrations in the work tree: refinery
/// embeds `migrations/` at compile time, and cargo does not notice a new migration file, so a
/// binary built before one was added runs without it and silently measures an older schema.
async fn check_migrations(pg: &tokio_postgres::Client) -> anyhow::Result<()> {
    let files: Vec<String> = std::fs::read_dir("migrations")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.starts_with('V') && n.ends_with(".sql"))
                .collect()
        })
        .unwrap_or_default();
    let applied: Vec<String> = pg
        .query(
            "SELECT name FROM refinery_schema_history ORDER BY version",
            &[],
        )
        .await
        .context("reading refinery_schema_history")?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| {
            let name = f.trim_end_matches(".sql");
            let name = name.split_once("__").map_or(name, |(_, n)| n);
            !applied.iter().any(|a| a == name)
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "the database lacks migrations {missing:?}: target/release/tracuu was built before they \
             were added (cargo does not notice new files in migrations/); run `cargo clean \
             --release -p tracuu` and build again"
        );
    }
    log(format!(
        "schema: all {} migrations of the work tree applied",
        files.len()
    ));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// A snapshot as the main store sends it (docs/sync/dossier-snapshot.schema.json).
#[derive(Serialize)]
struct SnapshotOut<'a> {
    code: &'a str,
    version: i64,
    procedure_code: &'a str,
    receiving_agency_code: &'a str,
    handling_agency_code: &'a str,
    channel: i16,
    status: i16,
    applicant_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    applicant_phone: Option<&'a str>,
    received_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    returned_at: Option<DateTime<Utc>>,
    supplement_count: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplement_requested_at: Option<DateTime<Utc>>,
    supplement_seconds: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplement_request: Option<&'a str>,
    updated_at: &'a str,
    events: Vec<EventOut<'a>>,
}

#[derive(Serialize)]
struct EventOut<'a> {
    at: DateTime<Utc>,
    status: i16,
    step: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agency_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

fn snapshot<'a>(d: &'a Dossier, updated_at: &'a str) -> SnapshotOut<'a> {
    SnapshotOut {
        code: d.code.as_str(),
        version: d.version,
        procedure_code: d.procedure_code.as_str(),
        receiving_agency_code: d.receiving_agency_code.as_str(),
        handling_agency_code: d.handling_agency_code.as_str(),
        channel: d.channel.code(),
        status: d.status.code(),
        applicant_name: &d.applicant_name,
        applicant_phone: d.applicant_phone.as_ref().map(|p| p.e164()),
        received_at: d.received_at,
        due_at: d.due_at,
        finished_at: d.finished_at,
        returned_at: d.returned_at,
        supplement_count: d.supplement_count,
        supplement_requested_at: d.supplement_requested_at,
        supplement_seconds: d.supplement_seconds,
        supplement_request: d.supplement_request.as_deref(),
        updated_at,
        events: d
            .events
            .iter()
            .map(|e| EventOut {
                at: e.at,
                status: e.status.code(),
                step: &e.step,
                agency_code: e.agency_code.as_ref().map(|a| a.as_str()),
                note: e.note.as_deref(),
            })
            .collect(),
    }
}

/// Fixed-width `updated_at`, so it can be written into a serialised batch at send time.
const STAMP_PLACEHOLDER: &str = "1970-01-01T00:00:00.000000Z";

fn stamp(at: DateTime<Utc>) -> String {
    let s = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    debug_assert_eq!(s.len(), STAMP_PLACEHOLDER.len());
    s
}

/// A batch serialised ahead of time, with the byte offsets of its `updated_at` values.
struct PreBatch {
    body: Vec<u8>,
    stamps: Vec<usize>,
    dossiers: usize,
}

fn serialise_batch(chunk: &[Dossier]) -> anyhow::Result<PreBatch> {
    let needle = format!("\"updated_at\":\"{STAMP_PLACEHOLDER}\"");
    let mut body = Vec::with_capacity(chunk.len() * 2_048);
    let mut stamps = Vec::with_capacity(chunk.len());
    body.push(b'[');
    for (i, d) in chunk.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let start = body.len();
        serde_json::to_writer(&mut body, &snapshot(d, STAMP_PLACEHOLDER))?;
        let at = body[start..]
            .windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .context("updated_at not found in a serialised snapshot")?;
        stamps.push(start + at + "\"updated_at\":\"".len());
    }
    body.push(b']');
    Ok(PreBatch {
        body,
        stamps,
        dossiers: chunk.len(),
    })
}

/// What the push API answered (the fields we check).
#[derive(Debug, Deserialize)]
struct Report {
    received: usize,
    applied: usize,
    stale: usize,
    invalid: usize,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

struct Pusher {
    http: reqwest::Client,
    url: String,
    secret: String,
}

impl Pusher {
    /// Signs and posts one body; returns the report and when the response was complete.
    async fn push(&self, body: Vec<u8>) -> anyhow::Result<(Report, Instant)> {
        let ts = Utc::now().timestamp();
        let signature = sign(&self.secret, ts, &body);
        let response = self
            .http
            .post(format!("{}/sync/v1/dossiers", self.url))
            .header("content-type", "application/json")
            .header("x-tracuu-timestamp", ts.to_string())
            .header("x-tracuu-signature", signature)
            .body(body)
            .send()
            .await
            .context("POST /sync/v1/dossiers")?;
        let status = response.status();
        let bytes = response.bytes().await?;
        let done = Instant::now();
        if !status.is_success() {
            bail!(
                "push answered {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
            );
        }
        let report: Report = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "unexpected push answer: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
            )
        })?;
        Ok((report, done))
    }
}

// ---------------------------------------------------------------------------------------------
// /metrics

#[derive(Debug, Default, Clone, Copy)]
struct LagMetric {
    count: f64,
    sum: f64,
    le_1s: f64,
}

async fn scrape_lag(http: &reqwest::Client, url: &str) -> anyhow::Result<LagMetric> {
    let text = http
        .get(format!("{url}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    let mut m = LagMetric::default();
    for line in text.lines() {
        let value = |l: &str| {
            l.rsplit(' ')
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        if line.starts_with("tracuu_sync_lag_seconds_count") {
            m.count = value(line);
        } else if line.starts_with("tracuu_sync_lag_seconds_sum") {
            m.sum = value(line);
        } else if line.starts_with("tracuu_sync_lag_seconds_bucket{le=\"1\"}") {
            m.le_1s = value(line);
        }
    }
    Ok(m)
}

fn lag_delta(a: LagMetric, b: LagMetric) -> LagMetric {
    LagMetric {
        count: b.count - a.count,
        sum: b.sum - a.sum,
        le_1s: b.le_1s - a.le_1s,
    }
}

// ---------------------------------------------------------------------------------------------
// Generation

fn generate(args: &Args) -> Vec<Dossier> {
    let started = Instant::now();
    let province = tracuu::demo::province(args.catalog_seed);
    let calendar = WorkingCalendar::vietnam_default();
    let due = move |received: DateTime<Utc>, days: u32| calendar.add_working_days(received, days);
    // The stream opens with the SHOWCASE_COUNT showcase dossiers (code suffixes -9001 onwards, the
    // only ones that use them): skip them, so no pushed code can already exist.
    // The push stamps each snapshot's updated_at when it is sent; the raw COPY of the same rows
    // stores a time of this run too, not the generator's (the latest step's).
    let now = Utc::now();
    let dossiers: Vec<Dossier> = tracuu::demo::dossiers(
        &province,
        args.seed,
        args.dossiers + SHOWCASE_COUNT,
        tracuu::cli::demo_until(),
        &due,
    )
    .skip(SHOWCASE_COUNT)
    .map(|mut d| {
        d.source_updated_at = now;
        d
    })
    .collect();
    log(format!(
        "generated {} dossiers ({} events) with seed {} on the catalog of seed {} in {:.1} s",
        thousands(dossiers.len() as f64),
        thousands(dossiers.iter().map(|d| d.events.len()).sum::<usize>() as f64),
        args.seed,
        args.catalog_seed,
        started.elapsed().as_secs_f64()
    ));
    dossiers
}

// ---------------------------------------------------------------------------------------------
// Phase 1 (`load`): push ingest and raw COPY of the same rows, interleaved in rounds

/// Empty copies of the real tables: same columns, defaults (the lookup number too), checks and
/// indexes. `LIKE` copies neither foreign keys nor triggers.
const CREATE_COPIES: &str = "
CREATE TABLE bench_dossiers (LIKE dossiers INCLUDING ALL);
CREATE TABLE bench_events (LIKE dossier_events INCLUDING ALL)";

/// For `--copy-fk`: the same again, then the foreign keys the real tables have now are added
/// (read from the catalog), so the difference between the two COPY figures is what checking
/// them costs.
const CREATE_FK_COPIES: &str = "
CREATE TABLE bench_fk_dossiers (LIKE dossiers INCLUDING ALL);
CREATE TABLE bench_fk_events (LIKE dossier_events INCLUDING ALL)";

const LIST_FOREIGN_KEYS: &str = "SELECT conrelid::regclass::text, pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE contype = 'f' AND conrelid IN ('dossiers'::regclass, 'dossier_events'::regclass)
    ORDER BY 1, 2";

/// Gives the FK copies the real tables' foreign keys; returns their definitions.
async fn add_foreign_keys(pg: &tokio_postgres::Client) -> anyhow::Result<Vec<String>> {
    let mut added = Vec::new();
    for row in pg.query(LIST_FOREIGN_KEYS, &[]).await? {
        let table: String = row.get(0);
        let definition: String = row.get(1);
        let copy = if table == "dossiers" {
            "bench_fk_dossiers"
        } else {
            "bench_fk_events"
        };
        let definition =
            definition.replace("REFERENCES dossiers(", "REFERENCES bench_fk_dossiers(");
        pg.batch_execute(&format!("ALTER TABLE {copy} ADD {definition}"))
            .await?;
        added.push(format!("{table}: {definition}"));
    }
    Ok(added)
}

const DROP_COPIES: &str = "DROP TABLE IF EXISTS bench_events; DROP TABLE IF EXISTS bench_dossiers;
    DROP TABLE IF EXISTS bench_fk_events; DROP TABLE IF EXISTS bench_fk_dossiers";

/// Binary-COPYs `slice` (dossiers, then their events numbered from 0 as the push path stores
/// them) into the given tables in one transaction, `chunk` dossiers per COPY statement, with the
/// demo loader's statements.
async fn copy_rows(
    pg: &mut tokio_postgres::Client,
    tables: CopyTables,
    slice: &[Dossier],
    chunk: usize,
) -> anyhow::Result<(u64, u64)> {
    let tx = pg.transaction().await?;
    let (mut n_dossiers, mut n_events) = (0u64, 0u64);
    for part in slice.chunks(chunk.max(1)) {
        let (dossiers, events) = copy_dossiers(&tx, tables, part, 0).await?;
        n_dossiers += dossiers;
        n_events += events;
    }
    tx.commit().await?;
    Ok((n_dossiers, n_events))
}

#[derive(Default)]
struct PushStats {
    latencies: Vec<f64>,
    applied: usize,
    not_applied: Vec<String>,
}

/// Pushes pre-serialised batches with `in_flight` requests at a time; each batch gets its
/// `updated_at` and signature when its request starts.
async fn push_batches(
    args: &Args,
    pusher: &Pusher,
    batches: Vec<PreBatch>,
    first: usize,
    stats: &mut PushStats,
) {
    let outcomes = futures_util::stream::iter(batches.into_iter().enumerate())
        .map(|(i, mut batch)| {
            let now = stamp(Utc::now());
            for &at in &batch.stamps {
                batch.body[at..at + now.len()].copy_from_slice(now.as_bytes());
            }
            let sent = Instant::now();
            let n = batch.dossiers;
            async move { (first + i, n, sent, pusher.push(batch.body).await) }
        })
        .buffer_unordered(args.in_flight.max(1))
        .collect::<Vec<_>>()
        .await;
    for (index, n, sent, result) in outcomes {
        match result {
            Ok((report, done)) => {
                stats.latencies.push((done - sent).as_secs_f64());
                stats.applied += report.applied;
                if report.applied != n || report.received != n {
                    stats.not_applied.push(format!(
                        "batch {index}: received {} applied {} stale {} invalid {} errors {:?}",
                        report.received,
                        report.applied,
                        report.stale,
                        report.invalid,
                        report.errors.iter().take(3).collect::<Vec<_>>()
                    ));
                }
            }
            Err(e) => stats.not_applied.push(format!("batch {index}: {e:#}")),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    Push,
    Copy,
    CopyFk,
}

impl Load {
    fn key(self) -> &'static str {
        match self {
            Load::Push => "ingest",
            Load::Copy => "copy",
            Load::CopyFk => "copy-fk",
        }
    }
}

/// What one kind of load did over all rounds.
#[derive(Default)]
struct LoadTotals {
    seconds: f64,
    cpu: CpuUse,
    logs: Vec<(u64, u64)>,
    dossiers: u64,
    events: u64,
    /// Dossiers/s of each round.
    rates: Vec<f64>,
}

async fn load(
    args: &Args,
    figures: &mut Figures,
    cpu: &Cpu,
    pusher: &Pusher,
    pg: &mut tokio_postgres::Client,
    dossiers: &[Dossier],
) -> anyhow::Result<()> {
    let r = &args.records;
    let events: usize = dossiers.iter().map(|d| d.events.len()).sum();
    let started = Instant::now();
    let batches: Vec<PreBatch> = dossiers
        .chunks(args.batch)
        .map(serialise_batch)
        .collect::<anyhow::Result<_>>()?;
    let bytes: usize = batches.iter().map(|b| b.body.len()).sum();
    log(format!(
        "serialised {} batches of {} ({:.0} MiB of JSON, {:.0} bytes per snapshot) in {:.1} s, \
         before timing",
        batches.len(),
        args.batch,
        bytes as f64 / 1_048_576.0,
        bytes as f64 / dossiers.len() as f64,
        started.elapsed().as_secs_f64()
    ));
    figures.set(r, "ingest.json_bytes", bytes);

    pg.batch_execute(DROP_COPIES).await?;
    pg.batch_execute(CREATE_COPIES).await?;
    let mut kinds = vec![Load::Push, Load::Copy];
    if args.copy_fk {
        pg.batch_execute(CREATE_FK_COPIES).await?;
        let keys = add_foreign_keys(pg).await?;
        log(format!(
            "load: the foreign-key copies check the real tables' {} foreign keys: {}",
            keys.len(),
            keys.join("; ")
        ));
        figures.set(r, "copy-fk.foreign_keys", keys.len());
        kinds.push(Load::CopyFk);
    }
    let before: i64 = pg
        .query_one("SELECT count(*) FROM dossiers", &[])
        .await?
        .get(0);
    pg.batch_execute("CHECKPOINT").await?;
    let lag_before = scrape_lag(&pusher.http, &args.url).await?;

    let total_batches = batches.len();
    let rounds = args.rounds.clamp(1, total_batches.max(1));
    let per_round = total_batches.div_ceil(rounds);
    log(format!(
        "load: {} dossiers ({} events) in {rounds} rounds of {} batches of {}; each round pushes \
         its dossiers ({} requests in flight; the database holds {before}) and binary-COPYs the \
         same rows into bench_dossiers/bench_events{}, order rotating",
        thousands(dossiers.len() as f64),
        thousands(events as f64),
        per_round,
        args.batch,
        args.in_flight,
        if args.copy_fk {
            " and into bench_fk_* (with foreign keys)"
        } else {
            ""
        }
    ));
    let mut totals: Vec<LoadTotals> = kinds.iter().map(|_| LoadTotals::default()).collect();
    let mut stats = PushStats::default();
    let mut ratios = Vec::new();
    let mut batch_iter = batches.into_iter();
    let log_path = server_log(&args.data_dir);
    for round in 0..rounds {
        let mut round_batches: Option<Vec<PreBatch>> =
            Some(batch_iter.by_ref().take(per_round).collect());
        let lo = (round * per_round * args.batch).min(dossiers.len());
        let hi = ((round + 1) * per_round * args.batch).min(dossiers.len());
        if lo == hi {
            break;
        }
        let slice = &dossiers[lo..hi];
        let slice_events: usize = slice.iter().map(|d| d.events.len()).sum();
        let mut line = format!("  round {}/{rounds}:", round + 1);
        let mut rates = [f64::NAN; 3];
        for k in 0..kinds.len() {
            let i = (k + round) % kinds.len();
            let kind = kinds[i];
            let from = log_size(&log_path);
            let a = cpu.snap();
            let t = Instant::now();
            let (n_dossiers, n_events) = match kind {
                Load::Push => {
                    let batches = round_batches.take().unwrap_or_default();
                    push_batches(args, pusher, batches, round * per_round, &mut stats).await;
                    (slice.len() as u64, slice_events as u64)
                }
                Load::Copy => {
                    copy_rows(
                        pg,
                        CopyTables {
                            dossiers: "bench_dossiers",
                            events: "bench_events",
                        },
                        slice,
                        args.copy_chunk,
                    )
                    .await?
                }
                Load::CopyFk => {
                    copy_rows(
                        pg,
                        CopyTables {
                            dossiers: "bench_fk_dossiers",
                            events: "bench_fk_events",
                        },
                        slice,
                        args.copy_chunk,
                    )
                    .await?
                }
            };
            let seconds = t.elapsed().as_secs_f64();
            let use_ = CpuUse::between(a, cpu.snap());
            let total = &mut totals[i];
            total.seconds += seconds;
            total.cpu.add(use_);
            total.logs.push((from, log_size(&log_path)));
            total.dossiers += n_dossiers;
            total.events += n_events;
            let rate = slice.len() as f64 / seconds;
            total.rates.push(rate);
            rates[i] = rate;
            let _ = write!(
                line,
                " {} {} dossiers/s (other processes {:.2} cores);",
                kind.key(),
                thousands(rate),
                use_.other / use_.wall.max(1e-9)
            );
        }
        let ratio = rates[0] / rates[1];
        ratios.push(ratio);
        let _ = write!(line, " push/COPY {ratio:.3}");
        log(line);
    }
    let lag_after = scrape_lag(&pusher.http, &args.url).await?;
    let after: i64 = pg
        .query_one("SELECT count(*) FROM dossiers", &[])
        .await?
        .get(0);
    let mut copied = Vec::new();
    for table in ["bench_dossiers", "bench_fk_dossiers"]
        .iter()
        .take(kinds.len() - 1)
    {
        let n: i64 = pg
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await?
            .get(0);
        copied.push(n);
    }
    pg.batch_execute(DROP_COPIES).await?;

    for (kind, total) in kinds.iter().zip(&totals) {
        let key = kind.key();
        let rate = total.dossiers as f64 / total.seconds;
        let event_rate = total.events as f64 / total.seconds;
        let rows = (total.dossiers + total.events) as f64 / total.seconds;
        log(format!(
            "{key}: {} dossiers and {} events in {:.1} s: {} dossiers/s, {} events/s, {} rows/s \
             (rounds {}..{} dossiers/s)",
            thousands(total.dossiers as f64),
            thousands(total.events as f64),
            total.seconds,
            thousands(rate),
            thousands(event_rate),
            thousands(rows),
            thousands(total.rates.iter().copied().fold(f64::INFINITY, f64::min)),
            thousands(total.rates.iter().copied().fold(0.0, f64::max))
        ));
        log(format!("{key}: {}", total.cpu.report(figures, r, key)));
        let per = if *kind == Load::Push {
            ("batch", total_batches as f64)
        } else {
            ("chunk", dossiers.len().div_ceil(args.copy_chunk) as f64)
        };
        report_statements(args, figures, key, &total.logs, total.seconds, per);
        figures.set(r, &format!("{key}.dossiers"), total.dossiers);
        figures.set(r, &format!("{key}.events"), total.events);
        figures.set(
            r,
            &format!("{key}.seconds"),
            format!("{:.2}", total.seconds),
        );
        figures.set(r, &format!("{key}.dossiers_per_s"), format!("{rate:.0}"));
        figures.set(
            r,
            &format!("{key}.events_per_s"),
            format!("{event_rate:.0}"),
        );
        figures.set(r, &format!("{key}.rows_per_s"), format!("{rows:.0}"));
    }

    stats.latencies.sort_by(f64::total_cmp);
    let lag = lag_delta(lag_before, lag_after);
    log(format!(
        "ingest: batch latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; tracuu_sync_lag_seconds \
         grew by count {} sum {:.1} s (mean {:.3} s)",
        percentile(&stats.latencies, 50.0) * 1e3,
        percentile(&stats.latencies, 99.0) * 1e3,
        percentile(&stats.latencies, 100.0) * 1e3,
        lag.count,
        lag.sum,
        lag.sum / lag.count.max(1.0)
    ));
    let push = &totals[0];
    let copy = &totals[1];
    let overall = (push.dossiers as f64 / push.seconds) / (copy.dossiers as f64 / copy.seconds);
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    log(format!(
        "push/COPY in dossiers/s: {overall:.3} overall; per round median {:.3}, range {:.3}..{:.3} \
         (target at least 0.25)",
        median(&ratios),
        sorted.first().copied().unwrap_or(f64::NAN),
        sorted.last().copied().unwrap_or(f64::NAN)
    ));
    figures.set(r, "ingest.batch", args.batch);
    figures.set(r, "ingest.in_flight", args.in_flight);
    figures.set(r, "ingest.rounds", rounds);
    figures.set(r, "ingest.applied", stats.applied);
    figures.set(
        r,
        "ingest.batches_not_fully_applied",
        stats.not_applied.len(),
    );
    figures.set(
        r,
        "ingest.batch_p50_ms",
        format!("{:.0}", percentile(&stats.latencies, 50.0) * 1e3),
    );
    figures.set(
        r,
        "ingest.batch_p99_ms",
        format!("{:.0}", percentile(&stats.latencies, 99.0) * 1e3),
    );
    figures.set(r, "ingest.metric_lag_count", lag.count);
    figures.set(r, "ingest.db_dossiers_after", after);
    figures.set(r, "ratio.push_over_copy", format!("{overall:.4}"));
    figures.set(r, "ratio.round_median", format!("{:.4}", median(&ratios)));
    figures.set(
        r,
        "ratio.round_min",
        format!("{:.4}", sorted.first().copied().unwrap_or(f64::NAN)),
    );
    figures.set(
        r,
        "ratio.round_max",
        format!("{:.4}", sorted.last().copied().unwrap_or(f64::NAN)),
    );
    if args.copy_fk {
        let fk = &totals[2];
        let ratio = (push.dossiers as f64 / push.seconds) / (fk.dossiers as f64 / fk.seconds);
        figures.set(r, "ratio.push_over_copy_fk", format!("{ratio:.4}"));
    }

    if !stats.not_applied.is_empty() {
        for line in stats.not_applied.iter().take(10) {
            log(format!("  NOT APPLIED: {line}"));
        }
        bail!(
            "{} of {total_batches} batches were not applied in full (applied {} of {})",
            stats.not_applied.len(),
            stats.applied,
            dossiers.len()
        );
    }
    if after - before != dossiers.len() as i64 {
        bail!(
            "the database went from {before} to {after} dossiers, not +{}",
            dossiers.len()
        );
    }
    if copied.iter().any(|&n| n != dossiers.len() as i64) {
        bail!(
            "the COPY tables hold {copied:?} dossiers, not {}",
            dossiers.len()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Phase 2 (`steady`): steady updates under lookup load

/// One wrk window: (requests/s, errors).
async fn run_wrk(args: &Args, paths: &Path, secs: u64) -> anyhow::Result<(f64, u64)> {
    let out = tokio::process::Command::new("wrk")
        .arg(format!("-t{}", args.wrk_threads))
        .arg(format!("-c{}", args.wrk_connections))
        .arg(format!("-d{secs}s"))
        .arg("-s")
        .arg(&args.wrk_script)
        .arg(&args.url)
        .arg("--")
        .arg(paths)
        .output()
        .await
        .context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(args.work.join("wrk.log"))
    {
        let _ = f.write_all(text.as_bytes());
        let _ = f.write_all(&out.stderr);
    }
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .with_context(|| format!("no BENCH line from wrk: {text}"))?;
    let f: BTreeMap<&str, u64> = line
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .filter_map(|(k, v)| Some((k, v.parse().ok()?)))
        .collect();
    let g = |k: &str| f.get(k).copied().unwrap_or(0);
    let errors =
        g("err_connect") + g("err_read") + g("err_write") + g("err_status") + g("err_timeout");
    Ok((
        g("requests") as f64 / (g("duration_us").max(1) as f64 / 1e6),
        errors,
    ))
}

/// An update target and what it looks like now.
struct Target {
    dossier: Dossier,
}

/// Makes the next version of `d` at `now`: a plausible status change with its timeline step.
fn next_version(d: &mut Dossier, now: DateTime<Utc>) {
    let new = match d.status {
        Status::InProgress => Status::SupplementRequested,
        // 2 accepted → 4 in progress; 5 supplement delivered → 4; 6 obligation paid → 4
        _ => Status::InProgress,
    };
    let (step, note) = if new == Status::SupplementRequested {
        d.supplement_count += 1;
        d.supplement_requested_at = Some(now);
        d.supplement_request =
            Some("Bổ sung bản sao có chứng thực giấy tờ tùy thân (bench)".to_owned());
        ("Yêu cầu bổ sung hồ sơ", Some("Cập nhật từ bench_sync"))
    } else {
        if d.status == Status::SupplementRequested {
            if let Some(at) = d.supplement_requested_at {
                d.supplement_seconds += (now - at).num_seconds().max(0);
            }
            d.supplement_request = None;
        }
        ("Chuyển phòng chuyên môn xử lý", None)
    };
    if d.events.len() >= 150 {
        d.events.drain(..50);
    }
    d.events.push(DossierEvent {
        at: now,
        status: new,
        step: step.to_owned(),
        agency_code: Some(d.handling_agency_code.clone()),
        note: note.map(str::to_owned),
    });
    d.status = new;
    d.version += 1;
}

#[derive(Default)]
struct SteadyStats {
    sent_updates: usize,
    applied: usize,
    failed_batches: usize,
    failures: Vec<String>,
    /// Seconds from `updated_at` to the push response, one per applied update.
    push_lag: Vec<f64>,
    /// Seconds from `updated_at` to a lookup showing the change, per probe.
    visible_lag: Vec<f64>,
    probes_timed_out: usize,
    active_seconds: f64,
}

#[derive(Deserialize)]
struct PublicView {
    status: ViewStatus,
}

#[derive(Deserialize)]
struct ViewStatus {
    code: i16,
}

/// Polls a lookup of `code` until it shows `status`; seconds since `made`, or None after 10 s.
async fn probe(
    http: reqwest::Client,
    url: String,
    code: String,
    status: i16,
    made: Instant,
    every: Duration,
) -> Option<f64> {
    let address = format!("{url}/api/v1/dossiers/{code}");
    while made.elapsed() < Duration::from_secs(10) {
        if let Ok(response) = http.get(&address).send().await {
            if let Ok(bytes) = response.bytes().await {
                if let Ok(view) = serde_json::from_slice::<PublicView>(&bytes) {
                    if view.status.code == status {
                        return Some(made.elapsed().as_secs_f64());
                    }
                }
            }
        }
        tokio::time::sleep(every).await;
    }
    None
}

type PushTask = tokio::task::JoinHandle<(usize, Instant, anyhow::Result<(Report, Instant)>)>;

/// Sends `rate` updates/s in batches until `stop` turns true; returns once every answer is in.
async fn run_updates(
    args: &Args,
    pusher: &Arc<Pusher>,
    targets: &mut [Target],
    cursor: &mut usize,
    mut stop: tokio::sync::watch::Receiver<bool>,
    stats: &mut SteadyStats,
) {
    let period = Duration::from_secs_f64(args.steady_batch as f64 / args.rate as f64);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut pushes: Vec<PushTask> = Vec::new();
    let mut probes: Vec<tokio::task::JoinHandle<Option<f64>>> = Vec::new();
    let started = Instant::now();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        let made = Instant::now();
        let now = Utc::now();
        let updated_at = stamp(now);
        let mut body = Vec::with_capacity(args.steady_batch * 2_048);
        body.push(b'[');
        let mut probe_codes = Vec::new();
        for i in 0..args.steady_batch {
            let len = targets.len();
            let target = &mut targets[*cursor];
            *cursor = (*cursor + 1) % len;
            next_version(&mut target.dossier, now);
            if i > 0 {
                body.push(b',');
            }
            serde_json::to_writer(&mut body, &snapshot(&target.dossier, &updated_at))
                .expect("snapshot serialises");
            if i % (args.steady_batch / args.probes_per_batch.max(1)).max(1) == 0
                && probe_codes.len() < args.probes_per_batch
            {
                probe_codes.push((
                    target.dossier.code.as_str().to_owned(),
                    target.dossier.status.code(),
                ));
            }
        }
        body.push(b']');
        stats.sent_updates += args.steady_batch;
        let p = Arc::clone(pusher);
        let n = args.steady_batch;
        pushes.push(tokio::spawn(async move { (n, made, p.push(body).await) }));
        for (code, status) in probe_codes {
            probes.push(tokio::spawn(probe(
                pusher.http.clone(),
                pusher.url.clone(),
                code,
                status,
                made,
                Duration::from_millis(args.probe_interval_ms),
            )));
        }
    }
    stats.active_seconds += started.elapsed().as_secs_f64();
    for task in pushes {
        match task.await {
            Ok((n, made, Ok((report, done)))) => {
                stats.applied += report.applied;
                let lag = (done - made).as_secs_f64();
                stats
                    .push_lag
                    .extend(std::iter::repeat_n(lag, report.applied));
                if report.applied != n {
                    stats.failed_batches += 1;
                    stats.failures.push(format!(
                        "applied {} of {n} (stale {}, invalid {}): {:?}",
                        report.applied,
                        report.stale,
                        report.invalid,
                        report.errors.iter().take(2).collect::<Vec<_>>()
                    ));
                }
            }
            Ok((_, _, Err(e))) => {
                stats.failed_batches += 1;
                stats.failures.push(format!("{e:#}"));
            }
            Err(e) => {
                stats.failed_batches += 1;
                stats.failures.push(format!("push task: {e}"));
            }
        }
    }
    for task in probes {
        match task.await {
            Ok(Some(lag)) => stats.visible_lag.push(lag),
            _ => stats.probes_timed_out += 1,
        }
    }
}

async fn steady(
    args: &Args,
    figures: &mut Figures,
    cpu: &Cpu,
    pusher: &Arc<Pusher>,
    pg: &tokio_postgres::Client,
    dossiers: &[Dossier],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.work)?;
    // Random existing codes for wrk (SplitMix64, fixed seed: the same list every run).
    let mut state = 0x5EED_u64;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let paths_file = args.work.join("sync-paths.txt");
    let mut paths = String::with_capacity(args.paths * 48);
    for _ in 0..args.paths {
        let d = &dossiers[(next() % dossiers.len() as u64) as usize];
        let _ = writeln!(paths, "/api/v1/dossiers/{}", d.code);
    }
    std::fs::write(&paths_file, paths)?;

    // Update targets: open dossiers (2, 4, 5, 6), so status changes stay plausible, at their
    // current version and status in the database (the phase may run again on the same data).
    let mut candidates: Vec<Dossier> = dossiers
        .iter()
        .filter(|d| matches!(d.status.code(), 2 | 4 | 5 | 6))
        .cloned()
        .collect();
    let codes: Vec<&str> = candidates.iter().map(|d| d.code.as_str()).collect();
    let rows = pg
        .query(
            "SELECT code, version, status FROM dossiers WHERE code = ANY($1)",
            &[&codes],
        )
        .await?;
    let current: std::collections::HashMap<String, (i64, i16)> = rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    candidates.retain_mut(|d| match current.get(d.code.as_str()) {
        Some(&(version, status)) if matches!(status, 2 | 4 | 5 | 6) => {
            d.version = version;
            match Status::from_code(status) {
                Ok(status) => {
                    d.status = status;
                    true
                }
                Err(_) => false,
            }
        }
        _ => false,
    });
    // A dossier comes round again after candidates/rate seconds; under two seconds its next
    // version could overtake the previous one still in flight.
    if candidates.len() < args.rate * 2 {
        bail!(
            "only {} open dossiers to update; need at least {} (two seconds of updates)",
            candidates.len(),
            args.rate * 2
        );
    }
    // Spread consecutive updates over agencies and dates.
    for i in (1..candidates.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        candidates.swap(i, j);
    }
    let needed = args.rate * args.window as usize * args.pairs;
    log(format!(
        "steady: {} open dossiers to update ({} updates planned, each dossier at most {} times, \
         {:.0} s apart)",
        thousands(candidates.len() as f64),
        thousands(needed as f64),
        needed.div_ceil(candidates.len()),
        candidates.len() as f64 / args.rate as f64
    ));
    let mut targets: Vec<Target> = candidates
        .into_iter()
        .map(|dossier| Target { dossier })
        .collect();
    let mut cursor = 0usize;

    log("steady: warming up (3 s of wrk, 3 s of updates; not recorded)");
    run_wrk(args, &paths_file, 3).await?;
    {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut warm = SteadyStats::default();
        let timer = async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let _ = tx.send(true);
        };
        tokio::join!(
            timer,
            run_updates(args, pusher, &mut targets, &mut cursor, rx, &mut warm)
        );
        if warm.failed_batches > 0 {
            bail!(
                "warm-up updates failed: {}",
                warm.failures.first().cloned().unwrap_or_default()
            );
        }
    }

    let lag_before = scrape_lag(&pusher.http, &args.url).await?;
    let log_from = log_size(&server_log(&args.data_dir));
    let phase_start = Instant::now();
    let mut stats = SteadyStats::default();
    let mut quiet = Vec::new();
    let mut busy = Vec::new();
    let mut ratios = Vec::new();
    let mut busy_cpu = Vec::new();
    let mut quiet_cpu = Vec::new();
    log(format!(
        "steady: {} pairs of {}s wrk windows (-t{} -c{}), one quiet and one with {} updates/s \
         (batches of {}), order alternating",
        args.pairs,
        args.window,
        args.wrk_threads,
        args.wrk_connections,
        args.rate,
        args.steady_batch
    ));
    for pair in 1..=args.pairs {
        let order = if pair % 2 == 1 {
            [false, true]
        } else {
            [true, false]
        };
        let (mut q, mut b) = (f64::NAN, f64::NAN);
        let mut line = format!("  pair {pair}:");
        for with_updates in order {
            let cpu_a = cpu.snap();
            let (rps, errors) = if with_updates {
                let (tx, rx) = tokio::sync::watch::channel(false);
                let window = async {
                    let r = run_wrk(args, &paths_file, args.window).await;
                    let _ = tx.send(true);
                    r
                };
                let (r, ()) = tokio::join!(
                    window,
                    run_updates(args, pusher, &mut targets, &mut cursor, rx, &mut stats)
                );
                r?
            } else {
                run_wrk(args, &paths_file, args.window).await?
            };
            let cpu_b = cpu.snap();
            let wall = (cpu_b.at - cpu_a.at).as_secs_f64();
            let shares = (
                (cpu_b.server - cpu_a.server) / wall,
                (cpu_b.postgres - cpu_a.postgres) / wall,
            );
            if with_updates {
                b = rps;
                busy.push(rps);
                busy_cpu.push(shares);
            } else {
                q = rps;
                quiet.push(rps);
                quiet_cpu.push(shares);
            }
            let _ = write!(
                line,
                " {} {} req/s (errors {errors}, tracuu {:.2} cores, postgres {:.2});",
                if with_updates { "updates" } else { "quiet" },
                thousands(rps),
                shares.0,
                shares.1
            );
            figures.set(
                &args.records,
                &format!(
                    "steady.pair{pair}.{}_rps",
                    if with_updates { "updates" } else { "quiet" }
                ),
                format!("{rps:.0}"),
            );
        }
        let ratio = b / q;
        ratios.push(ratio);
        let _ = write!(line, " ratio {ratio:.3}");
        log(line);
    }
    let lag_after = scrape_lag(&pusher.http, &args.url).await?;
    let lag = lag_delta(lag_before, lag_after);
    report_statements(
        args,
        figures,
        "steady",
        &[(log_from, log_size(&server_log(&args.data_dir)))],
        phase_start.elapsed().as_secs_f64(),
        (
            "update batch",
            (stats.sent_updates / args.steady_batch.max(1)) as f64,
        ),
    );

    stats.push_lag.sort_by(f64::total_cmp);
    stats.visible_lag.sort_by(f64::total_cmp);
    let r = &args.records;
    let med_quiet = median(&quiet);
    let med_busy = median(&busy);
    let med_ratio = median(&ratios);
    let drop = 1.0 - med_ratio;
    let achieved = stats.sent_updates as f64 / stats.active_seconds.max(1e-9);
    figures.set(r, "steady.pairs", args.pairs);
    figures.set(r, "steady.window_s", args.window);
    figures.set(r, "steady.rate_target", args.rate);
    figures.set(r, "steady.rate_achieved", format!("{achieved:.0}"));
    figures.set(r, "steady.updates_sent", stats.sent_updates);
    figures.set(r, "steady.updates_applied", stats.applied);
    figures.set(r, "steady.failed_batches", stats.failed_batches);
    figures.set(r, "steady.quiet_rps_median", format!("{med_quiet:.0}"));
    figures.set(r, "steady.updates_rps_median", format!("{med_busy:.0}"));
    figures.set(r, "steady.ratio_median", format!("{med_ratio:.6}"));
    figures.set(r, "steady.drop", format!("{drop:.6}"));
    for (name, v) in [("push", &stats.push_lag), ("visible", &stats.visible_lag)] {
        figures.set(r, &format!("steady.{name}_lag_n"), v.len());
        for (p, label) in [(50.0, "p50"), (99.0, "p99"), (100.0, "max")] {
            figures.set(
                r,
                &format!("steady.{name}_lag_{label}_ms"),
                format!("{:.1}", percentile(v, p) * 1e3),
            );
        }
    }
    figures.set(r, "steady.probes_timed_out", stats.probes_timed_out);
    figures.set(r, "steady.probe_interval_ms", args.probe_interval_ms);
    figures.set(r, "steady.metric_lag_count", lag.count);
    figures.set(r, "steady.metric_lag_sum_s", format!("{:.3}", lag.sum));
    figures.set(r, "steady.metric_lag_le_1s", lag.le_1s);
    let cores =
        |v: &[(f64, f64)], f: fn(&(f64, f64)) -> f64| median(&v.iter().map(f).collect::<Vec<_>>());
    figures.set(
        r,
        "steady.quiet_cpu_tracuu_cores",
        format!("{:.2}", cores(&quiet_cpu, |x| x.0)),
    );
    figures.set(
        r,
        "steady.quiet_cpu_postgres_cores",
        format!("{:.2}", cores(&quiet_cpu, |x| x.1)),
    );
    figures.set(
        r,
        "steady.updates_cpu_tracuu_cores",
        format!("{:.2}", cores(&busy_cpu, |x| x.0)),
    );
    figures.set(
        r,
        "steady.updates_cpu_postgres_cores",
        format!("{:.2}", cores(&busy_cpu, |x| x.1)),
    );
    log(format!(
        "steady: {} updates sent at {achieved:.0}/s, {} applied, {} batches not fully applied",
        thousands(stats.sent_updates as f64),
        thousands(stats.applied as f64),
        stats.failed_batches
    ));
    for f in stats.failures.iter().take(5) {
        log(format!("  FAILED: {f}"));
    }
    log(format!(
        "steady: lag to push response p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} updates); \
         to lookup visibility p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} probes, {} timed out)",
        percentile(&stats.push_lag, 50.0) * 1e3,
        percentile(&stats.push_lag, 99.0) * 1e3,
        percentile(&stats.push_lag, 100.0) * 1e3,
        stats.push_lag.len(),
        percentile(&stats.visible_lag, 50.0) * 1e3,
        percentile(&stats.visible_lag, 99.0) * 1e3,
        percentile(&stats.visible_lag, 100.0) * 1e3,
        stats.visible_lag.len(),
        stats.probes_timed_out
    ));
    log(format!(
        "steady: tracuu_sync_lag_seconds grew by count {} sum {:.2} s (mean {:.1} ms, {:.2}% at most 1 s)",
        lag.count,
        lag.sum,
        lag.sum / lag.count.max(1.0) * 1e3,
        100.0 * lag.le_1s / lag.count.max(1.0)
    ));
    log(format!(
        "steady: lookups quiet median {} req/s, with updates median {} req/s, median ratio \
         {med_ratio:.3}: drop {:.1}%",
        thousands(med_quiet),
        thousands(med_busy),
        drop * 100.0
    ));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Summary

fn verdict(ok: bool) -> &'static str {
    if ok {
        "meets target"
    } else {
        "misses target"
    }
}

/// The largest PostgreSQL statements of a phase, from the records.
fn statements(s: &mut String, f: &Figures, prefix: &str) {
    if let Some(total) = f.get(&format!("{prefix}.statement_s")) {
        let _ = writeln!(
            s,
            "               PostgreSQL statement time {total} s ({} checkpoints); largest:",
            f.text(&format!("{prefix}.checkpoints")).unwrap_or("?")
        );
        for i in 1..=5 {
            if let Some(line) = f.text(&format!("{prefix}.statement{i}")) {
                // "12.3s 45.6% n=... SQL": statements under 1% of the time are left out.
                let share = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|p| p.trim_end_matches('%').parse::<f64>().ok())
                    .unwrap_or(0.0);
                if share >= 1.0 {
                    let line: String = line.chars().take(130).collect();
                    let _ = writeln!(s, "                 {line}");
                }
            }
        }
    }
}

fn summary(args: &Args, f: &Figures, machine: &str) -> String {
    let mut s = String::new();
    let g = |k: &str| f.get(k).unwrap_or(f64::NAN);
    let _ = writeln!(
        s,
        "tracuu sync benchmark ({})",
        f.text("info.date").unwrap_or("")
    );
    let _ = writeln!(s, "  commit {}", f.text("info.commit").unwrap_or("unknown"));
    let _ = writeln!(s, "  machine {machine}");
    let _ = writeln!(
        s,
        "  tracuu: {} HTTP workers, rate limits off, private PostgreSQL 15 cluster, same machine as the load",
        f.text("info.workers").unwrap_or("?")
    );
    if f.get("ingest.dossiers_per_s").is_some() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Ingest: {} dossier snapshots with {} timeline events, POST /sync/v1/dossiers in batches of {}, {} in flight;",
            thousands(g("ingest.dossiers")),
            thousands(g("ingest.events")),
            g("ingest.batch"),
            g("ingest.in_flight")
        );
        let _ = writeln!(
            s,
            "the same rows binary-COPYed into empty copies of the tables, interleaved in {} rounds (order rotating)",
            g("ingest.rounds")
        );
        let cpu = |s: &mut String, key: &str| {
            let other = g(&format!("{key}.cpu_other_cores"));
            let _ = writeln!(
                s,
                "               CPU: tracuu {} s, postgres {} s, client {} s, other processes {} s over {} s wall{}",
                g(&format!("{key}.cpu_tracuu_s")),
                g(&format!("{key}.cpu_postgres_s")),
                g(&format!("{key}.cpu_client_s")),
                g(&format!("{key}.cpu_other_s")),
                g(&format!("{key}.cpu_wall_s")),
                if other > 0.25 {
                    format!(" (NOISY: other processes used {other:.2} of the 2 cores)")
                } else {
                    String::new()
                }
            );
        };
        let _ = writeln!(
            s,
            "  push:        {:>9} dossiers/s  {:>10} events/s  ({:.1} s; batch latency p50 {} ms, p99 {} ms; every batch applied in full: {})",
            thousands(g("ingest.dossiers_per_s")),
            thousands(g("ingest.events_per_s")),
            g("ingest.seconds"),
            g("ingest.batch_p50_ms"),
            g("ingest.batch_p99_ms"),
            if g("ingest.batches_not_fully_applied") == 0.0 {
                "yes"
            } else {
                "NO"
            }
        );
        cpu(&mut s, "ingest");
        statements(&mut s, f, "ingest");
        if f.get("copy.dossiers_per_s").is_some() {
            let _ = writeln!(
                s,
                "  raw COPY:    {:>9} dossiers/s  {:>10} events/s  {} rows/s ({:.1} s; one COPY per {} dossiers and one for their events, one transaction per round; LIKE copies: no FKs)",
                thousands(g("copy.dossiers_per_s")),
                thousands(g("copy.events_per_s")),
                thousands(g("copy.rows_per_s")),
                g("copy.seconds"),
                thousands(args.copy_chunk as f64)
            );
            cpu(&mut s, "copy");
            statements(&mut s, f, "copy");
        }
        if f.get("copy-fk.dossiers_per_s").is_some() {
            let _ = writeln!(
                s,
                "  COPY + FKs:  {:>9} dossiers/s  {:>10} events/s  {} rows/s ({:.1} s; the same into copies that also check the real tables' {} foreign keys; for information)",
                thousands(g("copy-fk.dossiers_per_s")),
                thousands(g("copy-fk.events_per_s")),
                thousands(g("copy-fk.rows_per_s")),
                g("copy-fk.seconds"),
                g("copy-fk.foreign_keys")
            );
            cpu(&mut s, "copy-fk");
            statements(&mut s, f, "copy-fk");
        }
        if let Some(ratio) = f.get("ratio.push_over_copy") {
            let _ = writeln!(
                s,
                "  push / raw COPY (dossiers/s): {ratio:.3} (per round: median {:.3}, range {:.3}..{:.3}; push / COPY with FKs {:.3})    target >= 0.25: {}",
                g("ratio.round_median"),
                g("ratio.round_min"),
                g("ratio.round_max"),
                g("ratio.push_over_copy_fk"),
                verdict(ratio >= 0.25)
            );
        }
    }
    if f.get("steady.drop").is_some() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Steady updates under full lookup load: {} pairs of {} s wrk windows (-c{}, random existing codes), one quiet, one with {} updates/s in batches of {}",
            g("steady.pairs"),
            g("steady.window_s"),
            args.wrk_connections,
            g("steady.rate_target"),
            args.steady_batch
        );
        let _ = writeln!(
            s,
            "  updates: {} sent at {}/s, {} applied, {} batches not fully applied",
            thousands(g("steady.updates_sent")),
            g("steady.rate_achieved"),
            thousands(g("steady.updates_applied")),
            g("steady.failed_batches")
        );
        let p99_visible = g("steady.visible_lag_p99_ms");
        let _ = writeln!(
            s,
            "  lag updated_at -> lookup shows it (sample of {}, polled every {} ms): p50 {} ms, p99 {} ms, max {} ms    target p99 < 1 s: {}",
            g("steady.visible_lag_n"),
            g("steady.probe_interval_ms"),
            g("steady.visible_lag_p50_ms"),
            p99_visible,
            g("steady.visible_lag_max_ms"),
            verdict(p99_visible < 1000.0 && g("steady.probes_timed_out") == 0.0)
        );
        let _ = writeln!(
            s,
            "  lag updated_at -> push response (after commit and cache refresh; all {}): p50 {} ms, p99 {} ms, max {} ms",
            thousands(g("steady.push_lag_n")),
            g("steady.push_lag_p50_ms"),
            g("steady.push_lag_p99_ms"),
            g("steady.push_lag_max_ms")
        );
        let count = g("steady.metric_lag_count");
        let _ = writeln!(
            s,
            "  /metrics tracuu_sync_lag_seconds (updated_at -> commit): count +{}, sum +{:.2} s, mean {:.1} ms, {:.2}% <= 1 s",
            count,
            g("steady.metric_lag_sum_s"),
            g("steady.metric_lag_sum_s") / count.max(1.0) * 1e3,
            100.0 * g("steady.metric_lag_le_1s") / count.max(1.0)
        );
        let drop = g("steady.drop");
        let _ = writeln!(
            s,
            "  lookups/s: quiet median {}, with updates median {}; median per-pair ratio {:.3} -> drop {:.1}%    target < 20%: {}",
            thousands(g("steady.quiet_rps_median")),
            thousands(g("steady.updates_rps_median")),
            g("steady.ratio_median"),
            drop * 100.0,
            verdict(drop < 0.20)
        );
        let _ = writeln!(
            s,
            "  CPU (median over windows): quiet tracuu {} + postgres {} cores; with updates tracuu {} + postgres {} cores",
            g("steady.quiet_cpu_tracuu_cores"),
            g("steady.quiet_cpu_postgres_cores"),
            g("steady.updates_cpu_tracuu_cores"),
            g("steady.updates_cpu_postgres_cores")
        );
    }
    s
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    for phase in &args.phases {
        if !matches!(phase.as_str(), "load" | "steady") {
            bail!("unknown phase {phase:?} (load, steady)");
        }
    }
    if !args.url.starts_with("http://127.0.0.1:") {
        bail!("the benchmark only targets 127.0.0.1");
    }
    let secret = std::env::var(&args.secret_env)
        .with_context(|| format!("set {} to the instance's sync secret", args.secret_env))?;
    std::fs::create_dir_all(&args.work)?;
    if let Some(parent) = args.records.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut figures = Figures::default();
    let r = args.records.clone();
    figures.set(
        &r,
        "info.date",
        Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    if let Ok(commit) = std::env::var("BENCH_COMMIT") {
        figures.set(&r, "info.commit", commit);
    }
    if let Ok(workers) = std::env::var("BENCH_WORKERS") {
        figures.set(&r, "info.workers", workers);
    }
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .find_map(|l| l
                .strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
            .unwrap_or_default()
    );

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(300))
        .build()?;
    let pusher = Arc::new(Pusher {
        http,
        url: args.url.clone(),
        secret,
    });
    let mut pg = connect(&args).await?;
    check_migrations(&pg).await?;
    let cpu = Cpu {
        server: args.server_pid,
        postmaster: postmaster_pid(&args.data_dir),
    };
    if cpu.postmaster.is_none() {
        log("WARNING: no postmaster.pid; PostgreSQL CPU is not counted");
    }

    let dossiers = generate(&args);
    let result: anyhow::Result<()> = async {
        for phase in &args.phases {
            match phase.as_str() {
                "load" => load(&args, &mut figures, &cpu, &pusher, &mut pg, &dossiers).await?,
                "steady" => steady(&args, &mut figures, &cpu, &pusher, &pg, &dossiers).await?,
                _ => unreachable!(),
            }
        }
        Ok(())
    }
    .await;
    let text = summary(&args, &figures, &machine);
    println!("\n{text}");
    std::fs::write(&args.results, &text)
        .with_context(|| format!("cannot write {}", args.results.display()))?;
    // Freeing a million dossiers takes a while and proves nothing.
    std::mem::forget(dossiers);
    result
}
