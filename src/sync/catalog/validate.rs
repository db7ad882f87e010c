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
        let Lifecycle {
            valid_from,
            valid_until,
            successors,
        } = lifecycle(
            &code,
            self.valid_from.as_deref(),
            self.valid_until.as_deref(),
            self.successors.as_deref(),
        )
        .map_err(|e| ItemError::new(e.field(), e.reason()))?;
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

/// An agency's lifecycle as checked: when it opened and closed, and who took over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// Absent: the stored list is kept; empty: cleared. Canonical codes, without repeats.
    pub successors: Option<Vec<AgencyCode>>,
}

/// What is wrong with an agency's lifecycle. The catalog (push and CSV) reports it with the
/// field's name and [`LifecycleError::reason`]; the console with the field's Vietnamese label and
/// [`LifecycleError::message`]. One check, two wordings of the same rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleError {
    /// `valid_from` or `valid_until` is not a `YYYY-MM-DD` date.
    NotADate { field: &'static str, text: String },
    /// `valid_until` is not after `valid_from`.
    Inverted { from: NaiveDate, until: NaiveDate },
    /// A successor is not an agency code.
    BadSuccessor { message: String },
    /// A successor is the agency itself.
    SelfSuccessor,
    /// Successors without a closing date: only an agency that closes has successors.
    SuccessorsWhileOpen,
    /// A successor is not in the catalog.
    UnknownSuccessor { code: String },
}

impl LifecycleError {
    /// The field at fault, as the catalog names it.
    pub fn field(&self) -> &'static str {
        match self {
            LifecycleError::NotADate { field, .. } => field,
            LifecycleError::Inverted { .. } => "valid_until",
            LifecycleError::BadSuccessor { .. }
            | LifecycleError::SelfSuccessor
            | LifecycleError::SuccessorsWhileOpen
            | LifecycleError::UnknownSuccessor { .. } => "successors",
        }
    }

    /// The field's Vietnamese label (the console's).
    pub fn label(&self) -> &'static str {
        match self.field() {
            "valid_from" => "Hoạt động từ ngày",
            "valid_until" => "Ngừng hoạt động từ ngày",
            _ => "Cơ quan kế nhiệm",
        }
    }

    /// The reason, as the catalog reports it beside the field's name.
    pub fn reason(&self) -> String {
        match self {
            LifecycleError::NotADate { text, .. } => {
                format!("must be a date YYYY-MM-DD (here {text:?})")
            }
            LifecycleError::Inverted { from, until } => {
                format!("must be after valid_from ({from}); here {until}")
            }
            LifecycleError::BadSuccessor { message } => message.clone(),
            LifecycleError::SelfSuccessor => "names the agency itself".into(),
            LifecycleError::SuccessorsWhileOpen => {
                "only an agency with a valid_until (a closing day) has successors".into()
            }
            LifecycleError::UnknownSuccessor { code } => {
                format!("{code} is not in the catalog (send it first or in the same batch)")
            }
        }
    }

    /// The same refusal in Vietnamese, led by the field's label.
    pub fn message(&self) -> String {
        let reason = match self {
            LifecycleError::NotADate { text, .. } => {
                format!("cần là một ngày dạng năm-tháng-ngày (ở đây “{text}”).")
            }
            LifecycleError::Inverted { from, until } => format!(
                "phải sau ngày bắt đầu hoạt động ({}); ở đây {}.",
                from.format("%d/%m/%Y"),
                until.format("%d/%m/%Y")
            ),
            LifecycleError::BadSuccessor { message } => message.clone(),
            LifecycleError::SelfSuccessor => "không được là chính cơ quan này.".into(),
            LifecycleError::SuccessorsWhileOpen => {
                "chỉ cơ quan có ngày ngừng hoạt động mới có cơ quan kế nhiệm; hãy nhập ngày ngừng hoạt động.".into()
            }
            LifecycleError::UnknownSuccessor { code } => {
                format!("{code} không có trong danh mục cơ quan.")
            }
        };
        format!("{}: {reason}", self.label())
    }
}

/// Checks an agency's lifecycle fields as sent: dates `YYYY-MM-DD` (blank means absent), the
/// closing day after the opening day, successors that are agency codes other than the agency
/// itself (repeats dropped), and successors only for an agency with a closing day. Whether each
/// successor exists is checked where the catalog is at hand ([`LifecycleError::UnknownSuccessor`]).
pub fn lifecycle(
    code: &AgencyCode,
    valid_from: Option<&str>,
    valid_until: Option<&str>,
    successors: Option<&[String]>,
) -> Result<Lifecycle, LifecycleError> {
    let valid_from = optional_date("valid_from", valid_from)?;
    let valid_until = optional_date("valid_until", valid_until)?;
    if let (Some(from), Some(until)) = (valid_from, valid_until) {
        if until <= from {
            return Err(LifecycleError::Inverted { from, until });
        }
    }
    let successors = match successors {
        None => None,
        Some(list) => {
            let mut codes = Vec::with_capacity(list.len());
            for raw in list {
                let successor =
                    AgencyCode::parse(raw).map_err(|e| LifecycleError::BadSuccessor {
                        message: e.message(),
                    })?;
                if &successor == code {
                    return Err(LifecycleError::SelfSuccessor);
                }
                if !codes.contains(&successor) {
                    codes.push(successor);
                }
            }
            Some(codes)
        }
    };
    if valid_until.is_none() && successors.as_ref().is_some_and(|s| !s.is_empty()) {
        return Err(LifecycleError::SuccessorsWhileOpen);
    }
    Ok(Lifecycle {
        valid_from,
        valid_until,
        successors,
    })
}

/// An optional `YYYY-MM-DD` date.
fn optional_date(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<NaiveDate>, LifecycleError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| LifecycleError::NotADate {
                field,
                text: text.to_owned(),
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
    fn lifecycle_refusals_name_the_field_in_both_wordings() {
        let code = AgencyCode::parse("000.25.00.H48").expect("code");
        let successors = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Vec<String>,
            &'a str,
            &'a str,
        );
        let cases: Vec<Case> = vec![
            (
                Some("2025-02-30"),
                None,
                vec![],
                "valid_from",
                "Hoạt động từ ngày: ",
            ),
            (
                Some("2025-07-01"),
                Some("2025-06-30"),
                vec![],
                "valid_until",
                "Ngừng hoạt động từ ngày: ",
            ),
            (
                None,
                Some("2025-07-01"),
                successors(&["000.25.00.h48"]),
                "successors",
                "Cơ quan kế nhiệm: ",
            ),
            (
                None,
                Some("2025-07-01"),
                successors(&["Hà.48"]),
                "successors",
                "Cơ quan kế nhiệm: ",
            ),
            (
                None,
                None,
                successors(&["000.60.00.H48"]),
                "successors",
                "Cơ quan kế nhiệm: ",
            ),
        ];
        for (from, until, list, field, label) in cases {
            let error = lifecycle(&code, from, until, Some(&list)).expect_err(field);
            assert_eq!(error.field(), field, "{error:?}");
            assert!(error.message().starts_with(label), "{}", error.message());
        }
        // A closing agency may name successors; repeats are dropped; no closing day, no list.
        let closed = lifecycle(
            &code,
            Some("2020-01-01"),
            Some("2025-07-01"),
            Some(&successors(&[
                "000.60.00.H48",
                "000.60.00.h48",
                "000.61.00.H48",
            ])),
        )
        .expect("closing with successors");
        assert_eq!(closed.successors.map(|s| s.len()), Some(2));
        assert!(lifecycle(&code, None, None, Some(&[])).is_ok());
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
