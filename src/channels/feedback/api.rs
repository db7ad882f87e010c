//! The JSON API of questions and feedback (kiosk, app, statistics pages): submit, track,
//! supplement, withdraw, the published answers with search and votes, and the indicators.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{parse_kind, AgencyView, DeadlinesView, PublishedView, TrackView, VotesView};
use crate::domain::intake::{Action, IndicatorCounts, Kind};
use crate::domain::{vn_time, PhoneLast4, PhoneNumber};
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::{client, method_not_allowed, AppState};
use crate::intake::{parse_tracking_code, IndicatorQuery, RawSubmission, Submission};
use crate::staff::tokens::DEVICE_COOKIE;
use crate::staff::{Role, StaffSession};

/// The header staff API calls carry their session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Registers the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/questions")
            .route(web::post().to(create_question))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/feedback")
            .route(web::post().to(create_feedback))
            .default_service(web::to(method_not_allowed)),
    );
    cfg.service(
        web::resource("/api/v1/intake/{code}")
            .route(web::get().to(track_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/intake/{code}/supplement")
            .route(web::post().to(supplement_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/intake/{code}/withdraw")
            .route(web::post().to(withdraw_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/published")
            .route(web::get().to(list_published))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/published/{code}")
            .route(web::get().to(show_published))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/published/{code}/votes")
            .route(web::post().to(vote_published))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/staff/session")
            .route(web::get().to(show_staff_session))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/v1/intake-indicators")
            .route(web::get().to(show_indicators))
            .default_service(web::to(method_not_allowed)),
    );
}

/// `POST /api/v1/questions`.
pub async fn create_question(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    create_item(req, payload, state, Kind::Question).await
}

/// `POST /api/v1/feedback`.
pub async fn create_feedback(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    create_item(req, payload, state, Kind::Feedback).await
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::with_message(
            Code::InvalidInput,
            format!("Dữ liệu JSON không hợp lệ: {e}"),
        )
    })
}

/// The answer to a submission.
#[derive(Debug, Serialize)]
pub struct CreatedView {
    pub tracking_code: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub agency: Option<AgencyView>,
    pub deadlines: DeadlinesView,
    pub track_url: String,
}

/// `POST /api/v1/questions` and `POST /api/v1/feedback`.
pub async fn create_item(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let body = read_body(payload, state.settings.intake.max_request_bytes).await?;
    let mut raw: RawSubmission = parse_json(&body)?;
    if raw.kind.as_deref().is_some_and(|k| k != kind.as_str()) {
        return Err(AppError::with_message(
            Code::InvalidSubmission,
            "Loại (kind): không khớp với địa chỉ gửi.",
        ));
    }
    raw.kind = Some(kind.as_str().to_owned());
    if raw.channel.is_none() {
        raw.channel = Some("app".to_owned());
    }
    let item = if raw.channel.as_deref().map(str::trim) == Some("hotline") {
        // An operator types what a caller says: a staff session with its CSRF token in a header.
        let session =
            crate::staff::authorise(&req, &state.pool, &[Role::Operator, Role::DeskHead]).await?;
        let token = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        session.check_csrf(token)?;
        let submission = Submission::parse_staff_entry(&raw, state.intake.settings())?;
        state
            .intake
            .submit_entered_by(&submission, &session)
            .await?
    } else {
        let submission = Submission::parse(&raw, state.intake.settings())?;
        state.intake_limits.submission(&client(&req, &state))?;
        state.intake.submit(&submission).await?
    };
    let view = CreatedView {
        track_url: format!("/theo-doi?ma={}", item.tracking_code),
        tracking_code: item.tracking_code.clone(),
        kind: kind.as_str(),
        state: item.state.as_str(),
        agency: item
            .agency_code
            .clone()
            .map(|code| AgencyView { code, name: None }),
        deadlines: DeadlinesView {
            classify_due_at: vn_time(item.classify_due_at),
            handle_due_at: vn_time(item.handle_due_at),
            publish_due_at: None,
        },
    };
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// The phone proof of tracking requests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    pub phone4: Option<String>,
}

/// Tracks an item, counting wrong proofs against the client.
pub async fn track(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    phone4: Option<&str>,
) -> Result<TrackView, AppError> {
    let code = parse_tracking_code(code)?;
    let proof = phone4
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PhoneLast4::parse)
        .transpose()?;
    let key = client(req, state);
    if proof.is_some() {
        state.intake_limits.proof_allowed(&key)?;
    }
    match state.intake.track(&code, proof.as_ref()).await {
        Ok((item, proven, overdue)) => Ok(TrackView::new(&item, proven, overdue)),
        Err(error) => {
            if error.code == Code::ProofRejected {
                state.intake_limits.proof_failed(&key);
            }
            Err(error)
        }
    }
}

/// `GET /api/v1/intake/{code}[?phone4=NNNN]`.
pub async fn track_item(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<TrackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let view = track(&req, &state, &path, query.phone4.as_deref()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// A citizen's action on their own item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenActionPayload {
    pub phone4: String,
    #[serde(default)]
    pub text: Option<String>,
}

async fn citizen_action(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
    action: Action,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let body = read_body(payload, state.settings.intake.max_request_bytes).await?;
    let input: CitizenActionPayload = parse_json(&body)?;
    let proof = PhoneLast4::parse(&input.phone4)?;
    let key = client(&req, &state);
    state.intake_limits.proof_allowed(&key)?;
    match state
        .intake
        .citizen_act(&code, &proof, action, input.text)
        .await
    {
        Ok(item) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(TrackView::new(&item, true, false))),
        Err(error) => {
            if error.code == Code::ProofRejected {
                state.intake_limits.proof_failed(&key);
            }
            Err(error)
        }
    }
}

/// `POST /api/v1/intake/{code}/supplement` `{"phone4", "text"}`.
pub async fn supplement_item(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    citizen_action(req, path, payload, state, Action::Supplement).await
}

/// `POST /api/v1/intake/{code}/withdraw` `{"phone4"}`.
pub async fn withdraw_item(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    citizen_action(req, path, payload, state, Action::Withdraw).await
}

/// Filters of the published list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub agency: Option<String>,
    pub page: Option<i64>,
}

/// One page of published items.
#[derive(Debug, Serialize)]
pub struct PublishedPageView {
    pub page: i64,
    pub items: Vec<PublishedView>,
}

/// `GET /api/v1/published[?q=&kind=&agency=&page=]`.
pub async fn list_published(
    query: web::Query<PublishedQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(query.kind.as_deref())?;
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let agency = query
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let items = state
        .intake
        .published(kind, agency, query.q.as_deref().unwrap_or(""), page)
        .await?;
    Ok(HttpResponse::Ok().json(PublishedPageView {
        page,
        items: items.iter().map(PublishedView::new).collect(),
    }))
}

/// `GET /api/v1/published/{code}`.
pub async fn show_published(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let item = state.intake.published_item(&code).await?;
    Ok(HttpResponse::Ok().json(PublishedView::new(&item)))
}

/// A vote. One of `phone` or `device_id` says who votes (or the browser's device cookie).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotePayload {
    pub helpful: bool,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
}

