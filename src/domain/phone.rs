//! Vietnamese phone numbers, stored in E.164 (`+84…`), and the four-digit
//! "last digits of your phone" proof that unlocks dossier details. Parsing
//! accepts the ways people actually write numbers (spaces, dots, dashes,
//! brackets, `+84`, `84`, `0084`, full-width digits) and converts the
//! pre-2018 11-digit mobile prefixes to today's 10-digit ones (docs/domain.md, SMS).
//! Phone numbers are personal data: `Debug` shows only the masked form, and
//! nothing here should be logged in full.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::fold_width_char;
use super::DomainError;

/// Raw input longer than this (after trimming) is rejected outright.
pub const PHONE_MAX_LEN: usize = 32;

/// Pre-2018 11-digit mobile prefixes and their 10-digit replacements
/// (Viettel, MobiFone, VinaPhone, Vietnamobile, Gmobile; docs/domain.md, SMS).
const OLD_MOBILE_PREFIXES: [(&str, &str); 18] = [
    ("0162", "032"),
    ("0163", "033"),
    ("0164", "034"),
    ("0165", "035"),
    ("0166", "036"),
    ("0167", "037"),
    ("0168", "038"),
    ("0169", "039"),
    ("0120", "070"),
    ("0121", "079"),
    ("0122", "077"),
    ("0126", "076"),
    ("0128", "078"),
    ("0123", "083"),
    ("0124", "084"),
    ("0125", "085"),
    ("0127", "081"),
    ("0129", "082"),
];

/// Vietnamobile and Gmobile prefixes, kept apart only to keep the table
/// above readable.
const OLD_MOBILE_PREFIXES_SMALL: [(&str, &str); 3] =
    [("0186", "056"), ("0188", "058"), ("0199", "059")];

fn invalid(reason: &'static str) -> DomainError {
    DomainError::InvalidPhone { reason }
}

/// A valid Vietnamese phone number, stored as E.164: `+84` followed by the
/// national number without its leading 0. Either a 10-digit mobile
/// (national prefix 03, 05, 07, 08, 09) or an 11-digit landline (02…).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a phone number as written by a citizen or an upstream system.
    ///
    /// Separators (whitespace, `.`, `-`, dash look-alikes, `(`, `)`, `/`)
    /// are ignored; full-width digits are folded; a `+` is allowed only
    /// before the first digit. International forms `+84…`, `0084…` and a
    /// bare `84…` (9 or 10 digits after it) are accepted, and a redundant 0
    /// after the country code (`+84 0912…`) is tolerated. Old 11-digit
    /// mobile numbers are rewritten to the new prefixes.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        if trimmed.chars().count() > PHONE_MAX_LEN {
            return Err(DomainError::TooLong { max: PHONE_MAX_LEN });
        }
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for c in trimmed.chars().map(fold_width_char) {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                '+' => return Err(invalid("dấu + chỉ được đặt ở đầu số")),
                '.' | '-' | '(' | ')' | '/' | '\u{2010}'..='\u{2015}' | '\u{2212}' => {}
                c if c.is_whitespace() => {}
                _ => return Err(invalid("số điện thoại chỉ gồm chữ số")),
            }
        }
        let national = to_national(&digits, plus)?;
        let national = classify(national)?;
        Ok(Self(format!("+84{}", &national[1..])))
    }

    /// The E.164 form, e.g. `+84912345678`.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// The national form with a leading 0, e.g. `0912345678`.
    pub fn national(&self) -> String {
        format!("0{}", self.0.get(3..).unwrap_or_default())
    }

    /// The last four digits (what a citizen types as proof).
    pub fn last4(&self) -> &str {
        let len = self.0.len();
        self.0.get(len.saturating_sub(4)..).unwrap_or_default()
    }

    /// A masked national form safe to show on screens and in logs: the
    /// leading `0` and the first national digit (which only tells mobile
    /// from landline), then `x` for every hidden digit, then the last three
    /// digits, grouped 4-3-3 for mobiles and 4-4-3 for landlines:
    /// `0912345678` → `09xx xxx 678`, `02363822123` → `02xx xxxx 123`.
    pub fn masked(&self) -> String {
        let national = self.national();
        let len = national.len();
        let mut out = String::with_capacity(len + 2);
        for (i, c) in national.chars().enumerate() {
            if i == 4 || i == len - 3 {
                out.push(' ');
            }
            out.push(if i < 2 || i >= len - 3 { c } else { 'x' });
        }
        out
    }

    /// Whether this is a mobile number (can receive SMS).
    pub fn is_mobile(&self) -> bool {
        !self.0.starts_with("+842")
    }

    /// Checks a citizen's four-digit proof against this number in constant time.
    pub fn matches_last4(&self, proof: &PhoneLast4) -> bool {
        proof.matches(self.last4())
    }
}

