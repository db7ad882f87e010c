//! The calendar as a CSV file, as spreadsheets save it (UTF-8, comma-separated, a header row
//! naming the columns in any order and case): `day,kind,name[,estimate][,source]`. Errors are
//! reported like the catalog's, one per refused line, as `dòng N: column: reason`, where N is the
//! physical line of the file the row starts on (the header is line 1). A file with any error is
//! refused whole.

use std::collections::HashMap;
use std::fmt;

use crate::domain::calendar_entry::{CalendarEntry, EntryField, RawEntry};
use crate::sync::import::{split_csv, RawRecord};

/// Largest file accepted (a calendar of many years is a few kilobytes).
pub const MAX_FILE_BYTES: usize = 512 * 1024;

const COLUMNS: [(EntryField, bool); 5] = [
    (EntryField::Day, true),
    (EntryField::Kind, true),
    (EntryField::Name, true),
    (EntryField::Estimate, false),
    (EntryField::Source, false),
];

/// A refused line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Physical line of the file where the row starts (header = 1).
    pub line: usize,
    /// The column, or "(dòng)" for the row as a whole, "(tệp)" for the file.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng {}: {}: {}", self.line, self.field, self.reason)
    }
}

fn expected() -> String {
    COLUMNS
        .iter()
        .map(|(field, required)| {
            if *required {
                field.column().to_owned()
            } else {
                format!("[{}]", field.column())
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn file_error(line: usize, reason: String) -> Vec<RowError> {
    vec![RowError {
        line,
        field: "(tệp)".into(),
        reason,
    }]
}

/// Where each column sits.
fn read_header(record: &RawRecord) -> Result<HashMap<EntryField, usize>, Vec<RowError>> {
    let line = record.line;
    let refuse =
        |reason: String| file_error(line, format!("{reason} (cần các cột {})", expected()));
    if record.problem.is_some() || record.is_blank() {
        return Err(refuse("dòng tiêu đề trống hoặc sai dấu ngoặc kép".into()));
    }
    let mut positions = HashMap::new();
    for (i, raw) in record.cells.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            return Err(refuse(
                "dòng tiêu đề không phải chữ UTF-8 (lưu tệp dạng “CSV UTF-8”)".into(),
            ));
        };
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let Some((field, _)) = COLUMNS.iter().find(|(f, _)| f.column() == name) else {
            return Err(refuse(format!("cột lạ “{name}”")));
        };
        if positions.insert(*field, i).is_some() {
            return Err(refuse(format!("cột {name} có hai lần")));
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(f, required)| *required && !positions.contains_key(f))
        .map(|(f, _)| f.column())
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!("thiếu cột {}", missing.join(", "))));
    }
    Ok(positions)
}

