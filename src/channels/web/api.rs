//! The JSON lookup API: `GET /api/v1/dossiers/{code}` and `GET /api/v1/lookup-numbers/{n}`, each
//! with an optional `phone4` proof for the detailed view, and on the first an optional `k`: the
//! token of the receipt's QR link, which grants the detailed view exactly as the landing page
//! `/q/{code}?k=` does (the kiosk's scanner reads that link).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::domain::{DossierCode, LookupNumber, PhoneLast4};
use crate::error::{AppError, Code};
use crate::http::{app_data, client, method_not_allowed, AppState};
use crate::lookup::qr_proof::TokenState;
use crate::lookup::view::CachedDossier;
use crate::lookup::Lookup;

/// The document's part for the lookups.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_dossier, get_dossier_by_number),
    components(schemas(DossierView, QrOutcome))
)]
pub struct Api;

/// The JSON view of a dossier, as one schema (`DossierView`): the public view, the detailed
/// view's fields when a proof held, the per-request fields, and `qr` when `k` was given. The
/// body itself is assembled from the stored parts ([`ViewBody`]); this only describes it.
pub struct DossierView;

impl utoipa::PartialSchema for DossierView {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{Ref, RefOr};
        let example = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
        let mut qr = Ref::from_schema_name("QrOutcome");
        qr.description = "Chỉ khi có tham số k: mã xác thực QR đã chứng minh gì. / Only with k: \
                          what the QR token proved."
            .to_owned();
        crate::lookup::view::view_schema()
            .property("qr", RefOr::Ref(qr))
            .description(Some(
                "Hồ sơ như tracuu trả lời. Các trường công khai luôn có; timeline, supplement, \
                 reason, fee và collect_result chỉ có khi bằng chứng hợp lệ (phone4 đúng hoặc \
                 mã QR k hợp lệ; view = detailed); qr chỉ có khi gửi k. / A dossier as tracuu \
                 answers it. The public fields are always there; timeline, supplement, reason, \
                 fee and collect_result only when a proof held (the right phone4 or a valid QR \
                 token k; view = detailed); qr only when k was sent.",
            ))
            .examples(
                [
                    example(include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/docs/api/examples/dossier-public.json"
                    ))),
                    example(include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/docs/api/examples/dossier-detailed.json"
                    ))),
                ]
                .into_iter()
                .flatten(),
            )
            .into()
    }
}

impl utoipa::ToSchema for DossierView {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("DossierView")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        crate::lookup::view::view_schemas(schemas);
        schemas.push((
            <QrOutcome as utoipa::ToSchema>::name().into_owned(),
            <QrOutcome as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// Registers the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/dossiers/{code}")
            .route(web::get().to(get_dossier))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/lookup-numbers/{number}")
            .route(web::get().to(get_dossier_by_number))
            .default_service(web::to(method_not_allowed)),
    );
}

/// Query parameters of both lookups.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofQuery {
    /// Last four digits of the applicant's phone: unlocks the detailed view.
    pub phone4: Option<String>,
    /// The token of the receipt's QR link (`/q/<code>?k=<token>`): a valid one unlocks the
    /// detailed view with no phone digits. Only with a dossier code.
    pub k: Option<String>,
}

/// The description of `phone4`.
const PHONE4_TEXT: &str = "4 chữ số cuối của số điện thoại người nộp: đúng thì trả lời bản chi \
    tiết (proof = accepted); sai thì bản công khai với proof = rejected; sai quá nhiều lần thì \
    proof = locked và proof_retry_after_secs (vẫn 200). / The last four digits of the \
    applicant's phone: right, the detailed view (proof = accepted); wrong, the public view with \
    proof = rejected; wrong too often, proof = locked with proof_retry_after_secs (still 200).";

/// The description of a lookup's 200.
const VIEW_TEXT: &str = "Hồ sơ: bản công khai, hoặc bản chi tiết khi bằng chứng hợp lệ. / The \
    dossier: the public view, or the detailed view when a proof held.";

