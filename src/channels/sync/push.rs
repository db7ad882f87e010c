//! `POST /sync/v1/dossiers`, and what every push handler does first: read the body with a hard
//! limit, check its signature, split it into items (a JSON array or NDJSON), and last: answer.
//! The answer counts applied, stale and invalid items and names each invalid one; a retry of a
//! request already applied gets the first request's answer again, marked as a repeat.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::Arc;

use bytes::BytesMut;
use serde_json::value::RawValue;

use super::PushState;
use crate::error::{AppError, Code};
use crate::http::body::{read_limited_sized, BodyError};
use crate::sync::auth::{Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::sync::service::{BatchError, BatchItem, BatchReport, FirstAnswer, PushSignature};

crate::batch_schema!(DossierBatch, crate::sync::snapshot::DossierPayload);

/// Reads the whole body, refusing with 413 as soon as it passes `limit`. The answers name what
/// the main store's operators can act on: the transport error, or the setting that sets the limit.
pub async fn read_body(
    payload: web::Payload,
    limit: usize,
    declared: Option<u64>,
) -> Result<BytesMut, AppError> {
    read_limited_sized(payload, limit, declared)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge => too_large(limit),
            BodyError::TimedOut => AppError::new(Code::BodyTimeout),
            BodyError::Broken(e) => AppError::with_message(Code::InvalidBatch, format!("{e}")),
        })
}

/// Checks the signature headers; returns the signature (the replay key).
pub fn authenticate(
    req: &HttpRequest,
    verifier: &Verifier,
    body: &[u8],
) -> Result<Vec<u8>, AppError> {
    let header_text = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    verifier
        .verify(
            header_text(TIMESTAMP_HEADER),
            header_text(SIGNATURE_HEADER),
            body,
            chrono::Utc::now().timestamp(),
        )
        .map_err(|error| {
            tracing::warn!(sync.auth = %error, "push refused: {error}");
            AppError::new(error.code())
        })
}

/// How long a push waits for a turn to have its body read before it is told to retry.
const BODY_TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Receives a signed push: checks what the headers alone can tell (enabled, well-formed, within
/// the time window, declared length within the limit) before reading anything, reads the body
/// only while one of the few unverified-body turns is free, then checks the signature. Returns
/// the body and its signature (the replay key).
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    state: &PushState,
) -> Result<(BytesMut, Vec<u8>), AppError> {
    let header_text = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    state
        .verifier
        .precheck(
            header_text(TIMESTAMP_HEADER),
            header_text(SIGNATURE_HEADER),
            chrono::Utc::now().timestamp(),
        )
        .map_err(|error| {
            tracing::warn!(sync.auth = %error, "push refused before its body: {error}");
            AppError::new(error.code())
        })?;
    let limit = state.settings.max_body_bytes;
    let declared = header_text(header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    let permit = tokio::time::timeout(
        BODY_TURN_WAIT,
        Arc::clone(&state.unverified_bodies).acquire_owned(),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .ok_or_else(|| {
        let mut busy = AppError::new(Code::Busy);
        busy.retry_after = Some(std::time::Duration::from_secs(5));
        busy
    })?;
    let body = read_body(payload, limit, declared).await?;
    drop(permit);
    let signature = authenticate(req, &state.verifier, &body)?;
    Ok((body, signature))
}

fn too_large(limit: usize) -> AppError {
    AppError::with_message(
        Code::PayloadTooLarge,
        format!("Dữ liệu gửi lên vượt quá {limit} byte (TRACUU_SYNC__MAX_BODY_BYTES)."),
    )
}

/// Splits a JSON array or NDJSON body into raw items, checking the batch limit.
pub fn split_items<'a>(
    req: &HttpRequest,
    body: &'a [u8],
    max_items: usize,
) -> Result<Vec<Result<&'a str, String>>, AppError> {
    let text = std::str::from_utf8(body).map_err(|_| {
        AppError::with_message(Code::InvalidBatch, "Dữ liệu không phải UTF-8 hợp lệ.")
    })?;
    let ndjson = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("ndjson") || v.contains("jsonl"));
    let items: Vec<Result<&str, String>> = if ndjson {
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(Ok)
            .collect()
    } else {
        let raw: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
            AppError::with_message(Code::InvalidBatch, format!("Không đọc được mảng JSON: {e}"))
        })?;
        raw.into_iter().map(|r| Ok(r.get())).collect()
    };
    if items.len() > max_items {
        return Err(AppError::with_message(
            Code::PayloadTooLarge,
            format!(
                "Lô có {} mục, vượt quá giới hạn {max_items} (TRACUU_SYNC__MAX_BATCH_ITEMS).",
                items.len()
            ),
        ));
    }
    Ok(items)
}

