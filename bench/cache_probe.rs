//! How long one cached lookup takes without HTTP: the in-process cache filled with N dossiers of
//! the demo's view sizes, then random codes looked up and their public view copied out, as the
//! HTTP encoder does. A random lookup into gigabytes of views is bound by memory misses, which
//! the HTTP benchmark (`bench/run.sh`) cannot separate from the noise of the load generator; this
//! probe measures them alone, on one thread, to compare cache layouts.
//!
//! Usage: `bench-cache-probe [DOSSIERS=1000000] [LOOKUPS=2000000] [ROUNDS=5]`. Prints ns per lookup
//! for each round and their median.

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use tracuu::config::CacheSettings;
use tracuu::db::dossiers::StoredViewRow;
use tracuu::lookup::cache::DossierCache;
use tracuu::lookup::view::{CachedDossier, ProofOutcome, ServedFrom};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sizes of the demo's stored views (medians over the million-dossier benchmark data).
const HEAD_BYTES: usize = 950;
const DETAIL_BYTES: usize = 1_650;
const CODE_BYTES: usize = 25;

fn main() -> anyhow::Result<()> {
    tracuu::memory::allow_huge_pages();
    let mut args = std::env::args().skip(1);
    let dossiers: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let lookups: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(2_000_000);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);

    let cache = DossierCache::new(&CacheSettings {
        max_dossiers: dossiers,
        ..CacheSettings::default()
    });
    let started = Instant::now();
    for seq in 0..dossiers {
        let entry = CachedDossier::from_stored(row(seq))?.expect("a stored view");
        cache.insert(Arc::new(entry));
    }
    println!(
        "filled {} dossiers ({} MB of views) in {:.1} s",
        cache.len(),
        cache.view_bytes() / 1_000_000,
        started.elapsed().as_secs_f64()
    );

    // The codes to look up, one after another in one buffer, as a request would bring them.
    let mut random = 0x9E37_79B9_7F4A_7C15u64;
    let mut codes = Vec::with_capacity(lookups * CODE_BYTES);
    for _ in 0..lookups {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        codes.extend_from_slice(code(random % dossiers).as_bytes());
    }
    let mut out = Vec::with_capacity(4096);
    let mut results = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let started = Instant::now();
        let mut bytes = 0usize;
        for code in codes.chunks_exact(CODE_BYTES) {
            // One lookup at a time, as requests come: none overlaps the next one's misses.
            std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
            let code = std::str::from_utf8(code)?;
            let entry = cache.get(code).expect("every code is cached");
            out.clear();
            out.extend_from_slice(entry.head());
            out.extend_from_slice(&entry.tail(ProofOutcome::None, None, ServedFrom::Cache, true));
            bytes += out.len();
        }
        let ns = started.elapsed().as_nanos() as f64 / lookups as f64;
        println!(
            "round {round}: {ns:.0} ns per lookup ({} bytes served)",
            bytes
        );
        results.push(ns);
    }
    results.sort_by(f64::total_cmp);
    println!("median: {:.0} ns per lookup", results[results.len() / 2]);
    Ok(())
}

/// The canonical code of dossier `seq`: `000.00.16.H48-YYMMDD-NNNN`, 25 bytes.
fn code(seq: u64) -> String {
    let day = seq / 10_000;
    format!(
        "000.00.{:02}.H48-26{:02}{:02}-{:04}",
        day % 90 + 10,
        day / 28 % 12 + 1,
        day % 28 + 1,
        seq % 10_000
    )
}

fn row(seq: u64) -> StoredViewRow {
    let code = code(seq);
    assert_eq!(code.len(), CODE_BYTES);
    let at = Utc
        .with_ymd_and_hms(2026, 1, 5, 2, 0, 0)
        .single()
        .expect("a valid time")
        + chrono::Duration::minutes(seq as i64 % 500_000);
    let mut head = format!("{{\"code\":\"{code}\",\"pad\":\"");
    head.extend((head.len()..HEAD_BYTES - 1).map(|i| (b'a' + (i % 26) as u8) as char));
    head.push('"');
    let mut detail = String::from(",\"timeline\":\"");
    detail.extend((detail.len()..DETAIL_BYTES - 1).map(|i| (b'a' + (i % 26) as u8) as char));
    detail.push('"');
    // As in the demo data, about one dossier in fifty is still running.
    let finished = !seq.is_multiple_of(50);
    StoredViewRow {
        code,
        lookup_number: 1_000_000_000 + seq as i64,
        version: 1,
        // Half finished (fixed timeliness), half still running (assessed per lookup).
        status: if finished { 10 } else { 4 },
        received_at: at,
        due_at: Some(at + chrono::Duration::days(5)),
        finished_at: finished.then(|| at + chrono::Duration::days(4)),
        returned_at: finished.then(|| at + chrono::Duration::days(6)),
        supplement_count: 0,
        supplement_requested_at: None,
        supplement_seconds: 0,
        phone_last4: Some("5678".into()),
        head: Some(head.into_bytes()),
        detail: Some(detail.into_bytes()),
    }
}
