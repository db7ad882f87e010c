//! The dossier snapshot as the main dossier store sends it (push) or as the pull query maps it, and
//! its validation into [`Dossier`]. Push and pull share this code, so both accept and refuse
//! exactly the same things. Every refusal names the field and the reason.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::domain::dossier::{Dossier, DossierEvent};
use crate::domain::text::{char_len, clean_line, clean_multiline};
use crate::domain::{AgencyCode, Channel, DossierCode, PhoneNumber, ProcedureCode, Status};

/// Longest applicant name kept (characters).
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (supplement request, event note) kept (characters).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The largest fee a snapshot may state, in đồng (a thousand billion).
pub const MAX_FEE_VND: i64 = 1_000_000_000_000_000;
/// Longest step name (characters).
pub const MAX_STEP_CHARS: usize = 300;
/// Most events in one dossier's timeline.
pub const MAX_EVENTS: usize = 200;
/// How far in the future a source time may lie (clock skew between systems).
const FUTURE_TOLERANCE_MINUTES: i64 = 10;

/// One dossier as sent by the main store. Unknown fields are refused so that a misspelt field is
/// an error, not silently missing data.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = DossierSnapshot,
    description = "Một hồ sơ như kho hồ sơ chính biết; trường lạ bị từ chối. Mục không hợp lệ \
được báo trong `errors` của câu trả lời, không làm hỏng cả lô. / One dossier as the main store \
knows it; unknown fields are refused. An invalid item is reported in the answer's `errors`, the \
rest of the batch still applies.",
    example = json!({
        "code": "000.00.18.H48-261118-9005",
        "version": 3,
        "procedure_code": "1.001193",
        "receiving_agency_code": "000.00.18.H48",
        "handling_agency_code": "000.00.18.H48",
        "channel": 1,
        "status": 5,
        "applicant_name": "Trần Thị Bích Ngọc",
        "applicant_phone": "0987650348",
        "received_at": "2026-11-18T08:30:00+07:00",
        "due_at": "2026-11-30T16:00:00+07:00",
        "supplement_count": 1,
        "supplement_requested_at": "2026-11-19T09:00:00+07:00",
        "supplement_request": "Bản sao giấy chứng nhận kết hôn",
        "updated_at": "2026-11-19T09:00:00+07:00",
        "events": [
            {"at": "2026-11-18T08:30:00+07:00", "status": 2, "step": "Tiếp nhận hồ sơ", "agency_code": "000.00.18.H48"},
            {"at": "2026-11-19T09:00:00+07:00", "status": 5, "step": "Yêu cầu bổ sung hồ sơ"}
        ]
    })
)]
pub struct DossierPayload {
    /// Mã hồ sơ `<mã cơ quan>-<yyMMdd>-<số thứ tự>`; chữ thường, khoảng trắng và các kiểu gạch
    /// ngang được chấp nhận, lưu ở dạng chuẩn. / The dossier code `<agency code>-<yyMMdd>-<sequence>`;
    /// lower case, spaces and dash variants are tolerated, the canonical form is stored.
    #[schema(max_length = 64, example = "000.00.18.H48-261118-9005")]
    pub code: String,
    /// Phiên bản, tăng dần theo từng hồ sơ; không mới hơn bản đã lưu thì là cũ (`stale_items`).
    /// / Monotonic per dossier; a snapshot whose version is not newer than the stored one is
    /// stale (`stale_items`) and changes nothing.
    #[schema(minimum = 0)]
    pub version: i64,
    /// Mã thủ tục quốc gia N.NNNNNN (dạng địa phương được rút về mã quốc gia); phải có trong
    /// danh mục. / The national procedure code N.NNNNNN (a local form is reduced to it); must be
    /// in the catalog.
    #[schema(max_length = 64, example = "1.001193")]
    pub procedure_code: String,
    /// Mã cơ quan (QĐ 20/2020) của Bộ phận Một cửa đã tiếp nhận; phải có trong danh mục. / The
    /// agency code (QĐ 20/2020) of the desk that received it; must be in the catalog.
    #[schema(max_length = 35, example = "000.00.18.H48")]
    pub receiving_agency_code: String,
    /// Mã cơ quan đang giải quyết; phải có trong danh mục. / The agency code of the agency
    /// handling it; must be in the catalog.
    #[schema(max_length = 35, example = "000.00.18.H48")]
    pub handling_agency_code: String,
    /// Kênh nộp: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích. / How it was filed: 1 at the
    /// desk, 2 online, 3 by public post.
    #[schema(minimum = 1, maximum = 3)]
    pub channel: i16,
    /// Mã trạng thái quốc gia 1–10. / The national status code 1–10.
    #[schema(minimum = 1, maximum = 10)]
    pub status: i16,
    /// Họ tên người nộp (chỉ để hiển thị che bớt), 1–200 ký tự sau khi làm sạch. / The
    /// applicant's name (kept for the masked display only), 1–200 characters once cleaned.
    #[schema(min_length = 1, max_length = 200)]
    pub applicant_name: String,
    /// Số điện thoại Việt Nam ở dạng thường gặp; 4 số cuối mở chế độ xem chi tiết. / A
    /// Vietnamese phone number in any common form; its last four digits unlock the detailed view.
    #[serde(default)]
    #[schema(max_length = 32, example = "0987650348")]
    pub applicant_phone: Option<String>,
    /// Thời điểm tiếp nhận; không ở tương lai. / When it was received; not in the future.
    pub received_at: DateTime<Utc>,
    /// Ngày hẹn trả; không trước lúc tiếp nhận. / The appointment date; not before `received_at`.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Lúc xử lý xong (hoặc dừng, rút với trạng thái 3, 7, 8). / When it was settled (or stopped,
    /// withdrawn for statuses 3, 7 and 8).
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Lúc trả kết quả; không trước lúc xử lý xong. / When the result was handed over; not before
    /// `finished_at`.
    #[serde(default)]
    pub returned_at: Option<DateTime<Utc>>,
    /// Số lần yêu cầu bổ sung. / How many times documents were asked for.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub supplement_count: i32,
    /// Lần yêu cầu bổ sung gần nhất. / The latest request for documents.
    #[serde(default)]
    pub supplement_requested_at: Option<DateTime<Utc>>,
    /// Thời gian công dân bổ sung (giây), trừ khỏi thời hạn. / Time the citizen spent supplementing
    /// (seconds), taken off the deadline.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub supplement_seconds: i64,
    /// Những gì cần bổ sung (hiện trong chế độ xem chi tiết khi trạng thái là 5). / What must be
    /// supplemented (shown in the detailed view while the status is 5).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub supplement_request: Option<String>,
    /// Phí, lệ phí, thuế phải nộp (đồng), khi trạng thái là 6. / Fees or taxes due in đồng, while
    /// the status is 6.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub fee_amount_vnd: Option<i64>,
    /// Nơi và cách nộp. / Where and how to pay them.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub fee_payment_place: Option<String>,
    /// Hạn công dân bổ sung hoặc nộp phí; không trước lúc tiếp nhận. / By when the citizen must
    /// supplement or pay; not before `received_at`.
    #[serde(default)]
    pub citizen_due_at: Option<DateTime<Utc>>,
    /// Lúc kho hồ sơ chính thay đổi hồ sơ lần cuối; không ở tương lai. / When the main store last
    /// changed this dossier (drives the sync-lag figures); not in the future.
    pub updated_at: DateTime<Utc>,
    /// Toàn bộ tiến trình, cũ trước; thay bản đã lưu cùng lúc với hồ sơ. / The whole timeline,
    /// oldest first; it replaces the stored one together with the dossier.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub events: Vec<EventPayload>,
}