/// Turns the collected digits into a national number starting with 0.
fn to_national(digits: &str, plus: bool) -> Result<String, DomainError> {
    let after_country = |rest: &str| format!("0{}", rest.strip_prefix('0').unwrap_or(rest));
    if plus {
        let rest = digits
            .strip_prefix("84")
            .ok_or_else(|| invalid("chỉ nhận số điện thoại Việt Nam (+84)"))?;
        return Ok(after_country(rest));
    }
    if let Some(rest) = digits.strip_prefix("0084") {
        return Ok(after_country(rest));
    }
    if digits.starts_with('0') {
        return Ok(digits.to_owned());
    }
    match digits.strip_prefix("84") {
        Some(rest) if (9..=11).contains(&rest.len()) => Ok(after_country(rest)),
        _ => Err(invalid("số điện thoại phải bắt đầu bằng 0 hoặc +84")),
    }
}

/// Validates a national number and rewrites old 11-digit mobile prefixes.
fn classify(national: String) -> Result<String, DomainError> {
    let b = national.as_bytes();
    match b.len() {
        10 if matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9') => Ok(national),
        10 if b[1] == b'2' => Err(invalid(
            "số cố định phải có 11 chữ số, bắt đầu bằng 02 và mã vùng",
        )),
        10 => Err(invalid("đầu số di động phải là 03, 05, 07, 08 hoặc 09")),
        11 if b[1] == b'2' => Ok(national),
        11 if b[1] == b'1' => {
            let old = &national[..4];
            OLD_MOBILE_PREFIXES
                .iter()
                .chain(OLD_MOBILE_PREFIXES_SMALL.iter())
                .find(|(from, _)| *from == old)
                .map(|(_, to)| format!("{to}{}", &national[4..]))
                .ok_or_else(|| invalid("đầu số 11 chữ số cũ này không còn sử dụng"))
        }
        11 => Err(invalid("số 11 chữ số phải là số cố định bắt đầu bằng 02")),
        _ => Err(invalid(
            "số điện thoại phải có 10 chữ số (di động) hoặc 11 chữ số (cố định)",
        )),
    }
}

impl fmt::Debug for PhoneNumber {
    /// Masked, so a stray `{:?}` never logs a full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl AsRef<str> for PhoneNumber {
    /// The E.164 form.
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for PhoneNumber {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

/// The last four digits of a phone number, typed by a citizen as a second
/// factor. Stored as ASCII digit bytes; `Debug` is redacted and there is
/// deliberately no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneLast4([u8; 4]);

impl PhoneLast4 {
    /// Parses exactly four digits (ASCII or full-width) after trimming;
    /// anything else, including empty input, is
    /// [`DomainError::InvalidPhoneProof`].
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let mut out = [0u8; 4];
        let mut n = 0usize;
        for c in raw.trim().chars().map(fold_width_char) {
            if !c.is_ascii_digit() || n == out.len() {
                return Err(DomainError::InvalidPhoneProof);
            }
            out[n] = c as u8;
            n += 1;
        }
        if n != out.len() {
            return Err(DomainError::InvalidPhoneProof);
        }
        Ok(Self(out))
    }

    /// Compares with the stored last four digits of a phone number in
    /// constant time (no early exit on the first differing digit). A
    /// `phone_last4` that is not exactly four bytes never matches; its
    /// length is not secret.
    pub fn matches(&self, phone_last4: &str) -> bool {
        let other = phone_last4.as_bytes();
        if other.len() != self.0.len() {
            return false;
        }
        let diff = self
            .0
            .iter()
            .zip(other)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }
}

impl fmt::Debug for PhoneLast4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneLast4(****)")
    }
}

