//! Questions and feedback: submission from every channel, routing to
//! the competent agency, the staff actions of the state machine with their deadlines from the
//! working calendar, publication with personal data masked, votes and indicators. Channels call
//! this service; it knows nothing of HTTP. Every transition runs in one transaction that locks the
//! item, checks the state machine and the caller's scope, writes the item and appends history.

pub mod limits;
pub mod masking;
pub mod submission;

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Deserialize;

use crate::config::IntakeSettings;
use crate::db;
use crate::domain::intake::{
    next_state, Action, HistoryEntry, InboxFilter, IndicatorCounts, Item, Kind, PublicText,
    Publication, State,
};
use crate::domain::text::char_len;
use crate::domain::{vn_offset, AgencyCode, PhoneLast4, WorkingCalendar};
use crate::error::{AppError, Code};
use crate::staff::{Role, StaffSession};
pub use submission::{RawSubmission, Submission};

/// The questions-and-feedback service every channel uses.
pub struct IntakeService {
    pool: Pool,
    settings: Arc<IntakeSettings>,
    /// Salt of voter hashes (per installation, in the database): a phone number's hash cannot
    /// be reversed by hashing every possible number without it.
    vote_salt: tokio::sync::OnceCell<String>,
    /// Texts the submitter when an answer is published (where SMS sending is configured).
    answer_notices: Option<crate::notify::answers::AnswerNotices>,
    /// Public numbers from the settings (the province's hotline), left unmasked on publication
    /// like the agencies' desk phones in the catalog.
    public_numbers: Vec<String>,
    /// Signs and checks the tokens of tracking links (the receipts' key ring). Without one no
    /// link is issued and the phone digits are the only proof.
    tracking_keys: Option<crate::domain::QrKeyring>,
}

/// What a citizen offers to show that an item is theirs.
#[derive(Debug, Clone, Copy)]
pub enum ItemProof<'a> {
    /// Nothing: the public view only.
    Nothing,
    /// The last four digits of the phone given with the item: the slow fallback, counted.
    Phone(&'a PhoneLast4),
    /// The token of the tracking link (`k`), as received.
    Link(&'a str),
}

/// Who acts on an item.
#[derive(Debug, Clone)]
pub enum Actor<'a> {
    /// The submitter (tracking code plus phone proof).
    Citizen,
    /// A staff member.
    Staff(&'a StaffSession),
}

/// What a staff action carries.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    /// The target agency of a forward.
    pub agency_code: Option<String>,
    /// The answer, the request for information, the reason of a refusal, or a note.
    pub text: Option<String>,
    /// The classification given with a forward: `rules` or `conduct` (optional).
    pub topic: Option<String>,
    /// The public text the officer approved for a publication (as typed; checked before use).
    /// `None` publishes the machine-masked text as previewed.
    pub approved: Option<PublicText>,
}

/// What publication would show, as the machine masked it, and what it masked: the officer reviews
/// (and may edit) it before publishing.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The machine-masked subject, question and answer.
    pub text: PublicText,
    /// What was replaced.
    pub masked: Vec<masking::Masked>,
}

fn db_error(error: impl Into<anyhow::Error>) -> AppError {
    AppError::internal(error.into())
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::with_message(Code::InvalidSubmission, message)
}

/// The refusal of input `field` (its machine name); the message names it by its label.
fn invalid_field(field: &'static str, message: impl Into<String>) -> AppError {
    invalid(message).field(field)
}

impl IntakeService {
    /// A service over `pool` with these deadlines and limits.
    pub fn new(pool: Pool, settings: IntakeSettings) -> Self {
        Self {
            pool,
            settings: Arc::new(settings),
            vote_salt: tokio::sync::OnceCell::new(),
            answer_notices: None,
            public_numbers: Vec::new(),
            tracking_keys: None,
        }
    }

    /// Issues and checks tracking links with these keys.
    pub fn with_tracking_keys(mut self, keyring: crate::domain::QrKeyring) -> Self {
        self.tracking_keys = Some(keyring);
        self
    }

    /// The token of `tracking_code`'s tracking link, when links are issued.
    pub fn tracking_token(&self, tracking_code: &str) -> Option<String> {
        self.tracking_keys
            .as_ref()
            .map(|keys| keys.sign_tracking(tracking_code).to_string())
    }

    /// The address (path and query) where the submitter follows `tracking_code`: with the
    /// token that opens it when links are issued.
    pub fn tracking_link(&self, tracking_code: &str) -> String {
        match self.tracking_token(tracking_code) {
            Some(token) => format!("/theo-doi?ma={tracking_code}&k={token}"),
            None => format!("/theo-doi?ma={tracking_code}"),
        }
    }

    /// Whether `proof` shows that `item` is the caller's: `Ok(false)` for nothing or wrong
    /// digits; a link whose token does not verify is an error of its own (it is not a guess at
    /// the digits and is not counted).
    fn proven(&self, proof: ItemProof<'_>, item: &Item) -> Result<bool, AppError> {
        match proof {
            ItemProof::Nothing => Ok(false),
            ItemProof::Phone(digits) => Ok(proves(Some(digits), item)),
            ItemProof::Link(raw) => {
                let valid = self.tracking_keys.as_ref().is_some_and(|keys| {
                    crate::domain::QrToken::parse(raw).is_ok_and(|token| {
                        matches!(
                            keys.verify_tracking(&item.tracking_code, &token, Utc::now()),
                            crate::domain::TokenCheck::Valid { .. }
                        )
                    })
                });
                if valid {
                    Ok(true)
                } else {
                    Err(AppError::new(Code::TrackingLinkInvalid))
                }
            }
        }
    }

    /// Leaves these public numbers (as written, e.g. the province's hotline) unmasked on
    /// publication, besides the agencies' desk phones in the catalog.
    pub fn with_public_numbers(mut self, numbers: Vec<String>) -> Self {
        self.public_numbers = numbers;
        self
    }

    /// Texts submitters who gave a phone when their answer is published.
    pub fn with_answer_notices(
        mut self,
        notices: Option<crate::notify::answers::AnswerNotices>,
    ) -> Self {
        self.answer_notices = notices;
        self
    }

