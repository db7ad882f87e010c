//! The public pages: forms to ask a question or send feedback (CSRF double-submit cookie), the
//! tracking page, and the published questions and answers with search and helpfulness votes.
//! Server-rendered, Vietnamese, no JavaScript needed; errors come back on the same page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::api::published::voter_key;
use super::api::track::track;
use super::{parse_kind, PublishedView};
use crate::domain::intake::Kind;
use crate::error::{AppError, Code};
use crate::http::body::read_body;
use crate::http::client;
use crate::http::forms::{base, check_csrf, commune_options, csrf_token, level_options, merge};
use crate::http::pages::{error_page, render};
use crate::http::{method_not_allowed, AppState};
use crate::intake::{parse_tracking_code, RawSubmission, Submission};
use crate::staff::tokens::{self, CSRF_COOKIE, DEVICE_COOKIE};

/// Registers the page routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/gui-cau-hoi")
            .route(web::get().to(show_question_form))
            .route(web::post().to(submit_question_form))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/gui-phan-anh")
            .route(web::get().to(show_feedback_form))
            .route(web::post().to(submit_feedback_form))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/theo-doi", web::get().to(show_track_page))
    .route("/hoi-dap", web::get().to(show_published_list))
    .route("/hoi-dap/{code}", web::get().to(show_published_page))
    .service(
        web::resource("/hoi-dap/{code}/danh-gia")
            .route(web::post().to(submit_vote_form))
            .default_service(web::to(method_not_allowed)),
    );
}

fn with_cookies(
    mut response: HttpResponse,
    state: &AppState,
    csrf: Option<&str>,
    device: Option<String>,
) -> HttpResponse {
    let secure = state.settings.staff.cookie_secure;
    if let Some(token) = csrf {
        let _ = response.add_cookie(&tokens::cookie(
            CSRF_COOKIE,
            token.to_owned(),
            secure,
            86_400,
        ));
    }
    if let Some(device) = device {
        let _ = response.add_cookie(&tokens::cookie(DEVICE_COOKIE, device, secure, 400 * 86_400));
    }
    response
}

fn title_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Question => "Gửi câu hỏi về thủ tục hành chính",
        Kind::Feedback => "Gửi phản ánh, kiến nghị",
    }
}

fn action_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Question => "/gui-cau-hoi",
        Kind::Feedback => "/gui-phan-anh",
    }
}

async fn form_page(
    state: &AppState,
    kind: Kind,
    csrf: &str,
    values: &SubmissionForm,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let agencies = state.intake.agencies().await.unwrap_or_default();
    let chosen = values.agency_code.as_deref().unwrap_or("");
    let agencies: Vec<Value> = agencies
        .iter()
        .map(|a| json!({"code": a.code, "name": a.name, "selected": a.code == chosen}))
        .collect();
    let levels = level_options(state, values.level.as_deref())
        .await
        .unwrap_or_default();
    let communes = commune_options(state, values.commune_code.as_deref())
        .await
        .unwrap_or_default();
    let page = merge(
        base(state, title_of(kind), None),
        json!({
            "is_feedback": kind == Kind::Feedback,
            "action": action_of(kind),
            "csrf": csrf,
            "error": error,
            "values": {
                "name": values.name, "phone": values.phone, "email": values.email,
                "address": values.address, "subject": values.subject, "body": values.body,
                "dossier_code": values.dossier_code, "procedure_code": values.procedure_code,
                "level": values.level.clone().unwrap_or_default(),
                "public": values.public.is_some(),
            },
            "agencies": agencies,
            "levels": levels,
            "communes": communes,
            "max_body": state.settings.intake.max_body_chars,
            "texts_answers": state.intake.texts_submitters(),
            "max_subject": state.settings.intake.max_subject_chars,
        }),
    );
    render(state, "feedback/form", &page, status)
}

/// The fields of the submission forms.
#[derive(Debug, Default, Deserialize)]
pub struct SubmissionForm {
    pub csrf: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub dossier_code: Option<String>,
    pub procedure_code: Option<String>,
    pub level: Option<String>,
    pub agency_code: Option<String>,
    pub commune_code: Option<String>,
    pub public: Option<String>,
}

