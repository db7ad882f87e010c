//! PostgreSQL access: the pool, embedded migrations, the private local cluster, and one module
//! per aggregate. All SQL of the service lives under this module.

/// The SQL condition "the agency aliased `$alias` still receives dossiers today", Vietnam date:
/// not closed, or closed from a day still to come. One spelling for every query that leaves
/// closed agencies out.
macro_rules! living_agency {
    ($alias:literal) => {
        concat!(
            "(",
            $alias,
            ".valid_until IS NULL OR ",
            $alias,
            ".valid_until > (now() AT TIME ZONE 'UTC' + interval '7 hours')::date)"
        )
    };
}

/// The SQL expression "who serves the dossiers of the agency aliased `$alias` now": NULL while
/// that agency still receives dossiers ([`living_agency!`]); for a closed one, a JSON array of its
/// living successors, following successors that closed too to their living end (a chain of
/// closures), each `{code, name, tier, desk_address, desk_phone, desk_hours}`, ordered by name
/// (`[]` when none is known). The walk is `UNION` over codes, so it ends even if the stored
/// successions ever held a cycle; a successor the catalog lacks is skipped. Read as
/// [`crate::domain::succession::LivingSuccessor`]s.
macro_rules! now_agencies_json {
    ($alias:literal) => {
        concat!(
            "CASE WHEN ",
            living_agency!($alias),
            " THEN NULL ELSE (
                WITH RECURSIVE walk (code) AS (
                    SELECT s.successor_code FROM agency_successors s WHERE s.agency_code = ",
            $alias,
            ".code
                    UNION
                    SELECT s.successor_code FROM walk w
                      JOIN agencies c ON c.code = w.code AND NOT ",
            living_agency!("c"),
            "
                      JOIN agency_successors s ON s.agency_code = c.code
                )
                SELECT coalesce(json_agg(json_build_object('code', n.code, 'name', n.name,
                           'tier', lv.tier, 'desk_address', n.desk_address,
                           'desk_phone', n.desk_phone, 'desk_hours', n.desk_hours)
                         ORDER BY n.name, n.code), '[]'::json)
                  FROM walk w JOIN agencies n ON n.code = w.code
                  JOIN agency_levels lv ON lv.code = n.kind
                 WHERE ",
            living_agency!("n"),
            ") END"
        )
    };
}

pub mod agencies;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod changes;
pub mod demo;
pub mod dossiers;
pub mod fanout;
pub mod health;
pub mod hotline;
pub mod installation;
pub mod intake;
pub mod kiosk;
pub mod local;
pub mod open;
pub mod retention;
pub mod shared;
pub mod sms;
pub mod sms_outbox;
pub mod source;
pub mod staff;
pub mod sync;
pub mod verify;

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
    build_pool_with(connection, settings, |_| {})
}

/// As [`build_pool`], after `adjust` has changed the connection settings (e.g. server options
/// every connection of this pool starts with).
pub fn build_pool_with(
    connection: &str,
    settings: &DatabaseSettings,
    adjust: impl FnOnce(&mut tokio_postgres::Config),
) -> anyhow::Result<Pool> {
    let mut config =
        tokio_postgres::Config::from_str(connection).context("invalid database URL")?;
    adjust(&mut config);
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

/// Opens one connection outside the service's pool (migrations, bulk loads, administration).
/// It is a pooled object all the same, so the `db` functions (which take a
/// `deadpool_postgres::GenericClient`) accept it; `&mut **client` is the raw client.
pub async fn connect(connection: &str) -> anyhow::Result<deadpool_postgres::Object> {
    let settings = DatabaseSettings {
        pool_size: 1,
        connect_timeout_secs: 10,
        ..DatabaseSettings::default()
    };
    let pool = build_pool(connection, &settings)?;
    pool.get().await.context("cannot connect to PostgreSQL")
}

/// Applies the embedded migrations that have not run yet. Safe to call from several processes:
/// an advisory lock serialises them.
pub async fn migrate(client: &mut deadpool_postgres::Object) -> anyhow::Result<()> {
    migrate_to(client, None).await
}

/// [`migrate`], stopping after migration `version` when one is given: for tests that put data in
/// an older schema and migrate it forward.
pub async fn migrate_to(
    client: &mut deadpool_postgres::Object,
    version: Option<u32>,
) -> anyhow::Result<()> {
    const LOCK: i64 = 0x7472_6163_7575; // "tracuu"
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await
        .context("cannot take the migration lock")?;
    if let Err(error) = accept_comment_edits(client).await {
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
            .await?;
        return Err(error);
    }
    let target = version.map_or(refinery::Target::Latest, refinery::Target::Version);
    let result = embedded::migrations::runner()
        .set_abort_divergent(true)
        .set_target(target)
        .run_async(&mut ***client)
        .await
        .context("database migration failed");
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .await?;
    let report = result?;
    for migration in report.applied_migrations() {
        tracing::info!(migration = %migration, "applied migration {migration}");
    }
    Ok(())
}

/// Migrations whose comments (and nothing else) were edited after they landed, with the checksum
/// refinery recorded for the text before the edit. The four pointed to design notes outside the
/// repository; they now point to the project's own docs.
const COMMENT_ONLY_EDITS: &[(i32, u64)] = &[
    (2, 2_152_031_630_531_583_234),
    (3, 11_755_384_082_685_544_494),
    (6, 15_191_072_889_652_746_854),
    (9, 6_478_049_686_484_571_919),
];

/// An installation that applied one of [`COMMENT_ONLY_EDITS`] before its edit has the old
/// checksum recorded, which refinery (run with `set_abort_divergent`) would refuse. Only that
/// exact old checksum is replaced by the current one; any other difference is still refused.
async fn accept_comment_edits(client: &deadpool_postgres::Object) -> anyhow::Result<()> {
    let recorded: Option<String> = client
        .query_one("SELECT to_regclass('refinery_schema_history')::text", &[])
        .await?
        .get(0);
    if recorded.is_none() {
        return Ok(());
    }
    let runner = embedded::migrations::runner();
    for (version, old) in COMMENT_ONLY_EDITS {
        let Some(current) = runner
            .get_migrations()
            .iter()
            .find(|m| i64::from(m.version()) == i64::from(*version))
        else {
            continue;
        };
        client
            .execute(
                "UPDATE refinery_schema_history SET checksum = $1 WHERE version = $2 AND checksum = $3",
                &[&current.checksum().to_string(), version, &old.to_string()],
            )
            .await
            .context("cannot record the comment-only edit of a migration")?;
    }
    Ok(())
}

/// The connection string for the configured server, if one is configured.
pub fn configured_url(settings: &DatabaseSettings) -> Option<String> {
    settings
        .url
        .as_ref()
        .map(|url| url.expose_secret().to_owned())
}