/// Parses and checks a whole file: every day, or every refused line.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<CalendarEntry>, Vec<RowError>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(file_error(
            1,
            format!("tệp lớn quá {} KB", MAX_FILE_BYTES / 1024),
        ));
    }
    let mut records = split_csv(bytes).into_iter();
    let Some(header) = records.next() else {
        return Err(file_error(
            1,
            format!("tệp trống; dòng 1 phải là tiêu đề {}", expected()),
        ));
    };
    let positions = read_header(&header)?;
    let width = header.cells.len();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut first_line_of = HashMap::new();
    for record in records {
        if record.is_blank() {
            continue;
        }
        let line = record.line;
        let refuse = |field: &str, reason: String| RowError {
            line,
            field: field.to_owned(),
            reason,
        };
        if record.problem.is_some() {
            errors.push(refuse(
                "(dòng)",
                "dấu ngoặc kép không đóng, hoặc có chữ sau dấu ngoặc kép đóng".into(),
            ));
            continue;
        }
        if record.cells.len() != width {
            errors.push(refuse(
                "(dòng)",
                format!(
                    "có {} ô, dòng tiêu đề có {} (thiếu hoặc thừa dấu phẩy? ô có dấu phẩy cần đặt trong ngoặc kép)",
                    record.cells.len(),
                    width
                ),
            ));
            continue;
        }
        let mut cells: Vec<String> = Vec::with_capacity(width);
        let mut not_utf8 = false;
        for cell in record.cells {
            match String::from_utf8(cell) {
                Ok(text) => cells.push(text),
                Err(_) => {
                    not_utf8 = true;
                    break;
                }
            }
        }
        if not_utf8 {
            errors.push(refuse(
                "(dòng)",
                "không phải chữ UTF-8 (lưu tệp dạng “CSV UTF-8”)".into(),
            ));
            continue;
        }
        let cell = |field: EntryField| {
            positions
                .get(&field)
                .and_then(|&i| cells.get(i))
                .map_or("", String::as_str)
        };
        let raw = RawEntry {
            day: cell(EntryField::Day),
            kind: cell(EntryField::Kind),
            name: cell(EntryField::Name),
            estimate: cell(EntryField::Estimate),
            source: cell(EntryField::Source),
        };
        match CalendarEntry::parse(raw) {
            Err(error) => errors.push(refuse(error.field.column(), error.reason)),
            Ok(entry) => match first_line_of.get(&entry.day) {
                Some(first) => errors.push(refuse(
                    EntryField::Day.column(),
                    format!("ngày {} đã có ở dòng {first}", entry.day.format("%d/%m/%Y")),
                )),
                None => {
                    first_line_of.insert(entry.day, line);
                    entries.push(entry);
                }
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if entries.is_empty() {
        return Err(file_error(
            2,
            "tệp không có dòng dữ liệu nào (không nhập để xóa cả năm)".into(),
        ));
    }
    Ok(entries)
}

/// One CSV field: always quoted, quotes doubled, and a leading `=`, `+`, `-` or `@` defused so a
/// spreadsheet does not run it as a formula.
fn field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// The rows as a file [`parse_csv`] reads back (UTF-8 with a byte-order mark, for spreadsheets):
/// an administrator downloads a year, edits it and imports it again.
pub fn to_csv(rows: &[crate::db::calendar::CalendarDayRow]) -> String {
    let mut csv = String::from("\u{feff}day,kind,name,estimate,source\r\n");
    for row in rows {
        let cells = [
            row.day.to_string(),
            row.kind.clone(),
            field(&row.name),
            if row.estimate { "1" } else { "0" }.to_owned(),
            field(row.source.as_deref().unwrap_or("")),
        ];
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_fields(text: &str) -> Vec<(usize, String)> {
        parse_csv(text.as_bytes())
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.line, e.field))
            .collect()
    }

    #[test]
    fn a_spreadsheet_file_with_a_bom_quotes_blank_lines_and_any_column_order_is_read() {
        let text = "\u{feff}Name,DAY,kind,estimate\r\n\"Nghỉ, thử\",2027-03-10,holiday,1\r\n\r\nLàm bù,13/03/2027,working,\r\n";
        let entries = parse_csv(text.as_bytes()).expect("valid");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "Nghỉ, thử");
        assert!(entries[0].estimate);
        assert!(!entries[1].estimate);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number_and_column() {
        let text = "day,kind,name\n\
                    2027-02-30,holiday,Ngày sai\n\
                    2027-03-10,nghi,Loại sai\n\
                    2027-03-10,holiday,Trùng\n\
                    2027-03-10,holiday,Trùng lần hai\n\
                    2027-03-13,holiday,Thứ Bảy\n\
                    2027-03-11,working,Thứ Năm\n\
                    2027-03-12,holiday,\n\
                    2027-03-15,holiday\n";
        assert_eq!(
            lines_and_fields(text),
            vec![
                (2, "day".to_owned()),
                (3, "kind".to_owned()),
                (5, "day".to_owned()),
                (6, "kind".to_owned()),
                (7, "kind".to_owned()),
                (8, "name".to_owned()),
                (9, "(dòng)".to_owned()),
            ]
        );
        let errors = parse_csv(text.as_bytes()).expect_err("refused");
        assert_eq!(
            errors[2].to_string(),
            "dòng 5: day: ngày 10/03/2027 đã có ở dòng 4"
        );
    }

    #[test]
    fn a_bad_header_or_an_empty_file_is_refused_as_a_whole() {
        assert_eq!(lines_and_fields(""), vec![(1, "(tệp)".to_owned())]);
        assert_eq!(
            lines_and_fields("day,kind\n2027-03-10,holiday\n"),
            vec![(1, "(tệp)".to_owned())]
        );
        assert_eq!(
            lines_and_fields("day;kind;name\n"),
            vec![(1, "(tệp)".to_owned())]
        );
        assert_eq!(
            lines_and_fields("day,kind,name\n"),
            vec![(2, "(tệp)".to_owned())]
        );
    }
}
