//! Crashes lose nothing (issue 18, item 4): the built binary killed with SIGKILL at several
//! moments of a run, during the fetch (before and after entries were streamed into the run's
//! transaction) and in the middle of the final store, on both backends. Nothing of a killed run
//! is stored, the next run marks it `abandoned` and stores its own charts, and the quota each
//! killed run reserved stays counted in the ledger.

use std::time::Duration;

use serde_json::Value;

use crate::both;
use crate::support::sweep::{regions, SweepApi, SweepShape};
use crate::support::{trendtap, wait_until, CliStore, Kind, KEY};

both!(sigkill_at_any_moment_stores_nothing_of_the_killed_run);

/// 40 charts of 200 videos, 160 requests: long enough to be killed at chosen points.
const CHARTS: usize = 40;
const PAGES: usize = 4;

fn env(api: &str) -> Vec<(&str, &str)> {
    vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)]
}

fn kill(child: &tokio::process::Child) {
    crate::support::signal(child, "KILL");
}

/// Nothing of any run is in the data tables, and the newest run is still `running`.
async fn nothing_stored(db: &CliStore, when: &str) {
    for table in ["chart_entries", "videos", "video_regions"] {
        assert_eq!(db.count(table).await, 0, "{table} after a kill {when}");
    }
    let status = db
        .text("SELECT status FROM runs ORDER BY run_id DESC LIMIT 1")
        .await;
    assert_eq!(status.as_deref(), Some("running"), "{when}");
}

/// A statement-level trigger that holds the final store in the middle (after `chart_entries`
/// and `videos`, while `video_regions` is written): a sleep in PostgreSQL, a long computation
/// per row in SQLite.
async fn slow_down_the_store(db: &CliStore) {
    let sql = match db.kind {
        Kind::Postgres => {
            "CREATE FUNCTION slow_store() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
             CREATE TRIGGER slow_store AFTER INSERT ON video_regions
               FOR EACH STATEMENT EXECUTE FUNCTION slow_store();"
        }
        Kind::Sqlite => {
            "CREATE TRIGGER slow_store AFTER INSERT ON video_regions BEGIN
               SELECT count(*) FROM (WITH RECURSIVE c(x) AS
                 (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT x FROM c);
             END;"
        }
    };
    db.execute(sql).await;
}

async fn mend_the_store(db: &CliStore) {
    let sql = match db.kind {
        Kind::Postgres => "DROP TRIGGER slow_store ON video_regions",
        Kind::Sqlite => "DROP TRIGGER slow_store",
    };
    db.execute(sql).await;
}

/// Waits until the run is inside its final store.
async fn wait_for_the_store(db: &CliStore, api: &SweepApi, all: u64) {
    wait_until("every page is answered", || async { api.requests() >= all }).await;
    match db.kind {
        Kind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            wait_until("the store sleeps in its trigger", || async {
                let sleeping: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event = 'PgSleep'",
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                sleeping > 0
            })
            .await;
        }
        // SQLite shows no writer from outside: the merge and the first tables take well under
        // two seconds here, the trigger's rows many more.
        Kind::Sqlite => tokio::time::sleep(Duration::from_secs(2)).await,
    }
}

async fn sigkill_at_any_moment_stores_nothing_of_the_killed_run(kind: Kind) {
    let api = SweepApi::start(SweepShape {
        pages: PAGES,
        latency_ms: (10, 20),
        videos: 50,
        faults_per_mille: 0,
        seed: 4,
    })
    .await;
    let db = CliStore::new(kind).await;
    db.open().await;
    let (url, regions) = (api.url(), regions(CHARTS));
    let args = ["fetch", "--region", regions.as_str(), "--concurrency", "4"];
    let all = (CHARTS * PAGES) as u64;

    // During the fetch: after the first answer; with every chart still paging (requests are
    // served in turn, so charts complete from the 121st answer on); after entries were streamed
    // into the run's transaction (the first batch after about 14 charts on PostgreSQL, 9 on
    // SQLite).
    for point in [1, 100, 150] {
        let before = api.requests();
        let child = db.command(&args, &env(&url)).spawn().unwrap();
        wait_until("the kill point", || async {
            api.requests() >= before + point
        })
        .await;
        kill(&child);
        let _ = child.wait_with_output().await;
        nothing_stored(&db, &format!("after {point} answers")).await;
    }

    // In the middle of the final store.
    slow_down_the_store(&db).await;
    let before = api.requests();
    let child = db.command(&args, &env(&url)).spawn().unwrap();
    wait_for_the_store(&db, &api, before + all).await;
    kill(&child);
    let _ = child.wait_with_output().await;
    mend_the_store(&db).await;
    nothing_stored(&db, "in the store").await;

    // The next run marks the killed ones abandoned and stores its own charts, exactly.
    let out = db.run(&args, &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let statuses = db.texts("SELECT status FROM runs ORDER BY run_id").await;
    assert_eq!(
        statuses,
        ["abandoned", "abandoned", "abandoned", "abandoned", "ok"]
    );
    let last = db.int("SELECT max(run_id) FROM runs").await.unwrap();
    let entries = (CHARTS * PAGES * 50) as i64;
    assert_eq!(db.count("chart_entries").await, entries);
    let theirs = format!("SELECT count(*) FROM chart_entries WHERE run_id = {last}");
    assert_eq!(db.int(&theirs).await, Some(entries));
    assert_eq!(
        db.count("videos").await,
        entries,
        "ids are unique per chart here"
    );

    // Every killed run's reservation stays counted, as spent, beside what the last one spent.
    let reserved = db
        .ints("SELECT reserved FROM quota_ledger WHERE settled_at IS NULL ORDER BY run_id")
        .await;
    assert_eq!(
        reserved.len(),
        4,
        "one unsettled reservation per killed run"
    );
    assert!(reserved.iter().all(|r| *r >= all as i64), "{reserved:?}");
    let out = trendtap(
        &["quota", "--format", "json", "--database-url", &db.url],
        &[("YOUTUBE_API_KEY", KEY)],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let quota: Value = serde_json::from_str(&out.stdout).unwrap();
    let used = quota["used"].as_u64().unwrap();
    assert_eq!(
        used,
        reserved.iter().sum::<i64>() as u64 + all,
        "{}",
        out.stdout
    );
    assert_eq!(quota["reserved"].as_u64(), Some(0), "{}", out.stdout);
}