    /// The settings in use.
    pub fn settings(&self) -> &IntakeSettings {
        &self.settings
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, AppError> {
        self.pool
            .get()
            .await
            .map_err(|e| AppError::unavailable(Some(e.into())))
    }

    /// Stores a submission, routes it and returns the stored item (with its tracking code).
    pub async fn submit(&self, submission: &Submission) -> Result<Item, AppError> {
        self.submit_at(submission, Utc::now()).await
    }

    /// [`Self::submit`] as if received at `now` (deadlines and tracking code follow it): for
    /// items entered after the fact, and for tests of the deadline rules.
    pub async fn submit_at(
        &self,
        submission: &Submission,
        now: DateTime<Utc>,
    ) -> Result<Item, AppError> {
        self.submit_inner(submission, now, None).await
    }

    /// [`Self::submit`] of an entry a staff member (a hotline operator, the desk head) typed
    /// on a caller's behalf: the history names who entered it.
    pub async fn submit_entered_by(
        &self,
        submission: &Submission,
        session: &StaffSession,
    ) -> Result<Item, AppError> {
        session.require(&[Role::Operator, Role::DeskHead])?;
        self.submit_inner(submission, Utc::now(), Some(session))
            .await
    }

    /// [`Self::submit_entered_by`] received at `received_at`: a hotline call's start, so the
    /// deadlines run from when the caller spoke, not from when the operator finished typing.
    pub async fn submit_entered_by_at(
        &self,
        submission: &Submission,
        session: &StaffSession,
        received_at: DateTime<Utc>,
    ) -> Result<Item, AppError> {
        session.require(&[Role::Operator, Role::DeskHead])?;
        self.submit_inner(submission, received_at, Some(session))
            .await
    }

    /// Stores a submission in one transaction: routes it, numbers it, records the submission
    /// (and the routing, when a rule or the submitter named the agency) in its history.
    async fn submit_inner(
        &self,
        submission: &Submission,
        now: DateTime<Utc>,
        entered_by: Option<&StaffSession>,
    ) -> Result<Item, AppError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let (agency, routed_by) = route(&tx, submission).await?;
        let calendar = load_calendar(&tx).await.map_err(AppError::internal)?;
        let tracking_code = next_tracking_code(&tx, submission.kind, now).await?;
        let mut item = self.received_item(submission, tracking_code, routed_by, &calendar, now);
        let mut history = vec![submitted_history(submission, entered_by, now)];
        if let Some(agency) = agency {
            self.forward_to(&calendar, &mut item, agency.clone(), now);
            history.push(routed_history(agency, routed_by, now));
        }
        item.id = insert_with_history(&tx, &item, &history).await?;
        self.notify_received(&tx, &item).await?;
        // Read back with the names joined (the routed agency's, the commune's) for the answer.
        if let Some(stored) = db::intake::find_item(&tx, &item.tracking_code, None)
            .await
            .map_err(db_error)?
        {
            item = stored;
        }
        tx.commit().await.map_err(db_error)?;
        tracing::info!(
            intake.code = %item.tracking_code,
            intake.routed_by = routed_by,
            "intake item {} received ({routed_by})",
            item.tracking_code
        );
        Ok(item)
    }

    /// A new item as received at `now`: the submission's fields, waiting to be classified.
    fn received_item(
        &self,
        submission: &Submission,
        tracking_code: String,
        routed_by: &str,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Item {
        Item {
            id: 0,
            tracking_code,
            kind: submission.kind,
            channel: submission.channel,
            submitter_name: submission.name.clone(),
            submitter_phone: submission.phone.as_ref().map(|p| p.e164().to_owned()),
            submitter_email: submission.email.clone(),
            submitter_address: submission.address.clone(),
            subject: submission.subject.clone(),
            body: submission.body.clone(),
            dossier_code: submission.dossier_code.clone(),
            procedure_code: submission.procedure_code.clone(),
            level: submission.level.clone(),
            commune_code: submission.commune_code.clone(),
            agency_code: None,
            routed_by: routed_by.to_owned(),
            is_public: submission.is_public,
            state: State::Received,
            received_at: now,
            classify_due_at: Some(calendar.add_working_days(now, self.settings.classify_days)),
            forwarded_at: None,
            refuse_due_at: None,
            info_due_at: None,
            handle_due_at: None,
            info_requested_at: None,
            info_request: None,
            answer: None,
            answered_at: None,
            answered_by: None,
            publish_due_at: None,
            refuse_reason: None,
            closed_at: None,
            public_subject: None,
            public_body: None,
            public_answer: None,
            masked: None,
            search_doc: None,
            published_at: None,
            answer_notice_pending: false,
            helpful_votes: 0,
            unhelpful_votes: 0,
            agency_name: None,
            topic: None,
            commune_name: None,
        }
    }

    fn forward_to(
        &self,
        calendar: &WorkingCalendar,
        item: &mut Item,
        agency: String,
        now: DateTime<Utc>,
    ) {
        let s = &self.settings;
        item.agency_code = Some(agency);
        item.state = State::Forwarded;
        item.forwarded_at = Some(now);
        item.refuse_due_at = Some(calendar.add_working_days(now, s.refuse_days));
        item.info_due_at = Some(calendar.add_working_days(now, s.info_request_days));
        item.handle_due_at = Some(calendar.add_working_days(now, s.handle_days));
    }

    /// An item for the staff console, with its history and overdue flag, if within the scope.
    pub async fn staff_item(
        &self,
        session: &StaffSession,
        tracking_code: &str,
    ) -> Result<(Item, Vec<HistoryEntry>, bool), AppError> {
        session.require(&[Role::DeskHead, Role::AgencyOfficer])?;
        let client = self.client().await?;
        let item = db::intake::find_item(&client, tracking_code, session.scope())
            .await
            .map_err(db_error)?
            .ok_or_else(|| AppError::new(Code::ItemNotFound))?;
        let history = db::intake::list_history(&client, item.id)
            .await
            .map_err(db_error)?;
        let overdue = db::intake::is_overdue(&client, item.id)
            .await
            .map_err(db_error)?;
        Ok((item, history, overdue))
    }

    /// The staff inbox within the session's scope.
    pub async fn inbox(
        &self,
        session: &StaffSession,
        filter: &InboxFilter,
    ) -> Result<Vec<(Item, bool)>, AppError> {
        session.require(&[Role::DeskHead, Role::AgencyOfficer])?;
        let client = self.client().await?;
        db::intake::list_inbox(&client, session.scope(), filter)
            .await
            .map_err(db_error)
    }

    /// A staff action on an item: checks role, scope and state, applies it with its deadlines,
    /// appends history, all in one transaction. Returns the updated item.
    pub async fn act(
        &self,
        session: &StaffSession,
        tracking_code: &str,
        action: Action,
        input: &ActionInput,
    ) -> Result<Item, AppError> {
        match action {
            Action::Forward | Action::Classify => session.require(&[Role::DeskHead])?,
            Action::Start
            | Action::RequestInfo
            | Action::Answer
            | Action::Refuse
            | Action::Publish
            | Action::Unpublish => session.require(&[Role::DeskHead, Role::AgencyOfficer])?,
            _ => return Err(AppError::new(Code::Forbidden)),
        }
        self.transition(
            Actor::Staff(session),
            tracking_code,
            action,
            input,
            ItemProof::Nothing,
        )
        .await
    }

    /// A citizen's action on their own item (supplement, withdraw), proven by the tracking link
    /// or the phone digits.
    pub async fn citizen_act(
        &self,
        tracking_code: &str,
        proof: ItemProof<'_>,
        action: Action,
        text: Option<String>,
    ) -> Result<Item, AppError> {
        if !matches!(action, Action::Supplement | Action::Withdraw) {
            return Err(AppError::new(Code::Forbidden));
        }
        let input = ActionInput {
            agency_code: None,
            text,
            topic: None,
            approved: None,
        };
        self.transition(Actor::Citizen, tracking_code, action, &input, proof)
            .await
    }

    /// One action on one item in one transaction: lock the item within the actor's reach, check
    /// the citizen's proof and the state machine, apply the action, write the item and its
    /// history row.
    async fn transition(
        &self,
        actor: Actor<'_>,
        tracking_code: &str,
        action: Action,
        input: &ActionInput,
        proof: ItemProof<'_>,
    ) -> Result<Item, AppError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let mut item = lock_for(&tx, &actor, tracking_code).await?;
        if matches!(actor, Actor::Citizen) && !self.proven(proof, &item)? {
            return Err(AppError::new(match proof {
                ItemProof::Nothing => Code::ProofRequired,
                _ => Code::ProofRejected,
            }));
        }
        let from = item.state;
        let to = allowed_next(from, action)?;
        let clock = Clock {
            calendar: load_calendar(&tx).await.map_err(AppError::internal)?,
            now: Utc::now(),
        };
        let (note, publication) = self
            .apply(&tx, &actor, &mut item, action, input, &clock)
            .await?;
        item.state = to;
        db::intake::update_item(&tx, &item)
            .await
            .map_err(db_error)?;
        let mut history = transition_history(&actor, &item, action, from, note, clock.now);
        history.publication = publication;
        db::intake::insert_history(&tx, item.id, &history)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::info!(
            intake.code = %item.tracking_code,
            intake.action = action.as_str(),
            "intake item {}: {} → {}",
            item.tracking_code,
            from.as_str(),
            to.as_str()
        );
        Ok(item)
    }

