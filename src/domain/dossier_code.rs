//! Dossier codes (mã hồ sơ) of the form `<agency>-<yyMMdd>-<seq>`, e.g.
//! `000.00.53.H48-220921-0099` or `H57.132-260804-0583` (docs/domain.md, dossier codes).
//! Citizens type these from a paper receipt, at a kiosk or in an SMS, so
//! parsing is deliberately tolerant (case, spaces, dash look-alikes,
//! full-width forms, letter O for digit 0) while the stored value is always
//! one canonical string that can be compared with the upstream code.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::check_agency;
use super::text::{char_len, fold_width_char, is_invisible_format};
use super::DomainError;

/// Maximum raw length (after trimming) accepted before any other check.
pub const DOSSIER_CODE_MAX_LEN: usize = 64;
/// Minimum number of digits in the canonical sequence part.
const SEQ_MIN_WIDTH: usize = 4;
/// Maximum number of digits accepted in the sequence part.
const SEQ_MAX_DIGITS: usize = 6;

/// A canonical dossier code.
///
/// Invariants: `code` is `<agency>-<yyMMdd>-<seq>` where the agency part is
/// 1–6 dot-separated groups of `[0-9A-Z]` (≤ 35 characters), the date part
/// is a real calendar date in 2000–2099 (equal to `date`), and the sequence
/// is its numeric value left-padded with zeros to at least 4 digits
/// (so `99`, `099`, `0099` and `00099` all become `0099`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    code: String,
    date: NaiveDate,
}

/// Characters accepted as the separator dash: ASCII `-`, `_`, the Unicode
/// hyphens and dashes U+2010..U+2015, minus sign U+2212, small hyphen-minus
/// U+FE63 and full-width hyphen-minus U+FF0D.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Replaces letter `O` with digit `0` in a group that is meant to be numeric.
fn o_to_zero(group: &str) -> String {
    group.replace('O', "0")
}

/// Fixes O/0 confusion in one agency group: a group of only digits and `O`
/// becomes all digits; a letter-led group whose tail is only digits and `O`
/// keeps its leading letter and gets a numeric tail (`HO8` → `H08`). Other
/// groups are unchanged.
fn fix_agency_group(group: &str) -> String {
    if group.chars().all(|c| c.is_ascii_digit() || c == 'O') {
        return o_to_zero(group);
    }
    let mut chars = group.chars();
    if let Some(first) = chars.next() {
        let tail = chars.as_str();
        if first.is_ascii_uppercase()
            && !tail.is_empty()
            && tail.chars().all(|c| c.is_ascii_digit() || c == 'O')
        {
            return format!("{first}{}", o_to_zero(tail));
        }
    }
    group.to_owned()
}

fn invalid(reason: &'static str) -> DomainError {
    DomainError::InvalidDossierCode { reason }
}

