//! One error type for every service and channel. A closed set of [`Code`]s, each one row of the
//! error table: HTTP status, stable snake_case name, Vietnamese message, page title, SMS template
//! and IVR prompt. The cause chain is logged once at the boundary and never sent to a client. How
//! an error becomes an HTTP response is the HTTP kit's (`crate::http::error`).

use std::time::Duration;

use actix_web::http::StatusCode;
use serde::Serialize;

use crate::domain::DomainError;

/// One row of the error table: what every medium says for one [`Code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRow {
    /// The stable snake_case name clients match on (JSON `error.code`).
    pub name: &'static str,
    /// The HTTP status the code travels with.
    pub status: u16,
    /// The default Vietnamese message (JSON `error.message`, page text).
    pub message: &'static str,
    /// The heading of an error page or of the error box on a form.
    pub title: &'static str,
    /// The SMS reply's template under `templates/sms/`, for the codes an SMS can meet.
    pub sms: Option<&'static str>,
    /// The sentence an IVR caller hears.
    pub ivr: &'static str,
}

const T_INPUT: &str = "Thông tin nhập chưa đúng";
const T_AUTH: &str = "Cần xác thực";
const T_DENIED: &str = "Không có quyền xem hoặc thực hiện";
const T_LOGIN: &str = "Chưa đăng nhập được";
const T_UNDONE: &str = "Không thực hiện được";
const IVR_FAULT: &str = "Hệ thống đang gặp sự cố.";

/// Declares [`Code`] and its table together, so a code cannot exist without its row.
macro_rules! error_table {
    ($($variant:ident { $($field:ident: $value:expr,)* })*) => {
        /// Every error a client can see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the table's order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code's row of the error table.
            pub fn row(self) -> &'static ErrorRow {
                match self {
                    $(Code::$variant => &ErrorRow { $($field: $value,)* },)*
                }
            }
        }
    };
}

