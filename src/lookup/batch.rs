//! Cache misses that arrive together are read together: each request hands its code to the
//! reader of its own worker thread and waits for its row; the reader sends every code that queued
//! up meanwhile as one `WHERE code = ANY($1)` query. At 64 concurrent lookups that is one
//! statement for a dozen or more dossiers instead of one each, and PostgreSQL's per-statement
//! cost is most of the cost of a primary-key read. A reader keeps at most two queries in flight;
//! while both are out, codes pile up into the next batch.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::db;
use crate::db::dossiers::StoredViewRow;
use crate::db::shared::SharedClients;

/// Most codes in one query.
const MAX_BATCH: usize = 256;

/// Queries of one reader in flight at once.
const IN_FLIGHT: usize = 2;

/// Why a read failed. Cloned to every request of the batch, so it carries text, not the error.
#[derive(Debug, Clone)]
pub struct ReadFailure {
    /// The connection to the database was lost (or could not be had): the database is down.
    pub lost: bool,
    pub message: String,
}

type Reply = oneshot::Sender<Result<Option<StoredViewRow>, ReadFailure>>;
type Job = (String, Reply);

thread_local! {
    /// This thread's reader per batcher: a request's code and its answer never leave the thread.
    static READERS: RefCell<HashMap<u64, mpsc::UnboundedSender<Job>>> =
        RefCell::new(HashMap::new());
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Reads stored views of single dossiers, batching concurrent callers.
pub struct ReadBatcher {
    id: u64,
    reads: Arc<SharedClients>,
}

impl ReadBatcher {
    /// Reads through `reads`.
    pub fn new(reads: Arc<SharedClients>) -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            reads,
        }
    }

    /// The dossier with this code and its stored views.
    pub async fn find(&self, code: &str) -> Result<Option<StoredViewRow>, ReadFailure> {
        let (reply, answer) = oneshot::channel();
        let queue = READERS.with(|readers| {
            let mut readers = readers.borrow_mut();
            match readers.get(&self.id) {
                Some(queue) if !queue.is_closed() => queue.clone(),
                _ => {
                    let queue = self.start();
                    readers.insert(self.id, queue.clone());
                    queue
                }
            }
        });
        let stopped = || ReadFailure {
            lost: false,
            message: "the dossier reader stopped".into(),
        };
        queue
            .send((code.to_owned(), reply))
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Starts a reader on the current thread's runtime.
    fn start(&self) -> mpsc::UnboundedSender<Job> {
        let reads = Arc::clone(&self.reads);
        crate::batching::start(MAX_BATCH, IN_FLIGHT, move |batch| {
            let reads = Arc::clone(&reads);
            async move { read(&reads, batch).await }
        })
    }
}

async fn read(reads: &SharedClients, batch: Vec<Job>) {
    let mut waiting: HashMap<String, Vec<Reply>> = HashMap::with_capacity(batch.len());
    for (code, reply) in batch {
        waiting.entry(code).or_default().push(reply);
    }
    let codes: Vec<&str> = waiting.keys().map(String::as_str).collect();
    let rows = match reads.get().await {
        Ok(client) => db::dossiers::list_stored_views(&*client, &codes)
            .await
            .map_err(|error| ReadFailure {
                lost: super::connection_lost(&error),
                message: crate::error::redacted_chain(&error),
            }),
        Err(error) => Err(ReadFailure {
            lost: true,
            message: error.to_string(),
        }),
    };
    let mut rows: HashMap<String, StoredViewRow> = match rows {
        Ok(rows) => rows
            .into_iter()
            .map(|row| (row.code.clone(), row))
            .collect(),
        Err(failure) => {
            for reply in waiting.into_values().flatten() {
                let _ = reply.send(Err(failure.clone()));
            }
            return;
        }
    };
    for (code, mut replies) in waiting {
        let row = rows.remove(&code);
        let last = replies.pop();
        for reply in replies {
            let _ = reply.send(Ok(row.clone()));
        }
        if let Some(reply) = last {
            let _ = reply.send(Ok(row));
        }
    }
}
