//! Cache fan-out across instances (docs/architecture.md, the read side). Every change to the read
//! model is a row of the shared change sequence (`db::changes`); each instance remembers the
//! snapshot of the sequence it last applied and a follower task applies every change committed
//! since: when the listener hears a change notification (the fast path, milliseconds), and on a
//! short timer (the safety net). After any gap (a lost listener, a restart, a partition of any
//! length) the next check applies every change the old snapshot did not see before the instance
//! counts itself current, so catch-up never depends on how long the gap was. Changes pruned before
//! an instance applied them (it was away longer than the log's retention) drop its whole cache
//! instead.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{stream, StreamExt};
use tokio_postgres::{AsyncMessage, NoTls};

use super::service::SyncService;
use crate::db;

/// `application_name` of the listener's connection.
pub const LISTENER_APPLICATION_NAME: &str = "tracuu change listener";
/// First wait before reconnecting the listener, and the wait again once it has been healthy.
const MIN_BACKOFF: Duration = Duration::from_millis(200);
/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// A connection that lived this long was healthy: the next loss starts the back-off again.
const HEALTHY_AFTER: Duration = Duration::from_secs(30);
/// Changes read from the sequence per query.
const PAGE: i64 = 500;
/// Dossiers re-rendered per round trip.
const REFRESH_CHUNK: usize = 1_000;

/// The back-off of a reconnecting listener: doubles on every loss, back to the minimum once a
/// connection has stayed up for [`HEALTHY_AFTER`].
#[derive(Debug)]
struct Backoff(Duration);

impl Backoff {
    fn new() -> Self {
        Self(MIN_BACKOFF)
    }

    /// The wait after a connection that lived `lived` (None: it never connected).
    fn after_loss(&mut self, lived: Option<Duration>) -> Duration {
        if lived.is_some_and(|lived| lived >= HEALTHY_AFTER) {
            self.0 = MIN_BACKOFF;
        }
        let wait = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        wait
    }
}

/// Listens forever (a background task of the instance): every notification, and every
/// (re)connection, wakes the follower.
pub async fn listen(connection: String, sync: Arc<SyncService>) {
    let mut backoff = Backoff::new();
    loop {
        let mut connected_at = None;
        if let Err(error) = listen_once(&connection, &sync, &mut connected_at).await {
            tracing::warn!(
                "change listener lost its connection: {}",
                crate::error::redacted_chain(&error)
            );
        }
        sync.freshness().listener(false);
        let wait = backoff.after_loss(connected_at.map(|at: Instant| at.elapsed()));
        tokio::time::sleep(wait).await;
    }
}

