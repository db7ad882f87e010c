//! Spoken Vietnamese for the hotline: numbers, dates, times and a dossier's status as sentences a
//! text-to-speech engine (or an operator) reads aloud. Numbers are written out in words
//! ("hai mươi mốt", "một trăm linh năm", "hai nghìn không trăm hai mươi sáu") so that no engine
//! has to guess how to read "21/11" or "2026"; days 1–10 of a month are "mùng", April is "tháng tư".
//! Only public-view facts go into [`status_report`] (docs/domain.md, personal data): no name, phone or documents.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc, Weekday};

use super::calendar::vn_offset;
use super::standing::Standing;
use super::{Status, Timeliness, WorkingHours};

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// One decimal digit in words ("không" … "chín").
pub fn digit_word(d: u8) -> &'static str {
    DIGITS[usize::from(d % 10)]
}

/// Reads a string of digits one by one ("0912" → "không chín một hai"); other characters are
/// skipped. For lookup numbers and phone numbers, which are read digit by digit.
pub fn digits_words(digits: &str) -> String {
    digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| DIGITS[d as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces every run of digits in `text` with its number in words ("Nghị định 20" → "Nghị định
/// hai mươi"), so names read out loud need no guessing; runs longer than 12 digits are read digit
/// by digit.
pub fn spell_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.is_empty() {
            return;
        }
        let words = match run.parse::<u64>() {
            Ok(n) if run.len() <= 12 => number_words(n),
            _ => digits_words(run),
        };
        out.push_str(&words);
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Words for 0–999. `full`: the group follows a higher group, so a zero hundreds digit is still
/// read ("không trăm") and a lone unit takes "linh" ("một nghìn không trăm linh năm").
fn triple(n: u64, full: bool, out: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (n / 100) as usize,
        ((n / 10) % 10) as usize,
        (n % 10) as usize,
    );
    let said_hundreds = full || h > 0;
    if said_hundreds {
        out.push(DIGITS[h]);
        out.push("trăm");
    }
    match t {
        0 => {
            if u > 0 {
                if said_hundreds {
                    out.push("linh");
                }
                out.push(DIGITS[u]);
            }
        }
        1 => {
            out.push("mười");
            match u {
                0 => {}
                5 => out.push("lăm"),
                _ => out.push(DIGITS[u]),
            }
        }
        _ => {
            out.push(DIGITS[t]);
            out.push("mươi");
            match u {
                0 => {}
                1 => out.push("mốt"),
                4 => out.push("tư"),
                5 => out.push("lăm"),
                _ => out.push(DIGITS[u]),
            }
        }
    }
}

/// A whole number in Vietnamese words: 21 → "hai mươi mốt", 105 → "một trăm linh năm",
/// 2026 → "hai nghìn không trăm hai mươi sáu", 1 000 000 → "một triệu".
pub fn number_words(n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_owned();
    }
    const SCALES: [&str; 4] = ["", "nghìn", "triệu", "tỷ"];
    // Groups of three digits, most significant first; above "tỷ" the count of billions is
    // itself read as a number (rare: not needed for dates and times).
    let billions = n / 1_000_000_000;
    let rest = n % 1_000_000_000;
    let mut words: Vec<&'static str> = Vec::new();
    let mut owned = String::new();
    if billions > 0 {
        owned = number_words(billions);
        owned.push_str(" tỷ");
    }
    let groups = [rest / 1_000_000, (rest / 1000) % 1000, rest % 1000];
    let mut started = billions > 0;
    for (i, &g) in groups.iter().enumerate() {
        if g == 0 {
            continue;
        }
        triple(g, started, &mut words);
        let scale = SCALES[2 - i];
        if !scale.is_empty() {
            words.push(scale);
        }
        started = true;
    }
    let tail = words.join(" ");
    match (owned.is_empty(), tail.is_empty()) {
        (true, _) => tail,
        (false, true) => owned,
        (false, false) => format!("{owned} {tail}"),
    }
}

/// The weekday as said before a date ("thứ Hai" … "thứ Bảy", "Chủ nhật").
pub fn weekday_words(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

/// "tháng một" … "tháng mười hai", with April as "tháng tư".
pub fn month_words(month: u32) -> String {
    match month {
        4 => "tháng tư".to_owned(),
        m => format!("tháng {}", number_words(u64::from(m))),
    }
}

/// A date as spoken: "thứ Hai, ngày hai mươi ba tháng mười một năm hai nghìn không trăm hai mươi
/// sáu"; days 1–10 are "mùng" ("ngày mùng năm tháng tư …").
pub fn date_words(date: NaiveDate) -> String {
    let day = date.day();
    let day_words = if day <= 10 {
        format!("mùng {}", number_words(u64::from(day)))
    } else {
        number_words(u64::from(day))
    };
    format!(
        "{}, ngày {} {} năm {}",
        weekday_words(date.weekday()),
        day_words,
        month_words(date.month()),
        number_words(u64::try_from(date.year()).unwrap_or(0))
    )
}

/// A time of day as spoken on a 12-hour clock with the part of the day: 09:30 → "chín giờ ba mươi
/// phút sáng", 12:00 → "mười hai giờ trưa", 13:30 → "một giờ ba mươi phút chiều", 19:05 → "bảy
/// giờ năm phút tối", 00:15 → "mười hai giờ mười lăm phút đêm".
pub fn time_words(time: NaiveTime) -> String {
    let (h, m) = (time.hour(), time.minute());
    let part = match h {
        0..=3 | 22..=23 => "đêm",
        4..=10 => "sáng",
        11..=12 => "trưa",
        13..=17 => "chiều",
        _ => "tối",
    };
    let h12 = match h % 12 {
        0 => 12,
        x => x,
    };
    if m == 0 {
        format!("{} giờ {part}", number_words(u64::from(h12)))
    } else {
        format!(
            "{} giờ {} phút {part}",
            number_words(u64::from(h12)),
            number_words(u64::from(m))
        )
    }
}

/// A moment in Vietnam time as spoken: "chín giờ ba mươi phút sáng thứ Hai, ngày …".
pub fn datetime_words(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&vn_offset());
    format!(
        "{} {}",
        time_words(local.time()),
        date_words(local.date_naive())
    )
}

/// The date of a moment in Vietnam time as spoken (appointment dates are days, not times).
pub fn vn_date_words(at: DateTime<Utc>) -> String {
    date_words(at.with_timezone(&vn_offset()).date_naive())
}

/// What a status means, as one sentence for the caller.
pub fn status_sentence(status: Status) -> &'static str {
    match status {
        Status::Registered => "Hồ sơ đã được đăng ký và đang chờ cơ quan tiếp nhận.",
        Status::Accepted => "Hồ sơ đã được tiếp nhận.",
        Status::NotAccepted => "Hồ sơ không được tiếp nhận.",
        Status::InProgress => "Hồ sơ đang được xử lý.",
        Status::SupplementRequested => "Hồ sơ cần bổ sung giấy tờ.",
        Status::FinancialObligation => {
            "Hồ sơ đang chờ ông bà thực hiện nghĩa vụ tài chính, như nộp phí, lệ phí hoặc thuế."
        }
        Status::Withdrawn => "Hồ sơ đã được rút theo yêu cầu của người nộp.",
        Status::Stopped => "Hồ sơ đã dừng xử lý.",
        Status::Completed => "Hồ sơ đã được giải quyết xong, kết quả đang chờ ông bà đến nhận.",
        Status::Returned => "Kết quả của hồ sơ đã được trả.",
    }
}