/// `POST /sync/v1/dossiers`.
#[utoipa::path(
    post,
    path = "/sync/v1/dossiers",
    operation_id = "push_dossiers",
    tag = crate::http::openapi::TAG_SYNC,
    summary = "Đẩy ảnh chụp hồ sơ từ kho hồ sơ chính / Push dossier snapshots from the main store",
    description = DOSSIERS_DESCRIPTION,
    request_body(
        description = "Một mảng JSON các ảnh chụp hồ sơ (`application/json`), hoặc mỗi dòng một ảnh \
chụp (`application/x-ndjson`). / A JSON array of dossier snapshots (`application/json`), or one \
snapshot per line (`application/x-ndjson`).",
        content(
            (DossierBatch = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = OK_DESCRIPTION, body = PushAnswer,
            headers(("x-tracuu-repeat" = Repeat, description = "Chỉ có ở câu trả lời cho một lần gửi lại: `stored-answer` (câu trả lời lần đầu, nguyên văn) hoặc `already-applied`. / Only on the answer to a retry: `stored-answer` (the first answer, byte for byte) or `already-applied`."))),
        (status = 400, description = BAD_BATCH_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = UNAUTHORIZED_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = DISABLED_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 404, description = NOT_OPERATOR_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 413, description = TOO_LARGE_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 503, description = BUSY_DESCRIPTION, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây nên chờ (khi `busy`). / Seconds to wait (with `busy`)."))),
    ),
    security(("chu_ky_hmac" = [], "thoi_diem_ky" = []))
)]
pub async fn push_dossiers(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<PushState>,
) -> Result<HttpResponse, AppError> {
    let (body, signature) = receive(&req, payload, &state).await?;
    let items: Vec<BatchItem> = split_items(&req, &body, state.settings.max_batch_items)?
        .into_iter()
        .map(|raw| {
            raw.and_then(|text| {
                serde_json::from_str(text).map_err(|e| format!("not a dossier snapshot: {e}"))
            })
        })
        .collect();
    let result = state
        .sync
        .apply(
            items,
            Some(PushSignature {
                bytes: &signature,
                endpoint: "dossiers",
            }),
        )
        .await;
    answer("dossiers", result)
}

/// What every push operation's description says after its own first sentences.
macro_rules! push_description {
    ($vi:literal, $en:literal) => {
        concat!(
            $vi,
            " Chỉ phục vụ các địa chỉ của người vận hành (`http.operator_addresses`, mặc định chỉ \
loopback); địa chỉ khác nhận 404 như một đường dẫn không có. Yêu cầu phải được ký (HMAC-SHA256 \
trên `thời điểm + \".\" + thân`, tiêu đề X-Tracuu-Timestamp và X-Tracuu-Signature). Gửi lại đúng \
yêu cầu đã ký thì không áp dụng lại mà nhận lại câu trả lời lần đầu, có tiêu đề X-Tracuu-Repeat. \
Mục không hợp lệ được báo theo vị trí trong `errors`; các mục hợp lệ của lô vẫn được áp dụng.\n\n",
            $en,
            " Served only to operator addresses (`http.operator_addresses`, loopback by default); \
any other address gets 404 as for a path that does not exist. The request must be signed \
(HMAC-SHA256 over `timestamp + \".\" + body`, headers X-Tracuu-Timestamp and X-Tracuu-Signature). \
The same signed request sent again is not applied again: it gets the first answer again, with the \
header X-Tracuu-Repeat. Invalid items are reported by index in `errors`; the valid items of the \
batch still apply."
        )
    };
}

