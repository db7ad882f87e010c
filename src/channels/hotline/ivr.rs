//! The IVR of the 1022 hotline: VoiceXML 2.1 documents under `/ivr/vxml/...` for the call
//! center's platform, and the same flow as JSON under `/ivr/api/...` for platforms that do not
//! speak VoiceXML. The flow is stateless: the attempt count and the caller id travel in the URLs.
//!
//! Main menu: 1 = a dossier's status by its lookup number, 2 = an operator, 3 = working hours and
//! addresses. The keyed number is cleaned of `*`, `#` and other noise and checked with its check
//! digit; a wrong, mistyped or unknown number is re-prompted, and after
//! `hotline.max_digit_attempts` failures the caller is transferred to an operator. The status is
//! spoken in Vietnamese from public-view facts only. Every request counts against the caller's
//! rate limit; a blocked caller hears why and the call ends. Whatever happens, the platform gets a
//! playable document.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::domain::speech;
use crate::domain::{DomainError, LookupNumber, PhoneNumber, Standing, Status};
use crate::error::{AppError, Code};
use crate::hotline::call_log;
use crate::hotline::HotlineState;
use crate::http::body::read_body;
use crate::http::AppState;
use crate::lookup::guard::ClientKey;
use crate::lookup::LookupError;

/// Registers the IVR routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/ivr/audio/{file}", web::get().to(serve_audio))
        .service(
            web::resource("/ivr/{format}/{step}")
                .route(web::get().to(get_ivr_step))
                .route(web::post().to(post_ivr_step))
                .default_service(web::to(crate::http::method_not_allowed)),
        );
}

/// The two renderings of the same flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    VoiceXml,
    Json,
}

impl Format {
    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "vxml" => Some(Format::VoiceXml),
            "api" => Some(Format::Json),
            _ => None,
        }
    }

    fn segment(self) -> &'static str {
        match self {
            Format::VoiceXml => "vxml",
            Format::Json => "api",
        }
    }
}

/// What the platform sends: in the query string, or (VoiceXML `<submit method="post">`) as a form.
/// Platforms add variables of their own, so unknown fields are ignored rather than refused.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(
    as = IvrForm,
    description = "Các trường như trong chuỗi truy vấn; trường trong thân thắng. Trường lạ được bỏ qua. \
/ The fields of the query string; a field of the body wins. Unknown fields are ignored."
)]
pub struct IvrQuery {
    /// Số gọi đến (`session.connection.remote.uri` hoặc ANI của tổng đài), nếu có. / The caller
    /// id (`session.connection.remote.uri` or the platform's ANI), if any.
    pub caller: Option<String>,
    /// Lần thử bấm số thứ mấy (1 = lần đầu). / Which try at keying the number this is (1 =
    /// first).
    pub attempt: Option<String>,
    /// Các phím đã bấm. / The keys pressed.
    pub digits: Option<String>,
}

/// The document's part for the IVR as JSON (`/ivr/api/{step}`; the VoiceXML documents are listed
/// in docs/api.md, not here).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_ivr_step, post_ivr_step),
    modifiers(&OptionalForm),
    components(schemas(
        IvrAnswer,
        IvrAnswerOrError,
        IvrQuery,
        StepName,
        Prompt,
        Choice,
        KeypadInput,
        SpokenStatus,
        SpokenTimeliness,
        MenuAnswer,
        AskNumberAnswer,
        ResultAnswer,
        InfoAnswer,
        TransferAnswer,
        GoodbyeAnswer,
    ))
)]
pub struct IvrApi;

/// The form of `post_ivr_step` may be left out: the query string can carry every field.
struct OptionalForm;

