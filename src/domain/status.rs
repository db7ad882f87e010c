//! The national dossier status vocabulary (codes 1–10 used when syncing with
//! Cổng DVCQG) and the submission channels (KenhThucHien 1–3), with labels in
//! Vietnamese (screens), unaccented Vietnamese (GSM-7 SMS) and English
//! (logs, API docs). See docs/domain.md, statuses.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::DomainError;

/// A national dossier status (docs/domain.md, statuses). Serialised as its numeric code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i16", into = "i16")]
pub enum Status {
    /// 1 Mới đăng ký: submitted, not yet accepted.
    Registered,
    /// 2 Được tiếp nhận: accepted for processing.
    Accepted,
    /// 3 Không được tiếp nhận: refused at reception.
    NotAccepted,
    /// 4 Đang xử lý: being processed.
    InProgress,
    /// 5 Yêu cầu bổ sung giấy tờ: the citizen must supply more documents.
    SupplementRequested,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính: fees or taxes must be paid.
    FinancialObligation,
    /// 7 Công dân yêu cầu rút hồ sơ: withdrawn at the citizen's request.
    Withdrawn,
    /// 8 Dừng xử lý: processing stopped.
    Stopped,
    /// 9 Đã xử lý xong: processed, result not yet handed over.
    Completed,
    /// 10 Đã trả kết quả: result returned to the citizen.
    Returned,
}

impl Status {
    /// All statuses in code order.
    pub const ALL: [Status; 10] = [
        Status::Registered,
        Status::Accepted,
        Status::NotAccepted,
        Status::InProgress,
        Status::SupplementRequested,
        Status::FinancialObligation,
        Status::Withdrawn,
        Status::Stopped,
        Status::Completed,
        Status::Returned,
    ];

    /// Maps a national code 1–10; anything else is [`DomainError::InvalidStatus`].
    pub fn from_code(code: i16) -> Result<Self, DomainError> {
        usize::try_from(code)
            .ok()
            .and_then(|c| c.checked_sub(1))
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or(DomainError::InvalidStatus)
    }

    /// The national numeric code (1–10).
    pub fn code(self) -> i16 {
        match self {
            Status::Registered => 1,
            Status::Accepted => 2,
            Status::NotAccepted => 3,
            Status::InProgress => 4,
            Status::SupplementRequested => 5,
            Status::FinancialObligation => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::Completed => 9,
            Status::Returned => 10,
        }
    }

    /// Stable snake_case key for templates and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Accepted => "accepted",
            Status::NotAccepted => "not_accepted",
            Status::InProgress => "in_progress",
            Status::SupplementRequested => "supplement_requested",
            Status::FinancialObligation => "financial_obligation",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Completed => "completed",
            Status::Returned => "returned",
        }
    }

    /// The official Vietnamese label, with diacritics.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Registered => "Mới đăng ký",
            Status::Accepted => "Được tiếp nhận",
            Status::NotAccepted => "Không được tiếp nhận",
            Status::InProgress => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Status::FinancialObligation => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Completed => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    /// The Vietnamese label without diacritics, for GSM-7 SMS.
    pub fn label_ascii(self) -> &'static str {
        match self {
            Status::Registered => "Moi dang ky",
            Status::Accepted => "Duoc tiep nhan",
            Status::NotAccepted => "Khong duoc tiep nhan",
            Status::InProgress => "Dang xu ly",
            Status::SupplementRequested => "Yeu cau bo sung giay to",
            Status::FinancialObligation => "Yeu cau thuc hien nghia vu tai chinh",
            Status::Withdrawn => "Cong dan yeu cau rut ho so",
            Status::Stopped => "Dung xu ly",
            Status::Completed => "Da xu ly xong",
            Status::Returned => "Da tra ket qua",
        }
    }

    /// An English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Status::Registered => "Newly registered",
            Status::Accepted => "Accepted",
            Status::NotAccepted => "Not accepted",
            Status::InProgress => "In progress",
            Status::SupplementRequested => "Additional documents requested",
            Status::FinancialObligation => "Payment of fees or taxes requested",
            Status::Withdrawn => "Withdrawn at the applicant's request",
            Status::Stopped => "Processing stopped",
            Status::Completed => "Processing completed",
            Status::Returned => "Result returned",
        }
    }

    /// Whether processing has ended: codes 3, 7, 8, 9 and 10. Note that 9
    /// (completed) is terminal for processing even though the result may
    /// not have been handed over yet.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::NotAccepted
                | Status::Withdrawn
                | Status::Stopped
                | Status::Completed
                | Status::Returned
        )
    }

    /// Whether the dossier is still open (the negation of [`Status::is_terminal`]).
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }
}

