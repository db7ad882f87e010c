//! With `database.read_url` set, lookups that miss the cache read the replica; the primary keeps
//! the writes (deploy/scaling.md). A second database stands in for the replica: it starts as a copy
//! of the primary, then the two are made to differ so the answers show which one was read.

use crate::helpers::{spawn_app_with, TestDatabase};
use secrecy::SecretString;

#[tokio::test]
async fn cache_misses_read_the_replica_named_by_read_url() {
    let replica = TestDatabase::create().await;
    let replica_url = replica.url.clone();
    let app = spawn_app_with(move |settings| {
        settings.cache.enabled = false;
        settings.database.read_url = Some(SecretString::from(replica_url));
    })
    .await;
    let gone = app.known(4).await;
    let kept = app.known(6).await;
    replica
        .client()
        .await
        .execute("DELETE FROM dossiers WHERE code = $1", &[&gone.code])
        .await
        .expect("delete from the replica");

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", kept.code))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["code"], kept.code.as_str());

    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", gone.code))
        .await;
    assert_eq!(status, 404, "the replica no longer has it: {body}");
    let on_primary: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM dossiers WHERE code = $1",
            &[&gone.code],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(on_primary, 1, "the primary was not touched");
}
