//! A submission as it arrives (JSON or form) and as it is stored once validated: Decree 20/2008
//! requires name, address and phone for feedback; a question needs a way to reach the asker; a
//! private item needs a phone (its last digits unlock tracking). Every refusal names the field.

use serde::Deserialize;

use crate::config::IntakeSettings;
use crate::domain::catalog::AgencyKind;
use crate::domain::intake::{IntakeChannel, Kind};
use crate::domain::text::{char_len, clean_line, clean_multiline};
use crate::domain::{AgencyCode, DossierCode, PhoneNumber, ProcedureCode};
use crate::error::{AppError, Code};

/// The fields of a submission, as sent by the kiosk, the app or a form. Unknown fields are refused.
///
/// In the API document (schema `Submission`), the lengths are those of the default settings
/// (`intake.max_subject_chars`, `intake.max_body_chars`), counted after cleaning.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = Submission,
    description = "Câu hỏi hoặc phản ánh gửi đến; trường lạ bị từ chối. Độ dài tính sau khi làm sạch khoảng trắng, theo cấu hình mặc định. / A question or feedback as sent; unknown fields are refused. Lengths count after cleaning spaces, as configured by default.",
    example = json!({
        "subject": "Hồ sơ cấp phiếu lý lịch tư pháp",
        "body": "Hồ sơ 000.00.18.H48-261118-9005 của tôi cần bổ sung giấy tờ gì?",
        "phone": "0912345678",
        "dossier_code": "000.00.18.H48-261118-9005",
        "channel": "app"
    })
)]
pub struct RawSubmission {
    /// `question` hoặc `feedback`; nếu có, phải khớp với địa chỉ gửi. / `question` or
    /// `feedback`; when given, it must match the endpoint.
    #[serde(default)]
    #[schema(schema_with = kind_schema)]
    pub kind: Option<String>,
    /// Kênh: `web`, `kiosk`, `app` (mặc định), hoặc `hotline` khi điện thoại viên nhập. / The
    /// channel: `web`, `kiosk`, `app` (the default), or `hotline` when an operator files it.
    #[serde(default)]
    #[schema(schema_with = channel_schema)]
    pub channel: Option<String>,
    /// Họ tên (bắt buộc với phản ánh). / The submitter's name (required for feedback).
    #[serde(default)]
    #[schema(max_length = 100, example = "Nguyễn Văn An")]
    pub name: Option<String>,
    /// Số điện thoại, dạng thường dùng (bắt buộc với phản ánh và với nội dung không công khai). /
    /// The submitter's phone, in any usual form (required for feedback and for private items).
    #[serde(default)]
    #[schema(max_length = 32, example = "0912345678")]
    pub phone: Option<String>,
    /// Thư điện tử. / The submitter's e-mail.
    #[serde(default)]
    #[schema(max_length = 254, example = "an@example.vn")]
    pub email: Option<String>,
    /// Địa chỉ (bắt buộc với phản ánh). / The submitter's address (required for feedback).
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// Tiêu đề, một dòng. / The subject (one line).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub subject: Option<String>,
    /// Nội dung câu hỏi hoặc phản ánh. / The question or feedback.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    pub body: Option<String>,
    /// Mã hồ sơ liên quan. / The dossier it is about.
    #[serde(default)]
    #[schema(max_length = 64, example = "000.00.18.H48-261118-9005")]
    pub dossier_code: Option<String>,
    /// Mã thủ tục liên quan. / The procedure it is about.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub procedure_code: Option<String>,
    /// Cấp giải quyết thủ tục: một cấp hiện nay trong danh mục (`department`, `commune`, ...). /
    /// The level of government the procedure is settled at: a current level of
    /// `agency_levels` (`department`, `commune`, ...).
    #[serde(default)]
    #[schema(max_length = 40, example = "commune")]
    pub level: Option<String>,
    /// Cơ quan người gửi chọn. / The agency the submitter chooses.
    #[serde(default)]
    #[schema(max_length = 35, example = "000.00.18.H48")]
    pub agency_code: Option<String>,
    /// Xã, phường, đặc khu của người gửi, theo mã cơ quan: nơi giải quyết thủ tục cấp xã. / The
    /// submitter's commune (xã, phường or đặc khu), by agency code: where a commune-level
    /// procedure is settled for them.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub commune_code: Option<String>,
    /// Đồng ý công khai câu hỏi và trả lời (đã che thông tin cá nhân); mặc định không. / Whether
    /// the submitter agrees to publish the (masked) question and answer; no by default.
    #[serde(default)]
    pub public: Option<bool>,
}

fn nullable_enum(
    description: &str,
    values: impl IntoIterator<Item = &'static str>,
) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::SchemaType;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values.into_iter().map(Some).chain([None])))
        .description(Some(description))
        .build()
}

