//! SMS texts from the handlebars templates under `templates/sms/`: unaccented GSM-7, one
//! 160-character segment for every status and every procedure name (long names are abbreviated,
//! then cut at a word), never more than two segments. Only public-view facts (docs/domain.md, personal data):
//! code, procedure, status, appointment date, timeliness.

use chrono::{DateTime, Utc};
use handlebars::Handlebars;
use serde_json::{json, Value};

use super::gsm7::SINGLE_SEGMENT;
use super::gsm7::{segments, septets, to_gsm7, truncate_to, MAX_SEGMENTS, MULTI_SEGMENT};
use super::parse::{Keywords, Rating, Verb};
use crate::domain::standing::Standing;
use crate::domain::succession::NowAgency;
#[cfg(test)]
use crate::domain::Timeliness;
use crate::domain::{vn_offset, Status};

/// Every SMS template: name and source, embedded so the binary runs from anywhere.
pub const SMS_TEMPLATES: &[(&str, &str)] = &[
    ("status", include_str!("../../../templates/sms/status.hbs")),
    (
        "notify_status",
        include_str!("../../../templates/sms/notify_status.hbs"),
    ),
    (
        "answer_published",
        include_str!("../../../templates/sms/answer_published.hbs"),
    ),
    (
        "received",
        include_str!("../../../templates/sms/received.hbs"),
    ),
    (
        "answered",
        include_str!("../../../templates/sms/answered.hbs"),
    ),
    ("help", include_str!("../../../templates/sms/help.hbs")),
    (
        "not_found",
        include_str!("../../../templates/sms/not_found.hbs"),
    ),
    (
        "invalid_code",
        include_str!("../../../templates/sms/invalid_code.hbs"),
    ),
    (
        "missing_code",
        include_str!("../../../templates/sms/missing_code.hbs"),
    ),
    (
        "number_typo",
        include_str!("../../../templates/sms/number_typo.hbs"),
    ),
    (
        "invalid_rating",
        include_str!("../../../templates/sms/invalid_rating.hbs"),
    ),
    (
        "subscribed",
        include_str!("../../../templates/sms/subscribed.hbs"),
    ),
    (
        "subscription_limit",
        include_str!("../../../templates/sms/subscription_limit.hbs"),
    ),
    (
        "unsubscribed",
        include_str!("../../../templates/sms/unsubscribed.hbs"),
    ),
    (
        "unsubscribed_all",
        include_str!("../../../templates/sms/unsubscribed_all.hbs"),
    ),
    (
        "opted_out",
        include_str!("../../../templates/sms/opted_out.hbs"),
    ),
    ("rated", include_str!("../../../templates/sms/rated.hbs")),
    (
        "rating_not_yours",
        include_str!("../../../templates/sms/rating_not_yours.hbs"),
    ),
    (
        "rating_too_early",
        include_str!("../../../templates/sms/rating_too_early.hbs"),
    ),
    (
        "tracking",
        include_str!("../../../templates/sms/tracking.hbs"),
    ),
    (
        "not_mobile",
        include_str!("../../../templates/sms/not_mobile.hbs"),
    ),
    (
        "rate_limited",
        include_str!("../../../templates/sms/rate_limited.hbs"),
    ),
    (
        "unavailable",
        include_str!("../../../templates/sms/unavailable.hbs"),
    ),
    (
        "internal",
        include_str!("../../../templates/sms/internal.hbs"),
    ),
    (
        "unreadable",
        include_str!("../../../templates/sms/unreadable.hbs"),
    ),
];

/// Common words of procedure names and their usual abbreviations, applied in order until a
/// name fits its budget (unaccented, matched without regard to case at word boundaries).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("giay chung nhan", "GCN"),
    ("quyen su dung dat", "QSDD"),
    ("quyen so huu nha o", "QSH nha o"),
    ("tai san khac gan lien voi dat", "TS gan lien dat"),
    ("tai san gan lien voi dat", "TS gan lien dat"),
    ("uy ban nhan dan", "UBND"),
    ("thu tuc hanh chinh", "TTHC"),
    ("co yeu to nuoc ngoai", "co YTNN"),
    ("bao hiem y te", "BHYT"),
    ("bao hiem xa hoi", "BHXH"),
    ("nguoi nuoc ngoai", "NNN"),
    ("doanh nghiep", "DN"),
    ("giay phep", "GP"),
    ("dang ky", "DK"),
    ("chung thuc", "CT"),
    ("thuong tru", "TT"),
    ("xay dung", "XD"),
    ("co quan co tham quyen", "CQ co tham quyen"),
    ("giay to, van ban", "giay to"),
    ("Viet Nam", "VN"),
];