impl utoipa::Modify for OptionalForm {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let body = openapi
            .paths
            .paths
            .get_mut("/ivr/api/{step}")
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.request_body.as_mut());
        if let Some(body) = body {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

/// What both operations' descriptions say.
const IVR_DESCRIPTION: &str = "Luồng IVR của tổng đài 1022 dạng JSON, cho tổng đài không dùng \
VoiceXML: trình đơn, hỏi số tra cứu, tình trạng hồ sơ (chỉ thông tin công khai), điện thoại viên, \
giờ làm việc và địa chỉ. Không lưu trạng thái: số lần thử và số gọi đến đi theo các đường dẫn \
`next`/`submit`. IVR không bao giờ trả lỗi dạng `Error`: mọi câu trả lời, kể cả khi yêu cầu sai, là \
một bước có câu nói cho người gọi, với mã HTTP thật (400 yêu cầu sai, 404 bước không có, 429 gọi \
quá nhiều). Chỉ lỗi trước khi yêu cầu đến IVR (500, 503, thân khai báo quá lớn) có dạng `Error`. \
Mỗi yêu cầu tính vào giới hạn tần suất của người gọi. Bản VoiceXML (`/ivr/vxml/...`) không ở đây: \
xem trang API.\n\n\
The 1022 hotline's IVR as JSON, for a platform without VoiceXML: the menu, the request for the \
lookup number, a dossier's status (public facts only), an operator, working hours and addresses. \
Stateless: the attempt count and the caller id travel in the `next`/`submit` URLs. The IVR never \
answers with an `Error`: every answer, even to a wrong request, is a step with something to say \
to the caller, with the real HTTP status (400 a wrong request, 404 no such step, 429 too many \
calls). Only a refusal before the request reaches the IVR (500, 503, a declared body too large) \
is an `Error`. Every request counts against the caller's rate limit. The VoiceXML form \
(`/ivr/vxml/...`) is not here: see the API page.";

/// `GET /ivr/{vxml|api}/{step}`.
#[utoipa::path(
    get,
    path = "/ivr/api/{step}",
    operation_id = "get_ivr_step",
    tag = crate::http::openapi::TAG_IVR,
    summary = "Một bước của IVR tổng đài 1022 / One step of the hotline 1022 IVR",
    description = IVR_DESCRIPTION,
    params(
        ("step" = StepName, Path, description = "Bước được hỏi. / The step asked for."),
        ("caller" = Option<String>, Query,
            description = "Số gọi đến (`tel:`, `sip:` hoặc số), tối đa 100 ký tự và 20 chữ số; \
không có hoặc không có chữ số: số ẩn. Chỉ số do tổng đài (`hotline.platform_addresses`) gửi được \
tin cho giới hạn và nhật ký cuộc gọi. / The caller id (`tel:`, `sip:` or a number), at most 100 \
characters and 20 digits; absent or without a digit: withheld. Only the platform's ids \
(`hotline.platform_addresses`) count for the limits and the call log.",
            pattern = r"^\s*[\s\S]{0,100}\s*$", example = "+84912345678"),
        ("attempt" = Option<String>, Query,
            description = "Với `lookup` và `status`: lần thử, số nguyên từ 1 đến \
`TRACUU_HOTLINE__MAX_DIGIT_ATTEMPTS` (mặc định 3); không có hoặc rỗng là 1; khác thì 400. Các bước \
khác bỏ qua. / With `lookup` and `status`: the try, an integer from 1 to \
`TRACUU_HOTLINE__MAX_DIGIT_ATTEMPTS` (default 3); absent or empty means 1; anything else is 400. \
Other steps ignore it.",
            example = "1"),
        ("digits" = Option<String>, Query,
            description = "Với `status`: các phím đã bấm; `*`, `#` và mọi thứ không phải chữ số bị \
bỏ; cần 10 chữ số có chữ số kiểm tra đúng, không thì hỏi lại. / With `status`: the keys pressed; \
`*`, `#` and anything but digits are dropped; 10 digits with a matching check digit are needed, \
otherwise it asks again.",
            example = "0605592342"),
    ),
    responses(
        (status = 200, description = "Bước tiếp theo. / The next step.", body = IvrAnswer),
        (status = 400, description = IVR_BAD_REQUEST, body = IvrAnswer),
        (status = 404, description = IVR_NOT_FOUND, body = IvrAnswer),
        (status = 429, description = IVR_RATE_LIMITED, body = IvrAnswer),
    )
)]
pub async fn get_ivr_step(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle_ivr_step(req, path, query, payload, state).await
}

/// `POST /ivr/{vxml|api}/{step}`: a VoiceXML `<submit method="post">`, the fields in a form.
#[utoipa::path(
    post,
    path = "/ivr/api/{step}",
    operation_id = "post_ivr_step",
    tag = crate::http::openapi::TAG_IVR,
    summary = "Một bước của IVR tổng đài 1022, gửi dạng biểu mẫu / One step of the hotline 1022 IVR, sent as a form",
    description = IVR_DESCRIPTION,
    params(
        ("step" = StepName, Path, description = "Bước được hỏi. / The step asked for."),
        ("caller" = Option<String>, Query,
            description = "Như với GET; trường `caller` của thân thắng. / As with GET; the body's \
`caller` wins."),
        ("attempt" = Option<String>, Query,
            description = "Như với GET; trường `attempt` của thân thắng. / As with GET; the body's \
`attempt` wins."),
        ("digits" = Option<String>, Query,
            description = "Như với GET; trường `digits` của thân thắng. / As with GET; the body's \
`digits` wins."),
    ),
    request_body(
        content = IvrQuery,
        content_type = "application/x-www-form-urlencoded",
        description = "Tuỳ chọn, tối đa 4096 byte; thân không phải biểu mẫu không thêm gì. / \
Optional, at most 4096 bytes; a body that is not a form adds nothing."
    ),
    responses(
        (status = 200, description = "Bước tiếp theo. / The next step.", body = IvrAnswer),
        (status = 400, description = IVR_BAD_REQUEST, body = IvrAnswer),
        (status = 404, description = IVR_NOT_FOUND, body = IvrAnswer),
        (status = 408, description = "`body_timeout`: thân đến quá chậm; trình đơn với lời báo. / \
`body_timeout`: the body arrived too slowly; the menu with the notice.", body = IvrAnswer),
        (status = 413, description = "`payload_too_large`: thân quá 4096 byte (trình đơn với lời báo), \
hoặc, với `Expect: 100-continue` và độ dài khai báo quá giới hạn chung, lỗi `Error` trước khi thân \
được gửi. / `payload_too_large`: a body over 4096 bytes (the menu with the notice), or, with \
`Expect: 100-continue` and a declared length over the general limit, an `Error` before the body is \
sent.", body = IvrAnswerOrError),
        (status = 429, description = IVR_RATE_LIMITED, body = IvrAnswer),
    )
)]
pub async fn post_ivr_step(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle_ivr_step(req, path, query, payload, state).await
}

/// The `400` of both operations.
const IVR_BAD_REQUEST: &str =
    "`invalid_input`: `attempt` sai (với `lookup`, `status`), số gọi đến \
không hợp lệ, hoặc thân hỏng; câu trả lời là trình đơn với lời báo lỗi. / `invalid_input`: a \
malformed `attempt` (with `lookup`, `status`), an invalid caller id, or a broken body; the answer \
is the menu with the error said first.";
/// The `404` of both operations.
const IVR_NOT_FOUND: &str =
    "`route_not_found`: không có bước này; câu trả lời là trình đơn với lời \
báo. / `route_not_found`: no such step; the answer is the menu with the notice.";
/// The `429` of both operations.
const IVR_RATE_LIMITED: &str =
    "`rate_limited`: người gọi (hoặc địa chỉ) đã gọi quá nhiều lần; câu \
trả lời là lời chào kết thúc cuộc gọi (`goodbye`). / `rate_limited`: the caller (or the address) \
called too often; the answer is the last words before the call ends (`goodbye`).";

