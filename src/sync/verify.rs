//! `tracuu sync verify` and `tracuu sync repair`: compare the pull source with the read model,
//! print every dossier that differs, and (repair) make the read model equal to the source. The
//! source is read through the pull query from the initial watermark and each batch is screened by
//! the very function a pulled batch goes through ([`screen`]: validation, catalog check); both
//! sides are then reduced to the same canonical content ([`content_hash`], the one place that
//! defines it) and hashed.
//!
//! A live source moves while it is read. A dossier changed within the settle delay (plus the
//! pull's poll interval) before the run, or during it, is reported as pending, not as drift: the
//! pull has not applied it yet. To see the changes the query leaves out for the settle delay, the
//! run waits that long after the source pass and reads the source again from where it ended.
//!
//! Memory stays bounded for millions of dossiers: the read model is compared one source batch at
//! a time (by code), and what is kept across batches is a 16-byte digest per source code (and per
//! dossier only the read model seems to have), used to find dossiers only the read model has
//! (walked in code order, a page at a time).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::pull::{raw_code, standalone_service, to_item, PullSource};
use super::service::{screen, BatchReport, SyncService};
use crate::config::Settings;
use crate::db;
use crate::db::source::SourceRow;
use crate::domain::dossier::Dossier;
use crate::domain::DossierCode;

/// What a run does about the differences it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report them (`tracuu sync verify`).
    Verify,
    /// Repair them (`tracuu sync repair`); with `dry_run`, say what it would do and change
    /// nothing.
    Repair { dry_run: bool },
}

/// Counts of a verify run. Any of `missing`, `differing`, `not_in_source` or `invalid` above zero
/// means the two sides differ; `pending` dossiers are not compared as drift.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifySummary {
    /// Dossiers (distinct codes) the source query returned, readable or not.
    pub source: u64,
    pub read_model: u64,
    pub matching: u64,
    /// In the source, not in the read model.
    pub missing: u64,
    /// In both, with different content or version.
    pub differing: u64,
    /// In the read model only.
    pub not_in_source: u64,
    /// Source rows that a pull would refuse (so they cannot be compared).
    pub invalid: u64,
    /// Differing or missing, but changed in the source within the settle delay and poll interval
    /// before the run, or during it: the pull has not applied them yet.
    pub pending: u64,
    /// Differences a repair removed (0 for verify and a dry run).
    pub repaired: u64,
}

impl VerifySummary {
    /// How many dossiers differ in any way (pending ones do not count).
    pub fn differences(&self) -> u64 {
        self.missing + self.differing + self.not_in_source + self.invalid
    }

    /// Differences still there at the end of the run.
    pub fn remaining(&self) -> u64 {
        self.differences().saturating_sub(self.repaired)
    }
}

/// Feeds values into SHA-256 unambiguously (lengths before strings, a tag before optionals).
struct ContentHasher(Sha256);

impl ContentHasher {
    fn int(&mut self, value: i64) {
        self.0.update(value.to_be_bytes());
    }
    fn text(&mut self, value: &str) {
        self.int(value.len() as i64);
        self.0.update(value.as_bytes());
    }
    fn time(&mut self, value: DateTime<Utc>) {
        self.int(value.timestamp_micros());
    }
    fn optional<T>(&mut self, value: Option<T>, each: impl FnOnce(&mut Self, T)) {
        match value {
            None => self.0.update([0]),
            Some(value) => {
                self.0.update([1]);
                each(self, value);
            }
        }
    }
    fn finish(self) -> [u8; 16] {
        let digest = self.0.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        out
    }
}

/// A 16-byte digest of a dossier's canonical content: every field as the read model stores it
/// (the procedure by its national part, the one place that says so), in a fixed order. A source
/// snapshot and the stored dossier it became have the same digest.
pub fn content_hash(d: &Dossier) -> [u8; 16] {
    let mut h = ContentHasher(Sha256::new());
    h.text(d.code.as_str());
    h.int(d.version);
    h.text(d.procedure_code.national());
    h.text(d.receiving_agency_code.as_str());
    h.text(d.handling_agency_code.as_str());
    h.int(d.channel.code().into());
    h.int(d.status.code().into());
    h.text(&d.applicant_name);
    h.optional(d.applicant_phone.as_ref(), |h, v| h.text(v.e164()));
    h.time(d.received_at);
    for at in [d.due_at, d.finished_at, d.returned_at] {
        h.optional(at, |h, v| h.time(v));
    }
    h.int(d.supplement_count.into());
    h.optional(d.supplement_requested_at, |h, v| h.time(v));
    h.int(d.supplement_seconds);
    h.optional(d.supplement_request.as_deref(), |h, v| h.text(v));
    h.time(d.source_updated_at);
    h.optional(d.fee_amount_vnd, |h, v| h.int(v));
    h.optional(d.fee_payment_place.as_deref(), |h, v| h.text(v));
    h.optional(d.citizen_due_at, |h, v| h.time(v));
    h.int(d.events.len() as i64);
    for e in &d.events {
        h.time(e.at);
        h.int(e.status.code().into());
        h.text(&e.step);
        h.optional(e.agency_code.as_ref(), |h, v| h.text(v.as_str()));
        h.optional(e.note.as_deref(), |h, v| h.text(v));
    }
    h.finish()
}