async fn listen_once(
    connection: &str,
    sync: &Arc<SyncService>,
    connected_at: &mut Option<Instant>,
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
                Ok(AsyncMessage::Notification(_)) => {
                    if tx.send(()).is_err() {
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
    *connected_at = Some(Instant::now());
    sync.freshness().listener(true);
    tracing::info!("listening for dossier changes from other instances");
    // Whatever happened while no one listened is in the sequence.
    sync.wake_follower();
    while rx.recv().await.is_some() {
        sync.wake_follower();
    }
    drop(client);
    match driver.await {
        Ok(Ok(())) => anyhow::bail!("the listener connection closed"),
        Ok(Err(error)) => Err(error.into()),
        Err(join) => Err(join.into()),
    }
}

/// Applies the sequence forever (a background task of the instance): when woken, and at least
/// every `interval`.
pub async fn follow(sync: Arc<SyncService>, interval: Duration) {
    let mut failing = false;
    loop {
        tokio::select! {
            () = sync.follower_woken() => {}
            () = tokio::time::sleep(interval) => {}
        }
        match catch_up(&sync).await {
            Ok(applied) => {
                if failing {
                    tracing::info!("change sequence reachable again; caught up");
                    failing = false;
                }
                if applied > 0 {
                    tracing::debug!(sync.caught_up = applied, "applied {applied} changes");
                }
            }
            Err(error) => {
                sync.freshness().check_failed();
                if !failing {
                    tracing::warn!(
                        "cannot read the change sequence; this instance reports itself behind \
                         until it can: {}",
                        crate::error::redacted_chain(&error)
                    );
                    failing = true;
                }
            }
        }
    }
}

/// One check: in a snapshot of its own, applies to this instance's cache every change the last
/// snapshot it applied did not see, then keeps the new snapshot. Returns how many changes were
/// applied.
pub async fn catch_up(sync: &SyncService) -> anyhow::Result<usize> {
    let mut client = sync.lookup().pool().get().await?;
    let transaction = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let freshness = sync.freshness();
    let epoch = freshness.epoch();
    let cache = sync.lookup().cache();
    let since = freshness.cursor();
    let head = db::changes::head(&transaction, since.as_deref()).await?;
    let since = match since {
        Some(_) if head.pruned_past => {
            tracing::warn!(
                sync.position = freshness.position(),
                "changes this instance had not applied were pruned; dropping the whole cache"
            );
            freshness.count_reset();
            None
        }
        since => since,
    };
    let Some(since) = since else {
        // The first check, or one after changes were lost: start at the head. Anything cached
        // before it may be older than what the head stands for.
        if !cache.is_empty() {
            cache.clear();
        }
        transaction.commit().await?;
        freshness.start_at(head.snapshot, head.position, head.changed_at, epoch);
        return Ok(0);
    };
    let mut applied = 0;
    let mut after = 0;
    loop {
        let changes = db::changes::list_since(&transaction, &since, after, PAGE).await?;
        // While a long backlog is applied page by page, the report shows how old it is.
        freshness.saw_head(
            head.position,
            head.changed_at,
            changes.first().map(|c| c.changed_at),
        );
        let Some(last) = changes.last() else {
            break;
        };
        let codes: HashSet<&str> = changes
            .iter()
            .filter(|change| change.origin != sync.instance())
            .flat_map(|change| change.codes.iter().map(String::as_str))
            .collect();
        apply_codes(sync, codes).await?;
        after = last.position;
        applied += changes.len();
        sync.metrics()
            .sync_changes_applied
            .inc_by(changes.len() as u64);
        if changes.len() < PAGE as usize {
            break;
        }
    }
    transaction.commit().await?;
    freshness.advance(head.snapshot, head.position);
    freshness.saw_head(head.position, head.changed_at, None);
    freshness.checked_ok(epoch);
    Ok(applied)
}

/// Brings `codes` up to date in this instance's cache: the cached ones are re-rendered (or
/// dropped if the read model no longer has them), the others only stop being remembered as
/// unknown, so their next lookup reads the database.
async fn apply_codes(sync: &SyncService, codes: HashSet<&str>) -> anyhow::Result<()> {
    let cache = sync.lookup().cache();
    let mut cached = Vec::new();
    for code in codes {
        if cache.contains(code) {
            cached.push(code);
        } else {
            cache.forget_unknown(code);
        }
    }
    for chunk in cached.chunks(REFRESH_CHUNK) {
        sync.lookup().refresh(chunk).await?;
    }
    Ok(())
}

/// Prunes the change sequence forever (every `keep` / 24, at least hourly): changes older than
/// `keep` go. Every instance runs it; they do the same thing.
pub async fn prune(sync: Arc<SyncService>, keep: chrono::Duration) {
    let every = Duration::from_secs((keep.num_seconds().max(60) as u64 / 24).clamp(10, 3_600));
    loop {
        tokio::time::sleep(every).await;
        let pruned = async {
            let client = sync.lookup().pool().get().await?;
            db::changes::prune_before(&client, chrono::Utc::now() - keep).await
        }
        .await;
        if let Err(error) = pruned {
            tracing::debug!("change sequence prune skipped: {error:#}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_doubles_up_to_its_ceiling() {
        let mut backoff = Backoff::new();
        let waits: Vec<Duration> = (0..8).map(|_| backoff.after_loss(None)).collect();
        assert_eq!(waits[0], MIN_BACKOFF);
        assert_eq!(waits[1], MIN_BACKOFF * 2);
        assert_eq!(*waits.last().unwrap(), MAX_BACKOFF);
    }

    #[test]
    fn the_back_off_starts_again_after_a_healthy_connection() {
        let mut backoff = Backoff::new();
        for _ in 0..8 {
            backoff.after_loss(Some(Duration::from_secs(1)));
        }
        assert_eq!(
            backoff.after_loss(Some(Duration::from_secs(1))),
            MAX_BACKOFF
        );
        assert_eq!(backoff.after_loss(Some(HEALTHY_AFTER)), MIN_BACKOFF);
        assert_eq!(backoff.after_loss(None), MIN_BACKOFF * 2);
    }
}