/// One step of the flow, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The main menu, with an optional sentence said first.
    Menu { notice: Option<String> },
    /// Asks for the lookup number; `attempt` counts from 1.
    AskNumber {
        attempt: u32,
        notice: Option<String>,
    },
    /// A dossier's status, then: 1 another dossier, 2 an operator, 0 the main menu.
    Result {
        text: String,
        status: Status,
        standing: Standing,
    },
    /// Working hours and addresses, then back to the menu.
    Info { text: String },
    /// Hands the call to an operator.
    Transfer { notice: String },
    /// Says something and ends the call.
    Goodbye { text: String },
}

const WELCOME: &str =
    "Xin chào, đây là tổng đài một không hai hai, tra cứu hồ sơ thủ tục hành chính.";
const MENU: &str = "Để nghe tình trạng hồ sơ, xin bấm phím một. Để gặp điện thoại viên, xin bấm phím hai. Để nghe giờ làm việc và địa chỉ các Trung tâm Phục vụ hành chính công, xin bấm phím ba.";
const ASK: &str =
    "Xin bấm mười chữ số của số tra cứu in trên giấy tiếp nhận hồ sơ, rồi bấm phím thăng.";
const AFTER_RESULT: &str = "Để tra cứu hồ sơ khác, xin bấm phím một. Để gặp điện thoại viên, xin bấm phím hai. Để trở về đầu, xin bấm phím không.";
const TRANSFER: &str =
    "Xin vui lòng chờ trong giây lát, cuộc gọi đang được chuyển đến điện thoại viên.";
const TRANSFER_FAILED: &str =
    "Hiện tất cả điện thoại viên đều bận. Xin vui lòng gọi lại sau. Xin cảm ơn.";
const NO_INPUT: &str = "Xin lỗi, tổng đài chưa nhận được phím bấm nào.";
const NO_MATCH: &str = "Xin lỗi, phím vừa bấm không có trong danh sách.";

/// The keys pressed, without the noise a keypad adds: `*`, `#`, spaces and anything but digits.
pub fn clean_digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// The next step after a try at the number failed with `code`: re-prompt, or transfer once the
/// tries are used up.
pub fn after_failure(code: Code, attempt: u32, max_attempts: u32) -> Step {
    if attempt >= max_attempts {
        Step::Transfer {
            notice: format!(
                "{} Quý vị đã bấm chưa đúng {} lần.",
                code.ivr_prompt(),
                speech::number_words(u64::from(attempt))
            ),
        }
    } else {
        Step::AskNumber {
            attempt: attempt + 1,
            notice: Some(format!("{} Xin mời bấm lại.", code.ivr_prompt())),
        }
    }
}

/// Why the keyed digits are not a lookup number, if they are not.
pub fn check_number(raw: &str) -> Result<LookupNumber, Code> {
    let digits = clean_digits(raw);
    if digits.is_empty() {
        return Err(Code::InvalidLookupNumber);
    }
    LookupNumber::parse(&digits).map_err(|e| match e {
        DomainError::LookupNumberCheckDigit => Code::LookupNumberTypo,
        _ => Code::InvalidLookupNumber,
    })
}

/// The longest caller id taken from the platform (a SIP URI with its domain).
const MAX_CALLER_CHARS: usize = 100;

/// A caller as the IVR knows them: the rate-limit key (a hash, never the number itself) and the
/// number for the call log when it is a valid Vietnamese phone number.
struct Caller {
    key: ClientKey,
    /// The caller id as received (digits and a leading `+`), to carry in the next URLs.
    raw: Option<String>,
    phone: Option<PhoneNumber>,
}

fn identify(req: &HttpRequest, state: &AppState, raw: Option<&str>) -> Result<Caller, AppError> {
    let address = crate::http::client_key(req, &state.settings.http.trusted_proxies);
    let from_platform = match &address {
        ClientKey::Ip(ip) => state.settings.hotline.platform_addresses.contains(ip),
        ClientKey::Named(_) | ClientKey::Kiosk(_) => false,
    };
    let raw = raw.map(str::trim).filter(|r| !r.is_empty());
    if raw.is_some_and(|r| r.chars().count() > MAX_CALLER_CHARS) {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "Số gọi đến do tổng đài gửi không hợp lệ.",
        ));
    }
    // `tel:+84912345678`, `sip:0912345678@gw`, `0912 345 678`: keep the number part.
    let cleaned: Option<String> = raw.map(|raw| {
        raw.trim_start_matches("tel:")
            .trim_start_matches("sip:")
            .split('@')
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    });
    // No caller id, or one without a digit: withheld. Platforms say so in their own words
    // (`anonymous`, `unknown`, `Restricted`, `sip:anonymous@anonymous.invalid`, `Private`); the
    // caller is welcomed all the same and counted under the platform's address.
    let Some(cleaned) = cleaned.filter(|c| c.chars().any(|d| d.is_ascii_digit())) else {
        return Ok(Caller {
            key: address,
            raw: None,
            phone: None,
        });
    };
    if cleaned.len() > 20 {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "Số gọi đến do tổng đài gửi không hợp lệ.",
        )
        .field("caller"));
    }
    if !from_platform {
        // Anyone can write any `caller=`: only the platform's ids are believed. Elsewhere the
        // id is carried in the URLs as given, but limits count the address and the call log
        // keeps no number.
        return Ok(Caller {
            key: address,
            raw: Some(cleaned),
            phone: None,
        });
    }
    let digest = Sha256::digest(cleaned.as_bytes());
    Ok(Caller {
        key: ClientKey::Named(format!("ivr:{}", hex::encode(&digest[..12])).into()),
        phone: PhoneNumber::parse(&cleaned).ok(),
        raw: Some(cleaned),
    })
}

