//! The vocabulary of questions and feedback: kinds, channels, states, the actions staff and
//! citizens take, the state machine that says which action is allowed in which state, and the
//! item, its history and its indicator counts as the database gives them. Pure values with their
//! stored names and Vietnamese labels, so the database rows, the intake service and every channel
//! share one spelling of each.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A question about a procedure (hỏi đáp) or feedback on administrative rules (phản ánh, kiến nghị).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A question about a procedure (hỏi đáp).
    Question,
    /// Feedback or a proposal on administrative rules (phản ánh, kiến nghị).
    Feedback,
}

impl Kind {
    /// Parses the stored / API name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "question" => Some(Kind::Question),
            "feedback" => Some(Kind::Feedback),
            _ => None,
        }
    }

    /// The stored / API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Question => "question",
            Kind::Feedback => "feedback",
        }
    }

    /// The prefix of its tracking codes.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Question => "HD",
            Kind::Feedback => "PAKN",
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Question => "Hỏi đáp",
            Kind::Feedback => "Phản ánh, kiến nghị",
        }
    }
}

/// Where an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeChannel {
    /// The public web forms.
    Web,
    /// A lookup kiosk.
    Kiosk,
    /// Typed by a 1022 operator on a caller's behalf.
    Hotline,
    /// The mobile app.
    App,
}

impl IntakeChannel {
    /// Parses the stored / API name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "web" => Some(Self::Web),
            "kiosk" => Some(Self::Kiosk),
            "hotline" => Some(Self::Hotline),
            "app" => Some(Self::App),
            _ => None,
        }
    }

    /// The stored / API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Kiosk => "kiosk",
            Self::Hotline => "hotline",
            Self::App => "app",
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Web => "Cổng thông tin",
            Self::Kiosk => "Ki-ốt tra cứu",
            Self::Hotline => "Đường dây nóng 1022",
            Self::App => "Ứng dụng di động",
        }
    }
}

/// Where an item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Received, waiting for the desk head to classify it.
    Received,
    /// Forwarded to the competent agency.
    Forwarded,
    /// The agency is handling it.
    InProgress,
    /// The submitter was asked for more information (the clock stops).
    InfoRequested,
    /// Answered.
    Answered,
    /// The answer is public (personal data masked).
    Published,
    /// Refused with a reason.
    Refused,
    /// Withdrawn by the submitter.
    Withdrawn,
}

impl State {
    /// Every state, in life order (for filters).
    pub const ALL: [State; 8] = [
        State::Received,
        State::Forwarded,
        State::InProgress,
        State::InfoRequested,
        State::Answered,
        State::Published,
        State::Refused,
        State::Withdrawn,
    ];

    /// Parses the stored / API name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The stored / API name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Forwarded => "forwarded",
            State::InProgress => "in_progress",
            State::InfoRequested => "info_requested",
            State::Answered => "answered",
            State::Published => "published",
            State::Refused => "refused",
            State::Withdrawn => "withdrawn",
        }
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            State::Received => "Đã tiếp nhận, chờ phân loại",
            State::Forwarded => "Đã chuyển cơ quan có thẩm quyền",
            State::InProgress => "Đang xử lý",
            State::InfoRequested => "Đề nghị bổ sung thông tin",
            State::Answered => "Đã trả lời",
            State::Published => "Đã công khai câu trả lời",
            State::Refused => "Từ chối tiếp nhận",
            State::Withdrawn => "Người gửi đã rút",
        }
    }

    /// Whether the item still waits for someone to act.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Received | State::Forwarded | State::InProgress | State::InfoRequested
        )
    }
}

/// Something that moves an item from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Submitted by a citizen (or an operator on the citizen's behalf).
    Submit,
    /// Routed to an agency by the routing rules at submission.
    Route,
    /// Forwarded (or transferred) to an agency by the desk head.
    Forward,
    /// The agency starts handling it.
    Start,
    /// The agency asks the submitter for more information.
    RequestInfo,
    /// The submitter supplies the requested information.
    Supplement,
    /// The agency answers.
    Answer,
    /// The answer is published (personal data masked).
    Publish,
    /// The published answer is taken down.
    Unpublish,
    /// Refused with a reason.
    Refuse,
    /// Withdrawn by the submitter.
    Withdraw,
    /// The desk head sets (or changes) the topic, wherever the item is: no state changes.
    Classify,
}

impl Action {
    /// Every action, in the order of an item's life.
    pub const ALL: [Action; 12] = [
        Action::Submit,
        Action::Route,
        Action::Forward,
        Action::Start,
        Action::RequestInfo,
        Action::Supplement,
        Action::Answer,
        Action::Publish,
        Action::Unpublish,
        Action::Refuse,
        Action::Withdraw,
        Action::Classify,
    ];

