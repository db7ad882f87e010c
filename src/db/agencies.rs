//! Agencies as the administrator's console keeps them: the list with each agency's level,
//! lifecycle and successors (filtered by living or closed, searched by name or code without
//! diacritics), one agency's lifecycle, and the lifecycle written without touching the catalog
//! version (so the main store's next newer version replaces it, decision 0052).

use chrono::NaiveDate;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

/// Most agencies one page of the console lists.
pub const MAX_LISTED: i64 = 500;

/// An agency as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyLifecycleRow {
    pub code: String,
    pub name: String,
    /// The level's code (`agency_levels.code`).
    pub kind: String,
    /// The level's Vietnamese label.
    pub level_label: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// Closed today (its `valid_until` has come).
    pub closed: bool,
    /// Its successors as (code, name); the name is empty for a code the catalog lacks.
    pub successors: Vec<(String, String)>,
    /// The catalog version (the console's edit leaves it as it is).
    pub version: i64,
}

impl TryFrom<&Row> for AgencyLifecycleRow {
    type Error = tokio_postgres::Error;

    fn try_from(row: &Row) -> Result<Self, Self::Error> {
        let codes: Vec<String> = row.try_get("successor_codes")?;
        let names: Vec<String> = row.try_get("successor_names")?;
        Ok(Self {
            code: row.try_get("code")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            level_label: row.try_get("label_vi")?,
            valid_from: row.try_get("valid_from")?,
            valid_until: row.try_get("valid_until")?,
            closed: row.try_get("closed")?,
            successors: codes.into_iter().zip(names).collect(),
            version: row.try_get("version")?,
        })
    }
}

/// Which agencies the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifeFilter {
    All,
    Living,
    Closed,
}

/// The select list and tables of [`AgencyLifecycleRow`], as a literal for `concat!`.
macro_rules! select_agencies {
    () => {
        concat!(
            "SELECT a.code, a.name, a.kind, l.label_vi, a.valid_from, a.valid_until, a.version,
                    NOT ",
            living_agency!("a"),
            " AS closed,
                    ARRAY(SELECT s.successor_code FROM agency_successors s
                           WHERE s.agency_code = a.code ORDER BY s.successor_code) AS successor_codes,
                    ARRAY(SELECT coalesce(n.name, '') FROM agency_successors s
                            LEFT JOIN agencies n ON n.code = s.successor_code
                           WHERE s.agency_code = a.code ORDER BY s.successor_code) AS successor_names
               FROM agencies a JOIN agency_levels l ON l.code = a.kind "
        )
    };
}

const LIST_AGENCIES: &str = concat!(
    select_agencies!(),
    "WHERE ($1::boolean IS NULL OR $1 = ",
    living_agency!("a"),
    ")
        AND ($2::text IS NULL
             OR strpos(tracuu_fold(a.name), tracuu_fold($2)) > 0
             OR strpos(a.code, upper($2)) > 0)
      ORDER BY l.sort_order, a.code
      LIMIT $3"
);

const FIND_AGENCY: &str = concat!(select_agencies!(), "WHERE a.code = $1");

/// The agencies `filter` keeps whose name (folded: no diacritics, any case) or code contains
/// `search`, by level then code, at most [`MAX_LISTED`].
pub async fn list_agencies(
    client: &impl GenericClient,
    filter: LifeFilter,
    search: Option<&str>,
) -> anyhow::Result<Vec<AgencyLifecycleRow>> {
    let living = match filter {
        LifeFilter::All => None,
        LifeFilter::Living => Some(true),
        LifeFilter::Closed => Some(false),
    };
    let statement = client.prepare_cached(LIST_AGENCIES).await?;
    client
        .query(&statement, &[&living, &search, &MAX_LISTED])
        .await?
        .iter()
        .map(|r| AgencyLifecycleRow::try_from(r).map_err(Into::into))
        .collect()
}

/// One agency with its lifecycle, when it is in the catalog.
pub async fn find_agency(
    client: &impl GenericClient,
    code: &str,
) -> anyhow::Result<Option<AgencyLifecycleRow>> {
    let statement = client.prepare_cached(FIND_AGENCY).await?;
    client
        .query_opt(&statement, &[&code])
        .await?
        .map(|r| AgencyLifecycleRow::try_from(&r).map_err(Into::into))
        .transpose()
}

/// Locks the agency's row for a lifecycle edit; `false` when it is not in the catalog.
pub async fn lock_agency(client: &impl GenericClient, code: &str) -> anyhow::Result<bool> {
    let statement = client
        .prepare_cached("SELECT 1 FROM agencies WHERE code = $1 FOR UPDATE")
        .await?;
    Ok(client.query_opt(&statement, &[&code]).await?.is_some())
}

/// Which of `codes` are in the catalog.
pub async fn list_existing(
    client: &impl GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<String>> {
    let statement = client
        .prepare_cached("SELECT code FROM agencies WHERE code = ANY($1)")
        .await?;
    Ok(client
        .query(&statement, &[&codes])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Sets the agency's opening and closing days; its version stays as it is.
pub async fn update_lifecycle(
    client: &impl GenericClient,
    code: &str,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
) -> anyhow::Result<()> {
    let statement = client
        .prepare_cached(
            "UPDATE agencies SET valid_from = $2, valid_until = $3
              WHERE code = $1",
        )
        .await?;
    client
        .execute(&statement, &[&code, &valid_from, &valid_until])
        .await?;
    Ok(())
}