    /// Makes `action`'s own changes to the locked item (the caller sets its new state) and
    /// returns the note its history row keeps (and, of a publication, both texts).
    async fn apply(
        &self,
        tx: &impl GenericClient,
        actor: &Actor<'_>,
        item: &mut Item,
        action: Action,
        input: &ActionInput,
        clock: &Clock,
    ) -> Result<(Option<String>, Option<Publication>), AppError> {
        let text = self.action_text(action, input.text.as_deref())?;
        let now = clock.now;
        match action {
            Action::Forward => self.forward(tx, item, input, clock).await?,
            Action::Start => {}
            Action::RequestInfo => {
                item.info_requested_at = Some(now);
                item.info_request = text.clone();
            }
            Action::Supplement => supplement(item, text.as_deref().unwrap_or_default(), clock)?,
            Action::Answer => {
                self.answer(item, actor, text, clock);
                self.notify_answered(tx, item).await?;
                // The answer is kept on the item; its history row carries no copy.
                return Ok((None, None));
            }
            Action::Publish => {
                let publication = self
                    .publish_answer(tx, item, input.approved.as_ref(), now)
                    .await?;
                return Ok((None, Some(publication)));
            }
            Action::Unpublish => item.answer_notice_pending = false,
            Action::Refuse => {
                item.refuse_reason = text.clone();
                item.closed_at = Some(now);
            }
            Action::Withdraw => item.closed_at = Some(now),
            Action::Classify => return Ok((Some(classify(item, input.topic.as_deref())?), None)),
            Action::Submit | Action::Route => return Err(AppError::new(Code::Forbidden)),
        }
        Ok((text, None))
    }

    /// Forwards (or transfers) the item to the agency the desk head chose, with the optional
    /// classification; the agency's deadlines run from now.
    async fn forward(
        &self,
        tx: &impl GenericClient,
        item: &mut Item,
        input: &ActionInput,
        clock: &Clock,
    ) -> Result<(), AppError> {
        let raw = input.agency_code.as_deref().unwrap_or("");
        let agency = AgencyCode::parse(raw)
            .map_err(|e| invalid_field("agency_code", format!("Cơ quan: {}", e.message())))?;
        living_agency(tx, agency.as_str()).await?;
        if item.agency_code.as_deref() == Some(agency.as_str()) && item.state != State::Received {
            return Err(invalid("Mục này đã ở cơ quan đó."));
        }
        if let Some(topic) = parse_topic(input.topic.as_deref())? {
            item.topic = Some(topic.to_owned());
        }
        self.forward_to(&clock.calendar, item, agency.as_str().to_owned(), clock.now);
        item.routed_by = "desk".to_owned();
        Ok(())
    }

    /// Records the agency's answer; a public item is due for publication within
    /// `publish_days` working days.
    fn answer(&self, item: &mut Item, actor: &Actor<'_>, text: Option<String>, clock: &Clock) {
        item.answer = text;
        item.answered_at = Some(clock.now);
        item.answered_by = match actor {
            Actor::Staff(session) => Some(session.account_id),
            Actor::Citizen => None,
        };
        item.publish_due_at = item.is_public.then(|| {
            clock
                .calendar
                .add_working_days(clock.now, self.settings.publish_days)
        });
    }

