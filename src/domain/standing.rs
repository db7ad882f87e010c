//! Where a dossier stands, as the citizen is told it on every channel (docs/domain.md, what a
//! dossier's status says; decision 0057). The 766 assessment ([`super::timeliness`]) measures
//! agencies; this module decides what a citizen may read from it:
//!
//! - early, on time or late only for a finished dossier (9, 10);
//! - in time, or overdue by so many working days, while the agency works on it (2, 4);
//! - what the citizen must do while the dossier waits for them (5, 6), and no past date;
//! - no timeliness at all for a dossier refused, withdrawn or stopped (3, 7, 8), which says why
//!   in the detailed view instead;
//! - nothing yet for a dossier not yet accepted (1).
//!
//! Every text here is pinned by the table test below against `src/domain/snapshots/wording.txt`.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

use super::calendar::{vn_offset, WorkingCalendar};
use super::status::Status;
use super::timeliness::{assess, Timeliness, TimelinessInput};

/// Where a dossier stands against its deadline, as a citizen reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// 1: submitted, not yet accepted: no deadline runs yet.
    NotYetAccepted,
    /// 2, 4 without an appointment date.
    NoDeadline,
    /// 2, 4: the agency's turn, not past the appointment.
    InTime,
    /// 2, 4: past the appointment by `working_days` working days (0: later on the due day, or
    /// only days off since).
    Overdue { working_days: u32 },
    /// 5: the citizen must bring documents; the deadline is paused.
    AwaitingSupplement,
    /// 6: the citizen must pay fees or taxes; the deadline is paused.
    AwaitingPayment,
    /// 9, 10: finished early, on time or late (`NotApplicable` when the dates are missing).
    Finished(Timeliness),
    /// 3, 7, 8: refused, withdrawn or stopped: no result and no timeliness.
    Ended,
}

impl Standing {
    /// What a citizen is told for `status`, given the 766 assessment (or the open clock) and, when
    /// overdue, the working days past the appointment. Any combination gives honest words: a
    /// waiting, refused, withdrawn or stopped dossier never reads "early" or "on time".
    pub fn of(status: Status, timeliness: Timeliness, overdue_working_days: u32) -> Self {
        match status {
            Status::Registered => Standing::NotYetAccepted,
            Status::NotAccepted | Status::Withdrawn | Status::Stopped => Standing::Ended,
            Status::SupplementRequested => Standing::AwaitingSupplement,
            Status::FinancialObligation => Standing::AwaitingPayment,
            Status::Completed | Status::Returned => Standing::Finished(match timeliness {
                Timeliness::Early | Timeliness::OnTime | Timeliness::Late => timeliness,
                _ => Timeliness::NotApplicable,
            }),
            Status::Accepted | Status::InProgress => match timeliness {
                Timeliness::InProgressOverdue | Timeliness::Late => Standing::Overdue {
                    working_days: overdue_working_days,
                },
                Timeliness::NotApplicable => Standing::NoDeadline,
                _ => Standing::InTime,
            },
        }
    }