/// The description of `POST /sync/v1/dossiers`.
pub const DOSSIERS_DESCRIPTION: &str = push_description!(
    "Kho hồ sơ chính đẩy ảnh chụp hồ sơ: một ảnh chụp thay hồ sơ và tiến trình đã lưu khi \
`version` của nó lớn hơn bản đã lưu; nếu không, nó là cũ và không thay đổi gì.",
    "The main store pushes dossier snapshots: a snapshot replaces the stored dossier and its \
timeline when its `version` is greater than the stored one; otherwise it is stale and changes \
nothing."
);
/// The description of `POST /sync/v1/agencies`.
pub const AGENCIES_DESCRIPTION: &str = push_description!(
    "Kho hồ sơ chính đẩy danh mục cơ quan (cơ quan cha trước, trong cùng lô theo thứ tự bất kỳ); \
quy tắc phiên bản như hồ sơ.",
    "The main store pushes the agencies of the catalog (parents stored already or in the same \
batch, in any order); the version rule is that of dossiers."
);
/// The description of `POST /sync/v1/procedures`.
pub const PROCEDURES_DESCRIPTION: &str = push_description!(
    "Kho hồ sơ chính đẩy danh mục thủ tục; quy tắc phiên bản như hồ sơ.",
    "The main store pushes the procedures of the catalog; the version rule is that of dossiers."
);
/// The `200` of every push.
pub const OK_DESCRIPTION: &str = "Lô đã được xử lý: số mục nhận, áp dụng, cũ, bị từ chối, và từng \
mục bị từ chối hay cũ; hoặc, cho một lần gửi lại, câu trả lời lần đầu (`X-Tracuu-Repeat: \
stored-answer`) hay `{\"already_applied\": true, ...}` (`X-Tracuu-Repeat: already-applied`). / The \
batch was processed: items received, applied, stale, refused, and each refused or stale item; or, \
for a retry, the first answer again (`X-Tracuu-Repeat: stored-answer`) or `{\"already_applied\": \
true, ...}` (`X-Tracuu-Repeat: already-applied`).";
/// The `400` of every push.
pub const BAD_BATCH_DESCRIPTION: &str = "`invalid_batch`: thân không phải UTF-8, không phải mảng \
JSON hay NDJSON, hoặc luồng dữ liệu bị đứt. / `invalid_batch`: the body is not UTF-8, not a JSON \
array nor NDJSON, or its stream broke.";
/// The `401` of every push.
pub const UNAUTHORIZED_DESCRIPTION: &str = "`signature_missing`: thiếu hoặc sai dạng \
X-Tracuu-Timestamp / X-Tracuu-Signature; `signature_expired`: thời điểm ký ngoài cửa sổ \
(`TRACUU_SYNC__WINDOW_SECS`, ±5 phút); `signature_invalid`: chữ ký không khớp khoá nào; \
`signature_replayed`: yêu cầu đã ký này đã được nhận ở một địa chỉ đồng bộ khác. / \
`signature_missing`: X-Tracuu-Timestamp / X-Tracuu-Signature missing or malformed; \
`signature_expired`: the signing time is outside the window (`TRACUU_SYNC__WINDOW_SECS`, ±5 \
minutes); `signature_invalid`: the signature matches no secret; `signature_replayed`: this signed \
request was accepted by another push endpoint.";
/// The `403` of every push.
pub const DISABLED_DESCRIPTION: &str = "`sync_disabled`: chưa cấu hình khoá bí mật \
(`TRACUU_SYNC__SECRETS`): không nhận dữ liệu đẩy. / `sync_disabled`: no shared secret is \
configured (`TRACUU_SYNC__SECRETS`): pushes are off.";
/// The `404` of every push.
pub const NOT_OPERATOR_DESCRIPTION: &str = "`route_not_found`: yêu cầu không đến từ địa chỉ của \
người vận hành. / `route_not_found`: the request does not come from an operator address.";
/// The `413` of every push.
pub const TOO_LARGE_DESCRIPTION: &str = "`payload_too_large`: thân lớn hơn \
`TRACUU_SYNC__MAX_BODY_BYTES` (32 MiB) hoặc lô nhiều hơn `TRACUU_SYNC__MAX_BATCH_ITEMS` (5000) \
mục; cả lô bị từ chối. / `payload_too_large`: the body is over `TRACUU_SYNC__MAX_BODY_BYTES` (32 \
MiB) or the batch over `TRACUU_SYNC__MAX_BATCH_ITEMS` (5,000) items; the whole batch is refused.";
/// The `503` of every push.
pub const BUSY_DESCRIPTION: &str = "`busy` (với `Retry-After`): quá nhiều thân chưa kiểm chữ ký \
đang được đọc; `service_unavailable`: cơ sở dữ liệu không trả lời. Chưa có gì được áp dụng; gửi \
lại sau. / `busy` (with `Retry-After`): too many unverified bodies are being read; \
`service_unavailable`: the database does not answer. Nothing was applied; send it again later.";

