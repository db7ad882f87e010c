//! Cache fan-out across instances (docs/architecture.md, the read side): every instance `LISTEN`s for the codes other
//! instances changed and refreshes those cache entries. A lost listener connection is re-opened
//! with back-off; on reconnect the instance revalidates every dossier changed since shortly before
//! the gap began, since notifications sent while it was away are lost by design.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{stream, StreamExt};
use tokio_postgres::{AsyncMessage, NoTls};

use super::service::SyncService;
use crate::db;

/// `application_name` of the listener's connection.
pub const LISTENER_APPLICATION_NAME: &str = "tracuu change listener";
/// How far before the gap revalidation starts (covers transactions that committed late).
const REVALIDATE_MARGIN_SECS: i64 = 60;
/// Most dossiers revalidated after one gap; more than that and the gap is better healed by time.
const REVALIDATE_LIMIT: i64 = 200_000;

/// Listens forever (a background task of the instance).
pub async fn listen(connection: String, sync: Arc<SyncService>) {
    let mut backoff = Duration::from_millis(200);
    // Revalidate from this moment after every reconnect.
    let mut connected_until: Option<DateTime<Utc>> = None;
    loop {
        match listen_once(&connection, &sync, connected_until).await {
            Ok(()) => {}
            Err(error) => tracing::warn!(
                "change listener lost its connection: {}",
                crate::error::redacted_chain(&error)
            ),
        }
        connected_until = Some(Utc::now());
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(
    connection: &str,
    sync: &Arc<SyncService>,
    gap_since: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    let mut config: tokio_postgres::Config = connection.parse()?;
    // Named so operators (and tests) can tell the listener apart in pg_stat_activity.
    config.application_name(LISTENER_APPLICATION_NAME);
    config.connect_timeout(Duration::from_secs(5));
    let (client, mut conn) = config.connect(NoTls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    });
    db::fanout::listen(&client).await?;
    tracing::info!("listening for dossier changes from other instances");
    if let Some(since) = gap_since {
        revalidate(sync, since).await;
    }
    while let Some(payload) = rx.recv().await {
        let Some((origin, codes)) = db::sync::parse_notification(&payload) else {
            continue;
        };
        if origin == sync.instance() {
            continue;
        }
        sync.touch();
        let codes: Vec<&str> = codes.collect();
        if let Err(error) = sync.lookup().refresh(&codes).await {
            tracing::warn!(
                "refreshing {} notified dossiers failed: {error:#}",
                codes.len()
            );
        }
    }
    drop(client);
    match driver.await {
        Ok(Ok(())) => anyhow::bail!("the listener connection closed"),
        Ok(Err(error)) => Err(error.into()),
        Err(join) => Err(join.into()),
    }
}

/// Refreshes every cached dossier changed since shortly before `since`.
async fn revalidate(sync: &SyncService, since: DateTime<Utc>) {
    let from = since - chrono::Duration::seconds(REVALIDATE_MARGIN_SECS);
    let result = async {
        let pool_client = sync.lookup().pool().get().await?;
        let codes = db::sync::list_changed_since(&pool_client, from, REVALIDATE_LIMIT).await?;
        drop(pool_client);
        for chunk in codes.chunks(1_000) {
            let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
            sync.lookup().refresh(&chunk).await?;
        }
        anyhow::Ok(codes.len())
    }
    .await;
    match result {
        Ok(count) => tracing::info!(
            sync.revalidated = count,
            "revalidated {count} dossiers changed during the listener gap"
        ),
        Err(error) => tracing::warn!(
            "revalidation after a listener gap failed: {}",
            crate::error::redacted_chain(&error)
        ),
    }
}
