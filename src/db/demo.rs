//! Writes the demo province into the read model (`agencies`, `procedures`, `dossiers`,
//! `dossier_events`) in one transaction. The small tables go in with one `unnest` insert each; the
//! dossier stream goes in with binary COPY, in chunks of [`CHUNK`] dossiers: one COPY for the
//! dossiers of a chunk, then one for their events, so memory stays bounded whatever the count.
//! `lookup_number` is left to its column default, so numbers follow the stream order.
//!
//! Names and phone numbers are personal data even when invented: nothing here logs them.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient};

use crate::demo::generate::{self, DemoProvince, SHOWCASE_COUNT, SHOWCASE_SEQ_BASE};
use crate::domain::Dossier;

/// Dossiers per COPY round; about 10 MB of generated data.
const CHUNK: usize = 10_000;

/// Progress is logged every this many dossiers.
const PROGRESS_EVERY: u64 = 100_000;

/// What to load.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Number of dossiers, including the 12 showcase dossiers.
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

const INSERT_AGENCIES: &str = "INSERT INTO agencies \
    (code, parent_code, kind, name, desk_address, desk_phone, desk_hours) \
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
        $7::text[]) \
    ON CONFLICT (code) DO NOTHING";

const INSERT_PROCEDURES: &str = "INSERT INTO procedures \
    (code, name, field, processing_days, fee_vnd, fee_note, online_level, level, agency_code, \
        desk_agency_code) \
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::int8[], $6::text[], \
        $7::text[], $8::text[], $9::text[], $10::text[]) \
    ON CONFLICT (code) DO NOTHING";

const INSERT_DOCUMENTS: &str =
    "INSERT INTO procedure_documents (procedure_code, seq, name, copies) \
    SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::int4[]) \
    ON CONFLICT (procedure_code, seq) DO NOTHING";

const COPY_DOSSIERS: &str = "COPY dossiers (code, procedure_code, receiving_agency_code, \
    handling_agency_code, channel, status, applicant_name, applicant_phone, received_at, due_at, \
    finished_at, returned_at, supplement_count, supplement_requested_at, supplement_seconds, \
    supplement_request, version, source_updated_at) FROM STDIN (FORMAT binary)";

const DOSSIER_TYPES: &[Type] = &[
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT2,
    Type::INT2,
    Type::TEXT,
    Type::TEXT,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::INT4,
    Type::TIMESTAMPTZ,
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::TIMESTAMPTZ,
];

const COPY_EVENTS: &str = "COPY dossier_events (dossier_code, seq, occurred_at, status, step, \
    agency_code, note) FROM STDIN (FORMAT binary)";

