//! Every SQL statement against both backends (the real PostgreSQL and a SQLite file): the four
//! tables, idempotent re-runs, NULL counts, arrays, replays, rollback on failure, the run lock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use trendtap::dedup;
use trendtap::model::{Chart, ChartKey, ChartOutcome, ChartStatus};
use trendtap::normalize;
use trendtap::store::{LockState, RunSummary, Store};

use crate::both;
use crate::support::fake::{recorded_items, trending_items};
use crate::support::{save_run, Kind, TestStore};

fn chart(region: &'static str, items: &[Value], fetched_at: DateTime<Utc>) -> Chart {
    Chart {
        key: ChartKey {
            region,
            category_id: "0".into(),
        },
        fetched_at,
        entries: items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                (
                    i as u32 + 1,
                    normalize::video(serde_json::from_value(item.clone()).unwrap(), region)
                        .unwrap(),
                )
            })
            .collect(),
    }
}

fn outcomes(charts: &[Chart]) -> Vec<ChartOutcome> {
    charts
        .iter()
        .map(|c| ChartOutcome {
            region: c.key.region,
            category_id: c.key.category_id.clone(),
            status: ChartStatus::Ok,
            pages: 1,
            videos: c.entries.len() as u32,
            skipped_items: 0,
            requests: 1,
            error: None,
        })
        .collect()
}

/// The summary of a run whose charts all succeeded, one request each.
fn ok_summary(outcomes: &[ChartOutcome]) -> RunSummary<'_> {
    RunSummary {
        status: "ok",
        halt_reason: None,
        charts: outcomes,
        api_requests: outcomes.len() as u64,
    }
}

async fn open_locked(db: &TestStore) -> Store {
    let mut store = db.open().await;
    assert_eq!(store.lock(None).await.unwrap(), LockState::Acquired);
    store
}

/// Stores `charts` as one run and returns its id.
async fn save(store: &Store, at: DateTime<Utc>, charts: &[Chart]) -> i64 {
    let run_id = store
        .begin_run(at, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let outcomes = outcomes(charts);
    let summary = ok_summary(&outcomes);
    save_run(store, run_id, at, charts, &dedup::merge(charts), &summary)
        .await
        .unwrap();
    run_id
}

fn bump_views(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            let views: i64 = item["statistics"]["viewCount"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            item["statistics"]["viewCount"] = Value::String((views + 1000).to_string());
            item
        })
        .collect()
}

