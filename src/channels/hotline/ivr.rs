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
                .route(web::get().to(handle_ivr_step))
                .route(web::post().to(handle_ivr_step))
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
#[derive(Debug, Default, Deserialize)]
pub struct IvrQuery {
    /// The caller id (`session.connection.remote.uri` or the platform's ANI), if any.
    pub caller: Option<String>,
    /// Which try at keying the number this is (1 = first).
    pub attempt: Option<String>,
    /// The keys pressed.
    pub digits: Option<String>,
}

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
pub async fn handle_ivr_step(
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
    match step_raw {
        "menu" => Ok(Step::Menu {
            notice: Some(WELCOME.to_owned()),
        }),
        "lookup" => parse_attempt(input.attempt.as_deref(), max).map(|attempt| Step::AskNumber {
            attempt,
            notice: None,
        }),
        "status" => match parse_attempt(input.attempt.as_deref(), max) {
            Ok(attempt) => Ok(status_step(state, caller, input.digits.as_deref(), attempt).await),
            Err(e) => Err(e),
        },
        "transfer" => Ok(Step::Transfer {
            notice: String::new(),
        }),
        "info" => Ok(Step::Info {
            text: format!(
                "{} Địa chỉ: {}",
                speech::office_hours_words(&crate::domain::WorkingHours::default()),
                state.settings.hotline.office_addresses
            ),
        }),
        _ => Err(AppError::new(Code::RouteNotFound)),
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
#[derive(Debug, Serialize)]
pub struct Prompt {
    text: String,
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
#[derive(Debug, Serialize)]
pub struct Choice {
    digit: &'static str,
    action: &'static str,
    next: String,
}

/// What the keypad takes when asked for the number.
#[derive(Debug, Serialize)]
pub struct KeypadInput {
    min_digits: u32,
    max_keys: u32,
    terminator: &'static str,
}

/// A dossier's status as the IVR says it.
#[derive(Debug, Serialize)]
pub struct SpokenStatus {
    code: i16,
    label: &'static str,
}

/// A dossier's timeliness as the IVR says it.
#[derive(Debug, Serialize)]
pub struct SpokenTimeliness {
    key: &'static str,
    label: Option<std::borrow::Cow<'static, str>>,
}

/// The main menu.
#[derive(Debug, Serialize)]
pub struct MenuAnswer {
    notice: Option<Prompt>,
    prompt: Prompt,
    choices: Vec<Choice>,
}

/// The request for the lookup number.
#[derive(Debug, Serialize)]
pub struct AskNumberAnswer {
    notice: Option<Prompt>,
    prompt: Prompt,
    attempt: u32,
    max_attempts: u32,
    submit: String,
    transfer: String,
    input: KeypadInput,
}

/// A dossier's status, and what next.
#[derive(Debug, Serialize)]
pub struct ResultAnswer {
    result: Prompt,
    status: SpokenStatus,
    timeliness: SpokenTimeliness,
    prompt: Prompt,
    choices: Vec<Choice>,
}

/// Working hours and addresses, then the menu again.
#[derive(Debug, Serialize)]
pub struct InfoAnswer {
    info: Prompt,
    prompt: Prompt,
    choices: Vec<Choice>,
}

/// The hand-over to an operator.
#[derive(Debug, Serialize)]
pub struct TransferAnswer {
    notice: Option<Prompt>,
    prompt: Prompt,
    failed: Prompt,
    transfer_to: String,
}

/// The last words of a call.
#[derive(Debug, Serialize)]
pub struct GoodbyeAnswer {
    prompt: Prompt,
}

/// One step of the flow as the JSON API answers it: `step` names it, the rest is the step's.
#[derive(Debug, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum IvrAnswer {
    Menu(MenuAnswer),
    AskNumber(AskNumberAnswer),
    Result(ResultAnswer),
    Info(InfoAnswer),
    Transfer(TransferAnswer),
    Goodbye(GoodbyeAnswer),
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
