//! A store that fails mid-run stops the fetch (issue 18, item 2): a streamed write that fails,
//! or the connection holding the run lock dropped, and no new request starts within a second;
//! the run exits 1 saying so and stores nothing. With `--save-raw` the fetch goes on so that the
//! archive is complete, and the message says how to store it later with `--from-raw`.

use std::time::Duration;

use crate::both;
use crate::support::both::Stderr;
use crate::support::sweep::{regions, SweepApi, SweepShape};
use crate::support::{finish, temp_dir, wait_until, CliStore, Kind, KEY};

both!(
    a_write_that_fails_mid_run_stops_the_fetch,
    with_save_raw_a_failing_store_lets_the_archive_complete_for_from_raw_later,
);

/// 30 charts of 200 videos: the first streamed batch of entries (256 KiB) is written after
/// about 9 (SQLite) to 14 (PostgreSQL) of them, well before the end.
const CHARTS: usize = 30;
const SHAPE: SweepShape = SweepShape {
    pages: 4,
    latency_ms: (15, 25),
    videos: 50,
    faults_per_mille: 0,
    seed: 18,
};

fn env(api: &str) -> Vec<(&str, &str)> {
    vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)]
}

/// Makes every insert into `chart_entries` fail, as a full disk would.
async fn break_chart_entries(db: &CliStore) {
    db.open().await;
    match db.kind {
        Kind::Postgres => {
            db.execute(
                "CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS
                   $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device (simulated)'; END $$;
                 CREATE TRIGGER fail_insert BEFORE INSERT ON chart_entries
                   FOR EACH ROW EXECUTE FUNCTION fail_insert();",
            )
            .await
        }
        Kind::Sqlite => {
            db.execute(
                "CREATE TRIGGER fail_insert BEFORE INSERT ON chart_entries
                   BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END;",
            )
            .await
        }
    }
}

async fn mend_chart_entries(db: &CliStore) {
    let sql = match db.kind {
        Kind::Postgres => "DROP TRIGGER fail_insert ON chart_entries",
        Kind::Sqlite => "DROP TRIGGER fail_insert",
    };
    db.execute(sql).await;
}

async fn a_write_that_fails_mid_run_stops_the_fetch(kind: Kind) {
    // 111 one-page charts, completing in turn: the first batch is written after about 35
    // (SQLite) to 55 (PostgreSQL) of them, and fails.
    let api = SweepApi::start(SweepShape {
        pages: 1,
        latency_ms: (50, 70),
        ..SHAPE
    })
    .await;
    let db = CliStore::new(kind).await;
    break_chart_entries(&db).await;
    let url = api.url();
    let mut child = db
        .command(
            &["fetch", "--region", &regions(111), "--concurrency", "2"],
            &env(&url),
        )
        .spawn()
        .unwrap();
    let stderr = Stderr::watch(&mut child);
    wait_until("the write fails", || async {
        stderr.contains("the store failed mid-run")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_a_second = api.requests();
    let out = stderr.finish(child).await;
    assert_eq!(
        api.requests(),
        after_a_second,
        "a request started more than a second after the failure:\n{}",
        out.stderr
    );
    assert!(after_a_second < 90, "{after_a_second} of 111 requests");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("(simulated)"), "{}", out.stderr);
    for table in ["chart_entries", "videos", "video_regions"] {
        assert_eq!(db.count(table).await, 0, "{table}");
    }
    let status = db.text("SELECT status FROM runs").await;
    assert_eq!(status.as_deref(), Some("failed"));
    let halt = db.text("SELECT halt_reason FROM runs").await;
    assert_eq!(halt.as_deref(), Some("store_failed"));
}

async fn with_save_raw_a_failing_store_lets_the_archive_complete_for_from_raw_later(kind: Kind) {
    let api = SweepApi::start(SHAPE).await;
    let db = CliStore::new(kind).await;
    break_chart_entries(&db).await;
    let (url, archive) = (api.url(), temp_dir("archive"));
    let root = archive.to_str().unwrap();
    let out = db
        .run(
            &[
                "fetch",
                "--region",
                &regions(CHARTS),
                "--concurrency",
                "2",
                "--save-raw",
                root,
            ],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        api.requests(),
        (CHARTS * SHAPE.pages) as u64,
        "every chart was fetched"
    );
    let hint = format!("trendtap fetch --from-raw {root}");
    assert!(out.stderr.contains(&hint), "{}", out.stderr);
    assert_eq!(db.count("chart_entries").await, 0);

    // The store mended, the archive is stored as the hint says.
    mend_chart_entries(&db).await;
    let out = db.run(&["fetch", "--from-raw", root], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(db.count("chart_entries").await, (CHARTS * 200) as i64);
    let _ = std::fs::remove_dir_all(&archive);
}

#[tokio::test(flavor = "multi_thread")]
async fn losing_the_run_lock_mid_run_stops_the_fetch_within_a_second() {
    let api = SweepApi::start(SweepShape {
        pages: 4,
        latency_ms: (150, 150),
        videos: 50,
        faults_per_mille: 0,
        seed: 1,
    })
    .await;
    let db = CliStore::new(Kind::Postgres).await;
    let url = api.url();
    let child = db
        .command(
            &["fetch", "--region", &regions(10), "--concurrency", "1"],
            &env(&url),
        )
        .spawn()
        .unwrap();
    wait_until("three requests are answered", || async {
        api.requests() >= 3
    })
    .await;

    // The session holding the advisory lock is terminated, as by an administrator or a
    // restart of the server: the lock is gone.
    let admin = sqlx::PgPool::connect(&db.url).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert_eq!(killed, [true], "one session held the lock");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_a_second = api.requests();
    let out = finish(child).await;
    assert_eq!(
        api.requests(),
        after_a_second,
        "a request started more than a second after the lock was lost:\n{}",
        out.stderr
    );
    assert!(after_a_second < 40, "{after_a_second}");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("run lock was lost"), "{}", out.stderr);
    assert_eq!(db.count("chart_entries").await, 0, "nothing is committed");
    let status = db.text("SELECT status FROM runs").await;
    assert_eq!(status.as_deref(), Some("failed"));
}