/// The description of a lookup's 403.
const KIOSK_KEY_TEXT: &str = "kiosk_key_invalid: có X-Kiosk-Key nhưng không khớp X-Kiosk-Id. / \
    kiosk_key_invalid: an X-Kiosk-Key that does not match X-Kiosk-Id.";

/// The description of a lookup's 429.
const RATE_LIMITED_TEXT: &str = "rate_limited: tra cứu quá nhiều lần, hoặc quá nhiều mã không \
    tồn tại; chờ Retry-After giây. / rate_limited: too many lookups, or too many unknown codes; \
    wait Retry-After seconds.";

/// The description of a lookup's 503.
const UNAVAILABLE_TEXT: &str = "upstream_unavailable: cơ sở dữ liệu không kết nối được và hồ sơ \
    không có trong bộ nhớ đệm; service_unavailable, busy. / upstream_unavailable: the database \
    cannot be reached and the dossier is not cached; service_unavailable, busy.";

impl ProofQuery {
    /// The query of `req`; most lookups have none, and then nothing is parsed.
    fn of(req: &HttpRequest) -> Result<Self, AppError> {
        if req.query_string().is_empty() {
            return Ok(Self::default());
        }
        web::Query::<Self>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .map_err(AppError::bad_query)
    }

    fn parse(&self) -> Result<Option<PhoneLast4>, AppError> {
        Ok(self.phone4.as_deref().map(PhoneLast4::parse).transpose()?)
    }
}

/// `GET /api/v1/dossiers/{code}`.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}",
    operation_id = "get_dossier",
    tag = crate::http::openapi::TAG_LOOKUP,
    summary = "Tra cứu hồ sơ theo mã hồ sơ / Look up a dossier by its code",
    description = "Trả lời bản công khai của hồ sơ; với phone4 đúng, hoặc mã xác thực k của mã QR \
trên giấy tiếp nhận, trả lời bản chi tiết (các bước xử lý, yêu cầu bổ sung, lý do, phí, nơi nhận \
kết quả). Mã hồ sơ được đọc dễ dãi: chữ thường, khoảng trắng, mọi loại gạch ngang. Kiosk có khoá \
gửi X-Kiosk-Id và X-Kiosk-Key để được tính hạn mức riêng.\n\n\
Answers the dossier's public view; with the right phone4, or the token k of the receipt's QR \
link, the detailed view (the steps, supplement requests, reason, fees, where to collect the \
result). The code is read tolerantly: lower case, spaces, any dash. A kiosk with a key sends \
X-Kiosk-Id and X-Kiosk-Key to be counted under budgets of its own.",
    params(
        ("code" = String, Path, min_length = 1, max_length = 64,
            description = "Mã hồ sơ / The dossier code", example = "000.00.18.H48-261118-9005"),
        ("phone4" = Option<String>, Query, pattern = r"^\s*[0-9０-９]{4}\s*$",
            description = PHONE4_TEXT, example = "0348"),
        ("k" = Option<String>, Query,
            description = "Mã xác thực trong đường dẫn QR của giấy tiếp nhận (/q/{mã}?k=…): hợp lệ \
thì trả lời bản chi tiết; không hợp lệ thì bản công khai, và qr nói vì sao. / The token of the \
receipt's QR link (/q/{code}?k=…): a valid one gives the detailed view; any other, the public \
view, with qr saying why."),
    ),
    responses(
        (status = 200, description = VIEW_TEXT, body = DossierView),
        (status = 400, description = "invalid_dossier_code: mã hồ sơ sai định dạng; invalid_phone4: \
phone4 không phải 4 chữ số; invalid_input: tham số truy vấn lạ hoặc lặp lại. / invalid_dossier_code: \
a malformed code; invalid_phone4: phone4 is not four digits; invalid_input: an unknown or repeated \
query parameter.", body = crate::error::ErrorBody),
        (status = 403, description = KIOSK_KEY_TEXT, body = crate::error::ErrorBody),
        (status = 404, description = "dossier_not_found: không có hồ sơ với mã này. / dossier_not_found: \
no dossier has this code.", body = crate::error::ErrorBody),
        (status = 429, description = RATE_LIMITED_TEXT, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây cần chờ / Seconds to wait"))),
        (status = 503, description = UNAVAILABLE_TEXT, body = crate::error::ErrorBody),
    ),
    security((), ("khoa_kiosk" = []))
)]
///
/// The busiest route of all, so the handler borrows the app data rather than extracting it and
/// parses no query string when there is none.
pub async fn get_dossier(
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let state = app_data::<AppState>(&req)?;
    let code =
        DossierCode::parse(&code).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
    let query = ProofQuery::of(&req)?;
    let proof = query.parse()?;
    let client = client(&req, state)?;
    let Some(raw_token) = query.k.as_deref() else {
        let lookup = state.lookup.by_code(&client, &code, proof.as_ref()).await?;
        return Ok(json_view(&lookup));
    };
    let token = state.lookup.qr_token(&code, Some(raw_token));
    if token == TokenState::Valid {
        let lookup = state.lookup.by_code_granted(&client, &code).await?;
        return Ok(json_view_with_token(&lookup, token));
    }
    tracing::info!(
        lookup.code = %code,
        qr.token = token.key(),
        "JSON lookup of {code} without a valid QR token: {}",
        token.key()
    );
    let lookup = state.lookup.by_code(&client, &code, proof.as_ref()).await?;
    Ok(json_view_with_token(&lookup, token))
}

