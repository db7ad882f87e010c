//! The questions-and-feedback channel for citizens: the JSON API the kiosk and the app use, the
//! public HTML forms (CSRF-protected), tracking by code, the published answers with search and
//! votes, and the indicators. It parses input, calls [`crate::intake::IntakeService`] and renders;
//! it holds no SQL.

pub mod api;
pub mod pages;

use actix_web::web;
use serde::Serialize;

use crate::domain::intake::{Item, Kind, State};
use crate::domain::vn_time;
use crate::error::{AppError, Code};

/// Registers the channel's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    api::configure(cfg);
    pages::configure(cfg);
}

/// A value with its Vietnamese label.
#[derive(Debug, Serialize)]
pub struct Labeled {
    pub key: &'static str,
    pub label: &'static str,
}

/// An agency by code and name.
#[derive(Debug, Serialize)]
pub struct AgencyView {
    pub code: String,
    pub name: Option<String>,
}

fn agency_of(item: &Item) -> Option<AgencyView> {
    item.agency_code.clone().map(|code| AgencyView {
        code,
        name: item.agency_name.clone(),
    })
}

fn kind_of(item: &Item) -> Labeled {
    Labeled {
        key: item.kind.as_str(),
        label: item.kind.label(),
    }
}

fn state_of(item: &Item) -> Labeled {
    Labeled {
        key: item.state.as_str(),
        label: item.state.label(),
    }
}

fn channel_of(item: &Item) -> Labeled {
    Labeled {
        key: item.channel.as_str(),
        label: item.channel.label(),
    }
}

/// How the submitter learns that their item was answered, told at submission.
#[derive(Debug, Serialize)]
pub struct AnswerNoticeView {
    /// `sms`: one SMS to the phone given when it is answered; `tracking_page`: no message is
    /// sent (no phone, or SMS sending is not configured; e-mail is never sent), the submitter
    /// checks the tracking page.
    pub by: &'static str,
    /// What to expect, in Vietnamese.
    pub message: String,
}

/// How the submitter of a new `item` learns of its answer.
pub fn answer_notice(state: &crate::http::AppState, item: &Item) -> AnswerNoticeView {
    if state.intake.texts_answers(item) {
        return AnswerNoticeView {
            by: "sms",
            message: "Khi có trả lời, bạn sẽ nhận một tin nhắn tới số điện thoại đã khai, \
                      kèm mã theo dõi và cách xem câu trả lời."
                .to_owned(),
        };
    }
    let no_message = if item.submitter_phone.is_some() {
        "Hệ thống chưa gửi được tin nhắn báo có trả lời."
    } else {
        "Bạn không khai số điện thoại, và hệ thống không gửi thư điện tử."
    };
    let published = if item.is_public {
        " Câu trả lời được duyệt công khai còn có ở mục Hỏi đáp (/hoi-dap)."
    } else {
        ""
    };
    AnswerNoticeView {
        by: "tracking_page",
        message: format!(
            "{no_message} Hãy lưu đường dẫn theo dõi riêng của mã {} (cấp khi gửi) và tự xem trên trang theo dõi: câu trả lời hiện ở đó ngay khi có.{published}",
            item.tracking_code
        ),
    }
}

/// Deadlines of an item.
#[derive(Debug, Serialize)]
pub struct DeadlinesView {
    pub classify_due_at: Option<String>,
    pub handle_due_at: Option<String>,
    pub publish_due_at: Option<String>,
}

/// What a submitter (or, for public items, anyone) sees when tracking an item.
#[derive(Debug, Serialize)]
pub struct TrackView {
    pub tracking_code: String,
    pub kind: Labeled,
    pub channel: Labeled,
    pub state: Labeled,
    pub public: bool,
    /// The phone digits were given and match: the submitter's own texts are included.
    pub proven: bool,
    pub received_at: Option<String>,
    pub agency: Option<AgencyView>,
    pub deadlines: DeadlinesView,
    pub overdue: bool,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub info_request: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub refuse_reason: Option<String>,
    pub published_url: Option<String>,
}

impl TrackView {
    /// The view of `item`; `proven` adds the submitter's own texts.
    pub fn new(item: &Item, proven: bool, overdue: bool) -> Self {
        let published = item.state == State::Published;
        let answered = published || item.state == State::Answered;
        Self {
            tracking_code: item.tracking_code.clone(),
            kind: kind_of(item),
            channel: channel_of(item),
            state: state_of(item),
            public: item.is_public,
            proven,
            received_at: vn_time(Some(item.received_at)),
            agency: agency_of(item),
            deadlines: DeadlinesView {
                classify_due_at: vn_time(item.classify_due_at),
                handle_due_at: vn_time(item.handle_due_at),
                publish_due_at: vn_time(item.publish_due_at),
            },
            overdue,
            subject: proven.then(|| item.subject.clone()),
            body: proven.then(|| item.body.clone()),
            info_request: if proven && item.state == State::InfoRequested {
                item.info_request.clone()
            } else {
                None
            },
            answer: if proven && answered {
                item.answer.clone()
            } else if published {
                item.public_answer.clone()
            } else {
                None
            },
            answered_at: if answered {
                vn_time(item.answered_at)
            } else {
                None
            },
            // Staff wrote it, but it may quote the submitter: masked unless the submitter asks.
            refuse_reason: item.refuse_reason.as_deref().map(|reason| {
                if proven {
                    reason.to_owned()
                } else {
                    crate::intake::masking::mask(reason, crate::intake::submitter_of(item)).0
                }
            }),
            published_url: published.then(|| format!("/hoi-dap/{}", item.tracking_code)),
        }
    }
}

/// Helpfulness votes.
#[derive(Debug, Serialize)]
pub struct VotesView {
    pub helpful: i32,
    pub unhelpful: i32,
}

/// A published question or feedback answer, personal data masked.
#[derive(Debug, Serialize)]
pub struct PublishedView {
    pub tracking_code: String,
    pub kind: Labeled,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub agency: Option<AgencyView>,
    pub answered_at: Option<String>,
    pub published_at: Option<String>,
    pub votes: VotesView,
}

impl PublishedView {
    /// The public view of a published item.
    pub fn new(item: &Item) -> Self {
        Self {
            tracking_code: item.tracking_code.clone(),
            kind: kind_of(item),
            subject: item.public_subject.clone().unwrap_or_default(),
            question: item.public_body.clone().unwrap_or_default(),
            answer: item.public_answer.clone().unwrap_or_default(),
            agency: agency_of(item),
            answered_at: vn_time(item.answered_at),
            published_at: vn_time(item.published_at),
            votes: VotesView {
                helpful: item.helpful_votes,
                unhelpful: item.unhelpful_votes,
            },
        }
    }
}

/// Parses an optional kind filter.
pub fn parse_kind(raw: Option<&str>) -> Result<Option<Kind>, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(k) => Kind::parse(k).map(Some).ok_or_else(|| {
            AppError::with_message(
                Code::InvalidInput,
                "Loại: cần là question (hỏi đáp) hoặc feedback (phản ánh, kiến nghị).",
            )
            .field("kind")
        }),
    }
}