impl FromStr for PhoneLast4 {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Most digits of an international number after its `+` (E.164).
pub const INTERNATIONAL_MAX_DIGITS: usize = 15;
/// Fewest digits of an international number after its `+` (country code and subscriber number;
/// the shortest numbering plans in use have 7 or 8).
pub const INTERNATIONAL_MIN_DIGITS: usize = 7;

/// The sender of an inbound SMS as the gateway passes it (Kannel's `%p`): a Vietnamese number in
/// any form [`PhoneNumber`] accepts, or another country's number in international form. Anything
/// else (an alphanumeric sender id, a short code, markup) is no sender tracuu answers or stores
/// (docs/decisions/0042-sms-sender-must-be-a-phone-number.md). `Debug` shows only the masked
/// form.
#[derive(Clone, PartialEq, Eq)]
pub enum SmsSender {
    /// A Vietnamese number, stored as E.164 `+84…`.
    Vietnamese(PhoneNumber),
    /// Another country's number: `+`, a country code other than 84, 7 to 15 digits in all.
    International(String),
}

impl SmsSender {
    /// Parses a sender: first as a Vietnamese number, else as `+<digits>` or `00<digits>` with a
    /// country code that does not start with 0 and is not 84 (a `+84` number must be a valid
    /// Vietnamese one), 7–15 digits after the `+`, no other characters.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        if trimmed.chars().count() > PHONE_MAX_LEN {
            return Err(DomainError::TooLong { max: PHONE_MAX_LEN });
        }
        let vietnamese = match PhoneNumber::parse(trimmed) {
            Ok(phone) => return Ok(Self::Vietnamese(phone)),
            Err(error) => error,
        };
        let Some(digits) = trimmed
            .strip_prefix('+')
            .or_else(|| trimmed.strip_prefix("00"))
        else {
            return Err(vietnamese);
        };
        if digits.starts_with("84") {
            return Err(vietnamese);
        }
        let well_formed = digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
            && (INTERNATIONAL_MIN_DIGITS..=INTERNATIONAL_MAX_DIGITS).contains(&digits.len());
        if !well_formed {
            return Err(invalid(
                "số nước ngoài phải ở dạng quốc tế: dấu + rồi 7 đến 15 chữ số",
            ));
        }
        Ok(Self::International(format!("+{digits}")))
    }

    /// The E.164 form, e.g. `+84912345678` or `+12025550100`.
    pub fn e164(&self) -> &str {
        match self {
            Self::Vietnamese(phone) => phone.e164(),
            Self::International(number) => number,
        }
    }

    /// The Vietnamese number, when it is one.
    pub fn vietnamese(&self) -> Option<&PhoneNumber> {
        match self {
            Self::Vietnamese(phone) => Some(phone),
            Self::International(_) => None,
        }
    }

    /// A form safe for logs: [`PhoneNumber::masked`], or for another country's number the `+`,
    /// its first digit, `x` for each hidden digit and the last three (`+1xxxxxxx100`).
    pub fn masked(&self) -> String {
        match self {
            Self::Vietnamese(phone) => phone.masked(),
            Self::International(number) => {
                let len = number.len();
                number
                    .char_indices()
                    .map(|(i, c)| if i < 2 || i + 3 >= len { c } else { 'x' })
                    .collect()
            }
        }
    }
}

