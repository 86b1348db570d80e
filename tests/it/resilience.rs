//! Unattended runs through the binary when things go wrong: many failure kinds at once, signals,
//! the deadline, a database that disappears mid-run. Every case runs on both backends
//! (`name::postgres`, `name::sqlite`).

use std::time::Duration;

use serde_json::json;
use wiremock::ResponseTemplate;

use crate::both;
use crate::support::both::Stderr;
use crate::support::fake::{error_body, synthetic_items};
use crate::support::{finish, signal, wait_until, CliStore, FakeYouTube, Kind, KEY};

both!(
    regions_failing_in_different_ways_store_every_region_that_could_succeed,
    sigterm_stores_complete_charts_and_exits_143,
    sigint_stores_complete_charts_and_exits_130,
    a_second_signal_exits_at_once_without_storing,
    the_deadline_stores_complete_charts_and_exits_1,
    a_database_that_disappears_mid_run_exits_1_without_partial_data,
    wait_lock_waits_for_the_running_run,
);

/// The API's settings; the store is given by [`CliStore`].
fn env(api: &str) -> Vec<(&str, &str)> {
    vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)]
}

fn slow(region: &str, delay: Duration) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"items": synthetic_items(region, 5)}))
        .set_delay(delay)
}

async fn regions_failing_in_different_ways_store_every_region_that_could_succeed(kind: Kind) {
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
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db
        .run(
            &[
                "fetch",
                "--region",
                "AE,JP,US,GB,CA,MX",
                "--timeout",
                "1",
                "--max-attempts",
                "2",
            ],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.assert_no_secret();

    assert_eq!(
        db.count("chart_entries").await,
        80,
        "AE (after a retry) and JP are stored"
    );
    let status = db.text("SELECT status FROM runs").await;
    let charts = db.run_json("charts").await;
    let requests = db.int("SELECT api_requests FROM runs").await.unwrap();
    assert_eq!(status.as_deref(), Some("partial"));
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
    assert_eq!(db.runs_with_the_key().await, 0);
}

async fn interrupted_run(kind: Kind, sig: &str, expected_code: i32, halt: &str) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 7)).await;
    api.first_page("US", "0", slow("us", Duration::from_secs(30)), None)
        .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let child = db
        .command(&["fetch", "--region", "AE,US"], &env(&url))
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
    assert_eq!(
        db.count("chart_entries").await,
        7,
        "the complete chart is stored"
    );
    let status = db.text("SELECT status FROM runs").await;
    let reason = db.text("SELECT halt_reason FROM runs").await;
    let charts = db.run_json("charts").await;
    assert_eq!(status.as_deref(), Some("interrupted"));
    assert_eq!(reason.as_deref(), Some(halt));
    assert_eq!(charts[1]["status"], "incomplete");
    assert_eq!(
        api.requests_for("US").await,
        1,
        "no new request after the signal"
    );
}

async fn sigterm_stores_complete_charts_and_exits_143(kind: Kind) {
    interrupted_run(kind, "TERM", 143, "sigterm").await;
}

async fn sigint_stores_complete_charts_and_exits_130(kind: Kind) {
    interrupted_run(kind, "INT", 130, "sigint").await;
}

