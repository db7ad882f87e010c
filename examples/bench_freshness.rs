//! The sequence-lag benchmark (run by `bench/freshness.sh`, never by CI): two running instances
//! on one database, signed single-dossier pushes at a steady rate alternating between them (open
//! loop), and a sampler that reads, every few milliseconds, each instance's applied position from
//! its `/metrics` and then the true head of the change sequence from the database. An instance's
//! lag at a sample is the age of the oldest change after its position (0 when there is none) and
//! the number of positions between; the figures are the median, p99 and maximum over all samples
//! of both instances.
//!
//! The head is read after the position, so a sample can only overstate the lag (by the time of
//! one scrape, about a millisecond).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::json;
use tokio_postgres::NoTls;
use tracuu::sync::auth::sign;

#[derive(Parser, Debug)]
struct Args {
    /// Base URLs of the two instances.
    #[arg(long)]
    a: String,
    #[arg(long)]
    b: String,
    /// Connection string of their database.
    #[arg(long)]
    database: String,
    /// Pushes per second, over both instances together.
    #[arg(long, default_value_t = 1_000)]
    rate: u64,
    /// Seconds of measured load (after 3 s of warm-up).
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Distinct dossiers the pushes cycle through (each cached on both instances first).
    #[arg(long, default_value_t = 2_000)]
    dossiers: usize,
    /// Milliseconds between two samples.
    #[arg(long, default_value_t = 10)]
    sample_ms: u64,
    /// Dossiers per push (1: every push is one dossier; 10 at 100 pushes/s is the same 1,000
    /// updates/s in fewer transactions).
    #[arg(long, default_value_t = 1)]
    batch: usize,
}

const PROCEDURE: &str = "1.001193";
const AGENCY: &str = "000.00.16.H48";

fn code(n: usize) -> String {
    format!("{AGENCY}-261201-{:04}", 1_000 + n)
}

fn snapshot(n: usize, version: i64) -> serde_json::Value {
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    json!({
        "code": code(n),
        "version": version,
        "procedure_code": PROCEDURE,
        "receiving_agency_code": AGENCY,
        "handling_agency_code": AGENCY,
        "channel": 1,
        "status": if version % 2 == 0 { 4 } else { 2 },
        "applicant_name": "Nguyễn Văn Thử",
        "applicant_phone": "0987 654 321",
        "received_at": "2026-12-01T01:30:00Z",
        "due_at": "2026-12-15T09:00:00Z",
        "updated_at": now,
        "events": [
            {"at": "2026-12-01T01:30:00Z", "status": 2, "step": "Tiếp nhận hồ sơ"}
        ]
    })
}

struct Pusher {
    http: reqwest::Client,
    secret: String,
}

impl Pusher {
    async fn push(&self, base: &str, items: &[serde_json::Value]) -> anyhow::Result<()> {
        let body = serde_json::to_vec(items)?;
        let timestamp = chrono::Utc::now().timestamp();
        let response = self
            .http
            .post(format!("{base}/sync/v1/dossiers"))
            .header("content-type", "application/json")
            .header("x-tracuu-timestamp", timestamp.to_string())
            .header("x-tracuu-signature", sign(&self.secret, timestamp, &body))
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "push answered {}",
            response.status()
        );
        Ok(())
    }
}

