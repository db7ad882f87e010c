//! The id a kiosk sends with its requests (`X-Kiosk-Id` header or the `kiosk` field of a rating):
//! it names a device, not a person, and keys per-kiosk statistics and rate limits.

use std::fmt;

use super::DomainError;

/// Longest kiosk id accepted.
pub const KIOSK_ID_MAX_LEN: usize = 40;

/// A kiosk id: 1–40 characters of `[A-Za-z0-9._-]`, kept as given (ids are case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KioskId(String);

impl KioskId {
    /// Parses a kiosk id after trimming surrounding whitespace.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let id = raw.trim();
        if id.is_empty() || id.len() > KIOSK_ID_MAX_LEN {
            return Err(DomainError::InvalidKioskId);
        }
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(DomainError::InvalidKioskId);
        }
        Ok(Self(id.to_owned()))
    }
}

impl AsRef<str> for KioskId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KioskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_ids_parse_and_keep_their_case() {
        for raw in ["kiosk-01", " HCC.tang1_A ", "x", &"a".repeat(40)] {
            let id = KioskId::parse(raw).expect(raw);
            assert_eq!(id.as_ref(), raw.trim());
        }
    }

    #[test]
    fn empty_long_and_foreign_characters_are_refused() {
        for raw in [
            "",
            "   ",
            &"a".repeat(41),
            "ki ốt",
            "a/b",
            "<script>",
            "id;drop",
            "ｋｉｏｓｋ",
        ] {
            assert_eq!(
                KioskId::parse(raw),
                Err(DomainError::InvalidKioskId),
                "{raw:?}"
            );
        }
    }
}
