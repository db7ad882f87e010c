//! One exception of the working calendar as an administrator enters it, in the console or in a
//! CSV file: a date, its kind (a day off on a weekday, or a make-up working day on a weekend), a
//! name, whether it is an estimate, and where it comes from. Both ways in share this parsing, so
//! a day refused in the console is refused with the same words in a file.

use chrono::{Datelike, NaiveDate, Weekday};

use super::calendar::DayKind;
use super::text::clean_line;

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest source, in characters.
pub const MAX_SOURCE_CHARS: usize = 500;

/// A field of a calendar day: its column name in a CSV file and its label on the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryField {
    Day,
    Kind,
    Name,
    Estimate,
    Source,
}

impl EntryField {
    /// The CSV column.
    pub fn column(self) -> &'static str {
        match self {
            EntryField::Day => "day",
            EntryField::Kind => "kind",
            EntryField::Name => "name",
            EntryField::Estimate => "estimate",
            EntryField::Source => "source",
        }
    }

    /// The console's label.
    pub fn label(self) -> &'static str {
        match self {
            EntryField::Day => "Ngày",
            EntryField::Kind => "Loại ngày",
            EntryField::Name => "Tên ngày",
            EntryField::Estimate => "Dự kiến",
            EntryField::Source => "Nguồn",
        }
    }
}

/// Why a field was refused (Vietnamese, without the field's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    pub field: EntryField,
    pub reason: String,
}

impl EntryError {
    fn new(field: EntryField, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }

    /// "Label: reason", for a form.
    pub fn message(&self) -> String {
        format!("{}: {}", self.field.label(), self.reason)
    }
}

/// A valid exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub estimate: bool,
    pub source: Option<String>,
}

/// The raw fields, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawEntry<'a> {
    pub day: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub estimate: &'a str,
    pub source: &'a str,
}

impl CalendarEntry {
    /// Checks every field, the first problem wins. A day off must fall on a weekday and a make-up
    /// day on a weekend: anything else changes nothing in the calendar and is almost certainly a
    /// wrong date.
    pub fn parse(raw: RawEntry<'_>) -> Result<Self, EntryError> {
        let day = parse_day(raw.day)?;
        let kind = parse_kind(raw.kind)?;
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let shown = day.format("%d/%m/%Y");
        match kind {
            DayKind::Holiday if weekend => {
                return Err(EntryError::new(
                    EntryField::Kind,
                    format!(
                        "{shown} là {}, vốn đã là ngày nghỉ; chỉ khai ngày nghỉ rơi vào ngày thường \
                         (ngày lễ trùng cuối tuần thì khai ngày nghỉ bù của nó)",
                        weekday_name(day.weekday())
                    ),
                ))
            }
            DayKind::Working if !weekend => {
                return Err(EntryError::new(
                    EntryField::Kind,
                    format!(
                        "{shown} là {}, vốn đã là ngày làm việc; ngày làm bù phải là thứ Bảy hoặc Chủ nhật",
                        weekday_name(day.weekday())
                    ),
                ))
            }
            _ => {}
        }
        let name = clean_line(raw.name);
        if name.is_empty() {
            return Err(EntryError::new(EntryField::Name, "chưa nhập"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(EntryError::new(
                EntryField::Name,
                format!("dài quá {MAX_NAME_CHARS} ký tự"),
            ));
        }
        let estimate = parse_estimate(raw.estimate)?;
        let source = Some(clean_line(raw.source)).filter(|s| !s.is_empty());
        if source
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SOURCE_CHARS)
        {
            return Err(EntryError::new(
                EntryField::Source,
                format!("dài quá {MAX_SOURCE_CHARS} ký tự"),
            ));
        }
        Ok(Self {
            day,
            kind,
            name,
            estimate,
            source,
        })
    }
}

/// A date as `YYYY-MM-DD` or `D/M/YYYY` (how Vietnamese spreadsheets show it), in 2000–2099.
pub fn parse_day(raw: &str) -> Result<NaiveDate, EntryError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(EntryError::new(EntryField::Day, "chưa nhập"));
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .map_err(|_| {
            EntryError::new(
                EntryField::Day,
                format!(
                    "“{}” không phải ngày có thật (viết dạng 2026-09-02 hoặc 02/09/2026)",
                    clean_line(raw).chars().take(40).collect::<String>()
                ),
            )
        })?;
    if !(2000..=2099).contains(&parsed.year()) {
        return Err(EntryError::new(
            EntryField::Day,
            "năm phải trong khoảng 2000–2099",
        ));
    }
    Ok(parsed)
}

