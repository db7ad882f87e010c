//! PostgreSQL access: the pool, embedded migrations, the private local cluster, and one module
//! per aggregate. All SQL of the service lives under this module.

pub mod calendar;
pub mod dossiers;
pub mod installation;
pub mod local;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::ExposeSecret;
use tokio_postgres::NoTls;

use crate::config::DatabaseSettings;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Builds the connection pool. Connections are opened lazily; waits are bounded so that an
/// unreachable database turns into a quick "unavailable" instead of a hung request.
pub fn build_pool(connection: &str, settings: &DatabaseSettings) -> anyhow::Result<Pool> {
    let mut config = tokio_postgres::Config::from_str(connection).context("invalid database URL")?;
    let timeout = Duration::from_secs(settings.connect_timeout_secs);
    config.connect_timeout(timeout);
    if config.get_application_name().is_none() {
        config.application_name("tracuu");
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(settings.pool_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .build()
        .context("cannot build the database pool")
}

/// Opens one connection outside the pool (migrations, bulk loads, administration).
pub async fn connect(connection: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(connection, NoTls)
        .await
        .context("cannot connect to PostgreSQL")?;
    tokio::spawn(async move {
        if let Err(error) = conn.await {
            tracing::warn!(error = %error, "database connection closed: {error}");
        }
    });
    Ok(client)
}

/// Applies the embedded migrations that have not run yet. Safe to call from several processes:
/// an advisory lock serialises them.
pub async fn migrate(client: &mut tokio_postgres::Client) -> anyhow::Result<()> {
    const LOCK: i64 = 0x7472_6163_7575; // "tracuu"
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await
        .context("cannot take the migration lock")?;
    let result = embedded::migrations::runner()
        .set_abort_divergent(true)
        .run_async(client)
        .await
        .context("database migration failed");
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK]).await?;
    let report = result?;
    for migration in report.applied_migrations() {
        tracing::info!(migration = %migration, "applied migration {migration}");
    }
    Ok(())
}

/// The connection string for the configured server, if one is configured.
pub fn configured_url(settings: &DatabaseSettings) -> Option<String> {
    settings.url.as_ref().map(|url| url.expose_secret().to_owned())
}
