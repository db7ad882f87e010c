//! `tracuu sync verify`: compares the pull source with the read model and prints every dossier
//! that differs. The source is read through the pull query from the initial watermark, each row
//! mapped and validated exactly as a pull would; both sides are then reduced to the same
//! canonical content ([`content_hash`], the one place that defines it) and hashed.
//!
//! Memory stays bounded for millions of dossiers: the read model is compared one source batch at
//! a time (by code), and the only thing kept across batches is a set of 16-byte digests of the
//! source's codes, used at the end to find dossiers only the read model has (streamed in code
//! order, a page at a time). On a live source, dossiers changed during the run may show as differing (the pull has
//! not caught up yet) and ones changed within the query's settle delay as "not in source": run it
//! again to tell drift from lag.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::pull::{raw_code, to_item, PullSource};
use crate::config::Settings;
use crate::db;
use crate::domain::dossier::Dossier;
use crate::domain::DossierCode;

/// Counts of a verify run. Any of `missing`, `differing`, `not_in_source` or `invalid` above zero
/// means the two sides differ.
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
}

impl VerifySummary {
    /// How many dossiers differ in any way.
    pub fn differences(&self) -> u64 {
        self.missing + self.differing + self.not_in_source + self.invalid
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
    let source = PullSource::from_settings(settings)?;
    let source_client = source.open().await?;
    let target = db::connect(target_connection).await?;
    let mut summary = VerifySummary::default();
    let mut seen: HashSet<[u8; 16]> = HashSet::new();
    let mut watermark = source.initial_watermark.clone();
    let now = Utc::now();
    loop {
        let rows = source.next_rows(&source_client, &watermark).await?;
        let Some(last) = rows.last().map(|row| row.watermark.clone()) else {
            break;
        };
        let mut valid: Vec<Dossier> = Vec::with_capacity(rows.len());
        for row in rows {
            let code = raw_code(&row.fields)
                .and_then(|raw| DossierCode::parse(&raw).ok())
                .map(|code| code.as_str().to_owned());
            let first_sighting = match &code {
                Some(code) => seen.insert(code_digest(code)),
                None => true,
            };
            if first_sighting {
                summary.source += 1;
            }
            let checked = to_item(row.fields).and_then(|payload| {
                payload
                    .validate(now)
                    .map_err(|error| format!("{}: {}", error.field, error.reason))
            });
            match (checked, code) {
                (Ok(dossier), _) => valid.push(dossier),
                (Err(reason), Some(code)) => {
                    summary.invalid += 1;
                    writeln!(out, "{code}: invalid in source ({reason})")?;
                }
                (Err(reason), None) => {
                    summary.invalid += 1;
                    writeln!(
                        out,
                        "(source row at watermark {}): cannot be read ({reason})",
                        row.watermark
                    )?;
                }
            }
        }
        let codes: Vec<&str> = valid.iter().map(|d| d.code.as_str()).collect();
        // Code -> the stored version and content digest (none for a row that is not a dossier
        // the sync path could have written: no snapshot matches it, so it differs).
        let stored: HashMap<String, (i64, Option<[u8; 16]>)> =
            db::verify::list_stored_by_codes(&target, &codes)
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
        for dossier in &valid {
            let code = dossier.code.as_str();
            match stored.get(code) {
                None => {
                    summary.missing += 1;
                    writeln!(out, "{code}: missing in read model")?;
                }
                Some((version, hash)) if *hash != Some(content_hash(dossier)) => {
                    summary.differing += 1;
                    writeln!(
                        out,
                        "{code}: differs (version source {}, read model {version})",
                        dossier.version
                    )?;
                }
                Some(_) => summary.matching += 1,
            }
        }
        watermark = last;
    }
    drop(source_client);

    let mut after = String::new();
    loop {
        let codes = db::verify::list_codes_after(&target, &after, source.batch_size).await?;
        let Some(last) = codes.last().cloned() else {
            break;
        };
        summary.read_model += codes.len() as u64;
        for code in codes {
            if !seen.contains(&code_digest(&code)) {
                summary.not_in_source += 1;
                writeln!(out, "{code}: not in source")?;
            }
        }
        after = last;
    }
    writeln!(
        out,
        "source {} dossiers, read model {}: {} match, {} missing in read model, {} differ, {} not in \
         source, {} invalid in source",
        summary.source,
        summary.read_model,
        summary.matching,
        summary.missing,
        summary.differing,
        summary.not_in_source,
        summary.invalid
    )?;
    Ok(summary)
}
