//! The pure domain layer of tracuu: parsed value types (dossier codes, lookup
//! numbers, phone numbers, agency and procedure codes), the dossier and the
//! catalog entries made of them, the national status vocabulary, the 766
//! timeliness rules, the working-time calendar, the questions-and-feedback
//! vocabulary and state machine, the audit log's records, and the text
//! helpers they share. Nothing here performs I/O; past the parse step
//! the rest of the service only handles these types. Every failure is a
//! [`DomainError`], which carries a stable machine code, a Vietnamese message
//! for citizens and an English `Display` for logs.

pub mod audit;
pub mod calendar;
pub mod calendar_entry;
pub mod catalog;
pub mod codes;
pub mod dossier;
pub mod dossier_code;
pub mod intake;
pub mod kiosk_id;
pub mod lookup_number;
pub mod masked_name;
pub mod phone;
pub mod qr_token;
pub mod sms;
pub mod speech;
pub mod standing;
pub mod status;
pub mod succession;
pub mod text;
pub mod timeliness;

pub use calendar::{
    seeded_days, vn_offset, vn_time, DayKind, SeededDay, WorkingCalendar, WorkingHours,
};
pub use catalog::{Agency, AgencyKind, OnlineLevel, Procedure};
pub use codes::{AgencyCode, ProcedureCode};
pub use dossier::{Dossier, DossierEvent};
pub use dossier_code::DossierCode;
pub use kiosk_id::KioskId;
pub use lookup_number::{damm_digit, LookupNumber};
pub use masked_name::mask_name;
pub use phone::{PhoneLast4, PhoneNumber, SmsSender};
pub use qr_token::{QrKey, QrKeyring, QrToken, TokenCheck};
pub use standing::Standing;
pub use status::{Channel, Status};
pub use timeliness::{assess, Timeliness, TimelinessInput};

/// Vietnamese hint shown next to a rejected dossier code, describing the
/// expected shape with a real example (docs/domain.md, dossier codes).
pub const DOSSIER_CODE_HINT: &str =
    "Mã hồ sơ có dạng <mã cơ quan>-<yyMMdd>-<số thứ tự>, ví dụ 000.00.53.H48-220921-0099";

/// Why a raw value could not become a domain type.
///
/// `Display` is English and meant for logs; [`DomainError::code`] is the
/// stable snake_case name used by the error layer, templates and IVR
/// prompts; [`DomainError::message`] is the Vietnamese text for citizens.
/// The `reason` fields are short Vietnamese explanations of which part of
/// the input is wrong; they contain no user input, so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Nothing was entered (or only whitespace).
    #[error("the value is empty")]
    Empty,
    /// The input is longer than `max` characters.
    #[error("the value is longer than {max} characters")]
    TooLong {
        /// The maximum accepted length in characters.
        max: usize,
    },
    /// The dossier code is malformed; `reason` says which part (Vietnamese).
    #[error("invalid dossier code")]
    InvalidDossierCode {
        /// Vietnamese explanation of the faulty part.
        reason: &'static str,
    },
    /// The lookup number is not ten digits; `reason` in Vietnamese.
    #[error("invalid lookup number")]
    InvalidLookupNumber {
        /// Vietnamese explanation of the faulty part.
        reason: &'static str,
    },
    /// The lookup number has ten digits but its Damm check digit does not
    /// match: almost certainly a typo.
    #[error("lookup number check digit mismatch (probably a typo)")]
    LookupNumberCheckDigit,
    /// The phone number is not a valid Vietnamese number; `reason` in Vietnamese.
    #[error("invalid phone number")]
    InvalidPhone {
        /// Vietnamese explanation of the faulty part.
        reason: &'static str,
    },
    /// The agency code does not follow QĐ 20/2020/QĐ-TTg.
    #[error("invalid agency code")]
    InvalidAgencyCode {
        /// Vietnamese explanation of the faulty part.
        reason: &'static str,
    },
    /// The procedure code is neither `N.NNNNNN` nor its local form.
    #[error("invalid procedure code")]
    InvalidProcedureCode {
        /// Vietnamese explanation of the faulty part.
        reason: &'static str,
    },
    /// The status code is not one of the national codes 1–10.
    #[error("invalid dossier status code")]
    InvalidStatus,
    /// The channel code is not 1, 2 or 3.
    #[error("invalid submission channel code")]
    InvalidChannel,
    /// The phone proof is not exactly four digits.
    #[error("phone proof must be exactly 4 digits")]
    InvalidPhoneProof,
    /// Working-hour periods are empty, overlapping or out of order
    /// (a configuration error, not a citizen error).
    #[error("invalid working hours")]
    InvalidWorkingHours,
    /// The QR token (`k=` of a receipt's QR link) is malformed; `reason` in Vietnamese.
    #[error("invalid QR token")]
    InvalidQrToken {
        /// Vietnamese explanation of the faulty part.
        reason: &'static str,
    },
    /// A kiosk id is not 1–40 characters of `[A-Za-z0-9._-]`.
    #[error("invalid kiosk id")]
    InvalidKioskId,
}

