//! `trendtap refresh` end to end on both backends, against a fake API that answers `id=`
//! requests (omitting removed ids) and counts them: batching, fresh videos skipped, removed
//! videos marked and not asked again, a failed batch, the budget, the observation view, the
//! newest-wins rule between refresh and fetch, and a dry run.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param_contains};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::both;
use crate::support::fake::synthetic_items;
use crate::support::{CliStore, FakeYouTube, Kind, KEY};

both!(
    batches_of_fifty_cost_one_request_each,
    fresh_videos_are_skipped_and_stale_ones_refreshed,
    removed_videos_are_marked_and_not_asked_again,
    a_failed_batch_exits_3_and_the_others_are_stored,
    a_refresh_that_does_not_fit_makes_no_request,
    the_observation_view_gives_chart_and_refresh_points_in_time_order,
    a_dry_run_prints_the_videos_and_books_only_the_ledger,
    an_older_refresh_never_overwrites_newer_data,
);

/// Answers videos.list `id=` with the items it knows, leaving out the removed ids; counts
/// requests and ids asked.
#[derive(Clone, Default)]
struct ById {
    items: Arc<Mutex<HashMap<String, Value>>>,
    removed: Arc<Mutex<HashSet<String>>>,
    asked: Arc<Mutex<Vec<Vec<String>>>>,
}

impl Respond for ById {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ids: Vec<String> = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        self.asked.lock().unwrap().push(ids.clone());
        let items = self.items.lock().unwrap();
        let removed = self.removed.lock().unwrap();
        let found: Vec<&Value> = ids
            .iter()
            .filter(|id| !removed.contains(*id))
            .filter_map(|id| items.get(id))
            .collect();
        ResponseTemplate::new(200).set_body_json(
            json!({"kind": "youtube#videoListResponse", "items": found, "pageInfo": {"totalResults": found.len()}}),
        )
    }
}

impl ById {
    fn requests(&self) -> usize {
        self.asked.lock().unwrap().len()
    }
}

/// A fake with a US chart of `n` videos (ids `refresh0000`...) and the by-id answers, each
/// video's views raised by 500 since the chart.
async fn setup(kind: Kind, n: usize) -> (FakeYouTube, ById, CliStore) {
    let api = FakeYouTube::start().await;
    let items = synthetic_items("refresh", n);
    api.chart("US", "0", &items).await;
    let by_id = ById::default();
    for item in &items {
        let mut later = item.clone();
        let views: u64 = item["statistics"]["viewCount"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        later["statistics"]["viewCount"] = json!((views + 500).to_string());
        later["snippet"]["title"] = json!(format!(
            "{} (updated)",
            item["snippet"]["title"].as_str().unwrap()
        ));
        by_id
            .items
            .lock()
            .unwrap()
            .insert(item["id"].as_str().unwrap().to_owned(), later);
    }
    Mock::given(method("GET"))
        .and(path("/videos"))
        .and(query_param_contains("id", "refresh"))
        .respond_with(by_id.clone())
        .mount(&api.server)
        .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db.run(&["fetch", "--region", "US"], &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    (api, by_id, db)
}

fn env(api: &str) -> Vec<(&str, &str)> {
    vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)]
}

async fn batches_of_fifty_cost_one_request_each(kind: Kind) {
    let (api, by_id, db) = setup(kind, 120).await;
    let url = api.url();
    let mut before = 0;
    for (n, requests) in [(1, 1), (50, 1), (51, 2), (120, 3)] {
        let limit = n.to_string();
        let out = db
            .run(
                &["refresh", "--older-than", "0s", "--limit", &limit],
                &env(&url),
            )
            .await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(by_id.requests() - before, requests, "N = {n}");
        before = by_id.requests();
        out.assert_no_secret();
    }
    assert!(by_id
        .asked
        .lock()
        .unwrap()
        .iter()
        .all(|ids| ids.len() <= 50));
    // 1 + 50 + 51 + 120 observations, one per video per refresh.
    assert_eq!(db.count("video_stats").await, 222);
    assert_eq!(db.count("refresh_runs").await, 4);
    let spent = db
        .int("SELECT CAST(sum(spent) AS bigint) FROM quota_ledger WHERE job = 'refresh'")
        .await;
    assert_eq!(spent, Some(7), "the ledger books each request");
}

