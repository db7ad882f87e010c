//! A submission as it arrives (JSON or form) and as it is stored once validated: Decree 20/2008
//! requires name, address and phone for feedback; a question needs a way to reach the asker; a
//! private item needs a phone (its last digits unlock tracking). Every refusal names the field.

use serde::Deserialize;

use crate::config::IntakeSettings;
use crate::domain::intake::{IntakeChannel, Kind};
use crate::domain::text::{char_len, clean_line, clean_multiline};
use crate::domain::{AgencyCode, DossierCode, PhoneNumber, ProcedureCode};
use crate::error::{AppError, Code};

/// The fields of a submission, as sent by the kiosk, the app or a form. Unknown fields are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubmission {
    /// `question` or `feedback` (set by the route for the JSON API).
    #[serde(default)]
    pub kind: Option<String>,
    /// `web`, `kiosk` or `app`.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub dossier_code: Option<String>,
    #[serde(default)]
    pub procedure_code: Option<String>,
    /// `province`, `district` or `commune`.
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub agency_code: Option<String>,
    /// Whether the submitter agrees to publish the (masked) question and answer.
    #[serde(default)]
    pub public: Option<bool>,
}

/// A validated submission.
#[derive(Debug, Clone)]
pub struct Submission {
    pub kind: Kind,
    pub channel: IntakeChannel,
    pub name: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub subject: String,
    pub body: String,
    pub dossier_code: Option<String>,
    pub procedure_code: Option<String>,
    pub level: Option<String>,
    pub agency_code: Option<String>,
    pub is_public: bool,
}

fn refuse(label: &str, field: &str, problem: impl std::fmt::Display) -> AppError {
    AppError::with_message(
        Code::InvalidSubmission,
        format!("{label} ({field}): {problem}"),
    )
}

fn optional_line(
    raw: &Option<String>,
    label: &str,
    field: &str,
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

    fn parse_inner(
        raw: &RawSubmission,
        settings: &IntakeSettings,
        staff_entry: bool,
    ) -> Result<Self, AppError> {
        let kind = raw
            .kind
            .as_deref()
            .map(str::trim)
            .and_then(Kind::parse)
            .ok_or_else(|| refuse("Loại", "kind", "cần là question hoặc feedback."))?;
        let channel = match raw.channel.as_deref().map(str::trim) {
            None | Some("") => IntakeChannel::Web,
            Some(c) => match IntakeChannel::parse(c) {
                Some(IntakeChannel::Hotline) if staff_entry => IntakeChannel::Hotline,
                Some(IntakeChannel::Hotline) => {
                    return Err(refuse(
                        "Kênh",
                        "channel",
                        "nội dung qua đường dây nóng do điện thoại viên nhập từ trang cán bộ.",
                    ))
                }
                Some(channel) => channel,
                None => {
                    return Err(refuse(
                        "Kênh",
                        "channel",
                        "cần là web, kiosk, app (hoặc hotline khi điện thoại viên nhập).",
                    ))
                }
            },
        };
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
            Some(e) => {
                let valid = e.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty()
                        && host.contains('.')
                        && !host.starts_with('.')
                        && !host.ends_with('.')
                        && !e.chars().any(char::is_whitespace)
                        && e.matches('@').count() == 1
                });
                if !valid {
                    return Err(refuse("Thư điện tử", "email", "không đúng định dạng."));
                }
                Some(e)
            }
            None => None,
        };
        let subject = optional_line(
            &raw.subject,
            "Tiêu đề",
            "subject",
            settings.max_subject_chars,
        )?
        .ok_or_else(|| refuse("Tiêu đề", "subject", "bắt buộc."))?;
        let body = clean_multiline(raw.body.as_deref().unwrap_or(""));
        if body.is_empty() {
            return Err(refuse("Nội dung", "body", "bắt buộc."));
        }
        if char_len(&body) > settings.max_body_chars {
            return Err(refuse(
                "Nội dung",
                "body",
                format!("dài quá {} ký tự.", settings.max_body_chars),
            ));
        }
        if kind == Kind::Feedback {
            if name.is_none() {
                return Err(refuse(
                    "Họ tên",
                    "name",
                    "bắt buộc với phản ánh, kiến nghị (Nghị định 20/2008/NĐ-CP).",
                ));
            }
            if address.is_none() {
                return Err(refuse(
                    "Địa chỉ",
                    "address",
                    "bắt buộc với phản ánh, kiến nghị (Nghị định 20/2008/NĐ-CP).",
                ));
            }
            if phone.is_none() {
                return Err(refuse(
                    "Số điện thoại",
                    "phone",
                    "bắt buộc với phản ánh, kiến nghị (Nghị định 20/2008/NĐ-CP).",
                ));
            }
        } else if phone.is_none() && email.is_none() {
            return Err(refuse(
                "Số điện thoại",
                "phone",
                "cần số điện thoại hoặc thư điện tử để trả lời người hỏi.",
            ));
        }
        let is_public = raw.public.unwrap_or(false);
        if !is_public && phone.is_none() {
            return Err(refuse(
                "Số điện thoại",
                "phone",
                "nội dung không công khai cần số điện thoại để người gửi tự tra cứu.",
            ));
        }
        let dossier_code = match optional_line(&raw.dossier_code, "Mã hồ sơ", "dossier_code", 64)?
        {
            Some(c) => Some(
                DossierCode::parse(&c)
                    .map_err(|e| refuse("Mã hồ sơ", "dossier_code", e.message()))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let procedure_code =
            match optional_line(&raw.procedure_code, "Thủ tục", "procedure_code", 64)? {
                Some(c) => Some(
                    ProcedureCode::parse(&c)
                        .map_err(|e| refuse("Thủ tục", "procedure_code", e.message()))?
                        .national()
                        .to_owned(),
                ),
                None => None,
            };
        let level = match optional_line(&raw.level, "Cấp giải quyết", "level", 20)? {
            Some(l) if matches!(l.as_str(), "province" | "district" | "commune") => Some(l),
            Some(_) => {
                return Err(refuse(
                    "Cấp giải quyết",
                    "level",
                    "cần là province, district hoặc commune.",
                ))
            }
            None => None,
        };
        let agency_code = match optional_line(&raw.agency_code, "Cơ quan", "agency_code", 35)? {
            Some(c) => Some(
                AgencyCode::parse(&c)
                    .map_err(|e| refuse("Cơ quan", "agency_code", e.message()))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        Ok(Self {
            kind,
            channel,
            name,
            phone,
            email,
            address,
            subject,
            body,
            dossier_code,
            procedure_code,
            level,
            agency_code,
            is_public,
        })
    }
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
            assert!(
                error.message.contains(&format!("({field})")),
                "{}",
                error.message
            );
        }
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