error_table! {
    InvalidDossierCode {
        name: "invalid_dossier_code",
        status: 400,
        message: "Mã hồ sơ không đúng định dạng.",
        title: T_INPUT,
        sms: Some("invalid_code"),
        ivr: IVR_FAULT,
    }
    InvalidLookupNumber {
        name: "invalid_lookup_number",
        status: 400,
        message: "Số tra cứu không đúng định dạng: cần đúng 10 chữ số.",
        title: T_INPUT,
        sms: None,
        ivr: "Số tra cứu cần đủ mười chữ số, in trên giấy tiếp nhận hồ sơ, cạnh mã QR.",
    }
    LookupNumberTypo {
        name: "lookup_number_typo",
        status: 400,
        message: "Số tra cứu có chữ số bị nhập sai (chữ số kiểm tra không khớp). Vui lòng kiểm tra lại trên giấy tiếp nhận.",
        title: T_INPUT,
        sms: Some("number_typo"),
        ivr: "Số tra cứu vừa bấm chưa đúng, có thể do bấm nhầm hoặc đảo chỗ một chữ số.",
    }
    InvalidPhoneProof {
        name: "invalid_phone4",
        status: 400,
        message: "Cần nhập đúng 4 chữ số cuối của số điện thoại người nộp hồ sơ.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidInput {
        name: "invalid_input",
        status: 400,
        message: "Dữ liệu gửi lên không hợp lệ.",
        title: T_INPUT,
        sms: None,
        ivr: "Yêu cầu không hợp lệ.",
    }
    DossierNotFound {
        name: "dossier_not_found",
        status: 404,
        message: "Không tìm thấy hồ sơ với mã này.",
        title: "Không tìm thấy hồ sơ",
        sms: Some("not_found"),
        ivr: "Không tìm thấy hồ sơ nào có số tra cứu này.",
    }
    RouteNotFound {
        name: "route_not_found",
        status: 404,
        message: "Không tìm thấy trang hoặc địa chỉ này.",
        title: "Không tìm thấy trang",
        sms: None,
        ivr: "Không có mục này.",
    }
    MethodNotAllowed {
        name: "method_not_allowed",
        status: 405,
        message: "Phương thức không được hỗ trợ ở địa chỉ này.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    PayloadTooLarge {
        name: "payload_too_large",
        status: 413,
        message: "Dữ liệu gửi lên quá lớn.",
        title: "Nội dung quá lớn",
        sms: None,
        ivr: IVR_FAULT,
    }
    BodyTimeout {
        name: "body_timeout",
        status: 408,
        message: "Dữ liệu gửi lên đến quá chậm nên yêu cầu bị hủy; chưa có gì được lưu. Vui lòng gửi lại.",
        title: "Gửi dữ liệu quá chậm",
        sms: None,
        ivr: IVR_FAULT,
    }
    RateLimited {
        name: "rate_limited",
        status: 429,
        message: "Bạn tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
        title: "Tra cứu quá nhiều lần",
        sms: Some("rate_limited"),
        ivr: "Quý vị đã tra cứu quá nhiều lần trong thời gian ngắn. Xin vui lòng gọi lại sau ít phút. Xin cảm ơn.",
    }
    SignatureMissing {
        name: "signature_missing",
        status: 401,
        message: "Thiếu hoặc sai định dạng tiêu đề X-Tracuu-Timestamp / X-Tracuu-Signature.",
        title: T_AUTH,
        sms: None,
        ivr: IVR_FAULT,
    }
    SignatureInvalid {
        name: "signature_invalid",
        status: 401,
        message: "Chữ ký HMAC không khớp với khóa bí mật nào đang dùng.",
        title: T_AUTH,
        sms: None,
        ivr: IVR_FAULT,
    }
    SignatureExpired {
        name: "signature_expired",
        status: 401,
        message: "Thời điểm ký nằm ngoài khoảng cho phép (±5 phút): kiểm tra đồng hồ máy gửi.",
        title: T_AUTH,
        sms: None,
        ivr: IVR_FAULT,
    }
    SignatureReplayed {
        name: "signature_replayed",
        status: 401,
        message: "Yêu cầu đã ký này đã được nhận ở một địa chỉ đồng bộ khác: không nhận lại. Gửi lại đúng yêu cầu tới đúng địa chỉ cũ thì nhận lại câu trả lời lần đầu.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    SyncDisabled {
        name: "sync_disabled",
        status: 403,
        message: "Chưa cấu hình khóa bí mật đồng bộ (TRACUU_SYNC__SECRETS): không nhận dữ liệu đẩy.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    CredentialsRequired {
        name: "credentials_required",
        status: 401,
        message: "Cần xác thực để in mã QR hoặc giấy tiếp nhận: yêu cầu phải được ký bằng khóa đồng bộ (X-Tracuu-Timestamp / X-Tracuu-Signature) hoặc gửi từ phiên đăng nhập của cán bộ.",
        title: T_AUTH,
        sms: None,
        ivr: IVR_FAULT,
    }
    SmsForbidden {
        name: "sms_forbidden",
        status: 403,
        message: "Địa chỉ gọi hoặc khóa bí mật của cổng SMS không đúng.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    SmsDisabled {
        name: "sms_disabled",
        status: 403,
        message: "Chưa cấu hình khóa bí mật cho cổng SMS (TRACUU_SMS__INBOUND_SECRET): kênh SMS đang tắt.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidBatch {
        name: "invalid_batch",
        status: 400,
        message: "Lô dữ liệu không đọc được: cần một mảng JSON hoặc NDJSON.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidKioskId {
        name: "invalid_kiosk_id",
        status: 400,
        message: "Mã ki-ốt không hợp lệ: 1–40 ký tự gồm chữ cái không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidRating {
        name: "invalid_rating",
        status: 400,
        message: "Mức đánh giá phải là 1 (không hài lòng), 2 (bình thường) hoặc 3 (hài lòng).",
        title: T_INPUT,
        sms: Some("invalid_rating"),
        ivr: IVR_FAULT,
    }
    InvalidAgencyCode {
        name: "invalid_agency_code",
        status: 400,
        message: "Mã cơ quan không đúng định dạng.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidProcedureCode {
        name: "invalid_procedure_code",
        status: 400,
        message: "Mã thủ tục không đúng định dạng (dạng 1.000123).",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    AgencyNotFound {
        name: "agency_not_found",
        status: 404,
        message: "Không tìm thấy cơ quan với mã này.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    ProcedureNotFound {
        name: "procedure_not_found",
        status: 404,
        message: "Không tìm thấy thủ tục với mã này.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    UpstreamUnavailable {
        name: "upstream_unavailable",
        status: 503,
        message: "Hệ thống tạm thời chưa lấy được dữ liệu hồ sơ này. Vui lòng thử lại sau hoặc gọi đường dây nóng.",
        title: "Tạm thời chưa tra cứu được",
        sms: Some("unavailable"),
        ivr: "Hệ thống tạm thời chưa tra cứu được hồ sơ này.",
    }
    ServiceUnavailable {
        name: "service_unavailable",
        status: 503,
        message: "Hệ thống tạm thời chưa kết nối được cơ sở dữ liệu nên chưa thực hiện được yêu cầu; chưa có gì được lưu hay thay đổi. Vui lòng thử lại sau ít phút hoặc gọi đường dây nóng.",
        title: "Tạm thời chưa thực hiện được",
        sms: Some("unavailable"),
        ivr: "Hệ thống tạm thời chưa thực hiện được yêu cầu của quý vị.",
    }
    Busy {
        name: "busy",
        status: 503,
        message: "Hệ thống đang nhận nhiều yêu cầu cùng lúc. Vui lòng gửi lại sau ít giây.",
        title: "Hệ thống đang bận",
        sms: Some("unavailable"),
        ivr: "Hệ thống đang bận. Xin vui lòng gọi lại sau ít phút.",
    }
    Internal {
        name: "internal",
        status: 500,
        message: "Đã có lỗi xảy ra. Vui lòng thử lại sau hoặc gọi đường dây nóng.",
        title: "Đã có lỗi xảy ra",
        sms: Some("internal"),
        ivr: IVR_FAULT,
    }
    InvalidSubmission {
        name: "invalid_submission",
        status: 400,
        message: "Nội dung gửi chưa hợp lệ.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidCommune {
        name: "invalid_commune",
        status: 400,
        message: "Xã, phường, đặc khu đã chọn không có trong danh mục hoặc đã ngừng tiếp nhận.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    ItemNotFound {
        name: "item_not_found",
        status: 404,
        message: "Không tìm thấy câu hỏi hoặc phản ánh với mã này.",
        title: "Không tìm thấy",
        sms: None,
        ivr: IVR_FAULT,
    }
    ProofRequired {
        name: "phone4_required",
        status: 403,
        message: "Nội dung này không công khai: cần nhập 4 chữ số cuối của số điện thoại đã khai khi gửi.",
        title: T_DENIED,
        sms: None,
        ivr: IVR_FAULT,
    }
    ProofRejected {
        name: "phone4_rejected",
        status: 403,
        message: "4 chữ số cuối của số điện thoại không khớp với thông tin đã khai khi gửi.",
        title: T_DENIED,
        sms: None,
        ivr: IVR_FAULT,
    }
    ProofLocked {
        name: "phone4_locked",
        status: 429,
        message: "Mục này đã bị nhập sai 4 chữ số điện thoại quá nhiều lần nên tạm thời không kiểm tra. Hãy mở đường dẫn theo dõi đã nhận khi gửi, hoặc thử lại sau.",
        title: T_DENIED,
        sms: None,
        ivr: IVR_FAULT,
    }
    TrackingLinkInvalid {
        name: "tracking_link_invalid",
        status: 403,
        message: "Đường dẫn theo dõi không đúng, đã bị cắt ngắn hoặc đã hết hạn. Hãy mở lại đường dẫn nhận được khi gửi, hoặc nhập 4 chữ số cuối của số điện thoại đã khai.",
        title: T_DENIED,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidTransition {
        name: "invalid_transition",
        status: 409,
        message: "Không thể thực hiện thao tác này ở trạng thái hiện tại.",
        title: T_UNDONE,
        sms: None,
        ivr: IVR_FAULT,
    }
    AlreadyVoted {
        name: "already_voted",
        status: 409,
        message: "Bạn đã đánh giá câu trả lời này rồi.",
        title: T_UNDONE,
        sms: None,
        ivr: IVR_FAULT,
    }
    LoginRequired {
        name: "login_required",
        status: 401,
        message: "Vui lòng đăng nhập.",
        title: T_LOGIN,
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidCredentials {
        name: "invalid_credentials",
        status: 401,
        message: "Tên đăng nhập hoặc mật khẩu không đúng.",
        title: T_LOGIN,
        sms: None,
        ivr: IVR_FAULT,
    }
    Forbidden {
        name: "forbidden",
        status: 403,
        message: "Tài khoản của bạn không có quyền thực hiện thao tác này.",
        title: T_DENIED,
        sms: None,
        ivr: IVR_FAULT,
    }
    CsrfRejected {
        name: "csrf_rejected",
        status: 403,
        message: "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.",
        title: "Biểu mẫu không hợp lệ",
        sms: None,
        ivr: IVR_FAULT,
    }
    InvalidSender {
        name: "invalid_sender",
        status: 400,
        message: "Người gửi tin nhắn (from=%p) không phải là số điện thoại: tin nhắn bị từ chối, không được lưu và không có tin trả lời.",
        title: T_INPUT,
        sms: None,
        ivr: IVR_FAULT,
    }
    LoginThrottled {
        name: "login_throttled",
        status: 429,
        message: "Đăng nhập quá nhiều lần trong thời gian ngắn. Vui lòng chờ một lát rồi thử lại.",
        title: T_LOGIN,
        sms: None,
        ivr: IVR_FAULT,
    }
    KioskKeyInvalid {
        name: "kiosk_key_invalid",
        status: 403,
        message: "Khóa kiosk (X-Kiosk-Key) không đúng với mã kiosk (X-Kiosk-Id): kiểm tra địa chỉ khởi động của kiosk và cấu hình TRACUU_KIOSK__KEYS.",
        title: T_AUTH,
        sms: None,
        ivr: IVR_FAULT,
    }
}

impl Code {
    /// The stable machine name clients match on.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The HTTP status this code travels with.
    pub fn status(self) -> StatusCode {
        StatusCode::from_u16(self.row().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The default Vietnamese message for citizens.
    pub fn message_vi(self) -> &'static str {
        self.row().message
    }

    /// The heading of an error page or box.
    pub fn title(self) -> &'static str {
        self.row().title
    }

    /// The sentence an IVR caller hears for this code.
    pub fn ivr_prompt(self) -> &'static str {
        self.row().ivr
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
    /// The input's machine name (`phone`, `address`, …), for clients that show the message at
    /// its field; the message itself names the field by its Vietnamese label.
    pub field: Option<&'static str>,
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
            field: None,
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

    /// Names the input at fault (its machine name, as the request spells it).
    pub fn field(mut self, name: &'static str) -> Self {
        self.field = Some(name);
        self
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

    /// The database is unreachable: the request was not carried out and nothing was changed
    /// (writes, and reads that have no cache).
    pub fn unavailable(cause: Option<anyhow::Error>) -> Self {
        Self {
            source: cause,
            ..Self::new(Code::ServiceUnavailable)
        }
    }

    /// The database is unreachable and the dossier asked for is not cached.
    pub fn dossier_unavailable(cause: Option<anyhow::Error>) -> Self {
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
                field: self.field,
                retry_after_seconds: self.retry_after.map(retry_seconds),
            },
        }
    }
}

/// `{"error": {"code", "message", "hint"?, "field"?, "retry_after_seconds"?}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = Error,
    description = "Lỗi: mọi lỗi của API JSON có đúng dạng này. / Every error of the JSON API has this one shape.",
    example = json!({"error": {"code": "dossier_not_found", "message": "Không tìm thấy hồ sơ với mã này."}})
)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ErrorDetail)]
pub struct ErrorDetail<'a> {
    /// Mã lỗi ổn định, để máy so khớp. / The stable code clients match on.
    #[schema(schema_with = code_schema)]
    pub code: &'static str,
    /// Thông báo cho người dùng, tiếng Việt. / The message for people, in Vietnamese.
    pub message: &'a str,
    /// Gợi ý cách sửa. / What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
    /// Nhãn của trường bị lỗi. / The label of the field in error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Số giây cần chờ trước khi thử lại (khi bị giới hạn tần suất). / Seconds to wait before
    /// trying again (when rate limited).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub retry_after_seconds: Option<u64>,
}