/// What the caller should bring, when the status asks them to come (public facts only: the
/// detailed list of missing documents is not read out).
pub fn bring_sentence(status: Status) -> Option<&'static str> {
    match status {
        Status::SupplementRequested => Some(
            "Ông bà vui lòng mang giấy tiếp nhận hồ sơ và giấy tờ cần bổ sung đến Bộ phận Một cửa. \
             Nội dung cần bổ sung có trên trang tra cứu, hoặc hỏi điện thoại viên.",
        ),
        Status::FinancialObligation => Some(
            "Ông bà vui lòng mang giấy tiếp nhận hồ sơ và thông báo nộp tiền khi đến nộp.",
        ),
        Status::Completed => Some(
            "Khi đến nhận kết quả, ông bà vui lòng mang theo giấy tiếp nhận hồ sơ và giấy tờ tùy thân có ảnh.",
        ),
        Status::NotAccepted => Some(
            "Ông bà có thể đến Bộ phận Một cửa, mang theo giấy tiếp nhận hồ sơ, để được hướng dẫn.",
        ),
        Status::Stopped => Some(
            "Lý do dừng xử lý có trên trang tra cứu khi nhập bốn chữ số cuối số điện thoại của người nộp, hoặc ông bà hỏi điện thoại viên.",
        ),
        _ => None,
    }
}