/// One step of the timeline as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = DossierSnapshotEvent,
    description = "Một bước của tiến trình. / One step of the timeline."
)]
pub struct EventPayload {
    /// Thời điểm; không ở tương lai. / When; not in the future.
    pub at: DateTime<Utc>,
    /// Mã trạng thái quốc gia 1–10. / The national status code 1–10.
    #[schema(minimum = 1, maximum = 10)]
    pub status: i16,
    /// Tên bước, 1–300 ký tự. / The step's name, 1–300 characters.
    #[schema(min_length = 1, max_length = 300, example = "Tiếp nhận hồ sơ")]
    pub step: String,
    /// Nơi thực hiện bước (mã cơ quan có trong danh mục); không bao giờ là tên cán bộ. / Where the
    /// step happened (an agency code of the catalog); never an officer's name.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub agency_code: Option<String>,
    /// Ghi chú, tối đa 2000 ký tự. / A note, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Why one item was refused: the field and a reason a person on the main-store side can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub field: String,
    pub reason: String,
}

impl ItemError {
    pub(crate) fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for ItemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

fn text(field: &str, raw: &str, max: usize, multiline: bool) -> Result<String, ItemError> {
    let cleaned = if multiline {
        clean_multiline(raw)
    } else {
        clean_line(raw)
    };
    if char_len(&cleaned) > max {
        return Err(ItemError::new(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(cleaned)
}

fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ItemError> {
    match raw {
        None => Ok(None),
        Some(raw) => {
            let cleaned = text(field, raw, max, true)?;
            Ok((!cleaned.is_empty()).then_some(cleaned))
        }
    }
}

fn not_future(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ItemError> {
    if at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        return Err(ItemError::new(field, "lies in the future"));
    }
    Ok(())
}

fn not_before(
    field: &str,
    at: Option<DateTime<Utc>>,
    earlier_field: &str,
    earlier: DateTime<Utc>,
) -> Result<(), ItemError> {
    match at {
        Some(at) if at < earlier => {
            Err(ItemError::new(field, format!("is before {earlier_field}")))
        }
        _ => Ok(()),
    }
}

impl DossierPayload {
    /// Checks and cleans everything; `now` bounds how far in the future times may lie.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Dossier, ItemError> {
        let code =
            DossierCode::parse(&self.code).map_err(|e| ItemError::new("code", e.message()))?;
        if self.version < 0 {
            return Err(ItemError::new("version", "must be zero or more"));
        }
        let procedure_code = ProcedureCode::parse(&self.procedure_code)
            .map_err(|e| ItemError::new("procedure_code", e.message()))?;
        let receiving_agency_code = AgencyCode::parse(&self.receiving_agency_code)
            .map_err(|e| ItemError::new("receiving_agency_code", e.message()))?;
        let handling_agency_code = AgencyCode::parse(&self.handling_agency_code)
            .map_err(|e| ItemError::new("handling_agency_code", e.message()))?;
        let channel = Channel::from_code(self.channel)
            .map_err(|_| ItemError::new("channel", "must be 1, 2 or 3"))?;
        let status = Status::from_code(self.status)
            .map_err(|_| ItemError::new("status", "must be a national status code 1–10"))?;
        let applicant_name = text(
            "applicant_name",
            &self.applicant_name,
            MAX_NAME_CHARS,
            false,
        )?;
        if applicant_name.is_empty() {
            return Err(ItemError::new("applicant_name", "is empty"));
        }
        let applicant_phone = match self.applicant_phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                PhoneNumber::parse(raw)
                    .map_err(|e| ItemError::new("applicant_phone", e.message()))?,
            ),
        };

        not_future("received_at", self.received_at, now)?;
        for (field, at) in [
            ("finished_at", self.finished_at),
            ("returned_at", self.returned_at),
            ("supplement_requested_at", self.supplement_requested_at),
        ] {
            if let Some(at) = at {
                not_future(field, at, now)?;
            }
            not_before(field, at, "received_at", self.received_at)?;
        }
        not_before("due_at", self.due_at, "received_at", self.received_at)?;
        if let (Some(finished), Some(returned)) = (self.finished_at, self.returned_at) {
            not_before("returned_at", Some(returned), "finished_at", finished)?;
        }
        not_future("updated_at", self.updated_at, now)?;
        if self.supplement_count < 0 {
            return Err(ItemError::new("supplement_count", "must be zero or more"));
        }
        if self.supplement_seconds < 0 {
            return Err(ItemError::new("supplement_seconds", "must be zero or more"));
        }
        let supplement_request = optional_text(
            "supplement_request",
            self.supplement_request.as_deref(),
            MAX_TEXT_CHARS,
        )?;
        if let Some(amount) = self.fee_amount_vnd {
            if !(0..=MAX_FEE_VND).contains(&amount) {
                return Err(ItemError::new(
                    "fee_amount_vnd",
                    format!("must be between 0 and {MAX_FEE_VND}"),
                ));
            }
        }
        let fee_payment_place = optional_text(
            "fee_payment_place",
            self.fee_payment_place.as_deref(),
            MAX_TEXT_CHARS,
        )?;
        not_before(
            "citizen_due_at",
            self.citizen_due_at,
            "received_at",
            self.received_at,
        )?;

        if self.events.len() > MAX_EVENTS {
            return Err(ItemError::new(
                "events",
                format!("more than {MAX_EVENTS} steps"),
            ));
        }
        let events = self
            .events
            .iter()
            .enumerate()
            .map(|(i, event)| event.validate(i, now))
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Dossier {
            code,
            version: self.version,
            procedure_code,
            receiving_agency_code,
            handling_agency_code,
            channel,
            status,
            applicant_name,
            applicant_phone,
            received_at: self.received_at,
            due_at: self.due_at,
            finished_at: self.finished_at,
            returned_at: self.returned_at,
            supplement_count: self.supplement_count,
            supplement_requested_at: self.supplement_requested_at,
            supplement_seconds: self.supplement_seconds,
            supplement_request,
            fee_amount_vnd: self.fee_amount_vnd,
            fee_payment_place,
            citizen_due_at: self.citizen_due_at,
            source_updated_at: self.updated_at,
            events,
        })
    }
}

