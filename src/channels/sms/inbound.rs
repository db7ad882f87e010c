//! `GET|POST /sms/v1/kannel/{secret}/inbound`: one message a citizen texted, as Kannel's
//! `sms-service` delivers it (`from=%p&to=%P&text=%a&id=%I&time=%t&coding=%c&charset=%C`, or a
//! `post-url` with the text as the body and `X-Kannel-*` headers). The answer's body is the reply
//! SMS (unaccented GSM-7, `text/plain; charset=UTF-8`); an empty body means "send nothing"
//! (kannel.conf sets `omit-empty`), for duplicates and for senders over their limit who were
//! already told. Domain errors are replies with status 200; only a request that is not from
//! Kannel at all (wrong address or secret) or whose sender is not a phone number is refused. A
//! sender that is not a phone number (docs/decisions/0042-sms-sender-must-be-a-phone-number.md)
//! gets a plain-text 400 and is stored nowhere: no record, no reply, no dedupe or limit entry.

use actix_web::http::header::HeaderMap;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::limits::Admission;
use super::SmsState;
use crate::domain::sms::parse::normalise;
use crate::domain::sms::parse::{parse_normalised_message_from, SMS_TEXT_MAX_CHARS};
use crate::domain::sms::{Command, CommandError, Rating, StatusFacts, Target, Verb};
use crate::domain::text::clean_line;
use crate::domain::{DomainError, DossierCode, PhoneNumber, SmsSender};
use crate::error::{AppError, Code};
use crate::lookup::{Lookup, LookupError};
use crate::notify::inbound::{Answer, Applied, Change, InboundRecord};

/// Longest stored body, in characters.
const BODY_MAX_CHARS: usize = 1_000;
/// Longest raw text accepted, in bytes (a concatenated SMS is far shorter).
const TEXT_MAX_BYTES: usize = 8_192;

