//! Agency codes (mã định danh, QĐ 20/2020/QĐ-TTg) and administrative
//! procedure codes (mã thủ tục hành chính), both as parsed newtypes.
//! These usually come from configuration or the upstream system rather than
//! from citizens, so parsing only trims, folds full-width forms and
//! uppercases; it does not guess at typos (compare
//! [`super::dossier_code`], which does).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::{char_len, fold_width};
use super::DomainError;

/// Maximum length of an agency code (QĐ 20/2020/QĐ-TTg).
pub const AGENCY_CODE_MAX_LEN: usize = 35;
/// Maximum number of dot-separated groups in an agency code.
pub const AGENCY_CODE_MAX_GROUPS: usize = 6;

/// Checks an already uppercased agency code: 1–6 non-empty dot-separated
/// groups of `[0-9A-Z]`, at most 35 characters. Returns a Vietnamese reason
/// on failure so both [`AgencyCode`] and the dossier-code parser can wrap
/// it in their own error variant.
pub(crate) fn check_agency(code: &str) -> Result<(), &'static str> {
    if char_len(code) > AGENCY_CODE_MAX_LEN {
        return Err("mã cơ quan dài quá 35 ký tự");
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == '.')
    {
        return Err("mã cơ quan chỉ gồm chữ số, chữ cái không dấu và dấu chấm");
    }
    let mut groups = 0usize;
    for group in code.split('.') {
        if group.is_empty() {
            return Err("mã cơ quan có nhóm rỗng (thừa hoặc thiếu dấu chấm)");
        }
        groups += 1;
    }
    if groups > AGENCY_CODE_MAX_GROUPS {
        return Err("mã cơ quan có nhiều hơn 6 nhóm");
    }
    Ok(())
}

/// An agency identification code such as `000.00.53.H48` or `H57.132`:
/// 1–6 dot-separated groups of digits and uppercase ASCII letters, at most
/// 35 characters. Stored uppercase and trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Parses an agency code: trims, folds full-width forms and uppercases
    /// ASCII letters, then validates the QĐ 20/2020 shape.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code: String = fold_width(raw.trim()).trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(DomainError::Empty);
        }
        check_agency(&code).map_err(|reason| DomainError::InvalidAgencyCode { reason })?;
        Ok(Self(code))
    }

    /// The canonical code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The dot-separated groups, left to right.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }
}

impl AsRef<str> for AgencyCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AgencyCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AgencyCode> for String {
    fn from(value: AgencyCode) -> Self {
        value.0
    }
}

/// Maximum length accepted for a procedure code in its local form.
pub const PROCEDURE_CODE_MAX_LEN: usize = 64;
/// Length of the national form `N.NNNNNN`.
const NATIONAL_LEN: usize = 8;

/// An administrative procedure code. The national form is `N.NNNNNN`
/// (`1.001193`); the local form appends dot-separated groups naming the
/// implementing agency and sometimes a variant suffix
/// (`1.001193.000.00.00.H35`, `1.000948.H38`, `2.000815.000.00.00.H55.02`).
/// The form given is kept; [`ProcedureCode::national`] extracts the national
/// part for matching across provinces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// Parses a national or local procedure code: trims, folds full-width
    /// forms and uppercases ASCII letters. The local suffix must be 1–7
    /// groups of `[0-9A-Z]` (an agency code of up to 6 groups plus an
    /// optional variant group) and the whole code at most 64 characters.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code: String = fold_width(raw.trim()).trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(DomainError::Empty);
        }
        if char_len(&code) > PROCEDURE_CODE_MAX_LEN {
            return Err(DomainError::TooLong {
                max: PROCEDURE_CODE_MAX_LEN,
            });
        }
        let invalid = |reason| DomainError::InvalidProcedureCode { reason };
        let bytes = code.as_bytes();
        let national_ok = bytes.len() >= NATIONAL_LEN
            && bytes[0].is_ascii_digit()
            && bytes[1] == b'.'
            && bytes[2..NATIONAL_LEN].iter().all(u8::is_ascii_digit);
        if !national_ok {
            return Err(invalid(
                "phần đầu phải có dạng N.NNNNNN (một chữ số, dấu chấm, sáu chữ số)",
            ));
        }
        if bytes.len() > NATIONAL_LEN {
            if bytes[NATIONAL_LEN] != b'.' {
                return Err(invalid("sau mã quốc gia N.NNNNNN phải là dấu chấm"));
            }
            let suffix = &code[NATIONAL_LEN + 1..];
            let mut groups = 0usize;
            for group in suffix.split('.') {
                if group.is_empty()
                    || !group
                        .chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
                {
                    return Err(invalid(
                        "phần mã cơ quan chỉ gồm các nhóm chữ số, chữ cái không dấu ngăn cách bởi dấu chấm",
                    ));
                }
                groups += 1;
            }
            if groups > AGENCY_CODE_MAX_GROUPS + 1 {
                return Err(invalid("phần mã cơ quan có quá nhiều nhóm"));
            }
        }
        Ok(Self(code))
    }

    /// The code as given (national or local form), canonicalised.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national part `N.NNNNNN` (the first eight characters).
    pub fn national(&self) -> &str {
        // Parsing guarantees at least eight ASCII characters.
        self.0.get(..NATIONAL_LEN).unwrap_or(&self.0)
    }

    /// Whether the code is in the bare national form.
    pub fn is_national(&self) -> bool {
        self.0.len() == NATIONAL_LEN
    }

    /// The local suffix after the national part (e.g. `000.00.00.H35`), if any.
    pub fn local_suffix(&self) -> Option<&str> {
        self.0.get(NATIONAL_LEN + 1..).filter(|s| !s.is_empty())
    }
}

