//! Facts about this installation kept across restarts (`installation` table).

use deadpool_postgres::GenericClient;

const FIND_FACT: &str = "SELECT value FROM installation WHERE key = $1";

/// The value stored under `key`, if any.
pub async fn find_fact(client: &impl GenericClient, key: &str) -> anyhow::Result<Option<String>> {
    let statement = client.prepare_cached(FIND_FACT).await?;
    Ok(client
        .query_opt(&statement, &[&key])
        .await?
        .map(|r| r.get(0)))
}

const UPSERT_FACT: &str = "INSERT INTO installation (key, value) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()";

/// Stores `value` under `key`.
pub async fn upsert_fact(
    client: &impl GenericClient,
    key: &str,
    value: &str,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(UPSERT_FACT).await?;
    client.execute(&statement, &[&key, &value]).await?;
    Ok(())
}
