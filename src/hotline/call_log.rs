//! The hotline's call log: operators' calls (started from the console, ended with an outcome and a
//! note, each visible only to its operator), the questions and feedback filed during a call, calls
//! the IVR answered by itself or handed over, and the outcome counts for the statistics.
//!
//! The functions take the caller's connection, so a page that reads several things keeps to one.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;

use crate::db;
use crate::domain::PhoneNumber;
use crate::error::AppError;

/// A call in the log, as the console needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The call's id, which forms and links carry.
    pub id: i64,
    /// The caller's number (E.164), when the phone system showed it.
    pub caller_phone: Option<String>,
    /// When the call started: questions filed during it are received at this time.
    pub started_at: DateTime<Utc>,
    /// When it ended; `None` while it is open.
    pub ended_at: Option<DateTime<Utc>>,
    /// The deadline to enter what the caller said, computed when the call started with the
    /// working calendar of that moment (`None` for calls started before it was stored).
    pub entry_due_at: Option<DateTime<Utc>>,
}

impl From<db::hotline::CallRow> for Call {
    fn from(row: db::hotline::CallRow) -> Self {
        Self {
            id: row.id,
            caller_phone: row.caller_phone,
            started_at: row.started_at,
            ended_at: row.ended_at,
            entry_due_at: row.entry_due_at,
        }
    }
}

/// Opens a call for `operator_id`, started now, and stores its entry deadline: `entry_hours` of
/// working time on the calendar of now, so that a later calendar edit does not move it. Returns
/// the call's id.
pub async fn start_call(
    client: &impl GenericClient,
    operator_id: i64,
    caller: Option<&PhoneNumber>,
    entry_hours: u32,
) -> Result<i64, AppError> {
    let now = Utc::now();
    let id =
        db::hotline::insert_operator_call(client, operator_id, caller.map(PhoneNumber::e164), now)
            .await
            .map_err(AppError::internal)?;
    let calendar = db::calendar::load(client)
        .await
        .map_err(AppError::internal)?;
    let due = calendar.add_working_hours(now, i64::from(entry_hours) * 60);
    db::hotline::set_entry_due(client, id, due)
        .await
        .map_err(AppError::internal)?;
    Ok(id)
}

/// The call `id` if it is `operator_id`'s; `None` for another operator's call or no call.
pub async fn find_operator_call(
    client: &impl GenericClient,
    id: i64,
    operator_id: i64,
) -> Result<Option<Call>, AppError> {
    let row = db::hotline::find_operator_call(client, id, operator_id)
        .await
        .map_err(AppError::internal)?;
    Ok(row.map(Call::from))
}

/// The operator's calls not yet ended, newest first (at most ten).
pub async fn list_open_calls(
    client: &impl GenericClient,
    operator_id: i64,
) -> Result<Vec<Call>, AppError> {
    let rows = db::hotline::list_open_calls(client, operator_id)
        .await
        .map_err(AppError::internal)?;
    Ok(rows.into_iter().map(Call::from).collect())
}

/// Ends the operator's open call with `outcome` and `note`; false when it is not an open call of
/// theirs (already ended, or someone else's).
pub async fn end_call(
    client: &impl GenericClient,
    id: i64,
    operator_id: i64,
    outcome: &str,
    note: Option<&str>,
) -> Result<bool, AppError> {
    db::hotline::end_call(client, id, operator_id, outcome, note)
        .await
        .map_err(AppError::internal)
}

/// Links a question or feedback item filed during the call to the call (once, however often).
pub async fn attach_item(
    client: &impl GenericClient,
    call_id: i64,
    item_id: i64,
) -> Result<(), AppError> {
    db::hotline::insert_call_item(client, call_id, item_id)
        .await
        .map_err(AppError::internal)
}

/// The tracking codes of the items filed during the call, in filing order.
pub async fn list_call_items(
    client: &impl GenericClient,
    call_id: i64,
) -> Result<Vec<String>, AppError> {
    db::hotline::list_call_items(client, call_id)
        .await
        .map_err(AppError::internal)
}

/// Logs a call the IVR finished by itself (`answered_by_ivr`) or handed to an operator
/// (`transferred`), on a connection of its own. It never fails: a database outage must not stop
/// the call, so a failure is only logged (with the outcome, never the caller's number).
pub async fn record_ivr_call(pool: &Pool, caller: Option<&PhoneNumber>, outcome: &str) {
    let recorded = async {
        let client = pool.get().await?;
        db::hotline::insert_ivr_call(&client, caller.map(PhoneNumber::e164), outcome).await
    }
    .await;
    if let Err(error) = recorded {
        tracing::warn!(
            ivr.outcome = outcome,
            "IVR call not logged ({outcome}): {error:#}"
        );
    }
}

/// Calls of one source (or of all) by outcome.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Số cuộc gọi của một nguồn (hoặc tất cả) theo kết quả. / Calls of one source (or of all) by outcome."
)]
pub struct OutcomeCounts {
    /// Mọi cuộc gọi tính ở đây. / Every call counted here.
    #[schema(minimum = 0)]
    pub total: i64,
    /// Tổng đài tự động trả lời xong. / Calls the IVR finished by itself.
    #[schema(minimum = 0)]
    pub answered_by_ivr: i64,
    /// Điện thoại viên đã giải đáp. / Calls an operator resolved.
    #[schema(minimum = 0)]
    pub resolved: i64,
    /// Đã ghi nhận câu hỏi, phản ánh. / Calls in which a question or feedback was filed.
    #[schema(minimum = 0)]
    pub filed_ticket: i64,
    /// Đã chuyển cơ quan, bộ phận khác (từ IVR: chuyển điện thoại viên). / Calls handed to
    /// another agency or unit (or, from the IVR, to an operator).
    #[schema(minimum = 0)]
    pub transferred: i64,
    /// Kết thúc với kết quả khác. / Calls ended with any other outcome.
    #[schema(minimum = 0)]
    pub other: i64,
    /// Cuộc gọi của điện thoại viên chưa kết thúc. / Operator calls not ended yet.
    #[schema(minimum = 0)]
    pub open: i64,
}

/// The outcome counts of a period: all calls, operators' calls and the IVR's.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OutcomeTotals {
    /// Every call.
    pub all: OutcomeCounts,
    /// Calls operators logged.
    pub operator: OutcomeCounts,
    /// Calls the IVR logged.
    pub ivr: OutcomeCounts,
}

/// Calls started in `[from, to)` (either end open when `None`), counted by source and outcome.
pub async fn count_outcomes(
    client: &impl GenericClient,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<OutcomeTotals, AppError> {
    let counts = db::hotline::count_outcomes(client, from, to)
        .await
        .map_err(AppError::internal)?;
    let mut totals = OutcomeTotals::default();
    for row in counts {
        let source = if row.source == "ivr" {
            &mut totals.ivr
        } else {
            &mut totals.operator
        };
        for counts in [source, &mut totals.all] {
            counts.total += row.calls;
            match row.outcome.as_deref() {
                Some("answered_by_ivr") => counts.answered_by_ivr += row.calls,
                Some("resolved") => counts.resolved += row.calls,
                Some("filed_ticket") => counts.filed_ticket += row.calls,
                Some("transferred") => counts.transferred += row.calls,
                Some(_) => counts.other += row.calls,
                None => counts.open += row.calls,
            }
        }
    }
    Ok(totals)
}