fn code_digest(code: &str) -> [u8; 16] {
    let digest = Sha256::digest(code.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Compares the configured pull source with the read model at `target_connection`, writing one
/// line per difference and a summary line to `out`.
pub async fn verify(
    settings: &Settings,
    target_connection: &str,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<VerifySummary> {
    run(settings, target_connection, Mode::Verify, out).await
}

/// Like [`verify`], then makes the read model equal to the source: dossiers that differ or are
/// missing are applied again from the source's rows, whatever their versions, and dossiers the
/// source does not have are deleted, both through [`SyncService`] (views re-rendered, other
/// instances notified). Pending and invalid dossiers are reported and left alone. With
/// `dry_run`, says what it would do and changes nothing.
pub async fn repair(
    settings: &Settings,
    target_connection: &str,
    dry_run: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<VerifySummary> {
    run(settings, target_connection, Mode::Repair { dry_run }, out).await
}

async fn run(
    settings: &Settings,
    target_connection: &str,
    mode: Mode,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<VerifySummary> {
    let source = PullSource::from_settings(settings)?;
    let source_client = source.open().await?;
    // The comparison reads on a connection of its own, so that repairs (through the service's
    // pool) never wait for the connection the comparison holds, whatever the pool's size.
    let (_, sync) = standalone_service(
        settings,
        target_connection,
        crate::telemetry::Metrics::new()?,
    )?;
    let target = db::connect(target_connection)
        .await
        .context("cannot connect to the read model")?;
    // Each side's own clock: the source's for its change times, the read model's for its own.
    let source_started = db::sync::now(&source_client)
        .await
        .context("cannot read the pull source's clock")?;
    let target_started = db::sync::now(&target).await?;
    let recent = chrono::Duration::from_std(source.settle + source.poll_interval)?;
    let mut run = Run {
        mode,
        out,
        sync,
        horizon: source_started - recent,
        summary: VerifySummary::default(),
        seen: HashMap::new(),
    };

    // The source, from the beginning.
    let mut watermark = source.initial_watermark.clone();
    loop {
        let rows = source.next_rows(&source_client, &watermark).await?;
        let Some(last) = rows.last().map(|row| row.watermark.clone()) else {
            break;
        };
        run.batch(&target, rows, Pass::Source).await?;
        watermark = last;
    }
    let source_read = Instant::now();

    // The read model: codes the source pass did not return.
    let mut only_here: HashSet<[u8; 16]> = HashSet::new();
    let mut after = String::new();
    loop {
        let codes = db::verify::list_codes_after(&target, &after, source.batch_size).await?;
        let Some(last) = codes.last().cloned() else {
            break;
        };
        run.summary.read_model += codes.len() as u64;
        for code in &codes {
            let digest = code_digest(code);
            if !run.seen.contains_key(&digest) {
                only_here.insert(digest);
            }
        }
        after = last;
    }

    // What the query left out for its settle delay, or what changed since it was read.
    tokio::time::sleep(source.settle.saturating_sub(source_read.elapsed())).await;
    loop {
        let rows = source.next_rows(&source_client, &watermark).await?;
        let Some(last) = rows.last().map(|row| row.watermark.clone()) else {
            break;
        };
        run.batch(&target, rows, Pass::Tail).await?;
        watermark = last;
    }
    drop(source_client);

    // Dossiers only the read model has, for certain now.
    if !only_here.is_empty() {
        let mut after = String::new();
        loop {
            let codes = db::verify::list_codes_after(&target, &after, source.batch_size).await?;
            let Some(last) = codes.last().cloned() else {
                break;
            };
            let gone: Vec<&str> = codes
                .iter()
                .map(String::as_str)
                .filter(|code| {
                    let digest = code_digest(code);
                    only_here.contains(&digest) && !run.seen.contains_key(&digest)
                })
                .collect();
            run.not_in_source(&gone, target_started).await?;
            after = last;
        }
    }
    run.finish()?;
    Ok(run.summary)
}

/// Which read of the source a batch comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// From the beginning.
    Source,
    /// After the settle delay, from where the first read ended: every row changed recently.
    Tail,
}

/// How a source code came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Matched,
    /// Printed (a difference or pending): not judged again.
    Reported,
}

/// A difference in a source dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drift {
    Missing,
    Differs { stored: i64 },
}

struct Run<'a> {
    mode: Mode,
    out: &'a mut (dyn Write + Send),
    sync: SyncService,
    /// Source rows changed after this are pending when they differ.
    horizon: DateTime<Utc>,
    summary: VerifySummary,
    /// Digest of each source code so far, and how it came out.
    seen: HashMap<[u8; 16], Seen>,
}

impl Run<'_> {
    /// Screens and compares one batch of source rows; a repair re-applies the drift found.
    async fn batch(
        &mut self,
        target: &deadpool_postgres::Object,
        rows: Vec<SourceRow>,
        pass: Pass,
    ) -> anyhow::Result<()> {
        let mut items = Vec::with_capacity(rows.len());
        // Per item: the code as read (when it parses) and the row's watermark.
        let mut read: Vec<(Option<String>, String)> = Vec::with_capacity(rows.len());
        // Codes already judged as matching, met again: changed during the run.
        let mut again: HashSet<String> = HashSet::new();
        for row in rows {
            let code = raw_code(&row.fields)
                .and_then(|raw| DossierCode::parse(&raw).ok())
                .map(|code| code.as_str().to_owned());
            match code
                .as_deref()
                .map(|code| self.seen.get(&code_digest(code)))
            {
                Some(Some(Seen::Reported)) => continue,
                Some(Some(Seen::Matched)) => {
                    self.summary.matching -= 1;
                    again.extend(code.clone());
                }
                Some(None) | None => self.summary.source += 1,
            }
            if let Some(code) = &code {
                self.seen.insert(code_digest(code), Seen::Reported);
            }
            read.push((code, row.watermark));
            items.push(to_item(row.fields));
        }
        let mut report = BatchReport::default();
        let (candidates, _) = screen(target, items, Utc::now(), &mut report).await?;
        for refused in &report.errors {
            let (code, watermark) = &read[refused.index];
            let reason = if refused.field == "(item)" {
                refused.reason.clone()
            } else {
                format!("{}: {}", refused.field, refused.reason)
            };
            self.summary.invalid += 1;
            let left = if matches!(self.mode, Mode::Repair { .. }) {
                "; not applied"
            } else {
                ""
            };
            match refused.code.as_ref().or(code.as_ref()) {
                Some(code) => writeln!(self.out, "{code}: invalid in source ({reason}){left}")?,
                None => writeln!(
                    self.out,
                    "(source row at watermark {watermark}): cannot be read ({reason}){left}"
                )?,
            }
        }

        let codes: Vec<&str> = candidates.iter().map(|(_, d)| d.code.as_str()).collect();
        // Code -> the stored version and content digest (none for a row that is not a dossier
        // the sync path could have written: no snapshot matches it, so it differs).
        let stored: HashMap<String, (i64, Option<[u8; 16]>)> =
            db::verify::list_stored_by_codes(target, &codes)
                .await?
                .into_iter()
                .map(|stored| match stored {
                    Ok(d) => (
                        d.code.as_str().to_owned(),
                        (d.version, Some(content_hash(&d))),
                    ),
                    Err(unreadable) => (unreadable.code, (unreadable.version, None)),
                })
                .collect();
        let mut drift: Vec<(Dossier, Drift)> = Vec::new();
        for (_, dossier) in candidates {
            let code = dossier.code.as_str();
            let found = match stored.get(code) {
                None => Drift::Missing,
                Some((version, hash)) if *hash != Some(content_hash(&dossier)) => {
                    Drift::Differs { stored: *version }
                }
                Some(_) => {
                    self.summary.matching += 1;
                    self.seen.insert(code_digest(code), Seen::Matched);
                    continue;
                }
            };
            let recent = pass == Pass::Tail
                || again.contains(code)
                || dossier.source_updated_at > self.horizon;
            if recent {
                self.summary.pending += 1;
                let stored = match found {
                    Drift::Missing => "none".to_owned(),
                    Drift::Differs { stored } => stored.to_string(),
                };
                writeln!(
                    self.out,
                    "{code}: pending (version source {}, read model {stored}; changed in the \
                     source at {}, within the settle delay or during the run)",
                    dossier.version,
                    dossier
                        .source_updated_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )?;
                continue;
            }
            match found {
                Drift::Missing => self.summary.missing += 1,
                Drift::Differs { .. } => self.summary.differing += 1,
            }
            drift.push((dossier, found));
        }
        self.report_drift(drift).await
    }

    /// Prints each difference of a batch and, for a repair, applies the source's rows again.
    async fn report_drift(&mut self, drift: Vec<(Dossier, Drift)>) -> anyhow::Result<()> {
        let describe = |dossier: &Dossier, found: Drift| match found {
            Drift::Missing => format!("{}: missing in read model", dossier.code.as_str()),
            Drift::Differs { stored } => format!(
                "{}: differs (version source {}, read model {stored})",
                dossier.code.as_str(),
                dossier.version
            ),
        };
        let done = match action_of(self.mode) {
            None => {
                for (dossier, found) in &drift {
                    writeln!(self.out, "{}", describe(dossier, *found))?;
                }
                return Ok(());
            }
            Some(done) => done,
        };
        if drift.is_empty() {
            return Ok(());
        }
        let outcome: HashMap<String, String> = match done {
            Action::Say => HashMap::new(),
            Action::Do => {
                let items = drift
                    .iter()
                    .map(|(dossier, found)| {
                        let expected = match found {
                            Drift::Missing => None,
                            Drift::Differs { stored } => Some(*stored),
                        };
                        (dossier.clone(), expected)
                    })
                    .collect();
                let report = self.sync.reapply(items).await?;
                let mut outcome: HashMap<String, String> = report
                    .stale_items
                    .iter()
                    .map(|s| (s.code.clone(), "changed meanwhile, left alone".to_owned()))
                    .collect();
                for refused in report.errors {
                    if let Some(code) = refused.code {
                        outcome.insert(
                            code,
                            format!("refused ({}: {})", refused.field, refused.reason),
                        );
                    }
                }
                outcome
            }
        };
        for (dossier, found) in &drift {
            let line = describe(dossier, *found);
            let what = match (done, outcome.get(dossier.code.as_str())) {
                (Action::Say, _) => match found {
                    Drift::Missing => "would apply".to_owned(),
                    Drift::Differs { .. } => "would re-apply".to_owned(),
                },
                (Action::Do, Some(left)) => left.clone(),
                (Action::Do, None) => {
                    self.summary.repaired += 1;
                    match found {
                        Drift::Missing => "applied".to_owned(),
                        Drift::Differs { .. } => "re-applied".to_owned(),
                    }
                }
            };
            writeln!(self.out, "{line}: {what}")?;
        }
        Ok(())
    }

    /// Prints dossiers only the read model has and, for a repair, deletes them (those tracuu has
    /// not received anything for since the run began).
    async fn not_in_source(
        &mut self,
        codes: &[&str],
        started: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.summary.not_in_source += codes.len() as u64;
        let deleted: HashSet<String> = match action_of(self.mode) {
            Some(Action::Do) => self
                .sync
                .remove(codes, started)
                .await?
                .into_iter()
                .collect(),
            _ => HashSet::new(),
        };
        for code in codes {
            let what = match action_of(self.mode) {
                None => String::new(),
                Some(Action::Say) => ": would delete".to_owned(),
                Some(Action::Do) if deleted.contains(*code) => {
                    self.summary.repaired += 1;
                    ": deleted".to_owned()
                }
                Some(Action::Do) => ": changed meanwhile, left alone".to_owned(),
            };
            writeln!(self.out, "{code}: not in source{what}")?;
        }
        Ok(())
    }

    /// The summary line.
    fn finish(&mut self) -> anyhow::Result<()> {
        let s = &self.summary;
        let repaired = match action_of(self.mode) {
            None => String::new(),
            Some(Action::Say) => format!(
                "; dry run: {} would be repaired",
                s.differences() - s.invalid
            ),
            Some(Action::Do) => format!("; {} repaired", s.repaired),
        };
        writeln!(
            self.out,
            "source {} dossiers, read model {}: {} match, {} missing in read model, {} differ, {} \
             not in source, {} invalid in source, {} pending (changed within the settle delay or \
             during the run){repaired}",
            s.source,
            s.read_model,
            s.matching,
            s.missing,
            s.differing,
            s.not_in_source,
            s.invalid,
            s.pending
        )?;
        Ok(())
    }
}

/// What a repair does with a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Dry run: says it.
    Say,
    /// Does it.
    Do,
}

/// What a run does with a difference: nothing but say it (verify), say what it would do (dry
/// run), or do it.
fn action_of(mode: Mode) -> Option<Action> {
    match mode {
        Mode::Verify => None,
        Mode::Repair { dry_run: true } => Some(Action::Say),
        Mode::Repair { dry_run: false } => Some(Action::Do),
    }
}
