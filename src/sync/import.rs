//! `tracuu import agencies FILE` and `tracuu import procedures FILE`: the catalog from a
//! spreadsheet, for installations whose main store cannot push it.
//!
//! The file is CSV as spreadsheets save it: UTF-8 (a byte-order mark is allowed), comma-separated,
//! cells with commas, quotes or line breaks in double quotes, and a header row naming the columns
//! (any order, any case). The columns are the push payload's fields; optional ones may be left out
//! of the header or left blank. Every row goes through the push payload's validation
//! ([`super::catalog`]); a refused row is reported as `line N: field: reason`, where N is the
//! physical line of the file the row starts on (the header is line 1). The valid rows are applied
//! in one transaction with the push path's batch code, so the version rule, the parent checks and
//! the cache notifications are the same. Without a `version` (column or cell) a row gets the
//! current Unix time, or the stored version plus one if that is larger, so the import wins.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use anyhow::Context;

use super::catalog::{
    apply_agencies_in, apply_agency_batch, apply_procedure_batch, check, AgencyPayload,
    CatalogEntry, CatalogPayload, CheckedItem, DocumentPayload, ProcedurePayload,
};
use super::service::{BatchError, BatchReport, ItemReport};
use super::snapshot::ItemError;
use crate::db;

/// Largest file read: a province's catalog is a few megabytes at most.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// The origin of the change notifications an import sends (no instance has this tag, so every
/// running instance refreshes its cached views).
pub const IMPORT_ORIGIN: &str = "import";

/// Which catalog a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogKind {
    Agencies,
    Procedures,
}

impl fmt::Display for CatalogKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CatalogKind::Agencies => "agencies",
            CatalogKind::Procedures => "procedures",
        })
    }
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Physical line of the file where the row starts (header = 1).
    pub line: usize,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.reason)
    }
}

/// A valid row that changed nothing: the stored version is as new or newer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnchangedRow {
    pub line: usize,
    pub code: String,
    pub version: i64,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub kind: CatalogKind,
    /// Data rows read (blank rows are skipped and not counted).
    pub rows: usize,
    pub applied: usize,
    pub unchanged: Vec<UnchangedRow>,
    /// Refused rows, by line.
    pub errors: Vec<RowError>,
    /// Dossiers whose cached views running instances were told to refresh.
    pub dossiers_notified: usize,
}

impl ImportReport {
    /// True when every row was valid.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    fn from_batch(kind: CatalogKind, rows: usize, report: BatchReport, notified: usize) -> Self {
        Self {
            kind,
            rows,
            applied: report.applied,
            unchanged: report
                .stale_items
                .into_iter()
                .map(|s| UnchangedRow {
                    line: s.index,
                    code: s.code,
                    version: s.version,
                })
                .collect(),
            errors: report
                .errors
                .into_iter()
                .map(|e| RowError {
                    line: e.index,
                    field: e.field,
                    reason: e.reason,
                })
                .collect(),
            dossiers_notified: notified,
        }
    }
}

/// A column of the CSV file.
struct Column {
    name: &'static str,
    required: bool,
}

const fn required(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

const fn optional(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

/// The header: which column sits where.
struct Header {
    positions: HashMap<String, usize>,
    width: usize,
}

/// The cells of one row, by column name.
struct Cells<'a> {
    header: &'a Header,
    values: Vec<String>,
}

impl Cells<'_> {
    /// The cell as written ("" when the column is absent).
    fn text(&self, name: &str) -> String {
        self.header
            .positions
            .get(name)
            .and_then(|&i| self.values.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// The cell, or `None` when the column is absent or the cell blank.
    fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.trim().is_empty())
    }

    /// A whole number; `None` when absent or blank.
    fn integer(&self, name: &str) -> Result<Option<i64>, ItemError> {
        match self.optional(name) {
            None => Ok(None),
            Some(raw) => raw
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ItemError::new(name, "must be a whole number")),
        }
    }
}

/// A payload that can be read from a CSV row.
trait CsvPayload: CatalogPayload {
    const COLUMNS: &'static [Column];
    /// The payload of one row, and whether its version was left out.
    fn from_cells(cells: &Cells<'_>) -> Result<(Self, bool), ItemError>;
}

impl CsvPayload for AgencyPayload {
    const COLUMNS: &'static [Column] = &[
        required("code"),
        optional("parent_code"),
        required("kind"),
        required("name"),
        optional("desk_address"),
        optional("desk_phone"),
        optional("desk_hours"),
        optional("version"),
        optional("valid_from"),
        optional("valid_until"),
        optional("successors"),
    ];