/// Where the dossier stands against its deadline, as one sentence (none when nothing is to be
/// said): early, on time or late only once finished; in time or overdue by so many working days
/// while the agency works on it; paused while it waits for the caller.
pub fn timeliness_sentence(standing: Standing) -> Option<String> {
    Some(match standing {
        Standing::Finished(Timeliness::Early) => "Hồ sơ được giải quyết trước hạn.".to_owned(),
        Standing::Finished(Timeliness::OnTime) => "Hồ sơ được giải quyết đúng hạn.".to_owned(),
        Standing::Finished(Timeliness::Late) => {
            "Hồ sơ được giải quyết trễ hạn so với ngày hẹn.".to_owned()
        }
        Standing::InTime => "Hồ sơ đang trong thời hạn giải quyết.".to_owned(),
        Standing::Overdue { working_days: 0 } => {
            "Hồ sơ đã quá ngày hẹn trả. Chúng tôi thành thật xin lỗi vì sự chậm trễ.".to_owned()
        }
        Standing::Overdue { working_days } => format!(
            "Hồ sơ đã quá ngày hẹn trả {} ngày làm việc. Chúng tôi thành thật xin lỗi vì sự chậm trễ.",
            number_words(u64::from(working_days))
        ),
        Standing::AwaitingSupplement => {
            "Thời hạn giải quyết tạm dừng cho đến khi ông bà bổ sung; ngày hẹn trả sẽ được tính lại."
                .to_owned()
        }
        Standing::AwaitingPayment => {
            "Thời hạn giải quyết tạm dừng cho đến khi ông bà nộp; hồ sơ được tiếp tục giải quyết khi cơ quan nhận được chứng từ."
                .to_owned()
        }
        _ => return None,
    })
}

/// The public facts of a dossier a status report is made of.
#[derive(Debug, Clone)]
pub struct PublicFacts {
    pub lookup_number: String,
    pub procedure_name: String,
    pub handling_agency: String,
    /// The receiving agency as printed on the receipt.
    pub receiving_agency: String,
    /// Who serves the receiving agency's dossiers now, once it has closed.
    pub receiving_now: Option<Vec<super::succession::NowAgency>>,
    /// Who serves the handling agency's dossiers now, once it has closed.
    pub handling_now: Option<Vec<super::succession::NowAgency>>,
    pub status: Status,
    /// Where it stands against its deadline, as the caller is told it.
    pub standing: Standing,
    /// By when the caller must supplement or pay (statuses 5 and 6), when the main store says.
    pub citizen_due_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
}

