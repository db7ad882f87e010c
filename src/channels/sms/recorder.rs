//! Records inbound messages in batches (group commit): each request hands its record to a
//! writer task and waits for the verdict, new or duplicate. Concurrent requests share one
//! `INSERT ... SELECT FROM unnest(...)`, so recording every message costs a fraction of a
//! statement each. A repeated Kannel id is recognised by the database (unique), so across
//! instances too.
//!
//! These commits do not wait for the WAL flush (`synchronous_commit = off` for the transaction):
//! a crash of PostgreSQL can lose the last fraction of a second of records of messages that were
//! already answered, and a Kannel retry of one of those would be answered again. That is harmless
//! for what is recorded here (lookups, help, error replies); commands that change state
//! (subscriptions, opt-outs, ratings) commit synchronously with their record in
//! `inbound::mutate`.

use std::collections::HashSet;
use std::sync::Arc;

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::db;
use crate::db::sms::InboundRecord;

/// Most records written by one statement.
const MAX_BATCH: usize = 1_024;
/// Writer tasks: some gather the next batches while others wait for the database.
const WRITERS: usize = 4;

type Job = (InboundRecord, oneshot::Sender<anyhow::Result<bool>>);

/// Handle to the writer tasks.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::Sender<Job>,
}

impl Recorder {
    /// Starts the writers on the current Tokio runtime.
    pub fn spawn(pool: Pool) -> Self {
        let (queue, receiver) = mpsc::channel::<Job>(8_192);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..WRITERS {
            let receiver = Arc::clone(&receiver);
            let pool = pool.clone();
            tokio::spawn(async move {
                loop {
                    let mut batch = Vec::new();
                    {
                        let mut receiver = receiver.lock().await;
                        match receiver.recv().await {
                            Some(job) => batch.push(job),
                            None => return,
                        }
                        while batch.len() < MAX_BATCH {
                            match receiver.try_recv() {
                                Ok(job) => batch.push(job),
                                Err(_) => break,
                            }
                        }
                    }
                    write(&pool, batch).await;
                }
            });
        }
        Self { queue }
    }

    /// Records one message; true when it is new, false when it is a duplicate.
    pub async fn record(&self, record: InboundRecord) -> anyhow::Result<bool> {
        let (reply, verdict) = oneshot::channel();
        self.queue
            .send((record, reply))
            .await
            .map_err(|_| anyhow::anyhow!("the inbound recorder has stopped"))?;
        verdict
            .await
            .map_err(|_| anyhow::anyhow!("the inbound recorder dropped a message"))?
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
        let mut client = pool.get().await?;
        let transaction = client.transaction().await?;
        db::sms::relax_commit(&transaction).await?;
        let inserted = db::sms::insert_inbound(&transaction, &records).await?;
        transaction.commit().await?;
        Ok::<_, anyhow::Error>(inserted)
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