    /// Stable key (JSON `timeliness.key`, CSS classes): the 766 keys where they apply,
    /// `waiting_for_citizen` for 5 and 6, `ended` for 3, 7 and 8.
    pub fn key(self) -> &'static str {
        match self {
            Standing::NotYetAccepted | Standing::NoDeadline => "not_applicable",
            Standing::InTime => "in_progress_on_time",
            Standing::Overdue { .. } => "in_progress_overdue",
            Standing::AwaitingSupplement | Standing::AwaitingPayment => "waiting_for_citizen",
            Standing::Finished(t) => t.key(),
            Standing::Ended => "ended",
        }
    }

    /// The short label beside the status ("Tiến độ"), with diacritics; `None` when nothing is
    /// to be said (refused, withdrawn, stopped; finished without dates).
    pub fn label_vi(self) -> Option<Cow<'static, str>> {
        Some(match self {
            Standing::NotYetAccepted | Standing::NoDeadline => Cow::Borrowed("Chưa tính hạn"),
            Standing::InTime => Cow::Borrowed("Trong hạn"),
            Standing::Overdue { working_days: 0 } => Cow::Borrowed("Quá hạn"),
            Standing::Overdue { working_days } => {
                Cow::Owned(format!("Quá hạn {working_days} ngày làm việc"))
            }
            Standing::AwaitingSupplement => Cow::Borrowed("Chờ bạn bổ sung giấy tờ"),
            Standing::AwaitingPayment => Cow::Borrowed("Chờ bạn nộp phí, lệ phí"),
            Standing::Finished(Timeliness::NotApplicable) | Standing::Ended => return None,
            Standing::Finished(t) => Cow::Borrowed(t.label_vi()),
        })
    }

    /// The short unaccented words an SMS puts in brackets after the status ("" when none).
    pub fn sms_words(self) -> Cow<'static, str> {
        match self {
            Standing::InTime => Cow::Borrowed("trong han"),
            Standing::Overdue { working_days: 0 } => Cow::Borrowed("qua han"),
            Standing::Overdue { working_days } => {
                Cow::Owned(format!("qua han {working_days} ngay lam viec"))
            }
            Standing::AwaitingSupplement | Standing::AwaitingPayment => {
                Cow::Borrowed("tam dung tinh han")
            }
            Standing::Finished(Timeliness::Early) => Cow::Borrowed("truoc han"),
            Standing::Finished(Timeliness::OnTime) => Cow::Borrowed("dung han"),
            Standing::Finished(Timeliness::Late) => Cow::Borrowed("tre han"),
            _ => Cow::Borrowed(""),
        }
    }

    /// Whether the appointment date is worth naming: while it runs (or is missed) for the
    /// agency, and once finished. Not while the dossier waits for the citizen (the deadline is
    /// paused and will be set again) nor once refused, withdrawn or stopped.
    pub fn names_due_date(self) -> bool {
        !matches!(
            self,
            Standing::AwaitingSupplement | Standing::AwaitingPayment | Standing::Ended
        )
    }

    /// True for the two values that wait for the citizen.
    pub fn waits_for_citizen(self) -> bool {
        matches!(
            self,
            Standing::AwaitingSupplement | Standing::AwaitingPayment
        )
    }
}

/// The clock of an open dossier the agency is working on (2, 4): in time, overdue, or no
/// deadline. Time spent waiting for supplements is not counted against the appointment.
pub fn open_timeliness(input: &TimelinessInput, now: DateTime<Utc>) -> Timeliness {
    let Some(due) = input.due_at else {
        return Timeliness::NotApplicable;
    };
    if effective_now(input, now) <= due {
        Timeliness::InProgressOnTime
    } else {
        Timeliness::InProgressOverdue
    }
}

fn effective_now(input: &TimelinessInput, now: DateTime<Utc>) -> DateTime<Utc> {
    let paused = TimeDelta::try_seconds(input.supplement_seconds.max(0)).unwrap_or(TimeDelta::MAX);
    now.checked_sub_signed(paused).unwrap_or(now)
}

/// Where the dossier stands at `now`: the open clock for 2 and 4 (with the working days past
/// the appointment, on `calendar`), the 766 assessment for finished dossiers.
pub fn standing(
    input: &TimelinessInput,
    now: DateTime<Utc>,
    calendar: &WorkingCalendar,
) -> Standing {
    standing_with(input, now, || calendar)
}

/// As [`standing`], with the calendar fetched only when it is needed (an open dossier past its
/// appointment): the lookup's hot path reads no calendar for any other dossier.
pub fn standing_with<C: std::ops::Deref<Target = WorkingCalendar>>(
    input: &TimelinessInput,
    now: DateTime<Utc>,
    calendar: impl FnOnce() -> C,
) -> Standing {
    let timeliness = match input.status {
        Status::Accepted | Status::InProgress => open_timeliness(input, now),
        Status::Completed | Status::Returned => assess(input, now),
        _ => Timeliness::NotApplicable,
    };
    let days = match (timeliness, input.due_at) {
        (Timeliness::InProgressOverdue, Some(due)) => {
            let offset = vn_offset();
            calendar().working_days_after(
                due.with_timezone(&offset).date_naive(),
                effective_now(input, now)
                    .with_timezone(&offset)
                    .date_naive(),
            )
        }
        _ => 0,
    };
    Standing::of(input.status, timeliness, days)
}

