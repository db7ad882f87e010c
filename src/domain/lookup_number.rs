//! Ten-digit lookup numbers (mã tra cứu) that tracuu prints on receipts and
//! reads back over SMS, IVR keypads and kiosks. Nine body digits are
//! followed by a Damm check digit, which catches every single-digit typo and
//! every swap of two adjacent digits, so a mistyped number is reported as a
//! typo instead of silently matching someone else's dossier.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::fold_width_char;
use super::DomainError;

/// Number of digits in a lookup number, check digit included.
pub const LOOKUP_NUMBER_DIGITS: usize = 10;
/// Raw input longer than this (after trimming) is rejected outright.
pub const LOOKUP_NUMBER_MAX_LEN: usize = 40;
/// Multiplier used by [`LookupNumber::from_sequence`]: 3^18, coprime with
/// 10, so the mapping is a bijection modulo 10^9.
pub const SEQUENCE_MULTIPLIER: u64 = 387_420_489;
/// Offset used by [`LookupNumber::from_sequence`].
pub const SEQUENCE_OFFSET: u64 = 123_456_789;
const BODY_MODULUS: u64 = 1_000_000_000;

/// The standard Damm quasigroup of order 10 (weakly totally anti-symmetric),
/// as published by H. Michael Damm (2004).
const DAMM_TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// Runs the Damm algorithm over the ASCII digits of `digits` (any other
/// character is skipped) and returns the interim digit. Appending the
/// result to `digits` yields a string whose own Damm digit is 0.
pub fn damm_digit(digits: &str) -> u8 {
    digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u8, |interim, b| {
            DAMM_TABLE[usize::from(interim)][usize::from(b - b'0')]
        })
}

/// A valid lookup number: 10 digits whose Damm digit is 0. Leading zeros are
/// significant only for display; the value is stored as an integer below
/// 10^10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LookupNumber(u64);

fn invalid(reason: &'static str) -> DomainError {
    DomainError::InvalidLookupNumber { reason }
}