/// What a status reply or notification says about a dossier: public-view facts only.
#[derive(Debug, Clone)]
pub struct StatusFacts<'a> {
    pub code: &'a str,
    /// Procedure name as stored (with diacritics; made unaccented here).
    pub procedure: &'a str,
    pub status: Status,
    /// The appointment date (named only where [`Standing::names_due_date`]).
    pub due: Option<DateTime<Utc>>,
    /// Where the dossier stands, as the citizen is told it.
    pub standing: Standing,
    /// By when the citizen must supplement or pay (statuses 5 and 6), when the main store says.
    pub citizen_due: Option<DateTime<Utc>>,
    /// When the dossier's agency has closed: its name as printed on the receipt and who serves
    /// its dossiers now (the status reply says where to go, shortened to keep one segment).
    pub now: Option<(&'a str, &'a [NowAgency])>,
}

/// Agency words and their SMS abbreviations, applied in order (unaccented, at word boundaries).
const AGENCY_ABBREVIATIONS: &[(&str, &str)] = &[
    ("Trung tam Phuc vu hanh chinh cong", "TTPVHCC"),
    ("Uy ban nhan dan", "UBND"),
    ("UBND huyen", "UBND H."),
    ("UBND thanh pho", "UBND TP."),
    ("UBND thi xa", "UBND TX."),
    ("UBND tinh", "UBND T."),
    ("Tai nguyen va Moi truong", "TN&MT"),
    ("Nong nghiep va Moi truong", "NN&MT"),
    ("Nong nghiep va Phat trien nong thon", "NN&PTNT"),
    ("Lao dong - Thuong binh va Xa hoi", "LDTBXH"),
    ("Ke hoach va Dau tu", "KH&DT"),
    ("Van hoa, The thao va Du lich", "VHTTDL"),
    ("Giao thong van tai", "GTVT"),
    ("Thong tin va Truyen thong", "TT&TT"),
    ("Khoa hoc va Cong nghe", "KH&CN"),
    ("Giao duc va Dao tao", "GD&DT"),
    ("Dan toc va Ton giao", "DT&TG"),
];

/// An agency name for SMS: unaccented, its usual words abbreviated ("UBND huyện Bình Sơn" →
/// "UBND H.Binh Son", "Trung tâm Phục vụ hành chính công xã Bình Sơn" → "TTPVHCC xa Binh Son").
pub fn short_agency(name: &str) -> String {
    let mut text = to_gsm7(name.trim());
    for (long, short) in AGENCY_ABBREVIATIONS {
        text = replace_words(&text, long, short);
    }
    text.replace(". ", ".")
}

/// A desk name with its kind of place abbreviated too, for the last resort ("TTPVHCC phuong
/// Truong Quang Trong" → "TTPVHCC P.Truong Quang Trong").
fn short_place(desk: &str) -> String {
    [("xa", "X."), ("phuong", "P."), ("dac khu", "DK.")]
        .iter()
        .fold(desk.to_owned(), |text, (long, short)| {
            replace_words(&text, long, short)
        })
        .replace(". ", ".")
}