    fn from_cells(cells: &Cells<'_>) -> Result<(Self, bool), ItemError> {
        let version = cells.integer("version")?;
        // Successors in one cell, separated by semicolons; an empty cell keeps the stored ones.
        let successors = cells.optional("successors").map(|cell| {
            cell.split(';')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
                .collect()
        });
        Ok((
            AgencyPayload {
                code: cells.text("code"),
                parent_code: cells.optional("parent_code"),
                kind: cells.text("kind"),
                name: cells.text("name"),
                desk_address: cells.optional("desk_address"),
                desk_phone: cells.optional("desk_phone"),
                desk_hours: cells.optional("desk_hours"),
                version: version.unwrap_or(0),
                valid_from: cells.optional("valid_from"),
                valid_until: cells.optional("valid_until"),
                successors,
            },
            version.is_none(),
        ))
    }
}

impl CsvPayload for ProcedurePayload {
    const COLUMNS: &'static [Column] = &[
        required("code"),
        required("name"),
        required("field"),
        required("processing_days"),
        optional("fee_vnd"),
        optional("fee_note"),
        required("online_level"),
        optional("version"),
        optional("level"),
        optional("agency_code"),
        optional("desk_agency_code"),
        optional("documents"),
    ];

    fn from_cells(cells: &Cells<'_>) -> Result<(Self, bool), ItemError> {
        let processing_days = cells
            .integer("processing_days")?
            .ok_or_else(|| ItemError::new("processing_days", "is empty"))?;
        let fee_vnd = match cells.optional("fee_vnd") {
            None => None,
            Some(raw) => Some(parse_vnd(&raw).ok_or_else(|| {
                ItemError::new(
                    "fee_vnd",
                    "must be a whole number of đồng (thousands may be grouped: 1.500.000)",
                )
            })?),
        };
        let version = cells.integer("version")?;
        Ok((
            ProcedurePayload {
                code: cells.text("code"),
                name: cells.text("name"),
                field: cells.text("field"),
                processing_days,
                fee_vnd,
                fee_note: cells.optional("fee_note"),
                online_level: cells.text("online_level"),
                version: version.unwrap_or(0),
                level: cells.optional("level"),
                agency_code: cells.optional("agency_code"),
                desk_agency_code: cells.optional("desk_agency_code"),
                // One cell, documents separated by `|` (names contain commas and semicolons).
                documents: cells.optional("documents").map(|raw| {
                    raw.split('|')
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(|d| DocumentPayload {
                            name: d.to_owned(),
                            copies: 1,
                        })
                        .collect()
                }),
            },
            version.is_none(),
        ))
    }
}

