//! What citizens text in: the record of every inbound message with the reply it got. Answers
//! that change nothing are recorded after the reply, in batches ([`InboundWriter`], fed by the
//! SMS channel's recorder); a record is never what the reply waits for.

use deadpool_postgres::Pool;

use crate::config::DatabaseSettings;
use crate::db;

pub use crate::db::sms::InboundRecord;

/// Writes batches of inbound records over a connection of its own, whose commits do not wait for
/// the WAL flush (`synchronous_commit = off`): a crash of PostgreSQL may lose the last fraction of
/// a second of these records, which only say how lookups, help and error replies went.
pub struct InboundWriter {
    pool: Pool,
}

impl InboundWriter {
    /// A writer for the database at `connection`; its one connection opens when first needed.
    pub fn new(connection: &str, database: &DatabaseSettings) -> anyhow::Result<Self> {
        let settings = DatabaseSettings {
            pool_size: 1,
            ..database.clone()
        };
        let pool = db::build_pool_with(connection, &settings, |config| {
            let options = config
                .get_options()
                .map(|o| format!("{o} "))
                .unwrap_or_default();
            config.options(format!("{options}-c synchronous_commit=off"));
        })?;
        Ok(Self { pool })
    }

    /// Writes a batch with one binary `COPY`. When PostgreSQL refuses the `COPY` itself (a row
    /// breaking a constraint, which validation should make impossible), the rows are written one
    /// by one so only the bad ones are lost, rather than the batch being retried for ever;
    /// connection failures are returned, and the caller retries the batch.
    pub async fn write(&self, batch: &[InboundRecord]) -> anyhow::Result<()> {
        let client = self.pool.get().await?;
        let refused = match db::sms::copy_inbound(&client, batch).await {
            Ok(_) => return Ok(()),
            Err(error) if is_refusal(&error) => error,
            Err(error) => return Err(error),
        };
        let mut lost = 0;
        for record in batch {
            if let Err(error) = db::sms::insert_inbound(&client, record).await {
                if !is_refusal(&error) {
                    return Err(error);
                }
                lost += 1;
            }
        }
        tracing::error!(
            lost,
            "{lost} inbound SMS records refused by the database: {}",
            crate::error::redacted_chain(&refused)
        );
        Ok(())
    }
}

/// An error PostgreSQL reported about the statement (not a lost connection).
fn is_refusal(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|link| link.downcast_ref::<tokio_postgres::Error>())
        .any(|e| e.as_db_error().is_some())
}
