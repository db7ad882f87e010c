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

/// The schema of a [`Labeled`] whose `key` is one of `keys`.
fn labeled_schema(
    description: &str,
    keys: impl IntoIterator<Item = &'static str>,
) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .description(Some(description))
        .property(
            "key",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(keys))
                .description(Some("Giá trị, để máy so khớp. / The value, for machines.")),
        )
        .required("key")
        .property(
            "label",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("Nhãn tiếng Việt. / The Vietnamese label.")),
        )
        .required("label")
        .build()
}

/// The schema of a kind with its label.
pub(crate) fn kind_schema() -> utoipa::openapi::Object {
    labeled_schema(
        "Loại: hỏi đáp hoặc phản ánh, kiến nghị. / The kind: a question or feedback.",
        [Kind::Question, Kind::Feedback].map(Kind::as_str),
    )
}

fn state_schema() -> utoipa::openapi::Object {
    labeled_schema(
        "Trạng thái xử lý. / Where the item stands.",
        State::ALL.map(State::as_str),
    )
}

fn channel_schema() -> utoipa::openapi::Object {
    use crate::domain::intake::IntakeChannel;
    labeled_schema(
        "Kênh gửi. / The channel it came by.",
        [
            IntakeChannel::Web,
            IntakeChannel::Kiosk,
            IntakeChannel::Hotline,
            IntakeChannel::App,
        ]
        .map(IntakeChannel::as_str),
    )
}

/// An agency by code and name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeAgency,
    description = "Cơ quan, theo mã và tên. / An agency by code and name.")]
pub struct AgencyView {
    /// Mã cơ quan. / The agency's code.
    #[schema(example = "000.00.18.H48")]
    pub code: String,
    /// Tên cơ quan (null khi danh mục chưa có). / The agency's name (null when the catalogue
    /// lacks it).
    #[schema(required = true)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = AnswerNotice,
    description = "Cách người gửi biết có trả lời. / How the submitter learns of the answer.")]
pub struct AnswerNoticeView {
    /// `sms`: một tin nhắn tới số đã khai khi có trả lời; `tracking_page`: không gửi tin (không
    /// có số, hoặc chưa cấu hình SMS; không gửi thư điện tử), người gửi tự xem trang theo dõi. /
    /// `sms`: one SMS to the phone given when it is answered; `tracking_page`: no message is
    /// sent (no phone, or SMS sending is not configured; e-mail is never sent), the submitter
    /// checks the tracking page.
    #[schema(schema_with = answer_notice_by_schema)]
    pub by: &'static str,
    /// Điều người gửi sẽ nhận, tiếng Việt. / What to expect, in Vietnamese.
    pub message: String,
}

fn answer_notice_by_schema() -> utoipa::openapi::Object {
    string_enum(
        "Cách báo khi có trả lời. / How the answer is made known.",
        ["sms", "tracking_page"],
    )
}

/// A string schema with these values only.
pub(crate) fn string_enum(
    description: &str,
    values: impl IntoIterator<Item = &'static str>,
) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeDeadlines,
    description = "Các hạn của một mục (giờ Việt Nam; null khi không áp dụng). / The deadlines of an item (Vietnam time; null where none applies).")]
pub struct DeadlinesView {
    /// Hạn phân loại (giờ Việt Nam). / When it must be classified (Vietnam time).
    #[schema(required = true, format = DateTime)]
    pub classify_due_at: Option<String>,
    /// Hạn xử lý, trả lời. / When it must be answered.
    #[schema(required = true, format = DateTime)]
    pub handle_due_at: Option<String>,
    /// Hạn công khai câu trả lời. / When the answer must be published.
    #[schema(required = true, format = DateTime)]
    pub publish_due_at: Option<String>,
}

/// What a submitter (or, for public items, anyone) sees when tracking an item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = IntakeItem,
    description = "Mục câu hỏi, phản ánh như người gửi (hoặc, với mục công khai, mọi người) thấy khi theo dõi. / A question or feedback as its submitter (or, for a public item, anyone) sees it when tracking.")]