/// An amount of đồng as spreadsheets write it: `50000`, `50.000`, `50,000` or `50 000` (đồng have
/// no fractions, so a dot or comma can only group thousands). Negative amounts parse, and are
/// refused by validation with the payload's own message.
fn parse_vnd(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (sign, digits) = match raw.strip_prefix('-') {
        Some(rest) => (-1, rest.trim_start()),
        None => (1, raw),
    };
    let separators: HashSet<char> = digits.chars().filter(|c| !c.is_ascii_digit()).collect();
    let plain: String = match separators.len() {
        0 => digits.to_owned(),
        1 => {
            let separator = *separators.iter().next()?;
            if !matches!(separator, '.' | ',' | ' ' | '\u{a0}') {
                return None;
            }
            let groups: Vec<&str> = digits.split(separator).collect();
            let well_grouped =
                (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
            if !well_grouped {
                return None;
            }
            groups.concat()
        }
        _ => return None,
    };
    if plain.is_empty() {
        return None;
    }
    plain.parse::<i64>().ok().map(|v| v * sign)
}

/// The rows of a file, validated, each item indexed by its line.
struct ParsedFile<T> {
    rows: usize,
    items: Vec<CheckedItem<T>>,
    /// Lines whose version was left out.
    defaulted: HashSet<usize>,
}

fn column_list<P: CsvPayload>() -> String {
    P::COLUMNS
        .iter()
        .map(|c| {
            if c.required {
                c.name.to_owned()
            } else {
                format!("[{}]", c.name)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One record of a CSV file: its cells as bytes, the physical line it starts on, and what is
/// wrong with its quoting, if anything.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RawRecord {
    pub(crate) line: usize,
    pub(crate) cells: Vec<Vec<u8>>,
    pub(crate) problem: Option<String>,
}

impl RawRecord {
    /// True for an empty line, or a row of empty cells (spreadsheets save those at the end).
    pub(crate) fn is_blank(&self) -> bool {
        self.problem.is_none() && self.cells.iter().all(|c| c.trim_ascii().is_empty())
    }
}

/// Splits CSV (RFC 4180, as spreadsheets save it) into records, counting physical lines. Quoted
/// cells may hold commas, `""` for a quote and line breaks; line breaks are `\n`, `\r\n` or `\r`.
/// A leading UTF-8 byte-order mark is skipped. Bytes are not decoded here, so a row that is not
/// UTF-8 is refused on its own. (The `csv` crate's record positions miscount lines after blank
/// lines and with `\r\n`, and the line number is the one thing an operator needs.)
pub(crate) fn split_csv(bytes: &[u8]) -> Vec<RawRecord> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let n = bytes.len();
    let ends_cell = |b: u8| matches!(b, b',' | b'\n' | b'\r');
    let mut records = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < n {
        let mut record = RawRecord {
            line,
            cells: Vec::new(),
            problem: None,
        };
        loop {
            let mut cell = Vec::new();
            if bytes[i..].first() == Some(&b'"') {
                let opened_on = line;
                let mut closed = false;
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'"' if bytes.get(i + 1) == Some(&b'"') => {
                            cell.push(b'"');
                            i += 2;
                        }
                        b'"' => {
                            closed = true;
                            i += 1;
                            break;
                        }
                        byte => {
                            if byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                            {
                                line += 1;
                            }
                            cell.push(byte);
                            i += 1;
                        }
                    }
                }
                if !closed {
                    record.problem.get_or_insert(format!(
                        "the quoted cell opened on line {opened_on} is never closed"
                    ));
                }
                if i < n && !ends_cell(bytes[i]) {
                    record.problem.get_or_insert(
                        "text after the closing quote of a cell (inside quotes, write a quote as \"\")"
                            .into(),
                    );
                    while i < n && !ends_cell(bytes[i]) {
                        i += 1;
                    }
                }
            } else {
                while i < n && !ends_cell(bytes[i]) {
                    cell.push(bytes[i]);
                    i += 1;
                }
            }
            record.cells.push(cell);
            if i < n && bytes[i] == b',' {
                i += 1;
                continue;
            }
            if i < n {
                i += if bytes[i..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                line += 1;
            }
            break;
        }
        records.push(record);
    }
    records
}

/// Reads the header; any problem with it refuses the whole file.
fn read_header<P: CsvPayload>(record: &RawRecord) -> anyhow::Result<Header> {
    let line = record.line;
    let expected = column_list::<P>();
    if let Some(problem) = &record.problem {
        anyhow::bail!("line {line}: {problem}");
    }
    if record.is_blank() {
        anyhow::bail!(
            "line {line}: the header is empty (expected columns: {expected}; [optional])"
        );
    }
    let mut positions = HashMap::new();
    let mut unknown = Vec::new();
    for (i, raw) in record.cells.iter().enumerate() {
        let name = std::str::from_utf8(raw).map_err(|_| {
            anyhow::anyhow!(
                "line {line}: the header is not UTF-8 text (save the file as \"CSV UTF-8\")"
            )
        })?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            // Spreadsheets often save empty columns at the right; rows must leave them empty.
            continue;
        }
        if !P::COLUMNS.iter().any(|c| c.name == name) {
            unknown.push(name);
            continue;
        }
        if positions.insert(name.clone(), i).is_some() {
            anyhow::bail!("line {line}: column {name} appears twice in the header");
        }
    }
    if let [only] = record.cells.as_slice() {
        if only.contains(&b';') || only.contains(&b'\t') {
            anyhow::bail!(
                "line {line}: the header has a single column; cells must be separated by commas, \
                 not semicolons or tabs (expected columns: {expected}; [optional])"
            );
        }
    }
    if !unknown.is_empty() {
        anyhow::bail!(
            "line {line}: unknown column(s) {} (expected columns: {expected}; [optional])",
            unknown.join(", ")
        );
    }
    let missing: Vec<&str> = P::COLUMNS
        .iter()
        .filter(|c| c.required && !positions.contains_key(c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "line {line}: missing column(s) {} in the header (expected columns: {expected}; [optional])",
            missing.join(", ")
        );
    }
    Ok(Header {
        positions,
        width: record.cells.len(),
    })
}

/// Parses and validates a whole file. Errors in the header refuse the file; errors in a row refuse
/// that row.
fn parse_file<P: CsvPayload>(bytes: &[u8]) -> anyhow::Result<ParsedFile<P::Valid>> {
    let mut records = split_csv(bytes).into_iter();
    let header = match records.next() {
        None => anyhow::bail!(
            "the file is empty: line 1 must be the header ({}; [optional])",
            column_list::<P>()
        ),
        Some(record) => read_header::<P>(&record)?,
    };

    let mut parsed = ParsedFile {
        rows: 0,
        items: Vec::new(),
        defaulted: HashSet::new(),
    };
    let mut first_line_of: HashMap<String, usize> = HashMap::new();
    for record in records {
        if record.is_blank() {
            continue;
        }
        let line = record.line;
        parsed.rows += 1;
        let refuse = |field: &str, reason: String| ItemReport {
            index: line,
            code: None,
            field: field.to_owned(),
            reason,
        };
        if let Some(problem) = record.problem {
            parsed.items.push(Err(refuse("(row)", problem)));
            continue;
        }
        if record.cells.len() != header.width {
            parsed.items.push(Err(refuse(
                "(row)",
                format!(
                    "has {} cells, the header has {} (a missing or extra comma? quote cells that contain commas)",
                    record.cells.len(),
                    header.width
                ),
            )));
            continue;
        }
        let unnamed_filled = (0..header.width).find(|i| {
            !header.positions.values().any(|p| p == i) && !record.cells[*i].trim_ascii().is_empty()
        });
        if let Some(position) = unnamed_filled {
            parsed.items.push(Err(refuse(
                "(row)",
                format!(
                    "cell {} is filled but its column has no name in the header",
                    position + 1
                ),
            )));
            continue;
        }
        let mut values = Vec::with_capacity(record.cells.len());
        let mut not_utf8 = None;
        for (position, cell) in record.cells.into_iter().enumerate() {
            match String::from_utf8(cell) {
                Ok(value) => values.push(value),
                Err(_) => {
                    not_utf8 = Some(position);
                    break;
                }
            }
        }
        if let Some(position) = not_utf8 {
            let column = header
                .positions
                .iter()
                .find(|(_, &i)| i == position)
                .map_or("(row)", |(name, _)| name.as_str());
            parsed.items.push(Err(refuse(
                column,
                "is not UTF-8 text (save the file as \"CSV UTF-8\")".into(),
            )));
            continue;
        }
        let cells = Cells {
            header: &header,
            values,
        };
        let (item, defaulted) = match P::from_cells(&cells) {
            Err(error) => {
                let code = Some(cells.text("code")).filter(|c| !c.trim().is_empty());
                let report = ItemReport {
                    index: line,
                    code,
                    field: error.field,
                    reason: error.reason,
                };
                (Err(report), false)
            }
            Ok((payload, defaulted)) => (check(line, Ok(payload)), defaulted),
        };
        // A code twice in one file is a mistake in the spreadsheet, not a newer version.
        let item = match item {
            Ok((line, entry)) => match first_line_of.get(entry.code()) {
                Some(first) => Err(ItemReport {
                    index: line,
                    code: Some(entry.code().to_owned()),
                    field: "code".into(),
                    reason: format!("{} repeats line {first}", entry.code()),
                }),
                None => {
                    first_line_of.insert(entry.code().to_owned(), line);
                    if defaulted {
                        parsed.defaulted.insert(line);
                    }
                    Ok((line, entry))
                }
            },
            refused => refused,
        };
        parsed.items.push(item);
    }
    Ok(parsed)
}

/// Gives every row without a version `max(now, stored + 1)`, so the import replaces what is stored.
fn default_versions<T: CatalogEntry>(
    items: &mut [CheckedItem<T>],
    defaulted: &HashSet<usize>,
    stored: &HashMap<String, i64>,
    now_unix: i64,
) {
    for (line, entry) in items.iter_mut().flatten() {
        if defaulted.contains(line) {
            let after_stored = stored.get(entry.code()).map_or(0, |v| v.saturating_add(1));
            entry.set_version(now_unix.max(after_stored));
        }
    }
}

fn defaulted_codes<T: CatalogEntry>(parsed: &ParsedFile<T>) -> Vec<&str> {
    parsed
        .items
        .iter()
        .flatten()
        .filter(|(line, _)| parsed.defaulted.contains(line))
        .map(|(_, entry)| entry.code())
        .collect()
}

fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_FILE_BYTES,
        "{} is {size} bytes; a catalog file may have at most {MAX_FILE_BYTES}",
        path.display()
    );
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn database_error(error: BatchError) -> anyhow::Error {
    match error {
        BatchError::Database(cause) => cause.context("applying the catalog rows"),
        BatchError::Replayed | BatchError::Repeated(_) => {
            anyhow::anyhow!("an import carries no signature to replay")
        }
    }
}