    /// Publishes the answer, if the submitter agreed to publication: the text the officer
    /// approved, or without one the machine-masked text, and owes the submitter a text saying
    /// so. Returns both texts for the history.
    async fn publish_answer(
        &self,
        tx: &impl GenericClient,
        item: &mut Item,
        approved: Option<&PublicText>,
        now: DateTime<Utc>,
    ) -> Result<Publication, AppError> {
        if !item.is_public {
            return Err(AppError::with_message(
                Code::InvalidTransition,
                "Người gửi không đồng ý công khai: không thể công khai mục này.",
            ));
        }
        let public = self.public_numbers(tx).await?;
        let preview = machine_masked(item, &public);
        let approved = match approved {
            Some(raw) => self.approved_text(raw)?,
            None => preview.text.clone(),
        };
        item.search_doc = Some(format!(
            "{}\n{}\n{}",
            approved.subject, approved.question, approved.answer
        ));
        item.public_subject = Some(approved.subject.clone());
        item.public_body = Some(approved.question.clone());
        item.public_answer = Some(approved.answer.clone());
        item.masked = serde_json::to_value(&preview.masked).ok();
        item.published_at = Some(now);
        self.notify_answer_published(tx, item).await?;
        Ok(Publication {
            machine: preview.text,
            approved,
        })
    }

    /// What publication of `item` would show, masked by the machine, for the officer to review
    /// and edit first.
    pub async fn preview_publication(&self, item: &Item) -> Result<Preview, AppError> {
        let client = self.client().await?;
        let public = self.public_numbers(&client).await?;
        Ok(machine_masked(item, &public))
    }

    /// The numbers publication leaves alone: every agency's desk phone in the catalog and the
    /// configured ones.
    async fn public_numbers(
        &self,
        client: &impl GenericClient,
    ) -> Result<masking::PublicNumbers, AppError> {
        let listed = db::intake::list_public_phones(client)
            .await
            .map_err(db_error)?;
        Ok(masking::PublicNumbers::from_listings(
            listed
                .iter()
                .chain(self.public_numbers.iter())
                .map(String::as_str),
        ))
    }

    /// The public text as the officer approved it: each part cleaned, present and within the
    /// limits of a submission.
    fn approved_text(&self, raw: &PublicText) -> Result<PublicText, AppError> {
        let check = |label: &str, text: String, max: usize| {
            if text.is_empty() {
                Err(invalid(format!("{label}: bắt buộc.")))
            } else if char_len(&text) > max {
                Err(invalid(format!("{label}: dài quá {max} ký tự.")))
            } else {
                Ok(text)
            }
        };
        let clean = crate::domain::text::clean_multiline;
        Ok(PublicText {
            subject: check(
                "Tiêu đề công khai",
                crate::domain::text::clean_line(&raw.subject),
                self.settings.max_subject_chars,
            )?,
            question: check(
                "Nội dung câu hỏi công khai",
                clean(&raw.question),
                MAX_STORED_BODY_CHARS,
            )?,
            answer: check(
                "Nội dung trả lời công khai",
                clean(&raw.answer),
                self.settings.max_body_chars,
            )?,
        })
    }