fn parse_attempt(raw: Option<&str>, max: u32) -> Result<u32, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(1),
        Some(r) => r
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                AppError::with_message(
                    Code::InvalidInput,
                    "Số lần thử trong địa chỉ của bước không hợp lệ.",
                )
                .field("attempt")
            }),
    }
}

/// `GET|POST /ivr/{vxml|api}/{menu|lookup|status|transfer|info}`.
async fn handle_ivr_step(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (format_raw, step_raw) = path.into_inner();
    let Some(format) = Format::parse(&format_raw) else {
        return crate::http::not_found(req, state).await;
    };
    let input = match read_input(&req, query.into_inner(), payload).await {
        Ok(input) => input,
        Err(error) => return render_error(&state, format, None, &error),
    };
    let caller = match identify(&req, &state, input.caller.as_deref()) {
        Ok(caller) => caller,
        Err(error) => return render_error(&state, format, None, &error),
    };
    let hotline = &state.hotline;
    if let Err(error) = hotline.admit_ivr(&caller.key) {
        return render(
            &state,
            format,
            caller.raw.as_deref(),
            &Step::Goodbye {
                text: Code::RateLimited.ivr_prompt().to_owned(),
            },
            error.code.status(),
        );
    }
    let step = next_step(&state, &caller, &step_raw, &input).await;
    match step {
        Ok(step) => {
            record_ivr_call(&state, &caller, &step).await;
            let status = match &step {
                Step::Goodbye { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::OK,
            };
            render(&state, format, caller.raw.as_deref(), &step, status)
        }
        Err(error) => render_error(&state, format, caller.raw.as_deref(), &error),
    }
}

/// What the platform sent: the query string and, for a `POST`, the form body after it (a later
/// field wins). Fields of the platform's own are ignored, and a body that is not a form adds
/// nothing.
async fn read_input(
    req: &HttpRequest,
    query: Vec<(String, String)>,
    payload: web::Payload,
) -> Result<IvrQuery, AppError> {
    let mut fields = query;
    if req.method() == actix_web::http::Method::POST {
        let body = read_body(payload, 4096).await?;
        if let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
            fields.extend(form);
        }
    }
    let mut input = IvrQuery::default();
    for (k, v) in fields {
        match k.as_str() {
            "caller" => input.caller = Some(v),
            "attempt" => input.attempt = Some(v),
            "digits" => input.digits = Some(v),
            _ => {}
        }
    }
    Ok(input)
}

/// The step the platform asked for by name, or why it cannot be given.
async fn next_step(
    state: &AppState,
    caller: &Caller,
    step_raw: &str,
    input: &IvrQuery,
) -> Result<Step, AppError> {
    let max = state.settings.hotline.max_digit_attempts;
    let Some(step) = StepName::parse(step_raw) else {
        return Err(AppError::new(Code::RouteNotFound));
    };
    match step {
        StepName::Menu => Ok(Step::Menu {
            notice: Some(WELCOME.to_owned()),
        }),
        StepName::Lookup => {
            parse_attempt(input.attempt.as_deref(), max).map(|attempt| Step::AskNumber {
                attempt,
                notice: None,
            })
        }
        StepName::Status => match parse_attempt(input.attempt.as_deref(), max) {
            Ok(attempt) => Ok(status_step(state, caller, input.digits.as_deref(), attempt).await),
            Err(e) => Err(e),
        },
        StepName::Transfer => Ok(Step::Transfer {
            notice: String::new(),
        }),
        StepName::Info => Ok(Step::Info {
            text: format!(
                "{} Địa chỉ: {}",
                speech::office_hours_words(&crate::domain::WorkingHours::default()),
                state.settings.hotline.office_addresses
            ),
        }),
    }
}

async fn status_step(
    state: &AppState,
    caller: &Caller,
    digits: Option<&str>,
    attempt: u32,
) -> Step {
    let max = state.settings.hotline.max_digit_attempts;
    let raw = digits.unwrap_or("");
    if raw.chars().count() > 64 {
        return after_failure(Code::InvalidLookupNumber, attempt, max);
    }
    let number = match check_number(raw) {
        Ok(number) => number,
        Err(code) => return after_failure(code, attempt, max),
    };
    match state.lookup.by_number(&caller.key, number, None).await {
        Ok(lookup) => match lookup.dossier.public_facts() {
            Ok(facts) => Step::Result {
                text: speech::status_report(&facts),
                status: facts.status,
                standing: facts.standing,
            },
            Err(error) => {
                AppError::internal(error.context("reading a public view for the IVR")).log();
                Step::Transfer {
                    notice: Code::Internal.ivr_prompt().to_owned(),
                }
            }
        },
        Err(LookupError::NotFound) => after_failure(Code::DossierNotFound, attempt, max),
        Err(LookupError::RateLimited(_)) => Step::Goodbye {
            text: Code::RateLimited.ivr_prompt().to_owned(),
        },
        Err(error) => {
            AppError::from(error).log();
            Step::Transfer {
                notice: Code::UpstreamUnavailable.ivr_prompt().to_owned(),
            }
        }
    }
}

/// Calls the IVR finished by itself, or handed to an operator, go into the call log (for the
/// outcome counts); the call log never stops the call.
async fn record_ivr_call(state: &AppState, caller: &Caller, step: &Step) {
    let outcome = match step {
        Step::Result { .. } => "answered_by_ivr",
        Step::Transfer { .. } => "transferred",
        _ => return,
    };
    call_log::record_ivr_call(&state.pool, caller.phone.as_ref(), outcome).await;
}