impl DossierCode {
    /// Parses a dossier code typed or scanned by a citizen.
    ///
    /// Steps: trim; reject empty or longer than 64 characters; fold
    /// full-width forms; drop invisible formatting characters; turn dash
    /// look-alikes and `_` into `-`; remove whitespace (if the input has no
    /// dash at all and exactly three whitespace-separated words, the words
    /// are taken as the three parts instead, so `H57.132 260804 0583`
    /// works); uppercase ASCII letters; fix letter O in numeric groups; then
    /// validate each part and canonicalise the sequence.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if let Some(code) = Self::parse_canonical(raw) {
            return Ok(code);
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        if char_len(trimmed) > DOSSIER_CODE_MAX_LEN {
            return Err(DomainError::TooLong {
                max: DOSSIER_CODE_MAX_LEN,
            });
        }
        let folded: String = trimmed
            .chars()
            .map(fold_width_char)
            .filter(|c| !is_invisible_format(*c))
            .map(|c| if is_dash(c) { '-' } else { c })
            .collect();
        let words: Vec<&str> = folded.split_whitespace().collect();
        let compact = if !folded.contains('-') && words.len() == 3 {
            words.join("-")
        } else {
            words.concat()
        };
        if compact.is_empty() {
            return Err(DomainError::Empty);
        }
        let upper = compact.to_ascii_uppercase();
        if !upper
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(invalid(
                "mã hồ sơ chỉ gồm chữ số, chữ cái không dấu, dấu chấm và dấu gạch ngang",
            ));
        }
        let parts: Vec<&str> = upper.split('-').collect();
        let [agency_raw, date_raw, seq_raw] = parts.as_slice() else {
            return Err(invalid(
                "mã hồ sơ phải gồm đúng 3 phần ngăn cách bởi dấu gạch ngang: mã cơ quan, ngày, số thứ tự",
            ));
        };

        let agency = agency_raw
            .split('.')
            .map(fix_agency_group)
            .collect::<Vec<_>>()
            .join(".");
        if agency.is_empty() {
            return Err(invalid("thiếu phần mã cơ quan"));
        }
        check_agency(&agency).map_err(invalid)?;

        let date_digits = o_to_zero(date_raw);
        let date = parse_date(&date_digits)?;

        let seq_digits = o_to_zero(seq_raw);
        if seq_digits.is_empty()
            || seq_digits.len() > SEQ_MAX_DIGITS
            || !seq_digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid("số thứ tự phải gồm 1 đến 6 chữ số"));
        }
        let significant = seq_digits.trim_start_matches('0');
        let seq = format!("{significant:0>SEQ_MIN_WIDTH$}");

        Ok(Self {
            code: format!("{agency}-{date_digits}-{seq}"),
            date,
        })
    }

    /// The fast path for input that is already canonical (what receipts, QR codes and the main
    /// store send): one allocation, no normalisation. Anything else returns `None` and goes
    /// through the tolerant path, which gives the same result for canonical input.
    fn parse_canonical(raw: &str) -> Option<Self> {
        if raw.len() > DOSSIER_CODE_MAX_LEN
            || !raw
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.' || b == b'-')
            || raw.contains('O')
        {
            return None;
        }
        let mut parts = raw.split('-');
        let (agency, date_raw, seq) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || check_agency(agency).is_err() {
            return None;
        }
        let date = parse_date(date_raw).ok()?;
        let seq_ok = seq.bytes().all(|b| b.is_ascii_digit())
            && (seq.len() == SEQ_MIN_WIDTH
                || (seq.len() > SEQ_MIN_WIDTH
                    && seq.len() <= SEQ_MAX_DIGITS
                    && !seq.starts_with('0')));
        seq_ok.then(|| Self {
            code: raw.to_owned(),
            date,
        })
    }

    /// The canonical code, e.g. `000.00.53.H48-220921-0099`.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The agency part, e.g. `000.00.53.H48`.
    pub fn agency_part(&self) -> &str {
        self.code
            .split_once('-')
            .map_or(self.code.as_str(), |(agency, _)| agency)
    }

    /// The receipt date encoded in the code (century 2000 assumed).
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The canonical sequence part (at least 4 digits), e.g. `0099`.
    pub fn seq_part(&self) -> &str {
        self.code
            .rsplit_once('-')
            .map_or(self.code.as_str(), |(_, seq)| seq)
    }
}

/// Parses a `yyMMdd` date part (already O-fixed) into a real date in 2000–2099.
fn parse_date(digits: &str) -> Result<NaiveDate, DomainError> {
    let bytes = digits.as_bytes();
    if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(invalid(
            "phần ngày phải gồm đúng 6 chữ số dạng yyMMdd (ví dụ 220921)",
        ));
    }
    let two = |i: usize| u32::from(bytes[i] - b'0') * 10 + u32::from(bytes[i + 1] - b'0');
    let (yy, mm, dd) = (two(0), two(2), two(4));
    // yy is at most 99, so the conversion cannot fail.
    let year = 2000 + i32::try_from(yy).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, mm, dd).ok_or_else(|| {
        invalid("phần ngày không phải là một ngày có thật (dạng yyMMdd: năm, tháng, ngày)")
    })
}

