//! One error type for every channel. A closed set of [`Code`]s, each with an HTTP status, a stable
//! snake_case name, and a Vietnamese message; the cause chain is logged once at the boundary and
//! never sent to a client.

use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::DomainError;

/// Every error a client can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    InvalidDossierCode,
    InvalidLookupNumber,
    LookupNumberTypo,
    InvalidPhoneProof,
    InvalidInput,
    DossierNotFound,
    RouteNotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimited,
    SignatureMissing,
    SignatureInvalid,
    SignatureExpired,
    SignatureReplayed,
    SyncDisabled,
    CredentialsRequired,
    SmsForbidden,
    SmsDisabled,
    InvalidBatch,
    InvalidKioskId,
    InvalidRating,
    InvalidAgencyCode,
    InvalidProcedureCode,
    AgencyNotFound,
    ProcedureNotFound,
    UpstreamUnavailable,
    Internal,
    InvalidSubmission,
    ItemNotFound,
    ProofRequired,
    ProofRejected,
    InvalidTransition,
    AlreadyVoted,
    LoginRequired,
    InvalidCredentials,
    AccountLocked,
    Forbidden,
    CsrfRejected,
}

impl Code {
    /// The stable machine name clients match on.
    pub fn name(self) -> &'static str {
        match self {
            Code::InvalidDossierCode => "invalid_dossier_code",
            Code::InvalidLookupNumber => "invalid_lookup_number",
            Code::LookupNumberTypo => "lookup_number_typo",
            Code::InvalidPhoneProof => "invalid_phone4",
            Code::InvalidInput => "invalid_input",
            Code::DossierNotFound => "dossier_not_found",
            Code::RouteNotFound => "route_not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::PayloadTooLarge => "payload_too_large",
            Code::RateLimited => "rate_limited",
            Code::SignatureMissing => "signature_missing",
            Code::SignatureInvalid => "signature_invalid",
            Code::SignatureExpired => "signature_expired",
            Code::SignatureReplayed => "signature_replayed",
            Code::SyncDisabled => "sync_disabled",
            Code::CredentialsRequired => "credentials_required",
            Code::SmsForbidden => "sms_forbidden",
            Code::SmsDisabled => "sms_disabled",
            Code::InvalidBatch => "invalid_batch",
            Code::InvalidKioskId => "invalid_kiosk_id",
            Code::InvalidRating => "invalid_rating",
            Code::InvalidAgencyCode => "invalid_agency_code",
            Code::InvalidProcedureCode => "invalid_procedure_code",
            Code::AgencyNotFound => "agency_not_found",
            Code::ProcedureNotFound => "procedure_not_found",
            Code::UpstreamUnavailable => "upstream_unavailable",
            Code::Internal => "internal",
            Code::InvalidSubmission => "invalid_submission",
            Code::ItemNotFound => "item_not_found",
            Code::ProofRequired => "phone4_required",
            Code::ProofRejected => "phone4_rejected",
            Code::InvalidTransition => "invalid_transition",
            Code::AlreadyVoted => "already_voted",
            Code::LoginRequired => "login_required",
            Code::InvalidCredentials => "invalid_credentials",
            Code::AccountLocked => "account_locked",
            Code::Forbidden => "forbidden",
            Code::CsrfRejected => "csrf_rejected",
        }
    }

    /// The HTTP status this code travels with.
    pub fn status(self) -> StatusCode {
        match self {
            Code::InvalidDossierCode
            | Code::InvalidLookupNumber
            | Code::LookupNumberTypo
            | Code::InvalidPhoneProof
            | Code::InvalidInput
            | Code::InvalidBatch
            | Code::InvalidKioskId
            | Code::InvalidRating
            | Code::InvalidAgencyCode
            | Code::InvalidProcedureCode => StatusCode::BAD_REQUEST,
            Code::SignatureMissing
            | Code::SignatureInvalid
            | Code::SignatureExpired
            | Code::SignatureReplayed
            | Code::CredentialsRequired => StatusCode::UNAUTHORIZED,
            Code::SyncDisabled | Code::SmsForbidden | Code::SmsDisabled => StatusCode::FORBIDDEN,
            Code::DossierNotFound
            | Code::RouteNotFound
            | Code::AgencyNotFound
            | Code::ProcedureNotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::UpstreamUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::InvalidSubmission => StatusCode::BAD_REQUEST,
            Code::ItemNotFound => StatusCode::NOT_FOUND,
            Code::ProofRequired => StatusCode::FORBIDDEN,
            Code::ProofRejected => StatusCode::FORBIDDEN,
            Code::InvalidTransition => StatusCode::CONFLICT,
            Code::AlreadyVoted => StatusCode::CONFLICT,
            Code::LoginRequired => StatusCode::UNAUTHORIZED,
            Code::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Code::AccountLocked => StatusCode::FORBIDDEN,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::CsrfRejected => StatusCode::FORBIDDEN,
        }
    }

    /// The default Vietnamese message for citizens.
    pub fn message_vi(self) -> &'static str {
        match self {
            Code::InvalidDossierCode => "Mã hồ sơ không đúng định dạng.",
            Code::InvalidLookupNumber => "Số tra cứu không đúng định dạng: cần đúng 10 chữ số.",
            Code::LookupNumberTypo => {
                "Số tra cứu có chữ số bị nhập sai (chữ số kiểm tra không khớp). Vui lòng kiểm tra lại trên giấy tiếp nhận."
            }
            Code::InvalidPhoneProof => "Cần nhập đúng 4 chữ số cuối của số điện thoại người nộp hồ sơ.",
            Code::InvalidInput => "Dữ liệu gửi lên không hợp lệ.",
            Code::DossierNotFound => "Không tìm thấy hồ sơ với mã này.",
            Code::RouteNotFound => "Không tìm thấy trang hoặc địa chỉ này.",
            Code::MethodNotAllowed => "Phương thức không được hỗ trợ ở địa chỉ này.",
            Code::PayloadTooLarge => "Dữ liệu gửi lên quá lớn.",
            Code::RateLimited => "Bạn tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
            Code::SignatureMissing => "Thiếu hoặc sai định dạng tiêu đề X-Tracuu-Timestamp / X-Tracuu-Signature.",
            Code::SignatureInvalid => "Chữ ký HMAC không khớp với khóa bí mật nào đang dùng.",
            Code::SignatureExpired => "Thời điểm ký nằm ngoài khoảng cho phép (±5 phút): kiểm tra đồng hồ máy gửi.",
            Code::SignatureReplayed => "Yêu cầu đã ký này đã được nhận một lần: không nhận lại.",
            Code::SyncDisabled => "Chưa cấu hình khóa bí mật đồng bộ (TRACUU_SYNC__SECRETS): không nhận dữ liệu đẩy.",
            Code::CredentialsRequired => {
                "Cần xác thực để in mã QR hoặc giấy tiếp nhận: yêu cầu phải được ký bằng khóa đồng bộ (X-Tracuu-Timestamp / X-Tracuu-Signature) hoặc gửi từ phiên đăng nhập của cán bộ."
            }
            Code::SmsForbidden => "Địa chỉ gọi hoặc khóa bí mật của cổng SMS không đúng.",
            Code::SmsDisabled => "Chưa cấu hình khóa bí mật cho cổng SMS (TRACUU_SMS__INBOUND_SECRET): kênh SMS đang tắt.",
            Code::InvalidBatch => "Lô dữ liệu không đọc được: cần một mảng JSON hoặc NDJSON.",
            Code::InvalidKioskId => {
                "Mã ki-ốt không hợp lệ: 1–40 ký tự gồm chữ cái không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới."
            }
            Code::InvalidRating => "Mức đánh giá phải là 1 (không hài lòng), 2 (bình thường) hoặc 3 (hài lòng).",
            Code::InvalidAgencyCode => "Mã cơ quan không đúng định dạng.",
            Code::InvalidProcedureCode => "Mã thủ tục không đúng định dạng (dạng 1.000123).",
            Code::AgencyNotFound => "Không tìm thấy cơ quan với mã này.",
            Code::ProcedureNotFound => "Không tìm thấy thủ tục với mã này.",
            Code::UpstreamUnavailable => {
                "Hệ thống tạm thời chưa lấy được dữ liệu hồ sơ này. Vui lòng thử lại sau hoặc gọi đường dây nóng."
            }
            Code::Internal => "Đã có lỗi xảy ra. Vui lòng thử lại sau hoặc gọi đường dây nóng.",
            Code::InvalidSubmission => "Nội dung gửi chưa hợp lệ.",
            Code::ItemNotFound => "Không tìm thấy câu hỏi hoặc phản ánh với mã này.",
            Code::ProofRequired => "Nội dung này không công khai: cần nhập 4 chữ số cuối của số điện thoại đã khai khi gửi.",
            Code::ProofRejected => "4 chữ số cuối của số điện thoại không khớp với thông tin đã khai khi gửi.",
            Code::InvalidTransition => "Không thể thực hiện thao tác này ở trạng thái hiện tại.",
            Code::AlreadyVoted => "Bạn đã đánh giá câu trả lời này rồi.",
            Code::LoginRequired => "Vui lòng đăng nhập.",
            Code::InvalidCredentials => "Tên đăng nhập hoặc mật khẩu không đúng.",
            Code::AccountLocked => "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau.",
            Code::Forbidden => "Tài khoản của bạn không có quyền thực hiện thao tác này.",
            Code::CsrfRejected => "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.",
        }
    }
}

