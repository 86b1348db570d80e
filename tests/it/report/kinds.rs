//! Every report's numbers over the history of [`super::history`], on both stores.

use super::history::{self, A, B, C, D, E};
use super::{json, rows, with_history};
use crate::both;
use crate::support::CliStore;
use crate::support::Kind;

both!(
    days_on_trending_counts_utc_days_of_the_fetch_times,
    time_to_trend_takes_the_first_entry_of_the_videos_that_entered_in_the_period,
    overlap_counts_shared_videos_and_the_regions_that_exported_them,
    languages_and_categories_are_shares_of_each_regions_videos,
    channels_rank_by_entries_and_by_videos,
    video_shows_its_rank_in_each_chart_and_its_views_at_each_run,
    reports_between_runs_see_every_run_once,
    all_time_totals_and_daily_rows_give_the_same_answers,
);

async fn days_on_trending_counts_utc_days_of_the_fetch_times(kind: Kind) {
    let db = with_history(kind).await;
    let r = json(&db, &["days-on-trending"]).await;
    assert_eq!(r["report"], "days-on-trending");
    // E: Nov 1, 2, 3 and the replayed run's Nov 5 (not the day the replay ran, Dec 10);
    // A: 23:59:59 on Nov 2 and 00:00:00 on Nov 3 are two days.
    assert_eq!(
        rows(
            &r["videos"],
            &[
                "region",
                "video_id",
                "days",
                "best_rank",
                "first_seen_at",
                "last_seen_at"
            ]
        ),
        [
            format!("all {E} 4 1 2026-11-01T18:00:00Z 2026-11-05T06:00:00Z"),
            format!("all {A} 3 1 2026-11-01T06:00:00Z 2026-11-03T00:00:00Z"),
            format!("all {C} 3 1 2026-11-01T06:00:00Z 2026-11-05T06:00:00Z"),
            format!("all {D} 3 1 2026-11-01T06:00:00Z 2026-11-03T00:00:00Z"),
            format!("all {B} 1 1 2026-11-01T06:00:00Z 2026-11-01T18:00:00Z"),
            format!("GB {D} 3 1 2026-11-01T06:00:00Z 2026-11-03T00:00:00Z"),
            format!("GB {A} 1 1 2026-11-01T06:00:00Z 2026-11-01T18:00:00Z"),
            format!("GB {E} 1 2 2026-11-03T00:00:00Z 2026-11-03T00:00:00Z"),
            format!("JP {E} 4 1 2026-11-01T18:00:00Z 2026-11-05T06:00:00Z"),
            format!("JP {B} 1 1 2026-11-01T06:00:00Z 2026-11-01T18:00:00Z"),
            format!("US {A} 3 1 2026-11-01T06:00:00Z 2026-11-03T00:00:00Z"),
            format!("US {C} 3 1 2026-11-01T06:00:00Z 2026-11-05T06:00:00Z"),
            format!("US {B} 1 1 2026-11-01T06:00:00Z 2026-11-01T18:00:00Z"),
        ]
    );
    assert_eq!(r["videos"][0]["title"], "Epsilon");
    assert_eq!(r["videos"][0]["channel_title"], "Channel B");
    assert_eq!(
        rows(&r["distribution"], &["region", "days", "videos"]),
        [
            "all 1 1", "all 3 3", "all 4 1", "GB 1 2", "GB 3 1", "JP 1 1", "JP 4 1", "US 1 1",
            "US 3 2"
        ]
    );
    // Filters: one region from Nov 2 on; --limit 1 keeps each scope's first.
    let r = json(
        &db,
        &[
            "days-on-trending",
            "--region",
            "us",
            "--since",
            "2026-11-02",
            "--limit",
            "1",
        ],
    )
    .await;
    assert_eq!(
        rows(&r["videos"], &["region", "video_id", "days"]),
        [format!("all {A} 2"), format!("US {A} 2")]
    );
    assert_eq!(
        rows(&r["distribution"], &["region", "days", "videos"]),
        ["all 2 2", "US 2 2"]
    );
    assert_eq!(r["filters"]["regions"][0], "US");
    // The chart category: only US's category 10 chart of run 1.
    let r = json(&db, &["days-on-trending", "--category", "10"]).await;
    assert_eq!(
        rows(&r["videos"], &["region", "video_id", "days", "best_rank"]),
        [
            format!("all {A} 1 1"),
            format!("all {C} 1 2"),
            format!("US {A} 1 1"),
            format!("US {C} 1 2")
        ]
    );
    // The last day included: --until Nov 2 ends before run 4's midnight.
    let r = json(
        &db,
        &[
            "days-on-trending",
            "--until",
            "2026-11-02",
            "--region",
            "GB",
        ],
    )
    .await;
    assert_eq!(
        rows(
            &r["videos"],
            &["region", "video_id", "days", "last_seen_at"]
        ),
        [
            format!("all {D} 2 2026-11-02T23:59:59Z"),
            format!("all {A} 1 2026-11-01T18:00:00Z"),
            format!("GB {D} 2 2026-11-02T23:59:59Z"),
            format!("GB {A} 1 2026-11-01T18:00:00Z"),
        ]
    );
}

