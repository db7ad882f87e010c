//! The editable working calendar (`calendar_days`): public holidays that fall on working days and
//! make-up working days that fall on weekends, and the [`WorkingCalendar`] they make, which every
//! deadline (intake, hotline, demo data) is computed with. Each row says whether it is an
//! estimate, where it comes from, and who set it (`origin`: tracuu's seed, an administrator, or a
//! CSV import); `calendar_days_removed` remembers deleted days (a trigger fills it) so that
//! seeding never brings one back.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::domain::calendar::{DayKind, WorkingCalendar, WorkingHours};

/// Who set a row last.
pub const ORIGIN_SEED: &str = "seed";
/// Set in the console (or by hand before the console existed).
pub const ORIGIN_ADMINISTRATOR: &str = "administrator";
/// Set by a CSV import.
pub const ORIGIN_IMPORT: &str = "import";

/// One exception to the Monday–Friday week as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDayRow {
    pub day: NaiveDate,
    /// `holiday` or `working`.
    pub kind: String,
    pub name: String,
    pub estimate: bool,
    pub source: Option<String>,
    /// `seed`, `administrator` or `import`.
    pub origin: String,
    pub changed_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<&Row> for CalendarDayRow {
    type Error = tokio_postgres::Error;

    fn try_from(r: &Row) -> Result<Self, Self::Error> {
        Ok(Self {
            day: r.try_get(0)?,
            kind: r.try_get(1)?,
            name: r.try_get(2)?,
            estimate: r.try_get(3)?,
            source: r.try_get(4)?,
            origin: r.try_get(5)?,
            changed_by: r.try_get(6)?,
            updated_at: r.try_get(7)?,
        })
    }
}

/// A row to write.
#[derive(Debug, Clone, Copy)]
pub struct DayValues<'a> {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: &'a str,
    pub estimate: bool,
    pub source: Option<&'a str>,
    pub origin: &'a str,
    pub changed_by: Option<&'a str>,
}

const COLUMNS: &str = "day, kind, name, estimate, source, origin, changed_by, updated_at";

fn rows(rows: &[Row]) -> anyhow::Result<Vec<CalendarDayRow>> {
    rows.iter()
        .map(|r| CalendarDayRow::try_from(r).map_err(anyhow::Error::from))
        .collect()
}

/// Every exception, oldest first.
pub async fn list_days(client: &impl GenericClient) -> anyhow::Result<Vec<CalendarDayRow>> {
    let sql = format!("SELECT {COLUMNS} FROM calendar_days ORDER BY day");
    let statement = client.prepare_cached(&sql).await?;
    rows(&client.query(&statement, &[]).await?)
}

/// The exceptions of one year, oldest first.
pub async fn list_year(
    client: &impl GenericClient,
    year: i32,
) -> anyhow::Result<Vec<CalendarDayRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM calendar_days
          WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1) ORDER BY day"
    );
    let statement = client.prepare_cached(&sql).await?;
    rows(&client.query(&statement, &[&year]).await?)
}

const LIST_YEARS: &str =
    "SELECT DISTINCT extract(year FROM day)::int FROM calendar_days ORDER BY 1";