/// Who votes: a phone (normalised) or a device id.
pub fn voter_key(
    req: &HttpRequest,
    phone: Option<&str>,
    device_id: Option<&str>,
) -> Result<String, AppError> {
    if let Some(phone) = phone.map(str::trim).filter(|p| !p.is_empty()) {
        let phone = PhoneNumber::parse(phone).map_err(|e| {
            AppError::with_message(Code::InvalidSubmission, format!("phone: {}", e.message()))
        })?;
        return Ok(format!("phone:{}", phone.e164()));
    }
    let device = device_id
        .map(str::to_owned)
        .or_else(|| req.cookie(DEVICE_COOKIE).map(|c| c.value().to_owned()));
    match device {
        Some(d)
            if (8..=128).contains(&d.len())
                && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(format!("device:{d}"))
        }
        Some(_) => Err(AppError::with_message(
            Code::InvalidSubmission,
            "device_id: 8–128 ký tự chữ, số, gạch ngang hoặc gạch dưới.",
        )),
        None => Err(AppError::with_message(
            Code::InvalidSubmission,
            "Cần số điện thoại (phone) hoặc mã thiết bị (device_id) để mỗi người chỉ đánh giá một lần.",
        )),
    }
}

/// `POST /api/v1/published/{code}/votes` `{"helpful": true, "device_id"|"phone"}`.
pub async fn vote_published(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let code = parse_tracking_code(&path)?;
    let body = read_body(payload, 4096).await?;
    let vote: VotePayload = parse_json(&body)?;
    let voter = voter_key(&req, vote.phone.as_deref(), vote.device_id.as_deref())?;
    state.intake_limits.vote(&client(&req, &state))?;
    let (helpful, unhelpful) = state.intake.vote(&code, &voter, vote.helpful).await?;
    Ok(HttpResponse::Ok().json(VotesView { helpful, unhelpful }))
}

