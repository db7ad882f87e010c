//! Ready-to-serve views of one dossier (docs/domain.md, personal data). The public and detailed parts are
//! serialized once, when the dossier enters the cache; only the few values that depend on the
//! moment of the request (where an open dossier stands and the sentence that says it, where the
//! answer came from, the proof outcome) are written per request.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::db::dossiers::{DossierRecord, StoredViewRow};
use crate::domain::speech::PublicFacts;
use crate::domain::standing::{
    late_reason, plain_words, reason_title, shows_where_to_collect, standing_with, vnd, Standing,
    REASON_UNKNOWN,
};
use crate::domain::succession::{now_sentence, NowAgency};
use crate::domain::timeliness::{assess, Timeliness, TimelinessInput};
use crate::domain::{
    mask_name, vn_offset, Channel, LookupNumber, PhoneLast4, Status, WorkingCalendar,
};

/// The working calendar the words of open dossiers count overdue days on ("Quá hạn 3 ngày làm
/// việc"): the seeded Vietnamese calendar until the lookup service loads the administrators'
/// calendar, then refreshed by it (docs/decisions/0057).
static CALENDAR: std::sync::RwLock<Option<Arc<WorkingCalendar>>> = std::sync::RwLock::new(None);

/// Replaces the working calendar overdue days are counted on.
pub fn set_calendar(calendar: WorkingCalendar) {
    if let Ok(mut slot) = CALENDAR.write() {
        *slot = Some(Arc::new(calendar));
    }
}

fn calendar() -> Arc<WorkingCalendar> {
    CALENDAR
        .read()
        .ok()
        .and_then(|slot| slot.clone())
        .unwrap_or_else(|| Arc::new(WorkingCalendar::vietnam_default()))
}

/// A dossier as the cache holds it: serialized views plus what is needed to check a proof and to
/// finish the response. Holds no personal data in clear except the last four phone digits.
#[derive(Debug)]
pub struct CachedDossier {
    /// Canonical code, shared with the cache key.
    pub code: Arc<str>,
    /// The numeric lookup number.
    pub lookup_number: u64,
    /// The public view as a JSON object without its closing brace.
    head: Arc<[u8]>,
    /// The fields only the detailed view has, as `,"k":v,...`.
    detail: Box<[u8]>,
    phone_last4: Option<[u8; 4]>,
    /// The status of this version (what the words of its standing depend on).
    status: Status,
    clock: Clock,
    /// Set when the entry is read; the cache's CLOCK eviction clears it and spares the entry once.
    pub(crate) referenced: std::sync::atomic::AtomicBool,
    /// A channel's rendering of this version (the SMS status reply), with the standing it was
    /// rendered at: reused while the standing is the same, dropped with the entry.
    memo: std::sync::Mutex<Option<(Standing, Arc<str>)>>,
}

/// Where a dossier stands is fixed once its processing has ended; an open dossier's depends on
/// the clock (in time, or overdue by so many working days).
#[derive(Debug)]
enum Clock {
    Final(Standing),
    Running(Box<TimelinessInput>),
}

impl Clock {
    fn new(input: TimelinessInput) -> Self {
        if input.status.is_terminal() {
            Clock::Final(Standing::of(input.status, assess(&input, Utc::now()), 0))
        } else {
            Clock::Running(Box::new(input))
        }
    }
}

/// Whether the detailed view was unlocked, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofOutcome {
    /// No proof was offered: public view.
    None,
    /// The proof matched: detailed view.
    Accepted,
    /// The proof did not match: public view.
    Rejected,
    /// Too many wrong proofs recently (for this dossier or this client): public view, proof not checked.
    Locked,
    /// The channel established the right to the detailed view itself (a valid QR token from the
    /// receipt, or print credentials): detailed view.
    Granted,
}

impl ProofOutcome {
    /// True when the answer is the detailed view.
    pub fn unlocks_detail(self) -> bool {
        matches!(self, ProofOutcome::Accepted | ProofOutcome::Granted)
    }

    /// Stable name for JSON and metrics.
    pub fn key(self) -> &'static str {
        match self {
            ProofOutcome::None => "none",
            ProofOutcome::Accepted => "accepted",
            ProofOutcome::Rejected => "rejected",
            ProofOutcome::Locked => "locked",
            ProofOutcome::Granted => "granted",
        }
    }
}

/// Where the answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServedFrom {
    Cache,
    Database,
}

impl ServedFrom {
    fn key(self) -> &'static str {
        match self {
            ServedFrom::Cache => "cache",
            ServedFrom::Database => "database",
        }
    }
}

/// Every detailed part rendered since the honest status words has this field (null or not); a
/// stored one without it is rendered again ([`CachedDossier::from_stored`]).
const DETAIL_MARK: &[u8] = br#""reason":"#;

/// How every public view begins: its first field is the code ([`CachedDossier::head_names`]).
const HEAD_PREFIX: &[u8] = br#"{"code":""#;