/// Reads an agencies file and applies its valid rows inside `transaction`, like
/// [`import_csv`] does in its own: the caller commits, or drops the transaction to change nothing
/// (the console applies a file only when no row is refused). Returns what was done and the
/// dossiers whose views show a changed agency, for the cache refresh after the commit;
/// `Ok(Err(reason))` when the file as a whole is unusable (empty, bad header), `Err` when the
/// database fails.
pub async fn stage_agencies(
    transaction: &deadpool_postgres::Transaction<'_>,
    bytes: &[u8],
    origin: &str,
) -> anyhow::Result<Result<(ImportReport, Vec<String>), String>> {
    let now_unix = chrono::Utc::now().timestamp();
    let mut parsed = match parse_file::<AgencyPayload>(bytes) {
        Ok(parsed) => parsed,
        Err(unusable) => return Ok(Err(format!("{unusable:#}"))),
    };
    let stored = db::catalog::list_agency_versions(transaction, &defaulted_codes(&parsed)).await?;
    let stored: HashMap<String, i64> = stored.into_iter().collect();
    default_versions(&mut parsed.items, &parsed.defaulted, &stored, now_unix);
    let outcome = apply_agencies_in(transaction, parsed.items, None, origin)
        .await
        .map_err(database_error)?;
    let notified = outcome.dossiers.len();
    Ok(Ok((
        ImportReport::from_batch(CatalogKind::Agencies, parsed.rows, outcome.report, notified),
        outcome.dossiers,
    )))
}

