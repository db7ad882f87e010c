//! The editable working calendar (`calendar_days`): public holidays that fall on working days and
//! make-up working days that fall on weekends.

use chrono::NaiveDate;
use deadpool_postgres::GenericClient;

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