/// The public view of a dossier (what anyone with the code may see), typed. Serialized once into
/// the cache; read back for the media that render it themselves, by [`crate::lookup::Lookup::facts`].
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicView<'a> {
    /// Mã hồ sơ, dạng chuẩn. / The dossier code, canonical.
    // First, so that the view begins with [`HEAD_PREFIX`] and the code.
    #[schema(value_type = String, example = "000.00.18.H48-261118-9005")]
    pub code: Cow<'a, str>,
    /// Số tra cứu: 10 chữ số. / The lookup number: 10 digits.
    #[schema(pattern = "^[0-9]{10}$", example = "0605592342")]
    pub lookup_number: String,
    /// Số tra cứu như in trên giấy tiếp nhận. / The lookup number as printed on the receipt.
    #[schema(example = "0605 5923 42")]
    pub lookup_number_display: String,
    /// Thủ tục. / The procedure.
    pub procedure: ProcedureRef<'a>,
    /// Cơ quan tiếp nhận. / The receiving agency.
    pub receiving_agency: AgencyRef<'a>,
    /// Cơ quan giải quyết. / The handling agency.
    pub handling_agency: AgencyRef<'a>,
    /// Kênh nộp hồ sơ. / How the dossier was filed.
    #[serde(with = "labelled::channel")]
    #[schema(value_type = CodeLabel)]
    pub channel: Channel,
    /// Trạng thái (mã 1–10 và nhãn). / The status (code 1–10 and label).
    #[serde(with = "labelled::status")]
    #[schema(value_type = CodeLabel)]
    pub status: Status,
    /// Ngày tiếp nhận. / When it was received.
    #[serde(with = "view_time")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<Utc>,
    /// Ngày hẹn trả kết quả. / The appointment date for the result.
    #[serde(with = "view_time::optional")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub due_at: Option<DateTime<Utc>>,
    /// Ngày có kết quả. / When the result was ready.
    #[serde(with = "view_time::optional")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Ngày trả kết quả. / When the result was handed over.
    #[serde(with = "view_time::optional")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub returned_at: Option<DateTime<Utc>>,
    /// Hạn công dân bổ sung hoặc nộp phí, khi hồ sơ đang chờ công dân. / By when the citizen
    /// must supplement or pay, while the dossier waits for them.
    // While the dossier waits for them and the main store sent it (a date, no personal data:
    // the SMS reply and the IVR say it too).
    #[serde(default, with = "view_time::optional")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub citizen_due_at: Option<DateTime<Utc>>,
    /// Tên người nộp đã che ("Nguyễn V. A."). / The masked applicant name.
    pub applicant: String,
    /// Độ mới của bản sao. / How fresh the copy is.
    pub freshness: Freshness,
}

/// A procedure as a view names it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProcedureRef<'a> {
    /// Mã thủ tục quốc gia. / The national procedure code.
    #[schema(value_type = String)]
    pub code: Cow<'a, str>,
    /// Tên thủ tục. / Its name.
    #[schema(value_type = String)]
    pub name: Cow<'a, str>,
    /// Lĩnh vực. / Its field.
    #[schema(value_type = String)]
    pub field: Cow<'a, str>,
    /// Thời hạn giải quyết (ngày làm việc). / Processing time in working days.
    pub processing_days: i32,
}

/// An agency as a view names it: as printed on the receipt, and, once it has closed, who serves
/// its dossiers now (docs/decisions/0053).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgencyRef<'a> {
    /// Mã cơ quan như in trên giấy tiếp nhận. / The agency's code as printed on the receipt.
    #[schema(value_type = String)]
    pub code: Cow<'a, str>,
    /// Tên cơ quan. / The agency's name.
    #[schema(value_type = String)]
    pub name: Cow<'a, str>,
    /// Chỉ khi cơ quan đã ngừng hoạt động: các cơ quan kế thừa còn hoạt động, với bộ phận một
    /// cửa (rỗng khi chưa biết). / Only once the agency has closed: its living successors with
    /// their desks (empty when none is known).
    // Chains of closures followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub now: Option<Vec<NowAgency>>,
    /// Cùng `now`: câu nói cơ quan nay là ai. / With `now`: the sentence saying who serves it
    /// now ("UBND huyện Bình Sơn (nay là Trung tâm Phục vụ hành chính công xã Bình Sơn)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub now_text: Option<Cow<'a, str>>,
}

impl<'a> AgencyRef<'a> {
    /// The agency `code` named `name`, with who serves it now when it has closed.
    fn new(code: &'a str, name: &'a str, now: Option<&[NowAgency]>) -> Self {
        AgencyRef {
            code: Cow::Borrowed(code),
            name: Cow::Borrowed(name),
            now_text: now_sentence(name, now).map(Cow::Owned),
            now: now.map(<[NowAgency]>::to_vec),
        }
    }
}

/// How fresh the copy is: when the main store changed it, and when tracuu received it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Freshness {
    /// Lúc kho hồ sơ chính thay đổi hồ sơ. / When the main store changed the dossier.
    #[serde(with = "view_time")]
    #[schema(value_type = String, format = DateTime)]
    pub source_updated_at: DateTime<Utc>,
    /// Lúc tracuu nhận bản này. / When tracuu received this copy.
    #[serde(with = "view_time")]
    #[schema(value_type = String, format = DateTime)]
    pub synced_at: DateTime<Utc>,
}

/// What only the detailed view adds: the step timeline, what must be supplemented, and where and
/// when to collect the result.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DetailView<'a> {
    /// Chi tiết: các bước xử lý, cũ trước. / Detailed view: the processing steps, oldest first.
    pub timeline: Vec<TimelineStep<'a>>,
    /// Chi tiết: các lần yêu cầu bổ sung; null khi chưa có. / Detailed view: the supplement
    /// requests; null when there were none.
    #[schema(required = true)]
    pub supplement: Option<SupplementView<'a>>,
    /// Chi tiết: lý do không tiếp nhận, rút, dừng xử lý hoặc trễ hạn; null khi không có. /
    /// Detailed view: why the dossier was refused, withdrawn, stopped or late; null otherwise.
    // From its timeline's notes.
    #[serde(default)]
    #[schema(required = true)]
    pub reason: Option<ReasonView<'a>>,
    /// Chi tiết: phí phải nộp và nơi nộp, khi hồ sơ chờ nộp phí. / Detailed view: the fees due
    /// and where to pay them, while the dossier waits for payment.
    // And the main store sent them.
    #[serde(default)]
    #[schema(required = true)]
    pub fee: Option<FeeView<'a>>,
    /// Chi tiết: nơi nhận kết quả, khi có hoặc sẽ có kết quả. / Detailed view: where to collect
    /// the result, while there is or will be one.
    // Not once refused, withdrawn, stopped or handed over.
    #[schema(required = true)]
    pub collect_result: Option<CollectView<'a>>,
}