fn kind_schema() -> utoipa::openapi::Object {
    nullable_enum(
        "Loại. / The kind.",
        [Kind::Question, Kind::Feedback].map(Kind::as_str),
    )
}

fn channel_schema() -> utoipa::openapi::Object {
    nullable_enum(
        "Kênh. / The channel.",
        [
            IntakeChannel::Web,
            IntakeChannel::Kiosk,
            IntakeChannel::App,
            IntakeChannel::Hotline,
        ]
        .map(IntakeChannel::as_str),
    )
}

/// A validated submission.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Question or feedback.
    pub kind: Kind,
    /// Where it came from.
    pub channel: IntakeChannel,
    /// The submitter's name, cleaned.
    pub name: Option<String>,
    /// The submitter's phone.
    pub phone: Option<PhoneNumber>,
    /// The submitter's e-mail.
    pub email: Option<String>,
    /// The submitter's address, cleaned.
    pub address: Option<String>,
    /// The subject, cleaned.
    pub subject: String,
    /// The text, cleaned.
    pub body: String,
    /// The dossier, in its canonical form.
    pub dossier_code: Option<String>,
    /// The procedure, by its national code.
    pub procedure_code: Option<String>,
    /// The level, by its shape a code of `agency_levels` (whether it is one, and a current one,
    /// is checked against the table when the submission is routed).
    pub level: Option<String>,
    /// The agency chosen, in its canonical form.
    pub agency_code: Option<String>,
    /// The commune chosen, in its canonical form (checked when routed).
    pub commune_code: Option<String>,
    /// Whether the submitter agrees to publication (masked).
    pub is_public: bool,
}

/// The refusal of input `field` (its machine name, kept for clients in the JSON `field`), the
/// message naming it by its Vietnamese `label` only.
fn refuse(label: &str, field: &'static str, problem: impl std::fmt::Display) -> AppError {
    let problem = problem.to_string();
    // A parser's own message may already name the field ("Số điện thoại không hợp lệ: …").
    let message = if problem.starts_with(label) {
        problem
    } else {
        format!("{label}: {problem}")
    };
    AppError::with_message(Code::InvalidSubmission, message).field(field)
}

fn optional_line(
    raw: &Option<String>,
    label: &str,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, AppError> {
    let Some(raw) = raw else { return Ok(None) };
    let value = clean_line(raw);
    if value.is_empty() {
        return Ok(None);
    }
    if char_len(&value) > max {
        return Err(refuse(label, field, format!("dài quá {max} ký tự.")));
    }
    Ok(Some(value))
}

impl Submission {
    /// Validates `raw` from a citizen (kiosk, app, web; hotline entries are refused).
    pub fn parse(raw: &RawSubmission, settings: &IntakeSettings) -> Result<Self, AppError> {
        Self::parse_inner(raw, settings, false)
    }

    /// Validates `raw` entered by staff on a caller's behalf: the `hotline` channel is allowed.
    pub fn parse_staff_entry(
        raw: &RawSubmission,
        settings: &IntakeSettings,
    ) -> Result<Self, AppError> {
        Self::parse_inner(raw, settings, true)
    }

    /// Validates field by field, in the order of the form, so the first refusal names the first
    /// field that is wrong.
    fn parse_inner(
        raw: &RawSubmission,
        settings: &IntakeSettings,
        staff_entry: bool,
    ) -> Result<Self, AppError> {
        let kind = parse_kind(raw.kind.as_deref())?;
        let channel = parse_channel(raw.channel.as_deref(), staff_entry)?;
        let contact = Contact::parse(raw)?;
        let subject = optional_line(
            &raw.subject,
            "Tiêu đề",
            "subject",
            settings.max_subject_chars,
        )?
        .ok_or_else(|| refuse("Tiêu đề", "subject", "bắt buộc."))?;
        let body = parse_body(raw.body.as_deref(), settings.max_body_chars)?;
        let is_public = raw.public.unwrap_or(false);
        contact.check_required(kind, is_public)?;
        let Contact {
            name,
            address,
            phone,
            email,
        } = contact;
        Ok(Self {
            kind,
            channel,
            name,
            phone,
            email,
            address,
            subject,
            body,
            dossier_code: parse_dossier_code(&raw.dossier_code)?,
            procedure_code: parse_procedure_code(&raw.procedure_code)?,
            level: parse_level(&raw.level)?,
            agency_code: parse_agency_code(&raw.agency_code, "Cơ quan", "agency_code")?,
            commune_code: parse_agency_code(
                &raw.commune_code,
                "Xã, phường, đặc khu",
                "commune_code",
            )?,
            is_public,
        })
    }
}

/// The kind of a submission: `question` or `feedback`, nothing else.
fn parse_kind(raw: Option<&str>) -> Result<Kind, AppError> {
    raw.map(str::trim).and_then(Kind::parse).ok_or_else(|| {
        refuse(
            "Loại",
            "kind",
            "cần là question (hỏi đáp) hoặc feedback (phản ánh, kiến nghị).",
        )
    })
}

/// The channel (`web` when not given). `hotline` only when staff enter it: a citizen cannot
/// claim an operator took the call.
fn parse_channel(raw: Option<&str>, staff_entry: bool) -> Result<IntakeChannel, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(IntakeChannel::Web);
    };
    match IntakeChannel::parse(raw) {
        Some(IntakeChannel::Hotline) if staff_entry => Ok(IntakeChannel::Hotline),
        Some(IntakeChannel::Hotline) => Err(refuse(
            "Kênh",
            "channel",
            "nội dung qua đường dây nóng do điện thoại viên nhập từ trang cán bộ.",
        )),
        Some(channel) => Ok(channel),
        None => Err(refuse(
            "Kênh",
            "channel",
            "cần là web (cổng thông tin), kiosk (ki-ốt), app (ứng dụng), hoặc hotline khi điện thoại viên nhập.",
        )),
    }
}

