//! Timeliness of a dossier (trước hạn / đúng hạn / trễ hạn, and "đang xử lý
//! trong hạn / quá hạn" for open dossiers), derived from its status and
//! timestamps with the rules of Decision 766/QĐ-TTg as described in
//! docs/domain.md, statuses. Timeliness is never stored upstream; it is computed here so
//! every channel shows the same answer.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::calendar::vn_offset;
use super::status::Status;

/// How a dossier stands against its appointment date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Finished on a local date before the due date (trước hạn).
    Early,
    /// Finished on the due date itself (đúng hạn).
    OnTime,
    /// Finished after the due date, or asked for supplements more than once (trễ hạn).
    Late,
    /// Still open and not past the due instant (đang xử lý trong hạn).
    InProgressOnTime,
    /// Still open and past the due instant (đang xử lý quá hạn).
    InProgressOverdue,
    /// No deadline applies: not yet accepted, refused, or no due date (chưa tính hạn).
    NotApplicable,
}

impl Timeliness {
    /// Stable snake_case key (also the serde form).
    pub fn key(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
            Timeliness::InProgressOnTime => "in_progress_on_time",
            Timeliness::InProgressOverdue => "in_progress_overdue",
            Timeliness::NotApplicable => "not_applicable",
        }
    }

    /// Vietnamese label, with diacritics.
    pub fn label_vi(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Trễ hạn",
            Timeliness::InProgressOnTime => "Đang xử lý trong hạn",
            Timeliness::InProgressOverdue => "Đang xử lý quá hạn",
            Timeliness::NotApplicable => "Chưa tính hạn",
        }
    }

    /// Vietnamese label without diacritics, for GSM-7 SMS.
    pub fn label_ascii(self) -> &'static str {
        match self {
            Timeliness::Early => "Truoc han",
            Timeliness::OnTime => "Dung han",
            Timeliness::Late => "Tre han",
            Timeliness::InProgressOnTime => "Dang xu ly trong han",
            Timeliness::InProgressOverdue => "Dang xu ly qua han",
            Timeliness::NotApplicable => "Chua tinh han",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Timeliness::Early => "Early",
            Timeliness::OnTime => "On time",
            Timeliness::Late => "Late",
            Timeliness::InProgressOnTime => "In progress, on time",
            Timeliness::InProgressOverdue => "In progress, overdue",
            Timeliness::NotApplicable => "Not applicable",
        }
    }

    /// Whether the value can no longer change (everything except the two
    /// in-progress values, which depend on the current time).
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            Timeliness::InProgressOnTime | Timeliness::InProgressOverdue
        )
    }
}

/// The facts about one dossier that timeliness depends on. All instants are
/// UTC; local dates are derived with [`vn_offset`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelinessInput {
    /// Current national status.
    pub status: Status,
    /// When the dossier was received (kept for context; the 766 rules do
    /// not use it).
    pub received_at: DateTime<Utc>,
    /// Appointment time (ngày hẹn trả), if one was set.
    pub due_at: Option<DateTime<Utc>>,
    /// End of processing (Đã xử lý xong); for statuses 7 and 8 the caller
    /// passes the withdrawal/stop time here.
    pub finished_at: Option<DateTime<Utc>>,
    /// When the result was handed over (Đã trả kết quả).
    pub returned_at: Option<DateTime<Utc>>,
    /// How many times supplements were requested.
    pub supplement_count: u32,
    /// When the (single) supplement request was made.
    pub supplement_requested_at: Option<DateTime<Utc>>,
    /// Total seconds the citizen spent supplementing (completed periods,
    /// from request to re-submission). Negative values count as 0.
    pub supplement_seconds: i64,
}