/// Marks the answer to a retried push: `stored-answer` (the first request's status and body, as
/// they were) or `already-applied` (applied, but its answer was not stored).
pub const REPEAT_HEADER: &str = "x-tracuu-repeat";

/// `already_applied` in the document: a boolean that is always `true`.
fn always_true() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("Luôn là `true`. / Always `true`."))
        .build()
}

/// The values of [`REPEAT_HEADER`].
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(
    as = PushRepeat,
    description = "Giá trị của tiêu đề X-Tracuu-Repeat. / The values of the X-Tracuu-Repeat header."
)]
pub enum Repeat {
    /// The first request's status and body, as they were.
    StoredAnswer,
    /// Applied, but its answer was not stored.
    AlreadyApplied,
}

impl Repeat {
    /// The header's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Repeat::StoredAnswer => "stored-answer",
            Repeat::AlreadyApplied => "already-applied",
        }
    }
}

/// The `200` of a push: the batch's report, or for a retry of a request applied before its answer
/// was stored, that it was applied. Either is sent as it is (no wrapper).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(
    as = PushAnswer,
    description = "Kết quả của lô, hoặc cho một lần gửi lại yêu cầu đã áp dụng mà chưa lưu câu trả \
lời: rằng nó đã được áp dụng. / The batch's report, or for a retry of a request applied before its \
answer was stored: that it was applied."
)]
pub enum PushAnswer {
    /// Kết quả của lô (hoặc của lần gửi đầu, cho một lần gửi lại). / The batch's report (or the
    /// first request's, again, for a retry).
    Report(BatchReport),
    /// Lần gửi lại một yêu cầu đã áp dụng mà chưa lưu câu trả lời. / A retry of a request applied
    /// before its answer was stored.
    AlreadyApplied(AlreadyApplied),
}

/// The answer to a push to `endpoint`: the report; or, for a retry of a request already applied,
/// what the first request was answered, marked with [`REPEAT_HEADER`]; or the error.
pub fn answer(
    endpoint: &str,
    result: Result<BatchReport, BatchError>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(report) => {
            tracing::info!(
                sync.endpoint = endpoint,
                sync.applied = report.applied,
                sync.stale = report.stale,
                sync.invalid = report.invalid,
                "push of {endpoint}: {} applied, {} stale, {} invalid",
                report.applied,
                report.stale,
                report.invalid
            );
            Ok(HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(PushAnswer::Report(report)))
        }
        Err(BatchError::Repeated(first)) => Ok(repeat(endpoint, first)),
        Err(BatchError::Replayed) => {
            tracing::warn!(
                sync.endpoint = endpoint,
                "push to {endpoint} refused: its signature was accepted by another push endpoint"
            );
            Err(AppError::new(Code::SignatureReplayed))
        }
        Err(BatchError::Database(cause)) => Err(AppError::unavailable(Some(cause))),
    }
}