fn url(format: Format, step: &str, caller: Option<&str>, attempt: Option<u32>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(attempt) = attempt {
        pairs.push(("attempt", attempt.to_string()));
    }
    if let Some(caller) = caller {
        pairs.push(("caller", caller.to_owned()));
    }
    let base = format!("/ivr/{}/{step}", format.segment());
    if pairs.is_empty() {
        base
    } else {
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// A prompt with its audio URL when audio is served.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrPrompt,
    description = "Một câu nói với người gọi. / A sentence said to the caller."
)]
pub struct Prompt {
    /// Câu nói, tiếng Việt có dấu. / What is said, in Vietnamese with its diacritics.
    text: String,
    /// Đường dẫn tệp âm thanh WAV 8 kHz của câu nói, khi máy chủ tổng hợp âm thanh
    /// (`TRACUU_HOTLINE__AUDIO_ENABLED`); không thì `null`. / The URL of the prompt as 8 kHz WAV
    /// audio when the server synthesizes audio (`TRACUU_HOTLINE__AUDIO_ENABLED`); otherwise
    /// `null`.
    #[schema(required = true, example = "/ivr/audio/3f2a9c.wav")]
    audio: Option<String>,
}

fn prompt(hotline: &HotlineState, text: String) -> Prompt {
    let audio = hotline
        .audio
        .as_ref()
        .map(|store| format!("/ivr/audio/{}.wav", store.register(&text)));
    Prompt { text, audio }
}

/// A key the caller may press, and the step it leads to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrChoice,
    description = "Một phím người gọi có thể bấm và bước tiếp theo. / A key the caller may press \
and the step it leads to."
)]
pub struct Choice {
    /// Phím. / The key.
    #[schema(schema_with = choice_digit)]
    digit: &'static str,
    /// Việc phím đó làm. / What the key does.
    #[schema(schema_with = choice_action)]
    action: &'static str,
    /// Đường dẫn của bước tiếp theo (mang theo số gọi đến). / The URL of the next step (carrying
    /// the caller id).
    #[schema(example = "/ivr/api/lookup?attempt=1&caller=%2B84912345678")]
    next: String,
}

/// A string schema with a closed set of values.
fn string_enum(values: &[&str], description: &str) -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .description(Some(description))
        .build()
}

fn choice_digit() -> utoipa::openapi::Object {
    string_enum(&["0", "1", "2", "3"], "Phím. / The key.")
}

fn choice_action() -> utoipa::openapi::Object {
    string_enum(
        &["lookup", "transfer", "info", "menu"],
        "Việc phím đó làm. / What the key does.",
    )
}

fn timeliness_key() -> utoipa::openapi::Object {
    string_enum(
        &[
            "not_applicable",
            "in_progress_on_time",
            "in_progress_overdue",
            "waiting_for_citizen",
            "early",
            "on_time",
            "late",
            "ended",
        ],
        "Khoá ổn định của tiến độ. / The timeliness' stable key.",
    )
}

/// What the keypad takes when asked for the number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrKeypadInput,
    description = "Bàn phím nhận gì khi hỏi số tra cứu. / What the keypad takes when asked for the \
lookup number."
)]
pub struct KeypadInput {
    /// Số chữ số tối thiểu (10). / The fewest digits (10).
    min_digits: u32,
    /// Số phím tối đa (20). / The most keys (20).
    max_keys: u32,
    /// Phím kết thúc (`#`). / The key that ends the input (`#`).
    #[schema(example = "#")]
    terminator: &'static str,
}

/// A dossier's status as the IVR says it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrStatus,
    description = "Trạng thái của hồ sơ. / The dossier's status."
)]
pub struct SpokenStatus {
    /// Mã trạng thái quốc gia 1–10. / The national status code 1–10.
    #[schema(minimum = 1, maximum = 10, example = 5)]
    code: i16,
    /// Tên trạng thái. / The status' name.
    #[schema(example = "Yêu cầu bổ sung giấy tờ")]
    label: &'static str,
}

/// A dossier's timeliness as the IVR says it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrTimeliness,
    description = "Tiến độ của hồ sơ. / The dossier's timeliness."
)]
pub struct SpokenTimeliness {
    /// Khoá ổn định của tiến độ. / The timeliness' stable key.
    #[schema(schema_with = timeliness_key)]
    key: &'static str,
    /// Nhãn tiến độ; `null` khi không có gì để nói (bị từ chối, rút, dừng). / The label; `null`
    /// when there is nothing to say (refused, withdrawn, stopped).
    #[schema(value_type = Option<String>, required = true)]
    label: Option<std::borrow::Cow<'static, str>>,
}

/// The main menu.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrMenu,
    description = "Trình đơn chính (cũng là câu trả lời khi yêu cầu có lỗi: `notice` nói lỗi gì). / \
The main menu (also the answer to a request in error: `notice` says what was wrong)."
)]
pub struct MenuAnswer {
    /// Câu nói trước trình đơn (lời chào, hoặc lỗi vừa gặp), hoặc `null`. / What is said before
    /// the menu (the welcome, or the error met), or `null`.
    #[schema(required = true)]
    notice: Option<Prompt>,
    /// Trình đơn. / The menu.
    prompt: Prompt,
    /// 1 tra cứu, 2 điện thoại viên, 3 giờ làm việc và địa chỉ. / 1 lookup, 2 an operator, 3
    /// working hours and addresses.
    choices: Vec<Choice>,
}