async fn show_form(req: HttpRequest, state: web::Data<AppState>, kind: Kind) -> HttpResponse {
    let (csrf, new) = csrf_token(&req);
    let response = form_page(
        &state,
        kind,
        &csrf,
        &SubmissionForm::default(),
        None,
        StatusCode::OK,
    )
    .await;
    with_cookies(response, &state, new.then_some(csrf.as_str()), None)
}

/// `GET /gui-cau-hoi`.
pub async fn show_question_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    show_form(req, state, Kind::Question).await
}

/// `GET /gui-phan-anh`.
pub async fn show_feedback_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    show_form(req, state, Kind::Feedback).await
}

async fn submit_form(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    kind: Kind,
) -> HttpResponse {
    let (csrf, new) = csrf_token(&req);
    let cookie = new.then_some(csrf.as_str());
    let body = match read_body(payload, state.settings.intake.max_request_bytes).await {
        Ok(body) => body,
        Err(error) => {
            let response = form_page(
                &state,
                kind,
                &csrf,
                &SubmissionForm::default(),
                Some(&error.message),
                error.code.status(),
            )
            .await;
            return with_cookies(response, &state, cookie, None);
        }
    };
    let form: SubmissionForm = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            let error =
                AppError::with_message(Code::InvalidInput, "Biểu mẫu gửi lên không đọc được.");
            let response = form_page(
                &state,
                kind,
                &csrf,
                &SubmissionForm::default(),
                Some(&error.message),
                error.code.status(),
            )
            .await;
            return with_cookies(response, &state, cookie, None);
        }
    };
    let result = async {
        check_csrf(&req, form.csrf.as_deref())?;
        let raw = RawSubmission {
            kind: Some(kind.as_str().to_owned()),
            channel: Some("web".to_owned()),
            name: form.name.clone(),
            phone: form.phone.clone(),
            email: form.email.clone(),
            address: form.address.clone(),
            subject: form.subject.clone(),
            body: form.body.clone(),
            dossier_code: form.dossier_code.clone(),
            procedure_code: form.procedure_code.clone(),
            level: form.level.clone(),
            agency_code: form.agency_code.clone(),
            commune_code: form.commune_code.clone(),
            public: Some(form.public.is_some()),
        };
        let submission = Submission::parse(&raw, state.intake.settings())?;
        state.intake_limits.submission(&client(&req, &state)?)?;
        state.intake.submit(&submission).await
    }
    .await;
    let response = match result {
        Ok(item) => {
            let page = merge(
                base(&state, "Đã gửi", None),
                json!({
                    "tracking_code": item.tracking_code,
                    "kind_label": kind.label().to_lowercase(),
                    "state_label": item.state.label(),
                    "answer_notice": super::answer_notice(&state, &item),
                    "track_url": state.intake.tracking_link(&item.tracking_code),
                    "track_link": format!(
                        "{}{}",
                        state.settings.province.public_base_url.trim_end_matches('/'),
                        state.intake.tracking_link(&item.tracking_code)
                    ),
                }),
            );
            render(&state, "feedback/submitted", &page, StatusCode::CREATED)
        }
        Err(error) => {
            error.log();
            form_page(
                &state,
                kind,
                &csrf,
                &form,
                Some(&error.message),
                error.code.status(),
            )
            .await
        }
    };
    with_cookies(response, &state, cookie, None)
}

/// `POST /gui-cau-hoi`.
pub async fn submit_question_form(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    submit_form(req, payload, state, Kind::Question).await
}

/// `POST /gui-phan-anh`.
pub async fn submit_feedback_form(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    submit_form(req, payload, state, Kind::Feedback).await
}

/// The tracking page's query.
#[derive(Debug, Deserialize)]
pub struct TrackPageQuery {
    pub ma: Option<String>,
    pub phone4: Option<String>,
    /// The tracking link's token.
    pub k: Option<String>,
}

/// `GET /theo-doi[?ma=CODE&k=TOKEN | &phone4=NNNN]`.
pub async fn show_track_page(
    req: HttpRequest,
    query: web::Query<TrackPageQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let code = query.ma.as_deref().unwrap_or("").trim();
    let phone4 = query.phone4.as_deref().unwrap_or("").trim();
    let mut page = merge(
        base(&state, "Theo dõi", None),
        json!({"query": code, "phone4": phone4, "error": null, "item": null}),
    );
    if code.is_empty() {
        return render(&state, "feedback/track", &page, StatusCode::OK);
    }
    let k = query.k.as_deref();
    let (status, patch) = match track(&req, &state, code, Some(phone4), k).await {
        Ok(view) => (StatusCode::OK, json!({"item": view})),
        Err(error) => {
            error.log();
            (error.code.status(), json!({"error": error.message}))
        }
    };
    page = merge(page, patch);
    render(&state, "feedback/track", &page, status)
}

