//! Cache misses that arrive together are read together: each request hands its code to the
//! reader of its own worker thread and waits for its row; the reader sends every code that queued
//! up meanwhile as one `WHERE code = ANY($1)` query. At 64 concurrent lookups that is one
//! statement for a dozen or more dossiers instead of one each, and PostgreSQL's per-statement
//! cost is most of the cost of a primary-key read. A reader keeps at most two queries in flight;
//! while both are out, codes pile up into the next batch.
//!
//! Each thread's reader reads through a connection of its own, opened on that thread: the
//! connection's I/O is then driven by the same runtime as the requests waiting for it, so a
//! batch's answer wakes no other thread. (Through connections shared by every thread, each
//! answer crossed threads twice, and the context switches cost more CPU than PostgreSQL's read.)

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use deadpool::managed::Manager as _;
use deadpool_postgres::{ClientWrapper, Pool};
use tokio::sync::{mpsc, oneshot};

use crate::db;
use crate::db::dossiers::StoredViewRow;

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
    /// Where each reader opens its connection (the primary's pool, or a replica's).
    pool: Pool,
}

impl ReadBatcher {
    /// Reads through connections opened like those of `pool` (one per reading thread).
    pub fn new(pool: Pool) -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            pool,
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
        let connection = Arc::new(OwnConnection {
            pool: self.pool.clone(),
            client: tokio::sync::Mutex::new(None),
        });
        crate::batching::start(MAX_BATCH, IN_FLIGHT, move |batch| {
            let connection = Arc::clone(&connection);
            async move { read(&connection, batch).await }
        })
    }
}

/// One reader's connection, outside the pool's count: opened on first use on the reader's
/// thread, and again after it breaks (server restart, network failure).
struct OwnConnection {
    pool: Pool,
    client: tokio::sync::Mutex<Option<Arc<ClientWrapper>>>,
}

impl OwnConnection {
    /// The live connection, opening one when there is none. Its driver task is spawned on the
    /// current runtime: the reader's thread.
    async fn get(&self) -> Result<Arc<ClientWrapper>, tokio_postgres::Error> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Arc::clone(client));
        }
        *slot = None;
        let client = Arc::new(self.pool.manager().create().await?);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }
}

async fn read(connection: &OwnConnection, batch: Vec<Job>) {
    let mut waiting: HashMap<String, Vec<Reply>> = HashMap::with_capacity(batch.len());
    for (code, reply) in batch {
        waiting.entry(code).or_default().push(reply);
    }
    let codes: Vec<&str> = waiting.keys().map(String::as_str).collect();
    let rows = match connection.get().await {
        Ok(client) => db::dossiers::list_stored_views(&client, &codes)
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