/// A message as Kannel handed it over.
struct Incoming {
    /// The sender as passed (`from=%p`), not yet checked.
    sender: Option<String>,
    receiver: String,
    text: Option<String>,
    gateway_id: Option<String>,
    time: Option<DateTime<Utc>>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Decodes the text in the charset Kannel says it has (UTF-8 with `mo-recode`, UCS-2 otherwise
/// for coding 2, Latin-1 for some SMSCs). `None` when the bytes are not valid in that charset.
pub fn decode_text(bytes: &[u8], coding: Option<&str>, charset: Option<&str>) -> Option<String> {
    let charset = charset.map(|c| c.trim().to_ascii_uppercase());
    let utf16 = |b: &[u8]| {
        if !b.len().is_multiple_of(2) {
            return None;
        }
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        String::from_utf16(&units).ok()
    };
    match charset.as_deref() {
        Some("UTF-16BE" | "UTF-16" | "UCS-2" | "UCS2" | "UTF16BE" | "UCS-2BE") => utf16(bytes),
        Some("ISO-8859-1" | "LATIN1" | "ISO8859-1" | "WINDOWS-1252" | "CP1252") => {
            Some(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Some("UTF-8" | "UTF8") => String::from_utf8(bytes.to_vec()).ok(),
        _ if coding.map(str::trim) == Some("2") => String::from_utf8(bytes.to_vec())
            .ok()
            .or_else(|| utf16(bytes)),
        _ => String::from_utf8(bytes.to_vec()).ok(),
    }
}

/// Kannel's `%t` (`YYYY-MM-DD HH:MM:SS`, GMT) or `%T` (unix seconds).
fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(secs) = raw.parse::<i64>() {
        return DateTime::from_timestamp(secs, 0);
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

fn incoming(req: &HttpRequest, body: &[u8]) -> Result<Incoming, AppError> {
    let pairs = super::query_pairs(req.query_string());
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    };
    let text_param = |name: &str, kannel_header: &str| -> Option<String> {
        param(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .or_else(|| header(req.headers(), kannel_header).map(str::to_owned))
            .map(|v| clean_line(&v))
            .filter(|v| !v.is_empty())
    };
    let sender = text_param("from", "x-kannel-from");
    let receiver = text_param("to", "x-kannel-to").unwrap_or_default();
    let gateway_id = text_param("id", "x-kannel-id");
    for (value, name, max) in [
        (Some(&receiver), "to", 32),
        (gateway_id.as_ref(), "id", 100),
    ] {
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err(AppError::with_message(
                Code::InvalidInput,
                format!("Tham số {name} dài quá {max} ký tự."),
            ));
        }
    }
    let coding = text_param("coding", "x-kannel-coding");
    let mut charset = text_param("charset", "x-kannel-charset");
    let raw_text: &[u8] = match param("text") {
        Some(text) => text,
        None => {
            if charset.is_none() {
                charset = header(req.headers(), "content-type")
                    .and_then(|ct| {
                        ct.split(';')
                            .find_map(|p| p.trim().strip_prefix("charset="))
                    })
                    .map(|c| c.trim_matches('"').to_owned());
            }
            body
        }
    };
    if raw_text.len() > TEXT_MAX_BYTES {
        return Err(AppError::new(Code::PayloadTooLarge));
    }
    Ok(Incoming {
        text: decode_text(raw_text, coding.as_deref(), charset.as_deref()),
        time: text_param("time", "x-kannel-time").and_then(|t| parse_time(&t)),
        sender,
        receiver,
        gateway_id,
    })
}

/// The reply for an error code: the template its row of the error table names (the outcome
/// recorded is that template's name).
fn for_code(
    state: &SmsState,
    verb: &'static str,
    code: Code,
    context: serde_json::Value,
) -> Answer {
    templated(state, verb, code.row().sms.unwrap_or("internal"), context)
}

/// An answer whose reply is rendered from the template its outcome names.
fn templated(
    state: &SmsState,
    verb: &'static str,
    template: &'static str,
    context: serde_json::Value,
) -> Answer {
    Answer::new(verb, template, render(state, template, context))
}

/// Kannel's inbound call.
pub async fn receive_sms(
    req: HttpRequest,
    secret: web::Path<String>,
    body: web::Bytes,
    state: web::Data<SmsState>,
) -> Result<HttpResponse, AppError> {
    state.authorise(&req, &secret)?;
    let message = incoming(&req, &body)?;
    // Before anything is counted, remembered or stored: only a phone number is a sender.
    let checked = match SmsSender::parse(message.sender.as_deref().unwrap_or_default()) {
        Ok(checked) => checked,
        Err(error) => return Ok(refuse_sender(&state, &error)),
    };
    let phone = checked.vietnamese().cloned();
    let sender = checked.e164().to_owned();
    let masked = checked.masked();
    let text = message.text.clone();
    let clipped: Option<String> = text
        .as_deref()
        .map(|t| t.chars().take(SMS_TEXT_MAX_CHARS).collect());
    let normalised = normalise(clipped.as_deref().unwrap_or("\u{FFFD}"));
    let key = state.client_key(&sender);

    let mut record = InboundRecord {
        gateway_id: message.gateway_id.clone(),
        sender,
        receiver: message.receiver.clone(),
        body: text
            .as_deref()
            .map(|t| clean_line(t).chars().take(BODY_MAX_CHARS).collect())
            .unwrap_or_else(|| "(unreadable)".to_owned()),
        body_hash: Sha256::digest(normalised.as_bytes()).to_vec(),
        command: "none",
        outcome: "none",
        reply: None,
        gateway_time: message.time,
    };

    // The same Kannel id within an hour, or the same sender and text within a minute: a repeat,
    // answered once (before any limit counts).
    let repeated_id = record
        .gateway_id
        .as_deref()
        .is_some_and(|id| state.ids.repeated(id));
    if repeated_id || state.recent.repeated((&record.sender, &record.body_hash)) {
        log(
            &state,
            &masked,
            &Answer {
                verb: "none",
                outcome: "duplicate",
                reply: None,
            },
        );
        return Ok(reply_with(None));
    }
    let answer = match (state.limits.admit(&key), &text) {
        (Admission::Silence, _) => Answer {
            verb: "none",
            outcome: "silenced",
            reply: None,
        },
        (Admission::Notify, _) => for_code(&state, "none", Code::RateLimited, json!({})),
        (Admission::Admit, None) => templated(&state, "none", "unreadable", json!({})),
        (Admission::Admit, Some(_)) => {
            let own = phone.as_ref().map(PhoneNumber::national);
            let message =
                parse_normalised_message_from(&normalised, &state.keywords, own.as_deref());
            let note = (message.codes > 1).then(|| several_codes(message.codes));
            let command = message.command;
            if is_mutation(&command) {
                let answer = mutate(&state, &key, phone.as_ref(), command, note, &mut record).await;
                log(&state, &masked, &answer);
                return Ok(reply_with(answer.reply));
            }
            answer_read(&state, &key, command, note.as_deref()).await
        }
    };
    answer.stamp(&mut record);
    // Answering beats recording: the record is written after the reply, in a batch.
    state.recorder.record(record);
    log(&state, &masked, &answer);
    Ok(reply_with(answer.reply))
}

fn log(state: &SmsState, masked: &str, answer: &Answer) {
    let outcome = answer.outcome;
    state
        .metrics
        .sms_inbound
        .with_label_values(&[outcome])
        .inc();
    tracing::debug!(
        sms.sender = masked,
        sms.command = answer.verb,
        sms.outcome = outcome,
        "sms from {masked}: {} -> {outcome}",
        answer.verb
    );
}

/// The refusal of a sender that is not a phone number, in Kannel's form: plain text, status 400
/// (Kannel logs it; there is no reply SMS in it). The sender is neither echoed nor logged.
fn refuse_sender(state: &SmsState, error: &DomainError) -> HttpResponse {
    let code = Code::InvalidSender;
    let message = match error {
        DomainError::Empty => "Thiếu người gửi (tham số from=%p).",
        _ => code.message_vi(),
    };
    state
        .metrics
        .sms_inbound
        .with_label_values(&[code.name()])
        .inc();
    tracing::debug!(
        sms.outcome = code.name(),
        "sms refused: the sender is not a phone number"
    );
    HttpResponse::BadRequest()
        .content_type("text/plain; charset=UTF-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(format!("{}: {message}", code.name()))
}

fn reply_with(reply: Option<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=UTF-8")
        .body(reply.unwrap_or_default())
}

fn render(state: &SmsState, template: &str, extra: serde_json::Value) -> String {
    state
        .renderer
        .render(template, extra)
        .unwrap_or_else(|error| {
            tracing::error!("sms template {template} failed: {error:#}");
            String::new()
        })
}

fn is_mutation(command: &Command) -> bool {
    matches!(
        command,
        Command::Subscribe(_) | Command::Unsubscribe(_) | Command::Rate(..) | Command::OptOut
    )
}

/// The reason part of a domain error, for the `invalid_code` reply.
fn reason_of(error: &DomainError) -> String {
    match error {
        DomainError::InvalidDossierCode { reason }
        | DomainError::InvalidLookupNumber { reason } => (*reason).to_owned(),
        DomainError::TooLong { .. } => "ma qua dai".to_owned(),
        DomainError::Empty => "ma trong".to_owned(),
        other => other.message(),
    }
}

fn invalid_answer(state: &SmsState, error: &CommandError) -> Answer {
    let verb = error.verb();
    let keyword = state.keywords.primary(verb);
    match error {
        CommandError::MissingCode(_) => templated(
            state,
            verb.key(),
            "missing_code",
            json!({"keyword": keyword}),
        ),
        CommandError::InvalidCode(_, e) => {
            let template = Code::InvalidDossierCode.row().sms.unwrap_or("internal");
            let reply = state
                .renderer
                .render_fitting(
                    template,
                    json!({"keyword": keyword}),
                    "reason",
                    &reason_of(e),
                )
                .unwrap_or_default();
            Answer::new(verb.key(), template, reply)
        }
        CommandError::NumberTypo(_) => {
            for_code(state, verb.key(), Code::LookupNumberTypo, json!({}))
        }
        CommandError::InvalidRating => for_code(state, verb.key(), Code::InvalidRating, json!({})),
    }
}

fn target_text(target: &Target) -> String {
    match target {
        Target::Code(code) => code.as_str().to_owned(),
        Target::Number(number) => number.grouped(),
    }
}

async fn find(
    state: &SmsState,
    key: &crate::lookup::guard::ClientKey,
    target: &Target,
) -> Result<Lookup, LookupError> {
    match target {
        Target::Code(code) => state.lookup.by_code(key, code, None).await,
        Target::Number(number) => state.lookup.by_number(key, *number, None).await,
    }
}

/// The reply to a failed lookup.
fn lookup_failure(state: &SmsState, verb: Verb, target: &Target, error: LookupError) -> Answer {
    if let LookupError::Internal(cause) = &error {
        tracing::error!("sms lookup failed: {}", crate::error::redacted_chain(cause));
    }
    let code = AppError::from(error).code;
    let context = match code {
        Code::DossierNotFound => json!({"code": target_text(target)}),
        _ => json!({}),
    };
    for_code(state, verb.key(), code, context)
}

/// The remark put before a reply when the message named several codes (the reply is about the
/// first).
fn several_codes(count: usize) -> String {
    format!("Tin co {count} ma, tra loi ma dau:")
}

/// `answer` with `note` before its reply (the whole kept within two segments).
fn noted(state: &SmsState, note: Option<&str>, mut answer: Answer) -> Answer {
    if let (Some(note), Some(reply)) = (note, answer.reply.as_deref()) {
        let text = format!("{note} {reply}");
        answer.reply = Some(state.renderer.render_text(&text).unwrap_or(text));
    }
    answer
}

/// Commands that change nothing: lookups, tracking codes, help, malformed input.
async fn answer_read(
    state: &SmsState,
    key: &crate::lookup::guard::ClientKey,
    command: Command,
    note: Option<&str>,
) -> Answer {
    match command {
        Command::Lookup(target) => match find(state, key, &target).await {
            Ok(found) => match status_reply(state, &found, note) {
                Ok(reply) => Answer::new("lookup", "status", reply),
                Err(error) => {
                    tracing::error!("sms status reply failed: {error:#}");
                    for_code(state, "lookup", Code::Internal, json!({}))
                }
            },
            Err(error) => noted(
                state,
                note,
                lookup_failure(state, Verb::Lookup, &target, error),
            ),
        },
        Command::Track(code) => {
            let url = format!("{}/theo-doi?ma={code}", state.public_base_url);
            match state.renderer.tracking(&code, &url) {
                Ok(reply) => noted(state, note, Answer::new("track", "tracking", reply)),
                Err(error) => {
                    tracing::error!("sms tracking reply failed: {error:#}");
                    for_code(state, "track", Code::Internal, json!({}))
                }
            }
        }
        Command::Invalid(error) => noted(state, note, invalid_answer(state, &error)),
        _ => help(state),
    }
}

/// The status reply, rendered once per dossier version and standing (kept with the cached
/// dossier, so a popular dossier is not re-rendered for every text). After a note (several
/// codes in the message) it is rendered afresh, shorter.
fn status_reply(state: &SmsState, found: &Lookup, note: Option<&str>) -> anyhow::Result<String> {
    let standing = found.dossier.standing_now();
    let render = || -> anyhow::Result<String> {
        let facts = found.dossier.public_facts()?;
        let facts = StatusFacts {
            code: &found.dossier.code,
            procedure: &facts.procedure_name,
            status: facts.status,
            due: facts.due_at,
            standing,
            citizen_due: facts.citizen_due_at,
            now: facts.closed_agency_now(),
        };
        match note {
            Some(note) => state.renderer.status_reply_noted(note, &facts),
            None => state.renderer.status_reply(&facts),
        }
    };
    if note.is_some() {
        return render();
    }
    let reply = found.dossier.memoised(standing, render)?;
    Ok(reply.to_string())
}

/// Subscriptions, opt-outs and ratings: the change and the record of the message commit in one
/// transaction (a repeated delivery was already recognised in memory; the changes are idempotent
/// should one reach another instance). Returns the answer.
async fn mutate(
    state: &SmsState,
    key: &crate::lookup::guard::ClientKey,
    phone: Option<&PhoneNumber>,
    command: Command,
    note: Option<String>,
    record: &mut InboundRecord,
) -> Answer {
    let note = note.as_deref();
    let verb = command.verb();
    // Who may do what: subscriptions and opt-outs need a mobile number to send to.
    let mobile = phone.filter(|p| p.is_mobile());
    let needs_mobile = !matches!(command, Command::Rate(..));
    let answer = if needs_mobile && mobile.is_none() {
        Some(templated(state, verb.key(), "not_mobile", json!({})))
    } else {
        None
    };
    // The dossier named, resolved to its canonical code.
    let target = match &command {
        Command::Subscribe(t) | Command::Unsubscribe(Some(t)) | Command::Rate(t, _) => Some(t),
        _ => None,
    };
    let mut code: Option<DossierCode> = None;
    let mut status_allows = false;
    let answer = match (answer, target) {
        (Some(answer), _) => Some(answer),
        (None, Some(target)) => match find(state, key, target).await {
            Ok(found) => {
                code = DossierCode::parse(&found.dossier.code).ok();
                status_allows = found
                    .dossier
                    .public_facts()
                    .is_ok_and(|facts| Rating::allowed_for(facts.status));
                None
            }
            Err(error) => Some(lookup_failure(state, verb, target, error)),
        },
        (None, None) => None,
    };
    // Nothing to change when the answer is already known (or the command needs a dossier that
    // did not resolve: help).
    let change = match (&answer, &command, mobile, code.as_ref()) {
        (Some(_), ..) => None,
        (None, Command::Subscribe(_), Some(phone), Some(code)) => {
            Some(Change::Subscribe { phone, code })
        }
        (None, Command::Unsubscribe(Some(_)), Some(phone), Some(code)) => {
            Some(Change::Unsubscribe { phone, code })
        }
        (None, Command::Unsubscribe(None) | Command::OptOut, Some(phone), _) => {
            Some(Change::OptOut { phone })
        }
        (None, Command::Rate(_, rating), _, Some(code)) => Some(Change::Rate {
            code,
            rating: *rating,
            status_allows,
        }),
        _ => None,
    };
    let result = state
        .notify
        .apply_and_record(change, record, |applied| {
            let answer = match applied {
                Some(applied) => changed(state, &command, code.as_ref(), applied)?,
                None => answer.unwrap_or_else(|| help(state)),
            };
            Ok(noted(state, note, answer))
        })
        .await;
    match result {
        Ok(done) => done,
        Err(error) => {
            tracing::warn!(
                "sms {} not applied: {}",
                verb.key(),
                crate::error::redacted_chain(&error)
            );
            for_code(state, verb.key(), Code::UpstreamUnavailable, json!({}))
        }
    }
}

fn help(state: &SmsState) -> Answer {
    templated(state, "help", "help", json!({}))
}

/// The reply to a change that was made.
fn changed(
    state: &SmsState,
    command: &Command,
    code: Option<&DossierCode>,
    applied: Applied,
) -> anyhow::Result<Answer> {
    let code = code.map(DossierCode::as_str).unwrap_or_default();
    let context = json!({ "code": code });
    Ok(match applied {
        Applied::SubscriptionLimit => templated(
            state,
            "subscribe",
            "subscription_limit",
            json!({"max": state.settings.max_subscriptions}),
        ),
        Applied::Subscribed => templated(state, "subscribe", "subscribed", context),
        Applied::Unsubscribed => templated(state, "unsubscribe", "unsubscribed", context),
        Applied::OptedOut if matches!(command, Command::OptOut) => {
            templated(state, "opt_out", "opted_out", json!({}))
        }
        Applied::OptedOut => templated(state, "unsubscribe", "unsubscribed_all", json!({})),
        Applied::Rated(rating) => Answer::new("rate", "rated", state.renderer.rated(code, rating)?),
        Applied::RatingNotYours => templated(state, "rate", "rating_not_yours", context),
        Applied::RatingTooEarly => templated(state, "rate", "rating_too_early", context),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_decodes_in_the_charset_kannel_names() {
        let utf16: Vec<u8> = "Hồ sơ".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(
            decode_text(&utf16, Some("2"), Some("UTF-16BE")).as_deref(),
            Some("Hồ sơ")
        );
        assert_eq!(
            decode_text(&utf16, Some("2"), None).as_deref(),
            Some("Hồ sơ")
        );
        assert_eq!(
            decode_text("Hồ".as_bytes(), Some("0"), Some("UTF-8")).as_deref(),
            Some("Hồ")
        );
        assert_eq!(
            decode_text(&[0xE9], None, Some("ISO-8859-1")).as_deref(),
            Some("é")
        );
        assert_eq!(decode_text(&[0xFF, 0xFE, 0xFD], None, Some("UTF-8")), None);
        assert_eq!(decode_text(&[0x00], Some("2"), Some("UCS-2")), None);
    }

    #[test]
    fn kannel_times_parse_in_both_forms() {
        assert_eq!(
            parse_time("2026-11-23 08:00:00").map(|t| t.timestamp()),
            Some(1_795_420_800)
        );
        assert_eq!(
            parse_time("1795420800").map(|t| t.timestamp()),
            Some(1_795_420_800)
        );
        assert_eq!(parse_time("yesterday"), None);
    }
}
