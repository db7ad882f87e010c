//! Records inbound messages after they are answered: requests drop their record into a queue and
//! return at once; one writer task takes whatever has piled up (up to `MAX_BATCH` records, at
//! most every `WRITE_INTERVAL`) and writes it with one binary `COPY` (`notify`'s
//! [`InboundWriter`]), the cheapest way PostgreSQL takes rows, while the next batch piles up. Duplicates were already recognised in memory (`limits::RecentKeys`), so the reply
//! waits for nothing in the database.
//!
//! The writer's connection starts with `synchronous_commit = off`: its commits do not wait for the
//! WAL flush. What can be lost, and why that is acceptable for these rows (lookups, help, error
//! replies; the commands that change state commit synchronously with their record in
//! `inbound::mutate`):
//! - a crash of PostgreSQL: the last fraction of a second of records;
//! - a crash of tracuu: the records still queued (at most one batch being written and what piled
//!   up behind it, a fraction of a second under load). A clean stop (SIGTERM) writes them all
//!   first (`Recorder::close`).
//! - the database down: the batch is kept and retried while the queue holds fewer than
//!   `MAX_HELD` records; beyond that the oldest are dropped and counted in the log.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use crate::config::DatabaseSettings;
use crate::notify::inbound::{InboundRecord, InboundWriter};

/// Most records written by one `COPY`.
const MAX_BATCH: usize = 4_096;

/// Most records held while the database cannot take them.
const MAX_HELD: usize = 100_000;

/// Least time between two writes: under load, records pile up meanwhile into one large `COPY`
/// (each statement costs PostgreSQL far more than a row).
const WRITE_INTERVAL: Duration = Duration::from_millis(50);

/// Wait before retrying a failed write.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Hands inbound records to the writer task.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::UnboundedSender<InboundRecord>,
    writer: Arc<Mutex<Option<Writer>>>,
}

/// The running writer: how to tell it to finish, and the task to wait for.
struct Writer {
    stop: mpsc::UnboundedSender<()>,
    task: JoinHandle<()>,
}

impl Recorder {
    /// Starts the writer (on the current runtime) for the database at `connection`.
    pub fn start(connection: &str, database: &DatabaseSettings) -> anyhow::Result<Self> {
        let writer = InboundWriter::new(connection, database)?;
        let (queue, records) = mpsc::unbounded_channel();
        let (stop, stopping) = mpsc::unbounded_channel();
        let task = tokio::spawn(write_until_closed(writer, records, stopping));
        Ok(Self {
            queue,
            writer: Arc::new(Mutex::new(Some(Writer { stop, task }))),
        })
    }

    /// Queues one record; never waits.
    pub fn record(&self, record: InboundRecord) {
        if self.queue.send(record).is_err() {
            tracing::warn!("an inbound SMS was not recorded: the recorder has stopped");
        }
    }

    /// Writes everything queued, then stops the writer. Later records are not written.
    pub async fn close(&self) {
        let Some(Writer { stop, task }) = self.writer.lock().await.take() else {
            return;
        };
        let _ = stop.send(());
        if let Err(error) = task.await {
            tracing::error!("the inbound SMS recorder failed: {error}");
        }
    }
}

async fn write_until_closed(
    writer: InboundWriter,
    mut records: mpsc::UnboundedReceiver<InboundRecord>,
    mut stopping: mpsc::UnboundedReceiver<()>,
) {
    let mut held: VecDeque<InboundRecord> = VecDeque::new();
    let mut closing = false;
    let mut last_write = tokio::time::Instant::now();
    loop {
        if held.is_empty() && !closing {
            tokio::select! {
                record = records.recv() => match record {
                    Some(record) => held.push_back(record),
                    None => closing = true,
                },
                _ = stopping.recv() => closing = true,
            }
        }
        if !closing && held.len() < MAX_BATCH {
            tokio::select! {
                () = tokio::time::sleep_until(last_write + WRITE_INTERVAL) => {}
                _ = stopping.recv() => closing = true,
            }
        }
        while let Ok(record) = records.try_recv() {
            held.push_back(record);
        }
        if held.is_empty() {
            if closing {
                return;
            }
            continue;
        }
        last_write = tokio::time::Instant::now();
        let count = held.len().min(MAX_BATCH);
        let batch: Vec<InboundRecord> = held.drain(..count).collect();
        if let Err(error) = writer.write(&batch).await {
            for record in batch.into_iter().rev() {
                held.push_front(record);
            }
            let excess = held.len().saturating_sub(MAX_HELD);
            held.drain(..excess);
            tracing::warn!(
                held = held.len(),
                dropped = excess,
                "inbound SMS records not written, retrying: {}",
                crate::error::redacted_chain(&error)
            );
            if closing {
                tracing::warn!("{} inbound SMS records not written at exit", held.len());
                return;
            }
            tokio::time::sleep(RETRY_AFTER).await;
        }
    }
}
