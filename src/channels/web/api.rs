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
#[openapi(paths(get_dossier, get_dossier_by_number))]
pub struct Api;

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
    params(("code" = String, Path, description = "Mã hồ sơ / The dossier code", example = "000.00.18.H48-261118-9005")),
    responses((status = 200, description = "Hồ sơ / The dossier", body = Object))
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
    params(("number" = String, Path, description = "Số tra cứu / The lookup number", example = "0605592342")),
    responses((status = 200, description = "Hồ sơ / The dossier", body = Object))
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
#[derive(Debug, Serialize)]
pub struct QrOutcome {
    /// Kết quả kiểm tra mã xác thực. / What the token proved.
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
