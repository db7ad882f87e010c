//! TEMPORARY placeholder until the generator lands.
use chrono::{DateTime, Utc};
pub struct DemoOptions {
    pub dossiers: usize,
    pub seed: u64,
    pub until: DateTime<Utc>,
}
pub struct DemoSummary {
    pub agencies: usize,
    pub procedures: usize,
    pub dossiers: usize,
    pub events: usize,
}
pub struct ShowcaseRow {
    pub code: String,
    pub lookup_number: i64,
    pub status: i16,
    pub phone_last4: String,
    pub note: String,
}
pub async fn load(
    _c: &mut tokio_postgres::Client,
    _o: &DemoOptions,
    _d: &(dyn Fn(DateTime<Utc>, u32) -> DateTime<Utc> + Sync),
) -> anyhow::Result<DemoSummary> {
    anyhow::bail!("todo")
}
pub async fn showcase(_c: &deadpool_postgres::Object) -> anyhow::Result<Vec<ShowcaseRow>> {
    anyhow::bail!("todo")
}