/// An error on its way to a client.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", code.name())]
pub struct AppError {
    pub code: Code,
    /// Message for the client (Vietnamese).
    pub message: String,
    /// What the expected form looks like, when that helps.
    pub hint: Option<&'static str>,
    /// Seconds until a rate-limited client may try again.
    pub retry_after: Option<Duration>,
    /// The cause, for the log only.
    #[source]
    pub source: Option<anyhow::Error>,
}

impl AppError {
    /// An error with the code's default message.
    pub fn new(code: Code) -> Self {
        Self {
            code,
            message: code.message_vi().to_owned(),
            hint: None,
            retry_after: None,
            source: None,
        }
    }

    /// A client error with a specific message.
    pub fn with_message(code: Code, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::new(code)
        }
    }

    /// A query string that does not fit the endpoint's parameters (the same answer as actix's
    /// query extractor gives through the app's `QueryConfig`).
    pub fn bad_query(error: impl std::fmt::Display) -> Self {
        Self::with_message(
            Code::InvalidInput,
            format!("Tham số truy vấn không hợp lệ: {error}"),
        )
    }

    /// Adds a hint of the expected form.
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// A failed parse of one input whose own error code is `code`: the generic failures (empty,
    /// too long) then carry that code too, so a client always learns which input was wrong.
    pub fn invalid(code: Code, error: DomainError) -> Self {
        let generic = matches!(error, DomainError::Empty | DomainError::TooLong { .. });
        let mut app = AppError::from(error);
        if generic {
            app.code = code;
            if code == Code::InvalidDossierCode {
                app.hint = Some(crate::domain::DOSSIER_CODE_HINT);
            }
        }
        app
    }

    /// A 429 that tells the client when to come back.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(Code::RateLimited)
        }
    }

    /// A failure of ours; the cause is logged, never shown.
    pub fn internal(cause: anyhow::Error) -> Self {
        Self {
            source: Some(cause),
            ..Self::new(Code::Internal)
        }
    }

    /// The data source is unreachable and nothing cached can answer.
    pub fn unavailable(cause: Option<anyhow::Error>) -> Self {
        Self {
            source: cause,
            ..Self::new(Code::UpstreamUnavailable)
        }
    }

    /// Logs server-side failures with their whole cause chain (once, here at the boundary).
    pub fn log(&self) {
        if self.code.status().is_server_error() {
            match &self.source {
                Some(cause) => {
                    let chain = redacted_chain(cause);
                    tracing::error!(error.code = self.code.name(), error.cause_chain = %chain, "request failed: {}: {chain}", self.code.name())
                }
                None => tracing::warn!(
                    error.code = self.code.name(),
                    "request failed: {}",
                    self.code.name()
                ),
            }
        }
    }

    /// The JSON body every API error has.
    pub fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.name(),
                message: &self.message,
                hint: self.hint,
                retry_after_seconds: self.retry_after.map(retry_seconds),
            },
        }
    }
}