impl fmt::Display for Status {
    /// The Vietnamese label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_vi())
    }
}

impl TryFrom<i16> for Status {
    type Error = DomainError;
    fn try_from(value: i16) -> Result<Self, Self::Error> {
        Self::from_code(value)
    }
}

impl From<Status> for i16 {
    fn from(value: Status) -> Self {
        value.code()
    }
}

/// How the dossier was submitted (KenhThucHien). Serialised as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i16", into = "i16")]
pub enum Channel {
    /// 1 Trực tiếp: in person at the one-stop desk.
    Direct,
    /// 2 Trực tuyến: online.
    Online,
    /// 3 Bưu chính công ích: through the public postal service.
    PublicPostal,
}

impl Channel {
    /// All channels in code order.
    pub const ALL: [Channel; 3] = [Channel::Direct, Channel::Online, Channel::PublicPostal];

    /// Maps a code 1–3; anything else is [`DomainError::InvalidChannel`].
    pub fn from_code(code: i16) -> Result<Self, DomainError> {
        match code {
            1 => Ok(Channel::Direct),
            2 => Ok(Channel::Online),
            3 => Ok(Channel::PublicPostal),
            _ => Err(DomainError::InvalidChannel),
        }
    }

    /// The numeric code (1–3).
    pub fn code(self) -> i16 {
        match self {
            Channel::Direct => 1,
            Channel::Online => 2,
            Channel::PublicPostal => 3,
        }
    }

    /// Stable snake_case key for templates and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Online => "online",
            Channel::PublicPostal => "public_postal",
        }
    }

    /// The Vietnamese label, with diacritics.
    pub fn label_vi(self) -> &'static str {
        match self {
            Channel::Direct => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::PublicPostal => "Bưu chính công ích",
        }
    }

    /// The Vietnamese label without diacritics, for GSM-7 SMS.
    pub fn label_ascii(self) -> &'static str {
        match self {
            Channel::Direct => "Truc tiep",
            Channel::Online => "Truc tuyen",
            Channel::PublicPostal => "Buu chinh cong ich",
        }
    }

    /// An English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Channel::Direct => "In person",
            Channel::Online => "Online",
            Channel::PublicPostal => "Public postal service",
        }
    }
}

impl fmt::Display for Channel {
    /// The Vietnamese label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_vi())
    }
}

impl TryFrom<i16> for Channel {
    type Error = DomainError;
    fn try_from(value: i16) -> Result<Self, Self::Error> {
        Self::from_code(value)
    }
}

impl From<Channel> for i16 {
    fn from(value: Channel) -> Self {
        value.code()
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::strip_diacritics;
    use super::*;

    #[test]
    fn every_national_code_round_trips() {
        for code in 1..=10i16 {
            assert_eq!(Status::from_code(code).map(Status::code), Ok(code));
        }
    }

    #[test]
    fn unknown_status_codes_are_rejected() {
        for code in [0i16, 11, -1, i16::MIN, i16::MAX] {
            assert_eq!(Status::from_code(code), Err(DomainError::InvalidStatus));
        }
    }

    #[test]
    fn vietnamese_labels_match_the_national_list() {
        assert_eq!(Status::Registered.label_vi(), "Mới đăng ký");
        assert_eq!(
            Status::SupplementRequested.label_vi(),
            "Yêu cầu bổ sung giấy tờ"
        );
        assert_eq!(Status::Returned.to_string(), "Đã trả kết quả");
    }

    #[test]
    fn ascii_labels_are_the_vietnamese_labels_without_marks() {
        for s in Status::ALL {
            assert_eq!(s.label_ascii(), strip_diacritics(s.label_vi()), "{s:?}");
        }
        for c in Channel::ALL {
            assert_eq!(c.label_ascii(), strip_diacritics(c.label_vi()), "{c:?}");
        }
    }

    #[test]
    fn terminal_statuses_are_three_seven_eight_nine_and_ten() {
        let terminal: Vec<i16> = Status::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .map(|s| s.code())
            .collect();
        assert_eq!(terminal, [3, 7, 8, 9, 10]);
        assert!(Status::ALL.iter().all(|s| s.is_open() != s.is_terminal()));
    }

    #[test]
    fn channels_map_to_their_codes() {
        for code in 1..=3i16 {
            assert_eq!(Channel::from_code(code).map(Channel::code), Ok(code));
        }
        assert_eq!(Channel::from_code(4), Err(DomainError::InvalidChannel));
        assert_eq!(Channel::PublicPostal.label_vi(), "Bưu chính công ích");
    }

    #[test]
    fn keys_are_unique_snake_case() {
        let mut keys: Vec<&str> = Status::ALL.iter().map(|s| s.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 10);
        assert!(keys
            .iter()
            .all(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    }
}