/// The plain sentence under the status on the web page, the QR landing page and the kiosk:
/// where the dossier stands and what the citizen must do. `detailed` may point at the sections
/// only the detailed view has (what to supplement, the fee, the reason, where to collect).
pub fn plain_words(status: Status, standing: Standing, detailed: bool) -> Cow<'static, str> {
    let text = match (status, standing, detailed) {
        (Status::Registered, _, _) => {
            "Hồ sơ đã được nộp và đang chờ Bộ phận Một cửa kiểm tra, tiếp nhận. Bạn chưa cần làm gì thêm."
        }
        (Status::Accepted | Status::InProgress, Standing::Overdue { working_days }, _) => {
            let late = match working_days {
                0 => "Hồ sơ đã quá ngày hẹn trả mà chưa có kết quả.".to_owned(),
                n => format!("Hồ sơ đã quá ngày hẹn trả {n} ngày làm việc mà chưa có kết quả."),
            };
            return Cow::Owned(format!(
                "{late} Cơ quan giải quyết phải gửi bạn văn bản xin lỗi và hẹn lại ngày trả kết quả; \
                 bạn có thể liên hệ nơi nộp hồ sơ hoặc gọi đường dây nóng để hỏi ngày có kết quả."
            ));
        }
        (Status::Accepted, _, _) => {
            "Hồ sơ đã được tiếp nhận và đang được chuyển đến cơ quan giải quyết. Bạn chưa cần làm gì thêm."
        }
        (Status::InProgress, _, _) => {
            "Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết. Bạn chưa cần làm gì thêm; hãy theo dõi ngày hẹn trả kết quả."
        }
        (Status::SupplementRequested, _, true) => {
            "Cơ quan giải quyết cần bạn bổ sung giấy tờ ghi dưới đây. Thời hạn giải quyết tạm dừng cho đến khi bạn bổ sung, nên hãy bổ sung sớm tại nơi nộp hồ sơ; ngày hẹn trả sẽ được tính lại."
        }
        (Status::SupplementRequested, _, false) => {
            "Cơ quan giải quyết cần bạn bổ sung giấy tờ. Thời hạn giải quyết tạm dừng cho đến khi bạn bổ sung, nên hãy sớm liên hệ nơi nộp hồ sơ để biết giấy tờ cần bổ sung."
        }
        (Status::FinancialObligation, _, true) => {
            "Bạn cần nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính theo thông báo của cơ quan giải quyết. Thời hạn giải quyết tạm dừng cho đến khi bạn nộp, nên hãy nộp sớm; hồ sơ được tiếp tục giải quyết khi cơ quan nhận được chứng từ."
        }
        (Status::FinancialObligation, _, false) => {
            "Bạn cần nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính theo thông báo của cơ quan giải quyết. Thời hạn giải quyết tạm dừng cho đến khi bạn nộp; liên hệ nơi nộp hồ sơ nếu chưa nhận được thông báo."
        }
        (Status::NotAccepted, _, true) => {
            "Hồ sơ không được tiếp nhận giải quyết, vì lý do ghi dưới đây. Bạn có thể liên hệ nơi nộp hồ sơ để được hướng dẫn nộp lại."
        }
        (Status::NotAccepted, _, false) => {
            "Hồ sơ không được tiếp nhận giải quyết. Vui lòng liên hệ nơi nộp hồ sơ hoặc gọi đường dây nóng để biết lý do và cách nộp lại."
        }
        (Status::Withdrawn, _, true) => {
            "Hồ sơ đã được rút theo yêu cầu của người nộp (xem ghi chú dưới đây) và không còn được giải quyết. Nếu vẫn cần, bạn có thể nộp hồ sơ mới."
        }
        (Status::Withdrawn, _, false) => {
            "Hồ sơ đã được rút theo yêu cầu của người nộp và không còn được giải quyết. Nếu vẫn cần, bạn có thể nộp hồ sơ mới."
        }
        (Status::Stopped, _, true) => {
            "Hồ sơ đã dừng xử lý, vì lý do ghi dưới đây. Vui lòng liên hệ nơi nộp hồ sơ nếu cần được hướng dẫn."
        }
        (Status::Stopped, _, false) => {
            "Hồ sơ đã dừng xử lý. Vui lòng liên hệ nơi nộp hồ sơ hoặc gọi đường dây nóng để biết lý do."
        }
        (Status::Completed, _, true) => {
            "Hồ sơ đã có kết quả. Bạn có thể đến nhận kết quả tại nơi ghi dưới đây; nhớ mang theo giấy tiếp nhận."
        }
        (Status::Completed, _, false) => {
            "Hồ sơ đã có kết quả. Bạn có thể đến nhận kết quả tại nơi nộp hồ sơ; nhớ mang theo giấy tiếp nhận."
        }
        (Status::Returned, _, _) => "Kết quả đã được trả. Hồ sơ đã hoàn tất.",
    };
    Cow::Borrowed(text)
}