pub struct TrackView {
    /// Mã theo dõi. / The tracking code.
    #[schema(example = "HD.20261123.0001")]
    pub tracking_code: String,
    /// Loại. / The kind.
    #[schema(schema_with = kind_schema)]
    pub kind: Labeled,
    /// Kênh gửi. / The channel.
    #[schema(schema_with = channel_schema)]
    pub channel: Labeled,
    /// Trạng thái. / The state.
    #[schema(schema_with = state_schema)]
    pub state: Labeled,
    /// Người gửi đồng ý công khai. / The submitter agreed to publication.
    pub public: bool,
    /// Đã chứng minh là người gửi (đường dẫn theo dõi hoặc 4 số cuối điện thoại): có nội dung
    /// riêng của người gửi. / The tracking link or the phone digits proved the submitter: their
    /// own texts are included.
    pub proven: bool,
    /// Thời điểm tiếp nhận. / When it was received.
    #[schema(required = true, format = DateTime)]
    pub received_at: Option<String>,
    /// Cơ quan xử lý (null khi chưa chuyển). / The agency handling it (null until routed).
    #[schema(required = true)]
    pub agency: Option<AgencyView>,
    /// Các hạn. / The deadlines.
    pub deadlines: DeadlinesView,
    /// Đã quá hạn. / Past a deadline.
    pub overdue: bool,
    /// Tiêu đề (chỉ khi đã chứng minh). / The subject (proven only).
    #[schema(required = true)]
    pub subject: Option<String>,
    /// Nội dung (chỉ khi đã chứng minh). / The text (proven only).
    #[schema(required = true)]
    pub body: Option<String>,
    /// Nội dung đề nghị bổ sung. / What was asked for (proven, while asked).
    #[schema(required = true)]
    pub info_request: Option<String>,
    /// Câu trả lời (bản công khai khi chưa chứng minh). / The answer (the published text when
    /// not proven).
    #[schema(required = true)]
    pub answer: Option<String>,
    /// Thời điểm trả lời. / When it was answered.
    #[schema(required = true, format = DateTime)]
    pub answered_at: Option<String>,
    /// Lý do từ chối (che thông tin cá nhân khi chưa chứng minh). / The reason of a refusal
    /// (personal data masked when not proven).
    #[schema(required = true)]
    pub refuse_reason: Option<String>,
    /// Trang công khai câu trả lời. / Where the published answer is.
    #[schema(required = true, example = "/hoi-dap/HD.20261123.0001")]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = Votes,
    description = "Số lượt đánh giá. / The helpfulness votes.")]
pub struct VotesView {
    /// Số lượt thấy hữu ích. / Votes that it helped.
    #[schema(minimum = 0)]
    pub helpful: i32,
    /// Số lượt thấy chưa hữu ích. / Votes that it did not.
    #[schema(minimum = 0)]
    pub unhelpful: i32,
}

/// A published question or feedback answer, personal data masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = PublishedAnswer,
    description = "Một giải đáp đã công khai, đã che thông tin cá nhân. / A published answer, personal data masked.")]
pub struct PublishedView {
    /// Mã theo dõi. / The tracking code.
    #[schema(example = "HD.20261123.0001")]
    pub tracking_code: String,
    /// Loại. / The kind.
    #[schema(schema_with = kind_schema)]
    pub kind: Labeled,
    /// Tiêu đề, đã che thông tin cá nhân. / The subject, personal data masked.
    pub subject: String,
    /// Câu hỏi, đã che thông tin cá nhân. / The question, personal data masked.
    pub question: String,
    /// Câu trả lời được duyệt. / The approved answer.
    pub answer: String,
    /// Cơ quan trả lời. / The agency that answered.
    #[schema(required = true)]
    pub agency: Option<AgencyView>,
    /// Thời điểm trả lời. / When it was answered.
    #[schema(required = true, format = DateTime)]
    pub answered_at: Option<String>,
    /// Thời điểm công khai. / When it was published.
    #[schema(required = true, format = DateTime)]
    pub published_at: Option<String>,
    /// Đánh giá hữu ích. / The helpfulness votes.
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