impl fmt::Debug for SmsSender {
    /// Masked, so a stray `{:?}` never logs a full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmsSender({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str) -> Result<String, DomainError> {
        PhoneNumber::parse(raw).map(String::from)
    }

    #[test]
    fn common_ways_of_writing_a_mobile_number_all_parse_to_e164() {
        for raw in [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "0912-345-678",
            "+84 912 345 678",
            "84912345678",
            "(+84) 912-345-678",
            "+84 0912 345 678",
            "0084 912 345 678",
            "０９１２３４５６７８",
            " 0912\u{3000}345678 ",
        ] {
            assert_eq!(e164(raw), Ok("+84912345678".to_owned()), "{raw}");
        }
    }

    #[test]
    fn every_current_mobile_prefix_class_is_accepted() {
        for raw in [
            "0321234567",
            "0561234567",
            "0701234567",
            "0861234567",
            "0981234567",
        ] {
            assert!(
                PhoneNumber::parse(raw).is_ok_and(|p| p.is_mobile()),
                "{raw}"
            );
        }
    }

    #[test]
    fn landline_keeps_its_area_code() {
        // Arrange / Act
        let phone = PhoneNumber::parse("0236 3822 123");
        // Assert
        let phone = phone
            .as_ref()
            .map(|p| (p.e164(), p.national(), p.is_mobile()));
        assert_eq!(
            phone,
            Ok(("+842363822123", "02363822123".to_owned(), false))
        );
    }

    #[test]
    fn old_eleven_digit_mobiles_are_converted_to_new_prefixes() {
        for (old, new) in [
            ("01681234567", "0381234567"),
            ("01621234567", "0321234567"),
            ("01201234567", "0701234567"),
            ("01211234567", "0791234567"),
            ("01221234567", "0771234567"),
            ("01261234567", "0761234567"),
            ("01281234567", "0781234567"),
            ("01231234567", "0831234567"),
            ("01241234567", "0841234567"),
            ("01251234567", "0851234567"),
            ("01271234567", "0811234567"),
            ("01291234567", "0821234567"),
            ("01861234567", "0561234567"),
            ("01881234567", "0581234567"),
            ("01991234567", "0591234567"),
            ("+84 168 123 4567", "0381234567"),
        ] {
            let phone = PhoneNumber::parse(old);
            assert_eq!(phone.map(|p| p.national()), Ok(new.to_owned()), "{old}");
        }
    }

    #[test]
    fn invalid_numbers_are_rejected_with_the_phone_code() {
        for raw in [
            "091234567",
            "09123456789",
            "0412345678",
            "0212345678",
            "01601234567",
            "01301234567",
            "+1 202 555 0100",
            "0912 345 67a",
            "0912+345678",
            "912345678",
            "<script>",
        ] {
            assert!(
                matches!(
                    PhoneNumber::parse(raw),
                    Err(DomainError::InvalidPhone { .. })
                ),
                "{raw}"
            );
        }
        assert_eq!(PhoneNumber::parse(" "), Err(DomainError::Empty));
        assert_eq!(
            PhoneNumber::parse(&"0".repeat(33)),
            Err(DomainError::TooLong { max: 32 })
        );
    }

    #[test]
    fn masked_shows_only_the_class_digit_and_the_last_three() {
        let mobile = PhoneNumber::parse("0912345678");
        let landline = PhoneNumber::parse("02363822123");
        assert_eq!(mobile.map(|p| p.masked()), Ok("09xx xxx 678".to_owned()));
        assert_eq!(landline.map(|p| p.masked()), Ok("02xx xxxx 123".to_owned()));
    }

    #[test]
    fn debug_output_never_contains_the_full_number() {
        let phone = PhoneNumber::parse("0912345678");
        let debug = format!("{phone:?}");
        assert!(
            !debug.contains("912345678") && debug.contains("678"),
            "{debug}"
        );
    }

    #[test]
    fn last4_is_the_end_of_the_number() {
        let phone = PhoneNumber::parse("0912345678");
        assert_eq!(phone.as_ref().map(PhoneNumber::last4), Ok("5678"));
    }

    #[test]
    fn phone_proof_accepts_exactly_four_digits() {
        assert!(PhoneLast4::parse(" 5678 ").is_ok());
        assert!(PhoneLast4::parse("５６７８").is_ok());
        for raw in ["", "567", "56789", "56a8", "56 78", "٥٦٧٨"] {
            assert_eq!(
                PhoneLast4::parse(raw),
                Err(DomainError::InvalidPhoneProof),
                "{raw}"
            );
        }
    }

    #[test]
    fn phone_proof_matches_only_the_same_digits() {
        // Arrange
        let proof = PhoneLast4::parse("5678");
        let phone = PhoneNumber::parse("0912345678");
        let other = PhoneNumber::parse("0912345679");
        // Act / Assert
        assert_eq!(proof.as_ref().map(|p| p.matches("5678")), Ok(true));
        assert_eq!(proof.as_ref().map(|p| p.matches("5679")), Ok(false));
        assert_eq!(proof.as_ref().map(|p| p.matches("05678")), Ok(false));
        assert_eq!(proof.as_ref().map(|p| p.matches("")), Ok(false));
        if let (Ok(proof), Ok(phone), Ok(other)) = (proof, phone, other) {
            assert!(phone.matches_last4(&proof));
            assert!(!other.matches_last4(&proof));
            assert_eq!(format!("{proof:?}"), "PhoneLast4(****)");
        } else {
            panic!("fixtures must parse");
        }
    }
}

#[cfg(test)]
mod sender_tests {
    use super::*;

    #[test]
    fn vietnamese_senders_in_every_form_kannel_passes_are_phone_numbers() {
        for raw in ["0905123456", "84905123456", "+84905123456", "0084905123456"] {
            let sender = SmsSender::parse(raw);
            assert_eq!(
                sender.as_ref().map(SmsSender::e164),
                Ok("+84905123456"),
                "{raw}"
            );
            assert!(sender.is_ok_and(|s| s.vietnamese().is_some()), "{raw}");
        }
        assert_eq!(
            SmsSender::parse("02363822123").map(|s| s.e164().to_owned()),
            Ok("+842363822123".to_owned())
        );
    }

