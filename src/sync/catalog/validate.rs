//! Validation of catalog payloads into domain entries: the limits, the cleaning of texts, and the
//! checks that need no database. Push and import share it, so both accept and refuse exactly the
//! same things, and every refusal names the field.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::payload::{AgencyPayload, ProcedurePayload};
use super::plan::CatalogEntry;

use crate::domain::catalog::{Agency, AgencyKind, OnlineLevel, Procedure};
use crate::domain::text::{char_len, clean_line};
use crate::domain::{AgencyCode, ProcedureCode};
use crate::sync::service::ItemReport;
use crate::sync::snapshot::ItemError;

/// Longest agency name (characters; the column allows the same).
pub const MAX_AGENCY_NAME_CHARS: usize = 300;
/// Longest procedure name (characters; official names run long, the column allows 500).
pub const MAX_PROCEDURE_NAME_CHARS: usize = 500;
/// Longest procedure field (lĩnh vực).
pub const MAX_FIELD_CHARS: usize = 200;
/// Longest desk address.
pub const MAX_ADDRESS_CHARS: usize = 500;
/// Longest desk phone text (may list several numbers and extensions).
pub const MAX_PHONE_CHARS: usize = 100;
/// Longest desk opening hours text.
pub const MAX_HOURS_CHARS: usize = 300;
/// Longest fee note.
pub const MAX_FEE_NOTE_CHARS: usize = 1_000;
/// Longest processing time in days.
pub const MAX_PROCESSING_DAYS: i64 = 365;
/// Most documents one procedure may list.
pub const MAX_DOCUMENTS: usize = 50;
/// Longest document name, in characters.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 500;

/// A catalog payload: how it names itself and how it is checked.
pub trait CatalogPayload: DeserializeOwned {
    /// What validation turns it into.
    type Valid: CatalogEntry;
    /// The item's name in messages, with its article ("an agency").
    const NOUN: &'static str;
    /// The code as sent, for reports.
    fn raw_code(&self) -> &str;
    /// Checks and cleans everything that needs no database.
    fn validate(&self) -> Result<Self::Valid, ItemError>;
}

