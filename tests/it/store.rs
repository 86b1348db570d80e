//! Every SQL statement against the real PostgreSQL: the four tables, idempotent re-runs, NULL
//! counts, arrays, rollback on failure, and the run lock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgPool, Row};
use trendtap::dedup;
use trendtap::model::{Chart, ChartKey, ChartOutcome, ChartStatus};
use trendtap::normalize;
use trendtap::secret::DatabaseUrl;
use trendtap::store::{LockState, PgStore, RunSummary};

use crate::support::fake::{recorded_items, trending_items};
use crate::support::{count, TestDb};

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

async fn open(db: &TestDb) -> PgStore {
    let mut store = PgStore::connect(&DatabaseUrl::new(db.url.clone()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.lock(None).await.unwrap(), LockState::Acquired);
    store
}

/// Stores `charts` as one run and returns its id.
async fn save(store: &PgStore, at: DateTime<Utc>, charts: &[Chart]) -> i64 {
    let run_id = store
        .begin_run(at, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let merged = dedup::merge(charts);
    let outcomes = outcomes(charts);
    let summary = RunSummary {
        status: "ok",
        halt_reason: None,
        charts: &outcomes,
        api_requests: charts.len() as u64,
    };
    store
        .save_run(run_id, at, charts, &merged, &summary)
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

#[tokio::test]
async fn a_run_fills_the_four_tables_and_a_rerun_only_adds_history() {
    let db = TestDb::new().await;
    let store = open(&db).await;
    let pool = db.pool().await;
    let (ca, gb) = (trending_items("CA"), trending_items("GB"));
    let t1: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let first = [chart("CA", &ca, t1), chart("GB", &gb, t1)];
    let run1 = save(&store, t1, &first).await;

    let distinct = dedup::merge(&first).len() as i64;
    assert!(
        distinct < 400,
        "CA and GB share videos, so the merge matters: {distinct}"
    );
    assert_eq!(count(&pool, "videos").await, distinct);
    assert_eq!(count(&pool, "chart_entries").await, 400);
    let regions_rows: i64 = dedup::merge(&first)
        .iter()
        .map(|m| {
            let mut r: Vec<_> = m.charts.iter().map(|a| a.region).collect();
            r.dedup();
            r.len() as i64
        })
        .sum();
    assert_eq!(count(&pool, "video_regions").await, regions_rows);

    let run = sqlx::query("SELECT * FROM runs WHERE run_id = $1")
        .bind(run1)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(run.get::<String, _>("status"), "ok");
    assert_eq!(run.get::<i32, _>("charts_ok"), 2);
    assert_eq!(run.get::<i32, _>("entries_count"), 400);
    assert_eq!(run.get::<i32, _>("videos_count") as i64, distinct);
    assert!(run.get::<Option<DateTime<Utc>>, _>("finished_at").is_some());
    let charts: Value = run.get("charts");
    assert_eq!(charts[0]["region"], "CA");
    assert_eq!(charts[0]["status"], "ok");

    // The same charts six hours later, with more views.
    let t2: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
    let second = [
        chart("CA", &bump_views(&ca), t2),
        chart("GB", &bump_views(&gb), t2),
    ];
    let run2 = save(&store, t2, &second).await;
    assert_eq!(
        count(&pool, "videos").await,
        distinct,
        "videos keeps one row per video"
    );
    assert_eq!(count(&pool, "video_regions").await, regions_rows);
    assert_eq!(
        count(&pool, "chart_entries").await,
        800,
        "history grows by one set"
    );
    assert_eq!(count(&pool, "runs").await, 2);

    let id = ca[0]["id"].as_str().unwrap();
    let v = sqlx::query("SELECT view_count, first_seen_at, last_seen_at, last_run_id FROM videos WHERE video_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let views: i64 = ca[0]["statistics"]["viewCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(v.get::<i64, _>("view_count"), views + 1000);
    assert_eq!(v.get::<DateTime<Utc>, _>("first_seen_at"), t1);
    assert_eq!(v.get::<DateTime<Utc>, _>("last_seen_at"), t2);
    assert_eq!(v.get::<i64, _>("last_run_id"), run2);
    let history: Vec<i64> = sqlx::query_scalar(
        "SELECT view_count FROM chart_entries WHERE video_id = $1 AND region = 'CA' ORDER BY run_id",
    )
    .bind(id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(history, [views, views + 1000]);
    let vr = sqlx::query("SELECT runs_seen, last_rank, best_rank FROM video_regions WHERE video_id = $1 AND region = 'CA'")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (
            vr.get::<i32, _>("runs_seen"),
            vr.get::<i32, _>("last_rank"),
            vr.get::<i32, _>("best_rank")
        ),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn hidden_counts_are_null_and_arrays_keep_their_meaning() {
    let db = TestDb::new().await;
    let store = open(&db).await;
    let pool = db.pool().await;
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

    let row = sqlx::query("SELECT view_count, like_count, comment_count, tags FROM videos WHERE video_id = 'KCDg03P0oN4'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(row.get::<Option<i64>, _>("view_count").is_some());
    assert_eq!(row.get::<Option<i64>, _>("like_count"), None);
    assert_eq!(row.get::<Option<i64>, _>("comment_count"), None);
    let entry: Option<i64> =
        sqlx::query_scalar("SELECT like_count FROM chart_entries WHERE video_id = 'KCDg03P0oN4'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(entry, None);
    let zeros: i64 = sqlx::query_scalar("SELECT count(*) FROM videos WHERE like_count = 0")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(zeros, 0, "no hidden count is stored as 0");

    // Region restriction: an allowed list where the API sent one, NULL elsewhere.
    let restricted: Vec<(String, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT video_id, allowed_regions FROM videos WHERE allowed_regions IS NOT NULL ORDER BY video_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!restricted.is_empty());
    assert!(restricted
        .iter()
        .all(|(_, a)| a.as_ref().unwrap().contains(&"IN".to_owned())));
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tags FROM videos WHERE cardinality(tags) > 0 LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!tags.is_empty());
    let durations: i64 =
        sqlx::query_scalar("SELECT count(*) FROM videos WHERE duration_seconds > 0")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        durations,
        india.len() as i64,
        "every IN video has contentDetails"
    );
}

#[tokio::test]
async fn replaying_an_older_run_does_not_overwrite_newer_data() {
    let db = TestDb::new().await;
    let store = open(&db).await;
    let pool = db.pool().await;
    let ca = trending_items("CA");
    let (old, new): (DateTime<Utc>, DateTime<Utc>) = (
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2026-06-01T00:00:00Z".parse().unwrap(),
    );
    save(&store, new, &[chart("CA", &bump_views(&ca), new)]).await;
    save(&store, old, &[chart("CA", &ca, old)]).await;
    let id = ca[0]["id"].as_str().unwrap();
    let row = sqlx::query(
        "SELECT view_count, first_seen_at, last_seen_at FROM videos WHERE video_id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let views: i64 = ca[0]["statistics"]["viewCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        row.get::<i64, _>("view_count"),
        views + 1000,
        "the newer count stays"
    );
    assert_eq!(row.get::<DateTime<Utc>, _>("first_seen_at"), old);
    assert_eq!(row.get::<DateTime<Utc>, _>("last_seen_at"), new);
}

async fn break_chart_entries(pool: &PgPool) {
    sqlx::raw_sql(
        "CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$;
         CREATE TRIGGER fail_insert BEFORE INSERT ON chart_entries FOR EACH STATEMENT EXECUTE FUNCTION fail_insert();",
    )
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_failing_statement_rolls_the_whole_run_back() {
    let db = TestDb::new().await;
    let store = open(&db).await;
    let pool = db.pool().await;
    let now = Utc::now();
    let ca = trending_items("CA");
    save(&store, now, &[chart("CA", &ca, now)]).await;
    let videos_before = count(&pool, "videos").await;

    break_chart_entries(&pool).await;
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
    let summary = RunSummary {
        status: "ok",
        halt_reason: None,
        charts: &outcomes,
        api_requests: 2,
    };
    let err = store
        .save_run(run_id, later, &charts, &dedup::merge(&charts), &summary)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chart_entries") && err.contains("disk full"),
        "{err}"
    );

    // The videos upsert ran before the failure, and was rolled back with it.
    assert_eq!(count(&pool, "videos").await, videos_before);
    let stale: i64 = sqlx::query_scalar("SELECT count(*) FROM videos WHERE last_seen_at > $1")
        .bind(now)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stale, 0);
    assert_eq!(count(&pool, "chart_entries").await, ca.len() as i64);

    store
        .record_unsaved_run(run_id, &summary, Some(&err))
        .await
        .unwrap();
    let (status, error): (String, Option<String>) =
        sqlx::query_as("SELECT status, error FROM runs WHERE run_id = $1")
            .bind(run_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert!(error.unwrap().contains("disk full"));
}

#[tokio::test]
async fn the_lock_admits_one_run_and_names_the_holder() {
    let db = TestDb::new().await;
    let url = DatabaseUrl::new(db.url.clone());
    let first = open(&db).await;
    let started: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let run_id = first
        .begin_run(started, &["US"], &["0".into()])
        .await
        .unwrap();

    let mut second = PgStore::connect(&url).await.unwrap();
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
    let pool = db.pool().await;
    let status: String = sqlx::query_scalar("SELECT status FROM runs WHERE run_id = $1")
        .bind(run_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "abandoned");
}

#[tokio::test]
async fn migrations_apply_once() {
    let db = TestDb::new().await;
    let mut store = PgStore::connect(&DatabaseUrl::new(db.url.clone()))
        .await
        .unwrap();
    assert!(store.migrate().await.unwrap() >= 1);
    assert_eq!(store.migrate().await.unwrap(), 0);
}