    #[test]
    fn other_countries_numbers_in_international_form_are_phone_numbers() {
        for (raw, e164) in [
            ("+12025550100", "+12025550100"),
            ("0012025550100", "+12025550100"),
            ("+6591234567", "+6591234567"),
            ("+290123456", "+290123456"),
        ] {
            let sender = SmsSender::parse(raw);
            assert_eq!(sender.as_ref().map(SmsSender::e164), Ok(e164), "{raw}");
            assert!(sender.is_ok_and(|s| s.vietnamese().is_none()), "{raw}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for raw in [
            "<script>",
            "<script>alert(1)</script>",
            "VIETTEL",
            "8088",
            "1022",
            "12025550100",
            "+84",
            "+8412345",
            "+840905123456789",
            "+0912345678",
            "+1 202 555 0100",
            "+1202555010012345",
            "+123456",
            "0912345678'--",
            "0912345678\u{0}",
        ] {
            assert!(SmsSender::parse(raw).is_err(), "{raw:?}");
        }
        assert_eq!(SmsSender::parse(" "), Err(DomainError::Empty));
        assert_eq!(
            SmsSender::parse(&"1".repeat(33)),
            Err(DomainError::TooLong { max: PHONE_MAX_LEN })
        );
    }

    #[test]
    fn masked_senders_hide_the_middle_digits() {
        let foreign = SmsSender::parse("+12025550100");
        assert_eq!(
            foreign.as_ref().map(SmsSender::masked),
            Ok("+1xxxxxxx100".to_owned())
        );
        let debug = format!("{foreign:?}");
        assert!(!debug.contains("2025550"), "{debug}");
        let local = SmsSender::parse("0912345678");
        assert_eq!(local.map(|s| s.masked()), Ok("09xx xxx 678".to_owned()));
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// A valid national mobile number: 0, a current mobile class digit, eight more digits.
    fn mobile() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!['3', '5', '7', '8', '9']),
            "[0-9]{8}",
        )
            .prop_map(|(class, rest)| format!("0{class}{rest}"))
    }

    /// A valid national landline: 02 and nine more digits.
    fn landline() -> impl Strategy<Value = String> {
        "[0-9]{9}".prop_map(|rest| format!("02{rest}"))
    }

    fn national() -> impl Strategy<Value = String> {
        prop_oneof![mobile(), landline()]
    }

    /// The ways people and gateways write a national number.
    fn spellings(national: &str) -> Vec<String> {
        let rest = &national[1..];
        let wide: String = national
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
            .collect();
        vec![
            national.to_owned(),
            format!("+84{rest}"),
            format!("84{rest}"),
            format!("0084{rest}"),
            format!("+84 0{rest}"),
            format!("(+84) {}-{}", &rest[..3], &rest[3..]),
            format!("{}.{}.{}", &national[..4], &national[4..7], &national[7..]),
            format!(" {} {} ", &national[..4], &national[4..]),
            wide,
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(raw in any::<String>()) {
            let _ = PhoneNumber::parse(&raw);
            let _ = PhoneLast4::parse(&raw);
            let _ = SmsSender::parse(&raw);
        }

        #[test]
        fn phone_like_text_never_panics_and_accepted_numbers_are_canonical(
            raw in "[0-9+ .()\\-]{0,34}"
        ) {
            if let Ok(phone) = PhoneNumber::parse(&raw) {
                prop_assert_eq!(PhoneNumber::parse(phone.e164()), Ok(phone.clone()));
                prop_assert_eq!(PhoneNumber::parse(&phone.national()), Ok(phone.clone()));
                prop_assert!(matches!(phone.national().len(), 10 | 11));
            }
            if let Ok(sender) = SmsSender::parse(&raw) {
                prop_assert_eq!(SmsSender::parse(sender.e164()), Ok(sender.clone()));
                prop_assert!(sender.e164().starts_with('+'));
            }
        }

        /// Every spelling of a national number parses to the same E.164 form, which parses back.
        #[test]
        fn every_spelling_of_a_number_round_trips(national in national()) {
            let expected = format!("+84{}", &national[1..]);
            for spelling in spellings(&national) {
                let phone = PhoneNumber::parse(&spelling);
                prop_assert_eq!(
                    phone.as_ref().map(PhoneNumber::e164),
                    Ok(expected.as_str()),
                    "{:?}", spelling
                );
                let sender = SmsSender::parse(&spelling);
                prop_assert_eq!(sender.as_ref().map(SmsSender::e164), Ok(expected.as_str()));
            }
            let phone = PhoneNumber::parse(&national)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(phone.national(), national.clone());
            prop_assert_eq!(PhoneNumber::parse(phone.e164()), Ok(phone.clone()));
            prop_assert_eq!(phone.is_mobile(), !national.starts_with("02"));
            prop_assert_eq!(phone.last4(), &national[national.len() - 4..]);
            let json = serde_json::to_string(&phone).unwrap_or_default();
            prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&json).ok(), Some(phone.clone()));
            // The masked form keeps the class digit and the last three, nothing else.
            let masked = phone.masked();
            let shown: String = masked.chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(shown, format!("{}{}", &national[..2], &national[national.len() - 3..]));
            let debug = format!("{phone:?}");
            prop_assert!(!debug.contains(&national[2..national.len() - 3]), "{}", debug);
        }

        #[test]
        fn old_eleven_digit_mobiles_become_their_new_prefix(
            (old, new) in prop::sample::select(
                OLD_MOBILE_PREFIXES.iter().chain(OLD_MOBILE_PREFIXES_SMALL.iter()).copied().collect::<Vec<_>>()
            ),
            rest in "[0-9]{7}",
        ) {
            let phone = PhoneNumber::parse(&format!("{old}{rest}"));
            prop_assert_eq!(phone.map(|p| p.national()), Ok(format!("{new}{rest}")));
        }

        /// The four-digit proof: any four digits parse and match exactly the number ending in them.
        #[test]
        fn the_last_four_digits_are_the_proof(national in national(), other in "[0-9]{4}") {
            let phone = PhoneNumber::parse(&national)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let last4 = &national[national.len() - 4..];
            let proof = PhoneLast4::parse(&format!(" {last4} "))
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert!(phone.matches_last4(&proof));
            let other_proof = PhoneLast4::parse(&other)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(phone.matches_last4(&other_proof), other == last4);
        }

        #[test]
        fn a_proof_is_exactly_four_digits(raw in "[0-9a-z ]{0,6}") {
            let digits_only = raw.trim().len() == 4 && raw.trim().bytes().all(|b| b.is_ascii_digit());
            prop_assert_eq!(PhoneLast4::parse(&raw).is_ok(), digits_only);
        }

        /// Other countries' numbers in international form are senders, stored as `+<digits>`.
        #[test]
        fn international_senders_round_trip(
            first in 1u8..=9,
            rest in "[0-9]{6,14}",
            double_zero in any::<bool>(),
        ) {
            let digits = format!("{first}{rest}");
            let raw = if double_zero { format!("00{digits}") } else { format!("+{digits}") };
            let sender = SmsSender::parse(&raw);
            if digits.starts_with("84") {
                // +84 must be a valid Vietnamese number, nothing else.
                prop_assert_eq!(
                    sender.as_ref().ok().and_then(|s| s.vietnamese()).is_some(),
                    sender.is_ok()
                );
            } else if let Ok(phone) = PhoneNumber::parse(&raw) {
                // 00 followed by a valid national number reads as that number.
                prop_assert_eq!(sender, Ok(SmsSender::Vietnamese(phone)));
            } else {
                let expected = format!("+{digits}");
                prop_assert_eq!(sender.as_ref().map(SmsSender::e164), Ok(expected.as_str()));
                let masked = sender.as_ref().map(SmsSender::masked).unwrap_or_default();
                prop_assert_eq!(masked.len(), expected.len());
                prop_assert!(masked.ends_with(&expected[expected.len() - 3..]));
                prop_assert!(masked[2..masked.len() - 3].chars().all(|c| c == 'x'));
                prop_assert_eq!(sender.as_ref().map(|s| SmsSender::parse(s.e164())), Ok(sender.clone()));
            }
        }

        /// A sender with anything but digits after its `+` (letters, markup, spaces inside an
        /// international number) is refused.
        #[test]
        fn senders_with_letters_or_markup_are_refused(
            prefix in "[0-9+]{0,6}",
            junk in "[a-zA-Z<>\"'&;=]{1,4}",
            suffix in "[0-9]{0,8}",
        ) {
            let raw = format!("{prefix}{junk}{suffix}");
            prop_assert!(SmsSender::parse(&raw).is_err(), "{:?}", raw);
        }
    }
}