/// The ways to say where to go now, longest first: the reply takes the first that fits its
/// segment (and cuts the last one if none does).
fn now_candidates(original: &str, now: &[NowAgency]) -> Vec<String> {
    let original = short_agency(original);
    match now {
        [] => vec![
            format!("{original} da ngung hoat dong"),
            "Co quan da ngung hoat dong".to_owned(),
        ],
        [one] => {
            let desk = short_agency(&one.desk_name);
            let phone = one.desk_phone.as_deref().map(|p| to_gsm7(p.trim()));
            let mut texts = Vec::with_capacity(4);
            // The desk's phone matters more than the old name the citizen holds on paper.
            if let Some(phone) = &phone {
                texts.push(format!("{original} nay la {desk}, DT {phone}"));
                texts.push(format!("Nay lien he {desk}, DT {phone}"));
            }
            texts.push(format!("{original} nay la {desk}"));
            texts.push(format!("Nay lien he {desk}"));
            texts.push(format!("Nay: {}", short_place(&desk)));
            texts
        }
        several => {
            let places: Vec<String> = several
                .iter()
                .map(|a| to_gsm7(crate::domain::succession::place_name(&a.name)))
                .collect();
            vec![
                format!(
                    "{original} nay thuoc {}; hoi TTPVHCC noi cu tru",
                    places.join(", ")
                ),
                format!(
                    "{original} nay thuoc {} xa, phuong; hoi TTPVHCC noi cu tru",
                    several.len()
                ),
                "Nay lien he TTPVHCC xa, phuong noi cu tru".to_owned(),
                "Hoi TTPVHCC xa/phuong noi cu tru".to_owned(),
            ]
        }
    }
}

/// Replaces `needle` (lowercase ASCII) in `text` at word boundaries, ignoring case.
fn replace_words(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find(&needle) {
        let start = i + found;
        let end = start + needle.len();
        let before_ok = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric();
        let after_ok = end == lower.len() || !lower.as_bytes()[end].is_ascii_alphanumeric();
        out.push_str(&text[i..start]);
        if before_ok && after_ok {
            out.push_str(with);
        } else {
            out.push_str(&text[start..end]);
        }
        i = end;
    }
    out.push_str(&text[i..]);
    out
}

/// An unaccented procedure name that fits `budget` septets: abbreviations first, then a cut.
pub fn abbreviate(name: &str, budget: usize) -> String {
    let mut text = to_gsm7(name);
    for (long, short) in ABBREVIATIONS {
        if septets(&text) <= budget {
            return text;
        }
        text = replace_words(&text, long, short);
    }
    truncate_to(&text, budget)
}

/// The date citizens read in SMS: `dd/mm/yyyy`, Vietnam time.
pub fn sms_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&vn_offset())
        .format("%d/%m/%Y")
        .to_string()
}

/// Renders every SMS the service sends.
pub struct SmsRenderer {
    hb: Handlebars<'static>,
    base: Value,
}