/// Another session holding the store, so that the run's store blocks: PostgreSQL's lock on the
/// run's row, SQLite's write lock (`BEGIN IMMEDIATE`; the run's writer waits out its busy
/// timeout).
enum Blocker {
    Postgres(sqlx::PgPool, sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(sqlx::SqliteConnection),
}

impl Blocker {
    async fn hold(db: &CliStore) -> Self {
        use sqlx::Connection;
        match db.kind {
            Kind::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                let mut blocker = pool.begin().await.unwrap();
                sqlx::query("SELECT * FROM runs FOR UPDATE")
                    .execute(&mut *blocker)
                    .await
                    .unwrap();
                Blocker::Postgres(pool, blocker)
            }
            Kind::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Blocker::Sqlite(conn)
            }
        }
    }

    /// Waits until the run, stopped by a signal, is storing: PostgreSQL shows the store
    /// waiting for the row lock. SQLite shows no waiting writer; the run logs each chart it
    /// will not store just before it stores (and its store cannot finish while the write lock
    /// is held), so the second signal finds it at the store.
    async fn wait_for_the_store(&self, stderr: &Stderr) {
        match self {
            Blocker::Postgres(pool, _) => {
                wait_until("the store waits for the row lock", || async {
                    let waiting: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    )
                    .fetch_one(pool)
                    .await
                    .unwrap();
                    waiting > 0
                })
                .await;
            }
            Blocker::Sqlite(_) => {
                wait_until("the run reaches the store", || async {
                    stderr.contains("chart not stored")
                })
                .await;
                // Not needed for the outcome: lets the store reach the lock first.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    async fn release(self) {
        match self {
            Blocker::Postgres(_, blocker) => blocker.rollback().await.unwrap(),
            Blocker::Sqlite(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

async fn a_second_signal_exits_at_once_without_storing(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 7)).await;
    api.first_page("US", "0", slow("us", Duration::from_secs(30)), None)
        .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let mut child = db
        .command(&["fetch", "--region", "AE,US"], &env(&url))
        .spawn()
        .unwrap();
    let stderr = Stderr::watch(&mut child);
    wait_until("US is requested", || async {
        api.requests_for("US").await > 0
    })
    .await;

    // Hold the store so that storing blocks after the first signal.
    let blocker = Blocker::hold(&db).await;
    signal(&child, "INT");
    blocker.wait_for_the_store(&stderr).await;
    signal(&child, "INT");
    let out = stderr.finish(child).await;
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(out.stderr.contains("exiting at once"), "{}", out.stderr);
    blocker.release().await;
    assert_eq!(
        db.count("chart_entries").await,
        0,
        "nothing stored after the second signal"
    );
}

async fn the_deadline_stores_complete_charts_and_exits_1(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 4)).await;
    api.first_page("US", "0", slow("us", Duration::from_secs(30)), None)
        .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db
        .run(
            &["fetch", "--region", "AE,US", "--deadline", "1"],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("deadline"), "{}", out.stderr);
    assert_eq!(db.count("chart_entries").await, 4);
    let status = db.text("SELECT status FROM runs").await;
    let reason = db.text("SELECT halt_reason FROM runs").await;
    assert_eq!(
        (status.as_deref(), reason.as_deref()),
        (Some("interrupted"), Some("deadline"))
    );
}

/// PostgreSQL: the database is dropped under the run. A SQLite file cannot disappear under an
/// open connection (an unlinked file stays writable through its descriptor), so there the store
/// starts failing every write mid-run instead, and nothing of the run may be stored.
async fn a_database_that_disappears_mid_run_exits_1_without_partial_data(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.first_page("AE", "0", slow("ae", Duration::from_millis(1500)), None)
        .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let child = db
        .command(&["fetch", "--region", "AE"], &env(&url))
        .spawn()
        .unwrap();
    wait_until("AE is requested", || async {
        api.requests_for("AE").await > 0
    })
    .await;
    match kind {
        Kind::Postgres => {
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
        }
        Kind::Sqlite => {
            db.execute(
                "CREATE TRIGGER fail_insert BEFORE INSERT ON chart_entries
                   BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END;",
            )
            .await;
        }
    }
    let out = finish(child).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("database"), "{}", out.stderr);
    out.assert_no_secret();
    if kind == Kind::Sqlite {
        assert!(out.stderr.contains("simulated"), "{}", out.stderr);
        for table in ["chart_entries", "videos", "video_regions"] {
            assert_eq!(db.count(table).await, 0, "{table}");
        }
        let status = db.text("SELECT status FROM runs").await;
        assert_eq!(status.as_deref(), Some("failed"));
    }
}

async fn wait_lock_waits_for_the_running_run(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 3)).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    // PostgreSQL's advisory lock, SQLite's file lock on `trendtap.db.lock`.
    let holder = crate::support::hold_lock(&db.url).await;
    let child = db
        .command(
            &["fetch", "--region", "AE", "--wait-lock", "30"],
            &env(&url),
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
    assert_eq!(db.count("chart_entries").await, 3);
}