    /// The receipt SMS with the private tracking link, queued in the submission transaction
    /// when the submitter gave a phone, SMS sending is configured and links are issued.
    async fn notify_received(
        &self,
        client: &impl GenericClient,
        item: &Item,
    ) -> Result<(), AppError> {
        let (Some(phone), Some(notices)) = (item.submitter_phone.as_deref(), &self.answer_notices)
        else {
            return Ok(());
        };
        if self.tracking_keys.is_none() {
            return Ok(());
        }
        let body = notices
            .received_text(
                item.kind == Kind::Question,
                &item.tracking_code,
                &self.tracking_link(&item.tracking_code),
            )
            .map_err(AppError::internal)?;
        let dedupe_key = format!("received:{}", item.tracking_code);
        crate::notify::outbox::enqueue(
            client,
            &crate::notify::outbox::NewSms {
                recipient: phone,
                body: &body,
                kind: "received",
                dedupe_key: &dedupe_key,
                dossier_code: None,
                not_before: None,
            },
        )
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// The "answered" SMS, queued in the answering transaction through the SMS outbox when the
    /// submitter gave a phone, whether the item is public or private: the tracking code and
    /// where to read the answer (the tracking link), never the answer. It shares its dedupe key
    /// with the "answer published" notice, so answering, publishing later, publishing again
    /// and retries text the submitter once. Where SMS sending is not configured the owed notice
    /// stays recorded on the item (`answer_notice_pending`).
    async fn notify_answered(
        &self,
        client: &impl GenericClient,
        item: &mut Item,
    ) -> Result<(), AppError> {
        let Some(notices) = self.answer_notices_for(item) else {
            return Ok(());
        };
        let body = notices
            .answered_text(
                item.kind == Kind::Question,
                &item.tracking_code,
                &self.tracking_link(&item.tracking_code),
            )
            .map_err(AppError::internal)?;
        queue_answer_notice(client, item, "answered", &body).await
    }

    /// The "answer published" SMS, queued in the publish transaction through the SMS outbox
    /// when the submitter gave a phone. An item answered since the "answered" notice exists was
    /// told already: the shared dedupe key queues nothing then, so only an item answered before
    /// it is texted here, once (publishing again after an unpublish texts nobody twice). Where
    /// SMS sending is not configured the owed notice stays recorded on the item
    /// (`answer_notice_pending`).
    async fn notify_answer_published(
        &self,
        client: &impl GenericClient,
        item: &mut Item,
    ) -> Result<(), AppError> {
        let Some(notices) = self.answer_notices_for(item) else {
            return Ok(());
        };
        let question = item.kind == Kind::Question;
        let body = notices
            .text(question, &item.tracking_code)
            .map_err(AppError::internal)?;
        queue_answer_notice(client, item, "answer_published", &body).await
    }

    /// The notices to text `item`'s submitter with, when they gave a phone and SMS sending is
    /// configured. Without a phone nothing is owed; without SMS sending the notice is recorded
    /// as owed on the item.
    fn answer_notices_for(
        &self,
        item: &mut Item,
    ) -> Option<&crate::notify::answers::AnswerNotices> {
        if item.submitter_phone.is_none() {
            item.answer_notice_pending = false;
            return None;
        }
        if self.answer_notices.is_none() {
            item.answer_notice_pending = true;
        }
        self.answer_notices.as_ref()
    }

    /// Whether submitters who give a phone are texted when their item is answered (SMS sending
    /// is configured): what the forms promise up front.
    pub fn texts_submitters(&self) -> bool {
        self.answer_notices.is_some()
    }

    /// Whether the submitter of `item` is texted when it is answered: they gave a phone and SMS
    /// sending is configured. Otherwise they follow it on the tracking page.
    pub fn texts_answers(&self, item: &Item) -> bool {
        item.submitter_phone.is_some() && self.answer_notices.is_some()
    }

    /// The cleaned text an action needs (answer, request, reason), or `None` for actions without.
    fn action_text(&self, action: Action, raw: Option<&str>) -> Result<Option<String>, AppError> {
        let needs = match action {
            Action::Answer => Some("Nội dung trả lời"),
            Action::RequestInfo => Some("Nội dung đề nghị bổ sung"),
            Action::Refuse => Some("Lý do từ chối"),
            Action::Supplement => Some("Nội dung bổ sung"),
            _ => None,
        };
        let Some(label) = needs else {
            return Ok(None);
        };
        let text = crate::domain::text::clean_multiline(raw.unwrap_or(""));
        if text.is_empty() {
            return Err(invalid_field("text", format!("{label}: bắt buộc.")));
        }
        let max = self.settings.max_body_chars;
        if char_len(&text) > max {
            return Err(invalid_field(
                "text",
                format!("{label}: dài quá {max} ký tự."),
            ));
        }
        Ok(Some(text))
    }

    /// A submitter's or the public's view of an item by tracking code. Private items need the
    /// tracking link or the phone digits; with either (`proven`), the submitter also sees their
    /// own text.
    pub async fn track(
        &self,
        tracking_code: &str,
        proof: ItemProof<'_>,
    ) -> Result<(Item, bool, bool), AppError> {
        let client = self.client().await?;
        let item = db::intake::find_item(&client, tracking_code, None)
            .await
            .map_err(db_error)?
            .ok_or_else(|| AppError::new(Code::ItemNotFound))?;
        let proven = self.proven(proof, &item)?;
        if matches!(proof, ItemProof::Phone(_)) && !proven {
            return Err(AppError::new(Code::ProofRejected));
        }
        if !item.is_public && !proven {
            return Err(AppError::new(Code::ProofRequired));
        }
        let overdue = db::intake::is_overdue(&client, item.id)
            .await
            .map_err(db_error)?;
        Ok((item, proven, overdue))
    }

    /// Published items, newest first, optionally searched (case and diacritics ignored).
    pub async fn published(
        &self,
        kind: Option<Kind>,
        agency_code: Option<&str>,
        query: &str,
        page: i64,
    ) -> Result<Vec<Item>, AppError> {
        let words: Vec<String> = crate::domain::text::clean_line(query)
            .split_whitespace()
            .take(10)
            .map(|w| w.chars().take(50).collect())
            .collect();
        let limit = self.settings.page_size;
        let offset = (page.max(1) - 1).saturating_mul(limit);
        let client = self.client().await?;
        db::intake::list_published(&client, kind, agency_code, &words, limit, offset)
            .await
            .map_err(db_error)
    }

    /// One published item.
    pub async fn published_item(&self, tracking_code: &str) -> Result<Item, AppError> {
        let client = self.client().await?;
        db::intake::find_item(&client, tracking_code, None)
            .await
            .map_err(db_error)?
            .filter(|i| i.state == State::Published)
            .ok_or_else(|| AppError::new(Code::ItemNotFound))
    }

    /// Records a helpfulness vote; a voter (device or phone, hashed) votes once per item.
    pub async fn vote(
        &self,
        tracking_code: &str,
        voter: &str,
        helpful: bool,
    ) -> Result<(i32, i32), AppError> {
        let item = self.published_item(tracking_code).await?;
        let client = self.client().await?;
        let salt = self
            .vote_salt
            .get_or_try_init(|| async {
                let candidate = crate::staff::tokens::random_token();
                db::intake::get_or_insert_fact(&client, "vote_salt", &candidate).await
            })
            .await
            .map_err(db_error)?;
        let hash = crate::staff::tokens::token_hash(&format!("vote:{salt}:{voter}"));
        db::intake::insert_vote(&client, item.id, &hash, helpful)
            .await
            .map_err(db_error)?
            .ok_or_else(|| AppError::new(Code::AlreadyVoted))
    }

    /// The indicators of items received in `[from, to)`, and feedback counts by topic.
    pub async fn indicators(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<IndicatorCounts>, Vec<(Option<String>, i64)>), AppError> {
        let client = self.client().await?;
        let rows = db::intake::list_indicators(&client, from, to)
            .await
            .map_err(db_error)?;
        let topics = db::intake::list_topic_counts(&client, from, to)
            .await
            .map_err(db_error)?;
        Ok((rows, topics))
    }

    /// Agencies for pick lists.
    pub async fn agencies(&self) -> Result<Vec<db::intake::AgencyOption>, AppError> {
        let client = self.client().await?;
        db::intake::list_agencies(&client).await.map_err(db_error)
    }

    /// The communes (xã, phường, đặc khu) that receive dossiers today, for a submitter to choose
    /// their own, in alphabetical order.
    pub async fn communes(&self) -> Result<Vec<db::intake::AgencyOption>, AppError> {
        let client = self.client().await?;
        db::intake::list_communes(&client).await.map_err(db_error)
    }

    /// The levels of government of today (`agency_levels` without the historical ones), in
    /// their order, for pick lists of a procedure's level.
    pub async fn current_levels(&self) -> Result<Vec<db::catalog::LevelRow>, AppError> {
        let client = self.client().await?;
        let levels = db::catalog::level_rows(&client).await.map_err(db_error)?;
        Ok(levels.into_iter().filter(|l| !l.historical).collect())
    }
}

/// The working calendar every intake and hotline deadline runs on, as the database has it now.
pub async fn load_calendar(client: &impl GenericClient) -> anyhow::Result<WorkingCalendar> {
    db::calendar::load(client).await
}

/// The next tracking code of `kind` for the Vietnam day of `now`: `HD.20261123.0001`,
/// `PAKN.20261123.0001`, numbered per kind and day.
async fn next_tracking_code(
    client: &impl GenericClient,
    kind: Kind,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let day = now.with_timezone(&vn_offset()).date_naive();
    let seq = db::intake::next_sequence(client, kind, day)
        .await
        .map_err(db_error)?;
    Ok(tracking_code(kind, day, seq))
}

/// The tracking code of the `seq`th item of `kind` on `day`: `HD.20261123.0001`.
pub fn tracking_code(kind: Kind, day: chrono::NaiveDate, seq: i32) -> String {
    format!("{}.{}.{seq:04}", kind.prefix(), day.format("%Y%m%d"))
}

/// The first history row: who submitted, through which channel (or which staff member typed it
/// on the submitter's behalf).
fn submitted_history(
    submission: &Submission,
    entered_by: Option<&StaffSession>,
    now: DateTime<Utc>,
) -> HistoryEntry {
    HistoryEntry {
        at: now,
        action: Action::Submit,
        from_state: None,
        to_state: State::Received,
        actor_kind: if entered_by.is_some() {
            "staff"
        } else {
            "citizen"
        }
        .to_owned(),
        actor_id: entered_by.map(|s| s.account_id),
        actor_label: match entered_by {
            Some(session) => format!(
                "{} ghi nhận thay người gửi (kênh {})",
                session.actor_label(),
                submission.channel.label()
            ),
            None => format!("Người gửi (kênh {})", submission.channel.label()),
        },
        agency_code: None,
        note: None,
        publication: None,
    }
}

/// The history row of routing at submission: to `agency`, for the reason `routed_by` names.
fn routed_history(agency: String, routed_by: &str, now: DateTime<Utc>) -> HistoryEntry {
    HistoryEntry {
        at: now,
        action: Action::Route,
        from_state: Some(State::Received),
        to_state: State::Forwarded,
        actor_kind: "system".to_owned(),
        actor_id: None,
        actor_label: "Hệ thống (quy tắc định tuyến)".to_owned(),
        agency_code: Some(agency),
        note: Some(routed_note(routed_by).to_owned()),
        publication: None,
    }
}

/// Stores a new item and its first history rows; returns the item's id.
async fn insert_with_history(
    client: &impl GenericClient,
    item: &Item,
    history: &[HistoryEntry],
) -> Result<i64, AppError> {
    let id = db::intake::insert_item(client, item)
        .await
        .map_err(db_error)?;
    for row in history {
        db::intake::insert_history(client, id, row)
            .await
            .map_err(db_error)?;
    }
    Ok(id)
}

/// Queues `item`'s one notice of its answer (`kind`: `answered` or `answer_published`) to the
/// phone it gave, under the dedupe key both share, inside the caller's transaction; nothing is
/// owed afterwards. A key already used queues nothing.
async fn queue_answer_notice(
    client: &impl GenericClient,
    item: &mut Item,
    kind: &str,
    body: &str,
) -> Result<(), AppError> {
    let Some(phone) = item.submitter_phone.as_deref() else {
        return Ok(());
    };
    let dedupe_key = format!("answer_published:{}", item.tracking_code);
    crate::notify::outbox::enqueue(
        client,
        &crate::notify::outbox::NewSms {
            recipient: phone,
            body,
            kind,
            dedupe_key: &dedupe_key,
            dossier_code: None,
            not_before: None,
        },
    )
    .await
    .map_err(db_error)?;
    item.answer_notice_pending = false;
    Ok(())
}

/// When an action happens and the working calendar its deadlines are counted on.
struct Clock {
    calendar: WorkingCalendar,
    now: DateTime<Utc>,
}

/// The item, locked until the transaction ends, if the actor may reach it: staff only within
/// their scope; anything else is "not found".
async fn lock_for(
    client: &impl GenericClient,
    actor: &Actor<'_>,
    tracking_code: &str,
) -> Result<Item, AppError> {
    let scope = match actor {
        Actor::Staff(session) => session.scope(),
        Actor::Citizen => None,
    };
    db::intake::lock_item(client, tracking_code, scope)
        .await
        .map_err(db_error)?
        .ok_or_else(|| AppError::new(Code::ItemNotFound))
}

/// Whether `proof` matches the last four digits of the submitter's phone (an item without a
/// phone is proven by nothing).
fn proves(proof: Option<&PhoneLast4>, item: &Item) -> bool {
    match (proof, item.submitter_phone.as_deref()) {
        (Some(proof), Some(phone)) => proof.matches(&phone[phone.len().saturating_sub(4)..]),
        _ => false,
    }
}

/// The state `action` leads to from `from`, or the refusal naming both.
fn allowed_next(from: State, action: Action) -> Result<State, AppError> {
    next_state(from, action).ok_or_else(|| {
        AppError::with_message(
            Code::InvalidTransition,
            format!(
                "Không thể “{}” khi trạng thái là “{}”.",
                action.label(),
                from.label()
            ),
        )
    })
}

/// The classification given with a forward: `None` leaves the item's as it is.
fn parse_topic(raw: Option<&str>) -> Result<Option<&str>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(topic @ ("rules" | "conduct")) => Ok(Some(topic)),
        Some(_) => Err(invalid_field(
            "topic",
            "Phân loại: cần chọn “Quy định, chính sách, thủ tục hành chính” hoặc “Hành vi, thái độ của cán bộ”.",
        )),
    }
}