/// The heading of the reason the detailed view gives for a refused, withdrawn or stopped
/// dossier, or a late result.
pub fn reason_title(status: Status) -> &'static str {
    match status {
        Status::NotAccepted => "Lý do không tiếp nhận",
        Status::Withdrawn => "Lý do rút hồ sơ",
        Status::Stopped => "Lý do dừng xử lý",
        _ => "Lý do trễ hạn",
    }
}

/// What the detailed view says when the read model holds no reason for a refused, withdrawn or
/// stopped dossier.
pub const REASON_UNKNOWN: &str =
    "Lý do chưa được cập nhật vào hệ thống tra cứu. Vui lòng liên hệ nơi nộp hồ sơ hoặc gọi đường dây nóng.";

/// Why a finished dossier is late, from its facts: asked for supplements more than once (the
/// 766 rule), or a result after the appointment date.
pub fn late_reason(supplement_count: u32) -> String {
    if supplement_count > 1 {
        format!(
            "Cơ quan giải quyết đã yêu cầu bổ sung giấy tờ {supplement_count} lần; theo Quyết định 766/QĐ-TTg, \
             hồ sơ phải bổ sung quá một lần được tính là trễ hạn."
        )
    } else {
        "Hồ sơ có kết quả sau ngày hẹn trả.".to_owned()
    }
}

/// An amount in đồng as Vietnamese write it: "2.500.000 đồng".
pub fn vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 10);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out.push_str(" đồng");
    out
}

/// Whether the result can be collected (or will be): the detailed view names where only then.
/// Not for a dossier refused, withdrawn or stopped (no result), nor once the result was handed
/// over.
pub fn shows_where_to_collect(status: Status) -> bool {
    !matches!(
        status,
        Status::NotAccepted | Status::Withdrawn | Status::Stopped | Status::Returned
    )
}

#[cfg(test)]
mod tests {
    use super::super::sms::render::{SmsRenderer, StatusFacts};
    use super::super::sms::Keywords;
    use super::super::speech::{status_report, PublicFacts};
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use std::fmt::Write as _;

    const SNAPSHOT: &str = "src/domain/snapshots/wording.txt";

    const ALL_TIMELINESS: [Timeliness; 6] = [
        Timeliness::Early,
        Timeliness::OnTime,
        Timeliness::Late,
        Timeliness::InProgressOnTime,
        Timeliness::InProgressOverdue,
        Timeliness::NotApplicable,
    ];