/// Fees or taxes due.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeeView<'a> {
    /// Số tiền (đồng). / The amount in VND.
    #[schema(required = true)]
    pub amount_vnd: Option<i64>,
    /// Số tiền viết ra ("2.500.000 đồng"). / The amount as written.
    #[schema(value_type = Option<String>, required = true)]
    pub amount_text: Option<Cow<'a, str>>,
    /// Nơi và cách nộp. / Where and how to pay.
    #[schema(value_type = Option<String>, required = true)]
    pub place: Option<Cow<'a, str>>,
}

/// The reason the detailed view gives, with its heading ("Lý do dừng xử lý").
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonView<'a> {
    /// Tiêu đề ("Lý do dừng xử lý"). / The heading.
    #[schema(value_type = String)]
    pub title: Cow<'a, str>,
    /// Lý do. / The reason.
    #[schema(value_type = String)]
    pub text: Cow<'a, str>,
}

/// One step of the timeline.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineStep<'a> {
    /// Thời điểm. / When.
    #[serde(with = "view_time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Trạng thái sau bước này. / The status after this step.
    #[serde(with = "labelled::status")]
    #[schema(value_type = CodeLabel)]
    pub status: Status,
    /// Tên bước. / The step.
    #[schema(value_type = String)]
    pub step: Cow<'a, str>,
    /// Cơ quan thực hiện. / The agency that took it.
    #[schema(value_type = Option<String>, required = true)]
    pub agency: Option<Cow<'a, str>>,
    /// Ghi chú. / A note.
    #[schema(value_type = Option<String>, required = true)]
    pub note: Option<Cow<'a, str>>,
}

/// The supplement requests of a dossier.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplementView<'a> {
    /// Số lần yêu cầu bổ sung. / How many supplements were requested.
    #[schema(minimum = 1)]
    pub count: i32,
    /// Lần yêu cầu gần nhất. / When the latest was requested.
    #[serde(with = "view_time::optional")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub requested_at: Option<DateTime<Utc>>,
    /// Cần bổ sung gì, khi đang chờ bổ sung. / What to bring, while a supplement is requested.
    #[schema(value_type = Option<String>, required = true)]
    pub request: Option<Cow<'a, str>>,
}

/// Where and from when the result can be collected. When the receiving agency has closed, the
/// desk is its one living successor's; with several successors (or none) only the original agency
/// is named, and `note` says how to find the right desk.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CollectView<'a> {
    /// Nơi nhận kết quả. / Where to collect the result.
    #[schema(value_type = String)]
    pub agency: Cow<'a, str>,
    /// Khi cơ quan tiếp nhận đã ngừng hoạt động: câu nêu nơi nhận hôm nay. / When the receiving
    /// agency has closed: the sentence naming it with today's desk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub note: Option<Cow<'a, str>>,
    /// Địa chỉ. / The address.
    #[schema(value_type = Option<String>, required = true)]
    pub address: Option<Cow<'a, str>>,
    /// Điện thoại. / The phone.
    #[schema(value_type = Option<String>, required = true)]
    pub phone: Option<Cow<'a, str>>,
    /// Giờ làm việc. / Opening hours.
    #[schema(value_type = Option<String>, required = true)]
    pub hours: Option<Cow<'a, str>>,
    /// Nhận được từ ngày, chỉ khi đã có kết quả (trạng thái 9). / From when the result can be
    /// collected: only once it is ready (status 9).
    #[serde(with = "view_time::optional")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub from: Option<DateTime<Utc>>,
}