/// Counts and percentages of one group.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub total: i64,
    pub handled: i64,
    pub handled_on_time: i64,
    /// Handled on time over handled, in percent (`null` when nothing was handled).
    pub handled_on_time_percent: Option<f64>,
    pub overdue: i64,
}

impl Counts {
    fn add(&mut self, row: &IndicatorCounts) {
        self.total += row.total;
        self.handled += row.handled;
        self.handled_on_time += row.handled_on_time;
        self.overdue += row.overdue;
        self.handled_on_time_percent = percent(self.handled_on_time, self.handled);
    }
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// One agency's counts.
#[derive(Debug, Serialize)]
pub struct AgencyCounts {
    pub agency: Option<AgencyView>,
    pub question: Counts,
    pub feedback: Counts,
}

/// Satisfaction with feedback handling (766 indicator 5.3).
#[derive(Debug, Default, Serialize)]
pub struct Satisfaction {
    pub total: i64,
    pub disliked: i64,
    pub overdue: i64,
    pub repeated: i64,
    /// (total − disliked − overdue − repeated) / total, in percent.
    pub percent: Option<f64>,
}

/// `GET /api/v1/intake-indicators`.
#[derive(Debug, Serialize)]
pub struct IndicatorsView {
    pub from: Option<String>,
    pub to: Option<String>,
    pub question: Counts,
    pub feedback: Counts,
    pub by_agency: Vec<AgencyCounts>,
    /// Feedback by the desk head's classification (766 indicator 5.1).
    pub feedback_by_topic: TopicCounts,
    pub feedback_satisfaction: Satisfaction,
}

/// Feedback by topic.
#[derive(Debug, Default, Serialize)]
pub struct TopicCounts {
    /// Administrative rules, policies and procedures.
    pub rules: i64,
    /// The conduct of officials.
    pub conduct: i64,
    /// Not classified yet.
    pub unclassified: i64,
}

/// `GET /api/v1/intake-indicators[?from=YYYY-MM-DD&to=YYYY-MM-DD]`.
pub async fn show_indicators(
    query: web::Query<IndicatorQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    // Default: the year up to now.
    let (from, to) = query.bounds()?;
    let to = to.unwrap_or_else(Utc::now);
    let from = from.unwrap_or(to - Duration::days(365));
    if from >= to {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "from: cần trước to.",
        ));
    }
    let (rows, topics) = state.intake.indicators(from, to).await?;
    let mut by_topic = TopicCounts::default();
    for (topic, count) in topics {
        match topic.as_deref() {
            Some("rules") => by_topic.rules += count,
            Some("conduct") => by_topic.conduct += count,
            _ => by_topic.unclassified += count,
        }
    }
    let mut view = IndicatorsView {
        from: vn_time(Some(from)),
        to: vn_time(Some(to)),
        question: Counts::default(),
        feedback: Counts::default(),
        by_agency: Vec::new(),
        feedback_by_topic: by_topic,
        feedback_satisfaction: Satisfaction::default(),
    };
    for row in &rows {
        if view
            .by_agency
            .last()
            .map(|a| a.agency.as_ref().map(|v| &v.code))
            != Some(row.agency_code.as_ref())
        {
            view.by_agency.push(AgencyCounts {
                agency: row.agency_code.clone().map(|code| AgencyView {
                    code,
                    name: row.agency_name.clone(),
                }),
                question: Counts::default(),
                feedback: Counts::default(),
            });
        }
        let Some(agency) = view.by_agency.last_mut() else {
            continue;
        };
        if row.kind == Kind::Feedback {
            agency.feedback.add(row);
            view.feedback.add(row);
            let s = &mut view.feedback_satisfaction;
            s.total += row.total;
            s.disliked += row.disliked;
            s.overdue += row.overdue;
            s.repeated += row.repeated;
        } else {
            agency.question.add(row);
            view.question.add(row);
        }
    }
    let s = &mut view.feedback_satisfaction;
    s.percent = percent(
        (s.total - s.disliked - s.overdue - s.repeated).max(0),
        s.total,
    );
    Ok(HttpResponse::Ok().json(view))
}

/// Who is logged in, for staff consoles written in JavaScript (and the CSRF token their API
/// calls send in `X-CSRF-Token`).
#[derive(Debug, Serialize)]
pub struct StaffSessionView {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub agency_code: Option<String>,
    pub csrf_token: String,
}

/// `GET /api/v1/staff/session`.
pub async fn show_staff_session(session: StaffSession) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(StaffSessionView {
            username: session.username,
            display_name: session.display_name,
            role: session.role.as_str(),
            agency_code: session.agency_code,
            csrf_token: session.csrf_token,
        })
}
