//! Unattended runs through the binary when things go wrong: many failure kinds at once, signals,
//! the deadline, a database that disappears mid-run.

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use crate::support::fake::{error_body, synthetic_items};
use crate::support::{
    command, count, finish, signal, trendtap, wait_until, FakeYouTube, TestDb, KEY,
};

fn env<'a>(api: &'a str, db: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("YOUTUBE_API_KEY", KEY),
        ("YOUTUBE_API_BASE_URL", api),
        ("DATABASE_URL", db),
    ]
}

fn slow(region: &str, delay: Duration) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"items": synthetic_items(region, 5)}))
        .set_delay(delay)
}

#[tokio::test(flavor = "multi_thread")]
async fn regions_failing_in_different_ways_store_every_region_that_could_succeed() {
    let api = FakeYouTube::start().await;
    // AE: 429 then success. JP: fine. US: 503 forever. GB: times out. CA: truncated body.
    // MX: an HTML error page from a proxy.
    api.first_page(
        "AE",
        "0",
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        Some(1),
    )
    .await;
    api.chart("AE", "0", &synthetic_items("ae", 60)).await;
    api.chart("JP", "0", &synthetic_items("jp", 20)).await;
    api.first_page(
        "US",
        "0",
        error_body(503, "backendError", "Backend Error"),
        None,
    )
    .await;
    api.first_page("GB", "0", slow("gb", Duration::from_secs(10)), None)
        .await;
    api.first_page(
        "CA",
        "0",
        ResponseTemplate::new(200).set_body_raw(
            r#"{"kind":"youtube#videoListResponse","items":[{"id":"abc","sni"#,
            "application/json",
        ),
        None,
    )
    .await;
    api.first_page(
        "MX",
        "0",
        ResponseTemplate::new(502).set_body_raw(
            "<html><head><title>502 Bad Gateway</title></head></html>",
            "text/html",
        ),
        None,
    )
    .await;
    let db = TestDb::new().await;
    let url = api.url();
    let out = trendtap(
        &[
            "fetch",
            "--region",
            "AE,JP,US,GB,CA,MX",
            "--timeout",
            "1",
            "--max-attempts",
            "2",
        ],
        &env(&url, &db.url),
    )
    .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.assert_no_secret();

    let pool = db.pool().await;
    assert_eq!(
        count(&pool, "chart_entries").await,
        80,
        "AE (after a retry) and JP are stored"
    );
    let (status, charts, requests): (String, Value, i32) =
        sqlx::query_as("SELECT status, charts, api_requests FROM runs")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "partial");
    let chart = |r: &str| {
        charts
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["region"] == r)
            .unwrap()
            .clone()
    };
    assert_eq!(chart("AE")["status"], "ok");
    assert_eq!(chart("AE")["requests"], 3, "one 429, then two pages");
    assert_eq!(chart("JP")["status"], "ok");
    for (region, cause) in [
        ("US", "HTTP 503"),
        ("GB", "timeout"),
        ("CA", "EOF while parsing"),
        ("MX", "HTTP 502"),
    ] {
        let c = chart(region);
        assert_eq!(c["status"], "failed", "{region}");
        let error = c["error"].as_str().unwrap();
        assert!(error.contains(cause), "{region}: {error}");
        assert!(!error.contains(KEY));
    }
    assert_eq!(
        chart("US")["requests"],
        2,
        "503 is retried up to --max-attempts"
    );
    assert_eq!(chart("CA")["requests"], 1, "a broken body is not retried");
    assert_eq!(requests, 3 + 1 + 2 + 2 + 1 + 2);
    let leaked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM runs WHERE runs::text LIKE '%' || $1 || '%'")
            .bind(KEY)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(leaked, 0);
}