/// Times in a view: RFC 3339 in Vietnam time, seconds precision ([`format_time`]).
mod view_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(&super::format_time(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(input)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    pub mod optional {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            at: &Option<DateTime<Utc>>,
            out: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => out.serialize_some(&super::super::format_time(*at)),
                None => out.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            input: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            #[derive(Deserialize)]
            struct Wrapped(#[serde(with = "super")] DateTime<Utc>);
            Ok(Option::<Wrapped>::deserialize(input)?.map(|Wrapped(at)| at))
        }
    }
}

/// Statuses and channels in a view: `{"code": n, "label": "..."}`.
use labelled::CodeLabel;

mod labelled {
    use serde::{Deserialize, Serialize};

    /// A code with its Vietnamese label.
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct CodeLabel {
        /// Mã. / The code.
        code: i16,
        /// Nhãn tiếng Việt. / The Vietnamese label.
        label: &'static str,
    }

    #[derive(Deserialize)]
    struct In {
        code: i16,
    }

    pub mod status {
        use crate::domain::Status;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(status: &Status, out: S) -> Result<S::Ok, S::Error> {
            super::CodeLabel {
                code: status.code(),
                label: status.label_vi(),
            }
            .serialize(out)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Status, D::Error> {
            let read = super::In::deserialize(input)?;
            Status::from_code(read.code).map_err(serde::de::Error::custom)
        }
    }

    pub mod channel {
        use crate::domain::Channel;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(channel: &Channel, out: S) -> Result<S::Ok, S::Error> {
            super::CodeLabel {
                code: channel.code(),
                label: channel.label_vi(),
            }
            .serialize(out)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Channel, D::Error> {
            let read = super::In::deserialize(input)?;
            Channel::from_code(read.code).map_err(serde::de::Error::custom)
        }
    }
}

/// RFC 3339 in Vietnam time, seconds precision: what every view shows.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&vn_offset())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl CachedDossier {
    /// Renders a database record into its cached form.
    pub fn build(record: &DossierRecord) -> anyhow::Result<Self> {
        let dossier = &record.dossier;
        let status = dossier.status;
        let lookup_number = u64::try_from(record.lookup_number)?;
        let number = LookupNumber::from_value(lookup_number)?;
        let public = PublicView {
            code: Cow::Borrowed(dossier.code.as_str()),
            lookup_number: number.to_string(),
            lookup_number_display: number.grouped(),
            procedure: ProcedureRef {
                code: Cow::Borrowed(dossier.procedure_code.national()),
                name: Cow::Borrowed(&record.procedure_name),
                field: Cow::Borrowed(&record.procedure_field),
                processing_days: record.processing_days,
            },
            receiving_agency: AgencyRef::new(
                dossier.receiving_agency_code.as_str(),
                &record.receiving_agency_name,
                record.receiving_now.as_deref(),
            ),
            handling_agency: AgencyRef::new(
                dossier.handling_agency_code.as_str(),
                &record.handling_agency_name,
                record.handling_now.as_deref(),
            ),
            channel: dossier.channel,
            status,
            received_at: dossier.received_at,
            due_at: dossier.due_at,
            finished_at: dossier.finished_at,
            returned_at: dossier.returned_at,
            citizen_due_at: matches!(
                status,
                Status::SupplementRequested | Status::FinancialObligation
            )
            .then_some(dossier.citizen_due_at)
            .flatten(),
            applicant: mask_name(&dossier.applicant_name),
            freshness: Freshness {
                source_updated_at: dossier.source_updated_at,
                synced_at: record.synced_at,
            },
        };
        let mut head = serde_json::to_vec(&public)?;
        head.pop(); // the closing brace; the per-request tail closes the object
        anyhow::ensure!(
            Self::head_names(&head, dossier.code.as_str()),
            "the code {:?} does not stand as it is at the start of its view",
            dossier.code.as_str()
        );

        let timeline = dossier
            .events
            .iter()
            .enumerate()
            .map(|(i, event)| TimelineStep {
                at: event.at,
                status: event.status,
                step: Cow::Borrowed(&event.step),
                agency: record
                    .event_agency_names
                    .get(i)
                    .and_then(Option::as_deref)
                    .map(Cow::Borrowed),
                note: event.note.as_deref().map(Cow::Borrowed),
            })
            .collect();
        let supplement = (dossier.supplement_count > 0).then(|| SupplementView {
            count: dossier.supplement_count,
            requested_at: dossier.supplement_requested_at,
            request: (status == Status::SupplementRequested)
                .then_some(dossier.supplement_request.as_deref())
                .flatten()
                .map(Cow::Borrowed),
        });
        // The result is ready from when it was finished; an expected result has no date here
        // (the appointment date and whether it is kept are in the public view).
        let ready_from = (status == Status::Completed)
            .then_some(dossier.finished_at.or(dossier.due_at))
            .flatten();
        let collect_result = match record.receiving_now.as_deref() {
            None => CollectView {
                agency: Cow::Borrowed(&record.receiving_agency_name),
                note: None,
                address: record.desk_address.as_deref().map(Cow::Borrowed),
                phone: record.desk_phone.as_deref().map(Cow::Borrowed),
                hours: record.desk_hours.as_deref().map(Cow::Borrowed),
                from: ready_from,
            },
            Some(now) => {
                let one = match now {
                    [one] => Some(one),
                    _ => None,
                };
                CollectView {
                    agency: one.map_or(Cow::Borrowed(&*record.receiving_agency_name), |one| {
                        Cow::Borrowed(&*one.desk_name)
                    }),
                    note: public.receiving_agency.now_text.clone(),
                    address: one
                        .and_then(|o| o.desk_address.as_deref())
                        .map(Cow::Borrowed),
                    phone: one.and_then(|o| o.desk_phone.as_deref()).map(Cow::Borrowed),
                    hours: one.and_then(|o| o.desk_hours.as_deref()).map(Cow::Borrowed),
                    from: ready_from,
                }
            }
        };
        let input = TimelinessInput {
            status,
            received_at: dossier.received_at,
            due_at: dossier.due_at,
            finished_at: dossier.finished_at,
            returned_at: dossier.returned_at,
            supplement_count: u32::try_from(dossier.supplement_count).unwrap_or(0),
            supplement_requested_at: dossier.supplement_requested_at,
            supplement_seconds: dossier.supplement_seconds,
        };
        let final_timeliness = status.is_terminal().then(|| assess(&input, Utc::now()));
        let reason = match status {
            Status::NotAccepted | Status::Withdrawn | Status::Stopped => Some(ReasonView {
                title: Cow::Borrowed(reason_title(status)),
                // The note of the latest step that took the dossier to its status.
                text: dossier
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.status == status && e.note.is_some())
                    .and_then(|e| e.note.as_deref())
                    .map_or(Cow::Borrowed(REASON_UNKNOWN), Cow::Borrowed),
            }),
            Status::Completed | Status::Returned if final_timeliness == Some(Timeliness::Late) => {
                Some(ReasonView {
                    title: Cow::Borrowed(reason_title(status)),
                    text: Cow::Owned(late_reason(
                        u32::try_from(dossier.supplement_count).unwrap_or(0),
                    )),
                })
            }
            _ => None,
        };
        let fee = (status == Status::FinancialObligation
            && (dossier.fee_amount_vnd.is_some() || dossier.fee_payment_place.is_some()))
        .then(|| FeeView {
            amount_vnd: dossier.fee_amount_vnd,
            amount_text: dossier.fee_amount_vnd.map(|a| Cow::Owned(vnd(a))),
            place: dossier.fee_payment_place.as_deref().map(Cow::Borrowed),
        });
        let detail = DetailView {
            timeline,
            supplement,
            reason,
            fee,
            collect_result: shows_where_to_collect(status).then_some(collect_result),
        };
        let mut detail = serde_json::to_vec(&detail)?;
        detail.pop();
        if let Some(first) = detail.first_mut() {
            *first = b',';
        }

        Ok(Self {
            code: Arc::from(dossier.code.as_str()),
            lookup_number,
            head: Arc::from(head),
            detail: detail.into_boxed_slice(),
            phone_last4: dossier
                .applicant_phone
                .as_ref()
                .and_then(|phone| last4_digits(phone.e164())),
            status,
            clock: Clock::new(input),
            referenced: Default::default(),
            memo: Default::default(),
        })
    }

    /// Rebuilds a cached dossier from views stored in the database (no rendering). `None` when the
    /// row has no stored view for its current version.
    pub fn from_stored(row: StoredViewRow) -> anyhow::Result<Option<Self>> {
        let (Some(head), Some(detail)) = (row.head, row.detail) else {
            return Ok(None);
        };
        // A view stored by a binary older than the honest status words (it has no reason field):
        // rendered again, as a missing one is.
        if !detail
            .windows(DETAIL_MARK.len())
            .any(|window| window == DETAIL_MARK)
        {
            return Ok(None);
        }
        anyhow::ensure!(
            Self::head_names(&head, &row.code),
            "the stored public view of {} does not begin with its code",
            row.code
        );
        let status = Status::from_code(row.status)?;
        let input = TimelinessInput {
            status,
            received_at: row.received_at,
            due_at: row.due_at,
            finished_at: row.finished_at,
            returned_at: row.returned_at,
            supplement_count: u32::try_from(row.supplement_count).unwrap_or(0),
            supplement_requested_at: row.supplement_requested_at,
            supplement_seconds: row.supplement_seconds,
        };
        Ok(Some(Self {
            code: Arc::from(row.code.as_str()),
            lookup_number: u64::try_from(row.lookup_number)?,
            head: Arc::from(head),
            detail: detail.into_boxed_slice(),
            phone_last4: row.phone_last4.as_deref().and_then(last4_digits),
            status,
            clock: Clock::new(input),
            referenced: Default::default(),
            memo: Default::default(),
        }))
    }

    /// The serialized public part (stored in `dossier_views.head`).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The public part as the cache's slot holds it beside the entry.
    pub(crate) fn shared_head(&self) -> &Arc<[u8]> {
        &self.head
    }

    /// True when `head`, a public view as stored, is the view of the dossier with `code`: every
    /// public view begins with its code (the cache compares keys there, in the line a response
    /// reads first, and stores no key apart).
    pub(crate) fn head_names(head: &[u8], code: &str) -> bool {
        let Some(rest) = head.strip_prefix(HEAD_PREFIX) else {
            return false;
        };
        rest.strip_prefix(code.as_bytes())
            .is_some_and(|after| after.first() == Some(&b'"'))
    }

    /// The serialized detailed part (stored in `dossier_views.detail`).
    pub fn detail(&self) -> &[u8] {
        &self.detail
    }

    /// True when `proof` is the last four digits of the applicant's phone (constant-time compare).
    pub fn phone_matches(&self, proof: &PhoneLast4) -> bool {
        self.phone_last4
            .as_ref()
            .and_then(|known| std::str::from_utf8(known).ok())
            .is_some_and(|known| proof.matches(known))
    }

    /// Where the dossier stands at `now`, as the citizen is told it.
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        match &self.clock {
            Clock::Final(standing) => *standing,
            Clock::Running(input) => standing_with(input, now, calendar),
        }
    }

    /// Where the dossier stands now; the clock is read only for a dossier still open.
    pub fn standing_now(&self) -> Standing {
        match &self.clock {
            Clock::Final(standing) => *standing,
            Clock::Running(input) => standing_with(input, Utc::now(), calendar),
        }
    }

    /// The status of this version.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The public view, typed. The cache holds views serialized (that is what the JSON channels
    /// send); this is the one place they are read back, for the media that render them
    /// themselves.
    pub fn public_view(&self) -> anyhow::Result<PublicView<'static>> {
        let mut json = Vec::with_capacity(self.head.len() + 1);
        json.extend_from_slice(&self.head);
        json.push(b'}');
        Ok(serde_json::from_slice(&json)?)
    }

    /// The detailed part, typed (see [`Self::public_view`]).
    pub fn detail_view(&self) -> anyhow::Result<DetailView<'static>> {
        let mut json = Vec::with_capacity(self.detail.len() + 1);
        json.push(b'{');
        json.extend_from_slice(self.detail.get(1..).unwrap_or_default());
        json.push(b'}');
        Ok(serde_json::from_slice(&json)?)
    }

    /// The dossier as an answer with `proof` reads it: the public view, the detailed part when
    /// the proof unlocks it, and the per-request facts.
    pub fn facts(
        &self,
        proof: ProofOutcome,
        retry_after: Option<Duration>,
        served_from: ServedFrom,
        database_up: bool,
    ) -> anyhow::Result<DossierFacts> {
        Ok(DossierFacts {
            public: self.public_view()?,
            detail: proof
                .unlocks_detail()
                .then(|| self.detail_view())
                .transpose()?,
            standing: self.standing_now(),
            proof,
            proof_retry_after_secs: retry_after.map(whole_seconds),
            served_from,
            database_up,
        })
    }

    /// The public facts a status report is made of (SMS replies, spoken status).
    pub fn public_facts(&self) -> anyhow::Result<PublicFacts> {
        Ok(spoken_facts(&self.public_view()?, self.standing_now()))
    }

    /// The memoised rendering for `standing`, or renders it with `render` and keeps it.
    pub fn memoised(
        &self,
        standing: Standing,
        render: impl FnOnce() -> anyhow::Result<String>,
    ) -> anyhow::Result<Arc<str>> {
        if let Ok(memo) = self.memo.lock() {
            if let Some((at, text)) = memo.as_ref() {
                if *at == standing {
                    return Ok(Arc::clone(text));
                }
            }
        }
        let text: Arc<str> = Arc::from(render()?);
        if let Ok(mut memo) = self.memo.lock() {
            *memo = Some((standing, Arc::clone(&text)));
        }
        Ok(text)
    }

    /// Bytes of the serialized views this entry holds (for the memory benchmark and metrics).
    pub fn view_bytes(&self) -> usize {
        self.head.len() + self.detail.len()
    }

    /// The response body: public view, the detailed part when `proof` is accepted, and the
    /// per-request fields.
    pub fn render(
        &self,
        proof: ProofOutcome,
        retry_after: Option<Duration>,
        served_from: ServedFrom,
        database_up: bool,
    ) -> Vec<u8> {
        let detailed = proof.unlocks_detail();
        let mut out = Vec::with_capacity(
            self.head.len() + if detailed { self.detail.len() } else { 0 } + TAIL_CAPACITY,
        );
        out.extend_from_slice(&self.head);
        if detailed {
            out.extend_from_slice(&self.detail);
        }
        let standing = self.standing_now();
        let retry = retry_after.map(whole_seconds);
        write_tail(
            &mut out,
            self.status,
            standing,
            proof,
            retry,
            served_from,
            database_up,
        );
        out
    }

    /// The per-request fields that close the body after [`Self::head`] (and [`Self::detail`]
    /// when `proof` unlocks it), for a channel that sends the stored parts without copying them.
    pub fn tail(
        &self,
        proof: ProofOutcome,
        retry_after: Option<Duration>,
        served_from: ServedFrom,
        database_up: bool,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(TAIL_CAPACITY);
        let standing = self.standing_now();
        let retry = retry_after.map(whole_seconds);
        write_tail(
            &mut out,
            self.status,
            standing,
            proof,
            retry,
            served_from,
            database_up,
        );
        out
    }
}