/// The request for the lookup number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrAskNumber,
    description = "Hỏi số tra cứu. / Asks for the lookup number."
)]
pub struct AskNumberAnswer {
    /// Vì sao hỏi lại (số sai, không có hồ sơ), hoặc `null`. / Why it asks again (a wrong number,
    /// no such dossier), or `null`.
    #[schema(required = true)]
    notice: Option<Prompt>,
    /// Lời hỏi số. / The request for the number.
    prompt: Prompt,
    /// Lần thử này (từ 1). / This try (from 1).
    #[schema(minimum = 1)]
    attempt: u32,
    /// Số lần thử tối đa (`TRACUU_HOTLINE__MAX_DIGIT_ATTEMPTS`). / The most tries
    /// (`TRACUU_HOTLINE__MAX_DIGIT_ATTEMPTS`).
    #[schema(minimum = 1)]
    max_attempts: u32,
    /// Đường dẫn gửi các phím đã bấm (thêm `digits=`). / Where to send the keys pressed (add
    /// `digits=`).
    #[schema(example = "/ivr/api/status?attempt=1")]
    submit: String,
    /// Đường dẫn chuyển cho điện thoại viên. / Where to go for an operator.
    transfer: String,
    /// Bàn phím nhận gì. / What the keypad takes.
    input: KeypadInput,
}

/// A dossier's status, and what next.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrResult,
    description = "Tình trạng hồ sơ (chỉ thông tin công khai), rồi các lựa chọn. / A dossier's status \
(public facts only), then the choices."
)]
pub struct ResultAnswer {
    /// Tình trạng hồ sơ bằng lời. / The dossier's status in words.
    result: Prompt,
    /// Trạng thái. / The status.
    status: SpokenStatus,
    /// Tiến độ. / The timeliness.
    timeliness: SpokenTimeliness,
    /// Các lựa chọn. / The choices.
    prompt: Prompt,
    /// 1 hồ sơ khác, 2 điện thoại viên, 0 về đầu. / 1 another dossier, 2 an operator, 0 the menu.
    choices: Vec<Choice>,
}

/// Working hours and addresses, then the menu again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrInfo,
    description = "Giờ làm việc và địa chỉ, rồi lại trình đơn. / Working hours and addresses, then \
the menu again."
)]
pub struct InfoAnswer {
    /// Giờ làm việc và địa chỉ. / Working hours and addresses.
    info: Prompt,
    /// Trình đơn. / The menu.
    prompt: Prompt,
    /// Như trình đơn chính. / As in the main menu.
    choices: Vec<Choice>,
}

/// The hand-over to an operator.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrTransfer,
    description = "Chuyển cuộc gọi cho điện thoại viên. / Hands the call to an operator."
)]
pub struct TransferAnswer {
    /// Vì sao chuyển (hết số lần thử, sự cố), hoặc `null`. / Why (tries used up, a fault), or
    /// `null`.
    #[schema(required = true)]
    notice: Option<Prompt>,
    /// Lời mời chờ. / The request to hold.
    prompt: Prompt,
    /// Câu nói khi không chuyển được. / What to say when the transfer fails.
    failed: Prompt,
    /// Nơi chuyển đến (URI `tel:` hoặc `sip:`). / Where to transfer (a `tel:` or `sip:` URI).
    #[schema(example = "tel:+842551022")]
    transfer_to: String,
}

/// The last words of a call.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IvrGoodbye,
    description = "Lời cuối rồi kết thúc cuộc gọi (khi bị giới hạn tần suất). / The last words, then \
the call ends (when rate limited)."
)]
pub struct GoodbyeAnswer {
    /// Lời cuối. / The last words.
    prompt: Prompt,
}

/// One step of the flow as the JSON API answers it: `step` names it, the rest is the step's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
#[schema(
    description = "Một bước của IVR; `step` cho biết bước nào. / One step of the IVR; `step` names \
it."
)]
pub enum IvrAnswer {
    Menu(MenuAnswer),
    AskNumber(AskNumberAnswer),
    Result(ResultAnswer),
    Info(InfoAnswer),
    Transfer(TransferAnswer),
    Goodbye(GoodbyeAnswer),
}

/// A step of the flow the platform asks for (the last segment of `/ivr/api/{step}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(
    as = IvrStepName,
    description = "Bước được hỏi: `menu` trình đơn, `lookup` hỏi số tra cứu, `status` tình trạng hồ \
sơ theo `digits`, `transfer` điện thoại viên, `info` giờ làm việc và địa chỉ. / The step asked \
for: `menu`, `lookup` (asks for the number), `status` (the dossier of `digits`), `transfer` (an \
operator), `info` (working hours and addresses)."
)]
pub enum StepName {
    Menu,
    Lookup,
    Status,
    Transfer,
    Info,
}

impl StepName {
    /// The step named by a URL's last segment.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "menu" => Some(StepName::Menu),
            "lookup" => Some(StepName::Lookup),
            "status" => Some(StepName::Status),
            "transfer" => Some(StepName::Transfer),
            "info" => Some(StepName::Info),
            _ => None,
        }
    }
}

/// An answer of `/ivr/api/{step}` with a status other than 2xx: the IVR's own (a prompt, as
/// always), or, for a request the IVR never saw (a declared body too large, refused before it is
/// sent), the API's error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(
    as = IvrAnswerOrError,
    description = "Câu trả lời của IVR, hoặc lỗi của API khi yêu cầu bị từ chối trước khi đến IVR. / \
The IVR's answer, or the API's error when the request was refused before it reached the IVR."
)]
pub enum IvrAnswerOrError<'a> {
    /// Câu trả lời của IVR. / The IVR's answer.
    Answer(IvrAnswer),
    /// Lỗi của API. / The API's error.
    Error(crate::error::ErrorBody<'a>),
}