    fn vn(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        vn_offset()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn facts(status: Status, standing: Standing) -> PublicFacts {
        PublicFacts {
            lookup_number: "1234567890".into(),
            procedure_name: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ".into(),
            handling_agency: "UBND xã Bình Sơn".into(),
            receiving_agency: "UBND xã Bình Sơn".into(),
            receiving_now: None,
            handling_now: None,
            status,
            standing,
            citizen_due_at: matches!(
                status,
                Status::SupplementRequested | Status::FinancialObligation
            )
            .then(|| vn(2026, 12, 15, 17)),
            received_at: vn(2026, 11, 2, 9),
            due_at: Some(vn(2026, 11, 20, 17)),
            finished_at: (!status.is_open()).then(|| vn(2026, 11, 18, 10)),
            returned_at: (status == Status::Returned).then(|| vn(2026, 11, 19, 10)),
        }
    }

    /// Every status × every 766 value (and, overdue, 0, 1 and 3 working days), each with all the
    /// words every channel says: the label, the SMS words, the plain sentences, the IVR report
    /// and both SMS texts.
    fn table() -> String {
        let renderer = SmsRenderer::new(&Keywords::defaults(), "0255.1022", "8088")
            .unwrap_or_else(|e| panic!("templates: {e}"));
        let mut out = String::from(
            "# What every channel says, by status × timeliness (src/domain/standing.rs).\n\
             # Regenerate after a deliberate change: TRACUU_WRITE_SNAPSHOTS=1 cargo test --lib standing\n",
        );
        for status in Status::ALL {
            for timeliness in ALL_TIMELINESS {
                let days: &[u32] = if timeliness == Timeliness::InProgressOverdue {
                    &[0, 1, 3]
                } else {
                    &[3]
                };
                // A dossier waiting for the citizen, with and without their own deadline.
                let deadlines: &[bool] = if matches!(
                    status,
                    Status::SupplementRequested | Status::FinancialObligation
                ) {
                    &[true, false]
                } else {
                    &[false]
                };
                for (&days, &deadline) in days
                    .iter()
                    .flat_map(|d| deadlines.iter().map(move |k| (d, k)))
                {
                    let standing = Standing::of(status, timeliness, days);
                    let mut facts = facts(status, standing);
                    if !deadline {
                        facts.citizen_due_at = None;
                    }
                    let sms = StatusFacts {
                        code: "000.85.40.H48-261120-9004",
                        procedure: &facts.procedure_name,
                        status,
                        due: facts.due_at,
                        standing,
                        citizen_due: facts.citizen_due_at,
                        now: None,
                    };
                    let mut over = if timeliness == Timeliness::InProgressOverdue {
                        format!(" ({days} working days over)")
                    } else {
                        String::new()
                    };
                    if deadlines.len() > 1 {
                        over.push_str(if deadline {
                            " (with the citizen's deadline)"
                        } else {
                            " (no deadline sent)"
                        });
                    }
                    let _ = write!(
                        out,
                        "\n## {} {}{over}\n\
                         standing: {standing:?}\n\
                         key: {}\n\
                         label: {}\n\
                         sms words: {}\n\
                         plain (public): {}\n\
                         plain (detailed): {}\n\
                         ivr / console read-aloud: {}\n\
                         sms reply: {}\n\
                         sms notification: {}\n",
                        status.code(),
                        timeliness.key(),
                        standing.key(),
                        standing.label_vi().unwrap_or(Cow::Borrowed("(none)")),
                        standing.sms_words(),
                        plain_words(status, standing, false),
                        plain_words(status, standing, true),
                        status_report(&facts),
                        renderer
                            .status_reply(&sms)
                            .unwrap_or_else(|e| panic!("{e}")),
                        renderer
                            .status_notification(&sms)
                            .unwrap_or_else(|e| panic!("{e}")),
                    );
                }
            }
        }
        out
    }

    #[test]
    fn the_words_of_every_status_and_timeliness_match_the_snapshot() {
        let table = table();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
        if std::env::var_os("TRACUU_WRITE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &table).unwrap_or_else(|e| panic!("{e}"));
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != table {
            let line = committed
                .lines()
                .zip(table.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            panic!(
                "{SNAPSHOT} differs from the words the code says (first at line {line}); after a deliberate \
                 change, TRACUU_WRITE_SNAPSHOTS=1 cargo test --lib standing writes it"
            );
        }
    }

    #[test]
    fn early_and_on_time_are_said_only_of_finished_dossiers() {
        for status in Status::ALL {
            for timeliness in ALL_TIMELINESS {
                let standing = Standing::of(status, timeliness, 2);
                let label = standing.label_vi().unwrap_or_default();
                let finished = matches!(status, Status::Completed | Status::Returned);
                if !finished {
                    assert!(
                        label != "Trước hạn" && label != "Đúng hạn",
                        "{status:?} {timeliness:?}: {label}"
                    );
                    assert!(!standing.sms_words().contains("truoc han"));
                    assert!(!standing.sms_words().contains("dung han"));
                }
                if matches!(
                    status,
                    Status::NotAccepted | Status::Withdrawn | Status::Stopped
                ) {
                    assert_eq!(standing, Standing::Ended);
                    assert!(standing.label_vi().is_none());
                    assert_eq!(standing.sms_words(), "");
                }
                for detailed in [false, true] {
                    let plain = plain_words(status, standing, detailed);
                    if matches!(standing, Standing::Overdue { .. }) {
                        assert!(!plain.contains("chưa cần làm gì"), "{plain}");
                    }
                }
            }
        }
    }

    #[test]
    fn an_open_dossier_counts_the_working_days_past_its_appointment() {
        // Due Friday 20/11/2026 17:00; Monday 23/11 and Tuesday 24/11 are working days.
        let input = TimelinessInput {
            status: Status::InProgress,
            received_at: vn(2026, 11, 2, 9),
            due_at: Some(vn(2026, 11, 20, 17)),
            finished_at: None,
            returned_at: None,
            supplement_count: 0,
            supplement_requested_at: None,
            supplement_seconds: 0,
        };
        let calendar = WorkingCalendar::vietnam_default();
        let at = |d, h| standing(&input, vn(2026, 11, d, h), &calendar);
        assert_eq!(at(20, 16), Standing::InTime);
        assert_eq!(at(20, 18), Standing::Overdue { working_days: 0 });
        assert_eq!(at(22, 9), Standing::Overdue { working_days: 0 });
        assert_eq!(at(24, 9), Standing::Overdue { working_days: 2 });
        // Two days waiting for supplements move the clock back by two days.
        let paused = TimelinessInput {
            supplement_count: 1,
            supplement_seconds: 2 * 24 * 3600,
            ..input.clone()
        };
        assert_eq!(
            standing(&paused, vn(2026, 11, 24, 9), &calendar),
            Standing::Overdue { working_days: 0 }
        );
        // Holidays do not count: due the day before Tết 2027 (Friday 5/2), asked 15/2.
        let tet = TimelinessInput {
            due_at: Some(vn(2027, 2, 5, 17)),
            ..input.clone()
        };
        let days = calendar.working_days_after(
            NaiveDate::from_ymd_opt(2027, 2, 5).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2027, 2, 15).unwrap_or_default(),
        );
        assert!(days < 6, "{days}");
        assert_eq!(
            standing(&tet, vn(2027, 2, 15, 9), &calendar),
            Standing::Overdue { working_days: days }
        );
    }

    #[test]
    fn a_supplement_request_is_never_early_even_past_the_appointment() {
        // The 766 assessment stops the clock at the request (Early); the citizen reads "waiting".
        let input = TimelinessInput {
            status: Status::SupplementRequested,
            received_at: vn(2026, 11, 2, 9),
            due_at: Some(vn(2026, 11, 20, 17)),
            finished_at: None,
            returned_at: None,
            supplement_count: 1,
            supplement_requested_at: Some(vn(2026, 11, 10, 9)),
            supplement_seconds: 0,
        };
        let now = vn(2026, 12, 6, 9);
        assert_eq!(assess(&input, now), Timeliness::Early);
        let standing = standing(&input, now, &WorkingCalendar::vietnam_default());
        assert_eq!(standing, Standing::AwaitingSupplement);
        assert_eq!(
            standing.label_vi().as_deref(),
            Some("Chờ bạn bổ sung giấy tờ")
        );
        assert!(!standing.names_due_date());
    }

    #[test]
    fn withdrawn_and_stopped_dossiers_carry_no_timeliness() {
        for status in [Status::Withdrawn, Status::Stopped, Status::NotAccepted] {
            let input = TimelinessInput {
                status,
                received_at: vn(2026, 11, 2, 9),
                due_at: Some(vn(2026, 11, 20, 17)),
                finished_at: Some(vn(2026, 11, 5, 9)),
                returned_at: None,
                supplement_count: 0,
                supplement_requested_at: None,
                supplement_seconds: 0,
            };
            let s = standing(&input, vn(2026, 12, 6, 9), &WorkingCalendar::default());
            assert_eq!(s, Standing::Ended);
            assert_eq!(s.key(), "ended");
        }
    }

    #[test]
    fn amounts_are_grouped_by_thousands_with_dots() {
        assert_eq!(vnd(2_500_000), "2.500.000 đồng");
        assert_eq!(vnd(0), "0 đồng");
        assert_eq!(vnd(100_000), "100.000 đồng");
        assert_eq!(vnd(1_000), "1.000 đồng");
    }

    #[test]
    fn where_to_collect_only_when_a_result_is_or_will_be_there() {
        let shown: Vec<i16> = Status::ALL
            .iter()
            .filter(|s| shows_where_to_collect(**s))
            .map(|s| s.code())
            .collect();
        assert_eq!(shown, [1, 2, 4, 5, 6, 9]);
    }
}