/// One answer as the media that render it themselves read it (pages, receipts, the hotline
/// console, the IVR): typed public facts, the detailed facts when the proof unlocked them,
/// timeliness, freshness and the proof outcome. Serialized, it is the JSON view the API sends.
#[derive(Debug, Clone)]
pub struct DossierFacts {
    pub public: PublicView<'static>,
    /// Present when the proof unlocked the detailed view.
    pub detail: Option<DetailView<'static>>,
    /// Where the dossier stands now, as the citizen is told it.
    pub standing: Standing,
    pub proof: ProofOutcome,
    /// When the proof is locked: seconds until phone digits are checked again.
    pub proof_retry_after_secs: Option<u64>,
    pub served_from: ServedFrom,
    /// False while the database is unreachable (the answer came from the cache).
    pub database_up: bool,
}

impl DossierFacts {
    /// The public facts a status report is made of.
    pub fn spoken(&self) -> PublicFacts {
        spoken_facts(&self.public, self.standing)
    }

    /// The plain sentence under the status: where the dossier stands and what to do.
    pub fn plain(&self) -> Cow<'static, str> {
        plain_words(
            self.public.status,
            self.standing,
            self.proof.unlocks_detail(),
        )
    }
}

fn spoken_facts(public: &PublicView<'_>, standing: Standing) -> PublicFacts {
    PublicFacts {
        lookup_number: public.lookup_number.clone(),
        procedure_name: public.procedure.name.to_string(),
        handling_agency: public.handling_agency.name.to_string(),
        receiving_agency: public.receiving_agency.name.to_string(),
        receiving_now: public.receiving_agency.now.clone(),
        handling_now: public.handling_agency.now.clone(),
        status: public.status,
        standing,
        citizen_due_at: public.citizen_due_at,
        received_at: public.received_at,
        due_at: public.due_at,
        finished_at: public.finished_at,
        returned_at: public.returned_at,
    }
}