impl DomainError {
    /// Vietnamese message (with diacritics) for screens and pages. It never
    /// echoes the user's input. For SMS, pass it through
    /// [`text::strip_diacritics`].
    pub fn message(&self) -> String {
        match self {
            DomainError::Empty => "Vui lòng nhập thông tin.".to_owned(),
            DomainError::TooLong { max } => format!("Nội dung dài quá {max} ký tự."),
            DomainError::InvalidDossierCode { reason } => {
                format!("Mã hồ sơ không hợp lệ: {reason}.")
            }
            DomainError::InvalidLookupNumber { reason } => {
                format!("Mã tra cứu không hợp lệ: {reason}.")
            }
            DomainError::LookupNumberCheckDigit => {
                "Mã tra cứu không đúng, có thể đã gõ nhầm một chữ số. Vui lòng kiểm tra lại."
                    .to_owned()
            }
            DomainError::InvalidPhone { reason } => {
                format!("Số điện thoại không hợp lệ: {reason}.")
            }
            DomainError::InvalidAgencyCode { reason } => {
                format!("Mã cơ quan không hợp lệ: {reason}.")
            }
            DomainError::InvalidProcedureCode { reason } => {
                format!("Mã thủ tục không hợp lệ: {reason}.")
            }
            DomainError::InvalidStatus => "Trạng thái hồ sơ không hợp lệ.".to_owned(),
            DomainError::InvalidChannel => "Kênh thực hiện không hợp lệ.".to_owned(),
            DomainError::InvalidPhoneProof => {
                "Vui lòng nhập đúng 4 chữ số cuối của số điện thoại.".to_owned()
            }
            DomainError::InvalidWorkingHours => "Cấu hình giờ làm việc không hợp lệ.".to_owned(),
            DomainError::InvalidQrToken { reason } => {
                format!("Mã xác thực trong đường dẫn QR không hợp lệ: {reason}.")
            }
            DomainError::InvalidKioskId => "Mã ki-ốt không hợp lệ.".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_vietnamese_message() {
        // Arrange
        let all = [
            DomainError::Empty,
            DomainError::TooLong { max: 64 },
            DomainError::InvalidDossierCode { reason: "x" },
            DomainError::InvalidLookupNumber { reason: "x" },
            DomainError::LookupNumberCheckDigit,
            DomainError::InvalidPhone { reason: "x" },
            DomainError::InvalidAgencyCode { reason: "x" },
            DomainError::InvalidProcedureCode { reason: "x" },
            DomainError::InvalidStatus,
            DomainError::InvalidChannel,
            DomainError::InvalidPhoneProof,
            DomainError::InvalidWorkingHours,
            DomainError::InvalidQrToken { reason: "x" },
        ];
        // Assert
        assert!(all.iter().all(|e| !e.message().is_empty()));
        assert!(all.iter().all(|e| e.to_string().is_ascii()));
    }

    #[test]
    fn too_long_message_names_the_limit() {
        assert!(DomainError::TooLong { max: 64 }.message().contains("64"));
    }
}