    /// Parses the stored name (history rows).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// The stored name (history rows).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Route => "route",
            Action::Forward => "forward",
            Action::Start => "start",
            Action::RequestInfo => "request_info",
            Action::Supplement => "supplement",
            Action::Answer => "answer",
            Action::Publish => "publish",
            Action::Unpublish => "unpublish",
            Action::Refuse => "refuse",
            Action::Withdraw => "withdraw",
            Action::Classify => "classify",
        }
    }

    /// Parses the URL / form name of a staff action.
    pub fn parse_staff(raw: &str) -> Option<Self> {
        match raw {
            "forward" => Some(Action::Forward),
            "start" => Some(Action::Start),
            "request-info" => Some(Action::RequestInfo),
            "answer" => Some(Action::Answer),
            "publish" => Some(Action::Publish),
            "unpublish" => Some(Action::Unpublish),
            "refuse" => Some(Action::Refuse),
            "classify" => Some(Action::Classify),
            _ => None,
        }
    }

    /// The Vietnamese label of a history row.
    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "Gửi",
            Action::Route => "Tự động chuyển theo quy tắc định tuyến",
            Action::Forward => "Chuyển cơ quan xử lý",
            Action::Start => "Bắt đầu xử lý",
            Action::RequestInfo => "Đề nghị bổ sung thông tin",
            Action::Supplement => "Người gửi bổ sung thông tin",
            Action::Answer => "Trả lời",
            Action::Publish => "Công khai câu trả lời",
            Action::Unpublish => "Gỡ công khai",
            Action::Refuse => "Từ chối",
            Action::Withdraw => "Người gửi rút",
            Action::Classify => "Phân loại",
        }
    }
}

/// The Vietnamese label of a feedback topic (`rules`, `conduct`: the groups of indicator 5.1 of
/// Decision 766).
pub fn topic_label(topic: &str) -> Option<&'static str> {
    match topic {
        "rules" => Some("Quy định, chính sách, thủ tục hành chính"),
        "conduct" => Some("Hành vi, thái độ của cán bộ"),
        _ => None,
    }
}

/// The state `action` leads to from `from`, or `None` when the action is not allowed there.
/// Publishing needs a public item; the caller checks that.
pub fn next_state(from: State, action: Action) -> Option<State> {
    use State::*;
    match (action, from) {
        (Action::Forward, Received | Forwarded | InProgress) => Some(Forwarded),
        (Action::Start, Forwarded) => Some(InProgress),
        (Action::RequestInfo, Forwarded | InProgress) => Some(InfoRequested),
        (Action::Supplement, InfoRequested) => Some(InProgress),
        (Action::Answer, Forwarded | InProgress) => Some(Answered),
        (Action::Publish, Answered) => Some(Published),
        (Action::Unpublish, Published) => Some(Answered),
        (Action::Refuse, Received | Forwarded | InProgress | InfoRequested) => Some(Refused),
        (Action::Withdraw, Received | Forwarded | InProgress | InfoRequested) => Some(Withdrawn),
        // Classifying moves nothing: the item stays where it is, whatever its state.
        (Action::Classify, from) => Some(from),
        _ => None,
    }
}

/// A question or feedback item: what was submitted, where it is in its life, its deadlines, the
/// answer and its published (masked) form.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The database id (0 until stored).
    pub id: i64,
    /// `HD.yyyyMMdd.nnnn` or `PAKN.yyyyMMdd.nnnn`: what the submitter tracks it by.
    pub tracking_code: String,
    /// Question or feedback.
    pub kind: Kind,
    /// Where it came from.
    pub channel: IntakeChannel,
    /// The submitter's name.
    pub submitter_name: Option<String>,
    /// The submitter's phone, E.164.
    pub submitter_phone: Option<String>,
    /// The submitter's e-mail.
    pub submitter_email: Option<String>,
    /// The submitter's address.
    pub submitter_address: Option<String>,
    /// The subject as submitted.
    pub subject: String,
    /// The text as submitted, with any supplements appended.
    pub body: String,
    /// The dossier it is about.
    pub dossier_code: Option<String>,
    /// The procedure it is about (national code).
    pub procedure_code: Option<String>,
    /// The level of government it is about: a code of `agency_levels` (`department`,
    /// `commune`, ...; `district` on items of before the 2025 reform).
    pub level: Option<String>,
    /// The commune (xã, phường, đặc khu) the submitter chose: the place a commune-level
    /// procedure is settled for them.
    pub commune_code: Option<String>,
    /// The agency handling it.
    pub agency_code: Option<String>,
    /// Why it went to that agency: `explicit`, `commune` (the commune the submitter chose),
    /// `dossier`, `procedure`, `desk`.
    pub routed_by: String,
    /// Whether the submitter agreed to publish the (masked) question and answer.
    pub is_public: bool,
    /// Where it is in its life.
    pub state: State,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When the desk head must have classified it.
    pub classify_due_at: Option<DateTime<Utc>>,
    /// When it was last forwarded.
    pub forwarded_at: Option<DateTime<Utc>>,
    /// When the agency must have refused it, if it refuses.
    pub refuse_due_at: Option<DateTime<Utc>>,
    /// When the agency must have asked for more information, if it asks.
    pub info_due_at: Option<DateTime<Utc>>,
    /// When the agency must have answered.
    pub handle_due_at: Option<DateTime<Utc>>,
    /// When the submitter was last asked for more information.
    pub info_requested_at: Option<DateTime<Utc>>,
    /// What the submitter was asked.
    pub info_request: Option<String>,
    /// The agency's answer.
    pub answer: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The staff account that answered.
    pub answered_by: Option<i64>,
    /// When the answer must have been published (public items).
    pub publish_due_at: Option<DateTime<Utc>>,
    /// Why it was refused.
    pub refuse_reason: Option<String>,
    /// When it was refused or withdrawn.
    pub closed_at: Option<DateTime<Utc>>,
    /// The subject as published (personal data masked).
    pub public_subject: Option<String>,
    /// The question as published (personal data masked).
    pub public_body: Option<String>,
    /// The answer as published (personal data masked).
    pub public_answer: Option<String>,
    /// What publication masked.
    pub masked: Option<serde_json::Value>,
    /// The published texts the search runs over.
    pub search_doc: Option<String>,
    /// When the answer was published.
    pub published_at: Option<DateTime<Utc>>,
    /// The "answer published" text is owed but could not be queued (no SMS sending).
    pub answer_notice_pending: bool,
    /// Votes that the published answer helped.
    pub helpful_votes: i32,
    /// Votes that it did not.
    pub unhelpful_votes: i32,
    /// The agency's name (joined, read-only).
    pub agency_name: Option<String>,
    /// `rules` or `conduct` once the desk head classified it.
    pub topic: Option<String>,
    /// The name of the commune the submitter chose (joined, read-only).
    pub commune_name: Option<String>,
}