/// A required single-line text: cleaned (NFC, no control characters), not empty, at most `max`
/// characters.
fn required_line(field: &str, raw: &str, max: usize) -> Result<String, ItemError> {
    let cleaned = clean_line(raw);
    if cleaned.is_empty() {
        return Err(ItemError::new(field, "is empty"));
    }
    if char_len(&cleaned) > max {
        return Err(ItemError::new(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(cleaned)
}

/// An optional single-line text: blank means absent.
fn optional_line(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ItemError> {
    match raw.map(clean_line) {
        None => Ok(None),
        Some(cleaned) if cleaned.is_empty() => Ok(None),
        Some(cleaned) if char_len(&cleaned) > max => Err(ItemError::new(
            field,
            format!("longer than {max} characters"),
        )),
        Some(cleaned) => Ok(Some(cleaned)),
    }
}

fn check_version(version: i64) -> Result<i64, ItemError> {
    if version < 0 {
        return Err(ItemError::new("version", "must be zero or more"));
    }
    Ok(version)
}

impl CatalogPayload for AgencyPayload {
    type Valid = Agency;
    const NOUN: &'static str = "an agency";

    fn raw_code(&self) -> &str {
        &self.code
    }

    fn validate(&self) -> Result<Agency, ItemError> {
        let code =
            AgencyCode::parse(&self.code).map_err(|e| ItemError::new("code", e.message()))?;
        let parent_code = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                AgencyCode::parse(raw).map_err(|e| ItemError::new("parent_code", e.message()))?,
            ),
        };
        if parent_code.as_ref() == Some(&code) {
            return Err(ItemError::new("parent_code", "is the agency itself"));
        }
        let kind = AgencyKind::parse(&self.kind).ok_or_else(|| {
            ItemError::new(
                "kind",
                "must be a level code of lower-case letters and _, such as province, department, commune, ward or special_zone",
            )
        })?;
        let valid_from = optional_date("valid_from", self.valid_from.as_deref())?;
        let valid_until = optional_date("valid_until", self.valid_until.as_deref())?;
        if let (Some(from), Some(until)) = (valid_from, valid_until) {
            if until <= from {
                return Err(ItemError::new(
                    "valid_until",
                    format!("must be after valid_from ({from}); here {until}"),
                ));
            }
        }
        let successors = match &self.successors {
            None => None,
            Some(list) => {
                let mut codes = Vec::with_capacity(list.len());
                for raw in list {
                    let successor = AgencyCode::parse(raw)
                        .map_err(|e| ItemError::new("successors", e.message()))?;
                    if successor == code {
                        return Err(ItemError::new("successors", "names the agency itself"));
                    }
                    if !codes.contains(&successor) {
                        codes.push(successor);
                    }
                }
                Some(codes)
            }
        };
        Ok(Agency {
            code,
            parent_code,
            kind,
            name: required_line("name", &self.name, MAX_AGENCY_NAME_CHARS)?,
            desk_address: optional_line(
                "desk_address",
                self.desk_address.as_deref(),
                MAX_ADDRESS_CHARS,
            )?,
            desk_phone: optional_line("desk_phone", self.desk_phone.as_deref(), MAX_PHONE_CHARS)?,
            desk_hours: optional_line("desk_hours", self.desk_hours.as_deref(), MAX_HOURS_CHARS)?,
            version: check_version(self.version)?,
            valid_from,
            valid_until,
            successors,
        })
    }
}

/// An optional `YYYY-MM-DD` date.
fn optional_date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, ItemError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ItemError::new(field, format!("must be a date YYYY-MM-DD (here {text:?})"))
            }),
    }
}

impl CatalogPayload for ProcedurePayload {
    type Valid = Procedure;
    const NOUN: &'static str = "a procedure";

    fn raw_code(&self) -> &str {
        &self.code
    }

    fn validate(&self) -> Result<Procedure, ItemError> {
        let code =
            ProcedureCode::parse(&self.code).map_err(|e| ItemError::new("code", e.message()))?;
        if !code.is_national() {
            return Err(ItemError::new(
                "code",
                format!(
                    "must be the national code N.NNNNNN (here {}), without the local suffix",
                    code.national()
                ),
            ));
        }
        let processing_days = i32::try_from(self.processing_days)
            .ok()
            .filter(|days| (0..=MAX_PROCESSING_DAYS).contains(&i64::from(*days)))
            .ok_or_else(|| {
                ItemError::new(
                    "processing_days",
                    format!("must be 0 to {MAX_PROCESSING_DAYS}"),
                )
            })?;
        if self.fee_vnd.is_some_and(|fee| fee < 0) {
            return Err(ItemError::new("fee_vnd", "must be zero or more"));
        }
        let online_level = OnlineLevel::parse(&self.online_level)
            .ok_or_else(|| ItemError::new("online_level", "must be full, partial or none"))?;
        // Levels are data: here only the shape of a level code; whether it is a level of the
        // catalog, and whether it may name an agency, is checked against the levels table when
        // the batch is applied.
        let level = match self.level.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(AgencyKind::parse(raw).ok_or_else(|| {
                ItemError::new(
                    "level",
                    "must be a level code of lower-case letters and _, such as department or commune",
                )
            })?),
        };
        let agency = |field: &str, raw: Option<&str>| -> Result<Option<AgencyCode>, ItemError> {
            match raw.map(str::trim) {
                None | Some("") => Ok(None),
                Some(raw) => AgencyCode::parse(raw)
                    .map(Some)
                    .map_err(|e| ItemError::new(field, e.message())),
            }
        };
        let agency_code = agency("agency_code", self.agency_code.as_deref())?;
        let desk_agency_code = agency("desk_agency_code", self.desk_agency_code.as_deref())?;
        if (agency_code.is_some() || desk_agency_code.is_some()) && level.is_none() {
            return Err(ItemError::new(
                "agency_code",
                "only a procedure with a province-tier level (such as department) names its agency and desk",
            ));
        }
        let documents = match &self.documents {
            None => None,
            Some(list) if list.len() > MAX_DOCUMENTS => {
                return Err(ItemError::new(
                    "documents",
                    format!("at most {MAX_DOCUMENTS} documents"),
                ))
            }
            Some(list) => Some(
                list.iter()
                    .map(|d| {
                        let name =
                            required_line("documents.name", &d.name, MAX_DOCUMENT_NAME_CHARS)?;
                        let copies = i32::try_from(d.copies)
                            .ok()
                            .filter(|c| (1..=20).contains(c))
                            .ok_or_else(|| ItemError::new("documents.copies", "must be 1 to 20"))?;
                        Ok((name, copies))
                    })
                    .collect::<Result<Vec<_>, ItemError>>()?,
            ),
        };
        Ok(Procedure {
            level,
            agency_code,
            desk_agency_code,
            documents,
            code,
            name: required_line("name", &self.name, MAX_PROCEDURE_NAME_CHARS)?,
            field: required_line("field", &self.field, MAX_FIELD_CHARS)?,
            processing_days,
            fee_vnd: self.fee_vnd,
            fee_note: optional_line("fee_note", self.fee_note.as_deref(), MAX_FEE_NOTE_CHARS)?,
            online_level,
            version: check_version(self.version)?,
        })
    }
}

