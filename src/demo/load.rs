//! Loading the demo province into the read model: the catalog, then the dossier stream in chunks
//! of [`CHUNK`] dossiers (one COPY for the dossiers of a chunk, one for their events, so memory
//! stays bounded whatever the count), all in one transaction, then fresh planner statistics. The
//! statements are `db::demo`'s; this module decides what goes in and reports progress.
//!
//! Names and phone numbers are personal data even when invented: nothing here logs them.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use tokio_postgres::Client;

use super::generate::{
    self, DemoAgency, DemoProcedure, DemoProvince, SHOWCASE_COUNT, SHOWCASE_SEQ_BASE,
};
use crate::db;
use crate::db::demo::CopyTables;
use crate::domain::{
    Agency, AgencyCode, AgencyKind, Dossier, OnlineLevel, Procedure, ProcedureCode,
};

/// Dossiers per COPY round; about 10 MB of generated data.
const CHUNK: usize = 10_000;

/// Progress is logged every this many dossiers.
const PROGRESS_EVERY: u64 = 100_000;

/// What to load.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Number of dossiers, including the [`SHOWCASE_COUNT`] showcase dossiers.
    pub dossiers: usize,
    /// Seed of the generator; the same seed gives the same data.
    pub seed: u64,
    /// No generated time lies after this instant ("now" of the data set).
    pub until: DateTime<Utc>,
}

/// What a load wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Agencies inserted (existing codes are left alone).
    pub agencies: u64,
    /// Procedures inserted (existing codes are left alone).
    pub procedures: u64,
    /// Dossiers inserted.
    pub dossiers: u64,
    /// Timeline events inserted.
    pub events: u64,
    /// Wall time of the load, including `ANALYZE`.
    pub elapsed: Duration,
}

/// A showcase dossier as stored, for the README table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowcaseRow {
    /// Dossier code.
    pub code: String,
    /// Lookup number assigned by the database.
    pub lookup_number: i64,
    /// Current status code.
    pub status: i16,
    /// Last four digits of the applicant's phone (the rest is never shown).
    pub phone_last4: Option<String>,
    /// What the dossier demonstrates, from [`generate::showcase_note`].
    pub note: &'static str,
}

/// The demo's timelines are numbered from 1, so a dossier's last step carries its version.
const FIRST_SEQ: i32 = 1;

/// Loads the demo province and `opts.dossiers` dossiers in one transaction, then runs `ANALYZE`.
///
/// `due(accepted_at, processing_days)` is the working calendar. Agencies and procedures that
/// already exist are kept; dossiers are not idempotent, so loading twice into the same database
/// fails on the first duplicate code and rolls back (check `installation` before calling).
pub async fn load(
    client: &mut Client,
    opts: &DemoOptions,
    due: &(dyn Fn(DateTime<Utc>, u32) -> DateTime<Utc> + Sync),
) -> anyhow::Result<DemoSummary> {
    let started = Instant::now();
    let province = generate::province(opts.seed);
    let (catalog_agencies, catalog_procedures) = catalog(&province)?;
    let tx = client
        .transaction()
        .await
        .context("starting the demo load transaction")?;
    let agencies = db::demo::insert_agencies(&tx, &catalog_agencies).await?;
    let procedures = db::demo::insert_procedures(&tx, &catalog_procedures).await?;

    let mut stream =
        generate::dossier_stream(&province, opts.seed, opts.dossiers, opts.until, due).peekable();
    let mut chunk: Vec<Dossier> = Vec::with_capacity(CHUNK);
    let (mut dossiers, mut events) = (0u64, 0u64);
    while stream.peek().is_some() {
        chunk.clear();
        chunk.extend(stream.by_ref().take(CHUNK));
        let (written, written_events) =
            db::demo::copy_dossiers(&tx, CopyTables::READ_MODEL, &chunk, FIRST_SEQ).await?;
        events += written_events;

        let before = dossiers;
        dossiers += written;
        if dossiers / PROGRESS_EVERY > before / PROGRESS_EVERY {
            tracing::info!(
                demo.dossiers = dossiers,
                demo.events = events,
                demo.total = opts.dossiers,
                "demo load: {dossiers} of {} dossiers written",
                opts.dossiers
            );
        }
    }
    tx.commit()
        .await
        .context("committing the demo load transaction")?;
    db::demo::update_statistics(client).await?;
    let summary = DemoSummary {
        agencies,
        procedures,
        dossiers,
        events,
        elapsed: started.elapsed(),
    };
    tracing::info!(
        demo.agencies = agencies,
        demo.procedures = procedures,
        demo.dossiers = dossiers,
        demo.events = events,
        demo.elapsed_ms = summary.elapsed.as_millis() as u64,
        "demo load: done, {dossiers} dossiers and {events} events"
    );
    Ok(summary)
}