/// Gives a feedback item the topic the desk head chose, wherever the item is and without moving
/// it (indicator 5.1 of Decision 766 counts feedback by topic); returns the note of its history
/// row.
fn classify(item: &mut Item, raw: Option<&str>) -> Result<String, AppError> {
    if item.kind != Kind::Feedback {
        return Err(invalid_field(
            "topic",
            "Phân loại: chỉ phản ánh, kiến nghị được phân loại theo nhóm.",
        ));
    }
    let topic =
        parse_topic(raw)?.ok_or_else(|| invalid_field("topic", "Phân loại: hãy chọn một nhóm."))?;
    item.topic = Some(topic.to_owned());
    Ok(format!(
        "Phân loại: {}",
        crate::domain::intake::topic_label(topic).unwrap_or(topic)
    ))
}

/// Adds what the submitter supplied to the body, stamped with the time. The handling clock
/// stopped while the submitter was asked: what was left of it runs from now.
fn supplement(item: &mut Item, addition: &str, clock: &Clock) -> Result<(), AppError> {
    let calendar = &clock.calendar;
    if let (Some(asked), Some(due)) = (item.info_requested_at, item.handle_due_at) {
        let left = calendar.working_minutes_between(asked, due).max(0);
        item.handle_due_at = Some(calendar.add_working_hours(clock.now, left));
    }
    let local = clock
        .now
        .with_timezone(&vn_offset())
        .format("%H:%M %d/%m/%Y");
    let body = format!("{}\n\n[Bổ sung lúc {local}]\n{addition}", item.body);
    if char_len(&body) > MAX_STORED_BODY_CHARS {
        return Err(invalid("Nội dung sau khi bổ sung quá dài."));
    }
    item.body = body;
    Ok(())
}