/// `GET /api/v1/lookup-numbers/{number}`.
#[utoipa::path(
    get,
    path = "/api/v1/lookup-numbers/{number}",
    operation_id = "get_dossier_by_number",
    tag = crate::http::openapi::TAG_LOOKUP,
    summary = "Tra cứu hồ sơ theo số tra cứu / Look up a dossier by its lookup number",
    description = "Số tra cứu 10 chữ số in trên giấy tiếp nhận, cạnh mã QR (chữ số cuối là chữ \
số kiểm tra); khoảng trắng, dấu chấm, gạch ngang và chữ O thay số 0 được chấp nhận. Cùng câu trả \
lời như tra cứu theo mã; không nhận k.\n\n\
The 10-digit lookup number printed on the receipt beside the QR code (its last digit is a check \
digit); spaces, dots, dashes and the letter O for 0 are accepted. The same answer as a lookup by \
code; k is not taken.",
    params(
        ("number" = String, Path, min_length = 1, max_length = 40,
            description = "Số tra cứu / The lookup number", example = "0605592342"),
        ("phone4" = Option<String>, Query, pattern = r"^\s*[0-9０-９]{4}\s*$",
            description = PHONE4_TEXT, example = "0348"),
    ),
    responses(
        (status = 200, description = VIEW_TEXT, body = DossierView),
        (status = 400, description = "invalid_lookup_number: không đủ 10 chữ số; lookup_number_typo: \
chữ số kiểm tra không khớp; invalid_phone4: phone4 không phải 4 chữ số; invalid_input: tham số \
truy vấn lạ hoặc lặp lại, hoặc có k. / invalid_lookup_number: not ten digits; lookup_number_typo: \
the check digit does not match; invalid_phone4: phone4 is not four digits; invalid_input: an \
unknown or repeated query parameter, or k.", body = crate::error::ErrorBody),
        (status = 403, description = KIOSK_KEY_TEXT, body = crate::error::ErrorBody),
        (status = 404, description = "dossier_not_found: không có hồ sơ với số tra cứu này. / \
dossier_not_found: no dossier has this lookup number.", body = crate::error::ErrorBody),
        (status = 429, description = RATE_LIMITED_TEXT, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây cần chờ / Seconds to wait"))),
        (status = 503, description = UNAVAILABLE_TEXT, body = crate::error::ErrorBody),
    ),
    security((), ("khoa_kiosk" = []))
)]
pub async fn get_dossier_by_number(
    req: HttpRequest,
    number: web::Path<String>,
    query: web::Query<ProofQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let number = LookupNumber::parse(&number)
        .map_err(|e| AppError::invalid(Code::InvalidLookupNumber, e))?;
    if query.k.is_some() {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "k (mã xác thực QR) chỉ dùng với mã hồ sơ: /api/v1/dossiers/{mã hồ sơ}?k=…",
        ));
    }
    let proof = query.parse()?;
    let client = client(&req, &state)?;
    let lookup = state
        .lookup
        .by_number(&client, number, proof.as_ref())
        .await?;
    Ok(json_view(&lookup))
}