/// The status of a dossier in natural Vietnamese: which procedure, the status, the dates that
/// matter for it (appointment date while open, completion or return date once done), early or
/// late, and what to bring.
pub fn status_report(facts: &PublicFacts) -> String {
    let mut parts: Vec<String> = vec![
        format!(
            "Hồ sơ có số tra cứu {}, thủ tục {}, do {} giải quyết.",
            digits_words(&facts.lookup_number),
            spell_numbers(facts.procedure_name.trim_end_matches('.')),
            spell_numbers(facts.handling_agency.trim_end_matches('.'))
        ),
        status_sentence(facts.status).to_owned(),
        format!("Ngày tiếp nhận: {}.", vn_date_words(facts.received_at)),
    ];
    match facts.status {
        Status::Registered | Status::Accepted | Status::InProgress => {
            if let Some(due) = facts.due_at {
                parts.push(format!("Ngày hẹn trả kết quả: {}.", vn_date_words(due)));
            }
        }
        // The deadline is paused while the dossier waits for the caller: the appointment date is
        // not named, the caller's own deadline is.
        Status::SupplementRequested => {
            if let Some(by) = facts.citizen_due_at {
                parts.push(format!("Hạn bổ sung: {}.", vn_date_words(by)));
            }
        }
        Status::FinancialObligation => {
            if let Some(by) = facts.citizen_due_at {
                parts.push(format!("Hạn nộp: {}.", vn_date_words(by)));
            }
        }
        Status::Completed => {
            if let Some(done) = facts.finished_at {
                parts.push(format!("Ngày giải quyết xong: {}.", vn_date_words(done)));
            }
            if let Some(due) = facts.due_at {
                parts.push(format!("Ngày hẹn trả kết quả: {}.", vn_date_words(due)));
            }
        }
        Status::Returned => {
            if let Some(back) = facts.returned_at.or(facts.finished_at) {
                parts.push(format!("Ngày trả kết quả: {}.", vn_date_words(back)));
            }
        }
        Status::NotAccepted | Status::Withdrawn | Status::Stopped => {
            if let Some(end) = facts.finished_at {
                parts.push(format!("Ngày kết thúc: {}.", vn_date_words(end)));
            }
        }
    }
    if let Some(t) = timeliness_sentence(facts.standing) {
        parts.push(t);
    }
    if let Some(b) = bring_sentence(facts.status) {
        parts.push(b.to_owned());
    }
    if let Some(now) = now_report(facts) {
        parts.push(spell_numbers(&now));
    }
    parts.join(" ")
}

impl PublicFacts {
    /// When the dossier's agency has closed: that agency's name and who serves it now, the
    /// receiving agency's first (where the result is collected and questions asked), else the
    /// handling agency's.
    pub fn closed_agency_now(&self) -> Option<(&str, &[super::succession::NowAgency])> {
        match (&self.receiving_now, &self.handling_now) {
            (Some(now), _) => Some((&self.receiving_agency, now)),
            (None, Some(now)) => Some((&self.handling_agency, now)),
            (None, None) => None,
        }
    }
}

/// Where the caller goes now when the dossier's agency has closed: the receiving agency's
/// successor (where the result is collected and questions asked), else the handling agency's.
fn now_report(facts: &PublicFacts) -> Option<String> {
    use super::succession::spoken_now;
    spoken_now(&facts.receiving_agency, facts.receiving_now.as_deref())
        .or_else(|| spoken_now(&facts.handling_agency, facts.handling_now.as_deref()))
}