/// How to reach the submitter.
struct Contact {
    name: Option<String>,
    address: Option<String>,
    phone: Option<PhoneNumber>,
    email: Option<String>,
}

impl Contact {
    /// Name, address, phone and e-mail, each optional here and checked for its form.
    fn parse(raw: &RawSubmission) -> Result<Self, AppError> {
        let name = optional_line(&raw.name, "Họ tên", "name", 100)?;
        let address = optional_line(&raw.address, "Địa chỉ", "address", 300)?;
        let phone = match optional_line(&raw.phone, "Số điện thoại", "phone", 32)? {
            Some(p) => Some(
                PhoneNumber::parse(&p)
                    .map_err(|e| refuse("Số điện thoại", "phone", e.message()))?,
            ),
            None => None,
        };
        let email = match optional_line(&raw.email, "Thư điện tử", "email", 254)? {
            Some(e) if is_email(&e) => Some(e),
            Some(_) => return Err(refuse("Thư điện tử", "email", "không đúng định dạng.")),
            None => None,
        };
        Ok(Self {
            name,
            address,
            phone,
            email,
        })
    }

    /// What the law and tracking require: feedback names its sender (name, address, phone,
    /// Decree 20/2008); a question needs a way to answer; a private item needs a phone, whose
    /// last digits unlock tracking.
    fn check_required(&self, kind: Kind, is_public: bool) -> Result<(), AppError> {
        if kind == Kind::Feedback {
            let decree = "bắt buộc với phản ánh, kiến nghị (Nghị định 20/2008/NĐ-CP).";
            if self.name.is_none() {
                return Err(refuse("Họ tên", "name", decree));
            }
            if self.address.is_none() {
                return Err(refuse("Địa chỉ", "address", decree));
            }
            if self.phone.is_none() {
                return Err(refuse("Số điện thoại", "phone", decree));
            }
        } else if self.phone.is_none() && self.email.is_none() {
            return Err(refuse(
                "Số điện thoại",
                "phone",
                "cần số điện thoại hoặc thư điện tử để trả lời người hỏi.",
            ));
        }
        if !is_public && self.phone.is_none() {
            return Err(refuse(
                "Số điện thoại",
                "phone",
                "nội dung không công khai cần số điện thoại để người gửi tự tra cứu.",
            ));
        }
        Ok(())
    }
}

/// A plausible address: one `@`, something before it, a dotted host after it, no spaces.
fn is_email(e: &str) -> bool {
    e.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty()
            && host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && !e.chars().any(char::is_whitespace)
            && e.matches('@').count() == 1
    })
}

/// The body: required, at most `max` characters once cleaned.
fn parse_body(raw: Option<&str>, max: usize) -> Result<String, AppError> {
    let body = clean_multiline(raw.unwrap_or(""));
    if body.is_empty() {
        return Err(refuse("Nội dung", "body", "bắt buộc."));
    }
    if char_len(&body) > max {
        return Err(refuse("Nội dung", "body", format!("dài quá {max} ký tự.")));
    }
    Ok(body)
}

/// The dossier the submission is about, in its canonical form.
fn parse_dossier_code(raw: &Option<String>) -> Result<Option<String>, AppError> {
    optional_line(raw, "Mã hồ sơ", "dossier_code", 64)?
        .map(|c| {
            DossierCode::parse(&c)
                .map(|code| code.as_str().to_owned())
                .map_err(|e| refuse("Mã hồ sơ", "dossier_code", e.message()))
        })
        .transpose()
}