/// One transition in an item's history (append-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub action: Action,
    /// `None` for the submission, which starts the history.
    pub from_state: Option<State>,
    /// The state it led to.
    pub to_state: State,
    /// `citizen`, `staff` or `system`.
    pub actor_kind: String,
    /// The staff account, when staff acted.
    pub actor_id: Option<i64>,
    /// Who acted, in words.
    pub actor_label: String,
    /// The agency handling the item after it.
    pub agency_code: Option<String>,
    /// The text that came with it (request, reason, supplement, routing reason).
    pub note: Option<String>,
    /// Of a publication: the machine-masked text and the text the officer approved.
    pub publication: Option<Publication>,
}

/// The public text of an item: subject, question and answer as they are (or would be) published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicText {
    /// The subject.
    pub subject: String,
    /// The question (or feedback).
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// What one publication put out: the text as the machine masked it, and the text the officer
/// approved, which is what was published (the same unless the officer edited it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Personal data replaced by the masker.
    pub machine: PublicText,
    /// What the officer approved and the public sees.
    pub approved: PublicText,
}

impl Publication {
    /// Whether the officer changed the machine's text.
    pub fn edited(&self) -> bool {
        self.machine != self.approved
    }
}

/// What the staff inbox shows (within the session's scope).
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Only items in this state.
    pub state: Option<State>,
    /// Only this agency's items.
    pub agency_code: Option<String>,
    /// Only items from this channel.
    pub channel: Option<IntakeChannel>,
    /// Only questions, or only feedback.
    pub kind: Option<Kind>,
    /// Only overdue items.
    pub overdue_only: bool,
    /// Page size.
    pub limit: i64,
    /// Items skipped (earlier pages).
    pub offset: i64,
}

/// The indicator counts of one agency (`None`: not forwarded yet) and kind over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorCounts {
    /// The agency.
    pub agency_code: Option<String>,
    /// The agency's name.
    pub agency_name: Option<String>,
    /// Questions or feedback.
    pub kind: Kind,
    /// Items received.
    pub total: i64,
    /// Items answered.
    pub handled: i64,
    /// Items answered by their deadline.
    pub handled_on_time: i64,
    /// Items answered late or still overdue.
    pub overdue: i64,
    /// Items whose answer got more unhelpful than helpful votes.
    pub disliked: i64,
    /// Items that repeat an earlier one of the same submitter (same dossier or subject).
    pub repeated: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_runs_from_received_to_published() {
        let mut state = State::Received;
        for action in [
            Action::Forward,
            Action::Start,
            Action::RequestInfo,
            Action::Supplement,
            Action::Answer,
            Action::Publish,
        ] {
            state = next_state(state, action).expect("allowed");
        }
        assert_eq!(state, State::Published);
        assert_eq!(next_state(state, Action::Unpublish), Some(State::Answered));
    }

    #[test]
    fn closed_items_take_no_more_actions() {
        for closed in [State::Refused, State::Withdrawn] {
            for action in [
                Action::Forward,
                Action::Answer,
                Action::Refuse,
                Action::Withdraw,
                Action::Publish,
            ] {
                assert_eq!(next_state(closed, action), None);
            }
        }
        assert_eq!(next_state(State::Received, Action::Answer), None);
        assert_eq!(next_state(State::Answered, Action::Refuse), None);
    }

    #[test]
    fn names_round_trip() {
        for state in State::ALL {
            assert_eq!(State::parse(state.as_str()), Some(state));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(Kind::parse("feedback"), Some(Kind::Feedback));
        assert_eq!(IntakeChannel::parse("kiosk"), Some(IntakeChannel::Kiosk));
        assert_eq!(
            Action::parse_staff("request-info"),
            Some(Action::RequestInfo)
        );
    }
}