/// The years that have at least one exception.
pub async fn list_years(client: &impl GenericClient) -> anyhow::Result<Vec<i32>> {
    let statement = client.prepare_cached(LIST_YEARS).await?;
    Ok(client
        .query(&statement, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// The exception of `day`, if any.
pub async fn find_day(
    client: &impl GenericClient,
    day: NaiveDate,
) -> anyhow::Result<Option<CalendarDayRow>> {
    let sql = format!("SELECT {COLUMNS} FROM calendar_days WHERE day = $1");
    let statement = client.prepare_cached(&sql).await?;
    match client.query_opt(&statement, &[&day]).await? {
        Some(row) => Ok(Some(CalendarDayRow::try_from(&row)?)),
        None => Ok(None),
    }
}

/// The working calendar as the database has it now: the standard office hours with the stored
/// exceptions. A row of a kind the code does not know is left out.
pub async fn load(client: &impl GenericClient) -> anyhow::Result<WorkingCalendar> {
    let rows = list_days(client).await?;
    let exceptions = rows
        .into_iter()
        .filter_map(|row| DayKind::parse(&row.kind).map(|kind| (row.day, kind)));
    Ok(WorkingCalendar::new(WorkingHours::default(), exceptions))
}

const INSERT_DAY: &str = "
INSERT INTO calendar_days (day, kind, name, estimate, source, origin, changed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (day) DO NOTHING";

/// Adds an exception unless the day already has one; true if it was added.
pub async fn insert_day(client: &impl GenericClient, row: &DayValues<'_>) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(INSERT_DAY).await?;
    Ok(client
        .execute(
            &statement,
            &[
                &row.day,
                &row.kind.as_str(),
                &row.name,
                &row.estimate,
                &row.source,
                &row.origin,
                &row.changed_by,
            ],
        )
        .await?
        == 1)
}

const UPSERT_DAY: &str = "
INSERT INTO calendar_days (day, kind, name, estimate, source, origin, changed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
    estimate = EXCLUDED.estimate, source = EXCLUDED.source, origin = EXCLUDED.origin,
    changed_by = EXCLUDED.changed_by";

/// Sets the exception of a day, whether it had one or not.
pub async fn upsert_day(client: &impl GenericClient, row: &DayValues<'_>) -> anyhow::Result<()> {
    let statement = client.prepare_cached(UPSERT_DAY).await?;
    client
        .execute(
            &statement,
            &[
                &row.day,
                &row.kind.as_str(),
                &row.name,
                &row.estimate,
                &row.source,
                &row.origin,
                &row.changed_by,
            ],
        )
        .await?;
    Ok(())
}

const UPDATE_DAY: &str = "
UPDATE calendar_days SET kind = $2, name = $3, estimate = $4, source = $5, origin = $6,
       changed_by = $7
 WHERE day = $1";

/// Changes the exception of a day; false if the day has none.
pub async fn update_day(client: &impl GenericClient, row: &DayValues<'_>) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(UPDATE_DAY).await?;
    Ok(client
        .execute(
            &statement,
            &[
                &row.day,
                &row.kind.as_str(),
                &row.name,
                &row.estimate,
                &row.source,
                &row.origin,
                &row.changed_by,
            ],
        )
        .await?
        == 1)
}

const UPDATE_SEED_DAY: &str = "
UPDATE calendar_days SET kind = $2, name = $3, estimate = $4, source = $5
 WHERE day = $1 AND origin = 'seed'
   AND (kind, name, estimate, source) IS DISTINCT FROM ($2, $3, $4, $5)";

/// Brings a seeded row to the seed's current values; a row an administrator or an import set is
/// left as it is. True if the row changed.
pub async fn update_seed_day(
    client: &impl GenericClient,
    row: &DayValues<'_>,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(UPDATE_SEED_DAY).await?;
    Ok(client
        .execute(
            &statement,
            &[
                &row.day,
                &row.kind.as_str(),
                &row.name,
                &row.estimate,
                &row.source,
            ],
        )
        .await?
        == 1)
}

const DELETE_SEED_DAYS_EXCEPT: &str =
    "DELETE FROM calendar_days WHERE origin = 'seed' AND NOT (day = ANY($1))";

/// Deletes the seeded rows whose day the seed no longer has (our own outdated estimates).
pub async fn delete_seed_days_except(
    client: &impl GenericClient,
    keep: &[NaiveDate],
) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(DELETE_SEED_DAYS_EXCEPT).await?;
    Ok(client.execute(&statement, &[&keep]).await?)
}

const DELETE_DAY: &str = "DELETE FROM calendar_days WHERE day = $1 RETURNING kind, name";

/// Deletes the exception of a day; its (kind, name) if it had one.
pub async fn delete_day(
    client: &impl GenericClient,
    day: NaiveDate,
) -> anyhow::Result<Option<(String, String)>> {
    let statement = client.prepare_cached(DELETE_DAY).await?;
    Ok(client
        .query_opt(&statement, &[&day])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

const DELETE_YEARS_EXCEPT: &str = "
DELETE FROM calendar_days
 WHERE extract(year FROM day)::int = ANY($1) AND NOT (day = ANY($2))
RETURNING day";

/// Deletes the exceptions of `years` whose day is not in `keep`; the deleted days.
pub async fn delete_years_except(
    client: &impl GenericClient,
    years: &[i32],
    keep: &[NaiveDate],
) -> anyhow::Result<Vec<NaiveDate>> {
    let statement = client.prepare_cached(DELETE_YEARS_EXCEPT).await?;
    Ok(client
        .query(&statement, &[&years, &keep])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

const LIST_REMOVED: &str = "SELECT day FROM calendar_days_removed";

/// Every day whose exception was deleted at some point.
pub async fn list_removed_days(client: &impl GenericClient) -> anyhow::Result<HashSet<NaiveDate>> {
    let statement = client.prepare_cached(LIST_REMOVED).await?;
    Ok(client
        .query(&statement, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

const LOCK_CALENDAR: &str = "LOCK TABLE calendar_days IN SHARE ROW EXCLUSIVE MODE";

/// Holds other writers of the calendar off until the transaction ends (an import replaces whole
/// years at once).
pub async fn lock_for_import(client: &impl GenericClient) -> anyhow::Result<()> {
    client.batch_execute(LOCK_CALENDAR).await?;
    Ok(())
}
