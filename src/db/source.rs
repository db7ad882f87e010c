//! The pull source (docs/channels/sync.md): a PostgreSQL of the main dossier store, read through the
//! installation's own query (`TRACUU_SYNC__PULL__QUERY_FILE`, example in deploy/pull/). Its SQL
//! comes from configuration, so this module does not know the columns: it reports the query's
//! shape for the caller to check, and turns each row into the JSON object a push would have
//! carried, leaving the mapping and validation to the shared snapshot code.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use deadpool_postgres::GenericClient;
use serde_json::{Map, Value};
use tokio_postgres::types::Type;
use tokio_postgres::Row;

use crate::config::DatabaseSettings;

/// The column every pull query returns besides the snapshot fields: where to resume after the row.
pub const WATERMARK_COLUMN: &str = "watermark";

/// What a source column holds, as far as the snapshot fields care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    /// `timestamptz`: an instant. (A `timestamp` without time zone is `Other`: its zone is a guess.)
    Time,
    Json,
    /// Anything else, by PostgreSQL type name; the query must cast it.
    Other(String),
}

impl ColumnKind {
    fn of(ty: &Type) -> Self {
        match *ty {
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => Self::Text,
            Type::INT2 | Type::INT4 | Type::INT8 => Self::Integer,
            Type::TIMESTAMPTZ => Self::Time,
            Type::JSON | Type::JSONB => Self::Json,
            _ => Self::Other(ty.name().to_owned()),
        }
    }
}

/// One row of the pull query.
#[derive(Debug, Clone)]
pub struct SourceRow {
    /// Every column but the watermark; a NULL column is left out, as if a push had omitted it.
    pub fields: Map<String, Value>,
    /// Where to resume once this row is applied.
    pub watermark: String,
}

impl TryFrom<&Row> for SourceRow {
    type Error = anyhow::Error;

    fn try_from(row: &Row) -> anyhow::Result<Self> {
        let mut fields = Map::new();
        let mut watermark = None;
        for (index, column) in row.columns().iter().enumerate() {
            let name = column.name();
            if name == WATERMARK_COLUMN {
                watermark = row.try_get::<_, Option<String>>(index)?;
                continue;
            }
            let value = match ColumnKind::of(column.type_()) {
                ColumnKind::Text => row.try_get::<_, Option<String>>(index)?.map(Value::from),
                ColumnKind::Integer => match *column.type_() {
                    Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(Value::from),
                    Type::INT4 => row.try_get::<_, Option<i32>>(index)?.map(Value::from),
                    _ => row.try_get::<_, Option<i64>>(index)?.map(Value::from),
                },
                ColumnKind::Time => row
                    .try_get::<_, Option<DateTime<Utc>>>(index)?
                    .map(|at| Value::from(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))),
                ColumnKind::Json => row.try_get::<_, Option<Value>>(index)?,
                ColumnKind::Other(ty) => {
                    anyhow::bail!(
                        "column {name} of the pull query has type {ty}, which tracuu cannot read"
                    )
                }
            };
            if let Some(value) = value {
                fields.insert(name.to_owned(), value);
            }
        }
        let watermark = watermark.with_context(|| {
            format!("a row of the pull query has no {WATERMARK_COLUMN}; every row needs one")
        })?;
        Ok(Self { fields, watermark })
    }
}

/// Opens one read-only connection to the source (a pooled object, so the `db` functions accept
/// it). Nothing tracuu runs there can change the source.
pub async fn connect_source(
    url: &str,
    connect_timeout: Duration,
) -> anyhow::Result<deadpool_postgres::Object> {
    let settings = DatabaseSettings {
        pool_size: 1,
        connect_timeout_secs: connect_timeout.as_secs().max(1),
        ..DatabaseSettings::default()
    };
    let pool = super::build_pool(url, &settings).context("invalid pull source URL")?;
    let client = pool
        .get()
        .await
        .context("cannot connect to the pull source")?;
    client
        .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        .await
        .context("cannot make the pull source session read-only")?;
    Ok(client)
}

/// The parameter types of every pull query: the watermark and the batch size.
const PARAMETERS: [Type; 2] = [Type::TEXT, Type::INT8];

/// The columns of `query` (name and kind), in order, without running it.
pub async fn describe_query(
    client: &impl GenericClient,
    query: &str,
) -> anyhow::Result<Vec<(String, ColumnKind)>> {
    let statement = client.prepare_typed_cached(query, &PARAMETERS).await?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), ColumnKind::of(c.type_())))
        .collect())
}

/// Runs the pull `query`: up to `limit` rows after `watermark`, in watermark order.
pub async fn list_changes(
    client: &impl GenericClient,
    query: &str,
    watermark: &str,
    limit: i64,
) -> anyhow::Result<Vec<SourceRow>> {
    let statement = client.prepare_typed_cached(query, &PARAMETERS).await?;
    let rows = client.query(&statement, &[&watermark, &limit]).await?;
    rows.iter().map(SourceRow::try_from).collect()
}