async fn interrupted_run(sig: &str, expected_code: i32, halt: &str) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 7)).await;
    api.first_page("US", "0", slow("us", Duration::from_secs(30)), None)
        .await;
    let db = TestDb::new().await;
    let url = api.url();
    let child = command(&["fetch", "--region", "AE,US"], &env(&url, &db.url))
        .spawn()
        .unwrap();
    // Once US is in flight (and AE, asked first, is complete), stop the run.
    wait_until("US is requested", || async {
        api.requests_for("US").await > 0
    })
    .await;
    wait_until("AE is answered", || async {
        api.requests_for("AE").await > 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    signal(&child, sig);
    let out = finish(child).await;
    assert_eq!(out.code, expected_code, "{}", out.stderr);
    let pool = db.pool().await;
    assert_eq!(
        count(&pool, "chart_entries").await,
        7,
        "the complete chart is stored"
    );
    let (status, reason, charts): (String, Option<String>, Value) =
        sqlx::query_as("SELECT status, halt_reason, charts FROM runs")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "interrupted");
    assert_eq!(reason.as_deref(), Some(halt));
    assert_eq!(charts[1]["status"], "incomplete");
    assert_eq!(
        api.requests_for("US").await,
        1,
        "no new request after the signal"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stores_complete_charts_and_exits_143() {
    interrupted_run("TERM", 143, "sigterm").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stores_complete_charts_and_exits_130() {
    interrupted_run("INT", 130, "sigint").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_exits_at_once_without_storing() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 7)).await;
    api.first_page("US", "0", slow("us", Duration::from_secs(30)), None)
        .await;
    let db = TestDb::new().await;
    let url = api.url();
    let pool = db.pool().await;
    let child = command(&["fetch", "--region", "AE,US"], &env(&url, &db.url))
        .spawn()
        .unwrap();
    wait_until("US is requested", || async {
        api.requests_for("US").await > 0
    })
    .await;

    // Hold the run's row so that storing blocks after the first signal.
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("SELECT * FROM runs FOR UPDATE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    signal(&child, "INT");
    wait_until("the store waits for the row lock", || async {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        waiting > 0
    })
    .await;
    signal(&child, "INT");
    let out = finish(child).await;
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(out.stderr.contains("exiting at once"), "{}", out.stderr);
    blocker.rollback().await.unwrap();
    assert_eq!(
        count(&pool, "chart_entries").await,
        0,
        "nothing stored after the second signal"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deadline_stores_complete_charts_and_exits_1() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 4)).await;
    api.first_page("US", "0", slow("us", Duration::from_secs(30)), None)
        .await;
    let db = TestDb::new().await;
    let url = api.url();
    let out = trendtap(
        &["fetch", "--region", "AE,US", "--deadline", "1"],
        &env(&url, &db.url),
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("deadline"), "{}", out.stderr);
    let pool = db.pool().await;
    assert_eq!(count(&pool, "chart_entries").await, 4);
    let (status, reason): (String, Option<String>) =
        sqlx::query_as("SELECT status, halt_reason FROM runs")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("interrupted", Some("deadline"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_that_disappears_mid_run_exits_1_without_partial_data() {
    let api = FakeYouTube::start().await;
    api.first_page("AE", "0", slow("ae", Duration::from_millis(1500)), None)
        .await;
    let db = TestDb::new().await;
    let url = api.url();
    let child = command(&["fetch", "--region", "AE"], &env(&url, &db.url))
        .spawn()
        .unwrap();
    wait_until("AE is requested", || async {
        api.requests_for("AE").await > 0
    })
    .await;
    // Stop the database under the run: every session is killed and the database is gone.
    let mut admin =
        <sqlx::PgConnection as sqlx::Connection>::connect(&crate::support::db::admin_url())
            .await
            .unwrap();
    let name = db.url.rsplit('/').next().unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    let out = finish(child).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("database"), "{}", out.stderr);
    out.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_lock_waits_for_the_running_run() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 3)).await;
    let db = TestDb::new().await;
    let url = api.url();
    let holder = crate::support::hold_lock(&db.url).await;
    let child = command(
        &["fetch", "--region", "AE", "--wait-lock", "30"],
        &env(&url, &db.url),
    )
    .spawn()
    .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        api.requests().await.len(),
        0,
        "it waits without spending quota"
    );
    drop(holder);
    let out = finish(child).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(count(&db.pool().await, "chart_entries").await, 3);
}