/// The working hours of the public administrative service centres (province and communes) as spoken: "từ thứ Hai đến thứ Sáu, buổi sáng từ bảy
/// giờ đến mười một giờ ba mươi phút, buổi chiều từ một giờ ba mươi phút đến năm giờ, trừ ngày
/// nghỉ lễ, Tết."
pub fn office_hours_words(hours: &WorkingHours) -> String {
    let clock = |t: NaiveTime| {
        let words = time_words(t);
        // "sáng"/"chiều" are said once for the whole range.
        words
            .rsplit_once(' ')
            .map(|(w, _)| w.to_owned())
            .unwrap_or(words)
    };
    let (ms, me) = hours.morning();
    let (as_, ae) = hours.afternoon();
    format!(
        "Các Trung tâm Phục vụ hành chính công làm việc từ thứ Hai đến thứ Sáu, buổi sáng từ {} đến {}, buổi chiều từ {} đến {}, trừ ngày nghỉ lễ, Tết.",
        clock(ms),
        clock(me),
        clock(as_),
        clock(ae)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn numbers_follow_vietnamese_reading_rules() {
        let cases: &[(u64, &str)] = &[
            (0, "không"),
            (5, "năm"),
            (10, "mười"),
            (11, "mười một"),
            (14, "mười bốn"),
            (15, "mười lăm"),
            (20, "hai mươi"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (25, "hai mươi lăm"),
            (30, "ba mươi"),
            (100, "một trăm"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (115, "một trăm mười lăm"),
            (999, "chín trăm chín mươi chín"),
            (1000, "một nghìn"),
            (2005, "hai nghìn không trăm linh năm"),
            (2010, "hai nghìn không trăm mười"),
            (2026, "hai nghìn không trăm hai mươi sáu"),
            (1_000_005, "một triệu không trăm linh năm"),
            (2_000_000_000, "hai tỷ"),
        ];
        for &(n, words) in cases {
            assert_eq!(number_words(n), words, "{n}");
        }
    }

    #[test]
    fn digits_are_read_one_by_one_and_noise_is_skipped() {
        assert_eq!(digits_words("09 1-2#"), "không chín một hai");
    }

    #[test]
    fn numbers_inside_names_are_spelled_out() {
        assert_eq!(
            spell_numbers("Phòng 3, Nghị định 20/2008"),
            "Phòng ba, Nghị định hai mươi/hai nghìn không trăm linh tám"
        );
    }

    #[test]
    fn dates_use_mung_for_the_first_ten_days_and_tu_for_april() {
        let d = NaiveDate::from_ymd_opt(2027, 4, 5).expect("date");
        assert_eq!(
            date_words(d),
            "thứ Hai, ngày mùng năm tháng tư năm hai nghìn không trăm hai mươi bảy"
        );
        let d = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        assert_eq!(
            date_words(d),
            "thứ Bảy, ngày hai mươi mốt tháng mười một năm hai nghìn không trăm hai mươi sáu"
        );
        let d = NaiveDate::from_ymd_opt(2026, 2, 22).expect("date");
        assert_eq!(
            date_words(d),
            "Chủ nhật, ngày hai mươi hai tháng hai năm hai nghìn không trăm hai mươi sáu"
        );
    }

    #[test]
    fn times_are_said_with_the_part_of_the_day() {
        let t = |h, m| time_words(NaiveTime::from_hms_opt(h, m, 0).expect("time"));
        assert_eq!(t(9, 30), "chín giờ ba mươi phút sáng");
        assert_eq!(t(7, 0), "bảy giờ sáng");
        assert_eq!(t(12, 0), "mười hai giờ trưa");
        assert_eq!(t(13, 30), "một giờ ba mươi phút chiều");
        assert_eq!(t(17, 0), "năm giờ chiều");
        assert_eq!(t(19, 5), "bảy giờ năm phút tối");
        assert_eq!(t(0, 15), "mười hai giờ mười lăm phút đêm");
    }

    #[test]
    fn a_utc_moment_is_spoken_in_vietnam_time() {
        // 02:30 UTC is 09:30 in Vietnam, on the same day.
        let at = Utc
            .with_ymd_and_hms(2026, 11, 23, 2, 30, 0)
            .single()
            .expect("time");
        assert_eq!(
            datetime_words(at),
            "chín giờ ba mươi phút sáng thứ Hai, ngày hai mươi ba tháng mười một năm hai nghìn không trăm hai mươi sáu"
        );
        // 20:00 UTC is 03:00 the next day in Vietnam.
        let late = Utc
            .with_ymd_and_hms(2026, 11, 22, 20, 0, 0)
            .single()
            .expect("time");
        assert!(vn_date_words(late).starts_with("thứ Hai, ngày hai mươi ba"));
    }

    fn facts(status: Status, timeliness: Timeliness) -> PublicFacts {
        let at = |d| {
            Utc.with_ymd_and_hms(2026, 11, d, 3, 0, 0)
                .single()
                .expect("time")
        };
        PublicFacts {
            lookup_number: "1234567890".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            handling_agency: "UBND huyện Sơn Tịnh".into(),
            receiving_agency: "UBND huyện Sơn Tịnh".into(),
            receiving_now: None,
            handling_now: None,
            status,
            standing: Standing::of(status, timeliness, 0),
            citizen_due_at: None,
            received_at: at(2),
            due_at: Some(at(20)),
            finished_at: (!status.is_open()).then(|| at(18)),
            returned_at: (status == Status::Returned).then(|| at(19)),
        }
    }

    #[test]
    fn every_status_is_reported_in_vietnamese_with_its_dates() {
        let received = "Ngày tiếp nhận: thứ Hai, ngày mùng hai tháng mười một năm hai nghìn không trăm hai mươi sáu.";
        let due = "Ngày hẹn trả kết quả: thứ Sáu, ngày hai mươi tháng mười một năm hai nghìn không trăm hai mươi sáu.";
        let done = "thứ Tư, ngày mười tám tháng mười một năm hai nghìn không trăm hai mươi sáu";
        let expected: [(Status, &str, &[&str]); 10] = [
            (Status::Registered, "đang chờ cơ quan tiếp nhận", &[due]),
            (Status::Accepted, "Hồ sơ đã được tiếp nhận.", &[due]),
            (
                Status::NotAccepted,
                "không được tiếp nhận",
                &[done, "mang theo giấy tiếp nhận"],
            ),
            (Status::InProgress, "đang được xử lý", &[due]),
            (
                Status::SupplementRequested,
                "cần bổ sung giấy tờ",
                &["giấy tờ cần bổ sung", "tạm dừng"],
            ),
            (
                Status::FinancialObligation,
                "nghĩa vụ tài chính",
                &["thông báo nộp tiền", "tạm dừng"],
            ),
            (Status::Withdrawn, "đã được rút", &[done]),
            (Status::Stopped, "đã dừng xử lý", &[done]),
            (
                Status::Completed,
                "đã được giải quyết xong",
                &[done, due, "giấy tờ tùy thân"],
            ),
            (
                Status::Returned,
                "đã được trả",
                &["Ngày trả kết quả: thứ Năm, ngày mười chín tháng mười một"],
            ),
        ];
        for (status, sentence, extra) in expected {
            let timeliness = if status.is_open() {
                Timeliness::InProgressOnTime
            } else {
                Timeliness::Early
            };
            let report = status_report(&facts(status, timeliness));
            assert!(report.contains(sentence), "{status:?}: {report}");
            assert!(report.contains(received), "{status:?}: {report}");
            for part in extra {
                assert!(report.contains(part), "{status:?} lacks {part:?}: {report}");
            }
            assert!(
                report.contains("số tra cứu một hai ba bốn năm sáu bảy tám chín không"),
                "{report}"
            );
            // Written out in words: no digits left for the engine to guess at.
            assert!(!report.chars().any(|c| c.is_ascii_digit()), "{report}");
            // Composed Unicode (NFC), as Vietnamese TTS engines expect.
            assert_eq!(crate::domain::text::clean_line(&report), report);
        }
    }

    #[test]
    fn early_late_and_overdue_are_said() {
        let r = status_report(&facts(Status::InProgress, Timeliness::InProgressOverdue));
        assert!(r.contains("đã quá ngày hẹn trả"), "{r}");
        let r = status_report(&facts(Status::Returned, Timeliness::Late));
        assert!(r.contains("trễ hạn"), "{r}");
        let r = status_report(&facts(Status::Returned, Timeliness::OnTime));
        assert!(r.contains("đúng hạn"), "{r}");
        let r = status_report(&facts(Status::Withdrawn, Timeliness::NotApplicable));
        assert!(!r.contains("hạn."), "{r}");
    }

    #[test]
    fn office_hours_follow_the_working_calendar() {
        let words = office_hours_words(&WorkingHours::default());
        assert_eq!(
            words,
            "Các Trung tâm Phục vụ hành chính công làm việc từ thứ Hai đến thứ Sáu, buổi sáng từ bảy giờ đến mười một giờ ba mươi phút, buổi chiều từ một giờ ba mươi phút đến năm giờ, trừ ngày nghỉ lễ, Tết."
        );
    }
}
