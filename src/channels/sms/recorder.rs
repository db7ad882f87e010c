//! Records inbound messages in batches (group commit): each request hands its record to the
//! writer task of its own worker thread and waits for the verdict, new or duplicate. Concurrent requests share one
//! `INSERT ... SELECT FROM unnest(...)`, so recording every message costs a fraction of a
//! statement each. A repeated Kannel id is recognised by the database (unique), so across
//! instances too.
//!
//! Each batch is one autocommitted statement (one round trip), on connections that start with
//! `synchronous_commit = off`, and a writer keeps up to two batches in flight (its pool's size).
//! These commits do not wait for the WAL flush:
//! a crash of PostgreSQL can lose the last fraction of a second of records of messages that were
//! already answered, and a Kannel retry of one of those would be answered again. That is harmless
//! for what is recorded here (lookups, help, error replies); commands that change state
//! (subscriptions, opt-outs, ratings) commit synchronously with their record in
//! `inbound::mutate`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot};

use crate::config::DatabaseSettings;
use crate::db;
use crate::db::sms::InboundRecord;

/// Most records written by one statement.
const MAX_BATCH: usize = 1_024;

/// Batches of one writer being written at once (its pool has as many connections).
const IN_FLIGHT: usize = 2;

type Job = (InboundRecord, oneshot::Sender<anyhow::Result<bool>>);

thread_local! {
    /// This thread's writer, per database: requests hand records to a writer on their own
    /// thread (with its own connections, whose I/O runs there too), so a request costs no
    /// cross-thread wake-ups.
    static WRITERS: RefCell<HashMap<Arc<str>, mpsc::UnboundedSender<Job>>> =
        RefCell::new(HashMap::new());
}

/// Hands inbound records to the writer of the calling thread.
#[derive(Clone)]
pub struct Recorder {
    connection: Arc<str>,
    database: DatabaseSettings,
}

impl Recorder {
    /// A recorder writing to the database at `connection`; writers start on first use.
    pub fn new(connection: &str, database: &DatabaseSettings) -> Self {
        Self {
            connection: Arc::from(connection),
            database: DatabaseSettings {
                pool_size: IN_FLIGHT,
                ..database.clone()
            },
        }
    }

    /// Records one message; true when it is new, false when its Kannel id was recorded before.
    pub async fn record(&self, record: InboundRecord) -> anyhow::Result<bool> {
        let (reply, verdict) = oneshot::channel();
        let queue = WRITERS.with(|writers| {
            let mut writers = writers.borrow_mut();
            match writers.get(&self.connection) {
                Some(queue) if !queue.is_closed() => Ok(queue.clone()),
                _ => {
                    let queue = self.start()?;
                    writers.insert(Arc::clone(&self.connection), queue.clone());
                    Ok::<_, anyhow::Error>(queue)
                }
            }
        })?;
        queue
            .send((record, reply))
            .map_err(|_| anyhow::anyhow!("the inbound recorder has stopped"))?;
        verdict
            .await
            .map_err(|_| anyhow::anyhow!("the inbound recorder dropped a message"))?
    }

    /// Starts a writer on the current thread's runtime.
    fn start(&self) -> anyhow::Result<mpsc::UnboundedSender<Job>> {
        let pool = db::build_pool_with(&self.connection, &self.database, |config| {
            let options = config
                .get_options()
                .map(|o| format!("{o} "))
                .unwrap_or_default();
            config.options(format!("{options}-c synchronous_commit=off"));
        })?;
        let queue = crate::batching::start(MAX_BATCH, IN_FLIGHT, move |batch| {
            let pool = pool.clone();
            async move { write(&pool, batch).await }
        });
        Ok(queue)
    }
}

async fn write(pool: &Pool, batch: Vec<Job>) {
    // Duplicates inside the batch: only the first of each takes part.
    let mut ids = HashSet::new();
    let mut pairs = HashSet::new();
    let mut first = Vec::with_capacity(batch.len());
    let mut repeats = Vec::new();
    for (index, (record, _)) in batch.iter().enumerate() {
        let new_id = record
            .gateway_id
            .as_ref()
            .is_none_or(|id| ids.insert(id.clone()));
        let new_pair = pairs.insert((record.sender.clone(), record.body_hash.clone()));
        if new_id && new_pair {
            first.push(index);
        } else {
            repeats.push(index);
        }
    }
    let records: Vec<&InboundRecord> = first.iter().map(|&i| &batch[i].0).collect();
    let result = async {
        let client = pool.get().await?;
        db::sms::insert_inbound(&client, &records).await
    }
    .await;
    let mut verdicts: Vec<Option<anyhow::Result<bool>>> = (0..batch.len()).map(|_| None).collect();
    match result {
        Ok(inserted) => {
            for &i in &first {
                let record = &batch[i].0;
                let key = (record.sender.clone(), record.body_hash.clone());
                verdicts[i] = Some(Ok(inserted.contains(&key)));
            }
            for &i in &repeats {
                verdicts[i] = Some(Ok(false));
            }
        }
        Err(error) => {
            let message = crate::error::redacted_chain(&error);
            for verdict in verdicts.iter_mut() {
                *verdict = Some(Err(anyhow::anyhow!("{message}")));
            }
        }
    }
    for ((_, reply), verdict) in batch.into_iter().zip(verdicts) {
        if let Some(verdict) = verdict {
            let _ = reply.send(verdict);
        }
    }
}
