//! The statements that load the demo province into the read model: the catalog with one `unnest`
//! insert per table (codes already present are left alone), dossiers and their timelines with
//! binary COPY, the planner statistics afterwards, and the read-back of the showcase. They take
//! domain types; what to load and in how many rounds is the demo service's business.
//!
//! Names and phone numbers are personal data even when invented: nothing here logs them.

use anyhow::Context as _;
use chrono::NaiveDate;
use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::{GenericClient, Transaction};

use crate::domain::{Agency, Dossier, Procedure};

const INSERT_AGENCIES: &str = "INSERT INTO agencies \
    (code, parent_code, kind, name, desk_address, desk_phone, desk_hours, valid_from, valid_until) \
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
        $7::text[], $8::date[], $9::date[]) \
    ON CONFLICT (code) DO NOTHING";

const INSERT_SUCCESSORS: &str = "INSERT INTO agency_successors (agency_code, successor_code) \
    SELECT * FROM unnest($1::text[], $2::text[]) \
    ON CONFLICT (agency_code, successor_code) DO NOTHING";

/// Inserts `agencies` (parents first) whose codes are not stored yet, with their lifecycle
/// (valid from, valid until, successors); stored ones are left alone, and so are the successors
/// already stored. Their versions are not written: a new row starts at version 0, so the first
/// catalog push replaces it. Returns how many agencies were inserted.
pub async fn insert_agencies(
    client: &impl GenericClient,
    agencies: &[Agency],
) -> anyhow::Result<u64> {
    let a = agencies;
    let code: Vec<&str> = a.iter().map(|x| x.code.as_str()).collect();
    let parent: Vec<Option<&str>> = a
        .iter()
        .map(|x| x.parent_code.as_ref().map(|p| p.as_str()))
        .collect();
    let kind: Vec<&str> = a.iter().map(|x| x.kind.as_str()).collect();
    let name: Vec<&str> = a.iter().map(|x| x.name.as_str()).collect();
    let address: Vec<Option<&str>> = a.iter().map(|x| x.desk_address.as_deref()).collect();
    let phone: Vec<Option<&str>> = a.iter().map(|x| x.desk_phone.as_deref()).collect();
    let hours: Vec<Option<&str>> = a.iter().map(|x| x.desk_hours.as_deref()).collect();
    let from: Vec<Option<NaiveDate>> = a.iter().map(|x| x.valid_from).collect();
    let until: Vec<Option<NaiveDate>> = a.iter().map(|x| x.valid_until).collect();
    let inserted = client
        .execute(
            INSERT_AGENCIES,
            &[
                &code, &parent, &kind, &name, &address, &phone, &hours, &from, &until,
            ],
        )
        .await
        .context("inserting demo agencies")?;
    let (mut closed, mut successor): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for agency in a {
        for next in agency.successors.iter().flatten() {
            closed.push(agency.code.as_str());
            successor.push(next.as_str());
        }
    }
    client
        .execute(INSERT_SUCCESSORS, &[&closed, &successor])
        .await
        .context("inserting the successors of demo agencies")?;
    Ok(inserted)
}

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