fn views(item: &Value) -> i64 {
    item["statistics"]["viewCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

both!(
    a_run_fills_the_four_tables_and_a_rerun_only_adds_history,
    hidden_counts_are_null_and_arrays_keep_their_meaning,
    replaying_an_older_run_does_not_overwrite_newer_data,
    text_that_looks_like_syntax_round_trips,
    charts_written_as_they_arrive_store_what_one_write_stores,
    a_chart_that_cannot_be_written_fails_the_whole_run_at_its_end,
    a_failing_statement_rolls_the_whole_run_back,
    the_lock_admits_one_run_and_names_the_holder,
    migrations_apply_once,
);

async fn a_run_fills_the_four_tables_and_a_rerun_only_adds_history(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    let (ca, gb) = (trending_items("CA"), trending_items("GB"));
    let t1: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let first = [chart("CA", &ca, t1), chart("GB", &gb, t1)];
    let run1 = save(&store, t1, &first).await;

    let merged = dedup::merge(&first);
    let distinct = merged.len() as i64;
    assert!(
        distinct < 400,
        "CA and GB share videos, so the merge matters: {distinct}"
    );
    assert_eq!(db.count("videos").await, distinct);
    assert_eq!(db.count("chart_entries").await, 400);
    let region_rows: i64 = merged
        .iter()
        .map(|m| {
            let mut r: Vec<_> = m.charts.iter().map(|a| a.region).collect();
            r.dedup();
            r.len() as i64
        })
        .sum();
    assert_eq!(db.count("video_regions").await, region_rows);

    let run = |column: &str| format!("SELECT {column} FROM runs WHERE run_id = {run1}");
    assert_eq!(db.text(&run("status")).await.as_deref(), Some("ok"));
    assert_eq!(db.int(&run("charts_ok")).await, Some(2));
    assert_eq!(db.int(&run("entries_count")).await, Some(400));
    assert_eq!(db.int(&run("videos_count")).await, Some(distinct));
    assert!(db.text(&run(&db.ts("finished_at"))).await.is_some());
    let charts: Value =
        serde_json::from_str(&db.text(&run(&db.json("charts"))).await.unwrap()).unwrap();
    assert_eq!(
        (charts[0]["region"].as_str(), charts[0]["status"].as_str()),
        (Some("CA"), Some("ok"))
    );

    // The same charts six hours later, with more views.
    let t2: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
    let second = [
        chart("CA", &bump_views(&ca), t2),
        chart("GB", &bump_views(&gb), t2),
    ];
    let run2 = save(&store, t2, &second).await;
    assert_eq!(
        db.count("videos").await,
        distinct,
        "videos keeps one row per video"
    );
    assert_eq!(db.count("video_regions").await, region_rows);
    assert_eq!(
        db.count("chart_entries").await,
        800,
        "history grows by one set"
    );
    assert_eq!(db.count("runs").await, 2);

    let id = ca[0]["id"].as_str().unwrap();
    let video = |column: &str| format!("SELECT {column} FROM videos WHERE video_id = '{id}'");
    assert_eq!(
        db.int(&video("view_count")).await,
        Some(views(&ca[0]) + 1000)
    );
    assert_eq!(
        db.text(&video(&db.ts("first_seen_at"))).await.unwrap(),
        "2026-11-22T06:00:00.000000Z"
    );
    assert_eq!(
        db.text(&video(&db.ts("last_seen_at"))).await.unwrap(),
        "2026-11-22T12:00:00.000000Z"
    );
    assert_eq!(db.int(&video("last_run_id")).await, Some(run2));
    let history = db
        .ints(&format!(
            "SELECT view_count FROM chart_entries WHERE video_id = '{id}' AND region = 'CA' ORDER BY run_id"
        ))
        .await;
    assert_eq!(history, [views(&ca[0]), views(&ca[0]) + 1000]);
    let vr = |column: &str| {
        format!("SELECT {column} FROM video_regions WHERE video_id = '{id}' AND region = 'CA'")
    };
    assert_eq!(db.int(&vr("runs_seen")).await, Some(2));
    assert_eq!(db.int(&vr("last_rank")).await, Some(1));
    assert_eq!(db.int(&vr("best_rank")).await, Some(1));
}

async fn hidden_counts_are_null_and_arrays_keep_their_meaning(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    let now = Utc::now();
    let sa = recorded_items("videos_mostPopular_SA_snippet_statistics_2024-07.json");
    let india =
        recorded_items("videos_mostPopular_IN_snippet_contentDetails_statistics_2024-11.json");
    save(
        &store,
        now,
        &[chart("SA", &sa, now), chart("IN", &india, now)],
    )
    .await;

    let hidden =
        |column: &str| format!("SELECT {column} FROM videos WHERE video_id = 'KCDg03P0oN4'");
    assert!(db.int(&hidden("view_count")).await.is_some());
    assert_eq!(db.int(&hidden("like_count")).await, None);
    assert_eq!(db.int(&hidden("comment_count")).await, None);
    assert_eq!(
        db.int("SELECT like_count FROM chart_entries WHERE video_id = 'KCDg03P0oN4'")
            .await,
        None
    );
    assert_eq!(
        db.int("SELECT count(*) FROM videos WHERE like_count = 0")
            .await,
        Some(0),
        "no hidden count is 0"
    );

    // Region restriction: the allowed list where the API sent one, NULL elsewhere.
    let allowed = db
        .texts(&format!(
            "SELECT {} FROM videos WHERE allowed_regions IS NOT NULL ORDER BY video_id",
            db.json("allowed_regions")
        ))
        .await;
    assert!(!allowed.is_empty());
    for list in &allowed {
        let list: Vec<String> = serde_json::from_str(list).unwrap();
        assert!(list.contains(&"IN".to_owned()), "{list:?}");
    }
    assert_eq!(
        db.int("SELECT count(*) FROM videos WHERE blocked_regions IS NOT NULL")
            .await,
        Some(0)
    );
    let tags: Vec<String> = serde_json::from_str(
        &db.text(&format!(
            "SELECT {} FROM videos WHERE video_id = 'qaYekJCC4xA'",
            db.json("tags")
        ))
        .await
        .unwrap(),
    )
    .unwrap();
    let expected: Vec<String> = sa[0]["snippet"]["tags"]
        .as_array()
        .map(|t| t.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(tags, expected);
    assert_eq!(
        db.int("SELECT count(*) FROM videos WHERE duration_seconds > 0")
            .await,
        Some(india.len() as i64),
        "every IN video has contentDetails"
    );
}

/// Text that means something to a bulk format (COPY's backslash escapes and `\N`, an array
/// literal's quotes, commas and braces, SQL's NULL) is stored as the characters it is.
async fn text_that_looks_like_syntax_round_trips(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    let title = r#"C:\path\N "quoted" {a,b} \t NULL ✓"#;
    let tags = [
        r#"\N"#,
        "NULL",
        r#"a "b" c"#,
        r#"back\slash"#,
        "{}",
        "x,y",
        "",
    ];
    let mut item = trending_items("CA")[0].clone();
    item["snippet"]["title"] = Value::from(title);
    item["snippet"]["tags"] = Value::from(tags.to_vec());
    item["snippet"]["channelTitle"] = Value::from(r#"\N"#);
    let at = Utc::now();
    // Twice: the first run copies the video in, the second updates it.
    for _ in 0..2 {
        save(&store, at, &[chart("CA", std::slice::from_ref(&item), at)]).await;
    }
    let id = item["id"].as_str().unwrap();
    let video = |column: &str| format!("SELECT {column} FROM videos WHERE video_id = '{id}'");
    assert_eq!(db.text(&video("title")).await.as_deref(), Some(title));
    assert_eq!(
        db.text(&video("channel_title")).await.as_deref(),
        Some(r#"\N"#)
    );
    let stored: Vec<String> =
        serde_json::from_str(&db.text(&video(&db.json("tags"))).await.unwrap()).unwrap();
    let expected: Vec<&str> = tags.iter().copied().filter(|t| !t.is_empty()).collect();
    assert_eq!(
        stored, expected,
        "empty tags are dropped, the rest kept as is"
    );
}

async fn replaying_an_older_run_does_not_overwrite_newer_data(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    let ca = trending_items("CA");
    let (old, new): (DateTime<Utc>, DateTime<Utc>) = (
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2026-06-01T00:00:00Z".parse().unwrap(),
    );
    save(&store, new, &[chart("CA", &bump_views(&ca), new)]).await;
    save(&store, old, &[chart("CA", &ca, old)]).await;
    let id = ca[0]["id"].as_str().unwrap();
    let video = |column: &str| format!("SELECT {column} FROM videos WHERE video_id = '{id}'");
    assert_eq!(
        db.int(&video("view_count")).await,
        Some(views(&ca[0]) + 1000),
        "the newer count stays"
    );
    assert_eq!(
        db.text(&video(&db.ts("first_seen_at"))).await.unwrap(),
        "2026-01-01T00:00:00.000000Z"
    );
    assert_eq!(
        db.text(&video(&db.ts("last_seen_at"))).await.unwrap(),
        "2026-06-01T00:00:00.000000Z"
    );
}

/// A run whose charts are written as they arrive (PostgreSQL copies each chart's entries in
/// while the others are still fetching) stores exactly what the same run written at once
/// stores; a chart handed over twice is written once.
async fn charts_written_as_they_arrive_store_what_one_write_stores(kind: Kind) {
    let t: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let charts = [
        chart("CA", &trending_items("CA"), t),
        chart("GB", &trending_items("GB"), t),
        chart("US", &trending_items("US"), t),
    ];
    let merged = dedup::merge(&charts);
    let outcomes = outcomes(&charts);
    let summary = ok_summary(&outcomes);

    let streamed = TestStore::new(kind).await;
    let store = open_locked(&streamed).await;
    let run_id = store
        .begin_run(t, &["CA", "GB", "US"], &["0".into()])
        .await
        .unwrap();
    let mut writer = store.begin_writes(run_id, t);
    // Every chart is sent as soon as it is added, in arrival order (not the plan's).
    writer.stream_every(1);
    for chart in [&charts[2], &charts[0], &charts[2]] {
        writer.add_chart(chart).await;
    }
    if kind == Kind::Postgres {
        // The entries are in the run's (uncommitted) transaction before the run ends.
        let writing = streamed
            .int(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                 JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
                 WHERE c.relname = 'chart_entries' AND l.mode = 'RowExclusiveLock'",
            )
            .await;
        assert_eq!(writing, Some(1), "chart_entries written while fetching");
        assert_eq!(
            streamed.count("chart_entries").await,
            0,
            "and not visible yet"
        );
    }
    writer.finish(&charts, &merged, &summary).await.unwrap();

    let at_once = TestStore::new(kind).await;
    save(&open_locked(&at_once).await, t, &charts).await;

    for (table, order) in [
        ("chart_entries", "region, rank"),
        ("videos", "video_id"),
        ("video_regions", "video_id, region"),
    ] {
        let (a, b) = (
            streamed.dump(table, &[], order).await,
            at_once.dump(table, &[], order).await,
        );
        assert!(!a.is_empty());
        assert_eq!(a, b, "{table}");
    }
    let counts = "SELECT entries_count * 100000 + videos_count FROM runs";
    assert_eq!(streamed.int(counts).await, at_once.int(counts).await);
    assert_eq!(
        streamed.int("SELECT entries_count FROM runs").await,
        Some(600)
    );
}

/// Makes every insert into `table` fail, as a full disk would.
async fn fail_inserts_into(db: &TestStore, kind: Kind, table: &str) {
    db.execute(&match kind {
        Kind::Postgres => format!(
            "CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$;
             CREATE TRIGGER fail_insert BEFORE INSERT ON {table}
               FOR EACH STATEMENT EXECUTE FUNCTION fail_insert();"
        ),
        Kind::Sqlite => format!(
            "CREATE TRIGGER fail_insert BEFORE INSERT ON {table}
               BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;"
        ),
    })
    .await;
}

/// A write that fails while the run is still fetching is kept: nothing more is written, the
/// run's end reports it, and nothing of the run is stored.
async fn a_chart_that_cannot_be_written_fails_the_whole_run_at_its_end(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    fail_inserts_into(&db, kind, "chart_entries").await;
    let t = Utc::now();
    let charts = [
        chart("CA", &trending_items("CA"), t),
        chart("GB", &trending_items("GB"), t),
    ];
    let run_id = store
        .begin_run(t, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let mut writer = store.begin_writes(run_id, t);
    writer.stream_every(1);
    for chart in &charts {
        writer.add_chart(chart).await;
    }
    let outcomes = outcomes(&charts);
    let summary = ok_summary(&outcomes);
    let err = writer
        .finish(&charts, &dedup::merge(&charts), &summary)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chart_entries") && err.contains("disk full"),
        "{err}"
    );
    for table in ["chart_entries", "videos", "video_regions"] {
        assert_eq!(db.count(table).await, 0, "{table}");
    }
}

async fn a_failing_statement_rolls_the_whole_run_back(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    let now: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let ca = trending_items("CA");
    save(&store, now, &[chart("CA", &ca, now)]).await;
    let videos_before = db.count("videos").await;

    // video_regions is written after the run's chart_entries and videos, so the failure has
    // writes to undo.
    fail_inserts_into(&db, kind, "video_regions").await;
    let later = now + chrono::Duration::hours(1);
    let charts = [
        chart("CA", &bump_views(&ca), later),
        chart("GB", &trending_items("GB"), later),
    ];
    let run_id = store
        .begin_run(later, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let outcomes = outcomes(&charts);
    let summary = ok_summary(&outcomes);
    let err = save_run(
        &store,
        run_id,
        later,
        &charts,
        &dedup::merge(&charts),
        &summary,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("video_regions") && err.contains("disk full"),
        "{err}"
    );

    // The videos upsert (and, with PostgreSQL, the chart_entries copy) ran before the failure
    // and was rolled back with it.
    assert_eq!(db.count("videos").await, videos_before);
    let newer = format!(
        "SELECT count(*) FROM videos WHERE {} > '2026-11-22T06:00:00.000000Z'",
        db.ts("last_seen_at")
    );
    assert_eq!(db.int(&newer).await, Some(0));
    assert_eq!(db.count("chart_entries").await, ca.len() as i64);

    store
        .record_unsaved_run(run_id, &summary, Some(&err))
        .await
        .unwrap();
    let run = |column: &str| format!("SELECT {column} FROM runs WHERE run_id = {run_id}");
    assert_eq!(db.text(&run("status")).await.as_deref(), Some("failed"));
    assert!(db.text(&run("error")).await.unwrap().contains("disk full"));
}

async fn the_lock_admits_one_run_and_names_the_holder(kind: Kind) {
    let db = TestStore::new(kind).await;
    let first = open_locked(&db).await;
    let started: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let run_id = first
        .begin_run(started, &["US"], &["0".into()])
        .await
        .unwrap();

    let mut second = db.open().await;
    let state = second.lock(None).await.unwrap();
    assert_eq!(
        state,
        LockState::Busy {
            run_id: Some(run_id),
            started_at: Some(started)
        }
    );
    // Waiting works once the holder goes away.
    let waiter =
        tokio::spawn(async move { second.lock(Some(Duration::from_secs(20))).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(first);
    assert_eq!(waiter.await.unwrap(), LockState::Acquired);
    // The dead holder's run is no longer shown as running.
    let status = db
        .text(&format!("SELECT status FROM runs WHERE run_id = {run_id}"))
        .await;
    assert_eq!(status.as_deref(), Some("abandoned"));
}

async fn migrations_apply_once(kind: Kind) {
    let db = TestStore::new(kind).await;
    let mut store = Store::open(&trendtap::secret::DatabaseUrl::new(db.url.clone()))
        .await
        .unwrap();
    assert!(store.pending_migrations().await >= 1);
    assert!(store.migrate().await.unwrap() >= 1);
    assert_eq!(store.migrate().await.unwrap(), 0);
    assert_eq!(store.pending_migrations().await, 0);
}