fn json_view(lookup: &Lookup) -> HttpResponse {
    json_response(ViewBody::new(lookup, lookup.json_tail()))
}

/// The view with `"qr": {"token", "title"?, "message"?}`: whether the QR token was valid, and
/// when it was not, the landing page's explanation of why only the public view is shown. The
/// object is added inside the rendered view, before its closing brace.
fn json_view_with_token(lookup: &Lookup, token: TokenState) -> HttpResponse {
    let explanation = token.explanation();
    let qr = QrOutcome {
        token: token.key(),
        title: explanation.map(|(title, _)| title),
        message: explanation.map(|(_, message)| message),
    };
    let qr =
        serde_json::to_string(&qr).unwrap_or_else(|_| format!("{{\"token\":\"{}\"}}", token.key()));
    let mut tail = lookup.json_tail();
    debug_assert_eq!(tail.last(), Some(&b'}'));
    tail.pop();
    tail.extend_from_slice(b",\"qr\":");
    tail.extend_from_slice(qr.as_bytes());
    tail.push(b'}');
    json_response(ViewBody::new(lookup, tail))
}

/// What the QR token `k` of a JSON lookup proved.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QrOutcome {
    /// Kết quả kiểm tra mã xác thực: `valid` (bản chi tiết), `missing` (k rỗng), `malformed`
    /// (thiếu hoặc thừa ký tự), `forged` (không khớp hồ sơ), `outdated` (khóa cũ đã hết hiệu
    /// lực). / What the token proved.
    #[schema(schema_with = token_state_schema)]
    pub token: &'static str,
    /// Khi mã không hợp lệ: tiêu đề lời giải thích. / When the token was not valid: the
    /// explanation's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'static str>,
    /// Khi mã không hợp lệ: vì sao chỉ hiển thị thông tin công khai. / When the token was not
    /// valid: why only the public view is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
}

fn token_state_schema() -> utoipa::openapi::Object {
    crate::lookup::view::string_enum(&[
        TokenState::Valid.key(),
        TokenState::Missing.key(),
        TokenState::Malformed.key(),
        TokenState::Forged.key(),
        TokenState::Outdated.key(),
    ])
}

fn json_response(body: ViewBody) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        ))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body)
}

/// The JSON view as a response body: the dossier's stored head (and detail) are sent from the
/// cache entry itself, held by its reference count, and only the per-request tail is new. The
/// HTTP encoder copies each part into its write buffer once; nothing is assembled before.
struct ViewBody {
    /// Head, detail (empty for the public view) and tail, sent in order.
    parts: [Bytes; 3],
    next: usize,
}

impl ViewBody {
    fn new(lookup: &Lookup, tail: Vec<u8>) -> Self {
        let stored = |detail| {
            Bytes::from_owner(StoredPart {
                dossier: Arc::clone(&lookup.dossier),
                detail,
            })
        };
        let detail = if lookup.detailed() {
            stored(true)
        } else {
            Bytes::new()
        };
        Self {
            parts: [stored(false), detail, Bytes::from(tail)],
            next: 0,
        }
    }
}

/// One stored part of a cached dossier, as the bytes of a body chunk.
struct StoredPart {
    dossier: Arc<CachedDossier>,
    detail: bool,
}

impl AsRef<[u8]> for StoredPart {
    fn as_ref(&self) -> &[u8] {
        if self.detail {
            self.dossier.detail()
        } else {
            self.dossier.head()
        }
    }
}

impl MessageBody for ViewBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        // Parts already sent are left empty, so this is what remains.
        let len: usize = self.parts.iter().map(Bytes::len).sum();
        BodySize::Sized(len as u64)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        while let Some(part) = this.parts.get_mut(this.next) {
            this.next += 1;
            if !part.is_empty() {
                return Poll::Ready(Some(Ok(std::mem::take(part))));
            }
        }
        Poll::Ready(None)
    }
}