/// Imports the `kind` catalog from the CSV file at `path` into the database at `connection`.
/// `Err` when the file as a whole is unusable (unreadable, bad header) or the database fails;
/// refused rows are in the report, and the valid rows are applied all the same.
pub async fn import_csv(
    connection: &str,
    kind: CatalogKind,
    path: &Path,
) -> anyhow::Result<ImportReport> {
    let bytes = read_file(path)?;
    let now_unix = chrono::Utc::now().timestamp();
    let mut client = db::connect(connection).await?;
    let (rows, report, notified) = match kind {
        CatalogKind::Agencies => {
            let mut parsed = parse_file::<AgencyPayload>(&bytes)
                .with_context(|| format!("{} is not an agencies file", path.display()))?;
            let stored =
                db::catalog::list_agency_versions(&client, &defaulted_codes(&parsed)).await?;
            let stored: HashMap<String, i64> = stored.into_iter().collect();
            default_versions(&mut parsed.items, &parsed.defaulted, &stored, now_unix);
            let outcome = apply_agency_batch(&mut client, parsed.items, None, IMPORT_ORIGIN)
                .await
                .map_err(database_error)?;
            (parsed.rows, outcome.report, outcome.dossiers.len())
        }
        CatalogKind::Procedures => {
            let mut parsed = parse_file::<ProcedurePayload>(&bytes)
                .with_context(|| format!("{} is not a procedures file", path.display()))?;
            let stored =
                db::catalog::list_procedure_versions(&client, &defaulted_codes(&parsed)).await?;
            let stored: HashMap<String, i64> = stored.into_iter().collect();
            default_versions(&mut parsed.items, &parsed.defaulted, &stored, now_unix);
            let outcome = apply_procedure_batch(&mut client, parsed.items, None, IMPORT_ORIGIN)
                .await
                .map_err(database_error)?;
            (parsed.rows, outcome.report, outcome.dossiers.len())
        }
    };
    Ok(ImportReport::from_batch(kind, rows, report, notified))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::{Agency, Procedure};

    fn agencies(text: &str) -> anyhow::Result<ParsedFile<Agency>> {
        parse_file::<AgencyPayload>(text.as_bytes())
    }

    fn procedures(text: &str) -> anyhow::Result<ParsedFile<Procedure>> {
        parse_file::<ProcedurePayload>(text.as_bytes())
    }

    /// (line, field) of every refused row, and the lines of the accepted ones.
    fn outcome<T>(parsed: &ParsedFile<T>) -> (Vec<(usize, String)>, Vec<usize>) {
        let mut refused = Vec::new();
        let mut accepted = Vec::new();
        for item in &parsed.items {
            match item {
                Ok((line, _)) => accepted.push(*line),
                Err(e) => refused.push((e.index, e.field.clone())),
            }
        }
        (refused, accepted)
    }

    #[test]
    fn rows_are_numbered_by_physical_line_even_after_quoted_line_breaks_and_blank_lines() {
        // Arrange: a BOM, a quoted cell spanning two lines (lines 3–4), a blank line (5).
        let text = "\u{feff}code,kind,name,parent_code\n\
                    000.00.00.H48,province,UBND tỉnh Quảng Ngãi,\n\
                    000.00.16.H48,department,\"Sở Tư pháp\ntỉnh Quảng Ngãi\",000.00.00.H48\n\
                    \n\
                    000.00.17.H48,sở,Sở Y tế,000.00.00.H48\n\
                    ,,,\n\
                    000.00.18.H48,department,Sở Xây dựng\n";

        // Act
        let parsed = agencies(text).expect("parsed");

        // Assert
        let (refused, accepted) = outcome(&parsed);
        assert_eq!(accepted, [2, 3]);
        assert_eq!(refused, [(6, "kind".into()), (8, "(row)".into())]);
        assert_eq!(parsed.rows, 4, "the blank and empty rows are not counted");
        let Ok((_, judicial)) = &parsed.items[1] else {
            panic!("line 3 accepted")
        };
        assert_eq!(judicial.name, "Sở Tư pháp tỉnh Quảng Ngãi");

        // The same file saved with Windows line breaks numbers its lines the same.
        let windows = agencies(&text.replace('\n', "\r\n")).expect("parsed");
        assert_eq!(outcome(&windows), (refused, accepted));
    }

    #[test]
    fn records_start_on_the_right_physical_line_whatever_the_line_breaks() {
        let lines = |text: &str| -> Vec<(usize, usize)> {
            split_csv(text.as_bytes())
                .iter()
                .map(|r| (r.line, r.cells.len()))
                .collect()
        };
        assert_eq!(
            lines("h\na\n\nb\nc\n"),
            [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)]
        );
        assert_eq!(
            lines("h,i\r\na,b\r\n\r\nc,d\r\n"),
            [(1, 2), (2, 2), (3, 1), (4, 2)]
        );
        assert_eq!(lines("h\r\"a\r\nb\"\rc"), [(1, 1), (2, 1), (4, 1)]);
        assert_eq!(lines("\u{feff}h,i,\n,,\n"), [(1, 3), (2, 3)]);
        assert!(split_csv(b"").is_empty());
    }

    #[test]
    fn quoted_cells_keep_commas_quotes_and_line_breaks() {
        let records = split_csv("a,\"b, \"\"c\"\"\nd\",e\nf\n".as_bytes());
        assert_eq!(
            records[0].cells,
            [b"a".to_vec(), b"b, \"c\"\nd".to_vec(), b"e".to_vec()]
        );
        assert_eq!(
            (records[1].line, records[1].cells.clone()),
            (3, vec![b"f".to_vec()])
        );
    }

    #[test]
    fn broken_quoting_is_a_problem_of_its_own_record() {
        let records = split_csv(b"a,\"b\"x,c\nd\n\"never closed\ne,f\n");
        assert!(records[0]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("after the closing quote")));
        assert_eq!(records[0].cells.len(), 3);
        assert_eq!((records[1].line, records[1].problem.is_none()), (2, true));
        assert!(records[2]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("opened on line 3")));
    }

    #[test]
    fn every_field_error_names_its_line_and_field() {
        let text = "code,name,field,processing_days,fee_vnd,online_level,version\n\
                    1.001193,Đăng ký khai sinh,Hộ tịch,0,,full,\n\
                    1.00119,Sai mã,Hộ tịch,1,,full,\n\
                    1.001194.H48,Mã địa phương,Hộ tịch,1,,full,\n\
                    1.001195,Quá hạn,Hộ tịch,366,,full,\n\
                    1.001196,Số ngày chữ,Hộ tịch,mười,,full,\n\
                    1.001197,Lệ phí,Hộ tịch,3,\"1.500.000\",partial,\n\
                    1.001198,Lệ phí sai,Hộ tịch,3,\"1.5\",partial,\n\
                    1.001199,Mức độ,Hộ tịch,3,,toàn trình,\n\
                    1.001200,,Hộ tịch,3,,none,\n\
                    1.001201,Phiên bản,Hộ tịch,3,,none,v2\n\
                    1.001193,Trùng mã,Hộ tịch,3,,none,\n";

        let parsed = procedures(text).expect("parsed");

        let (refused, accepted) = outcome(&parsed);
        assert_eq!(accepted, [2, 7]);
        assert_eq!(
            refused,
            [
                (3, "code".into()),
                (4, "code".into()),
                (5, "processing_days".into()),
                (6, "processing_days".into()),
                (8, "fee_vnd".into()),
                (9, "online_level".into()),
                (10, "name".into()),
                (11, "version".into()),
                (12, "code".into()),
            ]
        );
        let Ok((_, fee)) = &parsed.items[5] else {
            panic!("line 7 accepted")
        };
        assert_eq!(fee.fee_vnd, Some(1_500_000));
        let Err(duplicate) = &parsed.items[10] else {
            panic!("line 12 refused")
        };
        assert!(duplicate.reason.contains("repeats line 2"), "{duplicate:?}");
        assert_eq!(parsed.defaulted.len(), 2);
    }

    #[test]
    fn a_header_missing_a_required_column_refuses_the_file() {
        let error = agencies("code,name\n000.00.00.H48,UBND\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("line 1: missing column(s) kind"),
            "{error}"
        );
    }

    #[test]
    fn unknown_repeated_and_semicolon_headers_are_refused_clearly() {
        let message = |text: &str| {
            agencies(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(message("code,kind,name,cccd\n").contains("unknown column(s) cccd"));
        assert!(message("code,kind,name,NAME\n").contains("column name appears twice"));
        assert!(message("code;kind;name\n").contains("separated by commas"));
        assert!(message("").contains("the file is empty"));
    }

    #[test]
    fn invalid_utf8_refuses_only_its_row() {
        let mut bytes =
            b"code,kind,name\n000.00.00.H48,province,UBND\n000.00.01.H48,province,S\xe1 T\xfd\n"
                .to_vec();
        bytes.extend_from_slice("000.00.02.H48,province,Sở Tài chính\n".as_bytes());
        let parsed = parse_file::<AgencyPayload>(&bytes).expect("parsed");
        let (refused, accepted) = outcome(&parsed);
        assert_eq!(accepted, [2, 4]);
        assert_eq!(refused, [(3, "name".into())]);
    }

    #[test]
    fn amounts_of_dong_accept_thousand_groups_only() {
        for (raw, value) in [
            ("50000", Some(50_000)),
            ("50.000", Some(50_000)),
            ("1,500,000", Some(1_500_000)),
            ("1 500 000", Some(1_500_000)),
            ("-5", Some(-5)),
            ("1.5", None),
            ("1.500,00", None),
            ("12.34.567", None),
            ("abc", None),
            ("", None),
        ] {
            assert_eq!(parse_vnd(raw), value, "{raw}");
        }
    }

    #[test]
    fn a_missing_version_becomes_now_or_one_past_the_stored_one() {
        let mut parsed = agencies(
            "code,kind,name,version\nA1,province,Một,\nA2,province,Hai,\nA3,province,Ba,7\n",
        )
        .expect("parsed");
        let stored: HashMap<String, i64> =
            [("A2".to_owned(), 5_000), ("A3".to_owned(), 100)].into();
        let defaulted = parsed.defaulted.clone();
        default_versions(&mut parsed.items, &defaulted, &stored, 1_000);
        let versions: Vec<i64> = parsed
            .items
            .iter()
            .flatten()
            .map(|(_, a)| a.version)
            .collect();
        assert_eq!(versions, [1_000, 5_001, 7]);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::catalog::{Agency, AgencyKind};
    use crate::domain::AgencyCode;
    use proptest::prelude::*;

    /// A cell as a spreadsheet may hold it: commas, quotes, line breaks, Vietnamese.
    fn cell() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 ,\"\r\nạỹĐđ;\t]{0,12}"
    }

    /// RFC 4180 as spreadsheets write it: a cell with a comma, quote or line break is quoted.
    fn render_cell(cell: &str) -> String {
        if cell.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    }

    fn render(records: &[Vec<String>], line_break: &str) -> String {
        records
            .iter()
            .map(|r| {
                let cells: Vec<String> = r.iter().map(|c| render_cell(c)).collect();
                format!("{}{line_break}", cells.join(","))
            })
            .collect()
    }

    /// Line breaks in `text` as split_csv counts them (`\r\n` is one).
    fn breaks(text: &str) -> usize {
        text.matches("\r\n").count() + text.matches('\n').count() + text.matches('\r').count()
            - 2 * text.matches("\r\n").count()
    }

    /// A clean single-line text, as validation leaves it (trimmed, no control characters).
    fn line(max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Za-z0-9ạ-ỹĐđ ,.\"'()/-]{{1,{max}}}"))
            .unwrap_or_else(|_| unreachable!())
            .prop_map(|s| s.trim().to_owned())
            .prop_filter("not blank", |s| !s.is_empty())
    }

    fn agency_code() -> impl Strategy<Value = AgencyCode> {
        prop::collection::vec("[0-9A-Z]{1,5}", 1..=5).prop_filter_map("a valid code", |groups| {
            AgencyCode::parse(&groups.join(".")).ok()
        })
    }

    fn agency() -> impl Strategy<Value = Agency> {
        (
            agency_code(),
            prop::option::of(agency_code()),
            prop::sample::select(vec![
                "province",
                "department",
                "district",
                "commune",
                "ward",
                "special_zone",
            ])
            .prop_map(|kind| AgencyKind::parse(kind).expect("a level code")),
            line(60),
            prop::option::of(line(60)),
            prop::option::of(line(20)),
            prop::option::of(line(30)),
            0i64..=i64::MAX,
        )
            .prop_filter_map(
                "not its own parent",
                |(code, parent_code, kind, name, desk_address, desk_phone, desk_hours, version)| {
                    (parent_code.as_ref() != Some(&code)).then_some(Agency {
                        code,
                        parent_code,
                        kind,
                        name,
                        desk_address,
                        desk_phone,
                        desk_hours,
                        version,
                        valid_from: None,
                        valid_until: None,
                        successors: None,
                    })
                },
            )
    }

    /// The agency's cells by column name, the way an operator types them.
    fn agency_cells(agency: &Agency, sloppy: bool) -> Vec<(&'static str, String)> {
        let optional = |v: &Option<String>| v.clone().unwrap_or_default();
        let code = if sloppy {
            format!(" {} ", agency.code.as_str().to_lowercase())
        } else {
            agency.code.as_str().to_owned()
        };
        vec![
            ("code", code),
            (
                "parent_code",
                agency
                    .parent_code
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            ("kind", agency.kind.as_str().to_owned()),
            (
                "name",
                if sloppy {
                    format!("  {}\t", agency.name)
                } else {
                    agency.name.clone()
                },
            ),
            ("desk_address", optional(&agency.desk_address)),
            ("desk_phone", optional(&agency.desk_phone)),
            ("desk_hours", optional(&agency.desk_hours)),
            ("version", agency.version.to_string()),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let records = split_csv(&bytes);
            prop_assert!(records.windows(2).all(|w| w[0].line < w[1].line));
            prop_assert!(records.first().is_none_or(|r| r.line == 1));
            let _ = parse_file::<AgencyPayload>(&bytes);
            let _ = parse_file::<ProcedurePayload>(&bytes);
        }

        #[test]
        fn arbitrary_rows_under_a_valid_header_never_panic(
            rows in prop::collection::vec(prop::collection::vec(cell(), 1..14), 0..6),
        ) {
            let agencies = format!("code,kind,name,parent_code,version\n{}", render(&rows, "\n"));
            let _ = parse_file::<AgencyPayload>(agencies.as_bytes());
            let procedures = format!(
                "code,name,field,processing_days,online_level,fee_vnd,documents,level,agency_code\n{}",
                render(&rows, "\r\n")
            );
            let _ = parse_file::<ProcedurePayload>(procedures.as_bytes());
        }

        /// Records written the way spreadsheets write them split back into the same cells, each
        /// on the physical line it starts on.
        #[test]
        fn written_records_split_back(
            records in prop::collection::vec(prop::collection::vec(cell(), 1..5), 1..6),
            windows in any::<bool>(),
            bom in any::<bool>(),
        ) {
            let line_break = if windows { "\r\n" } else { "\n" };
            let text = render(&records, line_break);
            let bytes = if bom { format!("\u{feff}{text}") } else { text.clone() };
            let split = split_csv(bytes.as_bytes());
            prop_assert_eq!(split.len(), records.len());
            let mut line = 1;
            for (raw, expected) in split.iter().zip(&records) {
                prop_assert_eq!(&raw.problem, &None);
                prop_assert_eq!(raw.line, line);
                let cells: Vec<Vec<u8>> = expected.iter().map(|c| c.clone().into_bytes()).collect();
                prop_assert_eq!(&raw.cells, &cells);
                line += 1 + expected.iter().map(|c| breaks(&render_cell(c))).sum::<usize>();
            }
        }

        /// An agency written as a row (columns in any order, code and name typed sloppily) is
        /// read back as the same agency.
        #[test]
        fn agency_rows_round_trip(
            agency in agency(),
            order in Just((0..8).collect::<Vec<usize>>()).prop_shuffle(),
            sloppy in any::<bool>(),
        ) {
            let cells = agency_cells(&agency, sloppy);
            let header: Vec<String> = order.iter().map(|&i| cells[i].0.to_uppercase()).collect();
            let row: Vec<String> = order.iter().map(|&i| cells[i].1.clone()).collect();
            let text = render(&[header, row], "\n");
            let parsed = parse_file::<AgencyPayload>(text.as_bytes())
                .map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
            prop_assert_eq!(parsed.rows, 1);
            prop_assert!(parsed.defaulted.is_empty());
            let item = parsed.items.into_iter().next();
            prop_assert_eq!(item.and_then(Result::ok), Some((2, agency)));
        }

        /// Amounts of đồng as spreadsheets write them, grouped or not, read back as the amount.
        #[test]
        fn fees_round_trip(amount in 0i64..1_000_000_000_000, separator in prop::sample::select(vec!['.', ',', ' ', '\u{a0}'])) {
            let plain = amount.to_string();
            let grouped = plain
                .as_bytes()
                .rchunks(3)
                .rev()
                .map(|g| String::from_utf8_lossy(g).into_owned())
                .collect::<Vec<_>>()
                .join(&separator.to_string());
            prop_assert_eq!(parse_vnd(&plain), Some(amount));
            prop_assert_eq!(parse_vnd(&grouped), Some(amount), "{:?}", grouped);
            prop_assert_eq!(parse_vnd(&format!(" {grouped} ")), Some(amount));
            prop_assert_eq!(parse_vnd(&format!("-{grouped}")), Some(-amount));
        }

        #[test]
        fn arbitrary_fee_text_never_panics(raw in "[0-9.,\\- a]{0,25}") {
            if let Some(amount) = parse_vnd(&raw) {
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                let significant = digits.trim_start_matches('0');
                let expected = if significant.is_empty() { "0" } else { significant };
                prop_assert_eq!(amount.unsigned_abs().to_string(), expected);
            }
        }
    }
}