/// What a VoiceXML document adds to a step: what to say when no key, or a wrong key, is
/// pressed (a JSON platform handles those itself).
struct Reprompts {
    no_input: Option<Prompt>,
    no_match: Option<Prompt>,
}

fn render_error(
    state: &AppState,
    format: Format,
    caller: Option<&str>,
    error: &AppError,
) -> HttpResponse {
    error.log();
    let step = Step::Menu {
        notice: Some(format!(
            "{} Xin mời quay lại từ đầu.",
            error.code.ivr_prompt()
        )),
    };
    render(state, format, caller, &step, error.code.status())
}

/// The template and the data of a step's document: its prompts (with their audio URLs when audio
/// is served) and the URLs of the next steps, which carry the caller id. Both formats share it.
fn document(
    state: &AppState,
    format: Format,
    caller: Option<&str>,
    step: &Step,
) -> (&'static str, IvrAnswer, Reprompts) {
    let hotline = &state.hotline;
    let menu_choices = || {
        vec![
            Choice {
                digit: "1",
                action: "lookup",
                next: url(format, "lookup", caller, Some(1)),
            },
            Choice {
                digit: "2",
                action: "transfer",
                next: url(format, "transfer", caller, None),
            },
            Choice {
                digit: "3",
                action: "info",
                next: url(format, "info", caller, None),
            },
        ]
    };
    let reprompts = |no_match: bool| Reprompts {
        no_input: Some(prompt(hotline, NO_INPUT.to_owned())),
        no_match: no_match.then(|| prompt(hotline, NO_MATCH.to_owned())),
    };
    let none = || Reprompts {
        no_input: None,
        no_match: None,
    };
    match step {
        Step::Menu { notice } => (
            "ivr/menu",
            IvrAnswer::Menu(MenuAnswer {
                notice: notice.clone().map(|n| prompt(hotline, n)),
                prompt: prompt(hotline, MENU.to_owned()),
                choices: menu_choices(),
            }),
            reprompts(true),
        ),
        Step::AskNumber { attempt, notice } => (
            "ivr/ask",
            IvrAnswer::AskNumber(AskNumberAnswer {
                notice: notice.clone().map(|n| prompt(hotline, n)),
                prompt: prompt(hotline, ASK.to_owned()),
                attempt: *attempt,
                max_attempts: state.settings.hotline.max_digit_attempts,
                submit: url(format, "status", caller, Some(*attempt)),
                transfer: url(format, "transfer", caller, None),
                input: KeypadInput {
                    min_digits: 10,
                    max_keys: 20,
                    terminator: "#",
                },
            }),
            reprompts(false),
        ),
        Step::Result {
            text,
            status,
            standing,
        } => (
            "ivr/result",
            IvrAnswer::Result(ResultAnswer {
                result: prompt(hotline, text.clone()),
                status: SpokenStatus {
                    code: status.code(),
                    label: status.label_vi(),
                },
                timeliness: SpokenTimeliness {
                    key: standing.key(),
                    label: standing.label_vi(),
                },
                prompt: prompt(hotline, AFTER_RESULT.to_owned()),
                choices: vec![
                    Choice {
                        digit: "1",
                        action: "lookup",
                        next: url(format, "lookup", caller, Some(1)),
                    },
                    Choice {
                        digit: "2",
                        action: "transfer",
                        next: url(format, "transfer", caller, None),
                    },
                    Choice {
                        digit: "0",
                        action: "menu",
                        next: url(format, "menu", caller, None),
                    },
                ],
            }),
            reprompts(true),
        ),
        Step::Info { text } => (
            "ivr/info",
            IvrAnswer::Info(InfoAnswer {
                info: prompt(hotline, text.clone()),
                prompt: prompt(hotline, MENU.to_owned()),
                choices: menu_choices(),
            }),
            reprompts(true),
        ),
        Step::Transfer { notice } => (
            "ivr/transfer",
            IvrAnswer::Transfer(TransferAnswer {
                notice: (!notice.is_empty()).then(|| prompt(hotline, notice.clone())),
                prompt: prompt(hotline, TRANSFER.to_owned()),
                failed: prompt(hotline, TRANSFER_FAILED.to_owned()),
                transfer_to: state.settings.hotline.transfer_target.clone(),
            }),
            none(),
        ),
        Step::Goodbye { text } => (
            "ivr/goodbye",
            IvrAnswer::Goodbye(GoodbyeAnswer {
                prompt: prompt(hotline, text.clone()),
            }),
            none(),
        ),
    }
}

/// The data a VoiceXML template renders: the step's answer without its name, with the
/// reprompts.
fn template_data(answer: &IvrAnswer, reprompts: Reprompts) -> Value {
    let mut page = serde_json::to_value(answer).unwrap_or_default();
    if let Some(object) = page.as_object_mut() {
        object.remove("step");
        if let Some(no_input) = reprompts.no_input {
            object.insert("no_input".into(), json!(no_input));
        }
        if let Some(no_match) = reprompts.no_match {
            object.insert("no_match".into(), json!(no_match));
        }
    }
    page
}

/// Renders a step as a VoiceXML document (always `200`: a platform plays what it gets, while an
/// HTTP error would only make it throw `error.badfetch`) or as JSON (with the real status).
fn render(
    state: &AppState,
    format: Format,
    caller: Option<&str>,
    step: &Step,
    status: StatusCode,
) -> HttpResponse {
    let (template, answer, reprompts) = document(state, format, caller, step);
    match format {
        Format::Json => HttpResponse::build(status)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(answer),
        Format::VoiceXml => match state
            .templates
            .render(template, &template_data(&answer, reprompts))
        {
            Ok(xml) => HttpResponse::Ok()
                .insert_header((
                    header::CONTENT_TYPE,
                    "application/voicexml+xml; charset=utf-8",
                ))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(xml),
            Err(error) => {
                AppError::internal(
                    anyhow::Error::new(error).context("rendering a VoiceXML document"),
                )
                .log();
                // Still something playable: the platform's own error handling takes over after.
                HttpResponse::Ok()
                    .insert_header((
                        header::CONTENT_TYPE,
                        "application/voicexml+xml; charset=utf-8",
                    ))
                    .body(FALLBACK_VXML)
            }
        },
    }
}

