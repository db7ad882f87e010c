//! The working-time calendar used to compute appointment dates and
//! deadlines: office hours (07:00–11:30 and 13:30–17:00 by default, 8 hours a
//! day), Saturday/Sunday weekends, and a configurable table of exceptions
//! (public holidays on weekdays, make-up working days on weekends), following
//! the TD due-date engine described in docs/domain.md, working time. All arithmetic happens in
//! Vietnam local time (Asia/Ho_Chi_Minh) represented as a fixed UTC+07:00
//! offset: Vietnam has used UTC+7 without daylight saving since 1975, so a
//! fixed offset is exact for every date this service handles and needs no
//! time-zone database. Inputs and outputs are UTC instants.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta,
    TimeZone, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use super::DomainError;
use DayKind::{Holiday, Working};

/// Vietnam's UTC offset, +07:00 (no DST since 1975).
const VN_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// The Asia/Ho_Chi_Minh time zone as a fixed +07:00 offset.
pub fn vn_offset() -> FixedOffset {
    VN_OFFSET
}

/// A time as RFC 3339 in Vietnam time.
pub fn vn_time(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|t| {
        t.with_timezone(&vn_offset())
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    })
}

/// Builds a date at compile time; an invalid literal is a compile error
/// because every call site is in a `const` context.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date literal"),
    }
}

/// Builds a time at compile time (see [`ymd`]).
const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => panic!("invalid time literal"),
    }
}

/// How an exception date differs from the weekday/weekend rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off, even if it is a weekday (public holiday, day off in lieu).
    Holiday,
    /// A working day, even if it is a Saturday or Sunday (make-up day).
    Working,
}

impl DayKind {
    /// Both kinds.
    pub const ALL: [DayKind; 2] = [Holiday, Working];

    /// The stored name: `holiday` or `working`.
    pub fn as_str(self) -> &'static str {
        match self {
            Holiday => "holiday",
            Working => "working",
        }
    }

    /// Parses the stored name (any case).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(raw))
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Holiday => "Ngày nghỉ",
            Working => "Ngày làm bù",
        }
    }
}

/// Daily office hours: a morning and an afternoon period, each half-open
/// `[start, end)`. Invariant: `morning.0 < morning.1 <= afternoon.0 < afternoon.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    morning: (NaiveTime, NaiveTime),
    afternoon: (NaiveTime, NaiveTime),
}

impl WorkingHours {
    /// Builds working hours, rejecting empty, overlapping or out-of-order
    /// periods with [`DomainError::InvalidWorkingHours`].
    pub fn new(
        morning: (NaiveTime, NaiveTime),
        afternoon: (NaiveTime, NaiveTime),
    ) -> Result<Self, DomainError> {
        if morning.0 < morning.1 && morning.1 <= afternoon.0 && afternoon.0 < afternoon.1 {
            Ok(Self { morning, afternoon })
        } else {
            Err(DomainError::InvalidWorkingHours)
        }
    }

    /// The morning period `(start, end)`.
    pub fn morning(&self) -> (NaiveTime, NaiveTime) {
        self.morning
    }

    /// The afternoon period `(start, end)`.
    pub fn afternoon(&self) -> (NaiveTime, NaiveTime) {
        self.afternoon
    }

    /// Working minutes in one full day (480 by default).
    pub fn minutes_per_day(&self) -> i64 {
        ((self.morning.1 - self.morning.0) + (self.afternoon.1 - self.afternoon.0)).num_minutes()
    }

    fn periods(&self) -> [(NaiveTime, NaiveTime); 2] {
        [self.morning, self.afternoon]
    }
}

impl Default for WorkingHours {
    /// 07:00–11:30 and 13:30–17:00.
    fn default() -> Self {
        Self {
            morning: (hm(7, 0), hm(11, 30)),
            afternoon: (hm(13, 30), hm(17, 0)),
        }
    }
}

/// Office hours plus the exception table. Weekends are Saturday and Sunday;
/// an exception overrides the weekday/weekend rule for its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    hours: WorkingHours,
    exceptions: BTreeMap<NaiveDate, DayKind>,
}