/// The history row of a transition: who acted, from which state to which, and the note.
fn transition_history(
    actor: &Actor<'_>,
    item: &Item,
    action: Action,
    from: State,
    note: Option<String>,
    now: DateTime<Utc>,
) -> HistoryEntry {
    let (actor_kind, actor_id, actor_label) = match actor {
        Actor::Staff(session) => ("staff", Some(session.account_id), session.actor_label()),
        Actor::Citizen => ("citizen", None, "Người gửi".to_owned()),
    };
    HistoryEntry {
        at: now,
        action,
        from_state: Some(from),
        to_state: item.state,
        actor_kind: actor_kind.to_owned(),
        actor_id,
        actor_label,
        agency_code: item.agency_code.clone(),
        note,
        publication: None,
    }
}

fn routed_note(routed_by: &str) -> &'static str {
    match routed_by {
        "explicit" => "Người gửi chọn cơ quan",
        "commune" => "Xã, phường, đặc khu người gửi chọn (thủ tục cấp xã)",
        "dossier" => "Cơ quan đang giải quyết hồ sơ",
        "procedure" => "Cơ quan giải quyết thủ tục ở cấp người gửi chọn",
        _ => "Chờ phân loại",
    }
}

/// Where a submission goes (decision 0049):
///
/// 1. the agency the submitter chose;
/// 2. for a procedure settled by the communes (a level of the local tier: the procedure's level
///    in the catalog, else that of the dossier's procedure, else the level chosen), the commune
///    the submitter chose, else the commune that received the dossier (or its one living
///    successor among the communes);
/// 3. the agency handling the dossier (or its one living successor);
/// 4. the routing rule of the procedure at the level chosen (or its only rule), rules at a
///    historical level left out;
/// 5. otherwise the desk head's queue.
///
/// References that do not exist, a level that is not a current one, and a commune that is not
/// one or no longer receives dossiers are refused.
async fn route(
    client: &impl GenericClient,
    submission: &Submission,
) -> Result<(Option<String>, &'static str), AppError> {
    let levels = db::catalog::level_rows(client).await.map_err(db_error)?;
    if let Some(level) = &submission.level {
        current_level(&levels, level)?;
    }
    let mut dossier_agency = None;
    let mut place = None;
    if let Some(code) = &submission.dossier_code {
        dossier_agency = db::intake::find_dossier_agency(client, code)
            .await
            .map_err(db_error)?;
        if dossier_agency.is_none() {
            return Err(invalid_field(
                "dossier_code",
                format!("Mã hồ sơ: không tìm thấy hồ sơ {code}."),
            ));
        }
        place = db::intake::find_dossier_place(client, code)
            .await
            .map_err(db_error)?;
    }
    let mut procedure_level = None;
    if let Some(code) = &submission.procedure_code {
        match db::intake::find_procedure_level(client, code)
            .await
            .map_err(db_error)?
        {
            Some(level) => procedure_level = level,
            None => {
                return Err(invalid_field(
                    "procedure_code",
                    format!("Thủ tục: {code} không có trong danh mục."),
                ))
            }
        }
    }
    if let Some(code) = &submission.commune_code {
        chosen_commune(client, code).await?;
    }
    if let Some(code) = &submission.agency_code {
        living_agency(client, code).await?;
        return Ok((Some(code.clone()), "explicit"));
    }
    let level = procedure_level
        .or_else(|| place.as_ref().and_then(|p| p.procedure_level.clone()))
        .or_else(|| submission.level.clone());
    let settled_by_communes = level
        .as_deref()
        .is_some_and(|level| levels.iter().any(|l| l.code == level && l.tier == "local"));
    if settled_by_communes {
        if let Some(commune) = &submission.commune_code {
            return Ok((Some(commune.clone()), "commune"));
        }
        match place {
            Some(place) if place.received_by_commune => {
                return Ok((Some(place.receiving_code), "dossier"));
            }
            Some(place) if place.commune_successors.len() == 1 => {
                return Ok((place.commune_successors.into_iter().next(), "dossier"));
            }
            _ => {}
        }
    }
    match dossier_agency {
        Some((agency, true, _)) => return Ok((Some(agency), "dossier")),
        // A dossier of a closed agency goes to its successor; with several, the desk chooses.
        Some((_, false, successors)) if successors.len() == 1 => {
            return Ok((successors.into_iter().next(), "dossier"));
        }
        Some((_, false, _)) => return Ok((None, "desk")),
        None => {}
    }
    if let Some(code) = &submission.procedure_code {
        let routes: Vec<_> = db::intake::list_routes(client, Some(code))
            .await
            .map_err(db_error)?
            .into_iter()
            .filter(|r| !r.historical)
            .collect();
        let chosen = match &submission.level {
            Some(level) => routes.iter().find(|r| &r.level == level),
            None if routes.len() == 1 => routes.first(),
            None => None,
        };
        if let Some(route) = chosen {
            return Ok((Some(route.agency_code.clone()), "procedure"));
        }
    }
    Ok((None, "desk"))
}

/// Refuses a level that is not a row of `agency_levels`, or one that no longer exists (the
/// district): new items are about the levels of today. The refusal lists them.
fn current_level(levels: &[db::catalog::LevelRow], code: &str) -> Result<(), AppError> {
    let current: Vec<String> = levels
        .iter()
        .filter(|l| !l.historical)
        .map(|l| l.label_vi.clone())
        .collect();
    match levels.iter().find(|l| l.code == code) {
        Some(level) if !level.historical => Ok(()),
        Some(level) => Err(invalid_field(
            "level",
            format!(
                "Cấp giải quyết: “{}” không còn tiếp nhận câu hỏi, phản ánh mới; hãy chọn một cấp hiện nay: {}.",
                level.label_vi,
                current.join(", ")
            ),
        )),
        None => Err(invalid_field(
            "level",
            format!(
                "Cấp giải quyết: {code} không có trong danh mục; các cấp hiện nay: {}.",
                current.join(", ")
            ),
        )),
    }
}

/// Refuses a commune that is not in the catalog, is not a commune (xã, phường, đặc khu) of
/// today, or no longer receives dossiers (naming what it became).
async fn chosen_commune(client: &impl GenericClient, code: &str) -> Result<(), AppError> {
    let refuse = |message: String| {
        AppError::with_message(Code::InvalidCommune, message).field("commune_code")
    };
    let label = "Xã, phường, đặc khu";
    let Some(commune) = db::intake::find_commune(client, code)
        .await
        .map_err(db_error)?
    else {
        return Err(refuse(format!("{label}: {code} không có trong danh mục.")));
    };
    if !commune.living {
        let since = commune
            .valid_until
            .map(|d| format!(" từ ngày {}", d.format("%d/%m/%Y")))
            .unwrap_or_default();
        let now = if commune.successors.is_empty() {
            "hãy chọn xã, phường, đặc khu hiện nay của mình".to_owned()
        } else {
            format!("nay là {}", commune.successors.join(", "))
        };
        return Err(refuse(format!(
            "{label}: {} đã ngừng tiếp nhận{since} (đã sáp nhập hoặc giải thể); {now}.",
            commune.name
        )));
    }
    if !commune.commune {
        return Err(refuse(format!(
            "{label}: {} không phải là xã, phường hay đặc khu.",
            commune.name
        )));
    }
    Ok(())
}