const EVENT_TYPES: &[Type] = &[
    Type::TEXT,
    Type::INT4,
    Type::TIMESTAMPTZ,
    Type::INT2,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

const ANALYZE: &str = "ANALYZE agencies, procedures, dossiers, dossier_events";

const SELECT_SHOWCASE: &str = "SELECT code, lookup_number, status, right(applicant_phone, 4) \
    FROM dossiers WHERE right(code, 5) = ANY($1) ORDER BY right(code, 4)";

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
    let tx = client
        .transaction()
        .await
        .context("starting the demo load transaction")?;
    let agencies = insert_agencies(&tx, &province).await?;
    let procedures = insert_procedures(&tx, &province).await?;

    let mut stream =
        generate::dossier_stream(&province, opts.seed, opts.dossiers, opts.until, due).peekable();
    let mut chunk: Vec<Dossier> = Vec::with_capacity(CHUNK);
    let (mut dossiers, mut events) = (0u64, 0u64);
    while stream.peek().is_some() {
        chunk.clear();
        let sink = tx
            .copy_in(COPY_DOSSIERS)
            .await
            .context("starting COPY dossiers")?;
        let writer = BinaryCopyInWriter::new(sink, DOSSIER_TYPES);
        pin_mut!(writer);
        for d in stream.by_ref().take(CHUNK) {
            writer
                .as_mut()
                .write(&[
                    &d.code.as_str(),
                    &d.procedure_code.national(),
                    &d.receiving_agency_code.as_str(),
                    &d.handling_agency_code.as_str(),
                    &d.channel.code(),
                    &d.status.code(),
                    &d.applicant_name,
                    &d.applicant_phone.as_ref().map(|p| p.e164()),
                    &d.received_at,
                    &d.due_at,
                    &d.finished_at,
                    &d.returned_at,
                    &d.supplement_count,
                    &d.supplement_requested_at,
                    &d.supplement_seconds,
                    &d.supplement_request,
                    &d.version,
                    &d.source_updated_at,
                ])
                .await
                .context("writing a dossier row")?;
            chunk.push(d);
        }
        let written = writer.finish().await.context("finishing COPY dossiers")?;

        let sink = tx
            .copy_in(COPY_EVENTS)
            .await
            .context("starting COPY dossier_events")?;
        let writer = BinaryCopyInWriter::new(sink, EVENT_TYPES);
        pin_mut!(writer);
        for d in &chunk {
            // The demo numbers a timeline from 1 (its last step's number is the version).
            for (seq, e) in (1..).zip(&d.events) {
                writer
                    .as_mut()
                    .write(&[
                        &d.code.as_str(),
                        &seq,
                        &e.at,
                        &e.status.code(),
                        &e.step,
                        &e.agency_code.as_ref().map(|a| a.as_str()),
                        &e.note,
                    ])
                    .await
                    .context("writing an event row")?;
            }
        }
        events += writer
            .finish()
            .await
            .context("finishing COPY dossier_events")?;

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
    client
        .batch_execute(ANALYZE)
        .await
        .context("analyzing the demo tables")?;
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

async fn insert_agencies(
    client: &impl GenericClient,
    province: &DemoProvince,
) -> anyhow::Result<u64> {
    let a = &province.agencies;
    let code: Vec<&str> = a.iter().map(|x| x.code.as_str()).collect();
    let parent: Vec<Option<&str>> = a.iter().map(|x| x.parent_code.as_deref()).collect();
    let kind: Vec<&str> = a.iter().map(|x| x.kind).collect();
    let name: Vec<&str> = a.iter().map(|x| x.name.as_str()).collect();
    let address: Vec<&str> = a.iter().map(|x| x.desk_address.as_str()).collect();
    let phone: Vec<&str> = a.iter().map(|x| x.desk_phone.as_str()).collect();
    let hours: Vec<&str> = a.iter().map(|x| x.desk_hours.as_str()).collect();
    client
        .execute(
            INSERT_AGENCIES,
            &[&code, &parent, &kind, &name, &address, &phone, &hours],
        )
        .await
        .context("inserting demo agencies")
}

async fn insert_procedures(
    client: &impl GenericClient,
    province: &DemoProvince,
) -> anyhow::Result<u64> {
    let p = &province.procedures;
    let code: Vec<&str> = p.iter().map(|x| x.code.as_str()).collect();
    let name: Vec<&str> = p.iter().map(|x| x.name.as_str()).collect();
    let field: Vec<&str> = p.iter().map(|x| x.field.as_str()).collect();
    let days: Vec<i32> = p.iter().map(|x| x.processing_days).collect();
    let fee: Vec<Option<i64>> = p.iter().map(|x| x.fee_vnd).collect();
    let note: Vec<Option<&str>> = p.iter().map(|x| x.fee_note.as_deref()).collect();
    let online: Vec<&str> = p.iter().map(|x| x.online_level).collect();
    let level: Vec<&str> = p.iter().map(|x| x.level).collect();
    let agency: Vec<Option<&str>> = p.iter().map(|x| x.agency_code.as_deref()).collect();
    let desk: Vec<Option<&str>> = p.iter().map(|x| x.desk_agency_code.as_deref()).collect();
    let inserted = client
        .execute(
            INSERT_PROCEDURES,
            &[
                &code, &name, &field, &days, &fee, &note, &online, &level, &agency, &desk,
            ],
        )
        .await
        .context("inserting demo procedures")?;
    let mut doc_procedure = Vec::new();
    let mut doc_seq = Vec::new();
    let mut doc_name = Vec::new();
    let mut doc_copies = Vec::new();
    for procedure in p {
        for (seq, (document, copies)) in (1..).zip(&procedure.documents) {
            doc_procedure.push(procedure.code.as_str());
            doc_seq.push(seq);
            doc_name.push(document.as_str());
            doc_copies.push(*copies);
        }
    }
    client
        .execute(
            INSERT_DOCUMENTS,
            &[&doc_procedure, &doc_seq, &doc_name, &doc_copies],
        )
        .await
        .context("inserting demo procedure documents")?;
    Ok(inserted)
}

/// Reads back the showcase dossiers (found by their reserved code suffixes `-9001` … `-9012`), in
/// showcase order, with the lookup numbers the database gave them.
pub async fn showcase(client: &Client) -> anyhow::Result<Vec<ShowcaseRow>> {
    let suffixes: Vec<String> = (1..=SHOWCASE_COUNT as u32)
        .map(|i| format!("-{}", SHOWCASE_SEQ_BASE + i))
        .collect();
    let rows = client
        .query(SELECT_SHOWCASE, &[&suffixes])
        .await
        .context("reading the demo showcase")?;
    rows.iter()
        .map(|row| {
            let code: String = row.try_get(0)?;
            let seq: u32 = code
                .rsplit('-')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let index = seq.saturating_sub(SHOWCASE_SEQ_BASE + 1) as usize;
            Ok(ShowcaseRow {
                lookup_number: row.try_get(1)?,
                status: row.try_get(2)?,
                phone_last4: row.try_get(3)?,
                note: generate::showcase_note(index),
                code,
            })
        })
        .collect()
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
}