impl WorkingCalendar {
    /// Builds a calendar. If a date appears more than once, the last entry wins.
    pub fn new(
        hours: WorkingHours,
        exceptions: impl IntoIterator<Item = (NaiveDate, DayKind)>,
    ) -> Self {
        Self {
            hours,
            exceptions: exceptions.into_iter().collect(),
        }
    }

    /// Default hours with [`seeded_days`] (Vietnamese holidays 2025–2027).
    pub fn vietnam_default() -> Self {
        Self::new(
            WorkingHours::default(),
            seeded_days().iter().map(|d| (d.day, d.kind)),
        )
    }

    /// The office hours in use.
    pub fn hours(&self) -> WorkingHours {
        self.hours
    }

    /// Whether `date` is a working day: an exception decides if present,
    /// otherwise Monday–Friday are working days.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.exceptions.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Working) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The first working day strictly after `date`. (Always terminates: the
    /// exception table is finite, so some later weekday is a working day.)
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        while let Some(next) = day.succ_opt() {
            day = next;
            if self.is_working_day(day) {
                return day;
            }
        }
        date
    }

    /// The earliest working moment at or after `t`: unchanged inside office
    /// hours; 07:00 if before the morning period; 13:30 during lunch; the
    /// next working day at 07:00 if at or after 17:00 or on a day off. A
    /// moment exactly at the end of a period (11:30, 17:00) is not working
    /// time and moves forward.
    pub fn next_working_time(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        to_utc(self.normalize_local(to_local(t)))
    }

    /// Adds `minutes` of working time to `start`, starting from
    /// [`Self::next_working_time`]`(start)` and consuming only office hours
    /// (skipping lunch, evenings, weekends and holidays). Zero or negative
    /// `minutes` returns the normalised start.
    ///
    /// Convention: a result that lands exactly on the end of a period stays
    /// there (17:00 of that day, or 11:30), rather than moving to the next
    /// period's start. So Friday 17:30 + 8 h is Monday 17:00, not Tuesday
    /// 07:00.
    pub fn add_working_hours(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let (morning, afternoon) = (self.hours.morning, self.hours.afternoon);
        let mut cur = self.normalize_local(to_local(start));
        let mut remaining = TimeDelta::try_minutes(minutes.max(0)).unwrap_or(TimeDelta::MAX);
        loop {
            let date = cur.date();
            let in_morning = cur.time() < morning.1;
            let period_end = date.and_time(if in_morning { morning.1 } else { afternoon.1 });
            let available = period_end - cur;
            if remaining <= available {
                return to_utc(cur + remaining);
            }
            remaining -= available;
            cur = if in_morning {
                date.and_time(afternoon.0)
            } else {
                self.next_working_day(date).and_time(morning.0)
            };
        }
    }

    /// Adds `days` working days, defined as `days × minutes_per_day` working
    /// minutes (so a dossier received at 16:00 with 1 day is due at 16:00 on
    /// the next working day). `days == 0` returns the normalised start, i.e.
    /// [`Self::next_working_time`]`(start)`; same-day rules (e.g. "after
    /// 15:00 means next day") belong to the caller.
    pub fn add_working_days(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        self.add_working_hours(start, i64::from(days) * self.hours.minutes_per_day())
    }

    /// Whole working minutes in `[a, b)` (seconds are truncated). Negative if
    /// `b` is before `a`. Inverse of [`Self::add_working_hours`]:
    /// `working_minutes_between(s, add_working_hours(s, m)) == m`.
    pub fn working_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b < a {
            return -self.working_minutes_between(b, a);
        }
        let (from, to) = (to_local(a), to_local(b));
        let mut seconds = 0i64;
        let mut day = from.date();
        while day <= to.date() {
            if self.is_working_day(day) {
                for (start, end) in self.hours.periods() {
                    let lo = from.max(day.and_time(start));
                    let hi = to.min(day.and_time(end));
                    if hi > lo {
                        seconds += (hi - lo).num_seconds();
                    }
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        seconds / 60
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to` is not after
    /// `from`): how many working days a dossier due on `from` is overdue on `to`. Whole weeks are
    /// counted at once and only the exceptions inside the range are looked at, so a range of years
    /// costs no more than one of days (it is computed per lookup of an overdue dossier).
    pub fn working_days_after(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let days = (to - from).num_days();
        if days <= 0 {
            return 0;
        }
        let weekday = |d: NaiveDate| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let mut count = (days / 7) * 5;
        let mut day = from + chrono::Duration::days((days / 7) * 7);
        while day < to {
            day = day.succ_opt().unwrap_or(to);
            count += i64::from(weekday(day));
        }
        let Some(first) = from.succ_opt() else {
            return u32::try_from(count).unwrap_or(u32::MAX);
        };
        for (date, kind) in self.exceptions.range(first..=to) {
            match (kind, weekday(*date)) {
                (DayKind::Holiday, true) => count -= 1,
                (DayKind::Working, false) => count += 1,
                _ => {}
            }
        }
        u32::try_from(count.max(0)).unwrap_or(u32::MAX)
    }

    /// Moves a local time to the earliest working moment at or after it.
    fn normalize_local(&self, t: NaiveDateTime) -> NaiveDateTime {
        let (date, time) = (t.date(), t.time());
        let (morning, afternoon) = (self.hours.morning, self.hours.afternoon);
        if self.is_working_day(date) {
            if time < morning.0 {
                return date.and_time(morning.0);
            }
            if time < morning.1 {
                return t;
            }
            if time < afternoon.0 {
                return date.and_time(afternoon.0);
            }
            if time < afternoon.1 {
                return t;
            }
        }
        self.next_working_day(date).and_time(morning.0)
    }
}

impl Default for WorkingCalendar {
    /// Same as [`WorkingCalendar::vietnam_default`].
    fn default() -> Self {
        Self::vietnam_default()
    }
}

/// A UTC instant as Vietnam local wall-clock time.
fn to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&VN_OFFSET).naive_local()
}

/// Vietnam local wall-clock time as a UTC instant.
fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    VN_OFFSET
        .from_local_datetime(&local)
        .single()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// One day of the seeded table: an exception with its Vietnamese name, whether it is an estimate
/// (a year whose schedule the government had not announced when the table was written) and where
/// it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeededDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: &'static str,
    /// True when the day is our reading of the Labour Code, not an announced schedule.
    pub estimate: bool,
    /// The notice or rule the day comes from.
    pub source: &'static str,
}

const fn announced(
    day: NaiveDate,
    kind: DayKind,
    name: &'static str,
    source: &'static str,
) -> SeededDay {
    SeededDay {
        day,
        kind,
        name,
        estimate: false,
        source,
    }
}

const fn estimated(day: NaiveDate, kind: DayKind, name: &'static str) -> SeededDay {
    SeededDay {
        day,
        kind,
        name,
        estimate: true,
        source: SOURCE_ESTIMATE,
    }
}

const SOURCE_LABOUR_CODE: &str = "Bộ luật Lao động 2019, Điều 111 và 112";
const SOURCE_TET_2025: &str =
    "Phương án nghỉ Tết Ất Tỵ 2025 được Thủ tướng đồng ý: nghỉ 25/01–02/02/2025, hoán đổi thứ Hai 27/01 sang thứ Bảy 08/02";
const SOURCE_MAY_2025: &str =
    "Phương án nghỉ 30/4–1/5/2025 được Thủ tướng đồng ý: nghỉ 30/04–04/05/2025, hoán đổi thứ Sáu 02/05 sang thứ Bảy 26/04";
const SOURCE_SEPTEMBER_2025: &str =
    "Phương án nghỉ Quốc khánh 2025: nghỉ 30/08–02/09/2025 (ngày 02/9 và ngày liền trước 01/9)";
const SOURCE_NEW_YEAR_2026: &str =
    "Văn bản 12729/VPCP-KGVX ngày 25/12/2025: nghỉ 01/01–04/01/2026, hoán đổi thứ Sáu 02/01 sang thứ Bảy 10/01";
const SOURCE_TET_2026: &str =
    "Văn bản 9859/VPCP-KGVX ngày 13/10/2025 (đề xuất 8764/BNV-CVL của Bộ Nội vụ): nghỉ Tết 14/02–22/02/2026";
const SOURCE_SEPTEMBER_2026: &str =
    "Văn bản 9859/VPCP-KGVX ngày 13/10/2025: nghỉ Quốc khánh 29/08–02/09/2026, hoán đổi thứ Hai 31/08 sang thứ Bảy 22/08";
const SOURCE_HUNG_KINGS_2026: &str =
    "Bộ luật Lao động 2019, Điều 111 và 112: 10/3 âm lịch là Chủ nhật 26/04/2026, nghỉ bù thứ Hai 27/04";
const SOURCE_ESTIMATE: &str =
    "Dự kiến theo Bộ luật Lao động 2019, Điều 111 và 112; Chính phủ chưa công bố lịch nghỉ năm 2027";

/// The built-in table (see [`seeded_days`]).
const SEEDED_DAYS: [SeededDay; 41] = [
    // 2025: announced.
    announced(
        ymd(2025, 1, 1),
        Holiday,
        "Tết Dương lịch 2025",
        SOURCE_LABOUR_CODE,
    ),
    announced(
        ymd(2025, 1, 27),
        Holiday,
        "Tết Nguyên đán Ất Tỵ 2025 (nghỉ hoán đổi)",
        SOURCE_TET_2025,
    ),
    announced(
        ymd(2025, 1, 28),
        Holiday,
        "Tết Nguyên đán Ất Tỵ 2025",
        SOURCE_TET_2025,
    ),
    announced(
        ymd(2025, 1, 29),
        Holiday,
        "Tết Nguyên đán Ất Tỵ 2025",
        SOURCE_TET_2025,
    ),
    announced(
        ymd(2025, 1, 30),
        Holiday,
        "Tết Nguyên đán Ất Tỵ 2025",
        SOURCE_TET_2025,
    ),
    announced(
        ymd(2025, 1, 31),
        Holiday,
        "Tết Nguyên đán Ất Tỵ 2025",
        SOURCE_TET_2025,
    ),
    announced(
        ymd(2025, 2, 8),
        Working,
        "Làm bù ngày nghỉ Tết Nguyên đán 27/01/2025",
        SOURCE_TET_2025,
    ),
    announced(
        ymd(2025, 4, 7),
        Holiday,
        "Giỗ Tổ Hùng Vương 2025 (10/3 âm lịch)",
        SOURCE_LABOUR_CODE,
    ),
    announced(
        ymd(2025, 4, 26),
        Working,
        "Làm bù ngày nghỉ 02/05/2025",
        SOURCE_MAY_2025,
    ),
    announced(
        ymd(2025, 4, 30),
        Holiday,
        "Ngày Chiến thắng 30/4/2025",
        SOURCE_LABOUR_CODE,
    ),
    announced(
        ymd(2025, 5, 1),
        Holiday,
        "Ngày Quốc tế Lao động 1/5/2025",
        SOURCE_LABOUR_CODE,
    ),
    announced(
        ymd(2025, 5, 2),
        Holiday,
        "Nghỉ hoán đổi dịp 30/4–1/5/2025 (làm bù thứ Bảy 26/04)",
        SOURCE_MAY_2025,
    ),
    announced(
        ymd(2025, 9, 1),
        Holiday,
        "Quốc khánh 2025 (ngày liền trước 2/9)",
        SOURCE_SEPTEMBER_2025,
    ),
    announced(
        ymd(2025, 9, 2),
        Holiday,
        "Quốc khánh 2/9/2025",
        SOURCE_SEPTEMBER_2025,
    ),
    // 2026: announced.
    announced(
        ymd(2026, 1, 1),
        Holiday,
        "Tết Dương lịch 2026",
        SOURCE_NEW_YEAR_2026,
    ),
    announced(
        ymd(2026, 1, 2),
        Holiday,
        "Tết Dương lịch 2026 (nghỉ hoán đổi, làm bù thứ Bảy 10/01)",
        SOURCE_NEW_YEAR_2026,
    ),
    announced(
        ymd(2026, 1, 10),
        Working,
        "Làm bù ngày nghỉ Tết Dương lịch 02/01/2026",
        SOURCE_NEW_YEAR_2026,
    ),
    announced(
        ymd(2026, 2, 16),
        Holiday,
        "Tết Nguyên đán Bính Ngọ 2026",
        SOURCE_TET_2026,
    ),
    announced(
        ymd(2026, 2, 17),
        Holiday,
        "Tết Nguyên đán Bính Ngọ 2026",
        SOURCE_TET_2026,
    ),
    announced(
        ymd(2026, 2, 18),
        Holiday,
        "Tết Nguyên đán Bính Ngọ 2026",
        SOURCE_TET_2026,
    ),
    announced(
        ymd(2026, 2, 19),
        Holiday,
        "Tết Nguyên đán Bính Ngọ 2026",
        SOURCE_TET_2026,
    ),
    announced(
        ymd(2026, 2, 20),
        Holiday,
        "Tết Nguyên đán Bính Ngọ 2026",
        SOURCE_TET_2026,
    ),
    announced(
        ymd(2026, 4, 27),
        Holiday,
        "Nghỉ bù Giỗ Tổ Hùng Vương 2026 (26/4 là Chủ nhật)",
        SOURCE_HUNG_KINGS_2026,
    ),
    announced(
        ymd(2026, 4, 30),
        Holiday,
        "Ngày Chiến thắng 30/4/2026",
        SOURCE_LABOUR_CODE,
    ),
    announced(
        ymd(2026, 5, 1),
        Holiday,
        "Ngày Quốc tế Lao động 1/5/2026",
        SOURCE_LABOUR_CODE,
    ),
    announced(
        ymd(2026, 8, 22),
        Working,
        "Làm bù ngày nghỉ Quốc khánh 31/08/2026",
        SOURCE_SEPTEMBER_2026,
    ),
    announced(
        ymd(2026, 8, 31),
        Holiday,
        "Quốc khánh 2026 (nghỉ hoán đổi, làm bù thứ Bảy 22/08)",
        SOURCE_SEPTEMBER_2026,
    ),
    announced(
        ymd(2026, 9, 1),
        Holiday,
        "Quốc khánh 2026 (ngày liền trước 2/9)",
        SOURCE_SEPTEMBER_2026,
    ),
    announced(
        ymd(2026, 9, 2),
        Holiday,
        "Quốc khánh 2/9/2026",
        SOURCE_SEPTEMBER_2026,
    ),
    // 2027: not announced; every day is an estimate for an administrator to replace.
    estimated(ymd(2027, 1, 1), Holiday, "Tết Dương lịch 2027 (dự kiến)"),
    estimated(
        ymd(2027, 2, 5),
        Holiday,
        "Tết Nguyên đán Đinh Mùi 2027 (dự kiến)",
    ),
    estimated(
        ymd(2027, 2, 8),
        Holiday,
        "Tết Nguyên đán Đinh Mùi 2027 (dự kiến)",
    ),
    estimated(
        ymd(2027, 2, 9),
        Holiday,
        "Tết Nguyên đán Đinh Mùi 2027 (dự kiến)",
    ),
    estimated(
        ymd(2027, 2, 10),
        Holiday,
        "Nghỉ bù Tết Nguyên đán 2027, mùng 1 là thứ Bảy (dự kiến)",
    ),
    estimated(
        ymd(2027, 2, 11),
        Holiday,
        "Nghỉ bù Tết Nguyên đán 2027, mùng 2 là Chủ nhật (dự kiến)",
    ),
    estimated(
        ymd(2027, 4, 16),
        Holiday,
        "Giỗ Tổ Hùng Vương 2027 (dự kiến)",
    ),
    estimated(
        ymd(2027, 4, 30),
        Holiday,
        "Ngày Chiến thắng 30/4/2027 (dự kiến)",
    ),
    estimated(
        ymd(2027, 5, 3),
        Holiday,
        "Nghỉ bù Ngày Quốc tế Lao động 2027, 1/5 là thứ Bảy (dự kiến)",
    ),
    estimated(ymd(2027, 9, 2), Holiday, "Quốc khánh 2/9/2027 (dự kiến)"),
    estimated(
        ymd(2027, 9, 3),
        Holiday,
        "Quốc khánh 2027, ngày liền sau 2/9 (dự kiến)",
    ),
    estimated(
        ymd(2027, 11, 24),
        Holiday,
        "Ngày Văn hóa Việt Nam 24/11/2027 (dự kiến, chờ sửa Bộ luật Lao động)",
    ),
];

/// Vietnamese public holidays for civil servants, 2025–2027, as exceptions: weekday days off
/// (`Holiday`) and weekend make-up working days (`Working`). Holidays that fall on a weekend need
/// no entry (their day in lieu has one). 2025 and 2026 are as the government announced them; every
/// 2027 day is an estimate (`estimate`), named "(dự kiến)". The database is seeded with this table
/// and an administrator edits it there (docs/operations.md, Working calendar).
pub fn seeded_days() -> &'static [SeededDay] {
    &SEEDED_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_after_agrees_with_counting_day_by_day() {
        let calendar = WorkingCalendar::vietnam_default();
        let start = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap_or_default();
        for offset in (0..900).step_by(3) {
            let from = start + chrono::Duration::days(offset);
            for len in [0i64, 1, 2, 5, 6, 7, 8, 13, 30, 61, 400] {
                let to = from + chrono::Duration::days(len);
                let mut naive = 0;
                let mut day = from;
                while day < to {
                    day = day.succ_opt().unwrap_or(to);
                    naive += u32::from(calendar.is_working_day(day));
                }
                assert_eq!(calendar.working_days_after(from, to), naive, "{from} {to}");
            }
        }
        assert_eq!(
            calendar.working_days_after(start, start - chrono::Duration::days(3)),
            0
        );
    }

    /// A Vietnam local time as UTC.
    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        to_utc(ymd(y, m, d).and_time(hm(h, min)))
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::vietnam_default()
    }

    #[test]
    fn default_hours_give_eight_hours_a_day() {
        assert_eq!(WorkingHours::default().minutes_per_day(), 480);
    }

    #[test]
    fn working_hours_reject_overlapping_or_reversed_periods() {
        assert_eq!(
            WorkingHours::new((hm(7, 0), hm(12, 0)), (hm(11, 0), hm(17, 0))),
            Err(DomainError::InvalidWorkingHours)
        );
        assert_eq!(
            WorkingHours::new((hm(11, 0), hm(7, 0)), (hm(13, 0), hm(17, 0))),
            Err(DomainError::InvalidWorkingHours)
        );
        assert!(WorkingHours::new((hm(8, 0), hm(12, 0)), (hm(12, 0), hm(16, 0))).is_ok());
    }

    #[test]
    fn local_times_are_utc_plus_seven() {
        assert_eq!(
            vn(2026, 3, 3, 16, 0).to_rfc3339(),
            "2026-03-03T09:00:00+00:00"
        );
        assert_eq!(vn_offset().local_minus_utc(), 7 * 3600);
    }

    #[test]
    fn a_dossier_received_before_tet_2026_with_one_day_is_due_after_the_holiday() {
        // Arrange: Friday 13/2/2026 16:00; Tết ran Sat 14/2 to Sun 22/2.
        let received = vn(2026, 2, 13, 16, 0);
        // Act
        let due = cal().add_working_days(received, 1);
        // Assert
        assert_eq!(due, vn(2026, 2, 23, 16, 0));
    }

    #[test]
    fn the_lunch_break_is_skipped() {
        // Tuesday 3/3/2026 11:00 + 1 hour: 30 min before lunch, 30 after.
        assert_eq!(
            cal().add_working_hours(vn(2026, 3, 3, 11, 0), 60),
            vn(2026, 3, 3, 14, 0)
        );
    }

    #[test]
    fn friday_evening_plus_one_day_ends_monday_at_five() {
        // Friday 6/3/2026 17:30 starts Monday 07:00; 8 h later is Monday 17:00.
        assert_eq!(
            cal().add_working_days(vn(2026, 3, 6, 17, 30), 1),
            vn(2026, 3, 9, 17, 0)
        );
    }

    #[test]
    fn a_result_landing_at_the_end_of_the_morning_stays_at_eleven_thirty() {
        assert_eq!(
            cal().add_working_hours(vn(2026, 3, 3, 7, 0), 270),
            vn(2026, 3, 3, 11, 30)
        );
    }

    #[test]
    fn a_make_up_saturday_counts_as_working() {
        // Arrange: Saturday 8/2/2025 was a make-up day for Tết.
        let c = cal();
        // Act / Assert
        assert!(c.is_working_day(ymd(2025, 2, 8)));
        assert!(!c.is_working_day(ymd(2025, 2, 15)));
        assert_eq!(
            c.add_working_hours(vn(2025, 2, 7, 17, 30), 60),
            vn(2025, 2, 8, 8, 0)
        );
    }

    #[test]
    fn weekday_holidays_are_skipped() {
        // Wed 29/4/2026 16:00 + 1 day: Thu 30/4 and Fri 1/5 are off.
        assert_eq!(
            cal().add_working_days(vn(2026, 4, 29, 16, 0), 1),
            vn(2026, 5, 4, 16, 0)
        );
    }

    #[test]
    fn times_before_seven_start_at_seven() {
        let c = cal();
        assert_eq!(
            c.next_working_time(vn(2026, 3, 3, 5, 0)),
            vn(2026, 3, 3, 7, 0)
        );
        assert_eq!(
            c.add_working_hours(vn(2026, 3, 3, 5, 0), 30),
            vn(2026, 3, 3, 7, 30)
        );
    }

    #[test]
    fn next_working_time_handles_each_part_of_the_day() {
        let c = cal();
        // inside hours: unchanged
        assert_eq!(
            c.next_working_time(vn(2026, 3, 3, 9, 15)),
            vn(2026, 3, 3, 9, 15)
        );
        assert_eq!(
            c.next_working_time(vn(2026, 3, 3, 14, 0)),
            vn(2026, 3, 3, 14, 0)
        );
        // lunch and the exact end of the morning: 13:30
        assert_eq!(
            c.next_working_time(vn(2026, 3, 3, 12, 0)),
            vn(2026, 3, 3, 13, 30)
        );
        assert_eq!(
            c.next_working_time(vn(2026, 3, 3, 11, 30)),
            vn(2026, 3, 3, 13, 30)
        );
        // 17:00 and later: next working day 07:00
        assert_eq!(
            c.next_working_time(vn(2026, 3, 3, 17, 0)),
            vn(2026, 3, 4, 7, 0)
        );
        assert_eq!(
            c.next_working_time(vn(2026, 3, 6, 20, 0)),
            vn(2026, 3, 9, 7, 0)
        );
        // on a holiday
        assert_eq!(
            c.next_working_time(vn(2026, 9, 1, 9, 0)),
            vn(2026, 9, 3, 7, 0)
        );
    }

    #[test]
    fn zero_days_means_the_normalised_start() {
        let c = cal();
        assert_eq!(
            c.add_working_days(vn(2026, 3, 3, 12, 0), 0),
            vn(2026, 3, 3, 13, 30)
        );
        assert_eq!(
            c.add_working_hours(vn(2026, 3, 3, 9, 0), -5),
            vn(2026, 3, 3, 9, 0)
        );
    }

    #[test]
    fn next_working_day_is_strictly_after_and_skips_days_off() {
        let c = cal();
        assert_eq!(c.next_working_day(ymd(2026, 3, 3)), ymd(2026, 3, 4));
        assert_eq!(c.next_working_day(ymd(2026, 2, 13)), ymd(2026, 2, 23));
        assert_eq!(c.next_working_day(ymd(2025, 2, 7)), ymd(2025, 2, 8));
    }

    #[test]
    fn working_minutes_between_counts_only_office_hours() {
        let c = cal();
        // A whole working day.
        assert_eq!(
            c.working_minutes_between(vn(2026, 3, 3, 0, 0), vn(2026, 3, 4, 0, 0)),
            480
        );
        // Across lunch.
        assert_eq!(
            c.working_minutes_between(vn(2026, 3, 3, 11, 0), vn(2026, 3, 3, 14, 0)),
            60
        );
        // Over a weekend.
        assert_eq!(
            c.working_minutes_between(vn(2026, 3, 6, 16, 0), vn(2026, 3, 9, 8, 0)),
            120
        );
        // Reversed.
        assert_eq!(
            c.working_minutes_between(vn(2026, 3, 3, 14, 0), vn(2026, 3, 3, 11, 0)),
            -60
        );
    }

    #[test]
    fn working_minutes_between_inverts_add_working_hours() {
        let c = cal();
        let starts = [
            vn(2026, 2, 13, 16, 0),
            vn(2025, 4, 25, 17, 45),
            vn(2026, 3, 3, 12, 10),
            vn(2027, 2, 4, 6, 0),
        ];
        for start in starts {
            for minutes in [0i64, 1, 59, 270, 480, 481, 2400, 9999] {
                let end = c.add_working_hours(start, minutes);
                assert_eq!(
                    c.working_minutes_between(start, end),
                    minutes,
                    "{start} + {minutes}"
                );
            }
        }
    }

    #[test]
    fn a_custom_exception_overrides_the_weekday_rule() {
        // Arrange
        let c = WorkingCalendar::new(
            WorkingHours::default(),
            [
                (ymd(2026, 3, 4), DayKind::Holiday),
                (ymd(2026, 3, 7), DayKind::Working),
            ],
        );
        // Act / Assert
        assert!(!c.is_working_day(ymd(2026, 3, 4)));
        assert!(c.is_working_day(ymd(2026, 3, 7)));
        assert!(!c.is_working_day(ymd(2026, 3, 8)));
    }

    #[test]
    fn the_seeded_table_has_days_off_on_weekdays_and_make_up_days_on_weekends() {
        let table = seeded_days();
        let mut dates: Vec<NaiveDate> = table.iter().map(|d| d.day).collect();
        dates.sort_unstable();
        dates.dedup();
        assert_eq!(dates.len(), table.len(), "duplicate dates");
        for d in table {
            let weekend = matches!(d.day.weekday(), Weekday::Sat | Weekday::Sun);
            assert_eq!(weekend, d.kind == DayKind::Working, "{} {}", d.day, d.name);
            assert!(!d.name.is_empty() && !d.source.is_empty());
            assert_eq!(d.estimate, d.day.year() == 2027, "{} {}", d.day, d.name);
            assert_eq!(d.estimate, d.name.contains("(dự kiến"), "{}", d.name);
        }
    }

    #[test]
    fn the_announced_2026_swaps_are_in_the_table() {
        let c = cal();
        // New Year: Friday 2/1 off, Saturday 10/1 worked. National Day: Monday 31/8 off,
        // Saturday 22/8 worked.
        assert!(!c.is_working_day(ymd(2026, 1, 2)));
        assert!(c.is_working_day(ymd(2026, 1, 10)));
        assert!(!c.is_working_day(ymd(2026, 8, 31)));
        assert!(c.is_working_day(ymd(2026, 8, 22)));
    }

    #[test]
    fn tet_2026_weekdays_are_all_off() {
        let c = cal();
        for day in 16..=20 {
            assert!(!c.is_working_day(ymd(2026, 2, day)));
        }
        assert!(c.is_working_day(ymd(2026, 2, 23)));
    }
}