/// Refuses an agency that is not in the catalog, or that no longer receives dossiers (merged or
/// abolished: its history stays, but nothing new goes to it).
async fn living_agency(client: &impl GenericClient, code: &str) -> Result<(), AppError> {
    match db::intake::agency_living(client, code)
        .await
        .map_err(db_error)?
    {
        Some(true) => Ok(()),
        Some(false) => Err(invalid_field(
            "agency_code",
            format!(
                "Cơ quan: {code} đã ngừng tiếp nhận (đã sáp nhập hoặc giải thể); hãy chọn cơ quan tiếp nhận thay thế."
            ),
        )),
        None => Err(invalid_field(
            "agency_code",
            format!("Cơ quan: {code} không có trong danh mục."),
        )),
    }
}

/// The longest a question may grow with its supplements.
const MAX_STORED_BODY_CHARS: usize = 100_000;

/// The submitter's data the masker looks for in an item's texts.
pub fn submitter_of(item: &Item) -> masking::Submitter<'_> {
    masking::Submitter {
        name: item.submitter_name.as_deref(),
        address: item.submitter_address.as_deref(),
        phone: item.submitter_phone.as_deref(),
    }
}

/// The subject, question and answer with the submitter's personal data masked (except `public`
/// numbers), and what was masked.
fn machine_masked(item: &Item, public: &masking::PublicNumbers) -> Preview {
    let masker = masking::Masker::new(submitter_of(item), public);
    let (subject, mut masked) = masker.mask(&item.subject);
    let (question, more) = masker.mask(&item.body);
    masked.extend(more);
    let (answer, more) = masker.mask(item.answer.as_deref().unwrap_or(""));
    masked.extend(more);
    Preview {
        text: PublicText {
            subject,
            question,
            answer,
        },
        masked,
    }
}

/// A tracking code as typed: trimmed, uppercased, at most 32 characters of letters, digits, dots.
pub fn parse_tracking_code(raw: &str) -> Result<String, AppError> {
    let code = crate::domain::text::fold_width(raw.trim()).to_ascii_uppercase();
    let valid = !code.is_empty()
        && code.len() <= 32
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        && (code.starts_with("HD.") || code.starts_with("PAKN."));
    if valid {
        Ok(code)
    } else {
        Err(AppError::with_message(
            Code::InvalidInput,
            "Mã theo dõi không đúng định dạng (ví dụ HD.20261123.0001 hoặc PAKN.20261123.0001).",
        ))
    }
}

/// The period of an indicator endpoint (intake and hotline): Vietnam days, both included.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// Từ ngày, `YYYY-MM-DD` (giờ Việt Nam); rỗng là không giới hạn. / First day, `YYYY-MM-DD`
    /// (Vietnam time); empty for no bound.
    #[param(
        pattern = r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\s*$",
        example = "2026-01-01"
    )]
    pub from: Option<String>,
    /// Đến ngày, `YYYY-MM-DD`, tính cả ngày này; rỗng là không giới hạn. / Last day,
    /// `YYYY-MM-DD`, included; empty for no bound.
    #[param(
        pattern = r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\s*$",
        example = "2026-12-31"
    )]
    pub to: Option<String>,
}

/// A period's start and end (exclusive), each when given.
pub type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl IndicatorQuery {
    /// The start of `from` and the end of `to` (the next midnight), each when given.
    pub fn bounds(&self) -> Result<Bounds, AppError> {
        let from = parse_day(self.from.as_deref(), "from")?;
        let to = parse_day(self.to.as_deref(), "to")?.map(|day| day + Duration::days(1));
        Ok((from, to))
    }
}

/// The Vietnamese label of a period's bound (`from`, `to`), as the forms name it.
pub fn day_label(field: &str) -> &'static str {
    match field {
        "from" => "Từ ngày",
        "to" => "Đến ngày",
        _ => "Ngày",
    }
}

/// Parses an optional `YYYY-MM-DD` bound of a period (Vietnam dates); `field` is the
/// parameter's name (`from`, `to`), the message names it by its label.
pub fn parse_day(
    raw: Option<&str>,
    field: &'static str,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let day = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .with_context(|| format!("{field} is not YYYY-MM-DD"))
        .map_err(|_| {
            AppError::with_message(
                Code::InvalidInput,
                format!("{}: cần ngày dạng YYYY-MM-DD.", day_label(field)),
            )
            .field(field)
        })?;
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(local
        .and_local_timezone(vn_offset())
        .single()
        .map(|t| t.with_timezone(&Utc)))
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![Just(Kind::Question), Just(Kind::Feedback)]
    }

    fn day() -> impl Strategy<Value = chrono::NaiveDate> {
        (2000i32..=2099, 1u32..=366).prop_filter_map("a real day", |(year, ordinal)| {
            chrono::NaiveDate::from_yo_opt(year, ordinal)
        })
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(raw in any::<String>()) {
            let _ = parse_tracking_code(&raw);
        }

        /// Whatever is accepted is canonical: parsing it again changes nothing.
        #[test]
        fn parsing_is_idempotent(raw in "[ A-Za-z0-9.\u{FF0E}\u{FF21}-\u{FF3A}]{0,40}") {
            if let Ok(code) = parse_tracking_code(&raw) {
                prop_assert_eq!(parse_tracking_code(&code).ok(), Some(code.clone()));
                prop_assert!(code.len() <= 32);
            }
        }

        /// The codes intake hands out parse back to themselves, however they are typed.
        #[test]
        fn issued_codes_round_trip(kind in kind(), day in day(), seq in 1i32..=99_999) {
            let code = tracking_code(kind, day, seq);
            let wide: String = code
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                .collect();
            for typed in [code.clone(), code.to_lowercase(), format!("  {code}\t"), wide] {
                prop_assert_eq!(parse_tracking_code(&typed).ok(), Some(code.clone()), "{:?}", typed);
            }
        }
    }
}
