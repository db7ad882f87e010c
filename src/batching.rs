//! Group work that arrives together: callers drop jobs into a queue; one task per queue takes
//! whatever has piled up (up to a maximum) as one batch, and keeps a bounded number of batches in
//! flight. While every slot is busy, new jobs wait in the queue and form the next, larger batch,
//! so under load a batch grows to match what the slow resource (PostgreSQL) can absorb.
//! Used by the lookup service's reader (cache misses, one SELECT per batch).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};

/// Starts the batching task on the current runtime and returns its queue. `handle` runs once per
/// batch, at most `in_flight` at a time. The task ends when every sender is dropped.
pub fn start<J, F, Fut>(
    max_batch: usize,
    in_flight: usize,
    mut handle: F,
) -> mpsc::UnboundedSender<J>
where
    J: Send + 'static,
    F: FnMut(Vec<J>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (queue, mut receiver) = mpsc::unbounded_channel::<J>();
    let slots = Arc::new(Semaphore::new(in_flight.max(1)));
    tokio::spawn(async move {
        loop {
            // A free slot first: meanwhile jobs pile up into the next batch.
            let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
                return;
            };
            let mut batch = Vec::new();
            match receiver.recv().await {
                Some(job) => batch.push(job),
                None => return,
            }
            while batch.len() < max_batch {
                match receiver.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let work = handle(batch);
            tokio::spawn(async move {
                work.await;
                drop(slot);
            });
        }
    });
    queue
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::oneshot;

    #[tokio::test]
    async fn jobs_queued_while_the_slots_are_busy_form_one_batch() {
        let sizes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (release, gate) = oneshot::channel::<()>();
        let gate = Arc::new(tokio::sync::Mutex::new(Some(gate)));
        let done = Arc::new(AtomicUsize::new(0));
        let queue = {
            let (sizes, gate, done) = (Arc::clone(&sizes), Arc::clone(&gate), Arc::clone(&done));
            start(100, 1, move |batch: Vec<u32>| {
                let (sizes, gate, done) =
                    (Arc::clone(&sizes), Arc::clone(&gate), Arc::clone(&done));
                async move {
                    sizes.lock().unwrap().push(batch.len());
                    // The first batch holds the only slot until released.
                    if let Some(gate) = gate.lock().await.take() {
                        let _ = gate.await;
                    }
                    done.fetch_add(batch.len(), Ordering::SeqCst);
                }
            })
        };
        queue.send(0).unwrap();
        while sizes.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        for job in 1..=10 {
            queue.send(job).unwrap();
        }
        release.send(()).unwrap();
        while done.load(Ordering::SeqCst) < 11 {
            tokio::task::yield_now().await;
        }
        assert_eq!(*sizes.lock().unwrap(), vec![1, 10]);
    }
}