impl LookupNumber {
    /// Parses a lookup number typed by a citizen. Spaces, dots and dashes
    /// (including Unicode dash look-alikes) are ignored wherever they
    /// appear; full-width digits are folded, and the letter O (either case)
    /// is read as the digit 0, as in dossier codes. Exactly ten digits are required
    /// (else [`DomainError::InvalidLookupNumber`]) and the check digit must
    /// match (else [`DomainError::LookupNumberCheckDigit`]).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        if trimmed.chars().count() > LOOKUP_NUMBER_MAX_LEN {
            return Err(DomainError::TooLong {
                max: LOOKUP_NUMBER_MAX_LEN,
            });
        }
        let mut digits = String::with_capacity(LOOKUP_NUMBER_DIGITS);
        for c in trimmed.chars().map(fold_width_char) {
            match c {
                '0'..='9' => digits.push(c),
                'O' | 'o' => digits.push('0'),
                '.' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' => {}
                c if c.is_whitespace() => {}
                _ => return Err(invalid("mã tra cứu chỉ gồm chữ số")),
            }
        }
        if digits.len() != LOOKUP_NUMBER_DIGITS {
            return Err(invalid("mã tra cứu phải gồm đúng 10 chữ số"));
        }
        if damm_digit(&digits) != 0 {
            return Err(DomainError::LookupNumberCheckDigit);
        }
        digits
            .parse::<u64>()
            .map(Self)
            .map_err(|_| invalid("mã tra cứu phải gồm đúng 10 chữ số"))
    }

    /// Derives the lookup number for an internal sequence value:
    /// `body = (seq * 387420489 + 123456789) mod 10^9`, written as nine
    /// digits with leading zeros, followed by its Damm digit.
    ///
    /// This must stay identical to the database function that assigns
    /// lookup numbers. `seq` is reduced modulo 10^9 first, which gives the
    /// same result as the formula evaluated without overflow; sequences that
    /// differ by a multiple of 10^9 therefore share a number.
    pub fn from_sequence(seq: u64) -> LookupNumber {
        let body = ((seq % BODY_MODULUS) * SEQUENCE_MULTIPLIER + SEQUENCE_OFFSET) % BODY_MODULUS;
        let check = damm_digit(&format!("{body:09}"));
        LookupNumber(body * 10 + u64::from(check))
    }

    /// Whether `raw` is written like a lookup number rather than a dossier code: digits (or the
    /// letter O for 0) with spaces or dots between them, at least one real digit, no dash and
    /// at most `max_digits` digits. Channels use it to choose which parser a typed text goes to.
    pub fn looks_like(raw: &str, max_digits: usize) -> bool {
        let folded = super::text::fold_width(raw);
        let is_digit = |c: char| c.is_ascii_digit() || c == 'O' || c == 'o';
        folded.chars().any(|c| c.is_ascii_digit())
            && folded
                .chars()
                .all(|c| is_digit(c) || c.is_whitespace() || c == '.')
            && folded.chars().filter(|c| is_digit(*c)).count() <= max_digits
    }

    /// A number read back from storage: must have at most 10 digits and a valid check digit.
    pub fn from_value(value: u64) -> Result<Self, DomainError> {
        if value >= 10_000_000_000 {
            return Err(invalid("số tra cứu dài quá 10 chữ số"));
        }
        let digits = format!("{value:010}");
        let (body, check) = digits.split_at(9);
        if check.as_bytes()[0] - b'0' != damm_digit(body) {
            return Err(DomainError::LookupNumberCheckDigit);
        }
        Ok(LookupNumber(value))
    }

    /// The number as an integer (leading zeros lost; see `Display`).
    pub fn value(&self) -> u64 {
        self.0
    }

    /// Grouped for printing and reading aloud: `1234 5678 90` (4-4-2).
    pub fn grouped(&self) -> String {
        let s = self.to_string();
        format!("{} {} {}", &s[..4], &s[4..8], &s[8..])
    }
}

impl fmt::Display for LookupNumber {
    /// Ten digits, zero-padded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:010}", self.0)
    }
}

impl FromStr for LookupNumber {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for LookupNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LookupNumber> for String {
    fn from(value: LookupNumber) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<String> {
        let mut v: Vec<String> = (0..200u64)
            .map(|s| LookupNumber::from_sequence(s * 7919).to_string())
            .collect();
        v.push(LookupNumber::from_sequence(0).to_string());
        v.push(LookupNumber::from_sequence(u64::MAX).to_string());
        v
    }

    #[test]
    fn damm_digit_matches_the_published_example() {
        // Damm's worked example: 572 → check digit 4.
        assert_eq!(damm_digit("572"), 4);
        assert_eq!(damm_digit("5724"), 0);
    }

    #[test]
    fn damm_digit_skips_non_digits() {
        assert_eq!(damm_digit("5 7-2"), damm_digit("572"));
    }