/// The province's catalog as domain entries. Nothing the generator writes fails to parse; should
/// it ever, the load stops before its transaction begins.
fn catalog(province: &DemoProvince) -> anyhow::Result<(Vec<Agency>, Vec<Procedure>)> {
    let agencies = province
        .agencies
        .iter()
        .map(agency)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let procedures = province
        .procedures
        .iter()
        .map(procedure)
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((agencies, procedures))
}

fn agency(a: &DemoAgency) -> anyhow::Result<Agency> {
    Ok(Agency {
        code: AgencyCode::parse(&a.code)?,
        parent_code: a
            .parent_code
            .as_deref()
            .map(AgencyCode::parse)
            .transpose()?,
        kind: AgencyKind::parse(a.kind)
            .with_context(|| format!("demo agency {}: kind {}", a.code, a.kind))?,
        name: a.name.clone(),
        desk_address: Some(a.desk_address.clone()),
        desk_phone: Some(a.desk_phone.clone()),
        desk_hours: Some(a.desk_hours.clone()),
        version: 0,
        valid_from: a.valid_from,
        valid_until: a.valid_until,
        successors: Some(
            a.successors
                .iter()
                .map(|code| AgencyCode::parse(code))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn procedure(p: &DemoProcedure) -> anyhow::Result<Procedure> {
    Ok(Procedure {
        code: ProcedureCode::parse(&p.code)?,
        name: p.name.clone(),
        field: p.field.clone(),
        processing_days: p.processing_days,
        fee_vnd: p.fee_vnd,
        fee_note: p.fee_note.clone(),
        online_level: OnlineLevel::parse(p.online_level)
            .with_context(|| format!("demo procedure {}: online level", p.code))?,
        version: 0,
        level: AgencyKind::parse(p.level),
        agency_code: p
            .agency_code
            .as_deref()
            .map(AgencyCode::parse)
            .transpose()?,
        desk_agency_code: p
            .desk_agency_code
            .as_deref()
            .map(AgencyCode::parse)
            .transpose()?,
        documents: Some(p.documents.clone()),
    })
}

/// Reads back the showcase dossiers (found by their reserved code suffixes `-9001` … `-9015`), in
/// showcase order, with the lookup numbers the database gave them.
pub async fn showcase(client: &Client) -> anyhow::Result<Vec<ShowcaseRow>> {
    let suffixes: Vec<String> = (1..=SHOWCASE_COUNT as u32)
        .map(|i| format!("-{}", SHOWCASE_SEQ_BASE + i))
        .collect();
    let rows = db::demo::list_by_code_suffixes(client, &suffixes).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let seq: u32 = row
                .code
                .rsplit('-')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let index = seq.saturating_sub(SHOWCASE_SEQ_BASE + 1) as usize;
            ShowcaseRow {
                lookup_number: row.lookup_number,
                status: row.status,
                phone_last4: row.phone_last4,
                note: generate::showcase_note(index),
                code: row.code,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn load_future_is_send() {
        // A Send future lets callers `tokio::spawn` the load (e.g. at startup).
        let due = |t: DateTime<Utc>, _: u32| t;
        let opts = DemoOptions {
            dossiers: 0,
            seed: 1,
            until: DateTime::<Utc>::UNIX_EPOCH,
        };
        let run = |client: &'static mut Client| {
            let fut = load(client, &opts, &due);
            assert_send(&fut);
        };
        let _ = run;
    }

    #[test]
    fn the_demo_catalog_is_valid_domain_data() {
        let province = generate::province(1);
        let (agencies, procedures) = catalog(&province).expect("catalog");
        assert_eq!(agencies.len(), province.agencies.len());
        assert_eq!(procedures.len(), province.procedures.len());
    }
}