const FALLBACK_VXML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml" xml:lang="vi-VN">
<form><block><prompt>Hệ thống đang gặp sự cố. Xin vui lòng gọi lại sau.</prompt><disconnect/></block></form>
</vxml>
"#;

/// `GET /ivr/audio/{key}.wav`: a prompt as 8 kHz mono WAV (when `hotline.audio_enabled`).
pub async fn serve_audio(path: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let result: Result<HttpResponse, AppError> = async {
        let store = state
            .hotline
            .audio
            .as_ref()
            .ok_or_else(|| AppError::new(Code::RouteNotFound))?;
        let key = path
            .strip_suffix(".wav")
            .ok_or_else(|| AppError::new(Code::RouteNotFound))?;
        let wav = store
            .wav(key)
            .await
            .map_err(|e| AppError::internal(e.context("synthesizing an IVR prompt")))?
            .ok_or_else(|| AppError::new(Code::RouteNotFound))?;
        Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "audio/wav"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(wav))
    }
    .await;
    result.unwrap_or_else(|error| {
        error.log();
        actix_web::ResponseError::error_response(&error)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_number() -> String {
        LookupNumber::from_sequence(42).to_string()
    }

    #[test]
    fn keypad_noise_is_removed_before_the_check_digit() {
        let n = valid_number();
        let noisy = format!("*{}#{}##", &n[..4], &n[4..]);
        assert_eq!(check_number(&noisy).map(|x| x.to_string()), Ok(n));
    }

    #[test]
    fn a_mistyped_digit_or_a_short_number_is_named() {
        let n = valid_number();
        let mut typo: Vec<char> = n.chars().collect();
        typo[3] = if typo[3] == '9' {
            '0'
        } else {
            char::from(typo[3] as u8 + 1)
        };
        let typo: String = typo.into_iter().collect();
        assert_eq!(check_number(&typo).err(), Some(Code::LookupNumberTypo));
        assert_eq!(check_number("12345").err(), Some(Code::InvalidLookupNumber));
        assert_eq!(check_number("*#").err(), Some(Code::InvalidLookupNumber));
    }

    #[test]
    fn failures_re_prompt_until_the_last_attempt_then_transfer() {
        match after_failure(Code::LookupNumberTypo, 1, 3) {
            Step::AskNumber { attempt, notice } => {
                assert_eq!(attempt, 2);
                assert!(notice.unwrap_or_default().contains("bấm lại"));
            }
            other => panic!("expected a re-prompt, got {other:?}"),
        }
        assert!(matches!(
            after_failure(Code::LookupNumberTypo, 2, 3),
            Step::AskNumber { attempt: 3, .. }
        ));
        match after_failure(Code::DossierNotFound, 3, 3) {
            Step::Transfer { notice } => assert!(notice.contains("ba lần"), "{notice}"),
            other => panic!("expected a transfer, got {other:?}"),
        }
    }

    #[test]
    fn urls_carry_the_caller_and_the_attempt_encoded() {
        assert_eq!(
            url(Format::VoiceXml, "status", Some("+84912345678"), Some(2)),
            "/ivr/vxml/status?attempt=2&caller=%2B84912345678"
        );
        assert_eq!(url(Format::Json, "menu", None, None), "/ivr/api/menu");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_keypad_input_never_panics(raw in any::<String>(), attempt in any::<Option<String>>()) {
            let _ = check_number(&raw);
            let _ = parse_attempt(attempt.as_deref(), 3);
        }

        /// Whatever the platform adds around the keys (`*`, `#`, spaces), a valid number's
        /// digits are that number.
        #[test]
        fn keyed_digits_round_trip_through_keypad_noise(
            seq in any::<u64>(),
            noise in prop::collection::vec("[*# ]{0,2}", 11),
        ) {
            let number = LookupNumber::from_sequence(seq);
            let keyed: String = number
                .to_string()
                .chars()
                .zip(&noise)
                .map(|(digit, noise)| format!("{noise}{digit}"))
                .chain(noise.last().cloned())
                .collect();
            prop_assert_eq!(clean_digits(&keyed), number.to_string());
            prop_assert_eq!(check_number(&keyed), Ok(number));
        }

        /// Keys that are not ten digits with a matching check digit are never a number.
        #[test]
        fn only_ten_checked_digits_are_a_number(raw in "[0-9*# ]{0,30}") {
            let digits = clean_digits(&raw);
            match check_number(&raw) {
                Ok(number) => {
                    prop_assert_eq!(number.to_string(), digits.clone());
                    prop_assert_eq!(crate::domain::lookup_number::damm_digit(&digits), 0);
                }
                Err(code) if digits.len() == 10 => prop_assert_eq!(code, Code::LookupNumberTypo),
                Err(code) => prop_assert_eq!(code, Code::InvalidLookupNumber),
            }
        }

        /// The attempt counter the IVR writes into its URLs reads back as itself.
        #[test]
        fn attempts_round_trip(max in 1u32..10, attempt in 1u32..10) {
            let parsed = parse_attempt(Some(&attempt.to_string()), max);
            if attempt <= max {
                prop_assert_eq!(parsed.ok(), Some(attempt));
            } else {
                prop_assert!(parsed.is_err());
            }
        }
    }
}