/// The procedure the submission is about, by its national code.
fn parse_procedure_code(raw: &Option<String>) -> Result<Option<String>, AppError> {
    optional_line(raw, "Thủ tục", "procedure_code", 64)?
        .map(|c| {
            ProcedureCode::parse(&c)
                .map(|code| code.national().to_owned())
                .map_err(|e| refuse("Thủ tục", "procedure_code", e.message()))
        })
        .transpose()
}

/// The level the procedure is settled at, by its shape: levels are rows of `agency_levels`, so
/// which codes exist (and which are only historical) is checked against the table at routing.
fn parse_level(raw: &Option<String>) -> Result<Option<String>, AppError> {
    match optional_line(raw, "Cấp giải quyết", "level", 40)? {
        Some(l) => AgencyKind::parse(&l)
            .map(|level| Some(level.as_str().to_owned()))
            .ok_or_else(|| {
                refuse(
                    "Cấp giải quyết",
                    "level",
                    "cần là mã một cấp trong danh mục, ví dụ department hoặc commune.",
                )
            }),
        None => Ok(None),
    }
}

/// An agency the submitter chose (`label` and `field` name the form's field), in its canonical
/// form.
fn parse_agency_code(
    raw: &Option<String>,
    label: &str,
    field: &'static str,
) -> Result<Option<String>, AppError> {
    optional_line(raw, label, field, 35)?
        .map(|c| {
            AgencyCode::parse(&c)
                .map(|code| code.as_str().to_owned())
                .map_err(|e| refuse(label, field, e.message()))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feedback() -> RawSubmission {
        RawSubmission {
            kind: Some("feedback".into()),
            name: Some("Nguyễn Văn An".into()),
            phone: Some("0912 345 678".into()),
            address: Some("Số 1 Hùng Vương".into()),
            subject: Some("Thủ tục rườm rà".into()),
            body: Some("Nội dung".into()),
            ..RawSubmission::default()
        }
    }

    #[test]
    fn feedback_needs_name_address_and_phone() {
        let settings = IntakeSettings::default();
        assert!(Submission::parse(&feedback(), &settings).is_ok());
        for field in ["name", "address", "phone"] {
            let mut raw = feedback();
            match field {
                "name" => raw.name = None,
                "address" => raw.address = Some("  ".into()),
                _ => raw.phone = None,
            }
            let error = Submission::parse(&raw, &settings).expect_err(field);
            assert_eq!(error.code, Code::InvalidSubmission);
            assert_eq!(error.field, Some(field));
            assert!(!error.message.contains(field), "{}", error.message);
        }
    }

    #[test]
    fn a_level_is_checked_for_its_shape_here_and_against_the_levels_table_when_routed() {
        let settings = IntakeSettings::default();
        let mut raw = feedback();
        for (typed, kept) in [(" Commune ", "commune"), ("special_zone", "special_zone")] {
            raw.level = Some(typed.into());
            let parsed = Submission::parse(&raw, &settings).expect(typed);
            assert_eq!(parsed.level.as_deref(), Some(kept));
        }
        for bad in ["cấp xã", "commune;drop", "c0mmune"] {
            raw.level = Some(bad.into());
            let error = Submission::parse(&raw, &settings).expect_err(bad);
            assert_eq!(error.field, Some("level"), "{}", error.message);
            assert!(
                error.message.starts_with("Cấp giải quyết: "),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn a_commune_code_is_canonical_and_a_malformed_one_names_its_field() {
        let settings = IntakeSettings::default();
        let mut raw = feedback();
        raw.commune_code = Some(" 000.11.30.h48 ".into());
        let parsed = Submission::parse(&raw, &settings).expect("a commune code");
        assert_eq!(parsed.commune_code.as_deref(), Some("000.11.30.H48"));
        raw.commune_code = Some("xã Thử".into());
        let error = Submission::parse(&raw, &settings).expect_err("malformed");
        assert!(
            error.message.starts_with("Xã, phường, đặc khu: "),
            "{}",
            error.message
        );
        assert_eq!(error.field, Some("commune_code"));
    }

    #[test]
    fn a_private_question_needs_a_phone_and_a_public_one_an_email_at_least() {
        let settings = IntakeSettings::default();
        let mut raw = RawSubmission {
            kind: Some("question".into()),
            email: Some("a@example.vn".into()),
            subject: Some("Hỏi".into()),
            body: Some("Hỏi gì".into()),
            ..RawSubmission::default()
        };
        assert!(Submission::parse(&raw, &settings).is_err());
        raw.public = Some(true);
        assert!(Submission::parse(&raw, &settings).is_ok());
        raw.email = None;
        assert!(Submission::parse(&raw, &settings).is_err());
    }
}