impl AsRef<str> for DossierCode {
    fn as_ref(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl FromStr for DossierCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DossierCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl TryFrom<&str> for DossierCode {
    type Error = DomainError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<DossierCode> for String {
    fn from(value: DossierCode) -> Self {
        value.code
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_the_tolerant_path() {
        for raw in [
            "000.00.53.H48-220921-0099",
            "H57.132-260804-0583",
            "000.00.53.H48-220921-12345",
            "000.00.53.H48-220921-00099",
            "000.00.53.H48-221341-0099",
            "000.00.53.H48-220921-099",
            "OOO.00.53.H48-220921-0099",
            "000.00.53.H48-220921-0099-1",
            "-220921-0099",
        ] {
            let fast = DossierCode::parse_canonical(raw);
            if let Some(fast) = &fast {
                assert_eq!(
                    DossierCode::parse(&format!(" {raw} ")).as_ref(),
                    Ok(fast),
                    "{raw}"
                );
            }
            let tolerant_is_same =
                DossierCode::parse(&format!(" {raw} ")).is_ok_and(|c| c.as_str() == raw);
            assert_eq!(fast.is_some(), tolerant_is_same, "{raw}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> Result<String, DomainError> {
        DossierCode::parse(raw).map(String::from)
    }

    fn rejected_as_invalid_code(raw: &str) -> bool {
        matches!(
            DossierCode::parse(raw),
            Err(DomainError::InvalidDossierCode { .. })
        )
    }

    #[test]
    fn canonical_examples_from_the_field_parse_unchanged() {
        for raw in ["000.00.53.H48-220921-0099", "H57.132-260804-0583"] {
            assert_eq!(canonical(raw), Ok(raw.to_owned()));
        }
    }

    #[test]
    fn parts_and_date_are_exposed() {
        // Arrange / Act
        let code = DossierCode::parse("000.00.53.H48-220921-0099");
        // Assert
        let code = code
            .as_ref()
            .map(|c| (c.agency_part(), c.date(), c.seq_part()));
        assert_eq!(
            code,
            Ok((
                "000.00.53.H48",
                NaiveDate::from_ymd_opt(2022, 9, 21).unwrap_or_default(),
                "0099"
            ))
        );
    }

    #[test]
    fn lowercase_input_is_uppercased() {
        assert_eq!(
            canonical("000.00.53.h48-220921-0099"),
            Ok("000.00.53.H48-220921-0099".to_owned())
        );
        assert_eq!(
            canonical("h57.132-260804-0583"),
            Ok("H57.132-260804-0583".to_owned())
        );
    }

    #[test]
    fn surrounding_and_internal_spaces_are_removed() {
        assert_eq!(
            canonical("  000.00.53.H48 - 220921 - 00 99 \t"),
            Ok("000.00.53.H48-220921-0099".to_owned())
        );
    }

    #[test]
    fn three_space_separated_words_without_dashes_are_taken_as_the_parts() {
        assert_eq!(
            canonical("H57.132 260804 0583"),
            Ok("H57.132-260804-0583".to_owned())
        );
    }

    #[test]
    fn dash_variants_and_underscores_become_hyphens() {
        for dash in [
            '\u{2010}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{FE63}', '\u{FF0D}', '_',
        ] {
            let raw = format!("000.00.53.H48{dash}220921{dash}0099");
            assert_eq!(
                canonical(&raw),
                Ok("000.00.53.H48-220921-0099".to_owned()),
                "{dash:?}"
            );
        }
    }

    #[test]
    fn full_width_input_is_folded() {
        assert_eq!(
            canonical("０００.００.５３.Ｈ４８－２２０９２１－００９９"),
            Ok("000.00.53.H48-220921-0099".to_owned())
        );
    }

    #[test]
    fn letter_o_in_numeric_groups_becomes_zero() {
        assert_eq!(
            canonical("OOO.OO.53.HO8-22O921-OO99"),
            Ok("000.00.53.H08-220921-0099".to_owned())
        );
        assert_eq!(
            canonical("h57.132-26O8O4-o583"),
            Ok("H57.132-260804-0583".to_owned())
        );
    }

    #[test]
    fn letter_o_in_mixed_agency_groups_is_kept() {
        assert_eq!(
            canonical("SOTP.H48-220921-0099"),
            Ok("SOTP.H48-220921-0099".to_owned())
        );
    }

    #[test]
    fn short_and_over_padded_sequences_are_canonicalised() {
        for (seq, expected) in [
            ("99", "0099"),
            ("099", "0099"),
            ("00099", "0099"),
            ("12345", "12345"),
            ("123456", "123456"),
        ] {
            let raw = format!("H57.132-260804-{seq}");
            let parsed = DossierCode::parse(&raw);
            assert_eq!(parsed.as_ref().map(DossierCode::seq_part), Ok(expected));
        }
    }

    #[test]
    fn empty_and_whitespace_only_input_is_empty() {
        assert_eq!(canonical(""), Err(DomainError::Empty));
        assert_eq!(canonical(" \t\u{3000} "), Err(DomainError::Empty));
        assert_eq!(canonical("\u{200B}"), Err(DomainError::Empty));
    }

    #[test]
    fn input_longer_than_64_characters_is_too_long() {
        let raw = format!(
            "000.00.53.H48-220921-0099{}",
            " ".repeat(2) + &"9".repeat(40)
        );
        assert_eq!(canonical(&raw), Err(DomainError::TooLong { max: 64 }));
    }

    #[test]
    fn wrong_number_of_parts_is_rejected_with_a_reason() {
        for raw in [
            "000.00.53.H48",
            "000.00.53.H48-220921",
            "A-220921-0099-1",
            "000.00.53.H48 220921-0099 x",
        ] {
            assert!(rejected_as_invalid_code(raw), "{raw}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for date in ["221341", "220230", "230229", "220900", "22092", "2209211"] {
            let raw = format!("000.00.53.H48-{date}-0099");
            assert!(
                matches!(DossierCode::parse(&raw), Err(DomainError::InvalidDossierCode { reason }) if reason.contains("ngày")),
                "{raw}"
            );
        }
    }

    #[test]
    fn leap_day_in_a_leap_year_is_accepted() {
        assert!(DossierCode::parse("H57.132-240229-0001").is_ok());
    }

    #[test]
    fn bad_sequences_and_agencies_are_rejected() {
        for raw in [
            "H57.132-260804-",
            "H57.132-260804-1234567",
            "H57.132-260804-12A4",
            "-260804-0583",
            "H57..132-260804-0583",
            "1.2.3.4.5.6.7-260804-0583",
        ] {
            assert!(rejected_as_invalid_code(raw), "{raw}");
        }
    }

    #[test]
    fn sql_and_html_injection_strings_are_rejected() {
        for raw in [
            "' OR '1'='1",
            "000.00.53.H48-220921-0099'; DROP TABLE records;--",
            "000.00.53.H48-220921-0099 OR 1=1",
            "<script>alert(1)</script>",
            "000.00.53.H48-220921-<b>0099</b>",
        ] {
            assert!(DossierCode::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn emoji_and_vietnamese_letters_are_rejected() {
        assert!(rejected_as_invalid_code("000.00.53.H48-220921-0099😀"));
        assert!(rejected_as_invalid_code("Đ57.132-260804-0583"));
    }

    #[test]
    fn serde_round_trips_through_the_canonical_string() {
        // Arrange
        let code = DossierCode::parse("h57.132–260804–583");
        // Act
        let back = code
            .as_ref()
            .map(|c| DossierCode::try_from(String::from(c.clone())));
        // Assert
        assert_eq!(code.as_ref().map(|c| c.as_str()), Ok("H57.132-260804-0583"));
        assert_eq!(back, Ok(code.clone()));
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// An agency group in canonical form: `[0-9A-Z]` without the letter O, which the parser
    /// reads as a digit in numeric-looking groups.
    fn group() -> impl Strategy<Value = String> {
        "[0-9A-NP-Z]{1,5}"
    }

    /// A canonical agency part: 1–6 groups, at most 35 characters.
    fn agency() -> impl Strategy<Value = String> {
        prop::collection::vec(group(), 1..=6)
            .prop_map(|groups| groups.join("."))
            .prop_filter("at most 35 characters", |a| a.len() <= 35)
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (0i32..100, 1u32..=12, 1u32..=31).prop_filter_map("a real date", |(y, m, d)| {
            NaiveDate::from_ymd_opt(2000 + y, m, d)
        })
    }

    /// The parts of a valid code and the canonical string they make.
    fn code() -> impl Strategy<Value = (String, NaiveDate, u32, String)> {
        (agency(), date(), 0u32..=999_999).prop_map(|(agency, date, seq)| {
            let canonical = format!("{agency}-{}-{seq:04}", date.format("%y%m%d"));
            (agency, date, seq, canonical)
        })
    }

    /// Full-width forms of ASCII letters, digits and `-` (what East-Asian keyboards type).
    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' if c != '.' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(raw in any::<String>()) {
            let _ = DossierCode::parse(&raw);
        }

        #[test]
        fn text_made_of_code_characters_never_panics(raw in "[0-9A-Za-zOo .\\-_–—]{0,70}") {
            let _ = DossierCode::parse(&raw);
        }

        /// Whatever is accepted is canonical: parsing the canonical string gives it back.
        #[test]
        fn parsing_is_idempotent(raw in "[0-9A-Za-zOo .\\-–]{0,40}") {
            if let Ok(code) = DossierCode::parse(&raw) {
                prop_assert_eq!(DossierCode::parse(code.as_str()), Ok(code.clone()));
                prop_assert!(code.as_str().len() <= DOSSIER_CODE_MAX_LEN);
            }
        }

        #[test]
        fn the_canonical_form_round_trips_with_its_parts(
            (agency, date, seq, canonical) in code()
        ) {
            let code = DossierCode::parse(&canonical);
            prop_assert_eq!(code.as_ref().map(DossierCode::as_str), Ok(canonical.as_str()));
            let code = code.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(code.agency_part(), agency.as_str());
            prop_assert_eq!(code.date(), date);
            prop_assert_eq!(code.seq_part().parse::<u32>().ok(), Some(seq));
            prop_assert_eq!(DossierCode::try_from(String::from(code.clone())), Ok(code.clone()));
            let json = serde_json::to_string(&code).unwrap_or_default();
            prop_assert_eq!(serde_json::from_str::<DossierCode>(&json).ok(), Some(code));
        }

        /// The fast path for canonical input and the tolerant path agree.
        #[test]
        fn the_fast_path_agrees_with_the_tolerant_path(raw in prop_oneof![
            code().prop_map(|(_, _, _, canonical)| canonical),
            code().prop_map(|(agency, date, seq, _)| format!("{agency}-{}-{seq}", date.format("%y%m%d"))),
            "[0-9A-Z.\\-]{1,40}",
        ]) {
            if let Some(fast) = DossierCode::parse_canonical(&raw) {
                prop_assert_eq!(DossierCode::parse(&format!(" {raw} ")), Ok(fast));
            }
        }

        /// The ways citizens write a code all come to the same canonical code.
        #[test]
        fn sloppy_spellings_normalise_to_the_canonical_code(
            (agency, date, seq, canonical) in code(),
            dash in prop::sample::select(vec!["-", " - ", "_", "\u{2013}", "\u{2014}", "\u{2212}", "\u{FF0D}"]),
            padding in 0usize..=2,
        ) {
            let yymmdd = date.format("%y%m%d").to_string();
            let seq_text = format!("{seq:04}");
            let padded = format!("{}{seq_text}", "0".repeat(padding));
            let mut spellings = vec![
                canonical.to_lowercase(),
                format!("  {canonical}\t"),
                format!("{agency}{dash}{yymmdd}{dash}{seq_text}"),
                format!("{agency} {yymmdd} {seq_text}"),
                full_width(&canonical),
                format!("{agency}-{}-{}", yymmdd.replace('0', "O"), seq_text.replace('0', "o")),
                format!("{agency}-\u{200B}{yymmdd}-{seq}"),
            ];
            if padded.len() <= SEQ_MAX_DIGITS {
                spellings.push(format!("{agency}-{yymmdd}-{padded}"));
            }
            for spelling in spellings {
                let parsed = DossierCode::parse(&spelling);
                prop_assert_eq!(
                    parsed.as_ref().map(DossierCode::as_str),
                    Ok(canonical.as_str()),
                    "{:?}", spelling
                );
            }
        }
    }
}