/// The `code` of [`ErrorDetail`] in the API document: an enum of every row of the error table,
/// in the table's order, so the document and the docs' error table come from the same rows.
fn code_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Code::ALL.iter().map(|code| code.name())))
        .description(Some(
            "Mã lỗi ổn định; bảng mã lỗi trong tài liệu API. / The stable error code; see the \
             error table of the API docs.",
        ))
        .build()
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
    fn every_code_has_a_distinct_name_a_valid_status_and_words_for_every_medium() {
        let names: std::collections::HashSet<_> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            let row = code.row();
            assert!(
                StatusCode::from_u16(row.status)
                    .is_ok_and(|s| s.is_client_error() || s.is_server_error()),
                "{}: status {}",
                row.name,
                row.status
            );
            assert!(!row.message.is_empty() && !row.title.is_empty() && !row.ivr.is_empty());
            if let Some(template) = row.sms {
                let path = format!(
                    "{}/templates/sms/{template}.hbs",
                    env!("CARGO_MANIFEST_DIR")
                );
                assert!(std::path::Path::new(&path).exists(), "{}: {path}", row.name);
            }
        }
    }

    #[test]
    fn domain_errors_become_the_code_of_the_input_they_name() {
        let name = |e: DomainError| AppError::from(e).code.name();
        assert_eq!(
            name(DomainError::LookupNumberCheckDigit),
            "lookup_number_typo"
        );
        assert_eq!(name(DomainError::InvalidPhoneProof), "invalid_phone4");
        assert_eq!(
            name(DomainError::InvalidDossierCode { reason: "x" }),
            "invalid_dossier_code"
        );
        assert_eq!(name(DomainError::InvalidStatus), "invalid_input");
    }

    /// The error table of `docs/api.md`, as the rows make it.
    fn docs_table() -> String {
        let mut table = String::from(
            "| code | HTTP | message | page title | SMS reply | IVR prompt |\n|---|---|---|---|---|---|\n",
        );
        for code in Code::ALL {
            let row = code.row();
            let sms = row.sms.map_or("—".to_owned(), |t| format!("`sms/{t}`"));
            table.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                row.name, row.status, row.message, row.title, sms, row.ivr
            ));
        }
        table
    }

    /// The docs' table is checked against the rows; `TRACUU_WRITE_DOCS=1 cargo test --lib error`
    /// writes it from them.
    #[test]
    fn the_error_table_in_the_api_docs_is_the_rows() {
        const BEGIN: &str = "<!-- error-table:begin -->\n";
        const END: &str = "<!-- error-table:end -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md");
        let text = std::fs::read_to_string(path).expect("docs/api.md");
        let start = text.find(BEGIN).expect("the begin marker") + BEGIN.len();
        let end = text.find(END).expect("the end marker");
        let expected = docs_table();
        if std::env::var_os("TRACUU_WRITE_DOCS").is_some() {
            let written = format!("{}{expected}{}", &text[..start], &text[end..]);
            std::fs::write(path, written).expect("write docs/api.md");
            return;
        }
        assert_eq!(
            &text[start..end],
            expected,
            "docs/api.md's error table differs from the rows in src/error.rs; \
             TRACUU_WRITE_DOCS=1 cargo test --lib error writes it"
        );
    }
}