impl Serialize for DossierFacts {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Whole<'a> {
            #[serde(flatten)]
            public: &'a PublicView<'static>,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            detail: Option<&'a DetailView<'static>>,
            #[serde(flatten)]
            tail: ViewTail,
        }
        Whole {
            public: &self.public,
            detail: self.detail.as_ref(),
            tail: ViewTail {
                timeliness: TimelinessView {
                    key: self.standing.key(),
                    label: self.standing.label_vi(),
                    overdue_working_days: match self.standing {
                        Standing::Overdue { working_days } => Some(working_days),
                        _ => None,
                    },
                },
                plain: self.plain(),
                view: if self.proof.unlocks_detail() {
                    "detailed"
                } else {
                    "public"
                },
                proof: self.proof.key(),
                proof_retry_after_secs: self.proof_retry_after_secs,
                served_from: self.served_from.key(),
                database: if self.database_up {
                    "ok"
                } else {
                    "unreachable"
                },
            },
        }
        .serialize(out)
    }
}

/// The fields of a view that change per request (written by [`write_tail`] for the JSON
/// channels, serialized from [`DossierFacts`] for the others).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ViewTail {
    /// Tiến độ: hồ sơ đứng ở đâu so với hạn, tính lúc trả lời. / Where the dossier stands
    /// against its deadline, at the time of the answer.
    pub timeliness: TimelinessView,
    /// Câu giải thích trạng thái và việc cần làm. / The plain sentence: where the dossier stands
    /// and what to do.
    #[schema(value_type = String)]
    pub plain: Cow<'static, str>,
    /// `detailed` khi bằng chứng hợp lệ, ngược lại `public`. / `detailed` when a proof held,
    /// otherwise `public`.
    #[schema(schema_with = view_kind_schema)]
    pub view: &'static str,
    /// Kết quả kiểm tra bằng chứng (`phone4` hoặc `k`). / What became of the proof (`phone4`
    /// or `k`).
    #[schema(schema_with = proof_schema)]
    pub proof: &'static str,
    /// Khi `proof` là `locked`: số giây đến khi 4 chữ số điện thoại được kiểm tra lại. / When
    /// `proof` is `locked`: seconds until phone digits are checked again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, nullable = false)]
    pub proof_retry_after_secs: Option<u64>,
    /// Câu trả lời lấy từ bộ nhớ đệm hay cơ sở dữ liệu. / Whether the answer came from the cache
    /// or the database.
    #[schema(schema_with = served_from_schema)]
    pub served_from: &'static str,
    /// `unreachable` khi cơ sở dữ liệu không kết nối được (trả lời từ bộ nhớ đệm). /
    /// `unreachable` while the database cannot be reached (the answer came from the cache).
    #[schema(schema_with = database_schema)]
    pub database: &'static str,
}