/// `{"error": {"code", "message", "hint"?, "retry_after_seconds"?}}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
    pub code: &'static str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

/// The cause chain for the log, with PostgreSQL errors reduced to their SQLSTATE and message: the
/// server's DETAIL can quote a whole row ("Failing row contains (...)"), personal data included.
pub fn redacted_chain(cause: &anyhow::Error) -> String {
    cause
        .chain()
        .map(|link| {
            match link
                .downcast_ref::<tokio_postgres::Error>()
                .and_then(|e| e.as_db_error())
            {
                Some(db) => format!("database error {}: {}", db.code().code(), db.message()),
                None => link.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// Whole seconds, rounded up, at least one.
pub fn retry_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut response = HttpResponse::build(self.code.status());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(wait) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, retry_seconds(wait).to_string()));
        }
        response.json(self.body())
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        let code = match &error {
            DomainError::InvalidLookupNumber { .. } => Code::InvalidLookupNumber,
            DomainError::LookupNumberCheckDigit => Code::LookupNumberTypo,
            DomainError::InvalidPhoneProof => Code::InvalidPhoneProof,
            DomainError::InvalidDossierCode { .. } => Code::InvalidDossierCode,
            DomainError::InvalidKioskId => Code::InvalidKioskId,
            DomainError::InvalidAgencyCode { .. } => Code::InvalidAgencyCode,
            DomainError::InvalidProcedureCode { .. } => Code::InvalidProcedureCode,
            _ => Code::InvalidInput,
        };
        let mut app = AppError::with_message(code, error.message());
        if code == Code::InvalidDossierCode {
            app = app.hint(crate::domain::DOSSIER_CODE_HINT);
        }
        app
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        assert_eq!(retry_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_seconds(Duration::from_millis(2500)), 3);
        assert_eq!(retry_seconds(Duration::ZERO), 1);
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let codes = [
            Code::InvalidDossierCode,
            Code::InvalidLookupNumber,
            Code::LookupNumberTypo,
            Code::InvalidPhoneProof,
            Code::InvalidInput,
            Code::DossierNotFound,
            Code::RouteNotFound,
            Code::MethodNotAllowed,
            Code::PayloadTooLarge,
            Code::RateLimited,
            Code::SignatureMissing,
            Code::SignatureInvalid,
            Code::SignatureExpired,
            Code::SignatureReplayed,
            Code::SyncDisabled,
            Code::CredentialsRequired,
            Code::SmsForbidden,
            Code::SmsDisabled,
            Code::InvalidBatch,
            Code::InvalidKioskId,
            Code::InvalidRating,
            Code::InvalidAgencyCode,
            Code::InvalidProcedureCode,
            Code::AgencyNotFound,
            Code::ProcedureNotFound,
            Code::UpstreamUnavailable,
            Code::Internal,
            Code::InvalidSubmission,
            Code::ItemNotFound,
            Code::ProofRequired,
            Code::ProofRejected,
            Code::InvalidTransition,
            Code::AlreadyVoted,
            Code::LoginRequired,
            Code::InvalidCredentials,
            Code::AccountLocked,
            Code::Forbidden,
            Code::CsrfRejected,
        ];
        let names: std::collections::HashSet<_> = codes.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), codes.len());
    }
}