async fn time_to_trend_takes_the_first_entry_of_the_videos_that_entered_in_the_period(kind: Kind) {
    let db = with_history(kind).await;
    let r = json(&db, &["time-to-trend"]).await;
    // all: D 3 h, C 6 h, A 24 h, E 66 h (first on JP's chart), B untimed: the median halfway
    // between 6 and 24, the 90th percentile 0.7 of the way from 24 to 66.
    // GB: D 3, A 24, E 96; p90 24 + 0.8 * 72. US: C 6, A 24, B untimed.
    assert_eq!(
        rows(
            &r["regions"],
            &["region", "videos", "timed", "median_hours", "p90_hours"]
        ),
        [
            "all 5 4 15.0 53.4",
            "GB 3 3 24.0 81.6",
            "JP 2 1 66.0 66.0",
            "US 3 2 15.0 22.2"
        ]
    );
    // From Nov 2: only E entered a chart (GB's, on Nov 3); A, C, D and E were on charts before.
    let r = json(&db, &["time-to-trend", "--since", "2026-11-02"]).await;
    assert_eq!(
        rows(
            &r["regions"],
            &["region", "videos", "timed", "median_hours", "p90_hours"]
        ),
        ["GB 1 1 96.0 96.0"]
    );
    // Only B: counted, not timed.
    let r = json(
        &db,
        &["time-to-trend", "--region", "JP", "--until", "2026-11-01"],
    )
    .await;
    assert_eq!(
        rows(
            &r["regions"],
            &["region", "videos", "timed", "median_hours", "p90_hours"]
        ),
        ["all 2 1 66.0 66.0", "JP 2 1 66.0 66.0"]
    );
}

async fn overlap_counts_shared_videos_and_the_regions_that_exported_them(kind: Kind) {
    let db = with_history(kind).await;
    let r = json(&db, &["overlap"]).await;
    // US {A B C}, GB {A D E}, JP {B E}: each pair shares one video.
    assert_eq!(
        rows(
            &r["pairs"],
            &[
                "region",
                "other_region",
                "videos",
                "other_videos",
                "shared",
                "jaccard"
            ]
        ),
        [
            "GB JP 3 2 1 0.25",
            "GB US 3 3 1 0.2",
            "JP GB 2 3 1 0.25",
            "JP US 2 3 1 0.25",
            "US JP 3 2 1 0.25",
            "US GB 3 3 1 0.2",
        ]
    );
    // E was on JP's chart at 18:00 on Nov 1, on GB's on Nov 3; A and B were first seen in two
    // regions in the same run: neither region exported them.
    assert_eq!(
        rows(
            &r["exported"],
            &["region", "video_id", "first_seen_at", "other_regions"]
        ),
        [format!("JP {E} 2026-11-01T18:00:00Z 1")]
    );
    let r = json(&db, &["overlap", "--limit", "1", "--region", "US,GB"]).await;
    assert_eq!(
        rows(&r["pairs"], &["region", "other_region", "shared"]),
        ["GB US 1", "US GB 1"]
    );
}

async fn languages_and_categories_are_shares_of_each_regions_videos(kind: Kind) {
    let db = with_history(kind).await;
    let r = json(&db, &["languages"]).await;
    assert_eq!(
        rows(
            &r["languages"],
            &[
                "region",
                "language",
                "videos",
                "share",
                "source_api",
                "source_none"
            ]
        ),
        [
            "all en 2 0.4 2 0",
            "all ja 2 0.4 2 0",
            "all und 1 0.2 0 1",
            "GB en 1 0.3333 1 0",
            "GB ja 1 0.3333 1 0",
            "GB und 1 0.3333 0 1",
            "JP ja 2 1.0 2 0",
            "US en 2 0.6667 2 0",
            "US ja 1 0.3333 1 0",
        ]
    );
    let r = json(&db, &["categories"]).await;
    // Titles: the region's own, else another region's (GB's 10, JP's, all's).
    assert_eq!(
        rows(
            &r["categories"],
            &["region", "category_id", "title", "videos", "share"]
        ),
        [
            "all 24 Divertissement 3 0.6",
            "all 10 Music 2 0.4",
            "GB 24 Divertissement 2 0.6667",
            "GB 10 Music 1 0.3333",
            "JP 24 Divertissement 2 1.0",
            "US 10 Music 2 0.6667",
            "US 24 Entertainment 1 0.3333",
        ]
    );
}

