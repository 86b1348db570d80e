//! What a run leaves in the four tables: re-runs, NULL counts, arrays, text that looks like
//! syntax, replays of older data.

use chrono::{DateTime, Utc};
use serde_json::Value;
use trendtap::dedup;

use super::{bump_views, chart, open_locked, save, views};
use crate::both;
use crate::support::fake::{recorded_items, trending_items};
use crate::support::{Kind, TestStore};

both!(
    a_run_fills_the_four_tables_and_a_rerun_only_adds_history,
    hidden_counts_are_null_and_arrays_keep_their_meaning,
    replaying_an_older_run_does_not_overwrite_newer_data,
    text_that_looks_like_syntax_round_trips,
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