impl SmsRenderer {
    /// Compiles the templates; `hotline` and `short_code` appear in the texts, and the keywords
    /// are the first configured of each kind.
    pub fn new(keywords: &Keywords, hotline: &str, short_code: &str) -> anyhow::Result<Self> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        for (name, source) in SMS_TEMPLATES {
            hb.register_template_string(name, source)?;
        }
        let base = json!({
            "hotline": to_gsm7(hotline),
            "short_code": to_gsm7(short_code),
            "kw_lookup": keywords.primary(Verb::Lookup),
            "kw_subscribe": keywords.primary(Verb::Subscribe),
            "kw_unsubscribe": keywords.primary(Verb::Unsubscribe),
            "kw_rate": keywords.primary(Verb::Rate),
            "kw_help": keywords.primary(Verb::Help),
            "kw_opt_out": keywords.primary(Verb::OptOut),
            "example": "000.00.53.H48-220921-0099",
        });
        Ok(Self { hb, base })
    }

    /// Renders `template` with the common values plus `extra`, as unaccented GSM-7 of at most
    /// two segments (whitespace collapsed).
    pub fn render(&self, template: &str, extra: Value) -> anyhow::Result<String> {
        let mut context = self.base.clone();
        if let (Some(base), Value::Object(extra)) = (context.as_object_mut(), extra) {
            base.extend(extra);
        }
        let raw = self.hb.render(template, &context)?;
        // A cut name ends with "..." and the template may add its own full stop.
        let text =
            to_gsm7(&raw.split_whitespace().collect::<Vec<_>>().join(" ")).replace("....", "...");
        if segments(&text) > MAX_SEGMENTS {
            return Ok(truncate_to(&text, MAX_SEGMENTS * MULTI_SEGMENT));
        }
        Ok(text)
    }

    /// A text put together from rendered pieces, made GSM-7 and kept within two segments.
    pub fn render_text(&self, text: &str) -> anyhow::Result<String> {
        let text = to_gsm7(&text.split_whitespace().collect::<Vec<_>>().join(" "));
        if segments(&text) > MAX_SEGMENTS {
            return Ok(truncate_to(&text, MAX_SEGMENTS * MULTI_SEGMENT));
        }
        Ok(text)
    }

    /// Renders a template whose `field` holds free text (a procedure name, a reason), shortened
    /// so the whole text fits one segment (two at most when even an empty field does not fit).
    pub fn render_fitting(
        &self,
        template: &str,
        context: Value,
        field: &str,
        value: &str,
    ) -> anyhow::Result<String> {
        self.render_fitting_within(template, context, field, value, SINGLE_SEGMENT)
    }

    /// [`Self::render_fitting`] within `limit` septets instead of one segment.
    fn render_fitting_within(
        &self,
        template: &str,
        mut context: Value,
        field: &str,
        value: &str,
        limit: usize,
    ) -> anyhow::Result<String> {
        // A one-character stand-in measures everything around the field, separators included.
        context[field] = json!("X");
        let around = septets(&self.render(template, context.clone())?).saturating_sub(1);
        let budget = limit.saturating_sub(around);
        context[field] = json!(abbreviate(value, budget));
        self.render(template, context)
    }

    fn facts_context(facts: &StatusFacts<'_>) -> Value {
        // A dossier waiting for the citizen: their own deadline when the main store sent it (what
        // to act on, and one segment leaves no room for both), else that the deadline is paused.
        let by = facts
            .citizen_due
            .filter(|_| facts.standing.waits_for_citizen())
            .map(sms_date);
        let words = if by.is_some() {
            std::borrow::Cow::Borrowed("")
        } else {
            facts.standing.sms_words()
        };
        json!({
            "code": facts.code,
            "status": facts.status.label_ascii(),
            "due": facts.due.filter(|_| facts.standing.names_due_date()).map(sms_date),
            "timeliness": words,
            "by": by,
            "by_what": if facts.status == Status::FinancialObligation { "nop" } else { "bo sung" },
            "now": null,
        })
    }

    /// The reply to `HS <code>`. When the dossier's agency has closed, the reply says who serves
    /// it now, in the longest wording that still leaves the reply one segment (the procedure
    /// name gives way first; the code is never cut).
    pub fn status_reply(&self, facts: &StatusFacts<'_>) -> anyhow::Result<String> {
        self.status_reply_within(facts, SINGLE_SEGMENT)
    }

    /// The status reply after `note` (a short remark such as "the message named two codes"),
    /// the whole still one segment: the procedure's name gives way first.
    pub fn status_reply_noted(
        &self,
        note: &str,
        facts: &StatusFacts<'_>,
    ) -> anyhow::Result<String> {
        let note = to_gsm7(note);
        let limit = SINGLE_SEGMENT.saturating_sub(septets(&note) + 1);
        Ok(format!(
            "{note} {}",
            self.status_reply_within(facts, limit)?
        ))
    }

    fn status_reply_within(&self, facts: &StatusFacts<'_>, limit: usize) -> anyhow::Result<String> {
        let mut context = Self::facts_context(facts);
        if let Some((original, now)) = facts.now {
            let candidates = now_candidates(original, now);
            context["procedure"] = json!("");
            let mut chosen = None;
            for text in &candidates {
                context["now"] = json!(text);
                if septets(&self.render("status", context.clone())?) <= limit {
                    chosen = Some(text.clone());
                    break;
                }
            }
            let chosen = match chosen {
                Some(text) => text,
                None => {
                    let last = candidates.last().cloned().unwrap_or_default();
                    context["now"] = json!("X");
                    let around = septets(&self.render("status", context.clone())?) - 1;
                    truncate_to(&last, limit.saturating_sub(around))
                }
            };
            context["now"] = json!(chosen);
        }
        self.render_fitting_within("status", context, "procedure", facts.procedure, limit)
    }

    /// The notification of a status change.
    pub fn status_notification(&self, facts: &StatusFacts<'_>) -> anyhow::Result<String> {
        self.render_fitting(
            "notify_status",
            Self::facts_context(facts),
            "procedure",
            facts.procedure,
        )
    }

    /// "Your question (or feedback) has been answered", with the page of the published answer.
    pub fn answer_published(
        &self,
        question: bool,
        tracking_code: &str,
        url: &str,
    ) -> anyhow::Result<String> {
        self.render(
            "answer_published",
            json!({
                "kind": if question { "Cau hoi" } else { "Phan anh" },
                "code": tracking_code,
                "url": url,
            }),
        )
    }

    /// The receipt of a question or feedback item, with its private tracking link.
    pub fn received(
        &self,
        question: bool,
        tracking_code: &str,
        url: &str,
    ) -> anyhow::Result<String> {
        self.render(
            "received",
            json!({
                "kind": if question { "cau hoi" } else { "phan anh" },
                "code": tracking_code,
                "url": url,
            }),
        )
    }

    /// The notice that a question or feedback item was answered: its tracking code and where to
    /// read the answer (`url`, the tracking page; with its token when `private_link`, else the
    /// page asks for the phone's last four digits), never the answer itself.
    pub fn answered(
        &self,
        question: bool,
        tracking_code: &str,
        url: &str,
        private_link: bool,
    ) -> anyhow::Result<String> {
        self.render(
            "answered",
            json!({
                "kind": if question { "Cau hoi" } else { "Phan anh" },
                "code": tracking_code,
                "url": url,
                "private_link": private_link,
            }),
        )
    }

    /// The reply to an intake tracking code: where the item and its answer are followed.
    pub fn tracking(&self, tracking_code: &str, url: &str) -> anyhow::Result<String> {
        self.render("tracking", json!({"code": tracking_code, "url": url}))
    }

    /// The reply to a rating.
    pub fn rated(&self, code: &str, rating: Rating) -> anyhow::Result<String> {
        self.render(
            "rated",
            json!({"code": code, "rating": rating.label_ascii()}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sms::gsm7::is_gsm7;
    use chrono::TimeZone;

    fn renderer() -> SmsRenderer {
        SmsRenderer::new(&Keywords::defaults(), "0255.1022", "8088").expect("templates")
    }

    const ALL_STATUSES: [i16; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const ALL_TIMELINESS: [Timeliness; 6] = [
        Timeliness::Early,
        Timeliness::OnTime,
        Timeliness::Late,
        Timeliness::InProgressOnTime,
        Timeliness::InProgressOverdue,
        Timeliness::NotApplicable,
    ];

    #[test]
    fn every_status_with_every_demo_procedure_fits_one_segment() {
        // Arrange: every procedure of the demo province, the longest demo code.
        let renderer = renderer();
        let province = crate::demo::generate::province(1);
        let mut names: Vec<String> = province.procedures.iter().map(|p| p.name.clone()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        assert!(names[0].chars().count() > 100, "the demo has long names");
        let due = Some(Utc.with_ymd_and_hms(2026, 12, 31, 9, 0, 0).unwrap());
        // Act + Assert
        for name in &names {
            for status in ALL_STATUSES {
                for timeliness in ALL_TIMELINESS {
                    let facts = StatusFacts {
                        code: "000.00.16.H48-261120-9001",
                        procedure: name,
                        status: Status::from_code(status).unwrap(),
                        due,
                        standing: Standing::of(Status::from_code(status).unwrap(), timeliness, 125),
                        citizen_due: due,
                        now: None,
                    };
                    for text in [
                        renderer.status_reply(&facts).unwrap(),
                        renderer.status_notification(&facts).unwrap(),
                        renderer
                            .status_reply_noted("Tin co 3 ma, tra loi ma dau:", &facts)
                            .unwrap(),
                    ] {
                        assert!(septets(&text) <= 160, "{} septets: {text}", septets(&text));
                        assert!(is_gsm7(&text) && text.is_ascii(), "{text}");
                        assert!(text.contains("000.00.16.H48-261120-9001"), "{text}");
                        assert!(!text.contains("...."), "{text}");
                        assert!(
                            text.contains(Status::from_code(status).unwrap().label_ascii()),
                            "{text}"
                        );
                    }
                }
            }
        }
    }

    fn successor(name: &str, tier: &str, phone: Option<&str>) -> NowAgency {
        NowAgency::from(crate::domain::succession::LivingSuccessor {
            code: "000.00.91.H48".into(),
            name: name.into(),
            tier: tier.into(),
            desk_address: Some("Số 1 đường Trương Quang Trọng".into()),
            desk_phone: phone.map(Into::into),
            desk_hours: None,
        })
    }

    #[test]
    fn a_closed_agency_is_named_with_its_successor_in_one_segment_with_every_status() {
        // Arrange: the longest demo procedure names and long agency names of the reform.
        let renderer = renderer();
        let province = crate::demo::generate::province(1);
        let mut names: Vec<String> = province.procedures.iter().map(|p| p.name.clone()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        names.truncate(3);
        names.push("Đăng ký khai sinh".into());
        let one = [successor(
            "UBND phường Trương Quang Trọng",
            "local",
            Some("0255.3812345"),
        )];
        let several = [
            successor("UBND xã Tịnh Phong", "local", None),
            successor("UBND xã Tịnh Hà", "local", None),
            successor("UBND phường Trương Quang Trọng", "local", None),
        ];
        let department = [successor(
            "Sở Nông nghiệp và Môi trường tỉnh Quảng Ngãi",
            "province",
            Some("0255.3822222"),
        )];
        let cases: [(&str, &[NowAgency], &str); 4] = [
            ("UBND thị xã Đức Phổ", &one, "Truong Quang Trong"),
            ("UBND huyện Sơn Tịnh", &several, "TTPVHCC"),
            (
                "Sở Tài nguyên và Môi trường tỉnh Kon Tum",
                &department,
                "So NN&MT tinh Quang Ngai",
            ),
            ("UBND huyện Nam Trà My", &[], "da ngung hoat dong"),
        ];
        let code = "000.00.05.H35-250630-9001";
        let due = Some(Utc.with_ymd_and_hms(2025, 12, 31, 9, 0, 0).unwrap());
        for name in &names {
            for status in ALL_STATUSES {
                for timeliness in ALL_TIMELINESS {
                    for (original, now, expected) in &cases {
                        // Act
                        let text = renderer
                            .status_reply(&StatusFacts {
                                code,
                                procedure: name,
                                status: Status::from_code(status).unwrap(),
                                due,
                                standing: Standing::of(
                                    Status::from_code(status).unwrap(),
                                    timeliness,
                                    125,
                                ),
                                citizen_due: due,
                                now: Some((original, now)),
                            })
                            .unwrap();
                        // Assert
                        assert!(septets(&text) <= 160, "{} septets: {text}", septets(&text));
                        assert!(is_gsm7(&text) && text.is_ascii(), "{text}");
                        assert!(text.starts_with(&format!("HS {code}: ")), "{text}");
                        assert!(text.contains(expected), "{text}");
                        assert!(text.ends_with("HD: 0255.1022"), "{text}");
                        let noted = renderer
                            .status_reply_noted(
                                "Tin co 2 ma, tra loi ma dau:",
                                &StatusFacts {
                                    code,
                                    procedure: name,
                                    status: Status::from_code(status).unwrap(),
                                    due,
                                    standing: Standing::of(
                                        Status::from_code(status).unwrap(),
                                        timeliness,
                                        125,
                                    ),
                                    citizen_due: due,
                                    now: Some((original, now)),
                                },
                            )
                            .unwrap();
                        assert!(
                            septets(&noted) <= 160,
                            "{} septets: {noted}",
                            septets(&noted)
                        );
                        assert!(
                            noted.starts_with(&format!("Tin co 2 ma, tra loi ma dau: HS {code}: ")),
                            "{noted}"
                        );
                        assert!(noted.ends_with("HD: 0255.1022"), "{noted}");
                    }
                }
            }
        }
        // Where to go now comes before the procedure's name: with one successor and its phone the
        // reply has no room left for the name.
        let text = renderer
            .status_reply(&StatusFacts {
                code,
                procedure: "Đăng ký khai sinh",
                status: Status::InProgress,
                due,
                standing: Standing::InTime,
                citizen_due: None,
                now: Some((
                    "UBND huyện Bình Sơn",
                    &[successor("UBND xã Bình Sơn", "local", Some("0255.3812345"))],
                )),
            })
            .unwrap();
        assert_eq!(
            text,
            "HS 000.00.05.H35-250630-9001: Trang thai: Dang xu ly. Hen tra 31/12/2025 (trong han). UBND H.Binh Son nay la TTPVHCC xa Binh Son, DT 0255.3812345. HD: 0255.1022"
        );
    }

    #[test]
    fn the_receipt_of_a_question_carries_its_tracking_link_in_gsm7() {
        let url = "https://tracuu.example.gov.vn/theo-doi?ma=PAKN.20261206.0042&k=BABCDEFGHIJ";
        let text = renderer()
            .received(false, "PAKN.20261206.0042", url)
            .expect("text");
        assert!(text.contains(url), "{text}");
        assert!(text.contains("PAKN.20261206.0042"), "{text}");
        assert!(is_gsm7(&text) && text.is_ascii(), "{text}");
        assert!(septets(&text) <= 160, "one segment: {text}");
    }

    #[test]
    fn the_answered_notice_says_where_to_read_the_answer_and_never_quotes_it() {
        let url = "https://tracuu.example.gov.vn/theo-doi?ma=HD.20261206.0042&k=BABCDEFGHIJ";
        let text = renderer()
            .answered(true, "HD.20261206.0042", url, true)
            .expect("text");
        assert!(
            text.starts_with("Cau hoi HD.20261206.0042 da co tra loi."),
            "{text}"
        );
        assert!(text.contains(url) && text.contains("giu rieng"), "{text}");
        assert!(is_gsm7(&text) && text.is_ascii(), "{text}");
        assert!(septets(&text) <= 160, "one segment: {text}");
        let bare = "https://tracuu.example.gov.vn/theo-doi?ma=PAKN.20261206.0042";
        let text = renderer()
            .answered(false, "PAKN.20261206.0042", bare, false)
            .expect("text");
        assert!(text.starts_with("Phan anh PAKN.20261206.0042"), "{text}");
        assert!(text.contains("4 so cuoi"), "{text}");
    }

    #[test]
    fn a_short_name_is_kept_whole_and_a_long_one_abbreviated() {
        let renderer = renderer();
        let facts = StatusFacts {
            code: "000.00.16.H48-261120-9001",
            procedure: "Đăng ký khai sinh",
            status: Status::InProgress,
            due: Some(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap()),
            standing: Standing::InTime,
            citizen_due: None,
            now: None,
        };
        let text = renderer.status_reply(&facts).unwrap();
        assert!(text.contains("Dang ky khai sinh"), "{text}");
        assert!(text.contains("25/11/2026"), "{text}");
        assert!(text.contains("trong han"), "{text}");
        assert_eq!(
            abbreviate("Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", 30),
            "Cap GCN QSDD lan dau"
        );
    }

    #[test]
    fn the_longest_possible_code_still_gives_at_most_two_segments() {
        let renderer = renderer();
        let code = format!("{}-261120-999999", "A12345.".repeat(5) + "H48");
        let facts = StatusFacts {
            code: &code,
            procedure: &"Thủ tục rất dài ".repeat(40),
            status: Status::FinancialObligation,
            due: Some(Utc::now()),
            standing: Standing::Overdue { working_days: 4 },
            citizen_due: None,
            now: None,
        };
        let text = renderer.status_notification(&facts).unwrap();
        assert!(segments(&text) <= 2, "{text}");
    }

    #[test]
    fn every_fixed_reply_is_one_gsm7_segment() {
        let renderer = renderer();
        let extra = json!({"code": "000.00.16.H48-261120-9001", "keyword": "HS",
            "reason": "mã hồ sơ phải gồm đúng 3 phần ngăn cách bởi dấu gạch ngang: mã cơ quan, ngày, số thứ tự",
            "max": 20, "rating": "Khong hai long", "kind": "Phan anh",
            "url": "https://dichvucong.ninhthuan.gov.vn/hoi-dap/PAKN.20261123.0001"});
        for (name, _) in SMS_TEMPLATES {
            if matches!(*name, "status" | "notify_status") {
                continue;
            }
            let reason = extra["reason"].as_str().unwrap();
            let text = renderer
                .render_fitting(name, extra.clone(), "reason", reason)
                .unwrap();
            assert!(!text.is_empty(), "{name}");
            assert!(is_gsm7(&text), "{name}: {text}");
            assert!(
                septets(&text) <= 160,
                "{name}: {} septets: {text}",
                septets(&text)
            );
        }
        let help = renderer.render("help", json!({})).unwrap();
        assert!(help.contains("0255.1022") && help.contains("HS"), "{help}");
    }
}