/// The answer to a retry: the first answer again, or an explicit "already applied".
fn repeat(endpoint: &str, first: FirstAnswer) -> HttpResponse {
    let received_at = first
        .received_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tracing::info!(
        sync.endpoint = endpoint,
        "push of {endpoint} repeated (first received at {received_at}): not applied again"
    );
    let status = first
        .answer
        .as_ref()
        .and_then(|(status, _)| actix_web::http::StatusCode::from_u16(*status).ok());
    match (status, first.answer) {
        (Some(status), Some((_, body))) => HttpResponse::build(status)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((REPEAT_HEADER, Repeat::StoredAnswer.as_str()))
            .content_type("application/json")
            .body(body),
        _ => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((REPEAT_HEADER, Repeat::AlreadyApplied.as_str()))
            .json(PushAnswer::AlreadyApplied(AlreadyApplied {
                already_applied: true,
                first_received_at: received_at,
            })),
    }
}

/// The answer to a retry of a request applied before its answer was stored.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(
    as = PushAlreadyApplied,
    description = "Yêu cầu này đã được áp dụng trước đây. / This request was applied before.",
    example = json!({"already_applied": true, "first_received_at": "2026-12-07T01:42:39Z"})
)]
pub struct AlreadyApplied {
    /// Luôn là `true`. / Always `true`.
    #[schema(schema_with = always_true)]
    pub already_applied: bool,
    /// Lúc yêu cầu đầu tiên được nhận (RFC 3339, UTC, đến giây). / When the first request was
    /// accepted (RFC 3339, UTC, whole seconds).
    #[schema(format = DateTime)]
    pub first_received_at: String,
}

#[cfg(test)]
mod proptests {
    use super::*;
    use actix_web::test::TestRequest;
    use proptest::prelude::*;
    use serde_json::Value;

    fn request(ndjson: bool) -> HttpRequest {
        let content_type = if ndjson {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        TestRequest::default()
            .insert_header((header::CONTENT_TYPE, content_type))
            .to_http_request()
    }

    /// JSON items of the shapes a batch holds: objects of strings, numbers and nested arrays.
    fn item() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        let value = leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        prop::collection::btree_map("[a-z_]{1,8}", value, 0..5)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..200), ndjson in any::<bool>()) {
            let _ = split_items(&request(ndjson), &body, 10);
        }

        #[test]
        fn arbitrary_text_bodies_never_panic(body in any::<String>(), ndjson in any::<bool>()) {
            let _ = split_items(&request(ndjson), body.as_bytes(), 10);
        }

        /// A batch written as a JSON array or as NDJSON splits into the items written, in order.
        #[test]
        fn written_batches_split_back_into_their_items(
            items in prop::collection::vec(item(), 0..6),
            ndjson in any::<bool>(),
            windows in any::<bool>(),
        ) {
            let texts: Vec<String> = items.iter().map(Value::to_string).collect();
            let body = if ndjson {
                texts.join(if windows { "\r\n" } else { "\n" })
            } else {
                serde_json::to_string_pretty(&items).unwrap_or_default()
            };
            let split = split_items(&request(ndjson), body.as_bytes(), 10)
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let parsed: Vec<Value> = split
                .into_iter()
                .map(|raw| raw.ok().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default())
                .collect();
            prop_assert_eq!(parsed, items);
        }

        /// More items than the limit is a payload_too_large, whatever the format.
        #[test]
        fn batches_over_the_limit_are_refused(count in 0usize..8, max in 0usize..8, ndjson in any::<bool>()) {
            let items = vec!["{}"; count];
            let body = if ndjson { items.join("\n") } else { format!("[{}]", items.join(",")) };
            let result = split_items(&request(ndjson), body.as_bytes(), max);
            match result {
                Ok(split) => prop_assert!(count <= max && split.len() == count),
                Err(e) => prop_assert!(count > max && e.code == Code::PayloadTooLarge),
            }
        }
    }
}