impl AsRef<str> for ProcedureCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ProcedureCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProcedureCode> for String {
    fn from(value: ProcedureCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes_from_the_field_are_accepted() {
        for raw in [
            "000.00.53.H48",
            "H57.132",
            "000.00.00.H56",
            "G01",
            "A.B.C.D.E.F",
        ] {
            assert_eq!(AgencyCode::parse(raw).map(String::from), Ok(raw.to_owned()));
        }
    }

    #[test]
    fn agency_code_is_trimmed_uppercased_and_width_folded() {
        // Arrange / Act
        let code = AgencyCode::parse("  ０００.00.53.h48 ");
        // Assert
        assert_eq!(code.map(|c| c.to_string()), Ok("000.00.53.H48".to_owned()));
    }

    #[test]
    fn agency_code_groups_are_listed_left_to_right() {
        let code = AgencyCode::parse("000.00.53.H48");
        let groups: Vec<String> = code
            .map(|c| c.groups().map(str::to_owned).collect())
            .unwrap_or_default();
        assert_eq!(groups, ["000", "00", "53", "H48"]);
    }

    #[test]
    fn agency_code_rejects_empty_groups_bad_characters_and_excess_length() {
        assert_eq!(AgencyCode::parse("   "), Err(DomainError::Empty));
        for raw in [
            "000..53.H48",
            ".H48",
            "H48.",
            "H48-1",
            "Hà.48",
            "1.2.3.4.5.6.7",
            "000000000.000000000.000000000.000000",
        ] {
            assert!(
                matches!(
                    AgencyCode::parse(raw),
                    Err(DomainError::InvalidAgencyCode { .. })
                ),
                "{raw}"
            );
        }
    }

    #[test]
    fn national_procedure_code_is_accepted() {
        // Act
        let code = ProcedureCode::parse("1.001193");
        // Assert
        let code = code
            .as_ref()
            .map(|c| (c.national(), c.is_national(), c.local_suffix()));
        assert_eq!(code, Ok(("1.001193", true, None)));
    }

    #[test]
    fn local_procedure_codes_keep_their_suffix_and_expose_the_national_part() {
        for (raw, suffix) in [
            ("1.001193.000.00.00.H35", "000.00.00.H35"),
            ("1.000948.h38", "H38"),
            ("2.000815.000.00.00.H55.02", "000.00.00.H55.02"),
        ] {
            let code = ProcedureCode::parse(raw);
            assert_eq!(
                code.as_ref().map(|c| (c.national(), c.local_suffix())),
                Ok((&raw[..8], Some(suffix))),
                "{raw}"
            );
        }
    }

    #[test]
    fn malformed_procedure_codes_are_rejected() {
        for raw in [
            "1001193",
            "1.00119",
            "12.001193",
            "1.001193-H35",
            "1.001193.",
            "1.001193..H35",
            "1.001193.H3 5",
            "a.001193",
        ] {
            assert!(
                matches!(
                    ProcedureCode::parse(raw),
                    Err(DomainError::InvalidProcedureCode { .. })
                ),
                "{raw}"
            );
        }
        assert_eq!(ProcedureCode::parse(""), Err(DomainError::Empty));
    }
}