/// `holiday` or `working` (any case).
pub fn parse_kind(raw: &str) -> Result<DayKind, EntryError> {
    DayKind::parse(raw).ok_or_else(|| {
        EntryError::new(
            EntryField::Kind,
            "cần là holiday (ngày nghỉ) hoặc working (ngày làm bù)",
        )
    })
}

/// Blank, `0`, `false`, `không` mean no; `1`, `true`, `có`, `x` mean yes.
pub fn parse_estimate(raw: &str) -> Result<bool, EntryError> {
    match raw.trim().to_lowercase().as_str() {
        "" | "0" | "false" | "không" | "khong" => Ok(false),
        "1" | "true" | "có" | "co" | "x" | "on" => Ok(true),
        _ => Err(EntryError::new(
            EntryField::Estimate,
            "cần để trống, 0 hoặc 1 (1: ngày dự kiến, chưa có thông báo chính thức)",
        )),
    }
}

/// The Vietnamese name of a weekday.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(day: &'a str, kind: &'a str, name: &'a str) -> RawEntry<'a> {
        RawEntry {
            day,
            kind,
            name,
            ..RawEntry::default()
        }
    }

    #[test]
    fn a_weekday_holiday_and_a_weekend_make_up_day_are_accepted_in_both_date_forms() {
        let holiday =
            CalendarEntry::parse(raw("2027-03-10", "holiday", " Nghỉ  thử ")).expect("ok");
        assert_eq!(
            holiday.day,
            NaiveDate::from_ymd_opt(2027, 3, 10).expect("date")
        );
        assert_eq!(holiday.name, "Nghỉ  thử");
        assert!(!holiday.estimate);
        let working = CalendarEntry::parse(raw("13/03/2027", "WORKING", "Làm bù")).expect("ok");
        assert_eq!(working.kind, DayKind::Working);
    }

    #[test]
    fn each_field_is_refused_with_its_label() {
        let field = |r: RawEntry<'_>| CalendarEntry::parse(r).expect_err("refused").field;
        assert_eq!(field(raw("2027-02-30", "holiday", "x")), EntryField::Day);
        assert_eq!(field(raw("", "holiday", "x")), EntryField::Day);
        assert_eq!(field(raw("1999-03-10", "holiday", "x")), EntryField::Day);
        assert_eq!(field(raw("2027-03-10", "nghi", "x")), EntryField::Kind);
        assert_eq!(field(raw("2027-03-13", "holiday", "x")), EntryField::Kind);
        assert_eq!(field(raw("2027-03-10", "working", "x")), EntryField::Kind);
        assert_eq!(field(raw("2027-03-10", "holiday", " \n")), EntryField::Name);
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(field(raw("2027-03-10", "holiday", &long)), EntryField::Name);
        let estimate = RawEntry {
            estimate: "maybe",
            ..raw("2027-03-10", "holiday", "x")
        };
        assert_eq!(field(estimate), EntryField::Estimate);
        let message = CalendarEntry::parse(raw("2027-03-13", "holiday", "x"))
            .expect_err("refused")
            .message();
        assert!(
            message.starts_with("Loại ngày: 13/03/2027 là thứ Bảy"),
            "{message}"
        );
    }
}