    #[test]
    fn every_single_digit_substitution_is_detected() {
        for number in samples() {
            let digits: Vec<u8> = number.bytes().collect();
            for pos in 0..digits.len() {
                for d in b'0'..=b'9' {
                    if d == digits[pos] {
                        continue;
                    }
                    let mut typo = digits.clone();
                    typo[pos] = d;
                    let typo = String::from_utf8(typo).unwrap_or_default();
                    assert_eq!(
                        LookupNumber::parse(&typo),
                        Err(DomainError::LookupNumberCheckDigit),
                        "{number} -> {typo}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_adjacent_transposition_of_different_digits_is_detected() {
        for number in samples() {
            let digits: Vec<u8> = number.bytes().collect();
            for pos in 0..digits.len() - 1 {
                if digits[pos] == digits[pos + 1] {
                    continue;
                }
                let mut swapped = digits.clone();
                swapped.swap(pos, pos + 1);
                let swapped = String::from_utf8(swapped).unwrap_or_default();
                assert_eq!(
                    LookupNumber::parse(&swapped),
                    Err(DomainError::LookupNumberCheckDigit),
                    "{number} -> {swapped}"
                );
            }
        }
    }

    #[test]
    fn from_sequence_is_injective_on_a_sample() {
        // Arrange
        let mut seen = std::collections::HashSet::new();
        // Act / Assert
        for seq in 0..100_000u64 {
            assert!(seen.insert(LookupNumber::from_sequence(seq)), "{seq}");
        }
    }

    #[test]
    fn from_sequence_matches_the_documented_formula() {
        // seq 1: 387420489 + 123456789 = 510877278.
        let n = LookupNumber::from_sequence(1);
        assert_eq!(n.value() / 10, 510_877_278);
        assert_eq!(n.value() % 10, u64::from(damm_digit("510877278")));
        // seq 0 gives the offset itself.
        assert_eq!(LookupNumber::from_sequence(0).value() / 10, 123_456_789);
    }

    #[test]
    fn from_sequence_is_a_bijection_modulo_a_billion() {
        // 387420489 * 513180409 ≡ 1 (mod 10^9): the inverse recovers seq.
        const INVERSE: u128 = 513_180_409;
        for seq in [0u64, 1, 2, 999, 123_456, 999_999_999] {
            let body = u128::from(LookupNumber::from_sequence(seq).value() / 10);
            let back = ((body + 1_000_000_000 - 123_456_789) * INVERSE) % 1_000_000_000;
            assert_eq!(back, u128::from(seq));
        }
    }

    #[test]
    fn generated_numbers_round_trip_through_display_and_parse() {
        for number in samples() {
            let parsed = LookupNumber::parse(&number);
            assert_eq!(parsed.map(|n| n.to_string()), Ok(number.clone()));
        }
    }

    #[test]
    fn grouped_form_and_separators_parse_back() {
        // Arrange
        let n = LookupNumber::from_sequence(42);
        let grouped = n.grouped();
        let s = n.to_string();
        let dotted = format!("{}.{}.{}", &s[..3], &s[3..6], &s[6..]);
        let dashed = format!("{}-{}", &s[..5], &s[5..]);
        // Act / Assert
        assert_eq!(grouped.len(), 12);
        assert_eq!(grouped.replace(' ', ""), s);
        for raw in [grouped, dotted, dashed, format!("  {s}  ")] {
            assert_eq!(LookupNumber::parse(&raw), Ok(n), "{raw}");
        }
    }

    #[test]
    fn leading_zeros_are_kept_in_display() {
        // Arrange: a body starting with zeros.
        let body = "000000001";
        let raw = format!("{body}{}", damm_digit(body));
        // Act
        let n = LookupNumber::parse(&raw);
        // Assert
        assert_eq!(
            n.map(|n| (n.to_string(), n.grouped())),
            Ok((raw.clone(), format!("0000 0000 1{}", &raw[9..])))
        );
    }

    #[test]
    fn full_width_digits_are_accepted() {
        let n = LookupNumber::from_sequence(7);
        let wide: String = n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
            .collect();
        assert_eq!(LookupNumber::parse(&wide), Ok(n));
    }

    #[test]
    fn letter_o_is_read_as_zero() {
        let n = LookupNumber::parse("0605592342").expect("number");
        for raw in [
            "O6O5592342",
            "o605 5923 42",
            "O6O5.5923.42",
            "０6O5 5923 42",
        ] {
            assert_eq!(LookupNumber::parse(raw), Ok(n), "{raw}");
        }
        assert_eq!(
            LookupNumber::parse("O6O5592343"),
            Err(DomainError::LookupNumberCheckDigit)
        );
    }

    #[test]
    fn numbers_are_told_from_codes_by_their_shape() {
        for raw in [
            "1234 5678 90",
            "O6O5 5923 42",
            "１２３４５６７８９０",
            "12.34",
        ] {
            assert!(LookupNumber::looks_like(raw, 12), "{raw}");
        }
        for raw in [
            "000.00.53.H48-220921-0099",
            "H57.132-260804-0583",
            "HO8",
            "OOOO",
            "abc",
            "1234-5678-90",
            "1234567890123",
        ] {
            assert!(!LookupNumber::looks_like(raw, 12), "{raw}");
        }
    }

    #[test]
    fn wrong_length_and_letters_are_invalid_not_typos() {
        for raw in [
            "123456789",
            "12345678901",
            "12345a7890",
            "1234567890 ; DROP",
        ] {
            assert!(
                matches!(
                    LookupNumber::parse(raw),
                    Err(DomainError::InvalidLookupNumber { .. })
                ),
                "{raw}"
            );
        }
        assert_eq!(LookupNumber::parse("  "), Err(DomainError::Empty));
        assert_eq!(
            LookupNumber::parse(&"1".repeat(41)),
            Err(DomainError::TooLong { max: 40 })
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// Any valid lookup number: the one of a sequence value.
    fn number() -> impl Strategy<Value = LookupNumber> {
        any::<u64>().prop_map(LookupNumber::from_sequence)
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(raw in any::<String>()) {
            let _ = LookupNumber::parse(&raw);
        }

        #[test]
        fn digit_strings_never_panic_and_accepted_ones_are_ten_checked_digits(
            raw in "[0-9Oo .\\-]{0,45}"
        ) {
            if let Ok(number) = LookupNumber::parse(&raw) {
                let digits: String = raw
                    .chars()
                    .filter_map(|c| match c {
                        'O' | 'o' => Some('0'),
                        c if c.is_ascii_digit() => Some(c),
                        _ => None,
                    })
                    .collect();
                prop_assert_eq!(number.to_string(), digits.clone());
                prop_assert_eq!(damm_digit(&digits), 0);
            }
        }

        #[test]
        fn any_value_read_back_is_checked_and_round_trips(value in any::<u64>()) {
            if let Ok(number) = LookupNumber::from_value(value) {
                prop_assert_eq!(number.value(), value);
                prop_assert_eq!(LookupNumber::parse(&number.to_string()), Ok(number));
            }
        }

        #[test]
        fn printed_and_grouped_forms_round_trip(number in number()) {
            let printed = number.to_string();
            prop_assert_eq!(printed.len(), LOOKUP_NUMBER_DIGITS);
            prop_assert_eq!(LookupNumber::from_value(number.value()), Ok(number));
            let wide: String = printed
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                .collect();
            let dotted = format!("{}.{}.{}", &printed[..3], &printed[3..6], &printed[6..]);
            let dashed = format!("{}\u{2013}{}", &printed[..5], &printed[5..]);
            let with_o = number.grouped().replace('0', "O");
            let with_lower_o = printed.replace('0', "o");
            for spelling in [printed.clone(), number.grouped(), dotted, dashed, wide, format!(" {printed}\t"), with_o, with_lower_o] {
                prop_assert_eq!(LookupNumber::parse(&spelling), Ok(number), "{:?}", spelling);
            }
            prop_assert_eq!(String::from(number), printed.clone());
            let json = serde_json::to_string(&number).unwrap_or_default();
            prop_assert_eq!(serde_json::from_str::<LookupNumber>(&json).ok(), Some(number));
        }

        /// The check digit catches one changed digit anywhere.
        #[test]
        fn one_changed_digit_is_a_typo(number in number(), position in 0usize..10, delta in 1u8..10) {
            let mut digits = number.to_string().into_bytes();
            digits[position] = b'0' + (digits[position] - b'0' + delta) % 10;
            let typo = String::from_utf8(digits).unwrap_or_default();
            prop_assert_eq!(LookupNumber::parse(&typo), Err(DomainError::LookupNumberCheckDigit));
        }
    }
}
