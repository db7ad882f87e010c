//! Opening the read model for a command: the configured server, or the private cluster started
//! (and its `tracuu` database created) when none is configured; then migrated, and the working
//! calendar seeded once per version of its built-in table.

use chrono::NaiveDate;
use deadpool_postgres::GenericClient;

use crate::config::Settings;
use crate::db;
use crate::db::calendar::DayValues;
use crate::db::local::LocalCluster;
use crate::domain::calendar::seeded_days;

/// A database ready to use: migrated, calendar seeded, and the private cluster when we started one.
pub struct Database {
    /// The connection string of the `tracuu` database.
    pub connection: String,
    /// The private cluster, when no server is configured.
    pub local: Option<LocalCluster>,
}

impl Database {
    /// Stops the private cluster, if we started one.
    pub fn shutdown(&self) {
        if let Some(cluster) = self.local.as_ref().filter(|c| c.started_here()) {
            if let Err(error) = cluster.stop() {
                tracing::warn!("could not stop the private PostgreSQL cluster: {error:#}");
            } else {
                tracing::info!("private PostgreSQL cluster stopped");
            }
        }
    }
}

/// Uses `database.url`, or starts the private cluster (never in production mode); then migrates
/// and seeds the calendar.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    let (connection, local) = match db::configured_url(&settings.database) {
        Some(url) => (url, None),
        None if settings.deployment.is_production() => anyhow::bail!(
            "production mode: database.url (TRACUU_DATABASE__URL, DATABASE_URL or \
             TRACUU_DATABASE__URL_FILE) is not set, and production never starts a private cluster"
        ),
        None => {
            let cluster = LocalCluster::start(&settings.database.data_dir, false)?;
            let admin = db::connect(&cluster.connection_string("postgres")).await?;
            create_database_if_absent(&admin).await?;
            (cluster.connection_string("tracuu"), Some(cluster))
        }
    };
    let mut client = db::connect(&connection).await?;
    db::migrate(&mut client).await?;
    seed_calendar(&client).await?;
    Ok(Database { connection, local })
}

const FIND_DATABASE: &str = "SELECT 1 FROM pg_database WHERE datname = 'tracuu'";
const CREATE_DATABASE: &str = "CREATE DATABASE tracuu";

/// Creates the `tracuu` database on the server `admin` is connected to, unless it exists.
/// `CREATE DATABASE` takes no parameters and cannot run in a transaction, hence the check first.
async fn create_database_if_absent(admin: &impl GenericClient) -> anyhow::Result<()> {
    let exists = admin.query_opt(FIND_DATABASE, &[]).await?.is_some();
    if !exists {
        admin.batch_execute(CREATE_DATABASE).await?;
    }
    Ok(())
}

/// The version of the seeded table: a database seeded with it is not seeded again.
pub const CALENDAR_SEED_VERSION: &str = "2025-2027, 2026-12-06";

/// Brings the built-in 2025–2027 table ([`seeded_days`]) into the database, once per version of
/// the table. A day with no exception and never deleted gets the seeded one; a seeded row (origin
/// `seed`) takes the seed's current values; a row an administrator or an import set, and a day an
/// administrator deleted, are left as they are. Seeded rows the table no longer has (estimates
/// replaced by announced days) are deleted.
pub async fn seed_calendar(client: &impl GenericClient) -> anyhow::Result<()> {
    const FACT: &str = "calendar_seed";
    // What tracuu before V15 checked: while both binaries run, the old one must not seed again.
    const OLD_FACT: &str = "calendar_seeded";
    if db::installation::find_fact(client, FACT).await?.as_deref() == Some(CALENDAR_SEED_VERSION) {
        return Ok(());
    }
    let removed = db::calendar::list_removed_days(client).await?;
    let table = seeded_days();
    for seeded in table {
        let row = DayValues {
            day: seeded.day,
            kind: seeded.kind,
            name: seeded.name,
            estimate: seeded.estimate,
            source: Some(seeded.source),
            origin: db::calendar::ORIGIN_SEED,
            changed_by: None,
        };
        if removed.contains(&seeded.day) {
            continue;
        }
        if !db::calendar::insert_day(client, &row).await? {
            db::calendar::update_seed_day(client, &row).await?;
        }
    }
    let keep: Vec<NaiveDate> = table.iter().map(|d| d.day).collect();
    db::calendar::delete_seed_days_except(client, &keep).await?;
    db::installation::upsert_fact(client, OLD_FACT, "2025-2027").await?;
    db::installation::upsert_fact(client, FACT, CALENDAR_SEED_VERSION).await
}