impl EventPayload {
    fn validate(&self, index: usize, now: DateTime<Utc>) -> Result<DossierEvent, ItemError> {
        let field = |name: &str| format!("events[{index}].{name}");
        not_future(&field("at"), self.at, now)?;
        let status = Status::from_code(self.status)
            .map_err(|_| ItemError::new(field("status"), "must be a national status code 1–10"))?;
        let step = text(&field("step"), &self.step, MAX_STEP_CHARS, false)?;
        if step.is_empty() {
            return Err(ItemError::new(field("step"), "is empty"));
        }
        let agency_code = match self.agency_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                AgencyCode::parse(raw)
                    .map_err(|e| ItemError::new(field("agency_code"), e.message()))?,
            ),
        };
        let note = optional_text(&field("note"), self.note.as_deref(), MAX_TEXT_CHARS)?;
        Ok(DossierEvent {
            at: self.at,
            status,
            step,
            agency_code,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0)
            .single()
            .expect("time")
    }

    fn payload() -> DossierPayload {
        serde_json::from_value(serde_json::json!({
            "code": "000.00.53.h48-261118-0099",
            "version": 3,
            "procedure_code": "1.001193",
            "receiving_agency_code": "000.00.53.H48",
            "handling_agency_code": "000.00.53.H48",
            "channel": 1,
            "status": 4,
            "applicant_name": "  Nguyễn Văn\u{0007} An ",
            "applicant_phone": "0912 345 678",
            "received_at": "2026-11-18T01:00:00Z",
            "due_at": "2026-11-25T01:00:00Z",
            "updated_at": "2026-11-19T01:00:00Z",
            "events": [{"at": "2026-11-18T01:00:00Z", "status": 2, "step": "Tiếp nhận hồ sơ", "agency_code": "000.00.53.H48"}]
        }))
        .expect("payload")
    }

    #[test]
    fn a_good_snapshot_is_cleaned_and_canonicalised() {
        let valid = payload().validate(now()).expect("valid");
        assert_eq!(valid.code.as_str(), "000.00.53.H48-261118-0099");
        assert_eq!(valid.applicant_name, "Nguyễn Văn An");
        assert_eq!(
            valid
                .applicant_phone
                .map(|p| p.e164().to_owned())
                .as_deref(),
            Some("+84912345678")
        );
        assert_eq!(valid.events.len(), 1);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = Box<dyn Fn(&mut DossierPayload)>;
        let cases: Vec<(&str, Spoil)> = vec![
            ("code", Box::new(|p| p.code = "nope".into())),
            ("status", Box::new(|p| p.status = 11)),
            ("channel", Box::new(|p| p.channel = 0)),
            ("version", Box::new(|p| p.version = -1)),
            (
                "applicant_name",
                Box::new(|p| p.applicant_name = "x".repeat(201)),
            ),
            (
                "applicant_phone",
                Box::new(|p| p.applicant_phone = Some("12345".into())),
            ),
            (
                "received_at",
                Box::new(|p| p.received_at = now() + Duration::days(2)),
            ),
            (
                "due_at",
                Box::new(|p| p.due_at = Some(p.received_at - Duration::days(1))),
            ),
            (
                "returned_at",
                Box::new(|p| {
                    p.finished_at = Some(p.received_at + Duration::hours(5));
                    p.returned_at = Some(p.received_at + Duration::hours(1));
                }),
            ),
            ("events[0].status", Box::new(|p| p.events[0].status = 0)),
            (
                "events[0].step",
                Box::new(|p| p.events[0].step = " ".into()),
            ),
        ];
        for (field, spoil) in cases {
            let mut p = payload();
            spoil(&mut p);
            let error = p.validate(now()).expect_err(field);
            assert_eq!(error.field, field, "{error}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let result: Result<DossierPayload, _> = serde_json::from_value(serde_json::json!({
            "code": "x", "version": 1, "procedure_code": "1.000001", "receiving_agency_code": "H48",
            "handling_agency_code": "H48", "channel": 1, "status": 1, "applicant_name": "A",
            "received_at": "2026-11-18T01:00:00Z", "updated_at": "2026-11-18T01:00:00Z",
            "cccd": "001099001234"
        }));
        assert!(result.is_err());
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;

    const SCHEMA: &str = include_str!("../../docs/sync/dossier-snapshot.schema.json");

    #[test]
    fn the_published_schema_example_is_a_valid_snapshot() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        let example = schema["examples"][0].clone();
        let payload: DossierPayload = serde_json::from_value(example).expect("example parses");
        let now = Utc::now();
        payload.validate(now).expect("example validates");
    }

    /// The API document's `DossierSnapshot` and the published JSON Schema describe the same
    /// snapshot: the same fields, the same required ones, and the same limits where the published
    /// schema states one.
    #[test]
    fn the_api_documents_snapshot_agrees_with_the_published_schema() {
        let published: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        let documented = serde_json::to_value(<DossierPayload as utoipa::PartialSchema>::schema())
            .expect("the component serializes");
        let names = |schema: &serde_json::Value| -> Vec<String> {
            let mut names: Vec<String> = schema["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .cloned()
                .collect();
            names.sort();
            names
        };
        let required = |schema: &serde_json::Value| -> Vec<String> {
            let mut names: Vec<String> = schema["required"]
                .as_array()
                .expect("required")
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(&documented), names(&published));
        assert_eq!(required(&documented), required(&published));
        assert_eq!(documented["additionalProperties"], false);
        let example: DossierPayload =
            serde_json::from_value(documented["example"].clone()).expect("the example parses");
        example.validate(Utc::now()).expect("the example validates");
        for (name, property) in published["properties"].as_object().expect("properties") {
            for limit in ["maxLength", "minLength", "minimum", "maximum", "maxItems"] {
                if let Some(value) = property.get(limit) {
                    assert_eq!(
                        documented["properties"][name].get(limit),
                        Some(value),
                        "{name}.{limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_schema_lists_exactly_the_fields_the_service_accepts() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        let properties = schema["properties"].as_object().expect("properties");
        // Every documented property is accepted, and a required one missing is refused.
        let mut full = schema["examples"][0].clone();
        for name in properties.keys() {
            if full.get(name).is_none() {
                full[name] = serde_json::Value::Null;
                if name == "events" {
                    full[name] = serde_json::json!([]);
                }
                if name.starts_with("supplement_")
                    && name != "supplement_requested_at"
                    && name != "supplement_request"
                {
                    full[name] = serde_json::json!(0);
                }
            }
        }
        serde_json::from_value::<DossierPayload>(full).expect("all documented fields accepted");
        for required in schema["required"].as_array().expect("required") {
            let mut partial = schema["examples"][0].clone();
            partial
                .as_object_mut()
                .expect("object")
                .remove(required.as_str().expect("name"));
            assert!(
                serde_json::from_value::<DossierPayload>(partial).is_err(),
                "{required} is required"
            );
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0)
            .single()
            .unwrap_or_default()
    }

    /// A clean single-line text, as validation leaves it.
    fn line() -> impl Strategy<Value = String> {
        "[A-Za-z0-9ạ-ỹĐđ ,.'()-]{1,40}"
            .prop_map(|s| s.trim().to_owned())
            .prop_filter("not blank", |s| !s.is_empty())
    }

    /// An agency code; `digit_o` lets the letter O in, which a dossier code reads as a zero.
    fn agency_groups(digit_o: bool) -> impl Strategy<Value = String> {
        let group = if digit_o {
            "[0-9A-Z]{1,5}"
        } else {
            "[0-9A-NP-Z]{1,5}"
        };
        prop::collection::vec(group, 1..=5).prop_map(|groups| groups.join("."))
    }

    fn agency() -> impl Strategy<Value = String> {
        agency_groups(true)
    }

    fn seconds(max: i64) -> impl Strategy<Value = Duration> {
        (0..=max).prop_map(Duration::seconds)
    }

    fn event() -> impl Strategy<Value = Value> {
        (
            seconds(10_000_000),
            1i16..=10,
            line(),
            prop::option::of(agency()),
            prop::option::of(line()),
        )
            .prop_map(|(ago, status, step, agency_code, note)| {
                json!({"at": now() - ago, "status": status, "step": step,
                       "agency_code": agency_code, "note": note})
            })
    }

    /// A snapshot the main store could send: consistent times, valid codes, clean texts.
    fn payload() -> impl Strategy<Value = Value> {
        (
            (
                agency_groups(false),
                (0i64..100, 1i64..=12, 1i64..=28),
                0u32..=999_999,
                0i64..=i64::MAX,
            ),
            ("[12]\\.[0-9]{6}", agency(), agency(), 1i16..=3, 1i16..=10),
            (line(), prop::option::of("0[35789][0-9]{8}")),
            (
                seconds(100_000_000),
                seconds(100_000_000),
                prop::option::of(0.0f64..=1.0),
                prop::option::of(0.0f64..=1.0),
                0.0f64..=1.0,
            ),
            (
                0i32..=5,
                prop::option::of(0.0f64..=1.0),
                0i64..=1_000_000,
                prop::option::of(line()),
            ),
            prop::collection::vec(event(), 0..3),
        )
            .prop_map(
                |(
                    (agency_code, (y, m, d), seq, version),
                    (procedure, receiving, handling, channel, status),
                    (name, phone),
                    (ago, due_in, finished, returned, updated),
                    (supplements, supplement_at, supplement_seconds, supplement_request),
                    events,
                )| {
                    let received = now() - ago;
                    // Fractions of the time between receipt and now, so every time is consistent.
                    let span = (now() - received).num_seconds() as f64;
                    let at = |fraction: f64| received + Duration::seconds((span * fraction) as i64);
                    let finished_at = finished.map(at);
                    let returned_at = match (finished, returned) {
                        (Some(f), Some(r)) => Some(at(f + (1.0 - f) * r)),
                        _ => None,
                    };
                    json!({
                        "code": format!("{agency_code}-{y:02}{m:02}{d:02}-{seq:04}"),
                        "version": version,
                        "procedure_code": procedure,
                        "receiving_agency_code": receiving,
                        "handling_agency_code": handling,
                        "channel": channel,
                        "status": status,
                        "applicant_name": name,
                        "applicant_phone": phone,
                        "received_at": received,
                        "due_at": received + due_in,
                        "finished_at": finished_at,
                        "returned_at": returned_at,
                        "supplement_count": supplements,
                        "supplement_requested_at": supplement_at.map(at),
                        "supplement_seconds": supplement_seconds,
                        "supplement_request": supplement_request,
                        "updated_at": at(updated),
                        "events": events,
                    })
                },
            )
    }

    /// The snapshot of a dossier in canonical form.
    fn render(d: &Dossier) -> Value {
        json!({
            "code": d.code.as_str(),
            "version": d.version,
            "procedure_code": d.procedure_code.as_str(),
            "receiving_agency_code": d.receiving_agency_code.as_str(),
            "handling_agency_code": d.handling_agency_code.as_str(),
            "channel": d.channel.code(),
            "status": d.status.code(),
            "applicant_name": d.applicant_name,
            "applicant_phone": d.applicant_phone.as_ref().map(PhoneNumber::e164),
            "received_at": d.received_at,
            "due_at": d.due_at,
            "finished_at": d.finished_at,
            "returned_at": d.returned_at,
            "supplement_count": d.supplement_count,
            "supplement_requested_at": d.supplement_requested_at,
            "supplement_seconds": d.supplement_seconds,
            "supplement_request": d.supplement_request,
            "fee_amount_vnd": d.fee_amount_vnd,
            "fee_payment_place": d.fee_payment_place,
            "citizen_due_at": d.citizen_due_at,
            "updated_at": d.source_updated_at,
            "events": d.events.iter().map(|e| json!({
                "at": e.at,
                "status": e.status.code(),
                "step": e.step,
                "agency_code": e.agency_code.as_ref().map(AgencyCode::as_str),
                "note": e.note,
            })).collect::<Vec<_>>(),
        })
    }

    fn validated(value: Value) -> Result<Dossier, TestCaseError> {
        let text = value.to_string();
        let payload: DossierPayload =
            serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        payload
            .validate(now())
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))
    }

    /// Any JSON value of a few shapes, to put where a field's value belongs.
    fn any_json() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            any::<String>().prop_map(Value::from),
            "[0-9T:.Z+-]{0,30}".prop_map(Value::from),
            Just(json!([])),
            Just(json!([{"at": "2026-11-18T01:00:00Z", "status": 99, "step": ""}])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            if let Ok(payload) = serde_json::from_str::<DossierPayload>(&text) {
                let _ = payload.validate(now());
            }
        }

        /// A valid snapshot with one field replaced by anything is refused or accepted, never a
        /// panic; extreme times and numbers included.
        #[test]
        fn any_value_in_any_field_never_panics(
            payload in payload(),
            field in prop::sample::select(vec![
                "code", "version", "procedure_code", "receiving_agency_code", "channel", "status",
                "applicant_name", "applicant_phone", "received_at", "due_at", "finished_at",
                "returned_at", "supplement_count", "supplement_requested_at", "supplement_seconds",
                "supplement_request", "updated_at", "events", "unknown", "fee_amount_vnd",
                "fee_payment_place", "citizen_due_at",
            ]),
            value in any_json(),
        ) {
            let mut payload = payload;
            payload[field] = value;
            if let Ok(payload) = serde_json::from_value::<DossierPayload>(payload) {
                let _ = payload.validate(now());
            }
        }

        /// A valid snapshot validates, and the dossier it gives, sent again in canonical form,
        /// gives the same dossier.
        #[test]
        fn canonical_snapshots_round_trip(payload in payload()) {
            let dossier = validated(payload.clone())?;
            prop_assert_eq!(Some(dossier.code.as_str()), payload["code"].as_str());
            prop_assert_eq!(
                dossier.applicant_phone.as_ref().map(PhoneNumber::national),
                payload["applicant_phone"].as_str().map(str::to_owned)
            );
            prop_assert_eq!(validated(render(&dossier))?, dossier);
        }

        /// The same snapshot written sloppily (lower-case codes, spaced phone, padded texts)
        /// validates to the same dossier.
        #[test]
        fn sloppy_snapshots_normalise_to_the_same_dossier(payload in payload()) {
            let dossier = validated(payload.clone())?;
            let mut sloppy = payload;
            for field in ["code", "procedure_code", "receiving_agency_code", "handling_agency_code"] {
                let lower = sloppy[field].as_str().unwrap_or_default().to_lowercase();
                sloppy[field] = json!(format!(" {lower} "));
            }
            let name = sloppy["applicant_name"].as_str().unwrap_or_default().to_owned();
            sloppy["applicant_name"] = json!(format!("\t{name}\u{0007} "));
            if let Some(phone) = sloppy["applicant_phone"].as_str().map(str::to_owned) {
                sloppy["applicant_phone"] = json!(format!("+84 {} {}", &phone[1..4], &phone[4..]));
            }
            prop_assert_eq!(validated(sloppy)?, dossier);
        }
    }
}
