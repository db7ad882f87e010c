//! What every channel's part of the API document shares: the tags operations are grouped under,
//! the names of the security schemes, the responses any operation can give, and the served
//! document itself. The document is assembled from the channels' parts by `crate::openapi`; a
//! channel declares its operations with `#[utoipa::path]` on the handlers and lists them in its
//! own `#[derive(utoipa::OpenApi)]`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Components, OpenApi};

/// Tag of the dossier lookups and the receipt's QR images.
pub const TAG_LOOKUP: &str = "tra-cuu-ho-so";
/// Tag of questions, feedback, published answers and votes.
pub const TAG_INTAKE: &str = "hoi-dap-phan-anh";
/// Tag of the indicators (intake, hotline) and statistics.
pub const TAG_INDICATORS: &str = "chi-so";
/// Tag of the kiosk endpoints and the catalogue.
pub const TAG_KIOSK: &str = "kiosk-danh-muc";
/// Tag of the staff session.
pub const TAG_STAFF: &str = "can-bo";
/// Tag of the signed pushes from the main store.
pub const TAG_SYNC: &str = "dong-bo";
/// Tag of the IVR as JSON.
pub const TAG_IVR: &str = "tong-dai-ivr";
/// Tag of the health checks.
pub const TAG_OPERATIONS: &str = "van-hanh";
/// Tag of the document and its docs page.
pub const TAG_DOCS: &str = "tai-lieu-api";

/// Security scheme: the main store's HMAC signature (`X-Tracuu-Signature: sha256=<hex>` over
/// `timestamp + "." + body`, with `X-Tracuu-Timestamp`).
pub const SECURITY_SYNC: &str = "chu_ky_hmac";
/// Security scheme: the timestamp that travels with [`SECURITY_SYNC`].
pub const SECURITY_SYNC_TIME: &str = "thoi_diem_ky";
/// Security scheme: a staff member's session cookie.
pub const SECURITY_STAFF: &str = "phien_can_bo";
/// Security scheme: a kiosk's key (`X-Kiosk-Key`), when kiosks are configured with keys.
pub const SECURITY_KIOSK: &str = "khoa_kiosk";

/// The API document as served at `/api/openapi.json`: built once at start.
pub struct ApiDocument {
    /// The document, pretty-printed JSON (shared by every answer, not copied).
    pub json: bytes::Bytes,
}

/// The security schemes every signed or staff operation names.
pub fn add_security_schemes(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Components::new);
    let header = |name: &str, description: &str| {
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            name,
            description,
        )))
    };
    components.add_security_scheme(
        SECURITY_SYNC,
        header(
            crate::sync::auth::SIGNATURE_HEADER,
            "Chữ ký HMAC-SHA256 của kho hồ sơ chính: `sha256=<hex>` trên `thời điểm + \".\" + thân \
             yêu cầu` (yêu cầu không có thân: `thời điểm + \".\" + PHƯƠNG THỨC + \".\" + đường dẫn?truy vấn`). \
             / The main store's HMAC-SHA256 signature: `sha256=<hex>` over `timestamp + \".\" + body` \
             (bodiless requests: `timestamp + \".\" + METHOD + \".\" + path?query`).",
        ),
    );
    components.add_security_scheme(
        SECURITY_SYNC_TIME,
        header(
            crate::sync::auth::TIMESTAMP_HEADER,
            "Thời điểm ký (giây Unix), trong cửa sổ cho phép. / The signing time (Unix seconds), \
             within the allowed window.",
        ),
    );
    components.add_security_scheme(
        SECURITY_STAFF,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::staff::tokens::SESSION_COOKIE,
            "Phiên đăng nhập của cán bộ (đăng nhập tại /can-bo/dang-nhap). / A staff member's \
             session (log in at /can-bo/dang-nhap).",
        ))),
    );
    components.add_security_scheme(
        SECURITY_KIOSK,
        header(
            crate::http::kiosk_keys::KIOSK_KEY_HEADER,
            "Khoá của kiosk, cùng X-Kiosk-Id, khi tỉnh cấu hình khoá cho kiosk. / The kiosk's key, \
             with X-Kiosk-Id, when the province configures kiosk keys.",
        ),
    );
}

/// The request body of a push: an array whose items the receiver validates one by one. An item
/// that is not a valid item does not refuse the batch: it is reported in the answer's `errors`
/// while the others are applied. So the document gives the item's schema, but also admits any
/// other value there, exactly as the endpoint does (`anyOf: [item, {}]`); what refuses a whole
/// batch (not an array, broken JSON) stays a `400 invalid_batch`. `batch_schema!(Name, Item)`
/// declares the schema type `Name` for a batch of `Item`s.
#[macro_export]
macro_rules! batch_schema {
    ($name:ident, $item:ty) => {
        #[doc = concat!("A push's batch of `", stringify!($item), "` (see `batch_schema!`).")]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::http::openapi::batch_of(<$item as utoipa::ToSchema>::name())
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                schemas.push((
                    <$item as utoipa::ToSchema>::name().into_owned(),
                    <$item as utoipa::PartialSchema>::schema(),
                ));
                <$item as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}

/// The schema of a batch of `item`s (see [`batch_schema!`]).
pub fn batch_of(
    item: std::borrow::Cow<'static, str>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, SchemaType};
    let any = AnyOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name(item.clone()))
        .item(ObjectBuilder::new().schema_type(SchemaType::AnyValue))
        .description(Some(format!(
            "Một {item}; mục không hợp lệ được báo trong `errors` của câu trả lời, các mục khác \
             vẫn được áp dụng. / One {item}; an invalid item is reported in the answer's \
             `errors`, and the others are still applied."
        )));
    ArrayBuilder::new().items(any).into()
}