/// Inserts `procedures` whose codes are not stored yet, and their documents (numbered from 1)
/// where not stored yet; stored ones are left alone, and versions are not written (see
/// [`insert_agencies`]). Returns how many procedures were inserted.
pub async fn insert_procedures(
    client: &impl GenericClient,
    procedures: &[Procedure],
) -> anyhow::Result<u64> {
    let p = procedures;
    let code: Vec<&str> = p.iter().map(|x| x.code.as_str()).collect();
    let name: Vec<&str> = p.iter().map(|x| x.name.as_str()).collect();
    let field: Vec<&str> = p.iter().map(|x| x.field.as_str()).collect();
    let days: Vec<i32> = p.iter().map(|x| x.processing_days).collect();
    let fee: Vec<Option<i64>> = p.iter().map(|x| x.fee_vnd).collect();
    let note: Vec<Option<&str>> = p.iter().map(|x| x.fee_note.as_deref()).collect();
    let online: Vec<&str> = p.iter().map(|x| x.online_level.as_str()).collect();
    let level: Vec<Option<&str>> = p
        .iter()
        .map(|x| x.level.as_ref().map(|l| l.as_str()))
        .collect();
    let agency: Vec<Option<&str>> = p
        .iter()
        .map(|x| x.agency_code.as_ref().map(|a| a.as_str()))
        .collect();
    let desk: Vec<Option<&str>> = p
        .iter()
        .map(|x| x.desk_agency_code.as_ref().map(|a| a.as_str()))
        .collect();
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
        let documents = procedure.documents.as_deref().unwrap_or_default();
        for (seq, (document, copies)) in (1..).zip(documents) {
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

/// Where [`copy_dossiers`] writes: the read model's tables, or tables made `LIKE` them (same
/// columns). The names are the program's own constants, never input.
#[derive(Debug, Clone, Copy)]
pub struct CopyTables {
    /// The table of dossiers.
    pub dossiers: &'static str,
    /// The table of their timelines.
    pub events: &'static str,
}

impl CopyTables {
    /// `dossiers` and `dossier_events`.
    pub const READ_MODEL: Self = Self {
        dossiers: "dossiers",
        events: "dossier_events",
    };
}

const DOSSIER_COLUMNS: &str = "(code, procedure_code, receiving_agency_code, \
    handling_agency_code, channel, status, applicant_name, applicant_phone, received_at, due_at, \
    finished_at, returned_at, supplement_count, supplement_requested_at, supplement_seconds, \
    supplement_request, version, source_updated_at, fee_amount_vnd, fee_payment_place, \
    citizen_due_at)";

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
    Type::INT8,
    Type::TEXT,
    Type::TIMESTAMPTZ,
];

const EVENT_COLUMNS: &str = "(dossier_code, seq, occurred_at, status, step, agency_code, note)";

const EVENT_TYPES: &[Type] = &[
    Type::TEXT,
    Type::INT4,
    Type::TIMESTAMPTZ,
    Type::INT2,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

/// `COPY <table> <columns> FROM STDIN (FORMAT binary)`.
fn copy_statement(table: &str, columns: &str) -> String {
    format!("COPY {table} {columns} FROM STDIN (FORMAT binary)")
}

/// Writes `dossiers` into `tables` inside the caller's transaction with two binary COPYs: the
/// dossiers, then their timelines, each timeline numbered from `first_seq`. The lookup number is
/// left to its column default, so numbers follow the order of `dossiers`. Returns how many
/// dossiers and events were written.
pub async fn copy_dossiers(
    transaction: &Transaction<'_>,
    tables: CopyTables,
    dossiers: &[Dossier],
    first_seq: i32,
) -> anyhow::Result<(u64, u64)> {
    let sink = transaction
        .copy_in(copy_statement(tables.dossiers, DOSSIER_COLUMNS).as_str())
        .await
        .context("starting COPY dossiers")?;
    let writer = BinaryCopyInWriter::new(sink, DOSSIER_TYPES);
    pin_mut!(writer);
    for d in dossiers {
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
                &d.fee_amount_vnd,
                &d.fee_payment_place,
                &d.citizen_due_at,
            ])
            .await
            .context("writing a dossier row")?;
    }
    let written = writer.finish().await.context("finishing COPY dossiers")?;

    let sink = transaction
        .copy_in(copy_statement(tables.events, EVENT_COLUMNS).as_str())
        .await
        .context("starting COPY dossier_events")?;
    let writer = BinaryCopyInWriter::new(sink, EVENT_TYPES);
    pin_mut!(writer);
    for d in dossiers {
        for (seq, e) in (first_seq..).zip(&d.events) {
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
    let events = writer
        .finish()
        .await
        .context("finishing COPY dossier_events")?;
    Ok((written, events))
}

/// Every table that references dossiers goes with them (named, not CASCADE, so a new reference
/// has to be added here on purpose), and lookup numbers start again from the first.
const DELETE_ALL_DOSSIERS: &str =
    "TRUNCATE dossier_events, dossier_views, sms_subscriptions, sms_ratings, dossiers;
     ALTER SEQUENCE dossier_lookup_seq RESTART";

/// Deletes every dossier and what hangs on them, and restarts the lookup numbers (before a demo
/// load replaces the read model's dossiers).
pub async fn delete_all_dossiers(client: &impl GenericClient) -> anyhow::Result<()> {
    client.batch_execute(DELETE_ALL_DOSSIERS).await?;
    Ok(())
}

const ANALYZE: &str = "ANALYZE agencies, procedures, dossiers, dossier_events";

/// Updates the planner statistics of the tables a load filled (outside its transaction: the
/// planner should see the committed rows).
pub async fn update_statistics(client: &impl GenericClient) -> anyhow::Result<()> {
    client
        .batch_execute(ANALYZE)
        .await
        .context("analyzing the demo tables")
}

/// A dossier as the showcase table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowcaseDossier {
    /// Dossier code.
    pub code: String,
    /// Lookup number assigned by the database.
    pub lookup_number: i64,
    /// Current status code.
    pub status: i16,
    /// Last four digits of the applicant's phone (the rest is never shown).
    pub phone_last4: Option<String>,
}

const LIST_BY_CODE_SUFFIXES: &str = "SELECT code, lookup_number, status, \
    right(applicant_phone, 4) FROM dossiers WHERE right(code, 5) = ANY($1) ORDER BY right(code, 4)";

/// The dossiers whose codes end with one of `suffixes` (five characters each, e.g. `-9001`), in
/// the order of their last four characters.
pub async fn list_by_code_suffixes(
    client: &impl GenericClient,
    suffixes: &[String],
) -> anyhow::Result<Vec<ShowcaseDossier>> {
    let rows = client
        .query(LIST_BY_CODE_SUFFIXES, &[&suffixes])
        .await
        .context("reading the demo showcase")?;
    rows.iter()
        .map(|row| {
            Ok(ShowcaseDossier {
                code: row.try_get(0)?,
                lookup_number: row.try_get(1)?,
                status: row.try_get(2)?,
                phone_last4: row.try_get(3)?,
            })
        })
        .collect()
}