/// Where a dossier stands against its deadline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelinessView {
    /// Khóa ổn định. / The stable key.
    #[schema(schema_with = standing_key_schema)]
    pub key: &'static str,
    /// Nhãn tiếng Việt ("Trong hạn", "Quá hạn 3 ngày làm việc"); null khi không có gì để nói. /
    /// The Vietnamese label; null when nothing is to be said.
    #[schema(value_type = Option<String>, required = true)]
    pub label: Option<Cow<'static, str>>,
    /// Khi quá hạn: số ngày làm việc quá hạn. / When overdue: by how many working days.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub overdue_working_days: Option<u32>,
}

/// A string schema with a closed set of values.
pub fn string_enum(values: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

fn view_kind_schema() -> utoipa::openapi::Object {
    string_enum(&["public", "detailed"])
}

fn proof_schema() -> utoipa::openapi::Object {
    string_enum(&[
        ProofOutcome::None.key(),
        ProofOutcome::Accepted.key(),
        ProofOutcome::Rejected.key(),
        ProofOutcome::Locked.key(),
        ProofOutcome::Granted.key(),
    ])
}

fn served_from_schema() -> utoipa::openapi::Object {
    string_enum(&[ServedFrom::Cache.key(), ServedFrom::Database.key()])
}

fn database_schema() -> utoipa::openapi::Object {
    string_enum(&["ok", "unreachable"])
}

fn standing_key_schema() -> utoipa::openapi::Object {
    string_enum(&[
        Standing::NoDeadline.key(),
        Standing::InTime.key(),
        Standing::Overdue { working_days: 1 }.key(),
        Standing::AwaitingSupplement.key(),
        Timeliness::Early.key(),
        Timeliness::OnTime.key(),
        Timeliness::Late.key(),
        Standing::Ended.key(),
    ])
}

/// The JSON view as one schema: the public view's fields, required; the detailed view's, present
/// only when a proof held (`view` is then `detailed`); the per-request fields. A channel adds what
/// it adds (the JSON lookup's `qr`) with [`view_schema`].
pub fn view_schema() -> utoipa::openapi::ObjectBuilder {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    use utoipa::PartialSchema;
    let mut builder =
        utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::Object);
    let parts = [
        (<PublicView<'static> as PartialSchema>::schema(), true),
        (<DetailView<'static> as PartialSchema>::schema(), false),
        (<ViewTail as PartialSchema>::schema(), true),
    ];
    for (part, required) in parts {
        let RefOr::T(Schema::Object(object)) = part else {
            continue;
        };
        for (name, property) in object.properties {
            builder = builder.property(name, property);
        }
        if required {
            for name in object.required {
                builder = builder.required(name);
            }
        }
    }
    builder
}

/// The schemas [`view_schema`] refers to.
pub fn view_schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    use utoipa::ToSchema;
    <PublicView<'static> as ToSchema>::schemas(schemas);
    <DetailView<'static> as ToSchema>::schemas(schemas);
    <ViewTail as ToSchema>::schemas(schemas);
}

/// Room for the longest tail (its labels are a few dozen bytes, its plain sentence a few hundred).
const TAIL_CAPACITY: usize = 640;

/// Appends `,"timeliness":{...},"plain":...,"view":...,"database":"..."}`: the fields that change
/// per request.
fn write_tail(
    out: &mut Vec<u8>,
    status: Status,
    standing: Standing,
    proof: ProofOutcome,
    proof_retry_after_secs: Option<u64>,
    served_from: ServedFrom,
    database_up: bool,
) {
    // Every value written here is a fixed ASCII or Vietnamese literal (or a number) without
    // quotes or backslashes, so plain concatenation is valid JSON.
    out.extend_from_slice(b",\"timeliness\":{\"key\":\"");
    out.extend_from_slice(standing.key().as_bytes());
    match standing.label_vi() {
        Some(label) => {
            out.extend_from_slice(b"\",\"label\":\"");
            out.extend_from_slice(label.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"\",\"label\":null"),
    }
    if let Standing::Overdue { working_days } = standing {
        out.extend_from_slice(b",\"overdue_working_days\":");
        out.extend_from_slice(working_days.to_string().as_bytes());
    }
    out.extend_from_slice(b"},\"plain\":\"");
    out.extend_from_slice(plain_words(status, standing, proof.unlocks_detail()).as_bytes());
    out.extend_from_slice(b"\",\"view\":\"");
    out.extend_from_slice(if proof.unlocks_detail() {
        b"detailed" as &[u8]
    } else {
        b"public"
    });
    out.extend_from_slice(b"\",\"proof\":\"");
    out.extend_from_slice(proof.key().as_bytes());
    if let Some(secs) = proof_retry_after_secs {
        out.extend_from_slice(b"\",\"proof_retry_after_secs\":");
        out.extend_from_slice(secs.to_string().as_bytes());
        out.extend_from_slice(b",\"served_from\":\"");
    } else {
        out.extend_from_slice(b"\",\"served_from\":\"");
    }
    out.extend_from_slice(served_from.key().as_bytes());
    out.extend_from_slice(b"\",\"database\":\"");
    out.extend_from_slice(if database_up {
        b"ok" as &[u8]
    } else {
        b"unreachable"
    });
    out.extend_from_slice(b"\"}");
}

/// A wait in whole seconds, rounded up (a client told 0 would retry at once).
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The last four digits of a stored E.164 phone.
fn last4_digits(phone: &str) -> Option<[u8; 4]> {
    let bytes = phone.as_bytes();
    let tail = bytes.get(bytes.len().checked_sub(4)?..)?;
    let mut out = [0u8; 4];
    for (slot, byte) in out.iter_mut().zip(tail) {
        if !byte.is_ascii_digit() {
            return None;
        }
        *slot = *byte;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_four_digits_come_from_the_end_of_the_number() {
        assert_eq!(last4_digits("+84912345678"), Some(*b"5678"));
        assert_eq!(last4_digits("678"), None);
        assert_eq!(last4_digits("+8491234x678"), None);
    }

    /// The schema the API document gives the view names exactly the fields the view has: every
    /// field sent is a property, every required property is sent, and the detailed view's
    /// fields are sent exactly when a proof unlocked them.
    #[test]
    fn the_view_schema_names_every_field_the_view_sends() {
        use utoipa::openapi::schema::Schema;
        use utoipa::openapi::RefOr;
        use utoipa::PartialSchema;
        let schema = view_schema().build();
        let detail_fields: Vec<String> = match DetailView::schema() {
            RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
            _ => panic!("the detailed view's schema is an object"),
        };
        assert!(detail_fields.contains(&"timeline".to_owned()));
        let dossier = crate::lookup::cache::tests::dossier(7);
        for proof in [
            ProofOutcome::None,
            ProofOutcome::Accepted,
            ProofOutcome::Rejected,
            ProofOutcome::Locked,
            ProofOutcome::Granted,
        ] {
            let retry = (proof == ProofOutcome::Locked).then_some(Duration::from_secs(30));
            let json: serde_json::Value =
                serde_json::from_slice(&dossier.render(proof, retry, ServedFrom::Cache, true))
                    .expect("view");
            let sent = json.as_object().expect("an object");
            for key in sent.keys() {
                assert!(
                    schema.properties.contains_key(key),
                    "{key} is sent but not in the schema"
                );
            }
            for key in &schema.required {
                assert!(sent.contains_key(key), "{key} is required but not sent");
            }
            for key in &detail_fields {
                assert_eq!(
                    sent.contains_key(key),
                    proof.unlocks_detail(),
                    "{key} with proof {}",
                    proof.key()
                );
            }
        }
    }

    #[test]
    fn typed_facts_serialize_to_the_json_view_they_were_read_from() {
        let dossier = crate::lookup::cache::tests::dossier(7);
        for proof in [
            ProofOutcome::None,
            ProofOutcome::Accepted,
            ProofOutcome::Locked,
        ] {
            let retry = (proof == ProofOutcome::Locked).then_some(Duration::from_millis(90_500));
            for (served_from, up) in [(ServedFrom::Cache, true), (ServedFrom::Database, false)] {
                let json: serde_json::Value =
                    serde_json::from_slice(&dossier.render(proof, retry, served_from, up))
                        .expect("view");
                let facts = dossier.facts(proof, retry, served_from, up).expect("facts");
                assert_eq!(facts.detail.is_some(), proof.unlocks_detail());
                assert_eq!(serde_json::to_value(&facts).expect("facts as JSON"), json);
                let expected_retry = retry.map(|_| serde_json::json!(91));
                assert_eq!(json.get("proof_retry_after_secs").cloned(), expected_retry);
            }
        }
        let facts = dossier.public_facts().expect("public facts");
        assert_eq!(facts.procedure_name, "Đăng ký khai sinh");
        assert_eq!(facts.status, Status::from_code(4).expect("status"));
    }
}