/// The published list's query.
#[derive(Debug, Deserialize)]
pub struct ListPageQuery {
    pub q: Option<String>,
    pub loai: Option<String>,
    /// Page number; anything unreadable is page 1.
    pub trang: Option<String>,
}

/// `GET /hoi-dap[?q=&loai=&trang=]`.
pub async fn show_published_list(
    query: web::Query<ListPageQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let q = query.q.as_deref().unwrap_or("");
    let page_no = query
        .trang
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let result = async {
        let kind = parse_kind(query.loai.as_deref())?;
        state.intake.published(kind, None, q, page_no).await
    }
    .await;
    let (status, items, error) = match result {
        Ok(items) => (StatusCode::OK, items, None),
        Err(error) => {
            error.log();
            (error.code.status(), Vec::new(), Some(error.message))
        }
    };
    let full = items.len() as i64 >= state.settings.intake.page_size;
    let kind_raw = query.loai.clone().unwrap_or_default();
    let views: Vec<PublishedView> = items.iter().map(PublishedView::new).collect();
    let page = merge(
        base(&state, "Hỏi đáp", None),
        json!({
            "q": q,
            "kind": kind_raw,
            "items": views,
            "error": error,
            "prev_url": (page_no > 1).then(|| list_url(q, &kind_raw, page_no - 1)),
            "next_url": full.then(|| list_url(q, &kind_raw, page_no + 1)),
        }),
    );
    render(&state, "feedback/list", &page, status)
}

fn list_url(q: &str, kind: &str, page: i64) -> String {
    let pairs = [("q", q), ("loai", kind), ("trang", &page.to_string())];
    format!(
        "/hoi-dap?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

async fn item_page(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    message: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let item = match parse_tracking_code(code) {
        Ok(code) => state.intake.published_item(&code).await,
        Err(error) => Err(error),
    };
    let item = match item {
        Ok(item) => item,
        Err(error) => return error_page(state, &error),
    };
    let (csrf, new) = csrf_token(req);
    let device = req
        .cookie(DEVICE_COOKIE)
        .is_none()
        .then(tokens::random_token);
    let view = PublishedView::new(&item);
    let page = merge(
        base(state, "Hỏi đáp", None),
        json!({"item": view, "csrf": csrf, "message": message}),
    );
    let response = render(state, "feedback/item", &page, status);
    with_cookies(response, state, new.then_some(csrf.as_str()), device)
}

/// `GET /hoi-dap/{code}`.
pub async fn show_published_page(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    item_page(&req, &state, &path, None, StatusCode::OK).await
}

/// The vote form.
#[derive(Debug, Deserialize)]
pub struct VoteForm {
    pub csrf: Option<String>,
    pub helpful: Option<String>,
}

/// `POST /hoi-dap/{code}/danh-gia`.
pub async fn submit_vote_form(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let body = read_body(payload, 4096).await?;
        let form: VoteForm =
            serde_urlencoded::from_bytes(&body).map_err(|_| AppError::new(Code::InvalidInput))?;
        check_csrf(&req, form.csrf.as_deref())?;
        let helpful = match form.helpful.as_deref() {
            Some("1") => true,
            Some("0") => false,
            _ => return Err(AppError::new(Code::InvalidInput)),
        };
        let code = parse_tracking_code(&path)?;
        let voter = voter_key(&req, None, None)?;
        state.intake_limits.vote(&client(&req, &state)?)?;
        state.intake.vote(&code, &voter, helpful).await
    }
    .await;
    match result {
        Ok(_) => {
            item_page(
                &req,
                &state,
                &path,
                Some("Cảm ơn bạn đã đánh giá."),
                StatusCode::OK,
            )
            .await
        }
        Err(error) if error.code == Code::ItemNotFound || parse_tracking_code(&path).is_err() => {
            error_page(&state, &error)
        }
        Err(error) => {
            error.log();
            item_page(
                &req,
                &state,
                &path,
                Some(&error.message),
                error.code.status(),
            )
            .await
        }
    }
}
