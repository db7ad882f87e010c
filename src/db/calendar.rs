//! The editable working calendar (`calendar_days`): public holidays that fall on working days and
//! make-up working days that fall on weekends, and the [`WorkingCalendar`] they make, which every
//! deadline (intake, hotline, demo data) is computed with.

use chrono::NaiveDate;
use deadpool_postgres::GenericClient;

use crate::domain::calendar::{DayKind, WorkingCalendar, WorkingHours};

/// One exception to the Monday–Friday week as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDayRow {
    pub day: NaiveDate,
    /// `holiday` or `working`.
    pub kind: String,
    pub name: String,
}

const LIST_DAYS: &str = "SELECT day, kind, name FROM calendar_days ORDER BY day";

/// Every exception, oldest first.
pub async fn list_days(client: &impl GenericClient) -> anyhow::Result<Vec<CalendarDayRow>> {
    let statement = client.prepare_cached(LIST_DAYS).await?;
    let rows = client.query(&statement, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| CalendarDayRow {
            day: r.get(0),
            kind: r.get(1),
            name: r.get(2),
        })
        .collect())
}

/// The working calendar as the database has it now: the standard office hours with the stored
/// exceptions. A row of a kind the code does not know is left out.
pub async fn load(client: &impl GenericClient) -> anyhow::Result<WorkingCalendar> {
    let rows = list_days(client).await?;
    let exceptions = rows.into_iter().filter_map(|row| {
        let kind = match row.kind.as_str() {
            "holiday" => DayKind::Holiday,
            "working" => DayKind::Working,
            _ => return None,
        };
        Some((row.day, kind))
    });
    Ok(WorkingCalendar::new(WorkingHours::default(), exceptions))
}

const INSERT_DAY: &str = "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
    ON CONFLICT (day) DO NOTHING";

/// Adds an exception unless the day already has one (an administrator's edit wins).
pub async fn insert_day(client: &impl GenericClient, row: &CalendarDayRow) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(INSERT_DAY).await?;
    Ok(client
        .execute(&statement, &[&row.day, &row.kind, &row.name])
        .await?
        == 1)
}
