use crate::helpers::spawn_app;

#[tokio::test]
async fn liveness_and_readiness_report_a_healthy_service() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("alive")));

    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"]["reachable"], true);
    assert!(
        body["cache"]["entries"].as_u64().is_some_and(|n| n >= 300),
        "warmed: {body}"
    );
}

#[tokio::test]
async fn metrics_count_requests_cache_use_and_pool_state() {
    let app = spawn_app().await;
    let known = app.known(4).await;
    app.get(&format!("/api/v1/dossiers/{}", known.code)).await;
    app.get("/api/v1/dossiers/000.00.99.H48-200101-0001").await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.expect("metrics");
    assert!(text.contains("tracuu_http_requests_total{method=\"GET\",route=\"/api/v1/dossiers/{code}\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("tracuu_http_requests_total{method=\"GET\",route=\"/api/v1/dossiers/{code}\",status=\"404\"} 1"));
    assert!(text.contains("tracuu_http_request_duration_seconds_bucket"));
    assert!(text.contains("tracuu_lookup_cache_hits_total 1"));
    assert!(text.contains("tracuu_lookup_cache_misses_total 1"));
    assert!(text.contains("tracuu_database_up 1"));
    assert!(text.contains("tracuu_db_pool_connections"));
    assert!(text.contains("tracuu_lookup_cache_entries"));
    // The build and the process, under the names every exporter uses.
    let build = format!(
        "tracuu_build_info{{commit=\"{}\",version=\"{}\"}} 1",
        env!("BUILD_COMMIT"),
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.contains(&build), "{build} in {text}");
    for name in [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "process_start_time_seconds",
    ] {
        let value = text
            .lines()
            .find_map(|line| {
                line.strip_prefix(name)?
                    .strip_prefix(' ')?
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{name} in {text}"));
        assert!(
            value > 0.0 || name == "process_cpu_seconds_total",
            "{name} = {value}"
        );
    }
}
