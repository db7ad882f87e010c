//! Sabotage: a broken schema must give an opaque 500, never the database's own words.

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_broken_schema_gives_an_opaque_internal_error() {
    // Arrange: nothing cached, then the stored-views table disappears.
    let app = spawn_app_with(|s| s.cache.warm_on_start = false).await;
    let known = app.known(4).await;
    app.db
        .client()
        .await
        .batch_execute("DROP TABLE dossier_views")
        .await
        .expect("sabotage");

    // Act
    let (status, body) = app
        .get_json(&format!("/api/v1/dossiers/{}", known.code))
        .await;

    // Assert
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "internal");
    let text = body.to_string();
    assert!(
        !text.contains("dossier_views") && !text.contains("relation"),
        "{text}"
    );
    // The database itself is fine, so readiness does not claim an outage.
    let (status, ready) = app.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(ready["database"]["reachable"], true);
}
