//! Proof of access by the QR code printed on the receipt: the `k` token of a QR link, checked
//! against the rotatable key ring, and what to tell the holder when it does not grant the
//! detailed view.

use serde::Serialize;

use crate::domain::{DossierCode, QrKeyring, QrToken, TokenCheck};

/// What the token allowed, and how to explain it when it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Valid,
    Missing,
    Malformed,
    Forged,
    Outdated,
}

impl TokenState {
    /// Reads and checks the `k` parameter for `code`.
    /// Without a key ring no token is valid.
    pub fn check(keyring: Option<&QrKeyring>, code: &DossierCode, raw: Option<&str>) -> Self {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return TokenState::Missing;
        };
        let Ok(token) = QrToken::parse(raw) else {
            return TokenState::Malformed;
        };
        let Some(keyring) = keyring else {
            return TokenState::Forged;
        };
        match keyring.verify(code, &token, chrono::Utc::now()) {
            TokenCheck::Valid { .. } => TokenState::Valid,
            TokenCheck::Forged | TokenCheck::UnknownKey => TokenState::Forged,
            TokenCheck::Outdated => TokenState::Outdated,
        }
    }

    /// Stable name of the state, as logged and as the JSON API's `qr.token` says it.
    pub fn key(self) -> &'static str {
        match self {
            TokenState::Valid => "valid",
            TokenState::Missing => "missing",
            TokenState::Malformed => "malformed",
            TokenState::Forged => "forged",
            TokenState::Outdated => "outdated",
        }
    }

    /// The title and plain explanation shown when the token did not grant the detailed view.
    pub fn explanation(self) -> Option<(&'static str, &'static str)> {
        self.notice().map(|n| (n.title, n.message))
    }

    /// The explanation as a page shows it (`None` when the token was valid).
    pub fn notice(self) -> Option<Notice> {
        let (title, message) = match self {
            TokenState::Valid => return None,
            TokenState::Missing => (
                "Đang hiển thị thông tin công khai",
                "Đường dẫn này không kèm mã xác thực của giấy tiếp nhận, nên trang chỉ hiển thị thông tin công khai của hồ sơ. Quét lại mã QR in trên giấy tiếp nhận để xem quá trình xử lý và nơi nhận kết quả.",
            ),
            TokenState::Malformed => (
                "Đường dẫn chưa đầy đủ",
                "Mã xác thực trong đường dẫn bị thiếu hoặc thừa ký tự (có thể đường dẫn bị cắt khi sao chép hoặc gửi qua tin nhắn), nên trang chỉ hiển thị thông tin công khai. Hãy quét lại mã QR in trên giấy tiếp nhận.",
            ),
            TokenState::Forged => (
                "Mã xác thực không khớp",
                "Mã xác thực trong đường dẫn không khớp với hồ sơ này (đường dẫn có thể đã bị sửa hoặc là của hồ sơ khác), nên trang chỉ hiển thị thông tin công khai. Hãy quét lại mã QR in trên giấy tiếp nhận của chính hồ sơ này.",
            ),
            TokenState::Outdated => (
                "Mã QR đã hết hạn xác thực",
                "Mã QR này được ký bằng khóa cũ đã hết hiệu lực, nên trang chỉ hiển thị thông tin công khai. Thông tin hồ sơ vẫn đúng; để xem chi tiết, hãy xin lại giấy tiếp nhận tại Bộ phận Một cửa.",
            ),
        };
        Some(Notice { title, message })
    }
}

/// A title and a plain explanation.
#[derive(Debug, Serialize)]
pub struct Notice {
    pub title: &'static str,
    pub message: &'static str,
}