/// Assesses timeliness with the 766 rules, in this order:
///
/// 1. Status 1 (registered) or 3 (not accepted), or no due date:
///    [`Timeliness::NotApplicable`].
/// 2. More than one supplement request: [`Timeliness::Late`].
/// 3. End point = `finished_at`, else `returned_at`; if neither and the
///    status is 5 with exactly one supplement request, the request time.
/// 4. With an end point: subtract `supplement_seconds`, then compare the
///    local date (Asia/Ho_Chi_Minh, UTC+7) of the result with the local date
///    of `due_at`: earlier → Early, same → OnTime, later → Late.
/// 5. Without an end point but a terminal status (7–10 with no timestamps:
///    inconsistent data): NotApplicable, so a finished dossier is never shown
///    to a citizen as "overdue" because a timestamp is missing.
/// 6. Otherwise (open): `now - supplement_seconds` ≤ `due_at` →
///    InProgressOnTime, else InProgressOverdue (an instant comparison, so a
///    dossier is overdue from the due minute, not the next day).
pub fn assess(input: &TimelinessInput, now: DateTime<Utc>) -> Timeliness {
    if matches!(input.status, Status::Registered | Status::NotAccepted) {
        return Timeliness::NotApplicable;
    }
    let Some(due) = input.due_at else {
        return Timeliness::NotApplicable;
    };
    if input.supplement_count > 1 {
        return Timeliness::Late;
    }
    let paused = TimeDelta::try_seconds(input.supplement_seconds.max(0)).unwrap_or(TimeDelta::MAX);
    let end = input.finished_at.or(input.returned_at).or_else(|| {
        (input.status == Status::SupplementRequested && input.supplement_count == 1)
            .then_some(input.supplement_requested_at)
            .flatten()
    });
    match end {
        Some(end) => {
            let effective = end.checked_sub_signed(paused).unwrap_or(end);
            let offset = vn_offset();
            let end_date = effective.with_timezone(&offset).date_naive();
            let due_date = due.with_timezone(&offset).date_naive();
            match end_date.cmp(&due_date) {
                std::cmp::Ordering::Less => Timeliness::Early,
                std::cmp::Ordering::Equal => Timeliness::OnTime,
                std::cmp::Ordering::Greater => Timeliness::Late,
            }
        }
        None if input.status.is_terminal() => Timeliness::NotApplicable,
        None => {
            let effective = now.checked_sub_signed(paused).unwrap_or(now);
            if effective <= due {
                Timeliness::InProgressOnTime
            } else {
                Timeliness::InProgressOverdue
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::strip_diacritics;
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    /// A Vietnam local time as UTC.
    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        vn_offset()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn input(status: Status) -> TimelinessInput {
        TimelinessInput {
            status,
            received_at: vn(2026, 3, 2, 8, 0),
            due_at: Some(vn(2026, 3, 10, 17, 0)),
            finished_at: None,
            returned_at: None,
            supplement_count: 0,
            supplement_requested_at: None,
            supplement_seconds: 0,
        }
    }

    fn now() -> DateTime<Utc> {
        vn(2026, 3, 5, 9, 0)
    }

    #[test]
    fn registered_and_refused_dossiers_have_no_timeliness() {
        for status in [Status::Registered, Status::NotAccepted] {
            assert_eq!(assess(&input(status), now()), Timeliness::NotApplicable);
        }
    }

    #[test]
    fn a_dossier_without_due_date_has_no_timeliness() {
        let mut i = input(Status::InProgress);
        i.due_at = None;
        assert_eq!(assess(&i, now()), Timeliness::NotApplicable);
    }

    #[test]
    fn more_than_one_supplement_request_is_late_even_if_finished_early() {
        // Arrange
        let mut i = input(Status::Returned);
        i.finished_at = Some(vn(2026, 3, 3, 9, 0));
        i.supplement_count = 2;
        // Act / Assert
        assert_eq!(assess(&i, now()), Timeliness::Late);
    }

    #[test]
    fn finishing_before_the_due_date_is_early() {
        let mut i = input(Status::Completed);
        i.finished_at = Some(vn(2026, 3, 9, 16, 0));
        assert_eq!(assess(&i, now()), Timeliness::Early);
    }

    #[test]
    fn finishing_at_23_59_local_on_the_due_date_is_on_time() {
        // Arrange: 23:59 local is 16:59 UTC on the same date.
        let mut i = input(Status::Completed);
        i.finished_at = Some(vn(2026, 3, 10, 23, 59));
        // Act / Assert
        assert_eq!(assess(&i, now()), Timeliness::OnTime);
    }

    #[test]
    fn finishing_just_after_local_midnight_is_late_although_the_utc_date_matches() {
        // 00:30 on 11/3 local is 17:30 UTC on 10/3.
        let mut i = input(Status::Completed);
        i.finished_at = Some(vn(2026, 3, 11, 0, 30));
        assert_eq!(assess(&i, now()), Timeliness::Late);
    }

    #[test]
    fn an_early_morning_due_time_still_compares_by_local_date() {
        // Due 10/3 07:00 local (00:00 UTC); finished the same local day at noon.
        let mut i = input(Status::Returned);
        i.due_at = Some(vn(2026, 3, 10, 7, 0));
        i.returned_at = Some(vn(2026, 3, 10, 12, 0));
        assert_eq!(assess(&i, now()), Timeliness::OnTime);
    }

    #[test]
    fn finished_time_wins_over_returned_time() {
        let mut i = input(Status::Returned);
        i.finished_at = Some(vn(2026, 3, 10, 10, 0));
        i.returned_at = Some(vn(2026, 3, 12, 10, 0));
        assert_eq!(assess(&i, now()), Timeliness::OnTime);
    }

    #[test]
    fn returned_time_is_used_when_there_is_no_finished_time() {
        let mut i = input(Status::Returned);
        i.returned_at = Some(vn(2026, 3, 12, 10, 0));
        assert_eq!(assess(&i, now()), Timeliness::Late);
    }

    #[test]
    fn a_stopped_dossier_uses_its_stop_time() {
        let mut i = input(Status::Stopped);
        i.finished_at = Some(vn(2026, 3, 4, 10, 0));
        assert_eq!(assess(&i, now()), Timeliness::Early);
    }

    #[test]
    fn time_spent_supplementing_turns_late_into_on_time() {
        // Arrange: finished two days after the due date, but the citizen
        // took two days to bring the missing papers.
        let mut i = input(Status::Completed);
        i.finished_at = Some(vn(2026, 3, 12, 10, 0));
        i.supplement_count = 1;
        i.supplement_seconds = 2 * 24 * 3600;
        // Act
        let with_pause = assess(&i, now());
        i.supplement_seconds = 0;
        let without_pause = assess(&i, now());
        // Assert
        assert_eq!(without_pause, Timeliness::Late);
        assert_eq!(with_pause, Timeliness::OnTime);
    }

    #[test]
    fn a_single_open_supplement_request_is_the_end_point() {
        // Arrange: asked for supplements before the due date; now is long past it.
        let mut i = input(Status::SupplementRequested);
        i.supplement_count = 1;
        i.supplement_requested_at = Some(vn(2026, 3, 6, 10, 0));
        // Act / Assert
        assert_eq!(assess(&i, vn(2026, 4, 1, 9, 0)), Timeliness::Early);
    }

    #[test]
    fn a_supplement_request_time_only_counts_while_status_is_five() {
        let mut i = input(Status::InProgress);
        i.supplement_count = 1;
        i.supplement_requested_at = Some(vn(2026, 3, 6, 10, 0));
        assert_eq!(
            assess(&i, vn(2026, 4, 1, 9, 0)),
            Timeliness::InProgressOverdue
        );
    }

    #[test]
    fn an_open_dossier_before_its_due_instant_is_in_progress_on_time() {
        let i = input(Status::InProgress);
        assert_eq!(
            assess(&i, vn(2026, 3, 10, 17, 0)),
            Timeliness::InProgressOnTime
        );
    }

    #[test]
    fn an_open_dossier_after_its_due_instant_is_overdue() {
        let i = input(Status::FinancialObligation);
        assert_eq!(
            assess(&i, vn(2026, 3, 10, 17, 1)),
            Timeliness::InProgressOverdue
        );
    }

    #[test]
    fn supplement_time_is_subtracted_from_now_for_open_dossiers() {
        let mut i = input(Status::InProgress);
        i.supplement_count = 1;
        i.supplement_seconds = 3600;
        assert_eq!(
            assess(&i, vn(2026, 3, 10, 17, 30)),
            Timeliness::InProgressOnTime
        );
    }

    #[test]
    fn a_terminal_status_without_timestamps_is_not_shown_as_overdue() {
        let i = input(Status::Returned);
        assert_eq!(assess(&i, vn(2026, 5, 1, 9, 0)), Timeliness::NotApplicable);
    }

    #[test]
    fn negative_supplement_seconds_are_ignored() {
        let mut i = input(Status::Completed);
        i.finished_at = Some(vn(2026, 3, 10, 16, 0));
        i.supplement_seconds = -10 * 24 * 3600;
        assert_eq!(assess(&i, now()), Timeliness::OnTime);
    }

    #[test]
    fn only_in_progress_values_are_not_final() {
        let non_final: Vec<&str> = [
            Timeliness::Early,
            Timeliness::OnTime,
            Timeliness::Late,
            Timeliness::InProgressOnTime,
            Timeliness::InProgressOverdue,
            Timeliness::NotApplicable,
        ]
        .iter()
        .filter(|t| !t.is_final())
        .map(|t| t.key())
        .collect();
        assert_eq!(non_final, ["in_progress_on_time", "in_progress_overdue"]);
    }

    #[test]
    fn labels_agree_across_languages() {
        for t in [
            Timeliness::Early,
            Timeliness::OnTime,
            Timeliness::Late,
            Timeliness::InProgressOnTime,
            Timeliness::InProgressOverdue,
            Timeliness::NotApplicable,
        ] {
            assert_eq!(t.label_ascii(), strip_diacritics(t.label_vi()));
            assert!(!t.label_en().is_empty());
        }
        assert_eq!(Timeliness::Late.label_vi(), "Trễ hạn");
    }

    #[test]
    fn the_offset_used_is_seven_hours_east() {
        assert_eq!(
            vn_offset(),
            FixedOffset::east_opt(7 * 3600).unwrap_or(vn_offset())
        );
    }
}