async fn fresh_videos_are_skipped_and_stale_ones_refreshed(kind: Kind) {
    let (api, by_id, db) = setup(kind, 30).await;
    let url = api.url();
    // Seen a moment ago: fresher than the default 6h.
    let out = db.run(&["refresh"], &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(by_id.requests(), 0, "nothing is stale");
    // Everything is older than 0s; the refresh updates the videos and observes them.
    let out = db.run(&["refresh", "--older-than", "0s"], &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(by_id.requests(), 1);
    let title = db
        .text("SELECT title FROM videos WHERE video_id = 'refresh0003'")
        .await;
    assert_eq!(title.as_deref(), Some("Video refresh number 3 (updated)"));
    let views = db
        .int("SELECT view_count FROM videos WHERE video_id = 'refresh0003'")
        .await;
    assert_eq!(views, Some(1503));
    assert_eq!(
        db.int("SELECT count(*) FROM videos WHERE refreshed_at IS NOT NULL")
            .await,
        Some(30)
    );
    // The refreshed ones are now fresh: a default refresh asks nothing.
    let out = db.run(&["refresh"], &env(&url)).await;
    assert_eq!(out.code, 0);
    assert_eq!(by_id.requests(), 1);
}

async fn removed_videos_are_marked_and_not_asked_again(kind: Kind) {
    let (api, by_id, db) = setup(kind, 10).await;
    let url = api.url();
    by_id
        .removed
        .lock()
        .unwrap()
        .extend(["refresh0002".to_owned(), "refresh0007".to_owned()]);
    let out = db.run(&["refresh", "--older-than", "0s"], &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let unavailable = db
        .texts("SELECT video_id FROM videos WHERE unavailable_since IS NOT NULL ORDER BY video_id")
        .await;
    assert_eq!(unavailable, ["refresh0002", "refresh0007"]);
    assert_eq!(
        db.int("SELECT videos_unavailable FROM refresh_runs").await,
        Some(2)
    );
    assert_eq!(db.count("video_stats").await, 8);
    // The next refresh leaves them out...
    let out = db.run(&["refresh", "--older-than", "0s"], &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let last: Vec<String> = by_id.asked.lock().unwrap().last().unwrap().clone();
    assert_eq!(last.len(), 8);
    assert!(!last.contains(&"refresh0002".to_owned()));
    // ... unless asked; a video that comes back is available again.
    by_id.removed.lock().unwrap().remove("refresh0002");
    let out = db
        .run(
            &["refresh", "--older-than", "0s", "--include-unavailable"],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(by_id.asked.lock().unwrap().last().unwrap().len(), 10);
    let unavailable = db
        .texts("SELECT video_id FROM videos WHERE unavailable_since IS NOT NULL")
        .await;
    assert_eq!(unavailable, ["refresh0007"]);
}

async fn a_failed_batch_exits_3_and_the_others_are_stored(kind: Kind) {
    let (api, by_id, db) = setup(kind, 120).await;
    let url = api.url();
    // The batch holding refresh0060 (the second) fails with a 500 every time.
    Mock::given(method("GET"))
        .and(path("/videos"))
        .and(query_param_contains("id", "refresh0060"))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(1)
        .mount(&api.server)
        .await;
    let out = db
        .run(
            &["refresh", "--older-than", "0s", "--max-attempts", "2"],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("HTTP 500"), "{}", out.stderr);
    assert_eq!(by_id.requests(), 2, "the two other batches");
    assert_eq!(db.count("video_stats").await, 70);
    assert_eq!(
        db.int("SELECT batches_failed FROM refresh_runs").await,
        Some(1)
    );
    assert_eq!(
        db.text("SELECT status FROM refresh_runs").await.as_deref(),
        Some("partial")
    );
    // A failed batch's videos are not marked unavailable.
    assert_eq!(
        db.int("SELECT count(*) FROM videos WHERE unavailable_since IS NOT NULL")
            .await,
        Some(0)
    );
    let spent = db
        .int("SELECT CAST(sum(spent) AS bigint) FROM quota_ledger WHERE job = 'refresh'")
        .await;
    assert_eq!(
        spent,
        Some(4),
        "2 answered batches + 2 attempts of the failed one"
    );
}

async fn a_refresh_that_does_not_fit_makes_no_request(kind: Kind) {
    let (api, by_id, db) = setup(kind, 120).await;
    let url = api.url();
    // The fetch spent 3 units; 3 batches need 3 more; 5 are allowed.
    let out = db
        .run(
            &["refresh", "--older-than", "0s", "--daily-quota", "5"],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("needs 3 quota units and 2 are left"),
        "{}",
        out.stderr
    );
    assert_eq!(by_id.requests(), 0);
    // --fit-budget refreshes the most recently trending videos that fit: 2 batches.
    let out = db
        .run(
            &[
                "refresh",
                "--older-than",
                "0s",
                "--daily-quota",
                "5",
                "--fit-budget",
            ],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(by_id.requests(), 2);
    assert_eq!(db.count("video_stats").await, 100);
}

async fn the_observation_view_gives_chart_and_refresh_points_in_time_order(kind: Kind) {
    let (api, _by_id, db) = setup(kind, 5).await;
    let url = api.url();
    for _ in 0..2 {
        let out = db.run(&["refresh", "--older-than", "0s"], &env(&url)).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let out = db.run(&["fetch", "--region", "US"], &env(&url)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let points = db
        .texts(&format!(
            "SELECT source || ':' || CAST(view_count AS text) FROM video_observations
             WHERE video_id = 'refresh0001' ORDER BY {}, source",
            db.ts("observed_at")
        ))
        .await;
    assert_eq!(
        points,
        ["chart:1001", "refresh:1501", "refresh:1501", "chart:1001"]
    );
    // The chart seen after the refreshes is the newest data: its title wins.
    assert_eq!(
        db.text("SELECT title FROM videos WHERE video_id = 'refresh0001'")
            .await
            .as_deref(),
        Some("Video refresh number 1")
    );
}

async fn a_dry_run_prints_the_videos_and_books_only_the_ledger(kind: Kind) {
    let (api, by_id, db) = setup(kind, 60).await;
    let url = api.url();
    let out = db
        .run(
            &[
                "refresh",
                "--older-than",
                "0s",
                "--dry-run",
                "--format",
                "ndjson",
            ],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 60);
    assert_eq!(lines[0]["view_count"], 1500);
    assert_eq!(by_id.requests(), 2);
    assert_eq!(db.count("video_stats").await, 0);
    assert_eq!(db.count("refresh_runs").await, 0);
    assert_eq!(
        db.int("SELECT count(*) FROM videos WHERE refreshed_at IS NOT NULL")
            .await,
        Some(0)
    );
    let booked = db
        .int("SELECT CAST(sum(spent) AS bigint) FROM quota_ledger WHERE job = 'refresh-dry-run'")
        .await;
    assert_eq!(booked, Some(2));
    out.assert_no_secret();
}

async fn an_older_refresh_never_overwrites_newer_data(kind: Kind) {
    let (_api, _by_id, db) = setup(kind, 3).await;
    let store = db.open().await;
    // A refresh that observed the video before the fetch saw it (it started earlier and was
    // slower to store): its observation is kept, the fetch's newer data stays.
    let then = chrono::Utc::now() - chrono::Duration::hours(1);
    let id = store.begin_refresh(then).await.unwrap();
    let video = trendtap::model::Video {
        title: "An older title".into(),
        view_count: Some(5),
        ..older_video("refresh0000")
    };
    let summary = trendtap::store::RefreshSummary {
        status: "ok",
        ..Default::default()
    };
    store
        .save_refresh(id, then, &[video], &[], &summary)
        .await
        .unwrap();
    assert_eq!(
        db.text("SELECT title FROM videos WHERE video_id = 'refresh0000'")
            .await
            .as_deref(),
        Some("Video refresh number 0")
    );
    assert_eq!(
        db.int("SELECT view_count FROM videos WHERE video_id = 'refresh0000'")
            .await,
        Some(1000)
    );
    assert_eq!(db.int("SELECT view_count FROM video_stats").await, Some(5));
}

/// A video with nothing but an id and a title.
fn older_video(id: &str) -> trendtap::model::Video {
    trendtap::model::Video {
        video_id: id.into(),
        title: String::new(),
        channel_id: None,
        channel_title: None,
        category_id: None,
        published_at: None,
        duration_seconds: None,
        language: "und".into(),
        language_source: trendtap::model::LanguageSource::None,
        view_count: None,
        like_count: None,
        comment_count: None,
        tags: Vec::new(),
        thumbnail_url: None,
        age_restricted: None,
        blocked_regions: None,
        allowed_regions: None,
        caption: None,
        definition: None,
        licensed_content: None,
        live_broadcast_content: None,
    }
}