/// One item of a catalog batch after validation: its index (batch position, or the CSV line) and
/// the valid entry, or the report of why it was refused.
pub type CheckedItem<T> = Result<(usize, T), ItemReport>;

/// Validates one parsed (or unparsable) item at `index`.
pub fn check<P: CatalogPayload>(index: usize, parsed: Result<P, String>) -> CheckedItem<P::Valid> {
    match parsed {
        Err(reason) => Err(ItemReport {
            index,
            code: None,
            field: "(item)".into(),
            reason,
        }),
        Ok(payload) => payload
            .validate()
            .map(|valid| (index, valid))
            .map_err(|error| ItemReport {
                index,
                code: Some(payload.raw_code().to_owned()),
                field: error.field,
                reason: error.reason,
            }),
    }
}

/// Parses the raw items of a pushed body into checked items.
pub fn parse_items<P: CatalogPayload>(
    raw: Vec<Result<&str, String>>,
) -> Vec<CheckedItem<P::Valid>> {
    raw.into_iter()
        .enumerate()
        .map(|(index, raw)| {
            let parsed = raw.and_then(|text| {
                serde_json::from_str::<P>(text).map_err(|e| format!("not {}: {e}", P::NOUN))
            });
            check(index, parsed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{agency, valid};
    use super::*;

    /// A change that makes one field of a payload invalid.
    type Spoil<T> = fn(&mut T);

    fn procedure() -> ProcedurePayload {
        ProcedurePayload {
            code: " 1.001193 ".into(),
            name: "Thủ tục đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            processing_days: 0,
            fee_vnd: Some(0),
            fee_note: Some("  Miễn lệ phí\u{200B} ".into()),
            online_level: "Full".into(),
            version: 3,
            ..ProcedurePayload::default()
        }
    }

    #[test]
    fn a_good_agency_is_cleaned_and_canonicalised() {
        let mut payload = agency(" 000.00.16.h48 ", Some("000.00.00.H48"), 1);
        payload.kind = " Department ".into();
        payload.name = "Sở Tu\u{031B} pháp\ntỉnh".into();
        payload.desk_phone = Some("   ".into());
        let agency = valid(payload);
        assert_eq!(agency.code.as_str(), "000.00.16.H48");
        assert_eq!(agency.kind.as_str(), "department");
        assert_eq!(agency.name, "Sở Tư pháp tỉnh");
        assert_eq!(agency.desk_phone, None, "blank means absent");
    }

    #[test]
    fn each_bad_agency_field_is_named() {
        let cases: Vec<(&str, Spoil<AgencyPayload>)> = vec![
            ("code", |a| a.code = "Hà.48".into()),
            ("parent_code", |a| a.parent_code = Some("H48..1".into())),
            ("parent_code", |a| {
                a.parent_code = Some(a.code.to_lowercase())
            }),
            ("kind", |a| a.kind = "Phường 1".into()),
            ("name", |a| a.name = " \u{7} ".into()),
            ("name", |a| a.name = "ư".repeat(301)),
            ("desk_address", |a| a.desk_address = Some("đ".repeat(501))),
            ("desk_phone", |a| a.desk_phone = Some("0".repeat(101))),
            ("desk_hours", |a| a.desk_hours = Some("h".repeat(301))),
            ("version", |a| a.version = -1),
        ];
        for (field, spoil) in cases {
            let mut payload = agency("000.01.00.H48", Some("000.00.00.H48"), 1);
            spoil(&mut payload);
            let error = payload.validate().expect_err(field);
            assert_eq!(error.field, field, "{error}");
        }
        // Lengths are characters, not bytes: 300 Vietnamese letters are fine.
        let mut payload = agency("000.01.00.H48", None, 1);
        payload.name = "ư".repeat(300);
        assert!(payload.validate().is_ok());
    }

    #[test]
    fn a_good_procedure_is_cleaned() {
        let procedure = procedure().validate().expect("valid");
        assert_eq!(procedure.code.as_str(), "1.001193");
        assert_eq!(procedure.online_level, OnlineLevel::Full);
        assert_eq!(procedure.fee_note.as_deref(), Some("Miễn lệ phí"));
    }

    #[test]
    fn each_bad_procedure_field_is_named() {
        let cases: Vec<(&str, Spoil<ProcedurePayload>)> = vec![
            ("code", |p| p.code = "1.00119".into()),
            ("code", |p| p.code = "1.001193.000.00.00.H48".into()),
            ("name", |p| p.name = String::new()),
            ("name", |p| p.name = "t".repeat(501)),
            ("field", |p| p.field = "\t".into()),
            ("processing_days", |p| p.processing_days = 366),
            ("processing_days", |p| p.processing_days = -1),
            ("processing_days", |p| p.processing_days = i64::MAX),
            ("fee_vnd", |p| p.fee_vnd = Some(-1)),
            ("fee_note", |p| p.fee_note = Some("x".repeat(1_001))),
            ("online_level", |p| p.online_level = "level 4".into()),
            ("version", |p| p.version = -5),
        ];
        for (field, spoil) in cases {
            let mut payload = procedure();
            spoil(&mut payload);
            let error = payload.validate().expect_err(field);
            assert_eq!(error.field, field, "{error}");
        }
    }

    #[test]
    fn unknown_fields_and_unparsable_items_are_reported_by_index() {
        let raw: Vec<Result<&str, String>> = vec![
            Ok(r#"{"code":"H48","kind":"province","name":"Tỉnh","version":1,"cccd":"1"}"#),
            Ok(r#"{"code":"H48","kind":"province","name":"Tỉnh","version":1}"#),
            Err("line is not JSON".into()),
        ];
        let items = parse_items::<AgencyPayload>(raw);
        let fields: Vec<(usize, String)> = items
            .iter()
            .map(|item| match item {
                Ok((index, _)) => (*index, "ok".into()),
                Err(e) => (e.index, e.field.clone()),
            })
            .collect();
        assert_eq!(
            fields,
            [(0, "(item)".into()), (1, "ok".into()), (2, "(item)".into())]
        );
        let Err(unknown) = &items[0] else {
            panic!("refused")
        };
        assert!(unknown
            .reason
            .starts_with("not an agency: unknown field `cccd`"));
    }
}
