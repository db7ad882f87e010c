//! Opening the read model for a command: the configured server, or the private cluster started
//! (and its `tracuu` database created) when none is configured; then migrated, and the working
//! calendar seeded once per installation.

use deadpool_postgres::GenericClient;

use crate::config::Settings;
use crate::db;
use crate::db::calendar::CalendarDayRow;
use crate::db::local::LocalCluster;
use crate::domain::calendar::{default_exceptions, DayKind};

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

/// Uses `database.url`, or starts the private cluster; then migrates and seeds the calendar.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    let (connection, local) = match db::configured_url(&settings.database) {
        Some(url) => (url, None),
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

/// Inserts the built-in 2025–2027 holidays once per installation; later edits in the table win.
pub async fn seed_calendar(client: &impl GenericClient) -> anyhow::Result<()> {
    const FACT: &str = "calendar_seeded";
    if db::installation::find_fact(client, FACT).await?.is_some() {
        return Ok(());
    }
    for (day, kind, name) in default_exceptions() {
        let row = CalendarDayRow {
            day,
            kind: match kind {
                DayKind::Holiday => "holiday",
                DayKind::Working => "working",
            }
            .to_owned(),
            name: name.to_owned(),
        };
        db::calendar::insert_day(client, &row).await?;
    }
    db::installation::upsert_fact(client, FACT, "2025-2027").await
}