async fn channels_rank_by_entries_and_by_videos(kind: Kind) {
    let db = with_history(kind).await;
    let r = json(&db, &["channels"]).await;
    // Entries: one per chart per run (US's category-10 chart counts too).
    assert_eq!(
        rows(
            &r["by_entries"],
            &["region", "channel_id", "entries", "videos", "entries_rank"]
        ),
        [
            "all UCa 12 2 1",
            "all UCb 9 2 2",
            "all UCd 4 1 3",
            "GB UCd 4 1 1",
            "GB UCa 2 1 2",
            "GB UCb 1 1 3",
            "JP UCb 6 2 1",
            "US UCa 10 2 1",
            "US UCb 2 1 2",
        ]
    );
    let r = json(&db, &["channels", "--limit", "1", "--since", "2026-11-03"]).await;
    // Nov 3 and 5: US A, C; GB D, E; JP E twice. Ties go to the smaller channel id.
    assert_eq!(
        rows(
            &r["by_videos"],
            &["region", "channel_id", "entries", "videos", "videos_rank"]
        ),
        [
            "all UCa 2 2 1",
            "GB UCb 1 1 1",
            "JP UCb 2 1 1",
            "US UCa 2 2 1"
        ]
    );
}

async fn video_shows_its_rank_in_each_chart_and_its_views_at_each_run(kind: Kind) {
    let db = with_history(kind).await;
    let r = json(&db, &["video", A]).await;
    assert_eq!(
        rows(
            &r["video"],
            &["video_id", "title", "language", "view_count"]
        ),
        [format!("{A} Alpha song en 400")]
    );
    assert_eq!(
        rows(
            &r["ranks"],
            &[
                "fetched_at",
                "run_id",
                "region",
                "category_id",
                "rank",
                "view_count"
            ]
        ),
        [
            "2026-11-01T06:00:00Z 1 GB 0 1 100",
            "2026-11-01T06:00:00Z 1 US 0 1 100",
            "2026-11-01T06:00:00Z 1 US 10 1 100",
            "2026-11-01T18:00:00Z 2 GB 0 2 200",
            "2026-11-01T18:00:00Z 2 US 0 2 200",
            "2026-11-02T23:59:59Z 3 US 0 1 300",
            "2026-11-03T00:00:00Z 4 US 0 1 400",
        ]
    );
    assert_eq!(
        rows(&r["views"], &["run_id", "view_count"]),
        ["1 100", "2 200", "3 300", "4 400"]
    );
    let r = json(
        &db,
        &["video", A, "--region", "GB", "--until", "2026-11-02"],
    )
    .await;
    assert_eq!(
        rows(&r["ranks"], &["run_id", "region", "rank"]),
        ["1 GB 1", "2 GB 2"]
    );
    let r = json(&db, &["video", A, "--since", "2026-11-03"]).await;
    assert_eq!(
        rows(&r["views"], &["fetched_at", "view_count"]),
        ["2026-11-03T00:00:00Z 400"]
    );
    // An unknown video is an error.
    let out = db.run(&["report", "video", "nosuchvideo"], &[]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("nosuchvideo"), "{}", out.stderr);
}

/// The daily summary is brought up to date by each report: runs stored after a report (on a
/// day it had already summarized) are added once, and a report that finds nothing new changes
/// nothing.
async fn reports_between_runs_see_every_run_once(kind: Kind) {
    let db = CliStore::new(kind).await;
    let store = db.open().await;
    history::store_runs(&store, 0..1).await;
    let r = json(&db, &["channels"]).await;
    assert_eq!(
        rows(&r["by_entries"], &["region", "channel_id", "entries"])[0],
        "all UCa 5"
    );
    history::store_runs(&store, 1..3).await;
    json(&db, &["days-on-trending"]).await;
    history::store_runs(&store, 3..5).await;
    history::store_categories(&store).await;
    let whole = with_history(kind).await;
    for args in [
        &["channels"][..],
        &["days-on-trending"],
        &["time-to-trend"],
        &["categories"],
        &["overlap"],
    ] {
        let (a, b) = (json(&db, args).await, json(&whole, args).await);
        assert_eq!(a, b, "{args:?}");
        assert_eq!(json(&db, args).await, a, "{args:?} again");
    }
}

/// Without a period or a category the reports read the all-time totals; with a period that
/// covers everything they read `chart_days`: the answers are the same.
async fn all_time_totals_and_daily_rows_give_the_same_answers(kind: Kind) {
    let db = with_history(kind).await;
    for report in [
        "days-on-trending",
        "time-to-trend",
        "overlap",
        "languages",
        "categories",
        "channels",
    ] {
        for region in [None, Some("GB,JP")] {
            let mut args = vec![report];
            args.extend(region.map(|r| ["--region", r]).into_iter().flatten());
            let mut totals = json(&db, &args).await;
            args.extend(["--since", "2026-10-01", "--until", "2026-12-31"]);
            let mut daily = json(&db, &args).await;
            totals["filters"] = serde_json::Value::Null;
            daily["filters"] = serde_json::Value::Null;
            assert_eq!(totals, daily, "{args:?}");
        }
    }
}