/// The instance's applied position, from its metrics.
async fn position(http: &reqwest::Client, base: &str) -> anyhow::Result<i64> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|line| line.strip_prefix("tracuu_sync_sequence_position "))
        .context("no tracuu_sync_sequence_position in /metrics")?
        .trim()
        .parse::<f64>()
        .map(|p| p as i64)
        .context("position")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let secret = std::env::var("BENCH_SYNC_SECRET").context("BENCH_SYNC_SECRET")?;
    let (db, connection) = tokio_postgres::connect(&args.database, NoTls)
        .await
        .context("connect to the database")?;
    tokio::spawn(connection);
    db.execute(
        "INSERT INTO procedures (code, name, field, processing_days, online_level)
         VALUES ($1, 'Đăng ký khai sinh', 'Hộ tịch', 5, 'full') ON CONFLICT DO NOTHING",
        &[&PROCEDURE],
    )
    .await?;
    let start_version: i64 = db
        .query_one(
            "SELECT coalesce(max(version), 0) FROM dossiers WHERE code LIKE $1",
            &[&format!("{AGENCY}-261201-%")],
        )
        .await?
        .get(0);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()?;
    let pusher = Arc::new(Pusher {
        http: http.clone(),
        secret,
    });

    // The dossiers, then both caches filled with them.
    let mut version = start_version + 1;
    for chunk in (0..args.dossiers).collect::<Vec<_>>().chunks(500) {
        let items: Vec<_> = chunk.iter().map(|&n| snapshot(n, version)).collect();
        pusher.push(&args.a, &items).await?;
    }
    for base in [&args.a, &args.b] {
        for n in 0..args.dossiers {
            http.get(format!("{base}/api/v1/dossiers/{}", code(n)))
                .send()
                .await?
                .error_for_status()?;
        }
    }
    version += 1;
    println!(
        "freshness: {} dossiers cached on both instances; {} pushes/s of {} dossier(s) each, \
         alternating instances, {} s measured after 3 s of warm-up, a sample every {} ms",
        args.dossiers, args.rate, args.batch, args.seconds, args.sample_ms
    );

    // The load: open loop, one push every 1/rate s, alternating A and B.
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let load = {
        let (stop, sent, failed, pusher) = (
            Arc::clone(&stop),
            Arc::clone(&sent),
            Arc::clone(&failed),
            Arc::clone(&pusher),
        );
        let bases = [args.a.clone(), args.b.clone()];
        let period = Duration::from_secs_f64(1.0 / args.rate as f64);
        let dossiers = args.dossiers;
        let batch = args.batch.max(1);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut i: usize = 0;
            let mut in_flight = tokio::task::JoinSet::new();
            while !stop.load(Ordering::Relaxed) {
                ticker.tick().await;
                // Each pass over the dossiers is one version higher.
                let items: Vec<serde_json::Value> = (0..batch)
                    .map(|k| {
                        let update = i * batch + k;
                        snapshot(update % dossiers, version + (update / dossiers) as i64)
                    })
                    .collect();
                let base = bases[i % 2].clone();
                let (pusher, sent, failed) =
                    (Arc::clone(&pusher), Arc::clone(&sent), Arc::clone(&failed));
                in_flight.spawn(async move {
                    match pusher.push(&base, &items).await {
                        Ok(()) => sent.fetch_add(1, Ordering::Relaxed),
                        Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                    };
                });
                while in_flight.try_join_next().is_some() {}
                i += 1;
            }
            while in_flight.join_next().await.is_some() {}
        })
    };

    // The sampler.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent_before = sent.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut lag_seconds: Vec<f64> = Vec::new();
    let mut lag_positions: Vec<f64> = Vec::new();
    let oldest_after = db
        .prepare(
            "SELECT (SELECT max(position) FROM dossier_changes),
                    (SELECT extract(epoch FROM clock_timestamp() - changed_at)::float8
                       FROM dossier_changes WHERE position > $1 ORDER BY position LIMIT 1)",
        )
        .await
        .ok();
    while started.elapsed() < Duration::from_secs(args.seconds) {
        for base in [&args.a, &args.b] {
            // A binary without the change sequence measures the pushes alone.
            let (Ok(applied), Some(oldest_after)) = (position(&http, base).await, &oldest_after)
            else {
                continue;
            };
            let row = db.query_one(oldest_after, &[&applied]).await?;
            let head: i64 = row.get::<_, Option<i64>>(0).unwrap_or(0);
            let age: Option<f64> = row.get(1);
            lag_positions.push((head - applied).max(0) as f64);
            lag_seconds.push(age.unwrap_or(0.0).max(0.0));
        }
        tokio::time::sleep(Duration::from_millis(args.sample_ms)).await;
    }
    let measured = started.elapsed().as_secs_f64();
    let pushed = sent.load(Ordering::Relaxed) - sent_before;
    stop.store(true, Ordering::Relaxed);
    load.await?;

    lag_seconds.sort_by(f64::total_cmp);
    lag_positions.sort_by(f64::total_cmp);
    println!(
        "freshness: {:.0} pushes/s acknowledged ({} refused or failed), {} samples",
        pushed as f64 / measured,
        failed.load(Ordering::Relaxed),
        lag_seconds.len()
    );
    println!(
        "freshness: sequence lag, seconds: median {:.4}, p99 {:.4}, max {:.4}",
        percentile(&lag_seconds, 50.0),
        percentile(&lag_seconds, 99.0),
        lag_seconds.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "freshness: sequence lag, positions: median {:.0}, p99 {:.0}, max {:.0}",
        percentile(&lag_positions, 50.0),
        percentile(&lag_positions, 99.0),
        lag_positions.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
